"""read_named's ``one_by_one`` (each sheet handed to calamine alone, up to the last row a name reaches — how the
controller's inputs are read) reads the same values as reading the sheets at once, also where a sheet's first cell
is not A1 (another program's file: calamine's ranges then start at that cell, the names count from A1)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.workbook.defined_name import DefinedName

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
