"""The request body xlwings' Office.js client sends to an xlwings Server script, built from an .xlsx on disk.

When a task-pane button runs a script, xlwings' JavaScript (``getBookData`` in ``xlwings.js`` of xlwings
Server / xlwingsjs) reads the open workbook through Office.js and posts::

    {"client": "Office.js", "version": <xlwings version>,
     "book": {"name", "active_sheet_index", "selection"},
     "names": [{"name", "sheet_index", "address", "scope_sheet_name", "scope_sheet_index", "book_scope"}],
     "sheets": [{"name", "values", "pictures": [{"name", "height", "width"}],
                 "tables": [{"name", "range_address", "header_row_range_address", "data_body_range_address",
                             "total_row_range_address", "show_headers", "show_totals", "table_style",
                             "show_autofilter"}]}]}

:func:`officejs_book` builds the same from a file, so that tests can run a script on a real generated workbook
with ``xw.Book(json=officejs_book(path))`` (the remote engine xlwings Server uses) or post it to the server's
script endpoint. What Office.js does, and this builder with it:

* every worksheet in workbook order (hidden ones too), ``values`` from A1 to the last used cell, a rectangle
  padded with ``""`` for empty cells; an excluded sheet (``include``/``exclude``, or the ``INCLUDE``/``EXCLUDE``
  keys of the workbook's ``xlwings.conf`` sheet, as the client reads them) sends ``[[]]`` and no tables or
  pictures;
* numbers as JSON numbers, text as text, booleans as ``true``/``false``, error cells as their text
  (``"#DIV/0!"``), and cells formatted as dates as ISO strings (``"2026-03-31T00:00:00.000Z"``) — Office.js sends
  a date as its serial number and the client rewrites it where ``numberFormatCategories`` says Date or Time;
* names: the workbook-scoped named ranges first (``scope_sheet_* = null``), then each sheet's own (the sheet
  in ``scope_sheet_*``); addresses as Office.js gives them, without ``$`` and without the sheet
  (``"B4"``, ``"A18:D67"``); names that are not a range (constants, formulas) are left out, as the client does;
* tables from the table parts, pictures (images, not charts) with their size in points.

Cell values come from python-calamine, the structure (sheet order, names, tables, pictures) from the file's
XML parts.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import xlwings
from python_calamine import CalamineWorkbook

_M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_NS = {"m": _M, "r": _R, "p": _PKG, "xdr": _XDR, "a": _A}
_RANGE = re.compile(r"^(?:'(?P<q>(?:[^']|'')+)'|(?P<s>[^'!]+))!(?P<a>\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)$")
_EMU_PER_POINT = 12_700
#: The JavaScript epoch as the client writes dates: ``new Date(...).toISOString()``.
_ISO = "%Y-%m-%dT%H:%M:%S.000Z"
CONF_SHEET = "xlwings.conf"


def _xml(z: zipfile.ZipFile, part: str) -> ElementTree.Element:
    return ElementTree.fromstring(z.read(part))


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id → target part (absolute inside the zip) of a part."""
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", name + ".rels")
    if rels_part not in z.namelist():
        return {}
    out = {}
    for rel in _xml(z, rels_part).iterfind("p:Relationship", _NS):
        target = rel.get("Target", "")
        out[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
    return out


def _cell_value(value: Any) -> Any:
    """A cell as the client puts it into ``values``."""
    if isinstance(value, dt.datetime):
        return value.strftime(_ISO)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).strftime(_ISO)
    if isinstance(value, dt.time):  # a time-only cell: Excel's day 0 is 1899-12-30
        return dt.datetime(1899, 12, 30, value.hour, value.minute, value.second).strftime(_ISO)
    if isinstance(value, dt.timedelta):  # a duration: Office.js sends the serial number
        return value.total_seconds() / 86_400
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JSON has one number type: 14.0 arrives as 14
    return value


def _index(address: str) -> tuple[int, int]:
    """0-based (row, column) of an A1 cell address."""
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", address)
    if m is None:
        raise ValueError(f"not a cell address: {address!r}")
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    return int(m[2]) - 1, col - 1


