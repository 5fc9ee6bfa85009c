"""The shared checker machinery: reports in Korean, reader exceptions never escape."""

import ast
import importlib
import logging
import pathlib

import keras
import numpy as np
import pytest

import companion.exercises
from companion.exercises import Checker, CheckReport
from companion.exercises.checker import (
    CompiledConversionError,
    WrongArgument,
    compiled,
    describe_exception,
    exercise,
    explain_error,
    first_line,
    missing_gradients,
    nontrivial_inputs,
    numpy_of,
    quiet_tensorflow_logs,
    require_class,
    run_twice_compiled,
    scalar_or_none,
    set_fan_in_scaled_weights,
    short_array,
)


def test_report_passes_when_every_expectation_holds():
    checker = Checker("연습 0-1")
    assert checker.expect(True, "쓰이지 않음")
    assert checker.expect_equal("가중치 개수", 2, 2)
    assert checker.expect_close("출력", [1.0, 2.0], np.array([1.0, 2.0 + 1e-7]))
    report = checker.report()
    assert isinstance(report, CheckReport)
    assert report.passed and bool(report)
    assert repr(report) == "✅ 연습 0-1: 통과했습니다 (3개 항목 확인)."


def test_report_lists_each_failure_with_expected_and_received():
    checker = Checker("연습 0-2")
    checker.expect_equal("가중치 개수", 2, 1)
    checker.expect_close("출력", [1.0, 2.0], [1.0, 3.0])
    checker.expect_close("출력 모양", np.zeros((2, 3)), np.zeros((3, 2)))
    report = checker.report()
    assert not report.passed
    assert report.failures == [
        "가중치 개수: 2이어야 하는데 1입니다.",
        "출력: [1., 2.]이어야 하는데 [1., 3.]입니다.",
        "출력 모양: 모양이 (2, 3)이어야 하는데 (3, 2)입니다.",
    ]
    assert repr(report).splitlines()[0] == "❌ 연습 0-2: 고칠 점이 3개 있습니다."
    assert repr(report).splitlines()[1] == "  - 가중치 개수: 2이어야 하는데 1입니다."


def test_run_turns_reader_exceptions_into_a_sentence():
    checker = Checker("연습 0-3")

    def broken(x):
        raise RuntimeError(f"망가졌습니다: {x}\n두 번째 줄")

    ok, value = checker.run("층 호출", broken, 3)
    assert (ok, value) == (False, None)
    # 여러 줄 메시지의 원인 줄도 남습니다 (예전에는 첫 줄만 남았습니다).
    assert checker.report().failures == [
        "층 호출 중에 예외가 났습니다: RuntimeError: 망가졌습니다: 3\n    두 번째 줄"
    ]


def test_run_returns_the_value_on_success():
    checker = Checker("연습 0-4")
    assert checker.run("더하기", lambda a, b: a + b, 1, b=2) == (True, 3)
    assert checker.report().passed


def test_expect_close_reports_non_numeric_values():
    checker = Checker("연습 0-5")
    assert not checker.expect_close("출력", [1.0], ["글자"])
    assert checker.report().failures[0].startswith("출력: 숫자 배열로 바꿀 수 없습니다")


@pytest.mark.parametrize("title", ["", None, 3])
def test_checker_rejects_a_bad_title(title):
    with pytest.raises(ValueError, match="title"):
        Checker(title)


def test_require_class_rejects_an_instance():
    class MyLayer:
        pass

    assert require_class(MyLayer) is MyLayer
    with pytest.raises(WrongArgument, match="layer_class에는 클래스 자체를 넘겨야 합니다"):
        require_class(MyLayer())


def test_run_unwraps_exceptions_that_keras_wrapped_in_call():
    import keras

    class Broken(keras.layers.Layer):
        def call(self, inputs):
            raise ValueError("입력이 잘못되었습니다")

    checker = Checker("연습 0-6")
    ok, _ = checker.run("층 호출", Broken(name="broken"), np.ones((1, 2)))
    assert not ok
    assert checker.report().failures == [
        "층 호출 중에 예외가 났습니다: ValueError: 입력이 잘못되었습니다"
    ]


def test_run_strips_tensorflow_graph_noise():
    import keras

    checker = Checker("연습 0-7")
    ok, _ = checker.run("더하기", keras.ops.add, np.ones((3, 7)), np.ones((3, 5)))
    assert not ok
    (failure,) = checker.report().failures
    assert "function_node" not in failure and "[Op:" not in failure
    assert failure.startswith("더하기 중에 예외가 났습니다: ")


