"""Checkers of chapter 8: right solutions of different shapes pass, plausible wrong ones fail and
name the requirement they break, with the same verdict on every backend."""

import keras
import numpy as np
import pytest
from exercise_reports import assert_verdict, report_of, verdict_id
from keras import ops

from companion import Sampling, VariationalAutoEncoder
from companion.exercises import (
    check_bernoulli_vae,
    check_conv_encoder,
    check_latent_interpolation,
)
from companion.exercises.reference import chapter08 as reference

# --- 연습 8-1: ConvEncoder --------------------------------------------------------------------


class ConvEncoder(keras.layers.Layer):
    def __init__(self, latent_dim=2, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = latent_dim
        self.seed = seed
        self.conv_1 = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")
        self.conv_2 = keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")
        self.flatten = keras.layers.Flatten()
        self.dense_mean = keras.layers.Dense(self.output_size())
        self.dense_log_var = keras.layers.Dense(self.output_size())
        self.sampling = Sampling(seed=self.sampling_seed())

    def output_size(self):
        return self.latent_dim

    def sampling_seed(self):
        return self.seed

    def encode(self, inputs):
        x = self.flatten(self.conv_2(self.conv_1(inputs)))
        return self.dense_mean(x), self.dense_log_var(x)

    def call(self, inputs):
        z_mean, z_log_var = self.encode(inputs)
        return z_mean, z_log_var, self.sampling((z_mean, z_log_var))

    def get_config(self):
        return {**super().get_config(), "latent_dim": self.latent_dim, "seed": self.seed}


class ConvEncoderOwnNoise(keras.layers.Layer):
    """A right solution of another shape: one Conv2D and pooling, its own SeedGenerator."""

    def __init__(self, latent_dim=2, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.latent_dim, self.seed = latent_dim, seed
        self.body = keras.Sequential(
            [
                keras.layers.Conv2D(4, 5, activation="relu"),
                keras.layers.MaxPooling2D(4),
                keras.layers.Flatten(),
            ]
        )
        self.stats = keras.layers.Dense(2 * latent_dim)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images):
        z_mean, z_log_var = ops.split(self.stats(self.body(images)), 2, axis=-1)
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean, z_log_var, z_mean + ops.exp(z_log_var / 2) * epsilon

    def get_config(self):
        return {**super().get_config(), "latent_dim": self.latent_dim, "seed": self.seed}


class ConvEncoderIgnoringSeed(ConvEncoder):
    def sampling_seed(self):
        return None


class ConvEncoderFixedNoise(ConvEncoder):
    def call(self, inputs):
        z_mean, z_log_var = self.encode(inputs)
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed)
        return z_mean, z_log_var, z_mean + ops.exp(0.5 * z_log_var) * epsilon


class ConvEncoderNumpyNoise(ConvEncoder):
    def call(self, inputs):
        z_mean, z_log_var = self.encode(inputs)
        epsilon = np.random.normal(size=tuple(z_mean.shape)).astype("float32")
        return z_mean, z_log_var, z_mean + ops.exp(0.5 * z_log_var) * epsilon


class ConvEncoderVarianceNotStd(ConvEncoder):
    def call(self, inputs):
        z_mean, z_log_var = self.encode(inputs)
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.sampling.seed_generator)
        return z_mean, z_log_var, z_mean + ops.exp(z_log_var) * epsilon


class ConvEncoderIgnoresLogVar(ConvEncoder):
    def call(self, inputs):
        z_mean, z_log_var = self.encode(inputs)
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.sampling.seed_generator)
        return z_mean, z_log_var, z_mean + epsilon


class ConvEncoderOneNoisePerBatch(ConvEncoder):
    def call(self, inputs):
        z_mean, z_log_var = self.encode(inputs)
        epsilon = keras.random.normal((1, self.latent_dim), seed=self.sampling.seed_generator)
        return z_mean, z_log_var, z_mean + ops.exp(0.5 * z_log_var) * epsilon


class ConvEncoderFixedLatentSize(ConvEncoder):
    def output_size(self):
        return 2


class ConvEncoderReturnsOnlyZ(ConvEncoder):
    def call(self, inputs):
        return super().call(inputs)[2]


