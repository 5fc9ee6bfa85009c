"""10장 연습 문제 채점기: 재추적 없는 훈련 단계, XLA로 컴파일되는 층, 속도 향상 비율.

연습 10-1 `check_retrace_free_step(make_train_step)` — 요구 사항 → 확인 (6개):

1. `make_train_step(model, optimizer)`가 `train_step(x, y)`를 돌려준다
   → 호출해 보고 호출할 수 있는지
2. `train_step`은 `tf.function`이다
   → `experimental_get_tracing_count()`가 있는지
3. 손실 = `mean((model(x) - y)²)` + `sum(model.losses)`를 돌려준다
   → 활동 정칙화가 있는 모델에서 배치마다 기준 손실과 비교
4. 경사로 `optimizer`가 가중치를 고친다
   → 배치마다 모든 가중치를 기준 단계(즉시 실행 `GradientTape`)와 비교
5. 배치 크기가 달라도 다시 추적하지 않는다
   → 배치 8, 5, 3, 8로 부른 뒤 추적 횟수가 1인지
6. 모델의 입출력 폭을 코드에 박아 두지 않는다
   → 4→1, 3→2 두 모델로 위를 모두 확인

연습 10-2 `check_xla_layer(layer_class)` (`SoftClip`) — 요구 사항 → 확인 (7개):

1. `SoftClip(limit=3.0, **kwargs)`, 기본값 3.0, `name=`을 받는다
   → `SoftClip()`과 `SoftClip(limit=2.0, name=...)` 만들기, 기본값 비교
2. 출력 = `limit * tanh(inputs / limit)`
   → 2차원·3차원 입력, `limit` 3.0과 2.0에서 값 비교
3. `limit`이 0 이하이면 인자 이름과 받은 값을 담은 `ValueError`
   → `limit=0`, `limit=-1.5`
4. `get_config()`에 `limit`
   → 설정 비교와 `from_config()` 되살리기
5. Keras가 `jit_compile=True`를 받아들인다
   → 이 층을 넣은 모델을 `compile(jit_compile=True)`한 뒤 `model.jit_compile`
6. XLA로 컴파일된다
   → XLA로 컴파일한 함수(`call_compiled(..., xla=True)`: `tf.function(jit_compile=True)`, `jax.jit`;
   PyTorch는 추적 검사 뒤 즉시 실행) 안에서 부른 값이 즉시 실행 값과 같은지
7. `fit()`의 XLA 단계에서 돈다
   → `jit_compile=True`로 `fit()` 한 에포크, 손실이 유한한지

연습 10-3 `check_speedup(speedup_fn)` — 요구 사항 → 확인 (6개):

1. `speedup(baseline, candidate, repeats=5, warmup=1)`, 인자 없이 함수를 부른다
   → 가짜 시계로 재는 함수 두 개를 넘겨 호출
2. 재기 전에 각 함수를 `warmup`번 부르고 그 시간은 버린다
   → 호출 횟수와, 워밍업이 아주 느린 시나리오의 결과
3. 각 함수를 `repeats`번 `time.perf_counter()`로 잰다
   → 호출 횟수(`repeats`가 3, 4, 5인 시나리오), 가짜 시계를 읽는지
4. 잰 값의 중앙값을 쓴다
   → 평균·최솟값과 답이 다른 시나리오, 짝수 개의 중앙값
5. `baseline 중앙값 / candidate 중앙값`을 돌려준다 (1보다 크면 candidate가 빠르다)
   → 빠른 쪽과 느린 쪽이 바뀐 시나리오
6. `repeats`가 양의 정수가 아니거나 `warmup`이 음수이면 인자 이름과 받은 값을 담은 `ValueError`
   → `repeats=0`, `repeats=2.5`, `warmup=-1`
"""

import contextlib
import statistics
import time
import timeit
from unittest import mock

import keras
import numpy as np

