"""10장 연습 문제 채점기: 재추적 없는 훈련 단계, XLA로 컴파일되는 층, 속도 향상 비율.

Graded against the model answers in `reference/chapter10.py`: 10-1 steps two copies of one model,
one with the reference's `make_train_step`, one with the reader's, and compares the losses, the
weights and the tracing count; 10-2 is the probe battery (`probes.py`) with the XLA-compiled
probe on, plus what behaviour cannot show (Keras accepts `jit_compile=True`); 10-3 runs the
reader's and the reference's `speedup` under the same fake clock.

연습 10-1 `check_retrace_free_step(make_train_step)` — 요구 사항 → 확인:

1. `make_train_step(model, optimizer)`가 `train_step(x, y)`를 돌려준다 → 호출할 수 있는지
2. `train_step`은 `tf.function`이다 → `experimental_get_tracing_count()`가 있는지
3. 손실 = `mean((model(x) - y)²)` + `sum(model.losses)`를 돌려준다 → 배치마다 모범 답안의 손실
4. 경사로 `optimizer`가 가중치를 고친다 → 배치마다 모든 가중치를 모범 답안의 단계와 비교
5. 배치 크기가 달라도 다시 추적하지 않는다 → 배치 8, 5, 3, 8로 부른 뒤 추적 횟수가 1인지
6. 모델의 입출력 폭을 코드에 박아 두지 않는다 → 4→1, 3→2 두 모델로 위를 모두 확인

연습 10-2 `check_xla_layer(layer_class)` (`SoftClip`) — 요구 사항 → 확인:

1. `SoftClip(limit=3.0, **kwargs)`, 기본값 3.0, `name=` → `construct`, `name`, `SoftClip()`의 출력
2. `limit * tanh(inputs / limit)`, 차원 수 자유 → `output`/`batch`/`symbolic`, 경사, `fit`
3. `limit`이 0 이하이면 인자 이름과 받은 값을 담은 `ValueError` → `errors`: `limit=0`,
   `limit=-1.2345678`
4. `get_config()`에 `limit` → `config`
5. Keras가 `jit_compile=True`를 받아들인다 → `supports_jit`, `compile(jit_compile=True)` 뒤
   `model.jit_compile`, `jit_compile=True`로 `fit()` 한 에포크
6. XLA로 컴파일된 값이 즉시 실행 값과 같다 → `compiled` (`tf.function(jit_compile=True)`,
   `jax.jit`, PyTorch의 추적 검사)

연습 10-3 `check_speedup(speedup_fn)` — 요구 사항 → 확인:

1. `speedup(baseline, candidate, repeats=5, warmup=1)`, 인자 없이 함수를 부른다 → 가짜 시계로 재는
   함수 두 개
2. 재기 전에 `warmup`번 부르고 그 시간은 버린다 → 호출 횟수, 워밍업이 아주 느린 시나리오
3. `repeats`번 `time.perf_counter()`로 잰다 → 호출 횟수, 가짜 시계를 읽는지
4. 중앙값, `baseline / candidate` → 세 시나리오에서 모범 답안의 결과와 비교
5. `repeats`가 양의 정수가 아니거나 `warmup`이 음수이면 인자 이름과 받은 값을 담은
   `ValueError` → `repeats=0`, `repeats=2.5`, `warmup=-1`
"""

import contextlib
import time
import timeit
from unittest import mock

import keras
import numpy as np

from companion.exercises.checker import (
    Checker,
    exercise,
    first_line,
    quiet_tensorflow_logs,
    require_class,
)
from companion.exercises.probes import Case, Error, Feed, LayerSpec, grade_layer
from companion.exercises.reference import chapter10 as reference
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


