"""nbval settings for the chapter notebooks (pytest loads this file for `pytest --nbval book`).

Every notebook runs under the Keras backend named by `KERAS_BACKEND` (TensorFlow when unset, as
the notebooks' backend cell does), and its stored outputs are compared on each backend.

The one exception is a cell tagged `tensorflow-only`: it teaches a TensorFlow API (a
`tf.Variable`, `tf.function`, `tf.data`), and on another backend its code takes a branch that
says why it does nothing there. nbval still runs such a cell on every backend (so that branch
must not fail), but compares its output with the stored one, the TensorFlow run's, only under
TensorFlow.
"""

import os

TENSORFLOW_ONLY = "tensorflow-only"


def pytest_collection_modifyitems(config, items):
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
        return
    for item in items:
        cell = getattr(item, "cell", None)
        if cell is not None and TENSORFLOW_ONLY in cell.metadata.get("tags", []):
            item.options["check"] = False
