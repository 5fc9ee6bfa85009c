"""call_layer through Checker.run: reader exceptions become a useful Korean sentence."""

import keras
import numpy as np

from companion.exercises import Checker
from companion.exercises._layer_calls import call_layer


class Typo(keras.layers.Layer):
    def call(self, inputs):
        return inputs * self.sclae


class Mismatch(keras.layers.Layer):
    def call(self, inputs):
        return inputs + keras.ops.ones((3,))


def test_returns_numpy_outputs():
    y = call_layer(keras.layers.Identity(), np.ones((2, 3), dtype="float32"))
    assert isinstance(y, np.ndarray)
    np.testing.assert_array_equal(y, np.ones((2, 3)))


def test_reports_the_exception_keras_wrapped_around_call():
    checker = Checker("연습")
    ok, _ = checker.run("층 호출", call_layer, Typo(name="typo"), np.ones((2, 3), "float32"))
    assert not ok
    (failure,) = checker.report().failures
    assert failure.startswith("층 호출 중에 예외가 났습니다: AttributeError: ")
    assert "sclae" in failure and "Exception encountered" not in failure


def test_reports_tensorflow_errors_without_node_names():
    checker = Checker("연습")
    x = np.ones((2, 5), "float32")
    ok, _ = checker.run("층 호출", call_layer, Mismatch(name="mismatch"), x)
    assert not ok
    (failure,) = checker.report().failures
    first, explanation = failure.split("\n")
    assert first.startswith("층 호출 중에 예외가 났습니다: ")
    assert "{{node" not in first and "[Op:" not in first
    if keras.backend.backend() == "tensorflow":
        assert first.endswith("InvalidArgumentError: Incompatible shapes: [2,5] vs. [3]")
    assert explanation == (
        "    → 텐서 모양이 맞지 않습니다. 가중치 모양을 입력의 특성 수(input_shape[-1])로 "
        "정했는지, 특성 수나 input_shape[1]을 고정해 두지 않았는지 확인하세요."
    )
