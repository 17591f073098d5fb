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

Michael Nielsen trained a 784-30-30-30-30-30-10 sigmoid network on 1,000 MNIST
images, ten mini-batches of 100 with eta = 0.01 and lambda = 0.05, and recorded
the norm of each weight layer's unregularized gradient: `NABLA_W_NORMS`, from
fig/backprop_magnitude_nabla.py in his neural-networks-and-deep-learning
repository (MIT licence, copyright (c) 2012-2015 Michael Nielsen). His figure,
drawn here to the pixel, plots mini-batches 7, 8 and 9 over the hidden layers;
the first and last layers meet 784 inputs and 10 outputs, not 30 neurons. The
gradient shrinks about fourfold per layer toward the input. `reproduce` trains
the network again, from his start or another, with sigmoid, tanh or ReLU hidden
layers; `make_figure` draws the record over the runs, or compares networks.

Run ``python plot_nabla_magnitudes.py --help``, or ``%run`` it in a notebook.
From Python, with this file's folder current or on ``sys.path``::

    import plot_nabla_magnitudes as pnm

    fig = pnm.make_figure(reproduced=pnm.reproduce(30), log=True, legend=True)
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
    """Return the mini-batches, if each is from 1 to 10.

    Python would read mini-batch 0 as the last, so it is refused.
    """
    checked = tuple(batches)
    for batch in checked:
        if batch not in _ALL_BATCHES:
            raise ValueError(f"a mini-batch must be from 1 to 10, not {batch}")
    return checked


def hidden_layer_norms(batch: int) -> tuple[float, ...]:
    """Return the four hidden-layer norms of a mini-batch (1 to 10)."""
    (batch,) = _checked_batches([batch])
    return NABLA_W_NORMS[batch - 1][_HIDDEN]


def _growth(first: Any, last: Any) -> Any:
    """Return the growth per layer: the geometric mean of the ratios."""
    return (last / first) ** (1 / (len(_LAYERS) - 1))


def growth_per_layer(batch: int) -> float:
    """Return how many times a mini-batch's norm grows per hidden layer."""
    norms = hidden_layer_norms(batch)
    return float(_growth(norms[0], norms[-1]))


def table_csv(batches: Iterable[int] = _ALL_BATCHES) -> str:
    """Return the recorded norms of the mini-batches, all six layers, as CSV."""
    rows = [(batch, *NABLA_W_NORMS[batch - 1]) for batch in _checked_batches(batches)]
    return _csv("mini_batch", rows)


def _csv(columns: str, rows: Iterable[Sequence[object]]) -> str:
    """Return rows as CSV, each float in the shortest form that reads back the same."""
    lines = [",".join([columns, *(f"layer_{n}" for n in range(1, 7))])]
    lines += [",".join(map(str, row)) for row in rows]
    return "\n".join(lines) + "\n"


def _networks(reproduced: Runs) -> Networks:
    """Return the runs of each network; an array alone holds the record network's."""
    from collections.abc import Mapping

    import numpy as np

    given: Any = reproduced
    if not isinstance(reproduced, Mapping):
        given = {RECORD_NETWORK: reproduced}
    return {network: np.asarray(runs, dtype=float) for network, runs in given.items()}


def _completed(runs: Array) -> Array:
    """Return the runs that trained to the end: every norm finite and positive."""
    import numpy as np

    return runs[(np.isfinite(runs) & (runs > 0)).all(axis=(1, 2))]


def _means(runs: Array, batches: Iterable[int]) -> Array:
    """Return each run's hidden-layer norms, as geometric means over the batches."""
    import numpy as np

    hidden = runs[:, [batch - 1 for batch in batches], _HIDDEN]
    return np.exp(np.log(hidden).mean(axis=1))  # type: ignore[no-any-return]


def _run_growths(runs: Array, batches: Iterable[int]) -> Array:
    """Return each run's growth per layer over the mini-batches."""
    means = _means(runs, batches)
    return _growth(means[:, 0], means[:, -1])  # type: ignore[no-any-return]


# -- The figure -------------------------------------------------------------------

