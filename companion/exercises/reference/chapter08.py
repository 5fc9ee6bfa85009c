"""8장 연습 문제의 모범 답안: `08_vae_end_to_end.ipynb`의 "모범 답안" 셀과 같은 코드입니다.

채점기(`companion/exercises/chapter08.py`)가 독자의 답을 이 답과 같은 가중치로 맞춰 놓고
비교합니다. 노트북의 답을 고치면 여기도 고칩니다 (`tests/exercises/test_reference.py`가 둘이
같은지 확인합니다). 직렬화 등록 이름만 `solutions_chNN` 대신 `reference_chNN`입니다.
"""

import keras
import numpy as np
from keras import ops

from companion.layers.sampling import Sampling
from companion.models.variational_autoencoder import VariationalAutoEncoder


class ConvEncoder(keras.layers.Layer):
    """(28, 28, 1) 이미지를 합성곱으로 읽어 (z_mean, z_log_var, z)를 내는 인코더."""

    def __init__(self, latent_dim=2, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = latent_dim
        self.seed = seed
        self.conv_1 = keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")
        self.conv_2 = keras.layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")
        self.flatten = keras.layers.Flatten()
        self.dense_mean = keras.layers.Dense(latent_dim)
        self.dense_log_var = keras.layers.Dense(latent_dim)
        self.sampling = Sampling(seed=seed)

    def call(self, inputs):
        x = self.flatten(self.conv_2(self.conv_1(inputs)))
        z_mean = self.dense_mean(x)
        z_log_var = self.dense_log_var(x)
        return z_mean, z_log_var, self.sampling((z_mean, z_log_var))

    def get_config(self):
        return {**super().get_config(), "latent_dim": self.latent_dim, "seed": self.seed}


class BernoulliVAE(VariationalAutoEncoder):
    """재구성 손실로 이진 교차 엔트로피를 쓰는 VAE: compute_loss()만 재정의합니다."""

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        # fit(x)에는 목표가 없으므로(y는 None) 입력 x와 재구성 y_pred를 비교합니다.
        reconstruction_loss = ops.mean(keras.losses.binary_crossentropy(x, y_pred))
        kl_loss = sum(self.losses)  # call()이 add_loss()로 더한 KL 손실 (kl_weight를 곱한 값)
        total_loss = reconstruction_loss + kl_loss
        # 세 추적기가 fit()의 로그가 됩니다. 배치 크기를 가중치로 주면 에포크 평균이 됩니다.
        batch_size = ops.shape(x)[0]
        self.loss_tracker.update_state(total_loss, sample_weight=batch_size)
        self.reconstruction_loss_tracker.update_state(reconstruction_loss, sample_weight=batch_size)
        self.kl_loss_tracker.update_state(kl_loss, sample_weight=batch_size)
        return total_loss


def interpolate_latent(vae, x_start, x_end, steps=8):
    """두 이미지의 z_mean 사이를 steps개로 나눠 디코딩합니다 (양 끝 포함)."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ValueError(f"steps는 2 이상의 정수여야 합니다. 받은 값: steps={steps!r}")
    z_mean = ops.convert_to_numpy(vae.encoder(np.stack([x_start, x_end]))[0])
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    z = (1.0 - t) * z_mean[0] + t * z_mean[1]
    return ops.convert_to_numpy(vae.decoder(z))
