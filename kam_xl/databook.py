"""The data book: the input of every batch job.

A data book is an ``.xlsx`` workbook with one sheet per table, or a folder with one ``<table>.csv`` (or
``<table>.parquet``) per table. The tables and their columns are described as data in :data:`TABLES`; more
columns are allowed and ignored. Every table but ``accounts`` may be absent: what depends on it is then
left out, not an error.

:func:`read_databook` checks every cell and the rules across tables and raises one :class:`DataBookError`
with **all** problems, each naming file, sheet, row, column, cell, the value and what is allowed.

CSV files are read in the one CSV dialect of :mod:`kam_xl.csvio`: UTF-8 (with or without BOM) or
Windows-1252 as German Excel saves them, a ``sep=`` first line honoured, ``;``, ``,`` or TAB as delimiter,
and numbers in one convention per file — German (``1.234,5``) or English (``1,234.5``), decided by the
file's unambiguous values and read strictly; an ambiguous or foreign value is a problem with both readings.
Fractions may be written as ``0.25`` or ``25 %``. Header cells are trimmed, freed of a byte-order mark and
matched case-insensitively; text cells go through :func:`kam_xl.text.clean_text`, and in a CSV file one
leading ``'`` (the guard :func:`write_databook` puts before formula-like text) is removed.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import math
import re
import sys
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

from pydantic import BaseModel, ConfigDict, PrivateAttr

from kam_xl import csvio
from kam_xl.cdb import STAGES, ActivityLine, CdbInput
from kam_xl.cells import CellError
from kam_xl.errors import KamInputError
from kam_xl.excellence import RATING_ALLOWED, Answer, Catalogue, Response, load_catalogue, parse_rating
from kam_xl.kaop import (
    COST_CATEGORIES,
    LEVERS,
    MEASURE_STATUSES,
    QUARTERS,
    CostQuarter,
    KaopMeasure,
    PotentialGoal,
    ProductQuarter,
    Thresholds,
)
from kam_xl.kgb import SUPPLIER_ROLES, KgbCard, KgbCriterion, normalise_weights
from kam_xl.resources import ResourceCell
from kam_xl.text import clean_text, match_choice

Kind = Literal["text", "year", "quarter", "amount", "number", "fraction", "bool", "choice", "rating", "score",
               "rate", "attainment"]
#: The status of an account plan (cover sheet) as the data book holds it; the plan shows it in its language.
ACCOUNT_STATUSES = ("in Arbeit", "abgegeben", "freigegeben")


@dataclass(frozen=True)
class Column:
    """One column of a data-book table: its name, kind, whether a value is required, allowed choices."""

    name: str
    kind: Kind = "text"
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One table of the data book; ``key`` columns identify a row (duplicates are errors)."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = False
    description: str = ""


def _c(name: str, kind: Kind = "text", required: bool = True, choices: Iterable[str] = ()) -> Column:
    return Column(name, kind, required, tuple(choices))


_AMOUNTS = ("gross_sales", "deductions", "product_cost", "freight", "development_cost", "production_cost",
            "service_cost", "sales_cost")
TABLES: dict[str, Table] = {t.name: t for t in (
    Table("accounts", (
        _c("account_id"), _c("name"), _c("region"), _c("business_unit", required=False),
        _c("kam", required=False), _c("currency", required=False), _c("plan_year", "year"),
        _c("supplier_role", "choice", False, SUPPLIER_ROLES), _c("status", "choice", False, ACCOUNT_STATUSES)),
        key=("account_id",), required=True, description="master data, one row per key account"),
    Table("cdb", (_c("account_id"), _c("year", "year"), *(_c(a, "amount") for a in _AMOUNTS)),
          key=("account_id", "year"), description="amounts of the CDB I–III statement per account and year"),
    Table("activities", (
        _c("account_id"), _c("year", "year"), _c("activity"), _c("stage", "choice", choices=STAGES),
        _c("driver_quantity", "amount"), _c("cost_rate", "amount")),
        description="activity-based cost lines, added to the amount of their stage in cdb"),
    Table("portfolio", (
        _c("account_id"), _c("year", "year"), _c("potential", "amount"), _c("share_of_wallet", "fraction"),
        _c("margin_factor", "amount", required=False)),
        key=("account_id", "year"), description="portfolio position per account and year"),
    Table("resources", (
        _c("region"), _c("account_id", required=False), _c("field_sales_fte", "amount"),
        _c("inside_sales_fte", "amount"), _c("tech_service_fte", "amount"), _c("communication", "amount"),
        _c("actual_volume", "amount"), _c("actual_revenue", "amount"), _c("potential", "amount")),
        key=("region", "account_id"), description="actual resources per (region, account); empty account_id "
                                                  "= the region's Small Accounts"),
    Table("regions", (_c("region"), _c("market_size", "amount")), key=("region",),
          description="market size per region"),
    Table("kaop_products", (
        _c("account_id"), _c("year", "year"), _c("scenario", "choice", choices=("plan", "actual")),
        _c("quarter", "quarter"), _c("product"), _c("volume", "amount"), _c("price", "amount"),
        _c("share_of_wallet", "fraction", required=False)),
        key=("account_id", "year", "scenario", "quarter", "product"),
        description="KAOP drivers per product and quarter"),
    Table("kaop_costs", (
        _c("account_id"), _c("year", "year"), _c("scenario", "choice", choices=("plan", "actual")),
        _c("quarter", "quarter"), _c("category", "choice", choices=COST_CATEGORIES),
        _c("amount", "amount", required=False), _c("rate_of_revenue", "rate", required=False)),
        key=("account_id", "year", "scenario", "quarter", "category"),
        description="KAOP relationship costs: an amount or a rate of revenue"),
    Table("kaop_goals", (
        _c("account_id"), _c("year", "year"), _c("goal"), _c("metric", required=False), _c("unit", required=False),
        *(_c(f"target_q{q}", "number", False) for q in QUARTERS),
        *(_c(f"actual_q{q}", "number", False) for q in QUARTERS)),
        description="KAOP potential goals (Potentialziele): target and actual per quarter, one row per goal"),
    Table("kaop_measures", (
        _c("account_id"), _c("year", "year"), _c("measure"), _c("lever", "choice", choices=LEVERS),
        _c("owner", required=False), _c("resources", required=False), _c("due_quarter", "quarter", False),
        _c("status", "choice", False, MEASURE_STATUSES)),
        description="KAOP measures along the 6-P levers (empty status: offen)"),
    Table("kaop_settings", (
        _c("account_id"), _c("year", "year"), _c("threshold_green", "attainment"), _c("threshold_amber", "attainment")),
        key=("account_id", "year"),
        description="KAOP traffic-light thresholds on attainment (1 or 100 % = on plan); amber ≤ green"),
    Table("kgb", (
        _c("account_id"), _c("segment"), _c("criterion"), _c("weight", "amount"), _c("supplier"),
        _c("own", "bool"), _c("rating", "score", required=False)),
        key=("account_id", "segment", "criterion", "supplier"),
        description="Kgb cards: customer weights and fulfilment ratings per supplier"),
    Table("excellence", (
        _c("respondent"), _c("role", required=False), _c("criterion_id"),
        _c("rating", "rating", required=False), _c("evidence", required=False)),
        key=("respondent", "criterion_id"), description="excellence questionnaire answers"),
)}

ALLOWED: dict[Kind, str] = {
    "text": "a text",
    "year": "a year such as 2026",
    "quarter": "1, 2, 3 or 4",
    "amount": "a number ≥ 0",
    "number": "a number",
    "fraction": "a fraction from 0 to 1 (0.25 or 25 %)",
    "bool": "true or false",
    "choice": "one of {choices}",
    "rating": RATING_ALLOWED,
    "score": "a number from 0 to 100",
    "rate": "a rate of revenue ≥ 0 (0.2 or 20 %)",
    "attainment": "an attainment (actual ÷ plan) above 0 and up to 10, e.g. 1 or 100 %",
}


class Problem(BaseModel):
    """One problem in a data book, located as precisely as the source allows."""

    model_config = ConfigDict(frozen=True)

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    value: str | None = None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"{'table' if '://' in self.file else 'sheet'} {self.sheet}")  # a database's table
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}" + (f" ({self.cell})" if self.cell else ""))
        value = f"value {self.value!r}: " if self.value is not None else ""
        return f"{', '.join(where)}: {value}{self.message}"


class DataBookError(Exception):
    """A data book with problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the data book:\n" + "\n".join(map(str, problems)))


