"""The figure: faithful by default, every view opt-in, laid out at any size."""

import contextlib
import io
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
from matplotlib.legend import Legend
from matplotlib.text import Text
from PIL import Image
from support import ROOT, layout_problems, pixels

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


def legend_texts(legend: Legend) -> list[str]:
    return [legend.get_title().get_text()] + [t.get_text() for t in legend.texts]


def test_a_log_axis_labelled_at_1_2_and_5_times_each_power_of_ten() -> None:
    fig = pnm.make_figure(log=True)
    fig.draw_without_rendering()
    (ax,) = fig.axes
    (low, high), ticks = ax.get_ylim(), zip(ax.get_yticks(), ax.get_yticklabels())
    labels = [label.get_text() for tick, label in ticks if low <= tick <= high]
    assert (ax.get_yscale(), labels) == ("log", ["0.2", "0.5", "1", "2", "5", "10"])


def test_draw_returns_its_lines_and_the_legend_names_the_mini_batches_and_growth() -> (
    None
):
    (legend,) = pnm.make_figure(legend=True).legends
    assert legend_texts(legend) == ["mini-batch", "7", "8", "9"]
    (legend,) = pnm.make_figure(log=True, legend=True).legends
    assert legend_texts(legend)[1:] == [
        f"{b} (\u00d7{pnm.growth_per_layer(b):.1f} per layer)" for b in (7, 8, 9)
    ]
    left, ax = Figure().subplots(1, 2)  # any axes of a grid
    assert pnm.draw(ax, legend=True) == ax.get_lines()  # to restyle as one likes
    assert legend_texts(ax.get_legend()) == ["mini-batch", "7", "8", "9"]
    assert left.get_lines() == []


def colours(
    batches: Iterable[int] = pnm.REPRESENTATIVE_BATCHES, style: str | None = None
) -> dict[int, tuple[float, ...]]:
    """Each mini-batch's colour, as drawn in *style*."""
    (ax,) = pnm.make_figure(batches, style=style or {}).axes
    lines = ax.get_lines()
    return {int(line.get_label()): to_rgba(line.get_color()) for line in lines}


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


# The runs' panels for the three plotted mini-batches and for all ten (where a
# shared axis would flatten nine), smallest to widest; the single plot, smallest;
# nine networks compared at 10x4 and at the smallest size that the README gives.
CASES = [
    ("panels", False, (3, 2), (7, 8, 9)),
    ("panels", True, (4, 3), (7, 8, 9)),
    ("panels", False, (3, 2), range(1, 11)),
    ("panels", True, (3, 2), range(1, 11)),
    ("panels", False, (10, 4), range(1, 11)),
    ("plot", True, (3, 2), range(1, 11)),
    ("networks", True, (10, 4), None),
    ("networks", True, (4.8, 3.6), None),
]


@pytest.mark.parametrize(("kind", "log", "size", "batches"), CASES)
def test_from_3x2_inches_every_plot_is_readable_and_nothing_cut_off_or_covered(
    kind: str,
    log: bool,
    size: tuple[float, float] | None,
    batches: Iterable[int] | None,
    runs: object,
) -> None:
    title = "The vanishing gradient in a deep network"
    pairs = [(i, a) for i in pnm.INITIALISATIONS for a in pnm.ACTIVATIONS]
    # Each network's runs far from the others', and the last's all failed.
    networks = {pair: runs * 3.0**k for k, pair in enumerate(pairs)}
    networks[pairs[-1]] = runs * np.nan
    reproduced = {"plot": None, "panels": runs, "networks": networks}[kind]
    fig = pnm.make_figure(
        batches, size=size, log=log, legend=True, title=title, reproduced=reproduced
    )
    assert layout_problems(fig) == []
    if kind == "panels":  # a short title needs the word once
        words = " ".join(text.get_text() for text in fig.findobj(Text))
        assert "mini-batch" in words


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
    "style", ["seaborn-v0_8-talk", "seaborn-v0_8-paper", "seaborn-v0_8-poster"]
)
def test_type_shrinks_by_one_factor_in_a_style_that_sets_it_in_points(
    style: str,
) -> None:
    def sizes(size: tuple[float, float] | None) -> list[float]:
        fig = pnm.make_figure(log=True, legend=True, title="T", style=style, size=size)
        texts = [t for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
        return [text.get_fontsize() for text in texts]

    styled, small = sizes(None), sizes((6.4, 3.6))
    scale = 6.4 / matplotlib.style.library[style]["figure.figsize"][0]
    scale = min(scale, 3.6 / matplotlib.style.library[style]["figure.figsize"][1])
    factor = max(scale, 6 / min(styled))  # the figure's, or 6 points at the least
    assert small == pytest.approx([size * factor for size in styled])
    assert len(set(styled)) > 2  # titles, labels, ticks and legend of their own


def test_a_transparent_figure_has_see_through_bands_and_no_legend_box(
    cwd: Path, runs: np.ndarray, caplog: pytest.LogCaptureFixture
) -> None:
    transparent = {"savefig.transparent": True}
    fig = pnm.make_figure(reproduced=runs, legend=True, style=transparent)
    bands = [band for ax in fig.axes for band in ax.collections]
    assert {band.get_facecolor()[0][3] for band in bands} == {0.25}
    assert [legend.get_frame_on() for legend in fig.legends] == [False]
    args = "--reproduce 5 --legend --transparent -o t.eps -o t.png"
    with contextlib.redirect_stdout(io.StringIO()):
        assert pnm.main(args.split()) == 0
    with Image.open(cwd / "t.png") as image:  # lines, markers and text
        opaque = np.asarray(image)[..., 3] == 255
    assert 0 < opaque.mean() < 0.05
    # PostScript has no transparency: opaque tints, or matplotlib would warn.
    assert caplog.records == []


def test_every_figure_but_the_original_says_which_end_is_the_input_and_the_csv_column(
    runs: np.ndarray,
) -> None:
    def says(fig: Figure) -> bool:
        texts = [text.get_text() for text in fig.findobj(Text)]
        return any("from the input" in t and "layer_" in t for t in texts)

    networks = {("backprop2", "sigmoid"): runs, ("standard", "tanh"): runs}
    others = [dict(log=True), dict(reproduced=runs), dict(reproduced=networks)]
    assert [says(pnm.make_figure(**asked)) for asked in [{}, *others]] == [
        False, True, True, True
    ]  # fmt: skip


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
