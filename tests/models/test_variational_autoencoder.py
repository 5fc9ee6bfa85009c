"""Tests for companion.models.VariationalAutoEncoder."""

import keras
import numpy as np
import pytest
from contract import (
    assert_config_round_trip,
    assert_keras_round_trip,
    assert_mixed_float16,
    assert_weights,
    copy_seed_states,
    numpy,
    raises_naming,
    raises_showing,
)

from companion import Decoder, Encoder, VariationalAutoEncoder

_numpy = numpy


def _kl(z_mean, z_log_var):
    """The 2020 guide's formula, in float64."""
    z_mean = np.asarray(_numpy(z_mean), "float64")
    z_log_var = np.asarray(_numpy(z_log_var), "float64")
    return -0.5 * np.mean(z_log_var - z_mean**2 - np.exp(z_log_var) + 1.0)


def _small_vae(**kwargs):
    arguments = {"original_dim": 6, "intermediate_dim": 5, "latent_dim": 3, "seed": 1}
    return VariationalAutoEncoder(**{**arguments, **kwargs})


def test_basics_output_weights_and_kl_loss(rng):
    vae = _small_vae(name="vae")
    x = 3.0 * rng.normal(size=(8, 6)).astype("float32")
    y = _numpy(vae(x))
    assert y.shape == (8, 6) and np.all((y > 0.0) & (y < 1.0))
    assert isinstance(vae.encoder, Encoder) and isinstance(vae.decoder, Decoder)
    assert [layer.name for layer in vae.layers] == ["encoder", "decoder"]
    assert_weights(vae, trainable=10)
    assert len(vae.losses) == 1
    z_mean, z_log_var, _ = vae.encoder(x)
    np.testing.assert_allclose(_numpy(vae.losses[0]), _kl(z_mean, z_log_var), rtol=1e-5)
    # The loss is replaced, not accumulated, by the next call.
    vae(x[:2])
    assert len(vae.losses) == 1


@pytest.mark.parametrize("kl_weight", [0.0, 0.25, 3])
def test_kl_weight_scales_the_added_loss(kl_weight, rng):
    vae = _small_vae(kl_weight=kl_weight)
    x = 3.0 * rng.normal(size=(8, 6)).astype("float32")
    vae(x)
    z_mean, z_log_var, _ = vae.encoder(x)
    expected = kl_weight * _kl(z_mean, z_log_var)
    np.testing.assert_allclose(_numpy(vae.losses[0]), expected, rtol=1e-5, atol=1e-7)


def test_decodes_a_sample_not_the_mean(rng):
    # The reconstruction is decoder(z) for the sample z the encoder drew, not decoder(z_mean):
    # with the same generator state, the encoder's z decoded by hand gives the same output,
    # and two calls (two draws) give different reconstructions.
    vae = _small_vae()
    x = rng.random((5, 6)).astype("float32")
    vae.build(x.shape)
    twin = _small_vae()
    twin.build(x.shape)
    twin.set_weights(vae.get_weights())
    copy_seed_states(vae, twin)
    z_mean, _, z = twin.encoder(x)
    reconstruction = _numpy(vae(x))
    np.testing.assert_allclose(reconstruction, _numpy(vae.decoder(z)), rtol=1e-6)
    assert not np.allclose(reconstruction, _numpy(vae.decoder(z_mean)))
    assert not np.allclose(reconstruction, _numpy(vae(x)))


def test_call_takes_training_so_stateless_call_can_pass_it(rng):
    # stateless_call() hands its keyword arguments to call() as they are (Layer.__call__ would
    # drop a `training` that call() does not take), and chapter 8's JAX step passes training=True.
    # The flag changes nothing: training and inference both decode a drawn z.
    vae = _small_vae()
    x = rng.random((4, 6)).astype("float32")
    vae.build(x.shape)
    twin = _small_vae()
    twin.build(x.shape)
    twin.set_weights(vae.get_weights())
    copy_seed_states(vae, twin)
    trainable = [v.value for v in vae.trainable_variables]
    non_trainable = [v.value for v in vae.non_trainable_variables]
    out, _, losses = vae.stateless_call(
        trainable, non_trainable, x, training=True, return_losses=True
    )
    assert len(losses) == 1
    np.testing.assert_allclose(_numpy(out), _numpy(twin(x, training=False)), rtol=1e-6)


