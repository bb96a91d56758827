"""Where ``write_controller`` spends its CPU: each sheet kind built, each kind's sheets written, the file assembled.

One command over a data book (a CSV folder such as ``synthetic.py`` writes)::

    PYTHONPATH=. .venv/bin/python benchmarks/controller_cpu.py DB [--lang de] [--xlsx] [--profile N]

It writes ``Controller.xlsm`` (with ``--xlsx`` the plain ``.xlsx``) of ``DB`` into a temporary folder with a fixed
generation time, as ``generate`` and ``collect`` call :func:`kam_xl.batch.write_controller`, and prints the CPU
(user + system of this process, ``time.process_time``) of the data book's read and of each of
``write_controller``'s progress steps, named: the sheets are laid out as they are written
(:func:`kam_xl.workbook.controller.laid_out`), so a kind is built when its sheets are first asked for or a kind
that needs it is built (``build KEY``; the first step also holds what comes before any kind is built: the data's
fingerprint, the defaults and the per-account inputs), its sheets are written (``write KEY``, with the sheets'
names: laying out their rows as they are produced, the page plan and the XML), and at last the file is assembled
(``assemble``: the add-in's licence sheet, ``_meta``, closing the zip — deflating every part — and the atomic
rename). Then the total and the peak resident set (``ru_maxrss``). ``--profile N`` runs it under :mod:`cProfile`
(about twice as slow) and prints the N functions with the most time of their own. One JSON line at the end holds
every figure.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def step_names(kinds: Sequence[Any]) -> list[str]:
    """The names of ``write_controller``'s progress steps in the order it reports them: as
    :func:`kam_xl.workbook.controller.laid_out` goes through ``kinds`` in workbook order, building (in build order)
    every kind up to the one whose sheets come next, then writing that kind's sheets; and the file assembled."""
    from kam_xl.workbook.controller.kind import build_order

    pending, built, names = iter(build_order(kinds)), set(), []
    for kind in kinds:
        while kind.key not in built:
            b = next(pending)
            built.add(b.key)
            names.append(f"build {b.key}")
        names.append(f"write {kind.key}")
    names[0] += " (+ data fingerprint, defaults, per-account inputs)"  # all that comes before the first kind
    return [*names, "assemble"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the data book (CSV folder or workbook)")
    parser.add_argument("--lang", choices=("de", "en"), default="de")
    parser.add_argument("--xlsx", action="store_true", help="the plain .xlsx instead of the .xlsm")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile: the N largest own times")
    args = parser.parse_args()

    import kam_xl.workbook.render as render
    from kam_xl.addin.xlsm import controller_xlsm_book
    from kam_xl.batch import write_controller
    from kam_xl.databook import read_databook
    from kam_xl.workbook.controller import CONTROLLER_SHEETS

    t0 = time.process_time()
    db = read_databook(args.data)
    read = time.process_time() - t0
    names = step_names(CONTROLLER_SHEETS)
    steps: list[tuple[str, float]] = []
    written: list[str] = []  # the sheets written since the last step
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if total != len(names):
            raise SystemExit(f"write_controller reports {total} steps, the benchmark knows {len(names)}: "
                             "update step_names")
        now = time.process_time()
        name = names[done - 1]
        if written:
            name += f" [{', '.join(written)}]"
            written.clear()
        steps.append((name, now - last[0]))
        last[0] = now

    write_sheet = render._write_sheet

    def named_write(wb: Any, fmts: Any, sheet: Any, book: Any) -> None:  # the sheets' names as they are written
        written.append(sheet.name)
        write_sheet(wb, fmts, sheet, book)

    render._write_sheet = named_write  # type: ignore[assignment]
    target = Path(tempfile.mkdtemp()) / ("Controller.xlsx" if args.xlsx else "Controller.xlsm")
    profile = cProfile.Profile() if args.profile else None
    start = time.process_time()
    last[0] = start
    if profile is not None:
        profile.enable()
    write_controller(db, target, args.lang, now=datetime(2026, 11, 30, 12, tzinfo=UTC),
                     xlsm_book=None if args.xlsx else controller_xlsm_book, progress=progress)
    if profile is not None:
        profile.disable()
    end = time.process_time()
    width = max(len(n) for n, _ in steps)
    for name, cpu in steps:
        print(f"{name:{width}s} {cpu:7.2f} s")
    total = end - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
    print(f"{'data book read':{width}s} {read:7.2f} s")
    print(f"write_controller {len(db.accounts)} accounts: {total:.2f} s CPU "
          f"({1000 * total / max(len(db.accounts), 1):.2f} ms an account), peak {peak} MiB, "
          f"{target.stat().st_size >> 10} KiB")
    if profile is not None:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.profile)
        print(out.getvalue())
    print(json.dumps({"accounts": len(db.accounts), "read_s": round(read, 3), "controller_s": round(total, 3),
                      "peak_mib": peak, "bytes": target.stat().st_size,
                      "steps": [[n, round(c, 3)] for n, c in steps]}))


if __name__ == "__main__":
    main()
