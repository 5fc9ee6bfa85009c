"""Checkers of chapter 9: right solutions of different shapes pass, plausible wrong ones fail and
name the requirement they break, with the same verdict on every backend."""

import keras
import numpy as np
import pytest
from exercise_reports import assert_verdict, report_of, verdict_id
from keras import ops

from companion import KLDivergenceSampling, Sampling
from companion.exercises import (
    check_summed_kl_sampling,
    check_temperature_sampling,
    check_vae_parts,
)
from companion.exercises.reference import chapter09 as reference

# --- 연습 9-1: TemperatureSampling -----------------------------------------------------------


# The model answer; the wrong answers below vary it.
TemperatureSampling = reference.TemperatureSampling


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


# --- 연습 9-2: SummedKLSampling --------------------------------------------------------------


# The model answer; the wrong answers below vary it.
SummedKLSampling = reference.SummedKLSampling


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


# --- 연습 9-3: build_vae_parts ---------------------------------------------------------------


# The model answer; the wrong answers below vary it.
build_vae_parts = reference.build_vae_parts


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


class TemperatureUniformNoise(TemperatureSampling):
    """Wrong: ε uniform with variance 1 instead of Gaussian."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.uniform(
            ops.shape(z_mean), -np.sqrt(3.0), np.sqrt(3.0), seed=self.seed_generator
        )
        return z_mean + self.temperature * ops.exp(0.5 * z_log_var) * epsilon


class TemperatureSeedZeroWhenUnseeded(TemperatureSampling):
    """Wrong: seed=None silently becomes 0."""

    def __init__(self, temperature=1.0, seed=None, **kwargs):
        super().__init__(temperature=temperature, seed=0 if seed is None else seed, **kwargs)


class NotASampling(keras.layers.Layer):
    def __init__(self, temperature=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.temperature = temperature
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + self.temperature * ops.exp(0.5 * z_log_var) * epsilon


class SummedKLTwice(SummedKLSampling):
    """Wrong: the loss is added once per call of a helper that runs twice."""

    def call(self, inputs):
        super().call(inputs)
        return super().call(inputs)


class SummedKLStopGradient(Sampling):
    """Wrong: the right value, but through stop_gradient it trains nothing."""

    def call(self, inputs):
        z_mean, z_log_var = (ops.stop_gradient(t) for t in inputs)
        per_sample = 0.5 * ops.sum(ops.exp(z_log_var) + ops.square(z_mean) - z_log_var - 1, -1)
        self.add_loss(ops.mean(per_sample))
        return super().call(inputs)


class SummedKLWithOwnNoise(Sampling):
    """Right: the KL written with ops.square and ops.mean over a keepdims sum, noise drawn here."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        terms = ops.exp(z_log_var) + ops.square(z_mean) - z_log_var - 1.0
        self.add_loss(ops.mean(0.5 * ops.sum(terms, axis=-1, keepdims=True)))
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


def only_vae(original_dim, intermediate_dim, latent_dim, kl_weight=1.0, seed=None):
    return build_vae_parts(original_dim, intermediate_dim, latent_dim, kl_weight, seed)[2]


def build_vae_parts_two_hidden(
    original_dim, intermediate_dim, latent_dim, kl_weight=1.0, seed=None
):
    """Right: a deeper encoder and decoder (the task fixes inputs and outputs, not the depth)."""
    inputs = keras.Input((original_dim,))
    h = keras.layers.Dense(intermediate_dim, activation="relu")(inputs)
    h = keras.layers.Dense(intermediate_dim, activation="relu")(h)
    z_mean, z_log_var = keras.layers.Dense(latent_dim)(h), keras.layers.Dense(latent_dim)(h)
    z = KLDivergenceSampling(kl_weight=kl_weight, seed=seed)([z_mean, z_log_var])
    encoder = keras.Model(inputs, [z_mean, z_log_var, z])
    latent = keras.Input((latent_dim,))
    h = keras.layers.Dense(intermediate_dim, activation="relu")(latent)
    decoder = keras.Model(latent, keras.layers.Dense(original_dim, activation="sigmoid")(h))
    return encoder, decoder, keras.Model(inputs, decoder(z))


