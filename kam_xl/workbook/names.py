"""Read a workbook's inputs by their defined names — fast, without openpyxl.

The defined names come from ``xl/workbook.xml`` (a few KB, parsed with ElementTree); the cell values from
python-calamine. A name refers to one cell (→ a value) or a block (→ a list of rows). Files that are not
ours — not a zip (damaged, or password-protected, which Office stores as an encrypted OLE file), without
the ``_meta`` entries, or of another template — raise :class:`WorkbookError` with the file named.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree

from openpyxl.utils.cell import column_index_from_string

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REF = re.compile(r"^=?'?(?P<sheet>.+?)'?!\$?(?P<c0>[A-Z]+)\$?(?P<r0>\d+)(?::\$?(?P<c1>[A-Z]+)\$?(?P<r1>\d+))?$")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class WorkbookError(Exception):
    """A workbook that cannot be read as one of ours; the message names the file and the reason."""


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
        if ref is None:
            return None
        from openpyxl.utils.cell import get_column_letter

        return ref.sheet, f"{get_column_letter(ref.first_col + (col or 0) + 1)}{ref.first_row + (row or 0) + 1}"


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


_PARSED: dict[Any, tuple[dict[str, NamedRef], tuple[_SheetPlan, ...], _Where]] = {}  # workbook.xml → names
_PARSED_MAX = 256  # distinct workbook.xml kept (the plans of one template version share a few layouts)


_WORKBOOK_XML = b"xl/workbook.xml"
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")  # a central directory entry (46 bytes before its name)
_LOCAL = struct.Struct("<4sHHHHHIIIHH")  # a local file header (30 bytes before its name)


def _stored_workbook_xml(data: bytes) -> tuple[int, bytes, int, int] | None:
    """``xl/workbook.xml`` as stored in the archive — (compression method, stored bytes, CRC-32, size) —
    found through its central-directory entry (the last occurrence of the name: the directory is at the end
    of the archive); ``None`` when anything is unusual (zip64, encryption, another compression, a local
    header that does not match), and :mod:`zipfile` reads it instead. zipfile parses every entry of the
    directory first, which costs more than the rest of finding the names."""
    at = data.rfind(_WORKBOOK_XML) - _CENTRAL.size
    if at < 0:
        return None
    (sig, _, _, flags, method, _, _, crc, csize, usize, n_name, _, _, _, _, _,
     offset) = _CENTRAL.unpack_from(data, at)
    if sig != b"PK\x01\x02" or n_name != len(_WORKBOOK_XML) or flags & 1 or method not in (0, 8) \
            or 0xFFFFFFFF in (csize, usize, offset) or offset + _LOCAL.size > len(data):
        return None
    lsig, *_, l_name, l_extra = _LOCAL.unpack_from(data, offset)
    start = offset + _LOCAL.size + l_name + l_extra
    if lsig != b"PK\x03\x04" or data[offset + _LOCAL.size:offset + _LOCAL.size + l_name] != _WORKBOOK_XML \
            or start + csize > len(data):
        return None
    return method, data[start:start + csize], crc, usize


def _inflate(stored: tuple[int, bytes, int, int]) -> bytes | None:
    """The XML of a stored entry, ``None`` when it does not inflate to its size and CRC-32."""
    method, raw, crc, usize = stored
    try:
        xml = zlib.decompress(raw, -15) if method == 8 else raw
    except zlib.error:
        return None
    return xml if len(xml) == usize and zlib.crc32(xml) == crc else None


def _workbook_xml(path: Path, data: bytes | None = None) -> bytes:
    """The bytes of ``xl/workbook.xml``, or :class:`WorkbookError` naming what is wrong with the file."""
    if data is not None and (stored := _stored_workbook_xml(data)) is not None \
            and (xml := _inflate(stored)) is not None:
        return xml
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as z:
            return z.read("xl/workbook.xml")
    except zipfile.BadZipFile:
        head = data[:8] if data is not None else path.open("rb").read(8)
        if head == OLE_MAGIC:
            raise WorkbookError(f"{path.name}: password-protected or an old .xls file — allowed: an unprotected "
                                ".xlsx generated by kam_xl") from None
        raise WorkbookError(f"{path.name}: damaged or not an .xlsx file (not a zip archive)") from None
    except (KeyError, zipfile.LargeZipFile, EOFError, OSError, zlib.error) as e:
        raise WorkbookError(f"{path.name}: damaged .xlsx ({e})") from None


def _parse_names(path: Path, xml: bytes) -> dict[str, NamedRef]:
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as e:
        raise WorkbookError(f"{path.name}: damaged .xlsx ({e})") from None
    refs = {}
    for node in root.iterfind("m:definedNames/m:definedName", _NS):
        if node.get("localSheetId") is not None or not node.text:
            continue
        m = _REF.match(node.text.strip())
        if not m:
            continue
        c0, r0 = column_index_from_string(m["c0"]) - 1, int(m["r0"]) - 1
        c1 = column_index_from_string(m["c1"]) - 1 if m["c1"] else c0
        r1 = int(m["r1"]) - 1 if m["r1"] else r0
        refs[node.get("name", "")] = NamedRef(m["sheet"].replace("''", "'"), r0, c0, r1, c1)
    return refs


def _names_of(path: Path, data: bytes | None = None
              ) -> tuple[dict[str, NamedRef], tuple[_SheetPlan, ...], _Where]:
    """The defined names of a workbook and the plan to read them, parsed once per distinct ``workbook.xml``:
    the plans of one template share their names (byte for byte the same XML), so a folder of plans parses
    only a few. Every file's ``workbook.xml`` is still compared whole — as stored in the archive (the same
    stored bytes inflate to the same XML) or, where it cannot be found directly, inflated by zipfile — so a
    foreign or changed file never gets another file's names. What is returned is shared: do not change it."""
    stored = _stored_workbook_xml(data) if data is not None else None
    key: Any = (stored[0], stored[1]) if stored is not None else _workbook_xml(path, data)
    found = _PARSED.get(key)
    if found is None:
        xml = _inflate(stored) if stored is not None else key
        refs = _parse_names(path, xml if xml is not None else _workbook_xml(path, data))
        plan = _plan(refs)
        found = (refs, plan, _where(plan))
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def defined_names(path: Path) -> dict[str, NamedRef]:
    """The workbook-level defined names of an .xlsx and where they point (names of other kinds are skipped)."""
    return dict(_names_of(Path(path))[0])


