"""Browser tests of the built book: headless Chromium reads `_build/html` like a reader would.

`make test` builds the book first (`make book`), then runs `pytest tests -m browser`.
The pages are served on 127.0.0.1 (a random free port) and opened with Selenium, using the
Debian `chromium` and `chromium-driver` packages (`scripts/headless_chromium.py`, shared with the
PDF edition; `scripts/system-deps.sh` installs them);
Selenium Manager is never asked to download anything.

Besides reading the pages (console, outputs, Colab links, search, Korean font) the tests check
that the book works offline (MathJax from _static typesets every formula; nothing but the Colab
badge comes from another host), that every plot has Korean alt text, and that axe-core
(scripts/book-assets, `make book-assets`) finds no serious or critical violation on any page in
light or dark mode.

Run as a script to print the search recall table (pages found / pages containing each term),
or with --axe the axe-core violations per rule in both modes:

    .venv/bin/python tests/book/test_browser.py [--html DIR] [--toc FILE] [--axe]

Environment overrides, for checking another build: BOOK_HTML (default `_build/html`),
BOOK_TOC (default `_toc.yml`), CHROMIUM and CHROMEDRIVER (default: found on PATH).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import pathlib
import re
import sys
import urllib.parse

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from headless_chromium import chromium, serve  # noqa: E402

HTML = pathlib.Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
TOC_FILE = pathlib.Path(os.environ.get("BOOK_TOC", ROOT / "_toc.yml"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
ARTIFACTS = ROOT / "artifacts"

# Course terminology (book/glossary.md), with the English term as the test id. The pages
# each query must find are computed from the built pages, never listed by hand. The last two
# are inflected queries: the search strips the particle, so they must find every page that
# contains the bare word.
SEARCH_TERMS = {
    "층": "layer", "모델": "model", "가중치": "weight", "손실": "loss", "지표": "metric",
    "직렬화": "serialization", "설정": "config", "마스크": "mask", "상태": "state",
    "훈련": "training", "백엔드": "backend", "연산": "computation", "호출": "call",
    "정칙화": "regularization", "함수형": "functional", "오토인코더": "autoencoder",
    "손실을": "loss+eul", "가중치는": "weight+neun",
}  # fmt: skip

# The document itself: [role="main"] also holds the header buttons, a printable table of
# contents and the previous/next links, whose titles belong to other pages.
ARTICLE = "article.bd-article"
HANGUL_WORD = re.compile("[\uac00-\ud7a3]+")
KOREAN_FONT = re.compile(r"nanum|noto (sans|serif) (cjk|kr)|malgun|apple sd gothic|gulim|batang")

pytestmark = pytest.mark.browser


# --- the book ------------------------------------------------------------------------------


def toc_docnames(toc_file: pathlib.Path = TOC_FILE) -> list[str]:
    """Every page of the table of contents, in reading order (`book/01_layer_basics`, ...)."""
    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    names = [toc["root"]]
    for part in toc.get("parts", []):
        names += [chapter["file"] for chapter in part.get("chapters", [])]
    names += [chapter["file"] for chapter in toc.get("chapters", [])]
    return [re.sub(r"\.(ipynb|md)$", "", name) for name in names]


def notebook_path(docname: str) -> pathlib.Path | None:
    path = ROOT / f"{docname}.ipynb"
    return path if path.exists() else None


def colab_url(docname: str) -> str:
    """The Colab link a chapter must carry, built from `_config.yml` alone."""
    repo = CONFIG["repository"]
    github = urllib.parse.urlparse(repo["url"]).path.strip("/")
    prefix = repo.get("path_to_book", "").strip("/")
    path = f"{prefix}/{docname}.ipynb" if prefix else f"{docname}.ipynb"
    base = CONFIG["launch_buttons"]["colab_url"].rstrip("/")
    return f"{base}/github/{github}/blob/{repo.get('branch', 'main')}/{path}"


def expected_outputs(path: pathlib.Path) -> tuple[int, int]:
    """(code cells with outputs, image outputs) that the page must show for this notebook."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    with_outputs = images = 0
    for cell in cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] != "code" or tags & {"remove-cell", "remove-output"}:
            continue
        outputs = cell.get("outputs", [])
        with_outputs += bool(outputs)
        images += sum(any(k.startswith("image/") for k in o.get("data", {})) for o in outputs)
    return with_outputs, images


