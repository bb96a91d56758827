"""Where a data book's tables come from: one opener per table, picked for a path by :func:`table_sources`
(an .xlsx workbook through the guarded package reader, a folder of CSV files in the one dialect of
:mod:`kam_xl.csvio`, or Parquet files). Each opener returns a :class:`Source` that streams its rows.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kam_xl import csvio
from kam_xl.databook.rows import _TEXT_KINDS
from kam_xl.databook.schema import TABLES, Problem, Table
from kam_xl.errors import KamInputError
from kam_xl.text import clean_text


@dataclass
class Source:
    """Where a table's rows come from: the file, the sheet, and how to name a cell."""

    file: str
    sheet: str | None
    header: list[str]
    rows: Iterable[Sequence[Any]]  # read once, row by row (a CSV file is never held whole)
    first_row: int  # the row number of the first row in the file (header is first_row - 1)
    numbers: csvio.FileNumbers | None = None  # a CSV file's number convention; None: decided cell by cell
    guarded: bool = False  # a CSV file: text cells may carry the leading ' of csvio.guard
    excel: bool = False
    note: str = ""  # how the file was read (a CSV file's dialect and numbers, once read), for the data book's notes
    dialect: csvio.CsvDialect | None = None  # a CSV file: its numbers' convention is decided while it is read
    reopen: Callable[[], Iterator[Sequence[Any]]] | None = None  # the rows from the start again (a CSV file)

    def cell(self, col_index: int, row_number: int, row: Sequence[Any] | None = None) -> str | None:
        """The address of a cell (``None`` where a source has none); ``row`` is the row's cells as read."""
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


def _header_key(cell: Any) -> str:
    """A header cell as it is matched: the one text rule (trimmed, no byte-order mark), case-folded."""
    return (clean_text(cell) or "").casefold()


def _header_positions(table: Table, src: Source) -> tuple[dict[str, int], dict[str, str]]:
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




def _percent_text(value: Any) -> str | None:
    """The number part of a text written as a percentage (``"25 %"`` → ``"25"``), else ``None``."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return value.strip()[:-1]
    return None


# ---------------------------------------------------------------------------------------------- reading


#: How many distinct cell texts a CSV file's convention remembers (what each shows of it: values repeat).
SEEN_TEXTS = 8192
_SHOWING = frozenset({"de", "en", "ambiguous"})  # what a value shows when its reading depends on the convention


class NumberConvention:
    """A CSV file's number convention (:func:`csvio.decide_style`), decided while its rows are read: the rows
    come in chunks, each chunk's number cells are counted before the chunk is read, and the chunk is read in
    the convention its file shows so far (:meth:`count`). The file's convention is the one of all its values
    (:meth:`decided`); :meth:`misread` says whether a chunk whose values depend on the convention was read in
    another one (then the file is read again, in the decided convention: one pass in the usual case, the same
    result as two).

    The cells counted are those of the table's number, year, quarter and date columns (as ``25 %`` shows it:
    ``25``), in file order: row by row, in each row the table's columns in order; "first" values are named by
    row and column (``row 3, column price``)."""

    def __init__(self, table: Table, positions: dict[str, int], delimiter: str):
        self.columns = [(c.name, positions[c.name]) for c in table.columns
                        if c.kind not in _TEXT_KINDS and c.kind != "bool" and c.name in positions]
        self.delimiter = delimiter
        self.evidence = csvio.StyleEvidence.empty()
        self.seen: dict[str, tuple[csvio.Evidence | None, str]] = {}  # a cell's text → what it shows, how
        self.used: set[csvio.NumberStyle | None] = set()  # conventions chunks depending on one were read in

    def _shows(self, cell: str) -> tuple[csvio.Evidence | None, str]:
        known = self.seen.get(cell)
        if known is None:
            text = _percent_text(cell) or cell
            known = (csvio.number_evidence(text) if cell.strip() else None, text)
            if len(self.seen) < SEEN_TEXTS:
                self.seen[cell] = known
        return known

    def count(self, distinct: Callable[[int], Counter[Any]], cells: Callable[[int], Sequence[Any]],
              numbers: Sequence[int]) -> csvio.FileNumbers:
        """Count a chunk's number cells — ``distinct(at)`` counts the chunk's cells at position ``at`` (in the
        order they first stand, ``None`` beyond a short row), ``cells(at)`` lists them, ``numbers`` are the rows'
        numbers in the file — and return the convention to read the chunk in (recorded as used when a value of
        the chunk depends on it)."""
        times: Counter[str] = Counter()
        first: dict[str, tuple[int, str, str]] = {}  # a kind not seen before → (row in chunk, column, text)
        for name, at in self.columns:
            looked: set[str] = set()  # the kinds whose first cell in this column is known
            for cell, n in distinct(at).items():  # in the order the texts first stand in the column
                if cell is None:
                    continue
                kind, text = self._shows(cell)
                if kind not in _SHOWING:
                    continue
                times[kind] += n
                if kind in looked or kind in self.evidence.first:
                    continue
                looked.add(kind)
                j = cells(at).index(cell)
                if kind not in first or j < first[kind][0]:  # a column further left wins a tie (it came first)
                    first[kind] = (j, name, text)
        for kind, n in times.items():
            j, name, text = first.get(kind, (0, "", ""))  # (without a first: the kind's first was seen before)
            self.evidence.count(kind, text, f"row {numbers[j]}, column {name}" if kind in first else "", n)  # type: ignore[arg-type]
        numbers_now = self.decided()
        if times:
            self.used.add(numbers_now.style)
        return numbers_now

    def decided(self) -> csvio.FileNumbers:
        """The convention of the cells counted so far."""
        return csvio.decide_style(self.evidence, self.delimiter)

    def misread(self) -> bool:
        """Whether a chunk whose values depend on the convention was read in another one than the file's."""
        return bool(self.used - {self.decided().style})


