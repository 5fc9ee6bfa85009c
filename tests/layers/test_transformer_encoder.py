"""Tests for companion.layers.transformer_encoder (TransformerEncoderBlock)."""

import keras
import numpy as np
import pytest
from contract import (
    assert_config_round_trip,
    assert_fit_lowers_loss,
    assert_keras_round_trip,
    assert_mixed_float16,
    assert_weights,
    copy_seed_states,
    numpy,
    raises_naming,
    raises_showing,
)

from companion import SimpleMultiHeadAttention, TransformerEncoderBlock

X = np.random.default_rng(8).normal(size=(2, 5, 8)).astype("float32")


def _built(**kwargs):
    block = TransformerEncoderBlock(num_heads=2, intermediate_dim=16, name="encoder", **kwargs)
    block(X)
    rng = np.random.default_rng(1)
    block.set_weights([0.3 * rng.normal(size=w.shape) for w in block.get_weights()])
    return block


def _layer_norm(x, gamma, beta, epsilon=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    variance = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + epsilon) * gamma + beta


def test_basics_sublayers_and_weights():
    block = _built()
    assert isinstance(block.attention, SimpleMultiHeadAttention)
    assert block.attention.key_dim == 4
    assert_weights(block, trainable=16)
    assert [w.path for w in block.weights][-6:] == [
        "encoder/intermediate/kernel",
        "encoder/intermediate/bias",
        "encoder/projection/kernel",
        "encoder/projection/bias",
        "encoder/output_norm/gamma",
        "encoder/output_norm/beta",
    ]


def test_values_follow_add_and_norm():
    block = _built()
    attended = numpy(block.attention(X, X))
    (g1, b1) = (numpy(w) for w in block.attention_norm.weights)
    w1, c1, w2, c2 = (numpy(w) for w in block.intermediate.weights + block.projection.weights)
    (g2, b2) = (numpy(w) for w in block.output_norm.weights)
    x = _layer_norm(X + attended, g1, b1)
    y = np.maximum(x @ w1 + c1, 0) @ w2 + c2
    np.testing.assert_allclose(numpy(block(X)), _layer_norm(x + y, g2, b2), atol=1e-4)


def test_padding_mask_reaches_the_attention_and_stays_on_the_output():
    embedding = keras.layers.Embedding(10, 8, mask_zero=True)
    block = TransformerEncoderBlock(2, 16)
    short = numpy(block(embedding(np.array([[3, 1, 4]]))))
    padded = block(embedding(np.array([[3, 1, 4, 0, 0]])))
    np.testing.assert_allclose(numpy(padded)[:, :3], short, atol=1e-5)
    mask = block.compute_mask(None, np.array([[True, True, True, False, False]]))
    np.testing.assert_array_equal(numpy(mask), [[True, True, True, False, False]])


def test_dropout_only_in_training_and_seeded():
    block = _built(dropout=0.5, seed=3)
    np.testing.assert_array_equal(numpy(block(X)), numpy(block(X, training=False)))
    assert not np.allclose(numpy(block(X, training=True)), numpy(block(X)))


def test_config_round_trip_and_keras_file(tmp_path):
    block = _built(dropout=0.1, seed=4, activation="gelu")
    clone = assert_config_round_trip(
        block, X, num_heads=2, intermediate_dim=16, dropout=0.1, seed=4, activation="gelu"
    )
    copy_seed_states(block, clone)
    inputs = keras.Input((None, 8))
    model = keras.Model(inputs, TransformerEncoderBlock(2, 16, name="encoder")(inputs))
    assert_keras_round_trip(model, X, tmp_path, layer="encoder", layer_type=TransformerEncoderBlock)


def test_fit_lowers_the_loss():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5, 8)).astype("float32")
    y = x.mean(axis=1, keepdims=True).repeat(5, axis=1)  # every step needs the others
    model = keras.Sequential([keras.Input((5, 8)), TransformerEncoderBlock(2, 16)])
    assert_fit_lowers_loss(
        model, x, y, epochs=15, optimizer=keras.optimizers.Adam(0.01), loss="mse", factor=0.8
    )


def test_mixed_float16():
    block = TransformerEncoderBlock(2, 16, dtype="mixed_float16")
    y = block(X)
    assert_mixed_float16(
        block, y, sublayers=[block.attention, block.intermediate, block.output_norm]
    )


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("num_heads", 0),
        ("intermediate_dim", -2),
        ("dropout", 1.0),
        ("epsilon", 0),
        ("seed", "one"),
        ("activation", "nope"),
    ],
)
def test_bad_arguments(argument, value):
    kwargs = {"num_heads": 2, "intermediate_dim": 4, argument: value}
    with raises_naming(argument, value):
        TransformerEncoderBlock(**kwargs)


def test_features_must_split_into_heads():
    with raises_showing("num_heads=3", "input_shape=(2, 5, 8)"):
        TransformerEncoderBlock(3, 16)(X)
    with raises_showing("expected ndim=3"):
        TransformerEncoderBlock(2, 16)(X[:, 0])
