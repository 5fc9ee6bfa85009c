"""3장 연습 문제 채점기: `add_loss()`로 더하는 손실, 층 안의 지표, 손실을 쓰는 훈련 단계.

Requirement → check (each line of the exercise text in book/03_losses_and_metrics.ipynb):

연습 3-1 `L1ActivityDense` (10 requirements)

| requirement | check |
|---|---|
| `L1ActivityDense(units, factor=0.01)` | made with `factor=0.1`; default `factor` is 0.01 |
| `name=` goes to the base class | `L1ActivityDense(2, name=...)`.name |
| `kernel (input_dim, units)`, `bias (units,)` in `build()` | 2 trainable weights of those shapes |
| returns `inputs @ kernel + bias` | seeded non-zero weights; missing-bias hint |
| last axis is the feature axis | inputs `(2, 3)`, `(3, 3)`; new layer on rank-3 `(3, 2, 5)` |
| loss `factor * sum(abs(outputs))` | loss value; square/mean/no-factor/input/pre-bias/sign hints |
| loss is a scalar | shape of `layer.losses[0]` |
| one fresh loss per call | `len(layer.losses) == 1` after each of two calls |
| works inside `fit()` | one `fit()` step: history loss = MSE + penalty |
| weights can be trained | non-zero gradient to kernel and bias (through output and loss) |

연습 3-2 `MeanAbsMonitor` (8 requirements)

| requirement | check |
|---|---|
| `MeanAbsMonitor()` | constructed without arguments |
| `name=` goes to the base class | `MeanAbsMonitor(name=...)`.name |
| returns its input unchanged | inputs `(2, 3)` and rank-3 `(3, 2, 4)` |
| metric `keras.metrics.Mean(name="mean_abs")` tracked | `layer.metrics` names are `["mean_abs"]` |
| mean of `abs` over all elements | value after one call (no-abs, never-updated hints) |
| accumulated, every element counts once | second call, batch 4 (mean-of-means/Sum hints) |
| appears in `fit()` history as `mean_abs` | key present after a real `fit()` (see below) |
| value per epoch in `fit()` | two epochs, each the mean of abs of the data |

The `fit()` is the one the reader will run: on TensorFlow and PyTorch a `keras.Model`, on JAX
`_LayerMetricsModel`, the chapter's `LayerMetricsModel` that the task tells JAX readers to use (a
plain `keras.Model` fails there, keras-team/keras#21639). The layer sits behind an identity
`Dense`, so its input comes from a weight: on PyTorch, whose `fit()` runs eagerly,
`trace_training_call` then catches a `call()` that converts it to NumPy, which the compiled
`fit()` of TensorFlow and JAX rejects.

연습 3-3 `train_step` (7 requirements)

| requirement | check |
|---|---|
| `train_step(model, optimizer, loss_fn, x, y)` | called with those arguments |
| predicts with `model(x, training=True)` | a loss added only when training: flag hint |
| total = `loss_fn(y, pred) + sum(model.losses)` | returned value; main-only/stale/mean hints |
| returns the total loss as a scalar | `np.size == 1` |
| one update with the total loss's gradients | weights; not-applied/main-only/twice hints |
| works over several steps | steps 1 and 2 from the updated weights |
| works inside a compiled function | step 3 in `tf.function` (TensorFlow only, see below) |
"""

import keras
import numpy as np

from companion.exercises._layer_calls import call_layer
from companion.exercises.checker import (
    Checker,
    WrongArgument,
    backend_gradients,
    compile_train_step,
    exercise,
    fit_one_step,
    nontrivial_inputs,
    quiet_tensorflow_logs,
    require_class,
    scalar_or_none,
    set_nontrivial_weights,
    trace_training_call,
)
from companion.layers.activity_regularization_layer import ActivityRegularizationLayer
from companion.settings import SEED

# chapter05 imports quiet_tensorflow_logs from here; it lives in checker.py now.
__all__ = [
    "check_l1_activity_dense",
    "check_mean_abs_monitor",
    "check_train_step",
    "quiet_tensorflow_logs",
]


