"""차등 채점(differential grading): 독자의 클래스를 모범 답안과 같은 가중치로 맞춰 놓고 비교합니다.

How to use it (for every chapter module, chapters 11-13 included)::

    from companion.exercises.probes import Case, Feed, LayerSpec, grade_layer
    from companion.exercises.reference import chapter02 as reference

    SPEC = LayerSpec(
        name="FeatureAffine",
        reference=reference.FeatureAffine,
        cases=[Case(feeds=[Feed(x3)]), Case(feeds=[Feed(x245)])],
        weight_attributes=("gamma", "beta"),
        requirements={"output": "요구 사항 4: call()은 inputs * gamma + beta를 돌려줍니다.", ...},
    )

    @exercise("연습 2-1 FeatureAffine 층", "FeatureAffine")
    def check_feature_affine(layer_class):
        require_class(layer_class)
        checker = Checker("연습 2-1 FeatureAffine 층")
        with checker:
            battery = grade_layer(checker, layer_class, SPEC)
            ...  # only what behaviour cannot show (a named weight, an InputSpec, ...)
        return checker.report()

Design. A list of named mistakes catches the mistakes it names and no others. So the battery asks
one question of every probe: does the reader's class behave like the reference solution
(`companion/exercises/reference/chapterNN.py`, the notebook's model answer) when both have the
same weights? Per `Case` (constructor arguments and the inputs to feed) it

1. constructs both (and once more with `name=`), compares the weights before the first call;
2. builds both on the first input and requires the same trainable weights (count, shapes,
   dtypes; named ones by attribute) and, where the task names the state (`state="same"`), the
   same non-trainable weights; weights with a constant initial value must start equal;
3. sets the reference's trainable weights to seeded non-trivial values and copies them to the
   reader's (a weight's partner is found by attribute name, then shape; among same-shaped
   weights the assignment that reproduces the reference's output is chosen);
4. compares, call after call: every feed of the case, the same feed at batch size 1, with
   `training` unset, `False` and `True` where `call()` takes it: outputs (structure, shape, dtype,
   values), `losses`, metrics, the state after each call, and that no returned value *is* a state
   variable (it would change later under the reader's feet);
5. compares the output shape of a symbolic call with an unknown batch dimension (and the
   `compute_output_shape()` the reference defines), the same calls inside one compiled function
   (TensorFlow `tf.function` without AutoGraph, JAX `jax.jit`, PyTorch the guarded trace of
   `checker.compiled`; a Python attribute changed by `call()` is reported on every backend),
   and gradients with respect to every float input and every trainable weight;
6. trains both in `fit()` with Adam for three steps from the same weights and compares the
   losses and the weights (trajectories), round-trips the config (JSON, `from_config()`, same
   behaviour), saves a model holding the layer to `.keras` and reloads it (without
   `custom_objects` where the task asks for registration), and runs the dtype policies the task
   names (variable and output dtypes, values with a looser tolerance);
7. for random layers (`random=True`): compares the outputs that the reference draws at random by a
   two-sample Kolmogorov–Smirnov test per feature, on differences of neighbouring features and of
   neighbouring rows (shared noise), instead of element by element, and compares the protocol:
   new draws on every call (also compiled), same seed → same draws, other seed → other draws,
   two unseeded instances differ, unseeded instances follow `keras.utils.set_random_seed`,
   and `fit()` draws while `predict()`/`evaluate()` do not;
8. argument errors (`errors`): where the reference raises, the reader raises the same kind, and
   the message names each argument and its value exactly as received (no rounding); inputs the
   reference rejects (`bad_feeds`) are rejected too.

A probe applies only where the reference passes it (a layer without `get_config()` is not asked to
reload), so each chapter module says only what differs: constructor arguments, inputs, which probes
are off, its requirement sentences (`requirements`, keyed by the probe names in `REQUIREMENTS`),
and the checks behaviour cannot show. Each failure is one report line ending with the requirement
it broke; one line per requirement, and once the outputs differ the probes built on them are
skipped, so a wrong answer gets the first finding, not ten consequences of it. The reference's
side of the expensive probes is computed once per backend and kept (`_REFERENCE_RESULTS`).

Tolerances: float32 `rtol=1e-4`, `atol=1e-5 × max(1, |reference|)`; after three Adam steps
`atol=2e-3`; mixed precision `rtol=atol=policy tolerance` (1e-2 for float16, 3e-2 for bfloat16).
"""

import contextlib
import dataclasses
import inspect
import itertools
import json
import os
import random as python_random
import shutil
import tempfile
import warnings
from typing import Any

import keras
import numpy as np

from companion.exercises.checker import (
    CompiledConversionError,
    PythonStateError,
    _python_state,
    _python_state_changed,
    _quiet,
    _raise_conversion_errors,
    _torch_trace_check,
    backend_gradients,
    compiled,
    describe_exception,
    exception_sentence,
    first_line,
    is_conversion_error,
    is_registered,
    original_exception,
    run_twice_compiled,
    short_array,
    uses_seed_generator,
)

#: 탐침(probe) 이름 → 기본 요구 사항 문장. 장마다 `LayerSpec.requirements`가 과제의 문장으로
#: 바꿉니다.
REQUIREMENTS = {
    "construct": "과제에 적힌 생성자 인자로 층을 만들 수 있어야 합니다.",
    "name": "name= 같은 키워드 인자는 **kwargs로 받아 super().__init__(**kwargs)에 넘깁니다.",
    "build": "가중치는 입력 모양을 아는 build()에서 만듭니다 (첫 호출 전에는 모범 답안과 같은 수).",
    "weights": "가중치의 개수, 모양, 훈련 가능 여부가 과제와 같아야 합니다.",
    "initial": "가중치의 초깃값이 과제와 같아야 합니다.",
    "output": "call()이 과제에 적힌 값을 돌려줘야 합니다.",
    "batch": "배치 크기(1 포함)와 상관없이 같은 계산이어야 합니다.",
    "training": "training 인자에 따라 과제에 적힌 대로 동작해야 합니다.",
    "dtype": "출력의 자료형이 층의 연산 자료형을 따라야 합니다 (자료형을 고정하지 마세요).",
    "losses": "add_loss()로 더한 손실이 과제와 같아야 합니다 (호출마다 그 호출의 손실만).",
    "metrics": "지표가 과제에 적힌 값을 담아야 합니다.",
    "state": "상태(훈련 불가능 가중치)가 호출마다 과제에 적힌 대로 갱신되어야 합니다.",
    "alias": (
        "call()은 상태 변수 자체가 아니라 값을 돌려줍니다 (변수를 돌려주면 나중에 상태가 바뀔 때 "
        "받은 출력도 바뀝니다)."
    ),
    "instances": "층마다 상태가 따로입니다.",
    "symbolic": (
        "keras.Input처럼 모르는 차원(None)이 있는 심볼릭 입력에서도 출력 모양이 맞아야 합니다 "
        "(compute_output_shape())."
    ),
    "compiled": (
        "컴파일된 함수(tf.function, jax.jit) 안에서도 같은 값을 내야 합니다. call()에서는 "
        "keras.ops로만 계산하고, 상태는 가중치에 두세요."
    ),
    "gradients": (
        "경사가 모든 가중치와 입력까지 모범 답안과 같이 흘러야 합니다 (NumPy 변환이나 "
        "stop_gradient로 끊지 마세요)."
    ),
    "fit": (
        "fit()으로 훈련하면 모범 답안과 같은 손실과 가중치가 나와야 합니다 (같은 가중치에서 Adam "
        "세 단계)."
    ),
    "config": (
        "get_config()는 생성자 인자를 모두 담은, JSON으로 바꿀 수 있는 딕셔너리이고 "
        "from_config()로 같은 층을 되살립니다."
    ),
    "save": "이 층이 든 모델을 .keras로 저장했다 불러와도 예측이 같아야 합니다.",
    "policy": "dtype 정책(혼합 정밀도)에서 변수·출력 자료형과 값이 맞아야 합니다.",
    "errors": "잘못된 인자에는 인자 이름과 받은 값을 그대로(반올림하지 않고) 담은 오류를 냅니다.",
    "bad_inputs": "과제가 거절하라는 입력은 거절해야 합니다.",
    "distribution": "무작위로 뽑는 값의 분포가 과제와 같아야 합니다.",
    "fresh": "호출할 때마다 새로 뽑아야 합니다 (컴파일된 함수 안에서도: SeedGenerator를 쓰세요).",
    "seed": (
        "seed가 같으면 같은 값, 다르면 다른 값을 뽑아야 합니다 (seed로 "
        "keras.random.SeedGenerator를 만드세요)."
    ),
    "unseeded": (
        "seed 없이 만든 두 층은 서로 다른 값을 뽑고, keras.utils.set_random_seed()를 따릅니다 "
        "(seed=None을 그대로 SeedGenerator에 넘기세요)."
    ),
    "loops": (
        "fit()에서는 training=True, predict()와 evaluate()에서는 training=False로 동작해야 합니다."
    ),
}

# 이 탐침이 실패하면 그 뒤의, 출력에 기대는 탐침은 건너뜁니다 (같은 원인을 여러 번 보고하지 않게).
_BEHAVIOUR = ("output", "batch", "training", "dtype", "losses", "metrics", "state", "alias")

_FLOAT_RTOL = 1e-4
_FLOAT_ATOL = 1e-5
_FIT_STEPS = 3
_FIT_ATOL = 2e-3
_KS_P = 1e-6
_MAX_ASSIGNMENTS = 720

# (백엔드, 연습 이름, 탐침, 경우) → 모범 답안 쪽 결과. 같은 답안을 여러 번 채점해도 한 번만 셉니다.
_REFERENCE_RESULTS = {}


class _Stop(Exception):
    """이 탐침 묶음을 더 진행할 수 없을 때 (실패는 이미 기록했습니다)."""


