"""Excel functions of the customer portfolio (seed 000, Abb. 3; :mod:`kam_xl.portfolio`)."""

from __future__ import annotations

from typing import Any

import xlwings as xw

from kam_xl.portfolio import portfolio_band
from udfs._cells import excel_errors, number


@xw.func(category="KAM")
@xw.arg("cdb_iii_rel", err_to_str=True, doc="relative CDB III of the account (CDB III ÷ net sales), e.g. 0.12 for 12 %")
@excel_errors
def kam_portfolio_band(cdb_iii_rel: Any) -> str:
    """Portfolio band of an account by its relative CDB III: high (> 10 %), mid (0–10 %) or loss (< 0 %).

    An empty cell (net sales 0, so no relative CDB III) gives an empty result.
    """
    return portfolio_band(number(cdb_iii_rel, "cdb_iii_rel")) or ""
