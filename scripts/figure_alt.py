"""List the notebook cells that draw a figure, and give each a Korean description (alt text).

myst-nb 1.x takes an output image's alt text from the code cell's metadata

    "mystnb": {"image": {"alt": "<한국어로 그림이 보여 주는 것>"}}

(`render_image_options`, cell key "image", in myst_nb/core/config.py; applied to every image the
cell outputs by `render_image` in myst_nb/core/render.py). Without it the alt text is the
image's file path. tests/book/test_browser.py::test_output_images_have_korean_alt_text checks
the built pages.

    python scripts/figure_alt.py                   # list figure cells and their alt text
    python scripts/figure_alt.py --apply ALT.json  # set the alt text of the cells it names

ALT.json maps notebooks to cell ids to alt text: {"book/NN_x.ipynb": {"<cell id>": "..."}}.

Only the metadata changes; sources and outputs stay as they are. Notebook owners run it (or
write the metadata by hand in Jupyter: Property Inspector → Cell metadata).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]


def figure_cells(nb) -> list:
    return [
        cell
        for cell in nb.cells
        if cell.cell_type == "code"
        and any(
            key.startswith("image/")
            for output in cell.get("outputs", [])
            for key in output.get("data", {})
        )
    ]


def alt_text(cell) -> str | None:
    return cell.metadata.get("mystnb", {}).get("image", {}).get("alt")


def list_figures() -> int:
    missing = 0
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in figure_cells(nb):
            alt = alt_text(cell)
            missing += alt is None
            first = cell.source.splitlines()[0] if cell.source else ""
            print(f"{path.relative_to(ROOT)}  {cell.id}  alt={alt!r}\n    {first[:90]}")
    print(f"{missing} figure cells without alt text")
    return missing


def apply(mapping_file: pathlib.Path) -> None:
    mapping = json.loads(mapping_file.read_text(encoding="utf-8"))
    for notebook, alts in mapping.items():
        path = ROOT / notebook
        nb = nbformat.read(path, as_version=4)
        cells = {cell.id: cell for cell in figure_cells(nb)}
        unknown = set(alts) - set(cells)
        if unknown:
            sys.exit(f"{notebook}: no figure cell with id {sorted(unknown)}")
        for cell_id, alt in alts.items():
            cell = cells[cell_id]
            cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alt
        nbformat.write(nb, path)
        print(f"{notebook}: alt text on {len(alts)} cells")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--apply", type=pathlib.Path, metavar="ALT.json")
    args = parser.parse_args()
    if args.apply:
        apply(args.apply)
    else:
        list_figures()
