"""Tests for companion.models.build_functional_vae."""

import keras
import numpy as np
import pytest
from contract import (
    assert_fit_lowers_loss,
    assert_keras_round_trip,
    assert_weights,
    numpy,
    raises_naming,
)

from companion import KLDivergenceSampling, build_functional_vae

LAYER_NAMES = [
    "encoder_input",
    "encoder_hidden",
    "z_mean",
    "z_log_var",
    "z",
    "decoder_hidden",
    "reconstruction",
]


def _encoder_stats(vae):
    """The deterministic path of the VAE: input → (z_mean, z_log_var)."""
    return keras.Model(
        vae.input, [vae.get_layer("z_mean").output, vae.get_layer("z_log_var").output]
    )


def _kl(z_mean, z_log_var):
    z_mean = numpy(z_mean).astype("float64")
    z_log_var = numpy(z_log_var).astype("float64")
    return -0.5 * np.mean(z_log_var - z_mean**2 - np.exp(z_log_var) + 1.0)


def test_basics_structure_names_shapes_and_parameter_count():
    vae = build_functional_vae(seed=0)
    assert vae.name == "vae"
    assert [layer.name for layer in vae.layers] == LAYER_NAMES
    assert tuple(vae.input.shape) == (None, 784)
    assert tuple(vae.output.shape) == (None, 784)
    assert tuple(vae.get_layer("z").output.shape) == (None, 32)
    # 784·64+64 + 2·(64·32+32) + 32·64+64 + 64·784+784
    assert vae.count_params() == 107_472
    assert_weights(vae, trainable=10)
    sampling = vae.get_layer("z")
    assert isinstance(sampling, KLDivergenceSampling)
    assert sampling.seed == 0 and sampling.kl_weight == 1.0
    assert vae.get_layer("reconstruction").activation is keras.activations.sigmoid
    for name in ("encoder_hidden", "decoder_hidden"):
        assert vae.get_layer(name).activation is keras.activations.relu, name
    for name in ("z_mean", "z_log_var"):
        assert vae.get_layer(name).activation is keras.activations.linear, name


def test_arguments_reach_the_layers():
    vae = build_functional_vae(
        original_dim=20, intermediate_dim=8, latent_dim=2, kl_weight=4.0, seed=5, name="small"
    )
    assert vae.name == "small"
    assert vae.get_layer("encoder_hidden").units == vae.get_layer("decoder_hidden").units == 8
    assert vae.get_layer("z_mean").units == vae.get_layer("z_log_var").units == 2
    assert vae.get_layer("z").kl_weight == 4.0 and vae.get_layer("z").seed == 5
    assert vae.get_layer("reconstruction").units == 20


def test_a_forward_pass_adds_exactly_one_kl_loss(rng):
    vae = build_functional_vae(original_dim=12, intermediate_dim=6, latent_dim=3, kl_weight=2.0)
    x = rng.uniform(size=(10, 12)).astype("float32")
    y = keras.ops.convert_to_numpy(vae(x))
    assert y.shape == (10, 12) and np.all((y >= 0) & (y <= 1))
    assert len(vae.losses) == 1
    z_mean, z_log_var = _encoder_stats(vae)(x)
    assert float(numpy(vae.losses[0])) == pytest.approx(2.0 * _kl(z_mean, z_log_var), rel=1e-5)
    vae(x)
    assert len(vae.losses) == 1


def test_decodes_a_sample_not_the_mean(rng):
    vae = build_functional_vae(original_dim=12, intermediate_dim=6, latent_dim=3, seed=4)
    x = rng.uniform(size=(10, 12)).astype("float32")
    # One call gives the sample z and the reconstruction made from it.
    z, reconstruction = keras.Model(vae.input, [vae.get_layer("z").output, vae.output])(x)
    decode = keras.Sequential([vae.get_layer("decoder_hidden"), vae.get_layer("reconstruction")])
    np.testing.assert_allclose(numpy(reconstruction), numpy(decode(z)), rtol=1e-5, atol=1e-6)
    z_mean, _ = _encoder_stats(vae)(x)
    assert not np.allclose(numpy(reconstruction), numpy(decode(z_mean)))
    # Every call draws anew.
    assert not np.allclose(numpy(vae(x)), numpy(vae(x)))


