"""13장의 내보내기 도구: 내보낸 모델을 그 형식의 런타임에서 실행하고, 백엔드×형식 결과를 읽습니다.

`model.export(path, format=...)`가 쓰는 형식마다, 그 파일을 Keras 없이 불러 실행하는 가장
짧은 코드가 함수 하나씩에 들어 있습니다 (`run_saved_model`, `run_onnx`, `run_litert`,
`run_openvino`, `run_torch_program`). `try_export()`는 내보내기와 다시 실행하기를 한 번에
해 보고 결과(됨/오류, Keras와의 최대 차이)를 딕셔너리로 돌려줍니다.

세 백엔드 모두의 결과표는 `benchmarks/export_matrix.py`(저장소에만 있는 스크립트)가 백엔드마다
새 프로세스에서 `try_export()`를 불러 만들고, 패키지 데이터
`companion/benchmark_results/export_matrix.json`에 씁니다. `load_export_results()`가 그것을
읽고 `format_export_table()`이 표로 씁니다.

각 런타임(`tensorflow`, `onnxruntime`, `ai-edge-litert`, `openvino`, `torch`)은 선택
의존성이라, 그 형식을 실행할 때 처음 읽어 들입니다. 없으면 설치할 패키지를 알려 줍니다.
"""

import contextlib
import importlib.resources
import io
import json
import logging
import os
import re
import time
import warnings

import numpy as np

from companion._validation import check_choice, require_module
from companion.benchmarks import RESULTS_DIRECTORY

#: `model.export()`가 받는 형식, 13장의 표에 나오는 순서.
EXPORT_FORMATS = ("tf_saved_model", "onnx", "litert", "openvino", "torch")
#: 형식마다 내보낼 파일(또는 폴더) 이름. Keras는 LiteRT에 `.tflite`, PyTorch에 `.pt2`를 요구합니다.
FILE_NAMES = {
    "tf_saved_model": "saved_model",
    "onnx": "model.onnx",
    "litert": "model.tflite",
    "openvino": "model.xml",
    "torch": "model.pt2",
}
#: 13장의 백엔드×형식 결과 파일 이름.
EXPORT_RESULTS = "export_matrix.json"
#: 표의 오류 칸에 쓰는 글자 수의 상한.
ERROR_SUMMARY_LENGTH = 110


def export_file_name(format):
    """`format`으로 내보낼 때 쓸 파일 이름을 돌려줍니다.

    Raises:
        ValueError: `format`이 `EXPORT_FORMATS`에 없을 때.
    """
    return FILE_NAMES[check_choice("format", format, EXPORT_FORMATS)]


def _as_array(inputs):
    array = np.asarray(inputs)
    if not np.issubdtype(array.dtype, np.number) or array.ndim < 1:
        raise ValueError(
            "inputs는 수로 된 NumPy 배열(배치 축이 있는)이어야 합니다. "
            f"받은 값: inputs.dtype={array.dtype}, inputs.ndim={array.ndim}"
        )
    return array


def run_saved_model(path, inputs, endpoint="serve"):
    """TensorFlow SavedModel을 `tf.saved_model.load`로 불러 `endpoint`를 실행합니다."""
    inputs = _as_array(inputs)
    tf = require_module("tensorflow", "tensorflow-cpu", "run_saved_model()")
    artifact = tf.saved_model.load(os.fspath(path))
    return np.asarray(getattr(artifact, endpoint)(tf.constant(inputs)))


def run_onnx(path, inputs):
    """ONNX 파일을 ONNX Runtime의 `InferenceSession`으로 실행합니다."""
    inputs = _as_array(inputs)
    ort = require_module("onnxruntime", "onnxruntime", "run_onnx()")
    session = ort.InferenceSession(os.fspath(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: inputs})[0]


