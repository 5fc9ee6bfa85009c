"""층들이 `call()`에서 함께 쓰는 입력 자료형 검사 (패키지 내부용)."""

import keras


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
