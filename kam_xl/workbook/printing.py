"""Page geometry of a printed sheet: column widths in points, the printable width of A4, the fit-to-width
scale, and the height a row of wrapped text needs — small pure functions the renderer (and the print tests)
use, so that a printed sheet stays legible and no text overlaps the next row.

Units: column widths in Excel's characters (the width of a digit of the body font, Calibri 11), lengths on
paper in points (1/72 inch), scales in percent.

>>> column_points(8.43)   # Excel's default column: 64 pixels
48.0
>>> fit_scale(1482.0, 741.0)   # a sheet twice as wide as the page prints at half size when fit to width
50
>>> wrapped_lines("Leistungsfähigkeit des Systems", 20)   # 19 characters a line: two lines
2
"""

from __future__ import annotations

import functools
import math
import operator
import re
import textwrap
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import get_currency_symbol
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

from kam_xl.workbook.layout import HEADING_STYLES, Cell, Sheet

#: A4 in points (ISO 216: 210 × 297 mm).
A4_POINTS = (595.3, 841.9)
#: The page margins of a printed sheet in points (left/right narrower than Excel's 0.7 inch: more columns fit).
MARGIN_LR_POINTS = 0.5 * 72
MARGIN_TB_POINTS = 0.75 * 72
#: The margins every printed sheet gets (inches: left/right, top/bottom) and the header/footer's distance.
MARGINS_INCH = (0.5, 0.75, 0.3)
#: The smallest scale a sheet is fit to width at: below it, it is printed at 100 % over several pages wide
#: (its key column repeated) — at 70 % an 11 pt cell prints at 7.7 pt, the smallest text one reads at a desk.
MIN_FIT_SCALE = 70
#: The height of one line of the body font (Calibri 11) in points, as Excel sizes a default row.
LINE_POINTS = 15.0
#: How many of Excel's characters (digit widths) an average character of running text takes: lower-case
#: German text in Calibri averages ~0.85 digit widths (measured on the printed CDB labels), capitals, bold
#: headers and m/w more — 1.0 keeps a bold header or a capitalised line from overflowing its estimate.
TEXT_CHAR_WIDTH = 1.0
#: The body font's size (points) and the size of each style set larger (the renderer's formats use these): a
#: title's characters are 14/11 as wide and its lines 14/11 as high as the body's.
BODY_POINTS = 11.0
FONT_POINTS: dict[str, float] = {"title": 14.0}


def font_scale(style: str) -> float:
    """How much larger than the body font the text of ``style`` is set (1.0 for the body font).

    >>> round(font_scale("title"), 3), font_scale("note")
    (1.273, 1.0)
    """
    return FONT_POINTS.get(style, BODY_POINTS) / BODY_POINTS


def column_pixels(width: float) -> int:
    """Pixels of a column ``width`` characters wide, as Excel (and xlsxwriter) convert it for Calibri 11."""
    if width <= 0:
        return 0
    return int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5


def column_points(width: float) -> float:
    """Points on paper (at 100 %) of a column ``width`` characters wide."""
    return column_pixels(width) * 0.75


def printable_width(landscape: bool = True, paper: tuple[float, float] = A4_POINTS,
                    margin: float = MARGIN_LR_POINTS) -> float:
    """Points between the left and right margins of the page."""
    return (max(paper) if landscape else min(paper)) - 2 * margin


def printable_height(landscape: bool = True, paper: tuple[float, float] = A4_POINTS,
                     margin: float = MARGIN_TB_POINTS) -> float:
    """Points between the top and bottom margins of the page."""
    return (min(paper) if landscape else max(paper)) - 2 * margin


def print_scale(col_points: Sequence[float], page_points: float, repeat_points: float = 0.0,
                keep: Collection[tuple[int, int]] = ()) -> tuple[int, int]:
    """The pages wide and the scale (%) a sheet of columns ``col_points`` prints at: as few pages wide (and as
    few charts, ``keep`` spans, cut by a page edge) as at :data:`MIN_FIT_SCALE`, at the largest scale (≤ 100)
    that needs no more — one page wide at 100 % when it fits, a wide table over two pages at a legible scale
    rather than one page in small print.

    >>> print_scale([100.0] * 5, 741.0)
    (1, 100)
    >>> print_scale([100.0] * 9, 741.0)   # 900 pt: one page at 76 %
    (1, 76)
    >>> print_scale([100.0] * 12, 741.0, repeat_points=100.0)   # 1200 pt would need 58 %: two pages
    (2, 98)
    """
    return _print_scale(tuple(col_points), page_points, repeat_points, tuple(keep))


@functools.lru_cache(maxsize=4_096)
def _print_scale(col_points: tuple[float, ...], page_points: float, repeat_points: float,
                 keep: tuple[tuple[int, int], ...]) -> tuple[int, int]:
    """:func:`print_scale`, remembered: it tries up to 31 scales, and the sheets of one template mostly have the
    same columns in every plan (a pure function of its arguments, so remembering changes no result)."""
    def cost(scale: int) -> tuple[int, int]:  # pages wide, charts cut by a page edge
        breaks = column_breaks(col_points, page_points, scale, repeat_points, keep)
        return len(breaks) + 1, sum(1 for s in keep for b in breaks if s[0] < b <= s[1])

    best = cost(MIN_FIT_SCALE)
    scale = 100
    while scale > MIN_FIT_SCALE and cost(scale) > best:
        scale -= 1
    return best[0], scale


