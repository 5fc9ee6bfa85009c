"""1장 연습 문제 채점기: 가중치를 가진 층과 상태를 가진 층."""

import numpy as np

from companion.exercises._layer_calls import call_layer
from companion.exercises.checker import Checker, require_class

_X = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, 4.0]], dtype="float32")


def check_scale_layer(layer_class):
    """연습 1-1: 훈련 가능한 스칼라 가중치 `scale` 하나로 입력을 곱하는 `Scale` 층을 채점합니다.

    기대하는 것: `layer_class()`로 만들 수 있고, 속성 `scale`이 `add_weight()`로 만든
    모양 `()`의 훈련 가능 가중치이며 초깃값이 1이고, 호출하면 `inputs * scale`을 돌려줍니다.
    가중치가 스칼라이므로 특성 수가 다른 입력에도 그대로 쓸 수 있어야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`. 노트북에서 출력하면 통과 여부와 고칠 점을 보여 줍니다.

    Example:

    >>> check_scale_layer(Scale)  # doctest: +SKIP
    ✅ 연습 1-1 Scale 층: 통과했습니다 (6개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 1-1 Scale 층")
    ok, layer = checker.run("Scale() 만들기", layer_class)
    if not ok:
        return checker.report()
    ok, y = checker.run("층 호출", call_layer, layer, _X)
    if ok:
        checker.expect_close("scale이 1일 때 출력 (입력과 같아야 합니다)", _X, y)

    n_weights = len(layer.weights)
    checker.expect(
        n_weights == 1,
        f"layer.weights에는 가중치가 1개 있어야 하는데 {n_weights}개입니다"
        + (
            " (Keras 3는 tf.Variable 속성을 추적하지 않으니 self.add_weight()로 만드세요)."
            if n_weights == 0
            else "."
        ),
    )
    n_trainable = len(layer.trainable_weights)
    checker.expect(
        n_trainable == 1,
        f"훈련 가능 가중치는 1개여야 하는데 {n_trainable}개입니다 (trainable=True로 만드세요).",
    )
    scale = getattr(layer, "scale", None)
    if scale is None:
        checker.fail(
            "층에 scale 속성이 있어야 하는데 없습니다 (self.add_weight()로 만들어 담으세요)."
        )
        return checker.report()
    shape = tuple(getattr(scale, "shape", ()))
    checker.expect(shape == (), f"scale의 모양은 스칼라 ()여야 하는데 {shape}입니다.")
    if shape != ():
        return checker.report()

    ok, _ = checker.run("scale에 2.5 대입", scale.assign, 2.5)
    if not ok:
        return checker.report()
    ok, y = checker.run("scale을 2.5로 바꾼 뒤 호출", call_layer, layer, _X)
    if ok:
        checker.expect_close("scale이 2.5일 때 출력", 2.5 * _X, y)
    wide = np.arange(12, dtype="float32").reshape(2, 6)
    ok, y = checker.run("특성이 6개인 입력으로 호출", call_layer, layer, wide)
    if ok:
        checker.expect_close("특성이 6개인 입력의 출력", 2.5 * wide, y)
    return checker.report()


def check_running_mean(layer_class):
    """연습 1-2: 지금까지 본 모든 샘플의 평균을 상태로 기억하는 `RunningMean` 층을 채점합니다.

    기대하는 것: `layer_class(input_dim)`으로 만들 수 있고, 호출할 때마다 입력의 행(샘플)을
    누적해서 지금까지 본 모든 행의 평균 `(input_dim,)`을 돌려줍니다. 상태는 훈련 불가능
    가중치(`add_weight(..., trainable=False)`)에 담겨 있어야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_running_mean(RunningMean)  # doctest: +SKIP
    ✅ 연습 1-2 RunningMean 층: 통과했습니다 (6개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 1-2 RunningMean 층")
    ok, layer = checker.run("RunningMean(3) 만들기", layer_class, 3)
    if not ok:
        return checker.report()

    batches = [
        np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], dtype="float32"),
        np.array([[4.0, 0.0, 1.0], [7.0, 3.0, -2.0], [1.0, 6.0, 4.0]], dtype="float32"),
        np.array([[-1.0, 2.0, 5.0]], dtype="float32"),
    ]
    seen = []
    for i, batch in enumerate(batches, start=1):
        seen.append(batch)
        ok, y = checker.run(f"{i}번째 호출", call_layer, layer, batch)
        if not ok:
            return checker.report()
        expected = np.concatenate(seen).mean(axis=0)
        what = f"{i}번째 호출 뒤 출력 (지금까지 본 {sum(len(b) for b in seen)}개 행의 평균)"
        if not checker.expect_close(what, expected, y):
            break

    n_trainable = len(layer.trainable_weights)
    checker.expect(
        n_trainable == 0,
        f"훈련 가능 가중치는 0개여야 하는데 {n_trainable}개입니다 "
        "(상태는 trainable=False로 만들어야 옵티마이저가 건드리지 않습니다).",
    )
    n_state = len(layer.non_trainable_weights)
    # 상태를 훈련 가능 가중치로 만든 경우는 바로 위 문장이 이미 알려 줍니다.
    checker.expect(
        n_state >= 1 or n_trainable > 0,
        f"훈련 불가능 가중치가 1개 이상 있어야 하는데 {n_state}개입니다 "
        "(파이썬 숫자나 tf.Variable에 담은 상태는 추적되지 않아 모델과 함께 저장되지 않습니다).",
    )

    ok, fresh = checker.run("두 번째 RunningMean(3) 만들기", layer_class, 3)
    if ok:
        ok, y = checker.run("새 층의 첫 호출", call_layer, fresh, batches[1])
        if ok:
            checker.expect_close(
                "새로 만든 층의 첫 출력 (다른 층과 상태를 공유하면 안 됩니다)",
                batches[1].mean(axis=0),
                y,
            )
    return checker.report()
