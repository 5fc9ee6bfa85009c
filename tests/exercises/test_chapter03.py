"""Chapter 3 checkers: references pass, realistic mistakes fail with the right words."""

import keras
import pytest
import tensorflow as tf
from keras import ops

from companion.exercises import check_l1_activity_dense, check_mean_abs_monitor, check_train_step

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


def test_l1_activity_dense_reference_passes():
    report = check_l1_activity_dense(L1ActivityDense)

    assert report.passed, report
    assert report.checks == 8


@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (NoAddLoss, ["손실이 1개 있어야 하는데 0개", "self.add_loss()"]),
        (LossInBuild, ["첫 호출 뒤 layer.losses에는 손실이 1개 있어야 하는데 0개"]),
        (SquaredPenalty, ["절댓값 대신 제곱"]),
        (InputPenalty, ["입력에 벌점"]),
        (TwoLosses, ["손실이 1개 있어야 하는데 2개"]),
        (PerUnitLoss, ["스칼라여야 하는데 모양이 (4,)"]),
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
    assert report.failures[0].endswith("got an unexpected keyword argument 'factor'")


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


def test_mean_abs_monitor_reference_passes():
    report = check_mean_abs_monitor(MeanAbsMonitor)

    assert report.passed, report
    assert report.checks == 6


@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (WithAddMetric, ["NotImplementedError: Layer `add_metric()` method is deprecated."]),
        (MetricCreatedInCall, ["ValueError: You cannot add new elements of state"]),
        (NoAbs, ["절댓값을 취하지 않은"]),
        (NeverUpdated, ["update_state()를 불렀나요?"]),
        (OtherName, ["'mean_abs'인 지표 1개가 있어야 하는데 ['monitor']"]),
    ],
)
def test_mean_abs_monitor_mistakes_are_named(solution, expected_phrases):
    report = check_mean_abs_monitor(solution)

    assert not report.passed
    text = str(report)
    for phrase in expected_phrases:
        assert phrase in text, text


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


def test_train_step_reference_passes():
    report = check_train_step(train_step)

    assert report.passed, report
    assert report.checks == 4


@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (without_model_losses, ["model.losses의 합을 더했나요?", "가중치가 기대와 최대"]),
        (losses_read_too_early, ["테이프 안에서 읽어야", "가중치가 기대와 최대"]),
        (gradients_not_applied, ["가중치가 그대로", "apply_gradients"]),
        (main_loss_returned, ["model.losses의 합을 더했나요?"]),
        (list_added_to_loss, ["스칼라 하나로 돌려줘야 하는데 (2,)을(를)", "sum()으로"]),
    ],
)
def test_train_step_mistakes_are_named(solution, expected_phrases):
    report = check_train_step(solution)

    assert not report.passed
    text = str(report)
    for phrase in expected_phrases:
        assert phrase in text, text


def test_checkers_reject_instances():
    with pytest.raises(TypeError, match="클래스 자체"):
        check_l1_activity_dense(L1ActivityDense(2))
    with pytest.raises(TypeError, match="train_step에는 함수"):
        check_train_step(L1ActivityDense)
