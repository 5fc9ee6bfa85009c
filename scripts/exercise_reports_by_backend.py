"""Run every notebook's exercise wrong attempts and solutions under one Keras backend.

Usage: KERAS_BACKEND=jax python scripts/exercise_reports_by_backend.py OUT.json [NN ...]
Writes {"<notebook>#<cell index>": report text} (the repr of the cell's last expression plus
anything it printed). The setup cells (under "## 준비") run first; a NameError makes the harness
run the earlier cell that defines the missing name, then the cell again.
"""

import ast
import contextlib
import io
import json
import os
import re
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def source(cell):
    return "".join(cell["source"])


def run_cell(code, namespace):
    tree = ast.parse(code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(tree, "<cell>", "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
            if value is not None:
                print(repr(value))
    return out.getvalue()


def defining_cell(cells, name, before):
    pattern = re.compile(rf"^(class|def)\s+{name}\b|^{name}\s*=", re.MULTILINE)
    for i in range(before - 1, -1, -1):
        if cells[i]["cell_type"] == "code" and pattern.search(source(cells[i])):
            return i
    return None


def run_with_deps(cells, index, namespace, depth=0):
    code = source(cells[index])
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("%"))
    try:
        return run_cell(code, namespace)
    except NameError as error:
        match = re.search(r"name '(\w+)' is not defined", str(error))
        dep = match and defining_cell(cells, match.group(1), index)
        if dep is None or depth > 10:
            raise
        run_with_deps(cells, dep, namespace, depth + 1)
        return run_with_deps(cells, index, namespace, depth + 1)


def notebook_reports(path):
    cells = json.loads(path.read_text())["cells"]
    namespace = {"__name__": "__main__"}
    heading = [i for i, c in enumerate(cells) if source(c).startswith("## 준비")][0]
    for i in range(heading + 1, len(cells)):
        if cells[i]["cell_type"] == "markdown" and source(cells[i]).startswith("## "):
            break
        if cells[i]["cell_type"] == "code":
            run_with_deps(cells, i, namespace)
    targets = []
    for i, cell in enumerate(cells):
        text = source(cell)
        if cell["cell_type"] == "markdown" and text.startswith("채점기가 틀린 답에 어떻게"):
            targets.append(i + 1)
        if cell["cell_type"] == "code" and text.startswith("# @title 모범 답안"):
            targets.append(i)
    reports = {}
    for i in targets:
        stored = "".join(
            "".join(o.get("text", "") or o.get("data", {}).get("text/plain", ""))
            for o in cells[i].get("outputs", [])
        )
        try:
            text = run_with_deps(cells, i, namespace)
        except Exception:
            text = "HARNESS ERROR: " + traceback.format_exc(limit=3)
        reports[f"{path.name}#{i}"] = {"text": text.rstrip("\n"), "stored": stored.rstrip("\n")}
    return reports


def main():
    out = sys.argv[1]
    wanted = sys.argv[2:]
    os.chdir(ROOT / "book")
    sys.path.insert(0, str(ROOT))
    results = {}
    for path in sorted((ROOT / "book").glob("[01]*.ipynb")):
        if wanted and path.name[:2] not in wanted:
            continue
        try:
            results.update(notebook_reports(path))
        except Exception:
            results[path.name] = {"text": "HARNESS ERROR: " + traceback.format_exc(), "stored": ""}
    Path(out).write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
