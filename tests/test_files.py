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
from matplotlib.figure import Figure
from PIL import Image
from support import PROG, SCRIPT, layout_problems, listing

import plot_nabla_magnitudes as pnm

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX files and limits")
# Every format matplotlib writes here without LaTeX, an extension in capitals too.
FORMATS = sorted(set(FigureCanvasBase.get_supported_filetypes()) - {"pgf"})
PATHS = [f"figure.{fmt}" for fmt in FORMATS] + ["FIGURE.SVG"]
# matplotlib takes a while to write TrueType fonts: Type 3 here, as test_cli's
# test of fonts is the one that needs them.
FAST = ["--style", "ps.fonttype=3", "--style", "pdf.fonttype=3"]


def main(*args):
    """Run the command line in this process; return its status and what it printed."""
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        return pnm.main([*FAST, *args]), printed.getvalue()


def outputs(*paths):
    return [arg for path in paths for arg in ("-o", path)]


@pytest.mark.slow  # many seconds: each format drawn anew
def test_every_format_is_written_as_its_extension_says_and_its_path_printed(cwd):
    assert main(*outputs(*PATHS)) == (0, "".join(f"{p}\n" for p in PATHS))
    assert listing(cwd) == sorted(PATHS)
    magic = {"pdf": b"%PDF-", "svg": b"<?xml", "eps": b"%!PS-Adobe-3.0 EPSF"}
    magic.update(ps=b"%!PS-")
    for path, fmt in zip(PATHS, [*FORMATS, "svg"]):
        data = (cwd / path).read_bytes()
        if fmt in ("svgz", *magic):
            data = gzip.decompress(data) if fmt == "svgz" else data
            assert data.startswith(magic.get(fmt, b"<?xml")), path
        elif fmt in ("raw", "rgba"):  # bare pixels
            assert len(data) == 640 * 480 * 4
        else:
            with Image.open(cwd / path) as image:
                name = {"jpg": "JPEG", "tif": "TIFF"}.get(fmt, fmt.upper())
                assert (image.format, image.size) == (name, (640, 480)), path


def test_png_pdf_and_svg_say_what_they_show_and_how_they_were_made_postscript_who(
    cwd,
):
    paths = [f"figure.{fmt}" for fmt in ("png", "pdf", "svg", "eps")]
    assert main(*outputs(*paths))[0] == 0
    with Image.open(cwd / "figure.png") as image:
        png = image.text
    pdf = (cwd / "figure.pdf").read_bytes().decode("latin-1").replace("\\(", "(")
    svg = (cwd / "figure.svg").read_text()
    code = hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:12]
    made = (
        f"Made with {PROG} {' '.join(FAST + outputs(*paths))} ({PROG}: SHA-256 {code}"
    )
    what = "The norm of the weight gradient of each hidden layer"
    assert (
        png["Title"] == what
        and f"/Title ({what})" in pdf
        and f"<dc:title>{what}<" in svg
    )
    for said in (png["Description"], pdf.replace("\\)", ")"), svg):
        assert "Michael Nielsen's norms of the unregularized weight gradient" in said
        assert "MIT licence" in said and made in said.replace("\n", " ")
    header = (cwd / "figure.eps").read_bytes().split(b"%%EndComments")[0].decode()
    assert f"%%Creator: {PROG}\n" in header and "Title" not in header  # PostScript
    for fmt in ("png", "pdf", "svg", "eps", "ps"):  # for those who call savefig
        Figure().savefig(io.BytesIO(), format=fmt, metadata=pnm.metadata(fmt))


def test_the_same_command_writes_the_same_bytes_at_any_time(cwd, monkeypatch):
    formats, files = ["pdf", "svgz", "eps"], []  # dated, gzipped, dated
    for run, now in enumerate([1e9, 1.5e9]):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(now)))
        monkeypatch.setattr(time, "time", lambda now=now: now)
        (cwd / str(run)).mkdir()
        assert main(*outputs(*(f"{run}/a.{fmt}" for fmt in formats)))[0] == 0
        files.append([(cwd / str(run) / f"a.{fmt}").read_bytes() for fmt in formats])
    assert files[0] == files[1]