def hangul_words(text: str) -> set[str]:
    return set(HANGUL_WORD.findall(text))


def pages_with_term(texts: dict[str, str], term: str) -> set[str]:
    """Pages where some word starts with the term: 손실 is in 손실이, 손실을, 손실과 ...

    Korean particles and endings are suffixes, so "contains the term in an inflected form"
    means a word that begins with it.
    """
    return {
        doc for doc, text in texts.items() if any(w.startswith(term) for w in hangul_words(text))
    }


def bare_term(term: str) -> str:
    """The noun inside an inflected query (손실을 → 손실), for computing what it must find."""
    for bare in SEARCH_TERMS:
        if term != bare and term.startswith(bare):
            return bare
    return term


# --- the browser ---------------------------------------------------------------------------

# The console, and "performance": the network requests (test_pages_fetch_nothing_from_the_network).
LOGGING = {"goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"}}

# Errors that are not the book's: the browser asks the server root for /favicon.ico by itself
# (on GitHub Pages that is the account's root, not the book), and the tests run offline, so an
# external resource (the Colab badge image) fails to resolve. An external resource that answers
# with an error status is still reported.
NOT_THE_BOOKS = re.compile(
    r"^https?://127\.0\.0\.1:\d+/favicon\.ico |"
    r"^https?://(?!127\.0\.0\.1[:/])\S+ - Failed to load resource: net::ERR_(NAME_NOT_RESOLVED|"
    r"INTERNET_DISCONNECTED|NETWORK_ACCESS_DENIED|ADDRESS_UNREACHABLE|CONNECTION_\w+|TIMED_OUT)"
)


def console_errors(driver) -> list[str]:
    """Browser console errors since the last call (reading the log empties it)."""
    return [
        e["message"]
        for e in driver.get_log("browser")
        if e["level"] == "SEVERE" and not NOT_THE_BOOKS.match(e["message"])
    ]


def main_text(driver) -> str:
    """Text of the page's main content, hidden (collapsed) cells included, as search sees it."""
    return driver.execute_script(
        """const main = document.querySelector(arguments[0]).cloneNode(true);
        main.querySelectorAll('.headerlink, script, style').forEach((el) => el.remove());
        return main.textContent;""",
        ARTICLE,
    )


def page_title(driver) -> str:
    return driver.execute_script(
        "const h = document.querySelector(arguments[0] + ' h1'); return h ? h.textContent : '';",
        ARTICLE,
    ).strip()


