"""The re-derivation: the network trained again as the record was made, and
how the record sits among the runs."""

from __future__ import annotations

import gzip
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from support import PROG, ROOT, SCRIPT, Launched, listing

import plot_nabla_magnitudes as pnm

DATA = ROOT / "data"
IMAGES = "train-images-first-1000-idx3-ubyte.gz"
LABELS = "train-labels-first-1000-idx1-ubyte.gz"
# The record's training from the command line, as many times as it does by
# default (100), as CSV.
HUNDRED_RUNS = Launched(str(SCRIPT), "--csv", "--reproduce")


@pytest.fixture(scope="module")
def runs() -> np.ndarray:
    result = HUNDRED_RUNS.result
    assert (result.returncode, result.stderr) == (0, "")  # no terminal: no progress
    rows = [line.split(",") for line in result.stdout.splitlines()[1:]]
    return np.array([[float(v) for v in row[3:]] for row in rows]).reshape(100, 10, 6)


# -- The data ----------------------------------------------------------------


def test_the_shipped_data_is_mnist_s_first_thousand_scaled_as_in_2013() -> None:
    # The facts that the README gives for these files.
    images, targets = pnm._load_mnist()
    labels = targets.argmax(axis=1)
    assert images.shape == (1000, 784)
    assert "".join(map(str, labels[:20])) == "50419213143536172869"
    assert list(np.bincount(labels)) == [97, 116, 99, 93, 105, 92, 94, 117, 87, 100]
    first = images[0][images[0] > 0][:7]
    assert list(first) == [value / 256 for value in (3, 18, 18, 18, 126, 136, 175)]


def shipped(name: str) -> bytes:
    return gzip.decompress((DATA / name).read_bytes())


def idx(magic: int, dims: tuple[int, ...], records: bytes) -> bytes:
    header = b"".join(n.to_bytes(4, "big") for n in (magic, *dims))
    return header + records


def missing(folder: Path) -> None:
    (folder / LABELS).unlink()


def truncated(folder: Path) -> None:
    data = (folder / IMAGES).read_bytes()
    (folder / IMAGES).write_bytes(data[: len(data) // 2])


def altered(folder: Path) -> None:
    raw = bytearray(shipped(IMAGES))
    raw[5000] ^= 0xFF
    (folder / IMAGES).write_bytes(gzip.compress(bytes(raw)))


def not_mnist(folder: Path) -> None:
    (folder / IMAGES).write_bytes(gzip.compress(b"<html>Not found</html>" * 100))


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (missing, f"cannot read 'mnist/{LABELS}': No such file or directory"),
        (truncated, f"'mnist/{IMAGES}': not a whole gzip file (Compressed file ended"),
        (altered, f"'mnist/{IMAGES}': not MNIST's training images, or cut short"),
        (not_mnist, f"'mnist/{IMAGES}': not MNIST's training images, or cut short"),
    ],
)
def test_a_data_file_that_is_not_right_is_named_and_nothing_is_written(
    cwd: Path, capsys: pytest.CaptureFixture[str], spoil: object, problem: str
) -> None:
    shutil.copytree(DATA, cwd / "mnist")
    spoil(cwd / "mnist")  # type: ignore[operator]
    assert pnm.main(["--reproduce", "1", "--data", "mnist", "-o", "r.png"]) == 1
    out, err = capsys.readouterr()
    assert (out, err.count("\n")) == ("", 1)
    assert err.startswith(f"{PROG}: error: {problem}")
    assert listing(cwd) == ["mnist"]


def test_mnist_s_own_files_gzipped_or_not_serve_as_well(tmp_path: Path) -> None:
    # The full training files have 60,000 records; these stand-ins have one
    # more than the shipped ones: the first 1,000 are taken.
    images, labels = shipped(IMAGES), shipped(LABELS)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(
        idx(0x803, (1001, 28, 28), images[16:] + bytes(784))
    )
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(
        gzip.compress(idx(0x801, (1001,), labels[8:] + b"\x07"))
    )
    assert np.array_equal(pnm.reproduce(2, data=tmp_path), pnm.reproduce(2))


# -- The training, checked against the algorithm itself --------------------------


