"""The command line: every option, from main() and from a shell, and its errors."""

import contextlib
import io
import os
import re
import sys

import pytest
import tomllib
from support import PROG, ROOT, SCRIPT, headless_env, listing, pixels, run_script

import plot_nabla_magnitudes as pnm

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes and limits")


def test_a_headless_run_writes_the_faithful_png_and_says_where(
    tmp_path, original_figure
):
    result = run_script(cwd=tmp_path, env=headless_env())  # a newcomer's first run
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{PNG}\n", "")
    assert (listing(tmp_path), pixels(tmp_path / PNG)) == (
        [PNG],
        pixels(original_figure),
    )


PNG = "nabla_magnitudes.png"


def test_the_options_draw_what_make_figure_draws_with_them_once_for_all_files(
    cwd, monkeypatch
):
    make, drawn = pnm.make_figure, []

    def counted(*args, **kwargs):
        drawn.append(args)
        return make(*args, **kwargs)

    monkeypatch.setattr(pnm, "make_figure", counted)
    args = "--log --legend --batches 9 1-3 2 --size 6.4,3.6 --title T --style ggplot"
    args += " --style font.size=8 -oa.png -oa.png -ob.svg"
    with contextlib.redirect_stdout(io.StringIO()) as said:
        assert pnm.main(args.split()) == 0
    assert (said.getvalue(), len(drawn)) == ("a.png\nb.svg\n", 1)  # a file once
    style = ["ggplot", {"font.size": 8}]  # a style, then a setting
    asked = dict(log=True, legend=True, size=(6.4, 3.6), title="T", style=style)
    assert pixels(cwd / "a.png") == pixels(make((1, 2, 3, 9), **asked))


@pytest.mark.parametrize(
    ("args", "size", "corner"),
    [
        (["--dpi", "50"], (320, 240), 255),
        (["--transparent"], (640, 480), 0),
        # In order, and while saving: classic's 8x6 inches, at the file's 50 dpi.
        (["--style", "classic", "--style", "savefig.dpi=50"], (400, 300), 255),
        (["--style", "clear.mplstyle"], (640, 480), 0),  # the style's transparency
    ],
)
def test_dpi_transparency_and_styles_set_the_png_s_pixels_and_background(
    cwd, args, size, corner
):
    (cwd / "clear.mplstyle").write_text("savefig.transparent: True\n")
    with contextlib.redirect_stdout(io.StringIO()):
        assert pnm.main([*args, "-o", "a.png"]) == 0
    written, rgba = pixels(cwd / "a.png")
    assert (written, rgba[3]) == (size, corner)


def test_csv_prints_all_ten_mini_batches_or_those_chosen_sorted_each_once(capsys):
    assert pnm.main(["--csv"]) == 0
    assert pnm.main(["--csv", "--batches", "9", "2", "8-9", "2"]) == 0
    assert capsys.readouterr().out == pnm.table_csv() + pnm.table_csv((2, 8, 9))


@POSIX
def test_standard_output_gone_closed_or_full_is_not_success(tmp_path):
    read, write = os.pipe()
    os.close(read)  # as `| head` does, once it has what it wants
    with os.fdopen(write, "w") as gone, open("/dev/full", "w") as full:
        for stdout, said in [(gone, ""), (full, "No space left on device")]:
            result = run_script("--csv", cwd=tmp_path, stdout=stdout)
            assert result.returncode != 0 and said in result.stderr
            assert said or result.stderr == ""  # the reader gone: quietly
    closed = run_script("--csv", cwd=tmp_path, preexec_fn=lambda: os.close(1))
    error = f"{PROG}: error: cannot write to standard output: it is closed\n"
    assert (closed.returncode, closed.stderr) == (1, error)


# Mistakes: argparse's usage and one line, status 2; or one line, status 1.
MISTAKES = [
    (
        "--dpi high",
        2,
        "argument --dpi: expected a number from 10 to 10,000, not 'high'",
    ),
    ("--dpi 5", 2, "argument --dpi: expected a number from 10 to 10,000, not '5'"),
    ("--size 6.4", 2, "argument --size: expected W,H in inches, not '6.4'"),
    ("--size 6.4,", 2, "argument --size: expected a number from 0.1 to 1,000, not ''"),
    ("--size 1e-320,1", 2, "argument --size: expected a number from 0.1 to 1,000"),
    ("--batches 0", 2, "argument --batches: expected a number from 1 to 10, not '0'"),
    ("--batches 9-7", 2, "argument --batches: '9-7' is not a range like 7-9"),
    ("-o a.pgf", 2, "argument -o/--output: 'a.pgf' names no format of png, raw,"),
    ("-o a.csv", 2, "argument -o/--output: 'a.csv' names no format of png, raw,"),
    ("--csv -o a.png", 2, "argument -o/--output: not allowed with argument --csv"),
    ("--style nosuch", 2, "argument --style: 'nosuch' is not a valid package style"),
    ("--style font.size=big", 2, "argument --style: Key font.size: Could not convert"),
    ("--reproduce 1", 2, "argument --reproduce: expected a number from 2 to 10,000"),
    ("--reproduce 2 --seed -1", 2, "argument --seed: expected a number from 0 to"),
    ("--activation relu -o a.png", 2, "argument --activation: only with --reproduce"),
    (
        "--style bad.mplstyle -o a.png",
        1,
        "argument --style: 'bad.mplstyle': Key font.si",
    ),
    ("--title a\x1bb", 2, "argument --title: 'a\\x1bb' holds a control character"),
    ("-o a\udce9.png", 2, "argument -o/--output: 'a\\udce9.png' holds a control"),
    ("-o missing/a.png", 1, "cannot write 'missing/a.png': No such file or directory"),
    ("-o keep.png -o missing/a.png", 1, "cannot write 'missing/a.png': No such file"),
    ("--title $\\frac{$ -o a.png", 1, "argument --title: \\frac{ ^"),
    ("--title a\n$\\nosuch$ -o a.png", 1, "argument --title: \\nosuch"),
    # A raster too large, at its own resolution: no -o and no window, the default.
    ("--size 300,300", 1, f"'{PNG}' would be 30,000×30,000 pixels at 100 dpi: at most"),
    ("--style savefig.dpi=9999 -o a.pdf -o a.png", 1, "'a.png' would be 63,994×"),
    ("--size 100,10 --dpi 200 -o a.webp", 1, "'a.webp' would be 20,000×2,000 pixels"),
]


