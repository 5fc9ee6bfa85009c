"""Tests for companion.layers.custom_dropout."""

import keras
import numpy as np
import pytest
from keras import ops

from companion import CustomDropout


def test_basics_drops_only_when_training(tmp_path):
    layer = CustomDropout(0.5, seed=7, name="dropout")
    x = np.ones((64, 32), dtype="float32")

    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x)), x)
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x, training=False)), x)
    y = ops.convert_to_numpy(layer(x, training=True))

    # Kept values are scaled by 1 / (1 - rate); about half are dropped.
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert 0.4 < np.mean(y == 0.0) < 0.6
    assert layer.trainable_weights == []

    config = layer.get_config()
    assert (config["rate"], config["seed"]) == (0.5, 7)
    clone = CustomDropout.from_config(config)
    assert (clone.rate, clone.seed, clone.name) == (0.5, 7, "dropout")

    inputs = keras.Input((32,))
    outputs = keras.layers.Dense(2)(CustomDropout(0.3, seed=1)(inputs))
    model = keras.Model(inputs, outputs)
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_same_seed_same_patterns_and_patterns_change_between_calls():
    x = np.ones((8, 16), dtype="float32")
    first = CustomDropout(0.5, seed=3)
    second = CustomDropout(0.5, seed=3)

    a1 = ops.convert_to_numpy(first(x, training=True))
    a2 = ops.convert_to_numpy(first(x, training=True))
    b1 = ops.convert_to_numpy(second(x, training=True))

    np.testing.assert_array_equal(a1, b1)
    assert not np.array_equal(a1, a2)


def test_rate_zero_never_drops():
    layer = CustomDropout(0.0, seed=0)
    x = np.arange(6, dtype="float32").reshape(2, 3)

    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x, training=True)), x)


def test_fit_sets_training_and_predict_does_not():
    # A model whose only path to the output goes through the dropout layer: predict() must be
    # deterministic (training=False), while fit() must see dropped inputs.
    inputs = keras.Input((10,))
    outputs = keras.layers.Dense(1, kernel_initializer="ones", use_bias=False)(
        CustomDropout(0.5, seed=0)(inputs)
    )
    model = keras.Model(inputs, outputs)
    x = np.ones((4, 10), dtype="float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), np.full((4, 1), 10.0))
    np.testing.assert_allclose(model.predict(x, verbose=0), np.full((4, 1), 10.0))

    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    train_loss = model.fit(x, np.full((4, 1), 10.0), verbose=0).history["loss"][0]
    eval_loss = model.evaluate(x, np.full((4, 1), 10.0), verbose=0)

    assert eval_loss == pytest.approx(0.0)
    assert train_loss > 0.0


def test_fit_lowers_the_loss():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 8)).astype("float32")
    y = x @ rng.normal(size=(8, 1)).astype("float32")
    model = keras.Sequential([keras.Input((8,)), CustomDropout(0.1, seed=0), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")

    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)

    assert history.history["loss"][-1] < history.history["loss"][0]


def test_mixed_precision_output_dtype():
    layer = CustomDropout(0.5, seed=0, dtype="mixed_float16")

    assert layer(np.ones((2, 3), dtype="float32"), training=True).dtype == "float16"


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "0.5", None, True])
def test_bad_rate_is_rejected(rate):
    with pytest.raises(ValueError, match=r"rate.*받은 값: rate="):
        CustomDropout(rate)


@pytest.mark.parametrize("seed", [1.5, "1", True])
def test_bad_seed_is_rejected(seed):
    with pytest.raises(ValueError, match=r"seed.*받은 값: seed="):
        CustomDropout(0.5, seed=seed)
