"""Reading a table's cells by their column's kind into compact columns; every cell that breaks its column's
rule becomes a :class:`~kam_xl.databook.schema.Problem` naming file, sheet, row, column, cell and value."""

from __future__ import annotations

import csv
import itertools
import math
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from operator import itemgetter
from typing import Any, NamedTuple

from kam_xl import csvio
from kam_xl.cells import CellError, PercentNumber, percent_as_points, shown_number
from kam_xl.databook.rows import _TEXT_KINDS, TableRows, _encode, _store
from kam_xl.databook.schema import ALLOWED, Column, Problem, Table
from kam_xl.databook.sources import NumberConvention, Source, _header_positions, _percent_text, unreadable_csv
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
        self._at = {name: j for j, name in enumerate(self.names)}

    def __len__(self) -> int:
        return len(self.numbers)

    def get(self, i: int, column: str) -> Any:
        """The value of row ``i`` in ``column``."""
        return self.rows.value(i, self._at[column])

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
#: The texts the text columns of a data book's tables have read, shared by the columns that read a text alike:
#: by whether the column requires a value (an empty text is a problem or empty) and whether its file guards text
#: (a CSV file's leading ``'``); each holds at most :data:`SHARED_TEXTS` texts (some megabytes).
TextCaches = dict[tuple[bool, bool], dict[str | None, Any]]
SHARED_TEXTS = 16384
#: The kinds of columns read as numbers, in a CSV file by its number convention.
_NUMBER_KINDS = frozenset({"year", "quarter", "amount", "number", "fraction", "score", "rate", "attainment"})
#: How many rows of a table are read at a time: their cells are taken column by column, each distinct text of
#: a column read once (a chunk's raw cells are what is held: some hundred kilobytes).
CHUNK_ROWS = 2048


class _Refused(NamedTuple):
    """A cell that breaks its column's rule: the value as shown, what is wrong, and whether it could not be read
    (an empty required cell could: it is empty)."""

    value: str
    message: str
    unreadable: bool


class _Chunk:
    """Some rows of a table, blank rows left out, with their numbers in the file; their cells are taken column
    by column (:meth:`cells`), and a column's distinct cells counted (:meth:`distinct`), once each."""

    def __init__(self, rows: list[Sequence[Any]], first: int):
        widths = set(map(len, rows))
        columns = list(zip(*rows, strict=True)) if len(widths) == 1 else None  # rows of one width (CSV: all)
        if columns and _filled(columns[0]):  # no row is blank: the usual
            self.rows, self.numbers = rows, list(range(first, first + len(rows)))
        else:
            self.rows, self.numbers = _without_blank_rows(rows, first)
            widths = set(map(len, self.rows))
            columns = list(zip(*self.rows, strict=True)) if len(widths) == 1 else None
        self._columns = columns
        self._shortest = min(widths, default=0)
        self._counted: dict[int | None, Counter[Any]] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def cells(self, at: int | None) -> Sequence[Any]:
        """The cells at position ``at`` (``None`` where a row is too short or the column is not in the file)."""
        if at is None:
            return [None] * len(self.rows)
        if self._columns is not None:
            return self._columns[at] if at < self._shortest else [None] * len(self.rows)
        if at < self._shortest:
            return list(map(itemgetter(at), self.rows))
        return [r[at] if at < len(r) else None for r in self.rows]

    def distinct(self, at: int | None) -> Counter[Any]:
        """How often each cell at position ``at`` stands in the chunk, in the order the cells first stand."""
        found = self._counted.get(at)
        if found is None:
            found = self._counted[at] = Counter(self.cells(at))
        return found


def _filled(cells: Sequence[Any]) -> bool:
    """Whether every one of ``cells`` is a text with more than spaces (then no row holding one is blank)."""
    try:
        return all(map(str.strip, cells))
    except TypeError:  # not text (a workbook's cell)
        return False


def _without_blank_rows(rows: list[Sequence[Any]], first: int) -> tuple[list[Sequence[Any]], list[int]]:
    """The rows that are not blank (:func:`_blank_row`) and their numbers (the first row's is ``first``)."""
    numbers = range(first, first + len(rows))
    kept = [(r, n) for r, n in zip(rows, numbers, strict=True) if not _blank_row(r)]
    return [r for r, _ in kept], [n for _, n in kept]


