"""2장 연습 문제 채점기: `build()`로 미룬 가중치 생성과 하위 층 조합.

Requirement → check (each line of the exercise text in book/02_build_and_compose.ipynb):

연습 2-1 `FeatureAffine` (10 requirements)

| requirement | check |
|---|---|
| `FeatureAffine()` without an input size | constructed without arguments |
| `name=` goes to the base class | `FeatureAffine(name=...)`.name |
| weights made in `build()`, not `__init__` | no weights before the first call; `built` after it |
| `gamma`, `beta` trainable, shape `(input_dim,)` | 2 trainable weights; attribute shapes `(3,)` |
| `input_dim` is the LAST axis | rank-3 input `(4, 2, 5)`: shapes `(5,)`, right values |
| initial `gamma=1`, `beta=0` | output equals the input before any change |
| `call()` returns `inputs * gamma + beta` | seeded non-zero weights; missing-beta/order hints |
| any feature count, any batch size | 3 features (batch 3) and 5 features (batch 4), new layer |
| works in a compiled function | same output inside `call_compiled` (`tf.function`, `jax.jit`) |
| both weights can be trained | non-zero gradient to `gamma` and `beta` |

연습 2-2 `ResidualBlock` (9 requirements)

| requirement | check |
|---|---|
| `ResidualBlock(hidden_units)` | constructed with 8 and with 4 |
| `name=` goes to the base class | `ResidualBlock(8, name=...)`.name |
| sub-layers tracked: 4 trainable weights | weight count (sub-layer made in `call()` hint) |
| `linear_1`: `hidden_units` + bias; `linear_2`: features + bias | `(5, 8), (8,), (8, 5), (5,)` |
| output `x + linear_2(relu(linear_1(x)))` | seeded non-zero weights; relu/residual hints |
| residual connection | all weights zero → output equals the input |
| output shape = input shape, any feature count | `(2, 5)` and rank-3 `(3, 2, 7)` inputs |
| works in a compiled function | same output inside `call_compiled` (`tf.function`, `jax.jit`) |
| every weight can be trained | non-zero gradient to all 4 weights |
"""

import keras
import numpy as np

from companion.exercises._layer_calls import call_layer
from companion.exercises.checker import (
    Checker,
    exercise,
    nontrivial_inputs,
    require_class,
    set_nontrivial_weights,
)
from companion.settings import SEED


