"""The account plan: one workbook per key account, built as a :class:`~kam_xl.workbook.layout.Book`.

Sheets (German by default, English with ``lang="en"``):

* ``Deckblatt`` / ``Cover`` — master data, supplier role and status (inputs), key figures;
* ``Kgb`` — the Kgb scorecards of the account's procurement segments (seed 001);
* ``CDB`` — the CDB I–III statement (seed 000) with activity-based cost lines;
* ``KAOP`` — the key account operating plan with quarterly targets, plan vs actual, goals and measures
  (seed 000 Tabelle 8, seed 003);
* ``Excellence`` — the criteria of the account-level dimensions Leistungsmanagement and Beziehungspflege
  (seed 000 Tabelle 9 and 12) with their guiding questions as planning prompts.

Every number a KAM sees is a native formula whose cached value is computed by :mod:`kam_xl.cdb` and
:mod:`kam_xl.portfolio`; the recalculation test proves LibreOffice gets the same.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kam_xl.cdb import STAGES, STATEMENT_LINES, ActivityLine, CdbInput, CdbStatement, cdb_statement
from kam_xl.cells import CellError
from kam_xl.databook import ACCOUNT_STATUSES, AccountRow, DataBook
from kam_xl.excellence import Response, load_catalogue
from kam_xl.kgb import SUPPLIER_ROLES, KgbCard
from kam_xl.portfolio import HIGH_BAND_THRESHOLD, portfolio_band
from kam_xl.text import clean_text
from kam_xl.vocabulary import BAND_WORDS, STAGE_LABELS, Lang
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.excellence_sheet import excellence_sheet, parse_excellence
from kam_xl.workbook.kaop_sheet import KaopInputs, parse_kaop
from kam_xl.workbook.kgb_sheet import kgb_sheet, parse_kgb
from kam_xl.workbook.layout import KIND_BOUNDS, Book, Input, RowKey, Sheet
from kam_xl.workbook.layout import pick as _t

TEMPLATE_ID = "kam_xl.account_plan"
TEMPLATE_VERSION = "1.0"
ACCOUNT_DIMENSIONS = ("LM", "BP")  # the excellence dimensions rated per account: Leistungsmanagement, Beziehungspflege
ACCOUNT_ROLE = "Account-Plan"  # the role of account-level excellence answers in a collected data book
ACTIVITY_ROWS = 12  # at least this many input rows in the activity block (data first, the rest free)
STATUSES = {"de": ACCOUNT_STATUSES, "en": ("in progress", "submitted", "approved")}
Problem = Callable[[str, int | None, int | None, Any, str], None]



@dataclass(frozen=True)
class AccountPlanData:
    """What an account plan is built from: the account and its CDB inputs of one year."""

    account: AccountRow
    cdb_year: int | None
    cdb: CdbInput | None
    activities: tuple[ActivityLine, ...]
    status: str | None = None
    kgb_cards: tuple[KgbCard, ...] = ()
    kaop: KaopInputs | None = None
    excellence: Response | None = None  # the account-level criteria (ACCOUNT_DIMENSIONS), rated in the plan
    data_book: str = ""  # where the data came from (path or URL without credentials, "demo"): the plan's _meta

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
    def from_databook(cls, db: DataBook, account_id: str) -> AccountPlanData:
        """Take one account's data from a validated data book (latest CDB year)."""
        account = db.account(account_id)
        years = db.cdb_years(account_id)
        found = db.cdb_input(account_id, years[-1]) if years else None
        plan_years = db.kaop_input_years(account_id)
        year = account.plan_year if account.plan_year in plan_years or not plan_years else plan_years[-1]
        kaop = KaopInputs(year=year, plan=db.kaop_rows(account_id, year, "plan"),
                          actual=db.kaop_rows(account_id, year, "actual"),
                          thresholds=db.kaop_thresholds(account_id, year), goals=db.kaop_goals(account_id, year),
                          measures=db.kaop_measures(account_id, year))
        return cls(account=account, cdb_year=years[-1] if years else None, status=account.status,
                   excellence=db.response_of(account_id, ACCOUNT_ROLE),
                   cdb=found[0] if found else None, activities=tuple(found[1]) if found else (),
                   kgb_cards=tuple(db.kgb_cards(account_id)) if db.table("kgb") is not None else (), kaop=kaop)


