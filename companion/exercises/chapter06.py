"""6장 연습 문제 채점기: `InputSpec`과 `compute_output_shape()`, 혼합 정밀도, 가중치에 둔 상태.

All three exercises are graded by the probe battery (`probes.py`) against the model answers in
`reference/chapter06.py`; this module says what differs, and checks what behaviour cannot show:
the `InputSpec` itself and the message with which Keras rejects a wrong rank.

연습 6-1 `TimeSummary` (요구 사항 → 확인):

- `[평균, 최댓값]`을 이어 붙인 `(batch, 2 * features)` → `output`/`batch`: `(2, 5, 3)`,
  `(4, 2, 6)`.
- `__init__`에서 `InputSpec(ndim=3)`, 3차원이 아닌 입력은 Keras가 거절 → 호출 전의 `input_spec`,
  `bad_inputs`: 2·4차원 입력의 `ValueError`와 그 메시지의 "expected ndim=3".
- `compute_output_shape()`, 모르는 차원은 `None` → `symbolic`: `(None, None, 5)`, `(7, 3, 2)`,
  `(None, 4, None)`, 배치 크기를 아는 심볼릭 입력, `keras.Input((None, 3))`처럼 시간 축도 모르는
  입력.
- `**kwargs` → `name`.
- 함수형 모델·컴파일된 함수 → `compiled`.

연습 6-2 `RMSNorm` (요구 사항 → 확인):

- `RMSNorm(epsilon=1e-6, **kwargs)` → `construct`, `name`; `epsilon=0.1`인 경우.
- `build()`에서 `(features,)`의 훈련 가능 `scale`, 초깃값 1, 마지막 차원 → `build`, `weights`
  (속성 `scale`), `initial`, `(3, 6)`과 `(2, 4, 6)` 입력.
- `x / sqrt(mean(x², 마지막 축) + epsilon) * scale` → `output` (`scale`을 모범 답안의 값으로),
  작은 입력(0.1)과 `epsilon=0.1`.
- `mixed_float16`(과 `mixed_bfloat16`): `scale`은 float32, 출력은 연산 자료형, 제곱의 평균은
  float32로 → `policy`: 크기가 수백~수천인 입력에서 변수·출력 자료형과 값.
- `get_config()`에 `epsilon` → `config`; 경사와 훈련 → `gradients`, `fit`.

연습 6-3 `MinMaxScaler` (요구 사항 → 확인):

- `build()`에서 `(features,)`의 훈련 불가능 `minimum`, `maximum` → `weights`(`state="same"`):
  속성, 모양, 훈련 불가능; 특성 3개와 5개.
- `adapt(data)`: 특성마다 최솟값·최댓값을 `assign()`, 빌드되지 않았을 때만 `build()` → `state`:
  `adapt()` 뒤의 두 가중치 값; 모델에 넣어 먼저 빌드한 층에 `adapt()`한 경우.
- `(x - minimum) / (maximum - minimum)` → `output` (범위 밖 값이 섞인 입력).
- 범위가 `keras.config.epsilon()`보다 작아지지 않음 → 값이 모두 같은 특성이 있는 데이터.
- `**kwargs` → `name`; `.keras` 저장 → `save` (함수형 모델의 예측).
"""

import keras
import numpy as np

from companion.exercises.checker import (
    Checker,
    exercise,
    first_line,
    original_exception,
    quiet_tensorflow_logs,
    require_class,
)
from companion.exercises.probes import Case, Feed, LayerSpec, grade_layer
from companion.exercises.reference import chapter06 as reference
from companion.settings import SEED

_RNG = np.random.default_rng(SEED)


def _normal(*shape):
    return _RNG.normal(size=shape).astype("float32")


