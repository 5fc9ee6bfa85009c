"""Property-based tests (Hypothesis) for every public layer and model of `companion`.

Each property draws sizes within the object's documented contract (batch sizes, feature sizes,
ranks, rates) and checks four things:

1. the output shape follows the rule in the docstring (and `compute_output_shape()` agrees);
2. the output is finite for bounded, finite inputs (values in [-3, 3]);
3. calling twice on the same input in inference gives the same output. For the sampling
   layers "the same" is defined by what the docstrings promise: the deterministic part
   (`z_mean`, `z_log_var`, the KL loss, and `z` when the variance is exactly zero) is
   identical on every call, the random part is identical for two layers built from the same
   integer `seed` (same `SeedGenerator` state), and a second call on one layer draws new noise;
4. inputs outside the contract (wrong rank, wrong last dimension after build, strings or
   integers where floats are needed, sizes <= 0, rates outside their range) raise a
   `ValueError` whose message names the argument and the received value, rather than a
   backend error from deep inside TensorFlow or JAX.

Batch sizes start at 1: a layer that adds a mean as its loss returns NaN for an empty batch,
like Keras's own losses. All properties use the "robustness" profile of tests/robustness/
conftest.py (fixed examples, no deadline).
"""

import math

import keras
import numpy as np
import pytest
from _cases import WITHOUT_ROBUSTNESS_CASE_YET
from hypothesis import given, settings
from hypothesis import strategies as st

import companion
from companion import (
    ActivityRegularizationLayer,
    ComputeSum,
    CustomDropout,
    Decoder,
    Encoder,
    KLDivergenceSampling,
    Linear,
    LogisticEndpoint,
    MaskedAverage,
    MLPBlock,
    ResNet,
    ResNetBlock,
    Sampling,
    VariationalAutoEncoder,
    build_functional_vae,
)

PROFILE = settings.get_profile("robustness")
FEW = settings(PROFILE, max_examples=5)  # for the convolutional models

sizes = st.integers(min_value=1, max_value=5)
batch_sizes = st.integers(min_value=1, max_value=4)
data_seeds = st.integers(min_value=0, max_value=2**16)
layer_seeds = st.integers(min_value=0, max_value=2**31 - 1)

#: How a string input fails. Under TensorFlow a NumPy string array becomes a string tensor and
#: reaches the layer's own check ("... 받은 자료형: inputs.dtype=string"). JAX has no string
#: arrays, so Keras already fails while converting the input, before call() runs, with NumPy's
#: "could not convert string to float: np.str_('a')". Both are ValueErrors naming the value.
#: PyTorch has no string tensors either; Keras's torch backend refuses the NumPy dtype by name
#: ("Invalid dtype: str32").
STRING_FRAGMENT = {
    "tensorflow": ".dtype=string",
    "jax": "could not convert string",
    "torch": "Invalid dtype: str",
}[keras.backend.backend()]


def _floats(shape, seed, scale=3.0):
    return np.random.default_rng(seed).uniform(-scale, scale, size=shape).astype("float32")


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _raises_value_error(function, *fragments):
    """Runs `function`, asserts a ValueError whose message contains every fragment."""
    with pytest.raises(ValueError) as info:
        function()
    # Keras appends "Arguments received by X.call(): inputs=tf.Tensor(shape=..., dtype=...)" to
    # errors raised in call(); the fragments must be found in the error itself, not in that list.
    message = str(info.value).split("Arguments received by")[0]
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} is missing from the message:\n{message}"
    return message


def _assert_finite(*arrays):
    for array in arrays:
        assert np.all(np.isfinite(_np(array)))


# ---------------------------------------------------------------------------------------------
# 1-3. Shapes, finiteness and repeatability within the contract
# ---------------------------------------------------------------------------------------------


@PROFILE
@given(
    batch_shape=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    input_dim=sizes,
    units=sizes,
    use_bias=st.booleans(),
    seed=data_seeds,
)
def test_linear_computes_x_w_plus_b_for_any_rank(batch_shape, input_dim, units, use_bias, seed):
    x = _floats((*batch_shape, input_dim), seed)
    layer = Linear(units=units, bias_initializer="random_normal", use_bias=use_bias)
    first, second = layer(x), layer(x)

    assert tuple(first.shape) == (*batch_shape, units)
    assert tuple(layer.compute_output_shape(x.shape)) == (*batch_shape, units)
    expected = x @ _np(layer.w) + (_np(layer.b) if use_bias else 0.0)
    np.testing.assert_allclose(_np(first), expected, rtol=1e-5, atol=1e-5)
    _assert_finite(first)
    np.testing.assert_array_equal(_np(first), _np(second))


