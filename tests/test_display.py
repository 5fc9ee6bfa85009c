"""Tests for companion.display.show_source."""

import inspect
import json
import pathlib
import re

import pytest

import companion.training
from companion import Encoder, Linear, VariationalAutoEncoder, show_source, train_custom_loop
from companion.display import SourceView
from companion.settings import BRANCH, REPO_URL


@pytest.mark.parametrize(
    "obj",
    [Encoder, VariationalAutoEncoder, train_custom_loop, Encoder.call, companion.training],
    ids=["class", "model", "function", "method", "module"],
)
def test_returns_the_exact_source(obj):
    view = show_source(obj)
    assert isinstance(view, SourceView)
    assert view.source == inspect.getsource(obj)


def test_bound_methods_are_accepted():
    encoder = Encoder(latent_dim=2)
    assert show_source(encoder.call).source == inspect.getsource(Encoder.call)


def test_link_points_at_the_lines_of_the_file_in_the_repository():
    view = show_source(Linear.build)
    lines, start = inspect.getsourcelines(Linear.build)
    assert view.path == "companion/layers/linear.py"
    assert (view.first_line, view.last_line) == (start, start + len(lines) - 1)
    assert view.url == (
        f"{REPO_URL}/blob/{BRANCH}/companion/layers/linear.py#L{start}-L{start + len(lines) - 1}"
    )
    # The anchored lines of the file are the source shown.
    file_lines = (companion.layers.linear.__file__, view.first_line, view.last_line)
    with open(file_lines[0], encoding="utf-8") as handle:
        text = handle.read().splitlines(keepends=True)
    assert "".join(text[view.first_line - 1 : view.last_line]) == view.source


def test_a_module_links_from_its_first_line():
    view = show_source(companion.training)
    assert view.first_line == 1 and view.url.endswith(
        "companion/training.py#L1-L" + str(view.last_line)
    )


def test_plain_text_repr_is_the_source_then_the_link():
    # Outside Jupyter (a terminal, a script) the object prints as its source text and the link.
    view = show_source(train_custom_loop)
    assert repr(view) == inspect.getsource(train_custom_loop).rstrip() + f"\n\n# 원본: {view.url}"


def test_html_shows_highlighted_code_and_a_link_without_local_paths():
    view = show_source(Linear.build)
    page = view._repr_html_()
    assert "<span" in page and "add_weight" in page
    assert f'<a href="{view.url}"' in page
    assert "companion/layers/linear.py" in page
    # nbval compares this HTML on every machine: no absolute path or memory address in it.
    assert str(pathlib.Path(companion.__file__).resolve().parent.parent) not in page
    assert not re.search(r"0x[0-9a-f]{6,}", page)


@pytest.mark.parametrize("obj", [42, "Encoder", Encoder(latent_dim=2)], ids=["int", "str", "layer"])
def test_objects_without_source_raise_type_error(obj):
    with pytest.raises(
        TypeError, match="show_source\\(\\)에는 클래스, 함수, 메서드, 모듈을 넘겨야"
    ):
        show_source(obj)


def test_objects_outside_companion_raise_value_error():
    with pytest.raises(ValueError, match=r"받은 값: 'dumps' \(모듈 json\)"):
        show_source(json.dumps)


def test_objects_defined_in_a_notebook_or_test_raise_value_error():
    class Local:
        pass

    with pytest.raises(
        ValueError, match=r"companion 패키지의 객체만 보여 줍니다. .*\(모듈 test_display\)"
    ):
        show_source(Local)
