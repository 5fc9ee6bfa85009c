"""Checkers of chapter 4: right solutions of different shapes pass, plausible wrong ones fail and
name the requirement they break, with the same verdict on every backend."""

import keras
import pytest
from exercise_reports import assert_verdict, report_of, verdict_id
from keras import ops

from companion.exercises import check_clip_layer, check_residual_wrapper
from companion.exercises.reference import chapter04 as reference


def _registered(package):
    return keras.saving.register_keras_serializable(package=f"test_ch04_{package}")


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


@_registered("stores_object")
@_registered("calls_twice")
class ResidualCallsItsLayerTwice(Residual):
    # Wrong: the wrapped layer runs once for a shape check and again for the sum, so the
    # losses it adds (and any random draws) happen twice.
    def call(self, inputs):
        if self.layer(inputs).shape[-1] != inputs.shape[-1]:
            raise ValueError("the wrapped layer must keep the last dimension")
        return inputs + self.layer(inputs)


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


@_registered("rounded_error")
class ClipRoundedError(Clip):
    """Wrong: the message rounds the values it reports."""

    def __init__(self, min_value=-1.0, max_value=1.0, **kwargs):
        if min_value > max_value:
            raise ValueError(
                f"min_value는 max_value보다 클 수 없습니다. 받은 값: min_value={min_value:.2f}, "
                f"max_value={max_value:.2f}"
            )
        super().__init__(min_value, max_value, **kwargs)


