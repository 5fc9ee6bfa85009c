"""Copy the chapters as a reader's "모두 실행" sees them, for nbval to run every cell.

    python scripts/reader_copy.py DEST [NOTEBOOK ...]

Readers in Colab or Jupyter press "모두 실행" first, with the answer cells empty, and both ignore
the `nbval-skip` and `skip-execution` tags. So `make nbval`, `nbval-jax` and `nbval-torch` do not
run the notebooks in `book/` but copies of them in DEST, an empty folder outside the checkout
(the kernel starts there, so a chapter can read nothing of the repository by a relative path),
where nothing is skipped:

- a checker call (`companion.check_x(X)`, tagged `skip-execution`) runs on the `None` its
  exercise's placeholder cell set, and its expected output is the "⏳ … 아직 채점할 …" report,
  which this script asks the checker for and refuses to write unless it is one;
- the other skipped cells (the Colab install cell, a no-op outside Colab, and the empty answer
  cells, comments only) run too, output ignored;
- every other cell keeps its stored output, compared as always.

So one nbval run per backend checks both the stored outputs and that "모두 실행" reaches the end;
nbval fails at the first cell that raises. `book/conftest.py` and `nbval_sanitize.cfg` go along,
with a `pytest.ini` that makes DEST pytest's root.
"""

from __future__ import annotations

import pathlib
import shutil
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
SKIP_TAGS = {"nbval-skip", "skip-execution"}
CHECKER_CALL = "companion.check_"
PYTEST_INI = """\
[pytest]
# The reader's copies of the chapters (scripts/reader_copy.py); nbval options come from the
# command line. DEST is the root, so the repository's own pytest settings do not apply.
addopts = -ra
filterwarnings = ignore::DeprecationWarning
"""


def checker_name(source: str) -> str | None:
    """`check_scale_layer` for a cell that is exactly `companion.check_scale_layer(Scale)`."""
    source = source.strip()
    if not source.startswith(CHECKER_CALL) or "\n" in source or not source.endswith(")"):
        return None
    return source[len("companion.") : source.index("(")]


def waiting_report(name: str) -> str:
    import companion

    checker = getattr(companion, name, None)
    if checker is None:
        raise SystemExit(f"reader_copy: companion has no checker named {name!r}")
    text = repr(checker(None))
    if not (text.startswith("⏳ ") and "아직 채점할" in text):
        raise SystemExit(
            f"reader_copy: companion.{name}(None) should answer with the ⏳ report, got:\n{text}"
        )
    return text


def reader_notebook(path: pathlib.Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or not SKIP_TAGS & set(tags):
            continue
        kept = [tag for tag in tags if tag not in SKIP_TAGS]
        name = checker_name(cell.source)
        if name is not None:
            cell.outputs = [
                nbformat.v4.new_output(
                    "execute_result", data={"text/plain": waiting_report(name)}, execution_count=1
                )
            ]
            cell.execution_count = 1
        else:
            kept.append("nbval-ignore-output")
        cell.metadata["tags"] = kept
    return notebook


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    dest = pathlib.Path(argv[0]).resolve()
    if dest.is_relative_to(ROOT):
        raise SystemExit(f"reader_copy: DEST must be outside the checkout, got {dest}")
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise SystemExit(f"reader_copy: DEST must be an empty folder, got {dest}")
    paths = [pathlib.Path(p).resolve() for p in argv[1:]] or sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        nbformat.write(reader_notebook(path), dest / path.name)
    shutil.copy(BOOK / "conftest.py", dest / "conftest.py")
    shutil.copy(ROOT / "nbval_sanitize.cfg", dest / "nbval_sanitize.cfg")
    (dest / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
    print(dest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
