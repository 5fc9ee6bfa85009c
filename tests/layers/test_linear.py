"""Tests for companion.layers.Linear."""

import keras
import numpy as np
import pytest

from companion import Linear


def test_basics_output_values_weights_and_names():
    layer = Linear(
        units=3,
        kernel_initializer="ones",
        bias_initializer=keras.initializers.Constant(0.5),
        name="linear",
    )
    y = layer(np.ones((2, 4), dtype="float32"))
    assert tuple(y.shape) == (2, 3)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(y), np.full((2, 3), 4.5))
    assert layer.weights == [layer.w, layer.b]
    assert [v.path for v in layer.weights] == ["linear/w", "linear/b"]
    assert tuple(layer.w.shape) == (4, 3) and tuple(layer.b.shape) == (3,)
    assert len(layer.trainable_weights) == 2
    assert layer.non_trainable_weights == []


def test_computes_x_dot_w_plus_b(rng):
    layer = Linear(units=5)
    layer.build((None, 4))
    x = rng.normal(size=(6, 4)).astype("float32")
    w = keras.ops.convert_to_numpy(layer.w)
    b = rng.normal(size=(5,)).astype("float32")
    layer.b.assign(b)
    y = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(y, x @ w + b, rtol=1e-5, atol=1e-5)


def test_weights_are_created_on_first_call_only():
    layer = Linear(units=2)
    assert not layer.built
    assert layer.weights == []
    layer(np.ones((1, 7), dtype="float32"))
    assert layer.built
    assert tuple(layer.w.shape) == (7, 2)


def test_rank_3_inputs_use_the_last_axis():
    layer = Linear(units=2, kernel_initializer="ones")
    y = layer(np.ones((4, 5, 3), dtype="float32"))
    assert tuple(y.shape) == (4, 5, 2)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(y), np.full((4, 5, 2), 3.0))
    assert layer.compute_output_shape((None, 5, 3)) == (None, 5, 2)


def test_without_bias_there_is_only_w():
    layer = Linear(units=2, use_bias=False, kernel_initializer="ones")
    y = layer(np.ones((1, 3), dtype="float32"))
    assert layer.b is None
    assert layer.weights == [layer.w]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(y), [[3.0, 3.0]])


def test_mask_passes_through_to_the_next_layer():
    tokens = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    embedded = keras.layers.Embedding(10, 3, mask_zero=True)(tokens)
    y = Linear(units=2)(embedded)
    # A mask-aware pooling layer averages only the unmasked time steps.
    pooled = keras.ops.convert_to_numpy(keras.layers.GlobalAveragePooling1D()(y))
    y = keras.ops.convert_to_numpy(y)
    np.testing.assert_allclose(pooled, [y[0, :2].mean(0), y[1, :1].mean(0)], rtol=1e-5, atol=1e-7)


def test_config_round_trip_keeps_arguments_and_outputs(rng):
    layer = Linear(
        units=3,
        kernel_initializer=keras.initializers.RandomUniform(-1.0, 1.0, seed=3),
        use_bias=False,
        name="proj",
        dtype="float64",
    )
    x = rng.normal(size=(2, 4))
    y = layer(x)
    config = layer.get_config()
    assert config["units"] == 3 and config["use_bias"] is False
    assert config["kernel_initializer"]["class_name"] == "RandomUniform"
    clone = Linear.from_config(config)
    assert clone.get_config() == config
    assert clone.name == "proj" and clone.dtype == "float64"
    clone.build(x.shape)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(keras.ops.convert_to_numpy(clone(x)), keras.ops.convert_to_numpy(y))


def test_functional_model_saves_and_loads(tmp_path, rng):
    inputs = keras.Input(shape=(4,))
    outputs = Linear(units=2, name="linear")(inputs)
    model = keras.Model(inputs, outputs)
    x = rng.normal(size=(5, 4)).astype("float32")
    expected = model.predict(x, verbose=0)
    path = tmp_path / "linear.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.get_layer("linear"), Linear)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)


def test_fit_lowers_the_loss(rng):
    x = rng.normal(size=(256, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32") + 0.3
    model = keras.Sequential([keras.Input((3,)), Linear(units=1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    history = model.fit(x, y, epochs=5, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.1 * losses[0]


def test_mixed_precision_computes_in_float16_and_keeps_float32_weights():
    layer = Linear(units=2, dtype="mixed_float16")
    y = layer(np.ones((1, 3), dtype="float32"))
    assert keras.backend.standardize_dtype(y.dtype) == "float16"
    assert layer.w.dtype == "float32" and layer.b.dtype == "float32"


@pytest.mark.parametrize("units", [0, -3, 2.5, True, "4", None])
def test_bad_units_are_rejected(units):
    with pytest.raises(ValueError, match=f"units는 양의 정수여야 합니다. 받은 값: units={units!r}"):
        Linear(units=units)


def test_numpy_integer_units_are_accepted():
    assert Linear(units=np.int64(3)).units == 3


def test_bad_initializer_is_rejected():
    with pytest.raises(ValueError, match="kernel_initializer=.*'no_such_init'"):
        Linear(units=2, kernel_initializer="no_such_init")


def test_rank_1_input_is_rejected():
    layer = Linear(units=2, name="linear")
    with pytest.raises(ValueError, match=r"2차원 이상.*받은 입력 모양: \(3,\)"):
        layer(np.ones((3,), dtype="float32"))


def test_rank_1_input_is_rejected_after_build():
    layer = Linear(units=2, name="linear")
    layer(np.ones((1, 3), dtype="float32"))
    # After build() the layer's InputSpec checks the rank (Keras's own message).
    with pytest.raises(ValueError, match=r"'linear'.*min_ndim=2, found ndim=1.*\(3,\)"):
        layer(np.ones((3,), dtype="float32"))


def test_input_with_a_different_last_dimension_is_rejected():
    layer = Linear(units=2, name="linear")
    layer(np.ones((1, 3), dtype="float32"))
    with pytest.raises(
        ValueError, match=r"'linear'.*axis -1 .* value 3, but received .* shape \(1, 4\)"
    ):
        layer(np.ones((1, 4), dtype="float32"))


def test_unknown_last_dimension_cannot_build():
    with pytest.raises(ValueError, match=r"마지막 차원을 알아야.*\(None, None\)"):
        Linear(units=2, name="linear")(keras.Input(shape=(None,)))