def test_require_stops_the_check_and_the_with_block_swallows_it():
    checker = Checker("연습 0-0 멈춤")
    reached = []
    with checker:
        checker.require(True, "통과")
        checker.require_equal("값", 1, 2)
        reached.append("after")
    assert reached == []
    assert checker.failures == ["값: 1이어야 하는데 2입니다."]
    assert checker.checks == 2


def test_call_returns_the_value_or_stops_on_the_readers_exception():
    checker = Checker("연습 0-0 호출")
    with checker:
        assert checker.call("더하기", lambda a, b: a + b, 1, b=2) == 3
        checker.call("나누기", lambda: 1 / 0)
        checker.expect(False, "여기까지 오면 안 됩니다")
    assert len(checker.failures) == 1
    assert "ZeroDivisionError" in checker.failures[0]


def test_with_block_lets_checker_bugs_through():
    checker = Checker("연습 0-0 버그")
    with pytest.raises(KeyError):
        with checker:
            raise KeyError("채점기 자체의 버그")


# --- shared helpers ---------------------------------------------------------------------------


class HelperScale(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = self.add_weight(shape=(), initializer="ones", name="scale")

    def call(self, inputs):
        return inputs * self.scale


class HelperScaleThroughNumpy(HelperScale):
    def call(self, inputs):
        return inputs * float(keras.ops.convert_to_numpy(self.scale))


class HelperStateInPython(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = 0.0

    def call(self, inputs):
        self.total = self.total + keras.ops.sum(inputs)
        return inputs


def test_multi_line_keras_error_keeps_its_cause_and_gets_a_korean_explanation():
    class MakesWeightInCall(keras.layers.Layer):
        def call(self, inputs):
            self.w = self.add_weight(shape=(3,))
            return inputs * self.w

    checker = Checker("연습 0-8")
    ok, _ = checker.run(
        "tf.function 안에서 호출", _call_compiled, MakesWeightInCall(), np.ones((2, 3))
    )
    assert not ok
    (failure,) = checker.failures
    assert "You cannot add new elements of state" in failure
    assert "in user code" not in failure and 'File "' not in failure and "\x1b[" not in failure
    assert "→ 가중치나 하위 층을 call() 안에서 만들었습니다" in failure


@pytest.mark.parametrize(
    ("make_error", "korean"),
    [
        (
            lambda: ValueError(
                "Layer dense weight shape (3, 2) is not compatible with provided "
                "weight shape (4, 2)."
            ),
            "set_weights()에 넘긴 배열",
        ),
        (
            lambda: ValueError(
                "You called `set_weights(weights)` on layer 'd' with a weight list "
                "of length 1, but the layer was expecting 2 weights."
            ),
            "set_weights()에 넘긴 배열",
        ),
        (
            lambda: ValueError("Layer 'x' was never built and thus it doesn't have any variables."),
            "빌드되지 않았습니다",
        ),
        (
            lambda: NotImplementedError(
                "Could not automatically infer the output shape / dtype of 'x'"
            ),
            "심볼릭 텐서",
        ),
        (
            lambda: NotImplementedError("Layer `add_metric()` method is deprecated."),
            "add_metric()이 없습니다",
        ),
        (
            lambda: TypeError("Scale.__init__() got an unexpected keyword argument 'name'"),
            "super().__init__(**kwargs)",
        ),
        (
            lambda: TypeError(
                "Object X was created by passing non-serializable argument values "
                "in `__init__()`, and therefore the object must override "
                "`get_config()`"
            ),
            "get_config()를 직접 만들어",
        ),
        (lambda: TypeError("Could not locate class 'Clip'."), "register_keras_serializable"),
    ],
)
def test_explain_error_table(make_error, korean):
    assert korean in explain_error(make_error())


def test_explain_error_returns_none_for_unknown_errors():
    assert explain_error(RuntimeError("뭔가 잘못되었습니다")) is None


def test_describe_exception_drops_noise_lines():
    error = ValueError(
        "Error when deserializing class 'NoCfg' using config={'name': 'a'}.\n\n"
        "Exception encountered: NoCfg.__init__() missing 1 required positional argument: 'units'"
    )
    assert describe_exception(error) == (
        "ValueError: Error when deserializing class 'NoCfg' using config={'name': 'a'}.\n"
        "    NoCfg.__init__() missing 1 required positional argument: 'units'"
    )


def _call_compiled(layer, x):
    def compiled_call(inputs):
        return layer(inputs)

    return keras.ops.convert_to_numpy(compiled(compiled_call, state=layer)(x))


def test_nontrivial_inputs_have_no_zeros():
    x = nontrivial_inputs((5, 4), seed=2)
    assert x.dtype == np.float32 and np.all(np.abs(x) >= 0.25)
    assert (x > 0).any() and (x < 0).any()


def test_a_weight_read_through_numpy_gets_no_gradient_on_every_backend():
    x = nontrivial_inputs((2, 3), seed=0)
    for layer_class, missing in ((HelperScale, False), (HelperScaleThroughNumpy, True)):
        layer = layer_class()
        layer(x)
        dead = missing_gradients(
            lambda scaled=layer: keras.ops.sum(scaled(x)), layer.trainable_weights
        )
        assert (dead == [layer.scale.path]) is missing, dead


def test_numpy_in_call_is_one_conversion_error_in_a_compiled_function():
    x = nontrivial_inputs((2, 3), seed=0)
    np.testing.assert_allclose(_call_compiled(HelperScale(), x), x)
    checker = Checker("컴파일")
    ok, _ = checker.run("컴파일된 함수 안에서 호출", _call_compiled, HelperScaleThroughNumpy(), x)
    assert not ok
    assert (
        "컴파일된 함수 안에서 호출 중에 예외가 났습니다: CompiledConversionError"
        in checker.failures[0]
    )
    assert "→ 컴파일된 함수" in checker.failures[0]
    assert CompiledConversionError.__name__ in checker.failures[0]


def test_repeated_checks_print_no_tensorflow_logs(capfd, caplog):
    x = nontrivial_inputs((2, 3), seed=0)
    caplog.set_level(logging.DEBUG)
    for _ in range(6):
        checker = Checker("조용히")
        with checker:
            # 매번 새 tf.function과 새 층: 보통은 retracing 경고가 나는 패턴입니다.
            layer = HelperScale()
            ok, y = checker.run("컴파일된 함수", _call_compiled, layer, x)
            checker.expect(ok and np.allclose(y, x), "같은 값")
            dead = missing_gradients(
                lambda scaled=layer: keras.ops.sum(scaled(x)), layer.trainable_weights
            )
            checker.expect(dead == [], "경사")
        assert checker.report().passed
    captured = capfd.readouterr()
    assert "retracing" not in captured.err + captured.out
    assert "WARNING" not in captured.err + captured.out
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_quiet_tensorflow_logs_restores_the_level():
    logger = logging.getLogger("tensorflow")
    before = logger.level
    with quiet_tensorflow_logs():
        assert logger.level == logging.ERROR
        logging.getLogger("tensorflow").warning("보이면 안 됩니다")
    assert logger.level == before

    @quiet_tensorflow_logs
    def decorated():
        return logging.getLogger("tensorflow").level

    assert decorated() == logging.ERROR
    assert logger.level == before


def test_quiet_tensorflow_logs_leaves_python_warnings_unless_asked():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_tensorflow_logs():
            warnings.warn("보여야 합니다", UserWarning, stacklevel=1)

        @quiet_tensorflow_logs(python_warnings=True)
        def decorated():
            warnings.warn("숨겨야 합니다", UserWarning, stacklevel=1)
            return logging.getLogger("tensorflow").level

        assert decorated() == logging.ERROR
        assert decorated() == logging.ERROR  # 데코레이터는 여러 번 부를 수 있습니다.
    assert [str(w.message) for w in caught] == ["보여야 합니다"]


def test_set_fan_in_scaled_weights_scales_kernels_by_fan_in():
    layer = keras.layers.Dense(3)
    layer.build((None, 400))
    values = set_fan_in_scaled_weights(layer.weights, seed=1)
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in layer.weights)
    np.testing.assert_array_equal(values[id(layer.kernel)], kernel)
    np.testing.assert_array_equal(values[id(layer.bias)], bias)
    assert abs(kernel.std() - 1 / 20) < 0.01
    assert np.all(bias != 0)
    again = set_fan_in_scaled_weights(layer.weights, seed=1)
    np.testing.assert_array_equal(again[id(layer.kernel)], kernel)


def test_small_shared_helpers():
    assert first_line(ValueError("\n  첫 줄\n둘째 줄")) == "첫 줄"
    assert first_line(ValueError()) == ""
    assert scalar_or_none(np.array([[2.5]])) == 2.5
    assert scalar_or_none(np.ones(2)) is None
    assert scalar_or_none("글자") is None
    assert short_array([[1.0, 2.123456]]) == "[[1.    , 2.1235]]"
    np.testing.assert_array_equal(numpy_of(lambda a, b: a + b, np.ones(2), b=1.0), [2.0, 2.0])
    first, second = run_twice_compiled(lambda x: x * 2.0, np.ones(2, "float32"))
    np.testing.assert_array_equal(first, second)

    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    x = np.ones((1, 3), "float32")
    assert missing_gradients(lambda: keras.ops.sum(layer(x)), layer.trainable_weights) == []
    assert missing_gradients(
        lambda: keras.ops.sum(layer.bias), lambda: layer.trainable_weights
    ) == [layer.kernel.path]


def test_expect_value_error_reports_the_first_line_of_the_message():
    def strict(limit):
        if limit <= 0:
            raise ValueError(f"limit는 양수여야 합니다. 받은 값: {limit}\n둘째 줄")

    checker = Checker("연습 0-9")
    assert checker.expect_value_error("strict(-1)", strict, -1, mentions=("limit", "-1"))
    assert not checker.expect_value_error("strict(-1)", strict, limit=-1, mentions=("rate",))
    assert not checker.expect_value_error("strict(1)", strict, 1)
    assert checker.expect_value_error("int('x')", int, "x")
    assert not checker.expect_value_error("len(1)", len, 1)
    assert checker.failures == [
        "strict(-1): ValueError 메시지에 rate이(가) 들어 있어야 합니다 (인자 이름과 받은 값을 "
        "알려 주세요). 받은 메시지: 'limit는 양수여야 합니다. 받은 값: -1'",
        "strict(1): ValueError가 나야 하는데 아무 예외도 나지 않았습니다.",
        "len(1): ValueError가 나야 하는데 TypeError: object of type 'int' has no len()",
    ]


# --- chapter modules ---------------------------------------------------------------------------

_EXERCISES = pathlib.Path(__file__).resolve().parents[2] / "companion" / "exercises"


@pytest.mark.parametrize("path", sorted(_EXERCISES.glob("chapter*.py")), ids=lambda p: p.name)
def test_chapter_modules_import_nothing_from_each_other(path):
    imported = {
        node.module
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    others = sorted(m for m in imported if m.startswith("companion.exercises.chapter"))
    assert not others, f"{path.name} imports {others}; shared helpers live in checker.py"


@pytest.mark.parametrize("number", ["01", "02", "03", "04"])
def test_chapter_module_maps_every_requirement_to_a_check(number):
    module = importlib.import_module(f"companion.exercises.chapter{number}")
    doc = module.__doc__
    assert "Requirement → check" in doc
    tables = [block for block in doc.split("| requirement | check |")[1:]]
    checkers = [name for name in dir(module) if name.startswith("check_")]
    assert len(tables) == len(checkers), "one requirement table per exercise"
    for table in tables:
        rows = [line for line in table.splitlines() if line.startswith("| ")]
        assert len(rows) >= 5, "each exercise lists its requirements"


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="PyTorch-only patch")
def test_torch_numpy_operands_are_tensors_only_while_checking():
    import torch

    originals = {name: getattr(torch.Tensor, name) for name in ("__mul__", "numpy", "__array__")}
    weight = torch.ones(2, requires_grad=True)
    checker = Checker("NumPy 피연산자")
    with checker:
        with checker:  # nested contexts (every run() enters one) patch once, restore once
            product = weight * np.full(2, 3.0)
        assert isinstance(product, torch.Tensor) and product.requires_grad
        assert product.dtype == torch.float32
    for name, original in originals.items():
        assert getattr(torch.Tensor, name) is original


READER_CHECKERS = sorted(
    (name for name in dir(companion.exercises) if name.startswith("check_")),
)


def test_every_reader_checker_is_an_exercise_entry():
    # "모두 실행" with empty answer cells relies on it: each check_* answers None with a report.
    assert len(READER_CHECKERS) == 32  # 25 in chapters 1-10, 3 + 2 + 2 in chapters 11-13
    for name in READER_CHECKERS:
        check = getattr(companion.exercises, name)
        assert check.title.startswith("연습 "), name
        assert check.answer.isidentifier(), name


@pytest.mark.parametrize("name", READER_CHECKERS)
def test_a_missing_answer_gets_a_korean_report_not_an_exception(name):
    check = getattr(companion.exercises, name)
    report = check(None)
    assert not report.passed and report.missing == check.answer
    text = str(report)
    assert text.startswith(f"⏳ {check.title}: 아직 채점할 `{check.answer}`")
    assert "빈 셀" in text and "다시 실행하세요" in text


@pytest.mark.parametrize("name", READER_CHECKERS)
@pytest.mark.parametrize("answer", [42, "Scale"], ids=["int", "str"])
def test_a_checker_never_raises_on_a_wrong_kind_of_answer(name, answer):
    report = getattr(companion.exercises, name)(answer)
    assert not report.passed and report.failures, report


def test_an_exception_escaping_a_check_becomes_a_report_line():
    @exercise("연습 0-1 예시", "Example")
    def check_example(value):
        raise RuntimeError("채점기 안쪽에서 난 오류")

    report = check_example(object)
    assert not report.passed
    assert "예상하지 못한 예외가 났습니다: RuntimeError: 채점기 안쪽에서 난 오류" in str(report)