# Under the default or classic cycle: 7-9 the original's red, green and blue.
_OWN_COLOURS = {
    7: "r", 8: "g", 9: "b",
    1: "tab:orange", 2: "tab:purple", 3: "tab:brown", 4: "tab:pink",
    5: "tab:gray", 6: "tab:olive", 10: "tab:cyan",
}  # fmt: skip
# Networks compared, in turn: Paul Tol's "muted" colours, which colour-blind
# readers tell apart, ordered so that three in a row differ most.
_NETWORK_COLOURS = (
    "#332288", "#CC6677", "#DDCC77", "#117733", "#AA4499",
    "#88CCEE", "#882255", "#44AA99", "#999933",
)  # fmt: skip
_Y_LABEL = r"$\Vert\nabla C^l_w\Vert$"
# Every figure but the original says where the input is, and the CSV's column.
_X_LABEL = "Hidden layer $l$ from the input (CSV: layer_$l{+}1$)"
_BAND_ALPHA = 0.25  # how strong a band is: see-through, but in PostScript
# Each size of text that a style sets, in points or relative to font.size.
_TEXT_SIZES = (
    "font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize",
    "ytick.labelsize", "legend.fontsize", "legend.title_fontsize",
    "figure.titlesize", "figure.labelsize",
)  # fmt: skip


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
    axis, and each label the growth per layer. With reproduced, the runs of one
    network from `reproduce`, each line lies over its runs' 5–95 % band. Runs of
    another network, a mapping from (init, activation) to runs, are drawn
    without the record, which was made with `RECORD_NETWORK`.
    """
    network, runs = RECORD_NETWORK, None
    if reproduced is not None:
        ((network, runs),) = _networks(reproduced).items()
        runs = _completed(runs)
    drawn = _draw(ax, _checked_batches(batches), log, runs, network)
    if legend:
        ax.legend(title="mini-batch")
    return drawn


def _run_labels(runs: int, network: tuple[str, str]) -> tuple[str, str]:
    """Return a legend's words for a band and a median, naming another network."""
    named = "" if network == RECORD_NETWORK else " of {}, {}".format(*network)
    return f"{_BAND_NAME} of {runs} runs{named}", f"median of {runs} runs{named}"


def _draw(
    ax: Axes, batches: Sequence[int], log: bool, runs: Array | None, network: Any
) -> list[Artist]:
    """Draw the mini-batches on ax, over the bands of their runs if there are runs.

    The record is drawn only over runs of its own network.
    """
    colours = _batch_colours()
    recorded = runs is None or network == RECORD_NETWORK
    drawn: list[Artist] = []
    for batch in batches:
        colour = colours[batch]
        if runs is not None:  # only the first mini-batch's go into a legend
            band, median = _run_labels(len(runs), network)
            if batch != batches[0]:
                band = median = ""
            labels = (band, median if recorded else f"{batch}")
            drawn += _spread(ax, runs[:, batch - 1, _HIDDEN], colour, labels)
        if recorded:
            growth = f" (×{growth_per_layer(batch):.1f} per layer)" if log else ""
            # Over a band, hollow markers leave the band and the median in sight.
            face = colour if runs is None else "none"
            norms, label = hidden_layer_norms(batch), f"{batch}{growth}"
            drawn += ax.plot(_LAYERS, norms, "o-", color=colour, mfc=face, label=label)
    ax.set(xlabel="Layer $l$", ylabel=_Y_LABEL, xticks=_LAYERS)
    if log:
        _readable_log_scale(ax)
    return drawn


def _spread(
    ax: Axes, runs: Array, colour: Any, labels: tuple[str, str]
) -> list[Artist]:
    """Draw the median of the runs, dashed, over their band if there are two or more."""
    import numpy as np
    from matplotlib.colors import to_rgba

    band, median = labels
    drawn: list[Artist] = []
    if len(runs) > 1:
        low, high = np.percentile(runs, _BAND, axis=0)
        face = to_rgba(colour, _BAND_ALPHA)
        drawn.append(
            ax.fill_between(_LAYERS, low, high, fc=face, ec="none", label=band)
        )
    if len(runs):
        middle = np.percentile(runs, 50, axis=0)
        drawn += ax.plot(_LAYERS, middle, "--", color=colour, label=median)
    return drawn


def _batch_colours() -> dict[int, Any]:
    """Return each mini-batch's colour in the style in use."""
    import matplotlib
    import matplotlib.style
    from matplotlib.colors import to_rgba

    def colours(params: Any) -> list[tuple[float, ...]]:
        return [to_rgba(c) for c in params["axes.prop_cycle"].by_key().get("color", [])]

    cycle = colours(matplotlib.rcParams)
    default = colours(matplotlib.rcParamsDefault)
    if cycle in (default, colours(matplotlib.style.library["classic"])):
        return dict(_OWN_COLOURS)
    # A style's own cycle, topped up from the default so that all ten differ.
    return dict(zip(_OWN_COLOURS, dict.fromkeys(cycle + default)))


