"""연습 문제 채점기. 각 장의 연습 문제에 대해 `check_*` 함수를 독자의 코드에 호출합니다."""

from companion.exercises.checker import Checker, CheckReport

# One line per chapter module, e.g. `from companion.exercises.chapter01 import check_...`.
