"""Data book from a database, and generation on Dask (issue 13): one command.

1. Reading the synthetic data book of N accounts (``synthetic.py``) as a CSV folder, a SQLite file and a
   PostgreSQL schema: ``read_databook`` in a fresh child process each (best of 3 wall-clock times; peak RSS =
   ``VmHWM``, and the RSS after the imports, before reading).
2. Generating P plans with ``--jobs 2`` (a process pool) and on a 2-worker ``LocalCluster`` (processes, one thread
   each; started before the timer, as an existing cluster would be): the overhead ratio Dask / pool. The cluster
   is for more machines, not for speed on one.

    .venv/bin/python benchmarks/db.py                        # N=10,000, P=1,000
    .venv/bin/python benchmarks/db.py --accounts 2000 --plans 200

PostgreSQL: ``KAM_XL_TEST_PG_URL`` (default the role and database ``.ci/run`` creates); a schema
``bench_<pid>`` is created and dropped. Results are printed and written to ``benchmarks/results_db.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from synthetic import synthetic_databook  # noqa: E402

from kam_xl import sql  # noqa: E402
from kam_xl.databook import write_databook  # noqa: E402

PG_DEFAULT = "postgresql+psycopg://kam_test:kam_test@127.0.0.1:5432/kam_test"
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
_CHILD = """
import sys, time
def kb(field):
    for line in open('/proc/self/status'):
        if line.startswith(field + ':'):
            return int(line.split()[1])
import sqlalchemy, psycopg
from kam_xl.databook import read_databook
before = kb('VmRSS')
t = time.perf_counter()
db = read_databook(sys.argv[1])
took = time.perf_counter() - t
print(took, before, kb('VmHWM'), len(db.accounts), sum(len(r) for r in db.tables.values() if r is not None))
"""


def read_in_child(data: str) -> dict[str, Any]:
    """``read_databook(data)`` in a fresh process: seconds, RSS after imports, peak RSS (MB), accounts, rows."""
    done = subprocess.run([sys.executable, "-c", _CHILD, data], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    took, before, peak, accounts, rows = done.stdout.split()
    return {"seconds": float(took), "rss_after_imports_mb": int(before) / 1024, "peak_rss_mb": int(peak) / 1024,
            "accounts": int(accounts), "rows": int(rows)}


def bench_read(n: int, work: Path, pg_url: str) -> dict[str, Any]:
    book = synthetic_databook(n)
    schema = f"bench_{os.getpid()}"
    sources: dict[str, str] = {}
    writes: dict[str, float] = {}
    t = time.perf_counter()
    sources["csv"] = str(write_databook(book, work / "csv"))
    writes["csv"] = time.perf_counter() - t
    t = time.perf_counter()
    sql.write_databook_sql(book, work / "kam.db")
    sources["sqlite"], writes["sqlite"] = str(work / "kam.db"), time.perf_counter() - t
    pg = sql.with_schema(pg_url, schema)
    t = time.perf_counter()
    sql.write_databook_sql(book, pg)
    sources["postgresql"], writes["postgresql"] = pg, time.perf_counter() - t
    try:
        out: dict[str, Any] = {}
        for kind, data in sources.items():
            runs = [read_in_child(data) for _ in range(3)]
            best = min(runs, key=lambda r: r["seconds"])
            best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
            best["write_seconds"] = writes[kind]
            out[kind] = best
            print(f"  read {kind}: {best['seconds']:.2f} s, peak {best['peak_rss_mb']:.0f} MB", file=sys.stderr)
        return out
    finally:
        import sqlalchemy as sa

        with sa.create_engine(pg_url).begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def bench_generate(p: int, work: Path) -> dict[str, Any]:
    from distributed import LocalCluster

    from kam_xl.batch import generate_all

    data = str(write_databook(synthetic_databook(p), work / "gen_csv"))

    def run(**kw: Any) -> float:
        out = work / f"plans_{len(list(work.iterdir()))}"
        t = time.perf_counter()
        results = list(generate_all(data, out, now=NOW, **kw))
        took = time.perf_counter() - t
        assert len(results) == p and {r.status for r in results} == {"new"}, {r.status for r in results}
        shutil.rmtree(out)
        return took

    t = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        start = time.perf_counter() - t
        pool = run(jobs=2)
        dask = run(scheduler=cluster.scheduler_address)
    print(f"  generate {p}: jobs=2 {pool:.1f} s, dask {dask:.1f} s", file=sys.stderr)
    return {"plans": p, "jobs2_seconds": pool, "dask_seconds": dask, "overhead_ratio": dask / pool,
            "cluster_start_seconds": start}


def report(res: dict[str, Any]) -> str:
    lines = [f"Read the synthetic data book of {res['accounts']:,} accounts (fresh process each; best of 3):",
             f"{'source':<12}{'rows':>10}{'write s':>10}{'read s':>10}{'RSS after imports MB':>22}{'peak MB':>10}"]
    for kind, r in res["read"].items():
        lines.append(f"{kind:<12}{r['rows']:>10,}{r['write_seconds']:>10.2f}{r['seconds']:>10.2f}"
                     f"{r['rss_after_imports_mb']:>22.0f}{r['peak_rss_mb']:>10.0f}")
    g = res.get("generate")
    if g:
        lines += [f"Generate {g['plans']:,} plans: --jobs 2 {g['jobs2_seconds']:.1f} s, 2-worker LocalCluster "
                  f"{g['dask_seconds']:.1f} s → overhead ratio {g['overhead_ratio']:.2f} "
                  f"(cluster start {g['cluster_start_seconds']:.1f} s, not counted)"]
    lines.append(f"load average at start/end: {res['load_start']:.2f} / {res['load_end']:.2f} on {os.cpu_count()} "
                 "cores")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", type=int, default=10_000, help="accounts of the data book read (default 10,000)")
    ap.add_argument("--plans", type=int, default=1_000, help="plans generated (default 1,000; 0 skips)")
    ap.add_argument("--json", type=Path, default=HERE / "results_db.json")
    args = ap.parse_args(argv)
    pg_url = os.environ.get("KAM_XL_TEST_PG_URL", PG_DEFAULT)
    res: dict[str, Any] = {"accounts": args.accounts, "load_start": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="kam_xl_db_bench_") as tmp:
        res["read"] = bench_read(args.accounts, Path(tmp), pg_url)
        if args.plans:
            res["generate"] = bench_generate(args.plans, Path(tmp))
    res["load_end"] = os.getloadavg()[0]
    text = report(res)
    print(text)
    args.json.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
