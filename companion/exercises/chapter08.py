"""8장 연습 문제 채점기: VAE의 부품을 바꿔 끼우기."""

import json

import keras
import numpy as np

from companion.exercises.checker import Checker, require_class
from companion.models.variational_autoencoder import VariationalAutoEncoder
from companion.settings import SEED

# Keras clips probabilities to [epsilon, 1 - epsilon] before taking logarithms.
_EPSILON = 1e-7


def check_conv_encoder(layer_class):
    """연습 8-1: 이미지를 합성곱으로 읽는 `ConvEncoder` 층을 채점합니다.

    기대하는 것: `layer_class(latent_dim=2, seed=None)`으로 만들 수 있고, `(28, 28, 1)`
    이미지 배치를 받아 `(z_mean, z_log_var, z)` 세 텐서(모두 `(batch_size, latent_dim)`)를
    돌려줍니다. 안에 `keras.layers.Conv2D` 층이 하나 이상 있고, `z`는 `seed`로 만든
    `Sampling` 층(또는 `keras.random.SeedGenerator`)으로 뽑습니다. 그래서 같은 층을
    다시 부르면 `z`가 달라지고, `seed`와 가중치가 같은 두 층은 같은 `z`를 뽑습니다.
    `get_config()`에는 `latent_dim`과 `seed`가 들어 있고, 함수형 API에서도 씁니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_conv_encoder(ConvEncoder)  # doctest: +SKIP
    ✅ 연습 8-1 ConvEncoder 층: 통과했습니다 (14개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 8-1 ConvEncoder 층")
    x = np.random.default_rng(SEED).random((4, 28, 28, 1)).astype("float32")
    names = ("z_mean", "z_log_var", "z")

    ok, layer = checker.run("ConvEncoder(2, seed=3) 만들기", layer_class, 2, seed=3)
    if not ok:
        return checker.report()
    ok, first = checker.run("층 호출", _call_triple, layer, x)
    if not ok:
        return checker.report()
    if not checker.expect(
        first is not None,
        "출력은 (z_mean, z_log_var, z) 세 텐서의 튜플이어야 하는데 그렇지 않습니다.",
    ):
        return checker.report()
    shapes_ok = [
        checker.expect_equal(f"{name}의 모양", (4, 2), value.shape)
        for name, value in zip(names, first, strict=True)
    ]
    if not all(shapes_ok):
        return checker.report()
    has_conv = any(
        isinstance(sublayer, keras.layers.Conv2D)
        for sublayer in layer._flatten_layers(include_self=False)
    )
    checker.expect(has_conv, "합성곱 층(keras.layers.Conv2D)이 하나 이상 있어야 하는데 없습니다.")
    z_mean, _, z = first
    checker.expect(
        not np.allclose(z, z_mean),
        "z가 z_mean과 같습니다. z는 정규분포에서 뽑아야 합니다 (Sampling 층을 쓰세요).",
    )

    ok, second = checker.run("같은 층을 한 번 더 호출", _call_triple, layer, x)
    if ok and second is not None:
        checker.expect_close(
            "두 번째 호출의 z_mean (같은 입력이면 같아야 합니다)", z_mean, second[0]
        )
        checker.expect(
            not np.allclose(second[2], z),
            "같은 층을 다시 부르면 z가 달라져야 하는데 같습니다. keras.random.normal()에 정수 "
            "시드를 바로 넘기면 매번 같은 잡음이 나옵니다 (SeedGenerator를 쓰세요).",
        )

    _check_same_seed_same_z(checker, layer_class, x)
    _check_config(checker, layer_class, layer, {"latent_dim": 2, "seed": 3})

    ok, fresh = checker.run("함수형 API용 ConvEncoder(2, seed=3) 만들기", layer_class, 2, seed=3)
    if not ok:
        return checker.report()
    inputs = keras.Input(shape=(28, 28, 1))
    ok, symbolic = checker.run(
        "함수형 API에서 keras.Input((28, 28, 1))으로 호출", _call, fresh, inputs
    )
    if ok:
        shapes = [tuple(t.shape) for t in symbolic] if isinstance(symbolic, (tuple, list)) else []
        checker.expect_equal("함수형 API에서 세 출력의 모양", [(None, 2)] * 3, shapes)
    return checker.report()


def check_bernoulli_vae(model_class):
    """연습 8-2: 재구성 손실(이진 교차 엔트로피)까지 스스로 더하는 `BernoulliVAE`를 채점합니다.

    기대하는 것: `model_class(original_dim, intermediate_dim=64, latent_dim=32,
    kl_weight=1.0, seed=None)`로 만들 수 있는 `keras.Model`이고 (`VariationalAutoEncoder`를
    물려받으면 됩니다), 속성 `encoder`를 가집니다. 호출하면 재구성을 돌려주면서
    `model.losses`에 두 손실을 남깁니다: 이 장의 KL 손실(`kl_weight` 곱)과, 입력과 재구성
    사이의 이진 교차 엔트로피를 픽셀과 배치에 대해 평균한 재구성 손실. 손실을 모두 모델이
    더하므로 `compile()`에 `loss`를 주지 않고 `fit(x)`로 훈련할 수 있어야 합니다.

    Args:
        model_class: 독자가 만든 모델 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_bernoulli_vae(BernoulliVAE)  # doctest: +SKIP
    ✅ 연습 8-2 BernoulliVAE 모델: 통과했습니다 (14개 항목 확인).
    """
    require_class(model_class, "model_class")
    checker = Checker("연습 8-2 BernoulliVAE 모델")
    arguments = {"intermediate_dim": 5, "latent_dim": 3, "kl_weight": 0.25, "seed": 1}
    ok, model = checker.run(
        "BernoulliVAE(6, intermediate_dim=5, latent_dim=3, kl_weight=0.25, seed=1) 만들기",
        model_class,
        6,
        **arguments,
    )
    if not ok:
        return checker.report()
    if not checker.expect(
        isinstance(model, keras.Model),
        f"BernoulliVAE는 keras.Model이어야 하는데 {type(model).__mro__[1].__name__}을(를) "
        "상속했습니다 (companion.VariationalAutoEncoder를 물려받으세요).",
    ):
        return checker.report()
    rng = np.random.default_rng(SEED)
    x = rng.random((8, 6)).astype("float32")
    ok, y = checker.run("모델 호출", _call_numpy, model, x)
    if not ok or not checker.expect_equal("출력 모양", (8, 6), tuple(y.shape)):
        return checker.report()
    losses = [np.asarray(keras.ops.convert_to_numpy(loss), "float64") for loss in model.losses]
    shapes = [loss.shape for loss in losses]
    if not checker.expect(
        all(shape == () for shape in shapes),
        f"model.losses의 손실은 모두 스칼라여야 하는데 모양이 {shapes}입니다 "
        "(샘플별 손실은 ops.mean()으로 평균 내서 더하세요).",
    ):
        return checker.report()

    encoder = getattr(model, "encoder", None)
    if not checker.expect(
        encoder is not None and callable(encoder),
        "모델에 encoder 속성이 있어야 하는데 없습니다 (VariationalAutoEncoder를 물려받으세요).",
    ):
        return checker.report()
    ok, encoded = checker.run("model.encoder 호출", _call, encoder, x)
    if not ok or not checker.expect(
        isinstance(encoded, (tuple, list)) and len(encoded) == 3,
        "model.encoder는 (z_mean, z_log_var, z) 세 텐서를 돌려줘야 합니다.",
    ):
        return checker.report()
    z_mean, z_log_var = (keras.ops.convert_to_numpy(t).astype("float64") for t in encoded[:2])
    kl = arguments["kl_weight"] * -0.5 * np.mean(z_log_var - z_mean**2 - np.exp(z_log_var) + 1.0)
    x64, p = x.astype("float64"), np.clip(y.astype("float64"), _EPSILON, 1.0 - _EPSILON)
    bce = float(np.mean(-(x64 * np.log(p) + (1.0 - x64) * np.log(1.0 - p))))
    mse = float(np.mean((x64 - y) ** 2))
    total = sum(float(loss) for loss in losses)
    _check_total_loss(checker, total, bce, kl, mse, arguments["kl_weight"])

    _check_trains_without_compiled_loss(checker, model, rng.random((64, 6)).astype("float32"))
    _check_config(checker, model_class, model, {"original_dim": 6, **arguments})
    return checker.report()


def check_latent_interpolation(interpolate_fn):
    """연습 8-3: 두 이미지 사이를 잠재 공간에서 잇는 `interpolate_latent` 함수를 채점합니다.

    기대하는 것: `interpolate_fn(vae, x_start, x_end, steps=8)`이 두 이미지(길이
    `original_dim`의 벡터)를 `vae.encoder`로 인코딩해 `z_mean`을 얻고, 두 `z_mean`을 양 끝
    (포함)으로 하는 `steps`개의 고르게 떨어진 잠재 벡터를 `vae.decoder`로 그려
    `(steps, original_dim)` 배열로 돌려줍니다. `steps`가 2보다 작으면 인자 이름 `steps`를
    담은 `ValueError`를 냅니다.

    Args:
        interpolate_fn: 독자가 만든 함수.

    Returns:
        `CheckReport`.

    Example:

    >>> check_latent_interpolation(interpolate_latent)  # doctest: +SKIP
    ✅ 연습 8-3 잠재 공간 보간: 통과했습니다 (7개 항목 확인).
    """
    if isinstance(interpolate_fn, type) or not callable(interpolate_fn):
        raise TypeError(
            "interpolate_fn에는 함수를 넘겨야 합니다 (예: interpolate_latent). "
            f"받은 값: {interpolate_fn!r}"
        )
    checker = Checker("연습 8-3 잠재 공간 보간")
    vae = VariationalAutoEncoder(original_dim=6, intermediate_dim=5, latent_dim=3, seed=1)
    vae.build((None, 6))
    rng = np.random.default_rng(SEED)
    x_start, x_end = rng.random((2, 6)).astype("float32")

    what = "interpolate_latent(vae, x_start, x_end, steps=5)"
    ok, images = checker.run(what, _to_numpy, interpolate_fn, vae, x_start, x_end, steps=5)
    if not ok or not checker.expect_equal("돌려준 배열의 모양", (5, 6), images.shape):
        return checker.report()
    ok, again = checker.run(
        f"{what} 다시 호출", _to_numpy, interpolate_fn, vae, x_start, x_end, steps=5
    )
    if not ok or not checker.expect(
        again.shape == images.shape and np.allclose(again, images),
        "같은 입력으로 두 번 부르면 같은 이미지가 나와야 하는데 다릅니다. 무작위로 뽑은 z 대신 "
        "z_mean을 이으세요.",
    ):
        return checker.report()
    if not checker.expect(
        not np.allclose(images[0], x_start),
        "첫 이미지가 x_start 그대로입니다. 픽셀을 섞지 말고, 잠재 벡터(z_mean)를 이은 다음 "
        "디코더로 그리세요.",
    ):
        return checker.report()

    z_start = keras.ops.convert_to_numpy(vae.encoder(x_start[None])[0])[0]
    z_end = keras.ops.convert_to_numpy(vae.encoder(x_end[None])[0])[0]
    t = np.linspace(0.0, 1.0, 5, dtype="float32")[:, None]
    expected = keras.ops.convert_to_numpy(vae.decoder((1.0 - t) * z_start + t * z_end))
    checker.expect_close("첫 이미지 (x_start의 z_mean을 그린 것)", expected[0], images[0])
    checker.expect_close(
        "마지막 이미지 (x_end의 z_mean을 그린 것, 끝점도 포함합니다)", expected[-1], images[-1]
    )
    checker.expect_close("가운데 세 이미지 (고르게 떨어진 잠재 벡터)", expected[1:-1], images[1:-1])
    _expect_value_error(checker, "steps=1", "steps", interpolate_fn, vae, x_start, x_end, steps=1)
    return checker.report()


def _check_same_seed_same_z(checker, layer_class, x):
    """seed와 가중치가 같은 두 층이 같은 z를 뽑는지 확인합니다."""
    ok_a, twin_a = checker.run("ConvEncoder(2, seed=5) 만들기 (첫째)", layer_class, 2, seed=5)
    ok_b, twin_b = checker.run("ConvEncoder(2, seed=5) 만들기 (둘째)", layer_class, 2, seed=5)
    if not (ok_a and ok_b):
        return
    for what, twin in (("첫째", twin_a), ("둘째", twin_b)):
        if not checker.run(f"seed=5인 {what} 층 호출", _call_triple, twin, x)[0]:
            return
    ok, _ = checker.run("가중치 복사 (set_weights)", twin_b.set_weights, twin_a.get_weights())
    if not ok:
        return
    ok_a, out_a = checker.run("seed=5인 첫째 층 다시 호출", _call_triple, twin_a, x)
    ok_b, out_b = checker.run("seed=5인 둘째 층 다시 호출", _call_triple, twin_b, x)
    if ok_a and ok_b and out_a is not None and out_b is not None:
        checker.expect(
            np.allclose(out_a[2], out_b[2], atol=1e-6),
            "seed와 가중치가 같은 두 층은 같은 z를 뽑아야 하는데 다릅니다 "
            "(seed를 Sampling 층이나 SeedGenerator에 넘겼나요?).",
        )


def _check_total_loss(checker, total, bce, kl, mse, kl_weight):
    """손실의 합을 확인하고, 흔한 실수라면 그 이름을 대 줍니다."""

    def near(target):
        return abs(total - target) <= 1e-4 * max(1.0, abs(target))

    hints = (
        (kl, "재구성 손실이 빠졌습니다 (이진 교차 엔트로피의 평균을 add_loss()로 더하세요)."),
        (mse + kl, "재구성 손실이 MSE입니다. 이진 교차 엔트로피를 쓰세요."),
        (bce + 2.0 * kl, "KL 손실이 두 번 더해졌습니다 (super().call()이 이미 더합니다)."),
        (bce + kl / kl_weight, "kl_weight를 곱하지 않았습니다."),
        (bce, "KL 손실이 빠졌습니다 (super().call()을 부르세요)."),
    )
    hint = next((hint for target, hint in hints if near(target)), "")
    checker.expect(
        near(bce + kl),
        f"model.losses의 합이 {bce + kl:.4f} (재구성 {bce:.4f} + KL {kl:.4f})이어야 하는데 "
        f"{total:.4f}입니다. {hint}".strip(),
    )


def _check_trains_without_compiled_loss(checker, model, x):
    """`compile()`에 손실을 주지 않아도 `fit(x)`가 모델의 손실을 줄이는지 확인합니다."""
    ok, _ = checker.run(
        "compile(optimizer=Adam(0.01)) (loss 없이)",
        model.compile,
        optimizer=keras.optimizers.Adam(0.01),
    )
    if not ok:
        return
    ok, history = checker.run("fit(x, epochs=5)", model.fit, x, epochs=5, batch_size=16, verbose=0)
    if ok:
        losses = history.history["loss"]
        checker.expect(
            losses[-1] < losses[0],
            f"loss 없이 compile()한 뒤 fit()하면 손실이 줄어야 하는데 {losses[0]:.4f}에서 "
            f"{losses[-1]:.4f}가 되었습니다.",
        )


def _check_config(checker, cls, instance, expected):
    """`get_config()`에 생성자 인자가 들어 있고 JSON으로 바꿀 수 있으며 되살릴 수 있는지."""
    ok, config = checker.run("get_config()", instance.get_config)
    if not ok:
        return
    for key, value in expected.items():
        if key not in config:
            checker.fail(f"get_config()에 {key}가 없습니다 (생성자 인자를 모두 넣으세요).")
            continue
        received = config[key]
        if isinstance(value, tuple) and isinstance(received, list):
            received = tuple(received)
        checker.expect_equal(f"get_config()의 {key}", value, received)
    try:
        json.dumps(config)
        json_error = None
    except (TypeError, ValueError) as error:
        json_error = error
    checker.expect(json_error is None, f"설정을 JSON으로 바꿀 수 없습니다 ({json_error}).")
    ok, clone = checker.run("from_config(get_config())", cls.from_config, config)
    if ok:
        ok, clone_config = checker.run("되살린 객체의 get_config()", clone.get_config)
        if ok:
            same = all(clone_config.get(key) == config.get(key) for key in expected)
            checker.expect(same, "from_config()로 되살린 객체의 설정이 원래 설정과 다릅니다.")


def _expect_value_error(checker, what, argument, fn, *args, **kwargs):
    """`fn(*args, **kwargs)`가 `argument`를 말하는 `ValueError`를 내는지 확인합니다."""
    try:
        fn(*args, **kwargs)
    except ValueError as error:
        first_line = (str(error).strip().splitlines() or [""])[0]
        return checker.expect(
            argument in str(error),
            f"{what}일 때 ValueError 메시지에 인자 이름 {argument}가 들어 있어야 합니다. "
            f"받은 메시지: {first_line}",
        )
    except Exception as error:  # 독자 코드의 다른 예외도 보고서로 바꿉니다.
        return checker.fail(
            f"{what}일 때 ValueError를 내야 하는데 {type(error).__name__}가 났습니다."
        )
    return checker.fail(f"{what}일 때 ValueError를 내야 하는데 아무 예외도 나지 않았습니다.")


def _call(layer, *args, **kwargs):
    """독자의 층을 부르고, Keras가 감싼 예외 대신 원래 예외를 던집니다."""
    try:
        return layer(*args, **kwargs)
    except Exception as error:
        original = error.__context__
        if getattr(error, "_keras_call_info_injected", False) and isinstance(original, Exception):
            raise original from None
        raise


def _call_numpy(layer, x):
    return keras.ops.convert_to_numpy(_call(layer, x))


def _call_triple(layer, x):
    """세 텐서를 돌려주면 NumPy 배열 세 개의 튜플로, 아니면 `None`으로 돌려줍니다."""
    outputs = _call(layer, x)
    if not isinstance(outputs, (tuple, list)) or len(outputs) != 3:
        return None
    return tuple(keras.ops.convert_to_numpy(t) for t in outputs)


def _to_numpy(fn, *args, **kwargs):
    return np.asarray(keras.ops.convert_to_numpy(fn(*args, **kwargs)))
