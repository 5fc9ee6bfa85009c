"""VAE 훈련 루프 속도 비교 (10장): 즉시 실행, 컴파일된 루프, fit(), steps_per_execution, XLA.

Fashion-MNIST 전체(60,000장)를 배치 64로 한 에포크 훈련하는 시간을 변형마다 재서
`fit()` 기본 설정에 대한 비율로 보여 줍니다. 변형들은 한 프로세스에서 번갈아(A B C … A B C …)
여러 번 재고 중앙값을 씁니다. 즉시 실행(eager) 루프는 너무 느려서 앞의 일부 단계만 재고
한 에포크로 환산합니다. 마지막에 단계 하나의 행렬 곱 FLOPs를 이 기계에서 잰 행렬 곱
처리량으로 나눈 "계산 하한"과 각 변형의 거리를 보여 줍니다.

Usage (from the repository root):

    .venv/bin/python benchmarks/vae_training.py                # full epochs, 3 repeats
    .venv/bin/python benchmarks/vae_training.py --quick        # 6,400 images, quick check
    .venv/bin/python benchmarks/vae_training.py --repeats 5 --out /tmp/results.json
"""

import argparse
import json
import os
import pathlib
import platform
import statistics
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import ops  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import companion  # noqa: E402

BATCH_SIZE = 64
# The KL weight chapter 7 trains with (1.0 makes this VAE collapse to the mean image).
KL_WEIGHT = 32 / 784
STEPS_PER_EXECUTION = companion.training.DEFAULT_STEPS_PER_EXECUTION
DEFAULT_OUT = ROOT / "_build" / "benchmarks" / "vae_training.json"


def make_vae():
    return companion.VariationalAutoEncoder(kl_weight=KL_WEIGHT, seed=companion.SEED, name="vae")


def make_dataset(x, shuffle=True):
    dataset = tf.data.Dataset.from_tensor_slices(x)
    if shuffle:
        dataset = dataset.shuffle(10_000, seed=companion.SEED)
    return dataset.batch(BATCH_SIZE)


def step_body(model, optimizer, loss_fn):
    def train_step(x):
        with tf.GradientTape() as tape:
            loss = ops.mean(loss_fn(x, model(x, training=True))) + ops.sum(model.losses)
        gradients = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
        return loss

    return train_step


class Variant:
    """One way of training: `setup()` builds and warms it up, `epoch()` returns seconds/epoch."""

    def __init__(self, name, label):
        self.name, self.label, self.times, self.note = name, label, [], ""


class EagerLoop(Variant):
    def __init__(self, x, steps):
        super().__init__("eager_loop", "즉시 실행 GradientTape 루프")
        self.x, self.steps = x, steps

    def setup(self):
        self.model = make_vae()
        self.step = step_body(
            self.model, keras.optimizers.Adam(1e-3), keras.losses.MeanSquaredError()
        )
        self.batches = list(make_dataset(self.x).take(self.steps + 2))
        self.step(self.batches[0])  # builds weights and optimizer slots
        self.steps_per_epoch = int(np.ceil(len(self.x) / BATCH_SIZE))
        self.note = f"{self.steps}단계 재고 {self.steps_per_epoch}단계로 환산"

    def epoch(self):
        start = time.perf_counter()
        for batch in self.batches[2 : self.steps + 2]:
            self.step(batch)
        return (time.perf_counter() - start) * self.steps_per_epoch / self.steps


class CompanionLoop(Variant):
    def __init__(self, x, steps_per_execution):
        name = f"companion_loop_spe{steps_per_execution}"
        label = f"companion.train_custom_loop(steps_per_execution={steps_per_execution})"
        super().__init__(name, label)
        self.x, self.spe = x, steps_per_execution

    def setup(self):
        self.model = make_vae()
        self.optimizer = keras.optimizers.Adam(1e-3)
        self.dataset = make_dataset(self.x)
        # One loss object for every call: a new one is a new cache key, hence a new trace.
        loss_fn = keras.losses.MeanSquaredError()
        self.epoch_fn = lambda dataset: companion.train_custom_loop(
            self.model,
            dataset,
            self.optimizer,
            loss_fn,
            verbose=0,
            steps_per_execution=self.spe,
        )
        self.epoch_fn(self.dataset.take(2 * self.spe + 1))  # traces both functions

    def epoch(self):
        start = time.perf_counter()
        self.epoch_fn(self.dataset)
        return time.perf_counter() - start