@_registered("swapped_arguments")
class ClipSwappedArguments(Clip):
    """Wrong: the signature takes max_value first."""

    def __init__(self, max_value=1.0, min_value=-1.0, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


@_registered("float32")
class ClipInFloat32(Clip):
    """Wrong: casts to float32 whatever the layer's dtype."""

    def call(self, inputs):
        return ops.clip(ops.cast(inputs, "float32"), self.min_value, self.max_value)


@_registered("numpy_values")
class ClipNumpyConfig(Clip):
    """Wrong: keeps the bounds as NumPy floats, which json.dumps cannot write."""

    def __init__(self, min_value=-1.0, max_value=1.0, **kwargs):
        import numpy as np

        super().__init__(min_value, max_value, **kwargs)
        self.min_value, self.max_value = np.float32(min_value), np.float32(max_value)


@_registered("where")
class ClipWithWhere(keras.layers.Layer):
    """Right: keyword-only bounds checked before the base class, ops.where, config.update."""

    def __init__(self, min_value=-1.0, max_value=1.0, **kwargs):
        if not min_value <= max_value:
            raise ValueError(
                f"min_value({min_value})가 max_value({max_value})보다 큽니다: "
                f"min_value={min_value}, max_value={max_value}"
            )
        super().__init__(**kwargs)
        self.min_value, self.max_value = min_value, max_value

    def call(self, inputs):
        low = ops.where(inputs < self.min_value, ops.cast(self.min_value, inputs.dtype), inputs)
        return ops.where(low > self.max_value, ops.cast(self.max_value, inputs.dtype), low)

    def get_config(self):
        config = super().get_config()
        config.update({"min_value": self.min_value, "max_value": self.max_value})
        return config


@_registered("serialize_alias")
class ResidualLayersSerialize(keras.layers.Layer):
    """Right: keras.layers.serialize/deserialize (the same functions), layer passed positionally."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.layer = layer

    def call(self, inputs):
        return ops.add(inputs, self.layer(inputs))

    def get_config(self):
        return {**super().get_config(), "layer": keras.layers.serialize(self.layer)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(keras.layers.deserialize(config.pop("layer")), **config)


@_registered("calls_twice")
class ResidualCallsLayerTwice(Residual):
    """Wrong: the wrapped layer is applied twice."""

    def call(self, inputs):
        return inputs + self.layer(self.layer(inputs))


VERDICTS = [
    (check_clip_layer, reference.Clip, True),
    (check_clip_layer, Clip, True),
    (check_clip_layer, ClipWithMinimumMaximum, True),
    (check_clip_layer, ClipWithWhere, True),
    (check_clip_layer, ClipWithoutBaseConfig, "요구 사항 4"),
    (check_clip_layer, ClipWithoutKwargs, "unexpected keyword argument 'name'"),
    (check_clip_layer, ClipNotRegistered, "요구 사항 5"),
    (check_clip_layer, ClipForgetsMax, "요구 사항 4"),
    (check_clip_layer, ClipWrongDefaults, "요구 사항 1: 기본값은"),
    (check_clip_layer, ClipWithoutRangeCheck, "요구 사항 2"),
    (check_clip_layer, ClipWithVagueError, "요구 사항 2"),
    (check_clip_layer, ClipUpperOnly, "요구 사항 3"),
    (check_clip_layer, ClipWithOtherConfigKeys, "요구 사항 4"),
    (check_clip_layer, ClipRejectsEqualBounds, "요구 사항 2: 두 경계가 같은 것은"),
    (check_clip_layer, ClipRoundedError, ("요구 사항 2", "2.718281828")),
    (check_clip_layer, ClipSwappedArguments, "요구 사항 1"),
    (check_clip_layer, ClipInFloat32, "float16"),
    # JAX promotes float16 against a NumPy float32 scalar (the output is float32, 요구 사항 1·3)
    # before the config is read; TensorFlow and PyTorch keep float16 and json.dumps fails (4).
    (check_clip_layer, ClipNumpyConfig, "요구 사항"),
    (check_residual_wrapper, reference.Residual, True),
    (check_residual_wrapper, Residual, True),
    (check_residual_wrapper, ResidualCallsItsLayerTwice, "요구 사항 2"),
    (check_residual_wrapper, ResidualPopStyle, True),
    (check_residual_wrapper, ResidualLayersSerialize, True),
    (check_residual_wrapper, ResidualStoresObject, "요구 사항 3·4"),
    (check_residual_wrapper, ResidualWithoutFromConfig, "요구 사항 3·4"),
    (check_residual_wrapper, ResidualWithoutKwargs, "요구 사항 1"),
    (check_residual_wrapper, ResidualDropsName, "요구 사항 3·4"),
    (check_residual_wrapper, ResidualAlwaysDense, "요구 사항 3·4"),
    (check_residual_wrapper, ResidualWithoutSkip, "요구 사항 2"),
    (check_residual_wrapper, ResidualOwnDense, "요구 사항 1"),
    (check_residual_wrapper, ResidualNotRegistered, "요구 사항 5"),
    (check_residual_wrapper, ResidualCallsLayerTwice, "요구 사항 2"),
]


@pytest.mark.parametrize(("check", "solution", "expected"), VERDICTS, ids=verdict_id)
def test_verdict(check, solution, expected):
    assert_verdict(check, solution, expected)


def test_reports_of_the_model_answers():
    for check, solution in (
        (check_clip_layer, reference.Clip),
        (check_residual_wrapper, reference.Residual),
    ):
        assert repr(report_of(check, solution)).startswith(f"✅ {check.title}: 통과했습니다 (")


def test_the_notebooks_wrong_attempt_names_the_constructor_call():
    (failure,) = report_of(check_clip_layer, ClipWithoutKwargs).failures
    assert failure.startswith(
        'Clip(min_value=-0.5, max_value=2.0, name="clip", dtype="float16") 만들기 중에 예외가 '
        "났습니다: TypeError:"
    )
    assert "→ 생성자가 기반 클래스의 키워드 인자(name=, dtype= 등)를 받지 못합니다" in failure


def test_a_rounded_value_is_quoted_as_received():
    (failure,) = report_of(check_clip_layer, ClipRoundedError).failures
    assert (
        "받은 메시지: 'min_value는 max_value보다 클 수 없습니다. 받은 값: min_value=2.72" in failure
    )
