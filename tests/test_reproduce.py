"""Reproducing the record: the network trained again as the record was made, and
how the record sits among the runs."""

import contextlib
import gzip
import io
import os
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from support import PROG, ROOT, SCRIPT, growth, listing, pixels, png_pixels, run_script

import plot_nabla_magnitudes as pnm

IMAGES = "train-images-first-1000-idx3-ubyte.gz"
LABELS = "train-labels-first-1000-idx1-ubyte.gz"


def test_the_shipped_data_is_mnist_s_first_thousand_scaled_as_in_2013() -> None:
    # The facts that the README gives for these files.
    images, targets = pnm._load_mnist()
    labels = targets.argmax(axis=1)
    assert images.shape == (1000, 784)
    assert "".join(map(str, labels[:20])) == "50419213143536172869"
    assert list(np.bincount(labels)) == [97, 116, 99, 93, 105, 92, 94, 117, 87, 100]
    first = images[0][images[0] > 0][:7]
    assert list(first) == [value / 256 for value in (3, 18, 18, 18, 126, 136, 175)]


@pytest.mark.parametrize(
    ("name", "change", "problem"),
    [
        (LABELS, "missing", "no train-labels-first-1000-idx1-ubyte or train-labels-i"),
        (IMAGES, "cut short", "not a whole gzip"),
        (IMAGES, "altered", "not MNIST's training"),
    ],
)
def test_a_data_file_missing_cut_short_or_altered_is_named_in_one_line(
    cwd: Path, capsys: pytest.CaptureFixture[str], name: str, change: str, problem: str
) -> None:
    shutil.copytree(ROOT / "data", cwd / "mnist")
    path = cwd / "mnist" / name
    data = path.read_bytes()
    path.unlink()
    if change == "cut short":
        path.write_bytes(data[:50000])
    elif change == "altered":  # its last byte
        path.write_bytes(gzip.compress(gzip.decompress(data)[:-1] + b"\1", 1))
    assert pnm.main(["--csv", "--reproduce", "2", "--data", "mnist"]) == 1
    out, err = capsys.readouterr()
    assert (out, err.count("\n")) == ("", 1)
    assert re.match(f"{PROG}: error: .*{re.escape(problem)}", err)


@pytest.mark.parametrize("gzipped", [True, False])
def test_mnist_s_full_training_files_load_reading_only_the_first_thousand(
    tmp_path: Path, gzipped: bool
) -> None:
    # MNIST's own files have 60,000 records. These have 2,000, and the gzipped
    # ones are damaged after the first 1,000, which the loader must never read.
    for name, header, record in [(IMAGES, 16, 784), (LABELS, 8, 1)]:
        data = bytearray(gzip.decompress((ROOT / "data" / name).read_bytes()))
        data[4:8] = (2_000).to_bytes(4, "big")
        data += b"\xff" * record * 1_000
        path = tmp_path / name.replace("-first-1000", "").removesuffix(".gz")
        if gzipped:  # the rest in a gzip member of its own, cut short
            first, rest = data[: header + 1000 * record], data[header + 1000 * record :]
            cut = gzip.compress(rest, mtime=0)[:-100]
            path.with_suffix(".gz").write_bytes(gzip.compress(first, mtime=0) + cut)
        else:
            path.write_bytes(data)
    assert np.array_equal(pnm.reproduce(2, data=tmp_path), pnm.reproduce(2))


