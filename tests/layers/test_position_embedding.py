"""Tests for companion.layers.position_embedding (PositionEmbedding)."""

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

from companion import PositionEmbedding

X = np.random.default_rng(2).normal(size=(2, 5, 3)).astype("float32")
TABLE = np.arange(24, dtype="float32").reshape(8, 3) / 10


def _built(length=8):
    layer = PositionEmbedding(length, name="positions")
    layer(X)
    layer.set_weights([TABLE[:length]])
    return layer


def test_basics_adds_the_first_rows_of_the_table():
    layer = _built()
    assert_weights(layer, trainable=1, paths=["positions/position_embeddings"], shapes=[(8, 3)])
    np.testing.assert_allclose(numpy(layer(X)), X + TABLE[:5], atol=1e-6)
    np.testing.assert_allclose(numpy(layer(X[:, :2])), X[:, :2] + TABLE[:2], atol=1e-6)


def test_position_changes_the_same_value():
    layer = _built()
    same = np.ones((1, 4, 3), "float32")
    y = numpy(layer(same))
    assert not np.allclose(y[0, 0], y[0, 1])


def test_unknown_length_in_a_compiled_model():
    inputs = keras.Input((None, 3))
    layer = PositionEmbedding(8)
    model = keras.Model(inputs, layer(inputs))
    layer.set_weights([TABLE])
    for length in (2, 5, 8):
        np.testing.assert_allclose(
            model.predict_on_batch(X[:, :1].repeat(length, axis=1)),
            X[:, :1].repeat(length, axis=1) + TABLE[:length],
            atol=1e-6,
        )


def test_mask_passes_through():
    layer = _built()
    mask = np.array([[True, False, True, True, True]] * 2)
    np.testing.assert_array_equal(numpy(layer.compute_mask(X, mask)), mask)


def test_config_round_trip_and_keras_file(tmp_path):
    layer = _built()
    assert_config_round_trip(layer, X, sequence_length=8)
    inputs = keras.Input((5, 3))
    model = keras.Model(inputs, PositionEmbedding(8, name="positions")(inputs))
    assert_keras_round_trip(model, X, tmp_path, layer="positions", layer_type=PositionEmbedding)


def test_fit_lowers_the_loss():
    model = keras.Sequential([keras.Input((5, 3)), PositionEmbedding(5)])
    target = X + TABLE[:5]
    assert_fit_lowers_loss(
        model, X, target, epochs=20, optimizer=keras.optimizers.Adam(0.1), loss="mse", factor=0.5
    )


def test_mixed_float16():
    layer = PositionEmbedding(8, dtype="mixed_float16")
    assert_mixed_float16(layer, layer(X))


@pytest.mark.parametrize(("argument", "value"), [("sequence_length", 0), ("initializer", "nope")])
def test_bad_arguments(argument, value):
    kwargs = {"sequence_length": 4, argument: value}
    with raises_naming(argument, value):
        PositionEmbedding(**kwargs)


def test_too_long_and_bad_inputs():
    with raises_showing("sequence_length=4", "(2, 5, 3)"):
        PositionEmbedding(4)(X)
    layer = _built()
    with raises_showing("sequence_length=8", "(1, 9, 3)"):
        layer(np.ones((1, 9, 3), "float32"))
    with raises_showing("expected ndim=3"):
        PositionEmbedding(4)(X[:, 0])
