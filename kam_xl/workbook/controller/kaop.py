"""The controller's KAOP roll-up and the KAOP data sheet its formulas read."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from kam_xl.databook import AccountRow, DataBook
from kam_xl.kaop import (
    COST_LABELS,
    QUARTERS,
    KaopPeriod,
    KaopPlan,
    Thresholds,
    VarianceCell,
    kaop_plan,
    ytd_revenue,
)
from kam_xl.maths import ratio, total
from kam_xl.selection import Basis
from kam_xl.vocabulary import (
    SCENARIO_WORDS,
    Lang,
    sheet_title,
)
from kam_xl.workbook.controller.common import (
    _headers,
    _missing_note,
    book_currency,
    produce,
)
from kam_xl.workbook.controller.kind import BuildContext, ControllerSheet
from kam_xl.workbook.layout import Cell, Chart, Print, Sheet, sheet_ref
from kam_xl.workbook.layout import pick as _t
from kam_xl.years import plan_year, year_span

# ------------------------------------------------------------------------------------------ KAOP


@dataclass(frozen=True, slots=True)
class _Figures:
    """One period's roll-up figures of a KAOP scenario (a :class:`~kam_xl.kaop.KaopPeriod` without its
    per-product detail): what the KAOP sheet shows and totals, held for every account at once."""

    revenue: float
    total_cost: float
    profit: float
    profit_rel: float | None


@dataclass(frozen=True, slots=True)
class _Scenario:
    """A scenario's quarters present and its year (``None``: no quarter), as :class:`_Figures`."""

    quarters: dict[int, _Figures]
    year: _Figures | None


def _figures(p: KaopPeriod) -> _Figures:
    return _Figures(p.revenue, p.total_cost, p.profit, p.profit_rel)


def _scenario(plan: KaopPlan) -> _Scenario:
    return _Scenario({q: _figures(p) for q, p in plan.quarters.items()},
                     _figures(plan.year) if plan.quarters else None)


@dataclass(frozen=True)
class _Kaop:
    """One account's KAOP year with the figures of its plan and actual scenarios (computed by
    :func:`~kam_xl.kaop.kaop_plan`, kept without drivers and per-product detail: flat in the number of products)."""

    account: AccountRow
    year: int
    plans: dict[str, _Scenario]


def _kaop_year(db: DataBook, a: AccountRow) -> int | None:
    """The KAOP year the controller shows for an account (its plan year among those with rows), ``None``: no
    KAOP rows."""
    years = db.kaop_years(a.account_id, "plan") or db.kaop_years(a.account_id, "actual")
    return plan_year(a.plan_year, years) if years else None


def _kaop_accounts(db: DataBook) -> list[_Kaop]:
    """Per account with KAOP rows: its year and the figures of its scenarios (computed one account at a time)."""
    out = []
    for a in db.accounts:
        if (found := _account_plans(db, a)) is not None:
            out.append(_Kaop(a, found[0], {sc: _scenario(p) for sc, p in found[1].items()}))
    return out


def _account_plans(db: DataBook, a: AccountRow) -> tuple[int, dict[str, KaopPlan]] | None:
    """An account's KAOP year and its plan and actual scenarios; ``None``: no KAOP rows."""
    year = _kaop_year(db, a)
    if year is None:
        return None
    return year, {sc: kaop_plan(*db.kaop_rows(a.account_id, year, sc)) for sc in ("plan", "actual")}


#: :attr:`BuildContext.shared` key of the KAOP accounts (:func:`kaop_items`)
KAOP_ITEMS = "kaop.items"


def kaop_items(ctx: BuildContext) -> list[_Kaop]:
    """:func:`_kaop_accounts` of the build's data book, computed once per build (the KAOP sheet and the cockpit
    show the same figures) and kept in :attr:`BuildContext.shared` — flat figures per account, which the KAOP
    sheet's rows hold anyway until they are written."""
    found = ctx.shared.get(KAOP_ITEMS)
    if found is None:
        found = ctx.shared[KAOP_ITEMS] = _kaop_accounts(ctx.db)
    return found


