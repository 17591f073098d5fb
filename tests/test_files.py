"""Files: every format, what each says of itself, the same bytes, written whole."""

import contextlib
import gzip
import hashlib
import io
import os
import stat
import sys
import time
from pathlib import Path

import pytest
from matplotlib.backend_bases import FigureCanvasBase
from PIL import Image
from support import PROG, SCRIPT, listing

import plot_nabla_magnitudes as pnm

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX files and limits")
# matplotlib takes seconds to write TrueType fonts into PostScript: Type 3 here.
FAST = ["--style", "ps.fonttype=3"]
# Every format matplotlib writes here without LaTeX, an extension in capitals too.
FORMATS = sorted(set(FigureCanvasBase.get_supported_filetypes()) - {"pgf"})
PATHS = [f"figure.{fmt}" for fmt in FORMATS] + ["FIGURE.SVG"]
MAGIC = {
    "pdf": b"%PDF-",
    "svg": b"<?xml",
    "eps": b"%!PS-Adobe-3.0 EPSF",
    "ps": b"%!PS-",
}


def main(args: list[str]) -> tuple[int, str]:
    """Run the command line in this process; return its status and what it printed."""
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        status = pnm.main(args)
    return status, printed.getvalue()


def outputs(paths: list[str]) -> list[str]:
    return [arg for path in paths for arg in ("-o", path)]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A folder where this process has written every format, and what it said."""
    folder = tmp_path_factory.mktemp("formats")
    with contextlib.chdir(folder):
        status, printed = main(["--title", "T", *FAST, *outputs(PATHS)])
    assert status == 0
    return folder, printed


def test_every_format_is_written_as_its_extension_says_and_its_path_printed(
    written: tuple[Path, str],
) -> None:
    folder, printed = written
    assert printed == "".join(f"{path}\n" for path in PATHS)
    assert listing(folder) == sorted(PATHS)
    for path, fmt in zip(PATHS, [*FORMATS, "svg"]):
        data = (folder / path).read_bytes()
        if fmt in ("svgz", *MAGIC):
            data = gzip.decompress(data) if fmt == "svgz" else data
            assert data.startswith(MAGIC.get(fmt, b"<?xml")), path
        elif fmt in ("raw", "rgba"):  # bare pixels
            assert len(data) == 640 * 480 * 4
        else:
            with Image.open(folder / path) as image:
                name = {"jpg": "JPEG", "tif": "TIFF"}.get(fmt, fmt.upper())
                assert (image.format, image.size) == (name, (640, 480)), path


def test_png_pdf_and_svg_say_what_they_show_where_it_comes_from_and_how_made(
    written: tuple[Path, str],
) -> None:
    folder, _ = written
    code = hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:12]
    with Image.open(folder / "figure.png") as image:
        png = image.text
    pdf = (folder / "figure.pdf").read_bytes().decode("latin-1")
    pdf = pdf.replace("\\(", "(").replace("\\)", ")")  # as PDF escapes them
    svg = (folder / "figure.svg").read_text()
    command = " ".join(["--title", "T", *FAST, *outputs(PATHS)])
    made = f"Made with {PROG} {command} ({PROG}: SHA-256 {code})."
    assert (
        png["Title"] == "T" and "/Title (T)" in pdf and "<dc:title>T</dc:title>" in svg
    )
    for said in (png["Description"], pdf, svg):
        assert "Michael Nielsen's norms of the unregularized weight gradient" in said
        assert "MIT licence" in said and made in said.replace("\n", " ")


def test_postscript_names_the_script_as_its_creator_and_holds_no_user_text(
    written: tuple[Path, str],
) -> None:
    for path in ("figure.eps", "figure.ps"):
        header = (written[0] / path).read_bytes().split(b"%%EndComments")[0].decode()
        assert f"%%Creator: {PROG}\n" in header and "Title" not in header


@pytest.mark.parametrize("fmt", ["png", "pdf", "svg", "eps", "ps"])
def test_make_figure_s_users_get_what_a_file_says_for_savefig(
    fmt: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    said = pnm.metadata(fmt, title="T")
    pnm.make_figure(title="T").savefig(tmp_path / f"fig.{fmt}", metadata=said)
    expected = {"Creator": PROG} if fmt in ("eps", "ps") else {"Title": "T"}
    assert expected.items() <= said.items() and caplog.records == []


def test_the_same_command_writes_the_same_bytes_at_any_time(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Dates that matplotlib or gzip would write come from the clock, or from
    # SOURCE_DATE_EPOCH: a different one for each run.
    formats = ["pdf", "svg", "svgz", "eps", "ps", "png"]
    files = []
    for run, now in enumerate([1e9, 1.5e9]):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(now)))
        monkeypatch.setattr(time, "time", lambda now=now: now)
        (cwd / str(run)).mkdir()
        assert main([*FAST, *outputs([f"{run}/a.{fmt}" for fmt in formats])])[0] == 0
        files.append([(cwd / str(run) / f"a.{fmt}").read_bytes() for fmt in formats])
    assert files[0] == files[1]


def test_a_title_that_parses_is_drawn_in_every_format_wrapped_or_not(
    cwd: Path,
) -> None:
    for title in ["a $5 note " * 20 + "$\\nabla C$", "two\n$\\nabla C^l_w$ lines"]:
        assert main(["--title", title, *outputs(["a.png", "a.pdf", "a.svg"])])[0] == 0


@POSIX
def test_a_replaced_file_keeps_its_permissions_and_a_new_one_gets_the_usual(
    cwd: Path,
) -> None:
    (cwd / "old.png").write_bytes(b"the user's own")
    (cwd / "old.png").chmod(0o640)
    umask = os.umask(0o022)
    try:
        assert main(outputs(["old.png", "new.png"]))[0] == 0
    finally:
        os.umask(umask)
    assert (cwd / "old.png").read_bytes() == (cwd / "new.png").read_bytes()
    assert stat.S_IMODE((cwd / "old.png").stat().st_mode) == 0o640
    assert stat.S_IMODE((cwd / "new.png").stat().st_mode) == 0o644


@POSIX
def test_a_full_disk_leaves_every_old_file_and_no_temporary_one(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import resource  # files of at most 20 kB for a moment: the PDF fits, the PNG not

    for name in ("a.pdf", "b.png"):
        (cwd / name).write_bytes(b"the user's own figure")
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, limits[1]))
    try:
        status = pnm.main(outputs(["a.pdf", "b.png"]))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
    out, err = capsys.readouterr()
    assert (status, out, err) == (
        1,
        "",
        f"{PROG}: error: cannot write 'b.png': File too large\n",
    )
    assert listing(cwd) == ["a.pdf", "b.png"]
    assert {(cwd / n).read_bytes() for n in ("a.pdf", "b.png")} == {
        b"the user's own figure"
    }


def test_a_failure_once_files_are_moved_into_place_says_which_were(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (cwd / "folder.png").mkdir()  # a folder where a file is asked for
    assert pnm.main(outputs(["a.png", "folder.png", "b.png"])) == 1
    out, err = capsys.readouterr()
    assert out == "a.png\n" and err.startswith(
        f"{PROG}: error: cannot write 'folder.png'"
    )
    assert listing(cwd) == ["a.png", "folder.png"]


def test_a_missing_folder_is_refused_before_the_training(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The data is missing too, but only the training would find that out.
    assert pnm.main(["--reproduce", "2", "--data", "none", "-o", "none/a.png"]) == 1
    assert "cannot write 'none/a.png'" in capsys.readouterr().err


@POSIX
def test_a_file_is_replaced_whole_so_a_reader_of_the_old_one_keeps_its_bytes(
    cwd: Path,
) -> None:
    (cwd / "a.png").write_bytes(b"the user's own figure")
    os.link(cwd / "a.png", cwd / "kept.png")  # a second name for the old file
    with open(cwd / "a.png", "rb") as reader:  # and a reader holding it open
        assert main(["-o", "a.png"])[0] == 0
        assert reader.read() == b"the user's own figure"
    assert (cwd / "kept.png").read_bytes() == b"the user's own figure"
    assert (cwd / "a.png").read_bytes().startswith(b"\x89PNG")


@POSIX
def test_writing_to_a_symbolic_link_replaces_the_file_it_points_to(cwd: Path) -> None:
    (cwd / "paper").mkdir()
    (cwd / "paper" / "fig.pdf").write_bytes(b"the user's own figure")
    (cwd / "fig.pdf").symlink_to(Path("paper", "fig.pdf"))
    (cwd / "new.pdf").symlink_to(Path("paper", "new.pdf"))  # to nothing, yet
    assert main(outputs(["fig.pdf", "new.pdf"]))[0] == 0
    assert os.readlink(cwd / "fig.pdf") == os.path.join("paper", "fig.pdf")
    assert (cwd / "fig.pdf").read_bytes().startswith(b"%PDF-")
    assert listing(cwd / "paper") == ["fig.pdf", "new.pdf"]
