"""The committed benchmark results (benchmarks/results/) are complete and chapter 10 shows them.

Chapter 10 prints its table, ratios and figure from these files instead of timing anything, so
its stored outputs are the same on every backend. These tests check that a rerun of
`benchmarks/vae_training.py` left nothing out, not the timings themselves.
"""

import importlib.util
import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
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
    return json.loads((RESULTS / "vae_training.json").read_text())


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


def test_plot_exists_and_the_chapter_shows_it_with_the_command():
    png = RESULTS / "vae_training.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    cells = json.loads(CHAPTER.read_text())["cells"]
    sources = ["".join(cell["source"]) for cell in cells]
    assert any("vae_training.png" in source for source in sources)
    assert any("benchmarks/vae_training.py --repeats 3" in source for source in sources)
    shown = [
        cell
        for cell in cells
        if "vae_training.png" in "".join(cell["source"]) and cell["cell_type"] == "code"
    ]
    assert any(
        "image/png" in output.get("data", {}) for cell in shown for output in cell["outputs"]
    )
    # Timings come from the results file: no cell of the chapter times anything itself.
    summary = next(i for i, source in enumerate(sources) if source.startswith("## 정리"))
    assert not any("perf_counter" in source for source in sources[:summary])