def run_litert(path, inputs):
    """`.tflite` 파일을 LiteRT의 `Interpreter`로 실행합니다 (입력 크기를 배치에 맞춥니다)."""
    litert = require_module("ai_edge_litert.interpreter", "ai-edge-litert", "run_litert()")
    inputs = _as_array(inputs)
    interpreter = litert.Interpreter(model_path=os.fspath(path))
    index = interpreter.get_input_details()[0]["index"]
    interpreter.resize_tensor_input(index, inputs.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(index, inputs)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def run_openvino(path, inputs, precision="f32"):
    """OpenVINO IR(`.xml`)을 CPU에서 실행합니다.

    `precision`은 OpenVINO의 `INFERENCE_PRECISION_HINT`입니다. OpenVINO는 bfloat16 연산을
    지원하는 CPU에서 기본으로 `"bf16"`으로 계산하므로, Keras와 같은 값을 얻으려면 `"f32"`를
    줍니다. `None`이면 OpenVINO의 기본값을 그대로 씁니다. 실행하는 동안 OpenVINO의 사용 통계
    전송(`openvino-telemetry`)은 끕니다.
    """
    inputs = _as_array(inputs)
    check_choice("precision", precision, ("f32", "bf16", None))
    ov = require_module("openvino", "openvino", "run_openvino()")
    config = {} if precision is None else {"INFERENCE_PRECISION_HINT": precision}
    with _without_openvino_telemetry():
        compiled = ov.Core().compile_model(os.fspath(path), "CPU", config)
        return np.asarray(compiled(inputs)[0])


def run_torch_program(path, inputs):
    """`.pt2` 파일을 `torch.export.load`로 불러 그 모듈을 실행합니다."""
    inputs = _as_array(inputs)
    torch = require_module("torch", "torch", "run_torch_program()")
    module = torch.export.load(os.fspath(path)).module()
    with torch.no_grad():
        return module(torch.from_numpy(inputs)).numpy()


_RUNNERS = {
    "tf_saved_model": run_saved_model,
    "onnx": run_onnx,
    "litert": run_litert,
    "openvino": run_openvino,
    "torch": run_torch_program,
}


def run_exported(path, format, inputs):
    """`format`으로 내보낸 `path`를 그 형식의 런타임에서 `inputs`로 실행해 배열로 돌려줍니다."""
    return _RUNNERS[check_choice("format", format, EXPORT_FORMATS)](path, inputs)


def summarize_error(error, directory=None):
    """예외를 `"형식: 메시지의 요점"` 한 줄로 줄입니다 (표의 칸에 쓰는 글).

    메시지에서 요점이 든 첫 줄을 고르고 (OpenVINO가 앞에 붙이는 `Check 'false' failed at …`
    같은 머리 줄은 건너뜁니다), `directory`(내보낸 폴더)의 경로는 `<폴더>`로 바꾸고,
    `ERROR_SUMMARY_LENGTH` 글자에서 낱말 경계로 자릅니다.
    """
    message = str(error)
    if directory is not None:
        message = message.replace(os.fspath(directory), "<폴더>")
    message = re.sub(r"\x1b\[[0-9;]*m", "", message)  # Keras's bold markers
    header = re.compile(r"^(Check '.*' failed at|FrontEnd API failed|Model wasn't|Summary:)")
    lines = [line.strip(" -") for line in message.splitlines()]
    lines = [line for line in lines if line and not header.match(line)]
    text = lines[0] if lines else repr(message)
    if len(text) > ERROR_SUMMARY_LENGTH:
        text = text[:ERROR_SUMMARY_LENGTH].rsplit(" ", 1)[0] + " …"
    return f"{type(error).__name__}: {text}"


def try_export(model, format, inputs, directory, batch_sizes=(1, 5)):
    """`model`을 `format`으로 내보내고, 그 런타임에서 다시 실행해 Keras와 비교합니다.

    내보낼 때 나오는 경고와 진행 메시지는 숨깁니다 (결과만 돌려줍니다). 모델은 내보내기 전에
    한 번 호출합니다 (PyTorch 백엔드는 한 번도 호출되지 않은 모델을 내보내지 않습니다). 배치
    크기를 바꿔 가며(`batch_sizes`) 실행해 배치 축이 동적인지도 봅니다: 입력 모양을 주지 않고
    내보내면 PyTorch 백엔드의 몇 형식은 배치 크기를 1로 고정합니다.

    Args:
        model: 만들어진(built) Keras 모델.
        format: `EXPORT_FORMATS` 중 하나.
        inputs: 배치 축이 있는 NumPy 배열. 앞에서부터 `batch_sizes`개씩 잘라 씁니다.
        directory: 내보낸 파일을 쓸 폴더.
        batch_sizes: 차례로 실행해 볼 배치 크기들. 첫 번째가 실행되어야 `"works"`입니다.

    Returns:
        딕셔너리: `"backend"`, `"format"`, `"works"`(내보내기와 첫 배치 실행이 모두 되었나),
        `"error"`(안 되었을 때 `summarize_error()`의 글, 되었으면 `None`), `"stage"`(오류가
        난 단계: `"export"`/`"run"`), `"max_difference"`(실행된 배치들에서 Keras 출력과의
        최대 절대 차이), `"dynamic_batch"`(나머지 배치 크기도 실행되었나),
        `"seconds"`(내보내기에 걸린 초).
    """
    import keras

    check_choice("format", format, EXPORT_FORMATS)
    inputs = _as_array(inputs)
    if inputs.shape[0] < max(batch_sizes):
        raise ValueError(
            f"inputs의 배치가 batch_sizes의 최댓값보다 작습니다. 받은 값: "
            f"inputs.shape={inputs.shape}, batch_sizes={tuple(batch_sizes)}"
        )
    path = os.path.join(os.fspath(directory), export_file_name(format))
    result = {"backend": keras.backend.backend(), "format": format, "works": False}
    result.update(error=None, stage=None, max_difference=None, dynamic_batch=None, seconds=None)
    # Called once first, as after training: on PyTorch, export refuses a model never called.
    expected = keras.ops.convert_to_numpy(model(inputs, training=False))
    start = time.perf_counter()
    try:
        with _quiet(), _without_openvino_telemetry():
            model.export(path, format=format, verbose=False)
    except Exception as error:  # noqa: BLE001 - the table records every kind of failure
        result.update(error=summarize_error(error, directory), stage="export")
        return result
    result["seconds"] = round(time.perf_counter() - start, 2)
    differences = []
    for size in batch_sizes:
        try:
            with _quiet():
                received = run_exported(path, format, inputs[:size])
        except Exception as error:  # noqa: BLE001
            if not differences:
                result.update(error=summarize_error(error, directory), stage="run")
                return result
            result["dynamic_batch"] = False
            break
        differences.append(float(np.max(np.abs(received - expected[:size]))))
    else:
        result["dynamic_batch"] = len(batch_sizes) > 1
    result["works"] = True
    result["max_difference"] = max(differences)
    return result


def openvino_precision(model, inputs, directory):
    """OpenVINO로 내보낸 `model`을 기본 정밀도와 `"f32"`로 실행해 Keras와 비교합니다.

    OpenVINO의 CPU 플러그인은 CPU가 bfloat16 연산(`OPTIMIZATION_CAPABILITIES`의 `"BF16"`)을
    지원하면 `INFERENCE_PRECISION_HINT`의 기본값을 bfloat16으로 둡니다. 그러면 float32로 훈련한
    모델의 출력이 소수 셋째 자리쯤에서 달라집니다.

    Returns:
        딕셔너리: `"cpu_has_bf16"`, `"default_precision"`(기본 정밀도의 이름, 예: `"bf16"`),
        `"default_max_difference"`, `"f32_max_difference"`(Keras 출력과의 최대 절대 차이).
    """
    import keras

    ov = require_module("openvino", "openvino", "openvino_precision()")
    inputs = _as_array(inputs)
    path = os.path.join(os.fspath(directory), export_file_name("openvino"))
    with _quiet(), _without_openvino_telemetry():
        model.export(path, format="openvino", verbose=False)
        core = ov.Core()
        default = core.compile_model(path, "CPU").get_property("INFERENCE_PRECISION_HINT")
    expected = keras.ops.convert_to_numpy(model(inputs, training=False))
    return {
        "cpu_has_bf16": "BF16" in core.get_property("CPU", "OPTIMIZATION_CAPABILITIES"),
        "default_precision": default.to_string(),
        "default_max_difference": float(
            np.max(np.abs(run_openvino(path, inputs, precision=None) - expected))
        ),
        "f32_max_difference": float(np.max(np.abs(run_openvino(path, inputs) - expected))),
    }


@contextlib.contextmanager
def _without_openvino_telemetry():
    """Declines OpenVINO's usage telemetry while the converter and the runtime run.

    `openvino-telemetry` sends usage data to Intel from a forked process unless the user opted
    out (`opt_in_out --opt_out`) or the run is a CI job (`CI=true`), and under JAX that fork warns
    into whichever notebook cell runs next. The telemetry singleton reads `CI` each time OpenVINO
    initializes it (on import and at every conversion), so setting it for the call is enough.
    """
    previous = os.environ.get("CI")
    os.environ["CI"] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["CI"]
        else:
            os.environ["CI"] = previous


@contextlib.contextmanager
def _quiet():
    """Exporters warn, print and log (tf2onnx, torch.jit's tracer, absl when TensorFlow loads a
    JAX-made SavedModel): keep the table's cell clean."""
    loggers = [logging.getLogger(name) for name in ("absl", "tensorflow")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        # stderr too: OpenVINO's converter forks, and under JAX that warns (os.fork() with
        # threads) even inside catch_warnings.
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def load_export_results(path=None):
    """`benchmarks/export_matrix.py`가 쓴 백엔드×형식 결과(JSON)를 읽습니다.

    Args:
        path: 다른 결과 파일의 경로. `None`(기본값)이면 패키지에 든
            `companion/benchmark_results/export_matrix.json`을 읽습니다.

    Returns:
        딕셔너리. `"rows"`는 `try_export()`의 결과를 백엔드마다 형식 순서대로 모은 리스트이고,
        `"versions"`는 잰 때의 패키지 버전, `"machine"`은 CPU 설명입니다.

    Raises:
        TypeError: `path`가 경로가 아닐 때.
        ValueError: 파일이 JSON이 아니거나 `"rows"`가 없을 때.
    """
    if path is None:
        resource = importlib.resources.files("companion") / RESULTS_DIRECTORY / EXPORT_RESULTS
        where = f"companion/{RESULTS_DIRECTORY}/{EXPORT_RESULTS}"
        text = resource.read_text(encoding="utf-8")
    else:
        if not isinstance(path, str | os.PathLike):
            raise TypeError(
                f"path는 결과 파일의 경로(str 또는 pathlib.Path)여야 합니다. 받은 값: path={path!r}"
            )
        where = os.fspath(path)
        with open(path, encoding="utf-8") as file:
            text = file.read()
    try:
        results = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"내보내기 결과 파일이 JSON이 아닙니다: {where} ({error})") from None
    if not isinstance(results, dict) or not isinstance(results.get("rows"), list):
        raise ValueError(
            f"benchmarks/export_matrix.py가 쓴 결과 파일이 아닙니다 (rows가 없습니다): {where}"
        )
    return results


def find_result(results, backend, format):
    """결과에서 `backend`와 `format`의 행을 찾습니다.

    Raises:
        KeyError: 그런 행이 없을 때.
    """
    for row in results["rows"]:
        if row["backend"] == backend and row["format"] == format:
            return row
    raise KeyError(f"결과에 backend={backend!r}, format={format!r}의 행이 없습니다.")


def describe_result(row):
    """결과 한 행을 표의 칸 하나로 씁니다: `"✅ 최대 차이 2e-07"` 또는 `"❌ 오류 요약"`."""
    if row["works"]:
        batch = "" if row["dynamic_batch"] else ", 배치 고정"
        return f"✅ 최대 차이 {row['max_difference']:.0e}{batch}"
    return f"❌ {row['error']}"


def format_export_table(results):
    """백엔드×형식 결과를 형식마다 한 덩어리, 백엔드마다 한 줄로 씁니다."""
    lines = []
    backends = list(dict.fromkeys(row["backend"] for row in results["rows"]))
    for format in EXPORT_FORMATS:
        lines.append(f"[{format}]")
        for backend in backends:
            try:
                row = find_result(results, backend, format)
            except KeyError:
                continue
            lines.append(f"  {backend:<10} {describe_result(row)}")
    return "\n".join(lines)


def build_export_model(seed=None):
    """13장이 내보내는 작은 분류 모델: `Linear(32)` → ReLU → `CustomDropout(0.25)` → `Linear(4)`.

    가중치는 NumPy 난수(`seed`, 기본값 `companion.SEED`)로 채우므로 어느 백엔드에서나 같은
    모델입니다. 입력은 길이 16의 특성 벡터(`name="features"`), 출력은 점수 4개입니다.

    Raises:
        ValueError: `seed`가 정수나 `None`이 아닐 때.
    """
    import keras

    from companion._validation import check_seed
    from companion.layers.custom_dropout import CustomDropout
    from companion.layers.linear import Linear
    from companion.settings import SEED

    seed = check_seed(seed)
    seed = SEED if seed is None else seed
    features = keras.Input((16,), name="features")
    x = Linear(32, name="hidden")(features)
    x = keras.layers.Activation("relu", name="relu")(x)
    x = CustomDropout(0.25, seed=seed, name="dropout")(x)
    scores = Linear(4, name="scores")(x)
    model = keras.Model(features, scores, name="export_demo")
    rng = np.random.default_rng(seed)
    for layer in (model.get_layer("hidden"), model.get_layer("scores")):
        layer.set_weights(
            [rng.normal(0, 0.5, size=w.shape).astype("float32") for w in layer.weights]
        )
    return model
