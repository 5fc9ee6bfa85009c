"""Tests for companion.layers.ComputeSum."""

import re

import keras
import numpy as np
import pytest

from companion import ComputeSum


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_basics_total_accumulates_across_calls():
    layer = ComputeSum(name="compute_sum")
    x = np.ones((2, 2), dtype="float32")
    np.testing.assert_array_equal(_numpy(layer(x)), [2.0, 2.0])
    np.testing.assert_array_equal(_numpy(layer(x)), [4.0, 4.0])
    assert len(layer.weights) == 1
    assert layer.non_trainable_weights == [layer.total]
    assert layer.trainable_weights == []
    assert layer.total.path == "compute_sum/total"


def test_total_is_the_column_sum_of_everything_seen(rng):
    layer = ComputeSum()
    batches = [rng.normal(size=(n, 3)).astype("float32") for n in (1, 4, 2)]
    for batch in batches:
        out = layer(batch)
    expected = np.concatenate(batches).sum(axis=0)
    np.testing.assert_allclose(_numpy(out), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_numpy(layer.total), expected, rtol=1e-5, atol=1e-6)


def test_total_starts_at_zero_and_is_created_on_first_call():
    layer = ComputeSum()
    assert not layer.built and layer.weights == []
    layer.build((None, 5))
    np.testing.assert_array_equal(_numpy(layer.total), np.zeros(5))
    assert layer.compute_output_shape((None, 5)) == (5,)


def test_config_round_trip():
    layer = ComputeSum(name="running_total", dtype="float64")
    clone = ComputeSum.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.name == "running_total" and clone.dtype == "float64"


def test_state_is_saved_with_the_model(tmp_path):
    model = keras.Sequential([keras.Input((2,)), ComputeSum(name="sum")])
    model(np.ones((3, 2), dtype="float32"))
    path = tmp_path / "sum.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    layer = loaded.get_layer("sum")
    assert isinstance(layer, ComputeSum)
    np.testing.assert_array_equal(_numpy(layer.total), [3.0, 3.0])
    np.testing.assert_array_equal(_numpy(loaded(np.ones((1, 2), dtype="float32"))), [4.0, 4.0])


def test_updates_happen_inside_compiled_predict():
    model = keras.Sequential([keras.Input((2,)), ComputeSum(name="sum")])
    model.predict(np.ones((4, 2), dtype="float32"), batch_size=4, verbose=0)
    np.testing.assert_array_equal(_numpy(model.get_layer("sum").total), [4.0, 4.0])


def test_mixed_precision_accumulates_in_float32():
    layer = ComputeSum(dtype="mixed_float16")
    y = layer(np.full((2, 2), 0.5, dtype="float32"))
    assert layer.total.dtype == "float32"
    assert keras.backend.standardize_dtype(y.dtype) == "float16"
    np.testing.assert_array_equal(_numpy(y), [1.0, 1.0])


@pytest.mark.parametrize("shape", [(3,), (2, 3, 4)])
def test_inputs_that_are_not_2d_are_rejected(shape):
    layer = ComputeSum(name="compute_sum")
    with pytest.raises(ValueError, match="2차원 텐서.*받은 입력 모양: " + re.escape(repr(shape))):
        layer(np.ones(shape, dtype="float32"))


def test_a_different_number_of_features_is_rejected():
    layer = ComputeSum(name="compute_sum")
    layer(np.ones((1, 2), dtype="float32"))
    with pytest.raises(
        ValueError, match=r"'compute_sum'.*axis -1 .* value 2, but received .* shape \(1, 3\)"
    ):
        layer(np.ones((1, 3), dtype="float32"))


def test_unknown_feature_count_cannot_build():
    with pytest.raises(ValueError, match=r"마지막 차원을 알아야.*\(None, None\)"):
        ComputeSum(name="compute_sum")(keras.Input(shape=(None,)))
