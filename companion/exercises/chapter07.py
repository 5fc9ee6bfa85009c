"""7장 연습 문제 채점기: `keras.Model` 서브클래스와 잔차 블록.

Both exercises are graded by the probe battery (`probes.py`) against the model answers in
`reference/chapter07.py`. A model is a layer to the battery: it is built, given the reference's
weights (same-shaped kernels of the residual block are told apart by the output they reproduce),
and compared call by call, compiled, in its gradients, in three Adam steps of its training step,
in its config and after a `.keras` round trip. This module says what differs, and checks what
behaviour cannot show: the base class and the class of the reloaded model.

요구 사항 → 확인 (연습 문제의 요구 사항마다 확인이 하나 이상 있습니다).

연습 7-1 `check_mlp_classifier`:

1. `MLPClassifier(hidden_units=(32,), num_classes=10, **kwargs)`, 기본값, `name=` → `construct`,
   `name`; `MLPClassifier()`의 가중치와 출력 (기본값의 경우).
2. `hidden_units`마다 편향 있는 ReLU `Dense`, 입력 특성 수는 정하지 않음 → `weights`, `output`:
   `(8, 4)`·특성 6개, `(16, 12, 5)`·특성 9개.
3. 마지막 층은 활성화 없는 `Dense(num_classes)`, 로짓 → `output`, `training`(훈련과 추론에서
   같은 로짓); 소프트맥스면 그렇다고 한 문장 더.
4. `get_config()`에 두 인자, `from_config()` → `config`.
5. 등록, `.keras` 저장·불러오기 → 등록 이름, 불러온 모델의 클래스, `save`.
6. 모든 가중치가 경사를 받고 훈련됨 → `gradients`, `fit`.

연습 7-2 `check_dense_residual_block`:

1. `DenseResidualBlock(units, **kwargs)` → `construct`, `name`.
2. 주 경로 `Dense(units, relu)` → `Dense(units)` → `output`.
3. 지름길: 폭이 같으면 입력, 다르면 편향 없는 투영 (필요할 때만, `build()`에서), 마지막 축 →
   `weights` (4개와 5개), `output`: `(5, 4)`·`units=4`와 3차원 `(2, 6, 4)`·`units=6`.
4. 더한 뒤 ReLU → `output`.
5. `get_config()`에 `units` → `config`.
6. 경사와 훈련 → `gradients`, `fit`.
"""

import keras
import numpy as np

from companion.exercises.checker import Checker, exercise, quiet_tensorflow_logs, require_class
from companion.exercises.probes import Case, Feed, LayerSpec, grade_layer
from companion.exercises.reference import chapter07 as reference
from companion.settings import SEED

_RNG = np.random.default_rng(SEED)


def _normal(*shape):
    return _RNG.normal(size=shape).astype("float32")


def _softmax_hint(expected, received):
    shifted = np.exp(expected - expected.max(axis=-1, keepdims=True))
    if np.allclose(received, shifted / shifted.sum(axis=-1, keepdims=True), atol=1e-4):
        return (
            "출력이 로짓이 아니라 로짓의 소프트맥스 확률입니다 (마지막 Dense의 "
            'activation="softmax"를 빼세요).'
        )
    return None


