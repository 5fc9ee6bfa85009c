"""7장 연습 문제 채점기: `keras.Model` 서브클래스와 잔차 블록.

요구 사항 → 확인 (연습 문제의 요구 사항마다 확인이 하나 이상 있습니다).

연습 7-1 `check_mlp_classifier` (10개):

1. `keras.Model`을 상속 → `issubclass(model_class, keras.Model)`.
2. 기본값 `hidden_units=(32,)`, `num_classes=10` → `model_class()`의 가중치 모양이 6→32→10.
3. `**kwargs`를 `super().__init__`에 → `name="mlp"`가 모델 이름이 됨.
4. `hidden_units`마다 ReLU `Dense` → (8, 4)와 (16, 12, 5)에서 가중치 모양; 시드 고정한 0이
   아닌 가중치로 NumPy 계산과 값 비교 (ReLU가 빠졌거나 편향이 없으면 따로 알림).
5. 마지막 층은 로짓 (소프트맥스 없음) → 값 비교; 소프트맥스 확률이면 따로 알림.
6. 입력 특성 수·배치 크기를 고정하지 않음 → 특성 6개·배치 5와 특성 9개·배치 7.
7. `get_config()`에 두 인자 → 값, `from_config()` 왕복 뒤 가중치 모양.
8. 등록하고 `.keras`로 저장·불러오기 → 등록 여부, 불러온 모델의 클래스와 예측.
9. 모든 가중치로 경사가 흐름 → `missing_gradients` (GradientTape, jax.grad, torch.autograd)로
   가중치마다 0이 아닌 경사.
10. `SparseCategoricalCrossentropy(from_logits=True)`로 훈련 → `compiled_training`(`tf.function`,
    `jax.jit`, PyTorch는 즉시 실행)으로 컴파일한 훈련 단계 30번에 손실이 처음의 70% 아래로.

연습 7-2 `check_dense_residual_block` (8개):

1. `DenseResidualBlock(units, **kwargs)` → `name="block"`이 층 이름이 됨.
2. 주 경로 `Dense(units, relu)` → `Dense(units)` → 시드 고정한 0이 아닌 가중치로 NumPy
   계산과 값 비교 (첫 Dense의 ReLU가 빠지면 값이 달라짐).
3. 폭이 같으면 지름길은 입력 그대로 → 가중치 4개, 값 비교.
4. 폭이 다르면 편향 없는 투영, 필요할 때만 → 가중치 모양 5개, 값 비교.
5. 마지막 축을 보고 판단 (`input_shape[1]`이 아님) → 3차원 입력 `(2, 6, 4)`와 `units=6`,
   배치 크기 5와 3.
6. 더한 뒤 ReLU → 값 비교 (ReLU를 더하기 전에 쓰면 따로 알림).
7. `get_config()`에 `units` → 값, `from_config()` 왕복.
8. 모든 가중치로 경사가 흐르고 훈련됨 → `missing_gradients`, `Sequential` 안에서 `compiled_training`
   훈련 단계 40번에 손실이 절반 아래로.
"""

import itertools
import os
import tempfile

import keras
import numpy as np

from companion.exercises.checker import (
    Checker,
    compiled_training,
    exercise,
    missing_gradients,
    numpy_of,
    quiet_tensorflow_logs,
    require_class,
    set_fan_in_scaled_weights,
)
from companion.settings import SEED


def _expect_gradients(checker, model, x, loss_fn):
    ok, missing = checker.run(
        "경사 계산",
        missing_gradients,
        lambda: loss_fn(model(x)),
        lambda: model.trainable_weights,
    )
    if ok:
        checker.expect(
            not missing,
            f"훈련 가능한 가중치 {missing}에 경사가 흐르지 않습니다 (call()에서 가중치를 NumPy로 "
            "바꾸거나 쓰지 않는 층을 만들지 않았는지 확인하세요).",
        )


