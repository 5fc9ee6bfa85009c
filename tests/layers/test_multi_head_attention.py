"""Tests for companion.layers.multi_head_attention (SimpleMultiHeadAttention)."""

import math

import keras
import numpy as np
import pytest
from contract import (
    assert_config_round_trip,
    assert_fit_lowers_loss,
    assert_keras_round_trip,
    assert_weights,
    dtype_of,
    numpy,
    raises_naming,
    raises_showing,
)

from companion import SimpleMultiHeadAttention

RNG = np.random.default_rng(7)
QUERY = RNG.normal(size=(2, 5, 8)).astype("float32")
VALUE = RNG.normal(size=(2, 7, 6)).astype("float32")
KEY = RNG.normal(size=(2, 7, 3)).astype("float32")


def _with_random_weights(layer, seed=3, scale=0.5):
    rng = np.random.default_rng(seed)
    layer.set_weights([scale * rng.normal(size=w.shape).astype("float32") for w in layer.weights])
    return layer


def _built(query=QUERY, value=VALUE, key=None, **kwargs):
    layer = SimpleMultiHeadAttention(num_heads=2, key_dim=4, **kwargs)
    layer(query, value) if key is None else layer(query, value, key=key)
    return _with_random_weights(layer)


def _reference(layer, query, value, key=None, mask=None):
    """NumPy multi-head attention with the layer's weights: (output, weights)."""
    key = value if key is None else key
    wq, bq, wk, bk, wv, bv, wo, bo = (numpy(w).astype("float64") for w in layer.weights)
    q = np.einsum("btd,dnh->btnh", query, wq) + bq
    k = np.einsum("bsd,dnh->bsnh", key, wk) + bk
    v = np.einsum("bsd,dnh->bsnh", value, wv) + bv
    logits = np.einsum("btnh,bsnh->bnts", q, k) / math.sqrt(q.shape[-1])
    if mask is not None:
        logits = np.where(mask[:, None], logits, -1e9)
    logits -= logits.max(axis=-1, keepdims=True)
    weights = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    heads = np.einsum("bnts,bsnh->btnh", weights, v)
    return np.einsum("btnh,nho->bto", heads, wo) + bo, weights


def _mha_with_same_weights(layer, query=QUERY, value=VALUE):
    mha = keras.layers.MultiHeadAttention(num_heads=layer.num_heads, key_dim=layer.key_dim)
    mha(query, value)
    mha.set_weights(layer.get_weights())
    return mha


def test_basics_weights_shapes_and_values():
    layer = _built(name="attention")
    assert_weights(
        layer,
        trainable=8,
        paths=[
            f"attention/{part}_{kind}"
            for part in ("query", "key", "value", "output")
            for kind in ("kernel", "bias")
        ],
        shapes=[(8, 2, 4), (2, 4), (6, 2, 4), (2, 4), (6, 2, 4), (2, 4), (2, 4, 8), (8,)],
    )
    output, scores = layer(QUERY, VALUE, return_attention_scores=True)
    expected, expected_scores = _reference(layer, QUERY, VALUE)
    assert tuple(output.shape) == (2, 5, 8) and tuple(scores.shape) == (2, 2, 5, 7)
    np.testing.assert_allclose(numpy(output), expected, atol=1e-5)
    np.testing.assert_allclose(numpy(scores), expected_scores, atol=1e-6)
    np.testing.assert_allclose(numpy(scores).sum(axis=-1), 1.0, atol=1e-6)


def test_separate_key_and_output_dim_value_dim():
    layer = SimpleMultiHeadAttention(3, 2, value_dim=5, output_dim=4, use_bias=False)
    y = layer(QUERY, VALUE, key=KEY)
    assert tuple(y.shape) == (2, 5, 4)
    assert [tuple(w.shape) for w in layer.weights] == [(8, 3, 2), (3, 3, 2), (6, 3, 5), (3, 5, 4)]
    assert layer.compute_output_shape((None, 5, 8), (None, 7, 6), (None, 7, 3)) == (None, 5, 4)


