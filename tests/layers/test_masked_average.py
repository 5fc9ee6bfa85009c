"""Tests for companion.layers.masked_average."""

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
    raises_showing,
)

from companion import MaskedAverage

X = np.array(
    [[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]], [[5.0, 6.0], [7.0, 8.0], [9.0, 10.0]]],
    dtype="float32",
)
MASK = np.array([[True, True, False], [True, True, True]])


def test_basics_averages_only_unmasked_steps():
    layer = MaskedAverage(name="average")
    np.testing.assert_allclose(numpy(layer(X, mask=MASK)), [[2.0, 3.0], [7.0, 8.0]])
    assert_weights(layer, trainable=0)


def test_without_mask_is_the_plain_mean():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    np.testing.assert_allclose(numpy(MaskedAverage()(x)), x.mean(axis=1))


def test_config_round_trip_and_keras_file(tmp_path):
    layer = MaskedAverage(name="average")
    clone = assert_config_round_trip(layer, (X, MASK), call=lambda lay, x: lay(x[0], mask=x[1]))
    np.testing.assert_allclose(numpy(clone(X, mask=MASK)), [[2.0, 3.0], [7.0, 8.0]])

    inputs = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(10, 4, mask_zero=True)(inputs)
    model = keras.Model(inputs, MaskedAverage(name="average")(embedded))
    tokens = np.array([[1, 2, 0, 0], [3, 4, 5, 6]])
    loaded = assert_keras_round_trip(
        model, tokens, tmp_path, layer="average", layer_type=MaskedAverage
    )
    # The reloaded model still lets the Embedding's mask reach the layer.
    np.testing.assert_allclose(
        numpy(loaded(np.array([[1, 2, 0, 0]]))), numpy(loaded(np.array([[1, 2]]))), rtol=1e-6
    )


def test_padding_does_not_change_the_average_after_embedding():
    embedding = keras.layers.Embedding(10, 4, mask_zero=True)
    average = MaskedAverage()
    short = numpy(average(embedding(np.array([[3, 1, 4]]))))
    padded = numpy(average(embedding(np.array([[3, 1, 4, 0, 0, 0]]))))
    np.testing.assert_allclose(padded, short, rtol=1e-6)


def test_masked_steps_with_nan_do_not_leak_and_empty_rows_give_zero():
    x = np.array([[[np.nan], [2.0]], [[np.inf], [np.nan]]], dtype="float32")
    mask = np.array([[False, True], [False, False]])
    np.testing.assert_array_equal(numpy(MaskedAverage()(x, mask=mask)), [[2.0], [0.0]])


def test_consumes_the_mask():
    layer = MaskedAverage()
    assert layer.supports_masking
    assert layer.compute_mask(np.ones((1, 2, 3)), np.array([[True, False]])) is None
    # A following layer receives no mask.
    received = []

    class Probe(keras.layers.Layer):
        def call(self, inputs, mask=None):
            received.append(mask)
            return inputs

    embedded = keras.layers.Embedding(5, 2, mask_zero=True)(np.array([[1, 0]]))
    Probe()(layer(embedded))
    assert received == [None]


def test_trains_with_fit():
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, 20, size=(64, 6))
    tokens[:, 4:] = 0
    labels = (tokens[:, 0] > 10).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((6,), dtype="int32"),
            keras.layers.Embedding(20, 8, mask_zero=True),
            MaskedAverage(),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    assert_fit_lowers_loss(
        model,
        tokens,
        labels,
        epochs=5,
        batch_size=16,
        optimizer=keras.optimizers.Adam(0.05),
        loss="binary_crossentropy",
        factor=1.0,
    )


def test_output_dtype_follows_compute_dtype():
    layer = MaskedAverage(dtype="mixed_float16")
    y = layer(X, mask=MASK)
    assert_mixed_float16(layer, y)
    np.testing.assert_allclose(numpy(y), [[2.0, 3.0], [7.0, 8.0]])
    assert layer.compute_output_shape((None, 3, 4)) == (None, 4)


@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4, 5)])
def test_inputs_of_another_rank_are_rejected(shape):
    with raises_showing(shape):
        MaskedAverage()(np.ones(shape, dtype="float32"))


def test_symbolic_inputs_of_another_rank_are_rejected():
    with raises_showing((None, 3)):
        MaskedAverage()(keras.Input((3,)))
