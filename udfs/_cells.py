"""What arrives from Excel, made into clean values — or a short error text for the cell.

Both xlwings runtimes hand a function what the cells hold: numbers as ``float``, empty cells as ``None``,
text as ``str``, dates as ``datetime``, a single cell as a scalar, a row or column as a list, a block as a
list of rows (``ndim=2``). Error cells arrive as their text (``err_to_str=True`` on every range argument,
e.g. ``"#DIV/0!"``). The helpers here check those values and raise :class:`CellError` naming the argument,
the cell's position in it and what is allowed; :func:`excel_errors` turns that (and any
:class:`~kam_xl.errors.KamInputError` of the pure functions) into the text the cell shows, e.g.
``#KAM! weights: cell 3 holds text '1.234,5' — allowed: a number``. A Python traceback never reaches Excel.

>>> numbers([[40.0], [None], [60.0]], "weights")
[40.0, None, 60.0]
>>> number("1.234,5", "weights")
Traceback (most recent call last):
...
udfs._cells.CellError: weights: holds text '1.234,5' — allowed: a number
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from pydantic import ValidationError

from kam_xl.cells import CellError as ErrorValue
from kam_xl.errors import KamInputError, describe, validation_problems
from kam_xl.text import choice_key
from kam_xl.workbook import coerce

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
M = TypeVar("M")

#: Prefix of every error text a kam_xl function returns, so that =ISTEXT/LEFT can test for it.
ERROR_PREFIX = "#KAM!"
#: Excel's error values as both runtimes pass them with ``err_to_str=True`` (Office.js: the error's basicValue).
EXCEL_ERRORS = (
    "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!", "#GETTING_DATA",
    "#BUSY!", "#FIELD!", "#CONNECT!", "#BLOCKED!", "#UNKNOWN!", "#PYTHON!",
)

Grid = list[list[Any]]


def range_arg(doc: str) -> dict[str, Any]:
    """xlwings' options of a range argument, as ``Annotated[Any, range_arg("…")]``: the cells as rows
    (``ndim=2``), error cells as their text, ``doc`` as the argument's help in Excel. Both runtimes read
    these from the type hint (``xlwings.udfs.xlfunc`` and ``xlwings.server.func``), as ``@xw.arg`` would set them.
    """
    return {"ndim": 2, "err_to_str": True, "doc": doc}


def cell_arg(doc: str) -> dict[str, Any]:
    """xlwings' options of a one-cell argument, as ``Annotated[Any, cell_arg("…")]``: its value as it is,
    an error cell as its text, ``doc`` as the argument's help in Excel."""
    return {"err_to_str": True, "doc": doc}


class CellError(KamInputError):
    """A cell's value is not what the argument allows."""


def _where(what: str, index: int | None) -> str:
    return what if index is None else f"{what}: cell {index + 1}"


def is_error_text(value: object) -> bool:
    """True for an error cell as ``err_to_str=True`` passes it, e.g. ``"#N/A"``."""
    return isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS


def is_empty(value: object) -> bool:
    """True for an empty cell: ``None`` (classic, and Office.js with xlwings' conversion) or a blank text."""
    return value is None or (isinstance(value, str) and not value.strip())


def _as_read(value: Any) -> Any:
    """A cell's value as the sheet readers get it (:mod:`kam_xl.workbook.coerce`): an error cell, which Excel
    functions get as its text (``err_to_str=True``), as :class:`kam_xl.cells.CellError`; a blank text as empty."""
    if is_error_text(value):
        return ErrorValue(value.strip().upper())
    return None if is_empty(value) else value


def _holds(value: Any) -> str:
    """What a refused cell holds, in words: ``TRUE``, ``#N/A``, ``the date 31.03.2026``, ``text '12'``."""
    if isinstance(value, bool):
        return str(value).upper()
    if is_error_text(value):
        return value.strip()
    if isinstance(value, dt.date | dt.datetime):
        return f"the date {value:%d.%m.%Y}"
    return repr(value) if isinstance(value, int | float) else f"text {value!r}"


