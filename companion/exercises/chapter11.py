"""11장 연습 문제 채점기: 여러 머리의 어텐션 풀링, 창이 있는 인과 마스크, `ops.scan`으로 쓴 층.

연습 문제에 적힌 요구 사항마다 채점기의 확인 항목이 하나 이상 있습니다.

연습 11-1 `AttentionPooling` (`check_attention_pooling`), 요구 사항 → 확인:

- `AttentionPooling(num_heads, **kwargs)`, `num_heads`가 양의 정수가 아니면 `ValueError`
  → `AttentionPooling(2)`, `AttentionPooling(4, name="pool")`, `num_heads=0`.
- `build()`에서 `(num_heads, features // num_heads)` 모양의 훈련 가능 가중치 하나(쿼리)
  → 특성 8개·머리 2개, 특성 12개·머리 4개에서 가중치의 개수와 모양.
- 입력을 머리로 나눠(`features = num_heads × head_dim`, 머리 0이 앞쪽 특성) 머리마다 쿼리와
  점곱하고 `sqrt(head_dim)`으로 나눈 뒤 시간 축을 따라 softmax, 가중합한 머리들을 같은 순서로
  이어 붙인 `(batch, features)` → 쿼리 가중치를 정해 둔 두 경우의 값 (`sqrt(features)`로
  나눴거나 나누지 않았을 때, 머리를 잘못된 순서로 이었을 때, softmax 축이 틀렸을 때 힌트).
- 마스크가 가린 시간 단계는 가중치 0 → 행마다 다른 마스크의 값 (마스크를 무시했거나 머리 축에
  걸었을 때 힌트), `Embedding(mask_zero=True)` 뒤에서 패딩해도 같은 값.
- 마스크를 소비 (`compute_mask()`가 `None`) → 반환값.
- 길이를 모르는 입력 → `keras.Input((None, 8))`의 출력 모양 `(None, 8)`, 컴파일된 함수 안의 값.

연습 11-2 `local_causal_mask` (`check_local_causal_mask`), 요구 사항 → 확인:

- `local_causal_mask(x, window)`가 `x`(`(batch, T, features)`)의 길이 `T`로
  `(T, T)` 불리언 텐서를 돌려준다 → 모양과 자료형.
- 쿼리 `i`는 `i - window < j <= i`인 키 `j`만 본다 (자기 자신을 포함해 `window`개)
  → `window` 1, 2, 3과 길이보다 큰 `window`의 값 (대각선을 뺐을 때, 창이 하나 넓을 때,
  위아래가 바뀌었을 때 힌트).
- 길이는 `x`에서 읽는다 → 길이 4와 7.
- 컴파일된 함수 안에서도 된다 → `compiled`(`tf.function`, `jax.jit`) 안의 값.
- `window`가 양의 정수가 아니면 `ValueError` (인자 이름과 받은 값) → `window=0`, `window=1.5`.
- `SimpleMultiHeadAttention`의 `attention_mask`로 쓸 수 있다 → 창 밖 키의 가중치가 0.

연습 11-3 `DecayedCumsum` (`check_decayed_cumsum`), 요구 사항 → 확인:

- `DecayedCumsum(decay, **kwargs)`, `0 < decay <= 1`이 아니면 `ValueError` → `DecayedCumsum(0.5)`,
  `DecayedCumsum(0.9, name="ema")`, `decay=0`, `decay=1.5`.
- 가중치 없음 → 가중치 개수.
- `h_t = decay · h_{t-1} + x_t`(`h_0 = 0`)의 모든 단계 `(batch, T, features)` → 두 입력과 두
  `decay`의 값 (상태를 넘기지 않았을 때, `decay`를 입력에 곱했을 때, 마지막 상태만 돌려줬을 때,
  배치 축을 따라 돌았을 때 힌트).
- 마스크가 가린 단계는 상태를 그대로 두고 그 상태를 내보낸다 → 마스크를 준 값 (마스크를
  무시했을 때 힌트), 패딩해도 앞부분이 같음.
- 마스크를 다음 층에 넘긴다 → `compute_mask()`의 반환값.
- 길이를 모르는 입력 → `keras.Input((None, 3))`의 출력 모양, 함수형 모델의 `predict_on_batch`로
  길이 4와 6.
- `get_config()`에 `decay` → 설정 왕복.
"""

