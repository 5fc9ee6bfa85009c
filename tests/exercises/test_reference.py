"""The checkers grade against companion/exercises/reference/chapterNN.py, which must be the code of
the notebooks' model-answer cells ("# @title 모범 답안 (펼쳐 보기)"): the same classes and
functions,
statement for statement (compared as ASTs, so formatting and comments may differ). Only the
registration package differs (`solutions_chNN` in the notebook, `reference_chNN` here), and an
`import` the notebook cell makes before its definitions sits inside the function here.
"""

import ast
import importlib
import json
import pathlib

import pytest

_ROOT = pathlib.Path(__file__).resolve().parents[2]
_TITLE = "# @title 모범 답안 (펼쳐 보기)"
_CHAPTERS = sorted(_ROOT.glob("book/[01][0-9]_*.ipynb"))[:10]


def _without_imports(node):
    """A def/class with its leading `import` statements dropped (recursively for functions)."""
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        body = [b for b in node.body if not isinstance(b, (ast.Import, ast.ImportFrom))]
        node.body = [_without_imports(b) for b in body]
    return node


def _normalized(node):
    text = ast.dump(_without_imports(node), annotate_fields=False, include_attributes=False)
    return text.replace("'reference_ch", "'solutions_ch")


def _notebook_definitions(path):
    nb = json.loads(path.read_text())
    definitions = []
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and source.startswith(_TITLE):
            solution = ast.parse(source).body[0]
            definitions += [
                node for node in solution.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))
            ]
    return definitions


def _notebook_function(path, name):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or "%" in "".join(cell["source"]):
            continue  # IPython magics (%pip) are not Python
        for node in ast.parse("".join(cell["source"])).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                return node
    raise AssertionError(f"{path.name} defines no {name}()")


@pytest.mark.parametrize("path", _CHAPTERS, ids=lambda p: p.name[:2])
def test_reference_module_is_the_notebooks_model_answer(path):
    number = path.name[:2]
    module = importlib.import_module(f"companion.exercises.reference.chapter{number}")
    tree = ast.parse(pathlib.Path(module.__file__).read_text())
    ours = {
        node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))
    }
    theirs = _notebook_definitions(path)
    assert theirs, f"{path.name} has model-answer cells"
    for node in theirs:
        assert node.name in ours, f"reference/chapter{number}.py lacks {node.name}"
        assert _normalized(ours.pop(node.name)) == _normalized(node), (
            f"{node.name} in reference/chapter{number}.py differs from the model answer of "
            f"{path.name}: copy the notebook's cell"
        )
    if number == "03":
        # The model answer calls the chapter's value_and_gradients(); the module carries a copy.
        helper = _notebook_function(path, "value_and_gradients")
        assert _normalized(ours.pop("value_and_gradients")) == _normalized(helper)
    assert not ours, f"reference/chapter{number}.py defines more than the model answers: {ours}"
