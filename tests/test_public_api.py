"""The package root: every public name is exported, tested, and (for layers/models) registered."""

import inspect
import pathlib

import keras
import pytest

import companion

TESTS = pathlib.Path(__file__).resolve().parent
TEST_SOURCES = "\n".join(
    path.read_text() for path in TESTS.rglob("test_*.py") if path.name != "test_public_api.py"
)
PUBLIC = [name for name in companion.__all__ if not name.startswith("__")]
KERAS_CLASSES = [
    getattr(companion, name)
    for name in PUBLIC
    if inspect.isclass(getattr(companion, name))
    and issubclass(getattr(companion, name), keras.layers.Layer)
]


def test_all_lists_the_public_names_in_sorted_order():
    assert companion.__all__ == sorted(companion.__all__)
    for name in PUBLIC:
        assert hasattr(companion, name)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_is_exercised_by_a_test(name):
    assert name in TEST_SOURCES, f"no test under tests/ mentions companion.{name}"


def test_the_course_ships_every_layer_and_model_of_the_syllabus():
    expected = {
        "Linear", "ComputeSum", "MLPBlock", "ActivityRegularizationLayer", "LogisticEndpoint",
        "CustomDropout", "MaskedAverage", "ResNetBlock", "Sampling", "KLDivergenceSampling",
        "Encoder", "Decoder", "ResNet", "VariationalAutoEncoder",
    }  # fmt: skip
    assert expected <= {cls.__name__ for cls in KERAS_CLASSES}
    assert callable(companion.build_functional_vae)


@pytest.mark.parametrize("cls", KERAS_CLASSES, ids=lambda cls: cls.__name__)
def test_layers_and_models_are_registered_for_serialization(cls):
    # `import companion` alone must be enough for keras.saving.load_model to find them.
    assert keras.saving.get_registered_name(cls) == f"companion>{cls.__name__}"
    assert keras.saving.get_registered_object(f"companion>{cls.__name__}") is cls


@pytest.mark.parametrize("cls", KERAS_CLASSES, ids=lambda cls: cls.__name__)
def test_layers_and_models_have_korean_docstrings_in_keras_order(cls):
    doc = inspect.getdoc(cls)
    assert doc and any("\uac00" <= ch <= "\ud7a3" for ch in doc.splitlines()[0])
    assert "Args:" in doc