import math

import keras
import numpy as np

from companion.exercises.checker import (
    Checker,
    compiled,
    exercise,
    quiet_tensorflow_logs,
    require_class,
    short_array,
)
from companion.settings import SEED


def _numpy(value):
    return np.asarray(keras.ops.convert_to_numpy(value))


def _close(a, b, atol=1e-4):
    a, b = np.asarray(a, "float64"), np.asarray(b, "float64")
    return a.shape == b.shape and np.allclose(a, b, atol=atol, rtol=1e-4)


# ---------------------------------------------------------------- 연습 11-1


def _softmax(logits, axis):
    logits = logits - np.max(logits, axis=axis, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=axis, keepdims=True)


def _pooling(x, query, mask=None, scale=None, merge="heads_first", axis=1, mask_axis="time"):
    """NumPy attention pooling, with switches for the mistakes the hints name."""
    batch, length, features = x.shape
    heads, head_dim = query.shape
    keys = x.reshape(batch, length, heads, head_dim).astype("float64")
    logits = np.einsum("bthd,hd->bth", keys, query) / (scale or math.sqrt(head_dim))
    if mask is not None:
        keep = mask[:, :, None] if mask_axis == "time" else mask[:, None, :]
        logits = np.where(keep, logits, -1e9)
    weights = _softmax(logits, axis=axis)
    pooled = np.einsum("bth,bthd->bhd", weights, keys)
    if merge == "dims_first":
        pooled = pooled.transpose(0, 2, 1)
    return pooled.reshape(batch, features)


def _pooling_hint(received, x, query, mask):
    """The sentence naming the mistake whose output `received` is, or ''."""
    features = x.shape[-1]
    candidates = [
        (
            {"scale": math.sqrt(features)},
            " (sqrt(features)로 나눴습니다: 머리 하나의 차원 sqrt(head_dim)으로 나누세요)",
        ),
        ({"scale": 1.0}, " (로짓을 sqrt(head_dim)으로 나누지 않았습니다)"),
        (
            {"merge": "dims_first"},
            " (머리를 잘못된 순서로 이었습니다: (batch, heads, head_dim)을 그대로 "
            "(batch, features)로 펴야 머리 0이 앞쪽 특성이 됩니다)",
        ),
        ({"axis": 2}, " (softmax를 머리 축에 걸었습니다: 시간 축을 따라 정규화하세요)"),
    ]
    if mask is not None:
        candidates += [
            ({"mask": None}, " (마스크를 무시했습니다: 가려진 단계의 로짓을 아주 작은 값으로)"),
        ]
        if x.shape[1] == query.shape[0]:
            candidates.append(
                (
                    {"mask_axis": "heads"},
                    " (마스크를 머리 축에 걸었습니다: (batch, T) 마스크는 로짓 (batch, T, heads)의 "
                    "시간 축에 맞춰 ops.expand_dims(mask, -1)로 펼치세요)",
                )
            )
    for change, hint in candidates:
        options = {"mask": mask, **change}
        if _close(received, _pooling(x, query, **options)):
            return hint
    return ""


def _pooling_cases():
    rng = np.random.default_rng(SEED + 11)
    first = rng.normal(size=(2, 5, 8)).astype("float32")
    second = rng.normal(size=(3, 4, 12)).astype("float32")
    second_mask = np.array([[1, 1, 1, 0], [1, 1, 1, 1], [1, 0, 0, 0]], bool)
    first_mask = np.array([[1, 1, 1, 1, 0], [1, 1, 0, 0, 0]], bool)
    return [(2, first, first_mask), (4, second, second_mask)]


def _set_query(layer, heads, head_dim, seed):
    query = np.random.default_rng(seed).normal(size=(heads, head_dim)).astype("float32")
    layer.trainable_weights[0].assign(query)
    return query


