"""`GatedFusion`: 두 입력을 배운 게이트로 섞는 층 (리스트 입력, 마스크 두 개)."""

import keras
from keras import ops

from companion._validation import check_input_dtype, check_input_shape, shapes_compatible
from companion._validation import static_shape as _static_shape
from companion.layers.linear import _get_initializer

_OWNER = "GatedFusion 층"


def _check_pair(value, what):
    """`[a, b]`처럼 원소 두 개인 리스트나 튜플인지 확인하고 튜플로 돌려줍니다."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(
            f"{_OWNER}의 {what}는 [a, b]처럼 두 개를 담은 리스트여야 합니다. "
            f"받은 값: {what}={value!r}"
        )
    return tuple(value)


def _check_shapes(input_shape):
    pair = _check_pair(input_shape, "input_shape")
    if not all(isinstance(shape, (list, tuple)) for shape in pair):
        raise ValueError(
            f"{_OWNER}의 input_shape는 두 입력의 모양을 담은 리스트여야 합니다 (예: "
            f"[(None, 4, 3), (None, 4, 3)]). 받은 값: input_shape={input_shape!r}"
        )
    first, second = (tuple(shape) for shape in pair)
    features = check_input_shape(first, _OWNER, "(batch, ..., features)", min_ndim=2)
    if not shapes_compatible(first, second):
        raise ValueError(
            f"{_OWNER}의 두 입력은 모양이 같아야 합니다 (None은 어떤 크기든 됩니다). "
            f"받은 모양: input_shape={[first, second]}"
        )
    return first, features


@keras.saving.register_keras_serializable(package="companion")
class GatedFusion(keras.layers.Layer):
    """같은 모양의 두 입력 `[a, b]`를 원소마다 배운 게이트로 섞는 층.

    `gate = sigmoid([a, b] · kernel + bias)`를 특성마다 구하고
    `output = gate * a + (1 - gate) * b`를 돌려줍니다. 예를 들어 같은 시간 축을 가진 두 특성
    흐름(소리와 영상 프레임, 두 인코더의 출력)을 하나로 합칠 때 씁니다.

    입력은 리스트 하나이므로 `build()`는 모양의 리스트를, `call()`의 `mask`는 마스크의
    리스트 `[mask_a, mask_b]`를 받습니다. 출력 위치는 두 입력이 모두 유효할 때만 유효하므로
    `compute_mask()`는 두 마스크의 논리곱을 돌려줍니다 (마스크가 하나만 있으면 그것을).

    `return_gate=True`이면 `{"output": 출력, "gate": 게이트}` 딕셔너리를 돌려줍니다. 키의
    순서는 백엔드와 호출 방법에 따라 다르니 (PyTorch의 함수형 모델과 JAX의 `predict()`는
    키를 정렬합니다) 항상 키로 꺼내 쓰세요.

    Args:
        return_gate: 참이면 게이트도 함께 딕셔너리로 돌려줍니다. `True`나 `False`.
        kernel_initializer: 게이트 커널의 초기화 방법.
        bias_initializer: 게이트 편향의 초기화 방법.
        **kwargs: `name`, `dtype` 같은 `keras.layers.Layer`의 인자.

    Call arguments:
        inputs: 같은 모양의 텐서 두 개를 담은 리스트 `[a, b]`.
        mask: `[mask_a, mask_b]` (각각 `(batch, ...)` 불리언 텐서 또는 `None`), 또는 `None`.
            `Embedding(mask_zero=True)`처럼 마스크를 단 텐서를 넘기면 Keras가 채워 줍니다.

    Input shape:
        `[(batch, ..., features), (batch, ..., features)]`.

    Output shape:
        `(batch, ..., features)`. `return_gate=True`이면 그 모양의 텐서 두 개를 담은 딕셔너리.

    Returns:
        섞인 텐서, 또는 `{"output": ..., "gate": ...}`.

    Raises:
        ValueError: 입력이 두 개를 담은 리스트가 아니거나 두 모양이 다를 때, 특성 수를 모를 때,
            `return_gate`가 불리언이 아닐 때.

    Example:

    >>> fusion = GatedFusion(name="fusion")
    >>> a, b = keras.ops.ones((2, 5, 3)), keras.ops.zeros((2, 5, 3))
    >>> tuple(fusion([a, b]).shape)
    (2, 5, 3)
    >>> sorted(GatedFusion(return_gate=True)([a, b]))
    ['gate', 'output']
    """

    def __init__(
        self,
        return_gate=False,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        if not isinstance(return_gate, bool):
            raise ValueError(
                f"return_gate는 True나 False여야 합니다. 받은 값: return_gate={return_gate!r}"
            )
        kernel = _get_initializer("kernel_initializer", kernel_initializer)
        bias = _get_initializer("bias_initializer", bias_initializer)
        super().__init__(**kwargs)
        self.return_gate = return_gate
        self.kernel_initializer = kernel
        self.bias_initializer = bias
        self.supports_masking = True

    def build(self, input_shape):
        # 입력이 리스트이므로 모양도 리스트로 옵니다: [a의 모양, b의 모양].
        _, features = _check_shapes(input_shape)
        self.kernel = self.add_weight(
            name="kernel", shape=(2 * features, features), initializer=self.kernel_initializer
        )
        self.bias = self.add_weight(
            name="bias", shape=(features,), initializer=self.bias_initializer
        )
        self._features = features

    def call(self, inputs, mask=None):
        first, second = _check_pair(inputs, "inputs")
        for argument, tensor in (("inputs[0]", first), ("inputs[1]", second)):
            check_input_dtype(tensor, argument, _OWNER, floating=True)
            shape = _static_shape(tensor.shape)
            if shape[-1] is not None and shape[-1] != self._features:
                raise ValueError(
                    f"{_OWNER}은 특성이 {self._features}개인 입력으로 가중치를 만들었습니다. "
                    f"받은 모양: {argument}.shape={shape}"
                )
        _check_shapes([_static_shape(first), _static_shape(second)])
        both = ops.concatenate([first, second], axis=-1)
        gate = ops.sigmoid(ops.matmul(both, self.kernel) + self.bias)
        output = gate * first + (1.0 - gate) * second
        if self.return_gate:
            # 딕셔너리 출력: 출력을 먼저, 게이트를 나중에 넣습니다 (키 순서는 믿지 마세요).
            return {"output": output, "gate": gate}
        return output

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        masks = [m for m in _check_pair(mask, "mask") if m is not None]
        if not masks:
            return None
        combined = ops.cast(masks[0], "bool")
        for other in masks[1:]:
            combined = ops.logical_and(combined, ops.cast(other, "bool"))
        if self.return_gate:
            return {"output": combined, "gate": combined}
        return combined

    def compute_output_shape(self, input_shape):
        shape, _ = _check_shapes(input_shape)
        if self.return_gate:
            return {"output": shape, "gate": shape}
        return shape

    def get_config(self):
        return {
            **super().get_config(),
            "return_gate": self.return_gate,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
