"""The package installs and imports like a library.

Tests marked `packaging` (run by `make build`, left out of `make unit`) build the wheel and sdist,
check them with `twine check`, install the wheel in a fresh virtual environment with only the
base dependencies and one backend (JAX: the smallest), and use the package there. The other
tests here are quick and run with the unit tests.
"""

import os
import pathlib
import subprocess
import sys
import textwrap
import tomllib
import zipfile

import pytest

import companion

ROOT = pathlib.Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
        f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    return result


def _python(code, env=None):
    """Runs `code` in a new interpreter (from the repository root) and returns its stdout."""
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [full_env.get("PYTHONPATH")])]
    )
    return _run([sys.executable, "-c", textwrap.dedent(code)], env=full_env, cwd=ROOT).stdout


def test_version_has_one_source_the_package_metadata():
    assert companion.__version__ == PYPROJECT["project"]["version"]
    source = (ROOT / "companion" / "__init__.py").read_text()
    assert PYPROJECT["project"]["version"] not in source


def test_license_is_an_spdx_expression():
    assert PYPROJECT["project"]["license"] == "Apache-2.0"


def test_import_needs_neither_ipython_nor_matplotlib():
    # Both blocked: any import of them raises ModuleNotFoundError. Keras tries both and copes.
    output = _python(
        """
        import sys
        for name in ("IPython", "matplotlib", "pygments"):
            sys.modules[name] = None
        import numpy as np
        import companion

        print(repr(companion.show_source(companion.Linear.build)).splitlines()[-1])
        print(companion.show_source(companion.Linear.build)._repr_markdown_().splitlines()[0])
        try:
            companion.plot_generated(np.zeros((2, 784)))
        except ModuleNotFoundError as error:
            print(error)
        """
    )
    lines = output.splitlines()
    assert lines[0].startswith("# 원본: https://github.com/") and "linear.py#L" in lines[0]
    assert lines[1] == "```python"
    assert lines[2].startswith("companion의 그림 함수에는 matplotlib 패키지가 필요합니다.")
    assert "pip install matplotlib" in lines[2]


def test_import_changes_no_matplotlib_setting_and_loads_no_pyplot_of_its_own():
    output = _python(
        """
        import sys
        import matplotlib
        before = dict(matplotlib.rcParams)
        # Keras imports pyplot itself when matplotlib is installed; what companion adds is
        # measured against a process that imported Keras first.
        import keras
        had_pyplot = "matplotlib.pyplot" in sys.modules
        import companion
        print(dict(matplotlib.rcParams) == before)
        print(had_pyplot or "matplotlib.pyplot" not in sys.modules)
        """
    )
    assert output.split() == ["True", "True"]


def test_no_companion_module_imports_ipython_or_pyplot_at_the_top():
    import ast

    for path in (ROOT / "companion").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith(("IPython", "matplotlib")), (
                    f"{path.relative_to(ROOT)} imports {name} when the package is imported"
                )


# ---------------------------------------------------------------------------------------------
# Built and installed (make build).


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", str(outdir), str(ROOT)])
    wheels = sorted(outdir.glob("*.whl"))
    sdists = sorted(outdir.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(outdir.iterdir())
    return wheels[0], sdists[0]


@pytest.mark.packaging
def test_wheel_and_sdist_pass_twine_check(dist):
    result = _run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dist)])
    assert result.stdout.count("PASSED") == 2


@pytest.mark.packaging
def test_wheel_holds_only_the_package(dist):
    wheel, _ = dist
    version = PYPROJECT["project"]["version"]
    assert wheel.name == f"companion-{version}-py3-none-any.whl"
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"companion", f"companion-{version}.dist-info"}
    # Chapter 10 reads its results from the installed package (Colab has no checkout).
    assert "companion/benchmark_results/vae_training.json" in names


@pytest.mark.packaging
def test_fresh_environment_with_base_dependencies_and_jax(dist, tmp_path):
    """Installs the wheel with only its own dependencies plus JAX, then uses it like a reader."""
    import time

    wheel, _ = dist
    # Nothing of this checkout may leak in: no PYTHONPATH (pip would take the source tree's
    # companion.egg-info for an installed package), its own Keras cache.
    env = {
        key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "KERAS_HOME")
    }
    env.update(KERAS_BACKEND="jax", KERAS_HOME=str(tmp_path / "keras_home"))
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], env=env)
    python = venv / "bin" / "python"
    constraints = ROOT / "constraints.txt"
    started = time.perf_counter()
    # Versions from constraints.txt, so pip reuses the wheels it has cached for .venv.
    _run(
        [str(python), "-m", "pip", "install", "-q", "-c", str(constraints), str(wheel), "jax"],
        cwd=tmp_path,
        env=env,
    )
    install_seconds = time.perf_counter() - started

    script = tmp_path / "use_companion.py"
    script.write_text(
        textwrap.dedent(
            """
            import importlib.util
            import os
            import sys
            import tempfile
            import time

            started = time.perf_counter()
            import companion
            import_seconds = time.perf_counter() - started

            import keras
            import numpy as np

            assert keras.backend.backend() == "jax", keras.backend.backend()
            for name in ("tensorflow", "IPython", "jupyter_core"):
                assert importlib.util.find_spec(name) is None, f"{name} is installed"
            assert companion.__version__ == sys.argv[1], companion.__version__

            inputs = keras.Input(shape=(3,))
            outputs = companion.Linear(units=2, name="linear")(inputs)
            model = keras.Model(inputs, outputs)
            x = np.arange(6, dtype="float32").reshape(2, 3)
            before = keras.ops.convert_to_numpy(model(x))
            path = os.path.join(tempfile.mkdtemp(), "model.keras")
            model.save(path)
            reloaded = keras.saving.load_model(path)
            assert type(reloaded.get_layer("linear")) is companion.Linear
            np.testing.assert_allclose(keras.ops.convert_to_numpy(reloaded(x)), before)
            decoder = companion.Decoder(original_dim=np.prod((28, 28)), intermediate_dim=4)
            assert decoder(np.zeros((1, 2), "float32")).shape == (1, 784)
            assert "원본: https://github.com/" in repr(companion.show_source(companion.Linear))
            results = companion.load_benchmark_results()  # package data, no checkout needed
            assert results["summary"] and results["backends"], sorted(results)
            print(f"import_seconds={import_seconds:.2f}")
            """
        )
    )
    result = _run(
        [str(python), str(script), PYPROJECT["project"]["version"]], cwd=tmp_path, env=env
    )
    import_line = result.stdout.strip().splitlines()[-1]
    # Shown with -s (make build): the numbers for the README and the issue.
    print(f"\nfresh venv: pip install {install_seconds:.1f} s, `import companion` {import_line}")
    assert float(import_line.split("=")[1]) < 60
