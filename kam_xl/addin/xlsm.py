"""Classic xlwings files for desktop Excel: the macro-enabled controller workbook and the VBA wrapper module.

**Controller.xlsm** — the controller workbook of :func:`kam_xl.workbook.controller.controller_workbook` with

* the standalone xlwings VBA project that the *installed* xlwings package ships (``xlwings/
  quickstart_standalone.xlsm`` → ``xl/vbaProject.bin``, read at build time, so it always matches the xlwings
  that runs the functions): the module ``xlwings`` (RunPython, the UDF bridge, ``ImportPythonUDFs``) and
  the class ``Dictionary`` — no add-in and no VBA reference needed on the PC;
* buttons on the settings sheet: one runs xlwings' function import (:data:`IMPORT_MACRO`), which writes the
  module ``xlwings_udfs`` with a wrapper for every function and macro of ``udfs``; the others run the
  macros' wrappers :data:`MACROS` from that module;
* the ``xlwings.conf`` sheet every generated workbook has (``UDF Modules`` = ``udfs``);
* the BSD licence of that VBA code. Its notice is in the ``xlwings`` module's own header; the licence text
  from the xlwings package metadata is reproduced on a visible sheet of the workbook, because the workbook
  is what gets passed on (by mail, on a share) — a file beside it would be left behind (BSD clause 2). The
  sheet is hidden (not very hidden: "Unhide" shows it, the settings sheet says where) so that it does not print.

**xlwings_udfs.bas** — :func:`bas_bytes`: the module "Import Functions" would write (:func:`kam_xl.addin.
runtime.vba_module`) as a file the VBA editor imports (File → Import File): Windows-1252, CRLF, VBA's line
limits. An IT department imports it once into the workbook or an add-in instead of granting "Trust access
to the VBA project object model" on every PC.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kam_xl.files import write_atomic
from kam_xl.workbook.layout import Book, Button, Print, Sheet, pick

if TYPE_CHECKING:
    from kam_xl.databook import DataBook
    from kam_xl.settings_block import ControllerSettings
    from kam_xl.workbook.controller.kind import NotKept

Lang = Literal["de", "en"]
#: The workbook in the xlwings package whose VBA project is the standalone xlwings module.
STANDALONE_WORKBOOK = "quickstart_standalone.xlsm"
#: The Sub of the standalone module that runs xlwings' function import (the ribbon's "Import Functions").
IMPORT_MACRO = "ImportPythonUDFs"
#: The macros of ``udfs`` (xlwings scripts) that get a button; "Import Functions" writes their wrappers.
MACROS = ("kam_validate", "kam_refresh_plan", "kam_generate_all", "kam_collect")
#: The defined name of the controller's settings block: the buttons go on that block's sheet.
SETTINGS_NAME = "ctl_settings"
#: VBA's limits: characters in one physical line, line continuations in one logical line.
VBA_MAX_LINE = 1023
VBA_MAX_CONTINUATIONS = 24
_CAPTIONS: dict[str, tuple[str, str]] = {
    IMPORT_MACRO: ("1. Funktionen importieren (xlwings)", "1. Import functions (xlwings)"),
    "kam_validate": ("Arbeitsmappe prüfen", "Validate this workbook"),
    "kam_refresh_plan": ("Account-Plan aus dem Datenbuch aktualisieren", "Refresh account plan from data book"),
    "kam_generate_all": ("Alle Account-Pläne erzeugen", "Generate all account plans"),
    "kam_collect": ("Einsammeln und konsolidieren", "Collect and consolidate"),
}
#: Characters of our docstrings that Windows-1252 lacks, and what the .bas says instead.
CP1252_SUBSTITUTES = {
    "−": "-", "‐": "-", "‑": "-", "≥": ">=", "≤": "<=", "≠": "<>", "≈": "~", "→": "->", "←": "<-", "↔": "<->",
    "⇒": "=>", "∑": "Sum", "√": "sqrt", "∞": "infinity", "Δ": "Delta", "\u2009": " ", "\u202f": " ", "✓": "x",
    "✗": "-",
}


class XlwingsFilesError(RuntimeError):
    """The installed xlwings package lacks a file the classic xlwings workbook is built from."""


def _xlwings_version() -> str:
    return importlib.metadata.version("xlwings")


def _package_dir(name: str) -> Path:
    """The folder of the installed package ``name``, found without importing it; :class:`FileNotFoundError`
    when it is not installed."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package {name!r} not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def xlwings_vba_project() -> bytes:
    """The ``vbaProject.bin`` of the standalone xlwings workbook in the installed xlwings package.

    The package is found, not imported: ``import xlwings`` (numpy, pandas …) took ≈ 80 MiB of the process that
    writes a controller of many accounts, for one file of ≈ 50 KiB."""
    try:
        with zipfile.ZipFile(_package_dir("xlwings") / STANDALONE_WORKBOOK) as z:
            return z.read("xl/vbaProject.bin")
    except (OSError, KeyError, zipfile.BadZipFile) as e:
        raise XlwingsFilesError(f"xlwings {_xlwings_version()}: {STANDALONE_WORKBOOK} with xl/vbaProject.bin "
                                f"cannot be read ({e}) — needed: an xlwings release that ships the standalone "
                                "VBA workbook (0.33 and later)") from None


