"""What ``collect``'s parent process holds and spends, step by step, with the controller step left out.

One command over a folder of generated plans (the controller is helper work of its own; this measures the rest)::

    PYTHONPATH=. .venv/bin/python benchmarks/collect_parent.py PLANS [--jobs 2] [--trace]

It runs the steps of ``kam-xl collect PLANS --jobs N`` in order, as :func:`kam_xl.cli.collect` runs them, but
writes the export and the error report into a temporary folder and stops before ``write_controller``:

1. ``collect_export`` — the plans read in ``--jobs`` worker processes, the export's rows kept in the parent;
2. the error report (``collect_errors.csv``);
3. the controller's typed inputs (``read_controller_inputs`` of ``PLANS/Controller.xlsm`` when there is one, then
   ``controller_export``; the command reads them in a thread while the plans are read and hands the same reading
   to ``write_controller``);
4. the data book the plans were generated from (``_collect_base``: their ``_meta`` names it);
5. the export with the controller's tables and the data book's account fields, written (``collected.xlsx``; with
   ``--jobs`` 2 or more the command writes it in a process of its own while it writes the controller — here it is
   written in this process, so that its cost shows);
6. ``consolidate`` — the data book the controller would be built from (the controller itself is not built);
7. the data book and the export let go, as the command lets them go before the controller step.

After each step: the parent's CPU (user + system) and its resident set (``VmRSS``) and peak (``VmHWM``), the
workers' CPU (``RUSAGE_CHILDREN``, counted once they have ended) and the wall time. ``--trace`` also runs
:mod:`tracemalloc` (slower) and prints the 15 largest allocation sites alive after step 6. One JSON line at the
end holds every figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _status(key: str) -> float:
    """``VmRSS`` / ``VmHWM`` of this process in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Steps:
    """The figures after each step."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.t0 = time.perf_counter()

    def mark(self, step: str) -> None:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        row = {"step": step, "wall_s": round(time.perf_counter() - self.t0, 2),
               "parent_cpu_s": round(me.ru_utime + me.ru_stime, 2),
               "workers_cpu_s": round(kids.ru_utime + kids.ru_stime, 2),
               "rss_mib": round(_status("VmRSS"), 1), "peak_mib": round(_status("VmHWM"), 1)}
        if tracemalloc.is_tracing():
            now, peak = tracemalloc.get_traced_memory()
            row |= {"traced_mib": round(now / 2**20, 1), "traced_peak_mib": round(peak / 2**20, 1)}
        self.rows.append(row)
        print("  ".join(f"{k} {v}" for k, v in row.items()), file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--trace", action="store_true", help="tracemalloc: the largest allocation sites after step 6")
    args = ap.parse_args(argv)

    from kam_xl import cli
    from kam_xl.batch import CONTROLLER_FILE, collect_export, consolidate, with_controller_tables, with_databook_fields
    from kam_xl.workbook.controller import controller_export, read_controller_inputs

    if args.trace:
        tracemalloc.start(8)
    steps = Steps()
    steps.mark("imports")
    folder = args.folder
    controller_path = folder / CONTROLLER_FILE
    with tempfile.TemporaryDirectory(prefix="kam_xl_collect_parent_") as tmp:
        result = collect_export(folder, ignore=frozenset({"collected.xlsx", CONTROLLER_FILE}), jobs=args.jobs)
        steps.mark(f"1 collect_export ({result.plans} plans)")
        not_written: list[str] = []
        cli._write_error_report(Path(tmp) / "collect_errors.csv", result.problems, result.skipped, not_written)
        steps.mark("2 error report")
        typed, _ = (controller_export(read_controller_inputs(controller_path), controller_path.name, "de")
                    if controller_path.exists() else ({}, []))
        steps.mark("3 controller's typed inputs")
        base, said = cli._collect_base(None, None, result.data_books, "de")
        steps.mark("4 data book of the plans")
        collected = with_databook_fields(with_controller_tables(result.export, typed), base)
        written = cli._write_export(collected, Path(tmp) / "collected.xlsx", True, not_written)
        steps.mark("5 export written")
        consolidated = with_controller_tables(consolidate(base, collected), typed)
        steps.mark("6 consolidated (the controller's data book)")
        del base, collected  # as the command does before the controller step
        gc.collect()
        steps.mark("7 data book and export let go (what the controller step starts from)")
        top = ""
        if args.trace:
            snap = tracemalloc.take_snapshot()
            top = "\n".join(str(s) for s in snap.statistics("lineno")[:15])
    print(said, written, not_written, file=sys.stderr)
    if top:
        print(top, file=sys.stderr)
    print(json.dumps({"folder": str(folder), "jobs": args.jobs, "plans": result.plans, "steps": steps.rows,
                      "consolidated_accounts": len(consolidated.accounts)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