@exercise("연습 2-1 FeatureAffine 층", "FeatureAffine")
def check_feature_affine(layer_class):
    """연습 2-1: 특성마다 `x * gamma + beta`를 계산하는 `FeatureAffine` 층을 채점합니다.

    기대하는 것: `layer_class()`로 만들 수 있고 (입력 크기를 인자로 받지 않고 `name=`은
    기반 클래스로), `build(input_shape)`에서 모양 `(input_dim,)`의 훈련 가능 가중치
    `gamma`(초깃값 1)와 `beta`(초깃값 0)를 만들며 (`input_dim`은 입력의 마지막 차원),
    호출하면 `inputs * gamma + beta`를 돌려줍니다. 컴파일된 함수(`tf.function`, `jax.jit`)
    안에서도 같은 값을 내고 두 가중치 모두 경사를 받아야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_feature_affine(FeatureAffine)  # doctest: +SKIP
    ✅ 연습 2-1 FeatureAffine 층: 통과했습니다 (12개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 2-1 FeatureAffine 층")
    x = nontrivial_inputs((3, 3), SEED)
    with checker:
        layer = checker.call("FeatureAffine() 만들기", layer_class)
        n_before = len(layer.weights)
        checker.expect(
            n_before == 0,
            f"첫 호출 전에는 가중치가 0개여야 하는데 {n_before}개입니다 "
            "(가중치는 __init__이 아니라 build()에서 입력 모양을 보고 만드세요).",
        )
        y = checker.call("특성이 3개인 입력으로 호출", call_layer, layer, x)
        checker.expect_equal("첫 호출 뒤 layer.built", True, layer.built)
        n_trainable = len(layer.trainable_weights)
        checker.require(
            n_trainable == 2,
            f"훈련 가능 가중치는 gamma와 beta 2개여야 하는데 {n_trainable}개입니다.",
        )
        gamma, beta = getattr(layer, "gamma", None), getattr(layer, "beta", None)
        missing = [n for n, v in (("gamma", gamma), ("beta", beta)) if v is None]
        checker.require(
            not missing,
            f"층에 gamma와 beta 속성이 있어야 하는데 {', '.join(missing)}이(가) 없습니다.",
        )
        shapes = (tuple(gamma.shape), tuple(beta.shape))
        checker.require(
            shapes == ((3,), (3,)),
            "특성이 3개일 때 gamma와 beta의 모양은 (3,)이어야 하는데 "
            f"각각 {shapes[0]}, {shapes[1]}입니다.",
        )
        checker.expect_close(
            "처음 만든 층의 출력 (gamma=1, beta=0이므로 입력과 같아야 합니다)",
            x,
            y,
            hint=" (gamma는 initializer='ones', beta는 initializer='zeros'로 만드세요)",
        )
        checker.stop()

        values = checker.call("gamma와 beta에 0이 아닌 값 넣기", _nontrivial, layer, gamma, beta)
        g, b = values
        y = checker.call("값을 바꾼 뒤 호출", call_layer, layer, x)
        checker.require_close(
            "gamma와 beta를 바꾼 뒤 출력 (x * gamma + beta)",
            x * g + b,
            y,
            hint=_affine_hint(x, g, b, y),
        )

        wide = nontrivial_inputs((4, 2, 5), SEED + 1)
        other = checker.call("두 번째 FeatureAffine() 만들기", layer_class)
        checker.call("모양이 (4, 2, 5)인 입력으로 호출", call_layer, other, wide)
        gamma_shape = tuple(getattr(getattr(other, "gamma", None), "shape", ()))
        checker.require(
            gamma_shape == (5,),
            f"모양이 (4, 2, 5)인 입력에서 gamma의 모양은 (5,)여야 하는데 {gamma_shape}입니다 "
            "(input_dim은 input_shape[1]이 아니라 마지막 차원 input_shape[-1]입니다).",
        )
        g5, b5 = checker.call(
            "새 층에 0이 아닌 값 넣기", _nontrivial, other, other.gamma, other.beta
        )
        y = checker.call("값을 바꾼 새 층 호출", call_layer, other, wide)
        checker.expect_close("모양이 (4, 2, 5)인 입력의 출력", wide * g5 + b5, y)
        checker.expect_compiled_matches("FeatureAffine", other, wide, wide * g5 + b5)
        checker.expect_gradients_reach("FeatureAffine", other, wide)
        checker.expect_name_kwarg("FeatureAffine", layer_class)
    return checker.report()


def _nontrivial(layer, gamma, beta):
    set_nontrivial_weights(layer, SEED)
    return _numpy(gamma), _numpy(beta)


def _numpy(variable):
    return np.asarray(keras.ops.convert_to_numpy(variable))


def _affine_hint(x, g, b, y):
    y = np.asarray(y)
    if y.shape != x.shape:
        return ""
    guesses = (
        (x * g, " (beta를 더하지 않은 것 같습니다)"),
        (x + b, " (gamma를 곱하지 않은 것 같습니다)"),
        ((x + b) * g, " (beta를 곱하기 전에 더했습니다: x * gamma + beta 순서입니다)"),
        (x * b + g, " (gamma와 beta가 바뀌었습니다)"),
    )
    return next((text for guess, text in guesses if np.allclose(y, guess, atol=1e-5)), "")


@exercise("연습 2-2 ResidualBlock 층", "ResidualBlock")
def check_residual_block(layer_class):
    """연습 2-2: 두 하위 층과 잔차 연결로 된 `ResidualBlock` 층을 채점합니다.

    기대하는 것: `layer_class(hidden_units)`로 만들 수 있고 (`name=`은 기반 클래스로),
    입력 `x`에 대해 `x + linear_2(relu(linear_1(x)))`를 돌려줍니다. `linear_1`은 출력이
    `hidden_units`개, `linear_2`는 출력이 입력의 특성 수와 같은 (편향이 있는) 선형 층이므로,
    출력 모양은 입력 모양과 같고 가중치는 4개(커널 2개, 편향 2개)입니다. 특성 수와 랭크가
    다른 입력, 컴파일된 함수(`tf.function`, `jax.jit`) 안의 호출, 네 가중치 모두의 경사를
    확인합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_residual_block(ResidualBlock)  # doctest: +SKIP
    ✅ 연습 2-2 ResidualBlock 층: 통과했습니다 (10개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 2-2 ResidualBlock 층")
    x = nontrivial_inputs((2, 5), SEED)
    with checker:
        block = checker.call("ResidualBlock(8) 만들기", layer_class, 8)
        y = checker.call("특성이 5개인 입력으로 호출", call_layer, block, x)
        checker.expect_equal("출력 모양 (입력 모양과 같아야 합니다)", x.shape, tuple(y.shape))
        n_weights, n_trainable = len(block.weights), len(block.trainable_weights)
        checker.require(
            n_weights == 4 and n_trainable == 4,
            "가중치는 훈련 가능한 4개(두 층의 커널과 편향)여야 하는데 "
            f"전체 {n_weights}개, 훈련 가능 {n_trainable}개입니다"
            + (
                " (하위 층을 call() 안에서 만들면 추적되지 않습니다. __init__이나 build()에서 "
                "self의 속성으로 만드세요)."
                if n_weights == 0
                else " (편향을 빼지 않았는지 확인하세요)."
                if n_weights < 4
                else "."
            ),
        )
        wanted = [(5, 8), (8,), (8, 5), (5,)]
        shapes = sorted(tuple(v.shape) for v in block.weights)
        checker.require(
            shapes == sorted(wanted),
            f"특성이 5개, hidden_units=8일 때 가중치 모양은 {sorted(wanted)}이어야 하는데 "
            f"{shapes}입니다.",
        )
        checker.stop()

        checker.call("가중치를 모두 0으로 바꾸기", _assign_zeros, block)
        y = checker.call("가중치가 0일 때 호출", call_layer, block, x)
        checker.expect_close(
            "가중치가 모두 0일 때 출력 (잔차 연결만 남아 입력과 같아야 합니다)",
            x,
            y,
            hint=" (출력에 입력 x를 더했나요?)",
        )

        params = checker.call("가중치에 0이 아닌 값 넣기", _nontrivial_by_shape, block, 5, 8)
        y = checker.call("값을 바꾼 뒤 호출", call_layer, block, x)
        checker.require_close(
            "x + linear_2(relu(linear_1(x)))의 값",
            _residual(x, *params),
            y,
            atol=1e-4,
            hint=_residual_hint(x, params, y),
        )

        x3 = nontrivial_inputs((3, 2, 7), SEED + 1)
        other = checker.call("ResidualBlock(4) 만들기", layer_class, 4)
        y = checker.call("새 블록을 모양이 (3, 2, 7)인 입력으로 호출", call_layer, other, x3)
        checker.require_equal("모양이 (3, 2, 7)인 입력의 출력 모양", (3, 2, 7), tuple(y.shape))
        params = checker.call("새 블록에 0이 아닌 값 넣기", _nontrivial_by_shape, other, 7, 4)
        expected = _residual(x3, *params)
        y = checker.call("값을 바꾼 새 블록 호출", call_layer, other, x3)
        checker.expect_close("모양이 (3, 2, 7)인 입력의 출력", expected, y, atol=1e-4)
        checker.expect_compiled_matches("ResidualBlock", other, x3, expected, atol=1e-4)
        checker.expect_gradients_reach("ResidualBlock", other, x3)
        checker.expect_name_kwarg("ResidualBlock", layer_class, 8)
    return checker.report()


def _assign_zeros(block):
    for variable in block.weights:
        variable.assign(np.zeros(variable.shape, dtype="float32"))


def _nontrivial_by_shape(block, features, hidden):
    """0이 아닌 값을 넣고 (w1, b1, w2, b2)를 모양으로 찾아 돌려줍니다 (features ≠ hidden)."""
    set_nontrivial_weights(block, SEED)
    by_shape = {tuple(v.shape): _numpy(v) for v in block.weights}
    return tuple(by_shape[s] for s in [(features, hidden), (hidden,), (hidden, features)]) + (
        by_shape[(features,)],
    )


def _residual(x, w1, b1, w2, b2):
    return x + np.maximum(x @ w1 + b1, 0.0) @ w2 + b2


def _residual_hint(x, params, y):
    w1, b1, w2, b2 = params
    y = np.asarray(y)
    if y.shape != x.shape:
        return ""
    guesses = (
        (x + (x @ w1 + b1) @ w2 + b2, " (linear_1 뒤에 relu를 적용하지 않은 것 같습니다)"),
        (np.maximum(x @ w1 + b1, 0.0) @ w2 + b2, " (입력 x를 더하는 잔차 연결이 빠졌습니다)"),
        (
            np.maximum(x + np.maximum(x @ w1 + b1, 0.0) @ w2 + b2, 0.0),
            " (잔차를 더한 뒤에 relu를 또 적용했습니다)",
        ),
        (x + np.maximum(x @ w1 + b1, 0.0) @ w2, " (linear_2의 편향을 더하지 않은 것 같습니다)"),
    )
    return next((text for guess, text in guesses if np.allclose(y, guess, atol=1e-4)), "")
