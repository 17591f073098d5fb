"""The command line: every option, from main() and from a shell, and its errors."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib.style
import pytest
from PIL import Image
from support import (
    PROG,
    SCRIPT,
    headless_env,
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


def test_headless_run_writes_the_faithful_png_and_says_where(
    tmp_path: Path, original_figure
) -> None:
    result = run_script(cwd=tmp_path, env=headless_env())
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "nabla_magnitudes.png\n"
    assert listing(tmp_path) == ["nabla_magnitudes.png"]
    with Image.open(tmp_path / "nabla_magnitudes.png") as image:
        assert image.format == "PNG"
        written = image.size, image.convert("RGBA").tobytes()
    assert written == pixels(original_figure)


@pytest.mark.parametrize("backend", ["agg", "Agg", "svg", "pdf"])
def test_a_non_interactive_backend_writes_the_default_png(
    cwd: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
) -> None:
    monkeypatch.setattr(plt, "show", lambda: pytest.fail("nothing can be shown"))
    plt.switch_backend(backend)
    try:
        assert pnm.main([]) == 0
    finally:
        plt.switch_backend("agg")
    assert capsys.readouterr().out == "nabla_magnitudes.png\n"
    assert png_size(cwd / "nabla_magnitudes.png") == (640, 480)


def test_without_outputs_a_window_opens_and_nothing_is_written(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = []
    monkeypatch.setattr(pnm, "_can_show", lambda: True)
    monkeypatch.setattr(plt, "show", lambda: shown.append(plt.get_fignums()))
    assert pnm.main([]) == 0
    assert listing(cwd) == []
    assert len(shown) == 1
    (num,) = shown[0]
    assert len(plt.figure(num).axes[0].get_lines()) == 3


def test_show_writes_the_files_first_then_opens_the_window(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = []
    monkeypatch.setattr(pnm, "_can_show", lambda: True)
    monkeypatch.setattr(plt, "show", lambda: seen.append(listing(cwd)))
    assert pnm.main(["--show", "-o", "a.png", "-o", "a.pdf"]) == 0
    assert seen == [["a.pdf", "a.png"]]


def test_show_where_no_window_can_open_is_an_error(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pnm.main(["--show", "-o", "a.png"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{PROG}: error: cannot open a window")
    assert err.count("\n") == 1
    assert listing(cwd) == []


# -- Options -------------------------------------------------------------------


def test_outputs_in_several_formats_and_their_paths_printed(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pnm.main(["-o", "a.png", "--output", "b.SVG", "-o", "c.pdf"]) == 0
    assert capsys.readouterr().out == "a.png\nb.SVG\nc.pdf\n"
    assert (cwd / "a.png").read_bytes().startswith(b"\x89PNG")
    assert (cwd / "b.SVG").read_bytes().lstrip().startswith(b"<?xml")
    assert (cwd / "c.pdf").read_bytes().startswith(b"%PDF-")
    assert listing(cwd) == ["a.png", "b.SVG", "c.pdf"]


def test_the_same_output_twice_is_written_once(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pnm.main(["-o", "a.png", "-o", "a.png"]) == 0
    assert capsys.readouterr().out == "a.png\n"


def test_outputs_are_drawn_once(cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real_draw = pnm.draw
    monkeypatch.setattr(pnm, "draw", lambda *a, **k: calls.append(real_draw(*a, **k)))
    assert pnm.main(["-o", "a.png", "-o", "a.svg", "-o", "a.pdf"]) == 0
    assert len(calls) == 1


@pytest.mark.parametrize(("dpi", "size"), [("50", (320, 240)), ("200", (1280, 960))])
def test_dpi_sets_the_raster_size(cwd: Path, dpi: str, size: tuple[int, int]) -> None:
    assert pnm.main(["--dpi", dpi, "-o", "a.png"]) == 0
    assert png_size(cwd / "a.png") == size


def test_default_size_is_the_figure_s(cwd: Path) -> None:
    assert pnm.main(["-o", "a.png"]) == 0
    assert png_size(cwd / "a.png") == (640, 480)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ([], {}),
        (["--log"], {"log": True}),
        (["--legend"], {"legend": True}),
        (["--log", "--legend"], {"log": True, "legend": True}),
        (["--batches", "2", "7-9"], {"batches": (2, 7, 8, 9)}),
        (["--batches", "1-10", "--legend"], {"batches": range(1, 11), "legend": True}),
        (["--batches", "9", "--batches", "7"], {"batches": (7, 9)}),
        (["--style", "ggplot", "--log"], {"style": "ggplot", "log": True}),
    ],
)
def test_each_option_draws_what_make_figure_draws(
    cwd: Path, args: list[str], kwargs: dict[str, object]
) -> None:
    assert pnm.main([*args, "-o", "a.png"]) == 0
    assert (cwd / "a.png").read_bytes() == pnm.render(pnm.make_figure(**kwargs), "png")


def test_every_option_at_once_from_a_shell(tmp_path: Path) -> None:
    args = ["--log", "--legend", "--batches", "2", "7-9", "--style", "classic"]
    result = run_script(
        *args, "--dpi", "50", "-o", "a.png", "-o", "a.pdf", cwd=tmp_path
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "a.png\na.pdf\n",
        "",
    )
    with matplotlib.style.context("classic"):  # as make_figure's docstring says
        fig = pnm.make_figure((2, 7, 8, 9), log=True, legend=True, style="classic")
        assert (tmp_path / "a.png").read_bytes() == pnm.render(fig, "png", dpi=50)
        assert (tmp_path / "a.pdf").read_bytes() == pnm.render(fig, "pdf", dpi=50)


def test_options_change_the_figure(cwd: Path) -> None:
    # Guards the test above: the views must differ from the default.
    outputs = {}
    for name, args in {
        "default": [],
        "log": ["--log"],
        "legend": ["--legend"],
        "batches": ["--batches", "1-3"],
        "style": ["--style", "classic"],
    }.items():
        assert pnm.main([*args, "-o", f"{name}.png"]) == 0
        outputs[name] = (cwd / f"{name}.png").read_bytes()
    assert len(set(outputs.values())) == len(outputs)


def test_style_classic_and_default_are_accepted(cwd: Path) -> None:
    assert pnm.main(["--style", "classic", "-o", "c.png"]) == 0
    assert pnm.main(["--style", "default", "-o", "d.png"]) == 0
    assert png_size(cwd / "c.png") == (800, 600)  # classic: 8x6 in, savefig at 100


def test_csv_prints_the_chosen_batches(capsys: pytest.CaptureFixture[str]) -> None:
    assert pnm.main(["--csv"]) == 0
    assert capsys.readouterr().out == pnm.table_csv(pnm.REPRESENTATIVE_BATCHES)
    assert pnm.main(["--csv", "--batches", "2", "7-9"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert [row.split(",")[0] for row in rows] == ["2", "7", "8", "9"]


def test_csv_of_every_batch_reads_back_as_the_record(
    tmp_path: Path,
) -> None:
    result = run_script("--csv", "--batches", "1-10", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    rows = [line.split(",") for line in result.stdout.splitlines()[1:]]
    assert tuple(tuple(float(v) for v in row[1:]) for row in rows) == pnm.NABLA_W_NORMS
    assert listing(tmp_path) == []


def test_csv_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", "-c", f"'{sys.executable}' '{SCRIPT}' --csv --batches 1-10 | head -1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (
        result.stdout == "mini_batch,layer_1,layer_2,layer_3,layer_4,layer_5,layer_6\n"
    )
    assert result.stderr == ""


def test_csv_into_a_pipe_already_closed_gives_no_traceback(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = run_script("--csv", cwd=tmp_path, stdout=write_end)
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == 1


def test_files_are_written_even_if_no_one_reads_their_paths(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = run_script("-o", "a.png", cwd=tmp_path, stdout=write_end)
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (0, "")
    assert png_size(tmp_path / "a.png") == (640, 480)


def test_main_reads_sys_argv_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", [PROG, "--csv", "--batches", "3"])
    assert pnm.main() == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("3,")


def test_help_lists_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert pnm.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: {PROG}")
    for option in ["--output", "--dpi", "--log", "--legend", "--batches", "--style"]:
        assert option in out
    assert "--show" in out and "--csv" in out


# -- Bad input -------------------------------------------------------------------

USAGE_ERRORS = [
    (["--dpi", "0"], "argument --dpi: expected a positive number, not '0'"),
    (["--dpi", "-5"], "argument --dpi: expected a positive number, not '-5'"),
    (["--dpi", "nan"], "argument --dpi: expected a positive number, not 'nan'"),
    (["--dpi", "inf"], "argument --dpi: expected a positive number, not 'inf'"),
    (["--dpi", "high"], "argument --dpi: expected a positive number, not 'high'"),
    (["--dpi"], "argument --dpi: expected one argument"),
    (["--batches", "0"], "argument --batches: '0' is not a mini-batch"),
    (["--batches", "11"], "argument --batches: '11' is not a mini-batch"),
    (["--batches", "9-7"], "argument --batches: '9-7' is not a mini-batch"),
    (["--batches", "seven"], "argument --batches: 'seven' is not a mini-batch"),
    (["--batches", "7-"], "argument --batches: '7-' is not a mini-batch"),
    (["--batches"], "argument --batches: expected at least one argument"),
    (["-o", "figure"], "argument -o/--output: 'figure' has no extension; use one of: "),
    (["-o", "figure.bmp"], "'figure.bmp' has the unsupported extension 'bmp'"),
    (["-o", "figure.pgf"], "'figure.pgf' has the unsupported extension 'pgf'"),
    (["-o", "a.png", "-o", "b.doc"], "'b.doc' has the unsupported extension 'doc'"),
    (["-o", ""], "argument -o/--output: '' has no extension"),
    (["--style", "nosuch"], "argument --style: unknown style 'nosuch'; use one of: "),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["figure.png"], "unrecognized arguments: figure.png"),
    (["--csv", "-o", "a.png"], "argument -o/--output: not allowed with --csv"),
    (["--csv", "--log"], "argument --log: not allowed with --csv"),
    (["--csv", "--show"], "argument --show: not allowed with --csv"),
    (["--csv", "--dpi", "72"], "argument --dpi: not allowed with --csv"),
]


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS)
def test_usage_errors_exit_2_with_usage_and_one_error_line(
    cwd: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert pnm.main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"usage: {PROG}")
    last = err.splitlines()[-1]
    assert last.startswith(f"{PROG}: error: ")
    assert message in last
    assert listing(cwd) == []


def test_the_unsupported_extension_error_lists_the_supported_ones(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pnm.main(["-o", "figure.bmp"])
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.endswith("use one of: " + ", ".join(pnm.supported_formats()))
    for fmt in ["png", "svg", "pdf", "eps", "ps", "jpg", "jpeg", "tif", "tiff", "webp"]:
        assert fmt in pnm.supported_formats()


WRITE_ERRORS = [
    (
        ["-o", "missing/a.png"],
        "cannot write 'missing/a.png': No such file or directory",
    ),
    (["-o", "folder.png"], "cannot write 'folder.png': Is a directory"),
    (["-o", "a.png", "-o", "missing/a.pdf"], "cannot write 'missing/a.pdf'"),
    (["--dpi", "1e9", "-o", "a.png"], "cannot render 'a.png': --dpi 1e+09 makes it "),
    (["--dpi", "0.001", "-o", "a.png"], "cannot render 'a.png': --dpi 0.001 makes it "),
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


@pytest.mark.parametrize(
    ("args", "status"),
    [(["--batches", "11"], 2), (["-o", "a.xyz"], 2), (["-o", "missing/a.png"], 1)],
)
def test_a_person_never_sees_a_traceback(
    tmp_path: Path, args: list[str], status: int
) -> None:
    result = run_script(*args, cwd=tmp_path)
    assert result.returncode == status
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith(f"{PROG}: error: ")
    assert result.stdout == ""
    assert listing(tmp_path) == []


def test_an_unknown_backend_is_one_line_too(tmp_path: Path) -> None:
    env = {**os.environ, "MPLBACKEND": "nosuchbackend"}
    result = run_script(cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{PROG}: error: matplotlib cannot start: ")
    assert result.stderr.count("\n") == 1
    assert listing(tmp_path) == []


# -- What needs no matplotlib does not import it --------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--csv"],
        ["--csv", "--batches", "1-10"],
        ["--bogus"],
        ["--dpi", "0"],
        ["--batches", "9-7"],
        ["--csv", "--log"],
    ],
)
def test_no_matplotlib_where_no_figure_is_needed(
    tmp_path: Path, args: list[str]
) -> None:
    result = run_python("-X", "importtime", str(SCRIPT), *args, cwd=tmp_path)
    imported = [
        line.rsplit("|", 1)[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    ]
    assert "argparse" in imported  # the probe works
    assert [name for name in imported if "matplotlib" in name] == []


def test_the_probe_sees_matplotlib_when_a_figure_is_drawn(tmp_path: Path) -> None:
    # Guards the test above.
    result = run_python("-X", "importtime", str(SCRIPT), "-o", "a.png", cwd=tmp_path)
    assert "matplotlib.figure" in result.stderr