class JitStepLoop(Variant):
    """A per-batch loop whose step is `tf.function(jit_compile=...)`."""

    def __init__(self, x, jit_compile):
        name = "custom_step_xla" if jit_compile else "custom_step_graph"
        label = f"직접 쓴 루프, 배치마다 tf.function(jit_compile={jit_compile}) 호출"
        super().__init__(name, label)
        self.x, self.jit = x, jit_compile

    def setup(self):
        self.model = make_vae()
        step = step_body(self.model, keras.optimizers.Adam(1e-3), keras.losses.MeanSquaredError())
        # Fixed signature with batch dimension 64: the last, partial batch is dropped here so
        # XLA compiles one static shape (that is 32 of 60,000 images).
        spec = tf.TensorSpec((BATCH_SIZE, self.x.shape[1]), tf.float32)
        self.step = tf.function(step, input_signature=[spec], jit_compile=self.jit)
        self.dataset = make_dataset(self.x).filter(lambda b: tf.shape(b)[0] == BATCH_SIZE)
        self.dataset = self.dataset.prefetch(tf.data.AUTOTUNE)
        for batch in self.dataset.take(2):
            self.step(batch)

    def epoch(self):
        start = time.perf_counter()
        for batch in self.dataset:
            self.step(batch)
        return time.perf_counter() - start


class Fit(Variant):
    def __init__(self, x, **compile_kwargs):
        suffix = "".join(f"_{key}{value}" for key, value in compile_kwargs.items())
        args = ", ".join(f"{key}={value}" for key, value in compile_kwargs.items())
        super().__init__("fit" + (suffix or "_default"), f"fit({args})" if args else "fit()")
        self.x, self.compile_kwargs = x, compile_kwargs

    def setup(self):
        self.model = make_vae()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.model.compile(
                optimizer=keras.optimizers.Adam(1e-3),
                loss=keras.losses.MeanSquaredError(),
                **self.compile_kwargs,
            )
        if self.compile_kwargs.get("jit_compile") and not self.model.jit_compile:
            self.note = "refused: " + "; ".join(str(w.message) for w in caught)
        self.model.fit(self.x[: 4 * BATCH_SIZE * 32], self.x[: 4 * BATCH_SIZE * 32], verbose=0)

    def epoch(self):
        start = time.perf_counter()
        self.model.fit(self.x, self.x, batch_size=BATCH_SIZE, epochs=1, verbose=0)
        return time.perf_counter() - start


class MlpStep(Variant):
    """784-64-784 autoencoder made of `companion.Linear` or `keras.layers.Dense`."""

    def __init__(self, x, layer_cls):
        name = f"mlp_{layer_cls.__name__.lower()}"
        super().__init__(name, f"{layer_cls.__name__} 784-64-784 오토인코더, fit()")
        self.x, self.layer_cls = x, layer_cls

    def setup(self):
        keras.utils.set_random_seed(companion.SEED)
        inputs = keras.Input(shape=(self.x.shape[1],))
        hidden = keras.layers.Activation("relu")(self.layer_cls(64, name="hidden")(inputs))
        outputs = keras.layers.Activation("sigmoid")(self.layer_cls(784, name="out")(hidden))
        self.model = keras.Model(inputs, outputs)
        self.model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
        self.model.fit(self.x[:2048], self.x[:2048], verbose=0)

    def epoch(self):
        start = time.perf_counter()
        self.model.fit(self.x, self.x, batch_size=BATCH_SIZE, epochs=1, verbose=0)
        return time.perf_counter() - start


def step_flops(batch_size=BATCH_SIZE):
    """Matmul FLOPs of one training step: forward 2·B·in·out per Dense, backward ≈ 2× forward."""
    model = make_vae()
    model(np.zeros((batch_size, 784), "float32"))
    forward = sum(
        2 * batch_size * int(w.shape[0]) * int(w.shape[1])
        for w in model.trainable_weights
        if len(w.shape) == 2
    )
    return 3 * forward


def matmul_throughput(n=1024, repeats=20):
    """Measured float32 matmul FLOP/s on this machine (best of several n×n products)."""
    a = tf.random.normal((n, n), seed=1)
    b = tf.random.normal((n, n), seed=2)

    @tf.function
    def product(a, b):
        return tf.reduce_sum(tf.matmul(a, b))

    product(a, b).numpy()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        product(a, b).numpy()
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best


