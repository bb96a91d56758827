"""CPU per plan as a ``--jobs`` worker writes it, in rounds over the same jobs — for two source trees run at once.

The first ``--plans`` accounts of ``DATA`` become pickled jobs (as the parent sends them), the data book is let go,
5 jobs warm the caches, then each round empties the output folder (a plan that exists would be regenerated, another
path) and runs every job. Prints each round's CPU ms a plan, their median, and ``plan_job``'s ms a plan (the parent's
share). Started for the before and the after tree at the same moment, the two share the machine's load round by
round; compare the per-round differences (issue 14, session 6)::

    PYTHONPATH=/tmp/before python benchmarks/plan_rounds.py DATA & PYTHONPATH=. python benchmarks/plan_rounds.py DATA
"""

from __future__ import annotations

import argparse
import gc
import pickle
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from kam_xl import batch
from kam_xl.databook import read_databook

WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
WARM = 5


def rounds(data: Path, plans: int, count: int, out: Path) -> tuple[list[float], float]:
    """CPU ms a plan of each of ``count`` rounds over the first ``plans`` accounts, and ``plan_job``'s ms a plan."""
    db = read_databook(data)
    ids = [a.account_id for a in db.accounts[:plans]]
    t = time.process_time()
    jobs = [batch.plan_job(db, str(data), i, out / f"{i}.xlsx", "de", WHEN) for i in ids]
    prepare = (time.process_time() - t) / plans * 1000
    sent = [pickle.dumps(j) for j in jobs]
    del jobs
    del db
    gc.collect()
    for blob in sent[:WARM]:
        pickle.loads(blob)()
    found = []
    for _ in range(count):
        for f in out.iterdir():
            f.unlink()
        gc.collect()
        t = time.process_time()
        for blob in sent:
            pickle.loads(blob)()
        found.append((time.process_time() - t) / plans * 1000)
    return found, prepare


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--plans", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=6)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        found, prepare = rounds(args.data, args.plans, args.rounds, Path(tmp))
    print(" ".join(f"{x:.1f}" for x in found), f"| median {statistics.median(found):.2f}",
          f"| plan_job {prepare:.2f}", flush=True)


if __name__ == "__main__":
    main()
