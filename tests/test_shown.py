"""The figure shown as the original's, to the pixel: inline in a notebook, and
in a window on a virtual X display, closed with the "q" key as a person would."""

import base64
import importlib.util
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageGrab
from support import ORIGINAL_SCRIPT, SCRIPT, headless_env, listing

SOURCE = SCRIPT.read_text(encoding="utf-8")
CELLS = [
    ORIGINAL_SCRIPT,
    SOURCE,  # pasted: no __file__, and the kernel's own sys.argv
    # An editor sending the file's cells to a kernel sets __file__.
    f"__file__ = '/home/me/plot_nabla_magnitudes.py'\n{SOURCE}",
    f"%run {SCRIPT}",
    f"%run {SCRIPT} -o fig.svg --log",
    f"%run {SCRIPT} --batches 11",
    # Interrupted while it works, as by the kernel's stop button, pressed again if
    # the first interrupt fell where Python ignores it (in a weakref's callback).
    "import os, signal, threading\n"
    "done = threading.Event()\n"
    "def press():\n"
    "    while not done.wait(0.3):\n"
    "        os.kill(os.getpid(), signal.SIGINT)\n"
    "threading.Thread(target=press).start()\n"
    "try:\n"
    f"    %run {SCRIPT} --reproduce 10000 -o r.png\n"
    "finally:\n"
    "    done.set()",
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
        assert images(outputs) == [reference]
        assert len(outputs) == 1  # and nothing else


def test_run_in_a_kernel_with_an_output_writes_it_and_says_so(
    kernel: tuple[Path, list[Any]],
) -> None:
    folder, (*_, run_to_file, _, _) = kernel
    said = [(output["output_type"], output["text"]) for output in run_to_file]
    assert said == [("stream", "fig.svg\n")]
    assert "fig.svg" in listing(folder)


def test_a_usage_error_in_a_kernel_is_a_message_not_a_traceback(
    kernel: tuple[Path, list[Any]],
) -> None:
    *_, run_wrongly, _ = kernel[1]
    assert [o.get("name") for o in run_wrongly] == ["stderr"]
    message = run_wrongly[0]["text"]
    assert "error: argument --batches: '11' is not a mini-batch" in message
    assert "SystemExit" not in message and "Traceback" not in message


def test_an_interrupt_in_a_kernel_is_an_interrupt_and_leaves_no_file(
    kernel: tuple[Path, list[Any]],
) -> None:
    folder, (*_, stopped) = kernel
    assert "KeyboardInterrupt" in json.dumps(stopped)
    assert listing(folder) == ["fig.svg"]


PIPES = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
MISSING = [name for name in ("Xvfb", "xdotool") if not shutil.which(name)]
MISSING += [] if importlib.util.find_spec("tkinter") else ["tkinter"]


def window_of(
    command: list[str], cwd: Path
) -> tuple[Image.Image, tuple[int, str, str]]:
    """The screen once *command*'s three lines show in a still window, and how
    the program ends when that window is closed."""
    # No reset as each client leaves: the screenshots come and go.
    xvfb = ["Xvfb", "-displayfd", "1", "-screen", "0", "800x600x24", "-noreset"]
    server = subprocess.Popen(xvfb, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        env = {**headless_env(), "DISPLAY": ":" + server.stdout.readline().strip()}
        program = subprocess.Popen(command, cwd=cwd, env=env, **PIPES)
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
        window = subprocess.run(search, env=env, **PIPES).stdout.split()[0]
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
