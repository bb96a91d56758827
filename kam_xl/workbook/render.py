"""Write a :class:`~kam_xl.workbook.layout.Book` as an .xlsx file with xlsxwriter.

What every generated workbook gets, whatever its template:

* one style for inputs (unlocked, pale yellow), everything else locked; sheets protected without a password
  (the aim is to protect formulas from accidents, not to hide them);
* a data validation with an input message on every input, saying what is allowed;
* each formula cell carries its cached result, so readers that do not calculate show the right numbers;
* text is always written as text: a value beginning with ``=``, ``+``, ``-`` or ``@`` never becomes a formula;
* an input holding a :class:`~kam_xl.cells.CellError` (regeneration keeps a KAM's error value or formula
  as the KAM left it) is written as that formula with the error as its cached result;
* a hidden ``_meta`` sheet with template id and version, account id and generation time, each also a
  defined name (``meta_template_id`` …), so a filled workbook can be read back safely;
* a hidden (not very hidden: IT can unhide and inspect it) ``xlwings.conf`` sheet with the classic xlwings
  settings of :attr:`Book.xlwings_conf` — it has no defined names, so the readers never see it;
* with a :attr:`Book.vba_project`, a macro-enabled workbook with that VBA project and the sheets' buttons;
* the file is written atomically.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import inspect
import io
import itertools
import math
import operator
import pickle
import re
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Literal

import xlsxwriter.worksheet
from xlsxwriter.format import Format
from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name, xl_rowcol_to_cell_fast
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter
from xlsxwriter.xmlwriter import xml_escapes as _XML_ESCAPES

from kam_xl.cells import CellError
from kam_xl.files import write_atomic
from kam_xl.workbook.layout import TEXT_MAX_CHARS, XLWINGS_CONF_SHEET, Book, Cell, Input, Sheet, pick
from kam_xl.workbook.printing import (
    FONT_POINTS,
    MARGINS_INCH,
    PERCENT_FORMAT,
    PagePlan,
    currency_symbol,
    money_format,
    page_plan,
    written_day,
)
from kam_xl.workbook.streaming import plan_rows
from kam_xl.workbook.xml_text import control_free, verbatim
from kam_xl.workbook.zip_level import deflating_at

META_SHEET = "_meta"
#: the error values a formula can hold literally and xlsxwriter writes as a cached error (``t="e"``)
XLSX_ERROR_LITERALS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!")
INPUT_FILL = "#FFF2CC"
_BASE: dict[str, dict[str, Any]] = {
    "text": {},
    "label": {},
    "bold": {"bold": True},
    "title": {"bold": True, "font_size": FONT_POINTS["title"], "font_color": "#1F3864"},
    "subtitle": {"bold": True, "font_size": 11, "font_color": "#1F3864"},
    "header": {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "top"},
    "note": {"italic": True, "font_color": "#595959"},
    "wrap": {"text_wrap": True, "valign": "top"},
    "money": {"num_format": "#,##0;[Red]-#,##0"},
    "money_lower_better": {"num_format": "[Red]+#,##0;-#,##0;0"},  # a cost's variance: over plan is red
    "money_variance": {"num_format": "+#,##0;[Red]-#,##0;0"},  # a revenue's or profit's variance: signed
    "money2": {"num_format": "#,##0.00;[Red]-#,##0.00"},
    "number": {"num_format": "#,##0.0"},
    "number2": {"num_format": "#,##0.00"},
    "integer": {"num_format": "0"},
    "date": {"num_format": 14},  # the built-in short date: Excel and LibreOffice show it in the reader's locale
    "percent": {"num_format": PERCENT_FORMAT},
    "score": {"num_format": "0.0"},
    "level_money": {"num_format": "#,##0;[Red]-#,##0", "bold": True, "top": 1},
    "level_percent": {"num_format": PERCENT_FORMAT, "bold": True, "top": 1},
    "level_label": {"bold": True, "top": 1},
    "output": {"locked": False, "bg_color": "#F2F2F2"},  # what macros write: unlocked on a protected sheet
}
#: The styles of amounts: their number format carries the book's currency symbol (:func:`money_format`).
MONEY_DECIMALS = {"money": 0, "level_money": 0, "money2": 2, "money_lower_better": 0, "money_variance": 0}
#: The amount styles where less is better (a cost's variance): red above zero, not below.
LOWER_IS_BETTER_STYLES = frozenset({"money_lower_better"})
#: The amount styles of a variance: signed both ways (``+69.178 €``), as every variance prints.
SIGNED_STYLES = frozenset({"money_variance", "money_lower_better"})
_INPUT_EXTRA = {"locked": False, "bg_color": INPUT_FILL, "border": 1, "border_color": "#BFBFBF"}


#: The XML text a streamed sheet keeps in memory before it goes on in a temporary file (characters). Small: each
#: streamed sheet keeps up to this much until the workbook is closed, at up to 4 bytes a character (a text with
#: a character beyond Latin-1 is held as UCS-4) — a million characters were ~4 MiB per sheet, ~44 MiB of a
#: controller's 11 streamed sheets.
STREAM_SPOOL_CHARS = 1 << 16
#: (formula as written, expand_future_functions, use_future_functions) → as xlsxwriter's ``_prepare_formula`` gives
#: it; with ``None`` for the first flag: as a formula cell stores it, or ``None`` where xlsxwriter's own way is
#: taken (:meth:`_Worksheet._write_formula`)
_PREPARED: dict[tuple[str, bool | None, bool], str | None] = {}
_PREPARED_MAX = 100_000  # distinct formulas kept (an account plan has ~500, mostly the same in every plan)
_UNSEEN: Any = object()
_DYNAMIC_FUNCTION: re.Pattern[str] | None = getattr(xlsxwriter.worksheet, "re_dynamic_function", None)
_CellFormulaTuple: Any = getattr(xlsxwriter.worksheet, "CellFormulaTuple", None)
_CellStringTuple: Any = getattr(xlsxwriter.worksheet, "CellStringTuple", None)
_CellBlankTuple: Any = getattr(xlsxwriter.worksheet, "CellBlankTuple", None)
_CellNumberTuple: Any = getattr(xlsxwriter.worksheet, "CellNumberTuple", None)
#: the kinds of cells :meth:`_Worksheet._write_cell` writes itself (none when xlsxwriter's names are not found)
_FAST_CELL_KINDS = ("CellFormulaTuple", "CellStringTuple", "CellBlankTuple", "CellNumberTuple", "CellDatetimeTuple")
_FAST_CELLS = (frozenset(getattr(xlsxwriter.worksheet, kind) for kind in _FAST_CELL_KINDS)
               if all(hasattr(xlsxwriter.worksheet, kind) for kind in _FAST_CELL_KINDS) else frozenset())


def _rewrites_by_end(method: Any) -> dict[str, tuple[re.Pattern[str], ...]] | None:
    """xlsxwriter's formula substitutions (read from the source of its ``_prepare_formula``), by the text that
    ends each name they rewrite.

    Each of its ~155 substitutions has the pattern ``\\bNAME\\(`` (or ``\\SINGLE\\(``, a ``\\S`` where ``\\b`` is
    meant) whose ``NAME`` is upper-case letters, digits and dots — each dot a wildcard for any character. A
    match therefore ends in the literal after the pattern's last dot and ``(`` (``BETA.DIST`` → ``DIST(``,
    ``\\SINGLE`` → ``INGLE(``): ``{"DIST": (re.compile(r"\\bBETA.DIST\\("), …), …}``. ``None`` when the source
    cannot be read or a pattern has another shape (a newer xlsxwriter): then every formula goes through
    xlsxwriter's own preparation."""
    try:
        source = inspect.getsource(method)
    except (OSError, TypeError):
        return None
    patterns = re.findall(r're\.sub\(\s*r"([^"]*)"', source)
    names = [re.fullmatch(r"(?:\\b|\\S)([A-Z0-9.]+)\\\(", p) for p in patterns]
    if not patterns or len(patterns) != source.count("re.sub(") or not all(names):
        return None
    by_end: dict[str, list[re.Pattern[str]]] = {}
    for pattern, name in zip(patterns, names, strict=True):
        end = name.group(1).rsplit(".", 1)[-1] if name else ""
        if not end:
            return None
        by_end.setdefault(end, []).append(re.compile(pattern))
    return {end: tuple(found) for end, found in by_end.items()}


#: xlsxwriter's substitutions by the end of the name they rewrite, or None: no fast path (:func:`_prepare_plain`)
_REWRITES = _rewrites_by_end(Worksheet._prepare_formula)
_END_LENGTHS = sorted({len(end) for end in _REWRITES or ()})
_CALLED_NAME = re.compile(r"([A-Z0-9]+)\(")  # the upper-case letters and digits right before each "("


def _prepare_plain(formula: str) -> str | None:
    """``formula`` as xlsxwriter's ``_prepare_formula`` stores it, when that is only the removal of a leading
    ``{`` / ``=`` and a trailing ``}`` — no function name it would prefix with ``_xlfn.`` occurs; else ``None``.

    Exact, not a guess: a substitution of xlsxwriter can match only where the run of upper-case letters and
    digits before a ``(`` ends in its name's last part (:func:`_rewrites_by_end`); only those few substitutions
    are tried, with xlsxwriter's own patterns. Where none matches, none changes the formula, whatever the
    flags. Most formulas (``SUM``, ``IF``, ``SUMPRODUCT`` …) take this path: one regular expression and a few
    look-ups instead of ~155 substitutions."""
    if _REWRITES is None:
        return None
    formula = _stripped(formula)
    if "_xlfn." in formula:
        return formula  # xlsxwriter leaves a formula with a prefix as it is
    shape = None if _DIGIT_BEFORE_NAME.search(formula) else formula.translate(_DIGITS_AS_ZERO)
    if shape is not None and (plain := _PLAIN_SHAPES.get(shape)) is not None:
        return formula if plain else None
    prepared = _prepare_by_rewrites(formula)
    if shape is not None:
        if len(_PLAIN_SHAPES) >= _PREPARED_MAX:
            _PLAIN_SHAPES.clear()
        _PLAIN_SHAPES[shape] = prepared is not None
    return prepared


#: Whether a formula of a shape (its digits as ``0``) is left as it is by xlsxwriter's substitutions. Formulas of
#: one shape differ only in digits that no substitution's name literal can meet: each such digit is followed by
#: neither a letter, ``_`` nor ``(`` (:data:`_DIGIT_BEFORE_NAME` sends the others the exact way), while the only
#: digit in a rewritten name (``T.DIST.2T``) is followed by ``T`` — so each digit within a match meets a ``.``
#: wildcard, which any digit matches. A controller's row formulas (``=F5*G5``, ``=F6*G6`` …) are one shape.
_PLAIN_SHAPES: dict[str, bool] = {}
_DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")
#: Whether a streamed sheet's formula of a shape is stored as :func:`_stripped` gives it
#: (:meth:`_StreamedWorksheet._formula_text`)
_STREAMED_SHAPES: dict[bytes, bool] = {}
_DIGIT_BYTES_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")


def _stripped(formula: str) -> str:
    """``formula`` without a leading ``{`` and ``=`` and a trailing ``}``, as xlsxwriter's preparation strips it."""
    if formula.startswith("{"):
        formula = formula[1:]
    if formula.startswith("="):
        formula = formula[1:]
    return formula[:-1] if formula.endswith("}") else formula
_DIGIT_BEFORE_NAME = re.compile(r"[0-9][A-Za-z_(]")


def _prepare_by_rewrites(formula: str) -> str | None:
    """``formula`` (without ``=`` and braces) when none of xlsxwriter's substitutions that may match it does;
    else ``None`` (see :func:`_prepare_plain`)."""
    rewrites = _REWRITES or {}
    for run in _CALLED_NAME.findall(formula):
        for length in _END_LENGTHS:
            if length > len(run):
                break
            if any(p.search(formula) for p in rewrites.get(run[-length:], ())):
                return None
    return formula


def _escape_control(data: Any) -> Any:
    """xlsxwriter's ``_escape_control_characters``: a text without control or non-characters (printable) and
    without ``_x`` (the start of an ``_xHHHH_`` escape) needs none of its substitutions and is returned as it
    is; any other goes through them."""
    if not isinstance(data, str) or control_free(data):
        return data
    return XMLwriter._escape_control_characters(data)


def _xml_text(data: Any) -> Any:
    """A value as xlsxwriter's ``_xml_data_element`` writes it between tags: a text with ``&``, ``<``, ``>``
    and control characters escaped, a number as it is."""
    if not isinstance(data, str):
        return data
    if _XML_ESCAPES.search(data):
        data = data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _escape_control(data)


#: The conditional format rules whose XML depends on their options alone (xlsxwriter's types)
_PLAIN_RULES = frozenset({"cellIs", "expression"})
#: XML of worksheet parts by what they depend on (:func:`_write_remembered`)
_XML_PARTS: dict[tuple[Any, ...], str] = {}


def _write_remembered(writer: Any, key: tuple[Any, ...], write: Any, *args: Any) -> None:
    """Write what ``write(*args)`` writes to ``writer.fh``, from :data:`_XML_PARTS` when ``key`` was written
    before in this process."""
    text = _XML_PARTS.get(key)
    if text is None:
        fh = writer.fh
        writer.fh = io.StringIO()
        try:
            write(*args)
            text = writer.fh.getvalue()
        finally:
            writer.fh = fh
        if len(_XML_PARTS) >= _NAMES_MAX:
            _XML_PARTS.clear()
        _XML_PARTS[key] = text
    writer.fh.write(text)


class _NoResult(str):
    """The cached result of a formula the KAM saved without one (:class:`~kam_xl.cells.CellError` with code
    ``""``): its cell is written with no ``<v>`` at all, as openpyxl saves formulas, so that reading the
    regenerated workbook again finds it uncached (an empty ``<v></v>`` is an empty text result)."""


NO_RESULT = _NoResult("")


def _cell_xml(ref: str, xf: int | None, cell: Any) -> str:
    """The ``<c>`` element xlsxwriter writes (not in constant-memory mode) for a cell of ``_FAST_CELL_KINDS`` at
    ``ref`` (``"B7"``) with the format index ``xf`` (``None``: no ``s`` attribute)."""
    attr = f' r="{ref}"' if xf is None else f' r="{ref}" s="{xf}"'
    kind = cell.__class__
    if kind is _CellFormulaTuple:
        return f"<c{attr}{_formula_cell_tail(cell)}"
    if kind is _CellStringTuple:
        return f'<c{attr} t="s"><v>{cell.string}</v></c>'
    if kind is _CellBlankTuple:
        return f"<c{attr}/>"
    return f"<c{attr}><v>{cell.number:.16G}</v></c>"  # a number or a date


def _formula_cell_tail(cell: Any) -> str:
    """The ``<c>`` element of a formula cell (``_CellFormulaTuple``) from after its reference and format on: its
    type of result, formula and cached result (none for :data:`NO_RESULT`), as xlsxwriter writes them."""
    value = cell.value
    attr = ""
    if isinstance(value, bool):
        attr = ' t="b"'
        value = 1 if value else 0
    elif isinstance(value, str) and value != "":
        attr = ' t="e"' if value in XLSX_ERROR_LITERALS else ' t="str"'
    formula = _escaped_formula(cell.formula)
    if value is NO_RESULT:
        return f"{attr}><f>{formula}</f></c>"
    if isinstance(value, str) and _XML_ESCAPES.search(value):
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"{attr}><f>{formula}</f><v>{value}</v></c>"


def _escaped_formula(formula: str) -> str:
    """A formula's text as xlsxwriter escapes it between tags (``&``, ``<``, ``>``), once per distinct formula."""
    escaped = _ESCAPED_FORMULAS.get(formula)
    if escaped is None:
        escaped = formula
        if _XML_ESCAPES.search(formula):
            escaped = formula.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if len(_ESCAPED_FORMULAS) >= _ESCAPED_MAX:
            _ESCAPED_FORMULAS.clear()
        _ESCAPED_FORMULAS[formula] = escaped
    return escaped


_ESCAPED_FORMULAS: dict[str, str] = {}
_ESCAPED_MAX = 10_000  # a plan has ~500 distinct formulas; a controller's rows' formulas are not worth keeping


@functools.lru_cache(maxsize=1024)
def _column_letters(col: int) -> str:
    """The letters of a 0-based column (``0`` → ``"A"``), as xlsxwriter writes them in a cell reference."""
    return xl_col_to_name(col)


def _row_spans(table: dict[int, dict[int, Any]]) -> dict[int, str]:
    """xlsxwriter's ``spans`` of a sheet's rows (``_calculate_spans`` without comments): for each block of 16 rows
    with cells (by ``row // 16``), its first and last column with a cell, 1-based: ``"1:7"``."""
    bounds: dict[int, tuple[int, int]] = {}
    for row, cells in table.items():
        if cells:
            block = row // 16
            low, high = min(cells), max(cells)
            known = bounds.get(block)
            bounds[block] = (low, high) if known is None else (min(known[0], low), max(known[1], high))
    return {block: f"{low + 1}:{high + 1}" for block, (low, high) in bounds.items()}


#: (range, repr of the options, date system) → a data validation's options as xlsxwriter processed them
_VALIDATIONS: dict[tuple[Any, ...], dict[str, Any]] = {}
#: the rule types whose processed options :meth:`_Worksheet.conditional_format` remembers (xlsxwriter's names)
_REMEMBERED_RULES = frozenset({"cell", "formula"})
#: (range, options but the format, has a format, flags) → (the range as xlsxwriter keys it, the options as it processed
#: them)
_RULES: dict[tuple[Any, ...], tuple[str, dict[str, Any]]] = {}
_RULES_MAX = 2_000  # of each: a plan has ~125 rules and ~100 validations


class _Worksheet(Worksheet):
    """xlsxwriter's worksheet with its formula preparation remembered.

    xlsxwriter prepares every formula string (strips ``=``, prefixes newer functions with ``_xlfn.``) with
    ~30 regular-expression substitutions, and ~500 more for conditional-format formulas; on formula-heavy
    sheets that is most of its write time. The result depends only on the formula text and two flags, and
    the plans of one batch share most of their formulas (the same template; 91 % of the formulas of the 14
    demo accounts' plans repeat), so each distinct formula is prepared once per process — by xlsxwriter's own
    code, so the stored text is exactly what xlsxwriter would store."""

    # xlsxwriter escapes every attribute and data value it writes by trying a regular-expression search and
    # catching the TypeError a number raises — most values are numbers (styles, rows, cached results); these
    # look at the type first and leave escaping itself to xlsxwriter, so the text written is the same.
    def _escape_attributes(self, attribute: Any) -> Any:
        if isinstance(attribute, str) and _XML_ESCAPES.search(attribute):
            return super()._escape_attributes(attribute)
        return attribute

    def _escape_data(self, data: Any) -> Any:
        if isinstance(data, str) and _XML_ESCAPES.search(data):
            return super()._escape_data(data)
        return data

    _escape_control_characters = staticmethod(_escape_control)

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:  # type: ignore[override]
        key = (formula, expand_future_functions, self.use_future_functions)
        prepared = _PREPARED.get(key)
        if prepared is None:
            prepared = _prepare_plain(formula)
            if prepared is None:
                prepared = super()._prepare_formula(formula, expand_future_functions)
            if len(_PREPARED) >= _PREPARED_MAX:
                _PREPARED.clear()
            _PREPARED[key] = prepared
        return prepared

    def _write_formula(self, row: int, col: int, formula: str, cell_format: Any = None,  # type: ignore[override]
                       value: Any = 0) -> int:
        # xlsxwriter's, with what depends on the formula text alone — is it a dynamic-array or array formula
        # (a search with a regular expression of ~50 function names), its prepared text — looked up once per
        # distinct formula (in :data:`_PREPARED`, ``None`` for the flag: a formula cell's text, or ``None`` for
        # xlsxwriter's way); any other formula goes xlsxwriter's way
        prepared = self._formula_text(formula)
        if prepared is None:
            return super()._write_formula(row, col, formula, cell_format, value)
        if self._check_dimensions(row, col):
            return -1
        if self.constant_memory and row > self.previous_row:
            self._write_single_row(row)
        self.table[row][col] = _CellFormulaTuple(prepared, cell_format, value)
        return 0

    def _formula_text(self, formula: str) -> str | None:
        """:meth:`_plain_formula`, remembered per distinct formula in :data:`_PREPARED`."""
        key = (formula, None, self.use_future_functions)
        prepared = _PREPARED.get(key, _UNSEEN)
        if prepared is _UNSEEN:
            prepared = self._plain_formula(formula)
            if len(_PREPARED) >= _PREPARED_MAX:
                _PREPARED.clear()
            _PREPARED[key] = prepared
        return prepared

    def _plain_formula(self, formula: str) -> str | None:
        """``formula`` as xlsxwriter stores a formula cell of it, when that is its preparation alone; ``None`` for
        an empty, dynamic-array or array formula (and for all, when xlsxwriter's names are not found)."""
        if (_DYNAMIC_FUNCTION is None or _CellFormulaTuple is None or not formula
                or _DYNAMIC_FUNCTION.search(formula) or (formula.startswith("{") and formula.endswith("}"))):
            return None
        return self._prepare_formula(formula)

    # a data validation's or a cell or formula rule's XML depends on its options alone (plain dicts of texts,
    # numbers and ranges; a format as its index) and the future-functions flag: written once per process. Other
    # rules go xlsxwriter's way: writing a data bar numbers it and keeps it for the sheet's extension list
    def _write_data_validation(self, options: dict[str, Any]) -> None:
        # a validation this sheet added by :meth:`data_validation`'s memory is known by that key (its options as
        # given, ~20 µs less than the ``repr`` of the processed options with their cells, ~100 a plan)
        given = self.__dict__.get("_validation_keys", {}).get(id(options))
        _write_remembered(self, ("dataValidation", repr(options) if given is None else given,
                                 self.use_future_functions), super()._write_data_validation, options)

    def _remember_validation(self, options: dict[str, Any], key: tuple[Any, ...]) -> None:
        """Note that ``options`` (a dict in :attr:`validations`, kept there for the sheet's life, so its ``id`` is
        its own) were processed from the :data:`_VALIDATIONS` key ``key``."""
        self.__dict__.setdefault("_validation_keys", {})[id(options)] = ("given", key)

    def data_validation(self, first_row: Any, first_col: Any = None, last_row: Any = None,  # type: ignore[override]
                        last_col: Any = None, options: dict[str, Any] | None = None) -> int:
        # as conditional_format below: a validation's options processed by xlsxwriter once per process (~100 a
        # plan, each checked against its tables anew), then copied; what they depend on: the range, the options,
        # the sheet's date system (a date rule's bounds become serial numbers)
        box = (first_row, first_col, last_row, last_col)
        if options is None or not all(type(x) is int for x in box):
            return super().data_validation(first_row, first_col, last_row, last_col, options)
        return self._validation_from_memory((box, repr(options), self.date_1904), box, lambda: options)

    def input_validation(self, inp: Input, boxes: list[tuple[int, int, int, int]]) -> int:
        """Add the data validation of the input rule ``inp`` over ``boxes`` (its first range, then any others: one
        ``sqref``), as :meth:`data_validation` adds :func:`_validation`'s options for it: processed once per
        process, remembered by the rule with its numbers' types (:func:`_input_key`), the ranges and the date
        system — not by the ``repr`` of the options made anew (~100 a plan)."""
        (r0, c0, r1, c1), *others = boxes

        def options() -> dict[str, Any]:
            return {**_validation(inp), **({"other_cells": others} if others else {})}

        if not all(type(x) is int for box in boxes for x in box):
            return super().data_validation(r0, c0, r1, c1, options())
        key = ("input", tuple(boxes), _input_key(inp), self.date_1904)
        return self._validation_from_memory(key, (r0, c0, r1, c1), options)

    def _validation_from_memory(self, key: tuple[Any, ...], box: tuple[int, int, int, int],
                                options: Callable[[], dict[str, Any]]) -> int:
        """The validation of ``options()`` over ``box`` added as xlsxwriter processed it for ``key`` before,
        or processed now and remembered by ``key`` (what the processed options depend on)."""
        processed = _VALIDATIONS.get(key)
        if processed is None:
            before = len(self.validations)
            result = super().data_validation(*box, options())
            if result == 0 and len(self.validations) == before + 1:
                if len(_VALIDATIONS) >= _RULES_MAX:
                    _VALIDATIONS.clear()
                _VALIDATIONS[key] = dict(self.validations[-1])
                self._remember_validation(self.validations[-1], key)
            return result
        self.validations.append({**processed, "cells": [list(box) for box in processed["cells"]]})
        self._remember_validation(self.validations[-1], key)
        return 0

    def _row_tag(self, row: int, span: str | None, info: Any) -> str:
        """The ``<row>`` start tag xlsxwriter's ``_write_row`` writes for a row with cells (``info``: its
        ``RowInfo`` or ``None``), as one f-string."""
        height = info.height if info else None
        row_format = info.row_format if info else None
        if height is None:
            height = self.default_row_height
        xf_index = row_format._get_xf_index() if row_format else 0
        custom = height != self.original_row_height or height != self.default_row_height
        return "".join((
            f'<row r="{row + 1}"',
            f' spans="{span}"' if span else "",
            f' s="{xf_index}"' if xf_index else "",
            ' customFormat="1"' if row_format else "",
            f' ht="{height * 0.75:.16g}"' if custom else "",
            ' hidden="1"' if info and info.hidden else "",
            ' customHeight="1"' if custom else "",
            f' outlineLevel="{info.level}"' if info and info.level else "",
            ' collapsed="1"' if info and info.collapsed else "",
            ' x14ac:dyDescent="0.25"' if self.excel_version == 2010 else "",
            ">"))

    def conditional_format(self, first_row: Any, first_col: Any = None, last_row: Any = None,  # type: ignore[override]
                           last_col: Any = None, options: dict[str, Any] | None = None) -> int:
        # xlsxwriter processes a rule's options anew each time (building its tables of types, criteria and icons:
        # ~15 µs a rule, ~125 rules a plan); a cell or formula rule's processed options depend only on the range,
        # the options but the format, and two flags of the sheet — processed once per process by xlsxwriter, then
        # copied with the rule's own format index (taken as xlsxwriter takes it, in the same order) and priority
        box = (first_row, first_col, last_row, last_col)
        if (options is None or options.get("type") not in _REMEMBERED_RULES
                or not all(type(x) is int for x in box)):
            return super().conditional_format(first_row, first_col, last_row, last_col, options)
        fmt = options.get("format")
        key = (box, repr({k: v for k, v in options.items() if k != "format"}), bool(fmt),
               self.use_data_bars_2010, self.date_1904)
        processed = _RULES.get(key)
        if processed is None:
            before = {ref: len(rules) for ref, rules in self.cond_formats.items()}
            result = super().conditional_format(first_row, first_col, last_row, last_col, options)
            grown = [ref for ref, rules in self.cond_formats.items() if len(rules) > before.get(ref, 0)]
            if result == 0 and len(grown) == 1 and not self.cond_formats[grown[0]][-1].get("is_data_bar_2010"):
                if len(_RULES) >= _RULES_MAX:
                    _RULES.clear()
                _RULES[key] = (grown[0], dict(self.cond_formats[grown[0]][-1]))
            return result
        cell_range, rule = processed
        rule = dict(rule)
        if fmt:
            rule["format"] = fmt._get_dxf_index()
        rule["priority"] = self.dxf_priority
        self.dxf_priority += 1
        self.cond_formats.setdefault(cell_range, []).append(rule)
        return 0

    def _write_col_info(self, col_min: int, col_max: int, col_info: Any) -> None:
        # a ``<col>`` element of a run of columns without a format depends on the run, its width and flags and the
        # sheet's default width and digit width alone: written once per process (a template's columns recur in
        # every plan; ≈ 190 a plan, ≈ 3 µs each) — a column with a format goes xlsxwriter's way
        if col_info.column_format:
            super()._write_col_info(col_min, col_max, col_info)
            return
        key = ("col", col_min, col_max, col_info.width, col_info.hidden, col_info.autofit, col_info.level,
               col_info.collapsed, self.default_col_width, self.max_digit_width)
        _write_remembered(self, key, super()._write_col_info, col_min, col_max, col_info)

    def _write_cf_rule(self, params: dict[str, Any]) -> None:
        if params.get("type") not in _PLAIN_RULES or params.get("is_data_bar_2010"):
            super()._write_cf_rule(params)
            return
        _write_remembered(self, ("cfRule", repr(params), self.use_future_functions), super()._write_cf_rule, params)

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        # xlsxwriter's innermost loop for the cells of a plan — a number, a shared string, a blank with its
        # format, a formula with its cached result — writing the same text with one f-string instead of an
        # attribute list escaped item by item (:func:`_cell_xml`); any other cell, or one taking a row's or
        # column's format, goes xlsxwriter's way
        if cell.__class__ not in _FAST_CELLS or self.constant_memory:
            super()._write_cell(row, col, cell)
            return
        fmt = cell.format
        if not fmt and ((row in self.row_info and self.row_info[row].row_format) or col in self.col_info):
            super()._write_cell(row, col, cell)
            return
        self.fh.write(_cell_xml(xl_rowcol_to_cell_fast(row, col), fmt._get_xf_index() if fmt else None, cell))

    def _write_rows(self) -> None:
        # xlsxwriter's, for a sheet of usual cells (not in constant-memory mode, no comments): only the rows that
        # have cells or attributes are visited (not every row and column of the sheet's dimensions, twice — once
        # for the spans), each row's cells in column order, each cell of the kinds :func:`_cell_xml` knows written
        # by it with its reference and format index worked out once per column, row and format; the same text
        if self.constant_memory or self.comments or not _FAST_CELLS:
            super()._write_rows()
            return
        table, row_info, col_info = self.table, self.row_info, self.col_info
        first, last = self.dim_rowmin, self.dim_rowmax
        rows = sorted(r for r in {r for r, cells in table.items() if cells} | row_info.keys() if first <= r <= last)
        spans = _row_spans(table)
        styles: dict[int, str] = {}  # id of a format → its attribute (' s="3"')
        write = self.fh.write
        for row in rows:
            span = spans.get(row // 16)
            cells = table.get(row)
            if not cells:
                self._write_empty_row(row, span, row_info[row])
                continue
            info = row_info.get(row)
            write(self._row_tag(row, span, info))
            plain_row = not (info and info.row_format)
            number = str(row + 1)
            parts: list[str] = []  # the row's cells of the usual kinds, written at once (_cell_xml's text)
            for col in sorted(cells):
                cell = cells[col]
                fmt = cell.format
                kind = cell.__class__
                if kind not in _FAST_CELLS or not (fmt or (plain_row and col not in col_info)):
                    write("".join(parts))
                    parts.clear()
                    self._write_cell(row, col, cell)
                    continue
                style = ""
                if fmt:
                    style = styles.get(id(fmt), "")
                    if not style:
                        style = styles[id(fmt)] = f' s="{fmt._get_xf_index()}"'
                head = f'<c r="{_column_letters(col)}{number}"{style}'
                if kind is _CellStringTuple:
                    parts.append(f'{head} t="s"><v>{cell.string}</v></c>')
                elif kind is _CellFormulaTuple:
                    parts.append(head + _formula_cell_tail(cell))
                elif kind is _CellBlankTuple:
                    parts.append(head + "/>")
                else:  # a number or a date
                    parts.append(f"{head}><v>{cell.number:.16G}</v></c>")
            write("".join(parts))
            self._xml_end_tag("row")

    def _xml_formula_element(self, formula: str, result: Any, attributes: Any = ()) -> None:  # type: ignore[override]
        if result is not NO_RESULT:
            super()._xml_formula_element(formula, result, list(attributes))
            return
        attr = "".join(f' {key}="{self._escape_attributes(value)}"' for key, value in attributes)
        self.fh.write(f"<c{attr}><f>{self._escape_data(formula)}</f></c>")


class _StreamedWorksheet(_Worksheet):
    """A worksheet in xlsxwriter's constant-memory mode on its own (:attr:`Sheet.streamed`): each row is turned
    into XML text as soon as the next row starts and its cells are let go; the text is kept in memory up to
    :data:`STREAM_SPOOL_CHARS` characters at a time, each such piece then goes on in a temporary file (UTF-8), so
    that a sheet of 10,000 accounts' rows takes flat memory. Text cells are inline strings, as in that mode. Its
    cells must come in row order (:func:`_write_sheet` sorts them)."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:  # type: ignore[override]
        # a row per account: its formulas differ in their row numbers, so they are not kept in _PREPARED (whose
        # 100,000 entries of a long sheet's formulas took tens of MiB) — those of one shape are known plain
        prepared = _prepare_plain(formula)
        return Worksheet._prepare_formula(self, formula, expand_future_functions) if prepared is None else prepared

    def _formula_text(self, formula: str) -> str | None:
        # not remembered either, for the same reason; but whether a formula is stored as it is written (without
        # its "=" and braces) is remembered per shape, as for _prepare_plain: formulas of one shape differ only
        # in digits that neither xlsxwriter's dynamic-function search nor its substitutions can meet
        # (the shape as UTF-8 bytes: translating bytes is ~20 times faster than translating a text)
        shape = formula.encode().translate(_DIGIT_BYTES_AS_ZERO)
        plain = _STREAMED_SHAPES.get(shape)
        if plain:
            return _stripped(formula)
        text = self._plain_formula(formula)
        if plain is None and not _DIGIT_BEFORE_NAME.search(formula):
            if len(_STREAMED_SHAPES) >= _PREPARED_MAX:
                _STREAMED_SHAPES.clear()
            _STREAMED_SHAPES[shape] = text is not None and text == _stripped(formula)
        return text

    def _initialize(self, init_data: dict[str, Any]) -> None:
        super()._initialize({**init_data, "constant_memory": False})
        self.constant_memory = True
        self.row_data_fh = io.StringIO()
        self.fh = self.row_data_fh
        self.spilled: IO[str] | None = None
        self.whole_row = -1  # the row write_row wrote last: nothing of it waits in xlsxwriter's table
        self.pending: list[str] = []  # that row's cells' XML until the next row starts …
        self.unindexed: list[tuple[int, Format]] = []  # … but the style attributes of its formats not yet indexed
        self.style_attrs: dict[Format, str] = {}  # a format → its ' s="…"' attribute, from its first cell on

    def write_row(self, row: int, cells: list[Cell], formats: list[Any]) -> bool:
        """Write a whole row at once — ``cells`` (sorted by column, each with its format in ``formats``) — as
        xlsxwriter writes it in constant-memory mode, each cell one f-string (:func:`_streamed_cell_xml`);
        ``False``, with nothing written, when a cell is of a kind left to xlsxwriter (a date, an error value, a
        long or rich text, an array or dynamic formula, a number that is not finite …), when two cells share a
        column or the row is out of order or bounds: then the caller writes the row's cells one by one.

        As xlsxwriter, the row is finished when the next row starts (or the sheet is closed): a format's index
        is fixed by the first cell written with it, so a format first used in this row gets it then and the
        indices are the ones xlsxwriter gives."""
        if not cells or row < self.previous_row:
            return False
        r1 = str(row + 1)
        attrs, names = self.style_attrs, _COL_NAMES
        parts: list[str] = []
        unindexed: list[tuple[int, Format]] = []
        last = -1
        for cell, fmt in zip(cells, formats):  # noqa: B905 — as many formats as cells (the caller makes them)
            col = cell.col
            if col <= last or fmt is None:
                return False
            last = col
            xml = _streamed_cell_xml(self, cell)
            if xml is None:
                return False
            s = attrs.get(fmt)
            if s is None:
                parts += (f'<c r="{names.get(col) or _col_name(col)}{r1}"', "", xml)
                unindexed.append((len(parts) - 2, fmt))
            else:
                parts.append(f'<c r="{names.get(col) or _col_name(col)}{r1}"{s}{xml}')
        if self._check_dimensions(row, cells[0].col) or self._check_dimensions(row, last):
            return False  # out of the sheet's bounds: xlsxwriter leaves such a cell out
        if row > self.previous_row:
            self._write_single_row(row)  # the row before, as xlsxwriter writes it when a later row starts
        self.previous_row = self.whole_row = row
        self.pending, self.unindexed = parts, unindexed
        return True

    def _write_single_row(self, current_row_num: int = 0) -> None:
        if self.previous_row == self.whole_row:  # the row write_row keeps
            self._write_pending(self.whole_row)
            self.previous_row, self.whole_row = current_row_num, -1
            self.table.clear()
        else:
            super()._write_single_row(current_row_num)
        self._spool()

    def _write_pending(self, row: int) -> None:
        """The row :meth:`write_row` keeps, as xlsxwriter's ``_write_single_row`` writes it."""
        parts, attrs = self.pending, self.style_attrs
        for i, fmt in self.unindexed:
            s = attrs.get(fmt)
            if s is None:  # the format's index, fixed by the first cell written with it (as xlsxwriter)
                s = attrs[fmt] = f' s="{fmt._get_xf_index()}"'
            parts[i] = s
        self.pending, self.unindexed = [], []
        if row in self.row_info or self.default_row_height != self.original_row_height \
                or self.excel_version == 2010:
            self._write_row(row, None, self.row_info.get(row))
            self.fh.write("".join(parts) + "</row>")
        else:
            self.fh.write(f'<row r="{row + 1}">{"".join(parts)}</row>')

    def _spool(self) -> None:
        """The rows' XML so far on into the temporary file, once it is longer than :data:`STREAM_SPOOL_CHARS`."""
        if self.row_data_fh.tell() > STREAM_SPOOL_CHARS:
            if self.spilled is None:
                self.spilled = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 — closed when assembled
            self.spilled.write(self.row_data_fh.getvalue())
            self.row_data_fh.seek(0)
            self.row_data_fh.truncate()

    def _write_optimized_sheet_data(self) -> None:
        # xlsxwriter's own, reading the rows back: those gone to the temporary file in pieces, then the rest
        if self.dim_rowmin is None:
            self._xml_empty_tag("sheetData")
            return
        self._xml_start_tag("sheetData")
        if self.spilled is not None:
            self.spilled.seek(0)
            while piece := self.spilled.read(1 << 16):
                self.fh.write(piece)
            self.spilled.close()
        self.fh.write(self.row_data_fh.getvalue())
        self.row_data_fh.close()
        self._xml_end_tag("sheetData")


_ERROR_LITERALS = frozenset(XLSX_ERROR_LITERALS)
_COL_NAMES: dict[int, str] = {}


def _col_name(col: int) -> str:
    """The letters of a column (``0`` → ``A``), as xlsxwriter's ``xl_rowcol_to_cell_fast`` writes them."""
    name = _COL_NAMES.get(col)
    if name is None:
        name = _COL_NAMES[col] = xl_col_to_name(col)
    return name


def _streamed_cell_xml(ws: _StreamedWorksheet, cell: Cell) -> str | None:
    """The XML of ``cell`` as :func:`_put_cells` and xlsxwriter's constant-memory ``_write_cell`` write it, from
    after its reference and style (``<c r="B7" s="3"``) on: a formula xlsxwriter stores as prepared text (not an array
    or dynamic one) with a text, number or no cached result; an inline text (escaped, ``xml:space`` where it
    begins or ends with a space); a finite number; a truth value; a blank. ``None`` for any other cell — a date,
    an error value, a text longer than half of Excel's limit or in rich-text tags, any other type — which goes
    xlsxwriter's way."""
    formula = cell.formula
    if formula is not None:
        text = ws._formula_text(formula)
        if text is None:
            return None
        if _XML_ESCAPES.search(text):
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        cached = cell.cached
        if cached is None:
            cached = ""
        elif isinstance(cached, bool):
            cached = "TRUE" if cached else "FALSE"
        kind = type(cached)
        if kind is str:
            t = "" if cached == "" else ' t="e"' if cached in _ERROR_LITERALS else ' t="str"'
            if _XML_ESCAPES.search(cached):
                cached = cached.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            return f"{t}><f>{text}</f><v>{cached}</v></c>"
        if kind is int or kind is float:
            return f"><f>{text}</f><v>{cached}</v></c>"
        return None
    value = cell.value
    kind = type(value)
    if kind is str:
        xml = _INLINE.get(value, _UNSEEN)
        if xml is _UNSEEN:
            xml = _inline_xml(value) if len(value) <= ws.xls_strmax // 2 else None
            if len(value) <= _INLINE_CHARS:  # ids, names, words: most recur from row to row
                if len(_INLINE) >= _INLINE_MAX:
                    _INLINE.clear()
                _INLINE[value] = xml
        return xml
    if kind is float:
        return f"><v>{value:.16G}</v></c>" if math.isfinite(value) else None
    if kind is int:
        return f"><v>{value:.16G}</v></c>"
    if value is None:
        return "/>"
    if kind is bool:
        return f' t="b"><v>{1 if value else 0}</v></c>'
    return None


#: text → its inline-string XML (:func:`_inline_xml`), for texts up to :data:`_INLINE_CHARS` characters
_INLINE: dict[str, str | None] = {}
_INLINE_CHARS = 100
_INLINE_MAX = 10_000  # ≈ 2 MiB at most; cleared when full (the words that recur are soon there again)


def _inline_xml(text: str) -> str | None:
    """A text's inline-string XML as xlsxwriter's constant-memory ``_write_cell`` writes it (escaped,
    ``xml:space`` where it begins or ends with a space), from after the cell's reference and style on; ``None``
    for a text in rich-text tags (xlsxwriter writes it as it is)."""
    preserve = ""
    if not verbatim(text):
        text = _escape_control(text)
        if _preserve_whitespace(text):
            preserve = ' xml:space="preserve"'
    if text.startswith("<r>") and text.endswith("</r>"):
        return None
    if _XML_ESCAPES.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f' t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


class _RepeatedXml:
    """Mixed into xlsxwriter's chart classes (:func:`_repeating`): a chart writes the same XML for the same
    parts once.

    A chart's series repeat parts: the Buying-Center-Map's 45 series have the same custom data labels (one per
    member, each a reference to the member's name with its cached text) and the same x values, and xlsxwriter
    processes and writes them anew for each series — most of a plan's chart time. Here, within one chart:

    * the data-label options of a series are processed once per distinct options (their ``repr``: plain dicts,
      lists, texts and numbers) and the processed dict is shared by the series that have them — xlsxwriter
      never changes it afterwards; the data ids it registers are the same for the same options;
    * the XML of a ``<c:dLbls>``, ``<c:numRef>`` or ``<c:strRef>`` element is written once per processed
      labels dict, or per formula and data list of the chart, and the same text is written again where they
      recur: what xlsxwriter writes for them depends on nothing else (the chart's cached data are final when
      its XML is assembled). The memory of XML lives for one assembly of the chart, so an id never outlives
      its object."""

    _labels_memo: dict[str, Any]
    _labels_keys: dict[int, str] | None
    _xml_memo: dict[tuple[Any, ...], str]

    def _get_labels_properties(self, labels: Any) -> Any:
        memo = self.__dict__.setdefault("_labels_memo", {})
        known = self.__dict__.get("_labels_keys")  # set by :func:`_add_series` while it adds a chart's series
        key = known[id(labels)] if known and id(labels) in known else repr(labels)
        if key not in memo:
            memo[key] = super()._get_labels_properties(labels)  # type: ignore[misc]
        return memo[key]

    def _get_marker_properties(self, marker: Any) -> Any:
        # a series' marker options processed once per process (deep-copied and mapped, ~45 per plan): xlsxwriter
        # never changes the processed dict afterwards, and processing has no other effect than for a pattern fill
        if not marker or "pattern" in marker:
            return super()._get_marker_properties(marker)  # type: ignore[misc]
        key = (type(self), repr(marker))
        found = _MARKERS.get(key)
        if found is None:
            found = super()._get_marker_properties(marker)  # type: ignore[misc]
            if found is not None:
                if len(_MARKERS) >= _NAMES_MAX:
                    _MARKERS.clear()
                _MARKERS[key] = found
        return found

    def _assemble_xml_file(self) -> None:
        self._xml_memo = {}
        try:
            super()._assemble_xml_file()  # type: ignore[misc]
        finally:
            self._xml_memo = {}

    def _written_once(self, key: tuple[Any, ...], write: Any, *args: Any) -> None:
        """Write what ``write(*args)`` writes, from memory when ``key`` was written before in this assembly."""
        memo = self.__dict__.get("_xml_memo")
        if memo is None:  # not within an assembly (xlsxwriter's own tests call the writers directly)
            write(*args)
            return
        text = memo.get(key)
        if text is None:
            fh = self.fh  # type: ignore[attr-defined]
            self.fh = io.StringIO()
            try:
                write(*args)
                text = memo[key] = self.fh.getvalue()
            finally:
                self.fh = fh
        self.fh.write(text)

    def _write_d_lbls(self, labels: Any) -> None:
        self._written_once(("dLbls", id(labels)), super()._write_d_lbls, labels)  # type: ignore[misc]

    def _write_marker(self, marker: Any) -> None:
        # a processed marker is shared by the series that have the same options (_get_marker_properties): its XML
        # (symbol, size, line and fill) depends on it alone; without one the chart's default is written
        if marker is None:
            super()._write_marker(marker)  # type: ignore[misc]
            return
        self._written_once(("marker", id(marker)), super()._write_marker, marker)  # type: ignore[misc]

    def _write_num_ref(self, formula: str, data: Any, ref_type: str) -> None:
        self._written_once(("numRef", formula, id(data), ref_type), super()._write_num_ref,  # type: ignore[misc]
                           formula, data, ref_type)

    def _write_str_ref(self, formula: str, data: Any, ref_type: str) -> None:
        self._written_once(("strRef", formula, id(data), ref_type), super()._write_str_ref,  # type: ignore[misc]
                           formula, data, ref_type)

    # the cached points of a series (the Buying-Center-Map's 45 series of ~25 points each) as xlsxwriter writes
    # them, each point one f-string instead of three tag writers with their escaping
    def _write_num_cache(self, data: Any) -> None:
        count = len(data) if data else 0
        parts = [f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{count}"/>']
        for i in range(count):
            token = data[i]
            if token is None:
                continue
            try:
                float(token)
            except ValueError:
                token = 0  # xlsxwriter writes a text among numbers as 0
            parts.append(f'<c:pt idx="{i}"><c:v>{_xml_text(token)}</c:v></c:pt>')
        parts.append("</c:numCache>")
        self.fh.write("".join(parts))  # type: ignore[attr-defined]

    def _write_str_cache(self, data: Any) -> None:
        parts = [f'<c:strCache><c:ptCount val="{len(data)}"/>']
        parts.extend(f'<c:pt idx="{i}"><c:v>{_xml_text(token)}</c:v></c:pt>' for i, token in enumerate(data)
                     if token is not None)
        parts.append("</c:strCache>")
        self.fh.write("".join(parts))  # type: ignore[attr-defined]

    _escape_control_characters = staticmethod(_escape_control)


_REPEATING: dict[type, type] = {}
#: (chart class, repr of a series' marker options) → the marker as xlsxwriter processed it
_MARKERS: dict[tuple[type, str], Any] = {}


def _repeating(chart: Any) -> Any:
    """``chart`` (an xlsxwriter chart, just made) as an instance of its class with :class:`_RepeatedXml`."""
    cls = type(chart)
    sub = _REPEATING.get(cls)
    if sub is None:
        sub = _REPEATING[cls] = type(f"_Repeated{cls.__name__}", (_RepeatedXml, cls), {})
    chart.__class__ = sub
    return chart


class _SharedStrings(SharedStrings):
    """xlsxwriter's shared strings table, each plain text written with one f-string: a printable text (no
    control character) without ``_x``, leading or trailing space or rich-text tags needs none of xlsxwriter's
    escapes but ``&``, ``<``, ``>``; any other goes xlsxwriter's way."""

    def _write_si(self, string: str) -> None:
        if verbatim(string) and not string.startswith("<r>"):
            self.fh.write(f"<si><t>{_xml_text(string)}</t></si>")
            return
        super()._write_si(string)

    def _write_sst_strings(self) -> None:
        # each string's <si> element, which depends on the string alone, written once per process (a plan's
        # ≈ 600 strings are mostly its template's labels, the same in every plan) and the table written at once
        parts = []
        for string in self.string_table.string_array:
            xml = _SI_XML.get(string)
            if xml is None:
                xml = self._si_xml(string)
                if len(_SI_XML) >= _SI_MAX:
                    _SI_XML.clear()
                _SI_XML[string] = xml
            parts.append(xml)
        self.fh.write("".join(parts))

    def _si_xml(self, string: str) -> str:
        """The ``<si>`` element :meth:`_write_si` writes for ``string``."""
        fh, self.fh = self.fh, io.StringIO()
        try:
            self._write_si(string)
            return self.fh.getvalue()
        finally:
            self.fh = fh


#: a shared string → its ``<si>`` element (:meth:`_SharedStrings._write_sst_strings`)
_SI_XML: dict[str, str] = {}
_SI_MAX = 5_000  # a plan has ≈ 600 strings, most of them its template's; an account's own come and go


class _Packager(Packager):
    """xlsxwriter's packager with :class:`_SharedStrings` (its own ``_write_shared_strings_file``, the table
    class replaced) and ``styles.xml`` written once per distinct set of formats in this process
    (:func:`_styles_key`): every plan of a language and currency has the same ~60 formats."""

    def _write_styles_file(self) -> None:
        self._write_remembered("xl/styles.xml", _STYLES_XML, _styles_key(self.workbook) if self.in_memory else None,
                               super()._write_styles_file)

    def _write_app_file(self) -> None:
        # docProps/app.xml lists the sheets and the ~240 defined names: the same for every plan of a template
        # version and language, ≈ 0.9 ms a plan to write anew
        self._write_remembered("docProps/app.xml", _APP_XML, _app_key(self) if self.in_memory else None,
                               super()._write_app_file)

    def _write_remembered(self, part: str, memo: dict[Any, str], key: Any, write: Callable[[], None]) -> None:
        """Part ``part`` from ``memo`` when it holds ``key``; else written by xlsxwriter's ``write`` and its text
        kept under ``key`` (``None``: not kept — a workbook written through temporary files)."""
        text = memo.get(key) if key is not None else None
        if text is not None:
            self._filename(part).write(text)
            return
        write()
        written = self.filenames[-1][0]
        if key is not None and isinstance(written, io.StringIO):
            if len(memo) >= _STYLES_MAX:
                memo.clear()
            memo[key] = written.getvalue()

    def _write_shared_strings_file(self) -> None:
        sst = _SharedStrings()
        sst.string_table = self.workbook.str_table
        if not self.workbook.str_table.count:
            return
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()


#: what a format contributes to ``styles.xml`` besides its indices: xlsxwriter's key of the format (font,
#: border, fill, alignment, number format, protection …) and the font attributes the key leaves out
_FORMAT_EXTRAS = ("font_scheme", "hyperlink", "font_only", "color_indexed", "font_condense", "font_extend")
#: ``styles.xml`` by :func:`_styles_key`
_STYLES_XML: dict[tuple[Any, ...], str] = {}
_STYLES_MAX = 64


#: ``docProps/app.xml`` by :func:`_app_key`
_APP_XML: dict[tuple[Any, ...], str] = {}


def _app_key(packager: Packager) -> tuple[Any, ...]:
    """What xlsxwriter's ``docProps/app.xml`` depends on (``Packager._write_app_file``): each sheet's name,
    whether it is a chartsheet and whether it is very hidden, the number of chartsheets, the defined names in
    order, the document properties it writes (company, manager, hyperlink base) and whether the book is read
    only."""
    wb = packager.workbook
    props = wb.doc_properties
    return (tuple((ws.name, ws.is_chartsheet, ws.hidden == 2) for ws in wb.worksheets()), packager.chartsheet_count,
            tuple(packager.named_ranges), tuple(props.get(k) for k in ("company", "manager", "hyperlink_base")),
            "manager" in props, wb.read_only)


def _styles_key(wb: Workbook) -> tuple[Any, ...]:
    """What xlsxwriter's ``styles.xml`` of a closing workbook depends on: its XF and DXF formats in index order,
    each as xlsxwriter tells formats apart (``_get_format_key``) with the font attributes outside that key, the
    number formats, the counts of fonts, borders and fills, the palette, custom colours and comments. The
    indices of fonts, number formats, borders and fills follow from these in their order."""
    def described(formats: list[Format]) -> tuple[Any, ...]:
        return tuple((f._get_format_key(), *(getattr(f, extra, None) for extra in _FORMAT_EXTRAS)) for f in formats)

    return (described(wb.xf_formats), described(wb.dxf_formats), tuple(wb.num_formats), wb.font_count,
            wb.border_count, wb.fill_count, tuple(wb.palette), tuple(wb.custom_colors), wb.has_comments)


class _Workbook(Workbook):
    """An xlsxwriter workbook whose worksheets are :class:`_Worksheet` s and whose charts write repeated parts
    once (:class:`_RepeatedXml`)."""

    worksheet_class = _Worksheet

    def add_chart(self, options: dict[str, Any]) -> Any:
        chart = super().add_chart(options)
        return None if chart is None else _repeating(chart)

    def _get_packager(self) -> Packager:  # xlsxwriter's hook for its packager
        return _Packager()

    def _store_workbook(self) -> None:  # xlsxwriter's, with the parts deflated at kam_xl's level (zip_level)
        with deflating_at():
            super()._store_workbook()

    def define_name(self, name: str, formula: str) -> Any:
        # xlsxwriter checks a name with five regular expressions each time; whether a workbook-level name (no
        # "!") is allowed depends on the name alone, so a name it once allowed is added as xlsxwriter adds it
        if name not in _ALLOWED_NAMES:
            added = super().define_name(name, formula)
            if added == 0 and "!" not in name:
                if len(_ALLOWED_NAMES) >= _NAMES_MAX:
                    _ALLOWED_NAMES.clear()
                _ALLOWED_NAMES.add(name)
            return added
        self.defined_names.append([name, -1, formula.lstrip("=") if formula.startswith("=") else formula, False])
        return 0


    def _write_defined_names(self) -> None:
        # xlsxwriter's <definedNames> (a plan has ~240), each name one f-string instead of a tag writer escaping
        # its attributes one by one: the same text (escapes of attribute and text as xlsxwriter's)
        # — and the text made once per process per list of names (every plan of a template has the same ~240)
        if not self.defined_names:
            return
        key = tuple((name, sheet_id, sheet_range, bool(hidden)) for name, sheet_id, sheet_range, hidden
                    in self.defined_names)
        text = _NAMES_XML.get(key)
        if text is None:
            parts = ["<definedNames>"]
            for name, sheet_id, sheet_range, hidden in key:
                local = "" if sheet_id == -1 else f' localSheetId="{sheet_id}"'
                flag = ' hidden="1"' if hidden else ""
                parts.append(f'<definedName name="{self._escape_attributes(name)}"{local}{flag}>'
                             f"{_xml_text(sheet_range)}</definedName>")
            parts.append("</definedNames>")
            if len(_NAMES_XML) >= _STYLES_MAX:
                _NAMES_XML.clear()
            text = _NAMES_XML[key] = "".join(parts)
        self.fh.write(text)

    def _add_chart_data(self) -> None:
        # xlsxwriter's, with each chart range's sheet and cells parsed once per process (:func:`_chart_range`: a
        # pure function of the range's text, and a template's charts have the same ranges in every plan) —
        # xlsxwriter parses each anew within a ``warnings.catch_warnings()`` block, ≈ 1 ms of a plan's ≈ 140
        worksheets = {worksheet.name: worksheet for worksheet in self.worksheets()}
        seen: dict[str, Any] = {}
        charts = []
        for chart in self.charts:
            charts.append(chart)
            if chart.combined:
                charts.append(chart.combined)
        for chart in charts:
            for c_range, r_id in chart.formula_ids.items():
                if chart.formula_data[r_id] is not None:  # data the series was given
                    if seen.get(c_range) is None:
                        seen[c_range] = chart.formula_data[r_id]
                    continue
                if c_range in seen:
                    chart.formula_data[r_id] = seen[c_range]
                    continue
                sheetname, cells = _chart_range(self, c_range)
                if sheetname is None:
                    continue
                if sheetname.startswith("("):
                    chart.formula_data[r_id] = seen[c_range] = []
                    continue
                if sheetname not in worksheets:
                    warnings.warn(f"Unknown worksheet reference '{sheetname}' in range '{c_range}' passed to "
                                  "add_series()", stacklevel=1)
                    chart.formula_data[r_id] = seen[c_range] = []
                    continue
                chart.formula_data[r_id] = seen[c_range] = worksheets[sheetname]._get_range_data(*cells)


def _chart_range(wb: Workbook, c_range: str) -> tuple[str | None, tuple[int, ...]]:
    """xlsxwriter's ``_get_chart_range`` of ``c_range`` (``'KAOP'!$C$8:$F$8`` → the sheet's name and first row,
    first column, last row, last column; ``None`` for no range it can chart), its warnings ignored as
    xlsxwriter ignores them there — remembered per range text."""
    found = _CHART_RANGES.get(c_range)
    if found is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sheetname, cells = wb._get_chart_range(c_range)
        found = (sheetname, tuple(cells or ()))
        if len(_CHART_RANGES) >= _NAMES_MAX:
            _CHART_RANGES.clear()
        _CHART_RANGES[c_range] = found
    return found


#: a chart range's text → its sheet's name and cells (:func:`_chart_range`)
_CHART_RANGES: dict[str, tuple[str | None, tuple[int, ...]]] = {}
#: a workbook's ``<definedNames>`` element by its names (:meth:`_Workbook._write_defined_names`)
_NAMES_XML: dict[tuple[tuple[str, int, str, bool], ...], str] = {}
#: Workbook-level defined names xlsxwriter has allowed (:meth:`_Workbook.define_name`)
_ALLOWED_NAMES: set[str] = set()
_NAMES_MAX = 10_000


class _Formats:
    """Caches one xlsxwriter format per (style, input?) pair and per conditional format's properties, so a
    workbook creates each format once, not once per cell or rule."""

    def __init__(self, wb: Workbook, currency: str = "", lang: str = "de"):
        self.wb = wb
        self.symbol = currency_symbol(currency, lang)
        self.cache: dict[tuple[str, bool, bool, bool], Any] = {}
        self.conditionals: dict[tuple[tuple[str, Any], ...], Any] = {}
        self.defaults = repr(wb.default_format_properties)  # the workbook's part of a format's key, made once

    def get(self, style: str, is_input: bool, wrap: bool = False, top: bool = False) -> Any:
        """The format of ``style`` (as an input: unlocked, yellow); ``wrap`` makes its text wrap in the cell,
        ``top`` aligns it at the top (in a row of several lines every cell starts on the first line)."""
        key = (style, is_input, wrap, top)
        if key not in self.cache:
            self.cache[key] = _add_format(self.wb, *_style_props(style, is_input, wrap, top, self.symbol),
                                          self.defaults)
        return self.cache[key]

    def conditional(self, props: dict[str, Any]) -> Any:
        """The format of a conditional format's properties, one per distinct set of properties (a plan's 37
        conditional formats use 8)."""
        key = tuple(sorted(props.items()))
        found = self.conditionals.get(key)
        if found is None:
            found = self.conditionals[key] = _add_format(self.wb, props, None, self.defaults)
        return found


@functools.lru_cache(maxsize=1024)
def _style_props(style: str, is_input: bool, wrap: bool, top: bool, symbol: str) -> tuple[dict[str, Any], str]:
    """The xlsxwriter properties of a style (:data:`_BASE`; amounts in currency ``symbol``) as an input, wrapping,
    aligned at the top, and their key for :func:`_add_format` — made once per process (~60 formats a plan). The
    dict is shared: never change it."""
    props = dict(_BASE[style])
    if style in MONEY_DECIMALS:
        props["num_format"] = money_format(symbol, MONEY_DECIMALS[style],
                                           lower_is_better=style in LOWER_IS_BETTER_STYLES,
                                           signed=style in SIGNED_STYLES)
    if is_input:
        props.update(_INPUT_EXTRA)
    if wrap:
        props["text_wrap"] = True
    if top:
        props["valign"] = "top"
    return props, repr(sorted(props.items()))


#: One xlsxwriter format per distinct set of properties (and workbook defaults), never added to a workbook
_PROTOTYPES: dict[tuple[str, str], Format] = {}


class _KeyedFormat(Format):
    """A format prototype of :func:`_add_format` (and its copies) with its font and border keys made once, when
    the prototype is: xlsxwriter makes them anew for every format of every workbook it closes (``_prepare_fonts``,
    ``_prepare_borders``: ~25 properties joined as text each), and nothing changes a format's font or border
    once it is made (xlsxwriter adjusts only its fill when closing)."""

    font_key = ""
    border_key = ""

    def _get_font_key(self) -> str:
        return self.font_key or super()._get_font_key()

    def _get_border_key(self) -> str:
        return self.border_key or super()._get_border_key()


def _add_format(wb: Workbook, props: dict[str, Any], props_key: str | None = None, defaults: str | None = None
                ) -> Format:
    """``wb.add_format(props)``, as a copy of a format made once per process: xlsxwriter parses every property
    (colours, borders …) anew for each workbook, ~60 formats per plan. A new format refers to nothing but its
    properties and the workbook's two index tables (given here), and gets its indices when the workbook is
    closed, so a shallow copy is the format ``add_format`` makes. ``props_key`` and ``defaults``: the ``repr`` of
    the sorted properties and of the workbook's default properties, when known already."""
    key = (repr(sorted(props.items())) if props_key is None else props_key,
           repr(wb.default_format_properties) if defaults is None else defaults)
    prototype = _PROTOTYPES.get(key)
    if prototype is None:
        if len(_PROTOTYPES) >= _PREPARED_MAX:
            _PROTOTYPES.clear()
        prototype = _KeyedFormat({**wb.default_format_properties, **props})
        # its key (how xlsxwriter tells formats apart: ~50 properties joined as text, ≈ 12 µs) made here once, so
        # that every copy carries it: xlsxwriter makes it on a format's first index, before anything may change
        # the format (its fills are adjusted only later, in ``_prepare_fills``), and nothing here changes one
        prototype._get_format_key()
        prototype.font_key, prototype.border_key = Format._get_font_key(prototype), Format._get_border_key(prototype)
        _PROTOTYPES[key] = prototype  # complete before another thread (the controller's) may copy it
    made = copy.copy(prototype)
    made.xf_format_indices = wb.xf_format_indices
    made.dxf_format_indices = wb.dxf_format_indices
    wb.formats.append(made)
    return made


def _input_key(inp: Input) -> tuple[Any, ...]:
    """An input rule as a key of the validation it makes: the rule (equal rules are equal keys) with the types of
    its numbers and flag, which ``==`` does not tell apart (``1 == 1.0 == True``) but the written XML may."""
    return (inp, type(inp.minimum), type(inp.maximum), type(inp.required))


def _validation(inp: Input) -> dict[str, Any]:
    """xlsxwriter data-validation options for an input."""
    v: dict[str, Any]
    if inp.kind in ("list",):
        source: Any = inp.choices_source or list(inp.choices)
        v = {"validate": "list", "source": source}
    elif inp.kind == "text":
        v = {"validate": "length", "criteria": "<=", "value": TEXT_MAX_CHARS}
    elif inp.kind == "date":
        v = {"validate": "date", "criteria": "between", "minimum": date(1900, 1, 1), "maximum": date(9999, 12, 31)}
    elif inp.kind == "integer":
        v = {"validate": "integer", "criteria": "between", "minimum": int(inp.minimum or 0),
             "maximum": int(inp.maximum if inp.maximum is not None else 2**31 - 1)}
    else:
        low, high = inp.bounds
        v = {"validate": "decimal", "criteria": "between", "minimum": low, "maximum": high}
    v["ignore_blank"] = not inp.required
    if inp.message:
        v["input_title"] = inp.title[:32]
        v["input_message"] = inp.message[:255]
        v["error_title"] = (inp.title or "Eingabe")[:32]
        v["error_message"] = inp.message[:255]
        v["error_type"] = "stop"
    return v


def _validation_runs(sheet: Sheet) -> list[tuple[Input, tuple[int, int, int, int]]]:
    """One data validation per vertical run of cells with the same input rule (instead of one per cell):
    far fewer validation records for Excel to load, the same rule on every cell."""
    cells = sorted((c for c in sheet.cells if c.input is not None), key=_col_row)  # by column, then row
    runs: list[tuple[Input, tuple[int, int, int, int]]] = []
    rule: Input | None = None  # the run being extended: its rule, column, first and last row
    col = first = last = -1
    for c in cells:
        # the positions first: comparing two rules field by field is the dear part, and a layout gives the
        # cells of one rule the same Input object
        if col == c.col and last + 1 == c.row and (rule is c.input or rule == c.input):
            last = c.row
            continue
        if rule is not None:
            runs.append((rule, (first, col, last, col)))
        rule, col, first, last = c.input, c.col, c.row, c.row
    if rule is not None:
        runs.append((rule, (first, col, last, col)))
    return runs


_col_row = operator.attrgetter("col", "row")  # a cell's (column, row)


def _validations(sheet: Sheet) -> list[tuple[Input, list[tuple[int, int, int, int]]]]:
    """One data validation per distinct input rule of a sheet, over all its runs of cells (one ``sqref``
    with several ranges): every input keeps its rule and message, with a third of the validation records
    of one per run (a plan's KAOP sheet has 87 runs of 29 rules)."""
    grouped: dict[Input, list[tuple[int, int, int, int]]] = {}
    # a rule object's list of ranges looked up by its id once it was grouped: a rule is hashed field by field
    # (its choices too) once per object instead of once per run — a layout gives the cells of a rule one object
    by_object: dict[int, list[tuple[int, int, int, int]]] = {}
    for inp, box in _validation_runs(sheet):
        boxes = by_object.get(id(inp))
        if boxes is None:
            boxes = by_object[id(inp)] = grouped.setdefault(inp, [])
        boxes.append(box)
    return list(grouped.items())


def _write_error(ws: Worksheet, row: int, col: int, error: CellError, fmt: Any) -> None:
    """An input cell as the KAM left it (regeneration): its formula with the error value as cached result
    (xlsxwriter marks the seven classic codes ``t="e"``, so a reader that does not calculate sees the error),
    or for an error typed as a value the error literal as formula (``=#N/A`` — the same error value). A
    formula saved without its result, or with a newer code, is written without a result (:data:`NO_RESULT`):
    the application calculates it on opening (xlsxwriter sets ``fullCalcOnLoad``)."""
    formula = error.formula or (error.code if error.code in XLSX_ERROR_LITERALS else None)
    if formula is None:
        ws.write_blank(row, col, None, fmt)
        return
    ws.write_formula(row, col, "=" + formula, fmt, error.code if error.code in XLSX_ERROR_LITERALS else NO_RESULT)


_LARGEST_FLOAT = sys.float_info.max


def _write_cell_checked(ws: Worksheet, cell: Cell, fmt: Any) -> None:
    # xlsxwriter's undecorated writers: row and column are numbers, no A1 reference to convert
    value = cell.value
    if cell.formula is not None:
        cached = cell.cached
        if cached is None:
            cached = ""
        elif isinstance(cached, bool):
            cached = "TRUE" if cached else "FALSE"
        ws._write_formula(cell.row, cell.col, cell.formula, fmt, cached)
    elif value is None:
        ws._write_blank(cell.row, cell.col, None, fmt)
    elif type(value) is str:
        ws._write_string(cell.row, cell.col, value, fmt)  # never a formula, whatever it begins with
    elif isinstance(value, bool):
        ws._write_boolean(cell.row, cell.col, value, fmt)
    elif isinstance(value, int | float):
        ws._write_number(cell.row, cell.col, value, fmt)
    elif isinstance(value, CellError):
        _write_error(ws, cell.row, cell.col, value, fmt)
    elif isinstance(value, date):  # a date is a date (a serial number shown as a date), never text
        ws._write_datetime(cell.row, cell.col, value, fmt)
    else:
        ws._write_string(cell.row, cell.col, str(value), fmt)


def _produced_rows(sheet: Sheet) -> Iterator[list[Cell]]:
    """The rows :attr:`Sheet.rows` produces, each a list of its cells as produced; raises :class:`ValueError` for
    a sheet that is not streamed or an input among them (its validation is made from :attr:`Sheet.cells`)."""
    if not sheet.streamed or sheet.rows is None:
        raise ValueError(f"sheet {sheet.name!r}: cells produced on demand need a streamed sheet")
    for _, group in itertools.groupby(sheet.rows(), key=_row_of):
        row = list(group)
        if any(map(_input_of, row)):
            cell = next(c for c in row if c.input is not None)
            raise ValueError(f"sheet {sheet.name!r}, cell {cell.address}: an input cell must be in Sheet.cells")
        yield row


def _rows(held: list[Cell], sheet: Sheet) -> Iterator[list[Cell]]:
    """The cells of a sheet row by row, each row sorted by column: those it holds (``held``, sorted by row and
    column) and, with :attr:`Sheet.rows`, those it produces, merged — the order of the same cells held and sorted
    (held before produced in one place), so that the file is the same byte for byte; raises
    :class:`ValueError` as :func:`_produced_rows` does and for produced rows that are not in row order, naming
    the cell that comes too late."""
    held_rows = (list(group) for _, group in itertools.groupby(held, key=_row_of))
    if sheet.rows is None:
        yield from held_rows
        return
    mine = next(held_rows, None)
    last = -1
    for row in _produced_rows(sheet):
        at = row[0].row
        if at < last:
            raise ValueError(f"cell {row[0].address} comes after row {last + 1}: a streamed sheet's cells must be in "
                             "row order")
        last = at
        while mine is not None and mine[0].row < at:
            yield mine
            mine = next(held_rows, None)
        if mine is not None and mine[0].row == at:
            row = mine + row
            mine = next(held_rows, None)
        row.sort(key=_col_of)  # stable: the held cell before a produced one in the same place
        yield row
    while mine is not None:
        yield mine
        mine = next(held_rows, None)


def _plan_sheet(held: list[Cell], sheet: Sheet, spool: IO[bytes] | None = None) -> Sheet:
    """A sheet as its page plan sees it: with :attr:`Sheet.rows`, the cells that decide the plan
    (:func:`plan_rows`), held. How it prints does not depend on how its rows are written: a printed streamed
    sheet's texts are fitted to its pages (``streamed=False`` for :func:`page_plan`) as a usual sheet's are.
    ``spool``: a binary file that every row (:func:`_rows`) goes into as it passes (:func:`_spooled_rows`), so
    that the writer reads them back (:func:`_replayed_rows`) instead of producing them a second time."""
    if sheet.rows is None:
        return dataclasses.replace(sheet, streamed=False) if sheet.streamed and sheet.print.printed else sheet
    runs = dict(sheet.widths) if sheet.print.printed else None
    rows = _rows(held, sheet) if spool is None else _spooled_rows(_rows(held, sheet), spool)
    return dataclasses.replace(sheet, cells=plan_rows(rows, runs, sheet.widths, sheet.heights),
                               rows=None,
                               streamed=sheet.streamed and not sheet.print.printed)


#: A cell as a tuple of its fields in :class:`Cell`'s order — what a spooled row holds of each cell (every field,
#: taken from the class: a field added to it is spooled too)
_cell_fields = operator.attrgetter(*(f.name for f in dataclasses.fields(Cell)))
#: rows pickled into a spool at once (a few KiB): a batch of 512 rows' cell tuples, made or read at once, set off
#: the cyclic collector three times as often as producing the rows does (1,000 accounts); 32 rows do not
SPOOL_BATCH_ROWS = 32


def _spooled_rows(rows: Iterable[list[Cell]], spool: IO[bytes]) -> Iterator[list[Cell]]:
    """``rows`` as they come, each also pickled into ``spool`` (as tuples of its cells' fields, a batch of
    :data:`SPOOL_BATCH_ROWS` rows at a time, the last batch once ``rows`` ends): producing a controller sheet's
    rows costs ≈ 3 times reading them back (:func:`_replayed_rows`), and the file keeps memory flat."""
    batch: list[list[tuple[Any, ...]]] = []
    for row in rows:
        batch.append(list(map(_cell_fields, row)))
        if len(batch) >= SPOOL_BATCH_ROWS:
            pickle.dump(batch, spool, pickle.HIGHEST_PROTOCOL)
            batch = []
        yield row
    if batch:
        pickle.dump(batch, spool, pickle.HIGHEST_PROTOCOL)


def _replayed_rows(spool: IO[bytes]) -> Iterator[list[Cell]]:
    """The rows :func:`_spooled_rows` put into ``spool``, read from its start: the same cells, field by field
    (values of every type as they were: pickled), in the same order."""
    spool.seek(0)
    while True:
        try:
            batch = pickle.load(spool)
        except EOFError:
            return
        for row in batch:
            yield list(itertools.starmap(Cell, row))


_row_of = operator.attrgetter("row")
_col_of = operator.attrgetter("col")
_input_of = operator.attrgetter("input")


def _position(cell: Cell) -> tuple[int, int]:
    return cell.row, cell.col


def _put_cells(wb: Workbook, ws: Worksheet, fmts: _Formats, sheet: Sheet, plan: PagePlan,
               cells: Iterable[Cell]) -> None:
    """Write cells one by one, each with its format as the page plan has it (moved, merged over its neighbours,
    wrapped, at the top of its row), and its defined name."""
    # a usual sheet's formula (of xlsxwriter's usual kind) with its cached result, text of up to 16,383 characters
    # (added to the shared strings), finite number or blank with a format within the sheet is stored in its table as
    # xlsxwriter's writers store it after their checks, here in the loop (a call and a dozen lookups less a cell,
    # ≈ 1 ms of ≈ 3,000 cells a plan), and the sheet's dimensions widened once to the cells stored so; any other
    # cell goes through xlsxwriter's writers (:func:`_write_cell_checked`)
    moves, merges, wrap, top_rows, made = plan.moves, plan.merges, plan.wrap, plan.top_rows, fmts.cache
    usual = ws.__class__ is _Worksheet and not ws.constant_memory and bool(_FAST_CELLS) and _CellNumberTuple is not None
    table, formula_text, shared = ws.table, ws._formula_text, ws.str_table._get_shared_string_index
    text_max, rows_max, cols_max = ws.xls_strmax // 2, ws.xls_rowmax, ws.xls_colmax
    low_row = low_col = rows_max
    high_row = high_col = -1
    # the rows the page plan moves, merges or wraps a cell in: a cell of any other row is looked up by its row
    # alone (most of a plan's ≈ 3,000 cells), not by its (row, column) in each of them
    move_rows, special_rows = {r for r, _ in moves}, {r for r, _ in merges} | {r for r, _ in wrap}
    for cell in cells:
        value = cell.value
        if isinstance(value, date) and cell.style != "date":
            cell = dataclasses.replace(cell, style="date")
        row, col = cell.row, cell.col
        if row in move_rows and (row, col) in moves:  # a long title in the repeated key columns prints beside them
            col = moves[(row, col)]
            cell = dataclasses.replace(cell, col=col)
        end, wrapped = None, False
        if row in special_rows:
            at = (row, col)
            end = merges.get(at)
            wrapped = end is not None or at in wrap
        key = (cell.style, cell.input is not None, wrapped, row in top_rows)
        fmt = made.get(key) or fmts.get(*key)
        if end is not None:  # a long text wraps over the empty cells beside it, within its page
            ws.merge_range(row, col, row, end, "", fmt)
        entry = None
        if usual and 0 <= row < rows_max and 0 <= col < cols_max:
            if cell.formula is not None:
                prepared = formula_text(cell.formula)
                if prepared is not None:
                    cached = cell.cached
                    if cached is None:
                        cached = ""
                    elif isinstance(cached, bool):
                        cached = "TRUE" if cached else "FALSE"
                    entry = _CellFormulaTuple(prepared, fmt, cached)
            elif (kind := type(value)) is str:
                entry = _CellStringTuple(shared(value), fmt) if len(value) <= text_max else None
            elif kind is float:
                entry = _CellNumberTuple(value, fmt) if math.isfinite(value) else None
            elif kind is int:
                entry = _CellNumberTuple(value, fmt) if -_LARGEST_FLOAT <= value <= _LARGEST_FLOAT else None
            elif value is None and fmt is not None:
                entry = _CellBlankTuple(fmt)
        if entry is None:
            _write_cell_checked(ws, cell, fmt)
        else:
            table[row][col] = entry
            if row < low_row:
                low_row = row
            if row > high_row:
                high_row = row
            if col < low_col:
                low_col = col
            if col > high_col:
                high_col = col
        if cell.name:
            wb.define_name(cell.name, f"={sheet.ref(row, col)}")
    if high_row >= 0:
        _widen_dimensions(ws, low_row, high_row, low_col, high_col)


def _widen_dimensions(ws: Worksheet, low_row: int, high_row: int, low_col: int, high_col: int) -> None:
    """Widen ``ws``'s dimensions (xlsxwriter's ``dim_rowmin`` … ``dim_colmax``) to take in the rows ``low_row`` to
    ``high_row`` and the columns ``low_col`` to ``high_col`` (0-based), as its ``_check_dimensions`` does."""
    if ws.dim_rowmin is None or low_row < ws.dim_rowmin:
        ws.dim_rowmin = low_row
    if ws.dim_rowmax is None or high_row > ws.dim_rowmax:
        ws.dim_rowmax = high_row
    if ws.dim_colmin is None or low_col < ws.dim_colmin:
        ws.dim_colmin = low_col
    if ws.dim_colmax is None or high_col > ws.dim_colmax:
        ws.dim_colmax = high_col


def _write_streamed(wb: Workbook, ws: _StreamedWorksheet, fmts: _Formats, sheet: Sheet, plan: PagePlan,
                    rows: Iterator[list[Cell]]) -> None:
    """Write a streamed sheet's rows (:func:`_rows`): each a row at a time (:meth:`_StreamedWorksheet.write_row`)
    unless a cell of it is moved or merged by the page plan or of a kind left to xlsxwriter — then cell by cell
    (:func:`_put_cells`)."""
    special = {r for r, _ in plan.moves} | {r for r, _ in plan.merges}
    wrap, top_rows, made = plan.wrap, plan.top_rows, fmts.cache
    by_style: tuple[dict[str, Any], dict[str, Any]] = ({}, {})  # style → format of a plain cell, per top or not
    for row in rows:
        at = row[0].row
        if at in special:
            _put_cells(wb, ws, fmts, sheet, plan, row)
            continue
        top = at in top_rows
        styles = by_style[top]
        formats = [styles.get(c.style) for c in row]  # a cell neither an input nor wrapped: by its style
        if wrap or None in formats or any(map(_input_of, row)):
            formats = []
            for cell in row:
                key = (cell.style, cell.input is not None, (at, cell.col) in wrap, top)
                fmt = made.get(key) or fmts.get(*key)
                if not key[1] and not key[2]:
                    styles[cell.style] = fmt
                formats.append(fmt)
        if not ws.write_row(at, row, formats):
            _put_cells(wb, ws, fmts, sheet, plan, row)
            continue
        for cell in row:
            if cell.name:
                wb.define_name(cell.name, f"={sheet.ref(cell.row, cell.col)}")


def _add_series(chart: Any, series: Iterable[dict[str, Any]]) -> None:
    """Add ``series`` to ``chart``. Series sharing one data-labels dict (the Buying-Center-Map's 45 series label
    the same members) have it processed by its ``repr`` made once: the chart (:class:`_RepeatedXml`) is told
    the ``repr`` of each labels dict by its ``id`` for the time of this loop alone, in which nothing changes them
    (xlsxwriter processes a deep copy)."""
    series = list(series)
    keys = {id(labels): repr(labels) for s in series if (labels := s.get("data_labels"))}
    chart.__dict__["_labels_keys"] = keys if isinstance(chart, _RepeatedXml) else None
    try:
        for options in series:
            chart.add_series(dict(options))
    finally:
        chart.__dict__["_labels_keys"] = None


def _column_runs(widths: dict[int, float], layout: dict[int, float]) -> list[tuple[int, int, float, bool]]:
    """The columns of ``widths`` (column → width, the page plan's) as runs of neighbours of the same width and
    hiddenness (width 0 in the ``layout``: a helper column), each (first, last, width, hidden): set with one
    call a run, they get what one call a column gives them (xlsxwriter keeps each column's own entry and writes
    neighbours alike as one ``<col>`` either way) — a plan's Buying-Center-Map has 45 hidden columns side by side."""
    runs: list[tuple[int, int, float, bool]] = []
    for col, width in sorted(widths.items()):
        hidden = layout.get(col) == 0
        if runs and runs[-1][1] == col - 1 and runs[-1][2] == width and runs[-1][3] == hidden:
            runs[-1] = (runs[-1][0], col, width, hidden)
        else:
            runs.append((col, col, width, hidden))
    return runs


def _write_sheet_cells(wb: Workbook, ws: Worksheet, fmts: _Formats, sheet: Sheet, plan: PagePlan,
                       held: list[Cell], spool: IO[bytes] | None) -> None:
    """The columns, row heights and cells of ``sheet`` as ``plan`` has them: a streamed sheet's rows one at a time
    — those it produces read back from ``spool`` (:func:`_replayed_rows`, in place of :attr:`Sheet.rows`)."""
    for first, last, width, hidden in _column_runs(plan.widths, sheet.widths):
        ws.set_column(first, last, 0 if hidden else width, None, {"hidden": True} if hidden else None)
    for row, height in sorted(plan.heights.items()):
        ws.set_row(row, height)
    if isinstance(ws, _StreamedWorksheet):
        _write_streamed(wb, ws, fmts, sheet, plan, _rows(held, sheet) if spool is None else _replayed_rows(spool))
    else:
        _put_cells(wb, ws, fmts, sheet, plan, held)


def _write_sheet(wb: Workbook, fmts: _Formats, sheet: Sheet, book: Book) -> None:
    ws = wb.add_worksheet(sheet.name, worksheet_class=_StreamedWorksheet if sheet.streamed else None)
    held = sheet.cells
    if sheet.rows is not None or (sheet.streamed and any(a.row > b.row for a, b in itertools.pairwise(held))):
        held = sorted(held, key=_position)  # constant-memory mode writes rows in order
    with contextlib.ExitStack() as closing:
        # the rows produced on demand: produced once, for the page plan, and read back from a file to be written
        spool = None if sheet.rows is None else closing.enter_context(tempfile.TemporaryFile())
        plan = page_plan(_plan_sheet(held, sheet, spool))
        _write_sheet_cells(wb, ws, fmts, sheet, plan, held, spool)
    for inp, boxes in _validations(sheet):
        ws.input_validation(inp, boxes)
    for name, (r0, c0, r1, c1) in sheet.ranges.items():
        wb.define_name(name, f"={sheet.ref(r0, c0, r1, c1)}")
    for cf in sheet.conditionals:
        options = dict(cf.options)
        if "format" in options and isinstance(options["format"], dict):
            options["format"] = fmts.conditional(options["format"])
        ws.conditional_format(cf.first_row, cf.first_col, cf.last_row, cf.last_col, options)
    for ch in sheet.charts:
        chart = wb.add_chart({"type": ch.kind, **({"subtype": ch.subtype} if ch.subtype else {})})
        _add_series(chart, ch.series)
        chart.set_title({"name": ch.title})
        for key, value in ch.options.items():
            if key == "show_hidden_data":  # plot cells of hidden columns too (helper columns of a chart)
                if value:
                    chart.show_hidden_data()
                continue
            getattr(chart, f"set_{key}")(value)
        chart.set_size({"width": ch.size[0], "height": ch.size[1]})
        ws.insert_chart(ch.anchor[0], ch.anchor[1], chart)
    for sp in sheet.sparklines:
        ws.add_sparkline(sp.row, sp.col, {"range": sp.range, "type": sp.kind, **sp.options})
    for b in sheet.buttons:
        ws.insert_button(b.row, b.col, {"macro": b.macro, "caption": b.caption, "width": b.width,
                                        "height": b.height})
    if sheet.freeze:
        ws.freeze_panes(*sheet.freeze)
    _page_setup(ws, sheet, plan, book)
    if sheet.protect:
        ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                        "select_unlocked_cells": True})
    if sheet.hidden or not sheet.print.printed:
        ws.hide()
    elif sheet.name == book.active:
        ws.activate()


def _header_text(text: str) -> str:
    """Text for a header or footer section: ``&`` doubled (a code character there), at most 60 characters."""
    return text[:60].replace("&", "&&")


def _page_setup(ws: Worksheet, sheet: Sheet, plan: PagePlan, book: Book) -> None:
    """A4 in the sheet's orientation, fit to :attr:`PagePlan.pages_wide` pages wide, print titles, row breaks,
    print area; header: the book's title (account or respondent), the sheet, the generation date; footer:
    "Seite x von y"."""
    ws.set_paper(9)
    if sheet.print.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    if sheet.one_page:
        ws.fit_to_pages(1, 1)  # exactly one page (the cockpit: its layout is made to fit at a legible size)
    else:
        ws.set_print_scale(plan.scale)  # a scale, not a fit: every application paginates the same, never below 70 %
    if plan.pages_wide > 1:
        ws.print_across()  # the right-hand part of a wide table follows its left-hand part
    lr, tb, hf = MARGINS_INCH
    ws.set_margins(left=lr, right=lr, top=tb, bottom=tb)
    if plan.repeat_rows is not None:
        ws.repeat_rows(*plan.repeat_rows)
    if plan.repeat_cols is not None:
        ws.repeat_columns(*plan.repeat_cols)
    if plan.breaks:
        ws.set_h_pagebreaks(list(plan.breaks))
    if plan.col_breaks:
        ws.set_v_pagebreaks(list(plan.col_breaks))
    if sheet.print.area is not None:
        ws.print_area(*sheet.print.area)
    title = _header_text(book.meta.get("title", ""))
    ws.set_header(f"&L{title}&C&A&R{_header_text(generation_date(book))}", {"margin": hf})
    ws.set_footer("&C" + pick(book.lang, "Seite &P von &N", "Page &P of &N"), {"margin": hf})


def generation_date(book: Book) -> str:
    """The book's generation date as its language writes it (``30.11.2026``, ``30 Nov 2026``); empty when the
    book has none."""
    when = book.meta.get("generated_at")
    if not when:
        return ""
    return pick(book.lang, "erstellt ", "generated ") + written_date(when, book.lang)


def written_date(when: str, lang: Literal["de", "en"]) -> str:
    """The day of an ISO date or date-time as ``lang`` writes it: ``30.11.2026``, ``30 Nov 2026``
    (:func:`~kam_xl.workbook.printing.written_day`)."""
    return written_day(datetime.fromisoformat(when).date(), lang)


def _write_meta(wb: Workbook, book: Book) -> None:
    ws = wb.add_worksheet(META_SHEET)
    meta = {"template_id": book.template_id, "template_version": book.template_version, "lang": book.lang,
            **book.meta}
    for i, (key, value) in enumerate(meta.items()):
        ws.write_string(i, 0, key)
        ws.write_string(i, 1, str(value))
        wb.define_name(f"meta_{key}", f"='{META_SHEET}'!$B${i + 1}")
    ws.protect("")
    ws.hide()


def _write_xlwings_conf(wb: Workbook, book: Book) -> None:
    """The ``xlwings.conf`` sheet as classic xlwings reads it: keys from A1 down in column A, values in B, no
    blank row in between (both xlwings' Python and VBA readers stop at the first empty cell in A)."""
    if not book.xlwings_conf:
        return
    ws = wb.add_worksheet(XLWINGS_CONF_SHEET)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 12)
    ws.set_column(3, 3, 90)
    for i, (key, value) in enumerate(book.xlwings_conf):
        ws.write_string(i, 0, key)
        ws.write_string(i, 1, value)
    ws.write_string(0, 3, pick(book.lang, "Einstellungen für klassisches xlwings (Add-in oder VBA-Modul): "
                                          "Schlüssel ab A1 in Spalte A, Wert in Spalte B, ohne Leerzeile.",
                               "Settings for classic xlwings (add-in or VBA module): keys from A1 down in "
                               "column A, values in column B, no blank row."))
    ws.write_string(1, 3, pick(book.lang, "UDF Modules: das Python-Modul mit den kam_xl-Excel-Funktionen und "
                                          "-Makros, die \"Import Functions\" einbindet.",
                               "UDF Modules: the Python module with kam_xl's Excel functions and macros that "
                               "\"Import Functions\" wraps."))
    ws.protect("")
    ws.hide()


def write_book(book: Book, path: str | Path) -> Path:
    """Write ``book`` to ``path`` atomically and return the path (.xlsx; .xlsm for a book with a VBA
    project — Excel refuses a macro-enabled workbook under the .xlsx extension, and the reverse)."""
    suffix = Path(path).suffix.lower()
    if (book.vba_project is not None) != (suffix == ".xlsm"):
        raise ValueError(f"{Path(path).name}: a workbook {'with' if book.vba_project else 'without'} macros "
                         f"— allowed extension: {'.xlsm' if book.vba_project else '.xlsx'}")

    def write(tmp: Path) -> None:
        wb = fill_workbook(book, str(tmp))
        wb.close()
        _let_go(wb)

    return write_atomic(path, write)


def _let_go(wb: Workbook) -> None:
    """Empty a closed workbook's objects: they refer to each other (a worksheet holds its workbook's ``add_format``,
    the workbook its worksheets and charts), so a plan's ~6,000 of them (its cells as stored, rows, formats …) were
    left for the cyclic collector to find and free after every plan; emptied, reference counting frees them."""
    for ws in wb.worksheets():
        ws.__dict__.clear()
    for chart in wb.charts:
        chart.__dict__.clear()
    wb.__dict__.clear()


def fill_workbook(book: Book, output: str | IO[bytes]) -> Workbook:
    """An xlsxwriter workbook with everything of ``book`` added, not yet closed: ``close()`` assembles the XML
    and writes ``output`` (a file name or a binary file object). :func:`write_book` is this plus the atomic
    write; the benchmarks time the two steps apart. A book whose sheets are laid out on demand
    (:attr:`~kam_xl.workbook.layout.Book.on_demand`, the controller of many accounts) has them laid out here one
    at a time, each let go once written (the function laying them out says how far it is)."""
    # in_memory: xlsxwriter assembles the parts in memory instead of ~24 temporary files per workbook — except
    # a book with sheets or cells produced on demand (the controller of many accounts): its parts go through files
    in_memory = book.on_demand is None and all(s.rows is None for s in book.sheets)
    wb = _Workbook(output, {"strings_to_formulas": False, "strings_to_numbers": False,
                            "strings_to_urls": False, "in_memory": in_memory})
    props: dict[str, Any] = {"title": book.meta.get("title", book.template_id), "company": "kam_xl",
                             "comments": f"{book.template_id} {book.template_version}"}
    if book.meta.get("generated_at"):  # the file's creation date is the generation time: reproducible builds
        props["created"] = datetime.fromisoformat(book.meta["generated_at"])
    wb.set_properties(props)
    if book.vba_project is not None:
        wb.add_vba_project(io.BytesIO(book.vba_project), is_stream=True)  # type: ignore[arg-type]
    fmts = _Formats(wb, book.currency, book.lang)
    for sheet in book.sheets:
        _write_sheet(wb, fmts, sheet, book)
    if book.on_demand is not None:
        for sheet in book.on_demand():  # each let go once written, before the next one is laid out
            _write_sheet(wb, fmts, sheet, book)
            del sheet
    _write_meta(wb, book)
    _write_xlwings_conf(wb, book)
    return wb
