"""Checkers of chapter 3: right solutions of different shapes pass, plausible wrong ones fail and
name the requirement they break, with the same verdict on every backend (train steps written
with tf.GradientTape run on TensorFlow only; the neutral_* ones everywhere)."""

import ast
import inspect
import json
import pathlib
import re
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf
from exercise_reports import assert_verdict, report_of, verdict_id
from keras import ops

from companion.exercises import (
    chapter03,
    check_l1_activity_dense,
    check_mean_abs_monitor,
    check_train_step,
)
from companion.exercises.reference import chapter03 as reference

NOTEBOOK = pathlib.Path(__file__).resolve().parents[2] / "book" / "03_losses_and_metrics.ipynb"


class L1ActivityDense(keras.layers.Layer):
    def __init__(self, units, factor=0.01, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.factor = factor

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        outputs = ops.matmul(inputs, self.kernel) + self.bias
        self.add_loss(self.factor * ops.sum(ops.abs(outputs)))
        return outputs


class LossInBuild(L1ActivityDense):
    def build(self, input_shape):
        super().build(input_shape)
        self.add_loss(ops.convert_to_tensor(0.0))

    def call(self, inputs):
        return ops.matmul(inputs, self.kernel) + self.bias


class NoAddLoss(L1ActivityDense):
    def call(self, inputs):
        return ops.matmul(inputs, self.kernel) + self.bias


class SquaredPenalty(L1ActivityDense):
    def call(self, inputs):
        outputs = ops.matmul(inputs, self.kernel) + self.bias
        self.add_loss(self.factor * ops.sum(ops.square(outputs)))
        return outputs


class InputPenalty(L1ActivityDense):
    def call(self, inputs):
        self.add_loss(self.factor * ops.sum(ops.abs(inputs)))
        return ops.matmul(inputs, self.kernel) + self.bias


class TwoLosses(L1ActivityDense):
    def __init__(self, units, factor=0.01, **kwargs):
        super().__init__(units, factor, activity_regularizer="l1", **kwargs)


class PerUnitLoss(L1ActivityDense):
    def call(self, inputs):
        outputs = ops.matmul(inputs, self.kernel) + self.bias
        self.add_loss(self.factor * ops.sum(ops.abs(outputs), axis=0))
        return outputs


class NoBias(L1ActivityDense):
    """Makes a bias but never adds it: invisible while the bias is zero."""

    def call(self, inputs):
        outputs = ops.matmul(inputs, self.kernel)
        self.add_loss(self.factor * ops.sum(ops.abs(outputs)))
        return outputs


class PenaltyBeforeBias(L1ActivityDense):
    def call(self, inputs):
        projected = ops.matmul(inputs, self.kernel)
        self.add_loss(self.factor * ops.sum(ops.abs(projected)))
        return projected + self.bias


class SignFlipped(L1ActivityDense):
    def call(self, inputs):
        outputs = ops.matmul(inputs, self.kernel) + self.bias
        self.add_loss(-self.factor * ops.sum(ops.abs(outputs)))
        return outputs


class MeanPenalty(L1ActivityDense):
    def call(self, inputs):
        outputs = ops.matmul(inputs, self.kernel) + self.bias
        self.add_loss(self.factor * ops.mean(ops.abs(outputs)))
        return outputs


class WrongDefaultFactor(L1ActivityDense):
    def __init__(self, units, factor=0.1, **kwargs):
        super().__init__(units, factor, **kwargs)


class SecondAxisKernel(L1ActivityDense):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[1], self.units), name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")


class NumpyPenalty(L1ActivityDense):
    def call(self, inputs):
        outputs = ops.matmul(inputs, self.kernel) + self.bias
        penalty = np.abs(ops.convert_to_numpy(outputs)).sum()
        self.add_loss(self.factor * ops.convert_to_tensor(penalty))
        return outputs


class RejectsName(L1ActivityDense):
    def __init__(self, units, factor=0.01):
        super().__init__(units, factor)