class DenseEncoder(ConvEncoder):
    def encode(self, inputs):
        x = self.flatten(inputs)
        return self.dense_mean(x), self.dense_log_var(x)


class ConvEncoderConfigWithoutSeed(ConvEncoder):
    def get_config(self):
        return {**keras.layers.Layer.get_config(self), "latent_dim": self.latent_dim}


class ConvEncoderDropsKwargs(ConvEncoder):
    def __init__(self, latent_dim=2, seed=None, **kwargs):
        super().__init__(latent_dim, seed)


# --- 연습 8-2: BernoulliVAE -------------------------------------------------------------------


def _bce(x, p):
    return ops.mean(keras.losses.binary_crossentropy(x, p))


def _track(model, x, total, reconstruction, kl):
    batch_size = ops.shape(x)[0]
    model.loss_tracker.update_state(total, sample_weight=batch_size)
    model.reconstruction_loss_tracker.update_state(reconstruction, sample_weight=batch_size)
    model.kl_loss_tracker.update_state(kl, sample_weight=batch_size)


class BernoulliVAE(VariationalAutoEncoder):
    """The notebook's model answer: compute_loss() with the inherited trackers."""

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        reconstruction_loss = _bce(x, y_pred)
        kl_loss = sum(self.losses)
        total_loss = reconstruction_loss + kl_loss
        _track(self, x, total_loss, reconstruction_loss, kl_loss)
        return total_loss


