"""Checkers of chapter 6: the reference solutions pass, typical mistakes get the right sentence."""

import keras
import pytest
from keras import ops

from companion.exercises import check_dense_residual_block, check_mlp_classifier

# Each test registers its own class under this package, so the test classes never collide
# with the classes the book registers.
_PACKAGE = "tests_chapter07"


def _register(cls):
    return keras.saving.register_keras_serializable(package=_PACKAGE)(cls)


# --- 연습 7-1: MLPClassifier ------------------------------------------------------------------


class _MLPClassifierWithoutGetConfig(keras.Model):
    # Two switches let the wrong solutions below differ from the reference in one place.
    _output_activation = "softmax"
    _fixed_hidden_units = None

    def __init__(self, hidden_units=(32,), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = tuple(hidden_units)
        self.num_classes = num_classes
        self.hidden_layers = [
            keras.layers.Dense(units, activation="relu", name=f"hidden_{i}")
            for i, units in enumerate(self._fixed_hidden_units or self.hidden_units)
        ]
        self.output_layer = keras.layers.Dense(
            num_classes, activation=self._output_activation, name="output"
        )

    def call(self, inputs):
        x = inputs
        for layer in self.hidden_layers:
            x = layer(x)
        return self.output_layer(x)


class _MLPClassifier(_MLPClassifierWithoutGetConfig):
    def get_config(self):
        return {
            **super().get_config(),
            "hidden_units": list(self.hidden_units),
            "num_classes": self.num_classes,
        }


@_register
class MLPClassifier(_MLPClassifier):
    """The reference solution (registered)."""


class MLPClassifierNotRegistered(_MLPClassifier):
    """The same model, but without the decorator."""


@_register
class MLPClassifierWithoutKwargs(MLPClassifier):
    def __init__(self, hidden_units=(32,), num_classes=10):
        super().__init__(hidden_units=hidden_units, num_classes=num_classes)


@_register
class MLPClassifierDropsKwargs(MLPClassifier):
    def __init__(self, hidden_units=(32,), num_classes=10, **kwargs):
        super().__init__(hidden_units=hidden_units, num_classes=num_classes)


@_register
class MLPClassifierLogits(MLPClassifier):
    _output_activation = None


@_register
class MLPClassifierOneHiddenLayer(MLPClassifier):
    _fixed_hidden_units = (32,)


@_register
class MLPClassifierForgetsHiddenUnits(MLPClassifier):
    def get_config(self):
        return {**keras.Model.get_config(self), "num_classes": self.num_classes}


@_register
class MLPClassifierWithoutGetConfig(_MLPClassifierWithoutGetConfig):
    """Keras 3 generates a config for Model subclasses that lack get_config(), but it holds
    the default argument values, not the ones passed to this instance."""


def test_mlp_classifier_reference_passes():
    report = check_mlp_classifier(MLPClassifier)
    assert report.passed, report
    assert repr(report) == "✅ 연습 7-1 MLPClassifier 모델: 통과했습니다 (13개 항목 확인)."


def test_mlp_classifier_must_be_a_model():
    class NotAModel(keras.layers.Layer):
        pass

    report = check_mlp_classifier(NotAModel)
    assert len(report.failures) == 1
    assert report.failures[0].startswith("keras.Model을 상속해야 하는데 NotAModel의 부모 클래스는")


def test_mlp_classifier_instance_instead_of_class():
    with pytest.raises(TypeError, match="model_class에는 클래스 자체를 넘겨야 합니다"):
        check_mlp_classifier(MLPClassifier())


def test_mlp_classifier_not_registered():
    report = check_mlp_classifier(MLPClassifierNotRegistered)
    assert report.failures == [
        "클래스가 직렬화 대상으로 등록되지 않았습니다 "
        '(@keras.saving.register_keras_serializable(package="exercises")를 붙이세요).'
    ]


def test_mlp_classifier_without_kwargs():
    report = check_mlp_classifier(MLPClassifierWithoutKwargs)
    assert len(report.failures) == 1
    assert report.failures[0].startswith(
        'MLPClassifier(hidden_units=(8, 4), num_classes=3, name="mlp") 만들기 중에 예외가 '
        "났습니다: TypeError:"
    )
    assert "name" in report.failures[0]


def test_mlp_classifier_drops_kwargs():
    report = check_mlp_classifier(MLPClassifierDropsKwargs)
    assert report.failures[0] == (
        "모델 이름이 \"mlp\"여야 하는데 'mlp_classifier_drops_kwargs'입니다 "
        "(**kwargs를 super().__init__(**kwargs)에 넘기세요)."
    )


def test_mlp_classifier_without_softmax():
    report = check_mlp_classifier(MLPClassifierLogits)
    assert report.failures[0] == (
        "출력의 각 행이 합이 1인 확률이어야 하는데 그렇지 않습니다 "
        '(마지막 Dense 층에 activation="softmax"를 주세요).'
    )


def test_mlp_classifier_ignores_hidden_units():
    report = check_mlp_classifier(MLPClassifierOneHiddenLayer)
    assert report.failures[0] == (
        "hidden_units=(8, 4), num_classes=3, 입력 특성 6개일 때 훈련 가능 가중치의 모양이 "
        "[(3,), (4,), (4, 3), (6, 8), (8,), (8, 4)]여야 하는데 "
        "[(3,), (6, 32), (32,), (32, 3)]입니다."
    )
    assert report.failures[1].startswith("hidden_units=(16,), num_classes=2일 때 훈련 가능")


def test_mlp_classifier_forgets_hidden_units_in_config():
    report = check_mlp_classifier(MLPClassifierForgetsHiddenUnits)
    assert report.failures[0] == (
        'get_config()["hidden_units"]가 (8, 4)여야 하는데 None입니다 '
        "(Model 서브클래스는 get_config()를 직접 써야 합니다)."
    )
    assert report.failures[1].startswith(
        "from_config()로 다시 만든 모델의 가중치 모양 [(3,), (6, 32), (32,), (32, 3)]이"
    )


def test_mlp_classifier_without_get_config_keeps_the_defaults():
    report = check_mlp_classifier(MLPClassifierWithoutGetConfig)
    assert report.failures[0] == (
        'get_config()["hidden_units"]가 (8, 4)여야 하는데 (32,)입니다 '
        "(Model 서브클래스는 get_config()를 직접 써야 합니다)."
    )
    assert report.failures[1] == 'get_config()["num_classes"]: 3이어야 하는데 10입니다.'


# --- 연습 7-2: DenseResidualBlock -------------------------------------------------------------


@_register
class DenseResidualBlock(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense_1 = keras.layers.Dense(units, activation="relu", name="dense_1")
        self.dense_2 = keras.layers.Dense(units, name="dense_2")
        self.projection = None

    def build(self, input_shape):
        if input_shape[-1] != self.units:
            self.projection = keras.layers.Dense(self.units, use_bias=False, name="projection")
            self.projection.build(input_shape)
        self.dense_1.build(input_shape)
        self.dense_2.build((*input_shape[:-1], self.units))

    def call(self, inputs):
        shortcut = inputs if self.projection is None else self.projection(inputs)
        return ops.relu(self.dense_2(self.dense_1(inputs)) + shortcut)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class BlockWithoutShortcut(DenseResidualBlock):
    def call(self, inputs):
        return ops.relu(self.dense_2(self.dense_1(inputs)))


class BlockAlwaysProjects(DenseResidualBlock):
    def build(self, input_shape):
        self.projection = keras.layers.Dense(self.units, use_bias=False, name="projection")
        self.projection.build(input_shape)
        self.dense_1.build(input_shape)
        self.dense_2.build((*input_shape[:-1], self.units))


class BlockNeverProjects(DenseResidualBlock):
    def build(self, input_shape):
        self.dense_1.build(input_shape)
        self.dense_2.build((*input_shape[:-1], self.units))


class BlockReluBeforeAdd(DenseResidualBlock):
    def call(self, inputs):
        shortcut = inputs if self.projection is None else self.projection(inputs)
        return ops.relu(self.dense_2(self.dense_1(inputs))) + shortcut


class BlockProjectionWithBias(DenseResidualBlock):
    def build(self, input_shape):
        if input_shape[-1] != self.units:
            self.projection = keras.layers.Dense(self.units, name="projection")
            self.projection.build(input_shape)
        self.dense_1.build(input_shape)
        self.dense_2.build((*input_shape[:-1], self.units))


def test_dense_residual_block_reference_passes():
    report = check_dense_residual_block(DenseResidualBlock)
    assert report.passed, report
    assert repr(report) == "✅ 연습 7-2 DenseResidualBlock 층: 통과했습니다 (9개 항목 확인)."


@pytest.mark.filterwarnings("ignore:Gradients do not exist")
def test_dense_residual_block_without_shortcut():
    report = check_dense_residual_block(BlockWithoutShortcut)
    assert report.failures[0].startswith(
        "가중치가 모두 0일 때 출력 (지름길로 온 입력에 ReLU를 적용한 값): [["
    )
    assert report.failures[0].endswith("]]입니다.")
    assert report.failures[1].startswith(
        "주 경로를 0으로 두었을 때 출력 (사영한 입력에 ReLU를 적용한 값): [["
    )
    assert len(report.failures) == 2


def test_dense_residual_block_always_projects():
    report = check_dense_residual_block(BlockAlwaysProjects)
    assert report.failures[0] == (
        "입력 폭이 units와 같으면 가중치가 4개(Dense 두 개의 커널과 편향)여야 하는데 "
        "5개입니다 (사영은 폭이 다를 때만 만드세요)."
    )


def test_dense_residual_block_never_projects():
    report = check_dense_residual_block(BlockNeverProjects)
    assert len(report.failures) == 2
    assert report.failures[0].startswith("폭이 다른 입력으로 호출 중에 예외가 났습니다:")
    assert report.failures[1].startswith(
        "Sequential 모델 안에서 fit()으로 훈련 중에 예외가 났습니다:"
    )


def test_dense_residual_block_relu_before_the_addition():
    report = check_dense_residual_block(BlockReluBeforeAdd)
    assert report.failures[0] == "출력에 음수가 있습니다 (두 경로를 더한 뒤 ReLU를 적용하세요)."
    assert report.failures[1].startswith(
        "가중치가 모두 0일 때 출력 (지름길로 온 입력에 ReLU를 적용한 값)"
    )


def test_dense_residual_block_projection_with_bias():
    report = check_dense_residual_block(BlockProjectionWithBias)
    assert report.failures == [
        "입력 폭 4, units=6이면 가중치 모양이 [(4, 6), (4, 6), (6,), (6,), (6, 6)]여야 하는데 "
        "[(4, 6), (4, 6), (6,), (6,), (6,), (6, 6)]입니다 "
        "(사영은 편향 없는 Dense(units, use_bias=False) 하나입니다)."
    ]