def same_results(x):
    """Loss after one epoch: companion loop vs fit(), same initial weights, same batch order."""
    keras.utils.set_random_seed(companion.SEED)
    loop_model = make_vae()
    loop_loss = companion.train_custom_loop(
        loop_model,
        make_dataset(x, shuffle=False),
        keras.optimizers.Adam(1e-3),
        keras.losses.MeanSquaredError(),
        verbose=0,
    )["loss"][0]
    keras.utils.set_random_seed(companion.SEED)
    fit_model = make_vae()
    fit_model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.MeanSquaredError())
    fit_loss = fit_model.fit(x, x, batch_size=BATCH_SIZE, shuffle=False, verbose=0)
    fit_loss = fit_loss.history["loss"][0]
    return loop_loss, fit_loss, abs(loop_loss - fit_loss) / fit_loss


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
        "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "platform": platform.platform(),
        # Other programs on a shared machine slow single runs down: recorded, not corrected.
        "load_average_1_5_15_min": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6,400 images instead of 60,000")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per variant")
    parser.add_argument("--eager-steps", type=int, default=None, help="eager steps timed")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT, help="JSON output")
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(companion.SEED)
    (x_train, _), _ = companion.load_fashion_mnist(layout="flat")
    x = x_train[:6400] if args.quick else x_train
    eager_steps = args.eager_steps or (20 if args.quick else 100)
    steps_per_epoch = int(np.ceil(len(x) / BATCH_SIZE))

    variants = [
        EagerLoop(x, eager_steps),
        CompanionLoop(x, 1),
        CompanionLoop(x, STEPS_PER_EXECUTION),
        JitStepLoop(x, jit_compile=False),
        JitStepLoop(x, jit_compile=True),
        Fit(x),
        Fit(x, steps_per_execution=STEPS_PER_EXECUTION),
        Fit(x, jit_compile=True),
        Fit(x, steps_per_execution=STEPS_PER_EXECUTION, jit_compile=True),
        MlpStep(x, companion.Linear),
        MlpStep(x, keras.layers.Dense),
    ]
    for variant in variants:
        keras.utils.set_random_seed(companion.SEED)
        variant.setup()
    for repeat in range(args.repeats):
        for variant in variants:
            variant.times.append(variant.epoch())
        print(f"반복 {repeat + 1}/{args.repeats} 끝", file=sys.stderr)

    flops = step_flops()
    throughput = matmul_throughput()
    floor = flops * steps_per_epoch / throughput
    loop_loss, fit_loss, relative = same_results(x)

    baseline = statistics.median(next(v for v in variants if v.name == "fit_default").times)
    rows = []
    for variant in variants:
        median = statistics.median(variant.times)
        rows.append(
            {
                "name": variant.name,
                "label": variant.label,
                "seconds_per_epoch": median,
                "best_seconds_per_epoch": min(variant.times),
                "all_seconds": variant.times,
                "ratio_to_fit_default": median / baseline,
                "ratio_to_compute_floor": median / floor,
                "note": variant.note,
            }
        )
    result = {
        "command": " ".join([".venv/bin/python", "benchmarks/vae_training.py", *sys.argv[1:]]),
        "machine": machine(),
        "images": len(x),
        "batch_size": BATCH_SIZE,
        "steps_per_epoch": steps_per_epoch,
        "repeats": args.repeats,
        "kl_weight": KL_WEIGHT,
        "step_matmul_flops": flops,
        "matmul_flops_per_second": throughput,
        "compute_floor_seconds_per_epoch": floor,
        "same_results": {
            "companion_loop_loss": loop_loss,
            "fit_loss": fit_loss,
            "relative_difference": relative,
        },
        "variants": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")

    print(
        f"{len(x):,}장, 배치 {BATCH_SIZE}, 에포크당 {steps_per_epoch}단계, "
        f"반복 {args.repeats}번의 중앙값"
    )
    print("| 변형 | 초/에포크 (중앙값) | 최솟값 | fit() 대비 | 계산 하한 대비 |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        note = f" ({row['note']})" if row["note"] else ""
        print(
            f"| {row['label']}{note} | {row['seconds_per_epoch']:.2f} | "
            f"{row['best_seconds_per_epoch']:.2f} | "
            f"{row['ratio_to_fit_default']:.2f}× | {row['ratio_to_compute_floor']:.1f}× |"
        )
    print(
        f"계산 하한: 단계당 {flops / 1e6:.1f} MFLOP × {steps_per_epoch}단계 ÷ "
        f"{throughput / 1e9:.1f} GFLOP/s = {floor:.2f} 초/에포크"
    )
    print(
        f"같은 결과인가: 루프 손실 {loop_loss:.5f}, fit() 손실 {fit_loss:.5f}, "
        f"상대 차이 {relative:.2e}"
    )
    load = result["machine"]["load_average_1_5_15_min"]
    print(
        f"기계: {result['machine']['cpu']}, 코어 {result['machine']['usable_cores']}개, "
        f"TF {tf.__version__}, Keras {keras.__version__}, 부하 평균 {load}"
    )
    print(f"결과 JSON: {args.out}")


if __name__ == "__main__":
    main()