@quiet_tensorflow_logs
@exercise("연습 11-1 AttentionPooling 층", "AttentionPooling")
def check_attention_pooling(layer_class):
    """연습 11-1: 배운 쿼리로 시퀀스를 머리마다 요약하는 `AttentionPooling` 층을 채점합니다.

    기대하는 것: `layer_class(num_heads, **kwargs)`로 만들고, `(batch, T, features)` 입력을
    `num_heads`개의 머리로 나눠 머리마다 배운 쿼리 하나로 시간 축을 어텐션 풀링한 뒤 머리들을
    이어 `(batch, features)`를 돌려주는 층. 요구 사항과 확인 항목의 대응은 모듈 설명에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_attention_pooling(AttentionPooling)  # doctest: +SKIP
    ✅ 연습 11-1 AttentionPooling 층: 통과했습니다 (15개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 11-1 AttentionPooling 층")
    with checker:
        checker.call("AttentionPooling(2) 만들기", layer_class, 2)
        named = checker.call('AttentionPooling(4, name="pool") 만들기', layer_class, 4, name="pool")
        checker.require_equal("name= 인자로 준 층 이름", "pool", named.name)
        checker.expect_value_error(
            "AttentionPooling(0)", lambda: layer_class(0), mentions=("num_heads", "0")
        )
        for index, (heads, x, mask) in enumerate(_pooling_cases()):
            _check_pooling_case(checker, layer_class, heads, x, mask, seed=SEED + index)
        _check_pooling_mask_and_shapes(checker, layer_class)
    return checker.report()


def _check_pooling_case(checker, layer_class, heads, x, mask, seed):
    features = x.shape[-1]
    head_dim = features // heads
    label = f"머리 {heads}개, 입력 {x.shape}"
    layer = checker.call(f"AttentionPooling({heads}) 만들기", layer_class, heads)
    checker.call(f"{label}의 모양으로 build()", layer.build, x.shape)
    shapes = [tuple(w.shape) for w in layer.trainable_weights]
    checker.require(
        shapes == [(heads, head_dim)],
        f"{label}: 훈련 가능 가중치는 (num_heads, head_dim) = {(heads, head_dim)} 모양 하나여야 "
        f"하는데 {shapes}입니다 (build()에서 input_shape[-1] // num_heads로 head_dim을 구하세요).",
    )
    query = _set_query(layer, heads, head_dim, seed)
    for what, kwargs, case_mask in (
        ("마스크 없이", {}, None),
        ("마스크와 함께", {"mask": mask}, mask),
    ):
        y = _numpy(checker.call(f"{label}를 {what} 호출", layer, x, **kwargs))
        expected = _pooling(x, query, case_mask)
        checker.require_equal(f"{label}를 {what} 호출한 출력 모양", expected.shape, y.shape)
        checker.require(
            _close(y, expected),
            f"{label}를 {what} 호출한 출력이 {short_array(expected)}이어야 하는데 "
            f"{short_array(y)}입니다{_pooling_hint(y, x, query, case_mask)}.",
        )


def _check_pooling_mask_and_shapes(checker, layer_class):
    layer = checker.call("AttentionPooling(2) 만들기", layer_class, 2)
    output_mask = checker.call(
        "compute_mask() 호출",
        layer.compute_mask,
        np.zeros((1, 3, 8), "float32"),
        np.array([[True, True, False]]),
    )
    checker.require(
        output_mask is None,
        "compute_mask()는 None을 돌려줘야 합니다 (시간 축이 사라지므로 마스크를 소비합니다).",
    )
    embedding = keras.layers.Embedding(
        10, 8, mask_zero=True, embeddings_initializer=keras.initializers.RandomNormal(seed=SEED)
    )
    short = _numpy(checker.call("짧은 입력 호출", layer, embedding(np.array([[3, 1, 4]]))))
    padded = _numpy(checker.call("패딩한 입력 호출", layer, embedding(np.array([[3, 1, 4, 0, 0]]))))
    checker.require(
        _close(padded, short, atol=1e-5),
        f"Embedding(mask_zero=True) 뒤에서 패딩(0)을 덧붙여도 출력이 {short_array(short)}으로 "
        f"같아야 하는데 {short_array(padded)}입니다 (call()의 마스크 인자 이름은 mask여야 하고, "
        "self.supports_masking = True로 두세요).",
    )
    symbolic = checker.call(
        "keras.Input((None, 8))로 심볼릭 호출", layer_class(2), keras.Input((None, 8))
    )
    checker.require_equal(
        "keras.Input((None, 8))로 호출한 출력 모양", (None, 8), tuple(symbolic.shape)
    )
    x = _pooling_cases()[0][1]
    eager = _numpy(layer(x))
    inside = checker.call(
        "컴파일된 함수 안에서 호출", lambda: _numpy(compiled(lambda v: layer(v), state=layer)(x))
    )
    checker.require_close("컴파일된 함수 안에서 호출한 출력", eager, inside, atol=1e-5)


# ---------------------------------------------------------------- 연습 11-2


def _local_mask(length, window):
    i = np.arange(length)[:, None]
    j = np.arange(length)[None, :]
    return (j <= i) & (j > i - window)


def _local_mask_hint(received, length, window):
    i = np.arange(length)[:, None]
    j = np.arange(length)[None, :]
    candidates = [
        ((j < i) & (j > i - window - 1), " (자기 자신(대각선)을 뺐습니다: j <= i여야 합니다)"),
        ((j < i) & (j >= i - window), " (자기 자신(대각선)을 뺐습니다: j <= i여야 합니다)"),
        ((j <= i) & (j >= i - window), f" (창이 하나 넓습니다: 자기 자신을 포함해 {window}개)"),
        ((j >= i) & (j < i + window), " (위아래가 바뀌었습니다: 쿼리 i는 앞쪽 키 j <= i를 봅니다)"),
        (j <= i, " (창을 무시한 보통의 인과 마스크입니다)"),
    ]
    for candidate, hint in candidates:
        if received.shape == candidate.shape and np.array_equal(received, candidate):
            return hint
    return ""


def _mask_text(mask):
    return "[" + ", ".join("".join("1" if v else "0" for v in row) for row in mask) + "]"


@quiet_tensorflow_logs
@exercise("연습 11-2 창이 있는 인과 마스크", "local_causal_mask")
def check_local_causal_mask(fn):
    """연습 11-2: 창이 있는 인과 마스크 함수 `local_causal_mask(x, window)`를 채점합니다.

    기대하는 것: `(batch, T, features)` 입력 `x`의 길이 `T`로 `(T, T)` 불리언 텐서를 만들어
    쿼리 `i`가 `i - window < j <= i`인 키 `j`만 보게 하는 함수. 요구 사항과 확인 항목의 대응은
    모듈 설명에 있습니다.

    Args:
        fn: 독자가 만든 함수.

    Returns:
        `CheckReport`.

    Example:

    >>> check_local_causal_mask(local_causal_mask)  # doctest: +SKIP
    ✅ 연습 11-2 창이 있는 인과 마스크: 통과했습니다 (14개 항목 확인).
    """
    checker = Checker("연습 11-2 창이 있는 인과 마스크")
    with checker:
        checker.require(callable(fn), "local_causal_mask에는 함수를 넘기세요.")
        for length, window in ((5, 2), (5, 1), (7, 3), (4, 6)):
            x = np.zeros((2, length, 3), "float32")
            what = f"길이 {length}, window={window}"
            mask = checker.call(f"{what}로 호출", fn, x, window)
            dtype = keras.backend.standardize_dtype(mask.dtype)
            checker.require(
                dtype == "bool",
                f"{what}: 불리언 텐서여야 attention_mask로 쓸 수 있는데 자료형이 {dtype}입니다 "
                "(비교 연산의 결과를 그대로 돌려주세요).",
            )
            received = _numpy(mask)
            expected = _local_mask(length, window)
            checker.require_equal(f"{what}: 마스크 모양", expected.shape, received.shape)
            checker.require(
                np.array_equal(received, expected),
                f"{what}: 마스크(행이 쿼리, 1이 보는 키)가 {_mask_text(expected)}이어야 하는데 "
                f"{_mask_text(received)}입니다{_local_mask_hint(received, length, window)}.",
            )
        x = np.zeros((1, 6, 2), "float32")
        inside = checker.call(
            "컴파일된 함수 안에서 호출", lambda: _numpy(compiled(lambda v: fn(v, 2))(x))
        )
        checker.require(
            np.array_equal(inside, _local_mask(6, 2)),
            "컴파일된 함수 안에서 호출한 마스크가 즉시 실행과 다릅니다.",
        )
        for bad in (0, 1.5):
            checker.expect_value_error(
                f"window={bad}", fn, x, bad, mentions=("window", f"window={bad}")
            )
        _check_mask_in_attention(checker, fn)
    return checker.report()


def _check_mask_in_attention(checker, fn):
    from companion.layers.multi_head_attention import SimpleMultiHeadAttention

    x = np.random.default_rng(SEED).normal(size=(2, 6, 4)).astype("float32")
    mask = checker.call("window=3 마스크 만들기", fn, x, 3)
    attention_mask = keras.ops.broadcast_to(keras.ops.expand_dims(mask, 0), (2, 6, 6))
    layer = SimpleMultiHeadAttention(2, 2)
    _, scores = checker.call(
        "SimpleMultiHeadAttention의 attention_mask로 쓰기",
        layer,
        x,
        x,
        attention_mask=attention_mask,
        return_attention_scores=True,
    )
    outside = ~_local_mask(6, 3)
    checker.require(
        np.all(_numpy(scores)[:, :, outside] == 0.0),
        "attention_mask로 썼을 때 창 밖 키의 가중치가 0이 아닙니다.",
    )


# ---------------------------------------------------------------- 연습 11-3


def _decayed(x, decay, mask=None, carry=True, decay_input=False, last_only=False):
    state = np.zeros((x.shape[0], x.shape[2]))
    states = []
    for t in range(x.shape[1]):
        if decay_input:
            new = state + decay * x[:, t]
        else:
            new = (decay * state if carry else 0.0) + x[:, t]
        state = new if mask is None else np.where(mask[:, t, None], new, state)
        states.append(state)
    if last_only:
        return state
    return np.stack(states, axis=1)


def _decayed_hint(received, x, decay, mask):
    candidates = [
        (
            {"carry": False},
            " (상태를 다음 단계에 넘기지 않았습니다: scan의 한 단계 함수는 (새 상태, 출력)을 "
            "돌려주고, 새 상태 = decay * 이전 상태 + x_t입니다)",
        ),
        ({"decay_input": True}, " (decay를 입력에 곱했습니다: 이전 상태에 곱하세요)"),
        ({"last_only": True}, " (마지막 상태만 돌려줬습니다: scan이 모은 모든 단계를 돌려주세요)"),
    ]
    if mask is not None:
        candidates.append(({"mask": None}, " (마스크를 무시했습니다)"))
    for change, hint in candidates:
        options = {"mask": mask, **change}
        if _close(received, _decayed(x, decay, **options)):
            return hint
    swapped = np.swapaxes(x, 0, 1)
    if received.shape == x.shape and mask is None:
        along_batch = np.swapaxes(_decayed(swapped, decay), 0, 1)
        if _close(received, along_batch):
            return (
                " (배치 축을 따라 돌았습니다: scan은 첫 축을 따라 도므로 "
                "ops.transpose(x, (1, 0, 2))로 시간 축을 앞으로 보내세요)"
            )
    return ""


@quiet_tensorflow_logs
@exercise("연습 11-3 DecayedCumsum 층", "DecayedCumsum")
def check_decayed_cumsum(layer_class):
    """연습 11-3: `ops.scan`으로 감쇠 누적합 `h_t = decay · h_{t-1} + x_t`를 내는 층을 채점합니다.

    기대하는 것: `layer_class(decay, **kwargs)`로 만들고 `(batch, T, features)` 입력의 모든 단계
    상태를 돌려주며, 마스크가 가린 단계에서는 상태를 그대로 두는 층. 요구 사항과 확인 항목의
    대응은 모듈 설명에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_decayed_cumsum(DecayedCumsum)  # doctest: +SKIP
    ✅ 연습 11-3 DecayedCumsum 층: 통과했습니다 (16개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 11-3 DecayedCumsum 층")
    rng = np.random.default_rng(SEED + 3)
    with checker:
        checker.call("DecayedCumsum(0.5) 만들기", layer_class, 0.5)
        named = checker.call('DecayedCumsum(0.9, name="ema") 만들기', layer_class, 0.9, name="ema")
        checker.require_equal("name= 인자로 준 층 이름", "ema", named.name)
        for bad in (0, 1.5):
            checker.expect_value_error(
                f"DecayedCumsum({bad})",
                lambda bad=bad: layer_class(bad),
                mentions=("decay", f"decay={bad}"),
            )
        cases = (
            (0.5, rng.normal(size=(2, 5, 3)).astype("float32")),
            (0.9, rng.normal(size=(3, 4, 2)).astype("float32")),
        )
        for decay, x in cases:
            layer = checker.call(f"DecayedCumsum({decay}) 만들기", layer_class, decay)
            _check_decayed_values(checker, layer, decay, x, None)
            mask = np.ones(x.shape[:2], bool)
            mask[0, 2:] = False
            mask[-1, 1] = False
            _check_decayed_values(checker, layer, decay, x, mask)
        checker.expect_equal("DecayedCumsum의 가중치 개수", 0, len(layer_class(0.5).weights))
        _check_decayed_mask_and_lengths(checker, layer_class, rng)
    return checker.report()


def _check_decayed_values(checker, layer, decay, x, mask):
    what = f"decay={decay}, 입력 {x.shape}" + (", 마스크와 함께" if mask is not None else "")
    kwargs = {} if mask is None else {"mask": mask}
    y = _numpy(checker.call(f"{what} 호출", layer, x, **kwargs))
    expected = _decayed(x, decay, mask)
    hint = _decayed_hint(y, x, decay, mask)
    checker.require(
        _close(y, expected),
        f"{what}: 출력이 {short_array(expected)}이어야 하는데 "
        f"{short_array(y)}입니다 (모양 {expected.shape}, 받은 모양 {y.shape}){hint}.",
    )


class ScanInputsError(Exception):
    """Keras 3.15.1의 TensorFlow `ops.scan`이 길이를 모르는 `xs` 여럿에서 실패했을 때."""

    def __init__(self):
        super().__init__(
            "TensorFlow 백엔드의 ops.scan은 길이를 모를 때 xs에 텐서를 여럿 주면 실패합니다 "
            "(Keras 3.15.1). 마스크를 ops.concatenate로 입력의 마지막 특성에 이어 붙여 텐서 "
            "하나로 넘기세요."
        )


def _symbolic_call(layer, inputs):
    try:
        return layer(inputs)
    except AttributeError as error:
        if "assert_is_compatible_with" in str(error):
            raise ScanInputsError() from None
        raise


def _check_decayed_mask_and_lengths(checker, layer_class, rng):
    layer = checker.call("DecayedCumsum(0.8) 만들기", layer_class, 0.8)
    mask = np.array([[True, True, False]])
    output_mask = checker.call(
        "compute_mask() 호출", layer.compute_mask, np.zeros((1, 3, 2), "float32"), mask
    )
    checker.require(
        output_mask is not None and np.array_equal(_numpy(output_mask), mask),
        "compute_mask()는 받은 마스크를 그대로 돌려줘야 합니다 (모든 단계를 돌려주므로 다음 층도 "
        "패딩을 알아야 합니다).",
    )
    inputs = keras.Input((None, 3))
    outputs = checker.call(
        "keras.Input((None, 3))로 심볼릭 호출", _symbolic_call, layer_class(0.8), inputs
    )
    checker.require_equal(
        "keras.Input((None, 3))로 호출한 출력 모양", (None, None, 3), tuple(outputs.shape)
    )
    model = keras.Model(inputs, outputs)
    for length in (4, 6):
        x = rng.normal(size=(2, length, 3)).astype("float32")
        y = checker.call(
            f"함수형 모델의 predict_on_batch, 길이 {length}", model.predict_on_batch, x
        )
        checker.require_close(
            f"길이 {length}인 입력의 predict_on_batch 출력", _decayed(x, 0.8), y, atol=1e-4
        )
    config = checker.call("get_config()", layer.get_config)
    checker.expect_equal("get_config()의 decay", 0.8, config.get("decay"))
    clone = checker.call("from_config(get_config())", layer_class.from_config, config)
    x = rng.normal(size=(1, 3, 3)).astype("float32")
    checker.expect_close("되살린 층의 출력", _decayed(x, 0.8), _numpy(clone(x)), atol=1e-4)
