"""Error types shared by every kam_xl module.

Domain functions raise :class:`KamInputError` (a :class:`ValueError`) with a message that says what is wrong
and what is allowed. The data-book reader collects many problems into one :class:`DataBookError`.
"""

from __future__ import annotations


class KamInputError(ValueError):
    """An input to a kam_xl calculation breaks a rule of the method.

    The message names the offending value and what is allowed, e.g.
    ``"Kgb weights sum to 90 — allowed: fractions summing to 1 or points summing to 100"``.
    """


def describe(exc: BaseException) -> str:
    """A short, user-facing text for an input error, without pydantic's boilerplate.

    pydantic wraps errors raised in validators into a ``ValidationError``; this returns the messages only,
    each prefixed by the field it concerns, e.g. ``"rating: Input should be 0, 25, 50, 75, 100 or 'n.r.'"``.
    """
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        parts = []
        for e in exc.errors():
            msg = str(e.get("msg", "")).removeprefix("Value error, ")
            loc = ".".join(str(p) for p in e.get("loc", ()))
            parts.append(f"{loc}: {msg}" if loc else msg)
        return "; ".join(parts)
    return str(exc)
