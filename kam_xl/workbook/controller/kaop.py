"""The controller's KAOP roll-up and the KAOP data sheet its formulas read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kam_xl.databook import AccountRow, DataBook
from kam_xl.kaop import COST_LABELS, QUARTERS, KaopPeriod, KaopPlan, kaop_plan, year_period
from kam_xl.vocabulary import (
    SCENARIO_WORDS,
    Lang,
    sheet_title,
)
from kam_xl.workbook.controller.common import (
    _headers,
    _missing_note,
    book_currency,
)
from kam_xl.workbook.controller.kind import BuildContext, ControllerSheet
from kam_xl.workbook.layout import Cell, Chart, Print, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.years import plan_year, year_span

# ------------------------------------------------------------------------------------------ KAOP


@dataclass(frozen=True)
class _Kaop:
    """One account's KAOP year with its plan and actual scenarios (drivers and computed plan)."""

    account: AccountRow
    year: int
    rows: dict[str, tuple[list[Any], list[Any]]]
    plans: dict[str, KaopPlan]


def _kaop_accounts(db: DataBook) -> list[_Kaop]:
    out = []
    for a in db.accounts:
        plan_years, actual_years = db.kaop_years(a.account_id, "plan"), db.kaop_years(a.account_id, "actual")
        years = plan_years or actual_years
        if not years:
            continue
        year = plan_year(a.plan_year, years)
        rows = {sc: db.kaop_rows(a.account_id, year, sc) for sc in ("plan", "actual")}
        out.append(_Kaop(account=a, year=year, rows=rows, plans={sc: kaop_plan(*r) for sc, r in rows.items()}))
    return out


@dataclass(frozen=True)
class _KaopYear:
    """Which KAOP year of an account the data sheet shows, and how many driver rows it has (plan and actual)."""

    account: AccountRow
    year: int
    products: int
    costs: int


def _kaop_years(db: DataBook) -> list[_KaopYear]:
    """Per account with KAOP rows: its plan year and the count of its product and cost rows — what places every
    row of the data sheet before any is produced (the rows themselves are read again as they are written)."""
    out = []
    for a in db.accounts:
        years = db.kaop_years(a.account_id, "plan") or db.kaop_years(a.account_id, "actual")
        if not years:
            continue
        year = plan_year(a.plan_year, years)
        out.append(_KaopYear(a, year, *(sum(len(db.rows_for(t, a.account_id, year=year, scenario=sc))
                                            for sc in ("plan", "actual")) for t in ("kaop_products", "kaop_costs"))))
    return out