def test_pasted_into_a_notebook_it_finds_the_data_under_the_current_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cell: dict[str, object] = {}  # a cell's namespace: no __file__
    exec(compile(SCRIPT.read_text(encoding="utf-8"), "<cell>", "exec"), cell)
    monkeypatch.chdir(ROOT)  # the project folder, with data/ in it
    assert np.array_equal(cell["reproduce"](2), pnm.reproduce(2))  # type: ignore[operator]
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as found:
        cell["reproduce"](2)  # type: ignore[operator]
    for part in (repr(str(tmp_path / "data")), "--data DIR", "data=..."):
        assert part in str(found.value)
    with contextlib.redirect_stdout(io.StringIO()):
        assert cell["main"](["-o", "a.svg"]) == 0  # type: ignore[operator]
    assert (
        f"({PROG}: pasted in, with no file to hash)" in (tmp_path / "a.svg").read_text()
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX links")
def test_run_through_a_link_it_finds_the_data_beside_the_script_itself(
    tmp_path: Path,
) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "pnm.py").symlink_to(SCRIPT)
    link = tmp_path / "bin" / "pnm.py"
    result = run_script("--reproduce", "2", "--csv", cwd=tmp_path, script=link)
    assert (result.returncode, result.stdout.count("\n"), result.stderr) == (0, 21, "")


# -- The training, checked against the algorithm itself --------------------------

HIDDEN = {  # each hidden activation, and its slope as a function of its value
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
    "tanh": (np.tanh, lambda a: 1 - a * a),
    "relu": (lambda z: np.maximum(z, 0), lambda a: a > 0),
}
# What each start divides a layer's first weights and biases by, squared, for a
# layer of y neurons fed by x.
STARTS = {
    "backprop2": lambda x, y: (y, y),
    "fan-in": lambda x, y: (x, 1),
    "standard": lambda x, y: (1, 1),
}


def per_example_norms(seed: int, init: str, activation: str) -> np.ndarray:
    """The record's algorithm as the README states it, example by example,
    the book's way round: columns for activations, weights y by x."""
    rng = np.random.default_rng(seed)  # biases first, then weights, then the order
    layers = list(zip((784, 30, 30, 30, 30, 30), (30, 30, 30, 30, 30, 10)))
    scale = [STARTS[init](x, y) for x, y in layers]
    biases = [
        rng.standard_normal((y, 1)) / np.sqrt(s[1]) for (_, y), s in zip(layers, scale)
    ]
    weights = [
        rng.standard_normal((y, x)) / np.sqrt(s[0]) for (x, y), s in zip(layers, scale)
    ]
    order = rng.permutation(1000)
    images, targets = pnm._load_mnist()
    eta, lmbda, size, total = 0.01, 0.05, 100, 1000
    (sigmoid, _), (hidden, slope) = HIDDEN["sigmoid"], HIDDEN[activation]
    norms = np.empty((10, 6))
    for k in range(10):
        nabla_w = [np.zeros_like(w) for w in weights]
        nabla_b = [np.zeros_like(b) for b in biases]
        for example in order[k * size : (k + 1) * size]:
            a = images[example].reshape(-1, 1)
            activations = [a]
            for layer, (w, b) in enumerate(zip(weights, biases)):
                a = (sigmoid if layer == 5 else hidden)(w @ a + b)
                activations.append(a)
            delta = activations[-1] - targets[example].reshape(-1, 1)
            for layer in range(5, -1, -1):
                nabla_w[layer] += delta @ activations[layer].T
                nabla_b[layer] += delta
                if layer:
                    delta = (weights[layer].T @ delta) * slope(activations[layer])
        norms[k] = [np.linalg.norm(nw) for nw in nabla_w]
        decay = lmbda * size / total
        weights = [w - eta * (nw + decay * w) for w, nw in zip(weights, nabla_w)]
        biases = [b - eta * nb for b, nb in zip(biases, nabla_b)]
    return norms


@pytest.mark.parametrize(
    "network", [*(("backprop2", a) for a in pnm.ACTIVATIONS), ("fan-in", "tanh")]
)
def test_the_vectorised_training_is_the_per_example_algorithm(
    network: tuple[str, str],
) -> None:
    init, activation = network
    vectorised = pnm.reproduce(2, seed=1, init=init, activation=activation)[0]
    expected = per_example_norms(1, init, activation)
    np.testing.assert_allclose(vectorised, expected, rtol=1e-12, atol=0)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: one thread anyway")
