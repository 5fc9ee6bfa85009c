"""Checkers of chapter 2: the reference solutions pass, typical mistakes get the right sentence."""

import keras
import pytest
from keras import ops

from companion import Linear
from companion.exercises import check_feature_affine, check_residual_block

# --- 연습 2-1: FeatureAffine ------------------------------------------------------------------


class FeatureAffine(keras.layers.Layer):
    def build(self, input_shape):
        dim = input_shape[-1]
        self.gamma = self.add_weight(name="gamma", shape=(dim,), initializer="ones")
        self.beta = self.add_weight(name="beta", shape=(dim,), initializer="zeros")

    def call(self, inputs):
        return inputs * self.gamma + self.beta


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


class FeatureAffineScalar(FeatureAffine):
    def build(self, input_shape):
        self.gamma = self.add_weight(name="gamma", shape=(), initializer="ones")
        self.beta = self.add_weight(name="beta", shape=(), initializer="zeros")


class FeatureAffineRandomGamma(FeatureAffine):
    def build(self, input_shape):
        dim = input_shape[-1]
        self.gamma = self.add_weight(name="gamma", shape=(dim,))
        self.beta = self.add_weight(name="beta", shape=(dim,), initializer="zeros")


def test_feature_affine_reference_passes():
    report = check_feature_affine(FeatureAffine)
    assert report.passed, report
    assert repr(report) == "✅ 연습 2-1 FeatureAffine 층: 통과했습니다 (8개 항목 확인)."


def test_feature_affine_with_weights_made_in_init():
    report = check_feature_affine(FeatureAffineBuiltInInit)
    assert report.failures[0] == (
        "첫 호출 전에는 가중치가 0개여야 하는데 2개입니다 "
        "(가중치는 __init__이 아니라 build()에서 입력 모양을 보고 만드세요)."
    )
    assert report.failures[1] == (
        "새 층을 특성이 5개인 입력으로 호출 중에 예외가 났습니다: "
        "InvalidArgumentError: Incompatible shapes: [2,5] vs. [3]"
    )
    assert len(report.failures) == 2


def test_feature_affine_without_beta():
    report = check_feature_affine(FeatureAffineWithoutBeta)
    assert report.failures == [
        "훈련 가능 가중치는 gamma와 beta 2개여야 하는데 1개입니다.",
        "층에 gamma와 beta 속성이 있어야 하는데 beta이(가) 없습니다.",
    ]


def test_feature_affine_with_scalar_weights():
    report = check_feature_affine(FeatureAffineScalar)
    assert report.failures == [
        "특성이 3개일 때 gamma와 beta의 모양은 (3,)이어야 하는데 각각 (), ()입니다."
    ]


def test_feature_affine_with_random_gamma():
    report = check_feature_affine(FeatureAffineRandomGamma)
    assert len(report.failures) == 2
    assert report.failures[0].startswith(
        "초깃값(gamma=1, beta=0)에서 출력 (입력과 같아야 합니다): [[ 1. , -2. ,  3. ],"
    )
    assert report.failures[1].startswith("특성이 5개인 입력의 출력:")


# --- 연습 2-2: ResidualBlock ------------------------------------------------------------------


