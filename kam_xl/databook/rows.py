"""The compact storage of a table as read: one typed column per field (:class:`TableRows`)."""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import compress, groupby, repeat
from operator import eq
from typing import Any, overload

from kam_xl.databook.schema import Kind

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


def _decoded(kind: str, values: Iterable[Any]) -> list[Any]:
    """Stored values of a column of ``kind`` as read: an empty cell (NaN, the missing whole number, a negative
    flag) as ``None``, a flag as ``bool``."""
    if kind in _FLOAT_KINDS:
        return [v if v == v else None for v in values]  # NaN: an empty cell
    if kind in ("year", "quarter"):
        return [None if v == _NO_INT else v for v in values]
    if kind == "bool":
        return [None if v < 0 else bool(v) for v in values]
    return list(values)


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


#: Ordinals shared by every :class:`RowIndex` (an int above 256 is an object of its own: one copy each).
_ORDINALS: list[int] = []


class RowIndex(Mapping[Any, Sequence[int]]):
    """Row numbers by the value of a column, as :meth:`TableRows.index_by` builds it: a read-only mapping of each
    value (in the order of its first row) to its rows, ascending. A value whose rows are one run (an account's
    rows in a file sorted by account: the usual) is kept as its run's bounds in two typed arrays and handed out
    as a ``range``; any other as an ``array`` of its row numbers. Memory: the dict's entry and 8 bytes a value
    (instead of an ``array`` object each: 26 → 8 MiB for the tables of 10,000 accounts)."""

    __slots__ = ("_slots", "_starts", "_stops")

    def __init__(self, values: Sequence[Any]):
        slots: dict[Any, int | array] = {}
        starts, stops = array("I"), array("I")
        i = 0
        for v, run in groupby(values):
            n = len(list(run))
            slot = slots.get(v)
            if slot is None:
                if len(_ORDINALS) <= len(starts):
                    _ORDINALS.extend(range(len(_ORDINALS), 2 * len(starts) + 64))
                slots[v] = _ORDINALS[len(starts)]
                starts.append(i)
                stops.append(i + n)
            else:  # a value's second run: its rows listed (its place in the order kept)
                rows = slot if isinstance(slot, array) else array("I", range(starts[slot], stops[slot]))
                rows.extend(range(i, i + n))
                slots[v] = rows
            i += n
        self._slots, self._starts, self._stops = slots, starts, stops

    def _rows(self, slot: int | array) -> Sequence[int]:
        return slot if isinstance(slot, array) else range(self._starts[slot], self._stops[slot])

    def __getitem__(self, value: Any) -> Sequence[int]:
        return self._rows(self._slots[value])

    def get(self, value: Any, default: Any = None) -> Any:
        slot = self._slots.get(value)
        return default if slot is None else self._rows(slot)

    def __contains__(self, value: object) -> bool:
        return value in self._slots

    def __iter__(self) -> Iterator[Any]:
        return iter(self._slots)

    def __len__(self) -> int:
        return len(self._slots)


