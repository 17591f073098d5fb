"""The figure: faithful by default, every view opt-in, laid out at any size."""

import contextlib
import io
import itertools
import math
import re
import shlex
import textwrap

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.style
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text
from support import ROOT, layout_problems, pixels, share

import plot_nabla_magnitudes as pnm

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_default_figure_is_pixel_identical_to_the_original(original_figure):
    assert pixels(pnm.make_figure()) == pixels(original_figure)


def test_layer_l_labels_the_original_and_draw_and_the_input_end_every_other(runs):
    left, ax = Figure().subplots(1, 2)  # any axes of a grid
    assert pnm.draw(ax) == ax.get_lines()  # to restyle as one likes
    labels = ("Layer $l$", r"$\Vert\nabla C^l_w\Vert$")  # as the original's
    assert ((ax.get_xlabel(), ax.get_ylabel()), left.get_lines()) == (labels, [])
    assert pnm.make_figure().axes[0].get_xlabel() == "Layer $l$"
    networks = {("backprop2", "sigmoid"): runs, ("standard", "tanh"): runs}
    for asked in [dict(log=True), dict(reproduced=runs), dict(reproduced=networks)]:
        texts = [t.get_text() for t in pnm.make_figure(**asked).findobj(Text)]
        assert "Hidden layer $l$ from the input" in texts


def test_make_figure_leaves_pyplot_alone_unless_asked():
    before = plt.get_fignums()
    assert (pnm.make_figure().canvas.manager, plt.get_fignums()) == (None, before)
    fig = pnm.make_figure(pyplot=True)
    assert plt.gcf() is fig
    plt.close("all")


def texts(legend):
    """A legend's title and entries."""
    return [legend.get_title().get_text(), *(t.get_text() for t in legend.texts)]


def test_a_log_axis_at_1_2_5_a_legend_in_the_plot_or_beside_it_for_more():
    (ax,) = pnm.make_figure(log=True, legend=True).axes
    ax.figure.draw_without_rendering()
    (low, high), ticks = ax.get_ylim(), zip(ax.get_yticks(), ax.get_yticklabels())
    labels = [label.get_text() for tick, label in ticks if low <= tick <= high]
    assert (ax.get_yscale(), labels) == ("log", ["0.2", "0.5", "1", "2", "5", "10"])
    growths = [f"{b} (×{pnm.growth_per_layer(b):.1f} per layer)" for b in (7, 8, 9)]
    assert texts(ax.get_legend()) == ["mini-batch", *growths]
    (fig := pnm.make_figure(legend=True)).draw_without_rendering()
    assert (texts(fig.axes[0].get_legend()), fig.legends) == (
        ["mini-batch", "7", "8", "9"],
        [],
    )
    (legend,) = pnm.make_figure(range(1, 11), legend=True).legends  # beside it
    assert texts(legend) == ["mini-batch", *map(str, range(1, 11))]
    pnm.draw(ax := Figure().add_subplot(), legend=True)
    assert texts(ax.get_legend()) == ["mini-batch", "7", "8", "9"]


def colours(batches, style):
    (ax,) = pnm.make_figure(batches, style=style).axes
    return {int(line.get_label()): to_rgba(line.get_color()) for line in ax.lines}


@pytest.mark.parametrize(
    "style",
    [None, "classic", "dark_background", "tableau-colorblind10", "grayscale", "ggplot"],
)
def test_a_mini_batch_keeps_a_colour_of_its_own_the_original_s_or_the_style_s(style):
    everyone = colours(range(1, 11), style)
    assert len(set(everyone.values())) == 10
    for batches in [(9,), (7, 9), (2, 7, 8, 9), (1, 10)]:
        assert colours(batches, style) == {batch: everyone[batch] for batch in batches}
    cycle = matplotlib.style.library.get(style or "", {}).get("axes.prop_cycle")
    first = "rgb" if style in (None, "classic") else cycle.by_key()["color"][:3]
    assert [everyone[batch] for batch in (7, 8, 9)] == [to_rgba(c) for c in first]
    if style == "ggplot":  # seven colours, made up with three unlike them
        rgb = [colour[:3] for colour in everyone.values()]
        assert min(math.dist(a, b) for a, b in itertools.combinations(rgb, 2)) > 0.2


