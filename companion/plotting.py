"""VAE의 결과를 그림으로 보는 도구: 재구성, 생성한 이미지, 잠재 공간 지도, 벤치마크 결과.

모든 함수는 `matplotlib.figure.Figure`를 돌려주고 `plt.show()`를 부르지 않습니다.
`pyplot`으로 그림을 만들므로 Jupyter와 Colab에서는 셀이 끝날 때 그림이 저절로
나타나고, 스크립트에서는 `fig.savefig(...)`로 저장합니다.

이 모듈은 읽어 들일 때 matplotlib을 건드리지 않습니다: `pyplot`은 그림 함수가 처음 불릴 때
읽어 들이고, matplotlib의 전역 설정(`rcParams`)은 바꾸지 않습니다. 한글 제목, 축 이름, 범례에는
`koreanize-matplotlib` 패키지에 들어 있는 나눔고딕(NanumGothic) 글꼴을 글자마다 지정하므로,
어느 기계에서나 한글이 깨지지 않고 다른 그림의 글꼴은 그대로입니다.
"""

import functools
import importlib.util
import math
import pathlib

import numpy as np

from companion._validation import check_positive_int, require_module
from companion.data import FASHION_MNIST_CLASS_NAMES

KOREAN_FONT_FAMILY = "NanumGothic"


def _pyplot():
    return require_module("matplotlib.pyplot", "matplotlib", "companion의 그림 함수")


@functools.cache
def use_korean_font():
    """`koreanize-matplotlib`에 들어 있는 나눔고딕 글꼴 파일을 matplotlib에 등록합니다.

    등록만 하고 기본 글꼴(`rcParams`)은 바꾸지 않습니다. 그림 함수는 한글이 들어가는
    글자에만 `korean_font()`의 글꼴을 지정합니다. 처음 한 번만 등록합니다.

    Returns:
        등록한 글꼴 파일 경로의 튜플.

    Raises:
        ModuleNotFoundError: `koreanize-matplotlib` 패키지가 설치되어 있지 않을 때.
    """
    # Only the font files are used: importing koreanize_matplotlib itself runs
    # `from distutils.version import LooseVersion`, and distutils left the standard library
    # in Python 3.12.
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "companion의 그림 함수에는 한글 글꼴을 담은 koreanize-matplotlib 패키지가 "
            "필요합니다. pip install koreanize-matplotlib 로 설치하세요. "
            "없는 모듈: koreanize_matplotlib",
            name="koreanize_matplotlib",
        )
    font_manager = require_module("matplotlib.font_manager", "matplotlib", "한글 글꼴 등록")
    font_dir = pathlib.Path(next(iter(spec.submodule_search_locations))) / "fonts"
    paths = tuple(sorted(str(path) for path in font_dir.glob("NanumGothic*.ttf")))
    for path in paths:
        font_manager.fontManager.addfont(path)
    return paths


def korean_font(size=None):
    """한글을 쓸 글자에 넘길 나눔고딕 `FontProperties`를 돌려줍니다 (처음이면 글꼴 등록).

    Args:
        size: 글자 크기(포인트) 또는 `None`(그 글자의 기본 크기).

    Returns:
        `matplotlib.font_manager.FontProperties`.
    """
    use_korean_font()
    font_manager = require_module("matplotlib.font_manager", "matplotlib", "한글 글꼴")
    return font_manager.FontProperties(family=KOREAN_FONT_FAMILY, size=size)


def plot_reconstructions(
    originals, reconstructions, n=10, title="원본(위)과 VAE가 재구성한 이미지(아래)"
):
    """원본 이미지와 재구성한 이미지를 위아래 두 줄로 나란히 그립니다.

    Args:
        originals: 원본 이미지 배열. `(개수, 784)`처럼 펼친 모양, `(개수, 28, 28)`,
            `(개수, 28, 28, 1)` 중 하나 (펼친 길이는 제곱수여야 합니다).
        reconstructions: `originals`와 모양이 같은 재구성 배열.
        n: 앞에서부터 몇 장을 그릴지 (양의 정수, 이미지 수 이하).
        title: 그림 제목.

    Returns:
        축(axes)이 `2 × n`개인 `matplotlib.figure.Figure`.

    Raises:
        ValueError: 배열의 모양이 이미지가 아니거나 서로 다를 때, `n`이 올바르지 않을 때.
    """
    originals = _as_images(originals, "originals")
    reconstructions = _as_images(reconstructions, "reconstructions")
    if originals.shape != reconstructions.shape:
        raise ValueError(
            "originals와 reconstructions는 모양이 같아야 합니다. 받은 모양: "
            f"originals={originals.shape}, reconstructions={reconstructions.shape}"
        )
    n = _check_count("n", n, len(originals))
    fig, axes = _pyplot().subplots(2, n, figsize=(1.2 * n, 3.0), squeeze=False)
    for column in range(n):
        _show_image(axes[0, column], originals[column])
        _show_image(axes[1, column], reconstructions[column])
    axes[0, 0].set_ylabel("원본", fontproperties=korean_font())
    axes[1, 0].set_ylabel("재구성", fontproperties=korean_font())
    fig.suptitle(title, fontproperties=korean_font(size="large"))
    return fig