@pytest.mark.parametrize("use_causal_mask", [False, True])
@pytest.mark.parametrize("implementation", ["einsum", "fused"])
def test_matches_keras_multi_head_attention_with_the_same_weights(implementation, use_causal_mask):
    value = QUERY[:, :, :6] if use_causal_mask else VALUE
    layer = SimpleMultiHeadAttention(2, 4, implementation=implementation)
    layer(QUERY, value)
    _with_random_weights(layer)
    mha = _mha_with_same_weights(layer, QUERY, value)
    mine = numpy(layer(QUERY, value, use_causal_mask=use_causal_mask))
    theirs = numpy(mha(QUERY, value, use_causal_mask=use_causal_mask))
    np.testing.assert_allclose(mine, theirs, atol=2e-6)


def test_matches_keras_with_masks_attached_by_an_embedding():
    embedding = keras.layers.Embedding(10, 8, mask_zero=True)
    tokens = np.array([[3, 1, 4, 0, 0], [2, 7, 1, 8, 2]])
    x = embedding(tokens)
    layer = _built(query=x, value=x)
    mha = _mha_with_same_weights(layer, x, x)
    np.testing.assert_allclose(numpy(layer(x, x)), numpy(mha(x, x)), atol=2e-6)


def test_masked_keys_get_exactly_zero_weight_and_padding_changes_nothing():
    layer = _built()
    value_mask = np.array([[True] * 4 + [False] * 3, [True] * 7])
    _, scores = layer(QUERY, VALUE, value_mask=value_mask, return_attention_scores=True)
    scores = numpy(scores)
    assert np.all(scores[0, :, :, 4:] == 0.0)
    np.testing.assert_allclose(scores.sum(axis=-1), 1.0, atol=1e-6)
    # The same keys without the padding give the same output for the first sample.
    short = numpy(layer(QUERY[:1], VALUE[:1, :4]))
    padded = numpy(layer(QUERY, VALUE, value_mask=value_mask))[:1]
    np.testing.assert_allclose(padded, short, atol=1e-5)
    full_mask = np.broadcast_to(value_mask[:, None], (2, 5, 7))
    expected, _ = _reference(layer, QUERY, VALUE, mask=full_mask)
    received = numpy(layer(QUERY, VALUE, value_mask=value_mask))
    np.testing.assert_allclose(received, expected, atol=1e-5)


def test_causal_mask_hides_the_future():
    layer = _built(value=QUERY[:, :, :6])
    value = QUERY[:, :, :6]
    _, scores = layer(QUERY, value, use_causal_mask=True, return_attention_scores=True)
    upper = np.triu(np.ones((5, 5), bool), k=1)
    assert np.all(numpy(scores)[:, :, upper] == 0.0)
    assert np.all(numpy(scores)[:, :, ~upper] > 0.0)  # the diagonal is kept, not off by one
    changed = value.copy()
    changed[:, 3:] += 10.0
    # Changing the keys and values from step 3 on leaves the first three outputs alone.
    before = numpy(layer(QUERY, value, use_causal_mask=True))
    after = numpy(layer(QUERY, changed, use_causal_mask=True))
    np.testing.assert_allclose(after[:, :3], before[:, :3], atol=1e-5)
    assert not np.allclose(after[:, 3:], before[:, 3:])


def test_query_mask_attention_mask_and_key_mask_combine():
    layer = _built(key=KEY)
    query_mask = np.array([[True] * 3 + [False] * 2, [True] * 5])
    key_mask = np.array([[True] * 6 + [False], [False] + [True] * 6])
    attention_mask = np.ones((2, 5, 7), bool)
    attention_mask[:, 0, 0] = False
    _, scores = layer(
        QUERY,
        VALUE,
        key=KEY,
        query_mask=query_mask,
        key_mask=key_mask,
        attention_mask=attention_mask,
        return_attention_scores=True,
    )
    combined = query_mask[:, :, None] & key_mask[:, None, :] & attention_mask
    _, expected = _reference(layer, QUERY, VALUE, key=KEY, mask=combined)
    np.testing.assert_allclose(numpy(scores), expected, atol=1e-6)
    # A padded query row attends to nothing: its weights are spread evenly over all keys.
    np.testing.assert_allclose(numpy(scores)[0, :, 3:], 1.0 / 7, atol=1e-6)


