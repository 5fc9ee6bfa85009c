"""The three places that name versions agree: pyproject.toml, constraints.txt, environment.yml."""

import pathlib
import re
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if match:
            pins[_normalize(match.group(1))] = match.group(2)
    return pins


def _normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture(scope="module")
def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def constraints():
    return _pins((ROOT / "constraints.txt").read_text().splitlines())


@pytest.fixture(scope="module")
def environment():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return env, pip_section


def _requirements(pyproject):
    project = pyproject["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        reqs += [Requirement(r) for r in extra]
    return reqs


def test_environment_pins_every_dependency_within_pyproject_range(pyproject, environment):
    _, pip_section = environment
    pins = _pins(pip_section)
    for req in _requirements(pyproject):
        name = _normalize(req.name)
        assert name in pins, f"environment.yml does not pin {req.name}"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"environment.yml pins {req.name}=={pins[name]}, outside pyproject's {req.specifier}"
        )


def test_environment_and_constraints_agree(environment, constraints):
    _, pip_section = environment
    for name, version in _pins(pip_section).items():
        assert constraints.get(name) == version, (
            f"environment.yml pins {name}=={version}, constraints.txt has {constraints.get(name)}"
        )


def test_environment_installs_the_package_and_matches_python(environment, pyproject):
    env, pip_section = environment
    assert "-e ." in pip_section
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    version = python.split("=", 1)[1]
    floor = pyproject["project"]["requires-python"].removeprefix(">=")
    assert tuple(int(p) for p in version.split(".")) >= tuple(int(p) for p in floor.split("."))


def test_constraints_pin_every_dependency_within_pyproject_range(pyproject, constraints):
    for req in _requirements(pyproject):
        name = _normalize(req.name)
        assert name in constraints, f"constraints.txt does not pin {req.name}"
        assert req.specifier.contains(constraints[name], prereleases=True)


def test_tensorflow_is_not_a_hard_dependency(pyproject):
    # Colab ships `tensorflow`; a CPU machine needs `tensorflow-cpu`. Neither may be forced.
    names = {_normalize(Requirement(r).name) for r in pyproject["project"]["dependencies"]}
    assert not names & {"tensorflow", "tensorflow-cpu"}
