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

from collections.abc import Iterator
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
from kam_xl.report_numbers import Numbers
from kam_xl.swot import SwotEntry, SwotSummary, swot_of, swot_summary
from kam_xl.team import RaciCheck, TeamRoles, company_team_rows, merge_team_roles, raci_check, team_roles_of
from kam_xl.vocabulary import PEOPLE_WARNING_WORDS, YES_NO, Lang
from kam_xl.workbook.layout import pick
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


@dataclass(frozen=True)
class CompanyRaci:
    """What is the same for every account's RACI matrix in one data book: the company's default rows
    (:func:`kam_xl.team.company_team_rows`), the matrix of an account without rows of its own (the default
    alone) and its check — taken once by a reader of every account instead of once per account."""

    rows: list[tuple[str, str, str | None]]
    matrix: TeamRoles
    check: RaciCheck


def company_raci(db: DataBook) -> CompanyRaci:
    """The data book's :class:`CompanyRaci`."""
    rows = company_team_rows(db)
    matrix = merge_team_roles(rows, [])
    return CompanyRaci(rows=rows, matrix=matrix, check=raci_check(matrix))


def account_data(db: DataBook, account: AccountRow, company_default: bool, horizon: int,
                 company: CompanyRaci | None = None) -> AccountData:
    """All parts of one account (see the module docstring); ``company_default`` and ``horizon`` are the data
    book's (:func:`has_company_raci`, ``company_settings(db).kasp_horizon``); ``company`` its
    :func:`company_raci` when the caller has it (the same result: an account without team rows of its own
    gets the company's matrix and check as they are)."""
    aid, year = account.account_id, account.plan_year
    bc = buying_center_of(db, aid)
    has_table = db.table("team_roles") is not None
    own_rows = has_table and db.has_rows("team_roles", aid)
    roles, check = None, None
    if has_table and (company_default or own_rows):
        if company is not None and not own_rows:
            roles, check = company.matrix, company.check
        else:
            roles = team_roles_of(db, aid, company.rows if company is not None else None)
            check = raci_check(roles)
    swot = swot_of(db, aid) if db.table("swot") is not None else []
    projects = kasp_of(db, aid) if db.table("kasp") is not None else []
    measures = db.kaop_measures(aid, plan_year(year, db.kaop_input_years(aid))) if projects else []
    return AccountData(account=account, people=bc, roles=roles, swot=swot, projects=projects, measures=measures,
                       report=AccountRelationships(
                           account_id=aid,
                           buying_center=buying_center_summary(bc, year) if bc is not None else None,
                           contacts=contact_coverage(bc, year) if bc is not None else None,
                           raci=check,
                           swot=swot_summary(swot) if swot else None,
                           kasp=kasp_summary(projects, measures, year, horizon) if projects else None))


def each_relationships_data(db: DataBook) -> Iterator[AccountData]:
    """:func:`account_data` of every account with data in any of :data:`RELATIONSHIP_TABLES`, in the order
    of ``accounts``, one account at a time (a reader that keeps only what it needs of each holds no account's
    models past it). The company's RACI part (:func:`company_raci`) is taken once for all accounts."""
    default = has_company_raci(db)
    horizon = company_settings(db).kasp_horizon
    company = company_raci(db) if db.table("team_roles") is not None else None
    found = (account_data(db, a, default, horizon, company) for a in db.accounts)
    return (x for x in found if x.report.has_data())


def relationships_data(db: DataBook) -> list[AccountData]:
    """:func:`each_relationships_data` as a list."""
    return list(each_relationships_data(db))


def relationships_report(db: DataBook) -> list[AccountRelationships]:
    """The relationship report of a validated data book: one :class:`AccountRelationships` per account (data
    order of ``accounts``) that has data in any of :data:`RELATIONSHIP_TABLES` (with company-default RACI rows,
    that is every account). ``[]`` when there is none. Raises what the pure functions raise for data a
    validated data book cannot hold (e.g. :class:`~kam_xl.errors.KamInputError` for a KASP horizon outside
    2–5)."""
    return [x.report for x in relationships_data(db)]


# --- the table view of ``kam-xl report`` (texts, pure) ---------------------------------------------------------------

