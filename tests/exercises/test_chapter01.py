"""Checkers of chapter 1: the reference solutions pass, typical mistakes get the right sentence."""

import keras
import pytest
import tensorflow as tf
from keras import ops

from companion.exercises import check_running_mean, check_scale_layer

# --- 연습 1-1: Scale --------------------------------------------------------------------------


class Scale(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = self.add_weight(name="scale", shape=(), initializer="ones")

    def call(self, inputs):
        return inputs * self.scale


class ScaleWithTfVariable(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = tf.Variable(1.0)

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


class ScalePerFeature(Scale):
    def __init__(self, **kwargs):
        keras.layers.Layer.__init__(self, **kwargs)
        self.scale = self.add_weight(name="scale", shape=(3,), initializer="ones")


class ScaleAddsInstead(Scale):
    def call(self, inputs):
        return inputs + self.scale - 1.0


def test_scale_reference_passes():
    report = check_scale_layer(Scale)
    assert report.passed, report
    assert repr(report) == "✅ 연습 1-1 Scale 층: 통과했습니다 (6개 항목 확인)."


def test_scale_with_tf_variable_is_not_tracked():
    report = check_scale_layer(ScaleWithTfVariable)
    assert not report.passed
    assert report.failures[0] == (
        "layer.weights에는 가중치가 1개 있어야 하는데 0개입니다 "
        "(Keras 3는 tf.Variable 속성을 추적하지 않으니 self.add_weight()로 만드세요)."
    )


def test_scale_not_trainable():
    report = check_scale_layer(ScaleNotTrainable)
    assert report.failures == [
        "훈련 가능 가중치는 1개여야 하는데 0개입니다 (trainable=True로 만드세요)."
    ]


def test_scale_starting_at_zero():
    report = check_scale_layer(ScaleStartsAtZero)
    assert report.failures == [
        "scale이 1일 때 출력 (입력과 같아야 합니다): [[ 1. , -2. ,  3. ], [ 0.5,  0. ,  4. ]]"
        "이어야 하는데 [[ 0., -0.,  0.], [ 0.,  0.,  0.]]입니다."
    ]


def test_scale_per_feature_weight():
    report = check_scale_layer(ScalePerFeature)
    assert report.failures == ["scale의 모양은 스칼라 ()여야 하는데 (3,)입니다."]


def test_scale_that_adds_instead_of_multiplying():
    report = check_scale_layer(ScaleAddsInstead)
    assert len(report.failures) == 2
    assert report.failures[0].startswith("scale이 2.5일 때 출력: [[ 2.5 , -5.  ,  7.5 ],")


def test_scale_reader_exception_becomes_a_sentence():
    class Broken(Scale):
        def call(self, inputs):
            return inputs * self.sclae

    report = check_scale_layer(Broken)
    assert report.failures[0].startswith("층 호출 중에 예외가 났습니다: AttributeError:")
    assert "sclae" in report.failures[0]


def test_scale_checker_wants_the_class_not_an_instance():
    with pytest.raises(TypeError, match="클래스 자체를 넘겨야"):
        check_scale_layer(Scale())


# --- 연습 1-2: RunningMean --------------------------------------------------------------------


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


def test_running_mean_reference_passes():
    report = check_running_mean(RunningMean)
    assert report.passed, report
    assert repr(report) == "✅ 연습 1-2 RunningMean 층: 통과했습니다 (6개 항목 확인)."


def test_running_mean_with_trainable_state():
    report = check_running_mean(RunningMeanTrainable)
    assert report.failures == [
        "훈련 가능 가중치는 0개여야 하는데 2개입니다 "
        "(상태는 trainable=False로 만들어야 옵티마이저가 건드리지 않습니다)."
    ]


def test_batch_mean_forgets_earlier_calls():
    report = check_running_mean(BatchMean)
    assert report.failures == [
        "2번째 호출 뒤 출력 (지금까지 본 5개 행의 평균): [3.2, 2.6, 1.4]이어야 하는데 "
        "[4., 3., 1.]입니다."
    ]


def test_mean_of_batch_means_weights_batches_instead_of_rows():
    report = check_running_mean(MeanOfBatchMeans)
    assert report.failures == [
        "2번째 호출 뒤 출력 (지금까지 본 5개 행의 평균): [3.2, 2.6, 1.4]이어야 하는데 "
        "[3. , 2.5, 1.5]입니다."
    ]


def test_state_in_python_numbers_is_not_tracked():
    report = check_running_mean(RunningMeanInPythonNumbers)
    assert report.failures == [
        "훈련 불가능 가중치가 1개 이상 있어야 하는데 0개입니다 "
        "(파이썬 숫자나 tf.Variable에 담은 상태는 추적되지 않아 모델과 함께 저장되지 않습니다)."
    ]
