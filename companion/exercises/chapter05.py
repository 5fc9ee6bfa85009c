"""5장 연습 문제 채점기: `call()`의 `training` 인자와 마스크.

연습 문제에 적힌 요구 사항마다 채점기의 확인 항목이 하나 이상 있습니다.

연습 5-1 `TrainingNoise` (`check_training_noise`), 요구 사항 → 확인:

- `TrainingNoise(stddev, seed=None, **kwargs)` → `TrainingNoise(0.5)`와
  `TrainingNoise(0.8, seed=3, name="noise")`로 만들고 이름을 확인합니다.
- `training` 없이 / `training=False`면 입력 그대로 → 2차원·3차원 입력, 배치 크기 3과 5.
- `training=True`면 평균 0, 표준편차 `stddev`인 잡음 → `stddev=0.5`와 `0.8`에서 잡음의
  평균과 표준편차 (분산을 썼거나 고정값을 썼으면 힌트).
- 원소마다 따로 뽑은 잡음 → 샘플 사이, 특성 사이 표준편차가 전체 표준편차만큼 큼.
- 호출할 때마다 새 잡음 (`SeedGenerator`) → 즉시 실행으로 두 번, 컴파일된 함수
  (`run_twice_compiled`) 안에서 두 번,
  그리고 층이 `SeedGenerator`를 가졌는지 (PyTorch는 컴파일하지 않으므로 같은 보고를 하려고)
  호출한 잡음이 다름 (NumPy 잡음은 그래프 안에서 상수로 굳습니다).
- 같은 `seed`면 같은 잡음, 다른 `seed`면 다른 잡음 → 새로 만든 층 세 개의 첫 잡음 비교.
- `fit()`은 잡음을 쓰고 `predict()`·`evaluate()`는 쓰지 않음 → 작은 모델의 출력과 손실.

연습 5-2 `MaskedMax` (`check_masked_max`), 요구 사항 → 확인:

- `MaskedMax(**kwargs)` → `MaskedMax()`와 `MaskedMax(name="pool")`.
- 시간 축(축 1)을 따라 특성별 최댓값, 모양 `(batch, features)` → 특성 3개·배치 2,
  특성 5개·배치 4 입력.
- 마스크가 가린 단계는 무시 (값이 모두 음수여도) → 행마다 다른 마스크, 음수뿐인 행,
  가려진 곳의 큰 값.
- 마스크가 없으면 모든 단계의 최댓값 → 마스크 없이 호출.
- 모든 단계가 가려진 행은 `MaskedAverage`처럼 0 (`-inf`가 아니라) → 한 행이 통째로 가려진
  입력.
- 마스크를 소비 (`compute_mask()`가 `None`) → `compute_mask()` 반환값.
- `Embedding(mask_zero=True)` 뒤에서 경고 없이 동작 → 패딩을 덧붙인 입력, 함수형 모델,
  Keras 경고.
- 컴파일된 함수 안에서도 동작 → `compiled` (`tf.function`, `jax.jit`) 안에서 마스크와 함께 호출.
"""

import warnings

import keras
import numpy as np

from companion.exercises.checker import (
    Checker,
    compiled,
    exercise,
    quiet_tensorflow_logs,
    require_class,
    run_twice_compiled,
    short_array,
    uses_seed_generator,
)
from companion.settings import SEED


