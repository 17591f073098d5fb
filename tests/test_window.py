"""The desktop: with a display, a window opens, as the original's did, pixel for pixel.

These tests start a virtual X display (Xvfb), let matplotlib pick its GUI
backend there as it would on a desktop, and close the window with the "q" key,
as a person would. They need Xvfb, xdotool and tkinter; CI installs them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageGrab
from support import ORIGINAL_SCRIPT, SCRIPT, headless_env, in_background

MISSING = [
    name
    for name, present in [
        ("Xvfb", shutil.which("Xvfb")),
        ("xdotool", shutil.which("xdotool")),
        ("tkinter", importlib.util.find_spec("tkinter")),
    ]
    if not present
]
pytestmark = pytest.mark.skipif(
    bool(MISSING),
    reason=f"needs Xvfb, xdotool and tkinter; missing: {', '.join(MISSING)} "
    "(on Debian: apt-get install xvfb xdotool python3-tk)",
)


@contextlib.contextmanager
def virtual_display() -> Iterator[str]:
    """A new virtual display of its own, such as ":1"."""
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
    try:
        yield ":" + server.stdout.readline().strip()
    finally:
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
            time.sleep(0.05)
        pytest.fail("no window opened within a minute")

    def screenshot(self) -> Image.Image:
        """The whole screen, once the window has finished drawing."""
        previous = None
        for _ in range(200):
            time.sleep(0.05)
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


@dataclass
class Seen:
    screen: Image.Image
    ended: tuple[int, str, str]  # exit status, standard output and error


def watch(command: list[str], folder: Path) -> Seen | None:
    """Run *command* on a display of its own; what it shows, and how it ends."""
    if MISSING:
        return None
    with virtual_display() as display:
        window = Window(display, command, folder)
        return Seen(window.screenshot(), window.close())


@in_background
def original_window(folder: Path) -> Seen | None:
    return watch([sys.executable, "-c", ORIGINAL_SCRIPT], folder)


@in_background
def our_window(folder: Path) -> Seen | None:
    return watch([sys.executable, str(SCRIPT), "--show", "-o", "fig.png"], folder)


def test_the_window_is_the_original_s_to_the_pixel(
    original_window: Seen, our_window: Seen
) -> None:
    colours = {c for _, c in original_window.screen.getcolors(maxcolors=1 << 20)}
    assert {(255, 0, 0), (0, 128, 0), (0, 0, 255)} <= colours  # the three lines
    assert original_window.ended[0] == 0
    assert our_window.screen.tobytes() == original_window.screen.tobytes()
    assert our_window.ended == (0, "fig.png\n", "")
