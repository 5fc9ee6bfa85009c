"""Tests for companion.models.ResNet."""

import keras
import numpy as np
import pytest

from companion import ResNet, ResNetBlock


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


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
    assert len(model.trainable_weights) == 1 + 2 + 6 + 9 + 9 + 2
    assert len(model.non_trainable_weights) == 2 + 4 + 6 + 6
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


def test_works_on_other_image_sizes_and_inside_a_functional_model():
    inputs = keras.Input((32, 32, 3))
    outputs = ResNet(num_classes=4, filters=(4, 8, 8, 8), name="backbone")(inputs)
    model = keras.Model(inputs, outputs)
    assert model.output_shape == (None, 4)
    assert model.predict(np.zeros((2, 32, 32, 3), dtype="float32"), verbose=0).shape == (2, 4)


def test_config_round_trip(rng):
    model = ResNet(num_classes=7, filters=[8, 16], blocks_per_stage=2, name="small")
    config = model.get_config()
    assert config["num_classes"] == 7
    assert config["filters"] == [8, 16]
    assert config["blocks_per_stage"] == 2
    assert config["name"] == "small"
    clone = ResNet.from_config(config)
    assert clone.get_config() == config
    x = rng.random((2, 28, 28, 1)).astype("float32")
    y = model(x)
    clone.build(x.shape)
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(_numpy(clone(x)), _numpy(y), rtol=1e-6)


def test_keras_file_round_trip_gives_identical_predictions(tmp_path, rng):
    model = ResNet(num_classes=4, filters=(8, 16), name="resnet")
    _perturb_moving_statistics(model, rng)
    x = rng.random((4, 28, 28, 1)).astype("float32")
    expected = model.predict(x, verbose=0)
    path = tmp_path / "resnet.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is ResNet
    assert loaded.get_config() == model.get_config()
    assert all(isinstance(block, ResNetBlock) for block in loaded.blocks)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


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
    x, y = x_train[:512], y_train[:512]
    model = ResNet(filters=(8, 16))
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    history = model.fit(x, y, epochs=4, batch_size=64, verbose=0).history
    assert history["loss"][-1] < 0.8 * history["loss"][0]
    # Ten balanced classes: chance is 0.1.
    assert history["accuracy"][-1] > 0.35


def test_mixed_precision_reaches_every_layer():
    model = ResNet(filters=(4, 8), dtype="mixed_float16")
    y = model(np.ones((2, 28, 28, 1), dtype="float32"))
    assert keras.backend.standardize_dtype(y.dtype) == "float16"
    assert all(layer.dtype_policy.name == "mixed_float16" for layer in model.layers)
    assert all(v.dtype == "float32" for v in model.weights)


@pytest.mark.parametrize("num_classes", [0, -1, 2.0, "10", True, None])
def test_bad_num_classes_are_rejected(num_classes):
    with pytest.raises(ValueError, match=r"num_classes는 양의 정수여야 합니다") as info:
        ResNet(num_classes=num_classes)
    assert f"받은 값: num_classes={num_classes!r}" in str(info.value)


@pytest.mark.parametrize("filters", [(), [], 16, "16", (16, 0), (16, -32), (16, 2.5), (True,)])
def test_bad_filters_are_rejected(filters):
    with pytest.raises(ValueError, match=r"filters는 양의 정수로 된 비어 있지 않은") as info:
        ResNet(filters=filters)
    assert f"받은 값: filters={filters!r}" in str(info.value)


@pytest.mark.parametrize("blocks_per_stage", [0, -1, 1.0, "2", None])
def test_bad_blocks_per_stage_are_rejected(blocks_per_stage):
    with pytest.raises(ValueError, match=r"blocks_per_stage는 양의 정수여야 합니다") as info:
        ResNet(blocks_per_stage=blocks_per_stage)
    assert f"받은 값: blocks_per_stage={blocks_per_stage!r}" in str(info.value)


@pytest.mark.parametrize("shape", [(2, 28, 28), (2, 784), (None, 28, 28, None)])
def test_bad_input_shapes_are_rejected(shape):
    with pytest.raises(ValueError, match=r"4차원 텐서여야 합니다") as info:
        ResNet().build(shape)
    assert f"받은 모양: input_shape={shape}" in str(info.value)


def test_bad_input_rank_is_rejected_when_called():
    with pytest.raises(ValueError, match=r"받은 모양: input_shape=\(2, 784\)"):
        ResNet()(np.zeros((2, 784), dtype="float32"))
