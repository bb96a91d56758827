"""The CDB sheet of the account plan: the CDB I–III statement (seed 000) with its activity-based cost lines.

Inputs: the eight amounts of the statement (``cdb_in_<field>``) and the activity block (``cdb_act_*``, rows
matched by activity on regeneration); everything else is a formula whose cached value is computed by
:func:`kam_xl.cdb.cdb_statement`. Defined names: :data:`CdbName`. Data-book tables: ``cdb`` and
``activities`` (schema in :mod:`kam_xl.databook`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kam_xl.cdb import AMOUNT_FIELDS, LEVEL_FORMULAS, STAGES, STATEMENT_LINES, ActivityLine, CdbInput, cdb_statement
from kam_xl.vocabulary import Lang, sheet_title, stage_word
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.layout import KIND_BOUNDS, Input, RowKey, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.sheet_kind import OnProblem, PlanSheet, Rows
from kam_xl.years import cdb_year_reason

if TYPE_CHECKING:
    from kam_xl.databook import DataBook
    from kam_xl.workbook.account_plan import AccountPlanData

ACTIVITY_ROWS = 12  # at least this many input rows in the activity block (data first, the rest free)
ACTIVITY_NAMES = ("cdb_act_activity", "cdb_act_stage", "cdb_act_quantity", "cdb_act_rate")
#: The CDB sheet's input names: the amounts in statement order, then the activity columns.
CdbName = StrEnum("CdbName", [(f.upper(), f"cdb_in_{f}") for f in AMOUNT_FIELDS]  # type: ignore[misc]
                  + [("ACT_" + n.removeprefix("cdb_act_").upper(), n) for n in ACTIVITY_NAMES])
_AMOUNT = KIND_BOUNDS["amount"]


def _headers(s: Sheet, row: int, heads: tuple[str, ...]) -> None:
    for col, head in enumerate(heads):
        s.put(row, col, head, style="header")


def _activity_block(s: Sheet, first: int, activities: tuple[ActivityLine, ...], lang: Lang) -> tuple[str, str]:
    """The activity rows from row ``first``; returns the ranges of the stage and cost columns."""
    s.put(first - 2, 0, _t(lang, "Prozesskosten (Aktivitäten)", "Activity-based costs"), style="subtitle")
    _headers(s, first - 1, (_t(lang, "Aktivität", "Activity"), _t(lang, "Stufe", "Stage"),
                            _t(lang, "Treibermenge", "Driver quantity"),
                            _t(lang, "Kostensatz je Einheit", "Cost rate per unit"), _t(lang, "Kosten", "Cost")))
    stage_words = [stage_word(x, lang) for x in STAGES]
    n_rows = max(ACTIVITY_ROWS, len(activities) + 3)  # never cut lines, always leave free rows
    last = first + n_rows - 1
    for i in range(n_rows):
        r = first + i
        act = activities[i] if i < len(activities) else None
        s.put(r, 0, act.activity if act else None, style="text",
              input=Input(kind="text", title=_t(lang, "Aktivität", "Activity"),
                          message=_t(lang, "Name der Aktivität, z. B. Technikumsversuche",
                                     "Name of the activity, e.g. pilot plant trials")))
        s.put(r, 1, stage_word(act.stage, lang) if act else None, style="text",
              input=Input(kind="list", choices=tuple(stage_words), title=_t(lang, "Stufe", "Stage"),
                          message=_t(lang, "Stufe: ", "Stage: ") + ", ".join(stage_words)))
        s.put(r, 2, act.driver_quantity if act else None, style="number2",
              input=Input(kind="amount", title=_t(lang, "Treibermenge", "Driver quantity"),
                          message=_t(lang, "Eine Zahl ≥ 0", "A number ≥ 0")))
        s.put(r, 3, act.cost_rate if act else None, style="money2",
              input=Input(kind="amount", title=_t(lang, "Kostensatz", "Cost rate"),
                          message=_t(lang, "Kosten je Treibereinheit, ≥ 0", "Cost per driver unit, ≥ 0")))
        # an empty row shows no cost (not 0 €); SUMIF skips its "" as it skipped the 0
        s.put(r, 4, formula=f'=IF(COUNT({s.ref(r, 2)},{s.ref(r, 3)})=0,"",{s.ref(r, 2)}*{s.ref(r, 3)})',
              cached=act.amount if act else None, style="money")
    stage_range = s.name_range("cdb_act_stage", first, 1, last, 1)
    s.name_range("cdb_act_activity", first, 0, last, 0)
    s.name_range("cdb_act_quantity", first, 2, last, 2)
    s.name_range("cdb_act_rate", first, 3, last, 3)
    cost_range = s.name_range("cdb_act_cost", first, 4, last, 4)
    s.keys.append(RowKey("cdb_act_activity", ACTIVITY_NAMES))
    return stage_range, cost_range


def cdb_sheet(data: AccountPlanData, lang: Lang) -> Sheet:
    """The CDB statement of one account's plan (the CDB year's amounts and activities)."""
    s = Sheet("CDB", widths={0: 44, 1: 16, 2: 16, 3: 20, 4: 18}, freeze=(3, 0))
    amounts = data.cdb or CdbInput(gross_sales=0)
    st = cdb_statement(amounts, list(data.activities))
    year = data.cdb_year if data.cdb_year is not None else data.account.plan_year
    s.put(0, 0, sheet_title(lang, _t(lang, "Kundendeckungsbeitrag I–III", "Customer contribution margin I–III"), year,
                            "money", data.account.currency), style="title")
    s.put(1, 0, cdb_year_reason(data.cdb_year, data.account.plan_year, lang)
          + _t(lang, "Gelbe Zellen sind Eingaben; alles andere rechnet das Blatt.",
               "Yellow cells are inputs; the sheet computes everything else."), style="note")
    _headers(s, 2, (_t(lang, "Position", "Line"), _t(lang, "Betrag", "Amount"),
                    _t(lang, "aus Aktivitäten", "from activities"), _t(lang, "Gesamt", "Total"),
                    _t(lang, "% vom Nettoumsatz", "% of net sales")))
    # activity block first (its ranges are used by the statement's SUMIFs)
    stage_range, cost_range = _activity_block(s, 3 + len(STATEMENT_LINES) + 3, data.activities, lang)
    totals: dict[str, str] = {}
    net_ref = s.ref(3 + [f for f, *_ in STATEMENT_LINES].index("net_sales"), 3)
    for i, (field, de, en, kind) in enumerate(STATEMENT_LINES):
        r = 3 + i
        s.put(r, 0, de if lang == "de" else en, style="level_label" if kind == "level" else "label")
        value = float(getattr(st, field))
        if kind == "level":
            s.put(r, 3, formula=LEVEL_FORMULAS[field].format(**totals), cached=value, style="level_money",
                  name=f"cdb_{field}")
        else:
            # no CDB data (an empty template): the slot is blank for the KAM to fill, not a made-up 0
            s.put(r, 1, getattr(amounts, field) if data.cdb is not None else None, style="money",
                  name=f"cdb_in_{field}", input=Input(kind="amount", title=de[:32],
                                                      message=_t(lang, "Betrag ≥ 0", "Amount ≥ 0")))
            stage = field.removesuffix("_cost")
            if stage in STAGES:
                s.put(r, 2, formula=f'=SUMIF({stage_range},"{stage_word(stage, lang)}",{cost_range})',
                      cached=st.activity_cost[stage], style="money")  # type: ignore[index]
                s.put(r, 3, formula=f"={s.ref(r, 1)}+{s.ref(r, 2)}", cached=value, style="money",
                      name=f"cdb_{field}")
            else:
                s.put(r, 3, formula=f"={s.ref(r, 1)}", cached=value, style="money", name=f"cdb_{field}")
        totals[field] = s.ref(r, 3)
        rel = None if st.net_sales == 0 else value / st.net_sales
        s.put(r, 4, formula=f'=IF({net_ref}=0,"",{s.ref(r, 3)}/{net_ref})', cached=rel,
              style="level_percent" if kind == "level" else "percent",
              name=f"cdb_{field}_rel" if kind == "level" and field != "net_sales" else None)
    return s


def _activity(cells: list[Any], i: int, stage_of: dict[str, str], problem: OnProblem) -> ActivityLine | None:
    """One filled activity row, or ``None`` when a value is refused (each refusal reported)."""
    raw_activity, raw_stage, qty, rate = cells
    ok = True
    try:
        activity = coerce.text(raw_activity)
        if activity is None:
            raise Refusal()
    except Refusal as e:
        problem("cdb_act_activity", i, 0, shown(raw_activity),
                e.allowed("the activity's name (the row has other values)"))
        ok = False
    try:
        stage = coerce.choice(raw_stage, tuple(stage_of))
        if stage is None:
            raise Refusal()
    except Refusal as e:
        problem("cdb_act_stage", i, 0, shown(raw_stage), e.allowed("one of " + ", ".join(stage_of)))
        ok = False
    numbers = []
    for name, v in (("cdb_act_quantity", qty), ("cdb_act_rate", rate)):
        try:
            numbers.append(coerce.number(v, *_AMOUNT, required=True))
        except Refusal as e:
            problem(name, i, 0, shown(v), e.allowed("a number ≥ 0"))
            ok = False
    if not ok:
        return None
    return ActivityLine(activity=activity, stage=stage_of[stage],  # type: ignore[arg-type,index]
                        driver_quantity=numbers[0], cost_rate=numbers[1])


def parse_activities(values: Mapping[str, Any], lang: Lang, problem: OnProblem) -> list[ActivityLine] | None:
    """The activity rows of the CDB sheet (``None`` when the values hold none); rows left blank are skipped,
    a row with a refused value is left out (and reported)."""
    columns = [values.get(n) or [] for n in ACTIVITY_NAMES]
    if not any(columns):
        return None
    stage_of = {stage_word(x, lang): x for x in STAGES}
    activities = []
    for i in range(max(len(c) for c in columns)):
        cells = [c[i][0] if i < len(c) and c[i] else None for c in columns]
        if all(coerce.is_blank(v) for v in cells):
            continue
        line = _activity(cells, i, stage_of, problem)
        if line is not None:
            activities.append(line)
    return activities


def parse_amounts(values: Mapping[str, Any], base: CdbInput | None, problem: OnProblem) -> CdbInput:
    """The statement's eight amounts on top of ``base``: an amount left empty or refused is a problem
    ("type 0 for none") and keeps the base's value."""
    amounts = (base or CdbInput(gross_sales=0)).model_dump()
    for field in AMOUNT_FIELDS:
        name = f"cdb_in_{field}"
        if name not in values:
            continue
        raw = values[name]
        try:
            amounts[field] = coerce.number(raw, *_AMOUNT, required=True)
        except Refusal as e:
            problem(name, None, None, shown(raw), e.allowed("an amount ≥ 0"))
    return CdbInput(**amounts)


