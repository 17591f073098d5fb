"""Notebooks: the file pasted into a cell, or %run, shows the figure inline once."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from support import (
    ORIGINAL_SCRIPT,
    SCRIPT,
    headless_env,
    in_background,
    listing,
    run_python,
)

# Run in a process of its own, beside the tests: a Jupyter client is busy
# work that would take this process's time from them.
EXECUTE = """
import json, sys
import nbclient, nbformat
cells, folder = json.load(sys.stdin), sys.argv[1]
notebook = nbformat.v4.new_notebook()
notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
client = nbclient.NotebookClient(
    notebook, timeout=120, kernel_name="python3",
    resources={"metadata": {"path": folder}},
)
client.execute()  # the kernel picks the inline backend: there is no display
print(json.dumps([cell.outputs for cell in notebook.cells]))
"""


@in_background
def notebook_run(folder: Path) -> tuple[list[list[dict[str, Any]]], Path]:
    source = SCRIPT.read_text(encoding="utf-8")
    cells = [
        ORIGINAL_SCRIPT,
        source,  # pasted: no __file__, and the kernel's own sys.argv
        # An editor sending the file's cells to a kernel sets __file__.
        f"__file__ = '/home/me/plot_nabla_magnitudes.py'\n{source}",
        f"%run {SCRIPT}",
        f"%run {SCRIPT} -o fig.svg --log",
        f"%run {SCRIPT} --batches 11",
    ]
    result = run_python(
        "-c",
        EXECUTE,
        str(folder),
        cwd=folder,
        env=headless_env(),
        input=json.dumps(cells),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), folder


def test_in_a_real_kernel_the_figure_shows_inline_once(
    notebook_run: tuple[list[list[dict[str, Any]]], Path],
) -> None:
    outputs, folder = notebook_run
    original, pasted, from_editor, run, run_to_file, run_wrongly = outputs

    def images(outputs: list[dict]) -> list[bytes]:
        return [
            base64.b64decode(output["data"]["image/png"])
            for output in outputs
            if output["output_type"] == "display_data"
        ]

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
    assert listing(folder) == ["fig.svg"]
