"""Tests for companion.layers.ComputeSum."""

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

from companion import ComputeSum


def test_basics_total_accumulates_across_calls():
    layer = ComputeSum(name="compute_sum")
    x = np.ones((2, 2), dtype="float32")
    np.testing.assert_array_equal(numpy(layer(x)), [2.0, 2.0])
    np.testing.assert_array_equal(numpy(layer(x)), [4.0, 4.0])
    # The total is state, not a parameter: non-trainable, so fit() never changes it.
    assert_weights(layer, trainable=0, non_trainable=1, paths=["compute_sum/total"])
    assert layer.non_trainable_weights == [layer.total]


def test_total_is_the_column_sum_of_everything_seen(rng):
    layer = ComputeSum()
    batches = [rng.normal(size=(n, 3)).astype("float32") for n in (1, 4, 2)]
    for batch in batches:
        out = layer(batch)
    expected = np.concatenate(batches).sum(axis=0)
    np.testing.assert_allclose(numpy(out), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(numpy(layer.total), expected, rtol=1e-5, atol=1e-6)


def test_total_starts_at_zero_and_is_created_on_first_call():
    layer = ComputeSum()
    assert not layer.built and layer.weights == []
    layer.build((None, 5))
    np.testing.assert_array_equal(numpy(layer.total), np.zeros(5))
    assert layer.compute_output_shape((None, 5)) == (5,)


def test_config_round_trip_gives_a_layer_that_accumulates_the_same(rng):
    layer = ComputeSum(name="running_total", dtype="float64")
    x = rng.normal(size=(3, 2))
    # The clone, given the original's total, adds the next batch exactly as the original does.
    assert_config_round_trip(layer, x)
    assert ComputeSum.from_config(layer.get_config()).dtype == "float64"


def test_state_is_saved_with_the_model(tmp_path):
    model = keras.Sequential([keras.Input((2,)), ComputeSum(name="sum")], name="summer")
    model(np.ones((3, 2), dtype="float32"))
    loaded = assert_keras_round_trip(
        model, np.ones((1, 2), dtype="float32"), tmp_path, layer="sum", layer_type=ComputeSum
    )
    # Both were called once more by the round trip: 3 + 1 (+ 1 now).
    np.testing.assert_array_equal(numpy(loaded(np.ones((1, 2), dtype="float32"))), [5.0, 5.0])


def test_updates_happen_inside_compiled_predict():
    model = keras.Sequential([keras.Input((2,)), ComputeSum(name="sum")])
    model.predict(np.ones((4, 2), dtype="float32"), batch_size=4, verbose=0)
    np.testing.assert_array_equal(numpy(model.get_layer("sum").total), [4.0, 4.0])


def test_mixed_precision_accumulates_in_float32():
    layer = ComputeSum(dtype="mixed_float16")
    assert_mixed_float16(layer, layer(np.full((2, 2), 0.5, dtype="float32")))
    np.testing.assert_array_equal(numpy(layer.total), [1.0, 1.0])
    # Above 2048 float16 steps by 2, so 2048 + 1 + 1 + 1 + 1 summed in float16 stays 2048.
    # The total is float32 and not autocast, so it holds every unit.
    layer = ComputeSum(dtype="mixed_float16")
    layer(np.full((1, 2), 2048.0, dtype="float32"))
    for _ in range(4):
        layer(np.ones((1, 2), dtype="float32"))
    np.testing.assert_array_equal(numpy(layer.total), [2052.0, 2052.0])


@pytest.mark.parametrize("shape", [(3,), (2, 3, 4)])
def test_inputs_that_are_not_2d_are_rejected(shape):
    with raises_showing(shape):
        ComputeSum(name="compute_sum")(np.ones(shape, dtype="float32"))


def test_a_different_number_of_features_is_rejected():
    layer = ComputeSum(name="compute_sum")
    layer(np.ones((1, 2), dtype="float32"))
    with raises_showing(2, (1, 3)):
        layer(np.ones((1, 3), dtype="float32"))


def test_unknown_feature_count_cannot_build():
    with raises_showing((None, None)):
        ComputeSum(name="compute_sum")(keras.Input(shape=(None,)))
