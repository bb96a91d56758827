"""Recalculate generated workbooks with LibreOffice Calc and read back the recalculated values.

LibreOffice (``soffice --headless``, Debian package ``libreoffice-calc``) is the project's real spreadsheet
engine on Linux. :func:`recalculate` converts .xlsx files to .xlsx in one soffice call; the values LibreOffice
computed are stored in the output files as cached results, which :func:`read_values` and
:func:`read_defined_names` read with openpyxl (``data_only=True``).

Pitfall this module guards against: by default LibreOffice does *not* recalculate an .xlsx on load, it keeps
the cached values stored in the file (``/org.openoffice.Office.Calc/Formula/Load/OOXMLRecalcMode`` defaults
to 1 = never). xlsxwriter writes 0 as the cached value of every formula, so a naive comparison would pass or
fail for the wrong reason. Every :func:`recalculate` call therefore runs soffice with a fresh, dedicated user
profile whose ``registrymodifications.xcu`` sets ``OOXMLRecalcMode`` and ``ODFRecalcMode`` to 0 (= always
recalculate). A profile per call also lets several calls run in parallel: soffice started with a profile
that is already in use hands its files to the running instance instead of converting them itself.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
from openpyxl.utils.cell import range_boundaries

if TYPE_CHECKING:
    from kam_xl.workbook.layout import Book

__all__ = [
    "ERROR_VALUES",
    "RECALC_ALWAYS",
    "RECALC_ASK",
    "RECALC_NEVER",
    "error_cells",
    "find_soffice",
    "is_error_value",
    "mismatches",
    "read_defined_names",
    "read_values",
    "recalculate",
]

#: Values of ``OOXMLRecalcMode`` / ``ODFRecalcMode`` (LibreOffice's ``ScRecalcOptions``).
RECALC_ALWAYS = 0
RECALC_NEVER = 1
RECALC_ASK = 2

#: Spreadsheet error values as openpyxl reads them from a cell of type "e".
ERROR_VALUES = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#UNKNOWN!",
        "#CONNECT!",
        "#BUSY!",
    }
)
_LIBREOFFICE_ERROR = re.compile(r"^Err:\d{3}$")

_SOFFICE_NAMES = ("soffice", "libreoffice")
_SOFFICE_PATHS = ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice")
_XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
_INSTALL_HINT = "install LibreOffice Calc (Debian/Ubuntu: apt-get install -y --no-install-recommends libreoffice-calc)"


def find_soffice() -> str | None:
    """Return the path of the LibreOffice executable (``soffice`` or ``libreoffice`` on PATH, else
    ``/usr/bin/soffice`` or ``/usr/lib/libreoffice/program/soffice``), or ``None`` if there is none."""
    for name in _SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for candidate in _SOFFICE_PATHS:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _registry_xcu(recalc_mode: int) -> str:
    """Text of a ``registrymodifications.xcu`` that sets the recalculation mode for OOXML and ODF files."""
    items = "".join(
        f'<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        f'<prop oor:name="{name}" oor:op="fuse"><value>{int(recalc_mode)}</value></prop></item>\n'
        for name in ("OOXMLRecalcMode", "ODFRecalcMode")
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}"
        "</oor:items>\n"
    )


def _write_profile(profile_dir: Path, recalc_mode: int) -> None:
    """Prepare a fresh LibreOffice user profile in ``profile_dir`` with the given recalculation mode."""
    user = profile_dir / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_registry_xcu(recalc_mode), encoding="utf-8")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill soffice and the processes it started (its own process group); ignore if already gone."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def _names(paths: Sequence[Path]) -> str:
    return ", ".join(str(p) for p in paths)


def recalculate(
    files: Sequence[Path], out_dir: Path, timeout: float = 300, *, recalc_mode: int = RECALC_ALWAYS
) -> list[Path]:
    """Recalculate ``files`` with LibreOffice in one ``soffice --headless --convert-to xlsx`` call.

    Each file is written as ``out_dir/<stem>.xlsx``; the output paths are returned in input order. soffice
    runs with a fresh temporary user profile that forces recalculation on load (``recalc_mode``, default
    :data:`RECALC_ALWAYS`; :data:`RECALC_NEVER` exists only to demonstrate the stale-cache pitfall), and the
    profile is removed afterwards.

    Raises ``RuntimeError`` naming the file(s) concerned if soffice is not installed, an input file is
    missing, two inputs would give the same output name, an input would be overwritten by its output, soffice
    does not finish within ``timeout`` seconds, or an output file is not produced.
    """
    inputs = [Path(f).resolve() for f in files]
    if not inputs:
        return []
    missing = [p for p in inputs if not p.is_file()]
    if missing:
        raise RuntimeError(f"recalculate: input file(s) not found: {_names(missing)}")
    out_dir = Path(out_dir).resolve()
    outputs = [out_dir / f"{p.stem}.xlsx" for p in inputs]
    seen: dict[Path, Path] = {}
    for source, target in zip(inputs, outputs, strict=True):
        if target in seen:
            raise RuntimeError(f"recalculate: {seen[target]} and {source} would both be written to {target}")
        if target == source:
            raise RuntimeError(f"recalculate: output {target} would overwrite its input; choose another out_dir")
        seen[target] = source
    soffice = find_soffice()
    if soffice is None:
        raise RuntimeError(f"recalculate: LibreOffice (soffice) not found, cannot recalculate {_names(inputs)}; "
                           f"{_INSTALL_HINT}")
    out_dir.mkdir(parents=True, exist_ok=True)
    for target in outputs:  # a stale output of an earlier run must not pass for a produced one
        target.unlink(missing_ok=True)

    profile_dir = Path(tempfile.mkdtemp(prefix="kam_xl_lo_profile_"))
    try:
        _write_profile(profile_dir, recalc_mode)
        command = [
            soffice,
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={profile_dir.as_uri()}",
            "--convert-to",
            _XLSX_FILTER,
            "--outdir",
            str(out_dir),
            *(str(p) for p in inputs),
        ]
        env = dict(os.environ, HOME=str(profile_dir))  # nothing of the caller's own LibreOffice setup leaks in
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
            start_new_session=True,
        )
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.communicate()
            raise RuntimeError(
                f"recalculate: soffice did not finish within {timeout:g} s converting {_names(inputs)}"
            ) from None
        not_produced = [src for src, target in zip(inputs, outputs, strict=True) if not target.is_file()]
        if not_produced:
            detail = (stderr or stdout).decode(errors="replace").strip()
            raise RuntimeError(
                f"recalculate: soffice (exit code {proc.returncode}) produced no output for {_names(not_produced)}"
                + (f": {detail}" if detail else "")
            )
    finally:
        shutil.rmtree(profile_dir, ignore_errors=True)
    return outputs


def is_error_value(value: object) -> bool:
    """True if ``value`` is a spreadsheet error value such as ``"#DIV/0!"`` or LibreOffice's ``"Err:502"``."""
    return isinstance(value, str) and (value in ERROR_VALUES or _LIBREOFFICE_ERROR.match(value) is not None)