def fit_scale(content_points: float, page_points: float) -> int:
    """The percent scale at which ``content_points`` fit into ``page_points`` (100 when they fit as they are),
    rounded down as Excel and LibreOffice do."""
    if content_points <= page_points:
        return 100
    return math.floor(page_points / content_points * 100)


def text_chars(width: float, style: str = "text") -> int:
    """How many characters of running text (in the font of ``style``) fit on one line of a column ``width``
    characters wide."""
    return max(1, int((width - 1) / (TEXT_CHAR_WIDTH * font_scale(style))))


def wrapped_lines(text: str, width: float, style: str = "text") -> int:
    """Lines ``text`` takes in a wrapping cell ``width`` characters wide (in the font of ``style``): each
    paragraph (line break) wrapped at word boundaries, a word longer than the line broken; at least one line."""
    return _lines(text, text_chars(width, style))


@functools.lru_cache(maxsize=16_384)
def _lines(text: str, chars: int) -> int:
    """:func:`wrapped_lines` of ``text`` on lines of ``chars`` characters, remembered: the labels and headers
    of a template are the same in every plan (a pure function of its arguments, so remembering changes no
    result). A text no longer than a line, without line break or tab (which textwrap expands), is one line."""
    if len(text) <= chars and "\n" not in text and "\t" not in text:
        return 1
    return max(1, sum(len(textwrap.wrap(part, chars, break_long_words=True)) or 1 for part in text.split("\n")))


def row_points(lines: int, line_points: float = LINE_POINTS) -> float:
    """The height of a row that shows ``lines`` lines of text, in points."""
    return max(1, lines) * line_points


def line_points(style: str) -> float:
    """The height (points) of one line of text of ``style``."""
    return LINE_POINTS * font_scale(style)


# ------------------------------------------------------------------------------------------ numbers


def currency_symbol(code: str, lang: str = "de") -> str:
    """The symbol a German (or English) reader knows for the ISO 4217 ``code`` (Babel's CLDR data): ``€`` for
    EUR, ``£`` for GBP, the code itself where there is no common symbol (``CHF``, ``PLN``); empty for none.

    >>> currency_symbol("EUR"), currency_symbol("CHF"), currency_symbol("")
    ('€', 'CHF', '')
    """
    if not code:
        return ""
    key = ("currency", code.strip().upper(), lang)
    word = _CLDR_WORDS.get(key)
    if word is None:
        word = _remembered(key, get_currency_symbol(key[1], locale=_cldr_locale(lang)))
    return word


def written_day(day: date, lang: str = "de") -> str:
    """``day`` as a German (or English) reader writes it, CLDR's medium date (Babel):

    >>> written_day(date(2026, 11, 30)), written_day(date(2026, 11, 30), "en")
    ('30.11.2026', '30 Nov 2026')
    """
    key = ("day", day.isoformat(), lang)
    word = _CLDR_WORDS.get(key)
    if word is None:
        word = _remembered(key, format_date(day, "medium", locale=_cldr_locale(lang)))
    return word


def written_time(when: str, lang: str = "de") -> str:
    """An ISO date-time with its zone as ``lang`` writes it, in UTC and saying so (a status line; ``_meta`` keeps
    the ISO text for programs):

    >>> written_time("2026-03-02T14:05:09+00:00"), written_time("2026-03-02T15:05:09+01:00", "en")
    ('02.03.2026, 14:05:09 UTC', '2 Mar 2026, 14:05:09 UTC')
    """
    return format_datetime(datetime.fromisoformat(when), "medium", tzinfo=UTC, locale=_cldr_locale(lang)) + " UTC"


#: The words a workbook takes from Babel's CLDR data — a currency's symbol (:func:`currency_symbol`), a day as
#: written (:func:`written_day`) — by (kind, value, language), looked up once per process. A ``generate --jobs``
#: worker is given its run's words as it starts (:func:`remember_cldr_words`), so it never loads CLDR's locale
#: data for them (root, de, de_DE: ≈ 4 MiB of the worker's memory); a word not given is looked up as ever.
_CLDR_WORDS: dict[tuple[str, str, str], str] = {}
_CLDR_WORDS_MAX = 1024  # far above a run's (a few currencies, one day); a long-lived process starts afresh there


def _cldr_locale(lang: str) -> str:
    return "de_DE" if lang == "de" else "en_GB"


def _remembered(key: tuple[str, str, str], word: str) -> str:
    if len(_CLDR_WORDS) >= _CLDR_WORDS_MAX:
        _CLDR_WORDS.clear()
    _CLDR_WORDS[key] = word
    return word


