#!/usr/bin/env python3
# /// script
# requires-python = ">=3.9"
# dependencies = [
#     "matplotlib>=3.9",
#     "numpy>=1.23",
#     "threadpoolctl>=3.1",
# ]
# ///
"""The vanishing gradient: how ‖∇C^l_w‖ shrinks toward the input of a deep network.

Michael Nielsen's record of the weight gradient's norm in each layer of a
784-30-30-30-30-30-10 sigmoid network on MNIST, `NABLA_W_NORMS`; his figure of
it, to the pixel, and other views, `make_figure`; and the network trained again,
`reproduce`. Run ``python plot_nabla_magnitudes.py --help``, or from Python::

    import plot_nabla_magnitudes as pnm

    fig = pnm.make_figure(reproduced=pnm.reproduce(10), log=True, legend=True)
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # matplotlib and numpy are imported only where work starts
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from typing import Any, Union

    import numpy as np
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcStyleType
    from numpy.typing import ArrayLike, NDArray

    Array = NDArray[np.float64]
    Networks = dict[tuple[str, str], Array]  # each (init, activation) with its runs
    Runs = Union[ArrayLike, Mapping[tuple[str, str], ArrayLike]]

_PROG = "plot_nabla_magnitudes.py"  # the program's name in messages and files
# This file, its links followed; pasted into a notebook, there is none.
_SCRIPT = os.path.realpath(__file__) if "__file__" in globals() else None


# -- The record -------------------------------------------------------------------

# ‖∇C^l_w‖ of weight layers 1-6 (input to output) for mini-batches 1-10, as recorded.
NABLA_W_NORMS: tuple[tuple[float, ...], ...] = (
    (0.90845722175923671, 2.8852730656073566, 10.696793986223632,
     37.75701921183488, 157.7365422527995, 304.43990075227839),
    (0.22493835119537842, 0.6555126517964851, 2.6036801277234076,
     11.408825365731225, 46.882319190445472, 70.499637502698221),
    (0.11935180022357521, 0.19756069137133489, 0.8152794148335869,
     3.4590802543293977, 15.470507965493903, 31.032396017142556),
    (0.15130005837653659, 0.39687135985664701, 1.4810006139254532,
     4.392519005642268, 16.831939776937311, 34.082104455938733),
    (0.11594085276308999, 0.17177668061395848, 0.72204558746599512,
     3.05062409378366, 14.133001132214286, 29.776204839994385),
    (0.10790389807606221, 0.20707152756018626, 0.96348134037828603,
     3.9043824079499561, 15.986873430586924, 39.195258080490895),
    (0.088613291101645356, 0.129173436407863, 0.4242933114455002,
     1.6154682713449411, 7.5451567587160069, 20.180545544006566),
    (0.086175380639289575, 0.12571016850457151, 0.44231149185805047,
     1.8435833504677326, 7.61973813981073, 19.474539356281781),
    (0.095372080184163904, 0.15854489503205446, 0.70244235144444678,
     2.6294803575724157, 10.427062019753425, 24.309420272033819),
    (0.096453131000155692, 0.13574642196947601, 0.53551377709415471,
     2.0247466793066895, 9.4503978546018068, 21.73772148470092),
)  # fmt: skip

REPRESENTATIVE_BATCHES: tuple[int, ...] = (7, 8, 9)
# The record's network: how its first weights were drawn, and its hidden layers.
RECORD_NETWORK = ("backprop2", "sigmoid")
_ALL_BATCHES = range(1, len(NABLA_W_NORMS) + 1)
# Layers 1 and 6 meet 784 inputs and 10 outputs, so only 2-5 are comparable.
_HIDDEN = slice(1, -1)
_LAYERS = range(1, 5)  # the hidden layers, as the figure numbers them
_BAND = (5, 95)  # the percentiles of the runs that a band spans
_BAND_NAME = f"{_BAND[0]}–{_BAND[1]} %"


def _checked_batches(batches: Iterable[int]) -> tuple[int, ...]:
    """Return the mini-batches, if each is from 1 to 10 (0 would read the last)."""
    checked = tuple(batches)
    for batch in checked:
        if batch not in _ALL_BATCHES:
            raise ValueError(f"a mini-batch must be from 1 to 10, not {batch}")
    return checked


def hidden_layer_norms(batch: int) -> tuple[float, ...]:
    """Return the four hidden-layer norms of a mini-batch (1 to 10)."""
    (batch,) = _checked_batches([batch])
    return NABLA_W_NORMS[batch - 1][_HIDDEN]


def _growth(norms: Any) -> Any:
    """Return the growth per layer of norms by layer: the geometric mean of ratios."""
    return (norms[-1] / norms[0]) ** (1 / (len(norms) - 1))


def growth_per_layer(batch: int) -> float:
    """Return how many times a mini-batch's norm grows per hidden layer."""
    return float(_growth(hidden_layer_norms(batch)))


def table_csv(batches: Iterable[int] = _ALL_BATCHES) -> str:
    """Return the recorded norms of the mini-batches, all six layers, as CSV."""
    rows = [(batch, *NABLA_W_NORMS[batch - 1]) for batch in _checked_batches(batches)]
    return _csv("mini_batch", rows)


def _csv(columns: str, rows: Iterable[Sequence[object]]) -> str:
    """Return rows as CSV, each float in the shortest form that reads back the same."""
    header = [columns, *(f"layer_{n}" for n in range(1, 7))]
    return "".join(",".join(map(str, row)) + "\n" for row in [header, *rows])


def _networks(reproduced: Runs) -> Networks:
    """Return the runs of each network; an array alone holds the record network's."""
    from collections.abc import Mapping

    import numpy as np

    if not isinstance(reproduced, Mapping):
        reproduced = {RECORD_NETWORK: reproduced}
    return {pair: np.asarray(runs, dtype=float) for pair, runs in reproduced.items()}


def _completed(runs: Array) -> Array:
    """Return the runs that trained to the end: every norm finite and positive."""
    return runs[((runs > 0) & (runs < math.inf)).all(axis=(1, 2))]


def _means(runs: Array, batches: Iterable[int]) -> Array:
    """Return each run's hidden-layer norms, as geometric means over the batches."""
    import numpy as np

    hidden = runs[:, [batch - 1 for batch in batches], _HIDDEN]
    return np.exp(np.log(hidden).mean(axis=1))  # type: ignore[no-any-return]


def _run_growths(runs: Array, batches: Iterable[int]) -> Array:
    """Return each run's growth per layer over the mini-batches."""
    return _growth(_means(runs, batches).T)  # type: ignore[no-any-return]


