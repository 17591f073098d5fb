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
unregularized weight gradient, ‖∇C^l_w‖, of each weight layer l = 1..6 from
input to output: `NABLA_W_NORMS`, exactly as recorded. His figure plots
mini-batches 7, 8 and 9 over the four hidden layers, leaving out the first
and last, which connect to 784 inputs and 10 outputs rather than 30 neurons
on each side. Going back toward the input, the gradient shrinks about fourfold
per layer: the earlier layers learn far more slowly.

Source: ``fig/backprop_magnitude_nabla.py`` in Michael Nielsen's
neural-networks-and-deep-learning repository (MIT licence, copyright (c)
2012-2015 Michael Nielsen), which kept the numbers but not the workflow that
made them. The default figure here is that script's, to the pixel;
`reproduce` recovers the workflow, and `Agreement` says where the record sits
among its runs.

From a shell, ``python plot_nabla_magnitudes.py --help``; in a notebook, paste
this file into a cell or ``%run`` it, and the figure shows inline. From Python::

    import plot_nabla_magnitudes as pnm
    fig = pnm.make_figure(log=True, legend=True)   # a Figure, without pyplot
    pnm.draw(ax)                                    # or onto an Axes of your own
    runs = pnm.reproduce(300)                       # the training, 300 times
    pnm.make_figure(reproduced=runs, log=True)      # the record over its runs
