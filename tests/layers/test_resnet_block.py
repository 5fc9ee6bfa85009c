"""Tests for companion.layers.ResNetBlock."""

import math

import keras
import numpy as np
import pytest
from contract import (
    assert_config_round_trip,
    assert_fit_lowers_loss,
    assert_keras_round_trip,
    assert_mixed_float16,
    assert_weights,
    numpy,
    raises_naming,
    raises_showing,
)

from companion import ResNetBlock

_numpy = numpy


def test_basics_identity_block_shapes_and_weight_counts():
    block = ResNetBlock(16, name="block")
    y = block(np.ones((2, 28, 28, 16), dtype="float32"))
    assert tuple(y.shape) == (2, 28, 28, 16)
    assert not block.use_projection
    assert block.shortcut_conv is None and block.shortcut_bn is None
    # conv1/conv2 kernels + gamma/beta of two BN layers; the moving stats are not trainable.
    assert_weights(block, trainable=6, non_trainable=4)
    assert [v.path for v in block.non_trainable_weights] == [
        "block/bn1/moving_mean",
        "block/bn1/moving_variance",
        "block/bn2/moving_mean",
        "block/bn2/moving_variance",
    ]
    trainable = sum(int(np.prod(v.shape)) for v in block.trainable_weights)
    non_trainable = sum(int(np.prod(v.shape)) for v in block.non_trainable_weights)
    assert trainable == 2 * 3 * 3 * 16 * 16 + 2 * 2 * 16
    assert non_trainable == 2 * 2 * 16


def test_basics_projection_block_shapes_and_weight_counts():
    block = ResNetBlock(32, strides=2, name="down")
    y = block(np.ones((2, 28, 28, 16), dtype="float32"))
    assert tuple(y.shape) == (2, 14, 14, 32)
    assert block.use_projection
    assert block.shortcut_conv.kernel.shape == (1, 1, 16, 32)
    assert block.shortcut_conv.strides == (2, 2)
    assert_weights(block, trainable=9, non_trainable=6)
    assert block.count_params() == (3 * 3 * 16 * 32 + 3 * 3 * 32 * 32 + 16 * 32) + 3 * 4 * 32
    assert [layer.name for layer in block._layers] == [
        "conv1",
        "bn1",
        "conv2",
        "bn2",
        "shortcut_conv",
        "shortcut_bn",
    ]


@pytest.mark.parametrize(
    ("channels", "filters", "strides", "projection"),
    [(8, 8, 1, False), (8, 16, 1, True), (8, 8, 2, True), (8, 16, 2, True)],
)
def test_projection_only_when_shapes_differ(channels, filters, strides, projection):
    block = ResNetBlock(filters, strides=strides)
    block.build((None, 9, 9, channels))
    assert block.use_projection is projection
    assert (block.shortcut_conv is not None) is projection
    assert len(block.weights) == (15 if projection else 10)
    side = math.ceil(9 / strides)
    assert block.compute_output_shape((None, 9, 9, channels)) == (None, side, side, filters)


def test_identity_shortcut_passes_the_input_through(rng):
    # With zero kernels the main path is BN(0) = beta = 0 in inference, so only the
    # shortcut is left: the block must return relu(inputs) exactly.
    block = ResNetBlock(4)
    x = rng.normal(size=(3, 5, 5, 4)).astype("float32")
    block.build(x.shape)
    for conv in (block.conv1, block.conv2):
        conv.kernel.assign(np.zeros(conv.kernel.shape, dtype="float32"))
    np.testing.assert_allclose(_numpy(block(x, training=False)), np.maximum(x, 0.0), atol=1e-6)