def items_revenues(items: Iterable[_Kaop]) -> dict[str, dict[Basis, dict[int, float]]]:
    """Per account of ``items`` the revenue of each quarter of its KAOP year by scenario — what
    :func:`~kam_xl.selection.quarter_revenues` computes from the data book, here from the figures already computed
    (:func:`kaop_items`): the same years (:func:`_kaop_year`), plans and quarters."""
    return {k.account.account_id: {sc: {q: f.revenue for q, f in k.plans[sc].quarters.items()}
                                   for sc in ("plan", "actual")} for k in items}


def items_ytd(items: Iterable[_Kaop], thresholds: Thresholds) -> VarianceCell:
    """Revenue year to date (:func:`~kam_xl.kaop.ytd_revenue`) over the KAOP years of ``items``, from their
    quarters' figures."""
    return ytd_revenue(((k.plans["plan"], k.plans["actual"]) for k in items), thresholds)


def _total(figures: list[_Figures]) -> _Figures:
    """The figures of several periods together, as :func:`~kam_xl.kaop.year_period` adds periods: flows are
    sums, relative profit = profit ÷ revenue."""
    revenue, cost = total(f.revenue for f in figures), total(f.total_cost for f in figures)
    return _Figures(revenue, cost, revenue - cost, ratio(revenue - cost, revenue))


@dataclass(frozen=True)
class _KaopYear:
    """Which KAOP year of an account the data sheet shows, and how many driver rows it has (plan and actual)."""

    account: AccountRow
    year: int
    products: int
    costs: int


#: :attr:`BuildContext.shared` key of the rows each account's drivers take on the KAOP data sheet (:func:`_spans`)
KAOP_SPANS = "kaop.spans"
#: An account's rows on the KAOP data sheet: the first and last of its product rows, of its cost rows (0-based)
Spans = tuple[tuple[int, int], tuple[int, int]]


def _spans(items: list[_KaopYear], p_first: int, c_first: int) -> dict[str, Spans]:
    """Per account the rows its drivers take in the product and the cost block of the KAOP data sheet (one
    account's rows follow another's, plan before actual, from ``p_first`` and ``c_first``). An account without
    rows in a block gets the one row where its rows would begin: the next account's first row, or the blank row
    after the block — the roll-up's conditions on id, year, scenario and quarter find nothing of it there."""
    out: dict[str, Spans] = {}
    p, c = p_first, c_first
    for k in items:
        out[k.account.account_id] = ((p, p + max(k.products, 1) - 1), (c, c + max(k.costs, 1) - 1))
        p, c = p + k.products, c + k.costs
    return out


def _kaop_years(db: DataBook) -> list[_KaopYear]:
    """Per account with KAOP rows: its plan year and the count of its product and cost rows — what places every
    row of the data sheet before any is produced (the rows themselves are read again as they are written)."""
    out = []
    for a in db.accounts:
        year = _kaop_year(db, a)
        if year is None:
            continue
        out.append(_KaopYear(a, year, *(sum(len(db.values_for(t, "quarter", a.account_id, year=year, scenario=sc))
                                            for sc in ("plan", "actual")) for t in ("kaop_products", "kaop_costs"))))
    return out