@dataclass
class _Source:
    """Where a table's rows come from: the file, the sheet, and how to name a cell."""

    file: str
    sheet: str | None
    header: list[str]
    rows: Iterable[Sequence[Any]]  # read once, row by row (a CSV file is never held whole)
    first_row: int  # the row number of the first row in the file (header is first_row - 1)
    numbers: csvio.FileNumbers | None = None  # a CSV file's number convention; None: decided cell by cell
    guarded: bool = False  # a CSV file: text cells may carry the leading ' of csvio.guard
    excel: bool = False
    note: str = ""  # how the file was read (a CSV file's dialect), for the data book's notes

    def cell(self, col_index: int, row_number: int) -> str | None:
        if not self.excel:
            return None
        return f"{_column_letter(col_index)}{row_number}"


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_NO_INT = -(2**31)  # an empty year or quarter in an integer column
_TEXT_KINDS = frozenset({"text", "choice", "rating"})  # kept as Python objects (interned text, small ints)
_FLOAT_KINDS = frozenset({"amount", "number", "fraction", "score", "rate", "attainment"})


def _store(kind: Kind) -> list[Any] | array:
    """An empty column for values of ``kind``: floats and integers in typed arrays (8 and 4 bytes a value
    instead of a pointer and a Python number), empty cells as NaN / a sentinel (values are finite and years
    and quarters positive, so neither is ambiguous)."""
    if kind in _FLOAT_KINDS:
        return array("d")
    if kind in ("year", "quarter"):
        return array("i")
    if kind == "bool":
        return array("b")
    return []


def _encode(kind: Kind, value: Any) -> Any:
    if kind in _FLOAT_KINDS:
        return math.nan if value is None else value
    if kind in ("year", "quarter"):
        return _NO_INT if value is None else value
    if kind == "bool":
        return -1 if value is None else int(value)
    return value


def _float_value(v: float) -> float | None:
    return None if v != v else v  # NaN is the only value not equal to itself


def _int_value(v: int) -> int | None:
    return None if v == _NO_INT else v


def _bool_value(v: int) -> bool | None:
    return None if v < 0 else bool(v)


def _decoder(kind: Kind) -> Callable[[Any], Any] | None:
    """How a stored value reads back (``None`` for kinds stored as they are)."""
    if kind in _FLOAT_KINDS:
        return _float_value
    if kind in ("year", "quarter"):
        return _int_value
    if kind == "bool":
        return _bool_value
    return None