def _cdb_sheet(data: AccountPlanData, lang: Lang) -> tuple[Sheet, CdbStatement]:
    s = Sheet("CDB", widths={0: 44, 1: 16, 2: 16, 3: 20, 4: 18}, freeze=(3, 0))
    amounts = data.cdb or CdbInput(gross_sales=0)
    st = cdb_statement(amounts, list(data.activities))
    year = data.cdb_year if data.cdb_year is not None else data.account.plan_year
    s.put(0, 0, _t(lang, f"Kundendeckungsbeitrag I–III {year}", f"Customer contribution margin I–III {year}"),
          style="title")
    s.put(1, 0, _t(lang, "Gelbe Zellen sind Eingaben; alles andere rechnet das Blatt.",
                   "Yellow cells are inputs; the sheet computes everything else."), style="note")
    for col, head in enumerate((_t(lang, "Position", "Line"), _t(lang, "Betrag", "Amount"),
                                _t(lang, "aus Aktivitäten", "from activities"), _t(lang, "Gesamt", "Total"),
                                _t(lang, "% vom Nettoumsatz", "% of net sales"))):
        s.put(2, col, head, style="header")

    # activity block first (its ranges are used by the statement's SUMIFs)
    first = 3 + len(STATEMENT_LINES) + 3
    s.put(first - 2, 0, _t(lang, "Prozesskosten (Aktivitäten)", "Activity-based costs"), style="subtitle")
    for col, head in enumerate((_t(lang, "Aktivität", "Activity"), _t(lang, "Stufe", "Stage"),
                                _t(lang, "Treibermenge", "Driver quantity"),
                                _t(lang, "Kostensatz je Einheit", "Cost rate per unit"),
                                _t(lang, "Kosten", "Cost"))):
        s.put(first - 1, col, head, style="header")
    stage_words = [STAGE_LABELS[x][0 if lang == "de" else 1] for x in STAGES]
    n_rows = max(ACTIVITY_ROWS, len(data.activities) + 3)  # never cut lines, always leave free rows
    last = first + n_rows - 1
    for i in range(n_rows):
        r = first + i
        act = data.activities[i] if i < len(data.activities) else None
        s.put(r, 0, act.activity if act else None, style="text",
              input=Input(kind="text", title=_t(lang, "Aktivität", "Activity"),
                          message=_t(lang, "Name der Aktivität, z. B. Technikumsversuche",
                                     "Name of the activity, e.g. pilot plant trials")))
        s.put(r, 1, STAGE_LABELS[act.stage][0 if lang == "de" else 1] if act else None, style="text",
              input=Input(kind="list", choices=tuple(stage_words), title=_t(lang, "Stufe", "Stage"),
                          message=_t(lang, "Stufe: ", "Stage: ") + ", ".join(stage_words)))
        s.put(r, 2, act.driver_quantity if act else None, style="number2",
              input=Input(kind="amount", title=_t(lang, "Treibermenge", "Driver quantity"),
                          message=_t(lang, "Eine Zahl ≥ 0", "A number ≥ 0")))
        s.put(r, 3, act.cost_rate if act else None, style="money2",
              input=Input(kind="amount", title=_t(lang, "Kostensatz", "Cost rate"),
                          message=_t(lang, "Kosten je Treibereinheit, ≥ 0", "Cost per driver unit, ≥ 0")))
        s.put(r, 4, formula=f"={s.ref(r, 2)}*{s.ref(r, 3)}", cached=act.amount if act else 0.0, style="money")
    stage_range = s.name_range("cdb_act_stage", first, 1, last, 1)
    s.name_range("cdb_act_activity", first, 0, last, 0)
    s.name_range("cdb_act_quantity", first, 2, last, 2)
    s.name_range("cdb_act_rate", first, 3, last, 3)
    cost_range = s.name_range("cdb_act_cost", first, 4, last, 4)
    s.keys.append(RowKey("cdb_act_activity", ("cdb_act_activity", "cdb_act_stage", "cdb_act_quantity", "cdb_act_rate")))

    totals: dict[str, str] = {}
    net_ref = s.ref(3 + [f for f, *_ in STATEMENT_LINES].index("net_sales"), 3)
    for i, (field, de, en, kind) in enumerate(STATEMENT_LINES):
        r = 3 + i
        label_style = "level_label" if kind == "level" else "label"
        s.put(r, 0, de if lang == "de" else en, style=label_style)
        value = float(getattr(st, field))
        if kind == "level":
            formula = {"net_sales": "={gross_sales}-{deductions}",
                       "cdb_i": "={net_sales}-{product_cost}-{freight}",
                       "cdb_ii": "={cdb_i}-{development_cost}-{production_cost}",
                       "cdb_iii": "={cdb_ii}-{service_cost}-{sales_cost}"}[field].format(**totals)
            s.put(r, 3, formula=formula, cached=value, style="level_money", name=f"cdb_{field}")
        else:
            s.put(r, 1, getattr(amounts, field), style="money",
                  name=f"cdb_in_{field}", input=Input(kind="amount", title=de[:32],
                                                      message=_t(lang, "Betrag ≥ 0", "Amount ≥ 0")))
            stage = field.removesuffix("_cost")
            if stage in STAGES:
                word = STAGE_LABELS[stage][0 if lang == "de" else 1]  # type: ignore[index]
                s.put(r, 2, formula=f'=SUMIF({stage_range},"{word}",{cost_range})',
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
    return s, st


def status_word(status: str | None, lang: Lang) -> str | None:
    """A plan status in ``lang`` (given in either language; ``None`` stays ``None``, an unknown word as it is).

    >>> status_word("submitted", "de"), status_word("abgegeben", "en")
    ('abgegeben', 'submitted')
    """
    for words in STATUSES.values():
        if status in words:
            return STATUSES[lang][words.index(status)]
    return status


def _cover_sheet(data: AccountPlanData, st: CdbStatement, lang: Lang) -> Sheet:
    a = data.account
    s = Sheet(_t(lang, "Deckblatt", "Cover"), widths={0: 30, 1: 40})
    s.put(0, 0, _t(lang, "Account-Plan", "Account plan") + f" — {a.name}", style="title")
    rows = ((_t(lang, "Account-ID", "Account ID"), a.account_id, "acc_id"),
            (_t(lang, "Kunde", "Customer"), a.name, "acc_name"),
            (_t(lang, "Region", "Region"), a.region, "acc_region"),
            (_t(lang, "Geschäftsbereich", "Business unit"), a.business_unit, "acc_business_unit"),
            ("Key-Account-Manager", a.kam, "acc_kam"),
            (_t(lang, "Währung", "Currency"), a.currency, "acc_currency"),
            (_t(lang, "Planjahr", "Plan year"), a.plan_year, "acc_plan_year"))
    for i, (label, value, name) in enumerate(rows, start=2):
        s.put(i, 0, label, style="label")
        s.put(i, 1, value or None, style="text", name=name)  # the empty template has blanks here
    r = 2 + len(rows)
    s.put(r, 0, _t(lang, "Lieferantenrolle", "Supplier role"), style="label")
    s.put(r, 1, a.supplier_role, style="text", name="acc_supplier_role",
          input=Input(kind="list", choices=SUPPLIER_ROLES, title=_t(lang, "Lieferantenrolle", "Supplier role"),
                      message=", ".join(SUPPLIER_ROLES)))
    s.put(r + 1, 0, "Status", style="label")
    s.put(r + 1, 1, status_word(data.status, lang) or STATUSES[lang][0], style="text", name="acc_status",
          input=Input(kind="list", choices=STATUSES[lang], title="Status", message=", ".join(STATUSES[lang])))
    r += 3
    s.put(r, 0, _t(lang, "Kennzahlen", "Key figures"), style="subtitle")
    s.put(r + 1, 0, _t(lang, "Nettoumsatz", "Net sales"), style="label")
    s.put(r + 1, 1, formula="=cdb_net_sales", cached=st.net_sales, style="money")
    s.put(r + 2, 0, _t(lang, "Kundendeckungsbeitrag III", "Contribution margin III"), style="label")
    s.put(r + 2, 1, formula="=cdb_cdb_iii", cached=st.cdb_iii, style="money")
    s.put(r + 3, 0, _t(lang, "CDB III in % vom Nettoumsatz", "CDB III in % of net sales"), style="label")
    s.put(r + 3, 1, formula="=cdb_cdb_iii_rel", cached=st.cdb_iii_rel, style="percent")
    words = BAND_WORDS[lang]
    band = portfolio_band(st.cdb_iii_rel)
    s.put(r + 4, 0, _t(lang, "Portfolio-Band", "Portfolio band"), style="label")
    s.put(r + 4, 1, formula=(f'=IF(cdb_cdb_iii_rel="","",IF(cdb_cdb_iii_rel>{HIGH_BAND_THRESHOLD},'
                             f'"{words["high"]}",IF(cdb_cdb_iii_rel>=0,"{words["mid"]}","{words["loss"]}")))'),
          cached=words[band] if band else None, style="bold", name="acc_band")
    return s


def account_plan(data: AccountPlanData, lang: Lang = "de", generated_at: datetime | None = None) -> Book:
    """The account plan layout of one account."""
    cdb, st = _cdb_sheet(data, lang)
    cover = _cover_sheet(data, st, lang)
    kgb = kgb_sheet(list(data.kgb_cards), lang)
    kaop = (data.kaop or KaopInputs(year=data.account.plan_year, plan=([], []), actual=([], []))).sheet(lang)
    excellence = excellence_sheet(load_catalogue(), list(ACCOUNT_DIMENSIONS), data.excellence, lang, "Excellence")
    when = (generated_at or datetime.now(UTC)).isoformat(timespec="seconds")
    return Book(template_id=TEMPLATE_ID, template_version=TEMPLATE_VERSION,
                sheets=[cover, kgb, cdb, kaop, excellence], lang=lang,
                meta={"account_id": data.account.account_id, "generated_at": when,
                      "cdb_year": "" if data.cdb_year is None else str(data.cdb_year),
                      "title": f"Account-Plan {data.account.name}",
                      # the data book it was generated from (none for an empty template): collect's default
                      **({"data_book": data.data_book} if data.data_book else {})})


_AMOUNT = KIND_BOUNDS["amount"]


def _choice(values: Mapping[str, Any], name: str, choices: tuple[str, ...], default: Any, problem: Problem) -> Any:
    """A drop-down cell: the offered word (``None`` when empty, ``default`` when the name is missing or the
    value is refused, which goes to ``problem``)."""
    if name not in values:
        return default
    raw = values[name]
    try:
        return coerce.choice(raw, choices)
    except Refusal as e:
        problem(name, None, None, shown(raw), e.allowed("one of " + ", ".join(choices)))
        return default


def _activities(values: Mapping[str, Any], lang: Lang, problem: Problem) -> list[ActivityLine] | None:
    """The activity rows of the CDB sheet (``None`` when the values hold none); rows left blank are skipped,
    a row with a refused value is left out (and reported)."""
    columns = [values.get(n) or [] for n in ("cdb_act_activity", "cdb_act_stage", "cdb_act_quantity",
                                              "cdb_act_rate")]
    if not any(columns):
        return None
    stage_of = {STAGE_LABELS[x][0 if lang == "de" else 1]: x for x in STAGES}
    activities = []
    for i in range(max(len(c) for c in columns)):
        cells = [c[i][0] if i < len(c) and c[i] else None for c in columns]
        if all(coerce.is_blank(v) for v in cells):
            continue
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
        if ok:
            activities.append(ActivityLine(activity=activity, stage=stage_of[stage],  # type: ignore[arg-type,index]
                                           driver_quantity=numbers[0], cost_rate=numbers[1]))
    return activities


def parse_inputs(values: Mapping[str, Any], base: AccountPlanData, lang: Lang, problem: Problem) -> AccountPlanData:
    """Turn the account plan's inputs (by defined name) back into models, on top of ``base`` (the data).

    Every value that breaks a rule is passed to ``problem(name, row, col, value, what is allowed)`` and the
    data's value is kept for it, so one bad cell never stops the rest from being read. Cells are read with
    :mod:`kam_xl.workbook.coerce`: an error value or a formula without its result is a problem (never empty
    or 0), a CDB amount left empty is a problem ("type 0 for none"), texts follow the one text rule and
    drop-down words are matched as the drop-down shows them.
    """
    account = base.account
    role = _choice(values, "acc_supplier_role", SUPPLIER_ROLES, account.supplier_role, problem)
    status = _choice(values, "acc_status", STATUSES[lang], base.status, problem)
    amounts = (base.cdb or CdbInput(gross_sales=0)).model_dump()
    for field, *_ in STATEMENT_LINES:
        name = f"cdb_in_{field}"
        if name not in values:
            continue
        raw = values[name]
        try:
            amounts[field] = coerce.number(raw, *_AMOUNT, required=True)
        except Refusal as e:
            problem(name, None, None, shown(raw), e.allowed("an amount ≥ 0"))
    activities = _activities(values, lang, problem)
    cards = (parse_kgb(values, account.account_id, role, problem)
             if "kgb_1_segment" in values else list(base.kgb_cards))
    kaop = parse_kaop(values, lang, problem) or base.kaop
    excellence = base.excellence
    if f"exc_{ACCOUNT_DIMENSIONS[0]}_ratings" in values:
        excellence = parse_excellence(values, load_catalogue(), list(ACCOUNT_DIMENSIONS), account.account_id,
                                      ACCOUNT_ROLE, problem)
    return AccountPlanData(account=account.model_copy(update={"supplier_role": role}), cdb_year=base.cdb_year,
                           cdb=CdbInput(**amounts),
                           activities=tuple(base.activities if activities is None else activities), status=status,
                           kgb_cards=tuple(cards), kaop=kaop, excellence=excellence, data_book=base.data_book)