class L1ActivityDenseWithDense(keras.layers.Layer):
    """A Dense sub-layer does the projection; the penalty uses ops.norm."""

    def __init__(self, units, factor=0.01, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor
        self.dense = keras.layers.Dense(units)

    def call(self, inputs):
        outputs = self.dense(inputs)
        self.add_loss(ops.multiply(self.factor, ops.sum(ops.absolute(outputs))))
        return outputs


class L1ActivityDenseEinsum(keras.layers.Layer):
    def __init__(self, units, factor=0.01, **kwargs):
        super().__init__(**kwargs)
        self.units, self.factor = units, factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units))
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, x):
        y = ops.einsum("...i,ij->...j", x, self.w) + self.b
        self.add_loss(ops.sum(ops.abs(y)) * self.factor)
        return y


# The model answer; the wrong answers below vary it.
MeanAbsMonitor = reference.MeanAbsMonitor


class MeanAbsMonitorMetricInBuild(keras.layers.Layer):
    # Wrong: the metric is made in build(), so layer.metrics is empty until the first call.
    def build(self, input_shape):
        self.mean_abs = keras.metrics.Mean(name="mean_abs")

    def call(self, inputs):
        self.mean_abs.update_state(ops.abs(inputs))
        return inputs


class WithAddMetric(keras.layers.Layer):
    def call(self, inputs):
        self.add_metric(ops.mean(ops.abs(inputs)), name="mean_abs")
        return inputs


class MetricCreatedInCall(keras.layers.Layer):
    def call(self, inputs):
        self.mean_abs = keras.metrics.Mean(name="mean_abs")
        self.mean_abs.update_state(ops.abs(inputs))
        return inputs


class NoAbs(MeanAbsMonitor):
    def call(self, inputs):
        self.mean_abs.update_state(inputs)
        return inputs


class NeverUpdated(MeanAbsMonitor):
    def call(self, inputs):
        return inputs


class OtherName(MeanAbsMonitor):
    def __init__(self, **kwargs):
        keras.layers.Layer.__init__(self, **kwargs)
        self.mean_abs = keras.metrics.Mean(name="monitor")


class MeanOfCallMeans(MeanAbsMonitor):
    def call(self, inputs):
        self.mean_abs.update_state(ops.mean(ops.abs(inputs)))
        return inputs


class SumMetric(MeanAbsMonitor):
    def __init__(self, **kwargs):
        keras.layers.Layer.__init__(self, **kwargs)
        self.mean_abs = keras.metrics.Sum(name="mean_abs")


class ReturnsAbs(MeanAbsMonitor):
    def call(self, inputs):
        magnitude = ops.abs(inputs)
        self.mean_abs.update_state(magnitude)
        return magnitude


