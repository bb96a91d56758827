"""Excel-function benchmark: one call over a 10,000-row block, through both xlwings paths, against the pure
function in the same run.

Usage::

    python benchmarks/excel_functions.py [--rows 10000] [--repeat 7] [--json PATH]

Three ways to compute the same Kgb card of ``--rows`` criteria and three suppliers:

* **pure** — the baseline: ``kam_xl.kgb.score_card(KgbCard(...))`` from plain Python lists, what any caller of the
  library pays;
* **classic** — the classic xlwings path without Excel: the values as COM hands them over (tuples of row tuples),
  xlwings' own argument conversion, the ``udfs`` wrapper, xlwings' result conversion
  (:func:`kam_xl.addin.runtime.call_classic`);
* **server** — a real ``kam-xl serve`` on loopback: the Office.js request body (2-D lists as JSON) posted over
  HTTP to ``/xlwings/custom-functions-call``, the result parsed — the latency a user of xlwings Server waits for
  (Office.js' own time in Excel is not included).

Targets (issue 4): classic ≤ 3× pure; server latency for 10,000 rows < 0.5 s on this machine. The median of
``--repeat`` runs is reported; results go to ``benchmarks/results_excel_functions.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kam_xl.addin.runtime import load_udfs
from kam_xl.kgb import KgbCard, KgbCriterion, score_card
from kam_xl.testing import call_classic

SUPPLIERS = ["Wir", "Nordchem", "BaSiCo"]
API_KEY = "kam-xl-benchmark-key-0001"


def kgb_block(rows: int, seed: int = 7) -> tuple[list[str], list[float], list[list[float]]]:
    """``rows`` criteria with equal weights (points summing to 100) and ratings 0–100 of three suppliers."""
    rnd = random.Random(seed)
    names = [f"Kriterium {i:05d}" for i in range(1, rows + 1)]
    weights = [100 / rows] * rows
    ratings = [[float(rnd.randrange(0, 101, 5)) for _ in SUPPLIERS] for _ in range(rows)]
    return names, weights, ratings


def pure(names: list[str], weights: list[float], ratings: list[list[float]]) -> list[list[float | None]]:
    """The baseline: the library's own models and function, from plain lists."""
    card = KgbCard(
        segment="Benchmark",
        own_supplier=SUPPLIERS[0],
        criteria=[KgbCriterion(name=n, weight=w) for n, w in zip(names, weights, strict=True)],
        ratings={s: {n: row[j] for n, row in zip(names, ratings, strict=True)} for j, s in enumerate(SUPPLIERS)},
    )
    r = score_card(card)
    return [[c.weight, c.own, c.best_competitor, c.gap_to_best, c.improvement_potential] for c in r.criteria]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``repeat`` calls and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    """``kam-xl serve`` on loopback with an API key, waited for until it answers."""
    import httpx

    env = {**os.environ, "XLWINGS_LICENSE_KEY": os.environ.get("XLWINGS_LICENSE_KEY", "noncommercial"),
           "KAM_XL_API_KEY": API_KEY}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kam_xl.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/manifest.xml", timeout=1)
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise RuntimeError("kam-xl serve stopped: " + proc.stderr.read().decode()) from None
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("kam-xl serve did not answer within 30 s")


def officejs_body(names: list[str], weights: list[float], ratings: list[list[float]]) -> dict[str, Any]:
    """The request Office.js sends for ``=KAM.KAM_KGB_CARD(A2:A10001, B2:B10001, C1:E1, C2:E10001, "Wir")``."""
    import xlwings

    return {
        "func_name": "kam_kgb_card",
        "args": [[[n] for n in names], [[w] for w in weights], [SUPPLIERS], ratings, [["Wir"]]],
        "caller_address": "Kgb!G2",
        "formula_name": "KAM.KAM_KGB_CARD",
        "version": xlwings.__version__,
        "runtime": "1.4",
        "culture_info_name": "de-DE",
        "date_format": "TT.MM.JJJJ",
        "client": "Office.js",
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--json", type=Path, default=Path(__file__).with_name("results_excel_functions.json"))
    p.add_argument("--no-server", action="store_true", help="skip the HTTP measurement")
    a = p.parse_args(argv)

    names, weights, ratings = kgb_block(a.rows)
    udfs = load_udfs("classic")
    com = ([(n,) for n in names], [(w,) for w in weights], [tuple(SUPPLIERS)], [tuple(r) for r in ratings])
    com_args = (tuple(com[0]), tuple(com[1]), tuple(com[2]), tuple(com[3]), "Wir")

    t_pure, expected = timed(lambda: pure(names, weights, ratings), a.repeat)
    t_classic, got = timed(lambda: call_classic(udfs.kam_kgb_card, *com_args), a.repeat)
    same = [[("" if v is None else v) for v in row] for row in expected]
    if got != same:
        raise SystemExit("classic path result differs from the pure function")
    rows: list[tuple[str, float, str, str]] = [
        ("pure function (baseline)", t_pure, "1.00 ×", ""),
        ("classic xlwings conversion + udfs", t_classic, f"{t_classic / t_pure:.2f} ×",
         "MET" if t_classic / t_pure <= 3 else "MISSED"),
    ]
    results: dict[str, Any] = {"rows": a.rows, "repeat": a.repeat, "pure_s": t_pure, "classic_s": t_classic,
                               "classic_ratio": t_classic / t_pure, "python": platform.python_version(),
                               "cpus": os.cpu_count()}
    if not a.no_server:
        import httpx

        port = _free_port()
        proc = start_server(port)
        try:
            body = officejs_body(names, weights, ratings)
            url = f"http://127.0.0.1:{port}/xlwings/custom-functions-call"
            with httpx.Client(headers={"Authorization": API_KEY}, timeout=60) as client:
                def call() -> Any:
                    r = client.post(url, json=body)
                    r.raise_for_status()
                    return r.json()

                call()  # warm-up: first request imports and registers
                t_server, answer = timed(call, a.repeat)
        finally:
            proc.terminate()
            proc.wait(10)
        result = answer.get("result", answer) if isinstance(answer, dict) else answer
        if len(result) != a.rows or abs(result[0][0] - weights[0] / 100) > 1e-12:
            raise SystemExit(f"server result is not the Kgb card: {str(answer)[:200]}")
        rows.append(("xlwings Server over HTTP (loopback)", t_server, f"{t_server / t_pure:.2f} ×",
                     "MET" if t_server < 0.5 else "MISSED"))
        results.update(server_s=t_server, server_ratio=t_server / t_pure)

    print(f"Kgb card, {a.rows:,} criteria × {len(SUPPLIERS)} suppliers, median of {a.repeat} "
          f"(Python {platform.python_version()}, {os.cpu_count()} CPUs)")
    print(f"{'path':<40} {'time':>9} {'vs pure':>9}  target")
    for name, t, ratio, verdict in rows:
        target = {"classic xlwings conversion + udfs": "≤ 3 ×", "xlwings Server over HTTP (loopback)": "< 0.5 s"}
        print(f"{name:<40} {t * 1000:7.1f} ms {ratio:>9}  {target.get(name, '')} {verdict}")
    a.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
