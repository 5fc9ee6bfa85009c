"""4장 연습 문제 채점기: 설정(config)과 직렬화(serialization).

Both exercises are graded by the probe battery (`probes.py`) against the model answers in
`reference/chapter04.py`, with the config, `.keras` and argument-error probes on; this module says
what differs, and checks the registration and the `layer` attribute, which behaviour cannot show.

Requirement → check (each line of the exercise text in book/04_serialization.ipynb):

연습 4-1 `Clip`

| requirement | check |
|---|---|
| 1. `Clip(min_value=-1.0, max_value=1.0, **kwargs)` | `construct`: keywords, `name`, `dtype` |
| 1. the defaults and the argument order | `Clip()` and `Clip(0.0, 1.0)` behave as the reference's |
| 2. `min_value > max_value` is a `ValueError` | `errors`: names and values as received |
| 2. equal bounds are allowed | `Clip(0.5, 0.5)` behaves as the reference's |
| 3. `keras.ops.clip()`, any shape | `output`/`batch`/`symbolic`/`compiled`, `dtype` (float16) |
| 4. base config + both values, JSON, `from_config()` | `config`: keys and values, clone |
| 5. registered, `.keras` without `custom_objects` | registered name; `save` |

연습 4-2 `Residual`

| requirement | check |
|---|---|
| 1. `Residual(layer, **kwargs)`, attribute `layer` | `construct`, `name`; `layer` is the layer |
| 1. the wrapped layer is tracked | `weights`: the Dense's two weights; `gradients` |
| 2. `inputs + self.layer(inputs)`, Dense or Activation | `output`/`batch` for both, rank 2 and 3 |
| 3. `get_config()["layer"]` from `serialize_keras_object` | `config`: JSON, as the reference's |
| 4. `from_config()` rebuilds the layer | `config`: the clone behaves the same |
| 5. registered, a model saves and reloads | registered name; `save` (same predictions) |
"""

import keras

from companion.exercises.checker import (
    Checker,
    exercise,
    nontrivial_inputs,
    quiet_tensorflow_logs,
    require_class,
)
from companion.exercises.probes import Case, Error, Feed, LayerSpec, grade_layer
from companion.exercises.reference import chapter04 as reference
from companion.settings import SEED

_X = Feed(3.0 * nontrivial_inputs((2, 3), SEED))
_X3 = Feed(3.0 * nontrivial_inputs((2, 3, 4), SEED + 1))

CLIP = LayerSpec(
    name="Clip",
    reference=reference.Clip,
    cases=[
        Case(
            kwargs={"min_value": -0.5, "max_value": 2.0, "name": "clip", "dtype": "float16"},
            label='Clip(min_value=-0.5, max_value=2.0, name="clip", dtype="float16")',
            feeds=[_X, _X3],
        ),
        Case(
            feeds=[_X3],
            requirements={"output": "요구 사항 1: 기본값은 min_value=-1.0, max_value=1.0입니다."},
        ),
        Case(
            args=(0.0, 1.0),
            feeds=[_X],
            requirements={"output": "요구 사항 1: 인자 순서는 Clip(min_value, max_value)입니다."},
        ),
        Case(
            args=(0.5, 0.5),
            feeds=[_X],
            requirements={
                "construct": (
                    "요구 사항 2: 두 경계가 같은 것은 허용합니다 (min_value > max_value만 오류)."
                )
            },
        ),
    ],
    errors=(Error(kwargs={"min_value": 2.718281828, "max_value": -1.414213562}),),
    config=True,
    save=True,
    registered=True,
    requirements={
        "construct": "요구 사항 1: 생성자는 Clip(min_value=-1.0, max_value=1.0, **kwargs)입니다.",
        "name": "요구 사항 1: **kwargs(name=, dtype= 등)를 기반 클래스에 넘깁니다.",
        "errors": (
            "요구 사항 2: min_value > max_value이면 ValueError를 내고, 메시지에 두 인자의 이름과 "
            "받은 "
            "값을 그대로 담습니다 (예: min_value=2.0, max_value=-1.0)."
        ),
        "output": (
            "요구 사항 3: call()은 keras.ops.clip()으로 입력을 [min_value, max_value]로 자릅니다."
        ),
        "batch": "요구 사항 3: 입력의 모양은 어떻든 됩니다.",
        "dtype": (
            '요구 사항 1·3: dtype="float16"으로 만든 층은 float16으로 계산합니다 (dtype=을 기반 '
            "클래스에 넘기고, 자료형을 고정하지 마세요)."
        ),
        "symbolic": "요구 사항 3: 입력의 모양은 어떻든 됩니다 (배치 크기 None 포함).",
        "compiled": "요구 사항 3: 컴파일된 함수 안에서도 같은 값을 냅니다.",
        "config": (
            "요구 사항 4: get_config()는 기반 클래스의 설정에 min_value와 max_value를 더해 "
            "돌려주고, "
            "JSON으로 바꿨다가 from_config()로 되살려도 이름, 자료형, 범위가 같습니다."
        ),
        "save": (
            "요구 사항 5: 등록한 클래스는 .keras 파일로 저장한 모델을 custom_objects 없이 다시 "
            "불러와도 같은 예측을 냅니다."
        ),
    },
)

