"""Run ``generate_all`` in a process of its own and report its memory as one JSON line on stdout.

Usage: ``python benchmarks/memory_child.py DATA_BOOK OUT_DIR [JOBS]``. Reported (bytes, from
``/proc/self/status``): ``rss_start`` after the imports, ``rss_after_read`` after the data book was read,
``peak`` (``VmHWM``, the high-water mark of the whole run), the plan count and the seconds it took.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path
from time import perf_counter

from kam_xl.batch import _databook, generate_all


def status_kb(field: str) -> int:
    """A ``kB`` field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``), or ``ru_maxrss`` where there is none."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> None:
    """Read the data book, generate every plan, print the measurements."""
    data, out = argv[0], Path(argv[1])
    jobs = int(argv[2]) if len(argv) > 2 else 1
    rss_start = status_kb("VmRSS")
    t = perf_counter()
    db = _databook(data)  # the cache generate_all uses: the data book is read once, here
    rss_after_read = status_kb("VmRSS")
    statuses: dict[str, int] = {}
    for r in generate_all(data, out, jobs=jobs):
        statuses[r.status] = statuses.get(r.status, 0) + 1
    seconds = perf_counter() - t
    print(json.dumps({"accounts": len(db.accounts), "statuses": statuses, "seconds": seconds,
                      "rss_start": rss_start * 1024, "rss_after_read": rss_after_read * 1024,
                      "peak": status_kb("VmHWM") * 1024,
                      "ru_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


if __name__ == "__main__":
    main(sys.argv[1:])
