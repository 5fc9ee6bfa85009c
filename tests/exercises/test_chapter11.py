"""Chapter 11 checkers: right solutions written differently pass; the mistakes learners make with
attention, masks and scans fail with the sentence that names them."""

import math

import keras
import pytest
from exercise_reports import assert_fails_with, assert_passes_quickly
from keras import ops

from companion import check_attention_pooling, check_decayed_cumsum, check_local_causal_mask

# --- Exercise 11-1: AttentionPooling ---------------------------------------------------------


class AttentionPooling(keras.layers.Layer):
    def __init__(self, num_heads, **kwargs):
        if not isinstance(num_heads, int) or num_heads < 1:
            raise ValueError(f"num_heads는 양의 정수여야 합니다. 받은 값: num_heads={num_heads!r}")
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.supports_masking = True

    def build(self, input_shape):
        self.head_dim = input_shape[-1] // self.num_heads
        self.query = self.add_weight(
            name="query", shape=(self.num_heads, self.head_dim), initializer="glorot_uniform"
        )

    def split(self, inputs):
        batch, length = ops.shape(inputs)[0], ops.shape(inputs)[1]
        return ops.reshape(inputs, (batch, length, self.num_heads, self.head_dim))

    def call(self, inputs, mask=None):
        keys = self.split(inputs)
        logits = ops.einsum("bthd,hd->bth", keys, self.query) / math.sqrt(self.head_dim)
        if mask is not None:
            logits = ops.where(ops.expand_dims(mask, -1), logits, -1e9)
        weights = ops.softmax(logits, axis=1)
        pooled = ops.einsum("bth,bthd->bhd", weights, keys)
        return ops.reshape(pooled, (ops.shape(inputs)[0], self.num_heads * self.head_dim))

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads}


class TransposedHeadsPooling(keras.layers.Layer):
    """A different right answer: heads first with transpose/matmul, mask as an additive bias."""

    def __init__(self, num_heads, name=None, **kwargs):
        if not (isinstance(num_heads, int) and num_heads > 0):
            raise ValueError(f"받은 값: num_heads={num_heads}")
        super().__init__(name=name, **kwargs)
        self.heads = num_heads
        self.supports_masking = True

    def build(self, input_shape):
        self.dim = input_shape[-1] // self.heads
        self.q = self.add_weight(shape=(self.heads, self.dim), name="q")

    def call(self, x, mask=None):
        b, t = ops.shape(x)[0], ops.shape(x)[1]
        k = ops.transpose(ops.reshape(x, (b, t, self.heads, self.dim)), (0, 2, 1, 3))  # b h t d
        scores = ops.squeeze(ops.matmul(k, ops.expand_dims(self.q, -1)), -1)  # b h t
        scores = scores * (self.dim**-0.5)
        if mask is not None:
            scores = scores + (1.0 - ops.cast(mask[:, None, :], scores.dtype)) * -1e9
        w = ops.softmax(scores, axis=-1)
        pooled = ops.squeeze(ops.matmul(ops.expand_dims(w, 2), k), 2)  # b h d
        return ops.reshape(pooled, (b, self.heads * self.dim))

    def compute_mask(self, x, mask=None):
        return None


class ScaledByFeatures(AttentionPooling):
    def call(self, inputs, mask=None):
        keys = self.split(inputs)
        logits = ops.einsum("bthd,hd->bth", keys, self.query) / math.sqrt(inputs.shape[-1])
        if mask is not None:
            logits = ops.where(ops.expand_dims(mask, -1), logits, -1e9)
        pooled = ops.einsum("bth,bthd->bhd", ops.softmax(logits, axis=1), keys)
        return ops.reshape(pooled, (ops.shape(inputs)[0], -1))


class MergedInTheWrongOrder(AttentionPooling):
    def call(self, inputs, mask=None):
        keys = self.split(inputs)
        logits = ops.einsum("bthd,hd->bth", keys, self.query) / math.sqrt(self.head_dim)
        if mask is not None:
            logits = ops.where(ops.expand_dims(mask, -1), logits, -1e9)
        pooled = ops.einsum("bth,bthd->bdh", ops.softmax(logits, axis=1), keys)
        return ops.reshape(pooled, (ops.shape(inputs)[0], -1))


