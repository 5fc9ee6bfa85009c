"""Execute notebooks and record what ran them, in book/execution_record.json.

The book shows the outputs stored in the notebooks (the build does not execute them), so the
versions in every page's footer (_ext/edition.py) must come from the run that made those outputs,
not from the environment that builds the HTML. This script runs each notebook top to bottom in a
fresh kernel of the Python it is started with, as `jupyter execute` does (same client, the
notebook's folder as working directory, `skip-execution` cells left out), then asks that same
kernel which versions it imported (`importlib.metadata`) and writes them to
`book/execution_record.json` with the date and a fingerprint of the outputs nbval compares:

    .venv/bin/python scripts/record_execution.py --inplace book/NN_name.ipynb [...]
        executes and saves the notebooks (like `jupyter execute --inplace`), and records;
    .venv/bin/python scripts/record_execution.py book/NN_name.ipynb [...]
        executes a copy and records only when its outputs are the stored ones (the notebook is
        not written); otherwise lists the cells whose output differs and exits 1.

tests/book/test_edition.py checks that every notebook has a record, that the record's fingerprint
is that of the notebook's stored outputs (so it describes these outputs: a notebook executed
again with other results, or edited by hand, needs a new record), and that the recorded versions
are the pins of constraints.txt. The stored outputs come from the TensorFlow backend, so the
script refuses to record a kernel that ran on another one.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import datetime
import fcntl
import hashlib
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
RECORD = ROOT / "book" / "execution_record.json"
SANITIZE = ROOT / "nbval_sanitize.cfg"
ABOUT = (
    "Written by scripts/record_execution.py from inside the kernel that executed each notebook; "
    "read by _ext/edition.py (every page's footer) and checked by tests/book/test_edition.py. "
    "Do not edit by hand."
)
#: The distributions a record names: the footer shows the first four (TensorFlow under whichever
#: of its distributions is installed: tensorflow-cpu here, tensorflow in Colab).
PACKAGES = {
    "keras": ("keras", "keras-nightly"),
    "tensorflow": ("tensorflow-cpu", "tensorflow"),
    "jax": ("jax",),
    "torch": ("torch",),
    "jaxlib": ("jaxlib",),
    "numpy": ("numpy",),
}
#: Cells whose output nbval does not compare: none of them is part of the fingerprint.
UNCHECKED_TAGS = {"nbval-skip", "nbval-ignore-output", "skip-execution"}
#: Output data nbval does not compare (without --nbdime): images and widget ids.
UNCHECKED_DATA = re.compile(r"^image/|^application/vnd\.jupyter\.widget-view\+json$")

#: Runs in the notebook's own kernel after its last cell: what that kernel imported.
PROBE = f"""
import importlib.metadata as _metadata, json as _json, platform as _platform
import keras as _keras

def _version(names):
    for name in names:
        try:
            return {{"distribution": name, "version": _metadata.version(name)}}
        except _metadata.PackageNotFoundError:
            pass
    return None

print(_json.dumps({{
    "backend": _keras.backend.backend(),
    "python": _platform.python_version(),
    "packages": {{key: _version(names) for key, names in {PACKAGES!r}.items()}},
}}))
"""


# --- the fingerprint of the outputs nbval compares ----------------------------------------------


def sanitize_patterns(path: pathlib.Path = SANITIZE) -> list[tuple[re.Pattern, str]]:
    """The regex → replacement pairs of nbval_sanitize.cfg, in file order, as nbval applies them."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(path.read_text(encoding="utf-8"))
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def checked_outputs(cell, patterns) -> list[list[str]]:
    """The outputs of one code cell as nbval compares them: `[key, sanitized text]` pairs.

    Consecutive pieces of one stream are joined (the kernel may flush a stream in more or fewer
    pieces from one run to the next); images, tracebacks and execution counts are left out.
    """

    def clean(text: str) -> str:
        for regex, replace in patterns:
            text = regex.sub(replace, text)
        return text

    pairs: list[list[str]] = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            key = f"stream:{output.get('name', 'stdout')}"
            text = _text(output.get("text", ""))
            if pairs and pairs[-1][0] == key:
                pairs[-1][1] += text
            else:
                pairs.append([key, text])
        elif kind in ("execute_result", "display_data"):
            for mime, value in sorted(output.get("data", {}).items()):
                if not UNCHECKED_DATA.search(mime):
                    text = value if isinstance(value, str | list) else json.dumps(value)
                    pairs.append([mime, _text(text)])
        elif kind == "error":
            pairs.append(["error", f"{output.get('ename', '')}: {output.get('evalue', '')}"])
    return [[key, clean(text)] for key, text in pairs]


