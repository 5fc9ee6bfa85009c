"""서브클래싱으로 새 층과 모델 만들기 — Keras 3 강좌의 동반 패키지.

책의 각 장이 가르치는 층과 모델의 최종 구현, 데이터 로더, 훈련 루프, 그림 도구,
연습 문제 채점기를 담고 있습니다. 공개된 이름은 모두 이 패키지 최상위에서 가져올 수
있습니다 (`from companion import Linear`). 모든 층과 모델 모듈을 여기서 읽어 들이므로
`import companion`만 하면 `.keras` 파일을 다시 불러올 때 필요한 직렬화 등록도 끝납니다.
"""

import types as _types

# Helpers and settings.
from companion.data import FASHION_MNIST_CLASS_NAMES, load_fashion_mnist, seed_keras_cache
from companion.display import show_source
from companion.exercises import Checker, CheckReport
from companion.settings import SEED

# Layers and models: one line per public name, kept sorted by module.

__version__ = "0.1.0"

__all__ = sorted(
    name
    for name, value in globals().items()
    if not name.startswith("_") and not isinstance(value, _types.ModuleType)
)
