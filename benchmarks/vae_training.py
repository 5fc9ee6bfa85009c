"""VAE 훈련 속도 (10장): 세 백엔드의 fit() 설정, 직접 쓴 루프, fit()과의 차이의 원인, 계산 하한.

Fashion-MNIST 전체(60,000장)를 배치 64로 한 에포크 훈련하는 시간을 변형마다 잽니다.

- 백엔드(TensorFlow, JAX, PyTorch)마다 프로세스를 하나씩 띄우고, 반복마다 백엔드를 번갈아
  (TF JAX torch TF JAX torch …) 한 에포크씩 잽니다. 한 프로세스 안에서도 변형들을 번갈아 잽니다.
  한 번에 한 프로세스만 돌므로 서로 CPU를 다투지 않습니다.
- 모든 변형은 같은 모델, 같은 NumPy 초기 가중치(백엔드와 무관), 같은 배치 순서(섞지 않음)로
  훈련합니다. 재기 전의 워밍업 에포크가 곧 "첫 에포크"이므로 그 손실을 나란히 적습니다.
- 즉시 실행 변형(`run_eagerly=True`)은 6,400장(100단계)만 재서 한 에포크로 환산합니다.
- 계산 하한: 이 모델의 실제 행렬 곱(784-64-32 VAE, 배치 64, 순전파와 역전파)만으로 이루어진
  단계를 한 번의 호출 안에서 에포크만큼 돌린 시간의 중앙값 (TensorFlow와 JAX에서 재서 빠른 쪽).

결과(JSON 하나)는 기본으로 패키지 안의 `companion/benchmark_results/vae_training.json`에 씁니다.
패키지 데이터로 함께 설치되므로 10장은 저장소 없이도 `companion.load_benchmark_results()`로
읽고, 그림은 `companion.plot_benchmark_results()`가 그 JSON에서 그립니다.

Usage (from the repository root):

    .venv/bin/python benchmarks/vae_training.py --repeats 3     # the book's results (package data)
    .venv/bin/python benchmarks/vae_training.py --quick --out-dir /tmp/bench   # 6,400 images
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
# Package data (pyproject.toml, [tool.setuptools.package-data]): chapter 10 reads it from the
# installed package, so it works in Colab and in an empty folder.
RESULTS = ROOT / "companion" / "benchmark_results"
BACKENDS = ("tensorflow", "jax", "torch")
BATCH_SIZE = 64
SPE = 32  # companion.training.DEFAULT_STEPS_PER_EXECUTION
EAGER_IMAGES = 6400
# 784-64-32 VAE: (fan_in, fan_out) of every Dense kernel, in the order the model runs them.
SHAPES = {"encoder_proj": (784, 64), "z_mean": (64, 32), "z_log_var": (64, 32)}
SHAPES |= {"decoder_proj": (32, 64), "decoder_output": (64, 784)}

# (name, backends, label). Order = the table's order; the ladder (factor breakdown) uses the
# rows marked in LADDER.
VARIANTS = [
    ("fit_eager", BACKENDS, "fit(run_eagerly=True) — 즉시 실행, 100단계에서 환산"),
    ("fit", BACKENDS, "fit() 기본값, NumPy 배열"),
    ("fit_jit", BACKENDS, "fit(jit_compile=True), NumPy 배열"),
    ("fit_spe32", BACKENDS, "fit(steps_per_execution=32), NumPy 배열"),
    (
        "fit_spe32_jit",
        ("tensorflow", "jax"),
        "fit(steps_per_execution=32, jit_compile=True), NumPy 배열",
    ),
    ("fit_tfdata", BACKENDS, "fit() 기본값, tf.data"),
    ("fit_tfdata_spe32", BACKENDS, "fit(steps_per_execution=32), tf.data"),
    (
        "fit_tfdata_spe_epoch",
        ("tensorflow", "jax"),
        "fit(steps_per_execution=에포크 전체), tf.data",
    ),
    ("fit_verbose1_spe32", ("tensorflow",), "fit(steps_per_execution=32, verbose=1), NumPy 배열"),
    (
        "fit_tfdata_spe32_lean",
        ("tensorflow",),
        "fit(steps_per_execution=32), tf.data, 직접 쓴 루프의 train_step",
    ),
    ("loop_spe1", ("tensorflow",), "companion.train_custom_loop(steps_per_execution=1), tf.data"),
    ("loop_spe32", ("tensorflow",), "companion.train_custom_loop(steps_per_execution=32), tf.data"),
    ("mlp_linear", ("tensorflow",), "VAE 아님: companion.Linear 784-64-784 오토인코더, fit()"),
    ("mlp_dense", ("tensorflow",), "VAE 아님: keras.layers.Dense 784-64-784 오토인코더, fit()"),
]
LABELS = {name: label for name, _, label in VARIANTS}
# From the compiled loop to fit()'s default, one factor at a time (TensorFlow): (row, factor).
LADDER = [
    ("loop_spe32", "출발점: 직접 쓴 컴파일된 루프 (tf.data, 32단계씩)"),
    ("fit_tfdata_spe32_lean", "fit()의 틀 (에포크 반복자, 콜백과 History, 단계 함수 구조)"),
    ("fit_tfdata_spe32", "지표 갱신 (compute_loss와 손실 추적기 세 개; 루프는 Mean 하나)"),
    ("fit_spe32", "데이터 어댑터 (NumPy 배열 → 배치)"),
    ("fit", "steps_per_execution=1 (배치마다 파이썬으로 돌아옴)"),
]


# --------------------------------------------------------------------------------------------
# Worker: one backend, one process.


def _worker(backend, images, protocol):
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import warnings

    warnings.filterwarnings("ignore")
    import keras
    import numpy as np
    import tensorflow as tf
    from keras import ops

    sys.path.insert(0, str(ROOT))
    import companion

    keras.utils.set_random_seed(companion.SEED)
    (x_train, _), _ = companion.load_fashion_mnist(layout="flat")
    x = np.ascontiguousarray(x_train[:images], dtype="float32")
    steps = -(-len(x) // BATCH_SIZE)
    rng = np.random.default_rng(companion.SEED)
    initial = None

    def make_vae(model_class=companion.VariationalAutoEncoder):
        nonlocal initial
        model = model_class(kl_weight=32 / 784, seed=companion.SEED, name="vae")
        model(x[:2])
        if initial is None:  # the same NumPy weights on every backend and for every variant
            initial = [
                rng.normal(0, np.sqrt(2 / sum(w.shape)), w.shape).astype("float32")
                if len(w.shape) == 2
                else np.zeros(w.shape, "float32")
                for w in model.get_weights()
            ]
        model.set_weights(initial)
        return model

    def dataset(n=None):
        return tf.data.Dataset.from_tensor_slices(x[:n]).batch(BATCH_SIZE).prefetch(2)

    class LeanVAE(companion.VariationalAutoEncoder):
        """fit()'s loop around the hand-written loop's own step (companion.train_custom_loop):
        the loss, its gradients, and one weighted Mean instead of compute_loss's three trackers."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.step_loss = keras.metrics.Mean(name="loss")

        @property
        def metrics(self):
            return [self.step_loss]

        def train_step(self, data):
            x_batch = keras.utils.unpack_x_y_sample_weight(data)[0]
            with tf.GradientTape() as tape:
                loss = ops.mean(ops.square(self(x_batch, training=True) - x_batch))
                loss = loss + ops.sum(self.losses)
            gradients = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply(gradients, self.trainable_weights)
            self.step_loss.update_state(loss, sample_weight=ops.shape(x_batch)[0])
            return {"loss": self.step_loss.result()}

    def fit_runner(
        arrays=True, eager=False, subset=False, verbose=0, model_class=None, **compile_kwargs
    ):
        model = make_vae(model_class or companion.VariationalAutoEncoder)
        if eager:
            compile_kwargs["run_eagerly"] = True
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", **compile_kwargs)
        subset = subset or eager
        n = EAGER_IMAGES if subset else None
        data = (x[:n], x[:n]) if arrays else (dataset(n),)
        kwargs = {"batch_size": BATCH_SIZE, "shuffle": False} if arrays else {}
        scale = steps / (-(-len(x[:n]) // BATCH_SIZE))

        def run():
            history = model.fit(*data, epochs=1, verbose=verbose, **kwargs)
            # A shortened (eager) epoch's loss is not comparable with a full epoch's.
            return (None if subset else history.history.get("loss", [None])[0]), scale

        extra = {"jit_compile": bool(model.jit_compile)}
        if subset:
            extra["note"] = f"{EAGER_IMAGES // BATCH_SIZE}단계를 재서 한 에포크로 환산"
        return run, extra

    def loop_runner(spe):
        model, optimizer = make_vae(), keras.optimizers.Adam(1e-3)
        data, loss_fn = dataset(), keras.losses.MeanSquaredError()

        def run():
            out = companion.train_custom_loop(
                model, data, optimizer, loss_fn, verbose=0, steps_per_execution=spe
            )
            return out["loss"][0], 1.0

        return run, {}

    def mlp_runner(layer_class):
        keras.utils.set_random_seed(companion.SEED)
        inputs = keras.Input(shape=(784,))
        hidden = keras.layers.Activation("relu")(layer_class(64, name="hidden")(inputs))
        outputs = keras.layers.Activation("sigmoid")(layer_class(784, name="out")(hidden))
        model = keras.Model(inputs, outputs)
        model.set_weights([w if w.ndim == 2 else 0 * w for w in model.get_weights()])
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")

        def run():
            history = model.fit(x, x, batch_size=BATCH_SIZE, shuffle=False, verbose=0)
            return history.history["loss"][0], 1.0

        return run, {}

    factories = {
        "mlp_linear": lambda: mlp_runner(companion.Linear),
        "mlp_dense": lambda: mlp_runner(keras.layers.Dense),
        "fit_eager": lambda: fit_runner(eager=True),
        "fit": lambda: fit_runner(),
        "fit_jit": lambda: fit_runner(jit_compile=True),
        "fit_spe32": lambda: fit_runner(steps_per_execution=SPE),
        "fit_spe32_jit": lambda: fit_runner(steps_per_execution=SPE, jit_compile=True),
        "fit_tfdata": lambda: fit_runner(arrays=False),
        "fit_tfdata_spe32": lambda: fit_runner(arrays=False, steps_per_execution=SPE),
        "fit_tfdata_spe_epoch": lambda: fit_runner(arrays=False, steps_per_execution=steps),
        "fit_verbose1_spe32": lambda: fit_runner(verbose=1, steps_per_execution=SPE),
        "fit_tfdata_spe32_lean": lambda: fit_runner(
            arrays=False, model_class=LeanVAE, steps_per_execution=SPE
        ),
        "loop_spe1": lambda: loop_runner(1),
        "loop_spe32": lambda: loop_runner(SPE),
    }
    runners, info = {}, {}
    only = os.environ.get("BENCHMARK_ONLY", "").split(",")  # for debugging: run a few rows
    for name, backends, _ in VARIANTS:
        if backend not in backends or (only != [""] and name not in only):
            continue
        try:
            run, extra = factories[name]()
            loss, _ = run()  # warm-up = the first epoch from the shared initial weights
            runners[name] = run
            info[name] = {**extra, "first_epoch_loss": loss}
        except Exception as error:  # noqa: BLE001 - recorded in the JSON, the row is left out
            info[name] = {"error": f"{type(error).__name__}: {str(error)[:300]}"}
        print(f"[{backend}] {name} 준비", file=sys.stderr, flush=True)

    floor = _floor(backend, steps)
    gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    versions = {"keras": keras.__version__, "tensorflow": tf.__version__}
    if backend == "jax":
        import jax

        versions["jax"] = jax.__version__
        gpus = [str(d) for d in jax.devices() if d.platform == "gpu"]
    if backend == "torch":
        import torch

        versions["torch"] = torch.__version__
        gpus = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    ready = {"variants": info, "floor_seconds": floor, "versions": versions, "gpus": gpus}
    protocol.write(json.dumps(ready) + "\n")
    protocol.flush()
    for line in sys.stdin:
        if line.strip() != "repeat":
            break
        times = {}
        for name, run in runners.items():
            start = time.perf_counter()
            _, scale = run()
            times[name] = (time.perf_counter() - start) * scale
            print(f"[{backend}] {name} {times[name]:.2f} s", file=sys.stderr, flush=True)
        protocol.write(json.dumps(times) + "\n")
        protocol.flush()


def _floor(backend, steps, repeats=7):
    """Seconds for `steps` matmul-only training steps at the VAE's shapes, in one call (median).

    Forward: the five Dense matmuls at batch 64. Backward: for each layer the kernel gradient
    (inputᵀ · upstream) and, except for the first layer, the input gradient (upstream · kernelᵀ).
    An SGD update keeps each step dependent on the last, so nothing can be skipped or hoisted.
    Returns None on PyTorch (its Python loop would measure dispatch, not the hardware).
    """
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.random((BATCH_SIZE, 784), dtype="float32")
    weights = [rng.normal(0, 0.05, s).astype("float32") for s in SHAPES.values()]

    def step(x, w1, wm, wv, wd, wo, mm, t):
        h = mm(x, w1)
        z = mm(h, wm) + mm(h, wv)
        hd = mm(z, wd)
        out = mm(hd, wo)
        g_out = out - x
        g_hd = mm(g_out, t(wo))
        g_z = mm(g_hd, t(wd))
        g_h = mm(g_z, t(wm)) + mm(g_z, t(wv))
        grads = (mm(t(x), g_h), mm(t(h), g_z), mm(t(h), g_z), mm(t(z), g_hd), mm(t(hd), g_out))
        return [w - 1e-6 * g for w, g in zip((w1, wm, wv, wd, wo), grads, strict=True)]

    if backend == "tensorflow":
        import tensorflow as tf

        @tf.function(autograph=False)
        def epoch(ws):
            def body(i, ws):
                return i + 1, step(x, *ws, tf.matmul, tf.transpose)

            return tf.while_loop(lambda i, ws: i < steps, body, (0, ws))[1][0][0, 0]

        ws = [tf.constant(w) for w in weights]
        run = lambda: float(epoch(ws))  # noqa: E731
    elif backend == "jax":
        import jax
        import jax.numpy as jnp

        @jax.jit
        def epoch(ws):
            body = lambda i, ws: step(x, *ws, jnp.matmul, jnp.transpose)  # noqa: E731
            return jax.lax.fori_loop(0, steps, body, ws)[0][0, 0]

        ws = [jnp.asarray(w) for w in weights]
        run = lambda: float(epoch(ws))  # noqa: E731
    else:
        return None
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return {"median": statistics.median(times), "all": times}


def step_flops():
    """Matmul FLOPs of one training step: 2·B·in·out per product, the products listed in _floor."""
    (a, b), (c, d), (_, _), (e, f), (g, h) = SHAPES.values()
    forward = a * b + 2 * c * d + e * f + g * h
    backward = forward + (c * d * 2 + e * f + g * h)  # kernel grads + input grads (not layer 1)
    return 2 * BATCH_SIZE * (forward + backward)


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
    """Rows, ratios, floor and the factor ladder from the raw per-repeat times.

    A partial run (`--backends`, or BENCHMARK_ONLY while debugging) leaves out what it lacks:
    ratios need TensorFlow's default fit(), the ladder needs TensorFlow's ladder rows.
    """

    def median(backend, name):
        times = raw["times"].get(backend, {}).get(name)
        return statistics.median(times) if times else None

    floors = [w["floor_seconds"]["median"] for w in raw["workers"].values() if w["floor_seconds"]]
    floor = min(floors) if floors else None
    baseline = median("tensorflow", "fit")
    rows = []
    for name, backends, label in VARIANTS:
        for backend in backends:
            if backend not in raw["workers"]:
                continue
            info = raw["workers"][backend]["variants"].get(name)
            if info is None:  # not run (BENCHMARK_ONLY)
                continue
            times = raw["times"][backend].get(name)
            row = {"name": name, "backend": backend, "label": label}
            if times:
                seconds = statistics.median(times)
                row |= {
                    "seconds_per_epoch": seconds,
                    "min": min(times),
                    "max": max(times),
                    "all_seconds": times,
                    "ratio_to_tensorflow_fit": seconds / baseline if baseline else None,
                    "ratio_to_floor": seconds / floor if floor else None,
                }
            rows.append(row | info)
    timed = [r for r in rows if "seconds_per_epoch" in r]
    best = min(timed, key=lambda r: r["seconds_per_epoch"])
    ladder, previous = [], None
    for name, factor in LADDER:
        seconds = median("tensorflow", name)
        if seconds is None:  # a row that failed to set up: its factor merges into the next
            continue
        added = None if previous is None else seconds - previous
        ladder.append(
            {"row": name, "factor": factor, "seconds_per_epoch": seconds, "added_seconds": added}
        )
        previous = seconds
    gap = ladder[-1]["seconds_per_epoch"] - ladder[0]["seconds_per_epoch"] if ladder else 0
    for step in ladder[1:]:
        step["share_of_gap"] = step["added_seconds"] / gap if gap else None
    verbose, quiet = median("tensorflow", "fit_verbose1_spe32"), median("tensorflow", "fit_spe32")
    return {
        "rows": rows,
        "best": {
            "name": best["name"],
            "backend": best["backend"],
            "ratio_to_floor": best["ratio_to_floor"],
        },
        "floor": {
            "seconds_per_epoch": floor,
            "step_matmul_flops": step_flops(),
            "flops_per_second": step_flops() * raw["steps_per_epoch"] / floor if floor else None,
            "per_backend": {b: w["floor_seconds"] for b, w in raw["workers"].items()},
        },
        "gap": {
            "loop_seconds": ladder[0]["seconds_per_epoch"] if ladder else None,
            "fit_seconds": ladder[-1]["seconds_per_epoch"] if ladder else None,
            "ladder": ladder,
            "progbar_added_seconds": verbose - quiet if verbose and quiet else None,
        },
    }


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6,400 images instead of 60,000")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per variant")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument(
        "--out-dir",
        type=pathlib.Path,
        default=RESULTS,
        help="where vae_training.json goes (default: companion/benchmark_results/, the book's)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument(
        "--images", type=int, default=60_000, help="training images (default: all 60,000)"
    )
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.worker:
        # Keras's progress bar (verbose=1) writes to stdout: keep the protocol on its own copy.
        protocol = os.fdopen(os.dup(1), "w")
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        _worker(args.worker, args.images, protocol)
        return

    images = 6400 if args.quick else args.images
    backends = args.backends.split(",")
    started = time.time()
    load_before = list(os.getloadavg())
    workers = {}
    for backend in backends:
        env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, __file__, "--worker", backend, "--images", str(images)]
        workers[backend] = subprocess.Popen(
            command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        # One process works at a time: set-up (warm-up epochs) too.
        workers[backend].ready = json.loads(workers[backend].stdout.readline())
    times = {b: {} for b in backends}
    for repeat in range(args.repeats):
        for backend, process in workers.items():
            process.stdin.write("repeat\n")
            process.stdin.flush()
            for name, seconds in json.loads(process.stdout.readline()).items():
                times[backend].setdefault(name, []).append(seconds)
        print(f"반복 {repeat + 1}/{args.repeats} 끝", file=sys.stderr, flush=True)
    for process in workers.values():
        process.stdin.close()
        process.wait()

    raw = {
        "command": "python benchmarks/vae_training.py " + " ".join(argv or sys.argv[1:]),
        "date_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "wall_seconds": time.time() - started,
        "load_average_before": load_before,
        "load_average_after": list(os.getloadavg()),
        "machine": machine(),
        "images": images,
        "batch_size": BATCH_SIZE,
        "steps_per_epoch": -(-images // BATCH_SIZE),
        "repeats": args.repeats,
        "backends": backends,
        "workers": {b: p.ready for b, p in workers.items()},
        "times": times,
    }
    raw["summary"] = summarize(raw)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    out = args.out_dir / "vae_training.json"
    out.write_text(json.dumps(raw, indent=1, ensure_ascii=False) + "\n")
    print_table(raw)
    # The figure is drawn from the JSON: companion.plot_benchmark_results(results).
    print(f"결과 파일: {out}", file=sys.stderr)


def print_table(result):
    summary = result["summary"]

    def number(value, spec):
        return "—" if value is None else format(value, spec)

    print(f"{result['images']:,}장, 배치 {BATCH_SIZE}, 반복 {result['repeats']}번의 중앙값")
    print("| 백엔드 | 변형 | 초/에포크 | 최소–최대 | TF fit() 대비 | 하한 대비 | 첫 에포크 손실 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for row in summary["rows"]:
        if "seconds_per_epoch" not in row:
            print(f"| {row['backend']} | {row['label']} | 실패: {row.get('error')} | | | | |")
            continue
        print(
            f"| {row['backend']} | {row['label']} | {row['seconds_per_epoch']:.2f} | "
            f"{row['min']:.2f}–{row['max']:.2f} | {number(row['ratio_to_tensorflow_fit'], '.2f')}"
            f" | {number(row['ratio_to_floor'], '.1f')}"
            f" | {number(row.get('first_epoch_loss'), '.4f')} |"
        )
    floor = summary["floor"]
    if floor["seconds_per_epoch"]:
        gflops = floor["flops_per_second"] / 1e9
        print(f"계산 하한 {floor['seconds_per_epoch']:.3f} 초/에포크 ({gflops:.1f} GFLOP/s)")
    for step in summary["gap"]["ladder"]:
        added, share = step["added_seconds"], step.get("share_of_gap")
        print(
            f"{step['factor']}: {step['seconds_per_epoch']:.2f} 초"
            + ("" if added is None else f" ({added:+.2f} 초, 차이의 {number(share, '.0%')})")
        )


if __name__ == "__main__":
    main()