from companion.exercises.checker import (
    Checker,
    backend_gradients,
    call_compiled,
    exercise,
    first_line,
    quiet_tensorflow_logs,
    require_class,
)
from companion.settings import SEED

_BATCH_SIZES = (8, 5, 3, 8)


def _numpy(value):
    return np.asarray(keras.ops.convert_to_numpy(value), dtype="float64")


# ---------------------------------------------------------------- 연습 10-1


def _step_model(in_dim, out_dim, regularize):
    keras.utils.set_random_seed(SEED)
    regularizer = keras.regularizers.L2(0.05) if regularize else None
    return keras.Sequential(
        [
            keras.Input((in_dim,)),
            keras.layers.Dense(5, activation="tanh", activity_regularizer=regularizer),
            keras.layers.Dense(out_dim),
        ]
    )


def _reference_step(model, optimizer, x, y):
    def loss_fn():
        prediction = model(x, training=True)
        loss = keras.ops.mean(keras.ops.square(prediction - y))
        if model.losses:
            loss = loss + keras.ops.sum(model.losses)
        return loss

    loss = float(loss_fn())
    gradients = backend_gradients(loss_fn, model.trainable_weights)
    optimizer.apply([keras.ops.convert_to_tensor(g) for g in gradients], model.trainable_weights)
    return loss


def _loss_hint(received, expected, mse, sum_se):
    if np.isclose(received, mse, rtol=1e-4) and not np.isclose(mse, expected, rtol=1e-4):
        return " model.losses(활동 정칙화 손실)를 더하지 않은 값입니다."
    if np.isclose(received, sum_se, rtol=1e-4):
        return " 제곱 오차를 평균하지 않고 더한 값입니다 (keras.ops.mean을 쓰세요)."
    return ""


def _check_one_step_model(checker, make_train_step, in_dim, out_dim, regularize):
    label = f"{in_dim}→{out_dim} 모델"
    model = _step_model(in_dim, out_dim, regularize)
    reference = _step_model(in_dim, out_dim, regularize)
    optimizer, reference_optimizer = keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1)
    step = checker.call(
        f"{label}: make_train_step(model, optimizer)", make_train_step, model, optimizer
    )
    checker.require(
        callable(step), f"{label}: make_train_step은 호출할 수 있는 함수를 돌려줘야 합니다."
    )
    checker.require(
        hasattr(step, "experimental_get_tracing_count"),
        f"{label}: 돌려준 train_step이 tf.function이 아닙니다 ({type(step).__name__}). "
        "@tf.function으로 감싸야 그래프로 컴파일됩니다.",
    )
    rng = np.random.default_rng(SEED + in_dim)
    for index, batch_size in enumerate(_BATCH_SIZES):
        x = rng.normal(size=(batch_size, in_dim)).astype("float32")
        y = rng.normal(size=(batch_size, out_dim)).astype("float32")
        before = [_numpy(w) for w in model.trainable_weights]
        try:
            loss = step(keras.ops.convert_to_tensor(x), keras.ops.convert_to_tensor(y))
        except Exception as error:  # 독자 코드의 예외를 보고서로 바꿉니다.
            hint = (
                " input_signature의 배치 차원을 None으로 두세요 (tf.TensorSpec((None, ...)))."
                if index > 0 and "signature" in str(error).lower()
                else ""
            )
            checker.fail(
                f"{label}: 배치 {batch_size}장으로 train_step을 부르다 예외가 났습니다: "
                f"{type(error).__name__}: {first_line(error)}{hint}"
            )
            return
        expected = _reference_step(reference, reference_optimizer, x, y)
        try:
            received = float(np.asarray(_numpy(loss)).reshape(()))
        except (TypeError, ValueError):
            checker.fail(f"{label}: train_step은 스칼라 손실을 돌려줘야 하는데 {loss!r}입니다.")
            return
        if not np.isclose(received, expected, rtol=1e-4, atol=1e-6):
            mse_only = _model_loss_parts(model, before, x, y)
            checker.fail(
                f"{label}, 배치 {batch_size}장: 돌려준 손실이 {received:.5f}인데 "
                f"mean((model(x) - y)²) + sum(model.losses)는 {expected:.5f}입니다."
                + _loss_hint(received, expected, *mse_only)
            )
            return
        after = [_numpy(w) for w in model.trainable_weights]
        wanted = [_numpy(w) for w in reference.trainable_weights]
        if not all(np.allclose(a, b, atol=1e-5) for a, b in zip(after, wanted, strict=True)):
            unchanged = all(np.array_equal(a, b) for a, b in zip(after, before, strict=True))
            cause = (
                "가중치가 그대로입니다: optimizer.apply(gradients, model.trainable_weights)를 "
                "부르세요."
                if unchanged
                else "경사의 부호나 대상 가중치, 손실이 다르지 않은지 보세요 (경사는 "
                "tape.gradient(loss, model.trainable_weights))."
            )
            checker.fail(
                f"{label}, 배치 {batch_size}장: 한 단계 뒤의 가중치가 기대와 다릅니다. {cause}"
            )
            return
    traces = step.experimental_get_tracing_count()
    checker.expect(
        traces == 1,
        f"{label}: 배치 크기 {', '.join(map(str, _BATCH_SIZES))}로 네 번 불렀더니 {traces}번 "
        "추적했습니다 (1번이어야 합니다). 배치 차원을 None으로 둔 input_signature를 주세요 "
        "(reduce_retracing=True는 두 번째 모양에서 한 번 더 추적합니다).",
    )


