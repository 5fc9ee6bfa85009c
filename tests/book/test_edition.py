"""Editions readers can trust: one version, a changelog and an errata entry for it, and page
footers whose versions are those of the run that made the outputs, pinned by constraints.txt.

- `pyproject.toml`'s `version` (YEAR.MONTH.REPRINT) is the package's version and the book's
  edition; CHANGELOG.md's first entry and the errata page (book/errata.md) name it.
- `book/execution_record.json` (scripts/record_execution.py) holds, per notebook, what the kernel
  that executed it had installed. Each toc notebook has a record; its fingerprint is that of the
  notebook's stored outputs (a notebook executed again with other outputs needs a new record);
  its versions are the pins of constraints.txt; and the footers _ext/edition.py builds from it
  name exactly those versions.
- The repository menu ("문제 알리기", "이 페이지 고치기") is on and in Korean.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import re
import sys
import tomllib
import types
import urllib.parse

import nbformat
import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import record_execution  # noqa: E402

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
RECORD_PATH = ROOT / "book" / "execution_record.json"
RECORD = record_execution.read_record(RECORD_PATH)["notebooks"]


def _load_edition():
    spec = importlib.util.spec_from_file_location("edition", ROOT / "_ext" / "edition.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


edition = _load_edition()


def toc_files() -> list[str]:
    files = [TOC["root"]]
    for part in TOC["parts"]:
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


TOC_NOTEBOOKS = [
    ROOT / f"{name}.ipynb" for name in toc_files() if (ROOT / f"{name}.ipynb").exists()
]


def pins() -> dict[str, str]:
    """`{canonical distribution name: version}` of constraints.txt."""
    found = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            found[re.sub(r"[-_.]+", "-", name).lower()] = version.strip()
    return found


PINS = pins()


def mismatches(packages: dict[str, dict], pinned: dict[str, str]) -> list[str]:
    """What a record's packages say against the pins: `keras 3.16.0 (constraints.txt: 3.15.1)`.

    A local version label counts as the pin (torch 2.13.0+cpu is what `torch==2.13.0` installs
    from the CPU wheel); a package the record names but constraints.txt does not pin is one too.
    """
    found = []
    for key, package in packages.items():
        distribution = package["distribution"]
        pin = pinned.get(distribution)
        if pin is None:
            found.append(f"{key}: {distribution} {package['version']} (not in constraints.txt)")
        elif not SpecifierSet(f"=={pin}").contains(package["version"], prereleases=True):
            found.append(f"{key}: {distribution} {package['version']} (constraints.txt: {pin})")
    return found


# --- one version ---------------------------------------------------------------------------------


def test_version_is_year_month_reprint_in_pep_440_form():
    assert str(Version(VERSION)) == VERSION, f"{VERSION!r} is not in PEP 440's normal form"
    year, month, reprint = (int(part) for part in VERSION.split("."))
    assert 2026 <= year and 1 <= month <= 12 and reprint >= 0
    assert edition.edition_of(VERSION) == f"{year}.{month:02d}"


@pytest.mark.parametrize("bad", ["0.1.0", "2026.13.0", "2026.12", "2026.12.0rc1", "v2026.12.0"])
def test_a_version_that_is_not_an_edition_stops_the_build(bad):
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        edition.edition_of(bad)


def test_changelog_starts_with_this_version():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (\S+)", text, re.M)
    assert headings and headings[0] == VERSION, (
        f"CHANGELOG.md's first entry is {headings[:1]}, the version is {VERSION}: "
        "a new version needs its entry"
    )


def test_errata_page_has_a_section_for_this_edition():
    text = (ROOT / "book" / "errata.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(edition.edition_of(VERSION))}판", text, re.M), (
        f"book/errata.md has no '## {edition.edition_of(VERSION)}판' section"
    )


def test_errata_lists_the_43_corrections_of_the_december_read():
    text = (ROOT / "book" / "errata.md").read_text(encoding="utf-8")
    section = text.split("## 2026.12판", 1)[1]
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", section, re.M)]
    assert numbers == list(range(1, 44))


def test_errata_sits_in_the_appendix_before_the_credits():
    appendix = next(part for part in TOC["parts"] if not part.get("numbered"))
    files = [chapter["file"] for chapter in appendix["chapters"]]
    assert "book/errata" in files
    assert files.index("book/errata") > files.index("book/14_migration")
    assert files[-1] == "book/credits", "the credits stay last"


# --- the execution record -----------------------------------------------------------------------


def test_the_toc_has_notebooks():
    assert TOC_NOTEBOOKS


@pytest.mark.parametrize("path", TOC_NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_has_an_execution_record(path):
    assert path.name in RECORD, (
        f"book/execution_record.json has no record of {path.name}: run "
        f"`.venv/bin/python scripts/record_execution.py book/{path.name}` (executes a copy and "
        "records when its outputs are the stored ones; --inplace executes and saves it)"
    )


def test_the_record_names_no_notebook_that_is_gone():
    names = {path.name for path in TOC_NOTEBOOKS}
    assert set(RECORD) <= names, f"records of notebooks not in the toc: {set(RECORD) - names}"


@pytest.mark.parametrize("path", TOC_NOTEBOOKS, ids=lambda p: p.name)
def test_the_record_describes_the_stored_outputs(path):
    if path.name not in RECORD:
        pytest.skip("no record (test_every_notebook_has_an_execution_record fails)")
    notebook = nbformat.read(path, as_version=4)
    assert record_execution.fingerprint(notebook) == RECORD[path.name]["outputs"], (
        f"{path.name}'s stored outputs are not those its record was made from (executed again or "
        f"edited since): run `.venv/bin/python scripts/record_execution.py book/{path.name}`"
    )


@pytest.mark.parametrize("path", TOC_NOTEBOOKS, ids=lambda p: p.name)
def test_recorded_versions_are_the_pins_of_constraints(path):
    if path.name not in RECORD:
        pytest.skip("no record (test_every_notebook_has_an_execution_record fails)")
    entry = RECORD[path.name]
    assert entry["backend"] == "tensorflow", "the stored outputs come from the TensorFlow backend"
    assert set(edition.SHOWN) <= set(entry["packages"]), "the footer names these four"
    problems = mismatches(entry["packages"], PINS)
    assert not problems, (
        f"{path.name} was executed with other versions than constraints.txt pins: {problems}; "
        "execute it again in the pinned environment (make venv) with scripts/record_execution.py"
    )


def test_a_version_other_than_the_pin_is_caught():
    packages = {
        "keras": {"distribution": "keras", "version": "3.16.0.dev2026102704"},
        "torch": {"distribution": "torch", "version": "2.13.0+cpu"},
        "tensorflow": {"distribution": "tensorflow", "version": "2.21.0"},
    }
    pinned = {"keras": "3.15.1", "torch": "2.13.0", "tensorflow-cpu": "2.21.0"}
    assert mismatches(packages, pinned) == [
        "keras: keras 3.16.0.dev2026102704 (constraints.txt: 3.15.1)",
        "tensorflow: tensorflow 2.21.0 (not in constraints.txt)",
    ]


# --- the fingerprint ------------------------------------------------------------------------------


def _notebook(*cells):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = list(cells)
    return notebook


def _cell(text, tags=(), count=1, extra=()):
    cell = nbformat.v4.new_code_cell("print(1)", execution_count=count)
    cell.metadata["tags"] = list(tags)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text), *extra]
    return cell


def test_fingerprint_changes_with_a_checked_output():
    base = record_execution.fingerprint(_notebook(_cell("손실: 0.31\n")))
    assert record_execution.fingerprint(_notebook(_cell("손실: 0.32\n"))) != base
    # An error, or an output nbval compares added to the cell, changes it too.
    error = nbformat.v4.new_output("error", ename="TypeError", evalue="x", traceback=[])
    assert record_execution.fingerprint(_notebook(_cell("손실: 0.31\n", extra=[error]))) != base


def test_fingerprint_ignores_what_nbval_ignores():
    base = record_execution.fingerprint(_notebook(_cell("<Layer at 0x7f00aa11bb22>\n")))
    image = nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"})
    same = [
        _notebook(_cell("<Layer at 0x7f0012345678>\n")),  # memory address (nbval_sanitize.cfg)
        _notebook(_cell("<Layer at 0x7f00aa11bb22>\n", count=7)),  # execution count
        _notebook(_cell("<Layer at 0x7f00aa11bb22>\n", extra=[image])),  # images
        _notebook(_cell("<Layer at 0x7f00aa11bb22>\n"), _cell("12.3 s\n", ["nbval-ignore-output"])),
    ]
    assert all(record_execution.fingerprint(nb) == base for nb in same)


def test_a_stream_split_in_two_is_the_same_stream():
    one = _cell("a\nb\n")
    two = _cell("a\n", extra=[nbformat.v4.new_output("stream", name="stdout", text="b\n")])
    assert record_execution.fingerprint(_notebook(one)) == record_execution.fingerprint(
        _notebook(two)
    )


def test_differing_cells_names_the_cell_that_changed():
    stored = _notebook(_cell("같음\n"), _cell("전\n"))
    fresh = _notebook(_cell("같음\n"), _cell("후\n"))
    assert record_execution.differing_cells(stored, fresh) == ["Cell 1 (notebook cell 1): print(1)"]


# --- the footer -----------------------------------------------------------------------------------


def _docnames():
    return [name for name in toc_files()]


@pytest.mark.parametrize("docname", _docnames())
def test_footer_names_the_edition_and_the_pinned_versions(docname):
    info = edition.footer_info(docname, RECORD, VERSION)
    if not info["versions"]:
        pytest.skip("no record yet (test_every_notebook_has_an_execution_record fails)")
    distributions = {
        key: package["distribution"]
        for entry in RECORD.values()
        for key, package in entry["packages"].items()
    }
    wanted = {key: PINS.get(distributions[key]) for key in edition.SHOWN}
    for key, versions in info["versions"].items():
        assert all(
            SpecifierSet(f"=={wanted[key]}").contains(v, prereleases=True) for v in versions
        ), f"the footer of {docname} says {edition.SHOWN[key]} {versions}, constraints.txt {wanted}"
    html = edition.footer_html(info)
    assert f"<strong>{edition.edition_of(VERSION)}판</strong>" in html and VERSION in html
    for key, name in edition.SHOWN.items():
        assert f'data-package="{key}"' in html and name in html


def test_footer_of_a_chapter_is_its_own_run_and_of_other_pages_the_books():
    record = {
        "01_a.ipynb": {
            "date": "2026-12-07",
            "backend": "tensorflow",
            "packages": {"keras": {"distribution": "keras", "version": "3.15.1"}},
        },
        "02_b.ipynb": {
            "date": "2026-12-08",
            "backend": "tensorflow",
            "packages": {"keras": {"distribution": "keras", "version": "3.15.2"}},
        },
    }
    chapter = edition.footer_info("book/01_a", record, "2026.12.0")
    assert chapter["scope"] == "chapter" and chapter["versions"] == {"keras": ["3.15.1"]}
    assert "2026년 12월 7일에" in edition.footer_html(chapter)
    book = edition.footer_info("book/glossary", record, "2026.12.0")
    assert book["scope"] == "book" and book["versions"] == {"keras": ["3.15.1", "3.15.2"]}
    assert "2026년 12월 7일~2026년 12월 8일에" in edition.footer_html(book)
    assert "Keras 3.15.1, 3.15.2" in edition.footer_html(book)


def test_a_notebook_without_a_record_is_a_build_warning(monkeypatch):
    warnings = []
    monkeypatch.setattr(edition.LOGGER, "warning", lambda message, **kw: warnings.append(message))
    env = types.SimpleNamespace(
        found_docs={"book/01_a", "book/glossary"},
        doc2path=lambda doc: str(ROOT / f"{doc}.ipynb" if doc == "book/01_a" else f"{doc}.md"),
    )
    edition.check_records(types.SimpleNamespace(edition_record={}), env)
    assert len(warnings) == 1 and "book/01_a.ipynb has no execution record" in warnings[0]
    warnings.clear()
    edition.check_records(types.SimpleNamespace(edition_record={"01_a.ipynb": {}}), env)
    assert warnings == []


# --- reporting a correction -------------------------------------------------------------------


def test_issues_and_edit_buttons_are_on():
    html = CONFIG["html"]
    assert html["use_issues_button"] is True and html["use_edit_page_button"] is True
    assert html["use_repository_button"] is True


def test_issue_link_opens_a_korean_form_naming_the_page_and_edition():
    info = {
        "edition": "2026.12",
        "version": "2026.12.0",
        "versions": {"keras": ["3.15.1"], "tensorflow": ["2.21.0"]},
    }
    url = edition.issue_url(CONFIG["repository"]["url"], "book/01_layer_basics", info)
    assert url.startswith(CONFIG["repository"]["url"] + "/issues/new?")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    assert query["title"] == ["[정오표] book/01_layer_basics.html (2026.12판)"]
    body = query["body"][0]
    assert "- 페이지: book/01_layer_basics.html" in body
    assert "2026.12판 (companion 2026.12.0)" in body
    assert "Keras 3.15.1, TensorFlow 2.21.0" in body


def test_repository_menu_is_relabelled_in_korean():
    context = {
        "header_buttons": [
            {
                "type": "group",
                "label": "source-buttons",
                "tooltip": "Source repositories",
                "buttons": [
                    {"label": "source-repository-button", "text": "Repository", "url": "r"},
                    {"label": "source-edit-button", "text": "Suggest edit", "url": "e"},
                    {"label": "source-issues-button", "text": "Open issue", "url": "i"},
                ],
            }
        ]
    }
    app = types.SimpleNamespace(
        env=types.SimpleNamespace(found_docs={"book/errata"}),
        edition_record=RECORD,
        edition_version=VERSION,
        config=types.SimpleNamespace(
            html_theme_options={"repository_url": CONFIG["repository"]["url"]}
        ),
    )
    edition.add_footer(app, "book/errata", "page.html", context, None)
    group = context["header_buttons"][0]
    assert group["tooltip"] == edition.MENU_LABEL
    assert [(b["text"], b["tooltip"]) for b in group["buttons"]] == [
        ("저장소", "저장소"),
        ("이 페이지 고치기", "이 페이지 고치기"),
        ("문제 알리기", "문제 알리기"),
    ]
    assert group["buttons"][2]["url"].startswith(CONFIG["repository"]["url"] + "/issues/new?")
    assert group["buttons"][1]["url"] == "e"
    assert 'class="edition-footer"' in context["edition_footer"]


def test_record_file_is_what_the_script_writes():
    if not RECORD_PATH.exists():
        pytest.skip("no record yet")
    data = json.loads(RECORD_PATH.read_text(encoding="utf-8"))
    assert data["about"] == record_execution.ABOUT
    assert list(data["notebooks"]) == sorted(data["notebooks"])


def test_writing_the_record_drops_notebooks_that_are_gone(tmp_path):
    # A renamed notebook (13_migration -> 14_migration) must not leave its old record behind.
    record = tmp_path / "execution_record.json"
    (tmp_path / "01_here.ipynb").write_text("{}")
    record.write_text(json.dumps({"notebooks": {"01_here.ipynb": {}, "13_gone.ipynb": {}}}))
    with record_execution.locked_record(record) as data:
        data["notebooks"]["01_here.ipynb"] = {"outputs": "x"}
    assert list(json.loads(record.read_text())["notebooks"]) == ["01_here.ipynb"]
