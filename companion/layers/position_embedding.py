"""`PositionEmbedding`: 위치마다 배운 벡터를 더하는 층."""

import keras
from keras import ops

from companion._validation import check_input_dtype, check_input_shape, check_positive_int
from companion._validation import static_shape as _static_shape
from companion.layers.linear import _get_initializer


@keras.saving.register_keras_serializable(package="companion")
class PositionEmbedding(keras.layers.Layer):
    """시퀀스의 위치 `t`마다 배운 벡터 `p_t`를 입력에 더하는 층.

    어텐션은 위치를 모릅니다: 시간 단계의 순서를 바꾸면 출력의 순서만 바뀝니다. 이 층을
    어텐션 앞에 두면 같은 값이라도 위치에 따라 다른 벡터가 되어 순서가 정보가 됩니다.
    `(sequence_length, features)` 모양의 가중치 하나를 두고, 길이가 `T`인 입력에는 앞의 `T`
    행을 더합니다. 그래서 `sequence_length`보다 짧은 입력도 받습니다 (길이는 `ops.shape`로
    읽으므로 길이가 `None`인 모델에서도 됩니다). 마스크는 그대로 다음 층에 넘깁니다.

    Args:
        sequence_length: 받을 수 있는 가장 긴 길이. 양의 정수.
        initializer: 위치 벡터의 초기화 방법.
        **kwargs: `name`, `dtype` 같은 `keras.layers.Layer`의 인자.

    Call arguments:
        inputs: `(batch, length, features)` 텐서. `length <= sequence_length`.

    Input shape:
        `(batch, length, features)`.

    Output shape:
        입력과 같습니다.

    Returns:
        `inputs + position_embeddings[:length]`.

    Raises:
        ValueError: `sequence_length`가 양의 정수가 아닐 때, 입력이 3차원이 아니거나 특성 수를
            모를 때, 입력이 `sequence_length`보다 길 때.

    Example:

    >>> layer = PositionEmbedding(sequence_length=10, initializer="zeros")
    >>> tuple(layer(keras.ops.ones((2, 7, 4))).shape)
    (2, 7, 4)
    """

    def __init__(self, sequence_length, initializer="glorot_uniform", **kwargs):
        sequence_length = check_positive_int("sequence_length", sequence_length)
        initializer = _get_initializer("initializer", initializer)
        super().__init__(**kwargs)
        self.sequence_length = sequence_length
        self.initializer = initializer
        self.supports_masking = True
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def build(self, input_shape):
        features = check_input_shape(
            input_shape, f"'{self.name}' 층", "(batch, length, features)", ndim=3
        )
        self._check_length(input_shape)
        self.position_embeddings = self.add_weight(
            name="position_embeddings",
            shape=(self.sequence_length, features),
            initializer=self.initializer,
        )
        self.input_spec = keras.layers.InputSpec(ndim=3, axes={-1: features})

    def _check_length(self, shape):
        length = _static_shape(shape)[1]
        if length is not None and length > self.sequence_length:
            raise ValueError(
                f"'{self.name}' 층은 길이 {self.sequence_length}까지 받습니다 "
                f"(sequence_length={self.sequence_length}). 받은 모양: {_static_shape(shape)}"
            )

    def call(self, inputs):
        check_input_dtype(inputs, "inputs", f"'{self.name}' 층", floating=True)
        self._check_length(inputs.shape)
        # 길이는 ops.shape로 읽습니다: inputs.shape[1]은 심볼릭 텐서에서 None일 수 있습니다.
        length = ops.shape(inputs)[1]
        positions = ops.convert_to_tensor(self.position_embeddings)[:length]
        return inputs + ops.cast(positions, inputs.dtype)

    def compute_output_shape(self, input_shape):
        self._check_length(input_shape)
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "sequence_length": self.sequence_length,
            "initializer": keras.initializers.serialize(self.initializer),
        }
