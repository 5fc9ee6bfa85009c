"""7장 연습 문제의 모범 답안: `07_model_class.ipynb`의 "모범 답안" 셀과 같은 코드입니다.

채점기(`companion/exercises/chapter07.py`)가 독자의 답을 이 답과 같은 가중치로 맞춰 놓고
비교합니다. 노트북의 답을 고치면 여기도 고칩니다 (`tests/exercises/test_reference.py`가 둘이
같은지 확인합니다). 직렬화 등록 이름만 `solutions_chNN` 대신 `reference_chNN`입니다.
"""

import keras


@keras.saving.register_keras_serializable(package="reference_ch07")
class MLPClassifier(keras.Model):
    """ReLU 은닉층을 hidden_units대로 쌓고 로짓을 내는 분류기."""

    def __init__(self, hidden_units=(32,), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = tuple(hidden_units)
        self.num_classes = num_classes
        self.hidden_layers = [
            keras.layers.Dense(units, activation="relu", name=f"hidden_{i}")
            for i, units in enumerate(self.hidden_units)
        ]
        # 활성화가 없습니다: 로짓을 내고, 손실이 from_logits=True로 확률을 다룹니다.
        self.output_layer = keras.layers.Dense(num_classes, name="logits")

    def call(self, inputs):
        x = inputs
        for layer in self.hidden_layers:
            x = layer(x)
        return self.output_layer(x)

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_units": list(self.hidden_units),
            "num_classes": self.num_classes,
        }


class DenseResidualBlock(keras.layers.Layer):
    """relu(주 경로 + 지름길). 폭이 다를 때만 편향 없는 투영을 만듭니다."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense_1 = keras.layers.Dense(units, activation="relu", name="dense_1")
        self.dense_2 = keras.layers.Dense(units, name="dense_2")
        self.projection = None

    def build(self, input_shape):
        if input_shape[-1] != self.units:
            self.projection = keras.layers.Dense(self.units, use_bias=False, name="projection")
            self.projection.build(input_shape)
        self.dense_1.build(input_shape)
        self.dense_2.build((*input_shape[:-1], self.units))

    def call(self, inputs):
        shortcut = inputs if self.projection is None else self.projection(inputs)
        return keras.ops.relu(self.dense_2(self.dense_1(inputs)) + shortcut)

    def get_config(self):
        return {**super().get_config(), "units": self.units}
