"""Test set-up: the project on the path, no windows, and the original figure."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Plain `pytest` (not `python -m pytest`) does not put the project on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Never open a window, on whatever machine the tests run; subprocesses inherit
# this unless a test says otherwise.
os.environ["MPLBACKEND"] = "agg"

from support import ORIGINAL_PLOTTED


@pytest.fixture
def original_figure() -> Iterator[object]:
    """The original script's figure, drawn the way it drew it, with pyplot."""
    import matplotlib.pyplot as plt

    fig = plt.figure()
    nw1, nw2, nw3 = ORIGINAL_PLOTTED
    plt.plot(range(1, 5), nw1, "ro-", range(1, 5), nw2, "go-", range(1, 5), nw3, "bo-")
    plt.xlabel("Layer $l$")
    plt.ylabel(r"$\Vert\nabla C^l_w\Vert$")
    plt.xticks([1, 2, 3, 4])
    yield fig
    plt.close(fig)


@pytest.fixture(autouse=True)
def _no_figures_left_open() -> Iterator[None]:
    import matplotlib.pyplot as plt

    yield
    plt.close("all")
