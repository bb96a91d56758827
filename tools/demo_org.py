"""Demo data of issue 12's programme tools for coordination, organisation and St. Gallen: the ``coordination``
answers of every account (both scales, some items unrated), each account's ``kam_span`` (a column of
``accounts``), the St. Gallen positions (``st_gallen``, one extreme) and logics (``st_gallen_logics``) and the
programme's phase (``settings``).

Called from :func:`tools.make_demo_data.main` with its own random stream (:data:`SEED`), so the other tables
stay byte-identical; :func:`write` checks what it wrote and raises naming what is off."""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20261130
#: The KAM span of each account: our key account management for it reaches this far. KA-005 (Textilwerke
#: Emsland, an exporter) is served nationally although its purchasing acts across territories — the shortfall.
KAM_SPAN = {"KA-001": "regional", "KA-002": "national", "KA-003": "national", "KA-004": "national",
            "KA-005": "national", "KA-006": "regional", "KA-007": "global", "KA-008": "national",
            "KA-009": "national", "KA-010": "regional", "KA-011": "regional", "KA-012": "national",
            "KA-013": "national", "KA-014": "regional"}
#: The level around which an account's items are rated (cross-BU, cross-territory), 1–7.
_LEVEL = {"KA-001": (4, 4), "KA-002": (3, 2), "KA-003": (2, 2), "KA-004": (3, 2), "KA-005": (5, 6),
          "KA-006": (4, 3), "KA-007": (5, 5), "KA-008": (2, 2), "KA-009": (3, 2), "KA-010": (4, 3),
          "KA-011": (5, 4), "KA-012": (2, 2), "KA-013": (3, 2), "KA-014": (4, 4)}
#: St. Gallen: field → (current, target); field 7 (top-down ↔ bottom-up) stands at the extreme −3 today.
ST_GALLEN = {0: (-2, -1), 1: (-1, 0), 2: (-2, -1), 3: (-1, 0), 4: (-2, 1), 5: (-1, -1), 6: (-2, 0), 7: (-3, -1),
             8: (1, 0)}
#: Logic → (current use, planned focus), 0–3.
LOGICS = {"Facts & Strategy": (2, 2), "Tools": (1, 3), "Structure": (2, 2), "Innovation": (0, 1),
          "Topics": (1, 2), "People": (2, 3), "Selected Key-Accounts": (3, 2), "Commercialisation": (1, 1)}
PHASE = "aufbauen"
COLUMNS = {"coordination": ["account_id", "scale", "item", "rating"],
           "st_gallen": ["field", "current", "target"],
           "st_gallen_logics": ["logic", "current", "focus"],
           "settings": ["key", "value"]}


def coordination_rows(rng: random.Random) -> list[list]:
    """Per account and scale six items rated around the account's level (±1), one in five left unrated."""
    rows: list[list] = []
    for account, levels in _LEVEL.items():
        for scale, level in zip(("bu", "territory"), levels, strict=True):
            for item in range(1, 7):
                rating = None if rng.random() < 0.2 else min(7, max(1, level + rng.choice((-1, 0, 0, 1))))
                rows.append([account, scale, item, rating])
    return rows


def _write(out_dir: Path, name: str, rows: list[list]) -> Path:
    path = out_dir / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS[name])
        w.writerows([["" if v is None else v for v in r] for r in rows])
    return path


def write(out_dir: Path) -> list[Path]:
    """Write the four tables into ``out_dir`` and check them; raises :class:`ValueError` naming what is off."""
    rng = random.Random(SEED)
    coordination = coordination_rows(rng)
    paths = [_write(out_dir, "coordination", coordination),
             _write(out_dir, "st_gallen", [[f, c, t] for f, (c, t) in ST_GALLEN.items()]),
             _write(out_dir, "st_gallen_logics", [[lg, c, f] for lg, (c, f) in LOGICS.items()]),
             _write(out_dir, "settings", [["phase", PHASE]])]
    errors = self_check(coordination)
    if errors:
        raise ValueError("demo_org self-check failed: " + "; ".join(errors))
    return paths


def self_check(coordination: list[list]) -> list[str]:
    """What the demo must show: every account rated on both scales with some items unrated, one shortfall at
    least (territory need above the span, thresholds 3 and 5), one extreme St. Gallen position."""
    errors = []
    rated = {(a, s) for a, s, _, r in coordination if r is not None}
    if len(rated) != 2 * len(KAM_SPAN):
        errors.append("an account has a scale without any rating")
    if not any(r is None for *_, r in coordination):
        errors.append("no item is unrated")
    level = {"national": 0, "regional": 1, "global": 2}
    shortfalls = []
    for account, span in KAM_SPAN.items():
        ratings = [r for a, s, _, r in coordination if a == account and s == "territory" and r is not None]
        mean = sum(ratings) / len(ratings)
        need = 0 if mean < 3 else 1 if mean < 5 else 2
        if need > level[span]:
            shortfalls.append(account)
    if not shortfalls:
        errors.append("no account shows a shortfall")
    if not any(abs(p) == 3 for pair in ST_GALLEN.values() for p in pair):
        errors.append("no extreme St. Gallen position")
    print(f"demo_org: {len(coordination)} coordination rows, shortfall at {', '.join(shortfalls) or 'none'}")
    return errors
