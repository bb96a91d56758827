"""Cells read with their kind: an error value or a formula saved without its result is a ``CellError`` (never
empty, 0 or a default), a number in a percent-formatted cell a ``PercentNumber`` — by both engines of the
reader by name (eager and lazy) and in the data book, where each becomes a problem naming the cell."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from kam_xl.cells import CellError, PercentNumber
from kam_xl.databook import TABLES, DataBookError, read_databook
from kam_xl.package import is_percent_format, open_package
from kam_xl.workbook.names import read_named

NAMES = {"div0": "$A$1", "na": "$A$2", "value": "$A$3", "uncached": "$B$1", "share": "$C$1", "share_fine": "$C$2",
         "literal_percent": "$C$3", "plain": "$D$1", "text": "$D$2", "block": "$A$1:$D$3"}


def _book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["A1"], ws["A2"], ws["A3"] = "#DIV/0!", "#N/A", "#VALUE!"  # openpyxl writes these as error cells (t="e")
    ws["B1"] = "=D1*2"  # openpyxl saves formulas without a result
    ws["C1"], ws["C2"], ws["C3"] = 0.8, 0.125, 0.5
    ws["C1"].number_format, ws["C2"].number_format, ws["C3"].number_format = "0%", "0.0 %", '0" %"'
    ws["D1"], ws["D2"] = 2.5, "80 %"
    for name, ref in NAMES.items():
        wb.defined_names[name] = DefinedName(name, attr_text=f"Data!{ref}")
    wb.save(path)
    return path


def _values(path: Path, engine: str, lazy: bool) -> dict:
    nv = read_named(path, engine=engine, lazy=lazy)  # type: ignore[arg-type]
    return {name: nv.values[name] for name in NAMES}


@pytest.mark.parametrize(("engine", "lazy"), [("calamine", False), ("calamine", True), ("openpyxl", False)])
def test_kinds_by_name(tmp_path, engine, lazy):
    v = _values(_book(tmp_path / "kinds.xlsx"), engine, lazy)
    assert (v["div0"], v["na"], v["value"]) == (CellError("#DIV/0!"), CellError("#N/A"), CellError("#VALUE!"))
    assert v["uncached"] == CellError("", "D1*2")
    assert type(v["share"]) is PercentNumber and v["share"] == 0.8
    assert type(v["share_fine"]) is PercentNumber and v["share_fine"] == 0.125
    assert type(v["literal_percent"]) is float and v["literal_percent"] == 0.5  # '0" %"' shows no times 100
    assert type(v["plain"]) is float and v["plain"] == 2.5
    assert v["text"] == "80 %"
    assert v["block"][0] == [CellError("#DIV/0!"), CellError("", "D1*2"), PercentNumber(0.8), 2.5]
    assert v["block"][2][:2] == [CellError("#VALUE!"), None]


def test_engines_read_the_same_kinds(tmp_path):
    path = _book(tmp_path / "kinds.xlsx")
    calamine, openpyxl_ = _values(path, "calamine", False), _values(path, "openpyxl", False)
    assert calamine == openpyxl_
    assert {k: type(v) for k, v in calamine.items() if not isinstance(v, list)} == \
        {k: type(v) for k, v in openpyxl_.items() if not isinstance(v, list)}


def test_problem_texts_of_the_kinds():
    assert CellError("#N/A").problem() == "holds the error value #N/A — type a value instead"
    assert CellError("", "D1*2").problem().startswith("holds the formula =D1*2 saved without its result")


def test_a_cached_empty_result_is_blank_not_an_error(tmp_path):
    """xlsxwriter writes a formula whose result is "" with an empty <v></v> (kam_xl's plans do): a result."""
    import xlsxwriter

    path = tmp_path / "cached.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.write_formula("A1", '=IF(B1="","",B1)', None, "")
    ws.write_formula("A2", "=1/0", None, "#DIV/0!")
    wb.define_name("empty_result", "=Data!$A$1")
    wb.define_name("error_result", "=Data!$A$2")
    wb.close()
    values = read_named(path).values
    assert values["empty_result"] is None
    assert values["error_result"] == CellError("#DIV/0!", "1/0")


def test_percent_formats():
    assert [is_percent_format(c) for c in ("0%", "0.00%", "#,##0.0 %;[Red]-0.0%", '0" %"', "0\\%", "[>1]0%",
                                           "General")] == [True, True, True, False, False, True, False]


def test_the_scan_finds_kinds_written_any_way(tmp_path):
    """Attributes in another order, other quotes and spacing, prefixed elements: the same kinds."""
    from tests.hostile import base_parts, sheet_xml, write_xlsx

    styles = ('<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/'
              'spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="9"/></cellXfs>'
              '</styleSheet>')
    parts = base_parts(xl__worksheets__sheet1_dot_xml=sheet_xml(
        "<row r='1'><c s='1' r='A1'><v>0.5</v></c><c t = 'e' r = 'B1'><v>#REF!</v></c>"
        '<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="C1"><x:f>A1+1</x:f></x:c>'
        "</row>", dimension="A1:C1"), xl__styles_dot_xml=styles)
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        "</Relationships>", '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/'
                            '2006/relationships/styles" Target="styles.xml"/></Relationships>')
    package = open_package(write_xlsx(tmp_path / "odd.xlsx", parts))
    assert package.scan("accounts").kinds == {(0, 0): "%", (0, 1): CellError("#REF!"), (0, 2): CellError("", "A1+1")}


