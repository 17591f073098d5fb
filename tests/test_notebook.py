"""Notebooks: the file pasted into a cell, or %run, shows the figure inline once."""

from __future__ import annotations

import base64
from pathlib import Path

import nbclient
import nbformat
import pytest
from support import ORIGINAL_SCRIPT, SCRIPT, headless_env, listing, run_python


@pytest.mark.parametrize(
    "namespace",
    [{}, {"__file__": "/home/me/plot_nabla_magnitudes.py"}],
    ids=["pasted", "editor-cell-with-__file__"],
)
def test_run_as_an_ipython_cell_with_the_kernel_s_arguments(
    tmp_path: Path, namespace: dict[str, str]
) -> None:
    # A cell runs as __main__ with the kernel's own sys.argv, with no __file__
    # when pasted, or with one when an editor sends a file's cells to a kernel.
    probe = (
        "import pathlib, sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "sys.argv = ['/venv/lib/ipykernel_launcher.py', '-f', '/run/kernel-1.json']\n"
        f"cell = pathlib.Path({str(SCRIPT)!r}).read_text(encoding='utf-8')\n"
        "shell = InteractiveShell.instance()\n"
        f"shell.user_ns.update({namespace!r})\n"
        "result = shell.run_cell(cell)\n"
        "print('success' if result.success else 'failure')\n"
    )
    env = {**headless_env(), "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    result = run_python("-c", probe, cwd=tmp_path, env=env)
    assert result.returncode == 0
    assert result.stderr == ""
    # Outside a kernel, IPython displays the figure as its text form.
    assert result.stdout == "<Figure size 640x480 with 1 Axes>\nsuccess\n"
    assert listing(tmp_path) == []


def test_in_a_real_kernel(tmp_path: Path) -> None:
    cells = [
        ORIGINAL_SCRIPT,
        SCRIPT.read_text(encoding="utf-8"),
        f"%run {SCRIPT}",
        f"%run {SCRIPT} -o fig.svg --log",
        f"%run {SCRIPT} --batches 11",
    ]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env=headless_env())  # the kernel picks the inline backend
    original, pasted, run, run_to_file, run_wrongly = (
        cell.outputs for cell in notebook.cells
    )

    def images(outputs: list[dict]) -> list[bytes]:
        return [
            base64.b64decode(output["data"]["image/png"])
            for output in outputs
            if output["output_type"] == "display_data"
        ]

    (reference,) = images(original)
    for outputs in (pasted, run):
        # Shown once, exactly as the original showed it, with nothing else.
        assert images(outputs) == [reference]
        assert len(outputs) == 1
    assert [o["output_type"] for o in run_to_file] == ["stream"]
    assert run_to_file[0]["text"] == "fig.svg\n"
    assert [o.get("name") for o in run_wrongly] == ["stderr"]
    message = run_wrongly[0]["text"]
    assert "error: argument --batches: '11' is not a mini-batch" in message
    assert "SystemExit" not in message and "Traceback" not in message
    assert listing(tmp_path) == ["fig.svg"]