"""

from __future__ import annotations

import argparse
import operator
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # matplotlib and numpy are imported only where work starts
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any, Literal

    import numpy as np
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcStyleType
    from numpy.typing import ArrayLike, NDArray

    Array = NDArray[np.float64]

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


def _whole(name: str, value: int) -> int:
    # True is an int to Python, not to a user.
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be a whole number, not {value!r}")
    return operator.index(value)


def _checked_batches(batches: Iterable[int]) -> tuple[int, ...]:
    checked = tuple(_whole("a mini-batch", batch) for batch in batches)
    if not checked:
        raise ValueError("no mini-batch")
    for batch in checked:
        if not 1 <= batch <= len(NABLA_W_NORMS):
            raise ValueError(f"a mini-batch must be from 1 to 10, not {batch}")
    return checked


def hidden_layer_norms(batch: int) -> tuple[float, ...]:
    """The four hidden-layer norms of mini-batch *batch* (1 to 10)."""
    (batch,) = _checked_batches([batch])
    # Leave out the first and last layers: 784 inputs and 10 outputs.
    return NABLA_W_NORMS[batch - 1][1:-1]


def growth_per_layer(batch: int) -> float:
    """How many times ‖∇C^l_w‖ grows per hidden layer, input to output: the
    geometric mean of the successive ratios, the cube root of last over first."""
    norms = hidden_layer_norms(batch)
    return float((norms[-1] / norms[0]) ** (1 / (len(norms) - 1)))


_ALL_BATCHES = range(1, len(NABLA_W_NORMS) + 1)


def table_csv(batches: Iterable[int] = _ALL_BATCHES) -> str:
    """The recorded norms of *batches*, all six layers, as CSV text, each
    value as ``repr`` gives it: the shortest text that reads back the same."""
    rows = [(batch, *NABLA_W_NORMS[batch - 1]) for batch in _checked_batches(batches)]
    return _csv("mini_batch", rows)


def _csv(columns: str, rows: Iterable[Sequence[float]]) -> str:
    header = [columns, *(f"layer_{n}" for n in range(1, 7))]
    lines = [",".join(header), *(",".join(map(repr, row)) for row in rows)]
    return "\n".join(lines) + "\n"


# -- Drawing --------------------------------------------------------------------


def draw(
    ax: Axes,
    batches: Iterable[int] = REPRESENTATIVE_BATCHES,
    *,
    log: bool = False,
    legend: bool = False,
    reproduced: ArrayLike | None = None,
) -> None:
    """Draw ‖∇C^l_w‖ against hidden layer 1-4, a line per mini-batch, on *ax*.

    *log*: a logarithmic y axis (each label then gives the growth per layer);
    *legend*: a legend; *reproduced*, as `reproduce` gives it: each line over its
    runs' 5-95 % band (shaded) and median (dashed). Each mini-batch keeps its
    colour whatever else is drawn: 7, 8, 9 the original's red, green and blue
    under matplotlib's default or classic cycle.
    """
    batches = _checked_batches(batches)
    colours = _batch_colours()
    layers = range(1, len(NABLA_W_NORMS[0]) - 1)
    if reproduced is not None:
        import numpy as np

        runs = _completed(reproduced)
        bands = np.percentile(runs[:, :, 1:-1], [5, 50, 95], axis=0)
        counted = f"{len(runs)} runs"
        labels = (f"5–95 % of {counted}", f"median of {counted}")
    for batch in batches:
        colour = colours[batch]
        if reproduced is not None:
            low, median, high = bands[:, batch - 1]
            tint = _tint(colour, ax.get_facecolor())
            band, middle = labels if batch == batches[0] else (None, None)
            ax.fill_between(layers, low, high, color=tint, linewidth=0, label=band)
            ax.plot(layers, median, "--", color=colour, label=middle)
        label = f"mini-batch {batch}"
        if log:
            label += f" (×{growth_per_layer(batch):.1f} per layer)"
        ax.plot(layers, hidden_layer_norms(batch), "o-", color=colour, label=label)
    ax.set_xlabel("Layer $l$")
    ax.set_ylabel(r"$\Vert\nabla C^l_w\Vert$")
    ax.set_xticks(layers)
    if log:
        _readable_log_scale(ax, (1.0, 2.0, 5.0))
    if legend:
        ax.legend()


def _batch_colours() -> dict[int, Any]:
    import matplotlib
    import matplotlib.style
    from matplotlib.colors import to_rgba

    def colours(params: Any) -> list[tuple[float, ...]]:
        cycle = params["axes.prop_cycle"].by_key()
        return [to_rgba(colour) for colour in cycle.get("color", [])]

    cycle = colours(matplotlib.rcParams)
    default = colours(matplotlib.rcParamsDefault)
    if cycle in (default, colours(matplotlib.style.library["classic"])):
        return dict(zip(_COLOUR_ORDER, _ORIGINAL_COLOURS))
    # A short cycle borrows from the default one: each of the ten its own colour.
    return dict(zip(_COLOUR_ORDER, dict.fromkeys(cycle + default)))


def _tint(colour: Any, background: Any) -> tuple[float, float, float]:
    """*colour* a quarter strong over *background*: opaque, which every format
    draws alike under the lines (PostScript has no transparency)."""
    from matplotlib.colors import to_rgb

    pairs = zip(to_rgb(colour), to_rgb(background))
    red, green, blue = (0.25 * c + 0.75 * b for c, b in pairs)
    return red, green, blue


def _readable_log_scale(ax: Axes, subs: tuple[float, ...]) -> None:
    """A log y axis labelled at *subs* times each power of ten, not just at 1."""
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
    """A new Figure of the plot, without pyplot unless *pyplot* (for ``plt.show()``).

    *log*, *legend* as for `draw`; with *reproduced*, a panel per mini-batch.
    *style*: what ``matplotlib.style.use`` takes (save inside its ``context``
    for ``savefig.*``); *size*: (width, height) in inches, type smaller in a
    figure smaller than the style's, to 6 points; *title*: above. The default
    figure is the original's to the pixel; any other, constrained layout.
    """
    import matplotlib.style
    from matplotlib.figure import Figure

    batches = _checked_batches(batches)
    faithful = (batches, log, legend, style, size, title, reproduced is None) == (
        (REPRESENTATIVE_BATCHES, False, False, None, None, None, True)
    )
    with matplotlib.style.context(style or {}):
        rc = matplotlib.rcParams
        try:
            width, height = map(float, size or rc["figure.figsize"])
        except (TypeError, ValueError):
            raise ValueError(
                f"size must be (width, height) in inches, not {size!r}"
            ) from None
        _check_pixels("size", width, height, rc["figure.dpi"])
        styled_width, styled_height = rc["figure.figsize"]
        scale = min(1, width / styled_width, height / styled_height)
        if scale < 1:  # the style's context restores it
            rc["font.size"] = max(6, rc["font.size"] * scale)
        layout: Literal["constrained"] | None = None if faithful else "constrained"
        if pyplot:
            import matplotlib.pyplot as plt
        new: Callable[..., Figure] = plt.figure if pyplot else Figure
        fig = new(figsize=(width, height), layout=layout)
        if title is not None:
            fig.suptitle(title, wrap=True)
        if reproduced is None:  # beside the plot: mini-batch numbers under a title
            ax = fig.add_subplot()
            draw(ax, batches, log=log)
            handles, labels = ax.get_legend_handles_labels()
            labels = [label.split(" ", 1)[1] for label in labels]
            place: dict[str, Any] = dict(loc="outside right center", title="mini-batch")
        else:  # below the panels, in a row where it has room
            handles = _draw_panels(fig, batches, reproduced, log=log)
            labels = [str(handle.get_label()) for handle in handles]
            ncols = 3 if width * 72 >= 42 * rc["font.size"] else 1
            place = {"loc": "outside lower center", "ncols": ncols}
        if legend:  # over nothing; and PostScript has no alpha
            fig.legend(handles, labels, framealpha=1, **place)
    return fig


def _draw_panels(
    fig: Figure, batches: tuple[int, ...], reproduced: ArrayLike, *, log: bool
) -> list[Artist]:
    """A panel per mini-batch, on shared axes; the legend's entries, in ink."""
    import matplotlib
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rows = 1 if len(batches) <= 4 else 2
    columns = -(-len(batches) // rows)
    grid = fig.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
    # A panel's title in full where it has room, estimated in characters.
    room = fig.get_figwidth() * 72 / columns / matplotlib.rcParams["font.size"]
    tall = fig.get_figheight() / rows >= 3  # inches
    for index, (ax, batch) in enumerate(zip(grid.flat, batches)):
        draw(ax, [batch], reproduced=reproduced)
        if log:  # labelled at each power of ten alone on a small panel,
            _readable_log_scale(ax, (1.0, 2.0, 5.0) if tall else (1.0,))
            ax.minorticks_off()  # and no ticks between: small multiples, plain
        ax.set_title(f"mini-batch {batch}" if room > 12 else str(batch))
        if index + columns < len(batches):
            ax.set_xlabel("")  # the panel below says it
        else:  # the lowest of its column
            ax.xaxis.set_tick_params(labelbottom=True)
        if index % columns:
            ax.set_ylabel("")
    for ax in grid.flat[len(batches) :]:
        ax.remove()
    ink, runs = matplotlib.rcParams["text.color"], len(_completed(reproduced))
    band = _tint(ink, matplotlib.rcParams["axes.facecolor"])
    return [
        Line2D([], [], color=ink, marker="o", label="recorded in 2013"),
        Line2D([], [], color=ink, linestyle="--", label=f"median of {runs} runs"),
        Patch(color=band, label=f"5–95 % of {runs} runs"),
    ]


# -- The re-derivation ------------------------------------------------------------
#
# As Nielsen's backprop2 module stood in April 2013 (the README's "Reproducing
# the record" gives the facts): each number the Frobenius norm of a layer's
# summed, unregularized weight gradient, taken before the step
# w <- w - eta (grad + (lambda B / T) w), B = 100 and T = 1,000 examples.

_SIZES = (784, 30, 30, 30, 30, 30, 10)
_ETA, _LAMBDA = 0.01, 0.05
_EXAMPLES, _BATCH_SIZE = 1000, 100
INITIALISATIONS = ("backprop2", "fan-in", "standard")
ACTIVATIONS = ("sigmoid", "tanh", "relu")
_MAX_RUNS = 10_000
_RUNS_AT_ONCE = 8  # trained side by side; memory does not grow with runs
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
    """Train the network as the record was made, *runs* times: an array of
    shape (runs, 10, 6), each run laid out as `NABLA_W_NORMS`. Run i starts
    from seed ``seed + i``, bit for bit the same on one machine; a run that
    diverges (ReLU's can) records infinities or NaNs. *init*: ``"backprop2"``
    (the record's), ``"fan-in"`` (weights / sqrt(fan-in), biases N(0, 1)) or
    ``"standard"`` (all N(0, 1)); *activation*, the hidden layers':
    ``"sigmoid"`` (the record's), ``"tanh"`` or ``"relu"``; *data*: the folder
    of MNIST's training files (default ``data`` beside this script);
    *progress*: called with the runs done and *runs* as they go.
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
    """Run *seed*'s weights (y by x into y from x), biases and example order."""
    import numpy as np

    rng = np.random.default_rng(seed)
    layers = list(zip(_SIZES[:-1], _SIZES[1:]))
    # Biases first, as backprop2 drew them, dividing both by the receiving
    # layer's size y, not the fan-in x (x / 1.0 is x, bit for bit).
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
    """One epoch of each network, side by side; the norms each records.
    *images* hold only the *pixels* that some image uses."""
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
    weights: list[Array],
    biases: list[Array],
    inputs: Array,
    targets: Array,
    activation: str,
) -> tuple[list[Array], list[Array]]:
    """∇C_w and ∇C_b of the cross-entropy cost, summed over the examples, for
    a stack of networks: *weights* (run, from, to), *biases* (run, 1, to),
    *inputs* (run, example, 784), *targets* (run, example, 10), one-hot."""
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


