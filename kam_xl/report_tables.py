"""The table views of ``kam-xl report`` at any terminal width, once: no header and no value is cut or ellipsised.

rich shrinks a table that is wider than the terminal by narrowing its widest columns, and cuts ("Touchpoin…")
what no longer fits on a line. :func:`fit_table` instead keeps every column at least as wide as its longest word
(header or value; longer texts wrap between words) and, when the columns do not fit side by side, splits the
table into parts that do — each part repeating the key columns (the account), as a printed page repeats them.
Words that belong together are kept on one line (:func:`glued_words`: "0–10 %", "CDB III %", "< 0 %").
"""

from __future__ import annotations

import re
from dataclasses import replace

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.table import Column, Table
from rich.text import Text

#: The title suffix of a table's continuation parts, (German, English) — the parts are numbered "(2/3)".
PART_WORDS: tuple[str, str] = ("Teil", "part")


#: A unit after a number or term ("%", "€", "T€", "MAK", "FTE", "Pkt."): never the first word of a line.
_UNIT = re.compile(r"^(?:[%‰€$£]|T€|Mio\.?|Tsd\.?|MAK|FTE|Pkt\.?)[),;:]?$")
#: A roman numeral naming a level ("CDB III", "Phase II"): never the first word of a line.
_ROMAN = re.compile(r"^(?:I{1,3}|IV|VI{0,3}|IX|X)[),;:]?$")
#: A sign before a number ("< 0 %", "≥ 50"): never the last word of a line.
_SIGN = re.compile(r"^\(?[<>≤≥±~≈=]$")


def glued_words(text: str) -> list[str]:
    """``text`` split at the spaces where a line may break: not before a unit or a roman numeral, not after a
    comparison sign — so "0–10 %", "CDB III %" and "< 0 %" stay whole on narrow columns.

    >>> glued_words("< 0 % (Big Step or Out)"), glued_words("CDB III %"), glued_words("Markt 12,3 %")
    (['< 0 %', '(Big', 'Step', 'or', 'Out)'], ['CDB III %'], ['Markt', '12,3 %'])
    """
    words: list[str] = []
    for word in text.split(" "):
        if not word:
            continue
        if words and (_UNIT.match(word) or _ROMAN.match(word) or _SIGN.match(words[-1].split(" ")[-1])):
            words[-1] += " " + word
        else:
            words.append(word)
    return words


def _minimum(console: Console, cell: RenderableType, whole: bool) -> int:
    """The narrowest width ``cell`` can take: its longest line when ``whole``, else its longest glued word."""
    if not isinstance(cell, str | Text):
        m = Measurement.get(console, console.options, cell)
        return m.maximum if whole else m.minimum
    plain = console.render_str(cell).plain if isinstance(cell, str) else cell.plain
    lines = plain.splitlines() or [""]
    if whole:
        return max(cell_len(line) for line in lines)
    return max([0, *(cell_len(w) for line in lines for w in glued_words(line))])


def column_span(console: Console, column: Column) -> tuple[int, int]:
    """(minimum, maximum) width of ``column``'s text, padding not included, as rich measures it (markup not
    counted): the minimum is the longest glued word (:func:`glued_words`) of the header and of the values — in
    a right-aligned column of figures the longest value whole ("11,8 %" is not broken) — the maximum the
    longest line."""
    options = console.options
    head = Measurement.get(console, options, column.header)
    cells = [Measurement.get(console, options, x) for x in column.cells]
    whole = column.justify == "right"
    low = max([_minimum(console, column.header, False), *(_minimum(console, x, whole) for x in column.cells)])
    return low, max([head.maximum, *(m.maximum for m in cells)])


def wrap_glued(console: Console, cell: RenderableType, width: int) -> RenderableType:
    """``cell`` with its line breaks chosen for ``width`` between glued words (:func:`glued_words`), so that
    rich, which would break at any space, has nothing left to break; not text (or a word wider than ``width``):
    as it is."""
    if not isinstance(cell, str | Text):
        return cell
    text = console.render_str(cell) if isinstance(cell, str) else cell
    lines: list[Text] = []
    for line in text.split("\n", allow_blank=True):
        start, current, pieces = 0, 0, []
        for word in glued_words(line.plain):
            at = line.plain.index(word, start)
            if cell_len(word) > width:
                return cell
            if pieces and current + 1 + cell_len(word) > width:
                lines.append(Text(" ").join(pieces))
                pieces, current = [], 0
            pieces.append(line[at:at + len(word)])
            current += (1 if current else 0) + cell_len(word)
            start = at + len(word)
        lines.append(Text(" ").join(pieces))
    return Text("\n").join(lines)


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
                           overflow="fold" if too_long else table.columns[i].overflow,
                           **({} if widths is None else _wrapped(console, table.columns[i], widths[j])))
                   for j, i in enumerate(index)]
        part = Table(*columns, title=_part_title(table.title, k, len(groups), lang),
                     header_style=table.header_style, box=table.box)
        part.rows = list(table.rows)
        parts.append(part)
    return parts


def _wrapped(console: Console, column: Column, width: int) -> dict[str, object]:
    """The header and cells of ``column`` broken for ``width`` (:func:`wrap_glued`), as fields of a Column."""
    return {"header": wrap_glued(console, column.header, width),
            "_cells": [wrap_glued(console, c, width) for c in column._cells]}


def _part_title(title: object, k: int, n: int, lang: str) -> object:
    if n <= 1 or not isinstance(title, str):
        return title
    return f"{title} ({PART_WORDS[0] if lang == 'de' else PART_WORDS[1]} {k}/{n})"