def _model_loss_parts(model, weights, x, y):
    """`weights`(단계 전 가중치)로 계산한 평균 제곱 오차와 제곱 오차의 합."""
    current = [w.numpy() for w in model.trainable_weights]
    for variable, value in zip(model.trainable_weights, weights, strict=True):
        variable.assign(value.astype("float32"))
    errors = (_numpy(model(x)) - y) ** 2
    for variable, value in zip(model.trainable_weights, current, strict=True):
        variable.assign(value)
    return float(errors.mean()), float(errors.sum())


@exercise("연습 10-1 재추적 없는 훈련 단계", "make_train_step")
def check_retrace_free_step(make_train_step):
    """연습 10-1: 배치 크기가 바뀌어도 다시 추적하지 않는 훈련 단계를 채점합니다.

    기대하는 것: `make_train_step(model, optimizer)`가 `tf.function`인 `train_step(x, y)`를
    돌려주고, 이 함수는 한 번 부를 때마다 `mean((model(x, training=True) - y)²) +
    sum(model.losses)`의 경사로 `optimizer`가 가중치를 고친 뒤 그 손실을 돌려줍니다.
    배치 크기가 달라도 한 번만 추적해야 합니다. 표의 요구 사항은 모듈 설명에 있습니다.

    Args:
        make_train_step: 독자가 만든 함수.

    Returns:
        `CheckReport`.

    Example:

    >>> check_retrace_free_step(make_train_step)  # doctest: +SKIP
    ✅ 연습 10-1 재추적 없는 훈련 단계: 통과했습니다 (7개 항목 확인).
    """
    checker = Checker("연습 10-1 재추적 없는 훈련 단계")
    backend = keras.backend.backend()
    if backend != "tensorflow":
        # tf.function의 추적 횟수를 세는 연습이므로 다른 백엔드에는 같은 뜻의 확인이 없습니다.
        checker.fail(
            "연습 10-1은 tf.function이 몇 번 추적하는지 세므로 TensorFlow 백엔드에서만 채점합니다 "
            f"(지금 백엔드: {backend})."
        )
        return checker.report()
    with quiet_tensorflow_logs(), checker:
        checker.require(callable(make_train_step), "make_train_step에는 함수를 넘기세요.")
        _check_one_step_model(checker, make_train_step, 4, 1, regularize=True)
        _check_one_step_model(checker, make_train_step, 3, 2, regularize=False)
    return checker.report()


