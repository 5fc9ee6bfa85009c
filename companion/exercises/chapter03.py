"""3장 연습 문제 채점기: `add_loss()`로 더하는 손실, 층 안의 지표, 손실을 쓰는 훈련 단계."""

import keras
import numpy as np

from companion.exercises._layer_calls import call_layer
from companion.exercises.checker import Checker, quiet_tensorflow_logs, require_class
from companion.layers.activity_regularization_layer import ActivityRegularizationLayer
from companion.settings import SEED

_X = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -4.0]], dtype="float32")
_X2 = np.array([[-1.0, 2.5, 0.5], [3.0, -0.5, 1.0]], dtype="float32")


def check_l1_activity_dense(layer_class):
    """연습 3-1: 출력의 L1 크기에 벌점을 매기는 `L1ActivityDense` 층을 채점합니다.

    기대하는 것: `layer_class(units, factor=0.01)`로 만들 수 있고, 호출하면
    `inputs @ kernel + bias` (모양 `(batch_size, units)`)를 돌려주면서
    `factor * sum(abs(outputs))`를 `add_loss()`로 더합니다. 손실은 호출할 때마다
    그 호출의 출력으로 새로 계산되어 `layer.losses`에 1개만 있어야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_l1_activity_dense(L1ActivityDense)  # doctest: +SKIP
    ✅ 연습 3-1 L1ActivityDense 층: 통과했습니다 (8개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 3-1 L1ActivityDense 층")
    ok, layer = checker.run("L1ActivityDense(4, factor=0.1) 만들기", layer_class, 4, factor=0.1)
    if not ok:
        return checker.report()

    # 같은 실수가 호출마다 되풀이되어 보고되지 않도록 손실이 틀리면 그 자리에서 멈춥니다.
    for call, x in (("첫", _X), ("두 번째", _X2[:1])):
        ok, y = checker.run(f"{call} 호출", call_layer, layer, x)
        if not ok:
            return checker.report()
        expected_shape = (len(x), 4)
        if not checker.expect_equal(f"{call} 호출의 출력 모양", expected_shape, tuple(y.shape)):
            return checker.report()
        if not _expect_l1_loss(checker, f"{call} 호출", layer, x, y, factor=0.1):
            return checker.report()

    ok, default = checker.run("L1ActivityDense(2) 만들기 (factor 기본값)", layer_class, 2)
    if ok:
        ok, y = checker.run("factor 기본값으로 만든 층 호출", call_layer, default, _X)
        if ok:
            _expect_l1_loss(checker, "factor 기본값(0.01)으로 호출", default, _X, y, factor=0.01)
    return checker.report()


def _expect_l1_loss(checker, when, layer, x, y, factor):
    losses = list(layer.losses)
    if not checker.expect(
        len(losses) == 1,
        f"{when} 뒤 layer.losses에는 손실이 1개 있어야 하는데 {len(losses)}개입니다"
        + (" (build()가 아니라 call() 안에서 self.add_loss()를 부르세요)." if not losses else "."),
    ):
        return False
    value = _scalar(losses[0])
    if value is None:
        shape = tuple(np.shape(keras.ops.convert_to_numpy(losses[0])))
        return checker.fail(
            f"{when} 뒤 손실은 스칼라여야 하는데 모양이 {shape}입니다 (ops.sum으로 합하세요)."
        )
    expected = factor * np.abs(y).sum()
    if np.isclose(value, expected, rtol=1e-5, atol=1e-6):
        checker.checks += 1
        return True
    guesses = (
        (factor * np.square(y).sum(), " (절댓값 대신 제곱을 더한 것 같습니다)"),
        (np.abs(y).sum(), " (factor를 곱하지 않은 것 같습니다)"),
        (factor * np.abs(y).mean(), " (합 대신 평균을 낸 것 같습니다)"),
        (factor * np.abs(x).sum(), " (출력이 아니라 입력에 벌점을 매긴 것 같습니다)"),
    )
    hint = next((text for guess, text in guesses if np.isclose(value, guess, rtol=1e-5)), "")
    return checker.fail(
        f"{when} 뒤 손실 값은 factor * sum(abs(출력)) = {expected:.4f}이어야 하는데 "
        f"{value:.4f}입니다{hint}."
    )


def check_mean_abs_monitor(layer_class):
    """연습 3-2: 입력의 절댓값 평균을 지표로 기록하는 `MeanAbsMonitor` 층을 채점합니다.

    기대하는 것: `layer_class()`로 만들 수 있고, 입력을 그대로 돌려주면서
    `keras.metrics.Mean(name="mean_abs")` 지표에 입력 원소의 절댓값을 누적합니다.
    지표는 `layer.metrics`에 나타나고, 이 층이 든 모델을 `fit()`으로 훈련하면
    기록(`history.history`)에 `"mean_abs"` 키로 나타나야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_mean_abs_monitor(MeanAbsMonitor)  # doctest: +SKIP
    ✅ 연습 3-2 MeanAbsMonitor 층: 통과했습니다 (6개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 3-2 MeanAbsMonitor 층")
    ok, layer = checker.run("MeanAbsMonitor() 만들기", layer_class)
    if not ok:
        return checker.report()
    ok, y = checker.run("첫 호출", call_layer, layer, _X)
    if not ok:
        return checker.report()
    checker.expect_close("출력 (입력을 그대로 돌려줘야 합니다)", _X, y)

    names = [getattr(metric, "name", repr(metric)) for metric in layer.metrics]
    if not checker.expect(
        names == ["mean_abs"],
        f"layer.metrics에는 이름이 'mean_abs'인 지표 1개가 있어야 하는데 {names}입니다"
        + (
            " (__init__에서 keras.metrics.Mean(name='mean_abs')를 만들어 self의 속성에 담으세요)."
            if not names
            else "."
        ),
    ):
        return checker.report()
    # 지표 값이 한 번 틀리면 같은 실수를 되풀이해 보고하지 않도록 거기서 멈춥니다.
    metric = layer.metrics[0]
    ok, result = checker.run("첫 호출 뒤 지표 값 읽기", _result, metric)
    if not ok or not _expect_metric(checker, "첫 호출 뒤 지표 값", np.abs(_X).mean(), result, _X):
        return checker.report()
    ok, _ = checker.run("두 번째 호출", call_layer, layer, _X2)
    if not ok:
        return checker.report()
    ok, result = checker.run("두 번째 호출 뒤 지표 값 읽기", _result, metric)
    expected = np.abs(np.concatenate([_X, _X2])).mean()
    if not ok or not _expect_metric(
        checker, "두 번째 호출 뒤 지표 값 (두 입력 전체의 평균)", expected, result
    ):
        return checker.report()

    x = np.random.default_rng(SEED).normal(size=(8, 3)).astype("float32")
    ok, history = checker.run("모델에 넣어 fit()으로 훈련", _fit_with_monitor, layer_class, x)
    if ok:
        keys = sorted(history.history)
        if checker.expect(
            "mean_abs" in keys,
            f"fit() 기록에는 'mean_abs' 키가 있어야 하는데 키가 {keys}뿐입니다.",
        ):
            _expect_metric(
                checker,
                "fit() 기록의 mean_abs (훈련 데이터의 절댓값 평균)",
                np.abs(x).mean(),
                float(history.history["mean_abs"][0]),
                x,
            )
    return checker.report()


def _expect_metric(checker, what, expected, received, x=None):
    if received is None:
        return checker.fail(f"{what}: 스칼라 {expected:.4f}이어야 하는데 스칼라가 아닙니다.")
    if np.isclose(expected, received, atol=1e-4):
        checker.checks += 1
        return True
    hint = ""
    if x is not None and np.isclose(received, x.mean(), atol=1e-4):
        hint = " (절댓값을 취하지 않은 것 같습니다)"
    elif np.isclose(received, 0.0):
        hint = " (call()에서 update_state()를 불렀나요?)"
    return checker.fail(f"{what}: {expected:.4f}이어야 하는데 {received:.4f}입니다{hint}.")


@quiet_tensorflow_logs
def _fit_with_monitor(layer_class, x):
    inputs = keras.Input((x.shape[1],))
    outputs = keras.layers.Dense(1)(layer_class()(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    return model.fit(x, np.zeros((len(x), 1), "float32"), batch_size=len(x), verbose=0)


def check_train_step(train_step):
    """연습 3-3: `model.losses`까지 최소화하는 훈련 단계 함수 `train_step`을 채점합니다.

    기대하는 것: `train_step(model, optimizer, loss_fn, x, y)`가 `tf.GradientTape` 안에서
    `model(x, training=True)`로 예측하고, 주 손실 `loss_fn(y, 예측)`에 그 호출로 생긴
    `model.losses`의 합을 더한 전체 손실의 경사로 `optimizer`가 가중치를 한 번 갱신한 뒤,
    전체 손실(스칼라)을 돌려줍니다.

    채점기는 가중치 정칙화와 `add_loss()` 손실이 모두 있는 작은 모델을 두 벌 만들어,
    한 벌은 기대하는 방식으로, 다른 한 벌은 `train_step`으로 한 단계씩 훈련하고
    돌려준 손실과 갱신된 가중치를 비교합니다.

    Args:
        train_step: 독자가 만든 함수.

    Returns:
        `CheckReport`.

    Example:

    >>> check_train_step(train_step)  # doctest: +SKIP
    ✅ 연습 3-3 train_step 함수: 통과했습니다 (4개 항목 확인).
    """
    if not callable(train_step) or isinstance(train_step, type):
        raise TypeError(f"train_step에는 함수를 넘겨야 합니다. 받은 값: {train_step!r}")
    checker = Checker("연습 3-3 train_step 함수")
    rng = np.random.default_rng(SEED)
    batches = [
        (rng.normal(size=(8, 3)).astype("float32"), rng.normal(size=(8, 1)).astype("float32"))
        for _ in range(2)
    ]
    expected_model, reader_model = _train_step_model(), _train_step_model()
    reader_model.set_weights(expected_model.get_weights())
    # 두 모델 모두 한 번 호출해 두어 model.losses에 이전 호출의 손실이 남아 있게 합니다.
    warm_up = rng.normal(size=(4, 3)).astype("float32")
    expected_model(warm_up)
    reader_model(warm_up)
    loss_fn = keras.losses.MeanSquaredError()
    expected_optimizer = keras.optimizers.SGD(0.1)
    reader_optimizer = keras.optimizers.SGD(0.1)

    for step, (x, y) in enumerate(batches, start=1):
        before = [keras.ops.convert_to_numpy(w) for w in reader_model.trainable_weights]
        expected_loss, main_loss = _reference_step(
            expected_model, expected_optimizer, loss_fn, x, y
        )
        ok, value = checker.run(
            f"{step}번째 train_step 호출",
            train_step,
            reader_model,
            reader_optimizer,
            loss_fn,
            x,
            y,
        )
        if not ok:
            return checker.report()
        received = _scalar(value)
        if received is None:
            shape = tuple(np.shape(value)) if _is_array_like(value) else type(value).__name__
            checker.fail(
                f"{step}번째 train_step은 전체 손실을 스칼라 하나로 돌려줘야 하는데 "
                f"{shape}을(를) 돌려줬습니다 (model.losses는 리스트이니 sum()으로 더하세요)."
            )
            return checker.report()
        if np.isclose(received, expected_loss, rtol=1e-4, atol=1e-5):
            checker.checks += 1
        else:
            hint = (
                " (주 손실에 model.losses의 합을 더했나요?)"
                if np.isclose(received, main_loss, rtol=1e-4, atol=1e-5)
                else " (model.losses는 모델을 호출한 뒤, 테이프 안에서 읽어야 합니다)"
            )
            checker.fail(
                f"{step}번째 train_step이 돌려준 손실은 {expected_loss:.4f}이어야 하는데 "
                f"{received:.4f}입니다{hint}."
            )
        after = [keras.ops.convert_to_numpy(w) for w in reader_model.trainable_weights]
        wanted = [keras.ops.convert_to_numpy(w) for w in expected_model.trainable_weights]
        if all(np.array_equal(a, b) for a, b in zip(after, before, strict=True)):
            checker.fail(
                f"{step}번째 train_step 뒤에도 가중치가 그대로입니다 "
                "(optimizer.apply_gradients()로 경사를 적용하세요)."
            )
            return checker.report()
        gap = max(float(np.max(np.abs(a - w))) for a, w in zip(after, wanted, strict=True))
        if not checker.expect(
            gap < 1e-4,
            f"{step}번째 train_step 뒤 가중치가 기대와 최대 {gap:.4f}만큼 다릅니다 "
            "(경사는 주 손실과 model.losses를 더한 전체 손실에 대해, 테이프 안에서 계산한 "
            "값으로 구해야 합니다).",
        ):
            return checker.report()
        if checker.failures:
            # 다음 단계에서 같은 실수를 다시 보고하지 않습니다.
            return checker.report()
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
    outputs = keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed=SEED))(
        hidden
    )
    return keras.Model(inputs, outputs)


def _reference_step(model, optimizer, loss_fn, x, y):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        prediction = model(x, training=True)
        main_loss = loss_fn(y, prediction)
        total_loss = main_loss + keras.ops.sum(keras.ops.stack(model.losses))
    gradients = tape.gradient(total_loss, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
    return float(total_loss), float(main_loss)


def _scalar(value):
    """`value`가 원소 하나짜리면 파이썬 `float`로, 아니면 `None`을 돌려줍니다."""
    try:
        array = np.asarray(keras.ops.convert_to_numpy(value), dtype="float64")
    except (TypeError, ValueError):
        return None
    return float(array.reshape(())) if array.size == 1 else None


def _is_array_like(value):
    try:
        np.shape(value)
    except Exception:  # 모양을 알 수 없는 값은 자료형 이름으로 보고합니다.
        return False
    return True


def _result(metric):
    return _scalar(metric.result())
