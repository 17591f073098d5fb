"""Test set-up: the project on the path, no windows, the original figure, and
whole-process runs that go on beside the other tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

# Plain `pytest` (not `python -m pytest`) does not put the project on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from support import BACKGROUND, ORIGINAL_SCRIPT

# Never open a window, on whatever machine the tests run; subprocesses inherit
# this unless a test says otherwise.
os.environ["MPLBACKEND"] = "agg"
# The suite runs whole processes beside its own tests: one thread each for
# numpy's linear algebra keeps them from fighting over the cores, which
# costs a BLAS that spins while it waits dearly.
for threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(threads, "1")


@pytest.fixture
def original_figure(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The original script's figure, drawn by the original code, with pyplot."""
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda: None)
    exec(ORIGINAL_SCRIPT, {})
    fig = plt.gcf()
    yield fig
    plt.close(fig)


@pytest.fixture(autouse=True)
def _no_figures_left_open() -> Iterator[None]:
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that take a whole-process run's result go last, in their order:
    the others run meanwhile, and the results are ready when they are needed."""
    items.sort(
        key=lambda item: any(
            name in BACKGROUND for name in getattr(item, "fixturenames", ())
        )
    )


@pytest.fixture(scope="session", autouse=True)
def _background_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[object]]]:
    """Start the whole-process runs that the selected tests need, one after
    another, beside the in-process tests.

    Whole processes spend much of their time importing and waiting; run on
    the core that the in-process tests leave free, they cost little. One at
    a time: two at once would leave the in-process tests less than a core.
    What a run imports in this process, its module imports first: an import
    in a background thread can race with the same import in a test.
    """
    needed = {
        name
        for item in request.session.items
        for name in getattr(item, "fixturenames", ())
        if name in BACKGROUND
    }
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield {
            name: pool.submit(run, tmp_path_factory.mktemp(name))
            for name, run in BACKGROUND.items()
            if name in needed
        }