def _compiled_training(model, x, y, loss_fn, steps, learning_rate=0.1):
    """컴파일한 훈련 단계(`compiled_training`)를 `steps`번 돌리고 단계별 손실을 돌려줍니다.

    `fit()`과 같은 그래프 실행이지만, 추적(tracing)이 한 번뿐이고 상태 없는 SGD를 써서
    훨씬 빠릅니다.
    """
    return compiled_training(model, x, y, loss_fn, steps, learning_rate)


def _shapes(variables):
    return sorted(tuple(int(d) for d in v.shape) for v in variables)


def _save_and_load(model, x):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        loaded = keras.saving.load_model(path)
        return loaded, keras.ops.convert_to_numpy(loaded(x))


def _row(array):
    """배열의 첫 행을 소수 셋째 자리까지 반올림한 리스트로."""
    array = np.asarray(array, dtype="float64")
    return np.round(array.reshape(-1, array.shape[-1])[0], 3).tolist()


def _relu(x):
    return np.maximum(x, 0.0)


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# --- 연습 7-1 -------------------------------------------------------------------------------


def _mlp_weight_shapes(n_features, hidden_units, num_classes):
    widths = [n_features, *hidden_units, num_classes]
    shapes = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True):
        shapes += [(fan_in, fan_out), (fan_out,)]
    return sorted(shapes)


def _mlp_forward(x, values_by_shape, widths):
    """폭이 모두 다른 MLP를 가중치 모양으로 찾아 계산합니다: (로짓, 은닉 ReLU 없는 로짓)."""
    with_relu, without_relu = x.astype("float64"), x.astype("float64")
    for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
        kernel = values_by_shape[(fan_in, fan_out)]
        bias = values_by_shape[(fan_out,)]
        with_relu = with_relu @ kernel + bias
        without_relu = without_relu @ kernel + bias
        if i < len(widths) - 2:
            with_relu = _relu(with_relu)
    return with_relu, without_relu


def _classification_data(n_features=6, n=128):
    # 세 클래스를 특성 세 개 중 가장 큰 값으로 정하는, 작은 MLP가 쉽게 배우는 문제입니다.
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(n, n_features)).astype("float32")
    y = np.argmax(x[:, :3], axis=1)
    return x, y


