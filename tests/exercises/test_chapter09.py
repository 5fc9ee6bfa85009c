"""Checkers of chapter 9: right solutions of several shapes pass, wrong ones get their sentence."""

import re

import keras
import numpy as np
import pytest
from exercise_reports import assert_fails_with, assert_passes_quickly
from keras import ops

from companion import KLDivergenceSampling, Sampling
from companion.exercises import (
    check_summed_kl_sampling,
    check_temperature_sampling,
    check_vae_parts,
)

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


class TemperatureScalesTheDeviation(Sampling):
    """A right solution of another shape: reuses Sampling on a shifted log-variance."""

    def __init__(self, temperature=1.0, seed=None, **kwargs):
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0, got temperature={temperature}")
        super().__init__(seed=seed, **kwargs)
        self.temperature = temperature

    def call(self, inputs):
        z_mean, z_log_var = inputs
        noise = super().call([ops.zeros_like(z_mean), z_log_var]) * self.temperature
        return z_mean + noise

    def get_config(self):
        config = super().get_config()
        config.update(temperature=self.temperature)
        return config


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


class TemperatureTimesVariance(TemperatureSampling):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(
            ops.shape(z_mean), dtype=z_mean.dtype, seed=self.seed_generator
        )
        return z_mean + self.temperature * ops.exp(z_log_var) * epsilon


class TemperatureUnseeded(TemperatureSampling):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(ops.shape(z_mean), dtype=z_mean.dtype)
        return z_mean + self.temperature * ops.exp(0.5 * z_log_var) * epsilon


class TemperatureNumpyNoise(TemperatureSampling):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = np.random.default_rng(self.seed).normal(size=tuple(z_mean.shape))
        return z_mean + self.temperature * ops.exp(0.5 * z_log_var) * epsilon.astype("float32")


class TemperatureOneNoisePerBatch(TemperatureSampling):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(ops.shape(z_mean)[-1:], seed=self.seed_generator)
        return z_mean + self.temperature * ops.exp(0.5 * z_log_var) * epsilon


class TemperatureWrongDefault(TemperatureSampling):
    def __init__(self, temperature=0.5, seed=None, **kwargs):
        super().__init__(temperature=temperature, seed=seed, **kwargs)


class TemperatureWithoutConfig(TemperatureSampling):
    def get_config(self):
        return Sampling.get_config(self)


class TemperatureUnchecked(TemperatureSampling):
    def __init__(self, temperature=1.0, seed=None, **kwargs):
        Sampling.__init__(self, seed=seed, **kwargs)
        self.temperature = float(temperature)


class TemperatureVagueError(TemperatureSampling):
    def __init__(self, temperature=1.0, seed=None, **kwargs):
        if temperature < 0:
            raise ValueError("negative temperature")
        super().__init__(temperature=temperature, seed=seed, **kwargs)


class TemperatureDropsKwargs(TemperatureSampling):
    def __init__(self, temperature=1.0, seed=None, **kwargs):
        super().__init__(temperature=temperature, seed=seed)


@pytest.mark.parametrize("layer_class", [TemperatureSampling, TemperatureScalesTheDeviation])
def test_temperature_right_solutions_pass(layer_class):
    report = assert_passes_quickly(check_temperature_sampling, layer_class)
    assert re.fullmatch(
        r"✅ 연습 9-1 TemperatureSampling 층: 통과했습니다 \(\d+개 항목 확인\)\.", repr(report)
    )


def test_temperature_ignored():
    assert_fails_with(
        check_temperature_sampling(TemperatureIgnored),
        "temperature=0일 때 출력 (z_mean과 같아야 합니다)",
        "온도를 곱하지 않은 것 같습니다",
    )


def test_temperature_on_the_variance():
    report = check_temperature_sampling(TemperatureOnVariance)
    assert_fails_with(report, "분산에 온도를 곱한 것 같습니다")
    # temperature=0 and temperature=1 are right, so only the standard deviation at 0.5 is wrong.
    assert len(report.failures) == 1


def test_temperature_times_the_variance():
    assert_fails_with(
        check_temperature_sampling(TemperatureTimesVariance),
        "분산 exp(z_log_var)에 온도를 곱했습니다",
    )


