"""Settings shared by the robustness tests (tests/robustness)."""

import keras
import pytest
from hypothesis import HealthCheck, settings

# One profile for every property in tests/robustness. It is registered here and used explicitly
# (`settings(settings.get_profile("robustness"), max_examples=...)`), never loaded globally, so
# the other Hypothesis tests in the suite keep their own settings.
# - deadline=None: the first call of a layer traces or compiles it (seconds under JAX), which
#   says nothing about the property.
# - derandomize=True: every run tries the same examples, so `make test` takes the same time
#   and a failure in CI is the failure you get locally.
# - database=None: nothing is written into the working tree.
# - function_scoped_fixture: the autouse `_seeded` fixture seeds once per test, not per example;
#   the properties draw their own data seeds, so that is what we want.
settings.register_profile(
    "robustness",
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture(autouse=True)
def _restore_dtype_policy():
    """A test that changes the global dtype policy must not leak it into the next test."""
    previous = keras.config.dtype_policy()
    yield
    keras.config.set_dtype_policy(previous)
