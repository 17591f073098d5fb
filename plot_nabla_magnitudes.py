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
the norm of each weight layer's unregularized gradient: `NABLA_W_NORMS`. His
figure, drawn here to the pixel, plots mini-batches 7, 8 and 9 over the hidden
layers, leaving out the first and last, which meet 784 inputs and 10 outputs.
The gradient shrinks about fourfold per layer toward the input. The numbers are
from fig/backprop_magnitude_nabla.py in his neural-networks-and-deep-learning
repository (MIT licence, copyright (c) 2012-2015 Michael Nielsen); `reproduce`
trains the network again.

Run ``python plot_nabla_magnitudes.py --help``, or ``%run`` it in a notebook.
From Python, with this file's folder current or on ``sys.path``::

    import plot_nabla_magnitudes as pnm

    fig = pnm.make_figure(reproduced=pnm.reproduce(30), log=True, legend=True)
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
    from typing import Any, Literal

    import numpy as np
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcStyleType
    from numpy.typing import ArrayLike, NDArray

    Array = NDArray[np.float64]
    Network = tuple[list[Array], list[Array], NDArray[np.intp]]

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
_ALL_BATCHES = range(1, len(NABLA_W_NORMS) + 1)
# Layers 1 and 6 meet 784 inputs and 10 outputs, so only 2-5 are comparable.
_HIDDEN = slice(1, -1)
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
    """Return the growth per hidden layer: the geometric mean of the ratios."""
    return (last / first) ** (1 / (len(NABLA_W_NORMS[0][_HIDDEN]) - 1))


def growth_per_layer(batch: int) -> float:
    """Return how many times a mini-batch's norm grows per hidden layer."""
    norms = hidden_layer_norms(batch)
    return float(_growth(norms[0], norms[-1]))


def table_csv(batches: Iterable[int] = _ALL_BATCHES) -> str:
    """Return the recorded norms of the mini-batches, all six layers, as CSV."""
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
        shape = f"numbers of the shape (runs, 10, 6), not {reproduced!r:.40}"
        raise ValueError(f"reproduced must be {shape}")
    completed = runs[(np.isfinite(runs) & (runs > 0)).all(axis=(1, 2))]
    if len(completed) < 2:
        done = f"{len(completed)} of {len(runs)} did"
        raise ValueError(f"a band needs 2 runs with finite, positive norms; {done}")
    return completed


# -- The figure -------------------------------------------------------------------

# Under the default or classic cycle: 7-9 the original's red, green and blue.
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
    """Draw ‖∇C^l_w‖ against hidden layer 1-4 on ax; return the artists drawn.

    log gives a logarithmic axis, and each label the growth per layer. With
    reproduced, from `reproduce`, each line lies over its runs' 5–95 % band.
    """
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, not {ax!r}")
    runs = None if reproduced is None else _completed(reproduced)
    drawn = _draw(ax, _checked_batches(batches), log, runs)
    if legend:
        ax.legend(title="mini-batch")
    return drawn


def _run_labels(runs: int) -> tuple[str, str]:
    return f"{_BAND_NAME} of {runs} runs", f"median of {runs} runs"


def _draw(
    ax: Axes, batches: tuple[int, ...], log: bool, runs: Array | None
) -> list[Artist]:
    """Draw the mini-batches on ax, over their runs' bands if there are runs."""
    import numpy as np

    colours = _batch_colours()
    layers = range(1, len(NABLA_W_NORMS[0][_HIDDEN]) + 1)
    drawn: list[Artist] = []
    for batch in batches:
        colour = colours[batch]
        if runs is not None:
            hidden = runs[:, batch - 1, _HIDDEN]
            low, median, high = np.percentile(hidden, [_BAND[0], 50, _BAND[1]], 0)
            # Only the first mini-batch's band and median go into a legend.
            band, middle = _run_labels(len(runs)) if batch == batches[0] else ("", "")
            tint = _tint(colour, ax.get_facecolor())
            drawn += [ax.fill_between(layers, low, high, color=tint, lw=0, label=band)]
            drawn += ax.plot(layers, median, "--", color=colour, label=middle)
        growth = f" (×{growth_per_layer(batch):.1f} per layer)" if log else ""
        # Over a band, hollow markers leave the band and the median in sight.
        face, norms = colour if runs is None else "none", hidden_layer_norms(batch)
        label = f"{batch}{growth}"
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
    # A style's own cycle, topped up from the default so that all ten differ.
    return dict(zip(_OWN_COLOURS, dict.fromkeys(cycle + default)))