def test_temperature_without_seed_generator():
    assert_fails_with(
        check_temperature_sampling(TemperatureUnseeded),
        "같은 seed로 만든 두 층의 표본이 다릅니다",
    )


def test_temperature_numpy_noise_is_frozen_in_a_graph():
    assert_fails_with(
        check_temperature_sampling(TemperatureNumpyNoise),
        "컴파일한 함수(tf.function, jax.jit) 안에서 두 번 부르면 표본이 달라야 하는데 같습니다",
    )


def test_temperature_one_noise_per_batch():
    assert_fails_with(
        check_temperature_sampling(TemperatureOneNoisePerBatch),
        "모든 행이 같은 잡음을 받았습니다",
    )


def test_temperature_wrong_default():
    assert_fails_with(
        check_temperature_sampling(TemperatureWrongDefault),
        "기본값 temperature=1.0일 때 표본 표준편차",
        "기본 온도가 1.0이 아닌 것 같습니다",
    )


def test_temperature_missing_from_config():
    assert_fails_with(
        check_temperature_sampling(TemperatureWithoutConfig),
        "get_config()에 'temperature'가 없습니다",
    )


def test_temperature_not_validated():
    assert_fails_with(
        check_temperature_sampling(TemperatureUnchecked),
        "TemperatureSampling(temperature=-1.0) 만들기: ValueError가 나야 하는데 "
        "아무 예외도 나지 않았습니다.",
    )


def test_temperature_error_without_name_and_value():
    assert_fails_with(
        check_temperature_sampling(TemperatureVagueError),
        "ValueError 메시지에 -1이(가) 들어 있어야 합니다 (인자 이름과 받은 값을 알려 주세요)",
    )


def test_temperature_drops_kwargs():
    assert_fails_with(
        check_temperature_sampling(TemperatureDropsKwargs), '층 이름이 "temp"이어야 하는데'
    )


def test_temperature_constructor_without_keywords():
    class NoTemperature(Sampling):
        pass

    assert_fails_with(
        check_temperature_sampling(NoTemperature),
        'TemperatureSampling(temperature=0.0, seed=1, name="temp") 만들기 중에 예외가 났습니다: '
        "ValueError: Unrecognized keyword arguments",
    )


def test_temperature_checker_wants_a_class():
    report = check_temperature_sampling(TemperatureSampling(seed=0))
    assert not report.passed and "클래스 자체" in str(report), report


# --- 연습 9-2: SummedKLSampling --------------------------------------------------------------


class SummedKLSampling(Sampling):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        per_sample = 0.5 * ops.sum(
            ops.exp(z_log_var) + ops.square(z_mean) - z_log_var - 1.0, axis=-1
        )
        self.add_loss(ops.mean(per_sample))
        return super().call(inputs)


