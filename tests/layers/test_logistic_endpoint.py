"""Tests for companion.layers.logistic_endpoint."""

import keras
import numpy as np
import pytest
from keras import ops

from companion import LogisticEndpoint


def _functional_model():
    inputs = keras.Input((3,), name="inputs")
    targets = keras.Input((1,), name="targets")
    logits = keras.layers.Dense(1, name="dense")(inputs)
    probabilities = LogisticEndpoint(name="logistic")(logits, targets)
    return keras.Model([inputs, targets], probabilities)


def _separable_data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5]) > 0).astype("float32").reshape(-1, 1)
    return {"inputs": x, "targets": y}


def test_basics_probabilities_loss_and_accuracy(tmp_path):
    layer = LogisticEndpoint(name="logistic")
    logits = np.array([[2.0], [-1.0], [0.5]], dtype="float32")
    targets = np.array([[1.0], [1.0], [0.0]], dtype="float32")

    probabilities = ops.convert_to_numpy(layer(logits, targets))

    expected_p = 1.0 / (1.0 + np.exp(-logits))
    np.testing.assert_allclose(probabilities, expected_p, rtol=1e-6)
    expected_loss = -np.mean(targets * np.log(expected_p) + (1 - targets) * np.log(1 - expected_p))
    assert len(layer.losses) == 1
    assert float(layer.losses[0]) == pytest.approx(expected_loss, rel=1e-5)
    assert [m.name for m in layer.metrics] == ["accuracy"]
    # 2.0 → 1 correct, -1.0 → 0 wrong, 0.5 → 1 wrong.
    assert float(layer.metrics[0].result()) == pytest.approx(1 / 3)
    assert layer.weights == []

    clone = LogisticEndpoint.from_config(layer.get_config())
    assert clone.name == "logistic"

    model = _functional_model()
    data = _separable_data(8)
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(restored.predict(data, verbose=0), model.predict(data, verbose=0))


def test_without_targets_no_loss_and_no_metric_update():
    layer = LogisticEndpoint()
    probabilities = layer(np.zeros((2, 1), dtype="float32"))

    np.testing.assert_allclose(ops.convert_to_numpy(probabilities), np.full((2, 1), 0.5))
    assert layer.losses == []
    assert float(layer.metrics[0].count) == 0.0


def test_sample_weight_is_used_for_loss_and_accuracy():
    layer = LogisticEndpoint()
    logits = np.array([[3.0], [3.0]], dtype="float32")
    targets = np.array([[1.0], [0.0]], dtype="float32")

    layer(logits, targets, np.array([1.0, 0.0], dtype="float32"))

    assert float(layer.metrics[0].result()) == pytest.approx(1.0)
    expected = np.log1p(np.exp(-3.0)) / 2  # only the correct sample counts, summed over batch 2
    assert float(layer.losses[0]) == pytest.approx(expected, rel=1e-5)


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
    probabilities = layer(np.zeros((2, 1), dtype="float32"), np.ones((2, 1), dtype="float32"))

    assert probabilities.dtype == "float16"
    assert np.isfinite(float(layer.losses[0]))


def test_targets_of_another_shape_are_rejected():
    with pytest.raises(ValueError, match=r"logits=\(3, 1\), targets=\(3,\)"):
        LogisticEndpoint()(np.zeros((3, 1), dtype="float32"), np.zeros((3,), dtype="float32"))


def test_targets_of_another_shape_are_rejected_in_a_functional_model():
    logits = keras.Input((1,))
    targets = keras.Input((2,))
    with pytest.raises(ValueError, match=r"targets=\(None, 2\)"):
        LogisticEndpoint()(logits, targets)
