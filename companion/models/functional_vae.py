"""함수형 API(functional API)로 만드는 변분 오토인코더(VAE)."""

import keras

from companion._validation import check_positive_int
from companion.layers.kl_divergence_sampling import KLDivergenceSampling


def build_functional_vae(
    original_dim=784,
    intermediate_dim=64,
    latent_dim=32,
    kl_weight=1.0,
    seed=None,
    name="vae",
):
    """함수형 API로 변분 오토인코더(VAE)를 만듭니다.

    `Model`을 서브클래싱하지 않고 층을 이어 붙여 만듭니다. 인코더
    (`Dense` + ReLU)가 `z_mean`과 `z_log_var`를 내고, `KLDivergenceSampling` 층이
    잠재 벡터 `z`를 뽑으면서 KL 발산을 손실로 더하고, 디코더(`Dense` + ReLU,
    `Dense` + 시그모이드)가 입력을 재구성합니다. KL 항은 층의 `call()` 안에서 더해지므로
    `compile(optimizer, loss=keras.losses.MeanSquaredError())` 뒤 `fit(x, x)`만 하면
    재구성 손실과 KL 손실의 합으로 훈련됩니다.

    층 이름은 모두 정해져 있어서 `model.get_layer("z_mean")`처럼 꺼내 쓸 수 있습니다:
    `encoder_input`, `encoder_hidden`, `z_mean`, `z_log_var`, `z`, `decoder_hidden`,
    `reconstruction`.

    Args:
        original_dim: 입력(과 출력) 벡터의 길이. 양의 정수. 기본값 784 (28×28 이미지).
        intermediate_dim: 인코더와 디코더 은닉층의 유닛 수. 양의 정수.
        latent_dim: 잠재 공간의 차원 수. 양의 정수.
        kl_weight: KL 손실에 곱하는 0 이상의 수 (β-VAE의 β). 기본값 1.0은 2020년 가이드와
            같지만, 재구성 손실(픽셀 평균 MSE)에 비해 KL 항이 너무 무거워 모델이 잠재 벡터를
            무시하고 평균 이미지만 내놓기 쉽습니다(사후 붕괴). 제곱 오차는 픽셀에 대해,
            KL은 잠재 차원에 대해 (평균이 아니라) 합한 손실과 비율을 맞추려면
            `latent_dim / original_dim`을 주세요.
        seed: 표본을 뽑는 `KLDivergenceSampling` 층의 난수 시드(정수) 또는 `None`.
            가중치 초기화는 전역 시드(`keras.utils.set_random_seed`)를 따릅니다.
        name: 모델 이름.

    Returns:
        컴파일하지 않은 `keras.Model`. 입력과 출력은 모두 `(batch_size, original_dim)`.

    Raises:
        ValueError: 차원 인자가 양의 정수가 아니거나 `kl_weight`가 음수일 때.

    Example:

    >>> vae = build_functional_vae(original_dim=784, latent_dim=2, seed=0)
    >>> vae.compile(keras.optimizers.Adam(1e-3), loss=keras.losses.MeanSquaredError())
    >>> history = vae.fit(x_train, x_train, epochs=2, batch_size=64)  # doctest: +SKIP
    """
    original_dim = check_positive_int("original_dim", original_dim)
    intermediate_dim = check_positive_int("intermediate_dim", intermediate_dim)
    latent_dim = check_positive_int("latent_dim", latent_dim)

    inputs = keras.Input(shape=(original_dim,), name="encoder_input")
    hidden = keras.layers.Dense(intermediate_dim, activation="relu", name="encoder_hidden")(inputs)
    z_mean = keras.layers.Dense(latent_dim, name="z_mean")(hidden)
    z_log_var = keras.layers.Dense(latent_dim, name="z_log_var")(hidden)
    z = KLDivergenceSampling(kl_weight=kl_weight, seed=seed, name="z")([z_mean, z_log_var])
    hidden = keras.layers.Dense(intermediate_dim, activation="relu", name="decoder_hidden")(z)
    outputs = keras.layers.Dense(original_dim, activation="sigmoid", name="reconstruction")(hidden)
    return keras.Model(inputs=inputs, outputs=outputs, name=name)