def _open_csv(path: Path, table: Table, problems: list[Problem]) -> Source | None:
    """A CSV table as a source (its dialect detected; its number convention is decided while it is read,
    :class:`NumberConvention`); ``None`` after reporting a file that cannot be read."""
    try:
        dialect = csvio.detect(path)
        header, rows = csvio.read_rows(path, dialect)
    except csvio.CsvFormatError as e:
        problems.append(Problem(file=path.name, message=str(e)))
        return None
    except csv.Error as e:  # e.g. a NUL byte: the file is not text in any encoding
        problems.append(Problem(file=path.name, message=unreadable_csv(e)))
        return None
    return Source(path.name, None, header, rows, 2 + dialect.sep_line, guarded=True, dialect=dialect,
                  reopen=lambda: csvio.read_rows(path, dialect)[1])


def unreadable_csv(e: csv.Error) -> str:
    """What is said of a CSV file the csv module cannot read (a NUL byte, a quote left open …)."""
    return f"cannot be read as CSV ({e}) — allowed: a text file of rows separated by ';', ',' or TAB"


def _read_parquet(path: Path) -> tuple[list[str], list[list[Any]]]:
    try:
        import pandas as pd
        frame = pd.read_parquet(path)
    except ImportError as e:
        raise KamInputError(f"{path.name}: reading Parquet needs pyarrow — pip install 'kam-xl[parquet]' "
                            f"({e})") from None
    frame = frame.astype(object).where(frame.notna(), None)
    return [str(c) for c in frame.columns], frame.values.tolist()


def table_sources(path: Path, problems: list[Problem]) -> dict[str, Callable[[], Source | None]]:
    """The one place that picks where a data book's tables come from: for each table found, a function that
    opens it when its turn comes (so only one table's raw cells are held at a time) and returns ``None`` after
    reporting a table that cannot be opened. A folder gives its CSV/Parquet files, an .xlsx/.xlsm its sheets;
    a path that does not exist or is another kind of file is a problem and gives no tables. A new kind of
    source (a database URL …) is one more branch here returning openers of :class:`Source`."""
    if not path.exists():
        problems.append(Problem(file=str(path), message="does not exist — allowed: an .xlsx data book or a "
                                                        "folder of CSV files"))
        return {}
    if path.is_dir():
        return _folder_sources(path, problems)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        problems.append(Problem(file=path.name, message="is not a data book — allowed: an .xlsx/.xlsm workbook "
                                                        "or a folder of CSV/Parquet files"))
        return {}
    return _xlsx_sources(path, problems)


def _folder_sources(path: Path, problems: list[Problem]) -> dict[str, Callable[[], Source | None]]:
    """The tables of a folder: ``<table>.csv`` (preferred) or ``<table>.parquet``, names matched case-insensitively."""
    found: dict[str, Callable[[], Source | None]] = {}
    files = {p.name.casefold(): p for p in path.iterdir() if p.is_file()}
    for name in TABLES:
        if f"{name}.csv" in files:
            def open_csv(p: Path = files[f"{name}.csv"], table: Table = TABLES[name]) -> Source | None:
                return _open_csv(p, table, problems)

            found[name] = open_csv
        elif f"{name}.parquet" in files:
            def open_parquet(p: Path = files[f"{name}.parquet"]) -> Source | None:
                return _open_parquet(p, problems)

            found[name] = open_parquet
    return found


def _open_parquet(p: Path, problems: list[Problem]) -> Source | None:
    """A Parquet table as a source; ``None`` after reporting a file that cannot be read."""
    try:
        header, rows = _read_parquet(p)
    except KamInputError as e:
        problems.append(Problem(file=p.name, message=str(e)))
        return None
    except Exception as e:  # a damaged Parquet file: report, never a traceback
        problems.append(Problem(file=p.name, message=f"cannot be read as Parquet ({e})"))
        return None
    return Source(p.name, None, header, rows, 2)


def _xlsx_sources(path: Path, problems: list[Problem]) -> dict[str, Callable[[], Source | None]]:
    """The tables of an .xlsx data book, opened through :func:`kam_xl.package.open_package` (limits checked
    before anything is inflated, each sheet scanned before calamine reads it); the cells carry their kinds:
    a :class:`~kam_xl.cells.CellError` for an error value or an uncached formula, a
    :class:`~kam_xl.cells.PercentNumber` for a number in a percent-formatted cell."""
    from python_calamine import CalamineWorkbook

    from kam_xl.package import PackageError, open_package
    from kam_xl.workbook.names import with_kinds

    found: dict[str, Callable[[], Source | None]] = {}
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
            def open_sheet(sheet: str = sheets[name]) -> Source | None:
                try:
                    data = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
                except Exception as e:  # damaged sheet XML: report, never a traceback
                    problems.append(Problem(file=path.name, sheet=sheet, message=f"cannot be read ({e})"))
                    return None
                with_kinds(data, scans[sheet].kinds)
                header = list(data[0]) if data else []
                return Source(path.name, sheet, header, itertools.islice(data, 1, None), 2, excel=True)

            found[name] = open_sheet
    return found


# ----------------------------------------------------------------------------------------- the models
