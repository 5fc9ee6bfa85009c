"""노트북에서 `companion` 객체의 소스 코드를 보여 주는 도구."""

import inspect

from IPython.display import Code


def show_source(obj):
    """`companion` 패키지에 들어 있는 클래스나 함수의 소스 코드를 보여 줍니다.

    책의 각 장은 이 함수로 패키지의 실제 구현을 보여 줍니다. 소스가 바뀌었는데
    노트북을 다시 실행하지 않으면 저장된 출력과 달라져 nbval 검사가 실패하므로,
    책과 패키지가 어긋날 수 없습니다.

    Args:
        obj: `companion` 안에서 정의된 클래스, 함수 또는 모듈.

    Returns:
        `IPython.display.Code` 객체. Jupyter, Colab, 빌드된 책에서는 문법 강조된
        코드로, 일반 파이썬에서는 소스 텍스트로 표시됩니다.

    Raises:
        TypeError: `obj`가 클래스, 함수, 메서드, 모듈이 아닐 때.
        ValueError: `obj`가 `companion` 패키지 밖에서 정의되었을 때.

    Example:

    >>> from companion import Linear, show_source
    >>> show_source(Linear)  # doctest: +SKIP
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
    return Code(inspect.getsource(obj), language="python")
