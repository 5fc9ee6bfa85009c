"""8장 연습 문제 채점기: VAE의 부품을 바꿔 끼우기.

요구 사항 → 확인 (연습 문제의 요구 사항마다 확인이 하나 이상 있습니다).

연습 8-1 `check_conv_encoder` (9개):

1. `ConvEncoder(latent_dim=2, seed=None, **kwargs)` → `ConvEncoder()`의 출력이 `(배치, 2)`,
   `name="enc"`가 층 이름이 됨.
2. `Conv2D`를 하나 이상 지남 → 호출한 뒤 지어진(built) `keras.layers.Conv2D` 하위 층이 있음.
3. `(z_mean, z_log_var, z)`, 모두 `(batch_size, latent_dim)` → `latent_dim=3`과 `2`, 배치 4와
   500에서 세 출력의 모양.
4. `z`는 `Sampling(seed=seed)`으로 뽑음: `z = z_mean + exp(0.5·z_log_var)·ε` → 시드 고정한 0이
   아닌 가중치로 같은 이미지 500장을 넣어 `(z - z_mean) / exp(0.5·z_log_var)`의 평균 0,
   표준편차 1 (분산을 곱했거나 z_log_var를 안 썼거나 잡음이 행마다 같으면 따로 알림).
5. 다시 부르면 `z`가 달라짐 → 즉시 실행에서 두 번, 컴파일된 함수(`run_twice_compiled`:
   `tf.function`, `jax.jit`) 안에서 두 번 (NumPy 잡음은 그래프에 고정됨), 그리고
   `SeedGenerator`가 있는지 (PyTorch).
6. `seed`와 가중치가 같은 두 층은 같은 `z` → 두 층에 같은 가중치를 넣고 비교.
7. `get_config()`에 `latent_dim`과 `seed` → 값, JSON, `from_config()` 왕복.
8. 함수형 API에서 씀 → `keras.Input((28, 28, 1))`로 호출한 세 출력의 모양.
9. 모든 가중치로 경사가 흐름 → `z`에서 시작한 경사가 가중치마다 0이 아님 (재매개변수화).

연습 8-2 `check_bernoulli_vae` (9개):

1. `VariationalAutoEncoder`와 같은 생성자 인자와 `**kwargs` → 키워드 인자로 만들기,
   `name="bvae"`가 모델 이름이 됨, `keras.Model`이고 `encoder` 속성이 있음.
2. `call()`은 물려받은 그대로 (뽑은 `z`를 디코딩) → 같은 입력으로 두 번 부르면 재구성이
   달라야 함 (`z_mean`을 디코딩하면 따로 알림).
3. `model.losses`에는 KL 손실(`kl_weight` 곱) 하나만 → 손실이 모두 스칼라이고, 하나이며, 시드
   고정한 가중치에서 계산한 KL 손실과 같음. 재구성 손실을 `add_loss()`로도 더했다면 물려받은
   `compute_loss()`로 추적기를 재어, 로그의 `reconstruction_loss`가 0이라는 것을 문장에 넣음
   (`kl_weight`를 곱하지 않았으면 따로 알림).
4. `compute_loss()`가 재구성 손실 + KL 손실을 돌려줌 → `fit(x)`처럼 `y=None`으로, `y_pred`에는
   고정한 확률 배열을 넣어 (그래서 보고서의 숫자가 백엔드마다 같습니다) 부른 손실이 스칼라이고
   값이 맞음, `kl_weight=0.25`와 `2.0` (재구성 빠짐, MSE, KL 두 번, KL 빠짐을 따로 알림).
5. 재구성 손실은 입력과 재구성 사이의 BCE를 픽셀과 배치에 대해 평균 → 값 비교, 배치 크기 8과 5.
6. 추적기 세 개에 전체·재구성·KL 손실 → `model.metrics`에서 이름이 `loss`,
   `reconstruction_loss`, `kl_loss`인 추적기를 초기화하고 `compute_loss()`를 한 번 부른 뒤의
   값 (갱신하지 않음, 두 값이 서로 바뀜, `kl_loss`에 재구성 손실이 섞임을 따로 알림).
7. 재구성을 돌려줌 → 출력 모양 `(배치, original_dim)`.
8. `loss` 없이 `compile()`하고 `fit(x)` → 손실이 줄어듦, 로그에 세 손실이 있고 에포크마다
   `loss = reconstruction_loss + kl_loss`이며 `reconstruction_loss`가 0이 아님 (컴파일된 `fit()`).
9. 설정이 물려받은 대로 남음 → `get_config()` 값, JSON, `from_config()` 왕복.

연습 8-3 `check_latent_interpolation` (6개):

1. `interpolate_latent(vae, x_start, x_end, steps=8)` → `steps`를 주지 않으면 8장.
2. `vae.encoder`의 `z_mean`을 씀 → 두 번 불러 같은 결과 (뽑은 `z`를 쓰면 따로 알림).
3. 픽셀이 아니라 잠재 벡터를 이음 → 첫 이미지가 `x_start` 그대로면 따로 알림.
4. 끝점을 포함해 고르게 떨어진 `steps`개, `vae.decoder`로 그림 → 시드 고정한 가중치의 VAE
   두 개 (original_dim 6·latent 3, original_dim 7·latent 4)에서 첫·마지막·가운데 이미지 값.
5. `(steps, original_dim)` 배열 → `steps=5`, `3`, 기본값에서 모양.
6. `steps < 2`면 인자 이름과 받은 값을 담은 `ValueError` → `steps=1`, `steps=0`.
"""

