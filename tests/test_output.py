"""Files: every format, the same bytes on every run, written whole or not at all."""

from __future__ import annotations

import errno
import gzip
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from support import PROG, SCRIPT, listing

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
RAW_SIZE = 640 * 480 * 4


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("fmt", pnm.supported_formats())
def test_every_supported_format_is_written_as_that_format(cwd: Path, fmt: str) -> None:
    assert pnm.main(["-o", f"figure.{fmt}"]) == 0
    data = (cwd / f"figure.{fmt}").read_bytes()
    if fmt in ("raw", "rgba"):
        assert len(data) == RAW_SIZE
    else:
        assert any(data.startswith(magic) for magic in MAGIC[fmt]), data[:16]
    if fmt == "webp":
        assert data[8:12] == b"WEBP"
    if fmt == "avif":
        assert data[4:12] == b"ftypavif"
    if fmt == "svgz":
        assert gzip.decompress(data).lstrip().startswith(b"<?xml")
    assert listing(cwd) == [f"figure.{fmt}"]


def test_the_core_formats_are_supported() -> None:
    core = {"png", "svg", "pdf", "eps", "ps", "jpg", "jpeg", "tif", "tiff", "webp"}
    assert core | {"svgz"} <= set(pnm.supported_formats())
    assert "pgf" not in pnm.supported_formats()  # it needs LaTeX


@pytest.mark.parametrize("fmt", pnm.supported_formats())
def test_rendering_twice_gives_the_same_bytes(fmt: str) -> None:
    first = pnm.render(pnm.make_figure(log=True, legend=True), fmt)
    second = pnm.render(pnm.make_figure(log=True, legend=True), fmt)
    assert first == second


def test_files_carry_no_date() -> None:
    fig = pnm.make_figure()
    assert b"CreationDate" not in pnm.render(fig, "pdf")
    assert b"%%CreationDate" not in pnm.render(fig, "eps")
    assert b"%%CreationDate" not in pnm.render(fig, "ps")
    assert b"<dc:date>" not in pnm.render(fig, "svg")
    assert pnm.render(fig, "svgz")[4:8] == b"\x00\x00\x00\x00"  # gzip mtime


def test_separate_runs_give_byte_identical_files(tmp_path: Path) -> None:
    formats = ["png", "svg", "svgz", "pdf", "eps", "ps"]
    args = [arg for fmt in formats for arg in ("-o", f"figure.{fmt}")]
    folders = [tmp_path / "first", tmp_path / "second"]
    processes = []
    for folder in folders:
        folder.mkdir()
        command = [sys.executable, str(SCRIPT), *args, "--log", "--legend"]
        processes.append(subprocess.Popen(command, cwd=folder))
    assert [p.wait(timeout=120) for p in processes] == [0, 0]
    for fmt in formats:
        first, second = ((f / f"figure.{fmt}").read_bytes() for f in folders)
        assert first == second, fmt


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


def test_one_failing_output_writes_none_of_them(
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


def test_an_existing_file_is_replaced_whole_and_keeps_its_permissions(
    cwd: Path,
) -> None:
    target = cwd / "figure.png"
    target.write_bytes(b"x" * 1_000_000)
    target.chmod(0o640)
    assert pnm.main(["-o", "figure.png"]) == 0
    assert target.read_bytes() == pnm.render(pnm.make_figure(), "png")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_new_file_gets_the_usual_permissions(cwd: Path) -> None:
    umask = os.umask(0o022)
    try:
        assert pnm.main(["-o", "figure.png"]) == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE((cwd / "figure.png").stat().st_mode) == 0o644


def test_a_symbolic_link_is_written_through(cwd: Path) -> None:
    (cwd / "real").mkdir()
    (cwd / "link.png").symlink_to(cwd / "real" / "figure.png")
    assert pnm.main(["-o", "link.png"]) == 0
    assert (cwd / "link.png").is_symlink()
    assert (cwd / "real" / "figure.png").read_bytes().startswith(b"\x89PNG")
    assert listing(cwd / "real") == ["figure.png"]


def test_processes_writing_one_path_at_once_leave_one_whole_file(
    tmp_path: Path,
) -> None:
    args = [sys.executable, str(SCRIPT), "-o", "figure.png"]
    processes = [subprocess.Popen(args, cwd=tmp_path) for _ in range(3)]
    assert [p.wait(timeout=120) for p in processes] == [0, 0, 0]
    expected = pnm.render(pnm.make_figure(), "png")
    assert (tmp_path / "figure.png").read_bytes() == expected
    assert listing(tmp_path) == ["figure.png"]
