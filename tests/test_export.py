"""Tests for companion.export: running exported models in their own runtimes, chapter 13's table.

`test_this_backend_matches_the_stored_table` is the drift check of the chapter's table: it tries
every format on the backend of the run (`make unit`, `make test-jax`, `make test-torch`) and
compares works/error type with the package data written by `benchmarks/export_matrix.py`.
"""

import json
import os

import keras
import numpy as np
import pytest
from contract import numpy, raises_naming

import companion
from companion import (
    EXPORT_FORMATS,
    build_export_model,
    find_result,
    format_export_table,
    load_export_results,
    run_exported,
    try_export,
)
from companion.export import describe_result, export_file_name, summarize_error

BACKEND = keras.backend.backend()
INPUTS = np.random.default_rng(1).normal(size=(8, 16)).astype("float32")


def _works_here(format):
    return find_result(load_export_results(), BACKEND, format)["works"]


def test_build_export_model_is_the_same_model_every_time():
    first, second = build_export_model(), build_export_model()
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert [layer.name for layer in first.layers] == [
        "features",
        "hidden",
        "relu",
        "dropout",
        "scores",
    ]
    assert tuple(first(INPUTS[:2]).shape) == (2, 4)
    other = build_export_model(seed=3)
    assert not np.array_equal(other.get_weights()[0], first.get_weights()[0])
    with raises_naming("seed", "0"):
        build_export_model(seed="0")


def test_export_file_names():
    assert export_file_name("litert").endswith(".tflite")
    assert export_file_name("torch").endswith(".pt2")
    assert set(EXPORT_FORMATS) == {"tf_saved_model", "onnx", "litert", "openvino", "torch"}
    with raises_naming("format", "keras"):
        export_file_name("keras")


def test_try_export_round_trips_a_working_format(tmp_path):
    format = "onnx" if BACKEND != "jax" else "tf_saved_model"
    model = build_export_model()
    result = try_export(model, format, INPUTS, tmp_path)
    assert result["works"] and result["error"] is None and result["dynamic_batch"]
    assert result["backend"] == BACKEND and result["max_difference"] < 1e-5
    # The runtime really ran the file: its output, not Keras's, for a new batch.
    received = run_exported(tmp_path / export_file_name(format), format, INPUTS[:3])
    np.testing.assert_allclose(received, numpy(model(INPUTS[:3])), atol=1e-5)


def test_try_export_records_the_error_of_a_format_this_backend_lacks(tmp_path):
    format = "torch" if BACKEND != "torch" else "litert"
    result = try_export(build_export_model(), format, INPUTS, tmp_path)
    assert not result["works"] and result["stage"] == "export"
    assert result["error"].split(":")[0] in {"ValueError", "ImportError"}
    assert str(tmp_path) not in result["error"]


def test_try_export_refuses_too_few_rows(tmp_path):
    with pytest.raises(ValueError, match=r"inputs.shape=\(2, 16\)"):
        try_export(build_export_model(), "onnx", INPUTS[:2], tmp_path)
    with raises_naming("format", "h5"):
        try_export(build_export_model(), "h5", INPUTS, tmp_path)


def test_runners_refuse_non_numeric_inputs(tmp_path):
    with pytest.raises(ValueError, match="inputs.dtype=<U1"):
        companion.run_onnx(tmp_path / "model.onnx", np.array(["a"]))
    with raises_naming("precision", "fp32"):
        companion.run_openvino(tmp_path / "model.xml", INPUTS, precision="fp32")


@pytest.mark.parametrize("format", EXPORT_FORMATS)
def test_this_backend_matches_the_stored_table(format, tmp_path):
    stored = find_result(load_export_results(), BACKEND, format)
    result = try_export(build_export_model(), format, INPUTS, tmp_path)
    assert result["works"] == stored["works"], (result, stored)
    if stored["works"]:
        assert result["max_difference"] < 1e-4
        assert result["dynamic_batch"] == stored["dynamic_batch"]
    else:
        assert result["error"].split(":")[0] == stored["error"].split(":")[0]
        assert result["stage"] == stored["stage"]


