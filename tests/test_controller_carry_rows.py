"""Carrying a controller's per-account inputs (``kind.carry_rows``) merges each account's row in place — the same
rows and status-line parts as the general three-way merge by ``RowKey`` (``merge.merge_inputs``) gives, over
accounts added, removed, reordered, typed, cleared, refused and without a snapshot — and holds no cells of the
three versions by (row, column) while it does."""

from __future__ import annotations

import random
import tracemalloc
from typing import Any

import pytest

import kam_xl.workbook.controller.kind as kind_module
from kam_xl.workbook.controller.coordination import CoordinationSheet
from kam_xl.workbook.controller.kind import AccountRows, ControllerSheet, carry_rows
from kam_xl.workbook.controller.selection import SelectionSheet

#: per kind, the values a cell may be given: valid ones, words the rows turn into the kept value, refused ones
CELL_VALUES: dict[str, list[Any]] = {
    "coordination": [None, None, 1, 3.0, 7, 4, "5", 0, 9, "viel", ""],
    "selection": [None, None, 1.0, 2.5, 5, "3", 0, 99, "hoch", "ja", "nein", "yes", "no", "vielleicht", ""],
}


def _grid(ids: list[str], width: int, pick: Any) -> list[list[Any]]:
    return [[pick() for _ in range(width)] for _ in ids]


def _case(kind: ControllerSheet, rnd: random.Random) -> tuple[AccountRows, dict[str, Any], dict[str, Any] | None]:
    """Fresh rows of the data's accounts, an old controller's values and (mostly) its snapshot, at random: the
    old controller and the snapshot have accounts of their own, lack some, list them in another order (ids with
    stray spaces), and their cells are typed, cleared, the same as the data's or refused."""
    accounts = [f"KA-{i:03d}" for i in range(40)]
    data = rnd.sample(accounts, 25)
    snap = rnd.sample(accounts, 22)
    old = rnd.sample(snap + rnd.sample(accounts, 6), 24)
    values = CELL_VALUES[kind.key]

    def pick() -> Any:
        return rnd.choice(values)

    fresh: AccountRows = {}
    for block in kind.blocks:
        fresh[block.name] = {a: block.Row.model_validate(
            {c: (v if not isinstance(v, str) else None) for c in block.columns
             for v in [rnd.choice([None, 2, 4, 6])]} if block.name != "sel_filters" else
            {c: rnd.choice([None, "ja", "nein"]) for c in block.columns}) for a in data}
    with_snapshot = rnd.random() < 0.8
    old_values: dict[str, Any] = {}
    snapshot: dict[str, Any] = {}
    for block in kind.blocks:
        width = len(block.columns)
        snapshot[block.ids] = [[a] for a in snap]
        snapshot[block.name] = _grid(snap, width, pick)
        shown = [f" {a}" if rnd.random() < 0.1 else a for a in old]
        old_values[block.ids] = [[a] for a in shown]
        # mostly the snapshot's value (untouched), else typed
        rows = []
        for a in old:
            base = snapshot[block.name][snap.index(a)] if a in snap else [None] * width
            rows.append([v if rnd.random() < 0.7 else pick() for v in base])
        old_values[block.name] = rows
    return fresh, old_values, snapshot if with_snapshot else None


def _general(*args: Any) -> None:
    return None


@pytest.mark.parametrize("kind", [SelectionSheet(), CoordinationSheet()], ids=lambda k: k.key)
def test_rows_merged_in_place_are_the_rows_of_the_general_merge(kind: ControllerSheet,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = random.Random(14)
    kept = 0
    for _ in range(60):
        fresh, old, snapshot = _case(kind, rnd)
        rows, parts, _ = carry_rows(kind, fresh, old, snapshot, "de")
        with monkeypatch.context() as m:
            m.setattr(kind_module, "_merged_by_account", _general)
            expected, expected_parts, _ = carry_rows(kind, fresh, old, snapshot, "de")
        assert parts == expected_parts
        assert {b: list(r.items()) for b, r in rows.items()} == {b: list(r.items()) for b, r in expected.items()}
        kept += sum(r is not fresh[b][a] for b, block in rows.items() for a, r in block.items())
    assert kept > 100  # the cases carry typed values, not only the data's rows


def test_a_kept_value_a_refused_one_and_an_account_the_kam_removed() -> None:
    """By hand: KA-1's typed 5 is kept over the data's 2, KA-2's refused 9 counts as untouched (the data's 4
    follows), KA-3 — whose row the KAM removed from the old controller — gets the data's row."""
    kind = CoordinationSheet()
    (block,) = kind.blocks
    first = block.columns[0]
    fresh = {block.name: {a: block.Row.model_validate({first: v}) for a, v in (("KA-1", 2), ("KA-2", 4),
                                                                                 ("KA-3", 6))}}
    width = len(block.columns)
    snapshot = {block.ids: [["KA-1"], ["KA-2"], ["KA-3"]],
                block.name: [[1] + [None] * (width - 1), [3] + [None] * (width - 1), [6] + [None] * (width - 1)]}
    old = {block.ids: [["KA-2"], ["KA-1"]], block.name: [[9] + [None] * (width - 1), [5] + [None] * (width - 1)]}
    rows, parts, _ = carry_rows(kind, fresh, old, snapshot, "de")
    got = {a: getattr(r, first) for a, r in rows[block.name].items()}
    assert got == {"KA-1": 5, "KA-2": 4, "KA-3": 6}
    assert parts[0] == "Koordinationsbedarf übernommen für 1 Kunden"
    assert "Kunde KA-2, bu_1 = 9 nicht übernommen" in parts[1]


def test_carrying_a_block_holds_no_cells_of_the_three_versions_by_row_and_column() -> None:
    """At 2,000 accounts the carry's peak (tracemalloc) stays below four times what the fresh rows, the old
    values and the snapshot take (3.3 ×: the snapshot's and the old rows as models, then the merged values) —
    the general merge, with the cells of all three versions by (row, column) and a held-cell record for every
    empty cell, took 8.5 × (at 3,000 accounts 29.5 MiB for the coordination block, now 8.2 MiB)."""
    kind = CoordinationSheet()
    (block,) = kind.blocks
    accounts = [f"KA-{i:05d}" for i in range(2000)]
    width = len(block.columns)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        fresh = {block.name: {a: block.Row() for a in accounts}}
        snapshot = {block.ids: [[a] for a in accounts], block.name: [[None] * width for _ in accounts]}
        old = {block.ids: [[a] for a in accounts],
               block.name: [[(i % 7) + 1 if i % 3 == 0 else None] * width for i in range(len(accounts))]}
        given = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.reset_peak()
        rows, _, _ = carry_rows(kind, fresh, old, snapshot, "de")
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert sum(r is not fresh[block.name][a] for a, r in rows[block.name].items()) == 667  # every third typed
    assert peak < 4 * given, (peak, given)
