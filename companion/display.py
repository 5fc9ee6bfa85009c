"""노트북에서 `companion` 객체의 소스 코드와 GitHub 링크를 보여 주는 도구.

IPython이나 Jupyter 없이도 읽어 들일 수 있습니다: `show_source()`가 돌려주는 객체는
Jupyter가 찾는 `_repr_html_()`(문법 강조한 코드와 링크)과 일반 파이썬의 `repr()`(소스 텍스트와
링크)을 함께 갖고 있어서, 노트북에서는 강조된 코드로, 터미널에서는 글자로 보입니다.
"""

import html
import inspect
import pathlib

from companion.settings import BRANCH, REPO_URL

#: 소스 링크가 가리키는 저장소 안의 경로를 계산할 기준 폴더 (`companion/`의 부모).
_PACKAGE_PARENT = pathlib.Path(__file__).resolve().parent.parent


class SourceView:
    """`show_source()`의 결과: 소스 코드와, 저장소에서 그 코드가 있는 곳의 링크.

    Attributes:
        source: 소스 코드 텍스트 (`inspect.getsource()`와 같습니다).
        path: 저장소 안의 파일 경로 (예: `"companion/layers/linear.py"`).
        first_line: 파일에서 코드가 시작하는 줄 번호 (1부터).
        last_line: 코드가 끝나는 줄 번호.
        url: GitHub에서 그 줄들을 가리키는 링크.
    """

    def __init__(self, source, path, first_line, last_line):
        self.source = source
        self.path = path
        self.first_line = first_line
        self.last_line = last_line
        self.url = f"{REPO_URL}/blob/{BRANCH}/{path}#L{first_line}-L{last_line}"

    @property
    def link_text(self):
        """링크에 보여 줄 글자 (예: `"companion/layers/linear.py 60–95행"`)."""
        return f"{self.path} {self.first_line}–{self.last_line}행"

    def __repr__(self):
        return f"{self.source.rstrip()}\n\n# 원본: {self.url}"

    def _repr_html_(self):
        link = (
            f'<p>원본: <a href="{html.escape(self.url)}" target="_blank" rel="noopener">'
            f"{html.escape(self.link_text)}</a></p>"
        )
        return _highlight(self.source) + link


def _highlight(source):
    """파이썬 코드를 문법 강조한 HTML로 바꿉니다 (Pygments가 없으면 강조 없이)."""
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
    except ModuleNotFoundError:
        # Jupyter always ships Pygments; a bare environment still gets readable code.
        return f"<pre>{html.escape(source)}</pre>"
    # Inline styles: the same HTML renders in Jupyter, Colab and the built book without CSS.
    return highlight(source, PythonLexer(), HtmlFormatter(noclasses=True))


def show_source(obj):
    """`companion` 패키지에 들어 있는 클래스, 함수, 메서드의 소스 코드를 보여 줍니다.

    책의 각 장은 이 함수로 패키지의 실제 구현을 보여 줍니다. 소스가 바뀌었는데
    노트북을 다시 실행하지 않으면 저장된 출력과 달라져 nbval 검사가 실패하므로,
    책과 패키지가 어긋날 수 없습니다. 코드 아래에는 GitHub 저장소에서 그 코드가 있는
    파일과 줄을 가리키는 링크가 붙습니다. 화면에는 40줄 안팎이 알맞으므로, 긴 클래스는
    메서드 하나씩 보여 주세요: `show_source(companion.Linear.build)`.

    Args:
        obj: `companion` 안에서 정의된 클래스, 함수, 메서드(클래스에서 꺼낸 함수나 객체에
            묶인 메서드), 또는 모듈.

    Returns:
        `SourceView` 객체. Jupyter, Colab, 빌드된 책에서는 문법 강조된 코드와 링크로,
        일반 파이썬에서는 소스 텍스트와 링크로 표시됩니다.

    Raises:
        TypeError: `obj`가 클래스, 함수, 메서드, 모듈이 아닐 때.
        ValueError: `obj`가 `companion` 패키지 밖에서 정의되었을 때.

    Example:

    >>> from companion import Linear, show_source
    >>> view = show_source(Linear.build)
    >>> view.path
    'companion/layers/linear.py'
    """
    if not (
        inspect.isclass(obj)
        or inspect.isfunction(obj)
        or inspect.ismethod(obj)
        or inspect.ismodule(obj)
    ):
        raise TypeError(
            "show_source()에는 클래스, 함수, 메서드, 모듈을 넘겨야 합니다. "
            f"받은 값: {obj!r} (자료형 {type(obj).__name__})"
        )
    module = obj if inspect.ismodule(obj) else inspect.getmodule(obj)
    module_name = getattr(module, "__name__", "")
    if module_name != "companion" and not module_name.startswith("companion."):
        raise ValueError(
            "show_source()는 companion 패키지의 객체만 보여 줍니다. "
            f"받은 값: {getattr(obj, '__qualname__', obj)!r} (모듈 {module_name or '알 수 없음'})"
        )
    lines, start = inspect.getsourcelines(obj)
    # A module's source starts at line 0 in inspect's numbering; the file's first line is 1.
    first_line = max(start, 1)
    path = pathlib.Path(inspect.getsourcefile(obj)).resolve()
    relative = path.relative_to(_PACKAGE_PARENT).as_posix()
    return SourceView("".join(lines), relative, first_line, first_line + len(lines) - 1)
