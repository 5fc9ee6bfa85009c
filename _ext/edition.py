"""The edition on every page: a footer with the edition, the date and the versions, and the
"문제 알리기" / "이 페이지 고치기" buttons in Korean.

Nothing here is typed by hand:

* the edition is the package's version in ``pyproject.toml`` (the one place it is written):
  ``2026.12.0`` is the 2026.12 edition (판), ``2026.12.1`` the same edition with corrections;
* the date and the versions come from ``book/execution_record.json``, which
  ``scripts/record_execution.py`` writes from inside the kernel that executed each notebook. The
  build does not execute the notebooks (``execute_notebooks: off``): the pages show the stored
  outputs, so the versions that matter are those of the run that stored them, not those of the
  environment building the HTML.

A notebook page's footer names its own run; every other page (introduction, errata, glossary,
search) names the versions and dates of all the book's notebooks. A notebook of the table of
contents without a record is a build warning (an error under ``-W``), so a page never goes out
without its footer. ``tests/book/test_edition.py`` checks the record against ``constraints.txt``
and the notebooks' outputs; ``tests/book/test_browser.py`` checks that the footer is on every
page.

The theme's repository menu (``use_issues_button``, ``use_edit_page_button`` in
``_config.yml``) gets Korean labels, and its new-issue link a Korean form that names the page,
the edition and the versions, which is what a correction needs (see book/errata.md).
"""

from __future__ import annotations

import datetime
import html
import json
import pathlib
import tomllib
import urllib.parse