def _readable_log_scale(ax: Axes, room: bool = True) -> None:
    """Make the y axis logarithmic, labelled at 1, 2 and 5 times each power of ten."""
    from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter

    ax.set_yscale("log")
    low, high = ax.get_ylim()
    # Only where there is room; over many decades, LogLocator would label none.
    subs = (1.0, 2.0, 5.0) if room and high < low * 1e4 else (1.0,)
    ax.yaxis.set_major_locator(LogLocator(subs=subs))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _shrink_type(scale: float) -> None:
    """Shrink every text by the figure's scale, or by less to keep it to 6 points."""
    import matplotlib
    from matplotlib.font_manager import FontProperties

    rc: Any = matplotlib.rcParams
    sizes = {key: rc[key] for key in _TEXT_SIZES if rc[key] is not None}
    points = [FontProperties(size=size).get_size_in_points() for size in sizes.values()]
    factor = min(1, max(scale, 6 / min(points)))
    for key, size in sizes.items():
        if not isinstance(size, str):  # a size named "large", say, follows font.size
            rc[key] = size * factor
    if scale < 1:  # markers, by the figure's scale, to 3 points
        rc["lines.markersize"] = max(3, rc["lines.markersize"] * scale)


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

    Asked for nothing else, it is the original figure, to the pixel. log, legend
    and reproduced are as for `draw`, with a panel for each mini-batch; several
    networks are compared, a panel for each activation, over all ten mini-batches
    unless batches says. style is what ``matplotlib.style.use`` takes; size is
    in inches.
    """
    import matplotlib.figure
    import matplotlib.style

    networks = None if reproduced is None else _networks(reproduced)
    compared = networks is not None and len(networks) > 1
    default = _ALL_BATCHES if compared else REPRESENTATIVE_BATCHES
    chosen = _checked_batches(default if batches is None else batches)
    asked = (style, size, title, reproduced)
    original = chosen == REPRESENTATIVE_BATCHES and not (log or legend)
    original = original and all(value is None for value in asked)
    with matplotlib.style.context(style or {}):
        styled = matplotlib.rcParams["figure.figsize"]
        width, height = styled if size is None else size
        _shrink_type(min(1, width / styled[0], height / styled[1]))
        layout = None if original else "constrained"
        new: Any = matplotlib.figure.Figure
        if pyplot:
            import matplotlib.pyplot as plt

            new = plt.figure
        fig: Figure = new(figsize=(width, height), layout=layout)
        if title is not None:
            # Wrapping could split a $...$ pair across two lines.
            fig.suptitle(title, wrap=title.count("$") < 2)
        if networks is None:
            ax = fig.add_subplot()
            handles = _draw(ax, chosen, log, None, RECORD_NETWORK)
            ax.set_xlabel("Layer $l$" if original else _X_LABEL)
            place: dict[str, Any] = {"loc": "outside right center"}
            place["title"] = "mini-batch"
        else:  # below the panels
            draw_panels = _draw_comparison if compared else _draw_panels
            handles = draw_panels(fig, chosen, log, networks)
            place = {"loc": "outside lower center", "ncols": _columns(fig, handles)}
            place["title"] = "growth per layer" if compared else None
        if legend or compared:  # a transparent figure's has no box; any other, opaque
            boxed = not matplotlib.rcParams["savefig.transparent"]
            fig.legend(handles=handles, frameon=boxed, framealpha=1, **place)
    return fig


def _columns(fig: Figure, handles: list[Artist]) -> int:
    """Return how many columns of a legend of the handles fit across the figure.

    An entry takes its label's characters at about half an em each, and five ems
    more for its handle and the space between.
    """
    import matplotlib
    from matplotlib.font_manager import FontProperties

    em = FontProperties(size=matplotlib.rcParams["legend.fontsize"]).get_size()
    longest = max(len(str(handle.get_label())) for handle in handles)
    fit = fig.get_figwidth() * 72 // ((longest / 2 + 5) * em)
    return int(max(1, min(3, len(handles), fit)))


def _draw_panels(
    fig: Figure, batches: Sequence[int], log: bool, networks: Networks
) -> list[Artist]:
    """Draw a panel for each mini-batch; return the artists for a legend."""
    import matplotlib
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    ((network, given),) = networks.items()
    runs = _completed(given)
    rows = 1 if len(batches) <= 4 else 2
    columns = math.ceil(len(batches) / rows)
    panels: Any = fig.subfigures()  # its x label above the figure's legend
    # A y axis each, as mini-batch 1 would flatten the others on a shared one.
    grid = panels.subplots(rows, columns, sharex=True, squeeze=False).flat
    # Titles in full where they fit; else only the first says "mini-batch".
    wide = fig.get_figwidth() * 72 / columns / matplotlib.rcParams["font.size"] > 16
    for index, (ax, batch) in enumerate(zip(grid, batches)):
        _draw(ax, (batch,), False, runs, network)
        if log:  # a small panel is labelled at each power of ten alone
            _readable_log_scale(ax, fig.get_figheight() / rows >= 3)
            ax.minorticks_off()
        title = f"mini-batch {batch}" if wide or not index else str(batch)
        ax.set_title(title, fontsize="medium", loc="center" if wide else "left")
        ax.set(xlabel="", ylabel="" if index % columns else _Y_LABEL)
        if index + columns >= len(batches):  # the lowest panel of its column
            ax.xaxis.set_tick_params(labelbottom=True)
    for ax in grid[len(batches) :]:
        ax.remove()
    panels.supxlabel(_X_LABEL, fontsize=matplotlib.rcParams["axes.labelsize"])
    ink = matplotlib.rcParams["text.color"]
    band, median = _run_labels(len(runs), network)
    handles: list[Artist] = [Line2D([], [], color=ink, ls="--", label=median)]
    handles += [Patch(fc=to_rgba(ink, _BAND_ALPHA), ec="none", label=band)]
    if network == RECORD_NETWORK:
        record = Line2D(
            [], [], color=ink, marker="o", mfc="none", label="recorded in 2013"
        )
        handles.insert(0, record)
    return handles


def _draw_comparison(
    fig: Figure, batches: Sequence[int], log: bool, networks: Networks
) -> list[Artist]:
    """Draw a panel for each activation, with each network's median and band, and the
    record over its own; return the artists for a legend.

    Each run is first reduced to the geometric mean of its norms over the
    mini-batches, so that a line's slope is its growth per layer.
    """
    import matplotlib
    import numpy as np
    from matplotlib.lines import Line2D

    activations = list(dict.fromkeys(activation for _, activation in networks))
    panels: Any = fig.subfigures()  # its x label above the figure's legend
    axes = panels.subplots(1, len(activations), sharey=True, squeeze=False)[0]
    handles = []
    for index, ((init, activation), runs) in enumerate(networks.items()):
        ax = axes[activations.index(activation)]
        colour = _NETWORK_COLOURS[index % len(_NETWORK_COLOURS)]
        done = _completed(runs)
        count = f"{len(done)} of {len(runs)} runs"
        if len(done) == len(runs):
            count = f"{len(runs)} runs"
        growth = f"×{np.median(_run_growths(done, batches)):.2f}, " if len(done) else ""
        label = f"{init}, {activation}: {growth}{count}"
        drawn = _spread(ax, _means(done, batches), colour, ("", label))
        handles += drawn[-1:] or [Line2D([], [], c=colour, label=label)]
        if (init, activation) == RECORD_NETWORK:
            record = np.array([NABLA_W_NORMS])
            label = f"recorded in 2013: ×{_run_growths(record, batches)[0]:.2f}"
            points = _means(record, batches)[0]
            handles += ax.plot(_LAYERS, points, "o", c=colour, mfc="none", label=label)
    # The medians and the record set the scale, which runs that blew up would flatten.
    heights = [y for line in handles for y in line.get_ydata()]  # type: ignore[attr-defined]
    axes[0].set_ylim(min(heights, default=1) / 4, max(heights, default=1) * 4)
    for ax, activation in zip(axes, activations):
        ax.set(title=f"{activation} hidden layers", xticks=_LAYERS)
        _readable_log_scale(ax, fig.get_figheight() >= 3)
    axes[0].set_ylabel(_Y_LABEL)
    panels.supxlabel(_X_LABEL, fontsize=matplotlib.rcParams["axes.labelsize"])
    return handles


# -- Reproducing the record: as backprop2 trained it in 2013 (README, "Reproducing") -

_SIZES = (784, 30, 30, 30, 30, 30, 10)
_ETA = 0.01
_LAMBDA = 0.05
_EXAMPLES = 1000
_BATCH_SIZE = 100
_RUNS = 100  # the runs that `reproduce` and --reproduce train, unless told
_SEED = 0  # the first run's, unless told
_RUNS_AT_ONCE = 8  # trained side by side: fewer calls, and memory that stays small
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


def _sigmoid(z: Array) -> None:
    """Make z its sigmoid, 1 / (1 + e^-z), in place; e^-z may overflow to inf."""
    import numpy as np

    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1.0
    np.reciprocal(z, out=z)


def _tanh(z: Array) -> None:
    """Make z its tanh, in place."""
    import numpy as np

    np.tanh(z, out=z)


def _relu(z: Array) -> None:
    """Make z its rectified value, max(z, 0), in place."""
    import numpy as np

    np.maximum(z, 0.0, out=z)


# Each activation of the hidden layers, made in place, and its slope as a function
# of its value a. The output layer is a sigmoid in every network.
ACTIVATIONS: dict[str, tuple[Callable[[Array], None], Callable[[Array], Any]]] = {
    "sigmoid": (_sigmoid, lambda a: a * (1 - a)),
    "tanh": (_tanh, lambda a: 1 - a * a),
    "relu": (_relu, lambda a: a > 0),
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
    activation may name another start or hidden activation (`INITIALISATIONS`,
    `ACTIVATIONS`); data, MNIST's folder (by default data/ beside this file).
    progress, if given, is called with the runs done and all of them.
    """
    import functools
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    network = (INITIALISATIONS[init][0], ACTIVATIONS[activation])
    images, targets = _load_mnist(data)
    used = np.any(images, axis=0)  # a fifth of the pixels are blank in every image
    mnist = (images.compress(used, axis=1), targets, used)
    train = functools.partial(_train, seed=seed, network=network, mnist=mnist)
    starts = range(0, runs, _RUNS_AT_ONCE)
    chunks = [range(start, min(start + _RUNS_AT_ONCE, runs)) for start in starts]
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
    """Train the chunk's runs for one epoch, side by side; return the norms of each.

    network is the start's scale, and the activation with its slope; mnist, the
    images (of the pixels used), the targets, and the pixels used.
    """
    import numpy as np

    (scale, activation), (images, targets, used) = network, mnist
    rngs = [np.random.default_rng(seed + run) for run in chunk]
    layers = [(x, y, *scale(x, y)) for x, y in zip(_SIZES, _SIZES[1:])]
    # Biases first, then weights y by x, then the order of examples, as in 2013.
    # Stacked as (run, from, to): a layer is one product for all examples and runs.
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
    keep = 1 - _ETA * _LAMBDA * _BATCH_SIZE / _EXAMPLES  # what L2 leaves of a weight
    with np.errstate(over="ignore", invalid="ignore"):
        for k, batch in enumerate(np.split(orders, len(norms[0]), axis=1)):
            nabla_w, nabla_b = _gradients(
                weights, biases, images[batch], targets[batch], activation
            )
            for layer, (gw, gb) in enumerate(zip(nabla_w, nabla_b)):
                # A dot product per run: the same bits however many runs train
                # together, and on every numpy (np.linalg.norm's differ).
                flat = gw.reshape(len(gw), 1, -1)
                norms[:, k, layer] = np.sqrt(flat @ flat.transpose(0, 2, 1)).ravel()
                weights[layer] *= keep
                weights[layer] -= np.multiply(gw, _ETA, out=gw)
                biases[layer] -= np.multiply(gb, _ETA, out=gb)
    return norms


