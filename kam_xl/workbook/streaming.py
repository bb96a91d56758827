"""What a sheet whose cells are produced on demand (:attr:`~kam_xl.workbook.layout.Sheet.rows`) keeps of them
for its page plan: the few cells that decide it, so that the renderer never holds a sheet of 10,000 accounts.

:func:`~kam_xl.workbook.printing.page_plan` reads from a sheet's cells: each column's widest number per style
(and whether one is negative), each column's widest text that counts (a wrapping style, or a text with a filled
cell to its right), the texts that may wrap (only a text wider than :data:`~kam_xl.workbook.printing.MAX_WIDTH`
can: a column is widened up to that for its widest text), the texts of wrapping styles (their rows' heights),
the header and heading rows, the notes with the cells of their rows, and the last row and column. Of all other
cells it needs no more than that they are there, which a blank cell in their place says. :func:`plan_cells`
keeps exactly these — a few per column and one per deciding cell — and the page plan of the kept cells is the
page plan of all of them (``tests/test_streamed_sheet.py`` compares the two on the controller's sheets).
"""

from __future__ import annotations

import dataclasses
import math
import operator
from collections.abc import Collection, Iterable, Mapping
from itertools import groupby

from kam_xl.workbook.layout import HEADING_STYLES, Book, Cell
from kam_xl.workbook.printing import (
    DEFAULT_WIDTH,
    MAX_WIDTH,
    OVERFLOW_STYLES,
    WRAPPED_STYLES,
    _text_width,
    shown_width,
    wrapped_lines,
)


def plan_cells(cells: Iterable[Cell], runs: Mapping[int, float] | None = None) -> list[Cell]:
    """The cells of ``cells`` (in row order, as :attr:`~kam_xl.workbook.layout.Sheet.rows` produces them) that
    decide the page plan: :func:`plan_rows` of them grouped by row."""
    return plan_rows((list(group) for _, group in groupby(cells, key=_row_of)), runs)


def plan_rows(rows: Iterable[list[Cell]], runs: Mapping[int, float] | None = None,
              widths: Mapping[int, float] | None = None, tall: Collection[int] = ()) -> list[Cell]:
    """The cells of ``rows`` (each a row's cells, the rows in order) that decide the page plan, with blank cells
    standing in for the neighbours and row mates they need; memory: a few cells per column plus the deciding
    cells (headers, headings, notes, texts of wrapping styles or wider than
    :data:`~kam_xl.workbook.printing.MAX_WIDTH`), whatever the number of rows.

    ``runs``: the layout's column widths of a printed sheet, whose texts running over the empty cells beside
    them are fitted to the page (:func:`~kam_xl.workbook.printing.text_runs`); then such a text wider than its
    column's layout width (a column is never narrower in print; a hidden one, width 0, shows nothing) is kept too,
    with its row's filled cells.

    ``widths``: the layout's column widths (of any sheet), ``tall``: the rows the layout gives a height. With
    them a text of a wrapping style that takes one line in its column's layout width (the column is never
    narrower) sets no row's height: it counts only for its column's width, as any other text (one kept per
    column) — unless its row is in ``tall`` (whether a tall row wraps decides its cells' alignment)."""
    numbers: dict[tuple[int, str], tuple[float, Cell]] = {}  # (col, style) → largest |number| and its cell
    negative: dict[tuple[int, str], Cell] = {}  # (col, style) → a negative number
    widest_text: dict[int, tuple[float, Cell]] = {}  # col → widest counting text and its cell
    kept: list[Cell] = []
    last_row: Cell | None = None
    last_col = -1
    last_col_row = 0
    for in_row in rows:
        row = in_row[0].row
        cols: set[int] | None = None  # the row's filled columns, when a text needs them
        if "note" in map(_style_of, in_row):  # a note's span stops at the next filled cell of its row
            cols = {c.col for c in in_row}
            kept += [Cell(row, col) for col in cols]
        widest = max(map(_col_of, in_row))
        if widest > last_col:
            last_col, last_col_row = widest, row
        for c in in_row:
            col, style = c.col, c.style
            if style in _DECIDING:
                kept.append(c)
                continue
            value = c.cached if c.formula is not None else c.value
            kind = type(value)
            if style in OVERFLOW_STYLES:
                continue
            plain = kind is float or kind is int  # most cells: a plain number, known without the checks below
            if kind is str:  # the next most: a text, known without them too
                if value == "":
                    continue
            elif not plain and (value is None or value == "" or isinstance(value, bool)):
                continue
            elif plain or isinstance(value, (int, float)):
                key = (col, style)
                size = abs(value) if math.isfinite(value) else math.inf
                found = numbers.get(key)
                if found is None or size > found[0]:
                    numbers[key] = (size, c)
                if value < 0 and key not in negative:
                    negative[key] = c
                continue
            if cols is None:
                cols = {c.col for c in in_row}
            wrapping = style in WRAPPED_STYLES
            if not wrapping and col + 1 not in cols:  # runs over the empty cell to its right: no width needed
                width = runs.get(col, DEFAULT_WIDTH) if runs is not None else 0  # 0: a hidden column
                if width and shown_width(value, style) > width:
                    kept += [c, *(Cell(row, x) for x in cols)]  # how far it runs: the filled cells of its row
                continue
            need = _text_width(value, style) if kind is str else shown_width(value, style)
            if wrapping and widths is not None and row not in tall and type(value) is str \
                    and _one_line(value, widths.get(col), style):
                wrapping = False  # never taller than a line: only its width counts
            if wrapping or need > MAX_WIDTH:  # sets its row's height, or may wrap in its column
                kept += [c, Cell(row, col + 1)]
            elif col not in widest_text or need > widest_text[col][0]:
                widest_text[col] = (need, c)
        last_row = in_row[0]
    kept += [c for _, c in numbers.values()] + list(negative.values())
    kept += [x for _, c in widest_text.values() for x in (c, Cell(c.row, c.col + 1))]
    if last_row is not None:
        kept += [Cell(last_row.row, last_row.col), Cell(last_col_row, last_col)]
    return kept


def _one_line(text: str, width: float | None, style: str) -> bool:
    """Whether ``text`` takes one line in a wrapping cell of ``style`` at least ``width`` characters wide
    (``None``: the default width; 0, a hidden column: never, so that such a cell is kept as it is)."""
    width = DEFAULT_WIDTH if width is None else width
    return width > 0 and wrapped_lines(text, width, style) == 1


_row_of = operator.attrgetter("row")
_col_of = operator.attrgetter("col")
_style_of = operator.attrgetter("style")
#: the styles whose every cell decides the page plan (headings, headers, notes)
_DECIDING = frozenset({*HEADING_STYLES, "header", "note"})


def held(book: Book) -> Book:
    """``book`` with the cells its sheets produce (:attr:`~kam_xl.workbook.layout.Sheet.rows`) held in their
    :attr:`~kam_xl.workbook.layout.Sheet.cells`, and its printed sheets written the usual way (not streamed):
    the same workbook cell by cell, style by style and page by page (``tests/test_controller_stream.py``) — for
    checks that read a layout's cells or compute its page plan (:func:`~kam_xl.workbook.printing.page_plan`
    sees only the cells a sheet holds). Memory: every cell; for tests and small books."""
    return dataclasses.replace(book, sheets=[
        s if s.rows is None else dataclasses.replace(s, cells=list(s.all_cells()), rows=None,
                                                     streamed=s.streamed and not s.print.printed)
        for s in book.sheets])