def _tint(colour: Any, background: Any) -> tuple[float, float, float]:
    """Return colour a quarter strong over the background, opaque for PostScript."""
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

    The default figure is the original's, to the pixel. log, legend and
    reproduced are as for `draw` (a panel for each mini-batch); style is what
    ``matplotlib.style.use`` takes; size is in inches.
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
            raise ValueError(f"size must be a width and height in inches, not {size!r}")
        styled_width, styled_height = rc["figure.figsize"]
        scale = min(1, width / styled_width, height / styled_height)
        if scale < 1:  # until the style's context ends
            rc["font.size"] = max(6, rc["font.size"] * scale)
            rc["lines.markersize"] = max(3, rc["lines.markersize"] * scale)
        layout: Literal["constrained"] | None = None if faithful else "constrained"
        if pyplot:
            import matplotlib.pyplot as plt
        fig = (plt.figure if pyplot else Figure)(figsize=(width, height), layout=layout)
        if title is not None:
            fig.suptitle(title, wrap=True)
        if reproduced is None:  # the legend beside the plot
            handles = _draw(fig.add_subplot(), batches, log, None)
            place: dict[str, Any] = dict(loc="outside right center", title="mini-batch")
        else:  # the legend below the panels, in a row where it has room
            handles = _draw_panels(fig, batches, log, _completed(reproduced))
            ncols = 3 if width * 72 >= 42 * rc["font.size"] else 1
            place = {"loc": "outside lower center", "ncols": ncols}
        if legend:  # opaque, as PostScript has no transparency
            fig.legend(handles=handles, framealpha=1, **place)
    return fig


def _draw_panels(
    fig: Figure, batches: tuple[int, ...], log: bool, runs: Array
) -> list[Artist]:
    """Draw a panel for each mini-batch; return the artists for a legend."""
    import matplotlib
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rows = 1 if len(batches) <= 4 else 2
    columns = math.ceil(len(batches) / rows)
    # A y axis each, as mini-batch 1 would flatten the others on a shared one.
    grid = fig.subplots(rows, columns, sharex=True, squeeze=False)
    # Titles in full where they fit; else only the first says "mini-batch".
    room = fig.get_figwidth() * 72 / columns / matplotlib.rcParams["font.size"]
    tall = fig.get_figheight() / rows >= 3  # inches
    for index, (ax, batch) in enumerate(zip(grid.flat, batches)):
        _draw(ax, (batch,), False, runs)
        if log:  # a small panel is labelled at each power of ten alone
            _readable_log_scale(ax, (1.0, 2.0, 5.0) if tall else (1.0,))
            ax.minorticks_off()
        title = f"mini-batch {batch}" if room > 16 or not index else str(batch)
        ax.set_title(title, fontsize="medium", loc="center" if room > 16 else "left")
        if index + columns < len(batches):
            ax.set_xlabel("")  # the panel below has it
        else:  # the lowest panel of its column
            ax.xaxis.set_tick_params(labelbottom=True)
        if index % columns:
            ax.set_ylabel("")
    for ax in grid.flat[len(batches) :]:
        ax.remove()
    ink = matplotlib.rcParams["text.color"]
    band, median = _run_labels(len(runs))
    return [
        Line2D([], [], color=ink, marker="o", mfc="none", label="recorded in 2013"),
        Line2D([], [], color=ink, linestyle="--", label=median),
        Patch(color=_tint(ink, matplotlib.rcParams["axes.facecolor"]), label=band),
    ]


