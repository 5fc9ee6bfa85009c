"""Checkers of chapter 7: the reference solutions pass, typical mistakes get the right sentence."""

import keras
import numpy as np
import pytest
from keras import ops

from companion import Sampling, VariationalAutoEncoder
from companion.exercises import (
    check_bernoulli_vae,
    check_conv_encoder,
    check_latent_interpolation,
)

# --- 연습 8-1: ConvEncoder --------------------------------------------------------------------


class ConvEncoder(keras.layers.Layer):
    def __init__(self, latent_dim=2, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = latent_dim
        self.seed = seed
        self.conv_1 = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")
        self.conv_2 = keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")
        self.flatten = keras.layers.Flatten()
        self.dense_mean = keras.layers.Dense(latent_dim)
        self.dense_log_var = keras.layers.Dense(latent_dim)
        self.sampling = Sampling(seed=self.sampling_seed())

    def sampling_seed(self):
        return self.seed

    def call(self, inputs):
        x = self.flatten(self.conv_2(self.conv_1(inputs)))
        z_mean = self.dense_mean(x)
        z_log_var = self.dense_log_var(x)
        return z_mean, z_log_var, self.sampling((z_mean, z_log_var))

    def get_config(self):
        return {**super().get_config(), "latent_dim": self.latent_dim, "seed": self.seed}


class ConvEncoderIgnoringSeed(ConvEncoder):
    def sampling_seed(self):
        return None


class ConvEncoderFixedNoise(ConvEncoder):
    def call(self, inputs):
        x = self.flatten(self.conv_2(self.conv_1(inputs)))
        z_mean = self.dense_mean(x)
        z_log_var = self.dense_log_var(x)
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed)
        return z_mean, z_log_var, z_mean + ops.exp(0.5 * z_log_var) * epsilon


class ConvEncoderReturnsOnlyZ(ConvEncoder):
    def call(self, inputs):
        return super().call(inputs)[2]


