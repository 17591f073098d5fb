"""Helpers for the tests: the oracle, figure comparison, running the script."""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

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


# Whole-process runs that start with the session (see conftest.py), by name.
BACKGROUND: dict[str, Callable[[Path], object]] = {}


def in_background(run: Callable[[Path], T]) -> Any:
    """Make *run* (given a folder of its own) start with the session.

    A test takes its result through the fixture of the same name; runs that
    no selected test needs do not start.
    """
    BACKGROUND[run.__name__] = run

    @pytest.fixture(name=run.__name__, scope="session")
    def result(_background_runs: dict[str, Any]) -> T:
        return _background_runs[run.__name__].result()  # type: ignore[no-any-return]

    return result
