"""The PDF edition (`make pdf`): the whole book, Korean text embedded and extractable, chapter
numbers as in the HTML, nothing running off the page, links inside the book that work.

`make pdf` prints the single-page build with headless Chromium (scripts/book_pdf.py); these
checks read the PDF with poppler-utils (`pdfinfo`, `pdftotext`, `pdffonts`, `pdfimages`; installed
by scripts/system-deps.sh). Marked `browser` like the other checks of the built book, so
`make browser` runs them after `make book pdf`.
"""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import book_pdf  # noqa: E402

PDF = book_pdf.OUT
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
HANGUL = re.compile("[\uac00-\ud7a3]")
POINTS_PER_MM = 72 / 25.4

pytestmark = pytest.mark.browser


def run(*args: str) -> str:
    if shutil.which(args[0]) is None:
        pytest.fail(f"{args[0]} is missing: run `bash scripts/system-deps.sh` (poppler-utils)")
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def pdf() -> pathlib.Path:
    if not PDF.exists():
        pytest.fail(f"{PDF} is missing: run `make pdf` first")
    return PDF


@pytest.fixture(scope="module")
def text(pdf) -> str:
    return run("pdftotext", "-enc", "UTF-8", str(pdf), "-")


def squeeze(s: str) -> str:
    return re.sub(r"\s+", "", s)


def page_title(docname: str) -> str:
    """The page's title as the reader sees it: the first `# ` heading, without markup."""
    path = next(ROOT.glob(f"{docname}.*"))
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        source = "".join(cells[0]["source"])
    else:
        source = path.read_text(encoding="utf-8")
    heading = next(line for line in source.splitlines() if line.startswith("# "))
    return re.sub(r"[`*_]", "", heading[2:]).strip()


def toc_pages() -> list[tuple[str, str | None]]:
    """(docname, chapter number or None) in reading order, numbered as the HTML numbers them:
    sphinx-multitoc-numbering counts on across the numbered parts."""
    pages, number = [(TOC["root"], None)], 0
    for part in TOC.get("parts", []):
        for chapter in part["chapters"]:
            if part.get("numbered"):
                number += 1
                pages.append((chapter["file"], str(number)))
            else:
                pages.append((chapter["file"], None))
    return pages


def test_the_pdf_has_a_page_count_that_fits_the_book(pdf):
    info = run("pdfinfo", str(pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert re.search(r"^Page size:.*\(A4\)", info, re.M), "A4 pages"
    # Each chapter takes several pages; far fewer means content was lost, far more a layout
    # that breaks the page after every block.
    assert 3 * len(toc_pages()) <= pages <= 600, f"{pages} pages"


def test_every_chapter_title_is_there_with_its_number(text):
    flat = squeeze(text)
    missing = []
    for docname, number in toc_pages():
        title = squeeze(page_title(docname))
        want = f"{number}.{title}" if number else title
        if want not in flat:
            missing.append(want)
    assert not missing, f"titles missing from the PDF text: {missing}"


def test_korean_text_is_embedded_and_extractable(pdf, text):
    syllables = len(HANGUL.findall(text))
    assert syllables > 5_000, f"only {syllables} Hangul syllables could be extracted"
    fonts = run("pdffonts", str(pdf))
    korean = [line for line in fonts.splitlines() if re.search(r"Nanum|Noto.*(CJK|KR)", line)]
    assert korean, f"no Korean font in the PDF:\n{fonts}"
    # name type encoding emb sub uni: every Korean font embedded, with a ToUnicode map.
    for line in korean:
        emb, _sub, uni = line.split()[-5:-2]
        assert emb == "yes" and uni == "yes", f"Korean font not embedded or not mapped: {line}"


def test_no_text_runs_off_the_page(pdf):
    """Every word, code lines included, lies inside the page's text area (between margins)."""
    layout = run("pdftotext", "-bbox", str(pdf), "-")
    left = book_pdf.MARGIN_MM["left"] * POINTS_PER_MM
    right = book_pdf.MARGIN_MM["right"] * POINTS_PER_MM
    outside, words = [], 0
    for number, (width, body) in enumerate(
        re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', layout, re.S), 1
    ):
        for x0, x1, word in re.findall(
            r'<word xMin="([-\d.]+)" yMin="[-\d.]+" xMax="([-\d.]+)" yMax="[-\d.]+">(.*?)</word>',
            body,
        ):
            words += 1
            if float(x0) < left - 1 or float(x1) > float(width) - right + 1:
                outside.append(f"page {number}: {word!r} at x {float(x0):.0f}–{float(x1):.0f}")
    assert words > 10_000, f"only {words} words in the PDF"
    assert not outside, f"{len(outside)} words outside the text area:\n" + "\n".join(outside[:20])


def test_links_inside_the_book_lead_somewhere(pdf):
    raw = pdf.read_bytes()
    targets = {
        re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name).decode()
        for name in re.findall(rb"/Subtype /Link[^>]*?/Dest /([^\s/>]+)", raw)
    }
    assert targets, "the PDF has no links inside the book"
    dests = set(re.findall(r'"([^"]*)"\s*$', run("pdfinfo", "-dests", str(pdf)), re.M))
    assert not targets - dests, f"links to places the PDF lacks: {sorted(targets - dests)}"
    chapters = {f"document-{docname}" for docname, _ in toc_pages()[1:]}
    assert chapters <= dests, f"chapters without a destination: {sorted(chapters - dests)}"


def test_figures_are_in_the_pdf(pdf):
    want = 0
    for docname, _ in toc_pages():
        path = ROOT / f"{docname}.ipynb"
        if path.exists():
            for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
                for output in cell.get("outputs", []):
                    want += any(k.startswith("image/") for k in output.get("data", {}))
    images = run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    assert len(images) >= want, f"{want} plots in the notebooks, {len(images)} images in the PDF"


def test_the_html_edition_links_to_the_pdf():
    html = ROOT / "_build" / "html"
    assert (html / PDF.name).exists(), f"make pdf copies the PDF to {html / PDF.name}"
    intro = (html / f"{TOC['root']}.html").read_text(encoding="utf-8")
    assert f'href="../{PDF.name}"' in intro, "the intro page's sidebar links to the PDF"