@exercise("연습 3-1 L1ActivityDense 층", "L1ActivityDense")
def check_l1_activity_dense(layer_class):
    """연습 3-1: 출력의 L1 크기에 벌점을 매기는 `L1ActivityDense` 층을 채점합니다.

    기대하는 것: `layer_class(units, factor=0.01)`로 만들 수 있고 (`name=`은 기반 클래스로),
    `build()`에서 `kernel (input_dim, units)`와 `bias (units,)`를 만들며, 호출하면
    `inputs @ kernel + bias`를 돌려주면서 `factor * sum(abs(outputs))`를 `add_loss()`로
    더합니다. 손실은 호출할 때마다 그 호출의 출력으로 새로 계산되어 `layer.losses`에 1개만
    있어야 하고, `fit()` 안에서도 더해지며, 경사가 두 가중치에 닿아야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_l1_activity_dense(L1ActivityDense)  # doctest: +SKIP
    ✅ 연습 3-1 L1ActivityDense 층: 통과했습니다 (15개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 3-1 L1ActivityDense 층")
    x2 = nontrivial_inputs((2, 3), SEED)
    with checker:
        layer = checker.call("L1ActivityDense(4, factor=0.1) 만들기", layer_class, 4, factor=0.1)
        checker.call("첫 호출", call_layer, layer, x2)
        shapes = sorted(tuple(w.shape) for w in layer.trainable_weights)
        checker.require(
            shapes == [(3, 4), (4,)],
            "특성이 3개인 입력, units=4에서 훈련 가능 가중치는 kernel (3, 4)와 bias (4,)여야 "
            f"하는데 모양이 {shapes}입니다"
            + (" (bias를 만들지 않았습니다)." if shapes == [(3, 4)] else "."),
        )
        checker.call("가중치에 0이 아닌 값 넣기", set_nontrivial_weights, layer, SEED)
        kernel, bias = _kernel_and_bias(layer)

        x2b = nontrivial_inputs((3, 3), SEED + 1)
        for call, x in (("첫", x2), ("두 번째", x2b)):
            y = checker.call(f"{call} 호출 (모양 {x.shape})", call_layer, layer, x)
            expected = x @ kernel + bias
            checker.require_close(
                f"{call} 호출 (모양 {x.shape})의 출력 (inputs @ kernel + bias)",
                expected,
                y,
                hint=_bias_hint(x @ kernel, y),
            )
            _require_l1_loss(checker, f"{call} 호출", layer, x, expected, kernel, 0.1)

        x3 = nontrivial_inputs((3, 2, 5), SEED + 2)
        other = checker.call(
            "두 번째 L1ActivityDense(4, factor=0.1) 만들기", layer_class, 4, factor=0.1
        )
        checker.call("모양이 (3, 2, 5)인 입력으로 호출", call_layer, other, x3)
        checker.call("가중치에 0이 아닌 값 넣기", set_nontrivial_weights, other, SEED + 1)
        k3, b3 = _kernel_and_bias(other)
        y = checker.call("모양이 (3, 2, 5)인 입력으로 다시 호출", call_layer, other, x3)
        checker.require_close("모양이 (3, 2, 5)인 입력의 출력", x3 @ k3 + b3, y)
        _require_l1_loss(
            checker, "모양이 (3, 2, 5)인 입력으로 호출", other, x3, x3 @ k3 + b3, k3, 0.1
        )

        default = checker.call("L1ActivityDense(2) 만들기 (factor 기본값)", layer_class, 2)
        checker.call("factor 기본값으로 만든 층 호출", call_layer, default, x2)
        checker.call("가중치에 0이 아닌 값 넣기", set_nontrivial_weights, default, SEED)
        k2, b2 = _kernel_and_bias(default)
        checker.call("factor 기본값으로 만든 층 다시 호출", call_layer, default, x2)
        _require_l1_loss(
            checker, "factor 기본값(0.01)으로 호출", default, x2, x2 @ k2 + b2, k2, 0.01, True
        )

        history = checker.call("이 층이 든 모델을 fit()으로 한 단계 훈련", _fit_dense, default, x2)
        out = x2 @ k2 + b2
        expected_loss = float(np.mean(out**2) + 0.01 * np.abs(out).sum())
        received = float(history.history["loss"][0])
        checker.expect(
            np.isclose(received, expected_loss, rtol=1e-4),
            f"fit()의 손실은 MSE + factor * sum(abs(출력)) = {expected_loss:.4f}이어야 하는데 "
            f"{received:.4f}입니다 (컴파일된 훈련 단계에서도 call()이 add_loss()를 불러야 "
            "합니다. 벌점을 NumPy로 계산하거나 파이썬 속성에 담아 두지 마세요).",
        )
        checker.expect_gradients_reach("L1ActivityDense", layer, x2)
        checker.expect_name_kwarg("L1ActivityDense", layer_class, 2)
    return checker.report()


def _kernel_and_bias(layer):
    kernel = next(w for w in layer.trainable_weights if len(w.shape) == 2)
    bias = next(w for w in layer.trainable_weights if len(w.shape) == 1)
    return keras.ops.convert_to_numpy(kernel), keras.ops.convert_to_numpy(bias)


def _bias_hint(without_bias, y):
    y = np.asarray(y)
    if y.shape == without_bias.shape and np.allclose(y, without_bias, atol=1e-5):
        return " (bias를 더하지 않은 것 같습니다)"
    return ""


def _require_l1_loss(checker, when, layer, x, y, kernel, factor, default=False):
    losses = list(layer.losses)
    checker.require(
        len(losses) == 1,
        f"{when} 뒤 layer.losses에는 손실이 1개 있어야 하는데 {len(losses)}개입니다"
        + (
            " (build()가 아니라 call() 안에서 self.add_loss()를 부르세요)."
            if not losses
            else " (activity_regularizer와 add_loss()를 함께 쓰지 마세요)."
            if len(losses) > 1
            else "."
        ),
    )
    value = scalar_or_none(losses[0])
    if value is None:
        shape = tuple(np.shape(keras.ops.convert_to_numpy(losses[0])))
        checker.require(
            False,
            f"{when} 뒤 손실은 스칼라여야 하는데 모양이 {shape}입니다 (ops.sum으로 모두 합하세요).",
        )
    expected = factor * np.abs(y).sum()
    if np.isclose(value, expected, rtol=1e-5, atol=1e-6):
        return checker.count_pass()
    guesses = (
        (factor * np.square(y).sum(), " (절댓값 대신 제곱을 더한 것 같습니다)"),
        (np.abs(y).sum(), " (factor를 곱하지 않은 것 같습니다)"),
        (factor * np.abs(y).mean(), " (합 대신 평균을 낸 것 같습니다)"),
        (factor * np.abs(x).sum(), " (출력이 아니라 입력에 벌점을 매긴 것 같습니다)"),
        (factor * np.abs(x @ kernel).sum(), " (bias를 더하기 전의 값에 벌점을 매겼습니다)"),
        (-expected, " (부호가 반대입니다: 벌점은 더하는 양수여야 합니다)"),
        (factor * y.sum(), " (절댓값을 취하지 않았습니다)"),
    )
    hint = next((text for guess, text in guesses if np.isclose(value, guess, rtol=1e-5)), "")
    if default and not hint and np.abs(y).sum() > 0:
        implied = value / np.abs(y).sum()
        hint = (
            f" (factor 기본값이 {implied:.4g}인 것 같습니다: def __init__(self, units, factor=0.01)"
        )
        hint += ")"
    checker.require(
        False,
        f"{when} 뒤 손실 값은 factor * sum(abs(출력)) = {expected:.4f}이어야 하는데 "
        f"{value:.4f}입니다{hint}.",
    )


def _fit_dense(layer, x):
    inputs = keras.Input((x.shape[1],))
    outputs = layer(inputs)
    model = keras.Model(inputs, outputs)
    return fit_one_step(model, x, np.zeros((len(x), outputs.shape[-1]), "float32"))


@exercise("연습 3-2 MeanAbsMonitor 층", "MeanAbsMonitor")
def check_mean_abs_monitor(layer_class):
    """연습 3-2: 입력의 절댓값 평균을 지표로 기록하는 `MeanAbsMonitor` 층을 채점합니다.

    기대하는 것: `layer_class()`로 만들 수 있고 (`name=`은 기반 클래스로), 입력을 그대로
    돌려주면서 `keras.metrics.Mean(name="mean_abs")` 지표에 입력 원소의 절댓값을 누적합니다.
    지표는 `layer.metrics`에 나타나고, 여러 번 호출하면 지금까지 본 모든 원소의 절댓값
    평균이며, 이 층이 든 모델을 `fit()`으로 훈련하면 기록에 에포크마다 `"mean_abs"`가 남습니다.
    `fit()`은 진짜로 돌립니다: JAX에서는 과제가 말하는 대로 본문의 `LayerMetricsModel`로 만든
    모델을, 다른 백엔드에서는 `keras.Model`을 훈련합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_mean_abs_monitor(MeanAbsMonitor)  # doctest: +SKIP
    ✅ 연습 3-2 MeanAbsMonitor 층: 통과했습니다 (10개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 3-2 MeanAbsMonitor 층")
    x1 = nontrivial_inputs((2, 3), SEED)
    x2 = nontrivial_inputs((4, 3), SEED + 1)
    x3 = nontrivial_inputs((3, 2, 4), SEED + 3)
    with checker:
        layer = checker.call("MeanAbsMonitor() 만들기", layer_class)
        y = checker.call("첫 호출", call_layer, layer, x1)
        checker.expect_close(
            "출력 (입력을 그대로 돌려줘야 합니다)",
            x1,
            y,
            hint=" (절댓값은 지표에만 넣고, 출력은 입력 그대로입니다)"
            if np.allclose(np.abs(x1), y)
            else "",
        )
        names = [getattr(metric, "name", repr(metric)) for metric in layer.metrics]
        checker.require(
            names == ["mean_abs"],
            f"layer.metrics에는 이름이 'mean_abs'인 지표 1개가 있어야 하는데 {names}입니다"
            + (
                " (__init__에서 keras.metrics.Mean(name='mean_abs')를 만들어 self의 속성에 "
                "담으세요)."
                if not names
                else "."
            ),
        )
        metric = layer.metrics[0]
        result = checker.call("첫 호출 뒤 지표 값 읽기", _result, metric)
        _require_metric(checker, "첫 호출 뒤 지표 값", np.abs(x1).mean(), result, [x1])

        y = checker.call("배치 크기가 4인 입력으로 두 번째 호출", call_layer, layer, x2)
        checker.expect_close("두 번째 호출의 출력 (입력 그대로)", x2, y)
        result = checker.call("두 번째 호출 뒤 지표 값 읽기", _result, metric)
        everything = np.concatenate([np.abs(x1).ravel(), np.abs(x2).ravel()])
        _require_metric(
            checker,
            "두 번째 호출 뒤 지표 값 (두 입력의 모든 원소의 절댓값 평균)",
            everything.mean(),
            result,
            [x1, x2],
        )
        other = checker.call("두 번째 MeanAbsMonitor() 만들기", layer_class)
        y = checker.call("모양이 (3, 2, 4)인 입력으로 호출", call_layer, other, x3)
        checker.expect_close("모양이 (3, 2, 4)인 입력의 출력 (입력 그대로)", x3, y)

        x = nontrivial_inputs((8, 3), SEED + 2)
        history = checker.call(
            "모델에 넣어 fit()으로 두 에포크 훈련", _fit_with_monitor, layer_class, x
        )
        keys = sorted(history.history)
        checker.require(
            "mean_abs" in keys,
            f"fit() 기록에는 'mean_abs' 키가 있어야 하는데 키가 {keys}뿐입니다.",
        )
        for epoch, value in enumerate(history.history["mean_abs"], start=1):
            _require_metric(
                checker,
                f"fit() 기록의 {epoch}번째 에포크 mean_abs (훈련 데이터의 절댓값 평균)",
                np.abs(x).mean(),
                float(value),
                [x],
            )
        checker.expect_name_kwarg("MeanAbsMonitor", layer_class)
    return checker.report()


def _require_metric(checker, what, expected, received, inputs):
    if received is None:
        checker.require(False, f"{what}: 스칼라 {expected:.4f}이어야 하는데 스칼라가 아닙니다.")
    if np.isclose(expected, received, atol=1e-4):
        return checker.count_pass()
    hint = ""
    plain = np.concatenate([x.ravel() for x in inputs])
    means = [np.abs(x).mean() for x in inputs]
    if np.isclose(received, plain.mean(), atol=1e-4):
        hint = " (절댓값을 취하지 않은 것 같습니다)"
    elif np.isclose(received, 0.0):
        hint = " (call()에서 update_state()를 불렀나요?)"
    elif np.isclose(received, np.abs(plain).sum(), rtol=1e-4):
        hint = " (평균이 아니라 합입니다: keras.metrics.Mean을 쓰세요)"
    elif len(inputs) > 1 and np.isclose(received, np.mean(means), atol=1e-4):
        hint = (
            " (호출마다 평균을 낸 뒤 그 평균들의 평균을 냈습니다. 원소마다 같은 무게로 세도록 "
            "update_state(ops.abs(inputs))에 절댓값 텐서 전체를 넘기세요)"
        )
    elif len(inputs) > 1 and np.isclose(received, means[-1], atol=1e-4):
        hint = " (마지막 호출의 값만 남았습니다: 지표를 call()마다 새로 만들지 마세요)"
    checker.require(False, f"{what}: {expected:.4f}이어야 하는데 {received:.4f}입니다{hint}.")


@quiet_tensorflow_logs
def _fit_with_monitor(layer_class, x):
    """독자의 층이 든 모델을 `fit()`으로 두 에포크 훈련합니다 (학습률 0: 가중치는 그대로).

    독자가 실제로 쓸 모델로 훈련합니다. TensorFlow와 PyTorch에서는 `keras.Model`, JAX에서는
    과제가 말하는 대로 본문의 `LayerMetricsModel`(`_LayerMetricsModel`)입니다: JAX의 `fit()`은
    `keras.Model` 안의 층이 갱신하는 지표를 다루지 못합니다 (keras-team/keras#21639).
    층 앞의 `Dense`는 단위 행렬이라 층이 보는 값은 `x` 그대로이지만, 가중치에서 온 텐서입니다.
    그래야 PyTorch에서 `trace_training_call`이 그 텐서를 NumPy로 바꾸는 `call()`을 찾아냅니다
    (TensorFlow와 JAX의 `fit()`은 컴파일된 함수라 그런 `call()`에서 실패합니다).
    """
    model_class = _LayerMetricsModel if keras.backend.backend() == "jax" else keras.Model
    inputs = keras.Input((x.shape[1],))
    hidden = keras.layers.Dense(x.shape[1], kernel_initializer="identity")(inputs)
    outputs = keras.layers.Dense(1)(layer_class()(hidden))
    model = model_class(inputs, outputs, name="monitored")
    trace_training_call(model, x)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    return model.fit(x, np.zeros((len(x), 1), "float32"), batch_size=len(x), epochs=2, verbose=0)


class _LayerMetricsModel(keras.Model):
    """3장 본문의 `LayerMetricsModel`: 층이 `call()`에서 갱신하는 지표를 JAX의 `fit()`에서도 씁니다.

    keras-team/keras#21639 우회. Keras 3.15의 JAX 훈련기(keras/src/backend/jax/trainer.py)가
    훈련·평가 단계마다 부르는 내부 메서드 `compute_loss_and_updates()`를 재정의합니다. 공개 API가
    아니라서 Keras가 바뀌면 깨질 수 있습니다. TensorFlow와 PyTorch의 `fit()`은 이 메서드를 부르지
    않습니다. `compute_loss_and_updates()`의 코드는 노트북의 것과 같습니다
    (tests/exercises/test_chapter03.py가 확인합니다).
    """

    def compute_loss_and_updates(
        self,
        trainable_variables,
        non_trainable_variables,
        metrics_variables,
        x,
        y,
        sample_weight,
        training=False,
        optimizer_variables=None,
    ):
        # 원래 메서드와 달리 지표 변수도 함께 넣어, 층 안의 지표가 자기 상태를 찾게 합니다.
        state = [
            *zip(self.trainable_variables, trainable_variables, strict=True),
            *zip(self.non_trainable_variables, non_trainable_variables, strict=True),
            *zip(self.metrics_variables, metrics_variables, strict=True),
        ]
        with keras.StatelessScope(state_mapping=state, collect_losses=True) as scope:
            y_pred = self(x, training=training)
            unscaled_loss = self.compute_loss(x, y, y_pred, sample_weight, training=training)
        non_trainable_variables = [scope.get_current_value(v) for v in self.non_trainable_variables]
        metrics_variables = [scope.get_current_value(v) for v in self.metrics_variables]
        # 원래 메서드처럼, 훈련할 때는 옵티마이저가 손실을 키우게 합니다 (LossScaleOptimizer).
        loss = unscaled_loss
        if training and self.optimizer is not None:
            mapping = list(zip(self.optimizer.variables, optimizer_variables, strict=True))
            with keras.StatelessScope(state_mapping=mapping):
                loss = self.optimizer.scale_loss(loss)
        return loss, (unscaled_loss, y_pred, non_trainable_variables, metrics_variables)


class _PenaltyWhenTraining(keras.layers.Layer):
    """훈련 중(`training=True`)에만 출력 제곱합에 벌점을 더하는 채점용 층."""

    def call(self, inputs, training=False):
        if training:
            self.add_loss(0.02 * keras.ops.sum(keras.ops.square(inputs)))
        return inputs


@exercise("연습 3-3 train_step 함수", "train_step")
def check_train_step(train_step):
    """연습 3-3: `model.losses`까지 최소화하는 훈련 단계 함수 `train_step`을 채점합니다.

    기대하는 것: `train_step(model, optimizer, loss_fn, x, y)`가 (TensorFlow라면)
    `tf.GradientTape` 안에서
    `model(x, training=True)`로 예측하고, 주 손실 `loss_fn(y, 예측)`에 그 호출로 생긴
    `model.losses`의 합을 더한 전체 손실의 경사로 `optimizer`가 가중치를 한 번 갱신한 뒤,
    전체 손실(스칼라)을 돌려줍니다.

    채점기는 가중치 정칙화, `add_loss()` 손실, 훈련 중에만 더하는 손실이 모두 있는 작은 모델을
    두 벌 만들어, 한 벌은 기대하는 방식으로, 다른 한 벌은 `train_step`으로 세 단계 (마지막
    단계는 `tf.function` 안에서) 훈련하고 돌려준 손실과 갱신된 가중치를 비교합니다. 틀리면
    흔한 실수들을 직접 흉내 내어 어느 것과 같은지 알려 줍니다.

    Args:
        train_step: 독자가 만든 함수.

    Returns:
        `CheckReport`.

    Example:

    >>> check_train_step(train_step)  # doctest: +SKIP
    ✅ 연습 3-3 train_step 함수: 통과했습니다 (9개 항목 확인).
    """
    if not callable(train_step) or isinstance(train_step, type):
        raise WrongArgument(f"train_step에는 함수를 넘겨야 합니다. 받은 값: {train_step!r}")
    checker = Checker("연습 3-3 train_step 함수")
    rng = np.random.default_rng(SEED)
    batches = [
        (rng.normal(size=(8, 3)).astype("float32"), rng.normal(size=(8, 1)).astype("float32"))
        for _ in range(3)
    ]
    expected_model, reader_model, scratch = (_train_step_model() for _ in range(3))
    reader_model.set_weights(expected_model.get_weights())
    # 두 모델 모두 한 번 호출해 두어 model.losses에 이전 호출의 손실이 남아 있게 합니다.
    warm_up = rng.normal(size=(4, 3)).astype("float32")
    expected_model(warm_up, training=True)
    reader_model(warm_up, training=True)
    loss_fn = keras.losses.MeanSquaredError()
    expected_optimizer = keras.optimizers.SGD(0.1)
    reader_optimizer = keras.optimizers.SGD(0.1)
    # 세 번째 단계는 컴파일된 함수 안에서 부릅니다. 독자의 train_step은 모델의 가중치를 제자리에서
    # 고치므로 jax.jit으로는 감쌀 수 없고, PyTorch 백엔드의 Keras는 컴파일하지 않습니다. 그래서
    # 컴파일은 TensorFlow(tf.function)에서만 하고, 다른 백엔드에서는 세 단계 모두 즉시 실행합니다.
    compiled = compile_train_step(train_step)

    with checker:
        for step, (x, y) in enumerate(batches, start=1):
            inside = step == 3
            label = f"{step}번째 train_step"
            before = reader_model.get_weights()
            stale = _sum_losses(reader_model)
            expected_loss, *_ = _step(expected_model, expected_optimizer, loss_fn, x, y)
            value = checker.call(
                f"{label} 호출",
                compiled if inside else train_step,
                reader_model,
                reader_optimizer,
                loss_fn,
                x,
                y,
            )
            received = scalar_or_none(value)
            if received is None:
                shape = tuple(np.shape(value)) if _is_array_like(value) else type(value).__name__
                checker.require(
                    False,
                    f"{label}은 전체 손실을 스칼라 하나로 돌려줘야 하는데 {shape}을(를) "
                    "돌려줬습니다 (model.losses는 리스트이니 sum()으로 더하세요).",
                )
            if np.isclose(received, expected_loss, rtol=1e-4, atol=1e-5):
                checker.count_pass()
            else:
                hint = _loss_hint(scratch, before, loss_fn, x, y, stale, received)
                checker.fail(
                    f"{label}이 돌려준 손실은 {expected_loss:.4f}이어야 하는데 "
                    f"{received:.4f}입니다{hint}."
                )
            after = reader_model.get_weights()
            wanted = expected_model.get_weights()
            checker.require(
                not all(np.array_equal(a, b) for a, b in zip(after, before, strict=True)),
                f"{label} 뒤에도 가중치가 그대로입니다 (optimizer.apply()로 경사를 적용하세요).",
            )
            gap = max(float(np.max(np.abs(a - w))) for a, w in zip(after, wanted, strict=True))
            if gap >= 1e-4:
                hint = _weights_hint(scratch, before, loss_fn, x, y, after)
                checker.require(
                    False,
                    f"{label} 뒤 가중치가 기대와 최대 {gap:.4f}만큼 다릅니다{hint}.",
                )
            checker.count_pass()
            checker.stop()  # 다음 단계에서 같은 실수를 다시 보고하지 않습니다.
    return checker.report()


def _train_step_model():
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(
        4,
        # 시그모이드 출력은 양수라서 ActivityRegularizationLayer의 손실이 상쇄되어 0 근처가 되지
        # 않습니다. 그래야 model.losses를 빠뜨린 풀이가 확실히 드러납니다.
        activation="sigmoid",
        kernel_initializer=keras.initializers.GlorotUniform(seed=SEED),
        kernel_regularizer=keras.regularizers.L2(0.1),
    )(inputs)
    hidden = ActivityRegularizationLayer(rate=0.05)(hidden)
    hidden = _PenaltyWhenTraining()(hidden)
    outputs = keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed=SEED))(
        hidden
    )
    model = keras.Model(inputs, outputs)
    # 같은 시드라도 백엔드마다 난수 생성기가 달라 초기값이 다릅니다. 보고서의 숫자가 어느
    # 백엔드에서나 같도록 시작 가중치를 NumPy로 정합니다.
    rng = np.random.default_rng(SEED)
    model.set_weights([rng.uniform(-0.8, 0.8, w.shape).astype("float32") for w in model.weights])
    return model


