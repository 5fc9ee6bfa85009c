"""Print the single-page build of the book to one PDF with headless Chromium (`make pdf`).

    jupyter-book build . --builder singlehtml      # _build/singlehtml (make pdf does this)
    python scripts/book_pdf.py [--html DIR] [--out FILE]

The page is served on 127.0.0.1 and opened in the Debian `chromium` through `chromedriver`
(scripts/system-deps.sh installs both, and fonts-nanum). Before printing, the script waits for
MathJax (served by the book itself) and the fonts, opens every collapsed cell (hidden inputs and
exercise solutions, which paper cannot unfold), and prints with Chrome DevTools'
`Page.printToPDF`: A4, the margins of `_ext/static/print.css`, page numbers in the footer, PDF
bookmarks from the headings and a tagged (accessible) PDF. Chromium embeds the subset of
NanumGothic it used, so Korean text is selectable and searchable. Links inside the book
(`#document-...` anchors of the single page) become links inside the PDF.

The PDF is written to `_build/pdf/` and copied next to the HTML edition (`_build/html/`), where
every page's sidebar links to it.
"""

from __future__ import annotations

import argparse
import base64
import pathlib
import shutil
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
from print_edition import PDF_NAME  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from headless_chromium import chromium, serve  # noqa: E402

SINGLE = ROOT / "_build" / "singlehtml"
OUT = ROOT / "_build" / "pdf" / PDF_NAME
HTML_EDITION = ROOT / "_build" / "html"
# A4 in inches and the page margins in millimetres (as in print.css's @page rule).
PAPER = (8.27, 11.69)
MARGIN_MM = {"top": 18, "bottom": 18, "left": 16, "right": 16}
FOOTER = (
    '<div style="width:100%;font-size:8pt;text-align:center;color:#555;'
    'font-family:NanumGothic,sans-serif"><span class="pageNumber"></span>'
    ' / <span class="totalPages"></span></div>'
)


def prepare(driver, url: str) -> dict:
    """Open the single page in light mode, typeset, with every collapsed cell open."""
    driver.get(url)
    driver.execute_script(
        "localStorage.setItem('mode', 'light'); localStorage.setItem('theme', 'light');"
    )
    driver.get(url)
    return driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        const mj = window.MathJax;
        const math = mj && mj.startup ? mj.startup.promise : Promise.resolve();
        math.then(() => document.fonts.ready).then(() => {
          document.querySelectorAll('details').forEach((d) => { d.open = true; });
          document.querySelectorAll('.toggle-hidden')
            .forEach((e) => e.classList.remove('toggle-hidden'));
          document.querySelectorAll('img').forEach((i) => { i.loading = 'eager'; });
          return Promise.all([...document.images].filter((i) => !i.complete).map(
            (i) => new Promise((ok) => { i.onload = i.onerror = ok; })));
        }).then(() => done({
          math: document.querySelectorAll('.math').length,
          typeset: document.querySelectorAll('mjx-container').length,
          theme: document.documentElement.dataset.theme,
        }), (e) => done({error: String(e)}));"""
    )


def print_pdf(driver) -> bytes:
    inch = 1 / 25.4
    result = driver.execute_cdp_cmd(
        "Page.printToPDF",
        {
            "paperWidth": PAPER[0],
            "paperHeight": PAPER[1],
            "marginTop": MARGIN_MM["top"] * inch,
            "marginBottom": MARGIN_MM["bottom"] * inch,
            "marginLeft": MARGIN_MM["left"] * inch,
            "marginRight": MARGIN_MM["right"] * inch,
            "printBackground": True,
            "preferCSSPageSize": False,
            "displayHeaderFooter": True,
            "headerTemplate": "<div></div>",
            "footerTemplate": FOOTER,
            "generateDocumentOutline": True,
            "generateTaggedPDF": True,
        },
    )
    return base64.b64decode(result["data"])


def build_pdf(html: pathlib.Path = SINGLE, out: pathlib.Path = OUT) -> pathlib.Path:
    index = html / "book" / "00_intro.html"
    if not index.exists():
        raise SystemExit(f"{index} is missing: build the single-page book first (make pdf)")
    # Sphinx writes the single page as book/00_intro.html but computes its links to _static/
    # and _images/ as if it stood at the root: print a copy that does.
    page = html / "print.html"
    shutil.copy2(index, page)
    start = time.monotonic()
    with serve(html) as base, chromium(timeout=120, script_timeout=120) as driver:
        state = prepare(driver, base + page.name)
        if "error" in state:
            raise SystemExit(f"the page did not get ready for printing: {state['error']}")
        if state["math"] and state["typeset"] < state["math"]:
            raise SystemExit(f"MathJax typeset {state['typeset']} of {state['math']} formulas")
        data = print_pdf(driver)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    if HTML_EDITION.is_dir() and out.parent != HTML_EDITION:
        shutil.copy2(out, HTML_EDITION / out.name)
    print(f"{out}: {len(data):,} bytes in {time.monotonic() - start:.0f} s")
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--html", type=pathlib.Path, default=SINGLE)
    parser.add_argument("--out", type=pathlib.Path, default=OUT)
    args = parser.parse_args()
    build_pdf(args.html, args.out)
