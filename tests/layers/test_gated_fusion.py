"""Tests for companion.layers.gated_fusion (GatedFusion)."""

import keras
import numpy as np
import pytest
from contract import (
    assert_config_round_trip,
    assert_fit_lowers_loss,
    assert_keras_round_trip,
    assert_mixed_float16,
    assert_weights,
    numpy,
    raises_naming,
    raises_showing,
)

from companion import GatedFusion

RNG = np.random.default_rng(11)
A = RNG.normal(size=(2, 4, 3)).astype("float32")
B = RNG.normal(size=(2, 4, 3)).astype("float32")


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _built(**kwargs):
    layer = GatedFusion(**kwargs)
    layer([A, B])
    rng = np.random.default_rng(5)
    layer.set_weights([rng.normal(size=w.shape).astype("float32") for w in layer.weights])
    return layer


def _reference(layer, a, b):
    kernel, bias = (numpy(w) for w in layer.weights)
    gate = _sigmoid(np.concatenate([a, b], axis=-1) @ kernel + bias)
    return gate * a + (1 - gate) * b, gate


def test_basics_values_weights_and_list_shapes_in_build():
    layer = _built(name="fusion")
    assert_weights(
        layer, trainable=2, paths=["fusion/kernel", "fusion/bias"], shapes=[(6, 3), (3,)]
    )
    expected, _ = _reference(layer, A, B)
    np.testing.assert_allclose(numpy(layer([A, B])), expected, atol=1e-5)
    np.testing.assert_allclose(numpy(layer((A[:, 0], B[:, 0]))), expected[:, 0], atol=1e-5)
    seen = []

    class Recording(GatedFusion):
        def build(self, input_shape):
            seen.append(input_shape)
            super().build(input_shape)

    Recording()([A, B])
    assert seen == [[(2, 4, 3), (2, 4, 3)]]


def test_return_gate_gives_a_dict_read_by_key():
    layer = _built(return_gate=True)
    outputs = layer([A, B])
    assert sorted(outputs) == ["gate", "output"]
    expected, gate = _reference(layer, A, B)
    np.testing.assert_allclose(numpy(outputs["output"]), expected, atol=1e-5)
    np.testing.assert_allclose(numpy(outputs["gate"]), gate, atol=1e-5)
    shapes = layer.compute_output_shape([(None, 4, 3), (None, 4, 3)])
    assert shapes == {"output": (None, 4, 3), "gate": (None, 4, 3)}


def test_symbolic_dict_output_in_a_functional_model():
    a, b = keras.Input((None, 3)), keras.Input((None, 3))
    outputs = GatedFusion(return_gate=True)([a, b])
    assert {k: v.shape for k, v in outputs.items()} == {
        "output": (None, None, 3),
        "gate": (None, None, 3),
    }
    # The order of the keys depends on the backend (tests/test_keras_facts.py): read by key.
    model = keras.Model([a, b], outputs)
    predicted = model.predict([A, B], verbose=0)
    assert sorted(predicted) == ["gate", "output"]
    np.testing.assert_allclose(predicted["output"], numpy(model([A, B])["output"]), atol=1e-6)


def test_two_masks_are_combined_with_and():
    layer = _built()
    mask_a = np.array([[True, True, True, False], [True, False, False, False]])
    mask_b = np.array([[True, True, False, False], [True, True, True, False]])
    combined = numpy(layer.compute_mask([A, B], [mask_a, mask_b]))
    np.testing.assert_array_equal(combined, mask_a & mask_b)
    np.testing.assert_array_equal(numpy(layer.compute_mask([A, B], [None, mask_b])), mask_b)
    assert layer.compute_mask([A, B], None) is None
    assert layer.compute_mask([A, B], [None, None]) is None
    gated = _built(return_gate=True).compute_mask([A, B], [mask_a, mask_b])
    assert sorted(gated) == ["gate", "output"]


def test_masks_from_embeddings_reach_the_next_layer():
    received = []

    class Probe(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.supports_masking = True

        def call(self, inputs, mask=None):
            received.append(None if mask is None else numpy(mask))
            return inputs

    embedding = keras.layers.Embedding(10, 3, mask_zero=True)
    first = embedding(np.array([[1, 2, 3, 0]]))
    second = embedding(np.array([[4, 5, 0, 0]]))
    Probe()(GatedFusion()([first, second]))
    np.testing.assert_array_equal(received[0], [[True, True, False, False]])
    # Without compute_mask, Keras hands the first input's mask to the output.
    received.clear()

    class FirstMaskOnly(GatedFusion):
        compute_mask = keras.layers.Layer.compute_mask

    Probe()(FirstMaskOnly()([first, second]))
    np.testing.assert_array_equal(received[0], [[True, True, True, False]])


def test_config_round_trip_and_keras_file(tmp_path):
    layer = GatedFusion(return_gate=True, bias_initializer="ones", name="fusion")
    assert_config_round_trip(layer, [A, B], return_gate=True)
    a, b = keras.Input((4, 3)), keras.Input((4, 3))
    model = keras.Model([a, b], GatedFusion(name="fusion")([a, b]))
    assert_keras_round_trip(model, [A, B], tmp_path, layer="fusion", layer_type=GatedFusion)


def test_fit_lowers_the_loss():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(128, 3)).astype("float32")
    b = rng.normal(size=(128, 3)).astype("float32")
    y = np.where(a > 0, a, b).astype("float32")  # the gate must learn to pick a or b
    inputs = [keras.Input((3,)), keras.Input((3,))]
    model = keras.Model(inputs, GatedFusion()(inputs))
    assert_fit_lowers_loss(
        model,
        [a, b],
        y,
        epochs=30,
        optimizer=keras.optimizers.Adam(0.05),
        loss="mse",
        factor=0.7,
    )


def test_mixed_float16():
    layer = GatedFusion(dtype="mixed_float16", return_gate=True)
    outputs = layer([A, B])
    assert_mixed_float16(layer, outputs)


@pytest.mark.parametrize(
    ("argument", "value"),
    [("return_gate", "yes"), ("kernel_initializer", "nope"), ("bias_initializer", 3.5)],
)
def test_bad_arguments(argument, value):
    with raises_naming(argument, value):
        GatedFusion(**{argument: value})


def test_bad_inputs_are_refused():
    with raises_showing("input_shape=(2, 4, 3)"):
        GatedFusion()(A)
    with raises_showing("[(2, 4, 3), (2, 4, 2)]"):
        GatedFusion()([A, B[..., :2]])
    with raises_showing("inputs[1].shape=(2, 4, 2)"):
        _built()([A, B[..., :2]])
    with raises_showing("input_shape=[(None, 4, 3), (None, 5, 3)]"):
        GatedFusion().compute_output_shape([(None, 4, 3), (None, 5, 3)])
    with raises_showing("input_shape=(None, 3)"):
        GatedFusion().build((None, 3))
    with raises_showing("inputs[0].dtype=int32"):
        _built()([A.astype("int32"), B])
