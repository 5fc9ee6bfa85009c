"""10장 연습 문제의 모범 답안: `10_performance.ipynb`의 "모범 답안" 셀과 같은 코드입니다.

채점기(`companion/exercises/chapter10.py`)가 독자의 답을 이 답과 같은 가중치로 맞춰 놓고
비교합니다. 노트북의 답을 고치면 여기도 고칩니다 (`tests/exercises/test_reference.py`가 둘이
같은지 확인합니다). 직렬화 등록 이름만 `solutions_chNN` 대신 `reference_chNN`입니다.
"""

import statistics
import time

import keras
from keras import ops


def make_train_step(model, optimizer):
    # 노트북의 답안 셀처럼 함수 안에서 읽어 들입니다 (import companion은 TensorFlow 없이도 됩니다).
    import tensorflow as tf

    # 배치 차원만 None으로 두면 배치 크기가 달라도 그래프 하나로 충분합니다.
    signature = [
        tf.TensorSpec((None, *model.input_shape[1:]), tf.float32),
        tf.TensorSpec((None, *model.output_shape[1:]), tf.float32),
    ]

    @tf.function(input_signature=signature)
    def train_step(x, y):
        with tf.GradientTape() as tape:
            prediction = model(x, training=True)
            loss = ops.mean(ops.square(prediction - y)) + sum(model.losses)
        gradients = tape.gradient(loss, model.trainable_weights)
        optimizer.apply(gradients, model.trainable_weights)
        return loss

    return train_step


class SoftClip(keras.layers.Layer):
    def __init__(self, limit=3.0, **kwargs):
        super().__init__(**kwargs)
        if not limit > 0:
            raise ValueError(f"limit은 0보다 커야 합니다. 받은 값: limit={limit!r}")
        self.limit = float(limit)

    def call(self, inputs):
        # keras.ops만 쓰면 XLA가 그래프 전체를 컴파일할 수 있습니다.
        return self.limit * ops.tanh(inputs / self.limit)

    def get_config(self):
        return {**super().get_config(), "limit": self.limit}


def speedup(baseline, candidate, repeats=5, warmup=1):
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats는 양의 정수여야 합니다. 받은 값: repeats={repeats!r}")
    if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"warmup은 0 이상의 정수여야 합니다. 받은 값: warmup={warmup!r}")
    for _ in range(warmup):  # 추적과 컴파일은 재지 않습니다.
        baseline()
        candidate()

    def median_seconds(fn):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    return median_seconds(baseline) / median_seconds(candidate)
