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

Michael Nielsen, writing "Neural Networks and Deep Learning" (chapter 5),
trained a 784-30-30-30-30-30-10 sigmoid network on the first 1,000 MNIST
training images for one epoch: ten mini-batches of 100, eta = 0.01 and L2
regularization lambda = 0.05. For every mini-batch he recorded the norm of the
unregularized weight gradient, ‖∇C^l_w‖, of each weight layer l = 1..6, from
input to output. `NABLA_W_NORMS` holds them exactly as recorded.

His figure plots mini-batches 7, 8 and 9 over the four hidden layers. It leaves
out the first and last layers, which connect to 784 inputs and 10 outputs
rather than to 30 neurons on each side. Going back toward the input, the
gradient shrinks about fourfold per layer, so the earlier layers learn far
more slowly.

The numbers come from ``fig/backprop_magnitude_nabla.py`` in Michael Nielsen's
neural-networks-and-deep-learning repository (MIT licence, copyright (c)
2012-2015 Michael Nielsen). That script kept the numbers but not the workflow
that made them. The default figure here is that script's, to the pixel.
`reproduce` trains the network again as it was trained in 2013, and
`Agreement` says where the record sits among the runs.

From a shell, run ``python plot_nabla_magnitudes.py --help``. In a notebook,
paste this file into a cell or ``%run`` it, and the figure shows inline. From
Python, with this file's folder as the current folder or on ``sys.path``::

    import matplotlib.pyplot as plt
    import plot_nabla_magnitudes as pnm

    fig = pnm.make_figure(log=True, legend=True)  # a Figure, without pyplot
    fig, ax = plt.subplots()
    pnm.draw(ax)  # onto an Axes of your own
    runs = pnm.reproduce(30)  # the training, 30 times
    pnm.make_figure(reproduced=runs, log=True)  # the record over the runs
"""

from __future__ import annotations

import argparse
import math
import operator
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # matplotlib and numpy are imported only where work starts
    from collections.abc import Callable, Iterable, Sequence
    from types import FrameType
    from typing import Any, Literal

    import numpy as np
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcStyleType
    from numpy.typing import ArrayLike, NDArray

    Array = NDArray[np.float64]

# -- The record -------------------------------------------------------------------

# ‖∇C^l_w‖ for weight layers 1..6 (input to output), one row per mini-batch
# 1..10, with the digits as they were recorded.
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
_ALL_BATCHES = range(1, len(NABLA_W_NORMS) + 1)
# The four hidden layers among the six. The first layer connects the 784
# inputs and the last the 10 outputs, so their norms are not comparable.
_HIDDEN = slice(1, -1)
# A band of runs is shaded between these two percentiles.
_BAND = (5, 95)
_BAND_NAME = f"{_BAND[0]}–{_BAND[1]} %"


def _whole(name: str, value: int) -> int:
    # True is an int to Python, but not to a user.
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be a whole number, not {value!r}")
    return operator.index(value)


def _checked_batches(batches: Iterable[int]) -> tuple[int, ...]:
    if isinstance(batches, str) or not hasattr(batches, "__iter__"):
        raise TypeError(f"batches must be mini-batch numbers, not {batches!r}")
    checked = tuple(_whole("a mini-batch", batch) for batch in batches)
    if not checked:
        raise ValueError("batches must name at least one mini-batch")
    for batch in checked:
        if batch not in _ALL_BATCHES:
            raise ValueError(f"a mini-batch must be from 1 to 10, not {batch}")
    return checked


def hidden_layer_norms(batch: int) -> tuple[float, ...]:
    """Return the four hidden-layer norms of a mini-batch (1 to 10)."""
    (batch,) = _checked_batches([batch])
    return NABLA_W_NORMS[batch - 1][_HIDDEN]


def _growth(first: Any, last: Any) -> Any:
    """Return how many times the norm grows per hidden layer, input to output.

    That is the geometric mean of the ratios between successive hidden layers,
    from the first hidden layer's norm to the last's.
    """
    steps = len(NABLA_W_NORMS[0][_HIDDEN]) - 1
    return (last / first) ** (1 / steps)


def growth_per_layer(batch: int) -> float:
    """Return how many times a mini-batch's norm grows per hidden layer."""
    norms = hidden_layer_norms(batch)
    return float(_growth(norms[0], norms[-1]))


def table_csv(batches: Iterable[int] = _ALL_BATCHES) -> str:
    """Return the recorded norms of the mini-batches, all six layers, as CSV.

    Each value is written as ``repr`` writes it: the shortest text that reads
    back as the same float.
    """
    rows = [(batch, *NABLA_W_NORMS[batch - 1]) for batch in _checked_batches(batches)]
    return _csv("mini_batch", rows)


def _csv(columns: str, rows: Iterable[Sequence[float]]) -> str:
    header = [columns, *(f"layer_{n}" for n in range(1, 7))]
    lines = [",".join(header), *(",".join(map(repr, row)) for row in rows)]
    return "\n".join(lines) + "\n"


def _completed(reproduced: ArrayLike) -> Array:
    """Return the runs whose every norm is finite and positive: two at least."""
    import numpy as np

    try:
        runs: Array = np.asarray(reproduced, dtype=float)
    except (TypeError, ValueError):
        runs = np.empty(0)
    if runs.shape[1:] != (10, 6):
        raise ValueError(
            "reproduced must be numbers of the shape (runs, 10, 6), as "
            f"reproduce() returns them, not {reproduced!r:.60}"
        )
    completed = runs[(np.isfinite(runs) & (runs > 0)).all(axis=(1, 2))]
    if len(completed) < 2:
        raise ValueError(
            "a band needs 2 runs that trained to the end with every norm finite "
            f"and positive, and {len(completed)} of {len(runs)} did"
        )
    return completed


# -- The figure -------------------------------------------------------------------

# Each mini-batch's colour under matplotlib's default or classic colour cycle.
# Mini-batches 7, 8 and 9 have the original's red, green and blue; the others
# take the rest of the default cycle, without its own red, green and blue.
_OWN_COLOURS = {
    7: "r", 8: "g", 9: "b",
    1: "tab:orange", 2: "tab:purple", 3: "tab:brown", 4: "tab:pink",
    5: "tab:gray", 6: "tab:olive", 10: "tab:cyan",
}  # fmt: skip


