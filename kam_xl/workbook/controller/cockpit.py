"""The controller's cockpit: its first sheet, one printed page (A4 landscape) for the management.

* **Kennzahlen / Key figures** — accounts, net sales, CDB III and its rate (coloured by the portfolio band),
  accounts in Big Step or Out, the resource share to move, revenue plan and actual year-to-date and the KAOP
  attainment with its traffic light;
* **Portfolio** — the 20 largest accounts by net sales in the portfolio (share of wallet × potential, bubble
  area ∝ |CDB III|, colour = band), as on the accounts sheet;
* **Die 20 größten Kunden / The 20 largest accounts** — net sales, CDB III as a data bar, CDB III % coloured by
  band, revenue plan and actual year-to-date, attainment and light, and sparklines of the quarterly revenue
  (plan, actual); the total row over *all* accounts.

Every figure is a formula over the other sheets (accounts, resources, KAOP) with the pure functions' value as
its cached result (:mod:`kam_xl.cdb`, :mod:`kam_xl.portfolio`, :func:`kam_xl.kaop.ytd_revenue`). Which
accounts are the 20 largest is decided when kam_xl generates the workbook (:func:`largest_accounts`), like the
target FTE and the chart's bubble sizes; their figures follow the cells. The page stays one page at any number
of accounts: the cockpit shows at most :data:`TOP` rows.

LibreOffice (7.4) draws column sparklines but drops the line of a line sparkline, so plan and actual are both
column sparklines (light: plan, dark: actual).
"""

from __future__ import annotations

from collections.abc import Sequence

from kam_xl.databook import AccountRow
from kam_xl.kaop import QUARTERS, Thresholds, VarianceCell
from kam_xl.portfolio import HIGH_BAND_THRESHOLD, bubble_marker_size, portfolio_band
from kam_xl.vocabulary import BAND_COLOURS, FTE_NOTE, LIGHT_FORMATS, LIGHT_WORDS, Lang, sheet_title, term
from kam_xl.workbook.controller.accounts import (
    A_ID,
    A_III,
    A_III_REL,
    A_NAME,
    A_NET,
    A_POT,
    A_SOW,
    _Account,
    _accounts,
)
from kam_xl.workbook.controller.common import LIGHT_FORMATS as BAND_FORMATS
from kam_xl.workbook.controller.common import _headers, _missing_note, book_currency
from kam_xl.workbook.controller.kaop import _Kaop, _kcol, items_ytd, kaop_items
from kam_xl.workbook.controller.kind import BuildContext, ControllerSheet
from kam_xl.workbook.layout import Cell, Chart, Conditional, Sheet, Sparkline
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.render import written_date
from kam_xl.years import year_span

#: How many accounts the cockpit lists (the largest by net sales).
TOP = 20
THRESHOLDS = Thresholds()  # the controller has no threshold inputs: the KAOP defaults (green ≥ 100 %, amber ≥ 95 %)

# columns of the account table; the key-figure list uses the first ones (label in C_NO, value in C_NET)
C_NO, C_ID, C_NAME, C_NET, C_III, C_III_REL, C_PLAN, C_ACTUAL, C_ATT, C_LIGHT, C_SPARK_PLAN, C_SPARK_ACTUAL = range(12)
WIDTHS = {C_NO: 4, C_ID: 9, C_NAME: 24, C_NET: 15, C_III: 15, C_III_REL: 9, C_PLAN: 14, C_ACTUAL: 14, C_ATT: 10,
          C_LIGHT: 7, C_SPARK_PLAN: 13, C_SPARK_ACTUAL: 13}
KPI_TOP = 3  # subtitle row of the key figures; the figures below it
TABLE_TOP = 17  # subtitle row of the account table


def largest_accounts(accs: list[_Account], n: int = TOP) -> list[int]:
    """Positions in ``accs`` of the ``n`` accounts with the largest net sales (those with a CDB statement),
    largest first; equal net sales in account-ID order."""
    with_cdb = [i for i, x in enumerate(accs) if x.statement is not None]
    with_cdb.sort(key=lambda i: (-accs[i].statement.net_sales, accs[i].account.account_id))  # type: ignore[union-attr]
    return with_cdb[:n]


