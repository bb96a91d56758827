"""Reading a data book: every table parsed, every rule checked, all problems raised together."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kam_xl import cycles
from kam_xl.databook.checks import check_tables
from kam_xl.databook.model import AccountRow, DataBook
from kam_xl.databook.parsing import ParsedTable, TextCaches, _parse_table
from kam_xl.databook.schema import TABLES, DataBookError, Problem, registered_tables
from kam_xl.databook.sources import Source, table_sources
from kam_xl.excellence import Catalogue, load_catalogue


def _parse_tables(sources: dict[str, Callable[[], Source | None]], problems: list[Problem]
                  ) -> tuple[dict[str, ParsedTable], list[str]]:
    """Open and parse each table in turn; the tables read and the notes on how their files were read."""
    tables: dict[str, ParsedTable] = {}
    notes: list[str] = []
    texts: TextCaches = {}  # account ids, names …: read once for all tables
    for name, open_source in sources.items():
        src = open_source()
        if src is None:
            continue
        parsed = _parse_table(TABLES[name], src, problems, texts)
        if src.note:  # once read: a CSV file's number convention is decided while it is read
            notes.append(f"{src.file}: {src.note}")
        if parsed is not None:
            tables[name] = parsed
    return tables, notes


def read_databook(path: str | Path, catalogue: Catalogue | None = None) -> DataBook:
    """Read and validate a data book (``.xlsx`` with one sheet per table, or a folder of CSV/Parquet files).

    Raises :class:`DataBookError` with every problem found. The tables are read one at a time, some thousand
    rows at a time, into compact columns (:class:`TableRows`): memory grows by tens of bytes a row, not by a
    dict each. The cyclic garbage collector is paused meanwhile (:func:`kam_xl.cycles.paused`).
    """
    with cycles.paused():
        return _read_databook(path, catalogue)


def _read_databook(path: str | Path, catalogue: Catalogue | None) -> DataBook:
    from kam_xl import sql  # a database URL or a .db/.sqlite/.sqlite3 path is read by kam_xl.sql

    registered_tables()
    catalogue = catalogue or load_catalogue()
    problems: list[Problem] = []
    if sql.is_database(path):
        source = label = sql.safe_reference(path)  # never with credentials
        sources = sql.sources(path, problems)
        opened = not problems
    else:
        path = Path(path)
        source, label = str(path), path.name
        sources = table_sources(path, problems)
        opened = path.is_dir() or not problems  # a workbook that could not be opened has no tables to miss
    tables, notes = _parse_tables(sources, problems)
    if "accounts" not in tables and "accounts" not in sources and opened:  # an unreadable one is reported
        problems.append(Problem(file=label, message="has no accounts table — required: a sheet or file "
                                                        "'accounts' with " + ", ".join(
                                                            c.name for c in TABLES["accounts"].columns)))
    check_tables(tables, problems, catalogue)
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


def demo_databook() -> DataBook:
    """The demo data set that ships with the package (a fictional German supplier of process chemicals)."""
    from importlib import resources as importlib_resources

    folder = importlib_resources.files("kam_xl") / "demo_data"
    with importlib_resources.as_file(folder) as p:
        return read_databook(p)
