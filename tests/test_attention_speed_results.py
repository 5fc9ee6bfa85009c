"""The attention benchmark's results shipped in the package are complete and readable.

`benchmarks/attention_speed.py` writes `companion/benchmark_results/attention_speed.json`
(package data) and chapter 11 reads it with `companion.load_attention_speed_results()`. These
tests check that a rerun left nothing out and that the ratios are what the rows say, not the
timings themselves (the benchmark is not a timed test).
"""

import importlib.util
import json
import pathlib
import statistics

import pytest

from companion import load_attention_speed_results

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS_FILE = ROOT / "companion" / "benchmark_results" / "attention_speed.json"


def _benchmark_module():
    spec = importlib.util.spec_from_file_location(
        "attention_speed", ROOT / "benchmarks" / "attention_speed.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results():
    return load_attention_speed_results()


def test_the_loader_reads_the_packaged_file_from_any_folder(monkeypatch, tmp_path, results):
    monkeypatch.chdir(tmp_path)
    assert load_attention_speed_results() == json.loads(RESULTS_FILE.read_text(encoding="utf-8"))
    bench = _benchmark_module()
    assert bench.RESULTS / bench.RESULTS_NAME == RESULTS_FILE
    assert bench.build_parser().parse_args([]).out_dir == bench.RESULTS


def test_the_loader_refuses_what_is_not_this_benchmark(tmp_path):
    (tmp_path / "vae.json").write_text(json.dumps({"summary": {"rows": [{"name": "fit"}]}}))
    with pytest.raises(ValueError, match="ratio_to_keras_mha가 없습니다"):
        load_attention_speed_results(tmp_path / "vae.json")
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(ValueError, match="JSON이 아닙니다"):
        load_attention_speed_results(tmp_path / "broken.json")
    with pytest.raises(FileNotFoundError):
        load_attention_speed_results(tmp_path / "missing.json")
    with pytest.raises(TypeError, match="받은 값: path=3"):
        load_attention_speed_results(3)


def test_every_backend_variant_and_length_was_timed(results):
    bench = _benchmark_module()
    assert results["backends"] == list(bench.BACKENDS)
    assert results["lengths"] == list(bench.LENGTHS) and len(results["lengths"]) == 2
    expected = {
        (backend, name, length)
        for backend in bench.BACKENDS
        for name, _ in bench.VARIANTS
        for length in bench.LENGTHS
    }
    rows = results["summary"]["rows"]
    assert {(r["backend"], r["variant"], r["length"]) for r in rows} == expected
    assert len(rows) == len(expected)
    for row in rows:
        assert len(row["all_seconds"]) == results["repeats"]
        assert row["min"] <= row["seconds_per_call"] <= row["max"]
        assert row["seconds_per_call"] == statistics.median(row["all_seconds"])


def test_ratios_are_to_keras_in_the_same_backend_and_length(results):
    rows = {(r["backend"], r["variant"], r["length"]): r for r in results["summary"]["rows"]}
    for (backend, _, length), row in rows.items():
        baseline = rows[(backend, "keras_mha", length)]["seconds_per_call"]
        assert row["ratio_to_keras_mha"] == pytest.approx(row["seconds_per_call"] / baseline)
    assert all(rows[(b, "keras_mha", n)]["ratio_to_keras_mha"] == 1.0 for b, _, n in rows)


def test_the_torch_worker_records_its_thread_count(results):
    bench = _benchmark_module()
    assert (
        results["workers"]["torch"]["threads"] == bench.build_parser().parse_args([]).torch_threads
    )


def test_the_three_variants_computed_the_same_values(results):
    for worker in results["workers"].values():
        for differences in worker["max_abs_difference_to_keras_mha"].values():
            assert max(differences.values()) < 1e-4, differences
