"""4장 연습 문제 채점기: 설정(config)과 직렬화(serialization).

Requirement → check (each line of the exercise text in book/04_serialization.ipynb):

연습 4-1 `Clip` (10 requirements)

| requirement | check |
|---|---|
| `Clip(min_value=..., max_value=..., **kwargs)` | keywords, `name=`, `dtype="float64"` |
| defaults `min_value=-1.0`, `max_value=1.0` | `Clip()` clips to `[-1, 1]` |
| `call()` clips with `keras.ops.clip()` | values of rank-2 and rank-3 inputs, both bounds |
| works in a compiled function | same output inside `call_compiled` (`tf.function`, `jax.jit`) |
| `min_value > max_value` is a `ValueError` | message names both arguments and values; equal is ok |
| `get_config()` = base config + both values | `min_value`, `max_value`, `name`, `dtype` keys |
| `from_config(get_config())` through JSON | name, dtype policy, bounds and output of the clone |
| registered with `register_keras_serializable` | registered name contains a package |
| model with it saves and loads | `.keras` round trip without `custom_objects`, same output |
| the loaded layer keeps its bounds | reloaded model with bounds `(0, 1)` clips to `(0, 1)` |

연습 4-2 `Residual` (9 requirements)

| requirement | check |
|---|---|
| `Residual(layer, **kwargs)`, attribute `layer` | made with `name=`; `layer` is that layer |
| returns `inputs + layer(inputs)` | seeded non-zero Dense weights; rank 2 and rank 3 |
| any wrapped layer | `Dense(4, tanh)` and `Activation("relu")` |
| wrapped layer is tracked | its weights in `Residual.weights`; gradients reach them |
| works in a compiled function | same output inside `call_compiled` (`tf.function`, `jax.jit`) |
| `get_config()["layer"]` from `serialize_keras_object` | a JSON-able dict |
| `from_config()` rebuilds the layer | clone's `layer` is a layer of the same class and config |
| registered | registered name contains a package |
| model with it saves and loads | `.keras` round trip, same output with non-zero weights |
"""

import json

import keras
import numpy as np

from companion.exercises._layer_calls import call_layer
from companion.exercises.checker import (
    Checker,
    config_round_trip,
    exercise,
    nontrivial_inputs,
    quiet_tensorflow_logs,
    require_class,
    set_nontrivial_weights,
)
from companion.settings import SEED


