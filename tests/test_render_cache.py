"""The renderer's speed-ups must not change a byte: remembered formula preparation gives exactly what
xlsxwriter itself stores."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from xlsxwriter.worksheet import Worksheet

from kam_xl.databook import demo_databook
from kam_xl.workbook import render
from kam_xl.workbook.account_plan import AccountPlanData, account_plan

FORMULAS = [
    "=A1+B1",
    "=SUM('CDB'!$D$4:$D$9)",
    '=IF(cdb_cdb_iii_rel="","",IF(cdb_cdb_iii_rel>0.1,"> 10 %","0–10 %"))',
    "=XLOOKUP(A1,B:B,C:C)",  # a dynamic-array function: xlsxwriter prefixes _xlfn.
    "=SORT(A1:A9)",  # … and _xlfn._xlws.
    "=CONCAT(A1,B1)",  # a future function: prefixed only for conditional formats / use_future_functions
    "{=SUM(A1:A3*B1:B3)}",
    "=_xlfn.STDEV.S(A1:A9)",
]


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize("expand", [False, True])
def test_remembered_preparation_is_xlsxwriters(formula, expand):
    plain, cached = Worksheet(), render._Worksheet()
    expected = plain._prepare_formula(formula, expand)
    assert cached._prepare_formula(formula, expand) == expected  # first time: prepared by xlsxwriter
    assert cached._prepare_formula(formula, expand) == expected  # then: remembered
    cached.use_future_functions = plain.use_future_functions = True  # a flag changes the result: a new entry
    assert cached._prepare_formula(formula, expand) == plain._prepare_formula(formula, expand)


def test_concat_is_prefixed_only_where_xlsxwriter_does():
    ws = render._Worksheet()
    assert ws._prepare_formula("=CONCAT(A1,B1)") == "CONCAT(A1,B1)"
    assert ws._prepare_formula("=CONCAT(A1,B1)", True) == "_xlfn.CONCAT(A1,B1)"


def _plan_bytes(book) -> bytes:
    buf = io.BytesIO()
    render.fill_workbook(book, buf).close()
    return buf.getvalue()


def test_plan_bytes_same_with_empty_and_full_cache():
    db = demo_databook()
    when = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    book = account_plan(AccountPlanData.from_databook(db, db.accounts[0].account_id), "de", when)
    book.meta["generated_at"] = when.isoformat()
    render._PREPARED.clear()
    cold = _plan_bytes(book)
    assert len(render._PREPARED) > 400  # every distinct formula of the plan was prepared once …
    assert _plan_bytes(book) == cold  # … and writing it again from the cache gives the same bytes


def test_every_input_has_exactly_one_validation_with_its_rule_and_message(tmp_path):
    import openpyxl

    from kam_xl.workbook.render import write_book

    db = demo_databook()
    book = account_plan(AccountPlanData.from_databook(db, "KA-002"), "de", datetime(2026, 1, 5, tzinfo=UTC))
    wb = openpyxl.load_workbook(write_book(book, tmp_path / "plan.xlsx"))
    for sheet in book.sheets:
        dvs = wb[sheet.name].data_validations.dataValidation
        inputs = [c for c in sheet.cells if c.input is not None]
        assert len(dvs) == len({c.input for c in inputs})  # one record per distinct rule, not per run of cells
        for cell in inputs:
            [dv] = [dv for dv in dvs if cell.address in dv.sqref]
            assert dv.prompt == cell.input.message[:255] and dv.promptTitle == cell.input.title[:32]
            assert dv.type == {"amount": "decimal", "number": "decimal", "fraction": "decimal", "score": "decimal",
                               "date": "date", "integer": "whole", "list": "list",
                               "text": "textLength"}[cell.input.kind]
        covered = sum(len(list(rng.cells)) for dv in dvs for rng in dv.sqref.ranges)
        assert covered == len(inputs)  # and no cell that is not an input
