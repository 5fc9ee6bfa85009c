"""The report of `make test-next`: what the next Keras breaks or changes, from pytest's junit XML.

`make test-next` runs, in `.venv-next` (keras-nightly and the newest backends), the unit tests
and nbval once per backend, each with `--junitxml=DIR/<run>.xml` (`unit-tensorflow.xml`,
`nbval-jax.xml`, ...), nbval with the plugin `scripts/nbval_record_outputs.py`, which stores
each failing cell's code and its outputs before and after in the XML. This script reads them and
writes `DIR/report.md`:

- the versions that moved (constraints.txt against `.venv-next`, from `DIR/versions.json`,
  written by scripts/next_env.py) and what `pip check` said (`DIR/pip-check.txt`);
- per run: passed, failed, errors, skipped, seconds;
- every failing unit test with the assertion lines pytest printed;
- every notebook cell whose output changed or that failed, with a unified diff of its stored
  and new output.

    python scripts/next_report.py _build/next          # writes _build/next/report.md

It prints the report and exits 1 when a test failed or a run left no XML (a crash), 0 otherwise,
so the weekly workflow shows red without blocking anything (it runs with continue-on-error).
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

#: The runs `make test-next` makes, in the order the report lists them.
KINDS = ("unit", "nbval")
#: Cells shown in full per notebook; the others are listed by number (they usually fail because
#: an earlier cell did).
CELLS_IN_FULL = 8
#: Terminal colours in pytest's text, raw or as junit XML writes the escape character (#x1B).
COLOURS = re.compile(r"(?:\x1b|#x1B)\[[0-9;]*m")
#: Packages always listed in the versions table, moved or not.
KEY_PACKAGES = ("keras", "keras-nightly", "tensorflow-cpu", "tensorflow", "jax", "jaxlib", "torch")


@dataclasses.dataclass
class Case:
    file: str
    name: str
    outcome: str  # passed, failed, error, skipped
    message: str = ""
    text: str = ""
    properties: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def nodeid(self) -> str:
        return f"{self.file}::{self.name}" if self.file else self.name


@dataclasses.dataclass
class Run:
    name: str  # e.g. nbval-jax
    cases: list[Case]
    seconds: float

    def count(self, outcome: str) -> int:
        return sum(case.outcome == outcome for case in self.cases)

    @property
    def broken(self) -> list[Case]:
        return [case for case in self.cases if case.outcome in ("failed", "error")]


def read_run(path: pathlib.Path) -> Run:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    cases, seconds = [], 0.0
    for suite in suites:
        seconds += float(suite.get("time", 0) or 0)
        for element in suite.iter("testcase"):
            cases.append(read_case(element))
    return Run(name=path.stem, cases=cases, seconds=seconds)


def case_file(element: ET.Element) -> str:
    """`book/01_layer_basics.ipynb`, or a test module's dotted name (xunit2 writes no file)."""
    if element.get("file"):
        return element.get("file")
    classname = element.get("classname", "")
    if classname.endswith(".ipynb"):
        return classname.removesuffix(".ipynb").replace(".", "/") + ".ipynb"
    return classname


def read_case(element: ET.Element) -> Case:
    case = Case(file=case_file(element), name=element.get("name", ""), outcome="passed")
    for tag, outcome in (("failure", "failed"), ("error", "error"), ("skipped", "skipped")):
        found = element.find(tag)
        if found is not None:
            case.outcome = outcome
            case.message = COLOURS.sub("", found.get("message", ""))
            case.text = COLOURS.sub("", found.text or "")
            break
    for prop in element.iter("property"):
        # pytest writes an item's properties once per phase (setup, call, teardown): keep one.
        case.properties.setdefault(prop.get("name"), prop.get("value", ""))
    return case


def runs_in(folder: pathlib.Path, backends: list[str]) -> tuple[list[Run], list[str]]:
    """The runs found, and the names of the runs that left no XML (crashed or never started)."""
    runs, missing = [], []
    for backend in backends:
        for kind in KINDS:
            path = folder / f"{kind}-{backend}.xml"
            if path.exists():
                runs.append(read_run(path))
            else:
                missing.append(path.stem)
    return runs, missing


# --- the report -------------------------------------------------------------------------------


