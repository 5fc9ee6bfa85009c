"""6장 연습 문제 채점기: `InputSpec`과 `compute_output_shape()`, 혼합 정밀도, 가중치에 둔 상태.

요구 사항과 그것을 확인하는 검사 (연습 문제에 적힌 요구 사항마다 검사가 하나 이상 있습니다).

연습 6-1 `TimeSummary` (요구 사항 → 검사, 6줄):

1. `**kwargs`를 기반 클래스에 넘김 → `name="time_summary"`로 만들어 이름 확인.
2. `__init__`에서 `input_spec = InputSpec(ndim=3)` → 호출 전 `input_spec`의 종류와 `ndim`.
3. 3차원이 아닌 입력은 Keras가 거절 → 2차원·4차원 입력의 `ValueError`에 "expected ndim=3".
4. 시간 축의 `[평균, 최댓값]`을 이어 붙인 `(batch, 2 * features)` → 음수가 섞인 무작위
   입력 두 개 (배치 크기와 특성 수가 다름)의 값.
5. `compute_output_shape()`: `(batch, 2 * features)`, 모르는 차원은 `None` →
   `(None, None, 5)`, `(7, 3, 2)`, `(None, 4, None)`.
6. 함수형 모델에서 쓸 수 있음 → `keras.Input((None, 3))`의 출력 모양과 `predict()`(컴파일된
   함수)의 값.

연습 6-2 `RMSNorm` (요구 사항 → 검사, 9줄):

1. `RMSNorm(epsilon=1e-6, **kwargs)` → 기본값, `epsilon=0.1`, `name=`으로 만들기.
2. `build()`에서 `(features,)` 모양의 훈련 가능 가중치 `scale`, 초깃값 1 → 가중치 개수,
   훈련 가능 여부, 초깃값, 2차원·3차원 입력에서의 모양.
3. `x / sqrt(mean(x², 마지막 축) + epsilon) * scale` → `scale`을 무작위 값으로 바꾼 뒤
   2차원·3차원 입력의 값.
4. `epsilon`이 제곱근 안에 들어감 → 작은 입력(0.1)과 `epsilon=0.1`의 값.
5. `mixed_float16`: `scale`은 float32 → 변수 자료형.
6. `mixed_float16`: 출력은 연산 자료형 float16 → 출력 자료형.
7. `mixed_float16`에서도 값이 맞음 (제곱의 평균은 float32로) → 크기가 수백~수천인 입력
   (float16에서 x²가 65,504를 넘음)의 값.
8. `mixed_bfloat16`에서도 자료형과 값이 맞음 → 변수·출력 자료형과 값.
9. 경사가 `scale`에 닿고 설정에 `epsilon`이 담김 → `fit()` 한 단계 뒤 `scale`이 바뀜,
   `from_config(get_config())`로 만든 층의 출력.

연습 6-3 `MinMaxScaler` (요구 사항 → 검사, 7줄):

1. `MinMaxScaler(**kwargs)` → `name="scaler"`로 만들어 이름 확인.
2. 범위는 훈련 불가능 가중치 `minimum`, `maximum` (NumPy 배열이 아니라) → 특성이 3개, 5개인
   데이터로 `adapt()`한 층의 `minimum`, `maximum`이 `non_trainable_weights`에 있고, 훈련 가능
   가중치는 없음.
3. `adapt(data)`가 특성마다(축 0) 최솟값·최댓값을 넣음 (빌드되지 않은 층은 먼저 빌드) → 두
   가중치의 모양과 값.
4. 호출하면 `(x - minimum) / (maximum - minimum)` → 범위 밖 값이 섞인 두 입력의 값.
5. 가중치는 `build()`에서 만들고, 이미 빌드된 층의 `adapt()`는 값만 바꿈 → `keras.Input((4,))`
   모델에 넣은 층의 가중치 모양, `adapt()` 뒤의 가중치 수와 모델 출력.
6. 범위가 `keras.config.epsilon()`보다 작아지지 않음 → 값이 모두 같은 특성이 있는 데이터에서
   출력에 inf·NaN이 없고, 그 특성의 최솟값은 0, 다른 특성은 그대로.
7. 층을 넣은 모델을 `.keras`로 저장했다 불러와도 예측이 같음 (상태가 가중치라서
   `save_own_variables()`가 필요 없음) → 함수형 모델의 `predict()`(컴파일된 함수)를 저장
   전후에 비교.
"""

