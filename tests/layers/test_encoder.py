"""Tests for companion.layers.Encoder."""

import os

import keras
import numpy as np
import pytest

from companion import Encoder, Sampling


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


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
    assert len(encoder.trainable_weights) == 6 and encoder.non_trainable_weights == []
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


def test_config_round_trip_and_output_shape():
    encoder = Encoder(latent_dim=2, intermediate_dim=16, seed=5, name="enc")
    config = encoder.get_config()
    assert {k: config[k] for k in ("latent_dim", "intermediate_dim", "seed", "name")} == {
        "latent_dim": 2,
        "intermediate_dim": 16,
        "seed": 5,
        "name": "enc",
    }
    clone = Encoder.from_config(config)
    assert clone.get_config() == config
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
    path = os.path.join(tmp_path, "encoder.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    assert isinstance(reloaded.get_layer("encoder"), Encoder)
    x = rng.normal(size=(5, 12)).astype("float32")
    # Same weights and seed, fresh generators: all three outputs agree, z included.
    for before, after in zip(
        model.predict(x, verbose=0), reloaded.predict(x, verbose=0), strict=True
    ):
        np.testing.assert_allclose(before, after, rtol=1e-6, atol=1e-6)


def test_fit_lowers_the_loss(rng):
    # Regress a linear function of the inputs from the (deterministic) mean and log-variance.
    inputs = keras.Input(shape=(4,))
    z_mean, z_log_var, _ = Encoder(latent_dim=2, intermediate_dim=16, seed=1)(inputs)
    features = keras.layers.Concatenate()([z_mean, z_log_var])
    model = keras.Model(inputs, keras.layers.Dense(1)(features))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    x = rng.normal(size=(256, 4)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5], [0.0]], dtype="float32")
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]


def test_mixed_precision_policy_reaches_the_sub_layers(rng):
    encoder = Encoder(latent_dim=2, intermediate_dim=4, seed=0, dtype="mixed_float16")
    z_mean, z_log_var, z = encoder(rng.normal(size=(3, 5)).astype("float32"))
    assert z_mean.dtype == z_log_var.dtype == z.dtype == "float16"
    assert all(w.dtype == "float32" for w in encoder.weights)
    assert encoder.sampling.dtype_policy.name == "mixed_float16"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"latent_dim": 0}, "latent_dim는 양의 정수여야 합니다. 받은 값: latent_dim=0"),
        ({"latent_dim": 2.5}, "latent_dim는 양의 정수여야 합니다. 받은 값: latent_dim=2.5"),
        ({"intermediate_dim": -1}, "받은 값: intermediate_dim=-1"),
        ({"intermediate_dim": True}, "받은 값: intermediate_dim=True"),
        ({"seed": "7"}, "seed는 정수이거나 None이어야 합니다. 받은 값: seed='7'"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Encoder(**kwargs)


@pytest.mark.parametrize("shape", [(5,), (None, None)])
def test_bad_input_shape(shape):
    with pytest.raises(ValueError, match=r"Encoder 층의 입력은 .* 받은 모양: "):
        Encoder(latent_dim=2).build(shape)
