"""The contract every companion layer and model keeps, checked in one place.

Every layer and model test file checks the same basics: weight counts and names, a config
round trip that gives back an object computing the same thing, a `.keras` round trip that
predicts the same values, `fit()` lowering the loss, the mixed-precision dtype policy, and
errors that name the argument and the value received. The helpers below do each of these once;
the test files call them and spend their own lines on what is particular to each layer.

Random layers (Sampling, CustomDropout, ...) keep their stream in a `SeedGenerator` whose state
Keras does not save. Before two objects are compared, `copy_seed_states` puts the second one's
generators in the state of the first, so "the same output" can be checked exactly.
"""

import json
import re
import zipfile

import keras
import numpy as np
import pytest


def numpy(x):
    return keras.ops.convert_to_numpy(x)


def outputs(value):
    """Every tensor in `value` (a tensor, tuple, list or dict), as a list of NumPy arrays."""
    return [numpy(t) for t in keras.tree.flatten(value)]


def dtype_of(tensor):
    return keras.backend.standardize_dtype(tensor.dtype)


# Weights --------------------------------------------------------------------------------------


def assert_weights(layer, *, trainable, non_trainable=0, paths=None, shapes=None):
    """Counts of trainable and non-trainable weights, and optionally their paths and shapes."""
    assert len(layer.trainable_weights) == trainable, [v.path for v in layer.trainable_weights]
    assert len(layer.non_trainable_weights) == non_trainable, [
        v.path for v in layer.non_trainable_weights
    ]
    if paths is not None:
        assert [v.path for v in layer.weights] == list(paths)
    if shapes is not None:
        assert [tuple(v.shape) for v in layer.weights] == [tuple(s) for s in shapes]


def _seed_states(layer):
    return [v for v in layer.variables if "seed_generator_state" in v.path]


def copy_seed_states(source, target):
    """Puts `target`'s random generators in the state of `source`'s (Keras saves neither)."""
    sources, targets = _seed_states(source), _seed_states(target)
    assert len(sources) == len(targets)
    for s, t in zip(sources, targets, strict=True):
        t.assign(s)


def assert_same_weights(layer, other):
    assert len(layer.weights) == len(other.weights)
    for w, v in zip(layer.weights, other.weights, strict=True):
        # A Sequential model prefixes its own name to the paths of the weights it builds, a
        # reloaded one does not ("summer/sum/total" vs "sum/total"): compare the common tail.
        assert w.path.endswith(v.path) or v.path.endswith(w.path), (w.path, v.path)
        np.testing.assert_array_equal(numpy(w), numpy(v), err_msg=w.path)


# Round trips ----------------------------------------------------------------------------------


def _call(layer, inputs, call):
    return call(layer, inputs) if call is not None else layer(inputs)


def assert_config_round_trip(layer, inputs=None, *, call=None, **expected):
    """`from_config(get_config())` gives back the same arguments and the same computation.

    `expected` are config entries that must hold the constructor's arguments (`units=3`).
    With `inputs`, the original (built and called once if needed) and the clone are called
    with the same weights and the same generator states and must give the same outputs; for a
    stateful layer (ComputeSum) both calls also start from the same state. `call(layer,
    inputs)` says how to call a layer that does not take one positional tensor.

    Returns the clone.
    """
    config = layer.get_config()
    for key, value in expected.items():
        assert config[key] == value, (key, config[key], value)
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    assert clone.name == layer.name and clone.dtype_policy.name == layer.dtype_policy.name
    if inputs is None:
        return clone
    if not layer.built:
        _call(layer, inputs, call)
    _call(clone, inputs, call)  # builds the clone
    clone.set_weights(layer.get_weights())
    copy_seed_states(layer, clone)
    expected_outputs = outputs(_call(layer, inputs, call))
    received = outputs(_call(clone, inputs, call))
    assert len(expected_outputs) == len(received)
    for e, r in zip(expected_outputs, received, strict=True):
        np.testing.assert_array_equal(r, e)
    return clone


def assert_keras_round_trip(model, inputs, tmp_path, *, layer=None, layer_type=None):
    """A `.keras` file gives back the same class, weights, configs and predictions.

    `layer`/`layer_type`: the loaded model's sub-layer called `layer` must be a `layer_type`
    with the same config as the original's. Returns the loaded model.
    """
    path = tmp_path / f"{model.name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # safe_mode=True: no lambda, no arbitrary code
    assert type(loaded) is type(model)
    if layer is not None:
        assert isinstance(loaded.get_layer(layer), layer_type)
        assert loaded.get_layer(layer).get_config() == model.get_layer(layer).get_config()
    assert_same_weights(model, loaded)
    copy_seed_states(model, loaded)
    expected = outputs(model(inputs, training=False))
    received = outputs(loaded(inputs, training=False))
    for e, r in zip(expected, received, strict=True):
        np.testing.assert_allclose(r, e, rtol=1e-6, atol=1e-6)
    return loaded


# Training -------------------------------------------------------------------------------------


def fit_losses(model, x, y=None, *, epochs, optimizer, batch_size=32, **compile_kwargs):
    """Compiles `model`, fits it without shuffling noise in the report, returns the history."""
    model.compile(optimizer=optimizer, **compile_kwargs)
    return model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0).history


def assert_fit_lowers_loss(model, x, y=None, *, epochs, optimizer, factor, below=None, **kwargs):
    """`fit()` lowers the loss to less than `factor` times the first epoch's (and `below`)."""
    history = fit_losses(model, x, y, epochs=epochs, optimizer=optimizer, **kwargs)
    losses = history["loss"]
    assert losses[-1] < factor * losses[0], losses
    if below is not None:
        assert losses[-1] < below, losses
    return history


# Dtype policies -------------------------------------------------------------------------------


def assert_mixed_float16(layer, result, *, sublayers=()):
    """Under "mixed_float16": float16 outputs, float32 weights, the policy reaches sub-layers."""
    for output in keras.tree.flatten(result):
        assert dtype_of(output) == "float16"
    assert layer.variable_dtype == "float32"
    for weight in layer.weights:
        assert dtype_of(weight) == "float32", weight.path
    for sublayer in sublayers:
        assert sublayer.dtype_policy.name == "mixed_float16", sublayer.name


# Errors ---------------------------------------------------------------------------------------


def naming(argument, value):
    """A `match` pattern: the message shows `argument=<repr of value>` (wording left free)."""
    return rf"(?<![A-Za-z_]){re.escape(argument)}\s*=\s*{re.escape(repr(value))}"


def raises_naming(argument, value, error=ValueError):
    """`pytest.raises` for an error whose message names `argument` and the `value` received."""
    return pytest.raises(error, match=naming(argument, value))


def raises_showing(*received, error=ValueError):
    """`pytest.raises` for an error whose message shows each of `received` (shapes, dtypes)."""
    pattern = "(?s)" + ".*".join(re.escape(str(r)) for r in received)
    return pytest.raises(error, match=pattern)


def tampered_copy(path, edit):
    """Writes a copy of the `.keras` file `path` whose config.json went through `edit`."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config).encode()
    tampered = path.with_name(f"tampered_{path.name}")
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return tampered