def per_example_norms(seed: int) -> np.ndarray:
    """The record's algorithm as the README states it, example by example,
    the book's way round: columns for activations, weights y by x."""
    weights, biases, order = pnm._initial_network(seed, "backprop2")
    biases = [b.reshape(-1, 1) for b in biases]
    images, targets = pnm._load_mnist()
    eta, lmbda, size, total = 0.01, 0.05, 100, 1000
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    norms = np.empty((10, 6))
    for k in range(10):
        nabla_w = [np.zeros_like(w) for w in weights]
        nabla_b = [np.zeros_like(b) for b in biases]
        for example in order[k * size : (k + 1) * size]:
            a = images[example].reshape(-1, 1)
            activations = [a]
            for w, b in zip(weights, biases):
                a = sigmoid(w @ a + b)
                activations.append(a)
            delta = activations[-1] - targets[example].reshape(-1, 1)
            for layer in range(5, -1, -1):
                nabla_w[layer] += delta @ activations[layer].T
                nabla_b[layer] += delta
                if layer:
                    a = activations[layer]
                    delta = (weights[layer].T @ delta) * a * (1 - a)
        norms[k] = [np.linalg.norm(nw) for nw in nabla_w]
        weights = [
            w - eta * (nw + (lmbda * size / total) * w)
            for w, nw in zip(weights, nabla_w)
        ]
        biases = [b - eta * nb for b, nb in zip(biases, nabla_b)]
    return norms


def test_the_vectorised_training_is_the_per_example_algorithm() -> None:
    (vectorised,) = pnm.reproduce(1, seed=5)
    np.testing.assert_allclose(vectorised, per_example_norms(5), rtol=1e-12, atol=0)


@pytest.mark.parametrize("activation", pnm.ACTIVATIONS)
def test_the_gradients_are_the_cost_s_derivatives(activation: str) -> None:
    # Two small networks at once, 5-4-3-2, on three examples; central
    # differences of the summed cross-entropy cost, computed here.
    rng = np.random.default_rng(1)
    sizes = (5, 4, 3, 2)
    weights = [rng.normal(size=(2, x, y)) for x, y in zip(sizes, sizes[1:])]
    biases = [rng.normal(size=(2, 1, y)) for y in sizes[1:]]
    inputs = rng.random((2, 3, 5))
    targets = np.eye(2)[rng.integers(0, 2, size=(2, 3))]
    hidden = {
        "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
        "tanh": np.tanh,
        "relu": lambda z: np.maximum(z, 0),
    }[activation]

    def cost(weights: list[np.ndarray], biases: list[np.ndarray]) -> np.ndarray:
        a = inputs
        for layer, (w, b) in enumerate(zip(weights, biases)):
            z = a @ w + b
            a = 1 / (1 + np.exp(-z)) if layer == len(weights) - 1 else hidden(z)
        return (-targets * np.log(a) - (1 - targets) * np.log(1 - a)).sum(axis=(1, 2))

    nabla_w, nabla_b = pnm._gradients(
        [w.copy() for w in weights],
        [b.copy() for b in biases],
        inputs,
        targets,
        activation,
    )
    step = 1e-6
    for params, analytic in [(weights, nabla_w), (biases, nabla_b)]:
        for layer, values in enumerate(params):
            for where in np.ndindex(values.shape):
                values[where] += step
                up = cost(weights, biases)[where[0]]
                values[where] -= 2 * step
                down = cost(weights, biases)[where[0]]
                values[where] += step
                assert analytic[layer][where] == pytest.approx(
                    (up - down) / (2 * step), rel=1e-5, abs=1e-7
                )


# -- What the runs say ------------------------------------------------------------


def test_100_runs_by_default_as_csv_a_row_per_run_and_mini_batch(
    runs: np.ndarray,
) -> None:
    header, *rows = HUNDRED_RUNS.result.stdout.splitlines()
    assert header == "run,seed,mini_batch," + ",".join(
        f"layer_{n}" for n in range(1, 7)
    )
    assert [row.split(",")[:3] for row in rows[:11]] == [
        *([["1", "0", str(b)] for b in range(1, 11)]),
        ["2", "1", "1"],
    ]
    assert len(rows) == 1000
    # Any run redone alone gives its numbers, bit for bit.
    for run in (0, 57, 99):
        assert np.array_equal(pnm.reproduce(1, seed=run)[0], runs[run])


def growth(norms: np.ndarray) -> np.ndarray:
    """Growth per hidden layer over the ten mini-batches: the geometric mean
    of (layer 5 / layer 2) ** (1/3), as the README measures it."""
    return np.exp(np.log(norms[..., 4] / norms[..., 1]).mean(axis=-1) / 3)