def _values(grid: list[list[Any]], sheet_xml: ElementTree.Element) -> list[list[Any]]:
    """``values`` of a sheet: the rectangle from A1 to the last used cell, padded with ``""``.

    The used range of Excel (and Office.js) also covers cells that only carry formatting, as the sheet's
    ``<dimension>`` records; python-calamine stops at the last value, so the rectangle is the larger of the
    two. Error cells, which python-calamine reads as empty, get their error text from the sheet XML."""
    rows = [[_cell_value(v) for v in row] for row in grid]
    while rows and all(v == "" for v in rows[-1]):
        rows.pop()
    height = len(rows)
    width = max((max((i + 1 for i, v in enumerate(r) if v != ""), default=0) for r in rows), default=0)
    dimension = sheet_xml.find("m:dimension", _NS)
    if dimension is not None:
        last_row, last_col = _index(dimension.get("ref", "A1").split(":")[-1])
        height, width = max(height, last_row + 1), max(width, last_col + 1)
    height, width = max(height, 1), max(width, 1)
    out = [(r + [""] * width)[:width] for r in rows[:height]] + [[""] * width for _ in range(height - len(rows))]
    for c in sheet_xml.iterfind("m:sheetData/m:row/m:c[@t='e']", _NS):
        r, col = _index(c.get("r", ""))
        v = c.find("m:v", _NS)
        if v is not None and r < height and col < width:
            out[r][col] = v.text or ""
    return out


def _strip(address: str) -> str:
    return address.replace("$", "")


def _tables(z: zipfile.ZipFile, rels: dict[str, str], sheet_xml: ElementTree.Element) -> list[dict[str, Any]]:
    out = []
    for part in sheet_xml.iterfind("m:tableParts/m:tablePart", _NS):
        t = _xml(z, rels[part.get(f"{{{_R}}}id", "")])
        ref = t.get("ref", "")
        (c0, r0), (c1, r1) = (re.match(r"([A-Z]+)(\d+)", a).groups() for a in ref.split(":"))  # type: ignore[union-attr]
        r0, r1 = int(r0), int(r1)
        headers = t.get("headerRowCount", "1") != "0"
        totals = int(t.get("totalsRowCount") or 0) > 0
        first, last = r0 + (1 if headers else 0), r1 - (1 if totals else 0)
        style = t.find("m:tableStyleInfo", _NS)
        out.append({
            "name": t.get("displayName") or t.get("name"),
            "range_address": ref,
            "header_row_range_address": f"{c0}{r0}:{c1}{r0}" if headers else None,
            "data_body_range_address": f"{c0}{first}:{c1}{last}",
            "total_row_range_address": f"{c0}{r1}:{c1}{r1}" if totals else None,
            "show_headers": headers,
            "show_totals": totals,
            "table_style": style.get("name") if style is not None else None,
            "show_autofilter": t.find("m:autoFilter", _NS) is not None,
        })
    return out


def _pictures(z: zipfile.ZipFile, rels: dict[str, str], sheet_xml: ElementTree.Element) -> list[dict[str, Any]]:
    drawing = sheet_xml.find("m:drawing", _NS)
    if drawing is None:
        return []
    out = []
    for pic in _xml(z, rels[drawing.get(f"{{{_R}}}id", "")]).iter(f"{{{_XDR}}}pic"):
        props = pic.find("xdr:nvPicPr/xdr:cNvPr", _NS)
        ext = pic.find("xdr:spPr/a:xfrm/a:ext", _NS)
        out.append({"name": props.get("name") if props is not None else None,
                    "height": int(ext.get("cy", "0")) / _EMU_PER_POINT if ext is not None else None,
                    "width": int(ext.get("cx", "0")) / _EMU_PER_POINT if ext is not None else None})
    return out


