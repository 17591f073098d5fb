"""The command line: every option, from main() and from a shell, and its errors."""

import contextlib
import io
import os
import re
import sys
from pathlib import Path

import pytest
import tomllib
from support import (
    PROG,
    ROOT,
    SCRIPT,
    headless_env,
    listing,
    pixels,
    png_pixels,
    run_script,
)

import plot_nabla_magnitudes as pnm

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes and limits")


def test_a_headless_run_writes_the_faithful_png_and_says_where(
    tmp_path: Path, original_figure: object
) -> None:
    result = run_script(cwd=tmp_path, env=headless_env())  # a newcomer's first run
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "nabla_magnitudes.png\n",
        "",
    )
    assert listing(tmp_path) == ["nabla_magnitudes.png"]
    assert png_pixels(tmp_path / "nabla_magnitudes.png") == pixels(original_figure)


def test_the_options_draw_what_make_figure_draws_with_them(cwd: Path) -> None:
    args = "--log --legend --batches 9 1-3 2 --size 6.4,3.6 --title T --style ggplot"
    args += " --style font.size=8"
    with contextlib.redirect_stdout(io.StringIO()) as said:
        assert pnm.main([*args.split(), "-o", "a.png", "-o", "a.svg", "-oa.png"]) == 0
    assert said.getvalue() == "a.png\na.svg\n"  # each file once, in order
    style = ["ggplot", {"font.size": 8}]  # in order, a style and a setting
    asked = dict(log=True, legend=True, size=(6.4, 3.6), title="T", style=style)
    assert png_pixels(cwd / "a.png") == pixels(pnm.make_figure((1, 2, 3, 9), **asked))


@pytest.mark.parametrize(
    ("args", "size", "corner"),
    [
        (["--dpi", "50"], (320, 240), 255),
        (["--transparent"], (640, 480), 0),
        # In order, and while saving: classic's 8x6 inches, at the file's 50 dpi.
        (["--style", "classic", "--style", "dpi.mplstyle"], (400, 300), 255),
        (["--style", "clear.mplstyle"], (640, 480), 0),  # the style's transparency
    ],
)
def test_dpi_transparency_and_styles_set_the_png_s_pixels_and_background(
    cwd: Path, args: list[str], size: tuple[int, int], corner: int
) -> None:
    (cwd / "dpi.mplstyle").write_text("savefig.dpi: 50\n")
    (cwd / "clear.mplstyle").write_text("savefig.transparent: True\n")
    with contextlib.redirect_stdout(io.StringIO()):
        assert pnm.main([*args, "-o", "a.png"]) == 0
    (width, height), rgba = png_pixels(cwd / "a.png")
    assert ((width, height), rgba[3]) == (size, corner)


def test_csv_prints_all_ten_mini_batches_or_those_chosen_sorted_each_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert pnm.main(["--csv"]) == 0
    assert pnm.main(["--csv", "--batches", "9", "2", "8-9", "2"]) == 0
    assert capsys.readouterr().out == pnm.table_csv() + pnm.table_csv((2, 8, 9))


@POSIX
def test_a_reader_that_has_gone_ends_the_run_quietly_with_status_1(
    tmp_path: Path,
) -> None:
    read, write = os.pipe()
    os.close(read)  # as `| head` does, once it has what it wants
    with os.fdopen(write, "w") as gone:
        result = run_script("--reproduce", "20", "--csv", cwd=tmp_path, stdout=gone)
    assert (result.returncode, result.stderr) == (1, "")


@POSIX
def test_standard_output_closed_or_full_is_not_success(tmp_path: Path) -> None:
    closed = run_script("--csv", cwd=tmp_path, preexec_fn=lambda: os.close(1))
    said = f"{PROG}: error: cannot write to standard output: it is closed\n"
    assert (closed.returncode, closed.stderr) == (1, said)
    with open("/dev/full", "w") as full:
        result = run_script("--csv", cwd=tmp_path, stdout=full)
    assert result.returncode != 0 and "No space left on device" in result.stderr


