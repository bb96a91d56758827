"""A streamed sheet (``Sheet.streamed``: xlsxwriter's constant-memory mode for that sheet alone, rows kept as XML
text) holds the same cells, formulas, cached results and names as the same sheet written the usual way."""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from kam_xl.workbook import render
from kam_xl.workbook.layout import Book, Cell, Input, Print, Sheet
from kam_xl.workbook.names import read_named
from kam_xl.workbook.printing import page_plan
from kam_xl.workbook.render import fill_workbook, write_book
from kam_xl.workbook.streaming import plan_cells, plan_rows


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
    rows = CalamineWorkbook.from_path(str(produced)).get_sheet_by_name("Data").to_python(skip_empty_area=False)
    assert rows[2 + 39][0] == "KA-0039" and rows[2 + 3][3] == -2469


@pytest.mark.parametrize("batch", [4, 7])
def test_rows_produced_once_are_read_back_for_writing_cell_for_cell(tmp_path, monkeypatch, batch):
    """Rows on demand are produced once — for the page plan — and written from what was spooled then: 22 rows
    of every kind of value (a date, an error value, a percent number, a truth value, an integer, a text that
    starts with "=", a blank with a style, a named formula) and a title held, in batches of 4 or 7 rows with a last one
    partly filled, give the file the same cells held give, byte for byte."""
    from datetime import date

    from kam_xl.cells import CellError, PercentNumber

    monkeypatch.setattr(render, "SPOOL_BATCH_ROWS", batch)
    calls = []
    s = Sheet("Data", widths={0: 10}, streamed=True, print=Print(printed=False))
    s.put(0, 0, "Daten", style="title")

    def rows() -> Iterator[Cell]:
        calls.append(1)
        for i in range(22):
            r = 1 + i
            yield Cell(r, 0, [date(2026, 1 + i % 12, 1), CellError("#N/A"), PercentNumber(0.25 * i), i % 2 == 0,
                              i, "=SUM(A1)", None][i % 7], style="date" if i % 7 == 0 else "text")
            yield Cell(r, 1, None, style="money")
            yield Cell(r, 2, None, f"=B{r + 1}+{i}", float(i), "money", f"sum_{i}" if i in (0, 21) else None)

    s.rows = rows
    book = Book(template_id="t", template_version="1", lang="de", sheets=[s],
                meta={"generated_at": "2026-11-30T08:00:00+00:00"})
    produced = write_book(book, tmp_path / "produced.xlsx")
    assert calls == [1]
    held = write_book(_materialized(book), tmp_path / "held.xlsx")
    with zipfile.ZipFile(produced) as a, zipfile.ZipFile(held) as b:
        assert a.namelist() == b.namelist()
        for part in a.namelist():
            assert a.read(part) == b.read(part), part
    data = CalamineWorkbook.from_path(str(produced)).get_sheet_by_name("Data").to_python(skip_empty_area=False)
    assert [row[0] for row in data[1:8]][:1] == [date(2026, 1, 1)] and data[5][0] == 4 and data[6][0] == "=SUM(A1)"
    assert data[22][2] == 21.0 and read_named(produced).values["sum_21"] == 21.0


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