def xlwings_licence() -> str:
    """The open-source (BSD 3-clause) licence text from the installed xlwings package's metadata."""
    dist = importlib.metadata.distribution("xlwings")
    for name in ("licenses/LICENSE.txt", "LICENSE.txt"):  # metadata 2.4 keeps licence files under licenses/
        text = dist.read_text(name)
        if text:
            return text.strip()
    raise XlwingsFilesError(f"xlwings {dist.version}: no LICENSE.txt in its package metadata — cannot "
                            "reproduce the BSD licence of its VBA code")


def _licence_sheet(lang: Lang) -> Sheet:
    """The licence sheet: kept out of print (nobody prints a licence; it is hidden, "Unhide" shows it — the
    settings sheet's note says so)."""
    s = Sheet(pick(lang, "Lizenz xlwings", "xlwings licence"), widths={0: 100}, print=Print(printed=False))
    s.put(0, 0, pick(lang, "Lizenz des xlwings-VBA-Codes", "Licence of the xlwings VBA code"), style="title")
    s.put(1, 0, pick(lang, f"Die Schaltflächen laufen über das VBA-Modul „xlwings“ (xlwings {_xlwings_version()}) "
                           "im VBA-Projekt dieser Arbeitsmappe. Es steht unter dieser Lizenz:",
                     f"The buttons run through the VBA module \"xlwings\" (xlwings {_xlwings_version()}) in this "
                     "workbook's VBA project. It is distributed under this licence:"), style="note")
    for i, line in enumerate(xlwings_licence().splitlines()):
        s.put(3 + i, 0, line)
    return s


def _add_buttons(settings: Sheet, lang: Lang) -> None:
    """The macro buttons and their notes right of everything on the settings sheet; the print area stays on the
    settings (the buttons and the VBA notes are for the screen)."""
    col = max(c.col for c in settings.cells) + 2  # right of everything on the sheet, whatever it holds
    if settings.print.area is None:
        settings.print = replace(settings.print, area=(0, 0, max(c.row for c in settings.cells), col - 2))
    settings.widths[col] = 70
    settings.put(0, col, pick(lang, "Makros (klassisches xlwings)", "Macros (classic xlwings)"), style="subtitle")
    for i, macro in enumerate((IMPORT_MACRO, *MACROS)):
        de, en = _CAPTIONS[macro]
        settings.buttons.append(Button(row=2 + 2 * i, col=col, macro=macro, caption=pick(lang, de, en)))
    notes = (
        pick(lang, "Voraussetzung: Python mit kam_xl (und damit xlwings) auf diesem PC.",
             "Needed: Python with kam_xl (and so xlwings) on this PC."),
        pick(lang, "Einmal „Funktionen importieren“: schreibt das VBA-Modul xlwings_udfs mit allen KAM-Funktionen "
                   "und den Makros der Schaltflächen.",
             "Once, \"Import functions\": writes the VBA module xlwings_udfs with every KAM function and the "
             "buttons' macros."),
        pick(lang, "Dazu in Excel: Trust Center → Makroeinstellungen → „Zugriff auf das VBA-Projektobjektmodell "
                   "vertrauen“ — oder die IT importiert die Datei aus „kam-xl xlwings vba“.",
             "For that, in Excel: Trust Center → Macro Settings → \"Trust access to the VBA project object "
             "model\" — or IT imports the file from \"kam-xl xlwings vba\"."),
        pick(lang, "Die Makros lesen die Einstellungen links und schreiben ihre Statuszeile in diese Arbeitsmappe.",
             "The macros read the settings on the left and write their status line into this workbook."),
        pick(lang, "xlwings-VBA-Code: BSD-Lizenz, siehe Blatt „Lizenz xlwings“ (ausgeblendet, nicht gedruckt: "
                   "Rechtsklick auf einen Blattreiter → Einblenden).",
             "xlwings VBA code: BSD licence, see the sheet \"xlwings licence\" (hidden, not printed: right-click "
             "a sheet tab → Unhide)."),
    )
    first = 2 + 2 * (1 + len(MACROS)) + 1
    for i, text in enumerate(notes):
        settings.put(first + i, col, text, style="note")


