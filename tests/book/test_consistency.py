"""The book's pieces agree: toc ↔ notebooks, one repository URL, notebook structure."""

import json
import pathlib
import re

import pytest
import yaml

from companion import settings

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
REPO_URL = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"]["branch"]
COLAB = CONFIG["launch_buttons"]["colab_url"].rstrip("/")


def _toc_files():
    files = [TOC["root"]]
    for part in TOC.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def _cells(path):
    return json.loads(path.read_text())["cells"]


def _source(cell):
    return "".join(cell["source"])


def test_there_are_chapter_notebooks():
    assert NOTEBOOKS, "book/ holds no chapter notebooks"


def test_toc_lists_every_notebook_and_nothing_else():
    listed = set(_toc_files())
    on_disk = {p.relative_to(ROOT).with_suffix("").as_posix() for p in NOTEBOOKS}
    on_disk |= {p.relative_to(ROOT).with_suffix("").as_posix() for p in ROOT.glob("book/*.md")}
    assert listed == on_disk


def test_repository_url_is_a_github_repository():
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", REPO_URL)


def test_config_names_the_packages_repository_and_branch():
    # companion/settings.py is the one source (the installed package cannot read _config.yml);
    # the book's configuration must name the same repository and branch.
    assert (REPO_URL, BRANCH) == (settings.REPO_URL, settings.BRANCH)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_has_title_summary_and_colab_badge(path):
    first = _cells(path)[0]
    assert first["cell_type"] == "markdown"
    text = _source(first)
    assert text.startswith("# "), "the first cell starts with the chapter title"
    github = REPO_URL.removeprefix("https://github.com/")
    badge = f"{COLAB}/github/{github}/blob/{BRANCH}/book/{path.name}"
    assert badge in text, f"Colab badge must point at {badge}"
    prose = [line for line in text.splitlines()[1:] if line.strip() and "colab-badge" not in line]
    assert prose, "the first cell has a one-sentence summary"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_install_cell_installs_from_the_repository_only_in_colab(path):
    install = _cells(path)[1]
    assert install["cell_type"] == "code"
    assert "nbval-skip" in install["metadata"].get("tags", [])
    source = _source(install)
    assert 'if "google.colab" in sys.modules:' in source
    urls = re.findall(r"git\+(https://[^\s\"']+)", source)
    assert urls == [REPO_URL], f"install cell must install from {REPO_URL}, found {urls}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_was_executed_top_to_bottom(path):
    counts = [
        c.get("execution_count")
        for c in _cells(path)
        if c["cell_type"] == "code" and "nbval-skip" not in c["metadata"].get("tags", [])
    ]
    assert all(n is not None for n in counts), "every checked code cell has been executed"
    assert counts == sorted(counts), "cells were executed in order, in one kernel"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_seeds_with_the_course_seed(path):
    sources = "\n".join(_source(c) for c in _cells(path) if c["cell_type"] == "code")
    assert "keras.utils.set_random_seed(companion.SEED)" in sources


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_ends_with_summary_and_exercises(path):
    headings = [
        line
        for c in _cells(path)
        if c["cell_type"] == "markdown"
        for line in _source(c).splitlines()
        if line.startswith("## ")
    ]
    assert any(h.startswith("## 정리") for h in headings), "a summary section (## 정리)"
    # Chapters 1–8 end with exercises; chapter 9 (performance) and the appendix do not.
    if int(path.name[:2]) <= 8:
        assert headings[-1].startswith("## 연습 문제"), "the chapter ends with exercises"