@dataclasses.dataclass
class Feed:
    """층을 한 번 부르는 입력: `layer(inputs, **kwargs)` (`kwargs`에는 `mask=` 같은 배열)."""

    inputs: Any
    kwargs: dict = dataclasses.field(default_factory=dict)

    def arrays(self):
        return keras.tree.flatten((self.inputs, self.kwargs))

    def rebuild(self, arrays):
        return keras.tree.pack_sequence_as((self.inputs, self.kwargs), list(arrays))

    def batch(self, n):
        """앞의 `n`개 샘플만 (모든 배열의 축 0)."""
        inputs, kwargs = keras.tree.map_structure(
            lambda a: a[:n] if np.ndim(a) else a, (self.inputs, self.kwargs)
        )
        return Feed(inputs, kwargs)

    @property
    def batch_size(self):
        return int(np.shape(self.arrays()[0])[0])

    def describe(self):
        shapes = [tuple(np.shape(a)) for a in keras.tree.flatten(self.inputs)]
        text = str(shapes[0]) if len(shapes) == 1 else ", ".join(map(str, shapes))
        if self.kwargs:
            text += " (" + ", ".join(f"{k}=…" for k in self.kwargs) + ")"
        return f"입력 {text}"


@dataclasses.dataclass
class Case:
    """층을 만드는 한 가지 방법과 차례로 넣을 입력들.

    `args`는 튜플이거나, 인스턴스마다 새 인자를 만드는 함수입니다 (하위 층을 받는 층). `label`은
    보고서에 쓸 생성자 호출 (없으면 `name(args, kwargs)`). `prepare(layer)`는 첫 호출 전에 두 층에
    똑같이 할 일입니다 (예: `adapt(data)`). `requirements`는 이 경우에서 드러난 실패에 붙일
    요구 사항 문장입니다 (예: 기본값만 쓴 경우의 손실 → "factor의 기본값은 0.01").
    """

    args: Any = ()
    kwargs: dict = dataclasses.field(default_factory=dict)
    feeds: list = dataclasses.field(default_factory=list)
    label: str | None = None
    prepare: Any = None
    requirements: dict = dataclasses.field(default_factory=dict)
    symbolic_shapes: tuple = ()  # 모르는 차원(None)이 더 있는 심볼릭 입력의 모양들

    def make(self, cls, **extra):
        args = self.args() if callable(self.args) else self.args
        return cls(*args, **{**self.kwargs, **extra})


@dataclasses.dataclass
class Error:
    """모범 답안이 `ValueError` 같은 예외를 내는 생성자 인자 (독자도 같은 종류를 내야 합니다)."""

    args: tuple = ()
    kwargs: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class LayerSpec:
    """한 연습의 차등 채점: 모범 답안, 경우들, 켜고 끄는 탐침, 요구 사항 문장."""

    name: str
    reference: type
    cases: list
    requirements: dict = dataclasses.field(default_factory=dict)
    weight_attributes: tuple = ()
    state: str = "any"  # "same": 훈련 불가능 가중치도 모범 답안과 같은 구조 (과제가 이름을 정할 때)
    random: bool = False
    seed_argument: str | None = None
    distribution_feed: Feed | None = None
    gradients: bool = True
    fit: bool = True
    fit_loss: Any = "mse"
    wrap: Any = None  # 층을 fit()에 넣을 모델을 만드는 함수 (기본: _Wrapped)
    config: bool = False  # 과제가 설정(get_config)을 말할 때만 (4장부터)
    save: bool = False  # 과제가 .keras 저장을 말할 때만
    registered: bool = False
    policies: tuple = ()  # ((정책 이름, 허용 오차), ...)
    policy_feed: Feed | None = None
    errors: tuple = ()
    bad_feeds: tuple = ()
    output_shapes: tuple = ()
    xla: bool = False
    compiled_cases: tuple = (0,)  # 컴파일된 함수와 경사를 볼 경우의 번호
    random_cases: tuple = (0,)  # 무작위 층: 분포와 뽑는 방식을 볼 경우의 번호
    # 출력이 다를 때 덧붙일 한 문장을 돌려주는 함수 (기대한 값, 받은 값): 노트북이 그 연습의
    # 채점기가 알아본다고 말하는 실수 하나만 (예: 7-1의 소프트맥스).
    output_hint: Any = None

    def requirement(self, key):
        return self.requirements.get(key) or REQUIREMENTS[key]


class _Wrapped(keras.Model):
    """채점할 층 하나를 `fit()`에 넣는 모델: 입력 배열들을 `Feed` 모양으로 되돌려 층을 부릅니다."""

    def __init__(self, layer, feed, **kwargs):
        super().__init__(**kwargs)
        self.inner = layer
        self._feed = feed

    def call(self, inputs):
        arrays = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        layer_inputs, layer_kwargs = self._feed.rebuild(arrays)
        return self.inner(layer_inputs, **layer_kwargs)


def _to_numpy(value):
    return np.asarray(keras.ops.convert_to_numpy(value))


def _dtype(value):
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return np.asarray(value).dtype.name
    return keras.backend.standardize_dtype(dtype)


def _flat(outputs):
    return list(keras.tree.flatten(outputs))


def _structure(outputs):
    if isinstance(outputs, (list, tuple)):
        return f"{len(outputs)}개짜리 {type(outputs).__name__}"
    return "텐서 하나"


def _close(expected, received, rtol=_FLOAT_RTOL, atol=_FLOAT_ATOL):
    expected = np.asarray(expected, "float64")
    received = np.asarray(received, "float64")
    if expected.shape != received.shape:
        return False
    finite = np.isfinite(expected)
    if not np.array_equal(finite, np.isfinite(received)):
        return False
    if not np.array_equal(expected[~finite], received[~finite]):
        return False
    scale = max(1.0, float(np.max(np.abs(expected[finite]), initial=0.0)))
    return bool(np.allclose(expected[finite], received[finite], rtol=rtol, atol=atol * scale))


#: 기반 클래스의 설정 가운데 get_config()가 빠뜨려도 되는 키: from_config()가 생성자의 기본값으로
#: 채웁니다 (값을 담았다면 모범 답안과 같아야 합니다).
_OPTIONAL_BASE_CONFIG = frozenset({"trainable", "dtype"})


def _nontrivial_value(shape, rng):
    """0이 아니고 부호가 섞인 값: 커널(2차원 이상)은 fan_in으로 나눈 크기, 나머지는 0.5~1.5."""
    magnitude = rng.uniform(0.5, 1.5, size=shape)
    sign = rng.choice([-1.0, 1.0], size=shape)
    # 부호가 한쪽뿐이면 abs()나 relu()를 거친 가중치가 원래 값과 같아 보입니다: 스칼라는 음수로,
    # 나머지는 첫 원소를 음수, 마지막 원소를 양수로 둡니다.
    flat = sign.reshape(-1)
    if flat.size:
        flat[0] = -1.0
    if flat.size > 1:
        flat[-1] = 1.0
    if len(shape) >= 2:
        magnitude = magnitude / np.sqrt(float(np.prod(shape[:-1])))
    return (magnitude * sign).astype("float32")


def _weight_key(variable):
    return (tuple(int(d) for d in variable.shape), bool(variable.trainable))


def _describe_weights(variables):
    items = [
        f"{tuple(int(d) for d in v.shape)} 훈련 {'가능' if v.trainable else '불가능'}"
        for v in variables
    ]
    return "[" + ", ".join(items) + "]" if items else "없음"


def _constant_value(variable):
    value = _to_numpy(variable)
    if value.size and np.all(value == value.reshape(-1)[0]):
        return float(value.reshape(-1)[0])
    return None


def _accepts(method, argument):
    try:
        parameters = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False
    return argument in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def _overrides(instance, method):
    return getattr(type(instance), method) is not getattr(keras.layers.Layer, method)


def _json_normalized(value):
    return json.loads(json.dumps(value))


def _is_variable_itself(value, layer):
    for variable in layer.variables:
        if value is variable or value is getattr(variable, "value", None):
            return True
    return False


@contextlib.contextmanager
def _global_seed(seed):
    """`keras.utils.set_random_seed(seed)`를 하고, 끝나면 파이썬과 NumPy 난수 상태를 되돌립니다."""
    python_state, numpy_state = python_random.getstate(), np.random.get_state()
    keras.utils.set_random_seed(seed)
    try:
        yield
    finally:
        python_random.setstate(python_state)
        np.random.set_state(numpy_state)


def trace_like_compiled_fit(model, arrays):
    """`fit()` 전에: 훈련 단계의 호출이 컴파일된 함수 안에서 될지 모든 백엔드에서 같게 봅니다.

    PyTorch의 `fit()`은 즉시 실행이고 TensorFlow의 `fit()`은 AutoGraph를 쓰므로, JAX의 `fit()`이
    실패하는 `call()`(텐서를 NumPy로, 텐서로 쓴 파이썬 if)을 두 백엔드에서는 미리 추적해 찾습니다.
    """
    backend = keras.backend.backend()
    inputs = arrays if len(arrays) > 1 else arrays[0]

    def training_call(*values):
        return model(list(values) if len(values) > 1 else values[0], training=True)

    if backend == "torch":
        _torch_trace_check(training_call, list(model.variables), *arrays)
    elif backend == "tensorflow":
        import tensorflow as tf

        specs = [tf.TensorSpec((None, *np.shape(a)[1:]), _dtype(a)) for a in arrays]
        try:
            tf.function(training_call, autograph=False).get_concrete_function(*specs)
        except Exception as error:
            if is_conversion_error(error):
                raise CompiledConversionError() from None
    del inputs


