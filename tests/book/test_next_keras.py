"""`make test-next`'s pieces: the environment it builds and the report it writes.

scripts/next_env.py keeps every package but Keras and its backends at its constraints.txt pin;
scripts/next_report.py turns pytest's junit XML into _build/next/report.md, with each changed
cell's stored and new output (kept by scripts/nbval_record_outputs.py) as a unified diff.
"""

from __future__ import annotations

import pathlib
import sys
import textwrap
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import nbval_record_outputs  # noqa: E402
import next_env  # noqa: E402
import next_report  # noqa: E402

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_tools_are_every_requirement_but_keras_and_the_backends():
    requirements = next_env.tool_requirements(PYPROJECT)
    names = {next_env.requirement_name(r) for r in requirements}
    assert not names & next_env.MOVING
    assert {"nbval", "pytest", "matplotlib", "ipykernel"} <= names
    extras = PYPROJECT["project"]["optional-dependencies"]
    everything = {next_env.requirement_name(r) for group in extras.values() for r in group}
    assert everything - next_env.MOVING <= names


def test_constraints_drop_what_the_newest_backends_brought():
    pins = {"keras": "keras==3.15.1", "numpy": "numpy==2.4.6", "pytest": "pytest==9.2.0"}
    kept = next_env.tool_constraints(pins, present={"numpy": "2.5.0"})
    assert kept == ["pytest==9.2.0"]


def test_output_text_is_what_a_reader_sees():
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": ["손실: ", "0.31\n"]},
        {"output_type": "execute_result", "data": {"text/plain": "(2, 3)", "image/png": "x"}},
        {"output_type": "error", "ename": "TypeError", "evalue": "bad"},
    ]
    text = nbval_record_outputs.output_text(outputs, lambda t: t.replace("0.31", "X"))
    assert text == "손실: X\n(2, 3)\n[image/png]\nTypeError: bad\n"


JUNIT = """\
<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="0" failures="2" skipped="1" tests="4" time="12.5">
<testcase classname="book.06_production_layers.ipynb" name="Cell 2" time="1.0">
<properties>
<property name="notebook_cell" value="4"/>
<property name="source" value="print(keras.__version__)"/>
<property name="stored_output" value="Keras 3.15.1&#10;"/>
<property name="new_output" value="Keras 3.16.0.dev&#10;"/>
<property name="notebook_cell" value="4"/>
</properties>
<failure message="#x1B[91mNotebook cell execution failed#x1B[0m">text</failure>
</testcase>
<testcase classname="tests.test_keras_facts" name="test_numpy_in_call" time="2.0">
<failure message="AssertionError">E       RuntimeError: traced array
E       second line</failure>
</testcase>
<testcase classname="tests.test_data" name="test_ok" time="0.1"/>
<testcase classname="tests.test_data" name="test_skip" time="0.0"><skipped message="no"/></testcase>
</testsuite></testsuites>
"""


def test_report_lists_moved_versions_failing_tests_and_cell_diffs(tmp_path):
    (tmp_path / "nbval-tensorflow.xml").write_text(JUNIT)
    (tmp_path / "unit-tensorflow.xml").write_text(JUNIT.replace("book.06", "book.07"))
    (tmp_path / "versions.json").write_text(
        '{"python": "3.11.7", "installed": {"keras-nightly": "3.16.0.dev", "numpy": "2.5.0"},'
        ' "pinned": {"keras": "3.15.1", "numpy": "2.4.6"}}'
    )
    text, failed = next_report.report(tmp_path, ["tensorflow", "jax"])
    assert failed
    assert "| keras | 3.15.1 | — |" in text and "| keras-nightly | — | 3.16.0.dev |" in text
    assert "| numpy | 2.4.6 | 2.5.0 |" in text
    assert "| nbval-tensorflow | 1 | 2 | 0 | 1 | 12 |" in text
    assert "| unit-jax | no junit XML" in text and "| nbval-jax | no junit XML" in text
    assert "#### book/06_production_layers.ipynb: 1 cell(s)" in text
    assert "**Cell 2** (notebook cell 4): Notebook cell execution failed" in text
    assert "#x1B" not in text
    assert textwrap.indent("-Keras 3.15.1\n+Keras 3.16.0.dev", "  ") in text
    assert "E       RuntimeError: traced array" in text


def test_report_of_a_clean_run_says_so_and_passes(tmp_path):
    clean = JUNIT.replace('failures="2"', 'failures="0"')
    clean = clean[: clean.index("<testcase")] + "</testsuite></testsuites>\n"
    for name in ("unit-tensorflow.xml", "nbval-tensorflow.xml"):
        (tmp_path / name).write_text(clean)
    text, failed = next_report.report(tmp_path, ["tensorflow"])
    assert not failed and "Everything passed" in text