class _Column:
    """How one column of a table is read: where it stands, its store, and the texts already read (each text
    cell is parsed by its kind once; a cell that breaks the rule is reported on every row that holds it)."""

    __slots__ = ("at", "cache", "col", "counted", "empty", "extend", "known_all", "limit", "order")

    def __init__(self, col: Column, order: int, at: int | None, store: list[Any] | array, counted: bool):
        self.col, self.order, self.at, self.counted = col, order, at, counted
        self.extend = store.fromlist if isinstance(store, array) else store.extend  # fromlist: one allocation
        self.empty = _encode(col.kind, None)
        self.cache: dict[str | None, Any] = {}
        self.limit = CACHED_TEXTS  # how many texts the cache may hold
        self.known_all = True  # the last chunk held only texts already read: try the next one the same way

    def reading(self, value: Any, src: Source) -> Any:
        """The stored value of one cell, or a :class:`_Refused`."""
        col = self.col
        if isinstance(value, CellError):  # an error value or uncached formula: never empty or a default
            return _Refused(str(value), value.problem(), True)
        if _empty(value):
            return _Refused("", f"is empty — allowed: {_allowed(col)}", False) if col.required else self.empty
        try:
            return _encode(col.kind, _parse_cell(col, value, src))
        except _CellError as e:
            return _Refused(_show(value), e.message or f"allowed: {_allowed(col)}", True)

    def read(self, chunk: _Chunk, src: Source) -> tuple[list[Any], bool]:
        """The stored values of a chunk's cells in this column (a :class:`_Refused` for each cell that breaks the
        rule) and whether there is one. Texts and missing cells are read once per distinct text (they read the
        same on every row); other values (a workbook's numbers, dates …) one by one, since ``1``, ``1.0`` and
        ``True`` are equal keys but not the same cell."""
        values, cache = chunk.cells(self.at), self.cache
        if self.known_all and not self.counted:
            try:
                return _looked_up(values, cache), False
            except KeyError:  # a text not read before
                pass
        try:
            distinct = chunk.distinct(self.at) if self.counted else dict.fromkeys(values)
        except TypeError:  # an unhashable value (a Parquet list): every cell on its own
            out = [self.reading(v, src) for v in values]
            return out, any(type(v) is _Refused for v in out)
        known, refused, others, new = {}, False, False, False
        for v in distinct:
            if v is not None and type(v) is not str:
                others = True
                continue
            hit = cache.get(v, _MISS)
            if hit is _MISS:
                new = True
                hit = self.reading(v, src)
                if type(hit) is _Refused:
                    refused = True
                elif len(cache) < self.limit:
                    cache[v] = hit
            known[v] = hit
        self.known_all = not (new or others)
        if not others:
            return _looked_up(values, known), refused
        out = [known[v] if v is None or type(v) is str else self.reading(v, src) for v in values]
        return out, refused or any(type(v) is _Refused for v in out)


def _looked_up(values: Sequence[Any], known: dict[Any, Any]) -> list[Any]:
    """``[known[v] for v in values]`` (``KeyError`` for one not known), in one call of C code (``values`` not
    empty)."""
    if len(values) == 1:
        return [known[values[0]]]
    return list(itemgetter(*values)(known))


def _read_chunk(chunk: _Chunk, columns: list[_Column], parsed: ParsedTable, problems: list[Problem]) -> None:
    """Read a chunk of rows column by column into the table; each cell that breaks its column's rule is a
    problem, in the order of the file (row by row, in each row by column)."""
    src, base, numbers = parsed.src, len(parsed.numbers), chunk.numbers
    parsed.numbers.extend(numbers)
    refused: list[tuple[int, int, _Column, _Refused]] = []
    for c in columns:
        out, any_refused = c.read(chunk, src)
        if any_refused:
            for j, v in enumerate(out):
                if type(v) is _Refused:
                    refused.append((j, c.order, c, v))
                    out[j] = c.empty
        c.extend(out)
    for j, _, c, r in sorted(refused, key=itemgetter(0, 1)):
        name, at = c.col.name, c.at
        problems.append(Problem(file=src.file, sheet=src.sheet, row=numbers[j], column=name,
                                cell=src.cell(at, numbers[j], chunk.rows[j]) if at is not None else None,
                                value=r.value, message=r.message))
        if r.unreadable:
            parsed.bad.add((base + j, name))


