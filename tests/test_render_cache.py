"""The renderer's speed-ups must not change a byte: remembered formula preparation gives exactly what
xlsxwriter itself stores."""

from __future__ import annotations

import dataclasses
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


# --- the fast path: formulas with no name xlsxwriter rewrites skip its ~155 substitutions ---------------------

ODD_FORMULAS = [
    "=ZSINGLE(1)",  # xlsxwriter's pattern for SINGLE is r"\SINGLE\(" (any character before INGLE)
    "=STDEV S(A1:A3)",  # a dot in its patterns is a wildcard: "STDEV.S" matches "STDEV S" too
    "=STDEV.S(A1:A3)+SUMPRODUCT(A1:A3)",
    "=MYSORT(A1)+SORT(A1)",  # \b: SORT inside a longer name is left, SORT alone is prefixed
    "=sort(A1)",  # xlsxwriter's patterns are case-sensitive
    '="XLOOKUP(" & A1',  # inside a text: xlsxwriter rewrites it all the same
    "=A1*(B1+C1)",
    "=T.TEST(A1:A3,B1:B3,2,1)+CONFIDENCE.T(1,2,3)",
    "{=_xlfn.SINGLE(A1)}",
    "=",
    "",
]


def _recorded_formulas(books, streamed: set[str] | None = None) -> set[tuple[str, bool]]:
    """Every formula (with its expand flag) the renderer hands to ``_prepare_formula`` while writing ``books`` —
    and every formula a streamed sheet stores (``_formula_text``, which prepares a formula of a shape seen before
    without ``_prepare_formula``), those also into ``streamed``."""
    seen: set[tuple[str, bool]] = set()
    classes = (render._Worksheet, render._StreamedWorksheet)  # the streamed one prepares its own (not kept)
    originals = [c.__dict__["_prepare_formula"] for c in classes]
    stored = render._StreamedWorksheet.__dict__["_formula_text"]

    def recorder(original):
        def record(self, formula, expand_future_functions=False):
            seen.add((formula, expand_future_functions))
            return original(self, formula, expand_future_functions)
        return record

    def record_stored(self, formula):
        seen.add((formula, False))
        if streamed is not None:
            streamed.add(formula)
        return stored(self, formula)

    for c, original in zip(classes, originals, strict=True):
        c._prepare_formula = recorder(original)
    render._StreamedWorksheet._formula_text = record_stored
    try:
        for book in books:
            render.fill_workbook(book, io.BytesIO()).close()
    finally:
        for c, original in zip(classes, originals, strict=True):
            c._prepare_formula = original
        render._StreamedWorksheet._formula_text = stored
    return seen


def _demo_books():
    from kam_xl.workbook.controller import controller_workbook

    db = demo_databook()
    when = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    plans = [account_plan(AccountPlanData.from_databook(db, a.account_id), "de", when) for a in db.accounts[:3]]
    return [*plans, controller_workbook(db, "de", when), controller_workbook(db, "en", when)]


def test_fast_path_reads_xlsxwriters_own_patterns():
    assert render._REWRITES is not None  # this xlsxwriter's substitutions were all understood
    assert sum(len(found) for found in render._REWRITES.values()) == 155
    assert render._REWRITES["INGLE"][0].pattern == r"\SINGLE\("
    assert {p.pattern for p in render._REWRITES["DIST"]} >= {r"\bBETA.DIST\(", r"\bT.DIST\("}


@pytest.mark.parametrize("formula", FORMULAS + ODD_FORMULAS)
@pytest.mark.parametrize("future", [False, True])
@pytest.mark.parametrize("expand", [False, True])
def test_fast_path_is_xlsxwriters_preparation(formula, future, expand):
    plain = Worksheet()
    plain.use_future_functions = future
    fast = render._prepare_plain(formula)
    if fast is not None:
        assert fast == plain._prepare_formula(formula, expand)


def test_fast_path_is_taken_where_nothing_is_rewritten_and_only_there():
    assert render._prepare_plain("=SUMPRODUCT(A1:A3,B1:B3)/MAX(1,C1)") == "SUMPRODUCT(A1:A3,B1:B3)/MAX(1,C1)"
    assert render._prepare_plain("{=SUM(A1:A3*B1:B3)}") == "SUM(A1:A3*B1:B3)"
    for formula in ("=XLOOKUP(A1,B:B,C:C)", "=ZSINGLE(1)", "=STDEV S(A1:A3)", "=CONCAT(A1,B1)"):
        assert render._prepare_plain(formula) is None  # left to xlsxwriter


