"""8장 연습 문제 채점기: VAE의 부품을 바꿔 끼우기.

Graded against the model answers in `reference/chapter08.py`:

- 8-1 `ConvEncoder`: the task leaves the convolutional body free, so there are no weights to copy;
  what is compared with the reference is what the task fixes: the structure of the outputs, the
  law of `(z - z_mean) / exp(0.5 · z_log_var)` (Kolmogorov–Smirnov against the reference's ε, with
  weights that spread `z_log_var` away from 0 so a variance is told from a standard deviation),
  the drawing protocol (`probes.drawing_protocol`: anew on every call, also compiled; seed and
  weights equal → same `z`; unseeded layers differ and follow the global seed), gradients from `z`
  to every weight, the config and the functional API.
- 8-2 `BernoulliVAE`: the probe battery (`probes.py`): same weights and seed as the reference, so
  the same noise; outputs, `model.losses`, gradients, three Adam steps, config; then
  `compute_loss()` with a fixed `y_pred` (backend-independent numbers), the three trackers after
  one `compute_loss()`, and the logs of a real `fit(x)` without a loss, against the reference's.
- 8-3 `interpolate_latent`: the reader's and the reference's function on the same two VAEs, and
  the `ValueError` for `steps < 2` (naming `steps` and its value).

요구 사항 → 확인 (연습 문제의 요구 사항마다 확인이 하나 이상 있습니다).

연습 8-1 `check_conv_encoder`:

1. `ConvEncoder(latent_dim=2, seed=None, **kwargs)` → 만들기, `name=`, `ConvEncoder()`의 `z` 모양.
2. `Conv2D`를 하나 이상 지남 → 호출한 뒤 지어진 `Conv2D` 하위 층.
3. `z = z_mean + exp(0.5 · z_log_var) · ε`, ε은 원소마다 → 같은 이미지 4,000장의 표준화한 잔차를
   모범 답안의 ε과 KS 검정 (특성마다, 모두 모아, 이웃한 특성·샘플의 차이).
4. `(z_mean, z_log_var, z)`, 모두 `(batch_size, latent_dim)` → 모양과 자료형을 모범 답안과 비교.
5. 다시 부르면 새 `z` (컴파일된 함수 안에서도), seed와 가중치가 같으면 같은 `z` → 뽑는 방식.
6. `z`에서 모든 가중치로 경사 → `missing_gradients`.
7. `get_config()`에 `latent_dim`과 `seed`, 함수형 API → 설정(JSON, 되살린 층의 설정), `keras.Input`.

연습 8-2 `check_bernoulli_vae`:

1. `VariationalAutoEncoder`를 물려받음, 생성자·`get_config()`·`call()`은 그대로, `model.losses`에는
   KL 손실 하나 → `keras.Model`, `encoder`, `construct`, `name`, `output`, `losses`, `config`.
2. `compute_loss()`: 재구성(BCE 평균) + KL → 고정한 `y_pred`로 모범 답안의 값과 비교, `kl_weight`
   0.25와 2.0, 배치 8과 5, `fit`/`gradients` (같은 가중치와 잡음).
3. 추적기 세 개 → `compute_loss()` 한 번 뒤의 값.
4. `loss` 없이 `compile()`하고 `fit(x)` → 에포크마다 로그 세 개를 모범 답안의 로그와 비교.

연습 8-3 `check_latent_interpolation`:

1. `interpolate_latent(vae, x_start, x_end, steps=8)` → 기본값 8장.
2.–3. `z_mean`을 이어 `vae.decoder`로, 끝점 포함, `(steps, original_dim)` → 시드 고정한 VAE 두 개
   (original_dim 6·latent 3, 7·latent 4)에서 모범 답안의 결과와 비교 (두 번 불러도 같게).
4. `steps < 2`면 `ValueError`, 인자 이름과 받은 값 → `steps=1`, `steps=0`.
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
    short_array,
)
from companion.exercises.probes import (
    Battery,
    Case,
    Feed,
    LayerSpec,
    distribution_difference,
    drawing_protocol,
    grade_layer,
    trace_like_compiled_fit,
)
from companion.exercises.reference import chapter08 as reference
from companion.models.variational_autoencoder import VariationalAutoEncoder
from companion.settings import SEED


def _call(layer, *args, **kwargs):
    """독자의 층을 부르고, Keras가 감싼 예외 대신 원래 예외를 던집니다."""
    try:
        return layer(*args, **kwargs)
    except Exception as error:
        original = error.__context__
        if getattr(error, "_keras_call_info_injected", False) and isinstance(original, Exception):
            raise original from None
        raise


def _call_triple(layer, x):
    """세 텐서를 돌려주면 NumPy 배열 세 개의 튜플로, 아니면 `None`으로 돌려줍니다."""
    outputs = _call(layer, x)
    if not isinstance(outputs, (tuple, list)) or len(outputs) != 3:
        return None
    return tuple(np.asarray(keras.ops.convert_to_numpy(t), "float64") for t in outputs)


def _requirement(text):
    return f"\n    → {text}"


# --- 연습 8-1 -------------------------------------------------------------------------------

_ENCODER = {
    1: "요구 사항 1: ConvEncoder(latent_dim=2, seed=None, **kwargs)로 만들고, name= 같은 나머지 "
    "키워드 인자는 기반 클래스에 넘깁니다.",
    2: "요구 사항 2: (batch_size, 28, 28, 1) 이미지를 받아 keras.layers.Conv2D 층을 하나 이상 지난 "
    "뒤 Flatten하고, Dense 두 개로 z_mean과 z_log_var를 계산합니다.",
    3: "요구 사항 3: z는 Sampling(seed=seed)으로 뽑습니다: z = z_mean + exp(0.5 * z_log_var) * "
    "ε이고, ε은 원소마다 표준정규분포에서 뽑습니다.",
    4: "요구 사항 4: (z_mean, z_log_var, z)를 돌려줍니다. 세 텐서 모두 (batch_size, "
    "latent_dim)이고, latent_dim은 생성자 인자를 따릅니다.",
    5: "요구 사항 5: 같은 층을 다시 부르면 (컴파일된 함수 안에서도) z가 달라지고, seed와 가중치가 "
    "같은 두 층은 같은 z를 뽑습니다 (seed=None이면 두 층이 다르고 전역 시드를 따릅니다).",
    6: "요구 사항 6: z에서 시작한 경사가 모든 가중치에 닿아야 합니다 (재매개변수화 기법).",
    7: "요구 사항 7: get_config()에 latent_dim과 seed를 넣고, 함수형 API에서 "
    "keras.Input((28, 28, 1))로 불러도 세 출력의 모양이 (None, latent_dim)입니다.",
}
_N_COPIES = 4000


def _seed_until_spread(layer, image):
    """`z_log_var`가 0에서 충분히 떨어지도록 (분산과 표준편차가 구별되도록) 가중치를 고릅니다."""
    for attempt in range(8):
        set_fan_in_scaled_weights(layer.trainable_weights, seed=SEED + attempt)
        outputs = _call_triple(layer, image[None])
        if outputs is None:
            return
        log_var = outputs[1][0]
        if np.all(np.abs(log_var) > 0.4) and np.all(np.abs(log_var) < 2.5):
            return


def _standardized_noise(layer, image):
    """같은 이미지 여러 장으로 부른 `(z - z_mean) / exp(0.5 · z_log_var)` (표준정규분포여야 함)."""
    _seed_until_spread(layer, image)
    z_mean, z_log_var, z = _call_triple(layer, np.repeat(image[None], _N_COPIES, axis=0))
    return (z - z_mean) / np.exp(0.5 * z_log_var)


_REFERENCE_NOISE = {}


def _reference_noise(image):
    backend = keras.backend.backend()
    if backend not in _REFERENCE_NOISE:
        layer = reference.ConvEncoder(3, seed=3)
        _REFERENCE_NOISE[backend] = _standardized_noise(layer, image)
    return _REFERENCE_NOISE[backend]


def _encoder_protocol(layer_class, x):
    def make(**kwargs):
        return layer_class(3, **{"seed": 3, **kwargs})

    def draw(layer):
        return [_call_triple(layer, x)[2]]

    def compiled_draws(layer):
        def z_only(inputs):
            return _call(layer, inputs)[2]

        return [[np.asarray(d)] for d in run_twice_compiled(z_only, x, state=layer)]

    def copy_weights(a, b):
        b.set_weights(a.get_weights())

    return drawing_protocol(make, draw, compiled_draws, "seed", copy_weights)


_REFERENCE_PROTOCOL = {}


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 8-1 ConvEncoder 층", "ConvEncoder")
def check_conv_encoder(layer_class):
    """연습 8-1: 이미지를 합성곱으로 읽는 `ConvEncoder` 층을 채점합니다.

    합성곱 부분의 구조는 과제가 정하지 않으므로 가중치를 옮기지 않고, 과제가 정한 것을 모범
    답안(`reference.ConvEncoder`)과 비교합니다: 세 출력의 모양과 자료형, 표준화한 잔차의 분포
    (콜모고로프–스미르노프 검정), 뽑는 방식(새로 뽑기, 시드, 전역 시드), `z`에서 모든 가중치로 가는
    경사, 설정, 함수형 API. 확인 항목은 모듈 설명의 목록에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_conv_encoder(ConvEncoder)  # doctest: +SKIP
    ✅ 연습 8-1 ConvEncoder 층: 통과했습니다 (...개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 8-1 ConvEncoder 층")
    x = np.random.default_rng(SEED).random((4, 28, 28, 1)).astype("float32")
    with checker:
        ok, layer = checker.run(
            'ConvEncoder(3, seed=3, name="enc") 만들기', layer_class, 3, seed=3, name="enc"
        )
        if not ok:
            checker.failures[-1] += _requirement(_ENCODER[1])
            return checker.report()
        checker.expect(
            layer.name == "enc",
            f'층 이름이 "enc"여야 하는데 {layer.name!r}입니다.' + _requirement(_ENCODER[1]),
        )
        first = checker.call("층 호출 (배치 4, latent_dim=3)", _call_triple, layer, x)
        expected = _call_triple(reference.ConvEncoder(3, seed=3), x)
        checker.require(
            first is not None,
            "출력이 (z_mean, z_log_var, z) 세 텐서의 튜플이어야 하는데 그렇지 않습니다."
            + _requirement(_ENCODER[4]),
        )
        shapes = [np.shape(t) for t in first]
        checker.require(
            shapes == [np.shape(t) for t in expected],
            f"세 출력의 모양이 {[np.shape(t) for t in expected]}이어야 하는데 {shapes}입니다."
            + _requirement(_ENCODER[4]),
        )
        checker.expect(
            any(
                isinstance(sublayer, keras.layers.Conv2D) and sublayer.built
                for sublayer in layer._flatten_layers(include_self=False)
            ),
            "call()에서 지나는 합성곱 층(keras.layers.Conv2D)이 하나 이상 있어야 하는데 없습니다."
            + _requirement(_ENCODER[2]),
        )
        second = checker.call("같은 층을 한 번 더 호출", _call_triple, layer, x)
        checker.expect(
            np.allclose(first[0], second[0]) and np.allclose(first[1], second[1]),
            "같은 입력으로 다시 부르면 z_mean과 z_log_var는 같아야 하는데 달라졌습니다."
            + _requirement(_ENCODER[3]),
        )
        noise = checker.call(
            f"같은 이미지 {_N_COPIES:,}장으로 호출", _standardized_noise, layer, x[0]
        )
        wanted = _reference_noise(x[0])
        difference = distribution_difference(wanted, noise) or distribution_difference(
            wanted.reshape(-1, 1), noise.reshape(-1, 1)
        )
        checker.expect(
            difference is None,
            f"같은 이미지 {_N_COPIES:,}장에서 (z - z_mean) / exp(0.5 · z_log_var)의 {difference}"
            + _requirement(_ENCODER[3]),
        )
        backend = keras.backend.backend()
        if backend not in _REFERENCE_PROTOCOL:
            _REFERENCE_PROTOCOL[backend] = _encoder_protocol(reference.ConvEncoder, x)
        got = checker.call("무작위로 뽑는 방식 확인", _encoder_protocol, layer_class, x)
        battery = Battery(checker, layer_class, _PROTOCOL_SPEC)
        battery.expect_protocol("ConvEncoder(3, seed=3)", _REFERENCE_PROTOCOL[backend], got)

        ok, missing = checker.run(
            "z에서 가중치로 가는 경사 계산",
            missing_gradients,
            lambda: keras.ops.sum(_call(layer, x)[2] ** 2),
            layer.trainable_weights,
        )
        if ok:
            checker.expect(
                not missing,
                f"z에서 시작한 경사가 가중치 {missing}에 닿지 않습니다."
                + _requirement(_ENCODER[6]),
            )
        default = checker.call("ConvEncoder() 만들기 (기본값)", layer_class)
        out = checker.call("기본값 층 호출", _call_triple, default, x)
        checker.expect(
            out is not None and np.shape(out[2]) == (4, 2),
            "ConvEncoder()의 z 모양이 (4, 2)여야 하는데 "
            f"{None if out is None else np.shape(out[2])}"
            "입니다 (기본값 latent_dim=2)." + _requirement(_ENCODER[1]),
        )
        _expect_config(checker, layer_class, layer, reference.ConvEncoder(3, seed=3, name="enc"))
        if checker.failures:
            return checker.report()  # 함수형 API의 실패는 대개 앞의 실패와 같은 원인입니다.
        fresh = checker.call("함수형 API용 ConvEncoder(3, seed=3) 만들기", layer_class, 3, seed=3)
        symbolic = checker.call(
            "함수형 API에서 keras.Input((28, 28, 1))으로 호출",
            _call,
            fresh,
            keras.Input((28, 28, 1)),
        )
        shapes = [tuple(t.shape) for t in symbolic] if isinstance(symbolic, (tuple, list)) else []
        checker.expect(
            shapes == [(None, 3)] * 3,
            f"함수형 API에서 세 출력의 모양이 [(None, 3)] * 3이어야 하는데 {shapes}입니다."
            + _requirement(_ENCODER[7]),
        )
    return checker.report()


_PROTOCOL_SPEC = LayerSpec(
    name="ConvEncoder",
    reference=reference.ConvEncoder,
    cases=[],
    requirements={"fresh": _ENCODER[5], "seed": _ENCODER[5], "unseeded": _ENCODER[5]},
)


def _expect_config(checker, layer_class, layer, expected_layer):
    """설정이 모범 답안의 설정과 같은 값을 담고, JSON이 되며, 되살린 층의 설정이 같은지."""
    ok, config = checker.run("get_config()", layer.get_config)
    if not ok:
        return
    wanted = expected_layer.get_config()
    for key in ("latent_dim", "seed"):
        checker.expect(
            isinstance(config, dict) and config.get(key, "(없음)") == wanted[key],
            f"get_config()의 {key}가 {wanted[key]!r}이어야 하는데 "
            f"{config.get(key, '(없음)') if isinstance(config, dict) else config!r}입니다."
            + _requirement(_ENCODER[7]),
        )
    try:
        normalized = json.loads(json.dumps(config))
    except (TypeError, ValueError) as error:
        checker.fail(f"설정을 JSON으로 바꿀 수 없습니다 ({error})." + _requirement(_ENCODER[7]))
        return
    ok, clone = checker.run("from_config(get_config())", layer_class.from_config, normalized)
    if ok:
        ok, clone_config = checker.run("되살린 층의 get_config()", clone.get_config)
        if ok:
            normalized.pop("name", None)
            clone_config = json.loads(json.dumps(clone_config))
            clone_config.pop("name", None)
            checker.expect(
                clone_config == normalized,
                "from_config()로 되살린 층의 설정이 원래 설정과 다릅니다."
                + _requirement(_ENCODER[7]),
            )


# --- 연습 8-2 -------------------------------------------------------------------------------

_TRACKED = ("loss", "reconstruction_loss", "kl_loss")
_RNG = np.random.default_rng(SEED)
_X8 = _RNG.random((8, 6)).astype("float32")
_X5 = _RNG.random((5, 6)).astype("float32")
_FIT_X = _RNG.random((64, 6)).astype("float32")

_VAE = {
    1: "요구 사항 1: VariationalAutoEncoder를 물려받아 생성자 인자, get_config(), call()은 그대로 "
    "씁니다. 물려받은 call()은 인코더가 뽑은 z를 디코딩하고 kl_weight를 곱한 KL 손실을 "
    "add_loss()로 "
    "더하므로, model.losses에는 KL 손실 하나만 남아야 합니다 (재구성 손실을 add_loss()로 더하면 "
    "물려받은 compute_loss()가 그것까지 kl_loss로 세어 fit()의 로그에 reconstruction_loss가 0으로 "
    "찍힙니다: compute_loss()를 재정의하세요).",
    2: "요구 사항 2: compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, "
    "training=True)는 입력 x와 재구성 y_pred 사이의 keras.losses.binary_crossentropy를 픽셀과 "
    "배치에 "
    "대해 평균한 재구성 손실에 KL 손실(self.losses의 합)을 더해 돌려줍니다 (fit(x)에는 목표가 "
    "없으므로 y는 None입니다).",
    3: "요구 사항 3: 같은 compute_loss()에서 self.loss_tracker에 전체 손실, "
    "self.reconstruction_loss_tracker에 재구성 손실, self.kl_loss_tracker에 KL 손실을 넣습니다.",
    4: "요구 사항 4: compile(optimizer=...)만 하고 loss 없이 fit(x)로 훈련하면 손실이 줄고, 로그의 "
    "reconstruction_loss와 kl_loss를 더하면 loss가 됩니다.",
}

BERNOULLI_VAE = LayerSpec(
    name="BernoulliVAE",
    reference=reference.BernoulliVAE,
    cases=[
        Case(
            kwargs={
                "original_dim": 6,
                "intermediate_dim": 5,
                "latent_dim": 3,
                "kl_weight": 0.25,
                "seed": 1,
                "name": "bvae",
            },
            label="BernoulliVAE(original_dim=6, intermediate_dim=5, latent_dim=3, "
            'kl_weight=0.25, seed=1, name="bvae")',
            feeds=[Feed(_X8), Feed(_X5)],
        ),
        Case(args=(6, 5, 3), kwargs={"kl_weight": 2.0, "seed": 1}, feeds=[Feed(_X8)]),
    ],
    config=True,
    # 훈련은 아래의 진짜 fit(x) (loss 없이 compile)로 봅니다: 그 로그가 경사와 컴파일된 훈련
    # 단계까지 모범 답안과 같아야 합니다.
    compiled_cases=(),
    fit=False,
    requirements={
        "construct": _VAE[1],
        "name": _VAE[1],
        "weights": _VAE[1],
        "build": _VAE[1],
        "initial": _VAE[1],
        "output": _VAE[1],
        "batch": _VAE[1],
        "training": _VAE[1],
        "losses": _VAE[1],
        "metrics": _VAE[3],
        "symbolic": _VAE[1],
        "compiled": _VAE[2],
        "gradients": _VAE[2],
        "fit": _VAE[2],
        "config": _VAE[1],
    },
)


def _compute_loss(model, x, y_pred):
    """`fit(x)`의 훈련 단계처럼 (목표 없이) `compute_loss()`를 부르고 손실을 NumPy로 돌려줍니다."""
    loss = model.compute_loss(
        x=x, y=None, y_pred=keras.ops.convert_to_tensor(y_pred), sample_weight=None, training=True
    )
    return np.asarray(keras.ops.convert_to_numpy(loss), "float64")


def _trackers(model):
    return {metric.name: metric for metric in model.metrics if metric.name in _TRACKED}


def _after_one_compute_loss(model, x, y_pred):
    """`model(x)` 뒤 추적기를 비우고 `compute_loss()`를 한 번: (손실, {추적기: 값})."""
    _call(model, x)
    for tracker in _trackers(model).values():
        tracker.reset_state()
    total = _compute_loss(model, x, y_pred)
    logged = {
        name: float(keras.ops.convert_to_numpy(tracker.result()))
        for name, tracker in _trackers(model).items()
    }
    return total, logged


def _fit_without_loss(model, x):
    trace_like_compiled_fit(model, [x])
    model.compile(optimizer=keras.optimizers.SGD(0.5))
    history = model.fit(x, epochs=2, batch_size=32, shuffle=False, verbose=0).history
    return {name: [float(v) for v in values] for name, values in history.items()}


@quiet_tensorflow_logs(python_warnings=True)
@exercise("연습 8-2 BernoulliVAE 모델", "BernoulliVAE")
def check_bernoulli_vae(model_class):
    """연습 8-2: 재구성 손실(이진 교차 엔트로피)까지 스스로 계산하는 `BernoulliVAE`를 채점합니다.

    모범 답안(`reference.BernoulliVAE`)과 같은 가중치와 시드(그래서 같은 잡음)로 비교합니다:
    탐침 묶음(출력, `model.losses`, 경사, 훈련 단계, 설정), 고정한 `y_pred`로 부른
    `compute_loss()`의 손실과 그 뒤 세 추적기의 값 (`kl_weight` 0.25와 2.0, 배치 8과 5), 그리고
    `loss` 없이 `compile()`한 `fit(x)`의 로그. 확인 항목은 모듈 설명의 목록에 있습니다.

    Args:
        model_class: 독자가 만든 모델 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_bernoulli_vae(BernoulliVAE)  # doctest: +SKIP
    ✅ 연습 8-2 BernoulliVAE 모델: 통과했습니다 (...개 항목 확인).
    """
    require_class(model_class, "model_class")
    checker = Checker("연습 8-2 BernoulliVAE 모델")
    with checker:
        checker.require(
            issubclass(model_class, keras.Model) and hasattr(model_class, "compute_loss"),
            f"BernoulliVAE는 keras.Model이어야 하는데 {model_class.__mro__[1].__name__}을(를) "
            "상속했습니다." + _requirement(_VAE[1]),
        )
        battery = grade_layer(checker, model_class, BERNOULLI_VAE)
        if checker.failures:
            return checker.report()
        rng = np.random.default_rng(SEED + 1)
        for index, case in enumerate(BERNOULLI_VAE.cases):
            reader, expected_model, _ = battery.ready_pair(index, case)
            for x in (_X8, _X5):
                y_pred = rng.uniform(0.05, 0.95, size=x.shape).astype("float32")
                wanted_total, wanted_logged = _after_one_compute_loss(expected_model, x, y_pred)
                what = f"{battery.label(case)}: 배치 {len(x)}, 고정한 y_pred로 compute_loss()"
                ok, result = checker.run(what, _after_one_compute_loss, reader, x, y_pred)
                if not ok:
                    checker.failures[-1] += _requirement(_VAE[2])
                    return checker.report()
                total, logged = result
                if not checker.expect(
                    np.shape(total) == () and np.allclose(total, wanted_total, rtol=1e-4),
                    f"{what}가 돌려준 손실이 {float(wanted_total):.4f}이어야 하는데 "
                    f"{short_array(total)}입니다." + _requirement(_VAE[2]),
                ):
                    return checker.report()
                if not checker.expect(
                    set(logged) == set(_TRACKED)
                    and all(np.isclose(logged[n], wanted_logged[n], rtol=1e-4) for n in _TRACKED),
                    f"{what} 한 번 뒤 추적기(fit()의 로그)가 {_show(wanted_logged)}이어야 "
                    f"하는데 {_show(logged)}입니다." + _requirement(_VAE[3]),
                ):
                    return checker.report()
        reader, expected_model, _ = battery.ready_pair(0, BERNOULLI_VAE.cases[0])
        wanted = _fit_without_loss(expected_model, _FIT_X)
        ok, history = checker.run(
            "compile(optimizer=SGD(0.5)) (loss 없이) 뒤 fit(x, epochs=2)",
            _fit_without_loss,
            reader,
            _FIT_X,
        )
        if not ok:
            checker.failures[-1] += _requirement(_VAE[4])
            return checker.report()
        checker.expect(
            set(history) == set(wanted)
            and all(np.allclose(history[n], wanted[n], rtol=1e-4, atol=1e-5) for n in wanted),
            f"loss 없이 compile()한 fit(x)의 로그가 {_show_history(wanted)}이어야 하는데 "
            f"{_show_history(history)}입니다." + _requirement(_VAE[4]),
        )
    return checker.report()


def _show(values):
    return ", ".join(f"{name} {values.get(name, float('nan')):.4f}" for name in _TRACKED)


def _show_history(history):
    return ", ".join(f"{name} {np.round(history[name], 4).tolist()}" for name in sorted(history))


# --- 연습 8-3 -------------------------------------------------------------------------------

_PATH = {
    1: "요구 사항 1: interpolate_latent(vae, x_start, x_end, steps=8): steps를 주지 않으면 8장을 "
    "돌려줍니다.",
    3: "요구 사항 2·3: 두 이미지를 vae.encoder로 인코딩해 z_mean을 얻고 (무작위로 뽑은 z도, 픽셀을 "
    "섞은 것도 아니라), 두 z_mean을 양 끝으로 하는 (끝점 포함) 고르게 떨어진 잠재 벡터 steps개를 "
    "vae.decoder로 그려 (steps, original_dim) 배열로 돌려줍니다.",
    4: "요구 사항 4: steps가 2보다 작으면 인자 이름과 받은 값을 담은 ValueError를 냅니다 (예: "
    "steps는 2 이상이어야 합니다. 받은 값: steps=1).",
}


def _seeded_vae(original_dim, latent_dim, seed):
    vae = VariationalAutoEncoder(
        original_dim=original_dim, intermediate_dim=5, latent_dim=latent_dim, seed=seed
    )
    vae.build((None, original_dim))
    set_fan_in_scaled_weights(vae.trainable_weights, seed=SEED + seed)
    return vae


def _expect_path(checker, interpolate_fn, vae, x_start, x_end, steps, when):
    kwargs = {} if steps is None else {"steps": steps}
    call = "interpolate_latent(vae, x_start, x_end" + "".join(
        f", steps={v}" for v in kwargs.values()
    )
    expected = numpy_of(reference.interpolate_latent, vae, x_start, x_end, **kwargs)
    requirement = _PATH[1] if steps is None else _PATH[3]
    for attempt in ("", " 다시"):
        images = checker.call(
            f"{when}: {call}){attempt}", numpy_of, interpolate_fn, vae, x_start, x_end, **kwargs
        )
        if not checker.expect(
            images.shape == expected.shape and np.allclose(images, expected, atol=1e-5),
            f"{when}: {call}){attempt}의 결과가 모양 {expected.shape}의 {short_array(expected)}"
            f"이어야 하는데 모양 {images.shape}의 {short_array(images)}입니다."
            + _requirement(requirement),
        ):
            return False
    return True


def _expect_value_error(checker, interpolate_fn, vae, x_start, x_end, steps):
    what = f"steps={steps}"
    try:
        interpolate_fn(vae, x_start, x_end, steps=steps)
    except ValueError as error:
        text = str(error)
        return checker.expect(
            "steps" in text and str(steps) in text,
            f"{what}일 때 ValueError 메시지에 인자 이름 steps와 받은 값 {steps}가 들어 있어야 "
            f"합니다. 받은 메시지: {first_line(error)}" + _requirement(_PATH[4]),
        )
    except Exception as error:  # 독자 코드의 다른 예외도 보고서로 바꿉니다.
        return checker.fail(
            f"{what}일 때 ValueError를 내야 하는데 {type(error).__name__}가 났습니다."
            + _requirement(_PATH[4])
        )
    return checker.fail(
        f"{what}일 때 ValueError를 내야 하는데 아무 예외도 나지 않았습니다."
        + _requirement(_PATH[4])
    )


@exercise("연습 8-3 잠재 공간 보간", "interpolate_latent")
def check_latent_interpolation(interpolate_fn):
    """연습 8-3: 두 이미지 사이를 잠재 공간에서 잇는 `interpolate_latent` 함수를 채점합니다.

    시드 고정한 가중치의 VAE 두 개에서 독자의 함수와 모범 답안(`reference.interpolate_latent`)의
    결과를 비교하고 (`steps` 5, 기본값, 3; 두 번씩), `steps=1`과 `steps=0`에 인자 이름과 받은 값을
    담은 `ValueError`를 내는지 봅니다. 확인 항목은 모듈 설명의 목록에 있습니다.

    Args:
        interpolate_fn: 독자가 만든 함수.

    Returns:
        `CheckReport`.

    Example:

    >>> check_latent_interpolation(interpolate_latent)  # doctest: +SKIP
    ✅ 연습 8-3 잠재 공간 보간: 통과했습니다 (...개 항목 확인).
    """
    if isinstance(interpolate_fn, type) or not callable(interpolate_fn):
        raise WrongArgument(
            "interpolate_fn에는 함수를 넘겨야 합니다 (예: interpolate_latent). "
            f"받은 값: {interpolate_fn!r}"
        )
    checker = Checker("연습 8-3 잠재 공간 보간")
    vae = _seeded_vae(original_dim=6, latent_dim=3, seed=1)
    other = _seeded_vae(original_dim=7, latent_dim=4, seed=2)
    rng = np.random.default_rng(SEED)
    x_start, x_end = rng.random((2, 6)).astype("float32")
    a, b = rng.random((2, 7)).astype("float32")
    with checker:
        for arguments in (
            (vae, x_start, x_end, 5, "original_dim=6, latent 3"),
            (vae, x_start, x_end, None, "steps를 주지 않을 때"),
            (other, a, b, 3, "original_dim=7, latent 4"),
        ):
            if not _expect_path(checker, interpolate_fn, *arguments):
                break
        for steps in (1, 0):
            if not _expect_value_error(checker, interpolate_fn, vae, x_start, x_end, steps):
                break
    return checker.report()
