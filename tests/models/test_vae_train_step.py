"""Tests for the training interface of companion.VariationalAutoEncoder.

`compute_loss()` (the loss trackers), the `metrics` property (reset per epoch), `train_step()`
and `test_step()` (`fit(validation_data=...)` reports `val_` losses), and agreement with the
inline `tf.GradientTape` loop that chapter 8 teaches first.
"""

import keras
import numpy as np
import pytest

from companion import VariationalAutoEncoder

_KEYS = {"loss", "reconstruction_loss", "kl_loss"}


def _numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x), "float64")


def _small_vae(**kwargs):
    arguments = {"original_dim": 6, "intermediate_dim": 5, "latent_dim": 3, "seed": 1}
    return VariationalAutoEncoder(**{**arguments, **kwargs})


def _weighted_kl(vae, x):
    """kl_weight · the 2020 guide's KL (mean over batch and latent axes), in float64."""
    z_mean, z_log_var, _ = vae.encoder(x)
    z_mean, z_log_var = _numpy(z_mean), _numpy(z_log_var)
    kl = -0.5 * np.mean(z_log_var - z_mean**2 - np.exp(z_log_var) + 1.0)
    return vae.kl_weight * kl


def _near_deterministic_sampling(vae, x):
    """Builds `vae` and makes its encoder's variance tiny: z ≈ z_mean, so losses are exact."""
    vae(x[:1])
    kernel, bias = vae.encoder.dense_log_var.weights
    kernel.assign(np.zeros(kernel.shape, "float32"))
    bias.assign(np.full(bias.shape, -30.0, "float32"))


def _data(rng, n=64):
    prototypes = rng.random((2, 6)).astype("float32")
    x = prototypes[rng.integers(0, 2, n)] + 0.05 * rng.normal(size=(n, 6))
    return np.clip(x, 0.0, 1.0).astype("float32")


class _RecordWeightedKL(keras.callbacks.Callback):
    """Records kl_weight · KL on fixed data at the start and at the end of every epoch."""

    def __init__(self, x):
        super().__init__()
        self.x = x
        self.at_begin, self.at_end = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.at_begin.append(_weighted_kl(self.model, self.x))

    def on_epoch_end(self, epoch, logs=None):
        self.at_end.append(_weighted_kl(self.model, self.x))


def test_fit_reports_total_reconstruction_and_kl_losses(rng):
    x = _data(rng)
    vae = _small_vae(kl_weight=0.5)
    _near_deterministic_sampling(vae, x)
    # Learning rate 0: the weights stay, so every logged value can be recomputed exactly.
    vae.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    history = vae.fit(x, x, epochs=1, batch_size=16, shuffle=False, verbose=0).history
    assert set(history) == _KEYS
    expected_kl = _weighted_kl(vae, x)
    z_mean = vae.encoder(x)[0]
    expected_reconstruction = np.mean((_numpy(vae.decoder(z_mean)) - x) ** 2)
    assert expected_kl > 0.01
    np.testing.assert_allclose(history["kl_loss"][0], expected_kl, rtol=1e-4)
    np.testing.assert_allclose(
        history["reconstruction_loss"][0], expected_reconstruction, rtol=1e-4
    )
    np.testing.assert_allclose(history["loss"][0], expected_reconstruction + expected_kl, rtol=1e-4)


def test_evaluate_returns_the_three_losses_for_its_own_data(rng):
    x, x_other = _data(rng), _data(rng)
    vae = _small_vae(kl_weight=0.5)
    _near_deterministic_sampling(vae, x)
    vae.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    vae.fit(x, x, epochs=2, batch_size=16, verbose=0)
    logs = vae.evaluate(x_other, x_other, batch_size=16, verbose=0, return_dict=True)
    assert set(logs) == _KEYS
    # Only the evaluated data: the training epochs' running means were reset.
    np.testing.assert_allclose(logs["kl_loss"], _weighted_kl(vae, x_other), rtol=1e-4)
    np.testing.assert_allclose(
        logs["loss"], logs["reconstruction_loss"] + logs["kl_loss"], rtol=1e-5
    )