def _check_one_step_model(checker, make_train_step, in_dim, out_dim, regularize):
    label = f"{in_dim}→{out_dim} 모델"
    model = _step_model(in_dim, out_dim, regularize)
    reference_model = _step_model(in_dim, out_dim, regularize)
    # Adam: optimizer.apply()를 건너뛴 손 갱신(SGD)은 첫 단계부터 다른 가중치를 냅니다.
    optimizer, reference_optimizer = keras.optimizers.Adam(0.01), keras.optimizers.Adam(0.01)
    # Adam의 슬롯 변수는 미리 만들어 둡니다: 첫 추적 안에서 변수가 생기면 tf.function이 한 번
    # 더 추적하는데, 그것은 독자의 input_signature와 상관없는 일입니다.
    for opt, weights in ((optimizer, model), (reference_optimizer, reference_model)):
        opt.build(weights.trainable_variables)
    reference_step = reference.make_train_step(reference_model, reference_optimizer)
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
        expected = float(_numpy(reference_step(x, y)))
        try:
            received = float(np.asarray(_numpy(loss)).reshape(()))
        except (TypeError, ValueError):
            checker.fail(f"{label}: train_step은 스칼라 손실을 돌려줘야 하는데 {loss!r}입니다.")
            return
        if not np.isclose(received, expected, rtol=1e-4, atol=1e-6):
            checker.fail(
                f"{label}, 배치 {batch_size}장: 돌려준 손실이 {received:.5f}인데 모범 답안의 "
                f"mean((model(x) - y)²) + sum(model.losses)는 {expected:.5f}입니다."
            )
            return
        after = [_numpy(w) for w in model.trainable_weights]
        wanted = [_numpy(w) for w in reference_model.trainable_weights]
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
                f"{label}, 배치 {batch_size}장: 한 단계 뒤의 가중치가 모범 답안과 다릅니다. {cause}"
            )
            return
    traces = step.experimental_get_tracing_count()
    checker.expect(
        traces == 1,
        f"{label}: 배치 크기 {', '.join(map(str, _BATCH_SIZES))}로 네 번 불렀더니 {traces}번 "
        "추적했습니다 (1번이어야 합니다). 배치 차원을 None으로 둔 input_signature를 주세요 "
        "(reduce_retracing=True는 두 번째 모양에서 한 번 더 추적합니다).",
    )


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
    ✅ 연습 10-1 재추적 없는 훈련 단계: 통과했습니다 (...개 항목 확인).
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

_RNG = np.random.default_rng(SEED)
_X2 = Feed((4.0 * _RNG.normal(size=(4, 5))).astype("float32"))
_X3 = Feed((4.0 * _RNG.normal(size=(2, 3, 4))).astype("float32"))
_CLIP = {
    1: "요구 사항 1: SoftClip(limit=3.0, **kwargs)로 만들고 (기본값 limit=3.0), 나머지 키워드 "
    "인자(name= 등)는 기반 클래스에 넘깁니다.",
    2: "요구 사항 2: 출력은 limit * tanh(inputs / limit)입니다 (입력의 차원 수는 상관없습니다).",
    3: "요구 사항 3: limit이 0 이하이면 인자 이름과 받은 값을 담은 ValueError를 냅니다.",
    4: "요구 사항 4: get_config()에 limit을 넣습니다.",
    5: "요구 사항 5: Keras가 compile(jit_compile=True)를 받아들여야 합니다 (supports_jit을 끄지 "
    "않습니다).",
    6: "요구 사항 6: XLA로 컴파일한 함수(TensorFlow는 tf.function(jit_compile=True), JAX는 "
    "jax.jit) 안에서 부른 값이 즉시 실행 값과 같아야 합니다. NumPy 함수나 tf.py_function은 XLA로 "
    "컴파일할 수 없으니 keras.ops로 계산하세요.",
}

SOFT_CLIP = LayerSpec(
    name="SoftClip",
    reference=reference.SoftClip,
    cases=[
        Case(
            kwargs={"limit": 2.0, "name": "soft_clip"},
            label="SoftClip(limit=2.0, name='soft_clip')",
            feeds=[_X2, _X3],
        ),
        Case(feeds=[_X2, _X3], requirements={"output": "요구 사항 1: 기본값은 limit=3.0입니다."}),
    ],
    errors=(Error(kwargs={"limit": 0}), Error(kwargs={"limit": -1.2345678})),
    config=True,
    xla=True,
    gradients="inputs",
    requirements={
        "construct": _CLIP[1],
        "name": _CLIP[1],
        "output": _CLIP[2],
        "batch": _CLIP[2],
        "dtype": _CLIP[2],
        "symbolic": _CLIP[2],
        "gradients": _CLIP[2],
        "errors": _CLIP[3],
        "config": _CLIP[4],
        "compiled": _CLIP[6],
    },
)


def _requirement(text):
    return f"\n    → {text}"


def _jit_compiled_model(layer_class):
    keras.utils.set_random_seed(SEED)
    inputs = keras.Input((5,))
    outputs = keras.layers.Dense(1)(layer_class(limit=2.0)(keras.layers.Dense(5)(inputs)))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse", jit_compile=True)
    return model


