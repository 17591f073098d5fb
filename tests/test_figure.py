"""The figure: faithful by default, every view opt-in, laid out at any size."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.style
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from support import ORIGINAL_PLOTTED, layout_problems, pixels

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


def test_draw_goes_into_any_axes_of_a_grid() -> None:
    left, right = Figure().subplots(1, 2)
    pnm.draw(right)
    assert left.get_lines() == []
    assert [list(line.get_ydata()) for line in right.get_lines()] == list(
        ORIGINAL_PLOTTED
    )


@pytest.mark.parametrize("batches", [(7, 8, 9), range(1, 11), (8,)])
def test_a_log_axis_labels_at_least_three_values_within_the_data(
    batches: Iterable[int],
) -> None:
    fig = pnm.make_figure(batches, log=True)
    fig.draw_without_rendering()
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    data = [y for line in ax.get_lines() for y in line.get_ydata()]
    labelled = [
        tick.get_loc()
        for tick in ax.yaxis.get_major_ticks()
        if tick.label1.get_text() and min(data) <= tick.get_loc() <= max(data)
    ]
    assert len(labelled) >= 3
    assert min(labelled) < 1


def legend_texts(fig: Figure) -> list[str]:
    (legend,) = fig.legends
    return [legend.get_title().get_text()] + [t.get_text() for t in legend.get_texts()]


def test_the_legend_names_the_mini_batches() -> None:
    assert legend_texts(pnm.make_figure(legend=True)) == ["mini-batch", "7", "8", "9"]
    ax = Figure().add_subplot()
    pnm.draw(ax, legend=True)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "mini-batch 7",
        "mini-batch 8",
        "mini-batch 9",
    ]


def test_the_log_legend_gives_each_growth_per_layer() -> None:
    assert legend_texts(pnm.make_figure(log=True, legend=True))[1:] == [
        f"{b} (\u00d7{pnm.growth_per_layer(b):.1f} per layer)" for b in (7, 8, 9)
    ]


def colours(
    batches: Iterable[int] = pnm.REPRESENTATIVE_BATCHES, style: str | None = None
) -> dict[int, tuple[float, ...]]:
    """Each mini-batch's colour, as drawn in *style*."""
    (ax,) = pnm.make_figure(batches, style=style or {}).axes
    return {
        int(line.get_label().split()[1]): to_rgba(line.get_color())
        for line in ax.get_lines()
    }


# Styles with the default cycle, with classic's, with one of their own (a
# long one, a colour-blind-safe one of six, and four greys).
STYLES = [None, "classic", "dark_background", "seaborn-v0_8-colorblind", "grayscale"]


@pytest.mark.parametrize("style", STYLES)
def test_a_mini_batch_has_a_colour_of_its_own_whichever_others_are_plotted(
    style: str | None,
) -> None:
    everyone = colours(range(1, 11), style)
    assert len(set(everyone.values())) == 10
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
    assert list(colours(style=style).values()) == [to_rgba(c) for c in cycle[:3]]


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
    assert tuple(pnm.make_figure(style=[house, "classic"]).get_size_inches()) == (8, 6)
    fig = pnm.make_figure(style=[str(house), {"figure.figsize": (4, 4)}])
    assert tuple(fig.get_size_inches()) == (4, 4)


def test_size_and_title() -> None:
    fig = pnm.make_figure(size=(6.4, 3.6), title="The vanishing gradient")
    assert tuple(fig.get_size_inches()) == (6.4, 3.6)
    assert fig.get_suptitle() == "The vanishing gradient"


SIZES = [(3, 2), (4, 3), (5, 3.75), (6.4, 4.8), (10, 4)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("batches", [(7, 8, 9), range(1, 11)])
def test_from_3x2_inches_nothing_is_cut_off_and_the_legend_covers_nothing(
    size: tuple[float, float], batches: Iterable[int]
) -> None:
    title = "The vanishing gradient in a deep network"
    fig = pnm.make_figure(batches, size=size, log=True, legend=True, title=title)
    assert layout_problems(fig) == []


@pytest.mark.parametrize(
    ("size", "points"),
    [((3, 2), 6), ((4.8, 3.6), 7.5), ((4.8, 9.6), 7.5), ((13, 9), 10)],
)
def test_type_shrinks_with_a_figure_smaller_than_the_style_s_to_6_points(
    size: tuple[float, float], points: float
) -> None:
    (legend,) = pnm.make_figure(legend=True, size=size).legends
    for text in [*legend.get_texts(), *legend.figure.axes[0].get_xticklabels()]:
        assert text.get_fontsize() == pytest.approx(points)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"batches": ()}, ValueError, "no mini-batch"),
        ({"batches": (0,)}, ValueError, "a mini-batch must be from 1 to 10"),
        ({"batches": (7, 11)}, ValueError, "a mini-batch must be from 1 to 10"),
        ({"batches": (7.5,)}, TypeError, "a mini-batch must be a whole number"),
        ({"size": (1e9, 1)}, ValueError, "size 1e\\+09\u00d71 inches at 100 dpi"),
        ({"size": (0, 1)}, ValueError, "size 0\u00d71 inches"),
        ({"size": "big"}, ValueError, "size must be \\(width, height\\)"),
        ({"reproduced": [[1]]}, ValueError, "reproduced must be numbers of the shape"),
        ({"reproduced": "runs"}, ValueError, "reproduced must be numbers of the shape"),
    ],
)
def test_make_figure_names_the_argument_it_cannot_take(
    arguments: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        pnm.make_figure(**arguments)  # type: ignore[arg-type]