class MaskOnTheHeadAxis(AttentionPooling):
    def call(self, inputs, mask=None):
        keys = self.split(inputs)
        logits = ops.einsum("bthd,hd->bth", keys, self.query) / math.sqrt(self.head_dim)
        if mask is not None:
            logits = ops.where(ops.expand_dims(mask, 1), logits, -1e9)
        pooled = ops.einsum("bth,bthd->bhd", ops.softmax(logits, axis=1), keys)
        return ops.reshape(pooled, (ops.shape(inputs)[0], -1))


class MaskIgnored(AttentionPooling):
    def call(self, inputs, mask=None):
        return super().call(inputs, mask=None)


class SoftmaxOverHeads(AttentionPooling):
    def call(self, inputs, mask=None):
        keys = self.split(inputs)
        logits = ops.einsum("bthd,hd->bth", keys, self.query) / math.sqrt(self.head_dim)
        pooled = ops.einsum("bth,bthd->bhd", ops.softmax(logits, axis=2), keys)
        return ops.reshape(pooled, (ops.shape(inputs)[0], -1))


class QueryOfAllFeatures(AttentionPooling):
    def build(self, input_shape):
        self.head_dim = input_shape[-1] // self.num_heads
        self.query = self.add_weight(name="query", shape=(input_shape[-1],))


class KeepsTheMask(AttentionPooling):
    compute_mask = keras.layers.Layer.compute_mask


@pytest.mark.parametrize("solution", [AttentionPooling, TransposedHeadsPooling])
def test_attention_pooling_right_solutions_pass(solution):
    report = assert_passes_quickly(check_attention_pooling, solution, seconds=30)
    assert report.checks >= 15


