"""9장 연습 문제 채점기: 온도가 있는 샘플링, 정확한 KL 발산, 인코더·디코더를 따로 쓰는 VAE.

요구 사항 → 확인 (연습 문제의 요구 사항마다 확인이 하나 이상 있습니다).

연습 9-1 `check_temperature_sampling` (9개):

1. `Sampling`을 물려받음 → `issubclass(layer_class, Sampling)`.
2. `TemperatureSampling(temperature=1.0, seed=None, **kwargs)` → `name="temp"`가 층 이름이 됨,
   `TemperatureSampling()`의 표본 표준편차가 `exp(0.5·z_log_var)` (기본 온도 1).
3. `z_mean + temperature·exp(0.5·z_log_var)·ε` → 20,000행에서 `temperature=0.5`일 때 평균과
   표준편차 (온도 무시, 분산에 곱함, z_log_var에 곱함, 두 번 곱함을 따로 알림).
4. `temperature=0`이면 출력이 `z_mean` → 값 비교.
5. ε은 원소마다 뽑음 → 같은 입력 행들의 표본이 서로 다름; 3차원 입력에서 모양.
6. `self.seed_generator`로 뽑음 → 같은 seed의 두 층은 같은 표본, 다른 seed는 다른 표본,
   다시 부르면 (컴파일된 함수 안에서도) 다른 표본.
7. 음수 온도에 인자 이름과 받은 값을 담은 `ValueError` → `temperature=-1.0`.
8. `get_config()`에 `temperature` → 값, `seed`, `from_config()`로 만든 층의 첫 표본이 같음.
9. 설정한 값을 쓰지 않고 버리지 않음 → 3과 8 (온도 0.5와 0의 결과가 다름).

연습 9-2 `check_summed_kl_sampling` (8개):

1. `Sampling`을 물려받음 → `issubclass`.
2. `SummedKLSampling(seed=None, **kwargs)` → `name="kl"`이 층 이름, `SummedKLSampling()`.
3. KL을 잠재 차원에 대해 합하고 배치에 대해 평균 → 0이 아닌 z_mean·z_log_var로 배치 4와
   20,000에서 값 (차원 평균, 배치 합, 부호, 0.5 빠짐을 따로 알림).
4. `add_loss()`로 더함 → `layer.losses`에 손실 하나.
5. 손실이 입력에 대해 미분됨 → `backend_gradients` (GradientTape, jax.grad, torch.autograd)로
   z_mean, z_log_var에 대한 경사가 해석적
   값 `z_mean/B`, `(exp(z_log_var) - 1)/(2B)`와 같음.
6. 표본을 돌려줌 (`Sampling`처럼) → 평균, 표준편차 `exp(0.5·z_log_var)`, 원소마다 다른 잡음.
7. seed를 씀 → 같은 seed의 두 층은 같은 표본, 컴파일된 함수 안에서 다시 부르면
   다른 표본 (층에 `SeedGenerator`가 있어야 함: PyTorch는 컴파일하지 않으므로).
8. 함수형 모델에서 `compile()`에 손실 없이 `evaluate()`가 이 값 → 컴파일된 `evaluate()`.

연습 9-3 `check_vae_parts` (9개):

1. `build_vae_parts(original_dim, intermediate_dim, latent_dim, kl_weight=1.0, seed=None)`이
   `(encoder, decoder, vae)` 세 함수형 모델 → 타입, `outputs`.
2. `encoder`: `(batch, original_dim)` → `[z_mean, z_log_var, z]` → 크기 (12, 8, 2)와 (10, 6, 3).
3. `z`는 `KLDivergenceSampling`으로 → `vae.losses`에 KL 하나, 값이 `kl_weight`·KL
   (`kl_weight=0.5`와 기본값 1.0; kl_weight를 무시하면 따로 알림).
4. `decoder`: `(batch, latent_dim)` → `(batch, original_dim)`, 마지막 활성화가 시그모이드 →
   모양, 마지막 층의 활성화 전 값에 시그모이드를 씌운 값과 출력 비교.
5. `vae`는 인코더와 같은 층, `decoder` 모델을 호출해 이어 붙임 → 가중치 공유.
6. `vae`는 뽑은 `z`를 디코딩 → 같은 입력으로 두 번 부른 출력이 다름 (`z_mean`을 디코딩하면
   따로 알림).
7. `seed`를 씀 → 같은 seed로 두 번 만들고 가중치를 맞추면 같은 `z`.
8. `vae`를 훈련하면 `decoder`도 훈련됨 → 컴파일된 `fit()` 한 에포크 뒤 `decoder` 가중치가 바뀜.
9. 배치 크기를 고정하지 않음 → 배치 64와 5.
"""

