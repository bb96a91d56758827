"""The KAOP sheet kind of the account plan: the key account operating plan of one account and plan year.

The layout lives in :mod:`kam_xl.workbook.kaop_layout` (blocks, formulas, cached values), reading it back in
:mod:`kam_xl.workbook.kaop_reader`; this module joins them into the sheet kind :class:`KaopSheet` (its data
from the data book, its export as tidy rows) and keeps their public names importable from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kam_xl.kaop import QUARTERS
from kam_xl.vocabulary import LEVER_WORDS, LIGHT_FORMATS, LIGHT_WORDS, Lang
from kam_xl.workbook.kaop_layout import (
    AMBER,
    BASIS_WORDS,
    GOAL_ROWS,
    GREEN,
    MEASURE_ROWS,
    SHEET_NAME,
    STATUS_WORDS,
    THRESHOLD_BOUNDS,
    THRESHOLDS_ALLOWED,
    KaopInputs,
    Scenario,
    kaop_sheet,
)
from kam_xl.workbook.kaop_reader import KAOP_INPUT_NAMES, parse_kaop
from kam_xl.workbook.layout import Sheet
from kam_xl.workbook.sheet_kind import OnProblem, PlanSheet, Rows
from kam_xl.years import plan_year

if TYPE_CHECKING:
    from kam_xl.databook import DataBook
    from kam_xl.workbook.account_plan import AccountPlanData

__all__ = ["AMBER", "BASIS_WORDS", "GOAL_ROWS", "GREEN", "KAOP_INPUT_NAMES", "LEVER_WORDS", "LIGHT_FORMATS",
           "LIGHT_WORDS", "MEASURE_ROWS", "SHEET_NAME", "STATUS_WORDS", "THRESHOLDS_ALLOWED", "THRESHOLD_BOUNDS",
           "KaopInputs", "KaopName", "KaopSheet", "Scenario", "kaop_sheet", "parse_kaop"]

#: The KAOP sheet's input names (any of them present means the values hold the sheet).
KaopName = StrEnum("KaopName", [(n.removeprefix("kaop_").upper(), n) for n in KAOP_INPUT_NAMES])  # type: ignore[misc]
KAOP_TABLES = ("kaop_products", "kaop_costs", "kaop_goals", "kaop_measures", "kaop_settings")


def kaop_rows(k: KaopInputs, account_id: str) -> Rows:
    """One account's KAOP inputs as rows of the data-book tables: drivers, costs, goals, measures, thresholds."""
    key = {"account_id": account_id, "year": k.year}
    rows: Rows = {name: [] for name in KAOP_TABLES}
    for scenario, (products, costs) in (("plan", k.plan), ("actual", k.actual)):
        rows["kaop_products"] += [{**key, "scenario": scenario, **r.model_dump()} for r in products]
        rows["kaop_costs"] += [{**key, "scenario": scenario, **c.model_dump()} for c in costs]
    rows["kaop_goals"] = [{**key, "goal": g.goal, "metric": g.metric or None, "unit": g.unit or None,
                           **{f"target_q{q}": g.targets.get(q) for q in QUARTERS},
                           **{f"actual_q{q}": g.actuals.get(q) for q in QUARTERS}} for g in k.goals]
    rows["kaop_measures"] = [{**key, **m.model_dump(), "owner": m.owner or None, "resources": m.resources or None,
                              "kasp_project": m.kasp_project or None, "swot_entry": m.swot_entry or None}
                             for m in k.measures]
    rows["kaop_settings"] = [{**key, "threshold_green": k.thresholds.green, "threshold_amber": k.thresholds.amber}]
    return rows


class KaopSheet(PlanSheet):
    """The KAOP: its part is the :class:`KaopInputs` of the plan year (:func:`kam_xl.years.plan_year`)."""

    key = "kaop"
    Names = KaopName
    databook_tables = KAOP_TABLES

    def get(self, data: AccountPlanData) -> KaopInputs | None:
        return data.kaop

    def put(self, data: AccountPlanData, part: KaopInputs | None) -> AccountPlanData:
        return dataclasses.replace(data, kaop=part)

    def from_databook(self, db: DataBook, data: AccountPlanData) -> KaopInputs:
        aid = data.account.account_id
        year = plan_year(data.account.plan_year, db.kaop_input_years(aid))
        return KaopInputs(year=year, plan=db.kaop_rows(aid, year, "plan"), actual=db.kaop_rows(aid, year, "actual"),
                          thresholds=db.kaop_thresholds(aid, year), goals=db.kaop_goals(aid, year),
                          measures=db.kaop_measures(aid, year))

    def layout(self, data: AccountPlanData, lang: Lang) -> Sheet:
        return (data.kaop or KaopInputs(year=data.account.plan_year, plan=([], []), actual=([], []))).sheet(
            lang, currency=data.account.currency)

    def present(self, values: Mapping[str, Any]) -> bool:
        return any(name in values for name in KAOP_INPUT_NAMES)

    def parse(self, values: Mapping[str, Any], data: AccountPlanData, lang: Lang,
             problem: OnProblem) -> KaopInputs | None:
        return parse_kaop(values, lang, problem) or data.kaop  # no readable plan year: the data's KAOP

    def export(self, data: AccountPlanData) -> Rows:
        return {} if data.kaop is None else kaop_rows(data.kaop, data.account.account_id)
