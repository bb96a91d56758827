"""kam_xl's Excel functions and macros, served through xlwings.

Thin wrappers only: every number is computed by ``kam_xl``'s pure functions. Each function takes whole
ranges and returns a whole block (a Kgb card, a CDB statement, a resource target table …), written once with
xlwings' decorators for both runtimes — the classic add-in ("UDF Modules: udfs" in the ``xlwings.conf`` sheet)
and xlwings Server (``kam-xl serve``). Wrong input gives a short ``#KAM! …`` text, never a traceback.
"""

from udfs.kgb import kam_kgb_card
from udfs.portfolio import kam_portfolio_band

__all__ = ["kam_kgb_card", "kam_portfolio_band"]
