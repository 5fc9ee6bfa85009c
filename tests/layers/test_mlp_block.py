"""Tests for companion.layers.MLPBlock."""

import keras
import numpy as np
import pytest

from companion import Linear, MLPBlock


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_basics_shapes_and_weight_counts():
    block = MLPBlock(name="mlp_block")
    y = block(np.ones((3, 64), dtype="float32"))
    assert tuple(y.shape) == (3, 1)
    assert len(block.weights) == 6
    assert len(block.trainable_weights) == 6
    assert block.non_trainable_weights == []
    assert [tuple(v.shape) for v in block.weights] == [
        (64, 32),
        (32,),
        (32, 32),
        (32,),
        (32, 1),
        (1,),
    ]
    assert block.weights[0].path == "mlp_block/linear_0/w"


def test_sub_layers_are_tracked_before_the_first_call():
    block = MLPBlock(units=(4, 2))
    assert all(isinstance(layer, Linear) for layer in block.linear_layers)
    assert block.weights == []


def test_activation_between_layers_but_not_after_the_last(rng):
    block = MLPBlock(units=(3, 2), activation="relu")
    x = rng.normal(size=(5, 4)).astype("float32")
    y = _numpy(block(x))
    w0, b0, w1, b1 = (_numpy(v) for v in block.weights)
    expected = np.maximum(x @ w0 + b0, 0.0) @ w1 + b1
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    # A last layer followed by relu could never give negative outputs.
    block.weights[3].assign([-10.0, -10.0])
    assert (_numpy(block(x)) < 0).all()


def test_activation_none_is_a_plain_stack_of_linear_maps(rng):
    block = MLPBlock(units=(3, 2), activation=None)
    x = rng.normal(size=(5, 4)).astype("float32")
    y = _numpy(block(x))
    w0, b0, w1, b1 = (_numpy(v) for v in block.weights)
    np.testing.assert_allclose(y, (x @ w0 + b0) @ w1 + b1, rtol=1e-5, atol=1e-5)


def test_build_creates_every_weight_before_the_first_call():
    block = MLPBlock(units=(8, 4, 2))
    block.build((None, 5))
    assert [tuple(v.shape) for v in block.weights] == [(5, 8), (8,), (8, 4), (4,), (4, 2), (2,)]
    assert block.compute_output_shape((None, 7, 5)) == (None, 7, 2)


def test_config_round_trip(rng):
    block = MLPBlock(units=[6, 2], activation="tanh", name="head", dtype="float64")
    config = block.get_config()
    assert config["units"] == [6, 2] and config["activation"] == "tanh"
    clone = MLPBlock.from_config(config)
    assert clone.get_config() == config
    x = rng.normal(size=(3, 4))
    y = block(x)
    clone.build(x.shape)
    clone.set_weights(block.get_weights())
    np.testing.assert_allclose(_numpy(clone(x)), _numpy(y))
    assert all(layer.dtype == "float64" for layer in clone.linear_layers)


def test_functional_model_saves_and_loads(tmp_path, rng):
    inputs = keras.Input(shape=(10,))
    outputs = MLPBlock(units=(8, 3), name="mlp")(inputs)
    model = keras.Model(inputs, outputs)
    x = rng.normal(size=(4, 10)).astype("float32")
    expected = model.predict(x, verbose=0)
    path = tmp_path / "mlp.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.get_layer("mlp"), MLPBlock)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)


def test_fit_lowers_the_loss(rng):
    x = rng.normal(size=(256, 4)).astype("float32")
    y = np.abs(x[:, :1]) + x[:, 1:2]
    model = keras.Sequential([keras.Input((4,)), MLPBlock(units=(16, 1))])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]


def test_mixed_precision_reaches_the_sub_layers():
    block = MLPBlock(units=(4, 1), dtype="mixed_float16")
    y = block(np.ones((2, 3), dtype="float32"))
    assert keras.backend.standardize_dtype(y.dtype) == "float16"
    assert all(layer.dtype_policy.name == "mixed_float16" for layer in block.linear_layers)
    assert all(v.dtype == "float32" for v in block.weights)


@pytest.mark.parametrize("units", [(), [], 5, "32", (32, 0), (32, -1), (32, 2.5), (True,), None])
def test_bad_units_are_rejected(units):
    with pytest.raises(ValueError, match=r"units는 양의 정수로 된 비어 있지 않은 시퀀스"):
        MLPBlock(units=units)


def test_bad_units_message_names_the_value():
    with pytest.raises(ValueError, match=r"받은 값: units=\(32, 0\)"):
        MLPBlock(units=(32, 0))


@pytest.mark.parametrize("activation", ["no_such_activation", 3])
def test_bad_activation_is_rejected(activation):
    with pytest.raises(ValueError, match=f"받은 값: activation={activation!r}"):
        MLPBlock(activation=activation)


def test_bad_input_rank_is_reported_by_the_first_sub_layer():
    block = MLPBlock(units=(2,))
    with pytest.raises(ValueError, match=r"2차원 이상.*받은 입력 모양: \(4,\)"):
        block(np.ones((4,), dtype="float32"))
