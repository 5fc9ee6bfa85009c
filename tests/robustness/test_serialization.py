"""Saving and loading every model that contains companion layers, and broken `.keras` files.

Round trips: each case of _cases.py goes through a `.keras` file (`save` / `load_model` with
the default `safe_mode=True`) and through `save_weights` / `load_weights` into a freshly built
model, and must predict exactly the same values afterwards.

Keras does not save the state of a `SeedGenerator` (neither format stores it), so a reloaded
stochastic layer restarts its random stream from its `seed`. Before comparing the predictions
of a sampling model, both models' generators are put in the same state (`copy_seed_states`).

Broken files: a `.keras` file whose config misses an argument, holds an invalid value or a build
config that no longer fits must fail with an error that says what is wrong, and never load
silently with weights that were not restored (ResNet and VariationalAutoEncoder override
`build_from_config` for this). How Keras itself treats unknown classes, truncated files, changed
architectures and mismatched weight files is in tests/test_keras_facts.py.
"""

import warnings

import keras
import numpy as np
import pytest
from _cases import (
    NAMES,
    all_public_names_are_covered,
    build,
    call,
    seed_state_values,
    set_seed_states,
)
from contract import tampered_copy

from companion.settings import SEED


def test_every_public_layer_and_model_has_a_case():
    covered, missing = all_public_names_are_covered()
    assert covered, f"no robustness case for: {missing}"


def _same_predictions(model, other, x):
    """Calls both models from the same generator state and compares every output exactly."""
    states = seed_state_values(model)
    expected = call(model, x)
    set_seed_states(other, states)
    received = call(other, x)
    assert len(expected) == len(received)
    for e, r in zip(expected, received, strict=True):
        np.testing.assert_array_equal(e, r)


def _companion_configs(model):
    return [
        (type(layer).__name__, layer.get_config())
        for layer in model._flatten_layers()
        if type(layer).__module__.startswith("companion.")
    ]


def _assert_same_weights(model, other):
    assert [w.path for w in model.weights] == [w.path for w in other.weights]
    for w, v in zip(model.weights, other.weights, strict=True):
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(w), keras.ops.convert_to_numpy(v), err_msg=w.path
        )


@pytest.mark.parametrize("name", NAMES)
def test_keras_file_round_trip_predicts_identically(name, tmp_path):
    case = build(name)
    call(case.model, case.x)  # stateful layers (ComputeSum) now hold something worth saving
    path = tmp_path / f"{name}.keras"
    case.model.save(path)

    loaded = keras.saving.load_model(path)  # safe_mode=True: no lambda, no arbitrary code

    assert type(loaded) is type(case.model)
    _assert_same_weights(case.model, loaded)
    _same_predictions(case.model, loaded, case.x)
    # The companion layers came back as themselves, with the same configs.
    assert _companion_configs(loaded) == _companion_configs(case.model)


@pytest.mark.parametrize("name", NAMES)
def test_weights_file_round_trip_predicts_identically(name, tmp_path):
    case = build(name)
    call(case.model, case.x)
    path = tmp_path / f"{name}.weights.h5"
    case.model.save_weights(path)

    keras.utils.set_random_seed(SEED + 1)  # other initial weights, so loading must change them
    fresh = build(name).model
    before = call(fresh, case.x)
    fresh.load_weights(path)

    _assert_same_weights(case.model, fresh)
    _same_predictions(case.model, fresh, case.x)
    after = call(fresh, case.x)
    assert any(not np.array_equal(b, a) for b, a in zip(before, after, strict=True)), (
        "load_weights() changed nothing: the test would pass even if loading were a no-op"
    )


# Broken files -------------------------------------------------------------------------------


def _saved_vae(tmp_path):
    case = build("VariationalAutoEncoder")
    path = tmp_path / "vae.keras"
    case.model.save(path)
    return path


def _saved_decoder_model(tmp_path):
    case = build("Decoder")
    path = tmp_path / "decoder.keras"
    case.model.save(path)
    return path


def _load_without_warnings(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a load that only warns is a silent failure here
        return keras.saving.load_model(path)


def test_a_missing_required_argument_is_named(tmp_path):
    def drop(config):
        layer = next(c for c in config["config"]["layers"] if c["class_name"] == "Decoder")
        del layer["config"]["original_dim"]

    tampered = tampered_copy(_saved_decoder_model(tmp_path), drop)
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'original_dim'"):
        _load_without_warnings(tampered)


def test_a_missing_argument_with_a_default_does_not_load_silently(tmp_path):
    # Without original_dim the config falls back to the default 784, which cannot hold the saved
    # (6-wide) weights. keras.Model.build_from_config() would turn the build error into a
    # warning and return a model without its weights; the VAE lets the error through.
    def drop(config):
        del config["config"]["original_dim"]

    tampered = tampered_copy(_saved_vae(tmp_path), drop)
    with pytest.raises(ValueError, match=r"(?s)original_dim=784.*\(\d+, 6\)"):
        _load_without_warnings(tampered)


def test_an_invalid_argument_value_is_named(tmp_path):
    def corrupt(config):
        config["config"]["latent_dim"] = -2

    tampered = tampered_copy(_saved_vae(tmp_path), corrupt)
    with pytest.raises(ValueError, match="latent_dim=-2"):
        _load_without_warnings(tampered)


def test_a_resnet_with_a_broken_build_config_does_not_load_silently(tmp_path):
    case = build("ResNet")
    path = tmp_path / "resnet.keras"
    case.model.save(path)

    def flatten_input(config):
        config["build_config"]["input_shape"] = [None, 64]

    tampered = tampered_copy(path, flatten_input)
    with pytest.raises(ValueError, match=r"input_shape=\(None, 64\)"):
        _load_without_warnings(tampered)
