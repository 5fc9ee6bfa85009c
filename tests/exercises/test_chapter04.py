"""Checkers of chapter 4: right solutions of different shapes pass, plausible wrong ones get a
specific sentence.

Every class registers under its own package, so that a wrong solution never replaces the
reference in Keras's global registry (`package>ClassName` must stay unique across tests).
"""

import keras
import pytest
from keras import ops

from companion.exercises import check_clip_layer, check_residual_wrapper


def _registered(package):
    return keras.saving.register_keras_serializable(package=f"test_ch04_{package}")


# --- 연습 4-1: Clip: right solutions ----------------------------------------------------------


@_registered("reference")
class Clip(keras.layers.Layer):
    def __init__(self, min_value=-1.0, max_value=1.0, **kwargs):
        super().__init__(**kwargs)
        if min_value > max_value:
            raise ValueError(
                "min_value는 max_value보다 클 수 없습니다. "
                f"받은 값: min_value={min_value!r}, max_value={max_value!r}"
            )
        self.min_value = min_value
        self.max_value = max_value

    def call(self, inputs):
        return ops.clip(inputs, self.min_value, self.max_value)

    def get_config(self):
        return {**super().get_config(), "min_value": self.min_value, "max_value": self.max_value}


@_registered("min_max")
class ClipWithMinimumMaximum(keras.layers.Layer):
    """ops.minimum/maximum and config.update(); English error text."""

    def __init__(self, min_value=-1.0, max_value=1.0, name=None, **kwargs):
        if max_value < min_value:
            raise ValueError(
                f"Expected min_value <= max_value, got min_value={min_value} and "
                f"max_value={max_value}"
            )
        super().__init__(name=name, **kwargs)
        self.min_value, self.max_value = float(min_value), float(max_value)

    def call(self, x):
        return ops.minimum(ops.maximum(x, self.min_value), self.max_value)

    def get_config(self):
        config = super().get_config()
        config.update(min_value=self.min_value, max_value=self.max_value)
        return config


@pytest.mark.parametrize("solution", [Clip, ClipWithMinimumMaximum])
def test_clip_right_solutions_pass(solution):
    report = check_clip_layer(solution)
    assert report.passed, report


def test_clip_reference_report():
    assert repr(check_clip_layer(Clip)) == (
        "✅ 연습 4-1 직렬화되는 Clip 층: 통과했습니다 (15개 항목 확인)."
    )


# --- 연습 4-1: Clip: wrong solutions ----------------------------------------------------------


@_registered("no_base_config")
class ClipWithoutBaseConfig(Clip):
    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value}


@_registered("no_kwargs")
class ClipWithoutKwargs(Clip):
    def __init__(self, min_value=-1.0, max_value=1.0):
        super().__init__(min_value, max_value)


class ClipNotRegistered(Clip):
    pass


@_registered("forgets_max")
class ClipForgetsMax(Clip):
    def get_config(self):
        return {**keras.layers.Layer.get_config(self), "min_value": self.min_value}


@_registered("wrong_defaults")
class ClipWrongDefaults(Clip):
    def __init__(self, min_value=0.0, max_value=1.0, **kwargs):
        super().__init__(min_value, max_value, **kwargs)


@_registered("no_check")
class ClipWithoutRangeCheck(Clip):
    def __init__(self, min_value=-1.0, max_value=1.0, **kwargs):
        keras.layers.Layer.__init__(self, **kwargs)
        self.min_value, self.max_value = min_value, max_value


@_registered("vague_error")
class ClipWithVagueError(Clip):
    def __init__(self, min_value=-1.0, max_value=1.0, **kwargs):
        if min_value > max_value:
            raise ValueError("범위가 잘못되었습니다.")
        super().__init__(min_value, max_value, **kwargs)


@_registered("upper_only")
class ClipUpperOnly(Clip):
    def call(self, inputs):
        return ops.minimum(inputs, self.max_value)


@_registered("other_keys")
class ClipWithOtherConfigKeys(Clip):
    def get_config(self):
        return {
            **keras.layers.Layer.get_config(self),
            "low": self.min_value,
            "high": self.max_value,
        }


@_registered("strict_bounds")
class ClipRejectsEqualBounds(Clip):
    def __init__(self, min_value=-1.0, max_value=1.0, **kwargs):
        if min_value >= max_value:
            raise ValueError(f"min_value={min_value}는 max_value={max_value}보다 작아야 합니다")
        super().__init__(min_value, max_value, **kwargs)


