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

The package's modules: :mod:`~kam_xl.databook.schema` (tables, columns, kinds, problems),
:mod:`~kam_xl.databook.sources` (which files hold the tables, :func:`~kam_xl.databook.sources.table_sources`),
:mod:`~kam_xl.databook.parsing` (cells by kind), :mod:`~kam_xl.databook.checks` (rules across rows and tables),
:mod:`~kam_xl.databook.rows` (compact columns), :mod:`~kam_xl.databook.model` (:class:`DataBook`),
:mod:`~kam_xl.databook.reader` and :mod:`~kam_xl.databook.writer`.
"""

from kam_xl.databook.model import AccountRow, DataBook
from kam_xl.databook.reader import demo_databook, read_databook
from kam_xl.databook.rows import TableRows
from kam_xl.databook.schema import (
    ACCOUNT_STATUSES,
    ALLOWED,
    CDB_AMOUNTS,
    TABLES,
    Column,
    DataBookError,
    Kind,
    Problem,
    Table,
)
from kam_xl.databook.sources import table_sources
from kam_xl.databook.writer import write_databook

_sources = table_sources  # the name tests/test_cell_kinds.py uses

__all__ = [
    "ACCOUNT_STATUSES", "ALLOWED", "CDB_AMOUNTS", "TABLES", "AccountRow", "Column", "DataBook", "DataBookError",
    "Kind", "Problem", "Table", "TableRows", "demo_databook", "read_databook", "table_sources", "write_databook",
]
