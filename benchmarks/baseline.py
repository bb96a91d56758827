"""The baselines kam_xl is measured against: bare xlsxwriter writing and bare python-calamine reading.

The writing baseline gets the account plans' cells from kam_xl's own layouts, built *before* any timer
starts, and writes exactly those cells — same sheets (including ``_meta``), same values, the same formula
strings with the same cached results — with no formats, data validations, defined names, protection,
column widths or charts. So it measures only what xlsxwriter needs to write the content. This module makes
those cells (:func:`dump_cells`) and compares finished files (:func:`same_cells`); ``bare.py`` is the bare
script itself, run as a command of its own.
"""

from __future__ import annotations

import dataclasses
import io
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from kam_xl.batch import FINGERPRINT, data_fingerprint, databook_reference, plan_filename
from kam_xl.databook import DataBook
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.layout import Book
from kam_xl.workbook.merge import regen_values, snapshot_meta
from kam_xl.workbook.printing import page_plan
from kam_xl.workbook.render import META_SHEET, fill_workbook


@dataclass(frozen=True)
class PreparedBook:
    """One account plan's layout, complete as ``generate`` writes it, and its file name; ``extra`` holds the
    cells of the sheets the renderer adds after ``_meta`` (such as ``xlwings.conf``) as (sheet, rows)."""

    filename: str
    book: Book
    extra: tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...] = ()


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


def plain_cells(p: PreparedBook) -> list[tuple[str, list[tuple[int, int, Any, str | None, Any]]]]:
    """The cells of one prepared plan as plain Python values for ``bare.py write``: per sheet (the layout's,
    then ``_meta``, then the renderer's extra sheets) a list of (row, column, value, formula, cached result).
    Blanks without a format are no cells; a cached result is what xlsxwriter would be given (text, number,
    ``"TRUE"``/``"FALSE"``, an error value's text, ``""`` for none)."""
    sheets: list[tuple[str, list[tuple[int, int, Any, str | None, Any]]]] = []
    for sheet in p.book.sheets:
        cells: list[tuple[int, int, Any, str | None, Any]] = []
        moves = page_plan(sheet).moves  # a long title in the repeated key columns is written beside them
        for c in sheet.cells:
            if (c.row, c.col) in moves:
                c = dataclasses.replace(c, col=moves[c.row, c.col])
            if c.formula is not None:
                cells.append((c.row, c.col, None, c.formula, _cached(c.cached)))
            elif c.value is not None:
                value = c.value if isinstance(c.value, bool | int | float) else str(c.value)
                cells.append((c.row, c.col, value, None, None))
        sheets.append((sheet.name, cells))
    sheets.append((META_SHEET, [(i, k, text, None, None) for i, row in enumerate(meta_rows(p.book))
                                for k, text in enumerate(row)]))
    for name, rows in p.extra:
        sheets.append((name, [(r, c, value, None, None) for r, row in enumerate(rows)
                              for c, value in enumerate(row) if value != "" and value is not None]))
    return sheets


def _cached(cached: Any) -> Any:
    if cached is None:
        return ""
    if isinstance(cached, bool):
        return "TRUE" if cached else "FALSE"
    if isinstance(cached, int | float | str):
        return cached
    return str(cached)  # an error value (CellError) as Excel shows it


def prepared_books(db: DataBook, data_path: Path, now: datetime, lang: str = "de") -> Iterator[PreparedBook]:
    """Every account's plan as ``generate --data data_path`` builds it at ``now`` for a new file (``_meta``
    with the data book's reference and the input snapshot), one at a time."""
    extra: tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...] | None = None
    for account in db.accounts:
        data = dataclasses.replace(AccountPlanData.from_databook(db, account.account_id),
                                   data_book=databook_reference(data_path))
        book = account_plan(data, lang, now)  # type: ignore[arg-type]
        # the snapshot and the data fingerprint generate writes (write_regenerating's order)
        book.meta.update({**snapshot_meta(regen_values(book)),
                          FINGERPRINT: data_fingerprint(db, account.account_id, databook_reference(data_path),
                                                        lang)})  # type: ignore[arg-type]
        if extra is None:  # the renderer's own sheets: the same in every plan of one language
            extra = renderer_sheets(book)
        yield PreparedBook(plan_filename(account), book, extra)


def dump_cells(db: DataBook, data_path: Path, now: datetime, path: Path, lang: str = "de") -> int:
    """Write the plain cells of every account's plan (:func:`prepared_books`) to ``path`` as a stream of
    pickled ``(file name, sheets)`` records, one plan at a time; returns the count."""
    n = 0
    with path.open("wb") as fh:
        for p in prepared_books(db, data_path, now, lang):
            pickle.dump((p.filename, plain_cells(p)), fh, protocol=pickle.HIGHEST_PROTOCOL)
            n += 1
    return n


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    """A grid without trailing empty cells and rows (styled blanks widen kam_xl's used range); a date as its ISO
    text (kam_xl writes a date as a formatted number, read back as a date; the bare writer, without formats, its
    text)."""
    out = [[_iso(v) if isinstance(v, date) else v for v in r] for r in rows]
    for r in out:
        while r and r[-1] in ("", None):
            r.pop()
    while out and not out[-1]:
        out.pop()
    return out


def _iso(day: date) -> str:
    """A date (or a date and time at midnight, as python-calamine may give it) as ``YYYY-MM-DD``."""
    if isinstance(day, datetime) and day.time() == datetime.min.time():
        day = day.date()
    return day.isoformat()


def _first_difference(ga: list[list[Any]], gb: list[list[Any]]) -> str:
    """Where two grids first differ, as ``row R, column C: a ≠ b`` (values cut to 60 characters)."""
    for r in range(max(len(ga), len(gb))):
        ra, rb = (ga[r] if r < len(ga) else []), (gb[r] if r < len(gb) else [])
        for c in range(max(len(ra), len(rb))):
            va, vb = (ra[c] if c < len(ra) else None), (rb[c] if c < len(rb) else None)
            if va != vb:
                if isinstance(va, str) and isinstance(vb, str):
                    at = next((i for i, (x, y) in enumerate(zip(va, vb, strict=False)) if x != y),
                              min(len(va), len(vb)))
                    va, vb = va[max(0, at - 30):at + 30], vb[max(0, at - 30):at + 30]
                return f"row {r + 1}, column {c + 1}: {str(va)[:60]!r} ≠ {str(vb)[:60]!r}"
    return "the same values"


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
            diffs.append(f"{a.name}, sheet {name}: {_first_difference(ga, gb)}")
    return diffs