@PROFILE
@given(
    batch_size=batch_sizes,
    input_dim=sizes,
    units=st.lists(sizes, min_size=1, max_size=3),
    activation=st.sampled_from(["relu", "tanh", None]),
    seed=data_seeds,
)
def test_mlp_block_ends_with_the_last_units(batch_size, input_dim, units, activation, seed):
    x = _floats((batch_size, input_dim), seed)
    block = MLPBlock(units=units, activation=activation)
    first, second = block(x), block(x)

    assert tuple(first.shape) == (batch_size, units[-1])
    assert tuple(block.compute_output_shape(x.shape)) == (batch_size, units[-1])
    assert len(block.trainable_weights) == 2 * len(units)
    _assert_finite(first)
    np.testing.assert_array_equal(_np(first), _np(second))


@PROFILE
@given(batch_size=batch_sizes, input_dim=sizes, seed=data_seeds)
def test_compute_sum_accumulates_over_calls(batch_size, input_dim, seed):
    # ComputeSum is stateful by contract: calling it twice must NOT repeat the output, it must
    # add the batch sum once more.
    x = _floats((batch_size, input_dim), seed)
    layer = ComputeSum()
    first = _np(layer(x))
    second = _np(layer(x))

    assert first.shape == (input_dim,)
    assert tuple(layer.compute_output_shape(x.shape)) == (input_dim,)
    np.testing.assert_allclose(first, x.sum(axis=0), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(second, 2 * x.sum(axis=0), rtol=1e-5, atol=1e-5)
    _assert_finite(first, second)


@PROFILE
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=4),
    rate=st.floats(min_value=0.0, max_value=10.0),
    seed=data_seeds,
)
def test_activity_regularization_returns_inputs_and_adds_rate_times_sum(shape, rate, seed):
    x = _floats(shape, seed)
    layer = ActivityRegularizationLayer(rate=rate)
    first, second = layer(x), layer(x)

    np.testing.assert_array_equal(_np(first), x)
    np.testing.assert_array_equal(_np(second), x)
    assert len(layer.losses) == 1  # the second call replaced the first call's loss
    assert float(layer.losses[0]) == pytest.approx(rate * x.sum(), rel=1e-4, abs=1e-4)


@PROFILE
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), seed=data_seeds)
def test_logistic_endpoint_probabilities_loss_and_accuracy(shape, seed):
    logits = _floats(shape, seed, scale=5.0)
    targets = (np.random.default_rng(seed + 1).random(shape) > 0.5).astype("float32")
    layer = LogisticEndpoint()
    first = _np(layer(logits, targets))
    second = _np(layer(logits, targets))

    assert first.shape == tuple(shape)
    np.testing.assert_allclose(first, 1 / (1 + np.exp(-logits)), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(first, second)
    loss = float(layer.losses[0])
    assert math.isfinite(loss) and loss >= 0
    accuracy = float(layer.metrics[0].result())
    assert accuracy == pytest.approx(np.mean((first > 0.5) == (targets > 0.5)), abs=1e-6)


@PROFILE
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=4),
    rate=st.floats(min_value=0.0, max_value=0.95),
    seed=layer_seeds,
    data_seed=data_seeds,
)
def test_custom_dropout_is_identity_in_inference_and_seeded_in_training(
    shape, rate, seed, data_seed
):
    x = _floats(shape, data_seed) + 4.0  # all non-zero, so dropped cells are recognisable
    layer = CustomDropout(rate, seed=seed)
    np.testing.assert_array_equal(_np(layer(x)), x)
    np.testing.assert_array_equal(_np(layer(x, training=False)), x)

    dropped = _np(layer(x, training=True))
    twin = _np(CustomDropout(rate, seed=seed)(x, training=True))
    np.testing.assert_array_equal(dropped, twin)  # same seed, same pattern
    kept = dropped != 0
    np.testing.assert_allclose(dropped[kept], x[kept] / (1 - rate), rtol=1e-5)
    if rate == 0:
        assert kept.all()


