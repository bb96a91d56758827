"""Reading a table's cells by their column's kind into compact columns; every cell that breaks its column's
rule becomes a :class:`~kam_xl.databook.schema.Problem` naming file, sheet, row, column, cell and value."""

from __future__ import annotations

import csv
import math
import sys
from array import array
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from kam_xl import csvio
from kam_xl.cells import CellError, PercentNumber, percent_as_points
from kam_xl.databook.rows import _TEXT_KINDS, TableRows, _encode, _store
from kam_xl.databook.schema import ALLOWED, Column, Problem, Table
from kam_xl.databook.sources import Source, _header_positions, _percent_text
from kam_xl.errors import KamInputError
from kam_xl.excellence import parse_rating
from kam_xl.text import clean_text, match_choice


class ParsedTable:
    """One table being read: its typed columns (becoming :class:`TableRows`), each row's number in the file,
    and the cells that could not be read (already reported), for the checks across rows and tables."""

    def __init__(self, table: Table, src: Source, positions: dict[str, int]):
        self.table, self.src, self.positions = table, src, positions
        self.names = tuple(c.name for c in table.columns)
        self.rows = TableRows(self.names, tuple(c.kind for c in table.columns),
                              [_store(c.kind) for c in table.columns])
        self.numbers = array("I")  # the file's row number of each row (blank rows are skipped)
        self.bad: set[tuple[int, str]] = set()  # (row, column) of a value that could not be read

    def __len__(self) -> int:
        return len(self.numbers)

    def get(self, i: int, column: str) -> Any:
        """The value of row ``i`` in ``column``."""
        return self.rows.value(i, self.names.index(column))

    def column(self, name: str) -> list[Any]:
        """All values of a column, decoded."""
        return self.rows.column_values(self.names.index(name))

    def cell(self, i: int, column: str) -> str | None:
        """The Excel address of a cell (``None`` in CSV and Parquet, or where the column is missing)."""
        if not self.src.excel or column not in self.positions:
            return None
        return self.src.cell(self.positions[column], self.numbers[i])

    def problem(self, i: int, column: str | None, message: str, value: Any = None) -> Problem:
        """A problem located at row ``i`` (and ``column``)."""
        return Problem(file=self.src.file, sheet=self.src.sheet, row=self.numbers[i], column=column,
                       cell=self.cell(i, column) if column else None,
                       value=None if value is None else _show(value), message=message)


class _CellError(Exception):
    """A cell that breaks its column's rule; ``message`` says why when more than "allowed: …" is to say
    (a number in the wrong convention, with both readings)."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


def _to_number(value: Any, numbers: csvio.FileNumbers | None) -> float:
    """A number cell: a number as it is, a text strictly in the file's convention (:func:`csvio.parse_number`)."""
    if isinstance(value, bool):
        raise _CellError
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise _CellError
        return float(value)
    try:
        return csvio.parse_number(str(value), numbers)
    except csvio.NumberReadError as e:
        raise _CellError(e.message) from None


def _to_fraction(value: Any, numbers: csvio.FileNumbers | None) -> float:
    percent = _percent_text(value)
    if percent is not None:
        return _to_number(percent, numbers) / 100
    return _to_number(value, numbers)


def _to_date(value: Any) -> date:
    """A date cell: a date (or a date-time at midnight) as it is, a text as ``2026-06-30`` or ``30.06.2026``.
    A number is refused: a spreadsheet's serial day number is not a date a file can be trusted to mean."""
    if isinstance(value, datetime):
        if value.time() != time():
            raise _CellError
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(value) if isinstance(value, str) else None
    for form in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text or "", form).date()
        except ValueError:
            continue
    raise _CellError


_POINTS_KINDS = {"score", "rating"}  # scales of 0–100 points, where a percent-formatted cell is a mistake
_GUARDABLE_KINDS = _TEXT_KINDS | {"bool"}  # kinds read from text cells, which csvio.guard may have guarded
_TRUE = {"true", "1", "yes", "y", "ja", "j", "wahr", "x"}
_FALSE = {"false", "0", "no", "n", "nein", "falsch"}


def _parse_cell(col: Column, value: Any, src: Source) -> Any:
    """Parse one cell by its column kind; raises :class:`_CellError` (the caller words the problem)."""
    kind = col.kind
    if src.guarded and isinstance(value, str) and kind in _GUARDABLE_KINDS:
        value = csvio.unguard(value)  # undo the guard write_databook puts before formula-like text
    if kind == "text":
        text = clean_text(value)
        if text is None:
            raise _CellError
        return sys.intern(text)  # ids, names and products repeat on thousands of rows: keep one copy each
    if kind in _POINTS_KINDS and isinstance(value, PercentNumber):  # 0.8 shown as "80 %" is not 0.8 points
        raise _CellError(f"{percent_as_points(value)} — allowed: {_allowed(col)}")
    if kind == "rating":
        try:
            return parse_rating(value)
        except KamInputError:
            raise _CellError from None
    if kind == "choice":
        if value in col.choices:
            return value  # as offered (the bulk): no need to fold case and dashes
        choice = match_choice(value, col.choices)
        if choice is None:
            raise _CellError
        return choice
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = (clean_text(value) or "").casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _CellError
    if kind == "date":
        return _to_date(value)
    if kind in ("year", "quarter"):
        number = _to_number(value, src.numbers)
        if not number.is_integer():
            raise _CellError
        low, high = (1900, 2200) if kind == "year" else (1, 4)
        if not low <= number <= high:
            raise _CellError
        return int(number)
    number = (_to_fraction(value, src.numbers) if kind in ("fraction", "rate", "attainment")
              else _to_number(value, src.numbers))
    if kind == "attainment":
        if not 0 < number <= 10:
            raise _CellError
    elif kind != "number" and (number < 0 or (kind == "fraction" and number > 1) or (kind == "score" and number > 100)):
        raise _CellError
    return number


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def _blank_row(raw: Sequence[Any]) -> bool:
    """Whether every cell of a row is empty (:func:`_empty`); a row of text cells (CSV) in one step."""
    try:
        return not "".join(raw).strip()  # every character a space exactly when every cell is only spaces
    except TypeError:  # numbers, None, … (a workbook's or a Parquet file's row)
        return all(_empty(v) for v in raw)


