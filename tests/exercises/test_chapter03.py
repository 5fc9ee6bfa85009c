"""Chapter 3 checkers: references pass, realistic mistakes fail with the right words."""

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
from keras import ops

from companion.exercises import (
    chapter03,
    check_l1_activity_dense,
    check_mean_abs_monitor,
    check_train_step,
)

NOTEBOOK = pathlib.Path(__file__).resolve().parents[2] / "book" / "03_losses_and_metrics.ipynb"

# --- Exercise 3-1: L1ActivityDense ---------------------------------------------------------


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
    def __init__(self, units, factor=0.01, name=None):
        super().__init__(name=name)
        self.units, self.factor = units, factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units))
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, x):
        y = ops.einsum("...i,ij->...j", x, self.w) + self.b
        self.add_loss(ops.sum(ops.abs(y)) * self.factor)
        return y


@pytest.mark.parametrize(
    "solution", [L1ActivityDense, L1ActivityDenseWithDense, L1ActivityDenseEinsum]
)
def test_l1_activity_dense_right_solutions_pass(solution):
    report = check_l1_activity_dense(solution)
    assert report.passed, report


def test_l1_activity_dense_reference_report():
    assert repr(check_l1_activity_dense(L1ActivityDense)) == (
        "✅ 연습 3-1 L1ActivityDense 층: 통과했습니다 (15개 항목 확인)."
    )


@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (NoAddLoss, ["손실이 1개 있어야 하는데 0개", "self.add_loss()"]),
        (LossInBuild, ["첫 호출 뒤 layer.losses에는 손실이 1개 있어야 하는데 0개"]),
        (SquaredPenalty, ["절댓값 대신 제곱"]),
        (InputPenalty, ["입력에 벌점"]),
        (TwoLosses, ["손실이 1개 있어야 하는데 2개"]),
        (PerUnitLoss, ["스칼라여야 하는데 모양이 (4,)"]),
        (NoBias, ["출력 (inputs @ kernel + bias)", "(bias를 더하지 않은 것 같습니다)"]),
        (PenaltyBeforeBias, ["(bias를 더하기 전의 값에 벌점을 매겼습니다)"]),
        (SignFlipped, ["(부호가 반대입니다"]),
        (MeanPenalty, ["(합 대신 평균을 낸 것 같습니다)"]),
        (WrongDefaultFactor, ["factor 기본값(0.01)으로 호출 뒤 손실 값", "factor 기본값이 0.1인"]),
        (SecondAxisKernel, ["모양이 (3, 2, 5)인 입력으로 호출 중에 예외가", "input_shape[1]"]),
        # TensorFlow fails while building the model symbolically, JAX inside the jitted step.
        (NumpyPenalty, ["fit()으로 한 단계 훈련 중에 예외가 났습니다", "NumPy"]),
        (RejectsName, ["L1ActivityDense(..., name='checker_named_layer') 만들기 중에 예외"]),
    ],
)
def test_l1_activity_dense_mistakes_are_named(solution, expected_phrases):
    report = check_l1_activity_dense(solution)

    assert not report.passed
    text = str(report)
    for phrase in expected_phrases:
        assert phrase in text, text


def test_l1_activity_dense_constructor_error_becomes_a_sentence():
    class NoFactor(L1ActivityDense):
        def __init__(self, units):
            super().__init__(units)

    report = check_l1_activity_dense(NoFactor)

    assert len(report.failures) == 1
    assert report.failures[0].startswith(
        "L1ActivityDense(4, factor=0.1) 만들기 중에 예외가 났습니다: TypeError: "
    )
    assert "got an unexpected keyword argument 'factor'" in report.failures[0]
    assert "→ 생성자나 함수가 모르는 키워드 인자를 받았습니다" in report.failures[0]


# --- Exercise 3-2: MeanAbsMonitor ----------------------------------------------------------


