"""Tests for companion.layers.Linear."""

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

from companion import Linear


def test_basics_output_values_weights_and_names():
    layer = Linear(
        units=3,
        kernel_initializer="ones",
        bias_initializer=keras.initializers.Constant(0.5),
        name="linear",
    )
    y = layer(np.ones((2, 4), dtype="float32"))
    # Both initializers are used: ones·ones summed over 4 inputs, plus the 0.5 bias.
    np.testing.assert_allclose(numpy(y), np.full((2, 3), 4.5))
    assert layer.weights == [layer.w, layer.b]
    assert_weights(layer, trainable=2, paths=["linear/w", "linear/b"], shapes=[(4, 3), (3,)])


def test_computes_x_dot_w_plus_b(rng):
    layer = Linear(units=5)
    layer.build((None, 4))
    x = rng.normal(size=(6, 4)).astype("float32")
    w = numpy(layer.w)
    b = rng.normal(size=(5,)).astype("float32")  # non-zero: a bias never added shows
    layer.b.assign(b)
    np.testing.assert_allclose(numpy(layer(x)), x @ w + b, rtol=1e-5, atol=1e-5)


def test_weights_are_created_on_first_call_only():
    layer = Linear(units=2)
    assert not layer.built and layer.weights == []
    layer(np.ones((1, 7), dtype="float32"))
    assert layer.built and tuple(layer.w.shape) == (7, 2)


def test_rank_3_inputs_use_the_last_axis():
    layer = Linear(units=2, kernel_initializer="ones")
    y = layer(np.ones((4, 5, 3), dtype="float32"))
    np.testing.assert_allclose(numpy(y), np.full((4, 5, 2), 3.0))
    assert layer.compute_output_shape((None, 5, 3)) == (None, 5, 2)


def test_without_bias_there_is_only_w():
    layer = Linear(units=2, use_bias=False, kernel_initializer="ones")
    y = layer(np.ones((1, 3), dtype="float32"))
    assert layer.b is None
    assert_weights(layer, trainable=1, shapes=[(3, 2)])
    np.testing.assert_allclose(numpy(y), [[3.0, 3.0]])


def test_mask_passes_through_to_the_next_layer():
    tokens = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    embedded = keras.layers.Embedding(10, 3, mask_zero=True)(tokens)
    y = Linear(units=2)(embedded)
    # A mask-aware pooling layer averages only the unmasked time steps.
    pooled = numpy(keras.layers.GlobalAveragePooling1D()(y))
    y = numpy(y)
    np.testing.assert_allclose(pooled, [y[0, :2].mean(0), y[1, :1].mean(0)], rtol=1e-5, atol=1e-7)


def test_config_round_trip_keeps_arguments_and_outputs(rng):
    layer = Linear(
        units=3,
        kernel_initializer=keras.initializers.RandomUniform(-1.0, 1.0, seed=3),
        use_bias=False,
        name="proj",
        dtype="float64",
    )
    clone = assert_config_round_trip(layer, rng.normal(size=(2, 4)), units=3, use_bias=False)
    assert clone.get_config()["kernel_initializer"]["class_name"] == "RandomUniform"


def test_functional_model_saves_and_loads(tmp_path, rng):
    inputs = keras.Input(shape=(4,))
    layer = Linear(units=2, bias_initializer="random_normal", name="linear")
    model = keras.Model(inputs, layer(inputs))
    x = rng.normal(size=(5, 4)).astype("float32")
    assert_keras_round_trip(model, x, tmp_path, layer="linear", layer_type=Linear)


def test_fit_lowers_the_loss(rng):
    x = rng.normal(size=(256, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32") + 0.3
    model = keras.Sequential([keras.Input((3,)), Linear(units=1)])
    assert_fit_lowers_loss(
        model, x, y, epochs=5, optimizer=keras.optimizers.SGD(0.1), loss="mse", factor=0.1
    )
    # The offset 0.3 can only be learnt by the bias.
    np.testing.assert_allclose(numpy(model.layers[0].b), [0.3], atol=0.05)


def test_mixed_precision_computes_in_float16_and_keeps_float32_weights():
    layer = Linear(units=2, dtype="mixed_float16")
    assert_mixed_float16(layer, layer(np.ones((1, 3), dtype="float32")))
    assert len(layer.weights) == 2


@pytest.mark.parametrize("units", [0, -3, 2.5, True, "4", None])
def test_bad_units_are_rejected(units):
    with raises_naming("units", units):
        Linear(units=units)


def test_numpy_integer_units_are_accepted():
    assert Linear(units=np.int64(3)).units == 3


def test_bad_initializer_is_rejected():
    with raises_naming("kernel_initializer", "no_such_init"):
        Linear(units=2, kernel_initializer="no_such_init")


def test_rank_1_input_is_rejected():
    with raises_showing((3,)):
        Linear(units=2, name="linear")(np.ones((3,), dtype="float32"))


def test_rank_1_input_is_rejected_after_build():
    layer = Linear(units=2, name="linear")
    layer(np.ones((1, 3), dtype="float32"))
    with raises_showing((3,)):
        layer(np.ones((3,), dtype="float32"))


def test_input_with_a_different_last_dimension_is_rejected():
    layer = Linear(units=2, name="linear")
    layer(np.ones((1, 3), dtype="float32"))
    with raises_showing(3, (1, 4)):
        layer(np.ones((1, 4), dtype="float32"))


def test_unknown_last_dimension_cannot_build():
    with raises_showing((None, None)):
        Linear(units=2, name="linear")(keras.Input(shape=(None,)))
