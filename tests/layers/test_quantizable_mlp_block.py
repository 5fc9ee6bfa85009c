"""Tests for companion.layers.QuantizableMLPBlock: a composite layer that reloads once quantized."""

import keras
import numpy as np
import pytest
from contract import (
    assert_config_round_trip,
    assert_fit_lowers_loss,
    assert_keras_round_trip,
    assert_mixed_float16,
    assert_weights,
    dtype_of,
    numpy,
    raises_naming,
)

from companion import MLPBlock, QuantizableLinear, QuantizableMLPBlock


def _model(units=(8, 3), name="block"):
    inputs = keras.Input((4,), name="x")
    block = QuantizableMLPBlock(units=units, name=name)
    return keras.Model(inputs, block(inputs), name="mlp"), block


def test_basics_same_computation_as_mlp_block(rng):
    block = QuantizableMLPBlock(units=(5, 2), name="block")
    x = rng.normal(size=(3, 4)).astype("float32")
    y = numpy(block(x))
    reference = MLPBlock(units=(5, 2))
    reference(x)
    reference.set_weights(block.get_weights())
    np.testing.assert_allclose(y, numpy(reference(x)), rtol=1e-6)
    assert all(isinstance(layer, QuantizableLinear) for layer in block.linear_layers)
    assert_weights(
        block,
        trainable=4,
        paths=["block/linear_0/w", "block/linear_0/b", "block/linear_1/w", "block/linear_1/b"],
    )


def test_model_quantize_quantizes_the_sub_layers_not_the_block(rng):
    model, block = _model()
    x = rng.normal(size=(5, 4)).astype("float32")
    before = numpy(model(x))
    model.quantize("int8")
    assert [layer.quantization_mode for layer in block.linear_layers] == ["int8", "int8"]
    assert block.dtype_policy.name == "float32"
    after = numpy(model(x))
    assert 0 < np.abs(after - before).max() < 0.05 * np.abs(before).max()


def test_get_config_writes_a_dtype_policy_map_only_once_quantized():
    model, block = _model()
    assert block.get_config()["dtype"]["class_name"] == "DTypePolicy"
    model.quantize("int8")
    config = block.get_config()["dtype"]
    assert config["class_name"] == "DTypePolicyMap"
    assert config["config"]["default_policy"]["config"]["name"] == "float32"
    assert sorted(config["config"]["policy_map"]) == ["block/linear_0", "block/linear_1"]


def test_keras_round_trip_after_quantization(rng, tmp_path):
    model, _ = _model()
    x = rng.normal(size=(6, 4)).astype("float32")
    assert_keras_round_trip(model, x, tmp_path, layer="block", layer_type=QuantizableMLPBlock)
    model.quantize("int8")
    loaded = assert_keras_round_trip(
        model, x, tmp_path, layer="block", layer_type=QuantizableMLPBlock
    )
    reloaded = loaded.get_layer("block")
    assert [dtype_of(layer.w) for layer in reloaded.linear_layers] == ["int8", "int8"]
    assert [layer.quantization_mode for layer in reloaded.linear_layers] == ["int8", "int8"]


def test_only_the_quantized_sub_layer_is_in_the_map(rng, tmp_path):
    model, block = _model()
    block.linear_layers[1].quantize("int8")
    assert sorted(block.get_config()["dtype"]["config"]["policy_map"]) == ["block/linear_1"]
    loaded = assert_keras_round_trip(model, rng.normal(size=(2, 4)), tmp_path)
    modes = [layer.quantization_mode for layer in loaded.get_layer("block").linear_layers]
    assert modes == [None, "int8"]


def test_without_the_map_the_quantized_model_does_not_reload(rng, tmp_path):
    model, block = _model()
    model.quantize("int8")
    path = tmp_path / "no_map.keras"
    model.save(path)
    from contract import tampered_copy

    def drop_map(config):
        layer = next(c for c in config["config"]["layers"] if c["config"]["name"] == "block")
        layer["config"]["dtype"] = "float32"

    with pytest.raises(ValueError, match="기대했지만 파일에는 3개"):
        keras.saving.load_model(tampered_copy(path, drop_map))


def test_config_round_trip_and_fit(rng):
    block = QuantizableMLPBlock(units=(6, 1), activation="tanh", name="block")
    assert_config_round_trip(
        block, rng.normal(size=(2, 3)).astype("float32"), units=[6, 1], activation="tanh"
    )
    x = rng.normal(size=(256, 3)).astype("float32")
    y = np.sin(x).sum(axis=1, keepdims=True)
    inputs = keras.Input((3,))
    model = keras.Model(inputs, QuantizableMLPBlock(units=(16, 1))(inputs))
    assert_fit_lowers_loss(
        model, x, y, epochs=20, optimizer=keras.optimizers.Adam(0.02), factor=0.5, loss="mse"
    )


def test_mixed_bfloat16_block_keeps_its_policy_after_quantization(rng, tmp_path):
    block = QuantizableMLPBlock(units=(4, 2), dtype="mixed_float16", name="half")
    assert_mixed_float16(block, block(np.ones((1, 3), "float32")), sublayers=block.linear_layers)
    inputs = keras.Input((3,), name="x")
    bf16 = QuantizableMLPBlock(units=(4, 2), dtype="mixed_bfloat16", name="block")
    model = keras.Model(inputs, bf16(inputs), name="bf16")
    model.quantize("int8")
    config = bf16.get_config()["dtype"]["config"]
    assert config["default_policy"]["config"]["name"] == "mixed_bfloat16"
    loaded = assert_keras_round_trip(model, rng.normal(size=(2, 3)).astype("float32"), tmp_path)
    assert [
        layer.dtype_policy[layer.path].name for layer in loaded.get_layer("block").linear_layers
    ] == ["int8_from_mixed_bfloat16"] * 2


def test_bad_arguments():
    with raises_naming("units", ()):
        QuantizableMLPBlock(units=())
    with raises_naming("activation", "nope"):
        QuantizableMLPBlock(activation="nope")
