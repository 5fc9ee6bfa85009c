"""Tests for the chapter 10 checkers: each accepts 2 right and rejects 5 or more wrong answers.

Exercise 10-1 counts `tf.function` traces, so its checker grades on TensorFlow only and says so
elsewhere; exercises 10-2 and 10-3 are graded, and tested, on every backend.
"""

import statistics
import time

import keras
import numpy as np
import pytest

from companion import check_retrace_free_step, check_speedup, check_xla_layer


def _tf():
    import tensorflow as tf

    return tf


def _signature(model):
    tf = _tf()
    return [
        tf.TensorSpec((None, *model.input_shape[1:]), tf.float32),
        tf.TensorSpec((None, *model.output_shape[1:]), tf.float32),
    ]


# ---------------------------------------------------------------- 연습 10-1


def step_with_signature(model, optimizer):
    tf = _tf()

    @tf.function(input_signature=_signature(model))
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = keras.ops.mean(keras.ops.square(model(x, training=True) - y))
            loss = loss + sum(model.losses)
        gradients = tape.gradient(loss, model.trainable_weights)
        optimizer.apply(gradients, model.trainable_weights)
        return loss

    return train_step


def step_wrapped_later_with_mse_object(model, optimizer):
    """A different right answer: plain function wrapped afterwards, a Keras loss object."""
    tf = _tf()
    mse = keras.losses.MeanSquaredError()

    def one_step(x, y):
        with tf.GradientTape() as tape:
            loss = mse(y, model(x, training=True))
            for extra in model.losses:
                loss += extra
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    return tf.function(one_step, input_signature=_signature(model))


def step_without_tf_function(model, optimizer):
    return step_with_signature(model, optimizer).python_function


def step_without_signature(model, optimizer):
    tf = _tf()

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = keras.ops.mean(keras.ops.square(model(x, training=True) - y))
            loss = loss + sum(model.losses)
        gradients = tape.gradient(loss, model.trainable_weights)
        optimizer.apply(gradients, model.trainable_weights)
        return loss

    return train_step


def step_with_reduce_retracing(model, optimizer):
    tf = _tf()
    return tf.function(
        step_without_signature(model, optimizer).python_function, reduce_retracing=True
    )


def step_with_fixed_batch(model, optimizer):
    tf = _tf()
    signature = [
        tf.TensorSpec((8, *model.input_shape[1:]), tf.float32),
        tf.TensorSpec((8, *model.output_shape[1:]), tf.float32),
    ]
    return tf.function(
        step_without_signature(model, optimizer).python_function, input_signature=signature
    )


def step_with_hard_coded_width(model, optimizer):
    tf = _tf()
    signature = [tf.TensorSpec((None, 4), tf.float32), tf.TensorSpec((None, 1), tf.float32)]
    return tf.function(
        step_without_signature(model, optimizer).python_function, input_signature=signature
    )


def step_without_model_losses(model, optimizer):
    tf = _tf()

    @tf.function(input_signature=_signature(model))
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = keras.ops.mean(keras.ops.square(model(x, training=True) - y))
        gradients = tape.gradient(loss, model.trainable_weights)
        optimizer.apply(gradients, model.trainable_weights)
        return loss

    return train_step


def step_with_summed_errors(model, optimizer):
    tf = _tf()

    @tf.function(input_signature=_signature(model))
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = keras.ops.sum(keras.ops.square(model(x, training=True) - y))
            loss = loss + sum(model.losses)
        gradients = tape.gradient(loss, model.trainable_weights)
        optimizer.apply(gradients, model.trainable_weights)
        return loss

    return train_step


def step_without_update(model, optimizer):
    tf = _tf()

    @tf.function(input_signature=_signature(model))
    def train_step(x, y):
        loss = keras.ops.mean(keras.ops.square(model(x, training=True) - y))
        return loss + sum(model.losses)

    return train_step


def step_with_flipped_gradient(model, optimizer):
    tf = _tf()

    @tf.function(input_signature=_signature(model))
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = keras.ops.mean(keras.ops.square(model(x, training=True) - y))
            loss = loss + sum(model.losses)
        gradients = tape.gradient(loss, model.trainable_weights)
        optimizer.apply([-g for g in gradients], model.trainable_weights)
        return loss

    return train_step


@pytest.mark.tensorflow_only
@pytest.mark.parametrize("solution", [step_with_signature, step_wrapped_later_with_mse_object])
def test_retrace_free_step_accepts_right_solutions(solution):
    report = check_retrace_free_step(solution)
    assert report.passed, report


