"""The desktop: with a display, a window opens, as the original's did, pixel for pixel.

These tests start a virtual X display (Xvfb), let matplotlib pick its GUI
backend there as it would on a desktop, and close the window with the "q" key,
as a person would. They need Xvfb, xdotool and tkinter; CI installs them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageGrab
from support import ORIGINAL_SCRIPT, SCRIPT, Launched, headless_env

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
        """The whole screen, once the figure is drawn in the window: its red,
        green and blue lines show, and the screen stays still for a while."""
        lines = {(255, 0, 0), (0, 128, 0), (0, 0, 255)}
        previous, still = None, 0
        for _ in range(400):
            time.sleep(0.05)
            shot = ImageGrab.grab(xdisplay=self.display).convert("RGB")
            colours = {colour for _, colour in shot.getcolors(maxcolors=1 << 20)}
            drawn = lines <= colours
            still = still + 1 if drawn and shot == previous else 0
            if still == 4:  # 0.2 s unchanged
                return shot
            previous = shot
        pytest.fail("the window did not show the figure within 20 seconds")

    def close(self) -> tuple[int, str, str]:
        """Press q, matplotlib's key for closing a figure, and wait for the end."""
        self._xdotool("key", "--window", self.id, "q")
        out, err = self.process.communicate(timeout=60)
        return self.process.returncode, out, err


@dataclass
class Seen:
    screen: Image.Image
    ended: tuple[int, str, str]  # exit status, standard output and error


def watch(*commands: list[str], folder: Path) -> list[Seen]:
    """Run each command on a display of its own, all at once; what each
    shows, and how it ends."""
    with contextlib.ExitStack() as displays:
        windows = [
            Window(displays.enter_context(virtual_display()), command, folder)
            for command in commands
        ]
        screens = [window.screenshot() for window in windows]
        return [
            Seen(screen, window.close()) for screen, window in zip(screens, windows)
        ]


COMMANDS = [
    [sys.executable, "-c", ORIGINAL_SCRIPT],  # the original's window
    [sys.executable, str(SCRIPT)],  # ours
]


# The windows, watched by a process of its own (this file, run as a program):
# taking screenshots is busy work that goes on beside the other tests.
WINDOWS = None if MISSING or __name__ == "__main__" else Launched(__file__)


def test_the_window_is_the_original_s_to_the_pixel() -> None:
    assert WINDOWS is not None
    result = WINDOWS.result
    assert result.returncode == 0, result.stderr
    (original, ours) = [Image.open(WINDOWS.folder / f"screen{n}.png") for n in (0, 1)]
    assert json.loads(result.stdout) == [[0, "", ""], [0, "", ""]]
    assert ours.tobytes() == original.tobytes()


if __name__ == "__main__":
    here = Path.cwd()
    seen = watch(*COMMANDS, folder=here)
    for index, each in enumerate(seen):
        each.screen.save(here / f"screen{index}.png")
    print(json.dumps([each.ended for each in seen]))
