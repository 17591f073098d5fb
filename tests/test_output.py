"""Files: every format, the same bytes on every run, written whole or not at all."""

from __future__ import annotations

import errno
import gzip
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from support import PROG, in_background, listing, run_script

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
}


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_supported_format_is_written_as_that_format_and_its_path_printed(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    formats = pnm._supported_formats()
    paths = [f"figure.{fmt.upper() if fmt == 'svg' else fmt}" for fmt in formats]
    assert pnm.main([arg for path in paths for arg in ("-o", path)]) == 0
    assert capsys.readouterr().out == "".join(f"{path}\n" for path in paths)
    assert listing(cwd) == sorted(paths)
    for fmt, path in zip(formats, paths):
        data = (cwd / path).read_bytes()
        if fmt in ("raw", "rgba"):
            assert len(data) == 640 * 480 * 4
        else:
            assert any(data.startswith(magic) for magic in MAGIC[fmt]), fmt
    assert (cwd / "figure.webp").read_bytes()[8:12] == b"WEBP"
    assert gzip.decompress((cwd / "figure.svgz").read_bytes()).startswith(b"<?xml")
    if "avif" in formats:
        assert (cwd / "figure.avif").read_bytes()[4:12] == b"ftypavif"


def test_files_carry_no_date() -> None:
    fig = pnm.make_figure()
    assert b"CreationDate" not in pnm._render(fig, "pdf")
    assert b"%%CreationDate" not in pnm._render(fig, "eps")
    assert b"%%CreationDate" not in pnm._render(fig, "ps")
    assert b"<dc:date>" not in pnm._render(fig, "svg")
    assert pnm._render(fig, "svgz")[4:8] == b"\x00\x00\x00\x00"  # gzip mtime


REPRODUCIBLE = ["png", "svg"]  # SVG ids are where a run could differ


@in_background
def run_unread(folder: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """A run writing each reproducible format, whose printed paths no one reads."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    args = [arg for fmt in REPRODUCIBLE for arg in ("-o", f"figure.{fmt}")]
    try:
        result = run_script(
            *args, "--log", "--title", "T", cwd=folder, stdout=write_end
        )
    finally:
        os.close(write_end)
    return result, folder


def test_files_are_written_even_if_no_one_reads_their_paths(
    run_unread: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, folder = run_unread
    assert (result.returncode, result.stderr) == (0, "")
    assert listing(folder) == sorted(f"figure.{fmt}" for fmt in REPRODUCIBLE)


def test_separate_runs_give_byte_identical_files(
    run_unread: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    # This process is another run, with another hash seed.
    _, folder = run_unread
    fig = pnm.make_figure(log=True, title="T")
    for fmt in REPRODUCIBLE:
        assert (folder / f"figure.{fmt}").read_bytes() == pnm._render(fig, fmt), fmt


# -- Written whole or not at all -----------------------------------------------


def test_a_render_failing_midway_leaves_the_old_file_and_no_temporary(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (cwd / "figure.png").write_bytes(b"the user's own figure")

    def half_a_png(self: Figure, fname: object, **kwargs: object) -> None:
        fname.write(b"\x89PNG\r\n\x1a\n half")  # type: ignore[attr-defined]
        raise KeyError("something deep in a backend")

    monkeypatch.setattr(Figure, "savefig", half_a_png)
    assert pnm.main(["-o", "figure.png"]) == 1
    assert capsys.readouterr().err == (
        f"{PROG}: error: cannot render 'figure.png': 'something deep in a backend'\n"
    )
    assert (cwd / "figure.png").read_bytes() == b"the user's own figure"
    assert listing(cwd) == ["figure.png"]


def test_a_full_disk_leaves_the_old_file_and_no_temporary(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (cwd / "figure.png").write_bytes(b"the user's own figure")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    assert pnm.main(["-o", "figure.png"]) == 1
    assert capsys.readouterr().err == (
        f"{PROG}: error: cannot write 'figure.png': No space left on device\n"
    )
    assert (cwd / "figure.png").read_bytes() == b"the user's own figure"
    assert listing(cwd) == ["figure.png"]


def test_one_output_failing_to_write_writes_none_of_them(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (cwd / "a.png").write_bytes(b"old a")
    (cwd / "b.pdf").write_bytes(b"old b")
    real_fsync = os.fsync
    calls = []

    def fail_second(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fail_second)
    assert pnm.main(["-o", "a.png", "-o", "b.pdf"]) == 1
    assert (cwd / "a.png").read_bytes() == b"old a"
    assert (cwd / "b.pdf").read_bytes() == b"old b"
    assert listing(cwd) == ["a.png", "b.pdf"]


def test_a_failed_replace_leaves_no_temporary(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: str, dst: str) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), dst)

    monkeypatch.setattr(os, "replace", refuse)
    assert pnm.main(["-o", "figure.png"]) == 1
    assert listing(cwd) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_an_existing_file_is_replaced_and_keeps_its_permissions(cwd: Path) -> None:
    target = cwd / "figure.png"
    target.write_bytes(b"x" * 1_000_000)
    target.chmod(0o640)
    assert pnm.main(["-o", "figure.png"]) == 0
    assert target.read_bytes() == pnm._render(pnm.make_figure(), "png")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_new_file_gets_the_usual_permissions(cwd: Path) -> None:
    umask = os.umask(0o022)
    try:
        assert pnm.main(["-o", "figure.png"]) == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE((cwd / "figure.png").stat().st_mode) == 0o644


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need rights")
def test_a_symbolic_link_is_written_through(cwd: Path) -> None:
    (cwd / "real").mkdir()
    (cwd / "link.png").symlink_to(cwd / "real" / "figure.png")
    assert pnm.main(["-o", "link.png"]) == 0
    assert (cwd / "link.png").is_symlink()
    assert (cwd / "real" / "figure.png").read_bytes().startswith(b"\x89PNG")
    assert listing(cwd / "real") == ["figure.png"]


def test_a_reader_never_sees_a_partial_file_while_writers_race(
    tmp_path: Path,
) -> None:
    # Writers of a large and a small content take turns on one path while a
    # reader keeps reading it: every read must be one whole content.
    target = tmp_path / "figure.png"
    contents = [b"L" * 1_000_000, b"s" * 1_000]
    target.write_bytes(contents[1])
    written, failures = [], []

    def write(data: bytes) -> None:
        try:
            for _ in range(60):
                pnm._write_files({str(target): data})
                written.append(data)
        except BaseException as exc:
            failures.append(exc)

    writers = [threading.Thread(target=write, args=(data,)) for data in contents]
    seen = set()
    for writer in writers:
        writer.start()
    while any(writer.is_alive() for writer in writers):
        seen.add(target.read_bytes())
    assert failures == []
    assert len(written) == 120
    assert seen <= set(contents)
    assert listing(tmp_path) == ["figure.png"]


def test_a_vector_file_is_no_raster_whatever_the_dpi(cwd: Path) -> None:
    assert pnm.main(["--dpi", "6000", "-o", "a.pdf"]) == 0
    assert (cwd / "a.pdf").read_bytes().startswith(b"%PDF-")
