"""`SimpleMultiHeadAttention`: `keras.ops`만으로 처음부터 쓴 멀티헤드 어텐션 층."""

import math

import keras
from keras import ops

from companion._validation import (
    check_choice,
    check_input_dtype,
    check_input_shape,
    check_positive_int,
    shapes_compatible,
)
from companion._validation import static_shape as _static_shape
from companion.layers.linear import _get_initializer

#: `implementation` 인자가 받는 값: 직접 쓴 einsum·softmax, 또는 `ops.dot_product_attention`.
IMPLEMENTATIONS = ("einsum", "fused")
# 가려진 위치의 로짓. softmax를 float32로 계산하므로 exp(-1e9 - 최댓값)은 정확히 0이 됩니다.
_MASKED_LOGIT = -1e9


def _check_bool(name, value):
    if not isinstance(value, bool):
        raise ValueError(f"{name}는 True나 False여야 합니다. 받은 값: {name}={value!r}")
    return value


@keras.saving.register_keras_serializable(package="companion")
class SimpleMultiHeadAttention(keras.layers.Layer):
    """`keras.ops`만으로 쓴 멀티헤드 어텐션 층 (`keras.layers.MultiHeadAttention`과 같은 계산).

    `query`, `key`, `value`를 머리(head)마다 투영(projection)하고, 머리마다 스케일된 점곱
    어텐션을 계산한 뒤 머리들을 이어 출력 차원으로 다시 투영합니다. 가중치의 이름, 모양과
    순서가 `keras.layers.MultiHeadAttention`과 같으므로 `set_weights(mha.get_weights())`로
    같은 가중치를 넣으면 같은 값을 냅니다.

    - 로짓은 `sqrt(key_dim)`(머리 하나의 차원)으로 나누고, softmax는 혼합 정밀도에서도
      `float32`로 계산합니다. 돌려주는 어텐션 가중치도 `float32`입니다.
    - 마스크: `query_mask`(`(batch, T)`), `value_mask`·`key_mask`(`(batch, S)`),
      `attention_mask`(`(batch, T, S)`)와 인과 마스크(`use_causal_mask=True`)를 모두 논리곱으로
      합칩니다. `Embedding(mask_zero=True)`처럼 마스크를 단 텐서를 넘기면 Keras가
      `query_mask`와 `value_mask`를 채워 줍니다. 가려진 키의 가중치는 정확히 0이고, 가릴 수
      있는 키가 하나도 남지 않은 행(패딩된 쿼리)은 모든 키에 고르게 나뉩니다.
    - `implementation="fused"`이면 머리마다의 계산을 `ops.dot_product_attention`에 맡깁니다.
      그 함수는 어텐션 가중치를 돌려주지 않으므로 `return_attention_scores=True`로 부르면,
      또 JAX의 구현이 받지 않는 `value_dim != key_dim`이면 `"einsum"` 경로로 계산합니다.

    출력의 마스크는 `query`의 마스크입니다 (`compute_mask()`). 드롭아웃은 없습니다.

    Args:
        num_heads: 머리의 수. 양의 정수.
        key_dim: 머리 하나의 쿼리·키 차원. 양의 정수.
        value_dim: 머리 하나의 값 차원. `None`이면 `key_dim`.
        output_dim: 출력의 마지막 차원. `None`이면 `query`의 마지막 차원.
        use_bias: 투영에 편향을 둘지. `True`나 `False`.
        implementation: `"einsum"`(직접 쓴 einsum과 softmax) 또는 `"fused"`
            (`ops.dot_product_attention`).
        kernel_initializer: 투영 커널의 초기화 방법.
        bias_initializer: 편향의 초기화 방법.
        **kwargs: `name`, `dtype` 같은 `keras.layers.Layer`의 인자.

    Call arguments:
        query: `(batch, T, query_dim)` 텐서.
        value: `(batch, S, value_input_dim)` 텐서.
        key: `(batch, S, key_input_dim)` 텐서. `None`이면 `value`를 씁니다.
        query_mask: `(batch, T)` 불리언 텐서 또는 `None`. 가려진 쿼리 행.
        value_mask: `(batch, S)` 불리언 텐서 또는 `None`. 가려진 키·값 위치.
        key_mask: `(batch, S)` 불리언 텐서 또는 `None`.
        attention_mask: `(batch, T, S)` 불리언 텐서 또는 `None`. 참인 곳만 봅니다.
        use_causal_mask: 참이면 쿼리 `i`가 키 `j <= i`만 봅니다.
        return_attention_scores: 참이면 `(출력, 가중치)` 튜플을 돌려줍니다.

    Input shape:
        `query`: `(batch, T, query_dim)`, `value`·`key`: `(batch, S, dim)`.

    Output shape:
        `(batch, T, output_dim)`. 가중치는 `(batch, num_heads, T, S)`.

    Returns:
        어텐션 출력 (연산 자료형). `return_attention_scores=True`이면 `(출력, 가중치)`이고
        가중치는 `float32`입니다.

    Raises:
        ValueError: 인자가 잘못되었을 때 (이름과 받은 값을 밝힙니다), 입력이 3차원이 아니거나
            마지막 차원을 모를 때, `value`와 `key`의 길이가 다를 때, 마스크의 모양이 입력과
            맞지 않을 때.

    Example:

    >>> layer = SimpleMultiHeadAttention(num_heads=2, key_dim=4, name="attention")
    >>> query, value = keras.ops.ones((3, 5, 8)), keras.ops.ones((3, 7, 6))
    >>> output, scores = layer(query, value, return_attention_scores=True)
    >>> tuple(output.shape), tuple(scores.shape)
    ((3, 5, 8), (3, 2, 5, 7))
    """

    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        output_dim=None,
        use_bias=True,
        implementation="einsum",
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        num_heads = check_positive_int("num_heads", num_heads)
        key_dim = check_positive_int("key_dim", key_dim)
        value_dim = key_dim if value_dim is None else check_positive_int("value_dim", value_dim)
        if output_dim is not None:
            output_dim = check_positive_int("output_dim", output_dim)
        use_bias = _check_bool("use_bias", use_bias)
        implementation = check_choice("implementation", implementation, IMPLEMENTATIONS)
        kernel_initializer = _get_initializer("kernel_initializer", kernel_initializer)
        bias_initializer = _get_initializer("bias_initializer", bias_initializer)
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.value_dim = value_dim
        self.output_dim = output_dim
        self.use_bias = use_bias
        self.implementation = implementation
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.supports_masking = True
        # Keras가 call() 전에 첫 위치 인자(query)의 차원 수를 확인합니다.
        self.input_spec = keras.layers.InputSpec(ndim=3)

    # build()의 인자 이름은 call()의 텐서 인자 이름에 _shape를 붙인 것이라야 Keras가 모양을
    # 하나씩 넘겨 줍니다 (query → query_shape, value → value_shape, key → key_shape).
    def build(self, query_shape, value_shape, key_shape=None):
        owner = f"'{self.name}' 층"
        query_dim = check_input_shape(
            query_shape, f"{owner}의 query", "(batch, query_length, query_dim)", ndim=3
        )
        value_dim = check_input_shape(
            value_shape, f"{owner}의 value", "(batch, value_length, value_dim)", ndim=3
        )
        key_dim = value_dim
        if key_shape is not None:
            key_dim = check_input_shape(
                key_shape, f"{owner}의 key", "(batch, value_length, key_dim)", ndim=3
            )
        output_dim = self.output_dim or query_dim
        heads = self.num_heads
        self.query_kernel, self.query_bias = self._projection(
            "query", (query_dim, heads, self.key_dim)
        )
        self.key_kernel, self.key_bias = self._projection("key", (key_dim, heads, self.key_dim))
        self.value_kernel, self.value_bias = self._projection(
            "value", (value_dim, heads, self.value_dim)
        )
        self.output_kernel, self.output_bias = self._projection(
            "output", (heads, self.value_dim, output_dim)
        )
        self._input_dims = (query_dim, value_dim, key_dim)

    def _projection(self, name, kernel_shape):
        kernel = self.add_weight(
            name=f"{name}_kernel", shape=kernel_shape, initializer=self.kernel_initializer
        )
        bias = None
        if self.use_bias:
            # 입력 축(출력 투영은 머리·값 축)을 뺀 나머지 모양: MultiHeadAttention과 같습니다.
            bias_shape = kernel_shape[2:] if name == "output" else kernel_shape[1:]
            bias = self.add_weight(
                name=f"{name}_bias", shape=bias_shape, initializer=self.bias_initializer
            )
        return kernel, bias

    def call(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        use_causal_mask=False,
        return_attention_scores=False,
    ):
        if key is None:
            key = value
        self._check_call(query, value, key, query_mask, value_mask, key_mask, attention_mask)
        mask = self._combined_mask(
            query, key, query_mask, value_mask, key_mask, attention_mask, use_causal_mask
        )
        # 투영: (batch, length, dim) · (dim, heads, head_dim) → (batch, length, heads, head_dim).
        q = self._project(query, self.query_kernel, self.query_bias)
        k = self._project(key, self.key_kernel, self.key_bias)
        v = self._project(value, self.value_kernel, self.value_bias)
        scores = None
        # JAX의 dot_product_attention은 값의 머리 차원이 key_dim과 다르면 받지 않습니다.
        fused = self.implementation == "fused" and self.value_dim == self.key_dim
        if fused and not return_attention_scores:
            heads = self._attend_fused(q, k, v, mask)
        else:
            heads, scores = self._attend_einsum(q, k, v, mask)
        # 머리 합치기와 출력 투영을 한 번에: (batch, T, heads, value_dim) → (batch, T, output_dim).
        output = ops.einsum("btnh,nho->bto", heads, self.output_kernel)
        if self.output_bias is not None:
            output = output + self.output_bias
        if return_attention_scores:
            return output, scores
        return output

    @staticmethod
    def _project(x, kernel, bias):
        projected = ops.einsum("bsd,dnh->bsnh", x, kernel)
        return projected if bias is None else projected + bias

    def _attend_einsum(self, q, k, v, mask):
        """머리마다 softmax(q·kᵀ / sqrt(key_dim))·v. softmax는 float32로 계산합니다."""
        logits = ops.einsum("btnh,bsnh->bnts", q, k)
        logits = ops.cast(logits, "float32") / math.sqrt(self.key_dim)
        if mask is not None:
            # (batch, T, S) 마스크를 머리 축(축 1)에 펼쳐 (batch, heads, T, S)에 맞춥니다.
            logits = ops.where(ops.expand_dims(mask, axis=1), logits, _MASKED_LOGIT)
        scores = ops.softmax(logits, axis=-1)
        heads = ops.einsum("bnts,bsnh->btnh", ops.cast(scores, v.dtype), v)
        return heads, scores

    def _attend_fused(self, q, k, v, mask):
        """같은 계산을 `ops.dot_product_attention`에 맡깁니다 (가중치는 돌려주지 않습니다)."""
        if mask is not None:
            mask = ops.expand_dims(mask, axis=1)
        return ops.dot_product_attention(q, k, v, mask=mask, scale=1.0 / math.sqrt(self.key_dim))

    def _combined_mask(
        self, query, key, query_mask, value_mask, key_mask, attention_mask, use_causal_mask
    ):
        """모든 마스크를 `(batch, T, S)` 불리언 하나로 합칩니다 (없으면 `None`)."""
        mask = None

        def combine(current, new):
            new = ops.cast(new, "bool")
            return new if current is None else ops.logical_and(current, new)

        if query_mask is not None:
            mask = combine(mask, ops.expand_dims(query_mask, axis=-1))  # (batch, T, 1)
        for key_side in (value_mask, key_mask):
            if key_side is not None:
                mask = combine(mask, ops.expand_dims(key_side, axis=-2))  # (batch, 1, S)
        if attention_mask is not None:
            mask = combine(mask, attention_mask)
        if use_causal_mask:
            # 길이는 ops.shape로 읽습니다: 길이가 None인 심볼릭 텐서와 컴파일된 함수에서도 됩니다.
            rows = ops.expand_dims(ops.arange(ops.shape(query)[1]), axis=-1)
            columns = ops.expand_dims(ops.arange(ops.shape(key)[1]), axis=0)
            mask = combine(mask, ops.expand_dims(rows >= columns, axis=0))  # (1, T, S)
        if mask is None:
            return None
        # 위의 마스크가 모두 브로드캐스트되는 (batch, T, S)로 펼칩니다.
        target = (ops.shape(query)[0], ops.shape(query)[1], ops.shape(key)[1])
        return ops.broadcast_to(mask, target)

    def _check_call(self, query, value, key, query_mask, value_mask, key_mask, attention_mask):
        owner = f"'{self.name}' 층"
        shapes = {}
        for argument, tensor in (("query", query), ("value", value), ("key", key)):
            check_input_dtype(tensor, argument, owner, floating=True)
            shapes[argument] = _static_shape(tensor.shape)
            if len(shapes[argument]) != 3:
                raise ValueError(
                    f"{owner}의 {argument}는 (batch, length, dim) 모양의 3차원 텐서여야 합니다. "
                    f"받은 모양: {argument}.shape={shapes[argument]}"
                )
        built = dict(zip(("query", "value", "key"), self._input_dims, strict=True))
        for argument, shape in shapes.items():
            if shape[-1] is not None and shape[-1] != built[argument]:
                raise ValueError(
                    f"{owner}은 마지막 차원이 {built[argument]}인 {argument}로 가중치를 "
                    f"만들었습니다. 받은 모양: {argument}.shape={shape}"
                )
        batch, length = shapes["query"][:2]
        source = shapes["value"][1]
        if not shapes_compatible(shapes["value"][:2], shapes["key"][:2]):
            raise ValueError(
                f"{owner}의 value와 key는 배치와 길이가 같아야 합니다. 받은 모양: "
                f"value.shape={shapes['value']}, key.shape={shapes['key']}"
            )
        expected = {
            "query_mask": (batch, length),
            "value_mask": (batch, source),
            "key_mask": (batch, source),
            "attention_mask": (batch, length, source),
        }
        masks = {
            "query_mask": query_mask,
            "value_mask": value_mask,
            "key_mask": key_mask,
            "attention_mask": attention_mask,
        }
        for argument, mask in masks.items():
            if mask is None:
                continue
            shape = _static_shape(mask.shape)
            if not shapes_compatible(expected[argument], shape):
                raise ValueError(
                    f"{owner}의 {argument}는 {expected[argument]} 모양이어야 합니다 (None은 어떤 "
                    f"크기든 됩니다). 받은 모양: {argument}.shape={shape}"
                )

    def compute_mask(self, query, previous_mask=None):
        # Keras는 첫 위치 인자(query)와 그 마스크만 넘겨 줍니다. 출력은 쿼리마다 한 행이므로
        # 쿼리의 마스크가 그대로 출력의 마스크입니다.
        return previous_mask

    # 텐서 인자마다 모양 인자 하나: Keras가 call()의 인자 이름으로 모양을 맞춰 넘깁니다.
    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape = tuple(query_shape)
        value_shape = tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if len(query_shape) != 3 or len(value_shape) != 3 or len(key_shape) != 3:
            raise ValueError(
                f"'{self.name}' 층의 입력은 3차원이어야 합니다. 받은 모양: "
                f"query_shape={query_shape}, value_shape={value_shape}, key_shape={key_shape}"
            )
        if not shapes_compatible(value_shape[:2], key_shape[:2]):
            raise ValueError(
                f"'{self.name}' 층의 value와 key는 배치와 길이가 같아야 합니다. 받은 모양: "
                f"value_shape={value_shape}, key_shape={key_shape}"
            )
        return (*query_shape[:2], self.output_dim or query_shape[-1])

    # 출력이 튜플이고 두 출력의 자료형이 다르므로 (가중치는 float32) 모양만으로는 부족합니다.
    def compute_output_spec(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        use_causal_mask=False,
        return_attention_scores=False,
    ):
        key_shape = None if key is None else key.shape
        output_shape = self.compute_output_shape(query.shape, value.shape, key_shape)
        output = keras.KerasTensor(output_shape, dtype=self.compute_dtype)
        if not return_attention_scores:
            return output
        # 가중치는 (batch, heads, 쿼리 길이 T, 키 길이 S): T와 S는 다를 수 있습니다.
        scores_shape = (query.shape[0], self.num_heads, query.shape[1], value.shape[1])
        return output, keras.KerasTensor(scores_shape, dtype="float32")

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "output_dim": self.output_dim,
            "use_bias": self.use_bias,
            "implementation": self.implementation,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
