"""9장 연습 문제 채점기: 온도가 있는 샘플링, 정확한 KL 발산, 인코더·디코더를 따로 쓰는 VAE.

9-1 and 9-2 are random layers graded by the probe battery (`probes.py`) against the model
answers in `reference/chapter09.py`: outputs where the reference does not draw (temperature 0),
`losses` call by call and their gradients, the law of the samples (Kolmogorov–Smirnov against
the reference's, per feature and on differences of neighbouring features and samples), the
drawing protocol, argument errors, config, and for 9-2 `evaluate()` of a model compiled without
a loss. 9-3 leaves the layers of the three models free (one Dense for both statistics is as
right as two), so what is compared with the reference is what the task fixes: shapes, the KL
loss the reference's `KLDivergenceSampling` computes from the reader's own `z_mean` and
`z_log_var`, the law of the standardized noise, the sigmoid of the decoder's last layer, shared
weights, the seed, and a `fit()` that trains the decoder.

요구 사항 → 확인 (연습 문제의 요구 사항마다 확인이 하나 이상 있습니다).

연습 9-1 `check_temperature_sampling`:

1. `Sampling`을 물려받아 `TemperatureSampling(temperature=1.0, seed=None, **kwargs)` → 부모 클래스,
   `construct`, `name`.
2. `z_mean + temperature * exp(0.5 * z_log_var) * ε`, `temperature=0`이면 `z_mean`, 기본 1.0 →
   `output`(온도 0), `distribution`(온도 0.5, 기본값), 3차원 입력.
3. ε은 `z_mean`과 같은 모양, `self.seed_generator`로 → `distribution`(이웃 차이), 뽑는 방식.
4. 음수 온도는 인자 이름과 받은 값을 담은 `ValueError` → `errors`.
5. `get_config()`에 `temperature` → `config`.

연습 9-2 `check_summed_kl_sampling`:

1. `Sampling`을 물려받아 `SummedKLSampling(seed=None, **kwargs)` → 부모 클래스, `construct`, `name`.
2. 샘플마다 잠재 차원에 대해 합한 KL을 배치 평균해 `add_loss()`, `keras.ops`로 (미분되게) →
   `losses`, `gradients`(손실의 입력에 대한 경사).
3. `Sampling`처럼 표본, `self.seed_generator`로 → `distribution`, 뽑는 방식.
4. 손실 없이 `compile()`한 함수형 모델의 `evaluate()`가 이 KL → `loops`.

연습 9-3 `check_vae_parts`:

1. `encoder`: `(batch, original_dim)` → `[z_mean, z_log_var, z]`, `z`는
   `KLDivergenceSampling(kl_weight=kl_weight, seed=seed)` → 모양, `vae.losses`의 KL
   (`kl_weight` 0.5와 기본값 1.0), 표준화한 잡음의 분포, 같은 seed로 두 번 만들면 같은 `z`.
2. `decoder`: `(batch, latent_dim)` → `(batch, original_dim)`, 마지막 활성화는 시그모이드 → 모양,
   마지막 층의 활성화 전 값에 시그모이드를 씌운 값.
3. `vae`: 인코더와 같은 층, `decoder` 모델을 호출해 뽑은 `z`를 디코딩 → 가중치 공유, 두 번 부른
   출력이 다름, `fit()`이 `decoder`를 훈련.
4. 인자를 모두 씀 → 크기 두 벌 (12, 8, 2)와 (10, 6, 3), 배치 64와 5.
"""

import keras
import numpy as np

from companion.exercises.checker import (
    Checker,
    WrongArgument,
    exercise,
    quiet_tensorflow_logs,
    require_class,
    scalar_or_none,
    set_fan_in_scaled_weights,
)
from companion.exercises.probes import (
    Case,
    Error,
    Feed,
    LayerSpec,
    distribution_difference,
    grade_layer,
)
from companion.exercises.reference import chapter09 as reference
from companion.layers.kl_divergence_sampling import KLDivergenceSampling
from companion.layers.sampling import Sampling
from companion.settings import SEED

