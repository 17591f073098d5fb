"""What needs more than this Python: the figure inline in a Jupyter kernel and in
a window on a virtual display, each the original's to the pixel; PostScript and
PDF read by Ghostscript and poppler; a stop on a terminal. All are marked slow."""

import base64
import contextlib
import importlib.util
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageGrab
from support import ORIGINAL_SCRIPT, PROG, SCRIPT, headless_env, listing

import plot_nabla_magnitudes as pnm

pytestmark = pytest.mark.slow
SOURCE = SCRIPT.read_text(encoding="utf-8")
CELLS = [
    ORIGINAL_SCRIPT,
    SOURCE,  # pasted: no __file__, and the kernel's own sys.argv
    # An editor sending the file's cells to a kernel sets __file__.
    f"__file__ = '/home/me/plot_nabla_magnitudes.py'\n{SOURCE}",
    f"%run {SCRIPT}",
    f"%run {SCRIPT} -o fig.svg --log",
    f"%run {SCRIPT} --batches 11",
    # Interrupted while it works, as by the kernel's stop button.
    "import os, signal, threading\n"
    "threading.Timer(2, os.kill, (os.getpid(), signal.SIGINT)).start()\n"
    f"%run {SCRIPT} --reproduce 10000 -o r.png",
]


def images(outputs: list[dict[str, Any]]) -> list[bytes]:
    shown = [out["data"] for out in outputs if out["output_type"] == "display_data"]
    return [base64.b64decode(data["image/png"]) for data in shown]


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    """A folder, and what each cell printed or showed, run in one kernel: a
    process of its own, which picks the inline backend as there is no display."""
    import nbclient
    import nbformat

    folder = tmp_path_factory.mktemp("kernel")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in CELLS]
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        allow_errors=True,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(folder)}},  # its working folder
    )
    client.execute(env=headless_env())
    return folder, [cell.outputs for cell in notebook.cells]


def test_pasted_or_run_in_a_kernel_the_figure_shows_inline_once_as_the_original(
    kernel: tuple[Path, list[Any]],
) -> None:
    original, pasted, from_editor, run, *_ = kernel[1]
    (reference,) = images(original)
    for outputs in (pasted, from_editor, run):
        assert (images(outputs), len(outputs)) == ([reference], 1)  # nothing else


def test_in_a_kernel_an_output_is_written_a_mistake_said_and_a_stop_stops(
    kernel: tuple[Path, list[Any]],
) -> None:
    folder, (*_, to_file, wrongly, stopped) = kernel
    assert [(out["output_type"], out["text"]) for out in to_file] == [
        ("stream", "fig.svg\n")
    ]
    assert [out.get("name") for out in wrongly] == ["stderr"]
    assert (
        "error: argument --batches: expected a number from 1 to 10, not '11'"
        in (wrongly[0]["text"])
    )
    assert "Traceback" not in wrongly[0]["text"]
    assert "KeyboardInterrupt" in json.dumps(stopped)
    assert listing(folder) == ["fig.svg"]


MISSING = [name for name in ("Xvfb", "xdotool") if not shutil.which(name)]
MISSING += [] if importlib.util.find_spec("tkinter") else ["tkinter"]