def test_trackers_are_reset_at_every_epoch(rng):
    x = _data(rng)
    vae = _small_vae(kl_weight=0.5)
    _near_deterministic_sampling(vae, x)
    vae.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    recorder = _RecordWeightedKL(x)
    # One batch per epoch: each epoch's value is that batch's value, if nothing carries over.
    history = vae.fit(x, x, epochs=3, batch_size=len(x), verbose=0, callbacks=[recorder])
    # The weights moved (so carried-over means would differ from the fresh values).
    assert abs(recorder.at_begin[2] - recorder.at_begin[0]) > 1e-3
    np.testing.assert_allclose(history.history["kl_loss"], recorder.at_begin, rtol=1e-4)


def test_validation_data_reports_val_losses_on_the_validation_set(rng):
    x, x_val = _data(rng), _data(rng, n=32)
    vae = _small_vae(kl_weight=0.5)
    _near_deterministic_sampling(vae, x)
    vae.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    recorder = _RecordWeightedKL(x_val)
    history = vae.fit(
        x,
        x,
        epochs=2,
        batch_size=16,
        verbose=0,
        validation_data=(x_val, x_val),
        callbacks=[recorder],
    ).history
    assert set(history) == _KEYS | {f"val_{key}" for key in _KEYS}
    # Validation runs on the weights at the end of the epoch, on the validation set only.
    np.testing.assert_allclose(history["val_kl_loss"], recorder.at_end, rtol=1e-4)
    z_mean = vae.encoder(x_val)[0]
    val_reconstruction = np.mean((_numpy(vae.decoder(z_mean)) - x_val) ** 2)
    np.testing.assert_allclose(
        history["val_reconstruction_loss"][-1], val_reconstruction, rtol=1e-4
    )


def test_without_targets_the_input_is_the_target(rng):
    x = _data(rng)
    histories = []
    for targets in ([x], [x, x]):
        keras.utils.set_random_seed(0)
        vae = _small_vae(kl_weight=0.5)
        _near_deterministic_sampling(vae, x)
        vae.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
        histories.append(vae.fit(*targets, batch_size=16, verbose=0).history)
    for key in _KEYS:
        np.testing.assert_allclose(histories[0][key], histories[1][key], rtol=1e-6)


def test_compile_without_loss_trains_the_added_losses_only(rng):
    x = _data(rng)
    vae = _small_vae(kl_weight=0.5)
    vae.compile(optimizer=keras.optimizers.Adam(0.01))
    history = vae.fit(x, epochs=3, batch_size=16, verbose=0).history
    assert set(history) == _KEYS
    np.testing.assert_allclose(history["reconstruction_loss"], 0.0, atol=1e-7)
    np.testing.assert_allclose(history["loss"], history["kl_loss"], rtol=1e-6)
    assert history["loss"][-1] < history["loss"][0]


def test_sample_weight_weights_the_reconstruction_loss(rng):
    x = _data(rng)
    vae = _small_vae(kl_weight=0.5)
    _near_deterministic_sampling(vae, x)
    vae.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    weights = np.zeros(len(x), "float32")
    weights[:8] = 1.0
    history = vae.fit(x, x, sample_weight=weights, batch_size=len(x), verbose=0).history
    errors = np.mean((_numpy(vae.decoder(vae.encoder(x)[0])) - x) ** 2, axis=-1)
    # Keras's "sum_over_batch_size" reduction: weighted sum divided by the batch size.
    np.testing.assert_allclose(
        history["reconstruction_loss"][0], np.sum(errors * weights) / len(x), rtol=1e-4
    )