class ResidualBlock(keras.layers.Layer):
    def __init__(self, hidden_units, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.linear_1 = Linear(hidden_units)

    def build(self, input_shape):
        # 두 번째 층의 출력 크기는 입력의 특성 수여야 하므로 입력 모양을 알 때 만듭니다.
        self.linear_2 = Linear(input_shape[-1])
        self.linear_1.build(input_shape)
        self.linear_2.build((*input_shape[:-1], self.hidden_units))

    def call(self, inputs):
        return inputs + self.linear_2(ops.relu(self.linear_1(inputs)))


class ResidualBlockWithoutSkip(ResidualBlock):
    def call(self, inputs):
        return self.linear_2(ops.relu(self.linear_1(inputs)))


class ResidualBlockFixedSize(ResidualBlock):
    def __init__(self, hidden_units, **kwargs):
        super().__init__(hidden_units, **kwargs)
        self.linear_2 = Linear(5)

    def build(self, input_shape):
        pass


class ResidualBlockWithoutActivation(ResidualBlock):
    def call(self, inputs):
        return inputs + self.linear_2(self.linear_1(inputs))


class ResidualBlockLayersInCall(keras.layers.Layer):
    def __init__(self, hidden_units, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units

    def call(self, inputs):
        hidden = keras.layers.Dense(self.hidden_units, activation="relu")(inputs)
        return inputs + keras.layers.Dense(inputs.shape[-1])(hidden)


class ResidualBlockWithoutBias(ResidualBlock):
    def __init__(self, hidden_units, **kwargs):
        super().__init__(hidden_units, **kwargs)
        self.linear_1 = Linear(hidden_units, use_bias=False)

    def build(self, input_shape):
        self.linear_2 = Linear(input_shape[-1], use_bias=False)


def test_residual_block_reference_passes():
    report = check_residual_block(ResidualBlock)
    assert report.passed, report
    assert repr(report) == "✅ 연습 2-2 ResidualBlock 층: 통과했습니다 (6개 항목 확인)."


def test_residual_block_with_dense_sub_layers_passes_too():
    class DenseResidualBlock(keras.layers.Layer):
        def __init__(self, hidden_units, **kwargs):
            super().__init__(**kwargs)
            self.hidden = keras.layers.Dense(hidden_units, activation="relu")

        def build(self, input_shape):
            self.out = keras.layers.Dense(input_shape[-1])

        def call(self, inputs):
            return inputs + self.out(self.hidden(inputs))

    assert check_residual_block(DenseResidualBlock).passed


def test_residual_block_without_skip_connection():
    report = check_residual_block(ResidualBlockWithoutSkip)
    assert len(report.failures) == 2
    assert report.failures[0].startswith(
        "가중치가 모두 0일 때 출력 (잔차 연결만 남아 입력과 같아야 합니다): [[ 0.0383,"
    )
    assert report.failures[0].endswith(
        "이어야 하는데 [[0., 0., 0., 0., 0.], [0., 0., 0., 0., 0.]]입니다."
    )
    assert report.failures[1].startswith("x + linear_2(relu(linear_1(x)))의 값:")


def test_residual_block_with_a_fixed_output_size():
    report = check_residual_block(ResidualBlockFixedSize)
    assert report.failures == [
        "새 블록을 특성이 7개인 입력으로 호출 중에 예외가 났습니다: "
        "InvalidArgumentError: Incompatible shapes: [3,7] vs. [3,5]"
    ]


def test_residual_block_without_activation():
    report = check_residual_block(ResidualBlockWithoutActivation)
    assert len(report.failures) == 1
    assert report.failures[0].startswith("x + linear_2(relu(linear_1(x)))의 값:")


def test_residual_block_making_layers_inside_call():
    report = check_residual_block(ResidualBlockLayersInCall)
    assert report.failures[0] == (
        "가중치는 훈련 가능한 4개(두 층의 커널과 편향)여야 하는데 전체 0개, 훈련 가능 0개입니다 "
        "(하위 층을 call() 안에서 만들면 추적되지 않습니다. __init__이나 build()에서 "
        "self의 속성으로 만드세요)."
    )


def test_residual_block_without_bias():
    report = check_residual_block(ResidualBlockWithoutBias)
    assert report.failures == [
        "가중치는 훈련 가능한 4개(두 층의 커널과 편향)여야 하는데 전체 2개, 훈련 가능 2개입니다.",
        "가중치 모양은 [(5,), (5, 8), (8,), (8, 5)]이어야 하는데 [(5, 8), (8, 5)]입니다.",
    ]


@pytest.mark.parametrize("check", [check_feature_affine, check_residual_block])
def test_checkers_want_a_class(check):
    with pytest.raises(TypeError, match="클래스 자체를 넘겨야"):
        check(object())
