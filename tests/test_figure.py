"""The figure: faithful by default, every view opt-in."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from support import ORIGINAL_PLOTTED, pixels

import plot_nabla_magnitudes as pnm


def test_the_default_figure_is_pixel_identical_to_the_original(
    original_figure: Figure,
) -> None:
    assert pixels(pnm.make_figure()) == pixels(original_figure)


def test_make_figure_leaves_pyplot_alone() -> None:
    before = plt.get_fignums()
    fig = pnm.make_figure()
    assert plt.get_fignums() == before
    assert fig.canvas.manager is None


def test_a_pyplot_figure_is_one_pyplot_can_show() -> None:
    fig = pnm.make_figure(pyplot=True)
    assert plt.gcf() is fig
    assert pixels(fig) == pixels(pnm.make_figure())


def test_draw_goes_into_any_axes_of_a_grid() -> None:
    fig = Figure()
    left, right = fig.subplots(1, 2)
    pnm.draw(right)
    assert left.get_lines() == []
    assert [list(line.get_ydata()) for line in right.get_lines()] == list(
        ORIGINAL_PLOTTED
    )


def test_log_gives_a_logarithmic_y_axis() -> None:
    (ax,) = pnm.make_figure(log=True).axes
    assert ax.get_yscale() == "log"


def test_the_legend_names_the_mini_batches_upper_left() -> None:
    (ax,) = pnm.make_figure(legend=True).axes
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "mini-batch 7",
        "mini-batch 8",
        "mini-batch 9",
    ]
    ax.figure.draw_without_rendering()
    box, frame = legend.get_window_extent(), ax.get_window_extent()
    assert box.x0 - frame.x0 < 20
    assert frame.y1 - box.y1 < 20


def test_the_log_legend_gives_each_growth_per_layer() -> None:
    (ax,) = pnm.make_figure(log=True, legend=True).axes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        f"mini-batch {b} (\u00d7{pnm.growth_per_layer(b):.1f} per layer)"
        for b in (7, 8, 9)
    ]


def test_every_line_of_a_ten_batch_figure_has_a_colour_of_its_own() -> None:
    (ax,) = pnm.make_figure(range(1, 11)).axes
    lines = ax.get_lines()
    assert [tuple(line.get_ydata()) for line in lines] == [
        pnm.hidden_layer_norms(batch) for batch in range(1, 11)
    ]
    colours = [to_rgba(line.get_color()) for line in lines]
    assert len(set(colours)) == 10


def test_a_style_applies_to_the_figure_only() -> None:
    before = dict(matplotlib.rcParams)
    fig = pnm.make_figure(style="classic")
    assert tuple(fig.get_size_inches()) == (8.0, 6.0)  # classic's figure size
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("batches", [(), (0,), (11,)])
def test_draw_refuses_what_is_not_in_the_record(batches: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        pnm.draw(Figure().add_subplot(), batches)
