"""Reproducing the record: the network trained again as the record was made, and
how the record sits among the runs."""

import contextlib
import gzip
import io
import re
import shutil

import numpy as np
import pytest
from support import PROG, ROOT, SCRIPT, growth, pixels

import plot_nabla_magnitudes as pnm

IMAGES, LABELS = (
    f"train-{k}-first-1000-idx{d}-ubyte.gz" for k, d in [("images", 3), ("labels", 1)]
)


def test_the_shipped_data_is_mnist_s_first_thousand_as_the_readme_says():
    images, labels = pnm._load_mnist()
    assert images.shape == (1000, 784)
    assert "".join(map(str, labels[:20])) == "50419213143536172869"
    assert list(np.bincount(labels)) == [97, 116, 99, 93, 105, 92, 94, 117, 87, 100]
    assert list(images[0][images[0] > 0][:7]) == [3, 18, 18, 18, 126, 136, 175]


@pytest.mark.parametrize(
    ("name", "change", "problem"),
    [(LABELS, "missing", "no train-labels-first-1000-idx1-ubyte or train-labels-idx"),
     (IMAGES, "cut short", "not a whole gzip"), (IMAGES, "altered", "not MNIST's")],
)  # fmt: skip
def test_a_data_file_missing_cut_short_or_altered_is_one_line(
    cwd, capsys, name, change, problem
):
    shutil.copytree(ROOT / "data", cwd / "mnist")
    data = (path := cwd / "mnist" / name).read_bytes()
    path.unlink()
    if change != "missing":  # cut short, or its last byte changed
        changed = gzip.compress(gzip.decompress(data)[:-1] + b"\1", 1)
        path.write_bytes(data[:50000] if change == "cut short" else changed)
    assert pnm.main(["--csv", "--reproduce", "2", "--data", "mnist"]) == 1
    out, err = capsys.readouterr()
    assert (out, err.count("\n")) == ("", 1)
    assert re.match(f"{PROG}: error: .*{re.escape(problem)}", err)


def test_mnist_s_full_training_files_load_reading_only_the_first_thousand(tmp_path):
    # MNIST's own files have 60,000 records. These have 2,000; the gzipped ones are
    # damaged after the first 1,000, which must never be read.
    for name, record in [(IMAGES, 784), (LABELS, 1)]:
        data = bytearray(gzip.decompress((ROOT / "data" / name).read_bytes()))
        data[4:8] = (2_000).to_bytes(4, "big")
        rest = gzip.compress(b"\xff" * record * 1_000, mtime=0)[:-100]  # cut short
        path = tmp_path / "gz" / name.replace("-first-1000", "")
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(gzip.compress(data, mtime=0) + rest)
        (tmp_path / path.stem).write_bytes(data + b"\xff" * record * 1_000)
    for folder in (tmp_path, tmp_path / "gz"):
        assert np.array_equal(pnm.reproduce(2, data=folder), pnm.reproduce(2))


def test_pasted_into_a_notebook_it_finds_the_data_in_the_current_folder(
    monkeypatch, tmp_path
):
    cell = {}  # a cell's namespace: no __file__
    exec(compile(SCRIPT.read_text(encoding="utf-8"), "<cell>", "exec"), cell)
    monkeypatch.chdir(ROOT)  # the project folder, with data/ in it
    assert np.array_equal(cell["reproduce"](2), pnm.reproduce(2))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        FileNotFoundError, match=re.escape(repr(str(tmp_path / "data")))
    ):
        cell["reproduce"](2)
    with contextlib.redirect_stdout(io.StringIO()):
        assert cell["main"](["-o", "a.svg"]) == 0
    assert (
        f"({PROG}: pasted in, with no file to hash)" in (tmp_path / "a.svg").read_text()
    )


# Each hidden activation and its slope, and what each start divides a layer's first
# weights and biases by, squared, for a layer of y neurons fed by x.
HIDDEN = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
    "tanh": (np.tanh, lambda a: 1 - a * a),
    "relu": (lambda z: np.maximum(z, 0), lambda a: a > 0),
}
STARTS = {"backprop2": lambda x, y: (y, y), "fan-in": lambda x, y: (x, 1)}