def cldr_words(currencies: Iterable[str], days: Iterable[date], lang: str) -> dict[tuple[str, str, str], str]:
    """The words :func:`currency_symbol` and :func:`written_day` give in ``lang`` for ``currencies`` (ISO 4217 codes,
    empty ones skipped) and ``days``, looked up in this process — as :func:`remember_cldr_words` takes them."""
    symbols = {("currency", code.strip().upper(), lang): currency_symbol(code, lang) for code in currencies if code}
    return {**symbols, **{("day", day.isoformat(), lang): written_day(day, lang) for day in days}}


def remember_cldr_words(words: Mapping[tuple[str, str, str], str]) -> None:
    """Take ``words`` (:func:`cldr_words` of another process) as looked up: :func:`currency_symbol` and
    :func:`written_day` give them without loading CLDR's data. A ``generate --jobs`` worker's initializer."""
    for key, word in words.items():
        _remembered(key, word)


def money_format(symbol: str, decimals: int = 0, lower_is_better: bool = False, signed: bool = False) -> str:
    """The number format of an amount: thousands grouped, ``decimals`` places, the currency ``symbol`` after
    the number (as German controllers write ``7.055.897 €``; the application shows separators of its locale),
    negative amounts red. A variance (``signed``) shows its sign both ways (``+69.178 €``, ``-77.202 €``,
    ``0 €``), red where it is bad: below zero, or — a variance where less is better (a cost over its plan,
    ``lower_is_better``, always signed) — above zero.

    >>> money_format("€")
    '#,##0 "€";[Red]-#,##0 "€"'
    >>> money_format("€", signed=True)
    '+#,##0 "€";[Red]-#,##0 "€";0 "€"'
    >>> money_format("€", lower_is_better=True)
    '[Red]+#,##0 "€";-#,##0 "€";0 "€"'
    """
    number = "#,##0" + ("." + "0" * decimals if decimals else "")
    unit = f' "{symbol}"' if symbol else ""
    if lower_is_better:
        return f"[Red]+{number}{unit};-{number}{unit};0{unit}"
    if signed:
        return f"+{number}{unit};[Red]-{number}{unit};0{unit}"
    return f"{number}{unit};[Red]-{number}{unit}"


#: The number format of a share or rate: one decimal, a space before the percent sign as German and English
#: house style write it (``9,0 %``), negative red — every percent a workbook shows, a conditional one too.
PERCENT_FORMAT = "0.0 %;[Red]-0.0 %"


def shown_width(value: Any, style: str) -> float:
    """How many characters (Excel digit widths) ``value`` takes as a cell of ``style`` shows it: a number as
    its format prints it (grouped, decimals, unit), a text its longest line, a heading-row text (``header``,
    which wraps) its longest word."""
    if isinstance(value, bool) or value is None:
        return 0.0
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return 8.0
        decimals = _DECIMALS.get(style, 2)
        shown = abs(value) * (100 if style in _PERCENT_STYLES else 1)
        digits = len(str(int(shown))) if shown >= 1 else 1
        return (digits + (digits - 1) // 3 + (decimals + 1 if decimals else 0) + (1 if value < 0 else 0)
                + _UNIT_CHARS.get(style, 0) + 1)
    return _text_width(str(value), style)


@functools.lru_cache(maxsize=16_384)
def _text_width(text: str, style: str) -> float:
    """:func:`shown_width` of a text, remembered (a template's labels recur in every plan)."""
    lines = text.split("\n")
    char = TEXT_CHAR_WIDTH * font_scale(style)
    if style in WRAPPED_STYLES:
        return max((len(w) for line in lines for w in line.split()), default=0) * char + 1
    return max(len(line) for line in lines) * char + 1


_DECIMALS = {"money": 0, "level_money": 0, "money_lower_better": 0, "money_variance": 0, "integer": 0,
             "percent": 1, "level_percent": 1, "number": 1, "score": 1, "money2": 2, "number2": 2}
_UNIT_CHARS = {"money": 2, "level_money": 2, "money2": 2, "money_lower_better": 3, "money_variance": 3,
               "percent": 2, "level_percent": 2}
_PERCENT_STYLES = frozenset({"percent", "level_percent"})
#: Styles whose text wraps inside the cell (their column is never widened for them, their row grows).
WRAPPED_STYLES = frozenset({"wrap", "header"})
#: Styles whose text may run over the empty cells to its right (titles, notes): never widen a column. Any text
#: runs over the empty cells beside it; where it would run over a page's edge it wraps (:func:`text_runs`).
OVERFLOW_STYLES = frozenset({"title", "subtitle", "note"})
#: The most lines a text that starts in the repeated key columns of a sheet printed several pages wide is
#: wrapped into within them; a longer title, note or label moves to the first column after them (printed whole
#: on the first page wide, not at all on the others) rather than becoming a narrow column of many lines.
MAX_KEY_LINES = 2
#: The widest a column is made to show its values (characters); longer texts wrap.
MAX_WIDTH = 48.0
DEFAULT_WIDTH = 8.43


# ------------------------------------------------------------------------------------------ pages