def test_the_training_holds_blas_to_one_thread_and_gives_back_what_it_found() -> None:
    from threadpoolctl import threadpool_info, threadpool_limits

    def threads() -> set[int]:
        return {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"}

    with threadpool_limits(2, user_api="blas"):
        seen: list[set[int]] = []  # while training, each time progress is told
        pnm.reproduce(3, progress=lambda done, runs: seen.append(threads()))
        assert seen and all(during == {1} for during in seen)
        assert threads() == {2}


# -- What the runs say ------------------------------------------------------------


def test_the_runs_as_csv_a_row_per_run_and_mini_batch_run_i_of_seed_n_plus_i(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--csv", "--reproduce", "3", "--seed", "5", "--batches", "9", "7"]
    assert pnm.main(args) == 0
    out, err = capsys.readouterr()
    assert err == ""  # no terminal: no progress
    header, *rows = out.splitlines()
    assert header.split(",") == ["run", "seed", "mini_batch"] + [
        f"layer_{n}" for n in range(1, 7)
    ]
    assert [row.split(",")[:3] for row in rows] == [
        [str(run), str(5 + run), batch] for run in range(3) for batch in ("7", "9")
    ]
    # Any run redone alone gives its numbers, bit for bit.
    values = [[float(v) for v in row.split(",")[3:]] for row in rows]
    alone = [pnm.reproduce(2, seed=5 + run)[0] for run in range(3)]
    assert values == [norms[batch - 1].tolist() for norms in alone for batch in (7, 9)]


def test_the_record_lies_within_the_middle_of_the_runs(runs: np.ndarray) -> None:
    agreement = pnm.Agreement(runs.tolist())  # any array-like
    low, high = np.percentile(runs, [5, 95], axis=0)
    recorded = np.array(pnm.NABLA_W_NORMS)
    inside = ((low <= recorded) & (recorded <= high)).sum()
    assert (agreement.runs, agreement.left_out, agreement.values) == (40, 0, 60)
    assert agreement.inside == inside >= 45
    assert agreement.growth == pytest.approx(growth(recorded), rel=1e-12)
    assert agreement.growth_median == pytest.approx(np.median(growth(runs)))
    band = np.percentile(growth(runs), [5, 95])
    assert agreement.growth_band == pytest.approx(tuple(band))
    assert band[0] < agreement.growth < band[1]


def test_other_starts_change_the_growth_per_layer() -> None:
    for init, expected in [("fan-in", 4.9), ("standard", 1.8)]:
        runs = pnm.reproduce(16, init=init, seed=1000)
        assert np.median(growth(runs)) == pytest.approx(expected, abs=0.25)


def test_runs_that_diverge_are_left_out_and_said_so() -> None:
    runs = pnm.reproduce(12, activation="relu")
    agreement = pnm.Agreement(runs)
    assert agreement.left_out >= (~np.isfinite(runs).all(axis=(1, 2))).sum() > 0
    assert agreement.runs + agreement.left_out == 12
    assert f"({agreement.left_out} more diverged" in str(agreement)


# -- The figure -------------------------------------------------------------------


@pytest.mark.parametrize(("batches", "log"), [((7, 8, 9), False), (range(1, 11), True)])
def test_each_mini_batch_gets_a_panel_where_its_line_lies_over_its_own_band(
    runs: np.ndarray, batches: range, log: bool
) -> None:
    fig = pnm.make_figure(batches, reproduced=runs, log=log, legend=True, title="T")
    assert fig.get_suptitle() == "T"
    rows = {ax.get_subplotspec().rowspan.start for ax in fig.axes}
    assert (len(fig.axes), len(rows)) == (len(batches), 1 if len(batches) <= 4 else 2)
    for ax, batch in zip(fig.axes, batches):
        (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
        median, recorded = ax.get_lines()
        assert recorded.get_markerfacecolor() == "none"  # the band shows through
        low, middle, high = np.percentile(runs[:, batch - 1, 1:-1], [5, 50, 95], axis=0)
        assert {*low, *high} <= set(band.get_paths()[0].vertices[:, 1])
        assert list(median.get_ydata()) == list(
            np.median(runs[:, batch - 1, 1:-1], axis=0)
        )
        assert tuple(recorded.get_ydata()) == pnm.hidden_layer_norms(batch)
        assert ax.get_yscale() == ("log" if log else "linear")
    (legend,) = fig.legends
    labels = ["recorded in 2013", "median of 40 runs", "5–95 % of 40 runs"]
    assert [t.get_text() for t in legend.get_texts()] == labels


def test_the_command_line_draws_the_runs_and_its_files_say_how_they_were_made(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ROOT / "data", cwd / "mnist")
    (cwd / "out").mkdir()
    (cwd / "house.mplstyle").write_text("lines.linewidth: 3\n")
    # Each path in full, -o in each of its spellings; a title that looks like one.
    args = (
        f"--reproduce 3 --seed 4 --log --data {cwd}/mnist --style {cwd}/house.mplstyle"
    )
    args += (
        f" --title {cwd}/T -o {cwd}/out/r.svg --output={cwd}/out/r.png -o{cwd}/r.pdf"
    )
    assert pnm.main(args.split()) == 0
    runs = pnm.reproduce(3, seed=4)
    paths = "".join(f"{cwd}/{path}\n" for path in ("out/r.svg", "out/r.png", "r.pdf"))
    assert capsys.readouterr().out == f"{pnm.Agreement(runs)}\n{paths}"
    style, title = [cwd / "house.mplstyle"], f"{cwd}/T"
    drawn = pnm.make_figure(reproduced=runs, log=True, style=style, title=title)
    assert png_pixels(cwd / "out" / "r.png") == pixels(drawn)
    svg = (cwd / "out" / "r.svg").read_text()
    command = f"--log --data mnist --style house.mplstyle --title {cwd}/T -o r.svg"
    assert f"{PROG} --reproduce 3 --seed 4 {command} --output=r.png -or.pdf " in svg
    assert "Run i from seed 4 + i." in svg and str(pnm.Agreement(runs)) in svg
    assert svg.count(str(cwd)) == svg.count(f"{cwd}/T")  # in the title alone


def test_runs_of_another_network_are_named_and_tabled_over_the_mini_batches(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = "--reproduce 4 --init standard --activation tanh --legend --batches 2 9"
    args += " -o r.svg"
    assert pnm.main(args.split()) == 0
    runs = pnm.reproduce(4, init="standard", activation="tanh")
    growths = growth(runs[:, [1, 8]])
    row = f"| `standard` | `tanh` | ×{np.median(growths):.2f} | "
    row += "{:.2f}–{:.2f} | 0 |".format(*np.percentile(growths, [5, 95]))
    out = capsys.readouterr().out
    assert row in out.splitlines() and "lie within" not in out
    assert row in (cwd / "r.svg").read_text()
    fig = pnm.make_figure(reproduced={("standard", "tanh"): runs}, legend=True)
    (legend,) = fig.legends
    named = (
        f"4 runs of standard, tanh: ×{np.median(growth(runs[:, 6:9])):.2f} per layer"
    )
    assert [t.get_text() for t in legend.get_texts()] == [
        f"median of {named}",
        f"5–95 % of {named}",
    ]
    for ax, batch in zip(fig.axes, (7, 8, 9)):  # and each panel its own growth
        (note,) = ax.get_legend().get_texts()
        assert (
            note.get_text()
            == f"×{np.median(growth(runs[:, [batch - 1]])):.2f} per layer"
        )
    faces = {line.get_markerfacecolor() for ax in fig.axes for line in ax.get_lines()}
    assert "none" not in faces  # no hollow markers: the record is not drawn
    assert listing(cwd) == ["r.svg"]