import os
import tempfile

import keras
import numpy as np

from companion.exercises.checker import (
    Checker,
    describe_exception,
    exercise,
    original_exception,
    quiet_tensorflow_logs,
    require_class,
    short_array,
    trace_training_call,
)
from companion.settings import SEED


def _numpy(tensor):
    return np.asarray(keras.ops.convert_to_numpy(keras.ops.cast(tensor, "float32")))


def _error_of(fn):
    """`fn()`이 낸 예외(Keras가 감쌌다면 원래 예외)를 돌려줍니다. 예외가 없으면 `None`."""
    try:
        fn()
    except Exception as error:  # 독자 코드의 어떤 예외든 살펴봅니다.
        return original_exception(error)
    return None


def _shape_tuple(shape):
    return tuple(None if d is None else int(d) for d in shape)


# --- 연습 6-1 -------------------------------------------------------------------------------


def _time_summary(x):
    return np.concatenate([x.mean(axis=1), x.max(axis=1)], axis=-1)


@exercise("연습 6-1 TimeSummary 층", "TimeSummary")
def check_time_summary(layer_class):
    """연습 6-1: `InputSpec`과 `compute_output_shape()`를 갖춘 `TimeSummary` 층을 채점합니다.

    기대하는 것: `(batch, timesteps, features)` 입력의 시간 축을 따라 특성별 평균과 최댓값을
    `[평균, 최댓값]` 순서로 이어 붙여 `(batch, 2 * features)`를 돌려주고, `__init__`에서
    `InputSpec(ndim=3)`으로 입력의 차원 수를 밝히며, `compute_output_shape()`가 실제 출력과
    같은 모양(모르는 차원은 `None`)을 돌려줍니다. 요구 사항과 검사의 대응은 모듈 설명의 표에
    있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_time_summary(TimeSummary)  # doctest: +SKIP
    ✅ 연습 6-1 TimeSummary 층: 통과했습니다 (12개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 6-1 TimeSummary 층")
    with checker:
        _check_time_summary(checker, layer_class)
    return checker.report()


def _check_time_summary(checker, layer_class):
    layer = checker.call(
        'TimeSummary(name="time_summary") 만들기', layer_class, name="time_summary"
    )
    checker.expect_equal(
        "층 이름 (name= 인자를 super().__init__에 넘기나요?)", "time_summary", layer.name
    )

    spec = layer.input_spec
    specs = spec if isinstance(spec, (list, tuple)) else [spec]
    # 없는 InputSpec은 기록만 하고 계속합니다: 뒤의 검사가 무엇이 더 빠졌는지 알려 줍니다.
    if checker.expect(
        len(specs) == 1 and isinstance(specs[0], keras.layers.InputSpec),
        "__init__에서 self.input_spec = keras.layers.InputSpec(ndim=3)을 두어야 하는데 "
        f"input_spec이 {spec!r}입니다 (직접 쓴 차원 검사 대신 InputSpec에 맡기세요).",
    ):
        checker.expect(
            specs[0].ndim == 3,
            f"InputSpec의 ndim이 3이어야 하는데 ndim={specs[0].ndim}, "
            f"min_ndim={specs[0].min_ndim}, max_ndim={specs[0].max_ndim}입니다.",
        )

    rng = np.random.default_rng(SEED)
    for shape in ((2, 5, 3), (4, 2, 6)):
        x = rng.normal(size=shape).astype("float32")
        fresh = checker.call(f"새 층을 입력 {shape}로 호출", layer_class)
        y = checker.call(f"입력 {shape}로 호출", lambda f=fresh, v=x: _numpy(f(v)))
        expected = _time_summary(x)
        hint = ""
        if y.shape == expected.shape:
            swapped = np.concatenate([x.max(axis=1), x.mean(axis=1)], axis=-1)
            if np.allclose(y, swapped, atol=1e-5):
                hint = " (평균과 최댓값의 순서가 바뀌었습니다: [평균, 최댓값])"
        elif y.shape == (shape[0], 2 * shape[1]):
            hint = " (특성 축(2)이 아니라 시간 축(1)을 따라 줄이세요)"
        checker.require(
            y.shape == expected.shape and np.allclose(y, expected, atol=1e-5),
            f"입력 {shape}의 출력은 모양 {expected.shape}의 {short_array(expected)}이어야 하는데 "
            f"모양 {y.shape}의 {short_array(y)}입니다{hint}.",
        )

    for shape in ((2, 3), (2, 5, 3, 1)):
        error = _error_of(lambda s=shape: layer_class()(np.ones(s, "float32")))
        message = "" if error is None else str(error)
        if error is None:
            received = "예외 없이 통과했습니다."
        else:
            first_line = message.splitlines()[0] if message else ""
            received = f"다른 오류가 났습니다 ({type(error).__name__}: {first_line})."
        checker.expect(
            isinstance(error, ValueError) and "expected ndim=3" in message,
            f"{len(shape)}차원 입력 {shape}은 InputSpec이 'expected ndim=3'이라는 ValueError로 "
            f"거절해야 하는데 {received}",
        )

    for shape, expected in (
        ((None, None, 5), (None, 10)),
        ((7, 3, 2), (7, 4)),
        ((None, 4, None), (None, None)),
    ):
        result = checker.call(
            f"compute_output_shape({shape})", lambda s=shape: layer_class().compute_output_shape(s)
        )
        received = checker.call(
            f"compute_output_shape({shape})의 결과를 튜플로", _shape_tuple, result
        )
        checker.expect_equal(f"compute_output_shape({shape})", expected, received)

    x = rng.normal(size=(3, 7, 3)).astype("float32")
    symbolic, predicted = checker.call(
        "keras.Input((None, 3))으로 함수형 모델을 만들어 predict()", _functional, layer_class, x
    )
    checker.expect_equal("함수형 모델의 출력 모양", (None, 6), symbolic)
    checker.expect_close("함수형 모델의 predict() 출력", _time_summary(x), predicted)


@quiet_tensorflow_logs
def _functional(layer_class, x):
    inputs = keras.Input((None, x.shape[-1]))
    outputs = layer_class()(inputs)
    model = keras.Model(inputs, outputs)
    return _shape_tuple(outputs.shape), model.predict(x, verbose=0)


# --- 연습 6-2 -------------------------------------------------------------------------------


def _rms_norm(x, scale, epsilon):
    x = np.asarray(x, "float64")
    return x / np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + epsilon) * scale


@exercise("연습 6-2 RMSNorm 층", "RMSNorm")
def check_rms_norm(layer_class):
    """연습 6-2: 혼합 정밀도에서도 값이 맞는 `RMSNorm` 층을 채점합니다.

    기대하는 것: `RMSNorm(epsilon=1e-6, **kwargs)`이 `build()`에서 `(features,)` 모양의
    훈련 가능 가중치 `scale`(초깃값 1)을 만들고, `x / sqrt(mean(x², 마지막 축) + epsilon)
    * scale`을 돌려줍니다. `dtype="mixed_float16"`이면 `scale`은 float32, 출력은 float16이고,
    제곱의 평균은 float32로 계산해서 큰 입력에서도 값이 맞아야 합니다. 요구 사항과 검사의
    대응은 모듈 설명의 표에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_rms_norm(RMSNorm)  # doctest: +SKIP
    ✅ 연습 6-2 RMSNorm 층: 통과했습니다 (15개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 6-2 RMSNorm 층")
    with checker:
        _check_rms_norm(checker, layer_class)
    return checker.report()


def _check_rms_norm(checker, layer_class):
    rng = np.random.default_rng(SEED)
    layer = checker.call('RMSNorm(name="rms_norm") 만들기', layer_class, name="rms_norm")
    x = rng.normal(size=(3, 6)).astype("float32")
    checker.call("입력 (3, 6)으로 호출", layer, x)
    weights = layer.weights
    checker.require(
        len(weights) == 1 and len(layer.trainable_weights) == 1,
        "훈련 가능 가중치 scale 하나만 있어야 하는데 가중치가 "
        f"{[(w.path, tuple(w.shape), w.trainable) for w in weights]}입니다.",
    )
    checker.expect_close("scale의 초깃값 (ones)", np.ones(6), _numpy(layer.trainable_weights[0]))

    for shape in ((3, 6), (2, 4, 6)):
        x = rng.normal(size=shape).astype("float32")
        fresh = checker.call(
            f"새 층을 입력 {shape}에 맞춰 build()", lambda v=x: _built(layer_class, v)
        )
        weights = fresh.trainable_weights
        received = tuple(weights[0].shape) if len(weights) == 1 else None
        checker.require_equal(f"입력 {shape}에서 scale의 모양 (입력의 마지막 차원)", (6,), received)
        # 초깃값 1로는 scale을 곱하지 않는 실수가 드러나지 않으므로 무작위 값으로 바꿉니다.
        new_scale = rng.uniform(0.5, 2.0, size=6).astype("float32")
        weights[0].assign(new_scale)
        y = checker.call(f"입력 {shape}로 호출", lambda f=fresh, v=x: _numpy(f(v)))
        expected = _rms_norm(x, new_scale, 1e-6)
        hint = ""
        if y.shape == expected.shape:
            centered = x - x.mean(axis=-1, keepdims=True)
            if np.allclose(y, _rms_norm(x, 1.0, 1e-6), atol=1e-4):
                hint = " (scale을 곱하지 않은 값입니다)"
            elif np.allclose(y, _rms_norm(centered, new_scale, 1e-6), atol=1e-4):
                hint = " (평균을 빼면 LayerNormalization입니다: RMS는 x²의 평균만 씁니다)"
        checker.require(
            y.shape == expected.shape and np.allclose(y, expected, atol=1e-4),
            f"입력 {shape}의 출력이 {short_array(expected)}이어야 하는데 "
            f"{short_array(y)}입니다{hint}.",
        )

    small = np.full((2, 4), 0.1, "float32")
    tiny = checker.call(
        'RMSNorm(epsilon=0.1, name="eps") 만들기', layer_class, epsilon=0.1, name="eps"
    )
    y = checker.call("epsilon=0.1인 층을 작은 입력(0.1)으로 호출", lambda: _numpy(tiny(small)))
    expected = _rms_norm(small, 1.0, 0.1)
    hint = ""
    if np.allclose(y, 0.1 / (0.1 + 0.1), atol=1e-4):
        hint = " (epsilon을 제곱근 밖에서 더했습니다: sqrt(mean(x²) + epsilon))"
    elif np.allclose(y, 1.0, atol=1e-3):
        hint = " (epsilon 인자를 쓰지 않은 것 같습니다)"
    checker.expect(
        np.allclose(y, expected, atol=1e-4),
        f"epsilon=0.1, 입력 0.1의 출력은 {expected[0, 0]:.4f}이어야 하는데 "
        f"{short_array(y)}입니다{hint}.",
    )

    big = rng.uniform(-1.0, 1.0, size=(4, 8)) * np.array([[300.0], [1000.0], [3.0], [0.01]])
    big = big.astype("float16").astype("float32")
    for policy, output_dtype, rtol in (
        ("mixed_float16", "float16", 1e-2),
        ("mixed_bfloat16", "bfloat16", 3e-2),
    ):
        mixed = checker.call(
            f'RMSNorm(dtype="{policy}") 만들기', layer_class, dtype=policy, name="mixed"
        )
        output = checker.call(f"{policy} 층을 호출", mixed, big)
        mixed_weights = mixed.weights
        checker.expect(
            len(mixed_weights) == 1
            and keras.backend.standardize_dtype(mixed_weights[0].dtype) == "float32",
            f"{policy}에서 scale은 변수 자료형 float32여야 하는데 "
            f"{[keras.backend.standardize_dtype(w.dtype) for w in mixed_weights]}입니다 "
            "(add_weight()에 dtype을 주지 마세요).",
        )
        received_dtype = keras.backend.standardize_dtype(output.dtype)
        checker.expect_equal(
            f"{policy}에서 출력 자료형 (연산 자료형)", output_dtype, received_dtype
        )
        y = _numpy(output)
        expected = _rms_norm(big, 1.0, 1e-6)
        ok = np.all(np.isfinite(y)) and np.allclose(y, expected, rtol=rtol, atol=rtol)
        hint = ""
        if not np.all(np.isfinite(y)) or np.allclose(y[:2], 0.0, atol=1e-2):
            hint = (
                " (x²가 float16의 최댓값 65,504를 넘었습니다: 제곱의 평균은 "
                'ops.cast(inputs, "float32")로 바꿔 계산하고 결과를 연산 자료형으로 되돌리세요)'
            )
        checker.expect(
            ok,
            f"{policy}에서 크기가 수백~수천인 입력의 출력이 {short_array(expected)}에 가까워야 "
            f"하는데 {short_array(y)}입니다{hint}.",
        )

    before, after, losses = checker.call(
        "Sequential 모델에 넣어 fit() 한 단계", _fit_one_step, layer_class
    )
    checker.expect(
        np.all(np.isfinite(losses)) and not np.allclose(before, after),
        "fit() 한 단계 뒤 scale이 바뀌어야 하는데 그대로입니다 "
        "(scale을 trainable 가중치로 만들고 call()에서 keras.ops로 곱하나요?).",
    )

    clone = checker.call(
        "from_config(get_config())로 다시 만들기",
        lambda: layer_class.from_config(tiny.get_config()),
    )
    y = checker.call("다시 만든 층을 작은 입력으로 호출", lambda: _numpy(clone(small)))
    checker.expect(
        np.allclose(y, _rms_norm(small, 1.0, 0.1), atol=1e-4),
        f"from_config(get_config())로 만든 층이 epsilon=0.1을 잃었습니다: 출력 {short_array(y)} "
        "(get_config()에 epsilon을 넣으세요).",
    )


def _built(layer_class, x):
    layer = layer_class()
    layer.build(x.shape)
    return layer


@quiet_tensorflow_logs
def _fit_one_step(layer_class):
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(16, 5)).astype("float32")
    y = rng.normal(size=(16, 5)).astype("float32")
    layer = layer_class(name="rms_norm")
    model = keras.Sequential([keras.Input((5,)), layer])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    layer_weights = layer.trainable_weights
    before = _numpy(layer_weights[0]) if layer_weights else np.zeros(0)
    trace_training_call(model, x)
    history = model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    after = _numpy(layer_weights[0]) if layer_weights else np.zeros(0)
    return before, after, np.asarray(history.history["loss"])