class MeanAbsMonitor(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
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


@pytest.mark.parametrize(
    "solution", [MeanAbsMonitor, MeanAbsMonitorOtherAttribute, MeanAbsMonitorFlattened]
)
def test_mean_abs_monitor_right_solutions_pass(solution):
    report = check_mean_abs_monitor(solution)
    assert report.passed, report


def test_mean_abs_monitor_reference_report():
    assert repr(check_mean_abs_monitor(MeanAbsMonitor)) == (
        "✅ 연습 3-2 MeanAbsMonitor 층: 통과했습니다 (10개 항목 확인)."
    )


@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (
            WithAddMetric,
            [
                "NotImplementedError: Layer `add_metric()` method is deprecated.",
                "→ Keras 3에는 add_metric()이 없습니다",
            ],
        ),
        (
            MetricCreatedInCall,
            ["ValueError: You cannot add new elements of state", "→ 가중치나 하위 층을 call()"],
        ),
        (NoAbs, ["절댓값을 취하지 않은"]),
        (NeverUpdated, ["update_state()를 불렀나요?"]),
        (OtherName, ["'mean_abs'인 지표 1개가 있어야 하는데 ['monitor']"]),
        (MeanOfCallMeans, ["두 번째 호출 뒤 지표 값", "평균들의 평균을 냈습니다"]),
        (SumMetric, ["(평균이 아니라 합입니다: keras.metrics.Mean을 쓰세요)"]),
        (ReturnsAbs, ["출력 (입력을 그대로 돌려줘야 합니다)", "출력은 입력 그대로입니다"]),
        (StateInPythonFloat, ["'mean_abs'인 지표 1개가 있어야 하는데 []", "keras.metrics.Mean"]),
        (MonitorRejectsName, ["MeanAbsMonitor(..., name='checker_named_layer') 만들기 중에"]),
    ],
)
def test_mean_abs_monitor_mistakes_are_named(solution, expected_phrases):
    report = check_mean_abs_monitor(solution)

    assert not report.passed
    text = str(report)
    for phrase in expected_phrases:
        assert phrase in text, text


# --- Exercise 3-2 under the fit() the reader will run ----------------------------------------


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


ONLY_EAGER_REPORT = (
    "❌ 연습 3-2 MeanAbsMonitor 층: 고칠 점이 1개 있습니다.\n"
    "  - 모델에 넣어 fit()으로 두 에포크 훈련 중에 예외가 났습니다: CompiledConversionError: "
    "컴파일된 함수 안에서 텐서를 NumPy 배열이나 파이썬 값으로 바꾸려 했습니다 (.numpy(), "
    "np.asarray(), float(), 텐서 값으로 쓴 파이썬 if).\n"
    "    → 컴파일된 함수(tf.function, jax.jit, fit()) 안에서는 텐서를 NumPy나 파이썬 값으로 "
    "바꿀 수 없습니다. call()에서는 keras.ops로만 계산하세요."
)


def test_a_monitor_that_works_only_eagerly_fails_in_fit_the_same_way_on_every_backend():
    assert repr(check_mean_abs_monitor(NumpyMonitor)) == ONLY_EAGER_REPORT


def test_mean_abs_monitor_is_graded_by_a_real_fit_of_the_model_the_task_names(monkeypatch):
    """One real fit(): on JAX of the chapter's LayerMetricsModel (its hook runs, training=True)."""
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
    assert not hasattr(chapter03, "_eager_fit_history")


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
    reference, reference_history = _one_step_weights(keras.optimizers.SGD(0.1))
    optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1))
    if scaling_dropped:
        optimizer.scale_loss = lambda loss: loss
    weights, history = _one_step_weights(optimizer)

    same = all(np.allclose(w, r) for w, r in zip(weights, reference, strict=True))
    assert same is not scaling_dropped
    # The history keeps the unscaled loss, and the layer's metric is there.
    np.testing.assert_allclose(history["loss"], reference_history["loss"], rtol=1e-6)
    np.testing.assert_allclose(history["mean_abs"], reference_history["mean_abs"], rtol=1e-6)


# --- Exercise 3-3: train_step ---------------------------------------------------------------


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


@pytest.mark.tensorflow_only
@pytest.mark.parametrize("solution", [train_step, train_step_with_apply, train_step_with_add_n])
def test_train_step_right_solutions_pass(solution):
    report = check_train_step(solution)
    assert report.passed, report


@pytest.mark.tensorflow_only
def test_train_step_reference_report():
    assert repr(check_train_step(train_step)) == (
        "✅ 연습 3-3 train_step 함수: 통과했습니다 (9개 항목 확인)."
    )


