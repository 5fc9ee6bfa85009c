"""Tests for companion.layers.activity_regularization_layer."""

import keras
import numpy as np
import pytest
from keras import ops

from companion import ActivityRegularizationLayer


def test_basics_returns_inputs_and_adds_rate_times_sum(tmp_path):
    layer = ActivityRegularizationLayer(rate=0.5, name="activity")
    x = np.array([[1.0, 2.0], [3.0, -4.0]], dtype="float32")

    assert layer.losses == []
    y = layer(x)

    np.testing.assert_array_equal(ops.convert_to_numpy(y), x)
    assert len(layer.losses) == 1
    assert float(layer.losses[0]) == pytest.approx(0.5 * 2.0)
    assert layer.weights == []

    config = layer.get_config()
    assert config["rate"] == 0.5
    clone = ActivityRegularizationLayer.from_config(config)
    assert clone.rate == 0.5 and clone.name == "activity"

    inputs = keras.Input((2,))
    outputs = keras.layers.Dense(1)(ActivityRegularizationLayer(rate=0.1)(inputs))
    model = keras.Model(inputs, outputs)
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0))
    assert restored.layers[1].rate == 0.1


def test_losses_are_reset_on_every_top_level_call():
    layer = ActivityRegularizationLayer(rate=1.0)
    layer(np.ones((2, 2), dtype="float32"))
    layer(np.full((2, 2), 3.0, dtype="float32"))

    assert len(layer.losses) == 1
    assert float(layer.losses[0]) == pytest.approx(12.0)


def test_losses_of_an_inner_layer_reach_the_outer_layer():
    class Outer(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.activity = ActivityRegularizationLayer(rate=0.25)

        def call(self, inputs):
            return self.activity(inputs)

    outer = Outer()
    outer(np.ones((2, 4), dtype="float32"))
    outer(np.ones((2, 4), dtype="float32"))

    assert len(outer.losses) == 1
    assert float(outer.losses[0]) == pytest.approx(2.0)


def test_fit_adds_the_layer_loss_to_the_compiled_loss():
    inputs = keras.Input((3,))
    outputs = ActivityRegularizationLayer(rate=0.01)(keras.layers.Dense(1, use_bias=False)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((4, 3), dtype="float32")
    y = np.zeros((4, 1), dtype="float32")

    prediction = model.predict(x, verbose=0)
    expected = float(np.mean(prediction**2) + 0.01 * prediction.sum())
    evaluated = model.evaluate(x, y, verbose=0)

    assert evaluated == pytest.approx(expected, rel=1e-5)


def test_fit_without_compiled_loss_minimises_the_added_loss():
    # rate * sum(outputs) is lowered by pushing the outputs down.
    inputs = keras.Input((3,))
    outputs = ActivityRegularizationLayer(rate=1.0)(keras.layers.Dense(1)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.01))
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")

    history = model.fit(x, epochs=3, batch_size=16, verbose=0)

    assert history.history["loss"][-1] < history.history["loss"][0]


def test_mixed_precision_keeps_output_dtype_and_float32_loss():
    layer = ActivityRegularizationLayer(dtype="mixed_float16")
    y = layer(np.ones((2, 3), dtype="float32"))

    assert y.dtype == "float16"
    assert keras.backend.standardize_dtype(layer.losses[0].dtype) == "float32"


def test_passes_the_mask_through():
    layer = ActivityRegularizationLayer()
    mask = np.array([[True, False]])

    assert layer.supports_masking
    np.testing.assert_array_equal(layer.compute_mask(np.ones((1, 2, 3)), mask), mask)


@pytest.mark.parametrize("rate", [-0.1, "0.1", None, True, float("nan")])
def test_bad_rate_is_rejected(rate):
    with pytest.raises(ValueError, match=r"rate.*받은 값: rate="):
        ActivityRegularizationLayer(rate=rate)
