"""A streamed sheet (``Sheet.streamed``: xlsxwriter's constant-memory mode for that sheet alone, rows kept as XML
text) holds the same cells, formulas, cached results and names as the same sheet written the usual way."""

from __future__ import annotations

import dataclasses
import io
import re
import sys
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from kam_xl.workbook import render
from kam_xl.workbook.layout import Book, Cell, Input, Sheet
from kam_xl.workbook.names import read_named
from kam_xl.workbook.printing import page_plan
from kam_xl.workbook.render import fill_workbook, write_book
from kam_xl.workbook.streaming import plan_cells


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


# ------------------------------------------------------------------------------------------ cells on demand


def _produced_book(n: int) -> Book:
    """A streamed sheet whose ``n`` account rows are produced on demand (``Sheet.rows``), with a long text that
    wraps, a negative number, a note and a heading among them."""
    s = Sheet("Data", widths={0: 10}, streamed=True)
    s.put(0, 0, "Konten", style="title")
    s.put(1, 0, "ID", style="header")
    s.put(1, 1, "Betrag", style="header")
    s.put(1, 2, "Name", style="header")
    s.put(1, 3, "x", style="header")

    def rows():
        for i in range(n):
            r = 2 + i
            yield Cell(r, 0, f"KA-{i:04d}")
            yield Cell(r, 1, -1234.5 if i == 3 else float(i * 1000), style="money")
            yield Cell(r, 2, "Name " * (14 if i == 5 else 2))  # 70 characters: wraps in a column of 48
            yield Cell(r, 3, formula=f"=B{r + 1}*2", cached=(-1234.5 if i == 3 else i * 1000.0) * 2, style="money",
                      name="last_doubled" if i == n - 1 else None)
        yield Cell(2 + n + 1, 0, "Summe", style="subtitle")
        yield Cell(2 + n + 2, 0, "Ein langer Hinweis unter der Tabelle, der über mehrere leere Zellen läuft.",
                   style="note")

    s.rows = rows
    s.name_range("block", 2, 0, 1 + n, 3)
    return Book(template_id="t", template_version="1", lang="de", sheets=[s],
                meta={"k": "v", "generated_at": "2026-11-30T08:00:00+00:00"})  # the same creation time in both


def _materialized(book: Book) -> Book:
    return dataclasses.replace(book, sheets=[dataclasses.replace(s, cells=list(s.all_cells()), rows=None)
                                             for s in book.sheets])


@pytest.mark.parametrize("spool", [None, 300])
def test_cells_produced_on_demand_are_written_as_the_same_cells_held_in_the_layout(tmp_path, monkeypatch, spool):
    """A sheet whose rows are produced on demand is written byte for byte as the same sheet holding its cells
    (page plan: widths, the wrapped row, the note; names; cached results) — also when its rows' XML goes on in
    a temporary file every 300 characters."""
    book = _produced_book(40)
    if spool is not None:
        monkeypatch.setattr(render, "STREAM_SPOOL_CHARS", spool)
    produced = write_book(book, tmp_path / "produced.xlsx")
    held = write_book(_materialized(book), tmp_path / "held.xlsx")
    with zipfile.ZipFile(produced) as a, zipfile.ZipFile(held) as b:
        assert a.namelist() == b.namelist()
        for part in a.namelist():
            assert a.read(part) == b.read(part), part
    values = read_named(produced).values
    assert values["last_doubled"] == 78000 and values["block"][3][1] == -1234.5
    rows = CalamineWorkbook.from_path(str(produced)).get_sheet_by_name("Data").to_python()
    assert rows[2 + 39][0] == "KA-0039" and rows[2 + 3][3] == -2469


def test_the_page_plan_of_the_deciding_cells_is_the_page_plan_of_all_cells():
    """plan_cells keeps a few cells per column, yet the page plan is the same: widths (a negative amount, the
    widest name), the row of the 70-character name (wraps at 48), the note spread over its row, the breaks."""
    sheet = _produced_book(300).sheets[0]
    kept = plan_cells(sheet.rows())
    assert len(kept) < 40
    full = dataclasses.replace(sheet, cells=list(sheet.all_cells()), rows=None)
    few = dataclasses.replace(sheet, cells=[*sheet.cells, *kept], rows=None)
    assert page_plan(few) == page_plan(full)
    assert page_plan(full).heights[7] == 30.0 and page_plan(full).widths[1] > 8.43


def test_cells_on_demand_must_be_in_row_order_and_not_inputs(tmp_path):
    book = _produced_book(3)
    sheet = book.sheets[0]
    sheet.rows = lambda: iter([Cell(5, 0, "late"), Cell(4, 0, "early")])
    with pytest.raises(ValueError, match="A5 comes after row 6"):
        write_book(book, tmp_path / "bad.xlsx")
    sheet.rows = lambda: iter([Cell(5, 0, 1.0, input=Input(kind="number"))])
    with pytest.raises(ValueError, match="A6: an input cell"):
        write_book(book, tmp_path / "bad.xlsx")
    sheet.streamed = False
    sheet.rows = lambda: iter([Cell(5, 0, 1.0)])
    with pytest.raises(ValueError, match="need a streamed sheet"):
        write_book(book, tmp_path / "bad.xlsx")


def _controller_parts(db, lang) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The controller's parts as written (KAOP-Daten produced on demand) and with every sheet's cells held."""
    from datetime import UTC, datetime

    from kam_xl.workbook.controller import controller_workbook

    book = controller_workbook(db, lang, generated_at=datetime(2026, 11, 30, tzinfo=UTC))
    assert any(s.rows is not None for s in book.sheets)
    out = []
    for b in (book, _materialized(book)):
        buf = io.BytesIO()
        fill_workbook(b, buf).close()
        with zipfile.ZipFile(buf) as z:
            out.append({n: z.read(n) for n in z.namelist()})
    return out[0], out[1]


@pytest.mark.parametrize("accounts", [None, 300])
def test_the_streamed_controller_equals_the_one_held_in_memory(accounts):
    """The controller with its data sheet produced on demand is, part by part and so cell by cell, the controller
    whose layout holds every cell — on the demo data book and on 300 synthetic accounts."""
    from kam_xl.databook import demo_databook

    db = demo_databook()
    if accounts:
        sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
        from synthetic import synthetic_databook

        db = synthetic_databook(accounts, db)
    streamed, held = _controller_parts(db, "de" if accounts else "en")
    assert streamed.keys() == held.keys()
    assert [p for p in streamed if streamed[p] != held[p]] == []
