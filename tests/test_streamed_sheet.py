"""A streamed sheet (``Sheet.streamed``: xlsxwriter's constant-memory mode for that sheet alone, rows kept as XML
text) holds the same cells, formulas, cached results and names as the same sheet written the usual way."""

from __future__ import annotations

import re
import zipfile

from python_calamine import CalamineWorkbook

from kam_xl.workbook.layout import Book, Sheet
from kam_xl.workbook.names import read_named
from kam_xl.workbook.render import write_book


def _book(streamed: bool) -> Book:
    s = Sheet("Data", streamed=streamed)
    s.put(3, 1, formula="=A4*2", cached=84.0, style="money", name="doubled")  # out of row order on purpose
    s.put(0, 0, "Titel mit Ümlaut", style="title")
    s.put(3, 0, 42, style="integer")
    s.put(1, 0, "  leading and trailing  ")
    s.put(2, 2, formula='=IF(A4>40,"big","small")', cached="big")
    s.put(2, 0, formula="=NA()", cached="#N/A")
    s.name_range("block", 0, 0, 3, 2)
    return Book(template_id="t", template_version="1", lang="de", sheets=[s, Sheet("Other")], meta={"k": "v"})


def test_a_streamed_sheet_holds_the_same_cells_as_a_usual_one(tmp_path):
    usual = write_book(_book(False), tmp_path / "usual.xlsx")
    streamed = write_book(_book(True), tmp_path / "streamed.xlsx")
    rows = {p: CalamineWorkbook.from_path(str(p)).get_sheet_by_name("Data").to_python() for p in (usual, streamed)}
    assert rows[streamed] == rows[usual]
    assert rows[streamed][3][:2] == [42, 84] and rows[streamed][2][2] == "big"
    a, b = read_named(usual), read_named(streamed)
    assert (b.values["doubled"], b.values["block"], b.meta) == (a.values["doubled"], a.values["block"], a.meta)
    with zipfile.ZipFile(streamed) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert 't="inlineStr"' in xml and "<t xml:space=\"preserve\">  leading and trailing  </t>" in xml
    assert xml.index('r="A1"') < xml.index('r="A2"') < xml.index('r="A4"') < xml.index('r="B4"')
    assert re.search(r'<c r="A3"[^>]* t="e"><f>NA\(\)</f><v>#N/A</v></c>', xml)
