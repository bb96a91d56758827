"""Workbook layouts as data.

A template is a function that returns a :class:`Book`: sheets made of :class:`Cell` s, each a label, an
input (unlocked, validated, named) or a formula that carries the value kam_xl's pure functions computed for
it as its cached result. The renderer writes a :class:`Book` without knowing any KAM method, and the
reader finds inputs by their defined names, never by address.

>>> s = Sheet("CDB")
>>> _ = s.put(0, 0, "Bruttoumsatz", style="label")
>>> _ = s.put(0, 1, 1000.0, style="money", name="cdb_gross_sales", input=Input(kind="amount"))
>>> _ = s.put(1, 1, formula="=cdb_gross_sales*2", cached=2000.0, style="money", name="cdb_double")
>>> [c.address for c in s.cells]
['A1', 'B1', 'B2']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import Any, Literal

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from kam_xl.vocabulary import Lang

InputKind = Literal["amount", "number", "fraction", "score", "integer", "list", "text", "date"]
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$|^[RrCc][0-9]*$")
#: The sheet classic xlwings reads a workbook's own settings from (``xlwings.utils.read_config_sheet``; the
#: VBA side reads the same block): keys from A1 down in column A, each value beside it in column B.
XLWINGS_CONF_SHEET = "xlwings.conf"
#: What every generated workbook tells classic xlwings: "UDF Modules" is the Python module whose functions
#: and macros "Import Functions" wraps (the ``udfs`` package). Nothing else, so that an IT department's
#: own settings (interpreter, conda env …) in the user's or the folder's xlwings.conf still apply.
XLWINGS_CONF: tuple[tuple[str, str], ...] = (("UDF Modules", "udfs"),)
#: The longest text a text input takes — the workbook's data validation and the readers
#: (:func:`kam_xl.workbook.coerce.text`) both use this one limit.
TEXT_MAX_CHARS = 1000
#: The largest magnitude a number input takes where its layout sets no bound.
NUMBER_LIMIT = 1e15
#: The range of a number input of each kind where its layout sets no bound (the data validation and the
#: readers use the same): amounts ≥ 0, fractions 0–1 (shown as 0–100 %), scores 0–100 points.
KIND_BOUNDS: dict[str, tuple[float, float]] = {"amount": (0, NUMBER_LIMIT), "fraction": (0, 1), "score": (0, 100),
                                               "number": (-NUMBER_LIMIT, NUMBER_LIMIT)}


def pick(lang: Lang, de: str, en: str) -> str:
    """The label in the workbook's language (German by default, English with ``lang="en"``)."""
    return de if lang == "de" else en


def check_name(name: str) -> str:
    """A defined name that Excel and LibreOffice both accept: letters, digits and underscores, not starting
    with a digit and not looking like a cell reference (``CDB1``) or R1C1 (``R``, ``C2``)."""
    if not _name_ok(name):
        raise ValueError(f"defined name {name!r} — allowed: letters, digits and _, not like a cell reference")
    return name


@lru_cache(maxsize=4096)
def _name_ok(name: str) -> bool:
    """:func:`check_name`'s rule, remembered for the last 4,096 names (a layout gives the same few hundred names
    to every account)."""
    return _NAME.match(name) is not None and _CELL_LIKE.match(name) is None


@cache
def _column(col: int) -> str:
    """The letters of column ``col`` (0 → ``A``), remembered: at most 16,384 columns."""
    return xl_col_to_name(col)


def cell_ref(row: int, col: int, absolute: bool = False) -> str:
    """The A1 reference of the cell (``row``, ``col``), 0-based (``$A$1`` with ``absolute``) — what xlsxwriter's
    ``xl_rowcol_to_cell`` gives, with the column letters remembered (layouts ask for hundreds of thousands).

    >>> cell_ref(0, 27), cell_ref(9, 2, absolute=True)
    ('AB1', '$C$10')
    """
    if row < 0 or col < 0:  # xlsxwriter's answer (a warning and "")
        return xl_rowcol_to_cell(row, col, absolute, absolute)
    return f"${_column(col)}${row + 1}" if absolute else f"{_column(col)}{row + 1}"


