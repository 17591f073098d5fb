"""The figure: faithful by default, every view opt-in."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.style
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.transforms import Bbox
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
    assert plt.gcf() is fig  # what it shows, the window tests compare


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


def colours(
    batches: Iterable[int] = pnm.REPRESENTATIVE_BATCHES, style: str | None = None
) -> dict[int, tuple[float, ...]]:
    """Each mini-batch's colour, as drawn in *style*."""
    with matplotlib.style.context(style or {}):
        ax = Figure().add_subplot()
        pnm.draw(ax, batches)
    return {
        int(line.get_label().split()[1]): to_rgba(line.get_color())
        for line in ax.get_lines()
    }


# Styles with the default cycle, with classic's, with one of their own (a
# long one, a colour-blind-safe one of six, and four greys).
STYLES = [None, "classic", "dark_background", "seaborn-v0_8-colorblind", "grayscale"]


@pytest.mark.parametrize("style", STYLES)
def test_every_line_of_a_ten_batch_figure_has_a_colour_of_its_own(
    style: str | None,
) -> None:
    assert len(set(colours(range(1, 11), style).values())) == 10


@pytest.mark.parametrize("style", STYLES)
def test_a_mini_batch_keeps_its_colour_whichever_others_are_plotted(
    style: str | None,
) -> None:
    everyone = colours(range(1, 11), style)
    for batches in [(9,), (7, 9), (2, 7, 8, 9), (1, 10)]:
        assert colours(batches, style) == {batch: everyone[batch] for batch in batches}


@pytest.mark.parametrize("style", [None, "classic", "default"])
def test_without_a_colour_cycle_of_its_own_the_original_red_green_blue(
    style: str | None,
) -> None:
    assert list(colours(style=style).values()) == [to_rgba(c) for c in "rgb"]


@pytest.mark.parametrize("style", ["tableau-colorblind10", "ggplot", "dark_background"])
def test_a_style_s_colour_cycle_reaches_the_lines(style: str) -> None:
    cycle = matplotlib.style.library[style]["axes.prop_cycle"].by_key()["color"]
    (ax,) = pnm.make_figure(style=style).axes
    assert [to_rgba(line.get_color()) for line in ax.get_lines()] == [
        to_rgba(c) for c in cycle[:3]
    ]


def test_a_style_applies_to_the_figure_only() -> None:
    before = dict(matplotlib.rcParams)
    fig = pnm.make_figure(style="classic")
    assert tuple(fig.get_size_inches()) == (8.0, 6.0)  # classic's figure size
    assert dict(matplotlib.rcParams) == before


def test_a_style_file_a_dict_and_a_list_of_styles_compose_in_order(
    tmp_path: Path,
) -> None:
    house = tmp_path / "house.mplstyle"
    house.write_text(
        "figure.figsize: 5, 3\naxes.prop_cycle: cycler(color=['0.1', '0.4', '0.7'])\n"
    )
    fig = pnm.make_figure(style=["classic", house])
    assert tuple(fig.get_size_inches()) == (5, 3)
    assert [to_rgba(line.get_color()) for line in fig.axes[0].get_lines()] == [
        to_rgba(c) for c in ("0.1", "0.4", "0.7")
    ]
    fig = pnm.make_figure(style=[house, "classic"])
    assert tuple(fig.get_size_inches()) == (8, 6)
    fig = pnm.make_figure(style=[str(house), {"figure.figsize": (4, 4)}])
    assert tuple(fig.get_size_inches()) == (4, 4)


def test_size_and_title() -> None:
    fig = pnm.make_figure(size=(6.4, 3.6), title="The vanishing gradient")
    assert tuple(fig.get_size_inches()) == (6.4, 3.6)
    assert fig.axes[0].get_title() == "The vanishing gradient"


