"""Read a workbook's inputs by their defined names — fast, without openpyxl.

The file is opened through :mod:`kam_xl.package` (the one guarded opening: limits, defusedxml, the sheet
scan); the defined names come from its ``xl/workbook.xml``, the cell values from python-calamine, the cell
kinds calamine cannot tell (error values, uncached formulas, percent formats) from the package's scan.
A name refers to one cell (→ a value) or a block (→ a list of rows). Files that are not
ours — not a zip (damaged, or password-protected, which Office stores as an encrypted OLE file), without
the ``_meta`` entries, or of another template — raise :class:`WorkbookError` with the file named.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kam_xl.cells import PercentNumber
from kam_xl.package import (
    OLE_MAGIC,
    PERCENT,
    Kind,
    Package,
    PackageError,
    SheetScan,
    WorkbookError,
    WorkbookXml,
    open_package,
)

_REF = re.compile(r"^=?'?(?P<sheet>.+?)'?!\$?(?P<c0>[A-Z]+)\$?(?P<r0>\d+)(?::\$?(?P<c1>[A-Z]+)\$?(?P<r1>\d+))?$")
__all__ = ["OLE_MAGIC", "Engine", "NamedRef", "NamedValues", "WorkbookError", "defined_names", "read_named",
           "with_kinds"]


@dataclass(frozen=True)
class NamedRef:
    """Where a defined name points: sheet and 0-based inclusive cell box."""

    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int

    @property
    def is_cell(self) -> bool:
        """True for a single cell."""
        return (self.first_row, self.first_col) == (self.last_row, self.last_col)

    def address(self, row: int = 0, col: int = 0) -> str:
        """The A1 address of the cell at (``row``, ``col``) inside the box (0-based from its first cell).

        >>> NamedRef("ABC-XYZ", 3, 2, 6, 2).address(1), NamedRef("Auswahl", 8, 8, 21, 14).address(2, 3)
        ('C5', 'L11')
        """
        from openpyxl.utils.cell import get_column_letter

        return f"{get_column_letter(self.first_col + col + 1)}{self.first_row + row + 1}"


@dataclass
class NamedValues:
    """A workbook read by name: ``values`` maps each defined name to a value or a list of rows; ``meta`` holds
    the ``_meta`` entries (``template_id``, ``template_version``, ``account_id`` …)."""

    path: Path
    refs: dict[str, NamedRef]
    values: dict[str, Any]
    meta: dict[str, str] = field(default_factory=dict)

    def locate(self, name: str, row: int | None = None, col: int | None = None) -> tuple[str, str] | None:
        """Sheet and A1 address of a named cell, or of the cell at (row, col) inside a named block."""
        ref = self.refs.get(name)
        return None if ref is None else (ref.sheet, ref.address(row or 0, col or 0))


@dataclass(frozen=True)
class _SheetPlan:
    """What to take from one sheet: single cells (name, row, col), blocks (name, box) and ``_meta`` entries."""

    sheet: str
    cells: tuple[tuple[str, int, int], ...]
    blocks: tuple[tuple[str, int, int, int, int], ...]
    meta: tuple[tuple[str, int, int], ...]
    last_row: int  # the furthest row and column any name reaches: a grid this large needs no bounds checks
    last_col: int


def _plan(refs: dict[str, NamedRef], names: set[str] | None = None) -> tuple[_SheetPlan, ...]:
    """The names grouped by sheet, for reading each sheet once."""
    grouped: dict[str, tuple[list, list, list]] = {}
    for name, ref in refs.items():
        if names is not None and name not in names and not name.startswith("meta_"):
            continue
        cells, blocks, meta = grouped.setdefault(ref.sheet, ([], [], []))
        if name.startswith("meta_"):
            if ref.is_cell:
                meta.append((name[5:], ref.first_row, ref.first_col))
        elif ref.is_cell:
            cells.append((name, ref.first_row, ref.first_col))
        else:
            blocks.append((name, ref.first_row, ref.first_col, ref.last_row, ref.last_col))
    return tuple(_SheetPlan(sheet, tuple(c), tuple(b), tuple(m),
                            max([r for _, r, _ in c + m] + [x[3] for x in b]),
                            max([k for _, _, k in c + m] + [x[4] for x in b]))
                 for sheet, (c, b, m) in grouped.items())


_Where = dict[str, tuple[int, int, int, int, int]]  # name → (sheet number in the plan, first/last row/col)


def _where(plan: tuple[_SheetPlan, ...]) -> _Where:
    """Where each (non-``_meta``) name of a plan is: for reading names one by one when asked for."""
    out: _Where = {}
    for g, sp in enumerate(plan):
        out.update((name, (g, r, c, r, c)) for name, r, c in sp.cells)
        out.update((name, (g, r0, c0, r1, c1)) for name, r0, c0, r1, c1 in sp.blocks)
    return out


class _LazyValues(Mapping[str, Any]):
    """A workbook's values by defined name (read-only), each taken from its sheet's cells the first time it
    is asked for: a reader that needs only the inputs (collect) does not pay for the ~100 result blocks."""

    __slots__ = ("_got", "_grids", "_where")

    def __init__(self, grids: list[list[list[Any]]], where: _Where):
        self._grids, self._where, self._got = grids, where, {}

    def __getitem__(self, name: str) -> Any:
        got = self._got
        if name in got:
            return got[name]
        g, r0, c0, r1, c1 = self._where[name]
        grid = self._grids[g]
        if r0 == r1 and c0 == c1:
            v = grid[r0][c0]
            value: Any = None if v == "" else v
        elif c0 == c1:
            value = [[None if (v := row[c0]) == "" else v] for row in grid[r0:r1 + 1]]
        else:
            value = [[None if v == "" else v for v in row[c0:c1 + 1]] for row in grid[r0:r1 + 1]]
        got[name] = value
        return value

    def get(self, name: str, default: Any = None) -> Any:
        """The value of ``name``, or ``default`` where the workbook has no such name."""
        return self[name] if name in self._where else default

    def __contains__(self, name: object) -> bool:
        return name in self._where

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


@functools.lru_cache(maxsize=256)  # distinct workbook.xml kept (the plans of one template share a few layouts)
def _names_of(wbx: WorkbookXml) -> tuple[dict[str, NamedRef], tuple[_SheetPlan, ...], _Where, int]:
    """The defined names of a workbook, the plan to read them, where each is, and the most cells one name
    or the names of one sheet span (for :func:`_check_reach`), parsed once per distinct ``workbook.xml``
    (the package caches its parse by the XML's bytes, so the plans of one template share it). What is
    returned is shared: do not change it."""
    refs = _parse_names(wbx)
    plan = _plan(refs)
    return refs, plan, _where(plan), _widest(plan, refs)


def column_index_from_string(letters: str) -> int:
    """A column's number (1-based) from its letters, as openpyxl's function of that name gives it — here so that
    reading a workbook (every ``--jobs`` worker) does not import openpyxl and numpy (≈ 24 MiB and ≈ 1 s a
    process). Raises :class:`ValueError` for more than three letters (Excel's last column is XFD).

    >>> column_index_from_string("A"), column_index_from_string("AB"), column_index_from_string("XFD")
    (1, 28, 16384)
    """
    if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isupper():
        raise ValueError(f"{letters} is not a valid column name")
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _parse_names(wbx: WorkbookXml) -> dict[str, NamedRef]:
    refs = {}
    for name, local, text in wbx.defined:
        if local is not None or not text:
            continue
        m = _REF.match(text)
        if not m:
            continue
        c0, r0 = column_index_from_string(m["c0"]) - 1, int(m["r0"]) - 1
        c1 = column_index_from_string(m["c1"]) - 1 if m["c1"] else c0
        r1 = int(m["r1"]) - 1 if m["r1"] else r0
        refs[name] = NamedRef(m["sheet"].replace("''", "'"), r0, c0, r1, c1)
    return refs


def _widest(plan: tuple[_SheetPlan, ...], refs: dict[str, NamedRef]) -> int:
    """The most cells one name spans, or the names of one sheet from A1 (0 without names)."""
    names = ((r.last_row - r.first_row + 1) * (r.last_col - r.first_col + 1) for r in refs.values())
    return max((*names, *((sp.last_row + 1) * (sp.last_col + 1) for sp in plan)), default=0)


def _check_reach(pkg: Package, plan: tuple[_SheetPlan, ...], refs: dict[str, NamedRef]) -> None:
    """Refuse defined names that span more than ``max_name_cells``, alone or together on their sheet (the
    cells read are those from A1 to the furthest name): a name over ``$A$1:$XFD$1048576`` would have the
    reader build a grid of 17 billion cells."""
    limit = pkg.limits.max_name_cells
    for name, ref in refs.items():
        cells = (ref.last_row - ref.first_row + 1) * (ref.last_col - ref.first_col + 1)
        if cells > limit:
            raise PackageError(pkg.file, f"defined name {name} spans {cells:,} cells (sheet {ref.sheet!r}), more "
                                         f"than the limit (KAM_XL_MAX_NAME_CELLS = {limit:,}) — save it again from "
                                         "Excel, or raise KAM_XL_MAX_NAME_CELLS if this file is genuine")
    for sp in plan:
        cells = (sp.last_row + 1) * (sp.last_col + 1)
        if cells > limit:
            raise PackageError(pkg.file, f"the defined names on sheet {sp.sheet!r} reach row {sp.last_row + 1:,}, "
                                         f"column {sp.last_col + 1:,}: {cells:,} cells from A1, more than the limit "
                                         f"(KAM_XL_MAX_NAME_CELLS = {limit:,}) — save it again from Excel, or raise "
                                         "KAM_XL_MAX_NAME_CELLS if this file is genuine")


def defined_names(path: Path) -> dict[str, NamedRef]:
    """The workbook-level defined names of an .xlsx and where they point (names of other kinds are skipped)."""
    return dict(_names_of(open_package(Path(path)).workbook())[0])


Engine = Literal["calamine", "openpyxl"]


def _calamine_grids(path: Path, data: bytes) -> Callable[[str], list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as e:  # calamine has its own error types for damaged content
        raise WorkbookError(f"{path.name}: damaged .xlsx ({e})") from None

    def grid(sheet: str) -> list[list[Any]]:
        return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    return grid


def _one_by_one(pkg: Package, scans: dict[str, SheetScan], rows: Mapping[str, int]) -> Callable[[str], list[list[Any]]]:
    """A reader of one sheet at a time (for :func:`read_named`'s ``one_by_one``): the sheet is scanned (its scan
    put into ``scans``), stored alone in an archive for calamine with every other sheet empty, its inflated
    bytes let go, and its first ``rows[sheet]`` rows read."""
    from python_calamine import CalamineWorkbook

    def grid(sheet: str) -> list[list[Any]]:
        scans[sheet] = pkg.scan(sheet, up_to_row=rows[sheet])  # neither the scan's kinds nor calamine see a row
        data = pkg.engine_bytes((sheet,), up_to_row=rows[sheet])  # below the names
        pkg.forget(pkg.workbook().sheets[sheet])
        try:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception as e:  # calamine has its own error types for damaged content
            raise WorkbookError(f"{pkg.file}: damaged .xlsx ({e})") from None
        del data
        return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False, nrows=rows[sheet])

    return grid


def _openpyxl_grids(path: Path, data: bytes) -> Callable[[str], list[list[Any]]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as e:  # openpyxl raises many types for damaged content
        raise WorkbookError(f"{path.name}: damaged .xlsx ({e})") from None

    def grid(sheet: str) -> list[list[Any]]:
        rows = [[("" if v is None else v) for v in row] for row in wb[sheet].iter_rows(values_only=True)]
        return rows

    return grid


def with_kinds(grid: list[list[Any]], kinds: Mapping[tuple[int, int], Kind]) -> None:
    """Put the kinds a sheet scan found into a grid of cell values (0-based rows of values, ``""`` for a
    blank), in place: a :class:`~kam_xl.cells.CellError` where the engine read an error or an uncached
    formula as blank, a :class:`~kam_xl.cells.PercentNumber` for a number in a percent-formatted cell.
    Positions outside the grid are left out (no name reaches them)."""
    n_rows = len(grid)
    for (r, c), kind in kinds.items():
        if r >= n_rows or c >= len(row := grid[r]):
            continue
        if kind.__class__ is str and kind == PERCENT:  # the type first: CellError's == is a Python call
            v = row[c]
            if type(v) is float or type(v) is int:
                row[c] = PercentNumber(v)
        else:
            row[c] = kind


def read_named(path: str | Path, names: set[str] | None = None, engine: Engine = "calamine",
               lazy: bool = False, one_by_one: bool = False) -> NamedValues:
    """Read the values of all (or the given) defined names and the ``_meta`` entries of a workbook.

    The file is opened through :func:`kam_xl.package.open_package` (every limit checked before a byte is
    inflated; each sheet read is checked and scanned first), so a hostile or damaged file is a
    :class:`WorkbookError` naming the file and the reason, never a crash. Values are what the engine reads,
    with the kinds it cannot tell put in: an error value or a formula saved without its result is a
    :class:`~kam_xl.cells.CellError`, a number in a percent-formatted cell a
    :class:`~kam_xl.cells.PercentNumber`; a blank cell is ``None``.

    ``engine="calamine"`` (python-calamine, fast) is the default; ``"openpyxl"`` reads the same values with
    openpyxl — both give identical results, which the round-trip tests check. With ``lazy`` the sheets are
    read at once but each name's value is taken from them only when asked for (``values`` is then a
    read-only mapping): for readers that look at a few names of many. With ``one_by_one`` (calamine only) each
    sheet is checked, handed to calamine and read alone, up to the last row a name reaches, and let go before
    the next: the memory is that of the largest sheet read, not of all of them — for a few inputs on large
    sheets (a controller's), at the cost of opening calamine once per sheet."""
    path = Path(path)
    pkg = open_package(path)
    wbx = pkg.workbook()
    refs, plan, where, widest = _names_of(wbx)
    if names is not None:
        plan, lazy = _plan(refs, names), False
        widest = _widest(plan, refs)
    if widest > pkg.limits.max_name_cells:
        _check_reach(pkg, plan, refs)
    if one_by_one:
        scans: dict[str, SheetScan] = {}
        load = _one_by_one(pkg, scans, {sp.sheet: sp.last_row + 1 for sp in plan})
    else:
        scans = {sp.sheet: pkg.scan(sp.sheet) for sp in plan if sp.sheet in wbx.sheets}
        data = pkg.engine_bytes(scans)
        load = _calamine_grids(path, data) if engine == "calamine" else _openpyxl_grids(path, data)
    values: dict[str, Any] = {}
    meta: dict[str, str] = {}
    grids: list[list[list[Any]]] = []
    for sp in plan:
        if sp.sheet not in wbx.sheets:
            raise WorkbookError(f"{path.name}: sheet {sp.sheet!r} cannot be read (the defined names point to it, "
                                "the workbook has no such sheet)")
        try:
            grid = load(sp.sheet)
        except WorkbookError:  # refused or damaged as the package checked it (one_by_one): said already
            raise
        except Exception as e:
            raise WorkbookError(f"{path.name}: sheet {sp.sheet!r} cannot be read ({e})") from None
        if grid and min(map(len, grid)) <= sp.last_col:  # names reach right of the used range: pad the rows
            grid = [list(row) + [""] * (sp.last_col + 1 - len(row)) for row in grid]
        if len(grid) <= sp.last_row:  # … or below it: add blank rows
            grid += [[""] * (sp.last_col + 1) for _ in range(sp.last_row + 1 - len(grid))]
        if kinds := scans[sp.sheet].kinds:
            with_kinds(grid, kinds)
        for key, r, c in sp.meta:
            v = grid[r][c]
            if v != "":
                meta[key] = str(v)
        if lazy:
            grids.append(grid)
            continue
        for name, r, c in sp.cells:  # a blank (calamine's "") reads as None
            v = grid[r][c]
            values[name] = None if v == "" else v
        for name, r0, c0, r1, c1 in sp.blocks:
            if c0 == c1:  # a column (most blocks): no slice per row
                values[name] = [[None if (v := row[c0]) == "" else v] for row in grid[r0:r1 + 1]]
            else:
                values[name] = [[None if v == "" else v for v in row[c0:c1 + 1]] for row in grid[r0:r1 + 1]]
    if lazy:
        return NamedValues(path=path, refs=dict(refs), values=_LazyValues(grids, where), meta=meta)  # type: ignore[arg-type]
    return NamedValues(path=path, refs=dict(refs), values=values, meta=meta)
