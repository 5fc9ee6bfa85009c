"""연습 문제 채점기가 함께 쓰는 도구: 기대와 다른 점을 한국어 문장으로 모읍니다."""

import re

import numpy as np

# TensorFlow op errors carry graph-node names and op names around the real message.
_TF_NOISE = re.compile(r"\{\{function_node [^}]*\}\}\s*|\s*\[Op:[^\]]*\].*$", re.DOTALL)


class CheckReport:
    """채점 결과. 노트북에서 그대로 출력하면 통과 여부와 고칠 점을 보여 줍니다.

    Args:
        title: 연습 문제 이름 (예: `"연습 1-1 Scale 층"`).
        failures: 기대와 다른 점을 한 문장씩 담은 리스트.
        checks: 확인한 항목 수.
    """

    def __init__(self, title, failures, checks):
        self.title = title
        self.failures = list(failures)
        self.checks = checks

    @property
    def passed(self):
        """모든 확인 항목을 통과했으면 `True`."""
        return not self.failures

    def __bool__(self):
        return self.passed

    def __repr__(self):
        if self.passed:
            return f"✅ {self.title}: 통과했습니다 ({self.checks}개 항목 확인)."
        lines = [f"❌ {self.title}: 고칠 점이 {len(self.failures)}개 있습니다."]
        lines += [f"  - {message}" for message in self.failures]
        return "\n".join(lines)

    __str__ = __repr__


class StopCheck(Exception):
    """`Checker.require*()`와 `Checker.call()`이 더 확인할 수 없을 때 채점을 멈추는 예외.

    `with checker:` 블록이 이 예외를 삼키므로 채점기 함수는 블록이 끝난 뒤
    `checker.report()`를 돌려주기만 하면 됩니다.
    """


class Checker:
    """채점기 하나가 쓰는 작은 도우미.

    독자의 코드를 `run()`으로 실행해서 예외가 나도 채점기가 멈추지 않고 예외 메시지를
    고칠 점으로 기록합니다. `expect*()` 메서드는 조건이 틀렸을 때 기대한 값과 받은 값을
    담은 문장을 기록하고 계속 진행합니다. 뒤의 확인이 앞의 결과에 기대는 곳에서는
    `require*()`와 `call()`을 씁니다: 실패를 기록한 뒤 `StopCheck`로 채점을 멈추고,
    `with checker:` 블록이 그 예외를 받아 줍니다.

    Args:
        title: 보고서 제목으로 쓸 연습 문제 이름.

    Example:

    >>> checker = Checker("연습 0-0 예시")
    >>> with checker:
    ...     value = checker.call("함수 호출", lambda: 3)
    ...     checker.require_equal("반환값", 4, value)
    ...     checker.expect(False, "여기까지 오지 않습니다.")
    >>> checker.report()
    ❌ 연습 0-0 예시: 고칠 점이 1개 있습니다.
      - 반환값: 4이어야 하는데 3입니다.
    """

    def __init__(self, title):
        if not isinstance(title, str) or not title:
            raise ValueError(f"title은 비어 있지 않은 문자열이어야 합니다. 받은 값: {title!r}")
        self.title = title
        self.failures = []
        self.checks = 0

    def fail(self, message):
        """고칠 점 한 문장을 기록합니다."""
        self.checks += 1
        self.failures.append(message)
        return False

    def expect(self, condition, message):
        """`condition`이 거짓이면 `message`를 기록하고, 참이면 통과로 셉니다."""
        if condition:
            self.checks += 1
            return True
        return self.fail(message)

    def expect_equal(self, what, expected, received):
        """`received == expected`인지 확인합니다."""
        return self.expect(
            expected == received,
            f"{what}: {expected!r}이어야 하는데 {received!r}입니다.",
        )

    def expect_close(self, what, expected, received, atol=1e-5):
        """두 배열(또는 수)의 모양과 값이 `atol` 안에서 같은지 확인합니다."""
        try:
            expected = np.asarray(expected, dtype="float64")
            received = np.asarray(received, dtype="float64")
        except (TypeError, ValueError) as error:
            return self.fail(f"{what}: 숫자 배열로 바꿀 수 없습니다 ({error}).")
        if expected.shape != received.shape:
            return self.fail(
                f"{what}: 모양이 {expected.shape}이어야 하는데 {received.shape}입니다."
            )
        if not np.allclose(expected, received, atol=atol, rtol=0):
            return self.fail(f"{what}: {_short(expected)}이어야 하는데 {_short(received)}입니다.")
        self.checks += 1
        return True

    def run(self, what, fn, *args, **kwargs):
        """독자의 코드를 실행합니다. 예외가 나면 기록하고 `(False, None)`을 돌려줍니다.

        Returns:
            `(성공 여부, 반환값)` 튜플.
        """
        try:
            return True, fn(*args, **kwargs)
        except Exception as error:  # 독자 코드의 어떤 예외든 보고서로 바꿉니다.
            original = original_exception(error)
            message = _TF_NOISE.sub("", str(original)).strip().splitlines()
            first_line = message[0] if message else ""
            self.fail(f"{what} 중에 예외가 났습니다: {type(original).__name__}: {first_line}")
            return False, None

    def require(self, condition, message):
        """`expect()`와 같지만, 실패하면 기록한 뒤 `StopCheck`로 채점을 멈춥니다."""
        if not self.expect(condition, message):
            raise StopCheck(message)
        return True

    def require_equal(self, what, expected, received):
        """`expect_equal()`과 같지만, 실패하면 채점을 멈춥니다."""
        if not self.expect_equal(what, expected, received):
            raise StopCheck(what)
        return True

    def require_close(self, what, expected, received, atol=1e-5):
        """`expect_close()`와 같지만, 실패하면 채점을 멈춥니다."""
        if not self.expect_close(what, expected, received, atol=atol):
            raise StopCheck(what)
        return True

    def call(self, what, fn, *args, **kwargs):
        """`run()`과 같지만 반환값만 돌려주고, 예외가 나면 기록한 뒤 채점을 멈춥니다."""
        ok, value = self.run(what, fn, *args, **kwargs)
        if not ok:
            raise StopCheck(what)
        return value

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        # StopCheck만 삼킵니다: 실패는 이미 기록되었습니다. 다른 예외는 채점기 자체의
        # 버그이므로 그대로 올려 보냅니다.
        return exc_type is not None and issubclass(exc_type, StopCheck)

    def report(self):
        """지금까지의 결과를 `CheckReport`로 돌려줍니다."""
        return CheckReport(self.title, self.failures, self.checks)


def original_exception(error):
    """Keras가 감싼 예외라면 감싸기 전의 원래 예외를 돌려줍니다.

    Keras는 층의 `call()`에서 난 예외를 "Exception encountered when calling X.call()."로
    시작하는 예외로 감싸므로, 그 첫 줄은 독자에게 아무것도 알려 주지 않습니다.
    """
    while getattr(error, "_keras_call_info_injected", False) and isinstance(
        error.__context__, Exception
    ):
        error = error.__context__
    return error


def _short(array):
    values = np.round(np.asarray(array, dtype="float64"), 4)
    text = np.array2string(values, threshold=6, separator=", ")
    return text.replace("\n", "")


def require_class(value, argument="layer_class"):
    """채점기 인자가 클래스인지 확인합니다 (인스턴스를 넘긴 흔한 실수를 잡습니다)."""
    if not isinstance(value, type):
        raise TypeError(
            f"{argument}에는 클래스 자체를 넘겨야 합니다 (예: MyLayer, MyLayer()가 아니라). "
            f"받은 값: {value!r}"
        )
    return value