def sheet_ref(sheet: str, first_row: int, first_col: int, last_row: int | None = None,
              last_col: int | None = None) -> str:
    """Absolute reference to a cell or range of the sheet called ``sheet``, its name quoted (:meth:`Sheet.ref`
    without making a :class:`Sheet`).

    >>> sheet_ref("Buying Center", 6, 0), sheet_ref("KAOP", 1, 2, 3, 4)
    ("'Buying Center'!$A$7", "'KAOP'!$C$2:$E$4")
    """
    if (last_row is None or last_col is None) and first_row >= 0 and first_col >= 0:  # one cell, in short
        return f"'{sheet}'!${_column(first_col)}${first_row + 1}"  # a streamed sheet's rows ask for millions
    a = cell_ref(first_row, first_col, absolute=True)
    if last_row is not None and last_col is not None and (last_row, last_col) != (first_row, first_col):
        a += ":" + cell_ref(last_row, last_col, absolute=True)
    return f"'{sheet}'!{a}"


@dataclass(frozen=True)
class Input:
    """Makes a cell an input: unlocked, input style, data validation with a message saying what is allowed."""

    kind: InputKind
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    choices_source: str | None = None  # a range formula such as "=_lists!$A$1:$A$6" for long lists
    title: str = ""
    message: str = ""
    required: bool = False

    @property
    def bounds(self) -> tuple[float, float]:
        """The lowest and highest number a number input takes: its own ``minimum``/``maximum``, else those of
        its kind (:data:`KIND_BOUNDS`)."""
        low, high = KIND_BOUNDS.get(self.kind, KIND_BOUNDS["number"])
        return (low if self.minimum is None else self.minimum, high if self.maximum is None else self.maximum)


@dataclass(slots=True, unsafe_hash=True)
class Cell:
    """One cell: static ``value``, or ``formula`` with its ``cached`` engine value; optional name and input.
    (Slotted: a controller of many accounts holds millions of them.)

    A cell is never changed once made — :func:`dataclasses.replace` gives a changed copy — and compares and
    hashes by value. It is not a *frozen* dataclass only because a frozen one sets each of its eight fields
    through ``object.__setattr__``, which made building a cell five times slower (≈ 6 ms of an account plan's
    layout, millions of cells in a controller)."""

    row: int
    col: int
    value: Any = None
    formula: str | None = None
    cached: Any = None
    style: str = "text"
    name: str | None = None
    input: Input | None = None

    @property
    def address(self) -> str:
        """A1 address of the cell."""
        return cell_ref(self.row, self.col)

    @property
    def absolute(self) -> str:
        """Absolute A1 address ($A$1)."""
        return cell_ref(self.row, self.col, absolute=True)


