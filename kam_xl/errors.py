"""Error types shared by every kam_xl module.

Domain functions raise :class:`KamInputError` (a :class:`ValueError`) with a message that says what is wrong
and what is allowed. The data-book reader collects many problems into one :class:`DataBookError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError


class KamInputError(ValueError):
    """An input to a kam_xl calculation breaks a rule of the method.

    The message names the offending value and what is allowed, e.g.
    ``"Kgb weights sum to 90 — allowed: fractions summing to 1 or points summing to 100"``.
    """


#: How a sheet reader reports a problem with an input and reads on: ``report(defined name, row, column, value as
#: shown, what is allowed)`` (row and column within the named range, ``None`` for a single cell). Not to be
#: confused with :class:`kam_xl.databook.Problem`, one located problem of a data book.
ReportProblem = Callable[[str, int | None, int | None, Any, str], None]


def validation_problems(exc: ValidationError, names: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The one translation of pydantic's ``ValidationError``: each error as (where, message) — where is the
    field's location joined by dots (through ``names`` where it maps it, e.g. to the cell a field came from;
    ``""`` for a rule across fields), message without pydantic's ``Value error,`` prefix.

    >>> from pydantic import BaseModel, Field
    >>> class M(BaseModel):
    ...     x: float = Field(ge=0)
    >>> try:
    ...     M(x=-1)
    ... except ValidationError as e:
    ...     validation_problems(e, {"x": "cell 1 (x)"})
    [('cell 1 (x)', 'Input should be greater than or equal to 0')]
    """
    found = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e.get("loc", ()))
        found.append(((names or {}).get(loc, loc), str(e.get("msg", "")).removeprefix("Value error, ")))
    return found


def describe(exc: BaseException) -> str:
    """A short, user-facing text for an input error, without pydantic's boilerplate.

    pydantic wraps errors raised in validators into a ``ValidationError``; this returns the messages only,
    each prefixed by the field it concerns, e.g. ``"rating: Input should be 0, 25, 50, 75, 100 or 'n.r.'"``.
    """
    if isinstance(exc, ValidationError):
        return "; ".join(f"{loc}: {msg}" if loc else msg for loc, msg in validation_problems(exc))
    return str(exc)
