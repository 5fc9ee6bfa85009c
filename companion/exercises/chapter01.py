"""1장 연습 문제 채점기: 가중치를 가진 층과 상태를 가진 층.

Both exercises are graded by the probe battery (`probes.py`) against the model answers in
`reference/chapter01.py`; this module says what differs: constructor arguments, inputs, and the
task's requirement for each probe.

Requirement → check (each line of the exercise text in book/01_layer_basics.ipynb):

연습 1-1 `Scale`

| requirement | check |
|---|---|
| 1. `Scale()`, `**kwargs` to the base class | `construct`, `name` (`Scale(name=...)`.name) |
| 2. `scale` made with `add_weight()` | `weights`: attribute `scale` is one of `layer.weights` |
| 3. shape `()`, trainable, initial value 1 | `weights` (same as the reference's), `initial` |
| 4. `inputs * scale`, any feature count and rank | `output`/`batch`: (2, 3), (4, 2, 5), batch 1 |
| 4. any rank also symbolically | `symbolic`: unknown batch size |
| 5. same value in a compiled function | `compiled` (`tf.function`, `jax.jit`, guarded trace) |
| 5. gradient reaches `scale` | `gradients` (inputs and `scale`), `fit` (three Adam steps) |

연습 1-2 `RunningMean`

| requirement | check |
|---|---|
| 1. `RunningMean(input_dim)`, `**kwargs` | `construct` with 3 and 5, `name` |
| 2. mean of every row seen so far | `output`/`batch`: batches of 2, 3, 1 rows one after another |
| 2. rows, not batches, are averaged | the same sequence (batch sizes differ) |
| 3. state in non-trainable weights | `state`: at least one non-trainable weight, no trainable one |
| 3. updated in a compiled function | `compiled`: the same sequence through one compiled function |
| 3. a value, not the state variable | `alias`: no returned value is a state variable |
| 4. instances do not share state | `instances`: a fresh layer after another one was called |
"""

from companion.exercises.checker import Checker, exercise, nontrivial_inputs, require_class
from companion.exercises.probes import Case, Feed, LayerSpec, grade_layer
from companion.exercises.reference import chapter01 as reference
from companion.settings import SEED

_X23 = nontrivial_inputs((2, 3), SEED)
_X425 = nontrivial_inputs((4, 2, 5), SEED + 1)

SCALE = LayerSpec(
    name="Scale",
    reference=reference.Scale,
    cases=[Case(feeds=[Feed(_X23), Feed(_X425)])],
    weight_attributes=("scale",),
    requirements={
        "construct": "요구 사항 1: Scale()처럼 인자 없이 만들 수 있어야 합니다.",
        "name": "요구 사항 1: name= 같은 키워드 인자는 **kwargs로 받아 기반 클래스에 넘깁니다.",
        "weights": (
            "요구 사항 2·3: 속성 scale은 add_weight()로 만든 모양 ()의 훈련 가능 가중치 하나입니다 "
            "(tf.Variable이나 파이썬 수는 Keras 3이 추적하지 않습니다)."
        ),
        "build": "요구 사항 2·3: 가중치는 scale 하나입니다.",
        "initial": "요구 사항 3: scale의 초깃값은 1입니다 (initializer='ones').",
        "output": "요구 사항 4: call()은 inputs * scale을 돌려줍니다.",
        "batch": "요구 사항 4: 배치 크기와 차원 수에 상관없이 inputs * scale입니다.",
        "symbolic": "요구 사항 4: 어떤 입력이든 받습니다 (모르는 배치 크기 None 포함).",
        "compiled": (
            "요구 사항 5: 컴파일된 함수 안에서도 같은 값을 냅니다. call()에서 가중치를 NumPy "
            "값으로 바꾸지 마세요."
        ),
        "gradients": (
            "요구 사항 5: 경사가 scale까지 닿아야 합니다 (NumPy 변환이나 stop_gradient 없이)."
        ),
        "fit": "요구 사항 5: fit()으로 훈련하면 scale이 모범 답안처럼 배워야 합니다.",
    },
)