# ---------------------------------------------------------------- 연습 10-2


def _soft_clip(x, limit):
    return limit * np.tanh(np.asarray(x, "float64") / limit)


@exercise("연습 10-2 XLA로 컴파일되는 SoftClip 층", "SoftClip")
def check_xla_layer(layer_class):
    """연습 10-2: XLA로 컴파일되는 `SoftClip` 층을 채점합니다.

    기대하는 것: `layer_class(limit=3.0, **kwargs)`로 만들 수 있고 `limit * tanh(x / limit)`을
    돌려주는 층. `limit`이 0 이하이면 `ValueError`, `get_config()`에 `limit`이 있고,
    Keras가 `jit_compile=True`를 받아들이며 XLA로 컴파일한 값이 즉시 실행 값과 같습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_xla_layer(SoftClip)  # doctest: +SKIP
    ✅ 연습 10-2 XLA로 컴파일되는 SoftClip 층: 통과했습니다 (13개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 10-2 XLA로 컴파일되는 SoftClip 층")
    rng = np.random.default_rng(SEED)
    x2 = (4.0 * rng.normal(size=(4, 5))).astype("float32")
    x3 = (4.0 * rng.normal(size=(2, 3, 4))).astype("float32")
    with checker:
        default = checker.call("SoftClip() 만들기", layer_class)
        layer = checker.call(
            "SoftClip(limit=2.0, name='soft_clip') 만들기", layer_class, limit=2.0, name="soft_clip"
        )
        checker.expect_equal("name= 인자로 준 층 이름", "soft_clip", layer.name)
        for what, instance, limit in [
            ("SoftClip()", default, 3.0),
            ("SoftClip(limit=2.0)", layer, 2.0),
        ]:
            for x in (x2, x3):
                y = checker.call(f"{what}를 {x.ndim}차원 입력으로 호출", instance, x)
                expected = _soft_clip(x, limit)
                if not checker.expect_close(
                    f"{what}의 {x.ndim}차원 출력", expected, _numpy(y), atol=1e-5
                ):
                    received = _numpy(y)
                    if np.allclose(received, limit * np.tanh(x), atol=1e-5):
                        checker.fail(
                            "tanh 안에서 inputs를 limit으로 나누세요: limit * tanh(inputs / limit)."
                        )
                    elif limit != 3.0 and np.allclose(received, _soft_clip(x, 3.0), atol=1e-5):
                        checker.fail(
                            "생성자에 준 limit 대신 3.0을 쓰고 있습니다 (self.limit을 쓰세요)."
                        )
                    checker.require(False, f"{what}의 값이 틀려 나머지 확인을 건너뜁니다.")
        for bad in (0, -1.5):
            checker.expect_value_error(
                f"SoftClip(limit={bad})",
                lambda bad=bad: layer_class(limit=bad),
                mentions=("limit", str(bad)),
            )
        config = checker.call("get_config()", layer.get_config)
        checker.expect_equal("get_config()의 limit", 2.0, config.get("limit"))
        clone = checker.call("from_config(get_config())", layer_class.from_config, config)
        checker.expect_close("되살린 층의 출력", _soft_clip(x2, 2.0), _numpy(clone(x2)), atol=1e-5)

        checker.expect(
            getattr(layer, "supports_jit", True),
            "층의 supports_jit이 False입니다: Keras가 이 층이 든 모델의 jit_compile=True를 "
            "거절합니다. "
            "keras.ops로만 계산하면 supports_jit을 건드릴 필요가 없습니다.",
        )
        try:
            compiled = call_compiled(layer, x2, xla=True)
            xla_error = None
        except Exception as error:  # XLA가 컴파일하지 못한 이유를 보고서로 바꿉니다.
            compiled, xla_error = None, error
        if xla_error is not None:
            checker.require(
                False,
                "XLA로 컴파일한 함수(tf.function(jit_compile=True), jax.jit) 안에서 층을 부르다 "
                f"예외가 났습니다: {type(xla_error).__name__}: {first_line(xla_error)} — NumPy "
                "함수나 tf.py_function은 XLA로 컴파일할 수 없습니다. keras.ops로 계산하세요.",
            )
        checker.expect_close(
            "XLA로 컴파일한 출력", _soft_clip(x2, 2.0), _numpy(compiled), atol=1e-5
        )

        keras.utils.set_random_seed(SEED)
        inputs = keras.Input((5,))
        outputs = keras.layers.Dense(1)(layer_class(limit=2.0)(keras.layers.Dense(5)(inputs)))
        model = keras.Model(inputs, outputs)
        checker.call(
            "model.compile(jit_compile=True)",
            model.compile,
            optimizer=keras.optimizers.SGD(0.01),
            loss="mse",
            jit_compile=True,
        )
        checker.require(
            model.jit_compile is True,
            "compile(jit_compile=True) 뒤에 model.jit_compile이 False입니다: Keras가 XLA를 "
            "거절했습니다 (supports_jit = False인 층이 있으면 그렇습니다).",
        )
        history = checker.call(
            "jit_compile=True로 fit() 한 에포크",
            model.fit,
            x2,
            rng.normal(size=(4, 1)).astype("float32"),
            epochs=1,
            verbose=0,
        )
        checker.expect(
            np.isfinite(history.history["loss"][0]), "XLA로 훈련한 손실이 유한하지 않습니다."
        )
    return checker.report()


# ---------------------------------------------------------------- 연습 10-3

#: (이름, repeats, warmup, baseline이 걸리는 시간들, candidate가 걸리는 시간들). 시간은 호출
#: 순서대로(워밍업 먼저) 가짜 시계를 그만큼 움직입니다.
_SCENARIOS = (
    ("repeats=5, warmup=1", 5, 1, (100.0, 10, 14, 11, 60, 12), (300.0, 4, 5, 30, 6, 4)),
    ("repeats=3, warmup=2 (candidate가 느림)", 3, 2, (50.0, 40, 3, 2, 4), (70.0, 90, 8, 9, 7)),
    ("repeats=4, warmup=0", 4, 0, (5.0, 7, 6, 100), (1.0, 2, 3, 4)),
)


class _FakeClock:
    """함수가 불릴 때만 움직이는 가짜 시계."""

    def __init__(self):
        self.now = 1000.0
        self.reads = 0

    def __call__(self):
        self.reads += 1
        return self.now

    def ns(self):
        self.reads += 1
        return int(self.now * 1e9)


class _Timed:
    """부를 때마다 `durations`의 다음 값만큼 시계를 움직이는 함수."""

    def __init__(self, clock, durations):
        self.clock, self.durations, self.calls = clock, durations, 0

    def __call__(self):
        if self.calls < len(self.durations):
            self.clock.now += self.durations[self.calls]
        self.calls += 1


@contextlib.contextmanager
def _patched_clock(clock):
    with contextlib.ExitStack() as stack:
        for target in (time, timeit):
            for name in ("perf_counter", "monotonic", "time", "default_timer"):
                if hasattr(target, name):
                    stack.enter_context(mock.patch.object(target, name, clock))
        stack.enter_context(mock.patch.object(time, "perf_counter_ns", clock.ns))
        yield


def _speedup_hint(received, warmup, repeats, baseline, candidate):
    b, c = baseline[warmup : warmup + repeats], candidate[warmup : warmup + repeats]
    guesses = [
        (
            statistics.median(c) / statistics.median(b),
            "비율이 뒤집혔습니다: baseline / candidate를 돌려주세요.",
        ),
        (
            statistics.mean(b) / statistics.mean(c),
            "평균이 아니라 중앙값(statistics.median)을 쓰세요.",
        ),
        (min(b) / min(c), "최솟값이 아니라 중앙값(statistics.median)을 쓰세요."),
    ]
    if warmup:
        with_warmup = statistics.median(baseline[: warmup + repeats]) / statistics.median(
            candidate[: warmup + repeats]
        )
        guesses.append((with_warmup, "워밍업 호출의 시간까지 재고 있습니다. 워밍업은 재지 마세요."))
    for value, hint in guesses:
        if np.isclose(received, value, rtol=1e-9):
            return " " + hint
    return ""


@exercise("연습 10-3 속도 향상 비율", "speedup")
def check_speedup(speedup_fn):
    """연습 10-3: 워밍업을 빼고 중앙값으로 속도 향상 비율을 재는 `speedup`을 채점합니다.

    기대하는 것: `speedup_fn(baseline, candidate, repeats=5, warmup=1)`이 두 함수를 인자
    없이 `warmup`번씩 부른 뒤(재지 않음) `repeats`번씩 `time.perf_counter()`로 재고,
    `baseline 중앙값 / candidate 중앙값`을 돌려줍니다. 채점기는 가짜 시계로 시간을
    정해 두므로 결과가 정확히 맞아야 합니다.

    Args:
        speedup_fn: 독자가 만든 함수.

    Returns:
        `CheckReport`.

    Example:

    >>> check_speedup(speedup)  # doctest: +SKIP
    ✅ 연습 10-3 속도 향상 비율: 통과했습니다 (13개 항목 확인).
    """
    checker = Checker("연습 10-3 속도 향상 비율")
    with checker:
        checker.require(callable(speedup_fn), "speedup_fn에는 함수를 넘기세요.")
        for name, repeats, warmup, baseline_times, candidate_times in _SCENARIOS:
            clock = _FakeClock()
            baseline, candidate = _Timed(clock, baseline_times), _Timed(clock, candidate_times)
            with _patched_clock(clock):
                ratio = checker.call(
                    f"speedup(baseline, candidate, repeats={repeats}, warmup={warmup})",
                    speedup_fn,
                    baseline,
                    candidate,
                    repeats=repeats,
                    warmup=warmup,
                )
            calls = warmup + repeats
            checker.require(
                clock.reads > 0,
                "시계를 한 번도 읽지 않았습니다: time.perf_counter()를 time 모듈에서 부르세요 "
                "(import time 뒤 time.perf_counter()). 'from time import perf_counter'로 가져온 "
                "함수는 채점기가 가짜 시계로 바꿀 수 없습니다.",
            )
            checker.require(
                baseline.calls == calls and candidate.calls == calls,
                f"{name}: 각 함수를 워밍업 {warmup}번 + 측정 {repeats}번 = {calls}번 불러야 하는데 "
                f"baseline을 {baseline.calls}번, candidate를 {candidate.calls}번 불렀습니다.",
            )
            expected = statistics.median(baseline_times[warmup:]) / statistics.median(
                candidate_times[warmup:]
            )
            try:
                received = float(ratio)
            except (TypeError, ValueError):
                checker.require(False, f"{name}: 비율은 수(float)여야 하는데 {ratio!r}입니다.")
            checker.require(
                np.isclose(received, expected, rtol=1e-9),
                f"{name}: 비율이 {expected:.4g}이어야 하는데 {received:.4g}입니다."
                + _speedup_hint(received, warmup, repeats, baseline_times, candidate_times),
            )
        noop = lambda: None  # noqa: E731
        for kwargs, mentions in [
            ({"repeats": 0}, ("repeats", "0")),
            ({"repeats": 2.5}, ("repeats", "2.5")),
            ({"warmup": -1}, ("warmup", "-1")),
        ]:
            argument = ", ".join(f"{key}={value}" for key, value in kwargs.items())
            checker.expect_value_error(
                f"speedup(..., {argument})",
                lambda kwargs=kwargs: speedup_fn(noop, noop, **kwargs),
                mentions=mentions,
            )
    return checker.report()