def _gradients(
    weights: list[Array], biases: list[Array], x: Array, targets: Array, activation: Any
) -> tuple[list[Array], list[Array]]:
    """Return ∇C_w and ∇C_b of the cross-entropy cost, summed over x, each run's."""
    activate, slope = activation
    outputs = [x]
    for layer, (w, b) in enumerate(zip(weights, biases)):
        z = outputs[-1] @ w
        z += b
        (_sigmoid if layer == len(weights) - 1 else activate)(z)
        outputs.append(z)
    delta = outputs[-1] - targets  # the cross-entropy cost's, at a sigmoid output
    nabla_w, nabla_b = [], []
    for layer in reversed(range(len(weights))):
        nabla_w.append(outputs[layer].transpose(0, 2, 1) @ delta)
        nabla_b.append(delta.sum(axis=1, keepdims=True))
        if layer:
            delta = delta @ weights[layer].transpose(0, 2, 1)
            delta *= slope(outputs[layer])
    return nabla_w[::-1], nabla_b[::-1]


class _DataError(ValueError):
    """A data file that is damaged, or is not MNIST's training set."""


def _load_mnist(data: str | os.PathLike[str] | None = None) -> tuple[Array, Array]:
    """Return MNIST's first 1,000 training images (byte / 256) and one-hot labels.

    They are read from data (by default data/ beside this file or, pasted into a
    notebook, in the current folder), gzipped or not, and checked.
    """
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
            raise FileNotFoundError(
                f"no MNIST training {kind} in {os.path.abspath(folder)!r}: it takes "
                f"{' or '.join(names)}, gzipped or not (--data DIR, or data=...)"
            )
        with open(path, "rb") as file:
            gzipped = file.read(2) == b"\x1f\x8b"
            file.seek(0)
            try:  # the first 1,000 records only
                raw = (gzip.GzipFile(fileobj=file) if gzipped else file).read(
                    header + _EXAMPLES * size
                )
            except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
                raise _DataError(f"{path!r}: not a whole gzip file ({exc})") from None
        # The hash is of a file of 1,000 records: the records read, after a header
        # that says 1,000, as the shipped files' does and MNIST's own 60,000 do not.
        own = raw[:4] + _EXAMPLES.to_bytes(4, "big") + raw[8:]
        if hashlib.sha256(own).hexdigest() != _MNIST_SHA256[kind]:
            raise _DataError(f"{path!r}: not MNIST's training {kind}, or cut short")
        records[kind] = np.frombuffer(raw[header:], np.uint8)
    images = records["images"].reshape(_EXAMPLES, -1) / 256
    return images, np.eye(10)[records["labels"]]