import math

import keras
import numpy as np

from companion.exercises._layer_calls import call_layer
from companion.exercises.checker import (
    Checker,
    WrongArgument,
    backend_gradients,
    exercise,
    quiet_tensorflow_logs,
    require_class,
    run_twice_compiled,
    scalar_or_none,
    set_fan_in_scaled_weights,
    uses_seed_generator,
)
from companion.layers.sampling import Sampling
from companion.settings import SEED

_RNG = np.random.default_rng(SEED)
_Z_MEAN = _RNG.normal(size=(4, 3)).astype("float32")
_Z_LOG_VAR = _RNG.normal(scale=0.5, size=(4, 3)).astype("float32")
_N_SAMPLES = 20_000


def _stats_inputs():
    """평균 (0, 3), 표준편차 (1, 2)인 정규분포를 나타내는 입력 한 쌍."""
    z_mean = np.tile(np.array([[0.0, 3.0]], dtype="float32"), (_N_SAMPLES, 1))
    z_log_var = np.tile(np.log(np.array([[1.0, 4.0]], dtype="float32")), (_N_SAMPLES, 1))
    return z_mean, z_log_var


def _expect_subclass(checker, layer_class):
    checker.expect(
        issubclass(layer_class, Sampling),
        f"companion.Sampling을 물려받아야 하는데 {layer_class.__name__}의 부모 클래스는 "
        f"{[base.__name__ for base in layer_class.__mro__[1:3]]}입니다.",
    )


def _expect_name(checker, layer, name):
    checker.expect(
        layer.name == name,
        f'층 이름이 "{name}"이어야 하는데 {layer.name!r}입니다 '
        "(**kwargs를 super().__init__(**kwargs)에 넘기세요).",
    )


def _expect_std(checker, z, expected, what, guesses=()):
    """표본 `z`의 열별 평균 (0, 3)과 표준편차 `expected`를 확인하고 흔한 실수를 알려 줍니다."""
    checker.expect_close(
        f"{what} 표본 평균 (z_mean이 (0, 3)일 때)", [0.0, 3.0], z.mean(0), atol=0.06
    )
    std = z.std(axis=0)
    if np.allclose(std, expected, atol=0.04, rtol=0):
        checker.checks += 1
        return True
    if np.allclose(z, [0.0, 3.0]):
        hint = " (z_mean을 그대로 돌려주지 말고 표본을 뽑아 돌려주세요)"
    elif np.allclose(z, z[:1]):
        hint = (
            " (모든 행이 같은 잡음을 받았습니다: ε은 z_mean과 같은 모양으로 뽑으세요, "
            "keras.random.normal(ops.shape(z_mean), ...))"
        )
    else:
        hint = next(
            (text for guess, text in guesses if np.allclose(std, guess, atol=0.04, rtol=0)), ""
        )
    return checker.fail(
        f"{what} 표본 표준편차 (z_log_var가 (log 1, log 4)일 때): "
        f"{np.round(np.asarray(expected, 'float64'), 3).tolist()}이어야 하는데 "
        f"{np.round(std.astype('float64'), 3).tolist()}입니다{hint}."
    )


