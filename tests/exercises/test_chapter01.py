"""Checkers of chapter 1: right solutions of different shapes pass, plausible wrong ones get a
specific sentence."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from companion.exercises import check_running_mean, check_scale_layer

# --- 연습 1-1: Scale: right solutions ---------------------------------------------------------


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


@pytest.mark.parametrize("solution", [Scale, ScaleWithKerasVariable, ScaleBuiltLazily])
def test_scale_right_solutions_pass(solution):
    report = check_scale_layer(solution)
    assert report.passed, report


def test_scale_reference_report():
    assert repr(check_scale_layer(Scale)) == "✅ 연습 1-1 Scale 층: 통과했습니다 (10개 항목 확인)."


# --- 연습 1-1: Scale: wrong solutions ---------------------------------------------------------


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


class ScaleThroughNumpy(Scale):
    def call(self, inputs):
        return inputs * float(ops.convert_to_numpy(self.scale))


class ScaleStopsGradient(Scale):
    def call(self, inputs):
        return inputs * ops.stop_gradient(self.scale)


def test_scale_with_tf_variable_is_not_tracked():
    report = check_scale_layer(ScaleWithTfVariable)
    assert report.failures == [
        "layer.weights에는 가중치가 1개 있어야 하는데 0개입니다 (파이썬 수나 tf.Variable 속성은 "
        "Keras 3가 추적하지 않으니 self.add_weight()로 만드세요)."
    ]


def test_scale_in_a_python_float_is_not_a_weight():
    (failure,) = check_scale_layer(ScaleInPythonFloat).failures
    assert failure.startswith("layer.weights에는 가중치가 1개 있어야 하는데 0개입니다")


def test_scale_not_trainable():
    report = check_scale_layer(ScaleNotTrainable)
    assert report.failures == [
        "훈련 가능 가중치는 1개여야 하는데 0개입니다 (trainable=True로 만드세요)."
    ]


def test_scale_starting_at_zero():
    (failure,) = check_scale_layer(ScaleStartsAtZero).failures
    assert failure.startswith("처음 만든 층의 출력 (scale 초깃값이 1이므로 입력과 같아야 합니다)")
    assert failure.endswith("(scale 초깃값이 0인 것 같습니다. initializer='ones'를 쓰세요).")


def test_scale_per_feature_weight():
    report = check_scale_layer(ScalePerFeature)
    assert report.failures == ["scale의 모양은 스칼라 ()여야 하는데 (3,)입니다."]


def test_scale_that_adds_instead_of_multiplying():
    # 초깃값 1에서는 inputs + scale - 1 == inputs: 0이 아닌 scale에서만 드러납니다.
    report = check_scale_layer(ScaleAddsInstead)
    assert len(report.failures) == 2
    assert all(f.endswith("(scale을 곱하지 않고 더한 것 같습니다).") for f in report.failures)
    assert report.failures[0].startswith("scale=")


def test_scale_that_ignores_its_weight():
    report = check_scale_layer(ScaleIgnoresItsWeight)
    assert report.failures and all(
        f.endswith("(scale을 곱하지 않은 것 같습니다).") for f in report.failures
    )


def test_scale_rejecting_name():
    (failure,) = check_scale_layer(ScaleRejectsName).failures
    assert failure.startswith(
        "Scale(..., name='checker_named_layer') 만들기 중에 예외가 났습니다: TypeError: "
    )
    assert "unexpected keyword argument 'name'" in failure
    assert "→ 생성자가 기반 클래스의 키워드 인자(name=, dtype= 등)를 받지 못합니다" in failure


def test_scale_read_through_numpy_cannot_compile_or_train():
    failures = check_scale_layer(ScaleThroughNumpy).failures
    assert len(failures) == 2
    assert failures[0].startswith(
        "Scale: 컴파일된 함수 안에서 호출 중에 예외가 났습니다: CompiledConversionError"
    )
    assert "→ 컴파일된 함수(tf.function, jax.jit, fit()) 안에서는" in failures[0]
    assert failures[1].startswith("Scale: 훈련 가능 가중치 scale")
    assert "경사가 닿지 않습니다" in failures[1]


def test_scale_with_stopped_gradient():
    (failure,) = check_scale_layer(ScaleStopsGradient).failures
    assert "경사가 닿지 않습니다" in failure


def test_scale_reader_exception_becomes_a_sentence():
    class Broken(Scale):
        def call(self, inputs):
            return inputs * self.sclae

    (failure,) = check_scale_layer(Broken).failures
    assert failure.startswith("층 호출 중에 예외가 났습니다: AttributeError:")
    assert "sclae" in failure


def test_scale_checker_wants_the_class_not_an_instance():
    report = check_scale_layer(Scale())
    assert not report.passed and "클래스 자체를 넘겨야" in str(report), report


# --- 연습 1-2: RunningMean: right solutions ---------------------------------------------------


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

    def __init__(self, input_dim, name=None):
        super().__init__(name=name)
        self.mean = keras.Variable(np.zeros(input_dim, "float32"), trainable=False)
        self.rows = keras.Variable(0.0, trainable=False)

    def call(self, inputs):
        n = ops.cast(ops.shape(inputs)[0], "float32")
        batch_sum = ops.sum(inputs, axis=0)
        self.rows.assign(self.rows + n)
        self.mean.assign(self.mean + (batch_sum - n * self.mean) / self.rows)
        return ops.convert_to_tensor(self.mean)


@pytest.mark.parametrize("solution", [RunningMean, RunningMeanIncremental])
def test_running_mean_right_solutions_pass(solution):
    report = check_running_mean(solution)
    assert report.passed, report


def test_running_mean_reference_report():
    assert repr(check_running_mean(RunningMean)) == (
        "✅ 연습 1-2 RunningMean 층: 통과했습니다 (9개 항목 확인)."
    )


# --- 연습 1-2: RunningMean: wrong solutions ---------------------------------------------------


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


def test_running_mean_with_trainable_state():
    report = check_running_mean(RunningMeanTrainable)
    assert report.failures == [
        "RunningMean(3): 훈련 가능 가중치는 0개여야 하는데 2개입니다 (상태는 "
        "add_weight(..., trainable=False)로 만들어야 옵티마이저가 건드리지 않습니다)."
    ]


def test_batch_mean_forgets_earlier_calls():
    report = check_running_mean(BatchMean)
    assert report.failures == [
        "2번째 호출 뒤 출력 (지금까지 본 5개 행의 평균): [3.2, 2.6, 1.4]이어야 하는데 "
        "[4., 3., 1.]입니다 (이번 배치의 평균만 냈습니다. 합과 행 수를 가중치에 누적하세요)."
    ]


def test_mean_of_batch_means_weights_batches_instead_of_rows():
    (failure,) = check_running_mean(MeanOfBatchMeans).failures
    assert failure.startswith(
        "2번째 호출 뒤 출력 (지금까지 본 5개 행의 평균): [3.2, 2.6, 1.4]이어야 하는데 "
        "[3. , 2.5, 1.5]입니다 (배치 평균들의 평균입니다."
    )


def test_state_in_python_numbers_is_not_tracked():
    (failure,) = check_running_mean(RunningMeanInPythonNumbers).failures
    assert failure.startswith("RunningMean(3): 훈련 불가능 가중치가 1개 이상 있어야 하는데 0개")


def test_row_count_in_python_is_frozen_inside_tf_function():
    failures = check_running_mean(RunningMeanCountInPython).failures
    assert len(failures) == 1
    assert failures[0].startswith("특성이 5개인 층을 한 컴파일된 함수로 ")


def test_hard_coded_input_dim():
    (failure,) = check_running_mean(RunningMeanHardCodedSize).failures
    assert failure.startswith(
        "특성이 5개인 층을 한 컴파일된 함수로 1번째 호출 중에 예외가 났습니다"
    )
    assert "→ 텐서 모양이 맞지 않습니다" in failure
    assert "{{node" not in failure


def test_state_shared_between_instances():
    failure = check_running_mean(RunningMeanSharedState).failures[0]
    assert failure.startswith("새로 만든 층의 첫 출력 (층마다 상태가 따로여야 합니다)")
    assert "클래스 속성이나 전역 변수" in failure


def test_running_mean_rejecting_name():
    (failure,) = check_running_mean(RunningMeanRejectsName).failures
    assert "RunningMean(..., name='checker_named_layer') 만들기 중에 예외가 났습니다" in failure
