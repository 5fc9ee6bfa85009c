"""2장 연습 문제 채점기: `build()`로 미룬 가중치 생성과 하위 층 조합.

Both exercises are graded by the probe battery (`probes.py`) against the model answers in
`reference/chapter02.py`; this module says what differs.

Requirement → check (each line of the exercise text in book/02_build_and_compose.ipynb):

연습 2-1 `FeatureAffine`

| requirement | check |
|---|---|
| 1. `FeatureAffine()`, `**kwargs` to the base class | `construct`, `name` |
| 2. weights made in `build()`; `built` after the first call | `build`: no weights before it |
| 3. `gamma` (1), `beta` (0), trainable, `(input_dim,)` | `weights` (attributes), `initial` |
| 3. `input_dim` is the LAST axis | the same on a `(4, 2, 5)` input |
| 4. `inputs * gamma + beta` with non-zero weights | `output`/`batch` with the reference's weights |
| 5. compiled function, gradients to both weights | `compiled`, `gradients`, `fit` |

연습 2-2 `ResidualBlock`

| requirement | check |
|---|---|
| 1. `ResidualBlock(hidden_units)`, `**kwargs` | `construct` with 8 and 4, `name` |
| 2. `linear_1`: `hidden_units` outputs and a bias | `weights`: shapes and count |
| 3. `linear_2`: as many outputs as input features | `weights` on `(2, 5)` and `(3, 2, 7)` |
| 4. `x + linear_2(relu(linear_1(x)))`, any rank | `output`/`batch`/`symbolic` |
| 5. sub-layers tracked, compiled, gradients to all four | `weights`, `compiled`, `gradients` |
"""

from companion.exercises.checker import Checker, exercise, nontrivial_inputs, require_class
from companion.exercises.probes import Case, Feed, LayerSpec, grade_layer
from companion.exercises.reference import chapter02 as reference
from companion.settings import SEED

FEATURE_AFFINE = LayerSpec(
    name="FeatureAffine",
    reference=reference.FeatureAffine,
    cases=[
        Case(feeds=[Feed(nontrivial_inputs((3, 3), SEED))]),
        Case(feeds=[Feed(nontrivial_inputs((4, 2, 5), SEED + 1))]),
    ],
    weight_attributes=("gamma", "beta"),
    requirements={
        "construct": "요구 사항 1: FeatureAffine()처럼 입력 크기 없이 만듭니다.",
        "name": "요구 사항 1: name= 같은 키워드 인자는 기반 클래스에 넘깁니다.",
        "build": (
            "요구 사항 2: 가중치는 __init__이 아니라 build(input_shape)에서 만듭니다 (첫 호출 "
            "전에는 가중치가 없고, 첫 호출 뒤에는 layer.built가 True)."
        ),
        "weights": (
            "요구 사항 3: gamma와 beta는 모양 (input_dim,)의 훈련 가능 가중치이고, input_dim은 "
            "입력의 마지막 차원입니다."
        ),
        "initial": "요구 사항 3: gamma의 초깃값은 1, beta의 초깃값은 0입니다.",
        "output": "요구 사항 4: call()은 inputs * gamma + beta를 돌려줍니다.",
        "batch": "요구 사항 4: 배치 크기가 1이어도 inputs * gamma + beta입니다.",
        "symbolic": "요구 사항 4: 출력 모양은 입력 모양과 같습니다 (배치 크기 None 포함).",
        "compiled": "요구 사항 5: 컴파일된 함수 안에서도 같은 값을 냅니다.",
        "gradients": "요구 사항 5: 두 가중치 모두 경사를 받아야 합니다.",
        "fit": "요구 사항 5: fit()으로 훈련하면 두 가중치가 모범 답안처럼 배워야 합니다.",
    },
)


@exercise("연습 2-1 FeatureAffine 층", "FeatureAffine")
def check_feature_affine(layer_class):
    """연습 2-1: 특성마다 `x * gamma + beta`를 계산하는 `FeatureAffine` 층을 채점합니다.

    모범 답안(`reference.FeatureAffine`)과 같은 가중치로 맞춘 뒤 탐침 묶음으로 비교합니다:
    `build()`에서 만든 `gamma`, `beta`의 모양과 초깃값, 특성이 3개인 입력과 `(4, 2, 5)` 입력의
    출력, 배치 크기 1, 컴파일된 함수, 경사, `fit()`.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_feature_affine(FeatureAffine)  # doctest: +SKIP
    ✅ 연습 2-1 FeatureAffine 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 2-1 FeatureAffine 층")
    with checker:
        grade_layer(checker, layer_class, FEATURE_AFFINE)
    return checker.report()


RESIDUAL_BLOCK = LayerSpec(
    name="ResidualBlock",
    reference=reference.ResidualBlock,
    cases=[
        Case(args=(8,), feeds=[Feed(nontrivial_inputs((2, 5), SEED))]),
        Case(args=(4,), feeds=[Feed(nontrivial_inputs((3, 2, 7), SEED + 1))]),
    ],
    requirements={
        "construct": "요구 사항 1: ResidualBlock(hidden_units)로 만듭니다.",
        "name": "요구 사항 1: name= 같은 키워드 인자는 기반 클래스에 넘깁니다.",
        "build": "요구 사항 3: linear_2의 크기는 입력을 봐야 정해지므로 build()에서 만듭니다.",
        "weights": (
            "요구 사항 2·3·5: 가중치는 훈련 가능한 4개입니다: linear_1의 커널 (features, "
            "hidden_units)과 편향 (hidden_units,), linear_2의 커널 (hidden_units, features)과 편향 "
            "(features,). 하위 층은 self의 속성으로 두어야 Keras가 추적합니다."
        ),
        "output": "요구 사항 4: 출력은 x + linear_2(relu(linear_1(x)))입니다.",
        "batch": "요구 사항 4: 배치 크기가 1이어도 x + linear_2(relu(linear_1(x)))입니다.",
        "symbolic": "요구 사항 4: 출력 모양은 입력 모양과 같습니다 (배치 크기 None 포함).",
        "compiled": "요구 사항 5: 컴파일된 함수 안에서도 같은 값을 냅니다.",
        "gradients": "요구 사항 5: 네 가중치 모두 경사를 받습니다.",
        "fit": "요구 사항 5: fit()으로 훈련하면 네 가중치가 모범 답안처럼 배워야 합니다.",
    },
)


@exercise("연습 2-2 ResidualBlock 층", "ResidualBlock")
def check_residual_block(layer_class):
    """연습 2-2: 두 하위 층과 잔차 연결로 된 `ResidualBlock` 층을 채점합니다.

    모범 답안(`reference.ResidualBlock`)과 가중치 구조(커널 2개, 편향 2개)가 같은지 보고, 같은
    가중치로 맞춘 뒤 `(2, 5)`와 `(3, 2, 7)` 입력의 출력, 배치 크기 1, 심볼릭 호출, 컴파일된 함수,
    경사, `fit()`을 비교합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_residual_block(ResidualBlock)  # doctest: +SKIP
    ✅ 연습 2-2 ResidualBlock 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 2-2 ResidualBlock 층")
    with checker:
        grade_layer(checker, layer_class, RESIDUAL_BLOCK)
    return checker.report()
