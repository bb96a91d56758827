"""The baselines kam_xl is measured against: bare xlsxwriter writing and bare python-calamine reading.

The writing baseline gets the account plans' cells from kam_xl's own layouts, built *before* any timer
starts, and writes exactly those cells — same sheets (including ``_meta``), same values, the same formula
strings with the same cached results — with no formats, data validations, defined names, protection,
column widths or charts. So it measures only what xlsxwriter needs to write the content.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from python_calamine import CalamineWorkbook

from kam_xl.batch import plan_filename
from kam_xl.databook import DataBook
from kam_xl.workbook import render
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.layout import Book, input_values
from kam_xl.workbook.merge import snapshot_meta
from kam_xl.workbook.render import META_SHEET, fill_workbook


@dataclass(frozen=True)
class PreparedBook:
    """One account plan's layout, complete as ``generate`` writes it, and its file name; ``extra`` holds the
    cells of the sheets the renderer adds after ``_meta`` (such as ``xlwings.conf``) as (sheet, rows)."""

    filename: str
    book: Book
    extra: tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...] = ()


def prepare_books(db: DataBook, now: datetime, lang: str = "de") -> list[PreparedBook]:
    """The layouts of every account's plan as ``generate_plan`` builds them for a new file (with the input
    snapshot in ``meta``), so the baseline writes the same ``_meta`` sheet too."""
    out = []
    for account in db.accounts:
        data = AccountPlanData.from_databook(db, account.account_id)
        book = account_plan(data, lang, now)  # type: ignore[arg-type]
        book.meta.update(snapshot_meta(input_values(book)))
        out.append(PreparedBook(plan_filename(account), book))
    if out:  # the renderer's own sheets beyond the layout and _meta: the same in every plan of one language
        extra = renderer_sheets(out[0].book)
        out = [PreparedBook(p.filename, p.book, extra) for p in out]
    return out


def renderer_sheets(book: Book) -> tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...]:
    """The cells of the sheets kam_xl's renderer writes besides the layout's sheets and ``_meta`` (e.g.
    ``xlwings.conf``), read back with python-calamine from one rendering of ``book`` in memory."""
    buf = io.BytesIO()
    fill_workbook(book, buf).close()
    wb = CalamineWorkbook.from_filelike(io.BytesIO(buf.getvalue()))
    known = {s.name for s in book.sheets} | {META_SHEET}
    return tuple((name, tuple(tuple(r) for r in wb.get_sheet_by_name(name).to_python()))
                 for name in wb.sheet_names if name not in known)


def meta_rows(book: Book) -> list[tuple[str, str]]:
    """The (key, value) rows of the ``_meta`` sheet, in the order kam_xl's renderer writes them."""
    meta = {"template_id": book.template_id, "template_version": book.template_version, "lang": book.lang,
            **book.meta}
    return [(k, str(v)) for k, v in meta.items()]


def write_bare(book: Book, path: Path, extra: tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...] = (),
               workbook: type[xlsxwriter.Workbook] = xlsxwriter.Workbook) -> None:
    """Write ``book``'s cells with xlsxwriter and nothing else (no styles, validation, names, protection),
    then the ``extra`` sheets' cells. ``workbook`` is xlsxwriter's class (the baseline) or, for the second,
    informative baseline, kam_xl's subclass that prepares each distinct formula once."""
    wb = workbook(str(path))
    for sheet in book.sheets:
        ws = wb.add_worksheet(sheet.name)
        for c in sheet.cells:
            if c.formula is not None:
                cached: Any = c.cached
                if cached is None:
                    cached = ""
                elif isinstance(cached, bool):
                    cached = "TRUE" if cached else "FALSE"
                ws.write_formula(c.row, c.col, c.formula, None, cached)
            elif c.value is None:
                continue  # a blank without a format is not a cell
            elif isinstance(c.value, bool):
                ws.write_boolean(c.row, c.col, c.value)
            elif isinstance(c.value, int | float):
                ws.write_number(c.row, c.col, c.value)
            else:
                ws.write_string(c.row, c.col, str(c.value))
    ws = wb.add_worksheet(META_SHEET)
    for i, (key, value) in enumerate(meta_rows(book)):
        ws.write_string(i, 0, key)
        ws.write_string(i, 1, value)
    for name, rows in extra:
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str) and value:
                    ws.write_string(r, c, value)
                elif not isinstance(value, str):
                    ws.write(r, c, value)
    wb.close()


def write_all_bare(books: list[PreparedBook], out_dir: Path, formula_cache: bool = False) -> int:
    """Write every prepared book into ``out_dir`` (the baseline of generation); returns the count. With
    ``formula_cache`` the same cells go through kam_xl's worksheet class, which prepares each distinct formula
    once (the comparison that shows what kam_xl's styles, validation, names, charts and layout cost)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    workbook = render._Workbook if formula_cache else xlsxwriter.Workbook
    for p in books:
        write_bare(p.book, out_dir / p.filename, p.extra, workbook)
    return len(books)


def read_all_bare(paths: list[Path]) -> int:
    """Read every sheet of every file with python-calamine (the baseline of collection); returns the number
    of cells read."""
    cells = 0
    for p in paths:
        wb = CalamineWorkbook.from_path(str(p))
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python()
            cells += sum(len(r) for r in rows)
    return cells


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    """A grid without trailing empty cells and rows (styled blanks widen kam_xl's used range)."""
    out = [list(r) for r in rows]
    for r in out:
        while r and r[-1] in ("", None):
            r.pop()
    while out and not out[-1]:
        out.pop()
    return out


def same_cells(a: Path, b: Path) -> list[str]:
    """Compare the values of every sheet of two workbooks as python-calamine reads them; returns the
    differences found (empty when the cells are the same)."""
    wa, wb = CalamineWorkbook.from_path(str(a)), CalamineWorkbook.from_path(str(b))
    if wa.sheet_names != wb.sheet_names:
        return [f"sheets {wa.sheet_names} ≠ {wb.sheet_names}"]
    diffs = []
    for name in wa.sheet_names:
        ga = _trimmed(wa.get_sheet_by_name(name).to_python(skip_empty_area=False))
        gb = _trimmed(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
        if ga != gb:
            diffs.append(f"sheet {name}: cell values differ")
    return diffs
