"""`QuantizableLinear` 층: `model.quantize("int8")`로 8비트 정수 가중치로 바뀌는 `Linear`."""

import keras
from keras import ops, quantizers

from companion._validation import check_input_dtype
from companion.layers.linear import Linear

#: 양자화 방식마다 `save_own_variables()`가 쓰는 가중치의 이름과 순서.
_SERIALIZATION_SPEC = {None: ("w", "b"), "int8": ("w", "b", "w_scale")}


@keras.saving.register_keras_serializable(package="companion")
class QuantizableLinear(Linear):
    """`Linear`에 Keras 양자화 훅을 더한 층: `quantize("int8")` 뒤에는 정수 행렬곱으로 계산합니다.

    양자화 전에는 `Linear`와 똑같이 `y = x·w + b`를 계산합니다. `layer.quantize("int8")`이나
    `model.quantize("int8")`을 부르면 `w`의 열(출력 유닛)마다 절댓값 최댓값으로 척도
    `w_scale = 127 / max|w[:, j]|`를 정하고, `round(w · w_scale)`을 `int8` 가중치 `w`로 바꿔
    저장합니다 (부동소수점 `w`는 지웁니다). 그 뒤의 호출은 입력도 행마다 같은 방법으로
    `int8`로 바꾸고, 정수 행렬곱의 결과를 두 척도로 나눠 부동소수점으로 되돌린 다음 `b`를
    더합니다. 이것이 `keras.layers.Dense`의 `"int8"` 방식과 같은 계산이고, keras.io 가이드
    "Writing quantization-compatible layers"가 설명하는 훅(`quantize`, `_int8_build`,
    `_int8_call`, `save_own_variables`/`load_own_variables`)을 그대로 따릅니다.

    양자화한 층의 자료형 정책은 `"int8_from_float32"`처럼 바뀌고 `get_config()`에 그대로
    들어가므로, `.keras` 파일을 불러오면 `build()`가 처음부터 `int8` 가중치를 만듭니다.
    `int8` 가중치와 척도는 훈련되지 않습니다 (`b`만 훈련 가능). 양자화는 추론용입니다.

    Args:
        units: 출력 차원. 양의 정수.
        kernel_initializer: `w`의 초기화 방법.
        bias_initializer: `b`의 초기화 방법.
        use_bias: `False`이면 편향 없이 `y = x·w`만 계산합니다.
        **kwargs: `name`, `dtype`처럼 기반 클래스 `keras.layers.Layer`가 받는 인자.

    Call arguments:
        inputs: 2차원 이상의 텐서. 마지막 축이 특성 축입니다.

    Input shape:
        `(batch_size, ..., input_dim)` 모양의 텐서.

    Output shape:
        `(batch_size, ..., units)` 모양의 텐서.

    Returns:
        `inputs · w + b` (양자화 뒤에는 그 근삿값).

    Raises:
        ValueError: `Linear`와 같은 경우, 그리고 만들기 전에 양자화하거나 두 번 양자화할 때.
        NotImplementedError: `"int8"`이 아닌 양자화 방식을 요청할 때.

    Example:

    >>> layer = QuantizableLinear(units=3, name="linear")
    >>> layer.build((None, 4))
    >>> layer.quantize("int8")
    >>> layer.dtype_policy.name
    'int8_from_float32'
    >>> [(v.path, keras.backend.standardize_dtype(v.dtype)) for v in layer.weights]
    [('linear/b', 'float32'), ('linear/w', 'int8'), ('linear/w_scale', 'float32')]
    """

    def build(self, input_shape):
        mode = self.quantization_mode
        if mode is None:
            super().build(input_shape)
            return
        if mode not in _SERIALIZATION_SPEC:
            raise self._unsupported_mode(mode)
        # A quantized layer being loaded: make the int8 weights at once, no float w first.
        input_dim = self._input_dim(input_shape)
        self._int8_build((input_dim, self.units))
        self.b = self._make_bias() if self.use_bias else None
        self.input_spec = keras.layers.InputSpec(min_ndim=2, axes={-1: input_dim})

    def quantize(self, mode=None, type_check=True, config=None):
        # Keras's quantize wrapper has already refused an unbuilt or already quantized layer.
        if mode != "int8":
            raise self._unsupported_mode(mode)
        w_int8, w_scale = quantizers.abs_max_quantize(self.w, axis=0, to_numpy=True)
        kernel_shape = tuple(self.w.shape)
        del self.w
        self._int8_build(kernel_shape)
        self.w.assign(w_int8)
        self.w_scale.assign(ops.squeeze(w_scale, axis=0))
        # Set before the policy changes: the setter would otherwise call quantize() again.
        self._is_quantized = True
        self.dtype_policy = keras.dtype_policies.get(f"int8_from_{self._float_policy_name()}")

    def _int8_build(self, kernel_shape):
        self.w = self.add_weight(
            name="w", shape=kernel_shape, initializer="zeros", dtype="int8", trainable=False
        )
        self.w_scale = self.add_weight(
            name="w_scale", shape=(kernel_shape[1],), initializer="ones", trainable=False
        )
        self._is_quantized = True

    def _int8_call(self, inputs):
        check_input_dtype(inputs, "inputs", f"'{self.name}' 층")
        inputs = ops.cast(inputs, self.compute_dtype)
        # Each row of the inputs gets its own scale, as Keras's Dense does ("abs max").
        x_int8, x_scale = quantizers.abs_max_quantize(inputs, axis=-1)
        outputs = ops.matmul(x_int8, self.w)  # int8 · int8, summed in int32
        outputs = ops.cast(outputs, self.compute_dtype)
        outputs = ops.divide(outputs, ops.multiply(x_scale, self.w_scale))
        if self.b is not None:
            outputs = ops.add(outputs, self.b)
        return outputs

    def save_own_variables(self, store):
        if not self.built:
            return
        for index, name in enumerate(self._stored_names()):
            store[str(index)] = getattr(self, name)

    def load_own_variables(self, store):
        if not self.built:
            return
        names = self._stored_names()
        if len(store.keys()) != len(names):
            raise ValueError(
                f"'{self.name}' 층(양자화 방식 {self.quantization_mode})은 가중치 "
                f"{len(names)}개 {list(names)}를 기대했지만 파일에는 {len(store.keys())}개가 "
                "있습니다. 양자화한 모델을 불러올 때는 층의 자료형 정책(dtype)이 "
                "저장할 때의 것과 같아야 합니다."
            )
        for index, name in enumerate(names):
            getattr(self, name).assign(store[str(index)])

    def _stored_names(self):
        names = _SERIALIZATION_SPEC[self.quantization_mode]
        return tuple(n for n in names if n != "b" or self.b is not None)

    def _make_bias(self):
        return self.add_weight(name="b", shape=(self.units,), initializer=self.bias_initializer)

    def _float_policy_name(self):
        policy = self.dtype_policy
        if isinstance(policy, keras.dtype_policies.DTypePolicyMap):
            policy = policy[self.path]
        return policy.name

    def _unsupported_mode(self, mode):
        return NotImplementedError(
            f"{type(self).__name__}는 'int8' 양자화만 지원합니다. 받은 값: mode={mode!r}"
        )