def test_the_stored_table_covers_every_backend_and_format():
    results = load_export_results()
    pairs = {(row["backend"], row["format"]) for row in results["rows"]}
    assert pairs == {(b, f) for b in ("tensorflow", "jax", "torch") for f in EXPORT_FORMATS}
    assert results["versions"]["keras"] == keras.__version__
    for row in results["rows"]:
        assert row["works"] == (row["error"] is None)


def test_format_export_table_and_describe_result():
    results = load_export_results()
    table = format_export_table(results)
    for format in EXPORT_FORMATS:
        assert f"[{format}]" in table
    assert table.count("✅") == sum(row["works"] for row in results["rows"])
    ok = {"works": True, "max_difference": 2.4e-7, "dynamic_batch": False, "error": None}
    assert describe_result(ok) == "✅ 최대 차이 2e-07, 배치 고정"
    assert describe_result({"works": False, "error": "ValueError: no"}) == "❌ ValueError: no"
    with pytest.raises(KeyError, match="format='keras'"):
        find_result(results, "jax", "keras")


def test_summarize_error_keeps_the_point_of_the_message(tmp_path):
    header = RuntimeError(
        "Check 'false' failed at src/frontends/x.cpp:151:\nFrontEnd API failed with X:\n"
        "Model wasn't fully converted.\nSummary:\n-- No conversion rule found for operations: Y\n"
    )
    assert summarize_error(header) == "RuntimeError: No conversion rule found for operations: Y"
    path_error = ValueError(f"must end with '.tflite'. Got: {tmp_path}/model")
    assert (
        summarize_error(path_error, tmp_path)
        == "ValueError: must end with '.tflite'. Got: <폴더>/model"
    )
    long = summarize_error(ImportError("word " * 60))
    assert long.endswith(" …") and len(long) < 140


def test_load_export_results_from_a_path_and_bad_files(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"rows": []}))
    assert load_export_results(good) == {"rows": []}
    with pytest.raises(TypeError, match="path=3"):
        load_export_results(3)
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(ValueError, match="JSON이 아닙니다"):
        load_export_results(bad)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"summary": {}}))
    with pytest.raises(ValueError, match="rows가 없습니다"):
        load_export_results(other)


@pytest.mark.tensorflow_only
@pytest.mark.parametrize(
    ("format", "runner"),
    [("tf_saved_model", companion.run_saved_model), ("litert", companion.run_litert)],
)
def test_tensorflow_runtimes_run_the_exported_file(format, runner, tmp_path):
    model = build_export_model()
    path = tmp_path / export_file_name(format)
    model.export(path, format=format, verbose=False)
    for batch in (1, 6):
        received = runner(path, INPUTS[:batch])
        np.testing.assert_allclose(received, numpy(model(INPUTS[:batch])), atol=1e-5)


@pytest.mark.skipif(BACKEND != "torch", reason="format='torch' needs the PyTorch backend")
def test_run_torch_program_runs_the_exported_program(tmp_path):
    model = build_export_model()
    model(INPUTS[:1])
    path = tmp_path / export_file_name("torch")
    model.export(path, format="torch", verbose=False)
    received = companion.run_torch_program(path, INPUTS[:1])
    np.testing.assert_allclose(received, numpy(model(INPUTS[:1])), atol=1e-5)
    with pytest.raises(Exception, match="Guard failed"):
        companion.run_torch_program(path, INPUTS[:5])  # the batch size was fixed at export


def test_openvino_telemetry_is_declined_only_during_the_call(monkeypatch):
    from companion.export import _without_openvino_telemetry

    monkeypatch.delenv("CI", raising=False)
    with _without_openvino_telemetry():
        assert os.environ["CI"] == "true"
    assert "CI" not in os.environ
    monkeypatch.setenv("CI", "false")
    with _without_openvino_telemetry():
        pass
    assert os.environ["CI"] == "false"
