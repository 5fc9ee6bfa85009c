"""Shared fixtures for the companion tests."""

import os

# Before Keras/TensorFlow are imported by any test module.
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from companion.settings import SEED  # noqa: E402


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the course seed, so values are reproducible.

    `clear_session()` resets Keras's global state (layer-name counters, the TensorFlow graph)
    after each test. `free_memory=False` skips its `gc.collect()`: with TensorFlow loaded a full
    collection takes about 0.6 s, which made teardown the largest cost of the unit run (one
    second per test, for ~700 tests). Python's own collector still runs as usual.
    """
    keras.utils.set_random_seed(SEED)
    yield
    keras.backend.clear_session(free_memory=False)


@pytest.fixture(scope="session")
def fashion_mnist_flat():
    """The real Fashion-MNIST, flattened to 784-vectors in [0, 1] (loaded once per session)."""
    from companion import load_fashion_mnist

    return load_fashion_mnist(layout="flat")


@pytest.fixture(scope="session")
def fashion_mnist_images():
    """The real Fashion-MNIST as (28, 28, 1) images in [0, 1] (loaded once per session)."""
    from companion import load_fashion_mnist

    return load_fashion_mnist(layout="image")


@pytest.fixture
def rng():
    return np.random.default_rng(SEED)


def pytest_collection_modifyitems(config, items):
    """Tests marked `tensorflow_only` are skipped, not failed, under another Keras backend."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return
    skip = pytest.mark.skip(reason=f"needs the TensorFlow backend (this run uses {backend})")
    for item in items:
        if "tensorflow_only" in item.keywords:
            item.add_marker(skip)
