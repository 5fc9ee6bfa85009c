"""Prose cannot drift from the code: what a sentence says about an output is checked against it.

The book's stored outputs are re-checked by nbval on three backends, but the prose next to them is
not: when `companion.Linear` moved its input check to `InputSpec`, the output changed and the
sentences describing the old error stayed (review items 9, 17 and 33). Four rules tie the prose
to what can be checked; each names the cell that breaks it.

- **Quotes (Q).** A quoted message in a notebook's prose, in backticks or "double quotes", must
  appear verbatim in a stored output of the same notebook (whitespace collapsed; `…` separates
  fragments that must each appear). A quoted span counts as a message when it reads like one:
  three English words in a row, a leading exception name (`ValueError: …`), or Korean
  `받은 값`. Exercise tasks (cells starting with `### 연습`) state messages the reader's code
  should produce, and a double-quoted title in a sentence about a 가이드 quotes that guide; both
  are left out.
- **Errors (E).** A sentence that names an exception class is in a cell that quotes (Q) a
  fragment of a stored output, or that carries a claim (below). Summaries (`## 정리`) and
  reading lists restate what the cells before them showed and are left out.
- **Backend claims (C).** Text that restricts a `companion` name to one backend
  ("TensorFlow에서만"), in prose or in a string the code prints, carries a claim: cell metadata
  `"claims": [{"says": "<fragment of the cell>", "test": "tests/<file>.py::<test>"}]` naming the
  test that checks exactly that. Every claim's fragment must be in its cell and its test must
  exist (the test itself runs in `make unit`/`test-jax`/`test-torch`).
- **Source views (S).** A code cell that calls `show_source(...)` ends with that call, so Jupyter
  displays the `SourceView`, and its stored output holds the displayed source.
"""

from __future__ import annotations

import ast
import builtins
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))

# Python's exception classes and the backends' own that the book shows.
EXCEPTION_NAMES = sorted(
    {n for n in dir(builtins) if n.endswith(("Error", "Exception"))}
    | {"InvalidArgumentError", "OperatorNotAllowedInGraphError", "ConcretizationTypeError"}
    | {"TracerArrayConversionError", "TracerBoolConversionError", "CompiledConversionError"},
    key=len,
    reverse=True,
)
EXCEPTION = re.compile(r"\b(?:" + "|".join(EXCEPTION_NAMES) + r")\b")
ENGLISH_RUN = re.compile(r"[A-Za-z']+(?: [A-Za-z']+){2,}")
BACKTICK = re.compile(r"(?<![}`])`([^`\n]+)`(?!`)")
DOUBLE_QUOTED = re.compile(r'"([^"\n]+(?:\n[^"\n]+)?)"|“([^”]+)”')
FENCED = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
ONLY_ON_BACKEND = re.compile(r"(?:TensorFlow|JAX|PyTorch)에서만")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n- ")


def load(path: pathlib.Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell["source"])


def squash(text: str) -> str:
    return " ".join(text.split())


def output_text(cell: dict) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            parts.append("".join(output["text"]))
        data = output.get("data", {})
        for kind in ("text/plain", "text/html", "text/markdown"):
            if kind in data:
                parts.append("".join(data[kind]))
        if "ename" in output:
            parts.append(f"{output['ename']}: {output['evalue']}")
    return "".join(parts)


def all_outputs(notebook: dict) -> str:
    return squash(" ".join(output_text(c) for c in notebook["cells"] if c["cell_type"] == "code"))


def is_task(cell: dict) -> bool:
    return source(cell).lstrip().startswith("### 연습")


def parses_as_python(span: str) -> bool:
    try:
        ast.parse(span.strip())
    except SyntaxError:
        return False
    return True


def looks_like_message(span: str) -> bool:
    """A quoted output rather than code: an exception line, Korean 받은 값, or English words."""
    if (EXCEPTION.match(span) and ":" in span) or "받은 값" in span:
        return True
    return bool(ENGLISH_RUN.search(span)) and not parses_as_python(span)


def quotes(text: str) -> list[tuple[str, str]]:
    """(kind, span) for each message-like quote in markdown `text` (fenced code left out)."""
    text = FENCED.sub("", text)
    found = [("`", m.group(1)) for m in BACKTICK.finditer(text)]
    for match in DOUBLE_QUOTED.finditer(text):
        span = match.group(1) or match.group(2)
        sentence_start = max(
            text.rfind(".", 0, match.start()), text.rfind("\n\n", 0, match.start())
        )
        sentence = text[sentence_start + 1 : text.find(".", match.end()) % (len(text) + 1)]
        if "가이드" in sentence:
            continue  # a title or sentence quoted from a guide, not an output
        found.append(('"', span))
    return [(kind, span) for kind, span in found if looks_like_message(squash(span))]


def quote_found(span: str, haystack: str) -> bool:
    fragments = [squash(f).strip(" .") for f in re.split(r"…|\.\.\.", span)]
    return all(fragment in haystack for fragment in fragments if fragment)


def claims(cell: dict) -> list[dict]:
    return cell.get("metadata", {}).get("claims", [])


