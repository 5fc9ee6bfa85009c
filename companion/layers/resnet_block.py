"""잔차 연결(residual connection)이 있는 합성곱 블록 `ResNetBlock`."""

import keras
from keras import ops

from companion._validation import check_input_dtype, check_input_shape, is_positive_int


@keras.saving.register_keras_serializable(package="companion")
class ResNetBlock(keras.layers.Layer):
    """ResNet의 기본 블록: 합성곱 두 개와 잔차 연결.

    주 경로는 3×3 합성곱 → 배치 정규화 → ReLU → 3×3 합성곱 → 배치 정규화이고,
    지름길(shortcut)은 입력을 그대로 더합니다. 다만 `strides`가 1이 아니거나 입력의
    채널 수가 `filters`와 다르면 두 경로의 모양이 달라 더할 수 없으므로, 지름길에
    1×1 합성곱(같은 `strides`)과 배치 정규화로 된 투영(projection)을 둡니다.
    두 경로를 더한 뒤 ReLU를 적용합니다.

    합성곱 바로 뒤에 배치 정규화가 오므로 합성곱에는 편향을 두지 않습니다
    (배치 정규화의 `beta`가 같은 일을 합니다). 배치 정규화의 이동 평균과 이동 분산은
    훈련 불가능 가중치(non-trainable weight)입니다.

    Args:
        filters: 출력 채널 수. 양의 정수.
        strides: 첫 번째 합성곱(과 사영)의 보폭. 양의 정수이며 보통 1 또는 2입니다.
            2이면 높이와 너비가 절반(올림)이 됩니다.
        **kwargs: `name`, `dtype` 같은 `keras.layers.Layer`의 인자.

    Call arguments:
        inputs: `(batch, height, width, channels)` 모양의 4차원 텐서.
        training: 배치 정규화가 배치 통계(훈련)를 쓸지 이동 통계(추론)를 쓸지 정하는
            불리언. `fit()`과 `predict()`는 알아서 넘겨 줍니다.

    Input shape:
        `(batch, height, width, channels)`. 채널 수는 알려져 있어야 합니다.

    Output shape:
        `(batch, ceil(height / strides), ceil(width / strides), filters)`.

    Returns:
        `relu(주 경로 + 지름길)`. 주 경로와 지름길(필요하면 투영한 입력)의 합에 ReLU를
        적용한 텐서입니다.

    Raises:
        ValueError: `filters`나 `strides`가 양의 정수가 아닐 때, 입력이 4차원이 아니거나
            채널 수를 모를 때.

    Example:

    >>> block = ResNetBlock(32, strides=2, name="block")
    >>> tuple(block(keras.ops.ones((2, 28, 28, 16))).shape)
    (2, 14, 14, 32)
    >>> block.use_projection
    True
    """

    def __init__(self, filters, strides=1, **kwargs):
        if not is_positive_int(filters):
            raise ValueError(f"filters는 양의 정수여야 합니다. 받은 값: filters={filters!r}")
        if not is_positive_int(strides):
            raise ValueError(
                f"strides는 양의 정수(보통 1 또는 2)여야 합니다. 받은 값: strides={strides!r}"
            )
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.strides = int(strides)
        # 지름길에 사영이 필요한지는 입력의 채널 수를 알아야 정해지므로 build()에서 결정합니다.
        self.use_projection = None
        self.conv1 = self._conv(kernel_size=3, strides=self.strides, name="conv1")
        self.bn1 = self._batch_norm(name="bn1")
        self.conv2 = self._conv(kernel_size=3, strides=1, name="conv2")
        self.bn2 = self._batch_norm(name="bn2")
        self.shortcut_conv = None
        self.shortcut_bn = None

    def _conv(self, kernel_size, strides, name):
        return keras.layers.Conv2D(
            self.filters,
            kernel_size,
            strides=strides,
            padding="same",
            use_bias=False,
            kernel_initializer="he_normal",
            dtype=self.dtype_policy,
            name=name,
        )

    def _batch_norm(self, name):
        return keras.layers.BatchNormalization(momentum=0.9, dtype=self.dtype_policy, name=name)

    def _check_input_shape(self, input_shape):
        input_shape = tuple(input_shape)
        check_input_shape(
            input_shape, f"{type(self).__name__} 층", "(batch, height, width, channels)", ndim=4
        )
        return input_shape

    def build(self, input_shape):
        input_shape = self._check_input_shape(input_shape)
        self.use_projection = self.strides != 1 or input_shape[-1] != self.filters
        self.conv1.build(input_shape)
        main_shape = self.conv1.compute_output_shape(input_shape)
        self.bn1.build(main_shape)
        self.conv2.build(main_shape)
        self.bn2.build(main_shape)
        if self.use_projection:
            self.shortcut_conv = self._conv(
                kernel_size=1, strides=self.strides, name="shortcut_conv"
            )
            self.shortcut_bn = self._batch_norm(name="shortcut_bn")
            self.shortcut_conv.build(input_shape)
            self.shortcut_bn.build(main_shape)

    def call(self, inputs, training=None):
        check_input_dtype(inputs, "inputs", f"{type(self).__name__} 층", floating=True)
        x = self.conv1(inputs)
        x = self.bn1(x, training=training)
        x = ops.relu(x)
        x = self.conv2(x)
        x = self.bn2(x, training=training)
        shortcut = inputs
        if self.use_projection:
            shortcut = self.shortcut_conv(inputs)
            shortcut = self.shortcut_bn(shortcut, training=training)
        return ops.relu(x + shortcut)

    def compute_output_shape(self, input_shape):
        input_shape = self._check_input_shape(input_shape)
        return self.conv1.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "strides": self.strides}
