"""Tests for the chapter 13 checkers: each accepts 2 right and rejects 5 realistic wrong answers.

Exercise 13-1 (a composite of two Dense layers that reloads after `model.quantize("int8")`) is
graded on every backend. Exercise 13-2 (an `ExportArchive` endpoint) is graded on TensorFlow and
JAX; on PyTorch the checker says why it does not grade.
"""

import keras
import pytest

from companion import check_probability_endpoint, check_quantizable_composite

DTypePolicyMap = keras.dtype_policies.DTypePolicyMap


def _report(check, answer):
    return str(check(answer))


# ---------------------------------------------------------------- 연습 13-1


def _gated_call(value, gate, x):
    return keras.ops.multiply(value(x), keras.ops.sigmoid(gate(x)))


@keras.saving.register_keras_serializable(package="test_ch13")
class GatedDense(keras.layers.Layer):
    """The model answer: fixed names, the block's policy, a DTypePolicyMap in get_config."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.value = keras.layers.Dense(units, name="value", dtype=self.dtype_policy)
        self.gate = keras.layers.Dense(units, name="gate", dtype=self.dtype_policy)

    def build(self, input_shape):
        self.value.build(input_shape)
        self.gate.build(input_shape)

    def call(self, inputs):
        return _gated_call(self.value, self.gate, inputs)

    def get_config(self):
        config = {**super().get_config(), "units": self.units}
        policy_map = DTypePolicyMap(default_policy=self.dtype_policy)
        for layer in (self.value, self.gate):
            if layer.quantization_mode is not None:
                policy_map[layer.path] = layer.dtype_policy
        if len(policy_map) > 0:
            config["dtype"] = keras.dtype_policies.serialize(policy_map)
        return config


@keras.saving.register_keras_serializable(package="test_ch13")
class GatedDenseFlattened(keras.layers.Layer):
    """A different right answer: gate first, built lazily, the map over _flatten_layers()."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        policy = self.dtype_policy
        self.parts = {
            "gate": keras.layers.Dense(units, activation="sigmoid", name="g", dtype=policy),
            "value": keras.layers.Dense(units, name="v", dtype=policy),
        }

    def call(self, inputs):
        return self.parts["value"](inputs) * self.parts["gate"](inputs)

    def get_config(self):
        config = super().get_config()
        config["units"] = self.units
        quantized = {
            layer.path: layer.dtype_policy
            for layer in self._flatten_layers(include_self=False)
            if layer.quantization_mode
        }
        if quantized:
            config["dtype"] = DTypePolicyMap(default_policy=self.dtype_policy, policy_map=quantized)
        return config


@keras.saving.register_keras_serializable(package="test_ch13")
class GatedDenseUnnamed(GatedDense):
    """Wrong: automatic names and the default policy (the trap of keras-team/keras#21378)."""

    def __init__(self, units, **kwargs):
        keras.layers.Layer.__init__(self, **kwargs)
        self.units = units
        self.value = keras.layers.Dense(units)
        self.gate = keras.layers.Dense(units)


@keras.saving.register_keras_serializable(package="test_ch13")
class GatedDenseWithoutMap(GatedDense):
    """Wrong: names and dtype=self.dtype_policy, but get_config() keeps the float policy."""

    def get_config(self):
        return {**keras.layers.Layer.get_config(self), "units": self.units}


@keras.saving.register_keras_serializable(package="test_ch13")
class GatedDenseIgnoresPolicy(GatedDense):
    """Wrong: the map is written, but the sub-layers are made without the block's policy."""

    def __init__(self, units, **kwargs):
        keras.layers.Layer.__init__(self, **kwargs)
        self.units = units
        self.value = keras.layers.Dense(units, name="value")
        self.gate = keras.layers.Dense(units, name="gate")


@keras.saving.register_keras_serializable(package="test_ch13")
class GatedDenseNoSigmoid(GatedDense):
    """Wrong: the gate is not squashed."""

    def call(self, inputs):
        return self.value(inputs) * self.gate(inputs)


@keras.saving.register_keras_serializable(package="test_ch13")
class GatedDenseSubclass(keras.layers.Dense):
    """Wrong: one Dense subclass doing both products; Keras refuses to quantize subclasses."""

    def __init__(self, units, **kwargs):
        super().__init__(2 * units, **kwargs)
        self.gated_units = units

    def call(self, inputs):
        both = super().call(inputs)
        value, gate = keras.ops.split(both, 2, axis=-1)
        return value * keras.ops.sigmoid(gate)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.gated_units)

    def get_config(self):
        config = super().get_config()
        config["units"] = self.gated_units
        return config


