"""9장 연습 문제 채점기: 온도가 있는 샘플링, 정확한 KL 발산, 인코더·디코더를 공유하는 VAE."""

import math

import keras
import numpy as np

from companion.exercises._layer_calls import call_layer
from companion.exercises.checker import Checker, require_class
from companion.settings import SEED

_RNG = np.random.default_rng(SEED)
_Z_MEAN = _RNG.normal(size=(4, 3)).astype("float32")
_Z_LOG_VAR = _RNG.normal(scale=0.5, size=(4, 3)).astype("float32")
_N_SAMPLES = 20_000


def _scalar(value):
    """`value`가 원소 하나짜리면 파이썬 `float`로, 아니면 `None`을 돌려줍니다."""
    try:
        array = np.asarray(keras.ops.convert_to_numpy(value), dtype="float64")
    except (TypeError, ValueError):
        return None
    return float(array.reshape(())) if array.size == 1 else None


def _expect_value_error(checker, what, fn, *args, mentions=(), **kwargs):
    """`fn(*args, **kwargs)`가 `mentions`를 모두 담은 `ValueError`를 내는지 확인합니다."""
    try:
        fn(*args, **kwargs)
    except ValueError as error:
        missing = [word for word in mentions if word not in str(error)]
        return checker.expect(
            not missing,
            f"{what}: ValueError 메시지에 {', '.join(missing)}이(가) 들어 있어야 합니다 "
            f"(인자 이름과 받은 값을 알려 주세요). 받은 메시지: {str(error).splitlines()[0]!r}",
        )
    except Exception as error:  # 독자 코드의 다른 예외도 보고서로 바꿉니다.
        first_line = (str(error).strip().splitlines() or [""])[0]
        return checker.fail(
            f"{what}: ValueError가 나야 하는데 {type(error).__name__}: {first_line}"
        )
    return checker.fail(f"{what}: ValueError가 나야 하는데 아무 예외도 나지 않았습니다.")


def _stats_inputs():
    """평균 (0, 3), 표준편차 (1, 2)인 정규분포를 나타내는 입력 한 쌍."""
    z_mean = np.tile(np.array([[0.0, 3.0]], dtype="float32"), (_N_SAMPLES, 1))
    z_log_var = np.tile(np.log(np.array([[1.0, 4.0]], dtype="float32")), (_N_SAMPLES, 1))
    return z_mean, z_log_var