def fingerprint(notebook) -> str:
    """sha256 of every checked code cell's outputs, in order (code cells counted as nbval does)."""
    patterns = sanitize_patterns()
    cells = [c for c in notebook["cells"] if c.get("cell_type") == "code"]
    checked = [
        [index, checked_outputs(cell, patterns)]
        for index, cell in enumerate(cells)
        if not UNCHECKED_TAGS & set(cell.get("metadata", {}).get("tags", []))
    ]
    blob = json.dumps(checked, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def differing_cells(stored, fresh) -> list[str]:
    """`Cell N (notebook cell i): first line` for each checked code cell whose outputs differ."""
    patterns = sanitize_patterns()
    found, code_index = [], -1
    for index, (old, new) in enumerate(zip(stored["cells"], fresh["cells"], strict=True)):
        if old.get("cell_type") != "code":
            continue
        code_index += 1
        if UNCHECKED_TAGS & set(old.get("metadata", {}).get("tags", [])):
            continue
        if checked_outputs(old, patterns) != checked_outputs(new, patterns):
            first = next((line for line in _text(old["source"]).splitlines() if line), "")
            found.append(f"Cell {code_index} (notebook cell {index}): {first[:80]}")
    return found


# --- the record -----------------------------------------------------------------------------------


def read_record(path: pathlib.Path = RECORD) -> dict:
    if not path.exists():
        return {"notebooks": {}}
    return json.loads(path.read_text(encoding="utf-8"))


@contextlib.contextmanager
def locked_record(path: pathlib.Path = RECORD):
    """The record, read and written back under a lock (several notebooks may finish at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.stem}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        record = read_record(path)
        yield record
        # A notebook that was renamed or removed leaves the record with its file.
        kept = {n: e for n, e in record["notebooks"].items() if (path.parent / n).exists()}
        record = {"about": ABOUT, "notebooks": dict(sorted(kept.items()))}
        text = json.dumps(record, ensure_ascii=False, indent=1) + "\n"
        path.write_text(text, encoding="utf-8")


def entry(probe: dict, notebook) -> dict:
    return {
        "date": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "backend": probe["backend"],
        "python": probe["python"],
        "packages": {key: value for key, value in probe["packages"].items() if value},
        "outputs": fingerprint(notebook),
    }


# --- execution ------------------------------------------------------------------------------------


def execute(path: pathlib.Path):
    """The executed notebook (a copy) and what its kernel reported about itself."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE))
    # The settings of `jupyter execute` (nbclient's command line), so both give the same outputs.
    client = NotebookClient(
        notebook,
        skip_cells_with_tag="skip-execution",
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    client.execute()
    probe_cell = notebook.cells.pop()
    text = "".join(o.get("text", "") for o in probe_cell.outputs if o.output_type == "stream")
    return notebook, json.loads(text.strip().splitlines()[-1])


def record_notebook(path: pathlib.Path, inplace: bool) -> bool:
    import nbformat

    name = path.name
    stored = nbformat.read(path, as_version=4)
    fresh, probe = execute(path)
    if probe["backend"] != "tensorflow":
        print(
            f"{name}: the kernel ran on {probe['backend']}; the stored outputs come from "
            "TensorFlow (unset KERAS_BACKEND or set it to tensorflow)"
        )
        return False
    if not inplace:
        differing = differing_cells(stored, fresh)
        if differing:
            print(f"{name}: not recorded, these cells gave other outputs than the stored ones:")
            print("\n".join(f"  {line}" for line in differing))
            print("  execute it again with --inplace (and check it with nbval) to store them")
            return False
    else:
        nbformat.write(fresh, path)
    with locked_record() as record:
        record["notebooks"][name] = entry(probe, fresh)
        written = record["notebooks"][name]
    versions = ", ".join(f"{k} {v['version']}" for k, v in written["packages"].items())
    print(f"{name}: recorded ({written['date']}; {versions})")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument(
        "--inplace", action="store_true", help="save the executed notebooks (jupyter execute)"
    )
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.notebooks if not p.is_file() or p.suffix != ".ipynb"]
    if missing:
        parser.error(f"not a notebook: {', '.join(missing)}")
    results = [record_notebook(path, args.inplace) for path in args.notebooks]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
