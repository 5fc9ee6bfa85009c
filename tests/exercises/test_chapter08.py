"""Checkers of chapter 8: right solutions of several shapes pass, wrong ones get their sentence."""

import keras
import numpy as np
import pytest
from exercise_reports import assert_fails_with, assert_passes_quickly
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


@pytest.mark.parametrize("layer_class", [ConvEncoder, ConvEncoderOwnNoise])
def test_conv_encoder_right_solutions_pass(layer_class):
    assert_passes_quickly(check_conv_encoder, layer_class)


def test_conv_encoder_ignoring_seed():
    report = check_conv_encoder(ConvEncoderIgnoringSeed)
    assert report.failures == [
        "seed와 가중치가 같은 두 층은 같은 z를 뽑아야 하는데 다릅니다 "
        "(seed를 Sampling 층이나 SeedGenerator에 넘겼나요?)."
    ]


def test_conv_encoder_with_the_same_noise_every_call():
    report = check_conv_encoder(ConvEncoderFixedNoise)
    assert_fails_with(
        report,
        "같은 층을 다시 부르면 z가 달라져야 하는데 같습니다. keras.random.normal()에 정수 "
        "시드를 바로 넘기면 매번 같은 잡음이 나옵니다 (SeedGenerator를 쓰세요).",
    )
    # The same symptom inside a compiled function is not reported again as NumPy noise.
    assert "NumPy" not in repr(report), report


def test_conv_encoder_numpy_noise_is_frozen_in_a_graph():
    # Eagerly the noise changes between calls; inside tf.function it is a constant.
    report = check_conv_encoder(ConvEncoderNumpyNoise)
    assert_fails_with(report, "NumPy로 뽑은 잡음은 그래프에 상수로 굳습니다")
    # The noise's size comes from tuple(z_mean.shape): None in a symbolic call on every backend
    # (PyTorch's Keras fills in a placeholder size; the checker reports it like the others).
    assert_fails_with(
        report,
        "함수형 API에서 keras.Input((28, 28, 1))으로 호출 중에 예외가 났습니다: TypeError: "
        "Could not automatically infer the output shape",
    )


def test_conv_encoder_multiplies_by_the_variance():
    assert_fails_with(
        check_conv_encoder(ConvEncoderVarianceNotStd),
        "표준편차로 exp(z_log_var)(분산)를 곱한 것 같습니다",
    )


def test_conv_encoder_ignores_the_log_variance():
    assert_fails_with(
        check_conv_encoder(ConvEncoderIgnoresLogVar), "z_log_var를 쓰지 않은 것 같습니다"
    )


def test_conv_encoder_shares_noise_across_the_batch():
    assert_fails_with(
        check_conv_encoder(ConvEncoderOneNoisePerBatch),
        "배치의 모든 행이 같은 잡음을 받았습니다",
    )


def test_conv_encoder_hard_coded_latent_size():
    assert_fails_with(
        check_conv_encoder(ConvEncoderFixedLatentSize),
        "latent_dim=3일 때 z_mean의 모양: (4, 3)이어야 하는데 (4, 2)입니다.",
    )


def test_conv_encoder_returning_only_z():
    report = check_conv_encoder(ConvEncoderReturnsOnlyZ)
    assert report.failures == [
        "출력은 (z_mean, z_log_var, z) 세 텐서의 튜플이어야 하는데 그렇지 않습니다."
    ]


def test_dense_encoder_is_not_convolutional():
    report = check_conv_encoder(DenseEncoder)
    assert report.failures == [
        "call()에서 지나는 합성곱 층(keras.layers.Conv2D)이 하나 이상 있어야 하는데 없습니다."
    ]


def test_conv_encoder_config_without_seed():
    assert_fails_with(
        check_conv_encoder(ConvEncoderConfigWithoutSeed),
        "get_config()에 seed가 없습니다 (생성자 인자를 모두 넣으세요).",
    )


def test_conv_encoder_drops_kwargs():
    assert_fails_with(check_conv_encoder(ConvEncoderDropsKwargs), '층 이름이 "enc"여야 하는데')


