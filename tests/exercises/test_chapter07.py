"""Checkers of chapter 7: right solutions of several shapes pass, wrong ones get their sentence."""

import time

import keras
import pytest
from exercise_reports import assert_fails_with, assert_passes_quickly
from keras import ops

from companion.exercises import check_dense_residual_block, check_mlp_classifier

# Each test registers its own class under this package, so the test classes never collide
# with the classes the book registers.
_PACKAGE = "tests_chapter07"


def _register(cls):
    return keras.saving.register_keras_serializable(package=_PACKAGE)(cls)


# --- 연습 7-1: MLPClassifier ------------------------------------------------------------------


class _MLPBase(keras.Model):
    # Switches let the wrong solutions below differ from the reference in one place.
    _output_activation = None
    _hidden_activation = "relu"
    _use_bias = True
    _fixed_hidden_units = None

    def __init__(self, hidden_units=(32,), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = tuple(hidden_units)
        self.num_classes = num_classes
        self.hidden_layers = [
            keras.layers.Dense(
                units, activation=self._hidden_activation, use_bias=self._use_bias, name=f"h{i}"
            )
            for i, units in enumerate(self._fixed_hidden_units or self.hidden_units)
        ]
        self.output_layer = keras.layers.Dense(
            num_classes, activation=self._output_activation, name="logits"
        )

    def call(self, inputs):
        x = inputs
        for layer in self.hidden_layers:
            x = layer(x)
        return self.output_layer(x)


class _MLP(_MLPBase):
    def get_config(self):
        return {
            **super().get_config(),
            "hidden_units": list(self.hidden_units),
            "num_classes": self.num_classes,
        }


@_register
class MLPClassifier(_MLP):
    """The reference solution (registered)."""


@_register
class MLPClassifierSequentialBody(keras.Model):
    """A right solution of another shape: one Sequential body, ops.relu written out."""

    def __init__(self, hidden_units=(32,), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.config_values = {"hidden_units": list(hidden_units), "num_classes": num_classes}
        self.body = keras.Sequential(
            [keras.layers.Dense(u, activation=ops.relu) for u in hidden_units]
            + [keras.layers.Dense(num_classes)]
        )

    def call(self, x):
        return self.body(x)

    def get_config(self):
        return {**super().get_config(), **self.config_values}


@_register
class MLPClassifierBuiltLazily(keras.Model):
    """A right solution of a third shape: the output layer first, hidden layers in build()."""

    def __init__(self, hidden_units=(32,), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.out = keras.layers.Dense(num_classes)
        self.units = list(hidden_units)
        self.classes = num_classes

    def build(self, input_shape):
        self.stack = []
        for units in self.units:
            layer = keras.layers.Dense(units)
            layer.build(input_shape)
            input_shape = (*input_shape[:-1], units)
            self.stack.append(layer)
        self.out.build(input_shape)

    def call(self, x):
        for layer in self.stack:
            x = ops.relu(layer(x))
        return self.out(x)

    def get_config(self):
        return {**super().get_config(), "hidden_units": self.units, "num_classes": self.classes}


class MLPClassifierNotRegistered(_MLP):
    """The same model, but without the decorator."""


@_register
class MLPClassifierSoftmax(_MLP):
    _output_activation = "softmax"


@_register
class MLPClassifierWithoutHiddenRelu(_MLP):
    _hidden_activation = None


@_register
class MLPClassifierWithoutBias(_MLP):
    _use_bias = False


@_register
class MLPClassifierOneHiddenLayer(_MLP):
    _fixed_hidden_units = (32,)


@_register
class MLPClassifierWrongDefaults(_MLP):
    def __init__(self, hidden_units=(64,), num_classes=10, **kwargs):
        super().__init__(hidden_units=hidden_units, num_classes=num_classes, **kwargs)


@_register
class MLPClassifierDropsKwargs(_MLP):
    def __init__(self, hidden_units=(32,), num_classes=10, **kwargs):
        super().__init__(hidden_units=hidden_units, num_classes=num_classes)


@_register
class MLPClassifierWithoutKwargs(_MLP):
    def __init__(self, hidden_units=(32,), num_classes=10):
        super().__init__(hidden_units=hidden_units, num_classes=num_classes)


@_register
class MLPClassifierWithoutGetConfig(_MLPBase):
    """Keras 3 generates a config for Model subclasses that lack get_config(), but it holds
    the default argument values, not the ones passed to this instance."""


@_register
class MLPClassifierFrozenOutput(_MLP):
    """Reads the output kernel through NumPy, so no gradient reaches it."""

    def call(self, inputs):
        x = inputs
        for layer in self.hidden_layers:
            x = layer(x)
        logits = self.output_layer(x)
        bias = self.output_layer.bias
        return logits - bias + ops.convert_to_numpy(bias)


@pytest.mark.parametrize(
    "model_class", [MLPClassifier, MLPClassifierSequentialBody, MLPClassifierBuiltLazily]
)
def test_mlp_classifier_right_solutions_pass(model_class):
    start = time.perf_counter()
    report = check_mlp_classifier(model_class)
    assert report.passed, report
    assert repr(report).startswith("✅ 연습 7-1 MLPClassifier 모델: 통과했습니다 (")
    assert time.perf_counter() - start < 10


@pytest.mark.filterwarnings("ignore:.*received `from_logits=True`")
def test_mlp_classifier_rejects_softmax_probabilities():
    report = check_mlp_classifier(MLPClassifierSoftmax)
    assert_fails_with(
        report,
        "출력이 로짓이 아니라 소프트맥스 확률입니다",
        'activation="softmax"를 빼고 로짓을 그대로 돌려주세요',
    )


def test_mlp_classifier_without_hidden_relu():
    assert_fails_with(
        check_mlp_classifier(MLPClassifierWithoutHiddenRelu), "은닉층에 ReLU가 없습니다"
    )


def test_mlp_classifier_without_bias():
    assert_fails_with(
        check_mlp_classifier(MLPClassifierWithoutBias),
        "[(3,), (4,), (4, 3), (6, 8), (8,), (8, 4)]여야 하는데 [(3,), (4, 3), (6, 8), (8, 4)]",
        "편향 있는 Dense",
    )


def test_mlp_classifier_must_be_a_model():
    class NotAModel(keras.layers.Layer):
        pass

    report = check_mlp_classifier(NotAModel)
    assert len(report.failures) == 1
    assert report.failures[0].startswith("keras.Model을 상속해야 하는데 NotAModel의 부모 클래스는")


def test_mlp_classifier_instance_instead_of_class():
    report = check_mlp_classifier(MLPClassifier())
    assert not report.passed and "model_class에는 클래스 자체를 넘겨야 합니다" in str(report), (
        report
    )


def test_mlp_classifier_not_registered():
    report = check_mlp_classifier(MLPClassifierNotRegistered)
    assert report.failures == [
        "클래스가 직렬화 등록부에 등록되지 않았습니다 "
        '(@keras.saving.register_keras_serializable()를 붙이세요. 예: package="exercises").'
    ]


def test_mlp_classifier_without_kwargs():
    report = check_mlp_classifier(MLPClassifierWithoutKwargs)
    assert len(report.failures) == 1
    assert report.failures[0].startswith(
        'MLPClassifier(hidden_units=(8, 4), num_classes=3, name="mlp") 만들기 중에 예외가 '
        "났습니다: TypeError:"
    )


def test_mlp_classifier_drops_kwargs():
    report = check_mlp_classifier(MLPClassifierDropsKwargs)
    assert report.failures == [
        "모델 이름이 \"mlp\"여야 하는데 'mlp_classifier_drops_kwargs'입니다 "
        "(**kwargs를 super().__init__(**kwargs)에 넘기세요)."
    ]


def test_mlp_classifier_ignores_hidden_units():
    report = check_mlp_classifier(MLPClassifierOneHiddenLayer)
    assert report.failures == [
        "hidden_units=(8, 4), num_classes=3, 입력 특성 6개일 때 훈련 가능 가중치의 모양이 "
        "[(3,), (4,), (4, 3), (6, 8), (8,), (8, 4)]여야 하는데 "
        "[(3,), (6, 32), (32,), (32, 3)]입니다 "
        "(hidden_units의 원소마다 편향 있는 Dense 층을 하나씩 만드세요)."
    ]


def test_mlp_classifier_wrong_defaults():
    assert_fails_with(
        check_mlp_classifier(MLPClassifierWrongDefaults),
        "기본값 hidden_units=(32,), num_classes=10이면 가중치 모양이",
        "생성자 기본값을 확인하세요",
    )


def test_mlp_classifier_without_get_config_keeps_the_defaults():
    report = check_mlp_classifier(MLPClassifierWithoutGetConfig)
    assert report.failures[0] == (
        'get_config()["hidden_units"]가 (8, 4)여야 하는데 (32,)입니다 '
        "(Model 서브클래스는 get_config()를 직접 써야 합니다)."
    )
    assert report.failures[1] == 'get_config()["num_classes"]: 3이어야 하는데 10입니다.'


def test_mlp_classifier_weight_read_through_numpy():
    assert_fails_with(
        check_mlp_classifier(MLPClassifierFrozenOutput),
        "에 경사가 흐르지 않습니다",
        "logits/bias",
    )


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


class BlockWithRawWeights(keras.layers.Layer):
    """A right solution of another shape: add_weight() instead of Dense layers."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        n = input_shape[-1]
        self.w2 = self.add_weight(shape=(self.units, self.units), name="w2")
        self.b2 = self.add_weight(shape=(self.units,), initializer="zeros", name="b2")
        self.w1 = self.add_weight(shape=(n, self.units), name="w1")
        self.b1 = self.add_weight(shape=(self.units,), initializer="zeros", name="b1")
        self.p = self.add_weight(shape=(n, self.units), name="p") if n != self.units else None

    def call(self, x):
        h = ops.relu(ops.matmul(x, self.w1) + self.b1)
        shortcut = x if self.p is None else ops.matmul(x, self.p)
        return ops.relu(ops.matmul(h, self.w2) + self.b2 + shortcut)

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


class BlockWithoutInnerRelu(DenseResidualBlock):
    def __init__(self, units, **kwargs):
        super().__init__(units, **kwargs)
        self.dense_1 = keras.layers.Dense(units, name="dense_1")


class BlockLooksAtAxisOne(DenseResidualBlock):
    def build(self, input_shape):
        if input_shape[1] != self.units:
            self.projection = keras.layers.Dense(self.units, use_bias=False, name="projection")
            self.projection.build(input_shape)
        self.dense_1.build(input_shape)
        self.dense_2.build((*input_shape[:-1], self.units))


class BlockDropsKwargs(DenseResidualBlock):
    def __init__(self, units, **kwargs):
        super().__init__(units)


@pytest.mark.parametrize("layer_class", [DenseResidualBlock, BlockWithRawWeights])
def test_dense_residual_block_right_solutions_pass(layer_class):
    assert_passes_quickly(check_dense_residual_block, layer_class)


@pytest.mark.filterwarnings("ignore:Gradients do not exist")
def test_dense_residual_block_without_shortcut():
    assert_fails_with(
        check_dense_residual_block(BlockWithoutShortcut),
        "폭이 같을 때 (입력 폭 4, units=4): 출력이 기대한 값",
        "지름길이 빠졌습니다",
        "projection/kernel']에 경사가 흐르지 않습니다",
    )


def test_dense_residual_block_always_projects():
    report = check_dense_residual_block(BlockAlwaysProjects)
    assert report.failures[0] == (
        "입력 폭이 units와 같으면 가중치가 4개(Dense 두 개의 커널과 편향)여야 하는데 "
        "5개입니다 (투영은 폭이 다를 때만 만드세요)."
    )


def test_dense_residual_block_never_projects():
    assert_fails_with(
        check_dense_residual_block(BlockNeverProjects),
        "폭이 다른 3차원 입력 (2, 6, 4)로 호출 중에 예외가 났습니다:",
    )


def test_dense_residual_block_relu_before_the_addition():
    assert_fails_with(
        check_dense_residual_block(BlockReluBeforeAdd),
        "ReLU를 두 경로를 더하기 전에 적용했습니다",
    )


def test_dense_residual_block_projection_with_bias():
    assert_fails_with(
        check_dense_residual_block(BlockProjectionWithBias),
        "입력 폭 4, units=6이면 가중치 모양이 [(4, 6), (4, 6), (6,), (6,), (6, 6)]여야 하는데 "
        "[(4, 6), (4, 6), (6,), (6,), (6,), (6, 6)]입니다",
    )


def test_dense_residual_block_without_relu_in_the_main_path():
    # Fresh (zero) biases and a positive shortcut hid this before; seeded weights show it.
    assert_fails_with(
        check_dense_residual_block(BlockWithoutInnerRelu),
        "폭이 같을 때 (입력 폭 4, units=4): 출력이 기대한 값",
        "첫 Dense에 ReLU가 있는지",
    )


def test_dense_residual_block_reading_axis_one():
    assert_fails_with(
        check_dense_residual_block(BlockLooksAtAxisOne),
        "폭이 다른 3차원 입력 (2, 6, 4)로 호출",
    )


def test_dense_residual_block_drops_kwargs():
    assert_fails_with(
        check_dense_residual_block(BlockDropsKwargs),
        '층 이름이 "block"이어야 하는데',
    )
