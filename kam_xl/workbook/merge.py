"""Carry what a KAM typed into a regenerated workbook — pure functions over input values by defined name.

Three versions of every input cell meet: ``orig`` (what the data said when the old workbook was generated,
kept in its ``_meta`` sheet), ``old`` (what the old workbook holds now) and ``new`` (what the data says now).

* old = orig: the KAM did not touch the cell → the new data wins;
* old ≠ orig: the KAM typed → the KAM's value wins; if the data changed too (new ≠ orig) and differs from
  what the KAM typed, the cell is a **conflict**, reported with all three values.

Without an ``orig`` (a workbook from before snapshots) every cell where old ≠ new keeps the KAM's value and is
reported as a conflict, so nothing is lost silently.

>>> merged, conflicts = merge_inputs(orig={"a": 1.0, "b": 1.0}, old={"a": 1.0, "b": 5.0}, new={"a": 2.0, "b": 3.0})
>>> merged
{'a': 2.0, 'b': 5.0}
>>> [(c.name, c.orig, c.kam, c.data) for c in conflicts]
[('b', 1.0, 5.0, 3.0)]
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

SNAPSHOT_CHUNK = 30_000  # characters per _meta cell (Excel allows 32,767)


@dataclass(frozen=True)
class Conflict:
    """A cell where the data changed although a KAM had typed a value; the KAM's value was kept."""

    name: str
    row: int | None
    col: int | None
    orig: Any
    kam: Any
    data: Any


def same(a: Any, b: Any) -> bool:
    """Equal as cell values: blanks are equal, numbers within 1e-9 (relative), text exactly."""
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool | str):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _cell(name: str, r: int | None, c: int | None, orig: Any, old: Any, new: Any,
          has_orig: bool, conflicts: list[Conflict]) -> Any:
    if has_orig and same(old, orig):
        return new
    if not has_orig and same(old, new):
        return new
    if not same(new, old) and (not has_orig or not same(new, orig)):
        conflicts.append(Conflict(name, r, c, orig if has_orig else None, old, new))
    return old


def merge_inputs(orig: dict[str, Any] | None, old: dict[str, Any], new: dict[str, Any]
                 ) -> tuple[dict[str, Any], list[Conflict]]:
    """Merge input values by name (see the module doc). Names only in ``new`` take the new data; names only in
    ``old`` are dropped (the template no longer has them). Blocks merge cell by cell over the union of both
    shapes, so rows a KAM filled beyond the new data's block are kept."""
    merged: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    for name, n in new.items():
        if name not in old:
            merged[name] = n
            continue
        o = old[name]
        has = orig is not None and name in orig
        g = orig.get(name) if orig is not None else None
        if isinstance(n, list):
            o_rows = o if isinstance(o, list) else [[o]]
            g_rows = g if isinstance(g, list) else [[g]]
            block = []
            width = max([len(row) for row in n] + [len(row) for row in o_rows])
            for r in range(max(len(n), len(o_rows))):  # union of shapes: rows the KAM filled are never cut
                out_row = []
                for c in range(width):
                    nv = n[r][c] if r < len(n) and c < len(n[r]) else None
                    ov = o_rows[r][c] if r < len(o_rows) and c < len(o_rows[r]) else None
                    in_orig = has and r < len(g_rows) and c < len(g_rows[r])
                    gv = g_rows[r][c] if in_orig else None
                    out_row.append(_cell(name, r, c, gv, ov, nv, in_orig, conflicts))
                block.append(out_row)
            merged[name] = block
        else:
            merged[name] = _cell(name, None, None, g, o, n, has, conflicts)
    return merged, conflicts


def snapshot_meta(values: dict[str, Any]) -> dict[str, str]:
    """The input snapshot as ``_meta`` entries (``inputs_1``, ``inputs_2`` … of JSON text)."""
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    chunks = [text[i:i + SNAPSHOT_CHUNK] for i in range(0, len(text), SNAPSHOT_CHUNK)] or [""]
    return {f"inputs_{i}": chunk for i, chunk in enumerate(chunks, start=1)}


def snapshot_from_meta(meta: dict[str, str]) -> dict[str, Any] | None:
    """Read the snapshot back; ``None`` when the workbook has none or it is damaged."""
    keys = sorted((k for k in meta if k.startswith("inputs_")), key=lambda k: int(k.split("_")[1]))
    if not keys:
        return None
    try:
        data = json.loads("".join(meta[k] for k in keys))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
