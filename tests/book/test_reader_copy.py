"""scripts/reader_copy.py: the copies `make nbval*` runs are what "모두 실행" runs."""

import importlib.util
import pathlib

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
_spec = importlib.util.spec_from_file_location("reader_copy", ROOT / "scripts/reader_copy.py")
reader_copy = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reader_copy)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_copy_skips_no_cell_and_expects_the_waiting_report(path):
    original = nbformat.read(path, as_version=4)
    copy = reader_copy.reader_notebook(path)
    assert len(copy.cells) == len(original.cells)
    for before, after in zip(original.cells, copy.cells, strict=True):
        assert after.source == before.source
        tags = after.metadata.get("tags", [])
        assert not reader_copy.SKIP_TAGS & set(tags), "nbval would skip this cell"
        if not reader_copy.SKIP_TAGS & set(before.metadata.get("tags", [])):
            assert after.get("outputs") == before.get("outputs")
        elif reader_copy.checker_name(before.source):
            (output,) = after.outputs
            assert output.data["text/plain"].startswith("⏳ ")
            assert after.execution_count is not None
        else:
            assert "nbval-ignore-output" in tags


def test_a_checker_that_does_not_wait_for_the_reader_stops_the_copy(monkeypatch):
    import companion

    monkeypatch.setattr(companion, "check_scale_layer", lambda answer: "✅ 통과")
    with pytest.raises(SystemExit, match="should answer with the ⏳ report"):
        reader_copy.waiting_report("check_scale_layer")


def test_only_a_one_line_checker_call_is_a_checker_cell():
    assert reader_copy.checker_name("companion.check_scale_layer(Scale)\n") == "check_scale_layer"
    assert reader_copy.checker_name("x = companion.check_scale_layer(Scale)") is None
    assert reader_copy.checker_name("companion.check_a(A)\ncompanion.check_b(B)") is None


def test_the_copy_goes_outside_the_checkout_into_an_empty_folder(tmp_path):
    with pytest.raises(SystemExit, match="outside the checkout"):
        reader_copy.main([str(ROOT / "_build" / "reader")])
    (tmp_path / "left-over.txt").write_text("x")
    with pytest.raises(SystemExit, match="empty folder"):
        reader_copy.main([str(tmp_path)])