def versions_table(versions: dict) -> list[str]:
    installed, pinned = versions.get("installed", {}), versions.get("pinned", {})
    moved = sorted(
        name for name, version in installed.items() if name in pinned and pinned[name] != version
    )
    names = [n for n in KEY_PACKAGES if n in installed or n in pinned]
    names += [n for n in moved if n not in names]
    lines = [
        f"Python {versions.get('python', '?')}. Packages that moved, and the backends:",
        "",
        "| package | constraints.txt | .venv-next |",
        "|---|---|---|",
    ]
    for name in names:
        lines.append(f"| {name} | {pinned.get(name, '—')} | {installed.get(name, '—')} |")
    return lines


def failure_lines(case: Case, limit: int = 15) -> list[str]:
    """What pytest printed about a failing test: its `E ` lines, or the end of the text."""
    text = case.text.splitlines()
    errors = [line for line in text if line.startswith("E ")]
    chosen = errors[:limit] if errors else text[-limit:]
    return chosen or [case.message]


def cell_diff(case: Case) -> list[str]:
    stored = case.properties.get("stored_output", "")
    new = case.properties.get("new_output", "")
    diff = list(
        difflib.unified_diff(
            stored.splitlines(), new.splitlines(), "stored output", "new output", lineterm="", n=2
        )
    )
    return diff or ["(the same text: the difference is in what nbval compares besides text)"]


def first_code_line(source: str) -> str:
    lines = [line for line in source.splitlines() if line.strip()]
    return lines[0][:100] if lines else ""


def notebook_section(run: Run) -> list[str]:
    lines = []
    by_notebook: dict[str, list[Case]] = {}
    for case in run.broken:
        by_notebook.setdefault(case.file, []).append(case)
    for notebook, cases in by_notebook.items():
        lines += ["", f"#### {notebook}: {len(cases)} cell(s)", ""]
        for case in cases[:CELLS_IN_FULL]:
            index = case.properties.get("notebook_cell", "?")
            what = case.message.splitlines()[0] if case.message else case.outcome
            lines.append(
                f"- **{case.name}** (notebook cell {index}): {what} — "
                f"`{first_code_line(case.properties.get('source', ''))}`"
            )
            lines += ["", "  ```diff", *(f"  {line}" for line in cell_diff(case)), "  ```"]
        rest = cases[CELLS_IN_FULL:]
        if rest:
            names = ", ".join(case.name for case in rest)
            lines.append(f"- and {len(rest)} more: {names}")
    return lines


def unit_section(run: Run) -> list[str]:
    lines = []
    for case in run.broken:
        lines += ["", f"- `{case.nodeid}` ({case.outcome})", "", "  ```"]
        lines += [f"  {line}" for line in failure_lines(case)]
        lines.append("  ```")
    return lines


def report(folder: pathlib.Path, backends: list[str]) -> tuple[str, bool]:
    runs, missing = runs_in(folder, backends)
    lines = ["# make test-next: the course on the next Keras", ""]
    versions_path = folder / "versions.json"
    if versions_path.exists():
        lines += versions_table(json.loads(versions_path.read_text()))
    pip_check = folder / "pip-check.txt"
    if pip_check.exists():
        lines += [
            "",
            "`pip check`:",
            "",
            "```",
            pip_check.read_text().strip() or "(nothing)",
            "```",
        ]
    lines += ["", "## Runs", "", "| run | passed | failed | errors | skipped | seconds |"]
    lines.append("|---|---|---|---|---|---|")
    for run in runs:
        lines.append(
            f"| {run.name} | {run.count('passed')} | {run.count('failed')} | "
            f"{run.count('error')} | {run.count('skipped')} | {run.seconds:.0f} |"
        )
    for name in missing:
        lines.append(f"| {name} | no junit XML: the run crashed or did not start | | | | |")
    broken = [run for run in runs if run.broken]
    if not broken and not missing:
        lines += ["", "Everything passed: nothing in the course differs on these versions."]
    for run in broken:
        lines += ["", f"## {run.name}: {len(run.broken)} failing"]
        lines += notebook_section(run) if run.name.startswith("nbval") else unit_section(run)
    return "\n".join(lines) + "\n", bool(broken or missing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir", type=pathlib.Path, help="where the junit XML files are")
    parser.add_argument("--backends", default="tensorflow jax", help="NEXT_BACKENDS")
    args = parser.parse_args(argv)
    text, failed = report(args.dir, args.backends.split())
    (args.dir / "report.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"next_report.py: wrote {args.dir / 'report.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
