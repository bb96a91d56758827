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
