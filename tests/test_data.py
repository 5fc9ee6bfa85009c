"""Tests for companion.data: the Fashion-MNIST loader and the offline cache seeding."""

import os

import numpy as np
import pytest

import companion.data
from companion import FASHION_MNIST_CLASS_NAMES, load_fashion_mnist, seed_keras_cache
from companion.settings import (
    DEBIAN_FASHION_MNIST_DIR,
    FASHION_MNIST_FILES,
    KERAS_FASHION_MNIST_SUBDIR,
)


def test_flat_layout_shapes_dtype_range_and_labels(fashion_mnist_flat):
    (x_train, y_train), (x_test, y_test) = fashion_mnist_flat
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == x_test.dtype == np.float32
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert 0.0 <= x_test.min() and x_test.max() <= 1.0
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert y_train.dtype == y_test.dtype == np.uint8
    # Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
    np.testing.assert_array_equal(np.bincount(y_train), np.full(10, 6000))
    np.testing.assert_array_equal(np.bincount(y_test), np.full(10, 1000))


def test_image_layout_holds_the_same_pixels(fashion_mnist_images, fashion_mnist_flat):
    (x_train, y_train), (x_test, _) = fashion_mnist_images
    assert x_train.shape == (60000, 28, 28, 1) and x_test.shape == (10000, 28, 28, 1)
    assert x_train.dtype == np.float32
    np.testing.assert_array_equal(x_train[:5].reshape(5, 784), fashion_mnist_flat[0][0][:5])
    np.testing.assert_array_equal(y_train, fashion_mnist_flat[0][1])


def test_dtype_argument_sets_the_image_dtype():
    (x_train, y_train), _ = load_fashion_mnist(dtype="float16")
    assert x_train.dtype == np.float16 and y_train.dtype == np.uint8


def test_class_names():
    assert len(FASHION_MNIST_CLASS_NAMES) == 10
    assert len(set(FASHION_MNIST_CLASS_NAMES)) == 10
    assert FASHION_MNIST_CLASS_NAMES[0] == "티셔츠/상의"
    assert FASHION_MNIST_CLASS_NAMES[9] == "앵클부츠"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"layout": "square"}, "layout은 .* 중 하나여야 합니다. 받은 값: layout='square'"),
        ({"dtype": "int32"}, "dtype은 부동소수점이어야 합니다. 받은 값: dtype='int32'"),
        ({"dtype": "no_such_type"}, "dtype을 알 수 없습니다. 받은 값: dtype='no_such_type'"),
        ({"dtype": None}, "받은 값: dtype=None"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_fashion_mnist(**kwargs)


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    """A temporary, writable Keras home so the real cache is never touched."""
    home = tmp_path / "keras_home"
    home.mkdir()
    monkeypatch.setattr(companion.data, "_keras_home", lambda: str(home))
    return home


@pytest.fixture
def source_dir(tmp_path):
    """A stand-in for the Debian package's folder, with small fake files."""
    folder = tmp_path / "source"
    folder.mkdir()
    for name in FASHION_MNIST_FILES:
        (folder / name).write_bytes(f"contents of {name}".encode())
    return folder


def test_seed_keras_cache_copies_the_four_files_once(keras_home, source_dir):
    assert seed_keras_cache(source_dir) == list(FASHION_MNIST_FILES)
    target = keras_home / KERAS_FASHION_MNIST_SUBDIR
    assert sorted(os.listdir(target)) == sorted(FASHION_MNIST_FILES)
    for name in FASHION_MNIST_FILES:
        assert (target / name).read_bytes() == (source_dir / name).read_bytes()
    # Already there: nothing to do.
    assert seed_keras_cache(source_dir) == []


def test_seed_keras_cache_keeps_existing_files_and_skips_missing_sources(keras_home, source_dir):
    target = keras_home / KERAS_FASHION_MNIST_SUBDIR
    target.mkdir(parents=True)
    (target / FASHION_MNIST_FILES[0]).write_bytes(b"downloaded earlier")
    (source_dir / FASHION_MNIST_FILES[3]).unlink()
    assert seed_keras_cache(str(source_dir)) == list(FASHION_MNIST_FILES[1:3])
    assert (target / FASHION_MNIST_FILES[0]).read_bytes() == b"downloaded earlier"
    assert not (target / FASHION_MNIST_FILES[3]).exists()
    assert not any(name.endswith(".part") for name in os.listdir(target))


def test_seed_keras_cache_without_source_folder_does_nothing(keras_home, tmp_path):
    assert seed_keras_cache(tmp_path / "missing") == []
    assert os.listdir(keras_home) == []


@pytest.mark.skipif(not os.path.isdir("/tmp"), reason="needs a /tmp folder")
def test_cache_folder_follows_get_file_when_home_is_not_writable(monkeypatch):
    # keras.utils.get_file() falls back to /tmp/.keras when the Keras home is not writable;
    # the files must land where the loader will look for them.
    monkeypatch.setattr(companion.data, "_keras_home", lambda: "/nonexistent/keras_home")
    assert companion.data._keras_cache_dir() == os.path.join("/tmp", ".keras")


def test_cache_folder_expands_the_home_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(companion.data, "_keras_home", lambda: os.path.join("~", ".keras"))
    (tmp_path / ".keras").mkdir()
    assert companion.data._keras_cache_dir() == os.path.join(str(tmp_path), ".keras")


@pytest.mark.skipif(
    not os.path.isdir(DEBIAN_FASHION_MNIST_DIR), reason="dataset-fashion-mnist is not installed"
)
def test_seed_keras_cache_with_the_debian_files(keras_home):
    assert seed_keras_cache() == list(FASHION_MNIST_FILES)
    target = keras_home / KERAS_FASHION_MNIST_SUBDIR
    for name in FASHION_MNIST_FILES:
        assert (target / name).stat().st_size == os.path.getsize(
            os.path.join(DEBIAN_FASHION_MNIST_DIR, name)
        )


def test_seed_keras_cache_rejects_non_paths():
    with pytest.raises(TypeError, match="source_dir는 경로여야 합니다. 받은 값: 42"):
        seed_keras_cache(42)


def test_data_uses_no_private_keras_module():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(companion.data))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    ]
    assert not [name for name in imported if name and name.startswith("keras.src")]


def test_keras_home_follows_the_keras_rule(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "elsewhere"))
    assert companion.data._keras_home() == str(tmp_path / "elsewhere")
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert companion.data._keras_home() == os.path.join(str(tmp_path), ".keras")


def _idx(path):
    """An IDX file read with NumPy alone: the big-endian header, then the uint8 values."""
    import gzip

    data = gzip.open(path).read()
    ndim = data[3]
    dims = np.frombuffer(data, dtype=">u4", count=ndim, offset=4)
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(tuple(dims))


@pytest.mark.skipif(
    not os.path.isdir(DEBIAN_FASHION_MNIST_DIR), reason="needs the original Fashion-MNIST files"
)
def test_each_image_keeps_its_own_label_in_both_splits(fashion_mnist_images):
    # Read independently of Keras: pixels and labels must come from the same split, in the same
    # order (a shuffled, reversed or swapped label array keeps shapes and the label counts).
    (x_train, y_train), (x_test, y_test) = fashion_mnist_images
    folder = DEBIAN_FASHION_MNIST_DIR
    for x, y, prefix in ((x_train, y_train, "train"), (x_test, y_test, "t10k")):
        images = _idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"))
        labels = _idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"))
        np.testing.assert_array_equal(np.rint(x[..., 0] * 255).astype(np.uint8), images)
        np.testing.assert_array_equal(y, labels)