def test_styles_files_and_settings_apply_in_order_to_the_figure_alone(tmp_path):
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


def test_the_record_s_markers_have_an_edge_of_1_point_at_least_in_every_style(runs):
    axes = Figure().subplots(2)  # lines take their style where they are drawn
    for style in matplotlib.style.available:
        with matplotlib.style.context(style):
            for ax, reproduced in zip(axes, (None, runs)):
                drawn = pnm.draw(ax, [7], reproduced=reproduced)
                (marked,) = [a for a in drawn if getattr(a, "get_marker", str)() == "o"]
                assert marked.get_markeredgewidth() >= 1, style


def test_type_is_as_large_as_the_style_says_whatever_the_size():
    talk = matplotlib.style.library["seaborn-v0_8-talk"]
    style = [talk, {"figure.titlesize": 17}]
    fig = pnm.make_figure(
        log=True, legend=True, title="T", style=style, size=(6.4, 3.6)
    )
    (ax,) = fig.axes
    ticks = {
        text.get_fontsize() for text in ax.get_xticklabels() + ax.get_yticklabels()
    }
    entries = {text.get_fontsize() for text in ax.get_legend().get_texts()}
    assert (ticks, entries) == ({talk["xtick.labelsize"]}, {talk["legend.fontsize"]})
    assert fig.texts[0].get_fontsize() == 17


@pytest.mark.parametrize(
    ("size", "batches", "panels"),
    [
        ((3, 2), (7, 8, 9), False),
        ((4.8, 3.6), range(1, 11), False),
        ((4.8, 3.6), (7, 8, 9), True),  # and ten panels, of any network: slow
    ],
)
def test_down_to_the_readme_s_sizes_nothing_is_cut_off_covered_or_flattened(
    size, batches, panels, runs
):
    fig = pnm.make_figure(
        batches, size=size, log=True, legend=True, reproduced=runs if panels else None,
        title="The vanishing gradient in a deep network",
    )  # fmt: skip
    assert layout_problems(fig) == []


# The README's recipes for slides and papers: its commands that draw the plot.
RECIPES = re.findall(
    r"^python (plot_nabla_magnitudes.py --log --legend .*)$", README, re.M
)


@pytest.mark.parametrize("command", RECIPES)
def test_the_readme_s_recipes_fit_their_slide_or_column_uncut_the_plot_half_of_it(
    cwd, command
):
    args = shlex.split(command)[1:]
    with contextlib.redirect_stdout(io.StringIO()):
        assert pnm.main(args) == 0
    size = tuple(map(float, args[args.index("--size") + 1].split(",")))
    styles = [w for previous, w in zip(args, args[1:]) if previous == "--style"]
    style = [dict([s.split("=")]) if "=" in s else s for s in styles]
    fig = pnm.make_figure(log=True, legend=True, size=size, style=style)
    assert layout_problems(fig) == [] and share(fig) >= 0.5 and len(RECIPES) == 3


def test_a_transparent_figure_has_see_through_bands_and_no_legend_box(runs):
    style = {"savefig.transparent": True}
    other = {("standard", "tanh"): runs}  # its panels have notes, which are legends
    figures = [
        pnm.make_figure(reproduced=r, legend=True, style=style) for r in (runs, other)
    ]
    figures += [pnm.make_figure(legend=True, style=style)]
    axes = [ax for fig in figures for ax in fig.axes]
    assert {band.get_facecolor()[0][3] for ax in axes for band in ax.collections} == {
        0.25
    }
    legends = [legend for fig in figures for legend in fig.findobj(Legend)]
    assert len(legends) == 6 and not any(legend.get_frame_on() for legend in legends)


def test_make_figure_takes_a_size_and_mini_batches_as_numpy_gives_them():
    fig = pnm.make_figure(np.arange(7, 10), size=np.array([6.4, 4.8]))
    assert pixels(fig) == pixels(pnm.make_figure((7, 8, 9), size=(6.4, 4.8)))


def test_the_examples_in_the_readme_and_the_docstring_run_as_written(cwd):
    (python,) = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
    docstring = (pnm.__doc__ or "").split("::\n")[1]  # the block that ends it
    for example in (python, textwrap.dedent(docstring)):
        exec(example, {})
    plt.close("all")
