"""Demo data of the KAM programme tools (issue 12), called from :func:`make_demo_data.main` with one line.

Each table has its own function and the module its own random stream (:data:`SEED`), so the other demo tables
stay byte-identical. The company settings are left at their defaults (equal selection weights, ABC 80/95 %,
XYZ 0.25/0.5).

* ``selection`` — every account × all seven criteria: the four judgement criteria (philosophy fit, base load,
  openness, barriers) rated 20–95 in steps of 5; volume, earnings and potential left empty (derived from the
  data) except for a few accounts whose controller typed one to override the derived value.
* ``growth_filters`` — every account: ja/nein per filter, one account with a filter not yet answered.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261201
CRITERIA = ("volume", "philosophy_fit", "base_load", "potential", "earnings", "openness", "barriers")
JUDGED = ("philosophy_fit", "base_load", "openness", "barriers")
FILTERS = ("has_potential", "grows", "willing")
COLUMNS = {"selection": ["account_id", "criterion", "rating"],
           "growth_filters": ["account_id", *FILTERS]}


def account_ids(out_dir: Path) -> list[str]:
    """The account ids of the demo's ``accounts.csv``, in its order."""
    with (out_dir / "accounts.csv").open(encoding="utf-8", newline="") as fh:
        return [row["account_id"] for row in csv.DictReader(fh)]


def gen_selection(rng: random.Random, ids: list[str]) -> list[list[object]]:
    """Seven rows per account; the derivable criteria typed only for every fifth account (one of them)."""
    rows: list[list[object]] = []
    for i, aid in enumerate(ids):
        override = CRITERIA[(0, 3, 4)[i // 5 % 3]] if i % 5 == 2 else None
        for c in CRITERIA:
            rating = rng.randrange(20, 100, 5) if c in JUDGED or c == override else ""
            rows.append([aid, c, rating])
    return rows


def gen_growth_filters(rng: random.Random, ids: list[str]) -> list[list[object]]:
    """One row per account: mostly ja (a growth programme picks promising accounts), some nein, one empty."""
    rows: list[list[object]] = []
    for i, aid in enumerate(ids):
        values: list[object] = ["ja" if rng.random() < 0.75 else "nein" for _ in FILTERS]
        if i == len(ids) - 2:
            values[2] = ""  # not yet asked whether they want to grow with us
        rows.append([aid, *values])
    return rows


def _write(out_dir: Path, name: str, rows: list[list[object]]) -> Path:
    path = out_dir / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS[name])
        w.writerows(rows)
    return path


def self_check(ids: list[str], selection: list[list[object]], filters: list[list[object]]) -> list[str]:
    """What the demo must show: every account rated, derivation and override both present, candidates and
    non-candidates, one unanswered filter."""
    errors = []
    if len(selection) != 7 * len(ids):
        errors.append(f"selection: {len(selection)} rows, expected 7 per account ({7 * len(ids)})")
    typed = [r for r in selection if r[2] != ""]
    if not all(0 <= int(r[2]) <= 100 for r in typed):  # type: ignore[call-overload]
        errors.append("selection: a rating outside 0–100")
    if not any(r[1] in ("volume", "potential", "earnings") for r in typed):
        errors.append("selection: no typed override of a derivable criterion")
    candidates = [r[0] for r in filters if r[1:] == ["ja", "ja", "ja"]]
    if not 0 < len(candidates) < len(ids):
        errors.append(f"growth_filters: {len(candidates)} candidates — expected some, not all")
    if sum("" in r for r in filters) != 1:
        errors.append("growth_filters: expected exactly one account with an unanswered filter")
    return errors


def write_programme(out_dir: Path) -> list[Path]:
    """Write the programme tables into ``out_dir`` (after ``accounts.csv``); exits on a failed self-check."""
    rng = random.Random(SEED)
    ids = account_ids(out_dir)
    selection, filters = gen_selection(rng, ids), gen_growth_filters(rng, ids)
    errors = self_check(ids, selection, filters)
    if errors:
        sys.exit("demo_programme self-check failed:\n  - " + "\n  - ".join(errors))
    return [_write(out_dir, "selection", selection), _write(out_dir, "growth_filters", filters)]
