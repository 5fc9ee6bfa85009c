"""Checkers of chapter 5: right solutions of different shapes pass, plausible wrong ones fail and
name the requirement they break, with the same verdict on every backend."""

import re

import keras
import numpy as np
import pytest
from exercise_reports import assert_verdict, report_of, verdict_id
from keras import ops

from companion.exercises import check_masked_max, check_training_noise
from companion.exercises.reference import chapter05 as reference


class TrainingNoise(keras.layers.Layer):
    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = stddev
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=False):
        if training:
            noise = keras.random.normal(
                ops.shape(inputs), stddev=self.stddev, dtype=inputs.dtype, seed=self.seed_generator
            )
            return inputs + noise
        return inputs


class WrapsGaussianNoise(keras.layers.Layer):
    """A different right answer: delegate to Keras's own GaussianNoise layer."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.noise = keras.layers.GaussianNoise(stddev, seed=seed)

    def call(self, inputs, training=None):
        return self.noise(inputs, training=bool(training))


class ScaledStandardNormal(keras.layers.Layer):
    """Another right answer: scale a standard normal and switch with ops.where-free Python."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = float(stddev)
        self.generator = keras.random.SeedGenerator(seed=seed)

    def call(self, x, training=None):
        if not training:
            return x
        return x + self.stddev * keras.random.normal(ops.shape(x), seed=self.generator)


class AlwaysNoisy(TrainingNoise):
    def call(self, inputs, training=False):
        return super().call(inputs, training=True)


class NoTrainingArgument(TrainingNoise):
    def call(self, inputs):
        return inputs


class IntegerSeedEveryCall(TrainingNoise):
    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(stddev, seed, **kwargs)
        self.seed = seed

    def call(self, inputs, training=False):
        if training:
            return inputs + keras.random.normal(
                ops.shape(inputs), stddev=self.stddev, seed=self.seed
            )
        return inputs


class VarianceInsteadOfStddev(TrainingNoise):
    def call(self, inputs, training=False):
        if training:
            return inputs + keras.random.normal(
                ops.shape(inputs), stddev=self.stddev**2, seed=self.seed_generator
            )
        return inputs


class StddevIgnored(TrainingNoise):
    def call(self, inputs, training=False):
        if training:
            return inputs + 0.5 * keras.random.normal(ops.shape(inputs), seed=self.seed_generator)
        return inputs


class SeedIgnored(TrainingNoise):
    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(stddev, seed=None, **kwargs)


class NumpyNoise(TrainingNoise):
    def call(self, inputs, training=False):
        if training:
            return inputs + np.random.normal(0.0, self.stddev, size=(8, 6)).astype("float32")
        return inputs


class NumpyNoiseAnyShape(TrainingNoise):
    def call(self, inputs, training=False):
        if training:
            shape = tuple(inputs.shape)
            return inputs + np.random.normal(0.0, self.stddev, size=shape).astype("float32")
        return inputs


class OneNoisePerFeature(TrainingNoise):
    def call(self, inputs, training=False):
        if training:
            shape = (1,) + tuple(ops.shape(inputs)[1:])
            return inputs + keras.random.normal(shape, stddev=self.stddev, seed=self.seed_generator)
        return inputs


class RejectsName(TrainingNoise):
    def __init__(self, stddev, seed=None):
        super().__init__(stddev, seed)


class Rank2Only(TrainingNoise):
    def call(self, inputs, training=False):
        batch, features = ops.shape(inputs)
        if training:
            return inputs + keras.random.normal(
                (batch, features), stddev=self.stddev, seed=self.seed_generator
            )
        return inputs


# The model answer; the wrong answers below vary it.
MaskedMax = reference.MaskedMax


