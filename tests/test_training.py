"""Tests for companion.training.train_custom_loop."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from companion import VariationalAutoEncoder, train_custom_loop


def _linear_data(rng, n=256):
    x = rng.normal(size=(n, 3)).astype("float32")
    y = x @ np.array([[2.0], [-1.0], [0.5]], dtype="float32") + 0.3
    return x, y


def _dense_model(seed=0):
    inputs = keras.Input(shape=(3,))
    outputs = keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed))(
        inputs
    )
    return keras.Model(inputs, outputs)


def _small_vae():
    return VariationalAutoEncoder(original_dim=6, intermediate_dim=8, latent_dim=2, seed=1)


def test_autoencoder_dataset_of_x_only_lowers_the_loss(rng):
    x = rng.random((256, 6)).astype("float32")
    vae = _small_vae()
    dataset = tf.data.Dataset.from_tensor_slices(x).batch(32)
    history = train_custom_loop(
        vae,
        dataset,
        keras.optimizers.Adam(0.01),
        keras.losses.MeanSquaredError(),
        epochs=5,
        verbose=0,
    )
    assert list(history) == ["loss"] and len(history["loss"]) == 5
    assert all(isinstance(value, float) for value in history["loss"])
    assert history["loss"][-1] < 0.7 * history["loss"][0]


def test_x_y_pairs_use_y_as_the_target(rng):
    x, y = _linear_data(rng)
    model = _dense_model()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    history = train_custom_loop(
        model, dataset, keras.optimizers.Adam(0.1), "mse", epochs=30, verbose=0
    )
    assert history["loss"][-1] < 1e-3
    kernel, bias = (ops.convert_to_numpy(w) for w in model.weights)
    np.testing.assert_allclose(kernel[:, 0], [2.0, -1.0, 0.5], atol=0.05)
    np.testing.assert_allclose(bias, [0.3], atol=0.05)


def test_one_element_tuples_are_autoencoder_batches(rng):
    x = rng.random((64, 6)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices((x,)).batch(16)
    history = train_custom_loop(_small_vae(), dataset, keras.optimizers.Adam(), "mse", verbose=0)
    assert len(history["loss"]) == 1 and history["loss"][0] > 0.0


def test_matches_fit_step_for_step(rng):
    # Same initial weights, same batches in the same order, same optimizer: the custom loop
    # and fit() must end with the same weights and report the same epoch losses.
    x, y = _linear_data(rng, n=100)  # 100 = 3 full batches + a partial batch of 4
    loop_model, fit_model = _dense_model(seed=3), _dense_model(seed=3)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    loop_history = train_custom_loop(
        loop_model, dataset, keras.optimizers.SGD(0.05), "mse", epochs=3, verbose=0
    )
    fit_model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    fit_history = fit_model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
    for loop_weight, fit_weight in zip(loop_model.weights, fit_model.weights, strict=True):
        np.testing.assert_allclose(
            ops.convert_to_numpy(loop_weight), ops.convert_to_numpy(fit_weight), rtol=1e-5
        )
    np.testing.assert_allclose(loop_history["loss"], fit_history.history["loss"], rtol=1e-5)


@pytest.mark.parametrize("steps_per_execution", [1, 3, 4, 50])
def test_steps_per_execution_does_not_change_the_result(rng, steps_per_execution):
    # 4 batches per epoch: chunks of 3 leave a partial chunk, 4 ends exactly on the epoch,
    # 50 is longer than the epoch. Every batch must be used exactly once per epoch.
    x, y = _linear_data(rng, n=100)
    loop_model, fit_model = _dense_model(seed=3), _dense_model(seed=3)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    loop_history = train_custom_loop(
        loop_model,
        dataset,
        keras.optimizers.SGD(0.05),
        "mse",
        epochs=2,
        verbose=0,
        steps_per_execution=steps_per_execution,
    )
    fit_model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    fit_history = fit_model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
    for loop_weight, fit_weight in zip(loop_model.weights, fit_model.weights, strict=True):
        np.testing.assert_allclose(
            ops.convert_to_numpy(loop_weight), ops.convert_to_numpy(fit_weight), rtol=1e-5
        )
    np.testing.assert_allclose(loop_history["loss"], fit_history.history["loss"], rtol=1e-5)


def test_calling_again_continues_training_without_retracing(rng):
    # One epoch per call, as a notebook or a benchmark does: the second call reuses the
    # compiled functions (no new trace) and continues from the first call's weights.
    x, y = _linear_data(rng, n=96)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    traces = []

    def traced_mse(y_true, y_pred):
        traces.append(1)  # Python side effect: runs only while tracing
        return keras.losses.mean_squared_error(y_true, y_pred)

    model, optimizer = _dense_model(seed=3), keras.optimizers.SGD(0.05)
    first = train_custom_loop(model, dataset, optimizer, traced_mse, verbose=0)["loss"]
    traces_after_first_call = len(traces)
    second = train_custom_loop(model, dataset, optimizer, traced_mse, verbose=0)["loss"]
    if keras.backend.backend() != "torch":  # PyTorch runs eagerly: nothing is traced
        assert len(traces) == traces_after_first_call
    assert int(optimizer.iterations) == 6
    assert second[0] < first[0]


@pytest.mark.filterwarnings("ignore:Gradients do not exist:UserWarning")
def test_model_losses_are_minimised_too(rng):
    # With a main loss that is always zero, only the KL term added by the model remains:
    # the reported loss is that KL term, and training drives it towards zero.
    x = 3.0 * rng.normal(size=(128, 6)).astype("float32")
    vae = _small_vae()
    dataset = tf.data.Dataset.from_tensor_slices(x).batch(32)
    history = train_custom_loop(
        vae,
        dataset,
        keras.optimizers.Adam(0.02),
        lambda y, p: ops.zeros_like(p),
        epochs=8,
        verbose=0,
    )
    assert history["loss"][0] > 0.0
    assert history["loss"][-1] < 0.2 * history["loss"][0]
    vae(x)
    np.testing.assert_allclose(history["loss"][-1], ops.convert_to_numpy(vae.losses[0]), atol=0.05)


class _TrainingProbe(keras.layers.Layer):
    """Returns its input and adds a loss of 1 when called with training=True, else 0."""

    def call(self, inputs, training=None):
        self.add_loss(ops.convert_to_tensor(1.0 if training else 0.0))
        return inputs


def test_the_model_is_called_in_training_mode(rng):
    # Like fit(), the loop calls the model with training=True, so dropout and batch
    # normalization train. The probe adds 1 to the loss only then (SGD(0) changes nothing).
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, _TrainingProbe()(keras.layers.Dense(1)(inputs)))
    x, y = _linear_data(rng, n=64)
    mse = float(np.mean((model.predict(x, verbose=0) - y) ** 2))
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    history = train_custom_loop(model, dataset, keras.optimizers.SGD(0.0), "mse", verbose=0)
    assert history["loss"] == [pytest.approx(mse + 1.0, rel=1e-5)]


def test_progress_bar_and_epoch_lines(rng, capsys):
    x = rng.random((64, 6)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(x).batch(16)
    train_custom_loop(_small_vae(), dataset, keras.optimizers.Adam(), "mse", epochs=2)
    out = capsys.readouterr().out
    assert "에포크 1/2" in out and "에포크 2/2" in out
    assert "4/4" in out and "loss:" in out

    train_custom_loop(_small_vae(), dataset, keras.optimizers.Adam(), "mse", epochs=2, verbose=2)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert lines[0] == "에포크 1/2" and lines[2] == "에포크 2/2" and len(lines) == 4
    assert lines[1].startswith("4/4 - ") and " - loss: " in lines[1]

    train_custom_loop(_small_vae(), dataset, keras.optimizers.Adam(), "mse", epochs=2, verbose=0)
    assert capsys.readouterr().out == ""


def test_dataset_of_unknown_length(rng, capsys):
    x = rng.random((64, 6)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(x).filter(lambda row: True).batch(16)
    assert int(dataset.cardinality()) == tf.data.UNKNOWN_CARDINALITY
    history = train_custom_loop(_small_vae(), dataset, keras.optimizers.Adam(), "mse", epochs=2)
    assert len(history["loss"]) == 2
    assert "4/Unknown" in capsys.readouterr().out


def _args(**overrides):
    dataset = tf.data.Dataset.from_tensor_slices(np.zeros((4, 6), "float32")).batch(2)
    arguments = {
        "model": _small_vae(),
        "dataset": dataset,
        "optimizer": keras.optimizers.Adam(),
        "loss_fn": "mse",
        "verbose": 0,
    }
    return {**arguments, **overrides}


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"model": keras.layers.Dense(2)}, TypeError, "model은 keras.Model이어야 합니다"),
        ({"dataset": np.zeros((4, 6))}, TypeError, "받은 값: dataset의 자료형 ndarray"),
        ({"optimizer": "adam"}, TypeError, "받은 값: optimizer='adam'"),
        ({"loss_fn": 3}, TypeError, "받은 값: loss_fn=3"),
        ({"epochs": 0}, ValueError, "epochs는 양의 정수여야 합니다. 받은 값: epochs=0"),
        ({"epochs": 2.0}, ValueError, "받은 값: epochs=2.0"),
        ({"epochs": True}, ValueError, "받은 값: epochs=True"),
        (
            {"steps_per_execution": 0},
            ValueError,
            "steps_per_execution은 양의 정수여야 합니다. 받은 값: steps_per_execution=0",
        ),
        ({"steps_per_execution": 2.0}, ValueError, "받은 값: steps_per_execution=2.0"),
        (
            {"verbose": 3},
            ValueError,
            r"verbose는 \(0, 1, 2\) 중 하나여야 합니다. 받은 값: verbose=3",
        ),
    ],
)
def test_bad_arguments(overrides, error, message):
    with pytest.raises(error, match=message):
        train_custom_loop(**_args(**overrides))


def test_unknown_loss_name():
    with pytest.raises(ValueError):
        train_custom_loop(**_args(loss_fn="no_such_loss"))


@pytest.mark.parametrize(
    ("dataset", "message"),
    [
        (
            tf.data.Dataset.from_tensor_slices(np.zeros((4, 6), "float32")).batch(2).repeat(),
            "dataset이 끝없이 반복됩니다",
        ),
        (
            tf.data.Dataset.from_tensor_slices(np.zeros((0, 6), "float32")).batch(2),
            "dataset에 배치가 하나도 없습니다",
        ),
        (
            tf.data.Dataset.from_tensor_slices((np.zeros((4, 6)),) * 3).batch(2),
            "받은 값: 원소 3개짜리 튜플",
        ),
        (
            tf.data.Dataset.from_tensor_slices({"x": np.zeros((4, 6))}).batch(2),
            "받은 값: dict 구조의 원소",
        ),
    ],
)
def test_bad_datasets(dataset, message):
    with pytest.raises(ValueError, match=message):
        train_custom_loop(**_args(dataset=dataset))


def test_a_vae_trained_by_the_loop_matches_fit(rng):
    # The KL term (model.losses), the sampling layer's seed state (a non-trainable variable
    # that moves on every step) and the per-backend step (tf.GradientTape, JAX stateless_call
    # with value_and_grad, torch backward) must all agree with fit() on the same batches.
    x = rng.random((96, 6)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(x).batch(32)
    models = []
    for _ in range(2):
        keras.utils.set_random_seed(3)
        vae = VariationalAutoEncoder(
            original_dim=6, intermediate_dim=8, latent_dim=2, kl_weight=0.5, seed=3
        )
        vae.build((None, 6))
        models.append(vae)
    loop_vae, fit_vae = models
    loop_history = train_custom_loop(
        loop_vae, dataset, keras.optimizers.Adam(0.01), "mse", epochs=3, verbose=0
    )
    fit_vae.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    fit_history = fit_vae.fit(x, x, batch_size=32, epochs=3, shuffle=False, verbose=0)
    assert loop_history["loss"][-1] < loop_history["loss"][0]
    np.testing.assert_allclose(loop_history["loss"], fit_history.history["loss"], rtol=1e-5)
    for loop_weight, fit_weight in zip(loop_vae.weights, fit_vae.weights, strict=True):
        np.testing.assert_allclose(
            ops.convert_to_numpy(loop_weight),
            ops.convert_to_numpy(fit_weight),
            rtol=1e-4,
            atol=1e-6,
        )


def _unbuilt_model(seed):
    # No Input: the weights do not exist until the first batch, so the loop must build the model.
    return keras.Sequential(
        [
            keras.layers.Dense(
                4, activation="tanh", kernel_initializer=keras.initializers.GlorotUniform(seed)
            ),
            keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed + 1)),
        ]
    )


def test_an_unbuilt_model_is_built_by_the_loop_and_matches_fit(rng):
    x, y = _linear_data(rng, n=70)  # two full batches of 32 and one of 6
    loop_model, fit_model = _unbuilt_model(5), _unbuilt_model(5)
    assert not loop_model.built and not loop_model.weights
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    loop_history = train_custom_loop(
        loop_model, dataset, keras.optimizers.Adam(0.02), "mse", epochs=2, verbose=0
    )
    fit_model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    fit_history = fit_model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
    assert loop_model.built and len(loop_model.weights) == 4
    np.testing.assert_allclose(loop_history["loss"], fit_history.history["loss"], rtol=1e-5)
    for loop_weight, fit_weight in zip(loop_model.weights, fit_model.weights, strict=True):
        np.testing.assert_allclose(
            ops.convert_to_numpy(loop_weight),
            ops.convert_to_numpy(fit_weight),
            rtol=1e-4,
            atol=1e-6,
        )