def _expect_seeded(checker, layer_class, inputs, label):
    """같은 seed → 같은 표본, 다른 seed → 다른 표본, 컴파일된 함수 안에서 다시 부르면 다른 표본."""
    samples = []
    for seed in (7, 7, 8):
        layer = checker.call(f"{label}(seed={seed}) 만들기", layer_class, seed=seed)
        samples.append(checker.call(f"seed={seed}인 층 호출", call_layer, layer, inputs))
    if np.allclose(samples[0], inputs[0]):
        return  # 표본을 뽑지 않는 층: 표준편차 확인이 이미 알렸습니다.
    checker.expect(
        np.array_equal(samples[0], samples[1]),
        "같은 seed로 만든 두 층의 표본이 다릅니다 (__init__에서 만든 self.seed_generator를 "
        "keras.random.normal의 seed로 넘기세요).",
    )
    checker.expect(
        not np.array_equal(samples[0], samples[2]),
        "seed=7과 seed=8로 만든 층의 표본이 같습니다 (seed 인자를 super().__init__(seed=seed)에 "
        "넘기세요).",
    )
    ok, compiled = checker.run(
        "컴파일된 함수 안에서 두 번 호출",
        run_twice_compiled,
        lambda a, b: layer([a, b]),
        *inputs,
        state=layer,
    )
    if ok:
        checker.expect(
            not np.allclose(compiled[0], compiled[1]) and uses_seed_generator(layer),
            "컴파일한 함수(tf.function, jax.jit) 안에서 두 번 부르면 표본이 달라야 하는데 "
            "같습니다. NumPy나 정수 시드로 뽑은 잡음은 그래프에 굳습니다 "
            "(seed=self.seed_generator를 쓰세요).",
        )