TIME_SUMMARY = LayerSpec(
    name="TimeSummary",
    reference=reference.TimeSummary,
    cases=[
        Case(
            kwargs={"name": "time_summary"},
            feeds=[Feed(_normal(2, 5, 3))],
            symbolic_shapes=((None, None, 3),),
        ),
        Case(feeds=[Feed(_normal(4, 2, 6))]),
    ],
    bad_feeds=(Feed(np.ones((2, 3), "float32")), Feed(np.ones((2, 5, 3, 1), "float32"))),
    output_shapes=((None, None, 5), (7, 3, 2), (None, 4, None)),
    requirements={
        "construct": "요구 사항: TimeSummary(**kwargs)로 만듭니다.",
        "name": "요구 사항: **kwargs는 super().__init__(**kwargs)에 넘깁니다.",
        "output": (
            "요구 사항: 특성마다 시간 축(축 1)의 평균과 최댓값을 구해 [평균, 최댓값] 순서로 마지막 "
            "축에 이어 붙인 (batch_size, 2 * features)를 돌려줍니다."
        ),
        "batch": "요구 사항: 배치 크기가 1이어도 (1, 2 * features)입니다.",
        "symbolic": (
            "요구 사항: compute_output_shape(input_shape)는 (batch_size, 2 * features)를 돌려주고, "
            "모르는 차원은 None으로 둡니다 (알려진 배치 크기는 그대로)."
        ),
        "bad_inputs": (
            "요구 사항: __init__에서 self.input_spec = keras.layers.InputSpec(ndim=3)을 두어, "
            "3차원이 아닌 입력은 Keras가 거절하게 합니다 (직접 검사하는 코드는 쓰지 않습니다)."
        ),
        "compiled": "요구 사항: 함수형 모델과 컴파일된 함수 안에서도 같은 값을 냅니다.",
    },
)


@exercise("연습 6-1 TimeSummary 층", "TimeSummary")
def check_time_summary(layer_class):
    """연습 6-1: `InputSpec`과 `compute_output_shape()`를 갖춘 `TimeSummary` 층을 채점합니다.

    모범 답안(`reference.TimeSummary`)과 출력, 심볼릭 입력과 `compute_output_shape()`의 모양(모르는
    차원, 알려진 배치 크기), 컴파일된 함수, 3차원이 아닌 입력의 거절을 비교하고, 호출 전의
    `input_spec`이 `InputSpec(ndim=3)`인지, 거절하는 메시지가 Keras의 "expected ndim=3"인지 봅니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_time_summary(TimeSummary)  # doctest: +SKIP
    ✅ 연습 6-1 TimeSummary 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 6-1 TimeSummary 층")
    requirement = TIME_SUMMARY.requirement("bad_inputs")
    with checker:
        ok, layer = checker.run('TimeSummary(name="time_summary") 만들기', layer_class)
        if ok:
            spec = layer.input_spec
            specs = spec if isinstance(spec, (list, tuple)) else [spec]
            if checker.expect(
                len(specs) == 1 and isinstance(specs[0], keras.layers.InputSpec),
                f"호출 전의 input_spec이 InputSpec(ndim=3)이어야 하는데 {spec!r}입니다.\n"
                f"    → {requirement}",
            ):
                checker.expect(
                    specs[0].ndim == 3,
                    f"InputSpec의 ndim이 3이어야 하는데 ndim={specs[0].ndim}, "
                    f"min_ndim={specs[0].min_ndim}, max_ndim={specs[0].max_ndim}입니다.\n"
                    f"    → {requirement}",
                )
        for shape in ((2, 3), (2, 5, 3, 1)):
            message = _rejection(layer_class, shape)
            checker.expect(
                message is None or "expected ndim=3" in message,
                f"{len(shape)}차원 입력 {shape}을 거절하는 메시지에 Keras의 InputSpec이 쓰는 "
                f"'expected ndim=3'이 없습니다 (받은 메시지: {message!r}).\n    → {requirement}",
            )
        grade_layer(checker, layer_class, TIME_SUMMARY)
    return checker.report()


def _rejection(layer_class, shape):
    """`shape` 입력을 거절한 ValueError의 첫 줄 (거절하지 않았거나 다른 예외면 `None`)."""
    try:
        layer_class()(np.ones(shape, "float32"))
    except ValueError as error:
        # Keras가 call()의 예외를 감싸면 첫 줄은 "Exception encountered when calling ..."이라서
        # 독자의 메시지를 보이려면 감싸기 전의 예외를 읽습니다.
        return first_line(original_exception(error))
    except Exception:  # 다른 예외는 탐침 묶음(bad_inputs)이 보고합니다.
        return None
    return None


RMS_NORM = LayerSpec(
    name="RMSNorm",
    reference=reference.RMSNorm,
    cases=[
        Case(kwargs={"name": "rms_norm"}, feeds=[Feed(_normal(3, 6))]),
        Case(feeds=[Feed(_normal(2, 4, 6))]),
        Case(
            kwargs={"epsilon": 0.1, "name": "eps"},
            feeds=[Feed(np.full((2, 4), 0.1, "float32"))],
            requirements={
                "output": "요구 사항: epsilon은 제곱근 안에 더합니다: sqrt(mean(x²) + epsilon)."
            },
        ),
    ],
    weight_attributes=("scale",),
    policies=(("mixed_float16", 1e-2), ("mixed_bfloat16", 3e-2)),
    policy_feed=Feed(
        (_RNG.uniform(-1.0, 1.0, size=(4, 8)) * np.array([[300.0], [1000.0], [3.0], [0.01]]))
        .astype("float16")
        .astype("float32")
    ),
    config=True,
    requirements={
        "construct": "요구 사항: RMSNorm(epsilon=1e-6, **kwargs)로 만듭니다.",
        "name": "요구 사항: name= 같은 키워드 인자는 기반 클래스에 넘깁니다.",
        "build": "요구 사항: scale은 build()에서 입력의 마지막 차원을 보고 만듭니다.",
        "weights": (
            "요구 사항: build()에서 (features,) 모양의 훈련 가능 가중치 scale 하나를 만듭니다 "
            "(features는 입력의 마지막 차원)."
        ),
        "initial": '요구 사항: scale은 initializer="ones"로 만듭니다.',
        "output": (
            "요구 사항: call()은 x / sqrt(mean(x², 마지막 축) + epsilon) * scale을 돌려줍니다 "
            "(평균을 빼지 않습니다)."
        ),
        "batch": "요구 사항: 배치 크기가 1이어도 같은 계산입니다.",
        "symbolic": "요구 사항: 출력 모양은 입력 모양과 같습니다.",
        "compiled": "요구 사항: 컴파일된 함수 안에서도 같은 값을 냅니다.",
        "policy": (
            'dtype="mixed_float16"이어도 값이 맞아야 합니다: scale은 변수 자료형(float32)으로 두고 '
            "(add_weight()에 dtype을 주지 않습니다), 출력은 연산 자료형으로 돌려주되, 제곱의 "
            "평균은 float32로 계산하세요 (float16에서는 300²만 되어도 최댓값 65,504를 넘습니다)."
        ),
        "config": "요구 사항: get_config()에 epsilon이 담겨야 합니다.",
        "gradients": "요구 사항: scale이 경사를 받아야 합니다.",
        "fit": "요구 사항: fit()으로 훈련하면 scale이 모범 답안처럼 배웁니다.",
    },
)


@quiet_tensorflow_logs
@exercise("연습 6-2 RMSNorm 층", "RMSNorm")
def check_rms_norm(layer_class):
    """연습 6-2: 혼합 정밀도에서도 값이 맞는 `RMSNorm` 층을 채점합니다.

    모범 답안(`reference.RMSNorm`)과 같은 `scale`로 맞춘 뒤 2·3차원 입력의 출력, `epsilon`의 위치,
    `mixed_float16`·`mixed_bfloat16`에서 변수와 출력의 자료형과 큰 입력의 값, 경사, `fit()`,
    설정 왕복을 비교합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_rms_norm(RMSNorm)  # doctest: +SKIP
    ✅ 연습 6-2 RMSNorm 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 6-2 RMSNorm 층")
    with checker:
        grade_layer(checker, layer_class, RMS_NORM)
    return checker.report()


