"""A pytest plugin for `make test-next`: keeps a failing notebook cell's stored and new outputs.

nbval's own failure text shows the first difference it found, cut and escaped; the report of
`make test-next` (scripts/next_report.py) shows the whole output of the cell before and after.
For every nbval cell that fails, this plugin adds to the test's junit XML properties (pytest
writes `user_properties` into `--junitxml` files):

- `notebook_cell`: the cell's index in the notebook's `cells` (nbval's "Cell N" counts only
  code cells);
- `source`: the cell's code;
- `stored_output` / `new_output`: the text of its outputs, stored in the notebook and produced
  by this run, both passed through nbval's sanitizer (`--sanitize-with`), so that a difference
  nbval ignores does not show up here either.

Load it with `-p nbval_record_outputs` and `scripts/` on `PYTHONPATH` (the Makefile does this).
"""

from __future__ import annotations

import pytest

#: Enough for every output of the book's cells; longer texts are cut (the report says so).
MAX_CHARS = 6000


def output_text(outputs, sanitize=lambda text: text) -> str:
    """The outputs of a cell as a reader sees them, one after the other, as text.

    Streams and `text/plain` results as they are, errors as `Name: value`, images as a one-line
    placeholder (nbval does not compare images either).
    """
    parts = []
    for output in outputs or []:
        kind = output.get("output_type")
        if kind == "stream":
            parts.append(_joined(output.get("text", "")))
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {})
            if "text/plain" in data:
                parts.append(_joined(data["text/plain"]) + "\n")
            images = sorted(key for key in data if key.startswith("image/"))
            if images:
                parts.append(f"[{', '.join(images)}]\n")
        elif kind == "error":
            parts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}\n")
    return sanitize("".join(parts))


def _joined(text) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


def _cut(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    return text[:MAX_CHARS] + f"\n… ({len(text) - MAX_CHARS:,} more characters)\n"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Before the report is made from item.user_properties: call.excinfo already tells a failure.
    cell = getattr(item, "cell", None)
    if call.when == "call" and call.excinfo is not None and cell is not None:
        if not call.excinfo.errisinstance(pytest.skip.Exception):
            sanitize = getattr(item, "sanitize", lambda text: text)
            cells = getattr(item.parent, "nb", None)
            index = next((i for i, c in enumerate(cells.cells) if c is cell), -1) if cells else -1
            item.user_properties.extend(
                [
                    ("notebook_cell", index),
                    ("source", _cut(cell.source)),
                    ("stored_output", _cut(output_text(cell.get("outputs", []), sanitize))),
                    ("new_output", _cut(output_text(getattr(item, "test_outputs", []), sanitize))),
                ]
            )
    yield
