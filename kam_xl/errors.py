"""Error types shared by every kam_xl module.

Domain functions raise :class:`KamInputError` (a :class:`ValueError`) with a message that says what is wrong
and what is allowed. The data-book reader collects many problems into one :class:`DataBookError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ValidationProblem:
    """One error of a pydantic ``ValidationError`` as kam_xl words it: ``where`` the field's location joined by
    dots (``""`` for a rule across fields), ``message`` without pydantic's ``Value error,`` prefix, and what a
    caller may word more precisely from: the error's ``kind`` (pydantic's type), ``ctx`` and ``value``."""

    loc: tuple[str | int, ...]
    where: str
    message: str
    kind: str
    ctx: Mapping[str, Any]
    value: Any


def validation_details(exc: ValidationError) -> list[ValidationProblem]:
    """The one translation of pydantic's ``ValidationError``: each error as a :class:`ValidationProblem`."""
    return [ValidationProblem(loc=tuple(e.get("loc", ())), where=".".join(str(p) for p in e.get("loc", ())),
                              message=str(e.get("msg", "")).removeprefix("Value error, "), kind=e["type"],
                              ctx=e.get("ctx", {}), value=e.get("input")) for e in exc.errors()]


def validation_problems(exc: ValidationError, names: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """Each error of a ``ValidationError`` as (where, message) (:func:`validation_details`), ``where`` mapped
    through ``names`` where it maps it (e.g. to the cell a field came from).

    >>> from pydantic import BaseModel, Field
    >>> class M(BaseModel):
    ...     x: float = Field(ge=0)
    >>> try:
    ...     M(x=-1)
    ... except ValidationError as e:
    ...     validation_problems(e, {"x": "cell 1 (x)"})
    [('cell 1 (x)', 'Input should be greater than or equal to 0')]
    """
    return [((names or {}).get(p.where, p.where), p.message) for p in validation_details(exc)]


def describe(exc: BaseException) -> str:
    """A short, user-facing text for an input error, without pydantic's boilerplate.

    pydantic wraps errors raised in validators into a ``ValidationError``; this returns the messages only,
    each prefixed by the field it concerns, e.g. ``"rating: Input should be 0, 25, 50, 75, 100 or 'n.r.'"``.
    """
    if isinstance(exc, ValidationError):
        return "; ".join(f"{loc}: {msg}" if loc else msg for loc, msg in validation_problems(exc))
    return str(exc)
