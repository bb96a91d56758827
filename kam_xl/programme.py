"""The KAM programme view across all accounts (issue 12): ``kam-xl report --what programme``.

:class:`ProgrammeReport` is the report contract: ``selection`` and ``abc_xyz`` (:mod:`kam_xl.selection`) and
the parts ``coordination``, ``decisions`` and ``st_gallen`` (coordination need, organisation decisions, St. Gallen
realisation), which their modules fill; a part not computed is ``None``.
"""

from __future__ import annotations

from pydantic import BaseModel

from kam_xl.company_settings import company_settings
from kam_xl.coordination import AccountCoordination
from kam_xl.databook import DataBook
from kam_xl.organisation import Decisions
from kam_xl.report_org import org_parts
from kam_xl.selection import (
    AbcXyzResult,
    SelectionResult,
    classify_accounts,
    quarter_revenues,
    select_accounts,
    selection_inputs,
)
from kam_xl.st_gallen import StGallen


class ProgrammeReport(BaseModel):
    """The programme view: per account the selection result and the ABC/XYZ class (in the data book's account
    order), and the other programme parts (``None`` until computed)."""

    selection: list[SelectionResult]
    abc_xyz: list[AbcXyzResult]
    coordination: list[AccountCoordination] | None = None
    decisions: Decisions | None = None
    st_gallen: StGallen | None = None


def programme_report(db: DataBook) -> ProgrammeReport:
    """The programme view of a validated data book, with the company settings of its ``settings`` table."""
    settings = company_settings(db)
    items = selection_inputs(db)
    return ProgrammeReport(
        selection=select_accounts(items, settings.selection_weights()),
        abc_xyz=classify_accounts({x.account_id: x.net_sales for x in items}, quarter_revenues(db), settings),
        **org_parts(db))
