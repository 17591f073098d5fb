"""Files: every format, the same bytes on every run, each written whole."""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import stat
import sys
from pathlib import Path

import pytest
from matplotlib.backend_bases import FigureCanvasBase
from PIL import Image
from support import PROG, listing, run_script

import plot_nabla_magnitudes as pnm

# How each vector file begins; the rasters are as Pillow reads them.
MAGIC = {
    "pdf": b"%PDF-",
    "svg": b"<?xml",
    "eps": b"%!PS-Adobe-3.0 EPSF",
    "ps": b"%!PS-",
}
# Every format that matplotlib writes here without LaTeX, by extension, in
# upper case too, of the faithful figure.
FORMATS = sorted(set(FigureCanvasBase.get_supported_filetypes()) - {"pgf"})
PATHS = [f"figure.{fmt}" for fmt in FORMATS] + ["FIGURE.SVG"]
# Where one run could write other bytes than another: dates, ids, the order
# of a font's glyphs (the rasters are the PNG's pixels, encoded), written by
# another process, at another time, with another hash seed.
VARYING = ["figure.png", "figure.pdf", "figure.svg", "figure.svgz", "figure.eps"]
VARYING.append("figure.ps")


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


def test_separate_runs_give_byte_identical_files(
    written: tuple[Path, str], tmp_path: Path
) -> None:
    # The other run has another process, another time and another hash seed.
    other = run_script(*(arg for path in VARYING for arg in ("-o", path)), cwd=tmp_path)
    assert other.returncode == 0, other.stderr
    for path in VARYING:
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


def test_a_raster_of_a3_at_600_dpi_may_be_drawn_and_one_too_large_may_not() -> None:
    a3 = (11.69, 16.54)
    pnm.make_figure(size=a3, style={"figure.dpi": 600})
    with pytest.raises(ValueError, match="at most 100,000,000 pixels can be drawn"):
        pnm.make_figure(size=(a3[0] * 1.5, a3[1]), style={"figure.dpi": 600})
