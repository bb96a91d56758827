"""Excel functions of the customer portfolio (seed 000, Abb. 3; :mod:`kam_xl.portfolio`)."""

from __future__ import annotations

from typing import Annotated, Any

import xlwings as xw

from kam_xl.portfolio import portfolio_band
from udfs._cells import cell_arg, excel_errors, number

CdbIiiRel = Annotated[Any, cell_arg("relative CDB III of the account (CDB III ÷ net sales), e.g. 0.12 for 12 %")]


@xw.func(category="KAM")
@excel_errors
def kam_portfolio_band(cdb_iii_rel: CdbIiiRel) -> str:
    """Portfolio band of an account by its relative CDB III: high (> 10 %), mid (0–10 %) or loss (< 0 %).

    An empty cell (net sales 0, so no relative CDB III) gives an empty result.
    """
    return portfolio_band(number(cdb_iii_rel, "cdb_iii_rel")) or ""