def _kaop_data_sheet(db: DataBook, items: list[_KaopYear], lang: Lang) -> tuple[Sheet, dict[str, Spans]]:
    """The KAOP drivers of every account's plan year (named blocks ``ctl_data_kaop_products`` and
    ``ctl_data_kaop_costs``), and the rows each account's drivers take in them (:func:`_spans`), which the
    roll-up formulas read (:func:`_kaop_refs`); its rows are produced one account at a time as they are written
    (:attr:`Sheet.rows`)."""
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

    # one account's rows at a time, each cell made as it is written — once a write (the page plan's pass), ~300 cells
    # an account: Cell(row, col, value, formula, cached, style) by position, which is a third faster than by keyword
    name = s.name  # not ``s``: the sheet holds ``rows``, which would make a cycle for the collector

    def rows() -> Iterator[Cell]:
        r = p_first
        for k in items:
            for sc in ("plan", "actual"):
                key = _key_cells(k, words[sc])
                for p in db.kaop_products(k.account.account_id, k.year, sc):
                    yield from key(r, p.quarter, p.product)
                    yield Cell(r, 5, p.volume, None, None, "number")
                    yield Cell(r, 6, p.price, None, None, "money2")
                    yield Cell(r, 7, None, f"={sheet_ref(name, r, 5)}*{sheet_ref(name, r, 6)}", p.revenue, "money")
                    r += 1
        out = Sheet(name)
        out.put(c_head - 1, 0, _t(lang, "Kundenbeziehungskosten", "Relationship costs"), style="subtitle")
        _headers(out, c_head, 0, ("ID", _t(lang, "Jahr", "Year"), _t(lang, "Szenario", "Scenario"),
                                  _t(lang, "Quartal", "Quarter"), _t(lang, "Kostenart", "Category"),
                                  _t(lang, "Betrag", "Amount"), _t(lang, "Anteil vom Umsatz", "Rate of revenue")))
        yield from out.cells
        r = c_first
        for k in items:
            for sc in ("plan", "actual"):
                key = _key_cells(k, words[sc])
                for c in db.kaop_costs(k.account.account_id, k.year, sc):
                    yield from key(r, c.quarter, COST_LABELS[c.category][0 if lang == "de" else 1])
                    yield Cell(r, 5, c.amount, None, None, "money")
                    yield Cell(r, 6, c.rate_of_revenue, None, None, "percent")
                    r += 1

    s.rows = rows
    return s, _spans(items, p_first, c_first)


def _key_cells(k: _KaopYear, scenario: str) -> Callable[[int, int, str], tuple[Cell, ...]]:
    """The five key cells of a KAOP data row of ``k``'s year and a scenario (its word): id, year, scenario, the
    given quarter and product or cost category."""
    account, year = k.account.account_id, k.year

    def cells(r: int, quarter: int, what: str) -> tuple[Cell, ...]:
        return (Cell(r, 0, account), Cell(r, 1, year, None, None, "integer"), Cell(r, 2, scenario),
                Cell(r, 3, quarter, None, None, "integer"), Cell(r, 4, what))  # style "text": the default

    return cells


def _kaop_refs(data: Sheet, spans: dict[str, Spans]) -> Callable[[str], dict[str, str]]:
    """The column ranges of the KAOP data sheet ``data`` that an account's roll-up formulas use, by its id:
    ``p0``–``p7`` over its product rows, ``c0``–``c6`` over its cost rows (``spans``). Over its own rows, not the
    whole blocks: the application calculates each formula over a few rows, so that recalculating the controller
    — which Excel does on opening it — grows with the number of accounts, not with their square."""
    name = data.name  # not ``data``: the roll-up's rows would hold the data sheet until they are written
    columns = {prefix: data.ranges[block][1::2] for prefix, block in (("p", "ctl_data_kaop_products"),
                                                                      ("c", "ctl_data_kaop_costs"))}

    def refs(account_id: str) -> dict[str, str]:
        out = {}
        for (prefix, (col0, col1)), (first, last) in zip(columns.items(), spans[account_id], strict=True):
            out.update({f"{prefix}{j}": sheet_ref(name, first, j, last, j) for j in range(col0, col1 + 1)})
        return out

    return refs


KAOP_MEASURES = ("revenue", "total_cost", "profit", "profit_rel")
K_ID, K_NAME, K_YEAR, K_FIRST = 0, 1, 2, 3  # then per measure five columns: Q1–Q4, year


def _kcol(m: int, period: int) -> int:
    """Column of measure ``m`` (index into KAOP_MEASURES) and period 0–3 (Q1–Q4) or 4 (year)."""
    return K_FIRST + 5 * m + period