@pytest.mark.tensorflow_only
@pytest.mark.parametrize(
    ("solution", "message"),
    [
        (step_without_tf_function, "tf.function이 아닙니다"),
        (step_without_signature, "3번 추적했습니다"),
        (step_with_reduce_retracing, "2번 추적했습니다"),
        (step_with_fixed_batch, "배치 차원을 None으로"),
        (step_with_hard_coded_width, "3→2 모델"),
        (step_without_model_losses, "model.losses(활동 정칙화 손실)를 더하지 않은"),
        (step_with_summed_errors, "평균하지 않고 더한"),
        (step_without_update, "가중치가 그대로입니다"),
        (step_with_flipped_gradient, "경사의 부호"),
    ],
)
def test_retrace_free_step_rejects_wrong_solutions(solution, message):
    report = check_retrace_free_step(solution)
    assert not report.passed
    assert message in str(report), str(report)


def test_retrace_free_step_is_graded_only_on_tensorflow():
    # Chapter 10's exercise intro: "연습 10-1은 … TensorFlow 백엔드에서만 채점하고".
    report = check_retrace_free_step(step_with_signature)
    if keras.backend.backend() == "tensorflow":
        assert report.passed, report
    else:
        assert not report.passed
        assert "TensorFlow 백엔드에서만 채점합니다" in str(report), str(report)
        assert f"지금 백엔드: {keras.backend.backend()}" in str(report), str(report)


# ---------------------------------------------------------------- 연습 10-2


class SoftClip(keras.layers.Layer):
    def __init__(self, limit=3.0, **kwargs):
        super().__init__(**kwargs)
        if not limit > 0:
            raise ValueError(f"limit은 0보다 커야 합니다. 받은 값: limit={limit!r}")
        self.limit = float(limit)

    def call(self, inputs):
        return self.limit * keras.ops.tanh(inputs / self.limit)

    def get_config(self):
        return {**super().get_config(), "limit": self.limit}


class SoftClipViaSigmoid(keras.layers.Layer):
    """A different right answer: tanh(u) = 2·sigmoid(2u) − 1, validation before super()."""

    def __init__(self, limit=3.0, name=None, **kwargs):
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit <= 0:
            raise ValueError(f"limit must be positive, received limit={limit}")
        super().__init__(name=name, **kwargs)
        self.limit = limit

    def call(self, inputs):
        return self.limit * (2.0 * keras.ops.sigmoid(2.0 * inputs / self.limit) - 1.0)

    def get_config(self):
        config = super().get_config()
        config.update(limit=self.limit)
        return config


class SoftClipWithNumpy(SoftClip):
    def call(self, inputs):
        return self.limit * np.tanh(inputs / self.limit)


class SoftClipWithPyFunction(SoftClip):
    def call(self, inputs):
        tf = _tf()
        return tf.py_function(
            lambda t: self.limit * tf.tanh(t / self.limit), [inputs], inputs.dtype
        )


class SoftClipNotJittable(SoftClip):
    def __init__(self, limit=3.0, **kwargs):
        super().__init__(limit=limit, **kwargs)
        self.supports_jit = False


class SoftClipWithoutDivision(SoftClip):
    def call(self, inputs):
        return self.limit * keras.ops.tanh(inputs)


class SoftClipIgnoringLimit(SoftClip):
    def call(self, inputs):
        return 3.0 * keras.ops.tanh(inputs / 3.0)


class SoftClipWithoutValidation(SoftClip):
    def __init__(self, limit=3.0, **kwargs):
        keras.layers.Layer.__init__(self, **kwargs)
        self.limit = float(limit)


class SoftClipWithoutConfig(SoftClip):
    def get_config(self):
        return keras.layers.Layer.get_config(self)


class SoftClipWrongDefault(SoftClip):
    def __init__(self, limit=1.0, **kwargs):
        super().__init__(limit=limit, **kwargs)


@pytest.mark.parametrize("solution", [SoftClip, SoftClipViaSigmoid])
def test_xla_layer_accepts_right_solutions(solution):
    report = check_xla_layer(solution)
    assert report.passed, report


@pytest.mark.parametrize(
    ("solution", "message"),
    [
        (SoftClipWithNumpy, "예외가 났습니다"),
        pytest.param(
            SoftClipWithPyFunction,
            "tf.py_function은 XLA로 컴파일할 수 없습니다",
            marks=pytest.mark.tensorflow_only,  # tf.py_function is TensorFlow's
        ),
        (SoftClipNotJittable, "supports_jit이 False"),
        (SoftClipWithoutDivision, "inputs를 limit으로 나누세요"),
        (SoftClipIgnoringLimit, "3.0을 쓰고 있습니다"),
        (SoftClipWithoutValidation, "ValueError가 나야 하는데"),
        (SoftClipWithoutConfig, "get_config()의 limit"),
        (SoftClipWrongDefault, "SoftClip()의 2차원 출력"),
    ],
)
def test_xla_layer_rejects_wrong_solutions(solution, message):
    report = check_xla_layer(solution)
    assert not report.passed
    assert message in str(report), str(report)


