"""Tests for companion.layers.Encoder."""

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

from companion import Encoder, Sampling

_numpy = numpy


def _relu(x):
    return np.maximum(x, 0.0)


def test_basics_shapes_weights_values_and_names(rng):
    encoder = Encoder(latent_dim=3, intermediate_dim=5, seed=7, name="encoder")
    x = rng.normal(size=(4, 6)).astype("float32")
    z_mean, z_log_var, z = (_numpy(t) for t in encoder(x))
    assert z_mean.shape == z_log_var.shape == z.shape == (4, 3)
    assert [v.path for v in encoder.weights] == [
        "encoder/dense_proj/kernel",
        "encoder/dense_proj/bias",
        "encoder/z_mean/kernel",
        "encoder/z_mean/bias",
        "encoder/z_log_var/kernel",
        "encoder/z_log_var/bias",
    ]
    assert_weights(encoder, trainable=6)
    assert isinstance(encoder.sampling, Sampling) and encoder.sampling.seed == 7

    w1, b1, wm, bm, wv, bv = (_numpy(w) for w in encoder.weights)
    hidden = _relu(x @ w1 + b1)
    np.testing.assert_allclose(z_mean, hidden @ wm + bm, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(z_log_var, hidden @ wv + bv, rtol=1e-5, atol=1e-5)
    # z is a sample around z_mean, not z_mean itself.
    assert not np.allclose(z, z_mean)


def test_z_is_mean_plus_scaled_noise(rng):
    # With a zero kernel in the z_log_var layer and bias log(0.25), sigma is 0.5 everywhere:
    # (z - z_mean) / 0.5 must then look like standard normal noise.
    encoder = Encoder(latent_dim=4, intermediate_dim=8, seed=3)
    encoder.build((None, 5))
    encoder.dense_log_var.kernel.assign(np.zeros((8, 4), dtype="float32"))
    encoder.dense_log_var.bias.assign(np.full((4,), np.log(0.25), dtype="float32"))
    x = rng.normal(size=(5000, 5)).astype("float32")
    z_mean, z_log_var, z = (_numpy(t) for t in encoder(x))
    np.testing.assert_allclose(z_log_var, np.log(0.25), rtol=1e-6)
    epsilon = (z - z_mean) / 0.5
    assert abs(epsilon.mean()) < 0.03
    assert abs(epsilon.std() - 1.0) < 0.03


def test_config_round_trip_and_output_shape(rng):
    encoder = Encoder(latent_dim=2, intermediate_dim=16, seed=5, name="enc")
    x = rng.normal(size=(3, 7)).astype("float32")
    assert_config_round_trip(encoder, x, latent_dim=2, intermediate_dim=16, seed=5)
    assert encoder.compute_output_shape((None, 784)) == ((None, 2),) * 3


def test_same_seed_and_weights_give_the_same_z_and_calls_differ(rng):
    x = rng.normal(size=(6, 10)).astype("float32")
    first, second = Encoder(2, 4, seed=11), Encoder(2, 4, seed=11)
    first.build((None, 10))
    second.build((None, 10))
    second.set_weights(first.get_weights())
    z_first = _numpy(first(x)[2])
    np.testing.assert_array_equal(z_first, _numpy(second(x)[2]))
    assert not np.allclose(z_first, _numpy(first(x)[2]))


def test_in_a_functional_model_saved_and_reloaded(tmp_path, rng):
    inputs = keras.Input(shape=(12,))
    outputs = Encoder(latent_dim=3, intermediate_dim=6, seed=2, name="encoder")(inputs)
    model = keras.Model(inputs, list(outputs))
    assert [tuple(t.shape) for t in model.outputs] == [(None, 3)] * 3
    x = rng.normal(size=(5, 12)).astype("float32")
    # Same weights and generator state: all three outputs agree, z included.
    assert_keras_round_trip(model, x, tmp_path, layer="encoder", layer_type=Encoder)


def test_fit_through_z_learns_a_small_variance(rng):
    # Regress a linear function of the inputs from the *sample* z. The MSE can only go well
    # below 1 if the encoder learns a small variance and z follows it: with unit-variance
    # noise (a sampling that ignores z_log_var) the loss stays near 1.
    inputs = keras.Input(shape=(4,))
    _, _, z = Encoder(latent_dim=2, intermediate_dim=16, seed=1)(inputs)
    model = keras.Model(inputs, z)
    x = rng.normal(size=(256, 4)).astype("float32")
    y = x @ np.array([[1.0, 0.0], [-2.0, 1.0], [0.5, 0.0], [0.0, -1.0]], dtype="float32")
    assert_fit_lowers_loss(
        model,
        x,
        y,
        epochs=15,
        optimizer=keras.optimizers.Adam(0.02),
        loss="mse",
        factor=0.2,
        below=0.3,
    )


def test_mixed_precision_policy_reaches_the_sub_layers(rng):
    encoder = Encoder(latent_dim=2, intermediate_dim=4, seed=0, dtype="mixed_float16")
    outputs = encoder(rng.normal(size=(3, 5)).astype("float32"))
    sublayers = [encoder.dense_proj, encoder.dense_mean, encoder.dense_log_var, encoder.sampling]
    assert_mixed_float16(encoder, outputs, sublayers=sublayers)


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("latent_dim", 0),
        ("latent_dim", 2.5),
        ("intermediate_dim", -1),
        ("intermediate_dim", True),
        ("seed", "7"),
    ],
)
def test_bad_arguments(argument, value):
    with raises_naming(argument, value):
        Encoder(**{argument: value})


@pytest.mark.parametrize("shape", [(5,), (None, None)])
def test_bad_input_shape(shape):
    with raises_showing(shape):
        Encoder(latent_dim=2).build(shape)