def test_output_matches_the_sub_layers_composed_by_hand(rng):
    block = ResNetBlock(6, strides=2)
    x = rng.normal(size=(2, 7, 7, 3)).astype("float32")
    y = _numpy(block(x, training=False))
    main = block.bn1(block.conv1(x), training=False)
    main = block.bn2(block.conv2(keras.ops.relu(main)), training=False)
    shortcut = block.shortcut_bn(block.shortcut_conv(x), training=False)
    expected = np.maximum(_numpy(main) + _numpy(shortcut), 0.0)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    assert (y >= 0).all()
    assert y.shape == (2, 4, 4, 6)


def test_training_flag_switches_batch_norm(rng):
    block = ResNetBlock(4, strides=2)
    x = (3.0 + 2.0 * rng.normal(size=(8, 5, 5, 4))).astype("float32")
    inference = _numpy(block(x, training=False))
    batch_norms = [block.bn1, block.bn2, block.shortcut_bn]
    # Inference did not touch the moving statistics ...
    for bn in batch_norms:
        np.testing.assert_array_equal(_numpy(bn.moving_mean), np.zeros(4), err_msg=bn.name)
    training = _numpy(block(x, training=True))
    assert not np.allclose(inference, training)
    # ... training moved those of every batch normalization.
    for bn in batch_norms:
        assert not np.allclose(_numpy(bn.moving_mean), 0.0), bn.name


def test_config_round_trip(rng):
    block = ResNetBlock(8, strides=2, name="down", dtype="float64")
    x = rng.normal(size=(2, 6, 6, 3))
    clone = assert_config_round_trip(
        block, x, call=lambda b, x: b(x, training=False), filters=8, strides=2
    )
    assert clone.conv1.dtype == "float64" and clone.shortcut_bn.dtype == "float64"


def test_functional_model_saves_and_loads(tmp_path, rng):
    inputs = keras.Input(shape=(8, 8, 3))
    x = ResNetBlock(4, name="widen")(inputs)
    x = ResNetBlock(4, name="identity")(x)
    outputs = ResNetBlock(8, strides=2, name="down")(x)
    model = keras.Model(inputs, outputs)
    assert model.output_shape == (None, 4, 4, 8)
    # Move the BN moving statistics away from 0/1 so that loading them matters.
    model(rng.normal(size=(16, 8, 8, 3)).astype("float32"), training=True)
    x = rng.normal(size=(4, 8, 8, 3)).astype("float32")
    loaded = assert_keras_round_trip(model, x, tmp_path, layer="down", layer_type=ResNetBlock)
    assert loaded.get_layer("identity").use_projection is False


def test_fit_lowers_the_loss(fashion_mnist_images):
    (x_train, y_train), _ = fashion_mnist_images
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(8, 3, strides=2, padding="same"),
            ResNetBlock(8),
            ResNetBlock(16, strides=2),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(10),
        ]
    )
    assert_fit_lowers_loss(
        model,
        x_train[:512],
        y_train[:512],
        epochs=4,
        batch_size=64,
        optimizer=keras.optimizers.Adam(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        factor=0.7,
    )


def test_mixed_precision_reaches_the_sub_layers():
    block = ResNetBlock(4, dtype="mixed_float16")
    y = block(np.ones((2, 5, 5, 3), dtype="float32"))
    assert_mixed_float16(block, y, sublayers=block._layers)


@pytest.mark.parametrize("filters", [0, -4, 2.5, "16", True, None])
def test_bad_filters_are_rejected(filters):
    with raises_naming("filters", filters):
        ResNetBlock(filters)


@pytest.mark.parametrize("strides", [0, -1, 1.5, (2, 2), False])
def test_bad_strides_are_rejected(strides):
    with raises_naming("strides", strides):
        ResNetBlock(8, strides=strides)


@pytest.mark.parametrize("shape", [(2, 28, 28), (2, 4, 4, 4, 1), (2, 28, 28, None)])
def test_bad_input_shapes_are_rejected(shape):
    with raises_showing(shape):
        ResNetBlock(8).build(shape)


def test_bad_input_rank_is_rejected_when_called():
    with raises_showing((2, 28, 28)):
        ResNetBlock(8)(np.ones((2, 28, 28), dtype="float32"))
