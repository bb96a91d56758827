"""The relationship and team tools of every account side by side (issue 11, "across accounts"): the report
``kam-xl report --what relationships`` and the controller sheet "Beziehungen" both read it from here.

One :class:`AccountRelationships` per account (in the order of the ``accounts`` table) that has data in any of
the tables ``buying_center``, ``contact_matrix``, ``touchpoints``, ``team_rhythm`` (people), ``team_roles``
(RACI), ``swot`` or ``kasp``. Its keys are the report contract's, always all six; a part is ``None`` (``null``
in JSON) when the account has no data for it — so a consumer sees the same keys for every account:

* ``buying_center`` and ``contacts`` — :func:`kam_xl.buying_center.buying_center_summary` and
  :func:`~kam_xl.buying_center.contact_coverage` of the account's plan year, when any of the four people
  tables has a row for the account (an account with only a team rhythm has 0 members and ``contacts`` ``{}``);
* ``raci`` — :func:`kam_xl.team.raci_check` of the account's matrix (:func:`kam_xl.team.team_roles_of`: the
  company default — the table's rows with an empty account_id, or the seed's three rows when it has none —
  with the account's own tasks replacing the default's), when the data book has a ``team_roles`` table with
  rows for the account **or company-default rows**. Company-default rows *are* the RACI of every account
  without rows of its own, so such an account "has" the table and is listed, with the default's tasks.
  Without a ``team_roles`` table, or when it has neither kind of row for the account, ``raci`` is ``None``:
  the seed's built-in default the plan sheet starts from is not data of the account;
* ``swot`` — :func:`kam_xl.swot.swot_summary` of the account's ``swot`` rows (``None`` without rows);
* ``kasp`` — :func:`kam_xl.kasp.kasp_summary` of the account's ``kasp`` rows over its plan year and the
  company setting ``kasp_horizon``, with the KAOP measures of the year its KAOP shows
  (:func:`kam_xl.years.plan_year`, as the account plan's KASP sheet).

``kasp_by_status`` and the touchpoint totals the controller shows are derived from the same parts.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from kam_xl.buying_center import (
    BuyingCenter,
    BuyingCenterSummary,
    ContactStatus,
    buying_center_of,
    buying_center_summary,
    contact_coverage,
)
from kam_xl.company_settings import company_settings
from kam_xl.databook import AccountRow, DataBook
from kam_xl.kaop import KaopMeasure
from kam_xl.kasp import KaspProject, KaspSummary, kasp_of, kasp_summary
from kam_xl.swot import SwotEntry, SwotSummary, swot_of, swot_summary
from kam_xl.team import RaciCheck, TeamRoles, raci_check, team_roles_of
from kam_xl.years import plan_year

#: The data-book tables the report reads (an account with a row in any of them is listed; see the docstring).
RELATIONSHIP_TABLES = ("buying_center", "contact_matrix", "touchpoints", "team_rhythm", "team_roles", "swot", "kasp")


class AccountRelationships(BaseModel):
    """One account in the report contract's shape (``model_dump()`` is its JSON object); a part is ``None``
    when the account has no data for it."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    buying_center: BuyingCenterSummary | None
    contacts: dict[str, ContactStatus] | None
    raci: RaciCheck | None
    swot: SwotSummary | None
    kasp: KaspSummary | None

    def has_data(self) -> bool:
        """Whether any part is present."""
        return any(getattr(self, k) is not None for k in ("buying_center", "contacts", "raci", "swot", "kasp"))


def has_company_raci(db: DataBook) -> bool:
    """Whether the data book's ``team_roles`` table has company-default rows (empty account_id)."""
    return db.table("team_roles") is not None and bool(db.rows_for("team_roles", None))  # type: ignore[arg-type]


@dataclass(frozen=True)
class AccountData:
    """One account's relationship data as read once from the data book, and its report object (the
    controller sheet shows the rows behind the figures)."""

    account: AccountRow
    people: BuyingCenter | None
    roles: TeamRoles | None  # ``None``: no team roles apply to the account (see the module docstring)
    swot: list[SwotEntry]
    projects: list[KaspProject]
    measures: list[KaopMeasure]  # the KAOP measures of the year its KAOP shows
    report: AccountRelationships


