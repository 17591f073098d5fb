"""Files: every format, the same bytes on every run, each written whole."""

import contextlib
import gzip
import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from matplotlib.backend_bases import FigureCanvasBase
from PIL import Image
from support import PROG, listing, run_script

import plot_nabla_magnitudes as pnm

# How each vector file begins; the rasters are as Pillow reads them.
MAGIC = dict(pdf=b"%PDF-", svg=b"<?xml", eps=b"%!PS-Adobe-3.0 EPSF", ps=b"%!PS-")
# Every format matplotlib writes here without LaTeX, an extension in capitals too.
FORMATS = sorted(set(FigureCanvasBase.get_supported_filetypes()) - {"pgf"})
PATHS = [f"figure.{fmt}" for fmt in FORMATS] + ["FIGURE.SVG"]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A folder where this process has written every format, and what it said."""
    folder, printed = tmp_path_factory.mktemp("formats"), io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stdout(printed):
        assert pnm.main([arg for path in PATHS for arg in ("-o", path)]) == 0
    return folder, printed.getvalue()


def test_every_format_is_written_as_its_extension_says_and_its_path_printed(
    written: tuple[Path, str],
) -> None:
    folder, printed = written
    assert printed == "".join(f"{path}\n" for path in PATHS)
    assert listing(folder) == sorted(PATHS)
    svg = gzip.decompress((folder / "figure.svgz").read_bytes())
    for path, fmt in zip(PATHS, [*FORMATS, "svg"]):
        data = svg if fmt == "svgz" else (folder / path).read_bytes()
        if fmt in MAGIC or fmt == "svgz":
            assert data.startswith(MAGIC.get(fmt, b"<?xml")), path
        elif fmt in ("raw", "rgba"):  # bare pixels
            assert len(data) == 640 * 480 * 4
        else:
            with Image.open(folder / path) as image:
                name = {"jpg": "JPEG", "tif": "TIFF"}.get(fmt, fmt.upper())
                assert (image.format, image.size) == (name, (640, 480)), path


DEFAULT = (
    "The norm of the weight gradient of hidden layers 1 to 4, for mini-batches "
    "7, 8 and 9, as Michael Nielsen recorded it in 2013"
)


def said(path: Path) -> str:
    """What a file says about itself, read as a reader's tool reads it."""
    fmt = path.suffix[1:].lower()
    with Image.open(path) if fmt in PILLOW else contextlib.nullcontext() as image:
        if fmt == "png":
            return " ".join(image.text.values())
        if fmt == "gif":
            return str(image.info["comment"].decode())
        if fmt in PILLOW:
            return str(image.getexif()[0x010E])  # EXIF's ImageDescription
    data = path.read_bytes()
    return (gzip.decompress(data) if fmt == "svgz" else data).decode("latin-1")


# The rasters written by Pillow, but the bare pixels of raw and rgba.
PILLOW = ["avif", "gif", "jpeg", "jpg", "png", "tif", "tiff", "webp"]


def test_every_file_says_what_it_shows_and_where_its_numbers_come_from(
    written: tuple[Path, str],
) -> None:
    for path in PATHS:
        if path.endswith((".raw", ".rgba")):
            continue
        text = said(written[0] / path)
        for part in (DEFAULT, "Michael Nielsen", "MIT licence", "Made with"):
            assert part in text, path
        if path.endswith((".svg", ".svgz", ".SVG")):  # as screen readers read it
            assert f"<title>{DEFAULT}</title>\n <desc>The numbers are" in text
        if path.endswith((".eps", ".ps")):
            assert f"%%Title: {DEFAULT}\n" in text
            assert f"%%Creator: {PROG}\n%%" in text and "%%Subject: The numbers" in text


@pytest.mark.parametrize("fmt", ["png", "pdf", "svg", "eps", "ps"])
def test_make_figure_s_users_get_the_description_for_savefig(
    fmt: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path, said_in_it = tmp_path / f"fig.{fmt}", pnm.metadata(fmt, title="T")
    pnm.make_figure(title="T").savefig(path, metadata=said_in_it)
    if fmt in ("eps", "ps"):  # savefig writes the creator, and the rest is the DSC's
        assert f"%%Creator: {PROG}\n" in said(path)
        assert (said_in_it["Title"], said_in_it["Subject"][:16]) == (
            "T",
            "The numbers are ",
        )
    else:
        assert "The numbers are Michael Nielsen's" in said(path)
    assert caplog.records == []


# Titles of each kind that a user may type: backslash escapes (which a pattern's
# replacement would read), two lines, quotes and markup, other scripts, and one
# far longer than a line of PostScript's header.
TITLES = [
    r"$\nabla C^l_w$ per layer \Vert \g<0> \1 %%EndComments",
    "\"Café\" – ×4\n'ü' <b>&amp;</b> αβγ",
    "gradient " * 40,
]
# File names with a newline or an escape character, which the command records.
NAMES = ["a\nb.eps", "c\x1bd.ps", "e\x1bf\uffff.svg", "g\nh.pdf"]


@pytest.fixture(scope="module")
def titled(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Path]]:
    """For each title, a folder where the four vector formats are written."""
    folders = []
    for title in TITLES:
        folder = tmp_path_factory.mktemp("titled")
        with contextlib.chdir(folder), contextlib.redirect_stdout(io.StringIO()):
            assert (
                pnm.main(["--title", title, *(a for n in NAMES for a in ("-o", n))])
                == 0
            )
        folders.append((title, folder))
    return folders