class Battery:
    """한 연습의 탐침 묶음을 실행하고 결과를 `checker`에 기록합니다 (`grade_layer`가 만듭니다).

    실행이 끝나면 `pairs`에 경우마다 `(독자의 층, 모범 답안의 층)`이 남아 있어, 장 모듈이 과제
    고유의 확인(이름 있는 가중치, `InputSpec` 등)에 씁니다.
    """

    def __init__(self, checker, reader_class, spec):
        self.checker = checker
        self.reader_class = reader_class
        self.spec = spec
        self.pairs = []
        self.mappings = []
        self.broken = set()
        self.broken_keys = set()
        self.causes = set()
        self.case = None
        self._weighted = True  # 보고서에 "(같은 가중치에서)"를 쓸지: 첫 경우를 빌드한 뒤 정합니다.
        self._stateful_reference = True  # 상태가 있는 층인지: 첫 경우를 빌드한 뒤 정합니다.
        self.backend = keras.backend.backend()

    # --- 기록 ------------------------------------------------------------------------------

    def fail(self, key, message):
        overrides = self.case.requirements if self.case is not None else {}
        requirement = overrides.get(key) or self.spec.requirement(key)
        if key in self.broken_keys or requirement in self.broken:
            # 한 요구 사항에 한 줄: 다른 경우나 탐침에서 같은 요구 사항이 또 깨진 것입니다.
            self.checker.checks += 1
            return False
        self.broken_keys.add(key)
        self.broken.add(requirement)
        self.checker.fail(f"{message}\n    → {requirement}")
        return False

    def expect(self, key, condition, message):
        if condition:
            return self.checker.count_pass()
        return self.fail(key, message)

    def attempt(self, key, what, fn, *args, **kwargs):
        """독자의 코드를 실행합니다. 예외는 `key`의 요구 사항을 단 한 줄이 되고 `_Stop`을 냅니다."""
        try:
            with _quiet():
                return fn(*args, **kwargs)
        except _Stop:
            raise
        except Exception as error:  # 독자 코드의 어떤 예외든 보고서의 한 줄로 바꿉니다.
            cause = _cause(error)
            if cause in self.causes:
                # 같은 원인(예: call()의 NumPy 변환)이 다른 탐침에서 또 드러난 것: 한 번만 알립니다.
                self.checker.checks += 1
            else:
                self.causes.add(cause)
                self.fail(key, exception_sentence(what, error))
            raise _Stop() from None

    @property
    def behaviour_ok(self):
        return not self.broken_keys.intersection(_BEHAVIOUR)

    def label(self, case, **extra):
        if case.label and not extra:
            return case.label
        args = case.args() if callable(case.args) else case.args
        parts = [repr(a) for a in args]
        parts += [f"{k}={v!r}" for k, v in {**case.kwargs, **extra}.items()]
        return f"{self.spec.name}({', '.join(parts)})"

    def reference_result(self, key, compute):
        cache_key = (self.backend, self.spec.name, self.spec.reference, key)
        if cache_key not in _REFERENCE_RESULTS:
            _REFERENCE_RESULTS[cache_key] = compute()
        return _REFERENCE_RESULTS[cache_key]

    # --- 실행 ------------------------------------------------------------------------------

    def run(self):
        spec = self.spec
        with contextlib.suppress(_Stop):
            self._construct_all()
            self._name_probe()
        if self.checker.failures:
            return self
        for index, case in enumerate(spec.cases):
            self.case = case
            with contextlib.suppress(_Stop):
                self._case(index, case)
            self.case = None
            if not self.pairs or len(self.pairs) <= index:
                return self  # 구조가 달라 더 비교할 수 없습니다.
        if spec.errors:
            self._errors()
        if spec.bad_feeds:
            self._bad_feeds()
        if not self.behaviour_ok:
            return self
        first = spec.cases[0]
        steps = [
            (lambda: spec.fit and "gradients" not in self.broken_keys, self._fit),
            # 설정이 틀렸다면 저장한 모델도 되살릴 수 없습니다: 같은 원인을 두 번 알리지 않습니다.
            (lambda: spec.save and "config" not in self.broken_keys, self._save),
            (lambda: bool(spec.policies), self._policies),
        ]
        self.case = first
        for enabled, step in steps:
            if enabled():
                with contextlib.suppress(_Stop):
                    step(first)
        if spec.random:
            for index in spec.random_cases:
                self.case = spec.cases[index]
                with contextlib.suppress(_Stop):
                    self._randomness(self.case, index)
        self.case = None
        return self

    def _construct_all(self):
        for case in self.spec.cases:
            self.case = case
            self.attempt("construct", f"{self.label(case)} 만들기", case.make, self.reader_class)
            self.checker.count_pass()
        self.case = None

    def _name_probe(self):
        case = self.spec.cases[0]
        # name= 말고도 모든 층이 받는 키워드 인자(from_config()와 Keras가 넘기는 것)를 함께 줍니다:
        # name만 받는 생성자는 여기서 드러납니다.
        extra = {"trainable": True, "dtype": "float32"}
        extra = {key: value for key, value in extra.items() if key not in case.kwargs}
        name = case.kwargs.get("name")
        if name is None:
            name = extra["name"] = "checked_layer"
        what = f"{self.label(case, **extra)} 만들기"
        layer = self.attempt("name", what, case.make, self.reader_class, **extra)
        self.expect(
            "name",
            getattr(layer, "name", None) == name,
            f"name={name!r}로 만든 층의 이름이 {getattr(layer, 'name', None)!r}입니다.",
        )

    # --- 경우 하나: 빌드, 구조, 가중치 복사, 즉시 실행 비교, 심볼릭, 컴파일, 경사 ---------------

    def _fresh_pair(self, case, **extra):
        reader = self.attempt(
            "construct",
            f"{self.label(case, **extra)} 만들기",
            case.make,
            self.reader_class,
            **extra,
        )
        reference = case.make(self.spec.reference, **extra)
        return reader, reference

    def _first_call(self, what, reader, reference, first):
        """두 층을 같은 입력으로 한 번 불러 빌드합니다 (상태가 있으면 둘 다 같은 호출을 봅니다)."""
        self._call(reference, first, self._quiet_training())
        self.attempt(
            "output",
            f"{what}: {first.describe()}로 첫 호출",
            self._call,
            reader,
            first,
            self._quiet_training(),
        )

    def _case(self, index, case):
        reader, reference = self._fresh_pair(case)
        what = self.label(case)
        before_reader, before_reference = len(reader.weights), len(reference.weights)
        if before_reference == 0:
            # 모범 답안이 가중치를 build()에서 만들면 (입력 모양을 봐야 정해지므로) 독자도 그래야
            # 합니다: 첫 호출 전에 가중치가 있으면 그 모양을 고정해 둔 것입니다.
            self.expect(
                "build",
                before_reader == 0,
                f"{what}: 첫 호출 전에는 가중치가 없어야 하는데 {before_reader}개입니다.",
            )
        expected_metrics = sorted(m.name for m in reference.metrics)
        if expected_metrics:
            # 지표는 __init__에서 만들어야 첫 호출 전부터 layer.metrics에 있습니다 (build()에서
            # 만든 지표는 빌드 뒤에야 나타납니다).
            received_metrics = sorted(m.name for m in reader.metrics)
            self.expect(
                "metrics",
                received_metrics == expected_metrics,
                f"{what}: 첫 호출 전 layer.metrics의 이름이 {expected_metrics}이어야 하는데 "
                f"{received_metrics}입니다.",
            )
        if case.prepare is not None:
            self.attempt("state", f"{what}: 준비", case.prepare, reader)
            case.prepare(reference)
        first = case.feeds[0]
        self._first_call(what, reader, reference, first)
        self.expect(
            "build",
            bool(reader.built),
            f"{what}: 첫 호출 뒤 layer.built가 True이어야 하는데 {reader.built!r}입니다.",
        )
        if self._structure(what, reader, reference) is None:
            raise _Stop()
        self._weighted = bool(reference.trainable_weights)
        self._stateful_reference = bool(reference.non_trainable_weights)
        self._expect_initial(what, reader, reference)
        pairs = self._assign(index, reader, reference, first)
        self.pairs.append((reader, reference))
        self.mappings.append(pairs)
        if case.prepare is not None and self.spec.state == "same":
            # 준비(adapt 등)가 넣은 상태를, 그 상태로 계산한 출력보다 먼저 봅니다.
            fresh_reader, fresh_reference = self._fresh_pair(case)
            self.attempt("state", f"{what}: 준비", case.prepare, fresh_reader)
            case.prepare(fresh_reference)
            if not self._compare_state(f"{what}: 준비한 뒤", fresh_reader, fresh_reference):
                raise _Stop()
        self._eager(what, reader, reference, pairs, case)
        if not self.behaviour_ok:
            return
        # 컴파일된 함수와 경사는 첫 경우에서만 봅니다 (경우마다 추적하면 느리고, 같은 코드입니다).
        probes = [
            lambda: self._compiled(index, case) if index in self.spec.compiled_cases else None,
            lambda: (
                self._gradients(index, case)
                if index in self.spec.compiled_cases and self._wants_gradients(reference)
                else None
            ),
            # Keras traces call() for a symbolic input the way a compiled function does: once the
            # compiled call failed, the symbolic one fails for the same reason (or, on JAX, for a
            # backend's own one), so it is asked only of a layer that compiles.
            lambda: (
                None
                if "compiled" in self.broken_keys
                else self._symbolic(what, reader, reference, first)
            ),
            lambda: self._instances(index, case) if self._stateful(reference) else None,
        ]
        if self.spec.config:
            probes.append(lambda: self._config(index, case))
        for probe in probes:
            with contextlib.suppress(_Stop):
                probe()

    def _wants_gradients(self, reference):
        return self.spec.gradients == "inputs" or (
            self.spec.gradients and bool(reference.trainable_weights)
        )

    def _stateful(self, reference):
        return bool(reference.non_trainable_weights) and not self.spec.random

    def _quiet_training(self):
        """빌드와 비교의 기준 호출에 줄 training 값: 무작위 층이면 뽑지 않는 False."""
        return False if self._trainings() != [None] else None

    def _instances(self, index, case):
        """층마다 상태가 따로인지: 앞의 층을 여러 번 부른 뒤 새로 만든 층의 첫 호출."""
        reader, reference = self._fresh_pair(case)
        if case.prepare is not None:
            case.prepare(reader)
            case.prepare(reference)
        first = case.feeds[-1]
        expected = self._call(reference, first)
        received = self.attempt(
            "instances", f"{self.label(case)}: 새로 만든 층의 첫 호출", self._call, reader, first
        )
        self._compare_outputs(
            "instances", f"{self.label(case)}: 새로 만든 층의 첫 호출", expected, received
        )

    def ready_pair(self, index, case, **extra):
        """장 모듈이 과제 고유의 확인에 쓰는 두 층: `_ready_pair`와 같습니다."""
        return self._ready_pair(index, case, **extra)

    def _ready_pair(self, index, case, **extra):
        """새 두 층: 준비(`prepare`)하고, 상태를 바꾸지 않고 빌드하고, 같은 가중치를 넣은 것.

        Returns:
            `(독자의 층, 모범 답안의 층, [(독자 가중치, 모범 답안 가중치), ...])`.
        """
        reader, reference = self._fresh_pair(case, **extra)
        if case.prepare is not None:
            self.attempt("state", f"{self.label(case)}: 준비", case.prepare, reader)
            case.prepare(reference)
        first = case.feeds[0]
        if not self._stateful_reference:
            # 상태가 없는 층은 즉시 실행 호출로 빌드합니다 (서브클래스 모델의 심볼릭 호출은
            # 느립니다). 상태가 있는 층은 상태를 바꾸지 않는 심볼릭 호출로 빌드합니다.
            self._first_call(self.label(case), reader, reference, first)
        self._build_like(reference, first)
        self.attempt("output", f"{self.label(case)}: 빌드", self._build_like, reader, first)
        if not reader.built:
            # 심볼릭 호출도 build()도 안 되는 층: 두 층을 같은 입력으로 한 번 불러 빌드합니다.
            self._first_call(self.label(case), reader, reference, first)
        if self._structure(self.label(case), reader, reference, report=False) is None:
            raise _Stop()
        pairs = self._assign(index, reader, reference, first)
        return reader, reference, pairs

    def _build_like(self, layer, feed):
        """상태를 바꾸지 않고 빌드합니다: 심볼릭 호출, 안 되면 `build()`."""
        if layer.built:
            return
        try:
            specs = keras.tree.map_structure(
                lambda a: keras.KerasTensor(np.shape(a), dtype=_dtype(a)),
                (feed.inputs, feed.kwargs),
            )
            layer(specs[0], **specs[1])
        except Exception:  # 심볼릭 호출이 안 되는 층: build()만 부릅니다.
            shapes = keras.tree.map_structure(lambda a: tuple(np.shape(a)), feed.inputs)
            with contextlib.suppress(Exception):
                layer.build(shapes)

    def _call(self, layer, feed, training=None):
        kwargs = dict(feed.kwargs)
        if training is not None:
            kwargs["training"] = training
        return layer(feed.inputs, **kwargs)

    def _structure(self, what, reader, reference, report=True):
        """가중치 구조를 비교합니다. 같으면 `True`, 다르면 (보고하고) `None`."""
        compared = list(reference.trainable_weights)
        received = list(reader.trainable_weights)
        if self.spec.state == "same":
            compared += list(reference.non_trainable_weights)
            received += list(reader.non_trainable_weights)
        elif reference.non_trainable_weights and not reader.non_trainable_weights:
            if report:
                self.fail(
                    "state",
                    f"{what}: 상태를 담은 훈련 불가능 가중치가 하나도 없습니다 (파이썬 수, NumPy "
                    "배열, tf.Variable 속성은 Keras가 추적하지 않습니다. "
                    "self.add_weight(..., trainable=False)로 만드세요).",
                )
            return None
        elif not reference.non_trainable_weights and reader.non_trainable_weights:
            if report:
                self.fail(
                    "weights",
                    f"{what}: 가중치가 {_describe_weights(reference.weights)}이어야 하는데 "
                    f"{_describe_weights(reader.weights)}입니다.",
                )
            return None
        ok = sorted(map(_weight_key, compared)) == sorted(map(_weight_key, received))
        if not ok:
            if report:
                self.fail(
                    "weights",
                    f"{what}: 가중치가 {_describe_weights(compared)}이어야 하는데 "
                    f"{_describe_weights(received)}입니다.",
                )
            return None
        for name in self.spec.weight_attributes:
            value = getattr(reader, name, None)
            partner = getattr(reference, name)
            is_weight = any(value is w for w in reader.weights)
            if not is_weight or _weight_key(value) != _weight_key(partner):
                if report:
                    self.fail(
                        "weights",
                        f"{what}: 속성 {name}은(는) 모양 {tuple(partner.shape)}의 가중치여야 "
                        f"하는데 {_describe_attribute(value, is_weight)}입니다 (self.{name} = "
                        "self.add_weight(...)로 담으세요).",
                    )
                return None
        if report:
            self.checker.count_pass()
        return True

    def _expect_initial(self, what, reader, reference):
        """초깃값이 상수인(ones, zeros 같은) 모범 답안의 가중치는 독자의 짝도 그 값이어야 합니다."""
        groups = {}
        for variable in reference.trainable_weights:
            groups.setdefault(_weight_key(variable), [[], []])[0].append(_constant_value(variable))
        for variable in reader.trainable_weights:
            groups.setdefault(_weight_key(variable), [[], []])[1].append(_constant_value(variable))
        for key, (wanted, got) in groups.items():
            available = [v for v in got if v is not None]
            for value in sorted(v for v in wanted if v is not None):
                match = next((v for v in available if np.isclose(v, value)), None)
                if match is None:
                    return self.fail(
                        "initial",
                        f"{what}: 모양 {key[0]}인 가중치의 초깃값이 {value:g}이어야 하는데 "
                        f"{_initial_values(got)}입니다.",
                    )
                available.remove(match)
        self.checker.count_pass()
        return True

    def _assign(self, index, reader, reference, feed):
        """모범 답안의 훈련 가능 가중치에 시드 고정 값을 넣고, 독자의 짝 가중치에 복사합니다.

        짝은 과제가 정한 속성 이름(`weight_attributes`), 가중치 이름(path의 끝), 순서로 먼저
        찾고, 모양이 같은 가중치가 여럿이면 모범 답안의 출력을 되살리는 배정을 고릅니다. 고르는
        동안 부른 호출이 바꾼 상태(훈련 불가능 가중치, 지표)는 되돌립니다.

        Returns:
            `[(독자 가중치, 모범 답안 가중치), ...]` (모범 답안의 가중치 순서).
        """
        rng = np.random.default_rng(1000 + index)
        targets = list(reference.trainable_weights)
        for variable in targets:
            value = _nontrivial_value(tuple(int(d) for d in variable.shape), rng)
            variable.assign(value.astype(_dtype(variable)))
        fixed = {
            id(getattr(reference, name)): getattr(reader, name)
            for name in self.spec.weight_attributes
        }
        used = {id(v) for v in fixed.values()}
        groups = {}
        for variable in targets:
            if id(variable) not in fixed:
                groups.setdefault(_weight_key(variable), [[], []])[0].append(variable)
        for variable in reader.trainable_weights:
            if id(variable) not in used:
                groups.setdefault(_weight_key(variable), [[], []])[1].append(variable)
        for wanted, got in groups.values():
            got.sort(key=lambda v, w=wanted: _name_rank(v, w))
        choices = [
            list(itertools.permutations(got, len(wanted))) for wanted, got in groups.values()
        ]
        total = int(np.prod([len(c) for c in choices])) if choices else 1

        def pairs_of(combination):
            pairs = {id(t): (fixed[id(t)], t) for t in targets if id(t) in fixed}
            for (wanted, _), chosen in zip(groups.values(), combination, strict=True):
                pairs.update({id(t): (m, t) for m, t in zip(chosen, wanted, strict=True)})
            return [pairs[id(t)] for t in targets]

        first = pairs_of(tuple(c[0] for c in choices))
        _copy(first)
        if total == 1 or total > _MAX_ASSIGNMENTS:
            return first
        # 고르는 동안의 호출이 바꾼 상태만 되돌립니다 (훈련 가능 가중치는 고른 배정 그대로).
        saved = _snapshot(reader, trainable=False), _snapshot(reference, trainable=False)
        try:
            training = self._quiet_training()
            expected = [_to_numpy(e) for e in _flat(self._call(reference, feed, training))]
            for combination in itertools.product(*choices):
                pairs = pairs_of(combination)
                _copy(pairs)
                try:
                    with _quiet():
                        got = [_to_numpy(e) for e in _flat(self._call(reader, feed, training))]
                except Exception:  # 출력이 이상하면 뒤의 탐침이 보고합니다.
                    break
                if len(got) == len(expected) and all(
                    _close(e, g, 1e-3, 1e-3) for e, g in zip(expected, got, strict=True)
                ):
                    return pairs
            _copy(first)
            return first
        finally:
            _restore(saved[0])
            _restore(saved[1])

    def _trainings(self):
        """즉시 실행에서 비교할 training 값들 (무작위 층이면 뽑지 않는 값만)."""
        if not _accepts(self.spec.reference.call, "training"):
            return [None]
        if self.spec.random:
            return [None, False]
        return [None, False, True]

    def _eager(self, what, reader, reference, pairs, case):
        """경우의 입력을 차례로 (배치 1 포함, training 값마다) 넣고 모든 것을 비교합니다."""
        feeds = [*case.feeds, case.feeds[0].batch(1)]
        for feed in feeds:
            for training in self._trainings():
                how = f"{what}: {feed.describe()}" + (
                    "" if training is None else f", training={training}"
                )
                key = "batch" if feed.batch_size == 1 else "output"
                if training is not None:
                    key = "training"
                self._compare_call(key, how, reader, reference, pairs, feed, training)
                if not self.behaviour_ok:
                    return

    def _compare_call(self, key, how, reader, reference, pairs, feed, training):
        expected = self._call(reference, feed, training)
        random = self._random_indices(reference, feed, training, expected)
        received = self.attempt(key, f"{how}로 호출", self._call, reader, feed, training)
        for value in _flat(received):
            if _is_variable_itself(value, reader):
                return self.fail("alias", f"{how}: call()이 상태 변수 자체를 돌려줍니다.")
        # 출력이 다르면 그 출력으로 계산한 손실·지표·상태도 다르게 마련이라 더 보지 않습니다.
        if self._compare_outputs(key, how, expected, received, random=random):
            self._compare_losses(how, reference, reader)
            self._compare_metrics(how, reference, reader)
            self._compare_state(how, reader, reference)

    def _random_indices(self, reference, feed, training, expected):
        """무작위 층에서 모범 답안이 부를 때마다 다르게 뽑는 출력의 번호 (원소별로 비교 안 함)."""
        if not self.spec.random:
            return set()
        saved = _snapshot(reference)
        again = _flat(self._call(reference, feed, training))
        _restore(saved)
        return {
            i
            for i, (a, b) in enumerate(zip(_flat(expected), again, strict=True))
            if not np.array_equal(_to_numpy(a), _to_numpy(b))
        }

    def _compare_outputs(
        self, key, how, expected, received, rtol=_FLOAT_RTOL, atol=_FLOAT_ATOL, random=()
    ):
        expected_flat, received_flat = _flat(expected), _flat(received)
        if len(expected_flat) != len(received_flat):
            return self.fail(
                key,
                f"{how}: 출력은 {_structure(expected)}이어야 하는데 {_structure(received)}입니다.",
            )
        for i, (e, r) in enumerate(zip(expected_flat, received_flat, strict=True)):
            name = "출력" if len(expected_flat) == 1 else f"출력 {i}"
            e_np, r_np = _to_numpy(e), _to_numpy(r)
            if e_np.shape != r_np.shape:
                return self.fail(
                    key, f"{how}: {name}의 모양이 {e_np.shape}이어야 하는데 {r_np.shape}입니다."
                )
            if _dtype(e) != _dtype(r):
                return self.fail(
                    "dtype",
                    f"{how}: {name}의 자료형이 {_dtype(e)}이어야 하는데 {_dtype(r)}입니다.",
                )
            if i not in random and not _close(e_np, r_np, rtol, atol):
                same = " (같은 가중치에서)" if self._weighted else ""
                hint = self.spec.output_hint(e_np, r_np) if self.spec.output_hint else None
                return self.fail(
                    key,
                    f"{how}: {name}이 모범 답안과 다릅니다{same}. "
                    f"{short_array(e_np)}이어야 하는데 {short_array(r_np)}입니다."
                    + (f" {hint}" if hint else ""),
                )
        self.checker.count_pass()
        return True

    def _compare_losses(self, how, reference, reader):
        expected = sorted(float(_to_numpy(v).sum()) for v in reference.losses)
        ref_shapes = sorted(tuple(np.shape(_to_numpy(v))) for v in reference.losses)
        try:
            shapes = sorted(tuple(np.shape(_to_numpy(v))) for v in reader.losses)
            received = sorted(float(_to_numpy(v).sum()) for v in reader.losses)
        except Exception as error:  # 손실을 읽을 수 없으면 그 예외를 보고합니다.
            return self.fail("losses", exception_sentence(f"{how}: layer.losses 읽기", error))
        owner = "model" if isinstance(reference, keras.Model) else "layer"
        if len(expected) != len(received):
            return self.fail(
                "losses",
                f"{how}: 호출 뒤 {owner}.losses에 손실이 {len(expected)}개 있어야 하는데 "
                f"{len(received)}개입니다.",
            )
        if ref_shapes != shapes:
            return self.fail(
                "losses", f"{how}: 손실의 모양이 {ref_shapes}이어야 하는데 {shapes}입니다."
            )
        if expected and not _close(expected, received):
            return self.fail(
                "losses",
                f"{how}: 손실이 {_floats(expected)}이어야 하는데 {_floats(received)}입니다.",
            )
        if expected:
            self.checker.count_pass()
        return True

    def _compare_metrics(self, how, reference, reader):
        if not reference.metrics:
            return True
        expected = {m.name: float(_to_numpy(m.result())) for m in reference.metrics}
        received = {}
        for metric in reader.metrics:
            try:
                received[metric.name] = float(np.asarray(_to_numpy(metric.result())).reshape(()))
            except Exception:  # 스칼라가 아닌 지표
                received[metric.name] = None
        if sorted(expected) != sorted(received):
            return self.fail(
                "metrics",
                f"{how}: layer.metrics의 이름이 {sorted(expected)}이어야 하는데 "
                f"{sorted(received)}입니다.",
            )
        for name, value in expected.items():
            got = received[name]
            if got is None or not _close(value, got):
                shown = "스칼라가 아닙니다" if got is None else f"{got:.4f}입니다"
                return self.fail(
                    "metrics", f"{how}: 지표 {name}의 값이 {value:.4f}이어야 하는데 {shown}."
                )
        self.checker.count_pass()
        return True

    def _compare_state(self, how, reader, reference):
        if self.spec.state != "same" or not reference.non_trainable_weights:
            return True
        pairs = _state_pairs(reader, reference)
        if len(pairs) != len(reference.non_trainable_weights):
            return self.fail(
                "weights",
                f"{how}: 가중치가 {_describe_weights(reference.weights)}이어야 하는데 "
                f"{_describe_weights(reader.weights)}입니다.",
            )
        for mine, theirs in pairs:
            if not _close(_to_numpy(theirs), _to_numpy(mine)):
                return self.fail(
                    "state",
                    f"{how}: 상태 {_variable_label(theirs)}가 {short_array(_to_numpy(theirs))}"
                    f"이어야 하는데 {short_array(_to_numpy(mine))}입니다.",
                )
        return True

    def _symbolic(self, what, reader, reference, feed):
        """배치 차원을 모르는 심볼릭 입력(`keras.Input`처럼)과 `compute_output_shape()`."""
        if feed.kwargs:
            return
        unknown = keras.tree.map_structure(
            lambda a: keras.KerasTensor((None, *np.shape(a)[1:]), dtype=_dtype(a)), feed.inputs
        )
        known = keras.tree.map_structure(
            lambda a: keras.KerasTensor(np.shape(a), dtype=_dtype(a)), feed.inputs
        )
        inputs = [(unknown, "배치 크기가 None인"), (known, "배치 크기를 아는")]
        for shape in self.case.symbolic_shapes if self.case is not None else ():
            inputs.append((keras.KerasTensor(shape, dtype=_dtype(feed.inputs)), f"모양 {shape}인"))
        for tensors, label in inputs:
            expected = [tuple(t.shape) for t in _flat(reference(tensors))]
            received = self.attempt(
                "symbolic", f"{what}: {label} 심볼릭 입력으로 호출", reader, tensors
            )
            got = [tuple(t.shape) for t in _flat(received)]
            if not self.expect(
                "symbolic",
                got == expected,
                f"{what}: {label} 심볼릭 입력의 출력 모양이 {_shapes(expected)}이어야 하는데 "
                f"{_shapes(got)}입니다.",
            ):
                return
        if not _overrides(reference, "compute_output_shape"):
            return
        shapes = list(self.spec.output_shapes) or [
            keras.tree.map_structure(lambda a: tuple(np.shape(a)), feed.inputs)
        ]
        for shape in shapes:
            try:
                expected = _shape_tuple(reference.compute_output_shape(shape))
            except Exception:  # 모범 답안이 받지 않는 모양: 묻지 않습니다.
                continue
            result = self.attempt(
                "symbolic", f"compute_output_shape({shape})", reader.compute_output_shape, shape
            )
            try:
                got = _shape_tuple(result)
            except (TypeError, ValueError):
                got = result
            if not self.expect(
                "symbolic",
                got == expected,
                f"compute_output_shape({shape})가 {expected}이어야 하는데 {got}입니다.",
            ):
                return

    def _compiled(self, index, case):
        """새 두 층(같은 가중치)에 경우의 입력을 차례로 넣되, 독자의 층은 컴파일된 함수 하나로."""
        reader, reference, _ = self._ready_pair(index, case)
        what = f"{self.label(case)}: 컴파일된 함수 안에서"
        first = case.feeds[0]
        training = self._quiet_training()
        function = _compiled_caller(reader, first, training, xla=self.spec.xla)
        for feed in [*case.feeds, first.batch(1)]:
            expected = self._call(reference, feed, training)
            random = self._random_indices(reference, feed, training, expected)
            received = self.attempt("compiled", f"{what} {feed.describe()}로 호출", function, feed)
            how = f"{what} {feed.describe()}"
            if not self._compare_outputs("compiled", how, expected, received, random=random):
                return

    def _gradients(self, index, case):
        """경사: 가중치와 실수 입력마다 모범 답안과 같은지.

        무작위 출력의 경사는 뽑은 잡음에 따라 달라지므로, 무작위 층에서는 `losses`의 경사만
        원소별로 비교하고 출력의 경사는 닿는지(0이 아닌지)만 봅니다.
        """
        reader, reference, pairs = self._ready_pair(index, case)
        first = case.feeds[0]
        training = self._quiet_training()
        random = self.spec.random and bool(
            self._random_indices(reference, first, training, self._call(reference, first, training))
        )
        parts = ("losses", "outputs") if random else ("all",)
        names = [f"가중치 {_variable_label(t)}" for _, t in pairs]
        for part in parts:
            expected = _gradients(reference, first, [t for _, t in pairs], training, part)
            received = self.attempt(
                "gradients",
                f"{self.label(case)}: 경사 계산",
                _gradients,
                reader,
                first,
                [m for m, _ in pairs],
                training,
                part,
            )
            labels = names + [f"입력 {i}" for i in range(len(expected) - len(names))]
            what = "손실" if part == "losses" else "출력"
            for name, e, r in zip(labels, expected, received, strict=True):
                e = np.zeros(()) if e is None else np.asarray(e)
                r = np.zeros(np.shape(e)) if r is None else np.asarray(r)
                if part == "outputs":
                    ok = bool(np.any(e)) == bool(np.any(r))
                else:
                    ok = _close(
                        np.broadcast_to(e, np.shape(r)) if not np.ndim(e) else e, r, 1e-3, 1e-4
                    )
                if not ok:
                    # 무작위 출력에 경사가 닿지 않는 것은 표본을 제대로 뽑지 않은 것입니다.
                    key = "distribution" if part == "outputs" else "gradients"
                    whose = f"{what}의 " if random else ""
                    return self.fail(
                        key,
                        f"{self.label(case)}: {whose}{name}에 대한 경사가 모범 답안과 다릅니다 "
                        f"({_gradient_summary(e)}이어야 하는데 {_gradient_summary(r)}입니다).",
                    )
        self.checker.count_pass()

    # --- 한 번씩: fit, 설정, 저장, dtype 정책, 무작위 --------------------------------------------

    def _wrap(self, layer, feed):
        if isinstance(layer, keras.Model):
            return layer
        if self.spec.wrap is not None:
            return self.spec.wrap(layer, feed)
        return _Wrapped(layer, feed, name="checked_model")

    def _fit(self, case):
        if self.spec.random:
            return self._loops(case)
        first = case.feeds[0]
        reader, reference, pairs = self._ready_pair(0, case)
        if not reference.trainable_weights:
            return None
        x = first.arrays()
        x_in = x if len(x) > 1 else x[0]
        saved = _snapshot(reference, trainable=False)  # 이 호출로 잡음의 자리가 앞서지 않게
        outputs = _flat(self._call(reference, first))
        _restore(saved)
        if len(outputs) != 1:
            return None
        y = np.random.default_rng(77).normal(size=np.shape(_to_numpy(outputs[0])))
        y = y.astype("float32")

        def train(model):
            # fit()의 훈련 단계(train_step: training=True, model.losses 포함, 옵티마이저)를
            # train_on_batch()로 세 번: 한 번 추적하고, 단계마다 손실을 돌려줍니다.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Keras의 경고는 독자가 고칠 일이 아닙니다.
                model.compile(
                    optimizer=keras.optimizers.Adam(0.01),
                    loss=self.spec.fit_loss,
                    jit_compile=False,
                )
                return [
                    float(model.train_on_batch(x_in, y, return_dict=True)["loss"])
                    for _ in range(_FIT_STEPS)
                ]

        def reference_side():
            return train(self._wrap(reference, first)), [_to_numpy(t) for _, t in pairs]

        ref_losses, ref_weights = self.reference_result(("fit",), reference_side)
        model = self._wrap(reader, first)
        what = f"{self.label(case)}: fit()"
        self.attempt("fit", f"{what}의 훈련 단계 추적", trace_like_compiled_fit, model, x)
        losses = self.attempt("fit", f"{what} 세 단계", train, model)
        if not _close(ref_losses, losses, 1e-3, 1e-4):
            return self.fail(
                "fit",
                f"{what} 세 단계의 손실이 {_floats(ref_losses)}이어야 하는데 "
                f"{_floats(losses)}입니다.",
            )
        for (mine, theirs), wanted in zip(pairs, ref_weights, strict=True):
            got = _to_numpy(mine)
            if not _close(wanted, got, 1e-3, _FIT_ATOL):
                return self.fail(
                    "fit",
                    f"{what} 세 단계 뒤 가중치 {_variable_label(theirs)}가 모범 답안과 다릅니다 "
                    f"(최대 차이 {np.max(np.abs(wanted - got)):.4f}).",
                )
        self.checker.count_pass()
        return None

    def _config(self, index, case):
        what = self.label(case)
        reader, reference, pairs = self._ready_pair(index, case)
        try:
            reference_config = _without_build_config(_json_normalized(reference.get_config()))
            type(reference).from_config(reference.get_config())
        except Exception:  # 모범 답안도 되살릴 수 없는 층: 과제가 요구하지 않습니다.
            return None
        config = self.attempt("config", f"{what}: get_config()", reader.get_config)
        if not isinstance(config, dict):
            return self.fail(
                "config",
                f"{what}: get_config()는 딕셔너리를 돌려줘야 하는데 {type(config).__name__}입니다.",
            )
        try:
            normalized = _json_normalized(config)
        except (TypeError, ValueError) as error:
            return self.fail("config", f"{what}: 설정을 JSON으로 바꿀 수 없습니다 ({error}).")
        skip = set() if "name" in case.kwargs else {"name"}
        for key, value in reference_config.items():
            if key in skip:
                continue
            if key in _OPTIONAL_BASE_CONFIG and key not in normalized:
                continue  # 빠뜨려도 from_config()가 기본값으로 같은 층을 만듭니다.
            if key not in normalized:
                return self.fail("config", f"{what}: get_config()에 {key!r}이(가) 없습니다.")
            difference = _first_difference(value, _without_build_config(normalized[key]))
            if difference is not None:
                path, wanted, got = difference
                return self.fail(
                    "config",
                    f"{what}: get_config()[{key!r}]{path}가 {wanted!r}이어야 하는데 {got!r}입니다.",
                )
        clone = self.attempt(
            "config",
            f"{what}: get_config() → JSON → from_config()",
            type(reader).from_config,
            normalized,
        )
        try:
            clone_config = _without_build_config(_json_normalized(clone.get_config()))
        except Exception as error:  # 되살린 층의 설정을 읽을 수 없으면 그 예외를 알립니다.
            return self.fail(
                "config", exception_sentence(f"{what}: 되살린 층의 get_config()", error)
            )
        difference = _first_difference(_without_build_config(normalized), clone_config)
        if difference is not None:
            path, wanted, got = difference
            return self.fail(
                "config",
                f"{what}: from_config()로 되살린 층의 get_config(){path}가 {wanted!r}이어야 하는데 "
                f"{got!r}입니다.",
            )
        first = case.feeds[0]
        if case.prepare is not None:
            case.prepare(clone)
        self._build_like(clone, first)
        clone_weights = list(clone.trainable_weights)
        mine = [m for m, _ in pairs]
        if sorted(map(_weight_key, clone_weights)) != sorted(map(_weight_key, mine)):
            return self.fail(
                "config",
                f"{what}: from_config()로 되살린 층의 가중치가 {_describe_weights(mine)}이어야 "
                f"하는데 {_describe_weights(clone_weights)}입니다.",
            )
        order = {id(m): i for i, m in enumerate(reader.trainable_weights)}
        for variable, (m, theirs) in zip(
            clone_weights, sorted(pairs, key=lambda p: order[id(p[0])]), strict=True
        ):
            del m
            variable.assign(_to_numpy(theirs).astype(_dtype(variable)))
        if self._stateful(reference):
            self.checker.count_pass()
            return None  # 상태가 있는 층의 출력은 앞의 탐침들이 이미 비교했습니다.
        # 모범 답안도 설정에서 되살려 같은 가중치를 넣습니다: 두 층의 SeedGenerator가 같은 자리에서
        # 시작하므로, 시드가 있는 층도 같은 값을 뽑아야 합니다.
        reference_clone = type(reference).from_config(reference.get_config())
        if case.prepare is not None:
            case.prepare(reference_clone)
        self._build_like(reference_clone, first)
        for variable, value in zip(
            reference_clone.trainable_weights, reference.trainable_weights, strict=True
        ):
            variable.assign(_to_numpy(value).astype(_dtype(variable)))
        training = self._quiet_training()
        expected = self._call(reference_clone, first, training)
        received = self.attempt(
            "config", f"{what}: 되살린 층 호출", self._call, clone, first, training
        )
        random = self._random_indices(reference_clone, first, training, expected)
        self._compare_outputs(
            "config", f"{what}: from_config()로 되살린 층", expected, received, random=random
        )
        return None

    def _save(self, case):
        first = case.feeds[0]
        if first.kwargs:
            return None
        reader, reference, _ = self._ready_pair(0, case)
        reference_model = self._saveable(reference, first)
        if not self.reference_result(("saves",), lambda: _saves(reference_model)):
            return None
        expected = [_to_numpy(e) for e in _flat(self._predict(reference_model, first))]
        what = f"{self.label(case)}가 든 모델"
        model = self.attempt("save", f"{what} 만들기", self._saveable, reader, first)
        registered = is_registered(self.reader_class)
        custom = None if self.spec.registered or registered else self._custom_objects()
        how = "custom_objects 없이 " if custom is None else ""
        loaded = self.attempt(
            "save", f"{what}을 .keras로 저장하고 {how}불러오기", _save_and_load, model, custom
        )
        received = self.attempt("save", f"불러온 {what} 호출", self._predict, loaded, first)
        received = [_to_numpy(r) for r in _flat(received)]
        random = self._random_indices(
            reference_model, first, None, self._predict(reference_model, first)
        )
        ok = len(received) == len(expected) and all(
            i in random or _close(e, r)
            for i, (e, r) in enumerate(zip(expected, received, strict=True))
        )
        self.expect(
            "save",
            ok,
            f"불러온 {what}의 예측이 {short_array(expected[0])}이어야 하는데 "
            f"{short_array(received[0]) if received else '없습니다'}입니다.",
        )
        return None

    def _predict(self, model, feed):
        training = self._quiet_training()
        return model(feed.inputs) if training is None else model(feed.inputs, training=training)

    def _custom_objects(self):
        return {self.reader_class.__name__: self.reader_class}

    def _saveable(self, layer, feed):
        if isinstance(layer, keras.Model):
            if not layer.built:
                layer(feed.inputs)
            return layer
        inputs = keras.tree.map_structure(
            lambda a: keras.Input(shape=np.shape(a)[1:], dtype=_dtype(a)), feed.inputs
        )
        return keras.Model(inputs, layer(inputs))

    def _policies(self, case):
        feed = self.spec.policy_feed or case.feeds[0]
        for policy, tolerance in self.spec.policies:
            policy_case = dataclasses.replace(case, feeds=[feed])
            reader, reference, _ = self._ready_pair(0, policy_case, dtype=policy)
            what = self.label(case, dtype=policy)
            expected = self._call(reference, feed)
            received = self.attempt("policy", f"{what} 호출", self._call, reader, feed)
            wanted = sorted(_dtype(v) for v in reference.weights)
            got = sorted(_dtype(v) for v in reader.weights)
            if not self.expect(
                "policy",
                wanted == got,
                f"{what}: 가중치 자료형이 {wanted}이어야 하는데 {got}입니다.",
            ):
                return
            if not self._compare_outputs("policy", what, expected, received, tolerance, tolerance):
                return

    def _errors(self):
        for error_case in self.spec.errors:
            label = self.label(Case(args=error_case.args, kwargs=error_case.kwargs))
            try:
                self.spec.reference(*error_case.args, **error_case.kwargs)
            except Exception as error:  # 모범 답안이 내는 예외의 종류
                kind = type(error)
            else:
                continue
            mentions = [str(k) for k in error_case.kwargs]
            mentions += [str(v) for v in (*error_case.args, *error_case.kwargs.values())]
            try:
                with _quiet():
                    self.reader_class(*error_case.args, **error_case.kwargs)
            except Exception as error:  # 독자의 예외를 살펴봅니다.
                error = original_exception(error)
                if not isinstance(error, kind):
                    self.fail(
                        "errors",
                        f"{label}: {kind.__name__}가 나야 하는데 "
                        f"{describe_exception(error)}가 났습니다.",
                    )
                    continue
                missing = [m for m in mentions if m not in str(error)]
                self.expect(
                    "errors",
                    not missing,
                    f"{label}: 오류 메시지에 {', '.join(missing)}이(가) 없습니다. 받은 메시지: "
                    f"{first_line(error)!r}",
                )
                continue
            self.fail(
                "errors", f"{label}: {kind.__name__}가 나야 하는데 아무 예외도 나지 않았습니다."
            )

    def _bad_feeds(self):
        case = self.spec.cases[0]
        for feed in self.spec.bad_feeds:
            reference = case.make(self.spec.reference)
            try:
                self._call(reference, feed)
            except Exception as error:  # 모범 답안이 거절하는 입력
                kind = type(original_exception(error))
            else:
                continue
            reader = case.make(self.reader_class)
            try:
                with _quiet():
                    self._call(reader, feed)
            except Exception as error:  # 독자의 층이 낸 예외
                error = original_exception(error)
                self.expect(
                    "bad_inputs",
                    isinstance(error, kind),
                    f"{feed.describe()}: {kind.__name__}로 거절해야 하는데 "
                    f"{describe_exception(error)}가 났습니다.",
                )
                continue
            self.fail("bad_inputs", f"{feed.describe()}: 거절해야 하는데 예외 없이 통과했습니다.")

    # --- 무작위 층 ------------------------------------------------------------------------

    def _draw(self, layer, feed):
        training = True if self._trainings() != [None] else None
        return [_to_numpy(o) for o in _flat(self._call(layer, feed, training))]

    def _randomness(self, case, index=0):
        """모범 답안이 무작위로 뽑는 출력마다 분포를 비교하고, 뽑는 방식(시드 등)을 봅니다."""
        feed = self.spec.distribution_feed or case.feeds[0]
        what = self.label(case)

        def reference_side():
            reference = case.make(self.spec.reference)
            first, second = self._draw(reference, feed), self._draw(reference, feed)
            random = [
                i
                for i, (a, b) in enumerate(zip(first, second, strict=True))
                if not np.array_equal(a, b)
            ]
            return first, random

        wanted, random = self.reference_result(("draws", index), reference_side)
        reader = self.attempt("construct", f"{what} 만들기", case.make, self.reader_class)
        draws = self.attempt(
            "distribution", f"{what}: {feed.describe()}로 뽑기", self._draw, reader, feed
        )
        if len(draws) != len(wanted):
            return self.fail("distribution", f"{what}: 출력 수가 {len(wanted)}개여야 합니다.")
        for i in random:
            if not self._same_law(what, feed, wanted[i], draws[i]):
                return None
        self.checker.count_pass()
        if index == self.spec.random_cases[0]:
            self._protocol(case, feed, random)
        return None

    def _same_law(self, what, feed, expected, received):
        """두 표본의 분포가 같은지 (`distribution_difference`): 다르면 보고합니다."""
        expected = np.asarray(expected, "float64")
        received = np.asarray(received, "float64")
        if expected.shape != received.shape:
            return self.fail(
                "distribution",
                f"{what}: 뽑은 값의 모양이 {expected.shape}이어야 하는데 {received.shape}입니다.",
            )
        difference = distribution_difference(expected, received)
        if difference is None:
            return True
        return self.fail("distribution", f"{what}: {feed.describe()}에서 뽑은 값의 {difference}")

    def _protocol(self, case, feed, random):
        """새로 뽑기, seed, seed 없음, 전역 시드: 모범 답안이 하는 대로 하는지 (참/거짓 비교)."""
        small = feed.batch(min(feed.batch_size, 64))
        training = True if self._trainings() != [None] else None

        def properties(cls):
            return drawing_protocol(
                lambda **kwargs: case.make(cls, **kwargs),
                lambda layer: [self._draw(layer, small)[i] for i in random],
                lambda layer: _compiled_draws(layer, small, training, random),
                self.spec.seed_argument,
            )

        wanted = self.reference_result(
            ("protocol", self.label(case)), lambda: properties(self.spec.reference)
        )
        what = self.label(case)
        got = self.attempt(
            "fresh", f"{what}: 무작위로 뽑는 방식 확인", properties, self.reader_class
        )
        self.expect_protocol(what, wanted, got)

    def expect_protocol(self, what, wanted, got):
        """`drawing_protocol`의 결과가 모범 답안의 것과 같은지: 다른 첫 항목을 보고합니다."""
        for name, (key, sentence) in _PROTOCOL_SENTENCES.items():
            if name in wanted and not self.expect(
                key, got.get(name) == wanted[name], f"{what}: {sentence}"
            ):
                return False
        return True

    def _loops(self, case):
        """무작위 층: 모델 안에서 `predict()`·`evaluate()`는 모범 답안과 같고 `fit()`만 뽑는지."""
        feed = case.feeds[0]
        reader, reference, _ = self._ready_pair(0, case)
        x = feed.arrays()
        x_in = x if len(x) > 1 else x[0]
        saved = _snapshot(reference, trainable=False)
        target = _flat(self._call(reference, feed, self._quiet_training()))
        _restore(saved)
        if len(target) != 1:
            return None
        y = np.zeros(np.shape(_to_numpy(target[0])), "float32")
        adds_losses = bool(reference.losses)

        def loops(layer):
            # fit()과 evaluate()의 한 단계 (train_on_batch, test_on_batch): 학습률 0이므로 가중치는
            # 그대로이고, 손실의 차이는 훈련 중에 뽑은 값에서만 옵니다.
            model = self._wrap(layer, feed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "The model does not have any trainable weights."
                model.compile(
                    optimizer=keras.optimizers.SGD(0.0), loss=None if adds_losses else "mse"
                )
                evaluated = [
                    float(model.test_on_batch(x_in, y, return_dict=True)["loss"]) for _ in range(2)
                ]
                fitted = float(model.train_on_batch(x_in, y, return_dict=True)["loss"])
            return evaluated, fitted

        wanted = self.reference_result(("loops",), lambda: loops(reference))
        what = f"{self.label(case)}가 든 모델"
        model = self._wrap(reader, feed)
        self.attempt("loops", f"{what}: fit()의 훈련 단계 추적", trace_like_compiled_fit, model, x)
        got = self.attempt("loops", f"{what}: evaluate()와 fit()의 한 단계", loops, reader)
        (expected, again), expected_fit = wanted
        (evaluated, evaluated_again), fitted = got
        if expected == again and not self.expect(
            "loops",
            _close(expected, evaluated) and evaluated == evaluated_again,
            f"{what}: evaluate()의 손실이 {expected:.4f}이어야 하는데 {evaluated:.4f}"
            + ("" if evaluated == evaluated_again else f", 다시 부르면 {evaluated_again:.4f}")
            + "입니다.",
        ):
            return None
        draws_in_fit = not np.isclose(expected_fit, expected)
        self.expect(
            "loops",
            draws_in_fit == (not np.isclose(fitted, evaluated)),
            f"{what}: fit()의 손실 {fitted:.4f}와 evaluate()의 손실 {evaluated:.4f}가 "
            + (
                "같습니다 (fit()은 training=True로 부릅니다)."
                if draws_in_fit
                else "다릅니다 (학습률 0에서는 같아야 합니다)."
            ),
        )
        return None


def distribution_difference(expected, received):
    """두 표본(같은 모양)의 분포가 다르면 그 설명 한 문장, 같으면 `None`.

    마지막 축(특성)마다, 이웃한 두 특성의 차이, 이웃한 두 샘플의 차이를 각각 두 표본
    콜모고로프–스미르노프 검정으로 비교합니다 (p < 1e-6이면 다름). 특성마다의 검정은 분포의
    모양(가우스와 같은 분산의 균등분포도)을, 차이의 검정은 여러 원소가 같은 잡음을 나눠 쓰는지를
    가려냅니다. 시드가 고정된 표본이라 결과는 실행마다 같습니다.
    """
    from scipy import stats

    expected = np.asarray(expected, "float64")
    received = np.asarray(received, "float64").reshape(expected.shape)
    expected = expected.reshape(-1, expected.shape[-1])
    received = received.reshape(expected.shape)
    samples = [(f"특성 {j}", expected[:, j], received[:, j]) for j in range(expected.shape[1])]
    if expected.shape[1] > 1:
        samples.append(
            ("이웃한 두 특성의 차이", np.diff(expected, axis=1), np.diff(received, axis=1))
        )
    samples.append(("이웃한 두 샘플의 차이", np.diff(expected, axis=0), np.diff(received, axis=0)))
    for name, e, r in samples:
        e, r = np.ravel(e), np.ravel(r)
        result = stats.ks_2samp(e, r)
        if result.pvalue < _KS_P:
            return (
                f"분포({name})가 모범 답안과 다릅니다: 평균 {e.mean():.3f}, 표준편차 "
                f"{e.std():.3f}이어야 하는데 평균 {r.mean():.3f}, 표준편차 {r.std():.3f}입니다 "
                f"(콜모고로프–스미르노프 검정 D={result.statistic:.3f}, p<{_KS_P:g})."
            )
    return None


def drawing_protocol(make, draw, compiled_draws, seed_argument=None, copy_weights=None):
    """무작위 층이 값을 뽑는 방식을 참/거짓으로: 모범 답안의 결과와 비교합니다.

    Args:
        make: `make(**kwargs)` → 새 층 (`seed=`를 덮어쓸 수 있게).
        draw: `draw(layer)` → 그 층이 무작위로 뽑은 NumPy 배열들의 리스트.
        compiled_draws: `compiled_draws(layer)` → 한 컴파일된 함수 안에서 두 번 뽑은 결과 둘.
        seed_argument: 생성자의 시드 인자 이름 (없으면 시드 항목을 건너뜁니다).
        copy_weights: `copy_weights(a, b)`: 구조가 모범 답안과 달라도 되는 층에서, 시드가 같은
            두 층을 비교하기 전에 a의 가중치를 b에 넣습니다.

    Returns:
        `{"fresh", "fresh_compiled", "same_seed", "other_seed", "unseeded", "global_seed"}` →
        `bool` (`fresh_compiled`는 PyTorch에서도 같은 답이 되게 SeedGenerator가 있는지도 봅니다).
    """

    def differ(a, b):
        return any(not np.array_equal(x, y) for x, y in zip(a, b, strict=True))

    def twin_draws(layers):
        """층마다 한 번 뽑고 (가중치가 있으면 첫 층의 가중치를 나머지에 넣고) 다시 뽑은 값."""
        draws = [draw(layer) for layer in layers]
        if copy_weights is None:
            return draws
        for other in layers[1:]:
            copy_weights(layers[0], other)
        return [draw(layer) for layer in layers]

    layer = make()
    result = {"fresh": differ(draw(layer), draw(layer))}
    inside = compiled_draws(layer)
    result["fresh_compiled"] = differ(*inside) and uses_seed_generator(layer)
    if seed_argument:
        # 층 셋: seed가 같은 둘과 다른 하나 (가중치가 있으면 첫 층의 것을 옮겨 넣고 다시 뽑습니다).
        seeded = [make(**{seed_argument: s}) for s in (3, 3, 4)]
        draws = twin_draws(seeded)
        result["same_seed"] = not differ(draws[0], draws[1])
        result["other_seed"] = differ(draws[0], draws[2])
        unseeded = [make(**{seed_argument: None}) for _ in range(2)]
        result["unseeded"] = differ(*twin_draws(unseeded))
        # 시드 없는 층이 늘 같은 값을 뽑으면 위에서 드러나므로, 같은 전역 시드면 같은지만 봅니다.
        global_layers = []
        for _ in range(2):
            with _global_seed(5):
                global_layers.append(make(**{seed_argument: None}))
                draw(global_layers[-1])
        global_draws = [draw(layer) for layer in global_layers]
        result["global_seed"] = not differ(*global_draws)
    return result


def _compiled_draws(layer, feed, training, random):
    def noisy(*arrays):
        inputs, kwargs = feed.rebuild(arrays)
        if training is not None:
            kwargs = {**kwargs, "training": training}
        return layer(inputs, **kwargs)

    inside = run_twice_compiled(noisy, *feed.arrays(), state=layer)
    flat = [[np.asarray(v) for v in keras.tree.flatten(d)] for d in inside]
    return [[values[i] for i in random] for values in flat]


def grade_layer(checker, reader_class, spec):
    """`spec`의 탐침 묶음으로 `reader_class`를 모범 답안과 비교해 `checker`에 기록합니다.

    Returns:
        `Battery` (`pairs`에 경우마다 `(독자의 층, 모범 답안의 층)`).
    """
    return Battery(checker, reader_class, spec).run()


# --- 작은 도구 -----------------------------------------------------------------------------


def _name_rank(variable, wanted):
    names = [_short_name(w) for w in wanted]
    name = _short_name(variable)
    return names.index(name) if name in names else len(names)


def _short_name(variable):
    return (getattr(variable, "path", "") or getattr(variable, "name", "")).split("/")[-1]


def _copy(pairs):
    for mine, theirs in pairs:
        mine.assign(_to_numpy(theirs).astype(_dtype(mine)))


def _state_pairs(reader, reference):
    """훈련 불가능 가중치를 모양과 이름으로 짝짓습니다."""
    pairs = []
    pool = list(reader.non_trainable_weights)
    for theirs in reference.non_trainable_weights:
        candidates = [w for w in pool if _weight_key(w) == _weight_key(theirs)]
        named = [w for w in candidates if _short_name(w) == _short_name(theirs)]
        chosen = (named or candidates or [None])[0]
        if chosen is not None:
            pool.remove(chosen)
            pairs.append((chosen, theirs))
    return pairs


def _variable_label(variable):
    return _short_name(variable) or "가중치"


def _describe_attribute(value, is_weight):
    if value is None:
        return "속성이 없습니다"
    if is_weight:
        return f"모양 {tuple(value.shape)}"
    return type(value).__name__


def _initial_values(values):
    shown = ["임의의 값" if v is None else f"{v:g}" for v in values]
    return ", ".join(shown)


def _floats(values):
    return "[" + ", ".join(f"{float(v):.4f}" for v in values) + "]"


def _shapes(shapes):
    return shapes[0] if len(shapes) == 1 else shapes


def _shape_tuple(shape):
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [_shape_tuple(s) for s in shape]
    return tuple(None if d is None else int(d) for d in shape)


def _gradient_summary(gradient):
    if gradient is None or not np.any(gradient):
        return "경사 없음 (None 또는 0)"
    return short_array(gradient)


def _compiled_caller(layer, example, training, xla=False):
    """`feed`를 받아 `layer(...)`를 컴파일된 함수로 부르는 함수 (파이썬 속성 상태도 봅니다).

    입력의 차원 수와 특성 수가 같은 호출은 한 함수를 다시 씁니다 (TensorFlow에서는 배치 차원이
    None인 서명으로 한 번만 추적): 파이썬 속성에 둔 상태는 그 한 번만 바뀝니다.
    """
    backend = keras.backend.backend()
    functions = {}

    def function_for(feed):
        key = tuple((np.shape(a)[1:], _dtype(a)) for a in feed.arrays())
        if key in functions:
            return functions[key]

        def compiled_call(*arrays):
            inputs, kwargs = feed.rebuild(arrays)
            if training is not None:
                kwargs = {**kwargs, "training": training}
            return layer(inputs, **kwargs)

        if backend == "tensorflow":
            import tensorflow as tf

            specs = [tf.TensorSpec((None, *np.shape(a)[1:]), _dtype(a)) for a in feed.arrays()]
            function = tf.function(
                compiled_call, input_signature=specs, autograph=False, jit_compile=xla or None
            )
        else:
            function = compiled(compiled_call, state=layer, xla=xla)
        functions[key] = function
        return function

    def call(feed):
        function = function_for(feed)
        before = _python_state(layer)
        outputs = _raise_conversion_errors(function, *feed.arrays())
        changed = _python_state_changed(before, _python_state(layer))
        if changed:
            raise PythonStateError(changed)
        return outputs

    del example
    return call


def _gradients(layer, feed, variables, training, part="all"):
    """`sum(출력 × 고정 투영) + sum(losses)`의 경사: 가중치(`variables` 순서), 그다음 실수 입력.

    `part="losses"`이면 `sum(losses)`만, `"outputs"`이면 `sum(출력)`만 미분합니다 (무작위 층).
    """
    arrays = feed.arrays()
    floating = [i for i, a in enumerate(arrays) if np.asarray(a).dtype.kind == "f"]

    def loss_fn(*values):
        current = list(arrays)
        for i, value in zip(floating, values, strict=True):
            current[i] = value
        inputs, kwargs = feed.rebuild(current)
        if training is not None:
            kwargs = {**kwargs, "training": training}
        outputs = layer(inputs, **kwargs)
        total = keras.ops.zeros((), "float32")
        if part == "all":
            for i, output in enumerate(_flat(outputs)):
                output = keras.ops.convert_to_tensor(output)
                rng = np.random.default_rng(300 + i)
                projection = rng.normal(size=tuple(output.shape)).astype("float32")
                total = total + keras.ops.sum(
                    keras.ops.cast(output, "float32") * keras.ops.convert_to_tensor(projection)
                )
        elif part == "outputs":
            for output in _flat(outputs):
                total = total + keras.ops.sum(keras.ops.cast(output, "float32"))
        if part != "outputs":
            for extra in layer.losses:
                total = total + keras.ops.sum(keras.ops.cast(extra, "float32"))
        return total

    return backend_gradients(loss_fn, variables, [arrays[i] for i in floating])


def _saves(model):
    try:
        _save_and_load(model, None)
    except Exception:  # 모범 답안도 저장하지 못하면 이 탐침을 쓰지 않습니다.
        return False
    return True


def _without_build_config(value):
    """설정에서 `build_config`(빌드한 입력 모양)를 뺀 것: 빌드 여부는 설정의 내용이 아닙니다."""
    if isinstance(value, dict):
        return {k: _without_build_config(v) for k, v in value.items() if k != "build_config"}
    if isinstance(value, list):
        return [_without_build_config(v) for v in value]
    return value


def _first_difference(expected, received, path=""):
    """두 (JSON) 값이 처음 다른 곳: `(경로, 기대한 값, 받은 값)` 또는 같으면 `None`."""
    if isinstance(expected, dict) and isinstance(received, dict):
        for key in expected:
            if key not in received:
                return f"{path}[{key!r}]", expected[key], "(없음)"
            found = _first_difference(expected[key], received[key], f"{path}[{key!r}]")
            if found is not None:
                return found
        return None
    if isinstance(expected, list) and isinstance(received, list) and len(expected) == len(received):
        for i, (e, r) in enumerate(zip(expected, received, strict=True)):
            found = _first_difference(e, r, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    return None if expected == received else (path, expected, received)


def _cause(error):
    """같은 원인의 예외를 알아보는 열쇠: 텐서를 값으로 바꾼 실수는 모두 하나로 봅니다."""
    if is_conversion_error(error):
        return "conversion"
    error = original_exception(error)
    return f"{type(error).__name__}: {first_line(error)}"


def _state_of(layer):
    """층의 모든 변수(가중치, SeedGenerator 상태)와 지표 변수."""
    variables = list(layer.variables)
    for metric in getattr(layer, "metrics", None) or []:
        variables += [v for v in metric.variables if all(v is not w for w in variables)]
    return variables


def _snapshot(layer, trainable=True):
    """층의 변수 값들 (`trainable=False`이면 훈련 가능 가중치는 빼고)."""
    skip = set() if trainable else {id(v) for v in layer.trainable_weights}
    return [(v, np.array(_to_numpy(v))) for v in _state_of(layer) if id(v) not in skip]


def _restore(saved):
    for variable, value in saved:
        variable.assign(value)


_PROTOCOL_SENTENCES = {
    "fresh": ("fresh", "같은 층을 다시 부르면 새 값을 뽑아야 하는데 같은 값이 나옵니다."),
    "fresh_compiled": (
        "fresh",
        "컴파일된 함수(tf.function, jax.jit) 안에서 두 번 부르면 새 값을 뽑아야 하는데 같은 값이 "
        "나옵니다 (NumPy나 정수 시드로 뽑은 값은 그래프에 상수로 굳습니다).",
    ),
    "same_seed": ("seed", "seed가 같은 두 층이 다른 값을 뽑습니다."),
    "other_seed": ("seed", "seed가 다른 두 층이 같은 값을 뽑습니다."),
    "unseeded": ("unseeded", "seed 없이 만든 두 층이 같은 값을 뽑습니다."),
    "global_seed": (
        "unseeded",
        "seed 없이 만든 층이 keras.utils.set_random_seed()를 따르지 않습니다.",
    ),
}


def _save_and_load(model, custom_objects):
    folder = tempfile.mkdtemp()
    try:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        return keras.saving.load_model(path, custom_objects=custom_objects, compile=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