def number(value: Any, what: str, index: int | None = None, *, empty: bool = True) -> float | None:
    """A number from a cell; ``None`` for an empty cell (or an error when ``empty=False``).

    The rule is the sheet readers' (:func:`kam_xl.workbook.coerce.number`): a finite number, never a text (also
    ``"12"``), a boolean, a date or an error value. What differs is only the wording: an Excel function names
    the argument and the cell's position in it, and says what the cell holds."""
    if value.__class__ is float and math.isfinite(value):  # what nearly every cell holds: checked first
        return value
    where = _where(what, index)
    try:
        found = coerce.number(_as_read(value), required=not empty)
    except coerce.Refusal:
        if is_empty(value):
            raise CellError(f"{where}: is empty — allowed: a number") from None
        finite = "a finite number" if isinstance(value, int | float) and not isinstance(value, bool) else "a number"
        raise CellError(f"{where}: holds {_holds(value)} — allowed: {finite}") from None
    return found


def required(value: Any, what: str, index: int | None = None) -> float:
    """A number that must be there."""
    result = number(value, what, index, empty=False)
    assert result is not None
    return result


def text(value: Any, what: str, index: int | None = None, *, empty: bool = False) -> str:
    """A label from a cell under the one text rule of every reader (:func:`kam_xl.workbook.coerce.text`, i.e.
    :func:`kam_xl.text.clean_text`: Unicode NFC, spaces folded and trimmed, whole numbers as ``2026`` not
    ``2026.0``); dates as ``2026-03-31``. Unlike a sheet's input cell, an argument has no length limit."""
    where = _where(what, index)
    if isinstance(value, dt.datetime | dt.date):
        value = f"{value:%Y-%m-%d}"
    try:
        result = coerce.text(_as_read(value), max_chars=sys.maxsize) or ""
    except coerce.Refusal:
        raise CellError(f"{where}: holds {_holds(value)} — allowed: a text") from None
    if not result and not empty:
        raise CellError(f"{where}: is empty — allowed: a text")
    return result


def grid(value: Any) -> Grid:
    """Any range value as a list of rows (a single cell becomes ``[[value]]``, a row ``[row]``)."""
    if not isinstance(value, list | tuple):
        return [[value]]
    if not value:
        return []
    if not isinstance(value[0], list | tuple):
        return [list(value)]
    return [list(row) for row in value]


def cells(value: Any, what: str) -> list[Any]:
    """A one-row or one-column range as a flat list of its cells."""
    rows = grid(value)
    if len(rows) <= 1:
        return list(rows[0]) if rows else []
    if all(len(row) == 1 for row in rows):
        return [row[0] for row in rows]
    raise CellError(f"{what}: is a block of {len(rows)} × {len(rows[0])} cells — allowed: one row or one column")


def numbers(value: Any, what: str, *, empty: bool = True) -> list[float | None]:
    """A one-row or one-column range of numbers (empty cells ``None`` unless ``empty=False``)."""
    return [number(v, what, i, empty=empty) for i, v in enumerate(cells(value, what))]


def texts(value: Any, what: str) -> list[str]:
    """A one-row or one-column range of labels; empty cells are not allowed."""
    return [text(v, what, i) for i, v in enumerate(cells(value, what))]


def flag(value: Any, what: str, default: bool) -> bool:
    """TRUE or FALSE from a cell: Excel's booleans, 1 or 0, or the words TRUE/FALSE, WAHR/FALSCH, ja/nein,
    yes/no; an empty cell gives ``default``.

    >>> flag(None, "higher_is_better", True), flag("FALSCH", "higher_is_better", True), flag(1.0, "x", False)
    (True, False, True)
    """
    if is_empty(value):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().casefold() in _FLAG_WORDS:
        return _FLAG_WORDS[value.strip().casefold()]
    shown = value.strip() if is_error_text(value) else f"{value!r}"
    raise CellError(f"{what}: holds {shown} — allowed: TRUE or FALSE (or 1 / 0), empty for {str(default).upper()}")


_FLAG_WORDS = {
    **dict.fromkeys(("true", "wahr", "ja", "yes", "1"), True),
    **dict.fromkeys(("false", "falsch", "nein", "no", "0"), False),
}


def choice(value: Any, what: str, words: dict[str, T], default: T | None = None) -> T:
    """One of a few words (case-insensitive, any dash, as :func:`kam_xl.text.choice_key`); ``words`` maps each
    accepted word to its meaning. An empty cell gives ``default`` (an error when there is none).

    >>> choice("EN", "lang", {"de": "de", "en": "en"}, "de")
    'en'
    """
    if is_empty(value) and default is not None:
        return default
    found = coerce.offered(text(value, what, empty=True), tuple(words))  # as the sheets' drop-downs match
    if found is None:
        shown = f"{value!r}" if choice_key(text(value, what, empty=True)) else "nothing"
        allowed: dict[str, str] = {}
        for word in words:  # each word once, in the order given
            allowed.setdefault(word.casefold(), word)
        raise CellError(f"{what}: holds {shown} — allowed: {', '.join(allowed.values())}")
    return words[found]


