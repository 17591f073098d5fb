"""Helpers for the tests: the oracle, figure comparison, running the script."""

from __future__ import annotations

import ast
import functools
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "plot_nabla_magnitudes.py"
PROG = "plot_nabla_magnitudes.py"

# The oracle: the original script's figure code, as it stood (after its
# import of pyplot), and the three lists it plotted.
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
ORIGINAL_PLOTTED = tuple(
    ast.literal_eval(node.value)
    for node in ast.parse(ORIGINAL_SCRIPT).body
    if isinstance(node, ast.Assign)  # nw1, nw2 and nw3
)


def pixels(fig: Any) -> tuple[tuple[int, int], bytes]:
    """The size and the RGBA pixels of *fig*, rendered by Agg at its own dpi."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="rgba")
    width, height = fig.bbox.size
    return (round(width), round(height)), buffer.getvalue()


def run_python(
    *args: str, cwd: Path, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` in *cwd*, capturing its output as text."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
        **kwargs,
    )


def run_script(
    *args: str, cwd: Path, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run ``python plot_nabla_magnitudes.py ARGS`` in *cwd*, as a shell would."""
    return run_python(str(SCRIPT), *args, cwd=cwd, env=env, **kwargs)


class Launched:
    """``python ARGS``, started at once in a folder of its own, so that a slow
    whole-process run goes on beside the other tests; its result when asked."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="pnm-"))
        self.process = subprocess.Popen(
            [sys.executable, *args],
            cwd=self.folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    @functools.cached_property
    def result(self) -> subprocess.CompletedProcess[str]:
        out, err = self.process.communicate(timeout=180)
        return subprocess.CompletedProcess(
            self.process.args, self.process.returncode, out, err
        )


def headless_env() -> dict[str, str]:
    """The environment of a fresh machine: no display, no backend chosen."""
    hidden = ("MPLBACKEND", "DISPLAY", "WAYLAND_DISPLAY")
    return {k: v for k, v in os.environ.items() if k not in hidden}


def with_stand_in(folder: Path, package: str, source: str) -> dict[str, str]:
    """An environment where *package* is found first in *folder*/site, as a
    module of *source* alone."""
    site = folder / "site"
    (site / package).mkdir(parents=True)
    (site / package / "__init__.py").write_text(source)
    return {**os.environ, "PYTHONPATH": str(site)}


def listing(folder: Path) -> list[str]:
    """Every name in *folder*, hidden ones too, sorted."""
    return sorted(p.name for p in folder.iterdir())


def layout_problems(fig: Any) -> list[str]:
    """What is wrong with *fig*'s layout, as drawn: anything cut off at its
    edges, a legend over a plot or a text or in type under 6 points, two
    plots' titles that overlap, a first plot of a row without y labels."""
    from matplotlib.text import Text

    fig.draw_without_rendering()
    problems = []
    drawn = fig.get_tightbbox()
    width, height = fig.get_size_inches()
    slack = 0.5 / fig.dpi  # half a pixel, for rounding
    if not (-slack <= drawn.x0 and drawn.x1 <= width + slack) or not (
        -slack <= drawn.y0 and drawn.y1 <= height + slack
    ):
        problems.append(f"cut off: {drawn} in {width}x{height} inches")
    texts = [t for t in fig.texts if t.get_text()]
    texts += [t for t in fig.findobj(Text) if t.get_text() and t.axes is None]
    first_of_row = {}
    for ax in fig.axes:
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label]
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            texts += [
                tick.label1
                for tick in axis.get_major_ticks()
                if low <= tick.get_loc() <= high and tick.label1.get_visible()
            ]
        row = round(ax.get_position().y0, 3)
        if ax.get_position().x0 < first_of_row.get(row, (2, None))[0]:
            first_of_row[row] = (ax.get_position().x0, ax)
    texts = [t for t in texts if t.get_visible() and t.get_text()]
    for _, ax in first_of_row.values():
        low, high = sorted(ax.get_ylim())
        labelled = [
            t
            for t in ax.yaxis.get_major_ticks()
            if low <= t.get_loc() <= high
            and t.label1.get_visible()
            and t.label1.get_text()
        ]
        if len(labelled) < 2:
            problems.append(f"no y labels on the first plot of a row: {ax.get_title()}")
    for legend in fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]:
        box = legend.get_window_extent()
        own = {*legend.get_texts(), legend.get_title()}
        if any(
            ax.bbox.overlaps(box) for ax in fig.axes if ax.get_legend() is not legend
        ):
            problems.append("a legend over a plot")
        over = [
            t.get_text()
            for t in texts
            if t not in own and t.get_window_extent().overlaps(box)
        ]
        if over:
            problems.append(f"a legend over {over}")
        if min(t.get_fontsize() for t in legend.get_texts()) < 6:
            problems.append("a legend's type under 6 points")
    titles = [ax.title.get_window_extent() for ax in fig.axes if ax.get_title()]
    if any(a.overlaps(b) for i, a in enumerate(titles) for b in titles[i + 1 :]):
        problems.append("titles that overlap")
    return problems