@pytest.mark.parametrize("solution", [GatedDense, GatedDenseFlattened])
def test_right_composites_pass(solution):
    report = check_quantizable_composite(solution)
    assert report.passed, str(report)


@pytest.mark.parametrize(
    ("solution", "sentence"),
    [
        (GatedDenseUnnamed, "고정된 이름"),
        (GatedDenseWithoutMap, "expected 2 variables, but received 3"),
        (GatedDenseIgnoresPolicy, "dtype=self.dtype_policy로 만들고"),
        (GatedDenseNoSigmoid, "값(x) * sigmoid(문(x))가 아닙니다"),
        (GatedDenseSubclass, "Dense 두 개(값과 문)"),
    ],
)
def test_wrong_composites_get_their_sentence(solution, sentence):
    report = check_quantizable_composite(solution)
    assert not report.passed
    assert sentence in str(report), str(report)


def test_missing_and_instance_answers():
    assert "아직 채점할 `GatedDense`" in _report(check_quantizable_composite, None)
    assert "클래스 자체를" in _report(check_quantizable_composite, GatedDense(3))


# ---------------------------------------------------------------- 연습 13-2


def _input_spec(model, batch=None):
    return keras.InputSpec(shape=(batch, *model.input_shape[1:]), dtype="float32")


def export_probabilities(model, path):
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        "probabilities",
        lambda x: keras.ops.softmax(model(x, training=False), axis=-1),
        input_signature=[_input_spec(model)],
    )
    archive.write_out(path, verbose=False)


def export_probabilities_with_serve(model, path):
    """A different right answer: a softmax model wrapped around the original, two endpoints."""
    inputs = keras.Input(model.input_shape[1:])
    wrapped = keras.Model(inputs, keras.layers.Softmax()(model(inputs)))
    archive = keras.export.ExportArchive()
    archive.track(wrapped)
    signature = [keras.InputSpec(shape=(None, model.input_shape[-1]), dtype="float32")]
    archive.add_endpoint("serve", model.call, input_signature=signature)
    archive.add_endpoint("probabilities", wrapped.call, input_signature=signature)
    archive.write_out(path, verbose=False)


def export_default_only(model, path):
    model.export(path, verbose=False)


def export_logits(model, path):
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("probabilities", model.call, input_signature=[_input_spec(model)])
    archive.write_out(path, verbose=False)


def export_fixed_batch(model, path):
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        "probabilities",
        lambda x: keras.ops.softmax(model(x)),
        input_signature=[_input_spec(model, batch=1)],
    )
    archive.write_out(path, verbose=False)


def export_hard_coded_width(model, path):
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        "probabilities",
        lambda x: keras.ops.softmax(model(x)),
        input_signature=[keras.InputSpec(shape=(None, 16), dtype="float32")],
    )
    archive.write_out(path, verbose=False)


def export_softmax_over_batch(model, path):
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        "probabilities",
        lambda x: keras.ops.softmax(model(x), axis=0),
        input_signature=[_input_spec(model)],
    )
    archive.write_out(path, verbose=False)


needs_export_archive = pytest.mark.skipif(
    keras.backend.backend() == "torch", reason="ExportArchive needs torch_xla on PyTorch"
)


@needs_export_archive
@pytest.mark.parametrize("solution", [export_probabilities, export_probabilities_with_serve])
def test_right_endpoints_pass(solution):
    report = check_probability_endpoint(solution)
    assert report.passed, str(report)


@needs_export_archive
@pytest.mark.parametrize(
    ("solution", "sentence"),
    [
        (export_default_only, "probabilities 엔드포인트가 없습니다"),
        (export_logits, "keras.ops.softmax를 마지막 축으로"),
        (export_fixed_batch, "배치 차원을 None으로"),
        (export_hard_coded_width, "5→3 모델"),
        (export_softmax_over_batch, "keras.ops.softmax를 마지막 축으로"),
    ],
)
def test_wrong_endpoints_get_their_sentence(solution, sentence):
    report = check_probability_endpoint(solution)
    assert not report.passed
    assert sentence in str(report), str(report)


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="the PyTorch-only report")
def test_pytorch_backend_is_not_graded_and_says_why():
    report = check_probability_endpoint(export_probabilities)
    assert not report.passed
    assert "torch_xla" in str(report)


def test_missing_endpoint_answer():
    assert "아직 채점할 `export_probabilities`" in _report(check_probability_endpoint, None)
