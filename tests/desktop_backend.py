"""A backend that stands in for a desktop's: matplotlib counts it as one that
shows figures, and what pyplot shows is recorded here instead of a window.

Use it with ``plt.switch_backend("module://desktop_backend")``.
"""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg as FigureCanvas
from matplotlib.figure import Figure

__all__ = ["FigureCanvas", "show", "shown"]

shown: list[list[Figure]] = []  # the figures open at each call of show()


def show(*args: object, **kwargs: object) -> None:
    import matplotlib.pyplot as plt

    shown.append([plt.figure(num) for num in plt.get_fignums()])
