"""Time every chapter 1-10 checker on its model answer (not a test; pytest does not collect it).

    KERAS_BACKEND=jax .venv/bin/python tests/exercises/time_checkers.py [01 05 ...]

For each `check_*` it prints the first call (which also runs the reference solution through the
probe battery; the battery caches those results per backend) and a second call (the reader's
side only), in seconds, and whether the model answer passed. The last line is the total of the
first calls, i.e. about what the chapter's exercise cells cost a reader who runs them once.
"""

import importlib
import sys
import time

import keras


def main(chapters):
    total = 0.0
    print(f"backend {keras.backend.backend()}")
    for number in chapters:
        module = importlib.import_module(f"companion.exercises.chapter{number}")
        reference = importlib.import_module(f"companion.exercises.reference.chapter{number}")
        checks = [getattr(module, n) for n in dir(module) if n.startswith("check_")]
        for check in sorted(checks, key=lambda c: c.title):
            answer = getattr(reference, check.answer)
            times = []
            for _ in range(2):
                start = time.perf_counter()
                report = check(answer)
                times.append(time.perf_counter() - start)
            total += times[0]
            verdict = "pass" if report.passed else "FAIL"
            print(f"{check.title:32s} {times[0]:6.1f} {times[1]:6.1f}  {verdict}")
    print(f"total of first calls: {total:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:] or [f"{n:02d}" for n in range(1, 11)])
