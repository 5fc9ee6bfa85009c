"""패키지 전체가 함께 쓰는 인자·입력 검사 (패키지 내부용).

층, 모델, 데이터 로더, 훈련 루프, 그림·표시 도구가 모두 이 모듈의 함수로 인자를 확인하므로,
같은 종류의 잘못에는 어디서나 같은 모양의 오류가 납니다: 인자 이름과 받은 값을 밝히는
한국어 `ValueError`(종류가 아예 틀리면 `TypeError`). 입력 텐서의 차원 수와 마지막 차원은
가능한 곳에서 Keras의 `InputSpec`이 확인하고, 여기의 함수는 `InputSpec`이 말할 수 없는 것
(빈 차원, 자료형, 두 입력의 모양이 맞는지)만 맡습니다.

정수 인자는 파이썬 `int`뿐 아니라 NumPy 정수(`np.int64(4)`, `np.prod((28, 28))`)도 받고,
받은 값을 파이썬 `int`로 바꿔 돌려줍니다 (그래서 `get_config()`가 JSON으로 저장됩니다).
`True`는 `int`의 하위 클래스라 1로 통과하지 않도록 따로 막습니다.
"""

import importlib
import math
import numbers

import numpy as np


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


def is_int(value):
    """`value`가 (불리언이 아닌) 정수이면 `True`. NumPy 정수도 정수입니다."""
    return isinstance(value, numbers.Integral) and not _is_bool(value)


def is_positive_int(value):
    """`value`가 양의 정수이면 `True`."""
    return is_int(value) and value > 0


def check_positive_int(name, value):
    """양의 정수인지 확인하고 파이썬 `int`로 돌려줍니다.

    Raises:
        ValueError: 양의 정수가 아닐 때. 메시지에 `name=value`가 들어갑니다.
    """
    if not is_positive_int(value):
        raise ValueError(f"{name}는 양의 정수여야 합니다. 받은 값: {name}={value!r}")
    return int(value)


def check_positive_int_sequence(name, value, example="(32, 32, 1)"):
    """양의 정수로 된 비어 있지 않은 시퀀스인지 확인하고 `int` 튜플로 돌려줍니다."""
    message = (
        f"{name}는 양의 정수로 된 비어 있지 않은 시퀀스여야 합니다 (예: {example}). "
        f"받은 값: {name}={value!r}"
    )
    if isinstance(value, (str, bytes, dict, set, frozenset)) or not hasattr(value, "__iter__"):
        raise ValueError(message)
    items = tuple(value)
    if not items or not all(is_positive_int(item) for item in items):
        raise ValueError(message)
    return tuple(int(item) for item in items)


def check_real(name, value, minimum=0.0, maximum=None, include_maximum=True):
    """유한한 실수이고 `minimum` 이상(`maximum`이 있으면 그 이하/미만)인지 확인합니다.

    NumPy 실수와 정수도 받으며, 파이썬 `float`로 돌려줍니다.
    """
    valid = (
        isinstance(value, numbers.Real)
        and not _is_bool(value)
        and math.isfinite(value)
        and value >= minimum
    )
    if valid and maximum is not None:
        valid = value <= maximum if include_maximum else value < maximum
    if not valid:
        if maximum is None:
            expected = f"{minimum:g} 이상의 유한한 수"
        else:
            upper = "이하" if include_maximum else "미만"
            expected = f"{minimum:g} 이상 {maximum:g} {upper}의 실수"
        raise ValueError(f"{name}는 {expected}여야 합니다. 받은 값: {name}={value!r}")
    return float(value)


def check_seed(value, name="seed"):
    """난수 시드가 정수이거나 `None`인지 확인하고 (`int` 또는 `None`으로) 돌려줍니다."""
    if value is None:
        return None
    if not is_int(value):
        raise ValueError(f"{name}는 정수이거나 None이어야 합니다. 받은 값: {name}={value!r}")
    return int(value)


def check_choice(name, value, choices):
    """`value`가 `choices` 중 하나인지 확인합니다."""
    if value not in choices:
        raise ValueError(f"{name}은 {choices} 중 하나여야 합니다. 받은 값: {name}={value!r}")
    return value


def static_shape(value):
    """텐서(또는 모양)의 정적 모양을 정수 튜플로 돌려줍니다.

    모르는 차원(None, 또는 JAX가 출력 모양을 추론할 때 쓰는 기호 차원)은 None으로 둡니다.
    """
    shape = getattr(value, "shape", value)
    return tuple(int(d) if isinstance(d, numbers.Integral) else None for d in shape)