def _named(sheet: Sheet | None, name: str) -> Cell | None:
    """The cell of ``sheet`` with the defined name ``name``, if any."""
    return next((c for c in sheet.cells if c.name == name), None) if sheet is not None else None


def _value(cell: Cell | None) -> object:
    return None if cell is None else cell.cached if cell.formula is not None else cell.value


def _attainment(a: str, p: str) -> str:
    """Actual ÷ plan, empty where either is missing or the plan ≤ 0 (as :func:`kam_xl.kaop.compare`)."""
    return f'=IF(OR({a}="",{p}=""),"",IF({p}<=0,"",{a}/{p}))'


def _light(a: str, p: str, lang: Lang) -> str:
    """:func:`kam_xl.kaop.traffic_light` of a revenue (higher is better) with :data:`THRESHOLDS`."""
    g, y, r = (f'"{LIGHT_WORDS[lang][k]}"' for k in ("green", "amber", "red"))
    body = f"IF({a}/{p}>={THRESHOLDS.green},{g},IF({a}/{p}>={THRESHOLDS.amber},{y},{r}))"
    return f'=IF(OR({a}="",{p}=""),"",IF({p}<=0,IF({a}>={p},{g},{r}),{body}))'


def _ytd_plan(actual: str, plan: str) -> str:
    """Planned revenue of the quarters (cells of ``actual``) that have an actual, over the same-shaped ``plan``
    (SUMPRODUCT counts a text or empty plan cell as 0); empty without any actual."""
    return f'=IF(COUNT({actual})=0,"",SUMPRODUCT(--ISNUMBER({actual}),{plan}))'


def _colour_lights(s: Sheet, r0: int, c0: int, r1: int, c1: int, lang: Lang) -> None:
    for key, fmt in LIGHT_FORMATS.items():
        s.conditionals.append(Conditional(r0, c0, r1, c1, {
            "type": "cell", "criteria": "==", "value": f'"{LIGHT_WORDS[lang][key]}"', "format": dict(fmt)}))


def _colour_bands(s: Sheet, r0: int, c0: int, r1: int, c1: int) -> None:
    """CDB III % cells coloured by their portfolio band (:func:`kam_xl.portfolio.portfolio_band`)."""
    for criteria, value, band in ((">", HIGH_BAND_THRESHOLD, "high"), ("between", None, "mid"), ("<", 0, "loss")):
        rule = {"type": "cell", "criteria": criteria, "format": dict(BAND_FORMATS[band])}
        rule |= {"minimum": 0, "maximum": HIGH_BAND_THRESHOLD} if value is None else {"value": value}
        s.conditionals.append(Conditional(r0, c0, r1, c1, rule))


class _Refs:
    """Where the cockpit's formulas read: the accounts sheet's rows and the KAOP sheet's revenue rows."""

    def __init__(self, ctx: BuildContext) -> None:
        self.accounts = ctx.sheet("accounts")
        self.resources = ctx.sheet("resources")
        self.kaop = ctx.sheet("kaop")
        ranges = self.kaop.ranges if self.kaop is not None else {}
        self.kaop_rows = {sc: ranges[f"ctl_kaop_{sc}_revenue"][0] for sc in ("plan", "actual")
                          if f"ctl_kaop_{sc}_revenue" in ranges}
        self.kaop_last = ranges["ctl_kaop_plan_revenue"][2] if "ctl_kaop_plan_revenue" in ranges else None

    def account(self, i: int, col: int) -> str:
        """The accounts sheet's cell of the ``i``-th account in column ``col``."""
        assert self.accounts is not None
        return self.accounts.ref(self.accounts.ranges["ctl_acc_ids"][0] + i, col)

    def quarters(self, scenario: str, k: int | None = None) -> str | None:
        """The revenue Q1–Q4 of the ``k``-th KAOP account (``None``: all accounts, a block) in ``scenario``."""
        if self.kaop is None or scenario not in self.kaop_rows or self.kaop_last is None:
            return None
        first = self.kaop_rows[scenario]
        last = first + (self.kaop_last - self.kaop_rows["plan"])
        r0, r1 = (first, last) if k is None else (first + k, first + k)
        return self.kaop.ref(r0, _kcol(0, 0), r1, _kcol(0, 3))

    def total_quarters(self, scenario: str) -> str | None:
        """The KAOP sheet's total revenue Q1–Q4 of ``scenario``."""
        name = f"ctl_kaop_{scenario}_total_revenue_row"
        if self.kaop is None or name not in self.kaop.ranges:
            return None
        r, c, _, _ = self.kaop.ranges[name]
        return self.kaop.ref(r, c, r, c + 3)


