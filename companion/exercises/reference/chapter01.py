"""1장 연습 문제의 모범 답안: `01_layer_basics.ipynb`의 "모범 답안" 셀과 같은 코드입니다.

채점기(`companion/exercises/chapter01.py`)가 독자의 답을 이 답과 같은 가중치로 맞춰 놓고
비교합니다. 노트북의 답을 고치면 여기도 고칩니다 (`tests/exercises/test_reference.py`가 둘이
같은지 확인합니다). 직렬화 등록 이름만 `solutions_chNN` 대신 `reference_chNN`입니다.
"""

import keras
from keras import ops


class Scale(keras.layers.Layer):
    """입력 전체에 훈련 가능한 스칼라 scale을 곱하는 층."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = self.add_weight(shape=(), initializer="ones", trainable=True, name="scale")

    def call(self, inputs):
        return ops.multiply(inputs, self.scale)


class RunningMean(keras.layers.Layer):
    """지금까지 본 모든 행의 평균을 훈련 불가능 가중치에 기억하는 층."""

    def __init__(self, input_dim, **kwargs):
        super().__init__(**kwargs)
        self.total = self.add_weight(
            shape=(input_dim,), initializer="zeros", trainable=False, name="total"
        )
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count")

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        self.count.assign_add(ops.cast(ops.shape(inputs)[0], self.count.dtype))
        return ops.divide(self.total, self.count)