@quiet_tensorflow_logs
@exercise("연습 5-1 TrainingNoise 층", "TrainingNoise")
def check_training_noise(layer_class):
    """연습 5-1: 훈련할 때만 가우스 잡음을 더하는 `TrainingNoise` 층을 채점합니다.

    기대하는 것: `layer_class(stddev, seed=None, **kwargs)`로 만들 수 있고, `training=True`로
    호출하면 입력에 원소마다 따로 뽑은 평균 0, 표준편차 `stddev`인 정규분포 잡음을 더하며,
    그 밖에는 (`training=False`이거나 주지 않았을 때) 입력을 그대로 돌려줍니다. 잡음은 층이
    가진 `keras.random.SeedGenerator(seed)`로 뽑아서, 호출할 때마다 (컴파일된 함수 안에서도)
    달라지고 같은 `seed`로 만든 층끼리는 같은 순서로 나와야 합니다. 요구 사항과 확인 항목의
    대응은 모듈 설명의 표에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_training_noise(TrainingNoise)  # doctest: +SKIP
    ✅ 연습 5-1 TrainingNoise 층: 통과했습니다 (25개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 5-1 TrainingNoise 층")
    with checker:
        checker.call("TrainingNoise(0.5)처럼 seed 없이 만들기", layer_class, 0.5)
        layer = checker.call(
            'TrainingNoise(0.8, seed=3, name="noise") 만들기',
            layer_class,
            0.8,
            seed=3,
            name="noise",
        )
        checker.require_equal("name= 인자로 준 층 이름", "noise", layer.name)
        _check_identity_without_training(checker, layer)
        for stddev, seed in ((0.5, 11), (0.8, 12)):
            _check_noise_statistics(checker, layer_class, stddev, seed)
        _check_fresh_noise_each_call(checker, layer_class)
        _check_seed(checker, layer_class)
        _check_inside_keras_loops(checker, layer_class)
    return checker.report()


def _check_identity_without_training(checker, layer):
    rng = np.random.default_rng(SEED)
    inputs = (
        rng.normal(size=(3, 4)).astype("float32"),
        rng.normal(size=(5, 2, 3)).astype("float32"),
    )
    for x in inputs:
        for what, kwargs in (("training 없이", {}), ("training=False로", {"training": False})):
            label = f"모양 {x.shape} 입력을 {what}"
            y = checker.call(f"{label} 호출", _call, layer, x, **kwargs)
            checker.require_equal(f"{label} 호출한 출력 모양", x.shape, tuple(y.shape))
            checker.require(
                np.array_equal(y, x),
                f"{label} 호출하면 입력이 그대로 나와야 하는데 최대 {_gap(y, x):.4f}만큼 "
                "달라졌습니다 (training이 참일 때만 잡음을 더하세요. 기본값은 False입니다).",
            )


def _check_noise_statistics(checker, layer_class, stddev, seed):
    layer = checker.call(
        f"TrainingNoise({stddev}, seed={seed}) 만들기", layer_class, stddev, seed=seed
    )
    x = np.full((400, 3, 20), 1.5, dtype="float32")
    y = checker.call(f"stddev={stddev}인 층을 training=True로 호출", _call, layer, x, training=True)
    checker.require_equal("training=True일 때 출력 모양", x.shape, tuple(y.shape))
    noise = (y - x).reshape(400, -1)
    checker.require(
        not np.allclose(noise, 0.0),
        "training=True로 호출하면 잡음이 더해져야 하는데 입력이 그대로 나왔습니다 "
        "(call(self, inputs, training=False)처럼 training 인자를 받아서 참일 때 잡음을 더하세요).",
    )
    # 원소마다 따로 뽑았다면 샘플 사이로 보든 특성 사이로 보든 잡음이 전체만큼 퍼져 있습니다.
    overall = float(noise.std())
    per_column_std = float(noise.std(axis=0).mean())
    per_row_std = float(noise.std(axis=1).mean())
    checker.require(
        min(per_column_std, per_row_std) > 0.9 * overall,
        "잡음은 원소마다 따로 뽑아야 하는데 샘플 사이 표준편차가 "
        f"{per_column_std:.3f}, 특성 사이 표준편차가 {per_row_std:.3f}로 전체 {overall:.3f}보다 "
        "작습니다 (같은 잡음을 여러 원소가 나눠 쓰고 있습니다. 모양이 ops.shape(inputs)인 잡음을 "
        "뽑으세요).",
    )
    mean, std = float(noise.mean()), float(noise.std())
    checker.require(
        abs(mean) < 0.05 * stddev + 0.01,
        f"stddev={stddev}일 때 잡음(출력 - 입력)의 평균은 0에 가까워야 하는데 {mean:.3f}입니다.",
    )
    hint = ""
    if abs(std - stddev**2) < 0.05 * stddev**2:
        hint = " (분산 stddev**2이 아니라 표준편차 stddev를 normal()에 넘기세요)"
    elif abs(std - 0.5) < 0.03 or abs(std - 1.0) < 0.03:
        hint = " (생성자에서 받은 stddev를 쓰지 않고 고정된 값을 쓰는 것 같습니다)"
    checker.require(
        abs(std - stddev) < 0.05 * stddev,
        f"stddev={stddev}일 때 잡음의 표준편차는 {stddev}에 가까워야 하는데 {std:.3f}입니다{hint}.",
    )


def _check_fresh_noise_each_call(checker, layer_class):
    x = np.zeros((8, 6), dtype="float32")
    layer = checker.call("TrainingNoise(1.0, seed=5) 만들기", layer_class, 1.0, seed=5)
    first = checker.call("training=True로 첫 호출", _call, layer, x, training=True)
    second = checker.call("training=True로 두 번째 호출", _call, layer, x, training=True)
    checker.require(
        not np.allclose(second, first),
        "두 번째 호출의 잡음이 첫 번째와 같습니다: 호출할 때마다 달라져야 합니다 "
        "(정수 시드를 매번 넘기지 말고 __init__에서 만든 SeedGenerator를 넘기세요).",
    )

    def noisy_call(inputs):
        return layer(inputs, training=True)

    inside = checker.call(
        "컴파일된 함수 안에서 두 번 호출", run_twice_compiled, noisy_call, x, state=layer
    )
    # PyTorch 백엔드의 Keras는 컴파일하지 않으므로 NumPy 잡음도 매번 달라 보입니다. 보고서가
    # 백엔드마다 같도록, 잡음이 SeedGenerator에서 오지 않는 층도 같은 문장으로 알립니다.
    checker.require(
        not np.allclose(inside[0], inside[1]) and uses_seed_generator(layer),
        "잡음이 SeedGenerator에서 오지 않습니다: 컴파일한 함수(tf.function, jax.jit) 안에서는 "
        "두 번 호출한 잡음이 같습니다. 그래프를 만들 때 한 번 뽑은 값이 상수로 굳은 것입니다 "
        "(NumPy 대신 keras.random.normal에 SeedGenerator를 넘기세요).",
    )


def _check_seed(checker, layer_class):
    x = np.zeros((50, 4), dtype="float32")
    fresh, twin, other = (
        checker.call(
            f"seed={seed}로 새로 만든 층의 첫 호출",
            lambda s=seed: _call(layer_class(0.5, seed=s), x, training=True),
        )
        for seed in (3, 3, 4)
    )
    checker.require(
        np.allclose(twin, fresh, atol=1e-6),
        "같은 seed로 만든 두 층의 첫 잡음이 같아야 하는데 최대 "
        f"{_gap(twin, fresh):.4f}만큼 다릅니다 (seed 인자로 SeedGenerator를 만드세요).",
    )
    checker.require(
        not np.allclose(other, fresh),
        "seed가 다른 두 층의 잡음이 같습니다: seed 인자를 SeedGenerator에 넘기세요.",
    )


def _check_inside_keras_loops(checker, layer_class):
    predict_gap, eval_loss, fit_loss = checker.call(
        "모델에 넣어 predict(), evaluate(), fit() 실행", _evaluate_and_fit, layer_class
    )
    checker.require(
        predict_gap == 0.0,
        "predict()는 training=False로 호출하므로 잡음이 없어야 하는데 출력이 입력과 "
        f"최대 {predict_gap:.4f}만큼 다릅니다.",
    )
    checker.require(
        eval_loss == 0.0 and fit_loss > 0.0,
        "evaluate()에서는 잡음이 없고(손실 0) fit()에서는 잡음이 있어야(손실 > 0) 하는데 "
        f"evaluate 손실 {eval_loss:.4f}, fit 손실 {fit_loss:.4f}입니다.",
    )


def _evaluate_and_fit(layer_class):
    # 가중치가 단위 행렬로 고정된(학습률 0) Dense 하나만 붙여서 손실이 잡음의 크기만 재게 합니다.
    x = np.ones((16, 4), dtype="float32")
    model = keras.Sequential(
        [
            keras.Input((4,)),
            layer_class(0.5, seed=SEED),
            keras.layers.Dense(4, kernel_initializer="identity", use_bias=False),
        ]
    )
    predicted = model.predict(x, verbose=0)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    eval_loss = float(model.evaluate(x, x, verbose=0))
    fit_loss = float(model.fit(x, x, batch_size=16, verbose=0).history["loss"][0])
    return _gap(predicted, x), eval_loss, fit_loss


@quiet_tensorflow_logs
@exercise("연습 5-2 MaskedMax 층", "MaskedMax")
def check_masked_max(layer_class):
    """연습 5-2: 마스크가 가리지 않은 시간 단계에서만 최댓값을 고르는 `MaskedMax` 층을 채점합니다.

    기대하는 것: `layer_class(**kwargs)`로 만들 수 있고, `(batch_size, timesteps, features)`
    입력의 시간 축(축 1)을 따라 특성별 최댓값을 돌려줍니다 (`(batch_size, features)`).
    마스크가 주어지면 가려진 단계는 무시하고 (값이 모두 음수여도 맞아야 합니다), 모든 단계가
    가려진 행은 `MaskedAverage`처럼 0을 돌려주며, 마스크가 없으면 모든 단계의 최댓값입니다.
    시간 축이 사라지므로 `compute_mask()`는 `None`을 돌려줘 마스크를 소비해야 하고,
    `Embedding(mask_zero=True)` 뒤와 컴파일된 함수 안에서 경고 없이 동작해야 합니다. 요구
    사항과 확인 항목의 대응은 모듈 설명의 표에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_masked_max(MaskedMax)  # doctest: +SKIP
    ✅ 연습 5-2 MaskedMax 층: 통과했습니다 (13개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 5-2 MaskedMax 층")
    # Keras의 경고는 보고서의 한 문장으로 바꾸므로 화면에는 내보내지 않습니다.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with checker:
            _check_masked_max(checker, layer_class)
    warned = any("does not support masking" in str(w.message) for w in caught)
    checker.expect(
        not warned,
        "Keras가 '이 층은 마스크를 지원하지 않는다'고 경고했습니다 "
        "(__init__에서 self.supports_masking = True로 두세요).",
    )
    return checker.report()


def _masked_example(batch, features, seed):
    """행마다 유효 길이가 다르고, 첫 행은 음수뿐이며, 가려진 단계에는 큰 값이 있는 입력."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, 5, features)).astype("float32")
    x[0] = -np.abs(x[0]) - 0.5
    lengths = [2, 5, 3, 1][:batch] + [4] * max(0, batch - 4)
    mask = np.arange(5)[None, :] < np.array(lengths)[:, None]
    x = np.where(mask[..., None], x, 9.0).astype("float32")
    return x, mask


def _masked_max_reference(x, mask):
    largest = np.where(mask[..., None], x, -np.inf).max(axis=1)
    # 모든 단계가 가려진 행은 MaskedAverage처럼 0입니다.
    return np.where(mask.any(axis=1, keepdims=True), largest, 0.0)


def _check_masked_max(checker, layer_class):
    checker.call("MaskedMax() 만들기", layer_class)
    layer = checker.call('MaskedMax(name="pool") 만들기', layer_class, name="pool")
    checker.require_equal("name= 인자로 준 층 이름", "pool", layer.name)

    for batch, features, seed in ((2, 3, 1), (4, 5, 2)):
        x, mask = _masked_example(batch, features, seed)
        label = f"모양 {x.shape}"
        y = checker.call(f"{label} 입력을 마스크와 함께 호출", _call, layer, x, mask=mask)
        expected = _masked_max_reference(x, mask)
        checker.require_equal(f"{label} 입력의 출력 모양", expected.shape, tuple(y.shape))
        hint = ""
        if np.allclose(y, x.max(axis=1)):
            hint = " (마스크를 무시하고 가려진 단계까지 본 것 같습니다)"
        elif np.allclose(y, np.where(mask[..., None], x, 0.0).max(axis=1)):
            hint = (
                " (가려진 단계를 0으로 채우면 값이 모두 음수인 행에서 0이 나옵니다; "
                "ops.where로 가려진 단계를 -inf로 채운 뒤 최댓값을 고르세요)"
            )
        elif np.allclose(y, _masked_max_reference(x, np.broadcast_to(mask[:1], mask.shape))):
            hint = " (첫 샘플의 마스크를 모든 샘플에 쓴 것 같습니다: 행마다 자기 마스크를 쓰세요)"
        checker.require(
            np.allclose(y, expected),
            f"{label} 입력에 마스크를 준 출력은 {short_array(expected)}이어야 하는데 "
            f"{short_array(y)}입니다{hint}.",
        )
        y = checker.call(f"{label} 입력을 마스크 없이 호출", _call, layer, x)
        checker.require_close(
            f"{label} 입력을 마스크 없이 호출한 출력 (모든 단계의 최댓값)", x.max(axis=1), y
        )

    # 한 행이 통째로 가려진 입력: 그 행의 최댓값은 없으므로 MaskedAverage처럼 0을 돌려줍니다.
    x, mask = _masked_example(3, 2, 3)
    mask[1] = False
    y = checker.call("한 행이 통째로 가려진 입력을 호출", _call, layer, x, mask=mask)
    hint = ""
    if np.all(np.isneginf(y[1])):
        hint = (
            " (가려진 단계를 -inf로 채운 채 최댓값을 골라 -inf가 나왔습니다: "
            "ops.any(mask, axis=1)로 그런 행을 찾아 ops.where로 0을 돌려주세요)"
        )
    checker.expect(
        y.shape == (3, 2) and np.allclose(y, _masked_max_reference(x, mask)),
        "모든 단계가 가려진 행(둘째 행)은 MaskedAverage처럼 0이어야 하는데 출력이 "
        f"{short_array(y)}입니다{hint}.",
    )

    x, mask = _masked_example(2, 3, 1)
    output_mask = checker.call("compute_mask() 호출", layer.compute_mask, x, mask)
    checker.require(
        output_mask is None,
        "compute_mask()는 None을 돌려줘야 하는데 마스크를 돌려줬습니다 "
        "(시간 축이 사라지므로 마스크를 여기서 소비해야 합니다).",
    )

    short, padded, model_output = checker.call(
        "Embedding(mask_zero=True) 뒤에서 호출", _after_embedding, layer_class
    )
    checker.require(
        np.allclose(padded, short, atol=1e-6),
        f"패딩(0)을 덧붙여도 출력이 {short_array(short)}으로 같아야 하는데 "
        f"{short_array(padded)}입니다 (call()의 마스크 인자 이름은 mask여야 Keras가 넘겨 줍니다).",
    )
    checker.require(
        np.allclose(model_output, short, atol=1e-6),
        f"Embedding 뒤에 이 층을 둔 함수형 모델의 출력도 {short_array(short)}이어야 하는데 "
        f"{short_array(model_output)}입니다.",
    )

    compiled = checker.call(
        "컴파일된 함수 안에서 마스크와 함께 호출", _compiled_call, layer, x, mask
    )
    checker.require_close(
        "컴파일된 함수 안에서 마스크와 함께 호출한 출력", _masked_max_reference(x, mask), compiled
    )


def _compiled_call(layer, x, mask):
    def masked_call(inputs, inputs_mask):
        return layer(inputs, mask=inputs_mask)

    return keras.ops.convert_to_numpy(compiled(masked_call, state=layer)(x, mask))


def _after_embedding(layer_class):
    embedding = keras.layers.Embedding(
        10,
        3,
        mask_zero=True,
        embeddings_initializer=keras.initializers.RandomNormal(seed=SEED),
    )
    layer = layer_class()
    short = _call(layer, embedding(np.array([[3, 1, 4]])))
    padded = _call(layer, embedding(np.array([[3, 1, 4, 0, 0]])))
    inputs = keras.Input((None,), dtype="int32")
    model = keras.Model(inputs, layer_class()(embedding(inputs)))
    # predict() 대신 직접 호출합니다: 길이가 다른 입력마다 그래프를 다시 추적하지 않습니다.
    model_output = keras.ops.convert_to_numpy(model(np.array([[3, 1, 4, 0, 0, 0]])))
    return short, padded, model_output


def _call(layer, x, **kwargs):
    return keras.ops.convert_to_numpy(layer(x, **kwargs))


def _gap(a, b):
    return float(np.max(np.abs(np.asarray(a, "float64") - np.asarray(b, "float64"))))
