"""Page geometry of a printed sheet: column widths in points, the printable width of A4, the fit-to-width
scale, and the height a row of wrapped text needs — small pure functions the renderer (and the print tests)
use, so that a printed sheet stays legible and no text overlaps the next row.

Units: column widths in Excel's characters (the width of a digit of the body font, Calibri 11), lengths on
paper in points (1/72 inch), scales in percent.

>>> column_points(8.43)   # Excel's default column: 64 pixels
48.0
>>> fit_scale(1482.0, 741.0)   # a sheet twice as wide as the page prints at half size when fit to width
50
>>> wrapped_lines("Leistungsfähigkeit des Systems", 12)
3
"""

from __future__ import annotations

import math
import textwrap

#: A4 in points (ISO 216: 210 × 297 mm).
A4_POINTS = (595.3, 841.9)
#: xlsxwriter's and Excel's default page margins: left/right 0.7 inch, top/bottom 0.75 inch, header/footer 0.3.
MARGIN_LR_POINTS = 0.7 * 72
MARGIN_TB_POINTS = 0.75 * 72
#: The smallest scale a sheet is fit to width at: below it, it is printed at 100 % over several pages wide
#: (its key column repeated) — at 70 % an 11 pt cell prints at 7.7 pt, the smallest text one reads at a desk.
MIN_FIT_SCALE = 70
#: The height of one line of the body font (Calibri 11) in points, as Excel sizes a default row.
LINE_POINTS = 15.0
#: How many of Excel's characters (digit widths) an average character of running text takes: letters of a
#: German text average ~1.1 digit widths of Calibri (capitals and m/w wider, i/l/t narrower).
TEXT_CHAR_WIDTH = 1.1


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


def fit_scale(content_points: float, page_points: float) -> int:
    """The percent scale at which ``content_points`` fit into ``page_points`` (100 when they fit as they are),
    rounded down as Excel and LibreOffice do."""
    if content_points <= page_points:
        return 100
    return math.floor(page_points / content_points * 100)


def text_chars(width: float) -> int:
    """How many characters of running text fit on one line of a column ``width`` characters wide."""
    return max(1, int((width - 1) / TEXT_CHAR_WIDTH))


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapping cell ``width`` characters wide: each paragraph (line break) wrapped
    at word boundaries, a word longer than the line broken; at least one line."""
    chars = text_chars(width)
    return max(1, sum(len(textwrap.wrap(part, chars, break_long_words=True)) or 1 for part in text.split("\n")))


def row_points(lines: int, line_points: float = LINE_POINTS) -> float:
    """The height of a row that shows ``lines`` lines of text, in points."""
    return max(1, lines) * line_points
