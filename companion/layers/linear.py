"""`Linear` 층: 가중치 행렬 `w`와 편향 `b`로 `y = x·w + b`를 계산합니다."""

import keras
from keras import ops

from companion._validation import check_input_dtype, check_positive_int


@keras.saving.register_keras_serializable(package="companion")
class Linear(keras.layers.Layer):
    """입력에 가중치 행렬 `w`를 곱하고 편향 `b`를 더하는 완전 연결 층.

    활성화 함수가 없는 `keras.layers.Dense`와 같은 일을 합니다. 가중치는 처음 호출될 때
    `build()`에서 입력의 마지막 차원에 맞춰 만들므로, 입력 크기를 미리 알려 줄 필요가
    없습니다.

    Args:
        units: 출력 차원. 양의 정수.
        kernel_initializer: `w`의 초기화 방법. 이름(`"random_normal"`) 또는
            `keras.initializers.Initializer` 객체.
        bias_initializer: `b`의 초기화 방법. 이름 또는 초기화 객체.
        use_bias: `False`이면 편향을 만들지 않고 `y = x·w`만 계산합니다 (`b`는 `None`).
        **kwargs: `name`, `dtype`처럼 기반 클래스 `keras.layers.Layer`가 받는 인자.

    Call arguments:
        inputs: 2차원 이상의 텐서. 마지막 축이 특성 축입니다.

    Input shape:
        `(batch_size, ..., input_dim)` 모양의 텐서.

    Output shape:
        `(batch_size, ..., units)` 모양의 텐서.

    Returns:
        `inputs · w + b`.

    Raises:
        ValueError: `units`가 양의 정수가 아니거나 초기화 방법을 해석할 수 없을 때,
            입력이 2차원보다 작거나 마지막 차원이 처음 만든 가중치와 맞지 않을 때.

    Example:

    >>> layer = Linear(units=4, name="linear")
    >>> y = layer(keras.ops.ones((2, 3)))
    >>> tuple(y.shape)
    (2, 4)
    >>> [v.path for v in layer.weights]
    ['linear/w', 'linear/b']
    """

    def __init__(
        self,
        units=32,
        kernel_initializer="random_normal",
        bias_initializer="zeros",
        use_bias=True,
        **kwargs,
    ):
        units = check_positive_int("units", units)
        super().__init__(**kwargs)
        self.units = units
        self.kernel_initializer = _get_initializer("kernel_initializer", kernel_initializer)
        self.bias_initializer = _get_initializer("bias_initializer", bias_initializer)
        self.use_bias = bool(use_bias)
        # 마스크는 특성 축이 아니라 배치·시간 축에 걸리므로 그대로 다음 층에 넘겨도 됩니다.
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self.w = self.add_weight(
            name="w",
            shape=(input_dim, self.units),
            initializer=self.kernel_initializer,
        )
        if self.use_bias:
            self.b = self.add_weight(
                name="b",
                shape=(self.units,),
                initializer=self.bias_initializer,
            )
        else:
            self.b = None
        # From now on Keras itself checks every input against the weights it was built for.
        self.input_spec = keras.layers.InputSpec(min_ndim=2, axes={-1: input_dim})

    def call(self, inputs):
        check_input_dtype(inputs, "inputs", f"'{self.name}' 층")
        outputs = ops.matmul(inputs, self.w)
        if self.b is not None:
            outputs = ops.add(outputs, self.b)
        return outputs

    def compute_output_shape(self, input_shape):
        self._input_dim(input_shape)
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "use_bias": self.use_bias,
        }

    def _input_dim(self, input_shape):
        """입력 모양을 확인하고 마지막 차원(특성 수)을 돌려줍니다."""
        shape = tuple(input_shape)
        if len(shape) < 2:
            raise ValueError(
                f"'{self.name}' 층의 입력은 (배치, ..., 특성) 모양의 2차원 이상 텐서여야 합니다. "
                f"받은 입력 모양: {shape}"
            )
        # 0도 막습니다: 행이 없는 w는 입력을 무시하고 편향만 내보냅니다.
        if not self.built and not shape[-1]:
            raise ValueError(
                f"'{self.name}' 층의 가중치를 만들려면 입력의 마지막 차원을 알아야 하고, "
                "그 크기가 1 이상이어야 합니다. "
                f"받은 입력 모양: {shape}"
            )
        return shape[-1]


def _get_initializer(argument, identifier):
    try:
        return keras.initializers.get(identifier)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{argument}를 초기화 방법으로 해석할 수 없습니다. 받은 값: {argument}={identifier!r}"
        ) from error
