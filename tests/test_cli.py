"""The command line: every option, from main() and from a shell, and its errors."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import tomllib
from PIL import Image
from support import (
    PROG,
    ROOT,
    SCRIPT,
    headless_env,
    listing,
    pixels,
    run_python,
    run_script,
    with_stand_in,
)

import plot_nabla_magnitudes as pnm


# A newcomer's first run; and one where a desktop backend was asked for.
@pytest.mark.parametrize("backend", [{}, {"MPLBACKEND": "TkAgg"}])
def test_a_headless_run_writes_the_faithful_png_and_says_where(
    tmp_path: Path, original_figure: object, backend: dict[str, str]
) -> None:
    result = run_script(cwd=tmp_path, env={**headless_env(), **backend})
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "nabla_magnitudes.png\n",
        "",
    )
    assert listing(tmp_path) == ["nabla_magnitudes.png"]
    with Image.open(tmp_path / "nabla_magnitudes.png") as image:
        written = image.size, image.convert("RGBA").tobytes()
    assert written == pixels(original_figure)


def test_the_options_draw_what_make_figure_draws_once_for_every_file(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    built, real = [], pnm.make_figure
    monkeypatch.setattr(
        pnm, "make_figure", lambda *a, **k: built.append(k) or real(*a, **k)
    )
    args = "--log --legend --batches 9 --batches 1-3 2 --size 6.4,3.6 --title T"
    args += " --style ggplot"
    assert pnm.main([*args.split(), "-o", "a.png", "-o", "a.svg", "-o", "a.png"]) == 0
    assert (len(built), capsys.readouterr().out) == (1, "a.png\na.svg\n")
    asked = dict(log=True, legend=True, size=(6.4, 3.6), title="T", style=["ggplot"])
    assert built[0].items() >= asked.items()
    expected = real((1, 2, 3, 9), **asked)
    with Image.open(cwd / "a.png") as image:
        assert (image.size, image.convert("RGBA").tobytes()) == pixels(expected)


@pytest.mark.parametrize(
    ("args", "size", "corner"),
    [
        (["--dpi", "50"], (320, 240), 255),
        (["--dpi", "150"], (960, 720), 255),
        (["--transparent"], (640, 480), 0),
        # In order, and while saving: classic's 8x6 inches, at the file's 50 dpi.
        (["--style", "classic", "--style", "dpi.mplstyle"], (400, 300), 255),
        (["--style", "classic"], (800, 600), 255),  # a style, though a folder too
    ],
)
def test_what_the_options_make_of_the_file(
    cwd: Path, args: list[str], size: tuple[int, int], corner: int
) -> None:
    (cwd / "dpi.mplstyle").write_text("savefig.dpi: 50\n")
    (cwd / "classic").mkdir()
    assert pnm.main([*args, "-o", "a.png"]) == 0
    with Image.open(cwd / "a.png") as image:
        assert (image.size, image.convert("RGBA").getpixel((0, 0))[3]) == (size, corner)


def test_csv_prints_the_chosen_batches_sorted_each_once_7_8_9_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert pnm.main(["--csv"]) == 0
    assert pnm.main(["--csv", "--batches", "9", "2", "8-9", "2"]) == 0
    assert capsys.readouterr().out == pnm.table_csv((7, 8, 9)) + pnm.table_csv(
        (2, 8, 9)
    )


def test_csv_whose_reader_has_gone_ends_quietly_with_status_1(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = run_script(
            "--csv", "--batches", "1-10", cwd=tmp_path, stdout=write_end
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (1, "")


USAGE_ERRORS = [
    ("--dpi high", "argument --dpi: invalid float value: 'high'"),
    ("--batches 0", "argument --batches: '0' is not a mini-batch"),
    ("--batches 9-7", "argument --batches: '9-7' is not a mini-batch or a rising"),
    ("--batches 3-", "argument --batches: '3-' is not a mini-batch or a rising"),
    ("-o figure", "argument -o/--output: 'figure' has no extension; use "),
    ("-o a.pgf", "argument -o/--output: 'a.pgf' has the unsupported extension 'pgf'"),
    ("--style nosuch", "argument --style: 'nosuch' is not a valid package style"),
    ("--style folder.png", "argument --style: "),
    ("--size 6.4", "argument --size: expected a width and a height in inches"),
    ("--title \udcff", "argument --title: '\\udcff' is not text in your encoding"),
    ("--csv -o a.png", "argument --output: not allowed with --csv"),
    ("--reproduce 1", "argument --reproduce: RUNS must be from 2 to 10000"),
    ("--csv --reproduce 0", "argument --reproduce: RUNS must be from 1 to 10000"),
    ("--reproduce 2 --seed -1", "argument --seed: it must not be negative"),
    ("--seed 0", "argument --seed: only with --reproduce"),
    ("--data mnist", "argument --data: only with --reproduce"),
]


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS)
def test_usage_errors_exit_2_with_usage_and_one_error_line(
    cwd: Path, capsys: pytest.CaptureFixture[str], args: str, message: str
) -> None:
    (cwd / "folder.png").mkdir()
    assert pnm.main(args.split()) == 2
    out, err = capsys.readouterr()
    usage, *_, last = err.splitlines()
    assert (out, usage.split()[:2]) == ("", ["usage:", PROG])
    assert last.startswith(f"{PROG}: error: {message}")
    assert listing(cwd) == ["folder.png"]


ERRORS = [
    ("-o missing/a.png", "cannot write 'missing/a.png': No such file or directory"),
    ("-o folder.png", "cannot write 'folder.png': not a regular file"),
    ("--title $\\nosuch$ -o a.png", "cannot draw the figure: \\nosuch ^"),
    # Sizes that cannot be drawn, one kind of answer.
    ("--size 0,1 -o a.pdf", "cannot draw the figure: size 0\u00d71 inches"),
    ("--size 1e-9,1", "cannot draw the figure: size 1e-09\u00d71 inches"),
    ("--size 300,300", "cannot draw the figure: size 300\u00d7300 inches"),
    ("--dpi 0 -o a.png", "cannot draw the figure: a png of 6.4\u00d74.8"),
    (  # no -o, and no window: the default PNG is checked as any output
        "--dpi 6000",
        "cannot draw the figure: a png of 6.4\u00d74.8 inches at 6000 dpi is "
        "38400\u00d728800 pixels; at most 100,000,000 pixels can be drawn",
    ),
]


@pytest.mark.parametrize(("args", "message"), ERRORS)
def test_what_cannot_be_drawn_or_written_is_one_line_and_writes_nothing(
    cwd: Path, capsys: pytest.CaptureFixture[str], args: str, message: str
) -> None:
    (cwd / "folder.png").mkdir()
    assert pnm.main(args.split()) == 1
    out, err = capsys.readouterr()
    assert (out, err.count("\n")) == ("", 1)
    assert err.startswith(f"{PROG}: error: {message}")
    assert listing(cwd) == ["folder.png"]


def test_nothing_that_draws_nothing_imports_matplotlib_or_numpy(tmp_path: Path) -> None:
    probe = """
