"""Tests for the chapter 12 checkers: right answers written differently pass, wrong ones fail.

Both checkers grade in a JAX process with 8 CPU devices, whatever the test process's backend,
so these tests read the same reports under `make unit`, `make test-jax` and `make test-torch`.
The wrong answers all run without an error: their weights end up replicated, or sharded on the
wrong axis, which is what the checkers must catch.
"""

import keras
import pytest
from exercise_reports import assert_fails_with, assert_verdict, verdict_id

from companion import check_low_rank_linear, check_tower_layout_map
from companion.exercises.chapter12 import answer_source

# ---------------------------------------------------------------- 연습 12-1


def any_model_name(device_mesh):
    import keras

    layout_map = keras.distribution.LayoutMap(device_mesh)
    layout_map[".*/up/w"] = (None, "model")
    layout_map[".*/up/b"] = ("model",)
    layout_map[".*/down/w"] = ("model", None)
    return layout_map


def one_key_per_layer_and_layouts(device_mesh):
    import keras

    layouts = {
        "up/w": keras.distribution.TensorLayout((None, "model")),
        "up/b": keras.distribution.TensorLayout(("model",)),
        "down/w": keras.distribution.TensorLayout(("model", None)),
        "down/b": keras.distribution.TensorLayout((None,)),  # replicated, said explicitly
    }
    layout_map = keras.distribution.LayoutMap(device_mesh)
    for suffix, layout in layouts.items():
        layout_map[r"[^/]+/" + suffix] = layout
    return layout_map


def guide_keys(device_mesh):
    import keras

    layout_map = keras.distribution.LayoutMap(device_mesh)
    layout_map["up/w"] = (None, "model")
    layout_map["up/b"] = ("model",)
    layout_map["down/w"] = ("model", None)
    return layout_map


def exact_paths(device_mesh):
    import keras

    layout_map = keras.distribution.LayoutMap(device_mesh)
    layout_map["tower/up/w"] = (None, "model")
    layout_map["tower/up/b"] = ("model",)
    layout_map["tower/down/w"] = ("model", None)
    return layout_map


def down_on_its_output_axis(device_mesh):
    import keras

    layout_map = keras.distribution.LayoutMap(device_mesh)
    layout_map[".*/up/w"] = (None, "model")
    layout_map[".*/up/b"] = ("model",)
    layout_map[".*/down/w"] = (None, "model")
    return layout_map


def on_the_batch_axis(device_mesh):
    import keras

    layout_map = keras.distribution.LayoutMap(device_mesh)
    layout_map[".*/up/w"] = (None, "batch")
    layout_map[".*/up/b"] = ("batch",)
    layout_map[".*/down/w"] = ("batch", None)
    return layout_map


def a_dict_of_layouts(device_mesh):
    return {".*/up/w": (None, "model"), ".*/up/b": ("model",), ".*/down/w": ("model", None)}


def a_new_mesh(device_mesh):
    import keras

    mesh = keras.distribution.DeviceMesh((2, 4), ["batch", "model"])
    layout_map = keras.distribution.LayoutMap(mesh)
    layout_map[".*/up/w"] = (None, "model")
    return layout_map


@pytest.mark.parametrize(
    ("solution", "expected"),
    [
        (any_model_name, True),
        (one_key_per_layer_and_layouts, True),
        (guide_keys, ("키 'up/w', 'up/b', 'down/w'가", "모든 장치에 복제되었습니다", "'.*up/w'")),
        (exact_paths, ("모델 'my_tower'", "my_tower/up/w", "모델 이름이 'my_tower'이어도")),
        (down_on_its_output_axis, ("tower/down/w (64, 32)가 (None, 'model')로 나뉘었는데",)),
        (on_the_batch_axis, ("tower/up/w (32, 64)가 (None, 'batch')로 나뉘었는데",)),
        (a_dict_of_layouts, ("LayoutMap을 돌려줘야 하는데 dict",)),
        (a_new_mesh, ("받은 격자를 그대로 쓰세요",)),
    ],
    ids=verdict_id,
)
def test_tower_layout_map_verdicts(solution, expected):
    assert_verdict(check_tower_layout_map, solution, expected)