def inside(fig: Figure) -> bool:
    """Whether every label, title and legend drawn lies inside the figure."""
    fig.draw_without_rendering()
    boxes = [legend.get_window_extent() for legend in fig.findobj(Legend)]
    for ax in fig.axes:
        texts = [ax.title, ax.xaxis.label, ax.yaxis.label]
        for axis, (low, high) in [(ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())]:
            # Ticks outside the axis's range are not drawn.
            low, high = sorted((low, high))
            texts += [
                t.label1 for t in axis.get_major_ticks() if low <= t.get_loc() <= high
            ]
        boxes += [text.get_window_extent() for text in texts if text.get_text()]
    edge = fig.bbox.padded(0.5)
    return all(
        edge.x0 <= box.x0
        and box.x1 <= edge.x1
        and edge.y0 <= box.y0
        and box.y1 <= edge.y1
        for box in boxes
    )


def covered(fig: Figure, box: Bbox) -> bool:
    """Whether *box* holds a data point of *fig*'s, any part of its marker."""
    for ax in fig.axes:
        for line in ax.get_lines():
            reach = line.get_markersize() / 2 * fig.dpi / 72  # a marker's radius
            for x, y in line.get_transform().transform(line.get_xydata()):
                if (
                    box.x0 - reach < x < box.x1 + reach
                    and box.y0 - reach < y < box.y1 + reach
                ):
                    return True
    return False


@pytest.mark.parametrize(
    ("size", "batches", "legend"),
    [
        ((3, 2), (7, 8, 9), False),  # a long title and log labels, at 3x2
        ((3, 2), (7, 8, 9), True),  # and a legend, which has no room at 3x2
        (None, range(1, 11), True),  # the issue's --batches 1-10 --log --legend
    ],
)
def test_nothing_is_clipped_and_the_legend_leaves_the_data_and_the_axes_room(
    size: tuple[float, float] | None, batches: Iterable[int], legend: bool
) -> None:
    title = "The vanishing gradient in a deep network"
    fig = pnm.make_figure(batches, size=size, log=True, legend=legend, title=title)
    assert inside(fig)
    (ax,) = fig.axes
    frame = ax.get_window_extent()
    assert frame.width >= fig.bbox.width / 2 and frame.height >= fig.bbox.height / 2
    if legend:
        (box,) = [box.get_window_extent() for box in fig.findobj(Legend)]
        assert not covered(fig, box)


@pytest.mark.parametrize(("batches", "log"), [((7, 8, 9), False), ((8,), True)])
def test_the_legend_covers_no_data_point(batches: Iterable[int], log: bool) -> None:
    fig = pnm.make_figure(batches, log=log, legend=True)
    assert not covered(fig, fig.axes[0].get_legend().get_window_extent())


def test_a_legend_touching_a_marker_covers_it() -> None:
    fig = pnm.make_figure()
    line = fig.axes[0].get_lines()[0]
    x, y = line.get_transform().transform(line.get_xydata())[0]
    beside = Bbox.from_bounds(x + 2, y - 10, 40, 20)  # its centre just outside
    assert pnm._clear_of_data(fig, beside) is False


@pytest.mark.parametrize("batches", [(7, 8, 9), range(1, 11), (8,)])
def test_a_log_axis_labels_at_least_three_values_within_the_data(
    batches: Iterable[int],
) -> None:
    fig = pnm.make_figure(batches, log=True)
    fig.draw_without_rendering()
    (ax,) = fig.axes
    data = [y for line in ax.get_lines() for y in line.get_ydata()]
    labelled = [
        tick.get_loc()
        for tick in ax.yaxis.get_major_ticks()
        if tick.label1.get_visible()
        and tick.label1.get_text()
        and min(data) <= tick.get_loc() <= max(data)
    ]
    assert len(labelled) >= 3
    assert min(labelled) < 1


@pytest.mark.parametrize("batches", [(), (0,), (11,), (7, 0), (7, 11)])
@pytest.mark.parametrize("reproduced", [None, np.ones((2, 10, 6))])
def test_draw_refuses_what_is_not_in_the_record(
    batches: tuple[int, ...], reproduced: np.ndarray | None
) -> None:
    with pytest.raises(ValueError):
        pnm.draw(Figure().add_subplot(), batches, reproduced=reproduced)
