"""Tests for companion.display.show_source."""

import inspect
import json

import pytest
from IPython.display import Code

import companion.training
from companion import Encoder, VariationalAutoEncoder, show_source, train_custom_loop


@pytest.mark.parametrize(
    "obj",
    [Encoder, VariationalAutoEncoder, train_custom_loop, Encoder.call, companion.training],
    ids=["class", "model", "function", "method", "module"],
)
def test_returns_the_exact_source_as_python_code(obj):
    code = show_source(obj)
    assert isinstance(code, Code)
    assert code.data == inspect.getsource(obj)
    assert code.language == "python"


def test_bound_methods_are_accepted():
    encoder = Encoder(latent_dim=2)
    assert show_source(encoder.call).data == inspect.getsource(Encoder.call)


def test_plain_text_repr_is_the_source():
    # Outside Jupyter (a terminal, a script) the object prints as its source text.
    assert repr(show_source(train_custom_loop)) == inspect.getsource(train_custom_loop)


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
