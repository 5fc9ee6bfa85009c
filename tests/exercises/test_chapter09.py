"""Checkers of chapter 8: the reference solutions pass, typical mistakes get the right sentence."""

import re

import keras
import pytest
from keras import ops

from companion import KLDivergenceSampling, Sampling
from companion.exercises import (
    check_summed_kl_sampling,
    check_temperature_sampling,
    check_vae_parts,
)


def _assert_fails_with(report, *fragments):
    assert not report.passed, report
    text = repr(report)
    for fragment in fragments:
        assert fragment in text, text


# --- 연습 9-1: TemperatureSampling -----------------------------------------------------------


class TemperatureSampling(Sampling):
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


class TemperatureIgnored(TemperatureSampling):
    def call(self, inputs):
        return Sampling.call(self, inputs)


class TemperatureOnVariance(TemperatureSampling):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(
            ops.shape(z_mean), dtype=z_mean.dtype, seed=self.seed_generator
        )
        return z_mean + ops.sqrt(self.temperature * ops.exp(z_log_var)) * epsilon


class TemperatureUnseeded(TemperatureSampling):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(ops.shape(z_mean), dtype=z_mean.dtype)
        return z_mean + self.temperature * ops.exp(0.5 * z_log_var) * epsilon


class TemperatureWithoutConfig(TemperatureSampling):
    def get_config(self):
        return Sampling.get_config(self)


class TemperatureUnchecked(TemperatureSampling):
    def __init__(self, temperature=1.0, seed=None, **kwargs):
        Sampling.__init__(self, seed=seed, **kwargs)
        self.temperature = float(temperature)


def test_temperature_reference_passes():
    report = check_temperature_sampling(TemperatureSampling)
    assert report.passed, report
    assert re.fullmatch(
        r"✅ 연습 9-1 TemperatureSampling 층: 통과했습니다 \(\d+개 항목 확인\)\.", repr(report)
    )


def test_temperature_ignored():
    report = check_temperature_sampling(TemperatureIgnored)
    _assert_fails_with(
        report,
        "temperature=0일 때 출력 (z_mean과 같아야 합니다)",
        "온도를 곱하지 않은 것 같습니다",
    )


def test_temperature_on_the_variance():
    report = check_temperature_sampling(TemperatureOnVariance)
    _assert_fails_with(report, "분산에 온도를 곱한 것 같습니다")
    # temperature=0 still gives z_mean, so only the standard deviation is wrong.
    assert len(report.failures) == 1


def test_temperature_without_seed_generator():
    _assert_fails_with(
        check_temperature_sampling(TemperatureUnseeded),
        "같은 seed로 만든 두 층의 표본이 다릅니다",
    )


def test_temperature_missing_from_config():
    _assert_fails_with(
        check_temperature_sampling(TemperatureWithoutConfig),
        "get_config()에 'temperature'가 없습니다",
    )


def test_temperature_not_validated():
    _assert_fails_with(
        check_temperature_sampling(TemperatureUnchecked),
        "TemperatureSampling(temperature=-1.0) 만들기: ValueError가 나야 하는데 "
        "아무 예외도 나지 않았습니다.",
    )


def test_temperature_constructor_without_keywords():
    class NoTemperature(Sampling):
        pass

    _assert_fails_with(
        check_temperature_sampling(NoTemperature),
        "TemperatureSampling(temperature=0.0, seed=1) 만들기 중에 예외가 났습니다: ValueError: "
        "Unrecognized keyword arguments",
    )


def test_temperature_checker_wants_a_class():
    with pytest.raises(TypeError, match="클래스 자체"):
        check_temperature_sampling(TemperatureSampling(seed=0))


# --- 연습 9-2: SummedKLSampling --------------------------------------------------------------


class SummedKLSampling(Sampling):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        per_sample = 0.5 * ops.sum(
            ops.exp(z_log_var) + ops.square(z_mean) - z_log_var - 1.0, axis=-1
        )
        self.add_loss(ops.mean(per_sample))
        return super().call(inputs)


class MeanOverLatent(Sampling):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        self.add_loss(-0.5 * ops.mean(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1.0))
        return super().call(inputs)


class SumOverBatch(Sampling):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        self.add_loss(0.5 * ops.sum(ops.exp(z_log_var) + ops.square(z_mean) - z_log_var - 1.0))
        return super().call(inputs)


class StoresInsteadOfAdding(Sampling):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        per_sample = 0.5 * ops.sum(
            ops.exp(z_log_var) + ops.square(z_mean) - z_log_var - 1.0, axis=-1
        )
        self.kl_loss = ops.mean(per_sample)
        return super().call(inputs)


class ReturnsTheMean(SummedKLSampling):
    def call(self, inputs):
        super().call(inputs)
        return inputs[0]


def test_summed_kl_reference_passes():
    report = check_summed_kl_sampling(SummedKLSampling)
    assert report.passed, report
    assert repr(report).startswith("✅ 연습 9-2 SummedKLSampling 층: 통과했습니다")