def _data(features, constant=None):
    data = _RNG.uniform(-4.0, 9.0, size=(64, features)).astype("float32")
    if constant is not None:
        data[:, constant] = 2.5
    return data


def _adapt(data):
    def prepare(layer):
        layer.adapt(data)

    return prepare


def _adapt_twice(first, second):
    def prepare(layer):
        layer.adapt(first)
        layer.adapt(second)

    return prepare


def _build_then_adapt(data):
    def prepare(layer):
        # 모델에 넣은 층처럼: Keras가 심볼릭 호출로 먼저 빌드한 층에 adapt()합니다.
        layer(keras.KerasTensor((None, data.shape[1])))
        layer.adapt(data)

    return prepare


def _inputs(features, constant=None):
    x = _RNG.uniform(-6.0, 11.0, size=(7, features)).astype("float32")
    if constant is not None:
        x[:2, constant] = 2.5
    return Feed(x)


MIN_MAX_SCALER = LayerSpec(
    name="MinMaxScaler",
    reference=reference.MinMaxScaler,
    cases=[
        Case(
            kwargs={"name": "scaler"},
            prepare=_adapt(_data(3)),
            label='MinMaxScaler(name="scaler") (특성 3개 데이터로 adapt())',
            feeds=[_inputs(3)],
        ),
        Case(prepare=_adapt(_data(5)), label="MinMaxScaler() (특성 5개)", feeds=[_inputs(5)]),
        Case(
            prepare=_build_then_adapt(_data(4)),
            label="모델에 넣어 빌드한 MinMaxScaler()에 adapt()",
            feeds=[_inputs(4)],
            requirements={
                "state": (
                    "요구 사항: 이미 빌드된 층의 adapt()는 build()가 만든 가중치에 값만 넣습니다 "
                    "(층이 빌드되지 않았을 때만 self.build(data.shape)를 부르세요)."
                ),
                "weights": (
                    "요구 사항: 이미 빌드된 층의 adapt()는 가중치를 새로 만들지 않습니다 (층이 "
                    "빌드되지 않았을 때만 self.build(data.shape)를 부르세요)."
                ),
            },
        ),
        Case(
            prepare=_adapt_twice(_data(3), 0.5 * _data(3)),
            label="두 번 adapt()한 MinMaxScaler() (두 번째 데이터의 범위가 더 좁음)",
            feeds=[_inputs(3)],
            requirements={
                "state": (
                    "요구 사항: adapt(data)는 그 data의 범위를 assign()합니다 (앞의 범위를 잊고)."
                )
            },
        ),
        Case(
            prepare=_adapt(_data(3, constant=1)),
            label="값이 모두 같은 특성이 있는 데이터로 adapt()한 MinMaxScaler()",
            feeds=[_inputs(3, constant=1)],
            requirements={
                "output": (
                    "요구 사항: 범위가 keras.config.epsilon()보다 작아지지 않게 하세요 "
                    "(ops.maximum(maximum - minimum, epsilon)): 값이 모두 같은 특성에서도 inf나 "
                    "NaN이 없고, 최솟값과 같은 입력은 0이 됩니다."
                )
            },
        ),
    ],
    weight_attributes=("minimum", "maximum"),
    state="same",
    save=True,
    requirements={
        "construct": "요구 사항: MinMaxScaler(**kwargs)로 만듭니다.",
        "name": "요구 사항: **kwargs는 super().__init__(**kwargs)에 넘깁니다.",
        "build": "요구 사항: minimum과 maximum은 build(input_shape)에서 만듭니다.",
        "weights": (
            "요구 사항: build(input_shape)에서 (features,) 모양의 훈련 불가능 가중치 minimum, "
            "maximum을 만듭니다 (NumPy 배열 속성에 두지 않습니다)."
        ),
        "state": (
            "요구 사항: adapt(data)는 2차원 배열 data의 특성마다(축 0) 최솟값과 최댓값을 구해 두 "
            "가중치에 assign()합니다."
        ),
        "output": "요구 사항: 호출하면 (x - minimum) / (maximum - minimum)을 돌려줍니다.",
        "batch": "요구 사항: 배치 크기가 1이어도 같은 계산입니다.",
        "symbolic": "요구 사항: 출력 모양은 입력 모양과 같습니다.",
        "compiled": "요구 사항: 함수형 모델과 컴파일된 함수 안에서도 같은 값을 냅니다.",
        "save": (
            "요구 사항: 층을 넣은 모델을 .keras 파일로 저장했다 불러와도 예측이 같아야 합니다 "
            "(범위가 "
            "가중치에 있으면 save_own_variables() 없이도 저장됩니다)."
        ),
    },
)


@quiet_tensorflow_logs
@exercise("연습 6-3 MinMaxScaler 층", "MinMaxScaler")
def check_min_max_scaler(layer_class):
    """연습 6-3: 범위를 훈련 불가능 가중치에 담아 저장하는 `MinMaxScaler` 층을 채점합니다.

    모범 답안(`reference.MinMaxScaler`)과 같은 데이터로 `adapt()`한 뒤 비교합니다: 가중치(속성
    `minimum`, `maximum`, 훈련 불가능)와 그 값, 출력, 모델에 넣어 먼저 빌드한 층의 `adapt()`, 값이
    모두 같은 특성, 컴파일된 함수, `.keras` 파일로 저장했다 불러온 모델의 예측.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_min_max_scaler(MinMaxScaler)  # doctest: +SKIP
    ✅ 연습 6-3 MinMaxScaler 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 6-3 MinMaxScaler 층")
    with checker:
        grade_layer(checker, layer_class, MIN_MAX_SCALER)
    return checker.report()