def test_a_one_line_wrapping_text_is_not_kept_for_the_page_plan():
    """Of 200 rows with a short name in a wrapping column (one line in its layout width), the plan keeps the
    widest only — yet the page plan is the same: the rows with two names or a long one (two lines, 30 points),
    the row the layout makes tall (kept, it stays a wrapping row), the name in a hidden column, the widths."""
    sheet = Sheet("Data", widths={1: 20, 3: 0}, heights={9: 40.0}, streamed=True, print=Print(printed=False))

    def rows() -> Iterator[Cell]:
        for r in range(2, 202):
            yield Cell(r, 0, f"KA-{r:04d}", style="text")
            name = "Anna Berg\nCarl Dahl" if r % 50 == 0 else ("Eva Fink" if r % 7 else "Eva Fink-Gross")
            yield Cell(r, 1, "Eva Fink-Gross-Heinemann" if r in (120, 130) else name, style="wrap")
            yield Cell(r, 2, r, style="integer")
            if r == 17:
                yield Cell(r, 3, "Hidden Name", style="wrap")

    sheet.rows = rows
    held = [c for _, c in sorted(((c.row, c.col), c) for c in rows())]
    full = dataclasses.replace(sheet, cells=held, rows=None)
    kept = plan_rows((list(g) for _, g in itertools.groupby(rows(), key=lambda c: c.row)), None, sheet.widths,
                     sheet.heights)
    every = plan_rows((list(g) for _, g in itertools.groupby(rows(), key=lambda c: c.row)))
    assert len(kept) < 30 < 400 < len(every)
    few = dataclasses.replace(sheet, cells=kept, rows=None)
    assert page_plan(few) == page_plan(full)
    plan = page_plan(full)
    assert {r for r, h in plan.heights.items() if h == 30.0} == {50, 100, 120, 130, 150, 200}
    assert plan.heights[9] == 40.0
    assert 9 in plan.top_rows and plan.widths[1] == 21  # the 24 characters' name: 21 wide, still two lines


def test_a_wrapping_column_of_dates_error_values_and_texts_plans_as_held(tmp_path):
    """Not only texts come in a wrapping column: a date, an error value the KAM left and a number are planned
    (the one-line rule asks only texts) and written, and the page plan of the kept cells is that of all: the
    two-line text's row 30 points high, the others one line."""
    from datetime import date

    from kam_xl.cells import CellError

    sheet = Sheet("Data", widths={0: 12}, streamed=True, print=Print(printed=False))
    values = [date(2026, 11, 30), CellError("#N/A"), 1234.5, "Anna Berg\nCarl Dahl", "Eva Fink"]

    def rows() -> Iterator[Cell]:
        for r, v in enumerate(values, 2):
            yield Cell(r, 0, v, style="wrap")

    sheet.rows = rows
    kept = plan_rows(([c] for c in rows()), None, sheet.widths, sheet.heights)
    full = dataclasses.replace(sheet, cells=list(rows()), rows=None)
    assert page_plan(dataclasses.replace(sheet, cells=kept, rows=None)) == page_plan(full)
    assert {r for r, h in page_plan(full).heights.items() if h == 30.0} == {5}
    write_book(Book(template_id="t", template_version="1", lang="de", sheets=[sheet]), tmp_path / "mixed.xlsx")
    data = CalamineWorkbook.from_path(str(tmp_path / "mixed.xlsx")).get_sheet_by_name("Data")
    first = [row[0] for row in data.to_python(skip_empty_area=False)[2:]]
    assert first[0] == date(2026, 11, 30) and first[2:] == [1234.5, "Anna Berg\nCarl Dahl", "Eva Fink"]


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


# ------------------------------------------------------------------------------------------ a row at a time


def _every_kind_book() -> Book:
    """A streamed sheet with a cell of every kind the row writer writes itself and of every kind it leaves to
    xlsxwriter (a date, error values, rich-text tags, a long text, an array, a dynamic and a ``_xlfn.`` formula,
    a digit before a function name), an input, a row with a height, one with a wrapping text and two cells in
    one place."""
    from datetime import date

    from kam_xl.cells import CellError

    s = Sheet("Data", widths={0: 12, 1: 12, 2: 12}, heights={4: 40.0}, streamed=True)
    values = ["plain", " leading", "trailing ", "tab\there", "_x0041_ escaped", "a & b < c > d", "<r>rich</r>",
              "x" * 20_000, 7, -2.5, 1e20, 10**20, True, False, None, date(2026, 11, 30), CellError("#N/A"),
              CellError("#DIV/0!", formula="1/0"), CellError("", formula="NOW()")]
    for i, v in enumerate(values):
        s.put(i, 0, v, style="money" if isinstance(v, float) else "text")
    formulas = [("=A8*2", 14), ("=A1&\"<x>\"", "plain<x>"), ('=IF(A1="","",A1)', ""), ("=NA()", "#N/A"),
                ("=A13", True), ("=A1", None), ("{=SUM(A8:A9)}", 4.5), ("=FILTER(A8:A9,A8:A9>0)", 7),
                ("=STDEV.S(A8:A9)", 6.7), ("=LOG10(A8)", 0.845), ("=A9/0", "#DIV/0!")]
    for i, (f, cached) in enumerate(formulas):
        s.put(i, 1, formula=f, cached=cached, style="number")
    s.put(2, 2, 5.0, input=Input(kind="number"))
    s.put(3, 2, "Ein Text, der breiter als seine Spalte ist und darum umbricht, weil rechts daneben etwas steht",
          style="wrap")
    s.put(3, 3, 1.0)
    s.put(5, 2, 1.0)
    s.put(5, 2, 2.0)  # the same place again: xlsxwriter keeps the second
    return Book(template_id="t", template_version="1", lang="de", sheets=[s],
                meta={"k": "v", "generated_at": "2026-11-30T08:00:00+00:00"})


