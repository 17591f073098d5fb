"""Notebooks: the file pasted into a cell, or %run, shows the figure inline once."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import nbclient
import nbformat
from support import SCRIPT, listing, run_python

# The original script's figure code, as a notebook user would have pasted it.
ORIGINAL_CELL = r"""
import matplotlib.pyplot as plt
nw1 = [0.129173436407863, 0.4242933114455002, 1.6154682713449411, 7.5451567587160069]
nw2 = [0.12571016850457151, 0.44231149185805047, 1.8435833504677326, 7.61973813981073]
nw3 = [0.15854489503205446, 0.70244235144444678, 2.6294803575724157, 10.427062019753425]
plt.plot(range(1, 5), nw1, "ro-", range(1, 5), nw2, "go-", range(1, 5), nw3, "bo-")
plt.xlabel('Layer $l$')
plt.ylabel(r"$\Vert\nabla C^l_w\Vert$")
plt.xticks([1, 2, 3, 4])
plt.show()
"""


def kernel_env() -> dict[str, str]:
    # A notebook server chooses the inline backend itself.
    return {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}


def test_pasted_into_an_ipython_cell_with_kernel_arguments(tmp_path: Path) -> None:
    # A cell runs as __main__ with no __file__ and the kernel's own argv.
    probe = (
        "import pathlib, sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "sys.argv = ['/venv/lib/ipykernel_launcher.py', '-f', '/run/kernel-1.json']\n"
        f"cell = pathlib.Path({str(SCRIPT)!r}).read_text(encoding='utf-8')\n"
        "result = InteractiveShell.instance().run_cell(cell)\n"
        "print('success' if result.success else 'failure')\n"
    )
    env = {**kernel_env(), "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    result = run_python("-c", probe, cwd=tmp_path, env=env)
    assert result.returncode == 0
    assert result.stderr == ""
    # Outside a kernel, IPython displays the figure as its text form.
    assert result.stdout == "<Figure size 640x480 with 1 Axes>\nsuccess\n"
    assert listing(tmp_path) == []


def test_in_a_real_kernel(tmp_path: Path) -> None:
    cells = [
        ORIGINAL_CELL,
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
    client.execute(env=kernel_env())
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
