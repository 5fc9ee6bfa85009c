"""Tests for companion.layers.QuantizableLinear: the int8 hooks of keras.io's quantization guide."""

import warnings

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

from companion import Linear, QuantizableLinear


def _built(units=3, input_dim=4, **kwargs):
    layer = QuantizableLinear(units=units, name="linear", **kwargs)
    layer.build((None, input_dim))
    return layer


def _int8_by_hand(x, w, b):
    """Keras's abs-max scheme: each column of w and each row of x scaled to [-127, 127]."""
    w_scale = 127.0 / (np.abs(w).max(axis=0) + keras.config.epsilon())
    x_scale = 127.0 / (np.abs(x).max(axis=-1, keepdims=True) + keras.config.epsilon())
    w_q = np.clip(np.round(w * w_scale), -127, 127)
    x_q = np.clip(np.round(x * x_scale), -127, 127)
    return (x_q @ w_q) / (x_scale * w_scale) + b


def test_basics_before_quantization_it_is_a_linear(rng):
    layer = _built(kernel_initializer="ones", bias_initializer=keras.initializers.Constant(0.5))
    assert isinstance(layer, Linear)
    np.testing.assert_allclose(numpy(layer(np.ones((2, 4), "float32"))), np.full((2, 3), 4.5))
    assert_weights(layer, trainable=2, paths=["linear/w", "linear/b"], shapes=[(4, 3), (3,)])
    assert layer.quantization_mode is None


def test_quantize_stores_int8_weights_and_a_scale_per_output(rng):
    layer = _built()
    w = rng.normal(size=(4, 3)).astype("float32")
    layer.w.assign(w)
    layer.quantize("int8")
    assert layer.dtype_policy.name == "int8_from_float32"
    assert_weights(
        layer,
        trainable=1,
        non_trainable=2,
        paths=["linear/b", "linear/w", "linear/w_scale"],
        shapes=[(3,), (4, 3), (3,)],
    )
    assert dtype_of(layer.w) == "int8" and dtype_of(layer.w_scale) == "float32"
    # Dequantized, the int8 kernel is w to within half a quantization step per column.
    step = np.abs(w).max(axis=0) / 127.0
    dequantized = numpy(layer.w).astype("float32") / numpy(layer.w_scale)
    assert np.all(np.abs(dequantized - w) <= 0.5 * step + 1e-6)
    assert np.abs(numpy(layer.w)).max() == 127


def test_int8_call_computes_the_integer_matmul_and_rescales(rng):
    layer = _built()
    w = rng.normal(size=(4, 3)).astype("float32")
    b = rng.normal(size=(3,)).astype("float32")
    layer.set_weights([w, b])
    x = rng.normal(size=(5, 4)).astype("float32")
    float_out = numpy(layer(x))
    layer.quantize("int8")
    quantized = numpy(layer(x))
    np.testing.assert_allclose(quantized, _int8_by_hand(x, w, b), rtol=1e-5, atol=1e-5)
    # Close to the float layer, but not equal: the rounding is really there.
    assert 0 < np.abs(quantized - float_out).max() < 0.05 * np.abs(float_out).max()


def test_rank_3_and_integer_inputs_after_quantization(rng):
    layer = _built(kernel_initializer="ones", use_bias=False)
    layer.quantize("int8")
    y = layer(np.ones((2, 5, 4), "float32"))
    np.testing.assert_allclose(numpy(y), np.full((2, 5, 3), 4.0), rtol=1e-6)
    np.testing.assert_allclose(numpy(layer(np.ones((1, 4), "int32"))), [[4.0] * 3], rtol=1e-6)
    assert_weights(layer, trainable=0, non_trainable=2)


def test_model_quantize_picks_it_up_without_warning_for_it(rng):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, QuantizableLinear(3, name="q")(inputs))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.quantize("int8")
    assert not [w for w in caught if "QuantizableLinear" in str(w.message)]
    assert model.get_layer("q").quantization_mode == "int8"


def test_config_round_trip_before_and_after_quantization(rng):
    layer = _built(use_bias=False)
    assert_config_round_trip(layer, rng.normal(size=(2, 4)).astype("float32"), units=3)
    layer.quantize("int8")
    clone = QuantizableLinear.from_config(layer.get_config())
    assert clone.dtype_policy.name == "int8_from_float32"
    clone.build((None, 4))
    # Built straight into int8: no float w is made first.
    assert [dtype_of(v) for v in clone.weights] == ["int8", "float32"]


def test_keras_round_trip_of_a_quantized_model(rng, tmp_path):
    inputs = keras.Input((4,), name="x")
    model = keras.Model(inputs, QuantizableLinear(3, name="q")(inputs), name="quantized")
    model.get_layer("q").set_weights([rng.normal(size=(4, 3)), rng.normal(size=(3,))])
    x = rng.normal(size=(6, 4)).astype("float32")
    assert_keras_round_trip(model, x, tmp_path, layer="q", layer_type=QuantizableLinear)
    model.quantize("int8")
    loaded = assert_keras_round_trip(model, x, tmp_path, layer="q", layer_type=QuantizableLinear)
    assert dtype_of(loaded.get_layer("q").w) == "int8"


def test_loading_int8_weights_into_a_float_layer_names_the_mismatch(tmp_path):
    layer = _built()
    layer.quantize("int8")
    store = {}
    layer.save_own_variables(store)
    float_layer = _built()
    with pytest.raises(ValueError, match=r"가중치 2개 \['w', 'b'\].*3개"):
        float_layer.load_own_variables(store)


def test_fit_lowers_the_loss_before_quantization(rng):
    x = rng.normal(size=(256, 4)).astype("float32")
    y = x @ rng.normal(size=(4, 2)).astype("float32")
    inputs = keras.Input((4,))
    model = keras.Model(inputs, QuantizableLinear(2)(inputs))
    assert_fit_lowers_loss(
        model, x, y, epochs=20, optimizer=keras.optimizers.Adam(0.05), factor=0.1, loss="mse"
    )


def test_mixed_policies():
    layer = QuantizableLinear(3, dtype="mixed_float16")
    assert_mixed_float16(layer, layer(np.ones((2, 4), "float32")))
    # Keras refuses int8 on float16 computations; bfloat16 works.
    with pytest.raises(ValueError, match="compute_dtype='float16'"):
        layer.quantize("int8")
    bf16 = QuantizableLinear(3, dtype="mixed_bfloat16")
    bf16.build((None, 4))
    bf16.quantize("int8")
    assert bf16.dtype_policy.name == "int8_from_mixed_bfloat16"
    assert dtype_of(bf16(np.ones((2, 4), "float32"))) == "bfloat16"


def test_bad_modes_and_states():
    layer = _built()
    with raises_naming("mode", "int4", error=NotImplementedError):
        layer.quantize("int4")
    with pytest.raises(ValueError, match="isn't yet built"):
        QuantizableLinear(3).quantize("int8")
    layer.quantize("int8")
    with pytest.raises(ValueError, match="already quantized"):
        layer.quantize("int8")
    with raises_naming("units", 0):
        QuantizableLinear(units=0)
