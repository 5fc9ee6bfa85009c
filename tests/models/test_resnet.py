"""Tests for companion.models.ResNet."""

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

from companion import ResNet, ResNetBlock

_numpy = numpy


def _perturb_moving_statistics(model, rng, input_shape=(16, 28, 28, 1)):
    # A training-mode call moves the BN statistics away from 0/1, so that a save/load
    # test would notice if they were lost.
    model(rng.random(input_shape).astype("float32"), training=True)


def test_basics_output_shape_layers_and_weight_counts():
    model = ResNet(name="resnet")
    y = model(np.zeros((2, 28, 28, 1), dtype="float32"))
    assert tuple(y.shape) == (2, 10)
    assert isinstance(model, keras.Model)
    assert [layer.name for layer in model.layers] == [
        "stem_conv",
        "stem_bn",
        "stage1_block1",
        "stage2_block1",
        "stage3_block1",
        "pool",
        "classifier",
    ]
    # stem: conv kernel, BN gamma/beta (+2 moving stats); blocks: 6, 9, 9 (+4, 6, 6);
    # classifier: kernel, bias.
    assert_weights(model, trainable=1 + 2 + 6 + 9 + 9 + 2, non_trainable=2 + 4 + 6 + 6)
    assert all("moving" in v.name for v in model.non_trainable_weights)
    assert model.count_params() == 78_426
    non_trainable = sum(int(np.prod(v.shape)) for v in model.non_trainable_weights)
    assert non_trainable == 2 * (16 + 2 * 16 + 3 * 32 + 3 * 64)


def test_stages_downsample_and_project_only_at_their_first_block():
    model = ResNet(num_classes=3, filters=(8, 16), blocks_per_stage=2)
    model.build((None, 28, 28, 1))
    blocks = {block.name: block for block in model.blocks}
    assert list(blocks) == ["stage1_block1", "stage1_block2", "stage2_block1", "stage2_block2"]
    assert [block.strides for block in model.blocks] == [1, 1, 2, 1]
    assert [block.use_projection for block in model.blocks] == [False, False, True, False]
    assert [block.filters for block in model.blocks] == [8, 8, 16, 16]
    assert model.classifier.kernel.shape == (16, 3)
    assert model.compute_output_shape((None, 28, 28, 1)) == (None, 3)


def test_outputs_are_logits_not_probabilities(rng):
    model = ResNet(num_classes=5)
    y = _numpy(model(rng.random((4, 28, 28, 1)).astype("float32")))
    assert y.shape == (4, 5)
    assert not np.allclose(y.sum(axis=-1), 1.0)
    assert (y < 0).any()


def test_output_matches_the_layers_composed_by_hand(rng):
    model = ResNet(num_classes=3, filters=(4, 8), name="resnet")
    x = rng.random((2, 12, 12, 1)).astype("float32")
    _perturb_moving_statistics(model, rng, (8, 12, 12, 1))
    h = keras.ops.relu(model.stem_bn(model.stem_conv(x), training=False))
    for block in model.blocks:
        h = block(h, training=False)
    expected = model.classifier(keras.ops.mean(h, axis=(1, 2)))
    np.testing.assert_allclose(
        _numpy(model(x, training=False)), _numpy(expected), rtol=1e-5, atol=1e-5
    )


def test_training_updates_every_batch_normalization(rng):
    model = ResNet(num_classes=3, filters=(4, 8))
    x = (2.0 + rng.random((8, 12, 12, 1))).astype("float32")
    model(x, training=False)
    moving = [v for v in model.non_trainable_weights if "moving_mean" in v.path]
    assert len(moving) == 1 + 2 + 3  # stem, stage 1 (identity), stage 2 (with projection)
    for v in moving:
        np.testing.assert_array_equal(_numpy(v), 0.0, err_msg=v.path)
    model(x, training=True)
    for v in moving:
        assert not np.allclose(_numpy(v), 0.0), v.path


