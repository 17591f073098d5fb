"""The command line: every option, from main() and from a shell, and its errors."""

from __future__ import annotations

import inspect
import os
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pytest
from PIL import Image
from support import (
    PROG,
    SCRIPT,
    headless_env,
    in_background,
    listing,
    pixels,
    run_python,
    run_script,
)

import plot_nabla_magnitudes as pnm


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# -- A new user's first run ---------------------------------------------------


@in_background
def headless_run(folder: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    return run_script(cwd=folder, env=headless_env()), folder


def test_a_headless_run_writes_the_faithful_png_and_says_where(
    headless_run: tuple[subprocess.CompletedProcess[str], Path],
    original_figure: object,
) -> None:
    result, folder = headless_run
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "nabla_magnitudes.png\n",
        "",
    )
    assert listing(folder) == ["nabla_magnitudes.png"]
    with Image.open(folder / "nabla_magnitudes.png") as image:
        written = image.size, image.convert("RGBA").tobytes()
    assert written == pixels(original_figure)


@pytest.fixture
def desktop(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[Any]]]:
    """pyplot on a backend that shows figures; what it shows, each time."""
    import desktop_backend

    plt.close("all")  # switching closes them, with a warning on matplotlib 3.9
    plt.switch_backend("module://desktop_backend")
    desktop_backend.shown.clear()
    yield desktop_backend.shown
    plt.close("all")
    plt.switch_backend("agg")


