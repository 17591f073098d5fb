"""Networks compared: each start with each activation, trained, drawn and tabled."""

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from support import growth

import plot_nabla_magnitudes as pnm

# From seed 200, three runs of each: ReLU trains one run to the end from backprop2's
# start and none from the standard one; sigmoid trains all three.
PAIRS = [(i, a) for i in ("backprop2", "standard") for a in ("sigmoid", "relu")]
OPTIONS = "--reproduce 3 --seed 200 --init backprop2 standard --activation sigmoid relu"


@pytest.fixture(scope="module")
def networks() -> dict[tuple[str, str], np.ndarray]:
    """Each pairing's runs, trained alone."""
    return {(i, a): pnm.reproduce(3, seed=200, init=i, activation=a) for i, a in PAIRS}


def trained(runs: np.ndarray) -> np.ndarray:
    """The runs that trained to the end: every norm finite and positive."""
    return runs[(np.isfinite(runs) & (runs > 0)).all(axis=(1, 2))]


def test_each_pairing_is_trained_from_the_same_seeds_as_it_would_be_alone(
    capsys: pytest.CaptureFixture[str], networks: dict[tuple[str, str], np.ndarray]
) -> None:
    assert pnm.main(["--csv", "--batches", "9", *OPTIONS.split()]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split(",")[:5] == ["run", "seed", "init", "activation", "mini_batch"]
    assert [row.split(",") for row in rows] == [
        [str(run), str(200 + run), i, a, "9", *map(repr, runs[run, 8].tolist())]
        for (i, a), runs in networks.items()
        for run in range(3)
    ]


def test_a_panel_for_each_activation_on_one_log_axis_a_line_for_each_start(
    networks: dict[tuple[str, str], np.ndarray],
) -> None:
    fig = pnm.make_figure(reproduced=networks)  # all ten mini-batches, a legend
    sigmoid, relu = fig.axes
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["sigmoid hidden layers", "relu hidden layers"]
    assert {ax.get_yscale() for ax in fig.axes} == {"log"}
    assert sigmoid.get_shared_y_axes().joined(sigmoid, relu)  # slopes that compare
    (legend,) = fig.legends
    labels = [text.get_text() for text in legend.get_texts()]
    assert legend.get_title().get_text() == "growth per layer"
    expected = []
    for (init, activation), runs in networks.items():
        done = growth(trained(runs))
        median = f"×{np.median(done):.2f}, " if len(done) else ""
        count = "3 runs" if len(done) == 3 else f"{len(done)} of 3 runs"
        expected.append(f"{init}, {activation}: {median}{count}")
    assert [label for label in labels if not label.startswith("recorded")] == expected
    # A band where two runs or more trained to the end, under every line.
    bands = [
        c for ax in fig.axes for c in ax.collections if isinstance(c, PolyCollection)
    ]
    assert [len(ax.collections) for ax in fig.axes] == [2, 0]
    lines = [line for ax in fig.axes for line in ax.get_lines()]
    assert max(b.get_zorder() for b in bands) < min(li.get_zorder() for li in lines)


def test_the_record_is_drawn_with_its_own_network_alone(
    networks: dict[tuple[str, str], np.ndarray],
) -> None:
    def records(fig: object) -> list[object]:
        lines = [line for ax in fig.axes for line in ax.get_lines()]  # type: ignore[attr-defined]
        return [line for line in lines if line.get_markerfacecolor() == "none"]

    (record,) = records(pnm.make_figure(reproduced=networks))
    recorded = np.array(pnm.NABLA_W_NORMS)
    means = np.exp(np.log(recorded[:, 1:5]).mean(axis=0))  # over all ten mini-batches
    assert record.get_ydata() == pytest.approx(means)  # type: ignore[attr-defined]
    others = {pair: runs for pair, runs in networks.items() if pair[0] == "standard"}
    assert records(pnm.make_figure(reproduced=others)) == []


def test_the_table_printed_gives_each_network_s_growth_and_the_runs_left_out(
    cwd: object,
    capsys: pytest.CaptureFixture[str],
    networks: dict[tuple[str, str], np.ndarray],
) -> None:
    assert pnm.main([*OPTIONS.split(), "-o", "c.png"]) == 0
    rows = []
    for (init, activation), runs in networks.items():
        done = growth(trained(runs))
        median = f"×{np.median(done):.2f}" if len(done) else "—"
        band = "—"
        if len(done) > 1:
            band = "{:.2f}–{:.2f}".format(*np.percentile(done, [5, 95]))
        rows.append(
            f"| `{init}` | `{activation}` | {median} | {band} | {3 - len(done)} |"
        )
    record = growth(np.array(pnm.NABLA_W_NORMS))
    assert capsys.readouterr().out.splitlines() == [
        "| `--init` | `--activation` | growth per layer | 5–95 % | left out |",
        "| --- | --- | ---: | ---: | ---: |",
        *rows,
        "",
        f"The record, made with backprop2 and sigmoid: ×{record:.2f} per layer",
        "c.png",
    ]
