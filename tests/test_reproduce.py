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
from support import PROG, ROOT, SCRIPT, in_background, listing, run_script

import plot_nabla_magnitudes as pnm

DATA = ROOT / "data"
IMAGES = "train-images-first-1000-idx3-ubyte.gz"
LABELS = "train-labels-first-1000-idx1-ubyte.gz"


# -- The data ----------------------------------------------------------------


def test_the_shipped_data_is_mnist_s_first_thousand_scaled_as_in_2013() -> None:
    # The facts REPRODUCTION.md gives for these files.
    images, targets = pnm._load_mnist()
    labels = targets.argmax(axis=1)
    assert images.shape == (1000, 784)
    assert list(labels[:20]) == [
        5,
        0,
        4,
        1,
        9,
        2,
        1,
        3,
        1,
        4,
        3,
        5,
        3,
        6,
        1,
        7,
        2,
        8,
        6,
        9,
    ]
    assert list(np.bincount(labels)) == [97, 116, 99, 93, 105, 92, 94, 117, 87, 100]
    first = images[0][images[0] > 0][:7]
    assert list(first) == [value / 256 for value in (3, 18, 18, 18, 126, 136, 175)]


def idx(magic: int, dims: tuple[int, ...], records: bytes) -> bytes:
    return (
        magic.to_bytes(4, "big")
        + b"".join(d.to_bytes(4, "big") for d in dims)
        + records
    )


def shipped(name: str) -> bytes:
    return gzip.decompress((DATA / name).read_bytes())


def truncated(folder: Path) -> None:
    data = (folder / IMAGES).read_bytes()
    (folder / IMAGES).write_bytes(data[: len(data) // 2])


def altered(folder: Path) -> None:
    raw = bytearray(shipped(IMAGES))
    raw[5000] ^= 0xFF
    (folder / IMAGES).write_bytes(gzip.compress(compresslevel=1, data=bytes(raw)))


def not_idx(folder: Path) -> None:
    (folder / IMAGES).write_bytes(
        gzip.compress(compresslevel=1, data=b"<html>Not found</html>" * 100)
    )


def wrong_size(folder: Path) -> None:
    raw = shipped(IMAGES)
    (folder / IMAGES).write_bytes(
        gzip.compress(compresslevel=1, data=idx(0x803, (1000, 28, 27), raw[16:-1000]))
    )


def too_few(folder: Path) -> None:
    raw = shipped(LABELS)
    (folder / LABELS).write_bytes(
        gzip.compress(compresslevel=1, data=idx(0x801, (999,), raw[8:-1]))
    )


def overlong(folder: Path) -> None:
    (folder / IMAGES).unlink()
    raw = shipped(IMAGES) + bytes(784)  # a record more than its header says
    (folder / IMAGES.removesuffix(".gz")).write_bytes(raw)


def oversized(folder: Path) -> None:
    (folder / IMAGES).unlink()
    with open(folder / IMAGES.removesuffix(".gz"), "wb") as huge:
        huge.truncate(2**27)  # a sparse file of 128 MiB


def fifo(folder: Path) -> None:
    (folder / IMAGES).unlink()
    os.mkfifo(folder / IMAGES)  # which no one writes


def missing(folder: Path) -> None:
    (folder / LABELS).unlink()


@pytest.mark.parametrize(
    ("spoil", "file", "problem"),
    [
        (missing, LABELS, "cannot read {!r}: No such file or directory"),
        (
            truncated,
            IMAGES,
            "{!r}: not a whole gzip file (Compressed file ended before the "
            "end-of-stream marker was reached)",
        ),
        (
            altered,
            IMAGES,
            "{!r}: not MNIST's first 1000 training images (its checksum differs)",
        ),
        (not_idx, IMAGES, "{!r}: not an IDX file of MNIST's images"),
        (wrong_size, IMAGES, "{!r}: images of [28, 27], not MNIST's [28, 28]"),
        (too_few, LABELS, "{!r}: 999 labels, and 1000 are needed"),
        (
            overlong,
            IMAGES.removesuffix(".gz"),
            "{!r}: cut short or overlong: 784784 bytes of images where its "
            "header says 784000",
        ),
        (
            oversized,
            IMAGES.removesuffix(".gz"),
            "{!r}: larger than any of MNIST's files",
        ),
        pytest.param(
            fifo,
            IMAGES,
            "{!r}: not a file",
            marks=pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs"),
        ),
    ],
)
def test_a_data_file_that_is_not_right_is_named_and_nothing_is_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    spoil: object,
    file: str,
    problem: str,
) -> None:
    folder = tmp_path / "mnist"
    shutil.copytree(DATA, folder)
    spoil(folder)  # type: ignore[operator]
    monkeypatch.chdir(tmp_path)
    assert pnm.main(["--reproduce", "1", "--data", "mnist", "-o", "r.png"]) == 1
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"{PROG}: error: {problem.format(f'mnist/{file}')}\n")
    assert listing(tmp_path) == ["mnist"]


