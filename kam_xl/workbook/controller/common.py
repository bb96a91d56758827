"""Shared pieces of the controller's sheets: template id, tolerance, notes and headers."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kam_xl.cdb import (
    AMOUNT_FIELDS,
    STATEMENT_LINES,
)
from kam_xl.cells import shown_number
from kam_xl.databook import AccountRow
from kam_xl.vocabulary import (
    BAND_FORMATS,
    Lang,
)
from kam_xl.workbook.formulas import RANK_EPS
from kam_xl.workbook.layout import Cell, Sheet
from kam_xl.workbook.layout import pick as _t

TEMPLATE_ID = "kam_xl.controller"
TEMPLATE_VERSION = "1.0"
LIGHT_FORMATS = BAND_FORMATS  # the band colours (high/mid/loss) as cell formats
TOL = RANK_EPS  # ties within this count as equal, as kam_xl.kgb.rank_positions (one text, kam_xl.workbook.formulas)
_AMOUNTS = AMOUNT_FIELDS
_LINE_LABELS = {f: (de, en) for f, de, en, _ in STATEMENT_LINES}


def produce(s: Sheet, fill: Callable[[Sheet], Iterator[object]], hold: Callable[[Cell], bool] | None = None
            ) -> None:
    """Let ``s`` produce its per-account rows on demand (:attr:`~kam_xl.workbook.layout.Sheet.rows`, a streamed
    sheet): ``fill`` is a generator function that puts the rows' cells into the sheet it is given (a scratch
    sheet of ``s``'s name) in row order and yields after each account; its cells are handed on then and let go,
    so that only one account's cells are held at a time. The cells ``s`` holds (title, headers, totals, what other
    sheets look up) are merged with them row by row when the sheet is written.

    ``hold``: the cells of the rows that ``s`` holds instead (inputs must be, and the cells of the blocks the
    readers take by name, such as the account ids beside per-account inputs): ``fill`` runs once now to put
    them on ``s``, and its produced rows leave them out."""
    if hold is not None:
        scratch = Sheet(s.name)
        for _ in itertools.chain(fill(scratch), (None,)):
            s.cells += [c for c in scratch.cells if hold(c)]
            scratch.cells.clear()

    name = s.name  # not ``s``: the sheet holds this function, which would make a cycle for the collector

    def rows() -> Iterator[Cell]:
        out = Sheet(name)
        for _ in itertools.chain(fill(out), (None,)):
            yield from out.cells if hold is None else itertools.filterfalse(hold, out.cells)
            out.cells.clear()

    s.rows = rows
    s.streamed = True


def book_currency(accounts: Iterable[AccountRow]) -> str:
    """The currency (ISO code) of the controller's amounts: the accounts' one when they share it, else empty
    (no symbol: the sums add the amounts as the data book gives them)."""
    codes = {a.currency for a in accounts}
    return codes.pop() if len(codes) == 1 else ""


def _missing_note(s: Sheet, row: int, lang: Lang, tables: str) -> None:
    s.put(row, 0, _t(lang, f"Keine Daten: das Datenbuch enthält keine Tabelle {tables} (oder keine Zeilen dazu).",
                     f"No data: the data book has no table {tables} (or no rows for it)."), style="note")


def _headers(s: Sheet, row: int, col: int, heads: list[str] | tuple[str, ...]) -> None:
    for j, h in enumerate(heads):
        s.put(row, col + j, h, style="header")


@dataclass(frozen=True)
class Misordered:
    """A threshold of a pair typed in reverse order (ABC/XYZ, coordination), carrying what it allows: the inputs
    model's validator puts it in place of both values, so the field's rule refuses each with that text."""

    allowed: str


def shown_threshold(value: Any) -> str:
    """The other threshold of a misordered pair as :class:`Misordered`'s text names it: as its cell showed it — a
    percent-formatted one as a percentage, like the refused value beside it (``95 %``, not ``0.95``), any other
    number as typed (:func:`~kam_xl.cells.shown_number`).

    >>> from kam_xl.cells import PercentNumber
    >>> shown_threshold(PercentNumber(0.95)), shown_threshold(0.95), shown_threshold(2.0), shown_threshold("0.5")
    ('95 %', '0.95', '2', '0.5')
    """
    number = threshold_number(value)
    return repr(shown_number(value if isinstance(value, float) else number)) if number is not None else repr(value)


def threshold_number(value: Any) -> float | None:
    """A typed threshold as a number, ``None`` when it is none (empty, a truth value, a text)."""
    try:
        return float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None