def plot_generated(images, ncols=8, title="무작위 잠재 벡터에서 만든 이미지"):
    """이미지들을 격자로 그립니다 (예: 디코더가 무작위 잠재 벡터에서 만든 이미지).

    Args:
        images: 이미지 배열. `(개수, 784)`, `(개수, 28, 28)`, `(개수, 28, 28, 1)` 중 하나.
        ncols: 한 줄에 놓을 이미지 수 (양의 정수). 이미지 수보다 크면 이미지 수로 줄입니다.
        title: 그림 제목.

    Returns:
        `ceil(개수 / ncols) × ncols`개의 축을 가진 `Figure`. 이미지가 없는 남는 칸의
        축은 보이지 않게 꺼 둡니다.

    Raises:
        ValueError: 배열의 모양이 이미지가 아니거나 비어 있을 때, `ncols`가 양의
            정수가 아닐 때.
    """
    images = _as_images(images, "images")
    ncols = check_positive_int("ncols", ncols)
    count = len(images)
    ncols = min(ncols, count)
    nrows = math.ceil(count / ncols)
    fig, axes = _pyplot().subplots(
        nrows, ncols, figsize=(1.2 * ncols, 1.2 * nrows + 0.6), squeeze=False
    )
    for index, ax in enumerate(axes.flat):
        if index < count:
            _show_image(ax, images[index])
        else:
            ax.set_axis_off()
    fig.suptitle(title, fontproperties=korean_font(size="large"))
    return fig


def plot_latent_space(z, labels, class_names=FASHION_MNIST_CLASS_NAMES, title="잠재 공간 지도"):
    """잠재 벡터를 클래스별 색으로 2차원 산점도에 찍습니다.

    잠재 공간이 2차원이면 그대로 찍습니다. 2차원보다 크면 주성분 분석(PCA, NumPy의
    특잇값 분해로 계산)으로 분산이 가장 큰 두 방향에 투영하고, 축 이름에 그렇다고
    적습니다.

    Args:
        z: `(개수, latent_dim)` 모양의 잠재 벡터 (보통 인코더의 `z_mean`). `latent_dim >= 2`.
        labels: 길이가 `개수`인 정수 레이블 (`0`부터 `len(class_names) - 1`까지).
        class_names: 레이블 순서대로 범례에 쓸 클래스 이름.
        title: 그림 제목.

    Returns:
        축 하나짜리 `Figure` (범례는 축 오른쪽 바깥에 있습니다).

    Raises:
        ValueError: `z`가 2차원 배열이 아니거나 `latent_dim < 2`일 때, `labels`의
            길이나 값이 맞지 않을 때, `class_names`가 비어 있을 때.
    """
    z = np.asarray(z, dtype="float64")
    if z.ndim != 2 or z.shape[1] < 2 or len(z) == 0:
        raise ValueError(
            "z는 (개수, latent_dim) 모양이고 latent_dim이 2 이상이어야 합니다. "
            f"받은 모양: z.shape={z.shape}"
        )
    labels = np.asarray(labels)
    if labels.shape != (len(z),):
        raise ValueError(
            "labels는 z의 행 수와 길이가 같은 1차원 배열이어야 합니다. "
            f"받은 모양: labels.shape={labels.shape}, z.shape={z.shape}"
        )
    class_names = tuple(class_names)
    if not class_names:
        raise ValueError("class_names가 비어 있습니다. 받은 값: class_names=()")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels는 정수 레이블이어야 합니다. 받은 값: labels.dtype={labels.dtype}")
    if labels.min() < 0 or labels.max() >= len(class_names):
        raise ValueError(
            f"labels의 값은 0 이상 {len(class_names)} 미만이어야 합니다 (class_names가 "
            f"{len(class_names)}개). 받은 값: 최솟값={labels.min()}, 최댓값={labels.max()}"
        )

    if z.shape[1] == 2:
        points = z
        xlabel, ylabel = "z[0]", "z[1]"
    else:
        points = _pca_2d(z)
        # NanumGothic has no arrow glyph, so the label says it in words.
        suffix = f"({z.shape[1]}차원에서 PCA로 투영)"
        xlabel, ylabel = f"주성분 1 {suffix}", f"주성분 2 {suffix}"

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.0, 5.0))
    colors = plt.get_cmap("tab10" if len(class_names) <= 10 else "tab20")
    for index, name in enumerate(class_names):
        chosen = labels == index
        ax.scatter(
            points[chosen, 0],
            points[chosen, 1],
            s=3,
            alpha=0.6,
            color=colors(index % colors.N),
            label=name,
        )
    ax.set_xlabel(xlabel, fontproperties=korean_font())
    ax.set_ylabel(ylabel, fontproperties=korean_font())
    ax.set_title(title, fontproperties=korean_font(size="large"))
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        markerscale=4,
        frameon=False,
        prop=korean_font(),
    )
    fig.tight_layout()
    return fig