def search(driver, base: str, query: str, timeout: float = 30) -> list[str]:
    """Docnames the book's search returns for a query, best first."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base + "search.html?q=" + urllib.parse.quote(query))
    # The status line is written when the last result has been listed.
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script(
            "const s = document.querySelector('#search-results .search-summary');"
            "return s !== null && s.innerText.trim() !== '';"
        )
    )
    hrefs = driver.execute_script(
        "return [...document.querySelectorAll('#search-results ul.search li > a')]"
        ".map((a) => a.href);"
    )
    found: list[str] = []
    for href in hrefs:
        path = urllib.parse.urlparse(href).path.lstrip("/")
        doc = re.sub(r"\.html$", "", path)
        if doc not in found:
            found.append(doc)
    return found


# --- fixtures ------------------------------------------------------------------------------


@dataclasses.dataclass
class Page:
    title: str
    text: str


@pytest.fixture(scope="session")
def book_html() -> pathlib.Path:
    if not (HTML / "searchindex.js").exists():
        pytest.fail(f"the built book is missing ({HTML}): run `make book` first")
    return HTML


@pytest.fixture(scope="session")
def base_url(book_html):
    with serve(book_html) as url:
        yield url


@pytest.fixture(scope="session")
def driver():
    with chromium(missing=pytest.fail, capabilities=LOGGING) as drv:
        yield drv


@pytest.fixture(scope="session")
def docnames(book_html) -> list[str]:
    names = toc_docnames()
    missing = [d for d in names if not (book_html / f"{d}.html").exists()]
    assert not missing, f"pages in {TOC_FILE.name} that the build did not produce: {missing}"
    return names


@pytest.fixture(scope="session")
def chapters(docnames) -> list[str]:
    """The notebook pages of the table of contents."""
    found = [doc for doc in docnames if notebook_path(doc) is not None]
    assert found, "the table of contents lists no notebooks"
    return found


@pytest.fixture(scope="session")
def pages(driver, base_url, docnames) -> dict[str, Page]:
    return read_pages(driver, base_url, docnames)


def read_pages(driver, base_url: str, docnames: list[str]) -> dict[str, Page]:
    found = {}
    for doc in docnames:
        driver.get(base_url + doc + ".html")
        found[doc] = Page(title=page_title(driver), text=main_text(driver))
    return found


# --- tests ---------------------------------------------------------------------------------


def test_every_toc_page_loads_without_console_errors_and_shows_its_outputs(
    driver, base_url, docnames
):
    problems = []
    console_errors(driver)  # start from an empty log
    for doc in docnames:
        driver.get(base_url + doc + ".html")
        driver.execute_script("return document.fonts.ready")
        errors = console_errors(driver)
        if errors:
            problems.append(f"{doc}: console errors {errors}")
        title = page_title(driver)
        if not hangul_words(title):
            problems.append(f"{doc}: no Korean <h1> title (found {title!r})")
        # The book's own images (external ones cannot load offline; see NOT_THE_BOOKS).
        images = driver.execute_script(
            "return [...document.querySelectorAll('img')]"
            ".filter((i) => !/^https?:/.test(i.src) || new URL(i.src).origin === location.origin)"
            ".map((i) => [i.getAttribute('src'), i.complete, i.naturalWidth]);"
        )
        broken = [src for src, complete, width in images if not complete or width == 0]
        if broken:
            problems.append(f"{doc}: images that did not load {broken}")
        notebook = notebook_path(doc)
        if notebook is None:
            continue
        want = expected_outputs(notebook)
        shown = driver.execute_script(
            "const outs = document.querySelectorAll(arguments[0] + ' .cell_output');"
            "return [outs.length,"
            " [...outs].reduce((n, o) => n + o.querySelectorAll('img').length, 0)];",
            ARTICLE,
        )
        if tuple(shown) != want:
            problems.append(
                f"{doc}: the notebook has {want[0]} cells with outputs and {want[1]} images, "
                f"the page shows {shown[0]} outputs and {shown[1]} images"
            )
    assert not problems, "\n".join(problems)


def test_output_images_are_not_blank(driver, base_url, chapters):
    checked, blank = 0, []
    for doc in chapters:
        driver.get(base_url + doc + ".html")
        stats = driver.execute_script(
            """return [...document.querySelectorAll(arguments[0] + ' .cell_output img')]
            .map((img) => {
              const c = document.createElement('canvas');
              c.width = img.naturalWidth; c.height = img.naturalHeight;
              const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
              const d = ctx.getImageData(0, 0, c.width, c.height).data;
              let lo = 255, hi = 0, ink = 0;
              for (let i = 0; i < d.length; i += 4) {
                const v = (d[i] + d[i + 1] + d[i + 2]) / 3;
                lo = Math.min(lo, v); hi = Math.max(hi, v); if (v < 200) ink++;
              }
              return [img.getAttribute('src'), hi - lo, ink / (d.length / 4)];
            });""",
            ARTICLE,
        )
        for src, contrast, ink in stats:
            checked += 1
            if contrast < 64 or ink < 0.002:
                blank.append(f"{doc}: {src} (contrast {contrast:.0f}, ink {ink:.4f})")
    assert not blank, "images that look blank:\n" + "\n".join(blank)
    if checked == 0:
        pytest.skip("no chapter of this build has image outputs yet")


def test_outputs_show_no_missing_glyph_warnings(pages):
    """Matplotlib warns 'Glyph ... missing from font' when Korean labels fall back to boxes."""
    bad = [doc for doc, page in pages.items() if re.search(r"Glyph \d+.*missing from", page.text)]
    assert not bad, f"pages whose plot outputs warn about missing Korean glyphs: {bad}"


def test_colab_links_point_at_the_chapter_notebook(driver, base_url, chapters):
    base = CONFIG["launch_buttons"]["colab_url"].rstrip("/")
    problems = []
    for doc in chapters:
        driver.get(base_url + doc + ".html")
        launch = driver.execute_script(
            "return [...document.querySelectorAll('.dropdown-launch-buttons a[href]')]"
            ".map((a) => a.href);"
        )
        links = driver.execute_script(
            "return [...document.querySelectorAll('a[href]')].map((a) => a.href);"
        )
        colab = {href for href in links if href.startswith(base + "/")}
        want = colab_url(doc)
        if want not in launch:
            problems.append(f"{doc}: the launch menu has no Colab link to {want} ({launch})")
        if colab - {want}:
            problems.append(f"{doc}: Colab links to other notebooks {sorted(colab - {want})}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("term", SEARCH_TERMS, ids=list(SEARCH_TERMS.values()))
def test_search_finds_every_page_containing_a_term(driver, base_url, pages, term):
    bare = bare_term(term)
    expected = pages_with_term({doc: page.text for doc, page in pages.items()}, bare)
    if not expected:
        pytest.skip(f"no page of this build contains {bare!r} yet")
    found = search(driver, base_url, term)
    missing = sorted(expected - set(found))
    assert not missing, f"searching {term!r} misses pages that contain {bare!r}: {missing}"
    # Nothing unrelated: each result contains the term somewhere (inside a compound too).
    unrelated = [doc for doc in found if doc not in pages or bare not in pages[doc].text]
    assert not unrelated, f"searching {term!r} returns pages without {bare!r}: {unrelated}"
    # Pages whose title names the term come first.
    titled = [doc for doc in found if bare in pages[doc].title]
    assert found[: len(titled)] == titled, f"pages titled with {bare!r} are not first: {found}"


def test_the_browser_reads_queries_the_way_the_index_was_built(driver, base_url):
    """searchtools.js calls our splitQuery and Stemmer; they must agree with the Python side."""
    korean = load_korean_search()
    english = korean.SearchKorean({})
    queries = ["손실을", "가중치는 모델들의", "층을 정의", "Keras의 Layers", "루프를", "에서는"]
    want = []
    for query in queries:
        words = [
            run
            for token in re.findall(r"\w+", query)
            for run in re.findall("[\uac00-\ud7a3]+|[^\uac00-\ud7a3]+", token)
            if run not in korean.PARTICLES
        ]
        want.append(
            [
                korean.strip_particle(w) if HANGUL_WORD.fullmatch(w) else english.stem(w)
                for w in words
            ]
        )
    driver.get(base_url + "search.html")
    got = driver.execute_script(
        "const stemmer = new Stemmer();"
        "return arguments[0].map("
        "  (q) => splitQuery(q).map((w) => stemmer.stemWord(w.toLowerCase())));",
        queries,
    )
    assert got == want
    assert want[0] == ["손실"] and want[3] == ["kera", "layer"]


def load_korean_search():
    path = ROOT / "_ext" / "korean_search.py"
    spec = importlib.util.spec_from_file_location("korean_search", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_korean_text_renders_with_a_korean_font(driver, base_url, chapters):
    doc = chapters[0]
    driver.get(base_url + doc + ".html")
    driver.execute_script("return document.fonts.ready")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"book-{doc.rsplit('/', 1)[-1]}.png"
    assert driver.save_screenshot(str(shot)), f"could not save {shot}"
    assert shot.stat().st_size > 10_000, "the screenshot is suspiciously small"

    # CSS.getPlatformFontsForNode reports the fonts that drew the node's own text children.
    heading = driver.execute_script(
        "const h = document.querySelector(arguments[0] + ' h1');"
        "return [...h.childNodes].filter((n) => n.nodeType === 3)"
        ".map((n) => n.textContent).join('');",
        ARTICLE,
    )
    syllables = sum(map(len, HANGUL_WORD.findall(heading)))
    assert syllables, f"the <h1> of {doc} has no Korean text of its own: {heading!r}"
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = driver.execute_cdp_cmd(
        "DOM.querySelector", {"nodeId": root, "selector": f"{ARTICLE} h1"}
    )["nodeId"]
    fonts = driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    korean = sum(f["glyphCount"] for f in fonts if KOREAN_FONT.search(f["familyName"].lower()))
    assert korean >= syllables, (
        f"the {syllables} Hangul syllables of {heading!r} were drawn with {fonts}; "
        "expected a Korean font such as NanumGothic (install fonts-nanum)"
    )


# --- offline: math, network, figures --------------------------------------------------------

# What a page may still fetch from another host: the Colab badge (it has alt text, and the
# link works without the image). Everything a reader needs comes from the book itself.
ALLOWED_REMOTE = {"https://colab.research.google.com/assets/colab-badge.svg"}
RAW_TEX = re.compile(r"\\[(\[]|\\begin\{|\$\$")


def network_requests(driver) -> list[str]:
    """URLs the browser asked for since the last call (reading the log empties it)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def is_local(url: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    return parsed.scheme not in ("http", "https") or parsed.hostname == "127.0.0.1"


def test_math_is_typeset_without_the_network(driver, base_url, docnames):
    """Every formula is typeset by the book's own MathJax: no raw TeX is left on any page."""
    with_math, problems = [], []
    for doc in docnames:
        driver.get(base_url + doc + ".html")
        wait_for_math(driver)
        state = driver.execute_script(
            """const article = document.querySelector(arguments[0]);
            const math = [...article.querySelectorAll('.math')];
            const script = document.querySelector('script[src*="mathjax" i]');
            return {math: math.length,
                    typeset: math.filter((m) => m.querySelector('mjx-container')).length,
                    containers: article.querySelectorAll('mjx-container').length,
                    errors: [...article.querySelectorAll('mjx-merror')].map((e) => e.textContent),
                    // What a screen reader gets (MathML): a backslash there is a TeX command
                    // MathJax printed instead of typesetting (\\_ in \\texttt without textmacros).
                    literal: [...article.querySelectorAll('mjx-assistive-mml')]
                      .map((m) => m.textContent).filter((t) => t.includes(String.fromCharCode(92))),
                    src: script ? script.src : null,
                    // Code blocks may hold backslashes (regexes, strings): only prose counts.
                    text: (() => {
                      const copy = article.cloneNode(true);
                      copy.querySelectorAll('pre, code, .highlight').forEach((e) => e.remove());
                      return copy.innerText;
                    })()};""",
            ARTICLE,
        )
        if state["src"] and not is_local(state["src"]):
            problems.append(f"{doc}: MathJax is loaded from {state['src']}")
        raw = sorted(set(RAW_TEX.findall(state["text"])))
        if raw:
            problems.append(f"{doc}: raw TeX delimiters {raw} are left in the page text")
        if state["errors"] or state["literal"]:
            problems.append(
                f"{doc}: MathJax errors {state['errors']}, TeX left as text {state['literal']}"
            )
        if state["math"] == 0:
            continue
        with_math.append(doc)
        if state["typeset"] != state["math"] or state["containers"] < state["math"]:
            problems.append(
                f"{doc}: {state['typeset']} of {state['math']} formulas typeset "
                f"({state['containers']} mjx-container elements)"
            )
    assert not problems, "\n".join(problems)
    # The VAE chapters write their formulas in LaTeX; a build without math means a broken test.
    assert with_math, "no page of the book has math: the check above checked nothing"


def test_pages_fetch_nothing_from_the_network(driver, base_url, docnames):
    """A reader offline gets every page whole: scripts, styles, fonts and math are local."""
    network_requests(driver)  # start from an empty log
    remote = {}
    for page in all_pages(docnames):
        driver.get(base_url + page)
        wait_for_math(driver)
        driver.execute_script("return document.fonts.ready")
        urls = [u for u in network_requests(driver) if not is_local(u) and u not in ALLOWED_REMOTE]
        if urls:
            remote[page] = sorted(set(urls))
    assert not remote, f"pages that fetch from other hosts: {remote}"


def test_output_images_have_korean_alt_text(driver, base_url, chapters):
    """Every plot says in Korean what it shows (cell metadata mystnb.image.alt).

    Without it myst-nb writes the image's file path as its alt text, which a screen reader
    reads out as a hash.
    """
    bad, checked = [], 0
    for doc in chapters:
        driver.get(base_url + doc + ".html")
        images = driver.execute_script(
            "return [...document.querySelectorAll(arguments[0] + ' .cell_output img')]"
            ".map((i) => [i.getAttribute('src'), i.getAttribute('alt') || '']);",
            ARTICLE,
        )
        for src, alt in images:
            checked += 1
            if not hangul_words(alt) or alt.endswith((".png", ".svg", ".jpg")):
                bad.append(f"{doc}: {src.rsplit('/', 1)[-1][:16]}… alt={alt[:40]!r}")
    assert not bad, (
        "output images without a Korean description (add cell metadata "
        '"mystnb": {"image": {"alt": "..."}}):\n' + "\n".join(bad)
    )
    if checked == 0:
        pytest.skip("no chapter of this build has image outputs yet")


# --- the edition footer and the repository menu (_ext/edition.py) -------------------------------


def constraint_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line:
            name, version = line.split("#", 1)[0].strip().split("==", 1)
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_every_page_shows_the_edition_and_the_pinned_versions_in_its_footer(
    driver, base_url, docnames
):
    """The footer names the edition of pyproject.toml and, for Keras, TensorFlow, JAX and
    PyTorch, the versions constraints.txt pins (a local label such as +cpu is the same build)."""
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    edition = ".".join(version.split(".")[:2])
    pins = constraint_pins()
    wanted = {
        "keras": pins["keras"],
        "tensorflow": pins.get("tensorflow-cpu") or pins["tensorflow"],
        "jax": pins["jax"],
        "torch": pins["torch"],
    }
    problems = []
    for page in all_pages(docnames):
        driver.get(base_url + page)
        footer = driver.execute_script(
            """const f = document.querySelector('footer .edition-footer');
            if (!f) return null;
            const box = f.getBoundingClientRect();
            return {edition: f.dataset.edition, version: f.dataset.version,
                    scope: f.dataset.scope, text: f.innerText, visible: box.height > 0,
                    packages: Object.fromEntries([...f.querySelectorAll('[data-package]')]
                      .map((p) => [p.dataset.package, p.dataset.version]))};"""
        )
        if footer is None:
            problems.append(f"{page}: no edition footer")
            continue
        if not footer["visible"] or f"{edition}판" not in footer["text"]:
            problems.append(f"{page}: the footer does not show '{edition}판': {footer['text']!r}")
        if (footer["edition"], footer["version"]) != (edition, version):
            problems.append(f"{page}: footer edition {footer['edition']} {footer['version']}")
        for key, pin in wanted.items():
            shown = footer["packages"].get(key, "")
            if not shown or any(v.split("+")[0] != pin for v in shown.split(", ")):
                problems.append(f"{page}: footer {key} {shown!r}, constraints.txt {pin}")
        doc = page.removesuffix(".html")
        if notebook_path(doc) is not None and footer["scope"] != "chapter":
            problems.append(f"{page}: a chapter's footer names the whole book's runs")
    assert not problems, "\n".join(problems)


def test_repository_menu_reports_a_problem_and_edits_the_page_in_korean(driver, base_url, docnames):
    repo = CONFIG["repository"]["url"].rstrip("/")
    branch = CONFIG["repository"].get("branch", "main")
    problems = []
    for doc in docnames:
        driver.get(base_url + doc + ".html")
        items = driver.execute_script(
            "return [...document.querySelectorAll('.dropdown-source-buttons .dropdown-item')]"
            ".map((a) => [a.textContent.trim(), a.getAttribute('href')]);"
        )
        links = dict(items)
        issue, edit = links.get("문제 알리기"), links.get("이 페이지 고치기")
        if not issue or not issue.startswith(repo + "/issues/new?"):
            problems.append(f"{doc}: no '문제 알리기' link to a new issue ({items})")
        elif urllib.parse.quote(f"{doc}.html", safe="") not in issue:
            problems.append(f"{doc}: the new issue does not name the page: {issue[:120]}")
        source = next(ROOT.glob(f"{doc}.*"), None)
        want = f"{repo}/edit/{branch}/{source.relative_to(ROOT)}"
        if edit != want:
            problems.append(f"{doc}: '이 페이지 고치기' goes to {edit}, not {want}")
    assert not problems, "\n".join(problems)


# --- accessibility (axe-core) ---------------------------------------------------------------

# axe-core, pinned in scripts/book-assets/package.json and installed by `make book-assets`.
AXE_JS = ROOT / "scripts" / "book-assets" / "node_modules" / "axe-core" / "axe.min.js"
# pydata-sphinx-theme keeps the reader's choice in localStorage ("mode": light/dark/auto).
MODES = ("light", "dark")
# Pages a reader reaches besides the table of contents.
EXTRA_PAGES = ("search.html", "genindex.html")


def set_mode(driver, base: str, mode: str) -> None:
    """Choose the theme's light or dark mode for every page opened afterwards."""
    driver.get(base + "genindex.html")
    driver.execute_script(
        "localStorage.setItem('mode', arguments[0]); localStorage.setItem('theme', arguments[0]);",
        mode,
    )


def wait_for_math(driver, timeout: float = 30) -> None:
    """Wait until MathJax (where the page loads it) has typeset the page."""
    driver.set_script_timeout(timeout)
    driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        const started = Date.now();
        (function poll() {
          const mj = window.MathJax;
          if (mj && mj.startup && mj.startup.promise) {
            mj.startup.promise.then(() => done(true), () => done(false));
          } else if (!document.querySelector('script[src*="mathjax" i]')
                     || Date.now() - started > 20000) {
            done(false);
          } else {
            setTimeout(poll, 50);
          }
        })();"""
    )


def axe_violations(driver, axe_source: str) -> list[dict]:
    """axe-core's violations on the current page: rule, impact, help and the offending nodes."""
    driver.execute_script(axe_source)
    driver.set_script_timeout(120)
    result = driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']}).then(
          (r) => done(r.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => n.target.join(' '))}))),
          (e) => done({error: String(e)}));"""
    )
    if isinstance(result, dict):
        raise RuntimeError(f"axe-core failed: {result['error']}")
    return result


def axe_scan(driver, base: str, pages: list[str], mode: str) -> dict[str, list[dict]]:
    """Violations per page, in the given theme mode."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make book-assets` first")
    source = AXE_JS.read_text(encoding="utf-8")
    set_mode(driver, base, mode)
    found = {}
    for page in pages:
        driver.get(base + page)
        wait_for_math(driver)
        theme = driver.execute_script("return document.documentElement.dataset.theme;")
        assert theme == mode, f"{page}: the theme shows {theme!r}, not {mode!r}"
        found[page] = axe_violations(driver, source)
    return found