class CdbSheet(PlanSheet):
    """The CDB statement: its part is (amounts, activities) of the plan's CDB year."""

    key = "cdb"
    Names = CdbName
    databook_tables = ("cdb", "activities")

    def get(self, data: AccountPlanData) -> tuple[CdbInput | None, tuple[ActivityLine, ...]]:
        return data.cdb, data.activities

    def put(self, data: AccountPlanData, part: tuple[CdbInput | None, tuple[ActivityLine, ...]]) -> AccountPlanData:
        cdb, activities = part
        return dataclasses.replace(data, cdb=cdb, activities=tuple(activities))

    def from_databook(self, db: DataBook, data: AccountPlanData) -> tuple[CdbInput | None, tuple[ActivityLine, ...]]:
        found = db.cdb_input(data.account.account_id, data.cdb_year) if data.cdb_year is not None else None
        return (found[0], tuple(found[1])) if found else (None, ())

    def layout(self, data: AccountPlanData, lang: Lang) -> Sheet:
        return cdb_sheet(data, lang)

    def present(self, values: Mapping[str, Any]) -> bool:
        return True  # the statement is always read: an amount the values lack keeps the data's (0 without data)

    def parse(self, values: Mapping[str, Any], data: AccountPlanData, lang: Lang,
             problem: OnProblem) -> tuple[CdbInput, tuple[ActivityLine, ...]]:
        amounts = parse_amounts(values, data.cdb, problem)
        activities = parse_activities(values, lang, problem)
        return amounts, tuple(data.activities if activities is None else activities)

    def export(self, data: AccountPlanData) -> Rows:
        if data.cdb is None or data.cdb_year is None:
            return {}
        key = {"account_id": data.account.account_id, "year": data.cdb_year}
        return {"cdb": [{**key, **data.cdb.model_dump()}],
                "activities": [{**key, **a.model_dump()} for a in data.activities]}
