"""`QuantizableMLPBlock` 층: 양자화한 뒤에도 `.keras`로 저장하고 다시 불러올 수 있는 MLP 블록."""

import keras

from companion._validation import check_positive_int_sequence
from companion.layers.quantizable_linear import QuantizableLinear


@keras.saving.register_keras_serializable(package="companion")
class QuantizableMLPBlock(keras.layers.Layer):
    """`QuantizableLinear` 층을 쌓은 `MLPBlock`: `model.quantize("int8")` 뒤에도 다시 불러옵니다.

    `model.quantize()`는 하위 층이 없는 층만 양자화하므로, 블록 안의 `QuantizableLinear` 층은
    양자화되어도 블록 자신의 자료형 정책은 그대로입니다. 그런데 블록을 다시 만들 때
    (`.keras` 파일을 불러올 때) 하위 층은 블록의 `__init__`이 새로 만드니, 설정에 하위 층의
    양자화 정책을 적어 두지 않으면 부동소수점 층이 만들어져 저장된 `int8` 가중치를 받지
    못합니다 (`expected 2 variables, but received 3`). 그래서 이 블록은 세 가지를 지킵니다.

    1. 하위 층에 고정된 이름(`linear_0`, `linear_1`, ...)을 줍니다. 층의 경로
       (`"블록 이름/linear_0"`)가 불러올 때도 같아야 하기 때문입니다.
    2. 하위 층을 `dtype=self.dtype_policy`로 만듭니다. 블록이 `DTypePolicyMap`을 받으면
       하위 층은 그 지도에서 자기 경로의 정책을 찾아 씁니다.
    3. `get_config()`가 양자화된 하위 층의 경로와 정책을 `DTypePolicyMap`에 모아
       `"dtype"`에 적습니다 (기본 정책은 블록 자신의 정책).

    Args:
        units: 각 `QuantizableLinear` 층의 출력 차원을 차례로 담은 양의 정수 시퀀스.
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
        마지막 층의 출력 (그 뒤에는 활성화 함수를 적용하지 않습니다).

    Raises:
        ValueError: `units`나 `activation`이 `MLPBlock`에서처럼 잘못되었을 때.

    Example:

    >>> inputs = keras.Input((4,))
    >>> block = QuantizableMLPBlock(units=(8, 2), name="block")
    >>> model = keras.Model(inputs, block(inputs))
    >>> model.quantize("int8")
    >>> block.get_config()["dtype"]["class_name"]
    'DTypePolicyMap'
    >>> sorted(block.get_config()["dtype"]["config"]["policy_map"])
    ['block/linear_0', 'block/linear_1']
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
        # Fixed names and the block's policy (a DTypePolicyMap when loading a quantized block).
        self.linear_layers = [
            QuantizableLinear(n, dtype=self.dtype_policy, name=f"linear_{i}")
            for i, n in enumerate(units)
        ]

    def build(self, input_shape):
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
        config = {
            **super().get_config(),
            "units": list(self.units),
            "activation": keras.activations.serialize(self.activation),
        }
        policy_map = keras.dtype_policies.DTypePolicyMap(default_policy=self._own_policy())
        for layer in self.linear_layers:
            if layer.quantization_mode is not None:
                policy_map[layer.path] = _policy_of(layer)
        if len(policy_map) > 0:
            config["dtype"] = keras.dtype_policies.serialize(policy_map)
        return config

    def _own_policy(self):
        policy = self.dtype_policy
        if isinstance(policy, keras.dtype_policies.DTypePolicyMap):
            return policy.default_policy
        return policy


def _policy_of(layer):
    policy = layer.dtype_policy
    if isinstance(policy, keras.dtype_policies.DTypePolicyMap):
        return policy[layer.path]
    return policy
