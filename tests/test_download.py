"""The script as a file on its own: run with no set-up, or told what it needs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
from support import PROG, ROOT, SCRIPT, run_script, with_stand_in

# The regular expression that PEP 723 gives for finding a metadata block.
BLOCK = r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"


def script_metadata() -> dict[str, object]:
    text = SCRIPT.read_text(encoding="utf-8")
    (block,) = [m for m in re.finditer(BLOCK, text) if m["type"] == "script"]
    toml = "".join(
        line[2:] if line.startswith("# ") else line[1:]
        for line in block["content"].splitlines(keepends=True)
    )
    return tomllib.loads(toml)


def requirements(path: Path) -> set[str]:
    lines = (line.partition("#")[0].strip() for line in path.read_text().splitlines())
    return {line for line in lines if line and not line.startswith("-r")}


def test_the_inline_metadata_asks_for_what_requirements_txt_does() -> None:
    metadata = script_metadata()
    assert set(metadata["dependencies"]) == requirements(ROOT / "requirements.txt")
    assert metadata["requires-python"] == ">=3.9"


@pytest.mark.skipif(sys.platform == "win32", reason="a shebang is for POSIX")
def test_the_script_runs_by_its_own_name(tmp_path: Path) -> None:
    assert SCRIPT.read_text(encoding="utf-8").startswith("#!/usr/bin/env python3\n")
    assert os.access(SCRIPT, os.X_OK)
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
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"{PROG}: error: matplotlib 3.6.3 is too old: this script needs 3.9 "
        "or newer (pip install 'matplotlib>=3.9')\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
