"""The PDF edition: print styles, and a link to the PDF on every page.

``make pdf`` (scripts/book_pdf.py) builds the book as one page (Sphinx's ``singlehtml``
builder) and prints it with headless Chromium; ``static/print.css`` is what makes that a book
(no navigation, code wrapped at the margin instead of cut, each chapter on a new page). The
same styles apply when a reader prints a page from the browser.

The left sidebar of every page links to the PDF, which ``make pdf`` and the Pages workflow
put next to the HTML (``PDF_NAME`` at the root of the built site).
"""

from __future__ import annotations

import pathlib

HERE = pathlib.Path(__file__).resolve().parent
PDF_NAME = "subclassing-course.pdf"
# sphinx-book-theme's sidebar (theme.conf) and the PDF link below it.
SIDEBAR = [
    "navbar-logo.html",
    "icon-links.html",
    "search-button-field.html",
    "sbt-sidebar-nav.html",
    "pdf-link.html",
]


def configure(app, config) -> None:
    if str(HERE / "static") not in config.html_static_path:
        config.html_static_path.append(str(HERE / "static"))
    config.templates_path.append(str(HERE / "templates"))
    if not config.html_sidebars:
        config.html_sidebars = {"**": SIDEBAR}
    config.html_context = {**config.html_context, "pdf_edition": PDF_NAME}


def setup(app):
    app.connect("config-inited", configure)
    app.add_css_file("print.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
