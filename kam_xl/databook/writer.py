"""Writing a data book as .xlsx or as a folder of CSV files — text always as text."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from kam_xl import csvio
from kam_xl.databook.model import DataBook
from kam_xl.databook.schema import registered_tables
from kam_xl.errors import KamInputError
from kam_xl.files import held_open
from kam_xl.workbook.xml_text import verbatim


def write_databook(db: DataBook, path: str | Path, replace: bool = False) -> Path:
    """Write a data book as ``.xlsx`` (one sheet per table) or, for any other path, as a folder of CSV files.

    Text is always written as text (a name beginning with ``=`` stays a name, never a formula): in the
    workbook as a string cell, in CSV files guarded by a leading ``'`` (:func:`kam_xl.csvio.write_csv`, which
    also says why the CSV files are UTF-8 with BOM, ``;``-separated with decimal comma). Files are
    written atomically; an existing non-empty folder or an existing file is refused, never overwritten —
    except an existing .xlsx with ``replace=True`` (for kam_xl's own outputs), which is replaced atomically.
    """
    path = Path(path)
    refuse_existing(path, replace)
    return write_tables(path, databook_tables(db))


#: A table as :func:`write_tables` takes it: its name, its column names in order, its rows (mappings).
NamedTable = tuple[str, tuple[str, ...], Iterable[Mapping[str, Any]]]


def refuse_existing(path: Path, replace: bool) -> None:
    """:class:`~kam_xl.errors.KamInputError` when :func:`write_databook` may not write ``path``: an existing file
    (an .xlsx only with ``replace``) or a folder that is not empty, or a file open in Excel or LibreOffice
    (:func:`~kam_xl.files.held_open`)."""
    if path.exists() and not (replace and path.is_file() and path.suffix.lower() == ".xlsx") and (
            path.is_file() or any(path.iterdir())):
        raise KamInputError(f"{path} already exists — allowed: a new .xlsx file or an empty folder")
    if path.is_file() and (open_by := held_open(path)) is not None:  # collect's own export, open in a program
        raise KamInputError(f"{path.name}: not written — {open_by}")


def databook_tables(db: DataBook) -> Iterator[NamedTable]:
    """The tables of ``db`` as :func:`write_databook` writes them, in order: ``accounts`` (each account's
    fields), then every table present."""
    known = registered_tables()  # a process that has not imported the sheet kinds yet knows their tables too

    def names(table: str) -> tuple[str, ...]:
        return tuple(c.name for c in known[table].columns)

    yield "accounts", names("accounts"), [a.model_dump() for a in db.accounts]
    for name, rows in db.tables.items():
        if rows is not None and name != "accounts":
            yield name, names(name), rows


def write_tables(path: Path, tables: Iterable[NamedTable]) -> Path:
    """``tables`` written to ``path`` (not checked: :func:`refuse_existing`) as :func:`write_databook` writes a
    data book — taken one after the other, so that a table may be let go of once it is written. A folder of CSV
    files is written into a temporary folder beside ``path`` and moved into place when every table is written
    (:func:`~kam_xl.files.atomic_folder`), as the workbook is written to a temporary file."""
    from kam_xl.files import atomic_folder, write_atomic

    if path.suffix.lower() == ".xlsx":
        def write(tmp: Path) -> None:
            # constant_memory: each row goes to the sheet's file as soon as the next begins (rows are written in
            # order), so a collected export of 10,000 accounts (~1.4 million rows) does not sit in memory as cells
            wb = _export_workbook_class()(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False,
                                                     "constant_memory": True})
            bold = wb.add_format({"bold": True})
            for name, cols, rows in tables:
                ws = wb.add_worksheet(name)
                for j, col in enumerate(cols):
                    ws.write_string(0, j, col, bold)
                    ws.set_column(j, j, max(12, len(col) + 2))
                _write_rows(ws, cols, rows)
                ws.freeze_panes(1, 0)
            wb.close()

        return write_atomic(path, write)
    with atomic_folder(path) as tmp:  # the folder whole or not at all: never half a data book to refuse next time
        for name, cols, rows in tables:
            csvio.write_csv(tmp / f"{name}.csv", list(cols), ([r.get(c) for c in cols] for r in rows))
    return path


def _write_rows(ws: Any, names: tuple[str, ...], rows: Any) -> None:
    """A table's rows (dicts) from the sheet's second row on, columns in the order of ``names``; a row of plain
    values in one go (``write_plain_row`` of the export's worksheet), any other cell by cell."""
    plain_row = getattr(ws, "write_plain_row", None)
    for i, row in enumerate(rows, start=1):
        cells = [(j, value) for j, name in enumerate(names) if (value := row.get(name)) is not None]
        if plain_row is not None and plain_row(i, cells):
            continue
        for j, value in cells:
            if isinstance(value, bool):
                ws.write_boolean(i, j, value)
            elif isinstance(value, int | float):
                ws.write_number(i, j, value)
            else:
                ws.write_string(i, j, str(value))


@functools.cache
def _export_workbook_class() -> type:
    """xlsxwriter's ``Workbook`` whose worksheets write a plain cell (a number or a text without a format, in a
    row without one) with one f-string (:func:`_lean_worksheet_class`): the export is millions of such cells."""
    import xlsxwriter

    class ExportWorkbook(xlsxwriter.Workbook):
        worksheet_class = _lean_worksheet_class()

    return ExportWorkbook


@functools.cache
def _lean_worksheet_class() -> type:
    """xlsxwriter's ``Worksheet`` with a shorter way for the cells a data book's export is made of: a number or a
    text (constant_memory: an inline string) without a cell, row or column format is written as xlsxwriter's
    ``_write_cell`` writes it — the same bytes (``tests/test_export_writer.py``) — without its attribute lists and
    per-cell regular expressions where the text has nothing to escape; any other cell goes xlsxwriter's way."""
    from xlsxwriter.utility import xl_rowcol_to_cell_fast
    from xlsxwriter.worksheet import CellNumberTuple, CellStringTuple, Worksheet

    class LeanWorksheet(Worksheet):
        def write_plain_row(self, row: int, cells: list[tuple[int, Any]]) -> bool:
            """Row ``row``'s cells (column, value; columns ascending) written at once as xlsxwriter writes them
            in constant_memory mode — the same bytes — when each is a flag, a finite number or a text (``str`` of
            the value) written as it is (:func:`_plain_text`) and the row has no format; ``False``, nothing
            written, otherwise (the cells then go xlsxwriter's way)."""
            if not self.constant_memory or row <= self.previous_row or row in self.row_info or row in self.comments:
                return False
            out = []
            for col, value in cells:  # each as _write_rows would write it cell by cell
                ref = xl_rowcol_to_cell_fast(row, col)
                if isinstance(value, bool):
                    out.append(f'<c r="{ref}" t="b"><v>{1 if value else 0}</v></c>')
                elif isinstance(value, int | float):
                    if not math.isfinite(value):
                        return False
                    out.append(f'<c r="{ref}"><v>{value:.16G}</v></c>')
                elif len(text := str(value)) <= self.xls_strmax // 2 and _plain_text(text):
                    out.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
                else:
                    return False
                if col in self.col_info and self.col_info[col].column_format is not None:
                    return False
            if not cells:
                return True  # xlsxwriter writes no element for a row without cells
            if self._check_dimensions(row, cells[0][0]) or self._check_dimensions(row, cells[-1][0]):
                return False
            self._write_single_row(row)  # the row before, as xlsxwriter writes it when a later row begins
            self._write_row(row, None)
            self.fh.write("".join(out))
            self._xml_end_tag("row")
            return True

        def _write_cell(self, row: int, col: int, cell: Any) -> None:
            kind = cell.__class__
            if cell.format is not None or (kind is not CellNumberTuple and kind is not CellStringTuple) \
                    or not self.constant_memory or row in self.row_info \
                    or (col in self.col_info and self.col_info[col].column_format is not None):
                super()._write_cell(row, col, cell)
                return
            ref = xl_rowcol_to_cell_fast(row, col)
            if kind is CellNumberTuple:
                self.fh.write(f'<c r="{ref}"><v>{cell.number:.16G}</v></c>')
                return
            text = cell.string
            if not _plain_text(text):  # control characters, _xHHHH_, markup or spaces at an end: xlsxwriter's way
                super()._write_cell(row, col, cell)
                return
            self.fh.write(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')

    return LeanWorksheet


def _plain_text(text: str) -> bool:
    """True for a text xlsxwriter writes into an inline string as it is: :func:`~kam_xl.workbook.xml_text.verbatim`
    and nothing XML escapes (so no rich text either)."""
    return verbatim(text) and "&" not in text and "<" not in text and ">" not in text