class PenaltyMaskedMax(keras.layers.Layer):
    """A different right answer: push masked steps far down, zero rows with nothing kept."""

    def __init__(self, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None

    def call(self, x, mask=None):
        if mask is None:
            return ops.max(x, axis=-2)
        kept = ops.cast(ops.expand_dims(mask, -1), x.dtype)
        largest = ops.max(x - 1e9 * (1.0 - kept), axis=-2)
        return largest * ops.max(kept, axis=-2)  # 0 where every step is masked


class NegativeInfinityForAllMasked(MaskedMax):
    """The former model answer: an all-masked row comes out as -inf."""

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        keep = ops.expand_dims(ops.cast(mask, "bool"), axis=-1)
        return ops.max(ops.where(keep, inputs, ops.full_like(inputs, float("-inf"))), axis=1)


class IgnoresMask(MaskedMax):
    def call(self, inputs, mask=None):
        return ops.max(inputs, axis=1)


class ZeroFilled(MaskedMax):
    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), axis=-1)
        return ops.max(inputs * weights, axis=1)


class KeepsTheMask(MaskedMax):
    compute_mask = keras.layers.Layer.compute_mask


class NoMaskingSupport(keras.layers.Layer):
    call = MaskedMax.call


class WrongMaskArgumentName(MaskedMax):
    def call(self, inputs, padding_mask=None):
        return super().call(inputs, padding_mask)


class FirstRowMaskForAll(MaskedMax):
    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        keep = ops.expand_dims(ops.expand_dims(ops.cast(mask[0], "bool"), 0), -1)
        return ops.max(ops.where(keep, inputs, float("-inf")), axis=1)


class NumpyMask(MaskedMax):
    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        keep = np.asarray(mask)[..., None]
        return ops.max(ops.where(keep, inputs, float("-inf")), axis=1)


class RejectsKeywordArguments(MaskedMax):
    def __init__(self):
        super().__init__()


class UniformNoise(TrainingNoise):
    """Wrong: mean 0 and standard deviation stddev, but uniform, not Gaussian."""

    def call(self, inputs, training=False):
        if not training:
            return inputs
        half_width = self.stddev * np.sqrt(3.0)
        return inputs + keras.random.uniform(
            ops.shape(inputs), -half_width, half_width, seed=self.seed_generator
        )


class SeedZeroWhenUnseeded(TrainingNoise):
    """Wrong: an unseeded layer silently uses seed 0, so every unseeded layer draws the same."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(stddev, seed=0 if seed is None else seed, **kwargs)


class NoiseOnlyInFit(keras.layers.Layer):
    """Right: keras.random.normal scaled by stddev, ops.where-free, training as a keyword."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = stddev
        self.rng = keras.random.SeedGenerator(seed)

    def call(self, inputs, *, training=None):
        if training:
            noise = keras.random.normal(ops.shape(inputs), seed=self.rng, dtype=inputs.dtype)
            inputs = inputs + self.stddev * noise
        return inputs


class SharedNoiseAcrossSamples(TrainingNoise):
    """Wrong: one noise vector per call, added to every sample."""

    def call(self, inputs, training=False):
        if not training:
            return inputs
        noise = keras.random.normal(
            ops.shape(inputs)[1:], stddev=self.stddev, seed=self.seed_generator
        )
        return inputs + noise


