"""Tests for companion.plotting."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import font_manager

from companion import (
    FASHION_MNIST_CLASS_NAMES,
    plot_generated,
    plot_latent_space,
    plot_reconstructions,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _images(rng, n, shape=(784,)):
    return rng.random((n, *shape)).astype("float32")


def _visible_axes(fig):
    return [ax for ax in fig.axes if ax.axison]


def _render_without_missing_glyphs(fig):
    """Draws the figure with Agg; returns matplotlib's "Glyph ... missing" warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught if "Glyph" in str(w.message)]


@pytest.mark.parametrize("shape", [(784,), (28, 28), (28, 28, 1)])
def test_reconstructions_two_rows_of_n_images(rng, shape):
    originals, reconstructions = _images(rng, 12, shape), _images(rng, 12, shape)
    fig = plot_reconstructions(originals, reconstructions, n=5, title="재구성 결과")
    assert len(fig.axes) == 10
    top, bottom = fig.axes[:5], fig.axes[5:]
    np.testing.assert_array_equal(top[2].get_images()[0].get_array(), originals[2].reshape(28, 28))
    np.testing.assert_array_equal(
        bottom[4].get_images()[0].get_array(), reconstructions[4].reshape(28, 28)
    )
    assert top[0].get_ylabel() == "원본" and bottom[0].get_ylabel() == "재구성"
    assert fig._suptitle.get_text() == "재구성 결과"


def test_generated_images_fill_a_grid_and_hide_empty_cells(rng):
    fig = plot_generated(_images(rng, 10), ncols=4)
    assert len(fig.axes) == 12
    assert len(_visible_axes(fig)) == 10
    assert fig._suptitle.get_text() == "무작위 잠재 벡터에서 만든 이미지"
    # ncols larger than the number of images: a single row.
    assert len(plot_generated(_images(rng, 3), ncols=8).axes) == 3


def test_latent_space_2d_scatter_with_one_legend_entry_per_class(rng):
    z = rng.normal(size=(200, 2))
    labels = np.arange(200) % 10
    fig = plot_latent_space(z, labels)
    (ax,) = fig.axes
    assert len(ax.collections) == 10
    assert [text.get_text() for text in ax.get_legend().get_texts()] == list(
        FASHION_MNIST_CLASS_NAMES
    )
    np.testing.assert_allclose(ax.collections[3].get_offsets(), z[labels == 3])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("z[0]", "z[1]")


def test_latent_space_projects_higher_dimensions_with_pca(rng):
    # Points spread mostly along one direction of a 5-D space.
    direction = np.array([1.0, 2.0, 0.0, -1.0, 0.5])
    direction /= np.linalg.norm(direction)
    z = np.outer(rng.normal(scale=5.0, size=300), direction) + rng.normal(scale=0.1, size=(300, 5))
    labels = rng.integers(0, 3, size=300)
    fig = plot_latent_space(z, labels, class_names=("가", "나", "다"), title="투영")
    (ax,) = fig.axes
    assert ax.get_xlabel() == "주성분 1 (5차원에서 PCA로 투영)"
    assert ax.get_ylabel() == "주성분 2 (5차원에서 PCA로 투영)"
    points = np.concatenate([c.get_offsets() for c in ax.collections])
    assert points.shape == (300, 2)
    # The first axis carries almost all of the variance.
    assert points[:, 0].var() > 100 * points[:, 1].var()
    # ... and is the main direction itself (up to sign): compare with the known projection.
    centered = np.concatenate([z[labels == k] for k in range(3)]) - z.mean(axis=0)
    np.testing.assert_allclose(np.abs(points[:, 0]), np.abs(centered @ direction), atol=0.3)


def test_korean_text_uses_nanum_gothic_and_renders_without_missing_glyphs(rng):
    fig = plot_reconstructions(_images(rng, 3), _images(rng, 3), n=3, title="원본과 재구성 — 한글")
    font_path = font_manager.findfont(fig._suptitle.get_fontproperties())
    assert font_path.endswith("NanumGothic.ttf")
    assert _render_without_missing_glyphs(fig) == []

    fig = plot_latent_space(rng.normal(size=(50, 2)), np.arange(50) % 10, title="잠재 공간")
    assert _render_without_missing_glyphs(fig) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: plot_reconstructions(_images(r, 4), _images(r, 4), n=0), "받은 값: n=0"),
        (lambda r: plot_reconstructions(_images(r, 4), _images(r, 4), n=5), r"이미지 수\(4\) 이하"),
        (
            lambda r: plot_reconstructions(_images(r, 4), _images(r, 3)),
            "originals와 reconstructions는 모양이 같아야 합니다",
        ),
        (
            lambda r: plot_reconstructions(_images(r, 4, (10,)), _images(r, 4, (10,)), n=2),
            r"originals의 펼친 길이는 제곱수여야 합니다.*originals.shape=\(4, 10\)",
        ),
        (lambda r: plot_generated(_images(r, 4), ncols=0), "받은 값: ncols=0"),
        (lambda r: plot_generated(np.zeros((0, 784))), "images에 이미지가 없습니다"),
        (lambda r: plot_generated(np.zeros(784)), r"받은 모양: images.shape=\(784,\)"),
        (lambda r: plot_latent_space(np.zeros((5, 1)), np.zeros(5, int)), "latent_dim이 2 이상"),
        (
            lambda r: plot_latent_space(np.zeros((5, 2)), np.zeros(4, int)),
            r"labels.shape=\(4,\), z.shape=\(5, 2\)",
        ),
        (
            lambda r: plot_latent_space(np.zeros((3, 2)), np.array([0, 1, 10])),
            "labels의 값은 0 이상 10 미만이어야 합니다",
        ),
        (
            lambda r: plot_latent_space(np.zeros((2, 2)), np.array([0.0, 1.0])),
            "labels는 정수 레이블이어야 합니다",
        ),
        (
            lambda r: plot_latent_space(np.zeros((2, 2)), np.array([0, 1]), class_names=()),
            "class_names가 비어 있습니다",
        ),
    ],
)
def test_bad_inputs(rng, call, message):
    with pytest.raises(ValueError, match=message):
        call(rng)


def test_use_korean_font_registers_the_bundled_nanum_gothic_without_changing_defaults():
    import matplotlib
    from matplotlib import font_manager

    from companion.plotting import KOREAN_FONT_FAMILY, use_korean_font

    before = dict(matplotlib.rcParams)
    paths = use_korean_font()
    assert any(path.endswith("NanumGothic.ttf") for path in paths)
    resolved = font_manager.findfont(KOREAN_FONT_FAMILY, fallback_to_default=False)
    assert resolved.endswith(".ttf") and "NanumGothic" in resolved
    assert dict(matplotlib.rcParams) == before


def test_plotting_changes_no_global_matplotlib_setting(rng):
    import matplotlib

    before = dict(matplotlib.rcParams)
    plot_reconstructions(_images(rng, 3), _images(rng, 3), n=3).canvas.draw()
    plot_generated(_images(rng, 3)).canvas.draw()
    plot_latent_space(rng.normal(size=(20, 2)), np.arange(20) % 10).canvas.draw()
    assert dict(matplotlib.rcParams) == before
