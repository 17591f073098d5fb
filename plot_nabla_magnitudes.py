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
repository (MIT licence, copyright (c) 2012-2015 Michael Nielsen). `reproduce`
trains the network again, from his start or another, with sigmoid, tanh or ReLU
hidden layers, and `make_figure` compares such networks.

Run ``python plot_nabla_magnitudes.py --help``, or ``%run`` it in a notebook.
From Python, with this file's folder current or on ``sys.path``::

    import plot_nabla_magnitudes as pnm

    fig = pnm.make_figure(reproduced=pnm.reproduce(30), log=True, legend=True)
"""

from __future__ import annotations

import argparse
import errno
import math
import operator
import os
import sys
from typing import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:  # matplotlib and numpy are imported only where work starts
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from types import FrameType
    from typing import Any, Literal, Union

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
    """Return the runs of each network; an array alone holds the record's own."""
    from collections.abc import Mapping

    import numpy as np

    one = not isinstance(reproduced, Mapping)
    given: Any = {RECORD_NETWORK: reproduced} if one else reproduced
    if not given:
        raise ValueError("reproduced must hold the runs of one network at least")
    networks = {}
    for network, runs in given.items():
        if not (isinstance(network, tuple) and len(network) == 2):
            raise TypeError(
                f"reproduced's keys must be (init, activation), not {network!r}"
            )
        try:
            networks[network] = np.asarray(runs, dtype=float)
        except (TypeError, ValueError):
            networks[network] = np.empty(0)
        if networks[network].shape[1:] != (10, 6):
            shape = f"numbers of the shape (runs, 10, 6), not {runs!r:.40}"
            raise ValueError(f"reproduced must be {shape}")
    return networks


def _completed(runs: Array) -> Array:
    """Return the runs whose every norm is finite and positive."""
    import numpy as np

    return runs[(np.isfinite(runs) & (runs > 0)).all(axis=(1, 2))]


def _banded(runs: Array) -> Array:
    """Return the runs that trained to the end, two at least, as a band needs."""
    completed = _completed(runs)
    if len(completed) < 2:
        done = f"{len(completed)} of {len(runs)} did"
        raise ValueError(f"a band needs 2 runs with finite, positive norms; {done}")
    return completed


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
_BAND_ALPHA = 0.25  # how strong a band is over its background
# Each size of text that a style sets, in points or relative to font.size.
_TEXT_SIZES = (
    "font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize",
    "ytick.labelsize", "legend.fontsize", "legend.title_fontsize",
    "figure.titlesize", "figure.labelsize",
)  # fmt: skip
_MAX_INCHES = 1000  # a side of a figure: 25 metres


def draw(
    ax: Axes,
    batches: Iterable[int] = REPRESENTATIVE_BATCHES,
    *,
    log: bool = False,
    legend: bool = False,
    reproduced: Runs | None = None,
) -> list[Artist]:
    """Draw ‖∇C^l_w‖ against hidden layer 1-4 on ax; return the artists drawn.

    log gives a logarithmic axis, and each label the growth per layer. With
    reproduced, from `reproduce`, each line lies over its runs' 5–95 % band.
    Runs of another network, a mapping from (init, activation) to runs, are
    drawn without the record, which was made with `RECORD_NETWORK`.
    """
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, not {ax!r}")
    network, banded = RECORD_NETWORK, None
    if reproduced is not None:
        (network, runs), *others = _networks(reproduced).items()
        if others:
            raise ValueError("draw takes one network's runs; make_figure compares")
        banded = _banded(runs)
    drawn = _draw(ax, _checked_batches(batches), _flag("log", log), banded, network)
    if _flag("legend", legend):
        ax.legend(title="mini-batch")
    return drawn


def _flag(name: str, value: bool) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {value!r}")
    return value


def _run_labels(runs: int, network: tuple[str, str]) -> tuple[str, str]:
    """Return a legend's words for a band and a median, naming another network."""
    named = "" if network == RECORD_NETWORK else " of {}, {}".format(*network)
    return f"{_BAND_NAME} of {runs} runs{named}", f"median of {runs} runs{named}"


def _draw(
    ax: Axes, batches: tuple[int, ...], log: bool, runs: Array | None, network: Any
) -> list[Artist]:
    """Draw the mini-batches on ax, over their runs' bands if there are runs; the
    record only over runs of its own network."""
    colours = _batch_colours()
    recorded = runs is None or network == RECORD_NETWORK
    drawn: list[Artist] = []
    for batch in batches:
        colour = colours[batch]
        if runs is not None:  # only the first mini-batch's go into a legend
            band, median = (
                _run_labels(len(runs), network) if batch == batches[0] else ("", "")
            )
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
    ax: Axes, runs: Array, colour: Any, labels: tuple[str, str], overlaps: bool = False
) -> list[Artist]:
    """Draw the runs' median, dashed, over their band if there are two runs or more."""
    import numpy as np

    band, median = labels
    drawn: list[Artist] = []
    if len(runs) > 1:
        low, high = np.percentile(runs, _BAND, axis=0)
        fc = _band_face(colour, ax.get_facecolor(), overlaps)
        drawn.append(ax.fill_between(_LAYERS, low, high, fc=fc, ec="none", label=band))
    middle = np.percentile(runs, 50, axis=0) if len(runs) else [math.nan] * 4
    return drawn + ax.plot(_LAYERS, middle, "--", color=colour, label=median)


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


def _tint(colour: Any, background: Any, alpha: float) -> Any:
    """Return colour at the strength alpha over the background, as one opaque colour."""
    from matplotlib.colors import to_rgb

    pairs = zip(to_rgb(colour), to_rgb(background))
    return tuple(alpha * c + (1 - alpha) * b for c, b in pairs)


def _band_face(colour: Any, background: Any, overlaps: bool = False) -> Any:
    """Return a band's colour: see-through where it overlaps others or the file is
    transparent, else an opaque tint; PostScript makes each an opaque tint."""
    import matplotlib
    from matplotlib.colors import to_rgb

    if overlaps or matplotlib.rcParams["savefig.transparent"]:
        return (*to_rgb(colour), _BAND_ALPHA)
    return _tint(colour, background, _BAND_ALPHA)


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


def _checked_size(size: Any) -> tuple[float, float]:
    """Return a figure's width and height in inches, if a figure can be that size."""
    try:
        width, height = (float(side) for side in size)
    except (TypeError, ValueError):
        width = height = math.nan
    fits = 0 < width <= _MAX_INCHES and 0 < height <= _MAX_INCHES
    if isinstance(size, str) or not fits:
        each = f"each above 0 and at most {_MAX_INCHES:,}"
        raise ValueError(
            f"size must be a width and height in inches, not {size!r}; {each}"
        )
    return width, height


