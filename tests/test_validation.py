"""Tests for companion._validation, the one module that checks arguments for the whole package."""

import json

import keras
import numpy as np
import pytest

import companion
from companion import _validation
from companion.layers.kl_divergence_sampling import kl_divergence_to_standard_normal


@pytest.mark.parametrize(
    "value", [1, 7, np.int64(4), np.int32(3), np.uint8(2), np.prod((28, 28))], ids=repr
)
def test_positive_ints_include_numpy_integers_and_come_back_as_int(value):
    result = _validation.check_positive_int("units", value)
    assert result == int(value) and type(result) is int


@pytest.mark.parametrize(
    "value", [0, -1, 2.0, 2.5, True, np.bool_(True), "3", None, np.float64(3.0)], ids=repr
)
def test_non_positive_ints_name_the_argument_and_value(value):
    with pytest.raises(ValueError, match=r"units=") as info:
        _validation.check_positive_int("units", value)
    assert f"units={value!r}" in str(info.value)


def test_real_ranges_and_seed():
    assert _validation.check_real("rate", np.float32(0.5), maximum=1.0) == 0.5
    assert type(_validation.check_real("rate", np.int64(0))) is float
    for bad in (-0.1, float("nan"), float("inf"), True, "0.1"):
        with pytest.raises(ValueError, match="rate="):
            _validation.check_real("rate", bad)
    with pytest.raises(ValueError, match=r"0 이상 1 미만.*rate=1"):
        _validation.check_real("rate", 1, maximum=1.0, include_maximum=False)
    assert _validation.check_seed(np.int64(3)) == 3 and _validation.check_seed(None) is None
    with pytest.raises(ValueError, match=r"seed=1.5"):
        _validation.check_seed(1.5)


def test_input_shape_names_the_rank_and_the_received_shape():
    assert _validation.check_input_shape((None, 5), "X 층", "(batch, n)", min_ndim=2) == 5
    with pytest.raises(ValueError, match=r"X 층의 입력은 .*4차원 .*input_shape=\(2, 3\)"):
        _validation.check_input_shape((2, 3), "X 층", "(batch, h, w, c)", ndim=4)
    with pytest.raises(ValueError, match=r"input_shape=\(2, None\)"):
        _validation.check_input_shape((2, None), "X 층", "(batch, n)", min_ndim=2)
    with pytest.raises(ValueError, match=r"input_shape=\(2, 0\)"):
        _validation.check_input_shape((2, 0), "X 층", "(batch, n)", min_ndim=2)


def test_missing_optional_module_names_the_package_to_install():
    with pytest.raises(ModuleNotFoundError, match=r"그림에는 no-such-package 패키지가 필요합니다"):
        _validation.require_module("no_such_module_xyz", "no-such-package", "그림")


CONSTRUCTORS = {
    "Linear": lambda: companion.Linear(units=np.int64(4)),
    "Decoder": lambda: companion.Decoder(
        original_dim=np.prod((28, 28)), intermediate_dim=np.int32(8)
    ),
    "Encoder": lambda: companion.Encoder(
        latent_dim=np.int64(2), intermediate_dim=np.int64(8), seed=np.int64(1)
    ),
    "MLPBlock": lambda: companion.MLPBlock(units=np.array([4, 2])),
    "ResNetBlock": lambda: companion.ResNetBlock(np.int64(8), strides=np.int64(2)),
    "ResNet": lambda: companion.ResNet(
        num_classes=np.int64(3), filters=np.array([4, 8]), blocks_per_stage=np.int64(1)
    ),
    "Sampling": lambda: companion.Sampling(seed=np.int64(2)),
    "KLDivergenceSampling": lambda: companion.KLDivergenceSampling(
        kl_weight=np.float32(0.5), seed=np.int64(2)
    ),
    "CustomDropout": lambda: companion.CustomDropout(np.float64(0.25), seed=np.int64(3)),
    "ActivityRegularizationLayer": lambda: companion.ActivityRegularizationLayer(np.float32(0.5)),
    "VariationalAutoEncoder": lambda: companion.VariationalAutoEncoder(
        original_dim=np.prod((28, 28)),
        intermediate_dim=np.int64(8),
        latent_dim=np.int64(2),
        kl_weight=np.float64(1.0),
        seed=np.int64(0),
    ),
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTORS))
def test_numpy_numbers_are_accepted_and_the_config_is_plain_json(name):
    obj = CONSTRUCTORS[name]()
    config = obj.get_config()
    # NumPy scalars would make the config (and so the .keras file) fail to serialize.
    assert json.loads(json.dumps(config)) == config


