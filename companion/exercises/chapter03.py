"""3장 연습 문제 채점기: `add_loss()`로 더하는 손실, 층 안의 지표, 손실을 쓰는 훈련 단계.

3-1 and 3-2 are graded by the probe battery (`probes.py`) against the model answers in
`reference/chapter03.py`; 3-3 trains two copies of one model, one with the reference's
`train_step`, one with the reader's, and compares what they return and the weights.

Requirement → check (each line of the exercise text in book/03_losses_and_metrics.ipynb):

연습 3-1 `L1ActivityDense`

| requirement | check |
|---|---|
| 1. `L1ActivityDense(units, factor=0.01)`, `**kwargs` | `construct`, `name`; `L1ActivityDense(2)` |
| 2. `kernel (input_dim, units)`, `bias (units,)` in `build()` | `build`, `weights` |
| 3. `outputs = inputs @ kernel + bias`, any rank | `output`/`batch` on (2, 3), (3, 3), (3, 2, 5) |
| 4. `factor * sum(abs(outputs))` added with `add_loss()` | `losses` after every call |
| 5. one loss per call | `losses`: the count after every call |
| 6. `fit()` adds the penalty, gradients reach both weights | `fit`, `gradients`, `compiled` |

연습 3-2 `MeanAbsMonitor`

| requirement | check |
|---|---|
| 1. `MeanAbsMonitor()`, `**kwargs` | `construct`, `name` |
| 2. returns its input, any shape | `output`/`batch` on (2, 3), (4, 3), (3, 2, 4) |
| 3. `keras.metrics.Mean(name="mean_abs")` tracked | `metrics`: the names in `layer.metrics` |
| 4. mean of `abs` of every element seen | `metrics`: the value after every call |
| 5. `mean_abs` per epoch in a real `fit()` | the history, vs the reference's |

On JAX the `fit()` is of `_LayerMetricsModel`, the chapter's `LayerMetricsModel` that the task tells
JAX readers to use (a plain `keras.Model` fails there, keras-team/keras#21639). The layer sits
behind an identity `Dense`, so its input comes from a weight: on PyTorch, whose `fit()` runs
eagerly, `trace_training_call` then catches a `call()` that converts it to NumPy.

연습 3-3 `train_step`

| requirement | check |
|---|---|
| 1. predicts with `model(x, training=True)` | a loss added only when training: flag hint |
| 2. total = `loss_fn(y, pred) + sum(model.losses)` of that call | returned value |
| 3. one update with the total loss's gradients | weights vs the reference's step |
| 4. returns the total loss as a scalar | `np.size == 1`; step 3 in `tf.function` (TensorFlow) |
| several steps | steps 1 and 2 from the updated weights |

As the chapter says, the 3-3 report also names the common mistake a wrong answer matches
(main loss only, losses read before the call, no `training=True`, mean of the losses, applied
twice): each is imitated on a scratch copy of the model.
"""

import keras
import numpy as np

from companion.exercises.checker import (
    Checker,
    WrongArgument,
    backend_gradients,
    compile_train_step,
    exercise,
    nontrivial_inputs,
    quiet_tensorflow_logs,
    require_class,
    scalar_or_none,
)
from companion.exercises.probes import (
    Case,
    Feed,
    LayerSpec,
    grade_layer,
    trace_like_compiled_fit,
)
from companion.exercises.reference import chapter03 as reference
from companion.layers.activity_regularization_layer import ActivityRegularizationLayer
from companion.settings import SEED

# chapter05 imports quiet_tensorflow_logs from here; it lives in checker.py now.
__all__ = [
    "check_l1_activity_dense",
    "check_mean_abs_monitor",
    "check_train_step",
    "quiet_tensorflow_logs",
]

L1_ACTIVITY_DENSE = LayerSpec(
    name="L1ActivityDense",
    reference=reference.L1ActivityDense,
    cases=[
        Case(
            args=(4,),
            kwargs={"factor": 0.1},
            feeds=[
                Feed(nontrivial_inputs((2, 3), SEED)),
                Feed(nontrivial_inputs((3, 3), SEED + 1)),
            ],
        ),
        Case(
            args=(4,), kwargs={"factor": 0.1}, feeds=[Feed(nontrivial_inputs((3, 2, 5), SEED + 2))]
        ),
        Case(
            args=(2,),
            feeds=[Feed(nontrivial_inputs((2, 3), SEED))],
            requirements={"losses": "요구 사항 1: factor의 기본값은 0.01입니다."},
        ),
    ],
    requirements={
        "construct": "요구 사항 1: L1ActivityDense(units, factor=0.01)로 만듭니다.",
        "name": "요구 사항 1: name= 같은 키워드 인자는 기반 클래스에 넘깁니다.",
        "build": "요구 사항 2: kernel과 bias는 build()에서 입력의 마지막 차원을 보고 만듭니다.",
        "weights": (
            "요구 사항 2: 훈련 가능 가중치는 모양 (input_dim, units)의 kernel과 (units,)의 bias 두 "
            "개입니다."
        ),
        "output": "요구 사항 3: call()은 outputs = inputs @ kernel + bias를 돌려줍니다.",
        "batch": "요구 사항 3: 배치 크기가 1이어도 inputs @ kernel + bias입니다.",
        "losses": (
            "요구 사항 4·5: 같은 call()에서 출력(편향을 더한 뒤)의 절댓값 합에 factor를 곱한 "
            "스칼라 "
            "하나를 add_loss()로 더합니다. 호출할 때마다 layer.losses에는 그 호출의 손실 하나만 "
            "있습니다."
        ),
        "symbolic": "요구 사항 3: 출력 모양은 (..., units)입니다.",
        "compiled": "요구 사항 6: 컴파일된 함수(fit()의 훈련 단계) 안에서도 같은 값을 냅니다.",
        "gradients": (
            "요구 사항 6: 경사가 출력과 벌점을 거쳐 kernel과 bias에 닿아야 합니다 (벌점을 NumPy나 "
            "stop_gradient로 계산하지 마세요)."
        ),
        "fit": "요구 사항 6: fit()으로 훈련하면 벌점이 손실에 더해집니다 (모범 답안과 같은 손실).",
    },
)


