"""2장 연습 문제의 모범 답안: `02_build_and_compose.ipynb`의 "모범 답안" 셀과 같은 코드입니다.

채점기(`companion/exercises/chapter02.py`)가 독자의 답을 이 답과 같은 가중치로 맞춰 놓고
비교합니다. 노트북의 답을 고치면 여기도 고칩니다 (`tests/exercises/test_reference.py`가 둘이
같은지 확인합니다). 직렬화 등록 이름만 `solutions_chNN` 대신 `reference_chNN`입니다.
"""

import keras
from keras import ops

import companion


class FeatureAffine(keras.layers.Layer):
    """특성마다 x * gamma + beta를 계산하는 층. 가중치 모양은 입력을 보고 정합니다."""

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.gamma = self.add_weight(shape=(input_dim,), initializer="ones", name="gamma")
        self.beta = self.add_weight(shape=(input_dim,), initializer="zeros", name="beta")

    def call(self, inputs):
        return inputs * self.gamma + self.beta


class ResidualBlock(keras.layers.Layer):
    """x + linear_2(relu(linear_1(x)))를 계산하는 블록."""

    def __init__(self, hidden_units, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.linear_1 = companion.Linear(hidden_units, name="linear_1")

    def build(self, input_shape):
        # 두 번째 층의 출력 크기는 입력의 특성 수여야 하므로 입력 모양을 아는 여기서 만듭니다.
        self.linear_2 = companion.Linear(input_shape[-1], name="linear_2")
        self.linear_1.build(input_shape)
        self.linear_2.build((*input_shape[:-1], self.hidden_units))

    def call(self, inputs):
        return inputs + self.linear_2(ops.relu(self.linear_1(inputs)))
