"""kam_xl's commands timed as a user runs them, each against a bare baseline measured in the same run.

Usage::

    python benchmarks/commands.py [--accounts 200[,1000]] [--full] [--rounds 3] [--json PATH]
                                  [--commands report,generate,unchanged,collect]

For every N (default 200; ``--full`` adds 10,000) it writes the synthetic data book of N accounts as a CSV
folder (``synthetic.py``), then runs ``--rounds`` rounds of, each command a subprocess of this project's Python
(``python -m kam_xl …``, what the ``kam-xl`` command runs) under ``/usr/bin/time``:

1. ``report --format json > report.json``
2. ``generate --data DB --out PLANS --jobs 2`` into a fresh folder — paired with ``bare.py write`` (a bare
   xlsxwriter script writing the same cells in memory with the same formula cache);
3. ``generate … --jobs 2`` again over the same folder with nothing changed (every plan left as it is: its
   data fingerprint and template version are unchanged), then ``generate … --jobs 2 --force`` (regeneration:
   every plan merged, backed up and rewritten);
4. ``collect PLANS --jobs 2`` — paired with ``bare.py read PLANS`` (bare python-calamine, every sheet of every
   plan, with the cell kinds found the bare way: error values, percent-formatted cells).

A pair's two commands run one right after the other (kam_xl, bare, kam_xl, bare …), so whatever else the
machine does hits both alike; the ratio is taken per pair and the median of the pairs is reported with its
spread (min–max). Per command it records wall time, CPU time (user + system of the whole process tree, from
``/usr/bin/time``, which counts every child that was waited for) and peak memory two ways:

* **tree** — the peak of the *sum* of the resident set sizes of every process of the command's tree (the
  command, ``--jobs`` workers and anything they start), sampled every 50 ms with psutil, and the same for the
  proportional set size every second (PSS: pages shared by forked workers counted once in total). The sampler's
  own CPU time is recorded beside (``sampler_cpu_s``; :class:`Tree` says what it costs). This is the memory the
  command needs of the machine. Sampling can miss a short peak, so the table shows the larger of the sampled
  sum and the largest process's exact peak (both are lower bounds of the tree's true peak).
* **largest process** — ``/usr/bin/time``'s maximum RSS (``%M``), exact (the kernel's high-water mark) but the
  largest *single* process of the tree (``wait4``'s ``ru_maxrss`` of a tree is the max over its processes, not
  the sum), so it understates a tree whose processes run at the same time.

It also records the ``--jobs`` workers' idle time (``worker_idle_s``: per worker process, the time it was seen
alive less its CPU time, summed) — on a quiet machine the time the workers waited for work (for their first job,
or for this process to send the next); on a loaded one it also counts the time they waited for a core.

``--commands`` runs only the steps named (of :data:`STEPS`: ``report``, ``generate``, ``bare`` — the bare
writer and reader of the pairs and the renderer alone —, ``unchanged``, ``regenerate`` — ``generate --force`` —,
``collect``; default all): ``--commands report,generate,unchanged,collect`` leaves out ``generate --force``
and the bare pairs, for a run at 10,000 accounts. ``unchanged``, ``regenerate``, ``collect`` and ``bare`` need
the plans of ``generate``.

Results go to ``benchmarks/results_commands.json`` and a table to stdout; progress to stderr.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import io
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from itertools import islice
from pathlib import Path
from time import perf_counter
from typing import Any

import bare as bare_script
import psutil
from baseline import dump_cells, plain_cells, prepared_books, same_cells
from python_calamine import CalamineWorkbook
from synthetic import write_synthetic

from kam_xl import cycles
from kam_xl.databook import DataBook, read_databook
from kam_xl.workbook import render

HERE = Path(__file__).resolve().parent
GNU_TIME = "/usr/bin/time"
SAMPLE_S = 0.05  # resident sizes (Tree)
LIST_S = 0.25  # the process list and the workers' CPU times
PSS_S = 1.0  # the proportional set sizes
MIB = 1024 * 1024
FULL = 10_000
RENDERER_SAMPLE = 50  # plans of the in-process renderer comparison


@dataclass
class Run:
    """One command run: wall and CPU seconds, peak memory in bytes (see the module doc), the load average."""

    wall_s: float
    cpu_s: float
    largest_rss: int
    tree_rss: int
    tree_pss: int
    load_1min: float
    work_s: float | None = None  # the bare script's own time after its imports
    worker_idle_s: float = 0.0  # the --jobs workers' time alive and not on a CPU, summed (Tree.worker_idle_s)
    sampler_cpu_s: float = 0.0  # the memory sampler's own CPU time meanwhile, on the same cores (Tree.cpu_s)


@dataclass
class Tree:
    """Peak RSS/PSS sums over a process tree, sampled in a thread while the command runs, and the workers' idle
    time: per ``multiprocessing`` worker process, the time it was seen alive less the CPU time it had used when
    last seen, summed.

    The sampler runs on the same two cores as the command, so it is kept cheap and its own CPU time is recorded
    (:attr:`cpu_s`): the resident sizes every :data:`SAMPLE_S` (``/proc/PID/statm``, ≈ 0.02 ms a process); the
    process list every :data:`LIST_S` (a walk of ``/proc``, ≈ 1 ms) with the workers' CPU times; the PSS every
    :data:`PSS_S` (``/proc/PID/smaps_rollup`` walks the page tables: ≈ 3 ms for a process of 300 MiB). Reading
    all three every 50 ms, as until session 8, took ≈ 8 % of a core at 1,000 accounts (2.9 s of CPU in a
    36 s ``generate``) and more at 10,000 — time taken from the command being measured."""

    root: int
    rss: int = 0
    pss: int = 0
    cpu_s: float = 0.0  # the sampling thread's own CPU time
    stop: threading.Event = field(default_factory=threading.Event)
    workers: dict[int, tuple[float, float, float]] = field(default_factory=dict)  # pid → first seen, last, CPU s

    def sample(self) -> None:
        """Sample until :attr:`stop` is set."""
        start = time.thread_time()
        procs: list[psutil.Process] = []
        worker: dict[int, bool] = {}  # pid → a multiprocessing worker (its command line read once)
        listed = measured = -math.inf
        while not self.stop.is_set():
            now = perf_counter()
            if now - listed >= LIST_S:
                procs, listed = self._listed(worker, now), now
            rss = 0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    continue  # ended since it was listed
            self.rss = max(self.rss, rss)
            if now - measured >= PSS_S:
                self.pss, measured = max(self.pss, sum(map(_pss, (p.pid for p in procs)))), now
            self.stop.wait(SAMPLE_S)
        self.cpu_s = time.thread_time() - start

    def _listed(self, worker: dict[int, bool], now: float) -> list[psutil.Process]:
        """The tree's processes now (below ``/usr/bin/time`` itself), the workers' CPU times taken on the way."""
        try:
            procs = psutil.Process(self.root).children(recursive=True)
        except psutil.Error:
            return []
        for p in procs:
            try:
                if worker.setdefault(p.pid, _is_worker(p)):
                    cpu = p.cpu_times()
                    first = self.workers.get(p.pid, (now, now, 0.0))[0]
                    self.workers[p.pid] = (first, now, cpu.user + cpu.system)
            except psutil.Error:
                continue
        return procs

    @property
    def worker_idle_s(self) -> float:
        """The workers' seconds alive and not on a CPU (summed over the workers)."""
        return sum(max(0.0, last - first - cpu) for first, last, cpu in self.workers.values())