Engine = Literal["calamine", "openpyxl"]


def _calamine_grids(path: Path, data: bytes | None = None) -> Callable[[str], list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data)) if data is not None else \
            CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine has its own error types for damaged content
        raise WorkbookError(f"{path.name}: damaged .xlsx ({e})") from None

    def grid(sheet: str) -> list[list[Any]]:
        return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    return grid


def _openpyxl_grids(path: Path) -> Callable[[str], list[list[Any]]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    except Exception as e:  # openpyxl raises many types for damaged content
        raise WorkbookError(f"{path.name}: damaged .xlsx ({e})") from None

    def grid(sheet: str) -> list[list[Any]]:
        rows = [[("" if v is None else v) for v in row] for row in wb[sheet].iter_rows(values_only=True)]
        return rows

    return grid


def read_named(path: str | Path, names: set[str] | None = None, engine: Engine = "calamine",
               lazy: bool = False) -> NamedValues:
    """Read the values of all (or the given) defined names and the ``_meta`` entries of a workbook.

    ``engine="calamine"`` (python-calamine, fast) is the default; ``"openpyxl"`` reads the same values with
    openpyxl — both give identical results, which the round-trip tests check. With ``lazy`` the sheets are
    read at once but each name's value is taken from them only when asked for (``values`` is then a
    read-only mapping): for readers that look at a few names of many."""
    path = Path(path)
    data = None
    if engine == "calamine":
        try:
            data = path.read_bytes()  # read once: the names (zipfile) and the cells (calamine) from memory
        except OSError as e:
            raise WorkbookError(f"{path.name}: cannot be read ({e.strerror or e})") from None
    refs, plan, where = _names_of(path, data)
    if names is not None:
        plan, lazy = _plan(refs, names), False
    load = _calamine_grids(path, data) if engine == "calamine" else _openpyxl_grids(path)
    values: dict[str, Any] = {}
    meta: dict[str, str] = {}
    grids: list[list[list[Any]]] = []
    for sp in plan:
        try:
            grid = load(sp.sheet)
        except Exception as e:
            raise WorkbookError(f"{path.name}: sheet {sp.sheet!r} cannot be read ({e})") from None
        if grid and min(map(len, grid)) <= sp.last_col:  # names reach right of the used range: pad the rows
            grid = [list(row) + [""] * (sp.last_col + 1 - len(row)) for row in grid]
        if len(grid) <= sp.last_row:  # … or below it: add blank rows
            grid += [[""] * (sp.last_col + 1) for _ in range(sp.last_row + 1 - len(grid))]
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
