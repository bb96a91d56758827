"""The data book in a SQL database, and what ``collect`` reads written back into it (SQLAlchemy 2 Core).

A database data book has the tables and columns of :data:`kam_xl.databook.TABLES` (more columns are ignored,
absent tables are absent as in a folder). ``--data`` takes a SQLAlchemy URL — ``sqlite:///kam.db``,
``postgresql+psycopg://kam@db.example/erp`` (``postgresql://`` means psycopg 3 too) — or a path ending in
``.db``, ``.sqlite`` or ``.sqlite3`` (a SQLite file). A schema other than the default is given as
``--db-schema``, carried with the URL as ``URL#schema=NAME`` (:func:`with_schema`). Credentials come from the
URL or libpq's ``PG*`` environment variables (``PGUSER``, ``PGPASSWORD``, ``PGHOST`` …, read by psycopg); they
are never shown: every message names the database by :func:`reference` (no user, no password) and error texts
have the password masked.

Rows are streamed (``yield_per``) in a fixed order — ``row_no`` first (the surrogate key of the tables without a
natural key; optional elsewhere, where it keeps the order a loader gives), then the key columns (byte order,
``COLLATE "C"`` on PostgreSQL) — and typed and checked by :func:`kam_xl.databook._parse_table`, the same checks
as for a file. A problem names the database, the table, the row in that order, the column, the row's key
(``account_id=KA-002, year=2026`` or ``row_no=17``) and the value.

:func:`create_tables` is ``kam-xl db init`` (DDL from :data:`TABLES`: types, primary keys, the foreign key to
``accounts``); :func:`write_databook_sql` is ``demo-data`` into a database; :func:`write_collected` is
``collect --to-db``: tables ``collected_<table>`` in one transaction.
"""

from __future__ import annotations

import decimal
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kam_xl.databook import TABLES, DataBook, Kind, Problem, Table
from kam_xl.databook.parsing import _show
from kam_xl.databook.schema import registered_tables
from kam_xl.databook.sources import Source as _Source

if TYPE_CHECKING:
    import sqlalchemy as sa

#: A path with one of these suffixes is a SQLite database (``--data``, ``demo-data``).
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
_SCHEMES = ("sqlite", "postgresql", "postgres")
_SCHEMA_MARK = "#schema="
#: the surrogate key / order column of every table (the primary key where a table has no natural key)
ROW_NO = "row_no"
COLLECTED_PREFIX = "collected_"
_TEXT_KINDS = frozenset({"text", "choice", "rating", "date"})  # a date as ISO text


class DatabaseError(Exception):
    """A database that cannot be used; the message names it without credentials and says why."""


def is_database(data: str | Path | None) -> bool:
    """Whether ``--data`` names a database: a ``sqlite``/``postgresql`` URL or a ``.db/.sqlite/.sqlite3`` path.

    >>> is_database("sqlite:///kam.db"), is_database("postgresql+psycopg://h/db"), is_database("kam.SQLite")
    (True, True, True)
    >>> is_database("data/"), is_database("book.xlsx"), is_database("https://x/kam.db"), is_database(None)
    (False, False, False, False)
    """
    if data is None:
        return False
    text = str(data)
    if "://" in text:
        return text.split("://", 1)[0].split("+", 1)[0].lower() in _SCHEMES
    return Path(text.split(_SCHEMA_MARK, 1)[0]).suffix.lower() in SQLITE_SUFFIXES


def with_schema(data: str, schema: str | None) -> str:
    """``data`` with the schema attached (how ``--db-schema`` travels with ``--data`` to every process)."""
    return f"{data}{_SCHEMA_MARK}{schema}" if schema else data


@dataclass(frozen=True)
class Database:
    """A database as kam_xl uses it: the SQLAlchemy URL (with any credentials; never shown) and the schema."""

    url: sa.URL
    schema: str | None = None

    @property
    def sqlite_file(self) -> Path | None:
        """The file of a SQLite database (``None`` for a server or an in-memory database)."""
        if self.url.get_backend_name() != "sqlite" or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database)

    def __str__(self) -> str:
        return reference(self)