def printed_strings(code: str) -> list[str]:
    """The string constants of a code cell (what it can print), f-string parts included."""
    try:
        tree = ast.parse(re.sub(r"^\s*[%!].*$", "", code, flags=re.M))
    except SyntaxError:
        return []
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def companion_names() -> set[str]:
    init = (ROOT / "companion" / "__init__.py").read_text(encoding="utf-8")
    names = set(re.findall(r'^\s+"(\w+)",?$', init, re.M))
    tree = ast.parse(init)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names |= {alias.asname or alias.name for alias in node.names}
    return {n for n in names if not n.startswith("_")}


COMPANION = companion_names()


def names_companion(text: str) -> bool:
    if "companion." in text:
        return True
    return any(re.search(rf"`{re.escape(name)}`", text) for name in COMPANION)


def has_test(reference: str) -> bool:
    path, _, name = reference.partition("::")
    file = ROOT / path
    return bool(name) and file.is_file() and f"def {name}(" in file.read_text(encoding="utf-8")


# --- the four rules; each returns one problem string per offending place ------------------------


def quote_problems(notebook: dict) -> list[str]:
    haystack = all_outputs(notebook)
    problems = []
    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown" or is_task(cell):
            continue
        for kind, span in quotes(source(cell)):
            if not quote_found(span, haystack):
                quoted = f"{kind}{squash(span)}{kind}"
                problems.append(f"cell {i} (Q): quoted {quoted} is in no stored output")
    return problems


def restates(cell: dict) -> bool:
    """A summary or reading list restates what earlier cells showed next to their outputs."""
    return source(cell).lstrip().startswith(("## 정리", "## 더 읽을거리"))


def error_sentence_problems(notebook: dict) -> list[str]:
    haystack = all_outputs(notebook)
    problems = []
    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown" or is_task(cell) or claims(cell) or restates(cell):
            continue
        text = FENCED.sub("", source(cell))
        anchored = any(
            kind == "`" and quote_found(span, haystack) and not EXCEPTION.fullmatch(span)
            for kind, span in quotes(text)
        )
        if anchored:
            continue
        for sentence in SENTENCE_END.split(text):
            if EXCEPTION.search(sentence):
                problems.append(
                    f"cell {i} (E): names {EXCEPTION.search(sentence).group(0)} but quotes no "
                    f"fragment of a stored output: …{squash(sentence)[:120]}…"
                )
                break
    return problems


def backend_claim_problems(notebook: dict) -> list[str]:
    problems = []
    for i, cell in enumerate(notebook["cells"]):
        text = source(cell)
        pieces = (
            SENTENCE_END.split(FENCED.sub("", text))
            if cell["cell_type"] == "markdown"
            else printed_strings(text)
        )
        claimed = [c.get("says", "") for c in claims(cell)]
        for piece in pieces:
            if ONLY_ON_BACKEND.search(piece) and names_companion(piece):
                if not any(says and says in piece for says in claimed):
                    problems.append(
                        f"cell {i} (C): restricts a companion name to one backend without a "
                        f"claim tied to a test: …{squash(piece)[:120]}…"
                    )
        for claim in claims(cell):
            if claim.get("says", "\0") not in text:
                problems.append(f"cell {i} (C): claim {claim.get('says')!r} is not in the cell")
            if not has_test(claim.get("test", "")):
                problems.append(f"cell {i} (C): claim names no existing test: {claim.get('test')}")
    return problems