# -- The re-derivation: as backprop2 trained it in 2013 (README, "Reproducing") ---

_SIZES = (784, 30, 30, 30, 30, 30, 10)
_ETA, _LAMBDA = 0.01, 0.05
_EXAMPLES, _BATCH_SIZE = 1000, 100
INITIALISATIONS = ("backprop2", "fan-in", "standard")
ACTIVATIONS = ("sigmoid", "tanh", "relu")
_MAX_RUNS = 10_000
_RUNS_AT_ONCE = 4  # trained side by side, so memory does not grow with the runs
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

    The shape is (runs, 10, 6); run i starts from seed ``seed + i``. progress,
    if given, is called with the runs done and all the runs.
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
    # The products are small, and more BLAS threads only slow them on shared cores.
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with threadpool_limits(1, user_api="blas"):
        for first in range(0, runs, _RUNS_AT_ONCE):
            last = min(first + _RUNS_AT_ONCE, runs)
            networks = [_initial_network(seed + i, init) for i in range(first, last)]
            result[first:last] = _train(networks, images, targets, activation, used)
            if progress is not None:
                progress(last, runs)
    return result


def _initial_network(seed: int, init: str) -> Network:
    """Draw one run's first weights (y, x) and biases, and its order of examples."""
    import numpy as np

    rng = np.random.default_rng(seed)
    layers = list(zip(_SIZES[:-1], _SIZES[1:]))
    # Biases first, as backprop2 drew them, dividing by y, not the fan-in x.
    b2, fan_in = init == "backprop2", init == "fan-in"
    biases = [rng.standard_normal(y) / np.sqrt(y if b2 else 1) for _, y in layers]
    weights = [
        rng.standard_normal((y, x)) / np.sqrt(y if b2 else x if fan_in else 1)
        for x, y in layers
    ]
    return weights, biases, rng.permutation(_EXAMPLES)


def _train(
    networks: list[Network], images: Array, targets: Array, activation: str, used: Any
) -> Array:
    """Train the networks for one epoch, side by side; return the norms of each."""
    import numpy as np

    # Stacked as (run, from, to): a layer is one product for all examples and runs.
    weights = [
        np.stack([w.T for w in layer]) for layer in zip(*(n[0] for n in networks))
    ]
    biases = [np.stack(layer)[:, None, :] for layer in zip(*(n[1] for n in networks))]
    orders = np.stack([n[2] for n in networks])
    weights[0] = weights[0].compress(used, axis=1)
    batches = _EXAMPLES // _BATCH_SIZE
    norms = np.empty((len(networks), batches, len(weights)))
    keep = 1 - _ETA * _LAMBDA * _BATCH_SIZE / _EXAMPLES  # what L2 leaves of a weight
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(batches):
            batch = orders[:, k * _BATCH_SIZE : (k + 1) * _BATCH_SIZE]
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
    weights: list[Array], biases: list[Array], x: Array, targets: Array, activation: str
) -> tuple[list[Array], list[Array]]:
    """Return ∇C_w and ∇C_b of the cross-entropy cost, summed over x, each run's."""
    import numpy as np

    outputs = [x]
    for layer, (w, b) in enumerate(zip(weights, biases)):
        z = outputs[-1] @ w
        z += b
        if layer == len(weights) - 1 or activation == "sigmoid":
            z *= 0.5  # (1 + tanh(z / 2)) / 2, the sigmoid that cannot overflow
            np.tanh(z, out=z)
            z *= 0.5
            z += 0.5
        elif activation == "tanh":
            np.tanh(z, out=z)
        else:
            np.maximum(z, 0.0, out=z)
        outputs.append(z)
    delta = outputs[-1] - targets  # the cross-entropy cost's, at a sigmoid output
    nabla_w, nabla_b = [], []
    for layer in reversed(range(len(weights))):
        nabla_w.append(outputs[layer].transpose(0, 2, 1) @ delta)
        nabla_b.append(delta.sum(axis=1, keepdims=True))
        if layer:
            delta = delta @ weights[layer].transpose(0, 2, 1)
            a = outputs[layer]
            if activation == "sigmoid":
                delta *= a * (1 - a)
            else:
                delta *= 1 - a * a if activation == "tanh" else a > 0
    return nabla_w[::-1], nabla_b[::-1]