@exercise("연습 3-1 L1ActivityDense 층", "L1ActivityDense")
def check_l1_activity_dense(layer_class):
    """연습 3-1: 출력의 L1 크기에 벌점을 매기는 `L1ActivityDense` 층을 채점합니다.

    모범 답안(`reference.L1ActivityDense`)과 같은 가중치로 맞춘 뒤, 호출마다 출력과
    `layer.losses`(개수와 값), 기본값 `factor`, 컴파일된 함수, 경사(출력과 벌점을 거친), `fit()`의
    손실과 가중치를 비교합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_l1_activity_dense(L1ActivityDense)  # doctest: +SKIP
    ✅ 연습 3-1 L1ActivityDense 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 3-1 L1ActivityDense 층")
    with checker:
        grade_layer(checker, layer_class, L1_ACTIVITY_DENSE)
    return checker.report()


MEAN_ABS_MONITOR = LayerSpec(
    name="MeanAbsMonitor",
    reference=reference.MeanAbsMonitor,
    cases=[
        Case(
            feeds=[Feed(nontrivial_inputs((2, 3), SEED)), Feed(nontrivial_inputs((4, 3), SEED + 1))]
        ),
        Case(feeds=[Feed(nontrivial_inputs((3, 2, 4), SEED + 3))]),
    ],
    requirements={
        "construct": "요구 사항 1: MeanAbsMonitor()로 만듭니다.",
        "name": "요구 사항 1: name= 같은 키워드 인자는 기반 클래스에 넘깁니다.",
        "weights": "요구 사항 3: 층에는 가중치가 없고 지표 하나만 있습니다.",
        "output": "요구 사항 2: call()은 입력을 그대로 돌려줍니다 (절댓값은 지표에만).",
        "batch": "요구 사항 2: 입력이 어떤 모양이든 그대로 돌려줍니다.",
        "symbolic": "요구 사항 2: 출력 모양은 입력 모양과 같습니다.",
        "metrics": (
            "요구 사항 3·4: __init__에서 만든 keras.metrics.Mean(name='mean_abs')에 call()마다 "
            "입력의 절댓값 텐서 전체를 update_state()로 넘깁니다 (여러 번 부르면 지금까지 본 모든 "
            "원소의 절댓값 평균, 호출마다 낸 평균들의 평균이 아닙니다)."
        ),
        "compiled": "요구 사항 5: 컴파일된 함수(fit()의 훈련 단계) 안에서도 같은 값을 냅니다.",
    },
)

_FIT_REQUIREMENT = (
    "요구 사항 5: 이 층이 든 모델을 fit()으로 훈련하면 기록에 에포크마다 mean_abs(그 에포크에 본 "
    "입력의 절댓값 평균)가 남습니다. call()에서는 keras.ops로만 계산하세요."
)


@exercise("연습 3-2 MeanAbsMonitor 층", "MeanAbsMonitor")
def check_mean_abs_monitor(layer_class):
    """연습 3-2: 입력의 절댓값 평균을 지표로 기록하는 `MeanAbsMonitor` 층을 채점합니다.

    모범 답안(`reference.MeanAbsMonitor`)과 같은 입력을 차례로 넣어 출력과 `layer.metrics`(이름과
    값)를 비교하고, 과제가 말하는 모델(JAX에서는 본문의 `LayerMetricsModel`, 다른 백엔드에서는
    `keras.Model`)을 진짜 `fit()`으로 두 에포크 훈련해 기록의 `mean_abs`를 모범 답안의 기록과
    비교합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_mean_abs_monitor(MeanAbsMonitor)  # doctest: +SKIP
    ✅ 연습 3-2 MeanAbsMonitor 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 3-2 MeanAbsMonitor 층")
    with checker:
        grade_layer(checker, layer_class, MEAN_ABS_MONITOR)
        if checker.failures:
            return checker.report()
        x = nontrivial_inputs((8, 3), SEED + 2)
        expected = _reference_history(x)
        ok, history = checker.run(
            "모델에 넣어 fit()으로 두 에포크 훈련", _fit_with_monitor, layer_class, x
        )
        if not ok:
            checker.failures[-1] += f"\n    → {_FIT_REQUIREMENT}"
            return checker.report()
        received = [float(v) for v in history.history.get("mean_abs", [])]
        checker.expect(
            len(received) == len(expected) and np.allclose(received, expected, atol=1e-5),
            f"fit() 기록의 mean_abs가 {np.round(expected, 4).tolist()}이어야 하는데 "
            f"{np.round(received, 4).tolist() if received else sorted(history.history)}입니다."
            f"\n    → {_FIT_REQUIREMENT}",
        )
    return checker.report()


