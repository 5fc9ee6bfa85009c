"""Tests for companion.layers.custom_dropout.

That fit() calls layers with training=True and predict()/evaluate() with training=False is
Keras's own behaviour: see tests/test_keras_facts.py. Here: that CustomDropout acts on it.
"""

import keras
import numpy as np
import pytest
from contract import (
    assert_config_round_trip,
    assert_keras_round_trip,
    assert_mixed_float16,
    assert_weights,
    fit_losses,
    numpy,
    raises_naming,
)

from companion import CustomDropout


def test_basics_drops_only_when_training():
    layer = CustomDropout(0.5, seed=7, name="dropout")
    x = np.ones((64, 32), dtype="float32")
    np.testing.assert_array_equal(numpy(layer(x)), x)
    np.testing.assert_array_equal(numpy(layer(x, training=False)), x)
    y = numpy(layer(x, training=True))
    # Kept values are scaled by 1 / (1 - rate); about half are dropped.
    assert set(np.unique(y)) == {0.0, 2.0}
    assert 0.4 < np.mean(y == 0.0) < 0.6
    assert_weights(layer, trainable=0)


@pytest.mark.parametrize("rate", [0.2, 0.7])
def test_the_rate_sets_the_fraction_dropped_and_the_scale(rate):
    y = numpy(CustomDropout(rate, seed=1)(np.ones((100, 100), dtype="float32"), training=True))
    assert abs(np.mean(y == 0.0) - rate) < 0.03
    np.testing.assert_allclose(y[y != 0.0], 1.0 / (1.0 - rate), rtol=1e-6)


def test_same_seed_same_patterns_and_patterns_change_between_calls():
    x = np.ones((8, 16), dtype="float32")
    first, second = CustomDropout(0.5, seed=3), CustomDropout(0.5, seed=3)
    a1 = numpy(first(x, training=True))
    a2 = numpy(first(x, training=True))
    np.testing.assert_array_equal(a1, numpy(second(x, training=True)))
    assert not np.array_equal(a1, a2)
    # Another seed, another pattern.
    assert not np.array_equal(a1, numpy(CustomDropout(0.5, seed=4)(x, training=True)))


def test_rate_zero_never_drops():
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_array_equal(numpy(CustomDropout(0.0, seed=0)(x, training=True)), x)


def test_config_round_trip_and_keras_file(tmp_path):
    x = np.ones((4, 32), dtype="float32")
    layer = CustomDropout(0.3, seed=7, name="dropout")
    clone = assert_config_round_trip(layer, x, rate=0.3, seed=7)
    # The clone, from the same generator state, drops the same cells.
    np.testing.assert_array_equal(numpy(clone(x, training=True)), numpy(layer(x, training=True)))
    inputs = keras.Input((32,))
    outputs = keras.layers.Dense(2)(CustomDropout(0.3, seed=1, name="drop")(inputs))
    model = keras.Model(inputs, outputs)
    assert_keras_round_trip(model, x, tmp_path, layer="drop", layer_type=CustomDropout)


def test_fit_sets_training_and_predict_does_not():
    # The only path to the output goes through the dropout layer: predict() is deterministic
    # (training=False), while fit() sees dropped inputs and reports a loss.
    inputs = keras.Input((10,))
    outputs = keras.layers.Dense(1, kernel_initializer="ones", use_bias=False)(
        CustomDropout(0.5, seed=0)(inputs)
    )
    model = keras.Model(inputs, outputs)
    x, y = np.ones((4, 10), dtype="float32"), np.full((4, 1), 10.0)
    np.testing.assert_allclose(model.predict(x, verbose=0), y)
    np.testing.assert_allclose(model.predict(x, verbose=0), y)
    train_loss = fit_losses(model, x, y, epochs=1, optimizer=keras.optimizers.SGD(0.0), loss="mse")
    assert model.evaluate(x, y, verbose=0) == pytest.approx(0.0)
    assert train_loss["loss"][0] > 1.0


def test_fit_lowers_the_loss_with_dropout_on():
    # A linear target through dropped inputs: fit() lowers the loss evaluate() measures (no
    # dropout), and because the inputs are dropped while training, the training loss stays well
    # above it. A layer returning its input would give equal losses. (The first epoch's loss
    # depends on each backend's random initial weights, so the reference is evaluate() before.)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype("float32")
    y = x @ rng.normal(size=(8, 1)).astype("float32")
    model = keras.Sequential([keras.Input((8,)), CustomDropout(0.3, seed=0), keras.layers.Dense(1)])
    model.compile(loss="mse")
    before = model.evaluate(x, y, verbose=0)
    history = fit_losses(model, x, y, epochs=10, optimizer=keras.optimizers.Adam(0.05), loss="mse")
    after = model.evaluate(x, y, verbose=0)
    assert after < 0.2 * before, (before, after)
    assert history["loss"][-1] > 2.0 * after, (history["loss"], after)


def test_mixed_precision_drops_in_float16():
    layer = CustomDropout(0.5, seed=0, dtype="mixed_float16")
    y = layer(np.ones((16, 16), dtype="float32"), training=True)
    assert_mixed_float16(layer, y)
    assert set(np.unique(numpy(y))) == {0.0, 2.0}


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "0.5", None, True])
def test_bad_rate_is_rejected(rate):
    with raises_naming("rate", rate):
        CustomDropout(rate)


@pytest.mark.parametrize("seed", [1.5, "1", True])
def test_bad_seed_is_rejected(seed):
    with raises_naming("seed", seed):
        CustomDropout(0.5, seed=seed)


class _MaskSeen(keras.layers.Layer):
    """Records the mask Keras hands to the next layer."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.seen = None

    def call(self, inputs, mask=None):
        self.seen = None if mask is None else keras.ops.convert_to_numpy(mask)
        return inputs


@pytest.mark.parametrize("training", [True, False])
def test_a_mask_passes_through_in_training_and_inference(training):
    ids = np.array([[3, 5, 0, 0], [7, 0, 0, 0]])
    embedding = keras.layers.Embedding(10, 8, mask_zero=True)
    recorder = _MaskSeen()
    dropout = CustomDropout(0.5, seed=1)
    recorder(dropout(embedding(ids), training=training))
    np.testing.assert_array_equal(recorder.seen, ids != 0)
    # The padded steps stay masked, whatever dropout did to their values.
