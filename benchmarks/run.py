"""kam_xl benchmarks: generation, regeneration, collection and peak memory, each against a bare baseline,
all measured in one run on this machine.

Usage::

    python benchmarks/run.py [--accounts 200] [--memory-accounts 2000] [--quick] [--json PATH]

``--quick`` uses 30 accounts and 300 for memory (well under two minutes). The results are printed as a table
and written as JSON to ``benchmarks/results.json``. See ``benchmarks/README.md`` for what is measured and the
targets.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

from baseline import prepare_books, read_all_bare, same_cells, write_all_bare
from phases import profile_generation
from synthetic import write_synthetic

from kam_xl import batch
from kam_xl.batch import PlanResult, collect_plans, generate_all
from kam_xl.databook import read_databook
from kam_xl.workbook import render
from kam_xl.workbook.account_plan import AccountPlanData

HERE = Path(__file__).resolve().parent
LONG = 10.0  # timings at least this long are run once, shorter ones three times (best of 3)
REPEATS = 3
TARGET_GENERATE = 1.3  # kam_xl jobs=1 / bare xlsxwriter
TARGET_COLLECT = 1.5  # collect_plans / bare python-calamine
FLAT_MEMORY = 1.5  # peak(M) / peak(M/4) at most this is "flat" (proportional memory would give ≈ 4)


@dataclass
class Timing:
    """The runs of one measurement (wall-clock seconds, and this process's CPU seconds); ``best`` is the one
    reported."""

    runs: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        """The fastest run."""
        return min(self.runs)

    @property
    def best_cpu(self) -> float:
        """The CPU seconds of this process in its least-CPU run (children, as with jobs=2, not counted)."""
        return min(self.cpu)


@dataclass
class Case:
    """One thing to time: ``run(setup(i))`` for repeat ``i``, only ``run`` timed."""

    label: str
    setup: Callable[[int], Any]
    run: Callable[[Any], object]


def measure(*cases: Case) -> dict[str, Timing]:
    """Time the cases in turn, ``REPEATS`` rounds (a case whose first run took ``LONG`` s or more is run only
    once). Interleaving the cases round by round lets a kam_xl run and its baseline share whatever else the
    machine is doing at the time, which keeps their ratio fair."""
    out = {c.label: Timing() for c in cases}
    for i in range(REPEATS):
        for c in cases:
            t = out[c.label]
            if t.runs and t.runs[0] >= LONG:
                continue
            arg = c.setup(i)
            gc.collect()
            c0, t0 = process_time(), perf_counter()
            c.run(arg)
            t.runs.append(perf_counter() - t0)
            t.cpu.append(process_time() - c0)
            print(f"  {c.label}: run {i + 1}: {t.runs[-1]:.3f} s", file=sys.stderr, flush=True)
    return out


def consume(results: Iterable[PlanResult], expect: str, n: int) -> None:
    """Run a generate iterator to the end and check every plan has status ``expect`` and no conflicts."""
    got = list(results)
    statuses = Counter(r.status for r in got)
    conflicts = sum(len(r.conflicts) for r in got)
    if statuses != Counter({expect: n}) or conflicts:
        problems = [p for r in got for p in r.problems][:5]
        raise SystemExit(f"unexpected generate results: {dict(statuses)}, {conflicts} conflicts, {problems}")


def _load() -> float:
    """The 1-minute load average (other work on the machine skews wall-clock times), 0 where unknown."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def environment() -> dict[str, Any]:
    """Versions and the machine the numbers were taken on."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return {"python": platform.python_version(), "implementation": platform.python_implementation(),
            "kam_xl": version("kam-xl"), "xlsxwriter": version("xlsxwriter"),
            "python_calamine": version("python-calamine"), "cpu_count": os.cpu_count(), "cpus_usable": usable,
            "platform": platform.platform(), "load_start": _load(),
            "date": datetime.now(UTC).isoformat(timespec="seconds")}


def bench_generation(n: int, work: Path, now: datetime) -> dict[str, Any]:
    """Data book, generation (jobs 1 and 2) with its baseline and profile, regeneration, collection and its
    baseline, all for ``n`` accounts under ``work``."""
    res: dict[str, Any] = {}
    print(f"data book of {n} accounts", file=sys.stderr, flush=True)
    t = perf_counter()
    db, data_path = write_synthetic(n, work / "databook")
    write_s = perf_counter() - t
    rows = sum(len(v) for k, v in db.tables.items() if v is not None and k != "accounts")
    res["data"] = {"accounts": n, "rows": rows, "write_csv_s": write_s}
    data = str(data_path)
    plans = work / "gen1_0"  # the plans of the first jobs=1 run: compared, copied, regenerated and collected
    regen_dir = work / "regen"

    def fresh(name: str) -> Callable[[int], Path]:
        def setup(i: int) -> Path:
            batch._databook.cache_clear()  # every run reads the data book once, as the command does
            render._PREPARED.clear()  # … and starts with no formula prepared yet, as a fresh process does
            return work / f"{name}{i}"
        return setup

    def cached_setup(i: int) -> Path:
        render._PREPARED.clear()
        return work / f"barec{i}"

    def regen_setup(i: int) -> Path:
        batch._databook.cache_clear()
        render._PREPARED.clear()
        if not regen_dir.exists():
            shutil.copytree(plans, regen_dir)  # the same plans; every run regenerates all of them again
        return regen_dir

    books = prepare_books(db, now)  # the baseline's cells, built before any timer starts
    timed = measure(
        Case("generate jobs=1", fresh("gen1_"), lambda out: consume(generate_all(data, out, jobs=1, now=now),
                                                                    "new", n)),
        Case("bare xlsxwriter", lambda i: work / f"bare{i}", lambda out: write_all_bare(books, out)),
        Case("bare + formula cache", cached_setup, lambda out: write_all_bare(books, out, True)),
        Case("generate jobs=2", fresh("gen2_"), lambda out: consume(generate_all(data, out, jobs=2, now=now),
                                                                    "new", n)),
        Case("regenerate jobs=1", regen_setup, lambda out: consume(generate_all(data, out, jobs=1),
                                                                   "regenerated", n)))
    gen1, base, gen2, regen, cached = (timed[k] for k in ("generate jobs=1", "bare xlsxwriter", "generate jobs=2",
                                                          "regenerate jobs=1", "bare + formula cache"))
    diffs = [d for p in sorted(plans.glob("*.xlsx")) for d in same_cells(p, work / "bare0" / p.name)]
    res["generation"] = {
        "jobs1_s": gen1.best, "jobs1_runs": gen1.runs, "jobs1_per_s": n / gen1.best, "jobs1_cpu_s": gen1.best_cpu,
        "jobs2_s": gen2.best, "jobs2_runs": gen2.runs, "jobs2_per_s": n / gen2.best,
        "speedup_jobs2": gen1.best / gen2.best,
        "baseline_s": base.best, "baseline_runs": base.runs, "baseline_per_s": n / base.best,
        "baseline_cpu_s": base.best_cpu,
        "cached_baseline_s": cached.best, "cached_baseline_cpu_s": cached.best_cpu,
        "ratio_jobs1_to_cached_baseline": gen1.best / cached.best,
        "cpu_ratio_jobs1_to_cached_baseline": gen1.best_cpu / cached.best_cpu,
        "ratio_jobs1_to_baseline": gen1.best / base.best, "cpu_ratio_jobs1_to_baseline": gen1.best_cpu / base.best_cpu,
        "target": TARGET_GENERATE, "met": gen1.best / base.best <= TARGET_GENERATE,
        "baseline_same_cells": not diffs, "baseline_differences": diffs[:10],
        "kam_xl_bytes_per_plan": sum(p.stat().st_size for p in plans.glob("*.xlsx")) / n,
        "baseline_bytes_per_plan": sum(p.stat().st_size for p in (work / "bare0").glob("*.xlsx")) / n,
    }
    res["regeneration"] = {"jobs1_s": regen.best, "runs": regen.runs, "per_s": n / regen.best,
                           "cpu_s": regen.best_cpu, "ratio_to_generation": regen.best / gen1.best}

    print("profile (jobs=1, phase by phase)", file=sys.stderr, flush=True)
    prof = profile_generation(data_path, work / "profile", now)
    res["profile"] = {"accounts": prof.accounts, "phases_s": prof.phases, "total_s": prof.total,
                      "bytes_per_plan": prof.bytes_written / prof.accounts}

    files = sorted(plans.glob("*.xlsx"))

    def collect(folder: Path) -> None:
        found = collect_plans(folder)
        if len(found.plans) != n or found.problems or found.skipped:
            raise SystemExit(f"collect: {len(found.plans)} plans, {found.problems[:3]}, {found.skipped[:3]}")

    timed = measure(Case("collect", lambda i: plans, collect),
                    Case("bare python-calamine", lambda i: files, read_all_bare))
    coll, bare_read = timed["collect"], timed["bare python-calamine"]
    res["collection"] = {"s": coll.best, "runs": coll.runs, "per_s": n / coll.best, "cpu_s": coll.best_cpu,
                         "baseline_s": bare_read.best, "baseline_runs": bare_read.runs,
                         "baseline_per_s": n / bare_read.best, "baseline_cpu_s": bare_read.best_cpu,
                         "ratio_to_baseline": coll.best / bare_read.best,
                         "cpu_ratio_to_baseline": coll.best_cpu / bare_read.best_cpu,
                         "target": TARGET_COLLECT, "met": coll.best / bare_read.best <= TARGET_COLLECT}
    return res


def bench_memory(m: int) -> dict[str, Any]:
    """Peak RSS of generating ``m`` and ``m // 4`` plans (jobs=1), each in a fresh child process; the two
    children run side by side (peak RSS is per process, and this halves the wait). Files go to a temp dir
    that is removed afterwards."""
    counts = {"small": max(1, m // 4), "large": m}
    found: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="kam_xl_bench_mem_") as tmp:
        procs = {}
        for key, count in counts.items():
            _, data_path = write_synthetic(count, Path(tmp) / f"databook{count}")
            print(f"memory: generate {count} plans in a child process", file=sys.stderr, flush=True)
            procs[key] = subprocess.Popen([sys.executable, str(HERE / "memory_child.py"), str(data_path),
                                           str(Path(tmp) / f"plans{count}")],
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for key, proc in procs.items():
            stdout, stderr = proc.communicate()
            if proc.returncode != 0:
                raise SystemExit(f"memory child for {counts[key]} accounts failed:\n{stderr}")
            found[key] = json.loads(stdout.strip().splitlines()[-1])
            if found[key]["statuses"] != {"new": counts[key]}:
                raise SystemExit(f"memory child for {counts[key]} accounts: {found[key]['statuses']}")
    small, large = found["small"], found["large"]
    ratio = large["peak"] / small["peak"]
    grow_small = small["peak"] - small["rss_start"]
    grow_large = large["peak"] - large["rss_start"]
    return {"accounts": m, "accounts_small": counts["small"], "large": large, "small": small,
            "peak_ratio": ratio, "above_imports_ratio": grow_large / grow_small if grow_small > 0 else None,
            "generation_increment_small": small["peak"] - small["rss_after_read"],
            "generation_increment_large": large["peak"] - large["rss_after_read"],
            "data_book_bytes_large": large["rss_after_read"] - large["rss_start"],
            "data_book_bytes_small": small["rss_after_read"] - small["rss_start"],
            "flat_limit": FLAT_MEMORY, "flat": ratio <= FLAT_MEMORY}


def bench_lookup(sizes: list[int], sample: int = 50) -> dict[str, float]:
    """Milliseconds per account of taking one account's data from a data book as ``generate`` reads it
    (written as CSV, read with :func:`~kam_xl.databook.read_databook`) with
    :meth:`AccountPlanData.from_databook`, which ``generate`` does for every plan, for data books of the
    given sizes: constant means a run scales linearly, growing with the size means quadratically."""
    out = {}
    for size in sorted(set(sizes)):
        with tempfile.TemporaryDirectory(prefix="kam_xl_bench_lookup_") as tmp:
            db = read_databook(write_synthetic(size, Path(tmp) / "databook")[1])
        ids = [a.account_id for a in db.accounts][:: max(1, size // sample)]
        gc.collect()
        t = perf_counter()
        for aid in ids:
            AccountPlanData.from_databook(db, aid)
        out[str(size)] = 1000 * (perf_counter() - t) / len(ids)
    return out


def _table(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(max(map(len, rows)))]
    lines = []
    for k, r in enumerate(rows):
        cells = [c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(r)]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report(res: dict[str, Any]) -> str:
    """The results as plain-text tables."""
    env, g, p, rg, c = res["env"], res["generation"], res["profile"], res["regeneration"], res["collection"]
    n = res["data"]["accounts"]
    mib = 1024 * 1024
    ok = {True: "met", False: "MISSED"}
    out = [f"kam_xl {env['kam_xl']} benchmarks — Python {env['python']}, xlsxwriter {env['xlsxwriter']}, "
           f"python-calamine {env['python_calamine']}, {env['cpu_count']} CPUs ({env['cpus_usable']} usable), "
           f"{env['platform']}",
           f"N = {n} accounts ({res['data']['rows']:,} data rows, CSV written in {res['data']['write_csv_s']:.2f} s);"
           f" best of {REPEATS} interleaved runs (1 run if ≥ {LONG:.0f} s); load average "
           f"{env['load_start']:.2f} at start, {res.get('load_end', 0.0):.2f} at end", ""]
    rows = [["measurement", "time", "CPU", "plans/s", "ratio (wall)", "ratio (CPU)", "target", ""],
            ["generate, jobs=1", f"{g['jobs1_s']:.2f} s", f"{g['jobs1_cpu_s']:.2f} s", f"{g['jobs1_per_s']:.1f}",
             f"{g['ratio_jobs1_to_baseline']:.2f} × bare", f"{g['cpu_ratio_jobs1_to_baseline']:.2f} × bare",
             f"≤ {g['target']}", ok[g["met"]]],
            ["generate, jobs=2", f"{g['jobs2_s']:.2f} s", "", f"{g['jobs2_per_s']:.1f}",
             f"{g['speedup_jobs2']:.2f} × faster", "", "", ""],
            ["  baseline: bare xlsxwriter, same cells", f"{g['baseline_s']:.2f} s", f"{g['baseline_cpu_s']:.2f} s",
             f"{g['baseline_per_s']:.1f}", "", "", "", "same cells" if g["baseline_same_cells"] else "CELLS DIFFER"],
            ["  for reference: bare + kam_xl's formula cache", f"{g['cached_baseline_s']:.2f} s",
             f"{g['cached_baseline_cpu_s']:.2f} s", f"{n / g['cached_baseline_s']:.1f}",
             f"kam_xl {g['ratio_jobs1_to_cached_baseline']:.2f} ×",
             f"kam_xl {g['cpu_ratio_jobs1_to_cached_baseline']:.2f} ×", "", ""],
            ["regenerate, jobs=1", f"{rg['jobs1_s']:.2f} s", f"{rg['cpu_s']:.2f} s", f"{rg['per_s']:.1f}",
             f"{rg['ratio_to_generation']:.2f} × generate", "", "", ""],
            ["collect", f"{c['s']:.2f} s", f"{c['cpu_s']:.2f} s", f"{c['per_s']:.1f}",
             f"{c['ratio_to_baseline']:.2f} × bare", f"{c['cpu_ratio_to_baseline']:.2f} × bare",
             f"≤ {c['target']}", ok[c["met"]]],
            ["  baseline: bare python-calamine, all sheets", f"{c['baseline_s']:.2f} s",
             f"{c['baseline_cpu_s']:.2f} s", f"{c['baseline_per_s']:.1f}", "", "", "", ""]]
    if "memory" in res:
        mem = res["memory"]
        for key, count in (("small", mem["accounts_small"]), ("large", mem["accounts"])):
            m = mem[key]
            rows.append([f"peak RSS, generate {count} plans (child, side by side)", f"{m['seconds']:.1f} s", "",
                         f"{count / m['seconds']:.1f}", f"{m['peak'] / mib:.0f} MiB", "", "", ""])
        rows.append([f"  peak ratio {mem['accounts']} / {mem['accounts_small']} plans", "", "", "",
                     f"{mem['peak_ratio']:.2f}", "", f"≤ {mem['flat_limit']} (flat)", ok[mem["flat"]]])
    out.append(_table(rows, {1, 2, 3}))
    if "memory" in res:
        mem = res["memory"]
        out.append(f"memory: data book held in memory {mem['data_book_bytes_small'] / mib:.0f} MiB "
                   f"({mem['accounts_small']} accounts) / {mem['data_book_bytes_large'] / mib:.0f} MiB "
                   f"({mem['accounts']}); generating on top of it {mem['generation_increment_small'] / mib:.1f} / "
                   f"{mem['generation_increment_large'] / mib:.1f} MiB; "
                   f"after imports {mem['small']['rss_start'] / mib:.0f} MiB")
    look = res["lookup_ms_per_account"]
    out.append("account data lookup (AccountPlanData.from_databook) per plan: " + ", ".join(
        f"{v:.2f} ms at {k} accounts" for k, v in look.items()) + " (constant = linear run time)")
    out.append(f"file size per plan: kam_xl {g['kam_xl_bytes_per_plan'] / 1024:.1f} KiB, "
               f"bare {g['baseline_bytes_per_plan'] / 1024:.1f} KiB")
    out += ["", f"profile, jobs=1, {p['accounts']} plans (functions called one by one; sum {p['total_s']:.2f} s vs "
                f"generate {g['jobs1_s']:.2f} s):"]
    prow = [["phase", "time", "ms/plan", "share"]]
    for phase, s in p["phases_s"].items():
        prow.append([phase, f"{s:.2f} s", f"{1000 * s / p['accounts']:.2f}", f"{100 * s / p['total_s']:.0f} %"])
    prow.append(["bare xlsxwriter (baseline, for comparison)", f"{g['baseline_s']:.2f} s",
                 f"{1000 * g['baseline_s'] / n:.2f}", ""])
    out.append(_table(prow, {1, 2, 3}))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print the tables, write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--accounts", type=int, default=None, help="N accounts for timings (default 200; quick 30)")
    ap.add_argument("--memory-accounts", type=int, default=None,
                    help="M accounts for peak memory, compared with M/4 (default 2000; quick 300; 0 = skip)")
    ap.add_argument("--quick", action="store_true", help="N=30, M=300: a run of well under two minutes")
    ap.add_argument("--json", type=Path, default=HERE / "results.json", help="where to write the results")
    args = ap.parse_args(argv)
    n = args.accounts if args.accounts is not None else (30 if args.quick else 200)
    m = args.memory_accounts if args.memory_accounts is not None else (300 if args.quick else 2000)
    if n < 1 or m < 0:
        ap.error("--accounts must be ≥ 1 and --memory-accounts ≥ 0")
    started = perf_counter()
    res: dict[str, Any] = {"env": environment(), "params": {"accounts": n, "memory_accounts": m,
                                                            "quick": args.quick, "repeats": REPEATS,
                                                            "single_run_from_s": LONG}}
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="kam_xl_bench_") as tmp:
        res.update(bench_generation(n, Path(tmp), now))
    if m > 0:
        res["memory"] = bench_memory(m)
    res["lookup_ms_per_account"] = bench_lookup([n, m // 4, m] if m >= 4 else [n])
    res["elapsed_s"] = perf_counter() - started
    res["load_end"] = _load()
    text = report(res)
    print(text)
    print(f"\n(total benchmark time {res['elapsed_s']:.0f} s; JSON: {args.json})")
    args.json.write_text(json.dumps(res, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