def window_of(
    command: list[str], cwd: Path
) -> tuple[Image.Image, tuple[int, str, str]]:
    """The screen once *command*'s three lines show in a still window, and how
    the program ends when that window is closed with the "q" key."""
    # No reset as each client leaves: the screenshots come and go.
    xvfb = ["Xvfb", "-displayfd", "1", "-screen", "0", "800x600x24", "-noreset"]
    server = subprocess.Popen(xvfb, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        env = {**headless_env(), "DISPLAY": ":" + server.stdout.readline().strip()}
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
        program = subprocess.Popen(command, cwd=cwd, env=env, **pipes)
        lines, previous, still = {(255, 0, 0), (0, 128, 0), (0, 0, 255)}, None, 0
        deadline = time.monotonic() + 60
        while still < 2:
            assert program.poll() is None, program.communicate()
            assert time.monotonic() < deadline, "no figure in a window within a minute"
            time.sleep(0.1)
            shot = ImageGrab.grab(xdisplay=env["DISPLAY"]).convert("RGB")
            still = still + 1 if shot == previous else 0  # the colours, only then
            if still == 2 and not lines <= {c for _, c in shot.getcolors(1 << 20)}:
                still = 0
            previous = shot
        search = ["xdotool", "search", "--name", "^Figure 1$"]
        window = subprocess.run(search, env=env, **pipes).stdout.split()[0]
        subprocess.run(["xdotool", "key", "--window", window, "q"], env=env)
        out, err = program.communicate(timeout=60)
        return shot, (program.returncode, out, err)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.skipif(
    bool(MISSING),
    reason=f"needs Xvfb, xdotool and tkinter; missing: {', '.join(MISSING)} "
    "(on Debian: apt-get install xvfb xdotool python3-tk)",
)
def test_the_window_is_the_original_s_to_the_pixel(tmp_path: Path) -> None:
    original, ended = window_of([sys.executable, "-c", ORIGINAL_SCRIPT], tmp_path)
    ours, our_end = window_of([sys.executable, str(SCRIPT)], tmp_path)
    assert (ended, our_end, listing(tmp_path)) == ((0, "", ""), (0, "", ""), [])
    assert ours.tobytes() == original.tobytes()


READERS = [name for name in ("gs", "pdfinfo") if not shutil.which(name)]


@pytest.mark.skipif(
    bool(READERS),
    reason=f"needs Ghostscript and pdfinfo; missing: {', '.join(READERS)} "
    "(on Debian: apt-get install ghostscript poppler-utils)",
)
def test_ghostscript_and_pdfinfo_read_the_files_whatever_the_title(
    cwd: Path,
) -> None:
    title = '$\\nabla C^l_w$ per "layer" \\g<0> %%EndComments (café) ×4'
    args = ["--reproduce", "3", "--title", title, "--transparent"]
    with contextlib.redirect_stdout(io.StringIO()):
        assert pnm.main([*args, "-o", "a.eps", "-o", "a.ps", "-o", "a.pdf"]) == 0
    for path in ("a.eps", "a.ps"):
        gs = ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=nullpage"]
        read = subprocess.run([*gs, path], capture_output=True, text=True)
        assert (read.returncode, read.stdout, read.stderr) == (0, "", ""), path
    info = subprocess.run(["pdfinfo", "a.pdf"], capture_output=True, text=True)
    first = info.stdout.splitlines()[0].split(":", 1)
    assert (info.returncode, first[0], first[1].strip()) == (0, "Title", title)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")
def test_progress_shows_on_a_terminal_and_sigterm_stops_leaving_the_old_file(
    tmp_path: Path,
) -> None:
    import pty

    (tmp_path / "r.png").write_bytes(b"the user's own figure")
    leader, follower = pty.openpty()  # standard error on a terminal
    args = [sys.executable, str(SCRIPT), "--reproduce", "10000", "-o", "r.png"]
    process = subprocess.Popen(args, cwd=tmp_path, stderr=follower)
    os.close(follower)
    seen = b""
    while b" runs" not in seen:
        seen += os.read(leader, 1024)
    process.send_signal(signal.SIGTERM)  # as `timeout` sends
    with contextlib.suppress(OSError):  # the terminal closes with the process
        while chunk := os.read(leader, 1024):
            seen += chunk
    assert process.wait(timeout=60) == 1
    progress = r"(\rtraining: \d+ of 10000 runs)+"
    assert re.fullmatch(rf"{progress}\r\n{PROG}: error: stopped\r\n", seen.decode())
    assert listing(tmp_path) == ["r.png"]
    assert (tmp_path / "r.png").read_bytes() == b"the user's own figure"
