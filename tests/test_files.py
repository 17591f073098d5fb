"""Files: every format, the same bytes on every run, each written whole."""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.backend_bases import FigureCanvasBase
from support import PROG, SCRIPT, Launched, listing

import plot_nabla_magnitudes as pnm

MAGIC = {
    "png": [b"\x89PNG\r\n\x1a\n"],
    "svg": [b"<?xml"],
    "svgz": [b"\x1f\x8b"],
    "pdf": [b"%PDF-"],
    "eps": [b"%!PS-Adobe-3.0 EPSF"],
    "ps": [b"%!PS-Adobe-3.0\n"],
    "jpg": [b"\xff\xd8\xff"],
    "jpeg": [b"\xff\xd8\xff"],
    "tif": [b"II*\x00", b"MM\x00*"],
    "tiff": [b"II*\x00", b"MM\x00*"],
    "webp": [b"RIFF"],
    "gif": [b"GIF89a", b"GIF87a"],
    "avif": [b"\x00\x00\x00"],
    "raw": [b""],  # bare pixels
    "rgba": [b""],
}
# Every format that matplotlib writes here without LaTeX, by extension, in
# upper case too; and a run of the script writing them all, in another process.
FORMATS = sorted(set(FigureCanvasBase.get_supported_filetypes()) - {"pgf"})
PATHS = [f"figure.{fmt}" for fmt in FORMATS] + ["FIGURE.SVG"]
ARGS = ["--log", "--title", "T", *(arg for path in PATHS for arg in ("-o", path))]
ANOTHER_RUN = Launched(str(SCRIPT), *ARGS)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A folder where this process has written every format, and what it said."""
    folder, printed = tmp_path_factory.mktemp("formats"), io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stdout(printed):
        assert pnm.main(ARGS) == 0
    return folder, printed.getvalue()


def test_every_format_is_written_as_its_extension_says_and_its_path_printed(
    written: tuple[Path, str],
) -> None:
    folder, printed = written
    assert printed == "".join(f"{path}\n" for path in PATHS)
    assert listing(folder) == sorted(PATHS)
    for path in PATHS:
        data = (folder / path).read_bytes()
        assert any(data.startswith(magic) for magic in MAGIC[path[7:].lower()]), path
    assert len((folder / "figure.rgba").read_bytes()) == 640 * 480 * 4
    assert gzip.decompress((folder / "figure.svgz").read_bytes()).startswith(b"<?xml")


def test_separate_runs_give_byte_identical_files(written: tuple[Path, str]) -> None:
    # The other run has another process, another time and another hash seed.
    assert ANOTHER_RUN.result.returncode == 0, ANOTHER_RUN.result.stderr
    for path in PATHS:
        data = (ANOTHER_RUN.folder / path).read_bytes()
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


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need rights")
def test_a_symbolic_link_is_written_through(cwd: Path) -> None:
    (cwd / "real").mkdir()
    (cwd / "link.png").symlink_to(cwd / "real" / "figure.png")
    assert pnm.main(["-o", "link.png"]) == 0
    assert (cwd / "link.png").is_symlink()
    assert (cwd / "real" / "figure.png").read_bytes().startswith(b"\x89PNG")
    assert listing(cwd / "real") == ["figure.png"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_what_is_not_a_regular_file_is_not_written_into(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.mkfifo(cwd / "fifo.png")  # which no one reads: writing would wait forever
    assert pnm.main(["-o", "fifo.png"]) == 1
    assert capsys.readouterr().err.endswith("'fifo.png': not a regular file\n")
    assert listing(cwd) == ["fifo.png"]


@pytest.mark.skipif(sys.platform == "win32", reason="needs resource limits")
def test_a_full_disk_leaves_the_old_file_no_temporary_and_says_what_was_written(
    tmp_path: Path,
) -> None:
    # The process may write files of at most 20 kB: the PDF fits, the PNG not,
    # as on a disk that fills up.
    (tmp_path / "b.png").write_bytes(b"the user's own figure")
    limit = "import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (20000, -1))"
    run = f"{limit}; import runpy; runpy.run_path({str(SCRIPT)!r}, run_name='__main__')"
    result = subprocess.run(
        [sys.executable, "-c", run, "-o", "a.pdf", "-o", "b.png"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stdout) == (1, "a.pdf\n")
    assert result.stderr == f"{PROG}: error: cannot write 'b.png': File too large\n"
    assert (tmp_path / "b.png").read_bytes() == b"the user's own figure"
    assert listing(tmp_path) == ["a.pdf", "b.png"]


def test_a_raster_of_a3_at_600_dpi_may_be_drawn_and_one_too_large_may_not() -> None:
    a3 = (11.69, 16.54)
    pnm.make_figure(size=a3, style={"figure.dpi": 600})
    with pytest.raises(ValueError, match="at most 100,000,000 pixels can be drawn"):
        pnm.make_figure(size=(a3[0] * 1.5, a3[1]), style={"figure.dpi": 600})