class _DataError(ValueError):
    """A data file that is damaged, or is not MNIST's training set."""


def _load_mnist(data: str | os.PathLike[str] | None = None) -> tuple[Array, Array]:
    """Return MNIST's first 1,000 training images (byte / 256) and one-hot labels."""
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
    """Read and check the first 1,000 records of a MNIST file, gzipped or not."""
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
            f"{' or '.join(names)}, gzipped or not (--data DIR, or data=...)"
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
    own = raw[:4] + _EXAMPLES.to_bytes(4, "big") + raw[8:]
    if hashlib.sha256(own).hexdigest() != _MNIST_SHA256[kind]:
        raise _DataError(f"{path!r}: not MNIST's training {kind}, or cut short")
    return raw[header:]


class Agreement:
    """Where the record sits among the runs that `reproduce` returned.

    Attributes: runs, left_out, values, inside (the 5–95 % band) and the growth
    per hidden layer: growth (the record's), growth_median, growth_band (the runs').
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


# -- Writing files ----------------------------------------------------------------

_VECTOR_FORMATS = ("pdf", "svg", "svgz", "eps", "ps")
_SOURCE = (
    "The numbers are Michael Nielsen's norms of the unregularized weight gradient "
    "of a 784-30-30-30-30-30-10 sigmoid network on MNIST (ten mini-batches of 100, "
    "eta = 0.01, lambda = 0.05), from fig/backprop_magnitude_nabla.py in his "
    "neural-networks-and-deep-learning repository (MIT licence, copyright (c) "
    "2012-2015 Michael Nielsen)."
)


def metadata(
    fmt: str,
    batches: Iterable[int] = REPRESENTATIVE_BATCHES,
    *,
    title: str | None = None,
    reproduced: ArrayLike | None = None,
    notes: str = "",
) -> dict[str, str | None]:
    """Return what a figure's file says about itself, for savefig(metadata=...).

    fmt is png, pdf, svg, eps or ps; the other arguments are as for `make_figure`,
    and notes are added. PostScript has only its creator's line, in ASCII.
    """
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
    description = " ".join(filter(None, about))
    if fmt in ("eps", "ps"):
        return {"Creator": _ascii(f"{what}. {description}")}
    names = {"png": "Description", "pdf": "Subject", "svg": "Description"}
    if fmt not in names:
        raise ValueError(f"fmt must be png, pdf, svg, eps or ps, not {fmt!r}")
    no_date = {"pdf": {"CreationDate": None}, "svg": {"Date": None}}.get(fmt, {})
    return {"Title": what, names[fmt]: description, **no_date}


def _ascii(text: str) -> str:
    plain = text.translate({ord("×"): "x", ord("–"): "-"})
    return plain.encode("ascii", "replace").decode("ascii")


def _render(
    fig: Figure, fmt: str, dpi: float | None, transparent: bool, about: dict[str, Any]
) -> bytes:
    """Return fig as the bytes of a fmt file that says what `metadata` says."""
    import gzip
    import io
    import re
    from xml.sax.saxutils import escape

    import matplotlib
    from PIL import Image

    base = "svg" if fmt == "svgz" else fmt
    title, description = (str(v) for v in metadata("png", **about).values())
    said: dict[str, Any] = {}
    if base in _VECTOR_FORMATS or base == "png":
        said["metadata"] = metadata(base, **about)
    elif base not in ("raw", "rgba"):  # Pillow's: EXIF, and a GIF's comment
        exif = Image.Exif()
        exif[0x010E] = _ascii(f"{title}. {description}")  # ImageDescription
        said["pil_kwargs"] = {"exif": exif, "comment": exif[0x010E]}
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "plot_nabla_magnitudes"}):
        fig.savefig(buffer, format=base, dpi=dpi, transparent=transparent, **said)
    data = buffer.getvalue()
    if base == "svg":  # a description that screen readers announce
        desc = f"</title>\n <desc>{escape(description)}</desc>".encode()
        data = data.replace(b"</title>", desc, 1)
    if fmt == "svgz":  # matplotlib's own gzip header would carry the time
        data = gzip.compress(data, mtime=0)
    elif fmt in ("ps", "eps"):  # the date, an optional comment, makes way for the title
        line = f"%%Title: {_ascii(title)}\n".encode()
        data = re.sub(rb"^%%CreationDate:[^\n]*\n", line, data, count=1, flags=re.M)
    return data


def _write(path: str, data: bytes | None) -> None:
    """Write data to a new file beside path, then move it into place whole.

    With data None, only check that such a file can be made.
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