@dataclass(frozen=True)
class Conditional:
    """A conditional format over a range, in xlsxwriter's options form (``{"type": "cell", ...}``)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    options: dict[str, Any]


@dataclass(frozen=True)
class Chart:
    """A chart, as xlsxwriter options: ``kind`` (``radar``, ``bar``, ``column``, ``scatter``, ``line``),
    its ``series`` (dicts for ``add_series``), title, anchor cell and size."""

    kind: str
    series: tuple[dict[str, Any], ...]
    title: str
    anchor: tuple[int, int]
    subtype: str | None = None
    size: tuple[int, int] = (480, 300)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sparkline:
    """A sparkline in the cell (``row``, ``col``) over ``range`` (an absolute reference, any sheet), as
    xlsxwriter's ``add_sparkline`` options: ``kind`` ``line``, ``column`` or ``win_loss`` and further
    ``options`` (``markers``, ``series_color`` …)."""

    row: int
    col: int
    range: str
    kind: Literal["line", "column", "win_loss"] = "line"
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Button:
    """A form button at a cell that runs a VBA macro (the macro's name as Excel's "Assign Macro" shows it)."""

    row: int
    col: int
    macro: str
    caption: str
    width: int = 260
    height: int = 30


@dataclass(frozen=True)
class RowKey:
    """Which named block holds the keys that the rows of other input blocks belong to — what regeneration
    aligns rows by (:mod:`kam_xl.workbook.merge`), so that a value never moves to another product, criterion,
    activity or measure when the data book inserts, removes or reorders rows.

    The rows of every block in ``blocks`` belong to the key in column ``col`` of the block ``key``
    (``axis="rows"``); with ``axis="cols"`` the columns of ``blocks`` belong to the keys in row 0 of ``key``
    (the supplier names heading a Kgb card's rating columns). ``key`` may itself be one of ``blocks``. Names
    may contain ``{n}``: the declaration then holds for every card of a :class:`KeyedFamily`.

    >>> RowKey("kaop_plan_products", ("kaop_plan_products", "kaop_plan_volume")).names(None)
    ('kaop_plan_products', ('kaop_plan_products', 'kaop_plan_volume'))
    >>> RowKey("kgb_{n}_criteria", ("kgb_{n}_weights",)).names(2)
    ('kgb_2_criteria', ('kgb_2_weights',))
    """

    key: str
    blocks: tuple[str, ...]
    col: int = 0
    axis: Literal["rows", "cols"] = "rows"

    def names(self, n: int | None) -> tuple[str, tuple[str, ...]]:
        """Key block and member blocks, with ``{n}`` replaced by card ``n``."""
        if n is None:
            return self.key, self.blocks
        return self.key.format(n=n), tuple(b.format(n=n) for b in self.blocks)


@dataclass(frozen=True)
class KeyedFamily:
    """Numbered groups of names — ``kgb_1_…``, ``kgb_2_…`` (``prefix`` ``"kgb_"``) — each belonging to the
    key in its cell ``<prefix><n>_<key>`` (the card's segment): regeneration numbers the cards after their
    keys, never by position."""

    prefix: str
    key: str

    def key_name(self, n: int) -> str:
        """The name of card ``n``'s key cell."""
        return f"{self.prefix}{n}_{self.key}"


KeySpec = RowKey | KeyedFamily
#: The cell styles that head a block: a page break is placed before them, never right after them.
HEADING_STYLES = frozenset({"title", "subtitle"})


@dataclass(frozen=True)
class Print:
    """How a sheet prints — every sheet has one (:attr:`Sheet.print`), its defaults fit every layout:

    A4 landscape; fit to as few pages wide as keep the print scale at or above
    :data:`~kam_xl.workbook.printing.MIN_FIT_SCALE` (one page wide when that stays legible, else the columns
    split over pages at a legible scale with the key column repeated); header (book title, sheet, generation
    date) and footer ("Seite x von y"); row breaks placed by the renderer so that a heading (a cell of a
    :data:`HEADING_STYLES` style) and its block start a page instead of ending one.

    ``repeat_rows`` (first, last; 0-based) repeat on every page — ``None``: the rows above and including a
    sheet's one header row when it has a single table, else its title row. ``repeat_cols`` are the key
    columns repeated on every page wide — ``None``: the sheet's frozen columns (:attr:`Sheet.freeze`, ID and
    name of an account list) when they take at most a fifth of a page, else column A; ``False``: none.
    ``area`` limits what prints (first row, first col, last row, last col); ``printed=False`` keeps a sheet
    out of print (it is hidden: raw data sheets the formulas read). ``groups`` (first col, last col) are column
    groups kept on one page wide, as a chart is — the group label over them prints with its columns.
    """

    landscape: bool = True
    repeat_rows: tuple[int, int] | None = None
    repeat_cols: tuple[int, int] | Literal[False] | None = None
    area: tuple[int, int, int, int] | None = None
    printed: bool = True
    groups: tuple[tuple[int, int], ...] = ()


@dataclass
class Sheet:
    """A worksheet layout."""

    name: str
    cells: list[Cell] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)  # row → height in points (rows of wrapped text)
    ranges: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    conditionals: list[Conditional] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    sparklines: list[Sparkline] = field(default_factory=list)
    one_page: bool = False  # printed on exactly one page (fit to one page wide and tall), e.g. the cockpit
    hidden: bool = False
    protect: bool = True
    freeze: tuple[int, int] | None = None
    keys: list[KeySpec] = field(default_factory=list)  # which blocks' rows follow which keys (regeneration)
    print: Print = field(default_factory=Print)  # how it prints (defaults fit every sheet)
    #: written row by row as XML text (xlsxwriter's constant-memory mode, for this sheet alone): for large sheets
    #: of raw data, whose cells would otherwise be held as objects until the file is closed
    streamed: bool = False
    #: cells produced on demand, beside :attr:`cells`: a function returning them in row order; the renderer merges
    #: them row by row with :attr:`cells` (which may hold cells of the same rows: an account's id or inputs, which
    #: other sheets and the readers look up, while the rest of its row is produced). The renderer calls it once —
    #: for the page plan's few deciding cells, the rows going on into a temporary file from which they are
    #: written — and never holds them all, so a sheet with a row per account takes flat memory in the number of
    #: accounts (a :attr:`streamed` sheet only; no inputs among them). ``None``: all cells are in :attr:`cells`.
    rows: Callable[[], Iterable[Cell]] | None = None

    def all_cells(self) -> Iterator[Cell]:
        """Every cell of the sheet: :attr:`cells`, then those :attr:`rows` produces (produced again each time)."""
        yield from self.cells
        if self.rows is not None:
            yield from self.rows()

    def put(self, row: int, col: int, value: Any = None, *, formula: str | None = None, cached: Any = None,
            style: str = "text", name: str | None = None, input: Input | None = None) -> Cell:
        """Add a cell and return it (so a formula elsewhere can refer to ``cell.absolute``)."""
        if name is not None:
            check_name(name)
        cell = Cell(row, col, value, formula, cached, style, name, input)
        self.cells.append(cell)
        return cell

    def name_range(self, name: str, first_row: int, first_col: int, last_row: int, last_col: int) -> str:
        """Give a block a defined name; returns the absolute range reference on this sheet."""
        self.ranges[check_name(name)] = (first_row, first_col, last_row, last_col)
        return self.ref(first_row, first_col, last_row, last_col)

    def ref(self, first_row: int, first_col: int, last_row: int | None = None, last_col: int | None = None) -> str:
        """Absolute reference to a cell or range of this sheet, with the sheet name quoted."""
        return sheet_ref(self.name, first_row, first_col, last_row, last_col)


@dataclass
class Book:
    """A workbook layout: its sheets and the metadata written to the hidden ``_meta`` sheet.

    ``xlwings_conf`` becomes the hidden ``xlwings.conf`` sheet (key, value rows; empty: no sheet).
    ``vba_project`` is the bytes of a ``vbaProject.bin``: with it the workbook is macro-enabled (write it to
    an ``.xlsm``), its sheets get the code names ``Sheet1``, ``Sheet2`` … and the workbook ``ThisWorkbook``.

    ``on_demand``: the sheets laid out as the writer comes to them, instead of :attr:`sheets` (then empty) — a
    function returning them in workbook order, each laid out when asked for and let go once written, so that a
    workbook whose layout is many times its file (the controller of 10,000 accounts) is never held whole
    (:func:`~kam_xl.workbook.render.fill_workbook` calls it once, after which it may have filled :attr:`meta`
    further). :meth:`held` gives the book with every sheet in :attr:`sheets`, for checks that read them.
    """

    template_id: str
    template_version: str
    sheets: list[Sheet]
    meta: dict[str, str] = field(default_factory=dict)
    lang: Literal["de", "en"] = "de"
    xlwings_conf: tuple[tuple[str, str], ...] = XLWINGS_CONF
    vba_project: bytes | None = None
    currency: str = "EUR"  # ISO 4217 code of the amounts (the ``money`` styles show its symbol)
    active: str | None = None  # the sheet the workbook opens on (default: the first)
    on_demand: Callable[[], Iterator[Sheet]] | None = None

    def held(self) -> Book:
        """This book with its sheets laid out on demand (:attr:`on_demand`) held in :attr:`sheets` (itself when
        it has none): every sheet in memory, for checks and small books."""
        if self.on_demand is None:
            return self
        return replace(self, sheets=[*self.sheets, *self.on_demand()], on_demand=None)

    def sheet(self, name: str) -> Sheet:
        """The sheet called ``name``."""
        return next(s for s in self.sheets if s.name == name)

    def formula_cells(self) -> list[tuple[str, Cell]]:
        """Every formula cell with its sheet name (the cells a recalculation test compares)."""
        return [(s.name, c) for s in self.sheets for c in s.all_cells() if c.formula is not None]

    def key_specs(self) -> tuple[KeySpec, ...]:
        """The key declarations of all sheets (:class:`RowKey`, :class:`KeyedFamily`)."""
        return tuple(k for s in self.sheets for k in s.keys)

    def input_cells(self) -> list[tuple[str, Cell]]:
        """Every input cell with its sheet name."""
        return [(s.name, c) for s in self.sheets for c in s.all_cells() if c.input is not None]


def _shown(c: Cell | None) -> Any:
    """What reading the written cell gives: its value, a formula's cached value, ``None`` where no cell is."""
    return None if c is None else c.cached if c.formula is not None else c.value


def named_values(book: Book, names: AbstractSet[str] | None = None) -> dict[str, Any]:
    """Every defined name of a layout with its value (a value per named cell, the rows of a named block; a
    formula cell gives its cached value) — what reading the written workbook by name would return. With
    ``names``: only those names (and only their blocks' cells are looked up)."""
    out: dict[str, Any] = {}
    for sheet in book.sheets:
        ranges = sheet.ranges if names is None else {n: b for n, b in sheet.ranges.items() if n in names}
        cells: Iterable[Cell] = list(sheet.all_cells()) if ranges else sheet.all_cells()
        for c in cells:
            if c.name and (names is None or c.name in names):
                out[c.name] = _shown(c)
        if ranges:
            by_pos = {(c.row, c.col): c for c in cells}
            for name, (r0, c0, r1, c1) in ranges.items():
                out[name] = [[_shown(by_pos.get((r, col))) for col in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]
    return out


def input_values(book: Book) -> dict[str, Any]:
    """The inputs of a layout by defined name: a value for a named input cell, a list of rows for a named
    block that contains inputs. This is what regeneration compares and carries over."""
    out: dict[str, Any] = {}
    for sheet in book.sheets:
        by_pos = {(c.row, c.col): c for c in sheet.cells}
        input_cols: dict[int, list[int]] = {}  # row → the columns of its input cells
        for c in by_pos.values():
            if c.input is not None:
                input_cols.setdefault(c.row, []).append(c.col)
        for c in sheet.cells:
            if c.input is not None and c.name:
                out[c.name] = c.value
        get = by_pos.get
        for name, (r0, c0, r1, c1) in sheet.ranges.items():
            if _holds_input(input_cols, r0, c0, r1, c1):
                out[name] = [[None if (cell := get((r, col))) is None else cell.value for col in range(c0, c1 + 1)]
                             for r in range(r0, r1 + 1)]
    return out


def _holds_input(input_cols: dict[int, list[int]], r0: int, c0: int, r1: int, c1: int) -> bool:
    """Whether the block (``r0``, ``c0``)–(``r1``, ``c1``) holds one of the input cells ``input_cols`` lists."""
    for r in range(r0, r1 + 1):
        for col in input_cols.get(r, ()):
            if c0 <= col <= c1:
                return True
    return False


def locate(book: Book, name: str, row: int | None = None, col: int | None = None) -> tuple[str, str] | None:
    """Sheet and A1 address of a named cell, or of the cell at (row, col) inside a named block."""
    for sheet in book.sheets:
        for c in sheet.all_cells():
            if c.name == name:
                return sheet.name, c.address
        if name in sheet.ranges:
            r0, c0, _, _ = sheet.ranges[name]
            return sheet.name, xl_rowcol_to_cell(r0 + (row or 0), c0 + (col or 0))
    return None
