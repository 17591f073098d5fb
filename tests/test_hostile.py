"""Nothing lost under hostile conditions: odd targets, signals, broken streams
and environments. Whole processes where a signal, a stream or an environment
is the point; the set-ups that need root skip where they cannot run."""

from __future__ import annotations

import errno
import functools
import io
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from support import (
    PROG,
    SCRIPT,
    in_background,
    listing,
    run_python,
    run_script,
    with_stand_in,
)

import plot_nabla_magnitudes as pnm

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX")


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@functools.cache
def png() -> bytes:
    return pnm._render(pnm.make_figure(), "png")


# -- Targets that are not regular files ---------------------------------------


@pytest.mark.skipif(not hasattr(os, "mknod"), reason="needs os.mknod")
def test_a_link_to_a_device_is_written_into_and_never_replaced(cwd: Path) -> None:
    node = cwd / "null"  # a device like /dev/null, of this test's own
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    (cwd / "fig.png").symlink_to(node)
    assert pnm.main(["-o", "fig.png"]) == 0
    assert stat.S_ISCHR(node.stat().st_mode)
    assert (cwd / "fig.png").is_symlink()
    assert listing(cwd) == ["fig.png", "null"]


@posix_only
def test_a_fifo_is_written_into_once_as_a_shell_redirect_would(cwd: Path) -> None:
    os.mkfifo(cwd / "fig.png")
    received = []
    reader = threading.Thread(
        target=lambda: received.append((cwd / "fig.png").read_bytes())
    )
    reader.start()
    # Two spellings of one target: it gets one figure.
    assert pnm.main(["-o", "fig.png", "-o", "./fig.png"]) == 0
    reader.join(timeout=60)
    assert received == [png()]
    assert stat.S_ISFIFO((cwd / "fig.png").stat().st_mode)
    assert listing(cwd) == ["fig.png"]


def test_a_file_its_permissions_keep_from_us_is_not_replaced(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A read-only file of someone else's, in a folder we may write in: a
    # shell's redirect could not write it, so neither does the script. (The
    # permissions are stood in for: root may write anything.)
    (cwd / "theirs.png").write_bytes(b"their figure")
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    assert pnm.main(["-o", "theirs.png"]) == 1
    assert capsys.readouterr().err == (
        f"{PROG}: error: cannot write 'theirs.png': Permission denied\n"
    )
    assert (cwd / "theirs.png").read_bytes() == b"their figure"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="giving files away needs root",
)
def test_a_replaced_file_keeps_its_owner(cwd: Path) -> None:
    (cwd / "theirs.png").write_bytes(b"their figure")
    os.chown(cwd / "theirs.png", 65534, 65534)
    assert pnm.main(["-o", "theirs.png"]) == 0
    owner = (cwd / "theirs.png").stat()
    assert (owner.st_uid, owner.st_gid) == (65534, 65534)
    assert (cwd / "theirs.png").read_bytes() == png()


@posix_only
def test_a_socket_is_refused_in_one_line(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind("fig.png")
        assert pnm.main(["-o", "fig.png"]) == 1
    assert capsys.readouterr().err == (
        f"{PROG}: error: cannot write 'fig.png': it is a socket, not a file\n"
    )
    assert stat.S_ISSOCK((cwd / "fig.png").stat().st_mode)
    assert listing(cwd) == ["fig.png"]


# -- All or nothing when a replace fails ---------------------------------------


def test_when_a_replace_fails_those_replaced_before_it_are_put_back(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (cwd / "a.png").write_bytes(b"old a")
    (cwd / "c.png").write_bytes(b"old c")
    real = os.replace

    def refuse_c(source: str, target: str) -> None:
        if target.endswith("c.png"):  # as for a file marked immutable
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), target)
        real(source, target)

    monkeypatch.setattr(os, "replace", refuse_c)
    assert pnm.main(["-o", "a.png", "-o", "b.png", "-o", "c.png"]) == 1
    assert capsys.readouterr().err == (
        f"{PROG}: error: cannot write 'c.png': Operation not permitted\n"
    )
    assert (cwd / "a.png").read_bytes() == b"old a"
    assert (cwd / "c.png").read_bytes() == b"old c"
    assert listing(cwd) == ["a.png", "c.png"]