# JAX는 x64 모드가 아니면 float64 배열을 float32로 줄이며 UserWarning을 냅니다. 채점기가 일부러
# dtype="float64"를 요구하므로, 그 경고가 독자의 출력에 섞이지 않게 합니다.
@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 4-1 직렬화되는 Clip 층", "Clip")
def check_clip_layer(layer_class):
    """연습 4-1: 직렬화할 수 있는 `Clip` 층을 채점합니다.

    기대하는 것: `layer_class(min_value=-1.0, max_value=1.0, **kwargs)`로 만들 수 있고
    (나머지 키워드 인자를 `super().__init__(**kwargs)`에 넘깁니다), 호출하면 입력을
    `[min_value, max_value]` 범위로 자릅니다. `min_value > max_value`이면 두 인자의 이름과
    받은 값을 담은 `ValueError`를 냅니다. `get_config()`는 기반 클래스의 설정에
    `min_value`와 `max_value`를 더해 돌려주고, 클래스는
    `@keras.saving.register_keras_serializable`로 등록되어 있어서 이 층이 든 모델을
    `.keras` 파일로 저장한 뒤 `custom_objects` 없이 다시 불러올 수 있어야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_clip_layer(Clip)  # doctest: +SKIP
    ✅ 연습 4-1 직렬화되는 Clip 층: 통과했습니다 (15개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 4-1 직렬화되는 Clip 층")
    x = np.array([[-3.0, -0.5, 0.0], [1.5, 2.0, 7.0]])
    x3 = 3.0 * nontrivial_inputs((2, 3, 4), SEED)
    with checker:
        layer = checker.call(
            'Clip(min_value=-0.5, max_value=2.0, name="clip", dtype="float64") 만들기',
            layer_class,
            min_value=-0.5,
            max_value=2.0,
            name="clip",
            dtype="float64",
        )
        y = checker.call("층 호출", call_layer, layer, x)
        checker.expect_close(
            "출력 ([-0.5, 2.0] 범위로 자른 입력)",
            np.clip(x, -0.5, 2.0),
            y,
            hint=_clip_hint(x, -0.5, 2.0, y),
        )
        y = checker.call("모양이 (2, 3, 4)인 입력으로 호출", call_layer, layer, x3)
        checker.expect_close("모양이 (2, 3, 4)인 입력의 출력", np.clip(x3, -0.5, 2.0), y)
        checker.expect_compiled_matches("Clip", layer, x3.astype("float64"), np.clip(x3, -0.5, 2.0))

        default = checker.call("Clip() 만들기 (기본값)", layer_class)
        y = checker.call("기본값으로 만든 층 호출", call_layer, default, x3)
        checker.expect_close(
            "Clip()의 출력 (기본값 min_value=-1.0, max_value=1.0)",
            np.clip(x3, -1.0, 1.0),
            y,
            hint=" (생성자 기본값을 min_value=-1.0, max_value=1.0으로 두세요)",
        )
        checker.expect_error(
            "Clip(min_value=2.0, max_value=-1.0)",
            layer_class,
            min_value=2.0,
            max_value=-1.0,
            mentions=("min_value", "max_value", "2.0", "-1.0"),
        )

        ok, equal = checker.run("Clip(min_value=0.5, max_value=0.5) 만들기", layer_class, 0.5, 0.5)
        if ok:
            y = checker.call("경계가 같은 층 호출", call_layer, equal, x)
            checker.expect_close(
                "min_value == max_value == 0.5일 때 출력 (모두 0.5)", np.full_like(x, 0.5), y
            )
        else:
            checker.failures[-1] += (
                " (두 경계가 같은 것은 허용해야 합니다: min_value > max_value만 오류입니다)"
            )

        config = checker.call("get_config()", layer.get_config)
        checker.require(
            isinstance(config, dict),
            f"get_config()는 딕셔너리를 돌려줘야 하는데 {type(config).__name__}입니다.",
        )
        for key, value in (("min_value", -0.5), ("max_value", 2.0)):
            checker.expect(
                config.get(key) == value,
                f"설정의 {key}: {value!r}이어야 하는데 {config.get(key, '(없음)')!r}입니다 "
                "(get_config()에 생성자 인자를 같은 이름으로 담으세요).",
            )
        has_dtype = "있음" if "dtype" in config else "없음"
        checker.expect(
            config.get("name") == "clip" and "dtype" in config,
            "설정에 기반 클래스의 name과 dtype이 들어 있어야 하는데 "
            f"name={config.get('name', '(없음)')!r}, dtype={has_dtype}입니다 "
            "({**super().get_config(), ...}로 합치세요).",
        )
        checker.stop()

        clone = checker.call("get_config() → JSON → from_config()", config_round_trip, layer)
        checker.expect_equal("되살린 층의 name", "clip", getattr(clone, "name", None))
        policy = getattr(getattr(clone, "dtype_policy", None), "name", None)
        checker.expect_equal("되살린 층의 자료형 정책", "float64", policy)
        y_clone = checker.call("되살린 층 호출", call_layer, clone, x)
        checker.expect_close("되살린 층의 출력", np.clip(x, -0.5, 2.0), y_clone)

        checker.expect_registered(layer_class)

        def build_model():
            inputs = keras.Input(shape=(3, 4))
            outputs = layer_class(min_value=0.0, max_value=1.0, name="clip")(inputs)
            return keras.Model(inputs, outputs)

        checker.expect_save_and_reload("Clip(0.0, 1.0)이 든 모델", build_model, x3)
    return checker.report()


def _clip_hint(x, low, high, y):
    y = np.asarray(y)
    if y.shape != x.shape:
        return ""
    if np.allclose(y, np.minimum(x, high)):
        return " (아래쪽 경계 min_value로 자르지 않았습니다)"
    if np.allclose(y, np.maximum(x, low)):
        return " (위쪽 경계 max_value로 자르지 않았습니다)"
    if np.allclose(y, np.clip(x, -1.0, 1.0)):
        return " (생성자 인자가 아니라 고정된 -1, 1로 잘랐습니다)"
    return ""


@exercise("연습 4-2 하위 층을 감싸는 Residual 층", "Residual")
def check_residual_wrapper(layer_class):
    """연습 4-2: 하위 층을 인자로 받는 `Residual` 층의 직렬화를 채점합니다.

    기대하는 것: `layer_class(layer, **kwargs)`로 만들고, 속성 `layer`에 받은 층을 두며,
    호출하면 `inputs + layer(inputs)`를 돌려줍니다 (감싼 층이 어떤 층이든). `get_config()`의
    `"layer"` 항목은 층 객체가 아니라 `keras.saving.serialize_keras_object()`로 만든
    딕셔너리(JSON으로 바꿀 수 있어야 합니다)이고, `from_config()`는 그 딕셔너리를 층으로
    되살려서 생성자에 넘깁니다. 클래스는 등록되어 있어서 모델을 `.keras` 파일로 저장하고
    다시 불러올 수 있어야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_residual_wrapper(Residual)  # doctest: +SKIP
    ✅ 연습 4-2 하위 층을 감싸는 Residual 층: 통과했습니다 (16개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 4-2 하위 층을 감싸는 Residual 층")
    x = nontrivial_inputs((2, 4), SEED)
    x3 = nontrivial_inputs((3, 2, 4), SEED + 1)
    with checker:
        inner = keras.layers.Dense(4, activation="tanh", name="inner")
        layer = checker.call(
            'Residual(Dense(4, activation="tanh", name="inner"), name="residual") 만들기',
            layer_class,
            inner,
            name="residual",
        )
        checker.expect(
            getattr(layer, "layer", None) is inner,
            "받은 층을 속성 layer에 그대로 두어야 하는데 layer 속성이 "
            f"{type(getattr(layer, 'layer', None)).__name__}입니다.",
        )
        checker.call("층 호출", call_layer, layer, x)
        n_weights = len(layer.trainable_weights)
        checker.require(
            n_weights == 2,
            f"Residual의 훈련 가능 가중치는 감싼 Dense의 2개여야 하는데 {n_weights}개입니다 "
            "(감싼 층을 self의 속성으로 두어야 Keras가 추적하고 저장합니다).",
        )
        checker.call("감싼 Dense에 0이 아닌 값 넣기", set_nontrivial_weights, inner, SEED)
        for data, label in ((x, "모양이 (2, 4)인 입력"), (x3, "모양이 (3, 2, 4)인 입력")):
            expected = data + call_layer(inner, data)
            y = checker.call(f"{label}으로 호출", call_layer, layer, data)
            checker.require_close(
                f"{label}의 출력 (inputs + layer(inputs))",
                expected,
                y,
                hint=_residual_hint(data, call_layer(inner, data), y),
            )
        checker.expect_compiled_matches("Residual", layer, x3, x3 + call_layer(inner, x3))
        checker.expect_gradients_reach("Residual", layer, x)

        relu = checker.call(
            'Residual(Activation("relu")) 만들기', layer_class, keras.layers.Activation("relu")
        )
        y = checker.call("Activation을 감싼 층 호출", call_layer, relu, x3)
        checker.expect_close("Activation('relu')를 감쌌을 때 출력", x3 + np.maximum(x3, 0.0), y)

        config = checker.call("get_config()", layer.get_config)
        checker.require(
            isinstance(config, dict),
            f"get_config()는 딕셔너리를 돌려줘야 하는데 {type(config).__name__}입니다.",
        )
        sub_config = config.get("layer", "(없음)")
        checker.expect(
            isinstance(sub_config, dict),
            "설정의 layer 항목은 keras.saving.serialize_keras_object()로 만든 딕셔너리여야 "
            f"하는데 {type(sub_config).__name__}입니다.",
        )
        checker.expect(
            config.get("name") == "residual",
            f"설정의 name: 'residual'이어야 하는데 {config.get('name', '(없음)')!r}입니다 "
            "({**super().get_config(), ...}로 합치세요).",
        )
        try:
            json.dumps(config)
            json_error = None
        except (TypeError, ValueError) as error:
            json_error = error
        checker.require(
            json_error is None,
            f"설정을 JSON으로 바꿀 수 없습니다 ({json_error}). 층 객체는 "
            "keras.saving.serialize_keras_object()로 딕셔너리로 바꾸세요.",
        )

        clones = {}
        for wrapper, expected_class in ((layer, "Dense"), (relu, "Activation")):
            clone = clones[expected_class] = checker.call(
                f"{expected_class}를 감싼 층의 get_config() → JSON → from_config()",
                config_round_trip,
                wrapper,
            )
            inner_clone = getattr(clone, "layer", None)
            if isinstance(inner_clone, dict):
                hint = (
                    " (from_config()를 재정의하지 않아 설정 딕셔너리가 그대로 생성자에 "
                    "들어갔습니다. from_config()에서 keras.saving.deserialize_keras_object()로 "
                    "층을 되살리세요)"
                )
            else:
                hint = " (감싼 층의 클래스를 고정하지 말고 deserialize_keras_object()로 되살리세요)"
            checker.require(
                type(inner_clone).__name__ == expected_class,
                f"되살린 층의 layer 속성은 {expected_class} 층이어야 하는데 "
                f"{type(inner_clone).__name__}입니다{hint}.",
            )
        checker.expect_equal("되살린 층의 name", "residual", getattr(clones["Dense"], "name", None))

        checker.expect_registered(layer_class)

        def build_model():
            inputs = keras.Input(shape=(2, 4))
            sub = keras.layers.Dense(4, activation="tanh", name="inner")
            outputs = layer_class(sub, name="residual")(inputs)
            model = keras.Model(inputs, outputs)
            set_nontrivial_weights(sub, SEED + 2)
            return model

        checker.expect_save_and_reload("Residual(Dense)가 든 모델", build_model, x3)
    return checker.report()


def _residual_hint(x, inner_out, y):
    y = np.asarray(y)
    if y.shape != x.shape:
        return ""
    if np.allclose(y, inner_out, atol=1e-5):
        return " (입력을 더하지 않았습니다: inputs + self.layer(inputs))"
    if np.allclose(y, x, atol=1e-5):
        return " (감싼 층을 부르지 않았습니다)"
    return ""
