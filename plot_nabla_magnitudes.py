#!/usr/bin/env python3
# /// script
# requires-python = ">=3.9"
# dependencies = [
#     "matplotlib>=3.9",
#     "numpy>=1.23",
# ]
# ///
"""The vanishing gradient: how ‖∇C^l_w‖ shrinks toward the input of a deep network.

Michael Nielsen, writing "Neural Networks and Deep Learning" (chapter 5, "Why
are deep neural networks hard to train?"), built a 784-30-30-30-30-30-10
sigmoid network to classify MNIST digits and trained it with stochastic
gradient descent on the first 1,000 training images for one epoch: ten
mini-batches of 100, learning rate eta = 0.01, L2 regularization lambda = 0.05.
For every mini-batch he recorded the norm of the unregularized gradient of the
cost with respect to the weights, ‖∇C^l_w‖, for each of the six weight
layers l = 1..6 from input to output. That table is `NABLA_W_NORMS`, exactly as
he recorded it.

The figure plots mini-batches 7, 8 and 9, which he took as representative,
against the four hidden weight layers. The first and last layers are left out:
they connect to 784 inputs and 10 outputs rather than 30 neurons on each side,
so their norms are not comparable with the others. Going back from hidden
layer 4 to hidden layer 1, the gradient shrinks about fourfold per layer: the
earlier layers learn far more slowly, which is the vanishing gradient problem.

Source: ``fig/backprop_magnitude_nabla.py`` in Michael Nielsen's
neural-networks-and-deep-learning repository (MIT licence, copyright (c)
2012-2015 Michael Nielsen), which kept the numbers typed in by hand. The
default figure here is pixel-identical to the one that script draws.

That script kept the numbers but not the workflow that made them. The
workflow is recovered here (see "The re-derivation" below): `reproduce`
trains the network again as it was trained, on the same 1,000 images, and
`agreement` says where the record sits among the runs.

Use it
------
From a shell::

    python plot_nabla_magnitudes.py              # a window, or nabla_magnitudes.png
    python plot_nabla_magnitudes.py -o fig.pdf -o fig.png --log --legend
    python plot_nabla_magnitudes.py --csv --batches 1-10    # the table, as CSV
    python plot_nabla_magnitudes.py --reproduce 300 --log --legend -o r.png
    python plot_nabla_magnitudes.py --help

In a notebook, paste this file into a cell (or ``%run plot_nabla_magnitudes.py``)
and the figure shows inline. From Python::

    import plot_nabla_magnitudes as pnm
    fig = pnm.make_figure(log=True, legend=True)   # a Figure, not managed by pyplot
    pnm.draw(ax)                                    # or onto an Axes of your own
    runs = pnm.reproduce(300)                       # the training, 300 times
    pnm.make_figure(reproduced=runs, log=True)      # the record over its runs
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import gzip
import hashlib
import importlib
import io
import math
import operator
import os
import re
import secrets
import shutil
import signal
import stat
import struct
import sys
import threading
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:  # matplotlib and numpy are imported only where work starts
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend
    from matplotlib.transforms import Bbox
    from matplotlib.typing import RcStyleType
    from numpy.typing import NDArray

__all__ = [
    "ACTIVATIONS",
    "INITIALISATIONS",
    "NABLA_W_NORMS",
    "REPRESENTATIVE_BATCHES",
    "Agreement",
    "agreement",
    "draw",
    "growth_per_layer",
    "hidden_layer_norms",
    "main",
    "make_figure",
    "reproduce",
    "table_csv",
]

# The record: ‖∇C^l_w‖ for weight layers 1..6 (input to output), one row per
# mini-batch 1..10, with the digits as they were recorded.
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

# Mini-batches count from 1, as in the original text.
REPRESENTATIVE_BATCHES: tuple[int, ...] = (7, 8, 9)

# The 2013 figure drew mini-batches 7, 8 and 9 in red, green and blue. Every
# mini-batch has a place in a colour cycle, the plotted three first, so that
# it keeps its colour whichever others are plotted.
_COLOUR_ORDER = (7, 8, 9, 1, 2, 3, 4, 5, 6, 10)
# The original's colours, then the rest of matplotlib's default cycle without
# its own blue, green and red, which would be mistaken for them.
_ORIGINAL_COLOURS = (
    "r", "g", "b",
    "tab:orange", "tab:purple", "tab:brown", "tab:pink",
    "tab:gray", "tab:olive", "tab:cyan",
)  # fmt: skip


# -- Pure helpers over the record (no matplotlib) ------------------------------


def _checked_batch(batch: int) -> int:
    """*batch* itself, if the record has that mini-batch; the one range check."""
    batch = operator.index(batch)
    if not 1 <= batch <= len(NABLA_W_NORMS):
        raise ValueError(
            f"mini-batch must be from 1 to {len(NABLA_W_NORMS)}, not {batch}"
        )
    return batch


def hidden_layer_norms(batch: int) -> tuple[float, ...]:
    """The four hidden-layer norms of mini-batch *batch* (1 to 10)."""
    # Leave out the first and last layers: 784 inputs and 10 outputs.
    return NABLA_W_NORMS[_checked_batch(batch) - 1][1:-1]


def growth_per_layer(batch: int) -> float:
    """How many times ‖∇C^l_w‖ grows per hidden layer, from input to output.

    The geometric mean of the successive ratios, which telescopes to the
    (n-1)th root of last over first.
    """
    norms = hidden_layer_norms(batch)
    return float((norms[-1] / norms[0]) ** (1 / (len(norms) - 1)))


_ALL_BATCHES = range(1, len(NABLA_W_NORMS) + 1)
_LAYER_COLUMNS = ",".join(f"layer_{n}" for n in range(1, len(NABLA_W_NORMS[0]) + 1))


def table_csv(batches: Iterable[int] = _ALL_BATCHES) -> str:
    """The recorded norms of *batches*, all six layers, as CSV text.

    ``repr`` gives the shortest text that reads back as the same float.
    """
    lines = [f"mini_batch,{_LAYER_COLUMNS}"]
    for batch in map(_checked_batch, batches):
        lines.append(",".join([str(batch), *map(repr, NABLA_W_NORMS[batch - 1])]))
    return "\n".join(lines) + "\n"


# -- Drawing --------------------------------------------------------------------


def draw(
    ax: Axes,
    batches: Iterable[int] = REPRESENTATIVE_BATCHES,
    *,
    log: bool = False,
    legend: bool = False,
    reproduced: NDArray[np.float64] | None = None,
) -> None:
    """Draw ‖∇C^l_w‖ against hidden layer 1-4, a line per mini-batch, on *ax*.

    With *log*, a logarithmic y axis, on which the steady decay per layer is
    a straight line. With *legend*, a legend naming the mini-batches (and,
    with *log*, each one's growth per layer), where it covers the fewest
    points. With *reproduced*, as `reproduce` gives it, each mini-batch's
    line goes over the band between the 5th and 95th percentile of the runs
    (shaded) and their median (dashed), in its colour.

    The lines take the colours of the rcParams' colour cycle, or, while that
    is matplotlib's default or classic cycle, the original's red, green and
    blue for mini-batches 7, 8 and 9. A mini-batch keeps its colour whichever
    others are plotted.
    """
    batches = tuple(map(_checked_batch, batches))
    if not batches:
        raise ValueError("no mini-batch to draw")
    colours = _batch_colours()
    layers = range(1, len(hidden_layer_norms(batches[0])) + 1)
    if reproduced is not None:
        import numpy as np

        runs = _completed(reproduced)
        bands = np.percentile(runs[:, :, 1:-1], [5, 50, 95], axis=0)
    for batch in batches:
        label = f"mini-batch {batch}"
        if log:
            label += (
                f" (\N{MULTIPLICATION SIGN}{growth_per_layer(batch):.1f} per layer)"
            )
        if reproduced is not None:
            low, median, high = bands[:, batch - 1]
            first = batch == batches[0]  # says what the bands are, once
            ax.fill_between(
                layers,
                low,
                high,
                color=colours[batch],
                alpha=0.25,
                linewidth=0,
                label=f"5\N{EN DASH}95 % of {len(runs)} runs" if first else None,
            )
            ax.plot(
                layers,
                median,
                "--",
                color=colours[batch],
                label=f"median of {len(runs)} runs" if first else None,
            )
        ax.plot(
            layers, hidden_layer_norms(batch), "o-", color=colours[batch], label=label
        )
    ax.set_xlabel("Layer $l$")
    ax.set_ylabel(r"$\Vert\nabla C^l_w\Vert$")
    ax.set_xticks(layers)
    if log:
        _readable_log_scale(ax)
    if legend:
        ax.legend(loc="best")


def _batch_colours() -> dict[int, Any]:
    """Each mini-batch's colour under the current rcParams."""
    import matplotlib
    import matplotlib.style
    from matplotlib.colors import to_rgba

    def colours(cycle: Any) -> list[tuple[float, ...]]:
        return [to_rgba(colour) for colour in cycle.by_key().get("color", [])]

    cycle = colours(matplotlib.rcParams["axes.prop_cycle"])
    default = colours(matplotlib.rcParamsDefault["axes.prop_cycle"])
    classic = colours(matplotlib.style.library["classic"]["axes.prop_cycle"])
    if cycle in (default, classic):
        return dict(zip(_COLOUR_ORDER, _ORIGINAL_COLOURS))
    # A short cycle borrows from the default one, so that each of the ten
    # has a colour of its own.
    return dict(zip(_COLOUR_ORDER, dict.fromkeys(cycle + default)))


def _readable_log_scale(ax: Axes) -> None:
    """A logarithmic y axis labelled at 1, 2 and 5 times each power of ten.

    The default labels only powers of ten, which leaves the figure's range,
    about 0.1 to 10, with two labels and no way to read a value below 1.
    """
    from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def make_figure(
    batches: Iterable[int] = REPRESENTATIVE_BATCHES,
    *,
    log: bool = False,
    legend: bool = False,
    style: RcStyleType | None = None,
    size: tuple[float, float] | None = None,
    title: str | None = None,
    reproduced: NDArray[np.float64] | None = None,
    pyplot: bool = False,
) -> Figure:
    """A new Figure of the plot, the one place where the figure is built.

    *log* and *legend* are as for `draw`. *style* is anything
    ``matplotlib.style.use`` takes: a style's name, the path of a
    ``.mplstyle`` file, a dict of rcParams, or a list of these, applied in
    order; None keeps the current rcParams. *size* is (width, height) in
    inches; *title* goes above the plot. For a transparent background, save
    with ``fig.savefig(..., transparent=True)``: transparency is a matter of
    saving.

    With *reproduced*, as `reproduce` gives it, each mini-batch gets a panel
    of its own, all on the same axes, where its recorded line lies over the
    band of the runs (5th to 95th percentile, shaded) and their median
    (dashed): one look tells whether the record lies within its band.

    Labels, title and legend are kept inside the figure, and the legend off
    the data points (outside the axes when there is no room inside), by
    constrained layout where it is needed; the default figure needs none and
    is the original's to the pixel.

    By default the figure is made without pyplot: nothing to close, nothing
    shown by accident. With *pyplot*, pyplot manages it, so that
    ``plt.show()`` can open it in a window or a notebook.

    A few of a style's settings act only when the figure is saved or drawn
    (the ``savefig.*`` ones, text kerning and hinting): for all of them,
    save or show the figure inside ``matplotlib.style.context(style)`` too,
    as the command line does.
    """
    batches = tuple(batches)
    with _style(style):
        if pyplot:
            import matplotlib.pyplot as plt

            fig = plt.figure(figsize=size)
        else:
            from matplotlib.figure import Figure

            fig = Figure(figsize=size)
        if reproduced is None:
            ax = fig.add_subplot()
            draw(ax, batches, log=log, legend=legend)
            if title is not None:
                ax.set_title(title, wrap=True)
            _lay_out(fig)
        else:  # panels, laid out by constrained layout from the start
            _draw_panels(fig, batches, reproduced, log=log, legend=legend)
            if title is not None:
                fig.suptitle(title, wrap=True)
    return fig


def _draw_panels(
    fig: Figure,
    batches: tuple[int, ...],
    reproduced: NDArray[np.float64],
    *,
    log: bool,
    legend: bool,
) -> None:
    """A panel per mini-batch, in a row (two rows for more than four)."""
    import matplotlib
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rows = 1 if len(batches) <= 4 else 2
    columns = -(-len(batches) // rows)
    grid = fig.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
    for index, (ax, batch) in enumerate(zip(grid.flat, batches)):
        draw(ax, [batch], log=log, reproduced=reproduced)
        ax.set_title(f"mini-batch {batch}", fontsize="medium")
        if index + columns < len(batches):
            ax.set_xlabel("")  # the panel below says it
        else:  # the lowest of its column
            ax.xaxis.set_tick_params(labelbottom=True)
        if index % columns:
            ax.set_ylabel("")
    for ax in grid.flat[len(batches) :]:
        ax.remove()
    fig.set_layout_engine("constrained")
    if legend:
        ink = matplotlib.rcParams["text.color"]
        runs = len(_completed(reproduced))
        fig.legend(
            handles=[
                Line2D([], [], color=ink, marker="o", label="recorded in 2013"),
                Line2D(
                    [], [], color=ink, linestyle="--", label=f"median of {runs} runs"
                ),
                Patch(color=ink, alpha=0.25, label=f"5\N{EN DASH}95 % of {runs} runs"),
            ],
            loc="outside lower center",
            ncols=3,
        )


def _style(style: RcStyleType | None) -> contextlib.AbstractContextManager[object]:
    if style is None:
        return contextlib.nullcontext()
    import matplotlib.style

    return matplotlib.style.context(style)


def _lay_out(fig: Figure) -> None:
    """Keep labels, title and legend inside *fig*, and the legend off the
    data, moving nothing that needs no moving.

    Constrained layout comes in only where something would be cut off: it
    would move the faithful figure's axes by a few pixels. A legend that
    covers data goes outside the axes, to their right or below them, and
    its type gets smaller until it fits and leaves the axes room.
    """
    if not _fits(fig):
        fig.set_layout_engine("constrained")
    (ax,) = fig.axes
    legend = ax.get_legend()
    if legend is None or _legend_fits(fig, legend):
        return
    # What the legend and the axes measure now rules out some places.
    box, frame = legend.get_window_extent(), ax.get_window_extent()
    width, height = fig.bbox.width, fig.bbox.height
    legend.remove()
    handles, labels = ax.get_legend_handles_labels()
    rows = -(-len(handles) // 2)  # in two columns, below the axes
    largest = {  # the largest scale of type that each place could take
        "inside": min(frame.width / box.width, frame.height / box.height),
        "outside right upper": (width / 2 - frame.x0) / box.width,
        "outside lower center": min(
            (frame.height - height / 2) * len(handles) / (rows * box.height),
            width / (2 * box.width),
        ),
    }
    fig.set_layout_engine("constrained")
    points = legend.prop.get_size_in_points()
    wide = fig.get_figwidth() >= fig.get_figheight()
    Outside = Literal["outside right upper", "outside lower center"]
    outside: list[Outside] = ["outside right upper", "outside lower center"]
    if not wide:
        outside.reverse()
    for scale in (1, 0.75, 0.5):
        font = {"size": points * scale}
        places: list[Literal["inside"] | Outside] = [*outside]
        if scale < 1:
            places.insert(0, "inside")
        for where in places:
            if scale > 1.1 * largest[where]:  # a tenth to spare, for estimates
                continue
            if where == "inside":
                legend = ax.legend(loc="best", prop=font)
            else:
                columns = 1 if where == "outside right upper" else 2
                legend = fig.legend(
                    handles,
                    labels,
                    loc=where,
                    ncols=min(columns, len(handles)),
                    prop=font,
                )
            if _legend_fits(fig, legend):
                return
            legend.remove()
    fig.legend(handles, labels, loc=outside[0], prop=font)  # the best there is


def _legend_fits(fig: Figure, legend: Legend) -> bool:
    """Whether *fig* fits its edges with *legend* clear of the data points
    and the axes keep at least half of the figure each way."""
    from matplotlib.transforms import Bbox

    if not _fits(fig):
        return False
    axes = Bbox.union([ax.get_window_extent() for ax in fig.axes])
    return bool(
        axes.width >= fig.bbox.width / 2
        and axes.height >= fig.bbox.height / 2
        and _clear_of_data(fig, legend.get_window_extent())
    )


def _fits(fig: Figure) -> bool:
    """Whether all of *fig*, laid out as it stands, lies inside its edges."""
    engine = fig.get_layout_engine()
    if engine is not None:
        with warnings.catch_warnings():
            # Constrained layout gives up when the axes would have no room.
            warnings.filterwarnings("error", "constrained_layout not applied")
            try:
                engine.execute(fig)
            except UserWarning:
                return False
    drawn = fig.get_tightbbox()
    width, height = fig.get_size_inches()
    slack = 0.5 / fig.dpi  # half a pixel, for rounding
    return bool(
        drawn.x0 >= -slack
        and drawn.y0 >= -slack
        and drawn.x1 <= width + slack
        and drawn.y1 <= height + slack
    )


def _clear_of_data(fig: Figure, box: Bbox) -> bool:
    """Whether no data point of *fig*'s axes, markers included, lies in *box*."""
    import numpy as np

    for ax in fig.axes:
        for line in ax.get_lines():
            points = line.get_transform().transform(line.get_xydata())
            reach = line.get_markersize() / 2 * fig.dpi / 72
            if np.any(
                (points[:, 0] > box.x0 - reach)
                & (points[:, 0] < box.x1 + reach)
                & (points[:, 1] > box.y0 - reach)
                & (points[:, 1] < box.y1 + reach)
            ):
                return False
    return True


# -- The re-derivation ------------------------------------------------------------
#
# The record came from Nielsen's backprop2 module as it stood in April 2013,
# and the workflow was not kept. These are its facts, read from the public
# history of his repository: a 784-30-30-30-30-30-10 network, sigmoid at every
# layer; weights into a layer of y neurons drawn from N(0, 1) and divided by
# sqrt(y), the receiving layer's size (its docstring says fan-in; the code
# and the record say otherwise), biases likewise; the cross-entropy cost;
# one epoch over the first 1,000 training images, pixels scaled as
# raw / 256, shuffled and cut into ten mini-batches of 100. Each recorded
# number is the Frobenius norm of a layer's unregularized weight gradient,
# summed (not averaged) over the mini-batch, taken before the step
# w <- w - eta (grad + (lambda B / T) w), with eta = 0.01, lambda = 0.05,
# B = 100 and T = 1,000.

_SIZES = (784, 30, 30, 30, 30, 30, 10)
_ETA, _LAMBDA = 0.01, 0.05
_EXAMPLES, _BATCH_SIZE = 1000, 100
INITIALISATIONS = ("backprop2", "fan-in", "standard")
ACTIVATIONS = ("sigmoid", "tanh", "relu")
_MAX_RUNS = 10_000
_MAX_DATA_BYTES = 2**26  # MNIST's largest file, its 60,000 images, is 47 MB
_RUNS_AT_ONCE = 8  # trained side by side; memory does not grow with runs

# What the loader looks for in a data folder, the shipped name first, and the
# SHA-256 of the first 1,000 records as an IDX file of their own.
_MNIST = {
    "images": (
        ("train-images-first-1000-idx3-ubyte", "train-images-idx3-ubyte"),
        (28, 28),
        "386bb018796babeaca208787b77c1b9db39532c4098951ea35f4694e744eb4b7",
    ),
    "labels": (
        ("train-labels-first-1000-idx1-ubyte", "train-labels-idx1-ubyte"),
        (),
        "895f65588e45d05babf0b5fa7aee2a0d782d8143b40b5764e596df91bc9dddeb",
    ),
}


def reproduce(
    runs: int = 100,
    *,
    seed: int = 0,
    init: str = "backprop2",
    activation: str = "sigmoid",
    data: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> NDArray[np.float64]:
    """Train the network as the record was made, *runs* times; the norms.

    Returns an array of shape (runs, 10, 6): for each run, the table it
    records, in the layout of `NABLA_W_NORMS` (mini-batch, then weight layer
    1 to 6). Run i starts from seed ``seed + i``, so any run can be redone
    alone, and the same arguments give the same numbers, bit for bit, on the
    same machine. A run that diverges (ReLU's can) records infinities or
    NaNs from then on.

    *init* is ``"backprop2"`` (the record's), ``"fan-in"`` (the book's later
    code: weights / sqrt(fan-in), biases N(0, 1)) or ``"standard"`` (all
    N(0, 1)). *activation* is the hidden layers' function: ``"sigmoid"`` (the
    record's), ``"tanh"`` or ``"relu"``; the output layer stays sigmoid, with
    the cross-entropy cost. *data* is the folder with MNIST's training files
    (default: ``data`` beside this script). *progress*, if given, is called
    with the runs done and *runs* as the training goes on.
    """
    import numpy as np

    runs, seed = operator.index(runs), operator.index(seed)
    if not 1 <= runs <= _MAX_RUNS:
        raise ValueError(f"runs must be from 1 to {_MAX_RUNS}, not {runs}")
    if seed < 0:
        raise ValueError(f"seed must not be negative, not {seed}")
    for name, value, known in [
        ("init", init, INITIALISATIONS),
        ("activation", activation, ACTIVATIONS),
    ]:
        if value not in known:
            raise ValueError(f"{name} must be one of {', '.join(known)}, not {value!r}")
    images, targets = _load_mnist(data)
    # A pixel blank in every image adds nothing to any product, nor to any
    # gradient: leave such pixels out, a fifth of the first layer's work.
    used: NDArray[np.bool_] = np.any(images, axis=0)
    images = images.compress(used, axis=1)
    result = np.empty((runs, _EXAMPLES // _BATCH_SIZE, len(_SIZES) - 1))
    for first in range(0, runs, _RUNS_AT_ONCE):
        last = min(first + _RUNS_AT_ONCE, runs)
        networks = [_initial_network(seed + i, init) for i in range(first, last)]
        result[first:last] = _train(networks, images, targets, activation, pixels=used)
        if progress is not None:
            progress(last, runs)
    return result


def _initial_network(
    seed: int, init: str
) -> tuple[list[NDArray[np.float64]], list[NDArray[np.float64]], NDArray[np.intp]]:
    """Run *seed*'s starting weights and biases, and the order of its 1,000
    examples. Weights into a layer of y from one of x are y by x."""
    import numpy as np

    rng = np.random.default_rng(seed)
    layers = list(zip(_SIZES[:-1], _SIZES[1:]))
    # Biases first, as backprop2 drew them.
    if init == "backprop2":  # by the receiving layer's size y, not the fan-in x
        biases = [rng.standard_normal(y) / np.sqrt(y) for _, y in layers]
        weights = [rng.standard_normal((y, x)) / np.sqrt(y) for x, y in layers]
    elif init == "fan-in":
        biases = [rng.standard_normal(y) for _, y in layers]
        weights = [rng.standard_normal((y, x)) / np.sqrt(x) for x, y in layers]
    else:
        biases = [rng.standard_normal(y) for _, y in layers]
        weights = [rng.standard_normal((y, x)) for x, y in layers]
    return weights, biases, rng.permutation(_EXAMPLES)


def _train(
    networks: Sequence[
        tuple[list[NDArray[np.float64]], list[NDArray[np.float64]], NDArray[np.intp]]
    ],
    images: NDArray[np.float64],
    targets: NDArray[np.float64],
    activation: str,
    *,
    pixels: NDArray[np.bool_],
) -> NDArray[np.float64]:
    """One epoch of each network, side by side; the norms each records.

    *images* hold only the *pixels* that some image uses.
    """
    import numpy as np

    # Stacked, and the other way round: (run, from, to), so that a layer is
    # one matrix product for every example of every run.
    weights = [
        np.stack([w.T for w in layer]) for layer in zip(*(n[0] for n in networks))
    ]
    biases = [np.stack(layer)[:, None, :] for layer in zip(*(n[1] for n in networks))]
    orders = np.stack([n[2] for n in networks])
    weights[0] = weights[0].compress(pixels, axis=1)
    batches = _EXAMPLES // _BATCH_SIZE
    norms = np.empty((len(networks), batches, len(weights)))
    keep = 1 - _ETA * _LAMBDA * _BATCH_SIZE / _EXAMPLES  # the L2 term's share
    # A run that diverges (ReLU can) goes on as infinities and NaNs.
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(batches):
            batch = orders[:, k * _BATCH_SIZE : (k + 1) * _BATCH_SIZE]
            nabla_w, nabla_b = _gradients(
                weights, biases, images[batch], targets[batch], activation
            )
            for layer, (gw, gb) in enumerate(zip(nabla_w, nabla_b)):
                # Each run's sum of squares as a product of its own: the same
                # bits however many runs go together (einsum's are not).
                flat = gw.reshape(len(gw), 1, -1)
                norms[:, k, layer] = np.sqrt(flat @ flat.transpose(0, 2, 1)).ravel()
                weights[layer] *= keep
                weights[layer] -= np.multiply(gw, _ETA, out=gw)
                biases[layer] -= np.multiply(gb, _ETA, out=gb)
    return norms


def _gradients(
    weights: list[NDArray[np.float64]],
    biases: list[NDArray[np.float64]],
    inputs: NDArray[np.float64],
    targets: NDArray[np.float64],
    activation: str,
) -> tuple[list[NDArray[np.float64]], list[NDArray[np.float64]]]:
    """∇C_w and ∇C_b of the cross-entropy cost, summed over the examples.

    For a stack of networks at once: *weights* are (run, from, to), *biases*
    (run, 1, to), *inputs* (run, example, 784) and *targets* (run, example,
    10), one-hot.
    """
    outputs = [inputs]
    for layer, (w, b) in enumerate(zip(weights, biases)):
        last = layer == len(weights) - 1
        z = outputs[-1] @ w
        z += b
        outputs.append(_activate("sigmoid" if last else activation, z))
    delta = outputs[-1] - targets  # the cross-entropy cost's, at a sigmoid output
    nabla_w, nabla_b = [], []
    for layer in reversed(range(len(weights))):
        nabla_w.append(outputs[layer].transpose(0, 2, 1) @ delta)
        nabla_b.append(delta.sum(axis=1, keepdims=True))
        if layer:
            delta = delta @ weights[layer].transpose(0, 2, 1)
            delta *= _slope(activation, outputs[layer])
    return nabla_w[::-1], nabla_b[::-1]


def _activate(activation: str, z: NDArray[np.float64]) -> NDArray[np.float64]:
    """The activation of *z*, computed in its place."""
    import numpy as np

    if activation == "tanh":
        return np.tanh(z, out=z)
    if activation == "relu":
        return np.maximum(z, 0.0, out=z)
    # The sigmoid 1 / (1 + e^-z), as (1 + tanh(z / 2)) / 2: no overflow.
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


def _slope(activation: str, a: NDArray[np.float64]) -> NDArray[np.float64]:
    """The activation's derivative, from its value *a*."""
    if activation == "tanh":
        return 1 - a * a
    if activation == "relu":
        return (a > 0).astype(a.dtype)
    return a * (1 - a)


def _load_mnist(
    data: str | os.PathLike[str] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """MNIST's first 1,000 training images, pixels scaled to raw / 256 (as
    in 2013), and their labels, one-hot.

    Raises FileNotFoundError or ValueError, naming the file and what is wrong
    with it, for a file that is missing, cut short or not MNIST's.
    """
    import numpy as np

    if data is None:
        here = globals().get("__file__")
        if here is None:  # pasted into a notebook cell
            raise FileNotFoundError(
                "where is MNIST? this code has no file to look beside: "
                "give the folder with its files (data=... or --data DIR)"
            )
        data = os.path.join(os.path.dirname(os.path.abspath(here)), "data")
    images = np.frombuffer(_mnist_records(data, "images"), np.uint8)
    labels = np.frombuffer(_mnist_records(data, "labels"), np.uint8)
    return images.reshape(_EXAMPLES, -1) / 256, np.eye(10)[labels]


def _mnist_records(folder: str | os.PathLike[str], kind: str) -> bytes:
    """The first 1,000 records of MNIST's training *kind*, checked."""
    names, dims, checksum = _MNIST[kind]
    candidates = [
        os.path.join(folder, name + end) for name in names for end in (".gz", "")
    ]
    path = next((c for c in candidates if os.path.exists(c)), candidates[0])
    if not stat.S_ISREG(os.stat(path).st_mode):  # FileNotFoundError: the first
        raise ValueError(f"{path!r}: not a file")  # a FIFO would wait forever
    with open(path, "rb") as file:
        raw = file.read(_MAX_DATA_BYTES + 1)
    if raw[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unzipped:
                raw = unzipped.read(_MAX_DATA_BYTES + 1)
        except (EOFError, OSError, zlib.error) as exc:
            raise ValueError(f"{path!r}: not a whole gzip file ({exc})") from None
    if len(raw) > _MAX_DATA_BYTES:
        raise ValueError(f"{path!r}: larger than any of MNIST's files")
    header = 4 * (2 + len(dims))
    magic = 0x0800 + 1 + len(dims)  # unsigned bytes, in 1 + len(dims) dimensions
    if len(raw) < header or int.from_bytes(raw[:4], "big") != magic:
        raise ValueError(f"{path!r}: not an IDX file of MNIST's {kind}")
    count, *shape = struct.unpack(f">{1 + len(dims)}I", raw[4:header])
    size = math.prod(dims)
    if tuple(shape) != dims:
        raise ValueError(f"{path!r}: {kind} of {shape}, not MNIST's {list(dims)}")
    if count < _EXAMPLES:
        raise ValueError(f"{path!r}: {count} {kind}, and {_EXAMPLES} are needed")
    if len(raw) != header + count * size:
        raise ValueError(
            f"{path!r}: cut short or overlong: {len(raw) - header} bytes of "
            f"{kind} where its header says {count * size}"
        )
    first = raw[header : header + _EXAMPLES * size]
    own = raw[:4] + _EXAMPLES.to_bytes(4, "big") + raw[8:header] + first
    if hashlib.sha256(own).hexdigest() != checksum:
        raise ValueError(
            f"{path!r}: not MNIST's first {_EXAMPLES} training {kind} "
            "(its checksum differs)"
        )
    return first


class Agreement(NamedTuple):
    """How the record sits among runs that re-derive it."""

    runs: int  # the runs compared: those that trained to the end
    left_out: int  # runs that diverged, or whose gradient vanished entirely
    inside: int  # recorded values within the 5th to 95th percentile of the runs
    values: int  # recorded values in all
    growth: float  # recorded growth per hidden layer, over all ten mini-batches
    growth_median: float  # the runs' median growth per hidden layer
    growth_band: tuple[float, float]  # the runs' 5th and 95th percentiles

    def __str__(self) -> str:
        low, high = self.growth_band
        lines = [
            f"{self.inside} of the {self.values} recorded values lie within "
            f"the middle 90 % of {self.runs} runs",
            f"growth per hidden layer: recorded "
            f"\N{MULTIPLICATION SIGN}{self.growth:.2f}, reproduced "
            f"\N{MULTIPLICATION SIGN}{self.growth_median:.2f} "
            f"(5-95 %: {low:.2f}-{high:.2f})",
        ]
        if self.left_out:
            lines.append(
                f"{self.left_out} of {self.runs + self.left_out} runs left out: "
                "they diverged, or a layer's gradient vanished entirely"
            )
        return "\n".join(lines)


def agreement(reproduced: NDArray[np.float64]) -> Agreement:
    """How `NABLA_W_NORMS` sits among *reproduced*, as `reproduce` gives it.

    Runs that diverged, or whose gradient vanished to zero, are left out.
    """
    import numpy as np

    recorded = np.array(NABLA_W_NORMS)
    runs = _completed(reproduced)
    low, high = np.percentile(runs, [5, 95], axis=0)
    growths = _growth(runs)
    growth_low, growth_high = np.percentile(growths, [5, 95])
    return Agreement(
        runs=len(runs),
        left_out=len(reproduced) - len(runs),
        inside=int(((low <= recorded) & (recorded <= high)).sum()),
        values=recorded.size,
        growth=float(_growth(recorded)),
        growth_median=float(np.median(growths)),
        growth_band=(float(growth_low), float(growth_high)),
    )


def _completed(reproduced: NDArray[np.float64]) -> NDArray[np.float64]:
    """The runs of *reproduced* whose every norm is finite and positive."""
    import numpy as np

    shape = (len(NABLA_W_NORMS), len(NABLA_W_NORMS[0]))
    if reproduced.ndim != 3 or reproduced.shape[1:] != shape:
        raise ValueError(
            f"reproduced must have the shape (runs, {shape[0]}, {shape[1]}), "
            f"as reproduce() gives it, not {reproduced.shape}"
        )
    completed = reproduced[
        (np.isfinite(reproduced) & (reproduced > 0)).all(axis=(1, 2))
    ]
    if not len(completed):
        raise ValueError(
            f"none of the {len(reproduced)} runs trained to the end with every "
            "norm finite and positive"
        )
    return completed


def _growth(norms: NDArray[np.float64]) -> NDArray[np.float64]:
    """Growth per hidden layer over all ten mini-batches: the geometric mean
    of each mini-batch's, as `growth_per_layer` measures it."""
    import numpy as np

    hidden = norms[..., 1:-1]
    steps = hidden.shape[-1] - 1
    growth: NDArray[np.float64] = np.exp(
        np.log(hidden[..., -1] / hidden[..., 0]).mean(axis=-1) / steps
    )
    return growth


# -- Writing files ----------------------------------------------------------------

_DEFAULT_OUTPUT = "nabla_magnitudes.png"
_VECTOR_FORMATS = frozenset({"pdf", "svg", "svgz", "eps", "ps"})
# Agg refuses an image wider or taller than this; and a raster of more pixels
# than the budget takes this machine seconds and gigabytes (2**26 pixels: about
# 330 MB and 3 s; 1200 dpi at 6.4x4.8 inches is 44 million).
_AGG_MAX_SIDE = 2**23 - 1
_MAX_PIXELS = 2**26
# Temporary files stand beside their targets under short names of their own,
# so that a target's name may be as long as the system allows.
_TEMPORARY_PREFIX = ".nabla-"
_PROG = "plot_nabla_magnitudes.py"  # as messages name the program


class _Failure(Exception):
    """What went wrong, in one line for the user; exit status 1."""


class _Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP asked the program to stop, as Ctrl-C does."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_STOP_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP")
    if hasattr(signal, name)  # Windows has no SIGHUP
)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block is done, then act on
    the first that came: for steps that must not be cut short."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives signals
        return
    arrived: list[int] = []
    held = {}
    for signum in _STOP_SIGNALS:
        handler = signal.getsignal(signum)
        if handler is not None:  # None: set outside Python, left alone
            held[signum] = handler
            signal.signal(signum, lambda signum, frame: arrived.append(signum))
    try:
        yield
    finally:
        for signum, handler in held.items():
            signal.signal(signum, handler)
        if arrived:
            signal.raise_signal(arrived[0])


def _supported_formats() -> list[str]:
    """The file extensions matplotlib writes here without other software."""
    from matplotlib.backend_bases import FigureCanvasBase

    # PGF needs a LaTeX installation.
    return sorted(set(FigureCanvasBase.get_supported_filetypes()) - {"pgf"})


def _file_format(path: str) -> str:
    """The format of *path*, from its extension, case-insensitive."""
    return os.path.splitext(path)[1][1:].lower()


def _render(
    fig: Figure, fmt: str, dpi: float | None = None, transparent: bool = False
) -> bytes:
    """*fig* as the bytes of a *fmt* file, the same bytes on every run.

    Creation dates are left out and SVG ids come from a fixed salt.
    """
    import matplotlib

    base = "svg" if fmt == "svgz" else fmt
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "plot_nabla_magnitudes"}):
        fig.savefig(
            buffer,
            format=base,
            dpi=dpi,
            transparent=transparent,
            metadata={"pdf": {"CreationDate": None}, "svg": {"Date": None}}.get(base),
        )
    data = buffer.getvalue()
    if fmt == "svgz":
        # matplotlib's own gzip header would carry the time and a file name.
        data = gzip.compress(data, mtime=0)
    elif fmt in ("ps", "eps"):
        # PostScript takes its date only from SOURCE_DATE_EPOCH; the comment
        # is optional, so drop it.
        data = re.sub(rb"^%%CreationDate:[^\n]*\n", b"", data, count=1, flags=re.M)
    return data


def _render_all(
    fig: Figure, outputs: dict[str, str], dpi: float | None, transparent: bool
) -> dict[str, bytes]:
    """The bytes of each output path, rendered from the one figure."""
    files = {}
    for path, fmt in outputs.items():
        try:
            files[path] = _render(fig, fmt, dpi, transparent)
        except Exception as exc:  # matplotlib and Pillow raise all kinds
            raise _Failure(f"cannot render {path!r}: {_first_line(exc)}") from exc
    return files


def _check_sizes(
    outputs: dict[str, str], size: tuple[float, float] | None, dpi: float | None
) -> None:
    """Refuse, before drawing, a figure too large to draw: as it is laid out
    (at figure.dpi) and as each raster output, whatever sets its size: the
    options, a style or the rcParams."""
    import matplotlib

    rc = matplotlib.rcParams
    width, height = size or rc["figure.figsize"]
    saved = dpi or rc["savefig.dpi"]  # as savefig chooses
    if saved == "figure":
        saved = rc["figure.dpi"]
    drawn = [("the figure", rc["figure.dpi"])]
    drawn += [
        (repr(p), saved) for p, fmt in outputs.items() if fmt not in _VECTOR_FORMATS
    ]
    for what, dots in drawn:
        across, down = width * dots, height * dots
        pixels = f"{across:.6g}\N{MULTIPLICATION SIGN}{down:.6g} pixels at {dots:g} dpi"
        if not (min(across, down) >= 1 and max(across, down) <= _AGG_MAX_SIDE):
            raise _Failure(
                f"cannot render {what}: {pixels}, and matplotlib draws "
                f"1 to {_AGG_MAX_SIDE} a side"
            )
        if across * down > _MAX_PIXELS:
            raise _Failure(
                f"cannot render {what}: {pixels} make {across * down:,.0f} "
                f"pixels, more than the {_MAX_PIXELS:,} allowed; "
                "lower --dpi or --size"
            )


def _write_files(files: dict[str, bytes]) -> None:
    """Write each path's bytes: all of them or none, never a file half-written.

    Each regular (or new) file is written in full to a temporary file beside
    it. A device or FIFO, or a link to one, is written into directly, as a
    shell redirect would, and never replaced. Then, with signals held, every
    temporary file replaces its target with one `os.replace`; if one cannot,
    those replaced before it get their old files back. Whatever happens, no
    temporary file remains. Symbolic links are written through; a file
    that is replaced keeps its permissions, and its owner where that may be;
    one that may not be written (its permissions say so) is not replaced.
    """
    targets: dict[str, tuple[str, bytes]] = {}  # each real target once
    for path, data in files.items():
        first, same = targets.setdefault(_real_path(path), (path, data))
        if same != data:
            raise _Failure(f"cannot write {path!r}: it is the same file as {first!r}")
    staged: list[tuple[str, str, str]] = []  # path, target, temporary
    try:
        streams = []
        for target, (path, data) in targets.items():
            with _oserror_as_failure(path):
                old = _writable(target)
                if old is not None and not stat.S_ISREG(old.st_mode):
                    streams.append((path, target, data))
                    continue
                with _signals_held():  # so that no temporary goes unrecorded
                    fd, temporary = _new_beside(target, ".tmp")
                    staged.append((path, target, temporary))
                with open(fd, "wb") as file:
                    file.write(data)
                    file.flush()
                    os.fsync(file.fileno())
                if old is not None:  # the same owner, as far as may be, and mode
                    with contextlib.suppress(PermissionError, AttributeError):
                        os.chown(temporary, old.st_uid, old.st_gid)
                    os.chmod(temporary, stat.S_IMODE(old.st_mode))
        for path, target, data in streams:
            with _oserror_as_failure(path), open(target, "ab") as stream:
                stream.write(data)
        with _signals_held():
            _replace_all(staged)
    finally:
        with _signals_held():
            for _, _, temporary in staged:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(temporary)


def _writable(target: str) -> os.stat_result | None:
    """*target*'s status, None if it is new; an OSError where a shell's
    redirect could not write it either (or it is a folder or a socket)."""
    try:
        old = os.stat(target)
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(old.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
    if stat.S_ISSOCK(old.st_mode):
        raise OSError(errno.ENXIO, "it is a socket, not a file")
    if not os.access(target, os.W_OK):  # replacing it would get round that
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    return old


def _new_beside(target: str, suffix: str) -> tuple[int, str]:
    """A new file beside *target*, under a short name of its own, open for
    writing; made as any new file is, as the umask says."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        name = f"{_TEMPORARY_PREFIX}{secrets.token_hex(6)}{suffix}"
        path = os.path.join(os.path.dirname(target), name)
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:
            continue
        except PermissionError:
            raise PermissionError(
                errno.EACCES, "Permission denied to make a new file in its folder"
            ) from None


def _real_path(path: str) -> str:
    try:
        return os.path.realpath(path)
    except FileNotFoundError:  # from os.getcwd
        raise _Failure(
            f"cannot write {path!r}: the working directory no longer exists"
        ) from None


def _replace_all(staged: list[tuple[str, str, str]]) -> None:
    """Move each temporary file onto its target, all or none."""
    backups = {}  # target: its old file, kept until all are replaced
    replaced = []
    try:
        if len(staged) > 1:
            for path, target, _ in staged:
                if os.path.exists(target):
                    with _oserror_as_failure(path):
                        backups[target] = _backup(target)
        for path, target, temporary in staged:
            with _oserror_as_failure(path):
                os.replace(temporary, target)
            replaced.append(target)
    except BaseException:
        for target in reversed(replaced):
            if target in backups:
                os.replace(backups.pop(target), target)
            else:
                os.remove(target)
        raise
    finally:
        for backup in backups.values():
            with contextlib.suppress(OSError):
                os.remove(backup)


def _backup(target: str) -> str:
    """A second name for *target*'s file, beside it: a hard link, or a copy
    where the file system has none. Nothing is left if neither can be made."""
    fd, backup = _new_beside(target, ".old")
    os.close(fd)
    try:
        os.remove(backup)
        os.link(target, backup)
    except OSError:
        try:
            shutil.copy2(target, backup)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(backup)
            raise
    return backup


@contextlib.contextmanager
def _oserror_as_failure(path: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise _Failure(f"cannot write {path!r}: {exc.strerror or exc}") from exc


def _print(text: str) -> bool:
    """Write *text* to standard output; False if its reader has gone.

    What the stream's encoding cannot take (a name's undecodable bytes, say)
    is written as backslash escapes. Raises _Failure if the stream cannot be
    written at all.
    """
    stream = sys.stdout
    if stream is None:  # started with standard output closed
        raise _Failure("cannot write to standard output: it is closed")
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
        stream.flush()
    except (OSError, ValueError) as exc:
        # Drop what is buffered, lest Python fail again flushing it at exit.
        with contextlib.suppress(OSError, ValueError):
            nowhere = os.open(os.devnull, os.O_WRONLY)
            os.dup2(nowhere, stream.fileno())
            os.close(nowhere)
        if isinstance(exc, BrokenPipeError):  # as in `--csv | head -1`
            return False
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise _Failure(f"cannot write to standard output: {reason}") from None
    return True


def _printable(text: str) -> str:
    """*text* on one line: control characters, and the bytes of a file name
    that were no text, as backslash escapes."""
    return re.sub(
        "[\x00-\x1f\x7f\udc80-\udcff]", lambda c: f"\\x{ord(c[0]) % 256:02x}", text
    )


def _complain(message: str) -> None:
    """Say *message* on standard error, if there is one."""
    if sys.stderr is not None:
        with contextlib.suppress(OSError, ValueError):
            print(f"{_PROG}: {message}", file=sys.stderr)


# -- The command line ---------------------------------------------------------


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number, not {text!r}")
    return value


def _runs(text: str) -> int:
    if re.fullmatch(r"0*[0-9]{1,5}", text) and 1 <= int(text) <= _MAX_RUNS:
        return int(text)
    raise argparse.ArgumentTypeError(
        f"expected a whole number of runs from 1 to {_MAX_RUNS}, not {text!r}"
    )


def _seed(text: str) -> int:
    if re.fullmatch(r"[0-9]{1,4000}", text):  # int() takes at most 4300 digits
        return int(text)
    raise argparse.ArgumentTypeError(
        f"expected a whole number from 0, not {text[:20]!r}"
        + ("..." if len(text) > 20 else "")
    )


def _size(text: str) -> tuple[float, float]:
    width, comma, height = text.partition(",")
    try:
        if comma:
            return _positive_number(width), _positive_number(height)
    except argparse.ArgumentTypeError:
        pass
    raise argparse.ArgumentTypeError(
        f"expected a width and a height in inches like 6.4,3.6, not {text!r}"
    )


def _parse_batches(specs: Iterable[str]) -> tuple[int, ...]:
    """Mini-batches from specs like ``"7"`` or ``"7-9"``: sorted, each once."""
    batches: set[int] = set()
    for spec in specs:
        match = re.fullmatch(r"([0-9]+)(?:-([0-9]+))?", spec)
        try:
            if not match:
                raise ValueError
            low = _checked_batch(int(match[1]))
            high = _checked_batch(int(match[2] or match[1]))
        except ValueError:
            raise ValueError(
                f"{spec!r} is not a mini-batch or a rising range like 7-9 "
                f"within 1-{len(NABLA_W_NORMS)}"
            ) from None
        if low > high:
            raise ValueError(f"{spec!r} is not a rising range like 7-9")
        batches.update(range(low, high + 1))
    return tuple(sorted(batches))


def _build_parser() -> tuple[
    argparse.ArgumentParser, list[argparse.Action], list[argparse.Action]
]:
    """The parser; the options that draw, which --csv refuses; and those that
    go with --reproduce."""
    parser = argparse.ArgumentParser(
        prog=_PROG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Plot the norm of the weight gradient of each hidden layer, as Michael\n"
            "Nielsen recorded it for a 784-30-30-30-30-30-10 network on MNIST.\n"
            "Without -o it opens a window or, where none can open, writes\n"
            f"{_DEFAULT_OUTPUT}."
        ),
        epilog="""\
examples:
  %(prog)s                         a window, or the PNG
  %(prog)s -o fig.pdf -o fig.png   two files, drawn once
  %(prog)s --log --legend          straight lines: x4 per layer
  %(prog)s --csv --batches 1-10    the whole record, as CSV
  %(prog)s --reproduce 300 --log --legend -o r.png
                                   the record over 300 runs of its training""",
    )
    parser.add_argument(
        "--batches",
        nargs="+",
        action="extend",
        default=[],
        metavar="SPEC",
        help="mini-batches, 1-10, as numbers or ranges like 7-9 (default: 7 8 9)",
    )
    parser.add_argument(
        "--csv",
        action="store_true",
        help="print the recorded norms of the mini-batches, all six layers, as "
        "CSV (with --reproduce, the runs' norms, all ten mini-batches by default)",
    )
    group = parser.add_argument_group(
        "re-deriving the record, by training the network as it was trained"
    )
    rederiving = [
        group.add_argument(
            "--reproduce",
            nargs="?",
            const=100,
            type=_runs,
            metavar="RUNS",
            help=f"train it RUNS times (default: 100, at most {_MAX_RUNS}) and "
            "draw the record over the runs' bands; say how well they agree",
        ),
        group.add_argument(
            "--seed",
            type=_seed,
            help="the first run's seed; run i uses seed + i (default: 0)",
        ),
        group.add_argument(
            "--init",
            choices=INITIALISATIONS,
            help="how the weights start: as in 2013 (backprop2, the default), "
            "by the fan-in (the book's later code), or all N(0, 1)",
        ),
        group.add_argument(
            "--activation",
            choices=ACTIVATIONS,
            help="the hidden layers' activation (default: sigmoid, as in 2013)",
        ),
        group.add_argument(
            "--data",
            metavar="DIR",
            help="the folder of MNIST's training files (default: data beside "
            "this script)",
        ),
    ]
    group = parser.add_argument_group("drawing (not with --csv)")
    drawing = [
        group.add_argument(
            "-o",
            "--output",
            action="append",
            default=[],
            metavar="PATH",
            help="write the figure to PATH, in the format its extension names "
            "(png, svg, pdf, ...); repeat for several files",
        ),
        group.add_argument(
            "--dpi",
            type=_positive_number,
            help="resolution of raster files, in dots per inch (default: 100); "
            "rasters may have up to 2**26 pixels, about 1470 dpi at 6.4x4.8 inches",
        ),
        group.add_argument(
            "--transparent",
            action="store_true",
            help="write files with a transparent background",
        ),
        group.add_argument(
            "--size",
            type=_size,
            metavar="W,H",
            help="the figure's width and height in inches, e.g. 6.4,3.6 "
            "(default: the style's, 6.4,4.8)",
        ),
        group.add_argument("--title", metavar="TEXT", help="a title above the plot"),
        group.add_argument("--log", action="store_true", help="a logarithmic y axis"),
        group.add_argument(
            "--legend",
            action="store_true",
            help="a legend of the mini-batches "
            "(with --log, also their growth per layer)",
        ),
        group.add_argument(
            "--style",
            action="append",
            default=[],
            metavar="STYLE",
            help="a matplotlib style's name (e.g. classic, tableau-colorblind10) or "
            "the path of a .mplstyle file; repeat to apply several in order",
        ),
        group.add_argument(
            "--show",
            action="store_true",
            help="also open a window after writing -o files",
        ),
    ]
    return parser, drawing, rederiving


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``).

    Returns the exit status: 0 on success, 2 for a usage error, 1 when the
    figure could not be written or shown.
    """
    parser, drawing, rederiving = _build_parser()
    try:
        args = parser.parse_args(argv)
        try:
            batches = _parse_batches(args.batches)
        except ValueError as exc:
            parser.error(f"argument --batches: {exc}")
        if args.reproduce is None:
            given = [(action, getattr(args, action.dest)) for action in rederiving]
            _refuse(parser, given, "only with --reproduce")
        seed = args.seed or 0  # None: not given, which only --reproduce allows
        training = functools.partial(
            _rederive,
            args.reproduce,
            seed=seed,
            init=args.init or INITIALISATIONS[0],
            activation=args.activation or ACTIVATIONS[0],
            data=args.data,
        )
        if args.csv:
            given = [(action, getattr(args, action.dest)) for action in drawing]
            _refuse(parser, given, "not allowed with --csv, which draws nothing")
            if args.reproduce is None:
                table = table_csv(batches or REPRESENTATIVE_BATCHES)
            else:
                _import("numpy")
                table = _runs_csv(training(), seed, batches or _ALL_BATCHES)
            return 0 if _print(table) else 1
        batches = batches or REPRESENTATIVE_BATCHES
        _check_targets(args.output)  # before anything takes long
        _import("matplotlib")
        outputs = _output_formats(parser, args.output)
        window = args.show or not outputs
        # Inside the styles while saving too: savefig.* settings act then.
        with _styles_applied(parser, args.style):
            _check_title(parser, args.title)
            _check_sizes(outputs, args.size, args.dpi)
            reproduced, summary = None, ""
            if args.reproduce is not None:
                reproduced = training()
                summary = _summary(reproduced)
            build = functools.partial(
                make_figure,
                batches,
                log=args.log,
                legend=args.legend,
                size=args.size,
                title=args.title,
                reproduced=reproduced,
            )
            try:
                fig, no_window = _figure_and_window(build, window)
            except Exception as exc:  # a style's rcParams can fail in many ways
                raise _Failure(f"cannot draw the figure: {_first_line(exc)}") from exc
            if no_window and not outputs:  # as where there is no display
                outputs = {_DEFAULT_OUTPUT: "png"}
                _check_sizes(outputs, args.size, args.dpi)
            files = _render_all(fig, outputs, args.dpi, args.transparent)
        _write_files(files)
        try:
            _print(summary + "".join(f"{_printable(path)}\n" for path in files))
        except _Failure as exc:
            raise _Failure(f"{exc}; the files are written") from None
        if no_window and args.show:
            raise _Failure(f"cannot open a window: {no_window}")
        if window and not no_window:
            import matplotlib.pyplot as plt

            plt.show()
    except SystemExit as exc:  # argparse has printed the usage or the help
        return int(exc.code or 0)
    except _Failure as exc:
        _complain(f"error: {exc}")
        return 1
    return 0


def _refuse(
    parser: argparse.ArgumentParser,
    given: Iterable[tuple[argparse.Action, object]],
    reason: str,
) -> None:
    """A usage error for the first option given a value other than its default."""
    for action, value in given:
        if value != action.default:
            parser.error(f"argument {'/'.join(action.option_strings)}: {reason}")


_MATPLOTLIB_NEEDED = (3, 9)


def _import(name: str) -> None:
    """Import matplotlib or numpy, or say in one line why it cannot be."""
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            raise _Failure(
                f"{name} is not installed: pip install -r requirements.txt"
            ) from None
        raise _Failure(f"cannot import {name}: {_cause(exc)}") from None
    except Exception as exc:  # a broken numpy, say, or an unknown MPLBACKEND
        raise _Failure(f"cannot import {name}: {_cause(exc)}") from None
    if name == "matplotlib":
        version = module.__version__
        found = tuple(int(n) for n in re.findall(r"[0-9]+", version)[:2])
        if found < _MATPLOTLIB_NEEDED:
            needed = ".".join(map(str, _MATPLOTLIB_NEEDED))
            raise _Failure(
                f"matplotlib {version} is too old: this script needs "
                f"{needed} or newer (pip install 'matplotlib>={needed}')"
            )


def _rederive(
    runs: int, *, seed: int, init: str, activation: str, data: str | None
) -> NDArray[np.float64]:
    """`reproduce`, with its progress on standard error where that is a
    terminal, and a problem with the data in one line."""
    terminal = sys.stderr is not None and sys.stderr.isatty()

    def progress(done: int, runs: int) -> None:
        print(f"\rtraining: {done} of {runs} runs", end="", file=sys.stderr)

    try:
        return reproduce(
            runs,
            seed=seed,
            init=init,
            activation=activation,
            data=data,
            progress=progress if terminal else None,
        )
    except OSError as exc:  # a data file missing or unreadable
        if exc.filename is None:
            raise _Failure(str(exc)) from None
        raise _Failure(f"cannot read {exc.filename!r}: {exc.strerror}") from None
    except ValueError as exc:  # a data file cut short or not MNIST's
        raise _Failure(str(exc)) from None
    finally:
        if terminal:
            print(file=sys.stderr)  # ends the progress line, Ctrl-C or not


def _summary(reproduced: NDArray[np.float64]) -> str:
    """How the record sits among *reproduced*, in a few lines to print."""
    try:
        return f"{agreement(reproduced)}\n"
    except ValueError as exc:  # no run trained to the end
        raise _Failure(str(exc)) from None


def _runs_csv(
    reproduced: NDArray[np.float64], seed: int, batches: Iterable[int]
) -> str:
    """The runs' tables as CSV: a row per run and mini-batch, round-trip."""
    lines = [f"run,seed,mini_batch,{_LAYER_COLUMNS}"]
    batches = tuple(batches)
    for run, table in enumerate(reproduced.tolist(), start=1):
        for batch in batches:
            values = map(repr, table[batch - 1])
            lines.append(",".join([str(run), str(seed + run - 1), str(batch), *values]))
    return "\n".join(lines) + "\n"


def _check_targets(paths: Iterable[str]) -> None:
    """Fail at once, before anything takes long, for an output that cannot
    be written where it is."""
    for path in paths:
        target = _real_path(path)
        with _oserror_as_failure(path):
            _writable(target)
            if not os.path.isdir(os.path.dirname(target)):
                raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT))


def _check_title(parser: argparse.ArgumentParser, title: str | None) -> None:
    """A usage error for a title whose mathtext matplotlib cannot read."""
    import matplotlib
    from matplotlib.cbook import is_math_text
    from matplotlib.mathtext import MathTextParser

    if title is None or not is_math_text(title) or matplotlib.rcParams["text.usetex"]:
        return
    try:
        MathTextParser("path").parse(title)
    except ValueError as exc:
        reason = str(exc).strip().rpartition("\n")[2]
        parser.error(f"argument --title: {title!r}: {reason}")


def _output_formats(
    parser: argparse.ArgumentParser, paths: Iterable[str]
) -> dict[str, str]:
    """Each output path with its format, in order, each once."""
    supported = _supported_formats()
    outputs = {}
    for path in paths:
        fmt = _file_format(path)
        if fmt not in supported:
            problem = f"the unsupported extension {fmt!r}" if fmt else "no extension"
            parser.error(
                f"argument -o/--output: {path!r} has {problem}; "
                f"use one of: {', '.join(supported)}"
            )
        outputs[path] = fmt
    return outputs


@contextlib.contextmanager
def _styles_applied(
    parser: argparse.ArgumentParser, styles: list[str]
) -> Iterator[None]:
    """Apply *styles* in order for the block, each once; a usage error for
    one that matplotlib cannot apply."""
    import logging
    from logging.handlers import BufferingHandler

    import matplotlib.style

    # matplotlib logs, rather than raises, what is wrong in a style file.
    complaints = BufferingHandler(capacity=100)
    complaints.setLevel(logging.WARNING)
    logger = logging.getLogger("matplotlib")
    with contextlib.ExitStack() as applied:
        for style in styles:
            logger.addHandler(complaints)
            propagate, logger.propagate = logger.propagate, False
            try:
                if os.path.exists(style) and not os.path.isfile(style):
                    raise ValueError  # a folder, say, or a FIFO that would wait
                applied.enter_context(matplotlib.style.context(style))
                if complaints.buffer:
                    raise ValueError(complaints.buffer[0].getMessage())
            except (OSError, ValueError) as exc:
                if os.path.isfile(style):
                    problem = f"{style!r}: {_first_line(exc)}"
                else:
                    problem = (
                        f"{style!r} is neither a matplotlib style "
                        "(see matplotlib.style.available) nor a style file"
                    )
                parser.error(f"argument --style: {problem}")
            finally:
                logger.removeHandler(complaints)
                logger.propagate = propagate
        yield


def _figure_and_window(
    build: Callable[..., Figure], window: bool
) -> tuple[Figure, str | None]:
    """The figure; and, if a window is wanted, why none can show it, or None.

    A window needs a figure that pyplot manages. pyplot settles on its
    backend when it is imported (falling back to one that only writes files
    where there is no display) and loads it when the first figure is made.
    """
    if not window:
        return build(), None
    import matplotlib
    import matplotlib.pyplot  # settles the backend
    from matplotlib.backends.registry import BackendFilter, backend_registry

    backend = matplotlib.get_backend()
    # Agg, PDF, SVG and the like only write files; the others (GUI toolkits,
    # notebook backends such as inline) can show the figure.
    writers = backend_registry.list_builtin(  # type: ignore[no-untyped-call]
        BackendFilter.NON_INTERACTIVE
    )
    if backend.lower() in writers:
        return build(), f"matplotlib's backend here, {backend}, only writes files"
    try:
        return build(pyplot=True), None
    except (ImportError, RuntimeError) as exc:  # no Qt, say; WebAgg: no Tornado
        return (
            build(),
            f"matplotlib's backend {backend} cannot load: {_first_line(exc)}",
        )


def _cause(exc: BaseException) -> str:
    """The first line of what first went wrong behind *exc*."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return _first_line(exc)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().partition("\n")[0] or type(exc).__name__


# -- The entry point ------------------------------------------------------------


def _in_ipython() -> bool:
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


def _own_arguments() -> list[str]:
    """The command-line arguments given to this script, if any were.

    In a notebook cell, sys.argv holds the kernel's own arguments
    (``-f .../kernel-....json``); only ``%run`` puts this file's name in
    sys.argv[0] and its arguments after it, as a shell would.
    """
    if not _in_ipython():
        return sys.argv[1:]
    script = globals().get("__file__")
    if (
        script
        and sys.argv
        and os.path.basename(sys.argv[0]) == os.path.basename(script)
    ):
        return sys.argv[1:]
    return []


def _run_as_a_program() -> int:
    """Run the command line as a program of its own: warnings on one line,
    SIGTERM and SIGHUP ending it as Ctrl-C does, and 128 plus the number of
    the signal that stopped it as its exit status."""
    warnings.formatwarning = _one_line_warning
    if sys.stderr is None:  # started with standard error closed
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115
    _stop_on_signals()
    try:
        return main(_own_arguments())
    except KeyboardInterrupt as exc:
        return 128 + (exc.signum if isinstance(exc, _Stopped) else signal.SIGINT)


def _stop_on_signals() -> None:
    """Make SIGTERM and SIGHUP stop the program as Ctrl-C does."""
    for signum in _STOP_SIGNALS:
        # SIGINT raises KeyboardInterrupt already; a signal ignored (as
        # nohup ignores SIGHUP) stays ignored.
        if signum != signal.SIGINT and signal.getsignal(signum) != signal.SIG_IGN:
            signal.signal(signum, _stop)


def _stop(signum: int, frame: object) -> None:
    raise _Stopped(signum)


def _one_line_warning(
    message: Warning | str, category: type[Warning], *args: object, **kwargs: object
) -> str:
    return f"{_PROG}: warning: {_printable(str(message))}\n"


if __name__ == "__main__":
    if _in_ipython():  # a notebook cell, or %run: no exit, the kernel goes on
        with contextlib.suppress(KeyboardInterrupt):
            main(_own_arguments())
    else:
        sys.exit(_run_as_a_program())