def _kaop_data_sheet(db: DataBook, items: list[_KaopYear], lang: Lang) -> Sheet:
    """The KAOP drivers of every account's plan year (named blocks ``ctl_data_kaop_products`` and
    ``ctl_data_kaop_costs``, whose columns the roll-up formulas use: :func:`_kaop_refs`); its rows are produced
    one account at a time as they are written (:attr:`Sheet.rows`)."""
    s = Sheet(_t(lang, "KAOP-Daten", "KAOP data"), widths={0: 10, 1: 8, 2: 8, 3: 8, 4: 30, 5: 13, 6: 13, 7: 15},
              freeze=(4, 0), print=Print(printed=False), streamed=True)  # raw data: hidden, not printed
    words = SCENARIO_WORDS[lang]
    s.put(0, 0, sheet_title(lang, _t(lang, "KAOP-Treiber aus dem Datenbuch (Planjahr je Kunde)",
                                     "KAOP drivers from the data book (plan year per account)"),
                            year_span(i.year for i in items), "money", book_currency(i.account for i in items)),
          style="title")
    s.put(1, 0, _t(lang, "Werte des Datenbuchs zur Zeit der Erzeugung. Umsatz = Absatz × Durchschnittspreis; "
                         "Kosten als Betrag oder als Anteil vom Umsatz des Quartals.",
                   "Data-book values at generation time. Revenue = volume × average price; costs as an amount or "
                   "as a rate of the quarter's revenue."), style="note")
    s.put(2, 0, _t(lang, "Produkte", "Products"), style="subtitle")
    _headers(s, 3, 0, ("ID", _t(lang, "Jahr", "Year"), _t(lang, "Szenario", "Scenario"), _t(lang, "Quartal", "Quarter"),
                       _t(lang, "Produkt", "Product"), _t(lang, "Absatz", "Volume"),
                       _t(lang, "Durchschnittspreis", "Average price"), _t(lang, "Umsatz", "Revenue")))
    p_first = 4
    p_last = p_first + max(sum(i.products for i in items), 1) - 1
    s.name_range("ctl_data_kaop_products", p_first, 0, p_last, 7)
    c_head = p_last + 3
    c_first = c_head + 1
    s.name_range("ctl_data_kaop_costs", c_first, 0, c_first + max(sum(i.costs for i in items), 1) - 1, 6)

    def rows() -> Iterator[Cell]:
        out = Sheet(s.name)  # one account's cells at a time
        r = p_first
        for k in items:
            for sc in ("plan", "actual"):
                for p in db.kaop_rows(k.account.account_id, k.year, sc)[0]:
                    for c, v in enumerate((k.account.account_id, k.year, words[sc], p.quarter, p.product)):
                        out.put(r, c, v, style="integer" if c in (1, 3) else "text")
                    out.put(r, 5, p.volume, style="number")
                    out.put(r, 6, p.price, style="money2")
                    out.put(r, 7, formula=f"={s.ref(r, 5)}*{s.ref(r, 6)}", cached=p.revenue, style="money")
                    r += 1
            yield from out.cells
            out.cells.clear()
        out.put(c_head - 1, 0, _t(lang, "Kundenbeziehungskosten", "Relationship costs"), style="subtitle")
        _headers(out, c_head, 0, ("ID", _t(lang, "Jahr", "Year"), _t(lang, "Szenario", "Scenario"),
                                  _t(lang, "Quartal", "Quarter"), _t(lang, "Kostenart", "Category"),
                                  _t(lang, "Betrag", "Amount"), _t(lang, "Anteil vom Umsatz", "Rate of revenue")))
        r = c_first
        for k in items:
            for sc in ("plan", "actual"):
                for c in db.kaop_rows(k.account.account_id, k.year, sc)[1]:
                    for j, v in enumerate((k.account.account_id, k.year, words[sc], c.quarter,
                                           COST_LABELS[c.category][0 if lang == "de" else 1])):
                        out.put(r, j, v, style="integer" if j in (1, 3) else "text")
                    out.put(r, 5, c.amount, style="money")
                    out.put(r, 6, c.rate_of_revenue, style="percent")
                    r += 1
            yield from out.cells
            out.cells.clear()

    s.rows = rows
    return s


def _kaop_refs(data: Sheet) -> dict[str, str]:
    """The column ranges of the KAOP data sheet the roll-up formulas use: ``p0``–``p7`` over the product rows,
    ``c0``–``c6`` over the cost rows."""
    refs = {}
    for prefix, name in (("p", "ctl_data_kaop_products"), ("c", "ctl_data_kaop_costs")):
        first, col0, last, col1 = data.ranges[name]
        refs.update({f"{prefix}{j}": data.ref(first, j, last, j) for j in range(col0, col1 + 1)})
    return refs


KAOP_MEASURES = ("revenue", "total_cost", "profit", "profit_rel")
K_ID, K_NAME, K_YEAR, K_FIRST = 0, 1, 2, 3  # then per measure five columns: Q1–Q4, year


def _kcol(m: int, period: int) -> int:
    """Column of measure ``m`` (index into KAOP_MEASURES) and period 0–3 (Q1–Q4) or 4 (year)."""
    return K_FIRST + 5 * m + period


def _period_value(p: KaopPeriod | None, measure: str) -> float | None:
    return None if p is None else getattr(p, measure)


