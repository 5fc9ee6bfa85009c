"""5장 연습 문제 채점기: `call()`의 `training` 인자와 마스크.

Both exercises are graded by the probe battery (`probes.py`) against the model answers in
`reference/chapter05.py`. `TrainingNoise` is a random layer: its noise is compared with the
reference's by a Kolmogorov–Smirnov test per feature and on differences of neighbouring features
and samples (shared noise), and the way it draws (anew on every call, also compiled; same seed →
same noise; unseeded layers differ and follow `keras.utils.set_random_seed`; `fit()` draws,
`predict()`/`evaluate()` do not) is compared with the reference's. `MaskedMax` is fed masks.

연습 5-1 `TrainingNoise` (`check_training_noise`), 요구 사항 → 확인:

- `TrainingNoise(stddev, seed=None, **kwargs)` → `construct`, `name`.
- `training=True`면 평균 0, 표준편차 `stddev`인 정규분포 잡음, 원소마다 따로, 차원 수는 자유 →
  `distribution` (2만 행, 3차원 입력, `stddev=0.8`).
- `training=False`이거나 주지 않으면 입력 그대로 → `output`/`training`/`batch` (2·3차원 입력).
- `SeedGenerator(seed)`로 `keras.random.normal`에서 → `fresh` (즉시 실행과 컴파일된 함수),
  `seed`, `unseeded`.
- 모델 안에서 `fit()`은 잡음, `predict()`·`evaluate()`는 입력 그대로 → `loops`.

연습 5-2 `MaskedMax` (`check_masked_max`), 요구 사항 → 확인:

- `MaskedMax(**kwargs)` → `construct`, `name`.
- 시간 축(축 1)을 따라 특성별 최댓값, `(batch_size, features)`, 특성 수·배치 크기 자유 →
  `output`/`batch`/`symbolic` (특성 3개·배치 2, 특성 5개·배치 4).
- 샘플마다 자기 마스크, 값이 모두 음수인 샘플, 마스크가 없으면 모든 단계 → 행마다 다른 마스크,
  음수뿐인 행, 가려진 자리의 큰 값, 마스크 없는 호출.
- 모든 단계가 가려진 샘플은 0 → 한 행이 통째로 가려진 입력.
- 마스크 소비 → `compute_mask()`가 `None` (모범 답안과 같이).
- `Embedding(mask_zero=True)` 뒤에서 경고 없이, 컴파일된 함수 안에서도 → 패딩을 덧붙인 입력과
  함수형 모델의 출력을 모범 답안의 것과 비교, Keras 경고, `compiled` (마스크와 함께).
"""

import warnings

import keras
import numpy as np

from companion.exercises.checker import (
    Checker,
    exercise,
    quiet_tensorflow_logs,
    require_class,
    short_array,
)
from companion.exercises.probes import Case, Feed, LayerSpec, grade_layer
from companion.exercises.reference import chapter05 as reference
from companion.settings import SEED

_RNG = np.random.default_rng(SEED)