def test_keras_fills_query_mask_and_value_mask_and_the_output_keeps_the_query_mask():
    received = {}

    class Recording(SimpleMultiHeadAttention):
        def call(self, query, value, key=None, query_mask=None, value_mask=None):
            received.update(query_mask=query_mask, value_mask=value_mask)
            return super().call(query, value, key, query_mask=query_mask, value_mask=value_mask)

    embedding = keras.layers.Embedding(10, 4, mask_zero=True)
    query, value = embedding(np.array([[1, 2, 0]])), embedding(np.array([[3, 0, 0, 0]]))
    layer = Recording(2, 2)
    layer(query, value)
    np.testing.assert_array_equal(numpy(received["query_mask"]), [[True, True, False]])
    np.testing.assert_array_equal(numpy(received["value_mask"]), [[True, False, False, False]])
    mask = layer.compute_mask(query, numpy(received["query_mask"]))
    np.testing.assert_array_equal(numpy(mask), [[True, True, False]])


def test_fused_implementation_gives_the_same_values_and_falls_back_for_scores():
    einsum = _built()
    fused = SimpleMultiHeadAttention(2, 4, implementation="fused")
    fused(QUERY, VALUE)
    fused.set_weights(einsum.get_weights())
    mask = np.array([[True] * 4 + [False] * 3, [True] * 7])
    for kwargs in ({}, {"value_mask": mask}):
        np.testing.assert_allclose(
            numpy(fused(QUERY, VALUE, **kwargs)), numpy(einsum(QUERY, VALUE, **kwargs)), atol=2e-6
        )
    output, scores = fused(QUERY, VALUE, return_attention_scores=True)
    assert tuple(scores.shape) == (2, 2, 5, 7)
    np.testing.assert_allclose(numpy(output), numpy(einsum(QUERY, VALUE)), atol=2e-6)


def test_symbolic_call_gives_tuple_shapes_and_float32_scores():
    query, value = keras.Input((None, 8)), keras.Input((7, 6))
    layer = SimpleMultiHeadAttention(2, 4)
    output, scores = layer(query, value, return_attention_scores=True)
    assert output.shape == (None, None, 8) and dtype_of(output) == "float32"
    assert scores.shape == (None, 2, None, 7) and dtype_of(scores) == "float32"
    model = keras.Model([query, value], [output, scores])
    real_output, real_scores = model.predict([QUERY, VALUE], verbose=0)
    assert real_output.shape == (2, 5, 8) and real_scores.shape == (2, 2, 5, 7)
    assert layer.get_build_config() == {
        "shapes_dict": {"query_shape": (None, None, 8), "value_shape": (None, 7, 6)}
    }


def test_config_round_trip_and_keras_file(tmp_path):
    layer = SimpleMultiHeadAttention(
        2, 3, value_dim=5, output_dim=4, implementation="fused", name="attention"
    )
    assert_config_round_trip(
        layer,
        (QUERY, VALUE),
        call=lambda lay, x: lay(x[0], x[1], use_causal_mask=False),
        num_heads=2,
        key_dim=3,
        value_dim=5,
        output_dim=4,
        implementation="fused",
    )
    query, value = keras.Input((None, 8)), keras.Input((None, 6))
    model = keras.Model(
        [query, value], SimpleMultiHeadAttention(2, 4, name="attention")(query, value)
    )
    assert_keras_round_trip(
        model, [QUERY, VALUE], tmp_path, layer="attention", layer_type=SimpleMultiHeadAttention
    )


def test_fit_lowers_the_loss_and_gradients_reach_every_weight():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6, 4)).astype("float32")
    y = np.cumsum(x, axis=1)[:, :, :1].mean(axis=-1, keepdims=True).astype("float32")
    inputs = keras.Input((6, 4))
    attention = SimpleMultiHeadAttention(2, 4, name="attention")
    outputs = keras.layers.Dense(1)(attention(inputs, inputs, use_causal_mask=True))
    model = keras.Model(inputs, outputs)
    before = [numpy(w).copy() for w in attention.weights]
    assert_fit_lowers_loss(
        model, x, y, epochs=20, batch_size=16, optimizer=keras.optimizers.Adam(0.01),
        loss="mse", factor=0.7,
    )  # fmt: skip
    changed = [not np.allclose(b, numpy(w)) for b, w in zip(before, attention.weights, strict=True)]
    assert all(changed), [w.path for w, c in zip(attention.weights, changed, strict=True) if not c]