class BernoulliVAEOwnTrackers(VariationalAutoEncoder):
    """A right solution of another shape: its own trackers and metrics, BCE by hand, y if given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.total_tracker = keras.metrics.Mean(name="loss")
        self.bce_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [self.total_tracker, self.bce_tracker, self.kl_tracker]

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        target = x if y is None else y
        p = ops.clip(y_pred, 1e-7, 1 - 1e-7)
        bce = -ops.mean(target * ops.log(p) + (1 - target) * ops.log(1 - p))
        kl = ops.sum(ops.stack(self.losses))
        for tracker, value in zip(self.metrics, (bce + kl, bce, kl), strict=True):
            tracker.update_state(value)
        return bce + kl


class BernoulliVAEWithAddLoss(VariationalAutoEncoder):
    """The old model answer (review item 25, s3_bernoulli.py): right sum, wrong logs."""

    def call(self, inputs):
        reconstructed = super().call(inputs)
        self.add_loss(_bce(inputs, reconstructed))
        return reconstructed


class BernoulliVAEWithAddLossWrittenOut(VariationalAutoEncoder):
    """The same mistake as one add_loss() of KL + BCE: one loss, but not the KL term alone."""

    def call(self, inputs):
        z_mean, z_log_var, z = self.encoder(inputs)
        p = self.decoder(z)
        kl = -0.5 * ops.mean(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
        self.add_loss(self.kl_weight * kl + _bce(inputs, p))
        return p


class BernoulliVAEWithoutReconstruction(VariationalAutoEncoder):
    pass


class BernoulliVAEWithMSE(VariationalAutoEncoder):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        reconstruction_loss = ops.mean(ops.square(x - y_pred))
        kl_loss = sum(self.losses)
        _track(self, x, reconstruction_loss + kl_loss, reconstruction_loss, kl_loss)
        return reconstruction_loss + kl_loss


class BernoulliVAEWithKLTwice(VariationalAutoEncoder):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        z_mean, z_log_var, _ = self.encoder(x)
        kl = (
            self.kl_weight
            * -0.5
            * ops.mean(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1)
        )
        reconstruction_loss = _bce(x, y_pred)
        total = reconstruction_loss + kl + sum(self.losses)
        _track(self, x, total, reconstruction_loss, kl)
        return total


class BernoulliVAEWithoutTrackers(VariationalAutoEncoder):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return _bce(x, y_pred) + sum(self.losses)


class BernoulliVAESwappedTrackers(VariationalAutoEncoder):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        reconstruction_loss, kl_loss = _bce(x, y_pred), sum(self.losses)
        _track(self, x, reconstruction_loss + kl_loss, kl_loss, reconstruction_loss)
        return reconstruction_loss + kl_loss


class BernoulliVAETotalAsKL(VariationalAutoEncoder):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        reconstruction_loss = _bce(x, y_pred)
        total = reconstruction_loss + sum(self.losses)
        _track(self, x, total, reconstruction_loss, total)
        return total


class BernoulliVAEUsesY(BernoulliVAE):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        # fit(x) passes no target: y is None.
        return super().compute_loss(x=y, y=y, y_pred=y_pred)


class BernoulliVAEIgnoresKLWeight(BernoulliVAE):
    def call(self, inputs):
        z_mean, z_log_var, z = self.encoder(inputs)
        self.add_loss(-0.5 * ops.mean(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var)))
        return self.decoder(z)


class BernoulliVAEDecodesTheMean(BernoulliVAE):
    def call(self, inputs):
        z_mean, z_log_var, _ = self.encoder(inputs)
        kl = -0.5 * ops.mean(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
        self.add_loss(self.kl_weight * kl)
        return self.decoder(z_mean)


class BernoulliVAEPerSampleLoss(VariationalAutoEncoder):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return keras.losses.binary_crossentropy(x, y_pred) + sum(self.losses)


class BernoulliVAEArgumentsSwapped(VariationalAutoEncoder):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        reconstruction_loss, kl_loss = _bce(y_pred, x), sum(self.losses)
        _track(self, x, reconstruction_loss + kl_loss, reconstruction_loss, kl_loss)
        return reconstruction_loss + kl_loss


class BernoulliVAESummedOverPixels(VariationalAutoEncoder):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        bce = keras.losses.binary_crossentropy(x[..., None], y_pred[..., None])
        reconstruction_loss, kl_loss = ops.mean(ops.sum(bce, axis=-1)), sum(self.losses)
        _track(self, x, reconstruction_loss + kl_loss, reconstruction_loss, kl_loss)
        return reconstruction_loss + kl_loss


# --- 연습 8-3: 잠재 공간 보간 -----------------------------------------------------------------


# The model answer; the wrong answers below vary it.
interpolate_latent = reference.interpolate_latent


def interpolate_one_at_a_time(vae, x_start, x_end, steps=8):
    """A right solution of another shape: one decoder call per step, a list of images."""
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    start = vae.encoder(x_start[None])[0][0]
    end = vae.encoder(x_end[None])[0][0]
    images = []
    for i in range(steps):
        t = i / (steps - 1)
        images.append(vae.decoder(ops.expand_dims(start + t * (end - start), 0))[0])
    return ops.stack(images)


def interpolate_sampled_z(vae, x_start, x_end, steps=8):
    z = ops.convert_to_numpy(vae.encoder(np.stack([x_start, x_end]))[2])
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    return ops.convert_to_numpy(vae.decoder((1.0 - t) * z[0] + t * z[1]))


def interpolate_without_end_point(vae, x_start, x_end, steps=8):
    if steps < 2:
        raise ValueError(f"steps는 2 이상이어야 합니다. 받은 값: steps={steps}")
    z_mean = ops.convert_to_numpy(vae.encoder(np.stack([x_start, x_end]))[0])
    t = np.linspace(0.0, 1.0, steps, endpoint=False, dtype="float32")[:, None]
    return ops.convert_to_numpy(vae.decoder((1.0 - t) * z_mean[0] + t * z_mean[1]))


def interpolate_pixels(vae, x_start, x_end, steps=8):
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    return (1.0 - t) * x_start + t * x_end


def interpolate_without_validation(vae, x_start, x_end, steps=8):
    z_mean = ops.convert_to_numpy(vae.encoder(np.stack([x_start, x_end]))[0])
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    return ops.convert_to_numpy(vae.decoder((1.0 - t) * z_mean[0] + t * z_mean[1]))


def interpolate_vague_error(vae, x_start, x_end, steps=8):
    if steps < 2:
        raise ValueError("steps is too small")
    return interpolate_latent(vae, x_start, x_end, steps)


def interpolate_ten_by_default(vae, x_start, x_end, steps=10):
    return interpolate_latent(vae, x_start, x_end, steps)


def interpolate_ignoring_steps(vae, x_start, x_end, steps=8):
    if steps < 2:
        raise ValueError(f"steps는 2 이상이어야 합니다. 받은 값: steps={steps}")
    return interpolate_latent(vae, x_start, x_end, 5)


class ConvEncoderUniformNoise(ConvEncoder):
    """Wrong: ε with mean 0 and variance 1, but uniform."""

    def call(self, inputs):
        z_mean, z_log_var = self.encode(inputs)
        epsilon = keras.random.uniform(
            ops.shape(z_mean), -np.sqrt(3.0), np.sqrt(3.0), seed=self.sampling.seed_generator
        )
        return z_mean, z_log_var, z_mean + ops.exp(0.5 * z_log_var) * epsilon


class ConvEncoderSeedZeroWhenUnseeded(ConvEncoder):
    """Wrong: seed=None silently becomes seed 0, so every unseeded encoder draws alike."""

    def sampling_seed(self):
        return 0 if self.seed is None else self.seed


class ConvEncoderStopsNoiseGradient(ConvEncoder):
    """Wrong: z is sampled through stop_gradient, so z_log_var never trains."""

    def call(self, inputs):
        z_mean, z_log_var = self.encode(inputs)
        z = self.sampling((z_mean, ops.stop_gradient(z_log_var)))
        return z_mean, z_log_var, z


class BernoulliVAESquared(BernoulliVAE):
    """Wrong: the KL term squared in the total."""

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        reconstruction_loss = _bce(x, y_pred)
        kl_loss = sum(self.losses)
        total_loss = reconstruction_loss + kl_loss * kl_loss
        _track(self, x, total_loss, reconstruction_loss, kl_loss)
        return total_loss


class NotAModel(keras.layers.Layer):
    def __init__(self, *args, **kwargs):
        super().__init__()


def interpolate_with_ops_linspace(vae, x_start, x_end, steps=8):
    """Right: keras.ops all the way, the two z_mean from one encoder call each."""
    if steps < 2:
        raise ValueError(f"steps={steps}: steps는 2 이상이어야 합니다.")
    start = vae.encoder(ops.expand_dims(x_start, 0))[0]
    end = vae.encoder(ops.expand_dims(x_end, 0))[0]
    t = ops.reshape(ops.linspace(0.0, 1.0, steps), (steps, 1))
    return ops.convert_to_numpy(vae.decoder(start + t * (end - start)))


def interpolate_rounded_error(vae, x_start, x_end, steps=8):
    """Wrong: the message does not say which value it received."""
    if steps < 2:
        raise ValueError("steps는 2 이상이어야 합니다.")
    return interpolate_latent(vae, x_start, x_end, steps)


VERDICTS = [
    (check_conv_encoder, reference.ConvEncoder, True),
    (check_conv_encoder, ConvEncoder, True),
    (check_conv_encoder, ConvEncoderOwnNoise, True),
    (check_conv_encoder, ConvEncoderIgnoringSeed, "요구 사항 5"),
    (check_conv_encoder, ConvEncoderFixedNoise, "요구 사항 5"),
    (check_conv_encoder, ConvEncoderNumpyNoise, "요구 사항 5"),
    (check_conv_encoder, ConvEncoderVarianceNotStd, "요구 사항 3"),
    (check_conv_encoder, ConvEncoderIgnoresLogVar, "요구 사항 3"),
    (check_conv_encoder, ConvEncoderOneNoisePerBatch, "요구 사항 3"),
    (check_conv_encoder, ConvEncoderFixedLatentSize, "요구 사항 4"),
    (check_conv_encoder, ConvEncoderReturnsOnlyZ, "요구 사항 4"),
    (check_conv_encoder, DenseEncoder, "요구 사항 2"),
    (check_conv_encoder, ConvEncoderConfigWithoutSeed, "요구 사항 7"),
    (check_conv_encoder, ConvEncoderDropsKwargs, "요구 사항 1"),
    (check_conv_encoder, ConvEncoderUniformNoise, ("요구 사항 3", "콜모고로프")),
    (check_conv_encoder, ConvEncoderSeedZeroWhenUnseeded, "요구 사항 5"),
    (check_conv_encoder, ConvEncoderStopsNoiseGradient, "요구 사항 6"),
    (check_bernoulli_vae, reference.BernoulliVAE, True),
    (check_bernoulli_vae, BernoulliVAE, True),
    (check_bernoulli_vae, BernoulliVAEOwnTrackers, True),
    (check_bernoulli_vae, BernoulliVAEWithAddLoss, ("요구 사항 1", "reconstruction_loss가 0")),
    (check_bernoulli_vae, BernoulliVAEWithAddLossWrittenOut, "요구 사항 1"),
    (check_bernoulli_vae, BernoulliVAEWithoutReconstruction, "요구 사항 2"),
    (check_bernoulli_vae, BernoulliVAEWithMSE, "요구 사항 2"),
    (check_bernoulli_vae, BernoulliVAEWithKLTwice, "요구 사항 2"),
    (check_bernoulli_vae, BernoulliVAEWithoutTrackers, "요구 사항 3"),
    (check_bernoulli_vae, BernoulliVAESwappedTrackers, "요구 사항 3"),
    (check_bernoulli_vae, BernoulliVAETotalAsKL, "요구 사항 3"),
    (check_bernoulli_vae, BernoulliVAEUsesY, "요구 사항 2"),
    (check_bernoulli_vae, BernoulliVAEIgnoresKLWeight, "요구 사항 1"),
    (check_bernoulli_vae, BernoulliVAEDecodesTheMean, "요구 사항 1"),
    (check_bernoulli_vae, BernoulliVAEPerSampleLoss, "요구 사항 2"),
    (check_bernoulli_vae, BernoulliVAEArgumentsSwapped, "요구 사항 2"),
    (check_bernoulli_vae, BernoulliVAESummedOverPixels, "요구 사항 2"),
    (check_bernoulli_vae, BernoulliVAESquared, "요구 사항 2"),
    (check_bernoulli_vae, NotAModel, "keras.Model이어야"),
    (check_latent_interpolation, reference.interpolate_latent, True),
    (check_latent_interpolation, interpolate_one_at_a_time, True),
    (check_latent_interpolation, interpolate_with_ops_linspace, True),
    (check_latent_interpolation, interpolate_sampled_z, "요구 사항 2·3"),
    (check_latent_interpolation, interpolate_without_end_point, "요구 사항 2·3"),
    (check_latent_interpolation, interpolate_pixels, "요구 사항 2·3"),
    (check_latent_interpolation, interpolate_without_validation, "요구 사항 4"),
    (check_latent_interpolation, interpolate_vague_error, "요구 사항 4"),
    (check_latent_interpolation, interpolate_ten_by_default, "요구 사항 1"),
    (check_latent_interpolation, interpolate_ignoring_steps, "요구 사항 1"),
    (check_latent_interpolation, interpolate_rounded_error, "요구 사항 4"),
]


@pytest.mark.parametrize(("check", "solution", "expected"), VERDICTS, ids=verdict_id)
def test_verdict(check, solution, expected):
    assert_verdict(check, solution, expected)


def test_reports_of_the_model_answers():
    for check, solution in (
        (check_conv_encoder, reference.ConvEncoder),
        (check_bernoulli_vae, reference.BernoulliVAE),
        (check_latent_interpolation, reference.interpolate_latent),
    ):
        assert repr(report_of(check, solution)).startswith(f"✅ {check.title}: 통과했습니다 (")


def test_bernoulli_vae_right_solution_logs_what_it_says():
    # What the exercise is for: fit() without a loss logs BCE as reconstruction_loss, KL as kl_loss.
    x = np.random.default_rng(0).random((64, 12)).astype("float32")
    for model_class in (BernoulliVAE, BernoulliVAEWithAddLoss):
        model = model_class(
            original_dim=12, intermediate_dim=8, latent_dim=2, kl_weight=0.5, seed=1
        )
        model.compile(optimizer="adam")
        logs = model.fit(x, epochs=1, batch_size=32, verbose=0).history
        honest = logs["reconstruction_loss"][0] > 0.5 and logs["kl_loss"][0] < 0.3
        assert honest is (model_class is BernoulliVAE), logs


def test_interpolation_checker_wants_a_function():
    report = check_latent_interpolation(VariationalAutoEncoder)
    assert not report.passed and "interpolate_fn에는 함수를 넘겨야" in str(report), report