def table_cells(r: AccountRelationships, lang: Lang = "en") -> list[str]:
    """One account's row of the table view in ``lang``'s words and number style: members, without / with
    several Manndeckers, top management covered, touchpoints planned/done, members below/above their contact
    target, warnings, RACI tasks and tasks with a rule break, empty SWOT levers, KASP projects and findings;
    ``–`` for an absent part."""
    n = Numbers(lang)
    bc, contacts, raci, swot, kasp = r.buying_center, r.contacts, r.raci, r.swot, r.kasp

    def size(items: list[str] | None) -> str:
        return "–" if items is None else n.count(len(items))

    status = [c.status for c in contacts.values()] if contacts is not None else []
    yes, no = YES_NO[lang]
    top = yes if bc and bc.top_management_covered else no.upper()  # capitals: a warning
    return [
        n.count(bc.members) if bc else "–", size(bc.without_manndecker if bc else None),
        size(bc.several_manndecker if bc else None), top if bc else "–",
        (f"{n.count(sum(c.planned for c in contacts.values()))}/{n.count(sum(c.done for c in contacts.values()))}"
         if contacts is not None else "–"),
        f"{n.count(status.count('below'))}/{n.count(status.count('above'))}" if contacts is not None else "–",
        size(bc.warnings if bc else None), n.count(raci.tasks) if raci else "–",
        size(raci_breaks(raci)) if raci else "–", size(swot.empty_levers if swot else None),
        n.count(kasp.projects) if kasp else "–",
        n.count(len(kasp.outside_horizon) + len(kasp.without_kaop_measure)) if kasp else "–"]


#: The table view's column heads (after the account) as (German, English) labels, in :func:`table_cells`' order.
TABLE_HEADS: tuple[tuple[str, str], ...] = (
    ("Mitglieder", "Members"), ("Ohne Manndecker", "No Manndecker"), ("Mehrere", "Several"),
    ("Top-Mgmt.", "Top mgmt"), ("Touchpoints", "Touchpoints"), ("Unter / über", "Below / above"),
    ("Warnungen", "Warnings"), ("RACI-Aufgaben", "RACI tasks"), ("RACI-Verstöße", "RACI breaks"),
    ("SWOT leere Hebel", "SWOT empty levers"), ("KASP-Projekte", "KASP projects"),
    ("KASP-Befunde", "KASP findings"))


def raci_breaks(raci: RaciCheck) -> list[str]:
    """The tasks with any rule break (no A, several A, no R), each once, in the order found."""
    return list(dict.fromkeys([*raci.without_a, *raci.several_a, *raci.without_r]))


#: The problem lines' lead words as (German, English) labels.
PROBLEM_WORDS: dict[str, tuple[str, str]] = {
    "without_manndecker": ("ohne Manndecker", "without Manndecker"),
    "several_manndecker": ("mehrere Manndecker", "several Manndecker"),
    "top_management": ("unser Top-Management deckt niemanden ab", "our top management covers nobody"),
    "warnings": ("Warnungen", "warnings"),
    "without_a": ("RACI ohne A", "RACI without A"), "several_a": ("RACI mit mehreren A", "RACI with several A"),
    "without_r": ("RACI ohne R", "RACI without R"),
    "outside_horizon": ("KASP außerhalb des Horizonts", "KASP outside horizon"),
    "without_kaop_measure": ("KASP mit Start im Planjahr ohne KAOP-Maßnahme",
                             "KASP starting in the plan year without KAOP measure"),
    "empty_levers": ("SWOT leere Hebel", "SWOT empty levers"),
}


def problem_lines(r: AccountRelationships, lang: Lang = "en") -> list[str]:
    """The account's problems as short lines of the table view in ``lang`` (none: ``[]``); buying-center
    warnings in the sheets' words (:data:`kam_xl.vocabulary.PEOPLE_WARNING_WORDS`)."""
    def line(key: str, items: list[str]) -> list[str]:
        return [f"{pick(lang, *PROBLEM_WORDS[key])}: {', '.join(items)}"] if items else []

    lines: list[str] = []
    bc = r.buying_center
    if bc is not None:
        lines += line("without_manndecker", bc.without_manndecker) + line("several_manndecker", bc.several_manndecker)
        lines += [] if bc.top_management_covered else [pick(lang, *PROBLEM_WORDS["top_management"])]
        lines += line("warnings", [PEOPLE_WARNING_WORDS[lang].get(w, w) for w in bc.warnings])
    if r.raci is not None:
        for code in ("without_a", "several_a", "without_r"):
            lines += line(code, getattr(r.raci, code))
    if r.kasp is not None:
        lines += line("outside_horizon", r.kasp.outside_horizon)
        lines += line("without_kaop_measure", r.kasp.without_kaop_measure)
    if r.swot is not None:
        lines += line("empty_levers", r.swot.empty_levers)
    return lines
