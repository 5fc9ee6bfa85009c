"""`MaskedAverage`: 마스크가 가리지 않은 시간 단계만 평균하는 층."""

import keras
from keras import ops

from companion._validation import check_input_dtype, shapes_compatible
from companion._validation import static_shape as _static_shape


def _check_rank(shape):
    """입력이 `(batch_size, timesteps, features)` 모양인지 확인합니다."""
    shape = _static_shape(shape)
    if len(shape) != 3:
        raise ValueError(
            "MaskedAverage 층의 입력은 (batch_size, timesteps, features) 모양의 "
            f"3차원 텐서여야 합니다. 받은 모양: {shape}"
        )
    return shape


def _check_call(inputs, mask):
    """`call()`이 받은 입력의 자료형과 모양, 마스크의 모양을 확인합니다."""
    check_input_dtype(inputs, "inputs", "MaskedAverage 층")
    shape = _check_rank(inputs.shape)
    if mask is None:
        return
    mask_shape = _static_shape(mask.shape)
    if not shapes_compatible(shape[:2], mask_shape):
        raise ValueError(
            "MaskedAverage 층의 mask는 입력의 앞 두 차원 (batch_size, timesteps)와 모양이 "
            f"같아야 합니다. 받은 모양: inputs={shape}, mask={mask_shape}"
        )


@keras.saving.register_keras_serializable(package="companion")
class MaskedAverage(keras.layers.Layer):
    """시간 축(축 1)을 따라 마스크가 참인 단계만 평균하는 층.

    `Embedding(mask_zero=True)`처럼 마스크를 만드는 층 뒤에 두면, Keras가 그 마스크를
    `call()`의 `mask` 인자로 넘겨 줍니다. 패딩으로 덧붙인 단계는 평균에 들어가지 않으므로
    같은 시퀀스는 패딩 길이와 상관없이 같은 결과를 냅니다. 마스크가 없으면 모든 단계의
    평균입니다. 모든 단계가 가려진 행은 0을 돌려줍니다 (0으로 나누지 않습니다).

    시간 축을 없애므로 출력에는 마스크가 없습니다: `compute_mask()`는 `None`을
    돌려주어 마스크를 여기서 소비합니다.

    Args:
        **kwargs: `name`, `dtype` 같은 기반 `Layer`의 인자.

    Call arguments:
        inputs: `(batch_size, timesteps, features)` 모양의 텐서.
        mask: `(batch_size, timesteps)` 모양의 불리언 텐서 또는 `None`.

    Input shape:
        `(batch_size, timesteps, features)`.

    Output shape:
        `(batch_size, features)`.

    Returns:
        가려지지 않은 단계의 평균. 자료형은 층의 연산 자료형(compute dtype)입니다.

    Example:

    >>> x = keras.ops.ones((2, 5, 3))
    >>> mask = keras.ops.array([[True, True, False, False, False]] * 2)
    >>> MaskedAverage()(x, mask=mask).shape
    (2, 3)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        # 가중치는 없지만, 첫 호출에서 입력의 차원 수를 확인해 둡니다.
        _check_rank(input_shape)

    def call(self, inputs, mask=None):
        _check_call(inputs, mask)
        if mask is None:
            return ops.mean(inputs, axis=1)
        keep = ops.expand_dims(ops.cast(mask, "bool"), axis=-1)
        # 곱하지 않고 where로 고르면 가려진 단계에 inf나 NaN이 있어도 새어 들어오지 않습니다.
        total = ops.sum(ops.where(keep, inputs, ops.zeros_like(inputs)), axis=1)
        count = ops.sum(ops.cast(keep, inputs.dtype), axis=1)
        return ops.divide_no_nan(total, count)

    def compute_output_shape(self, input_shape):
        batch_size, _, features = _check_rank(input_shape)
        return (batch_size, features)

    def compute_mask(self, inputs, mask=None):
        return None
