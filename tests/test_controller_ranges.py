"""The KAOP roll-up, the Kgb sheet and the CDB data sheet's activity costs read, per account (per card), only that
account's (card's) rows of the data they add up: a formula over the whole block made recalculating the controller
grow with the square of the accounts — Excel recalculates it on opening (``fullCalcOnLoad``), and at 10,000
accounts the KAOP sheet's 400,000 formulas each read two blocks of ≈ 120,000 and ≈ 300,000 rows. That the values
stay the same is proven by LibreOffice in ``tests/test_controller.py`` (every formula recalculated against kam_xl's
figures)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from kam_xl.databook import demo_databook
from kam_xl.workbook.controller import controller_workbook
from kam_xl.workbook.controller.kaop import _kcol
from kam_xl.workbook.layout import Sheet
from kam_xl.workbook.streaming import held

WHEN = datetime(2026, 11, 30, tzinfo=UTC)
REVENUE_COLUMNS = {_kcol(0, q) for q in range(4)}
RANGE = re.compile(r"'(?P<sheet>[^']+)'!\$(?P<c0>[A-Z]+)\$(?P<r0>\d+)(?::\$(?P<c1>[A-Z]+)\$(?P<r1>\d+))?")


@pytest.fixture(scope="module")
def sheets() -> dict[str, Sheet]:
    book = held(controller_workbook(demo_databook(), "de", generated_at=WHEN))
    return {s.name: s for s in book.sheets}


def _grid(sheet: Sheet) -> dict[tuple[int, int], object]:
    return {(c.row, c.col): c.value for c in sheet.cells}


def _rows_read(formula: str, sheet: str) -> set[tuple[int, int]]:
    """The (first, last) rows (0-based) of each range of ``sheet`` that ``formula`` reads."""
    return {(int(m["r0"]) - 1, int(m["r1"] or m["r0"]) - 1) for m in RANGE.finditer(formula) if m["sheet"] == sheet}


def _own_rows_only(spans: set[tuple[int, int]], keys: dict[int, tuple[object, ...]], key: tuple[object, ...]
                   ) -> bool:
    """Each span holds only rows of ``key`` — or is the one row where rows of ``key`` would begin (it has none)."""
    return all(all(keys.get(r) == key for r in range(a, b + 1)) or a == b for a, b in spans)


def test_each_kaop_roll_up_formula_reads_its_accounts_drivers_alone(sheets):
    data, kaop = sheets["KAOP-Daten"], sheets["KAOP"]
    grid = _grid(data)
    ids = {r: (v,) for (r, c), v in grid.items() if c == 0 and r >= 4}
    kaop_grid = _grid(kaop)
    checked = 0
    for c in kaop.cells:
        if c.formula is None or "KAOP-Daten" not in c.formula:
            continue
        account = (kaop_grid[(c.row, 0)],)
        spans = _rows_read(c.formula, data.name)
        assert _own_rows_only(spans, ids, account), (c.address, account, spans)
        covered = set().union(*(range(a, b + 1) for a, b in spans))
        if c.col in REVENUE_COLUMNS:  # the revenue of a quarter: it reads the account's product and cost rows
            assert {r for r, k in ids.items() if k == account} <= covered  # every driver row of the account
        checked += 1
    assert checked >= 8 * 14  # revenue and cost of 4 quarters, plan and actual, of each demo account with KAOP


def test_each_kgb_formula_reads_its_cards_scores_alone(sheets):
    kgb = sheets["Kgb"]
    grid = _grid(kgb)
    head = next(r for (r, c), v in grid.items() if c == 1 and v == "Nr.")
    keys = {r: (grid.get((r, 0)), grid.get((r, 2))) for (r, c) in grid if c == 0 and r > head}
    checked = 0
    for c in kgb.cells:
        if c.formula is None or "SUMPRODUCT" not in c.formula or c.row >= head:
            continue
        card = (grid[(c.row, 0)], grid[(c.row, 2)])
        spans = {s for s in _rows_read(c.formula, kgb.name) if s[0] > head}
        assert spans and _own_rows_only(spans, keys, card), (c.address, card, spans)
        covered = set().union(*(range(a, b + 1) for a, b in spans))
        assert {r for r, k in keys.items() if k == card} <= covered  # every score of the card is read
        checked += 1
    assert checked >= 4


def test_each_accounts_activity_cost_formula_reads_its_own_activity_lines_alone(sheets):
    data = sheets["CDB-Daten"]
    grid = _grid(data)
    head = next(r for (r, c), v in grid.items() if c == 5 and v == "Kostensatz")  # the activity lines' headers
    keys = {r: (v, grid.get((r, 1))) for (r, c), v in grid.items() if c == 0 and r > head}
    checked = 0
    for c in data.cells:
        if c.formula is None or "SUMPRODUCT" not in c.formula:
            continue
        account = (grid[(c.row, 0)], grid[(c.row, 1)])  # id and CDB year of the account's row
        spans = _rows_read(c.formula, data.name)
        assert spans and _own_rows_only(spans, keys, account), (c.address, account, spans)
        covered = set().union(*(range(a, b + 1) for a, b in spans))
        assert {r for r, k in keys.items() if k == account} <= covered  # every line of the account's year
        checked += 1
    assert checked >= 4 * 10  # four stages of each demo account with CDB data