def _sum_losses(model):
    losses = list(model.losses)
    return (
        float(keras.ops.convert_to_numpy(keras.ops.sum(keras.ops.stack(losses)))) if losses else 0.0
    )


def _step(model, optimizer, loss_fn, x, y, mode="total", training=True):
    """한 단계 훈련하고 돌려줄 손실을 돌려줍니다. `mode`로 흔한 실수를 흉내 냅니다.

    손실 값은 즉시 실행한 한 번의 호출에서 읽고 (그 호출이 `model.losses`를 남깁니다), 경사는
    `backend_gradients`(TensorFlow `GradientTape`, JAX `jax.grad`, PyTorch `torch.autograd`)로
    같은 계산을 다시 미분해 구합니다. 모델에는 무작위 연산이 없어 두 계산이 같습니다.
    """

    def losses():
        prediction = model(x, training=training)
        main_loss = loss_fn(y, prediction)
        extra = keras.ops.sum(keras.ops.stack(model.losses)) if model.losses else 0.0
        return main_loss, extra, len(model.losses)

    def target():
        main_loss, extra, _ = losses()
        return main_loss if mode == "main_only" else main_loss + extra

    main_loss, extra, count = losses()
    weights = list(model.trainable_weights)
    gradients = [
        keras.ops.zeros(w.shape) if g is None else keras.ops.convert_to_tensor(g)
        for w, g in zip(weights, backend_gradients(target, weights), strict=True)
    ]
    for _ in range(2 if mode == "twice" else 1):
        optimizer.apply_gradients(zip(gradients, weights, strict=True))
    main_loss, extra = (float(keras.ops.convert_to_numpy(v)) for v in (main_loss, extra))
    return main_loss + extra, main_loss, extra, count