def test_tower_layout_map_waits_for_an_answer_and_refuses_a_class():
    report = check_tower_layout_map(None)
    assert report.missing == "tower_layout_map" and "⏳" in repr(report)
    assert_fails_with(check_tower_layout_map(dict), "클래스가 아니라 함수를")


# ---------------------------------------------------------------- 연습 12-2


class LowRankLinear(keras.layers.Layer):
    def __init__(self, units, rank, **kwargs):
        for name, value in (("units", units), ("rank", rank)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}는 양의 정수여야 합니다. 받은 값: {name}={value!r}")
        super().__init__(**kwargs)
        self.units, self.rank = units, rank

    def build(self, input_shape):
        self.a = self.add_weight(name="a", shape=(input_shape[-1], self.rank))
        self.b = self.add_weight(name="b", shape=(self.rank, self.units))
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return keras.ops.matmul(keras.ops.matmul(inputs, self.a), self.b) + self.bias


class EinsumLowRank(keras.layers.Layer):
    """Written differently: companion's validation, einsum, weights built from a list."""

    def __init__(self, units, rank, **kwargs):
        from companion._validation import check_positive_int

        self.units = check_positive_int("units", units)
        self.rank = check_positive_int("rank", rank)
        super().__init__(**kwargs)

    def build(self, input_shape):
        shapes = {"a": (input_shape[-1], self.rank), "b": (self.rank, self.units)}
        for name, shape in shapes.items():
            setattr(
                self, name, self.add_weight(name=name, shape=shape, initializer="glorot_uniform")
            )
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return keras.ops.einsum("bi,ir,ru->bu", inputs, self.a, self.b) + self.bias


class UnnamedWeights(LowRankLinear):
    def build(self, input_shape):
        self.a = self.add_weight(shape=(input_shape[-1], self.rank))
        self.b = self.add_weight(shape=(self.rank, self.units))
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros")


class TransposedA(LowRankLinear):
    """`a` stored as (rank, input): the key matches, the layout splits the input axis."""

    def build(self, input_shape):
        self.a = self.add_weight(name="a", shape=(self.rank, input_shape[-1]))
        self.b = self.add_weight(name="b", shape=(self.rank, self.units))
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        low = keras.ops.matmul(inputs, keras.ops.transpose(self.a))
        return keras.ops.matmul(low, self.b) + self.bias


class NoValidation(LowRankLinear):
    def __init__(self, units, rank, **kwargs):
        keras.layers.Layer.__init__(self, **kwargs)
        self.units, self.rank = units, rank


class BiasForgotten(LowRankLinear):
    def call(self, inputs):
        return keras.ops.matmul(keras.ops.matmul(inputs, self.a), self.b)


@pytest.mark.parametrize(
    ("solution", "expected"),
    [
        (LowRankLinear, True),
        (EinsumLowRank, True),
        (UnnamedWeights, ("이름 없는 가중치", "low_rank/variable")),
        (TransposedA, ("'low_rank/a': (8, 12)",)),
        (NoValidation, ("LowRankLinear(units=0, rank=8)", "ValueError")),
        (BiasForgotten, ("출력 (inputs · a) · b + bias",)),
    ],
    ids=verdict_id,
)
def test_low_rank_linear_verdicts(solution, expected):
    assert_verdict(check_low_rank_linear, solution, expected)


def test_low_rank_linear_refuses_an_instance_and_waits_for_an_answer():
    assert_fails_with(check_low_rank_linear(LowRankLinear(4, 2)), "클래스 자체를")
    assert check_low_rank_linear(None).missing == "LowRankLinear"


def test_answer_source_finds_nested_definitions_and_refuses_lambdas():
    def outer():
        class Inner(keras.layers.Layer):
            @staticmethod
            def helper():
                return 1

        def inner_function(device_mesh):
            return device_mesh

        return Inner, inner_function

    inner_class, inner_function = outer()
    assert answer_source(inner_class, "x").startswith("class Inner(keras.layers.Layer):\n")
    assert answer_source(inner_function, "x").splitlines()[0] == "def inner_function(device_mesh):"
    with pytest.raises(TypeError, match="소스 코드를 찾을 수 없습니다"):
        answer_source(lambda mesh: mesh, "tower_layout_map")
    with pytest.raises(TypeError, match="받은 값: 3"):
        answer_source(3, "tower_layout_map")