def _read_rows(parsed: ParsedTable, rows: Iterable[Sequence[Any]], problems: list[Problem],
               convention: NumberConvention | None, texts: TextCaches, convert: bool = True) -> None:
    """Read the rows of a table chunk by chunk (:data:`CHUNK_ROWS`) into ``parsed``; with a ``convention``,
    count each chunk's numbers before it is read, in the convention its file shows so far (``convert=False``:
    count only, for a table whose columns cannot be read). Text columns remember their texts in ``texts``."""
    src = parsed.src
    counted = {at for _, at in convention.columns} if convention is not None else set()
    columns = []
    for order, (col, store) in enumerate(zip(parsed.table.columns, parsed.rows.columns, strict=True)):
        at = parsed.positions.get(col.name)
        columns.append(c := _Column(col, order, at, store, at in counted))
        if col.kind == "text":
            c.cache, c.limit = texts.setdefault((col.required, src.guarded), {}), SHARED_TEXTS
    it, first, style = iter(rows), src.first_row, _MISS
    while rows_read := list(itertools.islice(it, CHUNK_ROWS)):
        chunk = _Chunk(rows_read, first)
        first += len(rows_read)
        if convention is not None:
            src.numbers = convention.count(chunk.distinct, chunk.cells, chunk.numbers)
            if src.numbers.style != style and style is not _MISS:  # values read in another convention
                for c in columns:
                    if c.col.kind in _NUMBER_KINDS:
                        c.cache.clear()
            style = src.numbers.style
        if convert and len(chunk):
            _read_chunk(chunk, columns, parsed, problems)


def _close(rows: Iterable[Any]) -> None:
    close = getattr(rows, "close", None)
    if close is not None:
        close()


def _parse_table(table: Table, src: Source, problems: list[Problem], texts: TextCaches | None = None
                 ) -> ParsedTable | None:
    """Read a table chunk by chunk into typed columns; every cell that breaks its column's rule is a problem.
    A CSV file's number convention is decided while it is read (:class:`NumberConvention`; its note says it
    once read). ``None`` when the table cannot be read at all (a CSV file broken mid-way …). ``texts``: the
    texts read by the text columns of the tables read before (account ids, names …: one reading each)."""
    texts = {} if texts is None else texts
    found = len(problems)
    positions, twice = _header_positions(table, src)
    missing = [col.name for col in table.columns if col.required and col.name not in positions | twice]
    for message in twice.values():
        problems.append(Problem(file=src.file, sheet=src.sheet, row=src.first_row - 1, message=message))
    if missing:
        problems.append(Problem(file=src.file, sheet=src.sheet, row=src.first_row - 1,
                                message=f"table {table.name} lacks column(s) {', '.join(missing)} — required: "
                                        f"{', '.join(c.name for c in table.columns if c.required)}"))
    convention = None if src.dialect is None else NumberConvention(table, positions, src.dialect.delimiter)
    parsed = ParsedTable(table, src, positions)
    readable = not (missing or twice)  # else present, without rows (as the checks across tables expect)
    try:
        if readable or convention is not None:  # a CSV file is read through for its numbers' note
            _read_rows(parsed, src.rows, problems, convention, texts, readable)
        if convention is not None:
            src.numbers = convention.decided()
            if readable and convention.misread():  # rare: the file's values showed another convention first
                _close(src.rows)
                del problems[found:]
                parsed = ParsedTable(table, src, positions)
                src.rows = src.reopen()  # type: ignore[misc]
                _read_rows(parsed, src.rows, problems, None, texts)
            src.note = f"{src.dialect.describe()}; numbers: {src.numbers.why}"  # type: ignore[union-attr]
    except (UnicodeDecodeError, csv.Error) as e:  # met while streaming the file: the table cannot be read
        del problems[found:]
        problems.append(Problem(file=src.file, message=unreadable_csv(e) if convention is not None and isinstance(
            e, csv.Error) else f"cannot be read as CSV ({src.note}: {e})"))
        return None
    finally:
        _close(src.rows)
    return parsed


def _allowed(col: Column) -> str:
    return ALLOWED[col.kind].format(choices=", ".join(col.choices))


def _show(value: Any) -> str:
    return str(shown_number(value)) if isinstance(value, float) else str(value)


