"""Assertions the checker test files share (imported as `from exercise_reports import ...`)."""

import time

import keras


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
