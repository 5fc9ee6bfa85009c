"""Tests for companion.layers.Sampling."""

import os
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from companion import Sampling


def _zeros(shape, dtype="float32"):
    return np.zeros(shape, dtype=dtype)


def test_basics_shape_no_weights_and_config_round_trip():
    layer = Sampling(seed=7, name="sampling")
    z = layer([_zeros((4, 3)), _zeros((4, 3))])
    assert tuple(z.shape) == (4, 3)
    assert layer.weights == [] and layer.trainable_weights == []
    assert layer.non_trainable_weights == []
    # The only state is the seed generator's, which is not a weight.
    assert [v.path for v in layer.variables] == ["seed_generator/seed_generator_state"]
    config = layer.get_config()
    assert config["seed"] == 7 and config["name"] == "sampling"
    clone = Sampling.from_config(config)
    assert clone.get_config() == config
    assert clone.compute_output_shape([(None, 3), (None, 3)]) == (None, 3)


def test_statistics_match_the_requested_normal_distribution():
    n = 20_000
    z_mean = np.tile(np.array([[0.0, 2.0, -1.0]], dtype="float32"), (n, 1))
    z_log_var = np.tile(np.log(np.array([[1.0, 0.25, 4.0]], dtype="float32")), (n, 1))
    z = keras.ops.convert_to_numpy(Sampling(seed=1)([z_mean, z_log_var]))
    np.testing.assert_allclose(z.mean(axis=0), [0.0, 2.0, -1.0], atol=0.04)
    np.testing.assert_allclose(z.std(axis=0), [1.0, 0.5, 2.0], rtol=0.03)
    # The three columns are drawn independently.
    assert abs(np.corrcoef(z[:, 0], z[:, 2])[0, 1]) < 0.03


def test_same_seed_same_samples_and_successive_calls_differ():
    inputs = [_zeros((5, 2)), _zeros((5, 2))]
    a, b, c = Sampling(seed=3), Sampling(seed=3), Sampling(seed=4)
    first_a = keras.ops.convert_to_numpy(a(inputs))
    np.testing.assert_array_equal(first_a, keras.ops.convert_to_numpy(b(inputs)))
    assert not np.allclose(first_a, keras.ops.convert_to_numpy(c(inputs)))
    # The seed generator advances, so a second call draws new noise.
    assert not np.allclose(first_a, keras.ops.convert_to_numpy(a(inputs)))


@pytest.mark.tensorflow_only  # tf.GradientTape
def test_gradients_flow_to_mean_and_log_variance():
    # The reparameterization trick: dz/dz_mean = 1 and dz/dz_log_var = 0.5 * sigma * eps.
    z_mean = tf.Variable(np.zeros((3, 2), dtype="float32"))
    z_log_var = tf.Variable(np.zeros((3, 2), dtype="float32"))
    with tf.GradientTape() as tape:
        z = Sampling(seed=5)([z_mean, z_log_var])
        total = tf.reduce_sum(z)
    d_mean, d_log_var = tape.gradient(total, [z_mean, z_log_var])
    np.testing.assert_allclose(d_mean.numpy(), np.ones((3, 2)))
    # With zero mean and log-variance, z equals the noise, so d/dz_log_var = 0.5 * z.
    np.testing.assert_allclose(d_log_var.numpy(), 0.5 * z.numpy(), rtol=1e-6)


def test_in_a_functional_model_saved_and_reloaded(tmp_path, rng):
    inputs = keras.Input(shape=(6,), name="x")
    z_mean = keras.layers.Dense(2, name="z_mean")(inputs)
    z_log_var = keras.layers.Dense(2, name="z_log_var")(inputs)
    z = Sampling(seed=11, name="z")([z_mean, z_log_var])
    model = keras.Model(inputs, z)
    path = os.path.join(tmp_path, "sampling.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    assert isinstance(reloaded.get_layer("z"), Sampling)
    assert reloaded.get_layer("z").seed == 11
    x = rng.normal(size=(8, 6)).astype("float32")
    # Same weights and the same seed: the first draws after building are identical.
    np.testing.assert_array_equal(model.predict(x, verbose=0), reloaded.predict(x, verbose=0))


def test_fit_lowers_the_loss(rng):
    # Learn a mean and a (small) log-variance so that the samples hit a target.
    inputs = keras.Input(shape=(4,))
    z_mean = keras.layers.Dense(2)(inputs)
    z_log_var = keras.layers.Dense(2, bias_initializer="zeros")(inputs)
    model = keras.Model(inputs, Sampling(seed=2)([z_mean, z_log_var]))
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    x = rng.normal(size=(128, 4)).astype("float32")
    y = x[:, :2] * 2.0
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.skipif(
    keras.backend.backend() == "jax", reason="JAX has no float64 unless jax_enable_x64 is set"
)
def test_follows_the_dtype_policy():
    layer = Sampling(seed=0, dtype="float64")
    z = layer([_zeros((2, 3), "float64"), _zeros((2, 3), "float64")])
    assert keras.backend.standardize_dtype(z.dtype) == "float64"
    policy = keras.mixed_precision.dtype_policy()
    try:
        keras.mixed_precision.set_dtype_policy("mixed_float16")
        inputs = keras.Input(shape=(3,))
        z_mean = keras.layers.Dense(2)(inputs)
        z_log_var = keras.layers.Dense(2)(inputs)
        model = keras.Model(inputs, Sampling(seed=0)([z_mean, z_log_var]))
        out = model.predict(np.ones((4, 3), dtype="float32"), verbose=0)
        assert out.dtype == np.float16
        assert np.all(np.isfinite(out))
    finally:
        keras.mixed_precision.set_dtype_policy(policy)


@pytest.mark.parametrize(
    "inputs, message",
    [
        (_zeros((4, 2)), "텐서 하나 (모양 (4, 2))"),
        ([_zeros((4, 2))], "1개짜리 list"),
        ((_zeros((4, 2)),) * 3, "3개짜리 tuple"),
        (
            [_zeros((4, 2)), _zeros((4, 3))],
            "받은 모양: z_mean=(4, 2), z_log_var=(4, 3)",
        ),
    ],
)
def test_bad_inputs_name_what_was_received(inputs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Sampling()(inputs)


def test_mismatched_symbolic_shapes_are_rejected_when_building_the_model():
    a = keras.Input(shape=(2,))
    b = keras.Input(shape=(3,))
    with pytest.raises(ValueError, match=r"z_mean=\(None, 2\), z_log_var=\(None, 3\)"):
        Sampling()([a, b])


@pytest.mark.parametrize("seed", [1.5, "1", True])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match=f"seed={seed!r}"):
        Sampling(seed=seed)
