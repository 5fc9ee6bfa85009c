"""Tests for companion.layers.logistic_endpoint."""

import keras
import numpy as np
import pytest
from contract import (
    assert_config_round_trip,
    assert_keras_round_trip,
    assert_mixed_float16,
    assert_weights,
    numpy,
    raises_showing,
)

from companion import LogisticEndpoint


def _functional_model():
    inputs = keras.Input((3,), name="inputs")
    targets = keras.Input((1,), name="targets")
    logits = keras.layers.Dense(1, name="dense")(inputs)
    probabilities = LogisticEndpoint(name="logistic")(logits, targets)
    return keras.Model([inputs, targets], probabilities, name="logistic_regression")


def _separable_data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5]) > 0).astype("float32").reshape(-1, 1)
    return {"inputs": x, "targets": y}


def _bce(logits, targets, weights=None):
    p = 1.0 / (1.0 + np.exp(-logits))
    per_sample = -(targets * np.log(p) + (1 - targets) * np.log(1 - p)).mean(axis=-1)
    weights = np.ones(len(per_sample)) if weights is None else weights
    return float(np.sum(per_sample * weights) / len(per_sample))


def test_basics_probabilities_loss_and_accuracy():
    layer = LogisticEndpoint(name="logistic")
    logits = np.array([[2.0], [-1.0], [0.5]], dtype="float32")
    targets = np.array([[1.0], [1.0], [0.0]], dtype="float32")
    probabilities = numpy(layer(logits, targets))
    np.testing.assert_allclose(probabilities, 1.0 / (1.0 + np.exp(-logits)), rtol=1e-6)
    assert [float(loss) for loss in layer.losses] == [pytest.approx(_bce(logits, targets))]
    assert [m.name for m in layer.metrics] == ["accuracy"]
    # 2.0 → 1 correct, -1.0 → 0 wrong, 0.5 → 1 wrong.
    assert float(layer.metrics[0].result()) == pytest.approx(1 / 3)
    assert_weights(layer, trainable=0)


def test_config_round_trip_and_keras_file(tmp_path):
    logits = np.array([[2.0], [-1.0]], dtype="float32")
    targets = np.array([[1.0], [0.0]], dtype="float32")
    layer = LogisticEndpoint(name="logistic")
    clone = assert_config_round_trip(layer, (logits, targets), call=lambda lay, x: lay(*x))
    assert float(clone.losses[0]) == pytest.approx(_bce(logits, targets), rel=1e-5)
    model = _functional_model()
    data = _separable_data(8)
    assert_keras_round_trip(model, data, tmp_path, layer="logistic", layer_type=LogisticEndpoint)


def test_without_targets_no_loss_and_no_metric_update():
    layer = LogisticEndpoint()
    probabilities = layer(np.zeros((2, 1), dtype="float32"))
    np.testing.assert_allclose(numpy(probabilities), np.full((2, 1), 0.5))
    assert layer.losses == []
    assert float(layer.metrics[0].count) == 0.0


def test_sample_weight_is_used_for_loss_and_accuracy():
    layer = LogisticEndpoint()
    logits = np.array([[3.0], [3.0]], dtype="float32")
    targets = np.array([[1.0], [0.0]], dtype="float32")
    weights = np.array([1.0, 0.0], dtype="float32")
    layer(logits, targets, weights)
    # Only the correct sample counts.
    assert float(layer.metrics[0].result()) == pytest.approx(1.0)
    assert float(layer.losses[0]) == pytest.approx(_bce(logits, targets, weights), rel=1e-5)


@pytest.mark.xfail(
    keras.backend.backend() == "jax",
    reason="keras-team/keras#21639: JAX fit() does not pass a layer's metric variables to call()",
    raises=TypeError,
    strict=True,
)
def test_fit_without_compiled_loss_reports_loss_and_accuracy():
    model = _functional_model()
    model.compile(optimizer=keras.optimizers.Adam(0.1))
    history = model.fit(_separable_data(), epochs=10, batch_size=16, verbose=0)
    assert set(history.history) == {"loss", "accuracy"}
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9
    assert [m.name for m in model.get_layer("logistic").metrics] == ["accuracy"]


def test_mixed_precision_probabilities_follow_compute_dtype():
    layer = LogisticEndpoint(dtype="mixed_float16")
    logits = np.array([[2.0], [-1.0]], dtype="float32")
    targets = np.array([[1.0], [1.0]], dtype="float32")
    assert_mixed_float16(layer, layer(logits, targets))
    assert float(layer.losses[0]) == pytest.approx(_bce(logits, targets), rel=1e-3)


def test_targets_of_another_shape_are_rejected():
    with raises_showing((3, 1), (3,)):
        LogisticEndpoint()(np.zeros((3, 1), dtype="float32"), np.zeros((3,), dtype="float32"))


def test_targets_of_another_shape_are_rejected_in_a_functional_model():
    with raises_showing((None, 2)):
        LogisticEndpoint()(keras.Input((1,)), keras.Input((2,)))
