"""Tests for companion.layers.ResNetBlock."""

import math

import keras
import numpy as np
import pytest

from companion import ResNetBlock


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_basics_identity_block_shapes_and_weight_counts():
    block = ResNetBlock(16, name="block")
    y = block(np.ones((2, 28, 28, 16), dtype="float32"))
    assert tuple(y.shape) == (2, 28, 28, 16)
    assert not block.use_projection
    assert block.shortcut_conv is None and block.shortcut_bn is None
    # conv1/conv2 kernels + gamma/beta of two BN layers; the moving stats are not trainable.
    assert len(block.trainable_weights) == 6
    assert len(block.non_trainable_weights) == 4
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
    assert len(block.trainable_weights) == 9
    assert len(block.non_trainable_weights) == 6
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
    block = ResNetBlock(4)
    x = (3.0 + 2.0 * rng.normal(size=(8, 5, 5, 4))).astype("float32")
    inference = _numpy(block(x, training=False))
    # Inference did not touch the moving statistics ...
    np.testing.assert_array_equal(_numpy(block.bn1.moving_mean), np.zeros(4))
    training = _numpy(block(x, training=True))
    assert not np.allclose(inference, training)
    # ... training did.
    assert not np.allclose(_numpy(block.bn1.moving_mean), 0.0)


def test_config_round_trip(rng):
    block = ResNetBlock(8, strides=2, name="down", dtype="float64")
    config = block.get_config()
    assert config["filters"] == 8 and config["strides"] == 2 and config["name"] == "down"
    clone = ResNetBlock.from_config(config)
    assert clone.get_config() == config
    x = rng.normal(size=(2, 6, 6, 3))
    y = block(x, training=False)
    clone.build(x.shape)
    clone.set_weights(block.get_weights())
    np.testing.assert_allclose(_numpy(clone(x, training=False)), _numpy(y))
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
    expected = model.predict(x, verbose=0)
    path = tmp_path / "blocks.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.get_layer("down"), ResNetBlock)
    assert loaded.get_layer("identity").use_projection is False
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_fit_lowers_the_loss(fashion_mnist_images):
    (x_train, y_train), _ = fashion_mnist_images
    x, y = x_train[:512], y_train[:512]
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
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    losses = model.fit(x, y, epochs=4, batch_size=64, verbose=0).history["loss"]
    assert losses[-1] < 0.7 * losses[0]


def test_mixed_precision_reaches_the_sub_layers():
    block = ResNetBlock(4, dtype="mixed_float16")
    y = block(np.ones((2, 5, 5, 3), dtype="float32"))
    assert keras.backend.standardize_dtype(y.dtype) == "float16"
    assert all(layer.dtype_policy.name == "mixed_float16" for layer in block._layers)
    assert all(v.dtype == "float32" for v in block.weights)


@pytest.mark.parametrize("filters", [0, -4, 2.5, "16", True, None])
def test_bad_filters_are_rejected(filters):
    with pytest.raises(ValueError, match=r"filters는 양의 정수여야 합니다") as info:
        ResNetBlock(filters)
    assert f"받은 값: filters={filters!r}" in str(info.value)


@pytest.mark.parametrize("strides", [0, -1, 1.5, (2, 2), False])
def test_bad_strides_are_rejected(strides):
    with pytest.raises(ValueError, match=r"strides는 양의 정수") as info:
        ResNetBlock(8, strides=strides)
    assert f"받은 값: strides={strides!r}" in str(info.value)


@pytest.mark.parametrize("shape", [(2, 28, 28), (2, 4, 4, 4, 1), (2, 28, 28, None)])
def test_bad_input_shapes_are_rejected(shape):
    block = ResNetBlock(8)
    with pytest.raises(ValueError, match=r"4차원 텐서여야 합니다") as info:
        block.build(shape)
    assert f"받은 모양: input_shape={shape}" in str(info.value)


def test_bad_input_rank_is_rejected_when_called():
    with pytest.raises(ValueError, match=r"받은 모양: input_shape=\(2, 28, 28\)"):
        ResNetBlock(8)(np.ones((2, 28, 28), dtype="float32"))