def _checked_style(style: Any) -> Any:
    """Return style, if it is of a kind that ``matplotlib.style.use`` takes."""
    kinds = (str, os.PathLike, dict)
    many = isinstance(style, (list, tuple)) and all(isinstance(s, kinds) for s in style)
    if not (style is None or isinstance(style, kinds) or many):
        said = "a style's name or file, a dict of settings, or a list of them"
        raise TypeError(f"style must be {said}, not {style!r}")
    return style or {}


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


def _plain(batches: Any, views: bool, others: tuple[Any, ...]) -> bool:
    """Return whether only the original's mini-batches are asked for, with no log
    axis or legend (views) and none of the others."""
    shown = batches in (None, REPRESENTATIVE_BATCHES) and not views
    return shown and all(other is None for other in others)


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
    original: bool | None = None,
) -> Figure:
    """Make a new Figure of the plot, without pyplot unless pyplot is true.

    Asked for nothing else, it is the original figure, to the pixel; original says
    whether to keep the original's layout or to lay the figure out. log, legend and
    reproduced are as for `draw`, with a panel for each mini-batch; several networks
    are compared, a panel for each activation, over all ten mini-batches unless
    batches says. style is what ``matplotlib.style.use`` takes; size is in inches.
    """
    import matplotlib.style

    networks = None if reproduced is None else _networks(reproduced)
    compared = networks is not None and len(networks) > 1
    chosen = _chosen_batches(batches, compared)
    log, legend = _flag("log", log), _flag("legend", legend)
    if original is None:  # the original, unless something else is asked for
        original = _plain(chosen, log or legend, (style, size, title, reproduced))
    original = _flag("original", original)
    with matplotlib.style.context(_checked_style(style)):
        fig = _new_figure(size, original, _flag("pyplot", pyplot))
        if title is not None:
            fig.suptitle(title, wrap=True)
        if networks is None:
            ax = fig.add_subplot()
            handles = _draw(ax, chosen, log, None, RECORD_NETWORK)
            ax.set_xlabel("Layer $l$" if original else _X_LABEL)
            place: dict[str, Any] = {"loc": "outside right center"}
            place["title"] = "mini-batch"
        else:  # below the panels, in as many columns as fit
            draw_panels = _draw_comparison if compared else _draw_panels
            handles = draw_panels(fig, chosen, log, networks)
            place = {"loc": "outside lower center", "ncols": _columns(fig, handles)}
            place["title"] = "growth per layer" if compared else None
        if legend or compared:  # a transparent figure's has no box; any other, opaque
            boxed = not matplotlib.rcParams["savefig.transparent"]
            fig.legend(handles=handles, frameon=boxed, framealpha=1, **place)
    return fig


def _chosen_batches(batches: Iterable[int] | None, compared: bool) -> tuple[int, ...]:
    """Return the mini-batches asked for: unless said, 7, 8 and 9, or all ten."""
    default = _ALL_BATCHES if compared else REPRESENTATIVE_BATCHES
    return _checked_batches(default if batches is None else batches)


def _new_figure(size: Any, original: bool, pyplot: bool) -> Figure:
    """Make an empty figure of the size, with type in proportion, laid out unless it
    is the original."""
    import matplotlib
    from matplotlib.figure import Figure

    styled = _checked_size(matplotlib.rcParams["figure.figsize"])
    width, height = styled if size is None else _checked_size(size)
    _shrink_type(min(1, width / styled[0], height / styled[1]))
    layout: Literal["constrained"] | None = None if original else "constrained"
    if not pyplot:
        return Figure(figsize=(width, height), layout=layout)
    import matplotlib.pyplot as plt

    return plt.figure(figsize=(width, height), layout=layout)


def _columns(fig: Figure, handles: list[Artist]) -> int:
    """Return how many columns of a legend of the handles fit across the figure."""
    import matplotlib
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    rc = matplotlib.rcParams
    font = FontProperties(size=rc["legend.fontsize"])
    em = font.get_size_in_points()
    labels = [str(handle.get_label()) for handle in handles]
    text = max(
        TextToPath().get_text_width_height_descent(t, font, False)[0] for t in labels
    )
    handle = (rc["legend.handlelength"] + rc["legend.handletextpad"]) * em
    space, border = rc["legend.columnspacing"] * em, 2 * rc["legend.borderpad"] * em
    fit = (fig.get_figwidth() * 72 - border + space) // (text + handle + space)
    return max(1, min(3, len(handles), int(fit)))


def _draw_panels(
    fig: Figure, batches: tuple[int, ...], log: bool, networks: Networks
) -> list[Artist]:
    """Draw a panel for each mini-batch; return the artists for a legend."""
    import matplotlib
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    ((network, runs),) = networks.items()
    banded = _banded(runs)
    rows = 1 if len(batches) <= 4 else 2
    columns = math.ceil(len(batches) / rows)
    panels: Any = fig.subfigures()  # its x label above the figure's legend
    # A y axis each, as mini-batch 1 would flatten the others on a shared one.
    grid = panels.subplots(rows, columns, sharex=True, squeeze=False)
    # Titles in full where they fit; else only the first says "mini-batch".
    room = fig.get_figwidth() * 72 / columns / matplotlib.rcParams["font.size"]
    tall = fig.get_figheight() / rows >= 3  # inches
    for index, (ax, batch) in enumerate(zip(grid.flat, batches)):
        _draw(ax, (batch,), False, banded, network)
        if log:  # a small panel is labelled at each power of ten alone
            _readable_log_scale(ax, tall)
            ax.minorticks_off()
        title = f"mini-batch {batch}" if room > 16 or not index else str(batch)
        ax.set_title(title, fontsize="medium", loc="center" if room > 16 else "left")
        ax.set_xlabel("")
        if index + columns >= len(batches):  # the lowest panel of its column
            ax.xaxis.set_tick_params(labelbottom=True)
        if index % columns:
            ax.set_ylabel("")
    for ax in grid.flat[len(batches) :]:
        ax.remove()
    panels.supxlabel(_X_LABEL, fontsize=matplotlib.rcParams["axes.labelsize"])
    ink = matplotlib.rcParams["text.color"]
    band, median = _run_labels(len(banded), network)
    face = _band_face(ink, matplotlib.rcParams["axes.facecolor"])
    handles: list[Artist] = [Line2D([], [], color=ink, ls="--", label=median)]
    handles += [Patch(fc=face, ec="none", label=band)]
    if network == RECORD_NETWORK:
        record = "recorded in 2013"
        handles.insert(
            0, Line2D([], [], color=ink, marker="o", mfc="none", label=record)
        )
    return handles


