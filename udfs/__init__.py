"""kam_xl's Excel functions and macros, served through xlwings.

Thin wrappers only: every number is computed by ``kam_xl``'s pure functions. Each function takes whole
ranges and returns a whole block (a Kgb card, a CDB statement, a resource target table …), written once with
xlwings' decorators for both runtimes — the classic add-in ("UDF Modules: udfs" in the ``xlwings.conf`` sheet)
and xlwings Server (``kam-xl serve``). Wrong input gives a short ``#KAM! …`` text, never a traceback.
"""

# ruff: noqa: F401 — the functions are imported to be exported; __all__ is derived from them below
from udfs.cdb import kam_cdb_iii, kam_cdb_statement
from udfs.contacts import kam_contact_coverage
from udfs.excellence import kam_excellence_profile, kam_excellence_scores
from udfs.kaop import kam_kaop_forecast, kam_kaop_split, kam_kaop_variance
from udfs.kgb import kam_kgb_card, kam_kgb_gaps, kam_kgb_rank, kam_kgb_score
from udfs.macros import kam_collect, kam_generate_all, kam_refresh_plan, kam_validate
from udfs.portfolio import kam_portfolio_band
from udfs.programme import kam_abc_xyz, kam_coordination, kam_org_decision, kam_selection_score
from udfs.resources import kam_moved_share, kam_resource_targets
from udfs.team import kam_raci_check

#: Every function and macro above, derived from the decorators: what xlwings' "Import Functions" and the server
#: offer.
__all__ = sorted(name for name, obj in dict(globals()).items()
                 if name.startswith("kam_") and (hasattr(obj, "__xlfunc__") or hasattr(obj, "__xlscript__")))
