"""read_named's ``one_by_one`` (each sheet handed to calamine alone, up to the last row a name reaches — how the
controller's inputs are read) reads the same values as reading the sheets at once, also where a sheet's first cell
is not A1 (another program's file: calamine's ranges then start at that cell, the names count from A1)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.workbook.defined_name import DefinedName

from kam_xl.cells import PercentNumber
from kam_xl.package import open_package
from kam_xl.workbook.names import read_named


def _book(path: Path) -> Path:
    """Sheet ``Far``: nothing before C3 (a used range from C3), values to H40; names on C3, on D4:E5 (a block),
    on B2 (left of and above every cell: blank) and on G39 (far right and down, a number); sheet ``Wide``: a row
    of 30 cells from A1 and a name on its second cell."""
    wb = openpyxl.Workbook()
    far = wb.active
    far.title = "Far"
    for r in range(3, 41):
        for c in range(3, 9):
            far.cell(r, c, r * 100 + c if (r + c) % 4 else f"t{r}-{c}")
    wide = wb.create_sheet("Wide")
    for c in range(1, 31):
        wide.cell(1, c, c * 1.5)
    for name, ref in (("first", "Far!$C$3"), ("block", "Far!$D$4:$E$5"), ("before", "Far!$B$2"),
                      ("last", "Far!$G$39"), ("second", "Wide!$B$1")):
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    wb.save(path)
    return path


def test_a_sheet_read_alone_within_the_names_reach_reads_what_the_whole_sheet_reads(tmp_path: Path) -> None:
    path = _book(tmp_path / "far.xlsx")
    at_once = read_named(path)
    alone = read_named(path, one_by_one=True)
    assert alone.values == at_once.values
    # by hand: a cell (r, c) holds r * 100 + c, or the text "t<r>-<c>" where r + c is a multiple of 4
    assert alone.values["first"] == 303
    assert alone.values["block"] == [["t4-4", 405], [504, 505]]
    assert alone.values["before"] is None
    assert alone.values["last"] == 3907
    assert alone.values["second"] == 3.0


def test_a_long_sheet_read_alone_for_its_first_rows_is_cut_after_them(tmp_path: Path) -> None:
    """The controller's settings sit above 10,000 accounts' rows: calamine is handed the sheet without the rows
    below the names (``package.rows_up_to``) — the same values, and the block down to the last row still whole."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Long"
    for r in range(1, 3001):
        ws.cell(r, 1, f"row {r}")
        ws.cell(r, 2, r * 0.5).number_format = "0%"  # a percent cell on every row, as the controller's shares
    wb.defined_names["top"] = DefinedName("top", attr_text="Long!$B$2")
    wb.defined_names["head"] = DefinedName("head", attr_text="Long!$A$1:$B$3")
    path = tmp_path / "long.xlsx"
    wb.save(path)
    alone = read_named(path, names={"top", "head"}, one_by_one=True)
    assert alone.values == read_named(path, names={"top", "head"}).values
    assert alone.values["top"] == 1.0 and alone.values["head"] == [["row 1", 0.5], ["row 2", 1.0], ["row 3", 1.5]]
    assert type(alone.values["top"]) is PercentNumber  # the kinds of the rows read are found
    # … and only theirs: the scan's kinds of a sheet read up to its 3rd row, not of its 3,000 rows
    assert sorted(open_package(path).scan("Long", up_to_row=3).kinds) == [(0, 1), (1, 1), (2, 1)]
    assert len(open_package(path).scan("Long").kinds) == 3000
    wb.defined_names["bottom"] = DefinedName("bottom", attr_text="Long!$B$2999:$B$3000")
    wb.save(path)
    assert read_named(path, names={"top", "bottom"}, one_by_one=True).values == {"top": 1.0,
                                                                                 "bottom": [[1499.5], [1500.0]]}


def test_rows_are_cut_only_where_their_numbers_say_where() -> None:
    from kam_xl.package import rows_up_to

    rows = b"".join(b'<row r="%d" spans="1:2"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 6))
    x = b"<worksheet><sheetData>" + rows + b"</sheetData><mergeCells/></worksheet>"
    cut = rows_up_to(x, 2)
    assert cut.count(b"<row ") == 2 and cut.endswith(b'<v>2</v></c></row></sheetData></worksheet>')
    assert rows_up_to(x, 5) is x  # nothing below the last row
    unnumbered = x.replace(b' r="3"', b"")  # a row without its number: rows count by position, not cut
    assert rows_up_to(unnumbered, 2) is unnumbered
    disordered = x.replace(b'<row r="2"', b'<row r="4"', 1)  # rows 1, 4, 3 …: row 3 comes after the cut's row
    assert rows_up_to(disordered, 3) is disordered
    prefixed = x.replace(b"<row ", b"<x:row ").replace(b"sheetData>", b"x:sheetData>")
    assert rows_up_to(prefixed, 2) is prefixed
    assert rows_up_to(x.replace(b"<row ", b"<rowBreaks/><row ", 1), 2).count(b"<row ") == 2
