"""PyTorch의 스레드 수와 동시에 도는 프로세스: 왜 `make test-torch`/`nbval-torch`가 1로 두나.

VAE를 PyTorch 백엔드의 `fit()`으로 300단계(19,200장, 배치 64) 훈련하는 시간을, 같은 일을 하는
프로세스를 여러 개 동시에 띄워 잽니다. pytest-xdist는 코어마다 작업자(노트북이면 커널)를 하나씩
띄우는데, PyTorch는 프로세스마다 코어 수만큼 OpenMP 스레드를 쓰므로 코어가 과하게 예약되고
기다리며 도는(spin) 스레드들이 서로를 막습니다.

Usage (from the repository root):

    .venv/bin/python benchmarks/torch_threads.py        # 2 processes: default threads, then 1
    .venv/bin/python benchmarks/torch_threads.py --processes 1
"""

import argparse
import os
import subprocess
import sys
import time

STEPS, BATCH_SIZE = 300, 64


def _worker():
    import keras
    import torch

    import companion

    (x, _), _ = companion.load_fashion_mnist(layout="flat")
    x = x[: STEPS * BATCH_SIZE]
    keras.utils.set_random_seed(companion.SEED)
    vae = companion.VariationalAutoEncoder(kl_weight=32 / 784, seed=companion.SEED)
    vae.compile(optimizer="adam", loss="mse")
    vae.fit(x[:640], x[:640], batch_size=BATCH_SIZE, verbose=0)  # warm-up
    start = time.perf_counter()
    vae.fit(x, x, batch_size=BATCH_SIZE, verbose=0)
    print(f"{torch.get_num_threads()} {time.perf_counter() - start:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2, help="processes run side by side")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker()
        return
    if args.processes < 1:
        parser.error(f"--processes must be at least 1, got {args.processes}")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    base = {**os.environ, "KERAS_BACKEND": "torch", "PYTHONPATH": root, "TF_CPP_MIN_LOG_LEVEL": "3"}
    base.pop("OMP_NUM_THREADS", None)
    for label, env in (
        ("PyTorch 기본값", base),
        ("OMP_NUM_THREADS=1", base | {"OMP_NUM_THREADS": "1"}),
    ):
        command = [sys.executable, os.path.abspath(__file__), "--worker"]
        workers = [
            subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
            )
            for _ in range(args.processes)
        ]
        results = [worker.communicate()[0].split() for worker in workers]
        threads = results[0][0]
        seconds = ", ".join(f"{float(r[1]):.2f}" for r in results)
        print(f"{label} (스레드 {threads}개), 프로세스 {args.processes}개 동시에:", end=" ")
        print(f"{STEPS}단계에 {seconds}초")


if __name__ == "__main__":
    main()