def _slope(activation: str, a: Array) -> Array:
    if activation == "tanh":
        return 1 - a * a
    if activation == "relu":
        return (a > 0).astype(a.dtype)
    return a * (1 - a)


def _load_mnist(data: str | os.PathLike[str] | None = None) -> tuple[Array, Array]:
    """MNIST's first 1,000 training images (raw / 256, as in 2013), labels one-hot;
    OSError for a file that cannot be read, ValueError for one not MNIST's."""
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
    with open(path, "rb") as file:
        raw = file.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise ValueError(f"{path!r}: not a whole gzip file ({exc})") from None
    records = raw[header : header + _EXAMPLES * (784 if kind == "images" else 1)]
    # As a file of its own: the header, with 1,000 as its count.
    own = raw[:4] + _EXAMPLES.to_bytes(4, "big") + raw[8:header] + records
    if hashlib.sha256(own).hexdigest() != _MNIST_SHA256[kind]:
        raise ValueError(
            f"{path!r}: not MNIST's training {kind}, or cut short "
            f"(its first {_EXAMPLES} are not theirs)"
        )
    return records


class Agreement:
    """How `NABLA_W_NORMS` sits among *reproduced*: how many of its *values*
    lie *inside* the 5th-95th percentile of the *runs* that trained to the end
    (those that diverged or lost their gradient *left_out*); its *growth* per
    hidden layer, the runs' *growth_median* and *growth_band* (5th, 95th
    percentile). ``str()`` says it in a few lines."""

    def __init__(self, reproduced: ArrayLike) -> None:
        import numpy as np

        recorded = np.array(NABLA_W_NORMS)
        runs = _completed(reproduced)
        low, high = np.percentile(runs, [5, 95], axis=0)
        # Per hidden layer, as `growth_per_layer`; over the ten, their geometric mean.
        hidden = np.concatenate([recorded[None], runs])[..., 1:-1]
        growths = np.exp(np.log(hidden[..., -1] / hidden[..., 0]).mean(axis=-1) / 3)
        self.runs = len(runs)
        self.left_out = len(np.asarray(reproduced)) - len(runs)
        self.values = recorded.size
        self.inside = int(((low <= recorded) & (recorded <= high)).sum())
        self.growth = float(growths[0])
        self.growth_median = float(np.median(growths[1:]))
        self.growth_band = tuple(float(g) for g in np.percentile(growths[1:], [5, 95]))

    def __str__(self) -> str:
        low, high = self.growth_band
        runs = f"{self.runs} runs"  # at least 2
        if self.left_out:
            runs += f" ({self.left_out} more diverged, or lost a layer's gradient)"
        return (
            f"{self.inside} of the {self.values} recorded values lie within the "
            f"middle 90 % of {runs}\ngrowth per hidden layer: recorded "
            f"×{self.growth:.2f}, reproduced ×{self.growth_median:.2f} "
            f"(5-95 %: {low:.2f}-{high:.2f})"
        )


