"""The virtual environment of `make test-next`: everything but Keras and its backends as pinned.

`make test-next` tries the course on the next Keras (`keras-nightly`) with the newest
TensorFlow, JAX (and PyTorch) releases. Only those move: the test tools, matplotlib and the
book's other dependencies keep the versions of `constraints.txt`, so a difference in the report
comes from Keras or a backend, not from a new pytest or matplotlib. Run with the Python of that
environment, after the backends and `keras-nightly` are installed:

    .venv-next/bin/python scripts/next_env.py tools DIR
        writes DIR/requirements.txt (the base dependencies of pyproject.toml and every extra, as
        `make venv` installs them, but Keras and the backends)
        and DIR/constraints.txt (constraints.txt less the packages already installed here, whose
        versions came with the newest backends)

    .venv-next/bin/python scripts/next_env.py versions DIR
        writes DIR/versions.json: the version of every installed distribution, and the pins of
        constraints.txt, for the report (scripts/next_report.py)
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: Distributions `make test-next` installs at their newest version, never from constraints.txt.
MOVING = {"keras", "keras-nightly", "tensorflow", "tensorflow-cpu", "jax", "jaxlib", "torch"}


def canonical(name: str) -> str:
    """PEP 503 name: `tensorflow_cpu` and `TensorFlow-CPU` are the same distribution."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return canonical(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1))


def read_constraints(path: pathlib.Path = ROOT / "constraints.txt") -> dict[str, str]:
    """`{canonical name: line}` of a pip constraints file (comments and blanks dropped)."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            pins[requirement_name(line)] = line
    return pins


def installed() -> dict[str, str]:
    return {
        canonical(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions()
        if dist.metadata["Name"]
    }


def tool_requirements(pyproject: dict) -> list[str]:
    """The base dependencies and every extra, as `make venv` installs them, but the moving ones."""
    project = pyproject["project"]
    wanted = list(project["dependencies"])
    for requirements in project["optional-dependencies"].values():
        wanted += requirements
    return [r for r in dict.fromkeys(wanted) if requirement_name(r) not in MOVING]


def tool_constraints(pins: dict[str, str], present: dict[str, str]) -> list[str]:
    return [line for name, line in sorted(pins.items()) if name not in MOVING | set(present)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["tools", "versions"])
    parser.add_argument("dir", type=pathlib.Path)
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    pins = read_constraints()
    if args.what == "tools":
        pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
        requirements = tool_requirements(pyproject)
        constraints = tool_constraints(pins, installed())
        (args.dir / "requirements.txt").write_text("\n".join(requirements) + "\n")
        (args.dir / "constraints.txt").write_text("\n".join(constraints) + "\n")
        print(f"next_env.py: {len(requirements)} requirements, {len(constraints)} pins kept")
    else:
        pinned = {name: line.split("==", 1)[1] for name, line in pins.items() if "==" in line}
        record = {
            "python": sys.version.split()[0],
            "installed": dict(sorted(installed().items())),
            "pinned": pinned,
        }
        (args.dir / "versions.json").write_text(json.dumps(record, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