@PROFILE
@given(
    batch_size=batch_sizes,
    timesteps=sizes,
    features=sizes,
    use_mask=st.booleans(),
    seed=data_seeds,
)
def test_masked_average_matches_a_numpy_reference(batch_size, timesteps, features, use_mask, seed):
    x = _floats((batch_size, timesteps, features), seed)
    mask = np.random.default_rng(seed + 1).random((batch_size, timesteps)) > 0.4
    layer = MaskedAverage()
    kwargs = {"mask": mask} if use_mask else {}
    first = _np(layer(x, **kwargs))
    second = _np(layer(x, **kwargs))

    if use_mask:
        counts = mask.sum(axis=1, keepdims=True)
        total = (x * mask[..., None]).sum(axis=1)
        expected = np.divide(total, counts, out=np.zeros_like(total), where=counts > 0)
    else:
        expected = x.mean(axis=1)
    assert first.shape == (batch_size, features)
    assert tuple(layer.compute_output_shape(x.shape)) == (batch_size, features)
    np.testing.assert_allclose(first, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(first, second)


@FEW
@given(
    batch_size=st.integers(1, 2),
    height=st.integers(1, 9),
    width=st.integers(1, 9),
    channels=st.integers(1, 3),
    filters=st.integers(1, 4),
    strides=st.integers(1, 3),
    seed=data_seeds,
)
def test_resnet_block_output_shape_and_projection(
    batch_size, height, width, channels, filters, strides, seed
):
    x = _floats((batch_size, height, width, channels), seed)
    block = ResNetBlock(filters, strides=strides)
    first, second = _np(block(x)), _np(block(x))

    expected = (batch_size, -(-height // strides), -(-width // strides), filters)
    assert first.shape == expected
    assert tuple(block.compute_output_shape(x.shape)) == expected
    assert block.use_projection == (strides != 1 or channels != filters)
    assert (first >= 0).all()  # the block ends with a ReLU
    _assert_finite(first)
    np.testing.assert_array_equal(first, second)  # inference uses the moving statistics


@FEW
@given(
    batch_size=st.integers(1, 2),
    side=st.integers(4, 10),
    channels=st.integers(1, 2),
    num_classes=st.integers(1, 4),
    filters=st.lists(st.integers(1, 4), min_size=1, max_size=2),
    seed=data_seeds,
)
def test_resnet_gives_one_logit_per_class(batch_size, side, channels, num_classes, filters, seed):
    x = _floats((batch_size, side, side, channels), seed)
    model = ResNet(num_classes=num_classes, filters=filters)
    first, second = _np(model(x)), _np(model(x))

    assert first.shape == (batch_size, num_classes)
    assert tuple(model.compute_output_shape(x.shape)) == (batch_size, num_classes)
    _assert_finite(first)
    np.testing.assert_array_equal(first, second)


@PROFILE
@given(
    shape=st.lists(st.integers(1, 4), min_size=2, max_size=3),
    seed=layer_seeds,
    data_seed=data_seeds,
)
def test_sampling_is_seeded_and_exact_when_the_variance_is_zero(shape, seed, data_seed):
    z_mean = _floats(shape, data_seed)
    z_log_var = _floats(shape, data_seed + 1, scale=1.0)
    layer, twin = Sampling(seed=seed), Sampling(seed=seed)

    first = _np(layer([z_mean, z_log_var]))
    assert first.shape == tuple(shape)
    assert tuple(layer.compute_output_shape([z_mean.shape, z_log_var.shape])) == tuple(shape)
    _assert_finite(first)
    # Same seed, same generator state: the same draw.
    np.testing.assert_array_equal(first, _np(twin([z_mean, z_log_var])))
    # The generator moves on: a second call draws new noise.
    assert not np.array_equal(first, _np(layer([z_mean, z_log_var])))
    # The deterministic part: exp(0.5 * -1000) is exactly 0 in float32, so z is z_mean.
    no_variance = np.full(shape, -1000.0, dtype="float32")
    np.testing.assert_array_equal(_np(layer([z_mean, no_variance])), z_mean)


@PROFILE
@given(
    batch_size=batch_sizes,
    latent_dim=sizes,
    kl_weight=st.floats(min_value=0.0, max_value=5.0),
    seed=layer_seeds,
    data_seed=data_seeds,
)
def test_kl_divergence_sampling_loss_is_deterministic_and_non_negative(
    batch_size, latent_dim, kl_weight, seed, data_seed
):
    z_mean = _floats((batch_size, latent_dim), data_seed)
    z_log_var = _floats((batch_size, latent_dim), data_seed + 1, scale=1.0)
    layer, twin = (
        KLDivergenceSampling(kl_weight, seed=seed),
        KLDivergenceSampling(kl_weight, seed=seed),
    )

    first = _np(layer([z_mean, z_log_var]))
    first_loss = float(layer.losses[0])
    second_loss = (layer([z_mean, z_log_var]), float(layer.losses[0]))[1]

    assert first.shape == (batch_size, latent_dim)
    np.testing.assert_array_equal(first, _np(twin([z_mean, z_log_var])))
    expected = 0.5 * kl_weight * np.mean(np.exp(z_log_var) + z_mean**2 - z_log_var - 1)
    assert first_loss == pytest.approx(expected, rel=1e-4, abs=1e-6)
    assert first_loss >= 0 and math.isfinite(first_loss)
    assert first_loss == second_loss  # the loss depends on the distribution, not on the draw


@PROFILE
@given(
    batch_size=batch_sizes,
    input_dim=sizes,
    intermediate_dim=sizes,
    latent_dim=sizes,
    seed=layer_seeds,
    data_seed=data_seeds,
)
def test_encoder_mean_and_log_variance_are_deterministic(
    batch_size, input_dim, intermediate_dim, latent_dim, seed, data_seed
):
    x = _floats((batch_size, input_dim), data_seed)
    encoder = Encoder(latent_dim=latent_dim, intermediate_dim=intermediate_dim, seed=seed)
    encoder.build(x.shape)
    # A twin with the same weights and the same seed; built, not called, so that neither
    # generator has moved yet.
    twin = Encoder.from_config(encoder.get_config())
    twin.build(x.shape)
    twin.set_weights(encoder.get_weights())

    z_mean, z_log_var, z = (_np(t) for t in encoder(x))
    for output in (z_mean, z_log_var, z):
        assert output.shape == (batch_size, latent_dim)
    assert [tuple(s) for s in encoder.compute_output_shape(x.shape)] == [z_mean.shape] * 3
    _assert_finite(z_mean, z_log_var, z)
    again = [_np(t) for t in encoder(x)]
    np.testing.assert_array_equal(again[0], z_mean)
    np.testing.assert_array_equal(again[1], z_log_var)
    np.testing.assert_array_equal(_np(twin(x)[2]), z)


@PROFILE
@given(
    batch_size=batch_sizes,
    latent_dim=sizes,
    intermediate_dim=sizes,
    original_dim=sizes,
    seed=data_seeds,
)
def test_decoder_outputs_probabilities(
    batch_size, latent_dim, intermediate_dim, original_dim, seed
):
    z = _floats((batch_size, latent_dim), seed)
    decoder = Decoder(original_dim=original_dim, intermediate_dim=intermediate_dim)
    first, second = _np(decoder(z)), _np(decoder(z))

    assert first.shape == (batch_size, original_dim)
    assert tuple(decoder.compute_output_shape(z.shape)) == (batch_size, original_dim)
    assert ((first >= 0) & (first <= 1)).all()
    np.testing.assert_array_equal(first, second)


@PROFILE
@given(
    batch_size=batch_sizes,
    original_dim=sizes,
    intermediate_dim=sizes,
    latent_dim=sizes,
    kl_weight=st.floats(min_value=0.0, max_value=5.0),
    seed=layer_seeds,
    data_seed=data_seeds,
)
def test_vae_reconstructs_in_range_with_a_deterministic_mean_path(
    batch_size, original_dim, intermediate_dim, latent_dim, kl_weight, seed, data_seed
):
    x = np.random.default_rng(data_seed).random((batch_size, original_dim)).astype("float32")
    kwargs = dict(
        original_dim=original_dim,
        intermediate_dim=intermediate_dim,
        latent_dim=latent_dim,
        kl_weight=kl_weight,
        seed=seed,
    )
    vae = VariationalAutoEncoder(**kwargs)
    vae.build(x.shape)
    twin = VariationalAutoEncoder(**kwargs)
    twin.build(x.shape)
    twin.set_weights(vae.get_weights())

    reconstruction = _np(vae(x))
    kl_loss = float(_np(vae.losses[0]))
    assert reconstruction.shape == (batch_size, original_dim)
    assert ((reconstruction >= 0) & (reconstruction <= 1)).all()
    assert kl_loss >= 0 and math.isfinite(kl_loss)
    np.testing.assert_array_equal(_np(twin(x)), reconstruction)
    # The mean path (decoder of z_mean) and the KL loss do not depend on the draw.
    mean_path = _np(vae.decoder(vae.encoder(x)[0]))
    np.testing.assert_array_equal(_np(vae.decoder(vae.encoder(x)[0])), mean_path)
    vae(x)
    assert float(_np(vae.losses[0])) == kl_loss


@PROFILE
@given(
    batch_size=batch_sizes,
    original_dim=sizes,
    intermediate_dim=sizes,
    latent_dim=sizes,
    seed=layer_seeds,
    data_seed=data_seeds,
)
def test_functional_vae_is_reproducible_from_the_seeds(
    batch_size, original_dim, intermediate_dim, latent_dim, seed, data_seed
):
    x = np.random.default_rng(data_seed).random((batch_size, original_dim)).astype("float32")

    def build():
        keras.utils.set_random_seed(data_seed)  # the weights follow the global seed
        return build_functional_vae(
            original_dim=original_dim,
            intermediate_dim=intermediate_dim,
            latent_dim=latent_dim,
            seed=seed,
        )

    model, twin = build(), build()
    first = _np(model(x))
    kl_loss = float(model.losses[0])
    assert first.shape == (batch_size, original_dim)
    assert ((first >= 0) & (first <= 1)).all()
    np.testing.assert_array_equal(_np(twin(x)), first)
    model(x)
    assert float(model.losses[0]) == kl_loss


# ---------------------------------------------------------------------------------------------
# Layers nested in a subclassed model: the output shape must be inferred symbolically too.
# (Under JAX, Keras infers it by tracing call() with symbolic batch dimensions.)
# ---------------------------------------------------------------------------------------------


class _Wrapper(keras.Model):
    """A subclassed model without compute_output_shape(): Keras must trace call()."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.inner = layer

    def call(self, inputs):
        return self.inner(*inputs) if isinstance(inputs, tuple) else self.inner(inputs)


#: name -> (factory, input shapes without the batch axis, output shape without it). ComputeSum's
#: output has no batch axis and the Encoder returns three tensors: both are tested on their own.
_NESTED = {
    "Linear": (lambda: Linear(3), [(4,)], (3,)),
    "MLPBlock": (lambda: MLPBlock((4, 2)), [(4,)], (2,)),
    "ActivityRegularizationLayer": (lambda: ActivityRegularizationLayer(), [(4,)], (4,)),
    "CustomDropout": (lambda: CustomDropout(0.5, seed=1), [(4,)], (4,)),
    "MaskedAverage": (lambda: MaskedAverage(), [(5, 3)], (3,)),
    "LogisticEndpoint": (lambda: LogisticEndpoint(), [(1,), (1,)], (1,)),
    "Sampling": (lambda: Sampling(seed=1), [(2,), (2,)], (2,)),
    "KLDivergenceSampling": (lambda: KLDivergenceSampling(seed=1), [(2,), (2,)], (2,)),
    "Decoder": (lambda: Decoder(6, 4), [(2,)], (6,)),
    "ResNetBlock": (lambda: ResNetBlock(4), [(6, 6, 2)], (6, 6, 4)),
    "VariationalAutoEncoder": (lambda: VariationalAutoEncoder(6, 4, 2, seed=1), [(6,)], (6,)),
    "ResNet": (lambda: ResNet(3, filters=(4,)), [(8, 8, 1)], (3,)),
}


@pytest.mark.parametrize("name", sorted(_NESTED))
def test_output_shape_is_inferred_inside_a_subclassed_model(name):
    factory, input_shapes, output_shape = _NESTED[name]
    inputs = [keras.Input(shape=s) for s in input_shapes]
    data = [np.zeros((2, *s), dtype="float32") for s in input_shapes]
    if name in ("Sampling", "KLDivergenceSampling"):  # one argument: the (z_mean, z_log_var) list
        inputs_arg, data_arg = inputs, data
    elif len(inputs) > 1:  # several arguments (logits, targets): the wrapper unpacks a tuple
        inputs_arg, data_arg = tuple(inputs), tuple(data)
    else:
        inputs_arg, data_arg = inputs[0], data[0]
    wrapper = _Wrapper(factory())
    outputs = wrapper(inputs_arg)
    assert tuple(outputs.shape) == (None, *output_shape)
    assert tuple(wrapper(data_arg).shape) == (2, *output_shape)


def test_encoder_output_shape_is_inferred_inside_a_subclassed_model():
    outputs = _Wrapper(Encoder(latent_dim=2, intermediate_dim=4, seed=1))(keras.Input(shape=(6,)))
    assert [tuple(o.shape) for o in outputs] == [(None, 2)] * 3


# ---------------------------------------------------------------------------------------------
# 4. Inputs outside the contract
# ---------------------------------------------------------------------------------------------

#: name -> (factory, which ranks the contract allows)
_RANKED = {
    "Linear": (lambda: Linear(3), lambda r: r >= 2),
    "MLPBlock": (lambda: MLPBlock((3, 2)), lambda r: r >= 2),
    "ComputeSum": (lambda: ComputeSum(), lambda r: r == 2),
    "MaskedAverage": (lambda: MaskedAverage(), lambda r: r == 3),
    "ResNetBlock": (lambda: ResNetBlock(2), lambda r: r == 4),
    "ResNet": (lambda: ResNet(2, filters=(2,)), lambda r: r == 4),
    "Encoder": (lambda: Encoder(2, 3), lambda r: r >= 2),
    "Decoder": (lambda: Decoder(4, 3), lambda r: r >= 2),
    "VariationalAutoEncoder": (lambda: VariationalAutoEncoder(3, 3, 2), lambda r: r == 2),
}


@pytest.mark.parametrize("name", sorted(_RANKED))
@PROFILE
@given(data=st.data())
def test_a_rank_outside_the_contract_names_the_received_shape(name, data):
    factory, allowed = _RANKED[name]
    rank = data.draw(st.integers(1, 5).filter(lambda r: not allowed(r)), label="rank")
    shape = tuple(data.draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank)))
    x = np.ones(shape, dtype="float32")
    _raises_value_error(lambda: factory()(x), str(shape))


#: name -> (factory, a valid input shape whose last axis is the one the layer is built for)
_BUILT_FOR = {
    "Linear": (lambda: Linear(3), (2, 4)),
    "MLPBlock": (lambda: MLPBlock((3, 2)), (2, 4)),
    "ComputeSum": (lambda: ComputeSum(), (2, 4)),
    "ResNetBlock": (lambda: ResNetBlock(2), (1, 4, 4, 4)),
    "ResNet": (lambda: ResNet(2, filters=(2,)), (1, 4, 4, 4)),
    "Encoder": (lambda: Encoder(2, 3), (2, 4)),
    "Decoder": (lambda: Decoder(4, 3), (2, 4)),
    "VariationalAutoEncoder": (lambda: VariationalAutoEncoder(4, 3, 2), (2, 4)),
    "build_functional_vae": (lambda: build_functional_vae(4, 3, 2), (2, 4)),
}


@pytest.mark.parametrize("name", sorted(_BUILT_FOR))
@PROFILE
@given(last_dim=st.integers(1, 8).filter(lambda d: d != 4))
def test_a_different_last_dimension_after_build_names_the_received_shape(name, last_dim):
    factory, built_shape = _BUILT_FOR[name]
    layer = factory()
    layer(np.ones(built_shape, dtype="float32"))
    shape = (*built_shape[:-1], last_dim)
    _raises_value_error(lambda: layer(np.ones(shape, dtype="float32")), str(shape))


_WEIGHTED = {
    "Linear": (lambda: Linear(3), (2, 0)),
    "MLPBlock": (lambda: MLPBlock((3,)), (2, 0)),
    "ResNetBlock": (lambda: ResNetBlock(2), (1, 4, 4, 0)),
    "ResNet": (lambda: ResNet(2, filters=(2,)), (1, 4, 4, 0)),
    "Encoder": (lambda: Encoder(2, 3), (2, 0)),
    "Decoder": (lambda: Decoder(4, 3), (2, 0)),
}


@pytest.mark.parametrize("name", sorted(_WEIGHTED))
def test_an_empty_feature_axis_cannot_build_weights(name):
    # A weight matrix with zero rows would silently ignore the input (the output would be the
    # bias alone): refuse to build it.
    factory, shape = _WEIGHTED[name]
    _raises_value_error(lambda: factory()(np.ones(shape, dtype="float32")), str(shape))


#: Every layer and model with the call that feeds it one input of the given dtype.
def _call_with(name, make):
    """Calls the object `name` with inputs made by `make(shape)` (all float inputs replaced)."""
    calls = {
        "Linear": lambda: Linear(3)(make((2, 4))),
        "MLPBlock": lambda: MLPBlock((3, 2))(make((2, 4))),
        "ComputeSum": lambda: ComputeSum()(make((2, 4))),
        "ActivityRegularizationLayer": lambda: ActivityRegularizationLayer()(make((2, 4))),
        "LogisticEndpoint": lambda: LogisticEndpoint()(make((2, 1))),
        "CustomDropout": lambda: CustomDropout(0.5, seed=1)(make((2, 4)), training=True),
        "MaskedAverage": lambda: MaskedAverage()(make((2, 3, 4))),
        "ResNetBlock": lambda: ResNetBlock(2)(make((1, 4, 4, 2))),
        "ResNet": lambda: ResNet(2, filters=(2,))(make((1, 4, 4, 1))),
        "Sampling": lambda: Sampling(seed=1)([make((2, 3)), make((2, 3))]),
        "KLDivergenceSampling": lambda: KLDivergenceSampling(seed=1)([make((2, 3)), make((2, 3))]),
        "Encoder": lambda: Encoder(2, 3)(make((2, 4))),
        "Decoder": lambda: Decoder(4, 3)(make((2, 2))),
        "VariationalAutoEncoder": lambda: VariationalAutoEncoder(4, 3, 2)(make((2, 4))),
        "build_functional_vae": lambda: build_functional_vae(4, 3, 2)(make((2, 4))),
    }
    return calls[name]


_ALL_CALLABLE = sorted(
    [
        "Linear",
        "MLPBlock",
        "ComputeSum",
        "ActivityRegularizationLayer",
        "LogisticEndpoint",
        "CustomDropout",
        "MaskedAverage",
        "ResNetBlock",
        "ResNet",
        "Sampling",
        "KLDivergenceSampling",
        "Encoder",
        "Decoder",
        "VariationalAutoEncoder",
        "build_functional_vae",
    ]
)


@pytest.mark.parametrize("name", _ALL_CALLABLE)
def test_a_string_array_is_refused_with_a_value_error(name):
    def strings(shape):
        return np.full(shape, "a")

    # The functional VAE starts with keras.Input(float32): Keras converts the array to it first,
    # which NumPy refuses (TensorFlow, JAX) or the torch backend refuses by dtype name.
    functional = {"torch": "Invalid dtype: str"}.get(
        keras.backend.backend(), "could not convert string"
    )
    fragment = functional if name == "build_functional_vae" else STRING_FRAGMENT
    _raises_value_error(_call_with(name, strings), fragment)


_FLOAT_ONLY = [
    "CustomDropout",
    "LogisticEndpoint",
    "ResNet",
    "ResNetBlock",
    "Sampling",
    "KLDivergenceSampling",
]


@pytest.mark.parametrize("name", _FLOAT_ONLY)
@pytest.mark.parametrize("dtype", ["int32", "bool"])
def test_layers_that_need_floats_refuse_integers_by_name(name, dtype):
    def integers(shape):
        return np.ones(shape, dtype=dtype)

    _raises_value_error(_call_with(name, integers), f".dtype={dtype}")


_INTEGERS_ARE_NUMBERS = ["Linear", "ComputeSum", "MaskedAverage"]


def test_logistic_endpoint_takes_integer_targets_but_not_strings():
    logits = np.zeros((2, 1), dtype="float32")
    probabilities = LogisticEndpoint()(logits, np.ones((2, 1), dtype="int32"))
    np.testing.assert_allclose(_np(probabilities), 0.5)
    _raises_value_error(lambda: LogisticEndpoint()(logits, np.full((2, 1), "a")), STRING_FRAGMENT)


@pytest.mark.parametrize("name", _INTEGERS_ARE_NUMBERS)
def test_layers_that_take_any_number_accept_integers(name):
    outputs = _call_with(name, lambda shape: np.ones(shape, dtype="int32"))()
    assert keras.backend.is_float_dtype(keras.backend.standardize_dtype(outputs.dtype))


@PROFILE
@given(
    batch_size=batch_sizes,
    timesteps=st.integers(2, 4),
    mask_shape=st.lists(st.integers(1, 5), min_size=1, max_size=3),
)
def test_masked_average_refuses_a_mask_of_another_shape(batch_size, timesteps, mask_shape):
    mask_shape = tuple(mask_shape)
    if mask_shape == (batch_size, timesteps):
        mask_shape = (batch_size, timesteps + 1)
    x = np.ones((batch_size, timesteps, 3), dtype="float32")
    mask = np.ones(mask_shape, dtype=bool)
    _raises_value_error(lambda: MaskedAverage()(x, mask=mask), f"mask={mask_shape}")


@PROFILE
@given(batch_size=st.integers(2, 4), other=st.integers(2, 6))
def test_logistic_endpoint_refuses_sample_weights_of_another_batch(batch_size, other):
    # Size 1 broadcasts, so it is allowed; any other size must match the batch.
    other = other if other != batch_size else batch_size + 1
    logits = np.zeros((batch_size, 1), dtype="float32")
    weights = np.ones((other,), dtype="float32")
    _raises_value_error(
        lambda: LogisticEndpoint()(logits, logits, weights), f"sample_weight=({other},)"
    )


@PROFILE
@given(mean_shape=st.lists(sizes, min_size=2, max_size=3), extra=sizes)
def test_sampling_refuses_pairs_of_different_shapes(mean_shape, extra):
    mean_shape = tuple(mean_shape)
    log_var_shape = (*mean_shape[:-1], mean_shape[-1] + extra)
    z_mean = np.zeros(mean_shape, dtype="float32")
    z_log_var = np.zeros(log_var_shape, dtype="float32")
    for layer in (Sampling(seed=1), KLDivergenceSampling(seed=1)):
        _raises_value_error(
            lambda layer=layer: layer([z_mean, z_log_var]),
            f"z_mean={mean_shape}",
            f"z_log_var={log_var_shape}",
        )


# Constructor arguments ------------------------------------------------------------------------

not_positive_ints = st.one_of(
    st.integers(max_value=0),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=3),
    st.none(),
)

#: (factory taking the bad value, argument name as the message writes it)
_SIZE_ARGUMENTS = {
    "Linear.units": (lambda v: Linear(units=v), "units"),
    "ResNetBlock.filters": (lambda v: ResNetBlock(filters=v), "filters"),
    "ResNetBlock.strides": (lambda v: ResNetBlock(4, strides=v), "strides"),
    "ResNet.num_classes": (lambda v: ResNet(num_classes=v), "num_classes"),
    "ResNet.blocks_per_stage": (lambda v: ResNet(blocks_per_stage=v), "blocks_per_stage"),
    "Encoder.latent_dim": (lambda v: Encoder(latent_dim=v), "latent_dim"),
    "Encoder.intermediate_dim": (lambda v: Encoder(intermediate_dim=v), "intermediate_dim"),
    "Decoder.original_dim": (lambda v: Decoder(original_dim=v), "original_dim"),
    "Decoder.intermediate_dim": (lambda v: Decoder(4, intermediate_dim=v), "intermediate_dim"),
    "VariationalAutoEncoder.original_dim": (
        lambda v: VariationalAutoEncoder(original_dim=v),
        "original_dim",
    ),
    "VariationalAutoEncoder.latent_dim": (
        lambda v: VariationalAutoEncoder(latent_dim=v),
        "latent_dim",
    ),
    "build_functional_vae.intermediate_dim": (
        lambda v: build_functional_vae(intermediate_dim=v),
        "intermediate_dim",
    ),
    "build_functional_vae.latent_dim": (
        lambda v: build_functional_vae(latent_dim=v),
        "latent_dim",
    ),
}


@pytest.mark.parametrize("target", sorted(_SIZE_ARGUMENTS))
@PROFILE
@given(value=not_positive_ints)
def test_a_size_that_is_not_a_positive_integer_is_named_with_its_value(target, value):
    factory, argument = _SIZE_ARGUMENTS[target]
    _raises_value_error(lambda: factory(value), f"{argument}={value!r}")


@pytest.mark.parametrize("target", ["MLPBlock.units", "ResNet.filters"])
@PROFILE
@given(good=st.lists(sizes, max_size=2), bad=not_positive_ints)
def test_a_size_list_with_a_bad_entry_is_named_with_its_value(target, good, bad):
    values = [*good, bad]
    if target == "MLPBlock.units":
        _raises_value_error(lambda: MLPBlock(units=values), f"units={values!r}")
    else:
        _raises_value_error(lambda: ResNet(filters=values), f"filters={values!r}")


def _outside(low, high=None):
    """Numbers outside [low, high) (or below `low` when `high` is None), and non-numbers."""
    # -0.0 == 0.0 is inside the range, hence the filter rather than exclude_max.
    outside = st.floats(max_value=low, allow_nan=False).filter(lambda v: v < low)
    outside |= st.just(float("nan"))
    if high is not None:
        outside |= st.floats(min_value=high, allow_nan=False)
    return outside | st.booleans() | st.text(max_size=3) | st.none() | st.just(float("inf"))


_RATE_ARGUMENTS = {
    "CustomDropout.rate": (lambda v: CustomDropout(rate=v), "rate", _outside(0.0, 1.0)),
    "ActivityRegularizationLayer.rate": (
        lambda v: ActivityRegularizationLayer(rate=v),
        "rate",
        _outside(0.0),
    ),
    "KLDivergenceSampling.kl_weight": (
        lambda v: KLDivergenceSampling(kl_weight=v),
        "kl_weight",
        _outside(0.0),
    ),
    "VariationalAutoEncoder.kl_weight": (
        lambda v: VariationalAutoEncoder(kl_weight=v),
        "kl_weight",
        _outside(0.0),
    ),
    "build_functional_vae.kl_weight": (
        lambda v: build_functional_vae(4, 3, 2, kl_weight=v),
        "kl_weight",
        _outside(0.0),
    ),
}


@pytest.mark.parametrize("target", sorted(_RATE_ARGUMENTS))
@PROFILE
@given(data=st.data())
def test_a_rate_outside_its_range_is_named_with_its_value(target, data):
    factory, argument, values = _RATE_ARGUMENTS[target]
    value = data.draw(values, label=argument)
    _raises_value_error(lambda: factory(value), f"{argument}={value!r}")


not_seeds = st.floats(allow_nan=False) | st.text(max_size=3) | st.booleans()

_SEED_ARGUMENTS = {
    "Sampling": lambda v: Sampling(seed=v),
    "KLDivergenceSampling": lambda v: KLDivergenceSampling(seed=v),
    "CustomDropout": lambda v: CustomDropout(0.5, seed=v),
    "Encoder": lambda v: Encoder(seed=v),
    "VariationalAutoEncoder": lambda v: VariationalAutoEncoder(seed=v),
    "build_functional_vae": lambda v: build_functional_vae(4, 3, 2, seed=v),
}


@pytest.mark.parametrize("name", sorted(_SEED_ARGUMENTS))
@PROFILE
@given(value=not_seeds)
def test_a_seed_that_is_not_an_integer_is_named_with_its_value(name, value):
    _raises_value_error(lambda: _SEED_ARGUMENTS[name](value), f"seed={value!r}")


def test_every_public_layer_and_model_is_covered():
    public = {
        name
        for name in companion.__all__
        if isinstance(getattr(companion, name), type)
        and issubclass(getattr(companion, name), keras.layers.Layer)
    } | {"build_functional_vae"}
    assert public - WITHOUT_ROBUSTNESS_CASE_YET <= set(_ALL_CALLABLE)