def _completed(reproduced: ArrayLike) -> Array:
    """The runs of *reproduced* whose every norm is finite and positive."""
    import numpy as np

    try:
        runs: Array = np.asarray(reproduced, dtype=float)
    except (TypeError, ValueError):
        runs = np.empty(0)
    if runs.ndim != 3 or runs.shape[1:] != (10, 6):
        raise ValueError(
            "reproduced must be numbers of the shape (runs, 10, 6), as "
            f"reproduce() gives them, not {reproduced!r:.60}"
        )
    completed = runs[(np.isfinite(runs) & (runs > 0)).all(axis=(1, 2))]
    if len(completed) < 2:
        raise ValueError(
            f"{len(completed) or 'none'} of {len(runs)} run{'s' * (len(runs) > 1)} "
            "trained to the end with every norm finite and positive: too few for a "
            "band, which needs 2"
        )
    return completed


# -- Writing files ----------------------------------------------------------------


class _Failure(Exception):
    """What went wrong, in one line for the user; exit status 1."""


_DEFAULT_OUTPUT = "nabla_magnitudes.png"
_stopped: list[int] = []  # the signals that asked a program to stop
# The most pixels drawn: A3 at 600 dpi is 70 million, held four bytes each.
_MAX_PIXELS = 10**8


def _check_pixels(what: str, width: float, height: float, dpi: float) -> None:
    """A ValueError about *what* unless it makes a raster that can be drawn."""
    across, down = width * dpi, height * dpi
    if not (across >= 1 and down >= 1):  # NaN too
        problem = "each side must have at least one pixel"
    elif across * down > _MAX_PIXELS:
        problem = f"at most {_MAX_PIXELS:,} pixels can be drawn"
    else:
        return
    raise ValueError(
        f"{what} {width:g}×{height:g} inches at {dpi:g} dpi "
        f"is {across:.6g}×{down:.6g} pixels; {problem}"
    )