_RNG = np.random.default_rng(SEED)
_Z_MEAN = _RNG.normal(size=(4, 3)).astype("float32")
_Z_LOG_VAR = _RNG.normal(scale=0.5, size=(4, 3)).astype("float32")
_N_SAMPLES = 20_000
_STATS = Feed(
    [
        np.tile(np.array([[0.0, 3.0]], dtype="float32"), (_N_SAMPLES, 1)),
        np.tile(np.log(np.array([[1.0, 4.0]], dtype="float32")), (_N_SAMPLES, 1)),
    ]
)


def _requirement(text):
    return f"\n    → {text}"


def _expect_subclass(checker, layer_class, requirement):
    return checker.expect(
        issubclass(layer_class, Sampling),
        f"companion.Sampling을 물려받아야 하는데 {layer_class.__name__}의 부모 클래스는 "
        f"{[base.__name__ for base in layer_class.__mro__[1:3]]}입니다."
        + _requirement(requirement),
    )


# --- 연습 9-1 -------------------------------------------------------------------------------

_TEMPERATURE = {
    1: "요구 사항 1: Sampling을 물려받아 TemperatureSampling(temperature=1.0, seed=None, **kwargs) "
    "층을 만들고, seed와 name= 같은 나머지 키워드 인자는 super().__init__()에 넘깁니다.",
    2: "요구 사항 2: (z_mean, z_log_var)로 호출하면 z_mean + temperature * exp(0.5 * z_log_var) * "
    "epsilon을 돌려줍니다. 온도는 분산이 아니라 표준편차에 곱하고, temperature=0이면 z_mean과 "
    "같고, "
    "기본 온도 1.0에서는 Sampling과 같은 분포입니다.",
    3: "요구 사항 3: epsilon은 z_mean과 같은 모양으로, Sampling이 만들어 둔 self.seed_generator로 "
    "뽑습니다: 같은 seed는 같은 표본, 다른 seed는 다른 표본, 컴파일된 함수 안에서 다시 불러도 다른 "
    "표본입니다.",
    4: "요구 사항 4: 음수 온도에는 인자 이름과 받은 값을 담은 ValueError를 냅니다 (예: "
    "temperature는 0 이상이어야 합니다. 받은 값: temperature=-1.0).",
    5: "요구 사항 5: get_config()에 temperature를 더해 from_config()로 같은 층을 다시 만들 수 있게 "
    "합니다.",
}