@pytest.mark.parametrize("implementation", ["einsum", "fused"])
def test_mixed_float16_keeps_float32_weights_and_a_float32_softmax(implementation):
    layer = SimpleMultiHeadAttention(2, 4, dtype="mixed_float16", implementation=implementation)
    layer(QUERY, VALUE)
    _with_random_weights(layer)
    output, scores = layer(QUERY, VALUE, return_attention_scores=True)
    assert dtype_of(output) == "float16" and dtype_of(scores) == "float32"
    assert all(dtype_of(w) == "float32" for w in layer.weights)
    assert dtype_of(layer(QUERY, VALUE)) == "float16"
    np.testing.assert_allclose(numpy(scores).sum(axis=-1), 1.0, atol=1e-6)
    expected, expected_scores = _reference(layer, QUERY, VALUE)
    np.testing.assert_allclose(numpy(scores), expected_scores, atol=5e-3)
    np.testing.assert_allclose(numpy(output).astype("float32"), expected, atol=5e-2)


def test_masked_logits_are_exactly_zero_under_mixed_float16():
    layer = SimpleMultiHeadAttention(2, 4, dtype="mixed_float16")
    mask = np.array([[True, False, True, False, True, True, True]] * 2)
    _, scores = layer(QUERY, VALUE, value_mask=mask, return_attention_scores=True)
    assert np.all(numpy(scores)[:, :, :, [1, 3]] == 0.0)


def test_works_inside_compiled_predict_with_unknown_lengths():
    query, value = keras.Input((None, 8)), keras.Input((None, 6))
    layer = SimpleMultiHeadAttention(2, 4)
    model = keras.Model([query, value], layer(query, value, use_causal_mask=True))
    for length in (3, 6):
        x = QUERY[:, :length]
        v = VALUE[:, :length]
        np.testing.assert_allclose(
            model.predict_on_batch([x, v]), numpy(layer(x, v, use_causal_mask=True)), atol=1e-5
        )


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("num_heads", 0),
        ("num_heads", 2.5),
        ("key_dim", -1),
        ("value_dim", 0),
        ("output_dim", "8"),
        ("use_bias", 1),
        ("implementation", "flash"),
        ("kernel_initializer", "no_such_initializer"),
    ],
)
def test_bad_arguments_name_the_argument_and_the_value(argument, value):
    kwargs = {"num_heads": 2, "key_dim": 4, argument: value}
    with raises_naming(argument, value):
        SimpleMultiHeadAttention(**kwargs)


def test_bad_inputs_are_refused_with_their_shapes():
    layer = _built()
    with raises_showing("(2, 5)"):
        SimpleMultiHeadAttention(2, 4)(QUERY[:, :, 0], VALUE)
    with raises_showing("value.shape=(2, 7, 5)"):
        layer(QUERY, VALUE[:, :, :5])
    with raises_showing("value_mask.shape=(2, 6)"):
        layer(QUERY, VALUE, value_mask=np.ones((2, 6), bool))
    with raises_showing("attention_mask.shape=(2, 7, 5)"):
        layer(QUERY, VALUE, attention_mask=np.ones((2, 7, 5), bool))
    with raises_showing("key.shape=(2, 6, 6)"):
        _built()(QUERY, VALUE, key=VALUE[:, :6])
    with raises_showing("query.dtype=int32"):
        layer(QUERY.astype("int32"), VALUE)
    with raises_showing("value_shape=(None, 7, 6)", "key_shape=(None, 5, 6)"):
        layer.compute_output_shape((None, 5, 8), (None, 7, 6), (None, 5, 6))
    with raises_showing("input_shape=(None, 7, None)"):
        SimpleMultiHeadAttention(2, 4).build((None, 5, 8), (None, 7, None))