class TableRows(Sequence[dict[str, Any]]):
    """A data-book table as read: one compact column per field (see :func:`_store`), each row handed out as a
    fresh ``dict`` (column name → typed value) when asked for. A data book of 2,000 accounts takes ~10 MB
    this way instead of ~120 MB as dicts; equal to a list of the same dicts."""

    __slots__ = ("_decoders", "_index", "columns", "kinds", "names")

    def __init__(self, names: tuple[str, ...], kinds: tuple[Kind, ...], columns: list[list[Any] | array]):
        self.names, self.kinds, self.columns = names, kinds, columns
        self._decoders = [_decoder(k) for k in kinds]
        self._index: dict[str, dict[Any, array]] = {}

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def value(self, i: int, column: int) -> Any:
        """The value of row ``i`` in column number ``column``."""
        v = self.columns[column][i]
        decode = self._decoders[column]
        return v if decode is None else decode(v)

    def row(self, i: int) -> dict[str, Any]:
        """Row ``i`` as a dict."""
        return {name: (col[i] if decode is None else decode(col[i]))
                for name, col, decode in zip(self.names, self.columns, self._decoders, strict=True)}

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, i: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(i, slice):
            return [self.row(k) for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("row index out of range")
        return self.row(i)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self.row(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TableRows | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable like a list

    def __repr__(self) -> str:
        return f"TableRows({len(self)} rows: {', '.join(self.names)})"

    def index_by(self, name: str) -> dict[Any, array]:
        """Row numbers by the value of column ``name`` (built once, kept: 4 bytes a row)."""
        found = self._index.get(name)
        if found is None:
            c = self.names.index(name)
            groups: dict[Any, list[int]] = defaultdict(list)
            for i in range(len(self)):
                groups[self.value(i, c)].append(i)
            found = self._index[name] = {k: array("I", v) for k, v in groups.items()}
        return found


class _Parsed:
    """One table being read: its typed columns (becoming :class:`TableRows`), each row's number in the file,
    and the cells that could not be read (already reported), for the checks across rows and tables."""

    def __init__(self, table: Table, src: _Source, positions: dict[str, int]):
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
        c = self.names.index(name)
        return [self.rows.value(i, c) for i in range(len(self))]

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


def _percent_text(value: Any) -> str | None:
    """The number part of a text written as a percentage (``"25 %"`` → ``"25"``), else ``None``."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return value.strip()[:-1]
    return None


def _to_fraction(value: Any, numbers: csvio.FileNumbers | None) -> float:
    percent = _percent_text(value)
    if percent is not None:
        return _to_number(percent, numbers) / 100
    return _to_number(value, numbers)


_GUARDABLE_KINDS = _TEXT_KINDS | {"bool"}  # kinds read from text cells, which csvio.guard may have guarded
_TRUE = {"true", "1", "yes", "y", "ja", "j", "wahr", "x"}
_FALSE = {"false", "0", "no", "n", "nein", "falsch"}


def _parse_cell(col: Column, value: Any, src: _Source) -> Any:
    """Parse one cell by its column kind; raises :class:`_CellError` (the caller words the problem)."""
    kind = col.kind
    if src.guarded and isinstance(value, str) and kind in _GUARDABLE_KINDS:
        value = csvio.unguard(value)  # undo the guard write_databook puts before formula-like text
    if kind == "text":
        text = clean_text(value)
        if text is None:
            raise _CellError
        return sys.intern(text)  # ids, names and products repeat on thousands of rows: keep one copy each
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


def _parse_table(table: Table, src: _Source, problems: list[Problem]) -> _Parsed | None:
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
        return _Parsed(table, src, positions)  # present, without rows (as the checks across tables expect)
    parsed = _Parsed(table, src, positions)
    plan = [(col, positions.get(col.name), store) for col, store in zip(table.columns, parsed.rows.columns,
                                                                        strict=True)]
    number = src.first_row - 1
    found = len(problems)
    try:
        for raw in src.rows:
            number += 1
            if all(_empty(v) for v in raw):
                continue
            i = len(parsed.numbers)
            parsed.numbers.append(number)
            for col, at, store in plan:
                value = raw[at] if at is not None and at < len(raw) else None
                if isinstance(value, CellError):  # an error value or uncached formula: never empty or a default
                    problems.append(Problem(file=src.file, sheet=src.sheet, row=number, column=col.name,
                                            cell=src.cell(at, number) if at is not None else None,
                                            value=str(value), message=value.problem()))
                    store.append(_encode(col.kind, None))
                    parsed.bad.add((i, col.name))
                    continue
                if _empty(value):
                    if col.required:
                        problems.append(Problem(file=src.file, sheet=src.sheet, row=number, column=col.name,
                                                cell=src.cell(at, number) if at is not None else None, value="",
                                                message=f"is empty — allowed: {_allowed(col)}"))
                    store.append(_encode(col.kind, None))
                    continue
                try:
                    store.append(_encode(col.kind, _parse_cell(col, value, src)))
                except _CellError as e:
                    problems.append(Problem(file=src.file, sheet=src.sheet, row=number, column=col.name,
                                            cell=src.cell(at, number) if at is not None else None,
                                            value=_show(value), message=e.message or f"allowed: {_allowed(col)}"))
                    store.append(_encode(col.kind, None))
                    parsed.bad.add((i, col.name))
    except (UnicodeDecodeError, csv.Error) as e:  # met while streaming the file: the table cannot be read
        del problems[found:]
        problems.append(Problem(file=src.file, message=f"cannot be read as CSV ({src.note}: {e})"))
        return None
    finally:
        close = getattr(src.rows, "close", None)
        if close is not None:
            close()
    return parsed


def _header_key(cell: Any) -> str:
    """A header cell as it is matched: the one text rule (trimmed, no byte-order mark), case-folded."""
    return (clean_text(cell) or "").casefold()


def _header_positions(table: Table, src: _Source) -> tuple[dict[str, int], dict[str, str]]:
    """Where each of the table's columns stands in the header, and a message for each column named twice
    (``gross_sales`` and ``Gross_Sales``: which one holds the data cannot be told)."""
    at: dict[str, list[int]] = defaultdict(list)
    for i, cell in enumerate(src.header):
        at[_header_key(cell)].append(i)
    positions: dict[str, int] = {}
    twice: dict[str, str] = {}
    for col in table.columns:
        found = at.get(col.name, [])
        if len(found) > 1:
            shown = " and ".join(f"{_column_letter(i) if src.excel else f'column {i + 1}'} ({src.header[i]!r})"
                                 for i in found)
            twice[col.name] = f"{shown} both name column {col.name} — allowed: each column once"
        elif found:
            positions[col.name] = found[0]
    return positions, twice


def _allowed(col: Column) -> str:
    return ALLOWED[col.kind].format(choices=", ".join(col.choices))


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------------------------------------- reading


def _csv_numbers(path: Path, dialect: csvio.CsvDialect, table: Table) -> csvio.FileNumbers:
    """The number convention of a CSV file, from the values of the table's number columns (a first pass over
    the file, row by row)."""
    header, rows = csvio.read_rows(path, dialect)
    src = _Source(path.name, None, header, (), 2)
    positions, _ = _header_positions(table, src)
    columns = [(c.name, positions[c.name]) for c in table.columns
               if c.kind not in _TEXT_KINDS and c.kind != "bool" and c.name in positions]
    evidence = csvio.StyleEvidence.empty()
    first = 2 + dialect.sep_line
    with contextlib.closing(rows):
        for number, row in enumerate(rows, start=first):
            for name, at in columns:
                if at < len(row) and row[at].strip():
                    evidence.add(_percent_text(row[at]) or row[at], f"row {number}, column {name}")
    return csvio.decide_style(evidence, dialect.delimiter)


def _open_csv(path: Path, table: Table, problems: list[Problem]) -> _Source | None:
    """A CSV table as a source (its dialect detected, its number convention decided); ``None`` after
    reporting a file that cannot be read."""
    try:
        dialect = csvio.detect(path)
        numbers = _csv_numbers(path, dialect, table)
        header, rows = csvio.read_rows(path, dialect)
    except csvio.CsvFormatError as e:
        problems.append(Problem(file=path.name, message=str(e)))
        return None
    except csv.Error as e:  # e.g. a NUL byte: the file is not text in any encoding
        problems.append(Problem(file=path.name, message=f"cannot be read as CSV ({e}) — allowed: a text file of "
                                                        "rows separated by ';', ',' or TAB"))
        return None
    return _Source(path.name, None, header, rows, 2 + dialect.sep_line, numbers=numbers, guarded=True,
                   note=f"{dialect.describe()}; numbers: {numbers.why}")


def _read_parquet(path: Path) -> tuple[list[str], list[list[Any]]]:
    try:
        import pandas as pd
        frame = pd.read_parquet(path)
    except ImportError as e:
        raise KamInputError(f"{path.name}: reading Parquet needs pyarrow — pip install 'kam-xl[parquet]' "
                            f"({e})") from None
    frame = frame.astype(object).where(frame.notna(), None)
    return [str(c) for c in frame.columns], frame.values.tolist()


def _sources(path: Path, problems: list[Problem]) -> dict[str, Callable[[], _Source | None]]:
    """Find the tables of a data book (xlsx or folder): for each, a function that opens it when its turn
    comes (so only one table's raw cells are held at a time) and returns ``None`` after reporting a table that
    cannot be opened."""
    found: dict[str, Callable[[], _Source | None]] = {}
    if path.is_dir():
        files = {p.name.casefold(): p for p in path.iterdir() if p.is_file()}
        for name in TABLES:
            if f"{name}.csv" in files:
                def open_csv(p: Path = files[f"{name}.csv"], table: Table = TABLES[name]) -> _Source | None:
                    return _open_csv(p, table, problems)

                found[name] = open_csv
            elif f"{name}.parquet" in files:
                def open_parquet(p: Path = files[f"{name}.parquet"]) -> _Source | None:
                    try:
                        header, rows = _read_parquet(p)
                    except KamInputError as e:
                        problems.append(Problem(file=p.name, message=str(e)))
                        return None
                    except Exception as e:  # a damaged Parquet file: report, never a traceback
                        problems.append(Problem(file=p.name, message=f"cannot be read as Parquet ({e})"))
                        return None
                    return _Source(p.name, None, header, rows, 2)

                found[name] = open_parquet
        return found
    return _xlsx_sources(path, problems)


def _xlsx_sources(path: Path, problems: list[Problem]) -> dict[str, Callable[[], _Source | None]]:
    """The tables of an .xlsx data book, opened through :func:`kam_xl.package.open_package` (limits checked
    before anything is inflated, each sheet scanned before calamine reads it); the cells carry their kinds:
    a :class:`~kam_xl.cells.CellError` for an error value or an uncached formula, a
    :class:`~kam_xl.cells.PercentNumber` for a number in a percent-formatted cell."""
    from python_calamine import CalamineWorkbook

    from kam_xl.package import PackageError, open_package
    from kam_xl.workbook.names import with_kinds

    found: dict[str, Callable[[], _Source | None]] = {}
    try:
        package = open_package(path)
        book = package.workbook()
        sheets = {name.strip().casefold(): name for name in book.sheets}
        wanted = [sheets[name] for name in TABLES if name in sheets]
        scans = {}
        for sheet in wanted:  # one sheet inflated at a time; calamine inflates the checked parts again
            scans[sheet] = package.scan(sheet)
            package.forget(book.sheets[sheet])
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(package.original_bytes()))
    except PackageError as e:
        problems.append(Problem(file=path.name, message=e.reason if not e.damaged else
                                f"cannot be read as a workbook ({e.reason}) — allowed: an .xlsx with one sheet per "
                                "table, or a folder of CSV"))
        return found
    except Exception as e:  # calamine raises its own error types for damaged or foreign files
        problems.append(Problem(file=path.name, message=f"cannot be read as a workbook ({e}) — allowed: an "
                                                        ".xlsx with one sheet per table, or a folder of CSV"))
        return found
    for name in TABLES:
        if name in sheets:
            def open_sheet(sheet: str = sheets[name]) -> _Source | None:
                try:
                    data = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
                except Exception as e:  # damaged sheet XML: report, never a traceback
                    problems.append(Problem(file=path.name, sheet=sheet, message=f"cannot be read ({e})"))
                    return None
                with_kinds(data, scans[sheet].kinds)
                header = list(data[0]) if data else []
                return _Source(path.name, sheet, header, itertools.islice(data, 1, None), 2, excel=True)

            found[name] = open_sheet
    return found


# ----------------------------------------------------------------------------------------- the models


class AccountRow(BaseModel):
    """Master data of a key account."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    name: str
    region: str
    business_unit: str | None = None
    kam: str | None = None
    currency: str = "EUR"
    plan_year: int
    supplier_role: str | None = None
    status: str | None = None  # one of ACCOUNT_STATUSES (the plan's cover sheet)


class DataBook(BaseModel):
    """A validated data book. Absent tables are ``None``; present tables are lists of their rows as dicts
    with typed values (column name → value)."""

    model_config = ConfigDict(frozen=True)

    source: str
    accounts: list[AccountRow]
    tables: dict[str, list[dict[str, Any]] | None]
    notes: list[str] = []  # how files were read, e.g. "cdb.csv: Windows-1252, ';'-separated; numbers: …"
    _by_account: dict[str, dict[str, list[dict[str, Any]]]] = PrivateAttr(default_factory=dict)
    _account_index: dict[str, AccountRow] = PrivateAttr(default_factory=dict)

    def table(self, name: str) -> list[dict[str, Any]] | None:
        """Rows of table ``name`` (a list of dicts, or a :class:`TableRows` that reads like one), or ``None``
        if the data book has no such table."""
        return self.tables.get(name)

    def account(self, account_id: str) -> AccountRow:
        """The master data of one account (``KeyError`` for an unknown id); indexed on first use."""
        if len(self._account_index) != len(self.accounts):
            self._account_index.clear()
            self._account_index.update((a.account_id, a) for a in self.accounts)
        return self._account_index[account_id]

    def rows_for(self, name: str, account_id: str, **match: Any) -> list[dict[str, Any]]:
        """Rows of table ``name`` for one account (and further column values). Tables are indexed by account
        on first use, so looking up every account of a large data book stays linear; of a table as read,
        only the rows asked for become dicts."""
        table = self.tables.get(name)
        if isinstance(table, TableRows):
            indices: Iterable[int] = table.index_by("account_id").get(account_id, ())
            if match:
                wanted = [(table.names.index(k), v) for k, v in match.items()]
                indices = [i for i in indices if all(table.value(i, c) == v for c, v in wanted)]
            return [table.row(i) for i in indices]
        index = self._by_account.get(name)
        if index is None:
            index = defaultdict(list)
            for r in self.table(name) or []:
                index[r["account_id"]].append(r)
            self._by_account[name] = index
        return [r for r in index.get(account_id, ()) if all(r[k] == v for k, v in match.items())]

    def cdb_years(self, account_id: str) -> list[int]:
        """Years with CDB data for an account, ascending."""
        return sorted({r["year"] for r in self.rows_for("cdb", account_id)})

    def cdb_input(self, account_id: str, year: int) -> tuple[CdbInput, list[ActivityLine]] | None:
        """The CDB amounts and activity lines of an account and year, or ``None`` if there are none."""
        rows = self.rows_for("cdb", account_id, year=year)
        if not rows:
            return None
        amounts = CdbInput(**{a: rows[0][a] for a in _AMOUNTS})
        activities = [ActivityLine(activity=r["activity"], stage=r["stage"],
                                   driver_quantity=r["driver_quantity"], cost_rate=r["cost_rate"])
                      for r in self.rows_for("activities", account_id, year=year)]
        return amounts, activities

    def kaop_rows(self, account_id: str, year: int, scenario: str
                  ) -> tuple[list[ProductQuarter], list[CostQuarter]]:
        """The KAOP product drivers and cost lines of an account, year and scenario."""
        products = [ProductQuarter(product=r["product"], quarter=r["quarter"], volume=r["volume"],
                                   price=r["price"], share_of_wallet=r["share_of_wallet"])
                    for r in self.rows_for("kaop_products", account_id, year=year, scenario=scenario)]
        costs = [CostQuarter(category=r["category"], quarter=r["quarter"], amount=r["amount"],
                             rate_of_revenue=r["rate_of_revenue"])
                 for r in self.rows_for("kaop_costs", account_id, year=year, scenario=scenario)]
        return products, costs

    def kaop_years(self, account_id: str, scenario: str = "plan") -> list[int]:
        """Years with KAOP rows of a scenario for an account, ascending."""
        rows = self.rows_for("kaop_products", account_id, scenario=scenario) + self.rows_for(
            "kaop_costs", account_id, scenario=scenario)
        return sorted({r["year"] for r in rows})

    def kaop_goals(self, account_id: str, year: int) -> list[PotentialGoal]:
        """The potential goals of an account and year, in data order."""
        return [PotentialGoal(goal=r["goal"], metric=r["metric"] or "", unit=r["unit"] or "",
                              targets={q: r[f"target_q{q}"] for q in QUARTERS if r[f"target_q{q}"] is not None},
                              actuals={q: r[f"actual_q{q}"] for q in QUARTERS if r[f"actual_q{q}"] is not None})
                for r in self.rows_for("kaop_goals", account_id, year=year)]

    def kaop_measures(self, account_id: str, year: int) -> list[KaopMeasure]:
        """The 6-P measures of an account and year, in data order."""
        return [KaopMeasure(measure=r["measure"], lever=r["lever"], owner=r["owner"] or "",
                            resources=r["resources"] or "", due_quarter=r["due_quarter"],
                            status=r["status"] or "offen")
                for r in self.rows_for("kaop_measures", account_id, year=year)]

    def kaop_thresholds(self, account_id: str, year: int) -> Thresholds:
        """The traffic-light thresholds of an account and year (the defaults where the data book has none)."""
        rows = self.rows_for("kaop_settings", account_id, year=year)
        if not rows:
            return Thresholds()
        return Thresholds(green=rows[0]["threshold_green"], amber=rows[0]["threshold_amber"])

    def kaop_input_years(self, account_id: str) -> list[int]:
        """Years with any KAOP input of an account (drivers, costs, goals, measures, thresholds), ascending."""
        return sorted({r["year"] for name in ("kaop_products", "kaop_costs", "kaop_goals", "kaop_measures",
                                              "kaop_settings") for r in self.rows_for(name, account_id)})

    def kgb_cards(self, account_id: str) -> list[KgbCard]:
        """The Kgb cards of an account, one per segment, in data order."""
        account = self.account(account_id)
        by_segment: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.rows_for("kgb", account_id):
            by_segment[r["segment"]].append(r)
        cards = []
        for segment, rows in by_segment.items():
            criteria = list(dict.fromkeys(r["criterion"] for r in rows))
            weight = {r["criterion"]: r["weight"] for r in rows}
            ratings: dict[str, dict[str, float | None]] = {}
            for r in rows:
                ratings.setdefault(r["supplier"], {})[r["criterion"]] = r["rating"]
            own = next(r["supplier"] for r in rows if r["own"])
            cards.append(KgbCard(account_id=account_id, segment=segment, own_supplier=own, ratings=ratings,
                                 criteria=[KgbCriterion(name=c, weight=weight[c]) for c in criteria],
                                 supplier_role=account.supplier_role))  # type: ignore[arg-type]
        return cards

    def responses(self) -> list[Response]:
        """The excellence answers grouped by respondent, in data order."""
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.table("excellence") or []:
            grouped[r["respondent"]].append(r)
        return [Response(respondent=who, role=rows[0]["role"] or "",
                         answers=[Answer(criterion_id=r["criterion_id"], rating=r["rating"],
                                         evidence=r["evidence"] or "") for r in rows])
                for who, rows in grouped.items()]

    def response_of(self, respondent: str, role: str) -> Response | None:
        """The excellence answers of one respondent in one role (an account plan's own ratings: the account id
        and role ``Account-Plan``), or ``None``. Indexed by respondent on first use, so looking up every
        account stays linear."""
        table = self.table("excellence")
        if table is None:
            return None
        if isinstance(table, TableRows):
            rows = [table.row(i) for i in table.index_by("respondent").get(respondent, ())]
        else:
            rows = [r for r in table if r["respondent"] == respondent]
        rows = [r for r in rows if r["role"] == role]
        if not rows:
            return None
        return Response(respondent=respondent, role=role,
                        answers=[Answer(criterion_id=r["criterion_id"], rating=r["rating"],
                                        evidence=r["evidence"] or "") for r in rows])

    def resource_cells(self) -> list[ResourceCell]:
        """The resource distribution cells (``account_id=None`` for Small Accounts)."""
        return [ResourceCell(**{k: v for k, v in r.items()}) for r in self.table("resources") or []]

    def market_sizes(self) -> dict[str, float]:
        """Market size per region."""
        return {r["region"]: r["market_size"] for r in self.table("regions") or []}


# --------------------------------------------------------------------------------- rules across rows

def _check_keys(t: _Parsed, problems: list[Problem]) -> None:
    """Duplicate keys. For tables keyed by account, rows are compared within their account (a duplicate can
    only be there), so the rows seen are held for one account at a time."""
    key_cols = [t.names.index(k) for k in t.table.key]
    if not key_cols:
        return
    name, rows = t.table.name, t.rows
    may_be_empty = {t.names.index("account_id")} if name == "resources" else set()
    per_account = "account_id" in t.table.key and name != "resources"
    groups = rows.index_by("account_id").values() if per_account else [range(len(t))]
    for group in groups:
        seen: dict[tuple[Any, ...], int] = {}
        for i in group:
            key = tuple(rows.value(i, c) for c in key_cols)
            if any(v is None for v, c in zip(key, key_cols, strict=True) if c not in may_be_empty):
                continue
            if key in seen:
                shown = ", ".join(f"{k}={v if v is not None else '(empty)'}" for k, v in zip(t.table.key, key,
                                                                                             strict=True))
                problems.append(t.problem(i, None, f"duplicate row for {shown} — first given in row {seen[key]}; "
                                                   "allowed: one row each"))
            else:
                seen[key] = t.numbers[i]


def _check_accounts(tables: dict[str, _Parsed], problems: list[Problem]) -> None:
    ids = set(tables["accounts"].column("account_id"))
    for name, t in tables.items():
        if name == "accounts" or "account_id" not in t.names:
            continue
        for aid, rows in t.rows.index_by("account_id").items():
            if aid is not None and aid not in ids:
                problems.extend(t.problem(i, "account_id", "unknown account — allowed: an account_id of the "
                                                           "accounts table", aid) for i in rows)
    accounts = tables["accounts"]
    for i, cur in enumerate(accounts.column("currency")):
        if cur is not None and not re.fullmatch(r"[A-Z]{3}", cur):
            problems.append(accounts.problem(i, "currency", "allowed: a three-letter ISO currency code such as EUR",
                                             cur))


def _check_costs(t: _Parsed, problems: list[Problem]) -> None:
    for i, (amount, rate) in enumerate(zip(t.column("amount"), t.column("rate_of_revenue"), strict=True)):
        if (i, "amount") in t.bad or (i, "rate_of_revenue") in t.bad:
            continue  # an unreadable value is reported once, where it stands
        if (amount is None) == (rate is None):
            problems.append(t.problem(i, "amount", "give exactly one of amount and rate_of_revenue"))


def _check_kgb(t: _Parsed, problems: list[Problem]) -> None:
    """Per card (account, segment): one weight per criterion, weights that sum up, exactly one own supplier.
    Cards are gathered one account at a time."""
    rows = t.rows
    seg, crit, weight, supplier, own = (t.names.index(c) for c in ("segment", "criterion", "weight", "supplier",
                                                                    "own"))
    for aid, indices in rows.index_by("account_id").items():
        if aid is None:
            continue
        cards: dict[str, list[int]] = defaultdict(list)
        for i in indices:
            segment = rows.value(i, seg)
            if segment is not None:
                cards[segment].append(i)
        for segment, card in cards.items():
            weights: dict[str, float] = {}
            for i in card:
                c, w = rows.value(i, crit), rows.value(i, weight)
                if c is None or w is None:
                    continue
                if c in weights and weights[c] != w:
                    problems.append(t.problem(i, "weight", f"weight of {c!r} in card {aid}/{segment} differs "
                                              f"from {weights[c]:g} given before — allowed: the same weight on "
                                              "every supplier row", w))
                weights.setdefault(c, w)
            if any((i, "weight") in t.bad for i in card):
                continue  # the unreadable weight is reported where it stands; its sum would only repeat it
            try:
                normalise_weights(list(weights.values()))
            except KamInputError as e:
                problems.append(t.problem(card[0], "weight", f"card {aid}/{segment}: {e}"))
            owns = {rows.value(i, supplier) for i in card if rows.value(i, own)}
            if len(owns) != 1:
                problems.append(Problem(file=t.src.file, sheet=t.src.sheet, row=t.numbers[card[0]], column="own",
                                        message=f"card {aid}/{segment} marks {len(owns)} suppliers as own "
                                                f"({', '.join(sorted(owns)) or 'none'}) — allowed: exactly one"))


def _check_excellence(t: _Parsed, problems: list[Problem], cat: Catalogue) -> None:
    known = {r.criterion.id for r in cat.criteria()}
    roles: dict[str, str | None] = {}
    for i, (cid, who, role) in enumerate(zip(t.column("criterion_id"), t.column("respondent"), t.column("role"),
                                             strict=True)):
        if cid is not None and cid not in known:
            problems.append(t.problem(i, "criterion_id", f"unknown criterion — allowed: an id of catalogue "
                                      f"{cat.id} {cat.version} such as SW-2.1", cid))
        if who in roles and role != roles[who]:
            problems.append(t.problem(i, "role", f"respondent {who!r} has role {roles[who]!r} in an "
                                      "earlier row — allowed: one role per respondent", role))
        roles.setdefault(who, role)


def _check_thresholds(t: _Parsed, problems: list[Problem]) -> None:
    """Traffic-light thresholds: amber not above green."""
    for i, (green, amber) in enumerate(zip(t.column("threshold_green"), t.column("threshold_amber"), strict=True)):
        if green is not None and amber is not None and green < amber:
            problems.append(t.problem(i, "threshold_amber", f"above the green threshold {green:g} — allowed: "
                                                            "amber ≤ green", amber))


def _check_regions(tables: dict[str, _Parsed], problems: list[Problem]) -> None:
    if "resources" not in tables or "regions" not in tables:
        return
    regions = set(tables["regions"].column("region"))
    resources = tables["resources"]
    for i, region in enumerate(resources.column("region")):
        if region is not None and region not in regions:
            problems.append(resources.problem(i, "region", f"region not in the regions table — allowed: "
                                              f"{', '.join(sorted(regions))}", region))


def read_databook(path: str | Path, catalogue: Catalogue | None = None) -> DataBook:
    """Read and validate a data book (``.xlsx`` with one sheet per table, or a folder of CSV/Parquet files).

    Raises :class:`DataBookError` with every problem found. The tables are read one at a time, row by row,
    into compact columns (:class:`TableRows`): memory grows by tens of bytes a row, not by a dict each.
    """
    catalogue = catalogue or load_catalogue()
    problems: list[Problem] = []
    from kam_xl import sql  # issue 13: a database URL or a .db/.sqlite/.sqlite3 path is read by kam_xl.sql
    if sql.is_database(path):
        source = label = sql.safe_reference(path)
        sources = sql.sources(path, problems)
        opened = not problems
    else:
        path = Path(path)
        source, label = str(path), path.name
        if not path.exists():
            raise DataBookError([Problem(file=str(path), message="does not exist — allowed: an .xlsx data book "
                                                                 "or a folder of CSV files")])
        if path.is_file() and path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise DataBookError([Problem(file=path.name, message="is not a data book — allowed: an .xlsx/.xlsm "
                                                                 "workbook or a folder of CSV/Parquet files")])
        sources = _sources(path, problems)
        opened = path.is_dir() or not problems  # a workbook that could not be opened has no tables to miss
    tables: dict[str, _Parsed] = {}
    notes: list[str] = []
    for name, open_source in sources.items():
        src = open_source()
        if src is None:
            continue
        if src.note:
            notes.append(f"{src.file}: {src.note}")
        parsed = _parse_table(TABLES[name], src, problems)
        if parsed is not None:
            tables[name] = parsed
    if "accounts" not in tables and "accounts" not in sources and opened:  # an unreadable one is reported
        problems.append(Problem(file=label, message="has no accounts table — required: a sheet or file "
                                                        "'accounts' with " + ", ".join(
                                                            c.name for c in TABLES["accounts"].columns)))
    for t in tables.values():
        _check_keys(t, problems)
    if "accounts" in tables:
        _check_accounts(tables, problems)
    if "kaop_costs" in tables:
        _check_costs(tables["kaop_costs"], problems)
    if "kgb" in tables:
        _check_kgb(tables["kgb"], problems)
    if "excellence" in tables:
        _check_excellence(tables["excellence"], problems, catalogue)
    if "kaop_settings" in tables:
        _check_thresholds(tables["kaop_settings"], problems)
    _check_regions(tables, problems)
    if problems:
        order = {name: i for i, name in enumerate(TABLES)}

        def position(p: Problem) -> tuple[int, int]:
            table = (p.sheet or p.file).lower().removesuffix(".csv").removesuffix(".parquet")
            return order.get(table, -1), p.row or 0

        raise DataBookError(sorted(problems, key=position))
    accounts_table = tables["accounts"].rows
    accounts = [AccountRow(**{k: v for k, v in row.items() if v is not None}) for row in accounts_table]
    if "portfolio" in tables:  # an empty margin factor means 1
        factors = tables["portfolio"].rows.columns[tables["portfolio"].names.index("margin_factor")]
        for i, v in enumerate(factors):
            if v != v:
                factors[i] = 1.0
    parsed_tables: dict[str, list[dict[str, Any]] | None] = {
        name: (tables[name].rows if name in tables else None) for name in TABLES}  # type: ignore[misc]
    # every value is checked above: construct without pydantic copying the rows into lists of dicts
    return DataBook.model_construct(source=source, accounts=accounts, tables=parsed_tables, notes=notes)


# ---------------------------------------------------------------------------------------------- writing


def write_databook(db: DataBook, path: str | Path, replace: bool = False) -> Path:
    """Write a data book as ``.xlsx`` (one sheet per table) or, for any other path, as a folder of CSV files.

    Text is always written as text (a name beginning with ``=`` stays a name, never a formula): in the
    workbook as a string cell, in CSV files guarded by a leading ``'`` (:func:`kam_xl.csvio.write_csv`, which
    also says why the CSV files are UTF-8 with BOM, ``;``-separated with decimal comma). Files are
    written atomically; an existing non-empty folder or an existing file is refused, never overwritten —
    except an existing .xlsx with ``replace=True`` (for kam_xl's own outputs), which is replaced atomically.
    """
    from kam_xl.files import write_atomic

    path = Path(path)
    if path.exists() and not (replace and path.is_file() and path.suffix.lower() == ".xlsx") and (
            path.is_file() or any(path.iterdir())):
        raise KamInputError(f"{path} already exists — allowed: a new .xlsx file or an empty folder")
    tables = {"accounts": [a.model_dump() for a in db.accounts]}
    tables.update({k: v for k, v in db.tables.items() if v is not None and k != "accounts"})
    if path.suffix.lower() == ".xlsx":
        def write(tmp: Path) -> None:
            import xlsxwriter

            wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False})
            bold = wb.add_format({"bold": True})
            for name, rows in tables.items():
                ws = wb.add_worksheet(name)
                cols = TABLES[name].columns
                for j, col in enumerate(cols):
                    ws.write_string(0, j, col.name, bold)
                    ws.set_column(j, j, max(12, len(col.name) + 2))
                for i, row in enumerate(rows, start=1):
                    for j, col in enumerate(cols):
                        value = row.get(col.name)
                        if value is None:
                            continue
                        if isinstance(value, bool):
                            ws.write_boolean(i, j, value)
                        elif isinstance(value, int | float):
                            ws.write_number(i, j, value)
                        else:
                            ws.write_string(i, j, str(value))
                ws.freeze_panes(1, 0)
            wb.close()

        return write_atomic(path, write)
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        cols = [c.name for c in TABLES[name].columns]
        csvio.write_csv(path / f"{name}.csv", cols, ([r.get(c) for c in cols] for r in rows))
    return path


def demo_databook() -> DataBook:
    """The demo data set that ships with the package (a fictional German supplier of process chemicals)."""
    from importlib import resources as importlib_resources

    folder = importlib_resources.files("kam_xl") / "demo_data"
    with importlib_resources.as_file(folder) as p:
        return read_databook(p)