#: 벤치마크 그림에서 백엔드마다 쓰는 이름과 색.
BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
_BACKEND_COLORS = {"tensorflow": "tab:orange", "jax": "tab:blue", "torch": "tab:red"}


def plot_benchmark_results(results, title=None):
    """벤치마크 결과를 변형마다 한 줄, 백엔드마다 한 색의 점과 최소–최대 선으로 그립니다.

    점은 반복해 잰 에포크당 시간의 중앙값이고, 점을 지나는 가로선의 양 끝이 최솟값과
    최댓값입니다. 한 줄에 한 변형(10장의 표와 같은 이름)을 놓고, 그 변형을 잰 백엔드마다
    점을 위아래로 조금씩 비켜 찍으므로 같은 설정을 백엔드끼리 바로 견줄 수 있습니다.
    시간이 0.3초에서 20초 넘게까지 퍼져 있어 가로축은 로그 눈금이고, 점선은 계산
    하한입니다. 어떤 백엔드가 거절해 재지 못한 변형은 그 자리에 "잴 수 없음"이라고 적습니다.

    Args:
        results: `companion.load_benchmark_results()`가 돌려주는 딕셔너리
            (`benchmarks/vae_training.py`가 쓴 JSON).
        title: 그림 제목. `None`이면 이미지 수와 배치 크기를 담은 제목을 씁니다.

    Returns:
        축 하나짜리 `matplotlib.figure.Figure`. 범례에는 백엔드마다 한 항목과 계산 하한이
        있습니다.

    Raises:
        ValueError: `results`가 벤치마크 결과가 아니거나 잰 변형이 하나도 없을 때.
    """
    summary = results.get("summary") if isinstance(results, dict) else None
    rows = summary.get("rows") if isinstance(summary, dict) else None
    if not rows:
        raise ValueError(
            "results는 benchmarks/vae_training.py의 결과(summary.rows가 있는 딕셔너리)여야 "
            f"합니다. 받은 값의 자료형: {type(results).__name__}"
        )
    timed = [row for row in rows if "seconds_per_epoch" in row]
    if not timed:
        raise ValueError(
            "results에 잰 변형이 하나도 없습니다 (모든 줄에 seconds_per_epoch가 없음)."
        )

    labels = list(dict.fromkeys(row["label"] for row in rows))
    position = {label: index for index, label in enumerate(labels)}
    backends = list(dict.fromkeys([*results.get("backends", []), *(r["backend"] for r in rows)]))
    step = 0.7 / max(len(backends), 1)
    offset = {b: (k - (len(backends) - 1) / 2) * step for k, b in enumerate(backends)}

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(10.0, 0.42 * len(labels) + 1.6))
    for backend in backends:
        mine = [row for row in timed if row["backend"] == backend]
        if not mine:
            continue
        medians = np.array([row["seconds_per_epoch"] for row in mine])
        lows = np.array([row["min"] for row in mine])
        highs = np.array([row["max"] for row in mine])
        ax.errorbar(
            medians,
            [position[row["label"]] + offset[backend] for row in mine],
            xerr=[medians - lows, highs - medians],
            fmt="o",
            markersize=5,
            capsize=2,
            linewidth=1.2,
            color=_BACKEND_COLORS.get(backend),
            label=BACKEND_NAMES.get(backend, backend),
        )
    # Rows a backend refused (an error instead of timings), written where their dot would be.
    text_x = ax.get_yaxis_transform()  # x in axes fractions, y in data
    for row in rows:
        if "seconds_per_epoch" not in row:
            ax.text(
                0.01,
                position[row["label"]] + offset.get(row["backend"], 0.0),
                f"{BACKEND_NAMES.get(row['backend'], row['backend'])}: 잴 수 없음",
                transform=text_x,
                va="center",
                color=_BACKEND_COLORS.get(row["backend"], "black"),
                fontproperties=korean_font(size="small"),
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
                zorder=3,
            )
    floor = (summary.get("floor") or {}).get("seconds_per_epoch")
    if floor:
        ax.axvline(floor, color="black", linestyle="--", linewidth=1, label="계산 하한 (행렬 곱만)")

    ax.set_xscale("log")
    low = min([row["min"] for row in timed] + ([floor] if floor else []))
    high = max(row["max"] for row in timed)
    ax.set_xlim(low / 1.6, high * 1.4)
    ticks = [m * 10.0**e for e in range(-3, 4) for m in (1, 2, 5)]
    ax.set_xticks([t for t in ticks if low / 1.6 <= t <= high * 1.4])
    ax.xaxis.set_major_formatter(_plain_number_formatter())
    ax.xaxis.set_minor_formatter(_plain_number_formatter(blank=True))
    ax.set_yticks(range(len(labels)), labels, fontproperties=korean_font(size="small"))
    ax.set_ylim(len(labels) - 0.5, -0.5)  # the table's first row on top
    ax.grid(axis="x", which="major", linewidth=0.5, alpha=0.5)
    for boundary in range(1, len(labels)):  # which dots belong to which row
        ax.axhline(boundary - 0.5, color="0.9", linewidth=0.6, zorder=0)
    ax.set_xlabel(
        "에포크당 초 (점: 중앙값, 가로선: 최솟값–최댓값, 로그 눈금)", fontproperties=korean_font()
    )
    if title is None:
        title = (
            f"VAE 한 에포크 훈련 시간: Fashion-MNIST {results.get('images', 0):,}장, "
            f"배치 {results.get('batch_size', '?')}"
        )
    ax.set_title(title, fontproperties=korean_font(size="large"))
    handles, names = ax.get_legend_handles_labels()
    order = sorted(range(len(names)), key=lambda i: names[i] not in BACKEND_NAMES.values())
    ax.legend(
        [handles[i] for i in order],
        [names[i] for i in order],
        loc="lower right",
        prop=korean_font(),
    )
    fig.tight_layout()
    return fig