def controller_xlsm_book(db: DataBook, lang: Lang = "de", now: datetime | None = None, *,
                         settings: ControllerSettings | None = None, status: str | None = None,
                         progress: Callable[[int, int], None] | None = None, on_demand: bool = False,
                         refused: list[NotKept] | None = None) -> Book:
    """The macro-enabled controller workbook layout: the controller of ``db`` (with ``settings``, ``status``,
    ``progress``, ``on_demand`` and ``refused`` as :func:`~kam_xl.workbook.controller.controller_workbook` takes
    them) with the
    xlwings VBA project, the buttons on its settings sheet and the xlwings licence sheet after the others.
    Raises :class:`ValueError` when no sheet holds the settings block (laid out on demand: once the sheets are)."""
    from kam_xl.workbook.controller import controller_workbook

    book = controller_workbook(db, lang, generated_at=now or datetime.now(UTC), settings=settings, status=status,
                               progress=progress, on_demand=True, refused=refused)
    controller = book.on_demand
    assert controller is not None

    def sheets() -> Iterator[Sheet]:
        with_buttons = False
        for sheet in controller():
            if SETTINGS_NAME in sheet.ranges:
                _add_buttons(sheet, lang)
                with_buttons = True
            yield sheet
            del sheet  # written: let go before the next sheet is laid out
        if not with_buttons:
            raise ValueError(f"controller workbook {book.template_id}: no sheet with the settings block "
                             f"{SETTINGS_NAME!r} — the buttons belong beside it")
        yield _licence_sheet(lang)

    out = replace(book, on_demand=sheets, vba_project=xlwings_vba_project())
    return out if on_demand else out.held()


# ------------------------------------------------------------------------------------------ the .bas file


def to_cp1252(text: str) -> str:
    """``text`` with every character Windows-1252 lacks replaced: :data:`CP1252_SUBSTITUTES` first, then the
    compatibility form (NFKC: ``ﬁ`` → ``fi``) where that is in Windows-1252, else ``?``.

    >>> to_cp1252("weight × (own − best) ≥ 0 … ÷")
    'weight × (own - best) >= 0 … ÷'
    """
    out = []
    for ch in text:
        try:
            ch.encode("cp1252")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        sub = CP1252_SUBSTITUTES.get(ch)
        if sub is None:
            compat = unicodedata.normalize("NFKC", ch)
            try:
                compat.encode("cp1252")
                sub = compat
            except UnicodeEncodeError:
                sub = "?"
        out.append(sub)
    return "".join(out)


def _join_continuations(lines: list[str]) -> list[str]:
    """Undo the splits of xlwings' VBAWriter (``line[:i] + " _\\n"`` then ``line[i:]``): one line per statement."""
    logical: list[str] = []
    pending = ""
    for line in lines:
        if line.endswith(" _"):
            pending += line[:-2]
        else:
            logical.append(pending + line)
            pending = ""
    if pending:
        logical.append(pending)
    return logical