def _kaop_block(s: Sheet, top: int, scenario: str, items: list[_Kaop], refs: dict[str, str], lang: Lang) -> int:
    """A plan or actual block: one row per account, a total row; returns the next free row."""
    word = SCENARIO_WORDS[lang][scenario]
    labels = {"revenue": _t(lang, "Umsatz", "Revenue"), "total_cost": _t(lang, "Gesamtkosten", "Total cost"),
              "profit": _t(lang, "Profitabilität absolut", "Profit"),
              "profit_rel": _t(lang, "Profitabilität relativ", "Profit %")}
    s.put(top, 0, _t(lang, "PLAN", "PLAN") if scenario == "plan" else _t(lang, "IST", "ACTUAL"), style="subtitle")
    for m, measure in enumerate(KAOP_MEASURES):
        s.put(top + 1, _kcol(m, 0), labels[measure], style="bold")
    _headers(s, top + 2, 0, ("ID", _t(lang, "Kunde", "Account"), _t(lang, "Planjahr", "Plan year"),
                             *([f"Q{q}" for q in QUARTERS] + [_t(lang, "Gesamtjahr", "Full year")])
                             * len(KAOP_MEASURES)))
    first = top + 3
    last = first + len(items) - 1
    pa, py, ps, pq, prev = refs["p0"], refs["p1"], refs["p2"], refs["p3"], refs["p7"]
    ca, cy, cs, cq, cam, crt = refs["c0"], refs["c1"], refs["c2"], refs["c3"], refs["c5"], refs["c6"]
    for i, k in enumerate(items):
        r = first + i
        plan = k.plans[scenario]
        s.put(r, K_ID, k.account.account_id, style="bold")
        s.put(r, K_NAME, k.account.name)
        s.put(r, K_YEAR, k.year, style="integer")
        a, y = s.ref(r, K_ID), s.ref(r, K_YEAR)
        for j, q in enumerate(QUARTERS):
            per = plan.quarters.get(q)
            pm = f'({pa}={a})*({py}={y})*({ps}="{word}")*({pq}={q})'
            cm = f'({ca}={a})*({cy}={y})*({cs}="{word}")*({cq}={q})'
            rev, cost, profit = (s.ref(r, _kcol(m, j)) for m in range(3))
            s.put(r, _kcol(0, j), formula=f'=IF(SUMPRODUCT({pm})+SUMPRODUCT({cm})=0,"",SUMPRODUCT({pm}*{prev}))',
                  cached=_period_value(per, "revenue"), style="money")
            s.put(r, _kcol(1, j), formula=f'=IF({rev}="","",SUMPRODUCT({cm}*{cam})+{rev}*SUMPRODUCT({cm}*{crt}))',
                  cached=_period_value(per, "total_cost"), style="money")
            s.put(r, _kcol(2, j), formula=f'=IF({rev}="","",{rev}-{cost})', cached=_period_value(per, "profit"),
                  style="money")
            s.put(r, _kcol(3, j), formula=f'=IF(N({rev})=0,"",{profit}/{rev})', cached=_period_value(per, "profit_rel"),
                  style="percent")
        year = plan.year if plan.quarters else None
        _year_cells(s, r, year)
    total_row = last + 1
    s.put(total_row, K_NAME, _t(lang, "Summe aller Kunden", "Total of all accounts"), style="level_label")
    for j, q in enumerate(QUARTERS):
        periods = [k.plans[scenario].quarters[q] for k in items if q in k.plans[scenario].quarters]
        cons = year_period([], periods) if periods else None
        rng = s.ref(first, _kcol(0, j), last, _kcol(0, j))
        rev, cost = s.ref(total_row, _kcol(0, j)), s.ref(total_row, _kcol(1, j))
        s.put(total_row, _kcol(0, j), formula=f'=IF(COUNT({rng})=0,"",SUM({rng}))',
              cached=_period_value(cons, "revenue"), style="level_money")
        rng = s.ref(first, _kcol(1, j), last, _kcol(1, j))
        s.put(total_row, _kcol(1, j), formula=f'=IF({rev}="","",SUM({rng}))', cached=_period_value(cons, "total_cost"),
              style="level_money")
        s.put(total_row, _kcol(2, j), formula=f'=IF({rev}="","",{rev}-{cost})', cached=_period_value(cons, "profit"),
              style="level_money")
        s.put(total_row, _kcol(3, j), formula=f'=IF(N({rev})=0,"",{s.ref(total_row, _kcol(2, j))}/{rev})',
              cached=_period_value(cons, "profit_rel"), style="level_percent")
    years = [k.plans[scenario].year for k in items if k.plans[scenario].quarters]
    prefix = f"ctl_kaop_{scenario}"
    _year_cells(s, total_row, year_period([], years) if years else None, total_names=f"{prefix}_total")
    s.name_range(prefix, first, 0, total_row, _kcol(3, 4))
    for m, measure in enumerate(KAOP_MEASURES):
        s.name_range(f"{prefix}_{measure}", first, _kcol(m, 0), last, _kcol(m, 4))
        s.name_range(f"{prefix}_total_{measure}_row", total_row, _kcol(m, 0), total_row, _kcol(m, 4))
    return total_row + 2


