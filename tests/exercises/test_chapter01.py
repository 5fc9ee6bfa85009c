"""Checkers of chapter 1: right solutions of different shapes pass, plausible wrong ones fail and
name the requirement they break, with the same verdict on every backend."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from exercise_reports import assert_verdict, report_of, verdict_id
from keras import ops

from companion.exercises import check_running_mean, check_scale_layer
from companion.exercises.reference import chapter01 as reference


class Scale(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = self.add_weight(name="scale", shape=(), initializer="ones")

    def call(self, inputs):
        return inputs * self.scale


class ScaleWithKerasVariable(keras.layers.Layer):
    """A keras.Variable attribute is tracked as well as add_weight()."""

    def __init__(self, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.scale = keras.Variable(1.0, name="scale")

    def call(self, inputs):
        return ops.multiply(self.scale, inputs)


class ScaleBuiltLazily(keras.layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(), initializer=keras.initializers.Constant(1.0))

    def call(self, inputs):
        return ops.einsum("...,->...", inputs, self.scale)


class ScaleWithTfVariable(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = tf.Variable(1.0)

    def call(self, inputs):
        return inputs * self.scale


class ScaleInPythonFloat(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = 1.0

    def call(self, inputs):
        return inputs * self.scale


class ScaleNotTrainable(Scale):
    def __init__(self, **kwargs):
        keras.layers.Layer.__init__(self, **kwargs)
        self.scale = self.add_weight(name="scale", shape=(), initializer="ones", trainable=False)


class ScaleStartsAtZero(Scale):
    def __init__(self, **kwargs):
        keras.layers.Layer.__init__(self, **kwargs)
        self.scale = self.add_weight(name="scale", shape=(), initializer="zeros")


class ScalePerFeature(keras.layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[1],), initializer="ones")

    def call(self, inputs):
        return inputs * self.scale


class ScaleAddsInstead(Scale):
    def call(self, inputs):
        return inputs + self.scale - 1.0


class ScaleIgnoresItsWeight(Scale):
    def call(self, inputs):
        return inputs


class ScaleRejectsName(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scale = self.add_weight(name="scale", shape=(), initializer="ones")

    def call(self, inputs):
        return inputs * self.scale


class ScaleKeptPositive(Scale):
    # Wrong: the factor goes through abs(), so a negative scale acts as a positive one.
    def call(self, inputs):
        return inputs * ops.abs(self.scale)


class ScaleTakesOnlyName(keras.layers.Layer):
    # Wrong: only name= reaches the base class; dtype=, trainable= (and from_config()) fail.
    def __init__(self, name=None):
        super().__init__(name=name)
        self.scale = self.add_weight(name="scale", shape=(), initializer="ones")

    def call(self, inputs):
        return inputs * self.scale


class ScaleThroughNumpy(Scale):
    def call(self, inputs):
        return inputs * float(ops.convert_to_numpy(self.scale))


class ScaleStopsGradient(Scale):
    def call(self, inputs):
        return inputs * ops.stop_gradient(self.scale)


class RunningMean(keras.layers.Layer):
    def __init__(self, input_dim, **kwargs):
        super().__init__(**kwargs)
        self.total = self.add_weight(
            name="total", shape=(input_dim,), initializer="zeros", trainable=False
        )
        self.count = self.add_weight(name="count", shape=(), initializer="zeros", trainable=False)

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        self.count.assign_add(ops.cast(ops.shape(inputs)[0], self.count.dtype))
        return self.total / self.count


class RunningMeanIncremental(keras.layers.Layer):
    """Keeps the mean itself and a row count, updated by the incremental-mean formula."""

    def __init__(self, input_dim, **kwargs):
        super().__init__(**kwargs)
        self.mean = keras.Variable(np.zeros(input_dim, "float32"), trainable=False)
        self.rows = keras.Variable(0.0, trainable=False)

    def call(self, inputs):
        n = ops.cast(ops.shape(inputs)[0], "float32")
        batch_sum = ops.sum(inputs, axis=0)
        self.rows.assign(self.rows + n)
        self.mean.assign(self.mean + (batch_sum - n * self.mean) / self.rows)
        return ops.copy(self.mean)  # a value, not the variable (see RunningMeanReturnsVariable)


class RunningMeanTrainable(RunningMean):
    def __init__(self, input_dim, **kwargs):
        keras.layers.Layer.__init__(self, **kwargs)
        self.total = self.add_weight(name="total", shape=(input_dim,), initializer="zeros")
        self.count = self.add_weight(name="count", shape=(), initializer="zeros")


class BatchMean(RunningMean):
    def call(self, inputs):
        return ops.mean(inputs, axis=0)


class MeanOfBatchMeans(RunningMean):
    def call(self, inputs):
        self.total.assign_add(ops.mean(inputs, axis=0))
        self.count.assign_add(1.0)
        return self.total / self.count


class RunningMeanInPythonNumbers(keras.layers.Layer):
    def __init__(self, input_dim, **kwargs):
        super().__init__(**kwargs)
        self.total = 0.0
        self.count = 0

    def call(self, inputs):
        self.total = self.total + ops.sum(inputs, axis=0)
        self.count += inputs.shape[0]
        return self.total / self.count


class RunningMeanCountInPython(RunningMean):
    """Total in a weight, row count in a Python int: right eagerly, frozen in a graph."""

    def __init__(self, input_dim, **kwargs):
        super().__init__(input_dim, **kwargs)
        self.rows = 0

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        self.rows += inputs.shape[0] or 1
        return self.total / float(self.rows)


class RunningMeanHardCodedSize(RunningMean):
    def __init__(self, input_dim, **kwargs):
        super().__init__(3, **kwargs)


_SHARED_TOTAL = keras.Variable(np.zeros(3, "float32"), trainable=False)
_SHARED_COUNT = keras.Variable(0.0, trainable=False)


class RunningMeanSharedState(RunningMean):
    def __init__(self, input_dim, **kwargs):
        keras.layers.Layer.__init__(self, **kwargs)
        self.total, self.count = _SHARED_TOTAL, _SHARED_COUNT


class RunningMeanRejectsName(RunningMean):
    def __init__(self, input_dim):
        super().__init__(input_dim)


class ScaleInBuildWithConstant(keras.layers.Layer):
    """Right: made in build() with a Constant initializer, applied with ops.multiply."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.scale = self.add_weight(
            name="factor", shape=(), initializer=keras.initializers.Constant(1.0)
        )

    def call(self, x):
        return ops.multiply(self.scale, x)


