"""Two versions of kam_xl, the same commands, interleaved: what a change did to time and memory.

Usage::

    python benchmarks/versions.py BEFORE_TREE AFTER_TREE [--accounts 1000] [--rounds 2] [--json PATH]

``BEFORE_TREE`` and ``AFTER_TREE`` are source trees (e.g. ``git archive <commit> | tar -x -C /tmp/before``).
For the synthetic data book of N accounts (``synthetic.py``) each round runs, for one version and then the
other (the order alternates from round to round, so a trend in the machine's load hits both alike), the
commands exactly as a user types them, each a subprocess of this Python with ``PYTHONPATH`` set to that tree,
measured by ``commands.run`` (wall, CPU of the whole tree, peak RSS/PSS sum of the process tree, largest
process):

1. ``report --format json > file``
2. ``generate --jobs 2`` into a fresh folder (plans and ``Controller.xlsm``)
3. the same ``generate`` again with nothing changed (the AFTER tree leaves unchanged plans as they are)
4. ``collect`` of that folder (the controller, the export, the error report)

The table gives per command and version the median of the rounds with min–max, and the median of the per-round
ratios AFTER / BEFORE. Results go to ``--json`` (default ``benchmarks/results_versions.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from commands import MIB, Run, kam_xl, run
from synthetic import write_synthetic

HERE = Path(__file__).resolve().parent
STEPS = ("report", "generate", "generate_again", "collect")


def _round(tree: Path, data: Path, work: Path) -> dict[str, Run]:
    """The four commands for the kam_xl at ``tree``."""
    os.environ["PYTHONPATH"] = str(tree)
    plans = work / "plans"
    shutil.rmtree(plans, ignore_errors=True)
    out = {
        "report": run(kam_xl("report", "--data", str(data), "--format", "json"), work / "report.json", work),
        "generate": run(kam_xl("generate", "--data", str(data), "--out", str(plans), "--jobs", "2"),
                        work / "generate.out", work),
        "generate_again": run(kam_xl("generate", "--data", str(data), "--out", str(plans), "--jobs", "2"),
                              work / "generate.out", work),
        "collect": run(kam_xl("collect", str(plans)), work / "collect.out", work),
    }
    shutil.rmtree(plans)
    return out


def _spread(values: list[float], fmt: str) -> str:
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}–{max(values):{fmt}})"


def table(results: dict[str, list[dict[str, Run]]], n: int) -> str:
    """The Markdown table of medians (min–max) per command and version, and the AFTER / BEFORE ratios."""
    lines = [f"| command (N = {n:,}) | version | wall s | CPU s | peak RSS tree Σ MiB | largest process MiB |",
             "|---|---|---:|---:|---:|---:|"]
    for step in STEPS:
        for version, rounds in results.items():
            rs = [r[step] for r in rounds]
            lines.append(f"| {step} | {version} | {_spread([r.wall_s for r in rs], '.1f')} | "
                         f"{_spread([r.cpu_s for r in rs], '.1f')} | "
                         f"{_spread([max(r.tree_rss, r.largest_rss) / MIB for r in rs], '.0f')} | "
                         f"{_spread([r.largest_rss / MIB for r in rs], '.0f')} |")
        before, after = results["before"], results["after"]
        ratio = [(a[step].cpu_s / b[step].cpu_s, max(a[step].tree_rss, a[step].largest_rss)
                  / max(b[step].tree_rss, b[step].largest_rss)) for b, a in zip(before, after, strict=True)]
        lines.append(f"| {step} | after / before | | {_spread([c for c, _ in ratio], '.2f')} × | "
                     f"{_spread([m for _, m in ratio], '.2f')} × | |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", type=Path, default=HERE / "results_versions.json")
    args = ap.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    results: dict[str, list[dict[str, Run]]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory(prefix="kam_xl_versions_") as tmp:
        work = Path(tmp)
        data = write_synthetic(args.accounts, work / "databook")[1]
        for i in range(args.rounds):
            for version in (("before", "after") if i % 2 == 0 else ("after", "before")):
                got = _round(trees[version], data, work)
                results[version].append(got)
                print(f"round {i + 1} {version}: " + ", ".join(
                    f"{k} {r.wall_s:.1f} s / {r.cpu_s:.1f} s CPU / {max(r.tree_rss, r.largest_rss) / MIB:.0f} MiB"
                    for k, r in got.items()), file=sys.stderr, flush=True)
    args.json.write_text(json.dumps({"accounts": args.accounts, "rounds": args.rounds,
                                     "trees": {k: str(v) for k, v in trees.items()},
                                     "runs": {k: [{s: asdict(r) for s, r in rnd.items()} for rnd in v]
                                              for k, v in results.items()}}, indent=1))
    print(table(results, args.accounts))


if __name__ == "__main__":
    main()
