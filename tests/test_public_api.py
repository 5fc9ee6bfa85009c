"""The package root: every public name is exported, tested, and (for layers/models) registered."""

import ast
import inspect
import pathlib

import keras
import pytest

import companion
import companion.layers
import companion.models

TESTS = pathlib.Path(__file__).resolve().parent
PUBLIC = [name for name in companion.__all__ if not name.startswith("__")]
KERAS_CLASSES = [
    getattr(companion, name)
    for name in PUBLIC
    if inspect.isclass(getattr(companion, name))
    and issubclass(getattr(companion, name), keras.layers.Layer)
]


def _identifiers(path):
    """Every name a Python file uses as code: names, attributes and imported names.

    Words inside strings and comments do not count, and a name only matches itself:
    `Encoder` is not found in `VariationalAutoEncoder`.
    """
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[-1])
            names.add(node.name.split(".")[-1])
    return names


TEST_IDENTIFIERS = set().union(
    *(_identifiers(path) for path in TESTS.rglob("test_*.py") if path.name != "test_public_api.py")
)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_name_in_all_is_a_companion_object(name):
    # Resolved with getattr, so names the root imports lazily count too. A helper leaking into
    # __all__ (a module, `keras`, a function from elsewhere) fails here.
    value = getattr(companion, name)
    assert not inspect.ismodule(value)
    if inspect.isclass(value) or inspect.isfunction(value):
        assert value.__module__.split(".")[0] == "companion", value.__module__
    assert companion.__all__.count(name) == 1


@pytest.mark.parametrize("package", [companion.layers, companion.models])
def test_every_layer_and_model_of_the_subpackages_is_exported_from_the_root(package):
    exported = {
        name
        for name, value in vars(package).items()
        if not name.startswith("_") and (inspect.isclass(value) or inspect.isfunction(value))
    }
    assert exported and exported <= set(PUBLIC)


def test_star_import_gives_the_public_names():
    namespace = {}
    exec("from companion import *", namespace)
    assert {name for name in namespace if name != "__builtins__"} == set(companion.__all__)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_is_exercised_by_a_test(name):
    assert name in TEST_IDENTIFIERS, f"no test under tests/ uses companion.{name} in code"


def test_the_name_search_matches_whole_names_only():
    identifiers = _identifiers(TESTS / "models" / "test_variational_autoencoder.py")
    assert "VariationalAutoEncoder" in identifiers
    assert "AutoEncoder" not in identifiers


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