def source_view_problems(notebook: dict) -> list[str]:
    problems = []
    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code" or "show_source(" not in source(cell):
            continue
        tree = ast.parse(source(cell))
        last = tree.body[-1] if tree.body else None
        shows = (
            isinstance(last, ast.Expr)
            and isinstance(last.value, ast.Call)
            and "show_source" in ast.unparse(last.value.func) + ast.unparse(last.value)[:40]
        )
        if not shows:
            problems.append(f"cell {i} (S): show_source(...) is not the cell's last expression")
        elif not any(o.get("output_type") == "execute_result" for o in cell.get("outputs", [])):
            problems.append(f"cell {i} (S): the stored output holds no displayed source")
    return problems


RULES = [quote_problems, error_sentence_problems, backend_claim_problems, source_view_problems]


def drift(notebook: dict) -> list[str]:
    return [problem for rule in RULES for problem in rule(notebook)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_prose_is_tied_to_outputs_and_tests(path):
    problems = drift(load(path))
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


# --- the rules catch the errata they were written for --------------------------------------------
# The prose of review items 9, 17 and 33 as it stood at 5bdc699, put back into a copy of today's
# notebook next to the output it described: each must be caught.

OLD_ITEM_9 = (
    "특성 2개인 입력으로 가중치를 만든 뒤 특성 5개인 입력을 넣으면 `call()`이 거절합니다. Keras가\n"
    "덧붙인 첫 줄(어느 층의 `call()`에서 났는지)과 마지막 줄(받은 인자)이 층의 메시지를 감쌉니다.\n"
    "한 번 가중치를 만든 뒤 마지막 차원이 다른 입력이 들어오면 `call()`이 어떤 모양을 기대했는지\n"
    "알려 주는 `ValueError`를 냅니다 (Keras는 `call()`에서 난 예외에 층 이름과 받은 인자를 덧붙여\n"
    "보여 줍니다)."
)
OLD_ITEM_17 = (
    "두 층 모두 잘못된 실제 텐서는 막지만 마지막 줄이 다릅니다. 특성이 5개인 심볼릭 텐서를\n"
    "`SpecSum`은 거절했고 `ComputeSum`은 받아들였습니다.\n\n"
    "- 직접 쓴 검사는 코드가 늘지만, 층이 무엇을 기대하는지 우리 말로 자세히 적을 수 있습니다.\n"
    '  `ComputeSum`은 특성 수 검사를 `call()`에서 하므로 Keras가 그 예외를 "Exception encountered\n'
    '  when calling ..." 안내로 한 번 감쌉니다 (`show_error`는 감싼 문장을 건너뛰고 보여 줍니다).'
)
OLD_ITEM_33 = (
    'if keras.backend.backend() == "tensorflow":\n'
    "    loop_loss = 0.0\n"
    "else:\n"
    '    print("companion.train_custom_loop는 tf.GradientTape로 쓴 루프라 TensorFlow에서만 '
    '돌립니다.")\n'
)


def _markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": [text]}


def _after_output(notebook, fragment):
    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code" and fragment in output_text(cell):
            return i + 1
    raise AssertionError(f"no stored output contains {fragment!r}")


def test_the_old_prose_of_item_9_is_caught():
    notebook = load(ROOT / "book" / "02_build_and_compose.ipynb")
    at = _after_output(notebook, "expected axis -1 of input shape to have value 2")
    notebook["cells"].insert(at, _markdown(OLD_ITEM_9))
    assert any(p.startswith(f"cell {at} (E)") for p in drift(notebook)), drift(notebook)


def test_the_old_prose_of_item_17_is_caught():
    notebook = load(ROOT / "book" / "06_production_layers.ipynb")
    at = _after_output(notebook, "of layer 'compute_sum' is incompatible with the layer")
    notebook["cells"].insert(at, _markdown(OLD_ITEM_17))
    found = [p for p in drift(notebook) if p.startswith(f"cell {at} (Q)")]
    assert any("Exception encountered when calling" in p for p in found), drift(notebook)


def test_the_old_code_of_item_33_is_caught():
    notebook = load(ROOT / "book" / "10_performance.ipynb")
    notebook["cells"].append({"cell_type": "code", "metadata": {}, "source": [OLD_ITEM_33]})
    at = len(notebook["cells"]) - 1
    assert any(p.startswith(f"cell {at} (C)") for p in drift(notebook)), drift(notebook)


@pytest.mark.parametrize(
    ("text", "caught"),
    [
        ("오류 `expected axis -1 of input shape to have value 7`를 냅니다.", True),
        ("`ValueError`를 냅니다.", True),
        ('"Unable to automatically build the model" 경고', False),  # in a stored output
        ('keras.io 가이드 "Making new Layers and Models via subclassing"에서', False),
        ("`ops.where(mask, x, 0)`로 채웁니다.", False),
        ("`supports_masking = True`와 `MeanSquaredError`를 씁니다.", False),
        ("`The model does not exist` 경고가 납니다.", True),
        ('"Exception encountered when calling ..." 안내로 감쌉니다.', True),
    ],
)
def test_the_rules_on_small_cells(text, caught):
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "source": ["print(1)"],
                "outputs": [
                    {
                        "output_type": "stream",
                        "name": "stdout",
                        "text": [
                            "UserWarning: Unable to automatically build the model\n",
                            "ValueError: expected axis -1 of input shape to have value 3\n",
                        ],
                    }
                ],
            },
            _markdown(text),
        ]
    }
    assert bool(drift(notebook)) is caught, drift(notebook)


def test_a_claim_must_name_an_existing_test_and_a_fragment_of_its_cell():
    cell = _markdown("`companion.train_custom_loop`는 TensorFlow에서만 돕니다.")
    notebook = {"cells": [cell]}
    assert backend_claim_problems(notebook)
    cell["metadata"]["claims"] = [
        {"says": "TensorFlow에서만", "test": "tests/test_training.py::nope"}
    ]
    assert any("no existing test" in p for p in backend_claim_problems(notebook))
    cell["metadata"]["claims"] = [{"says": "다른 문장", "test": "tests/test_data.py::x"}]
    assert any("is not in the cell" in p for p in backend_claim_problems(notebook))


def test_a_source_view_that_is_not_the_last_expression_is_caught():
    cell = {
        "cell_type": "code",
        "metadata": {},
        "source": ["companion.show_source(companion.Linear.build)\nprint(1)"],
        "outputs": [],
    }
    assert source_view_problems({"cells": [cell]})
    cell["source"] = ["companion.show_source(companion.Linear.build)"]
    cell["outputs"] = [{"output_type": "execute_result", "data": {"text/plain": ["def"]}}]
    assert not source_view_problems({"cells": [cell]})
