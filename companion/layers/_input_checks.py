"""층과 모델이 함께 쓰는 인자·입력 검사 (패키지 내부용)."""

import numbers

import keras


def is_positive_int(value):
    """`value`가 양의 정수이면 `True`.

    `bool`은 `int`의 하위 클래스라서 `True`가 1로 통과하지 않도록 따로 막습니다.
    """
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def check_positive_int(name, value):
    """`value`가 양의 정수가 아니면 인자 이름과 받은 값을 밝히는 `ValueError`를 냅니다."""
    if not is_positive_int(value):
        raise ValueError(f"{name}는 양의 정수여야 합니다. 받은 값: {name}={value!r}")


def static_shape(value):
    """텐서(또는 모양)의 정적 모양을 정수 튜플로 돌려줍니다.

    모르는 차원(None, 또는 JAX가 출력 모양을 추론할 때 쓰는 기호 차원)은 None으로 둡니다.
    """
    shape = getattr(value, "shape", value)
    return tuple(int(d) if isinstance(d, numbers.Integral) else None for d in shape)


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
    dtype = keras.backend.standardize_dtype(value.dtype)
    if keras.backend.is_float_dtype(dtype):
        return
    if not floating and (keras.backend.is_int_dtype(dtype) or dtype == "bool"):
        return
    kind = "실수(부동소수점)" if floating else "수(정수, 실수, 불리언)"
    raise ValueError(
        f"{owner}의 {argument}에는 {kind} 텐서가 필요합니다. 받은 자료형: {argument}.dtype={dtype}"
    )