def _period_value(p: _Figures | None, measure: str) -> float | None:
    return None if p is None else getattr(p, measure)


def _kaop_block(s: Sheet, top: int, scenario: str, items: list[_Kaop], refs: Callable[[str], dict[str, str]],
                lang: Lang) -> tuple[int, Callable[[Sheet], Iterator[None]]]:
    """A plan or actual block: one row per account (its id held on ``s``, the rest produced by the returned
    ``fill`` into the sheet it is given, one account at a time), a total row; returns the next free row and
    ``fill``."""
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
    for i, k in enumerate(items):  # held: the abc-xyz sheet finds an account's row by its id
        s.put(first + i, K_ID, k.account.account_id, style="bold")

    def fill(out: Sheet) -> Iterator[None]:
        for i, k in enumerate(items):
            _kaop_row(out, first + i, k, k.plans[scenario], word, refs(k.account.account_id))
            yield

    total_row = last + 1
    s.put(total_row, K_NAME, _t(lang, "Summe aller Kunden", "Total of all accounts"), style="level_label")
    for j, q in enumerate(QUARTERS):
        periods = [k.plans[scenario].quarters[q] for k in items if q in k.plans[scenario].quarters]
        cons = _total(periods) if periods else None
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
    years = [y for k in items if (y := k.plans[scenario].year) is not None]
    prefix = f"ctl_kaop_{scenario}"
    _year_cells(s, total_row, _total(years) if years else None, total_names=f"{prefix}_total")
    s.name_range(prefix, first, 0, total_row, _kcol(3, 4))
    for m, measure in enumerate(KAOP_MEASURES):
        s.name_range(f"{prefix}_{measure}", first, _kcol(m, 0), last, _kcol(m, 4))
        s.name_range(f"{prefix}_total_{measure}_row", total_row, _kcol(m, 0), total_row, _kcol(m, 4))
    return total_row + 2, fill


def _kaop_row(s: Sheet, r: int, k: _Kaop, plan: _Scenario, word: str, refs: dict[str, str]) -> None:
    """An account's row of a block but its id: name, year, and per quarter and year revenue, total cost, profit
    and profit % as formulas over the KAOP data sheet (``refs``: :func:`_kaop_refs`) with ``plan``'s figures."""
    pa, py, ps, pq, prev = refs["p0"], refs["p1"], refs["p2"], refs["p3"], refs["p7"]
    ca, cy, cs, cq, cam, crt = refs["c0"], refs["c1"], refs["c2"], refs["c3"], refs["c5"], refs["c6"]
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
    _year_cells(s, r, plan.year)


def _year_cells(s: Sheet, r: int, year: _Figures | None, total_names: str | None = None) -> None:
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


def _kaop_sheet(items: list[_Kaop], refs: Callable[[str], dict[str, str]] | None, lang: Lang) -> Sheet:
    """The roll-up of ``items``; ``refs``: an account's ranges on the KAOP data sheet by its id (:func:`_kaop_refs`),
    ``None`` without a data sheet."""
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
    r, plan_rows = _kaop_block(s, 3, "plan", items, refs, lang)
    plan_total = r - 2
    r, actual_rows = _kaop_block(s, r + 1, "actual", items, refs, lang)
    actual_total = r - 2
    produce(s, lambda out: itertools.chain(plan_rows(out), actual_rows(out)))
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
        if not items:
            return []
        sheet, ctx.shared[KAOP_SPANS] = _kaop_data_sheet(ctx.db, items, ctx.lang)
        return [sheet]


class KaopSheet(ControllerSheet):
    """``KAOP``: plan and actual roll-up by quarter over the KAOP data sheet."""

    key = "kaop"
    needs = ("kaop_data",)

    def build(self, ctx: BuildContext) -> Sheet:
        data = ctx.sheet("kaop_data")
        return _kaop_sheet(kaop_items(ctx), _kaop_refs(data, ctx.shared[KAOP_SPANS]) if data else None, ctx.lang)