def _fit_one_epoch(model, x):
    y = np.random.default_rng(SEED).normal(size=(len(x), 1)).astype("float32")
    return model.fit(x, y, epochs=1, verbose=0).history["loss"][0]


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 10-2 XLA로 컴파일되는 SoftClip 층", "SoftClip")
def check_xla_layer(layer_class):
    """연습 10-2: XLA로 컴파일되는 `SoftClip` 층을 채점합니다.

    모범 답안(`reference.SoftClip`)과 2·3차원 입력의 출력, 기본값, 경사, XLA로 컴파일한 함수 안의
    값, `limit`이 0 이하일 때의 `ValueError`, 설정을 비교하고, Keras가 이 층이 든 모델의
    `compile(jit_compile=True)`를 받아들여 `fit()`이 도는지 봅니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_xla_layer(SoftClip)  # doctest: +SKIP
    ✅ 연습 10-2 XLA로 컴파일되는 SoftClip 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 10-2 XLA로 컴파일되는 SoftClip 층")
    with checker:
        grade_layer(checker, layer_class, SOFT_CLIP)
        if checker.failures:
            return checker.report()
        layer = layer_class(limit=2.0)
        checker.expect(
            getattr(layer, "supports_jit", True),
            "층의 supports_jit이 False입니다: Keras가 이 층이 든 모델의 jit_compile=True를 "
            "거절합니다." + _requirement(_CLIP[5]),
        )
        ok, model = checker.run("model.compile(jit_compile=True)", _jit_compiled_model, layer_class)
        if not ok:
            checker.failures[-1] += _requirement(_CLIP[5])
            return checker.report()
        if not checker.expect(
            model.jit_compile is True,
            "compile(jit_compile=True) 뒤에 model.jit_compile이 False입니다: Keras가 XLA를 "
            "거절했습니다." + _requirement(_CLIP[5]),
        ):
            return checker.report()
        ok, loss = checker.run(
            "jit_compile=True로 fit() 한 에포크", _fit_one_epoch, model, _X2.inputs
        )
        if not ok:
            checker.failures[-1] += _requirement(_CLIP[6])
        else:
            checker.expect(
                np.isfinite(loss), "XLA로 훈련한 손실이 유한하지 않습니다." + _requirement(_CLIP[6])
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
        # 과제가 정한 시계만 가짜로 바꿉니다: time.perf_counter()와 그것을 쓰는 timeit의
        # default_timer. time.time()이나 time.monotonic()으로 잰 답은 진짜 시간을 읽습니다.
        stack.enter_context(mock.patch.object(time, "perf_counter", clock))
        stack.enter_context(mock.patch.object(time, "perf_counter_ns", clock.ns))
        stack.enter_context(mock.patch.object(timeit, "default_timer", clock))
        yield


def _reference_ratio(repeats, warmup, baseline_times, candidate_times):
    """같은 가짜 시계로 잰 모범 답안(`reference.speedup`)의 결과."""
    clock = _FakeClock()
    baseline, candidate = _Timed(clock, baseline_times), _Timed(clock, candidate_times)
    with _patched_clock(clock):
        return reference.speedup(baseline, candidate, repeats=repeats, warmup=warmup)


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
    ✅ 연습 10-3 속도 향상 비율: 통과했습니다 (...개 항목 확인).
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
                "(import time 뒤 time.perf_counter()). time.time()은 벽시계라 짧은 시간을 재기에 "
                "거칠고 시스템 시각이 바뀌면 함께 뛰며, 'from time import perf_counter'로 가져온 "
                "함수는 채점기가 가짜 시계로 바꿀 수 없습니다.",
            )
            checker.require(
                baseline.calls == calls and candidate.calls == calls,
                f"{name}: 각 함수를 워밍업 {warmup}번 + 측정 {repeats}번 = {calls}번 불러야 하는데 "
                f"baseline을 {baseline.calls}번, candidate를 {candidate.calls}번 불렀습니다.",
            )
            expected = _reference_ratio(repeats, warmup, baseline_times, candidate_times)
            try:
                received = float(ratio)
            except (TypeError, ValueError):
                checker.require(False, f"{name}: 비율은 수(float)여야 하는데 {ratio!r}입니다.")
            checker.require(
                np.isclose(received, expected, rtol=1e-9),
                f"{name}: 비율이 {expected:.4g}이어야 하는데 {received:.4g}입니다 (워밍업은 재지 "
                "말고, 잰 값의 중앙값으로 baseline / candidate를 돌려주세요).",
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
