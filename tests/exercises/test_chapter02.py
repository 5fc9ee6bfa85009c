"""Checkers of chapter 2: right solutions of different shapes pass, plausible wrong ones fail and
name the requirement they break, with the same verdict on every backend."""

import keras
import numpy as np
import pytest
from exercise_reports import assert_verdict, report_of, verdict_id
from keras import ops

from companion import Linear
from companion.exercises import check_feature_affine, check_residual_block
from companion.exercises.reference import chapter02 as reference


class FeatureAffine(keras.layers.Layer):
    def build(self, input_shape):
        dim = input_shape[-1]
        self.gamma = self.add_weight(name="gamma", shape=(dim,), initializer="ones")
        self.beta = self.add_weight(name="beta", shape=(dim,), initializer="zeros")

    def call(self, inputs):
        return inputs * self.gamma + self.beta


class FeatureAffineWithKerasVariables(keras.layers.Layer):
    def __init__(self, name=None, **kwargs):
        super().__init__(name=name, **kwargs)

    def build(self, input_shape):
        self.gamma = keras.Variable(np.ones(input_shape[-1], "float32"), name="gamma")
        self.beta = keras.Variable(np.zeros(input_shape[-1], "float32"), name="beta")

    def call(self, inputs):
        return ops.add(ops.multiply(inputs, self.gamma), self.beta)


class FeatureAffineEinsum(keras.layers.Layer):
    def build(self, input_shape):
        *_, dim = input_shape
        self.beta = self.add_weight(shape=(dim,), initializer=keras.initializers.Zeros())
        self.gamma = self.add_weight(shape=(dim,), initializer=keras.initializers.Constant(1.0))

    def call(self, x):
        return ops.einsum("...i,i->...i", x, self.gamma) + self.beta