def _kpi(s: Sheet, r: int, label: str, ref: str | None, cached: object, style: str, lang: Lang,
         name: str) -> Cell | None:
    """One key figure: label and ``=ref`` (``None``: "keine Daten")."""
    s.put(r, C_NO, label, style="label")
    if ref is None:
        s.put(r, C_NET, _t(lang, "keine Daten", "no data"), style="note")
        return None
    return s.put(r, C_NET, formula=ref if ref.startswith("=") else f"={ref}", cached=cached, style=style, name=name)


def _title(accs: Sequence[_Account], accounts: Sequence[AccountRow], lang: Lang) -> str:
    """The cockpit's title with its years: the CDB year(s) of the net sales and the plan year(s) of the KAOP and
    the resources, e.g. "Cockpit – Key Accounts auf einen Blick: CDB 2025, Plan 2026 (MAK und Beträge in EUR)";
    a part without a year is left out."""
    years = [f"CDB {cdb}" for cdb in [year_span(x.cdb_year for x in accs)] if cdb]
    years += [f"{_t(lang, 'Plan', 'plan')} {plan}" for plan in [year_span(a.plan_year for a in accounts)] if plan]
    head = _t(lang, "Cockpit – Key Accounts auf einen Blick", "Cockpit – key accounts at a glance")
    return sheet_title(lang, f"{head}: {', '.join(years)}" if years else head, None, "fte", book_currency(accounts))


def _key_figures(s: Sheet, refs: _Refs, accs: list[_Account], ytd_cell: tuple[Cell | None, ...],
                 lang: Lang) -> None:
    """The key-figure list from :data:`KPI_TOP` (each a formula over another sheet or the total row), with what
    MAK means above it (the resource share counts in MAK)."""
    s.put(KPI_TOP - 1, C_NO, _t(lang, *FTE_NOTE), style="note")
    s.put(KPI_TOP, C_NO, _t(lang, "Kennzahlen", "Key figures"), style="subtitle")
    acc = refs.accounts
    ids = acc.ref(*acc.ranges["ctl_acc_ids"]) if acc is not None and "ctl_acc_ids" in acc.ranges else None
    r = KPI_TOP + 1
    _kpi(s, r, _t(lang, "Kunden", "Accounts"), f"=COUNTA({ids})" if ids else None, len(accs), "integer", lang,
         "ctl_kpi_accounts")
    for k, (label, sheet, name, style, own) in enumerate((
            (_t(lang, "Nettoumsatz (Summe)", "Net sales (total)"), acc, "ctl_acc_total_net_sales", "money",
             "ctl_kpi_net_sales"),
            (_t(lang, "CDB III (Summe)", "CDB III (total)"), acc, "ctl_acc_total_cdb_iii", "money", "ctl_kpi_cdb_iii"),
            (_t(lang, "CDB III in % vom Nettoumsatz (Farbe: Band)", "CDB III in % of net sales (colour: band)"), acc,
             "ctl_acc_total_cdb_iii_rel", "percent", "ctl_kpi_cdb_iii_rel"),
            (_t(lang, "Kunden in Big Step or Out (CDB III < 0)", "Accounts in Big Step or Out (CDB III < 0)"), acc,
             "ctl_big_step_count", "integer", "ctl_kpi_big_step"),
            (_t(lang, "Zu verschiebender Ressourcenanteil (MAK)", "Resource share to move (FTE)"), refs.resources,
             "ctl_res_moved_share", "percent", "ctl_kpi_moved_share"))):
        found = _named(sheet, name)
        ref = sheet.ref(found.row, found.col) if sheet is not None and found is not None else None
        _kpi(s, r + 1 + k, label, ref, _value(found), style, lang, own)
    _colour_bands(s, r + 3, C_NET, r + 3, C_NET)
    plan, actual, att, light = ytd_cell
    r += 6
    for k, (label, cell, style, name) in enumerate((
            (_t(lang, "Umsatz Plan bis heute (YTD, alle Kunden)", "Revenue plan year-to-date (all accounts)"), plan,
             "money", "ctl_kpi_ytd_plan"),
            (_t(lang, "Umsatz Ist bis heute (YTD, alle Kunden)", "Revenue actual year-to-date (all accounts)"),
             actual, "money", "ctl_kpi_ytd_actual"),
            (_t(lang, "KAOP-Erfüllung Umsatz YTD und Ampel", "KAOP attainment revenue YTD and light"), att,
             "percent", "ctl_kpi_ytd_attainment"))):
        _kpi(s, r + k, label, s.ref(cell.row, cell.col) if cell else None, _value(cell), style, lang, name)
    if light is not None:
        s.put(r + 2, C_III, formula=f"={s.ref(light.row, light.col)}", cached=light.cached, style="bold",
              name="ctl_kpi_ytd_light")
        _colour_lights(s, r + 2, C_III, r + 2, C_III, lang)


