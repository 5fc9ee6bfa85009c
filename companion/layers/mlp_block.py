"""`MLPBlock` 층: `Linear` 층 여러 개를 쌓은 다층 퍼셉트론 블록."""

import keras

from companion._validation import check_positive_int_sequence
from companion.layers.linear import Linear


@keras.saving.register_keras_serializable(package="companion")
class MLPBlock(keras.layers.Layer):
    """`Linear` 층을 차례로 쌓고 그 사이에 활성화 함수를 넣은 블록.

    하위 층(sub-layer)은 `__init__`에서 만들어 속성(`linear_layers`)에 담아 둡니다.
    Keras는 층의 속성에 들어 있는 층을 (리스트 안에 있어도) 찾아 추적하므로, 블록의
    `weights`에는 하위 층의 가중치가 모두 들어갑니다. 마지막 층 뒤에는 활성화 함수를
    적용하지 않습니다.

    Args:
        units: 각 `Linear` 층의 출력 차원을 차례로 담은 양의 정수 시퀀스.
            기본값 `(32, 32, 1)`은 층 세 개를 만듭니다.
        activation: 층 사이에 적용할 활성화 함수. 이름(`"relu"`), 호출 가능한 객체,
            또는 `None`(항등 함수).
        **kwargs: `name`, `dtype`처럼 기반 클래스 `keras.layers.Layer`가 받는 인자.

    Call arguments:
        inputs: 2차원 이상의 텐서. 마지막 축이 특성 축입니다.

    Input shape:
        `(batch_size, ..., input_dim)` 모양의 텐서.

    Output shape:
        `(batch_size, ..., units[-1])` 모양의 텐서.

    Returns:
        마지막 `Linear` 층의 출력.

    Raises:
        ValueError: `units`가 양의 정수로 된 비어 있지 않은 시퀀스가 아니거나,
            `activation`을 활성화 함수로 해석할 수 없을 때.

    Example:

    >>> block = MLPBlock(units=(32, 32, 1), name="mlp_block")
    >>> y = block(keras.ops.ones((3, 64)))
    >>> tuple(y.shape), len(block.weights), len(block.trainable_weights)
    ((3, 1), 6, 6)
    """

    def __init__(self, units=(32, 32, 1), activation="relu", **kwargs):
        units = check_positive_int_sequence("units", units)
        try:
            activation_fn = keras.activations.get(activation)
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"activation을 활성화 함수로 해석할 수 없습니다. 받은 값: activation={activation!r}"
            ) from error
        super().__init__(**kwargs)
        self.units = units
        self.activation = activation_fn
        # 하위 층도 블록과 같은 자료형 정책을 따라야 혼합 정밀도가 블록 전체에 적용됩니다.
        self.linear_layers = [
            Linear(n, dtype=self.dtype_policy, name=f"linear_{i}") for i, n in enumerate(units)
        ]

    def build(self, input_shape):
        # 하위 층을 여기서 직접 만들어 두면 첫 호출 전에도(예: 저장된 모델을 불러올 때)
        # 가중치가 모두 존재합니다.
        shape = input_shape
        for layer in self.linear_layers:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)

    def call(self, inputs):
        x = inputs
        last = len(self.linear_layers) - 1
        for i, layer in enumerate(self.linear_layers):
            x = layer(x)
            if i < last:
                x = self.activation(x)
        return x

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units[-1])

    def get_config(self):
        return {
            **super().get_config(),
            "units": list(self.units),
            "activation": keras.activations.serialize(self.activation),
        }
