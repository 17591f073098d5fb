"""The slow tests: the figure in a Jupyter kernel and in a window, each the
original's to the pixel; files read by Ghostscript and poppler; a stop on a
terminal; figures of many runs, or many panels."""

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

import numpy as np
import pytest
from PIL import ImageGrab
from support import (
    ORIGINAL_SCRIPT,
    PROG,
    SCRIPT,
    headless_env,
    layout_problems,
    listing,
)

import plot_nabla_magnitudes as pnm

pytestmark = pytest.mark.slow
CELLS = [
    ORIGINAL_SCRIPT,
    SCRIPT.read_text(encoding="utf-8"),  # pasted: no __file__, the kernel's sys.argv
    f"%run {SCRIPT}",
    f"%run {SCRIPT} -o fig.svg --log",
    f"%run {SCRIPT} --batches 11",
    # Interrupted while it works, as by the kernel's stop button.
    "import os, signal, threading\n"
    "threading.Timer(2, os.kill, (os.getpid(), signal.SIGINT)).start()\n"
    f"%run {SCRIPT} --reproduce 10000 -o r.png",
]


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A folder, and what each cell printed or showed, run in one kernel: a
    process of its own, which picks the inline backend as there is no display."""
    import nbclient
    import nbformat

    folder = tmp_path_factory.mktemp("kernel")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in CELLS]
    nbclient.NotebookClient(
        notebook, timeout=120, allow_errors=True, shutdown_kernel="immediate",
        resources={"metadata": {"path": str(folder)}},
    ).execute(env=headless_env())  # fmt: skip
    return folder, [cell.outputs for cell in notebook.cells]


def test_in_a_kernel_the_figure_shows_inline_once_as_the_original(kernel):
    original, pasted, run, *_ = kernel[1]
    images = [
        [out["data"]["image/png"] for out in cell] for cell in (original, pasted, run)
    ]
    assert images[0] == images[1] == images[2] and len(images[0]) == 1
    assert base64.b64decode(images[0][0]).startswith(b"\x89PNG")


def test_in_a_kernel_a_file_is_written_a_mistake_said_and_a_stop_stops(kernel):
    folder, (*_, to_file, wrongly, stopped) = kernel
    assert [(out["output_type"], out["text"]) for out in to_file] == [
        ("stream", "fig.svg\n")
    ]
    (said,) = [out["text"] for out in wrongly if out.get("name") == "stderr"]
    assert "error: argument --batches: expected a number from 1 to 10, not '11'" in said
    assert "Traceback" not in said and "KeyboardInterrupt" in json.dumps(stopped)
    assert listing(folder) == ["fig.svg"]


MISSING = [name for name in ("Xvfb", "xdotool") if not shutil.which(name)]
MISSING += [] if importlib.util.find_spec("tkinter") else ["tkinter"]


def window_of(command, cwd):
    """The screen once *command*'s three lines show in a still window, and how the
    program ends when that window is closed with the "q" key."""
    xvfb = ["Xvfb", "-displayfd", "1", "-screen", "0", "800x600x24", "-noreset"]
    server = subprocess.Popen(xvfb, stdout=subprocess.PIPE, text=True)
    try:
        env = {**headless_env(), "DISPLAY": ":" + server.stdout.readline().strip()}
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
        program = subprocess.Popen(command, cwd=cwd, env=env, **pipes)
        lines, previous, still, deadline = (
            {(255, 0, 0), (0, 128, 0), (0, 0, 255)},
            None,
            0,
            time.monotonic() + 60,
        )
        while still < 2:  # the same screen twice, with the three lines' colours
            assert program.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
            shot = ImageGrab.grab(xdisplay=env["DISPLAY"]).convert("RGB")
            still = still + 1 if shot == previous else 0
            if still == 2 and not lines <= {c for _, c in shot.getcolors(1 << 20)}:
                still = 0
            previous = shot
        search = ["xdotool", "search", "--name", "^Figure 1$"]
        window = subprocess.run(search, env=env, **pipes).stdout.split()[0]
        subprocess.run(["xdotool", "key", "--window", window, "q"], env=env)
        return shot, (program.wait(timeout=60), *program.communicate())
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.skipif(
    bool(MISSING), reason=f"needs Xvfb, xdotool, tkinter; missing: {MISSING}"
)
def test_the_window_is_the_original_s_to_the_pixel(tmp_path):
    original, ended = window_of([sys.executable, "-c", ORIGINAL_SCRIPT], tmp_path)
    ours, our_end = window_of([sys.executable, str(SCRIPT)], tmp_path)
    assert (ended, our_end, listing(tmp_path)) == ((0, "", ""), (0, "", ""), [])
    assert ours.tobytes() == original.tobytes()


READERS = [name for name in ("gs", "pdfinfo", "pdffonts") if not shutil.which(name)]


@pytest.mark.skipif(
    bool(READERS), reason=f"needs Ghostscript, poppler; missing: {READERS}"
)
def test_ghostscript_and_poppler_read_the_files_truetype_fonts_and_all(cwd):
    title = '$\\nabla C^l_w$ per "layer" \\g<0> %%EndComments (café) ×4'
    paper = ["--log", "--legend", "--size", "3.3,2.4", "--style", "font.size=8"]
    with contextlib.redirect_stdout(io.StringIO()):
        assert (
            pnm.main(
                ["--reproduce", "3", "--title", title, "-o", "a.eps", "-o", "a.pdf"]
            )
            == 0
        )
        assert pnm.main([*paper, "-o", "b.ps", "-o", "b.pdf"]) == 0
    for path in ("a.eps", "b.ps"):
        gs = ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=nullpage", path]
        assert subprocess.run(gs, capture_output=True, text=True).returncode == 0
        assert b"/FontType 42" in (cwd / path).read_bytes()
        assert b"/FontType 3" not in (cwd / path).read_bytes()
    info = subprocess.run(["pdfinfo", "a.pdf"], capture_output=True, text=True).stdout
    assert info.splitlines()[0].split(":", 1)[1].strip() == title
    for pdf in ("a.pdf", "b.pdf"):
        fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True).stdout
        assert "TrueType" in fonts and "Type 3" not in fonts


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")
def test_progress_shows_on_a_terminal_and_sigterm_stops_leaving_the_old_file(tmp_path):
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
    assert (tmp_path / "r.png").read_bytes() == b"the user's own figure"
    assert listing(tmp_path) == ["r.png"]


@pytest.mark.parametrize("log", [False, True])
def test_ten_panels_fit_a_16_to_9_slide_uncut_for_any_network(runs, log):
    tanh = pnm.reproduce(40, init="standard", activation="tanh")
    for reproduced in (runs, {("standard", "tanh"): tanh}):
        for legend in (False, True):
            fig = pnm.make_figure(
                range(1, 11), size=(6.4, 3.6), log=log, legend=legend,
                reproduced=reproduced,
            )  # fmt: skip
            assert layout_problems(fig) == []


@pytest.mark.parametrize("runs", [100, 300])
def test_the_readme_s_comparison_spreads_sigmoid_s_medians_over_its_panel(runs):
    networks = {
        (i, a): pnm.reproduce(runs, init=i, activation=a)
        for i in pnm.INITIALISATIONS
        for a in pnm.ACTIVATIONS
    }
    sigmoid = pnm.make_figure(reproduced=networks, size=(10, 4)).axes[0]
    medians = [
        y
        for line in sigmoid.get_lines()
        if line.get_linestyle() == "--"
        for y in line.get_ydata()
    ]
    low, high = np.log10(sigmoid.get_ylim())
    assert np.ptp(np.log10(medians)) >= 0.4 * (high - low)