def test_chapter_formula_averages_over_latent_dimensions():
    report = check_summed_kl_sampling(MeanOverLatent)
    _assert_fails_with(report, "잠재 차원에 대해 합하지 않고 평균한 것 같습니다")


def test_summing_over_the_batch():
    _assert_fails_with(
        check_summed_kl_sampling(SumOverBatch),
        "배치에 대해서도 합한 것 같습니다",
    )


def test_loss_stored_instead_of_added():
    report = check_summed_kl_sampling(StoresInsteadOfAdding)
    _assert_fails_with(
        report,
        "첫 호출 뒤 layer.losses에는 손실이 1개 있어야 하는데 0개입니다 "
        "(call() 안에서 self.add_loss()로 더하세요).",
        "함수형 모델에 넣어 evaluate() 중에 예외가 났습니다",
    )


def test_returning_the_mean_instead_of_a_sample():
    _assert_fails_with(
        check_summed_kl_sampling(ReturnsTheMean),
        "z_mean을 그대로 돌려주지 말고 표본을 뽑아 돌려주세요",
    )


# --- 연습 9-3: build_vae_parts ---------------------------------------------------------------


def build_vae_parts(original_dim, intermediate_dim, latent_dim, seed=None):
    inputs = keras.Input(shape=(original_dim,), name="encoder_input")
    h = keras.layers.Dense(intermediate_dim, activation="relu", name="encoder_hidden")(inputs)
    z_mean = keras.layers.Dense(latent_dim, name="z_mean")(h)
    z_log_var = keras.layers.Dense(latent_dim, name="z_log_var")(h)
    z = KLDivergenceSampling(seed=seed, name="z")([z_mean, z_log_var])
    encoder = keras.Model(inputs, [z_mean, z_log_var, z], name="encoder")

    latent_inputs = keras.Input(shape=(latent_dim,), name="z_sampling")
    h = keras.layers.Dense(intermediate_dim, activation="relu", name="decoder_hidden")(
        latent_inputs
    )
    outputs = keras.layers.Dense(original_dim, activation="sigmoid", name="reconstruction")(h)
    decoder = keras.Model(latent_inputs, outputs, name="decoder")

    vae = keras.Model(inputs, decoder(z), name="vae")
    return encoder, decoder, vae


def _wrong_parts(
    sampling=KLDivergenceSampling, share_decoder=True, encoder_outputs=3, last="sigmoid"
):
    def build(original_dim, intermediate_dim, latent_dim, seed=None):
        inputs = keras.Input(shape=(original_dim,))
        h = keras.layers.Dense(intermediate_dim, activation="relu")(inputs)
        z_mean = keras.layers.Dense(latent_dim)(h)
        z_log_var = keras.layers.Dense(latent_dim)(h)
        z = sampling(seed=seed)([z_mean, z_log_var])
        encoder = keras.Model(inputs, [z_mean, z_log_var, z][-encoder_outputs:])

        def decode(tensor):
            h = keras.layers.Dense(intermediate_dim, activation="relu")(tensor)
            return keras.layers.Dense(original_dim, activation=last)(h)

        latent_inputs = keras.Input(shape=(latent_dim,))
        decoder = keras.Model(latent_inputs, decode(latent_inputs))
        vae = keras.Model(inputs, decoder(z) if share_decoder else decode(z))
        return encoder, decoder, vae

    return build


def test_vae_parts_reference_passes():
    report = check_vae_parts(build_vae_parts)
    assert report.passed, report
    assert repr(report).startswith("✅ 연습 9-3 인코더·디코더를 공유하는 VAE: 통과했습니다")


def test_decoder_built_twice_does_not_share_weights():
    report = check_vae_parts(_wrong_parts(share_decoder=False))
    _assert_fails_with(report, "decoder의 가중치가 vae의 가중치가 아닙니다")
    assert len(report.failures) == 1


def test_plain_sampling_adds_no_kl():
    _assert_fails_with(
        check_vae_parts(_wrong_parts(sampling=Sampling)),
        "vae.losses에는 KL 손실이 1개 있어야 하는데 0개입니다 (Sampling 대신",
    )


def test_encoder_returning_only_z():
    _assert_fails_with(
        check_vae_parts(_wrong_parts(encoder_outputs=1)),
        "encoder의 출력 모양 [z_mean, z_log_var, z]: [(None, 2), (None, 2), (None, 2)]이어야 "
        "하는데 [(None, 2)]입니다.",
    )


def test_linear_decoder_output():
    _assert_fails_with(
        check_vae_parts(_wrong_parts(last=None)),
        "activation='sigmoid'를 쓰세요",
    )


def test_builder_returning_only_the_vae():
    def only_vae(original_dim, intermediate_dim, latent_dim, seed=None):
        return build_vae_parts(original_dim, intermediate_dim, latent_dim, seed)[2]

    _assert_fails_with(
        check_vae_parts(only_vae),
        "(encoder, decoder, vae) 세 keras.Model의 튜플을 돌려줘야 하는데 Functional을",
    )


def test_vae_parts_checker_wants_the_function():
    with pytest.raises(TypeError, match="빌더 함수 자체"):
        check_vae_parts(build_vae_parts(4, 3, 2)[2])