class DenseEncoder(keras.layers.Layer):
    def __init__(self, latent_dim=2, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = latent_dim
        self.seed = seed
        self.flatten = keras.layers.Flatten()
        self.hidden = keras.layers.Dense(32, activation="relu")
        self.dense_mean = keras.layers.Dense(latent_dim)
        self.dense_log_var = keras.layers.Dense(latent_dim)
        self.sampling = Sampling(seed=seed)

    def call(self, inputs):
        x = self.hidden(self.flatten(inputs))
        z_mean = self.dense_mean(x)
        z_log_var = self.dense_log_var(x)
        return z_mean, z_log_var, self.sampling((z_mean, z_log_var))

    def get_config(self):
        return {**super().get_config(), "latent_dim": self.latent_dim, "seed": self.seed}


class ConvEncoderConfigWithoutSeed(ConvEncoder):
    def get_config(self):
        return {**keras.layers.Layer.get_config(self), "latent_dim": self.latent_dim}


def test_conv_encoder_reference_passes():
    report = check_conv_encoder(ConvEncoder)
    assert report.passed, report
    assert repr(report) == "✅ 연습 8-1 ConvEncoder 층: 통과했습니다 (14개 항목 확인)."


def test_conv_encoder_ignoring_seed():
    report = check_conv_encoder(ConvEncoderIgnoringSeed)
    assert report.failures == [
        "seed와 가중치가 같은 두 층은 같은 z를 뽑아야 하는데 다릅니다 "
        "(seed를 Sampling 층이나 SeedGenerator에 넘겼나요?)."
    ]


def test_conv_encoder_with_the_same_noise_every_call():
    report = check_conv_encoder(ConvEncoderFixedNoise)
    assert report.failures == [
        "같은 층을 다시 부르면 z가 달라져야 하는데 같습니다. keras.random.normal()에 정수 "
        "시드를 바로 넘기면 매번 같은 잡음이 나옵니다 (SeedGenerator를 쓰세요)."
    ]


def test_conv_encoder_returning_only_z():
    report = check_conv_encoder(ConvEncoderReturnsOnlyZ)
    assert report.failures == [
        "출력은 (z_mean, z_log_var, z) 세 텐서의 튜플이어야 하는데 그렇지 않습니다."
    ]


def test_dense_encoder_is_not_convolutional():
    report = check_conv_encoder(DenseEncoder)
    assert report.failures == ["합성곱 층(keras.layers.Conv2D)이 하나 이상 있어야 하는데 없습니다."]


def test_conv_encoder_config_without_seed():
    report = check_conv_encoder(ConvEncoderConfigWithoutSeed)
    assert report.failures == [
        "get_config()에 seed가 없습니다 (생성자 인자를 모두 넣으세요).",
    ]


def test_conv_encoder_that_crashes_is_reported():
    class Broken(ConvEncoder):
        def call(self, inputs):
            return self.dense_mena(inputs)

    report = check_conv_encoder(Broken)
    assert report.failures == [
        "층 호출 중에 예외가 났습니다: AttributeError: 'Broken' object has no attribute "
        "'dense_mena'"
    ]


# --- 연습 8-2: BernoulliVAE -------------------------------------------------------------------


class BernoulliVAE(VariationalAutoEncoder):
    def call(self, inputs):
        reconstructed = super().call(inputs)
        self.add_loss(ops.mean(keras.losses.binary_crossentropy(inputs, reconstructed)))
        return reconstructed


class BernoulliVAEWithoutReconstruction(VariationalAutoEncoder):
    pass


class BernoulliVAEWithMSE(VariationalAutoEncoder):
    def call(self, inputs):
        reconstructed = super().call(inputs)
        self.add_loss(ops.mean(ops.square(inputs - reconstructed)))
        return reconstructed


class BernoulliVAEWithKLTwice(VariationalAutoEncoder):
    def call(self, inputs):
        reconstructed = super().call(inputs)
        z_mean, z_log_var, _ = self.encoder(inputs)
        kl = -0.5 * ops.mean(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1)
        self.add_loss(self.kl_weight * kl)
        self.add_loss(ops.mean(keras.losses.binary_crossentropy(inputs, reconstructed)))
        return reconstructed


class BernoulliVAEPerSampleLoss(VariationalAutoEncoder):
    def call(self, inputs):
        reconstructed = super().call(inputs)
        self.add_loss(keras.losses.binary_crossentropy(inputs, reconstructed))
        return reconstructed


class BernoulliVAEArgumentsSwapped(VariationalAutoEncoder):
    def call(self, inputs):
        reconstructed = super().call(inputs)
        self.add_loss(ops.mean(keras.losses.binary_crossentropy(reconstructed, inputs)))
        return reconstructed


def test_bernoulli_vae_reference_passes():
    report = check_bernoulli_vae(BernoulliVAE)
    assert report.passed, report
    assert repr(report) == "✅ 연습 8-2 BernoulliVAE 모델: 통과했습니다 (14개 항목 확인)."


@pytest.mark.parametrize(
    ("model_class", "hint"),
    [
        (
            BernoulliVAEWithoutReconstruction,
            "재구성 손실이 빠졌습니다 (이진 교차 엔트로피의 평균을 add_loss()로 더하세요).",
        ),
        (BernoulliVAEWithMSE, "재구성 손실이 MSE입니다. 이진 교차 엔트로피를 쓰세요."),
        (BernoulliVAEWithKLTwice, "KL 손실이 두 번 더해졌습니다 (super().call()이 이미 더합니다)."),
    ],
)
@pytest.mark.filterwarnings("ignore:Gradients do not exist:UserWarning")
def test_bernoulli_vae_wrong_losses_are_named(model_class, hint):
    report = check_bernoulli_vae(model_class)
    assert len(report.failures) == 1, report
    assert report.failures[0].startswith("model.losses의 합이 ")
    assert report.failures[0].endswith(hint)


def test_bernoulli_vae_with_swapped_arguments():
    # binary_crossentropy(y_pred, y_true) is a different number, and not one that fit() lowers.
    report = check_bernoulli_vae(BernoulliVAEArgumentsSwapped)
    assert report.failures[0].startswith("model.losses의 합이 ")
    assert report.failures[0].endswith("입니다.")


def test_bernoulli_vae_per_sample_loss_is_not_a_scalar():
    report = check_bernoulli_vae(BernoulliVAEPerSampleLoss)
    assert report.failures == [
        "model.losses의 손실은 모두 스칼라여야 하는데 모양이 [(), (8,)]입니다 "
        "(샘플별 손실은 ops.mean()으로 평균 내서 더하세요)."
    ]


def test_bernoulli_vae_built_on_a_layer_is_rejected():
    class NotAModel(keras.layers.Layer):
        def __init__(self, *args, **kwargs):
            super().__init__()

    report = check_bernoulli_vae(NotAModel)
    assert report.failures == [
        "BernoulliVAE는 keras.Model이어야 하는데 Layer을(를) 상속했습니다 "
        "(companion.VariationalAutoEncoder를 물려받으세요)."
    ]


# --- 연습 8-3: 잠재 공간 보간 -----------------------------------------------------------------


def interpolate_latent(vae, x_start, x_end, steps=8):
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ValueError(f"steps는 2 이상의 정수여야 합니다. 받은 값: steps={steps!r}")
    z_mean, _, _ = vae.encoder(np.stack([x_start, x_end]))
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    z = (1.0 - t) * z_mean[0] + t * z_mean[1]
    return ops.convert_to_numpy(vae.decoder(z))


def interpolate_sampled_z(vae, x_start, x_end, steps=8):
    _, _, z = vae.encoder(np.stack([x_start, x_end]))
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    return ops.convert_to_numpy(vae.decoder((1.0 - t) * z[0] + t * z[1]))


def interpolate_without_end_point(vae, x_start, x_end, steps=8):
    if steps < 2:
        raise ValueError(f"steps는 2 이상이어야 합니다. 받은 값: steps={steps}")
    z_mean, _, _ = vae.encoder(np.stack([x_start, x_end]))
    t = np.linspace(0.0, 1.0, steps, endpoint=False, dtype="float32")[:, None]
    return ops.convert_to_numpy(vae.decoder((1.0 - t) * z_mean[0] + t * z_mean[1]))


def interpolate_pixels(vae, x_start, x_end, steps=8):
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    return (1.0 - t) * x_start + t * x_end


def interpolate_without_validation(vae, x_start, x_end, steps=8):
    z_mean, _, _ = vae.encoder(np.stack([x_start, x_end]))
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    return ops.convert_to_numpy(vae.decoder((1.0 - t) * z_mean[0] + t * z_mean[1]))


def test_interpolation_reference_passes():
    report = check_latent_interpolation(interpolate_latent)
    assert report.passed, report
    assert repr(report) == "✅ 연습 8-3 잠재 공간 보간: 통과했습니다 (7개 항목 확인)."


def test_interpolating_sampled_z_is_not_reproducible():
    report = check_latent_interpolation(interpolate_sampled_z)
    assert report.failures == [
        "같은 입력으로 두 번 부르면 같은 이미지가 나와야 하는데 다릅니다. 무작위로 뽑은 z 대신 "
        "z_mean을 이으세요."
    ]


def test_interpolation_without_the_end_point():
    report = check_latent_interpolation(interpolate_without_end_point)
    assert len(report.failures) == 2
    assert report.failures[0].startswith(
        "마지막 이미지 (x_end의 z_mean을 그린 것, 끝점도 포함합니다): "
    )
    assert report.failures[1].startswith("가운데 세 이미지 (고르게 떨어진 잠재 벡터): ")


def test_interpolating_pixels_instead_of_latent_vectors():
    report = check_latent_interpolation(interpolate_pixels)
    assert report.failures == [
        "첫 이미지가 x_start 그대로입니다. 픽셀을 섞지 말고, 잠재 벡터(z_mean)를 이은 다음 "
        "디코더로 그리세요."
    ]


def test_interpolation_without_validating_steps():
    report = check_latent_interpolation(interpolate_without_validation)
    assert report.failures == ["steps=1일 때 ValueError를 내야 하는데 아무 예외도 나지 않았습니다."]


def test_interpolation_checker_wants_a_function():
    with pytest.raises(TypeError, match="interpolate_fn에는 함수를 넘겨야 합니다"):
        check_latent_interpolation(BernoulliVAE)
