"""Helpers for the tests: the oracles, figure comparison, running the script."""

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "plot_nabla_magnitudes.py"
PROG = "plot_nabla_magnitudes.py"

# The oracle: the original script's figure code as it stood, from its pyplot import.
ORIGINAL_SCRIPT = r"""
import matplotlib.pyplot as plt
nw1 = [0.129173436407863, 0.4242933114455002, 1.6154682713449411, 7.5451567587160069]
nw2 = [0.12571016850457151, 0.44231149185805047, 1.8435833504677326, 7.61973813981073]
nw3 = [0.15854489503205446, 0.70244235144444678, 2.6294803575724157, 10.427062019753425]
plt.plot(range(1, 5), nw1, "ro-", range(1, 5), nw2, "go-", range(1, 5), nw3, "bo-")
plt.xlabel('Layer $l$')
plt.ylabel(r"$\Vert\nabla C^l_w\Vert$")
plt.xticks([1, 2, 3, 4])
plt.show()
"""


def growth(norms):
    """Growth per hidden layer, as the README measures it over the mini-batches."""
    return np.exp(np.log(norms[..., 4] / norms[..., 1]).mean(axis=-1) / 3)


def contrast(colour, background):
    """WCAG's contrast ratio of two colours, from their relative luminance."""
    from matplotlib.colors import to_rgb

    def luminance(c):
        rgb = [
            x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4
            for x in to_rgb(c)
        ]
        return 0.05 + 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]

    light, dark = sorted([luminance(colour), luminance(background)], reverse=True)
    return light / dark


def pixels(figure):
    """The size and RGBA pixels of a Figure, drawn by Agg, or of a PNG file."""
    if isinstance(figure, Path):
        from PIL import Image

        with Image.open(figure) as image:
            return image.size, image.convert("RGBA").tobytes()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="rgba")
    return tuple(round(side) for side in figure.bbox.size), buffer.getvalue()


def run_script(*args, cwd, python=(), script=SCRIPT, **kw):
    """Run ``python [PYTHON] [SCRIPT] ARGS`` in *cwd*, its output as text."""
    command = [sys.executable, *python, *([str(script)] if script else []), *args]
    kw = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kw}
    return subprocess.run(command, cwd=cwd, text=True, timeout=120, **kw)


def headless_env():
    """The environment of a fresh machine: no display, no backend chosen."""
    hidden = ("MPLBACKEND", "DISPLAY", "WAYLAND_DISPLAY")
    return {k: v for k, v in os.environ.items() if k not in hidden}


def listing(folder):
    """Every name in *folder*, hidden ones too, sorted."""
    return sorted(p.name for p in folder.iterdir())


def layout_problems(fig):
    """What is wrong with *fig*'s layout, as drawn: texts cut off or overlapping,
    a legend over another plot or a text, plots without y labels or flattened."""
    from matplotlib.text import Text

    fig.draw_without_rendering()
    hidden = set()  # the labels of ticks beyond the axes' ends, not drawn
    for axis in [axis for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)]:
        low, high = sorted(axis.get_view_interval())
        ticks = axis.get_major_ticks()
        hidden |= {tick.label1 for tick in ticks if not low <= tick.get_loc() <= high}
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
    texts = [t for t in texts if t not in hidden]
    legends = fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    page, problems = fig.bbox.padded(0.5), []  # half a pixel, for rounding
    for artist in [*texts, *legends]:
        box = artist.get_window_extent()
        if not (
            page.x0 <= box.x0 <= box.x1 <= page.x1
            and page.y0 <= box.y0 <= box.y1 <= page.y1
        ):
            problems.append(f"cut off: {artist}")
    by_x = sorted(fig.axes, key=lambda ax: -ax.bbox.x0)
    for ax in {round(ax.bbox.y0): ax for ax in by_x}.values():  # first of a row
        if len(set(ax.get_yticklabels()) & set(texts)) < 2:
            problems.append(f"fewer than two y labels: {ax.get_title()}")
    for legend in legends:
        box, own = legend.get_window_extent(), {*legend.get_texts(), legend.get_title()}
        if any(
            ax.bbox.overlaps(box) for ax in fig.axes if legend not in ax.get_children()
        ):
            problems.append("a legend over a plot")
        if any(t not in own and t.get_window_extent().overlaps(box) for t in texts):
            problems.append("a legend over a text")
    boxes = [t.get_window_extent() for t in texts]
    if any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]):
        problems.append("texts that overlap")
    for ax in fig.axes:
        heights = [y for line in ax.get_lines() for y in line.get_ydata()]
        heights += [
            y
            for band in ax.collections
            for y in band.get_datalim(ax.transData).intervaly
        ]
        scale = np.log10 if ax.get_yscale() == "log" else np.asarray
        low, high = scale(sorted(ax.get_ylim()))
        if heights and np.ptp(scale(heights)) < (high - low) / 2:
            problems.append(f"a flattened plot: {ax.get_title()}")
    return problems


def share(fig, of="area"):
    """The share of *fig*'s area, or of its height, that its plots take, as last
    drawn (by `layout_problems`)."""
    whole, boxes = fig.bbox, [ax.bbox for ax in fig.axes]
    if of == "height":
        return float(max(b.y1 for b in boxes) - min(b.y0 for b in boxes)) / whole.height
    return float(sum(b.width * b.height for b in boxes)) / (whole.width * whole.height)