def _loss_hint(scratch, weights, loss_fn, x, y, stale, received):
    """돌려준 손실이 어떤 흔한 실수와 같은지 찾아 한 문장으로 알려 줍니다."""
    scratch.set_weights(weights)
    _, main, extra, count = _step(scratch, keras.optimizers.SGD(0.0), loss_fn, x, y)
    scratch.set_weights(weights)
    total_eval, *_ = _step(scratch, keras.optimizers.SGD(0.0), loss_fn, x, y, training=False)
    guesses = (
        (main, " (주 손실만 돌려줬습니다: model.losses의 합을 더한 전체 손실을 돌려주세요)"),
        (
            main + stale,
            " (model.losses를 모델을 호출하기 전에 읽어 이전 호출의 손실을 더했습니다: "
            "model(x, training=True)를 부른 뒤, 경사를 기록하는 범위 안에서 읽으세요)",
        ),
        (
            total_eval,
            " (model(x)를 training=True 없이 불렀습니다: 훈련 중에만 더해지는 손실이 빠집니다)",
        ),
        (main + extra / max(count, 1), " (model.losses의 평균을 냈습니다: 합을 더하세요)"),
    )
    return next(
        (text for guess, text in guesses if np.isclose(received, guess, rtol=1e-4, atol=1e-5)),
        "",
    )


def _weights_hint(scratch, weights, loss_fn, x, y, after):
    """갱신된 가중치가 어떤 흔한 실수로 생기는 값과 같은지 찾아 알려 줍니다."""
    variants = (
        (
            "main_only",
            " (경사가 주 손실에만 대해 구해졌습니다: model.losses를 모델을 부른 뒤 경사를 "
            "기록하는 범위 안에서 읽어 전체 손실에 더하고, 그 전체 손실을 미분하세요)",
        ),
        ("twice", " (경사를 두 번 적용했습니다: optimizer.apply()는 한 단계에 한 번입니다)"),
    )
    for mode, text in variants:
        scratch.set_weights(weights)
        _step(scratch, keras.optimizers.SGD(0.1), loss_fn, x, y, mode=mode)
        candidate = scratch.get_weights()
        if all(np.allclose(a, c, atol=1e-5) for a, c in zip(after, candidate, strict=True)):
            return text
    return " (전체 손실로 구한 경사를 optimizer.apply()로 한 번 적용하세요)"


def _is_array_like(value):
    try:
        np.shape(value)
    except Exception:  # 모양을 알 수 없는 값은 자료형 이름으로 보고합니다.
        return False
    return True


def _result(metric):
    return scalar_or_none(metric.result())