def shapes_compatible(a, b):
    """두 정적 모양이 같은지 봅니다. 모르는 차원(None)은 어떤 크기와도 맞습니다."""
    return len(a) == len(b) and all(
        x is None or y is None or x == y for x, y in zip(a, b, strict=True)
    )


def check_input_shape(shape, owner, expected, ndim=None, min_ndim=None):
    """입력 모양의 차원 수와, 가중치를 만드는 데 필요한 마지막 차원을 확인합니다.

    층의 `build()`가 부릅니다. 그 뒤로는 층이 `InputSpec`을 정해 두어 Keras가 호출마다
    차원 수와 마지막 차원을 확인합니다. 여기서는 `InputSpec`이 막지 못하는 것도 봅니다:
    크기가 `None`이거나 0인 마지막 차원 (0이면 행이 없는 가중치가 만들어져 입력을 무시합니다).

    Args:
        shape: 입력 모양 (정수나 `None`의 시퀀스).
        owner: 메시지에 쓸 층 이름 (예: `"Decoder 층"`).
        expected: 메시지에 쓸 기대 모양 (예: `"(batch_size, latent_dim)"`).
        ndim: 정확한 차원 수, 또는 `None`.
        min_ndim: 최소 차원 수, 또는 `None`.

    Returns:
        `int`로 바꾼 마지막 차원의 크기.

    Raises:
        ValueError: 차원 수가 틀렸거나 마지막 차원의 크기를 모르거나 0일 때.
    """
    shape = tuple(shape)
    rank_ok = (ndim is None or len(shape) == ndim) and (min_ndim is None or len(shape) >= min_ndim)
    if not rank_ok or not shape or not shape[-1]:
        rank = f"{ndim}차원" if ndim else f"{min_ndim}차원 이상의" if min_ndim else ""
        raise ValueError(
            f"{owner}의 입력은 {expected} 모양의 {rank} 텐서여야 합니다 (마지막 차원의 크기는 "
            f"1 이상으로 정해져 있어야 합니다). 받은 모양: input_shape={shape}"
        )
    return int(shape[-1])


def check_input_dtype(value, argument, owner, floating=False):
    """`value`가 수 텐서(`floating`이면 실수 텐서)인지 확인합니다.

    문자열이나 정수 텐서가 백엔드 깊숙이 내려가면 TensorFlow의
    `UnimplementedError: Cast string to float`처럼 어디가 잘못됐는지 알기 어려운 오류가
    납니다. 그 전에 인자 이름과 받은 자료형을 밝히는 `ValueError`로 알려 줍니다.

    Args:
        value: 검사할 텐서.
        argument: 메시지에 쓸 인자 이름 (예: `"inputs"`).
        owner: 메시지에 쓸 층 이름 (예: `"'linear' 층"`).
        floating: 참이면 부동소수점만 받고, 거짓이면 정수와 불리언도 받습니다.

    Raises:
        ValueError: 자료형이 맞지 않을 때.
    """
    import keras

    dtype = keras.backend.standardize_dtype(value.dtype)
    if keras.backend.is_float_dtype(dtype):
        return
    if not floating and (keras.backend.is_int_dtype(dtype) or dtype == "bool"):
        return
    kind = "실수(부동소수점)" if floating else "수(정수, 실수, 불리언)"
    raise ValueError(
        f"{owner}의 {argument}에는 {kind} 텐서가 필요합니다. 받은 자료형: {argument}.dtype={dtype}"
    )


def require_module(module, package, purpose):
    """선택 의존성 `module`을 읽어 들입니다. 없으면 설치할 패키지를 알려 주는 오류를 냅니다.

    `import companion`은 기본 의존성(Keras, NumPy)만으로 되어야 하므로, 노트북이나 그림에만
    필요한 모듈은 그것을 쓰는 함수가 불릴 때 이 함수로 읽어 들입니다.

    Args:
        module: 읽어 들일 모듈 이름 (예: `"matplotlib.pyplot"`).
        package: `pip install`로 설치할 패키지 이름 (예: `"matplotlib"`).
        purpose: 메시지에 쓸 용도 (예: `"plot_generated()"`).

    Raises:
        ModuleNotFoundError: 모듈을 찾을 수 없을 때.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            f"{purpose}에는 {package} 패키지가 필요합니다. "
            f"pip install {package} 로 설치하세요. 없는 모듈: {error.name}",
            name=error.name,
        ) from error
