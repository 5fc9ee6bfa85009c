"""10장과 11장이 보여 주는 벤치마크 결과를 읽습니다.

`benchmarks/vae_training.py`와 `benchmarks/attention_speed.py`(저장소에만 있는 스크립트)가 잰
결과는 패키지 안의 `companion/benchmark_results/`에 JSON으로 들어 있습니다. 패키지 데이터로 함께
설치되므로, 저장소가 없는 Colab이나 빈 폴더에서 연 노트북에서도 `import companion`만으로
읽을 수 있습니다.
"""

import importlib.resources
import json
import os

#: 결과 파일이 든 패키지 안의 폴더 이름 (`benchmarks/vae_training.py`가 기본으로 쓰는 곳).
RESULTS_DIRECTORY = "benchmark_results"
#: 10장의 VAE 훈련 벤치마크 결과 파일 이름.
VAE_TRAINING_RESULTS = "vae_training.json"
#: 11장의 어텐션 속도 벤치마크 결과 파일 이름.
ATTENTION_SPEED_RESULTS = "attention_speed.json"


def load_benchmark_results(path=None):
    """VAE 훈련 벤치마크의 결과(JSON)를 읽어 딕셔너리로 돌려줍니다.

    기본으로는 패키지에 함께 설치된 결과를 `importlib.resources`로 읽으므로, 저장소의 어느
    폴더에서 실행하든 (또는 저장소 없이 설치만 했든) 같은 파일을 읽습니다.

    Args:
        path: 다른 결과 파일의 경로 (`str` 또는 `os.PathLike`). 예를 들어
            `benchmarks/vae_training.py --out-dir /tmp/bench`로 시험 삼아 잰 결과
            `/tmp/bench/vae_training.json`. `None`(기본값)이면 패키지에 든 결과를 읽습니다.

    Returns:
        `benchmarks/vae_training.py`가 쓴 그대로의 딕셔너리. 주요 키는 `"command"`,
        `"date_utc"`, `"machine"`, `"images"`, `"batch_size"`, `"repeats"`, `"backends"`,
        `"workers"`, `"times"`(반복마다 잰 초)와 `"summary"`(`"rows"`: 변형마다 중앙값,
        최솟값, 최댓값, 비율, 첫 에포크 손실; `"floor"`: 계산 하한; `"gap"`: `fit()`과
        직접 쓴 루프의 차이를 요인별로 나눈 값; `"best"`: 가장 빠른 설정)입니다.

    Raises:
        TypeError: `path`가 경로가 아닐 때.
        FileNotFoundError: `path`에 파일이 없을 때.
        ValueError: 파일이 JSON이 아니거나 벤치마크 결과(`"summary"`의 `"rows"`)가 아닐 때.

    Example:

    >>> results = load_benchmark_results()
    >>> results["batch_size"]
    64
    >>> sorted({row["backend"] for row in results["summary"]["rows"]})
    ['jax', 'tensorflow', 'torch']
    """
    if path is None:
        resource = importlib.resources.files("companion") / RESULTS_DIRECTORY
        resource = resource / VAE_TRAINING_RESULTS
        where = f"companion/{RESULTS_DIRECTORY}/{VAE_TRAINING_RESULTS}"
        text = resource.read_text(encoding="utf-8")
    else:
        if not isinstance(path, str | os.PathLike):
            raise TypeError(
                f"path는 결과 파일의 경로(str 또는 pathlib.Path)여야 합니다. 받은 값: path={path!r}"
            )
        where = os.fspath(path)
        with open(path, encoding="utf-8") as file:
            text = file.read()
    try:
        results = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"벤치마크 결과 파일이 JSON이 아닙니다: {where} ({error})") from None
    if not isinstance(results, dict) or "rows" not in results.get("summary", {}):
        raise ValueError(
            "benchmarks/vae_training.py가 쓴 결과 파일이 아닙니다 (summary.rows가 없습니다): "
            f"{where}"
        )
    return results


def load_attention_speed_results(path=None):
    """어텐션 속도 벤치마크(`benchmarks/attention_speed.py`, 11장)의 결과를 읽습니다.

    Args:
        path: 다른 결과 파일의 경로 (`str` 또는 `os.PathLike`). `None`(기본값)이면 패키지에 든
            `companion/benchmark_results/attention_speed.json`을 읽습니다.

    Returns:
        스크립트가 쓴 그대로의 딕셔너리. 주요 키는 `"command"`, `"date_utc"`, `"machine"`,
        `"load_average_before"`, `"load_average_after"`, `"batch_size"`, `"model_dim"`,
        `"num_heads"`, `"lengths"`, `"backends"`, `"workers"`(백엔드마다 버전과
        `keras.layers.MultiHeadAttention`과의 최대 차이), `"times"`와 `"summary"`(`"rows"`:
        백엔드·변형·길이마다 호출 한 번의 중앙값, 최솟값, 최댓값, `MultiHeadAttention` 대비
        비율)입니다.

    Raises:
        TypeError: `path`가 경로가 아닐 때.
        FileNotFoundError: `path`에 파일이 없을 때.
        ValueError: 파일이 JSON이 아니거나 이 벤치마크의 결과가 아닐 때.

    Example:

    >>> results = load_attention_speed_results()
    >>> results["lengths"]
    [64, 256]
    """
    if path is None:
        resource = importlib.resources.files("companion") / RESULTS_DIRECTORY
        where = f"companion/{RESULTS_DIRECTORY}/{ATTENTION_SPEED_RESULTS}"
        text = (resource / ATTENTION_SPEED_RESULTS).read_text(encoding="utf-8")
    else:
        if not isinstance(path, str | os.PathLike):
            raise TypeError(
                f"path는 결과 파일의 경로(str 또는 pathlib.Path)여야 합니다. 받은 값: path={path!r}"
            )
        where = os.fspath(path)
        with open(path, encoding="utf-8") as file:
            text = file.read()
    try:
        results = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"벤치마크 결과 파일이 JSON이 아닙니다: {where} ({error})") from None
    rows = results.get("summary", {}).get("rows") if isinstance(results, dict) else None
    if not isinstance(rows, list) or not rows or "ratio_to_keras_mha" not in rows[0]:
        raise ValueError(
            "benchmarks/attention_speed.py가 쓴 결과 파일이 아닙니다 (summary.rows에 "
            f"ratio_to_keras_mha가 없습니다): {where}"
        )
    return results