TRAINING_NOISE = LayerSpec(
    name="TrainingNoise",
    reference=reference.TrainingNoise,
    cases=[
        Case(
            args=(0.8,),
            kwargs={"seed": 3, "name": "noise"},
            label='TrainingNoise(0.8, seed=3, name="noise")',
            feeds=[
                Feed(_RNG.normal(size=(3, 4)).astype("float32")),
                Feed(_RNG.normal(size=(5, 2, 3)).astype("float32")),
            ],
        ),
    ],
    random=True,
    seed_argument="seed",
    distribution_feed=Feed(np.full((4000, 3, 5), 1.5, dtype="float32")),
    requirements={
        "construct": "요구 사항: TrainingNoise(stddev, seed=None, **kwargs)로 만듭니다.",
        "name": "요구 사항: name= 같은 키워드 인자는 기반 클래스에 넘깁니다.",
        "weights": "요구 사항: 잡음 층에는 가중치가 없습니다 (SeedGenerator의 상태만).",
        "output": (
            "요구 사항: training=False이거나 training을 주지 않으면 입력을 그대로 돌려줍니다."
        ),
        "training": (
            "요구 사항: training=False이거나 training을 주지 않으면 입력을 그대로 돌려줍니다 "
            "(call(self, inputs, training=False))."
        ),
        "batch": "요구 사항: 입력의 차원 수와 배치 크기는 정해져 있지 않습니다.",
        "symbolic": "요구 사항: 출력 모양은 입력 모양과 같습니다.",
        "compiled": "요구 사항: 컴파일된 함수 안에서도 동작해야 합니다.",
        "distribution": (
            "요구 사항: training=True로 호출하면 입력에 평균 0, 표준편차 stddev인 정규분포 잡음을 "
            "더합니다. 잡음은 입력과 같은 모양으로, 원소마다 따로 뽑습니다 "
            "(keras.random.normal(ops.shape(inputs), stddev=self.stddev, ...))."
        ),
        "fresh": (
            "요구 사항: 잡음은 __init__()에서 만든 keras.random.SeedGenerator(seed)로 "
            "keras.random.normal에서 뽑습니다. 그래서 컴파일된 함수 안에서도 호출할 때마다 잡음이 "
            "바뀝니다 (NumPy나 정수 시드로 뽑은 잡음은 그래프에 상수로 굳습니다)."
        ),
        "seed": "요구 사항: 같은 seed로 만든 두 층은 같은 잡음을, 다른 seed는 다른 잡음을 냅니다.",
        "unseeded": (
            "요구 사항: seed=None이면 SeedGenerator(None)에 맡깁니다: 두 층이 서로 다른 잡음을 "
            "내고 "
            "keras.utils.set_random_seed()를 따릅니다 (seed 없이 0 같은 고정값을 쓰지 마세요)."
        ),
        "loops": (
            "요구 사항: 모델 안에 넣으면 fit()에서는 잡음이 더해지고 predict()와 evaluate()에서는 "
            "더해지지 않습니다."
        ),
    },
)


@quiet_tensorflow_logs
@exercise("연습 5-1 TrainingNoise 층", "TrainingNoise")
def check_training_noise(layer_class):
    """연습 5-1: 훈련할 때만 가우스 잡음을 더하는 `TrainingNoise` 층을 채점합니다.

    모범 답안(`reference.TrainingNoise`)과 비교합니다: `training`을 주지 않거나 `False`일 때의
    출력(입력 그대로), `training=True`일 때 잡음의 분포(특성마다와 이웃한 특성·샘플의 차이를
    콜모고로프–스미르노프 검정으로), 새로 뽑기(컴파일된 함수 안에서도), `seed`와 전역 시드, 모델
    안에서 `fit()`/`predict()`/`evaluate()`. 요구 사항과 확인의 대응은 모듈 설명에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_training_noise(TrainingNoise)  # doctest: +SKIP
    ✅ 연습 5-1 TrainingNoise 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 5-1 TrainingNoise 층")
    with checker:
        grade_layer(checker, layer_class, TRAINING_NOISE)
    return checker.report()


def _masked_example(batch, features, seed):
    """행마다 유효 길이가 다르고, 첫 행은 음수뿐이며, 가려진 단계에는 큰 값이 있는 입력."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, 5, features)).astype("float32")
    x[0] = -np.abs(x[0]) - 0.5
    lengths = [2, 5, 3, 1][:batch] + [4] * max(0, batch - 4)
    mask = np.arange(5)[None, :] < np.array(lengths)[:, None]
    x = np.where(mask[..., None], x, 9.0).astype("float32")
    return x, mask


def _masked_feeds():
    x2, mask2 = _masked_example(2, 3, 1)
    x4, mask4 = _masked_example(4, 5, 2)
    x3, mask3 = _masked_example(3, 2, 3)
    mask3[1] = False  # 한 행이 통째로 가려진 입력: MaskedAverage처럼 0입니다.
    return [
        Feed(x2),
        Feed(x2, {"mask": mask2}),
        Feed(x4, {"mask": mask4}),
        Feed(x4),
        Feed(x3, {"mask": mask3}),
    ]


MASKED_MAX = LayerSpec(
    name="MaskedMax",
    reference=reference.MaskedMax,
    cases=[Case(feeds=_masked_feeds())],
    requirements={
        "construct": "요구 사항: MaskedMax(**kwargs)로 만듭니다.",
        "name": "요구 사항: name= 같은 키워드 인자는 기반 클래스에 넘깁니다.",
        "output": (
            "요구 사항: 시간 축(축 1)을 따라 특성별 최댓값 (batch_size, features)를 돌려줍니다. "
            "마스크가 주어지면 샘플마다 자기 마스크가 가린 단계를 무시하고 (값이 모두 음수인 "
            "샘플도, "
            "가려진 단계를 0으로 채우면 틀립니다), 마스크가 없으면 모든 단계의 최댓값, 모든 단계가 "
            "가려진 샘플은 MaskedAverage처럼 0입니다 (-inf가 아니라)."
        ),
        "batch": "요구 사항: 특성 수와 배치 크기는 정해져 있지 않습니다.",
        "symbolic": "요구 사항: 출력 모양은 (batch_size, features)입니다 (배치 크기 None 포함).",
        "compiled": "요구 사항: 컴파일된 함수 안에서도 (마스크와 함께) 동작해야 합니다.",
    },
)