# --- 연습 6-3 -------------------------------------------------------------------------------

#: 범위가 0인 특성(값이 모두 같은 특성)에서 0으로 나누지 않게 하는 가장 작은 범위.
_EPSILON = keras.config.epsilon()


def _min_max(x, minimum, maximum):
    scale = np.maximum(np.asarray(maximum, "float64") - minimum, _EPSILON)
    return (np.asarray(x, "float64") - minimum) / scale


@exercise("연습 6-3 MinMaxScaler 층", "MinMaxScaler")
def check_min_max_scaler(layer_class):
    """연습 6-3: 범위를 훈련 불가능 가중치에 담아 저장하는 `MinMaxScaler` 층을 채점합니다.

    기대하는 것: `build(input_shape)`가 `(features,)` 모양의 훈련 불가능 가중치 `minimum`,
    `maximum`을 만들고, `adapt(data)`가 (층이 아직 빌드되지 않았으면 먼저 빌드한 뒤) 특성마다(축 0)
    구한 최솟값과 최댓값을 `assign()`합니다. 호출하면 `(x - minimum) / (maximum - minimum)`을
    돌려주되 범위가 `keras.config.epsilon()`보다 작아지지 않게 해서, 값이 모두 같은 특성에서도
    inf나 NaN이 나오지 않습니다. 상태가 가중치이므로 층을 넣은 모델을 `.keras` 파일로 저장했다
    불러와도 예측이 같아야 합니다. 요구 사항과 검사의 대응은 모듈 설명의 표에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_min_max_scaler(MinMaxScaler)  # doctest: +SKIP
    ✅ 연습 6-3 MinMaxScaler 층: 통과했습니다 (13개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 6-3 MinMaxScaler 층")
    with checker:
        _check_min_max_scaler(checker, layer_class)
    return checker.report()


def _range_in_weights(checker, layer, what):
    """`minimum`과 `maximum`이 층의 훈련 불가능 가중치인지 확인합니다 (NumPy 배열이 아니라)."""
    state = {name: getattr(layer, name, None) for name in ("minimum", "maximum")}
    kinds = {name: type(value).__name__ for name, value in state.items()}
    weights = [w for w in layer.non_trainable_weights]
    tracked = all(any(value is w for w in weights) for value in state.values())
    trainable = [w.path for w in layer.trainable_weights]
    if trainable:
        return checker.fail(
            f"{what}: 훈련 가능 가중치가 없어야 하는데 {trainable}이(가) 있습니다 "
            "(범위는 add_weight(..., trainable=False)로 만들어야 옵티마이저가 건드리지 않습니다)."
        )
    return checker.expect(
        tracked,
        f"{what}: minimum과 maximum은 build()에서 add_weight(..., trainable=False)로 만든 "
        f"훈련 불가능 가중치여야 하는데 {kinds}입니다. NumPy 배열 같은 파이썬 속성은 "
        "save_own_variables()를 따로 쓰지 않으면 .keras 파일에 저장되지 않지만, 가중치는 저절로 "
        "저장됩니다. adapt()에서는 가중치를 새 값으로 바꾸지 말고 self.minimum.assign(...)으로 "
        "값을 넣으세요.",
    )


def _attempt(checker, what, hint, fn, *args):
    """`checker.run()`처럼 독자의 코드를 실행하되, 실패하면 이 연습에 맞는 `hint`를 붙입니다.

    Returns:
        `(성공 여부, 반환값)` 튜플.
    """
    try:
        return True, fn(*args)
    except Exception as error:  # 독자 코드의 어떤 예외든 보고서로 바꿉니다.
        checker.fail(f"{what} 중에 예외가 났습니다: {describe_exception(error)}{hint}")
        return False, None


def _check_min_max_scaler(checker, layer_class):
    rng = np.random.default_rng(SEED)
    layer = checker.call('MinMaxScaler(name="scaler") 만들기', layer_class, name="scaler")
    checker.expect_equal(
        "층 이름 (name= 인자를 super().__init__에 넘기나요?)", "scaler", layer.name
    )

    for features in (3, 5):
        data = rng.uniform(-4.0, 9.0, size=(64, features)).astype("float32")
        minimum, maximum = data.min(axis=0), data.max(axis=0)
        fresh = checker.call(
            f"빌드하지 않은 새 층에 특성 {features}개 데이터로 adapt()", _adapted, layer_class, data
        )
        if features == 3:  # 두 번 보고하지 않도록 한 번만
            _range_in_weights(checker, fresh, "adapt()한 층")
        stored = [_values_of(getattr(fresh, name, None)) for name in ("minimum", "maximum")]
        checker.require(
            all(np.shape(value) == (features,) for value in stored)
            and np.allclose(np.asarray(stored, "float64"), [minimum, maximum], atol=1e-6),
            f"adapt() 뒤 minimum과 maximum은 특성마다(축 0) 구한 {short_array(minimum)}, "
            f"{short_array(maximum)}이어야 하는데 {stored!r}입니다.",
        )
        x = rng.uniform(-6.0, 11.0, size=(7, features)).astype("float32")
        y = checker.call(f"특성 {features}개 입력으로 호출", lambda f=fresh, v=x: _numpy(f(v)))
        expected = _min_max(x, minimum, maximum)
        checker.require(
            y.shape == expected.shape and np.allclose(y, expected, atol=1e-5),
            f"출력은 (x - minimum) / (maximum - minimum) = {short_array(expected)}이어야 하는데 "
            f"{short_array(y)}입니다.",
        )

    # 모델에 먼저 넣어 Keras가 빌드한 층: 가중치는 build()에 있고, adapt()는 값만 바꿔야 합니다.
    data = rng.uniform(-4.0, 9.0, size=(64, 4)).astype("float32")
    ok, built_model = _attempt(
        checker,
        "층을 keras.Input((4,))의 함수형 모델에 넣기",
        " (모델에 넣으면 Keras가 build()를 부른 뒤 call()을 추적합니다: minimum과 maximum은 "
        "adapt()가 아니라 build()에서 만드세요)",
        _in_model,
        layer_class,
        4,
    )
    built, model = built_model if ok else (None, None)
    shapes = sorted(tuple(w.shape) for w in built.weights) if ok else None
    if ok and checker.expect(
        shapes == [(4,), (4,)],
        "모델에 넣어 빌드한 층에는 build()가 만든 (4,) 모양의 가중치 minimum, maximum이 있어야 "
        f"하는데 가중치 모양이 {shapes}입니다 (가중치는 adapt()가 아니라 build()에서 만드세요).",
    ):
        adapted, _ = _attempt(
            checker,
            "이미 빌드된 층에 adapt()",
            " (빌드된 층에는 가중치를 더 만들 수 없습니다: 층이 빌드되지 않았을 때만 build()를 "
            "부르세요: if not self.built)",
            built.adapt,
            data,
        )
        if adapted:
            count = len(built.weights)
            checker.expect(
                count == 2,
                f"이미 빌드된 층에 adapt()한 뒤 가중치가 2개여야 하는데 {count}개입니다 "
                "(층이 빌드되지 않았을 때만 build()를 부르세요: if not self.built).",
            )
            x = rng.uniform(-6.0, 11.0, size=(5, 4)).astype("float32")
            y = checker.call("adapt()한 뒤 모델을 호출", lambda: _numpy(model(x)))
            checker.expect_close(
                "이미 빌드된 층에 adapt()한 뒤 모델의 출력",
                _min_max(x, data.min(axis=0), data.max(axis=0)),
                y,
                hint=" (adapt()는 build()가 만든 가중치에 assign()으로 값을 넣어야 합니다)",
            )

    # 값이 모두 같은 특성(범위 0): 0으로 나누면 inf나 NaN이 됩니다.
    data = rng.uniform(-4.0, 9.0, size=(64, 3)).astype("float32")
    data[:, 1] = 2.5
    constant = checker.call(
        "가운데 특성의 값이 모두 2.5인 데이터로 adapt()", _adapted, layer_class, data
    )
    x = rng.uniform(-6.0, 11.0, size=(4, 3)).astype("float32")
    x[:2, 1] = 2.5
    y = checker.call("값이 모두 같던 특성이 있는 입력으로 호출", lambda: _numpy(constant(x)))
    expected = _min_max(x, data.min(axis=0), data.max(axis=0))
    if checker.expect(
        bool(np.all(np.isfinite(y))),
        "값이 모두 같은 특성(범위 0)에서도 inf나 NaN이 없어야 하는데 출력이 "
        f"{short_array(y)}입니다 (0으로 나누었습니다: 범위가 keras.config.epsilon()보다 작아지지 "
        "않게 ops.maximum(maximum - minimum, epsilon)으로 나누세요).",
    ):
        checker.expect(
            np.allclose(y[:, [0, 2]], expected[:, [0, 2]], atol=1e-5)
            and np.allclose(y[:2, 1], 0.0, atol=1e-6),
            "값이 모두 같은 특성이 있어도 다른 특성은 그대로, 그 특성의 최솟값(2.5)은 0이어야 "
            f"하는데 {short_array(y)}입니다 (기대: 다른 특성 {short_array(expected[:, [0, 2]])}, "
            "2.5의 출력 0).",
        )

    data = rng.uniform(-4.0, 9.0, size=(64, 3)).astype("float32")
    x = rng.uniform(-6.0, 11.0, size=(5, 3)).astype("float32")
    expected = _min_max(x, data.min(axis=0), data.max(axis=0))
    ok, predictions = _attempt(
        checker,
        "층을 넣은 함수형 모델을 .keras로 저장하고 불러와 predict()",
        " (불러온 층에 범위가 없는 것 같습니다: minimum과 maximum을 build()에서 훈련 불가능 "
        "가중치로 만들면 .keras 파일에 함께 저장되고 불러올 때 채워집니다)",
        _keras_round_trip,
        layer_class,
        data,
        x,
    )
    if ok:
        before, after = predictions
        checker.expect_close(".keras로 저장하기 전 모델의 predict()", expected, before)
        checker.expect_close(
            ".keras 파일에서 불러온 모델의 predict()",
            expected,
            after,
            hint=" (범위가 가중치에 있으면 save_own_variables() 없이도 저장됩니다)",
        )


def _values_of(value):
    """가중치든 배열이든 float64 NumPy 배열로 (없으면 `None`)."""
    if value is None:
        return None
    return np.asarray(keras.ops.convert_to_numpy(value), "float64")


def _adapted(layer_class, data):
    layer = layer_class()
    layer.adapt(data)
    return layer


def _in_model(layer_class, features):
    layer = layer_class()
    inputs = keras.Input((features,))
    return layer, keras.Model(inputs, layer(inputs))


@quiet_tensorflow_logs
def _keras_round_trip(layer_class, data, x):
    layer = layer_class()
    layer.adapt(data)
    inputs = keras.Input((data.shape[1],))
    model = keras.Model(inputs, layer(inputs))
    before = model.predict(x, verbose=0)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "scaler.keras")
        model.save(path)
        restored = keras.saving.load_model(path, custom_objects={layer_class.__name__: layer_class})
        after = restored.predict(x, verbose=0)
    return before, after