def _year_cells(s: Sheet, r: int, year: KaopPeriod | None, total_names: str | None = None) -> None:
    """The year column of each measure: flows are sums of the quarters, relative = year profit ÷ year revenue.
    On the total row (``total_names`` given) the cells are named ``<total_names>_<measure>``."""
    q = {m: s.ref(r, _kcol(m, 0), r, _kcol(m, 3)) for m in range(3)}
    rev, cost = s.ref(r, _kcol(0, 4)), s.ref(r, _kcol(1, 4))
    money, pct = ("level_money", "level_percent") if total_names else ("money", "percent")
    formulas = (f'=IF(COUNT({q[0]})=0,"",SUM({q[0]}))', f'=IF({rev}="","",SUM({q[1]}))',
                f'=IF({rev}="","",{rev}-{cost})', f'=IF(N({rev})=0,"",{s.ref(r, _kcol(2, 4))}/{rev})')
    for m, (measure, formula) in enumerate(zip(KAOP_MEASURES, formulas, strict=True)):
        s.put(r, _kcol(m, 4), formula=formula, cached=_period_value(year, measure), style=pct if m == 3 else money,
              name=f"{total_names}_{measure}" if total_names else None)


def _kaop_sheet(items: list[_Kaop], refs: dict[str, str] | None, lang: Lang) -> Sheet:
    # each measure's Q1–Q4 and full year print on one page wide, under their measure's label
    groups = tuple((_kcol(m, 0), _kcol(m, 4)) for m in range(len(KAOP_MEASURES)))
    s = Sheet("KAOP", widths={0: 10, 1: 30, 2: 9, **{c: 12 for c in range(3, 23)}}, freeze=(0, 2),
              print=Print(groups=groups))
    s.put(0, 0, sheet_title(lang, _t(lang, "KAOP – Plan und Ist aller Kunden je Quartal",
                                     "KAOP – plan and actual of all accounts by quarter"),
                            year_span(i.year for i in items), "money", book_currency(i.account for i in items)),
          style="title")
    if not items or refs is None:
        _missing_note(s, 1, lang, "kaop_products / kaop_costs")
        return s
    s.put(1, 0, _t(lang, "Je Kunde das Planjahr; Umsatz, Kosten und Profitabilität rechnen Formeln aus den Treibern "
                         "auf „KAOP-Daten“. Ein Quartal ohne Daten bleibt leer (im Ist: noch offen).",
                   "Each account's plan year; revenue, cost and profit are formulas over the drivers on 'KAOP "
                   "data'. A quarter without data stays empty (in the actual block: still open)."), style="note")
    r = _kaop_block(s, 3, "plan", items, refs, lang)
    plan_total = r - 2
    r = _kaop_block(s, r + 1, "actual", items, refs, lang)
    actual_total = r - 2
    cats = "=" + s.ref(5, _kcol(0, 0), 5, _kcol(0, 3))
    s.charts.append(Chart(
        kind="column", title=_t(lang, "Umsatz aller Kunden: Plan vs. Ist", "Revenue of all accounts: plan vs. actual"),
        series=({"name": "Plan", "categories": cats,
                 "values": "=" + s.ref(plan_total, _kcol(0, 0), plan_total, _kcol(0, 3)), "fill": {"color": "#8EA9DB"}},
                {"name": _t(lang, "Ist", "Actual"), "categories": cats,
                 "values": "=" + s.ref(actual_total, _kcol(0, 0), actual_total, _kcol(0, 3)),
                 "fill": {"color": "#1F3864"}}),
        anchor=(r + 1, 1), size=(560, 320),
        options={"y_axis": {"num_format": "#,##0", "min": 0}, "legend": {"position": "bottom"}}))
    return s


class KaopDataSheet(ControllerSheet):
    """``KAOP-Daten`` / ``KAOP data``: the drivers of every account's plan year (no sheet without KAOP data)."""

    key = "kaop_data"

    def build(self, ctx: BuildContext) -> list[Sheet]:
        items = _kaop_years(ctx.db)
        return [_kaop_data_sheet(ctx.db, items, ctx.lang)] if items else []


class KaopSheet(ControllerSheet):
    """``KAOP``: plan and actual roll-up by quarter over the KAOP data sheet."""

    key = "kaop"
    needs = ("kaop_data",)

    def build(self, ctx: BuildContext) -> Sheet:
        data = ctx.sheet("kaop_data")
        return _kaop_sheet(_kaop_accounts(ctx.db), _kaop_refs(data) if data else None, ctx.lang)
