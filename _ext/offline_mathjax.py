"""Serve MathJax from the book itself, so formulas render without a network.

Sphinx loads MathJax from a CDN by default: offline (a reader with the HTML on a laptop, a
classroom without internet, the browser tests) chapters 8 and 9 then show raw ``\\(...\\)``
source. This extension copies a pinned MathJax 3 into ``_static/mathjax/`` of the build, and
``_config.yml`` points ``mathjax_path`` at it (a relative path is relative to ``_static``).

MathJax is not committed: ``make book-assets`` installs the version pinned in
``scripts/book-assets/package.json`` (``npm ci``, from the lock file) into
``scripts/book-assets/node_modules``. The build stops with a clear error when it is missing or
is not the pinned version, instead of publishing pages whose math cannot render.
"""

from __future__ import annotations

import json
import pathlib
import shutil

from sphinx.errors import ExtensionError

ROOT = pathlib.Path(__file__).resolve().parents[1]
ASSETS = ROOT / "scripts" / "book-assets"
PACKAGE = ASSETS / "node_modules" / "mathjax"
ENTRY = "tex-mml-chtml.js"
# What tex-mml-chtml.js loads on demand: TeX extensions (autoload), the CommonHTML fonts,
# and the accessibility menu's explorer with its speech rules. The other combined builds
# (SVG output, tex-full, ...) are never loaded by this page setup and stay out.
PARTS = [ENTRY, "input", "output/chtml", "output/chtml.js", "a11y", "ui", "sre"]


def pinned_version() -> str:
    package = json.loads((ASSETS / "package.json").read_text(encoding="utf-8"))
    return package["dependencies"]["mathjax"]


def check_installed() -> pathlib.Path:
    """The installed MathJax's es5 folder; an error when it is missing or not the pin."""
    want = pinned_version()
    manifest = PACKAGE / "package.json"
    if not manifest.exists():
        raise ExtensionError(
            f"MathJax {want} is not installed in {PACKAGE.parent}: run `make book-assets` "
            "(npm ci in scripts/book-assets) before building the book"
        )
    have = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    if have != want:
        raise ExtensionError(
            f"MathJax {have} is installed but {want} is pinned: run `make book-assets` again"
        )
    return PACKAGE / "es5"


def check_config(app, config) -> None:
    if "://" in config.mathjax_path:
        raise ExtensionError(
            f"mathjax_path is {config.mathjax_path!r}: it must be a path under _static "
            f"(mathjax/{ENTRY}), so that the book never loads MathJax from the network"
        )
    check_installed()


def copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source = check_installed()
    target = pathlib.Path(app.outdir) / "_static" / "mathjax"
    for part in PARTS:
        src, dst = source / part, target / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
    shutil.copy2(PACKAGE / "LICENSE", target / "LICENSE")


def setup(app):
    app.connect("config-inited", check_config)
    app.connect("build-finished", copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
