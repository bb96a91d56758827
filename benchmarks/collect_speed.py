"""Collect per plan, like for like: kam_xl's read of one file as ``collect`` does it against bare python-calamine.

One command (< 1 minute on 2 shared cores)::

    .venv/bin/python benchmarks/collect_speed.py               # 40 plans, 15 interleaved pairs
    .venv/bin/python benchmarks/collect_speed.py --plans 20 --pairs 9 --profile

N plans are generated from the synthetic data book (:mod:`benchmarks.synthetic`: the demo accounts cloned) into
a temporary folder. Then, for each of ``--pairs`` rounds, both sides read every plan once, in turn
(A, B, A, B …, so that whatever else the shared machine does hits both alike):

- **A — bare python-calamine with the cell kinds** (:func:`bare.read_plan`): ``CalamineWorkbook.from_path(p)``
  and ``get_sheet_by_name(s).to_python()`` for every sheet of the file, and the cell kinds calamine cannot tell
  found the bare way (:func:`bare.cell_kinds`: each sheet's XML searched by regular expressions for its error
  cells and its percent-styled cells); nothing checked — issue 14's baseline;
- **A₀ — bare python-calamine, values only** (no cell kinds; not in the ratio);
- **B — kam_xl**: ``batch._collect_one`` — the file opened through :func:`kam_xl.package.open_package` (file,
  zip directory, parts under their limits, XML defused, each sheet read checked for its reach and scanned
  for cell kinds), read by defined name (``read_named(lazy=True)``), then the inputs parsed into the models
  with their problems, as ``collect`` does per file;
- **B₀ — kam_xl's read alone**: ``read_named(p, lazy=True)``, for where the time goes (not in the ratio).

Each run's CPU time (``time.process_time``: the shared machine's other work does not count) is divided by
the number of plans. Reported: the median ms per plan of each side, and the median of the per-round ratios
B / A with their min, max and interquartile range. ``--profile`` adds a cProfile of B's side (top functions by
own time). The cyclic garbage collector is paused during the timed runs, as ``collect`` pauses it.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from time import process_time

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bare import read_plan
from synthetic import write_synthetic

from kam_xl import batch
from kam_xl.excellence import load_catalogue
from kam_xl.workbook.names import read_named


def bare_calamine(path: Path) -> None:
    """Every sheet of ``path`` read by python-calamine, with the cell kinds found the bare way (the baseline)."""
    read_plan(path)


def bare_values(path: Path) -> None:
    """Every sheet of ``path`` read by python-calamine alone, values only."""
    read_plan(path, kinds=False)


def make_collect_one() -> Callable[[Path], None]:
    """kam_xl's read of one plan as ``collect`` does it; refuses a plan that is not read back whole."""
    catalogue = load_catalogue()

    def collect_one(path: Path) -> None:
        got = batch._collect_one(path, "xlsx", catalogue, "de", "calamine")
        if got is None or got.plan is None or got.problems or got.skipped:
            raise SystemExit(f"{path.name} not read back: {got and (got.skipped or got.problems[:3])}")
    return collect_one


def read_only(path: Path) -> None:
    """kam_xl's read by name alone (no parsing into models)."""
    read_named(path, lazy=True)


def cpu_per_plan(read: Callable[[Path], None], plans: list[Path]) -> float:
    """CPU milliseconds per plan of one pass of ``read`` over ``plans``."""
    c0 = process_time()
    for p in plans:
        read(p)
    return (process_time() - c0) * 1000 / len(plans)


def quartiles(xs: list[float]) -> tuple[float, float]:
    """The first and third quartile of ``xs`` (at least 2 values)."""
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def generate(n: int, work: Path) -> list[Path]:
    """``n`` plans from the synthetic data book of ``n`` accounts, in ``work``."""
    _, data = write_synthetic(n, work / "databook")
    out = work / "plans"
    results = list(batch.generate_all(str(data), out, jobs=1, now=datetime(2026, 1, 15, tzinfo=UTC)))
    plans = sorted(r.path for r in results if r.path is not None and r.path.suffix == ".xlsx")
    if len(plans) != n:
        raise SystemExit(f"generated {len(plans)} plans, expected {n}: {[r.status for r in results][:5]}")
    return plans


def profile(read: Callable[[Path], None], plans: list[Path], rounds: int = 3, top: int = 25) -> str:
    """A cProfile of ``rounds`` passes of ``read`` over ``plans``: the top functions by own time."""
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(rounds):
        for p in plans:
            read(p)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plans", type=int, default=40, help="plans generated and read (default 40)")
    ap.add_argument("--pairs", type=int, default=15, help="interleaved rounds (default 15)")
    ap.add_argument("--profile", action="store_true", help="also print a cProfile of kam_xl's side")
    ap.add_argument("--folder", type=Path, help="read the plans (*.xlsx) already in this folder instead of "
                                                "generating --plans of them")
    args = ap.parse_args(argv)
    if args.plans < 1 or args.pairs < 2:
        ap.error("--plans ≥ 1 and --pairs ≥ 2")
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="kam_xl_collect_speed_") as tmp:
        if args.folder is not None:
            plans = sorted(args.folder.glob("*.xlsx"))
            args.plans = len(plans)
        else:
            print(f"generating {args.plans} plans …", file=sys.stderr, flush=True)
            plans = generate(args.plans, Path(tmp))
        sides: dict[str, Callable[[Path], None]] = {"bare python-calamine + cell kinds": bare_calamine,
                                                     "kam_xl, _collect_one (read + parse)": make_collect_one(),
                                                     "  of which read_named(lazy=True)": read_only,
                                                     "bare python-calamine, values only": bare_values}
        for read in sides.values():  # warm up: imports, caches of the template's workbook.xml and styles
            read(plans[0])
        times: dict[str, list[float]] = {label: [] for label in sides}
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for i in range(args.pairs):
                for label, read in sides.items():
                    times[label].append(cpu_per_plan(read, plans))
                print(f"  round {i + 1}/{args.pairs}", file=sys.stderr, flush=True)
            report = profile(sides["kam_xl, _collect_one (read + parse)"], plans) if args.profile else ""
        finally:
            if was_enabled:
                gc.enable()
    bare, kam, read, _ = times.values()
    ratios = [k / b for k, b in zip(kam, bare, strict=True)]
    read_ratios = [r / b for r, b in zip(read, bare, strict=True)]
    print(f"{args.plans} plans, {args.pairs} interleaved rounds, CPU time per plan; load average {load0:.1f} at "
          f"start, {os.getloadavg()[0]:.1f} at end")
    print(f"{'side':<40} {'median':>8} {'min':>7} {'max':>7}   {'IQR':>13}")
    for label, xs in times.items():
        q1, q3 = quartiles(xs)
        print(f"{label:<40} {statistics.median(xs):6.2f} ms {min(xs):7.2f} {max(xs):7.2f}   {q1:5.2f} – {q3:5.2f}")
    for label, rs in (("ratio kam_xl / bare (target ≤ 1.5)", ratios), ("ratio read_named / bare", read_ratios)):
        q1, q3 = quartiles(rs)
        print(f"{label:<40} {statistics.median(rs):6.2f} ×  {min(rs):7.2f} {max(rs):7.2f}   {q1:5.2f} – {q3:5.2f}")
    if report:
        print("\ncProfile of kam_xl's side (3 passes over the plans), by own time:\n" + report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
