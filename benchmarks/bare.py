"""The bare baselines, run as commands of their own (a subprocess each, timed like kam_xl's commands).

``python benchmarks/bare.py write CELLS OUT`` — a bare xlsxwriter script: for every plan in ``CELLS`` (a stream
of pickled ``(file name, sheets)`` records made by :func:`baseline.dump_cells` from kam_xl's own layouts before
any timer starts) it writes exactly those cells — same sheets, values, formula strings and cached results — and
nothing else (no formats, validations, names, protection, widths, charts). Like for like with kam_xl's renderer:
the workbook is assembled **in memory** (``in_memory``, no temporary files) and each distinct formula is
prepared by xlsxwriter once per process (the same memo as kam_xl's ``render._Worksheet``, re-stated here so that
the script imports nothing of kam_xl). The finished bytes are written with one plain ``write`` (kam_xl
additionally writes atomically with ``fsync``: that is part of what it costs).

``python benchmarks/bare.py read DIR`` — bare python-calamine with the cell kinds: every sheet of every ``*.xlsx``
file in ``DIR`` (the plans; not ``Controller.xlsm``) read with ``to_python()``, and the cell kinds calamine cannot
tell found the bare way (:func:`cell_kinds`: the error values and the percent-formatted cells, what kam_xl's
``package.Package.scan`` finds, by regular expressions over each sheet's XML and ``styles.xml``, nothing checked).
``read DIR --values`` reads the values only (the baseline before the exact-reading issue).

Each prints one JSON line: the plans handled and the seconds of the work itself (after the imports).
"""

from __future__ import annotations

import io
import json
import pickle
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from time import perf_counter
from typing import Any

import xlsxwriter
from python_calamine import CalamineWorkbook
from xlsxwriter.worksheet import Worksheet

Cell = tuple[int, int, Any, str | None, Any]  # row, column, value, formula, cached result
Sheets = list[tuple[str, list[Cell]]]

_PREPARED: dict[tuple[str, bool, bool], str] = {}


class _CachedWorksheet(Worksheet):
    """xlsxwriter's worksheet preparing each distinct formula once per process (as kam_xl's renderer does)."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:  # type: ignore[override]
        key = (formula, expand_future_functions, self.use_future_functions)
        prepared = _PREPARED.get(key)
        if prepared is None:
            prepared = _PREPARED[key] = super()._prepare_formula(formula, expand_future_functions)
        return prepared


class _CachedWorkbook(xlsxwriter.Workbook):
    worksheet_class = _CachedWorksheet


def write_plan(sheets: Sheets) -> bytes:
    """One workbook of ``sheets`` assembled in memory; returns its bytes."""
    buf = io.BytesIO()
    wb = _CachedWorkbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                               "strings_to_urls": False})
    for name, cells in sheets:
        ws = wb.add_worksheet(name)
        for row, col, value, formula, cached in cells:
            if formula is not None:
                ws.write_formula(row, col, formula, None, cached)
            elif isinstance(value, bool):
                ws.write_boolean(row, col, value)
            elif isinstance(value, int | float):
                ws.write_number(row, col, value)
            else:
                ws.write_string(row, col, value)
    wb.close()
    return buf.getvalue()


def records(path: Path) -> Iterator[tuple[str, Sheets]]:
    """The ``(file name, sheets)`` records of a cells file, one at a time (memory stays flat)."""
    with path.open("rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return


def write_all(cells: Path, out: Path) -> int:
    """Write every plan of ``cells`` into ``out``; returns the count."""
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for filename, sheets in records(cells):
        (out / filename).write_bytes(write_plan(sheets))
        n += 1
    return n


_NUM_FMT = re.compile(rb'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"')
_CELL_XFS = re.compile(rb"<cellXfs[^>]*>(.*?)</cellXfs>", re.S)
_XF_FORMAT = re.compile(rb'<xf numFmtId="(\d+)"')
_ERROR_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"(?: s="\d+")? t="e">(?:<f>([^<]*)</f>)?<v>([^<]*)</v>')
_LITERAL = re.compile(rb'"[^"]*"|\\.|\[[^\]]*\]')  # quoted text, escaped characters, [colours] in a format code


def percent_styles(styles: bytes) -> list[int]:
    """The cell style indexes whose number format shows a percentage (built-in 9 and 10, or a code with a ``%``
    outside its literal text)."""
    percent = {9, 10} | {int(i) for i, code in _NUM_FMT.findall(styles) if b"%" in _LITERAL.sub(b"", code)}
    xfs = _CELL_XFS.search(styles)
    return [n for n, f in enumerate(_XF_FORMAT.findall(xfs[1] if xfs else b"")) if int(f) in percent]


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def cell_kinds(path: Path) -> dict[str, dict[tuple[int, int], object]]:
    """Per sheet part, by 0-based (row, column): the error value and formula of each ``t="e"`` cell, ``"%"`` for
    each cell with a percent style — each sheet's XML searched once for each, the bare way."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        percent = percent_styles(z.read("xl/styles.xml")) if "xl/styles.xml" in names else []
        in_percent = re.compile(rb'<c r="([A-Z]+)(\d+)" s="(?:' + b"|".join(b"%d" % s for s in percent) + rb')"')
        kinds: dict[str, dict[tuple[int, int], object]] = {}
        for part in names:
            if not part.startswith("xl/worksheets/sheet"):
                continue
            x = z.read(part)
            found: dict[tuple[int, int], object] = {}
            if percent:
                found.update(((int(r) - 1, _column(c)), "%") for c, r in in_percent.findall(x))
            found.update(((int(r) - 1, _column(c)), (v.decode().strip(), f.decode() or None))
                         for c, r, f, v in _ERROR_CELL.findall(x))
            kinds[part] = found
    return kinds


def read_plan(path: Path, kinds: bool = True) -> None:
    """Every sheet of one plan with python-calamine, and (``kinds``) its cell kinds (:func:`cell_kinds`)."""
    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()
    if kinds:
        cell_kinds(path)


def read_all(folder: Path, kinds: bool = True) -> int:
    """Read every sheet of every ``*.xlsx`` in ``folder`` (:func:`read_plan`); returns the number of files."""
    files = sorted(folder.glob("*.xlsx"))
    for p in files:
        read_plan(p, kinds)
    return len(files)


def main(argv: list[str]) -> int:
    """``write CELLS OUT`` or ``read DIR``; prints ``{"plans": n, "work_s": s}``."""
    t = perf_counter()
    if len(argv) == 3 and argv[0] == "write":
        n = write_all(Path(argv[1]), Path(argv[2]))
    elif len(argv) in (2, 3) and argv[0] == "read" and argv[2:] in ([], ["--values"]):
        n = read_all(Path(argv[1]), kinds=argv[2:] != ["--values"])
    else:
        print("usage: bare.py write CELLS OUT | bare.py read DIR [--values]", file=sys.stderr)
        return 1
    print(json.dumps({"plans": n, "work_s": perf_counter() - t}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
