"""`VariationalAutoEncoder` 모델: `Encoder`와 `Decoder`를 잇고 KL 발산을 손실로 더합니다."""

import keras

from companion._validation import check_positive_int, check_real, check_seed
from companion.layers.decoder import Decoder
from companion.layers.encoder import Encoder
from companion.layers.kl_divergence_sampling import kl_divergence_to_standard_normal


@keras.saving.register_keras_serializable(package="companion")
class VariationalAutoEncoder(keras.Model):
    """변분 오토인코더(VAE): 입력을 잠재 분포로 압축했다가 다시 재구성합니다.

    `Encoder`가 입력에서 `(z_mean, z_log_var, z)`를 만들고 `Decoder`가 `z`에서 입력을
    재구성합니다. `call()`은 잠재 분포와 표준정규분포 사이의 KL 발산
    `-0.5 * mean(z_log_var - z_mean² - exp(z_log_var) + 1)`에 `kl_weight`를 곱해
    `add_loss()`로 더합니다. 그래서 `compile(loss="mse")`와 `fit(x, x)`로 훈련하면
    재구성 손실과 KL 손실의 합이 줄어들고, 직접 쓴 훈련 루프에서는 `model.losses`로
    KL 손실을 꺼내 씁니다.

    그림을 그릴 때는 하위 층을 따로 씁니다: `model.encoder(x)[0]`은 잠재 공간의
    좌표(`z_mean`), `model.decoder(z)`는 잠재 벡터에서 만든 이미지입니다.

    Args:
        original_dim: 입력(과 출력) 벡터의 길이 (양의 정수). Fashion-MNIST는 784.
        intermediate_dim: 인코더와 디코더 은닉층의 유닛 수 (양의 정수).
        latent_dim: 잠재 공간의 차원 (양의 정수).
        kl_weight: KL 손실에 곱할 0 이상의 수. 1보다 크게 하면 잠재 공간이 더
            표준정규분포에 가까워지는 대신 재구성이 흐려집니다 (β-VAE).
        seed: 인코더의 `Sampling` 층에 넘길 난수 시드(정수) 또는 `None`.
        **kwargs: `name`, `dtype` 같은 기반 `Model`의 인자.

    Call arguments:
        inputs: `(batch_size, original_dim)` 모양의 텐서 (0–1로 정규화한 값).
            `training` 인자는 받지 않습니다: 훈련과 추론에서 똑같이 동작합니다
            (추론에서도 `z`를 뽑습니다).

    Input shape:
        `(batch_size, original_dim)`.

    Output shape:
        `(batch_size, original_dim)`.

    Returns:
        0과 1 사이 값을 가진 재구성 텐서.

    Example:

    >>> vae = VariationalAutoEncoder(original_dim=784, latent_dim=2, seed=0)
    >>> vae.compile(optimizer="adam", loss="mse")
    >>> history = vae.fit(x_train, x_train, epochs=2, batch_size=64)  # doctest: +SKIP
    """

    def __init__(
        self,
        original_dim=784,
        intermediate_dim=64,
        latent_dim=32,
        kl_weight=1.0,
        seed=None,
        **kwargs,
    ):
        original_dim = check_positive_int("original_dim", original_dim)
        intermediate_dim = check_positive_int("intermediate_dim", intermediate_dim)
        latent_dim = check_positive_int("latent_dim", latent_dim)
        kl_weight = check_real("kl_weight", kl_weight, minimum=0.0)
        seed = check_seed(seed)
        super().__init__(**kwargs)
        self.original_dim = original_dim
        self.intermediate_dim = intermediate_dim
        self.latent_dim = latent_dim
        self.kl_weight = kl_weight
        self.seed = seed
        policy = self.dtype_policy
        self.encoder = Encoder(
            latent_dim=latent_dim,
            intermediate_dim=intermediate_dim,
            seed=seed,
            name="encoder",
            dtype=policy,
        )
        self.decoder = Decoder(
            original_dim=original_dim,
            intermediate_dim=intermediate_dim,
            name="decoder",
            dtype=policy,
        )

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 2 or input_shape[-1] != self.original_dim:
            raise ValueError(
                f"{self.__class__.__name__}의 입력은 (batch_size, {self.original_dim}) 모양이어야 "
                f"합니다 (original_dim={self.original_dim}). 받은 모양: {input_shape}"
            )
        self.encoder.build(input_shape)
        self.decoder.build((input_shape[0], self.latent_dim))

    def build_from_config(self, config):
        # keras.Model의 build_from_config()는 build()의 오류를 경고로 바꾸고 모델을 짓지 않은
        # 채 두므로, 설정이 망가진 .keras 파일이 저장된 가중치 없이 조용히 불러와집니다.
        # 층(Layer)의 구현을 써서 오류를 그대로 알립니다.
        keras.layers.Layer.build_from_config(self, config)

    def call(self, inputs):
        z_mean, z_log_var, z = self.encoder(inputs)
        reconstructed = self.decoder(z)
        # The KL term is computed in the variable dtype (float32 under mixed_float16):
        # exp() of a float16 log-variance overflows long before training diverges.
        kl_loss = kl_divergence_to_standard_normal(z_mean, z_log_var, self.variable_dtype)
        self.add_loss(self.kl_weight * kl_loss)
        return reconstructed

    def get_config(self):
        return {
            **super().get_config(),
            "original_dim": self.original_dim,
            "intermediate_dim": self.intermediate_dim,
            "latent_dim": self.latent_dim,
            "kl_weight": self.kl_weight,
            "seed": self.seed,
        }
