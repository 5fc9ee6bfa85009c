"""Tests for companion.models.VariationalAutoEncoder."""

import os

import keras
import numpy as np
import pytest

from companion import Decoder, Encoder, VariationalAutoEncoder


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def _kl(z_mean, z_log_var):
    """The 2020 guide's formula, in float64."""
    z_mean, z_log_var = np.asarray(z_mean, "float64"), np.asarray(z_log_var, "float64")
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
    assert len(vae.trainable_weights) == 10 and vae.non_trainable_weights == []
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


def test_decoder_and_encoder_are_usable_on_their_own(rng):
    vae = _small_vae()
    vae.build((None, 6))
    images = _numpy(vae.decoder(rng.normal(size=(4, 3)).astype("float32")))
    assert images.shape == (4, 6)
    z_mean = _numpy(vae.encoder(rng.random((5, 6)).astype("float32"))[0])
    assert z_mean.shape == (5, 3)


def test_config_round_trip():
    vae = _small_vae(kl_weight=0.5, name="vae")
    config = vae.get_config()
    assert {k: config[k] for k in ("original_dim", "intermediate_dim", "latent_dim")} == {
        "original_dim": 6,
        "intermediate_dim": 5,
        "latent_dim": 3,
    }
    assert config["kl_weight"] == 0.5 and config["seed"] == 1 and config["name"] == "vae"
    clone = VariationalAutoEncoder.from_config(config)
    assert clone.get_config() == config


def test_saved_to_keras_file_and_reloaded(tmp_path, rng):
    vae = _small_vae(kl_weight=0.1, name="vae")
    vae.build((None, 6))
    path = os.path.join(tmp_path, "vae.keras")
    vae.save(path)
    reloaded = keras.models.load_model(path)
    assert isinstance(reloaded, VariationalAutoEncoder)
    assert reloaded.get_config() == vae.get_config()
    x = rng.random((5, 6)).astype("float32")
    # Same weights and seed, fresh generators: identical reconstructions and KL losses.
    np.testing.assert_allclose(_numpy(vae(x)), _numpy(reloaded(x)), rtol=1e-6)
    np.testing.assert_allclose(_numpy(vae.losses[0]), _numpy(reloaded.losses[0]), rtol=1e-6)


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
    y = vae(rng.random((4, 6)).astype("float32"))
    assert y.dtype == "float16"
    # The KL term is computed in float32, the variable dtype.
    assert vae.losses[0].dtype == "float32"
    assert vae.encoder.dtype_policy.name == vae.decoder.dtype_policy.name == "mixed_float16"
    vae.compile(optimizer="adam", loss="mse")
    x = rng.random((64, 6)).astype("float32")
    history = vae.fit(x, x, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"original_dim": 0}, "original_dim는 양의 정수여야 합니다. 받은 값: original_dim=0"),
        ({"intermediate_dim": 1.5}, "받은 값: intermediate_dim=1.5"),
        ({"latent_dim": None}, "받은 값: latent_dim=None"),
        ({"kl_weight": -0.1}, "kl_weight는 0 이상의 유한한 수여야 합니다. 받은 값: kl_weight=-0.1"),
        ({"kl_weight": float("nan")}, "받은 값: kl_weight=nan"),
        ({"kl_weight": "1"}, "받은 값: kl_weight='1'"),
        ({"seed": 1.5}, "seed는 정수이거나 None이어야 합니다. 받은 값: seed=1.5"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        VariationalAutoEncoder(**kwargs)


def test_kl_weight_accepts_numpy_numbers():
    assert VariationalAutoEncoder(kl_weight=np.float32(0.5)).kl_weight == 0.5


def test_bad_input_shape():
    vae = VariationalAutoEncoder(original_dim=784)
    message = r"입력은 \(batch_size, 784\) 모양이어야 합니다 \(original_dim=784\). 받은 모양: "
    with pytest.raises(ValueError, match=message + r"\(2, 28, 28\)"):
        vae(np.zeros((2, 28, 28), dtype="float32"))
    with pytest.raises(ValueError, match=message + r"\(2, 100\)"):
        vae(np.zeros((2, 100), dtype="float32"))