def draw(
    ax: Axes,
    batches: Iterable[int] = REPRESENTATIVE_BATCHES,
    *,
    log: bool = False,
    legend: bool = False,
    reproduced: ArrayLike | None = None,
) -> list[Artist]:
    """Draw ‖∇C^l_w‖ against hidden layer 1-4 on ax, a line for each mini-batch.

    Each mini-batch keeps its colour whatever else is drawn. Under matplotlib's
    default and classic styles, 7, 8 and 9 are the original's red, green and blue.
    With log, the y axis is logarithmic and each line's label gives the
    mini-batch's growth per layer. With legend, the axes get a legend.
    With reproduced, the runs that `reproduce` returns, each line lies over the
    band between the 5th and 95th percentile of its runs, and their median is
    drawn dashed.
    Return the lines and bands drawn, in the order they were drawn.
    """
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, not {ax!r}")
    summary = None if reproduced is None else _summary(reproduced)
    drawn = _draw(ax, _checked_batches(batches), log, summary)
    if legend:
        ax.legend(title="mini-batch")
    return drawn


def _summary(reproduced: ArrayLike) -> tuple[int, Array]:
    """Return how many runs trained to the end, and their 5th, 50th and 95th
    percentile of each hidden layer's norm: an array of shape (3, 10, 4)."""
    import numpy as np

    runs = _completed(reproduced)
    return len(runs), np.percentile(runs[..., _HIDDEN], [_BAND[0], 50, _BAND[1]], 0)


def _run_labels(runs: int) -> tuple[str, str]:
    """Return the labels of the band and of the median of so many runs."""
    return f"{_BAND_NAME} of {runs} runs", f"median of {runs} runs"


def _draw(
    ax: Axes, batches: tuple[int, ...], log: bool, summary: tuple[int, Array] | None
) -> list[Artist]:
    """Draw the mini-batches on ax, over their runs' summary if there is one."""
    colours = _batch_colours()
    layers = range(1, len(NABLA_W_NORMS[0][_HIDDEN]) + 1)
    drawn: list[Artist] = []
    for batch in batches:
        colour = colours[batch]
        if summary is not None:
            low, median, high = summary[1][:, batch - 1]
            # Only the first mini-batch's band and median go into a legend.
            band, middle = _run_labels(summary[0]) if batch == batches[0] else ("", "")
            tint = _tint(colour, ax.get_facecolor())
            drawn.append(
                ax.fill_between(layers, low, high, color=tint, lw=0, label=band)
            )
            drawn += ax.plot(layers, median, "--", color=colour, label=middle)
        label = str(batch)
        if log:
            label += f" (×{growth_per_layer(batch):.1f} per layer)"
        # Over a band, hollow markers leave the band and the median in sight.
        face = colour if summary is None else "none"
        norms = hidden_layer_norms(batch)
        drawn += ax.plot(layers, norms, "o-", color=colour, mfc=face, label=label)
    ax.set_xlabel("Layer $l$")
    ax.set_ylabel(r"$\Vert\nabla C^l_w\Vert$")
    ax.set_xticks(layers)
    if log:
        _readable_log_scale(ax, (1.0, 2.0, 5.0))
    return drawn


def _batch_colours() -> dict[int, Any]:
    """Return each mini-batch's colour in the style in use."""
    import matplotlib
    import matplotlib.style
    from matplotlib.colors import to_rgba

    def colours(params: Any) -> list[tuple[float, ...]]:
        cycle = params["axes.prop_cycle"].by_key()
        return [to_rgba(colour) for colour in cycle.get("color", [])]

    cycle = colours(matplotlib.rcParams)
    default = colours(matplotlib.rcParamsDefault)
    if cycle in (default, colours(matplotlib.style.library["classic"])):
        return dict(_OWN_COLOURS)
    # A style's own cycle, in the same order; a short one goes on with the
    # default cycle, so that each of the ten has a colour of its own.
    return dict(zip(_OWN_COLOURS, dict.fromkeys(cycle + default)))


def _tint(colour: Any, background: Any) -> tuple[float, float, float]:
    """Return colour at a quarter of its strength over the background, opaque.

    An opaque tint looks the same in every format: PostScript has no transparency.
    """
    from matplotlib.colors import to_rgb

    pairs = zip(to_rgb(colour), to_rgb(background))
    red, green, blue = (0.25 * c + 0.75 * b for c, b in pairs)
    return red, green, blue


def _readable_log_scale(ax: Axes, subs: tuple[float, ...]) -> None:
    """Make the y axis logarithmic, labelled at subs times each power of ten."""
    from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(subs=subs))
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
    reproduced: ArrayLike | None = None,
    pyplot: bool = False,
) -> Figure:
    """Make a new Figure of the plot, without pyplot unless pyplot is true.

    The default figure is the original's, to the pixel; any other is laid out
    by constrained layout. log and legend are as for `draw`. With reproduced,
    each mini-batch gets a panel of its own.
    style is anything that ``matplotlib.style.use`` takes. Its ``savefig.*``
    settings act only where the figure is saved inside
    ``matplotlib.style.context(style)``.
    size is the width and height in inches. In a figure smaller than the
    style's, type is smaller in proportion, down to 6 points.
    title is set above the plot.
    With pyplot true, pyplot makes the figure, so that ``plt.show()`` shows it.
    """
    import matplotlib.style
    from matplotlib.figure import Figure

    batches = _checked_batches(batches)
    plain = batches == REPRESENTATIVE_BATCHES and not (log or legend)
    faithful = plain and all(x is None for x in (style, size, title, reproduced))
    with matplotlib.style.context(style or {}):
        rc = matplotlib.rcParams
        try:
            width, height = map(float, rc["figure.figsize"] if size is None else size)
        except (TypeError, ValueError):
            width = height = math.nan
        if not (0 < width < math.inf and 0 < height < math.inf):
            raise ValueError(
                f"size must be a positive width and height in inches, not {size!r}"
            )
        styled_width, styled_height = rc["figure.figsize"]
        scale = min(1, width / styled_width, height / styled_height)
        if scale < 1:  # until the style's context ends
            rc["font.size"] = max(6, rc["font.size"] * scale)
            rc["lines.markersize"] = max(3, rc["lines.markersize"] * scale)
        layout: Literal["constrained"] | None = None if faithful else "constrained"
        if pyplot:
            import matplotlib.pyplot as plt
        new: Callable[..., Figure] = plt.figure if pyplot else Figure
        fig = new(figsize=(width, height), layout=layout)
        if title is not None:
            fig.suptitle(title, wrap=True)
        if reproduced is None:  # the legend beside the plot
            handles = _draw(fig.add_subplot(), batches, log, None)
            place: dict[str, Any] = dict(loc="outside right center", title="mini-batch")
        else:  # the legend below the panels, in a row where it has room
            handles = _draw_panels(fig, batches, log, _summary(reproduced))
            ncols = 3 if width * 72 >= 42 * rc["font.size"] else 1
            place = {"loc": "outside lower center", "ncols": ncols}
        if legend:  # opaque, as PostScript has no transparency
            fig.legend(handles=handles, framealpha=1, **place)
    return fig