def _render(fig: Figure, fmt: str, dpi: float | None, transparent: bool) -> bytes:
    """*fig* as a *fmt* file's bytes, the same on every run (no dates, a fixed SVG
    salt); a raster too large to draw refused before it is drawn."""
    import gzip
    import io
    import re

    import matplotlib

    base = "svg" if fmt == "svgz" else fmt
    if base not in ("pdf", "svg", "eps", "ps"):
        saved = matplotlib.rcParams["savefig.dpi"] if dpi is None else dpi
        width, height = fig.get_size_inches()
        _check_pixels(
            f"a {fmt} of", width, height, fig.dpi if saved == "figure" else saved
        )
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
    if fmt == "svgz":  # matplotlib's own gzip header would carry the time
        data = gzip.compress(data, mtime=0)
    elif fmt in ("ps", "eps"):  # PostScript's date is an optional comment
        data = re.sub(rb"^%%CreationDate:[^\n]*\n", b"", data, count=1, flags=re.M)
    return data


def _write(path: str, data: bytes | None) -> None:
    """Write *data* to a new file beside *path*, then move it into place with the
    old file's permissions; with None, only check that such a file can be made."""
    temporary = os.path.join(os.path.dirname(path), f".nabla-{os.urandom(6).hex()}")
    try:
        if os.path.exists(path) and not os.path.isfile(path):
            raise OSError(0, "not a regular file")
        with open(temporary, "xb") as file:  # made as any new file is, by the umask
            file.write(data or b"")
        if data is not None:
            if _stopped:  # asked to stop, and the KeyboardInterrupt lost
                raise KeyboardInterrupt
            if os.path.exists(path):
                os.chmod(temporary, os.stat(path).st_mode & 0o7777)  # S_IMODE
            os.replace(temporary, path)
    except OSError as exc:
        raise _Failure(f"cannot write {path!r}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


# -- The command line ---------------------------------------------------------

_PROG = "plot_nabla_magnitudes.py"  # as messages name the program
_REDERIVING = ("seed", "init", "activation", "data")  # only with --reproduce
# None of these with --csv:
_DRAWING = ("output", "dpi", "transparent", "size", "title", "log", "legend", "style")


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


def _size(text: str) -> tuple[float, float]:
    width, _, height = text.partition(",")
    try:
        return float(width), float(height)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a width and a height in inches like 6.4,3.6, not {text!r}"
        ) from None