def _expect_mlp_values(checker, model, x, widths):
    """시드 고정한 가중치로 모델 출력을 NumPy로 계산한 로짓과 비교합니다."""
    values = set_fan_in_scaled_weights(model.weights, SEED)
    by_shape = {tuple(v.shape): values[id(v)] for v in model.weights}
    logits, no_relu = _mlp_forward(x, by_shape, widths)
    output = checker.call(f"시드 고정한 가중치로 모델 호출 (입력 {x.shape})", numpy_of, model, x)
    what = f"hidden_units={tuple(widths[1:-1])}, num_classes={widths[-1]}인 모델의 출력"
    if np.allclose(output, logits, atol=1e-4):
        checker.checks += 1
        return True
    if np.allclose(output, _softmax(logits), atol=1e-4):
        hint = (
            "출력이 로짓이 아니라 소프트맥스 확률입니다. 마지막 Dense 층에서 "
            'activation="softmax"를 빼고 로짓을 그대로 돌려주세요 (손실은 from_logits=True로 '
            "계산합니다)."
        )
    elif np.allclose(output, _relu(logits), atol=1e-4):
        hint = "마지막 Dense 층에 ReLU가 있습니다. 마지막 층은 활성화 없이 로짓을 내야 합니다."
    elif np.allclose(output, no_relu, atol=1e-4):
        hint = '은닉층에 ReLU가 없습니다. 은닉 Dense 층에 activation="relu"를 주세요.'
    else:
        hint = "은닉 Dense(ReLU)를 hidden_units 순서대로 지난 뒤 활성화 없는 Dense로 끝나야 합니다."
    return checker.fail(
        f"{what}이 기대한 로짓 {_row(logits)}(첫 행)과 다르고 {_row(output)}입니다. {hint}"
    )


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 7-1 MLPClassifier 모델", "MLPClassifier")
def check_mlp_classifier(model_class):
    """연습 7-1: `keras.Model`을 상속해 로짓을 내는 `MLPClassifier`를 채점합니다.

    기대하는 것: `model_class(hidden_units=(32,), num_classes=10, **kwargs)`로 만들 수 있고,
    `hidden_units`의 개수와 크기대로 ReLU 은닉 `Dense` 층을 쌓은 뒤 활성화 없는
    `Dense(num_classes)`로 **로짓**을 냅니다. `get_config()`에 `hidden_units`와
    `num_classes`가 들어 있어 `from_config()`로 같은 구조를 다시 만들 수 있고, 등록되어
    `.keras` 파일로 저장했다 불러와도 예측이 같으며,
    `SparseCategoricalCrossentropy(from_logits=True)`로 컴파일한 훈련 단계를 돌리면 손실이
    줄어야 합니다.
    확인 항목은 모듈 설명의 표에 있습니다.

    Args:
        model_class: 독자가 만든 모델 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`. 노트북에서 출력하면 통과 여부와 고칠 점을 보여 줍니다.

    Example:

    >>> check_mlp_classifier(MLPClassifier)  # doctest: +SKIP
    ✅ 연습 7-1 MLPClassifier 모델: 통과했습니다 (16개 항목 확인).
    """
    require_class(model_class, "model_class")
    checker = Checker("연습 7-1 MLPClassifier 모델")
    with checker:
        checker.require(
            issubclass(model_class, keras.Model),
            f"keras.Model을 상속해야 하는데 {model_class.__name__}의 부모 클래스는 "
            f"{[base.__name__ for base in model_class.__mro__[1:]]}입니다.",
        )
        x, y = _classification_data()

        model = checker.call(
            'MLPClassifier(hidden_units=(8, 4), num_classes=3, name="mlp") 만들기',
            model_class,
            hidden_units=(8, 4),
            num_classes=3,
            name="mlp",
        )
        checker.expect(
            model.name == "mlp",
            f'모델 이름이 "mlp"여야 하는데 {model.name!r}입니다 '
            "(**kwargs를 super().__init__(**kwargs)에 넘기세요).",
        )
        output = checker.call("모델 호출 (배치 5, 특성 6개)", numpy_of, model, x[:5])
        checker.require_equal("출력 모양 (배치 5, num_classes=3)", (5, 3), tuple(output.shape))
        expected_shapes = _mlp_weight_shapes(6, (8, 4), 3)
        checker.require(
            _shapes(model.trainable_weights) == expected_shapes,
            f"hidden_units=(8, 4), num_classes=3, 입력 특성 6개일 때 훈련 가능 가중치의 모양이 "
            f"{expected_shapes}여야 하는데 {_shapes(model.trainable_weights)}입니다 "
            "(hidden_units의 원소마다 편향 있는 Dense 층을 하나씩 만드세요).",
        )
        values_ok = _expect_mlp_values(checker, model, x[:5], [6, 8, 4, 3])

        # 다른 구조, 다른 특성 수, 다른 배치 크기.
        x9 = np.random.default_rng(SEED + 1).normal(size=(7, 9)).astype("float32")
        small = checker.call(
            "MLPClassifier(hidden_units=(16, 12, 5), num_classes=2) 만들기",
            model_class,
            hidden_units=(16, 12, 5),
            num_classes=2,
        )
        if checker.run("두 번째 모델 호출 (배치 7, 특성 9개)", numpy_of, small, x9)[0]:
            expected = _mlp_weight_shapes(9, (16, 12, 5), 2)
            if (
                checker.expect(
                    _shapes(small.trainable_weights) == expected,
                    f"hidden_units=(16, 12, 5), num_classes=2, 특성 9개일 때 훈련 가능 가중치의 "
                    f"모양이 {expected}여야 하는데 {_shapes(small.trainable_weights)}입니다 "
                    "(hidden_units의 개수와 크기대로 층을 만드세요).",
                )
                and values_ok
            ):  # 같은 실수를 두 번 알리지 않습니다.
                _expect_mlp_values(checker, small, x9, [9, 16, 12, 5, 2])

        # 생성자 기본값.
        ok, default = checker.run("MLPClassifier() 만들기 (기본값)", model_class)
        if ok and checker.run("기본값 모델 호출", numpy_of, default, x[:3])[0]:
            expected = _mlp_weight_shapes(6, (32,), 10)
            checker.expect(
                _shapes(default.trainable_weights) == expected,
                f"기본값 hidden_units=(32,), num_classes=10이면 가중치 모양이 {expected}여야 "
                f"하는데 {_shapes(default.trainable_weights)}입니다 (생성자 기본값을 확인하세요).",
            )

        _expect_mlp_config(checker, model_class, model, x[:5])
        _expect_mlp_saving(checker, model_class, model, x[:5])
        _expect_gradients(checker, model, x[:8], lambda logits: keras.ops.sum(logits**2))

        fresh = checker.call(
            "훈련할 새 모델 만들기", model_class, hidden_units=(16,), num_classes=3
        )
        # 백엔드마다 난수 생성기가 달라 초깃값도 다르므로, 시드 고정한 값을 넣어 어느 백엔드에서나
        # 같은 곳에서 훈련을 시작합니다.
        checker.call("훈련할 새 모델 호출", numpy_of, fresh, x[:2])
        set_fan_in_scaled_weights(fresh.trainable_weights, SEED + 7)
        losses = checker.call(
            "SparseCategoricalCrossentropy(from_logits=True)로 컴파일한 훈련 단계",
            _compiled_training,
            fresh,
            x,
            y,
            keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            30,
        )
        softmax_reported = any("소프트맥스 확률입니다" in failure for failure in checker.failures)
        # TensorFlow 백엔드의 손실은 소프트맥스 출력에서 로짓을 되찾아(_keras_logits) 쓰므로
        # 소프트맥스를 낸 모델도 잘 훈련되지만, JAX와 PyTorch에서는 그러지 못합니다. 이미 알린
        # 실수를 백엔드에 따라 한 번 더 보고하지 않도록, 그때는 손실이 줄었는지만 봅니다.
        threshold = 1.0 if softmax_reported else 0.7
        checker.expect(
            losses[-1] < threshold * losses[0],
            f"컴파일한 훈련 단계를 30번 돌리면 손실이 처음의 70% 아래로 줄어야 하는데 "
            f"{losses[0]:.3f}에서 {losses[-1]:.3f}로 바뀌었습니다.",
        )
    return checker.report()


