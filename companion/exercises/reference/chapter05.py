"""5장 연습 문제의 모범 답안: `05_training_and_mask.ipynb`의 "모범 답안" 셀과 같은 코드입니다.

채점기(`companion/exercises/chapter05.py`)가 독자의 답을 이 답과 같은 가중치로 맞춰 놓고
비교합니다. 노트북의 답을 고치면 여기도 고칩니다 (`tests/exercises/test_reference.py`가 둘이
같은지 확인합니다). 직렬화 등록 이름만 `solutions_chNN` 대신 `reference_chNN`입니다.
"""

import keras
from keras import ops


class TrainingNoise(keras.layers.Layer):
    """훈련할 때만 평균 0, 표준편차 stddev인 정규분포 잡음을 더하는 층."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = stddev
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=False):
        if not training:
            return inputs
        noise = keras.random.normal(
            ops.shape(inputs), stddev=self.stddev, dtype=inputs.dtype, seed=self.seed_generator
        )
        return inputs + noise


class MaskedMax(keras.layers.Layer):
    """마스크가 가리지 않은 시간 단계에서만 특성별 최댓값을 고르는 층."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        keep = ops.expand_dims(ops.cast(mask, "bool"), axis=-1)
        lowest = ops.full_like(inputs, float("-inf"))
        largest = ops.max(ops.where(keep, inputs, lowest), axis=1)
        # 모든 단계가 가려진 행은 -inf 대신 MaskedAverage처럼 0을 돌려줍니다.
        return ops.where(ops.any(keep, axis=1), largest, ops.zeros_like(largest))

    def compute_mask(self, inputs, mask=None):
        return None  # 시간 축이 사라지므로 마스크를 여기서 소비합니다.
