"""kam_xl's Excel functions and macros, served through xlwings.

Thin wrappers only: every number is computed by ``kam_xl``'s pure functions. Each function takes whole
ranges and returns a whole block (a Kgb card, a CDB statement, a resource target table …), written once with
xlwings' decorators for both runtimes — the classic add-in ("UDF Modules: udfs" in the ``xlwings.conf`` sheet)
and xlwings Server (``kam-xl serve``). Wrong input gives a short ``#KAM! …`` text, never a traceback.
"""

from udfs.cdb import kam_cdb_iii, kam_cdb_statement
from udfs.excellence import kam_excellence_profile, kam_excellence_scores
from udfs.kaop import kam_kaop_forecast, kam_kaop_split, kam_kaop_variance
from udfs.kgb import kam_kgb_card, kam_kgb_gaps, kam_kgb_rank, kam_kgb_score
from udfs.macros import kam_collect, kam_generate_all, kam_refresh_plan, kam_validate
from udfs.portfolio import kam_portfolio_band
from udfs.resources import kam_moved_share, kam_resource_targets

__all__ = [
    "kam_cdb_iii",
    "kam_cdb_statement",
    "kam_collect",
    "kam_excellence_profile",
    "kam_excellence_scores",
    "kam_generate_all",
    "kam_kaop_forecast",
    "kam_kaop_split",
    "kam_kaop_variance",
    "kam_kgb_card",
    "kam_kgb_gaps",
    "kam_kgb_rank",
    "kam_kgb_score",
    "kam_moved_share",
    "kam_portfolio_band",
    "kam_refresh_plan",
    "kam_resource_targets",
    "kam_validate",
]