@pytest.mark.parametrize(("args", "status", "message"), MISTAKES)
def test_a_mistake_is_one_line_with_its_status_and_writes_nothing(
    cwd, capsys, args, status, message
):
    (cwd / "keep.png").write_bytes(b"the user's own figure")
    (cwd / "bad.mplstyle").write_text("font.size: big\n")  # which matplotlib skips
    assert pnm.main(args.split(" ")) == status
    out, err = capsys.readouterr()
    *usage, last = err.splitlines()
    assert (out, last.startswith(f"{PROG}: error: {message}"), len(usage) > 0) == (
        "", True, status == 2
    )  # fmt: skip
    assert (listing(cwd), (cwd / "keep.png").read_bytes()) == (
        ["bad.mplstyle", "keep.png"], b"the user's own figure"
    )  # fmt: skip


@pytest.mark.parametrize("error", [ValueError, OSError, ImportError, ZeroDivisionError])
def test_a_bug_in_the_script_s_own_drawing_shows_its_traceback(cwd, monkeypatch, error):
    def norms(batch):
        raise error("a bug")

    monkeypatch.setattr(pnm, "hidden_layer_norms", norms)  # which the drawing calls
    with pytest.raises(error, match="a bug"):
        pnm.main(["-o", "a.png"])
    assert listing(cwd) == []


def test_nothing_that_draws_nothing_imports_matplotlib_or_numpy(tmp_path):
    probe = """
import contextlib, io, sys
import plot_nabla_magnitudes as pnm
pnm.table_csv(), pnm.hidden_layer_norms(7), pnm.growth_per_layer(7)
for args in ["--help", "--csv", "--csv --batches 1-10", "--bogus", "--dpi 0"]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        pnm.main(args.split())
print(sorted(m for m in sys.modules if m.startswith(("matplotlib", "numpy"))))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = run_script(cwd=tmp_path, env=env, python=("-c", probe), script=None)
    assert (result.stdout, result.stderr) == ("[]\n", "")


def test_help_says_each_default_and_what_the_csv_s_columns_are(capsys):
    assert pnm.main(["--help"]) == 0
    words = " ".join(capsys.readouterr().out.split())
    for says in [
        "(default: 7 8 9 to draw a network, all ten with --csv or to compare",
        "print the norms as CSV, where hidden layer l is layer_(l+1)",
        "--init INIT [INIT ...] first weights of y neurons fed by x: backprop2 "
        "N(0,1)/√y, as in 2013; fan-in N(0,1)/√x; standard N(0,1) (default: backprop2)",
        "hidden layers: sigmoid, tanh, relu (default: sigmoid); several starts or",
        "--data DIR MNIST's folder (default: the script's data/)",
    ]:
        assert says in words


def test_the_inline_metadata_asks_for_what_requirements_txt_does():
    block = SCRIPT.read_text(encoding="utf-8").split("# /// script\n")[1]
    metadata = tomllib.loads(re.sub("(?m)^# ?", "", block.split("# ///\n")[0]))
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    required = {line.partition("#")[0].strip() for line in lines} - {""}
    assert (set(metadata["dependencies"]), metadata["requires-python"]) == (
        required, ">=3.9"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("python", "package", "message"),
    [
        (("-S",), "", "No module named 'matplotlib'"),  # as where nothing is installed
        ((), "matplotlib", "matplotlib 3.8.4 is older than 3.9"),
        ((), "threadpoolctl", "threadpoolctl 2.2.0 is older than 3.1"),
    ],
)
def test_a_package_missing_or_too_old_is_one_line(tmp_path, python, package, message):
    env = dict(os.environ)
    if package:  # found first, a package of this line alone
        (tmp_path / "site" / package).mkdir(parents=True)
        version = message.split()[1]
        (tmp_path / "site" / package / "__init__.py").write_text(
            f"__version__ = {version!r}"
        )
        env["PYTHONPATH"] = str(tmp_path / "site")
    # Training needs threadpoolctl, and its CSV no matplotlib; drawing needs both.
    out = ["--csv"] if package == "threadpoolctl" else ["-o", "a.png"]
    result = run_script("--reproduce", "2", *out, cwd=tmp_path, python=python, env=env)
    said = f"{PROG}: error: {message}: pip install -r requirements.txt\n"
    assert (result.returncode, result.stdout, result.stderr) == (1, "", said)
    assert "a.png" not in listing(tmp_path)


def test_pdf_embeds_truetype_fonts_unless_a_style_says_otherwise(cwd):
    truetype, type3 = b"/CIDFontType2", b"/Type3"
    for style, font, other in [
        ([], truetype, type3),
        (["--style", "classic"], type3, truetype),
    ]:
        with contextlib.redirect_stdout(io.StringIO()):
            assert pnm.main([*style, "-o", "a.pdf"]) == 0
        pdf = (cwd / "a.pdf").read_bytes()
        assert font in pdf and other not in pdf
