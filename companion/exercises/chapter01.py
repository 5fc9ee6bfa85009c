"""1장 연습 문제 채점기: 가중치를 가진 층과 상태를 가진 층.

Requirement → check (each line of the exercise text in book/01_layer_basics.ipynb):

연습 1-1 `Scale` (10 requirements)

| requirement | check |
|---|---|
| `Scale()` without arguments | `Scale()` is constructed |
| `name=` etc. go to the base class | `Scale(name=...)`.name |
| `scale` made with `add_weight()` (tracked) | 1 weight in `layer.weights`; `layer.scale` is it |
| shape `()` | `scale.shape == ()` |
| trainable | 1 trainable weight |
| initial value 1 | output equals the input before any change |
| `call()` returns `inputs * scale` | output with a seeded non-trivial scale, add/ignore hints |
| any feature count / rank | rank 2 (2, 3) and rank 3 (4, 2, 5) inputs, batch sizes 2 and 4 |
| works in a compiled function | same output inside `call_compiled` (see below) |
| `scale` can be trained | non-zero gradient reaches `scale` |

연습 1-2 `RunningMean` (8 requirements)

| requirement | check |
|---|---|
| `RunningMean(input_dim)` | constructed with 3 and with 5 (no hard-coded size) |
| `name=` goes to the base class | `RunningMean(3, name=...)`.name |
| mean of all rows seen so far | three calls with batch sizes 2, 3, 1: cumulative row mean |
| rows, not batches, are averaged | batch-mean and mean-of-batch-means hints |
| output shape `(input_dim,)` | shape of each output |
| state in non-trainable weights | ≥1 non-trainable weight, 0 trainable |
| instances do not share state | a fresh layer starts from zero |
| state updates in a compiled function | three calls of one `compile_once` continue the mean |

`call_compiled` is `tf.function` on TensorFlow, `jax.jit` on JAX, and on PyTorch (where Keras does
not compile) a guarded trace that rejects converting weight-derived tensors, then an eager call.
`compile_once` also reports a `call()` that changes a Python attribute, on every backend.
"""

import numpy as np

from companion.exercises._layer_calls import call_layer
from companion.exercises.checker import (
    Checker,
    compile_once,
    exercise,
    nontrivial_inputs,
    require_class,
    set_nontrivial_weights,
)
from companion.settings import SEED


