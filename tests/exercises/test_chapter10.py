"""Checkers of chapter 10: right solutions of different shapes pass, plausible wrong ones fail and
name what they break, with the same verdict on every backend.

Exercise 10-1 counts `tf.function` traces, so its checker grades on TensorFlow only and says so
elsewhere; exercises 10-2 and 10-3 are graded, and tested, on every backend.
"""

import statistics
import time

import keras
import numpy as np
import pytest
from exercise_reports import assert_verdict, report_of, verdict_id

from companion import check_retrace_free_step, check_speedup, check_xla_layer
from companion.exercises.reference import chapter10 as reference


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


class SoftClipSkippingSmallInputs(SoftClip):
    # Wrong on every backend: a Python `if` on a tensor comparison ("tanh(x) ~ x for small x").
    # tf.function and jax.jit cannot trace it; on PyTorch nothing is compiled, so the checker's
    # guarded trace must notice the bool() of a comparison, whose tensor has no gradient.
    def call(self, inputs):
        if keras.ops.max(keras.ops.abs(inputs)) < 0.05 * self.limit:
            return inputs
        return self.limit * keras.ops.tanh(inputs / self.limit)


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


def speedup_with_wall_clock(baseline, candidate, repeats=5, warmup=1):
    """Wrong: time.time() (the wall clock) where the task asks for time.perf_counter()."""
    _check_arguments(repeats, warmup)
    for _ in range(warmup):
        baseline()
        candidate()
    ratios = []
    for fn in (baseline, candidate):
        values = []
        for _ in range(repeats):
            start = time.time()
            fn()
            values.append(time.time() - start + 1e-9)
        ratios.append(statistics.median(values))
    return ratios[0] / ratios[1]


def step_with_plain_sgd(model, optimizer):
    """Wrong: the weights move by SGD at optimizer.learning_rate, optimizer.apply() bypassed."""
    tf = _tf()

    @tf.function(input_signature=_signature(model))
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = keras.ops.mean(keras.ops.square(model(x, training=True) - y))
            loss = loss + sum(model.losses)
        gradients = tape.gradient(loss, model.trainable_weights)
        for weight, gradient in zip(model.trainable_weights, gradients, strict=True):
            weight.assign_sub(optimizer.learning_rate * gradient)
        return loss

    return train_step


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


class SoftClipSecondAxis(SoftClip):
    """Wrong: divides by the limit only for rank-2 inputs (a Python if on the rank is fine, the
    formula is not)."""

    def call(self, inputs):
        if len(inputs.shape) == 2:
            return super().call(inputs)
        return self.limit * keras.ops.tanh(inputs)


class SoftClipRoundedError(SoftClip):
    """Wrong: the message rounds the value it received."""

    def __init__(self, limit=3.0, **kwargs):
        if not limit > 0:
            raise ValueError(f"limit은 0보다 커야 합니다. 받은 값: limit={limit:.1f}")
        super().__init__(limit=limit, **kwargs)


def speedup_with_sorted_middle(baseline, candidate, repeats=5, warmup=1):
    """Right: the median by sorting (an even count averages the two middle values)."""
    _check_arguments(repeats, warmup)
    for _ in range(warmup):
        baseline()
        candidate()

    def middle(fn):
        values = sorted(_times(fn, repeats))
        half = len(values) // 2
        return values[half] if len(values) % 2 else (values[half - 1] + values[half]) / 2

    return middle(baseline) / middle(candidate)


def _tf_only(check, solution, expected):
    return pytest.param(check, solution, expected, marks=pytest.mark.tensorflow_only)


