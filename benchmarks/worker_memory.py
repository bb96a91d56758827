"""A ``generate --jobs`` worker's memory as it writes plans: RSS and USS (MiB) after its imports and after 1, 10,
50 … plans (issue 14, session 7).

Usage (each tree on PYTHONPATH in turn; same data, same plans)::

    PYTHONPATH=/tmp/before python benchmarks/worker_memory.py /work/s4data/db1000 --plans 300 --out /tmp/w1
    PYTHONPATH=. python benchmarks/worker_memory.py /work/s4data/db1000 --plans 300 --out /tmp/w2

This process reads the data book and prepares each plan's job as ``generate`` does (``batch.plan_job``), starts ONE
worker exactly as ``generate_all`` does (``ProcessPoolExecutor`` with multiprocessing's "spawn", the run's
initializer where the tree has one) and sends it the jobs one at a time through ``batch._run_job``; it reads the
worker's memory with psutil between jobs. The worker's main module is this script, whose top level imports nothing
(everything is imported in :func:`main`), so the worker holds what the job needs, not what this script needs — as a
worker of ``python -m kam_xl`` (or the ``kam-xl`` command) does. A worker of ``python -m kam_xl.cli`` or of a
``kam-xl`` script importing ``kam_xl.cli`` imports the command line on top (≈ 5 MiB; ``wtree`` figures in
benchmarks/README.md).
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    """Print one line per mark: plans written, worker RSS and USS in MiB, the worker's modules."""
    import argparse
    import multiprocessing
    import shutil
    from concurrent.futures import ProcessPoolExecutor
    from datetime import UTC, datetime
    from pathlib import Path

    import psutil

    from kam_xl import batch
    from kam_xl.databook import read_databook

    ap = argparse.ArgumentParser(description="A generate --jobs worker's memory as it writes plans.")
    ap.add_argument("data", help="data book (CSV folder, .xlsx)")
    ap.add_argument("--plans", type=int, default=300)
    ap.add_argument("--out", type=Path, required=True, help="folder for the plans (emptied first)")
    args = ap.parse_args(argv)
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    db = read_databook(args.data)
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    seed = getattr(batch, "_workers_cldr_words", None)  # the trees since session 7 give the worker the CLDR words
    options = {} if seed is None else {"initializer": batch.remember_cldr_words,
                                       "initargs": (seed(db, "de", now),)}
    marks = {1, 10, 50, 100, 200, 300, 500, 1000, args.plans}
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), **options) as pool:
        worker = psutil.Process(pool.submit(_pid).result())
        print(f"started: {_memory(worker)}")
        for n, account in enumerate(db.accounts[:args.plans], 1):
            job = batch.plan_job(db, args.data, account.account_id, args.out / batch.plan_filename(account), "de",
                                 now)
            result = pool.submit(batch._run_job, job).result()
            assert result.status == "new", result
            if n in marks:
                print(f"{n:5d} plans: {_memory(worker)}", flush=True)
        modules = pool.submit(eval, "len(__import__('sys').modules)").result()
    print(f"worker's modules: {modules}")
    return 0


def _pid() -> int:
    import os

    return os.getpid()


def _memory(worker: object) -> str:
    info = worker.memory_full_info()  # type: ignore[attr-defined]
    return f"RSS {info.rss / 2**20:5.1f} MiB, USS {info.uss / 2**20:5.1f} MiB"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
