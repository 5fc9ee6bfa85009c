"""7장 연습 문제 채점기: `keras.Model` 서브클래스와 잔차 블록."""

import os
import tempfile

import keras
import numpy as np

from companion.exercises._layer_calls import call_layer
from companion.exercises.checker import Checker, require_class
from companion.settings import SEED


def _shapes(variables):
    return sorted(tuple(int(d) for d in v.shape) for v in variables)


def _mlp_weight_shapes(n_features, hidden_units, num_classes):
    widths = [n_features, *hidden_units, num_classes]
    shapes = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True):
        shapes += [(fan_in, fan_out), (fan_out,)]
    return sorted(shapes)


def _classification_data():
    # 세 클래스를 특성 세 개 중 가장 큰 값으로 정하는, 작은 MLP가 쉽게 배우는 문제입니다.
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(256, 6)).astype("float32")
    y = np.argmax(x[:, :3], axis=1)
    return x, y


def _fit(model, x, y, loss, epochs):
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss)
    history = model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
    return history.history["loss"]


def _save_and_load(model, x):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        loaded = keras.saving.load_model(path)
        return loaded, keras.ops.convert_to_numpy(loaded.predict(x, verbose=0))


def check_mlp_classifier(model_class):
    """연습 7-1: `keras.Model`을 상속한 `MLPClassifier`를 채점합니다.

    기대하는 것: `model_class(hidden_units=(8, 4), num_classes=3, name="mlp")`처럼 만들 수
    있고, `hidden_units`의 개수와 크기대로 ReLU 은닉 `Dense` 층을 쌓은 뒤 `num_classes`개의
    확률(소프트맥스)을 내는 `Dense` 층으로 끝납니다. `get_config()`에 `hidden_units`와
    `num_classes`가 들어 있어 `from_config()`로 같은 구조를 다시 만들 수 있고,
    `@keras.saving.register_keras_serializable()`로 등록되어 `.keras` 파일로 저장했다
    불러와도 예측이 같으며, `compile()`/`fit()`으로 훈련하면 손실이 줄어야 합니다.

    Args:
        model_class: 독자가 만든 모델 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`. 노트북에서 출력하면 통과 여부와 고칠 점을 보여 줍니다.

    Example:

    >>> check_mlp_classifier(MLPClassifier)  # doctest: +SKIP
    ✅ 연습 7-1 MLPClassifier 모델: 통과했습니다 (13개 항목 확인).
    """
    require_class(model_class, "model_class")
    checker = Checker("연습 7-1 MLPClassifier 모델")
    if not checker.expect(
        issubclass(model_class, keras.Model),
        f"keras.Model을 상속해야 하는데 {model_class.__name__}의 부모 클래스는 "
        f"{[base.__name__ for base in model_class.__mro__[1:]]}입니다.",
    ):
        return checker.report()
    x, y = _classification_data()

    ok, model = checker.run(
        'MLPClassifier(hidden_units=(8, 4), num_classes=3, name="mlp") 만들기',
        model_class,
        hidden_units=(8, 4),
        num_classes=3,
        name="mlp",
    )
    if not ok:
        return checker.report()
    checker.expect(
        model.name == "mlp",
        f'모델 이름이 "mlp"여야 하는데 {model.name!r}입니다 '
        "(**kwargs를 super().__init__(**kwargs)에 넘기세요).",
    )
    ok, probabilities = checker.run("모델 호출", call_layer, model, x[:5])
    if not ok:
        return checker.report()
    if checker.expect_equal("출력 모양", (5, 3), tuple(probabilities.shape)):
        checker.expect(
            np.allclose(probabilities.sum(axis=-1), 1.0, atol=1e-4) and (probabilities >= 0).all(),
            "출력의 각 행이 합이 1인 확률이어야 하는데 그렇지 않습니다 "
            '(마지막 Dense 층에 activation="softmax"를 주세요).',
        )
    expected_shapes = _mlp_weight_shapes(6, (8, 4), 3)
    checker.expect(
        _shapes(model.trainable_weights) == expected_shapes,
        f"hidden_units=(8, 4), num_classes=3, 입력 특성 6개일 때 훈련 가능 가중치의 모양이 "
        f"{expected_shapes}여야 하는데 {_shapes(model.trainable_weights)}입니다.",
    )

    ok, small = checker.run(
        "MLPClassifier(hidden_units=(16,), num_classes=2) 만들기",
        model_class,
        hidden_units=(16,),
        num_classes=2,
    )
    if ok and checker.run("두 번째 모델 호출", call_layer, small, x[:5])[0]:
        expected_shapes = _mlp_weight_shapes(6, (16,), 2)
        checker.expect(
            _shapes(small.trainable_weights) == expected_shapes,
            f"hidden_units=(16,), num_classes=2일 때 훈련 가능 가중치의 모양이 "
            f"{expected_shapes}여야 하는데 {_shapes(small.trainable_weights)}입니다 "
            "(hidden_units의 개수와 크기대로 층을 만드세요).",
        )

    ok, config = checker.run("get_config()", model.get_config)
    if ok:
        hidden = config.get("hidden_units")
        checker.expect(
            hidden is not None and list(hidden) == [8, 4],
            f'get_config()["hidden_units"]가 (8, 4)여야 하는데 {hidden!r}입니다 '
            "(Model 서브클래스는 get_config()를 직접 써야 합니다).",
        )
        checker.expect_equal('get_config()["num_classes"]', 3, config.get("num_classes"))
        ok, clone = checker.run("from_config(get_config())", model_class.from_config, config)
        if ok and checker.run("from_config로 만든 모델 호출", call_layer, clone, x[:5])[0]:
            checker.expect(
                _shapes(clone.weights) == _shapes(model.weights),
                f"from_config()로 다시 만든 모델의 가중치 모양 {_shapes(clone.weights)}이 "
                f"원래 모델의 {_shapes(model.weights)}와 다릅니다 "
                "(get_config()에 생성자 인자를 모두 넣으세요).",
            )

    registered = keras.saving.get_registered_object(keras.saving.get_registered_name(model_class))
    if checker.expect(
        registered is model_class,
        "클래스가 직렬화 대상으로 등록되지 않았습니다 "
        '(@keras.saving.register_keras_serializable(package="exercises")를 붙이세요).',
    ):
        expected = keras.ops.convert_to_numpy(model.predict(x[:5], verbose=0))
        ok, result = checker.run(".keras 파일로 저장했다 불러오기", _save_and_load, model, x[:5])
        if ok:
            loaded, predictions = result
            checker.expect(
                type(loaded) is model_class,
                f"불러온 모델이 {model_class.__name__}이어야 하는데 {type(loaded).__name__}입니다.",
            )
            checker.expect_close("불러온 모델의 예측", expected, predictions, atol=1e-5)

    ok, losses = checker.run(
        "compile()과 fit()으로 훈련",
        _fit,
        model,
        x,
        y,
        "sparse_categorical_crossentropy",
        15,
    )
    if ok:
        checker.expect(
            losses[-1] < 0.7 * losses[0],
            f"15 에포크 훈련하면 손실이 처음의 70% 아래로 줄어야 하는데 "
            f"{losses[0]:.3f}에서 {losses[-1]:.3f}로 바뀌었습니다.",
        )
    return checker.report()


