"""Fashion-MNIST를 Keras의 로더로 읽어 각 장이 쓰는 모양으로 바꿉니다."""

import os
import shutil
import tempfile

import numpy as np

from companion._validation import check_choice
from companion.settings import (
    DEBIAN_FASHION_MNIST_DIR,
    FASHION_MNIST_FILES,
    KERAS_FASHION_MNIST_SUBDIR,
)

#: Fashion-MNIST의 열 가지 클래스 이름 (레이블 0–9 순서).
FASHION_MNIST_CLASS_NAMES = (
    "티셔츠/상의",
    "바지",
    "풀오버",
    "드레스",
    "코트",
    "샌들",
    "셔츠",
    "스니커즈",
    "가방",
    "앵클부츠",
)

_LAYOUTS = ("flat", "image")


def _keras_home():
    """Keras가 캐시로 쓰는 폴더 (`keras.utils.get_file()`과 같은 규칙).

    `KERAS_HOME` 환경 변수가 있으면 그 폴더, 없으면 `~/.keras`(홈 폴더에 쓸 수 없으면
    `/tmp/.keras`)입니다. Keras의 비공개 모듈(`keras.src...`)을 읽지 않고, Keras 문서에 적힌
    이 규칙을 그대로 따릅니다.
    """
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    base = os.path.expanduser("~")
    if not os.access(base, os.W_OK):
        base = "/tmp"
    return os.path.join(base, ".keras")


def _keras_cache_dir():
    """`keras.utils.get_file()`이 실제로 쓰는 캐시 폴더를 같은 규칙으로 정합니다."""
    # get_file() expands `~` and, when the Keras home is not writable, falls back to
    # /tmp/.keras; copying anywhere else would leave the loader downloading anyway.
    home = os.path.expanduser(_keras_home())
    if not os.access(home, os.W_OK):
        home = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    return home


def seed_keras_cache(source_dir=DEBIAN_FASHION_MNIST_DIR):
    """인터넷이 없는 기계에서 Keras 캐시에 Fashion-MNIST 원본 파일을 넣어 둡니다.

    Debian의 `dataset-fashion-mnist` 패키지는 Keras가 내려받는 것과 같은 원본 `.gz`
    파일 네 개를 `source_dir`에 설치합니다. 그 파일들을 Keras 캐시
    (`$KERAS_HOME/datasets/fashion-mnist/`)에 복사해 두면
    `keras.datasets.fashion_mnist.load_data()`가 내려받지 않고 그대로 읽습니다.
    인터넷이 있는 곳(Colab, 노트북 PC)에서는 필요 없으며, 원본 폴더가 없으면
    아무 일도 하지 않습니다.

    Args:
        source_dir: 원본 `.gz` 파일이 있는 폴더.

    Returns:
        캐시에 새로 복사한 파일 이름의 리스트 (이미 있으면 빈 리스트).
    """
    if not isinstance(source_dir, (str, os.PathLike)):
        raise TypeError(f"source_dir는 경로여야 합니다. 받은 값: {source_dir!r}")
    if not os.path.isdir(source_dir):
        return []
    target_dir = os.path.join(_keras_cache_dir(), KERAS_FASHION_MNIST_SUBDIR)
    copied = []
    for name in FASHION_MNIST_FILES:
        source = os.path.join(source_dir, name)
        target = os.path.join(target_dir, name)
        if os.path.exists(target) or not os.path.exists(source):
            continue
        os.makedirs(target_dir, exist_ok=True)
        # Copy under a temporary name first: an interrupted copy must not leave a truncated
        # file that the loader would later find and fail to decompress.
        partial = f"{target}.part"
        shutil.copyfile(source, partial)
        os.replace(partial, target)
        copied.append(name)
    return copied


def load_fashion_mnist(layout="flat", dtype="float32"):
    """Fashion-MNIST를 `keras.datasets.fashion_mnist.load_data()`로 읽어 정규화합니다.

    훈련 이미지 60,000장과 테스트 이미지 10,000장(28×28 흑백)을 픽셀 값 0–1의
    실수로 바꿉니다. 레이블은 0–9의 정수(`uint8`)입니다.

    Args:
        layout: `"flat"`이면 이미지를 길이 784의 벡터로(VAE용),
            `"image"`이면 `(28, 28, 1)` 모양으로(합성곱 신경망용) 돌려줍니다.
        dtype: 이미지 배열의 부동소수점 자료형.

    Returns:
        `(x_train, y_train), (x_test, y_test)` 튜플.

    Raises:
        ValueError: `layout`이나 `dtype`이 올바르지 않을 때.
    """
    check_choice("layout", layout, _LAYOUTS)
    if dtype is None:
        # np.dtype(None) is float64: refuse it rather than silently doubling the memory.
        raise ValueError("dtype을 정해 주세요 (예: 'float32'). 받은 값: dtype=None")
    try:
        np_dtype = np.dtype(dtype)
    except TypeError as error:
        raise ValueError(f"dtype을 알 수 없습니다. 받은 값: dtype={dtype!r}") from error
    if not np.issubdtype(np_dtype, np.floating):
        raise ValueError(f"dtype은 부동소수점이어야 합니다. 받은 값: dtype={dtype!r}")

    import keras

    seed_keras_cache()
    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    shape = (-1, 28 * 28) if layout == "flat" else (-1, 28, 28, 1)
    x_train = (x_train.reshape(shape) / 255.0).astype(np_dtype)
    x_test = (x_test.reshape(shape) / 255.0).astype(np_dtype)
    return (x_train, y_train), (x_test, y_test)