def test_a_smaller_last_batch_counts_by_its_size_in_the_epoch_means(rng):
    # 64 images in batches of 60: the last batch holds 4. The epoch's losses are means over
    # the 64 images, not the mean of two batch means (which would count the last 4 images as
    # much as the first 60).
    x = _data(rng)
    vae = _small_vae(kl_weight=0.5)
    _near_deterministic_sampling(vae, x)
    vae.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    history = vae.fit(x, x, batch_size=60, shuffle=False, verbose=0).history
    errors = np.mean((_numpy(vae.decoder(vae.encoder(x)[0])) - x) ** 2, axis=-1)
    batch_means = [errors[:60].mean(), errors[60:].mean()]
    assert abs(np.mean(batch_means) - errors.mean()) > 1e-3 * errors.mean()  # they differ here
    np.testing.assert_allclose(history["reconstruction_loss"][0], errors.mean(), rtol=1e-5)
    z_mean, z_log_var, _ = vae.encoder(x)
    z_mean, z_log_var = _numpy(z_mean), _numpy(z_log_var)
    per_image_kl = -0.5 * np.mean(z_log_var - z_mean**2 - np.exp(z_log_var) + 1.0, axis=-1)
    np.testing.assert_allclose(
        history["kl_loss"][0], vae.kl_weight * per_image_kl.mean(), rtol=1e-5
    )


def test_evaluate_and_validation_weight_the_reconstruction_loss_by_sample_weight(rng):
    x, x_val = _data(rng), _data(rng, n=32)
    vae = _small_vae(kl_weight=0.5)
    _near_deterministic_sampling(vae, x)
    vae.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    weights = np.zeros(len(x_val), "float32")
    weights[:8] = 1.0
    errors = np.mean((_numpy(vae.decoder(vae.encoder(x_val)[0])) - x_val) ** 2, axis=-1)
    expected = np.sum(errors * weights) / len(x_val)  # "sum_over_batch_size", as in fit()
    assert abs(expected - errors.mean()) > 1e-3 * errors.mean()  # the weights matter here
    logs = vae.evaluate(
        x_val, x_val, sample_weight=weights, batch_size=len(x_val), verbose=0, return_dict=True
    )
    np.testing.assert_allclose(logs["reconstruction_loss"], expected, rtol=1e-4)
    history = vae.fit(
        x,
        x,
        batch_size=len(x),
        verbose=0,
        validation_data=(x_val, x_val, weights),
        validation_batch_size=len(x_val),
    ).history
    np.testing.assert_allclose(history["val_reconstruction_loss"][0], expected, rtol=1e-4)


class KerasStepVAE(VariationalAutoEncoder):
    """The same model trained by Keras's own train_step/test_step for the backend."""

    train_step = keras.Model.train_step
    test_step = keras.Model.test_step


def test_train_step_agrees_with_keras_own_step(rng):
    """The step written for this backend (tf.GradientTape, JAX value_and_grad + stateless_apply,
    torch backward + optimizer.apply) and Keras's default step reach the same losses and weights.

    It catches a KL term left out of the gradient, a sampling seed state that does not move on
    (JAX returns the new non-trainable values), and torch gradients that pile up across batches.
    """
    x, x_val = _data(rng, n=96), _data(rng, n=32)
    runs = []
    for model_class in (VariationalAutoEncoder, KerasStepVAE):
        keras.utils.set_random_seed(3)
        vae = model_class(original_dim=6, intermediate_dim=5, latent_dim=3, kl_weight=0.5, seed=3)
        vae.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        history = vae.fit(
            x, x, epochs=3, batch_size=32, shuffle=False, verbose=0, validation_data=(x_val, x_val)
        ).history
        runs.append((vae, history))
    (ours, ours_history), (reference, reference_history) = runs
    assert set(ours_history) == _KEYS | {f"val_{key}" for key in _KEYS}
    assert ours_history["loss"][-1] < ours_history["loss"][0]
    for key in ours_history:
        np.testing.assert_allclose(ours_history[key], reference_history[key], rtol=1e-5)
    for our_weight, reference_weight in zip(ours.weights, reference.weights, strict=True):
        np.testing.assert_allclose(
            _numpy(our_weight), _numpy(reference_weight), rtol=1e-4, atol=1e-6
        )


