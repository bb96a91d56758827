"""The one cell coercion of every sheet reader: a cell's value as a number, a text or a drop-down word — or a
:class:`Refusal` saying what is wrong.

The sheet readers (account plan, KAOP, Kgb, excellence, questionnaire, controller settings) take the values
the package reader (:mod:`kam_xl.workbook.names`) gives them by defined name: ``None`` for an empty cell,
``float``/``int``, ``str``, ``bool``, dates, a :class:`~kam_xl.cells.CellError` for an error value or a formula
saved without its result, a :class:`~kam_xl.cells.PercentNumber` for a number from a percent-formatted cell.
Every rule of how such a value is read lives here once:

- an error value or an uncached formula is never read as empty or 0: it is refused with
  :meth:`CellError.problem <kam_xl.cells.CellError.problem>`'s wording;
- a required number left empty is refused (``empty — type 0 for none``), not read as 0;
- a number from a percent-formatted cell in a field whose scale is 0–100 points is refused
  (``formatted as a percentage (80 %) — type 80 for 80 points``);
- texts follow the one text rule (:func:`kam_xl.text.clean_text`): NFC, trimmed, ``2026`` not ``2026.0``,
  at most :data:`~kam_xl.workbook.layout.TEXT_MAX_CHARS` characters — the limit the workbook's data validation
  shows;
- drop-down words are matched as the drop-down shows them, case-insensitively and with dashes folded
  (:func:`kam_xl.text.match_choice`).

A reader passes a refused value on as ``problem(name, row, col, shown(value), refusal.allowed(what))``.

>>> number(12.5, low=0)
12.5
>>> try:
...     number(None, low=0, required=True)
... except Refusal as e:
...     print(e.allowed("an amount ≥ 0"))
an amount ≥ 0 — empty — type 0 for none
>>> try:
...     number(None, 0.01, 10, required=True)
... except Refusal as e:
...     print(e.allowed("an attainment from 1 % to 1000 %"))
an attainment from 1 % to 1000 % — empty
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any, TypeVar

from kam_xl.cells import CellError, PercentNumber, percent_as_points, shown_number
from kam_xl.text import choice_key, clean_text, is_clean
from kam_xl.workbook.layout import TEXT_MAX_CHARS

K = TypeVar("K")

#: What a required number left empty is told (where 0 is allowed, else just :data:`EMPTY`).
EMPTY_REQUIRED = "empty — type 0 for none"
EMPTY = "empty"


class Refusal(ValueError):
    """A cell's value that breaks its input's rule; ``why`` says what is wrong beyond the allowed values
    (``""`` when "allowed: …" says it all)."""

    def __init__(self, why: str = "") -> None:
        super().__init__(why)
        self.why = why

    def allowed(self, what: str) -> str:
        """The problem's "allowed" text: what the input allows, then why this value is not it.

        >>> Refusal("holds the error value #N/A — type a value instead").allowed("a number")
        'a number — holds the error value #N/A — type a value instead'
        """
        return f"{what} — {self.why}" if self.why else what


def shown(value: Any) -> Any:
    """The value as a problem shows it: an error value as Excel shows it (``#DIV/0!``), a number as it was typed
    (:func:`~kam_xl.cells.shown_number`: ``150`` for the ``150.0`` a cell holds, a percent-formatted number as
    the percentage its cell showed), a date or time as its ISO text (as ``collect``'s reader gives a date cell;
    a date's midnight left out), anything else as it is (texts keep their spaces, so ``repr`` shows them).

    >>> shown(150.0), shown(PercentNumber(0.8)), shown(CellError("#N/A")), shown(" Blau ")
    (150, 80 %, '#N/A', ' Blau ')
    >>> shown(date(2026, 3, 1)), shown(datetime(2026, 3, 1)), shown(datetime(2026, 3, 1, 8, 30)), shown(time(8, 30))
    ('2026-03-01', '2026-03-01', '2026-03-01 08:30:00', '08:30:00')
    """
    if isinstance(value, CellError):
        return str(value)
    if isinstance(value, float):
        return shown_number(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def is_blank(value: Any) -> bool:
    """True for an empty cell or one holding only spaces (an error value is not blank).

    >>> is_blank(None), is_blank(" \u00a0"), is_blank(0.0), is_blank(CellError("#N/A"))
    (True, True, False, False)
    """
    return value is None or (isinstance(value, str) and clean_text(value) is None)


def _refuse_error(value: Any) -> None:
    if isinstance(value, CellError):
        raise Refusal(value.problem())


def number(value: Any, low: float | None = None, high: float | None = None, *, required: bool = False,
           points: bool = False) -> float | None:
    """A number cell: the number as ``float``, ``None`` when empty (a :class:`Refusal` when ``required``: "empty
    — type 0 for none" where ``low``–``high`` includes 0, else "empty").

    Refused: error values and uncached formulas, texts (also ``"12"`` — a number typed as text), booleans,
    dates, infinite numbers, numbers outside ``low``–``high`` (inclusive) and, with ``points`` (a 0–100
    scale), numbers from percent-formatted cells.

    >>> number(80.0, 0, 100, points=True), number(None)
    (80.0, None)
    >>> try:
    ...     number(PercentNumber(0.8), 0, 100, points=True)
    ... except Refusal as e:
    ...     print(e.why)
    formatted as a percentage (80 %) — type 80 for 80 points
    """
    if value.__class__ is float or value.__class__ is int:  # what nearly every number cell holds: checked first
        if not math.isfinite(value) or (low is not None and value < low) or (high is not None and value > high):
            raise Refusal()
        return float(value)
    if value is None:
        if required:  # "type 0 for none" only where 0 is allowed
            zero_ok = low is not None and low <= 0 and (high is None or high >= 0)
            raise Refusal(EMPTY_REQUIRED if zero_ok else EMPTY)
        return None
    _refuse_error(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Refusal()
    if points and isinstance(value, PercentNumber):
        raise Refusal(percent_as_points(value))
    if (low is not None and value < low) or (high is not None and value > high):
        raise Refusal()
    return float(value)


def text(value: Any, max_chars: int = TEXT_MAX_CHARS, *, keep_lines: bool = False) -> str | None:
    """A text cell under the one text rule (:func:`~kam_xl.text.clean_text`); ``None`` when empty or blank.
    With ``keep_lines`` (free texts such as evidence) the rule applies to each line and the line breaks stay.

    Refused: error values and uncached formulas, texts longer than ``max_chars`` (after the rule).

    >>> text("  Farbstoff Blau 86 "), text(2026.0), text("   ")
    ('Farbstoff Blau 86', '2026', None)
    >>> text(" Workshop  03/2026 \\n\\n Protokoll ", keep_lines=True)
    'Workshop 03/2026\\n\\nProtokoll'
    """
    if value is None:  # an empty cell (most cells of a plan's matrices)
        return None
    if value.__class__ is str and is_clean(value):  # the usual text: nothing for the rule to change
        result: str | None = value
    elif keep_lines and isinstance(value, str) and ("\n" in value or "\r" in value):
        lines = [clean_text(line) or "" for line in value.splitlines()]
        result = "\n".join(lines).strip("\n") or None
    else:
        _refuse_error(value)
        result = clean_text(value)
    if result is not None and len(result) > max_chars:
        raise Refusal(f"{len(result):,} characters, at most {max_chars:,} allowed")
    return result


def choice(value: Any, choices: Iterable[str]) -> str | None:
    """The offered drop-down word ``value`` stands for (as the drop-down shows it); ``None`` when empty.

    Refused: error values, uncached formulas and words the drop-down does not offer.

    >>> choice(" Abgegeben", ("in Arbeit", "abgegeben", "freigegeben"))
    'abgegeben'
    """
    if value is None or text(value) is None:
        return None
    found = offered(value, tuple(choices))
    if found is None:
        raise Refusal()
    return found


def offered(value: Any, choices: tuple[str, ...]) -> str | None:
    """:func:`kam_xl.text.match_choice` as a look-up worked out once per drop-down: the offered word ``value``
    stands for, or ``None``.

    >>> offered("75 - trifft im wesentlichen zu", ("100 – trifft voll und ganz zu", "75 – trifft im Wesentlichen zu"))
    '75 – trifft im Wesentlichen zu'
    """
    return _choice_index(choices).get(choice_key(value))


def word(value: Any, table: Mapping[K, str]) -> K | None:
    """The model value of a drop-down word (``table``: model value → word shown); ``None`` when empty.

    >>> word("In Progress ", {"offen": "open", "in Arbeit": "in progress"})
    'in Arbeit'
    """
    found = choice(value, table.values())
    return None if found is None else next(k for k, w in table.items() if w == found)


@functools.lru_cache(maxsize=256)
def _choice_index(choices: tuple[str, ...]) -> dict[str | None, str]:
    """The offered words of a drop-down by :func:`~kam_xl.text.choice_key` (the first word of equal keys), worked
    out once per drop-down: :func:`kam_xl.text.match_choice` as a look-up."""
    index: dict[str | None, str] = {}
    for c in choices:
        index.setdefault(choice_key(c), c)
    return index
