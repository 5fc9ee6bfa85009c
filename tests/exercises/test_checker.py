"""The shared checker machinery: reports in Korean, reader exceptions never escape."""

import numpy as np
import pytest

from companion.exercises import Checker, CheckReport
from companion.exercises.checker import require_class


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
    assert checker.report().failures == [
        "층 호출 중에 예외가 났습니다: RuntimeError: 망가졌습니다: 3"
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
    with pytest.raises(TypeError, match="layer_class에는 클래스 자체를 넘겨야 합니다"):
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
