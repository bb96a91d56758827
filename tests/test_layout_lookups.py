"""The layout's remembered lookups give what the plain ones gave: cell references, defined-name checks, the
named values of a few names, the inputs of a sheet, and cells that compare, hash and copy by value."""

from __future__ import annotations

import dataclasses

import pytest
from xlsxwriter.utility import xl_rowcol_to_cell

from kam_xl.databook import demo_databook
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.layout import Book, Cell, Input, Sheet, cell_ref, check_name, input_values, named_values
from kam_xl.workbook.merge import regen_values


@pytest.mark.parametrize(("row", "col"), [(0, 0), (0, 25), (9, 26), (99, 701), (1_048_575, 702), (4, 16_383)])
def test_cell_ref_is_xlsxwriters_reference(row: int, col: int) -> None:
    assert cell_ref(row, col) == xl_rowcol_to_cell(row, col)
    assert cell_ref(row, col, absolute=True) == xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)
    assert (cell_ref(0, 27), cell_ref(9, 2, absolute=True)) == ("AB1", "$C$10")


def test_sheet_ref_quotes_the_sheet_and_spans_a_block() -> None:
    s = Sheet("Plan vs. Ist")
    assert s.ref(2, 1) == "'Plan vs. Ist'!$B$3"
    assert s.ref(2, 1, 5, 27) == "'Plan vs. Ist'!$B$3:$AB$6"
    assert s.ref(2, 1, 2, 1) == "'Plan vs. Ist'!$B$3"


def test_a_refused_name_stays_refused_and_an_accepted_one_is_returned_as_given() -> None:
    for _ in range(2):  # the second time the remembered answer decides
        with pytest.raises(ValueError, match="CDB1"):
            check_name("CDB1")
        with pytest.raises(ValueError, match="R"):
            check_name("R")
    assert check_name("cdb_gross_sales") == "cdb_gross_sales"


def _sheet() -> Sheet:
    s = Sheet("S")
    s.put(0, 0, "Produkt", style="header", name="head")
    s.put(1, 0, "A", input=Input(kind="text"))
    s.put(1, 1, formula="=1+1", cached=2.0)
    s.put(2, 0, "B", input=Input(kind="text"))
    s.put(2, 1, formula="=2+2", cached=4.0)
    s.put(3, 3, 7.0, input=Input(kind="number"), name="alone")
    s.name_range("products", 1, 0, 2, 0)  # inputs
    s.name_range("results", 1, 1, 2, 1)  # formulas only
    s.name_range("wide", 1, 1, 3, 3)  # its one input at the bottom right corner
    return s


def test_input_values_are_the_named_inputs_and_the_blocks_holding_an_input() -> None:
    book = Book("t", "1", [_sheet()])
    assert input_values(book) == {"alone": 7.0, "products": [["A"], ["B"]],
                                  "wide": [[None, None, None], [None, None, None], [None, None, 7.0]]}


def test_named_values_of_some_names_are_those_of_all_names() -> None:
    book = Book("t", "1", [_sheet()])
    every = named_values(book)
    assert every["results"] == [[2.0], [4.0]] and every["head"] == "Produkt"
    for names in ({"results"}, {"head", "wide"}, {"alone", "products", "nothing"}):
        assert named_values(book, names) == {n: v for n, v in every.items() if n in names}


def test_regen_values_of_a_plan_are_its_inputs_and_its_key_blocks() -> None:
    book = account_plan(AccountPlanData.from_databook(demo_databook(), "KA-001"))
    every, inputs = named_values(book), input_values(book)
    regen = regen_values(book)
    assert {k: v for k, v in regen.items() if k in inputs} == inputs
    key_only = regen.keys() - inputs.keys()
    assert key_only and all(regen[k] == every[k] for k in key_only)  # the excellence criteria ids


def test_cells_compare_hash_and_copy_by_value() -> None:
    a, b = Cell(1, 2, formula="=A1", cached=3.0, style="money"), Cell(1, 2, formula="=A1", cached=3.0, style="money")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    c = dataclasses.replace(a, col=5)
    assert (c.col, c.address, c.absolute, a.col) == (5, "F2", "$F$2", 2)
