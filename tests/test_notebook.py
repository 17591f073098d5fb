"""Notebooks: the file pasted into a cell, or %run, shows the figure inline once."""

from __future__ import annotations

import base64
import json
from typing import Any

from support import ORIGINAL_SCRIPT, SCRIPT, Launched, headless_env, listing

# A Jupyter client runs the cells in a kernel of its own, in a process of its
# own: busy work that goes on beside the other tests.
EXECUTE = """
import json, sys
import nbclient, nbformat
notebook = nbformat.v4.new_notebook()
notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in json.loads(sys.argv[1])]
client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                 allow_errors=True)
client.execute()  # the kernel picks the inline backend: there is no display
print(json.dumps([cell.outputs for cell in notebook.cells]))
"""
SOURCE = SCRIPT.read_text(encoding="utf-8")
CELLS = [
    ORIGINAL_SCRIPT,
    SOURCE,  # pasted: no __file__, and the kernel's own sys.argv
    # An editor sending the file's cells to a kernel sets __file__.
    f"__file__ = '/home/me/plot_nabla_magnitudes.py'\n{SOURCE}",
    f"%run {SCRIPT}",
    f"%run {SCRIPT} -o fig.svg --log",
    f"%run {SCRIPT} --batches 11",
    # Interrupted (as by the kernel's stop button) while it trains.
    "import os, signal, threading\n"
    "threading.Timer(2, os.kill, [os.getpid(), signal.SIGINT]).start()\n"
    f"%run {SCRIPT} --reproduce 10000 -o r.png",
]
NOTEBOOK = Launched("-c", EXECUTE, json.dumps(CELLS), env=headless_env())


def images(outputs: list[dict[str, Any]]) -> list[bytes]:
    return [
        base64.b64decode(output["data"]["image/png"])
        for output in outputs
        if output["output_type"] == "display_data"
    ]


def test_in_a_real_kernel_the_figure_shows_inline_once() -> None:
    assert NOTEBOOK.result.returncode == 0, NOTEBOOK.result.stderr
    original, pasted, from_editor, run, run_to_file, run_wrongly, stopped = json.loads(
        NOTEBOOK.result.stdout
    )
    (reference,) = images(original)
    for outputs in (pasted, from_editor, run):
        # Shown once, exactly as the original showed it, with nothing else.
        assert images(outputs) == [reference]
        assert len(outputs) == 1
    assert [o["output_type"] for o in run_to_file] == ["stream"]
    assert run_to_file[0]["text"] == "fig.svg\n"
    assert [o.get("name") for o in run_wrongly] == ["stderr"]
    message = run_wrongly[0]["text"]
    assert "error: argument --batches: '11' is not a mini-batch" in message
    assert "SystemExit" not in message and "Traceback" not in message
    # An interrupt is an interrupt, not a success, and leaves no temporary file.
    assert [o.get("ename") for o in stopped] == ["KeyboardInterrupt"]
    assert listing(NOTEBOOK.folder) == ["fig.svg"]