def _draw_panels(
    fig: Figure, batches: tuple[int, ...], log: bool, summary: tuple[int, Array]
) -> list[Artist]:
    """Draw a panel for each mini-batch; return the artists for a legend."""
    import matplotlib
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rows = 1 if len(batches) <= 4 else 2
    columns = math.ceil(len(batches) / rows)
    # Each panel has a y axis of its own: the largest mini-batch would flatten
    # the others on a shared one.
    grid = fig.subplots(rows, columns, sharex=True, squeeze=False)
    # Titles in full where they have room, counted in characters; else the
    # first one says what the numbers are.
    room = fig.get_figwidth() * 72 / columns / matplotlib.rcParams["font.size"]
    tall = fig.get_figheight() / rows >= 3  # inches
    for index, (ax, batch) in enumerate(zip(grid.flat, batches)):
        _draw(ax, (batch,), False, summary)
        if log:  # a small panel is labelled at each power of ten alone
            _readable_log_scale(ax, (1.0, 2.0, 5.0) if tall else (1.0,))
            ax.minorticks_off()
        if room > 16:
            ax.set_title(f"mini-batch {batch}", fontsize="medium")
        else:
            short = f"mini-batch {batch}" if index == 0 else str(batch)
            ax.set_title(short, fontsize="medium", loc="left")
        if index + columns < len(batches):
            ax.set_xlabel("")  # the panel below has it
        else:  # the lowest panel of its column
            ax.xaxis.set_tick_params(labelbottom=True)
        if index % columns:
            ax.set_ylabel("")
    for ax in grid.flat[len(batches) :]:
        ax.remove()
    ink = matplotlib.rcParams["text.color"]
    band, median = _run_labels(summary[0])
    return [
        Line2D([], [], color=ink, marker="o", mfc="none", label="recorded in 2013"),
        Line2D([], [], color=ink, linestyle="--", label=median),
        Patch(color=_tint(ink, matplotlib.rcParams["axes.facecolor"]), label=band),
    ]


# -- The re-derivation ------------------------------------------------------------
#
# The network is trained as Nielsen's backprop2 module trained it in April 2013;
# the README's "Reproducing the record" gives the facts. Each number is the
# Frobenius norm of a layer's summed, unregularized weight gradient, taken
# before the step w <- w - eta (gradient + (lambda B / T) w), where B = 100
# examples make a mini-batch and T = 1,000 the whole set.

_SIZES = (784, 30, 30, 30, 30, 30, 10)
_ETA, _LAMBDA = 0.01, 0.05
_EXAMPLES, _BATCH_SIZE = 1000, 100
INITIALISATIONS = ("backprop2", "fan-in", "standard")
ACTIVATIONS = ("sigmoid", "tanh", "relu")
_MAX_RUNS = 10_000
_RUNS_AT_ONCE = 8  # trained side by side, so memory does not grow with the runs
# SHA-256 of MNIST's first 1,000 training images and labels, as IDX files.
_MNIST_SHA256 = {
    "images": "386bb018796babeaca208787b77c1b9db39532c4098951ea35f4694e744eb4b7",
    "labels": "895f65588e45d05babf0b5fa7aee2a0d782d8143b40b5764e596df91bc9dddeb",
}