_HISTORIES = {}


def _reference_history(x):
    backend = keras.backend.backend()
    if backend not in _HISTORIES:
        history = _fit_with_monitor(reference.MeanAbsMonitor, x)
        _HISTORIES[backend] = [float(v) for v in history.history["mean_abs"]]
    return _HISTORIES[backend]


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
    trace_like_compiled_fit(model, [x])
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
    `tf.GradientTape` 안에서 `model(x, training=True)`로 예측하고, 주 손실 `loss_fn(y, 예측)`에
    그 호출로 생긴 `model.losses`의 합을 더한 전체 손실의 경사로 `optimizer`가 가중치를 한 번
    갱신한 뒤, 전체 손실(스칼라)을 돌려줍니다.

    채점기는 가중치 정칙화, `add_loss()` 손실, 훈련 중에만 더하는 손실이 모두 있는 작은 모델을
    두 벌 만들어, 한 벌은 모범 답안(`reference.train_step`)으로, 다른 한 벌은 `train_step`으로 세
    단계 (마지막
    단계는 `tf.function` 안에서) 훈련하고 돌려준 손실과 갱신된 가중치를 비교합니다. 틀리면
    흔한 실수들을 직접 흉내 내어 어느 것과 같은지 알려 줍니다.

    Args:
        train_step: 독자가 만든 함수.

    Returns:
        `CheckReport`.

    Example:

    >>> check_train_step(train_step)  # doctest: +SKIP
    ✅ 연습 3-3 train_step 함수: 통과했습니다 (...개 항목 확인).
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
    # Adam: 손으로 쓴 SGD 갱신이나 optimizer를 건너뛴 갱신은 첫 단계부터 다른 가중치를 냅니다.
    expected_optimizer = _step_optimizer()
    reader_optimizer = _step_optimizer()
    # 세 번째 단계는 컴파일된 함수 안에서 부릅니다. 독자의 train_step은 모델의 가중치를 제자리에서
    # 고치므로 jax.jit으로는 감쌀 수 없고, PyTorch 백엔드의 Keras는 컴파일하지 않습니다. 그래서
    # 컴파일은 TensorFlow(tf.function)에서만 하고, 다른 백엔드에서는 세 단계 모두 즉시 실행합니다.
    compiled = compile_train_step(train_step)

    # 독자의 모델에서 model.losses를 읽지 않습니다: 컴파일된 train_step이 남긴 그래프 텐서일 수
    # 있습니다. "이전 호출의 손실"은 그 호출을 흉내 내는 모델(scratch)에서 다시 셉니다.
    previous = (reader_model.get_weights(), warm_up)

    with checker:
        for step, (x, y) in enumerate(batches, start=1):
            inside = step == 3
            label = f"{step}번째 train_step"
            before = reader_model.get_weights()
            stale = _stale_losses(scratch, *previous)
            previous = (before, x)
            expected_loss = scalar_or_none(
                reference.train_step(expected_model, expected_optimizer, loss_fn, x, y)
            )
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
            if received is not None and not keras.ops.is_tensor(value):
                checker.require(
                    False,
                    f"{label}은 전체 손실을 스칼라 텐서로 돌려줘야 하는데 "
                    f"{type(value).__name__}을(를) 돌려줬습니다 (.numpy()나 float()로 바꾸지 "
                    "마세요: TensorFlow에서는 세 번째 단계가 tf.function 안에서 돌고, 어느 "
                    "백엔드에서나 값을 NumPy로 꺼내면 그때마다 계산이 멈춰 기다립니다).",
                )
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
                # 흔한 실수의 가중치는 새 Adam으로 다시 계산하므로 첫 단계에서만 맞춰 봅니다.
                hint = _weights_hint(scratch, before, loss_fn, x, y, after) if step == 1 else ""
                checker.require(
                    False,
                    f"{label} 뒤 가중치가 기대와 최대 {gap:.4f}만큼 다릅니다{hint}.",
                )
            checker.count_pass()
            checker.stop()  # 다음 단계에서 같은 실수를 다시 보고하지 않습니다.
    return checker.report()


def _step_optimizer():
    return keras.optimizers.Adam(0.01)


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


def _stale_losses(scratch, weights, x):
    """`weights`의 모델을 `x`로 (훈련 중처럼) 부른 뒤의 `model.losses` 합: 이전 호출의 손실."""
    scratch.set_weights(weights)
    scratch(x, training=True)
    losses = list(scratch.losses)
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
        _step(scratch, _step_optimizer(), loss_fn, x, y, mode=mode)
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