def _expect_mlp_config(checker, model_class, model, x):
    ok, config = checker.run("get_config()", model.get_config)
    if not ok:
        return
    hidden = config.get("hidden_units")
    checker.expect(
        hidden is not None and list(hidden) == [8, 4],
        f'get_config()["hidden_units"]가 (8, 4)여야 하는데 {hidden!r}입니다 '
        "(Model 서브클래스는 get_config()를 직접 써야 합니다).",
    )
    checker.expect_equal('get_config()["num_classes"]', 3, config.get("num_classes"))
    ok, clone = checker.run("from_config(get_config())", model_class.from_config, config)
    if ok and checker.run("from_config로 만든 모델 호출", numpy_of, clone, x)[0]:
        checker.expect(
            _shapes(clone.weights) == _shapes(model.weights),
            f"from_config()로 다시 만든 모델의 가중치 모양 {_shapes(clone.weights)}이 "
            f"원래 모델의 {_shapes(model.weights)}와 다릅니다 "
            "(get_config()에 생성자 인자를 모두 넣으세요).",
        )


def _expect_mlp_saving(checker, model_class, model, x):
    registered = keras.saving.get_registered_object(keras.saving.get_registered_name(model_class))
    if not checker.expect(
        registered is model_class,
        "클래스가 직렬화 등록부에 등록되지 않았습니다 "
        '(@keras.saving.register_keras_serializable()를 붙이세요. 예: package="exercises").',
    ):
        return
    expected = numpy_of(model, x)
    ok, result = checker.run(".keras 파일로 저장했다 불러오기", _save_and_load, model, x)
    if ok:
        loaded, predictions = result
        checker.expect(
            type(loaded) is model_class,
            f"불러온 모델이 {model_class.__name__}이어야 하는데 {type(loaded).__name__}입니다.",
        )
        checker.expect_close("불러온 모델의 예측", expected, predictions, atol=1e-5)