class Agreement:
    """Where the record sits among the runs of its network that `reproduce` gave.

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
        low, high = self.growth_band
        runs = f"{self.runs} runs"
        if self.left_out:
            runs += f" ({self.left_out} more diverged or lost a layer's gradient)"
        return (
            f"{self.inside} of the {self.values} recorded values lie within the "
            f"{_BAND_NAME} band of {runs}\n"
            f"growth per layer: recorded ×{self.growth:.2f}, "
            f"reproduced ×{self.growth_median:.2f} ({_BAND_NAME}: {low:.2f}–{high:.2f})"
        )


def _summary(networks: Networks, batches: Iterable[int] | None = None) -> str:
    """Return what the runs say: where the record sits among its own network's
    runs, or a table of each network's growth per layer over the mini-batches
    (all ten unless batches says)."""
    import numpy as np

    if list(networks) == [RECORD_NETWORK]:
        return f"{Agreement(networks[RECORD_NETWORK])}\n"
    batches = batches or _ALL_BATCHES
    lines = [
        f"| `--init` | `--activation` | growth per layer | {_BAND_NAME} | left out |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for (init, activation), runs in networks.items():
        growths = _run_growths(_completed(runs), batches)
        median = f"×{np.median(growths):.2f}" if len(growths) else "—"
        band = "—"
        if len(growths) > 1:
            band = "{:.2f}–{:.2f}".format(*np.percentile(growths, _BAND))
        row = [f"`{init}`", f"`{activation}`", median, band, len(runs) - len(growths)]
        lines.append(f"| {' | '.join(map(str, row))} |")
    record = _run_growths(np.array([NABLA_W_NORMS]), batches)[0]
    made = "The record, made with {} and {}".format(*RECORD_NETWORK)
    return "\n".join([*lines, "", f"{made}: ×{record:.2f} per layer", ""])


# -- Writing files ----------------------------------------------------------------


class _Failure(Exception):
    """What could not be done, said in one line, with exit status 1."""


# Each format that matplotlib writes without LaTeX: which of `metadata`'s kinds it
# takes (Pillow's rasters and bare pixels take none), and the most pixels it holds
# on a side (a vector format has no pixels: 0).
_FORMATS: dict[str, tuple[str | None, int]] = {
    "png": ("png", 2**23 - 1), "raw": (None, 2**23 - 1), "rgba": (None, 2**23 - 1),
    "tif": (None, 2**23 - 1), "tiff": (None, 2**23 - 1), "jpg": (None, 65_500),
    "jpeg": (None, 65_500), "gif": (None, 65_535), "avif": (None, 65_536),
    "webp": (None, 16_383), "pdf": ("pdf", 0), "svg": ("svg", 0),
    "svgz": ("svg", 0), "eps": ("eps", 0), "ps": ("ps", 0),
}  # fmt: skip
_SOURCE = (
    "The numbers are Michael Nielsen's norms of the unregularized weight gradient "
    "of a 784-30-30-30-30-30-10 sigmoid network on MNIST (ten mini-batches of 100, "
    "eta = 0.01, lambda = 0.05), from fig/backprop_magnitude_nabla.py in his "
    "neural-networks-and-deep-learning repository (MIT licence, copyright (c) "
    "2012-2015 Michael Nielsen)."
)


def metadata(
    fmt: str,
    batches: Iterable[int] | None = None,
    *,
    title: str | None = None,
    reproduced: Runs | None = None,
    notes: str = "",
) -> dict[str, str | None]:
    """Return what a figure's file says about itself, for savefig(metadata=...).

    fmt is png, pdf, svg, eps or ps; the other arguments are as for `make_figure`,
    and notes are added. PostScript takes only the name of its creator.
    """
    if fmt in ("eps", "ps"):
        return {"Creator": _PROG}
    networks = {} if reproduced is None else _networks(reproduced)
    shown = _ALL_BATCHES if len(networks) > 1 else REPRESENTATIVE_BATCHES
    what = "The norm of the weight gradient of hidden layers 1 to 4, mini-batches "
    what += ", ".join(map(str, batches or shown))
    if not networks or RECORD_NETWORK in networks:
        what += ", as Michael Nielsen recorded it in 2013"
    if networks:
        what += f", over {len(next(iter(networks.values())))} runs of the training"
        notes += " " + _summary(networks, batches).strip()
    key = {"png": "Description", "pdf": "Subject", "svg": "Description"}[fmt]
    dates = {"pdf": {"CreationDate": None}, "svg": {"Date": None}}.get(fmt, {})
    return {"Title": title or what, key: f"{_SOURCE} {notes}".strip(), **dates}


def _format(path: str) -> str:
    """Return the format that a path's extension names."""
    return os.path.splitext(path)[1][1:].lower()


