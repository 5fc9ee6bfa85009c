"""VAE의 결과를 그림으로 보는 도구: 재구성, 생성한 이미지, 잠재 공간 지도.

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
