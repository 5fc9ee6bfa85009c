"""companion.plot_benchmark_results draws what the benchmark results say (chapter 10's figure).

Every timed row is one dot at its median with a whisker from its minimum to its maximum, on the
row of its Korean label (the labels chapter 10's table prints), coloured by backend with one
legend entry per backend; rows a backend refused are written as "잴 수 없음"; the dashed line is
the floor.
"""

import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import font_manager

from companion import load_benchmark_results, plot_benchmark_results
from companion.plotting import BACKEND_NAMES

FLOOR_LABEL = "계산 하한 (행렬 곱만)"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def shipped():
    return load_benchmark_results()


def _row(name, backend, label, median, low, high):
    return {
        "name": name,
        "backend": backend,
        "label": label,
        "seconds_per_epoch": median,
        "min": low,
        "max": high,
    }


def _small_results():
    rows = [
        _row("a", "tensorflow", "가 변형", 2.0, 1.5, 3.0),
        _row("a", "jax", "가 변형", 0.5, 0.4, 0.8),
        _row("b", "tensorflow", "나 변형", 1.0, 0.9, 1.2),
        {"name": "b", "backend": "jax", "label": "나 변형", "error": "ValueError: no"},
    ]
    return {
        "images": 6400,
        "batch_size": 64,
        "backends": ["tensorflow", "jax"],
        "summary": {"rows": rows, "floor": {"seconds_per_epoch": 0.25}},
    }


def _dots(ax):
    """{legend label: (x of the dots, y of the dots, [(whisker left, whisker right), ...])}."""
    drawn = {}
    for container in ax.containers:
        line, _, (whiskers,) = container.lines
        extents = [tuple(segment[:, 0]) for segment in whiskers.get_segments()]
        x, y = (np.asarray(values, dtype=float) for values in line.get_data())
        drawn[container.get_label()] = (x, y, extents)
    return drawn


def _labels(ax):
    return [tick.get_text() for tick in ax.get_yticklabels()]


def test_each_timed_row_is_a_dot_at_its_median_with_min_max_whiskers(shipped):
    fig = plot_benchmark_results(shipped)
    (ax,) = fig.axes
    drawn = _dots(ax)
    labels = _labels(ax)
    timed = [row for row in shipped["summary"]["rows"] if "seconds_per_epoch" in row]
    assert sum(len(x) for x, _, _ in drawn.values()) == len(timed)
    for backend in shipped["backends"]:
        mine = [row for row in timed if row["backend"] == backend]
        x, y, extents = drawn[BACKEND_NAMES[backend]]
        np.testing.assert_allclose(x, [row["seconds_per_epoch"] for row in mine])
        np.testing.assert_allclose(extents, [(row["min"], row["max"]) for row in mine])
        # Each dot sits on the row of its own variant (offset a little per backend).
        assert [labels[int(round(value))] for value in y] == [row["label"] for row in mine]
        assert np.all(np.abs(y - np.round(y)) < 0.4)


def test_rows_carry_the_tables_korean_labels_and_the_legend_names_the_backends(shipped):
    fig = plot_benchmark_results(shipped)
    (ax,) = fig.axes
    in_table_order = list(dict.fromkeys(row["label"] for row in shipped["summary"]["rows"]))
    assert _labels(ax) == in_table_order
    names = {row["name"] for row in shipped["summary"]["rows"]}
    assert not names & set(_labels(ax)), "internal row ids must not label the rows"
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["TensorFlow", "JAX", "PyTorch", FLOOR_LABEL]
    # The first row of the table is on top.
    bottom, top = ax.get_ylim()
    assert top < bottom


def test_floor_line_log_axis_and_refused_rows(shipped):
    fig = plot_benchmark_results(shipped)
    (ax,) = fig.axes
    assert ax.get_xscale() == "log"
    (floor,) = [line for line in ax.get_lines() if line.get_label() == FLOOR_LABEL]
    assert floor.get_xdata()[0] == pytest.approx(shipped["summary"]["floor"]["seconds_per_epoch"])
    refused = [row for row in shipped["summary"]["rows"] if "seconds_per_epoch" not in row]
    assert refused, "the shipped results hold PyTorch's refused steps_per_execution rows"
    texts = [text for text in ax.texts if text.get_text().endswith("잴 수 없음")]
    labels = _labels(ax)
    assert [labels[int(round(text.get_position()[1]))] for text in texts] == [
        row["label"] for row in refused
    ]
    assert all(text.get_text() == "PyTorch: 잴 수 없음" for text in texts)


def test_small_results_exactly():
    fig = plot_benchmark_results(_small_results(), title="작은 결과")
    (ax,) = fig.axes
    assert ax.get_title() == "작은 결과"
    assert _labels(ax) == ["가 변형", "나 변형"]
    drawn = _dots(ax)
    assert set(drawn) == {"TensorFlow", "JAX"}
    x, y, extents = drawn["TensorFlow"]
    np.testing.assert_allclose(x, [2.0, 1.0])
    assert extents == [(1.5, 3.0), (0.9, 1.2)]
    np.testing.assert_allclose(np.round(y), [0, 1])
    tensorflow_y = y
    x, y, extents = drawn["JAX"]
    np.testing.assert_allclose(x, [0.5])
    assert extents == [(0.4, 0.8)]
    # Two backends on one row are side by side, not on top of each other.
    assert round(y[0]) == 0 and y[0] != tensorflow_y[0]
    (text,) = ax.texts
    assert text.get_text() == "JAX: 잴 수 없음" and round(text.get_position()[1]) == 1
    # Nothing is cut off: the whole range and the floor are inside the axis.
    low, high = ax.get_xlim()
    assert low < 0.25 and high > 3.0


def test_default_title_names_images_and_batch(shipped):
    fig = plot_benchmark_results(shipped)
    title = fig.axes[0].get_title()
    assert f"{shipped['images']:,}장" in title and f"배치 {shipped['batch_size']}" in title


def test_korean_text_renders_in_nanum_gothic_without_changing_global_settings(shipped):
    before = dict(matplotlib.rcParams)
    fig = plot_benchmark_results(shipped)
    (ax,) = fig.axes
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []
    for text in (ax.title, ax.xaxis.label, *ax.get_yticklabels()):
        assert font_manager.findfont(text.get_fontproperties()).endswith("NanumGothic.ttf")
    assert "에포크당 초" in ax.get_xlabel() and "로그 눈금" in ax.get_xlabel()
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize(
    ("results", "message"),
    [
        ({}, "summary.rows가 있는 딕셔너리"),
        ([1, 2], "받은 값의 자료형: list"),
        (
            {"summary": {"rows": [{"name": "a", "backend": "jax", "label": "가", "error": "x"}]}},
            "잰 변형이 하나도 없습니다",
        ),
    ],
)
def test_bad_results(results, message):
    with pytest.raises(ValueError, match=message):
        plot_benchmark_results(results)
