"""Chapter 5 checkers: several right solutions pass; realistic mistakes fail, named."""

import keras
import numpy as np
import pytest
from keras import ops

from companion.exercises import check_masked_max, check_training_noise

# --- Exercise 5-1: TrainingNoise ------------------------------------------------------------


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


@pytest.mark.parametrize("solution", [TrainingNoise, WrapsGaussianNoise, ScaledStandardNormal])
def test_training_noise_right_solutions_pass(solution):
    report = check_training_noise(solution)

    assert report.passed, report
    assert report.checks >= 20


@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (AlwaysNoisy, ["training 없이 호출하면 입력이 그대로"]),
        (NoTrainingArgument, ["training=True로 호출하면 잡음이 더해져야"]),
        (IntegerSeedEveryCall, ["두 번째 호출의 잡음이 첫 번째와 같습니다"]),
        (VarianceInsteadOfStddev, ["표준편차는 0.5에 가까워야 하는데 0.2", "분산 stddev**2이"]),
        (StddevIgnored, ["stddev=0.8일 때 잡음의 표준편차", "고정된 값을"]),
        (SeedIgnored, ["같은 seed로 만든 두 층의 첫 잡음이 같아야"]),
        (NumpyNoise, ["예외가 났습니다"]),
        (NumpyNoiseAnyShape, ["tf.function", "상수로 굳은"]),
        (OneNoisePerFeature, ["원소마다 따로 뽑아야"]),
        (RejectsName, ['name="noise") 만들기 중에 예외가 났습니다']),
        (Rank2Only, ["(5, 2, 3)"]),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
def test_training_noise_mistakes_are_named(solution, expected_phrases):
    report = check_training_noise(solution)

    assert not report.passed
    text = str(report)
    for phrase in expected_phrases:
        assert phrase in text, text


# --- Exercise 5-2: MaskedMax ----------------------------------------------------------------


class MaskedMax(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        keep = ops.expand_dims(ops.cast(mask, "bool"), axis=-1)
        lowest = ops.full_like(inputs, float("-inf"))
        largest = ops.max(ops.where(keep, inputs, lowest), axis=1)
        return ops.where(ops.any(keep, axis=1), largest, ops.zeros_like(largest))

    def compute_mask(self, inputs, mask=None):
        return None


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


@pytest.mark.parametrize("solution", [MaskedMax, PenaltyMaskedMax])
def test_masked_max_right_solutions_pass(solution):
    report = check_masked_max(solution)

    assert report.passed, report
    assert report.checks == 13


@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (
            NegativeInfinityForAllMasked,
            [
                "모든 단계가 가려진 행(둘째 행)은 MaskedAverage처럼 0",
                "-inf가 나왔습니다",
                "ops.any",
            ],
        ),
        (IgnoresMask, ["마스크를 무시하고"]),
        (ZeroFilled, ["0으로 채우면 값이 모두 음수인 행에서 0", "-inf로 채운 뒤"]),
        (KeepsTheMask, ["compute_mask()는 None을 돌려줘야"]),
        (NoMaskingSupport, ["마스크를 지원하지 않는다"]),
        (WrongMaskArgumentName, ["unexpected keyword argument 'mask'"]),
        (FirstRowMaskForAll, ["첫 샘플의 마스크를 모든 샘플에"]),
        (NumpyMask, ["Embedding(mask_zero=True) 뒤에서 호출 중에 예외가 났습니다"]),
        (RejectsKeywordArguments, ['name="pool") 만들기 중에 예외가 났습니다']),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
def test_masked_max_mistakes_are_named(solution, expected_phrases):
    report = check_masked_max(solution)

    assert not report.passed
    text = str(report)
    for phrase in expected_phrases:
        assert phrase in text, text


def test_the_masked_max_reference_is_right_on_its_own():
    x = np.array([[[-2.0], [-1.0], [5.0]], [[-2.0], [-1.0], [5.0]]], dtype="float32")
    y = MaskedMax()(x, mask=np.array([[True, True, False], [False, False, False]]))

    np.testing.assert_array_equal(ops.convert_to_numpy(y), [[-1.0], [0.0]])


def test_the_former_answer_really_gives_negative_infinity_for_an_all_masked_row():
    x = np.array([[[-2.0], [-1.0]]], dtype="float32")

    y = NegativeInfinityForAllMasked()(x, mask=np.array([[False, False]]))

    assert np.isneginf(ops.convert_to_numpy(y)).all()