def per_example_norms(seed, init, activation, batches=3):
    """The record's algorithm as the README states it, example by example, the
    book's way round (columns for activations, weights y by x): its first norms."""
    rng = np.random.default_rng(seed)  # biases first, then weights, then the order
    sizes = [
        (x, y, *STARTS[init](x, y)) for x, y in zip((784, *[30] * 5), (*[30] * 5, 10))
    ]
    biases = [rng.standard_normal((y, 1)) / np.sqrt(b) for _, y, _, b in sizes]
    weights = [rng.standard_normal((y, x)) / np.sqrt(w) for x, y, w, _ in sizes]
    order, (images, labels) = rng.permutation(1000), pnm._load_mnist()
    images, targets = images / 256, np.eye(10)[labels]  # raw byte / 256, one-hot
    norms = np.empty((batches, 6))
    for k in range(batches):  # mini-batches of 100: eta 0.01, lambda 0.05
        nabla_w, nabla_b = [0 * w for w in weights], [0 * b for b in biases]
        for example in order[k * 100 : (k + 1) * 100]:
            a = [images[example].reshape(-1, 1)]
            for layer, (w, b) in enumerate(zip(weights, biases)):
                a.append(
                    HIDDEN["sigmoid" if layer == 5 else activation][0](w @ a[-1] + b)
                )
            delta = a[-1] - targets[example].reshape(-1, 1)
            for layer in range(5, -1, -1):
                nabla_w[layer] += delta @ a[layer].T
                nabla_b[layer] += delta
                delta = (weights[layer].T @ delta) * HIDDEN[activation][1](a[layer])
        norms[k] = [np.linalg.norm(nw) for nw in nabla_w]
        weights = [
            w - 0.01 * (nw + 0.05 * 100 / 1000 * w) for w, nw in zip(weights, nabla_w)
        ]
        biases = [b - 0.01 * nb for b, nb in zip(biases, nabla_b)]
    return norms


@pytest.mark.parametrize(
    "network", [*(("backprop2", a) for a in HIDDEN), ("fan-in", "tanh")]
)
def test_the_vectorised_training_is_the_per_example_algorithm(network):
    vectorised = pnm.reproduce(2, seed=1, init=network[0], activation=network[1])[0]
    np.testing.assert_allclose(
        vectorised[:3], per_example_norms(1, *network), rtol=1e-12
    )


def test_the_record_lies_within_the_middle_of_the_runs_and_diverged_runs_are_said(runs):
    agreement = pnm.Agreement(runs.tolist())  # any array-like
    low, high = np.percentile(runs, [5, 95], axis=0)
    recorded = np.array(pnm.NABLA_W_NORMS)
    band = np.percentile(growth(runs), [5, 95])
    assert (agreement.runs, agreement.left_out, agreement.values) == (40, 0, 60)
    assert agreement.inside == ((low <= recorded) & (recorded <= high)).sum() >= 45
    assert agreement.growth == pytest.approx(growth(recorded), rel=1e-12)
    assert agreement.growth_median == pytest.approx(np.median(growth(runs)))
    assert agreement.growth_band == pytest.approx(tuple(band))
    assert band[0] < agreement.growth < band[1]
    relu = pnm.Agreement(pnm.reproduce(12, activation="relu"))  # some blow up
    assert relu.left_out > 0 and relu.runs + relu.left_out == 12
    assert f"({relu.left_out} more diverged" in str(relu)