def column_breaks(col_points: Sequence[float], page_points: float, scale: int = MIN_FIT_SCALE,
                  repeat_points: float = 0.0, keep: Collection[tuple[int, int]] = ()) -> list[int]:
    """The columns (0-based) a new page wide starts at, for columns of ``col_points`` printed at ``scale`` %:
    a column is never split, each page after the first starts with the repeated key columns
    (``repeat_points``), and a ``keep`` span of columns (a chart) moves to the next page whole when it fits
    on one.

    >>> column_breaks([300.0, 300.0, 300.0], 741.0, 100)
    [2]
    >>> column_breaks([300.0, 300.0, 300.0], 741.0, 100, keep=[(1, 2)])   # a chart over B:C stays whole
    [1]
    """
    room = page_points * 100 / scale * WIDTH_SAFETY
    breaks: list[int] = []
    start, used, col = 0, 0.0, 0
    while col < len(col_points):
        if col > start and used + col_points[col] > room:
            brk = next((s[0] for s in keep if s[0] < col <= s[1] and s[0] > start
                        and repeat_points + sum(col_points[s[0]:s[1] + 1]) <= room), col)
            breaks.append(brk)
            start, used, col = brk, repeat_points, brk
        used += col_points[col]
        col += 1
    return breaks


def pages_wide(col_points: Sequence[float], page_points: float, scale: int = MIN_FIT_SCALE,
               repeat_points: float = 0.0, keep: Collection[tuple[int, int]] = ()) -> int:
    """How many pages wide the columns print at ``scale`` % (:func:`column_breaks`)."""
    return len(column_breaks(col_points, page_points, scale, repeat_points, keep)) + 1


def paginate(heights: Sequence[float], headings: Collection[int], page_points: float,
             keep: Collection[tuple[int, int]] = (), keep_next: int = 3, titles: float = 0.0) -> list[int]:
    """The rows (0-based) a page break goes before, for rows of ``heights`` points on pages of
    ``page_points``: a heading row starts a new page only when its block (up to the next heading) does not fit
    on the rest of the page and either fits on a page of its own or leaves the heading with fewer than
    ``keep_next`` rows of it; ``keep`` spans (first, last row; charts) move to the next page whole when they fit
    on one; a break never follows a heading row. ``titles``: the points of the rows repeated atop every page
    after the first (on the first they are the sheet's own rows, counted in ``heights``).

    >>> paginate([15.0] * 10, headings={4}, page_points=90.0)
    [4]
    >>> paginate([15.0] * 10, headings={4}, page_points=90.0, titles=15.0)   # 5 rows fit a later page
    [4, 9]
    """
    starts = sorted(headings)
    breaks: list[int] = []
    top, used, room = 0, 0.0, page_points
    row = 0
    while row < len(heights):
        brk = None
        if row in headings and row > top:
            end = next((h for h in starts if h > row), len(heights))
            block = sum(heights[row:end])
            head = sum(heights[row:min(end, row + 1 + keep_next)])
            if used + block > room and (used + head > room or block <= page_points - titles):
                brk = row
        if brk is None and used + heights[row] > room and row > top:
            brk = row
            span = next((s for s in keep if s[0] < row <= s[1] and s[0] > top
                         and sum(heights[s[0]:s[1] + 1]) <= page_points - titles), None)
            if span is not None:
                brk = span[0]
            while brk - 1 > top and brk - 1 in headings:
                brk -= 1
        if brk is not None:
            breaks.append(brk)
            top, used, row, room = brk, 0.0, brk, page_points - titles
        used += heights[row]
        row += 1
    return breaks


# ------------------------------------------------------------------------------------------ a sheet


@dataclass(frozen=True)
class PagePlan:
    """What the renderer applies to print a sheet: final column ``widths`` (characters), row ``heights``
    (points, only rows that need more than one line), the cells whose text wraps, ``pages_wide`` (fit to that
    many pages wide, the scale ≥ :data:`MIN_FIT_SCALE`), the estimated ``scale`` (%), the repeated rows, the
    row ``breaks`` (a page starts at each), the repeated key columns, the column breaks, and the texts too
    long for the cells beside them on their page: merged over those cells (``merges``) or, a title or note in
    the key columns of a sheet several pages wide, moved to the column after them (``moves``) — see
    :func:`text_runs`; the rows of several lines, whose cells all align at the top (a number beside a wrapped
    text stands on its first line)."""

    widths: dict[int, float]
    heights: dict[int, float]
    wrap: frozenset[tuple[int, int]]
    pages_wide: int
    scale: int
    repeat_rows: tuple[int, int] | None
    breaks: tuple[int, ...]
    repeat_cols: tuple[int, int] | None = None
    col_breaks: tuple[int, ...] = ()
    merges: dict[tuple[int, int], int] = field(default_factory=dict)  # (row, col) as printed → its last column
    moves: dict[tuple[int, int], int] = field(default_factory=dict)  # (row, col) of a title → the column printed in
    top_rows: frozenset[int] = frozenset()  # rows of several lines of wrapped text: every cell aligns at the top


