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
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.minimum = None
        self.maximum = None

    def adapt(self, data):
        data = np.asarray(data, dtype="float32")
        self.minimum = data.min(axis=0)
        self.maximum = data.max(axis=0)

    def call(self, inputs):
        return (inputs - self.minimum) / (self.maximum - self.minimum)

    def compute_output_shape(self, input_shape):
        return input_shape

    def save_own_variables(self, store):
        store["minimum"] = self.minimum
        store["maximum"] = self.maximum

    def load_own_variables(self, store):
        self.minimum = np.asarray(store["minimum"])
        self.maximum = np.asarray(store["maximum"])


class PrecomputedRangeScaler(keras.layers.Layer):
    """A second right solution: keeps the range too, multiplies by its inverse, np.array() reads."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.minimum = self.maximum = self.inverse_range = None

    def adapt(self, data):
        self._set(np.min(data, axis=0), np.max(data, axis=0))

    def _set(self, minimum, maximum):
        self.minimum = np.array(minimum, dtype="float32")
        self.maximum = np.array(maximum, dtype="float32")
        self.inverse_range = 1.0 / (self.maximum - self.minimum)

    def call(self, inputs):
        return ops.multiply(ops.subtract(inputs, self.minimum), self.inverse_range)

    def compute_output_shape(self, input_shape):
        return input_shape

    def save_own_variables(self, store):
        store["maximum"] = self.maximum
        store["minimum"] = self.minimum

    def load_own_variables(self, store):
        self._set(np.array(store["minimum"]), np.array(store["maximum"]))


class NoSaveOwnVariables(MinMaxScaler):
    save_own_variables = keras.layers.Layer.save_own_variables
    load_own_variables = keras.layers.Layer.load_own_variables


class IndexKeys(MinMaxScaler):
    def save_own_variables(self, store):
        store["0"] = self.minimum
        store["1"] = self.maximum

    def load_own_variables(self, store):
        self.minimum = store["0"][...]
        self.maximum = store["1"][...]


class LoadDoesNothing(MinMaxScaler):
    def load_own_variables(self, store):
        pass


class DividesByMaximum(MinMaxScaler):
    def call(self, inputs):
        return (inputs - self.minimum) / self.maximum


class PerSampleStatistics(MinMaxScaler):
    def adapt(self, data):
        data = np.asarray(data, dtype="float32")
        self.minimum = data.min(axis=1)
        self.maximum = data.max(axis=1)


class NoOutputShape(MinMaxScaler):
    compute_output_shape = keras.layers.Layer.compute_output_shape


class ScalerWithoutKwargs(MinMaxScaler):
    def __init__(self):
        super().__init__()


@pytest.mark.parametrize("solution", [MinMaxScaler, PrecomputedRangeScaler])
def test_min_max_scaler_right_solutions_pass(solution):
    report = check_min_max_scaler(solution)

    assert report.passed, report
    assert report.checks == 11


@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (NoSaveOwnVariables, ["save_own_variables()가 저장한 키: ['maximum', 'minimum']이어야"]),
        (IndexKeys, ["저장한 키: ['maximum', 'minimum']이어야 하는데 ['0', '1']"]),
        (LoadDoesNothing, ["load_own_variables() 뒤 호출 중에 예외", "None"]),
        (DividesByMaximum, ["출력은 (x - minimum) / (maximum - minimum)"]),
        (PerSampleStatistics, ["특성마다(축 0) 구한"]),
        (ScalerWithoutKwargs, ["만들기 중에 예외가 났습니다: TypeError"]),
        (NoOutputShape, ["compute_output_shape((None, 3)) 중에 예외"]),
    ],
)
def test_min_max_scaler_mistakes_are_named(solution, expected_phrases):
    report = check_min_max_scaler(solution)

    assert not report.passed
    text = str(report)
    for phrase in expected_phrases:
        assert phrase in text, text