@pytest.mark.tensorflow_only
@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (without_model_losses, ["(주 손실만 돌려줬습니다", "경사가 주 손실에만 대해"]),
        (losses_read_too_early, ["모델을 호출하기 전에 읽어", "경사가 주 손실에만 대해"]),
        (gradients_not_applied, ["가중치가 그대로", "optimizer.apply()"]),
        (main_loss_returned, ["(주 손실만 돌려줬습니다"]),
        (list_added_to_loss, ["스칼라 하나로 돌려줘야 하는데 (3,)을(를)", "sum()으로"]),
        (without_training_flag, ["training=True 없이 불렀습니다"]),
        (mean_of_model_losses, ["(model.losses의 평균을 냈습니다"]),
        (gradients_applied_twice, ["(경사를 두 번 적용했습니다"]),
        (gradient_of_main_loss, ["경사가 주 손실에만 대해 구해졌습니다"]),
        (
            loss_through_numpy,
            ["3번째 train_step 호출 중에 예외", "CompiledConversionError", "→ 컴파일된"],
        ),
    ],
)
def test_train_step_mistakes_are_named(solution, expected_phrases):
    report = check_train_step(solution)

    assert not report.passed
    text = str(report)
    for phrase in expected_phrases:
        assert phrase in text, text


@pytest.mark.tensorflow_only
@pytest.mark.parametrize(
    "solution", [without_training_flag, mean_of_model_losses, gradients_applied_twice]
)
def test_train_step_hints_are_specific(solution):
    # 예전에는 손실이 틀리면 늘 "테이프 안에서 읽어야 합니다"라고 했습니다.
    text = str(check_train_step(solution))
    assert "테이프 안에서 읽" not in text, text


# The same train steps written for every backend: the gradient comes from tf.GradientTape, from
# jax.value_and_grad over the weights' values (keras.StatelessScope), or from torch.autograd.


def _value_and_gradients(compute, weights):
    backend = keras.backend.backend()
    if backend == "tensorflow":
        with tf.GradientTape() as tape:
            loss = compute()
        return loss, tape.gradient(loss, weights)
    if backend == "jax":
        import jax

        def loss_of(values):
            mapping = list(zip(weights, values, strict=True))
            with keras.StatelessScope(state_mapping=mapping, collect_losses=True):
                return compute()

        return jax.value_and_grad(loss_of)([w.value for w in weights])
    import torch

    loss = compute()
    return loss, torch.autograd.grad(loss, [w.value for w in weights])


def neutral_train_step(model, optimizer, loss_fn, x, y):
    def compute():
        return loss_fn(y, model(x, training=True)) + sum(model.losses)

    loss, gradients = _value_and_gradients(compute, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def neutral_without_model_losses(model, optimizer, loss_fn, x, y):
    def compute():
        return loss_fn(y, model(x, training=True))

    loss, gradients = _value_and_gradients(compute, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def neutral_without_training_flag(model, optimizer, loss_fn, x, y):
    def compute():
        return loss_fn(y, model(x)) + sum(model.losses)

    loss, gradients = _value_and_gradients(compute, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def neutral_gradients_applied_twice(model, optimizer, loss_fn, x, y):
    def compute():
        return loss_fn(y, model(x, training=True)) + sum(model.losses)

    loss, gradients = _value_and_gradients(compute, model.trainable_weights)
    for _ in range(2):
        optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return loss


def test_train_step_passes_on_every_backend():
    assert repr(check_train_step(neutral_train_step)) == (
        "✅ 연습 3-3 train_step 함수: 통과했습니다 (9개 항목 확인)."
    )


@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (neutral_without_model_losses, ["(주 손실만 돌려줬습니다", "경사가 주 손실에만 대해"]),
        (neutral_without_training_flag, ["training=True 없이 불렀습니다"]),
        (neutral_gradients_applied_twice, ["(경사를 두 번 적용했습니다"]),
    ],
)
def test_train_step_mistakes_are_named_on_every_backend(solution, expected_phrases):
    text = str(check_train_step(solution))
    for phrase in expected_phrases:
        assert phrase in text, text


def test_checkers_reject_instances():
    report = check_l1_activity_dense(L1ActivityDense(2))
    assert not report.passed and "클래스 자체" in str(report), report
    report = check_train_step(L1ActivityDense)
    assert not report.passed and "train_step에는 함수" in str(report), report