def database(data: str | Path | Database, schema: str | None = None) -> Database:
    """``--data`` (a URL, a SQLite path, either with ``#schema=NAME``) as a :class:`Database`. A relative
    SQLite path is made absolute (so that every worker finds the same file); ``postgresql://`` and
    ``postgres://`` mean psycopg 3. Raises :class:`DatabaseError` for a URL SQLAlchemy cannot parse."""
    import sqlalchemy as sa

    if isinstance(data, Database):
        return data if schema is None else Database(data.url, schema)
    text = str(data)
    text, _, given = text.partition(_SCHEMA_MARK)
    schema = schema or given or None
    if "://" not in text:
        text = "sqlite:///" + str(Path(text).expanduser().resolve())
    try:
        url = sa.make_url(text)
    except (sa.exc.ArgumentError, ValueError) as e:
        raise DatabaseError(f"{_scheme_only(text)}: not a database URL ({e.__class__.__name__}) — allowed: "
                            "sqlite:///file.db or postgresql+psycopg://user@host/db") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        url = url.set(database=str(Path(url.database).expanduser().resolve()))
    return Database(url, schema)


def _scheme_only(text: str) -> str:
    return text.split("://", 1)[0] + "://…" if "://" in text else "the database path"


def reference(db: str | Path | Database) -> str:
    """How a database is named in every message, log and plan ``_meta``: its URL without user name and
    password (``postgresql+psycopg://db.example:5432/erp``), the schema appended as ``#schema=NAME``.

    >>> reference("postgresql://kam:geheim@db.example:5432/erp#schema=vertrieb")
    'postgresql+psycopg://db.example:5432/erp#schema=vertrieb'
    """
    d = db if isinstance(db, Database) else database(db)
    text = d.url._replace(username=None, password=None).render_as_string(hide_password=False)  # set() keeps None
    return with_schema(text, d.schema)


def _why(e: BaseException, db: Database) -> str:
    """A database error's reason, with the password (if any) masked and without SQLAlchemy's link."""
    text = str(getattr(e, "orig", None) or e).split("\n(Background on this error", 1)[0].strip()
    password = db.url.password
    if password:
        text = text.replace(str(password), "***")
    return " ".join(text.split())[:500]


def why(e: BaseException, data: str | Path | Database) -> str:
    """An error's text with the password of ``data`` (if any) masked."""
    try:
        return _why(e, database(data))
    except DatabaseError:
        return "(details withheld: the URL could not be parsed)"


def _not_a_follow_up(record: logging.LogRecord) -> bool:
    """psycopg logs "error ignored terminating <Pipeline …>" after a failed statement it already raised (and
    kam_xl reports with its reason): that repeat is dropped, every other record kept."""
    return not str(record.msg).startswith("error ignored terminating")


logging.getLogger("psycopg").addFilter(_not_a_follow_up)


def engine(db: Database, must_exist: bool = True) -> sa.Engine:
    """An engine for ``db``; for reading (``must_exist``), a SQLite file that is not there is an error rather
    than an empty database SQLite would create."""
    import sqlalchemy as sa

    f = db.sqlite_file
    if f is not None and must_exist and not f.is_file():
        raise DatabaseError(f"{reference(db)}: does not exist — allowed: an existing SQLite file "
                            "(kam-xl db init or demo-data creates one)")
    return sa.create_engine(db.url)


def _quote(db: Database, table: str) -> str:
    return f"{db.schema}.{table}" if db.schema else table


# ------------------------------------------------------------------------------------------------ reading


@dataclass
class _TableSource(_Source):
    """A table's rows from the database: ``cell`` names the current row by its key (problems are reported
    while the row is read)."""

    key_at: tuple[tuple[str, int], ...] = ()
    current: Sequence[Any] = field(default_factory=tuple)

    def cell(self, col_index: int, row_number: int, row: Sequence[Any] | None = None) -> str | None:
        if not self.key_at:
            return None
        values = self.current if row is None else row
        return ", ".join(f"{name}={'(empty)' if values[at] is None else _show(values[at])}"
                         for name, at in self.key_at)


