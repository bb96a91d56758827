"""Custom-function request bodies as Excel's Office.js client sends them to xlwings Server.

For ``=KAM.KAM_KGB_CARD(A2:A4; B2:B4; C1:D1; C2:D4)`` Excel hands the add-in's JavaScript each argument as a 2-D
array (``dimensionality: matrix`` in the metadata), and the client posts (``kam_xl/addin/static/functions.js``,
the same fields as xlwings Server's own client)::

    {"client": "Office.js", "func_name": "kam_kgb_card",
     "args": [[["Preis"], ["Service"]], [[40], [60]], [["Wir", "Die"]], [[80, 60], [70, 90]], null],
     "caller_address": "[Kgb.xlsx]Karte!H3", "culture_info_name": "de-DE", "date_format": "TT.MM.JJJJ",
     "version": "<xlwings version>", "runtime": "1.4"}

What the cells turn into (the builders here do the same):

* numbers as JSON numbers, text as text, TRUE/FALSE as booleans;
* an empty cell as ``""`` (xlwings also takes ``null``, which some Excel versions send) — :data:`EMPTY`;
* a date cell as its serial number: custom functions get no number format, so 01.01.2026 is ``46023``;
* an error cell as an error object (the metadata allows errors for ``any``):
  ``{"type": "Error", "basicValue": "#DIV/0!", "errorType": "Div0"}``;
* an omitted optional argument as ``null`` — :data:`OMITTED`;
* ``culture_info_name`` and ``date_format`` are Excel's regional settings; a German Excel reports its short
  date pattern in German letters, ``TT.MM.JJJJ``.

>>> column([40, None])
[[40], ['']]
>>> cell(dt.date(2026, 1, 1))
46023.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import xlwings

#: An empty cell as Office.js passes it inside a range.
EMPTY = ""
#: An optional argument left out of the formula.
OMITTED = None
#: Office.js error types of Excel's error values (CustomFunctions ErrorCode names).
ERROR_TYPES = {
    "#DIV/0!": "Div0",
    "#N/A": "NotAvailable",
    "#NAME?": "Name",
    "#NULL!": "Null",
    "#NUM!": "Num",
    "#REF!": "Ref",
    "#VALUE!": "Value",
}
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def serial(value: dt.date | dt.datetime) -> float:
    """Excel's serial number of a date (days since 30.12.1899; the time as the fraction)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return (value - _EXCEL_EPOCH).total_seconds() / 86400


def cell(value: Any) -> Any:
    """One cell as Office.js passes it: ``None`` → empty, a date → its serial number, ``"#DIV/0!"`` (any
    Excel error text) → an error object, everything else as it is."""
    if value is None:
        return EMPTY
    if isinstance(value, dt.date):
        return serial(value)
    if isinstance(value, str) and value in ERROR_TYPES:
        return {"type": "Error", "basicValue": value, "errorType": ERROR_TYPES[value]}
    return value


def block(rows: Iterable[Iterable[Any]]) -> list[list[Any]]:
    """A range of several rows and columns."""
    return [[cell(v) for v in row] for row in rows]


def column(values: Iterable[Any]) -> list[list[Any]]:
    """A one-column range (e.g. ``A2:A4``)."""
    return [[cell(v)] for v in values]


def row(values: Iterable[Any]) -> list[list[Any]]:
    """A one-row range (e.g. ``C1:D1``)."""
    return [[cell(v) for v in values]]


def scalar(value: Any) -> list[list[Any]]:
    """A single cell or a literal in the formula (``=KAM.KAM_PORTFOLIO_BAND(0,12)`` passes ``[[0.12]]``)."""
    return [[cell(value)]]


def function_call(func_name: str, *args: Any, culture: str = "de-DE", date_format: str = "TT.MM.JJJJ",
                  address: str = "Karte!H3", workbook: str = "Kgb.xlsx", runtime: str = "1.4") -> dict[str, Any]:
    """The body the Office.js client posts to ``/xlwings/custom-functions-call`` for one formula.

    ``args`` are already in wire form (:func:`column`, :func:`row`, :func:`block`, :func:`scalar`, or
    :data:`OMITTED`). Defaults: a German Excel 365 (custom functions runtime 1.4) calling from ``Karte!H3``.
    """
    return {
        "client": "Office.js",
        "func_name": func_name,
        "args": list(args),
        "caller_address": f"[{workbook}]{address}",
        "culture_info_name": culture,
        "date_format": date_format,
        "version": xlwings.__version__,
        "runtime": runtime,
    }
