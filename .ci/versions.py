"""The script's own promises, checked with one Python and one set of packages.

.ci/run runs this with the oldest Python and packages that the README claims,
and with the newest Python installed. The argument is a file of what
`--reproduce 5 --csv` prints with the newest packages.
"""

import contextlib
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ["MPLBACKEND"] = "agg"

import matplotlib  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402
import threadpoolctl  # noqa: E402
from matplotlib.backend_bases import FigureCanvasBase  # noqa: E402
from support import ORIGINAL_SCRIPT, pixels  # noqa: E402

import plot_nabla_magnitudes as pnm  # noqa: E402

print(
    f"Python {sys.version.split()[0]}, matplotlib {matplotlib.__version__}, "
    f"numpy {numpy.__version__}, threadpoolctl {threadpoolctl.__version__}"
)
plt.show = lambda: None
exec(ORIGINAL_SCRIPT, {})
assert pixels(pnm.make_figure()) == pixels(plt.gcf()), "not the original's figure"

formats = sorted(set(FigureCanvasBase.get_supported_filetypes()) - {"pgf"})
with tempfile.TemporaryDirectory() as folder:
    os.chdir(folder)
    with contextlib.redirect_stdout(io.StringIO()):  # the paths written
        assert pnm.main([arg for fmt in formats for arg in ("-o", f"a.{fmt}")]) == 0
    assert all(os.path.getsize(f"a.{fmt}") for fmt in formats), "an empty file"
    older = [fmt for fmt in pnm._FORMATS if fmt not in formats]  # GIF before 3.10
    with contextlib.redirect_stderr(io.StringIO()) as said:
        assert all(pnm.main(["-o", f"b.{fmt}"]) == 1 for fmt in older), said
    assert said.getvalue().count("pip install -U matplotlib\n") == len(older)
    assert not any(os.path.exists(f"b.{fmt}") for fmt in older), "a file written"

script = ROOT / "plot_nabla_magnitudes.py"
args = [sys.executable, str(script), "--reproduce", "5", "--csv"]
runs = subprocess.run(args, capture_output=True, check=True, text=True).stdout
newest = Path(sys.argv[1]).read_text()
# Each OpenBLAS may round a product in its own way on a given processor: the
# same runs, to the last few bits.
assert runs.splitlines()[0] == newest.splitlines()[0], "other columns"
assert numpy.allclose(
    numpy.loadtxt(io.StringIO(runs), delimiter=",", skiprows=1),
    numpy.loadtxt(io.StringIO(newest), delimiter=",", skiprows=1),
    rtol=1e-9,
    atol=0,
), "other runs than the newest"
print("the original's figure, every format or a line, the runs of the newest")
