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

#: 이 강좌의 GitHub 저장소. 책의 설정(`_config.yml`의 `repository.url`), 각 장의 Colab 배지와
#: 설치 셀, `show_source()`가 보여 주는 소스 링크가 모두 이 값을 따릅니다
#: (`tests/book/test_consistency.py`가 `_config.yml`과 같은지 확인합니다). 설치된 패키지는
#: `_config.yml`을 읽을 수 없으므로 기준은 여기에 둡니다.
REPO_URL = "https://github.com/keras-ko/subclassing-course"

#: 소스 링크가 가리키는 브랜치 (`_config.yml`의 `repository.branch`와 같습니다).
BRANCH = "main"