# --- 연습 7-2 -------------------------------------------------------------------------------


def _block_candidates(x, weights, units):
    """가중치 역할(첫 Dense, 둘째 Dense, 투영)을 모양으로 나눠 가능한 배정마다 출력을 냅니다.

    같은 모양의 커널이 둘일 수 있으므로 (폭이 같을 때 두 Dense, 폭이 다를 때 첫 Dense와
    투영) 모든 배정을 시도합니다. `(올바른 출력, 더하기 전에 ReLU를 쓴 출력, 지름길이 없는
    출력)`을 냅니다.
    """
    x = x.astype("float64")
    n_in = x.shape[-1]
    kernels = [w for w in weights if w.ndim == 2]
    biases = [w for w in weights if w.ndim == 1]
    for k1, k2, *rest in itertools.permutations(kernels):
        if k1.shape != (n_in, units) or k2.shape != (units, units):
            continue
        if rest and rest[0].shape != (n_in, units):
            continue
        for b1, b2 in itertools.permutations(biases, 2):
            main = _relu(x @ k1 + b1) @ k2 + b2
            shortcut = x @ rest[0] if rest else x
            yield _relu(main + shortcut), _relu(main) + shortcut, _relu(main)


def _expect_block_values(checker, layer, x, units, when):
    values = set_fan_in_scaled_weights(layer.weights, seed=SEED + units)
    arrays = [values[id(v)] for v in layer.weights]
    output = checker.call(f"{when}: 시드 고정한 가중치로 호출", numpy_of, layer, x)
    candidates = list(_block_candidates(x, arrays, units))
    if not candidates:
        return checker.fail(f"{when}: 가중치 모양으로 주 경로와 지름길을 찾을 수 없습니다.")
    if any(np.allclose(output, good, atol=1e-4) for good, _, _ in candidates):
        checker.checks += 1
        return True
    if any(np.allclose(output, early, atol=1e-4) for _, early, _ in candidates):
        hint = "ReLU를 두 경로를 더하기 전에 적용했습니다. relu(주 경로 + 지름길)로 바꾸세요."
    elif any(np.allclose(output, alone, atol=1e-4) for _, _, alone in candidates):
        hint = "지름길이 빠졌습니다. 주 경로의 출력에 입력(또는 투영한 입력)을 더하세요."
    elif (output < 0).any():
        hint = "출력에 음수가 있습니다. 두 경로를 더한 뒤 ReLU를 적용하세요."
    else:
        hint = (
            "주 경로(Dense(units, relu) → Dense(units))와 지름길(입력 또는 투영)을 더한 뒤 "
            "ReLU를 적용했는지, 첫 Dense에 ReLU가 있는지 확인하세요."
        )
    good = candidates[0][0]
    return checker.fail(
        f"{when}: 출력이 기대한 값 {_row(good)}(첫 행)과 다르고 {_row(output)}입니다. {hint}"
    )


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 7-2 DenseResidualBlock 층", "DenseResidualBlock")
def check_dense_residual_block(layer_class):
    """연습 7-2: 완전 연결 잔차 블록 `DenseResidualBlock`을 채점합니다.

    기대하는 것: `layer_class(units, **kwargs)`로 만들 수 있고, 주 경로는
    `Dense(units, activation="relu")` → `Dense(units)`, 지름길은 입력의 마지막 축 크기가
    `units`와 같으면 입력 그대로, 다르면 편향 없는 `Dense(units, use_bias=False)` 투영이며,
    둘을 더한 뒤 ReLU를 적용합니다. 투영은 필요할 때만 만들고 (가중치 4개 또는 5개),
    `get_config()`에 `units`가 들어 있어야 하며, 다른 층과 함께 컴파일한 훈련 단계로 훈련됩니다.
    확인 항목은 모듈 설명의 표에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_dense_residual_block(DenseResidualBlock)  # doctest: +SKIP
    ✅ 연습 7-2 DenseResidualBlock 층: 통과했습니다 (11개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 7-2 DenseResidualBlock 층")
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(5, 4)).astype("float32")
    with checker:
        same = checker.call(
            'DenseResidualBlock(4, name="block") 만들기', layer_class, 4, name="block"
        )
        checker.expect(
            same.name == "block",
            f'층 이름이 "block"이어야 하는데 {same.name!r}입니다 '
            "(**kwargs를 super().__init__(**kwargs)에 넘기세요).",
        )
        y = checker.call("폭이 같은 입력 (5, 4)로 호출", numpy_of, same, x)
        checker.require_equal("폭이 같을 때 출력 모양", (5, 4), tuple(y.shape))
        checker.expect(
            len(same.weights) == 4,
            f"입력 폭이 units와 같으면 가중치가 4개(Dense 두 개의 커널과 편향)여야 하는데 "
            f"{len(same.weights)}개입니다 (투영은 폭이 다를 때만 만드세요).",
        )
        _expect_block_values(checker, same, x, 4, "폭이 같을 때 (입력 폭 4, units=4)")
        checker.run("배치 크기 3으로 다시 호출", numpy_of, same, x[:3])

        # 폭이 다르고 3차원인 입력: 마지막 축을 봐야 합니다.
        x3 = rng.normal(size=(2, 6, 4)).astype("float32")
        wide = checker.call("DenseResidualBlock(6) 만들기", layer_class, 6)
        ok, y = checker.run("폭이 다른 3차원 입력 (2, 6, 4)로 호출", numpy_of, wide, x3)
        if ok and checker.expect_equal(
            "입력 (2, 6, 4), units=6일 때 출력 모양", (2, 6, 6), y.shape
        ):
            shapes = _shapes(wide.weights)
            expected_shapes = sorted([(4, 6), (6,), (6, 6), (6,), (4, 6)])
            if checker.expect(
                shapes == expected_shapes,
                f"입력 폭 4, units=6이면 가중치 모양이 {expected_shapes}여야 하는데 {shapes}입니다 "
                "(투영은 편향 없는 Dense(units, use_bias=False) 하나입니다).",
            ):
                _expect_block_values(checker, wide, x3, 6, "폭이 다를 때 (입력 폭 4, units=6)")
                _expect_gradients(checker, wide, x3, lambda out: keras.ops.sum(out))

        ok, config = checker.run("get_config()", same.get_config)
        if ok:
            checker.expect_equal('get_config()["units"]', 4, config.get("units"))
            ok, clone = checker.run("from_config(get_config())", layer_class.from_config, config)
            if ok and checker.run("from_config로 만든 층 호출", numpy_of, clone, x)[0]:
                checker.expect_equal("from_config로 만든 층의 가중치 수", 4, len(clone.weights))

        x_train = rng.normal(size=(128, 4)).astype("float32")
        targets = np.sin(x_train[:, :1]) + np.abs(x_train[:, 1:2])

        def train_small_model():
            model = keras.Sequential(
                [keras.Input((4,)), layer_class(8), layer_class(8), keras.layers.Dense(1)]
            )
            return _compiled_training(model, x_train, targets, keras.losses.MeanSquaredError(), 40)

        losses = checker.call("Sequential 모델 안에서 컴파일한 훈련 단계", train_small_model)
        checker.expect(
            losses[-1] < 0.5 * losses[0],
            "컴파일한 훈련 단계를 40번 돌리면 손실이 처음의 절반 아래로 줄어야 하는데 "
            f"{losses[0]:.3f}에서 {losses[-1]:.3f}로 바뀌었습니다.",
        )
    return checker.report()
