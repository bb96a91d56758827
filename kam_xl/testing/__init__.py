"""Test support: what the tests and benchmarks need and the product does not — calling an Excel function as
classic xlwings calls it through COM (:func:`call_classic`, with COM's values for error cells, dates and omitted
arguments), and recalculating workbooks with LibreOffice (:mod:`kam_xl.testing.recalc`).

>>> from kam_xl.addin.runtime import load_udfs
>>> udfs = load_udfs("classic")
>>> call_classic(udfs.kam_portfolio_band, 0.12)  # what Excel receives: a 1 × 1 array
[['high']]
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from kam_xl.addin.runtime import _install_windows_stand_ins, classic_xlwings

__all__ = ["COM_ERRORS", "VBA_MISSING", "call_classic", "com_date"]

#: What VBA passes for an omitted optional argument (DISP_E_PARAMNOTFOUND), as xlwings' ``call_udf`` sees it.
VBA_MISSING = -2147352572
#: Excel's error values as COM hands them to Python (xlwings.constants / _xlwindows.cell_errors).
COM_ERRORS = {
    "#DIV/0!": -2146826281,
    "#N/A": -2146826246,
    "#NAME?": -2146826259,
    "#NULL!": -2146826288,
    "#NUM!": -2146826252,
    "#REF!": -2146826265,
    "#VALUE!": -2146826273,
}


def com_date(year: int, month: int, day: int) -> dt.datetime:
    """A date as COM passes a date cell to Python (a ``pywintypes.TimeType``; here its stand-in)."""
    _install_windows_stand_ins()
    return sys.modules["pywintypes"].TimeType(year, month, day)


def call_classic(func: Callable[..., Any], *cells: Any) -> Any:
    """Call a classic-decorated function as Excel does through COM, without Excel.

    ``cells`` are what COM hands to xlwings: scalars, tuples of row tuples for ranges, ``None`` for empty
    cells, :data:`COM_ERRORS` codes for error cells, :func:`com_date` for dates, :data:`VBA_MISSING` for an
    omitted optional argument. The steps are those of the synchronous branch of ``xlwings.udfs.call_udf``:
    each argument goes through ``xlwings.conversion.read`` with its ``xw.arg`` options, the result through
    ``xlwings.conversion.write`` with the ``xw.ret`` options — what Excel receives.
    """
    from xlwings import conversion

    classic_xlwings()
    info = func.__xlfunc__
    args_info = info["args"]
    args = []
    for i, value in enumerate(cells):
        arg_info = args_info[min(i, len(args_info) - 1)]
        if isinstance(value, int) and value == VBA_MISSING:
            args.append(arg_info.get("optional"))
        else:
            args.append(conversion.read(None, value, arg_info["options"]))
    for arg_info in args_info[len(cells) :]:  # VBA passes every declared argument; omitted ones as missing
        args.append(arg_info.get("optional"))
    return conversion.write(func(*args), None, info["ret"]["options"])
