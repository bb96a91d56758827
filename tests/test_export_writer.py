"""collect's export (``collected.xlsx``) is written through a leaner cell writer (``writer._lean_worksheet_class``):
the file's parts are byte for byte those xlsxwriter's own cell writer makes, for plain cells and for every text
that needs xlsxwriter's escaping."""

from __future__ import annotations

import zipfile
from pathlib import Path

import xlsxwriter

from kam_xl.databook import demo_databook
from kam_xl.databook.model import DataBook
from kam_xl.databook.writer import _plain_text, write_databook
from kam_xl.workbook import account_plan  # noqa: F401  (registers the sheet kinds' tables)

ODD_TEXTS = [" leading", "trailing ", "tab\tinside", "line\nbreak", "bell\x07", "_x0041_ escaped", "a & b",
             "<r>rich?</r>", "1 < 2 > 0", 'say "hi"', "=SUM(A1:A3)", "", "ümlaut ok", "\ufffe", "emoji 🙂"]


def _book_with_odd_texts() -> DataBook:
    db = demo_databook()
    accounts = [a.model_copy(update={"name": text or "x"}) for a, text in zip(db.accounts, ODD_TEXTS, strict=False)]
    return DataBook.model_construct(source=db.source, accounts=accounts + db.accounts[len(accounts):],
                                    tables=db.tables, notes=[])


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:  # docProps/core.xml holds the time of writing
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_the_export_is_the_bytes_xlsxwriter_writes(tmp_path, monkeypatch):
    db = _book_with_odd_texts()
    lean = write_databook(db, tmp_path / "lean.xlsx")
    from kam_xl.databook import writer

    monkeypatch.setattr(writer, "_export_workbook_class", lambda: xlsxwriter.Workbook)
    stock = write_databook(db, tmp_path / "stock.xlsx")
    lean_parts, stock_parts = _parts(lean), _parts(stock)
    assert list(lean_parts) == list(stock_parts)
    assert [n for n in lean_parts if lean_parts[n] != stock_parts[n]] == []
    sheet = next(v for n, v in lean_parts.items() if n.startswith("xl/worksheets/sheet1"))
    assert b'<t xml:space="preserve"> leading</t>' in sheet and b"bell_x0007_" in sheet and b"_x005F_x0041_" in sheet


def test_only_texts_written_as_they_are_take_the_short_way():
    assert [t for t in ODD_TEXTS if _plain_text(t)] == ['say "hi"', "=SUM(A1:A3)", "", "ümlaut ok", "emoji 🙂"]


def test_a_row_of_plain_values_is_written_at_once_and_any_other_cell_by_cell(tmp_path):
    from kam_xl.databook.writer import _export_workbook_class

    wb = _export_workbook_class()(str(tmp_path / "rows.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet("t")
    assert ws.write_plain_row(1, [(0, True), (1, 2), (2, 0.5), (3, "Blau 86")])
    assert not ws.write_plain_row(2, [(0, "line\nbreak")])  # xlsxwriter's escaping: nothing written
    assert not ws.write_plain_row(2, [(0, float("inf"))])
    assert not ws.write_plain_row(1, [(0, 1)])  # a row already written
    wb.close()
    with zipfile.ZipFile(tmp_path / "rows.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    assert (b'<row r="2"><c r="A2" t="b"><v>1</v></c><c r="B2"><v>2</v></c><c r="C2"><v>0.5</v></c>'
            b'<c r="D2" t="inlineStr"><is><t>Blau 86</t></is></c></row>') in sheet
    assert b'<dimension ref="A2:D2"/>' in sheet
