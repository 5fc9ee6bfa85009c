"""Chapter 6 checkers: two right solutions each pass, mistakes fail with the right words."""

import keras
import numpy as np
import pytest
from keras import ops

from companion.exercises import check_min_max_scaler, check_rms_norm, check_time_summary

# --- Exercise 6-1: TimeSummary --------------------------------------------------------------


class TimeSummary(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def call(self, inputs):
        return ops.concatenate([ops.mean(inputs, axis=1), ops.max(inputs, axis=1)], axis=-1)

    def compute_output_shape(self, input_shape):
        batch_size, _, features = input_shape
        return (batch_size, None if features is None else 2 * features)


class StackedTimeSummary(keras.layers.Layer):
    """A second right solution: stacks both statistics, reshapes, fixes the last axis in build."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def build(self, input_shape):
        self.input_spec = keras.layers.InputSpec(ndim=3, axes={-1: input_shape[-1]})

    def call(self, inputs):
        stats = ops.concatenate(
            [ops.mean(inputs, axis=1, keepdims=True), ops.max(inputs, axis=1, keepdims=True)],
            axis=1,
        )
        return ops.reshape(stats, (-1, 2 * ops.shape(inputs)[-1]))

    def compute_output_shape(self, input_shape):
        features = input_shape[-1]
        return tuple(input_shape[:1]) + (features * 2 if features is not None else None,)


class NoInputSpec(TimeSummary):
    def __init__(self, **kwargs):
        keras.layers.Layer.__init__(self, **kwargs)


class HandWrittenRankCheck(NoInputSpec):
    def call(self, inputs):
        if len(inputs.shape) != 3:
            raise ValueError("입력은 3차원이어야 합니다.")
        return super().call(inputs)


class MinNdimSpec(TimeSummary):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = keras.layers.InputSpec(min_ndim=3)


class MaxThenMean(TimeSummary):
    def call(self, inputs):
        return ops.concatenate([ops.max(inputs, axis=1), ops.mean(inputs, axis=1)], axis=-1)


class FeatureAxis(TimeSummary):
    def call(self, inputs):
        return ops.concatenate([ops.mean(inputs, axis=2), ops.max(inputs, axis=2)], axis=-1)


class ShapeNotDoubled(TimeSummary):
    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])


class ShapeWithoutBatch(TimeSummary):
    def compute_output_shape(self, input_shape):
        return (None, 2 * input_shape[-1])


class NoComputeOutputShape(TimeSummary):
    compute_output_shape = keras.layers.Layer.compute_output_shape


class NoKwargs(TimeSummary):
    def __init__(self):
        super().__init__()


@pytest.mark.parametrize("solution", [TimeSummary, StackedTimeSummary])
def test_time_summary_right_solutions_pass(solution):
    report = check_time_summary(solution)

    assert report.passed, report
    assert report.checks == 12


@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (NoInputSpec, ["InputSpec(ndim=3)을 두어야", "input_spec이 None"]),
        (HandWrittenRankCheck, ["직접 쓴 차원 검사 대신 InputSpec"]),
        (MinNdimSpec, ["ndim이 3이어야 하는데 ndim=None, min_ndim=3", "4차원 입력"]),
        (MaxThenMean, ["순서가 바뀌었습니다"]),
        (FeatureAxis, ["시간 축(1)을 따라"]),
        (ShapeNotDoubled, ["compute_output_shape((None, None, 5)): (None, 10)이어야 하는데"]),
        (ShapeWithoutBatch, ["compute_output_shape((7, 3, 2)): (7, 4)이어야", "(None, 4, None)"]),
        (NoComputeOutputShape, ["compute_output_shape((None, None, 5)) 중에 예외", "Not"]),
        (NoKwargs, ["만들기 중에 예외가 났습니다: TypeError"]),
    ],
)
def test_time_summary_mistakes_are_named(solution, expected_phrases):
    report = check_time_summary(solution)

    assert not report.passed
    text = str(report)
    for phrase in expected_phrases:
        assert phrase in text, text


def test_the_time_summary_reference_is_right_on_its_own():
    x = np.array([[[1.0, -2.0], [3.0, -4.0]]], dtype="float32")

    y = ops.convert_to_numpy(TimeSummary()(x))

    np.testing.assert_allclose(y, [[2.0, -3.0, 3.0, -2.0]])


# --- Exercise 6-2: RMSNorm ------------------------------------------------------------------


class RMSNorm(keras.layers.Layer):
    def __init__(self, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        mean_square = ops.mean(ops.square(x), axis=-1, keepdims=True)
        normalized = x * ops.rsqrt(mean_square + self.epsilon)
        return ops.cast(normalized, self.compute_dtype) * self.scale

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


class RMSNormAutoConfig(keras.layers.Layer):
    """A second right solution: divides by the RMS, multiplies in float32, relies on auto-config."""

    def __init__(self, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        rms = ops.sqrt(ops.mean(x * x, axis=-1, keepdims=True) + self.epsilon)
        y = x / rms * ops.cast(self.scale, "float32")
        return ops.cast(y, inputs.dtype)


class Float16Statistics(RMSNorm):
    def call(self, inputs):
        mean_square = ops.mean(ops.square(inputs), axis=-1, keepdims=True)
        return inputs * ops.rsqrt(mean_square + self.epsilon) * self.scale


class NoScale(RMSNorm):
    def build(self, input_shape):
        pass

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        y = x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + self.epsilon)
        return ops.cast(y, self.compute_dtype)


class ScaleNotApplied(RMSNorm):
    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        y = x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + self.epsilon)
        return ops.cast(y, self.compute_dtype)


class LayerNormInstead(RMSNorm):
    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        x = x - ops.mean(x, axis=-1, keepdims=True)
        return super().call(x)


class EpsilonOutsideSqrt(RMSNorm):
    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        rms = ops.sqrt(ops.mean(ops.square(x), axis=-1, keepdims=True)) + self.epsilon
        return ops.cast(x / rms, self.compute_dtype) * self.scale


class Float16Scale(RMSNorm):
    def build(self, input_shape):
        self.scale = self.add_weight(
            name="scale", shape=(input_shape[-1],), initializer="ones", dtype=self.compute_dtype
        )


class ReturnsFloat32(RMSNorm):
    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        y = x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + self.epsilon)
        return y * ops.cast(self.scale, "float32")


class HardCodedAxis(RMSNorm):
    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(input_shape[1],), initializer="ones")


class ScaleFromNumpy(RMSNorm):
    def call(self, inputs):
        scale = np.asarray(keras.ops.convert_to_numpy(self.scale))
        x = ops.cast(inputs, "float32")
        y = x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + self.epsilon)
        return ops.cast(y * scale, self.compute_dtype)


class ForgetsEpsilonInConfig(RMSNorm):
    def get_config(self):
        config = super().get_config()
        del config["epsilon"]
        return config


@pytest.mark.parametrize("solution", [RMSNorm, RMSNormAutoConfig])
def test_rms_norm_right_solutions_pass(solution):
    report = check_rms_norm(solution)

    assert report.passed, report
    assert report.checks == 15


@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (Float16Statistics, ["mixed_float16에서 크기가 수백~수천인 입력", "65,504"]),
        (NoScale, ["훈련 가능 가중치 scale 하나만"]),
        (ScaleNotApplied, ["scale을 곱하지 않은 값"]),
        (LayerNormInstead, ["LayerNormalization"]),
        (EpsilonOutsideSqrt, ["epsilon을 제곱근 밖에서"]),
        (Float16Scale, ["mixed_float16에서 scale은 변수 자료형 float32"]),
        (ReturnsFloat32, ["mixed_float16에서 출력 자료형 (연산 자료형): 'float16'이어야"]),
        (HardCodedAxis, ["입력 (2, 4, 6)에서 scale의 모양 (입력의 마지막 차원): (6,)이어야"]),
        (ScaleFromNumpy, ["fit() 한 단계 중에 예외", "CompiledConversionError"]),
        (ForgetsEpsilonInConfig, ["epsilon=0.1을 잃었습니다"]),
    ],
)
def test_rms_norm_mistakes_are_named(solution, expected_phrases):
    report = check_rms_norm(solution)

    assert not report.passed
    text = str(report)
    for phrase in expected_phrases:
        assert phrase in text, text


def test_float16_statistics_really_overflow():
    layer = Float16Statistics(dtype="mixed_float16")

    y = ops.convert_to_numpy(ops.cast(layer(np.full((1, 4), 300.0, "float32")), "float32"))

    assert np.all(y == 0.0)


# --- Exercise 6-3: MinMaxScaler -------------------------------------------------------------


class MinMaxScaler(keras.layers.Layer):
    def build(self, input_shape):
        features = input_shape[-1]
        self.minimum = self.add_weight(
            name="minimum", shape=(features,), initializer="zeros", trainable=False
        )
        self.maximum = self.add_weight(
            name="maximum", shape=(features,), initializer="ones", trainable=False
        )

    def adapt(self, data):
        data = np.asarray(data, dtype="float32")
        if not self.built:
            self.build(data.shape)
        self.minimum.assign(data.min(axis=0))
        self.maximum.assign(data.max(axis=0))

    def call(self, inputs):
        scale = ops.maximum(self.maximum - self.minimum, keras.config.epsilon())
        return (inputs - self.minimum) / scale


class VariableScaler(keras.layers.Layer):
    """A second right solution: keras.Variable attributes, ops statistics, epsilon added."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = 1e-7

    def build(self, input_shape):
        shape = (input_shape[-1],)
        self.minimum = keras.Variable(np.zeros(shape), dtype="float32", trainable=False)
        self.maximum = keras.Variable(np.zeros(shape), dtype="float32", trainable=False)

    def adapt(self, data):
        data = ops.convert_to_tensor(data, dtype="float32")
        if not self.built:
            self.build((None, data.shape[-1]))
        self.minimum.assign(ops.min(data, axis=0))
        self.maximum.assign(ops.max(data, axis=0))

    def call(self, inputs):
        return ops.divide(
            ops.subtract(inputs, self.minimum),
            ops.subtract(self.maximum, self.minimum) + self.epsilon,
        )

    def compute_output_shape(self, input_shape):
        return input_shape


class NumpyStateNotSaved(keras.layers.Layer):
    """The pattern the chapter calls a trap: NumPy state, lost on save and reload."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.minimum = self.maximum = None

    def adapt(self, data):
        data = np.asarray(data, dtype="float32")
        self.minimum, self.maximum = data.min(axis=0), data.max(axis=0)

    def call(self, inputs):
        scale = np.maximum(self.maximum - self.minimum, keras.config.epsilon())
        return (inputs - ops.convert_to_tensor(self.minimum)) / ops.convert_to_tensor(scale)

    def compute_output_shape(self, input_shape):
        return input_shape


class NumpyStateSaved(NumpyStateNotSaved):
    """The former model answer: saved by save_own_variables(), but not in weights."""

    def save_own_variables(self, store):
        store["minimum"], store["maximum"] = self.minimum, self.maximum

    def load_own_variables(self, store):
        self.minimum, self.maximum = np.asarray(store["minimum"]), np.asarray(store["maximum"])


class NoEpsilon(MinMaxScaler):
    def call(self, inputs):
        return (inputs - self.minimum) / (self.maximum - self.minimum)


class TrainableRange(MinMaxScaler):
    def build(self, input_shape):
        self.minimum = self.add_weight(name="minimum", shape=(input_shape[-1],))
        self.maximum = self.add_weight(name="maximum", shape=(input_shape[-1],))


class ReplacesTheWeights(MinMaxScaler):
    def adapt(self, data):
        data = np.asarray(data, dtype="float32")
        if not self.built:
            self.build(data.shape)
        self.minimum = ops.convert_to_tensor(data.min(axis=0))
        self.maximum = ops.convert_to_tensor(data.max(axis=0))


class AlwaysBuilds(MinMaxScaler):
    def adapt(self, data):
        data = np.asarray(data, dtype="float32")
        self.build(data.shape)
        self.minimum.assign(data.min(axis=0))
        self.maximum.assign(data.max(axis=0))


class WeightsMadeInAdapt(keras.layers.Layer):
    def adapt(self, data):
        data = np.asarray(data, dtype="float32")
        self.minimum = self.add_weight(
            name="minimum", shape=data.shape[-1:], initializer="zeros", trainable=False
        )
        self.maximum = self.add_weight(
            name="maximum", shape=data.shape[-1:], initializer="zeros", trainable=False
        )
        self.minimum.assign(data.min(axis=0))
        self.maximum.assign(data.max(axis=0))

    def call(self, inputs):
        scale = ops.maximum(self.maximum - self.minimum, keras.config.epsilon())
        return (inputs - self.minimum) / scale


class DividesByMaximum(MinMaxScaler):
    def call(self, inputs):
        return (inputs - self.minimum) / self.maximum


class PerSampleStatistics(MinMaxScaler):
    def adapt(self, data):
        data = np.asarray(data, dtype="float32")
        if not self.built:
            self.build(data.shape)
        self.minimum.assign(data.min(axis=1)[: data.shape[1]])
        self.maximum.assign(data.max(axis=1)[: data.shape[1]])


class ScalerWithoutKwargs(MinMaxScaler):
    def __init__(self):
        super().__init__()


@pytest.mark.parametrize("solution", [MinMaxScaler, VariableScaler])
def test_min_max_scaler_right_solutions_pass(solution):
    report = check_min_max_scaler(solution)

    assert report.passed, report
    assert report.checks == 13


@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (
            NumpyStateNotSaved,
            [
                "훈련 불가능 가중치여야 하는데 {'minimum': 'ndarray', 'maximum': 'ndarray'}",
                "가중치 모양이 []",
                ".keras로 저장하고 불러와 predict() 중에 예외",
                "불러온 층에 범위가 없는 것 같습니다",
            ],
        ),
        (NumpyStateSaved, ["훈련 불가능 가중치여야 하는데", "가중치 모양이 []"]),
        (NoEpsilon, ["inf나 NaN이 없어야", "0으로 나누었습니다", "ops.maximum"]),
        (TrainableRange, ["훈련 가능 가중치가 없어야 하는데"]),
        (ReplacesTheWeights, ["가중치를 새 값으로 바꾸지 말고 self.minimum.assign"]),
        (AlwaysBuilds, ["이미 빌드된 층에 adapt() 중에 예외", "if not self.built"]),
        (WeightsMadeInAdapt, ["함수형 모델에 넣기 중에 예외", "adapt()가 아니라 build()에서"]),
        (DividesByMaximum, ["출력은 (x - minimum) / (maximum - minimum)"]),
        (PerSampleStatistics, ["특성마다(축 0) 구한"]),
        (ScalerWithoutKwargs, ["만들기 중에 예외가 났습니다: TypeError"]),
    ],
)
def test_min_max_scaler_mistakes_are_named(solution, expected_phrases):
    report = check_min_max_scaler(solution)

    assert not report.passed
    text = str(report)
    for phrase in expected_phrases:
        assert phrase in text, text


def test_the_numpy_state_really_is_lost_on_reload(tmp_path):
    # The wrong solution's reload really loses the range (the checker reports this, not a bug).
    layer = NumpyStateNotSaved()
    layer.adapt(np.array([[0.0, 1.0], [2.0, 3.0]], "float32"))
    inputs = keras.Input((2,))
    keras.Model(inputs, layer(inputs)).save(tmp_path / "scaler.keras")
    restored = keras.saving.load_model(
        tmp_path / "scaler.keras", custom_objects={"NumpyStateNotSaved": NumpyStateNotSaved}
    )
    assert restored.layers[-1].minimum is None


def test_no_epsilon_really_gives_nan_for_a_constant_feature():
    layer = NoEpsilon()
    layer.adapt(np.array([[1.0, 2.0], [3.0, 2.0]], "float32"))

    y = ops.convert_to_numpy(layer(np.array([[2.0, 2.0]], "float32")))

    assert np.isnan(y[0, 1]) and np.isfinite(y[0, 0])