def test_every_demo_formula_fast_path_equals_xlsxwriter():
    formulas = _recorded_formulas(_demo_books())
    assert len(formulas) > 2000  # plans' cells and conditional formats, the controller's per-account rows
    taken = 0
    for formula, expand in formulas:
        fast = render._prepare_plain(formula)
        if fast is None:
            continue
        taken += 1
        for future in (False, True):
            plain = Worksheet()
            plain.use_future_functions = future
            assert fast == plain._prepare_formula(formula, expand), formula
    assert taken > 0.9 * len(formulas)


def test_every_streamed_formula_is_stored_as_xlsxwriter_stores_it():
    """A streamed sheet's formula text, remembered per shape (``_STREAMED_SHAPES``), is what xlsxwriter's own
    ``write_formula`` stores for it, for every formula of the demo controllers' streamed sheets."""
    streamed: set[str] = set()
    render._STREAMED_SHAPES.clear()
    _recorded_formulas(_demo_books()[3:], streamed)
    assert len(streamed) > 1000 and len(render._STREAMED_SHAPES) < len(streamed) / 3  # shapes do recur
    ws = render._StreamedWorksheet()
    ws.use_future_functions = False
    for formula in streamed:
        text = ws._formula_text(formula)
        plain = Worksheet()
        plain.write_formula(0, 0, formula, None, 0)
        cell = plain.table[0][0]
        if text is not None:
            assert (type(cell).__name__, text) == ("Formula", cell.formula), formula
        else:
            assert type(cell).__name__ == "ArrayFormula" or not formula, formula


def test_controller_bytes_same_with_and_without_fast_path(monkeypatch):
    from kam_xl.workbook.controller import controller_workbook

    db = demo_databook()
    when = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    book = controller_workbook(db, "de", when)
    render._PREPARED.clear()
    fast = _plan_bytes(book)
    monkeypatch.setattr(render, "_REWRITES", None)  # every formula through xlsxwriter's own preparation
    render._PREPARED.clear()
    render._STREAMED_SHAPES.clear()
    slow = _plan_bytes(book)
    render._PREPARED.clear()
    assert fast == slow


@pytest.mark.parametrize("value", ["A1", 'a "b" & <c>\nd', "", 3, 2.5, render.NO_RESULT, "1:5"])
def test_escaping_is_xlsxwriters(value):
    plain, ours = Worksheet(), render._Worksheet()
    assert ours._escape_attributes(value) == plain._escape_attributes(value)
    assert ours._escape_data(value) == plain._escape_data(value)


def test_plan_bytes_same_as_with_xlsxwriters_own_escaping(monkeypatch):
    db = demo_databook()
    when = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    data = AccountPlanData.from_databook(db, "KA-002")
    account = data.account.model_copy(update={"name": 'Müller & "Söhne" <GmbH>', "kam": "A\nB"})
    book = account_plan(dataclasses.replace(data, account=account), "de", when)  # text that needs escaping
    ours = _plan_bytes(book)
    monkeypatch.setattr(render._Worksheet, "_escape_attributes", Worksheet._escape_attributes)
    monkeypatch.setattr(render._Worksheet, "_escape_data", Worksheet._escape_data)
    assert _plan_bytes(book) == ours
SHAPED_FORMULAS = [
    *FORMULAS, *ODD_FORMULAS,
    "=T.DIST.2T(A1,2)", "=T.DIST.3T(A1,2)",  # a digit in a rewritten name: the exact way, never by shape
    "=TXDIST02T(A1,2)", "=A1*0.5+STDEV5S(B2:B9)", "=F12*G12", "=SUMPRODUCT(('KAOP-Daten'!$A$5:$A$9=A7)*1)",
]


@pytest.mark.parametrize("formula", SHAPED_FORMULAS)
def test_formulas_of_one_shape_are_prepared_as_xlsxwriter_prepares_each(formula):
    """The fast path decides once per shape (the formula's digits as 0): every formula that differs from a
    seen one only in its digits is still prepared exactly as xlsxwriter prepares it."""
    variants = [formula] + [formula.translate(str.maketrans("0123456789", d * 10)) for d in "0129"]
    for first in variants:
        render._PLAIN_SHAPES.clear()
        render._prepare_plain(first)  # the shape decided by this one …
        for other in variants:  # … holds for the others
            fast = render._prepare_plain(other)
            plain = Worksheet()
            assert fast is None or fast == plain._prepare_formula(other), (first, other)
            if fast is None:
                render._PLAIN_SHAPES.clear()
                assert render._prepare_by_rewrites(other.lstrip("{=").rstrip("}")) is None or "_xlfn." in other, \
                    (first, other)