def account_data(db: DataBook, account: AccountRow, company_default: bool, horizon: int) -> AccountData:
    """All parts of one account (see the module docstring); ``company_default`` and ``horizon`` are the data
    book's (:func:`has_company_raci`, ``company_settings(db).kasp_horizon``)."""
    aid, year = account.account_id, account.plan_year
    bc = buying_center_of(db, aid)
    own_roles = db.table("team_roles") is not None and (company_default or bool(db.rows_for("team_roles", aid)))
    roles = team_roles_of(db, aid) if own_roles else None
    swot = swot_of(db, aid) if db.table("swot") is not None else []
    projects = kasp_of(db, aid) if db.table("kasp") is not None else []
    measures = db.kaop_measures(aid, plan_year(year, db.kaop_input_years(aid))) if projects else []
    return AccountData(account=account, people=bc, roles=roles, swot=swot, projects=projects, measures=measures,
                       report=AccountRelationships(
                           account_id=aid,
                           buying_center=buying_center_summary(bc, year) if bc is not None else None,
                           contacts=contact_coverage(bc, year) if bc is not None else None,
                           raci=raci_check(roles) if roles is not None else None,
                           swot=swot_summary(swot) if swot else None,
                           kasp=kasp_summary(projects, measures, year, horizon) if projects else None))


def relationships_data(db: DataBook) -> list[AccountData]:
    """:func:`account_data` of every account with data in any of :data:`RELATIONSHIP_TABLES`, in the order
    of ``accounts``."""
    default = has_company_raci(db)
    horizon = company_settings(db).kasp_horizon
    found = (account_data(db, a, default, horizon) for a in db.accounts)
    return [x for x in found if x.report.has_data()]


def relationships_report(db: DataBook) -> list[AccountRelationships]:
    """The relationship report of a validated data book: one :class:`AccountRelationships` per account (data
    order of ``accounts``) that has data in any of :data:`RELATIONSHIP_TABLES` (with company-default RACI rows,
    that is every account). ``[]`` when there is none. Raises what the pure functions raise for data a
    validated data book cannot hold (e.g. :class:`~kam_xl.errors.KamInputError` for a KASP horizon outside
    2–5)."""
    return [x.report for x in relationships_data(db)]


# --- the table view of ``kam-xl report`` (texts, pure) ---------------------------------------------------------------

def _n(items: list[str] | None) -> str:
    return "–" if items is None else str(len(items))


def table_cells(r: AccountRelationships) -> list[str]:
    """One account's row of the table view: members, without / with several Manndeckers, top management
    covered, touchpoints planned/done, members below/above their contact target, warnings, RACI tasks and tasks
    with a rule break, empty SWOT levers, KASP projects and findings; ``–`` for an absent part."""
    bc, contacts, raci, swot, kasp = r.buying_center, r.contacts, r.raci, r.swot, r.kasp
    status = [c.status for c in contacts.values()] if contacts is not None else []
    return [
        str(bc.members) if bc else "–", _n(bc.without_manndecker if bc else None),
        _n(bc.several_manndecker if bc else None), ("yes" if bc.top_management_covered else "NO") if bc else "–",
        (f"{sum(c.planned for c in contacts.values())}/{sum(c.done for c in contacts.values())}"
         if contacts is not None else "–"),
        f"{status.count('below')}/{status.count('above')}" if contacts is not None else "–",
        _n(bc.warnings if bc else None), str(raci.tasks) if raci else "–",
        str(len(raci_breaks(raci))) if raci else "–", _n(swot.empty_levers if swot else None),
        str(kasp.projects) if kasp else "–",
        str(len(kasp.outside_horizon) + len(kasp.without_kaop_measure)) if kasp else "–"]


def raci_breaks(raci: RaciCheck) -> list[str]:
    """The tasks with any rule break (no A, several A, no R), each once, in the order found."""
    return list(dict.fromkeys([*raci.without_a, *raci.several_a, *raci.without_r]))


def problem_lines(r: AccountRelationships) -> list[str]:
    """The account's problems as short lines of the table view (none: ``[]``)."""
    lines: list[str] = []
    bc = r.buying_center
    if bc is not None:
        lines += [f"without Manndecker: {', '.join(bc.without_manndecker)}"] if bc.without_manndecker else []
        lines += [f"several Manndecker: {', '.join(bc.several_manndecker)}"] if bc.several_manndecker else []
        lines += [] if bc.top_management_covered else ["our top management covers nobody"]
        lines += [f"warnings: {', '.join(bc.warnings)}"] if bc.warnings else []
    if r.raci is not None:
        for code, what in (("without_a", "RACI without A"), ("several_a", "RACI with several A"),
                           ("without_r", "RACI without R")):
            tasks = getattr(r.raci, code)
            lines += [f"{what}: {', '.join(tasks)}"] if tasks else []
    if r.kasp is not None:
        lines += [f"KASP outside horizon: {', '.join(r.kasp.outside_horizon)}"] if r.kasp.outside_horizon else []
        lines += ([f"KASP starting in the plan year without KAOP measure: {', '.join(r.kasp.without_kaop_measure)}"]
                  if r.kasp.without_kaop_measure else [])
    if r.swot is not None and r.swot.empty_levers:
        lines.append(f"SWOT empty levers: {', '.join(r.swot.empty_levers)}")
    return lines