# --- 연습 9-1 -------------------------------------------------------------------------------


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 9-1 TemperatureSampling 층", "TemperatureSampling")
def check_temperature_sampling(layer_class):
    """연습 9-1: 표준편차에 온도(temperature)를 곱해 뽑는 `TemperatureSampling` 층을 채점합니다.

    기대하는 것: `Sampling`을 물려받아 `layer_class(temperature=1.0, seed=None, **kwargs)`로
    만들 수 있고, `(z_mean, z_log_var)`로 호출하면
    `z_mean + temperature * exp(0.5 * z_log_var) * epsilon`을 돌려줍니다 (ε은 원소마다).
    `temperature=0`이면 출력이 `z_mean`과 정확히 같습니다. 같은 `seed`로 만든 두 층은
    같은 표본을 내고(`self.seed_generator`), `get_config()`에 `temperature`와 `seed`가
    들어 있으며, 음수 온도에는 인자 이름과 받은 값을 담은 `ValueError`를 냅니다.
    확인 항목은 모듈 설명의 목록에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_temperature_sampling(TemperatureSampling)  # doctest: +SKIP
    ✅ 연습 9-1 TemperatureSampling 층: 통과했습니다 (16개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 9-1 TemperatureSampling 층")
    with checker:
        _expect_subclass(checker, layer_class)
        cold = checker.call(
            'TemperatureSampling(temperature=0.0, seed=1, name="temp") 만들기',
            layer_class,
            temperature=0.0,
            seed=1,
            name="temp",
        )
        _expect_name(checker, cold, "temp")
        z = checker.call("temperature=0.0인 층 호출", call_layer, cold, [_Z_MEAN, _Z_LOG_VAR])
        checker.expect_close("temperature=0일 때 출력 (z_mean과 같아야 합니다)", _Z_MEAN, z)

        warm = checker.call(
            "TemperatureSampling(temperature=0.5, seed=2) 만들기",
            layer_class,
            temperature=0.5,
            seed=2,
        )
        z = checker.call(
            f"temperature=0.5인 층을 {_N_SAMPLES:,}개 행으로 호출",
            call_layer,
            warm,
            _stats_inputs(),
        )
        checker.require_equal("출력 모양", (_N_SAMPLES, 2), tuple(z.shape))
        guesses = (
            ([1.0, 2.0], " (온도를 곱하지 않은 것 같습니다)"),
            (np.sqrt([0.5, 2.0]), " (분산에 온도를 곱한 것 같습니다: 표준편차에 곱하세요)"),
            ([1.0, math.sqrt(2.0)], " (z_log_var에 온도를 곱한 것 같습니다)"),
            ([0.25, 0.5], " (온도를 두 번 곱한 것 같습니다)"),
            (
                [0.5, 2.0],
                " (분산 exp(z_log_var)에 온도를 곱했습니다: exp(0.5 * z_log_var)를 쓰세요)",
            ),
        )
        _expect_std(checker, z, [0.5, 1.0], "temperature=0.5일 때", guesses)
        first_warm_sample = z

        default = checker.call("TemperatureSampling() 만들기 (기본값)", layer_class)
        z = checker.call("기본값 층 호출", call_layer, default, _stats_inputs())
        _expect_std(
            checker,
            z,
            [1.0, 2.0],
            "기본값 temperature=1.0일 때",
            (([0.5, 1.0], " (기본 온도가 1.0이 아닌 것 같습니다)"),),
        )

        x3 = np.zeros((2, 3, 4), dtype="float32")
        ok, z3 = checker.run("3차원 입력 (2, 3, 4)로 호출", call_layer, default, [x3, x3])
        if ok:
            checker.expect_equal("3차원 입력일 때 출력 모양", (2, 3, 4), tuple(z3.shape))

        _expect_seeded(checker, layer_class, [_Z_MEAN, _Z_LOG_VAR], "TemperatureSampling")

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
                ok, clone = checker.run(
                    "from_config()로 다시 만들기", layer_class.from_config, config
                )
                if ok:
                    ok, z = checker.run("다시 만든 층 호출", call_layer, clone, _stats_inputs())
                    if ok:
                        checker.expect(
                            np.array_equal(z, first_warm_sample),
                            "from_config()로 다시 만든 층의 첫 표본이 원래 층(temperature=0.5, "
                            "seed=2)의 첫 표본과 다릅니다.",
                        )

        checker.expect_value_error(
            "TemperatureSampling(temperature=-1.0) 만들기",
            layer_class,
            temperature=-1.0,
            mentions=("temperature", "-1"),
        )
    return checker.report()


# --- 연습 9-2 -------------------------------------------------------------------------------


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
    value = scalar_or_none(losses[0])
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


def _kl_gradients(layer, z_mean, z_log_var):
    """층이 더한 손실의 z_mean, z_log_var에 대한 경사 (없거나 모두 0이면 None).

    `backend_gradients`가 백엔드마다 구합니다. TensorFlow와 PyTorch는 손실과 이어지지 않은 입력의
    경사를 `None`으로, JAX는 0으로 주므로 0도 `None`으로 맞춥니다.
    """

    def loss_fn(mean, log_var):
        layer([mean, log_var])
        return layer.losses[0]

    gradients = backend_gradients(loss_fn, [], inputs=[z_mean, z_log_var])
    return [None if g is None or not np.any(g) else g for g in gradients]


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 9-2 SummedKLSampling 층", "SummedKLSampling")
def check_summed_kl_sampling(layer_class):
    """연습 9-2: 정확한 KL 발산을 손실로 더하는 `SummedKLSampling` 층을 채점합니다.

    기대하는 것: `Sampling`을 물려받아 `layer_class(seed=None, **kwargs)`로 만들 수 있고,
    `(z_mean, z_log_var)`로 호출하면 `Sampling`처럼 표본을 돌려주면서, 샘플마다 잠재 차원에
    대해 **합한** KL 발산 `0.5 * sum(exp(z_log_var) + z_mean² - z_log_var - 1)`을 배치에 대해
    평균해 `add_loss()`로 더합니다. 함수형 모델 안에서 `compile()`에 손실을 주지 않아도
    `evaluate()`가 이 값을 손실로 보고해야 합니다. 확인 항목은 모듈 설명의 목록에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_summed_kl_sampling(SummedKLSampling)  # doctest: +SKIP
    ✅ 연습 9-2 SummedKLSampling 층: 통과했습니다 (15개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 9-2 SummedKLSampling 층")
    with checker:
        _expect_subclass(checker, layer_class)
        layer = checker.call(
            'SummedKLSampling(seed=0, name="kl") 만들기', layer_class, seed=0, name="kl"
        )
        _expect_name(checker, layer, "kl")
        z = checker.call("첫 호출 (배치 4, 잠재 3)", call_layer, layer, [_Z_MEAN, _Z_LOG_VAR])
        checker.require_equal("첫 호출의 출력 모양", _Z_MEAN.shape, tuple(z.shape))
        _expect_exact_kl(checker, "첫 호출", layer, _Z_MEAN, _Z_LOG_VAR)

        # JAX에서는 경사를 구하는 StatelessScope 호출이 층의 손실 목록을 비우므로 먼저 셉니다.
        one_loss = len(layer.losses) == 1
        ok, gradients = checker.run("손실의 경사 계산", _kl_gradients, layer, _Z_MEAN, _Z_LOG_VAR)
        if ok and one_loss:
            batch = _Z_MEAN.shape[0]
            expected = [_Z_MEAN / batch, (np.exp(_Z_LOG_VAR) - 1.0) / (2 * batch)]
            if gradients[0] is None or gradients[1] is None:
                checker.fail(
                    "add_loss()로 더한 손실이 z_mean, z_log_var에 대해 미분되지 않습니다 "
                    "(NumPy나 float()로 계산하지 말고 keras.ops로 계산하세요)."
                )
            else:
                checker.expect_close(
                    "손실의 z_mean에 대한 경사 (z_mean / 배치 크기)", expected[0], gradients[0]
                )
                checker.expect_close(
                    "손실의 z_log_var에 대한 경사 ((exp(z_log_var) - 1) / (2 × 배치 크기))",
                    expected[1],
                    gradients[1],
                )

        z_mean, z_log_var = _stats_inputs()
        z = checker.call(
            f"{_N_SAMPLES:,}개 행으로 두 번째 호출", call_layer, layer, [z_mean, z_log_var]
        )
        _expect_exact_kl(checker, "두 번째 호출", layer, z_mean, z_log_var)
        _expect_std(
            checker,
            z,
            [1.0, 2.0],
            "",
            (
                ([1.0, 4.0], " (exp(z_log_var)(분산)를 곱했습니다: exp(0.5 * z_log_var)를 쓰세요)"),
                ([1.0, 1.0], " (z_log_var를 쓰지 않은 것 같습니다)"),
            ),
        )

        default = checker.call("SummedKLSampling() 만들기 (기본값)", layer_class)
        checker.call("기본값 층 호출", call_layer, default, [_Z_MEAN, _Z_LOG_VAR])
        _expect_seeded(checker, layer_class, [_Z_MEAN, _Z_LOG_VAR], "SummedKLSampling")

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


# --- 연습 9-3 -------------------------------------------------------------------------------


def _numpy(fn, *args):
    outputs = fn(*args)
    if isinstance(outputs, (tuple, list)):
        return [np.asarray(keras.ops.convert_to_numpy(t), "float64") for t in outputs]
    return np.asarray(keras.ops.convert_to_numpy(outputs), "float64")


def _describe(value):
    if isinstance(value, (tuple, list)):
        kinds = ", ".join(type(item).__name__ for item in value)
        return f"{len(value)}개짜리 {type(value).__name__} ({kinds})"
    return type(value).__name__


def _build_parts(checker, build_fn, sizes, **kwargs):
    original_dim, intermediate_dim, latent_dim = sizes
    arguments = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    parts = checker.call(
        f"build_fn({original_dim}, {intermediate_dim}, {latent_dim}, {arguments}) 호출",
        build_fn,
        original_dim,
        intermediate_dim,
        latent_dim,
        **kwargs,
    )
    checker.require(
        isinstance(parts, (tuple, list))
        and len(parts) == 3
        and all(isinstance(part, keras.Model) for part in parts),
        "build_fn은 (encoder, decoder, vae) 세 keras.Model의 튜플을 돌려줘야 하는데 "
        f"{_describe(parts)}을(를) 돌려줬습니다.",
    )
    for part_name, part in zip(("encoder", "decoder", "vae"), parts, strict=True):
        checker.require(
            isinstance(getattr(part, "outputs", None), list),
            f"{part_name}는 함수형 API로 만든 모델(keras.Model(inputs, outputs))이어야 합니다.",
        )
    return parts


def _expect_shapes(checker, parts, sizes):
    original_dim, _, latent_dim = sizes
    shapes = {
        name: (
            [tuple(tensor.shape) for tensor in part.inputs],
            [tuple(tensor.shape) for tensor in part.outputs],
        )
        for name, part in zip(("encoder", "decoder", "vae"), parts, strict=True)
    }
    label = f"original_dim={original_dim}, latent_dim={latent_dim}일 때"
    return all(
        [
            checker.expect_equal(
                f"{label} encoder의 출력 모양 [z_mean, z_log_var, z]",
                [(None, latent_dim)] * 3,
                shapes["encoder"][1],
            ),
            checker.expect_equal(
                f"{label} decoder의 (입력 모양들, 출력 모양들)",
                ([(None, latent_dim)], [(None, original_dim)]),
                shapes["decoder"],
            ),
            checker.expect_equal(
                f"{label} vae의 (입력 모양들, 출력 모양들)",
                ([(None, original_dim)], [(None, original_dim)]),
                shapes["vae"],
            ),
        ]
    )


def _expect_kl_loss(checker, encoder, vae, x, kl_weight, when, decodes_mean=False):
    checker.call(f"{when} vae 호출 (배치 {len(x)})", _numpy, vae, x)
    n_losses = len(vae.losses)
    if n_losses == 0 and decodes_mean:
        hint = " (샘플링 층이 vae의 경로에 없습니다: z를 디코딩하면 KL 손실도 함께 더해집니다)."
    elif n_losses == 0:
        hint = " (Sampling 대신 KL을 더하는 KLDivergenceSampling 층을 쓰세요)."
    else:
        hint = "."
    if not checker.expect(
        n_losses == 1,
        f"vae를 호출한 뒤 vae.losses에는 KL 손실이 1개 있어야 하는데 {n_losses}개입니다{hint}",
    ):
        return False
    z_mean, z_log_var = checker.call("encoder 호출", _numpy, encoder, x)[:2]
    kl = -0.5 * np.mean(z_log_var - z_mean**2 - np.exp(z_log_var) + 1.0)
    value = scalar_or_none(vae.losses[0])
    expected = kl_weight * kl
    if value is not None and math.isclose(value, expected, rel_tol=1e-4, abs_tol=1e-6):
        checker.checks += 1
        return True
    hint = ""
    if value is not None and kl_weight != 1.0 and math.isclose(value, kl, rel_tol=1e-4):
        hint = " (kl_weight를 KLDivergenceSampling(kl_weight=kl_weight, ...)에 넘기세요)"
    return checker.fail(
        f"{when} vae.losses의 KL 손실이 kl_weight × KL = {expected:.4f}이어야 하는데 "
        f"{value if value is None else round(value, 4)}입니다{hint}."
    )


def _expect_sigmoid_output(checker, decoder, z):
    """decoder의 마지막 층 출력이 활성화 전 값의 시그모이드인지 확인합니다."""
    output = checker.call("decoder로 무작위 잠재 벡터 재구성", _numpy, decoder, z)
    last = decoder.layers[-1]
    pre = None
    try:
        hidden = _numpy(keras.Model(decoder.inputs[0], last.input), z)
        if isinstance(last, keras.layers.Dense):
            kernel, *bias = (keras.ops.convert_to_numpy(w) for w in last.weights)
            pre = hidden @ kernel + (bias[0] if bias else 0.0)
        elif isinstance(last, keras.layers.Activation):
            pre = hidden
    except Exception:  # 마지막 층을 풀 수 없으면 값의 범위만 확인합니다.
        pre = None
    if pre is None:
        low, high = float(np.min(output)), float(np.max(output))
        return checker.expect(
            0.0 <= low and high <= 1.0,
            f"decoder의 출력은 0–1 사이여야 하는데 [{low:.3f}, {high:.3f}] 범위입니다 "
            "(마지막 Dense에 activation='sigmoid'를 쓰세요).",
        )
    expected = 1.0 / (1.0 + np.exp(-pre))
    if np.allclose(output, expected, atol=1e-5):
        checker.checks += 1
        return True
    if np.allclose(output, pre, atol=1e-5):
        hint = "마지막 층에 활성화가 없습니다"
    elif np.allclose(output.sum(axis=-1), 1.0, atol=1e-4):
        hint = "소프트맥스처럼 각 행의 합이 1입니다"
    else:
        hint = "시그모이드가 아닌 다른 활성화입니다"
    return checker.fail(
        f"decoder의 출력이 마지막 층의 활성화 전 값에 시그모이드를 씌운 값이어야 하는데 {hint} "
        "(마지막 Dense에 activation='sigmoid'를 쓰세요)."
    )


def _fit_one_epoch(vae, x):
    vae.compile(optimizer=keras.optimizers.SGD(0.1), loss=keras.losses.MeanSquaredError())
    return vae.fit(x, x, epochs=1, batch_size=32, verbose=0).history["loss"]


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 9-3 인코더·디코더를 따로 쓰는 VAE", "build_vae_parts")
def check_vae_parts(build_fn):
    """연습 9-3: 인코더·디코더 모델을 따로 쓸 수 있는 함수형 VAE 빌더를 채점합니다.

    기대하는 것: `build_fn(original_dim, intermediate_dim, latent_dim, kl_weight=1.0,
    seed=None)`이 `(encoder, decoder, vae)` 세 함수형 모델을 돌려줍니다.

    - `encoder`: `(batch, original_dim)` → `[z_mean, z_log_var, z]` (각각 `(batch, latent_dim)`),
      `z`는 KL 발산(`kl_weight` 곱)을 더하는 `KLDivergenceSampling`이 뽑습니다;
    - `decoder`: `(batch, latent_dim)` → `(batch, original_dim)`, 마지막 활성화는 시그모이드;
    - `vae`: `(batch, original_dim)` → `(batch, original_dim)`, 인코더와 **같은** 층과
      디코더 모델을 이어 붙여 뽑은 `z`를 디코딩하고, `vae`를 훈련하면 `decoder`도 함께
      훈련되어야 합니다.

    확인 항목은 모듈 설명의 목록에 있습니다.

    Args:
        build_fn: 독자가 만든 빌더 함수.

    Returns:
        `CheckReport`.

    Example:

    >>> check_vae_parts(build_vae_parts)  # doctest: +SKIP
    ✅ 연습 9-3 인코더·디코더를 따로 쓰는 VAE: 통과했습니다 (32개 항목 확인).
    """
    if not callable(build_fn) or isinstance(build_fn, keras.Model):
        raise WrongArgument(
            "build_fn에는 빌더 함수 자체를 넘겨야 합니다 (예: build_vae_parts, "
            f"build_vae_parts()가 아니라). 받은 값: {build_fn!r}"
        )
    checker = Checker("연습 9-3 인코더·디코더를 따로 쓰는 VAE")
    rng = np.random.default_rng(SEED)
    with checker:
        sizes = (12, 8, 2)
        encoder, decoder, vae = _build_parts(checker, build_fn, sizes, kl_weight=0.5, seed=0)
        checker.require(_expect_shapes(checker, (encoder, decoder, vae), sizes), "모양")

        x = rng.uniform(size=(64, 12)).astype("float32")
        set_fan_in_scaled_weights(vae.trainable_weights, SEED)
        first = checker.call("같은 입력으로 vae 호출 (첫째)", _numpy, vae, x)
        second = checker.call("같은 입력으로 vae 호출 (둘째)", _numpy, vae, x)
        decodes_mean = np.allclose(first, second)
        checker.expect(
            not decodes_mean,
            "같은 입력으로 두 번 부른 vae의 출력이 똑같습니다: z_mean을 디코딩한 것 같습니다. "
            "vae는 샘플링 층이 뽑은 z를 decoder에 넘겨야 합니다 (keras.Model(inputs, decoder(z))).",
        )

        vae_weights = {id(weight) for weight in vae.weights}
        checker.expect(
            bool(decoder.weights) and all(id(w) in vae_weights for w in decoder.weights),
            "decoder의 가중치가 vae의 가중치가 아닙니다: 디코더 층을 따로 새로 만들지 말고 "
            "vae = keras.Model(inputs, decoder(z))처럼 decoder 모델을 호출해 이어 붙이세요 "
            "(그래야 vae를 훈련하면 decoder도 훈련됩니다).",
        )
        if not decodes_mean:  # z_mean을 디코딩하면 z_log_var 층이 vae에서 빠지는 것이 당연합니다.
            checker.expect(
                bool(encoder.weights) and all(id(w) in vae_weights for w in encoder.weights),
                "encoder의 가중치가 vae의 가중치가 아닙니다: encoder와 vae는 같은 층을 써야 "
                "합니다 (입력에서 z까지 만든 층으로 encoder와 vae를 함께 만드세요).",
            )

        if _expect_kl_loss(checker, encoder, vae, x, 0.5, "kl_weight=0.5일 때", decodes_mean):
            _expect_kl_loss(checker, encoder, vae, x[:5], 0.5, "배치 5일 때")
        z = rng.normal(size=(32, 2)).astype("float32")
        _expect_sigmoid_output(checker, decoder, z)

        sizes = (10, 6, 3)
        parts = _build_parts(checker, build_fn, sizes, seed=1)
        if _expect_shapes(checker, parts, sizes):
            # 아직 부르지 않은 두 encoder: 가중치를 맞추면 첫 z가 같아야 합니다.
            x10 = rng.uniform(size=(16, 10)).astype("float32")
            twin = _build_parts(checker, build_fn, sizes, seed=1)
            set_fan_in_scaled_weights(parts[0].trainable_weights, seed=SEED + 1)
            checker.call("가중치 복사 (set_weights)", twin[0].set_weights, parts[0].get_weights())
            z_a = checker.call("seed=1인 첫 encoder 호출", _numpy, parts[0], x10)[2]
            z_b = checker.call("seed=1인 둘째 encoder 호출", _numpy, twin[0], x10)[2]
            checker.expect(
                np.allclose(z_a, z_b, atol=1e-6),
                "같은 seed로 두 번 만들고 가중치를 맞춘 encoder가 다른 z를 뽑습니다 "
                "(seed를 KLDivergenceSampling(seed=seed)에 넘기세요).",
            )
            if not decodes_mean:
                _expect_kl_loss(checker, parts[0], parts[2], x10, 1.0, "kl_weight 기본값(1.0)일 때")

        before = [np.array(w) for w in decoder.get_weights()]
        losses = checker.call("vae를 compile()·fit()으로 한 에포크 훈련", _fit_one_epoch, vae, x)
        checker.expect(
            len(losses) == 1 and all(np.isfinite(losses)),
            f"fit()의 손실이 유한한 값이어야 하는데 {losses}입니다.",
        )
        after = decoder.get_weights()
        checker.expect(
            any(not np.allclose(a, b) for a, b in zip(before, after, strict=True)),
            "vae를 훈련했는데 decoder의 가중치가 그대로입니다 (decoder 모델을 호출해 vae를 "
            "만드세요).",
        )
    return checker.report()