_REGISTRATION = (
    "클래스를 직렬화 등록부(registry)에 등록해야 하는데 등록 이름이 {name!r}입니다 "
    "(@keras.saving.register_keras_serializable(package=...)를 붙이세요)."
)


def _expect_registered(checker, layer_class, requirement):
    name = keras.saving.get_registered_name(layer_class)
    registered = keras.saving.get_registered_object(name) is layer_class and ">" in name
    checker.expect(registered, _REGISTRATION.format(name=name) + f"\n    → {requirement}")


# 독자가 고칠 일이 아닌 Keras의 경고(예: build() 없는 층)가 보고서 밖에 섞이지 않게 합니다.
# (자료형 확인에는 float64가 아니라 float16을 씁니다: JAX는 x64 모드가 아니면 float64를 float32로
# 줄이므로, float64로는 자료형을 고정한 답이 JAX에서만 통과합니다.)
@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 4-1 직렬화되는 Clip 층", "Clip")
def check_clip_layer(layer_class):
    """연습 4-1: 직렬화할 수 있는 `Clip` 층을 채점합니다.

    모범 답안(`reference.Clip`)과 같은 생성자 인자로 만든 층을 비교합니다: 키워드·기본값·위치
    인자로 만든 층의 출력(`float16` 포함), 같은 경계, `min_value > max_value`의 `ValueError`와
    그 메시지, 설정(JSON, `from_config()`), 등록과 `.keras` 저장·불러오기.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_clip_layer(Clip)  # doctest: +SKIP
    ✅ 연습 4-1 직렬화되는 Clip 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 4-1 직렬화되는 Clip 층")
    with checker:
        grade_layer(checker, layer_class, CLIP)
        if not checker.failures:
            _expect_registered(checker, layer_class, CLIP.requirement("save"))
    return checker.report()


RESIDUAL = LayerSpec(
    name="Residual",
    reference=reference.Residual,
    cases=[
        Case(
            args=lambda: (keras.layers.Dense(4, activation="tanh", name="inner"),),
            kwargs={"name": "residual"},
            label='Residual(Dense(4, activation="tanh", name="inner"), name="residual")',
            feeds=[
                Feed(nontrivial_inputs((2, 4), SEED)),
                Feed(nontrivial_inputs((3, 2, 4), SEED + 1)),
            ],
        ),
        Case(
            # 가중치 없이 손실만 더하는 층: 감싼 층을 두 번 부르면 손실도 두 번 더해집니다.
            args=lambda: (keras.layers.ActivityRegularization(l2=0.01, name="penalty"),),
            label="Residual(ActivityRegularization(l2=0.01))",
            feeds=[Feed(nontrivial_inputs((3, 2, 4), SEED + 1))],
        ),
    ],
    config=True,
    save=True,
    registered=True,
    requirements={
        "construct": "요구 사항 1: 생성자는 Residual(layer, **kwargs)입니다.",
        "name": "요구 사항 1: **kwargs(name= 등)를 기반 클래스에 넘깁니다.",
        "weights": (
            "요구 사항 1: 받은 층을 속성 layer에 두어야 Keras가 감싼 층의 가중치를 추적합니다 "
            "(Dense를 "
            "감쌌다면 그 커널과 편향 두 개)."
        ),
        "build": "요구 사항 1: 가중치는 감싼 층의 것뿐입니다.",
        "output": "요구 사항 2: call()은 inputs + self.layer(inputs)를 돌려줍니다.",
        "losses": (
            "요구 사항 2: call()은 inputs + self.layer(inputs)를 돌려줍니다. 감싼 층은 한 번만 "
            "부릅니다 (두 번 부르면 그 층이 더하는 손실도 두 번 더해집니다)."
        ),
        "batch": "요구 사항 2: 입력이 2차원이든 3차원이든, 배치 크기가 1이어도 됩니다.",
        "symbolic": "요구 사항 2: 출력 모양은 입력 모양과 같습니다.",
        "compiled": "요구 사항 2: 컴파일된 함수 안에서도 같은 값을 냅니다.",
        "gradients": "요구 사항 1: 감싼 층의 가중치까지 경사가 흐릅니다.",
        "fit": "요구 사항 1: 감싼 층이 fit()으로 모범 답안처럼 훈련됩니다.",
        "config": (
            '요구 사항 3·4: get_config()의 "layer"는 keras.saving.serialize_keras_object()로 만든 '
            "딕셔너리이고 (설정 전체가 JSON으로 바뀌어야 합니다), from_config()는 그것을 "
            "deserialize_keras_object()로 되살려 생성자에 넘깁니다 (감싼 층의 클래스를 고정하지 "
            "않습니다)."
        ),
        "save": (
            "요구 사항 5: 등록한 클래스는 이 층이 든 모델을 저장하고 다시 불러와도 같은 예측을 "
            "냅니다."
        ),
    },
)


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 4-2 하위 층을 감싸는 Residual 층", "Residual")
def check_residual_wrapper(layer_class):
    """연습 4-2: 하위 층을 인자로 받는 `Residual` 층의 직렬화를 채점합니다.

    모범 답안(`reference.Residual`)과 같은 하위 층(`Dense`, `Activation`)을 감싸 비교합니다:
    가중치 추적, 2·3차원 입력의 출력, 컴파일된 함수, 경사, `fit()`, 설정(JSON, `from_config()`로
    되살린 층), 등록과 `.keras` 저장·불러오기, 그리고 속성 `layer`가 받은 층 그대로인지.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_residual_wrapper(Residual)  # doctest: +SKIP
    ✅ 연습 4-2 하위 층을 감싸는 Residual 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 4-2 하위 층을 감싸는 Residual 층")
    with checker:
        inner = keras.layers.Dense(4, activation="tanh", name="inner")
        ok, layer = checker.run("Residual(Dense(4)) 만들기", layer_class, inner)
        if ok:
            held = getattr(layer, "layer", None)
            checker.expect(
                held is inner,
                f"받은 층을 속성 layer에 그대로 두어야 하는데 layer 속성이 {type(held).__name__}"
                f"입니다.\n    → {RESIDUAL.requirement('weights')}",
            )
        grade_layer(checker, layer_class, RESIDUAL)
        if not checker.failures:
            _expect_registered(checker, layer_class, RESIDUAL.requirement("save"))
    return checker.report()
