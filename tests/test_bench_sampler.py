"""benchmarks/commands.py's memory sampler (:class:`Tree`): it sees a child's memory, and it costs the command
little CPU (it runs on the same two cores as the command it measures)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import commands  # benchmarks/commands.py, with its sibling modules on the path

MIB = 1024 * 1024
#: a tree of two processes: a parent holding 40 MiB that starts a child holding 80 MiB, both for 2.5 s
_TREE = """
import subprocess, sys, time
held = bytearray(40 * 2**20)
for i in range(0, len(held), 4096): held[i] = 1
child = subprocess.Popen([sys.executable, "-c", "import time\\nx = bytearray(80 * 2**20)\\n"
                          "for i in range(0, len(x), 4096): x[i] = 1\\ntime.sleep(2.5)"])
child.wait()
"""


def test_the_sampler_sums_the_tree_and_costs_little() -> None:
    # the root as under /usr/bin/time: a process whose descendants are the command (``; true``: the shell waits
    # instead of becoming Python)
    proc = subprocess.Popen(["/bin/sh", "-c", f'"{sys.executable}" -c "$TREE"; true'], env={"TREE": _TREE})
    tree = commands.Tree(proc.pid)
    sampler = threading.Thread(target=tree.sample, daemon=True)
    sampler.start()
    proc.wait()
    tree.stop.set()
    sampler.join()
    # both Python processes are below the root, at once: 40 + 80 MiB plus their interpreters
    assert tree.rss >= 120 * MIB
    assert tree.pss >= 120 * MIB
    assert 0 < tree.cpu_s < 0.1  # ≈ 3 s of sampling: 60 resident-size samples, 12 lists, 3 PSS reads (≈ 20 ms)
