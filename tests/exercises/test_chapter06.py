"""Checkers of chapter 6: right solutions of different shapes pass, plausible wrong ones fail and
name the requirement they break, with the same verdict on every backend."""

import keras
import numpy as np
import pytest
from exercise_reports import assert_verdict, report_of, verdict_id
from keras import ops

from companion.exercises import check_min_max_scaler, check_rms_norm, check_time_summary
from companion.exercises.reference import chapter06 as reference

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


def test_the_time_summary_reference_is_right_on_its_own():
    x = np.array([[[1.0, -2.0], [3.0, -4.0]]], dtype="float32")

    y = ops.convert_to_numpy(TimeSummary()(x))

    np.testing.assert_allclose(y, [[2.0, -3.0, 3.0, -2.0]])


# --- Exercise 6-2: RMSNorm ------------------------------------------------------------------


# The model answer; the wrong answers below vary it.
RMSNorm = reference.RMSNorm


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


class TimeSummaryBatchDropped(TimeSummary):
    """Wrong: compute_output_shape() drops a known batch size."""

    def compute_output_shape(self, input_shape):
        features = input_shape[-1]
        return (None, None if features is None else 2 * features)


class TimeSummaryConcatenatedByStacking(keras.layers.Layer):
    """Right: InputSpec in __init__, stacked and reshaped instead of concatenated."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def call(self, x):
        both = ops.stack([ops.mean(x, axis=1), ops.max(x, axis=1)], axis=1)
        return ops.reshape(both, (ops.shape(x)[0], -1))

    def compute_output_shape(self, input_shape):
        batch, _, features = input_shape
        return (batch, None if features is None else features * 2)


class RMSNormStopsScaleGradient(RMSNorm):
    """Wrong: the output is right but scale never trains."""

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        normalized = x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + self.epsilon)
        return ops.cast(normalized, self.compute_dtype) * ops.stop_gradient(self.scale)


class RMSNormNumpyConfig(RMSNorm):
    """Wrong: epsilon kept as a NumPy float, which json.dumps cannot write."""

    def get_config(self):
        return {**super().get_config(), "epsilon": np.float32(self.epsilon)}


class MinMaxScalerSecondAdaptKeepsFirstRange(MinMaxScaler):
    """Wrong: a second adapt() only widens the range it already has."""

    def adapt(self, data):
        data = np.asarray(data, dtype="float32")
        first = not self.built
        if first:
            self.build(data.shape)
            self.minimum.assign(data.min(axis=0))
            self.maximum.assign(data.max(axis=0))
            return
        self.minimum.assign(ops.minimum(self.minimum, data.min(axis=0)))
        self.maximum.assign(ops.maximum(self.maximum, data.max(axis=0)))


VERDICTS = [
    (check_time_summary, reference.TimeSummary, True),
    (check_time_summary, TimeSummary, True),
    (check_time_summary, StackedTimeSummary, True),
    (check_time_summary, TimeSummaryConcatenatedByStacking, True),
    (check_time_summary, NoInputSpec, "InputSpec(ndim=3)"),
    (check_time_summary, HandWrittenRankCheck, "InputSpec(ndim=3)"),
    (check_time_summary, MinNdimSpec, "ndim=None, min_ndim=3"),
    (check_time_summary, MaxThenMean, "[평균, 최댓값] 순서"),
    (check_time_summary, FeatureAxis, "[평균, 최댓값] 순서"),
    (check_time_summary, ShapeNotDoubled, "compute_output_shape"),
    (check_time_summary, ShapeWithoutBatch, "compute_output_shape"),
    (check_time_summary, NoComputeOutputShape, "compute_output_shape"),
    (check_time_summary, NoKwargs, "**kwargs"),
    (check_time_summary, TimeSummaryBatchDropped, "알려진 배치 크기는 그대로"),
    (check_rms_norm, reference.RMSNorm, True),
    (check_rms_norm, RMSNormAutoConfig, True),
    (check_rms_norm, Float16Statistics, "65,504"),
    (check_rms_norm, NoScale, "훈련 가능 가중치 scale 하나"),
    (check_rms_norm, ScaleNotApplied, "x / sqrt(mean(x²"),
    (check_rms_norm, LayerNormInstead, "평균을 빼지 않습니다"),
    (check_rms_norm, EpsilonOutsideSqrt, "epsilon은 제곱근 안에"),
    (check_rms_norm, Float16Scale, "add_weight()에 dtype을 주지 않습니다"),
    (check_rms_norm, ReturnsFloat32, "연산 자료형"),
    (check_rms_norm, HardCodedAxis, "텐서 모양이 맞지 않습니다"),
    (check_rms_norm, ScaleFromNumpy, "요구 사항"),
    (check_rms_norm, ForgetsEpsilonInConfig, "get_config()에 epsilon"),
    (check_rms_norm, RMSNormStopsScaleGradient, "scale이 경사를 받아야"),
    (check_rms_norm, RMSNormNumpyConfig, "get_config()에 epsilon"),
    (check_min_max_scaler, reference.MinMaxScaler, True),
    (check_min_max_scaler, MinMaxScaler, True),
    (check_min_max_scaler, VariableScaler, True),
    (check_min_max_scaler, NumpyStateNotSaved, "NumPy 배열 속성에 두지 않습니다"),
    (check_min_max_scaler, NumpyStateSaved, "NumPy 배열 속성에 두지 않습니다"),
    (check_min_max_scaler, NoEpsilon, "keras.config.epsilon()"),
    (check_min_max_scaler, TrainableRange, "훈련 불가능 가중치 minimum"),
    (check_min_max_scaler, ReplacesTheWeights, "요구 사항"),
    (check_min_max_scaler, AlwaysBuilds, "빌드되지 않았을 때만"),
    (check_min_max_scaler, WeightsMadeInAdapt, "요구 사항"),
    (check_min_max_scaler, DividesByMaximum, "(x - minimum) / (maximum - minimum)"),
    (check_min_max_scaler, PerSampleStatistics, "특성마다(축 0)"),
    (check_min_max_scaler, ScalerWithoutKwargs, "**kwargs"),
    (check_min_max_scaler, MinMaxScalerSecondAdaptKeepsFirstRange, "앞의 범위를 잊고"),
]


@pytest.mark.parametrize(("check", "solution", "expected"), VERDICTS, ids=verdict_id)
def test_verdict(check, solution, expected):
    assert_verdict(check, solution, expected)


def test_reports_of_the_model_answers():
    for check, solution in (
        (check_time_summary, reference.TimeSummary),
        (check_rms_norm, reference.RMSNorm),
        (check_min_max_scaler, reference.MinMaxScaler),
    ):
        assert repr(report_of(check, solution)).startswith(f"✅ {check.title}: 통과했습니다 (")
