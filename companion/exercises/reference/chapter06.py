"""6장 연습 문제의 모범 답안: `06_production_layers.ipynb`의 "모범 답안" 셀과 같은 코드입니다.

채점기(`companion/exercises/chapter06.py`)가 독자의 답을 이 답과 같은 가중치로 맞춰 놓고
비교합니다. 노트북의 답을 고치면 여기도 고칩니다 (`tests/exercises/test_reference.py`가 둘이
같은지 확인합니다). 직렬화 등록 이름만 `solutions_chNN` 대신 `reference_chNN`입니다.
"""

import keras
import numpy as np
from keras import ops


class TimeSummary(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def call(self, inputs):
        mean = ops.mean(inputs, axis=1)
        maximum = ops.max(inputs, axis=1)
        return ops.concatenate([mean, maximum], axis=-1)

    def compute_output_shape(self, input_shape):
        batch_size, _, features = input_shape
        return (batch_size, None if features is None else 2 * features)


class RMSNorm(keras.layers.Layer):
    def __init__(self, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        # float16에서는 x²가 쉽게 넘치므로 통계는 float32로 계산합니다.
        x = ops.cast(inputs, "float32")
        mean_square = ops.mean(ops.square(x), axis=-1, keepdims=True)
        normalized = x * ops.rsqrt(mean_square + self.epsilon)
        return ops.cast(normalized, self.compute_dtype) * self.scale

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


class MinMaxScaler(keras.layers.Layer):
    def build(self, input_shape):
        # 범위는 훈련하지 않지만 저장할 상태이므로 훈련 불가능 가중치에 둡니다.
        shape = (input_shape[-1],)
        self.minimum = self.add_weight(
            name="minimum", shape=shape, initializer="zeros", trainable=False
        )
        self.maximum = self.add_weight(
            name="maximum", shape=shape, initializer="ones", trainable=False
        )

    def adapt(self, data):
        data = np.asarray(data, dtype="float32")
        if not self.built:  # 모델에 넣어 이미 빌드된 층이면 값만 바꿉니다.
            self.build(data.shape)
        self.minimum.assign(data.min(axis=0))
        self.maximum.assign(data.max(axis=0))

    def call(self, inputs):
        # 값이 모두 같은 특성은 범위가 0이므로 epsilon보다 작아지지 않게 합니다.
        scale = ops.maximum(self.maximum - self.minimum, keras.config.epsilon())
        return (inputs - self.minimum) / scale