def check_dense_residual_block(layer_class):
    """연습 7-2: 완전 연결 잔차 블록 `DenseResidualBlock`을 채점합니다.

    기대하는 것: `layer_class(units)`로 만들 수 있고, 주 경로는
    `Dense(units, activation="relu")` → `Dense(units)`, 지름길은 입력 특성 수가
    `units`와 같으면 입력 그대로, 다르면 편향 없는 `Dense(units, use_bias=False)` 사영이며,
    둘을 더한 뒤 ReLU를 적용합니다. 사영은 필요할 때만 만들어야 하고 (가중치 4개 또는 5개),
    `get_config()`에 `units`가 들어 있어야 하며, 다른 층과 함께 `fit()`으로 훈련됩니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_dense_residual_block(DenseResidualBlock)  # doctest: +SKIP
    ✅ 연습 7-2 DenseResidualBlock 층: 통과했습니다 (9개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 7-2 DenseResidualBlock 층")
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(5, 4)).astype("float32")

    # 입력과 출력의 폭이 같을 때: 지름길은 입력 그대로.
    ok, same = checker.run("DenseResidualBlock(4) 만들기", layer_class, 4)
    if not ok:
        return checker.report()
    ok, y = checker.run("폭이 같은 입력으로 호출", call_layer, same, x)
    if not ok:
        return checker.report()
    checker.expect_equal("폭이 같을 때 출력 모양", (5, 4), tuple(y.shape))
    checker.expect((y >= 0).all(), "출력에 음수가 있습니다 (두 경로를 더한 뒤 ReLU를 적용하세요).")
    n_weights = len(same.weights)
    checker.expect(
        n_weights == 4,
        f"입력 폭이 units와 같으면 가중치가 4개(Dense 두 개의 커널과 편향)여야 하는데 "
        f"{n_weights}개입니다 (사영은 폭이 다를 때만 만드세요).",
    )
    # 주 경로의 가중치를 모두 0으로 두면 잔차 연결만 남아 relu(x)가 나와야 합니다.
    for variable in same.weights:
        variable.assign(np.zeros(variable.shape, dtype=variable.dtype))
    ok, y = checker.run("가중치를 모두 0으로 둔 뒤 호출", call_layer, same, x)
    if ok:
        checker.expect_close(
            "가중치가 모두 0일 때 출력 (지름길로 온 입력에 ReLU를 적용한 값)",
            np.maximum(x, 0.0),
            y,
        )

    # 폭이 다를 때: 지름길에 편향 없는 사영.
    ok, wide = checker.run("DenseResidualBlock(6) 만들기", layer_class, 6)
    if ok:
        ok, y = checker.run("폭이 다른 입력으로 호출", call_layer, wide, x)
    if ok:
        checker.expect_equal("폭이 다를 때 출력 모양", (5, 6), tuple(y.shape))
        shapes = _shapes(wide.weights)
        expected_shapes = sorted([(4, 6), (6,), (6, 6), (6,), (4, 6)])
        checker.expect(
            shapes == expected_shapes,
            f"입력 폭 4, units=6이면 가중치 모양이 {expected_shapes}여야 하는데 {shapes}입니다 "
            "(사영은 편향 없는 Dense(units, use_bias=False) 하나입니다).",
        )
        if shapes == expected_shapes:
            # (4, 6) 커널 두 개(첫 Dense와 사영)를 같은 행렬 P로, 나머지를 0으로 두면
            # 주 경로는 0이 되고 출력은 relu(x @ P)여야 합니다.
            p = rng.normal(size=(4, 6)).astype("float32")
            for variable in wide.weights:
                value = p if tuple(variable.shape) == (4, 6) else np.zeros(variable.shape)
                variable.assign(value.astype(variable.dtype))
            ok, y = checker.run("사영만 남긴 뒤 호출", call_layer, wide, x)
            if ok:
                checker.expect_close(
                    "주 경로를 0으로 두었을 때 출력 (사영한 입력에 ReLU를 적용한 값)",
                    np.maximum(x @ p, 0.0),
                    y,
                )

    ok, config = checker.run("get_config()", same.get_config)
    if ok:
        checker.expect_equal('get_config()["units"]', 4, config.get("units"))

    def fit_small_model():
        model = keras.Sequential(
            [keras.Input((4,)), layer_class(8), layer_class(8), keras.layers.Dense(1)]
        )
        targets = np.sin(x_train[:, :1]) + np.abs(x_train[:, 1:2])
        return _fit(model, x_train, targets, "mse", 20)

    x_train = rng.normal(size=(256, 4)).astype("float32")
    ok, losses = checker.run("Sequential 모델 안에서 fit()으로 훈련", fit_small_model)
    if ok:
        checker.expect(
            losses[-1] < 0.5 * losses[0],
            "20 에포크 훈련하면 손실이 처음의 절반 아래로 줄어야 하는데 "
            f"{losses[0]:.3f}에서 {losses[-1]:.3f}로 바뀌었습니다.",
        )
    return checker.report()
