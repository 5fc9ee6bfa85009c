"""Every argument of the plotting helpers changes the figure (companion.plotting).

tests/test_plotting.py checks layouts, fonts and errors; these tests check that what a caller
passes (images, titles, class names) is what the figure shows, and that pixel values are drawn
on the fixed 0–1 grey scale, so a dark reconstruction does not look bright.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from companion import plot_generated, plot_latent_space, plot_reconstructions


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _shown(ax):
    (image,) = ax.get_images()
    return np.asarray(image.get_array())


def test_generated_shows_every_image_in_order(rng):
    images = rng.random((5, 4, 4)).astype("float32")
    fig = plot_generated(images, ncols=3, title="생성한 이미지")
    assert fig._suptitle.get_text() == "생성한 이미지"
    for index, ax in enumerate(fig.axes[:5]):
        np.testing.assert_array_equal(_shown(ax), images[index])
    assert [ax.axison for ax in fig.axes] == [True] * 5 + [False]


def test_reconstructions_show_originals_above_their_reconstructions(rng):
    originals, reconstructions = rng.random((6, 9)), rng.random((6, 9))
    fig = plot_reconstructions(originals, reconstructions, n=4, title="제목")
    assert fig._suptitle.get_text() == "제목"
    for column in range(4):
        top, bottom = fig.axes[column], fig.axes[4 + column]
        np.testing.assert_array_equal(_shown(top), originals[column].reshape(3, 3))
        np.testing.assert_array_equal(_shown(bottom), reconstructions[column].reshape(3, 3))


def test_images_use_a_fixed_grey_scale(rng):
    dark = 0.1 * rng.random((3, 16)).astype("float32")
    figures = [plot_generated(dark), plot_reconstructions(dark, dark, n=3)]
    for fig in figures:
        for ax in fig.axes:
            for image in ax.get_images():
                assert image.get_clim() == (0.0, 1.0)
                assert image.get_cmap().name == "gray"


def test_latent_space_uses_title_and_class_names(rng):
    z = rng.normal(size=(30, 2))
    labels = np.arange(30) % 3
    names = ("가", "나", "다")
    fig = plot_latent_space(z, labels, class_names=names, title="세 클래스")
    (ax,) = fig.axes
    assert ax.get_title() == "세 클래스"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == list(names)
    for index, collection in enumerate(ax.collections):
        np.testing.assert_allclose(collection.get_offsets(), z[labels == index])
