"""One vocabulary across the book: the prose never uses a variant the glossary rejects.

The glossary (book/glossary.md) lists, for each term where the book used to vary, the chosen
term and the rejected variants; `REJECTED` below is the same table, as patterns. The check reads
the prose a reader sees: every notebook's markdown cells and the book's Markdown pages (the
glossary itself, which names the rejected variants, is left out). Code, inline code, math and
link targets are not prose and are skipped. Code comments are checked elsewhere (they are Korean).
"""

from __future__ import annotations

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
GLOSSARY = BOOK / "glossary.md"
NOT_HANGUL_BEFORE = r"(?<![\uac00-\ud7a3])"

# (rejected pattern, what to write instead). Keep in step with the table in book/glossary.md.
REJECTED = [
    (r"2020년 글|2020년 안내서|2020 가이드", "2020년 가이드"),
    (r"안내서", "가이드"),
    (r"원문", "2020년 가이드 (원문이라고 부르지 않습니다)"),
    (r"복원", "재구성 (reconstruction); 저장한 것을 되돌리는 일은 '불러오기'"),
    (r"시험(?! 삼아)", "테스트"),
    (r"기호(적)? 텐서|심벌릭 텐서", "심볼릭 텐서"),
    (NOT_HANGUL_BEFORE + r"사영", "투영 (projection)"),
    (r"텐서플로", "TensorFlow"),
    (r"칸", "셀 (노트북의 셀)"),
    (r"Keras 3(?:는|가|를|와|로)(?![\uac00-\ud7a3])", "Keras 3은/이/을/과/으로 (3은 '삼')"),
    (r"직렬화 목록", "직렬화 등록부 (registry)"),
    (r"얼리|얼린|얼려|얼렸", "동결 (freezing)"),
    (r"(?<!\()build config", "빌드 설정 (build config)"),
    (r"추적기\s*\(\s*tracer", "추적용 텐서 (tracer); 추적기는 손실·지표 추적기(tracker)에만"),
    # 60 000장, 4 096장: the thousands separator is a comma (60,000장).
    (r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+(?!\d)", "쉼표로 자릿수 구분 (60,000)"),
]

# Not prose: fenced code, math, inline code, link targets, HTML comments and tags.
NOT_PROSE = [
    re.compile(r"^(```|~~~).*?^\1", re.M | re.S),
    re.compile(r"\$\$.*?\$\$", re.S),
    re.compile(r"(?<!\\)\$[^$\n]+?\$"),
    re.compile(r"`[^`\n]*`"),
    re.compile(r"\]\([^)]*\)"),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"<[^>\n]+>"),
]


def pages() -> list[pathlib.Path]:
    notebooks = sorted(BOOK.glob("*.ipynb"))
    markdown = sorted(p for p in BOOK.glob("*.md") if p != GLOSSARY)
    return notebooks + markdown


def prose_blocks(path: pathlib.Path) -> list[tuple[str, str]]:
    """(where, text) for each block of prose: a notebook's markdown cells, or the .md file."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return [
            (f"cell {i}", "".join(cell["source"]))
            for i, cell in enumerate(cells)
            if cell["cell_type"] == "markdown"
        ]
    return [("", path.read_text(encoding="utf-8"))]


def strip_non_prose(text: str) -> str:
    """Blank out what is not prose, keeping line numbers (each removed char becomes a space)."""
    for pattern in NOT_PROSE:
        text = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    return text


# Checked on the text before inline code is blanked out: a method name in backticks followed by
# 덮어쓰다 means "override", which the book calls 재정의 (덮어쓰다 is kept for overwriting values).
REJECTED_AROUND_CODE = [
    (
        r"`[^`\n]+`\s*(?:을|를|도)?\s*덮어[쓰써씁쓴]|메서드(?:를|도)?\s*덮어[쓰써씁쓴]",
        "재정의 (override)",
    ),
]


def violations(text: str) -> list[str]:
    found = []
    for pattern, instead in REJECTED_AROUND_CODE:
        for match in re.finditer(pattern, text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"line {line}: {match.group(0)!r} → {instead}")
    prose = strip_non_prose(text)
    for pattern, instead in REJECTED:
        for match in re.finditer(pattern, prose):
            line = prose.count("\n", 0, match.start()) + 1
            context = prose[max(0, match.start() - 12) : match.end() + 12].replace("\n", " ")
            found.append(f"line {line}: {match.group(0)!r} → {instead}  (…{context.strip()}…)")
    return found


@pytest.mark.parametrize("path", pages(), ids=lambda p: p.name)
def test_prose_uses_the_glossary_terms(path):
    problems = [
        f"{where} {problem}".strip()
        for where, text in prose_blocks(path)
        for problem in violations(text)
    ]
    assert not problems, f"{path.name}: rejected variants (see book/glossary.md):\n" + "\n".join(
        problems
    )


def test_the_check_finds_each_rejected_variant_and_spares_the_rest():
    caught = [
        "2020년 글의 예제",
        "keras.io 안내서",
        "원문 그대로",
        "이미지를 복원합니다",
        "시험 이미지",
        "입력으로 시험해 보고",
        "기호 텐서로 호출",
        "1×1 합성곱 사영",
        "텐서플로에서만",
        "훈련 이미지 60 000장",
        "이미지 4\u00a0096장",
        "빈 칸에 쓰세요",
        "Keras 3는 같은 코드를",
        "Keras 3가 추적하는",
        "Keras 3로 옮기기",
        "직렬화 목록에 등록",
        "층 얼리기",
        "얼린 층",
        "입력 모양을 build config로 저장",
        "JAX의 추적기(tracer)",
        "`train_step` 덮어쓰기",
        "`from_config()`를 덮어써서",
        "이 메서드를 덮어쓰면",
    ]
    spared = [
        "2020년 가이드의 예제",
        "재구성 손실",
        "테스트 이미지",
        "시험 삼아 돌려 봅니다",
        "심볼릭 텐서",
        "투영합니다",
        "TensorFlow에서만",
        "훈련 이미지 60,000장",
        "배치 크기 `32 128`",
        "$60 000$",
        "[링크](https://example.com/60 000)",
        "```python\n# 텐서플로 복원 시험\n```",
        "묘사영역",
        "빈 셀에 쓰세요",
        "Keras 3은 같은 코드를",
        "Keras 3으로 옮기기",
        "Keras 3.15에서",
        "직렬화 등록부(registry)",
        "층 동결",
        "빌드 설정(build config)",
        "추적용 텐서(tracer)",
        "손실 추적기",
        "`train_step` 재정의",
        "여러분이 만든 클래스를 덮어쓰지 않습니다",
        "가중치 값을 덮어씁니다",
    ]
    assert all(violations(text) for text in caught), [t for t in caught if not violations(t)]
    assert not any(violations(text) for text in spared), [t for t in spared if violations(t)]


def test_the_glossary_lists_every_rejected_variant():
    glossary = GLOSSARY.read_text(encoding="utf-8")
    examples = [
        "2020년 글",
        "2020년 안내서",
        "원문",
        "복원",
        "시험",
        "기호 텐서",
        "사영",
        "텐서플로",
        "60 000",
        "칸",
        "Keras 3는",
        "직렬화 목록",
        "얼리기",
        "build config",
        "추적기 (tracer",
        "덮어쓰기",
    ]
    missing = [word for word in examples if word not in glossary]
    assert not missing, f"book/glossary.md does not name these rejected variants: {missing}"