class MaskedMaxWithMinimumFill(keras.layers.Layer):
    """Right: masked steps filled with the dtype's lowest value, all-masked rows set to 0."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, x, mask=None):
        if mask is not None:
            keep = ops.cast(mask, "bool")[:, :, None]
            x = ops.where(keep, x, ops.full_like(x, -3.0e38))
            return ops.where(ops.any(keep, axis=1), ops.max(x, axis=1), 0.0)
        return ops.max(x, axis=1)

    def compute_mask(self, inputs, mask=None):
        return None


class MaskedMaxSqueezed(MaskedMax):
    """Wrong: squeeze without an axis: a batch of one loses its batch axis."""

    def call(self, inputs, mask=None):
        return ops.squeeze(super().call(inputs, mask))


VERDICTS = [
    (check_training_noise, reference.TrainingNoise, True),
    (check_training_noise, TrainingNoise, True),
    (check_training_noise, WrapsGaussianNoise, True),
    (check_training_noise, ScaledStandardNormal, True),
    (check_training_noise, NoiseOnlyInFit, True),
    (check_training_noise, AlwaysNoisy, "training=False이거나 training을 주지 않으면"),
    (check_training_noise, NoTrainingArgument, "training=True로 호출하면"),
    (check_training_noise, IntegerSeedEveryCall, "SeedGenerator(seed)로"),
    (check_training_noise, VarianceInsteadOfStddev, ("표준편차 stddev인 정규분포", "0.637")),
    (check_training_noise, StddevIgnored, "표준편차 stddev인 정규분포"),
    (check_training_noise, SeedIgnored, "같은 seed로 만든 두 층은 같은 잡음"),
    (check_training_noise, NumpyNoise, "요구 사항"),
    (check_training_noise, NumpyNoiseAnyShape, ("SeedGenerator(seed)로", "상수로 굳습니다")),
    (check_training_noise, OneNoisePerFeature, "원소마다 따로"),
    (check_training_noise, RejectsName, "name=, dtype= 등"),
    (check_training_noise, Rank2Only, "too many values to unpack"),
    (check_training_noise, UniformNoise, ("표준편차 stddev인 정규분포", "콜모고로프")),
    (check_training_noise, SeedZeroWhenUnseeded, "seed=None이면 SeedGenerator(None)에"),
    (check_training_noise, SharedNoiseAcrossSamples, "원소마다 따로"),
    (check_masked_max, reference.MaskedMax, True),
    (check_masked_max, PenaltyMaskedMax, True),
    (check_masked_max, MaskedMaxWithMinimumFill, True),
    (check_masked_max, NegativeInfinityForAllMasked, ("-inf", "MaskedAverage처럼 0")),
    (check_masked_max, IgnoresMask, "자기 마스크가 가린 단계를 무시"),
    (check_masked_max, ZeroFilled, "0으로 채우면 틀립니다"),
    (check_masked_max, KeepsTheMask, "compute_mask()가 None"),
    (check_masked_max, NoMaskingSupport, "마스크를 지원하지 않는다"),
    (check_masked_max, WrongMaskArgumentName, "unexpected keyword argument 'mask'"),
    (check_masked_max, FirstRowMaskForAll, "자기 마스크가 가린 단계를 무시"),
    (check_masked_max, NumpyMask, "요구 사항"),
    (check_masked_max, RejectsKeywordArguments, "name= 같은 키워드 인자"),
    (check_masked_max, MaskedMaxSqueezed, "특성 수와 배치 크기는"),
]


@pytest.mark.parametrize(("check", "solution", "expected"), VERDICTS, ids=verdict_id)
def test_verdict(check, solution, expected):
    assert_verdict(check, solution, expected)


def test_reports_of_the_model_answers():
    for check, solution in (
        (check_training_noise, reference.TrainingNoise),
        (check_masked_max, reference.MaskedMax),
    ):
        assert repr(report_of(check, solution)).startswith(f"✅ {check.title}: 통과했습니다 (")


def test_uniform_noise_is_told_apart_from_gaussian_noise_of_the_same_spread():
    # Mean and standard deviation agree; only the law differs (a moments test would pass it).
    (failure,) = report_of(check_training_noise, UniformNoise).failures
    assert "콜모고로프–스미르노프 검정" in failure
    numbers = [float(v) for v in re.findall(r"(?:평균|표준편차) (-?[0-9.]+)", failure)]
    wanted_mean, wanted_std, mean, std = numbers[:4]
    assert mean == pytest.approx(wanted_mean, abs=0.02)
    assert std == pytest.approx(wanted_std, abs=0.02)


def test_the_masked_max_reference_is_right_on_its_own():
    x = np.array([[[-2.0], [-1.0], [5.0]], [[-2.0], [-1.0], [5.0]]], dtype="float32")
    y = MaskedMax()(x, mask=np.array([[True, True, False], [False, False, False]]))

    np.testing.assert_array_equal(ops.convert_to_numpy(y), [[-1.0], [0.0]])


def test_the_former_answer_really_gives_negative_infinity_for_an_all_masked_row():
    x = np.array([[[-2.0], [-1.0]]], dtype="float32")

    y = NegativeInfinityForAllMasked()(x, mask=np.array([[False, False]]))

    assert np.isneginf(ops.convert_to_numpy(y)).all()
