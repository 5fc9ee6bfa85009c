"""어텐션 세 가지의 속도 (11장): 직접 쓴 einsum, ops.dot_product_attention, MultiHeadAttention.

같은 모양(배치 16, 특성 64, 머리 4개 × 16차원)의 셀프 어텐션 한 번(순전파)을 두 시퀀스 길이에서
잽니다. 세 변형은 같은 NumPy 가중치를 씁니다 (같은 값을 내는지 확인해 JSON에 적습니다).

- 백엔드(TensorFlow, JAX, PyTorch)마다 프로세스 하나. 반복마다 백엔드를 번갈아 재고, 한
  프로세스 안에서도 변형과 길이를 번갈아 잽니다. 한 번에 한 프로세스만 돕니다.
- 백엔드마다 그 백엔드에서 보통 쓰는 방법으로 부릅니다: TensorFlow는 `tf.function`, JAX는
  `jax.jit`(`stateless_call`), PyTorch는 `torch.no_grad()` 아래 즉시 실행 (Keras가 PyTorch에서
  `jit_compile=True`를 주지 않으면 하는 대로). PyTorch는 스레드 하나로 돕니다 (`--torch-threads`):
  다른 프로그램과 코어를 나눠 쓰는 기계에서 기다리며 도는 OpenMP 스레드가 시간을 크게 흔듭니다.
- 한 번 잴 때 함수를 `--calls`번 부르고 한 번당 시간을 적습니다. 비율은 같은 실행, 같은 백엔드,
  같은 길이의 `keras.layers.MultiHeadAttention`에 대한 것입니다.

결과(JSON 하나)는 기본으로 패키지 안의 `companion/benchmark_results/attention_speed.json`에 쓰고,
11장은 `companion.load_attention_speed_results()`로 읽어 표로 보여 줍니다.

Usage (from the repository root):

    .venv/bin/python benchmarks/attention_speed.py                 # the book's results
    .venv/bin/python benchmarks/attention_speed.py --repeats 2 --out-dir /tmp/bench
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "companion" / "benchmark_results"
RESULTS_NAME = "attention_speed.json"
BACKENDS = ("tensorflow", "jax", "torch")
BATCH_SIZE = 16
MODEL_DIM = 64
NUM_HEADS = 4
LENGTHS = (64, 256)
# (name, label). The ratios are to "keras_mha".
VARIANTS = [
    ("scratch_einsum", "SimpleMultiHeadAttention(implementation='einsum'): einsum + softmax"),
    (
        "scratch_fused",
        "SimpleMultiHeadAttention(implementation='fused'): ops.dot_product_attention",
    ),
    ("keras_mha", "keras.layers.MultiHeadAttention"),
]


# --------------------------------------------------------------------------------------------
# Worker: one backend, one process.


def _worker(backend, calls, protocol):
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import warnings

    warnings.filterwarnings("ignore")
    import keras
    import numpy as np

    if backend == "tensorflow":
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")  # one tf.function per layer and length, on purpose
    sys.path.insert(0, str(ROOT))
    import companion

    key_dim = MODEL_DIM // NUM_HEADS
    rng = np.random.default_rng(companion.SEED)
    layers = {
        "scratch_einsum": companion.SimpleMultiHeadAttention(NUM_HEADS, key_dim),
        "scratch_fused": companion.SimpleMultiHeadAttention(
            NUM_HEADS, key_dim, implementation="fused"
        ),
        "keras_mha": keras.layers.MultiHeadAttention(NUM_HEADS, key_dim),
    }
    inputs = {
        length: rng.normal(size=(BATCH_SIZE, length, MODEL_DIM)).astype("float32")
        for length in LENGTHS
    }
    first = inputs[LENGTHS[0]]
    weights = None
    for layer in layers.values():
        layer(first, first)
        if weights is None:
            weights = [0.2 * rng.normal(size=w.shape).astype("float32") for w in layer.weights]
        layer.set_weights(weights)

    def compiled(layer):
        if backend == "tensorflow":
            import tensorflow as tf

            fn = tf.function(lambda x: layer(x, x))
            return lambda x: fn(x).numpy()
        if backend == "jax":
            import jax

            trainable = [v.value for v in layer.trainable_variables]
            non_trainable = [v.value for v in layer.non_trainable_variables]

            @jax.jit
            def fn(x):
                return layer.stateless_call(trainable, non_trainable, x, x)[0]

            return lambda x: np.asarray(fn(x))
        import torch

        def eager(x):
            with torch.no_grad():
                return keras.ops.convert_to_numpy(layer(x, x))

        return eager

    runners, agreement = {}, {}
    for length, x in inputs.items():
        tensor = keras.ops.convert_to_tensor(x)
        outputs = {}
        for name, layer in layers.items():
            fn = compiled(layer)
            outputs[name] = fn(tensor)  # warm-up: traces and compiles
            runners[f"{name}@{length}"] = (fn, tensor)
        agreement[str(length)] = {
            name: float(np.max(np.abs(out - outputs["keras_mha"]))) for name, out in outputs.items()
        }
    versions = {"keras": keras.__version__}
    if backend == "tensorflow":
        import tensorflow as tf

        versions["tensorflow"] = tf.__version__
    elif backend == "jax":
        import jax

        versions["jax"] = jax.__version__
    else:
        import torch

        versions["torch"] = torch.__version__
    ready = {"versions": versions, "max_abs_difference_to_keras_mha": agreement}
    if backend == "torch":
        import torch

        ready["threads"] = torch.get_num_threads()
    protocol.write(json.dumps(ready) + "\n")
    protocol.flush()
    for line in sys.stdin:
        if line.strip() != "repeat":
            break
        times = {}
        for key, (fn, tensor) in runners.items():
            start = time.perf_counter()
            for _ in range(calls):
                fn(tensor)
            times[key] = (time.perf_counter() - start) / calls
            print(f"[{backend}] {key} {times[key] * 1e3:.2f} ms", file=sys.stderr, flush=True)
        protocol.write(json.dumps(times) + "\n")
        protocol.flush()


# --------------------------------------------------------------------------------------------
# Driver.


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "usable_cores": usable,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def summarize(raw):
    """One row per (backend, variant, length): median, range, ratio to Keras's layer."""
    rows = []
    for backend in raw["backends"]:
        times = raw["times"][backend]
        for length in raw["lengths"]:
            baseline = statistics.median(times[f"keras_mha@{length}"])
            for name, label in VARIANTS:
                values = times[f"{name}@{length}"]
                seconds = statistics.median(values)
                rows.append(
                    {
                        "backend": backend,
                        "variant": name,
                        "label": label,
                        "length": length,
                        "seconds_per_call": seconds,
                        "min": min(values),
                        "max": max(values),
                        "all_seconds": values,
                        "ratio_to_keras_mha": seconds / baseline,
                    }
                )
    return {"rows": rows}


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds per variant")
    parser.add_argument("--calls", type=int, default=20, help="calls per timed round")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--torch-threads", type=int, default=1, help="OMP_NUM_THREADS for torch")
    parser.add_argument(
        "--out-dir",
        type=pathlib.Path,
        default=RESULTS,
        help=f"where {RESULTS_NAME} goes (default: companion/benchmark_results/, the book's)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.worker:
        protocol = os.fdopen(os.dup(1), "w")
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        _worker(args.worker, args.calls, protocol)
        return
    if args.repeats < 1 or args.calls < 1:
        raise SystemExit(f"--repeats와 --calls는 1 이상: 받은 값 {args.repeats}, {args.calls}")
    backends = args.backends.split(",")
    started = time.time()
    load_before = list(os.getloadavg())
    workers = {}
    for backend in backends:
        env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(ROOT)}
        if backend == "torch":
            # PyTorch's OpenMP threads spin while they wait; on a shared machine two of them
            # ran 15-60x slower (benchmarks/torch_threads.py). One thread, recorded in the JSON.
            env["OMP_NUM_THREADS"] = str(args.torch_threads)
        command = [sys.executable, __file__, "--worker", backend, "--calls", str(args.calls)]
        workers[backend] = subprocess.Popen(
            command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        workers[backend].ready = json.loads(workers[backend].stdout.readline())
    times = {b: {} for b in backends}
    for repeat in range(args.repeats):
        for backend, process in workers.items():
            process.stdin.write("repeat\n")
            process.stdin.flush()
            for key, seconds in json.loads(process.stdout.readline()).items():
                times[backend].setdefault(key, []).append(seconds)
        print(f"반복 {repeat + 1}/{args.repeats} 끝", file=sys.stderr, flush=True)
    for process in workers.values():
        process.stdin.close()
        process.wait()
    raw = {
        "command": "python benchmarks/attention_speed.py " + " ".join(argv or sys.argv[1:]),
        "date_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "wall_seconds": time.time() - started,
        "load_average_before": load_before,
        "load_average_after": list(os.getloadavg()),
        "machine": machine(),
        "batch_size": BATCH_SIZE,
        "model_dim": MODEL_DIM,
        "num_heads": NUM_HEADS,
        "lengths": list(LENGTHS),
        "repeats": args.repeats,
        "calls_per_repeat": args.calls,
        "backends": backends,
        "workers": {b: p.ready for b, p in workers.items()},
        "times": times,
    }
    raw["summary"] = summarize(raw)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    out = args.out_dir / RESULTS_NAME
    out.write_text(json.dumps(raw, indent=1, ensure_ascii=False) + "\n")
    print_table(raw)
    print(f"결과 파일: {out}", file=sys.stderr)


def print_table(result):
    print(
        f"배치 {result['batch_size']}, 특성 {result['model_dim']}, 머리 {result['num_heads']}개, "
        f"반복 {result['repeats']}번 × 호출 {result['calls_per_repeat']}번의 중앙값"
    )
    print("| 백엔드 | 길이 | 변형 | ms/호출 | 최소–최대 | MultiHeadAttention 대비 |")
    print("|---|---:|---|---:|---:|---:|")
    for row in result["summary"]["rows"]:
        print(
            f"| {row['backend']} | {row['length']} | {row['variant']} | "
            f"{row['seconds_per_call'] * 1e3:.2f} | "
            f"{row['min'] * 1e3:.2f}–{row['max'] * 1e3:.2f} | {row['ratio_to_keras_mha']:.2f} |"
        )


if __name__ == "__main__":
    main()
