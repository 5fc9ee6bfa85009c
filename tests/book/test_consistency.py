"""The book's pieces agree: toc ↔ notebooks, one repository URL, notebook structure."""

import ast
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


def test_each_notebook_number_is_its_place_in_the_toc():
    # Chapters are numbered across the numbered parts; the appendix follows them, so a file's
    # two-digit prefix is its position among the toc's notebooks (00 is the introduction).
    notebooks = [f for f in _toc_files() if (ROOT / f"{f}.ipynb").exists()]
    numbers = [int(pathlib.PurePosixPath(f).name[:2]) for f in notebooks]
    assert numbers == list(range(1, len(notebooks) + 1)), notebooks


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


def _headings(path):
    return [
        line
        for c in _cells(path)
        if c["cell_type"] == "markdown"
        for line in _source(c).splitlines()
        if line.startswith("## ")
    ]


def _is_appendix(path):
    """A notebook of the toc's unnumbered part (부록), not a numbered chapter."""
    unnumbered = {
        entry["file"]
        for part in TOC["parts"]
        if not part.get("numbered")
        for entry in part["chapters"]
    }
    return f"book/{path.stem}" in unnumbered


CHAPTERS = [p for p in NOTEBOOKS if not _is_appendix(p)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_ends_with_summary_exercises_and_further_reading(path):
    headings = _headings(path)
    last = _cells(path)[-1]
    assert last["cell_type"] == "markdown" and _source(last).startswith("## 더 읽을거리"), (
        "the last cell is the '## 더 읽을거리' section"
    )
    assert headings[-1].startswith("## 더 읽을거리"), "'## 더 읽을거리' is the last ## heading"
    if _is_appendix(path):
        return
    assert any(h.startswith("## 정리") for h in headings), "a summary section (## 정리)"
    assert headings[-2].startswith("## 연습 문제"), (
        "numbered chapters end with '## 연습 문제' followed only by '## 더 읽을거리'"
    )


# --- exercise cells (PLAN.md "Exercise cell convention", issue 11) ------------------------------

_EXERCISE = re.compile(r"### 연습 (\d+)-(\d+)\. \S")
_CHECK_CALL = re.compile(r"companion\.(check_\w+)\((\w+)\)")
_WRONG_INTRO = "채점기가 틀린 답에 어떻게 답하는지 봅시다"
_SOLUTION_TITLE = "# @title 모범 답안 (펼쳐 보기)"


def _tags(cell):
    return cell["metadata"].get("tags", [])


def _exercises(path):
    """`[(heading, [cells of that exercise])]` of the section '## 연습 문제' … '## 더 읽을거리'."""
    cells = _cells(path)
    start = next(
        (i for i, c in enumerate(cells) if _source(c).startswith("## 연습 문제")), len(cells)
    )
    end = next(
        (
            i
            for i, c in enumerate(cells)
            if i > start
            and c["cell_type"] == "markdown"
            and _source(c).startswith("## 더 읽을거리")
        ),
        len(cells),
    )
    exercises = []
    for cell in cells[start + 1 : end]:
        heading = _EXERCISE.match(_source(cell)) if cell["cell_type"] == "markdown" else None
        if heading:
            exercises.append((heading, [cell]))
        elif exercises:
            exercises[-1][1].append(cell)
    return exercises


def _exercise_cases():
    return [
        pytest.param(path, index, id=f"{path.stem}-{index + 1}")
        for path in CHAPTERS
        for index in range(max(len(_exercises(path)), 1))
    ]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_has_numbered_exercises(path):
    exercises = _exercises(path)
    assert exercises, "the '## 연습 문제' section holds '### 연습 N-M. 제목' exercises"
    chapter = int(path.name[:2])
    numbers = [(int(h.group(1)), int(h.group(2))) for h, _ in exercises]
    assert numbers == [(chapter, m) for m in range(1, len(numbers) + 1)]


@pytest.mark.parametrize(("path", "index"), _exercise_cases())
def test_exercise_follows_the_cell_convention(path, index):
    exercises = _exercises(path)
    assert index < len(exercises), "no exercises"
    heading, cells = exercises[index]
    name = heading.group(0)
    assert len(cells) in (4, 6), f"{name}: task, reader, checker, (wrong: text, code), solution"

    reader, checker, solution = cells[1], cells[2], cells[-1]
    assert reader["cell_type"] == "code" and "nbval-skip" in _tags(reader), name
    lines = [line for line in _source(reader).splitlines() if line.strip()]
    assert lines and all(line.lstrip().startswith("#") for line in lines), (
        f"{name}: the reader's cell holds comments only"
    )
    assert checker["cell_type"] == "code" and "nbval-skip" in _tags(checker), name
    # It names a class the reader has not written yet: automated runs must skip it.
    assert "skip-execution" in _tags(checker), f"{name}: the checker cell is skip-execution"
    call = _CHECK_CALL.fullmatch(_source(checker).strip())
    assert call, f"{name}: the checker cell is exactly companion.check_…(Name)"

    if len(cells) == 6:
        intro, wrong = cells[3], cells[4]
        assert intro["cell_type"] == "markdown" and _source(intro).startswith(_WRONG_INTRO), name
        # It runs (no nbval-skip); `tensorflow-only` is allowed for a TensorFlow-API exercise.
        assert wrong["cell_type"] == "code", name
        assert set(_tags(wrong)) <= {"tensorflow-only"}, f"{name}: wrong attempt runs"
        assert f"companion.{call.group(1)}(" in _source(wrong), name
        if wrong.get("execution_count") is not None:
            shown = "".join(
                "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                for o in wrong.get("outputs", [])
            )
            assert shown.lstrip().startswith("❌"), f"{name}: the wrong attempt shows a ❌ report"

    assert solution["cell_type"] == "code", name
    assert "hide-cell" in _tags(solution), f"{name}: the solution is collapsed in the HTML"
    assert solution["metadata"].get("jupyter", {}).get("source_hidden") is True, name
    assert solution["metadata"].get("cellView") == "form", f"{name}: hidden in Colab"
    source = _source(solution)
    assert source.splitlines()[0] == _SOLUTION_TITLE, name
    body = ast.parse(source).body
    assert len(body) == 2, f"{name}: the solution cell is one def solution…() and the checker call"
    define, run = body
    assert isinstance(define, ast.FunctionDef) and define.name.startswith("solution"), (
        f"{name}: the solution is defined inside a function (no top-level class)"
    )
    assert isinstance(run, ast.Expr) and ast.unparse(run.value) == (
        f"companion.{call.group(1)}({define.name}())"
    ), f"{name}: the solution cell ends with the same checker on {define.name}()"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_shows_a_wrong_attempt(path):
    assert any(len(cells) == 6 for _, cells in _exercises(path)), (
        "at least one exercise per chapter shows the checker's report on a wrong attempt"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_backend_is_chosen_in_one_cell_before_keras_is_imported(path):
    """The cell after the Colab install cell picks the backend; nothing imports Keras before it.

    `setdefault` keeps a `KERAS_BACKEND` that is already set, which is how nbval runs each
    notebook under TensorFlow, JAX and PyTorch (see book/conftest.py).
    """
    cells = _cells(path)
    choice = _source(cells[2])
    assert cells[2]["cell_type"] == "code"
    assert 'os.environ.setdefault("KERAS_BACKEND", "tensorflow")' in choice
    assert choice.index("KERAS_BACKEND") < choice.index("import keras")
    assert 'print("백엔드:", keras.backend.backend())' in choice
    for cell in cells[:2]:
        assert "import keras" not in _source(cell) and "import companion" not in _source(cell)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_tensorflow_only_cells_say_what_happens_on_other_backends(path):
    """A `tensorflow-only` cell branches on the backend and prints why it skips the others.

    An exercise cell about a TensorFlow API may instead leave that to its checker, which answers on
    another backend that it grades only on TensorFlow (e.g. `check_retrace_free_step`).
    """
    for cell in _cells(path):
        if "tensorflow-only" not in _tags(cell):
            continue
        source = _source(cell)
        if re.search(r"^companion\.check_\w+\(", source, re.M):
            continue
        assert 'keras.backend.backend() == "tensorflow"' in source, source[:200]
        assert re.search(r"^else:\n(    .*\n)*    print\(", source + "\n", re.M), source[:200]