def test_clip_rejecting_equal_bounds():
    (failure,) = check_clip_layer(ClipRejectsEqualBounds).failures
    assert failure.startswith("Clip(min_value=0.5, max_value=0.5) 만들기 중에 예외가 났습니다")
    assert failure.endswith(
        "(두 경계가 같은 것은 허용해야 합니다: min_value > max_value만 오류입니다)"
    )


def test_clip_without_base_config_loses_name_and_dtype():
    report = check_clip_layer(ClipWithoutBaseConfig)
    assert report.failures == [
        "설정에 기반 클래스의 name과 dtype이 들어 있어야 하는데 name='(없음)', dtype=없음입니다 "
        "({**super().get_config(), ...}로 합치세요)."
    ]


def test_clip_without_kwargs_cannot_take_a_name():
    (failure,) = check_clip_layer(ClipWithoutKwargs).failures
    assert failure.startswith(
        'Clip(min_value=-0.5, max_value=2.0, name="clip", dtype="float64") 만들기 중에 예외가 '
        "났습니다: TypeError: "
    )
    assert "unexpected keyword argument 'name'" in failure
    assert "→ 생성자가 기반 클래스의 키워드 인자(name=, dtype= 등)를 받지 못합니다" in failure


def test_clip_not_registered_cannot_be_loaded():
    failures = check_clip_layer(ClipNotRegistered).failures
    assert failures[0].startswith("클래스가 직렬화 등록부에 등록되어 있어야 하는데 등록 이름이")
    assert failures[1].startswith(
        "Clip(0.0, 1.0)이 든 모델: .keras로 저장하고 custom_objects 없이 불러오기 중에 예외가"
    )
    assert "→ 저장한 파일의 클래스를 찾지 못했습니다" in failures[1]


def test_clip_forgetting_an_argument_in_get_config():
    (failure,) = check_clip_layer(ClipForgetsMax).failures
    assert failure.startswith("설정의 max_value: 2.0이어야 하는데 '(없음)'입니다")


def test_clip_with_wrong_defaults():
    (failure,) = check_clip_layer(ClipWrongDefaults).failures
    assert failure.startswith("Clip()의 출력 (기본값 min_value=-1.0, max_value=1.0)")
    assert failure.endswith("(생성자 기본값을 min_value=-1.0, max_value=1.0으로 두세요).")


def test_clip_without_range_check():
    (failure,) = check_clip_layer(ClipWithoutRangeCheck).failures
    assert failure == (
        "Clip(min_value=2.0, max_value=-1.0): ValueError가 나야 하는데 아무 예외 없이 끝났습니다."
    )


def test_clip_with_an_error_that_names_no_value():
    (failure,) = check_clip_layer(ClipWithVagueError).failures
    assert failure.startswith(
        "Clip(min_value=2.0, max_value=-1.0): 오류 메시지에 'min_value', 'max_value', '2.0', "
        "'-1.0'이(가) 없습니다"
    )


def test_clip_upper_bound_only():
    failures = check_clip_layer(ClipUpperOnly).failures
    assert failures[0].endswith("(아래쪽 경계 min_value로 자르지 않았습니다).")


def test_clip_with_other_config_keys():
    failures = check_clip_layer(ClipWithOtherConfigKeys).failures
    assert failures[0].startswith("설정의 min_value: -0.5이어야 하는데 '(없음)'입니다")
    assert failures[1].startswith("설정의 max_value: 2.0이어야 하는데 '(없음)'입니다")


# --- 연습 4-2: Residual: right solutions ------------------------------------------------------