def test_mnist_s_own_files_gzipped_or_not_serve_as_well(tmp_path: Path) -> None:
    # The full training files have 60,000 records; these stand-ins have one
    # more than the shipped ones, uncompressed: the first 1,000 are taken.
    images, labels = shipped(IMAGES), shipped(LABELS)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(
        idx(0x803, (1001, 28, 28), images[16:] + bytes(784))
    )
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(
        idx(0x801, (1001,), labels[8:] + b"\x07")
    )
    first, second = pnm._load_mnist(tmp_path), pnm._load_mnist()
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])


# -- The training, checked against the algorithm itself --------------------------


def per_example_norms(seed: int) -> np.ndarray:
    """The record's algorithm as REPRODUCTION.md states it, example by example,
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
                run = where[0]
                values[where] += step
                up = cost(weights, biases)[run]
                values[where] -= 2 * step
                down = cost(weights, biases)[run]
                values[where] += step
                assert analytic[layer][where] == pytest.approx(
                    (up - down) / (2 * step), rel=1e-5, abs=1e-7
                )


# -- What the runs say ------------------------------------------------------------


@in_background
def three_hundred_runs(folder: Path) -> subprocess.CompletedProcess[str]:
    """The record's training, 300 times, from the command line, as CSV."""
    return run_script("--csv", "--reproduce", "300", cwd=folder)


@pytest.fixture(scope="module")
def runs(three_hundred_runs: subprocess.CompletedProcess[str]) -> np.ndarray:
    rows = [line.split(",") for line in three_hundred_runs.stdout.splitlines()[1:]]
    return np.array([[float(v) for v in row[3:]] for row in rows]).reshape(300, 10, 6)


def test_300_runs_as_csv_a_row_per_run_and_mini_batch(
    three_hundred_runs: subprocess.CompletedProcess[str], runs: np.ndarray
) -> None:
    header, *rows = three_hundred_runs.stdout.splitlines()
    assert (
        header == "run,seed,mini_batch,layer_1,layer_2,layer_3,layer_4,layer_5,layer_6"
    )
    assert [row.split(",")[:3] for row in rows[:11]] == [
        *([["1", "0", str(b)] for b in range(1, 11)]),
        ["2", "1", "1"],
    ]
    assert len(rows) == 3000
    # Not a terminal: no progress shown.
    assert (three_hundred_runs.returncode, three_hundred_runs.stderr) == (0, "")
    # Any run redone alone gives its numbers, bit for bit.
    for run in (0, 157, 299):
        assert np.array_equal(pnm.reproduce(1, seed=run)[0], runs[run])


def growth(norms: np.ndarray) -> np.ndarray:
    """Growth per hidden layer over the ten mini-batches: the geometric mean
    of (layer 5 / layer 2) ** (1/3), as REPRODUCTION.md measures it."""
    return np.exp(np.log(norms[..., 4] / norms[..., 1]).mean(axis=-1) / 3)


def test_the_record_lies_within_the_middle_of_300_runs(runs: np.ndarray) -> None:
    agreement = pnm.agreement(runs)
    low, high = np.percentile(runs, [5, 95], axis=0)
    recorded = np.array(pnm.NABLA_W_NORMS)
    inside = ((low <= recorded) & (recorded <= high)).sum()
    assert (agreement.runs, agreement.left_out, agreement.values) == (300, 0, 60)
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
    assert pnm.agreement(runs).growth_median == pytest.approx(growth, abs=0.25)


def test_the_same_arguments_give_the_same_numbers_bit_for_bit() -> None:
    first = pnm.reproduce(5, seed=7, activation="tanh")
    assert np.array_equal(first, pnm.reproduce(5, seed=7, activation="tanh"))
    assert not np.array_equal(first[0], pnm.reproduce(1, seed=8, activation="tanh")[0])