def reproduce(
    runs: int = 100,
    *,
    seed: int = 0,
    init: str = "backprop2",
    activation: str = "sigmoid",
    data: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> Array:
    """Train the network as the record was made, runs times; return the norms.

    The array has the shape (runs, 10, 6): each run is laid out as
    `NABLA_W_NORMS`. Run i starts from seed ``seed + i``, and gives the same
    numbers, bit for bit, on the same machine. A run that diverges (ReLU's can)
    records infinities or NaNs.
    init is how the weights start: ``"backprop2"`` (the record's),
    ``"fan-in"`` (weights / sqrt(fan-in), biases N(0, 1)) or ``"standard"``
    (all N(0, 1)). activation is the hidden layers': ``"sigmoid"`` (the
    record's), ``"tanh"`` or ``"relu"``. data is the folder of MNIST's training
    files, by default ``data`` beside this file. progress, if given, is called
    with the runs done and all the runs as the training goes on.
    """
    import numpy as np

    runs, seed = _whole("runs", runs), _whole("seed", seed)
    if not 1 <= runs <= _MAX_RUNS:
        raise ValueError(f"runs must be from 1 to {_MAX_RUNS}, not {runs}")
    if seed < 0:
        raise ValueError(f"seed must not be negative, not {seed}")
    named = {"init": (init, INITIALISATIONS), "activation": (activation, ACTIVATIONS)}
    for name, (value, known) in named.items():
        if value not in known:
            raise ValueError(f"{name} must be one of {', '.join(known)}, not {value!r}")
    images, targets = _load_mnist(data)
    # Pixels blank in every image add nothing: a fifth of the first layer's work.
    used: NDArray[np.bool_] = np.any(images, axis=0)
    images = images.compress(used, axis=1)
    result = np.empty((runs, _EXAMPLES // _BATCH_SIZE, len(_SIZES) - 1))
    # The products are small, and BLAS's threads only slow them down where the
    # cores are shared: one thread while training, whatever was set before.
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with threadpool_limits(1, user_api="blas"):
        for first in range(0, runs, _RUNS_AT_ONCE):
            last = min(first + _RUNS_AT_ONCE, runs)
            networks = [_initial_network(seed + i, init) for i in range(first, last)]
            result[first:last] = _train(networks, images, targets, activation, used)
            if progress is not None:
                progress(last, runs)
    return result


def _initial_network(
    seed: int, init: str
) -> tuple[list[Array], list[Array], NDArray[np.intp]]:
    """Draw one run's first weights and biases, and its order of the examples.

    A layer of y neurons fed by x has weights of the shape (y, x), as in 2013.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    layers = list(zip(_SIZES[:-1], _SIZES[1:]))
    # The biases first, as backprop2 drew them. It divided both by the
    # receiving layer's size y, not by the fan-in x. (x / 1.0 is x, bit for bit.)
    b2, fan_in = init == "backprop2", init == "fan-in"
    biases = [rng.standard_normal(y) / np.sqrt(y if b2 else 1) for _, y in layers]
    weights = [
        rng.standard_normal((y, x)) / np.sqrt(y if b2 else x if fan_in else 1)
        for x, y in layers
    ]
    return weights, biases, rng.permutation(_EXAMPLES)


def _train(
    networks: Sequence[tuple[list[Array], list[Array], NDArray[np.intp]]],
    images: Array,
    targets: Array,
    activation: str,
    pixels: NDArray[np.bool_],
) -> Array:
    """Train the networks for one epoch, side by side; return the norms of each.

    images hold only the pixels that some image uses, which pixels marks.
    """
    import numpy as np

    # Stacked and turned round, (run, from, to), so that a layer is one matrix
    # product for every example of every run.
    weights = [
        np.stack([w.T for w in layer]) for layer in zip(*(n[0] for n in networks))
    ]
    biases = [np.stack(layer)[:, None, :] for layer in zip(*(n[1] for n in networks))]
    orders = np.stack([n[2] for n in networks])
    weights[0] = weights[0].compress(pixels, axis=1)
    batches = _EXAMPLES // _BATCH_SIZE
    norms = np.empty((len(networks), batches, len(weights)))
    keep = 1 - _ETA * _LAMBDA * _BATCH_SIZE / _EXAMPLES  # what L2 leaves of a weight
    # A run that diverges (ReLU's can) goes on as infinities and NaNs.
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(batches):
            batch = orders[:, k * _BATCH_SIZE : (k + 1) * _BATCH_SIZE]
            nabla_w, nabla_b = _gradients(
                weights, biases, images[batch], targets[batch], activation
            )
            for layer, (gw, gb) in enumerate(zip(nabla_w, nabla_b)):
                # Each run's sum of squares is a dot product of its own: the
                # same bits however many runs train together, and on every
                # numpy (np.linalg.norm's differ between numpy 1 and 2).
                flat = gw.reshape(len(gw), 1, -1)
                norms[:, k, layer] = np.sqrt(flat @ flat.transpose(0, 2, 1)).ravel()
                weights[layer] *= keep
                weights[layer] -= np.multiply(gw, _ETA, out=gw)
                biases[layer] -= np.multiply(gb, _ETA, out=gb)
    return norms


def _gradients(
    weights: list[Array],
    biases: list[Array],
    inputs: Array,
    targets: Array,
    activation: str,
) -> tuple[list[Array], list[Array]]:
    """Return ∇C_w and ∇C_b of the cross-entropy cost, summed over the examples.

    The arrays hold a stack of networks: weights (run, from, to), biases
    (run, 1, to), inputs (run, example, pixel), targets (run, example, 10),
    one-hot.
    """
    outputs = [inputs]
    for layer, (w, b) in enumerate(zip(weights, biases)):
        z = outputs[-1] @ w
        z += b
        last = layer == len(weights) - 1
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


def _activate(activation: str, z: Array) -> Array:
    """Apply the activation to z, in place, and return z."""
    import numpy as np

    if activation == "tanh":
        return np.tanh(z, out=z)
    if activation == "relu":
        return np.maximum(z, 0.0, out=z)
    # The sigmoid 1 / (1 + e^-z) as (1 + tanh(z / 2)) / 2, which cannot overflow.
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


def _slope(activation: str, a: Array) -> Array:
    """Return the activation's derivative, from its output a."""
    if activation == "tanh":
        return 1 - a * a
    if activation == "relu":
        return (a > 0).astype(a.dtype)
    return a * (1 - a)


class _DataError(ValueError):
    """A data file that is damaged, or is not MNIST's training set."""


def _load_mnist(data: str | os.PathLike[str] | None = None) -> tuple[Array, Array]:
    """Return MNIST's first 1,000 training images and their labels, one-hot.

    Pixels are scaled as raw byte / 256, as in 2013. An OSError says that a
    file cannot be read, and a ValueError that it is not MNIST's.
    """
    import numpy as np

    if data is None:  # beside this file, or (pasted in a notebook) in this folder
        here = globals().get("__file__")
        data = os.path.join(
            os.path.dirname(os.path.abspath(here)) if here else "", "data"
        )
    images = np.frombuffer(_mnist_records(data, "images"), np.uint8)
    labels = np.frombuffer(_mnist_records(data, "labels"), np.uint8)
    return images.reshape(_EXAMPLES, -1) / 256, np.eye(10)[labels]


def _mnist_records(folder: str | os.PathLike[str], kind: str) -> bytes:
    """Return the first 1,000 records of one of MNIST's training files.

    Only those records are read, from a file gzipped or not, and checked.
    """
    import gzip
    import hashlib
    import zlib

    dims, header = ("3", 16) if kind == "images" else ("1", 8)
    names = [f"train-{kind}{part}-idx{dims}-ubyte" for part in ("-first-1000", "")]
    paths = [os.path.join(folder, n + end) for n in names for end in (".gz", "")]
    path = next((p for p in paths if os.path.exists(p)), None)
    if path is None:
        raise FileNotFoundError(
            f"no MNIST training {kind} in {os.path.abspath(folder)!r}: it takes "
            f"{' or '.join(names)}, gzipped (.gz) or not; give the folder they "
            "are in with --data DIR (in Python, data=...)"
        )
    size = header + _EXAMPLES * (784 if kind == "images" else 1)
    with open(path, "rb") as file:
        gzipped = file.read(2) == b"\x1f\x8b"
        file.seek(0)
        try:
            raw = (gzip.GzipFile(fileobj=file) if gzipped else file).read(size)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise _DataError(f"{path!r}: not a whole gzip file ({exc})") from None
    # Checked as a file of its own: the header, with 1,000 as its count.
    own = raw[:4] + _EXAMPLES.to_bytes(4, "big") + raw[8:header] + raw[header:]
    if hashlib.sha256(own).hexdigest() != _MNIST_SHA256[kind]:
        raise _DataError(
            f"{path!r}: not MNIST's training {kind}, or cut short "
            f"(its first {_EXAMPLES} are not theirs)"
        )
    return raw[header:]


class Agreement:
    """Where the record sits among the runs that `reproduce` returned.

    runs is how many runs trained to the end with every norm finite and
    positive, and left_out how many others diverged or lost a layer's gradient.
    Of the record's values (60), inside is how many lie within the 5th to 95th
    percentile of the runs. growth is the record's growth per hidden layer, the
    geometric mean over its ten mini-batches; growth_median is the runs'
    median, and growth_band their 5th and 95th percentile.
    ``str()`` says it in two lines.
    """

    def __init__(self, reproduced: ArrayLike) -> None:
        import numpy as np

        recorded = np.array(NABLA_W_NORMS)
        runs = _completed(reproduced)
        low, high = np.percentile(runs, _BAND, axis=0)
        hidden = np.concatenate([recorded[None], runs])[..., _HIDDEN]
        growths = np.exp(np.log(_growth(hidden[..., 0], hidden[..., -1])).mean(-1))
        self.runs = len(runs)
        self.left_out = len(np.asarray(reproduced)) - len(runs)
        self.values = recorded.size
        self.inside = int(((low <= recorded) & (recorded <= high)).sum())
        self.growth = float(growths[0])
        self.growth_median = float(np.median(growths[1:]))
        self.growth_band = tuple(float(g) for g in np.percentile(growths[1:], _BAND))

    def __str__(self) -> str:
        low, high = self.growth_band
        runs = f"{self.runs} runs"
        if self.left_out:
            runs += f" ({self.left_out} more diverged or lost a layer's gradient)"
        return (
            f"{self.inside} of the {self.values} recorded values lie within the "
            f"{_BAND_NAME} band of {runs}\n"
            f"growth per hidden layer: recorded ×{self.growth:.2f}, "
            f"reproduced ×{self.growth_median:.2f} ({_BAND_NAME}: {low:.2f}–{high:.2f})"
        )


def _runs_csv(reproduced: Array, seed: int, batches: Iterable[int]) -> str:
    """Return the runs' norms as CSV, a row for each run and mini-batch."""
    tables = enumerate(reproduced.tolist())
    rows = [(i, seed + i, b, *t[b - 1]) for i, t in tables for b in batches]
    return _csv("run,seed,mini_batch", rows)


# -- Writing files ----------------------------------------------------------------

_VECTOR_FORMATS = ("pdf", "svg", "svgz", "eps", "ps")
_SOURCE = (
    "The numbers are Michael Nielsen's norms of the unregularized weight gradient "
    "of a 784-30-30-30-30-30-10 sigmoid network trained on MNIST (ten mini-batches "
    "of 100, eta = 0.01, lambda = 0.05), from fig/backprop_magnitude_nabla.py in "
    "his neural-networks-and-deep-learning repository (MIT licence, copyright (c) "
    "2012-2015 Michael Nielsen)."
)


def _saved_size(fig: Figure, fmt: str, dpi: float | None) -> tuple[float, ...]:
    """Return the width and height in inches and the dpi of fig saved as fmt.

    dpi None means the style's. A vector format has no pixels: an empty tuple.
    The tight box of ``savefig.bbox`` is at most the figure with
    ``savefig.pad_inches`` on each side, and the whole figure is drawn first.
    """
    import matplotlib

    if fmt in _VECTOR_FORMATS:
        return ()
    rc = matplotlib.rcParams
    dpi = rc["savefig.dpi"] if dpi is None else dpi
    pad = max(rc["savefig.pad_inches"], 0) if rc["savefig.bbox"] == "tight" else 0
    width, height = fig.get_size_inches() + 2 * pad
    return float(width), float(height), fig.dpi if dpi == "figure" else dpi


def metadata(
    fmt: str,
    batches: Iterable[int] = REPRESENTATIVE_BATCHES,
    *,
    title: str | None = None,
    reproduced: ArrayLike | None = None,
    notes: str = "",
) -> dict[str, str | None]:
    """Return what a file of the figure says about itself, for savefig(metadata=...).

    fmt is the file's format: png, pdf, svg, eps or ps. The other arguments are
    those given to `make_figure`, and notes, if given, are added. The file says
    what the figure shows (its title, or a sentence), where the numbers come
    from and, with reproduced, how the record sits among the runs. PostScript
    has only the creator's line for all of it, in ASCII.
    """
    return _metadata(fmt, *_describe(batches, title, reproduced, notes))


def _describe(
    batches: Iterable[int], title: str | None, reproduced: ArrayLike | None, notes: str
) -> tuple[str, str]:
    """Return a figure's title, or a sentence saying what it shows, and a
    description of where its numbers come from."""
    *others, last = _checked_batches(batches)
    named = f"mini-batches {', '.join(map(str, others))} and {last}"
    what = title or (
        "The norm of the weight gradient of hidden layers 1 to 4, for "
        f"{named if others else f'mini-batch {last}'}, as Michael Nielsen "
        "recorded it in 2013"
    )
    about = [_SOURCE, notes]
    if reproduced is not None:
        agreement = Agreement(reproduced)
        what += "" if title else f", over {agreement.runs} runs of the training"
        about.append(f"{agreement}.".replace("\n", "; "))
    return what, " ".join(filter(None, about))


def _metadata(fmt: str, what: str, description: str) -> dict[str, str | None]:
    if fmt in ("eps", "ps"):
        return {"Creator": _ascii(f"{what}. {description}")}
    names = {"png": "Description", "pdf": "Subject", "svg": "Description"}
    if fmt not in names:
        raise ValueError(f"fmt must be png, pdf, svg, eps or ps, not {fmt!r}")
    no_date = {"pdf": {"CreationDate": None}, "svg": {"Date": None}}.get(fmt, {})
    return {"Title": what, names[fmt]: description, **no_date}


def _ascii(text: str) -> str:
    """Return text in ASCII, for formats that take nothing else."""
    plain = text.translate({ord("×"): "x", ord("–"): "-"})
    return plain.encode("ascii", "replace").decode("ascii")


def _render(
    fig: Figure,
    fmt: str,
    dpi: float | None,
    transparent: bool,
    about: tuple[str, str],
) -> bytes:
    """Return fig as the bytes of a fmt file, the same on every run.

    The file says what it shows and where its numbers come from: about holds
    the title and the description. It carries no date, and an SVG's ids come
    from a fixed salt.
    """
    import gzip
    import io
    import re
    from xml.sax.saxutils import escape

    import matplotlib
    from PIL import Image

    base = "svg" if fmt == "svgz" else fmt
    said: dict[str, Any] = {}
    if base in _VECTOR_FORMATS or base == "png":
        said["metadata"] = _metadata(base, *about)
    elif base == "gif":
        said["pil_kwargs"] = {"comment": _ascii(". ".join(about))}
    elif base not in ("raw", "rgba"):  # the formats of Pillow that take EXIF
        exif = Image.Exif()
        exif[0x010E] = _ascii(". ".join(about))  # ImageDescription
        said["pil_kwargs"] = {"exif": exif}
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "plot_nabla_magnitudes"}):
        fig.savefig(buffer, format=base, dpi=dpi, transparent=transparent, **said)
    data = buffer.getvalue()
    if base == "svg":  # a description that screen readers announce
        desc = f"</title>\n <desc>{escape(about[1])}</desc>".encode()
        data = data.replace(b"</title>", desc, 1)
    if fmt == "svgz":  # matplotlib's own gzip header would carry the time
        data = gzip.compress(data, mtime=0)
    elif fmt in ("ps", "eps"):  # the date, an optional comment, makes way for the title
        title = f"%%Title: {_ascii(about[0])}\n".encode()
        data = re.sub(rb"^%%CreationDate:[^\n]*\n", title, data, count=1, flags=re.M)
    return data


def _write(path: str, data: bytes | None) -> None:
    """Write data to path: to a new file beside it, then moved into place whole.

    The new file keeps the permissions of the file it replaces. Where path is
    a symbolic link, the file it points to is replaced and the link stays.
    With data None, only check that such a new file can be made.
    Raise OSError if it cannot be done; no new file is left behind.
    """
    import shutil

    target = os.path.realpath(path)
    temporary = os.path.join(os.path.dirname(target), f".nabla-{os.urandom(6).hex()}")
    try:
        if os.path.exists(target) and not os.path.isfile(target):
            raise OSError(0, "not a regular file")
        with open(temporary, "xb") as file:  # made as any new file is, by the umask
            file.write(data or b"")
        if data is not None:
            if os.path.exists(target):
                shutil.copymode(target, temporary)
            os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


# -- The command line -------------------------------------------------------------

_PROG = "plot_nabla_magnitudes.py"  # the program's name in messages
_DEFAULT_OUTPUT = "nabla_magnitudes.png"
_DEPENDENCIES = ("matplotlib", "numpy", "threadpoolctl")
# Options that only --reproduce takes, and options that only drawing takes.
_REDERIVING = ("seed", "init", "activation", "data")
_DRAWING = ("output", "dpi", "transparent", "size", "title", "log", "legend", "style")
# The most pixels drawn: A3 at 600 dpi is 70 million, held in four bytes each.
_MAX_PIXELS = 10**8
_stopped: list[int] = []  # the signals that asked the program to stop


class _Failure(Exception):
    """What could not be done, said in one line, with exit status 1."""


def _go_on() -> None:
    """Stop here if a signal asked to stop while a module was being imported."""
    if _stopped:
        raise KeyboardInterrupt


def _batches(spec: str) -> range:
    low, dash, high = spec.partition("-")
    try:
        first, last = _checked_batches([int(low), int(high if dash else low)])
        if first <= last:
            return range(first, last + 1)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(
        f"{spec!r} is not a mini-batch or a rising range like 7-9 within 1-10"
    )


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"expected a positive number, not {text!r}")
    return value