def axe_counts(scan: dict[str, list[dict]]) -> dict[tuple[str, str], int]:
    """(rule, impact) -> number of offending nodes over all pages."""
    counts: dict[tuple[str, str], int] = {}
    for violations in scan.values():
        for v in violations:
            key = (v["id"], v["impact"])
            counts[key] = counts.get(key, 0) + len(v["nodes"])
    return counts


def all_pages(docnames: list[str]) -> list[str]:
    return [doc + ".html" for doc in docnames] + list(EXTRA_PAGES)


@pytest.mark.parametrize("mode", MODES)
def test_no_serious_or_critical_accessibility_violations(driver, base_url, docnames, mode):
    scan = axe_scan(driver, base_url, all_pages(docnames), mode)
    bad = [
        f"{page}: [{v['impact']}] {v['id']} ({v['help']}): {v['nodes'][:5]}"
        for page, violations in scan.items()
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"axe-core, {mode} mode:\n" + "\n".join(bad)


# --- recall table (python tests/book/test_browser.py) ------------------------------------------


def recall_table(html: pathlib.Path, toc: pathlib.Path) -> str:
    """Per query: pages found / pages containing the term, and results without the term."""

    def cell(text: str, width: int) -> str:  # a Hangul syllable takes two columns
        wide = sum(len(word) for word in HANGUL_WORD.findall(text))
        return text + " " * (width - len(text) - wide)

    names = toc_docnames(toc)
    rows = ["query      found/containing  other results  missing", "-" * 64]
    total_found = total_expected = total_other = 0
    with serve(html) as base, chromium(capabilities=LOGGING) as drv:
        texts = {doc: page.text for doc, page in read_pages(drv, base, names).items()}
        for term in SEARCH_TERMS:
            expected = pages_with_term(texts, bare_term(term))
            results = set(search(drv, base, term))
            found, other = results & expected, results - expected
            total_found += len(found)
            total_expected += len(expected)
            total_other += len(other)
            missing = ", ".join(sorted(d.rsplit("/", 1)[-1][:2] for d in expected - found))
            ratio = f"{len(found)}/{len(expected)}"
            rows.append(f"{cell(term, 10)} {ratio:>7}{'':10}{len(other):>5}        {missing}")
    rows.append("-" * 64)
    ratio = f"{total_found}/{total_expected}"
    rows.append(f"{'total':<10} {ratio:>7}{'':10}{total_other:>5}")
    size = (html / "searchindex.js").stat().st_size
    rows.append(f"searchindex.js: {size:,} bytes, {len(names)} pages")
    return "\n".join(rows)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--html", type=pathlib.Path, default=HTML)
    parser.add_argument("--toc", type=pathlib.Path, default=TOC_FILE)
    parser.add_argument(
        "--axe", action="store_true", help="print axe-core's violations per rule instead"
    )
    args = parser.parse_args()
    if not (args.html / "searchindex.js").exists():
        raise SystemExit(f"the built book is missing ({args.html}): run `make book` first")
    if args.axe:
        with serve(args.html) as base, chromium(capabilities=LOGGING) as drv:
            for mode in MODES:
                counts = axe_counts(axe_scan(drv, base, all_pages(toc_docnames(args.toc)), mode))
                print(f"{mode} mode: {sum(counts.values())} nodes")
                for (rule, impact), n in sorted(counts.items()):
                    print(f"  {rule:<28} {impact:<9} {n:>4}")
    else:
        print(recall_table(args.html, args.toc))