TEMPERATURE_SAMPLING = LayerSpec(
    name="TemperatureSampling",
    reference=reference.TemperatureSampling,
    cases=[
        Case(kwargs={"temperature": 0.5, "seed": 2}, feeds=[Feed([_Z_MEAN, _Z_LOG_VAR])]),
        Case(
            kwargs={"temperature": 0.0, "seed": 1, "name": "temp"},
            label='TemperatureSampling(temperature=0.0, seed=1, name="temp")',
            feeds=[Feed([_Z_MEAN, _Z_LOG_VAR]), Feed([np.zeros((2, 3, 4), "float32")] * 2)],
        ),
        Case(
            feeds=[Feed([_Z_MEAN, _Z_LOG_VAR])],
            requirements={"distribution": "요구 사항 1·2: 기본 온도는 1.0입니다."},
        ),
    ],
    random=True,
    random_cases=(0, 2),
    seed_argument="seed",
    distribution_feed=_STATS,
    fit=False,
    config=True,
    errors=(Error(kwargs={"temperature": -1.2345678}),),
    requirements={
        "construct": _TEMPERATURE[1],
        "name": _TEMPERATURE[1],
        "weights": _TEMPERATURE[1],
        "output": _TEMPERATURE[2],
        "batch": _TEMPERATURE[2],
        "dtype": _TEMPERATURE[2],
        "symbolic": _TEMPERATURE[2],
        "compiled": _TEMPERATURE[3],
        "distribution": _TEMPERATURE[2],
        "fresh": _TEMPERATURE[3],
        "seed": _TEMPERATURE[3],
        "unseeded": _TEMPERATURE[3],
        "errors": _TEMPERATURE[4],
        "config": _TEMPERATURE[5],
    },
)


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 9-1 TemperatureSampling 층", "TemperatureSampling")
def check_temperature_sampling(layer_class):
    """연습 9-1: 표준편차에 온도(temperature)를 곱해 뽑는 `TemperatureSampling` 층을 채점합니다.

    `Sampling`을 물려받았는지 보고, 모범 답안(`reference.TemperatureSampling`)과 비교합니다: 온도
    0의 출력(`z_mean`), 온도 0.5와 기본값에서 표본의 분포(2만 행, 콜모고로프–스미르노프 검정),
    3차원 입력, 뽑는 방식(새로 뽑기, 시드, 전역 시드), 음수 온도의 `ValueError`, 설정. 확인
    항목은 모듈 설명의 목록에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_temperature_sampling(TemperatureSampling)  # doctest: +SKIP
    ✅ 연습 9-1 TemperatureSampling 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 9-1 TemperatureSampling 층")
    with checker:
        _expect_subclass(checker, layer_class, _TEMPERATURE[1])
        grade_layer(checker, layer_class, TEMPERATURE_SAMPLING)
    return checker.report()


# --- 연습 9-2 -------------------------------------------------------------------------------

_SUMMED = {
    1: "요구 사항 1: Sampling을 물려받아 SummedKLSampling(seed=None, **kwargs) 층을 만들고, 키워드 "
    "인자는 기반 클래스에 넘깁니다.",
    2: "요구 사항 2: 호출할 때마다 KL 발산 0.5 * sum(exp(z_log_var) + z_mean² - z_log_var - 1)을 "
    "샘플마다 잠재 차원에 대해 합하고 배치에 대해 평균한 스칼라를 self.add_loss()로 더합니다. "
    "keras.ops로 계산해서 손실이 z_mean과 z_log_var에 대해 미분되어야 합니다.",
    3: "요구 사항 3: Sampling처럼 표본 z_mean + exp(0.5 * z_log_var) * epsilon을 돌려줍니다. "
    "epsilon은 self.seed_generator로 뽑습니다.",
    4: "요구 사항 4: 함수형 모델에 넣고 compile()에 손실을 주지 않아도 evaluate()가 이 KL 발산을 "
    "손실로 보고합니다.",
}

SUMMED_KL_SAMPLING = LayerSpec(
    name="SummedKLSampling",
    reference=reference.SummedKLSampling,
    cases=[
        Case(
            kwargs={"seed": 0, "name": "kl"},
            label='SummedKLSampling(seed=0, name="kl")',
            feeds=[Feed([_Z_MEAN, _Z_LOG_VAR]), Feed([_Z_MEAN[:2] * 2.0, _Z_LOG_VAR[:2]])],
        ),
        Case(feeds=[Feed([_Z_MEAN, _Z_LOG_VAR])]),
    ],
    random=True,
    seed_argument="seed",
    distribution_feed=_STATS,
    gradients="inputs",
    requirements={
        "construct": _SUMMED[1],
        "name": _SUMMED[1],
        "weights": _SUMMED[1],
        "output": _SUMMED[3],
        "batch": _SUMMED[3],
        "dtype": _SUMMED[3],
        "symbolic": _SUMMED[3],
        "losses": _SUMMED[2],
        "gradients": _SUMMED[2],
        "compiled": "요구 사항 2·3: 컴파일된 함수 안에서도 동작해야 합니다: 손실은 keras.ops로 "
        "계산하고, epsilon은 self.seed_generator로 뽑습니다.",
        "distribution": _SUMMED[3],
        "fresh": _SUMMED[3],
        "seed": _SUMMED[3],
        "unseeded": _SUMMED[3],
        "loops": _SUMMED[4],
    },
)


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 9-2 SummedKLSampling 층", "SummedKLSampling")
def check_summed_kl_sampling(layer_class):
    """연습 9-2: 정확한 KL 발산을 손실로 더하는 `SummedKLSampling` 층을 채점합니다.

    `Sampling`을 물려받았는지 보고, 모범 답안(`reference.SummedKLSampling`)과 비교합니다: 호출마다
    `layer.losses`(개수, 모양, 값)와 그 손실의 `z_mean`, `z_log_var`에 대한 경사, 표본의 분포, 뽑는
    방식, 손실 없이 `compile()`한 모델의 `evaluate()` 손실. 확인 항목은 모듈 설명의 목록에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_summed_kl_sampling(SummedKLSampling)  # doctest: +SKIP
    ✅ 연습 9-2 SummedKLSampling 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 9-2 SummedKLSampling 층")
    with checker:
        _expect_subclass(checker, layer_class, _SUMMED[1])
        grade_layer(checker, layer_class, SUMMED_KL_SAMPLING)
    return checker.report()