def test_without_outputs_a_window_opens_and_nothing_is_written(
    cwd: Path, desktop: list[list[Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert pnm.main([]) == 0
    assert listing(cwd) == []
    assert capsys.readouterr() == ("", "")
    ((fig,),) = desktop
    assert pixels(fig) == pixels(pnm.make_figure())


def test_show_writes_the_files_first_then_opens_the_window(
    cwd: Path, desktop: list[list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = []
    monkeypatch.setattr(plt, "show", lambda: seen.append(listing(cwd)))
    assert pnm.main(["--show", "-o", "a.png", "-o", "a.pdf"]) == 0
    assert seen == [["a.pdf", "a.png"]]


def test_show_where_no_window_can_open_writes_the_files_then_fails(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pnm.main(["--show", "-o", "a.png"]) == 1
    out, err = capsys.readouterr()
    assert out == "a.png\n"
    assert err == (
        f"{PROG}: error: cannot open a window: "
        "matplotlib's backend here, agg, only writes files\n"
    )
    assert listing(cwd) == ["a.png"]


@pytest.mark.parametrize(
    "failure",
    [
        ImportError("Failed to import any of the Qt bindings"),  # QtAgg, no Qt
        RuntimeError("The WebAgg backend requires Tornado."),  # WebAgg, no Tornado
    ],
)
def test_a_desktop_backend_that_cannot_load_means_the_png_or_an_error(
    cwd: Path,
    desktop: list[list[Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    failure: Exception,
) -> None:
    # pyplot loads its backend as it makes the first figure.
    def cannot_load(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(plt, "figure", cannot_load)
    assert pnm.main([]) == 0
    assert capsys.readouterr() == ("nabla_magnitudes.png\n", "")
    assert pnm.main(["--show", "-o", "a.png"]) == 1
    assert capsys.readouterr() == (
        "a.png\n",
        f"{PROG}: error: cannot open a window: matplotlib's backend "
        f"module://desktop_backend cannot load: {failure}\n",
    )
    assert listing(cwd) == ["a.png", "nabla_magnitudes.png"]
    assert desktop == []


# -- Options -------------------------------------------------------------------


def test_the_same_output_twice_is_written_once(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pnm.main(["-o", "a.png", "-o", "a.png"]) == 0
    assert capsys.readouterr().out == "a.png\n"
    assert listing(cwd) == ["a.png"]


def test_the_figure_is_built_once_by_make_figure_for_all_outputs(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = []
    real = pnm.make_figure
    monkeypatch.setattr(
        pnm, "make_figure", lambda *a, **k: built.append(real(*a, **k)) or built[-1]
    )
    assert pnm.main(["-o", "a.png", "-o", "a.svg"]) == 0
    assert len(built) == 1


@pytest.mark.parametrize(("dpi", "size"), [("50", (320, 240))])
def test_dpi_sets_the_raster_size(cwd: Path, dpi: str, size: tuple[int, int]) -> None:
    assert pnm.main(["--dpi", dpi, "-o", "a.png"]) == 0
    assert png_size(cwd / "a.png") == size


def test_the_options_are_make_figure_s_keywords(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = pnm.make_figure

    def spy(*args: Any, **kwargs: Any) -> Any:
        bound = inspect.signature(real).bind(*args, **kwargs)
        bound.apply_defaults()
        calls.append(bound.arguments)
        return real(*args, **kwargs)

    monkeypatch.setattr(pnm, "make_figure", spy)
    args = ["--log", "--batches", "9", "--batches", "1-3", "2", "--size", "6.4,3.6"]
    assert pnm.main([*args, "--title", "T", "-o", "a.png"]) == 0
    assert calls == [
        {
            "batches": (1, 2, 3, 9),
            "log": True,
            "legend": False,
            "style": None,  # the styles are applied around it, as for saving
            "size": (6.4, 3.6),
            "title": "T",
            "reproduced": None,
            "pyplot": False,
        }
    ]


def test_styles_apply_in_order_and_while_saving(cwd: Path) -> None:
    (cwd / "dpi.mplstyle").write_text("savefig.dpi: 50\n")
    assert (
        pnm.main(["--style", "classic", "--style", "dpi.mplstyle", "-o", "a.png"]) == 0
    )
    assert png_size(cwd / "a.png") == (400, 300)  # classic's 8x6 inches, at 50 dpi


def test_a_style_that_matplotlib_cannot_draw_with_is_one_line(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (cwd / "odd.mplstyle").write_text("savefig.format: nope\n")
    args = ["--style", "odd.mplstyle", "--title", "Fine", "-o", "a.png"]
    assert pnm.main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{PROG}: error: cannot draw the figure: Format 'nope'")
    assert err.count("\n") == 1
    assert listing(cwd) == ["odd.mplstyle"]


def test_transparent_files_have_no_background(cwd: Path) -> None:
    assert pnm.main(["--transparent", "-o", "a.png"]) == 0
    with Image.open(cwd / "a.png") as image:
        assert image.getpixel((0, 0))[3] == 0  # opaque white without the option


@pytest.mark.parametrize(
    ("specs", "rows"),
    [
        (["7-9"], ["7", "8", "9"]),
        (["9", "2", "8-9", "2"], ["2", "8", "9"]),
        (["1-10"], [str(b) for b in range(1, 11)]),
        (["5-5"], ["5"]),
    ],
)
def test_csv_prints_the_chosen_batches_sorted_each_once(
    capsys: pytest.CaptureFixture[str], specs: list[str], rows: list[str]
) -> None:
    assert pnm.main(["--csv", "--batches", *specs]) == 0
    out = capsys.readouterr().out
    assert out == pnm.table_csv([int(row) for row in rows])


def test_csv_without_batches_prints_the_plotted_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert pnm.main(["--csv"]) == 0
    assert capsys.readouterr().out == pnm.table_csv(pnm.REPRESENTATIVE_BATCHES)


def test_main_reads_sys_argv_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", [PROG, "--csv", "--batches", "3"])
    assert pnm.main() == 0
    assert capsys.readouterr().out == pnm.table_csv([3])


# -- Standard output that no one reads -----------------------------------------


def test_csv_whose_reader_has_gone_ends_quietly_with_status_1(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = run_script("--csv", cwd=tmp_path, stdout=write_end)
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (1, "")


# -- Bad input -------------------------------------------------------------------

USAGE_ERRORS = [
    (["--dpi", "0"], "argument --dpi: expected a positive number, not '0'"),
    (["--dpi", "nan"], "argument --dpi: expected a positive number, not 'nan'"),
    (["--dpi", "inf"], "argument --dpi: expected a positive number, not 'inf'"),
    (["--dpi", "high"], "argument --dpi: expected a positive number, not 'high'"),
    (["--batches", "0"], "argument --batches: '0' is not a mini-batch"),
    (["--batches", "11"], "argument --batches: '11' is not a mini-batch"),
    (["--batches", "1-11"], "argument --batches: '1-11' is not a mini-batch"),
    (["--batches", "9-7"], "argument --batches: '9-7' is not a rising range"),
    (["--batches", "7-"], "argument --batches: '7-' is not a mini-batch"),
    (["--batches", "-7"], "argument --batches: '-7' is not a mini-batch"),
    (["--batches", "seven"], "argument --batches: 'seven' is not a mini-batch"),
    (["--batches", "7.5"], "argument --batches: '7.5' is not a mini-batch"),
    (["--batches", "1_0"], "argument --batches: '1_0' is not a mini-batch"),
    (["--batches", "+7"], "argument --batches: '+7' is not a mini-batch"),
    (["--batches", "\u0667"], "argument --batches: '\u0667' is not a mini-batch"),
    (["--batches"], "argument --batches: expected at least one argument"),
    (["-o", "figure"], "argument -o/--output: 'figure' has no extension; use one of: "),
    (["-o", "figure.bmp"], "'figure.bmp' has the unsupported extension 'bmp'"),
    (["-o", "figure.pgf"], "'figure.pgf' has the unsupported extension 'pgf'"),
    (["-o", "a.png", "-o", "b.doc"], "'b.doc' has the unsupported extension 'doc'"),
    (["--style", "nosuch"], "argument --style: 'nosuch' is neither a matplotlib style"),
    (
        ["--style", "missing.mplstyle"],
        "'missing.mplstyle' is neither a matplotlib style",
    ),
    (["--style", "folder.png"], "'folder.png' is neither a matplotlib style"),
    (["--style", "bad.mplstyle"], "'bad.mplstyle': Bad key nosuch.key in file"),
    (["--style", "bad_value.mplstyle"], "'bad_value.mplstyle': Bad value in file"),
    (["--size", "6.4"], "argument --size: expected a width and a height in inches"),
    (["--size", "0,3"], "argument --size: expected a width and a height in inches"),
    (["--size", "inf,3"], "argument --size: expected a width and a height in inches"),
    (["--title", "$\\nosuch$"], "argument --title: '$\\\\nosuch$': "),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["figure.png"], "unrecognized arguments: figure.png"),
    (["--csv", "-o", "a.png"], "argument -o/--output: not allowed with --csv"),
    (["--csv", "--log"], "argument --log: not allowed with --csv"),
    (["--csv", "--legend"], "argument --legend: not allowed with --csv"),
    (["--csv", "--style", "classic"], "argument --style: not allowed with --csv"),
    (["--csv", "--show"], "argument --show: not allowed with --csv"),
    (["--csv", "--dpi", "72"], "argument --dpi: not allowed with --csv"),
    (["--csv", "--size", "3,2"], "argument --size: not allowed with --csv"),
    (["--csv", "--title", "T"], "argument --title: not allowed with --csv"),
    (["--csv", "--transparent"], "argument --transparent: not allowed with --csv"),
    (["--reproduce", "0"], "argument --reproduce: expected a whole number of runs"),
    (["--reproduce", "10001"], "argument --reproduce: expected a whole number of runs"),
    (["--reproduce", "many"], "argument --reproduce: expected a whole number of runs"),
    (["--reproduce", "2", "--seed", "-1"], "argument --seed: expected a whole number"),
    (["--reproduce", "2", "--init", "xavier"], "argument --init: invalid choice"),
    (["--reproduce", "2", "--activation", "gelu"], "argument --activation: invalid"),
    (["--seed", "3"], "argument --seed: only with --reproduce"),
    (["--init", "fan-in"], "argument --init: only with --reproduce"),
    (["--activation", "tanh"], "argument --activation: only with --reproduce"),
    (["--data", "mnist"], "argument --data: only with --reproduce"),
    (["--seed", "0"], "argument --seed: only with --reproduce"),
    (["--reproduce", "--seed", "9" * 5000], "argument --seed: expected a whole number"),
    (["--style", "fifo.mplstyle"], "'fifo.mplstyle' is neither a matplotlib style"),
    (["--init", "backprop2"], "argument --init: only with --reproduce"),
    (["--reproduce", "1", "--title", "$\\nosuch$"], "argument --title: "),
    (["--csv", "--reproduce", "2", "--log"], "argument --log: not allowed with --csv"),
]


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS)
def test_usage_errors_exit_2_with_usage_and_one_error_line(
    cwd: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (cwd / "folder.png").mkdir()
    (cwd / "bad.mplstyle").write_text("lines.linewidth: 2\nnosuch.key: 1\n")
    (cwd / "bad_value.mplstyle").write_text("lines.linewidth: wide\n")
    if hasattr(os, "mkfifo"):  # a style no one writes would be waited for
        os.mkfifo(cwd / "fifo.mplstyle")
    before = listing(cwd)
    assert pnm.main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    usage, *_, last = err.splitlines()
    assert usage.startswith(f"usage: {PROG}")
    assert last.startswith(f"{PROG}: error: ")
    assert message in last
    assert listing(cwd) == before


def test_the_unsupported_extension_error_lists_what_can_be_written(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pnm.main(["-o", "figure.bmp"]) == 2
    supported = (
        capsys.readouterr().err.rpartition("use one of: ")[2].strip().split(", ")
    )
    assert {"png", "svg", "svgz", "pdf", "eps", "ps", "jpg", "tif", "webp"} <= set(
        supported
    )
    assert "pgf" not in supported  # it needs LaTeX


WRITE_ERRORS = [
    (
        ["-o", "missing/a.png"],
        "cannot write 'missing/a.png': No such file or directory",
    ),
    (["-o", "folder.png"], "cannot write 'folder.png': Is a directory"),
    (["-o", "a.png", "-o", "missing/a.pdf"], "cannot write 'missing/a.pdf'"),
    (
        ["--dpi", "1e9", "-o", "a.png"],
        "cannot render 'a.png': 6.4e+09\u00d74.8e+09 pixels at 1e+09 dpi, "
        "and matplotlib draws 1 to 8388607 a side",
    ),
    (
        ["--dpi", "0.001", "-o", "a.png"],
        "cannot render 'a.png': 0.0064\u00d70.0048 pixels at 0.001 dpi",
    ),
    (  # long and thin: few pixels, but too many a side
        ["--size", "90000,0.02", "-o", "a.png"],
        "cannot render the figure: 9e+06\u00d72 pixels at 100 dpi, "
        "and matplotlib draws 1 to 8388607 a side",
    ),
    (  # no -o, and no window: the default PNG is checked as any output
        ["--dpi", "6000"],
        "cannot render 'nabla_magnitudes.png': 38400\u00d728800 pixels at 6000 dpi",
    ),
]


@pytest.mark.parametrize(("args", "message"), WRITE_ERRORS)
def test_write_errors_exit_1_with_one_line_and_write_nothing(
    cwd: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (cwd / "folder.png").mkdir()
    assert pnm.main(args) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"{PROG}: error: {message}")
    assert err.count("\n") == 1
    assert listing(cwd) == ["folder.png"]
    assert listing(cwd / "folder.png") == []


@in_background
def unknown_backend_run(folder: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    env = {**os.environ, "MPLBACKEND": "nosuch"}
    return run_script(cwd=folder, env=env), folder


def test_an_unknown_backend_is_one_line_too(
    unknown_backend_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, folder = unknown_backend_run
    assert result.returncode == 1
    assert result.stderr.startswith(f"{PROG}: error: cannot import matplotlib: ")
    assert "'nosuch' is not a valid value for backend" in result.stderr
    assert result.stderr.count("\n") == 1
    assert (result.stdout, listing(folder)) == ("", [])


# -- What needs no matplotlib does not import it --------------------------------


@in_background
def no_drawing_runs(folder: Path) -> subprocess.CompletedProcess[str]:
    # One process, many runs: a module imported by any of them stays in
    # sys.modules.
    probe = """
import contextlib, io, sys
import plot_nabla_magnitudes as pnm
pnm.table_csv(), pnm.hidden_layer_norms(7), pnm.growth_per_layer(7)
for args in [["--help"], ["--csv"], ["--csv", "--batches", "1-10"], ["--bogus"],
             ["--dpi", "0"], ["--batches", "9-7"], ["--csv", "--log"],
             ["--reproduce", "0"], ["--seed", "2"], ["--reproduce", "--init", "x"]]:
    with contextlib.redirect_stdout(io.StringIO()), \\
         contextlib.redirect_stderr(io.StringIO()):
        pnm.main(args)
print(sorted(m for m in sys.modules if m.startswith(("matplotlib", "numpy"))))
"""
    env = {**os.environ, "PYTHONPATH": str(SCRIPT.parent)}
    return run_python("-c", probe, cwd=folder, env=env)


def test_nothing_that_draws_nothing_imports_matplotlib_or_numpy(
    no_drawing_runs: subprocess.CompletedProcess[str],
) -> None:
    assert (no_drawing_runs.stdout, no_drawing_runs.stderr) == ("[]\n", "")


def test_warnings_come_in_one_line_as_errors_do(tmp_path: Path) -> None:
    # What matplotlib warns of (a missing glyph, a style's stray setting)
    # reaches the user as the program's errors do.
    program = """
import sys, warnings
import plot_nabla_magnitudes as pnm
pnm.main = lambda argv: warnings.warn("two\\nlines \\x07") or 0
sys.exit(pnm._run_as_a_program())
"""
    env = {**os.environ, "PYTHONPATH": str(SCRIPT.parent)}
    result = run_python("-c", program, cwd=tmp_path, env=env)
    assert (result.returncode, result.stderr) == (
        0,
        f"{PROG}: warning: two\\x0alines \\x07\n",
    )