def test_the_record_lies_within_the_middle_of_100_runs(runs: np.ndarray) -> None:
    agreement = pnm.Agreement(runs.tolist())  # any array-like
    low, high = np.percentile(runs, [5, 95], axis=0)
    recorded = np.array(pnm.NABLA_W_NORMS)
    inside = ((low <= recorded) & (recorded <= high)).sum()
    assert (agreement.runs, agreement.left_out, agreement.values) == (100, 0, 60)
    assert agreement.inside == inside >= 50
    assert agreement.growth == pytest.approx(growth(recorded), rel=1e-12)
    assert round(agreement.growth, 2) == 4.02
    assert agreement.growth_median == pytest.approx(np.median(growth(runs)))
    band = np.percentile(growth(runs), [5, 95])
    assert agreement.growth_band == pytest.approx(tuple(band))
    assert band[0] < agreement.growth < band[1]


@pytest.mark.parametrize(("init", "growth"), [("fan-in", 4.9), ("standard", 1.8)])
def test_other_initialisations_change_the_growth_per_layer(
    init: str, growth: float
) -> None:
    runs = pnm.reproduce(20, init=init, seed=1000)
    assert pnm.Agreement(runs).growth_median == pytest.approx(growth, abs=0.25)


def test_the_same_arguments_give_the_same_numbers_bit_for_bit() -> None:
    first = pnm.reproduce(5, seed=7, activation="tanh")
    assert np.array_equal(first, pnm.reproduce(5, seed=7, activation="tanh"))
    assert not np.array_equal(first[0], pnm.reproduce(1, seed=8, activation="tanh")[0])


def test_runs_that_diverge_are_left_out_and_said_so() -> None:
    runs = pnm.reproduce(12, activation="relu")
    diverged = ~np.isfinite(runs).all(axis=(1, 2))
    assert diverged.any()
    agreement = pnm.Agreement(runs)
    assert agreement.left_out >= diverged.sum()
    assert agreement.runs + agreement.left_out == 12
    assert f"{agreement.left_out} of 12 runs left out" in str(agreement)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"runs": 0}, ValueError, "runs must be from 1 to 10000, not 0"),
        ({"runs": 10_001}, ValueError, "runs must be from 1 to 10000, not 10001"),
        ({"runs": True}, TypeError, "runs must be a whole number, not True"),
        ({"runs": 2.0}, TypeError, "runs must be a whole number, not 2.0"),
        ({"seed": -1}, ValueError, "seed must not be negative, not -1"),
        ({"seed": True}, TypeError, "seed must be a whole number, not True"),
        ({"init": "xavier"}, ValueError, "init must be one of backprop2, fan-in, st"),
        ({"activation": "gelu"}, ValueError, "activation must be one of sigmoid, ta"),
    ],
)
def test_reproduce_refuses_what_it_cannot_do(
    arguments: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        pnm.reproduce(**arguments)  # type: ignore[arg-type]


def test_agreement_refuses_what_is_not_runs() -> None:
    with pytest.raises(ValueError, match="reproduced must be numbers of the shape"):
        pnm.Agreement([[1.0]])


# -- The figure -----------------------------------------------------------------


@pytest.mark.parametrize(("batches", "log"), [((7, 8, 9), False), (range(1, 11), True)])
def test_each_mini_batch_gets_a_panel_where_its_line_lies_over_its_own_band(
    runs: np.ndarray, batches: range, log: bool
) -> None:
    fig = pnm.make_figure(batches, reproduced=runs, log=log, legend=True, title="T")
    assert fig.get_suptitle() == "T"
    assert len(fig.axes) == len(batches)
    rows = {ax.get_subplotspec().rowspan.start for ax in fig.axes}
    assert len(rows) == (1 if len(fig.axes) <= 4 else 2)
    for ax, batch in zip(fig.axes, batches):
        assert ax.get_title() in (f"mini-batch {batch}", str(batch))
        (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
        median, recorded = ax.get_lines()
        low, middle, high = np.percentile(runs[:, batch - 1, 1:-1], [5, 50, 95], axis=0)
        edges = band.get_paths()[0].vertices[:, 1]
        assert set(low) <= set(edges) and set(high) <= set(edges)
        assert list(median.get_ydata()) == list(middle)
        assert tuple(recorded.get_ydata()) == pnm.hidden_layer_norms(batch)
        assert recorded.get_marker() == "o" and median.get_linestyle() == "--"
        colour = to_rgba(recorded.get_color())
        assert to_rgba(median.get_color()) == colour
        assert to_rgba(band.get_facecolor()[0])[:3] == colour[:3]
        assert ax.get_yscale() == ("log" if log else "linear")
        assert ax.get_shared_y_axes().joined(ax, fig.axes[0])
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "recorded in 2013",
        "median of 100 runs",
        "5\u201395 % of 100 runs",
    ]


def test_bands_on_one_axes_are_drawn_as_on_a_panel(runs: np.ndarray) -> None:
    ax = Figure().add_subplot()
    pnm.draw(ax, (7, 9), reproduced=runs, legend=True)
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "5\u201395 % of 100 runs",
        "median of 100 runs",
        "mini-batch 7",
        "mini-batch 9",
    ]