@exercise("연습 1-1 Scale 층", "Scale")
def check_scale_layer(layer_class):
    """연습 1-1: 훈련 가능한 스칼라 가중치 `scale` 하나로 입력을 곱하는 `Scale` 층을 채점합니다.

    모범 답안(`reference.Scale`)과 같은 가중치로 맞춘 뒤 탐침 묶음(`probes.grade_layer`)으로
    비교합니다: 가중치의 구조와 초깃값, 여러 모양과 배치 크기 1의 출력, 심볼릭 호출, 컴파일된
    함수, 경사, `fit()`, 설정과 `.keras` 저장. 요구 사항과 탐침의 대응은 모듈 설명의 표에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`. 노트북에서 출력하면 통과 여부와 고칠 점을 보여 줍니다.

    Example:

    >>> check_scale_layer(Scale)  # doctest: +SKIP
    ✅ 연습 1-1 Scale 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 1-1 Scale 층")
    with checker:
        grade_layer(checker, layer_class, SCALE)
    return checker.report()


_BATCHES = [
    Feed(nontrivial_inputs((2, 3), SEED + 2)),
    Feed(nontrivial_inputs((3, 3), SEED + 3)),
    Feed(nontrivial_inputs((1, 3), SEED + 4)),
]
_WIDE = [Feed(nontrivial_inputs((n, 5), SEED + n)) for n in (4, 2, 3)]

RUNNING_MEAN = LayerSpec(
    name="RunningMean",
    reference=reference.RunningMean,
    cases=[Case(args=(3,), feeds=_BATCHES), Case(args=(5,), feeds=_WIDE)],
    fit=False,
    requirements={
        "construct": "요구 사항 1: RunningMean(input_dim)으로 만듭니다.",
        "name": "요구 사항 1: name= 같은 키워드 인자는 기반 클래스에 넘깁니다.",
        "weights": "요구 사항 3: 훈련 가능 가중치는 없습니다 (상태는 trainable=False).",
        "output": (
            "요구 사항 2: 지금까지 본 모든 행의 평균(모양 (input_dim,))을 돌려줍니다. 배치마다 행 "
            "수가 달라도 행 하나하나를 같은 무게로 셉니다 (합과 행 수를 따로 쌓으세요)."
        ),
        "batch": "요구 사항 2: 행이 하나인 배치도 행 하나로 셉니다.",
        "state": (
            "요구 사항 3: 상태는 훈련 불가능 가중치(add_weight(..., trainable=False))에 두고 "
            "assign()이나 assign_add()로 갱신합니다."
        ),
        "alias": (
            "요구 사항 3: 상태 가중치 자체가 아니라 값을 돌려줍니다 (나중의 호출이 상태를 바꾸면 "
            "받은 출력도 바뀝니다)."
        ),
        "compiled": (
            "요구 사항 3: 같은 컴파일된 함수를 여러 번 불러도 평균이 이어집니다 (파이썬 속성에 둔 "
            "상태는 추적할 때 한 번만 바뀝니다)."
        ),
        "instances": "요구 사항 4: 층마다 상태가 따로이고, 새로 만든 층은 0에서 시작합니다.",
        "symbolic": "요구 사항 2: 출력 모양은 (input_dim,)입니다.",
    },
)


@exercise("연습 1-2 RunningMean 층", "RunningMean")
def check_running_mean(layer_class):
    """연습 1-2: 지금까지 본 모든 샘플의 평균을 상태로 기억하는 `RunningMean` 층을 채점합니다.

    모범 답안(`reference.RunningMean`)과 같은 배치를 차례로 넣어, 호출마다의 출력, 상태가 훈련
    불가능 가중치에 있는지, 출력이 상태 변수 자체가 아닌지, 층마다 상태가 따로인지, 같은 순서를
    컴파일된 함수 하나로 불러도 같은지 비교합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_running_mean(RunningMean)  # doctest: +SKIP
    ✅ 연습 1-2 RunningMean 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 1-2 RunningMean 층")
    with checker:
        grade_layer(checker, layer_class, RUNNING_MEAN)
    return checker.report()
