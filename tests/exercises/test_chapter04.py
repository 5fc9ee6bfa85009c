"""Checkers of chapter 4: the reference solutions pass, typical mistakes get the right sentence.

Every class registers under its own package, so that a wrong solution never replaces the
reference in Keras's global registry (`package>ClassName` must stay unique across tests).
"""

import keras
import pytest
from keras import ops

from companion.exercises import check_clip_layer, check_residual_wrapper

# --- 연습 4-1: Clip ---------------------------------------------------------------------------


@keras.saving.register_keras_serializable(package="test_ch04_reference")
class Clip(keras.layers.Layer):
    def __init__(self, min_value=-1.0, max_value=1.0, **kwargs):
        super().__init__(**kwargs)
        self.min_value = min_value
        self.max_value = max_value

    def call(self, inputs):
        return ops.clip(inputs, self.min_value, self.max_value)

    def get_config(self):
        return {**super().get_config(), "min_value": self.min_value, "max_value": self.max_value}


@keras.saving.register_keras_serializable(package="test_ch04_no_base_config")
class ClipWithoutBaseConfig(Clip):
    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value}


@keras.saving.register_keras_serializable(package="test_ch04_no_kwargs")
class ClipWithoutKwargs(Clip):
    def __init__(self, min_value=-1.0, max_value=1.0):
        keras.layers.Layer.__init__(self)
        self.min_value = min_value
        self.max_value = max_value


class ClipNotRegistered(Clip):
    pass


@keras.saving.register_keras_serializable(package="test_ch04_forgets_max")
class ClipForgetsMax(Clip):
    def get_config(self):
        return {**keras.layers.Layer.get_config(self), "min_value": self.min_value}


def test_clip_reference_passes():
    report = check_clip_layer(Clip)
    assert report.passed, report
    assert repr(report) == "✅ 연습 4-1 직렬화되는 Clip 층: 통과했습니다 (9개 항목 확인)."


def test_clip_without_base_config_loses_name_and_dtype():
    report = check_clip_layer(ClipWithoutBaseConfig)
    assert report.failures == [
        "설정에 기반 클래스의 name과 dtype이 들어 있어야 하는데 name='(없음)', dtype=없음입니다 "
        "({**super().get_config(), ...}로 합치세요).",
        "되살린 층의 name: 'clip'이어야 하는데 'clip_without_base_config'입니다.",
        "되살린 층의 자료형 정책: 'float64'이어야 하는데 'float32'입니다.",
    ]


def test_clip_without_kwargs_cannot_take_a_name():
    report = check_clip_layer(ClipWithoutKwargs)
    assert report.failures == [
        'Clip(min_value=-0.5, max_value=2.0, name="clip", dtype="float64") 만들기 중에 '
        "예외가 났습니다: TypeError: ClipWithoutKwargs.__init__() got an unexpected keyword "
        "argument 'name'"
    ]


def test_clip_not_registered_cannot_be_loaded():
    report = check_clip_layer(ClipNotRegistered)
    assert report.failures == [
        "클래스가 직렬화 목록에 등록되어 있어야 하는데 등록 이름이 'ClipNotRegistered'입니다 "
        "(@keras.saving.register_keras_serializable(package=...)를 붙이세요).",
        "custom_objects 없이 .keras 파일 불러오기 중에 예외가 났습니다: TypeError: "
        "Could not locate class 'ClipNotRegistered'. Make sure custom classes and functions "
        "are decorated with `@keras.saving.register_keras_serializable()`. If they are "
        "already decorated, make sure they are all imported so that the decorator is run "
        "before trying to load them.",
    ]


def test_clip_forgetting_an_argument_in_get_config():
    report = check_clip_layer(ClipForgetsMax)
    assert report.failures[0] == "설정의 max_value: 2.0이어야 하는데 '(없음)'입니다."
    assert report.failures[1].startswith("되살린 층의 출력:")
    assert len(report.failures) == 2


# --- 연습 4-2: Residual -----------------------------------------------------------------------


@keras.saving.register_keras_serializable(package="test_ch04_reference")
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


@keras.saving.register_keras_serializable(package="test_ch04_stores_object")
class ResidualStoresObject(Residual):
    def get_config(self):
        return {**keras.layers.Layer.get_config(self), "layer": self.layer}


@keras.saving.register_keras_serializable(package="test_ch04_no_from_config")
class ResidualWithoutFromConfig(Residual):
    from_config = classmethod(keras.layers.Layer.from_config.__func__)


@keras.saving.register_keras_serializable(package="test_ch04_no_kwargs")
class ResidualWithoutKwargs(Residual):
    def __init__(self, layer):
        keras.layers.Layer.__init__(self)
        self.layer = layer


@keras.saving.register_keras_serializable(package="test_ch04_drops_rest")
class ResidualDropsName(Residual):
    @classmethod
    def from_config(cls, config):
        return cls(keras.saving.deserialize_keras_object(config["layer"]))


def test_residual_reference_passes():
    report = check_residual_wrapper(Residual)
    assert report.passed, report
    assert repr(report) == "✅ 연습 4-2 하위 층을 감싸는 Residual 층: 통과했습니다 (9개 항목 확인)."


def test_residual_storing_the_layer_object_in_the_config():
    report = check_residual_wrapper(ResidualStoresObject)
    assert report.failures == [
        "설정의 layer 항목은 keras.saving.serialize_keras_object()로 만든 딕셔너리여야 하는데 "
        "Dense입니다.",
        "설정을 JSON으로 바꿀 수 없습니다 (Object of type Dense is not JSON serializable).",
        "from_config(get_config()) 중에 예외가 났습니다: TypeError: Could not parse config: "
        "<Dense name=inner, built=True>",
    ]


def test_residual_without_from_config():
    report = check_residual_wrapper(ResidualWithoutFromConfig)
    assert report.failures == [
        "되살린 층의 layer 속성은 Keras 층이어야 하는데 TrackedDict입니다 "
        "(from_config()에서 keras.saving.deserialize_keras_object()로 되살리세요).",
        "custom_objects 없이 .keras 파일 불러오기 중에 예외가 났습니다: AttributeError: "
        "'TrackedDict' object has no attribute 'built'",
    ]


def test_residual_without_kwargs():
    report = check_residual_wrapper(ResidualWithoutKwargs)
    assert len(report.failures) == 1
    assert report.failures[0].endswith(
        "TypeError: ResidualWithoutKwargs.__init__() got an unexpected keyword argument 'name'"
    )


def test_residual_whose_from_config_drops_the_base_arguments():
    report = check_residual_wrapper(ResidualDropsName)
    assert report.failures == [
        "되살린 층의 name: 'residual'이어야 하는데 'residual_drops_name'입니다."
    ]


@pytest.mark.parametrize("check", [check_clip_layer, check_residual_wrapper])
def test_checkers_want_a_class(check):
    with pytest.raises(TypeError, match="클래스 자체를 넘겨야"):
        check(Clip())