def _draw_comparison(
    fig: Figure, batches: tuple[int, ...], log: bool, networks: Networks
) -> list[Artist]:
    """Draw a panel for each activation, with each network's median and band, and the
    record over its own; return the artists for a legend.

    Each run is first reduced to the geometric mean of its norms over the
    mini-batches, so that a line's slope is its growth per layer.
    """
    import matplotlib
    import numpy as np

    activations = list(dict.fromkeys(activation for _, activation in networks))
    panels: Any = fig.subfigures()  # its x label above the figure's legend
    axes = panels.subplots(1, len(activations), sharey=True, squeeze=False)[0]
    handles = []
    for index, ((init, activation), runs) in enumerate(networks.items()):
        ax = axes[activations.index(activation)]
        colour = _NETWORK_COLOURS[index % len(_NETWORK_COLOURS)]
        done = _completed(runs)
        count = (
            f"{len(done)} of {len(runs)} runs"
            if len(done) < len(runs)
            else f"{len(runs)} runs"
        )
        growth = f"×{np.median(_run_growths(done, batches)):.2f}, " if len(done) else ""
        label = f"{init}, {activation}: {growth}{count}"
        *_, median = _spread(ax, _means(done, batches), colour, ("", label), True)
        handles.append(median)
        if (init, activation) == RECORD_NETWORK:
            record = np.array([NABLA_W_NORMS])
            label = f"recorded in 2013: ×{_run_growths(record, batches)[0]:.2f}"
            points = _means(record, batches)[0]
            handles += ax.plot(_LAYERS, points, "o", c=colour, mfc="none", label=label)
    # The medians and the record set the scale, which runs that blew up would flatten.
    heights = [y for line in handles for y in line.get_ydata() if np.isfinite(y)]  # type: ignore[attr-defined]
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
_MAX_RUNS = 10_000
_RUNS_AT_ONCE = 8  # trained side by side, so memory does not grow with the runs
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
    """Make z its sigmoid, in place, as (1 + tanh(z / 2)) / 2, which cannot overflow."""
    import numpy as np

    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5


def _tanh(z: Array) -> None:
    import numpy as np

    np.tanh(z, out=z)


def _relu(z: Array) -> None:
    import numpy as np

    np.maximum(z, 0.0, out=z)


# Each activation of the hidden layers, made in place, and its slope as a function
# of its value a. The output layer is a sigmoid in every network.
ACTIVATIONS: dict[str, tuple[Callable[[Array], None], Callable[[Array], Any]]] = {
    "sigmoid": (_sigmoid, lambda a: a * (1 - a)),
    "tanh": (_tanh, lambda a: 1 - a * a),
    "relu": (_relu, lambda a: a > 0),
}


class Network(NamedTuple):
    """One run's first weights (y, x) and biases, and its order of examples."""

    weights: list[Array]
    biases: list[Array]
    order: NDArray[np.intp]


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
    `ACTIVATIONS`). progress, if given, is called with the runs done and all.
    """
    import functools
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    runs, seed = _checked_training(runs, seed, init, activation)
    images, targets = _load_mnist(data)
    used = np.any(images, axis=0)  # a fifth of the pixels are blank in every image
    mnist = (images.compress(used, axis=1), targets, used)
    train = functools.partial(
        _train, seed=seed, init=init, activation=activation, mnist=mnist
    )
    firsts = range(0, runs, _RUNS_AT_ONCE)
    chunks = [range(first, min(first + _RUNS_AT_ONCE, runs)) for first in firsts]
    result = np.empty((runs, _EXAMPLES // _BATCH_SIZE, len(_SIZES) - 1))
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


def _checked_training(
    runs: int, seed: int, init: str, activation: str
) -> tuple[int, int]:
    """Return the runs and the seed, if `reproduce` can train with them all."""
    runs, seed = _whole("runs", runs), _whole("seed", seed)
    if not 1 <= runs <= _MAX_RUNS:
        raise ValueError(f"runs must be from 1 to {_MAX_RUNS}, not {runs}")
    if seed < 0:
        raise ValueError(f"seed must not be negative, not {seed}")
    if init not in INITIALISATIONS:
        raise ValueError(
            f"init must be one of {', '.join(INITIALISATIONS)}, not {init!r}"
        )
    if activation not in ACTIVATIONS:
        known = ", ".join(ACTIVATIONS)
        raise ValueError(f"activation must be one of {known}, not {activation!r}")
    return runs, seed


def _initial_network(seed: int, init: str) -> Network:
    """Draw one run's first weights and biases, and its order of examples."""
    import numpy as np

    rng = np.random.default_rng(seed)
    scale = INITIALISATIONS[init][0]
    layers = [(x, y, *scale(x, y)) for x, y in zip(_SIZES, _SIZES[1:])]
    # Biases first, as backprop2 drew them.
    biases = [rng.standard_normal(y) / np.sqrt(b) for _, y, _, b in layers]
    weights = [rng.standard_normal((y, x)) / np.sqrt(w) for x, y, w, _ in layers]
    return Network(weights, biases, rng.permutation(_EXAMPLES))


def _train(chunk: range, *, seed: int, init: str, activation: str, mnist: Any) -> Array:
    """Train the chunk's runs for one epoch, side by side; return the norms of each.

    mnist holds the images (of the pixels used), the targets, and the pixels used.
    """
    import numpy as np

    images, targets, used = mnist
    networks = [_initial_network(seed + run, init) for run in chunk]
    # Stacked as (run, from, to): a layer is one product for all examples and runs.
    weights = [
        np.stack([w.T for w in ws]) for ws in zip(*(n.weights for n in networks))
    ]
    biases = [np.stack(bs)[:, None, :] for bs in zip(*(n.biases for n in networks))]
    orders = np.stack([n.order for n in networks])
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
    activate, slope = ACTIVATIONS[activation]
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
    """Return MNIST's first 1,000 training images (byte / 256) and one-hot labels."""
    import numpy as np

    if data is None:  # beside this file, or (pasted in a notebook) in this folder
        data = os.path.join(os.path.dirname(_SCRIPT) if _SCRIPT else "", "data")
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
    # The hash is of a file of 1,000 records: the records read, after a header that
    # says 1,000, as the shipped files' does and MNIST's own 60,000 do not.
    own = raw[:4] + _EXAMPLES.to_bytes(4, "big") + raw[8:]
    if hashlib.sha256(own).hexdigest() != _MNIST_SHA256[kind]:
        raise _DataError(f"{path!r}: not MNIST's training {kind}, or cut short")
    return raw[header:]