def test_conv_encoder_that_crashes_is_reported():
    class Broken(ConvEncoder):
        def call(self, inputs):
            return self.dense_mena(inputs)

    report = check_conv_encoder(Broken)
    assert len(report.failures) == 1
    assert report.failures[0].startswith(
        "층 호출 (배치 4, latent_dim=3) 중에 예외가 났습니다: AttributeError: 'Broken' object "
        "has no attribute 'dense_mena'"
    )


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


@pytest.mark.parametrize("model_class", [BernoulliVAE, BernoulliVAEOwnTrackers])
def test_bernoulli_vae_right_solutions_pass(model_class):
    report = assert_passes_quickly(check_bernoulli_vae, model_class, seconds=15)
    assert "(32개 항목 확인)" in repr(report)  # the count the notebook and the docstring show


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


def test_bernoulli_vae_reconstruction_added_with_add_loss_is_rejected():
    # Same words on every backend: the measured reconstruction_loss is 0 exactly.
    assert repr(check_bernoulli_vae(BernoulliVAEWithAddLoss)) == (
        "❌ 연습 8-2 BernoulliVAE 모델: 고칠 점이 1개 있습니다.\n"
        "  - model.losses에 손실이 2개 있습니다. call()이 더한 KL 손실 하나만 있어야 합니다: "
        "재구성 손실을 add_loss()로 더하면 물려받은 compute_loss()가 그것까지 kl_loss로 "
        "셉니다. 그래서 fit()의 로그에 reconstruction_loss: 0.0000이 찍힙니다. add_loss() 대신 "
        "compute_loss()를 재정의해 재구성 손실을 계산하고 추적기에 넣으세요."
    )


def test_bernoulli_vae_one_add_loss_of_kl_and_bce_is_rejected():
    assert_fails_with(
        check_bernoulli_vae(BernoulliVAEWithAddLossWrittenOut),
        "model.losses의 KL 손실이 0.0788(kl_weight × KL)이어야 하는데",
    )


@pytest.mark.parametrize(
    ("model_class", "hint"),
    [
        (
            BernoulliVAEWithoutReconstruction,
            "재구성 손실이 빠졌습니다 (x와 y_pred 사이의 이진 교차 엔트로피 평균을 더하세요).",
        ),
        (BernoulliVAEWithMSE, "재구성 손실이 MSE입니다. 이진 교차 엔트로피를 쓰세요."),
        (
            BernoulliVAEWithKLTwice,
            "KL 손실이 두 번 더해졌습니다 (self.losses에 이미 KL 손실이 있습니다).",
        ),
    ],
)
@pytest.mark.filterwarnings("ignore:Gradients do not exist:UserWarning")
def test_bernoulli_vae_wrong_losses_are_named(model_class, hint):
    report = check_bernoulli_vae(model_class)
    assert_fails_with(
        report, "compute_loss()가 돌려준 손실이 0.8714 (재구성 0.7925 + KL 0.0788)", hint
    )
    assert len(report.failures) == 1, report  # not repeated for the other batch and kl_weight


@pytest.mark.parametrize(
    ("model_class", "hint"),
    [
        (BernoulliVAEWithoutTrackers, "compute_loss()에서 추적기를 갱신하지 않았습니다"),
        (BernoulliVAESwappedTrackers, "reconstruction_loss와 kl_loss 추적기에 넣을 값이 서로"),
        (BernoulliVAETotalAsKL, "kl_loss 추적기에 재구성 손실이 섞였습니다"),
    ],
)
def test_bernoulli_vae_wrong_logs_are_named(model_class, hint):
    report = check_bernoulli_vae(model_class)
    assert_fails_with(
        report,
        "compute_loss()를 한 번 부른 뒤 추적기(fit()의 로그)가 ",
        "loss 1.0539, reconstruction_loss 0.9751, kl_loss 0.0788이어야 합니다.",
        hint,
    )
    assert len(report.failures) == 1, report


def test_bernoulli_vae_using_the_missing_target():
    assert_fails_with(
        check_bernoulli_vae(BernoulliVAEUsesY),
        "compute_loss(x=x, y=None, y_pred=확률 배열) (fit(x)처럼 y 없이) 중에 예외가 났습니다",
    )


def test_bernoulli_vae_ignoring_kl_weight():
    assert_fails_with(
        check_bernoulli_vae(BernoulliVAEIgnoresKLWeight),
        "model.losses의 KL 손실이 0.0788(kl_weight × KL)이어야 하는데 ",
        "kl_weight를 곱하지 않았습니다. call()은 물려받은 그대로 두세요.",
    )