def _account_row(s: Sheet, r: int, no: int, i: int, x: _Account, refs: _Refs, kaop_k: int | None,
                 ytd: VarianceCell | None, lang: Lang, top: float | None = None) -> None:
    """One of the largest accounts (``i``-th on the accounts sheet, ``kaop_k``-th on the KAOP sheet); ``top``:
    its largest quarterly revenue, plan or actual (the sparklines' common axis)."""
    st = x.statement
    assert st is not None
    s.put(r, C_NO, no, style="integer")
    for c, src, cached, style in ((C_ID, A_ID, x.account.account_id, "bold"), (C_NAME, A_NAME, x.account.name, "text"),
                                  (C_NET, A_NET, st.net_sales, "money"), (C_III, A_III, st.cdb_iii, "money"),
                                  (C_III_REL, A_III_REL, st.cdb_iii_rel, "percent")):
        s.put(r, c, formula=f"={refs.account(i, src)}", cached=cached, style=style)
    plan_q, actual_q = refs.quarters("plan", kaop_k), refs.quarters("actual", kaop_k)
    if ytd is None or plan_q is None or actual_q is None:
        s.put(r, C_PLAN, _t(lang, "kein KAOP", "no KAOP"), style="note")
        return
    _ytd_cells(s, r, actual_q, plan_q, ytd, lang)
    _sparklines(s, r, plan_q, actual_q, top)


def _ytd_cells(s: Sheet, r: int, actual_q: str, plan_q: str, ytd: VarianceCell, lang: Lang,
               total: bool = False) -> tuple[Cell, Cell, Cell, Cell]:
    """Plan and actual YTD, attainment and light of row ``r`` over the quarters ``actual_q`` / ``plan_q``.
    ``ytd`` is the :class:`kam_xl.kaop.VarianceCell` they equal."""
    money, pct = ("level_money", "level_percent") if total else ("money", "percent")
    plan = s.put(r, C_PLAN, formula=_ytd_plan(actual_q, plan_q), cached=ytd.plan, style=money)
    actual = s.put(r, C_ACTUAL, formula=f'=IF(COUNT({actual_q})=0,"",SUM({actual_q}))', cached=ytd.actual,
                   style=money)
    a, p = s.ref(r, C_ACTUAL), s.ref(r, C_PLAN)
    att = s.put(r, C_ATT, formula=_attainment(a, p), cached=ytd.attainment, style=pct)
    light_word = LIGHT_WORDS[lang][ytd.light] if ytd.light else None
    light = s.put(r, C_LIGHT, formula=_light(a, p, lang), cached=light_word, style="bold")
    return plan, actual, att, light


