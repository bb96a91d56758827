"""How long a spreadsheet application takes to recalculate the controller, at growing numbers of accounts.

Excel recalculates the whole controller when it opens it (xlsxwriter writes ``fullCalcOnLoad``), and so does
LibreOffice with our test profile. A formula that reads a whole block of the data (every account's rows) makes
that grow with the square of the accounts; one that reads its account's rows alone, linearly. One command::

    .venv/bin/python benchmarks/controller_recalc.py                    # 250, 500, 1000 accounts, 3 pairs
    .venv/bin/python benchmarks/controller_recalc.py --accounts 500,2000 --pairs 2 --timeout 1800

For each N the synthetic data book of N accounts (:mod:`synthetic`) gets its controller (``Controller.xlsx``,
written as ``generate`` writes it), which LibreOffice (``soffice --headless``, :func:`kam_xl.testing.recalc.
recalculate`) then converts to .xlsx in interleaved pairs:

- **A — loaded and saved without recalculating** (``RECALC_NEVER``): the baseline, what opening and saving the
  file costs alone;
- **B — recalculated on loading** (``RECALC_ALWAYS``), as Excel does on opening it.

Reported per N: the median wall time of each side with its spread, B − A per pair (the recalculation alone) and
its median, and how that grows from one N to the next (× per doubling of the accounts: 2 is linear, 4 square).
LibreOffice's CPU is counted by the wall time of its process (it runs alone, one core).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthetic import write_synthetic

from kam_xl.batch import write_controller
from kam_xl.databook import read_databook
from kam_xl.testing.recalc import RECALC_ALWAYS, RECALC_NEVER, recalculate


def controller(n: int, work: Path) -> Path:
    """The controller of the synthetic data book of ``n`` accounts, written into ``work``."""
    _, folder = write_synthetic(n, work / f"db{n}")
    target = work / f"c{n}" / "Controller.xlsx"
    target.parent.mkdir()
    write_controller(read_databook(folder), target, "de", now=datetime(2026, 11, 30, 12, tzinfo=UTC))
    return target


def converted(path: Path, out: Path, mode: int, timeout: float) -> float:
    """Seconds LibreOffice takes to load ``path`` (recalculating it or not, ``mode``) and save it as .xlsx."""
    t0 = time.perf_counter()
    recalculate([path], out, timeout, recalc_mode=mode)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", default="250,500,1000", help="numbers of accounts, comma-separated")
    ap.add_argument("--pairs", type=int, default=3, help="interleaved pairs per N (default 3)")
    ap.add_argument("--timeout", type=float, default=1200, help="seconds one conversion may take (default 1200)")
    args = ap.parse_args(argv)
    sizes = sorted({int(x) for x in args.accounts.split(",")})
    rows: list[tuple[int, float, float, float, float, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="kam_xl_recalc_") as tmp:
        work = Path(tmp)
        for n in sizes:
            path = controller(n, work)
            never, always = [], []
            for i in range(args.pairs):
                never.append(converted(path, work / "out", RECALC_NEVER, args.timeout))
                always.append(converted(path, work / "out", RECALC_ALWAYS, args.timeout))
                print(f"  {n} accounts, pair {i + 1}/{args.pairs}: {never[-1]:.1f} s, {always[-1]:.1f} s",
                      file=sys.stderr, flush=True)
            alone = [b - a for a, b in zip(never, always, strict=True)]
            rows.append((n, statistics.median(never), min(never), max(never), statistics.median(always),
                         statistics.median(alone), path.stat().st_size / 2**20))
    print(f"LibreOffice, Controller.xlsx, {args.pairs} interleaved pairs per N (medians)")
    print(f"{'accounts':>8} {'file MiB':>9} {'load+save':>10} {'+ recalc':>9} {'recalc alone':>13} {'growth':>8}")
    for i, (n, never, _, _, always, alone, mib) in enumerate(rows):
        growth = ""
        if i and rows[i - 1][5] > 0 and alone > 0:
            per_doubling = (alone / rows[i - 1][5]) ** (1 / math.log2(n / rows[i - 1][0]))
            growth = f"{per_doubling:.1f} ×"
        print(f"{n:8d} {mib:9.1f} {never:9.1f}s {always:8.1f}s {alone:12.1f}s {growth:>8}")
    print("growth: × of the recalculation alone per doubling of the accounts (2 = linear, 4 = square)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