@_registered("reference")
class Residual(keras.layers.Layer):
    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)

    def call(self, inputs):
        return inputs + self.layer(inputs)

    def get_config(self):
        return {**super().get_config(), "layer": keras.saving.serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layer"] = keras.saving.deserialize_keras_object(config["layer"])
        return cls(**config)


@_registered("pop_style")
class ResidualPopStyle(keras.layers.Layer):
    """No build(); from_config pops the layer entry; ops.add."""

    def __init__(self, layer, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.layer = layer

    def call(self, x):
        return ops.add(x, self.layer(x))

    def get_config(self):
        config = super().get_config()
        config["layer"] = keras.saving.serialize_keras_object(self.layer)
        return config

    @classmethod
    def from_config(cls, config):
        config = config.copy()
        layer = keras.saving.deserialize_keras_object(config.pop("layer"))
        return cls(layer, **config)


@pytest.mark.parametrize("solution", [Residual, ResidualPopStyle])
def test_residual_right_solutions_pass(solution):
    report = check_residual_wrapper(solution)
    assert report.passed, report


def test_residual_reference_report():
    assert repr(check_residual_wrapper(Residual)) == (
        "✅ 연습 4-2 하위 층을 감싸는 Residual 층: 통과했습니다 (16개 항목 확인)."
    )


# --- 연습 4-2: Residual: wrong solutions ------------------------------------------------------


@_registered("stores_object")
class ResidualStoresObject(Residual):
    def get_config(self):
        return {**keras.layers.Layer.get_config(self), "layer": self.layer}


@_registered("no_from_config")
class ResidualWithoutFromConfig(Residual):
    from_config = classmethod(keras.layers.Layer.from_config.__func__)


@_registered("no_kwargs")
class ResidualWithoutKwargs(Residual):
    def __init__(self, layer):
        keras.layers.Layer.__init__(self)
        self.layer = layer


@_registered("drops_rest")
class ResidualDropsName(Residual):
    @classmethod
    def from_config(cls, config):
        return cls(keras.saving.deserialize_keras_object(config["layer"]))


@_registered("always_dense")
class ResidualAlwaysDense(Residual):
    """from_config rebuilds a Dense whatever was wrapped."""

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        inner = config.pop("layer")["config"]
        return cls(keras.layers.Dense.from_config(inner), **config)


@_registered("no_skip")
class ResidualWithoutSkip(Residual):
    def call(self, inputs):
        return self.layer(inputs)


@_registered("own_dense")
class ResidualOwnDense(Residual):
    """Ignores the given layer and makes its own Dense of the input size."""

    def build(self, input_shape):
        self.dense = keras.layers.Dense(input_shape[-1], activation="tanh")

    def call(self, inputs):
        return inputs + self.dense(inputs)


class ResidualNotRegistered(Residual):
    pass


def test_residual_storing_the_layer_object_in_the_config():
    failures = check_residual_wrapper(ResidualStoresObject).failures
    assert failures[0] == (
        "설정의 layer 항목은 keras.saving.serialize_keras_object()로 만든 딕셔너리여야 하는데 "
        "Dense입니다."
    )
    assert failures[1].startswith("설정을 JSON으로 바꿀 수 없습니다")


def test_residual_without_from_config():
    (failure,) = check_residual_wrapper(ResidualWithoutFromConfig).failures
    assert failure.startswith("되살린 층의 layer 속성은 Dense 층이어야 하는데 TrackedDict입니다")
    assert "from_config()를 재정의하지 않아" in failure


def test_residual_without_kwargs():
    (failure,) = check_residual_wrapper(ResidualWithoutKwargs).failures
    assert "unexpected keyword argument 'name'" in failure
    assert "super().__init__(**kwargs)" in failure


def test_residual_whose_from_config_drops_the_base_arguments():
    (failure,) = check_residual_wrapper(ResidualDropsName).failures
    assert failure.startswith("되살린 층의 name: 'residual'이어야 하는데 ")


def test_residual_that_always_rebuilds_a_dense():
    (failure,) = check_residual_wrapper(ResidualAlwaysDense).failures
    assert failure.startswith(
        "Activation를 감싼 층의 get_config() → JSON → from_config() 중에 예외가 났습니다"
    )
    assert "Dense.__init__() missing 1 required positional argument: 'units'" in failure
    assert "→ 필요한 인자가 빠졌습니다" in failure


def test_residual_without_the_skip_connection():
    (failure,) = check_residual_wrapper(ResidualWithoutSkip).failures
    assert failure.startswith("모양이 (2, 4)인 입력의 출력 (inputs + layer(inputs))")
    assert failure.endswith("(입력을 더하지 않았습니다: inputs + self.layer(inputs)).")


def test_residual_that_ignores_the_given_layer():
    (failure,) = check_residual_wrapper(ResidualOwnDense).failures
    assert failure.startswith("모양이 (2, 4)인 입력의 출력 (inputs + layer(inputs))")


def test_residual_not_registered():
    failures = check_residual_wrapper(ResidualNotRegistered).failures
    assert failures[0].startswith("클래스가 직렬화 등록부에 등록되어 있어야 하는데")
    assert "→ 저장한 파일의 클래스를 찾지 못했습니다" in failures[1]


@pytest.mark.parametrize("check", [check_clip_layer, check_residual_wrapper])
def test_checkers_want_a_class(check):
    report = check(object())
    assert not report.passed and "클래스 자체를 넘겨야" in str(report), report