def test_works_on_other_image_sizes_and_inside_a_functional_model():
    inputs = keras.Input((32, 32, 3))
    outputs = ResNet(num_classes=4, filters=(4, 8, 8, 8), name="backbone")(inputs)
    model = keras.Model(inputs, outputs)
    assert model.output_shape == (None, 4)
    assert model.predict(np.zeros((2, 32, 32, 3), dtype="float32"), verbose=0).shape == (2, 4)


def test_config_round_trip(rng):
    model = ResNet(num_classes=7, filters=[8, 16], blocks_per_stage=2, name="small")
    x = rng.random((2, 28, 28, 1)).astype("float32")
    expected = {"num_classes": 7, "filters": [8, 16], "blocks_per_stage": 2}
    assert_config_round_trip(model, x, call=lambda m, x: m(x, training=False), **expected)


def test_keras_file_round_trip_gives_identical_predictions(tmp_path, rng):
    model = ResNet(num_classes=4, filters=(8, 16), name="resnet")
    _perturb_moving_statistics(model, rng)
    x = rng.random((4, 28, 28, 1)).astype("float32")
    loaded = assert_keras_round_trip(model, x, tmp_path)
    assert loaded.get_config() == model.get_config()
    assert all(isinstance(block, ResNetBlock) for block in loaded.blocks)


def test_save_weights_and_load_weights(tmp_path, rng):
    model = ResNet(num_classes=4, filters=(8, 16))
    _perturb_moving_statistics(model, rng)
    x = rng.random((3, 28, 28, 1)).astype("float32")
    expected = model.predict(x, verbose=0)
    path = tmp_path / "resnet.weights.h5"
    model.save_weights(path)
    other = ResNet(num_classes=4, filters=(8, 16))
    other.build(x.shape)
    assert not np.allclose(other.predict(x, verbose=0), expected)
    other.load_weights(path)
    np.testing.assert_allclose(other.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_fit_lowers_the_loss_on_fashion_mnist(fashion_mnist_images):
    (x_train, y_train), _ = fashion_mnist_images
    model = ResNet(filters=(8, 16))
    history = assert_fit_lowers_loss(
        model,
        x_train[:512],
        y_train[:512],
        epochs=4,
        batch_size=64,
        optimizer=keras.optimizers.Adam(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        factor=0.8,
    )
    # Ten balanced classes: chance is 0.1.
    assert history["accuracy"][-1] > 0.35


def test_mixed_precision_reaches_every_layer():
    model = ResNet(filters=(4, 8), dtype="mixed_float16")
    y = model(np.ones((2, 28, 28, 1), dtype="float32"))
    assert_mixed_float16(model, y, sublayers=model.layers)


@pytest.mark.parametrize("num_classes", [0, -1, 2.0, "10", True, None])
def test_bad_num_classes_are_rejected(num_classes):
    with raises_naming("num_classes", num_classes):
        ResNet(num_classes=num_classes)


@pytest.mark.parametrize("filters", [(), [], 16, "16", (16, 0), (16, -32), (16, 2.5), (True,)])
def test_bad_filters_are_rejected(filters):
    with raises_naming("filters", filters):
        ResNet(filters=filters)


@pytest.mark.parametrize("blocks_per_stage", [0, -1, 1.0, "2", None])
def test_bad_blocks_per_stage_are_rejected(blocks_per_stage):
    with raises_naming("blocks_per_stage", blocks_per_stage):
        ResNet(blocks_per_stage=blocks_per_stage)


@pytest.mark.parametrize("shape", [(2, 28, 28), (2, 784), (None, 28, 28, None)])
def test_bad_input_shapes_are_rejected(shape):
    with raises_showing(shape):
        ResNet().build(shape)


def test_bad_input_rank_is_rejected_when_called():
    with raises_showing((2, 784)):
        ResNet()(np.zeros((2, 784), dtype="float32"))