def _sparklines(s: Sheet, r: int, plan_q: str, actual_q: str, top: float | None) -> None:
    """Plan and actual quarters of row ``r`` as column sparklines on one axis: from 0 to ``top`` (the largest
    quarter of either, as generated; ``None``: no quarter with data), so a plan bar and an actual bar of the
    same height are the same amount."""
    axis: dict[str, float] = {"min": 0, **({"max": top} if top else {})}
    s.sparklines.append(Sparkline(r, C_SPARK_PLAN, plan_q, "column", {"series_color": "#8EA9DB", **axis}))
    s.sparklines.append(Sparkline(r, C_SPARK_ACTUAL, actual_q, "column",
                                  {"series_color": "#1F3864", "negative_points": True, **axis}))


def _quarter_top(items: list[_Kaop]) -> float | None:
    """The largest quarterly revenue, plan or actual, of ``items`` summed per quarter; ``None``: no data."""
    sums = [sum(q.revenue for k in items if (q := k.plans[scenario].quarters.get(quarter)) is not None
                and q.revenue is not None)
            for scenario in ("plan", "actual") for quarter in QUARTERS]
    return max(sums, default=0.0) or None


def _portfolio(s: Sheet, accs: list[_Account], top: list[int], refs: _Refs, lang: Lang) -> None:
    """The portfolio of the largest accounts: one scatter series each (≤ :data:`TOP`), right of the key figures."""
    largest = max((abs(accs[i].statement.cdb_iii) for i in top), default=None)  # type: ignore[union-attr]
    series = []
    for i in top:
        x = accs[i]
        if x.portfolio is None:
            continue
        band = portfolio_band(x.statement.cdb_iii_rel) if x.statement else None
        series.append({
            "name": f"={refs.account(i, A_ID)}", "categories": f"={refs.account(i, A_SOW)}",
            "values": f"={refs.account(i, A_POT)}",
            "marker": {"type": "circle", "size": bubble_marker_size(x.statement.cdb_iii if x.statement else None,
                                                                      largest, max_marker=24),
                       "fill": {"color": BAND_COLOURS[band], "transparency": 25}, "border": {"color": "#404040"}},
            "data_labels": {"series_name": True, "position": "right", "font": {"size": 7}}})
    if series:
        s.charts.append(Chart(kind="scatter", series=tuple(series), anchor=(KPI_TOP, C_III_REL), size=(600, 265),
                              title=_t(lang, f"Portfolio der {len(series)} größten Kunden: Share of Wallet × Potenzial",
                                       f"Portfolio of the {len(series)} largest accounts: share of wallet × potential"),
                              options={"x_axis": {"name": "Share of Wallet", "num_format": "0%", "min": 0},
                                       "y_axis": {"name": term("potential", lang), "num_format": "#,##0",
                                                  "min": 0},
                                       "legend": {"none": True}, "title": {"name_font": {"size": 10}}}))


def _cockpit(ctx: BuildContext) -> Sheet:
    lang = ctx.lang
    s = Sheet("Cockpit", widths=dict(WIDTHS), one_page=True)
    accs = _accounts(ctx.db)
    s.put(0, C_NO, _title(accs, ctx.db.accounts, lang), style="title")
    day = written_date(ctx.when, lang)
    s.put(1, C_NO, _t(lang, f"Stand {day}. Jede Zahl ist eine Formel über die Blätter Kunden, Ressourcen "
                            "und KAOP; welche 20 Kunden die größten (nach Nettoumsatz) sind, steht beim Erzeugen "
                            "der Arbeitsmappe fest. YTD = Quartale mit Ist; Ampel grün ≥ 100 %, gelb ≥ 95 % des Plans.",
                      f"As of {day}. Every figure is a formula over the sheets Accounts, Resources and "
                      "KAOP; which 20 accounts are the largest (by net sales) is fixed when the workbook is "
                      "generated. YTD = quarters with actuals; light green ≥ 100 %, amber ≥ 95 % of plan."),
          style="note")
    refs = _Refs(ctx)
    if not accs or refs.accounts is None or "ctl_acc_ids" not in refs.accounts.ranges:
        _missing_note(s, 2, lang, "accounts / cdb")
        return s
    top = largest_accounts(accs)
    items = kaop_items(ctx)
    total_ytd = items_ytd(items, THRESHOLDS)
    kaop_pos = {k.account.account_id: j for j, k in enumerate(items)}
    ytd_total_cells = _table(s, accs, top, refs, items, kaop_pos, total_ytd, lang)
    _key_figures(s, refs, accs, ytd_total_cells, lang)
    _portfolio(s, accs, top, refs, lang)
    return s


