"""The controller's per-account sheets produce their rows one account at a time (``Sheet.rows``), written in
xlsxwriter's constant-memory mode — and hold the same cells, styles and formulas as before; ``write_controller``
reports its progress step by step."""

from __future__ import annotations

import gc
import io
import weakref
from datetime import UTC, datetime

import openpyxl
import pytest

from kam_xl import cycles
from kam_xl.batch import write_controller
from kam_xl.databook import demo_databook
from kam_xl.workbook.controller import CONTROLLER_SHEETS, controller_workbook
from kam_xl.workbook.layout import Book
from kam_xl.workbook.render import fill_workbook
from kam_xl.workbook.streaming import held

WHEN = datetime(2026, 11, 30, tzinfo=UTC)
#: the sheets with a row per account (or per card, resource cell, data line) that produce them (German names)
PRODUCED = ("Kunden", "Ressourcen", "KAOP", "Kgb", "Beziehungen", "Beziehungs-Daten", "Auswahl", "ABC-XYZ",
            "Koordination", "CDB-Daten", "KAOP-Daten")


def _cells(book: Book) -> dict[str, dict[str, tuple[object, ...]]]:
    """Every cell of the written ``book`` as openpyxl reads it: value or formula, type, number format, font,
    fill, alignment, border, protection — by sheet and address."""
    buf = io.BytesIO()
    fill_workbook(book, buf).close()
    wb = openpyxl.load_workbook(buf)
    out: dict[str, dict[str, tuple[object, ...]]] = {}
    for ws in wb.worksheets:
        out[ws.title] = {c.coordinate: (c.value, c.data_type, c.number_format, c.font.b, c.font.i, c.font.sz,
                                        str(c.font.color.rgb) if c.font.color else None,
                                        c.fill.fgColor.rgb if c.fill.fill_type else None, c.alignment.wrap_text,
                                        c.alignment.vertical, c.border.top.style, c.protection.locked)
                         for row in ws.iter_rows() for c in row}
        out[ws.title]["merged"] = tuple(sorted(map(str, ws.merged_cells.ranges)))
        out[ws.title]["widths"] = tuple(sorted((k, d.width, d.hidden) for k, d in ws.column_dimensions.items()))
        out[ws.title]["heights"] = tuple(sorted((k, d.height) for k, d in ws.row_dimensions.items() if d.height))
        out[ws.title]["breaks"] = tuple(b.id for b in ws.row_breaks.brk)
    return out


@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl drops the sparkline and data-bar extensions
def test_the_produced_controller_holds_the_cells_of_the_one_written_before_cell_by_cell():
    """The per-account sheets produce their rows and are written in constant-memory mode (inline strings), yet
    every cell reads as in the same book with every cell held and its printed sheets written the usual way (as
    the controller was written before) — value or formula, type, number format, font, fill, alignment, border,
    protection —, and so do the merged cells, column widths, row heights and page breaks."""
    book = controller_workbook(demo_databook(), "de", generated_at=WHEN)
    produced = {s.name for s in book.sheets if s.rows is not None}
    assert produced == set(PRODUCED)
    now, before = _cells(book), _cells(held(book))
    assert now.keys() == before.keys()
    for sheet in now:
        assert now[sheet] == before[sheet], sheet
    kunden = now["Kunden"]
    assert kunden["A5"][0] == "KA-001" and str(kunden["F5"][0]).startswith("=IF(")  # an id held, a formula produced
    assert now["KAOP"]["A1"][0] is None and "KAOP" in str(now["KAOP"]["B1"][0])  # the title moved beside column A