def test_training_loss_is_reconstruction_plus_weighted_kl(rng):
    # Two VAEs with the same weights and the same sampling seed draw the same noise, so their
    # reconstruction errors are equal and the losses differ by exactly (β₁ - β₀)·KL.
    x = rng.uniform(size=(40, 16)).astype("float32")
    plain = build_functional_vae(16, 8, 2, kl_weight=0.0, seed=3)
    beta = build_functional_vae(16, 8, 2, kl_weight=10.0, seed=3)
    beta.set_weights(plain.get_weights())
    for model in (plain, beta):
        model.compile(optimizer="adam", loss=keras.losses.MeanSquaredError())
    loss_plain = plain.evaluate(x, x, batch_size=40, verbose=0)
    loss_beta = beta.evaluate(x, x, batch_size=40, verbose=0)
    z_mean, z_log_var = _encoder_stats(plain).predict(x, verbose=0)
    assert loss_beta - loss_plain == pytest.approx(10.0 * _kl(z_mean, z_log_var), rel=1e-4)


def test_fit_on_fashion_mnist_beats_the_mean_image(fashion_mnist_flat):
    (x_train, _), _ = fashion_mnist_flat
    x = x_train[:8192]
    # Always predicting the mean image gives this MSE (≈ 0.087 on Fashion-MNIST).
    mean_image_mse = float(np.mean((x - x.mean(axis=0)) ** 2))
    # kl_weight=0.1: with 1.0 the KL term wins and the model collapses to the mean image.
    vae = build_functional_vae(kl_weight=0.1, seed=0)
    assert_fit_lowers_loss(
        vae,
        x,
        x,
        epochs=3,
        batch_size=64,
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.MeanSquaredError(),
        factor=1.0,
        below=0.9 * mean_image_mse,
    )


def test_saved_and_reloaded(tmp_path, rng):
    vae = build_functional_vae(original_dim=30, intermediate_dim=10, latent_dim=4, seed=8)
    x = rng.uniform(size=(6, 30)).astype("float32")
    loaded = assert_keras_round_trip(vae, x, tmp_path, layer="z", layer_type=KLDivergenceSampling)
    assert [layer.name for layer in loaded.layers] == LAYER_NAMES
    # The encoder path is deterministic and must be identical.
    for a, b in zip(_encoder_stats(vae)(x), _encoder_stats(loaded)(x), strict=True):
        np.testing.assert_array_equal(numpy(a), numpy(b))


def test_mixed_float16(rng):
    policy = keras.mixed_precision.dtype_policy()
    try:
        keras.mixed_precision.set_dtype_policy("mixed_float16")
        vae = build_functional_vae(original_dim=16, intermediate_dim=8, latent_dim=2, seed=0)
        x = rng.uniform(size=(32, 16)).astype("float32")
        assert keras.backend.standardize_dtype(vae(x).dtype) == "float16"
        assert vae.get_layer("z_mean").kernel.dtype == "float32"
        vae.compile(optimizer="adam", loss=keras.losses.MeanSquaredError())
        history = vae.fit(x, x, epochs=2, batch_size=16, verbose=0)
        assert np.all(np.isfinite(history.history["loss"]))
    finally:
        keras.mixed_precision.set_dtype_policy(policy)


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("original_dim", 0),
        ("intermediate_dim", 1.5),
        ("latent_dim", True),
        ("latent_dim", "2"),
        ("kl_weight", -1.0),
        ("seed", 0.5),
    ],
)
def test_bad_arguments(argument, value):
    with raises_naming(argument, value):
        build_functional_vae(**{argument: value})