def _is_worker(p: psutil.Process) -> bool:
    """A ``multiprocessing`` worker process (spawned or forked), not its resource tracker."""
    cmdline = " ".join(p.cmdline())
    if "resource_tracker" in cmdline:
        return False
    return "spawn_main" in cmdline or "forkserver" in cmdline or p.parent().cmdline() == p.cmdline()


def _pss(pid: int) -> int:
    """The proportional set size of ``pid`` in bytes (``/proc/PID/smaps_rollup``; 0 once it has ended)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(cmd: list[str], stdout: Path, cwd: Path) -> Run:
    """Run ``cmd`` under ``/usr/bin/time`` with its stdout into ``stdout``; raise if it fails."""
    timing = cwd / "time.txt"
    with stdout.open("wb") as out:
        t0 = perf_counter()
        proc = subprocess.Popen([GNU_TIME, "-o", str(timing), "-f", "%U %S %M", *cmd], stdout=out,
                                stderr=subprocess.PIPE, cwd=cwd)
        tree = Tree(proc.pid)
        sampler = threading.Thread(target=tree.sample, daemon=True)
        sampler.start()
        _, err = proc.communicate()
        wall = perf_counter() - t0
        tree.stop.set()
        sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{err.decode(errors='replace')[-2000:]}")
    user, system, maxrss_kib = timing.read_text().split()[-3:]
    return Run(wall, float(user) + float(system), int(maxrss_kib) * 1024, tree.rss, tree.pss, os.getloadavg()[0],
               worker_idle_s=tree.worker_idle_s, sampler_cpu_s=tree.cpu_s)


def kam_xl(*args: str) -> list[str]:
    """A kam_xl command as a user runs it, with this Python (the project's venv)."""
    return [sys.executable, "-m", _main_module(), *args]


def _main_module() -> str:
    """``kam_xl`` (``kam_xl/__main__.py``, what the kam-xl command runs since session 7: a ``--jobs`` worker imports
    the main module again, and ``kam_xl.cli`` as main would put the whole command line into every worker, ≈ 5 MiB);
    ``kam_xl.cli`` for an older tree on ``PYTHONPATH`` (``versions.py``), which has no ``__main__``."""
    for entry in filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep)):
        if (Path(entry) / "kam_xl").is_dir():
            return "kam_xl" if (Path(entry) / "kam_xl" / "__main__.py").exists() else "kam_xl.cli"
    return "kam_xl" if importlib.util.find_spec("kam_xl.__main__") is not None else "kam_xl.cli"


