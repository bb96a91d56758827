"""CPU time per account plan as ``generate`` makes it, in one process, without the process pool and the controller.

Two ways (issue 14's per-plan target: ≤ 65 ms CPU a plan):

* ``parent`` — as the ``generate`` process writes a plan itself: with the data book in memory,
  :func:`kam_xl.batch.plan_job` (the account's data and its fingerprint: ``prepare``), then the job (layout, input
  snapshot, render, atomic write: ``job``);
* ``worker`` — as a ``--jobs`` worker writes one: the jobs are made and pickled first, the data book let go,
  then each job unpickled and run (``job`` includes the unpickling; ``prepare`` is the parent's and not counted).

The first 5 plans warm the caches and are not counted; the plans go to a temporary folder. Usage::

    PYTHONPATH=BEFORE_TREE python benchmarks/plan_cpu.py DATA [--plans 60] [--worker]
    PYTHONPATH=. python benchmarks/plan_cpu.py DATA [--plans 60] [--worker]
"""

from __future__ import annotations

import argparse
import gc
import pickle
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from kam_xl import batch
from kam_xl.databook import read_databook

WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
WARM = 5


def parent(data: Path, plans: int, out: Path) -> tuple[float, float]:
    """Seconds of CPU per plan: (prepare, job), as the ``generate`` process itself writes a plan."""
    db = read_databook(data)
    prepare = job = 0.0
    for i, account in enumerate(db.accounts[:plans + WARM]):
        t0 = time.process_time()
        made = batch.plan_job(db, str(data), account.account_id, out / f"{account.account_id}.xlsx", "de", WHEN)
        t1 = time.process_time()
        made()
        if i >= WARM:
            prepare, job = prepare + t1 - t0, job + time.process_time() - t1
    return prepare / plans, job / plans


def worker(data: Path, plans: int, out: Path) -> float:
    """Seconds of CPU per plan as a ``--jobs`` worker writes it (the job unpickled and run)."""
    db = read_databook(data)
    sent = [pickle.dumps(batch.plan_job(db, str(data), a.account_id, out / f"{a.account_id}.xlsx", "de", WHEN))
            for a in db.accounts[:plans + WARM]]
    del db
    gc.collect()
    for blob in sent[:WARM]:
        pickle.loads(blob)()
    t = time.process_time()
    for blob in sent[WARM:]:
        pickle.loads(blob)()
    return (time.process_time() - t) / plans


def main(argv: list[str] | None = None) -> int:
    """Print the CPU milliseconds per plan of the data book at DATA's first ``--plans`` accounts."""
    ap = argparse.ArgumentParser(description="CPU per account plan as generate makes it (one process).")
    ap.add_argument("data", type=Path, help="a data book (CSV folder, .xlsx, SQLite …)")
    ap.add_argument("--plans", type=int, default=60, help="plans timed after 5 warming ones (default 60)")
    ap.add_argument("--worker", action="store_true", help="as a --jobs worker: jobs unpickled, no data book")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kam_xl_plan_cpu_") as tmp:
        if args.worker:
            print(f"worker: job {1000 * worker(args.data, args.plans, Path(tmp)):.1f} ms CPU a plan")
        else:
            prepare, job = parent(args.data, args.plans, Path(tmp))
            print(f"parent: prepare {1000 * prepare:.1f} + job {1000 * job:.1f} = {1000 * (prepare + job):.1f} ms "
                  "CPU a plan")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