import json

import keras
import numpy as np

from companion.exercises.checker import (
    Checker,
    WrongArgument,
    exercise,
    first_line,
    missing_gradients,
    numpy_of,
    quiet_tensorflow_logs,
    require_class,
    run_twice_compiled,
    set_fan_in_scaled_weights,
    uses_seed_generator,
)
from companion.models.variational_autoencoder import VariationalAutoEncoder
from companion.settings import SEED

# Keras clips probabilities to [epsilon, 1 - epsilon] before taking logarithms.
_EPSILON = 1e-7


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
    return tuple(np.asarray(keras.ops.convert_to_numpy(t), "float64") for t in outputs)


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


# --- 연습 8-1 -------------------------------------------------------------------------------

_N_COPIES = 500


def _seed_until_spread(layer, image):
    """`z_log_var`가 0에서 충분히 떨어지도록 (분산과 표준편차가 구별되도록) 가중치를 고릅니다."""
    for attempt in range(8):
        set_fan_in_scaled_weights(layer.trainable_weights, seed=SEED + attempt)
        outputs = _call_triple(layer, image[None])
        log_var = outputs[1][0]
        if np.all(np.abs(log_var) > 0.4) and np.all(np.abs(log_var) < 2.5):
            return
    # 드물게 못 찾으면 마지막 가중치로 계속합니다: 표준편차 확인은 그대로 유효합니다.


def _expect_sampling_distribution(checker, layer, image):
    """같은 이미지 여러 장으로 `z`의 분포가 `N(z_mean, exp(z_log_var))`인지 확인합니다."""
    _seed_until_spread(layer, image)
    batch = np.repeat(image[None], _N_COPIES, axis=0)
    outputs = checker.call(f"같은 이미지 {_N_COPIES}장으로 호출", _call_triple, layer, batch)
    z_mean, z_log_var, z = outputs
    checker.require_equal(
        f"배치 {_N_COPIES}일 때 z의 모양", (_N_COPIES, z_mean.shape[-1]), tuple(z.shape)
    )
    noise = z - z_mean
    std = noise.std(axis=0)
    sigma = np.exp(0.5 * z_log_var[0])
    mean_ok = np.all(np.abs(noise.mean(axis=0) / sigma) < 0.2)
    if np.allclose(std / sigma, 1.0, atol=0.12) and mean_ok:
        checker.checks += 1
        return
    if np.allclose(noise, 0.0, atol=1e-6):
        hint = "z가 z_mean과 같습니다. 정규분포에서 뽑은 ε으로 z = z_mean + σ·ε을 만드세요."
    elif np.allclose(noise, noise[:1], atol=1e-6):
        hint = (
            "배치의 모든 행이 같은 잡음을 받았습니다. ε의 모양은 z_mean과 같아야 합니다 "
            "(keras.random.normal(ops.shape(z_mean), ...))."
        )
    elif np.allclose(std / np.exp(z_log_var[0]), 1.0, atol=0.12):
        hint = (
            "표준편차로 exp(z_log_var)(분산)를 곱한 것 같습니다. exp(0.5 * z_log_var)를 곱하세요."
        )
    elif np.allclose(std, 1.0, atol=0.12):
        hint = "z_log_var를 쓰지 않은 것 같습니다. ε에 exp(0.5 * z_log_var)를 곱하세요."
    else:
        hint = "z = z_mean + exp(0.5 * z_log_var) * ε인지 확인하세요 (Sampling 층을 쓰면 됩니다)."
    checker.fail(
        f"같은 이미지 {_N_COPIES}장에서 z - z_mean의 표준편차가 exp(0.5·z_log_var) = "
        f"{np.round(sigma, 3).tolist()}여야 하는데 {np.round(std, 3).tolist()}입니다. {hint}"
    )


def _z_only(layer):
    def fn(x):
        return _call(layer, x)[2]

    return fn


