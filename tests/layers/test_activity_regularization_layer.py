"""Tests for companion.layers.activity_regularization_layer.

How Keras collects and resets `layer.losses` (per top-level call, through nested layers) is
Keras's own behaviour: see tests/test_keras_facts.py.
"""

import keras
import numpy as np
import pytest
from contract import (
    assert_config_round_trip,
    assert_keras_round_trip,
    assert_weights,
    numpy,
    raises_naming,
)

from companion import ActivityRegularizationLayer


def test_basics_returns_inputs_and_adds_rate_times_sum():
    layer = ActivityRegularizationLayer(rate=0.5, name="activity")
    x = np.array([[1.0, 2.0], [3.0, -4.0]], dtype="float32")
    assert layer.losses == []
    y = layer(x)
    np.testing.assert_array_equal(numpy(y), x)
    # rate · sum = 0.5 · 2.0 (the mean would give 0.25, a flipped sign -1.0).
    assert [float(loss) for loss in layer.losses] == [pytest.approx(1.0)]
    assert_weights(layer, trainable=0)


def test_config_round_trip_and_keras_file(tmp_path):
    layer = ActivityRegularizationLayer(rate=0.25, name="activity")
    x = np.array([[1.0, 2.0], [3.0, -4.0]], dtype="float32")
    clone = assert_config_round_trip(layer, x, rate=0.25)
    assert float(clone.losses[0]) == pytest.approx(0.5)

    inputs = keras.Input((2,))
    outputs = keras.layers.Dense(1)(ActivityRegularizationLayer(rate=0.1, name="reg")(inputs))
    model = keras.Model(inputs, outputs)
    loaded = assert_keras_round_trip(
        model, x, tmp_path, layer="reg", layer_type=ActivityRegularizationLayer
    )
    loaded(x)
    assert float(loaded.losses[0]) == pytest.approx(0.2)


def test_evaluate_adds_the_layer_loss_to_the_compiled_loss():
    inputs = keras.Input((3,))
    outputs = ActivityRegularizationLayer(rate=0.01)(keras.layers.Dense(1, use_bias=False)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((4, 3), dtype="float32")
    y = np.zeros((4, 1), dtype="float32")
    prediction = model.predict(x, verbose=0)
    expected = float(np.mean(prediction**2) + 0.01 * prediction.sum())
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_fit_without_compiled_loss_minimises_the_added_loss():
    # rate * sum(outputs) is lowered by pushing the outputs down: the loss goes negative,
    # which a mean or a flipped sign would not do the same way.
    inputs = keras.Input((3,))
    outputs = ActivityRegularizationLayer(rate=1.0)(keras.layers.Dense(1)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.01))
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    before = float(np.sum(model.predict(x, verbose=0)))
    history = model.fit(x, epochs=3, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[0] == pytest.approx(before, rel=1e-4, abs=1e-4)
    assert losses[-1] < losses[0]
    assert float(np.sum(model.predict(x, verbose=0))) < before


def test_mixed_precision_keeps_output_dtype_and_float32_loss():
    layer = ActivityRegularizationLayer(dtype="mixed_float16")
    y = layer(np.ones((2, 3), dtype="float32"))
    assert keras.backend.standardize_dtype(y.dtype) == "float16"
    assert keras.backend.standardize_dtype(layer.losses[0].dtype) == "float32"
    assert float(layer.losses[0]) == pytest.approx(0.06)


def test_passes_the_mask_through():
    layer = ActivityRegularizationLayer()
    mask = np.array([[True, False]])
    assert layer.supports_masking
    np.testing.assert_array_equal(layer.compute_mask(np.ones((1, 2, 3)), mask), mask)


@pytest.mark.parametrize("rate", [-0.1, "0.1", None, True, float("nan")])
def test_bad_rate_is_rejected(rate):
    with raises_naming("rate", rate):
        ActivityRegularizationLayer(rate=rate)