def _text(cell: Cell) -> Any:
    return cell.cached if cell.formula is not None else cell.value


def fitted_widths(sheet: Sheet) -> tuple[dict[int, float], frozenset[tuple[int, int]]]:
    """Column widths that show every number whole and every label up to :data:`MAX_WIDTH` characters where
    the next cell to the right is filled (text beside an empty cell runs over it), never narrower than the
    layout's own; and the text cells that must wrap (longer than their column, the next cell filled). A column
    the layout gives width 0 is hidden (a chart's helper column): it stays 0 wide and none of its cells wraps."""
    # one pass over the cells, each tested by its value's type first (a plan's ≈ 3,000 cells are half texts,
    # a quarter empty): the same decisions as testing each condition in turn, ≈ 1 ms less a plan
    occupied = {(c.row, c.col) for c in sheet.cells}
    hidden = hidden_columns(sheet)
    widest: dict[tuple[int, str], tuple[float, bool]] = {}  # (col, style) → largest |number|, any negative
    needs: dict[int, float] = {}
    texts: list[tuple[Cell, float]] = []
    for c in sheet.cells:
        value = c.cached if c.formula is not None else c.value
        kind = type(value)
        if kind is str:
            if not value:
                continue
        elif value is None or kind is bool or value == "":
            continue
        style = c.style
        if style in OVERFLOW_STYLES or (hidden and c.col in hidden):
            continue
        if kind is not str and isinstance(value, (int, float)):  # a column's numbers: its largest of each style
            key, size = (c.col, style), abs(value) if math.isfinite(value) else math.inf
            top, negative = widest.get(key, (0.0, False))
            widest[key] = (max(top, size), negative or value < 0)
            continue
        if style not in WRAPPED_STYLES and (c.row, c.col + 1) not in occupied:
            continue
        need = _text_width(value, style) if kind is str else shown_width(value, style)  # as shown_width does
        texts.append((c, need))
        if need > needs.get(c.col, 0.0):
            needs[c.col] = need
    for (col, style), (top, negative) in widest.items():
        needs[col] = max(needs.get(col, 0.0), shown_width(-top if negative else top, style))
    widths = dict(sheet.widths)
    for col, need in needs.items():
        if need > widths.get(col, DEFAULT_WIDTH):  # widened up to MAX_WIDTH, never narrowed
            widths[col] = max(widths.get(col, DEFAULT_WIDTH), min(MAX_WIDTH, need))
    wrap = frozenset((c.row, c.col) for c, need in texts
                     if c.style not in WRAPPED_STYLES and need > widths.get(c.col, DEFAULT_WIDTH))
    return widths, wrap


_ROW = operator.attrgetter("row")
_COL = operator.attrgetter("col")


def shown_texts(sheet: Sheet) -> list[tuple[Cell, str]]:
    """The cells of ``sheet`` that show a non-empty text — a label's value, a formula's cached text — with that
    text, in the sheet's order: what row heights, running texts and headings look at (a plan's sheets are half
    numbers and empty cells, so :func:`page_plan` reads this once and passes it to each)."""
    out = []
    for c in sheet.cells:
        value = c.cached if c.formula is not None else c.value
        if isinstance(value, str) and value:
            out.append((c, value))
    return out


def hidden_columns(sheet: Sheet) -> frozenset[int]:
    """The columns the layout gives width 0: hidden, so they neither print nor shape a row's height."""
    return frozenset(col for col, width in sheet.widths.items() if width == 0)


def row_heights(sheet: Sheet, widths: dict[int, float], wrap: Collection[tuple[int, int]],
                texts: Sequence[tuple[Cell, str]] | None = None) -> dict[int, float]:
    """The height (points) of every row whose wrapping text needs more than one line in its (shown) column, and
    of every row the layout gives a height (``Sheet.heights``, kept as the least). ``texts``: the sheet's
    :func:`shown_texts` if known already."""
    lines: dict[int, int] = {}
    hidden = hidden_columns(sheet)
    for c, value in shown_texts(sheet) if texts is None else texts:
        if (c.style in WRAPPED_STYLES or (c.row, c.col) in wrap) and c.col not in hidden:
            n = wrapped_lines(value, widths.get(c.col, DEFAULT_WIDTH))
            if n > lines.get(c.row, 1):
                lines[c.row] = n
    heights = {r: row_points(n) for r, n in lines.items()}
    for r, h in sheet.heights.items():  # a layout's own row height is a minimum
        heights[r] = max(h, heights.get(r, 0.0))
    return heights


def _repeat_rows(sheet: Sheet) -> tuple[int, int] | None:
    if sheet.print.repeat_rows is not None:
        return sheet.print.repeat_rows
    header_rows = sorted({c.row for c in sheet.cells if c.style == "header"})
    if len(header_rows) == 1 and header_rows[0] <= 6:
        return 0, header_rows[0]
    return (0, 0) if sheet.cells else None