def test_mixed_precision_scales_the_loss_for_the_loss_scale_optimizer(rng):
    """Under mixed_float16 one SGD step moves the weights as far as in float32.

    compile() wraps the optimizer in a LossScaleOptimizer, which divides the gradients by its
    scale (32,768 at first): a step that forgot `optimizer.scale_loss()` would move them 32,768
    times less.
    """
    x = _data(rng, n=16)
    moves, start = [], None
    for dtype in ("float32", "mixed_float16"):
        vae = _small_vae(kl_weight=0.5, dtype=dtype)
        _near_deterministic_sampling(vae, x)
        if start is not None:
            vae.set_weights(start)
        start = [_numpy(w) for w in vae.weights]
        vae.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
        history = vae.fit(x, x, epochs=1, batch_size=16, verbose=0).history
        assert np.isfinite(history["loss"][0])
        moves.append([_numpy(w) - s for w, s in zip(vae.weights, start, strict=True)])
    assert isinstance(vae.optimizer, keras.optimizers.LossScaleOptimizer)
    # float16 gradients are rounded (a few biases differ by ~20 %), but not 32,768 times smaller.
    ratios = [np.linalg.norm(m16) / np.linalg.norm(m32) for m32, m16 in zip(*moves, strict=True)]
    assert all(0.7 < ratio < 1.3 for ratio in ratios), ratios


@pytest.mark.tensorflow_only
def test_fit_agrees_with_the_inline_gradient_tape_loop(rng):
    """The loop chapter 8 writes first and the overridden train_step reach the same losses."""
    import tensorflow as tf

    x = _data(rng, n=96)
    dataset = tf.data.Dataset.from_tensor_slices(x).batch(32)

    keras.utils.set_random_seed(3)
    loop_vae = _small_vae(kl_weight=0.5, seed=3)
    optimizer = keras.optimizers.Adam(0.01)
    loss_fn = keras.losses.MeanSquaredError()
    loss_metric = keras.metrics.Mean()

    @tf.function
    def train_step(batch):
        with tf.GradientTape() as tape:
            reconstruction = loop_vae(batch, training=True)
            loss = loss_fn(batch, reconstruction) + sum(loop_vae.losses)
        gradients = tape.gradient(loss, loop_vae.trainable_weights)
        optimizer.apply(gradients, loop_vae.trainable_weights)
        loss_metric.update_state(loss)

    loop_losses = []
    for _ in range(3):
        loss_metric.reset_state()
        for batch in dataset:
            train_step(batch)
        loop_losses.append(float(loss_metric.result()))

    keras.utils.set_random_seed(3)
    fit_vae = _small_vae(kl_weight=0.5, seed=3)
    fit_vae.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    history = fit_vae.fit(x, x, epochs=3, batch_size=32, shuffle=False, verbose=0).history
    assert loop_losses[-1] < loop_losses[0]
    np.testing.assert_allclose(history["loss"], loop_losses, rtol=1e-5)
    for loop_weight, fit_weight in zip(loop_vae.weights, fit_vae.weights, strict=True):
        np.testing.assert_allclose(_numpy(loop_weight), _numpy(fit_weight), rtol=1e-4, atol=1e-6)


@pytest.mark.tensorflow_only
def test_train_step_and_test_step_under_tf_function_and_mixed_precision(rng):
    x = _data(rng)
    vae = _small_vae(kl_weight=0.5, dtype="mixed_float16")
    vae.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    # compile() wraps the optimizer for mixed_float16; train_step must scale the loss for it.
    assert isinstance(vae.optimizer, keras.optimizers.LossScaleOptimizer)
    history = vae.fit(x, x, epochs=3, batch_size=16, verbose=0, validation_data=(x, x)).history
    assert all(np.all(np.isfinite(values)) for values in history.values())
    assert history["loss"][-1] < history["loss"][0]
    assert all(np.all(np.isfinite(_numpy(weight))) for weight in vae.weights)