def test_bernoulli_vae_decoding_z_mean():
    assert_fails_with(
        check_bernoulli_vae(BernoulliVAEDecodesTheMean),
        "같은 입력으로 두 번 부른 재구성이 똑같습니다: z_mean을 디코딩한 것 같습니다",
    )


def test_bernoulli_vae_with_swapped_arguments():
    # binary_crossentropy(y_pred, y_true) is a different number, and not one that fit() lowers.
    assert_fails_with(
        check_bernoulli_vae(BernoulliVAEArgumentsSwapped), "compute_loss()가 돌려준 손실이 "
    )


def test_bernoulli_vae_summed_over_pixels():
    assert_fails_with(
        check_bernoulli_vae(BernoulliVAESummedOverPixels), "compute_loss()가 돌려준 손실이 "
    )


def test_bernoulli_vae_per_sample_loss_is_not_a_scalar():
    report = check_bernoulli_vae(BernoulliVAEPerSampleLoss)
    assert report.failures == [
        "compute_loss()는 스칼라 손실을 돌려줘야 하는데 모양이 (8,)입니다 "
        "(ops.mean()으로 픽셀과 배치에 대해 평균 내세요)."
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
    z_mean = ops.convert_to_numpy(vae.encoder(np.stack([x_start, x_end]))[0])
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None]
    z = (1.0 - t) * z_mean[0] + t * z_mean[1]
    return ops.convert_to_numpy(vae.decoder(z))


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


@pytest.mark.parametrize("interpolate_fn", [interpolate_latent, interpolate_one_at_a_time])
def test_interpolation_right_solutions_pass(interpolate_fn):
    assert_passes_quickly(check_latent_interpolation, interpolate_fn)


def test_interpolating_sampled_z_is_not_reproducible():
    report = check_latent_interpolation(interpolate_sampled_z)
    assert report.failures == [
        "같은 입력으로 두 번 부르면 같은 이미지가 나와야 하는데 다릅니다. 무작위로 뽑은 z 대신 "
        "z_mean을 이으세요."
    ]


def test_interpolation_without_the_end_point():
    assert_fails_with(
        check_latent_interpolation(interpolate_without_end_point),
        "original_dim=6, latent 3: 마지막 이미지 (x_end의 z_mean을 그린 것, 끝점도 포함합니다): ",
        "가운데 이미지 (고르게 떨어진 잠재 벡터): ",
    )


def test_interpolating_pixels_instead_of_latent_vectors():
    report = check_latent_interpolation(interpolate_pixels)
    assert report.failures == [
        "첫 이미지가 x_start 그대로입니다. 픽셀을 섞지 말고, 잠재 벡터(z_mean)를 이은 다음 "
        "디코더로 그리세요."
    ]


def test_interpolation_without_validating_steps():
    report = check_latent_interpolation(interpolate_without_validation)
    assert report.failures == [
        "steps=1일 때 ValueError를 내야 하는데 아무 예외도 나지 않았습니다.",
        "steps=0일 때 ValueError를 내야 하는데 아무 예외도 나지 않았습니다.",
    ]


def test_interpolation_error_without_the_received_value():
    assert_fails_with(
        check_latent_interpolation(interpolate_vague_error),
        "steps=1일 때 ValueError 메시지에 인자 이름 steps와 받은 값 1가 들어 있어야 합니다. "
        "받은 메시지: steps is too small",
    )


def test_interpolation_with_the_wrong_default():
    assert_fails_with(
        check_latent_interpolation(interpolate_ten_by_default),
        "steps를 주지 않을 때: 돌려준 배열의 모양 (steps, original_dim): (8, 6)이어야 하는데 "
        "(10, 6)입니다.",
    )


def test_interpolation_ignoring_steps():
    assert_fails_with(
        check_latent_interpolation(interpolate_ignoring_steps),
        "(8, 6)이어야 하는데 (5, 6)입니다.",
    )


def test_interpolation_checker_wants_a_function():
    report = check_latent_interpolation(BernoulliVAE)
    assert not report.passed and "interpolate_fn에는 함수를 넘겨야 합니다" in str(report), report
