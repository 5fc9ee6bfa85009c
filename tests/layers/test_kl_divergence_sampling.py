"""Tests for companion.layers.KLDivergenceSampling."""

import math

import keras
import numpy as np
import pytest
from contract import (
    assert_config_round_trip,
    assert_keras_round_trip,
    assert_weights,
    raises_naming,
    raises_showing,
)

from companion import KLDivergenceSampling, Sampling


def _kl(z_mean, z_log_var):
    """The 2020 guide's formula: -0.5 * mean(log_var - mean² - exp(log_var) + 1)."""
    z_mean = np.asarray(z_mean, dtype="float64")
    z_log_var = np.asarray(z_log_var, dtype="float64")
    return -0.5 * np.mean(z_log_var - z_mean**2 - np.exp(z_log_var) + 1.0)


def _loss(layer):
    assert len(layer.losses) == 1
    return float(keras.ops.convert_to_numpy(layer.losses[0]))


def test_basics_is_a_sampling_layer_with_one_loss_and_config_round_trip():
    layer = KLDivergenceSampling(kl_weight=0.5, seed=3, name="z")
    assert isinstance(layer, Sampling)
    assert layer.losses == []
    z = layer([np.zeros((4, 2), "float32"), np.zeros((4, 2), "float32")])
    assert tuple(z.shape) == (4, 2)
    assert_weights(layer, trainable=0)
    assert _loss(layer) == 0.0
    inputs = [np.ones((3, 2), "float32"), np.full((3, 2), 0.5, "float32")]
    clone = assert_config_round_trip(layer, inputs, kl_weight=0.5, seed=3)
    assert _loss(clone) == pytest.approx(0.5 * _kl(*inputs), rel=1e-6)


def test_standard_normal_has_zero_kl_and_a_hand_computed_case():
    layer = KLDivergenceSampling(seed=0)
    layer([np.zeros((8, 3), "float32"), np.zeros((8, 3), "float32")])
    assert _loss(layer) == 0.0
    # Elements: exp(0) + 1² - 0 - 1 = 1 and exp(ln 2) + 2² - ln 2 - 1 = 5 - ln 2;
    # KL = 0.5 * mean = (6 - ln 2) / 4.
    z_mean = np.array([[1.0, 2.0]], dtype="float32")
    z_log_var = np.array([[0.0, math.log(2.0)]], dtype="float32")
    layer([z_mean, z_log_var])
    assert _loss(layer) == pytest.approx((6.0 - math.log(2.0)) / 4.0, rel=1e-6)


@pytest.mark.parametrize("kl_weight", [0.0, 1.0, 2.5])
def test_kl_weight_scales_the_formula_of_the_2020_guide(kl_weight, rng):
    z_mean = rng.normal(size=(16, 5)).astype("float32")
    z_log_var = rng.normal(scale=0.5, size=(16, 5)).astype("float32")
    layer = KLDivergenceSampling(kl_weight=kl_weight, seed=1)
    layer([z_mean, z_log_var])
    assert _loss(layer) == pytest.approx(kl_weight * _kl(z_mean, z_log_var), rel=1e-5, abs=1e-7)


def test_losses_are_reset_at_each_call(rng):
    layer = KLDivergenceSampling(seed=0)
    first = [rng.normal(size=(4, 2)).astype("float32") for _ in range(2)]
    second = [np.zeros((4, 2), "float32")] * 2
    layer(first)
    assert _loss(layer) == pytest.approx(_kl(*first), rel=1e-5)
    layer(second)
    assert _loss(layer) == 0.0


def test_samples_follow_the_distribution_like_sampling():
    n = 20_000
    z_mean = np.full((n, 2), 3.0, dtype="float32")
    z_log_var = np.full((n, 2), math.log(0.25), dtype="float32")
    z = keras.ops.convert_to_numpy(KLDivergenceSampling(seed=4)([z_mean, z_log_var]))
    np.testing.assert_allclose(z.mean(axis=0), [3.0, 3.0], atol=0.02)
    np.testing.assert_allclose(z.std(axis=0), [0.5, 0.5], rtol=0.03)


