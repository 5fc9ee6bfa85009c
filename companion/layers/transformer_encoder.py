"""`TransformerEncoderBlock`: 어텐션, 잔차 연결, 층 정규화, 피드포워드로 된 인코더 블록."""

import keras

from companion._validation import (
    check_input_dtype,
    check_input_shape,
    check_positive_int,
    check_real,
    check_seed,
)
from companion.layers.multi_head_attention import SimpleMultiHeadAttention


@keras.saving.register_keras_serializable(package="companion")
class TransformerEncoderBlock(keras.layers.Layer):
    """트랜스포머 인코더 블록 하나 (2017년 논문의 "Add & Norm" 순서).

    ```
    x = LayerNorm(inputs + Dropout(SelfAttention(inputs)))
    y = LayerNorm(x + Dropout(Dense(Dense(x, intermediate_dim, activation))))
    ```

    셀프 어텐션은 `SimpleMultiHeadAttention`이고, 머리 하나의 차원은
    `features // num_heads`입니다 (그래서 `features`는 `num_heads`로 나누어떨어져야 합니다).
    하위 층은 입력의 특성 수를 알아야 만들 수 있으므로 `build()`에서 만들고 빌드합니다.
    패딩 마스크(`Embedding(mask_zero=True)`가 단 마스크 등)는 어텐션의 쿼리와 키 양쪽에
    쓰이고 출력에 그대로 남습니다.

    Args:
        num_heads: 어텐션 머리의 수. 양의 정수.
        intermediate_dim: 피드포워드 안쪽 층의 너비. 양의 정수.
        dropout: 어텐션 출력과 피드포워드 출력에 거는 드롭아웃 비율, `[0, 1)`.
        activation: 피드포워드 안쪽 층의 활성화 함수.
        epsilon: `LayerNormalization`의 엡실론. 양수.
        seed: 드롭아웃의 시드 (정수 또는 `None`).
        **kwargs: `name`, `dtype` 같은 `keras.layers.Layer`의 인자.

    Call arguments:
        inputs: `(batch, length, features)` 텐서.
        mask: `(batch, length)` 불리언 텐서 또는 `None`. Keras가 채워 줍니다.
        training: 드롭아웃을 쓸지. `fit()`과 `predict()`가 알아서 넘깁니다.

    Input shape:
        `(batch, length, features)`.

    Output shape:
        입력과 같습니다.

    Returns:
        인코더 블록의 출력 (연산 자료형).

    Raises:
        ValueError: 인자가 잘못되었을 때 (이름과 받은 값을 밝힙니다), 입력이 3차원이 아니거나
            특성 수를 모르거나 `num_heads`로 나누어떨어지지 않을 때.

    Example:

    >>> block = TransformerEncoderBlock(num_heads=2, intermediate_dim=16, name="encoder")
    >>> tuple(block(keras.ops.ones((3, 7, 8))).shape)
    (3, 7, 8)
    """

    def __init__(
        self,
        num_heads,
        intermediate_dim,
        dropout=0.0,
        activation="relu",
        epsilon=1e-5,
        seed=None,
        **kwargs,
    ):
        num_heads = check_positive_int("num_heads", num_heads)
        intermediate_dim = check_positive_int("intermediate_dim", intermediate_dim)
        dropout = check_real("dropout", dropout, maximum=1.0, include_maximum=False)
        if not isinstance(epsilon, (int, float)) or isinstance(epsilon, bool) or epsilon <= 0:
            raise ValueError(f"epsilon은 양수여야 합니다. 받은 값: epsilon={epsilon!r}")
        seed = check_seed(seed)
        try:
            activation_fn = keras.activations.get(activation)
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"activation을 활성화 함수로 해석할 수 없습니다. 받은 값: activation={activation!r}"
            ) from error
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.intermediate_dim = intermediate_dim
        self.dropout = dropout
        self.activation = activation_fn
        self.epsilon = float(epsilon)
        self.seed = seed
        self.supports_masking = True
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def build(self, input_shape):
        features = check_input_shape(
            input_shape, f"'{self.name}' 층", "(batch, length, features)", ndim=3
        )
        if features % self.num_heads:
            raise ValueError(
                f"'{self.name}' 층의 특성 수는 num_heads={self.num_heads}로 나누어떨어져야 "
                f"합니다. 받은 모양: input_shape={tuple(input_shape)}"
            )
        shape = tuple(input_shape)
        common = {"dtype": self.dtype_policy}
        self.attention = SimpleMultiHeadAttention(
            self.num_heads, features // self.num_heads, name="attention", **common
        )
        self.attention.build(shape, shape)
        self.attention_dropout = keras.layers.Dropout(
            self.dropout, seed=self.seed, name="attention_dropout", **common
        )
        self.attention_norm = keras.layers.LayerNormalization(
            epsilon=self.epsilon, name="attention_norm", **common
        )
        self.attention_norm.build(shape)
        self.intermediate = keras.layers.Dense(
            self.intermediate_dim, activation=self.activation, name="intermediate", **common
        )
        self.intermediate.build(shape)
        self.projection = keras.layers.Dense(features, name="projection", **common)
        self.projection.build((*shape[:-1], self.intermediate_dim))
        self.output_dropout = keras.layers.Dropout(
            self.dropout,
            seed=None if self.seed is None else self.seed + 1,
            name="output_dropout",
            **common,
        )
        self.output_norm = keras.layers.LayerNormalization(
            epsilon=self.epsilon, name="output_norm", **common
        )
        self.output_norm.build(shape)
        self.input_spec = keras.layers.InputSpec(ndim=3, axes={-1: features})

    def call(self, inputs, mask=None, training=None):
        check_input_dtype(inputs, "inputs", f"'{self.name}' 층", floating=True)
        # 셀프 어텐션: 패딩된 위치는 키로도 쿼리로도 쓰지 않습니다.
        attended = self.attention(inputs, inputs, query_mask=mask, value_mask=mask)
        attended = self.attention_dropout(attended, training=training)
        x = self.attention_norm(inputs + attended)
        y = self.projection(self.intermediate(x))
        y = self.output_dropout(y, training=training)
        return self.output_norm(x + y)

    def compute_mask(self, inputs, mask=None):
        return mask

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "intermediate_dim": self.intermediate_dim,
            "dropout": self.dropout,
            "activation": keras.activations.serialize(self.activation),
            "epsilon": self.epsilon,
            "seed": self.seed,
        }