def test_a_sheet_with_a_row_per_account_holds_a_few_cells_per_account_at_most():
    """The layout of 300 accounts holds, on each producing sheet, no more than its inputs, its account ids (which
    other sheets and the readers look up) and its headings and totals; the rest — over 5 cells per account — is
    produced when written."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from synthetic import synthetic_databook

    db = synthetic_databook(300, demo_databook())
    book = controller_workbook(db, "de", generated_at=WHEN)
    for name in PRODUCED:
        sheet = book.sheet(name)
        assert sheet.streamed and sheet.rows is not None, name
        kept = [c for c in sheet.cells if c.input is None]  # inputs are held: validations, the readers' blocks
        assert len(kept) <= 2 * 300 + 150, (name, len(kept))
        assert sum(1 for _ in sheet.rows()) > 5 * 300, name


def test_write_controller_reports_each_kind_built_and_each_kind_written(tmp_path):
    calls: list[tuple[int, int]] = []
    write_controller(demo_databook(), tmp_path / "Controller.xlsx", "de", WHEN,
                     progress=lambda done, total: calls.append((done, total)))
    steps = 2 * len(CONTROLLER_SHEETS) + 1
    # a step per kind built and per kind written, one after the other as the sheets are laid out on demand, and
    # the file assembled from them (half a minute at 10,000 accounts, shown as 100 % before); the total the same
    # throughout (a total that grows mid-run reads as a fault)
    assert calls == [(d, steps) for d in range(1, steps + 1)]


def test_write_controller_writes_with_the_data_book_set_aside_from_the_collector(tmp_path):
    """The sheets are written with the objects held before (the data book) set aside from the cyclic collector
    (``gc.freeze``: its full collections no longer walk them), and given back to it after the file is written."""
    db = demo_databook()
    frozen: list[int] = []
    write_controller(db, tmp_path / "Controller.xlsx", "de", WHEN,
                     progress=lambda done, total: frozen.append(gc.get_freeze_count()))
    steps = 2 * len(CONTROLLER_SHEETS) + 1
    assert len(frozen) == steps and min(frozen[:-1]) > 0  # each kind built and written on demand, as it is written
    assert frozen[-1] == 0 and gc.get_freeze_count() == 0  # given back once the file is written


def test_objects_set_aside_are_given_back_and_cycles_made_meanwhile_are_collected():
    class Node:
        pass

    assert gc.get_freeze_count() == 0
    with cycles.set_aside():
        held_before = gc.get_freeze_count()
        assert held_before > 0
        node = Node()
        node.me = node  # a cycle made while objects are set aside: still the collector's
        gone = weakref.ref(node)
        del node
        gc.collect()
        assert gone() is None
        with cycles.set_aside():  # set aside already: left to the outer block
            pass
        assert gc.get_freeze_count() == held_before
    assert gc.get_freeze_count() == 0
    with pytest.raises(KeyError), cycles.set_aside():
        raise KeyError("x")
    assert gc.get_freeze_count() == 0  # also after an error


def test_each_sheet_is_let_go_once_written_and_no_longer_read(tmp_path, monkeypatch):
    """Issue 14: the controller's sheets are laid out as they are written and freed by reference counting once
    written — unless a kind built later still reads them (the accounts sheet until the settings are built: their
    formulas refer to its ids) —, so a controller of 10,000 accounts never holds the layout of all its kinds. A
    sheet's on-demand rows that refer to the sheet itself would keep it for the cyclic collector: with the
    collector off, such a sheet outlives its writing and this fails."""
    import gc
    import weakref

    from kam_xl.workbook import render

    written: list[tuple[str, weakref.ref]] = []
    alive_at: dict[str, list[str]] = {}
    write_sheet = render._write_sheet

    def spy(wb, fmts, sheet, book):
        alive_at[sheet.name] = [n for n, r in written if r() is not None]
        write_sheet(wb, fmts, sheet, book)
        written.append((sheet.name, weakref.ref(sheet)))

    monkeypatch.setattr(render, "_write_sheet", spy)
    gc.collect()
    gc.disable()
    try:
        write_controller(demo_databook(), tmp_path / "Controller.xlsx", "de", WHEN)
    finally:
        gc.enable()
    # when the last sheet is written, only the accounts sheet (read by the settings) and the CDB data sheet (its
    # formulas' source, which the accounts sheet refers to) are held of the fifteen written before
    assert alive_at["Einstellungen"] == ["Kunden", "CDB-Daten"]
    # the relationships sheet holds its data sheet until both are written; then both are gone
    assert alive_at["Beziehungs-Daten"] == ["Kunden", "KAOP", "Beziehungen"]
    assert alive_at["Auswahl"] == ["Kunden", "KAOP"]
    assert [n for n, r in written if r() is not None] == []


def test_the_controller_laid_out_on_demand_is_the_one_laid_out_whole(tmp_path):
    """write_controller lays the sheets out as it writes them: the same file, part for part, as the layout held
    whole (controller_workbook) written with the same fingerprint."""
    import zipfile

    from kam_xl.batch import FINGERPRINT, controller_data_fingerprint, controller_fingerprint, sheet_inputs
    from kam_xl.workbook.controller.kind import input_names
    from kam_xl.workbook.render import write_book

    db = demo_databook()
    streamed = write_controller(db, tmp_path / "Controller.xlsx", "en", WHEN)
    whole = controller_workbook(db, "en", generated_at=WHEN)
    names = input_names(CONTROLLER_SHEETS)
    inputs = {n: v for sheet in whole.sheets for n, v in sheet_inputs(sheet, names).items()}
    whole.meta[FINGERPRINT] = controller_fingerprint(controller_data_fingerprint(db, "en"), inputs)
    held_file = write_book(whole, tmp_path / "whole.xlsx")
    a, b = zipfile.ZipFile(streamed), zipfile.ZipFile(held_file)
    assert a.namelist() == b.namelist() and len(a.namelist()) > 40
    assert [n for n in a.namelist() if a.read(n) != b.read(n)] == []


def test_a_sheet_written_as_a_stream_leaves_the_formula_memo_alone():
    # its rows differ in their row numbers: kept in the per-process memo they would fill it with one entry per row
    # (the first merged version of the renderer's cell fast path did, for every formula cell of every account)
    from kam_xl.workbook import render
    from kam_xl.workbook.layout import Cell, Sheet

    rows = tuple(Cell(r, 0, None, formula=f"=B{r + 1}*2") for r in range(300))
    book = Book(sheets=(Sheet("Daten", rows, streamed=True),), template_id="t", template_version="1")
    render._PREPARED.clear()
    fill_workbook(book, io.BytesIO()).close()
    assert not any(key[0].startswith("=B") for key in render._PREPARED)


def test_the_kgb_kind_keeps_each_cards_figures_not_its_models():
    """Issue 14: the Kgb sheet's rows are produced from each card's figures (plain values), not from the cards'
    and results' models held for the whole write; the demo's cards give the figures score_card gives."""
    from pydantic import BaseModel

    from kam_xl.kgb import competitive_position, score_card, supplier_ranks
    from kam_xl.workbook.controller.kgb import _figures

    db = demo_databook()
    a = db.accounts[0]
    cards = db.kgb_cards(a.account_id)
    assert cards
    for card in cards:
        res = score_card(card)
        f = _figures(a, card, res)
        pos = competitive_position(res.scores, card.own_supplier)
        assert (f.segment, f.own_supplier, f.own, f.best, f.gap, f.rank, f.scored) == (
            card.segment, card.own_supplier, pos.own, pos.best_competitor_score, pos.gap,
            supplier_ranks(res)[card.own_supplier], len(res.rank))
        assert not any(isinstance(getattr(f, n), BaseModel) for n in f.__slots__ if n != "account")


def _models_held(fn: object) -> set[str]:
    """The pydantic models a producer function holds: reached through its closure and the lists, tuples, dicts
    and dataclasses in it — not through the data book or a sheet (held by the book anyway)."""
    import dataclasses
    import types

    from pydantic import BaseModel

    from kam_xl.databook import DataBook
    from kam_xl.workbook.layout import Sheet

    seen: set[int] = set()
    found: set[str] = set()
    todo = [fn]
    while todo:
        o = todo.pop()
        if id(o) in seen or isinstance(o, DataBook | Sheet | type):
            continue
        seen.add(id(o))
        if isinstance(o, BaseModel):
            found.add(type(o).__name__)
        elif isinstance(o, types.FunctionType):
            todo += [c.cell_contents for c in o.__closure__ or () if c.cell_contents is not None]
        elif isinstance(o, list | tuple | set | frozenset):
            todo += list(o)
        elif isinstance(o, dict):
            todo += list(o.values())
        elif dataclasses.is_dataclass(o):
            todo += [getattr(o, f.name) for f in dataclasses.fields(o)]
    return found


def test_the_accounts_sheets_produce_their_rows_from_the_data_book_holding_no_account_models():
    """Issue 14: the accounts and CDB data sheets keep each account's CDB year and figures for their totals,
    ranks and lists, not its models (account row, CDB input and statement, activity lines), which each row makes
    again from the data book when it is written; the rows are those of the one written before (test above)."""
    book = controller_workbook(demo_databook(), "de", generated_at=WHEN)
    for name in ("Kunden", "CDB-Daten"):
        rows = book.sheet(name).rows
        assert rows is not None and sum(1 for _ in rows()) > 100, name
        assert _models_held(rows) == set(), name