def chart_columns(sheet: Sheet, widths: dict[int, float]) -> list[tuple[int, int]]:
    """The first and last column each chart of the sheet covers."""
    spans = []
    for ch in sheet.charts:
        col, px = ch.anchor[1], ch.size[0]
        while px > 0:
            px -= column_pixels(widths.get(col, DEFAULT_WIDTH))
            col += 1
        spans.append((ch.anchor[1], max(ch.anchor[1], col - 1)))
    return spans


def _repeat_cols(sheet: Sheet, cols: Sequence[float], page: float) -> tuple[int, int] | None:
    """The key columns repeated on every page wide (see :class:`~kam_xl.workbook.layout.Print`)."""
    if sheet.print.repeat_cols is False:
        return None
    if sheet.print.repeat_cols is not None:
        return sheet.print.repeat_cols
    frozen = sheet.freeze[1] if sheet.freeze else 0
    # the frozen columns from A that fit a fifth of a page (more would cost a page wide more often than not):
    # ID and region of a row repeat even when a wide name column after them does not
    last = 0
    while last + 1 < frozen and sum(cols[:last + 2]) <= page * 0.2:
        last += 1
    return 0, last


def heading_columns(sheet: Sheet, widths: dict[int, float], key: tuple[int, int] | None,
                    texts: Sequence[tuple[Cell, str]] | None = None) -> list[tuple[int, int]]:
    """The first and last column each heading (title, subtitle) right of the key columns runs over: a page
    wide starts before it rather than cutting it (as a chart is kept whole). ``texts``: the sheet's
    :func:`shown_texts` if known already."""
    spans = []
    for c, text in shown_texts(sheet) if texts is None else texts:
        if c.style not in HEADING_STYLES or (key is not None and c.col <= key[1]):
            continue
        need, end = shown_width(text, c.style), c.col
        while sum(widths.get(x, DEFAULT_WIDTH) for x in range(c.col, end + 1)) < need and end < c.col + 64:
            end += 1
        if end > c.col:
            spans.append((c.col, end))
    return spans


def _col_points(sheet: Sheet, widths: dict[int, float], charts: list[tuple[int, int]]) -> list[float]:
    """Points of every printed column, from A to the last one holding a cell or reached by a chart."""
    last = max(map(_COL, sheet.cells), default=0)
    for span in charts:
        last = max(last, span[1])
    if sheet.print.area is not None:
        last = sheet.print.area[3]
    return [column_points(widths.get(c, DEFAULT_WIDTH)) for c in range(last + 1)]


def page_segments(col_breaks: Sequence[int], columns: int) -> list[tuple[int, int]]:
    """The first and last column (0-based) of each page wide of a sheet of ``columns`` printed columns broken
    before ``col_breaks``.

    >>> page_segments([4, 9], 12)
    [(0, 3), (4, 8), (9, 11)]
    """
    starts = [0, *col_breaks]
    return [(a, b - 1) for a, b in zip(starts, [*col_breaks, columns], strict=True)]


@dataclass(frozen=True)
class TextRuns:
    """Where the texts that run over the empty cells beside them print (:func:`text_runs`): ``moves`` (row,
    col) → the column a title or note is written in instead, ``merges`` (row, col as printed) → the last
    column a text is merged over (it wraps there), ``wrap`` the texts that wrap in their own cell, ``heights``
    the points each of their rows needs."""

    moves: dict[tuple[int, int], int] = field(default_factory=dict)
    merges: dict[tuple[int, int], int] = field(default_factory=dict)
    wrap: frozenset[tuple[int, int]] = frozenset()
    heights: dict[int, float] = field(default_factory=dict)


def _running_texts(sheet: Sheet, widths: dict[int, float], wrap: Collection[tuple[int, int]],
                   texts: Sequence[tuple[Cell, str]]) -> list[Cell]:
    """The text cells (of the sheet's :func:`shown_texts` ``texts``) wider than their (shown) column that do not
    wrap in it: their text runs over the cells beside."""
    out = []
    hidden = hidden_columns(sheet)
    for c, value in texts:
        if c.style in WRAPPED_STYLES or c.col in hidden:
            continue
        width = widths.get(c.col, DEFAULT_WIDTH)
        if (len(value) * TEXT_CHAR_WIDTH * font_scale(c.style) + 1 > width  # no line is longer than the text
                and (c.row, c.col) not in wrap and shown_width(value, c.style) > width):
            out.append(c)
    return out


def _filled(sheet: Sheet, rows: Collection[int], charts: Sequence[tuple[int, int, int, int]]) -> dict[int, set[int]]:
    """The columns of each of ``rows`` that hold a cell or lie under a chart (first row, first col, last row,
    last col): a text never runs over them."""
    filled: dict[int, set[int]] = {r: set() for r in rows}
    if not filled:
        return filled
    for c in sheet.cells:
        if c.row in filled:
            filled[c.row].add(c.col)
    for r0, c0, r1, c1 in charts:
        for r in filled:
            if r0 <= r <= r1:
                filled[r].update(range(c0, c1 + 1))
    return filled