def _plain(value: Any) -> Any:
    """A database value as the checks take it: ``Decimal`` as float, dates as ISO text."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def sources(data: str | Path | Database, problems: list[Problem]) -> dict[str, Callable[[], _Source | None]]:
    """The data-book tables found in the database (names compared without case), each as a function that
    opens its rows when its turn comes, as :func:`kam_xl.databook._sources` does for files. A database that
    cannot be reached or read is one problem (and no tables)."""
    import sqlalchemy as sa

    try:
        db = database(data)
        eng = engine(db)
        names = {n.casefold(): n for n in sa.inspect(eng).get_table_names(schema=db.schema)}
    except DatabaseError as e:
        problems.append(Problem(file=str(data) if not is_database(data) else safe_reference(data), message=str(e)))
        return {}
    except Exception as e:  # driver errors: connection refused, authentication, unknown schema …
        problems.append(Problem(file=safe_reference(data), message=f"cannot be read — {_why(e, db)}"))
        return {}
    found: dict[str, Callable[[], _Source | None]] = {}
    for name, table in registered_tables().items():
        if name in names:
            def open_table(actual: str = names[name], table: Table = table) -> _Source | None:
                return _open_table(eng, db, actual, table, problems)

            found[name] = open_table
    return found


def safe_reference(data: str | Path | Database) -> str:
    try:
        return reference(data)
    except DatabaseError as e:
        return str(e).split(":", 1)[0]


def _order(db: Database, t: sa.Table, table: Table) -> list[Any]:
    """ORDER BY: row_no (NULLs last) if the table has it, then the key columns, then (no key) every column
    of the schema, text in byte order on every database."""
    import sqlalchemy as sa

    cols = {c.name.casefold(): c for c in t.columns}
    text_kinds = {c.name: c.kind in _TEXT_KINDS for c in table.columns}
    wanted = list(table.key) or [c.name for c in table.columns]
    order: list[Any] = []
    if ROW_NO in cols:
        order.append(sa.nulls_last(cols[ROW_NO].asc()))
    postgres = db.url.get_backend_name() == "postgresql"
    for name in wanted:
        if name in cols:
            col = cols[name]
            order.append(col.collate("C") if postgres and text_kinds.get(name) else col)
    return order


def _open_table(eng: sa.Engine, db: Database, actual: str, table: Table, problems: list[Problem]
                ) -> _Source | None:
    """One table as a :class:`_TableSource`: header = the table's column names, rows streamed in order."""
    import sqlalchemy as sa

    ref = reference(db)
    try:
        t = sa.Table(actual, sa.MetaData(), schema=db.schema, autoload_with=eng)
        stmt = sa.select(*t.columns).order_by(*_order(db, t, table))
        conn = eng.connect()
    except Exception as e:
        problems.append(Problem(file=ref, sheet=actual, message=f"cannot be read — {_why(e, db)}"))
        return None
    header = [c.name for c in t.columns]
    folded = [h.casefold() for h in header]
    keys = [k for k in (table.key or ()) if k in folded]
    key_at = tuple((k, folded.index(k)) for k in keys)
    if ROW_NO in folded and (not table.key or table.name == "resources"):
        key_at = ((ROW_NO, folded.index(ROW_NO)),)
    src = _TableSource(file=ref, sheet=actual, header=header, rows=(), first_row=1, key_at=key_at)
    src.rows = _stream(conn, stmt, src)
    return src


def _stream(conn: sa.Connection, stmt: sa.Select[Any], src: _TableSource) -> Iterator[Sequence[Any]]:
    """The rows of ``stmt``, 1,000 at a time from the server; the connection is closed when the rows are
    read or the generator is closed."""
    try:
        result = conn.execution_options(yield_per=1000).execute(stmt)
        for row in result:
            values = [_plain(v) for v in row]
            src.current = values
            yield values
    finally:
        conn.close()


# ------------------------------------------------------------------------------------------------- DDL

def _sql_type(kind: Kind) -> Any:
    import sqlalchemy as sa

    if kind in _TEXT_KINDS:
        return sa.Text()
    if kind in ("year", "quarter"):
        return sa.Integer()
    if kind == "bool":
        return sa.Boolean()
    return sa.Double()


def _surrogate(table: Table) -> bool:
    """Tables whose rows have no natural key (or, ``resources``, a key with an empty part): ``row_no`` is
    their primary key."""
    return not table.key or table.name == "resources"


