"""강좌 전체가 함께 쓰는 설정값: 한 곳에서만 정의합니다."""

#: 노트북과 테스트가 `keras.utils.set_random_seed`에 넘기는 시드.
SEED = 1337

#: 인터넷이 없는 Debian 기계에서 `dataset-fashion-mnist` 패키지가 원본 파일을 두는 곳.
DEBIAN_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"

#: Keras 캐시(`KERAS_HOME`) 아래에서 Fashion-MNIST 로더가 파일을 찾는 하위 폴더.
KERAS_FASHION_MNIST_SUBDIR = "datasets/fashion-mnist"

#: Fashion-MNIST 원본 파일 네 개 (Keras 로더가 찾는 이름 그대로).
FASHION_MNIST_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)
