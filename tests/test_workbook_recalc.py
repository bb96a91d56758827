"""Every formula of every generated workbook, recalculated by LibreOffice, equals kam_xl's pure functions.

The cached value of each formula cell *is* the pure function's result (the template puts it there), so
comparing LibreOffice's recalculated value with it, cell by cell, proves template and engine agree.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from shared import plan_error_cells

from kam_xl.databook import demo_databook
from kam_xl.testing.recalc import mismatches, read_values, recalculate
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.layout import Book
from kam_xl.workbook.render import write_book


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    db = demo_databook()
    src = tmp_path_factory.mktemp("src")
    books: list[tuple[Book, Path]] = []
    for a in db.accounts:
        for lang in ("de", "en") if a.account_id == "KA-009" else ("de",):
            book = account_plan(AccountPlanData.from_databook(db, a.account_id), lang=lang)
            books.append((book, write_book(book, src / f"{a.account_id}_{lang}.xlsx")))
    out = recalculate([p for _, p in books], tmp_path_factory.mktemp("out"))
    return [(book, read_values(p)) for (book, _), p in zip(books, out, strict=True)]


def test_account_plans_have_no_error_values(recalculated):
    """No error value but the #N/A the Buying-Center-Map's helper columns hold by design (a point outside its
    series), where the layout's cached value says #N/A too (:func:`shared.plan_error_cells`)."""
    assert len(recalculated) == 15
    for book, values in recalculated:
        assert plan_error_cells(book, values) == []


def test_every_formula_of_every_account_plan_equals_the_pure_functions(recalculated):
    compared = 0
    for book, values in recalculated:
        assert mismatches(book, values) == []
        compared += len(book.formula_cells())
    assert compared > 15 * 20


def test_the_comparison_catches_a_wrong_formula(tmp_path):
    """Set-up proof: break one formula on purpose and the comparison must report that cell (and the cells
    that depend on it), while the unbroken workbook above reports none."""
    db = demo_databook()
    book = account_plan(AccountPlanData.from_databook(db, "KA-001"))
    cdb = book.sheet("CDB")
    i = next(i for i, c in enumerate(cdb.cells) if c.name == "cdb_cdb_ii")
    broken = cdb.cells[i]
    cdb.cells[i] = dataclasses.replace(broken, formula=broken.formula.replace("-", "+", 1))
    [out] = recalculate([write_book(book, tmp_path / "broken.xlsx")], tmp_path / "out")
    found = mismatches(book, read_values(out))
    assert any(m.startswith(f"CDB!{broken.address}:") for m in found)
    assert not any(m.startswith("CDB!D6:") for m in found)  # net sales does not depend on CDB II
