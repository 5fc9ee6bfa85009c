"""내보내기 표 (13장): 백엔드마다 `model.export()`의 다섯 형식을 해 보고 결과를 JSON에 씁니다.

백엔드(TensorFlow, JAX, PyTorch)마다 새 파이썬 프로세스를 띄워, 그 안에서
`companion.export.build_export_model()`이 만드는 같은 모델(NumPy로 채운 가중치)을
`companion.export.try_export()`로 형식마다 내보내고, 그 형식의 런타임(`tf.saved_model`,
ONNX Runtime, LiteRT, OpenVINO, `torch.export`)에서 배치 1과 5로 실행해 Keras 출력과
비교합니다. 안 되는 조합은 독자가 받을 오류를 그대로 (한 줄로 줄여) 적습니다. TensorFlow
프로세스에서는 OpenVINO의 기본 추론 정밀도(bfloat16을 지원하는 CPU에서는 bf16)와 f32의 차이도
잽니다 (`companion.export.openvino_precision()`).

결과는 기본으로 패키지 안의 `companion/benchmark_results/export_matrix.json`에 씁니다. 패키지
데이터로 함께 설치되므로 13장은 저장소 없이도 `companion.load_export_results()`로 읽습니다.
다시 잰 뒤에는 `book/13_export_quantization.ipynb`를 다시 실행하고, 표를 설명하는 문장을 새
출력과 맞춰 읽으세요. 2코어 기계에서 1분쯤 걸립니다.

Usage (from the repository root):

    .venv/bin/python benchmarks/export_matrix.py
    .venv/bin/python benchmarks/export_matrix.py --out-dir /tmp/export   # 시험 삼아
"""

import argparse
import datetime
import importlib.metadata
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "companion" / "benchmark_results"
BACKENDS = ("tensorflow", "jax", "torch")
# The packages whose versions decide the table (what each format needs, and the backends).
PACKAGES = (
    "keras",
    "tensorflow-cpu",
    "jax",
    "torch",
    "onnx",
    "onnxruntime",
    "tf2onnx",
    "jax2onnx",
    "ai-edge-litert",
    "litert-torch",
    "openvino",
    "torch-xla",
)


def _versions():
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None  # not installed: the table shows the error a reader gets
    return versions


def _machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as file:
            for line in file:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def worker(out_path):
    """Runs in a fresh process under one backend (KERAS_BACKEND): every format, in order."""
    import numpy as np

    from companion import export

    model = export.build_export_model()
    inputs = np.random.default_rng(1).normal(size=(8, 16)).astype("float32")
    rows = []
    for format in export.EXPORT_FORMATS:
        with tempfile.TemporaryDirectory() as directory:
            rows.append(export.try_export(model, format, inputs, directory))
        print(f"  {format}: {export.describe_result(rows[-1])}", flush=True)
    result = {"rows": rows}
    if keras_backend() == "tensorflow":
        # The OpenVINO runtime does not depend on the backend that exported: measure it once.
        with tempfile.TemporaryDirectory() as directory:
            result["openvino_precision"] = export.openvino_precision(model, inputs, directory)
        print(f"  openvino precision: {result['openvino_precision']}", flush=True)
    with open(out_path, "w", encoding="utf-8") as file:
        json.dump(result, file, ensure_ascii=False)


def keras_backend():
    import keras

    return keras.backend.backend()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=pathlib.Path, default=RESULTS)
    parser.add_argument("--worker", metavar="JSON", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    rows, precision = [], None
    with tempfile.TemporaryDirectory() as directory:
        for backend in BACKENDS:
            print(f"{backend}:", flush=True)
            out = os.path.join(directory, f"{backend}.json")
            env = {**os.environ, "KERAS_BACKEND": backend, "OMP_NUM_THREADS": "1"}
            # C-level logs (TensorFlow, XLA, OpenVINO) go to a file, not into the results.
            with open(os.path.join(directory, f"{backend}.log"), "w") as log:
                subprocess.run(
                    [sys.executable, __file__, "--worker", out],
                    env=env,
                    check=True,
                    stderr=log,
                    cwd=ROOT,
                )
            with open(out, encoding="utf-8") as file:
                result = json.load(file)
            rows += result["rows"]
            precision = result.get("openvino_precision", precision)
    results = {
        "command": "benchmarks/export_matrix.py",
        "date_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M"),
        "machine": _machine(),
        "versions": _versions(),
        "rows": rows,
        "openvino_precision": precision,
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    path = args.out_dir / "export_matrix.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
