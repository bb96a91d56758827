"""The account plan: one workbook per key account, built as a :class:`~kam_xl.workbook.layout.Book` from the
sheet kinds of :data:`PLAN_SHEETS` (the interface: :mod:`kam_xl.workbook.sheet_kind`).

Sheets (German by default, English with ``lang="en"``):

* ``Deckblatt`` / ``Cover`` — master data, supplier role and status (inputs), key figures
  (:mod:`~kam_xl.workbook.cover_sheet`);
* ``Kgb`` — the Kgb scorecards of the account's procurement segments (seed 001, :mod:`~kam_xl.workbook.kgb_sheet`);
* ``CDB`` — the CDB I–III statement (seed 000) with activity-based cost lines (:mod:`~kam_xl.workbook.cdb_sheet`);
* ``KAOP`` — the key account operating plan with quarterly targets, plan vs actual, goals and measures
  (seed 000 Tabelle 8, seed 003; :mod:`~kam_xl.workbook.kaop_sheet`);
* ``Excellence`` — the criteria of the account-level dimensions Leistungsmanagement and Beziehungspflege
  (seed 000 Tabelle 9 and 12) with their guiding questions as planning prompts
  (:mod:`~kam_xl.workbook.excellence_sheet`);
* ``Buying Center``, ``Kontaktmatrix``, ``Touchpoints`` — the people at the customer, who of us covers them and
  the touchpoint plan with the team's rhythm (seeds 000 and 004; :mod:`~kam_xl.workbook.buying_center_sheet`,
  :mod:`~kam_xl.workbook.contacts_sheet`, :mod:`~kam_xl.workbook.touchpoints_sheet`, one part shared through
  :mod:`~kam_xl.workbook.people_common`).

Every number a KAM sees is a native formula whose cached value is computed by :mod:`kam_xl.cdb` and
:mod:`kam_xl.portfolio`; the recalculation test proves LibreOffice gets the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kam_xl.cdb import ActivityLine, CdbInput
from kam_xl.cells import CellError
from kam_xl.databook import AccountRow, DataBook
from kam_xl.databook.schema import register_tables
from kam_xl.excellence import Response
from kam_xl.kgb import KgbCard
from kam_xl.text import clean_text
from kam_xl.vocabulary import BAND_WORDS, STAGE_LABELS, Lang
from kam_xl.workbook.buying_center_sheet import BuyingCenterSheet
from kam_xl.workbook.cdb_sheet import ACTIVITY_ROWS, CdbSheet
from kam_xl.workbook.contacts_sheet import ContactsSheet
from kam_xl.workbook.cover_sheet import STATUSES, CoverSheet, status_word
from kam_xl.workbook.excellence_sheet import ACCOUNT_DIMENSIONS, ACCOUNT_ROLE, AccountExcellenceSheet
from kam_xl.workbook.kaop_sheet import KaopInputs, KaopSheet
from kam_xl.workbook.kasp_sheet import KaspSheet
from kam_xl.workbook.kgb_sheet import KgbSheet
from kam_xl.workbook.layout import Book
from kam_xl.workbook.position_sheet import PositionSheet
from kam_xl.workbook.raci_sheet import RaciSheet
from kam_xl.workbook.sheet_kind import OnProblem, PlanSheet
from kam_xl.workbook.swot_sheet import SwotSheet
from kam_xl.workbook.touchpoints_sheet import TouchpointsSheet
from kam_xl.years import latest_year

__all__ = ["ACCOUNT_DIMENSIONS", "ACCOUNT_ROLE", "ACTIVITY_ROWS", "BAND_WORDS", "PLAN_SHEETS", "STAGE_LABELS",
           "STATUSES", "TEMPLATE_ID", "TEMPLATE_VERSION", "AccountPlanData", "Lang", "account_plan",
           "parse_inputs", "status_word"]

TEMPLATE_ID = "kam_xl.account_plan"
TEMPLATE_VERSION = "1.0"
Problem = OnProblem  # the name the readers' callers know

#: The account plan's sheet kinds in workbook order: generating, reading back, exporting and regenerating a
#: plan loop over this list. A new sheet is one module with a :class:`PlanSheet` subclass and one line here.
PLAN_SHEETS: list[PlanSheet] = [
    CoverSheet(),
    KgbSheet(),
    CdbSheet(),
    KaopSheet(),
    AccountExcellenceSheet(),
    BuyingCenterSheet(),
    ContactsSheet(),
    TouchpointsSheet(),
    RaciSheet(), SwotSheet(), KaspSheet(), PositionSheet(),  # issue 11: team and strategy tools
]
for _kind in PLAN_SHEETS:  # the data-book tables of the kinds listed above (a kind added later: `register`)
    register_tables(f"sheet kind {_kind.key!r}", _kind.tables)


#: The master-data fields of :class:`~kam_xl.databook.AccountRow` every account plan carries in its cover and
#: ``_meta`` (:meth:`AccountPlanData.from_workbook`), and its status.
PLAN_MASTER_FIELDS = frozenset({"account_id", "name", "region", "business_unit", "kam", "currency", "plan_year",
                                "status"})


def plan_account_fields(kinds: Sequence[PlanSheet] = PLAN_SHEETS) -> frozenset[str]:
    """The fields of :class:`~kam_xl.databook.AccountRow` an account plan carries itself:
    :data:`PLAN_MASTER_FIELDS` and those its sheet kinds' inputs set
    (:attr:`~kam_xl.workbook.sheet_kind.PlanSheet.account_fields`: the cover's supplier role, the position
    sheet's target supplier role). Collecting plans keeps the account's other fields (``kam_span`` …) from the
    data book."""
    return PLAN_MASTER_FIELDS | {f for kind in kinds for f in kind.account_fields}


@dataclass(frozen=True)
class AccountPlanData:
    """What an account plan is built from: the account and its CDB inputs of one year, and each sheet kind's
    part (the sheets before the registry keep their own fields; a new kind's part is ``parts[kind.key]``)."""

    account: AccountRow
    cdb_year: int | None
    cdb: CdbInput | None
    activities: tuple[ActivityLine, ...]
    status: str | None = None
    kgb_cards: tuple[KgbCard, ...] = ()
    kaop: KaopInputs | None = None
    excellence: Response | None = None  # the account-level criteria (ACCOUNT_DIMENSIONS), rated in the plan
    data_book: str = ""  # where the data came from (path or URL without credentials, "demo"): the plan's _meta
    parts: Mapping[str, Any] = field(default_factory=dict)  # sheet kind key → its part (kinds without a field)

    @classmethod
    def from_workbook(cls, values: Mapping[str, Any], meta: dict[str, str]) -> AccountPlanData:
        """The master data an account plan carries itself (cover sheet and ``_meta``): the base on which
        :func:`parse_inputs` reads a filled plan back without the data book."""
        def text(name: str) -> str | None:
            v = values.get(name)
            return None if isinstance(v, CellError) else clean_text(v)

        plan_year = values.get("acc_plan_year")  # not an input (the cover is locked); 0 when not a number
        account = AccountRow(account_id=meta.get("account_id") or text("acc_id") or "", name=text("acc_name") or "",
                             region=text("acc_region") or "", business_unit=text("acc_business_unit"),
                             kam=text("acc_kam"), currency=text("acc_currency") or "EUR",
                             plan_year=int(plan_year) if isinstance(plan_year, int | float)
                             and not isinstance(plan_year, bool) and math.isfinite(plan_year) else 0)
        year = meta.get("cdb_year")
        return cls(account=account, cdb_year=int(year) if year else None, cdb=None, activities=(),
                   data_book=meta.get("data_book", ""))

    @classmethod
    def from_databook(cls, db: DataBook, account_id: str, sheets: list[PlanSheet] | None = None
                      ) -> AccountPlanData:
        """Take one account's data from a validated data book (latest CDB year): every sheet kind's part."""
        account = db.account(account_id)
        data = cls(account=account, cdb_year=latest_year(db.cdb_years(account_id)), cdb=None, activities=())
        for kind in PLAN_SHEETS if sheets is None else sheets:
            data = kind.put(data, kind.from_databook(db, data))
        return data


def account_plan(data: AccountPlanData, lang: Lang = "de", generated_at: datetime | None = None) -> Book:
    """The account plan layout of one account: one sheet per kind of :data:`PLAN_SHEETS`."""
    when = (generated_at or datetime.now(UTC)).isoformat(timespec="seconds")
    return Book(template_id=TEMPLATE_ID, template_version=TEMPLATE_VERSION,
                sheets=[kind.layout(data, lang) for kind in PLAN_SHEETS], lang=lang,
                currency=data.account.currency,
                meta={"account_id": data.account.account_id, "generated_at": when,
                      "cdb_year": "" if data.cdb_year is None else str(data.cdb_year),
                      "title": f"Account-Plan {data.account.name}",
                      # the data book it was generated from (none for an empty template): collect's default
                      **({"data_book": data.data_book} if data.data_book else {})})


def parse_inputs(values: Mapping[str, Any], base: AccountPlanData, lang: Lang, problem: OnProblem
                 ) -> AccountPlanData:
    """Turn the account plan's inputs (by defined name) back into models, on top of ``base`` (the data): each
    sheet kind of :data:`PLAN_SHEETS` whose names the values hold reads its part, in workbook order.

    Every value that breaks a rule is passed to ``problem(name, row, col, value, what is allowed)`` and the
    data's value is kept for it, so one bad cell never stops the rest from being read. Cells are read with
    :mod:`kam_xl.workbook.coerce`: an error value or a formula without its result is a problem (never empty
    or 0), a CDB amount left empty is a problem ("type 0 for none"), texts follow the one text rule and
    drop-down words are matched as the drop-down shows them.
    """
    data = base
    for kind in PLAN_SHEETS:
        if kind.present(values):
            data = kind.put(data, kind.parse(values, data, lang, problem))
    return data
