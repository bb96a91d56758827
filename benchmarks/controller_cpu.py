"""Where ``write_controller`` spends its CPU: each build step (sheet kind) and each sheet written, by name.

One command over a data book (a CSV folder such as ``synthetic.py`` writes)::

    PYTHONPATH=. .venv/bin/python benchmarks/controller_cpu.py DB [--lang de] [--xlsx] [--profile N]

It writes ``Controller.xlsm`` (with ``--xlsx`` the plain ``.xlsx``) of ``DB`` into a temporary folder with a fixed
generation time, as ``generate`` and ``collect`` call :func:`kam_xl.batch.write_controller`, and prints the CPU
(user + system of this process, ``time.process_time``) of the data book's read, of each progress step — each
sheet kind laid out, named by its key; each sheet written, named by the sheet — and of closing the file after the
last sheet (the zip: deflating every part), then the total and the peak resident set (``ru_maxrss``).
``--profile N`` runs it under :mod:`cProfile` (about twice as slow) and prints the N functions with the most time of
their own. One JSON line at the end holds every figure.
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
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the data book (CSV folder or workbook)")
    parser.add_argument("--lang", choices=("de", "en"), default="de")
    parser.add_argument("--xlsx", action="store_true", help="the plain .xlsx instead of the .xlsm")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile: the N largest own times")
    args = parser.parse_args()

    from kam_xl.addin.xlsm import controller_xlsm_book
    from kam_xl.batch import write_controller
    from kam_xl.databook import read_databook
    from kam_xl.workbook.controller import CONTROLLER_SHEETS
    from kam_xl.workbook.controller.kind import build_order

    t0 = time.process_time()
    db = read_databook(args.data)
    read = time.process_time() - t0
    kinds = [k.key for k in build_order(CONTROLLER_SHEETS)]
    steps: list[tuple[str, float]] = []
    last = [time.process_time()]
    sheets: list[str] = []

    def progress(done: int, total: int) -> None:  # kinds laid out (total 2 × kinds), then kinds + sheets written
        now = time.process_time()
        if total == 2 * len(kinds) and done <= len(kinds):
            name = f"layout {kinds[done - 1]}" + (" (+ fingerprint, defaults)" if done == 1 else "")
        else:
            k = done - len(kinds)
            name = f"write {sheets[k - 1] if k - 1 < len(sheets) else k}"
        steps.append((name, now - last[0]))
        last[0] = now

    import kam_xl.workbook.render as render  # the sheets' names as they are written (the book is built inside)

    fill = render.fill_workbook

    def named_fill(book, output, progress=None):  # type: ignore[no-untyped-def]
        sheets[:] = [s.name for s in book.sheets]
        return fill(book, output, progress)

    render.fill_workbook = named_fill  # type: ignore[assignment]
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
    steps.append(("close (zip)", end - last[0]))
    for name, cpu in steps:
        print(f"{name:32s} {cpu:7.2f} s")
    total = end - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
    print(f"{'data book read':32s} {read:7.2f} s")
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
