"""Keras's own behaviour that the book and the companion package rely on.

These tests do not test `companion`: they pin down what Keras 3 itself does, with plain Keras
layers, so that a Keras upgrade that changes one of these facts fails here, by name, instead of
somewhere deep in a chapter or a package test. Each test says where the fact is used.
"""

import keras
import numpy as np
import pytest
from contract import tampered_copy
from keras import ops


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


class _AddsLoss(keras.layers.Layer):
    """Adds the sum of its inputs as a loss (like companion.ActivityRegularizationLayer)."""

    def call(self, inputs):
        self.add_loss(ops.sum(inputs))
        return inputs


class _RecordsTraining(keras.layers.Layer):
    """Records the `training` value each call receives."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        # At the start of the first fit(), Keras infers the output shapes by calling the model
        # once with training=False on inputs without data: JAX tracers (jax.eval_shape) or
        # PyTorch tensors on the "meta" device. Only calls on data count here.
        if _has_data(inputs):
            self.seen.append(training)
        return inputs


def _has_data(tensor):
    if keras.backend.backend() == "jax":
        import jax

        return not isinstance(tensor, jax.core.Tracer)
    return str(getattr(tensor, "device", "")) != "meta"


def _dense_model(units=2, input_dim=3, name="model"):
    inputs = keras.Input((input_dim,))
    return keras.Model(inputs, keras.layers.Dense(units, name="dense")(inputs), name=name)


# Losses added in call() (chapters 3 and 8) ------------------------------------------------------


def test_layer_losses_are_replaced_at_every_top_level_call():
    layer = _AddsLoss()
    layer(np.ones((2, 2), dtype="float32"))
    layer(np.full((2, 2), 3.0, dtype="float32"))
    assert [float(loss) for loss in layer.losses] == [12.0]


def test_losses_of_an_inner_layer_reach_the_outer_layer():
    class Outer(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = _AddsLoss()

        def call(self, inputs):
            return self.inner(inputs)

    outer = Outer()
    outer(np.ones((2, 4), dtype="float32"))
    outer(np.ones((2, 4), dtype="float32"))
    assert [float(loss) for loss in outer.losses] == [8.0]


def test_keras_3_layers_refuse_add_metric():
    # Layers that report a metric (LogisticEndpoint) own a metric object and update it.
    with pytest.raises(NotImplementedError, match="update_state"):
        keras.layers.Dense(1).add_metric(1.0)


# The training flag (chapter 5) ----------------------------------------------------------------


def test_fit_calls_layers_with_training_true_and_predict_evaluate_with_false():
    probe = _RecordsTraining()
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(probe(inputs)))
    model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    x, y = np.ones((4, 3), dtype="float32"), np.zeros((4, 1), dtype="float32")
    probe.seen.clear()  # the functional model's construction called it symbolically
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert probe.seen == [True]
    probe.seen.clear()
    model.predict(x, batch_size=4, verbose=0)
    model.evaluate(x, y, batch_size=4, verbose=0)
    assert probe.seen == [False, False]


def test_an_inner_layer_inherits_the_outer_training_flag():
    # Why a model may call its blocks without passing `training` on: Keras does it.
    probe = _RecordsTraining()

    class Outer(keras.layers.Layer):
        def call(self, inputs, training=None):
            return probe(inputs)

    Outer()(np.ones((1, 2), dtype="float32"), training=True)
    assert probe.seen == [True]


# Random layers (chapters 5 and 8) -------------------------------------------------------------


def test_seed_generator_state_is_not_saved_in_keras_files(tmp_path):
    # A reloaded random layer restarts its stream from its seed: the tests put both generators
    # in the same state before comparing a random model with its reloaded copy.
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.GaussianNoise(1.0, seed=3)(inputs))
    x = np.zeros((2, 4), dtype="float32")
    first = _numpy(model(x, training=True))
    second = _numpy(model(x, training=True))
    assert not np.array_equal(first, second)
    model.save(tmp_path / "noise.keras")
    loaded = keras.saving.load_model(tmp_path / "noise.keras")
    np.testing.assert_array_equal(_numpy(loaded(x, training=True)), first)


# Saving and loading (chapter 4) ---------------------------------------------------------------


def test_an_unknown_class_name_is_named_when_loading(tmp_path):
    model = _dense_model()
    model.save(tmp_path / "model.keras")

    def rename(config):
        layer = next(c for c in config["config"]["layers"] if c["class_name"] == "Dense")
        layer["class_name"] = "Densee"
        layer["registered_name"] = "Densee"

    with pytest.raises((TypeError, ValueError), match="Densee"):
        keras.saving.load_model(tampered_copy(tmp_path / "model.keras", rename))


def test_a_changed_architecture_does_not_take_the_old_weights(tmp_path):
    _dense_model(units=2).save(tmp_path / "model.keras")

    def widen(config):
        layer = next(c for c in config["config"]["layers"] if c["class_name"] == "Dense")
        layer["config"]["units"] = 3

    with pytest.raises(ValueError, match="could not be loaded"):
        keras.saving.load_model(tampered_copy(tmp_path / "model.keras", widen))


@pytest.mark.parametrize("keep", [0.0, 0.5, 0.95])
def test_a_truncated_keras_file_is_refused(tmp_path, keep):
    path = tmp_path / "model.keras"
    _dense_model().save(path)
    data = path.read_bytes()
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ValueError, match=r"accessible `\.keras` zip file"):
        keras.saving.load_model(truncated)


def test_weights_of_another_architecture_are_refused(tmp_path):
    path = tmp_path / "model.weights.h5"
    _dense_model(units=2).save_weights(path)
    with pytest.raises(ValueError):
        _dense_model(units=3).load_weights(path)


def test_model_build_from_config_turns_a_build_error_into_a_warning():
    # Why ResNet and VariationalAutoEncoder override build_from_config(): with keras.Model's
    # own, a .keras file whose build config no longer fits loads silently without weights.
    class Picky(keras.Model):
        def build(self, input_shape):
            raise ValueError("wrong shape")

        def call(self, inputs):
            return inputs

    model = Picky()
    with pytest.warns(UserWarning, match="cannot be built automatically"):
        model.build_from_config({"input_shape": (None, 3)})
    assert not model.built


# Mixed precision (chapter 10) -----------------------------------------------------------------


def test_mixed_float16_casts_float_inputs_to_float16_before_call():
    seen = []

    class Probe(keras.layers.Layer):
        def call(self, inputs):
            seen.append(keras.backend.standardize_dtype(inputs.dtype))
            return inputs

    Probe(dtype="mixed_float16")(np.ones((1, 2), dtype="float32"))
    assert seen == ["float16"]


def test_compile_wraps_the_optimizer_in_loss_scaling_under_mixed_float16():
    previous = keras.config.dtype_policy()
    try:
        keras.config.set_dtype_policy("mixed_float16")
        model = _dense_model()
        model.compile(optimizer=keras.optimizers.Adam(), loss="mse")
        assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    finally:
        keras.config.set_dtype_policy(previous)


# Chapter 6, "compute_output_shape()" and "층 얼리기": three places where the backends really
# behave differently. The chapter's cells (tagged backend-dependent) run the same code on every
# backend and store TensorFlow's output; these tests pin down what each backend does.


class _NumpyScale(keras.layers.Layer):
    """Takes its input out to NumPy inside call() (the chapter's wrong example)."""

    def call(self, inputs):
        x = ops.convert_to_numpy(inputs)
        return x / np.abs(x).max()


class _NumpyScaleWithShape(_NumpyScale):
    def compute_output_shape(self, input_shape):
        return input_shape


def test_numpy_in_call_at_shape_inference_depends_on_the_backend():
    features = keras.Input((3,))
    backend = keras.backend.backend()
    if backend == "torch":  # retried with real values after the meta-tensor attempt fails
        assert tuple(_NumpyScale()(features).shape) == (None, 3)
    elif backend == "jax":  # the tracer error, re-raised by Keras 3.15.1 as an AttributeError
        with pytest.raises(AttributeError, match="_error_repr"):
            _NumpyScale()(features)
    else:
        with pytest.raises(NotImplementedError, match="compute_output_shape"):
            _NumpyScale()(features)


def test_numpy_in_call_under_predict_depends_on_the_backend():
    features = keras.Input((3,))
    model = keras.Model(features, _NumpyScaleWithShape()(features))
    x = np.array([[1.0, -4.0, 2.0]], dtype="float32")
    np.testing.assert_allclose(_numpy(model(x)), x / 4.0)  # a direct call works everywhere
    backend = keras.backend.backend()
    if backend == "torch":  # predict() runs call() eagerly
        np.testing.assert_allclose(model.predict(x, verbose=0), x / 4.0)
    elif backend == "jax":  # predict() jit-compiles call()
        with pytest.raises(AttributeError, match="_error_repr"):
            model.predict(x, verbose=0)
    else:  # predict() traces call() into a graph
        with pytest.raises(NotImplementedError, match="symbolic"):
            model.predict(x, verbose=0)


def _frozen_after_one_fit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    features = keras.Input((3,))
    base, head = keras.layers.Dense(4), keras.layers.Dense(1)
    model = keras.Model(features, head(base(features)))
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, verbose=0)
    base.trainable = False

    def fit_changes():
        before = [_numpy(layer.kernel) for layer in (base, head)]
        model.fit(x, y, verbose=0)
        after = [_numpy(layer.kernel) for layer in (base, head)]
        return [not np.allclose(b, a) for b, a in zip(before, after, strict=True)]

    return model, fit_changes