VERDICTS = [
    (check_temperature_sampling, reference.TemperatureSampling, True),
    (check_temperature_sampling, TemperatureScalesTheDeviation, True),
    (check_temperature_sampling, TemperatureIgnored, "요구 사항 2"),
    (check_temperature_sampling, TemperatureOnVariance, "요구 사항 2"),
    (check_temperature_sampling, TemperatureTimesVariance, "요구 사항 2"),
    (check_temperature_sampling, TemperatureUnseeded, "요구 사항 3"),
    (check_temperature_sampling, TemperatureNumpyNoise, "요구 사항 3"),
    (check_temperature_sampling, TemperatureOneNoisePerBatch, "요구 사항 2"),
    (check_temperature_sampling, TemperatureWrongDefault, "요구 사항 1·2: 기본 온도는 1.0"),
    (check_temperature_sampling, TemperatureWithoutConfig, "요구 사항 5"),
    (check_temperature_sampling, TemperatureUnchecked, "요구 사항 4"),
    (check_temperature_sampling, TemperatureVagueError, "요구 사항 4"),
    (check_temperature_sampling, TemperatureDropsKwargs, "요구 사항 1"),
    (check_temperature_sampling, TemperatureUniformNoise, ("요구 사항 2", "콜모고로프")),
    (check_temperature_sampling, TemperatureSeedZeroWhenUnseeded, "요구 사항 3"),
    (check_temperature_sampling, NotASampling, "Sampling을 물려받아야"),
    (check_summed_kl_sampling, reference.SummedKLSampling, True),
    (check_summed_kl_sampling, SummedKLFromTheChapterLayer, True),
    (check_summed_kl_sampling, SummedKLWithOwnNoise, True),
    (check_summed_kl_sampling, MeanOverLatent, "요구 사항 2"),
    (check_summed_kl_sampling, SumOverBatch, "요구 사항 2"),
    (check_summed_kl_sampling, FlippedSign, "요구 사항 2"),
    (check_summed_kl_sampling, StoresInsteadOfAdding, "요구 사항 2"),
    (check_summed_kl_sampling, LossThroughNumpy, "요구 사항 2"),
    (check_summed_kl_sampling, ReturnsTheMean, "요구 사항 3"),
    # JAX refuses unseeded random ops while tracing (the compiled probe, 요구 사항 2·3); the other
    # backends draw, and the seed probe sees two layers of one seed disagree (요구 사항 3).
    (check_summed_kl_sampling, KLWithoutSeed, "요구 사항"),
    (check_summed_kl_sampling, SummedKLTwice, "요구 사항 2"),
    (check_summed_kl_sampling, SummedKLStopGradient, "요구 사항 2"),
    (check_vae_parts, reference.build_vae_parts, True),
    (check_vae_parts, build_vae_parts_from_encoder, True),
    (check_vae_parts, build_vae_parts_two_hidden, True),
    (check_vae_parts, _wrong_parts(share_decoder=False), "요구 사항 3"),
    (check_vae_parts, _wrong_parts(decode="z_mean"), "요구 사항 3"),
    (check_vae_parts, _wrong_parts(sampling=Sampling), "요구 사항 3"),
    (check_vae_parts, _wrong_parts(pass_kl_weight=False), "요구 사항 1"),
    (check_vae_parts, _wrong_parts(pass_seed=False), "요구 사항 4"),
    (check_vae_parts, _wrong_parts(encoder_outputs=1), "요구 사항 1"),
    (check_vae_parts, _wrong_parts(last=None), "요구 사항 2"),
    (check_vae_parts, _wrong_parts(last="softmax"), "요구 사항 2"),
    (check_vae_parts, only_vae, "세 함수형 keras.Model"),
]


def _id(value):
    if callable(value) and value.__name__ == "build" and value.__closure__:
        options = {
            name: cell.cell_contents
            for name, cell in zip(value.__code__.co_freevars, value.__closure__, strict=True)
        }
        changed = {
            k: v.__name__ if isinstance(v, type) else v
            for k, v in options.items()
            if k in ("sampling", "share_decoder", "encoder_outputs", "last", "decode")
            or k.startswith("pass_")
        }
        return "wrong_parts" + "".join(f"-{k}={v}" for k, v in sorted(changed.items()))
    return verdict_id(value)


@pytest.mark.parametrize(("check", "solution", "expected"), VERDICTS, ids=_id)
def test_verdict(check, solution, expected):
    assert_verdict(check, solution, expected)


def test_reports_of_the_model_answers():
    for check, solution in (
        (check_temperature_sampling, reference.TemperatureSampling),
        (check_summed_kl_sampling, reference.SummedKLSampling),
        (check_vae_parts, reference.build_vae_parts),
    ):
        assert repr(report_of(check, solution)).startswith(f"✅ {check.title}: 통과했습니다 (")


def test_vae_parts_checker_wants_the_function():
    report = check_vae_parts(build_vae_parts(4, 3, 2)[2])
    assert not report.passed and "빌더 함수 자체" in str(report), report
