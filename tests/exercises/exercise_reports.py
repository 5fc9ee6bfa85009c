"""Assertions the checker test files share (imported as `from exercise_reports import ...`)."""

import time

import keras

# (checker, solution) → report: every solution is graded once per test process, however many
# tests read its report.
_REPORTS = {}


def report_of(check, solution):
    """`check(solution)`, graded once per process."""
    key = (check, solution)
    if key not in _REPORTS:
        _REPORTS[key] = check(solution)
    return _REPORTS[key]


def assert_verdict(check, solution, expected):
    """The verdict the course promises on every backend.

    `expected` is `True` (the solution passes) or the fragments its report must hold (a string
    or a tuple of strings: usually the requirement it breaks, "요구 사항 4").
    """
    report = report_of(check, solution)
    if expected is True:
        assert report.passed, report
        return
    assert not report.passed, f"{solution.__name__} passed but breaks: {expected}"
    assert report.missing is None
    fragments = (expected,) if isinstance(expected, str) else expected
    text = repr(report)
    for fragment in fragments:
        assert fragment in text, text
    assert "예상하지 못한 예외" not in text, text


def verdict_id(value):
    if isinstance(value, type) or callable(value):
        return getattr(value, "__name__", str(value))
    return ""


def assert_fails_with(report, *fragments):
    """The report failed, and its text holds every fragment."""
    assert not report.passed, report
    text = repr(report)
    for fragment in fragments:
        assert fragment in text, text


def assert_passes_quickly(check, solution, seconds=10):
    """`check(solution)` passes within `seconds`; returns the report.

    JAX compiles every new `jax.jit` function the checkers make (XLA), and the PyTorch checks run
    each compiled call twice (a guarded trace, then eagerly), so those backends get three times
    the time.
    """
    if keras.backend.backend() != "tensorflow":
        seconds *= 3
    start = time.perf_counter()
    report = check(solution)
    assert report.passed, report
    assert time.perf_counter() - start < seconds
    return report