def test_freezing_without_recompiling_depends_on_the_backend():
    model, fit_changes = _frozen_after_one_fit()
    backend = keras.backend.backend()
    if backend == "jax":  # the optimizer was built for 4 variables, 2 are trainable now
        with pytest.raises(ValueError, match="built with 4 variables"):
            fit_changes()
        # JAX's fit() takes the variables' values out of the model while it runs and puts them
        # back at the end: a fit() that fails leaves the model without values (no upstream
        # issue found). The chapter's JAX branch therefore only describes this case.
        model.compile(optimizer="sgd", loss="mse")
        with pytest.raises(RuntimeError, match="Unable to automatically build the model"):
            model.fit(np.zeros((4, 3), "float32"), np.zeros((4, 1), "float32"), verbose=0)
    elif backend == "torch":  # the trainable weights are gathered again at every step
        assert fit_changes() == [False, True]
    else:  # the train function built before keeps updating the frozen layer, silently
        assert fit_changes() == [True, True]


def test_recompiling_after_freezing_applies_on_every_backend():
    model, fit_changes = _frozen_after_one_fit()
    model.compile(optimizer="sgd", loss="mse")
    assert fit_changes() == [False, True]


# Backend differences the early chapters state in prose (chapters 1 and 2) ----------------------


class _NumpyWeightLinear(keras.layers.Layer):
    """Keeps its weight as a NumPy array, which Keras does not track (chapter 1)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.w = np.ones((2, 1), "float32")

    def call(self, inputs):
        return ops.matmul(inputs, self.w)


def test_fit_warns_about_no_trainable_weights_except_on_jax():
    import warnings

    model = keras.Sequential([keras.Input((2,)), _NumpyWeightLinear()])
    model.compile(optimizer="sgd", loss="mse")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=1, verbose=0)
    warned = any("does not have any trainable weights" in str(w.message) for w in caught)
    assert model.trainable_weights == []
    assert warned == (keras.backend.backend() != "jax")


class _RecordsShapes(keras.layers.Layer):
    """Records the shape of every input call() receives (chapter 2)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs):
        self.seen.append(tuple(inputs.shape))
        return inputs