class FeatureAffineBuiltInInit(FeatureAffine):
    """Weights made in __init__ for a fixed input size, as in chapter 1."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.gamma = self.add_weight(name="gamma", shape=(3,), initializer="ones")
        self.beta = self.add_weight(name="beta", shape=(3,), initializer="zeros")

    def build(self, input_shape):
        pass


class FeatureAffineWithoutBeta(FeatureAffine):
    def build(self, input_shape):
        self.gamma = self.add_weight(name="gamma", shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        return inputs * self.gamma


class FeatureAffineForgetsBeta(FeatureAffine):
    """Makes beta but never adds it: invisible while beta is zero."""

    def call(self, inputs):
        return inputs * self.gamma


class FeatureAffineWrongOrder(FeatureAffine):
    def call(self, inputs):
        return (inputs + self.beta) * self.gamma


class FeatureAffineScalar(FeatureAffine):
    def build(self, input_shape):
        self.gamma = self.add_weight(name="gamma", shape=(), initializer="ones")
        self.beta = self.add_weight(name="beta", shape=(), initializer="zeros")


class FeatureAffineRandomGamma(FeatureAffine):
    def build(self, input_shape):
        dim = input_shape[-1]
        self.gamma = self.add_weight(name="gamma", shape=(dim,))
        self.beta = self.add_weight(name="beta", shape=(dim,), initializer="zeros")


class FeatureAffineSecondAxis(FeatureAffine):
    def build(self, input_shape):
        dim = input_shape[1]
        self.gamma = self.add_weight(name="gamma", shape=(dim,), initializer="ones")
        self.beta = self.add_weight(name="beta", shape=(dim,), initializer="zeros")


class FeatureAffineRejectsName(FeatureAffine):
    def __init__(self):
        super().__init__()


class FeatureAffineThroughNumpy(FeatureAffine):
    def call(self, inputs):
        return inputs * ops.convert_to_numpy(self.gamma) + self.beta


class ResidualBlock(keras.layers.Layer):
    def __init__(self, hidden_units, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.linear_1 = Linear(hidden_units)

    def build(self, input_shape):
        self.linear_2 = Linear(input_shape[-1])

    def call(self, inputs):
        return inputs + self.linear_2(ops.relu(self.linear_1(inputs)))


class ResidualBlockWithDense(keras.layers.Layer):
    """Dense sub-layers, both made in build() and built explicitly."""

    def __init__(self, hidden_units, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units

    def build(self, input_shape):
        self.linear_1 = keras.layers.Dense(self.hidden_units, activation="relu")
        self.linear_2 = keras.layers.Dense(input_shape[-1])
        self.linear_1.build(input_shape)
        self.linear_2.build((*input_shape[:-1], self.hidden_units))

    def call(self, x):
        return ops.add(x, self.linear_2(self.linear_1(x)))


class ResidualBlockRawWeights(keras.layers.Layer):
    """No sub-layers: four add_weight() calls and einsum."""

    def __init__(self, hidden_units, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units

    def build(self, input_shape):
        d, h = input_shape[-1], self.hidden_units
        self.w1 = self.add_weight(shape=(d, h), initializer="glorot_uniform")
        self.b1 = self.add_weight(shape=(h,), initializer="zeros")
        self.w2 = self.add_weight(shape=(h, d), initializer="glorot_uniform")
        self.b2 = self.add_weight(shape=(d,), initializer="zeros")

    def call(self, x):
        hidden = ops.maximum(ops.einsum("...i,ij->...j", x, self.w1) + self.b1, 0.0)
        return x + ops.einsum("...j,ji->...i", hidden, self.w2) + self.b2


class ResidualBlockFixedOutput(ResidualBlock):
    """linear_2 made in __init__ with a hard-coded output size of 5."""

    def __init__(self, hidden_units, **kwargs):
        super().__init__(hidden_units, **kwargs)
        self.linear_2 = Linear(5)

    def build(self, input_shape):
        pass


class ResidualBlockWithoutRelu(ResidualBlock):
    def call(self, inputs):
        return inputs + self.linear_2(self.linear_1(inputs))


class ResidualBlockWithoutSkip(ResidualBlock):
    def call(self, inputs):
        return self.linear_2(ops.relu(self.linear_1(inputs)))


class ResidualBlockReluAfterSum(ResidualBlock):
    def call(self, inputs):
        return ops.relu(inputs + self.linear_2(ops.relu(self.linear_1(inputs))))


class ResidualBlockWithoutBias(ResidualBlock):
    def build(self, input_shape):
        self.linear_2 = Linear(input_shape[-1], use_bias=False)


class ResidualBlockMakesLayersInCall(keras.layers.Layer):
    def __init__(self, hidden_units, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units

    def call(self, inputs):
        hidden = keras.layers.Dense(self.hidden_units, activation="relu")(inputs)
        return inputs + keras.layers.Dense(inputs.shape[-1])(hidden)


class ResidualBlockSecondAxis(ResidualBlock):
    def build(self, input_shape):
        self.linear_2 = Linear(input_shape[1])


class ResidualBlockRejectsName(ResidualBlock):
    def __init__(self, hidden_units):
        super().__init__(hidden_units)


class FeatureAffineSqueezed(FeatureAffine):
    """Wrong: squeeze without an axis drops the batch axis of a batch of one."""

    def call(self, inputs):
        return ops.squeeze(inputs * self.gamma + self.beta)


class FeatureAffineStopsBetaGradient(FeatureAffine):
    """Wrong: beta is added through stop_gradient, so it never trains."""

    def call(self, inputs):
        return inputs * self.gamma + ops.stop_gradient(self.beta)


class ResidualBlockStopsGradient(ResidualBlock):
    """Wrong: the right output, but no gradient reaches linear_1."""

    def call(self, inputs):
        hidden = ops.stop_gradient(ops.relu(self.linear_1(inputs)))
        return inputs + self.linear_2(hidden)


class ResidualBlockBothInBuild(keras.layers.Layer):
    """Right: both sub-layers are Dense layers made in build(), added with ops.add."""

    def __init__(self, hidden_units, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units

    def build(self, input_shape):
        self.linear_1 = keras.layers.Dense(self.hidden_units)
        self.linear_2 = keras.layers.Dense(input_shape[-1])

    def call(self, inputs):
        return ops.add(inputs, self.linear_2(ops.maximum(self.linear_1(inputs), 0.0)))


VERDICTS = [
    (check_feature_affine, reference.FeatureAffine, True),
    (check_feature_affine, FeatureAffine, True),
    (check_feature_affine, FeatureAffineWithKerasVariables, True),
    (check_feature_affine, FeatureAffineEinsum, True),
    (check_feature_affine, FeatureAffineBuiltInInit, "요구 사항 2"),
    (check_feature_affine, FeatureAffineWithoutBeta, "요구 사항 3"),
    (check_feature_affine, FeatureAffineForgetsBeta, "요구 사항 4"),
    (check_feature_affine, FeatureAffineWrongOrder, "요구 사항 4"),
    (check_feature_affine, FeatureAffineScalar, "요구 사항 3"),
    (check_feature_affine, FeatureAffineRandomGamma, "요구 사항 3: gamma의 초깃값은 1"),
    (check_feature_affine, FeatureAffineSecondAxis, "텐서 모양이 맞지 않습니다"),
    (check_feature_affine, FeatureAffineRejectsName, "요구 사항 1: name="),
    (check_feature_affine, FeatureAffineThroughNumpy, "요구 사항 5: 컴파일된"),
    (check_feature_affine, FeatureAffineSqueezed, "요구 사항 4: 배치 크기가 1이어도"),
    (check_feature_affine, FeatureAffineStopsBetaGradient, "요구 사항 5: 두 가중치 모두 경사"),
    (check_residual_block, reference.ResidualBlock, True),
    (check_residual_block, ResidualBlock, True),
    (check_residual_block, ResidualBlockWithDense, True),
    (check_residual_block, ResidualBlockRawWeights, True),
    (check_residual_block, ResidualBlockBothInBuild, True),
    (check_residual_block, ResidualBlockFixedOutput, "텐서 모양이 맞지 않습니다"),
    (check_residual_block, ResidualBlockWithoutRelu, "요구 사항 4"),
    (check_residual_block, ResidualBlockWithoutSkip, "요구 사항 4"),
    (check_residual_block, ResidualBlockReluAfterSum, "요구 사항 4"),
    (check_residual_block, ResidualBlockWithoutBias, "요구 사항 2·3·5"),
    (check_residual_block, ResidualBlockMakesLayersInCall, "요구 사항 2·3·5"),
    (check_residual_block, ResidualBlockSecondAxis, "텐서 모양이 맞지 않습니다"),
    (check_residual_block, ResidualBlockRejectsName, "요구 사항 1: name="),
    (check_residual_block, ResidualBlockStopsGradient, "요구 사항 5: 네 가중치 모두 경사"),
]


@pytest.mark.parametrize(("check", "solution", "expected"), VERDICTS, ids=verdict_id)
def test_verdict(check, solution, expected):
    assert_verdict(check, solution, expected)


def test_reports_of_the_model_answers():
    assert repr(report_of(check_feature_affine, reference.FeatureAffine)).startswith(
        "✅ 연습 2-1 FeatureAffine 층: 통과했습니다 ("
    )
    assert repr(report_of(check_residual_block, reference.ResidualBlock)).startswith(
        "✅ 연습 2-2 ResidualBlock 층: 통과했습니다 ("
    )


def test_weights_made_in_init_are_named_with_the_count():
    report = report_of(check_feature_affine, FeatureAffineBuiltInInit)
    assert report.failures[0].startswith(
        "FeatureAffine(): 첫 호출 전에는 가중치가 없어야 하는데 2개입니다."
    )