def _config(grids: dict[str, list[list[Any]]]) -> dict[str, str]:
    """The ``xlwings.conf`` sheet's A1 region as the client reads it: key in column A, value in column B."""
    config = {}
    for row in grids.get(CONF_SHEET, []):
        if not row or row[0] in ("", None):
            break
        config[str(row[0])] = "" if len(row) < 2 or row[1] is None else str(row[1])
    return config


def officejs_book(path: str | Path, *, active_sheet: str | int | None = None, selection: str | None = None,
                  include: list[str] | None = None, exclude: list[str] | None = None,
                  version: str | None = None) -> dict[str, Any]:
    """The JSON body xlwings' Office.js client posts for the workbook at ``path`` (see the module doc).

    ``active_sheet`` is the active sheet's name or 0-based position and ``selection`` the selected range on it
    (default: as the file was saved — the active tab and that sheet's selection, else the first sheet and A1);
    ``include``/``exclude`` the sheets whose content is sent (default: the workbook's ``xlwings.conf``
    ``INCLUDE``/``EXCLUDE``, else all); ``version`` the client's xlwings version (default: the installed one,
    as the server's own client script carries it)."""
    path = Path(path)
    book = CalamineWorkbook.from_path(str(path))
    with zipfile.ZipFile(path) as z:
        wb_xml = _xml(z, "xl/workbook.xml")
        wb_rels = _rels(z, "xl/workbook.xml")
        sheets = [(s.get("name", ""), wb_rels[s.get(f"{{{_R}}}id", "")])
                  for s in wb_xml.iterfind("m:sheets/m:sheet", _NS)]
        names = [s for s, _ in sheets]
        grids = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in names}
        config = _config(grids)
        include = include if include is not None else [
            s.strip() for s in config.get("INCLUDE", "").split(",") if s.strip()]
        exclude = exclude if exclude is not None else [
            s.strip() for s in config.get("EXCLUDE", "").split(",") if s.strip()]
        if include and exclude:
            raise ValueError("Either use 'include' or 'exclude', but not both!")  # the client's own message
        if include:
            exclude = [s for s in names if s not in include]
        if active_sheet is None:
            view = wb_xml.find("m:bookViews/m:workbookView", _NS)
            active_sheet = int(view.get("activeTab", "0")) if view is not None else 0
        active_name = active_sheet if isinstance(active_sheet, str) else names[active_sheet]
        payload_sheets = []
        for name, part in sheets:
            skip = name in exclude
            sheet_xml = _xml(z, part)
            rels = _rels(z, part)
            if name == active_name:
                saved_selection = sheet_xml.find("m:sheetViews/m:sheetView/m:selection", _NS)
                if selection is None and saved_selection is not None:
                    selection = saved_selection.get("sqref", "A1").split()[0]
            payload_sheets.append({
                "name": name,
                "values": [[]] if skip else _values(grids[name], sheet_xml),
                "pictures": [] if skip else _pictures(z, rels, sheet_xml),
                "tables": [] if skip else _tables(z, rels, sheet_xml),
            })
        book_names, sheet_names = [], []
        for node in wb_xml.iterfind("m:definedNames/m:definedName", _NS):
            m = _RANGE.match((node.text or "").strip().lstrip("="))
            name = node.get("name", "")
            if not m or name.startswith("_xlnm."):
                continue  # not a range (a constant or a formula), or one of Excel's built-in names
            target = (m["q"] or "").replace("''", "'") or m["s"]
            if target not in names:
                continue
            scope = node.get("localSheetId")
            entry = {"name": name, "sheet_index": names.index(target), "address": _strip(m["a"]),
                     "scope_sheet_name": None if scope is None else names[int(scope)],
                     "scope_sheet_index": None if scope is None else int(scope),
                     "book_scope": scope is None}
            (book_names if scope is None else sheet_names).append(entry)
    sheet_names.sort(key=lambda e: e["scope_sheet_index"])
    return {
        "client": "Office.js",
        "version": version or xlwings.__version__,
        "book": {"name": path.name, "active_sheet_index": names.index(active_name),
                 "selection": _strip(selection or "A1")},
        "names": book_names + sheet_names,
        "sheets": payload_sheets,
    }
