"""4장 연습 문제 채점기: 설정(config)과 직렬화(serialization)."""

import json
import os
import shutil
import tempfile

import keras
import numpy as np

from companion.exercises._layer_calls import call_layer
from companion.exercises.checker import Checker, require_class
from companion.settings import SEED


def check_clip_layer(layer_class):
    """연습 4-1: 직렬화할 수 있는 `Clip` 층을 채점합니다.

    기대하는 것: `layer_class(min_value=..., max_value=..., name=..., dtype=...)`로 만들 수
    있고 (나머지 키워드 인자를 `super().__init__(**kwargs)`에 넘깁니다), 호출하면 입력을
    `[min_value, max_value]` 범위로 자릅니다. `get_config()`는 기반 클래스의 설정에
    `min_value`와 `max_value`를 더해 돌려주고, 클래스는
    `@keras.saving.register_keras_serializable`로 등록되어 있어서 이 층이 든 모델을
    `.keras` 파일로 저장한 뒤 `custom_objects` 없이 다시 불러올 수 있어야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_clip_layer(Clip)  # doctest: +SKIP
    ✅ 연습 4-1 직렬화되는 Clip 층: 통과했습니다 (9개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 4-1 직렬화되는 Clip 층")
    ok, layer = checker.run(
        'Clip(min_value=-0.5, max_value=2.0, name="clip", dtype="float64") 만들기',
        layer_class,
        min_value=-0.5,
        max_value=2.0,
        name="clip",
        dtype="float64",
    )
    if not ok:
        return checker.report()
    x = np.array([[-3.0, -0.5, 0.0], [1.5, 2.0, 7.0]])
    ok, y = checker.run("층 호출", call_layer, layer, x)
    if ok:
        checker.expect_close("출력 ([-0.5, 2.0] 범위로 자른 입력)", np.clip(x, -0.5, 2.0), y)

    ok, config = checker.run("get_config()", layer.get_config)
    if not ok:
        return checker.report()
    if not isinstance(config, dict):
        checker.fail(f"get_config()는 딕셔너리를 돌려줘야 하는데 {type(config).__name__}입니다.")
        return checker.report()
    for key, value in (("min_value", -0.5), ("max_value", 2.0)):
        checker.expect(
            config.get(key) == value,
            f"설정의 {key}: {value!r}이어야 하는데 {config.get(key, '(없음)')!r}입니다.",
        )
    has_dtype = "있음" if "dtype" in config else "없음"
    checker.expect(
        config.get("name") == "clip" and "dtype" in config,
        "설정에 기반 클래스의 name과 dtype이 들어 있어야 하는데 "
        f"name={config.get('name', '(없음)')!r}, dtype={has_dtype}입니다 "
        "({**super().get_config(), ...}로 합치세요).",
    )

    ok, clone = checker.run("from_config(get_config())", layer_class.from_config, config)
    if ok:
        checker.expect_equal("되살린 층의 name", "clip", getattr(clone, "name", None))
        policy = getattr(getattr(clone, "dtype_policy", None), "name", None)
        checker.expect_equal("되살린 층의 자료형 정책", "float64", policy)
        ok, y_clone = checker.run("되살린 층 호출", call_layer, clone, x)
        if ok:
            checker.expect_close("되살린 층의 출력", np.clip(x, -0.5, 2.0), y_clone)

    _check_registered(checker, layer_class)

    def build_model():
        inputs = keras.Input(shape=(3,))
        outputs = layer_class(min_value=0.0, max_value=1.0, name="clip")(inputs)
        return keras.Model(inputs, outputs)

    x01 = np.random.default_rng(SEED).normal(size=(4, 3)).astype("float32")
    _check_save_and_load(checker, build_model, x01)
    return checker.report()


def check_residual_wrapper(layer_class):
    """연습 4-2: 하위 층을 인자로 받는 `Residual` 층의 직렬화를 채점합니다.

    기대하는 것: `layer_class(layer, **kwargs)`로 만들고, 속성 `layer`에 받은 층을 두며,
    호출하면 `inputs + layer(inputs)`를 돌려줍니다. `get_config()`의 `"layer"` 항목은 층
    객체가 아니라 `keras.saving.serialize_keras_object()`로 만든 딕셔너리(JSON으로 바꿀 수
    있어야 합니다)이고, `from_config()`는 그 딕셔너리를 층으로 되살려서 생성자에 넘깁니다.
    클래스는 등록되어 있어서 모델을 `.keras` 파일로 저장하고 다시 불러올 수 있어야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_residual_wrapper(Residual)  # doctest: +SKIP
    ✅ 연습 4-2 하위 층을 감싸는 Residual 층: 통과했습니다 (9개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 4-2 하위 층을 감싸는 Residual 층")
    inner = keras.layers.Dense(4, name="inner")
    ok, layer = checker.run(
        'Residual(Dense(4, name="inner"), name="residual") 만들기',
        layer_class,
        inner,
        name="residual",
    )
    if not ok:
        return checker.report()
    x = np.random.default_rng(SEED).normal(size=(2, 4)).astype("float32")
    ok, y = checker.run("층 호출", call_layer, layer, x)
    if not ok:
        return checker.report()
    checker.expect_close("출력 (inputs + layer(inputs))", x + call_layer(inner, x), y)

    ok, config = checker.run("get_config()", layer.get_config)
    if not ok:
        return checker.report()
    if not isinstance(config, dict):
        checker.fail(f"get_config()는 딕셔너리를 돌려줘야 하는데 {type(config).__name__}입니다.")
        return checker.report()
    sub_config = config.get("layer", "(없음)")
    checker.expect(
        isinstance(sub_config, dict),
        "설정의 layer 항목은 keras.saving.serialize_keras_object()로 만든 딕셔너리여야 하는데 "
        f"{type(sub_config).__name__}입니다.",
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
    checker.expect(json_error is None, f"설정을 JSON으로 바꿀 수 없습니다 ({json_error}).")

    ok, clone = checker.run("from_config(get_config())", layer_class.from_config, config)
    if ok:
        inner_clone = getattr(clone, "layer", None)
        checker.expect(
            isinstance(inner_clone, keras.layers.Layer),
            "되살린 층의 layer 속성은 Keras 층이어야 하는데 "
            f"{type(inner_clone).__name__}입니다 (from_config()에서 "
            "keras.saving.deserialize_keras_object()로 되살리세요).",
        )
        checker.expect_equal("되살린 층의 name", "residual", getattr(clone, "name", None))
        if isinstance(inner_clone, keras.layers.Dense):
            checker.expect_equal("되살린 하위 층의 units", 4, inner_clone.units)

    _check_registered(checker, layer_class)

    def build_model():
        inputs = keras.Input(shape=(4,))
        sub = keras.layers.Dense(4, activation="tanh", name="inner")
        outputs = layer_class(sub, name="residual")(inputs)
        return keras.Model(inputs, outputs)

    _check_save_and_load(checker, build_model, x)
    return checker.report()


def _check_registered(checker, layer_class):
    name = keras.saving.get_registered_name(layer_class)
    registered = ">" in name and keras.saving.get_registered_object(name) is layer_class
    checker.expect(
        registered,
        f"클래스가 직렬화 목록에 등록되어 있어야 하는데 등록 이름이 {name!r}입니다 "
        "(@keras.saving.register_keras_serializable(package=...)를 붙이세요).",
    )


def _check_save_and_load(checker, build_model, x):
    ok, model = checker.run("이 층이 든 함수형 모델 만들기", build_model)
    if not ok:
        return
    ok, expected = checker.run("모델 예측", call_layer, model, x)
    if not ok:
        return
    folder = tempfile.mkdtemp()
    try:
        path = os.path.join(folder, "model.keras")
        ok, _ = checker.run("모델을 .keras 파일로 저장", model.save, path)
        if not ok:
            return
        ok, loaded = checker.run("custom_objects 없이 .keras 파일 불러오기", _load, path)
        if not ok:
            return
        ok, received = checker.run("불러온 모델 예측", call_layer, loaded, x)
        if ok:
            checker.expect_close("불러온 모델의 예측 (저장 전과 같아야 합니다)", expected, received)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _load(path):
    try:
        return keras.saving.load_model(path, compile=False)
    except Exception as error:
        # Keras는 진짜 원인을 긴 메시지의 "Exception encountered:" 줄에 적으므로 그 줄을 앞으로
        # 꺼내야 보고서의 한 줄에 원인(예: Could not locate class 'Clip')이 나옵니다.
        for line in str(error).splitlines():
            if line.startswith("Exception encountered:"):
                cause = line.removeprefix("Exception encountered:").strip()
                cause = cause.split(" Full object config:")[0]
                raise TypeError(cause) from error
        raise
