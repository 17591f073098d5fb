"""Networks compared: each start with each activation, trained, drawn and tabled."""

import numpy as np
import pytest
from support import contrast, growth, layout_problems, share

import plot_nabla_magnitudes as pnm

# From seed 200, three runs of each: ReLU trains one run to the end from backprop2's
# start and none from the standard one; sigmoid trains all three.
PAIRS = [(i, a) for i in ("backprop2", "standard") for a in ("sigmoid", "relu")]
OPTIONS = "--reproduce 3 --seed 200 --init backprop2 standard --activation sigmoid relu"
ALL = [(i, a) for i in pnm.INITIALISATIONS for a in pnm.ACTIVATIONS]


@pytest.fixture(scope="module")
def networks():
    """Each pairing's runs, trained alone."""
    return {(i, a): pnm.reproduce(3, seed=200, init=i, activation=a) for i, a in PAIRS}


@pytest.fixture(scope="module")
def nine(runs):
    """Nine networks' runs, made up and far apart: standard ReLU's all failed,
    and fan-in tanh's but one, far above the others."""
    made = {pair: runs * 3.0 ** (k - 4) for k, pair in enumerate(ALL)}
    made["standard", "relu"] = runs * np.nan
    made["fan-in", "tanh"] = np.concatenate([runs[:1] * 1e4, runs[1:] * np.nan])
    return made


def trained(runs):
    return runs[(np.isfinite(runs) & (runs > 0)).all(axis=(1, 2))]


def medians(fig):
    """Each network's dashed median, by its name."""
    lines = [line for ax in fig.axes for line in ax.get_lines()]
    return {line.get_label(): line for line in lines if line.get_linestyle() == "--"}


def test_each_pairing_is_trained_from_the_same_seeds_as_it_would_be_alone(
    capsys, networks
):
    assert pnm.main(["--csv", "--batches", "9", *OPTIONS.split()]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split(",")[:5] == ["run", "seed", "init", "activation", "mini_batch"]
    assert [row.split(",") for row in rows] == [
        [str(run), str(200 + run), i, a, "9", *map(repr, runs[run, 8].tolist())]
        for (i, a), runs in networks.items()
        for run in range(3)
    ]


def test_a_panel_for_each_activation_on_one_log_axis_each_start_in_one_colour(
    networks, nine
):
    fig = pnm.make_figure(reproduced=networks)  # all ten mini-batches, a legend
    sigmoid, relu = fig.axes
    assert [(ax.get_title(), ax.get_yscale()) for ax in fig.axes] == [
        ("sigmoid", "log"), ("relu", "log")
    ]  # fmt: skip
    assert sigmoid.get_shared_y_axes().joined(sigmoid, relu)  # slopes that compare
    # Bands where two runs or more trained to the end, under the lines.
    assert [len(ax.collections) for ax in fig.axes] == [2, 0]
    lines = [line for ax in fig.axes for line in ax.get_lines()]
    assert max(c.get_zorder() for c in sigmoid.collections) < min(
        li.get_zorder() for li in lines
    )
    # A start's colour is the same in every panel, subset and figure.
    colour = {
        name: li.get_color()
        for name, li in medians(pnm.make_figure(reproduced=nine)).items()
    }
    for subset in (networks, {pair: nine[pair] for pair in ALL[2::3]}):
        for name, line in medians(pnm.make_figure(reproduced=subset)).items():
            assert line.get_color() == colour[name]
    assert (
        len({colour[f"{init}, {act}"] for init, act in ALL[:2] + ALL[3:4] + ALL[6:7]})
        == 3
    )


# The five styles of the README, and the default colours on the panels of black,
# ggplot's grey and seaborn's.
STYLES = [
    None,
    "dark_background",
    "ggplot",
    "seaborn-v0_8-talk",
    "tableau-colorblind10",
]
STYLES += [{"axes.facecolor": grey} for grey in ("black", "#E5E5E5", "#EAEAF2")]


@pytest.mark.parametrize("style", STYLES)
def test_each_median_stands_out_at_3_to_1_from_the_panel_in_each_style(style, nine):
    sigmoid = {pair: nine[pair] for pair in ALL[::3]}  # each start, in one panel
    fig = pnm.make_figure(reproduced=sigmoid, style=style)
    panel = fig.axes[0].get_facecolor()
    ratios = [contrast(line.get_color(), panel) for line in medians(fig).values()]
    assert len(ratios) == 3 and min(ratios) >= 3


def test_the_legend_names_starts_and_record_and_each_panel_growth_and_runs(nine):
    fig = pnm.make_figure(reproduced=nine, size=(4.8, 3.6))
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        *pnm.INITIALISATIONS,
        "recorded in 2013",
    ]
    for ax, activation in zip(fig.axes, pnm.ACTIVATIONS):
        done = [growth(trained(nine[init, activation])) for init in pnm.INITIALISATIONS]
        said = [f"×{np.median(d):.2f} ({len(d)})" if len(d) else "— (0)" for d in done]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == said
    assert "standard, relu" not in medians(fig)  # none trained: nothing drawn
    # Fan-in tanh's one run of forty has no say in the scale: the axis ends below
    # it, twice as far as every other line reaches.
    lines = [line for ax in fig.axes for line in ax.get_lines()]
    heights = [
        y for li in lines if li.get_label() != "fan-in, tanh" for y in li.get_ydata()
    ]
    assert fig.axes[0].get_ylim() == pytest.approx((min(heights) / 2, max(heights) * 2))
    assert min(medians(fig)["fan-in, tanh"].get_ydata()) > fig.axes[0].get_ylim()[1]
    assert layout_problems(fig) == [] and share(fig, "height") >= 0.5


def test_the_record_is_drawn_edged_with_its_own_network_alone(networks):
    def records(fig):
        lines = [line for ax in fig.axes for line in ax.get_lines()]
        return [line for line in lines if line.get_markerfacecolor() == "none"]

    (record,) = records(pnm.make_figure(reproduced=networks))
    means = np.exp(np.log(np.array(pnm.NABLA_W_NORMS)[:, 1:5]).mean(axis=0))
    assert (
        record.get_ydata() == pytest.approx(means) and record.get_markeredgewidth() >= 1
    )
    others = {pair: runs for pair, runs in networks.items() if pair[0] == "standard"}
    assert records(pnm.make_figure(reproduced=others)) == []


def test_the_table_printed_gives_each_network_s_growth_and_the_runs_left_out(
    cwd, capsys, networks
):
    assert pnm.main([*OPTIONS.split(), "-o", "c.png"]) == 0
    rows = []
    for (init, activation), runs in networks.items():
        done = growth(trained(runs))
        median = f"×{np.median(done):.2f}" if len(done) else "—"
        band = (
            "{:.2f}–{:.2f}".format(*np.percentile(done, [5, 95]))
            if len(done) > 1
            else "—"
        )
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