def bare(*args: str) -> list[str]:
    """A bare baseline command (``bare.py``)."""
    return [sys.executable, str(HERE / "bare.py"), *args]


def _work_s(stdout: Path) -> float:
    return float(json.loads(stdout.read_text().strip().splitlines()[-1])["work_s"])


def generated_at(plans: Path) -> datetime:
    """The generation time kam_xl wrote into the ``_meta`` sheet of one of its plans."""
    first = next(p for p in sorted(plans.glob("*.xlsx")))
    rows = CalamineWorkbook.from_path(str(first)).get_sheet_by_name("_meta").to_python()
    return datetime.fromisoformat(next(str(r[1]) for r in rows if r and r[0] == "generated_at"))


#: the steps ``--commands`` can name (see the module doc)
STEPS = ("report", "generate", "bare", "unchanged", "regenerate", "collect")


def parse_steps(text: str) -> frozenset[str]:
    """The steps of a ``--commands`` value; :class:`ValueError` naming what is wrong and what is allowed.

    >>> sorted(parse_steps("report, generate,unchanged"))
    ['generate', 'report', 'unchanged']
    """
    steps = frozenset(s.strip() for s in text.split(",") if s.strip())
    unknown = sorted(steps - set(STEPS))
    if unknown or not steps:
        raise ValueError(f"--commands {text!r}: unknown {', '.join(unknown) or 'empty'} — allowed: "
                         f"comma-separated names of {', '.join(STEPS)}")
    needs = sorted(steps & {"bare", "unchanged", "regenerate", "collect"})
    if needs and "generate" not in steps:
        raise ValueError(f"--commands {text!r}: {', '.join(needs)} {'needs' if len(needs) == 1 else 'need'} the "
                         "plans of generate — add generate")
    return steps


