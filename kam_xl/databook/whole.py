"""A table's rule that some of its number columns hold whole numbers within a range (a position on −3 … +3, an
item 1–6, a rating on seven circles), as a :data:`~kam_xl.databook.schema.Check` for ``Table.check``."""

from __future__ import annotations

from collections.abc import Mapping

from kam_xl.databook.parsing import ParsedTable
from kam_xl.databook.schema import Check, Problem


def whole_numbers(table: str, ranges: Mapping[str, tuple[int, int]]) -> Check:
    """The check that each column of ``ranges`` in the table ``table`` holds, where it has a value, a whole number
    from its low to its high end: one problem per cell that does not, naming row, column, cell and value (a cell
    that could not be read as a number was reported already and is not repeated)."""

    def check(tables: dict[str, ParsedTable], problems: list[Problem]) -> None:
        t = tables[table]
        for column, (low, high) in ranges.items():
            for i, value in enumerate(t.column(column)):
                if value is None or (i, column) in t.bad:
                    continue
                if value != int(value) or not low <= value <= high:
                    problems.append(t.problem(i, column, f"allowed: a whole number from {low} to {high}", value))

    return check
