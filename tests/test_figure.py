"""The figure: faithful by default, every view opt-in."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import same_color, to_rgba
from matplotlib.figure import Figure
from support import ORIGINAL_PLOTTED, pixels

import plot_nabla_magnitudes as pnm


def test_default_figure_is_pixel_identical_to_the_original(original_figure) -> None:
    assert pixels(pnm.make_figure()) == pixels(original_figure)


def test_the_pixel_comparison_sees_a_difference(original_figure) -> None:
    # Guards the test above: a figure that differs anywhere must not compare equal.
    fig = pnm.make_figure()
    fig.axes[0].lines[1].set_ydata([0.13, 0.44, 1.84, 7.62])
    assert pixels(fig) != pixels(original_figure)


def test_default_figure_structure() -> None:
    fig = pnm.make_figure()
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert len(lines) == 3
    for line, colour, expected in zip(lines, "rgb", ORIGINAL_PLOTTED):
        assert same_color(line.get_color(), colour)
        assert line.get_marker() == "o"
        assert line.get_linestyle() == "-"
        assert list(line.get_xdata()) == [1, 2, 3, 4]
        assert list(line.get_ydata()) == expected
    assert ax.get_xlabel() == "Layer $l$"
    assert ax.get_ylabel() == r"$\Vert\nabla C^l_w\Vert$"
    assert list(ax.get_xticks()) == [1, 2, 3, 4]
    assert ax.get_yscale() == "linear"
    assert ax.get_legend() is None
    assert ax.get_title() == ""
    assert fig.get_figwidth() == matplotlib.rcParams["figure.figsize"][0]
    assert fig.dpi == matplotlib.rcParams["figure.dpi"]


def test_make_figure_leaves_pyplot_alone() -> None:
    before = plt.get_fignums()
    fig = pnm.make_figure()
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before
    assert fig.canvas.manager is None


def test_draw_goes_into_any_axes_of_a_grid(original_figure) -> None:
    fig = Figure()
    left, right = fig.subplots(1, 2)
    pnm.draw(right)
    assert left.get_lines() == []
    assert [list(line.get_ydata()) for line in right.get_lines()] == list(
        ORIGINAL_PLOTTED
    )


def test_log_scale() -> None:
    (ax,) = pnm.make_figure(log=True).axes
    assert ax.get_yscale() == "log"
    assert ax.get_legend() is None


def test_legend_names_the_mini_batches_upper_left() -> None:
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


def test_log_legend_gives_the_growth_per_layer() -> None:
    (ax,) = pnm.make_figure(log=True, legend=True).axes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "mini-batch 7 (\u00d73.9 per layer)",
        "mini-batch 8 (\u00d73.9 per layer)",
        "mini-batch 9 (\u00d74.0 per layer)",
    ]


def test_other_batches_keep_red_green_blue_then_distinct_colours() -> None:
    (ax,) = pnm.make_figure(range(1, 11)).axes
    lines = ax.get_lines()
    assert len(lines) == 10
    colours = [to_rgba(line.get_color()) for line in lines]
    assert colours[:3] == [to_rgba(c) for c in "rgb"]
    assert len(set(colours)) == 10
    cycle = plt.rcParamsDefault["axes.prop_cycle"].by_key()["color"]
    default_cycle = [to_rgba(c) for c in cycle]
    assert all(colour in default_cycle for colour in colours[3:])
    for batch, line in enumerate(lines, start=1):
        assert tuple(line.get_ydata()) == pnm.hidden_layer_norms(batch)


def test_a_style_applies_to_the_figure_only() -> None:
    before = dict(matplotlib.rcParams)
    fig = pnm.make_figure(style="classic")
    assert tuple(fig.get_size_inches()) == (8.0, 6.0)  # classic's figure size
    assert dict(matplotlib.rcParams) == before


def test_the_default_style_differs_from_classic() -> None:
    assert pixels(pnm.make_figure(style="default")) != pixels(
        pnm.make_figure(style="classic")
    )


@pytest.mark.parametrize("batches", [(), (0,), (11,)])
def test_draw_refuses_what_is_not_in_the_record(batches: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        pnm.draw(Figure().add_subplot(), batches)