class ScaleSquaredWeight(Scale):
    """Wrong: right at scale=1 (the initial value), wrong once the weight moves."""

    def call(self, inputs):
        return inputs * self.scale * self.scale


class ScaleBatchOneSqueezed(Scale):
    """Wrong: squeeze without an axis drops the batch axis of a batch of one."""

    def call(self, inputs):
        return ops.squeeze(inputs * self.scale)


class RunningMeanBuiltLazily(keras.layers.Layer):
    """Right: the state is made in build(), the count as a (1,) vector, the mean by division."""

    def __init__(self, input_dim, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = input_dim

    def build(self, input_shape):
        self.sums = self.add_weight(shape=(self.input_dim,), initializer="zeros", trainable=False)
        self.rows = self.add_weight(shape=(1,), initializer="zeros", trainable=False)

    def call(self, inputs):
        self.sums.assign(self.sums + ops.sum(inputs, axis=0))
        self.rows.assign(self.rows + ops.cast(ops.shape(inputs)[0], "float32"))
        return ops.divide(self.sums, self.rows)


class RunningMeanReturnsVariable(RunningMean):
    """Wrong: returns the state variable itself (the result changes under the reader's feet)."""

    def __init__(self, input_dim, **kwargs):
        super().__init__(input_dim, **kwargs)
        self.mean = self.add_weight(shape=(input_dim,), initializer="zeros", trainable=False)

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        self.count.assign_add(ops.cast(ops.shape(inputs)[0], "float32"))
        self.mean.assign(self.total / self.count)
        return self.mean


class RunningMeanOfLastTwoBatches(RunningMean):
    """Wrong: only the rows of the last call and the one before count."""

    def call(self, inputs):
        previous = self.total / ops.maximum(self.count, 1.0)
        self.total.assign(ops.sum(inputs, axis=0))
        self.count.assign(ops.cast(ops.shape(inputs)[0], "float32"))
        return (previous + self.total / self.count) / 2.0


SCALE = "연습 1-1"
VERDICTS = [
    (check_scale_layer, reference.Scale, True),
    (check_scale_layer, Scale, True),
    (check_scale_layer, ScaleWithKerasVariable, True),
    (check_scale_layer, ScaleBuiltLazily, True),
    (check_scale_layer, ScaleInBuildWithConstant, True),
    (check_scale_layer, ScaleWithTfVariable, "요구 사항 2·3"),
    (check_scale_layer, ScaleInPythonFloat, "요구 사항 2·3"),
    (check_scale_layer, ScaleNotTrainable, "요구 사항 2·3"),
    (check_scale_layer, ScaleStartsAtZero, "요구 사항 3: scale의 초깃값은 1"),
    (check_scale_layer, ScalePerFeature, "요구 사항 2·3"),
    (check_scale_layer, ScaleAddsInstead, "요구 사항 4"),
    (check_scale_layer, ScaleIgnoresItsWeight, "요구 사항 4"),
    (check_scale_layer, ScaleSquaredWeight, "요구 사항 4"),
    (check_scale_layer, ScaleBatchOneSqueezed, "요구 사항 4: 배치 크기와 차원 수에 상관없이"),
    (check_scale_layer, ScaleRejectsName, "요구 사항 1: name="),
    (check_scale_layer, ScaleKeptPositive, "요구 사항 4"),
    (check_scale_layer, ScaleTakesOnlyName, "요구 사항 1: name="),
    (check_scale_layer, ScaleThroughNumpy, ("요구 사항 5: 컴파일된", "요구 사항 5: 경사")),
    (check_scale_layer, ScaleStopsGradient, "요구 사항 5: 경사"),
    (check_running_mean, reference.RunningMean, True),
    (check_running_mean, RunningMean, True),
    (check_running_mean, RunningMeanIncremental, True),
    (check_running_mean, RunningMeanBuiltLazily, True),
    (check_running_mean, RunningMeanTrainable, "요구 사항 3"),
    (check_running_mean, BatchMean, "요구 사항 2"),
    (check_running_mean, MeanOfBatchMeans, "요구 사항 2"),
    (check_running_mean, RunningMeanOfLastTwoBatches, "요구 사항 2"),
    (check_running_mean, RunningMeanInPythonNumbers, "요구 사항 3: 상태는 훈련 불가능 가중치"),
    (check_running_mean, RunningMeanCountInPython, ("요구 사항 3: 같은 컴파일된", "self.rows")),
    (check_running_mean, RunningMeanHardCodedSize, "텐서 모양이 맞지 않습니다"),
    (check_running_mean, RunningMeanSharedState, "요구 사항 4"),
    (check_running_mean, RunningMeanRejectsName, "요구 사항 1: name="),
    (check_running_mean, RunningMeanReturnsVariable, "요구 사항 3: 상태 가중치 자체가 아니라"),
]


@pytest.mark.parametrize(("check", "solution", "expected"), VERDICTS, ids=verdict_id)
def test_verdict(check, solution, expected):
    assert_verdict(check, solution, expected)


def test_reports_of_the_model_answers():
    assert repr(report_of(check_scale_layer, reference.Scale)).startswith(
        "✅ 연습 1-1 Scale 층: 통과했습니다 ("
    )
    assert repr(report_of(check_running_mean, reference.RunningMean)).startswith(
        "✅ 연습 1-2 RunningMean 층: 통과했습니다 ("
    )


def test_a_wrong_answer_gets_expected_and_received_values_and_the_requirement():
    (failure,) = report_of(check_scale_layer, ScaleAddsInstead).failures
    assert failure.startswith(
        "Scale(): 입력 (2, 3): 출력이 모범 답안과 다릅니다 (같은 가중치에서)."
    )
    assert "이어야 하는데" in failure
    assert failure.endswith("→ 요구 사항 4: call()은 inputs * scale을 돌려줍니다.")


def test_scale_reader_exception_becomes_a_sentence():
    class Broken(Scale):
        def call(self, inputs):
            return inputs * self.sclae

    (failure,) = check_scale_layer(Broken).failures
    assert "중에 예외가 났습니다: AttributeError:" in failure
    assert "sclae" in failure


def test_scale_checker_wants_the_class_not_an_instance():
    report = check_scale_layer(Scale())
    assert not report.passed and "클래스 자체를 넘겨야" in str(report), report


def test_tf_variable_attribute_is_named_in_the_report():
    # The sentence for the 2020 guide's habit (a tf.Variable attribute) names it.
    assert "tf.Variable" in repr(report_of(check_scale_layer, ScaleWithTfVariable))
    assert isinstance(ScaleWithTfVariable().scale, tf.Variable)
    assert np.isclose(float(ScaleWithTfVariable().scale.numpy()), 1.0)
