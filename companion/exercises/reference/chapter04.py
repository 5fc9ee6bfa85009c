"""4장 연습 문제의 모범 답안: `04_serialization.ipynb`의 "모범 답안" 셀과 같은 코드입니다.

채점기(`companion/exercises/chapter04.py`)가 독자의 답을 이 답과 같은 가중치로 맞춰 놓고
비교합니다. 노트북의 답을 고치면 여기도 고칩니다 (`tests/exercises/test_reference.py`가 둘이
같은지 확인합니다). 직렬화 등록 이름만 `solutions_chNN` 대신 `reference_chNN`입니다.
"""

import keras


@keras.saving.register_keras_serializable(package="reference_ch04")
class Clip(keras.layers.Layer):
    """입력을 [min_value, max_value] 범위로 자르는 층."""

    def __init__(self, min_value=-1.0, max_value=1.0, **kwargs):
        super().__init__(**kwargs)
        if min_value > max_value:
            raise ValueError(
                "min_value는 max_value보다 클 수 없습니다. "
                f"받은 값: min_value={min_value!r}, max_value={max_value!r}"
            )
        self.min_value = min_value
        self.max_value = max_value

    def call(self, inputs):
        return keras.ops.clip(inputs, self.min_value, self.max_value)

    def get_config(self):
        return {
            **super().get_config(),
            "min_value": self.min_value,
            "max_value": self.max_value,
        }


@keras.saving.register_keras_serializable(package="reference_ch04")
class Residual(keras.layers.Layer):
    """감싼 층의 출력에 입력을 더하는 층: x + layer(x)."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)

    def call(self, inputs):
        return inputs + self.layer(inputs)

    def get_config(self):
        layer_config = keras.saving.serialize_keras_object(self.layer)
        return {**super().get_config(), "layer": layer_config}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layer"] = keras.saving.deserialize_keras_object(config["layer"])
        return cls(**config)