_MASK_REQUIREMENT = "요구 사항: 시간 축이 사라지므로 마스크를 소비합니다 (compute_mask()가 None)."
_EMBEDDING_REQUIREMENT = (
    "요구 사항: Embedding(mask_zero=True) 뒤에 두면 Keras가 마스크를 넘겨 주고, 경고가 나지 "
    "않아야 합니다 (call()의 마스크 인자 이름은 mask, __init__에서 self.supports_masking = True)."
)


@quiet_tensorflow_logs
@exercise("연습 5-2 MaskedMax 층", "MaskedMax")
def check_masked_max(layer_class):
    """연습 5-2: 마스크가 가리지 않은 시간 단계에서만 최댓값을 고르는 `MaskedMax` 층을 채점합니다.

    모범 답안(`reference.MaskedMax`)과 같은 입력과 마스크(행마다 다른 마스크, 음수뿐인 행, 통째로
    가려진 행, 마스크 없음)로 출력을 비교하고, 컴파일된 함수 안에서 마스크와 함께, `compute_mask()`,
    `Embedding(mask_zero=True)` 뒤의 출력(패딩을 덧붙인 입력, 함수형 모델)과 Keras의 경고를
    확인합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_masked_max(MaskedMax)  # doctest: +SKIP
    ✅ 연습 5-2 MaskedMax 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 5-2 MaskedMax 층")
    # Keras의 경고는 보고서의 한 문장으로 바꾸므로 화면에는 내보내지 않습니다.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with checker:
            grade_layer(checker, layer_class, MASKED_MAX)
            if checker.failures:
                return checker.report()
            x, mask = _masked_example(2, 3, 1)
            output_mask = checker.call("compute_mask() 호출", layer_class().compute_mask, x, mask)
            checker.expect(
                output_mask is None,
                "compute_mask()가 None을 돌려줘야 하는데 마스크를 돌려줬습니다.\n    → "
                f"{_MASK_REQUIREMENT}",
            )
            expected = _after_embedding(reference.MaskedMax)
            received = checker.call(
                "Embedding(mask_zero=True) 뒤에서 호출", _after_embedding, layer_class
            )
            labels = ("패딩 없는 입력", "패딩(0)을 덧붙인 입력", "Embedding 뒤의 함수형 모델")
            for label, e, r in zip(labels, expected, received, strict=True):
                if not checker.expect(
                    np.shape(e) == np.shape(r) and np.allclose(e, r, atol=1e-6),
                    f"Embedding(mask_zero=True) 뒤에서 {label}의 출력이 {short_array(e)}이어야 "
                    f"하는데 {short_array(r)}입니다.\n    → {_EMBEDDING_REQUIREMENT}",
                ):
                    break
    warned = any("does not support masking" in str(w.message) for w in caught)
    checker.expect(
        not warned,
        "Keras가 '이 층은 마스크를 지원하지 않는다'고 경고했습니다 (__init__에서 "
        f"self.supports_masking = True로 두세요).\n    → {_EMBEDDING_REQUIREMENT}",
    )
    return checker.report()


def _after_embedding(layer_class):
    embedding = keras.layers.Embedding(
        10,
        3,
        mask_zero=True,
        embeddings_initializer=keras.initializers.RandomNormal(seed=SEED),
    )
    layer = layer_class()
    short = _call(layer, embedding(np.array([[3, 1, 4]])))
    padded = _call(layer, embedding(np.array([[3, 1, 4, 0, 0]])))
    inputs = keras.Input((None,), dtype="int32")
    model = keras.Model(inputs, layer_class()(embedding(inputs)))
    # predict() 대신 직접 호출합니다: 길이가 다른 입력마다 그래프를 다시 추적하지 않습니다.
    model_output = keras.ops.convert_to_numpy(model(np.array([[3, 1, 4, 0, 0, 0]])))
    return short, padded, model_output


def _call(layer, x, **kwargs):
    return keras.ops.convert_to_numpy(layer(x, **kwargs))
