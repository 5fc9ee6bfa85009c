"""The benchmark results shipped in the package are complete, and chapter 10 shows them.

`benchmarks/vae_training.py` writes `companion/benchmark_results/vae_training.json`, package data
installed with `companion`, and chapter 10 reads it with `companion.load_benchmark_results()`
(importlib.resources) and draws it with `companion.plot_benchmark_results()`. It times nothing
itself, so its stored outputs are the same on every backend, and it needs no repository around
it (Colab, the "모두 실행" test's empty folder). These tests check that a rerun left nothing out,
not the timings themselves.
"""

import importlib.util
import json
import pathlib
import tomllib

import pytest

from companion import load_benchmark_results

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "companion" / "benchmark_results"
RESULTS_FILE = RESULTS / "vae_training.json"
CHAPTER = ROOT / "book" / "10_performance.ipynb"


def _benchmark_module():
    spec = importlib.util.spec_from_file_location(
        "vae_training", ROOT / "benchmarks" / "vae_training.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results():
    return load_benchmark_results()


# --- where the results live and how they are read ----------------------------------------------


def test_the_loader_reads_the_packaged_file_from_any_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no repository around: importlib.resources, not a relative path
    assert load_benchmark_results() == json.loads(RESULTS_FILE.read_text(encoding="utf-8"))


def test_the_results_are_package_data_and_the_benchmark_writes_there_by_default():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["companion"]
    assert any(RESULTS_FILE in (ROOT / "companion").glob(pattern) for pattern in patterns)
    bench = _benchmark_module()
    assert bench.RESULTS == RESULTS
    assert bench.build_parser().parse_args([]).out_dir == RESULTS
    assert bench.build_parser().parse_args(["--out-dir", "/tmp/x"]).out_dir == pathlib.Path(
        "/tmp/x"
    )
    # One copy: the old location under benchmarks/ is gone.
    assert not (ROOT / "benchmarks" / "results").exists()


def test_the_loader_reads_another_file_and_refuses_what_is_not_a_result(tmp_path):
    trial = tmp_path / "vae_training.json"
    data = {"images": 6400, "summary": {"rows": []}}
    trial.write_text(json.dumps(data))
    assert load_benchmark_results(trial) == data
    assert load_benchmark_results(str(trial)) == data
    with pytest.raises(FileNotFoundError):
        load_benchmark_results(tmp_path / "missing.json")
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(ValueError, match="JSON이 아닙니다"):
        load_benchmark_results(tmp_path / "broken.json")
    (tmp_path / "other.json").write_text(json.dumps({"rows": []}))
    with pytest.raises(ValueError, match="summary.rows가 없습니다"):
        load_benchmark_results(tmp_path / "other.json")
    with pytest.raises(TypeError, match="받은 값: path=3"):
        load_benchmark_results(3)


# --- the results are complete -----------------------------------------------------------------


def test_every_variant_on_every_backend_was_timed_repeatedly(results):
    bench = _benchmark_module()
    assert results["backends"] == list(bench.BACKENDS)
    assert results["repeats"] >= 3
    assert results["batch_size"] == 64
    assert results["steps_per_epoch"] == -(-results["images"] // 64)
    rows = {(row["backend"], row["name"]): row for row in results["summary"]["rows"]}
    for name, backends, _ in bench.VARIANTS:
        for backend in backends:
            row = rows[(backend, name)]
            if "error" in row:  # a variant a backend refuses is recorded with its error
                continue
            assert len(row["all_seconds"]) == results["repeats"], (backend, name)
            assert row["min"] <= row["seconds_per_epoch"] <= row["max"]
    # The comparisons the chapter makes need these rows on every backend.
    for backend in bench.BACKENDS:
        for name in ("fit", "fit_eager", "fit_jit", "fit_tfdata"):
            assert "seconds_per_epoch" in rows[(backend, name)], (backend, name)
        for name in ("fit_spe32", "fit_tfdata_spe32"):
            if backend == "torch":  # Keras refuses steps_per_execution > 1 on PyTorch
                assert "steps_per_execution" in rows[(backend, name)]["error"]
            else:
                assert "seconds_per_epoch" in rows[(backend, name)], (backend, name)


def test_run_is_dated_and_records_the_machine_load(results):
    assert results["date_utc"][:2] == "20"
    assert len(results["load_average_before"]) == 3 and len(results["load_average_after"]) == 3
    assert results["command"].startswith("python benchmarks/vae_training.py")


def test_floor_and_factor_breakdown_are_present(results):
    summary = results["summary"]
    floor = summary["floor"]
    assert floor["seconds_per_epoch"] > 0 and floor["step_matmul_flops"] > 0
    assert floor["per_backend"]["tensorflow"]["median"] > 0
    assert floor["per_backend"]["jax"]["median"] > 0
    assert summary["best"]["ratio_to_floor"] >= 1.0
    ladder = summary["gap"]["ladder"]
    assert [step["row"] for step in ladder] == [row for row, _ in _benchmark_module().LADDER]
    shares = [step["share_of_gap"] for step in ladder[1:]]
    assert sum(shares) == pytest.approx(1.0)
    total = ladder[-1]["seconds_per_epoch"] - ladder[0]["seconds_per_epoch"]
    assert sum(step["added_seconds"] for step in ladder[1:]) == pytest.approx(total)


def test_same_work_same_first_epoch_loss(results):
    """Every full-epoch VAE variant starts from the same weights and batch order.

    Only the eager rows, timed on 100 steps and scaled, have no first-epoch loss.
    """
    for backend in results["backends"]:
        timed = [
            row
            for row in results["summary"]["rows"]
            if row["backend"] == backend
            and "seconds_per_epoch" in row
            and not row["name"].startswith("mlp")
        ]
        for row in timed:
            assert (row["first_epoch_loss"] is None) == (row["name"] == "fit_eager"), row["name"]
        losses = [row["first_epoch_loss"] for row in timed if row["first_epoch_loss"]]
        assert len(losses) >= 3, (backend, losses)
        assert (max(losses) - min(losses)) / min(losses) < 0.005, (backend, losses)


def _chapter_cells():
    return json.loads(CHAPTER.read_text(encoding="utf-8"))["cells"]


def test_the_chapter_reads_the_package_and_draws_the_figure_from_the_results():
    cells = _chapter_cells()
    sources = ["".join(cell["source"]) for cell in cells]
    code = [s for s, cell in zip(sources, cells, strict=True) if cell["cell_type"] == "code"]
    assert any("companion.load_benchmark_results()" in source for source in code)
    # Nothing read from the repository around the notebook, nothing downloaded.
    assert not any("../" in source or "get_file(" in source for source in code)
    assert any("benchmarks/vae_training.py --repeats 3" in source for source in sources)
    (figure,) = [
        cell
        for cell in cells
        if cell["cell_type"] == "code"
        and "companion.plot_benchmark_results(" in "".join(cell["source"])
    ]
    assert any("image/png" in output.get("data", {}) for output in figure["outputs"])
    assert figure["metadata"]["mystnb"]["image"]["alt"].strip()
    # Timings come from the results file: no cell of the chapter times anything itself.
    summary = next(i for i, source in enumerate(sources) if source.startswith("## 정리"))
    assert not any("perf_counter" in source for source in sources[:summary])
