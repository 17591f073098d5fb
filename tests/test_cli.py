"""The command line: every option, from main() and from a shell, and its errors."""

import contextlib
import io
import os
import re
import signal
import sys
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
)

import plot_nabla_magnitudes as pnm


def test_a_headless_run_writes_the_faithful_png_and_says_where(
    tmp_path: Path, original_figure: object
) -> None:
    result = run_script(cwd=tmp_path, env=headless_env())  # a newcomer's first run
    said = (result.returncode, result.stdout, result.stderr)
    assert said == (0, "nabla_magnitudes.png\n", "")
    assert listing(tmp_path) == ["nabla_magnitudes.png"]
    with Image.open(tmp_path / "nabla_magnitudes.png") as image:
        written = image.size, image.convert("RGBA").tobytes()
    assert written == pixels(original_figure)


def test_the_options_draw_what_make_figure_draws_with_them(cwd: Path) -> None:
    args = "--log --legend --batches 9 --batches 1-3 2 --size 6.4,3.6 --title T"
    args += " --style ggplot"
    with contextlib.redirect_stdout(io.StringIO()) as said:
        assert (
            pnm.main([*args.split(), "-o", "a.png", "-o", "a.svg", "-o", "a.png"]) == 0
        )
    assert said.getvalue() == "a.png\na.svg\n"
    asked = dict(log=True, legend=True, size=(6.4, 3.6), title="T", style="ggplot")
    with Image.open(cwd / "a.png") as image:
        written = image.size, image.convert("RGBA").tobytes()
    assert written == pixels(pnm.make_figure((1, 2, 3, 9), **asked))


@pytest.mark.parametrize(
    ("args", "size", "corner"),
    [
        (["--dpi", "50"], (320, 240), 255),
        (["--transparent"], (640, 480), 0),
        # In order, and while saving: classic's 8x6 inches, at the file's 50 dpi.
        (["--style", "classic", "--style", "dpi.mplstyle"], (400, 300), 255),
        (["--style", "classic"], (800, 600), 255),  # a style, though a folder too
        (["--style", "clear.mplstyle"], (640, 480), 0),  # the style's transparency
    ],
)
def test_dpi_transparency_and_styles_set_the_png_s_pixels_and_background(
    cwd: Path, args: list[str], size: tuple[int, int], corner: int
) -> None:
    (cwd / "dpi.mplstyle").write_text("savefig.dpi: 50\n")
    (cwd / "clear.mplstyle").write_text("savefig.transparent: True\n")
    (cwd / "classic").mkdir()
    assert pnm.main([*args, "-o", "a.png"]) == 0
    with Image.open(cwd / "a.png") as image:
        assert (image.size, image.convert("RGBA").getpixel((0, 0))[3]) == (size, corner)


def test_csv_prints_all_ten_mini_batches_or_those_chosen_sorted_each_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert pnm.main(["--csv"]) == 0
    assert pnm.main(["--csv", "--batches", "9", "2", "8-9", "2"]) == 0
    assert capsys.readouterr().out == pnm.table_csv() + pnm.table_csv((2, 8, 9))


# Standard output that cannot take what is printed, with Python's buffer or not.
STANDARD_OUTPUT = [
    ("--csv", "a pipe closed", ""),  # a reader that has gone, as in `| head`: quietly
    ("--csv", "/dev/full", "No space left on device"),  # a disk that is always full
    ("--help", "/dev/full", "No space left on device"),
    ("-u --reproduce 20 --csv", "ulimit -f 20", "File too large"),  # 20 kB at most
    ("--csv", "closed", "it is closed"),  # >&-: the program starts without it
]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes, devices and limits")
@pytest.mark.parametrize(("args", "stdout", "problem"), STANDARD_OUTPUT)
def test_output_that_standard_output_cannot_take_ends_with_status_1_and_one_line(
    tmp_path: Path, args: str, stdout: str, problem: str
) -> None:
    import resource

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    kwargs: dict[str, object] = {"env": env}
    if stdout == "a pipe closed":
        read_end, kwargs["stdout"] = os.pipe()
        os.close(read_end)
    elif stdout == "/dev/full":
        kwargs["stdout"] = open("/dev/full", "w")  # noqa: SIM115
    elif stdout == "closed":
        kwargs["preexec_fn"] = lambda: os.close(1)
    else:
        kwargs["stdout"] = open(tmp_path / "out.csv", "w")  # noqa: SIM115
        limit = (20_480, resource.getrlimit(resource.RLIMIT_FSIZE)[1])
        kwargs["preexec_fn"] = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, limit)
    flags, words = args.split(" ", 1) if args.startswith("-u ") else ("-B", args)
    result = run_python(flags, str(SCRIPT), *words.split(), cwd=tmp_path, **kwargs)
    said = f"{PROG}: error: cannot write to standard output: {problem}\n"
    assert (result.returncode, result.stderr) == (1, said if problem else "")


