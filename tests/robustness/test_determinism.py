"""Two fresh Python processes with the same seed train the VAE to bit-identical losses.

Each process imports Keras from scratch, seeds with `keras.utils.set_random_seed(seed)`, builds
a small `VariationalAutoEncoder` (whose `Sampling` layer gets the same seed) and trains it for 50
steps with `train_on_batch` on the first 1 024 real Fashion-MNIST images
(`companion.load_fashion_mnist`). It prints the 50 losses as exact hexadecimal floats.

What bit-identity needs, found out on the TensorFlow 2.21 CPU build and JAX 0.10 CPU:

- the seed alone: the weights, the `SeedGenerator` of the sampling layer and the order of the
  batches all follow it. `tf.config.experimental.enable_op_determinism()` is NOT needed:
  the CPU kernels this model uses (matmul, reductions, elementwise ops) give the same bits on
  every run. Neither are fixed thread counts: TF_NUM_INTRAOP_THREADS=1, 2 and 8 all gave the
  same 50 losses, because these matmuls are too small to be split across threads.
- the same environment: TF_ENABLE_ONEDNN_OPTS changes the losses from the first step on
  (0.37922021746635437 with oneDNN, 0.37922024726867676 without), because oneDNN and Eigen
  use different matmul kernels that round differently. The subprocesses therefore inherit the
  test's environment unchanged (KERAS_BACKEND too), as the task "same env" states.

A different seed must give different losses, otherwise the test could pass with a seed that is
silently ignored.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from companion.settings import SEED

STEPS = 50

_SCRIPT = textwrap.dedent(
    """
    import json
    import sys

    import keras

    import companion

    seed = int(sys.argv[1])
    keras.utils.set_random_seed(seed)
    (x_train, _), _ = companion.load_fashion_mnist(layout="flat")
    x = x_train[:1024]
    model = companion.VariationalAutoEncoder(
        original_dim=784, intermediate_dim=32, latent_dim=2, seed=seed
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    losses = []
    for step in range({steps}):
        start = (step * 64) % len(x)
        batch = x[start : start + 64]
        losses.append(float(model.train_on_batch(batch, batch, return_dict=True)["loss"]).hex())
    print(json.dumps({{"backend": keras.backend.backend(), "losses": losses}}))
    """
).format(steps=STEPS)


def _start(seed):
    # The same environment as this test (backend, oneDNN flag, thread settings, Keras home).
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, str(seed)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _result(process):
    stdout, stderr = process.communicate(timeout=240)
    assert process.returncode == 0, stderr[-3000:]
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def runs():
    # Two processes at a time: the machine the suite runs on has at least two cores.
    first, second = _start(SEED), _start(SEED)
    same_a, same_b = _result(first), _result(second)
    other = _result(_start(SEED + 1))
    return same_a, same_b, other


def test_the_same_seed_gives_bit_identical_losses(runs):
    same_a, same_b, _ = runs
    assert len(same_a["losses"]) == STEPS
    assert same_a["losses"] == same_b["losses"]


def test_the_losses_are_real_training(runs):
    same_a, _, _ = runs
    losses = [float.fromhex(h) for h in same_a["losses"]]
    assert all(0 < loss < 10 for loss in losses)
    assert sum(losses[-10:]) < sum(losses[:10])  # it learns, so the steps are not all alike


def test_a_different_seed_gives_different_losses(runs):
    same_a, _, other = runs
    assert other["backend"] == same_a["backend"]
    assert other["losses"] != same_a["losses"]
