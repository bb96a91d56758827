"""Writing the controller with and without the renderer's formula fast path (issue 14).

Usage::

    python benchmarks/controller_prep.py [--accounts 200]

Builds the controller layout of the synthetic data book of N accounts once, then writes it in memory four
times, alternately with xlsxwriter's own preparation of every formula (``render._REWRITES = None``) and with the
fast path (``render._prepare_plain``), each with an empty formula cache; prints the CPU seconds of each write,
whether the bytes are identical and how many distinct formulas were prepared.
"""

from __future__ import annotations

import argparse
import io
import time

from synthetic import synthetic_databook

from kam_xl.workbook import render
from kam_xl.workbook.controller import controller_workbook


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", type=int, default=200)
    n = ap.parse_args().accounts
    book = controller_workbook(synthetic_databook(n), "de")
    fast_path = render._REWRITES
    times: dict[str, list[float]] = {"xlsxwriter": [], "fast path": []}
    written: dict[str, bytes] = {}
    for label in ("xlsxwriter", "fast path") * 2:
        render._REWRITES = fast_path if label == "fast path" else None
        render._PREPARED.clear()
        start = time.process_time()
        buf = io.BytesIO()
        render.fill_workbook(book, buf).close()
        times[label].append(time.process_time() - start)
        written[label] = buf.getvalue()
    render._REWRITES = fast_path
    print(f"N = {n}: " + "; ".join(f"{k} {' / '.join(f'{t:.2f}' for t in v)} s CPU" for k, v in times.items())
          + f"; identical bytes: {written['xlsxwriter'] == written['fast path']}; "
          f"distinct formulas: {sum(1 for key in render._PREPARED if key[1] is not None)}")  # not the cells' entries


if __name__ == "__main__":
    main()