VERDICTS = [
    _tf_only(check_retrace_free_step, reference.make_train_step, True),
    _tf_only(check_retrace_free_step, step_with_signature, True),
    _tf_only(check_retrace_free_step, step_wrapped_later_with_mse_object, True),
    _tf_only(check_retrace_free_step, step_without_tf_function, "tf.function이 아닙니다"),
    _tf_only(check_retrace_free_step, step_without_signature, "3번 추적했습니다"),
    _tf_only(check_retrace_free_step, step_with_reduce_retracing, "2번 추적했습니다"),
    _tf_only(check_retrace_free_step, step_with_fixed_batch, "배치 차원을 None으로"),
    _tf_only(check_retrace_free_step, step_with_hard_coded_width, "3→2 모델"),
    _tf_only(check_retrace_free_step, step_without_model_losses, "모범 답안의"),
    _tf_only(check_retrace_free_step, step_with_summed_errors, "모범 답안의"),
    _tf_only(check_retrace_free_step, step_without_update, "가중치가 그대로입니다"),
    _tf_only(check_retrace_free_step, step_with_flipped_gradient, "경사의 부호"),
    _tf_only(check_retrace_free_step, step_with_plain_sgd, "한 단계 뒤의 가중치가 모범 답안과"),
    (check_xla_layer, reference.SoftClip, True),
    (check_xla_layer, SoftClip, True),
    (check_xla_layer, SoftClipViaSigmoid, True),
    (check_xla_layer, SoftClipWithNumpy, "요구 사항 6"),
    (check_xla_layer, SoftClipSkippingSmallInputs, "요구 사항 6"),
    pytest.param(
        check_xla_layer,
        SoftClipWithPyFunction,
        "요구 사항 6",
        marks=pytest.mark.tensorflow_only,  # tf.py_function is TensorFlow's
    ),
    (check_xla_layer, SoftClipNotJittable, "요구 사항 5"),
    (check_xla_layer, SoftClipWithoutDivision, "요구 사항 2"),
    (check_xla_layer, SoftClipIgnoringLimit, "요구 사항 2"),
    (check_xla_layer, SoftClipWithoutValidation, "요구 사항 3"),
    (check_xla_layer, SoftClipWithoutConfig, "요구 사항 4"),
    (check_xla_layer, SoftClipWrongDefault, "요구 사항 1: 기본값은 limit=3.0"),
    (check_xla_layer, SoftClipSecondAxis, "요구 사항 2"),
    (check_xla_layer, SoftClipRoundedError, ("요구 사항 3", "-1.2345678")),
    (check_speedup, reference.speedup, True),
    (check_speedup, speedup, True),
    (check_speedup, speedup_interleaved_numpy, True),
    (check_speedup, speedup_with_sorted_middle, True),
    (check_speedup, speedup_timing_warmup, "워밍업은 재지"),
    (check_speedup, speedup_without_warmup, "워밍업 1번 + 측정 5번"),
    (check_speedup, speedup_with_mean, "중앙값"),
    (check_speedup, speedup_with_min, "중앙값"),
    (check_speedup, speedup_inverted, "baseline / candidate"),
    (check_speedup, speedup_hard_coded_repeats, "측정 3번"),
    (check_speedup, speedup_without_validation, "ValueError가 나야 하는데"),
    (check_speedup, speedup_with_time_time_imported, "시계를 한 번도 읽지 않았습니다"),
    (check_speedup, speedup_with_wall_clock, "시계를 한 번도 읽지 않았습니다"),
]


@pytest.mark.parametrize(("check", "solution", "expected"), VERDICTS, ids=verdict_id)
def test_verdict(check, solution, expected):
    assert_verdict(check, solution, expected)


def test_reports_of_the_model_answers():
    checks = [(check_xla_layer, reference.SoftClip), (check_speedup, reference.speedup)]
    if keras.backend.backend() == "tensorflow":
        checks.append((check_retrace_free_step, reference.make_train_step))
    for check, solution in checks:
        assert repr(report_of(check, solution)).startswith(f"✅ {check.title}: 통과했습니다 (")


def test_xla_layer_needs_a_class():
    report = check_xla_layer(SoftClip())
    assert not report.passed and "클래스 자체를" in str(report), report