def test_a_symbolic_call_runs_call_once_and_twice_on_torch():
    layer = _RecordsShapes()
    layer(keras.Input((5,)))
    if keras.backend.backend() == "torch":  # the None batch size filled with two different sizes
        assert len(layer.seen) == 2
        assert layer.seen[0][0] != layer.seen[1][0]
        assert [shape[1:] for shape in layer.seen] == [(5,), (5,)]
    else:  # one trace with a batch size unknown
        assert len(layer.seen) == 1


# Chapter 6, "ComputeSum이 합을 float32로 쌓는 이유": a float32 state variable read through
# autocast inside call() (mixed_float16). The chapter's AutocastSum cell prints this table.


class _AutocastSum(keras.layers.Layer):
    """Keeps a float32 total but leaves autocast on, so call() sees and adds it in float16."""

    def build(self, input_shape):
        self.total = self.add_weight(
            shape=(input_shape[-1],), initializer="zeros", trainable=False, name="total"
        )

    def call(self, inputs):
        self.total.assign_add(ops.sum(ops.cast(inputs, self.total.dtype), axis=0))
        return self.total


def test_assign_add_to_an_autocast_variable_depends_on_the_backend():
    layer = _AutocastSum(dtype="mixed_float16")
    for value in (2048, 1, 1, 1):
        layer(np.array([[value]], "float32"))
    assert keras.backend.standardize_dtype(layer.total.dtype) == "float32"
    total = _numpy(layer.total).tolist()
    if keras.backend.backend() == "torch":
        # assign() writes into the float16 copy that autocast hands out; the variable stays 0.
        assert total == [0.0]
    else:  # added in float16: 2048 + 1 rounds back to 2048
        assert total == [2048.0]


