"""A table's rule that some of its number columns hold whole numbers within a range (a position on −3 … +3, an
item 1–6, a rating on seven circles), as a :data:`~kam_xl.databook.schema.Check` for ``Table.check``."""

from __future__ import annotations

from collections.abc import Mapping

from kam_xl.databook.parsing import ParsedTable
from kam_xl.databook.schema import Check, Problem


def whole_problem(value: float, low: int, high: int | None) -> str | None:
    """What is wrong with ``value`` as a whole number from ``low`` to ``high`` (``None``: no upper bound), as a
    sentence with what is allowed; ``None`` when it is right.

    >>> whole_problem(2.5, 1, 5)
    'is not a whole number — allowed: a whole number from 1 to 5'
    >>> whole_problem(6, 1, 5), whole_problem(-1, 0, None), whole_problem(3, 1, 5)
    ('is above 5 — allowed: a whole number from 1 to 5', 'is below 0 — allowed: a whole number from 0 up', None)
    """
    allowed = f"allowed: a whole number from {low}" + (f" to {high}" if high is not None else " up")
    if float(value) != int(value):
        return f"is not a whole number — {allowed}"
    if value < low:
        return f"is below {low} — {allowed}"
    if high is not None and value > high:
        return f"is above {high} — {allowed}"
    return None


def whole_numbers(table: str, ranges: Mapping[str, tuple[int, int]]) -> Check:
    """The check that each column of ``ranges`` in the table ``table`` holds, where it has a value, a whole number
    from its low to its high end: one problem per cell that does not, naming row, column, cell and value (a cell
    that could not be read as a number was reported already and is not repeated)."""

    def check(tables: dict[str, ParsedTable], problems: list[Problem]) -> None:
        t = tables[table]
        for column, (low, high) in ranges.items():
            right = set(range(low, high + 1)) if high is not None else set()  # the usual values, known right
            for i, value in enumerate(t.column(column)):
                if value is None or value in right or (i, column) in t.bad:
                    continue
                wrong = whole_problem(value, low, high)
                if wrong:
                    problems.append(t.problem(i, column, wrong, value))

    return check