# -- The figure -------------------------------------------------------------------

# Under the default or classic cycle: 7-9 the original's red, green and blue.
_OWN_COLOURS = {
    7: "r", 8: "g", 9: "b",
    1: "tab:orange", 2: "tab:purple", 3: "tab:brown", 4: "tab:pink",
    5: "tab:gray", 6: "tab:olive", 10: "tab:cyan",
}  # fmt: skip
# Each start's colour where a style has no three of its own that stand out: Paul
# Tol's bright blue, purple and green, which colour-blind readers tell apart and
# which stand out at 3.4:1 or more on white, black and ggplot's and seaborn's grey.
_START_COLOURS = {"backprop2": "#4477AA", "fan-in": "#AA3377", "standard": "#228833"}
_Y_LABEL = r"$\Vert\nabla C^l_w\Vert$"
_X_LABEL = "Hidden layer $l$ from the input"  # every figure's but the original's
_BAND_ALPHA = 0.25  # how strong a band is: see-through, but in PostScript
_RECORD = "recorded in 2013"


def draw(
    ax: Axes,
    batches: Iterable[int] = REPRESENTATIVE_BATCHES,
    *,
    log: bool = False,
    legend: bool = False,
    reproduced: Runs | None = None,
) -> list[Artist]:
    """Draw ‖∇C^l_w‖ against hidden layer 1-4 on ax; return the artists drawn.

    The axes are labelled "Layer $l$" and ‖∇C^l_w‖. log gives a logarithmic
    axis, and each label the growth per layer. reproduced, runs of one network
    as `make_figure` takes them, puts each line over its runs' 5–95 % band.
    """
    network, runs = RECORD_NETWORK, None
    if reproduced is not None:
        ((network, runs),) = _networks(reproduced).items()
    colours = _colours()[0]
    recorded = runs is None or network == RECORD_NETWORK
    drawn: list[Artist] = []
    for batch in _checked_batches(batches):
        colour = colours[batch]
        if runs is not None:  # a median is named where no record is
            hidden = _completed(runs)[:, batch - 1, _HIDDEN]
            drawn += _spread(ax, hidden, colour, "" if recorded else str(batch))
        if recorded:
            growth = f" (×{growth_per_layer(batch):.1f} per layer)" if log else ""
            face = colour if runs is None else "none"
            marks: dict[str, Any] = {"color": colour, "mfc": face, "mew": _edge()}
            norms = hidden_layer_norms(batch)
            drawn += ax.plot(_LAYERS, norms, "o-", **marks, label=f"{batch}{growth}")
    ax.set(xlabel="Layer $l$", ylabel=_Y_LABEL, xticks=_LAYERS)
    if log:
        _readable_log_scale(ax)
    if legend:
        ax.legend(title="mini-batch")
    return drawn


def _edge() -> float:
    """Return the record's marker edge: 1 point at least, for every style to show."""
    import matplotlib

    return max(1.0, float(matplotlib.rcParams["lines.markeredgewidth"]))


def _spread(ax: Axes, runs: Array, colour: Any, label: str = "") -> list[Artist]:
    """Draw the runs' median, dashed, over their band if there are two runs or more."""
    import numpy as np
    from matplotlib.colors import to_rgba

    drawn: list[Artist] = []
    if len(runs) > 1:
        low, high = np.percentile(runs, _BAND, axis=0)
        face = to_rgba(colour, _BAND_ALPHA)
        drawn.append(ax.fill_between(_LAYERS, low, high, fc=face, ec="none"))
    if len(runs):
        median = np.median(runs, axis=0)
        drawn += ax.plot(_LAYERS, median, "--", color=colour, label=label)
    return drawn


def _note(ax: Axes, notes: list[tuple[str, Any]]) -> None:
    """Write each text in its colour, small, where the plot on ax leaves room."""
    from matplotlib.lines import Line2D

    lines = [Line2D([], [], color=colour, label=text) for text, colour in notes]
    ax.legend(
        handles=lines, handlelength=0, labelcolor="linecolor", fontsize="small",
        framealpha=1,
    )  # fmt: skip


def _colours() -> tuple[dict[int, Any], dict[str, Any]]:
    """Return the colours of the mini-batches and of the starts, in the style in use.

    A style's own cycle gives the starts its first three that stand out at 3:1.
    """
    import matplotlib
    import matplotlib.style
    from matplotlib.colors import to_rgb, to_rgba

    def cycle(params: Any) -> list[tuple[float, ...]]:
        return [to_rgba(c) for c in params["axes.prop_cycle"].by_key().get("color", [])]

    def luminance(colour: Any) -> float:  # WCAG's relative luminance, plus 0.05
        rgb = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in to_rgb(colour)
        ]
        return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] + 0.05

    own, default = cycle(matplotlib.rcParams), cycle(matplotlib.rcParamsDefault)
    if own in (default, cycle(matplotlib.style.library["classic"])):
        return dict(_OWN_COLOURS), dict(_START_COLOURS)
    axes = luminance(matplotlib.rcParams["axes.facecolor"])
    seen = [c for c in own if max(luminance(c), axes) / min(luminance(c), axes) >= 3]
    starts = dict(zip(_START_COLOURS, seen)) if len(seen) >= 3 else _START_COLOURS

    def gap(colour: tuple[float, ...]) -> float:  # how far from the style's own
        return min((math.dist(colour[:3], c[:3]) for c in own), default=1.0)

    # A short cycle is made up to ten with the default colours least like its own.
    padding = sorted(default, key=gap, reverse=True)
    return dict(zip(_OWN_COLOURS, dict.fromkeys(own + padding))), dict(starts)


def _readable_log_scale(ax: Axes) -> None:
    """Make the y axis logarithmic, labelled at 1, 2 and 5 times each power of ten
    where the labels have room, one a line in two, and else at each power of ten."""
    import matplotlib
    from matplotlib.font_manager import FontProperties
    from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter

    ax.set_yscale("log")
    low, high = ax.get_ylim()
    size = FontProperties(size=matplotlib.rcParams["ytick.labelsize"]).get_size()
    room = ax.bbox.height * 72 / ax.figure.dpi  # in points, as the axes stand now
    labels = 3 * math.log10(high / low)  # at 1, 2 and 5, each a line and a half
    subs = (1.0, 2.0, 5.0) if labels * 1.5 * size <= room else (1.0,)
    ax.yaxis.set_major_locator(LogLocator(subs=subs))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _unbroken_math(title: str) -> str:
    """Return title with no line that a wrap could leave with an unmatched $:
    within each $...$ pair, spaces become {}, mathtext's empty group; on a line
    that matplotlib reads as plain text, each $ is escaped."""
    import re

    lines = title.split("\n")
    for i, line in enumerate(lines):
        if (line.count("$") - line.count(r"\$")) % 2:
            lines[i] = re.sub(r"(?<!\\)\$", r"\\$", line)
        else:
            pairs = r"(?<!\\)\$.*?(?<!\\)\$"
            lines[i] = re.sub(pairs, lambda pair: pair[0].replace(" ", "{}"), line)
    return "\n".join(lines)