# --- Chapter 11: several inputs, attention, control flow ---------------------------------------
# Chapter 11 prints each of these as a table of the three backends and checks, on the backend it
# runs on, that the current run agrees with the table.


class _PythonIf(keras.layers.Layer):
    """Branches with Python `if` on a tensor's value."""

    def call(self, x):
        if ops.sum(x) > 0:
            return x * 2.0
        return -x


def test_python_if_on_a_tensor_depends_on_the_backend():
    backend = keras.backend.backend()
    x = np.array([[1.0, 2.0, 3.0]], dtype="float32")
    np.testing.assert_allclose(_numpy(_PythonIf()(x)), 2 * x)  # eager: a real value, fine
    features = keras.Input((3,))
    if backend == "torch":  # the symbolic call is retried on real tensors; predict() is eager
        model = keras.Model(features, _PythonIf()(features))
        np.testing.assert_allclose(model.predict(-x, verbose=0), x)
    elif backend == "jax":  # the tracer error, re-raised by Keras 3.15.1 as an AttributeError
        with pytest.raises(AttributeError, match="_error_repr"):
            _PythonIf()(features)
    else:
        import tensorflow as tf

        with pytest.raises(tf.errors.OperatorNotAllowedInGraphError, match="Python `bool`"):
            _PythonIf()(features)


def test_ops_cond_with_branches_of_different_shapes_fails_only_on_jax():
    # keras-team/keras#19379: jax.lax.cond needs both branches to have the same shape.
    x = ops.ones((2, 4, 6))
    pred = ops.convert_to_tensor(True)
    if keras.backend.backend() == "jax":
        with pytest.raises(TypeError, match="cond branches must have equal output types"):
            ops.cond(pred, lambda: x[:, :2], lambda: x)
    else:
        assert tuple(ops.cond(pred, lambda: x[:, :2], lambda: x).shape) == (2, 2, 6)
    same = ops.cond(pred, lambda: x * 2.0, lambda: x)  # same shapes: every backend
    np.testing.assert_allclose(_numpy(same), 2.0)


class _StaticLength(keras.layers.Layer):
    """Reads the length with `x.shape`, which is None in a symbolic call on TensorFlow."""

    def call(self, x):
        return ops.reshape(x, (-1, x.shape[1] * x.shape[2]))


def test_x_shape_of_a_none_dimension_depends_on_the_backend():
    sequences = keras.Input((None, 3))
    if keras.backend.backend() == "tensorflow":  # None * 3
        with pytest.raises(TypeError, match="NoneType"):
            _StaticLength()(sequences)
    else:  # JAX: a symbolic dimension; PyTorch: placeholder sizes (83, 89)
        assert _StaticLength()(sequences).shape == (None, None)


_CALLS = []


class _CountsCalls(keras.layers.Layer):
    def call(self, x):
        _CALLS.append(tuple(x.shape))
        return x * 2.0


def test_calls_of_call_for_new_lengths_depend_on_the_backend():
    sequences = keras.Input((None, 3))
    model = keras.Model(sequences, _CountsCalls()(sequences))
    _CALLS.clear()
    for length in (5, 7, 9, 5, 7):
        model.predict_on_batch(np.ones((2, length, 3), "float32"))
    expected = {
        "tensorflow": [(2, 5, 3), (2, None, 3)],  # reduce_retracing: the 2nd trace relaxes
        "jax": [(2, 5, 3), (2, 7, 3), (2, 9, 3)],  # one compilation per new length
        "torch": [(2, 5, 3), (2, 7, 3), (2, 9, 3), (2, 5, 3), (2, 7, 3)],  # eager
    }
    assert _CALLS == expected[keras.backend.backend()]


