"""The command line: every option, from main() and from a shell, and its errors."""

from __future__ import annotations

import inspect
import os
import struct
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
    Launched,
    headless_env,
    listing,
    pixels,
    run_python,
    run_script,
)

import plot_nabla_magnitudes as pnm

HEADLESS = Launched(str(SCRIPT), env=headless_env())  # a newcomer's first run


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_a_headless_run_writes_the_faithful_png_and_says_where(
    original_figure: object,
) -> None:
    result = HEADLESS.result
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "nabla_magnitudes.png\n",
        "",
    )
    assert listing(HEADLESS.folder) == ["nabla_magnitudes.png"]
    with Image.open(HEADLESS.folder / "nabla_magnitudes.png") as image:
        written = image.size, image.convert("RGBA").tobytes()
    assert written == pixels(original_figure)


@pytest.fixture
def desktop() -> Iterator[list[list[Any]]]:
    """pyplot on a backend that shows figures; what it shows, each time."""
    import desktop_backend

    plt.close("all")
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


def test_the_same_output_twice_is_written_once_from_one_figure(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    built = []
    real = pnm.make_figure
    monkeypatch.setattr(
        pnm, "make_figure", lambda *a, **k: built.append(real(*a, **k)) or built[-1]
    )
    assert pnm.main(["-o", "a.png", "-o", "a.svg", "-o", "a.png"]) == 0
    assert capsys.readouterr().out == "a.png\na.svg\n"
    assert (len(built), listing(cwd)) == (1, ["a.png", "a.svg"])


@pytest.mark.parametrize(("dpi", "size"), [("50", (320, 240)), ("150", (960, 720))])
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
    args = ["--log", "--legend", "--batches", "9", "--batches", "1-3", "2"]
    assert pnm.main([*args, "--size", "6.4,3.6", "--title", "T", "-o", "a.png"]) == 0
    assert calls == [
        {
            "batches": (1, 2, 3, 9),
            "log": True,
            "legend": True,
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


def test_a_style_s_name_is_a_style_even_beside_a_folder_of_that_name(cwd: Path) -> None:
    (cwd / "classic").mkdir()
    assert pnm.main(["--style", "classic", "-o", "a.png"]) == 0
    assert png_size(cwd / "a.png") == (800, 600)


def test_transparent_files_have_no_background(cwd: Path) -> None:
    assert pnm.main(["--transparent", "-o", "a.png"]) == 0
    with Image.open(cwd / "a.png") as image:
        assert image.getpixel((0, 0))[3] == 0  # opaque white without the option


@pytest.mark.parametrize(
    ("specs", "batches"),
    [([], (7, 8, 9)), (["9", "2", "8-9", "2"], (2, 8, 9)), (["1-10"], range(1, 11))],
)
def test_csv_prints_the_chosen_batches_sorted_each_once(
    capsys: pytest.CaptureFixture[str], specs: list[str], batches: tuple[int, ...]
) -> None:
    assert pnm.main(["--csv", *(["--batches", *specs] if specs else [])]) == 0
    assert capsys.readouterr().out == pnm.table_csv(batches)


def test_main_reads_sys_argv_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", [PROG, "--csv", "--batches", "3"])
    assert pnm.main() == 0
    assert capsys.readouterr().out == pnm.table_csv([3])


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
    (["--dpi", "high"], "argument --dpi: invalid float value: 'high'"),
    (["--batches", "0"], "argument --batches: '0' is not a mini-batch"),
    (["--batches", "1-11"], "argument --batches: '1-11' is not a mini-batch"),
    (["--batches", "9-7"], "argument --batches: '9-7' is not a mini-batch or a rising"),
    (["--batches", "seven"], "argument --batches: 'seven' is not a mini-batch"),
    (["--batches"], "argument --batches: expected at least one argument"),
    (
        ["-o", "figure"],
        "argument -o/--output: 'figure' has no extension; use avif, eps,",
    ),
    (
        ["-o", "a.png", "-o", "b.doc"],
        "argument -o/--output: 'b.doc' has the unsupported extension 'doc'",
    ),
    (
        ["-o", "figure.pgf"],
        "argument -o/--output: 'figure.pgf' has the unsupported extension 'pgf'",
    ),
    (["--style", "nosuch"], "argument --style: 'nosuch' is not a valid package style"),
    (["--style", "folder.png"], "argument --style: "),
    (["--size", "6.4"], "argument --size: expected a width and a height in inches"),
    (["--title", "\udcff"], "argument --title: '\\udcff' is not text in your encoding"),
    (["figure.png"], "unrecognized arguments: figure.png"),
    (["--csv", "-o", "a.png"], "argument --output: not allowed with --csv"),
    (["--csv", "--log"], "argument --log: not allowed with --csv"),
    (["--csv", "--style", "classic"], "argument --style: not allowed with --csv"),
    (["--reproduce", "0"], "argument --reproduce: RUNS must be from 1 to 10000"),
    (["--reproduce", "many"], "argument --reproduce: invalid int value: 'many'"),
    (["--reproduce", "2", "--seed", "-1"], "argument --seed: it must not be negative"),
    (["--reproduce", "2", "--init", "xavier"], "argument --init: invalid choice"),
    (["--seed", "0"], "argument --seed: only with --reproduce"),
    (["--data", "mnist"], "argument --data: only with --reproduce"),
    (["--csv", "--reproduce", "2", "--log"], "argument --log: not allowed with --csv"),
]


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS)
def test_usage_errors_exit_2_with_usage_and_one_error_line(
    cwd: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (cwd / "folder.png").mkdir()
    assert pnm.main(args) == 2
    out, err = capsys.readouterr()
    usage, *_, last = err.splitlines()
    assert (out, usage.split()[:2]) == ("", ["usage:", PROG])
    assert last.startswith(f"{PROG}: error: {message}")
    assert listing(cwd) == ["folder.png"]


ERRORS = [
    (
        ["-o", "missing/a.png"],
        "cannot write 'missing/a.png': No such file or directory",
    ),
    (["-o", "folder.png"], "cannot write 'folder.png': not a regular file"),
    (["--title", "$\\nosuch$", "-o", "a.png"], "cannot draw the figure: \\nosuch ^"),
    (["--size", "0,1", "-o", "a.pdf"], "cannot draw the figure: size 0\u00d71 inches"),
    (["--size", "1e-9,1"], "cannot draw the figure: size 1e-09\u00d71 inches"),
    (["--size", "300,300"], "cannot draw the figure: size 300\u00d7300 inches"),
    (["--dpi", "0", "-o", "a.png"], "cannot draw the figure: a png of 6.4\u00d74.8"),
    (  # no -o, and no window: the default PNG is checked as any output
        ["--dpi", "6000"],
        "cannot draw the figure: a png of 6.4\u00d74.8 inches at 6000 dpi is "
        "38400\u00d728800 pixels; at most 100,000,000 pixels can be drawn",
    ),
]


@pytest.mark.parametrize(("args", "message"), ERRORS)
def test_what_cannot_be_drawn_or_written_is_one_line_and_writes_nothing(
    cwd: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (cwd / "folder.png").mkdir()
    assert pnm.main(args) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"{PROG}: error: {message}")
    assert err.count("\n") == 1
    assert listing(cwd) == ["folder.png"]


def test_nothing_that_draws_nothing_imports_matplotlib_or_numpy(tmp_path: Path) -> None:
    probe = """
import contextlib, io, sys
import plot_nabla_magnitudes as pnm
pnm.table_csv(), pnm.hidden_layer_norms(7), pnm.growth_per_layer(7)
for args in [["--help"], ["--csv"], ["--csv", "--batches", "1-10"], ["--bogus"],
             ["--batches", "9-7"], ["--csv", "--log"], ["--reproduce", "0"],
             ["--seed", "2"], ["--reproduce", "--init", "x"]]:
    with contextlib.redirect_stdout(io.StringIO()), \\
         contextlib.redirect_stderr(io.StringIO()):
        pnm.main(args)
print(sorted(m for m in sys.modules if m.startswith(("matplotlib", "numpy"))))
"""
    env = {**os.environ, "PYTHONPATH": str(SCRIPT.parent)}
    result = run_python("-c", probe, cwd=tmp_path, env=env)
    assert (result.stdout, result.stderr) == ("[]\n", "")