def _cut(rest: str, room: int) -> tuple[int, bool]:
    """Where to break ``rest`` within its first ``room`` characters, and whether that is inside a string
    literal: the last space outside a string (or in a comment) unless a break inside a string (at its last
    space, else anywhere) gets much further."""
    in_string = comment = False
    out_space = in_space = in_any = None
    for i, ch in enumerate(rest[: room + 1]):
        if i > 0:
            if (comment or not in_string) and ch == " ":
                out_space = i
            elif in_string and not comment and i >= 2:
                in_any = i
                if ch == " ":
                    in_space = i
        if comment:
            continue
        if ch == '"':
            in_string = not in_string
        elif ch == "'" and not in_string:
            comment = True
    in_cut = in_space if in_space is not None else in_any
    if out_space is not None and (in_cut is None or out_space >= min(in_cut, room // 2)):
        return out_space, False
    if in_cut is not None:
        return in_cut, True
    raise ValueError(f"VBA line cannot be split within {room + 1} characters (no space, no string): {rest[:80]}…")


def _split_vba_line(line: str, limit: int = VBA_MAX_LINE) -> list[str]:
    """One logical VBA line as physical lines of at most ``limit`` characters, joined by `` _``. A break
    inside a string literal closes it and goes on with ``" & _`` / ``"…"``, so the string stays the same.

    >>> _split_vba_line('x = "aaaa bbbb"', limit=12)
    ['x = _', ' "aaaa bbbb"']
    >>> _split_vba_line('x = "aaaaaaaaaaaa"', limit=12)
    ['x = _', ' "aaaaa" & _', '"aaaaaaa"']
    """
    parts: list[str] = []
    rest = line
    while len(rest) > limit:
        cut, in_string = _cut(rest, limit - 5)  # room for the longer joint, '" & _'
        if in_string:
            parts.append(rest[:cut] + '" & _')
            rest = '"' + rest[cut:]
        else:
            parts.append(rest[:cut] + " _")
            rest = rest[cut:]
    parts.append(rest)
    if len(parts) - 1 > VBA_MAX_CONTINUATIONS:
        raise ValueError(f"VBA line of {len(line)} characters needs {len(parts) - 1} line continuations — VBA "
                         f"allows {VBA_MAX_CONTINUATIONS}: {line[:80]}…")
    return parts


def bas_text(module: str) -> str:
    """A VBA module's text as the VBA editor imports it: characters outside Windows-1252 replaced
    (:func:`to_cp1252`), every line within :data:`VBA_MAX_LINE` characters, CRLF line ends."""
    lines = _join_continuations(module.replace("\r\n", "\n").rstrip("\n").split("\n"))
    physical = [part for line in lines for part in _split_vba_line(to_cp1252(line))]
    return "\r\n".join(physical) + "\r\n"


def bas_bytes(module: str | None = None) -> bytes:
    """The ``xlwings_udfs`` wrapper module (``vba_module()`` unless given) as the bytes of a ``.bas`` file."""
    if module is None:
        from kam_xl.addin.runtime import vba_module

        module = vba_module()
    return bas_text(module).encode("cp1252")


def write_bas(target: str | Path) -> Path:
    """Write the ``xlwings_udfs`` wrapper module to ``target`` (``.bas``) atomically."""
    target = Path(target)
    if target.suffix.lower() != ".bas":
        raise ValueError(f"{target.name}: a VBA module file — allowed extension: .bas")
    data = bas_bytes()
    return write_atomic(target, lambda tmp: tmp.write_bytes(data))


_SUB = re.compile(r"^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(", re.IGNORECASE | re.MULTILINE)


def public_subs(vba: str) -> set[str]:
    """Names of the public Subs of VBA code (what "Assign Macro" offers; ``Private Sub`` is left out).

    >>> sorted(public_subs("Sub a()\\nEnd Sub\\nPrivate Sub b()\\nPublic Sub c(x)\\n"))
    ['a', 'c']
    """
    return set(_SUB.findall(vba))