USAGE_ERRORS = [
    ("--dpi high", "argument --dpi: expected a positive number, not 'high'"),
    ("--dpi 0", "argument --dpi: expected a positive number, not '0'"),
    ("--dpi nan", "argument --dpi: expected a positive number, not 'nan'"),
    ("--size 6.4", "argument --size: expected a positive width and height in inc"),
    ("--size 0,2", "argument --size: expected a positive width and height in inc"),
    ("--batches 0", "argument --batches: '0' is not a mini-batch"),
    ("--batches 9-7", "argument --batches: '9-7' is not a mini-batch or a range"),
    ("-o figure", "argument -o/--output: 'figure' has no extension; use "),
    ("-o a.pgf", "argument -o/--output: 'a.pgf' has the unsupported extension 'pgf'"),
    ("--style nosuch", "argument --style: 'nosuch' is not a valid package style"),
    ("--style folder.png", "argument --style: "),
    ("--csv -o a.png", "argument --output: not allowed with --csv"),
    ("--reproduce 1", "argument --reproduce: RUNS must be from 2 to 10000"),
    ("--csv --reproduce 0", "argument --reproduce: RUNS must be from 1 to 10000"),
    ("--reproduce 2 --seed -1", "argument --seed: it must not be negative"),
    ("--seed 0", "argument --seed: only with --reproduce"),
    ("--data mnist", "argument --data: only with --reproduce"),
    ("--size 1001,1", "argument --size: expected a positive width and height in inc"),
    ("--title a\x1bb", "argument --title: 'a\\x1bb' holds a control character or"),
    ("--title caf\udce9", "argument --title: 'caf\\udce9' holds a control character"),
    ("--title a\uffffb", "argument --title: 'a\\uffffb' holds a control character"),
    ("--style zero.mplstyle", "argument --style: size must be a width and height"),
]


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS)
def test_usage_errors_exit_2_with_usage_and_one_error_line(
    cwd: Path, capsys: pytest.CaptureFixture[str], args: str, message: str
) -> None:
    (cwd / "folder.png").mkdir()
    (cwd / "zero.mplstyle").write_text("figure.figsize: 0, 0\n")
    assert pnm.main(args.split()) == 2
    out, err = capsys.readouterr()
    usage, *_, last = err.splitlines()
    assert (out, usage.split()[:2]) == ("", ["usage:", PROG])
    assert last.startswith(f"{PROG}: error: {message}")
    assert listing(cwd) == ["folder.png", "zero.mplstyle"]


TOO_FEW = "a band needs 2 runs with finite, positive norms"
LOOP = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links")
ERRORS = [
    ("-o missing/a.png", "cannot write 'missing/a.png': No such file or directory"),
    ("-o folder.png", "cannot write 'folder.png': not a regular file"),
    # Every destination is checked before any file is replaced.
    ("-o keep.png -o missing/a.png", "cannot write 'missing/a.png': No such file"),
    pytest.param("-o loop.png", "cannot write 'loop.png': Too many levels", marks=LOOP),
    ("--title $\\frac{$ -o a.png", "argument --title: \\frac{ ^"),
    ("--style huge.mplstyle -o a.png", "argument --style: "),  # 1e308 points
    # Too few runs for a band: none, or one, trained to finite norms.
    ("--reproduce 2 --init standard --activation relu", f"{TOO_FEW}; 0 of 2 did"),
    ("--reproduce 3 --seed 200 --activation relu -o a.png", f"{TOO_FEW}; 1 of 3 did"),
    # Rasters too large to draw, each at its own resolution.
    (  # no -o, and no window: the default PNG, at the figure's 100 dpi
        "--size 300,300",
        "'nabla_magnitudes.png' would be 300\u00d7300 inches at 100 dpi, "
        "30000\u00d730000 pixels: at most 100,000,000 can be drawn",
    ),
    ("--dpi 6000 -o a.pdf -o a.png", "'a.png' would be 6.4\u00d74.8 inches at 6000"),
    ("--dpi 1e200 -o a.png", "'a.png' would be 6.4\u00d74.8 inches at 1e+200 dpi"),
    # Or too small, or too wide for the format; a vector format has no pixels.
    ("--dpi 0.001 -o a.pdf -o a.png", "'a.png' would be 6.4\u00d74.8 inches at 0.001"),
    ("--dpi 5 -o a.png", "'a.png' would be 6.4\u00d74.8 inches at 5 dpi, 32\u00d724 p"),
    ("--size 100,10 --dpi 200 -o a.webp", "'a.webp' would be 100\u00d710 inches at"),
    # A tight box padded by half a metre each side, at the style's 100 dpi, or grown
    # by a title that cannot wrap.
    ("--style pad.mplstyle -o a.png", "'a.png' would be 106.3\u00d7104.7 inches"),
    (f"--style tight.mplstyle --title {'x' * 300} --dpi 1000 -o a.png", "'a.png' wou"),
]