MLP_CLASSIFIER = LayerSpec(
    name="MLPClassifier",
    reference=reference.MLPClassifier,
    cases=[
        Case(
            kwargs={"hidden_units": (8, 4), "num_classes": 3, "name": "mlp"},
            label='MLPClassifier(hidden_units=(8, 4), num_classes=3, name="mlp")',
            feeds=[Feed(_normal(5, 6))],
        ),
        Case(
            kwargs={"hidden_units": (16, 12, 5), "num_classes": 2},
            feeds=[Feed(_normal(7, 9))],
        ),
        Case(
            feeds=[Feed(_normal(3, 6))],
            requirements={
                "weights": (
                    "요구 사항 1: 기본값은 hidden_units=(32,), num_classes=10입니다 (생성자 "
                    "기본값을 그대로 두세요)."
                )
            },
        ),
    ],
    config=True,
    save=True,
    registered=True,
    output_hint=_softmax_hint,
    requirements={
        "construct": (
            "요구 사항 1: MLPClassifier(hidden_units=(32,), num_classes=10, **kwargs)로 만듭니다."
        ),
        "name": "요구 사항 1: name= 같은 키워드 인자는 super().__init__(**kwargs)에 넘깁니다.",
        "weights": (
            '요구 사항 2·3: hidden_units의 원소마다 편향 있는 Dense(units, activation="relu") '
            "은닉층을 하나씩, 마지막에 Dense(num_classes)를 둡니다 (입력 특성 수는 정해 두지 "
            "않습니다)."
        ),
        "output": (
            "요구 사항 2·3: 은닉층은 ReLU, 마지막 층은 활성화 없는 Dense(num_classes)이고 모델은 "
            "그 "
            "출력인 로짓을 그대로 돌려줍니다 (소프트맥스를 씌우지 않습니다)."
        ),
        "training": "요구 사항 3: 훈련할 때와 추론할 때 같은 로짓을 돌려줍니다.",
        "batch": "요구 사항 2: 배치 크기가 1이어도 같은 계산입니다.",
        "symbolic": "요구 사항 2: 출력 모양은 (batch_size, num_classes)입니다.",
        "compiled": "요구 사항 6: 컴파일된 함수 안에서도 같은 값을 냅니다.",
        "gradients": "요구 사항 6: 모든 가중치가 경사를 받습니다.",
        "fit": "요구 사항 6: 훈련 단계를 돌리면 모범 답안과 같이 손실이 줄고 가중치가 바뀝니다.",
        "config": (
            "요구 사항 4: get_config()에 hidden_units와 num_classes를 담아 from_config()로 같은 "
            "구조를 다시 만들 수 있게 합니다."
        ),
        "save": (
            "요구 사항 5: @keras.saving.register_keras_serializable()로 등록해(예: "
            'package="exercises") .keras 파일로 저장했다가 불러와도 예측이 같게 합니다.'
        ),
    },
)


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 7-1 MLPClassifier 모델", "MLPClassifier")
def check_mlp_classifier(model_class):
    """연습 7-1: `keras.Model`을 상속해 로짓을 내는 `MLPClassifier`를 채점합니다.

    `keras.Model`을 상속했는지 보고, 모범 답안(`reference.MLPClassifier`)과 같은 가중치로 맞춘 뒤
    구조가 다른 세 모델(기본값 포함)의 출력(로짓), 훈련 중의 출력, 컴파일된 함수, 경사, 훈련 단계,
    설정, 등록과 `.keras` 저장·불러오기(불러온 모델의 클래스 포함)를 비교합니다. 확인 항목은 모듈
    설명의 목록에 있습니다.

    Args:
        model_class: 독자가 만든 모델 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`. 노트북에서 출력하면 통과 여부와 고칠 점을 보여 줍니다.

    Example:

    >>> check_mlp_classifier(MLPClassifier)  # doctest: +SKIP
    ✅ 연습 7-1 MLPClassifier 모델: 통과했습니다 (...개 항목 확인).
    """
    require_class(model_class, "model_class")
    checker = Checker("연습 7-1 MLPClassifier 모델")
    with checker:
        checker.require(
            issubclass(model_class, keras.Model),
            f"keras.Model을 상속해야 하는데 {model_class.__name__}의 부모 클래스는 "
            f"{[base.__name__ for base in model_class.__mro__[1:]]}입니다.",
        )
        grade_layer(checker, model_class, MLP_CLASSIFIER)
        if checker.failures:
            return checker.report()
        name = keras.saving.get_registered_name(model_class)
        registered = keras.saving.get_registered_object(name) is model_class and ">" in name
        requirement = MLP_CLASSIFIER.requirement("save")
        if checker.expect(
            registered,
            f"클래스가 직렬화 등록부에 등록되지 않았습니다 (등록 이름 {name!r}).\n    → "
            f"{requirement}",
        ):
            loaded = checker.call(
                "저장했다 불러온 모델의 클래스 확인", _reloaded_class, model_class
            )
            checker.expect(
                loaded is model_class,
                f"불러온 모델이 {model_class.__name__}이어야 하는데 {loaded.__name__}입니다.\n"
                f"    → {requirement}",
            )
    return checker.report()


def _reloaded_class(model_class):
    import os
    import tempfile

    model = model_class(hidden_units=(4,), num_classes=2)
    model(np.zeros((1, 3), "float32"))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        return type(keras.saving.load_model(path, compile=False))


DENSE_RESIDUAL_BLOCK = LayerSpec(
    name="DenseResidualBlock",
    reference=reference.DenseResidualBlock,
    cases=[
        Case(args=(4,), kwargs={"name": "block"}, feeds=[Feed(_normal(5, 4))]),
        Case(args=(6,), feeds=[Feed(_normal(2, 6, 4))]),
    ],
    compiled_cases=(0, 1),
    config=True,
    requirements={
        "construct": "요구 사항 1: DenseResidualBlock(units, **kwargs)로 만듭니다.",
        "name": "요구 사항 1: name= 같은 키워드 인자는 기반 클래스에 넘깁니다.",
        "build": "요구 사항 3: 투영 층은 build()에서 입력 모양을 보고 필요할 때만 만듭니다.",
        "weights": (
            "요구 사항 2·3: 주 경로는 편향 있는 Dense 둘, 지름길은 입력의 마지막 축 크기가 units와 "
            "다를 때만 편향 없는 Dense(units, use_bias=False) 투영입니다 (가중치 4개 또는 5개)."
        ),
        "output": (
            "요구 사항 2·3·4: 출력은 relu(Dense(units)(Dense(units, relu)(x)) + 지름길)입니다 "
            "(지름길은 입력 그대로 또는 투영한 입력, ReLU는 두 경로를 더한 뒤)."
        ),
        "batch": (
            "요구 사항 3: 입력은 (배치, 특성)이든 (배치, 시간, 특성)이든, 배치 크기 1도 됩니다."
        ),
        "symbolic": "요구 사항 3: 출력 모양은 (..., units)입니다.",
        "compiled": "요구 사항 6: 컴파일된 함수 안에서도 같은 값을 냅니다.",
        "gradients": "요구 사항 6: 모든 가중치가 경사를 받습니다.",
        "fit": "요구 사항 6: 모델 안에서 훈련 단계로 모범 답안처럼 훈련됩니다.",
        "config": "요구 사항 5: get_config()에 units를 담습니다.",
    },
)


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 7-2 DenseResidualBlock 층", "DenseResidualBlock")
def check_dense_residual_block(layer_class):
    """연습 7-2: 완전 연결 잔차 블록 `DenseResidualBlock`을 채점합니다.

    모범 답안(`reference.DenseResidualBlock`)과 가중치 구조(폭이 같으면 4개, 다르면 투영까지
    5개)를 비교하고, 같은 가중치로 맞춘 뒤 (모양이 같은 가중치는 모범 답안의 출력을 되살리는
    배정으로) 2·3차원 입력의 출력, 컴파일된 함수, 경사, 훈련 단계, 설정을 비교합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_dense_residual_block(DenseResidualBlock)  # doctest: +SKIP
    ✅ 연습 7-2 DenseResidualBlock 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 7-2 DenseResidualBlock 층")
    with checker:
        grade_layer(checker, layer_class, DENSE_RESIDUAL_BLOCK)
    return checker.report()