def dsc_comments(path: Path) -> dict[str, str]:
    """A PostScript file's header comments, each with its %%+ lines joined."""
    first, *lines = path.read_bytes().split(b"\n%%EndComments")[0].decode().splitlines()
    assert first.startswith("%!PS-Adobe-3.0")
    assert all(line.startswith("%%") and len(line) <= 255 for line in lines), path
    comments, key = {}, ""
    for line in lines:
        if line.startswith("%%+ "):
            comments[key] += " " + line[4:]
        else:
            key, _, comments[key] = line[2:].partition(": ")
    return comments


@pytest.mark.skipif(sys.platform == "win32", reason="newlines in file names")
def test_any_title_and_file_name_go_into_each_format_s_metadata_as_it_carries_text(
    titled: list[tuple[str, Path]],
) -> None:
    for title, folder in titled:
        eps, ps, svg, _ = (folder / name for name in NAMES)
        for header in (dsc_comments(eps), dsc_comments(ps)):
            assert header["Creator"] == PROG
            assert header["Title"] == " ".join(
                pnm.metadata("ps", title=title)["Title"].split()
            )
            assert (
                "--title" in header["Subject"]
                and "e\\x1bf\\uffff.svg" in header["Subject"]
            )
        root = ElementTree.parse(svg).getroot()
        (text,) = [e.text for e in root.iter() if e.tag.endswith("}title")][:1]
        desc = "".join(e.text or "" for e in root.iter() if e.tag.endswith("}desc"))
        assert (text, "c\\x1bd.ps" in desc) == (title, True)


READERS = [name for name in ("gs", "pdfinfo") if not shutil.which(name)]


@pytest.mark.skipif(sys.platform == "win32", reason="newlines in file names")
@pytest.mark.skipif(
    bool(READERS),
    reason=f"needs Ghostscript and pdfinfo; missing: {', '.join(READERS)} "
    "(on Debian: apt-get install ghostscript poppler-utils)",
)
def test_any_title_and_file_name_make_files_that_ghostscript_and_pdfinfo_read(
    titled: list[tuple[str, Path]],
) -> None:
    for title, folder in titled:
        eps, ps, _, pdf = (folder / name for name in NAMES)
        for path in (eps, ps):
            gs = ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=nullpage"]
            read = subprocess.run([*gs, path], capture_output=True, text=True)
            assert (read.returncode, read.stdout, read.stderr) == (0, "", ""), path
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True)
        first = info.stdout.split("\n", 1)[0].removeprefix("Title:").strip()
        assert (info.returncode, first) == (0, title.split("\n")[0].strip())


def test_separate_runs_give_byte_identical_files(
    written: tuple[Path, str], tmp_path: Path
) -> None:
    # The same command in another process, at another time, with another hash
    # seed: dates, ids and the order of a font's glyphs could differ.
    other = run_script(*(arg for path in PATHS for arg in ("-o", path)), cwd=tmp_path)
    assert other.returncode == 0, other.stderr
    for path in PATHS:
        data = (tmp_path / path).read_bytes()
        assert (written[0] / path).read_bytes() == data, path


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_replaced_file_keeps_its_permissions_and_a_new_one_gets_the_usual(
    cwd: Path,
) -> None:
    (cwd / "old.png").write_bytes(b"the user's own")
    (cwd / "old.png").chmod(0o640)
    umask = os.umask(0o022)
    try:
        assert pnm.main(["-o", "old.png", "-o", "new.png"]) == 0
    finally:
        os.umask(umask)
    assert (cwd / "old.png").read_bytes() == (cwd / "new.png").read_bytes()
    assert stat.S_IMODE((cwd / "old.png").stat().st_mode) == 0o640
    assert stat.S_IMODE((cwd / "new.png").stat().st_mode) == 0o644


@pytest.mark.skipif(sys.platform == "win32", reason="needs resource limits")
def test_a_full_disk_leaves_the_old_file_no_temporary_and_says_what_was_written(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import resource  # files of at most 20 kB for a moment: the PDF fits, the PNG not

    (cwd / "b.png").write_bytes(b"the user's own figure")
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, limits[1]))
    try:
        status = pnm.main(["-o", "a.pdf", "-o", "b.png"])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
    out, err = capsys.readouterr()
    assert (status, out) == (1, "a.pdf\n")
    assert err == f"{PROG}: error: cannot write 'b.png': File too large\n"
    assert (cwd / "b.png").read_bytes() == b"the user's own figure"
    assert listing(cwd) == ["a.pdf", "b.png"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX links")
def test_a_file_is_replaced_whole_so_a_reader_of_the_old_one_keeps_its_bytes(
    cwd: Path,
) -> None:
    (cwd / "a.png").write_bytes(b"the user's own figure")
    os.link(cwd / "a.png", cwd / "kept.png")  # a second name for the old file
    with open(cwd / "a.png", "rb") as reader:  # and a reader holding it open
        assert pnm.main(["-o", "a.png"]) == 0
        assert reader.read() == b"the user's own figure"
    assert (cwd / "kept.png").read_bytes() == b"the user's own figure"
    assert (cwd / "a.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX links")
def test_writing_to_a_symbolic_link_replaces_the_file_it_points_to(cwd: Path) -> None:
    (cwd / "paper").mkdir()
    (cwd / "paper" / "fig.pdf").write_bytes(b"the user's own figure")
    (cwd / "fig.pdf").symlink_to(Path("paper", "fig.pdf"))
    (cwd / "new.pdf").symlink_to(Path("paper", "new.pdf"))  # to nothing, yet
    assert pnm.main(["-o", "fig.pdf", "-o", "new.pdf"]) == 0
    assert os.readlink(cwd / "fig.pdf") == os.path.join("paper", "fig.pdf")
    assert (cwd / "fig.pdf").read_bytes().startswith(b"%PDF-")
    assert listing(cwd / "paper") == ["fig.pdf", "new.pdf"]