def make_figure(
    batches: Iterable[int] | None = None,
    *,
    log: bool = False,
    legend: bool = False,
    style: RcStyleType | None = None,
    size: tuple[float, float] | None = None,
    title: str | None = None,
    reproduced: Runs | None = None,
    pyplot: bool = False,
) -> Figure:
    """Make a new Figure of the plot, without pyplot unless pyplot is true.

    Asked for nothing else, it is the original figure, to the pixel. log and
    legend are as for `draw`. reproduced, runs from `reproduce`, gives a panel
    for each mini-batch; a mapping from (init, activation) to runs names their
    network, and several are compared, a panel for each activation, over all ten
    mini-batches unless batches says. style is what ``matplotlib.style.use``
    takes; size is in inches, laid out around the type that the style sets. The
    style's savefig settings hold when saving in ``matplotlib.style.context``.
    """
    import matplotlib.figure
    import matplotlib.style

    networks = None if reproduced is None else _networks(reproduced)
    compared = networks is not None and len(networks) > 1
    default = _ALL_BATCHES if compared else REPRESENTATIVE_BATCHES
    chosen = _checked_batches(default if batches is None else batches)
    original = chosen == REPRESENTATIVE_BATCHES and not (log or legend)
    original &= all(value is None for value in (style, size, title, reproduced))
    with matplotlib.style.context(style or {}):
        rc = matplotlib.rcParams  # a see-through figure's legends have no box either
        rc["legend.frameon"] = rc["legend.frameon"] and not rc["savefig.transparent"]
        new: Any = matplotlib.figure.Figure
        if pyplot:
            import matplotlib.pyplot as plt

            new = plt.figure
        fig: Figure = new(figsize=size, layout=None if original else "constrained")
        if title is not None:
            fig.suptitle(_unbroken_math(title), wrap=True)
        if networks is None:
            _draw_plot(fig, chosen, log, legend, original)
        elif compared:
            _draw_comparison(fig, chosen, networks)
        else:
            _draw_panels(fig, chosen, log, legend, networks)
    return fig


def _draw_plot(
    fig: Figure, batches: Sequence[int], log: bool, legend: bool, original: bool
) -> None:
    """Draw one plot, its legend in it where it hides fewest points, or beside it."""
    ax = fig.add_subplot()
    draw(ax, batches, log=log)
    if not original:
        ax.set_xlabel(_X_LABEL)
    if legend and len(batches) <= 3:
        ax.legend(title="mini-batch", framealpha=1)
    elif legend:
        fig.legend(title="mini-batch", loc="outside right center")


def _panels(fig: Figure, rows: int, columns: int, shared: bool) -> Any:
    """Return a grid of panels, with their x label above where a legend would go."""
    import matplotlib

    panels: Any = fig.subfigures()
    panels.supxlabel(_X_LABEL, fontsize=matplotlib.rcParams["axes.labelsize"])
    return panels.subplots(rows, columns, sharex=True, sharey=shared, squeeze=False)


