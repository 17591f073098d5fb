"""The record: every number exactly as recorded; what the API refuses."""

import ast
import math
from collections.abc import Callable

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from support import ORIGINAL_SCRIPT, ROOT

import plot_nabla_magnitudes as pnm

# The oracle: the table as it stands in the original script's docstring, one
# mini-batch a line, six layers from input to output.
ORIGINAL_TABLE = """\
[0.90845722175923671, 2.8852730656073566, 10.696793986223632, 37.75701921183488, 157.7365422527995, 304.43990075227839]
[0.22493835119537842, 0.6555126517964851, 2.6036801277234076, 11.408825365731225, 46.882319190445472, 70.499637502698221]
[0.11935180022357521, 0.19756069137133489, 0.8152794148335869, 3.4590802543293977, 15.470507965493903, 31.032396017142556]
[0.15130005837653659, 0.39687135985664701, 1.4810006139254532, 4.392519005642268, 16.831939776937311, 34.082104455938733]
[0.11594085276308999, 0.17177668061395848, 0.72204558746599512, 3.05062409378366, 14.133001132214286, 29.776204839994385]
[0.10790389807606221, 0.20707152756018626, 0.96348134037828603, 3.9043824079499561, 15.986873430586924, 39.195258080490895]
[0.088613291101645356, 0.129173436407863, 0.4242933114455002, 1.6154682713449411, 7.5451567587160069, 20.180545544006566]
[0.086175380639289575, 0.12571016850457151, 0.44231149185805047, 1.8435833504677326, 7.61973813981073, 19.474539356281781]
[0.095372080184163904, 0.15854489503205446, 0.70244235144444678, 2.6294803575724157, 10.427062019753425, 24.309420272033819]
[0.096453131000155692, 0.13574642196947601, 0.53551377709415471, 2.0247466793066895, 9.4503978546018068, 21.73772148470092]
"""  # noqa: E501
ORIGINAL_ROWS = [ast.literal_eval(line) for line in ORIGINAL_TABLE.splitlines()]


def test_every_value_is_the_recorded_float() -> None:
    assert [list(row) for row in pnm.NABLA_W_NORMS] == ORIGINAL_ROWS
    assert {type(value) for row in pnm.NABLA_W_NORMS for value in row} == {float}


def test_the_plotted_numbers_are_the_original_script_s_lists() -> None:
    plotted = [list(pnm.hidden_layer_norms(b)) for b in pnm.REPRESENTATIVE_BATCHES]
    lists = [
        n.value for n in ast.parse(ORIGINAL_SCRIPT).body if isinstance(n, ast.Assign)
    ]
    assert plotted == [ast.literal_eval(value) for value in lists]  # nw1, nw2, nw3


SIZE = "size must be a width and height in inches"
H, R = pnm.hidden_layer_norms, pnm.reproduce


@pytest.mark.parametrize(
    ("call", "arguments", "error", "message"),
    [
        (H, {"batch": 0}, ValueError, "a mini-batch must be from 1 to 10, not 0"),
        (H, {"batch": 7.0}, TypeError, "a mini-batch must be a whole number, not 7.0"),
        (H, {"batch": True}, TypeError, "a mini-batch must be a whole number, not Tr"),
        (pnm.table_csv, {"batches": None}, TypeError, "batches must be mini-batch n"),
        (pnm.table_csv, {"batches": 7}, TypeError, "batches must be mini-batch n"),
        (pnm.table_csv, {"batches": "7"}, TypeError, "batches must be mini-batch n"),
        (pnm.make_figure, {"batches": ()}, ValueError, "batches must name at least"),
        (pnm.make_figure, {"size": "big"}, ValueError, f"{SIZE}, not 'big'"),
        (pnm.make_figure, {"size": (0, 1)}, ValueError, f"{SIZE}, not \\(0, 1\\)"),
        (pnm.make_figure, {"size": (np.nan, 1)}, ValueError, SIZE),
        (pnm.make_figure, {"reproduced": [[1]]}, ValueError, "reproduced must be num"),
        (pnm.make_figure, {"reproduced": [pnm.NABLA_W_NORMS]}, ValueError, "1 of 1"),
        (pnm.draw, {"ax": None}, TypeError, "ax must be a matplotlib Axes, not None"),
        (R, {"runs": 10_001}, ValueError, "runs must be from 1 to 10000, not 10001"),
        (R, {"runs": True}, TypeError, "runs must be a whole number, not True"),
        (R, {"seed": -1}, ValueError, "seed must not be negative, not -1"),
        (R, {"seed": 2.0}, TypeError, "seed must be a whole number, not 2.0"),
        (R, {"init": "xavier"}, ValueError, "init must be one of backprop2, fan-in"),
        (R, {"activation": "gelu"}, ValueError, "activation must be one of sigmoid"),
        (pnm.Agreement, {"reproduced": [[1.0]]}, ValueError, "reproduced must be"),
        (pnm.main, {"argv": "--csv"}, TypeError, "argv must be a list of arguments"),
        (pnm.main, {"argv": b"--csv"}, TypeError, "argv must be a list of arguments"),
        (pnm.make_figure, {"size": "64"}, ValueError, f"{SIZE}, not '64'"),
        (pnm.make_figure, {"size": (1e9, 1)}, ValueError, f"{SIZE}, .*at most 1,000"),
        (
            pnm.make_figure,
            {"log": "no"},
            TypeError,
            "log must be True or False, not 'no'",
        ),
        (pnm.make_figure, {"style": 123}, TypeError, "style must be a style's name or"),
        (
            pnm.make_figure,
            {"reproduced": {"tanh": []}},
            TypeError,
            "reproduced.s keys must be",
        ),
        (
            pnm.draw,
            {"ax": Axes(Figure(), (0, 0, 1, 1)), "legend": 1},
            TypeError,
            "legen",
        ),
        (pnm.metadata, {"fmt": "jpg"}, ValueError, "fmt must be png, pdf, svg, eps or"),
    ],
)
def test_the_api_names_the_argument_it_cannot_take(
    call: Callable[..., object],
    arguments: dict[str, object],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        call(**arguments)


def test_growth_per_layer_is_the_geometric_mean_of_successive_ratios() -> None:
    for batch in range(1, 11):
        norms = pnm.hidden_layer_norms(batch)
        ratios = [b / a for a, b in zip(norms, norms[1:])]
        expected = math.prod(ratios) ** (1 / len(ratios))
        assert math.isclose(pnm.growth_per_layer(batch), expected, rel_tol=1e-12)


def test_table_csv_reads_back_as_the_record_in_the_order_asked() -> None:
    header, *lines = pnm.table_csv().splitlines()
    assert header == "mini_batch,layer_1,layer_2,layer_3,layer_4,layer_5,layer_6"
    rows = [line.split(",") for line in lines]
    assert [int(row[0]) for row in rows] == list(range(1, 11))
    assert [[float(v) for v in row[1:]] for row in rows] == ORIGINAL_ROWS
    for batches in [(9, 2), range(9, 1, -7), np.array([9, 2])]:
        rows = pnm.table_csv(batches).splitlines()[1:]
        assert [row.split(",")[0] for row in rows] == ["9", "2"]


def test_the_readme_table_is_the_record_digit_for_digit() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [
        line.replace("*", "").strip("| ").split(" | ")
        for line in readme.splitlines()
        if line.startswith("| ") and line.split("|")[1].strip(" *").isdigit()
    ]
    assert [int(row[0]) for row in rows] == list(range(1, 11))
    assert [" ".join(row[1:]) for row in rows] == [
        line.strip("[]").replace(",", "") for line in ORIGINAL_TABLE.splitlines()
    ]
