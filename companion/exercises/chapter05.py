"""5장 연습 문제 채점기: `call()`의 `training` 인자와 마스크."""

import warnings

import keras
import numpy as np

from companion.exercises.checker import Checker, quiet_tensorflow_logs, require_class
from companion.settings import SEED


def check_training_noise(layer_class):
    """연습 5-1: 훈련할 때만 가우스 잡음을 더하는 `TrainingNoise` 층을 채점합니다.

    기대하는 것: `layer_class(stddev, seed=None)`으로 만들 수 있고, `training=True`로
    호출하면 입력에 평균 0, 표준편차 `stddev`인 정규분포 잡음을 더하며, 그 밖에는
    (`training=False`이거나 주지 않았을 때) 입력을 그대로 돌려줍니다. 잡음은 층이 가진
    `keras.random.SeedGenerator(seed)`로 뽑아서, 호출할 때마다 달라지고 같은 `seed`로
    만든 층끼리는 같은 순서로 나와야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_training_noise(TrainingNoise)  # doctest: +SKIP
    ✅ 연습 5-1 TrainingNoise 층: 통과했습니다 (13개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 5-1 TrainingNoise 층")
    ok, layer = checker.run("TrainingNoise(0.5, seed=3) 만들기", layer_class, 0.5, seed=3)
    if not ok:
        return checker.report()
    x = np.full((200, 50), 2.0, dtype="float32")

    for what, kwargs in (("training 없이", {}), ("training=False로", {"training": False})):
        ok, y = checker.run(f"{what} 호출", _call, layer, x, **kwargs)
        if not ok:
            return checker.report()
        if not checker.expect_equal(f"{what} 호출한 출력 모양", x.shape, tuple(y.shape)):
            return checker.report()
        checker.expect(
            np.array_equal(y, x),
            f"{what} 호출하면 입력이 그대로 나와야 하는데 최대 {_gap(y, x):.4f}만큼 달라졌습니다.",
        )

    ok, first = checker.run("training=True로 호출", _call, layer, x, training=True)
    if not ok:
        return checker.report()
    if not checker.expect_equal("training=True일 때 출력 모양", x.shape, tuple(first.shape)):
        return checker.report()
    noise = first - x
    if not checker.expect(
        not np.allclose(noise, 0.0),
        "training=True로 호출하면 잡음이 더해져야 하는데 입력이 그대로 나왔습니다 "
        "(call()이 training 인자를 받아서 참일 때 잡음을 더하나요?).",
    ):
        return checker.report()
    mean, std = float(noise.mean()), float(noise.std())
    checker.expect(
        abs(mean) < 0.05,
        f"잡음(출력 - 입력)의 평균은 0에 가까워야 하는데 {mean:.3f}입니다.",
    )
    hint = " (분산이 아니라 표준편차로 stddev를 쓰세요)" if abs(std - 0.25) < 0.03 else ""
    checker.expect(
        abs(std - 0.5) < 0.03,
        f"잡음의 표준편차는 stddev=0.5에 가까워야 하는데 {std:.3f}입니다{hint}.",
    )

    ok, second = checker.run("training=True로 두 번째 호출", _call, layer, x, training=True)
    if ok:
        checker.expect(
            not np.allclose(second, first),
            "두 번째 호출의 잡음이 첫 번째와 같습니다: 호출할 때마다 달라져야 합니다 "
            "(정수 시드 대신 __init__에서 만든 SeedGenerator를 넘기세요).",
        )
    # 재현성은 새로 만든 층끼리 비교합니다 (위의 층은 이미 여러 번 호출되었습니다).
    ok, noises = checker.run(
        "seed=3, 3, 4로 새로 만든 층 세 개의 첫 호출", _first_noises, layer_class, x, (3, 3, 4)
    )
    if ok:
        fresh, twin, other = noises
        checker.expect(
            np.allclose(twin, fresh, atol=1e-6),
            "같은 seed로 만든 두 층의 첫 잡음이 같아야 하는데 최대 "
            f"{_gap(twin, fresh):.4f}만큼 다릅니다 (seed로 SeedGenerator를 만드세요).",
        )
        checker.expect(
            not np.allclose(other, fresh),
            "seed가 다른 두 층의 잡음이 같습니다: seed 인자를 SeedGenerator에 넘기세요.",
        )

    ok, losses = checker.run("모델에 넣어 evaluate()와 fit() 실행", _evaluate_and_fit, layer_class)
    if ok:
        predict_gap, eval_loss, fit_loss = losses
        checker.expect(
            predict_gap == 0.0,
            "predict()는 training=False로 호출하므로 잡음이 없어야 하는데 출력이 입력과 "
            f"최대 {predict_gap:.4f}만큼 다릅니다.",
        )
        checker.expect(
            eval_loss == 0.0 and fit_loss > 0.0,
            "evaluate()에서는 잡음이 없고(손실 0) fit()에서는 잡음이 있어야(손실 > 0) 하는데 "
            f"evaluate 손실 {eval_loss:.4f}, fit 손실 {fit_loss:.4f}입니다.",
        )
    return checker.report()


def _first_noises(layer_class, x, seeds):
    """`seeds`마다 새 층을 만들어 `training=True`로 한 번 호출한 출력을 돌려줍니다."""
    return [_call(layer_class(0.5, seed=seed), x, training=True) for seed in seeds]


@quiet_tensorflow_logs
def _evaluate_and_fit(layer_class):
    # 가중치가 1로 고정된(학습률 0) Dense 하나만 붙여서, 손실이 잡음의 크기만 재게 합니다.
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


def check_masked_max(layer_class):
    """연습 5-2: 마스크가 가리지 않은 시간 단계에서만 최댓값을 고르는 `MaskedMax` 층을 채점합니다.

    기대하는 것: `layer_class()`로 만들 수 있고, `(batch_size, timesteps, features)` 입력의
    시간 축(축 1)을 따라 특성별 최댓값을 돌려줍니다 (`(batch_size, features)`). 마스크가
    주어지면 가려진 단계는 무시하고 (값이 모두 음수여도 맞아야 합니다), 마스크가 없으면 모든
    단계의 최댓값입니다. 시간 축이 사라지므로 `compute_mask()`는 `None`을 돌려줘 마스크를
    소비해야 하고, `Embedding(mask_zero=True)` 뒤에서 경고 없이 동작해야 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_masked_max(MaskedMax)  # doctest: +SKIP
    ✅ 연습 5-2 MaskedMax 층: 통과했습니다 (7개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 5-2 MaskedMax 층")
    # Keras의 경고는 보고서의 한 문장으로 바꾸므로 화면에는 내보내지 않습니다.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _check_masked_max(checker, layer_class)
    warned = any("does not support masking" in str(w.message) for w in caught)
    checker.expect(
        not warned,
        "Keras가 '이 층은 마스크를 지원하지 않는다'고 경고했습니다 "
        "(supports_masking = True로 두거나 compute_mask()를 정의하세요).",
    )
    return checker.report()


def _check_masked_max(checker, layer_class):
    ok, layer = checker.run("MaskedMax() 만들기", layer_class)
    if not ok:
        return
    # 첫 행은 앞 두 단계만 유효하고 값이 모두 음수이며, 가려진 단계에는 큰 값이 있습니다.
    x = np.array(
        [
            [[-3.0, -1.0, -2.0], [-1.5, -4.0, -0.5], [9.0, 9.0, 9.0], [8.0, 8.0, 8.0]],
            [[1.0, -2.0, 0.5], [0.0, 3.0, -1.0], [2.0, 1.0, -3.0], [-1.0, 0.0, 4.0]],
        ],
        dtype="float32",
    )
    mask = np.array([[True, True, False, False], [True, True, True, True]])

    ok, y = checker.run("마스크와 함께 호출", _call, layer, x, mask=mask)
    if ok:
        expected = np.array([x[0, :2].max(axis=0), x[1].max(axis=0)])
        if not checker.expect_equal("출력 모양", expected.shape, tuple(y.shape)):
            return
        hint = ""
        if np.allclose(y, x.max(axis=1)):
            hint = " (마스크를 무시하고 가려진 단계까지 본 것 같습니다)"
        elif np.allclose(y, np.where(mask[..., None], x, 0.0).max(axis=1)):
            hint = (
                " (가려진 단계를 0으로 채우면 값이 모두 음수인 행에서 0이 나옵니다; "
                "ops.where로 아주 작은 값을 채우세요)"
            )
        checker.expect(
            np.allclose(y, expected),
            f"마스크를 준 출력은 {_short(expected)}이어야 하는데 {_short(y)}입니다{hint}.",
        )

    ok, y = checker.run("마스크 없이 호출", _call, layer, x)
    if ok:
        checker.expect_close("마스크 없이 호출한 출력 (모든 단계의 최댓값)", x.max(axis=1), y)

    # supports_masking이 거짓이면 Keras가 마스크를 버리고 경고하므로 아래 경고 검사가 잡습니다.
    ok, output_mask = checker.run("compute_mask() 호출", layer.compute_mask, x, mask)
    if ok and layer.supports_masking:
        checker.expect(
            output_mask is None,
            "compute_mask()는 None을 돌려줘야 하는데 마스크를 돌려줬습니다 "
            "(시간 축이 사라지므로 마스크를 여기서 소비해야 합니다).",
        )

    ok, result = checker.run("Embedding(mask_zero=True) 뒤에서 호출", _after_embedding, layer_class)
    if ok:
        short, padded, model_output = result
        checker.expect(
            np.allclose(padded, short, atol=1e-6),
            f"패딩(0)을 덧붙여도 출력이 {_short(short)}으로 같아야 하는데 {_short(padded)}입니다.",
        )
        checker.expect(
            np.allclose(model_output, short, atol=1e-6),
            f"Embedding 뒤에 이 층을 둔 함수형 모델의 출력도 {_short(short)}이어야 하는데 "
            f"{_short(model_output)}입니다.",
        )


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


def _short(array):
    values = np.round(np.asarray(array, dtype="float64"), 4)
    return np.array2string(values, threshold=6, separator=", ").replace("\n", "")
