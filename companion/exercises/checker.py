"""연습 문제 채점기가 함께 쓰는 도구: 기대와 다른 점을 한국어 문장으로 모읍니다.

Chapter modules import only from here, `probes` (the differential probe battery, which is how
chapters 1-10 grade) and `_layer_calls`, never from each other.

What is here (for every checker author):

- `Checker(title)`; `expect`, `expect_equal`, `expect_close`, `fail`; `require*`/`call` stop the
  check with `StopCheck`, which `with checker:` swallows. `run()` turns a reader exception into one
  report entry (`exception_sentence`): the meaningful lines of the original (unwrapped) error
  without TensorFlow node names, plus a Korean explanation for common Keras errors
  (`explain_error`, table `KERAS_ERRORS`). Inside `with checker:` and every `run()`,
  TensorFlow/absl log lines are silenced (`quiet_tensorflow_logs`). Python warnings are left
  alone (chapter 5 records Keras's masking warning into its report).
- `Checker.expect_value_error(what, fn, *args, mentions=(...), **kwargs)`: `fn` must raise a
  `ValueError` naming every string in `mentions`; `expect_registered(cls)` and
  `expect_save_and_reload(what, build_model, x)`: serialization.
- Backends: every check runs on TensorFlow, JAX and PyTorch and gives the same verdict.
  `backend_gradients(loss_fn, variables, inputs)` is the one gradient primitive (TF
  `GradientTape`; JAX `jax.grad` over the variables' values put in with `keras.StatelessScope`;
  PyTorch `torch.autograd.grad(..., allow_unused=True)`); a weight read through NumPy gets no
  gradient on every backend (JAX's tracer error is caught and the weights are differentiated one
  at a time). `compiled(fn, state)` is the one "compiled function" primitive (TF `tf.function`;
  JAX `jax.jit` with the state's variables passed in and written back; PyTorch, where Keras does
  not compile: a guarded trace in which converting a tensor that came from a weight or an input
  raises, then an eager call). Backend errors for "tensor converted to NumPy/Python inside a
  compiled function" all become `CompiledConversionError` (`is_conversion_error`); a `call()`
  that changes a Python attribute becomes `PythonStateError` (`_python_state`).
- PyTorch while checking (`with checker:` and every `run()`): a NumPy operand of a tensor operator
  becomes a tensor, as TensorFlow and JAX do, and converting a tensor to NumPy inside a symbolic
  call raises, as on the other backends. `run_twice_compiled` freezes noise that no SeedGenerator
  drew, as a compiled function would; `uses_seed_generator(layer)` backs that on PyTorch.
  `compile_train_step` compiles a reader's train step on TensorFlow.
- Plain functions: `nontrivial_inputs(shape, seed)` (no zeros, mixed signs),
  `set_fan_in_scaled_weights(variables, seed)` (kernels `N(0, 1/fan_in)`, biases `N(0, 0.5²)`),
  `missing_gradients(loss_fn, variables)`, `numpy_of(fn, *args)`, `save_and_reload(model)`,
  `is_registered(cls)`, `describe_exception(error)`, `explain_error(error)`,
  `original_exception(error)`, `require_class(value)`, `quiet_tensorflow_logs` (context manager
  and decorator; `python_warnings=True` also silences Python warnings), `short_array(array)`
  (the one-line array text of every report), `first_line(error)`, `scalar_or_none(value)`.
"""

import contextlib
import functools
import logging
import os
import re
import shutil
import tempfile
import warnings

import keras
import numpy as np