def test_decoder_and_encoder_are_usable_on_their_own(rng):
    vae = _small_vae()
    vae.build((None, 6))
    images = _numpy(vae.decoder(rng.normal(size=(4, 3)).astype("float32")))
    assert images.shape == (4, 6)
    z_mean = _numpy(vae.encoder(rng.random((5, 6)).astype("float32"))[0])
    assert z_mean.shape == (5, 3)


def test_config_round_trip(rng):
    vae = _small_vae(kl_weight=0.5, name="vae")
    x = rng.random((4, 6)).astype("float32")
    clone = assert_config_round_trip(
        vae, x, original_dim=6, intermediate_dim=5, latent_dim=3, kl_weight=0.5, seed=1
    )
    np.testing.assert_allclose(_numpy(clone.losses[0]), _numpy(vae.losses[0]), rtol=1e-6)


def test_saved_to_keras_file_and_reloaded(tmp_path, rng):
    vae = _small_vae(kl_weight=0.1, name="vae")
    vae.build((None, 6))
    x = rng.random((5, 6)).astype("float32")
    loaded = assert_keras_round_trip(vae, x, tmp_path)
    assert loaded.get_config() == vae.get_config()
    # Same weights and generator state: identical KL losses too.
    np.testing.assert_allclose(_numpy(vae.losses[0]), _numpy(loaded.losses[0]), rtol=1e-6)


def test_fit_with_mse_lowers_reconstruction_plus_kl(rng):
    vae = _small_vae(kl_weight=0.05)
    vae.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    # Two prototypes plus noise: learnable through a 3-dimensional latent space.
    prototypes = rng.random((2, 6)).astype("float32")
    x = np.clip(prototypes[rng.integers(0, 2, 512)] + 0.05 * rng.normal(size=(512, 6)), 0, 1)
    x = x.astype("float32")
    history = vae.fit(x, x, epochs=10, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    # The logged loss includes the KL term: it is above the plain reconstruction error.
    reconstruction = np.mean((_numpy(vae(x)) - x) ** 2)
    assert _numpy(vae.losses[0]) > 0.0
    assert abs(losses[-1] - (reconstruction + float(_numpy(vae.losses[0])))) < 0.02


def test_inside_a_functional_model_the_kl_loss_is_collected(rng):
    inputs = keras.Input(shape=(6,))
    model = keras.Model(inputs, _small_vae(name="vae")(inputs))
    model(rng.random((4, 6)).astype("float32"))
    assert len(model.losses) == 1


def test_mixed_precision(rng):
    vae = _small_vae(dtype="mixed_float16")
    x = rng.random((4, 6)).astype("float32")
    y = vae(x)
    assert_mixed_float16(vae, y, sublayers=[vae.encoder, vae.decoder])
    # The KL term is computed in float32, the variable dtype, and is the same KL.
    assert keras.backend.standardize_dtype(vae.losses[0].dtype) == "float32"
    z_mean, z_log_var, _ = vae.encoder(x)
    np.testing.assert_allclose(_numpy(vae.losses[0]), _kl(z_mean, z_log_var), rtol=1e-2)
    vae.compile(optimizer="adam", loss="mse")
    x = rng.random((64, 6)).astype("float32")
    history = vae.fit(x, x, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("original_dim", 0),
        ("intermediate_dim", 1.5),
        ("latent_dim", None),
        ("kl_weight", -0.1),
        ("kl_weight", float("nan")),
        ("kl_weight", "1"),
        ("seed", 1.5),
    ],
)
def test_bad_arguments(argument, value):
    with raises_naming(argument, value):
        VariationalAutoEncoder(**{argument: value})


def test_kl_weight_accepts_numpy_numbers():
    assert VariationalAutoEncoder(kl_weight=np.float32(0.5)).kl_weight == 0.5


@pytest.mark.parametrize("shape", [(2, 28, 28), (2, 100)])
def test_bad_input_shape(shape):
    vae = VariationalAutoEncoder(original_dim=784)
    with raises_showing(784, shape):
        vae(np.zeros(shape, dtype="float32"))