def _render(
    fig: Figure, path: str, dpi: float | None, batches: Any, said: dict[str, Any]
) -> bytes:
    """Return fig as the bytes of a fmt file, saying what `metadata` says of it.

    The same figure gives the same bytes: no dates, and ids from a fixed salt.
    """
    import gzip
    import io
    import re

    import matplotlib

    fmt = _format(path)
    kind = _FORMATS[fmt][0]
    buffer = io.BytesIO()
    faces = _opaque_faces(fig) if kind in ("eps", "ps") else []
    try:
        with matplotlib.rc_context({"svg.hashsalt": _PROG}):
            fmt_saved = "svg" if fmt == "svgz" else fmt
            about = metadata(kind, batches, **said) if kind else None
            fig.savefig(buffer, format=fmt_saved, dpi=dpi, metadata=about)
    finally:
        for artist, face in faces:
            artist.set_facecolor(face)
    data = buffer.getvalue()
    if fmt == "svgz":  # matplotlib's own gzip header would carry the time
        data = gzip.compress(data, mtime=0)
    if kind in ("eps", "ps"):  # no date, so that the same command gives the same bytes
        data = re.sub(rb"%%CreationDate: .*\n", b"", data, count=1)
    return data


def _opaque_faces(fig: Figure) -> list[tuple[Any, Any]]:
    """Make each see-through face an opaque tint over the axes' background, as
    PostScript has no transparency; return each artist changed, with its face."""
    import matplotlib
    import numpy as np
    from matplotlib.colors import to_rgb

    background = np.array(to_rgb(matplotlib.rcParams["axes.facecolor"]))
    changed = []
    for artist in fig.findobj(lambda artist: hasattr(artist, "get_facecolor")):
        face = artist.get_facecolor()  # type: ignore[attr-defined]
        colours = np.array(face, ndmin=2)
        alpha = colours[:, 3:]
        if artist is not fig and ((alpha > 0) & (alpha < 1)).any():
            tints = alpha * colours[:, :3] + (1 - alpha) * background
            opaque = np.hstack([tints, np.ones_like(alpha)])
            artist.set_facecolor(opaque if np.ndim(face) == 2 else opaque[0])  # type: ignore[attr-defined]
            changed.append((artist, face))
    return changed


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
    each path, then write every file, move each into place and print its path.

    A file replaced keeps its permissions. The files not moved are removed, so that
    a failure before the moves leaves every old file as it was.
    """
    import shutil

    temporaries: dict[str, str] = {}
    try:
        for path in paths:
            folder = os.path.dirname(os.path.realpath(path))  # links followed
            temporaries[path] = os.path.join(folder, f".nabla-{os.urandom(6).hex()}")
            with _writing(path), open(temporaries[path], "xb"):
                pass
        files: dict[str, bytes] = {}
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
# The options of training and of drawing, each refused where it has no use.
_TRAINING = ("seed", "init", "activation", "data")
_DRAWING = ("output", "dpi", "transparent", "size", "title", "log", "legend", "style")
_MAX_PIXELS = 10**8  # in a raster: A3 at 600 dpi is 70 million


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
    inches = _between(0.1, 1000)
    width, _, height = text.partition(",")
    return inches(width), inches(height)


def _batches(spec: str) -> range:
    """Return the mini-batches that a number, or a range like 7-9, names."""
    batch = _between(1, len(NABLA_W_NORMS), int)
    low, _, high = spec.partition("-")
    first, last = batch(low), batch(high or low)
    if first > last:
        raise argparse.ArgumentTypeError(f"{spec!r} is not a range like 7-9")
    return range(first, last + 1)


def _text(text: str) -> str:
    """Return text, if a file can say it: no control character but the newline,
    and no byte that is not text."""
    import unicodedata

    for char in text:
        if char in "\ufffe\uffff" or (
            char != "\n" and unicodedata.category(char) in ("Cc", "Cs")
        ):
            problem = "holds a control character or a byte that is not text"
            raise argparse.ArgumentTypeError(f"{text!r} {problem}")
    return text


def _output(path: str) -> str:
    """Return path, if its extension names a format that matplotlib writes."""
    if _format(path) not in _FORMATS:
        formats = ", ".join(_FORMATS)
        raise argparse.ArgumentTypeError(f"{path!r} names no format of {formats}")
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
    add("--csv", action="store_true", help="print the norms as CSV")
    add = parser.add_argument_group("reproducing the record").add_argument
    runs = f"train each network RUNS times, 2 to 10,000 (default: {_RUNS})"
    count = _between(2, 10_000, int)
    add("--reproduce", nargs="?", const=_RUNS, type=count, metavar="RUNS", help=runs)
    seed = f"the first run's seed (default: {_SEED})"
    add("--seed", type=_between(0, 10**9, int), help=seed)
    starts = "; ".join(f"{name} {it}" for name, (_, it) in INITIALISATIONS.items())
    starts = f"first weights of y neurons fed by x: {starts} (default: backprop2)"
    add("--init", nargs="+", choices=INITIALISATIONS, metavar="INIT", help=starts)
    hidden = f"hidden layers: {', '.join(ACTIVATIONS)} (default: sigmoid); "
    hidden += "several starts or activations are compared"
    add("--activation", nargs="+", choices=ACTIVATIONS, metavar="ACT", help=hidden)
    data = "MNIST's folder (default: the script's data/)"
    add("--data", type=_text, metavar="DIR", help=data)
    add = parser.add_argument_group("drawing (not with --csv)").add_argument
    output = "write to PATH, in its extension's format; repeatable (default: a "
    output += f"window, or {_DEFAULT_OUTPUT} where none can open)"
    add("-o", "--output", action="append", type=_output, metavar="PATH", help=output)
    dpi = "resolution of raster files, 10 to 10,000 (default: 100)"
    add("--dpi", type=_between(10, 10_000), help=dpi)
    clear = "no background, and no box around the legend"
    add("--transparent", action="store_true", help=clear)
    add("--size", type=_size, metavar="W,H", help="inches, 0.1 to 1,000: 6.4,3.6")
    add("--title", type=_text, metavar="TEXT", help="a title")
    add("--log", action="store_true", help="a logarithmic y axis")
    add("--legend", action="store_true", help="a legend")
    style = "a matplotlib style's name or file; repeatable"
    add("--style", action="append", type=_text, help=style)
    return parser


def _options(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse argv; refuse options that do not go together, and no standard output."""
    args = parser.parse_args(argv)
    for names, asked, problem in [
        (_TRAINING, args.reproduce is None, "only with --reproduce"),
        (_DRAWING, args.csv, "not allowed with --csv"),
    ]:
        for name in names if asked else ():
            if getattr(args, name) != parser.get_default(name):
                parser.error(f"argument --{name}: {problem}")
    if sys.stdout is None and (args.csv or args.output or args.reproduce):
        raise _Failure("cannot write to standard output: it is closed")
    # Each mini-batch once, in order.
    args.batches = tuple(sorted({b for spec in args.batches or () for b in spec}))
    args.batches = args.batches or None
    args.seed = _SEED if args.seed is None else args.seed
    args.output, args.style = args.output or [], args.style or []
    return args


