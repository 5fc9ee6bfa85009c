"""Tests for companion.layers.MLPBlock."""

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

from companion import Linear, MLPBlock


def _nonzero_biases(block, rng):
    """Gives every Linear layer a non-zero bias, so a bias that is never added shows.

    The kernels get unit scale too, so that the hidden pre-activations take both signs and an
    activation that is dropped (or applied where it should not be) changes the output.
    """
    for layer in block.linear_layers:
        layer.w.assign(rng.normal(size=layer.w.shape).astype(layer.w.dtype))
        layer.b.assign(rng.normal(size=layer.b.shape).astype(layer.b.dtype))


def test_basics_shapes_and_weight_counts():
    block = MLPBlock(name="mlp_block")
    y = block(np.ones((3, 64), dtype="float32"))
    assert tuple(y.shape) == (3, 1)
    shapes = [(64, 32), (32,), (32, 32), (32,), (32, 1), (1,)]
    assert_weights(block, trainable=6, shapes=shapes)
    assert block.weights[0].path == "mlp_block/linear_0/w"


def test_sub_layers_are_tracked_before_the_first_call():
    block = MLPBlock(units=(4, 2))
    assert all(isinstance(layer, Linear) for layer in block.linear_layers)
    assert block.weights == []


def test_activation_between_layers_but_not_after_the_last(rng):
    block = MLPBlock(units=(3, 2), activation="relu")
    x = rng.normal(size=(5, 4)).astype("float32")
    block.build(x.shape)
    _nonzero_biases(block, rng)
    w0, b0, w1, b1 = (numpy(v) for v in block.weights)
    hidden = x @ w0 + b0
    assert (hidden < 0).any() and (hidden > 0).any()  # so that the relu matters
    expected = np.maximum(hidden, 0.0) @ w1 + b1
    np.testing.assert_allclose(numpy(block(x)), expected, rtol=1e-5, atol=1e-5)
    # A last layer followed by relu could never give negative outputs.
    block.weights[3].assign([-10.0, -10.0])
    assert (numpy(block(x)) < 0).all()


@pytest.mark.parametrize(("activation", "function"), [(None, lambda h: h), ("tanh", np.tanh)])
def test_the_activation_argument_is_used(rng, activation, function):
    block = MLPBlock(units=(3, 2), activation=activation)
    x = rng.normal(size=(5, 4)).astype("float32")
    block.build(x.shape)
    _nonzero_biases(block, rng)
    w0, b0, w1, b1 = (numpy(v) for v in block.weights)
    hidden = x @ w0 + b0
    assert (hidden < -1).any() and (hidden > 1).any()  # where relu and tanh both differ
    expected = function(hidden) @ w1 + b1
    np.testing.assert_allclose(numpy(block(x)), expected, rtol=1e-5, atol=1e-5)


def test_build_creates_every_weight_before_the_first_call():
    block = MLPBlock(units=(8, 4, 2))
    block.build((None, 5))
    assert_weights(block, trainable=6, shapes=[(5, 8), (8,), (8, 4), (4,), (4, 2), (2,)])
    assert block.compute_output_shape((None, 7, 5)) == (None, 7, 2)


def test_config_round_trip(rng):
    block = MLPBlock(units=[6, 2], activation="tanh", name="head", dtype="float64")
    clone = assert_config_round_trip(
        block, rng.normal(size=(3, 4)), units=[6, 2], activation="tanh"
    )
    assert all(layer.dtype == "float64" for layer in clone.linear_layers)


def test_functional_model_saves_and_loads(tmp_path, rng):
    inputs = keras.Input(shape=(10,))
    model = keras.Model(inputs, MLPBlock(units=(8, 3), name="mlp")(inputs))
    _nonzero_biases(model.get_layer("mlp"), rng)
    x = rng.normal(size=(4, 10)).astype("float32")
    assert_keras_round_trip(model, x, tmp_path, layer="mlp", layer_type=MLPBlock)


def test_fit_lowers_the_loss(rng):
    x = rng.normal(size=(256, 4)).astype("float32")
    y = np.abs(x[:, :1]) + x[:, 1:2]
    model = keras.Sequential([keras.Input((4,)), MLPBlock(units=(16, 1))])
    assert_fit_lowers_loss(
        model, x, y, epochs=10, optimizer=keras.optimizers.Adam(0.01), loss="mse", factor=0.5
    )


def test_mixed_precision_reaches_the_sub_layers():
    block = MLPBlock(units=(4, 1), dtype="mixed_float16")
    y = block(np.ones((2, 3), dtype="float32"))
    assert_mixed_float16(block, y, sublayers=block.linear_layers)


@pytest.mark.parametrize("units", [(), [], 5, "32", (32, 0), (32, -1), (32, 2.5), (True,), None])
def test_bad_units_are_rejected(units):
    with raises_naming("units", units):
        MLPBlock(units=units)


@pytest.mark.parametrize("activation", ["no_such_activation", 3])
def test_bad_activation_is_rejected(activation):
    with raises_naming("activation", activation):
        MLPBlock(activation=activation)


def test_bad_input_rank_is_reported_by_the_first_sub_layer():
    with raises_showing((4,)):
        MLPBlock(units=(2,))(np.ones((4,), dtype="float32"))