def _plain_number_formatter(blank=False):
    ticker = require_module("matplotlib.ticker", "matplotlib", "그림의 눈금")
    return ticker.FuncFormatter(lambda value, _: "" if blank else f"{value:g}")


def _pca_2d(z):
    """`z`를 분산이 가장 큰 두 주성분 방향에 투영합니다."""
    centered = z - z.mean(axis=0)
    _, _, vt = np.linalg.svd(centered, full_matrices=False)
    components = vt[:2]
    # An SVD fixes each direction only up to sign; pin it so the picture is reproducible.
    signs = np.sign(components[np.arange(2), np.argmax(np.abs(components), axis=1)])
    return centered @ (components * signs[:, None]).T


def _as_images(array, argument):
    """이미지 배열을 `(개수, 높이, 너비)` 모양의 NumPy 배열로 바꿉니다."""
    images = np.asarray(array)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    elif images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1] or side == 0:
            raise ValueError(
                f"{argument}의 펼친 길이는 제곱수여야 합니다 (예: 784 = 28×28). "
                f"받은 모양: {argument}.shape={images.shape}"
            )
        images = images.reshape(-1, side, side)
    if images.ndim != 3:
        raise ValueError(
            f"{argument}는 (개수, 784), (개수, 28, 28), (개수, 28, 28, 1) 같은 이미지 "
            f"배열이어야 합니다. 받은 모양: {argument}.shape={images.shape}"
        )
    if len(images) == 0:
        raise ValueError(
            f"{argument}에 이미지가 없습니다. 받은 모양: {argument}.shape={images.shape}"
        )
    return images


def _check_count(name, value, available):
    value = check_positive_int(name, value)
    if value > available:
        raise ValueError(
            f"{name}은 이미지 수({available}) 이하여야 합니다. 받은 값: {name}={value!r}"
        )
    return value


def _show_image(ax, image):
    ax.imshow(image, cmap="gray", vmin=0.0, vmax=1.0)
    ax.set_xticks([])
    ax.set_yticks([])