def test_a_mount_point_that_cannot_be_replaced_leaves_every_file_as_it_was(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (cwd / "a.png").write_bytes(b"old a")
    (cwd / "b.png").write_bytes(b"old b")
    (cwd / "elsewhere").write_bytes(b"mounted")
    mount = ["mount", "--bind", str(cwd / "elsewhere"), str(cwd / "b.png")]
    if (
        not shutil.which("mount")
        or subprocess.run(mount, capture_output=True).returncode
    ):
        pytest.skip("a bind mount needs mount(8) and root")
    try:
        assert pnm.main(["-o", "a.png", "-o", "b.png"]) == 1
        assert capsys.readouterr().err == (
            f"{PROG}: error: cannot write 'b.png': Device or resource busy\n"
        )
        assert (cwd / "a.png").read_bytes() == b"old a"
        assert (cwd / "b.png").read_bytes() == b"mounted"
    finally:
        subprocess.run(["umount", str(cwd / "b.png")], check=True)
    assert listing(cwd) == ["a.png", "b.png", "elsewhere"]


# -- Signals -----------------------------------------------------------------


def stop_while_writing(folder: Path, signum: int) -> tuple[int, list[str], bytes]:
    """Run the script until it waits to write into a FIFO that no one reads,
    with a.png's new file staged beside it; then send *signum*."""
    folder.mkdir()
    (folder / "a.png").write_bytes(b"old a")
    os.mkfifo(folder / "fifo.png")
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "-o", "a.png", "-o", "fifo.png"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(name.endswith(".tmp") for name in listing(folder)):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(0.1)  # into the open() that waits for a reader
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    return process.returncode, listing(folder), err


@in_background
def stopped_while_writing(folder: Path) -> tuple[int, list[str], bytes] | None:
    if sys.platform == "win32":
        return None
    return stop_while_writing(folder / "run", signal.SIGTERM)


@posix_only
def test_sigterm_stops_it_as_ctrl_c_does_leaving_no_temporary(
    stopped_while_writing: tuple[int, list[str], bytes],
) -> None:
    # 143 is 128 + SIGTERM, as a shell reports a program it stopped.
    assert stopped_while_writing == (143, ["a.png", "fifo.png"], b"")


@posix_only
def test_a_signal_while_files_are_replaced_waits_until_all_are(tmp_path: Path) -> None:
    # SIGHUP (a closed terminal) arrives as the first of three files takes
    # its place, in a process that stops on it as the script does.
    (tmp_path / "a.png").write_bytes(b"old a")
    (tmp_path / "b.png").write_bytes(b"old b")
    program = """
import os, signal, sys
import plot_nabla_magnitudes as pnm
pnm._stop_on_signals()
real = os.replace
def replace(source, target):
    os.kill(os.getpid(), signal.SIGHUP)
    real(source, target)
os.replace = replace
try:
    pnm._write_files({name: b"new" for name in ("a.png", "b.png", "c.png")})
except KeyboardInterrupt as stop:
    sys.exit(128 + stop.signum)
"""
    env = {**os.environ, "PYTHONPATH": str(SCRIPT.parent)}
    result = run_python("-c", program, cwd=tmp_path, env=env)
    assert (result.returncode, result.stderr) == (128 + signal.SIGHUP, "")
    assert listing(tmp_path) == ["a.png", "b.png", "c.png"]
    assert {(tmp_path / n).read_bytes() for n in ("a.png", "b.png", "c.png")} == {
        b"new"
    }


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="needs SIGHUP")
def test_a_signal_ignored_as_nohup_ignores_sighup_stays_ignored() -> None:
    saved = {signum: signal.getsignal(signum) for signum in pnm._STOP_SIGNALS}
    try:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        pnm._stop_on_signals()
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) == pnm._stop
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def test_a_backup_that_cannot_be_made_leaves_nothing_behind(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # No hard links (a FAT stick), and the disk fills while copying.
    (cwd / "a.png").write_bytes(b"old a")
    (cwd / "b.png").write_bytes(b"old b")

    def no_link(source: str, target: str) -> None:
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    def full(source: str, target: str) -> None:
        Path(target).write_bytes(b"part of a copy")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "link", no_link)
    monkeypatch.setattr(shutil, "copy2", full)
    assert pnm.main(["-o", "a.png", "-o", "b.png"]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert listing(cwd) == ["a.png", "b.png"]
    assert (cwd / "a.png").read_bytes() == b"old a"


def test_two_outputs_that_are_one_file_are_refused(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (cwd / "a.png").write_bytes(b"old a")
    (cwd / "b.pdf").symlink_to("a.png")
    assert pnm.main(["-o", "a.png", "-o", "b.pdf"]) == 1
    assert capsys.readouterr().err == (
        f"{PROG}: error: cannot write 'b.pdf': it is the same file as 'a.png'\n"
    )
    assert (cwd / "a.png").read_bytes() == b"old a"


# -- Standard streams ------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_paths_that_standard_output_cannot_take_are_one_line_and_the_files_stay(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with open("/dev/full", "w") as full:  # a stream on a full disk
        monkeypatch.setattr(sys, "stdout", full)
        assert pnm.main(["-o", "a.png"]) == 1
    assert capsys.readouterr().err == (
        f"{PROG}: error: cannot write to standard output: No space left on device; "
        "the files are written\n"
    )
    assert (cwd / "a.png").read_bytes() == png()


@posix_only
def test_paths_are_printed_one_a_line_in_a_form_the_stream_can_take(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Standard output as Python makes it for PYTHONIOENCODING=ascii; a name
    # ASCII cannot spell, one with a byte that is no UTF-8 (as Python gives
    # it from the command line), and one with a newline in it.
    printed = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(printed, encoding="ascii"))
    names = ["\u00e9t\u00e9.png", os.fsdecode(b"\xff.png"), "two\nlines.png"]
    assert pnm.main([arg for name in names for arg in ("-o", name)]) == 0
    sys.stdout.flush()
    assert printed.getvalue() == b"\\xe9t\\xe9.png\n\\xff.png\ntwo\\x0alines.png\n"
    assert capsys.readouterr().err == ""
    assert sorted(os.listdir(os.fsencode(cwd))) == sorted(map(os.fsencode, names))


@posix_only
def test_csv_into_a_closed_standard_output_says_so_on_standard_error(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        ["bash", "-c", f"'{sys.executable}' '{SCRIPT}' --csv >&-"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (
        1,
        f"{PROG}: error: cannot write to standard output: it is closed\n",
    )


@posix_only
def test_with_standard_error_closed_errors_never_reach_standard_output(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        ["bash", "-c", f"'{sys.executable}' '{SCRIPT}' --batches 11 2>&-"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (2, "")


# -- Broken environments ------------------------------------------------------


def test_a_missing_matplotlib_is_named(tmp_path: Path) -> None:
    # -S: no site-packages, as in a Python where nothing was installed.
    result = run_python("-S", str(SCRIPT), "-o", "a.png", cwd=tmp_path)
    assert (result.returncode, result.stdout, listing(tmp_path)) == (1, "", [])
    assert result.stderr == (
        f"{PROG}: error: matplotlib is not installed: pip install -r requirements.txt\n"
    )


def test_a_broken_numpy_is_reported_with_its_own_message(tmp_path: Path) -> None:
    # A numpy whose compiled part does not match what matplotlib was built for.
    failure = "raise ImportError('numpy.core.multiarray failed to import')\n"
    env = with_stand_in(tmp_path, "numpy", failure)
    result = run_script("-o", "a.png", cwd=tmp_path, env=env)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"{PROG}: error: cannot import matplotlib: "
        "numpy.core.multiarray failed to import\n"
    )


@posix_only
def test_a_working_directory_that_no_longer_exists_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "gone").mkdir()
    result = subprocess.run(
        [
            "bash",
            "-c",
            f"cd gone && rmdir ../gone && exec '{sys.executable}' '{SCRIPT}' -o a.png",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"{PROG}: error: cannot write 'a.png': the working directory no longer exists\n"
    )
    assert listing(tmp_path) == []


# -- Names and sizes at the limits ------------------------------------------------


@posix_only
def test_a_file_name_as_long_as_the_system_allows_is_written(cwd: Path) -> None:
    longest = "n" * (os.pathconf(cwd, "PC_NAME_MAX") - 4) + ".png"
    assert pnm.main(["-o", longest]) == 0
    assert listing(cwd) == [longest]


@posix_only
def test_a_file_name_too_long_is_one_line(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    too_long = "n" * (os.pathconf(cwd, "PC_NAME_MAX") - 3) + ".png"
    assert pnm.main(["-o", too_long]) == 1
    assert capsys.readouterr().err == (
        f"{PROG}: error: cannot write {too_long!r}: File name too long\n"
    )
    assert listing(cwd) == []


@pytest.mark.parametrize(
    ("args", "style", "what", "pixels"),
    [
        (["--dpi", "6000"], "", "'a.png'", "38400\u00d728800 pixels at 6000 dpi"),
        ([], "savefig.dpi: 6000", "'a.png'", "38400\u00d728800 pixels at 6000 dpi"),
        # Too large to lay out, whatever the format: matplotlib lays a
        # figure out at figure.dpi, in pixels.
        (
            [],
            "figure.figsize: 100, 100",
            "the figure",
            "10000\u00d710000 pixels at 100 dpi",
        ),
        (
            ["--size", "100,100", "-o", "a.pdf"],
            "",
            "the figure",
            "10000\u00d710000 pixels at 100 dpi",
        ),
    ],
)
def test_a_figure_too_large_is_refused_before_drawing(
    cwd: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    style: str,
    what: str,
    pixels: str,
) -> None:
    (cwd / "big.mplstyle").write_text(style + "\n")
    assert pnm.main([*args, "--style", "big.mplstyle", "-o", "a.png"]) == 1
    count = {"6000": "1,105,920,000", "100": "100,000,000"}[pixels.split()[-2]]
    assert capsys.readouterr().err == (
        f"{PROG}: error: cannot render {what}: {pixels} make {count} pixels, "
        "more than the 67,108,864 allowed; lower --dpi or --size\n"
    )
    assert listing(cwd) == ["big.mplstyle"]