import contextlib, io, sys
import plot_nabla_magnitudes as pnm
pnm.table_csv(), pnm.hidden_layer_norms(7), pnm.growth_per_layer(7)
for args in ["--help", "--csv", "--csv --batches 1-10", "--bogus", "--batches 9-7",
             "--csv --log", "--reproduce 0", "--seed 2", "--reproduce --init x"]:
    with contextlib.redirect_stdout(io.StringIO()), \\
         contextlib.redirect_stderr(io.StringIO()):
        pnm.main(args.split())
print(sorted(m for m in sys.modules if m.startswith(("matplotlib", "numpy"))))
"""
    env = {**os.environ, "PYTHONPATH": str(SCRIPT.parent)}
    result = run_python("-c", probe, cwd=tmp_path, env=env)
    assert (result.stdout, result.stderr) == ("[]\n", "")


# The regular expression that PEP 723 gives for finding a metadata block.
BLOCK = r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"


def test_the_inline_metadata_asks_for_what_requirements_txt_does() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    (block,) = [m for m in re.finditer(BLOCK, text) if m["type"] == "script"]
    metadata = tomllib.loads(
        "".join(
            line[2:] if line.startswith("# ") else line[1:]
            for line in block["content"].splitlines(keepends=True)
        )
    )
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    required = {line.partition("#")[0].strip() for line in lines} - {""}
    assert set(metadata["dependencies"]) == required
    assert metadata["requires-python"] == ">=3.9"


def test_an_old_matplotlib_is_named_with_the_version_needed(tmp_path: Path) -> None:
    # Debian 12's matplotlib, as far as the script can tell: its version.
    env = with_stand_in(tmp_path, "matplotlib", '__version__ = "3.6.3"\n')
    result = run_script("-o", "a.png", cwd=tmp_path, env=env)
    assert (result.returncode, result.stdout, listing(tmp_path)) == (1, "", ["site"])
    assert result.stderr == (
        f"{PROG}: error: matplotlib 3.6.3 is too old: this script needs 3.9 "
        "or newer (pip install 'matplotlib>=3.9')\n"
    )


def test_a_missing_matplotlib_is_named(tmp_path: Path) -> None:
    # -S: no site-packages, as in a Python where nothing was installed.
    result = run_python("-S", str(SCRIPT), "-o", "a.png", cwd=tmp_path)
    assert (result.returncode, result.stdout, listing(tmp_path)) == (1, "", [])
    assert result.stderr == (
        f"{PROG}: error: cannot import: No module named 'matplotlib'; "
        "pip install -r requirements.txt\n"
    )


def test_a_broken_numpy_is_reported_with_its_own_message(tmp_path: Path) -> None:
    # A numpy whose compiled part does not match what matplotlib was built for.
    failure = "raise ImportError('numpy.core.multiarray failed to import')\n"
    env = with_stand_in(tmp_path, "numpy", failure)
    result = run_script("-o", "a.png", cwd=tmp_path, env=env)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"{PROG}: error: cannot import: numpy.core.multiarray failed to import; "
        "pip install -r requirements.txt\n"
    )