@pytest.mark.parametrize(("args", "message"), ERRORS)
def test_what_cannot_be_drawn_or_written_is_one_line_and_writes_nothing(
    cwd: Path, capsys: pytest.CaptureFixture[str], args: str, message: str
) -> None:
    (cwd / "folder.png").mkdir()
    (cwd / "keep.png").write_bytes(b"the user's own figure")
    if sys.platform != "win32":
        (cwd / "loop.png").symlink_to("loop.png")
    (cwd / "pad.mplstyle").write_text("savefig.bbox: tight\nsavefig.pad_inches: 50\n")
    (cwd / "tight.mplstyle").write_text("savefig.bbox: tight\n")
    (cwd / "huge.mplstyle").write_text("xtick.labelsize: 1e308\n")
    before = listing(cwd)
    assert pnm.main(args.split()) == 1
    out, err = capsys.readouterr()
    assert (out, err.count("\n")) == ("", 1)
    assert err.startswith(f"{PROG}: error: {message}")
    assert listing(cwd) == before
    assert (cwd / "keep.png").read_bytes() == b"the user's own figure"


@pytest.mark.parametrize(
    ("args", "written"),
    [
        ("--size 64,48 --dpi 10 -o a.tif", True),  # 640×480, the most allowed here
        ("--dpi 100.5 -o a.png", False),
        ("--dpi 100.5 -o a.svg", True),  # a vector has no pixels
        ("--style pad.mplstyle -o a.png", False),  # a tight box padded an inch
    ],
)
def test_the_raster_limit_counts_each_raster_at_its_own_resolution(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, args: str, written: bool
) -> None:
    # The default figure's pixels at most: drawn quickly, and with little memory.
    monkeypatch.setattr(pnm, "_MAX_PIXELS", 640 * 480)
    (cwd / "pad.mplstyle").write_text("savefig.bbox: tight\nsavefig.pad_inches: 1\n")
    assert pnm.main(args.split()) == (0 if written else 1)
    assert (args.split()[-1] in listing(cwd)) == written