# ------------------------------------------------------------------------------------------- data book

def _databook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "accounts"
    ws.append([c.name for c in TABLES["accounts"].columns])
    ws.append(["A-1", "Alpha Papier AG", "Nord", None, None, "EUR", 2026, None])
    ws.append(["A-2", "Beta Karton GmbH", "Süd", None, None, "EUR", "=2025+1", None])  # uncached formula
    pf = wb.create_sheet("portfolio")
    pf.append([c.name for c in TABLES["portfolio"].columns])
    pf.append(["A-1", 2026, 1000, 0.25, "#N/A"])  # an error in the margin factor, which defaults to 1 when empty
    pf["D2"].number_format = "0%"
    kgb = wb.create_sheet("kgb")
    kgb.append([c.name for c in TABLES["kgb"].columns])
    kgb.append(["A-1", "S", "Preis", 1, "Wir", True, "#DIV/0!"])
    wb.save(path)
    return path


def test_databook_errors_are_problems_naming_the_cell(tmp_path):
    with pytest.raises(DataBookError) as e:
        read_databook(_databook(tmp_path / "book.xlsx"))
    found = {(p.sheet, p.row, p.column, p.cell, p.value, p.message) for p in e.value.problems}
    assert ("portfolio", 2, "margin_factor", "E2", "#N/A", "holds the error value #N/A — type a value instead") \
        in found
    assert ("kgb", 2, "rating", "G2", "#DIV/0!", "holds the error value #DIV/0! — type a value instead") in found
    assert any(p.sheet == "accounts" and p.cell == "G3" and p.message.startswith(
        "holds the formula =2025+1 saved without its result") for p in e.value.problems)
    assert str(next(p for p in e.value.problems if p.cell == "E2")) == \
        "book.xlsx, sheet portfolio, row 2, column margin_factor (E2): value '#N/A': holds the error value #N/A — " \
        "type a value instead"


def test_databook_cells_carry_percent_numbers(tmp_path):
    path = _databook(tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["portfolio"]["E2"] = 1.2
    wb["kgb"]["G2"] = 80
    wb["accounts"]["G3"] = 2026
    wb.save(path)
    db = read_databook(path)
    [row] = db.table("portfolio")
    assert row["share_of_wallet"] == 0.25 and row["margin_factor"] == 1.2
    from kam_xl.databook import _sources

    problems: list = []
    src = _sources(path, problems)["portfolio"]()
    assert src is not None and problems == []
    [raw] = list(src.rows)
    assert type(raw[3]) is PercentNumber and raw[3] == 0.25  # D2, shown as 25 %: what the cell parser gets
    assert type(raw[4]) is float


def test_a_percent_formatted_rating_in_the_data_book_is_a_problem(tmp_path):
    """A Kgb rating (0–100 points) typed as 0.8 in a cell formatted "0%" shows 80 % but is not 80 points, nor 0.8:
    the data book names the cell; a fraction column (share of wallet) takes a percent cell as the fraction."""
    path = _databook(tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["portfolio"]["E2"] = 1.2
    wb["accounts"]["G3"] = 2026
    wb["kgb"]["G2"] = 0.8
    wb["kgb"]["G2"].number_format = "0%"
    wb.save(path)
    with pytest.raises(DataBookError) as e:
        read_databook(path)
    assert [(p.sheet, p.row, p.column, p.cell, p.value, p.message) for p in e.value.problems] == [
        ("kgb", 2, "rating", "G2", "80 %", "formatted as a percentage (80 %) — type 80 for 80 points — allowed: a "
                                         "number from 0 to 100")]
