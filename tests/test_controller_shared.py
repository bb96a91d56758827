"""What the controller's sheet kinds compute once per build and share (issue 14: the controller's CPU), and the
data book's narrower readers they use, give what the wider ones give: the same figures, so the same workbook."""

from __future__ import annotations

import pytest

from kam_xl.databook import DataBook, demo_databook
from kam_xl.selection import quarter_revenues
from kam_xl.workbook.controller import CONTROLLER_SHEETS, BuildContext, default_settings
from kam_xl.workbook.controller import accounts as accounts_kind
from kam_xl.workbook.controller.kaop import items_revenues, kaop_items
from kam_xl.workbook.controller.kind import build_order


def _context(db: DataBook) -> BuildContext:
    return BuildContext(db=db, lang="de", settings=default_settings(db), catalogue=None,
                        when="2026-11-30T06:00:00+00:00", status="")


def test_the_abc_xyz_revenues_from_the_shared_kaop_figures_are_quarter_revenues() -> None:
    db = demo_databook()
    revenues = items_revenues(kaop_items(_context(db)))
    assert revenues == quarter_revenues(db)
    assert len(revenues) >= 10 and all(set(r) == {"plan", "actual"} for r in revenues.values())
    some = next(iter(revenues.values()))["plan"]
    assert set(some) <= {1, 2, 3, 4} and all(v > 0 for v in some.values())


def test_the_accounts_summary_is_computed_once_per_build(monkeypatch: pytest.MonkeyPatch) -> None:
    db = demo_databook()
    calls: list[DataBook] = []
    real = accounts_kind._summary
    monkeypatch.setattr(accounts_kind, "_summary", lambda d: calls.append(d) or real(d))
    ctx = _context(db)
    kinds = {k.key: k for k in CONTROLLER_SHEETS}
    for kind in build_order([kinds["cdb_data"], kinds["accounts"]]):
        ctx.built[kind.key] = [kind.build(ctx)]  # type: ignore[list-item]
    assert calls == [db]
    summary = ctx.shared[accounts_kind.ACCOUNTS_SUMMARY]
    assert len(summary.years) == len(db.accounts) and len(summary.lines) == len(db.accounts) and sum(summary.lines) > 0


def test_the_narrow_readers_give_what_the_wide_ones_give() -> None:
    db = demo_databook()
    checked = 0
    for a in db.accounts:
        for year in db.cdb_years(a.account_id):
            found = db.cdb_input(a.account_id, year)
            assert found is not None and db.cdb_activities(a.account_id, year) == found[1]
            checked += bool(found[1])
        for year in db.kaop_years(a.account_id):
            for sc in ("plan", "actual"):
                products, costs = db.kaop_rows(a.account_id, year, sc)
                assert db.kaop_products(a.account_id, year, sc) == products
                assert db.kaop_costs(a.account_id, year, sc) == costs
    assert checked >= 5