USAGE_ERRORS = [
    ("--dpi high", "argument --dpi: expected a number from 10 to 10,000, not 'high'"),
    ("--dpi 5", "argument --dpi: expected a number from 10 to 10,000, not '5'"),
    ("--dpi nan", "argument --dpi: expected a number from 10 to 10,000, not 'nan'"),
    ("--size 6.4", "argument --size: expected a number from 0.1 to 1,000, not ''"),
    ("--size 1e-320,1", "argument --size: expected a number from 0.1 to 1,000"),
    ("--size 1001,1", "argument --size: expected a number from 0.1 to 1,000"),
    ("--batches 0", "argument --batches: expected a number from 1 to 10, not '0'"),
    ("--batches 9-7", "argument --batches: '9-7' is not a range like 7-9"),
    ("-o figure", "argument -o/--output: 'figure' names no format of png, raw,"),
    ("-o a.pgf", "argument -o/--output: 'a.pgf' names no format of png, raw,"),
    ("--style nosuch", "argument --style: 'nosuch' is not a valid package style"),
    ("--style font.size=big", "argument --style: Key font.size: Could not convert"),
    ("--style nosuch=1", "argument --style: 'nosuch=1' is not a valid package style"),
    ("--reproduce 1", "argument --reproduce: expected a number from 2 to 10,000"),
    ("--reproduce 2 --seed -1", "argument --seed: expected a number from 0 to"),
    ("--title a\x1bb", "argument --title: 'a\\x1bb' holds a control character"),
    ("--title caf\udce9", "argument --title: 'caf\\udce9' holds a control character"),
    ("-o a\x1bb.png", "argument -o/--output: 'a\\x1bb.png' holds a control char"),
]


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS)
def test_usage_errors_exit_2_with_usage_and_one_error_line(
    cwd: Path, capsys: pytest.CaptureFixture[str], args: str, message: str
) -> None:
    assert pnm.main(args.split()) == 2
    out, err = capsys.readouterr()
    usage, *_, last = err.splitlines()
    assert (out, usage.split()[:2]) == ("", ["usage:", PROG])
    assert last.startswith(f"{PROG}: error: {message}")
    assert listing(cwd) == []


ERRORS = [
    ("-o missing/a.png", "cannot write 'missing/a.png': No such file or directory"),
    ("-o keep.png -o missing/a.png", "cannot write 'missing/a.png': No such file"),
    ("--title $\\frac{$ -o a.png", "argument --title: \\frac{ ^"),
    ("--title a\n$\\nosuch$ -o a.png", "argument --title: \\nosuch"),
    # Rasters too large to draw, at the resolution of each.
    (  # no -o, and no window: the default PNG, at the figure's 100 dpi
        "--size 300,300",
        "'nabla_magnitudes.png' would be 30,000×30,000 pixels at 100 dpi: "
        "at most 100,000,000 in all, and 8,388,607 on a side",
    ),
    ("--dpi 6000 -o a.pdf -o a.png", "'a.png' would be 38,400×28,800 pixels at 600"),
    ("--style dpi.mplstyle -o a.png", "'a.png' would be 64,000×48,000 pixels at 10000"),
    ("--size 100,10 --dpi 200 -o a.webp", "'a.webp' would be 20,000×2,000 pixels"),
]


@pytest.mark.parametrize(("args", "message"), ERRORS)
def test_what_cannot_be_drawn_or_written_is_one_line_and_writes_nothing(
    cwd: Path, capsys: pytest.CaptureFixture[str], args: str, message: str
) -> None:
    (cwd / "keep.png").write_bytes(b"the user's own figure")
    (cwd / "dpi.mplstyle").write_text("savefig.dpi: 10000\n")
    before = listing(cwd)
    assert pnm.main(args.split(" ")) == 1
    out, err = capsys.readouterr()
    assert (out, err.count("\n")) == ("", 1)
    assert err.startswith(f"{PROG}: error: {message}")
    assert listing(cwd) == before
    assert (cwd / "keep.png").read_bytes() == b"the user's own figure"


