"""Checkers of chapter 2: right solutions of different shapes pass, plausible wrong ones get a
specific sentence."""

import keras
import numpy as np
import pytest
from keras import ops

from companion import Linear
from companion.exercises import check_feature_affine, check_residual_block

# --- 연습 2-1: FeatureAffine: right solutions -------------------------------------------------


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


@pytest.mark.parametrize(
    "solution", [FeatureAffine, FeatureAffineWithKerasVariables, FeatureAffineEinsum]
)
def test_feature_affine_right_solutions_pass(solution):
    report = check_feature_affine(solution)
    assert report.passed, report


def test_feature_affine_reference_report():
    assert repr(check_feature_affine(FeatureAffine)) == (
        "✅ 연습 2-1 FeatureAffine 층: 통과했습니다 (12개 항목 확인)."
    )


# --- 연습 2-1: FeatureAffine: wrong solutions -------------------------------------------------


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


def test_feature_affine_with_weights_made_in_init():
    report = check_feature_affine(FeatureAffineBuiltInInit)
    assert report.failures[0] == (
        "첫 호출 전에는 가중치가 0개여야 하는데 2개입니다 "
        "(가중치는 __init__이 아니라 build()에서 입력 모양을 보고 만드세요)."
    )
    assert len(report.failures) == 1  # 같은 원인을 되풀이해 보고하지 않습니다.


def test_feature_affine_without_beta():
    report = check_feature_affine(FeatureAffineWithoutBeta)
    assert report.failures == ["훈련 가능 가중치는 gamma와 beta 2개여야 하는데 1개입니다."]


def test_feature_affine_that_forgets_to_add_beta():
    # beta 초깃값이 0이라 처음 출력은 맞습니다: 0이 아닌 beta에서만 드러납니다.
    (failure,) = check_feature_affine(FeatureAffineForgetsBeta).failures
    assert failure.startswith("gamma와 beta를 바꾼 뒤 출력 (x * gamma + beta): ")
    assert failure.endswith("(beta를 더하지 않은 것 같습니다).")


def test_feature_affine_in_the_wrong_order():
    (failure,) = check_feature_affine(FeatureAffineWrongOrder).failures
    assert failure.endswith("(beta를 곱하기 전에 더했습니다: x * gamma + beta 순서입니다).")


def test_feature_affine_scalar_weights():
    report = check_feature_affine(FeatureAffineScalar)
    assert report.failures == [
        "특성이 3개일 때 gamma와 beta의 모양은 (3,)이어야 하는데 각각 (), ()입니다."
    ]


def test_feature_affine_random_gamma():
    (failure,) = check_feature_affine(FeatureAffineRandomGamma).failures
    assert failure.startswith("처음 만든 층의 출력 (gamma=1, beta=0이므로 입력과 같아야 합니다)")
    assert failure.endswith("(gamma는 initializer='ones', beta는 initializer='zeros'로 만드세요).")


def test_feature_affine_sized_by_the_second_axis():
    (failure,) = check_feature_affine(FeatureAffineSecondAxis).failures
    # The first line is the backend's own (TF "Incompatible shapes: [4,2,5] vs. [2]", JAX and
    # PyTorch word it differently); the Korean explanation is the same on every backend.
    assert failure.startswith("모양이 (4, 2, 5)인 입력으로 호출 중에 예외가 났습니다: ")
    assert "→ 텐서 모양이 맞지 않습니다" in failure
    assert "input_shape[1]을 고정해 두지 않았는지" in failure


def test_feature_affine_rejecting_name():
    (failure,) = check_feature_affine(FeatureAffineRejectsName).failures
    assert "FeatureAffine(..., name='checker_named_layer') 만들기 중에 예외가" in failure
    assert "super().__init__(**kwargs)" in failure


def test_feature_affine_through_numpy():
    failures = check_feature_affine(FeatureAffineThroughNumpy).failures
    assert failures[0].startswith("FeatureAffine: 컴파일된 함수 안에서 호출 중에 예외가 났습니다")
    assert "gamma" in failures[1] and "경사가 닿지 않습니다" in failures[1]


# --- 연습 2-2: ResidualBlock: right solutions -------------------------------------------------


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

    def __init__(self, hidden_units, name=None):
        super().__init__(name=name)
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


@pytest.mark.parametrize(
    "solution", [ResidualBlock, ResidualBlockWithDense, ResidualBlockRawWeights]
)
def test_residual_block_right_solutions_pass(solution):
    report = check_residual_block(solution)
    assert report.passed, report


def test_residual_block_reference_report():
    assert repr(check_residual_block(ResidualBlock)) == (
        "✅ 연습 2-2 ResidualBlock 층: 통과했습니다 (10개 항목 확인)."
    )


# --- 연습 2-2: ResidualBlock: wrong solutions -------------------------------------------------


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


def test_residual_block_with_hard_coded_output_size():
    (failure,) = check_residual_block(ResidualBlockFixedOutput).failures
    assert failure.startswith("새 블록을 모양이 (3, 2, 7)인 입력으로 호출 중에 예외가 났습니다: ")
    assert "→ 텐서 모양이 맞지 않습니다" in failure


def test_residual_block_without_relu():
    # 가중치가 0이면 relu가 있든 없든 출력이 같습니다: 0이 아닌 가중치에서만 드러납니다.
    (failure,) = check_residual_block(ResidualBlockWithoutRelu).failures
    assert failure.startswith("x + linear_2(relu(linear_1(x)))의 값: ")
    assert failure.endswith("(linear_1 뒤에 relu를 적용하지 않은 것 같습니다).")


def test_residual_block_without_skip_connection():
    failures = check_residual_block(ResidualBlockWithoutSkip).failures
    assert failures[0].startswith(
        "가중치가 모두 0일 때 출력 (잔차 연결만 남아 입력과 같아야 합니다)"
    )
    assert failures[0].endswith("(출력에 입력 x를 더했나요?).")
    assert failures[1].endswith("(입력 x를 더하는 잔차 연결이 빠졌습니다).")


def test_residual_block_relu_after_the_sum():
    failures = check_residual_block(ResidualBlockReluAfterSum).failures
    assert failures[-1].endswith("(잔차를 더한 뒤에 relu를 또 적용했습니다).")


def test_residual_block_without_bias():
    (failure,) = check_residual_block(ResidualBlockWithoutBias).failures
    assert failure == (
        "가중치는 훈련 가능한 4개(두 층의 커널과 편향)여야 하는데 전체 3개, 훈련 가능 3개입니다 "
        "(편향을 빼지 않았는지 확인하세요)."
    )


def test_residual_block_making_layers_in_call():
    (failure,) = check_residual_block(ResidualBlockMakesLayersInCall).failures
    assert "가중치는 훈련 가능한 4개" in failure
    assert "하위 층을 call() 안에서 만들면 추적되지 않습니다" in failure


def test_residual_block_sized_by_the_second_axis():
    (failure,) = check_residual_block(ResidualBlockSecondAxis).failures
    assert failure.startswith("새 블록을 모양이 (3, 2, 7)인 입력으로 호출 중에 예외가 났습니다")


def test_residual_block_rejecting_name():
    (failure,) = check_residual_block(ResidualBlockRejectsName).failures
    assert "ResidualBlock(..., name='checker_named_layer') 만들기 중에 예외가" in failure
