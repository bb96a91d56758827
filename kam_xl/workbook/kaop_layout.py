"""The KAOP sheet: the key account operating plan of one account and plan year, laid out like Tabelle 8 of
seed 000 (columns Q1–Q4 and the year).

Blocks, top to bottom (German by default, English with ``lang="en"``):

* traffic-light thresholds (inputs ``kaop_threshold_green`` / ``kaop_threshold_amber``);
* PLAN and IST/ACTUAL, each in Tabelle 8's order: relationship profitability (absolute, relative), relationship
  costs per category and in total, revenue in total and per product, then the drivers a KAM types — volume
  (Absatz), average price (Durchschnittspreis), share of wallet per product and the cost inputs per category
  (a drop-down amount / % of revenue and one value per quarter). A quarter of a block counts only when one of
  its drivers is filled; an empty quarter shows no figures (that is how the actual block marks open quarters);
* PLAN VS. IST: per quarter, year-to-date over the closed quarters (those whose actual revenue is filled,
  derived by formula, so typing Q3 actuals closes Q3) and the rolling forecast of the year (actuals of closed
  quarters + plan of open ones) for revenue, total cost and profit: variance, attainment and a traffic light
  (costs mirrored, as :func:`kam_xl.kaop.traffic_light`);
* potential goals (Potenzialziele) and measures (Maßnahmen) along the 6-P levers, as input tables;
* a column chart of plan and actual revenue per quarter.

Every number is a native formula whose cached value comes from :func:`kam_xl.kaop.kaop_plan`,
:func:`kam_xl.kaop.compare`, :func:`kam_xl.kaop.traffic_light` and :meth:`kam_xl.kaop.PotentialGoal.attainment`;
every input lies in a named cell or range (``kaop_plan_volume`` …), which is how a filled workbook is read back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from kam_xl.kaop import (
    COST_CATEGORIES,
    COST_LABELS,
    LEVERS,
    MEASURE_STATUSES,
    QUARTERS,
    CostBasis,
    CostCategory,
    CostQuarter,
    KaopComparison,
    KaopMeasure,
    KaopPlan,
    PotentialGoal,
    ProductQuarter,
    Thresholds,
    compare,
    cost_lines,
    kaop_plan,
)
from kam_xl.vocabulary import LEVER_WORDS, LIGHT_FORMATS, LIGHT_WORDS, MEASURE_STATUS_WORDS, Lang, sheet_title
from kam_xl.workbook.layout import Chart, Conditional, Input, RowKey, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.printing import PERCENT_FORMAT

SHEET_NAME = "KAOP"
GOAL_ROWS = 5  # empty rows of the potential-goal table (after the goals given)
MEASURE_ROWS = 8  # empty rows of the measure table (after the measures given)
BASIS_WORDS: dict[Lang, dict[CostBasis, str]] = {"de": {"amount": "Betrag", "rate": "% vom Umsatz"},
                                                 "en": {"amount": "amount", "rate": "% of revenue"}}
STATUS_WORDS = MEASURE_STATUS_WORDS
GREEN, AMBER = "kaop_threshold_green", "kaop_threshold_amber"
#: The range of the traffic-light thresholds (actual ÷ plan) — their data validation and the reader.
THRESHOLD_BOUNDS: tuple[float, float] = (0.01, 10)
THRESHOLDS_ALLOWED = (f"an attainment from {THRESHOLD_BOUNDS[0] * 100:g} % to {THRESHOLD_BOUNDS[1] * 100:g} %, "
                      "e.g. 100 %")

# columns: label, cost basis, Q1–Q4, year (YTD in the comparison), forecast (comparison only)
C_LABEL, C_BASIS, C_YEAR, C_FORECAST = 0, 1, 6, 7
C_Q = {q: 1 + q for q in QUARTERS}



@dataclass(frozen=True)
class _Rows:
    """Row numbers of one scenario block (each row worked out once: a block asks for them thousands of times)."""

    top: int
    products: int  # number of product rows

    @property
    def header(self) -> int:
        return self.top + 1

    @property
    def profit(self) -> int:
        return self.top + 3

    @property
    def profit_rel(self) -> int:
        return self.top + 4

    def cost(self, i: int) -> int:
        return self.top + 6 + i

    @cached_property
    def total_cost(self) -> int:
        return self.top + 6 + len(COST_CATEGORIES)

    @cached_property
    def revenue(self) -> int:
        return self.total_cost + 2

    def product_revenue(self, i: int) -> int:
        return self.revenue + 1 + i

    @cached_property
    def _volume0(self) -> int:
        return self.revenue + self.products + 2

    def volume(self, i: int) -> int:
        return self._volume0 + i

    @cached_property
    def _price0(self) -> int:
        return self._volume0 + self.products + 1

    def price(self, i: int) -> int:
        return self._price0 + i

    @cached_property
    def _sow0(self) -> int:
        return self._price0 + self.products + 1

    def sow(self, i: int) -> int:
        return self._sow0 + i

    @cached_property
    def _cost_input0(self) -> int:
        return self._sow0 + self.products + 1

    def cost_input(self, i: int) -> int:
        return self._cost_input0 + i

    @property
    def end(self) -> int:
        """First row after the block."""
        return self.cost_input(len(COST_CATEGORIES))


def _input_rows(products: list[ProductQuarter]) -> dict[tuple[str, int], ProductQuarter]:
    return {(r.product, r.quarter): r for r in products}


def _rng(s: Sheet, first: int, last: int, col: int) -> str:
    return s.ref(first, col, last, col)


def _drivers(s: Sheet, R: _Rows, pre: str, names: list[str | None], rows: list[ProductQuarter],
             lines: dict[CostCategory, tuple[CostBasis, dict[int, float]]], lang: Lang) -> None:
    """The inputs of a block: volume, price and share of wallet per product, cost basis and values per category."""
    words = BASIS_WORDS[lang]
    given = _input_rows(rows)
    n = len(names)
    # --- drivers (inputs) --------------------------------------------------------------------------------
    s.put(R.volume(0) - 1, C_LABEL, _t(lang, "Absatz [Menge]", "Volume [units]"), style="bold")
    s.put(R.price(0) - 1, C_LABEL, _t(lang, "Durchschnittspreis [€]", "Average price [€]"), style="bold")
    s.put(R.sow(0) - 1, C_LABEL, _t(lang, "Share of Wallet [%]", "Share of wallet [%]"), style="bold")
    s.put(R.cost_input(0) - 1, C_LABEL, _t(lang, "Kostenansätze (Betrag in € oder Satz in % vom Umsatz)",
                                           "Cost inputs (amount in € or rate in % of revenue)"), style="bold")
    product = Input(kind="text", title=_t(lang, "Produkt", "Product"),
                    message=_t(lang, "Name des Produkts (gilt für Absatz, Preis und Share of Wallet)",
                               "Product name (for volume, price and share of wallet)"))
    volume = Input(kind="amount", title=_t(lang, "Absatz", "Volume"), message=_t(lang, "Menge ≥ 0", "Quantity ≥ 0"))
    price = Input(kind="amount", title=_t(lang, "Durchschnittspreis", "Average price"),
                  message=_t(lang, "Preis je Mengeneinheit, ≥ 0", "Price per unit, ≥ 0"))
    sow = Input(kind="fraction", title="Share of Wallet",
                message=_t(lang, "Anteil am Bedarf des Kunden, 0–100 %", "Share of the customer's demand, 0–100 %"))
    for i, p in enumerate(names):
        s.put(R.volume(i), C_LABEL, p, style="text", input=product)
        name_ref = s.ref(R.volume(i), C_LABEL)
        for r in (R.product_revenue(i), R.price(i), R.sow(i)):
            s.put(r, C_LABEL, formula=f'=IF({name_ref}="","",{name_ref})', cached=p, style="text")
        for q in QUARTERS:
            row = given.get((p, q)) if p is not None else None
            s.put(R.volume(i), C_Q[q], row.volume if row else None, style="number", input=volume)
            s.put(R.price(i), C_Q[q], row.price if row else None, style="money", input=price)
            s.put(R.sow(i), C_Q[q], row.share_of_wallet if row else None, style="percent", input=sow)
    basis_choices = (words["amount"], words["rate"])
    first_q, last_q = C_Q[1], C_Q[4]
    basis_input = Input(kind="list", choices=basis_choices, title=_t(lang, "Ansatz", "Basis"),
                        message=" / ".join(basis_choices))
    for i, c in enumerate(COST_CATEGORIES):
        r = R.cost_input(i)
        basis, values = lines[c]
        s.put(r, C_LABEL, COST_LABELS[c][0 if lang == "de" else 1], style="label")
        s.put(r, C_BASIS, words[basis], style="text", input=basis_input)
        value_input = Input(kind="amount", title=COST_LABELS[c][0 if lang == "de" else 1][:32],
                            message=_t(lang, "Betrag in € ≥ 0, oder bei „% vom Umsatz“ der Satz (z. B. 20 %)",
                                       "Amount in € ≥ 0, or with “% of revenue” the rate (e.g. 20 %)"))
        for q in QUARTERS:
            s.put(r, C_Q[q], values.get(q), style="money", input=value_input)
        s.conditionals.append(Conditional(r, first_q, r, last_q, {
            "type": "formula", "criteria": f'={s.ref(r, C_BASIS).split("!")[1]}="{words["rate"]}"',
            "format": {"num_format": PERCENT_FORMAT}}))
    last = n - 1
    s.name_range(pre + "products", R.volume(0), C_LABEL, R.volume(last), C_LABEL)
    s.name_range(pre + "volume", R.volume(0), first_q, R.volume(last), last_q)
    s.name_range(pre + "price", R.price(0), first_q, R.price(last), last_q)
    s.name_range(pre + "sow", R.sow(0), first_q, R.sow(last), last_q)
    s.name_range(pre + "cost_type", R.cost_input(0), C_BASIS, R.cost_input(len(COST_CATEGORIES) - 1), C_BASIS)
    s.name_range(pre + "cost_value", R.cost_input(0), first_q, R.cost_input(len(COST_CATEGORIES) - 1), last_q)
    s.keys.append(RowKey(pre + "products", tuple(pre + k for k in ("products", "volume", "price", "sow"))))



def _revenue(s: Sheet, R: _Rows, pre: str, names: list[str | None], kp: KaopPlan, lang: Lang
             ) -> tuple[dict[int, str], str]:
    """Revenue per quarter, per product and for the year; returns the quarter cells and the year cell."""
    first_q, last_q = C_Q[1], C_Q[4]
    last = len(names) - 1
    # --- revenue ---------------------------------------------------------------------------------------
    s.put(R.revenue - 1, C_LABEL, _t(lang, "Umsatz [€]", "Revenue [€]"), style="bold")
    s.put(R.revenue, C_LABEL, _t(lang, "Umsatz gesamt", "Total revenue"), style="level_label")
    rev: dict[int, str] = {}
    for q in QUARTERS:
        col = C_Q[q]
        vol, price = _rng(s, R.volume(0), R.volume(last), col), _rng(s, R.price(0), R.price(last), col)
        cost_values = _rng(s, R.cost_input(0), R.cost_input(len(COST_CATEGORIES) - 1), col)
        per = kp.quarters.get(q)
        s.put(R.revenue, col, formula=f'=IF(COUNT({vol},{price},{cost_values})=0,"",SUMPRODUCT({vol},{price}))',
              cached=per.revenue if per else None, style="level_money")
        rev[q] = s.ref(R.revenue, col)
        for i, p in enumerate(names):
            v, pr = s.ref(R.volume(i), col), s.ref(R.price(i), col)
            # a spare row (no product yet) stays blank until its volume or price is typed, not 0 €
            blank = f'{rev[q]}=""' if p is not None else f'OR({rev[q]}="",COUNT({v},{pr})=0)'
            s.put(R.product_revenue(i), col, formula=f'=IF({blank},"",{v}*{pr})',
                  cached=(per.revenue_by_product.get(p, 0.0) if p is not None else None) if per else None,
                  style="money")
    s.put(R.revenue, C_YEAR, formula=f"=SUM({s.ref(R.revenue, first_q, R.revenue, last_q)})",
          cached=kp.year.revenue, style="level_money")
    rev_year = s.ref(R.revenue, C_YEAR)
    for i, p in enumerate(names):
        revs, vols = (s.ref(R.product_revenue(i), first_q, R.product_revenue(i), last_q),
                      s.ref(R.volume(i), first_q, R.volume(i), last_q))
        # a spare row's year stays blank while its quarters are (a product row's year is its sum, 0 included)
        s.put(R.product_revenue(i), C_YEAR,
              formula=f"=SUM({revs})" if p is not None else f'=IF(COUNT({revs})=0,"",SUM({revs}))',
              cached=kp.year.revenue_by_product.get(p, 0.0) if p is not None else None, style="money")
        vol_year = s.ref(R.volume(i), C_YEAR)
        s.put(R.volume(i), C_YEAR,
              formula=f"=SUM({vols})" if p is not None else f'=IF(COUNT({vols})=0,"",SUM({vols}))',
              cached=kp.year.volume.get(p, 0.0) if p is not None else None, style="number")
        s.put(R.price(i), C_YEAR,
              formula=f'=IF(N({vol_year})=0,"",{s.ref(R.product_revenue(i), C_YEAR)}/{vol_year})',
              cached=kp.year.price.get(p) if p is not None else None, style="money")
        sows = s.ref(R.sow(i), first_q, R.sow(i), last_q)
        s.put(R.sow(i), C_YEAR, formula=f'=IF(COUNT({sows})=0,"",AVERAGE({sows}))',
              cached=kp.year.share_of_wallet.get(p) if p is not None else None, style="percent")
    s.name_range(pre + "revenue", R.revenue, first_q, R.revenue, C_YEAR)
    s.name_range(pre + "product_revenue", R.product_revenue(0), first_q, R.product_revenue(last), C_YEAR)
    s.name_range(pre + "volume_year", R.volume(0), C_YEAR, R.volume(last), C_YEAR)
    s.name_range(pre + "price_year", R.price(0), C_YEAR, R.price(last), C_YEAR)
    s.name_range(pre + "sow_year", R.sow(0), C_YEAR, R.sow(last), C_YEAR)
    return rev, rev_year


def _costs(s: Sheet, R: _Rows, pre: str, lines: dict[CostCategory, tuple[CostBasis, dict[int, float]]],
           kp: KaopPlan, rev: dict[int, str], lang: Lang) -> None:
    """Relationship costs per category (an amount, or a rate of the quarter's revenue) and in total."""
    words = BASIS_WORDS[lang]
    first_q, last_q = C_Q[1], C_Q[4]
    # --- relationship costs ------------------------------------------------------------------------------
    s.put(R.cost(0) - 1, C_LABEL, _t(lang, "Kundenbeziehungskosten [€]", "Relationship costs [€]"), style="bold")
    for i, c in enumerate(COST_CATEGORIES):
        r = R.cost(i)
        s.put(r, C_LABEL, COST_LABELS[c][0 if lang == "de" else 1], style="label")
        s.put(r, C_BASIS, formula=f"={s.ref(R.cost_input(i), C_BASIS)}&\"\"", cached=words[lines[c][0]],
              style="note")
        basis_ref = s.ref(R.cost_input(i), C_BASIS)
        for q in QUARTERS:
            value = s.ref(R.cost_input(i), C_Q[q])
            per = kp.quarters.get(q)
            s.put(r, C_Q[q], formula=f'=IF({rev[q]}="","",IF({basis_ref}="{words["rate"]}",{value}*{rev[q]},'
                                     f"{value}))", cached=per.costs[c] if per else None, style="money")
        s.put(r, C_YEAR, formula=f"=SUM({s.ref(r, first_q, r, last_q)})", cached=kp.year.costs[c], style="money")
    s.put(R.total_cost, C_LABEL, _t(lang, "Gesamt", "Total"), style="level_label")
    for q in QUARTERS:
        per = kp.quarters.get(q)
        s.put(R.total_cost, C_Q[q],
              formula=f'=IF({rev[q]}="","",SUM({_rng(s, R.cost(0), R.cost(len(COST_CATEGORIES) - 1), C_Q[q])}))',
              cached=per.total_cost if per else None, style="level_money")
    s.put(R.total_cost, C_YEAR, formula=f"=SUM({s.ref(R.total_cost, first_q, R.total_cost, last_q)})",
          cached=kp.year.total_cost, style="level_money")
    s.name_range(pre + "cost", R.cost(0), first_q, R.cost(len(COST_CATEGORIES) - 1), C_YEAR)
    s.name_range(pre + "total_cost", R.total_cost, first_q, R.total_cost, C_YEAR)



def _profit(s: Sheet, R: _Rows, pre: str, kp: KaopPlan, rev: dict[int, str], rev_year: str, lang: Lang) -> None:
    """Relationship profitability, absolute and relative to revenue."""
    first_q = C_Q[1]
    # --- relationship profitability ----------------------------------------------------------------------
    s.put(R.profit - 1, C_LABEL, _t(lang, "Kundenbeziehungsprofitabilität", "Relationship profitability"),
          style="bold")
    s.put(R.profit, C_LABEL, _t(lang, "absolut [€]", "absolute [€]"), style="level_label")
    s.put(R.profit_rel, C_LABEL, _t(lang, "relativ [%]", "relative [%]"), style="label")
    for q in QUARTERS:
        per = kp.quarters.get(q)
        tc = s.ref(R.total_cost, C_Q[q])
        s.put(R.profit, C_Q[q], formula=f'=IF({rev[q]}="","",{rev[q]}-{tc})', cached=per.profit if per else None,
              style="level_money")
        profit = s.ref(R.profit, C_Q[q])
        s.put(R.profit_rel, C_Q[q], formula=f'=IF({rev[q]}="","",IF({rev[q]}=0,"",{profit}/{rev[q]}))',
              cached=per.profit_rel if per else None, style="percent")
    s.put(R.profit, C_YEAR, formula=f"={rev_year}-{s.ref(R.total_cost, C_YEAR)}", cached=kp.year.profit,
          style="level_money")
    s.put(R.profit_rel, C_YEAR, formula=f'=IF({rev_year}=0,"",{s.ref(R.profit, C_YEAR)}/{rev_year})',
          cached=kp.year.profit_rel, style="percent")
    s.name_range(pre + "profit", R.profit, first_q, R.profit, C_YEAR)
    s.name_range(pre + "profit_rel", R.profit_rel, first_q, R.profit_rel, C_YEAR)


def _block(s: Sheet, top: int, scenario: Literal["plan", "actual"], names: list[str | None],
           rows: list[ProductQuarter], lines: dict[CostCategory, tuple[CostBasis, dict[int, float]]],
           kp: KaopPlan, year: int, lang: Lang) -> _Rows:
    """One scenario block (plan or actual); returns its row numbers."""
    R = _Rows(top, len(names))
    pre = f"kaop_{scenario}_"
    s.put(top, C_LABEL, _t(lang, f"PLAN {year}", f"PLAN {year}") if scenario == "plan"
          else _t(lang, f"IST {year}", f"ACTUAL {year}"), style="subtitle")
    heads = [_t(lang, "Position", "Line"), _t(lang, "Ansatz", "Basis")]
    heads += [f"Q{q} {year}" for q in QUARTERS] + [_t(lang, f"Gesamt {year}", f"Total {year}")]
    for col, head in enumerate(heads):
        s.put(R.header, col, head, style="header")
    _drivers(s, R, pre, names, rows, lines, lang)
    rev, rev_year = _revenue(s, R, pre, names, kp, lang)
    _costs(s, R, pre, lines, kp, rev, lang)
    _profit(s, R, pre, kp, rev, rev_year, lang)
    return R


def _variance(a: str, p: str) -> str:
    return f'=IF(OR({a}="",{p}=""),"",{a}-{p})'


def _attainment(a: str, p: str) -> str:
    return f'=IF(OR({a}="",{p}=""),"",IF({p}<=0,"",{a}/{p}))'


def _light(a: str, p: str, higher_is_better: bool, lang: Lang) -> str:
    """The formula of :func:`kam_xl.kaop.traffic_light` (words of ``lang``)."""
    g, y, r = (f'"{LIGHT_WORDS[lang][k]}"' for k in ("green", "amber", "red"))
    if higher_is_better:
        loss = f"IF({a}>={p},{g},{r})"
        body = f"IF({a}/{p}>={GREEN},{g},IF({a}/{p}>={AMBER},{y},{r}))"
    else:
        loss = f"IF({a}<={p},{g},{r})"
        body = f"IF({a}/{p}<=2-{GREEN},{g},IF({a}/{p}<=2-{AMBER},{y},{r}))"
    return f'=IF(OR({a}="",{p}=""),"",IF({p}<=0,{loss},{body}))'


def _light_conditionals(s: Sheet, row: int, first: int, last: int, lang: Lang, attainment_row: int) -> None:
    """Colour a light row by its words and the attainment row above it by the same light."""
    anchor = s.ref(row, first).split("!")[1].replace("$", "")
    for key, fmt in LIGHT_FORMATS.items():
        word = LIGHT_WORDS[lang][key]
        s.conditionals.append(Conditional(row, first, row, last, {
            "type": "cell", "criteria": "==", "value": f'"{word}"', "format": dict(fmt)}))
        s.conditionals.append(Conditional(attainment_row, first, attainment_row, last, {
            "type": "formula", "criteria": f'={anchor}="{word}"', "format": dict(fmt)}))


def _comparison(s: Sheet, top: int, plan_rows: _Rows, actual_rows: _Rows, cmp: KaopComparison, year: int,
                lang: Lang) -> int:
    """The plan-vs-actual block; returns the first row after it."""
    s.put(top, C_LABEL, _t(lang, "PLAN VS. IST", "PLAN VS. ACTUAL"), style="subtitle")
    heads = [_t(lang, "Kennzahl", "Figure"), ""] + [f"Q{q} {year}" for q in QUARTERS]
    heads += [_t(lang, "YTD (abgeschl. Quartale)", "YTD (closed quarters)"),
              _t(lang, f"Jahr {year}: Prognose", f"Year {year}: forecast")]
    for col, head in enumerate(heads):
        s.put(top + 1, col, head, style="header")
    closed_row = top + 2
    s.put(closed_row, C_LABEL, _t(lang, "Quartal abgeschlossen (1 = Ist-Umsatz erfasst)",
                                  "Quarter closed (1 = actual revenue entered)"), style="label")
    for q in QUARTERS:
        s.put(closed_row, C_Q[q], formula=f'=IF({s.ref(actual_rows.revenue, C_Q[q])}="",0,1)',
              cached=1 if q in cmp.closed_quarters else 0, style="integer")
    closed = s.name_range("kaop_closed", closed_row, C_Q[1], closed_row, C_Q[4])
    r = closed_row + 2
    metrics = (("revenue", "revenue", _t(lang, "Umsatz [€]", "Revenue [€]"), "revenue"),
               ("total_cost", "cost", _t(lang, "Kundenbeziehungskosten [€]", "Relationship costs [€]"), "total_cost"),
               ("profit", "profit", _t(lang, "Kundenbeziehungsprofitabilität [€]", "Relationship profitability [€]"),
                "profit"))
    for metric, short, label, attr in metrics:
        line = cmp.lines[metric]
        higher = line.higher_is_better
        src_plan = getattr(plan_rows, attr)
        src_actual = getattr(actual_rows, attr)
        s.put(r, C_LABEL, label + ("" if higher else _t(lang, " — weniger ist besser", " — lower is better")),
              style="bold")
        p_row, a_row, v_row, t_row, l_row = r + 1, r + 2, r + 3, r + 4, r + 5
        for row, text in ((p_row, "Plan"), (a_row, _t(lang, "Ist (Jahr: Prognose)", "Actual (year: forecast)")),
                          (v_row, _t(lang, "Abweichung", "Variance")),
                          (t_row, _t(lang, "Zielerreichung", "Attainment")), (l_row, _t(lang, "Ampel", "Light"))):
            s.put(row, C_LABEL, text, style="label")
        cells = [*(line.quarters[q] for q in QUARTERS), line.ytd, line.forecast_vs_plan]
        plan_q = s.ref(p_row, C_Q[1], p_row, C_Q[4])
        actual_q = s.ref(a_row, C_Q[1], a_row, C_Q[4])
        for q in QUARTERS:
            s.put(p_row, C_Q[q], formula=f"={s.ref(src_plan, C_Q[q])}", cached=line.quarters[q].plan, style="money")
            s.put(a_row, C_Q[q], formula=f"={s.ref(src_actual, C_Q[q])}", cached=line.quarters[q].actual,
                  style="money")
        # year-to-date: plan and actual of the closed quarters (undefined if a closed quarter has no plan)
        s.put(p_row, C_YEAR, formula=f'=IF(SUMPRODUCT(({closed}=1)*({plan_q}=""))>0,"",SUMPRODUCT({closed},{plan_q}))',
              cached=line.ytd.plan, style="money", name=f"kaop_ytd_{short}_plan")
        s.put(a_row, C_YEAR, formula=f"=SUMPRODUCT({closed},{actual_q})", cached=line.ytd.actual, style="money",
              name=f"kaop_ytd_{short}")
        # year: plan of all four quarters; rolling forecast = closed actuals + plan of the open quarters
        s.put(p_row, C_FORECAST, formula=f'=IF(COUNT({plan_q})<4,"",SUM({plan_q}))',
              cached=line.forecast_vs_plan.plan, style="money", name=f"kaop_year_plan_{short}")
        s.put(a_row, C_FORECAST,
              formula=(f'=IF(SUMPRODUCT((1-{closed})*({plan_q}=""))>0,"",'
                       f"SUMPRODUCT({closed},{actual_q})+SUMPRODUCT(1-{closed},{plan_q}))"),
              cached=line.forecast, style="money", name=f"kaop_forecast_{short}")
        for col, cell in zip([*C_Q.values(), C_YEAR, C_FORECAST], cells, strict=True):
            a, p = s.ref(a_row, col), s.ref(p_row, col)
            s.put(v_row, col, formula=_variance(a, p), cached=cell.variance,
                  style="money_variance" if higher else "money_lower_better")  # signed, red where it is bad
            s.put(t_row, col, formula=_attainment(a, p), cached=cell.attainment, style="percent")
            s.put(l_row, col, formula=_light(a, p, higher, lang),
                  cached=LIGHT_WORDS[lang][cell.light] if cell.light else None, style="bold")
        for row, suffix in ((p_row, "plan"), (a_row, "actual"), (v_row, "variance"), (t_row, "attainment"),
                            (l_row, "light")):
            s.name_range(f"kaop_cmp_{short}_{suffix}", row, C_Q[1], row, C_FORECAST)
        _light_conditionals(s, l_row, C_Q[1], C_FORECAST, lang, t_row)
        r = l_row + 2
    return r


def _goals(s: Sheet, top: int, goals: Sequence[PotentialGoal], lang: Lang) -> int:
    s.put(top, C_LABEL, _t(lang, "POTENZIALZIELE", "POTENTIAL GOALS"), style="subtitle")
    heads = [_t(lang, "Ziel", "Goal"), _t(lang, "Messgröße", "Metric"), _t(lang, "Einheit", "Unit")]
    heads += [_t(lang, f"Ziel Q{q}", f"Target Q{q}") for q in QUARTERS]
    heads += [_t(lang, f"Ist Q{q}", f"Actual Q{q}") for q in QUARTERS]
    heads += [_t(lang, f"Erreichung Q{q}", f"Attainment Q{q}") for q in QUARTERS]
    for col, head in enumerate(heads):
        s.put(top + 1, col, head, style="header")
    first = top + 2
    n = len(goals) + GOAL_ROWS
    text_inputs = [Input(kind="text", title=title, message=title) for title in heads[:3]]
    number_inputs = {col: Input(kind="number", title=heads[col], message=_t(lang, "Eine Zahl", "A number"))
                     for col in range(3, 11)}
    for i in range(n):
        r = first + i
        g = goals[i] if i < len(goals) else None
        for col, value in enumerate((g.goal if g else None, g.metric if g else None, g.unit if g else None)):
            s.put(r, col, value or None, style="text", input=text_inputs[col])
        attainment = g.attainment() if g else {}
        for q in QUARTERS:
            t_col, a_col, x_col = 2 + q, 6 + q, 10 + q
            s.put(r, t_col, g.targets.get(q) if g else None, style="number", input=number_inputs[t_col])
            s.put(r, a_col, g.actuals.get(q) if g else None, style="number", input=number_inputs[a_col])
            t, a = s.ref(r, t_col), s.ref(r, a_col)
            s.put(r, x_col, formula=f'=IF(OR({a}="",{t}=""),"",IF({t}=0,"",{a}/{t}))', cached=attainment.get(q),
                  style="percent")
    last = first + n - 1
    s.name_range("kaop_goals", first, 0, last, 10)
    s.name_range("kaop_goal_targets", first, 3, last, 6)
    s.name_range("kaop_goal_actuals", first, 7, last, 10)
    s.name_range("kaop_goal_attainment", first, 11, last, 14)
    # a goal's row follows the goal, also in the target and actual blocks (which lie inside kaop_goals)
    s.keys.append(RowKey("kaop_goals", ("kaop_goals", "kaop_goal_targets", "kaop_goal_actuals")))
    return last + 2


def _measures(s: Sheet, top: int, measures: Sequence[KaopMeasure], lang: Lang) -> int:
    s.put(top, C_LABEL, _t(lang, "MASSNAHMEN (6 P)", "MEASURES (6 P)"), style="subtitle")
    heads = [_t(lang, "Maßnahme", "Measure"), _t(lang, "Hebel (6 P)", "Lever (6 P)"),
             _t(lang, "Verantwortlich", "Owner"), _t(lang, "Ressourcen", "Resources"),
             _t(lang, "fällig (Quartal)", "due (quarter)"), "Status", _t(lang, "KASP-Projekt", "KASP project"),
             _t(lang, "SWOT-Eintrag", "SWOT entry")]
    for col, head in enumerate(heads):
        s.put(top + 1, col, head, style="header")
    levers = tuple(LEVER_WORDS[lang][x] for x in LEVERS)
    statuses = tuple(STATUS_WORDS[lang][x] for x in MEASURE_STATUSES)
    quarters = tuple(str(q) for q in QUARTERS)
    first = top + 2
    n = len(measures) + MEASURE_ROWS
    text = [Input(kind="text", title=heads[col], message=heads[col]) for col in (0, 2, 3)]
    lever = Input(kind="list", choices=levers, title=heads[1], message=", ".join(levers))
    due = Input(kind="list", choices=quarters, title=heads[4], message=", ".join(quarters))
    status = Input(kind="list", choices=statuses, title="Status", message=", ".join(statuses))
    kasp = Input(kind="text", title=heads[6], message=_t(
        lang, "Das KASP-Projekt, das diese Maßnahme im Planjahr startet (Name wie im Blatt KASP)",
        "The KASP project this measure starts in the plan year (its name as on the KASP sheet)"))
    swot = Input(kind="text", title=heads[7], message=_t(
        lang, "Der SWOT-Eintrag, auf den diese Maßnahme antwortet (Text wie im Blatt SWOT)",
        "The SWOT entry this measure answers (its text as on the SWOT sheet)"))
    for i in range(n):
        r = first + i
        m = measures[i] if i < len(measures) else None
        s.put(r, 0, m.measure if m else None, input=text[0])
        s.put(r, 1, LEVER_WORDS[lang][m.lever] if m else None, input=lever)
        s.put(r, 2, m.owner or None if m else None, input=text[1])
        s.put(r, 3, m.resources or None if m else None, input=text[2])
        s.put(r, 4, m.due_quarter if m else None, style="integer", input=due)
        s.put(r, 5, STATUS_WORDS[lang][m.status] if m else None, input=status)
        s.put(r, 6, m.kasp_project or None if m else None, input=kasp)
        s.put(r, 7, m.swot_entry or None if m else None, input=swot)
    last = first + n - 1
    s.name_range("kaop_measures", first, 0, last, len(heads) - 1)
    s.keys.append(RowKey("kaop_measures", ("kaop_measures",)))  # a measure's row follows the measure
    return last + 2


def kaop_sheet(year: int, plan: tuple[list[ProductQuarter], list[CostQuarter]],
               actual: tuple[list[ProductQuarter], list[CostQuarter]], lang: Lang = "de",
               thresholds: Thresholds | None = None, spare_products: int = 1, *,
               goals: Sequence[PotentialGoal] = (), measures: Sequence[KaopMeasure] = (),
               currency: str = "EUR") -> Sheet:
    """The KAOP sheet of one account and plan ``year`` from its plan and actual rows (quarters without
    actuals stay empty for the KAM to fill), with ``spare_products`` empty product rows per block and the
    traffic-light ``thresholds`` as defaults of the threshold inputs; ``currency`` (ISO code) names the unit
    of the amounts in its title."""
    t = thresholds or Thresholds()
    plan_kp, actual_kp = kaop_plan(*plan), kaop_plan(*actual)
    cmp = compare(plan_kp, actual_kp, thresholds=t)
    plan_lines = cost_lines(plan[1], plan_kp)
    actual_lines = cost_lines(actual[1], actual_kp, default={c: b for c, (b, _) in plan_lines.items()})
    names: list[str | None] = list(dict.fromkeys([*plan_kp.products, *actual_kp.products]))
    names += [None] * max(spare_products, 0 if names else 1)

    s = Sheet(SHEET_NAME, widths={0: 40, 1: 15, 2: 14, 3: 14, 4: 14, 5: 14, 6: 22, 7: 22,
                                  **{c: 13 for c in range(8, 15)}}, freeze=(0, 1))
    s.put(0, 0, sheet_title(lang, _t(lang, "Key-Account-Operating-Plan (KAOP)", "Key account operating plan (KAOP)"),
                            year, "money", currency), style="title")
    s.put(1, 0, _t(lang, "Gelbe Zellen sind Eingaben; alles andere rechnet das Blatt. Ein Quartal zählt, sobald "
                         "Absatz, Preis oder Kosten erfasst sind.",
                   "Yellow cells are inputs; the sheet computes everything else. A quarter counts once volume, "
                   "price or costs are entered."), style="note")
    s.put(2, 0, _t(lang, "Planjahr", "Plan year"), style="label")
    s.put(2, 1, year, style="integer", name="kaop_year")
    s.put(3, 0, _t(lang, "Ampel grün ab Zielerreichung", "Light green from attainment"), style="label")
    s.put(3, 1, t.green, style="percent", name=GREEN,
          input=Input(kind="number", minimum=THRESHOLD_BOUNDS[0], maximum=THRESHOLD_BOUNDS[1],
                      title=_t(lang, "Schwelle grün", "Green threshold"),
                      message=_t(lang, "Ist ÷ Plan, ab dem die Ampel grün ist, z. B. 100 % (Kosten gespiegelt: "
                                       "grün bis 200 % − Schwelle)",
                                 "Actual ÷ plan from which the light is green, e.g. 100 % (costs mirrored: "
                                 "green up to 200 % − threshold)")))
    s.put(4, 0, _t(lang, "Ampel gelb ab Zielerreichung", "Light amber from attainment"), style="label")
    s.put(4, 1, t.amber, style="percent", name=AMBER,
          input=Input(kind="number", minimum=THRESHOLD_BOUNDS[0], maximum=THRESHOLD_BOUNDS[1],
                      title=_t(lang, "Schwelle gelb", "Amber threshold"),
                      message=_t(lang, "Ist ÷ Plan, ab dem die Ampel gelb ist (≤ Schwelle grün), z. B. 95 %",
                                 "Actual ÷ plan from which the light is amber (≤ green threshold), e.g. 95 %")))

    plan_rows = _block(s, 6, "plan", names, plan[0], plan_lines, plan_kp, year, lang)
    actual_rows = _block(s, plan_rows.end + 1, "actual", names, actual[0], actual_lines, actual_kp, year, lang)
    r = _comparison(s, actual_rows.end + 1, plan_rows, actual_rows, cmp, year, lang)
    r = _goals(s, r, goals, lang)
    _measures(s, r, measures, lang)

    categories = "=" + s.ref(plan_rows.header, C_Q[1], plan_rows.header, C_Q[4])
    s.charts.append(Chart(
        kind="column",
        title=_t(lang, "Plan vs. Ist Umsatz", "Plan vs. actual revenue"),
        series=({"name": "Plan", "categories": categories,
                 "values": "=" + s.ref(plan_rows.revenue, C_Q[1], plan_rows.revenue, C_Q[4]),
                 "fill": {"color": "#8EA9DB"}},
                {"name": _t(lang, "Ist", "Actual"), "categories": categories,
                 "values": "=" + s.ref(actual_rows.revenue, C_Q[1], actual_rows.revenue, C_Q[4]),
                 "fill": {"color": "#1F3864"}}),
        anchor=(6, 9), size=(560, 320),
        options={"y_axis": {"num_format": "#,##0", "min": 0}, "legend": {"position": "bottom"}},
    ))
    return s



Scenario = tuple[list[ProductQuarter], list[CostQuarter]]


@dataclass(frozen=True)
class KaopInputs:
    """Everything a KAM can type in the KAOP sheet, in the form :func:`kaop_sheet` takes it (see :meth:`sheet`):
    the plan year, plan and actual drivers (product rows, cost rows), the traffic-light thresholds, the
    potential goals and the measures (levers and statuses as the model's German values)."""

    year: int
    plan: Scenario
    actual: Scenario
    thresholds: Thresholds = field(default_factory=Thresholds)
    goals: list[PotentialGoal] = field(default_factory=list)
    measures: list[KaopMeasure] = field(default_factory=list)

    def sheet(self, lang: Lang = "de", spare_products: int = 1, currency: str = "EUR") -> Sheet:
        """The KAOP sheet showing these inputs (amounts in ``currency``)."""
        return kaop_sheet(self.year, self.plan, self.actual, lang, self.thresholds, spare_products,
                          goals=self.goals, measures=self.measures, currency=currency)