class StateInPythonFloat(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = 0.0

    def call(self, inputs):
        self.total = self.total + ops.sum(ops.abs(inputs))
        return inputs


class MonitorRejectsName(MeanAbsMonitor):
    def __init__(self):
        super().__init__()


class MeanAbsMonitorOtherAttribute(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tracker = keras.metrics.Mean(name="mean_abs")

    def call(self, inputs):
        self.tracker.update_state(ops.absolute(inputs))
        return inputs + 0.0


class MeanAbsMonitorFlattened(keras.layers.Layer):
    def __init__(self, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.metric = keras.metrics.Mean("mean_abs")

    def call(self, x):
        self.metric.update_state(ops.reshape(ops.abs(x), (-1,)))
        return x


class NumpyMonitor(MeanAbsMonitor):
    """Works only eagerly: the metric is fed a NumPy array.

    `compute_output_shape()` spares the symbolic call, so the functional model builds and every
    eager call gives the right value; the old JAX emulation of fit() (eager calls) passed it.
    TensorFlow's and JAX's compiled fit() cannot convert the tensor; PyTorch's eager fit() could,
    so the checker traces the training call first, as for every compiled-function check.
    """

    def compute_output_shape(self, input_shape):
        return input_shape

    def call(self, inputs):
        self.mean_abs.update_state(np.abs(ops.convert_to_numpy(inputs)))
        return inputs


def _chapter_method(name):
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        code = re.sub(r"^(\s*)[%!].*$", r"\1pass", "".join(cell["source"]), flags=re.M)
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.ClassDef) and node.name == "LayerMetricsModel":
                return next(f for f in node.body if getattr(f, "name", None) == name)
    raise AssertionError("the chapter defines no LayerMetricsModel")


def _one_step_weights(optimizer, rng_seed=0):
    rng = np.random.default_rng(rng_seed)
    x = rng.normal(size=(16, 3)).astype("float32")
    y = rng.normal(size=(16, 1)).astype("float32")
    inputs = keras.Input((3,))
    outputs = keras.layers.Dense(1, kernel_initializer="zeros")(MeanAbsMonitor()(inputs))
    model = chapter03._LayerMetricsModel(inputs, outputs, name="scaled")
    model.compile(optimizer=optimizer, loss="mse")
    history = model.fit(x, y, batch_size=16, verbose=0).history
    return [keras.ops.convert_to_numpy(w) for w in model.weights], history


def train_step(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        prediction = model(x, training=True)
        loss = loss_fn(y, prediction) + sum(model.losses)
    gradients = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def without_model_losses(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    gradients = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def losses_read_too_early(model, optimizer, loss_fn, x, y):
    extra = sum(model.losses)  # still the losses of the previous call, outside the tape
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True)) + extra
    gradients = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def gradients_not_applied(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True)) + sum(model.losses)
    tape.gradient(loss, model.trainable_weights)
    return loss


def main_loss_returned(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        main = loss_fn(y, model(x, training=True))
        loss = main + sum(model.losses)
    gradients = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return main


def list_added_to_loss(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True)) + model.losses
    gradients = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def without_training_flag(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x)) + sum(model.losses)
    gradients = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def mean_of_model_losses(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True)) + ops.mean(ops.stack(model.losses))
    gradients = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def gradients_applied_twice(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True)) + sum(model.losses)
    gradients = tape.gradient(loss, model.trainable_weights)
    for _ in range(2):
        optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def gradient_of_main_loss(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        main = loss_fn(y, model(x, training=True))
        loss = main + sum(model.losses)
    gradients = tape.gradient(main, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def loss_through_numpy(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True)) + sum(model.losses)
    gradients = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss.numpy()


def train_step_with_apply(model, optimizer, loss_fn, x, y):
    """Keras 3 optimizer.apply() and ops.sum over the stacked losses."""
    with tf.GradientTape() as tape:
        predictions = model(x, training=True)
        total = ops.add(loss_fn(y, predictions), ops.sum(ops.stack(model.losses)))
    optimizer.apply(tape.gradient(total, model.trainable_variables), model.trainable_variables)
    return total


def train_step_with_add_n(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        losses = [loss_fn(y, model(x, training=True))]
        losses += model.losses
        total = tf.add_n(losses)
    weights = model.trainable_weights
    optimizer.apply_gradients(list(zip(tape.gradient(total, weights), weights, strict=True)))
    return total


def neutral_train_step(model, optimizer, loss_fn, x, y):
    def compute():
        return loss_fn(y, model(x, training=True)) + sum(model.losses)

    loss, gradients = reference.value_and_gradients(compute, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def neutral_without_model_losses(model, optimizer, loss_fn, x, y):
    def compute():
        return loss_fn(y, model(x, training=True))

    loss, gradients = reference.value_and_gradients(compute, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def neutral_without_training_flag(model, optimizer, loss_fn, x, y):
    def compute():
        return loss_fn(y, model(x)) + sum(model.losses)

    loss, gradients = reference.value_and_gradients(compute, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def neutral_gradients_applied_twice(model, optimizer, loss_fn, x, y):
    def compute():
        return loss_fn(y, model(x, training=True)) + sum(model.losses)

    loss, gradients = reference.value_and_gradients(compute, model.trainable_weights)
    for _ in range(2):
        optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


class L1ActivityDenseCallsItselfTwice(L1ActivityDense):
    """Wrong: the penalty is added once for a second, discarded forward pass."""

    def call(self, inputs):
        super().call(inputs)
        return super().call(inputs)


class L1ActivityDenseStoppedPenalty(L1ActivityDense):
    """Wrong: the penalty's value is right but it never trains the weights."""

    def call(self, inputs):
        outputs = ops.matmul(inputs, self.kernel) + self.bias
        self.add_loss(self.factor * ops.sum(ops.abs(ops.stop_gradient(outputs))))
        return outputs


class L1ActivityDenseRegularizer(keras.layers.Layer):
    """Right: the penalty through keras.regularizers.L1 applied to the output by hand."""

    def __init__(self, units, factor=0.01, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.factor = factor
        self.penalty = keras.regularizers.L1(factor)

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        outputs = ops.add(ops.matmul(inputs, self.w), self.b)
        self.add_loss(self.penalty(outputs))
        return outputs


@tf.function
def train_step_compiled(model, optimizer, loss_fn, x, y):
    """Right (TensorFlow): the whole step is a tf.function (issue 21: it used to raise)."""
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True)) + sum(model.losses)
    optimizer.apply(tape.gradient(loss, model.trainable_weights), model.trainable_weights)
    return loss


def neutral_hand_written_update(model, optimizer, loss_fn, x, y):
    """Wrong: the optimizer is bypassed by a hand-written SGD update of its own rate."""

    def compute():
        return loss_fn(y, model(x, training=True)) + sum(model.losses)

    loss, gradients = reference.value_and_gradients(compute, model.trainable_weights)
    for weight, gradient in zip(model.trainable_weights, gradients, strict=True):
        weight.assign(weight - 0.05 * gradient)
    return loss


def neutral_sgd_at_the_optimizers_rate(model, optimizer, loss_fn, x, y):
    """Wrong: plain SGD at optimizer.learning_rate instead of optimizer.apply() (Adam here)."""

    def compute():
        return loss_fn(y, model(x, training=True)) + sum(model.losses)

    loss, gradients = reference.value_and_gradients(compute, model.trainable_weights)
    rate = keras.ops.convert_to_numpy(optimizer.learning_rate)
    for weight, gradient in zip(model.trainable_weights, gradients, strict=True):
        weight.assign(weight - rate * gradient)
    return loss


def neutral_returns_a_python_float(model, optimizer, loss_fn, x, y):
    """Wrong on every backend: the loss comes back as a Python float, not a scalar tensor."""

    def compute():
        return loss_fn(y, model(x, training=True)) + sum(model.losses)

    loss, gradients = reference.value_and_gradients(compute, model.trainable_weights)
    optimizer.apply(gradients, model.trainable_weights)
    return float(keras.ops.convert_to_numpy(loss))


def neutral_train_step_chapter_helper(model, optimizer, loss_fn, x, y):
    """Right on every backend: the chapter's own value_and_gradients()."""

    def compute():
        predictions = model(x, training=True)
        return ops.add(loss_fn(y, predictions), ops.sum(ops.stack(model.losses)))

    loss, gradients = reference.value_and_gradients(compute, model.trainable_weights)
    optimizer.apply(gradients, model.trainable_weights)
    return loss


def _tf(value, expected):
    return pytest.param(check_train_step, value, expected, marks=pytest.mark.tensorflow_only)


VERDICTS = [
    (check_l1_activity_dense, reference.L1ActivityDense, True),
    (check_l1_activity_dense, L1ActivityDense, True),
    (check_l1_activity_dense, L1ActivityDenseWithDense, True),
    (check_l1_activity_dense, L1ActivityDenseEinsum, True),
    (check_l1_activity_dense, L1ActivityDenseRegularizer, True),
    (check_l1_activity_dense, NoAddLoss, "요구 사항 4·5"),
    (check_l1_activity_dense, LossInBuild, "요구 사항 4·5"),
    (check_l1_activity_dense, SquaredPenalty, "요구 사항 4·5"),
    (check_l1_activity_dense, InputPenalty, "요구 사항 4·5"),
    (check_l1_activity_dense, TwoLosses, "요구 사항 4·5"),
    (check_l1_activity_dense, PerUnitLoss, "요구 사항 4·5"),
    (check_l1_activity_dense, NoBias, "요구 사항 3"),
    (check_l1_activity_dense, PenaltyBeforeBias, "요구 사항 4·5"),
    (check_l1_activity_dense, SignFlipped, "요구 사항 4·5"),
    (check_l1_activity_dense, MeanPenalty, "요구 사항 4·5"),
    (check_l1_activity_dense, WrongDefaultFactor, "요구 사항 1: factor의 기본값은 0.01"),
    (check_l1_activity_dense, SecondAxisKernel, "텐서 모양이 맞지 않습니다"),
    (check_l1_activity_dense, NumpyPenalty, "요구 사항 6"),
    (check_l1_activity_dense, RejectsName, "요구 사항 1: name="),
    (check_l1_activity_dense, L1ActivityDenseCallsItselfTwice, "요구 사항 4·5"),
    (check_l1_activity_dense, L1ActivityDenseStoppedPenalty, "요구 사항 6: 경사"),
    (check_mean_abs_monitor, reference.MeanAbsMonitor, True),
    (check_mean_abs_monitor, MeanAbsMonitorOtherAttribute, True),
    (check_mean_abs_monitor, MeanAbsMonitorFlattened, True),
    (check_mean_abs_monitor, WithAddMetric, "Keras 3에는 add_metric()이 없습니다"),
    (check_mean_abs_monitor, MetricCreatedInCall, "You cannot add new elements of state"),
    (check_mean_abs_monitor, NoAbs, "요구 사항 3·4"),
    (check_mean_abs_monitor, NeverUpdated, "요구 사항 3·4"),
    (check_mean_abs_monitor, OtherName, "요구 사항 3·4"),
    (check_mean_abs_monitor, MeanOfCallMeans, "요구 사항 3·4"),
    (
        check_mean_abs_monitor,
        MeanAbsMonitorMetricInBuild,
        ("요구 사항", "첫 호출 전 layer.metrics"),
    ),
    (check_mean_abs_monitor, SumMetric, "요구 사항 3·4"),
    (check_mean_abs_monitor, ReturnsAbs, "요구 사항 2"),
    (check_mean_abs_monitor, StateInPythonFloat, "요구 사항 3·4"),
    (check_mean_abs_monitor, MonitorRejectsName, "요구 사항 1: name="),
    (check_mean_abs_monitor, NumpyMonitor, ("CompiledConversionError", "요구 사항 5")),
    (check_train_step, reference.train_step, True),
    (check_train_step, neutral_train_step, True),
    (check_train_step, neutral_train_step_chapter_helper, True),
    (check_train_step, neutral_without_model_losses, "주 손실만 돌려줬습니다"),
    (check_train_step, neutral_without_training_flag, "training=True 없이 불렀습니다"),
    (check_train_step, neutral_gradients_applied_twice, "경사를 두 번 적용했습니다"),
    (check_train_step, neutral_hand_written_update, "가중치가 기대와 최대"),
    (check_train_step, neutral_sgd_at_the_optimizers_rate, "가중치가 기대와 최대"),
    (check_train_step, neutral_returns_a_python_float, "스칼라 텐서로 돌려줘야"),
    _tf(train_step, True),
    _tf(train_step_with_apply, True),
    _tf(train_step_with_add_n, True),
    _tf(train_step_compiled, True),
    _tf(without_model_losses, ("주 손실만 돌려줬습니다", "경사가 주 손실에만 대해")),
    _tf(losses_read_too_early, ("모델을 호출하기 전에 읽어", "경사가 주 손실에만 대해")),
    _tf(gradients_not_applied, ("가중치가 그대로", "optimizer.apply()")),
    _tf(main_loss_returned, "주 손실만 돌려줬습니다"),
    _tf(list_added_to_loss, ("스칼라 하나로 돌려줘야 하는데 (3,)을(를)", "sum()으로")),
    _tf(without_training_flag, "training=True 없이 불렀습니다"),
    _tf(mean_of_model_losses, "model.losses의 평균을 냈습니다"),
    _tf(gradients_applied_twice, "경사를 두 번 적용했습니다"),
    _tf(gradient_of_main_loss, "경사가 주 손실에만 대해 구해졌습니다"),
    _tf(loss_through_numpy, "스칼라 텐서로 돌려줘야"),
]


@pytest.mark.parametrize(("check", "solution", "expected"), VERDICTS, ids=verdict_id)
def test_verdict(check, solution, expected):
    assert_verdict(check, solution, expected)


def test_reports_of_the_model_answers():
    for check, solution in (
        (check_l1_activity_dense, reference.L1ActivityDense),
        (check_mean_abs_monitor, reference.MeanAbsMonitor),
        (check_train_step, reference.train_step),
    ):
        assert repr(report_of(check, solution)).startswith(f"✅ {check.title}: 통과했습니다 (")


def test_the_default_factor_is_reported_as_the_default():
    (failure,) = report_of(check_l1_activity_dense, WrongDefaultFactor).failures
    assert failure.startswith("L1ActivityDense(2): 입력 (2, 3): 손실이 [0.0723]이어야 하는데")


@pytest.mark.tensorflow_only
def test_train_step_hints_are_specific():
    # 예전에는 손실이 틀리면 늘 "테이프 안에서 읽어야 합니다"라고 했습니다.
    for solution in (without_training_flag, mean_of_model_losses, gradients_applied_twice):
        text = str(report_of(check_train_step, solution))
        assert "테이프 안에서 읽" not in text, text


def test_mean_abs_monitor_is_graded_by_a_real_fit_of_the_model_the_task_names(monkeypatch):
    """One real fit() per answer: on JAX of the chapter's LayerMetricsModel (its hook runs)."""
    check_mean_abs_monitor(reference.MeanAbsMonitor)  # the reference's history is kept
    fitted, hooked = [], []
    real_fit = keras.Model.fit
    real_hook = chapter03._LayerMetricsModel.compute_loss_and_updates

    def spy_fit(self, *args, **kwargs):
        fitted.append(type(self))
        return real_fit(self, *args, **kwargs)

    def spy_hook(self, *args, **kwargs):
        hooked.append(kwargs.get("training"))
        return real_hook(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", spy_fit)
    monkeypatch.setattr(chapter03._LayerMetricsModel, "compute_loss_and_updates", spy_hook)

    report = check_mean_abs_monitor(MeanAbsMonitor)

    assert report.passed, report
    assert len(fitted) == 1
    on_jax = keras.backend.backend() == "jax"
    assert issubclass(fitted[0], chapter03._LayerMetricsModel) is on_jax
    assert hooked == ([True] if on_jax else []), hooked  # traced once by jax.jit


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="keras-team/keras#21639 is JAX's")
def test_on_jax_the_right_monitor_in_a_plain_model_fails_in_fit():
    """Why the task tells JAX readers to use LayerMetricsModel, and the checker does too."""
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(MeanAbsMonitor()(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TypeError, match="'NoneType' object is not callable"):
        model.fit(np.ones((4, 3)), np.zeros((4, 1)), verbose=0)


def _chapter_method(name):
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        code = re.sub(r"^(\s*)[%!].*$", r"\1pass", "".join(cell["source"]), flags=re.M)
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.ClassDef) and node.name == "LayerMetricsModel":
                return next(f for f in node.body if getattr(f, "name", None) == name)
    raise AssertionError("the chapter defines no LayerMetricsModel")


def test_the_checkers_layer_metrics_model_is_the_chapters():
    name = "compute_loss_and_updates"
    ours = getattr(chapter03._LayerMetricsModel, name)
    checker_method = ast.parse(textwrap.dedent(inspect.getsource(ours))).body[0]
    assert ast.dump(_chapter_method(name)) == ast.dump(checker_method)


def _one_step_weights(optimizer, rng_seed=0):
    rng = np.random.default_rng(rng_seed)
    x = rng.normal(size=(16, 3)).astype("float32")
    y = rng.normal(size=(16, 1)).astype("float32")
    inputs = keras.Input((3,))
    outputs = keras.layers.Dense(1, kernel_initializer="zeros")(MeanAbsMonitor()(inputs))
    model = chapter03._LayerMetricsModel(inputs, outputs, name="scaled")
    model.compile(optimizer=optimizer, loss="mse")
    history = model.fit(x, y, batch_size=16, verbose=0).history
    return [keras.ops.convert_to_numpy(w) for w in model.weights], history


@pytest.mark.parametrize("scaling_dropped", [False, True])
def test_layer_metrics_model_keeps_loss_scaling(scaling_dropped):
    """Under a LossScaleOptimizer one SGD step moves the weights as far as plain SGD.

    The optimizer divides the gradients by its scale (32,768): a compute_loss_and_updates() that
    forgot `optimizer.scale_loss()` (on JAX, the only backend whose fit() calls the hook) moves
    them 32,768 times less. `scaling_dropped` stands for that mistake, to show the check sees it.
    """
    expected, expected_history = _one_step_weights(keras.optimizers.SGD(0.1))
    optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1))
    if scaling_dropped:
        optimizer.scale_loss = lambda loss: loss
    weights, history = _one_step_weights(optimizer)

    same = all(np.allclose(w, r) for w, r in zip(weights, expected, strict=True))
    assert same is not scaling_dropped
    np.testing.assert_allclose(history["loss"], expected_history["loss"], rtol=1e-6)
    np.testing.assert_allclose(history["mean_abs"], expected_history["mean_abs"], rtol=1e-6)


def test_checkers_reject_instances():
    report = check_l1_activity_dense(L1ActivityDense(2))
    assert not report.passed and "클래스 자체" in str(report), report
    report = check_train_step(L1ActivityDense)
    assert not report.passed and "train_step에는 함수" in str(report), report
