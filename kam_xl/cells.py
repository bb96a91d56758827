"""What a cell holds besides a plain value — the shared vocabulary of every reader.

python-calamine returns an empty string for an error cell and cannot tell a formula saved without its result
from a blank, and it gives no number formats. The package reader (:mod:`kam_xl.workbook.names`) takes those
kinds from the sheet XML and hands them to the sheet readers as these values, so that an error value or an
uncached formula is never read as empty or 0, and a percent-formatted number is never read as points:

- :class:`CellError` — an Excel error value (``#DIV/0!``, ``#N/A`` …) or a formula without a cached result;
- :class:`PercentNumber` — a number from a cell formatted as a percentage (0.8 shown as "80 %"); it *is* a
  ``float``, so readers that do not care see the number, readers of 0–100 scales can refuse it.

And how a number read from a cell is shown back to the person who typed it (:func:`shown_number`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The error values Excel and LibreOffice write into a cell (``t="e"`` in the sheet XML).
ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
               "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!")


@dataclass(frozen=True, slots=True)
class CellError:
    """An error value or an uncached formula as read from a cell.

    ``code`` is the error value as Excel shows it (``"#DIV/0!"``), or ``""`` for a formula saved without a
    cached result (as openpyxl writes them); ``formula`` is the cell's formula without the leading ``=``
    when the cell has one, so regeneration can leave the cell as the KAM left it.
    """

    code: str
    formula: str | None = None

    def __str__(self) -> str:
        if self.code:
            return self.code
        return f"={self.formula} (a formula saved without its result)" if self.formula else "(no value)"

    def problem(self) -> str:
        """What is wrong, for a problem message: ``"holds the error value #DIV/0!"`` and what to do."""
        if self.code:
            return f"holds the error value {self.code} — type a value instead"
        return (f"holds the formula ={self.formula} saved without its result — open and save it in Excel or "
                "LibreOffice, or type a value")


class PercentNumber(float):
    """A number read from a percent-formatted cell: ``PercentNumber(0.8)`` was shown as "80 %"."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"PercentNumber({float(self)!r})"

    def __str__(self) -> str:  # shown as the number it is (float's str would use the repr above)
        return float.__repr__(self)


def percent_as_points(value: PercentNumber) -> str:
    """Why a percent-formatted number is not points: ``formatted as a percentage (80 %) — type 80 for 80
    points``.

    >>> percent_as_points(PercentNumber(0.8))
    'formatted as a percentage (80 %) — type 80 for 80 points'
    """
    points = f"{float(value) * 100:.10g}"
    return f"formatted as a percentage ({points} %) — type {points} for {points} points"


def is_error(value: Any) -> bool:
    """True for a :class:`CellError`.

    >>> is_error(CellError("#N/A")), is_error(0.0), is_error(None)
    (True, False, False)
    """
    return isinstance(value, CellError)


#: From here on a whole float is shown with an exponent (as ``repr`` does): its digits beyond the 17th were never
#: typed (Excel keeps 15 significant digits), ``int`` would invent them (1.2345678901234567e+19 → …67168).
_WHOLE_UP_TO = 1e16


class ShownPercent(float):
    """A number of a percent-formatted cell as a problem or a report shows it: as the cell showed it to the person
    who typed it (``150 %`` for the 1.5 it holds; :func:`shown_number`). It is the number it holds."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"{shown_number(round(float(self) * 100, 10))} %"

    __str__ = __repr__


def shown_number(value: float) -> int | float:
    """A number from a cell as a problem, a report or a status line shows it — as the person typed it: a whole
    number as an ``int`` (a cell holds ``150.0`` for a typed 150; ``-0.0`` is 0), a :class:`PercentNumber` as
    the percentage its cell showed (:class:`ShownPercent`: ``150 %``, ``-5 %``, ``12.5 %``), any other number as
    the plain ``float`` it is; a whole number of 1e16 or more, NaN and the infinities stay floats (``repr``
    writes them with an exponent or as ``nan``/``inf``).

    >>> shown_number(150.0), shown_number(-0.0), shown_number(1e-07), shown_number(0.1 + 0.2)
    (150, 0, 1e-07, 0.30000000000000004)
    >>> shown_number(12345678901234567890.0), shown_number(float("nan"))
    (1.2345678901234567e+19, nan)
    >>> shown_number(PercentNumber(1.5)), shown_number(PercentNumber(-0.05)), shown_number(PercentNumber(0.07))
    (150 %, -5 %, 7 %)
    >>> shown_number(-1)  # an int as it is
    -1
    """
    if isinstance(value, PercentNumber):
        return ShownPercent(value)
    if isinstance(value, int) or (value.is_integer() and abs(value) < _WHOLE_UP_TO):
        return int(value)
    return float(value)