def _size(text: str) -> tuple[float, float]:
    width, _, height = text.partition(",")
    try:
        return _positive(width), _positive(height)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected a positive width and height in inches like 6.4,3.6, not {text!r}"
        ) from None


def _text(text: str) -> str:
    if any("\udc80" <= c <= "\udcff" for c in text):  # bytes that were not text
        raise argparse.ArgumentTypeError(f"{text!r} is not text in your encoding")
    return text


def _raised_here(exc: BaseException) -> bool:
    """Return whether this file's own code raised exc, not a library it called."""
    import traceback

    *_, (frame, _) = traceback.walk_tb(exc.__traceback__)
    return frame.f_code.co_filename == _raised_here.__code__.co_filename


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _say(text: str) -> None:
    """Print text, with what the output's encoding cannot show escaped."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    print(text.encode(encoding, "backslashreplace").decode(encoding), end="")


def _save(path: str, data: bytes | None) -> None:
    """`_write`, with a failure said in one line."""
    try:
        _write(path, data)
    except OSError as exc:
        raise _Failure(f"cannot write {path!r}: {exc.strerror or exc}") from None


def _file_format(parser: argparse.ArgumentParser, path: str) -> str:
    from matplotlib.backend_bases import FigureCanvasBase

    fmt = os.path.splitext(path)[1][1:].lower()
    # PGF needs a LaTeX installation.
    supported = sorted(set(FigureCanvasBase.get_supported_filetypes()) - {"pgf"})
    if fmt not in supported:
        problem = f"the unsupported extension {fmt!r}" if fmt else "no extension"
        formats = ", ".join(supported)
        parser.error(f"argument -o/--output: {path!r} has {problem}; use {formats}")
    return fmt


def _rederive(args: argparse.Namespace) -> Array:
    """Train as `reproduce` does with the options given, showing progress on a
    terminal; a data file that cannot be used is a failure."""
    shown: list[int] = []  # progress shown, whose line is to be ended

    def progress(done: int, runs: int) -> None:
        _go_on()
        if sys.stderr.isatty():
            shown.append(done)
            print(f"\rtraining: {done} of {runs} runs", end="", file=sys.stderr)

    try:
        return reproduce(
            args.reproduce,
            **{k: v for k in _REDERIVING if (v := getattr(args, k)) is not None},
            progress=progress,
        )
    except OSError as exc:  # a data file missing or unreadable
        failure = f"cannot read {exc.filename!r}: {exc.strerror}"
        raise _Failure(str(exc) if exc.filename is None else failure) from None
    except _DataError as exc:
        raise _Failure(str(exc)) from None
    finally:
        if shown:
            print(file=sys.stderr)  # ends the progress line, stopped or not


def _made_with(args: argparse.Namespace, batches: tuple[int, ...]) -> str:
    """Return a sentence naming the options that made the figure, all but -o."""
    import shlex

    words = [_PROG]
    for key, value in vars(args).items():
        if key == "output" or value in (None, False, []):
            continue
        if key == "batches":
            words += ["--batches", *map(str, batches)]
        elif key == "style":  # an option repeated
            words += [word for style in value for word in ("--style", style)]
        elif key == "size":
            words += ["--size", "{:g},{:g}".format(*value)]
        else:
            given = f"{value:g}" if isinstance(value, float) else str(value)
            words += [f"--{key}"] + ([] if value is True else [given])
    made = f"Made with {shlex.join(words)}."
    if args.reproduce is None:
        return made
    init, activation = args.init or "backprop2", args.activation or "sigmoid"
    return f"{made} Runs from seed {args.seed or 0}, --init {init}, --activation {activation}."


def _draw_and_write(
    parser: argparse.ArgumentParser, args: argparse.Namespace, batches: tuple[int, ...]
) -> None:
    """Draw the figure that the options ask for; write each output or show a window.

    With --reproduce, whatever can fail in drawing and writing is tried first,
    with the record standing in for the runs, before the long work.
    """
    import logging

    # matplotlib logs which of its configuration files it cannot read: that
    # is the failure's line, and its messages are passed on if all is well.
    held: list[logging.LogRecord] = []
    log = logging.getLogger("matplotlib")
    log.addFilter(held.append)  # type: ignore[arg-type]
    try:
        import matplotlib
    except (ValueError, OSError) as exc:  # MPLBACKEND, or a matplotlibrc file
        said = " ".join(record.getMessage() for record in held) or _one_line(exc)
        raise _Failure(f"cannot configure matplotlib: {said}") from None
    finally:
        log.removeFilter(held.append)  # type: ignore[arg-type]
    for record in held:
        log.handle(record)
    if [int(n) for n in matplotlib.__version__.split(".")[:2]] < [3, 9]:
        raise _Failure(
            f"matplotlib {matplotlib.__version__} is too old: this script needs "
            "3.9 or newer (pip install 'matplotlib>=3.9')"
        )
    import matplotlib.style

    asked = {key: getattr(args, key) for key in ("log", "legend", "size", "title")}
    asked["style"] = args.style or None  # for its layout; it is used while saving too
    outputs = {path: _file_format(parser, path) for path in args.output}
    if not outputs:  # pyplot, imported with no display, settles on a file writer
        import matplotlib.pyplot
        from matplotlib.backends.registry import BackendFilter, backend_registry

        writers = backend_registry.list_builtin(  # type: ignore[no-untyped-call]
            BackendFilter.NON_INTERACTIVE
        )
        if matplotlib.get_backend().lower() in writers:
            outputs = {_DEFAULT_OUTPUT: "png"}
    window = not outputs
    with matplotlib.style.context({}):  # the styles hold while saving: savefig.*
        try:
            matplotlib.style.use(args.style)
        except (OSError, ValueError) as exc:  # an unknown style, a missing file
            parser.error(f"argument --style: {_one_line(exc)}")

        def drawn(runs: ArrayLike | None, stand_in: bool) -> dict[str, bytes]:
            """Draw the figure and render each output; a window's figure is drawn
            without rendering, as the window will render it."""
            try:
                fig = make_figure(
                    batches, reproduced=runs, pyplot=window and not stand_in, **asked
                )
                names = [(repr(p), f) for p, f in outputs.items()]
                for name, fmt in names or [("the window", "png")]:
                    size = _saved_size(fig, fmt, args.dpi if outputs else fig.dpi)
                    if size and size[0] * size[1] * size[2] ** 2 > _MAX_PIXELS:
                        width, height, dpi = size
                        raise _Failure(
                            f"{name} would be {width:g}×{height:g} inches at "
                            f"{dpi:g} dpi, {width * dpi:.0f}×{height * dpi:.0f} "
                            f"pixels: at most {_MAX_PIXELS:,} pixels can be drawn"
                        )
                if stand_in:  # drawn once, without layout, small: it only checks
                    fig.set_layout_engine(None)
                if window:
                    fig.draw_without_rendering()
                dpi = 10 if stand_in else args.dpi
                notes = "" if stand_in else _made_with(args, batches)
                about = _describe(batches, args.title, runs, notes)
                return {
                    p: _render(fig, f, dpi, args.transparent, about)
                    for p, f in outputs.items()
                }
            except (ValueError, RuntimeError, OSError) as exc:  # a title, a style...
                if _raised_here(exc):
                    raise
                raise _Failure(f"cannot draw the figure: {_one_line(exc)}") from exc

        summary = ""
        if args.reproduce is None:
            files = drawn(None, stand_in=False)
        else:  # the record stands in for the runs
            drawn([NABLA_W_NORMS] * 2, stand_in=True)
            for path in outputs:
                _save(path, None)
            reproduced = _rederive(args)
            try:
                summary = f"{Agreement(reproduced)}\n"
            except ValueError as exc:  # too few runs trained to the end
                raise _Failure(str(exc)) from None
            files = drawn(reproduced, stand_in=False)
        written = []
        try:  # the files first: what is printed about them cannot lose them
            for path, data in files.items():
                _go_on()
                _save(path, data)
                written.append(path)
        finally:
            _say(summary + "".join(f"{path}\n" for path in written))
        if window:
            import matplotlib.pyplot as plt

            _go_on()
            plt.show()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with argv, by default sys.argv[1:].

    Return the exit status: 0 when done, 2 for a usage error (argparse's usage
    line and one line of error), 1 for work that could not be done (one line).
    """
    if isinstance(argv, str):
        raise TypeError(f"argv must be a list of arguments, not the string {argv!r}")
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Plot the norm of the weight gradient of each hidden layer, as "
        "Michael Nielsen recorded it for a 784-30-30-30-30-30-10 network on MNIST. "
        f"Without -o it opens a window or, where none can open, writes "
        f"{_DEFAULT_OUTPUT}.",
    )
    add = parser.add_argument
    add(
        "--batches",
        nargs="+",
        action="extend",
        type=_batches,
        default=[],
        metavar="SPEC",
        help="mini-batches, 1-10, as numbers or ranges like 7-9 (default: 7 8 9 "
        "to draw, all ten with --csv)",
    )
    add(
        "--csv",
        action="store_true",
        help="print the norms, all six layers, as CSV: the record's, or with "
        "--reproduce the runs'",
    )
    add = parser.add_argument_group("re-deriving the record").add_argument
    add(
        "--reproduce",
        nargs="?",
        const=100,
        type=int,
        metavar="RUNS",
        help=f"train the network RUNS times (default: 100, at most {_MAX_RUNS}) "
        "as it was trained in 2013, and draw the record over the runs",
    )
    add("--seed", type=int, help="the first run's seed (default: 0)")
    add(
        "--init",
        choices=INITIALISATIONS,
        help="how the weights start: backprop2, the record's (N(0,1) divided by "
        "the square root of the layer's own size); fan-in (divided by that of "
        "the layer feeding it); or standard (N(0,1)). Default: backprop2",
    )
    add(
        "--activation",
        choices=ACTIVATIONS,
        help="the hidden layers' activation: sigmoid (the record's, and the "
        "default), tanh or relu",
    )
    add(
        "--data",
        metavar="DIR",
        help="the folder of MNIST's training files (default: data beside this script)",
    )
    add = parser.add_argument_group("drawing (not with --csv)").add_argument
    add(
        "-o",
        "--output",
        action="append",
        default=[],
        metavar="PATH",
        help="write the figure to PATH, in the format of its extension (png, "
        "pdf, svg, ...); repeat for several files",
    )
    add("--dpi", type=_positive, help="resolution of raster files (default: 100)")
    add("--transparent", action="store_true", help="no background")
    add("--size", type=_size, metavar="W,H", help="width and height in inches")
    add("--title", type=_text, metavar="TEXT", help="a title above the plot")
    add("--log", action="store_true", help="a logarithmic y axis")
    add("--legend", action="store_true", help="a legend of the mini-batches")
    add("--style", action="append", default=[], help="a matplotlib style; repeatable")

    def refuse(dests: Iterable[str], reason: str) -> None:
        """Refuse each of these options that was given."""
        for dest in dests:
            if getattr(args, dest) != parser.get_default(dest):
                parser.error(f"argument --{dest}: {reason}")

    try:
        args = parser.parse_args(argv)
        batches = tuple(sorted({batch for spec in args.batches for batch in spec}))
        fewest = 1 if args.csv else 2  # a band of the runs needs two
        if args.reproduce is None:
            refuse(_REDERIVING, "only with --reproduce")
        elif not fewest <= args.reproduce <= _MAX_RUNS:
            limits = f"from {fewest} to {_MAX_RUNS}"
            parser.error(f"argument --reproduce: RUNS must be {limits}")
        if (args.seed or 0) < 0:
            parser.error("argument --seed: it must not be negative")
        if args.csv:
            refuse(_DRAWING, "not allowed with --csv")
            if args.reproduce is None:
                text = table_csv(batches or _ALL_BATCHES)
            else:
                text = _runs_csv(
                    _rederive(args), args.seed or 0, batches or _ALL_BATCHES
                )
            print(text, end="")
        else:
            _draw_and_write(parser, args, batches or REPRESENTATIVE_BATCHES)
    except SystemExit as exc:  # argparse has printed the usage or the help
        return int(exc.code or 0)
    except ImportError as exc:
        _go_on()  # an interrupt that a package turned into an ImportError
        if _raised_here(exc) and (exc.name or "").split(".")[0] not in _DEPENDENCIES:
            raise  # not a package missing or broken, but a bug
        failure = f"cannot import: {_one_line(exc)}; pip install -r requirements.txt"
        print(f"{_PROG}: error: {failure}", file=sys.stderr)
        return 1
    except _Failure as exc:
        _go_on()
        print(f"{_PROG}: error: {exc}", file=sys.stderr)
        return 1
    return 0


