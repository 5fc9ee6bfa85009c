""" "모두 실행": every chapter runs to its end with every cell executed and the answer cells empty.

This is what a reader in Colab or Jupyter does first. nbval skips the cells tagged `nbval-skip`
and Jupyter Book skips `skip-execution`, but Colab and Jupyter ignore both tags, so here *every*
cell runs: the Colab install cell (a no-op outside Colab), the empty answer cells (comments only)
and the checker calls. Each checker meets the name its exercise section set to `None` and must
answer with the "⏳ … 아직 채점할 … 없습니다" report instead of raising.

The notebook is copied into an empty temporary folder and its kernel starts there, so nothing
from the repository around it (data files, the benchmark results) can be read by a relative path:
`companion`, installed with its package data, is all a chapter may rely on. `make run-all` runs
it one notebook at a time on each backend and prints each chapter's seconds: the "Run all" time
table of CONTRIBUTING.md. It is not part of `make test`: there the nbval targets run the same
reader's copies (scripts/reader_copy.py) and compare their outputs too.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import time

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
CHECKER_CALL = "companion.check_"
# nbclient skips cells with this tag; no cell has it, so every cell runs.
NO_SKIP_TAG = "run-all-skips-nothing"


def checker_cells(notebook) -> list[int]:
    return [
        i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        and "skip-execution" in cell.metadata.get("tags", [])
        and cell.source.strip().startswith(CHECKER_CALL)
    ]


def output_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            parts.append(output["text"])
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


@pytest.mark.run_all
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_run_all_reaches_the_last_cell_with_empty_answers(path, tmp_path):
    folder = tmp_path / "reader"
    folder.mkdir()
    shutil.copy(path, folder / path.name)
    notebook = nbformat.read(folder / path.name, as_version=4)
    # The reader's kernel: no repository on the path, the backend the run was asked for.
    env_backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        skip_cells_with_tag=NO_SKIP_TAG,
        resources={"metadata": {"path": str(folder)}},
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError at the first cell that raises
    seconds = time.perf_counter() - start
    print(f"{path.stem} [{env_backend}]: {seconds:.0f} s")

    calls = checker_cells(notebook)
    for index in calls:
        text = output_text(notebook.cells[index])
        assert text.startswith("⏳ ") and "아직 채점할" in text, (
            f"{path.name} cell {index} ({notebook.cells[index].source.strip()}) did not answer "
            f"an empty exercise with the ⏳ report:\n{text}"
        )


def test_every_exercise_section_names_its_answers_before_the_checkers():
    # Reads the files only (part of `make unit`). The placeholder cell (`Scale = ... = None`)
    # must come before the first checker call and name every answer the checkers are called on.
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        calls = checker_cells(notebook)
        if not calls:
            continue
        names = {
            notebook.cells[i].source.strip().split("(", 1)[1].rstrip(")").strip() for i in calls
        }
        placeholders = [
            i
            for i, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and cell.source.rstrip().endswith("= None")
        ]
        assert placeholders and placeholders[0] < calls[0], f"{path.name}: no placeholder cell"
        assigned = set()
        for line in notebook.cells[placeholders[0]].source.splitlines():
            if line.rstrip().endswith("= None") and not line.lstrip().startswith("#"):
                assigned |= {name.strip() for name in line.split("=")[:-1]}
        assert names <= assigned, f"{path.name}: the placeholder cell lacks {names - assigned}"