def test_the_command_line_draws_the_runs_and_says_how_they_agree(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    drawn = []
    real = pnm.make_figure
    monkeypatch.setattr(
        pnm, "make_figure", lambda *a, **k: drawn.append(k) or real(*a, **k)
    )
    args = ["--reproduce", "3", "--seed", "4", "--init", "fan-in", "--log"]
    assert pnm.main([*args, "-o", "r.png"]) == 0
    reproduced = drawn[-1]["reproduced"]
    assert np.array_equal(reproduced, pnm.reproduce(3, seed=4, init="fan-in"))
    assert drawn[-1]["log"] is True
    assert capsys.readouterr().out == f"{pnm.Agreement(reproduced)}\nr.png\n"
    assert listing(cwd) == ["r.png"]


def test_the_runs_as_csv_of_chosen_mini_batches_diverged_or_not(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--csv", "--reproduce", "2", "--init", "standard", "--activation", "relu"]
    assert pnm.main([*args, "--batches", "9", "7"]) == 0
    _, *rows = capsys.readouterr().out.splitlines()
    runs = pnm.reproduce(2, init="standard", activation="relu")
    assert [row.split(",")[:3] for row in rows] == [
        ["1", "0", "7"],
        ["1", "0", "9"],
        ["2", "1", "7"],
        ["2", "1", "9"],
    ]
    values = np.array([[float(v) for v in row.split(",")[3:]] for row in rows])
    assert np.array_equal(values, runs[:, [6, 8]].reshape(4, 6), equal_nan=True)


def test_with_no_run_to_compare_the_record_with_nothing_is_drawn(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--reproduce", "2", "--init", "standard", "--activation", "relu"]
    assert pnm.main([*args, "-o", "r.png"]) == 1
    assert capsys.readouterr() == (
        "",
        f"{PROG}: error: none of the 2 runs trained to the end with every norm "
        "finite and positive\n",
    )
    assert listing(cwd) == []


@pytest.mark.parametrize(
    ("args", "status"),
    [(["--style", "nosuch", "-o", "r.png"], 2), (["-o", "missing/r.png"], 1)],
)
def test_what_can_be_checked_at_once_is_checked_before_the_training(
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    status: int,
) -> None:
    monkeypatch.setattr(pnm, "reproduce", lambda *a, **k: pytest.fail("trained"))
    assert pnm.main(["--reproduce", "10000", *args]) == status
    assert capsys.readouterr().err.count("error:") == 1
    assert listing(cwd) == []


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_progress_shows_on_a_terminal_and_a_stop_is_one_line_leaving_nothing(
    tmp_path: Path, signum: int
) -> None:
    # Ctrl-C, or a `timeout`, while it trains, with a file of the user's at
    # the output's path.
    import pty

    (tmp_path / "r.png").write_bytes(b"the user's own figure")
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--reproduce", "10000", "-o", "r.png"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    seen = b""
    try:
        deadline = time.monotonic() + 60
        while b"of 10000 runs" not in seen and time.monotonic() < deadline:
            if select.select([leader], [], [], 1)[0]:
                seen += os.read(leader, 1024)
        process.send_signal(signum)
        printed, _ = process.communicate(timeout=60)
        while select.select([leader], [], [], 0.5)[0]:
            seen += os.read(leader, 1024)
    except OSError:  # the terminal closes with the process
        pass
    finally:
        process.kill()
        os.close(leader)
    assert (process.returncode, printed) == (1, b"")
    assert re.fullmatch(
        rf"(\rtraining: [0-9]+ of 10000 runs)+\r\n{PROG}: error: stopped\r\n",
        seen.decode(),
    )
    assert listing(tmp_path) == ["r.png"]
    assert (tmp_path / "r.png").read_bytes() == b"the user's own figure"
