"""Tests for companion.layers.scan_rnn (ScanRNN)."""

import keras
import numpy as np
import pytest
from contract import (
    assert_config_round_trip,
    assert_fit_lowers_loss,
    assert_keras_round_trip,
    assert_mixed_float16,
    assert_weights,
    numpy,
    raises_naming,
    raises_showing,
)

from companion import ScanRNN

X = np.random.default_rng(4).normal(size=(3, 6, 4)).astype("float32")
MASK = np.array([[1, 1, 1, 1, 0, 0], [1] * 6, [1, 1, 0, 0, 0, 0]], bool)


def _pair(return_sequences=False):
    """A ScanRNN and a keras.layers.SimpleRNN with the same (non-trivial) weights."""
    reference = keras.layers.SimpleRNN(5, return_sequences=return_sequences)
    layer = ScanRNN(5, return_sequences=return_sequences, name="rnn")
    reference(X)
    layer(X)
    rng = np.random.default_rng(9)
    reference.set_weights([0.5 * rng.normal(size=w.shape) for w in reference.get_weights()])
    layer.set_weights(reference.get_weights())
    return layer, reference


def _numpy_rnn(layer, x, mask=None):
    kernel, recurrent, bias = (numpy(w).astype("float64") for w in layer.weights)
    state = np.zeros((x.shape[0], kernel.shape[1]))
    states = []
    for t in range(x.shape[1]):
        new = np.tanh(x[:, t] @ kernel + state @ recurrent + bias)
        state = new if mask is None else np.where(mask[:, t, None], new, state)
        states.append(state)
    return np.stack(states, axis=1)


def test_basics_weights_and_values():
    layer, _ = _pair(return_sequences=True)
    assert_weights(
        layer,
        trainable=3,
        paths=["rnn/kernel", "rnn/recurrent_kernel", "rnn/bias"],
        shapes=[(4, 5), (5, 5), (5,)],
    )
    np.testing.assert_allclose(numpy(layer(X)), _numpy_rnn(layer, X), atol=1e-5)
    np.testing.assert_allclose(numpy(layer(X, mask=MASK)), _numpy_rnn(layer, X, MASK), atol=1e-5)


@pytest.mark.parametrize("return_sequences", [False, True])
def test_matches_simple_rnn_with_the_same_weights(return_sequences):
    layer, reference = _pair(return_sequences)
    np.testing.assert_allclose(numpy(layer(X)), numpy(reference(X)), atol=1e-5)
    np.testing.assert_allclose(
        numpy(layer(X, mask=MASK)), numpy(reference(X, mask=MASK)), atol=1e-5
    )


def test_the_carry_reaches_the_last_state_and_padding_does_not_change_it():
    layer, _ = _pair()
    last = numpy(layer(X))
    # The last state depends on the first step: the carry was passed along.
    changed = X.copy()
    changed[:, 0] += 1.0
    assert not np.allclose(numpy(layer(changed)), last)
    padded = np.concatenate([X, np.full((3, 2, 4), 50.0, "float32")], axis=1)
    keep = np.concatenate([np.ones((3, 6), bool), np.zeros((3, 2), bool)], axis=1)
    np.testing.assert_allclose(numpy(layer(padded, mask=keep)), last, atol=1e-5)


def test_unknown_length_symbolic_and_compiled():
    inputs = keras.Input((None, 4))
    layer = ScanRNN(5, return_sequences=True)
    outputs = layer(inputs)
    assert outputs.shape == (None, None, 5)
    model = keras.Model(inputs, outputs)
    for length in (2, 6):
        np.testing.assert_allclose(
            model.predict_on_batch(X[:, :length]), numpy(layer(X[:, :length])), atol=1e-5
        )


def test_masks_from_an_embedding_with_unknown_length():
    tokens = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(10, 4, mask_zero=True)(tokens)
    model = keras.Model(tokens, ScanRNN(5, name="rnn")(embedded))
    short = model.predict_on_batch(np.array([[3, 1, 4]]))
    padded = model.predict_on_batch(np.array([[3, 1, 4, 0, 0]]))
    np.testing.assert_allclose(padded, short, atol=1e-5)


def test_mask_is_passed_on_only_with_sequences():
    sequences, _ = _pair(return_sequences=True)
    last, _ = _pair()
    np.testing.assert_array_equal(numpy(sequences.compute_mask(X, MASK)), MASK)
    assert last.compute_mask(X, MASK) is None
    assert last.compute_output_shape((None, 7, 4)) == (None, 5)
    assert sequences.compute_output_shape((None, 7, 4)) == (None, 7, 5)


def test_config_round_trip_and_keras_file(tmp_path):
    layer, _ = _pair(return_sequences=True)
    assert_config_round_trip(layer, X, units=5, return_sequences=True)
    inputs = keras.Input((None, 4))
    model = keras.Model(inputs, ScanRNN(5, activation="relu", name="rnn")(inputs))
    assert_keras_round_trip(model, X, tmp_path, layer="rnn", layer_type=ScanRNN)


def test_fit_lowers_the_loss():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 6, 2)).astype("float32")
    y = x[:, :, :1].sum(axis=1) / 3  # needs the whole sequence, so the carry must work
    model = keras.Sequential([keras.Input((6, 2)), ScanRNN(8), keras.layers.Dense(1)])
    assert_fit_lowers_loss(
        model, x, y, epochs=15, optimizer=keras.optimizers.Adam(0.02), loss="mse", factor=0.5
    )


def test_mixed_float16():
    layer = ScanRNN(3, return_sequences=True, dtype="mixed_float16")
    assert_mixed_float16(layer, layer(X, mask=MASK))


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("units", 0),
        ("return_sequences", "yes"),
        ("activation", "no_such_activation"),
        ("recurrent_initializer", "nope"),
    ],
)
def test_bad_arguments(argument, value):
    kwargs = {"units": 3, argument: value}
    with raises_naming(argument, value):
        ScanRNN(**kwargs)


def test_bad_inputs():
    layer, _ = _pair()
    with raises_showing("mask=(3, 5)"):
        layer(X, mask=MASK[:, :5])
    with raises_showing("expected ndim=3"):
        ScanRNN(2)(X[:, 0])
    with raises_showing("inputs.dtype=int32"):
        layer(X.astype("int32"))