def _text(text: str) -> str:
    if any("\udc80" <= c <= "\udcff" for c in text):  # bytes that were no text
        raise argparse.ArgumentTypeError(f"{text!r} is not text in your encoding")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """The command line with *argv* (default: ``sys.argv[1:]``); the exit status:
    0 done, 2 a usage error, 1 work that could not be done (said in one line)."""
    parser = argparse.ArgumentParser(
        prog=_PROG,
        # A short usage and help wrapped here, at a fixed width: argparse's own
        # would take --help a fifth longer (it imports shutil and textwrap).
        usage="%(prog)s [options]",
        formatter_class=lambda prog: argparse.RawTextHelpFormatter(prog, width=79),
        description="Plot the norm of the weight gradient of each hidden layer, as "
        "Michael\nNielsen recorded it for a 784-30-30-30-30-30-10 network on MNIST. "
        f"Without\n-o it opens a window or, where none can, writes {_DEFAULT_OUTPUT}.",
    )
    add = parser.add_argument
    add(
        "--batches",
        nargs="+",
        action="extend",
        type=_batches,
        default=[],
        metavar="SPEC",
        help="mini-batches, 1-10, as numbers or ranges like 7-9\n(default: 7 8 9)",
    )
    add(
        "--csv",
        action="store_true",
        help="print the norms, all six layers, as CSV: the record's,\n"
        "or the runs' with --reproduce (then all ten by default)",
    )
    add = parser.add_argument_group("re-deriving the record").add_argument
    add(
        "--reproduce",
        nargs="?",
        const=100,
        type=int,
        metavar="RUNS",
        help=f"train the network RUNS times (default: 100, at most\n{_MAX_RUNS}) "
        "as it was in 2013; draw the record over the runs",
    )
    add("--seed", type=int, help="the first run's seed (default: 0)")
    add("--init", choices=INITIALISATIONS, help="how the weights start")
    add("--activation", choices=ACTIVATIONS, help="the hidden layers' activation")
    add("--data", metavar="DIR", help="the folder of MNIST's training files")
    add = parser.add_argument_group("drawing (not with --csv)").add_argument
    add(
        "-o",
        "--output",
        action="append",
        default=[],
        metavar="PATH",
        help="write the figure to PATH, in the format of its\n"
        "extension (png, pdf, svg, ...); repeat for several files",
    )
    add("--dpi", type=float, help="resolution of raster files (default: 100)")
    add("--transparent", action="store_true", help="no background")
    add("--size", type=_size, metavar="W,H", help="width and height in inches")
    add("--title", type=_text, metavar="TEXT", help="a title above the plot")
    add("--log", action="store_true", help="a logarithmic y axis")
    add("--legend", action="store_true", help="a legend of the mini-batches")
    add("--style", action="append", default=[], help="a matplotlib style; repeatable")

    def refuse(dests: Iterable[str], reason: str) -> None:  # those given, that is
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
                sys.stdout.write(table_csv(batches or REPRESENTATIVE_BATCHES))
            else:
                sys.stdout.write(_runs_csv(_rederive(args), args.seed or 0, batches))
        else:
            _draw_and_write(parser, args, batches or REPRESENTATIVE_BATCHES)
    except SystemExit as exc:  # argparse has printed the usage or the help
        return int(exc.code or 0)
    except ImportError as exc:  # matplotlib or numpy missing, or broken
        failure = f"cannot import: {_one_line(exc)}; pip install -r requirements.txt"
        print(f"{_PROG}: error: {failure}", file=sys.stderr)
        return 1
    except _Failure as exc:
        print(f"{_PROG}: error: {exc}", file=sys.stderr)
        return 1
    return 0


