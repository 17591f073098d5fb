"""The figure: faithful by default, every view opt-in, laid out at any size."""

import re
import textwrap
from collections.abc import Iterable
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.style
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text
from support import ROOT, layout_problems, pixels

import plot_nabla_magnitudes as pnm


def test_the_default_figure_is_pixel_identical_to_the_original(
    original_figure: Figure,
) -> None:
    assert pixels(pnm.make_figure()) == pixels(original_figure)


def test_draw_labels_its_axes_as_the_original_on_any_axes() -> None:
    left, ax = Figure().subplots(1, 2)  # any axes of a grid
    assert pnm.draw(ax) == ax.get_lines()  # to restyle as one likes
    labels = ("Layer $l$", r"$\Vert\nabla C^l_w\Vert$")  # as the original's
    assert ((ax.get_xlabel(), ax.get_ylabel()), left.get_lines()) == (labels, [])


def test_make_figure_leaves_pyplot_alone_unless_asked() -> None:
    before = plt.get_fignums()
    assert (pnm.make_figure().canvas.manager, plt.get_fignums()) == (None, before)
    fig = pnm.make_figure(pyplot=True)
    assert plt.gcf() is fig
    plt.close("all")


def test_a_log_axis_is_labelled_at_1_2_and_5_times_each_power_of_ten() -> None:
    (ax,) = pnm.make_figure(log=True).axes
    ax.figure.draw_without_rendering()
    (low, high), ticks = ax.get_ylim(), zip(ax.get_yticks(), ax.get_yticklabels())
    labels = [label.get_text() for tick, label in ticks if low <= tick <= high]
    assert (ax.get_yscale(), labels) == ("log", ["0.2", "0.5", "1", "2", "5", "10"])


def test_the_legend_names_the_mini_batches_and_on_a_log_axis_their_growth() -> None:
    def texts(fig: Figure) -> list[str]:
        (legend,) = fig.legends
        return [legend.get_title().get_text()] + [t.get_text() for t in legend.texts]

    assert texts(pnm.make_figure(legend=True)) == ["mini-batch", "7", "8", "9"]
    growths = [f"{b} (×{pnm.growth_per_layer(b):.1f} per layer)" for b in (7, 8, 9)]
    assert texts(pnm.make_figure(log=True, legend=True))[1:] == growths
    ax = Figure().add_subplot()
    pnm.draw(ax, legend=True)
    assert [t.get_text() for t in ax.get_legend().texts] == ["7", "8", "9"]


def colours(batches: Iterable[int], style: str | None) -> dict[int, tuple[float, ...]]:
    """Each mini-batch's colour, as drawn in *style*."""
    (ax,) = pnm.make_figure(batches, style=style).axes
    return {int(line.get_label()): to_rgba(line.get_color()) for line in ax.lines}


@pytest.mark.parametrize(
    "style", [None, "classic", "dark_background", "tableau-colorblind10", "grayscale"]
)
def test_a_mini_batch_keeps_a_colour_of_its_own_the_original_s_or_the_style_s(
    style: str | None,
) -> None:
    everyone = colours(range(1, 11), style)
    assert len(set(everyone.values())) == 10
    for batches in [(9,), (7, 9), (2, 7, 8, 9), (1, 10)]:
        assert colours(batches, style) == {batch: everyone[batch] for batch in batches}
    cycle = matplotlib.style.library.get(style or "", {}).get("axes.prop_cycle")
    first = "rgb" if style in (None, "classic") else cycle.by_key()["color"][:3]
    assert [everyone[batch] for batch in (7, 8, 9)] == [to_rgba(c) for c in first]


def test_styles_files_dicts_and_lists_apply_in_order_to_the_figure_alone(
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


# The single plot, the runs' panels and the networks compared, each at the
# smallest size that the README names for it.
CASES = [
    ("plot", (3, 2), (7, 8, 9)),
    ("plot", (3, 2), range(1, 11)),
    ("panels", (3, 2), (7, 8, 9)),
    ("panels", (6.4, 3.6), range(1, 11)),
    ("networks", (4.8, 3.6), None),
]


@pytest.mark.parametrize(("kind", "size", "batches"), CASES)
def test_down_to_the_readme_s_sizes_nothing_is_cut_off_covered_or_flattened(
    kind: str, size: tuple[float, float], batches: Iterable[int] | None, runs: object
) -> None:
    pairs = [(i, a) for i in pnm.INITIALISATIONS for a in pnm.ACTIVATIONS]
    # Each network's runs far from the others', and the last's all failed.
    networks = {pair: runs * 3.0**k for k, pair in enumerate(pairs)}
    networks[pairs[-1]] = runs * np.nan
    reproduced = {"plot": None, "panels": runs, "networks": networks}[kind]
    title = "The vanishing gradient in a deep network"
    fig = pnm.make_figure(
        batches, size=size, log=True, legend=True, title=title, reproduced=reproduced
    )
    assert layout_problems(fig) == []


@pytest.mark.parametrize(
    ("size", "points"), [((3, 2), 6), ((4.8, 3.6), 7.5), ((13, 9), 10)]
)
def test_type_shrinks_with_a_figure_smaller_than_the_style_s_to_6_points(
    size: tuple[float, float], points: float
) -> None:
    fig = pnm.make_figure(legend=True, size=size, title="T")
    assert (tuple(fig.get_size_inches()), fig.get_suptitle()) == (size, "T")
    (legend,) = fig.legends
    for text in [*legend.get_texts(), *fig.axes[0].get_xticklabels()]:
        assert text.get_fontsize() == pytest.approx(points)


def test_a_transparent_figure_has_see_through_bands_and_no_legend_box(
    runs: np.ndarray,
) -> None:
    transparent = {"savefig.transparent": True}
    fig = pnm.make_figure(reproduced=runs, legend=True, style=transparent)
    bands = [band for ax in fig.axes for band in ax.collections]
    assert {band.get_facecolor()[0][3] for band in bands} == {0.25}
    assert [legend.get_frame_on() for legend in fig.legends] == [False]


def test_every_figure_but_the_original_says_which_end_is_the_input(
    runs: np.ndarray,
) -> None:
    def says(fig: Figure) -> bool:
        return any("from the input" in t.get_text() for t in fig.findobj(Text))

    networks = {("backprop2", "sigmoid"): runs, ("standard", "tanh"): runs}
    others = [dict(log=True), dict(reproduced=runs), dict(reproduced=networks)]
    found = [says(pnm.make_figure(**asked)) for asked in [{}, *others]]
    assert found == [False, True, True, True]


def test_make_figure_takes_a_size_and_mini_batches_as_numpy_gives_them() -> None:
    fig = pnm.make_figure(np.arange(7, 10), size=np.array([6.4, 4.8]))
    assert tuple(fig.get_size_inches()) == (6.4, 4.8)
    assert pixels(fig) == pixels(pnm.make_figure((7, 8, 9), size=(6.4, 4.8)))


def test_the_examples_in_the_readme_and_the_docstring_run_as_written(cwd: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (python,) = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    docstring = (pnm.__doc__ or "").split("::\n")[1]  # the block that ends it
    for example in (python, textwrap.dedent(docstring)):
        exec(example, {})
    plt.close("all")