def _encoder_only_model(kl_weight=1.0, seed=0):
    inputs = keras.Input(shape=(6,), name="x")
    z_mean = keras.layers.Dense(3, name="z_mean")(inputs)
    z_log_var = keras.layers.Dense(3, name="z_log_var")(inputs)
    z = KLDivergenceSampling(kl_weight=kl_weight, seed=seed, name="z")([z_mean, z_log_var])
    return keras.Model(inputs, z)


def test_evaluate_without_a_compiled_loss_reports_exactly_the_kl(rng):
    # compile() with no loss: the only loss is the one the layer adds in call().
    model = _encoder_only_model(kl_weight=2.0)
    model.compile(optimizer="adam")
    x = rng.normal(size=(32, 6)).astype("float32")
    stats = keras.Model(
        model.input, [model.get_layer("z_mean").output, model.get_layer("z_log_var").output]
    )
    z_mean, z_log_var = stats.predict(x, verbose=0)
    loss = model.evaluate(x, batch_size=32, verbose=0)
    assert loss == pytest.approx(2.0 * _kl(z_mean, z_log_var), rel=1e-5)


def test_fit_drives_the_kl_towards_zero(rng):
    model = _encoder_only_model()
    model.compile(optimizer=keras.optimizers.Adam(0.05))
    x = rng.normal(size=(128, 6)).astype("float32")
    history = model.fit(x, epochs=20, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.1 * losses[0]
    assert losses[-1] < 0.01


def test_saved_and_reloaded_in_a_functional_model(tmp_path, rng):
    model = _encoder_only_model(kl_weight=0.25, seed=9)
    x = rng.normal(size=(5, 6)).astype("float32")
    loaded = assert_keras_round_trip(model, x, tmp_path, layer="z", layer_type=KLDivergenceSampling)
    assert loaded.get_layer("z").kl_weight == 0.25 and loaded.get_layer("z").seed == 9
    assert len(model.losses) == len(loaded.losses) == 1
    assert float(model.losses[0]) == pytest.approx(float(loaded.losses[0]), rel=1e-6)


def test_mixed_float16_samples_in_float16_and_keeps_the_loss_in_float32():
    policy = keras.mixed_precision.dtype_policy()
    try:
        keras.mixed_precision.set_dtype_policy("mixed_float16")
        layer = KLDivergenceSampling(seed=0)
        # 300² = 90 000 is above float16's maximum (65 504): the loss must not be float16.
        z_mean = np.full((2, 4), 300.0, dtype="float32")
        z = layer([z_mean, np.zeros((2, 4), "float32")])
        assert keras.backend.standardize_dtype(z.dtype) == "float16"
        assert keras.backend.standardize_dtype(layer.losses[0].dtype) == "float32"
        assert _loss(layer) == pytest.approx(0.5 * 300.0**2)
        model = _encoder_only_model()
        model.compile(optimizer="adam")
        history = model.fit(np.ones((16, 6), "float32"), epochs=2, verbose=0)
        assert np.all(np.isfinite(history.history["loss"]))
    finally:
        keras.mixed_precision.set_dtype_policy(policy)


@pytest.mark.parametrize("kl_weight", [-0.1, float("nan"), float("inf"), "1", None, True])
def test_bad_kl_weight(kl_weight):
    with raises_naming("kl_weight", kl_weight):
        KLDivergenceSampling(kl_weight=kl_weight)


def test_bad_inputs_are_rejected_like_sampling():
    with raises_showing("z_mean=(4, 2)", "z_log_var=(4, 1)"):
        KLDivergenceSampling()([np.zeros((4, 2), "float32"), np.zeros((4, 1), "float32")])