def test_xla_layer_needs_a_class():
    report = check_xla_layer(SoftClip())
    assert not report.passed and "클래스 자체를" in str(report), report


# ---------------------------------------------------------------- 연습 10-3


def _check_arguments(repeats, warmup):
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats는 양의 정수여야 합니다. 받은 값: repeats={repeats!r}")
    if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"warmup은 0 이상의 정수여야 합니다. 받은 값: warmup={warmup!r}")


def _times(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def speedup(baseline, candidate, repeats=5, warmup=1):
    _check_arguments(repeats, warmup)
    for _ in range(warmup):
        baseline()
        candidate()
    return statistics.median(_times(baseline, repeats)) / statistics.median(
        _times(candidate, repeats)
    )


def speedup_interleaved_numpy(baseline, candidate, repeats=5, warmup=1):
    """A different right answer: interleaved timing, np.median, warm-up one function at a time."""
    _check_arguments(repeats, warmup)
    for fn in (baseline, candidate):
        for _ in range(warmup):
            fn()
    measured = {baseline: [], candidate: []}
    for _ in range(repeats):
        for fn in (baseline, candidate):
            start = time.perf_counter()
            fn()
            measured[fn].append(time.perf_counter() - start)
    return float(np.median(measured[baseline]) / np.median(measured[candidate]))


def speedup_timing_warmup(baseline, candidate, repeats=5, warmup=1):
    _check_arguments(repeats, warmup)
    return statistics.median(_times(baseline, warmup + repeats)) / statistics.median(
        _times(candidate, warmup + repeats)
    )


def speedup_without_warmup(baseline, candidate, repeats=5, warmup=1):
    _check_arguments(repeats, warmup)
    return statistics.median(_times(baseline, repeats)) / statistics.median(
        _times(candidate, repeats)
    )


def speedup_with_mean(baseline, candidate, repeats=5, warmup=1):
    _check_arguments(repeats, warmup)
    for _ in range(warmup):
        baseline()
        candidate()
    return statistics.mean(_times(baseline, repeats)) / statistics.mean(_times(candidate, repeats))


def speedup_with_min(baseline, candidate, repeats=5, warmup=1):
    _check_arguments(repeats, warmup)
    for _ in range(warmup):
        baseline()
        candidate()
    return min(_times(baseline, repeats)) / min(_times(candidate, repeats))


def speedup_inverted(baseline, candidate, repeats=5, warmup=1):
    return 1.0 / speedup(baseline, candidate, repeats=repeats, warmup=warmup)


def speedup_hard_coded_repeats(baseline, candidate, repeats=5, warmup=1):
    return speedup(baseline, candidate, repeats=5, warmup=warmup)


def speedup_without_validation(baseline, candidate, repeats=5, warmup=1):
    for _ in range(warmup):
        baseline()
        candidate()
    b, c = _times(baseline, repeats), _times(candidate, repeats)
    return statistics.median(b) / statistics.median(c) if b and c else 1.0


def speedup_with_time_time_imported(baseline, candidate, repeats=5, warmup=1):
    """Reads a clock the checker cannot replace (bound before the check)."""
    _check_arguments(repeats, warmup)
    clock = _REAL_PERF_COUNTER
    for _ in range(warmup):
        baseline()
        candidate()
    times = {}
    for fn in (baseline, candidate):
        values = []
        for _ in range(repeats):
            start = clock()
            fn()
            values.append(clock() - start + 1e-9)
        times[fn] = statistics.median(values)
    return times[baseline] / times[candidate]


_REAL_PERF_COUNTER = time.perf_counter


@pytest.mark.parametrize("solution", [speedup, speedup_interleaved_numpy])
def test_speedup_accepts_right_solutions(solution):
    report = check_speedup(solution)
    assert report.passed, report


@pytest.mark.parametrize(
    ("solution", "message"),
    [
        (speedup_timing_warmup, "호출의 시간까지 재고"),
        (speedup_without_warmup, "워밍업 1번 + 측정 5번"),
        (speedup_with_mean, "평균이 아니라 중앙값"),
        (speedup_with_min, "최솟값이 아니라 중앙값"),
        (speedup_inverted, "비율이 뒤집혔습니다"),
        (speedup_hard_coded_repeats, "측정 3번"),
        (speedup_without_validation, "ValueError가 나야 하는데"),
        (speedup_with_time_time_imported, "시계를 한 번도 읽지 않았습니다"),
    ],
)
def test_speedup_rejects_wrong_solutions(solution, message):
    report = check_speedup(solution)
    assert not report.passed
    assert message in str(report), str(report)