# TensorFlow op errors carry graph-node names and op names around the real message.
_TF_NOISE = re.compile(
    r"\{\{function_node [^}]*\}\}\s*|\s*\[Op:[^\]]*\].*$| for '\{\{node [^']*'",
    re.MULTILINE,
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ERROR_LINE = re.compile(r"^\s*(?:[\w.]+\.)?(\w+(?:Error|Exception)): (.*)$")
# Lines of Keras/TensorFlow error messages that never tell the reader anything.
_NOISE_LINE = re.compile(
    r"^\s*(?:File \"|in user code:|Traceback|Exception encountered when calling|"
    r"Arguments received by|•|\[\[\{\{node|\[\[node|Call arguments received|raise |"
    r"config=|Full object config|Stack trace|Example:|Detected at node|Graph execution error)"
)
_MAX_LINES = 4
_MAX_LINE_CHARS = 240

#: 흔한 Keras 오류: (메시지 정규식, 한국어 설명과 고칠 방법). 처음 맞는 항목 하나를 씁니다.
KERAS_ERRORS = (
    (
        r"You called `set_weights\(weights\)`|weight shape .* is not compatible with provided",
        "set_weights()에 넘긴 배열의 개수나 모양이 층의 가중치와 다릅니다. 가중치 모양은 "
        "build()에서 입력 모양(input_shape[-1])으로 정해야 어떤 입력에도 맞습니다.",
    ),
    (
        r"was never built|is not built|isn't built|to be built|has not been built",
        "층이 아직 빌드되지 않았습니다. 하위 층은 부모의 build()에서 sub_layer.build(...)를 "
        "부르거나, 가중치를 읽기 전에 층을 한 번 호출하세요.",
    ),
    (
        r"Could not automatically infer the output shape",
        "Keras가 심볼릭 텐서로 call()을 실행해 출력 모양을 알아내다 실패했습니다. call() 안에서 "
        "텐서를 NumPy로 바꾸거나(.numpy(), np.asarray, float()) 텐서 값으로 파이썬 if를 쓰지 "
        "말고 keras.ops로 계산하세요.",
    ),
    (
        r"add_metric",
        "Keras 3에는 add_metric()이 없습니다. __init__()에서 keras.metrics.Mean(name=...) 같은 "
        "지표를 만들어 속성에 담고, call()에서 update_state()를 부르세요.",
    ),
    (
        r"unexpected keyword argument '(?:name|dtype|trainable)'",
        "생성자가 기반 클래스의 키워드 인자(name=, dtype= 등)를 받지 못합니다. "
        "def __init__(self, ..., **kwargs)로 받아 super().__init__(**kwargs)에 넘기세요.",
    ),
    (
        r"unexpected keyword argument",
        "생성자나 함수가 모르는 키워드 인자를 받았습니다. 과제에 적힌 인자 이름을 확인하고, "
        "나머지는 **kwargs로 받아 super().__init__(**kwargs)에 넘기세요.",
    ),
    (
        r"must override `get_config\(\)`|get_config.*NotImplementedError",
        "직렬화할 수 없는 값을 생성자에서 받았습니다. get_config()를 직접 만들어 "
        "{**super().get_config(), ...}에 생성자 인자를 담으세요 (층 객체는 "
        "keras.saving.serialize_keras_object()로 바꿉니다).",
    ),
    (
        r"missing \d+ required positional argument",
        "필요한 인자가 빠졌습니다. from_config()로 되살리는 중이라면 get_config()에 생성자 "
        "인자를 모두 담았는지 확인하세요.",
    ),
    (
        r"You cannot add new elements of state",
        "가중치나 하위 층을 call() 안에서 만들었습니다. 상태는 __init__()이나 build()에서 "
        "만드세요.",
    ),
    (
        r"Could not locate class|Unknown layer|could not be deserialized",
        "저장한 파일의 클래스를 찾지 못했습니다. 클래스에 "
        "@keras.saving.register_keras_serializable(package=...)를 붙여 등록하고, "
        "get_config()/from_config()가 생성자 인자를 모두 되살리는지 확인하세요.",
    ),
    (
        r"is not JSON serializable",
        "get_config()에는 JSON으로 바꿀 수 있는 값(수, 문자열, 리스트, 딕셔너리)만 담으세요. "
        "층 객체는 keras.saving.serialize_keras_object()로 딕셔너리로 바꿉니다.",
    ),
    (
        r"CompiledConversionError|symbolic (?:tf\.)?Tensor|numpy\(\) is only available|"
        r"has no attribute 'numpy'|Using a symbolic `tf.Tensor` as a Python `bool`|"
        r"TracerArrayConversionError|ConcretizationTypeError|TracerBoolConversionError",
        "컴파일된 함수(tf.function, jax.jit, fit()) 안에서는 텐서를 NumPy나 파이썬 값으로 바꿀 수 "
        "없습니다. call()에서는 keras.ops로만 계산하세요.",
    ),
    (
        r"(?i:incompatible shapes)|Matrix size-incompatible|Dimensions must be equal|"
        r"must match the size of tensor|cannot be multiplied|dot_general requires|"
        r"shapes .* (?:are )?(?:in)?compatible|Cannot broadcast",
        "텐서 모양이 맞지 않습니다. 가중치 모양을 입력의 특성 수(input_shape[-1])로 정했는지, "
        "특성 수나 input_shape[1]을 고정해 두지 않았는지 확인하세요.",
    ),
    (
        r"No gradients provided for any variable",
        "경사가 하나도 없습니다. 손실을 GradientTape 블록 안에서, 모델을 호출한 결과로 "
        "계산했는지 확인하세요.",
    ),
)


def explain_error(error):
    """흔한 Keras 오류라면 한국어 설명과 고칠 방법을, 아니면 `None`을 돌려줍니다."""
    text = f"{type(error).__name__}: {_ANSI.sub('', str(error))}"
    for pattern, explanation in KERAS_ERRORS:
        if re.search(pattern, text):
            return explanation
    return None


def describe_exception(error):
    """예외를 `"형식: 의미 있는 줄들"` 한 덩어리로 바꿉니다.

    Keras가 감싼 예외는 원래 예외로 되돌리고, TensorFlow 노드 이름, 파일 위치, 인자 목록처럼
    독자에게 아무것도 알려 주지 않는 줄은 걷어 내고, 원인이 담긴 줄은 최대 네 줄까지 남깁니다.
    """
    error = original_exception(error)
    name = type(error).__name__
    text = _TF_NOISE.sub("", _ANSI.sub("", str(error)))
    lines = [line.strip() for line in text.splitlines()]
    if any(line == "in user code:" for line in lines):
        # tf.function 오류: 맨 끝의 "XxxError: ..." 줄부터가 진짜 원인입니다.
        starts = [i for i, line in enumerate(lines) if _ERROR_LINE.match(line)]
        if starts:
            match = _ERROR_LINE.match(lines[starts[-1]])
            name, first = match.group(1), match.group(2)
            lines = [first, *lines[starts[-1] + 1 :]]
    kept, skip_code = [], False
    for line in lines:
        if line.startswith('File "'):
            skip_code = True  # 다음 줄은 그 파일의 코드 한 줄입니다.
            continue
        if skip_code:
            skip_code = False
            continue
        if not line or _NOISE_LINE.match(line):
            continue
        line = line.removeprefix("Exception encountered:").strip()
        line = line.split(" Full object config:")[0]
        if not line or line in kept:
            continue
        if len(line) > _MAX_LINE_CHARS:
            line = line[: _MAX_LINE_CHARS - 1] + "…"
        kept.append(line)
    if kept and kept[0].startswith("Could not automatically infer the output shape"):
        # 그 아래 줄(원인)은 백엔드마다 다릅니다 ('NoneType'/'_DimExpr' ...): 보고서가
        # 백엔드마다 같도록 Keras의 첫 문장만 남기고, 한국어 설명(explain_error)에 맡깁니다.
        kept = kept[:1]
    kept = kept[:_MAX_LINES]
    return f"{name}: " + "\n    ".join(kept) if kept else name


_TORCH_OPERATORS = (
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
    "__rtruediv__", "__matmul__", "__rmatmul__", "__pow__", "__rpow__", "__floordiv__",
    "__rfloordiv__", "__mod__", "__rmod__", "__lt__", "__le__", "__gt__", "__ge__",
)  # fmt: skip
# 심볼릭 호출(함수형 API) 안에서 값이 필요한 변환: TensorFlow와 JAX에서는 실패합니다.
_TORCH_CONVERSIONS = ("numpy", "item", "tolist", "__array__", "__float__", "__int__")
_torch_operator_depth = [0]


@contextlib.contextmanager
def _numpy_operands_as_tensors():
    """PyTorch: `텐서 + NumPy 배열`을 TensorFlow·JAX처럼 텐서 연산으로 만듭니다.

    TensorFlow와 JAX는 텐서와 NumPy 배열을 섞은 연산(`inputs + noise`)에서 배열을 상수 텐서로
    바꿉니다. PyTorch에서는 NumPy가 텐서를 배열로 바꾸려 하므로 경사를 추적하는 텐서면
    `RuntimeError`가 나고, 아니면 결과가 NumPy 배열이 됩니다. 그래서 같은 실수(NumPy로 뽑은
    잡음, NumPy로 읽은 가중치)가 백엔드마다 다른 보고를 받습니다. 채점하는 동안에만 PyTorch
    텐서의 산술 연산자가 NumPy 피연산자를 같은 장치·자료형의 텐서로 바꾸게 합니다.

    또 PyTorch 백엔드의 Keras는 심볼릭 호출(함수형 API, 출력 모양 추론)이 실패하면 값이 1인
    진짜 텐서로 `call()`을 다시 실행하므로, `call()`에서 텐서를 NumPy로 바꿔도 통과합니다.
    TensorFlow와 JAX에서는 "Could not automatically infer the output shape"로 실패하는 일이라,
    채점하는 동안에는 심볼릭 호출 안의 `.numpy()`, `np.asarray()`, `float()`가 예외를 냅니다.
    """
    if keras.backend.backend() != "torch":
        yield
        return
    import torch
    from keras.src.backend.common.symbolic_scope import in_symbolic_scope

    def patch(original):
        def operator(self, other):
            if isinstance(other, (np.ndarray, np.generic)):
                if in_symbolic_scope() and _sized_by_placeholder(self, other):
                    # TensorFlow와 JAX에서는 이 차원이 None이라 그 크기로 NumPy 배열을 만들
                    # 수 없습니다 (np.random.normal(size=(None, 2))).
                    raise TypeError("'NoneType' object cannot be interpreted as an integer")
                other = np.asarray(other)
                if other.dtype.kind == "V" or other.dtype.name == "bfloat16":  # ml_dtypes
                    other = other.astype("float32")
                other = torch.as_tensor(other, device=self.device)
                if other.is_floating_point() and self.is_floating_point():
                    other = other.to(self.dtype)
            return original(self, other)

        return operator

    def symbolic_guard(original):
        def guarded(self, *args, **kwargs):
            if in_symbolic_scope():
                # TensorFlow가 심볼릭 텐서에서 내는 예외와 같은 형식입니다 (Keras가 그 위에
                # "Could not automatically infer the output shape" 문장을 얹습니다).
                raise NotImplementedError("Cannot convert a symbolic tensor to a NumPy array.")
            return original(self, *args, **kwargs)

        return guarded

    if _torch_operator_depth[0] == 0:
        for name in _TORCH_OPERATORS:
            _torch_operator_originals[name] = getattr(torch.Tensor, name)
            setattr(torch.Tensor, name, patch(_torch_operator_originals[name]))
        for name in _TORCH_CONVERSIONS:
            _torch_operator_originals[name] = getattr(torch.Tensor, name)
            setattr(torch.Tensor, name, symbolic_guard(_torch_operator_originals[name]))
    _torch_operator_depth[0] += 1
    try:
        yield
    finally:
        _torch_operator_depth[0] -= 1
        if _torch_operator_depth[0] == 0:
            for name in _TORCH_OPERATORS + _TORCH_CONVERSIONS:
                setattr(torch.Tensor, name, _torch_operator_originals[name])


_torch_operator_originals = {}
# PyTorch 백엔드의 Keras가 심볼릭 호출에서 None 차원 대신 쓰는 크기 (torch/core.py).
_TORCH_PLACEHOLDER_SIZES = (83, 89)


def _sized_by_placeholder(tensor, array):
    """심볼릭 호출의 텐서와 NumPy 배열이 같은 자리에 None 차원 대신 쓴 크기(83, 89)를 가졌나.

    그런 배열은 `tuple(inputs.shape)`로 크기를 읽어 만든 것입니다: TensorFlow와 JAX에서는 그
    차원이 None이라 만들 수 없고, 심볼릭 호출이 실패합니다.
    """
    tensor_shape, array_shape = tuple(tensor.shape), np.shape(array)
    if len(array_shape) != len(tensor_shape):
        return False
    return any(
        a == t and a in _TORCH_PLACEHOLDER_SIZES
        for a, t in zip(array_shape, tensor_shape, strict=True)
    )


@contextlib.contextmanager
def _quiet(python_warnings=False):
    tf_logger = logging.getLogger("tensorflow")
    absl_logger = logging.getLogger("absl")
    levels = (tf_logger.level, absl_logger.level)
    tf_logger.setLevel(logging.ERROR)
    absl_logger.setLevel(logging.ERROR)
    absl_verbosity = None
    try:
        from absl import logging as absl_logging

        absl_verbosity = absl_logging.get_verbosity()
        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # absl 없이 도는 백엔드
        absl_logging = None
    operators = _numpy_operands_as_tensors()
    operators.__enter__()
    try:
        if python_warnings:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yield
        else:
            # 기본값에서는 파이썬 경고(warnings)를 건드리지 않습니다: 채점기가 Keras의 경고를
            # 기록해 보고서의 문장으로 바꾸기도 하고 (5장), 같은 경고는 어차피 한 번만 출력됩니다.
            yield
    finally:
        operators.__exit__(None, None, None)
        tf_logger.setLevel(levels[0])
        absl_logger.setLevel(levels[1])
        if absl_logging is not None and absl_verbosity is not None:
            absl_logging.set_verbosity(absl_verbosity)


def quiet_tensorflow_logs(fn=None, *, python_warnings=False):
    """TensorFlow·absl 경고 로그를 잠시 끕니다 (기본값에서는 파이썬 warnings는 그대로 둡니다).

    `with quiet_tensorflow_logs():`로도, 함수에 붙이는 데코레이터 `@quiet_tensorflow_logs`로도
    씁니다. 채점기는 작은 층과 모델을 여러 번 새로 만들어 `tf.function`과 `fit()`을 부르므로
    TensorFlow가 "tf.function retracing" 경고를 낼 수 있습니다. 독자가 고칠 일이 아니므로 보고서
    밖의 출력에 섞이지 않게 합니다. 오류 로그는 그대로 둡니다.

    `python_warnings=True`이면 파이썬 경고도 끕니다 (`@quiet_tensorflow_logs(python_warnings=True)`
    또는 `with quiet_tensorflow_logs(python_warnings=True):`). 4장과 7~9장 채점기는 Keras가 내는,
    독자가 고칠 일이 아닌 경고(`build()` 없는 층, 리스트로 준 함수형 입력, 소프트맥스 출력에
    `from_logits=True`)를 보고서 밖에 섞지 않으려고 이렇게 씁니다.
    """
    if fn is None:
        # contextlib의 컨텍스트 관리자는 데코레이터로도 쓸 수 있습니다 (부를 때마다 새로 만듭니다).
        return _quiet(python_warnings)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _quiet(python_warnings):
            return fn(*args, **kwargs)

    return wrapper


class CheckReport:
    """채점 결과. 노트북에서 그대로 출력하면 통과 여부와 고칠 점을 보여 줍니다.

    Args:
        title: 연습 문제 이름 (예: `"연습 1-1 Scale 층"`).
        failures: 기대와 다른 점을 한 문장씩 담은 리스트.
        checks: 확인한 항목 수.
    """

    def __init__(self, title, failures, checks, missing=None):
        self.title = title
        self.failures = list(failures)
        self.checks = checks
        self.missing = missing

    @classmethod
    def not_written(cls, title, name):
        """독자가 아직 `name`을 만들지 않았을 때(값이 `None`)의 보고서: 통과도 실패도 아닙니다."""
        return cls(title, [], 0, missing=name)

    @property
    def passed(self):
        """모든 확인 항목을 통과했으면 `True` (아직 채점할 답이 없으면 `False`)."""
        return self.missing is None and not self.failures

    def __bool__(self):
        return self.passed

    def __repr__(self):
        if self.missing is not None:
            return (
                f"⏳ {self.title}: 아직 채점할 `{self.missing}`이(가) 없습니다. 위의 빈 셀에 "
                f"`{self.missing}`을(를) 만들어 실행한 뒤 이 셀을 다시 실행하세요."
            )
        if self.passed:
            return f"✅ {self.title}: 통과했습니다 ({self.checks}개 항목 확인)."
        lines = [f"❌ {self.title}: 고칠 점이 {len(self.failures)}개 있습니다."]
        lines += [f"  - {message}" for message in self.failures]
        return "\n".join(lines)

    __str__ = __repr__


class WrongArgument(TypeError):
    """채점기에 클래스 대신 인스턴스처럼 엉뚱한 것을 넘겼을 때: `exercise`가 보고서로 바꿉니다."""


def exercise(title, answer):
    """`check_*` 함수를 독자가 부르는 입구로 만드는 장식자: 어떤 값을 받아도 보고서를 돌려줍니다.

    - 답이 아직 없으면(`None`, 각 장의 연습 문제 첫 셀이 이름을 `None`으로 둡니다) 통과도 실패도
      아닌 "아직 없습니다" 보고서를 돌려줍니다. 그래서 답 셀을 비워 둔 채 "모두 실행"을 눌러도
      노트북이 멈추지 않습니다.
    - 클래스 자리에 인스턴스를 넘기는 것처럼 인자가 잘못되었으면(`WrongArgument`) 그 문장을
      고칠 점으로 적은 보고서를 돌려줍니다.
    - 그 밖에 채점 중에 빠져나온 예외도 보고서의 한 줄이 됩니다: 채점기는 독자의 코드가 무엇이든
      예외를 내지 않습니다.

    Args:
        title: 보고서 제목 (예: `"연습 1-1 Scale 층"`).
        answer: 독자가 만들 이름 (예: `"Scale"`), "아직 없습니다" 보고서에 씁니다.
    """

    def decorate(check):
        @functools.wraps(check)
        def entry(value, *args, **kwargs):
            if value is None:
                return CheckReport.not_written(title, answer)
            try:
                return check(value, *args, **kwargs)
            except WrongArgument as error:
                return CheckReport(title, [str(error)], 1)
            except Exception as error:  # noqa: BLE001 - 독자의 코드가 무엇이든 보고서로 답합니다.
                return CheckReport(
                    title,
                    [
                        "채점하는 중에 예상하지 못한 예외가 났습니다: "
                        f"{describe_exception(error)}\n"
                        "    → 이 예외가 여러분의 코드에서 났는지 먼저 확인하세요. 아니라면 "
                        "채점기의 버그이니 알려 주세요."
                    ],
                    1,
                )

        entry.title = title
        entry.answer = answer
        return entry

    return decorate


class StopCheck(Exception):
    """`Checker.require*()`와 `Checker.call()`이 더 확인할 수 없을 때 채점을 멈추는 예외.

    `with checker:` 블록이 이 예외를 삼키므로 채점기 함수는 블록이 끝난 뒤
    `checker.report()`를 돌려주기만 하면 됩니다.
    """


class Checker:
    """채점기 하나가 쓰는 작은 도우미.

    독자의 코드를 `run()`으로 실행해서 예외가 나도 채점기가 멈추지 않고 예외 메시지를
    고칠 점으로 기록합니다. `expect*()` 메서드는 조건이 틀렸을 때 기대한 값과 받은 값을
    담은 문장을 기록하고 계속 진행합니다. 뒤의 확인이 앞의 결과에 기대는 곳에서는
    `require*()`와 `call()`을 씁니다: 실패를 기록한 뒤 `StopCheck`로 채점을 멈추고,
    `with checker:` 블록이 그 예외를 받아 줍니다. 블록 안에서는 TensorFlow 로그가
    꺼집니다.

    Args:
        title: 보고서 제목으로 쓸 연습 문제 이름.

    Example:

    >>> checker = Checker("연습 0-0 예시")
    >>> with checker:
    ...     value = checker.call("함수 호출", lambda: 3)
    ...     checker.require_equal("반환값", 4, value)
    ...     checker.expect(False, "여기까지 오지 않습니다.")
    >>> checker.report()
    ❌ 연습 0-0 예시: 고칠 점이 1개 있습니다.
      - 반환값: 4이어야 하는데 3입니다.
    """

    def __init__(self, title):
        if not isinstance(title, str) or not title:
            raise ValueError(f"title은 비어 있지 않은 문자열이어야 합니다. 받은 값: {title!r}")
        self.title = title
        self.failures = []
        self.checks = 0
        self._quiet_stack = []

    def fail(self, message):
        """고칠 점 한 문장을 기록합니다."""
        self.checks += 1
        self.failures.append(message)
        return False

    def count_pass(self):
        """통과한 확인 하나를 셉니다 (직접 판정한 뒤 부릅니다)."""
        self.checks += 1
        return True

    def expect(self, condition, message):
        """`condition`이 거짓이면 `message`를 기록하고, 참이면 통과로 셉니다."""
        if condition:
            return self.count_pass()
        return self.fail(message)

    def expect_equal(self, what, expected, received):
        """`received == expected`인지 확인합니다."""
        return self.expect(
            expected == received,
            f"{what}: {expected!r}이어야 하는데 {received!r}입니다.",
        )

    def expect_close(self, what, expected, received, atol=1e-5, hint=""):
        """두 배열(또는 수)의 모양과 값이 `atol` 안에서 같은지 확인합니다.

        `hint`는 틀렸을 때 문장 끝에 붙일 고칠 방법입니다 (예: `" (편향을 더했나요?)"`).
        """
        try:
            expected = np.asarray(expected, dtype="float64")
            received = np.asarray(received, dtype="float64")
        except (TypeError, ValueError) as error:
            return self.fail(f"{what}: 숫자 배열로 바꿀 수 없습니다 ({error}).")
        if expected.shape != received.shape:
            return self.fail(
                f"{what}: 모양이 {expected.shape}이어야 하는데 {received.shape}입니다{hint}."
            )
        if not np.allclose(expected, received, atol=atol, rtol=1e-5):
            return self.fail(
                f"{what}: {short_array(expected)}이어야 하는데 {short_array(received)}입니다{hint}."
            )
        return self.count_pass()

    def run(self, what, fn, *args, **kwargs):
        """독자의 코드를 실행합니다. 예외가 나면 기록하고 `(False, None)`을 돌려줍니다.

        기록하는 문장에는 원래 예외의 의미 있는 줄(`describe_exception`)과, 흔한 Keras
        오류라면 한국어 설명(`explain_error`)이 들어갑니다.

        Returns:
            `(성공 여부, 반환값)` 튜플.
        """
        try:
            with _quiet():
                return True, fn(*args, **kwargs)
        except StopCheck:
            raise
        except Exception as error:  # 독자 코드의 어떤 예외든 보고서로 바꿉니다.
            self.fail(exception_sentence(what, error))
            return False, None

    def require(self, condition, message):
        """`expect()`와 같지만, 실패하면 기록한 뒤 `StopCheck`로 채점을 멈춥니다."""
        if not self.expect(condition, message):
            raise StopCheck(message)
        return True

    def require_equal(self, what, expected, received):
        """`expect_equal()`과 같지만, 실패하면 채점을 멈춥니다."""
        if not self.expect_equal(what, expected, received):
            raise StopCheck(what)
        return True

    def require_close(self, what, expected, received, atol=1e-5, hint=""):
        """`expect_close()`와 같지만, 실패하면 채점을 멈춥니다."""
        if not self.expect_close(what, expected, received, atol=atol, hint=hint):
            raise StopCheck(what)
        return True

    def call(self, what, fn, *args, **kwargs):
        """`run()`과 같지만 반환값만 돌려주고, 예외가 나면 기록한 뒤 채점을 멈춥니다."""
        ok, value = self.run(what, fn, *args, **kwargs)
        if not ok:
            raise StopCheck(what)
        return value

    def stop(self):
        """지금까지 실패가 있으면 채점을 멈춥니다 (같은 실수를 되풀이해 보고하지 않으려고)."""
        if self.failures:
            raise StopCheck("이전 실패")

    # --- 여러 장이 함께 쓰는 확인 ------------------------------------------------------------

    def expect_value_error(self, what, fn, *args, mentions=(), **kwargs):
        """`fn(*args, **kwargs)`가 `mentions`를 모두 담은 `ValueError`를 내는지 확인합니다.

        `expect_error()`와 같은 확인이지만 문장이 짧습니다: 받은 메시지는 첫 줄만 보여 줍니다
        (8~10장의 보고서 문장).
        """
        try:
            fn(*args, **kwargs)
        except ValueError as error:
            missing = [word for word in mentions if word not in str(error)]
            return self.expect(
                not missing,
                f"{what}: ValueError 메시지에 {', '.join(missing)}이(가) 들어 있어야 합니다 "
                f"(인자 이름과 받은 값을 알려 주세요). 받은 메시지: {first_line(error)!r}",
            )
        except Exception as error:  # 독자 코드의 다른 예외도 보고서로 바꿉니다.
            return self.fail(
                f"{what}: ValueError가 나야 하는데 {type(error).__name__}: {first_line(error)}"
            )
        return self.fail(f"{what}: ValueError가 나야 하는데 아무 예외도 나지 않았습니다.")

    def expect_registered(self, layer_class):
        """클래스가 `register_keras_serializable`로 등록되어 있는지 확인합니다."""
        name = keras.saving.get_registered_name(layer_class)
        return self.expect(
            is_registered(layer_class),
            f"클래스가 직렬화 등록부에 등록되어 있어야 하는데 등록 이름이 {name!r}입니다 "
            "(@keras.saving.register_keras_serializable(package=...)를 붙이세요).",
        )

    def expect_save_and_reload(self, what, build_model, x, atol=1e-5):
        """`build_model()`이 만든 모델을 `.keras`로 저장하고 `custom_objects` 없이 불러와,
        같은 입력에 같은 예측을 내는지 확인합니다."""
        ok, model = self.run(f"{what}: 함수형 모델 만들기", build_model)
        if not ok:
            return False
        ok, expected = self.run(f"{what}: 모델 예측", _predict, model, x)
        if not ok:
            return False
        ok, loaded = self.run(
            f"{what}: .keras로 저장하고 custom_objects 없이 불러오기", save_and_reload, model
        )
        if not ok:
            return False
        ok, received = self.run(f"{what}: 불러온 모델 예측", _predict, loaded, x)
        if not ok:
            return False
        return self.expect_close(
            f"{what}: 불러온 모델의 예측 (저장 전과 같아야 합니다)", expected, received, atol
        )

    def __enter__(self):
        context = _quiet()
        context.__enter__()
        self._quiet_stack.append(context)
        return self

    def __exit__(self, exc_type, exc, traceback):
        self._quiet_stack.pop().__exit__(None, None, None)
        # StopCheck만 삼킵니다: 실패는 이미 기록되었습니다. 다른 예외는 채점기 자체의
        # 버그이므로 그대로 올려 보냅니다.
        return exc_type is not None and issubclass(exc_type, StopCheck)

    def report(self):
        """지금까지의 결과를 `CheckReport`로 돌려줍니다."""
        return CheckReport(self.title, self.failures, self.checks)


def exception_sentence(what, error):
    """`"{what} 중에 예외가 났습니다: 형식: 원인"`과, 흔한 Keras 오류라면 한국어 설명 한 줄.

    백엔드마다 다른 추적 오류(JAX의 `TracerArrayConversionError` 등)는 `CompiledConversionError`
    한 문장으로 바꿉니다 (`Checker.run()`과 `probes`가 함께 씁니다).
    """
    symbolic = "Could not automatically infer" in str(original_exception(error))
    if is_conversion_error(error) and not symbolic:
        error = CompiledConversionError()
    message = f"{what} 중에 예외가 났습니다: {describe_exception(error)}"
    explanation = explain_error(original_exception(error))
    if explanation:
        message += f"\n    → {explanation}"
    return message


def original_exception(error):
    """Keras가 감싼 예외라면 감싸기 전의 원래 예외를 돌려줍니다.

    Keras는 층의 `call()`에서 난 예외를 "Exception encountered when calling X.call()."로
    시작하는 예외로 감싸므로, 그 첫 줄은 독자에게 아무것도 알려 주지 않습니다.
    """
    while getattr(error, "_keras_call_info_injected", False) and isinstance(
        error.__context__, Exception
    ):
        error = error.__context__
    return error


def short_array(array):
    """배열을 소수 넷째 자리까지 반올림해 한 줄로 (원소가 많으면 `...`로 줄여) 씁니다."""
    values = np.round(np.asarray(array, dtype="float64"), 4)
    text = np.array2string(values, threshold=6, separator=", ")
    return text.replace("\n", "")


def first_line(error):
    """예외 메시지의 첫 줄 (앞뒤 공백을 걷어 냄; 메시지가 비었으면 `""`)."""
    return (str(error).strip().splitlines() or [""])[0]


def scalar_or_none(value):
    """`value`가 원소 하나짜리면 파이썬 `float`로, 아니면 `None`을 돌려줍니다."""
    try:
        array = np.asarray(keras.ops.convert_to_numpy(value), dtype="float64")
    except (TypeError, ValueError):
        return None
    return float(array.reshape(())) if array.size == 1 else None


def require_class(value, argument="layer_class"):
    """채점기 인자가 클래스인지 확인합니다 (인스턴스를 넘긴 흔한 실수를 잡습니다)."""
    if not isinstance(value, type):
        raise WrongArgument(
            f"{argument}에는 클래스 자체를 넘겨야 합니다 (예: MyLayer, MyLayer()가 아니라). "
            f"받은 값: {value!r}"
        )
    return value


# --- 여러 장이 함께 쓰는 함수 (Checker.run/call로 부릅니다) --------------------------------------


def nontrivial_inputs(shape, seed):
    """0이 없고 부호가 섞인 float32 입력: 절댓값이 0.25~2.0인 시드 고정 난수."""
    rng = np.random.default_rng(seed)
    magnitude = rng.uniform(0.25, 2.0, size=shape)
    sign = rng.choice([-1.0, 1.0], size=shape)
    return (magnitude * sign).astype("float32")


def set_fan_in_scaled_weights(variables, seed):
    """가중치를 시드 고정한 0이 아닌 정규분포 난수로 바꾸고 `{id(가중치): 넣은 값}`을 돌려줍니다.

    2차원 이상(커널)은 `N(0, 1/fan_in)` (`fan_in`은 마지막 축을 뺀 크기의 곱), 1차원 이하(편향
    등)는 `N(0, 0.5²)`입니다. 새로 초기화한 편향은 0이고 VAE의 `z_log_var`도 0 근처이므로,
    이렇게 해야 편향·활성화가 빠졌거나 분산과 표준편차를 헷갈린 답이 다른 값을 냅니다. 값의
    크기가 층을 지나도 비슷하게 유지되므로 기대 출력을 NumPy로 계산해 비교하기 좋습니다
    (`set_nontrivial_weights`는 절댓값 0.25~2.0의 값을 넣습니다).
    """
    rng = np.random.default_rng(seed)
    values = {}
    for variable in variables:
        shape = tuple(int(d) for d in variable.shape)
        scale = 1.0 / np.sqrt(np.prod(shape[:-1])) if len(shape) >= 2 else 0.5
        value = (rng.normal(size=shape) * scale).astype(variable.dtype)
        variable.assign(value)
        values[id(variable)] = value
    return values


class CompiledConversionError(Exception):
    """컴파일된 함수 안에서 텐서를 NumPy나 파이썬 값으로 바꾸려 했을 때 채점기가 내는 예외.

    TensorFlow(`numpy() is only available when eager execution is enabled`), JAX
    (`TracerArrayConversionError`, `ConcretizationTypeError`)와 PyTorch(`Can't call numpy() on
    Tensor that requires grad`, 메타 텐서)는 같은 실수를 서로 다른 문장으로 알립니다. 보고서가
    백엔드마다 같도록 채점기는 그 예외들을 이 예외 하나로 바꿉니다.
    """

    def __init__(self):
        super().__init__(
            "컴파일된 함수 안에서 텐서를 NumPy 배열이나 파이썬 값으로 바꾸려 했습니다 "
            "(.numpy(), np.asarray(), float(), 텐서 값으로 쓴 파이썬 if)."
        )


class PythonStateError(Exception):
    """`call()`이 층의 파이썬 속성(수, NumPy 배열, 텐서)을 바꿀 때 채점기가 내는 예외."""

    def __init__(self, names):
        super().__init__(
            f"call()이 파이썬 속성 {', '.join(names)}을(를) 바꿉니다. 컴파일된 함수(tf.function, "
            "jax.jit) 안에서는 추적할 때 한 번만 바뀌고, 가중치가 아니라 저장되지도 않습니다. "
            "self.add_weight(..., trainable=False)로 만든 가중치에 담고 assign()으로 갱신하세요."
        )


_CONVERSION_MESSAGES = re.compile(
    r"numpy\(\) is only available|has no attribute 'numpy'|symbolic (?:tf\.)?Tensor|"
    r"Using a symbolic `tf\.Tensor` as a Python `bool`|OperatorNotAllowedInGraph|"
    r"Tracer|ConcretizationTypeError|Abstract tracer value|"
    r"Can't call numpy\(\) on Tensor that requires grad"
)


def is_conversion_error(error):
    """`error`가 컴파일된 함수 안에서 텐서를 NumPy·파이썬 값으로 바꾸다 난 예외인지 (모든
    백엔드)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, CompiledConversionError):
            return True
        # JAX의 추적 오류는 Keras가 메시지를 덧붙여 다시 만들 수 없어 AttributeError가 되므로
        # 원인(__context__)까지 거슬러 올라가 봅니다.
        if _CONVERSION_MESSAGES.search(f"{type(error).__name__}: {error}"):
            return True
        error = error.__cause__ or error.__context__
    return False


def _raise_conversion_errors(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except Exception as error:
        if is_conversion_error(error):
            raise CompiledConversionError() from None
        raise


def _python_state(layer):
    """층과 하위 층의 파이썬 속성 중 수·NumPy 배열·텐서인 것: `{이름: 값}`."""
    state = {}
    layers = layer._flatten_layers() if isinstance(layer, keras.layers.Layer) else [layer]
    for sublayer in layers:
        for name, value in vars(sublayer).items():
            if name.startswith("_") or isinstance(value, (bool, str, keras.Variable)):
                continue
            if isinstance(value, (int, float, np.ndarray, np.generic)) or keras.ops.is_tensor(
                value
            ):
                state[f"self.{name}"] = value
    return state


def _python_state_changed(before, after):
    changed = []
    for name, value in after.items():
        old = before.get(name, None)
        if old is value:
            continue
        try:
            same = old is not None and np.array_equal(
                np.asarray(keras.ops.convert_to_numpy(old)),
                np.asarray(keras.ops.convert_to_numpy(value)),
            )
        except Exception:  # 텐서를 값으로 바꿀 수 없으면 (누설된 추적 값) 바뀐 것으로 봅니다.
            same = False
        if not same:
            changed.append(name)
    return changed


def _state_variables(target):
    if isinstance(target, keras.layers.Layer):
        return list(target.variables)
    return list(target) if target is not None else []


def _jax_compiled(fn, variables):
    """`fn(*args)`를 `jax.jit` 안에서 부르는 함수.

    가중치는 인자로 넘기고 갱신된 값을 되돌려 씁니다.
    """
    import jax

    def pure(values, *args):
        with keras.StatelessScope(state_mapping=list(zip(variables, values, strict=True))) as scope:
            outputs = fn(*args)
            new_values = [scope.get_current_value(v) for v in variables]
        return outputs, new_values

    jitted = jax.jit(pure)

    def call(*args):
        outputs, new_values = jitted([v.value for v in variables], *args)
        for variable, value in zip(variables, new_values, strict=True):
            variable.assign(value)
        return outputs

    return call


def _torch_trace_check(fn, variables, *args):
    """PyTorch: 값에 기대는 변환을 찾으려고 `fn`을 한 번 "추적"해 봅니다.

    PyTorch 백엔드의 Keras는 컴파일하지 않습니다. 그래서 훈련 가능 가중치(`requires_grad`가
    켜져 있습니다)에서 온 텐서를 NumPy나 파이썬 값으로 바꾸는 함수
    (`keras.ops.convert_to_numpy`, `.numpy()`, `.item()`, `float()`, 파이썬 `if`)를 잠시 예외를
    내게 바꿔 한 번 부릅니다: `tf.function`이나 `jax.jit`이 추적할 때 실패하는 곳과 같습니다.
    `keras.StatelessScope` 안에서 부르므로 가중치 갱신은 버려집니다.
    """
    import torch
    from keras.src import backend as keras_backend

    def traced(tensor):
        if isinstance(tensor, keras.Variable):
            tensor = tensor.value
        return isinstance(tensor, torch.Tensor) and (
            tensor.requires_grad or getattr(tensor, "_companion_traced", False)
        )

    class MarkComparisons(torch.overrides.TorchFunctionMode):
        """비교처럼 경사가 없는 결과(bool 텐서)도 추적한 값에서 왔으면 표시합니다.

        `if ops.max(x) < 0.1:`의 비교 결과는 `requires_grad`가 꺼져 있어, 표시가 없으면 그
        `if`를 놓칩니다. `tf.function`과 `jax.jit`에서는 같은 `if`가 추적할 때 실패합니다.
        """

        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            result = func(*args, **kwargs)
            inputs = [t for t in keras.tree.flatten((list(args), kwargs)) if traced(t)]
            if inputs:
                outputs = result if isinstance(result, (tuple, list)) else [result]
                for output in outputs:
                    if isinstance(output, torch.Tensor) and output.dtype == torch.bool:
                        output._companion_traced = True
            return result

    def guard(original):
        def guarded(self, *a, **k):
            if traced(self):
                raise CompiledConversionError()
            return original(self, *a, **k)

        return guarded

    names = ("numpy", "item", "tolist", "__bool__", "__float__", "__int__", "__array__")
    originals = {name: getattr(torch.Tensor, name) for name in names}
    original_convert = keras_backend.convert_to_numpy

    def convert_to_numpy(x):
        if any(traced(t) for t in keras.tree.flatten(x)):
            raise CompiledConversionError()
        return original_convert(x)

    # 실수 입력에도 requires_grad를 켭니다: 입력에서 온 텐서를 NumPy로 바꾸는 call()도
    # (np.tanh(inputs)) TensorFlow와 JAX의 컴파일된 함수에서는 실패하기 때문입니다. 텐서와 NumPy
    # 배열을 섞은 연산(inputs + noise)은 채점하는 동안 `_numpy_operands_as_tensors`가 텐서 연산으로
    # 바꾸므로, TensorFlow·JAX처럼 됩니다.
    traced_args = [_traced_input(torch, a) for a in args]
    try:
        for name in names:
            setattr(torch.Tensor, name, guard(originals[name]))
        keras_backend.convert_to_numpy = convert_to_numpy
        with keras.StatelessScope(), MarkComparisons():
            fn(*traced_args)
    except Exception as error:  # 값이 필요한 변환만 보고하고, 나머지는 진짜 호출에 맡깁니다.
        if is_conversion_error(error):
            raise CompiledConversionError() from None
    finally:
        for name, original in originals.items():
            setattr(torch.Tensor, name, original)
        keras_backend.convert_to_numpy = original_convert


def _traced_input(torch, value):
    """`_torch_trace_check`에 넘길 인자: 실수 배열은 requires_grad를 켠 텐서로."""
    if isinstance(value, (np.ndarray, np.generic)) and np.asarray(value).dtype.kind == "f":
        return torch.tensor(np.asarray(value), requires_grad=True)
    if isinstance(value, (list, tuple)):
        return type(value)(_traced_input(torch, v) for v in value)
    return value


def compiled(fn, state=None, xla=False):
    """`fn`을 이 백엔드의 컴파일된 함수로 감쌉니다: TensorFlow `tf.function`, JAX `jax.jit`.

    PyTorch 백엔드의 Keras는 컴파일하지 않고 즉시 실행하므로, 부를 때마다 먼저 한 번
    "추적"해(`_torch_trace_check`) 값이 필요한 변환(`.numpy()`, `float()`)을 찾고, 그다음 즉시
    실행합니다. `state`는 `fn`이 읽고 쓰는 층(또는 가중치 리스트)입니다. JAX에서는 그 가중치를
    인자로 넘겨 `jax.jit` 안에서 갱신된 값을 밖에서 되돌려 씁니다. 텐서를 NumPy로 바꾸다 난
    예외는 모든 백엔드에서 `CompiledConversionError`가 됩니다.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        function = tf.function(fn, jit_compile=xla or None)
    elif backend == "jax":
        function = None
    else:
        function = None
    cache = {}

    def call(*args):
        if backend == "tensorflow":
            return _raise_conversion_errors(function, *args)
        variables = _state_variables(state)
        if backend == "jax":
            if "jax" not in cache:
                cache["jax"] = _jax_compiled(fn, variables)
            return _raise_conversion_errors(cache["jax"], *args)
        _torch_trace_check(fn, variables, *args)
        return _raise_conversion_errors(fn, *args)

    return call


def run_twice_compiled(fn, *args, state=None):
    """`fn(*args)`를 컴파일된 함수(`compiled`) 안에서 두 번 실행해 NumPy 배열 두 개로 돌려줍니다.

    `state`는 `fn`이 부르는 층입니다 (JAX에서 그 가중치와 SeedGenerator 상태를 넘깁니다).

    PyTorch에서는 컴파일하지 않으므로, 두 번째 호출에서 `state` 층의 SeedGenerator 상태가
    바뀌지 않았으면 첫 번째 결과를 두 번 돌려줍니다: SeedGenerator에서 오지 않은 잡음(NumPy로
    뽑은 잡음, 파이썬 수 시드)은 `tf.function`과 `jax.jit` 안에서 상수로 굳기 때문입니다.
    """
    function = compiled(fn, state=state)
    first = keras.ops.convert_to_numpy(function(*args))
    before = _seed_states(state)
    second = keras.ops.convert_to_numpy(function(*args))
    if keras.backend.backend() == "torch" and _same_states(before, _seed_states(state)):
        second = first
    return [first, second]


def _seed_states(state):
    """`state` 층과 하위 층의 SeedGenerator 상태 (NumPy 배열 리스트)."""
    if not isinstance(state, keras.layers.Layer):
        return []
    return [
        np.array(keras.ops.convert_to_numpy(generator.state))
        for sublayer in state._flatten_layers()
        for generator in getattr(sublayer, "_seed_generators", None) or []
    ]


def _same_states(before, after):
    return len(before) == len(after) and all(
        np.array_equal(a, b) for a, b in zip(before, after, strict=True)
    )


def uses_seed_generator(layer):
    """층이나 그 하위 층이 `keras.random.SeedGenerator`를 가졌으면 `True`."""
    return any(getattr(sublayer, "_seed_generators", None) for sublayer in layer._flatten_layers())


def numpy_of(fn, *args, **kwargs):
    """`fn(*args, **kwargs)`의 결과(텐서 하나)를 NumPy 배열로 돌려줍니다."""
    return np.asarray(keras.ops.convert_to_numpy(fn(*args, **kwargs)))


def _gradients_all(loss_fn, variables, wrt_values):
    """`loss_fn()`의 `variables`에 대한 경사 (백엔드마다 한 가지 구현; 없으면 `None`)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            for value in wrt_values:
                tape.watch(value)
            loss = loss_fn(*wrt_values)
        targets = [v.value for v in variables] + list(wrt_values)
        return tape.gradient(loss, targets)
    if backend == "jax":
        import jax

        def loss_of(values, inputs):
            with keras.StatelessScope(
                state_mapping=list(zip(variables, values, strict=True)), collect_losses=True
            ):
                return keras.ops.convert_to_tensor(loss_fn(*inputs))

        grads = jax.grad(loss_of, argnums=(0, 1))([v.value for v in variables], list(wrt_values))
        return list(grads[0]) + list(grads[1])
    import torch

    loss = loss_fn(*wrt_values)
    targets = [v.value for v in variables] + list(wrt_values)
    if not getattr(loss, "requires_grad", False):
        return [None] * len(targets)
    return list(torch.autograd.grad(loss, targets, allow_unused=True))


def _trainable_copy(values):
    """경사를 구할 입력 텐서: PyTorch에서는 `requires_grad`를 켭니다."""
    tensors = [keras.ops.convert_to_tensor(np.asarray(v, "float32")) for v in values]
    if keras.backend.backend() == "torch":
        tensors = [t.detach().requires_grad_(True) for t in tensors]
    return tensors


def backend_gradients(loss_fn, variables, inputs=()):
    """`loss_fn(*inputs)`의 경사: `variables`(Keras 가중치)와 `inputs`(NumPy 배열)에 대해.

    TensorFlow는 `tf.GradientTape`, JAX는 가중치 값을 `keras.StatelessScope`로 바꿔 넣은 함수의
    `jax.grad`, PyTorch는 `torch.autograd.grad(..., allow_unused=True)`로 구합니다. 가중치를
    NumPy나 파이썬 수로 바꾸면 TensorFlow와 PyTorch에서는 경사가 없고(`None`), JAX에서는 추적 값을
    바꾸려다 예외가 나므로, 예외가 나면 가중치를 하나씩 따로 미분해 그 가중치의 경사를 `None`으로
    둡니다: 모든 백엔드에서 같은 가중치가 "경사 없음"이 됩니다.

    Returns:
        `[경사 NumPy 배열 또는 None, ...]` (`variables` 다음 `inputs` 순서).
    """
    variables = list(variables)
    try:
        grads = _gradients_all(loss_fn, variables, _trainable_copy(inputs))
    except Exception as error:
        if not is_conversion_error(error):
            raise
        grads = []
        for i in range(len(variables)):
            grads.append(_one_variable_gradient(loss_fn, variables, i, inputs))
        grads += [None] * len(inputs)
    return [None if g is None else np.asarray(keras.ops.convert_to_numpy(g)) for g in grads]


def _one_variable_gradient(loss_fn, variables, index, inputs):
    variable = variables[index]
    backend = keras.backend.backend()
    frozen = []
    if backend == "torch":
        for other in variables:
            if other is not variable and other.value.requires_grad:
                other.value.requires_grad_(False)
                frozen.append(other)
    try:
        return _gradients_all(lambda *a: loss_fn(*a), [variable], _trainable_copy(inputs))[0]
    except Exception as error:
        if is_conversion_error(error):
            return None
        raise
    finally:
        for other in frozen:
            other.value.requires_grad_(True)


def missing_gradients(loss_fn, variables):
    """`loss_fn()`의 경사가 없거나 모두 0인 가중치의 경로(`path`) 목록을 돌려줍니다.

    `variables`는 가중치 리스트, 또는 손실을 계산한 뒤에 부를 인자 없는 함수입니다 (모델을
    처음 호출할 때 가중치가 생기는 경우: `lambda: model.trainable_weights`). 그때는 손실을 한 번
    즉시 실행해 가중치를 만든 뒤 경사를 구합니다 (`backend_gradients`).
    """
    if callable(variables):
        loss_fn()
        variables = variables()
    variables = list(variables)
    gradients = backend_gradients(loss_fn, variables)
    return [
        variable.path
        for variable, gradient in zip(variables, gradients, strict=True)
        if gradient is None or not np.any(gradient)
    ]


def compile_train_step(train_step):
    """독자의 `train_step`을 컴파일합니다: TensorFlow에서만 `tf.function`, 다른 백엔드는 그대로.

    모델의 가중치를 제자리에서 고치는 함수는 `jax.jit`으로 감쌀 수 없고 (가중치를 인자로 받아
    새 값을 돌려주는 함수여야 합니다), PyTorch 백엔드의 Keras는 컴파일하지 않기 때문입니다.
    """
    if keras.backend.backend() != "tensorflow":
        return train_step
    import tensorflow as tf

    function = tf.function(train_step)

    def call(*args):
        return _raise_conversion_errors(function, *args)

    return call


def save_and_reload(model):
    """모델을 임시 `.keras` 파일로 저장하고 `custom_objects` 없이 다시 불러옵니다."""
    folder = tempfile.mkdtemp()
    try:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        return keras.saving.load_model(path, compile=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def is_registered(layer_class):
    """`register_keras_serializable`로 등록된 클래스면 `True`."""
    name = keras.saving.get_registered_name(layer_class)
    return ">" in name and keras.saving.get_registered_object(name) is layer_class


def _predict(model, x):
    return keras.ops.convert_to_numpy(model(x))