def metadata(schema: str | None = None) -> sa.MetaData:
    """The data-book tables as SQLAlchemy tables: one per :data:`TABLES` entry, columns typed by kind
    (text → TEXT, year/quarter → INTEGER, numbers → DOUBLE PRECISION, bool → BOOLEAN), required columns NOT
    NULL, the natural key as primary key (``row_no`` where there is none, and an optional ordering column
    elsewhere), ``account_id`` referencing ``accounts``."""
    import sqlalchemy as sa

    md = sa.MetaData(schema=schema)
    accounts: sa.Table | None = None
    for table in registered_tables().values():
        surrogate = _surrogate(table)
        cols: list[sa.Column[Any]] = [sa.Column(ROW_NO, sa.Integer(), primary_key=surrogate, autoincrement=False,
                                                nullable=not surrogate)]
        for c in table.columns:
            args: list[Any] = []
            if c.name == "account_id" and accounts is not None:
                args.append(sa.ForeignKey(accounts.c.account_id))
            in_key = not surrogate and c.name in table.key
            cols.append(sa.Column(c.name, _sql_type(c.kind), *args, primary_key=in_key,
                                  nullable=not (c.required or in_key)))
        t = sa.Table(table.name, md, *cols, comment=table.description or None)
        if table.name == "accounts":
            accounts = t
    return md