@pytest.mark.parametrize(("batches", "log"), [((7, 8, 9), False), (range(1, 11), True)])
def test_each_mini_batch_gets_a_panel_its_line_over_its_own_band(runs, batches, log):
    fig = pnm.make_figure(batches, reproduced=runs, log=log, legend=True, title="T")
    rows = {ax.get_subplotspec().rowspan.start for ax in fig.axes}
    assert (len(fig.axes), len(rows)) == (len(batches), 1 if len(batches) <= 4 else 2)
    for ax, batch in zip(fig.axes, batches):
        (band,), (median, recorded) = ax.collections, ax.get_lines()
        low, high = np.percentile(hidden := runs[:, batch - 1, 1:-1], [5, 95], axis=0)
        assert {*low, *high} <= set(band.get_paths()[0].vertices[:, 1])
        assert list(median.get_ydata()) == list(np.median(hidden, axis=0))
        assert tuple(recorded.get_ydata()) == pnm.hidden_layer_norms(batch)
        assert (recorded.get_markerfacecolor(), ax.get_yscale()) == (
            "none",
            ["linear", "log"][log],
        )
    (legend,) = fig.legends
    labels = ["recorded in 2013", "median of 40 runs", "5–95 % of the runs"]
    assert [t.get_text() for t in legend.get_texts()] == labels


def test_the_command_line_draws_the_runs_and_its_files_say_how_they_were_made(
    cwd, capsys
):
    shutil.copytree(ROOT / "data", cwd / "mnist")
    (cwd / "out").mkdir()
    (cwd / "house.mplstyle").write_text("lines.linewidth: 3\n")
    # Each path in full, -o in each of its spellings; a title that looks like one.
    args = f"--reproduce 3 --seed 4 --batches 9 --data {cwd}/mnist"
    args += f" --style {cwd}/house.mplstyle"
    args += f" --title {cwd}/T -o {cwd}/out/r.svg --output={cwd}/r.png -o{cwd}/r.svgz"
    assert pnm.main(args.split()) == 0
    runs = pnm.reproduce(3, seed=4)
    paths = "".join(f"{cwd}/{path}\n" for path in ("out/r.svg", "r.png", "r.svgz"))
    assert capsys.readouterr().out == f"{pnm.Agreement(runs)}\n{paths}"
    style = [cwd / "house.mplstyle"]
    drawn = pnm.make_figure([9], reproduced=runs, style=style, title=f"{cwd}/T")
    assert pixels(cwd / "r.png") == pixels(drawn)
    svg = (cwd / "out" / "r.svg").read_text()
    command = f"--data mnist --style house.mplstyle --title {cwd}/T -o r.svg"
    made = (
        f"{PROG} --reproduce 3 --seed 4 --batches 9 {command} --output=r.png -or.svgz "
    )
    assert made in svg
    assert "Run i from seed 4 + i." in svg and str(pnm.Agreement(runs)) in svg
    assert svg.count(str(cwd)) == svg.count(f"{cwd}/T")  # in the title alone


def test_another_network_s_growth_is_in_legend_panels_and_table(cwd, capsys):
    args = "--reproduce 4 --init standard --activation tanh --legend --batches 2 9"
    args += " -o r.svg"
    assert pnm.main(args.split()) == 0
    runs = pnm.reproduce(4, init="standard", activation="tanh")
    growths = growth(runs[:, [1, 8]])
    row = f"| `standard` | `tanh` | ×{np.median(growths):.2f} | "
    row += "{:.2f}–{:.2f} | 0 |".format(*np.percentile(growths, [5, 95]))
    assert (
        row in capsys.readouterr().out.splitlines()
        and row in (cwd / "r.svg").read_text()
    )
    fig = pnm.make_figure(reproduced={("standard", "tanh"): runs}, legend=True)
    named = (
        f"4 runs of standard, tanh: ×{np.median(growth(runs[:, 6:9])):.2f} per layer"
    )
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        f"median of {named}", "5–95 % of the runs"
    ]  # fmt: skip
    for ax, batch in zip(fig.axes, (7, 8, 9)):
        (note,) = ax.get_legend().get_texts()
        assert note.get_text() == f"×{np.median(growth(runs[:, [batch - 1]])):.2f}"
        assert "none" not in {line.get_markerfacecolor() for line in ax.get_lines()}
    failed = pnm.make_figure(reproduced={("standard", "relu"): runs * np.nan})
    for ax in failed.axes:  # none trained: said, and nothing drawn
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0 runs"]
        assert len(ax.get_lines()) == len(ax.collections) == 0