def _draw_and_write(
    parser: argparse.ArgumentParser, args: argparse.Namespace, batches: tuple[int, ...]
) -> None:
    """Draw in the styles asked for (with --reproduce, a stand-in first, before
    the training); write each output, or show a window."""
    import matplotlib

    if [int(n) for n in matplotlib.__version__.split(".")[:2]] < [3, 9]:
        raise _Failure(
            f"matplotlib {matplotlib.__version__} is too old: this script needs "
            "3.9 or newer (pip install 'matplotlib>=3.9')"
        )
    import matplotlib.style

    asked = {key: getattr(args, key) for key in ("log", "legend", "size", "title")}
    asked["style"] = args.style or None  # its layout; applied around saving too
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
    with matplotlib.style.context({}):  # styles while saving too: savefig.*
        try:
            matplotlib.style.use(args.style)
        except (OSError, ValueError) as exc:  # an unknown style, a missing file
            parser.error(f"argument --style: {_one_line(exc)}")

        def drawn(runs: ArrayLike | None, pyplot: bool) -> dict[str, bytes]:
            try:
                fig = make_figure(batches, reproduced=runs, pyplot=pyplot, **asked)
                if not outputs:
                    fig.draw_without_rendering()  # as the window will
                files = {
                    p: _render(fig, f, args.dpi, args.transparent)
                    for p, f in outputs.items()
                }
            except (ValueError, RuntimeError, OSError) as exc:  # a style, a title...
                raise _Failure(f"cannot draw the figure: {_one_line(exc)}") from exc
            return files

        reproduced, summary = None, ""
        if args.reproduce is not None:
            # Everything that can fail in drawing and writing, tried before the
            # long work: the record stands in for the runs.
            drawn([NABLA_W_NORMS] * 2, pyplot=False)
            for path in outputs:
                _write(path, None)
            reproduced = _rederive(args)
            try:
                summary = f"{Agreement(reproduced)}\n"
            except ValueError as exc:  # too few runs trained to the end
                raise _Failure(str(exc)) from None
        files = drawn(reproduced, pyplot=window)
        print(summary, end="")
        for path, data in files.items():
            _write(path, data)
            print(path)  # as it is written: those printed are those written
        if window:
            import matplotlib.pyplot as plt

            plt.show()


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
    """`reproduce` as asked: progress shown on a terminal, failures in one line."""
    shown: list[int] = []  # progress shown: its line is to be ended

    def progress(done: int, runs: int) -> None:
        shown.append(done)
        print(f"\rtraining: {done} of {runs} runs", end="", file=sys.stderr)

    try:
        return reproduce(
            args.reproduce,
            **{k: v for k in _REDERIVING if (v := getattr(args, k)) is not None},
            progress=progress if sys.stderr.isatty() else None,
        )
    except OSError as exc:  # a data file missing or unreadable
        failure = f"cannot read {exc.filename!r}: {exc.strerror}"
        raise _Failure(str(exc) if exc.filename is None else failure) from None
    except ValueError as exc:  # a data file damaged or not MNIST's
        raise _Failure(str(exc)) from None
    finally:
        if shown:
            print(file=sys.stderr)  # ends the progress line, Ctrl-C or not


def _runs_csv(reproduced: Array, seed: int, batches: tuple[int, ...]) -> str:
    batches = batches or tuple(_ALL_BATCHES)
    tables = enumerate(reproduced.tolist())
    rows = [(i, seed + i, b, *t[b - 1]) for i, t in tables for b in batches]
    return _csv("run,seed,mini_batch", rows)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# -- The entry point ------------------------------------------------------------


def _own_arguments() -> list[str]:
    """In IPython, sys.argv holds the kernel's own (``-f kernel-....json``);
    only ``%run`` puts this file's name first and its arguments after it."""
    script = globals().get("__file__") or ""
    ours = sys.argv and os.path.basename(sys.argv[0]) == os.path.basename(script)
    return sys.argv[1:] if script and ours else []


def _run_as_a_program() -> int:
    """`main` as a program, stopped by SIGTERM as by Ctrl-C, even in a callback."""
    import signal

    def stop(signum: int, frame: object) -> None:
        _stopped.append(signum)
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    try:
        status = main()
        if _stopped:
            raise KeyboardInterrupt
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
