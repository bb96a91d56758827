"""A fingerprint of the data a workbook is built from, so that regeneration can tell "nothing changed".

:func:`fingerprint` hashes any mix of pydantic models, dataclasses, mappings, sequences, dates and plain values
(SHA-256 of a canonical JSON text: keys sorted, each model or dataclass tagged with its class name, floats as
Python writes them exactly). Two values give the same fingerprint exactly when they are equal as data, whatever
the order of a mapping's keys; a type it does not know is a :class:`TypeError`, never silently left out.

:class:`AccountPrints` fingerprints the data-book rows behind one account straight from the rows as read (the
quick "did this account's data change?" of ``generate``).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from kam_xl.databook.rows import TableRows


def _plain(value: Any) -> Any:
    """``value`` as JSON-able data (called by :func:`json.dumps` for what it cannot write itself)."""
    if isinstance(value, BaseModel):
        return {"__type__": type(value).__name__, **{k: getattr(value, k) for k in type(value).model_fields}}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__type__": type(value).__name__,
                **{f.name: getattr(value, f.name) for f in dataclasses.fields(value)}}
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, Set):
        return sorted(value, key=repr)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, _Columns):  # inside a value json writes whole (a model's field): the same text
        return [list(col) for col in value.rows.columns]
    raise TypeError(f"fingerprint: no rule for a value of type {type(value).__name__} ({value!r})")


_JSON = json.JSONEncoder(default=_plain, sort_keys=True, ensure_ascii=False, allow_nan=True, separators=(",", ":"))
#: how many stored values of a column are written out at a time (:class:`_Columns`)
_SLICE = 8192


def fingerprint(*values: Any) -> str:
    """The SHA-256 (hex, 64 characters) of ``values`` as canonical JSON (see the module docstring). The text is
    hashed as it is made, piece by piece (:func:`_pieces`): a whole data book is never one string in memory.

    >>> fingerprint({"b": 1, "a": [1.5, None]}) == fingerprint({"a": [1.5, None], "b": 1})
    True
    >>> fingerprint(0.1) == fingerprint(0.1000000000000001)
    False
    """
    digest = hashlib.sha256()
    for piece in _pieces(values):
        digest.update(piece.encode())
    return digest.hexdigest()


def _pieces(value: Any) -> Iterator[str]:
    """The canonical JSON text of ``value`` (exactly ``json.dumps`` with :data:`_JSON`'s options) in pieces:
    lists, tuples and mappings with text keys item by item, :class:`_Columns` slice by slice, anything else
    (a number, a text, a model …) as one piece."""
    if isinstance(value, _Columns):
        yield from value.pieces()
    elif isinstance(value, list | tuple) and value:
        yield "["
        for n, item in enumerate(value):
            if n:
                yield ","
            yield from _pieces(item)
        yield "]"
    elif isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
        yield "{"
        for n, key in enumerate(sorted(value)):
            yield ("," if n else "") + _JSON.encode(key) + ":"
            yield from _pieces(value[key])
        yield "}"
    else:
        yield _JSON.encode(value)


@dataclasses.dataclass(frozen=True)
class _Columns:
    """A :class:`~kam_xl.databook.rows.TableRows`' stored columns as :func:`fingerprint` hashes them: the same
    text as the list of the columns' values (``[[v, …], …]``), written :data:`_SLICE` values at a time."""

    rows: TableRows

    def pieces(self) -> Iterator[str]:
        """The JSON text of the columns, in pieces."""
        yield "["
        for n, col in enumerate(self.rows.columns):
            yield "," if n else ""
            yield "["
            for start in range(0, len(col), _SLICE):
                yield ("," if start else "") + _JSON.encode(list(col[start:start + _SLICE]))[1:-1]
            yield "]"
        yield "]"


def table_content(rows: Sequence[Mapping[str, Any]] | None) -> Any:
    """A table's rows in a form :func:`fingerprint` hashes quickly: a
    :class:`~kam_xl.databook.rows.TableRows` as its column names and stored columns (no row turned into a
    mapping, no column copied: read a slice at a time as it is hashed), any other sequence as the list of its
    rows, ``None`` as it is. Equal tables of the same storage give equal content."""
    if rows is None:
        return None
    if isinstance(rows, TableRows):
        return [rows.names, _Columns(rows)]
    return list(rows)


def _rows_of(rows: Sequence[Mapping[str, Any]], picked: Iterable[int]) -> list[Any]:
    """The rows numbered ``picked`` as plain lists: a :class:`~kam_xl.databook.rows.TableRows`' stored values
    straight from its columns (typed columns encode an empty cell one way, so equal stored values are equal
    data), any other sequence's rows as mappings."""
    if isinstance(rows, TableRows):
        return [[col[i] for col in rows.columns] for i in picked]
    return [rows[i] for i in picked]


class AccountPrints:
    """Fingerprints of the data-book rows behind each account, from the rows as read — no models built.

    ``AccountPrints(tables, account_ids, key_columns)(account_id, *extra)`` is the :func:`fingerprint` of

    * the account's rows of every table (in data order) — a table's rows belong to the account whose id is in
      its key column: ``key_columns.get(table, "account_id")`` (the excellence answers by ``respondent``);
    * everything in the tables that belongs to no account — every row of a table without that column and the
      rows whose key is no account of ``account_ids`` (settings, regions, questionnaire answers, the Small
      Accounts rows …) — as one digest made once: a change there changes every account's fingerprint;
    * and ``extra`` (the account's master data, the language …).

    So it changes whenever anything an account's workbook can be built from changes (more often than needed,
    never less), at the cost of reading the account's rows: the figures are in ``benchmarks/README.md``.
    ``tables`` maps table name → rows (``None`` for a table the data book lacks; an empty table counts the same,
    so the same data read from a CSV folder or a database gives the same fingerprints)."""

    def __init__(self, tables: Mapping[str, Sequence[Mapping[str, Any]] | None], account_ids: Iterable[str],
                 key_columns: Mapping[str, str] | None = None) -> None:
        ids = frozenset(account_ids)
        self._tables: list[tuple[str, Sequence[Mapping[str, Any]], dict[Any, Sequence[int]]]] = []
        shared: list[Any] = []
        for name in sorted(tables):
            rows = tables[name]
            if not rows:  # absent or empty: no rows either way (a CSV folder lacks the file, a database has the table)
                shared.append((name, None))
                continue
            key = (key_columns or {}).get(name, "account_id")
            groups = _groups(rows, key)
            if groups is None:
                shared.append((name, _rows_of(rows, range(len(rows)))))
                continue
            self._tables.append((name, rows, groups))
            others = sorted(i for k, picked in groups.items() if k not in ids for i in picked)
            shared.append((name, _rows_of(rows, others)))
        self.shared = fingerprint(shared)

    def __call__(self, account_id: str, *extra: Any) -> str:
        """The fingerprint of ``account_id``'s rows, the shared digest and ``extra`` (64 hex characters)."""
        own = [(name, _rows_of(rows, groups.get(account_id, ()))) for name, rows, groups in self._tables]
        # one account's rows and master data are small (≈ 13 kB of JSON for a demo account): their text made in
        # one go by json's C encoder instead of piece by piece (:func:`_pieces`, ~14,000 Python calls an account,
        # ≈ 3 ms of generate's ≈ 4.5 ms per plan in its own process) — the same text, so the same fingerprint
        return hashlib.sha256(_JSON.encode([self.shared, own, *extra]).encode()).hexdigest()


def _groups(rows: Sequence[Mapping[str, Any]], key: str) -> dict[Any, Sequence[int]] | None:
    """Row numbers by the value of column ``key``, or ``None`` when the table has no such column."""
    if isinstance(rows, TableRows):
        return rows.index_by(key) if key in rows.names else None
    if not rows or any(key not in r for r in rows):
        return None if rows else {}
    groups: dict[Any, list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(r[key], []).append(i)
    return groups