def optional_number(value: Any, what: str, default: float | None) -> float | None:
    """A number from an optional argument; ``default`` when it is omitted or empty."""
    result = number(value, what)
    return default if result is None else result


def all_empty(value: Any) -> bool:
    """True for an omitted argument or a range whose cells are all empty."""
    return all(is_empty(v) for row in grid(value) for v in row)


def is_column(value: Any) -> bool:
    """True when a range value is a column of more than one cell (so a result for it is laid out as a column)."""
    rows = grid(value)
    return len(rows) > 1 and all(len(row) == 1 for row in rows)


def laid_out_like(values: list[Any], like: Any) -> Grid:
    """One value per cell of ``like`` (a row or a column), laid out the same way: a column for a column, else a
    row.

    >>> laid_out_like([1.0, 2.0], [[10], [20]]), laid_out_like([1.0, 2.0], [[10, 20]])
    ([[1.0], [2.0]], [[1.0, 2.0]])
    """
    return [[v] for v in values] if is_column(like) else [list(values)]


def block_like(rows: Grid, like: Any) -> Grid:
    """A block whose columns stand for the cells of ``like`` (quarters, suppliers …): as it is when ``like`` is a
    row, transposed when ``like`` is a column, so the result lines up with its input."""
    return [list(col) for col in zip(*rows, strict=True)] if is_column(like) else rows


def table_rows(value: Any, what: str, columns: tuple[str, ...]) -> list[list[Any] | None]:
    """The rows of a block with exactly ``len(columns)`` columns; an entirely empty row is ``None`` (a free row
    of the sheet, skipped — its result row stays empty). An omitted argument has no rows; an empty range of any
    shape has only free rows.
    """
    if value is None:  # an omitted optional argument
        return []
    rows = grid(value)
    if all_empty(rows):  # an empty range, of any shape
        return [None] * len(rows)
    if rows and len(rows[0]) != len(columns):
        raise CellError(f"{what}: {len(rows[0])} columns — allowed: {len(columns)} ({', '.join(columns)})")
    return [None if all(is_empty(v) for v in row) else row for row in rows]


def build(model: Callable[..., M], where: str, names: dict[str, str] | None = None, **fields: Any) -> M:
    """``model(**fields)``, with pydantic's validation errors as one :class:`CellError` that names ``where``
    and, through ``names``, the cell each field came from.

    >>> from kam_xl.cdb import CdbInput
    >>> build(CdbInput, "amounts", {"freight": "cell 4 (freight)"}, gross_sales=10, freight=-1)
    Traceback (most recent call last):
    ...
    udfs._cells.CellError: amounts: cell 4 (freight): Input should be greater than or equal to 0
    """
    try:
        return model(**fields)
    except ValidationError as exc:
        parts = [f"{loc}: {msg}" if loc else msg for loc, msg in validation_problems(exc, names)]
        prefix = f"{where}: " if where else ""
        raise CellError(prefix + "; ".join(parts)) from None


def count(n: int, noun: str) -> str:
    """``"1 cell"``, ``"3 cells"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def same_length(what: dict[str, int]) -> None:
    """Arguments that describe the same rows must have as many cells each."""
    if len(set(what.values())) > 1:
        sizes = ", ".join(f"{k} {v}" for k, v in what.items())
        raise CellError(f"ranges of different length ({sizes}) — allowed: one cell per row in each")


def excel_errors(f: Callable[P, R]) -> Callable[P, R | str]:
    """Return a short ``#KAM! …`` text instead of raising, for every input error of ``f``.

    Input errors (:class:`~kam_xl.errors.KamInputError`, pydantic's ``ValidationError``) give their message;
    anything else (a bug) gives its type and message with a request to report it — never a traceback.
    """

    @functools.wraps(f)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | str:
        try:
            return f(*args, **kwargs)
        except (KamInputError, ValidationError) as exc:
            return f"{ERROR_PREFIX} {describe(exc)}"
        except Exception as exc:  # a bug: short text in the cell, not a traceback
            return f"{ERROR_PREFIX} internal error ({type(exc).__name__}: {exc}) — please report it"

    return wrapper
