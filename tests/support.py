"""Helpers for the tests: the oracles, figure comparison, running the script."""

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def growth(norms: np.ndarray) -> np.ndarray:
    """Growth per hidden layer, as the README measures it over the mini-batches."""
    return np.exp(np.log(norms[..., 4] / norms[..., 1]).mean(axis=-1) / 3)


def contrast(colour: Any, background: Any) -> float:
    """WCAG's contrast ratio of two colours, from their relative luminance."""
    from matplotlib.colors import to_rgb

    def luminance(c: Any) -> float:
        r, g, b = [
            x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4
            for x in to_rgb(c)
        ]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    dark, light = sorted([luminance(colour), luminance(background)])
    return (light + 0.05) / (dark + 0.05)


def pixels(fig: Any) -> tuple[tuple[int, int], bytes]:
    """The size and the RGBA pixels of *fig*, rendered by Agg at its own dpi."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="rgba")
    width, height = fig.bbox.size
    return (round(width), round(height)), buffer.getvalue()


def png_pixels(path: Path) -> tuple[tuple[int, int], bytes]:
    """The size and the RGBA pixels of a PNG file."""
    from PIL import Image

    with Image.open(path) as image:
        return image.size, image.convert("RGBA").tobytes()


def run_script(
    *args: str, cwd: Path, python: tuple[str, ...] = (), script: Any = SCRIPT, **kw: Any
) -> subprocess.CompletedProcess[str]:
    """Run ``python [PYTHON] [SCRIPT] ARGS`` in *cwd*, its output as text."""
    kw = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kw}
    command = [sys.executable, *python, *([str(script)] if script else []), *args]
    return subprocess.run(command, cwd=cwd, text=True, timeout=120, **kw)


def headless_env() -> dict[str, str]:
    """The environment of a fresh machine: no display, no backend chosen."""
    hidden = ("MPLBACKEND", "DISPLAY", "WAYLAND_DISPLAY")
    return {k: v for k, v in os.environ.items() if k not in hidden}


def listing(folder: Path) -> list[str]:
    """Every name in *folder*, hidden ones too, sorted."""
    return sorted(p.name for p in folder.iterdir())


def layout_problems(fig: Any) -> list[str]:
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
    edge, problems = fig.bbox.padded(0.5), []  # half a pixel, for rounding
    for artist in [*texts, *legends]:
        box = artist.get_window_extent()
        if not (
            edge.x0 <= box.x0
            and box.x1 <= edge.x1
            and edge.y0 <= box.y0 <= box.y1 <= edge.y1
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
        scale = np.log10 if ax.get_yscale() == "log" else np.asarray
        low, high = scale(sorted(ax.get_ylim()))
        if heights and np.ptp(scale(heights)) < (high - low) / 2:
            problems.append(f"a flattened plot: {ax.get_title()}")
    return problems


def axes_share(fig: Any, direction: str = "area") -> float:
    """The share of *fig* that its plots take, drawn: of its area or its height."""
    fig.draw_without_rendering()
    whole, boxes = fig.bbox, [ax.bbox for ax in fig.axes]
    if direction == "height":
        return float(max(b.y1 for b in boxes) - min(b.y0 for b in boxes)) / whole.height
    return float(sum(b.width * b.height for b in boxes)) / (whole.width * whole.height)
