"""call_layer: reader exceptions come back with a useful first line."""

import keras
import numpy as np
import pytest

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


def test_unwraps_the_exception_keras_adds_around_call():
    with pytest.raises(AttributeError) as info:
        call_layer(Typo(), np.ones((2, 3), dtype="float32"))
    first_line = str(info.value).splitlines()[0]
    assert "Exception encountered" not in first_line
    assert "sclae" in first_line


def test_strips_tensorflow_node_names_but_keeps_the_class_name():
    with pytest.raises(Exception) as info:
        call_layer(Mismatch(), np.ones((2, 5), dtype="float32"))
    assert type(info.value).__name__ == "InvalidArgumentError"
    assert str(info.value) == "Incompatible shapes: [2,5] vs. [3]"