def text_runs(sheet: Sheet, widths: dict[int, float], wrap: Collection[tuple[int, int]],
              segments: Sequence[tuple[int, int]], key: tuple[int, int] | None,
              charts: Sequence[tuple[int, int, int, int]] = (), texts: Sequence[tuple[Cell, str]] | None = None
              ) -> TextRuns:
    """Every text wider than its column (a title, a note, a label beside empty cells) fits on its page: it runs
    over the empty cells to its right up to the last column of its page wide (``segments``: first and last
    column of each), and where that is too narrow it is merged over those cells and wraps, its row made high
    enough. On a sheet printed several pages wide a text in the repeated ``key`` columns prints on every page
    wide, so it must fit within them: it wraps there — a text that would need more than
    :data:`MAX_KEY_LINES` lines there, or break a word, moves to the first column after them instead, when
    that cell is free and nothing refers to the text (:func:`_movable`).
    Cells under ``charts`` (first row, first col, last row, last col) count as filled. ``texts``: the sheet's
    :func:`shown_texts` if known already. Units: ``widths`` in characters, heights in points."""
    running = _running_texts(sheet, widths, wrap, shown_texts(sheet) if texts is None else texts)
    filled = _filled(sheet, {c.row for c in running}, charts)
    last = segments[-1][1] if segments else 0
    several = len(segments) > 1 and key is not None
    referenced = _References(sheet)  # read once, only when a text may move
    moves: dict[tuple[int, int], int] = {}
    merges: dict[tuple[int, int], int] = {}
    own: set[tuple[int, int]] = set()
    heights: dict[int, float] = {}

    def room(r: int, col: int, end: int) -> tuple[int, float]:
        end = min([x - 1 for x in filled[r] if x > col] + [end])
        return end, sum(widths.get(x, DEFAULT_WIDTH) for x in range(col, end + 1))

    for c in running:
        if c.col > last:  # right of the printed columns (a note outside the print area): not laid out for print
            continue
        text, need, col = str(_text(c)), shown_width(_text(c), c.style), c.col
        if several and key is not None and col <= key[1]:
            end, width = room(c.row, col, key[1])
            target = key[1] + 1
            if (need > width and target <= last and target not in filled[c.row]
                    and not _wraps_well(text, width, c.style) and _movable(c, referenced)):
                filled[c.row] = (filled[c.row] - {col}) | {target}
                moves[(c.row, col)] = col = target
        if not (several and key is not None and col <= key[1]):
            end, width = room(c.row, col, next((b for a, b in segments if a <= col <= b), last))
        if need <= width:
            continue
        if end > col:
            merges[(c.row, col)] = end
        else:
            own.add((c.row, col))
        lines = wrapped_lines(text, width, c.style)
        heights[c.row] = max(heights.get(c.row, 0.0), row_points(lines, line_points(c.style)))
    return TextRuns(moves, merges, frozenset(own), heights)


def _wraps_well(text: str, width: float, style: str) -> bool:
    """Whether ``text`` wraps in a cell ``width`` characters wide into at most :data:`MAX_KEY_LINES` lines
    without breaking a word."""
    return (wrapped_lines(text, width, style) <= MAX_KEY_LINES
            and shown_width(text.replace("\n", " ").replace(" ", "\n"), style) <= width)


def _movable(cell: Cell, referenced: Callable[[int, int], bool]) -> bool:
    """A text nothing refers to — no name, formula or input; a label also not in a named block, a chart's range
    or a formula's reference of its sheet (a title or note is never data) — may print in another column."""
    return (cell.name is None and cell.formula is None and cell.input is None
            and (cell.style in OVERFLOW_STYLES or not referenced(cell.row, cell.col)))


