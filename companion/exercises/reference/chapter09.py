"""9장 연습 문제의 모범 답안: `09_functional_vae.ipynb`의 "모범 답안" 셀과 같은 코드입니다.

채점기(`companion/exercises/chapter09.py`)가 독자의 답을 이 답과 같은 가중치로 맞춰 놓고
비교합니다. 노트북의 답을 고치면 여기도 고칩니다 (`tests/exercises/test_reference.py`가 둘이
같은지 확인합니다). 직렬화 등록 이름만 `solutions_chNN` 대신 `reference_chNN`입니다.
"""

import keras
from keras import ops

from companion.layers.kl_divergence_sampling import KLDivergenceSampling
from companion.layers.sampling import Sampling


class TemperatureSampling(Sampling):
    """표준편차에 온도를 곱해 잠재 벡터를 뽑는 층."""

    def __init__(self, temperature=1.0, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if temperature < 0:
            raise ValueError(
                f"temperature는 0 이상이어야 합니다. 받은 값: temperature={temperature!r}"
            )
        self.temperature = float(temperature)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(
            ops.shape(z_mean), dtype=z_mean.dtype, seed=self.seed_generator
        )
        return z_mean + self.temperature * ops.exp(0.5 * z_log_var) * epsilon

    def get_config(self):
        return {**super().get_config(), "temperature": self.temperature}


class SummedKLSampling(Sampling):
    """잠재 차원에 대해 합한 KL 발산을 배치 평균으로 더하며 표본을 뽑는 층."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        per_sample = 0.5 * ops.sum(
            ops.exp(z_log_var) + ops.square(z_mean) - z_log_var - 1.0, axis=-1
        )
        self.add_loss(ops.mean(per_sample))
        return super().call(inputs)


def build_vae_parts(original_dim, intermediate_dim, latent_dim, kl_weight=1.0, seed=None):
    """인코더, 디코더, 둘을 이은 VAE를 함수형 API로 만듭니다."""
    inputs = keras.Input(shape=(original_dim,), name="encoder_input")
    h = keras.layers.Dense(intermediate_dim, activation="relu", name="encoder_hidden")(inputs)
    z_mean = keras.layers.Dense(latent_dim, name="z_mean")(h)
    z_log_var = keras.layers.Dense(latent_dim, name="z_log_var")(h)
    z = KLDivergenceSampling(kl_weight=kl_weight, seed=seed, name="z")([z_mean, z_log_var])
    encoder = keras.Model(inputs, [z_mean, z_log_var, z], name="encoder")

    latent_inputs = keras.Input(shape=(latent_dim,), name="z_sampling")
    h = keras.layers.Dense(intermediate_dim, activation="relu", name="decoder_hidden")(
        latent_inputs
    )
    outputs = keras.layers.Dense(original_dim, activation="sigmoid", name="reconstruction")(h)
    decoder = keras.Model(latent_inputs, outputs, name="decoder")

    vae = keras.Model(inputs, decoder(z), name="vae")
    return encoder, decoder, vae