def check_temperature_sampling(layer_class):
    """연습 9-1: 표준편차에 온도(temperature)를 곱해 뽑는 `TemperatureSampling` 층을 채점합니다.

    기대하는 것: `layer_class(temperature=1.0, seed=None, **kwargs)`로 만들 수 있고,
    `(z_mean, z_log_var)`로 호출하면
    `z_mean + temperature * exp(0.5 * z_log_var) * epsilon`을 돌려줍니다.
    `temperature=0`이면 출력이 `z_mean`과 정확히 같습니다. 같은 `seed`로 만든 두 층은
    같은 표본을 내고(`keras.random.SeedGenerator`), `get_config()`에 `temperature`와
    `seed`가 들어 있으며, 음수 온도에는 인자 이름과 받은 값을 담은 `ValueError`를 냅니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_temperature_sampling(TemperatureSampling)  # doctest: +SKIP
    ✅ 연습 9-1 TemperatureSampling 층: 통과했습니다 (9개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 9-1 TemperatureSampling 층")
    ok, cold = checker.run(
        "TemperatureSampling(temperature=0.0, seed=1) 만들기",
        layer_class,
        temperature=0.0,
        seed=1,
    )
    if not ok:
        return checker.report()
    ok, z = checker.run("temperature=0.0인 층 호출", call_layer, cold, [_Z_MEAN, _Z_LOG_VAR])
    if not ok:
        return checker.report()
    checker.expect_close("temperature=0일 때 출력 (z_mean과 같아야 합니다)", _Z_MEAN, z)

    ok, warm = checker.run(
        "TemperatureSampling(temperature=0.5, seed=2) 만들기",
        layer_class,
        temperature=0.5,
        seed=2,
    )
    if not ok:
        return checker.report()
    ok, z = checker.run(
        f"temperature=0.5인 층을 {_N_SAMPLES}개 행으로 호출", call_layer, warm, _stats_inputs()
    )
    if not ok:
        return checker.report()
    if not checker.expect_equal("출력 모양", (_N_SAMPLES, 2), tuple(z.shape)):
        return checker.report()
    checker.expect_close("표본 평균 (z_mean이 (0, 3)일 때)", [0.0, 3.0], z.mean(axis=0), atol=0.05)
    std = z.std(axis=0)
    if np.allclose(std, [0.5, 1.0], atol=0.04, rtol=0):
        checker.checks += 1
    else:
        guesses = (
            ([1.0, 2.0], " (온도를 곱하지 않은 것 같습니다)"),
            (np.sqrt([0.5, 2.0]), " (분산에 온도를 곱한 것 같습니다: 표준편차에 곱하세요)"),
            ([1.0, math.sqrt(2.0)], " (z_log_var에 온도를 곱한 것 같습니다)"),
            ([0.25, 0.5], " (온도를 두 번 곱한 것 같습니다)"),
        )
        hint = next(
            (text for guess, text in guesses if np.allclose(std, guess, atol=0.04, rtol=0)), ""
        )
        checker.fail(
            "표본 표준편차 (z_log_var가 (log 1, log 4), temperature=0.5일 때): "
            f"[0.5, 1.0]이어야 하는데 {np.round(std.astype('float64'), 3).tolist()}입니다{hint}."
        )
    first_warm_sample = z

    samples = []
    for which in ("첫", "두 번째"):
        ok, layer = checker.run(
            f"{which} TemperatureSampling(temperature=1.0, seed=7) 만들기",
            layer_class,
            temperature=1.0,
            seed=7,
        )
        if ok:
            ok, z = checker.run(
                f"seed=7인 {which} 층 호출", call_layer, layer, [_Z_MEAN, _Z_LOG_VAR]
            )
        if not ok:
            return checker.report()
        samples.append(z)
    checker.expect(
        np.array_equal(*samples),
        "같은 seed로 만든 두 층의 표본이 다릅니다 (__init__에서 keras.random.SeedGenerator(seed)를 "
        "만들어 keras.random.normal의 seed로 넘기세요).",
    )

    ok, config = checker.run("get_config() 호출", warm.get_config)
    if ok:
        if not isinstance(config, dict) or "temperature" not in config:
            checker.fail(
                "get_config()에 'temperature'가 없습니다 "
                "({**super().get_config(), 'temperature': self.temperature}를 돌려주세요)."
            )
        else:
            checker.expect_equal("get_config()의 temperature", 0.5, config["temperature"])
            checker.expect_equal("get_config()의 seed", 2, config.get("seed"))
            ok, clone = checker.run("from_config()로 다시 만들기", layer_class.from_config, config)
            if ok:
                ok, z = checker.run("다시 만든 층 호출", call_layer, clone, _stats_inputs())
                if ok:
                    checker.expect(
                        np.array_equal(z, first_warm_sample),
                        "from_config()로 다시 만든 층의 첫 표본이 원래 층(temperature=0.5, "
                        "seed=2)의 첫 표본과 다릅니다.",
                    )

    _expect_value_error(
        checker,
        "TemperatureSampling(temperature=-1.0) 만들기",
        layer_class,
        temperature=-1.0,
        mentions=("temperature", "-1"),
    )
    return checker.report()


def _exact_kl(z_mean, z_log_var):
    """정확한 KL 발산: 잠재 차원에 대해 합하고 배치에 대해 평균합니다."""
    z_mean = np.asarray(z_mean, dtype="float64")
    z_log_var = np.asarray(z_log_var, dtype="float64")
    per_sample = 0.5 * np.sum(np.exp(z_log_var) + z_mean**2 - z_log_var - 1.0, axis=-1)
    return float(np.mean(per_sample))


def _expect_exact_kl(checker, when, layer, z_mean, z_log_var):
    losses = list(layer.losses)
    if not checker.expect(
        len(losses) == 1,
        f"{when} 뒤 layer.losses에는 손실이 1개 있어야 하는데 {len(losses)}개입니다"
        + (" (call() 안에서 self.add_loss()로 더하세요)." if not losses else "."),
    ):
        return
    value = _scalar(losses[0])
    if value is None:
        checker.fail(f"{when} 뒤 손실은 스칼라여야 합니다 (배치에 대해 평균을 내세요).")
        return
    expected = _exact_kl(z_mean, z_log_var)
    if math.isclose(value, expected, rel_tol=1e-4, abs_tol=1e-6):
        checker.checks += 1
        return
    batch_size, latent_dim = np.shape(z_mean)
    guesses = (
        (expected / latent_dim, " (잠재 차원에 대해 합하지 않고 평균한 것 같습니다)"),
        (expected * batch_size, " (배치에 대해서도 합한 것 같습니다: 배치는 평균하세요)"),
        (-expected, " (부호가 반대입니다)"),
        (2.0 * expected, " (0.5를 곱하지 않은 것 같습니다)"),
    )
    hint = next((text for guess, text in guesses if math.isclose(value, guess, rel_tol=1e-4)), "")
    checker.fail(f"{when} 뒤 KL 손실은 {expected:.4f}이어야 하는데 {value:.4f}입니다{hint}.")


def check_summed_kl_sampling(layer_class):
    """연습 9-2: 정확한 KL 발산을 손실로 더하는 `SummedKLSampling` 층을 채점합니다.

    기대하는 것: `layer_class(seed=None, **kwargs)`로 만들 수 있고, `(z_mean, z_log_var)`로
    호출하면 `Sampling`처럼 표본을 돌려주면서, 샘플마다 잠재 차원에 대해 **합한** KL 발산
    `0.5 * sum(exp(z_log_var) + z_mean² - z_log_var - 1)`을 배치에 대해 평균해
    `add_loss()`로 더합니다. 함수형 모델 안에서 `compile()`에 손실을 주지 않아도
    `evaluate()`가 이 값을 손실로 보고해야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_summed_kl_sampling(SummedKLSampling)  # doctest: +SKIP
    ✅ 연습 9-2 SummedKLSampling 층: 통과했습니다 (8개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 9-2 SummedKLSampling 층")
    ok, layer = checker.run("SummedKLSampling(seed=0) 만들기", layer_class, seed=0)
    if not ok:
        return checker.report()

    ok, z = checker.run("첫 호출", call_layer, layer, [_Z_MEAN, _Z_LOG_VAR])
    if not ok:
        return checker.report()
    if not checker.expect_equal("첫 호출의 출력 모양", _Z_MEAN.shape, tuple(z.shape)):
        return checker.report()
    _expect_exact_kl(checker, "첫 호출", layer, _Z_MEAN, _Z_LOG_VAR)

    z_mean, z_log_var = _stats_inputs()
    ok, z = checker.run(
        f"{_N_SAMPLES}개 행으로 두 번째 호출", call_layer, layer, [z_mean, z_log_var]
    )
    if not ok:
        return checker.report()
    _expect_exact_kl(checker, "두 번째 호출", layer, z_mean, z_log_var)
    checker.expect_close("표본 평균 (z_mean이 (0, 3)일 때)", [0.0, 3.0], z.mean(axis=0), atol=0.05)
    checker.expect(
        np.allclose(z.std(axis=0), [1.0, 2.0], atol=0.05, rtol=0),
        "표본 표준편차 (z_log_var가 (log 1, log 4)일 때): [1.0, 2.0]이어야 하는데 "
        f"{np.round(z.std(axis=0).astype('float64'), 3).tolist()}입니다"
        + (
            " (z_mean을 그대로 돌려주지 말고 표본을 뽑아 돌려주세요)."
            if np.allclose(z.std(axis=0), 0.0)
            else "."
        ),
    )

    ok, loss = checker.run(
        "함수형 모델에 넣어 evaluate()", _evaluate_in_functional_model, layer_class
    )
    if ok:
        model_loss, expected = loss
        checker.expect(
            math.isclose(model_loss, expected, rel_tol=1e-4, abs_tol=1e-6),
            "손실 없이 compile()한 함수형 모델의 evaluate() 손실은 층이 더한 KL 발산 "
            f"{expected:.4f}이어야 하는데 {model_loss:.4f}입니다.",
        )
    return checker.report()


def _evaluate_in_functional_model(layer_class):
    """KL 층만 손실을 내는 작은 함수형 모델의 `evaluate()` 손실과 기대값을 돌려줍니다."""
    x = np.random.default_rng(SEED).normal(size=(16, 5)).astype("float32")
    inputs = keras.Input(shape=(5,))
    init = keras.initializers.RandomNormal(stddev=0.5, seed=SEED)
    z_mean = keras.layers.Dense(3, kernel_initializer=init)(inputs)
    z_log_var = keras.layers.Dense(3, kernel_initializer=init)(inputs)
    z = layer_class(seed=1)([z_mean, z_log_var])
    model = keras.Model(inputs, z)
    model.compile(optimizer="sgd")
    loss = model.evaluate(x, batch_size=len(x), verbose=0)
    stats = keras.Model(inputs, [z_mean, z_log_var])
    z_mean_value, z_log_var_value = (keras.ops.convert_to_numpy(t) for t in stats(x))
    return float(loss), _exact_kl(z_mean_value, z_log_var_value)


def check_vae_parts(build_fn):
    """연습 9-3: 인코더·디코더 모델을 따로 쓸 수 있는 함수형 VAE 빌더를 채점합니다.

    기대하는 것: `build_fn(original_dim=..., intermediate_dim=..., latent_dim=..., seed=...)`가
    `(encoder, decoder, vae)` 세 함수형 모델을 돌려줍니다.

    - `encoder`: `(batch, original_dim)` → `[z_mean, z_log_var, z]` (각각 `(batch, latent_dim)`),
      `z`는 KL 발산을 더하는 샘플링 층(`KLDivergenceSampling`)이 뽑습니다;
    - `decoder`: `(batch, latent_dim)` → `(batch, original_dim)`, 시그모이드로 0–1 사이;
    - `vae`: `(batch, original_dim)` → `(batch, original_dim)`, 인코더와 **같은** 층과
      디코더 모델을 이어 붙여서, `vae`를 훈련하면 `decoder`도 함께 훈련되어야 합니다.

    Args:
        build_fn: 독자가 만든 빌더 함수.

    Returns:
        `CheckReport`.

    Example:

    >>> check_vae_parts(build_vae_parts)  # doctest: +SKIP
    ✅ 연습 9-3 인코더·디코더를 공유하는 VAE: 통과했습니다 (10개 항목 확인).
    """
    if not callable(build_fn) or isinstance(build_fn, keras.Model):
        raise TypeError(
            "build_fn에는 빌더 함수 자체를 넘겨야 합니다 (예: build_vae_parts, "
            f"build_vae_parts()가 아니라). 받은 값: {build_fn!r}"
        )
    checker = Checker("연습 9-3 인코더·디코더를 공유하는 VAE")
    original_dim, intermediate_dim, latent_dim = 12, 8, 2
    ok, parts = checker.run(
        "build_fn(original_dim=12, intermediate_dim=8, latent_dim=2, seed=0) 호출",
        build_fn,
        original_dim=original_dim,
        intermediate_dim=intermediate_dim,
        latent_dim=latent_dim,
        seed=0,
    )
    if not ok:
        return checker.report()
    if not checker.expect(
        isinstance(parts, (tuple, list))
        and len(parts) == 3
        and all(isinstance(part, keras.Model) for part in parts),
        "build_fn은 (encoder, decoder, vae) 세 keras.Model의 튜플을 돌려줘야 하는데 "
        f"{_describe(parts)}을(를) 돌려줬습니다.",
    ):
        return checker.report()
    encoder, decoder, vae = parts

    shapes = {}
    for part_name, part in zip(("encoder", "decoder", "vae"), parts, strict=True):
        if not isinstance(getattr(part, "outputs", None), list):
            checker.fail(
                f"{part_name}는 함수형 API로 만든 모델(keras.Model(inputs, outputs))이어야 합니다."
            )
            return checker.report()
        shapes[part_name] = (
            [tuple(tensor.shape) for tensor in part.inputs],
            [tuple(tensor.shape) for tensor in part.outputs],
        )
    checker.expect_equal(
        "encoder의 출력 모양 [z_mean, z_log_var, z]",
        [(None, latent_dim)] * 3,
        shapes["encoder"][1],
    )
    checker.expect_equal(
        "decoder의 (입력 모양들, 출력 모양들)",
        ([(None, latent_dim)], [(None, original_dim)]),
        shapes["decoder"],
    )
    checker.expect_equal(
        "vae의 (입력 모양들, 출력 모양들)",
        ([(None, original_dim)], [(None, original_dim)]),
        shapes["vae"],
    )

    vae_weights = {id(weight) for weight in vae.weights}
    checker.expect(
        bool(decoder.weights) and all(id(w) in vae_weights for w in decoder.weights),
        "decoder의 가중치가 vae의 가중치가 아닙니다: 디코더 층을 따로 새로 만들지 말고 "
        "vae = keras.Model(inputs, decoder(z))처럼 decoder 모델을 호출해 이어 붙이세요 "
        "(그래야 vae를 훈련하면 decoder도 훈련됩니다).",
    )
    checker.expect(
        bool(encoder.weights) and all(id(w) in vae_weights for w in encoder.weights),
        "encoder의 가중치가 vae의 가중치가 아닙니다: encoder와 vae는 같은 층을 써야 합니다.",
    )

    if len(shapes["encoder"][1]) != 3:
        return checker.report()
    x = np.random.default_rng(SEED).uniform(size=(64, original_dim)).astype("float32")
    ok, y = checker.run("vae 호출", lambda: keras.ops.convert_to_numpy(vae(x)))
    if not ok:
        return checker.report()
    n_losses = len(vae.losses)
    if checker.expect(
        n_losses == 1,
        f"vae를 호출한 뒤 vae.losses에는 KL 손실이 1개 있어야 하는데 {n_losses}개입니다"
        + (
            " (Sampling 대신 KL을 더하는 KLDivergenceSampling 층을 쓰세요)."
            if n_losses == 0
            else "."
        ),
    ):
        ok, stats = checker.run("encoder 호출", encoder, x)
        if ok:
            z_mean, z_log_var = (keras.ops.convert_to_numpy(t) for t in stats[:2])
            expected = -0.5 * np.mean(z_log_var - z_mean**2 - np.exp(z_log_var) + 1.0)
            checker.expect_close(
                "vae.losses의 KL 손실 (encoder의 z_mean, z_log_var로 계산한 값)",
                expected,
                _scalar(vae.losses[0]),
                atol=1e-5,
            )

    z = np.random.default_rng(SEED).normal(size=(32, latent_dim)).astype("float32")
    ok, generated = checker.run(
        "decoder로 무작위 잠재 벡터 복원", lambda: keras.ops.convert_to_numpy(decoder(z))
    )
    if ok:
        low, high = float(np.min(generated)), float(np.max(generated))
        checker.expect(
            0.0 <= low and high <= 1.0,
            "decoder의 출력은 0–1 사이여야 하는데 "
            f"[{low:.3f}, {high:.3f}] 범위입니다 (마지막 Dense에 activation='sigmoid'를 쓰세요).",
        )

    ok, history = checker.run("vae를 compile()·fit()으로 훈련", _fit_briefly, vae, x)
    if ok:
        losses = history.history.get("loss", [])
        checker.expect(
            len(losses) == 2 and all(np.isfinite(losses)),
            f"fit()의 손실이 유한한 값 2개여야 하는데 {losses}입니다.",
        )
    return checker.report()


def _fit_briefly(model, x):
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.MeanSquaredError())
    return model.fit(x, x, epochs=2, batch_size=32, verbose=0)


def _describe(value):
    if isinstance(value, (tuple, list)):
        kinds = ", ".join(type(item).__name__ for item in value)
        return f"{len(value)}개짜리 {type(value).__name__} ({kinds})"
    return type(value).__name__
