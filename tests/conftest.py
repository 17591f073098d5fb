"""Test set-up: no windows, one BLAS thread, the original figure, the runs."""

import os

import pytest
from support import ORIGINAL_SCRIPT

# No windows unless a test says so, in subprocesses too; one BLAS thread each,
# as whole processes run beside the tests and threads that spin would fight.
os.environ["MPLBACKEND"] = "agg"
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


@pytest.fixture
def original_figure(monkeypatch):
    """The original script's figure, drawn by the original code, with pyplot."""
    import matplotlib.pyplot as plt

    plt.close("all")  # it draws into pyplot's current figure
    monkeypatch.setattr(plt, "show", lambda: None)
    exec(ORIGINAL_SCRIPT, {})
    return plt.gcf()


@pytest.fixture(scope="session")
def runs():
    """The record's training, 40 times."""
    import plot_nabla_magnitudes as pnm

    return pnm.reproduce(40)


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    """A new, empty working folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