def bench_accounts(n: int, rounds: int, work: Path, steps: frozenset[str] = frozenset(STEPS)) -> dict[str, Any]:
    """The commands and pairs of ``steps`` for ``n`` accounts, ``rounds`` times (see the module doc)."""
    data = write_synthetic(n, work / "databook")[1]
    db = read_databook(data)  # as the commands read it (the baseline's cells must be the same as generate's)
    cells = work / "cells.pickle"
    runs: dict[str, list[Run]] = {k: [] for k in ("report", "generate", "bare_write", "generate_again",
                                                  "regenerate", "collect", "bare_read")}
    diffs: list[str] = []

    def step(key: str, cmd: list[str], stdout: Path) -> Run:
        r = run(cmd, stdout, work)
        if key.startswith("bare"):
            r.work_s = _work_s(stdout)
        runs[key].append(r)
        print(f"  N={n} round {len(runs[key])}: {key:<10} {r.wall_s:7.2f} s wall {r.cpu_s:7.2f} s CPU "
              f"tree {r.tree_rss / MIB:6.0f} MiB RSS / {r.tree_pss / MIB:6.0f} MiB PSS, largest process "
              f"{r.largest_rss / MIB:5.0f} MiB, load {r.load_1min:.1f}, sampler {r.sampler_cpu_s:.2f} s CPU",
              file=sys.stderr, flush=True)
        return r

    renderer: dict[str, Any] | None = None
    for i in range(rounds):
        plans, bare_out = work / f"plans{i}", work / f"bare{i}"
        if "report" in steps:
            step("report", kam_xl("report", "--data", str(data), "--format", "json"), work / "report.json")
        if "generate" in steps:
            step("generate", kam_xl("generate", "--data", str(data), "--out", str(plans), "--jobs", "2"),
                 work / "generate.out")
        if "bare" in steps:
            if not cells.exists():  # the bare script's cells, as generate built them (same generated_at); not timed
                dump_cells(db, data, generated_at(plans), cells)
            step("bare_write", bare("write", str(cells), str(bare_out)), work / "bare.out")
            if i == 0:
                renderer = renderer_pairs(db, data, generated_at(plans), min(n, RENDERER_SAMPLE), rounds)
                diffs = [d for p in sorted(plans.glob("*.xlsx"))[:20] for d in same_cells(p, bare_out / p.name)]
        if "unchanged" in steps:
            step("generate_again", kam_xl("generate", "--data", str(data), "--out", str(plans), "--jobs", "2"),
                 work / "regenerate.out")
        if "regenerate" in steps:
            step("regenerate", kam_xl("generate", "--data", str(data), "--out", str(plans), "--jobs", "2",
                                      "--force"), work / "regenerate.out")
        if "collect" in steps:
            step("collect", kam_xl("collect", str(plans), "--jobs", "2"), work / "collect.out")
        if "bare" in steps and "collect" in steps:
            step("bare_read", bare("read", str(plans)), work / "bare.out")
        shutil.rmtree(plans, ignore_errors=True)
        shutil.rmtree(bare_out, ignore_errors=True)
    runs = {k: v for k, v in runs.items() if v}
    return {"accounts": n, "data_rows": sum(len(t or ()) for t in db.tables.values()), "rounds": rounds,
            "runs": {k: [asdict(r) for r in v] for k, v in runs.items()},
            "pairs": {f"{a}_vs_{b}": pairs(runs[a], runs[b]) for a, b in (("generate", "bare_write"),
                                                                            ("collect", "bare_read"))
                      if a in runs and b in runs},
            "renderer_in_process": renderer, "baseline_same_cells": not diffs, "baseline_differences": diffs[:10]}


def renderer_pairs(db: DataBook, data: Path, now: datetime, sample: int, rounds: int) -> dict[str, Any]:
    """The renderer alone, like for like, in this process: kam_xl's ``fill_workbook(book, BytesIO()).close()``
    against ``bare.write_plan`` of the same cells, both in memory, for the first ``sample`` plans; each round
    does all of kam_xl's, then all of the bare script's, each starting with its formula cache empty (after one
    untimed warm-up of 5 plans each). Each plan is written with the cyclic collector paused, on both sides, as
    ``generate`` writes a plan (:class:`kam_xl.plan_jobs.PlanJob`): with it running, its collections walk the
    ``sample`` plans' layouts held here and fall on the side that allocates more (kam_xl's: 1.60 × instead of
    1.38 × at 1,000 on session 10's machine)."""
    books = list(islice(prepared_books(db, data, now), sample))
    cells = [plain_cells(b) for b in books]
    for b, c in zip(books[:5], cells[:5], strict=True):  # warm-up, untimed: lazy imports and first calls
        render.fill_workbook(b.book, io.BytesIO()).close()
        bare_script.write_plan(c)
    kam: list[float] = []
    base: list[float] = []
    for _ in range(rounds):
        render._PREPARED.clear()
        gc.collect()
        t = perf_counter()
        for b in books:
            with cycles.paused():
                render.fill_workbook(b.book, io.BytesIO()).close()
        kam.append(perf_counter() - t)
        bare_script._PREPARED.clear()
        gc.collect()
        t = perf_counter()
        for c in cells:
            with cycles.paused():
                bare_script.write_plan(c)
        base.append(perf_counter() - t)
    return {"plans": len(books), "kam_xl_s": kam, "bare_s": base,
            "ratio": spread([a / b for a, b in zip(kam, base, strict=True)])}


