"""The ``KASP`` sheet: the strategic projects of a key account over the horizon (seed 003; :mod:`kam_xl.kasp`).

One row per project (inputs: project, 6-P lever, goal, KPI, target, start and end year, owner, budget, status,
review date; free rows below), then one column per year from the plan year to plan year + horizon with a bar by
formula (1 where the project runs that year, filled by a conditional format: a Gantt chart that follows the
KAM's years), then two lights: ``außerhalb Horizont`` (not plan year ≤ start ≤ end ≤ plan year + horizon) and
``ohne KAOP-Maßnahme`` (starts in the plan year and no measure of the KAOP sheet names it in its column
"KASP-Projekt"). Plan year (the account's) and horizon (the company setting ``kasp_horizon``) are shown, locked.
Cached values from :func:`kam_xl.kasp.inside_horizon` and :func:`~kam_xl.kasp.needs_measure`.

Data-book table ``kasp`` (account_id, project, lever, goal, kpi, target, start_year, end_year, owner, budget,
status, review_date). Defined names: :class:`KaspName`; a project's row follows its name on regeneration.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kam_xl.company_settings import company_settings
from kam_xl.databook.schema import Column, Problem, Table
from kam_xl.kaop import LEVERS, KaopMeasure
from kam_xl.kasp import DEFAULT_HORIZON, KASP_STATUSES, KaspProject, inside_horizon, kasp_of, needs_measure
from kam_xl.vocabulary import KASP_FINDING_WORDS, KASP_STATUS_WORDS, LEVER_WORDS, LIGHT_FORMATS, Lang, sheet_title
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.kaop_reader import MEASURE_KASP_PROJECT, check_measure_links, typed_texts
from kam_xl.workbook.layout import KIND_BOUNDS, Conditional, Input, RowKey, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.sheet_kind import OnProblem, PlanSheet, Rows

if TYPE_CHECKING:
    from kam_xl.databook import DataBook
    from kam_xl.databook.parsing import ParsedTable
    from kam_xl.workbook.account_plan import AccountPlanData

SPARE_PROJECTS = 4
HEAD = 5
YEARS = (1900, 2200)
#: The input columns of a project row, in sheet order (the data book's column names).
FIELDS = ("project", "lever", "goal", "kpi", "target", "start_year", "end_year", "owner", "budget", "status",
          "review_date")
C_START, C_END = FIELDS.index("start_year"), FIELDS.index("end_year")
BAR_FORMAT = {"bg_color": "#4472C4", "font_color": "#4472C4"}


class KaspName(StrEnum):
    PROJECTS = "kasp_projects"
    PLAN_YEAR = "kasp_plan_year"
    HORIZON = "kasp_horizon"
    YEARS = "kasp_years"
    GANTT = "kasp_gantt"
    OUTSIDE = "kasp_outside_horizon"
    WITHOUT_MEASURE = "kasp_without_measure"


@dataclass(frozen=True)
class KaspPart:
    """The KASP of one account: its projects and the horizon in years after the plan year."""

    projects: tuple[KaspProject, ...] = ()
    horizon: int = DEFAULT_HORIZON


# --- the data book's table ----------------------------------------------------------------------------------------

def check_kasp(tables: dict[str, ParsedTable], problems: list[Problem]) -> None:
    """``kasp``: a project whose start year is after its end year. (A KAOP measure naming no project of its
    account is :mod:`kam_xl.databook.checks`' rule on ``kaop_measures``.)"""
    t = tables["kasp"]
    for i in range(len(t)):
        start, end, name = t.get(i, "start_year"), t.get(i, "end_year"), t.get(i, "project")
        if start is not None and end is not None and start > end:
            problems.append(t.problem(i, "end_year", f"project {name!r} ends before it starts in {start} — "
                                                     f"allowed: an end year from {start} on", end))


KASP_TABLE = Table("kasp", (
    Column("account_id"), Column("project"), Column("lever", "choice", choices=LEVERS),
    Column("goal", required=False), Column("kpi", required=False), Column("target", "number", required=False),
    Column("start_year", "year"), Column("end_year", "year"), Column("owner", required=False),
    Column("budget", "amount", required=False), Column("status", "choice", False, KASP_STATUSES),
    Column("review_date", "date", required=False)),
    key=("account_id", "project"), check=check_kasp,
    description="KASP strategic projects per account (start/end inside plan year … plan year + kasp_horizon; "
                "empty status: geplant)")


# --- the sheet ----------------------------------------------------------------------------------------------------

def _heads(lang: Lang) -> list[str]:
    return [_t(lang, "Projekt", "Project"), _t(lang, "Hebel (6 P)", "Lever (6 P)"), _t(lang, "Ziel", "Goal"),
            "KPI", _t(lang, "Zielwert", "Target"), "Start", _t(lang, "Ende", "End"),
            _t(lang, "Verantwortlich", "Owner"), "Budget", "Status", _t(lang, "Review-Datum", "Review date")]


def _inputs(lang: Lang, heads: list[str]) -> list[Input]:
    levers = tuple(LEVER_WORDS[lang][x] for x in LEVERS)
    statuses = tuple(KASP_STATUS_WORDS[lang][x] for x in KASP_STATUSES)
    year = _t(lang, "Ein Jahr von Planjahr bis Planjahr + Horizont", "A year from the plan year to plan year + "
                                                                     "horizon")
    return [Input(kind="text", title=heads[0], message=_t(lang, "Ein strategisches Projekt (2–5 Jahre)",
                                                          "A strategic project (2–5 years)")),
            Input(kind="list", choices=levers, title=heads[1], message=", ".join(levers)),
            Input(kind="text", title=heads[2], message=heads[2]), Input(kind="text", title="KPI", message="KPI"),
            Input(kind="number", title=heads[4], message=_t(lang, "Zielwert des KPI (eine Zahl)",
                                                            "Target value of the KPI (a number)")),
            Input(kind="integer", minimum=YEARS[0], maximum=YEARS[1], title="Start", message=year),
            Input(kind="integer", minimum=YEARS[0], maximum=YEARS[1], title=heads[6], message=year),
            Input(kind="text", title=heads[7], message=heads[7]),
            Input(kind="amount", title="Budget", message=_t(lang, "Budget in der Währung des Accounts (≥ 0)",
                                                            "Budget in the account's currency (≥ 0)")),
            Input(kind="list", choices=statuses, title="Status", message=", ".join(statuses)),
            Input(kind="date", title=heads[10], message=_t(lang, "Datum des nächsten Reviews, z. B. 30.06.2026",
                                                           "Date of the next review, e.g. 30.06.2026"))]


def _values(p: KaspProject | None, lang: Lang) -> list[Any]:
    if p is None:
        return [None] * len(FIELDS)
    return [p.project, LEVER_WORDS[lang][p.lever], p.goal or None, p.kpi or None, p.target, p.start_year,
            p.end_year, p.owner or None, p.budget, KASP_STATUS_WORDS[lang][p.status], p.review_date]


_STYLES = ("text", "text", "wrap", "text", "number", "integer", "integer", "text", "money", "text", "date")


def kasp_sheet(part: KaspPart, plan_year: int, measures: Sequence[KaopMeasure], lang: Lang = "de",
               currency: str = "EUR") -> Sheet:
    """The KASP sheet: the projects (plus :data:`SPARE_PROJECTS` rows) over plan year … plan year + horizon;
    ``measures`` are the KAOP sheet's (their ``kasp_project``) for the cached lights."""
    projects, horizon = part.projects, part.horizon
    heads = _heads(lang)
    n_fields, n_years = len(FIELDS), horizon + 1
    c_year, c_out = n_fields, n_fields + n_years
    c_without = c_out + 1
    first = HEAD + 1
    rows: list[KaspProject | None] = [*projects, *([None] * SPARE_PROJECTS)]
    last = first + len(rows) - 1
    s = Sheet("KASP", widths={0: 34, 1: 13, 2: 30, 3: 18, 4: 10, 5: 7, 6: 7, 7: 16, 8: 12, 9: 14, 10: 13,
                              **{c_year + k: 6 for k in range(n_years)}, c_out: 18, c_without: 20},
              freeze=(first, 1))
    s.put(0, 0, sheet_title(lang, _t(lang, "KASP – strategische Projekte", "KASP – strategic projects"), plan_year,
                            "money", currency), style="title")
    s.put(1, 0, _t(lang, "Gelbe Zellen sind Eingaben. Projekte laufen im Horizont (Planjahr … Planjahr + Horizont); "
                         "ein Projekt, das im Planjahr startet, braucht eine KAOP-Maßnahme, die es nennt.",
                   "Yellow cells are inputs. Projects run inside the horizon (plan year … plan year + horizon); a "
                   "project starting in the plan year needs a KAOP measure naming it."), style="note")
    s.put(2, 0, _t(lang, "Planjahr", "Plan year"), style="label")
    py = s.put(2, 1, plan_year, style="integer", name=KaspName.PLAN_YEAR).absolute
    s.put(3, 0, _t(lang, "Horizont (Jahre danach)", "Horizon (years after)"), style="label")
    h = s.put(3, 1, horizon, style="integer", name=KaspName.HORIZON).absolute
    for col, head in enumerate(heads):
        s.put(HEAD, col, head, style="header")
    years = [plan_year + k for k in range(n_years)]
    for k in range(n_years):
        s.put(HEAD, c_year + k, formula=f"={py}+{k}", cached=years[k], style="header")
    words = KASP_FINDING_WORDS[lang]
    s.put(HEAD, c_out, words["outside_horizon"], style="header")
    s.put(HEAD, c_without, words["without_kaop_measure"], style="header")
    inputs = _inputs(lang, heads)
    links = f"TRIM(INDEX(kaop_measures,0,{MEASURE_KASP_PROJECT + 1}))"
    for i, p in enumerate(rows):
        r = first + i
        for col, (value, inp) in enumerate(zip(_values(p, lang), inputs, strict=True)):
            s.put(r, col, value, style=_STYLES[col], input=inp)
        name, start, end = s.ref(r, 0), s.ref(r, C_START), s.ref(r, C_END)
        known = f"ISNUMBER({start}),ISNUMBER({end})"
        for k, y in enumerate(years):
            s.put(r, c_year + k, formula=f'=IF(AND({known},{start}<={s.ref(HEAD, c_year + k)},'
                                         f'{s.ref(HEAD, c_year + k)}<={end}),1,"")',
                  cached=1 if p and p.start_year <= y <= p.end_year else "", style="integer")
        s.put(r, c_out, formula=f'=IF(TRIM({name})="","",IF(AND({known},{py}<={start},{start}<={end},'
                                f'{end}<={py}+{h}),"","{words["outside_horizon"]}"))',
              cached=words["outside_horizon"] if p and not inside_horizon(p, plan_year, horizon) else "")
        s.put(r, c_without, formula=f'=IF(TRIM({name})="","",IF(AND(ISNUMBER({start}),{start}={py},'
                                    f'SUMPRODUCT(EXACT({links},TRIM({name}))*1)=0),'
                                    f'"{words["without_kaop_measure"]}",""))',
              cached=words["without_kaop_measure"] if p and needs_measure(p, measures, plan_year) else "")
    s.name_range(KaspName.PROJECTS, first, 0, last, n_fields - 1)
    s.name_range(KaspName.YEARS, HEAD, c_year, HEAD, c_out - 1)
    s.name_range(KaspName.GANTT, first, c_year, last, c_out - 1)
    s.name_range(KaspName.OUTSIDE, first, c_out, last, c_out)
    s.name_range(KaspName.WITHOUT_MEASURE, first, c_without, last, c_without)
    s.conditionals.append(Conditional(first, c_year, last, c_out - 1, {
        "type": "cell", "criteria": "==", "value": 1, "format": dict(BAR_FORMAT)}))
    for col, word in ((c_out, words["outside_horizon"]), (c_without, words["without_kaop_measure"])):
        s.conditionals.append(Conditional(first, col, last, col, {
            "type": "cell", "criteria": "==", "value": f'"{word}"', "format": dict(LIGHT_FORMATS["red"])}))
    s.keys.append(RowKey(KaspName.PROJECTS, (KaspName.PROJECTS,)))
    return s


# --- reading back -------------------------------------------------------------------------------------------------

def _date(value: Any) -> date | None:
    """A review date: a date cell, or a text ``2026-06-30`` / ``30.06.2026``; :class:`Refusal` otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = coerce.text(value)
    if text is None:
        return None
    for form in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise Refusal()


def _year(value: Any) -> int:
    y = coerce.number(value, *YEARS, required=True)
    if y is None or not y.is_integer():
        raise Refusal()
    return int(y)


_READ: dict[str, tuple[Any, str]] = {
    "goal": (coerce.text, "a text"), "kpi": (coerce.text, "a text"), "owner": (coerce.text, "a text"),
    "target": (lambda v: coerce.number(v, *KIND_BOUNDS["number"]), "a number, or empty"),
    "start_year": (_year, "a year such as 2027"),
    "end_year": (_year, "a year such as 2028"), "review_date": (_date, "a date such as 30.06.2026, or empty"),
    "budget": (lambda v: coerce.number(v, *KIND_BOUNDS["amount"]), "an amount ≥ 0, or empty"),
}


def _project(row: list[Any], r: int, lang: Lang, problem: OnProblem) -> KaspProject | None:
    """One project row; ``None`` when a value is refused (each reported)."""
    got: dict[str, Any] = {}
    ok = True
    for col, name in enumerate(FIELDS):
        raw = row[col] if col < len(row) else None
        try:
            if name == "project":
                got[name] = coerce.text(raw)
                if got[name] is None:
                    raise Refusal("empty (the row has other values)")
            elif name in ("lever", "status"):
                table = LEVER_WORDS[lang] if name == "lever" else KASP_STATUS_WORDS[lang]
                got[name] = coerce.word(raw, table)
                if got[name] is None and name == "lever":
                    raise Refusal("empty")
            else:
                got[name] = _READ[name][0](raw)
        except Refusal as e:
            allowed = {"project": "the project's name", "lever": "one of " + ", ".join(LEVER_WORDS[lang].values()),
                       "status": "one of " + ", ".join(KASP_STATUS_WORDS[lang].values()) + ", or empty"}
            problem(KaspName.PROJECTS, r, col, shown(raw), e.allowed(allowed.get(name) or _READ[name][1]))
            ok = False
    if ok and got["start_year"] > got["end_year"]:
        problem(KaspName.PROJECTS, r, C_END, got["end_year"], f"an end year ≥ the start year {got['start_year']}")
        ok = False
    if not ok:
        return None
    return KaspProject(**{k: ("" if v is None and k in ("goal", "kpi", "owner") else v) for k, v in got.items()
                          if not (k == "status" and v is None)})


def parse_kasp(values: Mapping[str, Any], lang: Lang, problem: OnProblem) -> list[KaspProject] | None:
    """The projects read back; ``None`` when a value is refused (each reported by cell, also a project named
    twice)."""
    block = values.get(KaspName.PROJECTS)
    projects: list[KaspProject] = []
    ok = True
    for r, row in enumerate(block if isinstance(block, list) else []):
        if all(coerce.is_blank(v) for v in row):
            continue
        p = _project(list(row), r, lang, problem)
        if p is not None and any(x.project == p.project for x in projects):
            problem(KaspName.PROJECTS, r, 0, p.project, "a project not named in another row")
            p = None
        ok = ok and p is not None
        if p is not None:
            projects.append(p)
    return projects if ok else None


class KaspSheet(PlanSheet):
    """KASP: its part is a :class:`KaspPart` (projects and horizon)."""

    key = "kasp"
    Names = KaspName
    tables = (KASP_TABLE,)

    def from_databook(self, db: DataBook, data: AccountPlanData) -> KaspPart:
        return KaspPart(projects=tuple(kasp_of(db, data.account.account_id)),
                        horizon=company_settings(db).kasp_horizon)

    def layout(self, data: AccountPlanData, lang: Lang) -> Sheet:
        part = self.get(data) or KaspPart()
        measures = data.kaop.measures if data.kaop is not None else []
        return kasp_sheet(part, data.account.plan_year, measures, lang, data.account.currency)

    def parse(self, values: Mapping[str, Any], data: AccountPlanData, lang: Lang, problem: OnProblem) -> KaspPart:
        part = self.get(data) or KaspPart()
        horizon = values.get(KaspName.HORIZON)
        if isinstance(horizon, int | float) and not isinstance(horizon, bool) and float(horizon).is_integer():
            part = KaspPart(projects=part.projects, horizon=int(horizon))
        found = parse_kasp(values, lang, problem)
        check_measure_links(values, MEASURE_KASP_PROJECT, typed_texts(values, (KaspName.PROJECTS,), 0),
                            "a project's name as on the KASP sheet, or empty", problem)
        return part if found is None else KaspPart(projects=tuple(found), horizon=part.horizon)

    def export(self, data: AccountPlanData) -> Rows:
        part: KaspPart | None = self.get(data)
        aid = data.account.account_id
        return {"kasp": [{"account_id": aid, **p.model_dump(), "goal": p.goal or None, "kpi": p.kpi or None,
                          "owner": p.owner or None} for p in (part.projects if part else ())]}
