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
from support import layout_problems, pixels

import plot_nabla_magnitudes as pnm


def test_the_default_figure_is_pixel_identical_to_the_original(
    original_figure: Figure,
) -> None:
    assert pixels(pnm.make_figure()) == pixels(original_figure)


def test_make_figure_leaves_pyplot_alone_unless_asked() -> None:
    before = plt.get_fignums()
    assert (pnm.make_figure().canvas.manager, plt.get_fignums()) == (None, before)
    fig = pnm.make_figure(pyplot=True)
    assert plt.gcf() is fig


def test_draw_goes_into_any_axes_of_a_grid(original_figure: Figure) -> None:
    left, right = Figure().subplots(1, 2)
    pnm.draw(right)
    assert left.get_lines() == []
    (original,) = original_figure.axes
    assert [list(line.get_ydata()) for line in right.get_lines()] == [
        list(line.get_ydata()) for line in original.get_lines()
    ]


def legend_texts(fig: Figure) -> list[str]:
    (legend,) = fig.legends
    return [legend.get_title().get_text()] + [t.get_text() for t in legend.get_texts()]


def test_a_log_axis_labelled_at_1_2_and_5_times_each_power_of_ten() -> None:
    fig = pnm.make_figure(log=True)
    fig.draw_without_rendering()
    (ax,) = fig.axes
    (low, high), ticks = ax.get_ylim(), zip(ax.get_yticks(), ax.get_yticklabels())
    labels = [label.get_text() for tick, label in ticks if low <= tick <= high]
    assert (ax.get_yscale(), labels) == ("log", ["0.2", "0.5", "1", "2", "5", "10"])


def test_the_legend_names_the_mini_batches_and_with_log_their_growth() -> None:
    assert legend_texts(pnm.make_figure(legend=True)) == ["mini-batch", "7", "8", "9"]
    assert legend_texts(pnm.make_figure(log=True, legend=True))[1:] == [
        f"{b} (\u00d7{pnm.growth_per_layer(b):.1f} per layer)" for b in (7, 8, 9)
    ]
    ax = Figure().add_subplot()
    pnm.draw(ax, legend=True)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        f"mini-batch {b}" for b in (7, 8, 9)
    ]


def colours(
    batches: Iterable[int] = pnm.REPRESENTATIVE_BATCHES, style: str | None = None
) -> dict[int, tuple[float, ...]]:
    """Each mini-batch's colour, as drawn in *style*."""
    (ax,) = pnm.make_figure(batches, style=style or {}).axes
    lines = ax.get_lines()
    return {int(ln.get_label().split()[1]): to_rgba(ln.get_color()) for ln in lines}


# Styles with the default cycle, with classic's, with one of their own (a
# long one, a colour-blind-safe one of six, and four greys).
STYLES = [None, "classic", "default", "dark_background", "tableau-colorblind10"]


@pytest.mark.parametrize("style", [*STYLES, "seaborn-v0_8-colorblind", "grayscale"])
def test_a_mini_batch_keeps_a_colour_of_its_own_the_original_s_or_the_style_s(
    style: str | None,
) -> None:
    everyone = colours(range(1, 11), style)
    assert len(set(everyone.values())) == 10
    for batches in [(9,), (7, 9), (2, 7, 8, 9), (1, 10)]:
        assert colours(batches, style) == {batch: everyone[batch] for batch in batches}
    cycle = matplotlib.style.library.get(style or "", {}).get("axes.prop_cycle")
    first = "rgb" if style in STYLES[:3] else cycle.by_key()["color"][:3]
    assert [everyone[batch] for batch in (7, 8, 9)] == [to_rgba(c) for c in first]


def test_styles_files_dicts_and_lists_compose_in_order_for_the_figure_only(
    tmp_path: Path,
) -> None:
    (house := tmp_path / "house.mplstyle").write_text("figure.figsize: 5, 3\n")
    before = dict(matplotlib.rcParams)
    for style, size in [
        ("classic", (8, 6)),  # classic's figure size
        (["classic", house], (5, 3)),
        ([house, "classic"], (8, 6)),
        ([str(house), {"figure.figsize": (4, 4)}], (4, 4)),
    ]:
        assert tuple(pnm.make_figure(style=style).get_size_inches()) == size
    assert dict(matplotlib.rcParams) == before


# The runs' panels at slide and paper sizes; the single plot, smallest to widest.
SIZES = [(True, size) for size in [(3, 2), (4, 3), (5, 3.75), (6.4, 4.8), (10, 4)]]
SIZES += [(False, size) for size in [(3, 2), (6.4, 4.8), (10, 4)]]


@pytest.mark.parametrize("batches", [(7, 8, 9), range(1, 11)])
@pytest.mark.parametrize(("panels", "size"), SIZES)
def test_from_3x2_inches_nothing_is_cut_off_and_the_legend_covers_nothing(
    size: tuple[float, float], batches: Iterable[int], panels: bool, runs: object
) -> None:
    title = "The vanishing gradient in a deep network"
    reproduced = runs if panels else None
    fig = pnm.make_figure(
        batches, size=size, log=True, legend=True, title=title, reproduced=reproduced
    )
    assert layout_problems(fig) == []


@pytest.mark.parametrize(
    ("size", "points"),
    [((3, 2), 6), ((4.8, 3.6), 7.5), ((4.8, 9.6), 7.5), ((13, 9), 10)],
)
def test_type_shrinks_with_a_figure_smaller_than_the_style_s_to_6_points(
    size: tuple[float, float], points: float
) -> None:
    fig = pnm.make_figure(legend=True, size=size, title="T")
    assert (tuple(fig.get_size_inches()), fig.get_suptitle()) == (size, "T")
    (legend,) = fig.legends
    for text in [*legend.get_texts(), *legend.figure.axes[0].get_xticklabels()]:
        assert text.get_fontsize() == pytest.approx(points)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"batches": ()}, ValueError, "no mini-batch"),
        ({"size": (1e9, 1)}, ValueError, "size 1e\\+09\u00d71 inches at 100 dpi"),
        ({"size": "big"}, ValueError, "size must be \\(width, height\\)"),
        ({"reproduced": [[1]]}, ValueError, "reproduced must be numbers of the shape"),
        ({"reproduced": [pnm.NABLA_W_NORMS]}, ValueError, "^1 of 1 run trained"),
    ],
)
def test_make_figure_names_the_argument_it_cannot_take(
    arguments: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        pnm.make_figure(**arguments)  # type: ignore[arg-type]
