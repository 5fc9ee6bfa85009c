"""옛 이름을 위한 자리: 검사 함수는 모두 `companion._validation` 한 곳에 있습니다."""

from companion._validation import (  # noqa: F401
    check_input_dtype,
    check_positive_int,
    is_positive_int,
    static_shape,
)