class _ZetaAlpha(keras.layers.Layer):
    def call(self, x):
        return {"zeta": x * 2.0, "alpha": x + 1.0}


def test_dict_output_key_order_depends_on_the_backend():
    features = keras.Input((2,))
    outputs = _ZetaAlpha()(features)
    model = keras.Model(features, outputs)
    x = np.ones((1, 2), "float32")
    order = (list(outputs), list(model(x)), list(model.predict(x, verbose=0)))
    inserted, ordered = ["zeta", "alpha"], ["alpha", "zeta"]
    if keras.backend.backend() == "tensorflow":
        assert order == (inserted, inserted, inserted)
    else:
        assert order == (ordered, ordered, ordered)
    assert list(_ZetaAlpha()(x)) == inserted  # a layer called eagerly: the dict as written
    # Keys are the same everywhere: read outputs by key.
    np.testing.assert_allclose(model.predict(x, verbose=0)["zeta"], 2.0)


def test_multi_head_attention_symbolic_scores_use_the_query_length_twice():
    # Keras 3.15.1's compute_output_spec writes (batch, heads, T, T) for cross-attention scores.
    mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    _, scores = mha(keras.Input((3, 8)), keras.Input((5, 8)), return_attention_scores=True)
    assert scores.shape == (None, 2, 3, 3)
    _, real = mha(np.ones((1, 3, 8)), np.ones((1, 5, 8)), return_attention_scores=True)
    assert tuple(real.shape) == (1, 2, 3, 5)


def test_multi_head_attention_reads_the_query_mask_from_the_query_not_the_argument():
    rng = np.random.default_rng(0)
    query = rng.normal(size=(1, 3, 4)).astype("float32")
    value = rng.normal(size=(1, 3, 4)).astype("float32")
    mha = keras.layers.MultiHeadAttention(num_heads=1, key_dim=2)
    plain = _numpy(mha(query, value))
    masked = _numpy(mha(query, value, query_mask=np.array([[True, False, False]])))
    np.testing.assert_allclose(masked, plain)  # the explicit query_mask= was ignored


def test_multi_head_attention_with_another_value_dim_fails_only_on_jax():
    mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=5)
    query, value = np.ones((2, 5, 8), "float32"), np.ones((2, 7, 6), "float32")
    if keras.backend.backend() == "jax":
        with pytest.raises(TypeError, match="cannot reshape"):
            mha(query, value)
    else:
        assert tuple(mha(query, value).shape) == (2, 5, 8)