def _require(*names: str) -> None:
    """Import the packages that the work needs; refuse one missing or too old."""
    import importlib

    install = "pip install -r requirements.txt"
    for name in names:
        oldest = ".".join(map(str, _OLDEST[name]))
        try:
            version = importlib.import_module(name).__version__
        except ImportError as exc:
            raise _Failure(f"{exc}: {install}") from None
        if tuple(map(int, version.split(".")[:2])) < _OLDEST[name]:
            raise _Failure(f"{name} {version} is older than {oldest}: {install}")


@contextlib.contextmanager
def _settings(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> Iterator[dict[str, Any]]:
    """Use the styles in order, then --transparent, until the files are saved; give
    what the figure looks like, as `make_figure` takes it.

    A style that matplotlib cannot use is refused, and so is a title whose
    $...$ it cannot parse, line by line as it draws a title.
    """
    _require("matplotlib", "numpy")
    import matplotlib.style
    from matplotlib.cbook import is_math_text
    from matplotlib.mathtext import MathTextParser

    transparent = {"savefig.transparent": True} if args.transparent else {}
    with matplotlib.rc_context():
        try:
            matplotlib.style.use([*args.style, transparent])
        except (OSError, ValueError) as exc:  # a style missing, or a value refused
            parser.error(f"argument --style: {exc}")
        for line in (args.title or "").split("\n"):
            try:
                if is_math_text(line):
                    MathTextParser("path").parse(line)
            except ValueError as exc:
                said = " ".join(str(exc).split())
                raise _Failure(f"argument --title: {said}") from None
        style = args.style or None
        yield dict(log=args.log, legend=args.legend, style=style, size=args.size)


def _outputs(args: argparse.Namespace) -> list[str]:
    """Return the paths to write: those of -o or, where pyplot cannot open a
    window, the default PNG; refuse a raster too large to draw."""
    import matplotlib

    outputs = list(dict.fromkeys(args.output))
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
        side = _FORMATS[_format(path)][1]
        limit = f"at most {_MAX_PIXELS:,} pixels can be drawn"
        if side and max(width, height) > side:
            limit = f"{_format(path).upper()} takes at most {side:,} on a side"
        if side and (width * height > _MAX_PIXELS or max(width, height) > side):
            size = f"{width:,.0f}×{height:,.0f} pixels at {dpi:g} dpi"
            raise _Failure(f"{path!r} would be {size}: {limit}")
    return outputs


def _progress(before: int, total: int, done: int, _: int) -> None:
    """Show on standard error how many of all the runs have trained."""
    print(f"\rtraining: {before + done} of {total} runs", end="", file=sys.stderr)
    sys.stderr.flush()


def _training(args: argparse.Namespace) -> Networks:
    """Train each start of --init with each activation of --activation, saying on a
    terminal how many runs are done."""
    import functools
    import itertools

    _require("numpy", "threadpoolctl")
    try:  # the data, checked once before any training
        _load_mnist(args.data)
    except (OSError, _DataError) as exc:
        raise _Failure(str(exc)) from None
    inits = dict.fromkeys(args.init or RECORD_NETWORK[:1])
    activations = dict.fromkeys(args.activation or RECORD_NETWORK[1:])
    total = len(inits) * len(activations) * args.reproduce
    shown = sys.stderr is not None and sys.stderr.isatty()
    trained = {}
    try:
        for index, (init, act) in enumerate(itertools.product(inits, activations)):
            progress = functools.partial(_progress, index * args.reproduce, total)
            trained[init, act] = reproduce(
                args.reproduce,
                seed=args.seed,
                init=init,
                activation=act,
                data=args.data,
                progress=progress if shown else None,
            )
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
    for path in (*args.output, *args.style, args.data or ""):
        cut = os.path.basename(os.path.normpath(path)) if path else path
        words = [
            word[: -len(path)] + cut if path and word.endswith(path) else word
            for word in words
        ]
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
        args = _options(parser, argv)
        if args.csv:
            print(_csv_text(args), end="")
            return 0
        with _settings(parser, args) as looks:  # while the files are saved, too
            outputs = _outputs(args)
            with _files(outputs) as files:  # every folder checked before training
                networks = None if args.reproduce is None else _training(args)
                fig = make_figure(
                    args.batches,
                    **looks,
                    title=args.title,
                    reproduced=networks,
                    pyplot=not outputs,
                )
                notes = _provenance(args, argv)
                said = dict(title=args.title, reproduced=networks, notes=notes)
                for path in outputs:
                    files[path] = _render(fig, path, args.dpi, args.batches, said)
                if networks is not None:
                    print(_summary(networks, args.batches), end="")
            if not outputs:  # a window, or a notebook's cell
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