# --- 연습 9-3 -------------------------------------------------------------------------------

_PARTS = {
    1: "요구 사항 1: encoder는 입력 (batch, original_dim) → [z_mean, z_log_var, z] (각각 (batch, "
    "latent_dim))이고, z는 KLDivergenceSampling(kl_weight=kl_weight, seed=seed)으로 뽑습니다.",
    2: "요구 사항 2: decoder는 입력 (batch, latent_dim) → (batch, original_dim)이고, 마지막 층의 "
    "활성화는 시그모이드입니다.",
    3: "요구 사항 3: vae는 인코더와 같은 층을 쓰고, decoder 모델을 호출해서 샘플링 층이 뽑은 z를 "
    "디코딩합니다 (keras.Model(inputs, decoder(z))). 그래야 vae를 훈련하면 decoder도 함께 "
    "훈련되고, "
    "vae.losses에 KL 손실이 들어옵니다.",
    4: "요구 사항 4: 인자를 모두 씁니다 (크기 두 벌, kl_weight, seed).",
}


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


def _shapes(parts):
    return {
        name: (
            [tuple(tensor.shape) for tensor in part.inputs],
            [tuple(tensor.shape) for tensor in part.outputs],
        )
        for name, part in zip(("encoder", "decoder", "vae"), parts, strict=True)
    }


def _all_weights(*models):
    """모델들의 훈련 가능 가중치를 처음 나온 순서대로 한 번씩 (vae를 맨 앞에 주면 vae의 순서)."""
    seen, weights = set(), []
    for model in models:
        for weight in getattr(model, "trainable_weights", []):
            if id(weight) not in seen:
                seen.add(id(weight))
                weights.append(weight)
    return weights


def _build_parts(checker, build_fn, sizes, **kwargs):
    arguments = ", ".join([*map(str, sizes), *(f"{k}={v}" for k, v in kwargs.items())])
    ok, parts = checker.run(f"build_vae_parts({arguments}) 호출", build_fn, *sizes, **kwargs)
    if not ok:
        checker.failures[-1] += _requirement(_PARTS[1])
        return None
    if not checker.expect(
        isinstance(parts, (tuple, list))
        and len(parts) == 3
        and all(isinstance(part, keras.Model) for part in parts)
        and all(isinstance(getattr(part, "outputs", None), list) for part in parts),
        "build_fn은 (encoder, decoder, vae) 세 함수형 keras.Model(inputs, outputs)의 튜플을 "
        "돌려줘야 "
        f"하는데 {_describe(parts)}을(를) 돌려줬습니다." + _requirement(_PARTS[1]),
    ):
        return None
    return parts


def _expected_kl(encoder, x, kl_weight):
    """독자의 `z_mean`, `z_log_var`로 모범 답안의 층(`KLDivergenceSampling`)이 더하는 손실."""
    z_mean, z_log_var = _numpy(encoder, x)[:2]
    layer = KLDivergenceSampling(kl_weight=kl_weight, seed=0)
    layer([z_mean.astype("float32"), z_log_var.astype("float32")])
    return scalar_or_none(layer.losses[0])


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
        ok = 0.0 <= float(np.min(output)) and float(np.max(output)) <= 1.0
    else:
        ok = np.allclose(output, 1.0 / (1.0 + np.exp(-pre)), atol=1e-5)
    return checker.expect(
        ok,
        "decoder의 출력이 마지막 층의 활성화 전 값에 시그모이드를 씌운 값이어야 하는데 아닙니다."
        + _requirement(_PARTS[2]),
    )


def _standardized_noise(encoder, x):
    z_mean, z_log_var, z = _numpy(encoder, x)
    return (z - z_mean) / np.exp(0.5 * z_log_var)


def _fit_one_epoch(vae, x):
    vae.compile(optimizer=keras.optimizers.SGD(0.1), loss=keras.losses.MeanSquaredError())
    return vae.fit(x, x, epochs=1, batch_size=32, verbose=0).history["loss"]


