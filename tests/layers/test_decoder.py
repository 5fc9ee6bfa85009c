"""Tests for companion.layers.Decoder."""

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

from companion import Decoder

_numpy = numpy


def test_basics_shape_weights_values_and_names(rng):
    decoder = Decoder(original_dim=7, intermediate_dim=5, name="decoder")
    z = 3.0 * rng.normal(size=(4, 2)).astype("float32")
    y = _numpy(decoder(z))
    assert y.shape == (4, 7)
    assert [v.path for v in decoder.weights] == [
        "decoder/dense_proj/kernel",
        "decoder/dense_proj/bias",
        "decoder/dense_output/kernel",
        "decoder/dense_output/bias",
    ]
    assert_weights(decoder, trainable=4)
    w1, b1, w2, b2 = (_numpy(w) for w in decoder.weights)
    expected = 1.0 / (1.0 + np.exp(-(np.maximum(z @ w1 + b1, 0.0) @ w2 + b2)))
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)
    assert np.all((y > 0.0) & (y < 1.0))


def test_config_round_trip_and_output_shape(rng):
    decoder = Decoder(original_dim=784, intermediate_dim=32, name="dec")
    z = rng.normal(size=(3, 2)).astype("float32")
    assert_config_round_trip(decoder, z, original_dim=784, intermediate_dim=32)
    assert decoder.compute_output_shape((None, 2)) == (None, 784)


def test_in_a_functional_model_saved_and_reloaded(tmp_path, rng):
    inputs = keras.Input(shape=(3,))
    model = keras.Model(
        inputs, Decoder(original_dim=10, intermediate_dim=4, name="decoder")(inputs)
    )
    z = rng.normal(size=(6, 3)).astype("float32")
    assert_keras_round_trip(model, z, tmp_path, layer="decoder", layer_type=Decoder)


def test_fit_lowers_the_loss(rng):
    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs, Decoder(original_dim=6, intermediate_dim=16)(inputs))
    z = rng.normal(size=(256, 2)).astype("float32")
    targets = 1.0 / (1.0 + np.exp(-(z @ rng.normal(size=(2, 6))))).astype("float32")
    assert_fit_lowers_loss(
        model, z, targets, epochs=15, optimizer=keras.optimizers.Adam(0.01), loss="mse", factor=0.3
    )


def test_mixed_precision_policy_reaches_the_sub_layers():
    decoder = Decoder(original_dim=4, intermediate_dim=3, dtype="mixed_float16")
    y = decoder(np.zeros((2, 2), dtype="float32"))
    assert_mixed_float16(decoder, y, sublayers=[decoder.dense_proj, decoder.dense_output])


@pytest.mark.parametrize(
    ("kwargs", "argument", "value"),
    [
        ({"original_dim": 0}, "original_dim", 0),
        ({"original_dim": "784"}, "original_dim", "784"),
        ({"original_dim": 784, "intermediate_dim": 0}, "intermediate_dim", 0),
    ],
)
def test_bad_arguments(kwargs, argument, value):
    with raises_naming(argument, value):
        Decoder(**kwargs)


def test_bad_input_shape():
    with raises_showing((2,)):
        Decoder(original_dim=4).build((2,))
