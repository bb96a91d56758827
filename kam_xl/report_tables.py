"""The table views of ``kam-xl report`` at any terminal width, once: no header and no value is cut or ellipsised.

rich shrinks a table that is wider than the terminal by narrowing its widest columns, and cuts ("Touchpoin…")
what no longer fits on a line. :func:`fit_table` instead keeps every column at least as wide as its longest word
(header or value; longer texts wrap between words) and, when the columns do not fit side by side, splits the
table into parts that do — each part repeating the key columns (the account), as a printed page repeats them.
"""

from __future__ import annotations

from dataclasses import replace

from rich.console import Console
from rich.measure import Measurement
from rich.table import Column, Table

#: The title suffix of a table's continuation parts, (German, English) — the parts are numbered "(2/3)".
PART_WORDS: tuple[str, str] = ("Teil", "part")


def column_span(console: Console, column: Column) -> tuple[int, int]:
    """(minimum, maximum) width of ``column``'s text, padding not included, as rich measures it (markup not
    counted): the minimum is the longest word of the header and of the values — in a right-aligned column of
    figures the longest value whole ("11,8 %" is not broken) — the maximum the longest line."""
    options = console.options
    head = Measurement.get(console, options, column.header)
    cells = [Measurement.get(console, options, x) for x in column.cells]
    whole = column.justify == "right"
    low = max([head.minimum, *((m.maximum if whole else m.minimum) for m in cells)])
    return low, max([head.maximum, *(m.maximum for m in cells)])


def _outer(n: int) -> int:
    """Width of the borders and padding of a table with ``n`` columns (box with edges, padding 1 each side)."""
    return n + 1 + 2 * n


def column_groups(spans: list[tuple[int, int]], keys: int, width: int) -> list[list[int]]:
    """The columns after the first ``keys`` in groups that fit ``width`` side by side with the key columns,
    each column at its minimum (a column that fits with nothing else gets a group of its own); in order.

    >>> column_groups([(6, 6), (10, 20), (10, 10), (12, 30)], 1, 40)
    [[1, 2], [3]]
    """
    base = sum(lo for lo, _ in spans[:keys])
    groups: list[list[int]] = []
    current: list[int] = []
    for i in range(keys, len(spans)):
        used = base + sum(spans[j][0] for j in current) + spans[i][0]
        if current and used + _outer(keys + len(current) + 1) > width:
            groups.append(current)
            current = []
        current.append(i)
    return [*groups, current] if current else groups


def column_widths(spans: list[tuple[int, int]], width: int) -> list[int] | None:
    """Text widths of columns that fit ``width`` (borders and padding included): each at least its minimum,
    the room left shared in proportion to what each still wants up to its maximum; ``None`` when every column
    fits at its maximum (rich's own widths are then right).

    >>> column_widths([(5, 20), (10, 10)], 30)  # 30 − 7 for borders and padding = 23: 5 + 8 and 10
    [13, 10]
    >>> column_widths([(5, 20), (10, 10)], 40) is None
    True
    """
    room = width - _outer(len(spans))
    if sum(hi for _, hi in spans) <= room:
        return None
    wants = [hi - lo for lo, hi in spans]
    left = room - sum(lo for lo, _ in spans)
    share = [left * w // sum(wants) if left > 0 else 0 for w in wants]
    return [lo + s for (lo, _), s in zip(spans, share, strict=True)]


def fit_table(table: Table, console: Console, keys: int = 1, lang: str = "en") -> list[Table]:
    """``table`` as one or more tables no wider than ``console.width``, every column at least as wide as its
    longest word; when the columns do not fit side by side, parts that repeat the first ``keys`` columns, the
    title of part k of n ending "(Teil k/n)" / "(part k/n)". A table that fits is returned as it is. A word longer
    than the terminal itself is folded onto the next line (its part's columns ``overflow="fold"``): broken, but
    never cut."""
    spans = [column_span(console, c) for c in table.columns]
    width = console.width
    groups = column_groups(spans, keys, width)
    if len(groups) <= 1 and column_widths(spans, width) is None:
        return [table]
    parts = []
    for k, group in enumerate(groups or [[]], 1):
        index = [*range(keys), *group]
        too_long = sum(spans[i][0] for i in index) + _outer(len(index)) > width  # a word longer than the terminal
        widths = None if too_long else column_widths([spans[i] for i in index], width)
        columns = [replace(table.columns[i], _index=j, width=None if widths is None else widths[j],
                           overflow="fold" if too_long else table.columns[i].overflow)
                   for j, i in enumerate(index)]
        part = Table(*columns, title=_part_title(table.title, k, len(groups), lang),
                     header_style=table.header_style, box=table.box)
        part.rows = list(table.rows)
        parts.append(part)
    return parts


def _part_title(title: object, k: int, n: int, lang: str) -> object:
    if n <= 1 or not isinstance(title, str):
        return title
    return f"{title} ({PART_WORDS[0] if lang == 'de' else PART_WORDS[1]} {k}/{n})"