def test_a_masked_average_in_a_custom_layer_agrees_under_jit_on_every_backend():
    # keras-team/keras#20165 (Keras 3.5, JAX): the jit-compiled output ignored the mask.
    class MaskedMean(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            weights = ops.cast(mask, inputs.dtype)[..., None]
            return ops.sum(inputs * weights, axis=1) / ops.sum(weights, axis=1)

        def compute_mask(self, inputs, mask=None):
            return None

    x = np.array([[[1], [2], [3]], [[1], [2], [-99]], [[1], [-99], [-99]]], "float32")
    model = keras.Sequential([keras.layers.Masking(-99.0), MaskedMean()])
    eager = _numpy(model(x))
    model.compile(jit_compile=True)
    np.testing.assert_allclose(model.predict_on_batch(x), eager)
    np.testing.assert_allclose(eager.ravel(), [2.0, 1.5, 1.0])


def test_tensorflow_scan_outputs_must_have_the_shape_of_the_carry():
    # keras-team/keras#19681 (the TensorFlow scan): per-step outputs are stored like the carry.
    def step(carry, x):
        return carry + x, ops.concatenate([x, x], axis=-1)

    if keras.backend.backend() == "tensorflow":
        with pytest.raises(ValueError, match="Incompatible shape"):
            ops.scan(step, ops.zeros((2,)), ops.ones((4, 2)))
    else:
        _, outputs = ops.scan(step, ops.zeros((2,)), ops.ones((4, 2)))
        assert tuple(outputs.shape) == (4, 4)


class _TwoScanInputs(keras.layers.Layer):
    def call(self, x):
        steps = ops.transpose(x, (1, 0, 2))
        keep = ops.ones_like(steps[..., :1], dtype="bool")

        def step(state, elements):
            x_t, keep_t = elements
            state = ops.where(keep_t, state + x_t, state)
            return state, state

        return ops.scan(step, ops.zeros_like(steps[0]), (steps, keep))[1]


def test_tensorflow_scan_of_several_inputs_of_unknown_length_fails():
    # Keras 3.15.1, TensorFlow backend: n_static is None and has no assert_is_compatible_with.
    sequences = keras.Input((None, 3))
    if keras.backend.backend() == "tensorflow":
        with pytest.raises(AttributeError, match="assert_is_compatible_with"):
            _TwoScanInputs()(sequences)
    else:
        assert _TwoScanInputs()(sequences).shape == (None, None, 3)
    assert _TwoScanInputs()(keras.Input((4, 3))).shape == (4, None, 3)  # a known length works


# Chapter 13: quantization and LoRA -----------------------------------------------------------


def test_model_quantize_warns_for_layers_without_quantize_and_refuses_dense_subclasses():
    # Chapter 13: companion.Linear is skipped with a warning; a Dense subclass too (type check).
    class SubDense(keras.layers.Dense):
        pass

    inputs = keras.Input((4,))
    model = keras.Model(inputs, SubDense(3, name="sub")(inputs))
    with pytest.warns(UserWarning, match="SubDense does not have a `quantize` method"):
        model.quantize("int8")
    assert model.get_layer("sub").quantization_mode is None
    model.quantize("int8", type_check=False)
    assert model.get_layer("sub").dtype_policy.name == "int8_from_float32"


@keras.saving.register_keras_serializable(package="keras_facts")
class _TwoDense(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = keras.layers.Dense(3, name="first")
        self.second = keras.layers.Dense(2, name="second")

    def call(self, inputs):
        return self.second(self.first(inputs))


def test_a_quantized_composite_of_dense_layers_does_not_reload(tmp_path):
    # Chapter 13 (keras-team/keras#19381, #21378): the sub-layers' int8 policies are not in the
    # composite's config, so they come back as float layers expecting two variables.
    inputs = keras.Input((4,))
    model = keras.Model(inputs, _TwoDense(name="block")(inputs))
    with pytest.warns(UserWarning):
        model.quantize("int8")
    model.save(tmp_path / "composite.keras")
    with pytest.raises(ValueError, match="expected 2 variables, but received 3"):
        with pytest.warns(UserWarning):
            keras.saving.load_model(tmp_path / "composite.keras")


def test_a_lora_dense_saves_only_its_merged_kernel(tmp_path):
    # Chapter 13: the .keras file holds kernel + bias (merged), no lora_kernel_a/b.
    inputs = keras.Input((4,))
    dense = keras.layers.Dense(3, name="dense")
    model = keras.Model(inputs, dense(inputs))
    dense.enable_lora(2)
    dense.lora_kernel_b.assign(np.ones((2, 3), "float32"))
    store = {}
    dense.save_own_variables(store)
    assert sorted(store) == ["0", "1"]
    np.testing.assert_allclose(_numpy(store["0"]), _numpy(dense.kernel), rtol=1e-6)
    assert not np.allclose(_numpy(dense.kernel), _numpy(dense._kernel))
    model.save(tmp_path / "lora.keras")
    loaded = keras.saving.load_model(tmp_path / "lora.keras")
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(_numpy(loaded(x)), _numpy(model(x)), rtol=1e-5)


@pytest.mark.skipif(keras.backend.backend() == "tensorflow", reason="the other backends' refusal")
def test_tfsm_layer_is_for_the_tensorflow_backend(tmp_path):
    # Chapter 13: a SavedModel goes back into a Keras model with TFSMLayer on TensorFlow only.
    with pytest.raises(NotImplementedError, match="only currently supported with the TensorFlow"):
        keras.layers.TFSMLayer(str(tmp_path), call_endpoint="serve")