def _table(s: Sheet, accs: list[_Account], top: list[int], refs: _Refs, kaop_items: list[_Kaop],
           kaop_pos: dict[str, int], total_ytd: VarianceCell, lang: Lang) -> tuple[Cell | None, ...]:
    """The table of the largest accounts and the total row; returns the total row's YTD cells."""
    s.put(TABLE_TOP, C_NO, _t(lang, f"Die {len(top)} größten Kunden nach Nettoumsatz",
                              f"The {len(top)} largest accounts by net sales"), style="subtitle")
    _headers(s, TABLE_TOP + 1, 0, ("Nr.", "ID", _t(lang, "Kunde", "Account"), _t(lang, "Nettoumsatz", "Net sales"),
                                   "CDB III", "CDB III %", _t(lang, "Umsatz Plan YTD", "Revenue plan YTD"),
                                   _t(lang, "Umsatz Ist YTD", "Revenue actual YTD"),
                                   _t(lang, "Erfüllung", "Attainment"), _t(lang, "Ampel", "Light"),
                                   _t(lang, "Plan Q1–Q4", "Plan Q1–Q4"), _t(lang, "Ist Q1–Q4", "Actual Q1–Q4")))
    first = TABLE_TOP + 2
    for no, i in enumerate(top, start=1):
        x = accs[i]
        k = kaop_pos.get(x.account.account_id)
        ytd = items_ytd([kaop_items[k]], THRESHOLDS) if k is not None else None
        _account_row(s, first + no - 1, no, i, x, refs, k, ytd, lang,
                     _quarter_top([kaop_items[k]]) if k is not None else None)
    last = first + max(len(top), 1) - 1
    if top:
        s.name_range("ctl_cockpit_top", first, C_ID, last, C_LIGHT)
        s.conditionals.append(Conditional(first, C_III, last, C_III, {
            # a gradient bar over at most half the cell: the amount it stands behind stays readable
            "type": "data_bar", "bar_color": "#5B9BD5", "bar_negative_color": "#C00000", "bar_solid": False,
            "max_length": 50}))
        _colour_bands(s, first, C_III_REL, last, C_III_REL)
    t = last + 1
    s.put(t, C_NAME, _t(lang, f"Summe aller {len(accs)} Kunden", f"Total of all {len(accs)} accounts"),
          style="level_label")
    for c, name in ((C_NET, "ctl_acc_total_net_sales"), (C_III, "ctl_acc_total_cdb_iii"),
                    (C_III_REL, "ctl_acc_total_cdb_iii_rel")):
        found = _named(refs.accounts, name)
        if found is not None:
            s.put(t, c, formula=f"={refs.accounts.ref(found.row, found.col)}", cached=_value(found),  # type: ignore[union-attr]
                  style="level_percent" if c == C_III_REL else "level_money")
    _colour_bands(s, t, C_III_REL, t, C_III_REL)
    _colour_lights(s, first, C_LIGHT, t, C_LIGHT, lang)
    plan_q, actual_q = refs.quarters("plan"), refs.quarters("actual")
    if plan_q is None or actual_q is None:
        s.put(t, C_PLAN, _t(lang, "keine KAOP-Daten", "no KAOP data"), style="note")
        return (None, None, None, None)
    cells = _ytd_cells(s, t, actual_q, plan_q, total_ytd, lang, total=True)
    tp, ta = refs.total_quarters("plan"), refs.total_quarters("actual")
    if tp and ta:
        _sparklines(s, t, tp, ta, _quarter_top(kaop_items))
    return cells


class CockpitSheet(ControllerSheet):
    """``Cockpit``: the controller's first sheet, one printed page of key figures, portfolio and the largest
    accounts (see the module docstring)."""

    key = "cockpit"
    needs = ("accounts", "resources", "kaop")

    def build(self, ctx: BuildContext) -> Sheet:
        return _cockpit(ctx)