def test_postscript_draws_each_see_through_band_as_its_opaque_tint(cwd):
    assert main("--reproduce", "2", "--batches", "8", "-or.eps", "-or.svg")[0] == 0
    tint = " ".join(f"{0.25 * c + 0.75:g}" for c in (0, 0.5, 0))  # green, a quarter
    assert f"{tint} setrgbcolor".encode() in (cwd / "r.eps").read_bytes()
    assert "fill-opacity: 0.25" in (cwd / "r.svg").read_text()  # see-through again


@pytest.mark.parametrize(
    "title",
    [
        "costs $5 for x_1_2 word word word word $\\nabla C$",  # plain: a $ too many
        "Norms $\\Vert \\nabla C^l_w \\Vert$ of each hidden layer $l = 1, 2, 3, 4$ "
        "of the 784-30-30-30-30-30-10 network",
    ],
)
def test_a_title_that_parses_is_drawn_whole_wrapped_or_not(cwd, title):
    assert main("--title", title, "--size", "4.8,3.6", "-o", "a.png")[0] == 0
    assert layout_problems(pnm.make_figure(title=title, size=(4.8, 3.6))) == []


@POSIX
def test_a_file_replaced_keeps_its_permissions_links_and_readers_a_new_one_the_usual(
    cwd,
):
    (cwd / "paper").mkdir()
    for name in ("old.png", "paper/fig.png"):
        (cwd / name).write_bytes(b"the user's own")
    (cwd / "old.png").chmod(0o640)
    os.link(cwd / "old.png", cwd / "kept.png")  # a second name for the old file
    (cwd / "fig.png").symlink_to(Path("paper", "fig.png"))
    umask = os.umask(0o022)
    try:
        with open(cwd / "old.png", "rb") as reader:  # and a reader holding it open
            assert main(*outputs("old.png", "new.png", "fig.png"))[0] == 0
            assert reader.read() == b"the user's own"
    finally:
        os.umask(umask)
    assert (cwd / "kept.png").read_bytes() == b"the user's own"
    assert os.readlink(cwd / "fig.png") == os.path.join("paper", "fig.png")
    new = (cwd / "new.png").read_bytes()
    assert (cwd / "old.png").read_bytes() == (cwd / "paper/fig.png").read_bytes() == new
    modes = [
        stat.S_IMODE((cwd / name).stat().st_mode) for name in ("old.png", "new.png")
    ]
    assert modes == [0o640, 0o644]


@POSIX
def test_a_full_disk_leaves_every_old_file_and_no_temporary_one(cwd, capsys):
    import resource  # files of at most 20 kB for a moment: the PDF fits, the PNG not

    for name in ("a.pdf", "b.png"):
        (cwd / name).write_bytes(b"the user's own figure")
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, limits[1]))
    try:
        status = pnm.main(outputs("a.pdf", "b.png"))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
    said = (1, "", f"{PROG}: error: cannot write 'b.png': File too large\n")
    assert (status, *capsys.readouterr()) == said and listing(cwd) == ["a.pdf", "b.png"]
    assert {(cwd / n).read_bytes() for n in ("a.pdf", "b.png")} == {
        b"the user's own figure"
    }


def test_a_failure_while_files_are_moved_into_place_says_which_were(cwd, capsys):
    (cwd / "folder.png").mkdir()  # a folder where a file is asked for
    assert pnm.main(outputs("a.png", "folder.png", "b.png")) == 1
    out, err = capsys.readouterr()
    assert (out, err.split(":")[:3]) == (
        "a.png\n",
        [PROG, " error", " cannot write 'folder.png'"],
    )
    assert listing(cwd) == ["a.png", "folder.png"]


def test_a_missing_folder_is_refused_before_the_training(cwd, capsys):
    assert pnm.main(["--reproduce", "2", "--data", "none", "-o", "none/a.png"]) == 1
    assert "cannot write 'none/a.png'" in capsys.readouterr().err