def _legend_below(fig: Figure, handles: Sequence[Artist], title: str | None) -> None:
    """Put a legend below the panels, in as many columns as fit across the figure."""
    import matplotlib
    from matplotlib.font_manager import FontProperties

    em = FontProperties(size=matplotlib.rcParams["legend.fontsize"]).get_size()
    longest = max(len(str(handle.get_label())) for handle in handles)
    fit = int(fig.get_figwidth() * 72 // ((longest / 2 + 5) * em))
    columns = max(1, min(len(handles), fit))
    fig.legend(handles=handles, title=title, ncols=columns, loc="outside lower center")


def _draw_panels(
    fig: Figure, batches: Sequence[int], log: bool, legend: bool, networks: Networks
) -> None:
    """Draw a panel for each mini-batch, with a y axis of its own, so that
    mini-batch 1 flattens none; another network says its growth in each."""
    import matplotlib
    import numpy as np
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    ((network, given),) = networks.items()
    runs = _completed(given)
    colours = _colours()[0]
    rows = 1 if len(batches) <= 4 else 2
    columns = math.ceil(len(batches) / rows)
    grid = _panels(fig, rows, columns, False).flat
    # Titles in full where they fit; else only the first says "mini-batch".
    wide = fig.get_figwidth() * 72 / columns > 11 * matplotlib.rcParams["font.size"]
    for index, (ax, batch) in enumerate(zip(grid, batches)):
        draw(ax, (batch,), reproduced=networks)
        if log:
            _readable_log_scale(ax)
        title = f"mini-batch {batch}" if wide or not index else str(batch)
        ax.set_title(title, fontsize="medium", loc="center" if wide else "left")
        ax.set(xlabel="", ylabel="" if index % columns else _Y_LABEL)
        if index + columns >= len(batches):  # the lowest panel of its column
            ax.xaxis.set_tick_params(labelbottom=True)
        if not len(runs):  # as nothing is drawn
            _note(ax, [("0 runs", colours[batch])])
        elif network != RECORD_NETWORK:  # its growth, short for a small panel
            growth = np.median(_run_growths(runs, (batch,)))
            _note(ax, [(f"×{growth:.2f}", colours[batch])])
    for ax in grid[len(batches) :]:
        ax.remove()
    ink = matplotlib.rcParams["text.color"]
    named = f"{len(runs)} runs"
    if network != RECORD_NETWORK and len(runs):
        growth = np.median(_run_growths(runs, batches))
        named += " of {}, {}: ×{:.2f} per layer".format(*network, growth)
    handles: list[Artist] = [Line2D([], [], c=ink, ls="--", label=f"median of {named}")]
    handles += [Patch(fc=to_rgba(ink, _BAND_ALPHA), label=f"{_BAND_NAME} of the runs")]
    if network == RECORD_NETWORK:
        marks: dict[str, Any] = {"marker": "o", "mfc": "none", "mew": _edge()}
        handles.insert(0, Line2D([], [], c=ink, label=_RECORD, **marks))
    if legend:
        _legend_below(fig, handles, None)


def _draw_comparison(fig: Figure, batches: Sequence[int], networks: Networks) -> None:
    """Draw a panel for each activation, on one logarithmic axis, with each start's
    median and band in its colour, and the record over its own network.

    A run is reduced to the geometric mean of its norms over the mini-batches, so
    that a line's slope is its growth per layer.
    """
    import numpy as np
    from matplotlib.lines import Line2D

    activations = list(dict.fromkeys(activation for _, activation in networks))
    row = _panels(fig, 1, len(activations), True)[0]
    colours = _colours()[1]
    notes: dict[str, list[tuple[str, Any]]] = {name: [] for name in activations}
    heights = []
    for (init, activation), runs in networks.items():
        ax = row[activations.index(activation)]
        done = _completed(runs)
        means = _means(done, batches)
        _spread(ax, means, colours[init], f"{init}, {activation}")
        growth = f"×{np.median(_run_growths(done, batches)):.2f}" if len(done) else "—"
        notes[activation].append((f"{growth} ({len(done)})", colours[init]))
        if len(done) and len(done) >= len(runs) / 10:
            heights += list(np.median(means, axis=0))
        if (init, activation) == RECORD_NETWORK:
            means = _means(np.array([NABLA_W_NORMS]), batches)[0]
            marks: dict[str, Any] = {"c": colours[init], "mfc": "none", "mew": _edge()}
            ax.plot(_LAYERS, means, "o", **marks, label=_RECORD)
            heights += list(means)
    if heights:
        row[0].set_ylim(min(heights) / 2, max(heights) * 2)
    for ax, activation in zip(row, activations):
        ax.set(title=activation, xticks=_LAYERS)
        _readable_log_scale(ax)
        _note(ax, notes[activation])
    row[0].set_ylabel(_Y_LABEL)
    inits = dict.fromkeys(init for init, _ in networks)
    handles = [Line2D([], [], c=colours[init], ls="--", label=init) for init in inits]
    handles += [line for ax in row for line in ax.lines if line.get_label() == _RECORD]
    each = len(next(iter(networks.values())))
    title = f"first weights: median and {_BAND_NAME} of {each} runs\n"
    _legend_below(
        fig, handles, title + "in each panel: growth per layer (runs trained)"
    )


# -- Reproducing the record: as backprop2 trained it in 2013 (README, "Reproducing") -

_SIZES = (784, 30, 30, 30, 30, 30, 10)
_ETA = 0.01
_LAMBDA = 0.05
_EXAMPLES = 1000
_BATCH_SIZE = 100
_RUNS = 100  # the runs that `reproduce` and --reproduce train, unless told
_SEED = 0  # the first run's, unless told
_RUNS_AT_ONCE = 8  # trained side by side, as one product: fast, and memory small
_MNIST_SHA256 = {
    "images": "386bb018796babeaca208787b77c1b9db39532c4098951ea35f4694e744eb4b7",
    "labels": "895f65588e45d05babf0b5fa7aee2a0d782d8143b40b5764e596df91bc9dddeb",
}
# Each start, for a layer of y neurons fed by x: the numbers whose square roots its
# first N(0,1) weights and biases are divided by, and what --help says of it.
INITIALISATIONS: dict[str, tuple[Callable[[int, int], tuple[int, int]], str]] = {
    "backprop2": (lambda x, y: (y, y), "N(0,1)/√y, as in 2013"),
    "fan-in": (lambda x, y: (x, 1), "N(0,1)/√x"),
    "standard": (lambda x, y: (1, 1), "N(0,1)"),
}


def _activate(z: Array, activation: str) -> None:
    """Make z the activation of z, in place; sigmoid's e^-z may overflow to inf."""
    import numpy as np

    if activation == "sigmoid":  # 1 / (1 + e^-z)
        np.exp(np.negative(z, out=z), out=z)
        z += 1.0
        np.reciprocal(z, out=z)
    elif activation == "tanh":
        np.tanh(z, out=z)
    else:  # relu
        np.maximum(z, 0.0, out=z)


# Each activation of the hidden layers, and its slope as a function of its value a.
ACTIVATIONS: dict[str, Callable[[Array], Any]] = {
    "sigmoid": lambda a: a * (1 - a),
    "tanh": lambda a: 1 - a * a,
    "relu": lambda a: a > 0,
}


def reproduce(
    runs: int = _RUNS,
    *,
    seed: int = _SEED,
    init: str = RECORD_NETWORK[0],
    activation: str = RECORD_NETWORK[1],
    data: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> Array:
    """Train the network as the record was made, runs times; return the norms.

    The shape is (runs, 10, 6); run i starts from seed ``seed + i``. init and
    activation name the start and the hidden layers (`INITIALISATIONS`,
    `ACTIVATIONS`), data MNIST's folder, and progress is told the runs done.
    """
    import functools
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    network = (INITIALISATIONS[init][0], (activation, ACTIVATIONS[activation]))
    images, labels = _load_mnist(data)
    used = np.any(images, axis=0)  # a fifth of the pixels are blank in every image
    mnist = (images.compress(used, axis=1), np.eye(10)[labels], used)
    train = functools.partial(_train, seed=seed, network=network, mnist=mnist)
    chunks = [range(runs)[i : i + _RUNS_AT_ONCE] for i in range(0, runs, _RUNS_AT_ONCE)]
    result = np.empty((runs, len(NABLA_W_NORMS), len(_SIZES) - 1))
    # The products are small: a BLAS thread each, and the runs shared by the cores.
    with threadpool_limits(1, user_api="blas"):
        pool = ThreadPoolExecutor(os.cpu_count())
        try:
            for chunk, norms in zip(chunks, pool.map(train, chunks)):
                result[chunk.start : chunk.stop] = norms
                if progress is not None:
                    progress(chunk.stop, runs)
        finally:  # when stopped, no further chunk starts
            pool.shutdown(cancel_futures=True)
    return result


def _train(chunk: range, *, seed: int, network: Any, mnist: Any) -> Array:
    """Train the chunk's runs for one epoch, side by side; return the norms of each."""
    import numpy as np

    scale, activation = network
    images, targets, used = mnist
    rngs = [np.random.default_rng(seed + run) for run in chunk]
    layers = [(x, y, *scale(x, y)) for x, y in zip(_SIZES, _SIZES[1:])]
    # Biases, then weights y by x, then the order of examples, as in 2013; each
    # layer stacked as (run, from, to), one product for all examples and runs.
    biases = [
        np.stack([rng.standard_normal(y) / np.sqrt(b) for rng in rngs])[:, None]
        for _, y, _, b in layers
    ]
    weights = [
        np.stack([(rng.standard_normal((y, x)) / np.sqrt(w)).T for rng in rngs])
        for x, y, w, _ in layers
    ]
    orders = np.stack([rng.permutation(_EXAMPLES) for rng in rngs])
    weights[0] = weights[0].compress(used, axis=1)
    norms = np.empty((len(chunk), len(NABLA_W_NORMS), len(weights)))
    x = np.empty((len(chunk), _BATCH_SIZE, images.shape[1]))
    keep = 1 - _ETA * _LAMBDA * _BATCH_SIZE / _EXAMPLES  # what L2 leaves of a weight
    with np.errstate(over="ignore", invalid="ignore"):
        for k, batch in enumerate(np.split(orders, len(norms[0]), axis=1)):
            np.multiply(images[batch], 1 / 256, out=x)  # as in 2013, not / 255
            nablas = _gradients(weights, biases, x, targets[batch], activation)
            for layer, (gw, gb) in enumerate(zip(*nablas)):
                # A dot product per run: the same bits however many runs train
                # together, and on every numpy (np.linalg.norm's differ).
                flat = gw.reshape(len(gw), 1, -1)
                norms[:, k, layer] = np.sqrt(flat @ flat.transpose(0, 2, 1)).ravel()
                weights[layer] *= keep
                weights[layer] -= np.multiply(gw, _ETA, out=gw)
                biases[layer] -= np.multiply(gb, _ETA, out=gb)
    return norms


def _gradients(
    weights: list[Array], biases: list[Array], x: Array, y: Array, activation: Any
) -> tuple[list[Array], list[Array]]:
    """Return ∇C_w and ∇C_b of the cross-entropy cost, summed over x, each run's."""
    name, slope = activation
    outputs = [x]
    for layer, (w, b) in enumerate(zip(weights, biases)):
        z = outputs[-1] @ w
        z += b  # the output layer is a sigmoid in every network
        _activate(z, "sigmoid" if layer == len(weights) - 1 else name)
        outputs.append(z)
    delta = outputs[-1] - y  # the cross-entropy cost's, at a sigmoid output
    nabla_w, nabla_b = [], []
    for layer in reversed(range(len(weights))):
        nabla_w.append(outputs[layer].transpose(0, 2, 1) @ delta)
        nabla_b.append(delta.sum(axis=1, keepdims=True))
        if layer:
            delta = delta @ weights[layer].transpose(0, 2, 1)
            delta *= slope(outputs[layer])
    return nabla_w[::-1], nabla_b[::-1]


def _load_mnist(data: str | os.PathLike[str] | None = None) -> tuple[Any, Any]:
    """Return the bytes of MNIST's first 1,000 training images, and their labels,
    from data: by default data/ beside this file, or in the current folder."""
    import gzip
    import hashlib
    import zlib

    import numpy as np

    folder = data or os.path.join(os.path.dirname(_SCRIPT or ""), "data")
    records = {}
    for kind, dims, header, size in [("images", 3, 16, 784), ("labels", 1, 8, 1)]:
        names = [f"train-{kind}{part}-idx{dims}-ubyte" for part in ("-first-1000", "")]
        paths = [os.path.join(folder, n + end) for n in names for end in (".gz", "")]
        path = next((path for path in paths if os.path.exists(path)), None)
        if path is None:
            where = f"{os.path.abspath(folder)!r}, gzipped or not"
            hint = "(--data DIR, data=...)"
            raise FileNotFoundError(f"no {' or '.join(names)} in {where} {hint}")
        with open(path, "rb") as file:
            gzipped = file.peek(2)[:2] == b"\x1f\x8b"
            try:  # the first 1,000 records only
                opened = gzip.GzipFile(fileobj=file) if gzipped else file
                raw = opened.read(header + _EXAMPLES * size)
            except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
                raise ValueError(f"{path!r}: not a whole gzip file ({exc})") from None
        # The hash is of a file of 1,000 records: the records read, after a header
        # that says 1,000, as the shipped files' does and MNIST's own 60,000 do not.
        own = raw[:4] + _EXAMPLES.to_bytes(4, "big") + raw[8:]
        if hashlib.sha256(own).hexdigest() != _MNIST_SHA256[kind]:
            raise ValueError(f"{path!r}: not MNIST's training {kind}, or cut short")
        records[kind] = np.frombuffer(raw[header:], np.uint8)
    return records["images"].reshape(_EXAMPLES, -1), records["labels"]


class Agreement:
    """Where the record sits among runs of its network that `reproduce` gave.

    Attributes: runs, left_out, values, inside (the 5–95 % band) and the growth
    per layer: growth (the record's), growth_median, growth_band (the runs').
    """

    def __init__(self, reproduced: ArrayLike) -> None:
        import numpy as np

        given = np.asarray(reproduced, dtype=float)
        runs = _completed(given)
        recorded = np.array(NABLA_W_NORMS)
        low, high = np.percentile(runs, _BAND, axis=0)
        growths = _run_growths(runs, _ALL_BATCHES)
        self.runs = len(runs)
        self.left_out = len(given) - len(runs)
        self.values = recorded.size
        self.inside = int(((low <= recorded) & (recorded <= high)).sum())
        self.growth = float(_run_growths(recorded[None], _ALL_BATCHES)[0])
        self.growth_median = float(np.median(growths))
        self.growth_band = tuple(float(g) for g in np.percentile(growths, _BAND))

    def __str__(self) -> str:
        runs = f"the {_BAND_NAME} band of {self.runs} runs"
        if self.left_out:
            runs += f" ({self.left_out} more diverged or lost a layer's gradient)"
        inside = f"{self.inside} of the {self.values} recorded values lie within {runs}"
        band = "{}: {:.2f}–{:.2f}".format(_BAND_NAME, *self.growth_band)
        growths = f"×{self.growth:.2f}, reproduced ×{self.growth_median:.2f} ({band})"
        return f"{inside}\ngrowth per layer: recorded {growths}"


def _summary(networks: Networks, batches: Iterable[int] | None = None) -> str:
    """Return where the record sits among its network's runs, or a table of each
    network's growth per layer over the mini-batches, all ten unless asked."""
    import numpy as np

    if list(networks) == [RECORD_NETWORK]:
        return f"{Agreement(networks[RECORD_NETWORK])}\n"
    lines = [
        f"| `--init` | `--activation` | growth per layer | {_BAND_NAME} | left out |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for (init, activation), runs in networks.items():
        growths = _run_growths(_completed(runs), batches or _ALL_BATCHES)
        median = f"×{np.median(growths):.2f}" if len(growths) else "—"
        band = "—"
        if len(growths) > 1:
            band = "{:.2f}–{:.2f}".format(*np.percentile(growths, _BAND))
        row = [f"`{init}`", f"`{activation}`", median, band, len(runs) - len(growths)]
        lines.append(f"| {' | '.join(map(str, row))} |")
    record = _run_growths(np.array([NABLA_W_NORMS]), batches or _ALL_BATCHES)[0]
    made = "The record, made with {} and {}".format(*RECORD_NETWORK)
    return "\n".join([*lines, "", f"{made}: ×{record:.2f} per layer", ""])


# -- Writing files ----------------------------------------------------------------

# Each format that matplotlib writes without LaTeX: which of `metadata`'s kinds it
# takes, if any, and the most pixels it holds on a side (a vector format, none).
_FORMATS: dict[str, tuple[str | None, int]] = {
    "png": ("png", 2**23 - 1), "raw": (None, 2**23 - 1), "rgba": (None, 2**23 - 1),
    "tif": (None, 2**23 - 1), "tiff": (None, 2**23 - 1), "jpg": (None, 65_500),
    "jpeg": (None, 65_500), "gif": (None, 65_535), "avif": (None, 65_536),
    "webp": (None, 16_383), "pdf": ("pdf", 0), "svg": ("svg", 0),
    "svgz": ("svg", 0), "eps": ("eps", 0), "ps": ("ps", 0),
}  # fmt: skip
_TITLE = "The norm of the weight gradient of each hidden layer"
_SOURCE = (
    "The numbers are Michael Nielsen's norms of the unregularized weight gradient "
    "of a 784-30-30-30-30-30-10 sigmoid network on MNIST (ten mini-batches of 100, "
    "eta = 0.01, lambda = 0.05), from fig/backprop_magnitude_nabla.py in his "
    "neural-networks-and-deep-learning repository (MIT licence, copyright (c) "
    "2012-2015 Michael Nielsen)."
)


class _Failure(Exception):
    """What could not be done, said in one line, with exit status 1."""


def metadata(
    fmt: str, *, title: str | None = None, notes: str = ""
) -> dict[str, str | None]:
    """Return what a figure's file says about itself, for savefig(metadata=...).

    fmt is png, pdf, svg, eps or ps. The title says what the figure shows, and
    notes follow where its numbers come from. PostScript takes only the name of
    its creator; PDF and SVG say no date, so that a figure gives the same bytes.
    """
    if fmt in ("eps", "ps"):
        return {"Creator": _PROG}
    key = "Subject" if fmt == "pdf" else "Description"
    undated = {"pdf": {"CreationDate": None}, "svg": {"Date": None}}.get(fmt, {})
    return {"Title": title or _TITLE, key: f"{_SOURCE} {notes}".strip(), **undated}


def _format(path: str) -> str:
    """Return the format that a path's extension names."""
    return os.path.splitext(path)[1][1:].lower()


def _render(fig: Figure, path: str, dpi: float | None, title: Any, notes: str) -> bytes:
    """Return fig as the bytes of the file that path names, the same each time."""
    import gzip
    import io
    import re

    import matplotlib
    import numpy as np
    from matplotlib.colors import to_rgb

    fmt = _format(path)
    kind = _FORMATS[fmt][0]
    # PostScript has no transparency: each see-through face becomes an opaque tint.
    faces = []
    background = np.array(to_rgb(matplotlib.rcParams["axes.facecolor"]))
    for artist in fig.findobj(lambda a: kind in ("eps", "ps") and a is not fig):
        face: Any = getattr(artist, "get_facecolor", lambda: [])()
        alpha = np.array(face, ndmin=2)[:, 3:]
        if ((alpha > 0) & (alpha < 1)).any():
            tints = alpha * np.array(face, ndmin=2)[:, :3] + (1 - alpha) * background
            opaque = np.hstack([tints, np.ones_like(alpha)])
            artist.set_facecolor(opaque if np.ndim(face) == 2 else opaque[0])  # type: ignore[attr-defined]
            faces.append((artist, face))
    try:
        with matplotlib.rc_context({"svg.hashsalt": _PROG}):  # ids from a fixed salt
            said = metadata(kind, title=title, notes=notes) if kind else None
            buffer = io.BytesIO()
            saved = "svg" if fmt == "svgz" else fmt
            fig.savefig(buffer, format=saved, dpi=dpi, metadata=said)
    finally:
        for artist, face in faces:
            artist.set_facecolor(face)  # type: ignore[attr-defined]
    data = buffer.getvalue()
    if fmt == "svgz":  # matplotlib's own gzip header would carry the time
        data = gzip.compress(data, mtime=0)
    if kind in ("eps", "ps"):  # and its PostScript, the date
        data = re.sub(rb"%%CreationDate: .*\n", b"", data, count=1)
    return data


@contextlib.contextmanager
def _writing(path: str) -> Iterator[None]:
    """Say in one line that path cannot be written, and why."""
    try:
        yield
    except OSError as exc:
        raise _Failure(f"cannot write {path!r}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _files(paths: Iterable[str]) -> Iterator[dict[str, bytes]]:
    """Make an empty file beside the file that each path names; take the bytes of
    each, then write them all, and move each file into place and print its path."""
    import shutil

    files = dict.fromkeys(paths, b"")
    temporaries = {}
    try:
        for path in files:
            folder = os.path.dirname(os.path.realpath(path))  # links followed
            temporaries[path] = os.path.join(folder, f".nabla-{os.urandom(6).hex()}")
            with _writing(path), open(temporaries[path], "xb"):
                pass
        yield files
        for path, data in files.items():
            with _writing(path), open(temporaries[path], "wb") as file:
                file.write(data)
                if os.path.exists(path):
                    shutil.copymode(path, temporaries[path])
        for path, temporary in temporaries.items():
            with _writing(path):
                os.replace(temporary, os.path.realpath(path))
            print(path)
    finally:
        for temporary in temporaries.values():
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)


# -- The command line -------------------------------------------------------------

_DEFAULT_OUTPUT = "nabla_magnitudes.png"
# The oldest release of each package that works, as requirements.txt asks.
_OLDEST = {"matplotlib": (3, 9), "numpy": (1, 23), "threadpoolctl": (3, 1)}
_MAX_PIXELS = 10**8  # in a raster: A3 at 600 dpi is 70 million
# TrueType fonts in PDF and PostScript, which journals take, unless a style says.
_FONTS = {"pdf.fonttype": 42, "ps.fonttype": 42}


def _between(low: float, high: float, kind: Any = float) -> Callable[[str], Any]:
    """Return a function that reads a number of the kind, from low to high."""

    def number(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = math.nan
        if not low <= value <= high:
            expected = f"expected a number from {low:,} to {high:,}"
            raise argparse.ArgumentTypeError(f"{expected}, not {text!r}")
        return value

    return number


def _size(text: str) -> tuple[float, float]:
    """Return the width and height, in inches, that W,H gives."""
    width, comma, height = text.partition(",")
    if not comma:
        raise argparse.ArgumentTypeError(f"expected W,H in inches, not {text!r}")
    return _between(0.1, 1000)(width), _between(0.1, 1000)(height)


def _batches(spec: str) -> range:
    """Return the mini-batches that a number, or a range like 7-9, names."""
    low, _, high = spec.partition("-")
    first, last = (_between(1, 10, int)(end) for end in (low, high or low))
    if first > last:
        raise argparse.ArgumentTypeError(f"{spec!r} is not a range like 7-9")
    return range(first, last + 1)


def _text(text: str) -> str:
    """Return text, if a file can hold it: no control character but the newline,
    and no byte that is not text."""
    import unicodedata

    if any(unicodedata.category(c) in ("Cc", "Cs") for c in text.replace("\n", "")):
        problem = "holds a control character or a byte that is not text"
        raise argparse.ArgumentTypeError(f"{text!r} {problem}")
    return text


def _output(path: str) -> str:
    """Return path, if its extension names a format that matplotlib writes."""
    if _format(path) not in _FORMATS:
        formats = ", ".join(_FORMATS)
        csv = " (for CSV: --csv > PATH)" if _format(path) == "csv" else ""
        raise argparse.ArgumentTypeError(f"{path!r} names no format of {formats}{csv}")
    return _text(path)


def _parser() -> argparse.ArgumentParser:
    """Return the parser of the command line."""
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Plot the norm of the weight gradient of each hidden layer, as "
        "Michael Nielsen recorded it for a 784-30-30-30-30-30-10 network on MNIST.",
    )
    batches = "mini-batches, like 2 7-9 (default: 7 8 9 to draw a network, all ten "
    batches += "with --csv or to compare networks)"
    add = parser.add_argument
    add("--batches", nargs="+", type=_batches, metavar="SPEC", help=batches)
    add = parser.add_mutually_exclusive_group().add_argument  # files, or the CSV
    output = "write to PATH, in its extension's format; repeatable (default: a "
    output += f"window, or {_DEFAULT_OUTPUT} where none can open)"
    add("-o", "--output", action="append", type=_output, metavar="PATH", help=output)
    csv = "print the norms as CSV, where hidden layer l is layer_(l+1)"
    add("--csv", action="store_true", help=csv)
    add = parser.add_argument_group("reproducing the record").add_argument
    runs = f"train each network RUNS times, 2 to 10,000 (default: {_RUNS})"
    count = _between(2, 10_000, int)
    add("--reproduce", nargs="?", const=_RUNS, type=count, metavar="RUNS", help=runs)
    seed = f"the first run's seed (default: {_SEED})"
    add("--seed", type=_between(0, 10**9, int), default=_SEED, help=seed)
    starts = "; ".join(f"{name} {it}" for name, (_, it) in INITIALISATIONS.items())
    starts = f"first weights of y neurons fed by x: {starts} (default: backprop2)"
    add("--init", nargs="+", choices=INITIALISATIONS, metavar="INIT", help=starts)
    hidden = f"hidden layers: {', '.join(ACTIVATIONS)} (default: sigmoid); "
    hidden += "several starts or activations are compared"
    add("--activation", nargs="+", choices=ACTIVATIONS, metavar="ACT", help=hidden)
    data = "MNIST's folder (default: the script's data/)"
    add("--data", type=_text, metavar="DIR", help=data)
    add = parser.add_argument_group("drawing").add_argument
    dpi = "resolution of raster files, 10 to 10,000 (default: 100)"
    add("--dpi", type=_between(10, 10_000), help=dpi)
    clear = "no background, and no box around the legend"
    add("--transparent", action="store_true", help=clear)
    add("--size", type=_size, metavar="W,H", help="inches, 0.1 to 1,000: 6.4,3.6")
    add("--title", type=_text, metavar="TEXT", help="a title")
    add("--log", action="store_true", help="a logarithmic y axis")
    add("--legend", action="store_true", help="a legend")
    style = "a matplotlib style's name or file, or a setting KEY=VALUE; repeatable"
    add("--style", action="append", default=[], type=_text, help=style)
    return parser


def _arguments(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Return the options given; refuse a start or an activation without
    --reproduce, which would draw the record alone."""
    args = parser.parse_args(argv)
    for name in ("init", "activation"):
        if getattr(args, name) and args.reproduce is None:
            parser.error(f"argument --{name}: only with --reproduce")
    args.batches = tuple(sorted({b for spec in args.batches or () for b in spec}))
    return args


def _require(*names: str) -> None:
    """Import the packages that the work needs; refuse one missing or too old."""
    import importlib

    install = "pip install -r requirements.txt"
    for name in names:
        try:
            version = importlib.import_module(name).__version__
        except ModuleNotFoundError as exc:  # other ImportErrors speak for themselves
            raise _Failure(f"{exc}: {install}") from None
        if tuple(map(int, version.split(".")[:2])) < _OLDEST[name]:
            oldest = ".".join(map(str, _OLDEST[name]))
            raise _Failure(f"{name} {version} is older than {oldest}: {install}")


@contextlib.contextmanager
def _settings(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> Iterator[list[Any]]:
    """Use TrueType fonts, the styles and settings in order, then --transparent,
    until the files are saved; give the styles, and refuse a title that does not
    parse."""
    _require("matplotlib", "numpy")
    import matplotlib.style
    from matplotlib.cbook import is_math_text
    from matplotlib.mathtext import MathTextParser

    styles: list[Any] = []
    for style in args.style:  # a setting KEY=VALUE, or a style's name or file
        key, equals, value = style.partition("=")
        styles.append({key: value} if equals and key in matplotlib.rcParams else style)
    for style in filter(os.path.isfile, args.style):  # matplotlib would skip a value
        try:
            matplotlib.rc_params_from_file(
                style, fail_on_error=True, use_default_template=False
            )
        except ValueError as exc:
            raise _Failure(f"argument --style: {style!r}: {exc}") from None
    transparent = {"savefig.transparent": True} if args.transparent else {}
    with matplotlib.rc_context():
        try:
            matplotlib.style.use([_FONTS, *styles, transparent])
        except (OSError, ValueError) as exc:  # a style missing, or a value refused
            parser.error(f"argument --style: {exc}")
        for line in (args.title or "").split("\n"):
            try:
                if is_math_text(line):
                    MathTextParser("path").parse(line)
            except ValueError as exc:
                said = " ".join(str(exc).split())
                raise _Failure(f"argument --title: {said}") from None
        yield styles


def _outputs(args: argparse.Namespace) -> list[str]:
    """Return the paths to write: those of -o or, where pyplot cannot open a
    window, the default PNG; refuse a format this matplotlib lacks (GIF and AVIF
    came after 3.9), or a raster too large to draw."""
    import matplotlib
    from matplotlib.backend_bases import FigureCanvasBase

    outputs = list(dict.fromkeys(args.output or []))
    if not outputs:
        import matplotlib.pyplot  # it chooses the backend
        from matplotlib.backends.registry import BackendFilter, backend_registry

        writers = backend_registry.list_builtin(BackendFilter.NON_INTERACTIVE)  # type: ignore[no-untyped-call]
        if matplotlib.get_backend().lower() in writers:
            outputs = [_DEFAULT_OUTPUT]
    rc = matplotlib.rcParams
    dpi = args.dpi or rc["savefig.dpi"]
    dpi = rc["figure.dpi"] if dpi == "figure" else dpi
    width, height = (side * dpi for side in args.size or rc["figure.figsize"])
    for path in outputs:
        if _format(path) not in FigureCanvasBase.get_supported_filetypes():
            version = f"matplotlib {matplotlib.__version__} writes no {_format(path)}"
            raise _Failure(f"{path!r}: {version}: pip install -U matplotlib")
        side = _FORMATS[_format(path)][1]
        if side and (width * height > _MAX_PIXELS or max(width, height) > side):
            size = f"{width:,.0f}×{height:,.0f} pixels at {dpi:g} dpi"
            limit = f"at most {_MAX_PIXELS:,} in all, and {side:,} on a side"
            raise _Failure(f"{path!r} would be {size}: {limit}")
    return outputs


def _training(args: argparse.Namespace) -> Networks:
    """Train each start of --init with each activation of --activation, saying on a
    terminal how many runs are done."""
    _require("numpy", "threadpoolctl")
    try:  # the data, checked once before any training
        _load_mnist(args.data)
    except (OSError, ValueError) as exc:  # a file missing, unreadable or damaged
        raise _Failure(str(exc)) from None
    inits = dict.fromkeys(args.init or RECORD_NETWORK[:1])
    activations = dict.fromkeys(args.activation or RECORD_NETWORK[1:])
    pairs = [(init, act) for init in inits for act in activations]
    trained: Networks = {}

    def progress(done: int, runs: int) -> None:
        done += len(trained) * runs
        said = f"\rtraining: {done} of {len(pairs) * runs} runs"
        print(said, end="", file=sys.stderr, flush=True)

    shown = sys.stderr is not None and sys.stderr.isatty()
    try:
        for init, act in pairs:
            trained[init, act] = reproduce(
                args.reproduce, seed=args.seed, init=init, activation=act,
                data=args.data, progress=progress if shown else None,
            )  # fmt: skip
    finally:
        if shown:  # the progress line ends, stopped or not
            print(file=sys.stderr)
    return trained


def _csv_text(args: argparse.Namespace) -> str:
    """Return the record, or the runs that the options ask for, as CSV."""
    batches = args.batches or _ALL_BATCHES
    if args.reproduce is None:
        return table_csv(batches)
    networks = _training(args)
    several = len(networks) > 1  # then each row names its network
    columns = "run,seed," + ("init,activation," if several else "") + "mini_batch"
    rows = [
        (run, args.seed + run, *(network if several else ()), batch, *norms[batch - 1])
        for network, runs in networks.items()
        for run, norms in enumerate(runs.tolist())
        for batch in batches
    ]
    return _csv(columns, rows)


def _provenance(args: argparse.Namespace, argv: list[str]) -> str:
    """Return how the files were made: the code's hash, and the command with each
    path in it cut to its last part, so that no folder of the user's goes out."""
    import hashlib
    import shlex

    words = [_PROG, *argv]
    for path in filter(None, [*(args.output or []), *args.style, args.data]):
        cut = os.path.basename(os.path.normpath(path))
        words = [w[: -len(path)] + cut if w.endswith(path) else w for w in words]
    code = "pasted in, with no file to hash"
    if _SCRIPT is not None and os.path.isfile(_SCRIPT):
        with open(_SCRIPT, "rb") as file:
            code = f"SHA-256 {hashlib.sha256(file.read()).hexdigest()[:12]}"
    runs = "" if args.reproduce is None else f" Run i from seed {args.seed} + i."
    return f"Made with {shlex.join(words)} ({_PROG}: {code}).{runs}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with argv (default sys.argv[1:]); return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _parser()
    try:
        args = _arguments(parser, argv)
        if sys.stdout is None:  # closed as the program started
            raise _Failure("cannot write to standard output: it is closed")
        if args.csv:
            print(_csv_text(args), end="")
            return 0
        with _settings(parser, args) as styles, _files(_outputs(args)) as files:
            networks = None if args.reproduce is None else _training(args)
            views = dict(log=args.log, legend=args.legend, size=args.size)
            views.update(title=args.title, style=styles or None, reproduced=networks)
            fig = make_figure(args.batches or None, **views, pyplot=not files)
            summary = "" if networks is None else _summary(networks, args.batches)
            notes = f"{_provenance(args, argv)} {summary}"
            for path in files:
                files[path] = _render(fig, path, args.dpi, args.title, notes)
            print(summary, end="")
        if not files:  # a window, or a notebook's cell
            import matplotlib.pyplot as plt

            plt.show()
    except SystemExit as exc:  # argparse has printed its usage, or the help
        return int(exc.code or 0)
    except _Failure as exc:
        print(f"{_PROG}: error: {exc}", file=sys.stderr)
        return 1
    finally:  # all that was printed, or an error
        if sys.stdout is not None:
            sys.stdout.flush()
    return 0


# -- The entry point --------------------------------------------------------------

if __name__ == "__main__":
    ipython = sys.modules.get("IPython")
    if ipython and ipython.get_ipython():  # a notebook's cell, or %run: no exit
        own = os.path.basename(globals().get("__file__", ""))
        main(sys.argv[1:] if os.path.basename(sys.argv[0]) == own else [])
    else:
        import signal

        signal.signal(signal.SIGTERM, signal.default_int_handler)  # as Ctrl-C
        try:
            sys.exit(main())
        except KeyboardInterrupt:
            sys.exit(f"{_PROG}: error: stopped")
        except BrokenPipeError:  # `--csv | head`: the reader has gone, quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
