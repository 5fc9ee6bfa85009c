"""Accessibility fixes for what the theme and myst-nb write (checked by axe-core).

tests/book/test_browser.py runs axe-core on every page in light and dark mode; these are the
fixes for the serious violations it found in pydata-sphinx-theme 0.17 / myst-nb 1.4 output:

* ``static/a11y.css``: contrast of the Rich colours in ``model.summary()`` outputs.
* ``label-content-name-mismatch`` (WCAG 2.5.3, a button's accessible name must contain its
  visible text): the search field button is named "검색" but shows "검색 Ctrl+K"; the colour
  mode button is named "Color mode" but its icons carry the titles Light/Dark/System Settings;
  a hidden code cell's ``<summary>`` is named "Toggle hidden content" but shows the prompt.
  The page files are rewritten after the build: the visible text becomes the name (the
  ``aria-label`` that hid it is dropped) and the mode button gets a Korean name. Each rewrite
  must find what it replaces on some page, so a theme update that changes the markup stops the
  build rather than silently undoing a fix.
* ``region`` (content outside landmarks): the primary sidebar becomes a labelled region.
"""

from __future__ import annotations

import pathlib
import re

from sphinx.errors import ExtensionError

STATIC = pathlib.Path(__file__).resolve().parent / "static"

# (what, pattern, replacement)
REWRITES = [
    (
        "search field button named by its visible text",
        re.compile(r'(<button class="btn search-button-field [^"]*"[^>]*?) aria-label="[^"]*"'),
        r"\1",
    ),
    (
        "colour mode button with a Korean name",
        re.compile(r'aria-label="Color mode" data-bs-title="Color mode"'),
        'aria-label="색 모드" data-bs-title="색 모드"',
    ),
    (
        "colour mode icons without titles",
        re.compile(r'(<i class="theme-switch [^"]*" data-mode="\w+")\s+title="[^"]*"'),
        r"\1",
    ),
    (
        "hidden cell summary named by its prompt",
        re.compile(r'<summary aria-label="Toggle hidden content">'),
        "<summary>",
    ),
    (
        "primary sidebar as a labelled region",
        re.compile(r'(<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar")'),
        r'\1 role="region" aria-label="책 목차"',
    ),
]
# Rewrites that only some builds need (no page of the book may hide a cell).
OPTIONAL = {"hidden cell summary named by its prompt"}


def remember_page(app, pagename, templatename, context, doctree) -> None:
    app.a11y_written = getattr(app, "a11y_written", set())
    app.a11y_written.add(app.builder.get_outfilename(pagename))


def rewrite_pages(app, exception) -> None:
    """Rewrite the pages this build wrote (an incremental build leaves the others as fixed)."""
    written = getattr(app, "a11y_written", set())
    if exception is not None or app.builder.format != "html" or not written:
        return
    hits = {what: 0 for what, _, _ in REWRITES}
    for name in sorted(written):
        page = pathlib.Path(name)
        text = page.read_text(encoding="utf-8")
        new = text
        for what, pattern, replacement in REWRITES:
            new, n = pattern.subn(replacement, new)
            hits[what] += n
        if new != text:
            page.write_text(new, encoding="utf-8")
    written.clear()
    missing = [what for what, n in hits.items() if n == 0 and what not in OPTIONAL]
    if missing:
        raise ExtensionError(
            f"a11y_fixes: the theme's markup changed, these fixes found nothing to fix: {missing}"
        )


def add_static(app, config) -> None:
    if str(STATIC) not in config.html_static_path:
        config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("config-inited", add_static)
    app.add_css_file("a11y.css")
    app.connect("html-page-context", remember_page)
    app.connect("build-finished", rewrite_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