@exercise("연습 1-1 Scale 층", "Scale")
def check_scale_layer(layer_class):
    """연습 1-1: 훈련 가능한 스칼라 가중치 `scale` 하나로 입력을 곱하는 `Scale` 층을 채점합니다.

    기대하는 것: `layer_class()`로 만들 수 있고 `name=` 같은 키워드 인자를 기반 클래스에
    넘기며, 속성 `scale`이 `add_weight()`로 만든 모양 `()`의 훈련 가능 가중치이고 초깃값이
    1이며, 호출하면 `inputs * scale`을 돌려줍니다. 스칼라이므로 특성 수나 랭크가 다른 입력에도
    그대로 쓰이고, 컴파일된 함수(`tf.function`, `jax.jit`) 안에서도 같은 값을 내며, 경사가
    `scale`까지 닿아야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`. 노트북에서 출력하면 통과 여부와 고칠 점을 보여 줍니다.

    Example:

    >>> check_scale_layer(Scale)  # doctest: +SKIP
    ✅ 연습 1-1 Scale 층: 통과했습니다 (10개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 1-1 Scale 층")
    x2 = nontrivial_inputs((2, 3), SEED)
    x3 = nontrivial_inputs((4, 2, 5), SEED + 1)
    with checker:
        layer = checker.call("Scale() 만들기", layer_class)
        y = checker.call("층 호출", call_layer, layer, x2)
        n_weights = len(layer.weights)
        checker.require(
            n_weights == 1,
            f"layer.weights에는 가중치가 1개 있어야 하는데 {n_weights}개입니다"
            + (
                " (파이썬 수나 tf.Variable 속성은 Keras 3가 추적하지 않으니 "
                "self.add_weight()로 만드세요)."
                if n_weights == 0
                else "."
            ),
        )
        scale = getattr(layer, "scale", None)
        checker.require(
            scale is not None and any(scale is w for w in layer.weights),
            "층의 scale 속성이 layer.weights의 가중치여야 하는데 "
            f"{type(scale).__name__ if scale is not None else '속성이 없습니다'}입니다 "
            "(self.scale = self.add_weight(...)로 담으세요).",
        )
        shape = tuple(scale.shape)
        checker.require(shape == (), f"scale의 모양은 스칼라 ()여야 하는데 {shape}입니다.")
        n_trainable = len(layer.trainable_weights)
        checker.expect(
            n_trainable == 1,
            f"훈련 가능 가중치는 1개여야 하는데 {n_trainable}개입니다 (trainable=True로 만드세요).",
        )
        checker.expect_close(
            "처음 만든 층의 출력 (scale 초깃값이 1이므로 입력과 같아야 합니다)",
            x2,
            y,
            hint=_initial_hint(x2, y),
        )

        values = checker.call("scale에 0이 아닌 값 넣기", set_nontrivial_weights, layer, SEED, True)
        s = float(next(iter(values.values())))
        for x, label in ((x2, "모양이 (2, 3)인 입력"), (x3, "모양이 (4, 2, 5)인 입력")):
            y = checker.call(f"{label}으로 호출", call_layer, layer, x)
            checker.expect_close(
                f"scale={s:.4f}일 때 {label}의 출력 (inputs * scale)",
                x * s,
                y,
                hint=_value_hint(x, s, y),
            )
        checker.stop()
        checker.expect_compiled_matches("Scale", layer, x3, x3 * s)
        checker.expect_gradients_reach("Scale", layer, x2)
        checker.expect_name_kwarg("Scale", layer_class)
    return checker.report()


def _initial_hint(x, y):
    y = np.asarray(y)
    if y.shape == x.shape and np.allclose(y, 0.0):
        return " (scale 초깃값이 0인 것 같습니다. initializer='ones'를 쓰세요)"
    return " (scale 초깃값은 1이어야 합니다: initializer='ones')"


def _value_hint(x, s, y):
    y = np.asarray(y)
    if y.shape != x.shape:
        return ""
    if np.allclose(y, x, atol=1e-5):
        return " (scale을 곱하지 않은 것 같습니다)"
    if np.allclose(y, x + s, atol=1e-5) or np.allclose(y, x + s - 1.0, atol=1e-5):
        return " (scale을 곱하지 않고 더한 것 같습니다)"
    return " (call()은 inputs * self.scale을 돌려줘야 합니다)"


@exercise("연습 1-2 RunningMean 층", "RunningMean")
def check_running_mean(layer_class):
    """연습 1-2: 지금까지 본 모든 샘플의 평균을 상태로 기억하는 `RunningMean` 층을 채점합니다.

    기대하는 것: `layer_class(input_dim)`으로 만들 수 있고 (`name=`은 기반 클래스로),
    호출할 때마다 입력의 행(샘플)을 누적해서 지금까지 본 모든 행의 평균 `(input_dim,)`을
    돌려줍니다. 상태는 훈련 불가능 가중치(`add_weight(..., trainable=False)`)에 담겨 있어서
    층마다 따로이고 컴파일된 함수(`tf.function`, `jax.jit`) 안에서도 갱신되어야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_running_mean(RunningMean)  # doctest: +SKIP
    ✅ 연습 1-2 RunningMean 층: 통과했습니다 (9개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 1-2 RunningMean 층")
    batches = [
        np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], dtype="float32"),
        np.array([[4.0, 0.0, 1.0], [7.0, 3.0, -2.0], [1.0, 6.0, 4.0]], dtype="float32"),
        np.array([[-1.0, 2.0, 5.0]], dtype="float32"),
    ]
    with checker:
        layer = checker.call("RunningMean(3) 만들기", layer_class, 3)
        _expect_running_means(checker, "", lambda x: call_layer(layer, x), batches)
        checker.expect_state_in_weights("RunningMean(3)", layer)
        checker.stop()

        fresh = checker.call("두 번째 RunningMean(3) 만들기", layer_class, 3)
        y = checker.call("새 층의 첫 호출", call_layer, fresh, batches[1])
        checker.expect_close(
            "새로 만든 층의 첫 출력 (층마다 상태가 따로여야 합니다)",
            batches[1].mean(axis=0),
            y,
            hint=" (상태를 클래스 속성이나 전역 변수에 두지 말고 __init__/build()에서 "
            "self.add_weight()로 만드세요)",
        )

        wide = [nontrivial_inputs((n, 5), SEED + n) for n in (4, 2, 3)]
        compiled = checker.call("RunningMean(5) 만들기", layer_class, 5)
        function = compile_once(compiled, wide[0])
        _expect_running_means(checker, "특성이 5개인 층을 한 컴파일된 함수로 ", function, wide)
        checker.expect_name_kwarg("RunningMean", layer_class, 3)
    return checker.report()


def _expect_running_means(checker, how, call, batches):
    """배치를 차례로 넣으며 누적 행 평균을 확인하고, 틀리면 그 자리에서 멈춥니다."""
    seen = []
    for i, batch in enumerate(batches, start=1):
        seen.append(batch)
        y = checker.call(f"{how}{i}번째 호출", call, batch)
        rows = np.concatenate(seen)
        expected = rows.mean(axis=0)
        hint = ""
        received = np.asarray(y)
        if received.shape == expected.shape:
            if np.allclose(received, batch.mean(axis=0), atol=1e-5) and i > 1:
                hint = " (이번 배치의 평균만 냈습니다. 합과 행 수를 가중치에 누적하세요)"
            elif np.allclose(received, np.mean([b.mean(axis=0) for b in seen], axis=0)):
                hint = (
                    " (배치 평균들의 평균입니다. 배치 크기가 다르면 행마다 같은 무게로 세야 "
                    "하니 합과 행 수를 따로 쌓으세요)"
                )
            elif i > 1 and np.allclose(received, batches[0].mean(axis=0), atol=1e-5):
                hint = (
                    " (출력이 첫 호출에서 멈췄습니다. 상태를 파이썬 값이 아니라 가중치에 두고 "
                    "assign()/assign_add()로 갱신하세요)"
                )
        elif received.shape == batch.shape:
            hint = " (행 방향 axis=0으로 평균을 내야 합니다)"
        checker.require_close(
            f"{how}{i}번째 호출 뒤 출력 (지금까지 본 {len(rows)}개 행의 평균)",
            expected,
            received,
            hint=hint,
        )
