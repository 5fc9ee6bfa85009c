"""Tests for companion.layers.Decoder."""

import os

import keras
import numpy as np
import pytest

from companion import Decoder


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_basics_shape_weights_values_and_names(rng):
    decoder = Decoder(original_dim=7, intermediate_dim=5, name="decoder")
    z = 3.0 * rng.normal(size=(4, 2)).astype("float32")
    y = _numpy(decoder(z))
    assert y.shape == (4, 7)
    assert [v.path for v in decoder.weights] == [
        "decoder/dense_proj/kernel",
        "decoder/dense_proj/bias",
        "decoder/dense_output/kernel",
        "decoder/dense_output/bias",
    ]
    assert len(decoder.trainable_weights) == 4 and decoder.non_trainable_weights == []
    w1, b1, w2, b2 = (_numpy(w) for w in decoder.weights)
    expected = 1.0 / (1.0 + np.exp(-(np.maximum(z @ w1 + b1, 0.0) @ w2 + b2)))
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)
    assert np.all((y > 0.0) & (y < 1.0))


def test_config_round_trip_and_output_shape():
    decoder = Decoder(original_dim=784, intermediate_dim=32, name="dec")
    config = decoder.get_config()
    assert config["original_dim"] == 784 and config["intermediate_dim"] == 32
    clone = Decoder.from_config(config)
    assert clone.get_config() == config
    assert decoder.compute_output_shape((None, 2)) == (None, 784)


def test_in_a_functional_model_saved_and_reloaded(tmp_path, rng):
    inputs = keras.Input(shape=(3,))
    model = keras.Model(
        inputs, Decoder(original_dim=10, intermediate_dim=4, name="decoder")(inputs)
    )
    path = os.path.join(tmp_path, "decoder.keras")
    model.save(path)
    reloaded = keras.models.load_model(path)
    assert isinstance(reloaded.get_layer("decoder"), Decoder)
    z = rng.normal(size=(6, 3)).astype("float32")
    np.testing.assert_array_equal(model.predict(z, verbose=0), reloaded.predict(z, verbose=0))


def test_fit_lowers_the_loss(rng):
    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs, Decoder(original_dim=6, intermediate_dim=16)(inputs))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    z = rng.normal(size=(256, 2)).astype("float32")
    targets = 1.0 / (1.0 + np.exp(-(z @ rng.normal(size=(2, 6))))).astype("float32")
    history = model.fit(z, targets, epochs=15, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]


def test_mixed_precision_policy_reaches_the_sub_layers():
    decoder = Decoder(original_dim=4, intermediate_dim=3, dtype="mixed_float16")
    y = decoder(np.zeros((2, 2), dtype="float32"))
    assert y.dtype == "float16"
    assert decoder.dense_output.dtype_policy.name == "mixed_float16"
    assert all(w.dtype == "float32" for w in decoder.weights)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"original_dim": 0}, "original_dim는 양의 정수여야 합니다. 받은 값: original_dim=0"),
        ({"original_dim": "784"}, "받은 값: original_dim='784'"),
        ({"original_dim": 784, "intermediate_dim": 0}, "받은 값: intermediate_dim=0"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Decoder(**kwargs)


def test_bad_input_shape():
    with pytest.raises(ValueError, match=r"Decoder 층의 입력은 .* 받은 모양: input_shape=\(2,\)"):
        Decoder(original_dim=4).build((2,))