def read_values(path: Path) -> dict[str, dict[str, object]]:
    """All non-empty cell values of a (recalculated) workbook: ``{sheet name: {"A1": value}}``.

    Values are read with openpyxl ``data_only=True``, so formula cells give the result cached in the file
    (the one LibreOffice computed). Error values come back as their text, e.g. ``"#DIV/0!"``.
    """
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        result: dict[str, dict[str, object]] = {}
        for ws in wb.worksheets:
            cells: dict[str, object] = {}
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        cells[cell.coordinate] = cell.value
            result[ws.title] = cells
        return result
    finally:
        wb.close()


def _parse_constant(text: str) -> object:
    """Value of a defined name that is a constant (``0.19``, ``"EUR"``, ``TRUE``) rather than a reference."""
    text = text.strip().removeprefix("=")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE"
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and re.fullmatch(r"[+-]?\d+", text) else number


def read_defined_names(path: Path) -> dict[str, object]:
    """Values of every workbook-level defined name of a (recalculated) workbook, read with openpyxl
    ``data_only=True``.

    A name referring to a single cell gives that cell's value, one referring to a range a 2-D list (rows of
    values); a name made of several areas gives a list of those. A name that is a constant gives the constant;
    any other formula gives its text. Built-in names (``_xlnm.*``) are left out.
    """
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        result: dict[str, object] = {}
        for name, defined in wb.defined_names.items():
            if name.startswith("_xlnm."):
                continue
            if defined.type != "RANGE":
                result[name] = _parse_constant(defined.attr_text or "")
                continue
            areas: list[object] = []
            for sheet_name, ref in defined.destinations:
                if sheet_name not in wb.sheetnames:
                    areas.append(f"#REF! ({sheet_name}!{ref})")
                    continue
                ws = wb[sheet_name]
                min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
                # whole columns ("A:B") or rows ("1:3") have open ends: bound them by the used area
                min_col, min_row = min_col or 1, min_row or 1
                max_col, max_row = max_col or ws.max_column, max_row or ws.max_row
                if (min_col, min_row) == (max_col, max_row):
                    areas.append(ws.cell(row=min_row, column=min_col).value)
                else:
                    areas.append(
                        [list(r) for r in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col,
                                                       max_col=max_col, values_only=True)]
                    )
            result[name] = areas[0] if len(areas) == 1 else areas
        return result
    finally:
        wb.close()


def error_cells(values: Mapping[str, Mapping[str, object]]) -> list[str]:
    """``"Sheet!A1: #DIV/0!"`` for every error value in ``values`` (as returned by :func:`read_values`)."""
    return [
        f"{sheet}!{ref}: {value}"
        for sheet, cells in values.items()
        for ref, value in cells.items()
        if is_error_value(value)
    ]


def unexpected_errors(book: Book, values: Mapping[str, Mapping[str, object]]) -> list[str]:
    """:func:`error_cells` without the formula cells whose cached result in the layout is that very error value
    (the controller's portfolio-chart point columns hold ``#N/A`` where an account is not in a series: a gap
    the chart skips); :func:`mismatches` checks those like every other formula."""
    expected = {f"{sheet}!{c.address}: {c.cached}" for sheet, c in book.formula_cells()
                if isinstance(c.cached, str) and is_error_value(c.cached)}
    return [e for e in error_cells(values) if e not in expected]


def mismatches(book: Book, values: Mapping[str, Mapping[str, object]], tolerance: float = 0.01) -> list[str]:
    """Compare every formula cell of a workbook layout with the recalculated ``values`` (from
    :func:`read_values`). The layout's cached value of a formula *is* kam_xl's pure-function result, so an
    empty list proves the template's formulas and the engine agree. ``None``/"" stand for "undefined"."""
    bad = []
    for sheet, cell in book.formula_cells():
        got = values.get(sheet, {}).get(cell.address)
        want = cell.cached
        if want is None or want == "":
            ok = got in (None, "")
        elif isinstance(want, bool) or not isinstance(want, int | float):
            ok = got == want
        else:
            ok = isinstance(got, int | float) and not isinstance(got, bool) and abs(got - want) <= tolerance
        if not ok:
            bad.append(f"{sheet}!{cell.address}: LibreOffice {got!r}, kam_xl {want!r} ({cell.formula})")
    return bad