def test_functional_vae_accepts_numpy_dimensions():
    model = companion.build_functional_vae(
        original_dim=np.prod((28, 28)), intermediate_dim=np.int64(8), latent_dim=np.int64(2)
    )
    assert model.output_shape == (None, 784)


def test_plots_accept_numpy_counts():
    import matplotlib.pyplot as plt

    images = np.zeros((3, 784), "float32")
    assert len(companion.plot_reconstructions(images, images, n=np.int64(2)).axes) == 4
    assert len(companion.plot_generated(images, ncols=np.int64(3)).axes) == 3
    plt.close("all")


def test_kl_of_identical_distributions_is_positive_zero():
    zeros = keras.ops.zeros((4, 3))
    kl = keras.ops.convert_to_numpy(kl_divergence_to_standard_normal(zeros, zeros, "float32"))
    assert kl == 0.0 and not np.signbit(kl)


def test_kl_matches_the_textbook_formula(rng):
    mean = rng.normal(size=(5, 3)).astype("float32")
    log_var = rng.normal(size=(5, 3)).astype("float32")
    expected = -0.5 * np.mean(log_var - mean**2 - np.exp(log_var) + 1)
    kl = kl_divergence_to_standard_normal(mean, log_var, "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(kl), expected, rtol=1e-6)


def test_vae_and_the_sampling_layer_add_the_same_kl_term():
    # Both use kl_divergence_to_standard_normal: with the same z_mean and z_log_var they agree.
    vae = companion.VariationalAutoEncoder(original_dim=6, intermediate_dim=4, latent_dim=2)
    x = np.linspace(0, 1, 12, dtype="float32").reshape(2, 6)
    vae(x)
    z_mean, z_log_var, _ = vae.encoder(x)
    layer = companion.KLDivergenceSampling()
    layer([z_mean, z_log_var])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(vae.losses[0]),
        keras.ops.convert_to_numpy(layer.losses[0]),
        rtol=1e-6,
    )


TINY = 5e-324  # the smallest positive float: the first value past a boundary of 0

# (constructor, argument, last valid value, first invalid value, other arguments)
BOUNDARIES = [
    ("Linear", "units", 1, 0, {}),
    ("CustomDropout", "rate", 0.0, -TINY, {}),
    ("CustomDropout", "rate", float(np.nextafter(1.0, 0.0)), 1.0, {}),
    ("ActivityRegularizationLayer", "rate", 0.0, -TINY, {}),
    ("KLDivergenceSampling", "kl_weight", 0.0, -TINY, {}),
    ("Encoder", "latent_dim", 1, 0, {}),
    ("Encoder", "intermediate_dim", 1, 0, {}),
    ("Decoder", "original_dim", 1, 0, {}),
    ("Decoder", "intermediate_dim", 1, 0, {"original_dim": 4}),
    ("ResNet", "num_classes", 1, 0, {}),
    ("ResNet", "blocks_per_stage", 1, 0, {}),
    ("VariationalAutoEncoder", "original_dim", 1, 0, {}),
    ("VariationalAutoEncoder", "kl_weight", 0.0, -TINY, {"original_dim": 4}),
]


@pytest.mark.parametrize(
    ("name", "argument", "valid", "invalid", "others"),
    BOUNDARIES,
    ids=[f"{b[0]}-{b[1]}={b[3]!r}" for b in BOUNDARIES],
)
def test_each_argument_check_sits_exactly_on_its_boundary(name, argument, valid, invalid, others):
    import companion

    constructor = getattr(companion, name)
    constructor(**{**others, argument: valid})  # the last valid value is accepted
    with pytest.raises(ValueError) as error:
        constructor(**{**others, argument: invalid})
    # The message names the value exactly as received, not rounded (5e-324, not 0 or -0.0).
    assert f"{argument}={invalid!r}" in str(error.value), str(error.value)