class TableRows(Sequence[dict[str, Any]]):
    """A data-book table as read: one compact column per field (see :func:`_store`), each row handed out as a
    fresh ``dict`` (column name → typed value) when asked for: tens of bytes a row instead of a dict each (the
    figures: ``benchmarks/README.md``, "Figures behind the code"); equal to a list of the same dicts."""

    __slots__ = ("_bools", "_decoders", "_floats", "_index", "_ints", "columns", "kinds", "names")

    def __init__(self, names: tuple[str, ...], kinds: tuple[Kind, ...], columns: list[list[Any] | array]):
        self.names, self.kinds, self.columns = names, kinds, columns
        self._decoders = [_decoder(k) for k in kinds]
        self._index: dict[str, RowIndex] = {}
        # the columns whose stored values read back differently (what row() decodes in place)
        self._floats = tuple(j for j, k in enumerate(kinds) if k in _FLOAT_KINDS)
        self._ints = tuple(j for j, k in enumerate(kinds) if k in ("year", "quarter"))
        self._bools = tuple(j for j, k in enumerate(kinds) if k == "bool")

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def value(self, i: int, column: int) -> Any:
        """The value of row ``i`` in column number ``column``."""
        v = self.columns[column][i]
        decode = self._decoders[column]
        return v if decode is None else decode(v)

    def column_values(self, column: int) -> list[Any]:
        """Every value of column number ``column``, decoded, in row order."""
        return _decoded(self.kinds[column], self.columns[column])

    def key_values(self, column: int) -> Sequence[Any]:
        """The values of column number ``column`` as compared for keys: equal exactly where the decoded values
        are (the stored column itself where each value has one stored form; floats decoded, an empty cell's NaN
        being unequal to itself)."""
        return self.column_values(column) if self.kinds[column] in _FLOAT_KINDS else self.columns[column]

    def row(self, i: int) -> dict[str, Any]:
        """Row ``i`` as a dict (decoded as :meth:`value` reads each value, inline: a report reads every row)."""
        values = [col[i] for col in self.columns]
        for j in self._floats:
            if values[j] != values[j]:  # NaN: an empty cell
                values[j] = None
        for j in self._ints:
            if values[j] == _NO_INT:
                values[j] = None
        for j in self._bools:
            values[j] = None if values[j] < 0 else bool(values[j])
        return dict(zip(self.names, values, strict=True))

    def rows(self, indices: Sequence[int]) -> list[dict[str, Any]]:
        """Rows ``indices`` as dicts, equal to ``[self.row(i) for i in indices]``, made column by column."""
        columns = [self._values_at(j, indices) for j in range(len(self.names))]
        names = self.names
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]

    def values_at(self, indices: Sequence[int], names: Sequence[str]) -> list[list[Any]]:
        """The values of columns ``names`` in rows ``indices``, one list per column (decoded as :meth:`value`
        reads them): what :meth:`rows` would give of those columns, without a dict per row."""
        return [self._values_at(self.names.index(name), indices) for name in names]

    def _values_at(self, column: int, indices: Sequence[int]) -> list[Any]:
        return _decoded(self.kinds[column], map(self.columns[column].__getitem__, indices))

    def select(self, indices: Iterable[int], match: dict[str, Any]) -> list[int]:
        """The row numbers of ``indices`` whose columns hold the values of ``match`` (column name → value, as
        :meth:`value` reads it), compared as stored where a value has one stored form."""
        wanted = []
        for name, v in match.items():
            c = self.names.index(name)
            stored = _encode(self.kinds[c], v)
            wanted.append((self.columns[c], stored) if stored == stored else (c, v))  # NaN: compare decoded
        found = list(indices)
        for col, v in wanted:
            if isinstance(col, int):
                found = [i for i in found if self.value(i, col) == v]
            else:  # the rows whose stored value equals v, compared in C code
                found = list(compress(found, map(eq, map(col.__getitem__, found), repeat(v))))
        return found

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

    def take(self, indices: Sequence[int]) -> TableRows:
        """A table of the rows ``indices`` (in that order), stored as compactly as this one."""
        columns: list[list[Any] | array] = [array(col.typecode, map(col.__getitem__, indices))
                                            if isinstance(col, array) else list(map(col.__getitem__, indices))
                                            for col in self.columns]
        return TableRows(self.names, self.kinds, columns)

    def index_by(self, name: str) -> RowIndex:
        """Row numbers by the value of column ``name`` (built once, kept: :class:`RowIndex`, some tens of bytes
        a value)."""
        found = self._index.get(name)
        if found is None:
            found = self._index[name] = RowIndex(self.column_values(self.names.index(name)))
        return found


    # -- building a table row by row (collect's export, consolidating) ------------------------------------

    @classmethod
    def empty(cls, names: tuple[str, ...], kinds: tuple[Kind, ...]) -> TableRows:
        """A table without rows whose columns ``names`` hold values of ``kinds`` (stored as :func:`_store`)."""
        return cls(names, kinds, [_store(k) for k in kinds])

    def append(self, values: Sequence[Any]) -> None:
        """Add one row: ``values`` in the order of :attr:`names` (``None`` for an empty cell). A value is
        stored by its column's kind, so an amount reads back as a ``float`` and a year as an ``int``; a text is
        interned (ids, names and choice words repeat on thousands of rows: one copy each, as when read)."""
        for column, kind, value in zip(self.columns, self.kinds, values, strict=True):
            column.append(sys.intern(value) if type(value) is str else _encode(kind, value))
        self._index.clear()

    def taken(self, rows: Sequence[int] | array) -> TableRows:
        """A new table of the rows numbered ``rows`` (in that order), stored as compactly as this one."""
        columns = [array(c.typecode, (c[i] for i in rows)) if isinstance(c, array) else [c[i] for i in rows]
                   for c in self.columns]
        return TableRows(self.names, self.kinds, columns)

    def joined(self, other: TableRows) -> TableRows:
        """A new table of this table's rows followed by ``other``'s; both must have the same columns
        (``ValueError`` otherwise)."""
        if (self.names, self.kinds) != (other.names, other.kinds):
            raise ValueError(f"tables of different columns cannot be joined: {self.names} and {other.names}")
        return TableRows(self.names, self.kinds, [a + b for a, b in zip(self.columns, other.columns, strict=True)])