from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
ROOT = pathlib.Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
RECORD = ROOT / "book" / "execution_record.json"
TEMPLATE = "edition-footer.html"
#: sphinx-book-theme's footer items (theme.conf), to which the edition footer is added.
THEME_FOOTER = ["author.html", "copyright.html", "last-updated.html", "extra-footer.html"]
#: The packages the footer names, in this order, with the names readers know them by.
SHOWN = {"keras": "Keras", "tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
#: `keras.backend.backend()` as readers write it.
BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
#: The theme's repository menu in Korean (its Korean catalogue leaves these in English).
LABELS = {
    "source-repository-button": "저장소",
    "source-issues-button": "문제 알리기",
    "source-edit-button": "이 페이지 고치기",
}
MENU_LABEL = "저장소 메뉴: 문제 알리기, 이 페이지 고치기"


def read_version(path: pathlib.Path = PYPROJECT) -> str:
    return tomllib.loads(path.read_text(encoding="utf-8"))["project"]["version"]


def edition_of(version: str) -> str:
    """`2026.12.0` → `2026.12`: the year and month of the edition, without the reprint number."""
    parts = version.split(".")
    well_formed = len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4
    if not well_formed or not 1 <= int(parts[1]) <= 12:
        raise ValueError(
            f"the version in pyproject.toml must be YEAR.MONTH.REPRINT (e.g. 2026.12.0); "
            f"found {version!r}"
        )
    return f"{parts[0]}.{int(parts[1]):02d}"


def read_record(path: pathlib.Path = RECORD) -> dict[str, dict]:
    """`{notebook file name: record}` from book/execution_record.json (empty when it is missing)."""
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("notebooks", {})


def korean_date(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day.year}년 {day.month}월 {day.day}일"


def footer_info(docname: str | None, record: dict[str, dict], version: str) -> dict:
    """What the footer of one page says: the edition, and the run(s) behind its outputs.

    `docname` is a notebook page's (`book/01_layer_basics`) or any other page's name; a notebook
    page is described by its own record, any other page by every record of the book.
    """
    name = f"{docname.rsplit('/', 1)[-1]}.ipynb" if docname else None
    runs = [record[name]] if name in record else list(record.values())
    versions = {
        key: sorted({run["packages"][key]["version"] for run in runs if key in run["packages"]})
        for key in SHOWN
    }
    return {
        "edition": edition_of(version),
        "version": version,
        "scope": "chapter" if name in record else "book",
        "dates": sorted({run["date"] for run in runs}),
        "versions": {key: found for key, found in versions.items() if found},
        "backends": sorted({run["backend"] for run in runs}),
    }


def footer_html(info: dict) -> str:
    dates = info["dates"]
    when = (
        korean_date(dates[0])
        if len(dates) == 1
        else (f"{korean_date(dates[0])}~{korean_date(dates[-1])}" if dates else "")
    )
    packages = " · ".join(
        f'<span class="edition-package" data-package="{key}" '
        f'data-version="{html.escape(", ".join(found))}">'
        f"{SHOWN[key]} {html.escape(', '.join(found))}</span>"
        for key, found in info["versions"].items()
    )
    backend = ", ".join(BACKEND_NAMES.get(b, b) for b in info["backends"])
    what = "이 장의 출력은" if info["scope"] == "chapter" else "이 판의 노트북 출력은"
    run = (
        f"{what} {when}에 다음 환경에서 {html.escape(backend)} 백엔드로 실행한 결과입니다: "
        f"{packages}"
        if packages
        else "실행 기록이 없습니다."
    )
    return (
        f'<div class="edition-footer" data-edition="{info["edition"]}" '
        f'data-version="{info["version"]}" data-scope="{info["scope"]}">\n'
        f"  <p><strong>{info['edition']}판</strong> (동반 패키지 companion {info['version']})</p>\n"
        f'  <p class="edition-run">{run}</p>\n'
        "</div>"
    )


def issue_url(repository: str, pagename: str, info: dict) -> str:
    """A new GitHub issue about this page, with a Korean form naming the page and the edition."""
    versions = ", ".join(f"{SHOWN[k]} {', '.join(v)}" for k, v in info["versions"].items())
    title = f"[정오표] {pagename}.html ({info['edition']}판)"
    body = (
        f"- 페이지: {pagename}.html\n"
        f"- 판: {info['edition']}판 (companion {info['version']})\n"
        f"- 실행 환경: {versions}\n\n"
        "무엇이 틀렸나요? (문장을 옮겨 적거나 셀의 내용을 적어 주세요)\n\n\n"
        "어떻게 고치면 좋을까요?\n"
    )
    query = urllib.parse.urlencode({"title": title, "body": body}, quote_via=urllib.parse.quote)
    return f"{repository.rstrip('/')}/issues/new?{query}"


# --- Sphinx -----------------------------------------------------------------------------------


def configure(app, config) -> None:
    templates = str(ROOT / "_ext" / "templates")
    if templates not in config.templates_path:
        config.templates_path.append(templates)
    options = config.html_theme_options
    items = options.get("footer_content_items") or list(THEME_FOOTER)
    if isinstance(items, str):
        items = [item.strip() for item in items.split(",") if item.strip()]
    if TEMPLATE not in items:
        items = [*items, TEMPLATE]
    options["footer_content_items"] = items
    app.edition_version = read_version()
    edition_of(app.edition_version)  # a malformed version stops the build here
    app.edition_record = read_record()


def check_records(app, env) -> None:
    """Every notebook the book builds has a record: its page must name its run."""
    record = app.edition_record
    for docname in sorted(env.found_docs):
        if pathlib.Path(env.doc2path(docname)).suffix != ".ipynb":
            continue
        if f"{docname.rsplit('/', 1)[-1]}.ipynb" not in record:
            LOGGER.warning(
                f"{docname}.ipynb has no execution record in book/execution_record.json, so its "
                "footer cannot say what ran it: run `.venv/bin/python scripts/record_execution.py "
                f"{docname}.ipynb` (or with --inplace to execute and save it)",
                type="edition",
                subtype="record",
                location=docname,
            )


def add_footer(app, pagename, templatename, context, doctree) -> None:
    docname = pagename if pagename in app.env.found_docs else None
    info = footer_info(docname, app.edition_record, app.edition_version)
    context["edition_footer"] = footer_html(info)
    repository = app.config.html_theme_options.get("repository_url", "")
    for button in _buttons(context.get("header_buttons", [])):
        label = button.get("label")
        if label == "source-buttons":
            button["tooltip"] = MENU_LABEL
        elif label in LABELS:
            button["tooltip"] = LABELS[label]
            if button.get("text"):
                button["text"] = LABELS[label]
            if label == "source-issues-button" and repository:
                button["url"] = issue_url(repository, pagename, info)


def _buttons(buttons):
    for button in buttons:
        yield button
        yield from _buttons(button.get("buttons", []))


def setup(app):
    app.connect("config-inited", configure)
    app.connect("env-updated", check_records)
    # After sphinx-book-theme's header buttons (priority 501).
    app.connect("html-page-context", add_footer, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
