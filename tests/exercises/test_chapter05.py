"""Chapter 5 checkers: references pass, realistic mistakes fail with the right words."""

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


class SeedIgnored(TrainingNoise):
    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(stddev, seed=None, **kwargs)


def test_training_noise_reference_passes():
    report = check_training_noise(TrainingNoise)

    assert report.passed, report
    assert report.checks == 13


@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (AlwaysNoisy, ["training 없이 호출하면 입력이 그대로", "predict()는 training=False"]),
        (NoTrainingArgument, ["training=True로 호출하면 잡음이 더해져야"]),
        (IntegerSeedEveryCall, ["두 번째 호출의 잡음이 첫 번째와 같습니다"]),
        (
            VarianceInsteadOfStddev,
            ["표준편차는 stddev=0.5에 가까워야 하는데 0.2", "분산이 아니라"],
        ),
        (SeedIgnored, ["같은 seed로 만든 두 층의 첫 잡음이 같아야"]),
    ],
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
        return ops.max(ops.where(keep, inputs, lowest), axis=1)

    def compute_mask(self, inputs, mask=None):
        return None


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


def test_masked_max_reference_passes():
    report = check_masked_max(MaskedMax)

    assert report.passed, report
    assert report.checks == 7


@pytest.mark.parametrize(
    ("solution", "expected_phrases"),
    [
        (IgnoresMask, ["마스크를 무시하고", "패딩(0)을 덧붙여도"]),
        (ZeroFilled, ["0으로 채우면 값이 모두 음수인 행에서 0"]),
        (KeepsTheMask, ["compute_mask()는 None을 돌려줘야"]),
        (NoMaskingSupport, ["마스크를 지원하지 않는다"]),
        (WrongMaskArgumentName, ["패딩(0)을 덧붙여도 출력이"]),
    ],
)
def test_masked_max_mistakes_are_named(solution, expected_phrases):
    report = check_masked_max(solution)

    assert not report.passed
    text = str(report)
    for phrase in expected_phrases:
        assert phrase in text, text


def test_the_masked_max_reference_is_right_on_its_own():
    x = np.array([[[-2.0], [-1.0], [5.0]]], dtype="float32")
    y = MaskedMax()(x, mask=np.array([[True, True, False]]))

    np.testing.assert_array_equal(ops.convert_to_numpy(y), [[-1.0]])
