"""`ScanRNN`: `ops.scan`으로 쓴 단순 순환 층 (`keras.layers.SimpleRNN`과 같은 계산)."""

import keras
from keras import ops

from companion._validation import check_input_dtype, check_input_shape, check_positive_int
from companion._validation import static_shape as _static_shape
from companion.layers.linear import _get_initializer


@keras.saving.register_keras_serializable(package="companion")
class ScanRNN(keras.layers.Layer):
    """`h_t = activation(x_t · kernel + h_{t-1} · recurrent_kernel + bias)`를 `ops.scan`으로 돕니다.

    `keras.layers.SimpleRNN`과 같은 계산이고 가중치의 이름, 모양, 순서(`kernel`,
    `recurrent_kernel`, `bias`)도 같아서 `set_weights(simple_rnn.get_weights())`로 같은 값을
    냅니다. 시간 축의 반복은 파이썬 `for`가 아니라 `ops.scan`이 맡습니다: `scan`은 상태
    (carry) `h`를 한 단계의 함수에 넘기고 그 함수가 돌려준 새 상태를 다음 단계에 넘기므로,
    길이가 `None`인 심볼릭 텐서나 컴파일된 함수(`tf.function`, `jax.jit`) 안에서도 한 번의
    추적으로 모든 길이를 처리합니다.

    마스크가 가린 단계에서는 상태를 바꾸지 않고 (그 단계의 출력도 직전 상태입니다), 그래서
    뒤에 패딩을 덧붙여도 마지막 상태가 같습니다. `return_sequences=True`이면 마스크를 그대로
    다음 층에 넘기고, 아니면 소비합니다.

    Args:
        units: 상태의 차원. 양의 정수.
        activation: 활성화 함수 (기본값 `"tanh"`).
        return_sequences: 참이면 모든 단계의 상태 `(batch, length, units)`를, 거짓이면
            마지막 상태 `(batch, units)`를 돌려줍니다.
        kernel_initializer: `kernel`의 초기화 방법.
        recurrent_initializer: `recurrent_kernel`의 초기화 방법.
        bias_initializer: `bias`의 초기화 방법.
        **kwargs: `name`, `dtype` 같은 `keras.layers.Layer`의 인자.

    Call arguments:
        inputs: `(batch, length, features)` 텐서.
        mask: `(batch, length)` 불리언 텐서 또는 `None`.

    Input shape:
        `(batch, length, features)`.

    Output shape:
        `(batch, length, units)` (`return_sequences=True`) 또는 `(batch, units)`.

    Returns:
        상태의 시퀀스 또는 마지막 상태.

    Raises:
        ValueError: 인자가 잘못되었을 때 (이름과 받은 값을 밝힙니다), 입력이 3차원이 아니거나
            특성 수를 모를 때, 마스크의 모양이 입력과 맞지 않을 때.

    Example:

    >>> rnn = ScanRNN(4, return_sequences=True, name="rnn")
    >>> tuple(rnn(keras.ops.ones((2, 6, 3))).shape)
    (2, 6, 4)
    """

    def __init__(
        self,
        units,
        activation="tanh",
        return_sequences=False,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        **kwargs,
    ):
        units = check_positive_int("units", units)
        if not isinstance(return_sequences, bool):
            raise ValueError(
                "return_sequences는 True나 False여야 합니다. "
                f"받은 값: return_sequences={return_sequences!r}"
            )
        try:
            activation_fn = keras.activations.get(activation)
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"activation을 활성화 함수로 해석할 수 없습니다. 받은 값: activation={activation!r}"
            ) from error
        initializers = {
            name: _get_initializer(name, value)
            for name, value in (
                ("kernel_initializer", kernel_initializer),
                ("recurrent_initializer", recurrent_initializer),
                ("bias_initializer", bias_initializer),
            )
        }
        super().__init__(**kwargs)
        self.units = units
        self.activation = activation_fn
        self.return_sequences = return_sequences
        self.kernel_initializer = initializers["kernel_initializer"]
        self.recurrent_initializer = initializers["recurrent_initializer"]
        self.bias_initializer = initializers["bias_initializer"]
        self.supports_masking = True
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def build(self, input_shape):
        features = check_input_shape(
            input_shape, f"'{self.name}' 층", "(batch, length, features)", ndim=3
        )
        self.kernel = self.add_weight(
            name="kernel", shape=(features, self.units), initializer=self.kernel_initializer
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=(self.units, self.units),
            initializer=self.recurrent_initializer,
        )
        self.bias = self.add_weight(
            name="bias", shape=(self.units,), initializer=self.bias_initializer
        )
        self.input_spec = keras.layers.InputSpec(ndim=3, axes={-1: features})

    def call(self, inputs, mask=None):
        check_input_dtype(inputs, "inputs", f"'{self.name}' 층", floating=True)
        shape = _static_shape(inputs.shape)
        # 입력 쪽 곱은 시간과 상관없으니 scan 밖에서 모든 단계를 한 번에 계산합니다.
        projected = ops.matmul(inputs, self.kernel) + self.bias
        # scan은 첫 축을 따라 돕니다: (batch, length, units) → (length, batch, units).
        steps = ops.transpose(projected, (1, 0, 2))
        initial = ops.zeros((ops.shape(inputs)[0], self.units), dtype=projected.dtype)
        if mask is None:

            def step(state, x_t):
                new_state = self.activation(x_t + ops.matmul(state, self.recurrent_kernel))
                return new_state, new_state

            last, states = ops.scan(step, initial, steps)
        else:
            mask_shape = _static_shape(mask.shape)
            if len(mask_shape) != 2 or not all(
                m is None or s is None or m == s for m, s in zip(mask_shape, shape[:2], strict=True)
            ):
                raise ValueError(
                    f"'{self.name}' 층의 mask는 입력의 앞 두 차원 (batch, length)와 모양이 같아야 "
                    f"합니다. 받은 모양: inputs={shape}, mask={mask_shape}"
                )
            keep = ops.expand_dims(ops.transpose(ops.cast(mask, projected.dtype)), axis=-1)
            # 마스크를 마지막 특성으로 이어 붙여 scan에 텐서 하나만 넘깁니다: Keras 3.15.1의
            # TensorFlow 백엔드는 길이를 모를 때 xs가 여럿이면 scan에 실패합니다.
            elements = ops.concatenate([steps, keep], axis=-1)

            def step(state, elements_t):
                x_t, keep_t = elements_t[:, :-1], elements_t[:, -1:]
                new_state = self.activation(x_t + ops.matmul(state, self.recurrent_kernel))
                # 가려진 단계: 상태를 그대로 다음 단계에 넘깁니다.
                new_state = ops.where(keep_t > 0.5, new_state, state)
                return new_state, new_state

            last, states = ops.scan(step, initial, elements)
        if self.return_sequences:
            return ops.transpose(states, (1, 0, 2))
        return last

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def compute_output_shape(self, input_shape):
        batch, length, _ = tuple(input_shape)
        if self.return_sequences:
            return (batch, length, self.units)
        return (batch, self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "return_sequences": self.return_sequences,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