def ddl(dialect: str = "postgresql", schema: str | None = None) -> str:
    """The CREATE TABLE statements of :func:`metadata` for a dialect (``postgresql`` or ``sqlite``), as the
    README shows them."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql, sqlite

    d = postgresql.dialect() if dialect == "postgresql" else sqlite.dialect()
    text = "\n".join(str(sa.schema.CreateTable(t).compile(dialect=d)).strip() + ";"
                     for t in metadata(schema).sorted_tables)
    return "\n".join(line.rstrip().replace("\t", "    ") for line in text.splitlines())


def create_tables(data: str | Path | Database) -> list[str]:
    """``kam-xl db init``: create the data-book tables that do not exist yet (existing ones are left as
    they are); the schema is created if given and missing. Returns the names of the tables created.
    Raises :class:`DatabaseError` saying why."""
    import sqlalchemy as sa

    db = database(data)
    try:
        eng = engine(db, must_exist=False)
        with eng.begin() as conn:
            if db.schema and db.schema not in sa.inspect(conn).get_schema_names():
                conn.execute(sa.schema.CreateSchema(db.schema))
            existing = set(sa.inspect(conn).get_table_names(schema=db.schema))
            metadata(db.schema).create_all(conn)
    except DatabaseError:
        raise
    except Exception as e:
        raise DatabaseError(f"{reference(db)}: tables not created — {_why(e, db)}") from None
    return [name for name in TABLES if name not in existing]


def _value(kind: Kind, value: Any) -> Any:
    if value is None:
        return None
    if kind in _TEXT_KINDS:
        return str(value)
    return value


def _rows(table: Table, rows: Sequence[dict[str, Any]], extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return [{ROW_NO: i, **{c.name: _value(c.kind, r.get(c.name)) for c in table.columns}, **(extra or {})}
            for i, r in enumerate(rows, start=1)]


def write_databook_sql(book: DataBook, data: str | Path | Database) -> str:
    """``demo-data kam.db`` / a URL: create the tables and fill them with ``book`` in one transaction
    (``row_no`` = the row's position). A database whose data-book tables hold rows is refused, never
    overwritten. Returns the database's :func:`reference`; raises :class:`DatabaseError`."""
    import sqlalchemy as sa

    db = database(data)
    create_tables(db)
    md = metadata(db.schema)
    tables = {"accounts": [a.model_dump() for a in book.accounts]}
    tables.update({k: list(v) for k, v in book.tables.items() if v is not None and k != "accounts"})
    try:
        with engine(db).begin() as conn:
            filled = [n for n in TABLES if conn.execute(sa.select(sa.func.count()).select_from(
                md.tables[_quote(db, n)])).scalar_one()]
            if filled:
                raise DatabaseError(f"{reference(db)}: already holds a data book (rows in {', '.join(filled)}) — "
                                    "allowed: a new database or empty tables; nothing was written")
            for t in md.sorted_tables:
                rows = tables.get(t.name)
                if rows:
                    conn.execute(t.insert(), _rows(TABLES[t.name], rows))
    except DatabaseError:
        raise
    except Exception as e:
        raise DatabaseError(f"{reference(db)}: nothing written — {_why(e, db)}") from None
    return reference(db)


# ------------------------------------------------------------------------------------------ collect --to-db

def collected_metadata(schema: str | None = None) -> sa.MetaData:
    """``collected_<table>`` for every data-book table: the table's columns (typed, all nullable, no keys —
    a KAM's file may name an account the ERP does not know), ``row_no`` (order within the run), the file the
    row was read from (``source_file``, relative to the collected folder) and when (``collected_at``, UTC)."""
    import sqlalchemy as sa

    md = sa.MetaData(schema=schema)
    for table in TABLES.values():
        sa.Table(COLLECTED_PREFIX + table.name, md, sa.Column(ROW_NO, sa.Integer(), nullable=False),
                 *(sa.Column(c.name, _sql_type(c.kind)) for c in table.columns),
                 sa.Column("source_file", sa.Text(), nullable=False),
                 sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
                 comment=f"collected from the KAMs' files: {table.description}")
    return md


@dataclass
class CollectedWrite:
    """What ``collect --to-db`` wrote: rows per table, and the accounts / respondents whose rows it replaced."""

    rows: dict[str, int]
    accounts: list[str]
    respondents: list[str]


def write_collected(book: DataBook, files: dict[tuple[str, str], str], data: str | Path | Database,
                    collected_at: datetime, typed_in: Mapping[str, str] | None = None) -> CollectedWrite:
    """Write the tidy export ``book`` (:func:`kam_xl.batch.plans_to_databook`) into ``collected_<table>`` in
    one transaction: the tables are created if missing; for every account read, its rows in every
    account-keyed table are deleted and the new ones inserted (``excellence``: per respondent). Any failure
    rolls the whole run back; raises :class:`DatabaseError` naming the database (no credentials) and why.
    ``files``: ``("plan", account id)`` / ``("questionnaire", respondent)`` → the file's path, each row's
    ``source_file``; ``typed_in``: a table typed on the controller → the controller's path, the ``source_file`` of
    all its rows (they were credited to the plans, which hold no such inputs: a user's trial)."""
    import sqlalchemy as sa

    from kam_xl.workbook.account_plan import ACCOUNT_ROLE

    db = database(data)
    md = collected_metadata(db.schema)
    accounts = [a.account_id for a in book.accounts]
    tables = {"accounts": [a.model_dump() for a in book.accounts]}
    tables.update({k: list(v) for k, v in book.tables.items() if v is not None and k != "accounts"})
    excellence = tables.get("excellence") or []
    respondents = sorted({r["respondent"] for r in excellence})

    def source(name: str, row: dict[str, Any]) -> str:
        if typed_in and name in typed_in:
            return typed_in[name]
        if name == "excellence":
            role = ("plan", row["respondent"]) if row.get("role") == ACCOUNT_ROLE else ("questionnaire",
                                                                                         row["respondent"])
            return files.get(role, "")
        return files.get(("plan", row.get("account_id") or ""), "")

    written: dict[str, int] = {}
    try:
        with engine(db, must_exist=False).begin() as conn:
            if db.schema and db.schema not in sa.inspect(conn).get_schema_names():
                conn.execute(sa.schema.CreateSchema(db.schema))
            md.create_all(conn)
            for name, table in TABLES.items():
                t = md.tables[_quote(db, COLLECTED_PREFIX + name)]
                if name == "excellence":
                    conn.execute(t.delete().where(t.c.respondent.in_(respondents)))
                elif "account_id" in t.c:
                    conn.execute(t.delete().where(t.c.account_id.in_(accounts)))
                rows = tables.get(name) or []
                if rows:
                    conn.execute(t.insert(), [{**r, "source_file": source(name, orig), "collected_at": collected_at}
                                              for r, orig in zip(_rows(table, rows), rows, strict=True)])
                written[name] = len(rows)
    except DatabaseError:
        raise
    except Exception as e:
        raise DatabaseError(f"{reference(db)}: nothing written, the database is as before — {_why(e, db)}") from None
    return CollectedWrite(written, accounts, respondents)
