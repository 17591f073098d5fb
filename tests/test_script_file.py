"""The script as a file of its own: its inline metadata, its shebang, and a
one-line answer where what it needs is missing, too old or broken."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
from support import PROG, ROOT, SCRIPT, listing, run_python, run_script, with_stand_in

# The regular expression that PEP 723 gives for finding a metadata block.
BLOCK = r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"


def test_the_inline_metadata_asks_for_what_requirements_txt_does() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    (block,) = [m for m in re.finditer(BLOCK, text) if m["type"] == "script"]
    metadata = tomllib.loads(
        "".join(
            line[2:] if line.startswith("# ") else line[1:]
            for line in block["content"].splitlines(keepends=True)
        )
    )
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    required = {line.partition("#")[0].strip() for line in lines} - {""}
    assert set(metadata["dependencies"]) == required
    assert metadata["requires-python"] == ">=3.9"


@pytest.mark.skipif(sys.platform == "win32", reason="a shebang is for POSIX")
def test_the_script_runs_by_its_own_name(tmp_path: Path) -> None:
    python = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": python + os.pathsep + os.environ["PATH"]}
    result = subprocess.run(
        [str(SCRIPT), "--csv"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("mini_batch,")


def test_an_old_matplotlib_is_named_with_the_version_needed(tmp_path: Path) -> None:
    # Debian 12's matplotlib, as far as the script can tell: its version.
    env = with_stand_in(tmp_path, "matplotlib", '__version__ = "3.6.3"\n')
    result = run_script("-o", "a.png", cwd=tmp_path, env=env)
    assert (result.returncode, result.stdout, listing(tmp_path)) == (1, "", ["site"])
    assert result.stderr == (
        f"{PROG}: error: matplotlib 3.6.3 is too old: this script needs 3.9 "
        "or newer (pip install 'matplotlib>=3.9')\n"
    )


def test_a_missing_matplotlib_is_named(tmp_path: Path) -> None:
    # -S: no site-packages, as in a Python where nothing was installed.
    result = run_python("-S", str(SCRIPT), "-o", "a.png", cwd=tmp_path)
    assert (result.returncode, result.stdout, listing(tmp_path)) == (1, "", [])
    assert result.stderr == (
        f"{PROG}: error: cannot import: No module named 'matplotlib'; "
        "pip install -r requirements.txt\n"
    )


@pytest.mark.parametrize("args", [["-o", "a.png"], ["--csv", "--reproduce", "1"]])
def test_a_broken_numpy_is_reported_with_its_own_message(
    tmp_path: Path, args: list[str]
) -> None:
    # A numpy whose compiled part does not match what matplotlib was built for.
    failure = "raise ImportError('numpy.core.multiarray failed to import')\n"
    env = with_stand_in(tmp_path, "numpy", failure)
    result = run_script(*args, cwd=tmp_path, env=env)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"{PROG}: error: cannot import: numpy.core.multiarray failed to import; "
        "pip install -r requirements.txt\n"
    )