# Those a user's mistake or a machine's fault would raise, and one that none would.
@pytest.mark.parametrize("error", [ValueError, OSError, ImportError, ZeroDivisionError])
def test_a_bug_in_the_script_s_own_drawing_code_shows_its_traceback(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    def norms(batch: int) -> tuple[float, ...]:
        raise error("a bug")

    monkeypatch.setattr(pnm, "hidden_layer_norms", norms)  # which the drawing calls
    monkeypatch.setattr(sys, "argv", [PROG, "-o", "a.png"])
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # pytest's stay
    # Out of the program, as `sys.exit(_run_as_a_program())` runs it: Python
    # prints the traceback and exits with status 1.
    with pytest.raises(error, match="a bug"):
        pnm._run_as_a_program()
    assert listing(cwd) == []


def test_the_paths_written_are_printed_as_standard_output_can_show_them(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ascii_out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", ascii_out)
    assert pnm.main(["--reproduce", "2", "-o", "\u00e9.png"]) == 0
    ascii_out.seek(0)
    said = ascii_out.read()
    assert said.endswith("\n\\xe9.png\n") and "reproduced \\xd7" in said
    assert listing(cwd) == ["\u00e9.png"]


def test_nothing_that_draws_nothing_imports_matplotlib_or_numpy(tmp_path: Path) -> None:
    probe = """
import contextlib, io, sys
import plot_nabla_magnitudes as pnm
pnm.table_csv(), pnm.hidden_layer_norms(7), pnm.growth_per_layer(7)
for args in ["--help", "--csv", "--csv --batches 1-10", "--bogus", "--batches 9-7",
             "--csv --log", "--reproduce 0", "--seed 2", "--reproduce --init x",
             "--dpi 0", "--size 0,1"]:
    with contextlib.redirect_stdout(io.StringIO()), \\
         contextlib.redirect_stderr(io.StringIO()):
        pnm.main(args.split())
print(sorted(m for m in sys.modules if m.startswith(("matplotlib", "numpy"))))
"""
    env = {**os.environ, "PYTHONPATH": str(SCRIPT.parent)}
    result = run_python("-c", probe, cwd=tmp_path, env=env)
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
    oldest = {
        f"{name}>={'.'.join(map(str, v))}" for name, v in pnm._DEPENDENCIES.items()
    }
    assert oldest == required  # as the script checks them


# A dependency missing, broken or misconfigured, or interrupted while it loads.
MULTIARRAY = "raise ImportError('numpy.core.multiarray failed to import')\n"
INTERRUPT = "import os, signal\nos.kill(os.getpid(), signal.SIGINT)\n"
CONFIGURE = "cannot configure matplotlib: "
BROKEN = [
    # No site-packages, as in a Python where nothing was installed.
    ({"-S": ""}, "cannot import: No module named 'matplotlib'; pip install -r req"),
    # A numpy whose compiled part does not match what matplotlib was built for.
    ({"numpy": MULTIARRAY}, "cannot import: numpy.core.multiarray failed to import"),
    # Ctrl-C while numpy loads, which numpy turns into an ImportError.
    ({"numpy": INTERRUPT + MULTIARRAY}, "stopped"),
    ({"MPLBACKEND": "nosuch"}, f"{CONFIGURE}Key backend: 'nosuch'"),
    # A matplotlibrc in the current folder that is not UTF-8.
    ({"matplotlibrc": b"a: \xff\n"}, f"{CONFIGURE}Cannot decode configuration file"),
    ({"matplotlib": "__version__ = '3.6.3'\n"}, "matplotlib 3.6.3 is older than 3.9"),
    ({"matplotlibrc": b"font.size: 1e308\n"}, f"{CONFIGURE}cannot convert float inf"),
    # A window's backend that is not installed, with no -o.
    ({"MPLBACKEND": "module://nosuch", "-o": "none"}, f"{CONFIGURE}No module named"),
]


@pytest.mark.skipif(sys.platform == "win32", reason="signals as POSIX has them")
@pytest.mark.parametrize(("given", "message"), BROKEN)
def test_a_broken_dependency_is_one_line(
    tmp_path: Path, given: dict[str, str | bytes], message: str
) -> None:
    env, flags = dict(os.environ), []
    for name, value in given.items():
        if isinstance(value, bytes):  # a file
            (tmp_path / name).write_bytes(value)
        elif name.startswith("-"):  # Python's option, or -o none: a window
            flags += [name] if name == "-S" else []
        elif name.isupper():  # a variable
            env[name] = value
        else:  # a package, found first, of this source alone
            (tmp_path / "site" / name).mkdir(parents=True)
            (tmp_path / "site" / name / "__init__.py").write_text(value)
            env["PYTHONPATH"] = str(tmp_path / "site")
    output = [] if "-o" in given else ["-o", "a.png"]
    args = [*flags, str(SCRIPT), "--reproduce", "2", *output]
    result = run_python(*args, cwd=tmp_path, env=env)
    assert (result.returncode, result.stdout, result.stderr.count("\n")) == (1, "", 1)
    assert result.stderr.startswith(f"{PROG}: error: {message}")
    assert "a.png" not in listing(tmp_path)


# What a machine can run out of: memory for a large raster, or file descriptors.
LIMITS = [
    ("RLIMIT_AS", 400 * 2**20, "--size 40,30 --dpi 250 -o a.png", "out of memory"),
    ("RLIMIT_NOFILE", 8, "-o a.png", "Too many open files"),
]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
@pytest.mark.parametrize(("limit", "value", "args", "message"), LIMITS)
def test_what_the_machine_runs_out_of_is_one_line(
    tmp_path: Path, limit: str, value: int, args: str, message: str
) -> None:
    import resource

    kind = getattr(resource, limit)
    lower = (value, resource.getrlimit(kind)[1])
    result = run_script(
        *args.split(), cwd=tmp_path, preexec_fn=lambda: resource.setrlimit(kind, lower)
    )
    said = (result.returncode, result.stdout, result.stderr)
    assert said == (1, "", f"{PROG}: error: {message}\n")
    assert listing(tmp_path) == []
