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
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from pydantic import ValidationError

from kam_xl.errors import KamInputError, describe

P = ParamSpec("P")
R = TypeVar("R")

#: Prefix of every error text a kam_xl function returns, so that =ISTEXT/LEFT can test for it.
ERROR_PREFIX = "#KAM!"
EXCEL_ERRORS = (
    "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!", "#GETTING_DATA",
)

Grid = list[list[Any]]


class CellError(KamInputError):
    """A cell's value is not what the argument allows."""


def _where(what: str, index: int | None) -> str:
    return what if index is None else f"{what}: cell {index + 1}"


def _is_error_text(value: object) -> bool:
    return isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS


def number(value: Any, what: str, index: int | None = None, *, empty: bool = True) -> float | None:
    """A number from a cell; ``None`` for an empty cell (or an error when ``empty=False``)."""
    where = _where(what, index)
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if empty:
            return None
        raise CellError(f"{where}: is empty — allowed: a number")
    if isinstance(value, bool):
        raise CellError(f"{where}: holds {str(value).upper()} — allowed: a number")
    if isinstance(value, int | float):
        f = float(value)
        if not math.isfinite(f):
            raise CellError(f"{where}: holds {value!r} — allowed: a finite number")
        return f
    if _is_error_text(value):
        raise CellError(f"{where}: holds {value.strip()} — allowed: a number")
    if isinstance(value, dt.date | dt.datetime):
        raise CellError(f"{where}: holds the date {value:%d.%m.%Y} — allowed: a number")
    raise CellError(f"{where}: holds text {value!r} — allowed: a number")


def required(value: Any, what: str, index: int | None = None) -> float:
    """A number that must be there."""
    result = number(value, what, index, empty=False)
    assert result is not None
    return result


def text(value: Any, what: str, index: int | None = None, *, empty: bool = False) -> str:
    """A label from a cell (numbers are written as Excel shows them, e.g. ``2026`` not ``2026.0``)."""
    where = _where(what, index)
    if _is_error_text(value):
        raise CellError(f"{where}: holds {value.strip()} — allowed: a text")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = "" if value is None else str(value).strip()
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