class Agreement:
    """Where the record sits among the runs that `reproduce` returned.

    Attributes: runs, left_out, values, inside (the 5–95 % band) and the growth
    per layer: growth (the record's), growth_median, growth_band (the runs').
    """

    def __init__(self, reproduced: ArrayLike) -> None:
        import numpy as np

        ((network, given),) = _networks(reproduced).items()
        if network != RECORD_NETWORK:  # other runs are no test of the record
            raise ValueError(
                f"reproduced must be runs of {RECORD_NETWORK}, not {network}"
            )
        runs = _banded(given)
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


def _summary(networks: Networks, batches: Iterable[int] | None) -> str:
    """Return what the runs say: where the record sits among its own network's
    runs, or a table of each network's growth per layer over the mini-batches."""
    import numpy as np

    if list(networks) == [RECORD_NETWORK]:
        return f"{Agreement(networks[RECORD_NETWORK])}\n"
    # One network grows over all ten mini-batches, as Agreement has it.
    chosen = _chosen_batches(batches, True) if len(networks) > 1 else _ALL_BATCHES
    lines = [
        f"| `--init` | `--activation` | growth per layer | {_BAND_NAME} | left out |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for (init, activation), runs in networks.items():
        growths = _run_growths(_completed(runs), chosen)
        median = f"×{np.median(growths):.2f}" if len(growths) else "—"
        band = (
            "—"
            if len(growths) < 2
            else "{:.2f}–{:.2f}".format(*np.percentile(growths, _BAND))
        )
        row = [f"`{init}`", f"`{activation}`", median, band, len(runs) - len(growths)]
        lines.append(f"| {' | '.join(map(str, row))} |")
    record = _run_growths(np.array([NABLA_W_NORMS]), chosen)[0]
    lines.append("")  # the table ends
    lines.append(
        "The record, made with {} and {}: ×{:.2f} per layer".format(
            *RECORD_NETWORK, record
        )
    )
    return "\n".join(lines) + "\n"


# -- Writing files ----------------------------------------------------------------


class _Format(NamedTuple):
    family: str  # its metadata: `metadata`'s fmt, "pillow" for EXIF, or "" for none
    side: int  # the most pixels it holds on a side; a vector format, none: 0


# Each format that matplotlib writes without LaTeX. Pillow's rasters carry an EXIF
# description, and a GIF a comment; bare pixels carry nothing. matplotlib draws
# fewer than 2**23 pixels on a side.
_FORMATS = {
    "png": _Format("png", 2**23 - 1), "raw": _Format("", 2**23 - 1),
    "rgba": _Format("", 2**23 - 1), "tif": _Format("pillow", 2**23 - 1),
    "tiff": _Format("pillow", 2**23 - 1), "jpg": _Format("pillow", 65_500),
    "jpeg": _Format("pillow", 65_500), "gif": _Format("pillow", 65_535),
    "avif": _Format("pillow", 65_536), "webp": _Format("pillow", 16_383),
    "pdf": _Format("pdf", 0), "svg": _Format("svg", 0), "svgz": _Format("svg", 0),
    "eps": _Format("eps", 0), "ps": _Format("ps", 0),
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
    and notes are added. Control characters are escaped, as \\x1b. PostScript's
    are DSC comments in ASCII: savefig writes its Creator, and the command line
    its Title and Subject too.
    """
    networks = None if reproduced is None else _networks(reproduced)
    *others, last = _chosen_batches(batches, networks is not None and len(networks) > 1)
    named = (
        f"mini-batches {', '.join(map(str, others))} and " if others else "mini-batch "
    )
    what = f"The norm of the weight gradient of hidden layers 1 to 4, for {named}{last}"
    if networks is None or RECORD_NETWORK in networks:
        what += ", as Michael Nielsen recorded it in 2013"
    if networks is not None:
        what += f", over {len(next(iter(networks.values())))} runs of the training"
    summary = "" if networks is None else _summary(networks, batches).strip()
    what = _printable(title or what)
    description = _printable(" ".join(filter(None, [_SOURCE, notes, summary])))
    if fmt in ("eps", "ps"):
        return {"Creator": _PROG, "Title": _ascii(what), "Subject": _ascii(description)}
    names = {"png": "Description", "pdf": "Subject", "svg": "Description"}
    if fmt not in names:
        raise ValueError(f"fmt must be png, pdf, svg, eps or ps, not {fmt!r}")
    no_date = {"pdf": {"CreationDate": None}, "svg": {"Date": None}}.get(fmt, {})
    return {"Title": what, names[fmt]: description, **no_date}


def _printable(text: str) -> str:
    """Return text with what XML forbids, even as a reference, escaped as \\x1b:
    control characters but the newline, U+FFFE, U+FFFF and undecodable bytes."""
    import unicodedata

    def forbidden(char: str) -> bool:
        return char in "\ufffe\uffff" or (
            char != "\n" and unicodedata.category(char) in ("Cc", "Cs")
        )

    escaped = [c.encode("unicode_escape").decode() if forbidden(c) else c for c in text]
    return "".join(escaped)


def _ascii(text: str) -> str:
    plain = text.translate({ord("×"): "x", ord("–"): "-"})
    return plain.encode("ascii", "replace").decode("ascii")


def _dsc(keyword: str, text: str) -> bytes:
    """Return ASCII text as a PostScript DSC comment: each line, and every 255
    characters, continued on a line of its own that begins %%+."""
    import textwrap

    lines: list[str] = []
    for part in text.split("\n"):
        first = "%%+ " if lines else f"%%{keyword}: "
        lines += textwrap.wrap(
            part,
            255,
            initial_indent=first,
            subsequent_indent="%%+ ",
            break_on_hyphens=False,
        )
    return "".join(f"{line}\n" for line in lines).encode("ascii")


def _render(fig: Figure, fmt: str, dpi: float | None, about: dict[str, Any]) -> bytes:
    """Return fig as the bytes of a fmt file that says what `metadata` says."""
    import gzip
    import io
    from xml.sax.saxutils import escape

    import matplotlib
    from PIL import Image

    family = _FORMATS[fmt].family
    said = metadata(family if family in ("pdf", "svg", "eps", "ps") else "png", **about)
    kwargs: dict[str, Any] = {"metadata": said} if family else {}
    if family == "pillow":  # an EXIF description, and a GIF's comment
        exif = Image.Exif()
        exif[0x010E] = _ascii("{}. {}".format(*said.values()))
        kwargs = {"pil_kwargs": {"exif": exif, "comment": exif[0x010E]}}
    buffer = io.BytesIO()
    faces = _opaque_faces(fig) if family in ("eps", "ps") else []
    try:
        with matplotlib.rc_context({"svg.hashsalt": _PROG}):
            fig.savefig(
                buffer, format="svg" if fmt == "svgz" else fmt, dpi=dpi, **kwargs
            )
    finally:
        for artist, face in faces:
            artist.set_facecolor(face)
    data = buffer.getvalue()
    if family == "svg":  # a description that screen readers announce
        desc = f"</title>\n <desc>{escape(str(said['Description']))}</desc>".encode()
        data = data.replace(b"</title>", desc, 1)
    if fmt == "svgz":  # matplotlib's own gzip header would carry the time
        data = gzip.compress(data, mtime=0)
    if family in ("eps", "ps"):  # no date, so the same command gives the same bytes
        header, end, body = data.partition(b"%%EndComments\n")
        kept = [
            x for x in header.splitlines(True) if not x.startswith(b"%%CreationDate")
        ]
        kept += [_dsc(keyword, str(said[keyword])) for keyword in ("Title", "Subject")]
        data = b"".join(kept) + end + body
    return data


def _opaque_faces(fig: Figure) -> list[tuple[Any, Any]]:
    """Make each translucent face an opaque tint, as PostScript has no transparency;
    return each artist changed, with its face as it was."""
    import matplotlib
    import numpy as np
    from matplotlib.collections import Collection
    from matplotlib.patches import Patch

    background = matplotlib.rcParams["axes.facecolor"]
    changed = []
    for artist in fig.findobj(lambda artist: isinstance(artist, (Collection, Patch))):
        face = artist.get_facecolor()  # type: ignore[attr-defined]
        colours = np.array(face, ndmin=2)
        if ((colours[:, 3] > 0) & (colours[:, 3] < 1)).any():
            tints = [(*_tint(c[:3], background, c[3]), 1.0) for c in colours]
            one = not isinstance(artist, Collection)
            artist.set_facecolor(tints[0] if one else tints)  # type: ignore[attr-defined]
            changed.append((artist, face))
    return changed


def _write(path: str, data: bytes | None) -> None:
    """Write data to a new file beside path, then move it into place whole.

    With data None, only check that such a file can be made.
    """
    import shutil

    target = os.path.realpath(path)
    temporary = os.path.join(os.path.dirname(target), f".nabla-{os.urandom(6).hex()}")
    try:
        if os.path.islink(target):  # a link that leads, at last, back to itself
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))
        if os.path.exists(target) and not os.path.isfile(target):
            raise OSError(0, "not a regular file")
        if os.path.exists(target) and not os.access(target, os.W_OK):  # as cp has it
            raise OSError(errno.EACCES, os.strerror(errno.EACCES))
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

_DEFAULT_OUTPUT = "nabla_magnitudes.png"
# The oldest release of each package that works, as requirements.txt asks.
_DEPENDENCIES = {"matplotlib": (3, 9), "numpy": (1, 23), "threadpoolctl": (3, 1)}
_INSTALL = "pip install -r requirements.txt"
# The options of training and of drawing, each refused where it has no use.
_TRAINING = ("seed", "init", "activation", "data")
_DRAWING = ("output", "dpi", "transparent", "size", "title", "log", "legend", "style")
_PATHS = ("output", "data", "style")  # the options that name files
# The most pixels drawn: A3 at 600 dpi is 70 million, held in four bytes each.
_MAX_PIXELS = 10**8
# What a machine can run out of, each said in one line.
_EXHAUSTED = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EMFILE, errno.ENFILE}
_stopped: list[int] = []  # the signals that asked to stop during an import


class _Failure(Exception):
    """What could not be done, said in one line, with exit status 1."""


def _go_on() -> None:
    """Stop here if a signal asked to stop while a module was being imported."""
    if _stopped:
        raise KeyboardInterrupt


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _say(text: str) -> None:
    """Write text to standard output, whole, escaped where it cannot be shown."""
    if not text:
        return
    if sys.stdout is None:
        raise _Failure("cannot write to standard output: it is closed")
    encoding = sys.stdout.encoding or "utf-8"
    data = text.encode(encoding, "backslashreplace")
    try:
        sys.stdout.flush()
        if not hasattr(sys.stdout, "buffer"):  # a notebook's, which has no file
            sys.stdout.write(data.decode(encoding))
            return
        # Into the file itself, all of it or an error: a buffer would keep what the
        # system refused and fail again at exit, and with none (python -u), a short
        # write would lose the rest.
        file = getattr(sys.stdout.buffer, "raw", sys.stdout.buffer)
        written = 0
        while written < len(data):
            written += file.write(data[written:]) or 0
    except BrokenPipeError:
        raise  # the reader has gone: the program ends without a word
    except OSError as exc:  # a full disk, say
        raise _Failure(f"cannot write to standard output: {exc.strerror}") from None


def _complain(message: str) -> None:
    """Say what went wrong in one line on standard error."""
    _on_stderr(f"{_PROG}: error: {message}\n")


def _on_stderr(text: str) -> None:
    """Write text on standard error, unless it has gone, as after a hang-up."""
    import contextlib

    if sys.stderr is not None:
        with contextlib.suppress(OSError):
            sys.stderr.write(text)
            sys.stderr.flush()


def _save(path: str, data: bytes | None) -> None:
    try:
        _write(path, data)
    except OSError as exc:
        raise _Failure(f"cannot write {path!r}: {exc.strerror or exc}") from None


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
        return _checked_size((_positive(width), _positive(height)))
    except (argparse.ArgumentTypeError, ValueError):
        inches = f"in inches, at most {_MAX_INCHES:,} each"
        problem = f"expected a positive width and height {inches}, not {text!r}"
        raise argparse.ArgumentTypeError(problem) from None


def _title(text: str) -> str:
    if _printable(text) != text:
        problem = "holds a control character or a byte that is not text"
        raise argparse.ArgumentTypeError(f"{text!r} {problem}")
    return text


class _Parser(argparse.ArgumentParser):
    def print_help(self, file: Any = None) -> None:
        """Print the help whole, or one line if standard output has gone."""
        _say(self.format_help())


def _parser() -> argparse.ArgumentParser:
    """Return the parser of the command line."""
    parser = _Parser(
        prog=_PROG,
        description="Plot the norm of the weight gradient of each hidden layer, as "
        "Michael Nielsen recorded it for a 784-30-30-30-30-30-10 network on MNIST.",
    )
    batches = "mini-batches, like 2 7-9 (default: 7 8 9 to draw a network, all ten "
    batches += "with --csv or to compare networks)"
    parser.add_argument(
        "--batches",
        nargs="+",
        action="extend",
        type=_batches,
        metavar="SPEC",
        help=batches,
    )
    parser.add_argument("--csv", action="store_true", help="print the norms as CSV")
    _add_training_options(parser.add_argument_group("reproducing the record"))
    drawing = parser.add_argument_group("drawing (not with --csv)")
    output = "write to PATH, in its extension's format (default: a window, or "
    output += f"{_DEFAULT_OUTPUT} where none can open)"
    drawing.add_argument(
        "-o", "--output", action="append", default=[], metavar="PATH", help=output
    )
    dpi = "resolution of raster files (default: 100)"
    drawing.add_argument("--dpi", type=_positive, help=dpi)
    clear = "no background, and bands see-through but in PostScript"
    drawing.add_argument("--transparent", action="store_true", help=clear)
    drawing.add_argument("--size", type=_size, metavar="W,H", help="in inches: 6.4,3.6")
    drawing.add_argument("--title", type=_title, metavar="TEXT", help="a title")
    drawing.add_argument("--log", action="store_true", help="a logarithmic y axis")
    drawing.add_argument("--legend", action="store_true", help="a legend")
    style = "a matplotlib style; repeatable"
    drawing.add_argument("--style", action="append", default=[], help=style)
    return parser


def _add_training_options(group: Any) -> None:
    """Add the options of the training to the parser's group."""
    runs = f"train each network RUNS times (default: {_RUNS})"
    group.add_argument(
        "--reproduce", nargs="?", const=_RUNS, type=int, metavar="RUNS", help=runs
    )
    group.add_argument(
        "--seed", type=int, help=f"the first run's seed (default: {_SEED})"
    )
    init, activation = RECORD_NETWORK
    starts = "; ".join(f"{name} {it}" for name, (_, it) in INITIALISATIONS.items())
    starts = f"first weights of y neurons fed by x: {starts} (default: {init})"
    group.add_argument(
        "--init",
        nargs="+",
        action="extend",
        choices=INITIALISATIONS,
        metavar="INIT",
        help=starts,
    )
    hidden = f"hidden layers: {', '.join(ACTIVATIONS)} (default: {activation}); "
    hidden += "several starts or activations are compared"
    group.add_argument(
        "--activation",
        nargs="+",
        action="extend",
        choices=ACTIVATIONS,
        metavar="ACT",
        help=hidden,
    )
    data = "MNIST's folder (default: the script's data/)"
    group.add_argument("--data", metavar="DIR", help=data)


def _options(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse argv, refusing options that do not go together and numbers out of range."""
    args = parser.parse_args(argv)

    def refuse(names: Iterable[str], reason: str) -> None:
        for name in names:
            if getattr(args, name) != parser.get_default(name):
                parser.error(f"argument --{name}: {reason}")

    printing = args.csv or args.output or args.reproduce is not None
    if printing and sys.stdout is None:  # closed when the program started
        raise _Failure("cannot write to standard output: it is closed")
    fewest = 1 if args.csv else 2  # a band of the runs needs two
    if args.reproduce is None:
        refuse(_TRAINING, "only with --reproduce")
    elif not fewest <= args.reproduce <= _MAX_RUNS:
        parser.error(f"argument --reproduce: RUNS must be from {fewest} to {_MAX_RUNS}")
    args.seed = _SEED if args.seed is None else args.seed
    if args.seed < 0:
        parser.error("argument --seed: it must not be negative")
    if args.csv:
        refuse(_DRAWING, "not allowed with --csv")
    return args


def _asked_batches(args: argparse.Namespace) -> tuple[int, ...] | None:
    """Return the mini-batches that --batches names, in order and each once, if any."""
    return tuple(sorted({b for spec in args.batches or () for b in spec})) or None


def _asked_networks(args: argparse.Namespace) -> list[tuple[str, str]]:
    """Return each start that --init names with each activation of --activation."""
    import itertools

    inits = dict.fromkeys(args.init or RECORD_NETWORK[:1])
    activations = dict.fromkeys(args.activation or RECORD_NETWORK[1:])
    return list(itertools.product(inits, activations))


def _dependencies(*names: str) -> None:
    """Import what the work needs; refuse a package missing, broken, too old or
    misconfigured."""
    import importlib
    import logging

    held: list[logging.LogRecord] = []  # why a configuration file failed

    def hold(record: logging.LogRecord) -> bool:
        """Keep the record back, to say or pass on once the import is over."""
        held.append(record)
        return False

    for name in names:
        top = name.partition(".")[0]
        held.clear()
        log = logging.getLogger(top)
        log.addFilter(hold)
        try:
            version = importlib.import_module(top).__version__
            recent = tuple(map(int, version.split(".")[:2])) >= _DEPENDENCIES[top]
            if recent:
                importlib.import_module(name)
        except (ValueError, OSError) as exc:  # MPLBACKEND, or a matplotlibrc file
            said = " ".join(record.getMessage() for record in held) or _one_line(exc)
            raise _Failure(f"cannot configure {top}: {said}") from None
        except Exception as exc:  # missing or broken
            _go_on()  # an interrupt first, which numpy turns into an ImportError
            raise _Failure(f"cannot import: {_one_line(exc)}; {_INSTALL}") from None
        finally:
            log.removeFilter(hold)
        for record in held:
            log.handle(record)
        _go_on()  # an interrupt held back until the module was whole
        if not recent:
            oldest = ".".join(map(str, _DEPENDENCIES[top]))
            raise _Failure(f"{top} {version} is older than {oldest}; {_INSTALL}")


def _progress(
    shown: list[int] | None, before: int, total: int, done: int, _: int
) -> None:
    """Stop if asked to; on a terminal, show how many of all the runs have trained."""
    _go_on()
    if shown is not None:
        _on_stderr(f"\rtraining: {before + done} of {total} runs")
        shown.append(done)


def _training(args: argparse.Namespace) -> Networks:
    """Train each network that the options name, showing progress on a terminal."""
    import functools

    try:  # the data, checked once before any training
        _load_mnist(args.data)
    except (OSError, _DataError) as exc:  # a file missing, unreadable or damaged
        raise _Failure(_one_line(exc)) from None
    pairs = _asked_networks(args)
    total = len(pairs) * args.reproduce
    shown: list[int] | None = None  # the progress shown, on a terminal
    if sys.stderr is not None and sys.stderr.isatty():
        shown = []
    try:
        return {
            (init, act): reproduce(
                args.reproduce,
                seed=args.seed,
                init=init,
                activation=act,
                data=args.data,
                progress=functools.partial(_progress, shown, i * args.reproduce, total),
            )
            for i, (init, act) in enumerate(pairs)
        }
    finally:
        if shown:
            _on_stderr("\n")  # ends the progress line, stopped or not


def _print_csv(args: argparse.Namespace) -> None:
    """Print the record, or the runs, as CSV: all ten mini-batches unless chosen."""
    batches = _asked_batches(args) or _ALL_BATCHES
    if args.reproduce is None:
        _say(table_csv(batches))
        return
    _dependencies("numpy", "threadpoolctl")
    several = len(_asked_networks(args)) > 1  # then each row names its network
    columns = "run,seed," + ("init,activation," if several else "") + "mini_batch"
    rows = [
        (run, args.seed + run, *(network if several else ()), batch, *norms[batch - 1])
        for network, runs in _training(args).items()
        for run, norms in enumerate(runs.tolist())
        for batch in batches
    ]
    _say(_csv(columns, rows))


def _outputs(parser: argparse.ArgumentParser, paths: list[str]) -> dict[str, str]:
    """Return each output's path and format: none for a window, or the default PNG
    where pyplot, with no display, has settled on a file writer."""
    import matplotlib
    from matplotlib.backend_bases import FigureCanvasBase

    known = sorted(set(_FORMATS) & set(FigureCanvasBase.get_supported_filetypes()))
    outputs = {path: os.path.splitext(path)[1][1:].lower() for path in paths}
    for path, fmt in outputs.items():
        if fmt not in known:
            problem = f"the unsupported extension {fmt!r}" if fmt else "no extension"
            use = ", ".join(known)
            parser.error(f"argument -o/--output: {path!r} has {problem}; use {use}")
    if not outputs:
        import matplotlib.pyplot  # it chooses the backend
        from matplotlib.backends.registry import BackendFilter, backend_registry

        try:  # one asked for, but not installed
            backend_registry.load_backend_module(matplotlib.get_backend())  # type: ignore[no-untyped-call]
        except ImportError as exc:
            raise _Failure(f"cannot configure matplotlib: {_one_line(exc)}") from None
        writers = backend_registry.list_builtin(BackendFilter.NON_INTERACTIVE)  # type: ignore[no-untyped-call]
        if matplotlib.get_backend().lower() in writers:
            outputs = {_DEFAULT_OUTPUT: "png"}
    return outputs


def _use_styles(
    parser: argparse.ArgumentParser, args: argparse.Namespace, outputs: dict[str, str]
) -> None:
    """Use the styles in order, then --transparent; refuse a style, matplotlib's
    settings or a title, that cannot be drawn in the formats asked for."""
    import matplotlib
    import matplotlib.style

    given = "argument --style" if args.style else "cannot configure matplotlib"
    transparent = {"savefig.transparent": True} if args.transparent else {}
    try:
        matplotlib.style.use([*args.style, transparent])
        _checked_size(matplotlib.rcParams["figure.figsize"])
    except (OSError, ValueError) as exc:  # an unknown style, a file missing, a value
        if args.style:
            parser.error(f"{given}: {_one_line(exc)}")
        raise _Failure(f"{given}: {_one_line(exc)}") from None
    # The settings can make type that overflows, or ask for a LaTeX that is missing;
    # a title can hold a $...$ that does not parse, or what a format cannot hold.
    _try_drawing(given, "$l$", outputs)
    if args.title is not None:
        _try_drawing("argument --title", args.title, outputs)


def _try_drawing(given: str, text: str, outputs: dict[str, str]) -> None:
    """Draw text in each place that a figure has text, small, in each format asked for;
    if it cannot be drawn, refuse what gave it."""
    import io
    import warnings

    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    formats = {"png" if _FORMATS[f].side else f for f in outputs.values()} or {"png"}
    try:
        with warnings.catch_warnings():  # of numbers that overflow: the error says
            warnings.simplefilter("ignore", RuntimeWarning)
            fig = Figure(figsize=(2, 2), dpi=72)
            ax = fig.add_subplot(title=text, xlabel=text, ylabel=text)
            ax.set_xticks([0], [text])
            ax.set_yticks([0], [text])
            ax.legend(handles=[Line2D([], [], label=text)], title=text, frameon=False)
            fig.suptitle(text)
            fig.supxlabel(text)
            # Untrimmed and at 72 dpi, so that a style's tight box or its dpi cannot
            # make the trial slow; every raster is drawn as the PNG is.
            with matplotlib.rc_context({"savefig.bbox": "standard", "savefig.dpi": 72}):
                for fmt in formats:
                    fig.savefig(io.BytesIO(), format="svg" if fmt == "svgz" else fmt)
    except (ArithmeticError, LookupError, RuntimeError, ValueError) as exc:
        raise _Failure(f"{given}: {_one_line(exc)}") from None


def _check_rasters(fig: Figure, outputs: dict[str, str], asked: float | None) -> None:
    """Refuse, before it is drawn, a raster too large or too small at its dpi."""
    import io

    import matplotlib
    from PIL import Image

    rasters = {
        p: _FORMATS[fmt].side for p, fmt in outputs.items() if _FORMATS[fmt].side
    }
    setting = asked or matplotlib.rcParams["savefig.dpi"]
    dpi = fig.dpi if setting == "figure" else float(setting)
    width, height = map(float, fig.get_size_inches())
    if rasters and matplotlib.rcParams["savefig.bbox"] == "tight":
        # What spills out of the figure grows a tight box: measured at 10 dpi, cheaply.
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=10)
        width, height = (side / 10 for side in Image.open(buffer).size)
    across, down = width * dpi, height * dpi
    for path, side in rasters.items():
        if across * down > _MAX_PIXELS:
            limit = f"at most {_MAX_PIXELS:,} can be drawn"
        elif dpi < 10 or not (1 <= across <= side and 1 <= down <= side):
            limit = f"its format takes 1 to {side:,} on a side, and 10 dpi or more"
        else:
            continue
        size = f"{width:g}×{height:g} inches at {dpi:g} dpi"
        raise _Failure(
            f"{path!r} would be {size}, {across:.6g}×{down:.6g} pixels: {limit}"
        )


def _provenance(args: argparse.Namespace, argv: list[str]) -> str:
    """Return what a file says of how it was made: the code's hash, and the command,
    each path that -o, --data or --style names cut to its last part."""
    import hashlib
    import shlex

    def cut(path: str) -> str:  # so that no folder of the user's goes out
        return os.path.basename(os.path.normpath(path))

    def names_a_path(word: str) -> bool:  # as argparse reads it, abbreviated or not
        long = word.startswith("--") and len(word) > 2
        return word == "-o" or (long and any(f"--{n}".startswith(word) for n in _PATHS))

    words = [_PROG]
    for previous, word in zip(["", *argv], argv):
        option, equals, value = word.partition("=")
        if names_a_path(previous):
            word = cut(word)
        elif equals and names_a_path(option):
            word = f"{option}={cut(value)}"
        elif word.startswith("-o") and len(word) > 2:  # -oPATH
            word = f"-o{cut(word[2:])}"
        words.append(word)
    code = "pasted in, with no file to hash"
    if _SCRIPT is not None and os.path.isfile(_SCRIPT):
        with open(_SCRIPT, "rb") as file:
            code = f"SHA-256 {hashlib.sha256(file.read()).hexdigest()[:12]}"
    runs = "" if args.reproduce is None else f" Run i from seed {args.seed} + i."
    return f"Made with {shlex.join(words)} ({_PROG}: {code}).{runs}"


def _figure(args: argparse.Namespace, networks: Any, pyplot: bool) -> Figure:
    """Make the figure that the options ask for, in the styles in use."""
    batches = _asked_batches(args)
    views = dict(log=args.log, legend=args.legend, size=args.size, title=args.title)
    others = (args.size, args.title, networks)
    original = not args.style and _plain(batches, args.log or args.legend, others)
    return make_figure(
        batches, **views, reproduced=networks, pyplot=pyplot, original=original
    )


def _rehearse_and_train(args: argparse.Namespace, outputs: dict[str, str]) -> Networks:
    """Check the rasters before the training, then train.

    A tight box is measured on the figure drawn with the record standing in for
    the runs; any other is the figure's size.
    """
    import matplotlib
    from matplotlib.figure import Figure

    stand_in = Figure(figsize=args.size)
    if matplotlib.rcParams["savefig.bbox"] == "tight":
        records = dict.fromkeys(_asked_networks(args), [NABLA_W_NORMS] * 2)
        stand_in = _figure(args, records, pyplot=False)
    _check_rasters(stand_in, outputs, args.dpi)
    networks = _training(args)
    if len(networks) == 1:  # a band needs two runs; a comparison names fewer
        try:
            _banded(*networks.values())
        except ValueError as exc:
            raise _Failure(str(exc)) from None
    return networks


def _write_and_report(files: dict[str, bytes], summary: str) -> None:
    """Write each file whole, in turn; then print the summary and the paths written."""
    written = []
    try:
        for path, data in files.items():
            _go_on()
            _save(path, data)
            written.append(path)
    finally:  # even when a file fails, the user learns which were written
        _say(summary + "".join(f"{path}\n" for path in written))


def _plot(
    parser: argparse.ArgumentParser, args: argparse.Namespace, argv: list[str]
) -> None:
    """Draw the figure that the options ask for; write each output, or show it."""
    training = [] if args.reproduce is None else ["threadpoolctl"]
    _dependencies("matplotlib.figure", "numpy", *training)
    import matplotlib.style

    outputs = _outputs(parser, args.output)
    with matplotlib.style.context({}):  # the styles hold while saving: savefig.*
        _use_styles(parser, args, outputs)
        for path in outputs:  # every destination, before any file is replaced
            _save(path, None)
        networks = (
            None if args.reproduce is None else _rehearse_and_train(args, outputs)
        )
        fig = _figure(args, networks, pyplot=not outputs)
        _check_rasters(fig, outputs, args.dpi)
        batches, notes = _asked_batches(args), _provenance(args, argv)
        about = dict(
            batches=batches, title=args.title, reproduced=networks, notes=notes
        )
        files = {
            path: _render(fig, fmt, args.dpi, about) for path, fmt in outputs.items()
        }
        _write_and_report(
            files, "" if networks is None else _summary(networks, batches)
        )
        if not outputs:  # a window, or a notebook's cell
            import matplotlib.pyplot as plt

            _go_on()
            plt.show()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with argv (default sys.argv[1:]); return the exit status."""
    if isinstance(argv, (str, bytes)):
        raise TypeError(f"argv must be a list of arguments, not {argv!r}")
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _parser()
    try:
        args = _options(parser, argv)
        if args.csv:
            _print_csv(args)
        else:
            _plot(parser, args, argv)
    except SystemExit as exc:  # argparse has printed the usage or the help
        return int(exc.code or 0)
    except _Failure as exc:
        _complain(str(exc))
    except MemoryError:
        _complain("out of memory")
    except OSError as exc:  # what the machine ran out of; any other is a bug
        if exc.errno not in _EXHAUSTED:
            raise
        _complain(exc.strerror or str(exc))
    else:
        return 0
    return 1


# -- The entry point --------------------------------------------------------------


def _own_arguments() -> list[str]:
    """Return this file's arguments from sys.argv: in IPython, only %run's."""
    script = globals().get("__file__") or ""
    ours = sys.argv and os.path.basename(sys.argv[0]) == os.path.basename(script)
    return sys.argv[1:] if script and ours else []


def _stop(signum: int, frame: FrameType | None) -> None:
    """Stop the program: at once, or as soon as the module being imported is whole."""
    if _stopped:  # a stop already under way
        return
    _stopped.append(signum)
    # Stopped in the middle of its import, a compiled module can be left broken.
    while frame and not frame.f_code.co_filename.startswith("<frozen importlib"):
        frame = frame.f_back
    if frame is None:
        raise KeyboardInterrupt


def _run_as_a_program() -> int:
    """Run `main` as a program: a signal to stop ends it with one line, status 1."""
    import signal

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):  # those that this system has
        signum = getattr(signal, name, None)
        # One that was ignored (nohup, a job in the background) stays ignored.
        if signum is not None and signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _stop)
    try:
        return main()
    except KeyboardInterrupt:
        _complain("stopped")
    except BrokenPipeError:  # `--csv | head -1`: the reader has gone
        pass
    return 1


if __name__ == "__main__":
    ipython = sys.modules.get("IPython")
    if ipython and ipython.get_ipython():  # a notebook cell, or %run: no exit
        main(_own_arguments())
    else:
        sys.exit(_run_as_a_program())
