"""The record: every number exactly as recorded, and the helpers over it."""

import ast
import itertools
import math

import numpy as np
import pytest
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


def test_every_value_is_the_recorded_float():
    assert [list(row) for row in pnm.NABLA_W_NORMS] == ORIGINAL_ROWS
    assert {type(value) for row in pnm.NABLA_W_NORMS for value in row} == {float}


def test_the_plotted_numbers_are_the_original_script_s_lists():
    plotted = [list(pnm.hidden_layer_norms(b)) for b in pnm.REPRESENTATIVE_BATCHES]
    lists = [
        n.value for n in ast.parse(ORIGINAL_SCRIPT).body if isinstance(n, ast.Assign)
    ]
    assert plotted == [ast.literal_eval(value) for value in lists]  # nw1, nw2, nw3


def test_the_readme_table_is_the_record_digit_for_digit():
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


def test_growth_and_csv_are_the_record_s_as_asked():
    for batch in range(1, 11):  # growth: the geometric mean of successive ratios
        ratios = [b / a for a, b in itertools.pairwise(pnm.hidden_layer_norms(batch))]
        expected = math.prod(ratios) ** (1 / len(ratios))
        assert math.isclose(pnm.growth_per_layer(batch), expected, rel_tol=1e-12)
    header, *lines = pnm.table_csv().splitlines()
    assert header == "mini_batch,layer_1,layer_2,layer_3,layer_4,layer_5,layer_6"
    assert [[float(v) for v in line.split(",")] for line in lines] == [
        [batch, *row] for batch, row in enumerate(ORIGINAL_ROWS, 1)
    ]
    for batches in [(9, 2), range(9, 1, -7), np.array([9, 2])]:
        rows = pnm.table_csv(batches).splitlines()[1:]
        assert [row.split(",")[0] for row in rows] == ["9", "2"]


@pytest.mark.parametrize("batch", [0, 11])
def test_a_mini_batch_outside_1_to_10_is_refused_not_read_from_the_other_end(batch):
    for call in (pnm.hidden_layer_norms, pnm.growth_per_layer, pnm.make_figure):
        with pytest.raises(ValueError, match=f"must be from 1 to 10, not {batch}"):
            call([batch] if call is pnm.make_figure else batch)
    with pytest.raises(ValueError, match="must be from 1 to 10"):
        pnm.table_csv([7, batch])