class SummedKLFromTheChapterLayer(KLDivergenceSampling):
    """A right solution of another shape: the chapter's layer, its mean times latent_dim."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        latent_dim = ops.shape(z_mean)[-1]
        kl = -0.5 * ops.mean(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
        self.add_loss(ops.cast(latent_dim, kl.dtype) * kl)
        return Sampling.call(self, inputs)


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


class FlippedSign(Sampling):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        per_sample = 0.5 * ops.sum(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1, -1)
        self.add_loss(ops.mean(per_sample))
        return super().call(inputs)


class StoresInsteadOfAdding(Sampling):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        per_sample = 0.5 * ops.sum(
            ops.exp(z_log_var) + ops.square(z_mean) - z_log_var - 1.0, axis=-1
        )
        self.kl_loss = ops.mean(per_sample)
        return super().call(inputs)


class LossThroughNumpy(Sampling):
    def call(self, inputs):
        z_mean, z_log_var = (ops.convert_to_numpy(t) for t in inputs)
        kl = 0.5 * np.mean(np.sum(np.exp(z_log_var) + z_mean**2 - z_log_var - 1, -1))
        self.add_loss(ops.convert_to_tensor(kl))
        return super().call(inputs)


class ReturnsTheMean(SummedKLSampling):
    def call(self, inputs):
        super().call(inputs)
        return inputs[0]


class KLWithoutSeed(SummedKLSampling):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        SummedKLSampling.call(self, inputs)
        return z_mean + ops.exp(0.5 * z_log_var) * keras.random.normal(ops.shape(z_mean))


@pytest.mark.parametrize("layer_class", [SummedKLSampling, SummedKLFromTheChapterLayer])
def test_summed_kl_right_solutions_pass(layer_class):
    report = assert_passes_quickly(check_summed_kl_sampling, layer_class)
    assert repr(report).startswith("✅ 연습 9-2 SummedKLSampling 층: 통과했습니다")


def test_chapter_formula_averages_over_latent_dimensions():
    report = check_summed_kl_sampling(MeanOverLatent)
    assert_fails_with(report, "잠재 차원에 대해 합하지 않고 평균한 것 같습니다")


def test_summing_over_the_batch():
    assert_fails_with(
        check_summed_kl_sampling(SumOverBatch),
        "배치에 대해서도 합한 것 같습니다",
    )


def test_flipped_sign():
    assert_fails_with(check_summed_kl_sampling(FlippedSign), "(부호가 반대입니다)")


def test_loss_stored_instead_of_added():
    report = check_summed_kl_sampling(StoresInsteadOfAdding)
    assert_fails_with(
        report,
        "첫 호출 뒤 layer.losses에는 손실이 1개 있어야 하는데 0개입니다 "
        "(call() 안에서 self.add_loss()로 더하세요).",
    )


def test_loss_computed_in_numpy_has_no_gradient():
    assert_fails_with(
        check_summed_kl_sampling(LossThroughNumpy),
        "add_loss()로 더한 손실이 z_mean, z_log_var에 대해 미분되지 않습니다",
    )


def test_returning_the_mean_instead_of_a_sample():
    assert_fails_with(
        check_summed_kl_sampling(ReturnsTheMean),
        "z_mean을 그대로 돌려주지 말고 표본을 뽑아 돌려주세요",
    )


def test_noise_without_the_seed_generator():
    assert_fails_with(
        check_summed_kl_sampling(KLWithoutSeed), "같은 seed로 만든 두 층의 표본이 다릅니다"
    )


# --- 연습 9-3: build_vae_parts ---------------------------------------------------------------


def build_vae_parts(original_dim, intermediate_dim, latent_dim, kl_weight=1.0, seed=None):
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


def build_vae_parts_from_encoder(original_dim, intermediate_dim, latent_dim, **options):
    """A right solution of another shape: vae built from the encoder model, a separate
    Activation layer at the end of the decoder."""
    kl_weight, seed = options.get("kl_weight", 1.0), options.get("seed")
    x = keras.Input((original_dim,))
    stats = keras.layers.Dense(2 * latent_dim)(keras.layers.Dense(intermediate_dim, "relu")(x))
    z_mean = keras.layers.Lambda(lambda t: t[:, :latent_dim])(stats)
    z_log_var = keras.layers.Lambda(lambda t: t[:, latent_dim:])(stats)
    z = KLDivergenceSampling(kl_weight, seed=seed)([z_mean, z_log_var])
    encoder = keras.Model(x, [z_mean, z_log_var, z])
    latent = keras.Input((latent_dim,))
    logits = keras.layers.Dense(original_dim)(keras.layers.Dense(intermediate_dim, "relu")(latent))
    decoder = keras.Model(latent, keras.layers.Activation("sigmoid")(logits))
    return encoder, decoder, keras.Model(x, decoder(encoder(x)[2]))


def _wrong_parts(
    sampling=KLDivergenceSampling,
    share_decoder=True,
    encoder_outputs=3,
    last="sigmoid",
    decode="z",
    pass_kl_weight=True,
    pass_seed=True,
):
    def build(original_dim, intermediate_dim, latent_dim, kl_weight=1.0, seed=None):
        inputs = keras.Input(shape=(original_dim,))
        h = keras.layers.Dense(intermediate_dim, activation="relu")(inputs)
        z_mean = keras.layers.Dense(latent_dim)(h)
        z_log_var = keras.layers.Dense(latent_dim)(h)
        options = {"seed": seed if pass_seed else None}
        if sampling is KLDivergenceSampling and pass_kl_weight:
            options["kl_weight"] = kl_weight
        z = sampling(**options)([z_mean, z_log_var])
        encoder = keras.Model(inputs, [z_mean, z_log_var, z][-encoder_outputs:])

        def decode_layers(tensor):
            h = keras.layers.Dense(intermediate_dim, activation="relu")(tensor)
            return keras.layers.Dense(original_dim, activation=last)(h)

        latent_inputs = keras.Input(shape=(latent_dim,))
        decoder = keras.Model(latent_inputs, decode_layers(latent_inputs))
        code = z if decode == "z" else z_mean
        vae = keras.Model(inputs, decoder(code) if share_decoder else decode_layers(code))
        return encoder, decoder, vae

    return build


@pytest.mark.parametrize("build_fn", [build_vae_parts, build_vae_parts_from_encoder])
def test_vae_parts_right_solutions_pass(build_fn):
    report = assert_passes_quickly(check_vae_parts, build_fn)
    assert repr(report).startswith("✅ 연습 9-3 인코더·디코더를 따로 쓰는 VAE: 통과했습니다")


def test_decoder_built_twice_does_not_share_weights():
    assert_fails_with(
        check_vae_parts(_wrong_parts(share_decoder=False)),
        "decoder의 가중치가 vae의 가중치가 아닙니다",
        "vae를 훈련했는데 decoder의 가중치가 그대로입니다",
    )


def test_vae_decoding_z_mean():
    report = check_vae_parts(_wrong_parts(decode="z_mean"))
    assert_fails_with(report, "z_mean을 디코딩한 것 같습니다", "샘플링 층이 vae의 경로에 없습니다")
    # Not told to share layers or to swap Sampling for KLDivergenceSampling: it does both.
    assert not any(
        "같은 층" in failure or "Sampling 대신" in failure for failure in report.failures
    )
    assert len(report.failures) == 2, report


def test_plain_sampling_adds_no_kl():
    assert_fails_with(
        check_vae_parts(_wrong_parts(sampling=Sampling)),
        "vae.losses에는 KL 손실이 1개 있어야 하는데 0개입니다 (Sampling 대신",
    )


def test_kl_weight_ignored():
    assert_fails_with(
        check_vae_parts(_wrong_parts(pass_kl_weight=False)),
        "kl_weight=0.5일 때 vae.losses의 KL 손실이 kl_weight × KL",
        "kl_weight를 KLDivergenceSampling(kl_weight=kl_weight, ...)에 넘기세요",
    )


def test_seed_ignored():
    assert_fails_with(
        check_vae_parts(_wrong_parts(pass_seed=False)),
        "같은 seed로 두 번 만들고 가중치를 맞춘 encoder가 다른 z를 뽑습니다",
    )


def test_encoder_returning_only_z():
    assert_fails_with(
        check_vae_parts(_wrong_parts(encoder_outputs=1)),
        "encoder의 출력 모양 [z_mean, z_log_var, z]: [(None, 2), (None, 2), (None, 2)]이어야 "
        "하는데 [(None, 2)]입니다.",
    )


def test_linear_decoder_output():
    assert_fails_with(
        check_vae_parts(_wrong_parts(last=None)),
        "마지막 층에 활성화가 없습니다",
    )


def test_softmax_decoder_output_is_in_range_but_wrong():
    assert_fails_with(
        check_vae_parts(_wrong_parts(last="softmax")),
        "소프트맥스처럼 각 행의 합이 1입니다",
    )


def test_builder_returning_only_the_vae():
    def only_vae(original_dim, intermediate_dim, latent_dim, kl_weight=1.0, seed=None):
        return build_vae_parts(original_dim, intermediate_dim, latent_dim, kl_weight, seed)[2]

    assert_fails_with(
        check_vae_parts(only_vae),
        "(encoder, decoder, vae) 세 keras.Model의 튜플을 돌려줘야 하는데 Functional을",
    )


def test_vae_parts_checker_wants_the_function():
    report = check_vae_parts(build_vae_parts(4, 3, 2)[2])
    assert not report.passed and "빌더 함수 자체" in str(report), report