def test_runs_that_diverge_are_left_out_and_said_so() -> None:
    runs = pnm.reproduce(12, activation="relu")
    diverged = ~np.isfinite(runs).all(axis=(1, 2))
    assert diverged.any()
    agreement = pnm.agreement(runs)
    assert agreement.left_out >= diverged.sum()
    assert agreement.runs + agreement.left_out == 12
    assert f"{agreement.left_out} of 12 runs left out" in str(agreement)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"runs": 0}, "runs must be from 1 to 10000, not 0"),
        ({"runs": 10_001}, "runs must be from 1 to 10000, not 10001"),
        ({"seed": -1}, "seed must not be negative, not -1"),
        (
            {"init": "xavier"},
            "init must be one of backprop2, fan-in, standard, not 'xavier'",
        ),
        (
            {"activation": "gelu"},
            "activation must be one of sigmoid, tanh, relu, not 'gelu'",
        ),
    ],
)
def test_reproduce_refuses_what_it_cannot_do(
    arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        pnm.reproduce(**arguments)  # type: ignore[arg-type]


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
        assert ax.get_title() == f"mini-batch {batch}"
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
        "median of 300 runs",
        "5\u201395 % of 300 runs",
    ]


def test_bands_on_one_axes_are_drawn_as_on_a_panel(runs: np.ndarray) -> None:
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    pnm.draw(ax, (7, 9), reproduced=runs, legend=True)
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == [
        "5\u201395 % of 300 runs",
        "median of 300 runs",
        "mini-batch 7",
        "mini-batch 9",
    ]


def test_reproduce_without_a_number_trains_100_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = []

    def spy(runs: int, **options: object) -> np.ndarray:
        asked.append(runs)
        return np.ones((runs, 10, 6))

    monkeypatch.setattr(pnm, "reproduce", spy)
    assert pnm.main(["--csv", "--reproduce"]) == 0
    assert asked == [100]
    assert len(capsys.readouterr().out.splitlines()) == 1 + 100 * 10


def test_the_command_line_draws_the_runs_and_says_how_they_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    drawn = []
    real = pnm.make_figure
    monkeypatch.setattr(
        pnm, "make_figure", lambda *a, **k: drawn.append(k) or real(*a, **k)
    )
    monkeypatch.chdir(tmp_path)
    args = ["--reproduce", "3", "--seed", "4", "--init", "fan-in", "--log"]
    assert pnm.main([*args, "-o", "r.png"]) == 0
    ((kwargs),) = drawn
    assert np.array_equal(kwargs["reproduced"], pnm.reproduce(3, seed=4, init="fan-in"))
    assert kwargs["log"] is True
    summary = pnm.agreement(kwargs["reproduced"])
    assert capsys.readouterr().out == f"{summary}\nr.png\n"
    assert listing(tmp_path) == ["r.png"]


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
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["--reproduce", "2", "--init", "standard", "--activation", "relu"]
    assert pnm.main([*args, "-o", "r.png"]) == 1
    assert capsys.readouterr() == (
        "",
        f"{PROG}: error: none of the 2 runs trained to the end with every norm "
        "finite and positive\n",
    )
    assert listing(tmp_path) == []


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["--style", "nosuch", "-o", "r.png"], 2),
        (["--title", "$\\nosuch$", "-o", "r.png"], 2),
        (["-o", "missing/r.png"], 1),
        (["--dpi", "5000", "-o", "r.png"], 1),
    ],
)
def test_what_can_be_checked_at_once_is_checked_before_the_training(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    status: int,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pnm, "reproduce", lambda *a, **k: pytest.fail("trained"))
    assert pnm.main(["--reproduce", "10000", *args]) == status
    assert capsys.readouterr().err.count("error:") == 1
    assert listing(tmp_path) == []


# -- Progress, and Ctrl-C ------------------------------------------------------


@in_background
def interrupted_training(folder: Path) -> tuple[int | None, str, str]:
    """A long training with standard error on a terminal, stopped by Ctrl-C
    once it shows progress. (As CSV: the training is the same, without the
    cost of importing matplotlib.)"""
    if sys.platform == "win32":
        return None, "", ""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--csv", "--reproduce", "10000"],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    seen, printed = b"", b""
    try:
        deadline = time.monotonic() + 60
        while b"of 10000 runs" not in seen and time.monotonic() < deadline:
            if select.select([leader], [], [], 1)[0]:
                seen += os.read(leader, 1024)
        process.send_signal(signal.SIGINT)
        printed, _ = process.communicate(timeout=60)
        while select.select([leader], [], [], 0.5)[0]:
            seen += os.read(leader, 1024)
    except OSError:  # the terminal closes with the process
        pass
    finally:
        process.kill()
        os.close(leader)
    return process.returncode, seen.decode(), printed.decode()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")
def test_progress_shows_on_a_terminal_and_ctrl_c_stops_cleanly(
    interrupted_training: tuple[int, str, str],
) -> None:
    status, terminal, printed = interrupted_training
    assert status == 130
    assert re.fullmatch(r"(\rtraining: [0-9]+ of 10000 runs)+\r\n", terminal)
    assert "Traceback" not in terminal
    assert printed == ""
