"""KASP — the Key-Account-Strategic-Plan (seed 003, l. 83–85; SPEC §3.6).

"zeigt für einen strategischen Zeitraum [2–5 Jahre, je nach Branche] solche Projekte auf, die strategisch
notwendig sind, um den Key Account weiterzuentwickeln, was aber nicht mit laufenden bzw. kurzfristigen
Maßnahmen zu erreichen ist." The seed gives no fields; kam_xl's record (SPEC §3.6): project, 6-P lever, goal,
KPI with its target, start and end year, owner, budget (money, the account's currency), status (geplant /
laufend / abgeschlossen / gestoppt) and review date.

The horizon is the company setting ``kasp_horizon`` (years after the plan year, default 3). Findings:

* ``outside_horizon`` — a project whose years are not plan year ≤ start ≤ end ≤ plan year + horizon;
* ``without_kaop_measure`` — a project starting in the plan year (the KAOP is the KASP's first year) that no
  KAOP measure names in its ``kasp_project``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kam_xl.errors import KamInputError
from kam_xl.kaop import KaopMeasure, Lever
from kam_xl.text import key_of

if TYPE_CHECKING:
    from kam_xl.databook import DataBook

KaspStatus = Literal["geplant", "laufend", "abgeschlossen", "gestoppt"]
KASP_STATUSES: tuple[KaspStatus, ...] = ("geplant", "laufend", "abgeschlossen", "gestoppt")
#: The horizon in years after the plan year where the company sets none (SPEC §3.6; seed 003: 2–5 years).
DEFAULT_HORIZON = 3
#: The horizons the seed allows ("2–5 Jahre, je nach Branche").
HORIZON_RANGE = (2, 5)


class KaspProject(BaseModel):
    """One strategic project of the KASP; years as ``int``, ``budget`` money ≥ 0, ``review_date`` a date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    project: str = Field(min_length=1)
    lever: Lever
    goal: str = ""
    kpi: str = ""
    target: float | None = None
    start_year: int
    end_year: int
    owner: str = ""
    budget: float | None = Field(default=None, ge=0)
    status: KaspStatus = "geplant"
    review_date: date | None = None

    @model_validator(mode="after")
    def _years(self) -> KaspProject:
        if self.start_year > self.end_year:
            raise KamInputError(f"project {self.project!r} ends in {self.end_year}, before it starts in "
                                f"{self.start_year} — allowed: an end year from the start year on")
        return self


class KaspSummary(BaseModel):
    """The report contract's ``kasp`` object: ``projects`` = number of projects; the projects outside the
    horizon and those starting in the plan year without a KAOP measure, in project order."""

    model_config = ConfigDict(frozen=True)

    projects: int
    outside_horizon: list[str]
    without_kaop_measure: list[str]


def check_horizon(horizon: int) -> int:
    """The horizon if it is a whole number of years within :data:`HORIZON_RANGE`, else :class:`KamInputError`."""
    low, high = HORIZON_RANGE
    if not low <= horizon <= high:
        raise KamInputError(f"a KASP horizon of {horizon} years is outside the planning range — allowed: {low} to "
                            f"{high} years")
    return horizon


def inside_horizon(project: KaspProject, plan_year: int, horizon: int) -> bool:
    """plan year ≤ start ≤ end ≤ plan year + horizon.

    >>> p = KaspProject(project="X", lever="Produkt", start_year=2026, end_year=2029)
    >>> inside_horizon(p, 2026, 3), inside_horizon(p, 2026, 2), inside_horizon(p, 2027, 3)
    (True, False, False)
    """
    return plan_year <= project.start_year <= project.end_year <= plan_year + horizon


def needs_measure(project: KaspProject, measures: Iterable[KaopMeasure], plan_year: int) -> bool:
    """True when the project starts in the plan year and no measure names it in ``kasp_project`` (names
    compared by :func:`kam_xl.text.key_of`)."""
    named = {key_of(m.kasp_project) for m in measures}
    return project.start_year == plan_year and key_of(project.project) not in named


def kasp_summary(projects: Sequence[KaspProject], measures: Sequence[KaopMeasure], plan_year: int,
                 horizon: int = DEFAULT_HORIZON) -> KaspSummary:
    """Count the projects and list the findings (``horizon`` in years after ``plan_year``).

    >>> ps = [KaspProject(project="A", lever="Produkt", start_year=2026, end_year=2027),
    ...       KaspProject(project="B", lever="Preis", start_year=2027, end_year=2031)]
    >>> kasp_summary(ps, [], 2026, 3).model_dump()
    {'projects': 2, 'outside_horizon': ['B'], 'without_kaop_measure': ['A']}
    """
    check_horizon(horizon)
    return KaspSummary(projects=len(projects),
                       outside_horizon=[p.project for p in projects if not inside_horizon(p, plan_year, horizon)],
                       without_kaop_measure=[p.project for p in projects if needs_measure(p, measures, plan_year)])


def kasp_by_status(projects: Iterable[KaspProject]) -> dict[str, int]:
    """Number of projects per status, every status listed (for the controller)."""
    counts = dict.fromkeys(KASP_STATUSES, 0)
    for p in projects:
        counts[p.status] += 1
    return counts


def kasp_of(db: DataBook, account_id: str) -> list[KaspProject]:
    """The KASP projects of one account from the data book's ``kasp`` table, in data order."""
    return [KaspProject(project=r["project"], lever=r["lever"], goal=r["goal"] or "", kpi=r["kpi"] or "",
                        target=r["target"], start_year=r["start_year"], end_year=r["end_year"],
                        owner=r["owner"] or "", budget=r["budget"], status=r["status"] or "geplant",
                        review_date=r["review_date"])
            for r in db.rows_for("kasp", account_id)]


def kasp_summary_of(db: DataBook, account_id: str) -> KaspSummary:
    """:func:`kasp_summary` of one account from a data book, as its plan's KASP sheet shows it: the account's
    plan year, the company's ``kasp_horizon``, the measures of the KAOP's year (:func:`kam_xl.years.plan_year`)."""
    from kam_xl.company_settings import company_settings
    from kam_xl.years import plan_year

    account = db.account(account_id)
    measures = db.kaop_measures(account_id, plan_year(account.plan_year, db.kaop_input_years(account_id)))
    return kasp_summary(kasp_of(db, account_id), measures, account.plan_year, company_settings(db).kasp_horizon)
