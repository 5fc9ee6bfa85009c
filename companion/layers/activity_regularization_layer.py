"""`ActivityRegularizationLayer`: 입력의 합에 비례하는 손실을 `add_loss()`로 더하는 층."""

import keras
from keras import ops

from companion._validation import check_input_dtype, check_real


@keras.saving.register_keras_serializable(package="companion")
class ActivityRegularizationLayer(keras.layers.Layer):
    """입력을 그대로 내보내면서 `rate * sum(inputs)`를 손실로 더하는 층.

    `call()` 안에서 `self.add_loss()`를 부르는 가장 작은 예입니다. 더한 손실은
    `layer.losses`(이 층을 품은 바깥 층과 모델의 `losses`에도)에 나타나고,
    `fit()`은 그것을 주 손실에 자동으로 더합니다. 손실 목록은 가장 바깥 층이
    호출될 때마다 새로 채워지므로 여러 번 호출해도 쌓이지 않습니다.

    Args:
        rate: 입력의 합에 곱할 0 이상의 실수.
        **kwargs: `name`, `dtype` 같은 기반 `Layer`의 인자.

    Call arguments:
        inputs: 임의 모양의 텐서.

    Input shape:
        임의의 모양.

    Output shape:
        입력과 같은 모양.

    Returns:
        `inputs` 그대로.

    Example:

    >>> layer = ActivityRegularizationLayer(rate=0.5)
    >>> _ = layer(keras.ops.ones((2, 3)))
    >>> float(layer.losses[0])
    3.0
    """

    def __init__(self, rate=1e-2, **kwargs):
        rate = check_real("rate", rate, minimum=0.0)
        super().__init__(**kwargs)
        self.rate = rate
        # 입력을 바꾸지 않으므로 앞 층의 마스크를 그대로 넘겨도 됩니다.
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        check_input_dtype(inputs, "inputs", f"'{self.name}' 층")
        # mixed_float16에서도 합이 넘치지 않도록 손실은 변수 자료형(float32)으로 셉니다.
        activity = ops.sum(ops.cast(inputs, self.variable_dtype))
        self.add_loss(self.rate * activity)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}
