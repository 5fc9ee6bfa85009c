"""2장 연습 문제 채점기: `build()`로 미룬 가중치 생성과 하위 층 조합."""

import numpy as np

from companion.exercises._layer_calls import call_layer
from companion.exercises.checker import Checker, require_class
from companion.settings import SEED


def check_feature_affine(layer_class):
    """연습 2-1: 특성마다 `x * gamma + beta`를 계산하는 `FeatureAffine` 층을 채점합니다.

    기대하는 것: `layer_class()`로 만들 수 있고 (입력 크기를 인자로 받지 않습니다),
    `build(input_shape)`에서 모양 `(input_dim,)`의 훈련 가능 가중치 `gamma`(초깃값 1)와
    `beta`(초깃값 0)를 만들며, 호출하면 `inputs * gamma + beta`를 돌려줍니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_feature_affine(FeatureAffine)  # doctest: +SKIP
    ✅ 연습 2-1 FeatureAffine 층: 통과했습니다 (8개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 2-1 FeatureAffine 층")
    ok, layer = checker.run("FeatureAffine() 만들기", layer_class)
    if not ok:
        return checker.report()
    n_before = len(layer.weights)
    checker.expect(
        n_before == 0,
        f"첫 호출 전에는 가중치가 0개여야 하는데 {n_before}개입니다 "
        "(가중치는 __init__이 아니라 build()에서 입력 모양을 보고 만드세요).",
    )

    x = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, 4.0], [2.0, 1.0, -1.0]], dtype="float32")
    ok, y = checker.run("특성이 3개인 입력으로 호출", call_layer, layer, x)
    if not ok:
        return checker.report()
    checker.expect_close("초깃값(gamma=1, beta=0)에서 출력 (입력과 같아야 합니다)", x, y)
    checker.expect_equal("첫 호출 뒤 layer.built", True, layer.built)
    n_trainable = len(layer.trainable_weights)
    checker.expect(
        n_trainable == 2,
        f"훈련 가능 가중치는 gamma와 beta 2개여야 하는데 {n_trainable}개입니다.",
    )
    gamma, beta = getattr(layer, "gamma", None), getattr(layer, "beta", None)
    if gamma is None or beta is None:
        missing = ", ".join(n for n, v in (("gamma", gamma), ("beta", beta)) if v is None)
        checker.fail(f"층에 gamma와 beta 속성이 있어야 하는데 {missing}이(가) 없습니다.")
        return checker.report()
    shapes = (tuple(gamma.shape), tuple(beta.shape))
    checker.expect(
        shapes == ((3,), (3,)),
        "특성이 3개일 때 gamma와 beta의 모양은 (3,)이어야 하는데 "
        f"각각 {shapes[0]}, {shapes[1]}입니다.",
    )
    if shapes != ((3,), (3,)):
        return checker.report()

    g = np.array([1.0, 2.0, -3.0], dtype="float32")
    b = np.array([0.5, -1.0, 0.0], dtype="float32")
    ok, _ = checker.run("gamma와 beta에 값 대입", _assign, (gamma, g), (beta, b))
    if ok:
        ok, y = checker.run("값을 바꾼 뒤 호출", call_layer, layer, x)
        if ok:
            checker.expect_close("gamma와 beta를 바꾼 뒤 출력 (x * gamma + beta)", x * g + b, y)

    ok, other = checker.run("두 번째 FeatureAffine() 만들기", layer_class)
    if ok:
        wide = np.arange(10, dtype="float32").reshape(2, 5)
        ok, y = checker.run("새 층을 특성이 5개인 입력으로 호출", call_layer, other, wide)
        if ok:
            checker.expect_close("특성이 5개인 입력의 출력", wide, y)
            gamma_shape = tuple(getattr(getattr(other, "gamma", None), "shape", ()))
            checker.expect(
                gamma_shape == (5,),
                f"특성이 5개일 때 gamma의 모양은 (5,)여야 하는데 {gamma_shape}입니다.",
            )
    return checker.report()


def check_residual_block(layer_class):
    """연습 2-2: 두 하위 층과 잔차 연결로 된 `ResidualBlock` 층을 채점합니다.

    기대하는 것: `layer_class(hidden_units)`로 만들 수 있고, 입력 `x`에 대해
    `x + linear_2(relu(linear_1(x)))`를 돌려줍니다. `linear_1`은 출력이 `hidden_units`개,
    `linear_2`는 출력이 입력의 특성 수와 같은 (편향이 있는) 선형 층이므로, 출력 모양은
    입력 모양과 같고 가중치는 4개(커널 2개, 편향 2개)입니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_residual_block(ResidualBlock)  # doctest: +SKIP
    ✅ 연습 2-2 ResidualBlock 층: 통과했습니다 (6개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 2-2 ResidualBlock 층")
    ok, block = checker.run("ResidualBlock(8) 만들기", layer_class, 8)
    if not ok:
        return checker.report()
    x = np.random.default_rng(SEED).normal(size=(2, 5)).astype("float32")
    ok, y = checker.run("특성이 5개인 입력으로 호출", call_layer, block, x)
    if not ok:
        return checker.report()
    checker.expect_equal("출력 모양 (입력 모양과 같아야 합니다)", x.shape, tuple(y.shape))

    n_weights, n_trainable = len(block.weights), len(block.trainable_weights)
    checker.expect(
        n_weights == 4 and n_trainable == 4,
        "가중치는 훈련 가능한 4개(두 층의 커널과 편향)여야 하는데 "
        f"전체 {n_weights}개, 훈련 가능 {n_trainable}개입니다"
        + (
            " (하위 층을 call() 안에서 만들면 추적되지 않습니다. __init__이나 build()에서 "
            "self의 속성으로 만드세요)."
            if n_weights == 0
            else "."
        ),
    )
    by_shape = {tuple(v.shape): v for v in block.weights}
    wanted = [(5, 8), (8,), (8, 5), (5,)]
    shapes = sorted(tuple(v.shape) for v in block.weights)
    if not checker.expect(
        shapes == sorted(wanted),
        f"가중치 모양은 {sorted(wanted)}이어야 하는데 {shapes}입니다.",
    ):
        return checker.report()

    zeros = [(v, np.zeros(v.shape, dtype="float32")) for v in block.weights]
    ok, _ = checker.run("가중치를 모두 0으로 바꾸기", _assign, *zeros)
    if ok:
        ok, y = checker.run("가중치가 0일 때 호출", call_layer, block, x)
        if ok:
            what = "가중치가 모두 0일 때 출력 (잔차 연결만 남아 입력과 같아야 합니다)"
            checker.expect_close(what, x, y)

    rng = np.random.default_rng(SEED + 1)
    values = {shape: rng.normal(size=shape).astype("float32") for shape in wanted}
    ok, _ = checker.run("가중치에 값 대입", _assign, *((by_shape[s], values[s]) for s in wanted))
    if ok:
        ok, y = checker.run("값을 바꾼 뒤 호출", call_layer, block, x)
        if ok:
            w1, b1, w2, b2 = (values[s] for s in wanted)
            expected = x + np.maximum(x @ w1 + b1, 0.0) @ w2 + b2
            checker.expect_close("x + linear_2(relu(linear_1(x)))의 값", expected, y, atol=1e-4)

    ok, other = checker.run("ResidualBlock(4) 만들기", layer_class, 4)
    if ok:
        wide = np.ones((3, 7), dtype="float32")
        ok, y = checker.run("새 블록을 특성이 7개인 입력으로 호출", call_layer, other, wide)
        if ok:
            checker.expect_equal("특성이 7개인 입력의 출력 모양", (3, 7), tuple(y.shape))
    return checker.report()


def _assign(*pairs):
    for variable, value in pairs:
        variable.assign(value)