@pytest.mark.parametrize(
    ("solution", "fragments"),
    [
        (ScaledByFeatures, ["sqrt(features)로 나눴습니다"]),
        (MergedInTheWrongOrder, ["머리를 잘못된 순서로 이었습니다"]),
        (MaskIgnored, ["마스크를 무시했습니다"]),
        (SoftmaxOverHeads, ["softmax를 머리 축에 걸었습니다"]),
        (QueryOfAllFeatures, ["(num_heads, head_dim) = (2, 4) 모양 하나"]),
        (KeepsTheMask, ["compute_mask()는 None을 돌려줘야"]),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
def test_attention_pooling_mistakes_are_named(solution, fragments):
    assert_fails_with(check_attention_pooling(solution), *fragments)


def test_a_mask_on_the_head_axis_is_named_where_its_shape_allows_it():
    # With 5 steps and 2 heads the broadcast fails (an exception is reported); the checker's
    # second case has as many steps as heads (4), where the wrong axis gives values.
    report = check_attention_pooling(MaskOnTheHeadAxis)
    assert_fails_with(report, "마스크와 함께 호출 중에 예외가 났습니다")

    class FourStepsFirst(MaskOnTheHeadAxis):
        pass

    from companion.exercises import chapter11

    x, mask = chapter11._pooling_cases()[1][1:]
    layer = FourStepsFirst(4)
    layer(x)
    query = chapter11._set_query(layer, 4, 3, seed=0)
    received = ops.convert_to_numpy(layer(x, mask=mask))
    assert "머리 축에 걸었습니다" in chapter11._pooling_hint(received, x, query, mask)


def test_attention_pooling_refuses_an_instance_and_waits_for_none():
    assert "클래스 자체를" in str(check_attention_pooling(AttentionPooling(2)))
    assert str(check_attention_pooling(None)).startswith("⏳")


# --- Exercise 11-2: local_causal_mask ---------------------------------------------------------


def local_causal_mask(x, window):
    if not isinstance(window, int) or window < 1:
        raise ValueError(f"window는 양의 정수여야 합니다. 받은 값: window={window!r}")
    length = ops.shape(x)[1]
    i = ops.expand_dims(ops.arange(length), 1)
    j = ops.expand_dims(ops.arange(length), 0)
    return ops.logical_and(j <= i, j > i - window)


def band_from_triangles(x, window):
    """A different right answer: the difference of two lower-triangular bands."""
    if isinstance(window, bool) or not isinstance(window, int) or window <= 0:
        raise ValueError(f"window must be positive, got window={window}")
    ones = ops.ones((ops.shape(x)[1], ops.shape(x)[1]))
    causal = ops.tril(ones)
    too_far = ops.tril(ones, k=-window)
    return ops.cast(causal - too_far, "bool")


def without_the_diagonal(x, window):
    length = ops.shape(x)[1]
    i = ops.expand_dims(ops.arange(length), 1)
    j = ops.expand_dims(ops.arange(length), 0)
    if window < 1:
        raise ValueError(f"window={window}")
    return ops.logical_and(j < i, j >= i - window)


def one_too_wide(x, window):
    length = ops.shape(x)[1]
    i = ops.expand_dims(ops.arange(length), 1)
    j = ops.expand_dims(ops.arange(length), 0)
    return ops.logical_and(j <= i, j >= i - window)


def upside_down(x, window):
    return ops.transpose(local_causal_mask(x, window))


def float_mask(x, window):
    return ops.cast(local_causal_mask(x, window), "float32")


def no_window(x, window):
    length = ops.shape(x)[1]
    return ops.cast(ops.tril(ops.ones((length, length))), "bool")


@pytest.mark.parametrize("solution", [local_causal_mask, band_from_triangles])
def test_local_causal_mask_right_solutions_pass(solution):
    report = assert_passes_quickly(check_local_causal_mask, solution, seconds=30)
    assert report.checks >= 12


@pytest.mark.parametrize(
    ("solution", "fragments"),
    [
        (without_the_diagonal, ["자기 자신(대각선)을 뺐습니다"]),
        (one_too_wide, ["창이 하나 넓습니다"]),
        (upside_down, ["위아래가 바뀌었습니다"]),
        (float_mask, ["자료형이 float32입니다"]),
        (no_window, ["창을 무시한 보통의 인과 마스크"]),
    ],
    ids=lambda value: value.__name__ if callable(value) else "",
)
def test_local_causal_mask_mistakes_are_named(solution, fragments):
    assert_fails_with(check_local_causal_mask(solution), *fragments)


def test_a_window_that_is_not_checked_is_named():
    def plain(x, window):
        length = ops.shape(x)[1]
        i = ops.expand_dims(ops.arange(length), 1)
        j = ops.expand_dims(ops.arange(length), 0)
        return ops.logical_and(j <= i, j > i - window)

    assert_fails_with(check_local_causal_mask(plain), "window=0: ValueError가 나야 하는데")


# --- Exercise 11-3: DecayedCumsum -------------------------------------------------------------


class DecayedCumsum(keras.layers.Layer):
    def __init__(self, decay, **kwargs):
        if not 0 < decay <= 1:
            raise ValueError(f"decay는 0보다 크고 1 이하여야 합니다. 받은 값: decay={decay!r}")
        super().__init__(**kwargs)
        self.decay = decay
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            mask = ops.ones_like(inputs[..., 0], dtype="bool")
        # One tensor for scan: the mask rides along as the last feature.
        keep = ops.cast(ops.expand_dims(mask, -1), inputs.dtype)
        steps = ops.transpose(ops.concatenate([inputs, keep], axis=-1), (1, 0, 2))

        def step(state, elements):
            x_t, keep_t = elements[:, :-1], elements[:, -1:]
            new_state = ops.where(keep_t > 0, self.decay * state + x_t, state)
            return new_state, new_state

        _, states = ops.scan(step, ops.zeros_like(inputs[:, 0]), steps)
        return ops.transpose(states, (1, 0, 2))

    def compute_mask(self, inputs, mask=None):
        return mask

    def get_config(self):
        return {**super().get_config(), "decay": self.decay}


class WhileLoopCumsum(keras.layers.Layer):
    """A different right answer: ops.while_loop writing into a stacked result."""

    def __init__(self, decay, name=None, **kwargs):
        if isinstance(decay, bool) or not (0.0 < float(decay) <= 1.0):
            raise ValueError(f"decay out of range: decay={decay}")
        super().__init__(name=name, **kwargs)
        self.decay = float(decay)
        self.supports_masking = True

    def get_config(self):
        config = super().get_config()
        config["decay"] = self.decay
        return config

    def compute_mask(self, inputs, mask=None):
        return mask

    def call(self, x, mask=None):
        length = ops.shape(x)[1]
        keep = ops.ones_like(x[..., :1]) if mask is None else ops.cast(mask[..., None], x.dtype)
        outputs = ops.zeros_like(x)

        def body(t, state, outputs):
            x_t, k_t = x[:, t], keep[:, t]
            state = k_t * (self.decay * state + x_t) + (1.0 - k_t) * state
            outputs = ops.slice_update(outputs, (0, t, 0), ops.expand_dims(state, 1))
            return t + 1, state, outputs

        _, _, outputs = ops.while_loop(
            lambda t, s, o: t < length, body, (0, ops.zeros_like(x[:, 0]), outputs)
        )
        return outputs


class DropsTheCarry(DecayedCumsum):
    def call(self, inputs, mask=None):
        def step(state, x_t):
            return state, self.decay * state + x_t

        _, states = ops.scan(step, ops.zeros_like(inputs[:, 0]), ops.transpose(inputs, (1, 0, 2)))
        return ops.transpose(states, (1, 0, 2))


class DecaysTheInput(DecayedCumsum):
    def call(self, inputs, mask=None):
        def step(state, x_t):
            state = state + self.decay * x_t
            return state, state

        _, states = ops.scan(step, ops.zeros_like(inputs[:, 0]), ops.transpose(inputs, (1, 0, 2)))
        return ops.transpose(states, (1, 0, 2))


class LastStateOnly(DecayedCumsum):
    def call(self, inputs, mask=None):
        return super().call(inputs, mask)[:, -1]


class AlongTheBatch(DecayedCumsum):
    def call(self, inputs, mask=None):
        def step(state, x_b):
            state = self.decay * state + x_b
            return state, state

        _, states = ops.scan(step, ops.zeros_like(inputs[0]), inputs)
        return states


class IgnoresTheMask(DecayedCumsum):
    def call(self, inputs, mask=None):
        return super().call(inputs, None)


class ForgetsTheConfig(DecayedCumsum):
    def get_config(self):
        return super(DecayedCumsum, self).get_config()  # decay left out


class TwoScanInputs(DecayedCumsum):
    """Right on JAX and PyTorch; Keras 3.15.1's TensorFlow scan refuses several xs of unknown
    length, and the checker says how to get around it."""

    def call(self, inputs, mask=None):
        steps = ops.transpose(inputs, (1, 0, 2))
        if mask is None:
            mask = ops.ones_like(inputs[..., 0], dtype="bool")
        keep = ops.expand_dims(ops.transpose(ops.cast(mask, "bool")), -1)

        def step(state, elements):
            x_t, keep_t = elements
            new_state = ops.where(keep_t, self.decay * state + x_t, state)
            return new_state, new_state

        _, states = ops.scan(step, ops.zeros_like(steps[0]), (steps, keep))
        return ops.transpose(states, (1, 0, 2))


def test_two_scan_inputs_get_the_tensorflow_workaround_or_pass():
    report = check_decayed_cumsum(TwoScanInputs)
    if keras.backend.backend() == "tensorflow":
        assert_fails_with(report, "xs에 텐서를 여럿 주면", "ops.concatenate")
    else:
        assert report.passed, report


class DropsTheMask(DecayedCumsum):
    def compute_mask(self, inputs, mask=None):
        return None


@pytest.mark.parametrize("solution", [DecayedCumsum, WhileLoopCumsum])
def test_decayed_cumsum_right_solutions_pass(solution):
    report = assert_passes_quickly(check_decayed_cumsum, solution, seconds=30)
    assert report.checks >= 14


@pytest.mark.parametrize(
    ("solution", "fragments"),
    [
        (DropsTheCarry, ["상태를 다음 단계에 넘기지 않았습니다"]),
        (DecaysTheInput, ["decay를 입력에 곱했습니다"]),
        (LastStateOnly, ["마지막 상태만 돌려줬습니다"]),
        (AlongTheBatch, ["배치 축을 따라 돌았습니다"]),
        (IgnoresTheMask, ["마스크를 무시했습니다"]),
        (DropsTheMask, ["compute_mask()는 받은 마스크를 그대로"]),
        (ForgetsTheConfig, ["get_config()의 decay"]),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
def test_decayed_cumsum_mistakes_are_named(solution, fragments):
    assert_fails_with(check_decayed_cumsum(solution), *fragments)