def _save(path: str, data: bytes | None) -> None:
    try:
        _write(path, data)
    except OSError as exc:
        raise _Failure(f"cannot write {path!r}: {exc.strerror or exc}") from None


def _say(text: str) -> None:
    """Print text now, escaped where standard output's encoding cannot show it."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader has gone: the program ends without a word
    except OSError as exc:  # a full disk, say
        raise _Failure(f"cannot write to standard output: {exc.strerror}") from None


def _batches(spec: str) -> range:
    low, dash, high = spec.partition("-")
    try:
        first, last = _checked_batches([int(low), int(high if dash else low)])
        if first <= last:
            return range(first, last + 1)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(
        f"{spec!r} is not a mini-batch or a range like 7-9"
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
        problem = f"expected a positive width and height in inches, not {text!r}"
        raise argparse.ArgumentTypeError(problem) from None


def _raised_here(exc: BaseException) -> bool:
    """Return whether this file's own code raised exc, not a library it called."""
    import traceback

    *_, (frame, _) = traceback.walk_tb(exc.__traceback__)
    return frame.f_code.co_filename == _raised_here.__code__.co_filename


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _rederive(args: argparse.Namespace) -> Array:
    """Train as the options say, showing progress on a terminal."""
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
    except (OSError, _DataError) as exc:  # a data file missing, unreadable or damaged
        raise _Failure(_one_line(exc)) from None
    finally:
        if shown:
            print(file=sys.stderr)  # ends the progress line, stopped or not