@pytest.mark.parametrize("error", [ValueError, OSError, ImportError, ZeroDivisionError])
def test_a_bug_in_the_script_s_own_drawing_shows_its_traceback(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    def norms(batch: int) -> tuple[float, ...]:
        raise error("a bug")

    monkeypatch.setattr(pnm, "hidden_layer_norms", norms)  # which the drawing calls
    with pytest.raises(error, match="a bug"):
        pnm.main(["-o", "a.png"])
    assert listing(cwd) == []


def test_nothing_that_draws_nothing_imports_matplotlib_or_numpy(tmp_path: Path) -> None:
    probe = """
import contextlib, io, sys
import plot_nabla_magnitudes as pnm
pnm.table_csv(), pnm.hidden_layer_norms(7), pnm.growth_per_layer(7)
for args in ["--help", "--csv", "--csv --batches 1-10", "--bogus", "--batches 9-7",
             "--reproduce 0", "--dpi 0", "--size 0,1"]:
    with contextlib.redirect_stdout(io.StringIO()), \\
         contextlib.redirect_stderr(io.StringIO()):
        pnm.main(args.split())
print(sorted(m for m in sys.modules if m.startswith(("matplotlib", "numpy"))))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = run_script(cwd=tmp_path, env=env, python=("-c", probe), script=None)
    assert (result.stdout, result.stderr) == ("[]\n", "")


def test_help_says_the_defaults_of_the_mini_batches_and_of_the_training(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert pnm.main(["--help"]) == 0
    words = " ".join(capsys.readouterr().out.split())
    for says in [
        "(default: 7 8 9 to draw a network, all ten with --csv or to compare",
        "--init INIT [INIT ...] first weights of y neurons fed by x: backprop2 "
        "N(0,1)/√y, as in 2013; fan-in N(0,1)/√x; standard N(0,1) (default: backprop2)",
        "hidden layers: sigmoid, tanh, relu (default: sigmoid); several starts or",
        "--data DIR MNIST's folder (default: the script's data/)",
    ]:
        assert says in words


def test_the_inline_metadata_asks_for_what_requirements_txt_does() -> None:
    block = SCRIPT.read_text(encoding="utf-8").split("# /// script\n")[1]
    metadata = tomllib.loads(re.sub("(?m)^# ?", "", block.split("# ///\n")[0]))
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    required = {line.partition("#")[0].strip() for line in lines} - {""}
    assert set(metadata["dependencies"]) == required
    assert metadata["requires-python"] == ">=3.9"


# A package missing, or older than requirements.txt asks.
@pytest.mark.parametrize(
    ("python", "package", "message"),
    [
        (("-S",), "", "No module named 'matplotlib'"),
        ((), "matplotlib", "matplotlib 3.8.4 is older than 3.9"),
        ((), "threadpoolctl", "threadpoolctl 2.2.0 is older than 3.1"),
    ],
)
def test_a_package_missing_or_too_old_is_one_line(
    tmp_path: Path, python: tuple[str, ...], package: str, message: str
) -> None:
    env = dict(os.environ)
    if package:  # found first, a package of this line alone
        version = message.split()[1]
        (tmp_path / "site" / package).mkdir(parents=True)
        (tmp_path / "site" / package / "__init__.py").write_text(
            f"__version__ = {version!r}\n"
        )
        env["PYTHONPATH"] = str(tmp_path / "site")
    args = ["--reproduce", "2", "--batches", "7", "-o", "a.png"]
    result = run_script(*args, cwd=tmp_path, python=python, env=env)
    said = (result.returncode, result.stdout, result.stderr)
    install = "pip install -r requirements.txt"
    assert said == (1, "", f"{PROG}: error: {message}: {install}\n")
    assert "a.png" not in listing(tmp_path)


def test_pdf_embeds_truetype_fonts_unless_a_style_says_otherwise(cwd: Path) -> None:
    # In a PDF, a Type 3 font says /Type3, and a TrueType one /CIDFontType2.
    for style, font, not_font in [([], b"/CIDFontType2", b"/Type3"),
                                  (["--style", "classic"], b"/Type3", b"/CIDFontType2")]:  # fmt: skip
        with contextlib.redirect_stdout(io.StringIO()):
            assert pnm.main([*style, "-o", "a.pdf"]) == 0
        pdf = (cwd / "a.pdf").read_bytes()
        assert font in pdf and not_font not in pdf