_MISS = object()  # not in a column's cache
#: How many distinct texts a column remembers while its table is read (ids, years, quarters, choices and yes/no
#: repeat on thousands of rows): a few hundred kilobytes a column at most, dropped when the table is read.
CACHED_TEXTS = 4096


class _Column:
    """How one column of a table is read: where it stands, its store, and the texts already read (each text
    cell is parsed by its kind once; a cell that breaks the rule or a required cell left empty is never
    remembered, so its problem is reported every time)."""

    __slots__ = ("append", "at", "cache", "col", "empty")

    def __init__(self, col: Column, at: int | None, store: list[Any] | array):
        self.col, self.at, self.append = col, at, store.append
        self.empty = _encode(col.kind, None)
        self.cache: dict[str, Any] = {}

    def remember(self, text: str, value: Any) -> None:
        if len(self.cache) < CACHED_TEXTS:
            self.cache[text] = value


def _read_row(raw: Sequence[Any], number: int, i: int, plan: list[tuple[int, Any, Any, _Column]],
              parsed: ParsedTable, problems: list[Problem]) -> None:
    """Parse one row's cells into the table's columns (row ``i``, line ``number`` of the file); ``plan`` gives
    per column its place (``sys.maxsize`` when not in the file), its cache's ``get``, its store's ``append``."""
    src = parsed.src
    width = len(raw)
    for at, known, append, c in plan:
        value = raw[at] if at < width else None
        if type(value) is str:  # a CSV cell, or a text cell: read this very text before?
            hit = known(value, _MISS)
            if hit is not _MISS:
                append(hit)
                continue
        col, at = c.col, c.at
        if isinstance(value, CellError):  # an error value or uncached formula: never empty or a default
            problems.append(Problem(file=src.file, sheet=src.sheet, row=number, column=col.name,
                                    cell=src.cell(at, number) if at is not None else None,
                                    value=str(value), message=value.problem()))
            c.append(c.empty)
            parsed.bad.add((i, col.name))
            continue
        if _empty(value):
            if type(value) is str and not col.required:  # an empty required cell is reported every time
                c.remember(value, c.empty)
            if col.required:
                problems.append(Problem(file=src.file, sheet=src.sheet, row=number, column=col.name,
                                        cell=src.cell(at, number) if at is not None else None, value="",
                                        message=f"is empty — allowed: {_allowed(col)}"))
            c.append(c.empty)
            continue
        try:
            stored = _encode(col.kind, _parse_cell(col, value, src))
        except _CellError as e:
            problems.append(Problem(file=src.file, sheet=src.sheet, row=number, column=col.name,
                                    cell=src.cell(at, number) if at is not None else None,
                                    value=_show(value), message=e.message or f"allowed: {_allowed(col)}"))
            c.append(c.empty)
            parsed.bad.add((i, col.name))
            continue
        if type(value) is str:
            c.remember(value, stored)
        c.append(stored)


def _parse_table(table: Table, src: Source, problems: list[Problem]) -> ParsedTable | None:
    """Read a table row by row into typed columns; every cell that breaks its column's rule is a problem.
    ``None`` when the table cannot be read at all (a CSV file broken mid-way …)."""
    positions, twice = _header_positions(table, src)
    missing = [col.name for col in table.columns if col.required and col.name not in positions | twice]
    for message in twice.values():
        problems.append(Problem(file=src.file, sheet=src.sheet, row=src.first_row - 1, message=message))
    if missing:
        problems.append(Problem(file=src.file, sheet=src.sheet, row=src.first_row - 1,
                                message=f"table {table.name} lacks column(s) {', '.join(missing)} — required: "
                                        f"{', '.join(c.name for c in table.columns if c.required)}"))
    if missing or twice:
        close = getattr(src.rows, "close", None)
        if close is not None:
            close()
        return ParsedTable(table, src, positions)  # present, without rows (as the checks across tables expect)
    parsed = ParsedTable(table, src, positions)
    columns = [_Column(col, positions.get(col.name), store)
               for col, store in zip(table.columns, parsed.rows.columns, strict=True)]
    plan = [(c.at if c.at is not None else sys.maxsize, c.cache.get, c.append, c) for c in columns]
    number = src.first_row - 1
    found = len(problems)
    numbers = parsed.numbers
    try:
        for raw in src.rows:
            number += 1
            if _blank_row(raw):
                continue
            numbers.append(number)
            _read_row(raw, number, len(numbers) - 1, plan, parsed, problems)
    except (UnicodeDecodeError, csv.Error) as e:  # met while streaming the file: the table cannot be read
        del problems[found:]
        problems.append(Problem(file=src.file, message=f"cannot be read as CSV ({src.note}: {e})"))
        return None
    finally:
        close = getattr(src.rows, "close", None)
        if close is not None:
            close()
    return parsed


def _allowed(col: Column) -> str:
    return ALLOWED[col.kind].format(choices=", ".join(col.choices))


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