def test_a_streamed_sheet_written_a_row_at_a_time_is_the_one_xlsxwriter_writes_cell_by_cell(tmp_path, monkeypatch):
    """The row writer's shortcuts (one f-string per cell kind) write what xlsxwriter writes, part by part, for
    every kind of cell — those it leaves to xlsxwriter included; and it did write most rows itself."""
    written = []
    fast = render._StreamedWorksheet.write_row

    def counted(self, row, cells, formats):
        done = fast(self, row, cells, formats)
        written.append(done)
        return done

    monkeypatch.setattr(render._StreamedWorksheet, "write_row", counted)
    by_row = write_book(_every_kind_book(), tmp_path / "rows.xlsx")
    monkeypatch.setattr(render._StreamedWorksheet, "write_row", lambda self, row, cells, formats: False)
    by_cell = write_book(_every_kind_book(), tmp_path / "cells.xlsx")
    with zipfile.ZipFile(by_row) as a, zipfile.ZipFile(by_cell) as b:
        assert a.namelist() == b.namelist()
        for part in a.namelist():
            assert a.read(part) == b.read(part), part
        xml = a.read("xl/worksheets/sheet1.xml").decode()
    assert written.count(True) >= 8 and written.count(False) >= 5  # both ways taken
    assert '<c r="A2" s="1" t="inlineStr"><is><t xml:space="preserve"> leading</t></is></c>' in xml
    assert '<c r="B2" s="2" t="str"><f>A1&amp;"&lt;x&gt;"</f><v>plain&lt;x&gt;</v></c>' in xml
    assert '<c r="B8" s="5" cm="1"><f t="array" ref="B8">_xlfn._xlws.FILTER(A8:A9,A8:A9&gt;0)</f>' in xml
    assert '<c r="A17" s="1" t="e"><f>#N/A</f><v>#N/A</v></c>' in xml and '<c r="A19" s="1"><f>NOW()</f></c>' in xml
    rows = CalamineWorkbook.from_path(str(by_row)).get_sheet_by_name("Data").to_python(skip_empty_area=False)
    assert rows[5][2] == 2.0 and rows[8][0] == 7 and rows[0][1] == 14 and len(rows[7][0]) == 20_000


def test_the_controller_written_a_row_at_a_time_equals_the_one_written_cell_by_cell(monkeypatch):
    """The demo controller (its streamed sheets' rows written by the row writer) is, part by part, the one whose
    cells all go through xlsxwriter's own writers."""
    from datetime import UTC, datetime

    from kam_xl.databook import demo_databook
    from kam_xl.workbook.controller import controller_workbook

    book = controller_workbook(demo_databook(), "de", generated_at=datetime(2026, 11, 30, tzinfo=UTC))
    parts = []
    for by_row in (True, False):
        if not by_row:
            monkeypatch.setattr(render._StreamedWorksheet, "write_row", lambda self, row, cells, formats: False)
        buf = io.BytesIO()
        fill_workbook(book, buf).close()
        with zipfile.ZipFile(buf) as z:
            parts.append({n: z.read(n) for n in z.namelist()})
    assert parts[0].keys() == parts[1].keys()
    assert [p for p in parts[0] if parts[0][p] != parts[1][p]] == []