_REFERENCE_NOISE = {}


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 9-3 인코더·디코더를 따로 쓰는 VAE", "build_vae_parts")
def check_vae_parts(build_fn):
    """연습 9-3: 인코더·디코더 모델을 따로 쓸 수 있는 함수형 VAE 빌더를 채점합니다.

    두 크기로 만든 세 모델의 입출력 모양을 모범 답안(`reference.build_vae_parts`)의 것과 비교하고,
    층 구성은 과제가 정하지 않으므로 과제가 정한 것을 봅니다: `vae.losses`의 KL (모범 답안의
    `KLDivergenceSampling`이 독자의 `z_mean`, `z_log_var`로 계산한 값과 같은지), 표준화한 잡음의
    분포, 디코더 마지막 층의 시그모이드, 가중치 공유, 두 번 부른 `vae`의 출력, 같은 seed로 만든
    두 encoder, 그리고 `fit()`이 `decoder`를 훈련하는지. 확인 항목은 모듈 설명의 목록에 있습니다.

    Args:
        build_fn: 독자가 만든 빌더 함수.

    Returns:
        `CheckReport`.

    Example:

    >>> check_vae_parts(build_vae_parts)  # doctest: +SKIP
    ✅ 연습 9-3 인코더·디코더를 따로 쓰는 VAE: 통과했습니다 (...개 항목 확인).
    """
    if not callable(build_fn) or isinstance(build_fn, keras.Model):
        raise WrongArgument(
            "build_fn에는 빌더 함수 자체를 넘겨야 합니다 (예: build_vae_parts, "
            f"build_vae_parts()가 아니라). 받은 값: {build_fn!r}"
        )
    checker = Checker("연습 9-3 인코더·디코더를 따로 쓰는 VAE")
    rng = np.random.default_rng(SEED)
    with checker:
        for sizes, options in (
            ((12, 8, 2), {"kl_weight": 0.5, "seed": 0}),
            ((10, 6, 3), {"seed": 1}),
        ):
            parts = _build_parts(checker, build_fn, sizes, **options)
            if parts is None:
                return checker.report()
            wanted = _shapes(reference.build_vae_parts(*sizes, **options))
            got = _shapes(parts)
            for name in ("encoder", "decoder", "vae"):
                if not checker.expect(
                    got[name] == wanted[name],
                    f"original_dim={sizes[0]}, latent_dim={sizes[2]}일 때 {name}의 (입력 모양들, "
                    "출력 "
                    f"모양들)이 {wanted[name]}이어야 하는데 {got[name]}입니다."
                    + _requirement(_PARTS[2] if name == "decoder" else _PARTS[1]),
                ):
                    return checker.report()
        encoder, decoder, vae = _build_parts(checker, build_fn, (12, 8, 2), kl_weight=0.5, seed=0)
        x = rng.uniform(size=(64, 12)).astype("float32")
        # vae에 이어지지 않은 층(틀린 답)의 가중치도 정해 둡니다: 무작위 초깃값은 백엔드마다
        # 달라서 보고서의 숫자가 백엔드마다 달라집니다.
        set_fan_in_scaled_weights(_all_weights(vae, encoder, decoder), SEED)
        vae_weights = {id(weight) for weight in vae.weights}
        shared = bool(decoder.weights) and all(id(w) in vae_weights for w in decoder.weights)
        shared = shared and bool(encoder.weights)
        shared = shared and all(id(w) in vae_weights for w in encoder.weights)
        checker.expect(
            shared,
            "encoder와 decoder의 가중치가 모두 vae의 가중치여야 하는데 아닌 것이 있습니다 (층을 "
            "새로 만들지 말고 같은 층과 decoder 모델로 vae를 이으세요)." + _requirement(_PARTS[3]),
        )
        first = checker.call("같은 입력으로 vae 호출 (첫째)", _numpy, vae, x)
        second = checker.call("같은 입력으로 vae 호출 (둘째)", _numpy, vae, x)
        checker.expect(
            not np.allclose(first, second),
            "같은 입력으로 두 번 부른 vae의 출력이 똑같습니다: 뽑은 z가 아니라 z_mean을 디코딩하고 "
            "있습니다." + _requirement(_PARTS[3]),
        )
        for batch, kl_weight, parts in ((x, 0.5, (encoder, vae)), (x[:5], 0.5, (encoder, vae))):
            checker.call(f"vae 호출 (배치 {len(batch)})", _numpy, parts[1], batch)
            losses = [scalar_or_none(loss) for loss in parts[1].losses]
            expected = _expected_kl(parts[0], batch, kl_weight)
            if not checker.expect(
                len(losses) == 1
                and losses[0] is not None
                and np.isclose(losses[0], expected, rtol=1e-4, atol=1e-6),
                f"배치 {len(batch)}, kl_weight={kl_weight}일 때 vae를 호출한 뒤 vae.losses가 "
                f"[{expected:.4f}] (kl_weight × KL)이어야 하는데 "
                f"{[None if v is None else round(v, 4) for v in losses]}입니다."
                + _requirement(_PARTS[1] if losses else _PARTS[3]),
            ):
                break
        _expect_sigmoid_output(checker, decoder, rng.normal(size=(32, 2)).astype("float32"))

        if checker.failures:
            return checker.report()
        same = checker.call(
            "seed=1로 두 번 만든 encoder", _same_seed_twins, build_fn, rng.uniform(size=(16, 10))
        )
        checker.expect(
            same,
            "같은 seed로 두 번 만들고 가중치를 맞춘 encoder가 다른 z를 뽑습니다 (seed를 "
            "KLDivergenceSampling(seed=seed)에 넘기세요)." + _requirement(_PARTS[4]),
        )
        parts = _build_parts(checker, build_fn, (10, 6, 3), seed=1)
        x10 = rng.uniform(size=(16, 10)).astype("float32")
        set_fan_in_scaled_weights(_all_weights(parts[2], parts[0], parts[1]), SEED + 1)
        checker.call("vae 호출", _numpy, parts[2], x10)
        expected = _expected_kl(parts[0], x10, 1.0)
        got = [scalar_or_none(loss) for loss in parts[2].losses]
        checker.expect(
            len(got) == 1 and got[0] is not None and np.isclose(got[0], expected, rtol=1e-4),
            f"kl_weight 기본값(1.0)일 때 vae.losses가 [{expected:.4f}]이어야 하는데 {got}입니다."
            + _requirement(_PARTS[1]),
        )
        big = np.repeat(x[:1], 4000, axis=0)
        backend = keras.backend.backend()
        if backend not in _REFERENCE_NOISE:
            ref_encoder, _, ref_vae = reference.build_vae_parts(12, 8, 2, kl_weight=0.5, seed=0)
            set_fan_in_scaled_weights(ref_vae.trainable_weights, SEED)
            _REFERENCE_NOISE[backend] = _standardized_noise(ref_encoder, big)
        noise = checker.call("같은 입력 4,000개로 encoder 호출", _standardized_noise, encoder, big)
        difference = distribution_difference(_REFERENCE_NOISE[backend], noise)
        checker.expect(
            difference is None,
            f"encoder의 (z - z_mean) / exp(0.5 · z_log_var)의 {difference}"
            + _requirement(_PARTS[1]),
        )

        before = [np.array(w) for w in decoder.get_weights()]
        losses = checker.call("vae를 compile()·fit()으로 한 에포크 훈련", _fit_one_epoch, vae, x)
        after = decoder.get_weights()
        checker.expect(
            len(losses) == 1
            and np.all(np.isfinite(losses))
            and any(not np.allclose(a, b) for a, b in zip(before, after, strict=True)),
            "vae를 훈련했는데 decoder의 가중치가 그대로이거나 손실이 유한하지 않습니다."
            + _requirement(_PARTS[3]),
        )
    return checker.report()


def _same_seed_twins(build_fn, x):
    x = np.asarray(x, "float32")
    twins = [build_fn(10, 6, 3, seed=1)[0] for _ in range(2)]
    set_fan_in_scaled_weights(twins[0].trainable_weights, seed=SEED + 1)
    twins[1].set_weights(twins[0].get_weights())
    z = [_numpy(encoder, x)[2] for encoder in twins]
    return bool(np.allclose(z[0], z[1], atol=1e-6))
