"""Tests for companion.layers.Sampling."""

import keras
import numpy as np
import pytest
from contract import (
    assert_config_round_trip,
    assert_fit_lowers_loss,
    assert_keras_round_trip,
    assert_weights,
    raises_naming,
    raises_showing,
)

from companion import Sampling


def _zeros(shape, dtype="float32"):
    return np.zeros(shape, dtype=dtype)


def test_basics_shape_no_weights_and_config_round_trip():
    layer = Sampling(seed=7, name="sampling")
    inputs = [_zeros((4, 3)), np.ones((4, 3), dtype="float32")]
    z = layer(inputs)
    assert tuple(z.shape) == (4, 3)
    assert_weights(layer, trainable=0)
    # The only state is the seed generator's, which is not a weight.
    assert [v.path for v in layer.variables] == ["seed_generator/seed_generator_state"]
    # From the same generator state, the clone draws the same sample.
    clone = assert_config_round_trip(layer, inputs, seed=7)
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


def _ks_distance_to_standard_normal(samples):
    """Kolmogorov–Smirnov distance between the samples' empirical CDF and N(0, 1)'s CDF."""
    from math import erf, sqrt

    x = np.sort(np.asarray(samples, dtype="float64").ravel())
    normal_cdf = 0.5 * (1.0 + np.vectorize(erf)(x / sqrt(2.0)))
    n = x.size
    above = np.arange(1, n + 1) / n - normal_cdf
    below = normal_cdf - np.arange(0, n) / n
    return float(max(above.max(), below.max())), n


def test_noise_is_gaussian_not_just_mean_zero_variance_one():
    # Standardised samples against N(0, 1): a uniform or Rademacher noise with the right mean and
    # variance has KS distance ~0.06 or ~0.34 here, far above the 0.1% critical value 1.95/sqrt(n).
    n = 20_000
    z_mean = np.tile(np.array([[0.0, 2.0]], dtype="float32"), (n, 1))
    z_log_var = np.tile(np.log(np.array([[1.0, 4.0]], dtype="float32")), (n, 1))
    z = keras.ops.convert_to_numpy(Sampling(seed=5)([z_mean, z_log_var]))
    for column, (mean, std) in enumerate([(0.0, 1.0), (2.0, 2.0)]):
        distance, count = _ks_distance_to_standard_normal((z[:, column] - mean) / std)
        assert distance < 1.95 / np.sqrt(count), (column, distance)


def test_the_gaussian_check_rejects_noise_with_the_right_moments():
    rng = np.random.default_rng(0)
    uniform = rng.uniform(-np.sqrt(3.0), np.sqrt(3.0), size=20_000)  # mean 0, variance 1
    distance, count = _ks_distance_to_standard_normal(uniform)
    assert distance > 1.95 / np.sqrt(count)


def test_two_unseeded_layers_differ_and_follow_the_global_seed():
    inputs = [_zeros((6, 3)), _zeros((6, 3))]

    def draw_two():
        first, second = Sampling(), Sampling()
        return (
            keras.ops.convert_to_numpy(first(inputs)),
            keras.ops.convert_to_numpy(second(inputs)),
        )

    keras.utils.set_random_seed(11)
    a1, a2 = draw_two()
    assert not np.allclose(a1, a2), "two unseeded layers drew the same noise"
    keras.utils.set_random_seed(11)
    b1, b2 = draw_two()
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    keras.utils.set_random_seed(12)
    c1, _ = draw_two()
    assert not np.allclose(a1, c1), "the global seed does not reach an unseeded layer"


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
    import tensorflow as tf

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
    model = keras.Model(inputs, Sampling(seed=11, name="z")([z_mean, z_log_var]))
    x = rng.normal(size=(8, 6)).astype("float32")
    loaded = assert_keras_round_trip(model, x, tmp_path, layer="z", layer_type=Sampling)
    assert loaded.get_layer("z").seed == 11


def test_fit_lowers_the_loss(rng):
    # Learn a mean and a log-variance so that the samples hit a target. The loss can only get
    # small if the noise shrinks, that is if the samples follow the learnt log-variance: with
    # unit-variance noise the MSE could not go below 1.
    inputs = keras.Input(shape=(4,))
    z_mean = keras.layers.Dense(2)(inputs)
    z_log_var = keras.layers.Dense(2)(inputs)
    model = keras.Model(inputs, Sampling(seed=2)([z_mean, z_log_var]))
    x = rng.normal(size=(256, 4)).astype("float32")
    assert_fit_lowers_loss(
        model,
        x,
        x[:, :2] * 2.0,
        epochs=15,
        optimizer=keras.optimizers.Adam(0.05),
        loss="mse",
        factor=0.5,
        below=0.3,
    )


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
    "inputs, received",
    [
        (_zeros((4, 2)), ["(4, 2)"]),
        ([_zeros((4, 2))], ["1", "list"]),
        ((_zeros((4, 2)),) * 3, ["3", "tuple"]),
        ([_zeros((4, 2)), _zeros((4, 3))], ["z_mean=(4, 2)", "z_log_var=(4, 3)"]),
    ],
)
def test_bad_inputs_name_what_was_received(inputs, received):
    with raises_showing(*received):
        Sampling()(inputs)


def test_mismatched_symbolic_shapes_are_rejected_when_building_the_model():
    a = keras.Input(shape=(2,))
    b = keras.Input(shape=(3,))
    with raises_showing("z_mean=(None, 2)", "z_log_var=(None, 3)"):
        Sampling()([a, b])


@pytest.mark.parametrize("seed", [1.5, "1", True])
def test_bad_seed(seed):
    with raises_naming("seed", seed):
        Sampling(seed=seed)
