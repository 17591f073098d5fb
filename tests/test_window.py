"""The desktop: with a display, a window opens, as the original's did, pixel for pixel.

These tests start a virtual X display (Xvfb), let matplotlib pick its GUI
backend there as it would on a desktop, and close the window with the "q" key,
as a person would. They need Xvfb, xdotool and tkinter; CI installs them.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageGrab
from support import ORIGINAL_SCRIPT, SCRIPT, headless_env, listing

pytestmark = pytest.mark.skipif(
    not (
        shutil.which("Xvfb")
        and shutil.which("xdotool")
        and importlib.util.find_spec("tkinter")
    ),
    reason="needs Xvfb, xdotool and tkinter (apt-get install xvfb xdotool)",
)


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A new virtual display, such as ":1"."""
    server = subprocess.Popen(
        [
            *("Xvfb", "-displayfd", "1", "-screen", "0", "1024x768x24"),
            *("-noreset", "-nolisten", "tcp"),  # no reset as each client leaves
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    yield ":" + server.stdout.readline().strip()
    server.terminate()
    server.wait(timeout=10)


class Window:
    """A program whose first figure window is open on *display*."""

    def __init__(self, display: str, command: list[str], cwd: Path) -> None:
        self.display = display
        self.env = {**headless_env(), "DISPLAY": display}
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.id = self._wait_for_window()

    def _xdotool(self, *args: str) -> str:
        return subprocess.run(
            ["xdotool", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()

    def _wait_for_window(self) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = self._xdotool("search", "--name", "^Figure 1$")
            if found:
                return found.split()[0]
            if self.process.poll() is not None:
                pytest.fail(f"no window opened: {self.process.communicate()}")
            time.sleep(0.1)
        pytest.fail("no window opened within a minute")

    def screenshot(self) -> Image.Image:
        """The whole screen, once the window has finished drawing."""
        previous = None
        for _ in range(50):
            time.sleep(0.2)
            shot = ImageGrab.grab(xdisplay=self.display).convert("RGB")
            if shot.getbbox() and previous and shot.tobytes() == previous.tobytes():
                return shot
            previous = shot
        pytest.fail("the window did not settle")

    def close(self) -> tuple[int, str, str]:
        """Press q, matplotlib's key for closing a figure, and wait for the end."""
        self._xdotool("key", "--window", self.id, "q")
        out, err = self.process.communicate(timeout=60)
        return self.process.returncode, out, err


def test_a_window_opens_like_the_original_s_and_nothing_is_written(
    display: str, tmp_path: Path
) -> None:
    original = Window(display, [sys.executable, "-c", ORIGINAL_SCRIPT], tmp_path)
    expected = original.screenshot()
    assert original.close()[0] == 0
    colours = {colour for _, colour in expected.getcolors(maxcolors=1 << 20)}
    assert {(255, 0, 0), (0, 128, 0), (0, 0, 255)} <= colours  # the three lines

    ours = Window(display, [sys.executable, str(SCRIPT)], tmp_path)
    seen = ours.screenshot()
    assert listing(tmp_path) == []
    assert ours.close() == (0, "", "")
    assert seen.tobytes() == expected.tobytes()
    assert listing(tmp_path) == []


def test_show_writes_the_files_before_the_window_opens(
    display: str, tmp_path: Path
) -> None:
    window = Window(
        display, [sys.executable, str(SCRIPT), "--show", "-o", "fig.png"], tmp_path
    )
    assert listing(tmp_path) == ["fig.png"]
    window.screenshot()
    assert window.close() == (0, "fig.png\n", "")