class _References:
    """What of a sheet its named blocks, its charts' ranges and its formulas refer to, read once when asked: a
    cell is referenced when it lies in a named block or a chart's range, or a formula names its address
    (a formula's range over it, ``=COUNTA(A1:A9)``, is not looked for: a large sheet has 100,000s of them)."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.boxes: set[tuple[int, int, int, int]] | None = None
        self.formulas = ""

    def __call__(self, row: int, col: int) -> bool:
        if self.boxes is None:
            self.boxes = set(self.sheet.ranges.values())
            for ch in self.sheet.charts:
                for ref in (str(v) for series in ch.series for v in series.values()):
                    for a, b in _A1_RANGE.findall(ref):
                        (r0, c0), (r1, c1) = (xl_cell_to_rowcol(a.replace("$", "")),
                                              xl_cell_to_rowcol((b or a).replace("$", "")))
                        self.boxes.add((r0, c0, r1, c1))
            self.formulas = "\n".join(c.formula for c in self.sheet.cells if c.formula is not None)
        if any(r0 <= row <= r1 and c0 <= col <= c1 for r0, c0, r1, c1 in self.boxes):
            return True
        letters = xl_col_to_name(col)
        return any(_names_cell(self.formulas, f"{letters}{dollar}{row + 1}") for dollar in ("", "$"))


def _names_cell(formulas: str, address: str) -> bool:
    """Whether ``formulas`` name the cell ``address`` (``A2`` or ``A$2``; with or without a ``$`` before the
    column, not as part of ``A20``, ``BA2`` or a defined name)."""
    at = formulas.find(address)
    while at >= 0:
        before = formulas[at - 2:at] if at >= 2 else " " + formulas[:at]
        after = formulas[at + len(address):at + len(address) + 1]
        prefix = before[-1:] if before[-1:] != "$" else before[-2:-1]
        if not after.isdigit() and not (prefix.isalnum() or prefix == "_"):
            return True
        at = formulas.find(address, at + 1)
    return False


_A1_RANGE = re.compile(r"(\$?[A-Z]{1,3}\$?\d+)(?::(\$?[A-Z]{1,3}\$?\d+))?")


def chart_boxes(sheet: Sheet, widths: dict[int, float]) -> list[tuple[int, int, int, int]]:
    """The first row, first column, last row and last column each chart of the sheet covers."""
    return [(ch.anchor[0], c0, ch.anchor[0] + math.ceil(ch.size[1] / (LINE_POINTS / 0.75)), c1)
            for ch, (c0, c1) in zip(sheet.charts, chart_columns(sheet, widths), strict=True)]


def page_plan(sheet: Sheet) -> PagePlan:
    """How ``sheet`` prints (see :class:`PagePlan` and :class:`~kam_xl.workbook.layout.Print`)."""
    texts = shown_texts(sheet)  # read once for the steps that look at texts alone
    widths, wrap = fitted_widths(sheet)
    heights = row_heights(sheet, widths, wrap, texts)
    charts = chart_columns(sheet, widths)
    cols = _col_points(sheet, widths, charts)
    page = printable_width(sheet.print.landscape)
    key = _repeat_cols(sheet, cols, page)
    repeat = sum(cols[key[0]:key[1] + 1]) if key else 0.0
    keep = charts + heading_columns(sheet, widths, key, texts) + list(sheet.print.groups)
    wide, scale = print_scale(cols, page, repeat, keep)
    col_breaks = column_breaks(cols, page, scale, repeat, keep) if wide > 1 else []
    runs = TextRuns()
    if sheet.print.printed and not sheet.streamed:
        runs = text_runs(sheet, widths, wrap, page_segments(col_breaks, len(cols)), key if wide > 1 else None,
                         chart_boxes(sheet, widths), texts)
    wrap = wrap | runs.wrap
    for r, h in runs.heights.items():
        heights[r] = max(heights.get(r, LINE_POINTS), h)
    wrapping = {c.row for c in sheet.cells if c.style in WRAPPED_STYLES} | {r for r, _ in wrap | set(runs.merges)}
    top_rows = frozenset(r for r in wrapping if heights.get(r, LINE_POINTS) > LINE_POINTS)
    repeat_rows = _repeat_rows(sheet)
    last_row = max(map(_ROW, sheet.cells), default=0)
    keep = []
    for ch in sheet.charts:
        rows = math.ceil(ch.size[1] / (LINE_POINTS / 0.75))
        keep.append((ch.anchor[0], ch.anchor[0] + rows))
        last_row = max(last_row, ch.anchor[0] + rows)
    all_heights = [heights.get(r, LINE_POINTS) for r in range(last_row + 1)]
    titles = sum(all_heights[repeat_rows[0]:repeat_rows[1] + 1]) if repeat_rows else 0.0
    if sheet.one_page:  # fit to one page wide and tall: the scale the taller or wider side needs, no breaks
        scale = min(fit_scale(sum(cols), page * WIDTH_SAFETY),
                    fit_scale(sum(all_heights), printable_height(sheet.print.landscape) * PAGE_SAFETY))
        return PagePlan(widths, heights, wrap, 1, scale, repeat_rows, (), key, (), runs.merges, runs.moves,
                        top_rows)
    room = printable_height(sheet.print.landscape) * 100 / scale * PAGE_SAFETY
    headings = {c.row for c in sheet.cells if c.style in HEADING_STYLES}
    breaks = paginate(all_heights, headings, room, keep, titles=titles) if sheet.print.printed else []
    return PagePlan(widths, heights, wrap, wide, scale, repeat_rows, tuple(breaks), key, tuple(col_breaks),
                    runs.merges, runs.moves, top_rows)


#: The share of a page's height the pagination fills: room for the difference between the row heights
#: assumed here and the ones Excel or LibreOffice use, so that their automatic breaks never come first.
#: LibreOffice draws every row at the height assumed (measured on its PDFs: a 15 pt row is 13.95 pt apart at
#: 93 %) and the rows of several lines get their height written; what is left is Excel's taller row of a larger
#: font (a sheet's 14 pt title: 18.75 pt, not 15) — 1 % of a page. More slack pushed blocks that fit on the rest
#: of a page to the next one.
PAGE_SAFETY = 0.99
#: The same for the width of a page: LibreOffice draws a column ~6 % wider than Excel (measured on its PDFs
#: with Carlito, the metric twin of Calibri), so a page is filled to 93 % of Excel's width.
WIDTH_SAFETY = 0.93