def _check_same_seed_same_z(checker, layer_class, x):
    """seed와 가중치가 같은 두 층이 같은 z를 뽑는지 확인합니다."""
    twin_a = checker.call("ConvEncoder(2, seed=5) 만들기 (첫째)", layer_class, 2, seed=5)
    twin_b = checker.call("ConvEncoder(2, seed=5) 만들기 (둘째)", layer_class, 2, seed=5)
    for what, twin in (("첫째", twin_a), ("둘째", twin_b)):
        checker.call(f"seed=5인 {what} 층 호출", _call_triple, twin, x)
    checker.call("가중치 복사 (set_weights)", twin_b.set_weights, twin_a.get_weights())
    out_a = checker.call("seed=5인 첫째 층 다시 호출", _call_triple, twin_a, x)
    out_b = checker.call("seed=5인 둘째 층 다시 호출", _call_triple, twin_b, x)
    checker.expect(
        np.allclose(out_a[2], out_b[2], atol=1e-6),
        "seed와 가중치가 같은 두 층은 같은 z를 뽑아야 하는데 다릅니다 "
        "(seed를 Sampling 층이나 SeedGenerator에 넘겼나요?).",
    )


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 8-1 ConvEncoder 층", "ConvEncoder")
def check_conv_encoder(layer_class):
    """연습 8-1: 이미지를 합성곱으로 읽는 `ConvEncoder` 층을 채점합니다.

    기대하는 것: `layer_class(latent_dim=2, seed=None, **kwargs)`로 만들 수 있고,
    `(28, 28, 1)` 이미지 배치를 받아 `(z_mean, z_log_var, z)` 세 텐서(모두
    `(batch_size, latent_dim)`)를 돌려줍니다. 안에 `keras.layers.Conv2D` 층이 하나 이상
    있고, `z`는 `seed`로 만든 `Sampling` 층으로 `z_mean + exp(0.5 * z_log_var) * ε`을
    뽑습니다. 그래서 같은 층을 다시 부르면 (컴파일된 함수 안에서도) `z`가 달라지고, `seed`와
    가중치가 같은 두 층은 같은 `z`를 뽑습니다. `get_config()`에는 `latent_dim`과 `seed`가
    들어 있고, 함수형 API에서도 씁니다. 확인 항목은 모듈 설명의 목록에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_conv_encoder(ConvEncoder)  # doctest: +SKIP
    ✅ 연습 8-1 ConvEncoder 층: 통과했습니다 (20개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 8-1 ConvEncoder 층")
    x = np.random.default_rng(SEED).random((4, 28, 28, 1)).astype("float32")
    names = ("z_mean", "z_log_var", "z")
    with checker:
        layer = checker.call(
            'ConvEncoder(3, seed=3, name="enc") 만들기', layer_class, 3, seed=3, name="enc"
        )
        checker.expect(
            layer.name == "enc",
            f'층 이름이 "enc"여야 하는데 {layer.name!r}입니다 '
            "(**kwargs를 super().__init__(**kwargs)에 넘기세요).",
        )
        first = checker.call("층 호출 (배치 4, latent_dim=3)", _call_triple, layer, x)
        checker.require(
            first is not None,
            "출력은 (z_mean, z_log_var, z) 세 텐서의 튜플이어야 하는데 그렇지 않습니다.",
        )
        shapes_ok = [
            checker.expect_equal(f"latent_dim=3일 때 {name}의 모양", (4, 3), value.shape)
            for name, value in zip(names, first, strict=True)
        ]
        checker.require(all(shapes_ok), "출력 모양이 달라 더 확인할 수 없습니다.")
        # 만들어 두기만 하고 call()에서 쓰지 않은 합성곱 층은 지어지지(built) 않습니다.
        has_conv = any(
            isinstance(sublayer, keras.layers.Conv2D) and sublayer.built
            for sublayer in layer._flatten_layers(include_self=False)
        )
        checker.expect(
            has_conv,
            "call()에서 지나는 합성곱 층(keras.layers.Conv2D)이 하나 이상 있어야 하는데 없습니다.",
        )

        z_mean, _, z = first
        second = checker.call("같은 층을 한 번 더 호출", _call_triple, layer, x)
        checker.expect_close(
            "두 번째 호출의 z_mean (같은 입력이면 같아야 합니다)", z_mean, second[0]
        )
        draws_anew = np.allclose(z, z_mean) or not np.allclose(second[2], z)
        checker.expect(
            draws_anew,
            "같은 층을 다시 부르면 z가 달라져야 하는데 같습니다. keras.random.normal()에 정수 "
            "시드를 바로 넘기면 매번 같은 잡음이 나옵니다 (SeedGenerator를 쓰세요).",
        )
        ok, compiled = checker.run(
            "컴파일된 함수 안에서 두 번 호출", run_twice_compiled, _z_only(layer), x, state=layer
        )
        # 즉시 실행에서 이미 같은 z를 뽑았다면 컴파일 안의 같은 증상을 따로 보고하지 않습니다.
        if ok and draws_anew:
            # PyTorch 백엔드의 Keras는 컴파일하지 않아 NumPy 잡음도 매번 달라 보이므로, 잡음이
            # SeedGenerator에서 오는지도 함께 봅니다 (보고서가 백엔드마다 같도록).
            checker.expect(
                np.allclose(z, z_mean)
                or (not np.allclose(compiled[0], compiled[1]) and uses_seed_generator(layer)),
                "컴파일한 함수(tf.function, jax.jit) 안에서 두 번 부르면 z가 달라져야 하는데 "
                "같습니다. "
                "NumPy로 뽑은 잡음은 그래프에 상수로 굳습니다 "
                "(keras.random.normal과 SeedGenerator를 쓰는 Sampling 층을 쓰세요).",
            )

        _expect_sampling_distribution(checker, layer, x[0])
        ok, missing = checker.run(
            "z에서 가중치로 가는 경사 계산",
            missing_gradients,
            lambda: keras.ops.sum(_call(layer, x)[2] ** 2),
            layer.trainable_weights,
        )
        if ok:
            checker.expect(
                not missing,
                f"z에서 시작한 경사가 가중치 {missing}에 닿지 않습니다 (z는 z_mean과 "
                "z_log_var로 미분할 수 있게 z_mean + exp(0.5 * z_log_var) * ε으로 만드세요).",
            )

        default = checker.call("ConvEncoder() 만들기 (기본값)", layer_class)
        out = checker.call("기본값 층 호출", _call_triple, default, x)
        if out is not None:
            checker.expect_equal("기본값 latent_dim=2일 때 z의 모양", (4, 2), out[2].shape)

        _check_same_seed_same_z(checker, layer_class, x)
        _check_config(checker, layer_class, layer, {"latent_dim": 3, "seed": 3})

        fresh = checker.call("함수형 API용 ConvEncoder(3, seed=3) 만들기", layer_class, 3, seed=3)
        inputs = keras.Input(shape=(28, 28, 1))
        symbolic = checker.call(
            "함수형 API에서 keras.Input((28, 28, 1))으로 호출", _call, fresh, inputs
        )
        shapes = [tuple(t.shape) for t in symbolic] if isinstance(symbolic, (tuple, list)) else []
        checker.expect_equal("함수형 API에서 세 출력의 모양", [(None, 3)] * 3, shapes)
    return checker.report()


# --- 연습 8-2 -------------------------------------------------------------------------------

# fit()의 로그에 남는 손실 추적기의 이름 (VariationalAutoEncoder.metrics).
_TRACKED = ("loss", "reconstruction_loss", "kl_loss")


def _near(value, target):
    return abs(value - target) <= 1e-4 * max(1.0, abs(target))


def _kl_term(model, x, kl_weight):
    """시드 고정한 가중치에서 `kl_weight`를 곱한 KL 손실 (인코더의 z_mean, z_log_var로)."""
    encoded = _call(model.encoder, x)
    z_mean, z_log_var = (np.asarray(keras.ops.convert_to_numpy(t), "float64") for t in encoded[:2])
    return kl_weight * -0.5 * np.mean(z_log_var - z_mean**2 - np.exp(z_log_var) + 1.0)


def _bce_and_mse(x, p):
    x64, p64 = x.astype("float64"), p.astype("float64")
    clipped = np.clip(p64, _EPSILON, 1.0 - _EPSILON)
    bce = float(np.mean(-(x64 * np.log(clipped) + (1.0 - x64) * np.log(1.0 - clipped))))
    return bce, float(np.mean((x64 - p64) ** 2))


def _scalar_losses(checker, model):
    losses = [np.asarray(keras.ops.convert_to_numpy(loss), "float64") for loss in model.losses]
    shapes = [loss.shape for loss in losses]
    checker.require(
        all(shape == () for shape in shapes),
        f"model.losses의 손실은 모두 스칼라여야 하는데 모양이 {shapes}입니다 "
        "(샘플별 손실은 ops.mean()으로 평균 내세요).",
    )
    return [float(loss) for loss in losses]


def _trackers(model):
    """`model.metrics`에서 이름이 loss, reconstruction_loss, kl_loss인 추적기."""
    return {metric.name: metric for metric in model.metrics if metric.name in _TRACKED}


def _tracked_values(model):
    trackers = _trackers(model)
    return {name: float(keras.ops.convert_to_numpy(trackers[name].result())) for name in _TRACKED}


def _compute_loss(model, x, y_pred):
    """`fit(x)`의 훈련 단계처럼 (목표 없이) `compute_loss()`를 부르고 손실을 NumPy로 돌려줍니다."""
    loss = model.compute_loss(
        x=x, y=None, y_pred=keras.ops.convert_to_tensor(y_pred), sample_weight=None, training=True
    )
    return np.asarray(keras.ops.convert_to_numpy(loss), "float64")


def _expect_only_kl_added(checker, model, x, losses, kl):
    """`call()`이 `add_loss()`로 더한 손실은 KL 손실 하나뿐이어야 합니다.

    재구성 손실까지 `add_loss()`로 더하면 합은 맞지만, 물려받은 `compute_loss()`가 더해진
    손실을 모두 `kl_loss`로 세므로 로그가 틀립니다. 그 로그를 직접 재어 문장에 넣습니다
    (재구성 손실 추적기는 0이라 백엔드마다 같은 문장이 됩니다).
    """
    if len(losses) == 1 and _near(losses[0], kl):
        return checker.count_pass()
    if len(losses) > 1:
        logged = ""
        if set(_trackers(model)) == set(_TRACKED):
            y = _call_numpy(model, x)
            for tracker in _trackers(model).values():
                tracker.reset_state()
            ok, _ = checker.run("compute_loss() 호출", _compute_loss, model, x, y)
            if ok and abs(_tracked_values(model)["reconstruction_loss"]) < 1e-6:
                logged = " 그래서 fit()의 로그에 reconstruction_loss: 0.0000이 찍힙니다."
        return checker.require(
            False,
            f"model.losses에 손실이 {len(losses)}개 있습니다. call()이 더한 KL 손실 하나만 "
            "있어야 합니다: 재구성 손실을 add_loss()로 더하면 물려받은 compute_loss()가 그것까지 "
            f"kl_loss로 셉니다.{logged} add_loss() 대신 compute_loss()를 재정의해 재구성 손실을 "
            "계산하고 추적기에 넣으세요.",
        )
    if not losses:
        return checker.require(
            False,
            "model.losses가 비어 있습니다. call()을 물려받은 그대로 두면 super().call()이 "
            "kl_weight를 곱한 KL 손실을 add_loss()로 더합니다.",
        )
    if _near(losses[0] * model.kl_weight, kl):
        hint = "kl_weight를 곱하지 않았습니다. call()은 물려받은 그대로 두세요."
    else:
        hint = "call()은 물려받은 그대로 두세요."
    return checker.require(
        False,
        f"model.losses의 KL 손실이 {kl:.4f}(kl_weight × KL)이어야 하는데 {losses[0]:.4f}입니다. "
        + hint,
    )


def _check_total_loss(checker, when, total, bce, kl, mse):
    """`compute_loss()`가 돌려준 손실을 확인하고, 흔한 실수라면 그 이름을 대 줍니다."""
    hints = (
        (kl, "재구성 손실이 빠졌습니다 (x와 y_pred 사이의 이진 교차 엔트로피 평균을 더하세요)."),
        (mse + kl, "재구성 손실이 MSE입니다. 이진 교차 엔트로피를 쓰세요."),
        (bce + 2.0 * kl, "KL 손실이 두 번 더해졌습니다 (self.losses에 이미 KL 손실이 있습니다)."),
        (bce, "KL 손실이 빠졌습니다 (call()이 add_loss()로 더한 self.losses를 더하세요)."),
    )
    hint = next((hint for target, hint in hints if _near(total, target)), "")
    return checker.expect(
        _near(total, bce + kl),
        f"{when} compute_loss()가 돌려준 손실이 {bce + kl:.4f} (재구성 {bce:.4f} + KL {kl:.4f})"
        f"이어야 하는데 {total:.4f}입니다. {hint}".strip(),
    )


def _expect_losses(checker, model, x, kl_weight, when, rng):
    """`model.losses`는 KL 손실 하나, `compute_loss()`는 BCE + KL인지 확인합니다.

    `y_pred`는 모델의 (무작위) 재구성이 아니라 고정한 확률 배열이라, 기대값과 보고서의
    숫자가 백엔드마다 같습니다. KL 손실은 시드 고정한 가중치의 z_mean, z_log_var로 정해집니다.
    """
    y = checker.call(f"{when} 모델 호출", _call_numpy, model, x)
    checker.require_equal(f"{when} 출력 모양", x.shape, tuple(y.shape))
    losses = _scalar_losses(checker, model)
    kl = _kl_term(model, x, kl_weight)
    _expect_only_kl_added(checker, model, x, losses, kl)
    y_pred = rng.uniform(0.05, 0.95, size=x.shape).astype("float32")
    bce, mse = _bce_and_mse(x, y_pred)
    total = checker.call(
        f"{when} compute_loss(x=x, y=None, y_pred=확률 배열) (fit(x)처럼 y 없이)",
        _compute_loss,
        model,
        x,
        y_pred,
    )
    checker.require(
        total.shape == (),
        f"compute_loss()는 스칼라 손실을 돌려줘야 하는데 모양이 {total.shape}입니다 "
        "(ops.mean()으로 픽셀과 배치에 대해 평균 내세요).",
    )
    _check_total_loss(checker, when, float(total), bce, kl, mse)
    return y_pred, bce, kl


def _expect_trackers(checker, model, x, kl_weight, rng):
    """`compute_loss()` 한 번 뒤 세 추적기가 전체·재구성·KL 손실을 담는지 (fit()의 로그)."""
    trackers = _trackers(model)
    missing = [name for name in _TRACKED if name not in trackers]
    checker.require(
        not missing,
        f"model.metrics에 이름이 {missing}인 추적기가 없습니다. 물려받은 loss_tracker, "
        "reconstruction_loss_tracker, kl_loss_tracker를 compute_loss()에서 갱신하세요.",
    )
    checker.call("모델 호출", _call_numpy, model, x)
    kl = _kl_term(model, x, kl_weight)
    y_pred = rng.uniform(0.05, 0.95, size=x.shape).astype("float32")
    bce, _ = _bce_and_mse(x, y_pred)
    for tracker in trackers.values():
        tracker.reset_state()
    checker.call("compute_loss() 호출", _compute_loss, model, x, y_pred)
    logged = _tracked_values(model)
    expected = {"loss": bce + kl, "reconstruction_loss": bce, "kl_loss": kl}
    if all(_near(logged[name], expected[name]) for name in _TRACKED):
        return checker.count_pass()
    if all(abs(logged[name]) < 1e-9 for name in _TRACKED):
        hint = (
            "compute_loss()에서 추적기를 갱신하지 않았습니다 "
            "(self.loss_tracker.update_state(...)처럼 세 추적기를 모두 갱신하세요)."
        )
    elif _near(logged["reconstruction_loss"], kl) and _near(logged["kl_loss"], bce):
        hint = "reconstruction_loss와 kl_loss 추적기에 넣을 값이 서로 바뀌었습니다."
    elif _near(logged["kl_loss"], bce + kl):
        hint = "kl_loss 추적기에 재구성 손실이 섞였습니다. KL 손실(self.losses의 합)만 넣으세요."
    else:
        hint = "추적기마다 맞는 손실을 넣었는지 확인하세요."

    def show(values):
        return ", ".join(f"{name} {values[name]:.4f}" for name in _TRACKED)

    return checker.fail(
        f"compute_loss()를 한 번 부른 뒤 추적기(fit()의 로그)가 {show(logged)}입니다. "
        f"{show(expected)}이어야 합니다. {hint}"
    )


def _fit_without_loss(model, x):
    # 상태 없는 SGD는 Adam보다 훈련 함수를 훨씬 빨리 추적(tracing)합니다.
    model.compile(optimizer=keras.optimizers.SGD(0.5))
    return model.fit(x, epochs=4, batch_size=32, verbose=0).history


def _expect_honest_fit(checker, history, trackers_ok):
    """`loss` 없이 훈련한 `fit()`의 로그: 손실이 줄고, 세 손실이 따로 남고, 합이 맞는지.

    추적기를 갱신하지 않는 답은 로그가 모두 0이고 이미 보고했으므로 되풀이하지 않습니다.
    """
    losses = history.get("loss", [float("nan")])
    if not trackers_ok:
        return
    checker.expect(
        losses[-1] < losses[0],
        f"loss 없이 compile()한 뒤 fit()하면 손실이 줄어야 하는데 {losses[0]:.4f}에서 "
        f"{losses[-1]:.4f}가 되었습니다.",
    )
    if not checker.expect(
        set(_TRACKED) <= set(history),
        f"fit()의 로그에 {list(_TRACKED)}가 있어야 하는데 {sorted(history)}입니다.",
    ):
        return
    reconstruction, kl = (np.asarray(history[name]) for name in ("reconstruction_loss", "kl_loss"))
    checker.expect(
        np.allclose(losses, reconstruction + kl, rtol=1e-4) and np.all(reconstruction > 0.1),
        "fit()의 로그에서 에포크마다 loss = reconstruction_loss + kl_loss이고 "
        "reconstruction_loss가 이진 교차 엔트로피여야 하는데, 받은 로그는 "
        f"reconstruction_loss {np.round(reconstruction, 4).tolist()}, "
        f"kl_loss {np.round(kl, 4).tolist()}, loss {np.round(losses, 4).tolist()}입니다.",
    )


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 8-2 BernoulliVAE 모델", "BernoulliVAE")
def check_bernoulli_vae(model_class):
    """연습 8-2: 재구성 손실(이진 교차 엔트로피)까지 스스로 계산하는 `BernoulliVAE`를 채점합니다.

    기대하는 것: `model_class(original_dim, intermediate_dim=64, latent_dim=32,
    kl_weight=1.0, seed=None, **kwargs)`로 만들 수 있는 `keras.Model`이고
    (`VariationalAutoEncoder`를 물려받으면 됩니다), 속성 `encoder`를 가집니다. `call()`은
    물려받은 그대로여서 뽑은 `z`에서 만든 재구성을 돌려주고 `model.losses`에 KL 손실
    (`kl_weight` 곱) 하나만 남깁니다. `compute_loss()`를 재정의해, 입력 `x`와 재구성 `y_pred`
    사이의 이진 교차 엔트로피를 픽셀과 배치에 대해 평균한 재구성 손실에 KL 손실을 더해
    돌려주고, 손실 추적기 세 개(`loss`, `reconstruction_loss`, `kl_loss`)에 전체·재구성·KL
    손실을 넣습니다. 그래서 `compile()`에 `loss`를 주지 않고 `fit(x)`로 훈련할 수 있고,
    로그의 세 값이 이름 그대로의 손실입니다. 재구성 손실을 `add_loss()`로 더한 답은
    로그의 `reconstruction_loss`가 0이 되므로 통과하지 못합니다. 확인 항목은 모듈 설명의
    목록에 있습니다.

    Args:
        model_class: 독자가 만든 모델 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_bernoulli_vae(BernoulliVAE)  # doctest: +SKIP
    ✅ 연습 8-2 BernoulliVAE 모델: 통과했습니다 (32개 항목 확인).
    """
    require_class(model_class, "model_class")
    checker = Checker("연습 8-2 BernoulliVAE 모델")
    arguments = {"intermediate_dim": 5, "latent_dim": 3, "kl_weight": 0.25, "seed": 1}
    rng = np.random.default_rng(SEED)
    x = rng.random((8, 6)).astype("float32")
    with checker:
        model = checker.call(
            "BernoulliVAE(original_dim=6, intermediate_dim=5, latent_dim=3, kl_weight=0.25, "
            'seed=1, name="bvae") 만들기',
            model_class,
            original_dim=6,
            name="bvae",
            **arguments,
        )
        checker.require(
            isinstance(model, keras.Model),
            f"BernoulliVAE는 keras.Model이어야 하는데 {type(model).__mro__[1].__name__}을(를) "
            "상속했습니다 (companion.VariationalAutoEncoder를 물려받으세요).",
        )
        checker.expect(
            model.name == "bvae",
            f'모델 이름이 "bvae"여야 하는데 {model.name!r}입니다 '
            "(**kwargs를 super().__init__(**kwargs)에 넘기세요).",
        )
        checker.call("처음 호출해 가중치 만들기", _call_numpy, model, x)
        checker.require(
            callable(getattr(model, "encoder", None)),
            "모델에 encoder 속성이 있어야 하는데 없습니다 (VariationalAutoEncoder를 물려받으세요).",
        )
        encoded = checker.call("model.encoder 호출", _call, model.encoder, x)
        checker.require(
            isinstance(encoded, (tuple, list)) and len(encoded) == 3,
            "model.encoder는 (z_mean, z_log_var, z) 세 텐서를 돌려줘야 합니다.",
        )
        set_fan_in_scaled_weights(model.trainable_weights, SEED)

        _expect_losses(checker, model, x, 0.25, "배치 8, kl_weight=0.25일 때", rng)
        checker.stop()  # 손실이 틀렸다면 다른 배치와 kl_weight에서도 같은 문장이 되풀이됩니다.
        _expect_losses(checker, model, x[:5], 0.25, "배치 5일 때", rng)

        first = checker.call("같은 입력으로 다시 호출 (첫째)", _call_numpy, model, x)
        second = checker.call("같은 입력으로 다시 호출 (둘째)", _call_numpy, model, x)
        checker.expect(
            not np.allclose(first, second),
            "같은 입력으로 두 번 부른 재구성이 똑같습니다: z_mean을 디코딩한 것 같습니다. "
            "VAE는 인코더가 뽑은 z를 디코딩해야 합니다 (call()은 물려받은 그대로 두세요).",
        )
        trackers_ok = _expect_trackers(checker, model, x, 0.25, rng)

        heavy = checker.call(
            "kl_weight=2.0인 모델 만들기", model_class, 6, 5, 3, kl_weight=2.0, seed=1
        )
        checker.call("kl_weight=2.0인 모델 호출", _call_numpy, heavy, x)
        set_fan_in_scaled_weights(heavy.trainable_weights, SEED)
        _expect_losses(checker, heavy, x, 2.0, "kl_weight=2.0일 때", rng)

        fresh = checker.call("훈련할 새 모델 만들기", model_class, 6, 5, 3, kl_weight=0.25, seed=1)
        history = checker.call(
            "compile(optimizer=SGD(0.5)) (loss 없이) 뒤 fit(x, epochs=4)",
            _fit_without_loss,
            fresh,
            rng.random((64, 6)).astype("float32"),
        )
        _expect_honest_fit(checker, history, trackers_ok)
        _check_config(checker, model_class, model, {"original_dim": 6, **arguments})
    return checker.report()


# --- 연습 8-3 -------------------------------------------------------------------------------


def _seeded_vae(original_dim, latent_dim, seed):
    vae = VariationalAutoEncoder(
        original_dim=original_dim, intermediate_dim=5, latent_dim=latent_dim, seed=seed
    )
    vae.build((None, original_dim))
    set_fan_in_scaled_weights(vae.trainable_weights, seed=SEED + seed)
    return vae


def _expected_path(vae, x_start, x_end, steps):
    z_start = keras.ops.convert_to_numpy(vae.encoder(x_start[None])[0])[0]
    z_end = keras.ops.convert_to_numpy(vae.encoder(x_end[None])[0])[0]
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    return keras.ops.convert_to_numpy(vae.decoder((1.0 - t) * z_start + t * z_end))


def _expect_value_error(checker, what, argument, value, fn, *args, **kwargs):
    """`fn(*args, **kwargs)`가 인자 이름과 받은 값을 말하는 `ValueError`를 내는지."""
    try:
        fn(*args, **kwargs)
    except ValueError as error:
        text = str(error)
        return checker.expect(
            argument in text and str(value) in text,
            f"{what}일 때 ValueError 메시지에 인자 이름 {argument}와 받은 값 {value}가 들어 "
            f"있어야 합니다. 받은 메시지: {first_line(error)}",
        )
    except Exception as error:  # 독자 코드의 다른 예외도 보고서로 바꿉니다.
        return checker.fail(
            f"{what}일 때 ValueError를 내야 하는데 {type(error).__name__}가 났습니다 "
            "(steps를 먼저 확인하고 raise ValueError(...)로 알리세요)."
        )
    return checker.fail(f"{what}일 때 ValueError를 내야 하는데 아무 예외도 나지 않았습니다.")


def _expect_path(checker, interpolate_fn, vae, x_start, x_end, steps, when):
    kwargs = {} if steps is None else {"steps": steps}
    steps = 8 if steps is None else steps
    call = "interpolate_latent(vae, x_start, x_end" + "".join(
        f", steps={v}" for v in kwargs.values()
    )
    images = checker.call(
        f"{when}: {call})", numpy_of, interpolate_fn, vae, x_start, x_end, **kwargs
    )
    original_dim = x_start.shape[-1]
    checker.require_equal(
        f"{when}: 돌려준 배열의 모양 (steps, original_dim)", (steps, original_dim), images.shape
    )
    expected = _expected_path(vae, x_start, x_end, steps)
    checker.expect_close(f"{when}: 첫 이미지 (x_start의 z_mean을 그린 것)", expected[0], images[0])
    checker.expect_close(
        f"{when}: 마지막 이미지 (x_end의 z_mean을 그린 것, 끝점도 포함합니다)",
        expected[-1],
        images[-1],
    )
    if steps > 2:
        checker.expect_close(
            f"{when}: 가운데 이미지 (고르게 떨어진 잠재 벡터)", expected[1:-1], images[1:-1]
        )
    return images


@exercise("연습 8-3 잠재 공간 보간", "interpolate_latent")
def check_latent_interpolation(interpolate_fn):
    """연습 8-3: 두 이미지 사이를 잠재 공간에서 잇는 `interpolate_latent` 함수를 채점합니다.

    기대하는 것: `interpolate_fn(vae, x_start, x_end, steps=8)`이 두 이미지(길이
    `original_dim`의 벡터)를 `vae.encoder`로 인코딩해 `z_mean`을 얻고, 두 `z_mean`을 양 끝
    (포함)으로 하는 `steps`개의 고르게 떨어진 잠재 벡터를 `vae.decoder`로 그려
    `(steps, original_dim)` 배열로 돌려줍니다. `steps`가 2보다 작으면 인자 이름 `steps`와
    받은 값을 담은 `ValueError`를 냅니다. 확인 항목은 모듈 설명의 목록에 있습니다.

    Args:
        interpolate_fn: 독자가 만든 함수.

    Returns:
        `CheckReport`.

    Example:

    >>> check_latent_interpolation(interpolate_latent)  # doctest: +SKIP
    ✅ 연습 8-3 잠재 공간 보간: 통과했습니다 (17개 항목 확인).
    """
    if isinstance(interpolate_fn, type) or not callable(interpolate_fn):
        raise WrongArgument(
            "interpolate_fn에는 함수를 넘겨야 합니다 (예: interpolate_latent). "
            f"받은 값: {interpolate_fn!r}"
        )
    checker = Checker("연습 8-3 잠재 공간 보간")
    vae = _seeded_vae(original_dim=6, latent_dim=3, seed=1)
    rng = np.random.default_rng(SEED)
    x_start, x_end = rng.random((2, 6)).astype("float32")
    with checker:
        what = "interpolate_latent(vae, x_start, x_end, steps=5)"
        images = checker.call(what, numpy_of, interpolate_fn, vae, x_start, x_end, steps=5)
        checker.require_equal("돌려준 배열의 모양 (steps=5, original_dim=6)", (5, 6), images.shape)
        again = checker.call(
            f"{what} 다시 호출", numpy_of, interpolate_fn, vae, x_start, x_end, steps=5
        )
        checker.require(
            again.shape == images.shape and np.allclose(again, images),
            "같은 입력으로 두 번 부르면 같은 이미지가 나와야 하는데 다릅니다. 무작위로 뽑은 z "
            "대신 z_mean을 이으세요.",
        )
        checker.require(
            not np.allclose(images[0], x_start),
            "첫 이미지가 x_start 그대로입니다. 픽셀을 섞지 말고, 잠재 벡터(z_mean)를 이은 다음 "
            "디코더로 그리세요.",
        )
        _expect_path(checker, interpolate_fn, vae, x_start, x_end, 5, "original_dim=6, latent 3")
        _expect_path(checker, interpolate_fn, vae, x_start, x_end, None, "steps를 주지 않을 때")

        other = _seeded_vae(original_dim=7, latent_dim=4, seed=2)
        a, b = rng.random((2, 7)).astype("float32")
        _expect_path(checker, interpolate_fn, other, a, b, 3, "original_dim=7, latent 4")

        for steps in (1, 0):
            _expect_value_error(
                checker,
                f"steps={steps}",
                "steps",
                steps,
                interpolate_fn,
                vae,
                x_start,
                x_end,
                steps=steps,
            )
    return checker.report()