def _draw_and_write(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    batches: tuple[int, ...],
    argv: list[str],
) -> None:
    """Draw the figure that the options ask for; write each output or show a window."""
    import logging
    import shlex

    command = shlex.join([_PROG, *argv]).encode(errors="backslashreplace").decode()
    notes = f"Made with {command}."  # a file name's undecodable bytes escaped
    if args.reproduce is not None:
        init, activation = args.init or "backprop2", args.activation or "sigmoid"
        notes += f" Runs from seed {args.seed or 0}, --init {init}, --activation "
        notes += f"{activation}."
    # matplotlib logs why a configuration file failed: that is the line to show.
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
    import matplotlib.style
    from matplotlib.backend_bases import FigureCanvasBase

    # PGF needs a LaTeX installation.
    supported = sorted(set(FigureCanvasBase.get_supported_filetypes()) - {"pgf"})
    outputs = {path: os.path.splitext(path)[1][1:].lower() for path in args.output}
    for path, fmt in outputs.items():
        if fmt not in supported:
            problem = f"the unsupported extension {fmt!r}" if fmt else "no extension"
            use = ", ".join(supported)
            parser.error(f"argument -o/--output: {path!r} has {problem}; use {use}")
    if not outputs:  # pyplot, imported with no display, settles on a file writer
        import matplotlib.pyplot as plt
        from matplotlib.backends.registry import BackendFilter, backend_registry

        writers = backend_registry.list_builtin(BackendFilter.NON_INTERACTIVE)  # type: ignore[no-untyped-call]
        if matplotlib.get_backend().lower() in writers:
            outputs = {_DEFAULT_OUTPUT: "png"}
    window = not outputs
    asked = {key: getattr(args, key) for key in ("log", "legend", "size", "title")}
    asked["style"] = {} if args.style else None  # in use below; not the original's
    with matplotlib.style.context({}):  # the styles hold while saving: savefig.*
        try:
            matplotlib.style.use(args.style)
        except (OSError, ValueError) as exc:  # an unknown style, a missing file
            parser.error(f"argument --style: {_one_line(exc)}")

        def drawn(runs: ArrayLike | None, stand_in: bool) -> dict[str, bytes]:
            """Draw the figure and render each output (a window renders its own)."""
            try:
                shown = batches[:1] if stand_in else batches  # the same texts
                fig = make_figure(
                    shown, reproduced=runs, pyplot=window and not stand_in, **asked
                )
                # A raster too large is refused before drawing, at its dpi and padding.
                rc = matplotlib.rcParams
                dpi = args.dpi or rc["savefig.dpi"]
                dpi = fig.dpi if dpi == "figure" else dpi
                pad = rc["savefig.pad_inches"] if rc["savefig.bbox"] == "tight" else 0
                width, height = fig.get_size_inches() + 2 * max(pad, 0)
                rasters = [p for p, f in outputs.items() if f not in _VECTOR_FORMATS]
                if rasters and width * height * dpi**2 > _MAX_PIXELS:
                    size = f"{width:g}×{height:g} inches at {dpi:g} dpi"
                    pixels = f"{width * dpi:.0f}×{height * dpi:.0f} pixels"
                    limit = f"at most {_MAX_PIXELS:,} can be drawn"
                    raise _Failure(f"{rasters[0]!r} would be {size}, {pixels}: {limit}")
                if stand_in:  # one panel, without layout, small: it only checks
                    fig.set_layout_engine(None)
                if window:
                    fig.draw_without_rendering()
                about = dict(batches=batches, title=args.title, reproduced=runs)
                dpi = 10 if stand_in else args.dpi
                return {
                    p: _render(fig, f, dpi, args.transparent, {**about, "notes": notes})
                    for p, f in outputs.items()
                }
            except (ValueError, RuntimeError, OSError) as exc:  # a title, a style...
                if _raised_here(exc):
                    raise
                raise _Failure(f"cannot draw the figure: {_one_line(exc)}") from exc

        summary = ""
        if args.reproduce is None:
            files = drawn(None, stand_in=False)
        else:  # the record stands in for the runs, to fail before the long work
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
            _go_on()
            plt.show()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with argv (default sys.argv[1:]); return the status."""
    if isinstance(argv, str):
        raise TypeError(f"argv must be a list of arguments, not the string {argv!r}")
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Plot the norm of the weight gradient of each hidden layer, as "
        "Michael Nielsen recorded it for a 784-30-30-30-30-30-10 network on MNIST.",
    )
    add = parser.add_argument
    add(
        "--batches",
        nargs="+",
        action="extend",
        type=_batches,
        metavar="SPEC",
        help="mini-batches, like 2 7-9 (default: 7 8 9 to draw, all ten with --csv)",
    )
    add("--csv", action="store_true", help="print the norms as CSV, not a figure")
    add = parser.add_argument_group("re-deriving the record").add_argument
    add(
        "--reproduce",
        nargs="?",
        const=100,
        type=int,
        metavar="RUNS",
        help="train the network RUNS times, as in 2013 (default: 100)",
    )
    add("--seed", type=int, help="the first run's seed (default: 0)")
    add("--init", choices=INITIALISATIONS, help="first weights (default: backprop2)")
    add("--activation", choices=ACTIVATIONS, help="hidden layers (default: sigmoid)")
    add("--data", metavar="DIR", help="MNIST's folder (default: the script's data/)")
    add = parser.add_argument_group("drawing (not with --csv)").add_argument
    add(
        "-o",
        "--output",
        action="append",
        default=[],
        metavar="PATH",
        help=f"write to PATH, in its extension's format (default: a window, or "
        f"{_DEFAULT_OUTPUT} where none can open)",
    )
    add("--dpi", type=_positive, help="resolution of raster files (default: 100)")
    add("--transparent", action="store_true", help="no background")
    add("--size", type=_size, metavar="W,H", help="width and height in inches")
    add("--title", metavar="TEXT", help="a title above the plot")
    add("--log", action="store_true", help="a logarithmic y axis")
    add("--legend", action="store_true", help="a legend of the mini-batches")
    add("--style", action="append", default=[], help="a matplotlib style; repeatable")

    def refuse(dests: Iterable[str], reason: str) -> None:
        for dest in dests:
            if getattr(args, dest) != parser.get_default(dest):
                parser.error(f"argument --{dest}: {reason}")

    try:
        args = parser.parse_args(argv)
        batches = tuple(sorted({b for spec in args.batches or () for b in spec}))
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
            chosen = batches or _ALL_BATCHES
            if args.reproduce is None:
                _say(table_csv(chosen))
            else:
                seed, runs = args.seed or 0, enumerate(_rederive(args).tolist())
                rows = [(i, seed + i, b, *r[b - 1]) for i, r in runs for b in chosen]
                _say(_csv("run,seed,mini_batch", rows))
        else:
            _draw_and_write(parser, args, batches or REPRESENTATIVE_BATCHES, argv)
    except SystemExit as exc:  # argparse has printed the usage or the help
        return int(exc.code or 0)
    except (ImportError, _Failure) as exc:
        _go_on()  # an interrupt comes first, even one turned into an ImportError
        failure = str(exc)
        if isinstance(exc, ImportError):
            package = (exc.name or "").split(".")[0]
            if _raised_here(exc) and package not in _DEPENDENCIES:
                raise  # not a package missing or broken, but a bug
            failure = (
                f"cannot import: {_one_line(exc)}; pip install -r requirements.txt"
            )
        print(f"{_PROG}: error: {failure}", file=sys.stderr)
        return 1
    return 0


# -- The entry point --------------------------------------------------------------


def _own_arguments() -> list[str]:
    """Return this file's arguments from sys.argv: in IPython, only %run's."""
    script = globals().get("__file__") or ""
    ours = sys.argv and os.path.basename(sys.argv[0]) == os.path.basename(script)
    return sys.argv[1:] if script and ours else []


def _run_as_a_program() -> int:
    """Run `main` as a program: Ctrl-C or SIGTERM stops it with one line."""
    import signal

    def stop(signum: int, frame: Any) -> None:
        _stopped.append(signum)
        # Interrupted inside an import, a compiled module can break: stop later.
        while frame and not frame.f_code.co_filename.startswith("<frozen importlib"):
            frame = frame.f_back
        if frame is None:
            raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    try:
        status = main()
        _go_on()  # an interrupt that no check has seen yet
    except (KeyboardInterrupt, BrokenPipeError) as exc:  # `--csv | true`: quietly
        if isinstance(exc, KeyboardInterrupt):
            print(f"{_PROG}: error: stopped", file=sys.stderr)
        status = 1
    if status:  # what standard output did not take is not tried again at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return status


if __name__ == "__main__":
    ipython = sys.modules.get("IPython")
    if ipython and ipython.get_ipython():  # a notebook cell, or %run: no exit
        main(_own_arguments())
    else:
        sys.exit(_run_as_a_program())
