"""Checkers of chapter 7: right solutions of different shapes pass, plausible wrong ones fail and
name the requirement they break, with the same verdict on every backend."""

import keras
import pytest
from exercise_reports import assert_verdict, report_of, verdict_id
from keras import ops

from companion.exercises import check_dense_residual_block, check_mlp_classifier
from companion.exercises.reference import chapter07 as reference

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
class MLPClassifierOwnConfigOnly(_MLPBase):
    """Right: get_config() written from scratch (no super().get_config(), so no 'trainable' or
    'dtype'); from_config() still rebuilds the same model with the defaults for those."""

    def get_config(self):
        return {
            "name": self.name,
            "hidden_units": list(self.hidden_units),
            "num_classes": self.num_classes,
        }


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


class NotAModel(keras.layers.Layer):
    pass


@_register
class MLPClassifierSoftmaxAtInference(_MLP):
    """Wrong: logits while training, probabilities otherwise."""

    def call(self, inputs, training=None):
        logits = super().call(inputs)
        return logits if training else ops.softmax(logits)


@_register
class MLPClassifierHiddenUnitsAsTuple(keras.Model):
    """Right: the config stores hidden_units as a tuple (JSON makes it a list)."""

    def __init__(self, hidden_units=(32,), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units, self.num_classes = tuple(hidden_units), num_classes
        self.body = [keras.layers.Dense(n, activation="relu") for n in self.hidden_units]
        self.head = keras.layers.Dense(num_classes)

    def call(self, x):
        for dense in self.body:
            x = dense(x)
        return self.head(x)

    def get_config(self):
        config = super().get_config()
        config.update(hidden_units=self.hidden_units, num_classes=self.num_classes)
        return config


class BlockProjectsAlwaysInCall(DenseResidualBlock):
    """Wrong: the projection kernel is applied twice on the shortcut."""

    def call(self, inputs):
        shortcut = inputs if self.projection is None else self.projection(self.projection(inputs))
        return ops.relu(self.dense_2(self.dense_1(inputs)) + shortcut)


VERDICTS = [
    (check_mlp_classifier, reference.MLPClassifier, True),
    (check_mlp_classifier, MLPClassifier, True),
    (check_mlp_classifier, MLPClassifierSequentialBody, True),
    (check_mlp_classifier, MLPClassifierOwnConfigOnly, True),
    (check_mlp_classifier, MLPClassifierBuiltLazily, True),
    (check_mlp_classifier, MLPClassifierHiddenUnitsAsTuple, True),
    (check_mlp_classifier, NotAModel, "keras.Model을 상속해야"),
    (check_mlp_classifier, MLPClassifierNotRegistered, "요구 사항 5"),
    (check_mlp_classifier, MLPClassifierSoftmax, ("요구 사항 2·3", "소프트맥스 확률입니다")),
    (check_mlp_classifier, MLPClassifierWithoutHiddenRelu, "요구 사항 2·3"),
    (check_mlp_classifier, MLPClassifierWithoutBias, "요구 사항 2·3"),
    (check_mlp_classifier, MLPClassifierOneHiddenLayer, "요구 사항 2·3"),
    (check_mlp_classifier, MLPClassifierWrongDefaults, "요구 사항 1: 기본값은"),
    (check_mlp_classifier, MLPClassifierDropsKwargs, "요구 사항 1: name="),
    (check_mlp_classifier, MLPClassifierWithoutKwargs, "unexpected keyword argument 'name'"),
    (check_mlp_classifier, MLPClassifierWithoutGetConfig, "요구 사항 4"),
    (check_mlp_classifier, MLPClassifierFrozenOutput, "요구 사항 6"),
    (check_mlp_classifier, MLPClassifierSoftmaxAtInference, "요구 사항 2·3"),
    (check_dense_residual_block, reference.DenseResidualBlock, True),
    (check_dense_residual_block, DenseResidualBlock, True),
    (check_dense_residual_block, BlockWithRawWeights, True),
    (check_dense_residual_block, BlockWithoutShortcut, "요구 사항 2·3·4"),
    (check_dense_residual_block, BlockAlwaysProjects, "요구 사항 2·3"),
    (check_dense_residual_block, BlockNeverProjects, "텐서 모양이 맞지 않습니다"),
    (check_dense_residual_block, BlockReluBeforeAdd, "요구 사항 2·3·4"),
    (check_dense_residual_block, BlockProjectionWithBias, "요구 사항 2·3"),
    (check_dense_residual_block, BlockWithoutInnerRelu, "요구 사항 2·3·4"),
    (check_dense_residual_block, BlockLooksAtAxisOne, "텐서 모양이 맞지 않습니다"),
    (check_dense_residual_block, BlockDropsKwargs, "요구 사항 1: name="),
    (check_dense_residual_block, BlockProjectsAlwaysInCall, "요구 사항 2·3·4"),
]


@pytest.mark.parametrize(("check", "solution", "expected"), VERDICTS, ids=verdict_id)
def test_verdict(check, solution, expected):
    assert_verdict(check, solution, expected)


def test_reports_of_the_model_answers():
    for check, solution in (
        (check_mlp_classifier, reference.MLPClassifier),
        (check_dense_residual_block, reference.DenseResidualBlock),
    ):
        assert repr(report_of(check, solution)).startswith(f"✅ {check.title}: 통과했습니다 (")


def test_mlp_classifier_instance_instead_of_class():
    report = check_mlp_classifier(MLPClassifier())
    assert not report.passed and "model_class에는 클래스 자체를 넘겨야 합니다" in str(report), (
        report
    )


def test_the_block_with_raw_weights_gets_the_reference_values_in_its_own_order():
    # Its kernels are made in another order than the reference's Dense layers; the two (4, 4)
    # kernels and the two (4,) biases are assigned by the output they reproduce.
    assert report_of(check_dense_residual_block, BlockWithRawWeights).passed