# -- The entry point --------------------------------------------------------------


def _own_arguments() -> list[str]:
    """Return this file's arguments from sys.argv, or none.

    In IPython, sys.argv holds the kernel's own (``-f kernel-....json``). Only
    ``%run`` puts this file's name first, and its arguments after it.
    """
    script = globals().get("__file__") or ""
    ours = sys.argv and os.path.basename(sys.argv[0]) == os.path.basename(script)
    return sys.argv[1:] if script and ours else []


def _run_as_a_program() -> int:
    """Run `main` as a program: Ctrl-C or SIGTERM stops it with one line."""
    import signal

    def stop(signum: int, frame: FrameType | None) -> None:
        _stopped.append(signum)
        # An interrupt inside an import can leave a compiled module broken for
        # good, so there the program stops at its next check instead.
        while frame is not None:
            if frame.f_code.co_filename.startswith("<frozen importlib"):
                return
            frame = frame.f_back
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    try:
        status = main()
        _go_on()  # an interrupt that no check has seen yet
        return status
    except KeyboardInterrupt:
        print(f"{_PROG}: error: stopped", file=sys.stderr)
    except BrokenPipeError:  # as in `--csv | head -1`: no one reads the rest
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


if __name__ == "__main__":
    ipython = sys.modules.get("IPython")
    if ipython and ipython.get_ipython():  # a notebook cell, or %run: no exit
        main(_own_arguments())
    else:
        sys.exit(_run_as_a_program())