def marginal(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-plan cost free of the fixed costs (start-up, imports): the slope of the median wall and CPU times
    between the smallest and the largest N, for each command, and kam_xl's slope over the bare one's."""
    lo, hi = results[0], results[-1]
    dn = hi["accounts"] - lo["accounts"]

    def slope(key: str, what: str) -> float:
        return (statistics.median(r[what] for r in hi["runs"][key])
                - statistics.median(r[what] for r in lo["runs"][key])) / dn

    out: dict[str, Any] = {"from": lo["accounts"], "to": hi["accounts"]}
    for key in (k for k in LABELS if k in lo["runs"] and k in hi["runs"]):
        out[key] = {"wall_ms_per_plan": 1000 * slope(key, "wall_s"), "cpu_ms_per_plan": 1000 * slope(key, "cpu_s")}
    for a, b in (("generate", "bare_write"), ("collect", "bare_read")):
        if a not in out or b not in out:
            continue
        out[f"{a}_vs_{b}"] = {k: out[a][f"{k}_ms_per_plan"] / out[b][f"{k}_ms_per_plan"] for k in ("wall", "cpu")}
    return out


def spread(values: list[float]) -> dict[str, float]:
    """Median, min and max."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def pairs(a: list[Run], b: list[Run]) -> dict[str, dict[str, float]]:
    """Per-pair ratios a/b (wall, CPU) as median and spread."""
    return {"wall_ratio": spread([x.wall_s / y.wall_s for x, y in zip(a, b, strict=True)]),
            "cpu_ratio": spread([x.cpu_s / y.cpu_s for x, y in zip(a, b, strict=True)])}


def _cpu_model() -> str | None:
    """The processor's name as Linux tells it (the machines of one kind differ: the same commands took 1.7–1.9 times
    as long on session 9's machine as on session 10's)."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), None)


def environment() -> dict[str, Any]:
    """Versions and the machine the numbers were taken on."""
    return {"python": platform.python_version(), "kam_xl": version("kam-xl"), "xlsxwriter": version("xlsxwriter"),
            "python_calamine": version("python-calamine"), "cpu_count": os.cpu_count(),
            "cpus_usable": len(os.sched_getaffinity(0)), "cpu_model": _cpu_model(), "platform": platform.platform(),
            "date": datetime.now(UTC).isoformat(timespec="seconds"), "load_start": os.getloadavg()}


LABELS = {"report": "report --format json > file", "generate": "generate --jobs 2 (fresh folder)",
          "bare_write": "  bare xlsxwriter, same cells, in memory, same cache",
          "generate_again": "generate --jobs 2 again, nothing changed (plans left as they are)",
          "regenerate": "generate --jobs 2 --force (regeneration)", "collect": "collect DIR --jobs 2",
          "bare_read": "  bare python-calamine + cell kinds"}
PAIRED = {"generate": "generate_vs_bare_write", "collect": "collect_vs_bare_read"}


def _med(runs: list[dict[str, Any]], key: str) -> dict[str, float]:
    if key == "tree_rss":  # both are lower bounds of the tree's true peak: the sampling can miss a short peak
        return spread([max(r["tree_rss"], r["largest_rss"]) for r in runs])
    return spread([r[key] for r in runs])


def _mm(s: dict[str, float], scale: float = 1.0, fmt: str = ".1f") -> str:
    return f"{s['median'] / scale:{fmt}} ({s['min'] / scale:{fmt}}–{s['max'] / scale:{fmt}})"


def table(res: dict[str, Any]) -> str:
    """The results as a Markdown table (medians, min–max in brackets)."""
    out = ["| command | N | wall s | CPU s | ms/plan (wall) | peak RSS tree Σ MiB | peak PSS tree Σ MiB | "
           "largest process MiB | kam_xl / bare (wall) | kam_xl / bare (CPU) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]

    for acc in res["results"]:
        n = acc["accounts"]
        for key, label in LABELS.items():
            if key not in acc["runs"]:  # a results file from before the step existed
                continue
            rs = acc["runs"][key]
            wall = _med(rs, "wall_s")
            per_plan = "" if key == "report" else f"{1000 * wall['median'] / n:.0f}"
            ratio_wall = ratio_cpu = ""
            if PAIRED.get(key) in acc["pairs"]:
                p = acc["pairs"][PAIRED[key]]
                ratio_wall, ratio_cpu = _mm(p["wall_ratio"], fmt=".2f") + " ×", _mm(p["cpu_ratio"], fmt=".2f") + " ×"
            out.append(f"| {label.strip()} | {n:,} | {_mm(wall)} | {_mm(_med(rs, 'cpu_s'))} | {per_plan} | "
                       f"{_mm(_med(rs, 'tree_rss'), MIB, '.0f')} | {_mm(_med(rs, 'tree_pss'), MIB, '.0f')} | "
                       f"{_mm(_med(rs, 'largest_rss'), MIB, '.0f')} | {ratio_wall} | {ratio_cpu} |")
    return "\n".join(out)


def summary(res: dict[str, Any]) -> str:
    """The table and the lines below it (load, renderer alone, per-plan slopes, differences found)."""
    lines = [table(res), ""]
    loads = spread([r["load_1min"] for acc in res["results"] for runs in acc["runs"].values() for r in runs])
    lines.append(f"load average (1 min) after each command: median {loads['median']:.1f} ({loads['min']:.1f}–"
                 f"{loads['max']:.1f}) on {res['env']['cpu_count']} CPUs shared with other work; total "
                 f"{res.get('elapsed_s', 0):.0f} s")
    for acc in res["results"]:
        r = acc["renderer_in_process"]
        if r is None:  # --commands without bare
            continue
        lines.append(f"N={acc['accounts']}: renderer alone (fill_workbook + close, in memory) / bare write_plan, "
                     f"{r['plans']} plans in one process: {_mm(r['ratio'], fmt='.2f')} ×; bare files "
                     + ("have the same cells as kam_xl's" if acc["baseline_same_cells"]
                        else f"DIFFER from kam_xl's (first of {len(acc['baseline_differences'])} shown in the JSON): "
                             f"{acc['baseline_differences'][0]}"))
    if len(res["results"]) > 1:
        m = marginal(res["results"])
        lines.append(f"per plan between N={m['from']:,} and N={m['to']:,} (slope of the medians): " + "; ".join(
            f"{k} {m[k]['wall_ms_per_plan']:.0f} ms wall / {m[k]['cpu_ms_per_plan']:.0f} ms CPU" for k in LABELS
            if k in m))
        lines.append("kam_xl / bare per plan (slopes): " + "; ".join(
            f"{k}: wall {v['wall']:.2f} ×, CPU {v['cpu']:.2f} ×" for k, v in m.items() if "_vs_" in k))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the commands, print the table, write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", default="200", help="comma-separated account counts (default 200; e.g. 200,1000)")
    ap.add_argument("--full", action="store_true", help=f"also {FULL:,} accounts (hours on 2 shared cores)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of every command and pair (default 3)")
    ap.add_argument("--json", type=Path, default=HERE / "results_commands.json", help="where to write the results")
    ap.add_argument("--report", type=Path, metavar="JSON", help="only print the summary of an earlier results file")
    ap.add_argument("--commands", default=",".join(STEPS),
                    help=f"comma-separated steps to run, of {', '.join(STEPS)} (default all; e.g. "
                         "report,generate,unchanged,collect)")
    args = ap.parse_args(argv)
    try:
        steps = parse_steps(args.commands)
    except ValueError as e:
        ap.error(str(e))
    if args.report:
        print(summary(json.loads(args.report.read_text(encoding="utf-8"))))
        return 0
    try:
        counts = [int(x) for x in args.accounts.split(",") if x.strip()]
    except ValueError:
        ap.error(f"--accounts {args.accounts!r}: allowed are whole numbers separated by commas, e.g. 200,1000")
    if args.full and FULL not in counts:
        counts.append(FULL)
    if not counts or min(counts) < 1 or args.rounds < 1:
        ap.error("--accounts must be ≥ 1 each and --rounds ≥ 1")
    if not Path(GNU_TIME).exists():
        raise SystemExit(f"{GNU_TIME} not found: install GNU time (Debian/Ubuntu: apt-get install time)")
    res: dict[str, Any] = {"env": environment(), "command": [Path(sys.argv[0]).name, *(argv or sys.argv[1:])],
                           "results": []}
    started = perf_counter()
    for n in counts:
        with tempfile.TemporaryDirectory(prefix=f"kam_xl_bench_{n}_") as tmp:
            res["results"].append(bench_accounts(n, args.rounds, Path(tmp), steps))
        args.json.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")  # partial results kept
    res["elapsed_s"] = perf_counter() - started
    res["load_end"] = os.getloadavg()
    loads = [r["load_1min"] for acc in res["results"] for runs in acc["runs"].values() for r in runs]
    res["load_during"] = spread(loads)
    if len(res["results"]) > 1:
        res["marginal"] = marginal(res["results"])
    args.json.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(summary(res))
    print(f"JSON: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
