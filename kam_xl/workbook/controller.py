"""The controller workbook: all key accounts of a data book side by side, for the sales controller.

Sheets (German by default, English with ``lang="en"``):

* ``Kunden`` / ``Accounts`` — per account CDB I–III of the latest year with relative values, rank by CDB III,
  portfolio position (share of wallet, potential, margin factor, margin-weighted potential) and band; totals;
  the "Big Step or Out" list (negative CDB III, largest loss first); the portfolio chart (seed 000, Abb. 3);
* ``Ressourcen`` / ``Resources`` — the resource distribution (seed 000, Abb. 5): cells, shares, consistency,
  target share, target FTE and delta, region totals, the moved share and a bar chart of the shares;
* ``KAOP`` — plan and actual roll-up by quarter: revenue, total cost, profit, profit % per account and total;
* ``Kgb`` — per account and segment our score, best competitor, gap, rank and supplier role;
* ``Excellence`` — dimension scores per respondent and per criterion mean/min/max/spread/disagreement;
* ``CDB-Daten`` / ``CDB data`` and ``KAOP-Daten`` / ``KAOP data`` — the data-book rows the formulas use;
* ``Einstellungen`` / ``Settings`` — data book path, output folder and language for the macros.

Values and formulas:

* **Values** are what the data book holds: CDB amounts and activity lines, portfolio rows, resource cells and
  market sizes, KAOP drivers (volume, price, cost amount or rate), Kgb supplier scores (computed per card by
  :func:`kam_xl.kgb.score_card` — a card is a grid of its own; the account plan's Kgb sheet has its formulas)
  and excellence ratings (0–100, blank for "nicht relevant" or unanswered).
* **Formulas** are every figure derived from them: CDB I–III and relative values, rank, margin-weighted
  potential, band words, the Big Step or Out list (rank reversed with INDEX/MATCH, SMALL for the loss; on an
  exactly equal CDB III it lists the later row first, kam_xl the lower account ID), all
  shares, consistency, target share, the proportional target (total FTE × target share), deltas, region
  totals, the moved share ½ Σ |resource share − potential share|, the KAOP roll-up, Kgb position, excellence
  statistics. Each carries the value of kam_xl's pure functions as its cached result (:mod:`kam_xl.cdb`,
  :mod:`kam_xl.portfolio`, :mod:`kam_xl.resources`, :mod:`kam_xl.kaop`, :mod:`kam_xl.kgb`,
  :mod:`kam_xl.excellence`; totals across accounts with :func:`kam_xl.maths.total` and
  :func:`kam_xl.kaop.year_period`), and the recalculation test proves LibreOffice computes the same.
* **KAOP**: the KAOP data sheet holds the *drivers* (product volume × price per quarter, cost amounts and
  rates of revenue) of each account's plan year; the KAOP sheet computes each account's quarterly revenue,
  total cost, profit and profit % from them with SUMPRODUCT, the year and the total over all accounts.
* **Target FTE** (rounded to the step by largest remainder so the total is kept) is written by kam_xl as a
  value (:func:`kam_xl.resources.analyse_resources`): a formula cannot do largest remainder reliably. The
  proportional target next to it is a formula and follows the weight inputs at once; the rounded target
  follows them when kam_xl regenerates the workbook.
* The portfolio chart is a scatter chart with one series per account (xlsxwriter has no bubble chart): its
  marker size (∝ √|CDB III|, so the area ∝ |CDB III|) and colour (band) are chart properties fixed at
  generation time; position (share of wallet, potential) follows the cells.

Defined names: every result block ``ctl_…`` (see the module constants and :func:`controller_workbook`), the
settings ``ctl_settings`` with ``ctl_databook``, ``ctl_output``, ``ctl_lang`` and ``ctl_account``, the target
weights ``res_weight_potential`` and ``res_weight_revenue`` and the disagreement threshold ``ctl_exc_spread``
(together :data:`SETTING_NAMES`, read and carried over as :class:`ControllerSettings`). Every input cell is a
named cell. A section whose data-book table is absent shows a note instead of figures.

The macros (:mod:`kam_xl.addin.macros`, buttons through xlwings) write back into two named output areas of the
settings sheet: ``ctl_status`` (one status line: what ran, when, result) and ``ctl_errors`` (:data:`ERROR_ROWS`
rows × file, sheet, cell, problem). They are the only cells outside the inputs that are unlocked: the sheet stays
protected, and xlwings — classic through COM, or xlwings Server through Office.js — may write into unlocked
cells of a protected sheet without unprotecting it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kam_xl.cdb import (
    AMOUNT_FIELDS,
    LEVEL_FORMULAS,
    STAGES,
    STATEMENT_LINES,
    ActivityLine,
    CdbInput,
    CdbStatement,
    cdb_statement,
)
from kam_xl.cells import CellError
from kam_xl.databook import AccountRow, DataBook
from kam_xl.errors import KamInputError
from kam_xl.excellence import DISAGREEMENT_SPREAD as DEFAULT_SPREAD
from kam_xl.excellence import NOT_RELEVANT, Catalogue, Response, consolidate, load_catalogue, score_response
from kam_xl.kaop import COST_LABELS, QUARTERS, KaopPeriod, KaopPlan, kaop_plan, year_period
from kam_xl.kgb import (
    RANK_TOLERANCE,
    SUPPLIER_ROLES_EN,
    competitive_position,
    rank_positions,
    score_card,
    supplier_ranks,
)
from kam_xl.maths import ratio, total
from kam_xl.portfolio import (
    HIGH_BAND_THRESHOLD,
    PortfolioInput,
    big_step_or_out,
    bubble_marker_size,
    portfolio_band,
    portfolio_point,
)
from kam_xl.resources import (
    FTE_TYPES,
    MEASURE_LABELS,
    MEASURES,
    SMALL_ACCOUNTS,
    Measure,
    TargetWeights,
    analyse_resources,
    measure_totals,
    proportional_targets,
)
from kam_xl.vocabulary import (
    BAND_COLOURS,
    BAND_FORMATS,
    BAND_WORDS,
    LANGS,
    SCENARIO_WORDS,
    STAGE_LABELS,
    YES_NO,
    Lang,
)
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.layout import KIND_BOUNDS, TEXT_MAX_CHARS, Book, Chart, Conditional, Input, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.merge import merge_inputs, same, snapshot_from_meta, snapshot_meta
from kam_xl.workbook.names import WorkbookError, read_named
from kam_xl.years import latest_year, plan_year, row_of_year

TEMPLATE_ID = "kam_xl.controller"
TEMPLATE_VERSION = "1.0"
LIGHT_FORMATS = BAND_FORMATS  # the band colours (high/mid/loss) as cell formats
#: The range of the target weights on the Resources sheet — their data validation and :func:`parse_settings`.
WEIGHT_BOUNDS: tuple[float, float] = (0, 1000)
TOL = f"{RANK_TOLERANCE:.0E}"  # ties within this count as equal, as kam_xl.kgb.rank_positions
_AMOUNTS = AMOUNT_FIELDS
_LINE_LABELS = {f: (de, en) for f, de, en, _ in STATEMENT_LINES}



def _missing_note(s: Sheet, row: int, lang: Lang, tables: str) -> None:
    s.put(row, 0, _t(lang, f"Keine Daten: das Datenbuch enthält keine Tabelle {tables} (oder keine Zeilen dazu).",
                     f"No data: the data book has no table {tables} (or no rows for it)."), style="note")


def _headers(s: Sheet, row: int, col: int, heads: list[str] | tuple[str, ...]) -> None:
    for j, h in enumerate(heads):
        s.put(row, col + j, h, style="header")


# ------------------------------------------------------------------------------------------ accounts


@dataclass(frozen=True)
class _Account:
    """One account's data and its pure-function results."""

    account: AccountRow
    cdb_year: int | None
    amounts: CdbInput | None
    activities: tuple[ActivityLine, ...]
    statement: CdbStatement | None
    portfolio: dict[str, Any] | None


def _accounts(db: DataBook) -> list[_Account]:
    out = []
    for a in db.accounts:
        latest = latest_year(db.cdb_years(a.account_id))
        found = db.cdb_input(a.account_id, latest) if latest is not None else None
        year = latest if found else None
        row = row_of_year(db.rows_for("portfolio", a.account_id), year)
        out.append(_Account(account=a, cdb_year=year, amounts=found[0] if found else None,
                            activities=tuple(found[1]) if found else (),
                            statement=cdb_statement(*found) if found else None, portfolio=row))
    return out


# CDB data sheet columns: ID, year, the eight amounts, the activity cost of the four stages
D_ID, D_YEAR, D_AMOUNT0 = 0, 1, 2
D_ACT0 = D_AMOUNT0 + len(_AMOUNTS)


def _cdb_data_sheet(db: DataBook, accs: list[_Account], lang: Lang) -> tuple[Sheet, int]:
    """The CDB amounts (one row per account, latest year) and activity lines; returns the first account row."""
    s = Sheet(_t(lang, "CDB-Daten", "CDB data"), widths={0: 12, 1: 8, **{c: 15 for c in range(2, 14)}},
              freeze=(4, 1))
    s.put(0, 0, _t(lang, "CDB-Daten aus dem Datenbuch (letztes Jahr je Kunde)",
                   "CDB data from the data book (latest year per account)"), style="title")
    s.put(1, 0, _t(lang, "Werte des Datenbuchs zur Zeit der Erzeugung; die Spalten „aus Aktivitäten“ summieren "
                         "die Prozesskosten unten je Stufe.",
                   "Data-book values at generation time; the columns 'from activities' add up the activity-based "
                   "costs below per stage."), style="note")
    if db.table("cdb") is None:
        _missing_note(s, 2, lang, "cdb")
    first = 4
    stage_words = {st: STAGE_LABELS[st][0 if lang == "de" else 1] for st in STAGES}
    heads = ["ID", _t(lang, "Jahr", "Year"), *(_LINE_LABELS[f][0 if lang == "de" else 1] for f in _AMOUNTS),
             *(_t(lang, f"aus Aktivitäten: {stage_words[st]}", f"from activities: {stage_words[st]}")
               for st in STAGES)]
    _headers(s, first - 1, 0, heads)
    lines = [(x.account.account_id, x.cdb_year, line) for x in accs for line in x.activities]
    a_head = first + len(accs) + 2
    a_first = a_head + 1
    a_last = a_first + max(len(lines), 1) - 1
    ids, years, stages, costs = (s.ref(a_first, c, a_last, c) for c in (0, 1, 3, 6))
    for i, x in enumerate(accs):
        r = first + i
        s.put(r, D_ID, x.account.account_id)
        s.put(r, D_YEAR, x.cdb_year, style="integer")
        for j, f in enumerate(_AMOUNTS):
            s.put(r, D_AMOUNT0 + j, getattr(x.amounts, f) if x.amounts else None, style="money")
        extra = x.statement.activity_cost if x.statement else None
        for j, st in enumerate(STAGES):
            s.put(r, D_ACT0 + j, formula=(f'=IF({s.ref(r, D_YEAR)}="","",SUMPRODUCT(({ids}={s.ref(r, D_ID)})*'
                                          f'({years}={s.ref(r, D_YEAR)})*({stages}="{stage_words[st]}")*{costs}))'),
                  cached=extra[st] if extra else None, style="money")
    if accs:
        s.name_range("ctl_data_cdb", first, 0, first + len(accs) - 1, D_ACT0 + len(STAGES) - 1)
    s.put(a_head - 1, 0, _t(lang, "Prozesskosten (Aktivitäten)", "Activity-based costs"), style="subtitle")
    _headers(s, a_head, 0, ("ID", _t(lang, "Jahr", "Year"), _t(lang, "Aktivität", "Activity"),
                            _t(lang, "Stufe", "Stage"), _t(lang, "Treibermenge", "Driver quantity"),
                            _t(lang, "Kostensatz", "Cost rate"), _t(lang, "Kosten", "Cost")))
    for i, (aid, year, line) in enumerate(lines):
        r = a_first + i
        s.put(r, 0, aid)
        s.put(r, 1, year, style="integer")
        s.put(r, 2, line.activity)
        s.put(r, 3, stage_words[line.stage])
        s.put(r, 4, line.driver_quantity, style="number2")
        s.put(r, 5, line.cost_rate, style="money2")
        s.put(r, 6, formula=f"={s.ref(r, 4)}*{s.ref(r, 5)}", cached=line.amount, style="money")
    s.name_range("ctl_data_activities", a_first, 0, a_last, 6)
    return s, first


# Accounts sheet columns
(A_ID, A_NAME, A_REGION, A_YEAR, A_NET, A_I, A_I_REL, A_II, A_II_REL, A_III, A_III_REL, A_RANK, A_PYEAR, A_SOW,
 A_POT, A_MF, A_POTW, A_BAND) = range(18)
LEVEL_COLUMNS = ((A_NET, "net_sales"), (A_I, "cdb_i"), (A_II, "cdb_ii"), (A_III, "cdb_iii"))  # level → its column


def _accounts_sheet(accs: list[_Account], data: Sheet, d_first: int, lang: Lang, db: DataBook) -> Sheet:
    s = Sheet(_t(lang, "Kunden", "Accounts"), widths={0: 10, 1: 34, 2: 9, 3: 8, **{c: 13 for c in range(4, 18)},
                                                        17: 26}, freeze=(4, 2))
    n = len(accs)
    s.put(0, 0, _t(lang, "Kundenübersicht – alle Key Accounts", "Account overview – all key accounts"),
          style="title")
    s.put(1, 0, _t(lang, "CDB I–III des letzten Jahres mit Daten je Kunde, Rang nach CDB III (1 = höchster), "
                         "Portfolio-Position und Band. Alle Kennzahlen sind Formeln über die Daten.",
                   "CDB I–III of each account's latest year with data, rank by CDB III (1 = highest), portfolio "
                   "position and band. Every figure is a formula over the data."), style="note")
    if db.table("cdb") is None or db.table("portfolio") is None:
        missing = " / ".join(t for t in ("cdb", "portfolio") if db.table(t) is None)
        _missing_note(s, 2, lang, missing)
    first, last = 4, 4 + n - 1
    heads = ("ID", _t(lang, "Kunde", "Account"), "Region", _t(lang, "CDB-Jahr", "CDB year"),
             _t(lang, "Nettoumsatz", "Net sales"), "CDB I", "CDB I %", "CDB II", "CDB II %", "CDB III", "CDB III %",
             _t(lang, "Rang CDB III", "Rank CDB III"), _t(lang, "Portfolio-Jahr", "Portfolio year"),
             "Share of Wallet", "Potential", _t(lang, "Margenfaktor", "Margin factor"),
             _t(lang, "Potential margengewichtet", "Potential margin-weighted"), "Band")
    _headers(s, first - 1, 0, heads)
    col = {c: s.ref(first, c, last, c) for c in range(18)} if n else {}
    ranks = rank_positions([x.statement.cdb_iii if x.statement else None for x in accs])
    words = BAND_WORDS[lang]
    for i, x in enumerate(accs):
        r, d = first + i, d_first + i
        st = x.statement

        def dref(c: int, d: int = d) -> str:
            return data.ref(d, c)

        amount = {f: dref(D_AMOUNT0 + j) for j, f in enumerate(_AMOUNTS)}
        act = {stage: dref(D_ACT0 + j) for j, stage in enumerate(STAGES)}
        year = s.ref(r, A_YEAR)
        s.put(r, A_ID, x.account.account_id, style="bold")
        s.put(r, A_NAME, x.account.name)
        s.put(r, A_REGION, x.account.region)
        s.put(r, A_YEAR, x.cdb_year, style="integer")
        # a stage's cost line is its amount plus its activities; each level as cdb.LEVEL_TERMS says
        lines = {**amount, **{f"{stage}_cost": f"({amount[f'{stage}_cost']}+{act[stage]})" for stage in STAGES},
                 **{field: s.ref(r, c) for c, field in LEVEL_COLUMNS}}
        for c, field in LEVEL_COLUMNS:
            expr = LEVEL_FORMULAS[field].removeprefix("=").format(**lines)
            s.put(r, c, formula=f'=IF({year}="","",{expr})', cached=getattr(st, field) if st else None,
                  style="level_money" if field == "cdb_iii" else "money")
            if field != "net_sales":
                s.put(r, c + 1, formula=f'=IF(N({s.ref(r, A_NET)})=0,"",{s.ref(r, c)}/{s.ref(r, A_NET)})',
                      cached=getattr(st, f"{field}_rel") if st else None, style="percent")
        x3, rng = s.ref(r, A_III), col[A_III]
        s.put(r, A_RANK, formula=(f'=IF(ISNUMBER({x3}),1+SUMPRODUCT(ISNUMBER({rng})*({rng}>{x3}+{TOL}))'
                                  f'+SUMPRODUCT(ISNUMBER({rng})*(ROW({rng})<ROW({x3}))*({rng}>={x3}-{TOL})'
                                  f'*({rng}<={x3}+{TOL})),"")'), cached=ranks[i], style="integer")
        p = x.portfolio
        point = portfolio_point(PortfolioInput(account_id=x.account.account_id, share_of_wallet=p["share_of_wallet"],
                                               potential=p["potential"], margin_factor=p["margin_factor"]),
                                margin_weighted=True) if p else None
        s.put(r, A_PYEAR, p["year"] if p else None, style="integer")
        s.put(r, A_SOW, p["share_of_wallet"] if p else None, style="percent")
        s.put(r, A_POT, p["potential"] if p else None, style="number")
        s.put(r, A_MF, p["margin_factor"] if p else None, style="number2")
        s.put(r, A_POTW, formula=f'=IF({s.ref(r, A_POT)}="","",{s.ref(r, A_POT)}*{s.ref(r, A_MF)})',
              cached=point.y if point else None, style="number")
        rel = s.ref(r, A_III_REL)
        band = portfolio_band(st.cdb_iii_rel) if st else None
        s.put(r, A_BAND, formula=(f'=IF({rel}="","",IF({rel}>{HIGH_BAND_THRESHOLD},"{words["high"]}",'
                                  f'IF({rel}>=0,"{words["mid"]}","{words["loss"]}")))'),
              cached=words[band] if band else None, style="bold")
    if not n:
        return s
    for c, name in ((A_ID, "ctl_acc_ids"), (A_NAME, "ctl_acc_names"), (A_NET, "ctl_acc_net_sales"),
                    (A_I, "ctl_acc_cdb_i"), (A_I_REL, "ctl_acc_cdb_i_rel"), (A_II, "ctl_acc_cdb_ii"),
                    (A_II_REL, "ctl_acc_cdb_ii_rel"), (A_III, "ctl_acc_cdb_iii"), (A_III_REL, "ctl_acc_cdb_iii_rel"),
                    (A_RANK, "ctl_acc_rank"), (A_SOW, "ctl_acc_share_of_wallet"), (A_POT, "ctl_acc_potential"),
                    (A_POTW, "ctl_acc_potential_weighted"), (A_BAND, "ctl_acc_band")):
        s.name_range(name, first, c, last, c)
    s.name_range("ctl_accounts", first, 0, last, A_BAND)
    for band_key, fmt in LIGHT_FORMATS.items():
        s.conditionals.append(Conditional(first, A_BAND, last, A_BAND, {
            "type": "cell", "criteria": "==", "value": f'"{words[band_key]}"', "format": fmt}))

    # totals over all accounts with CDB data
    r = last + 1
    stmts = [x.statement for x in accs if x.statement]
    s.put(r, A_NAME, _t(lang, "Summe aller Kunden", "Total of all accounts"), style="level_label")
    tot: dict[str, float | None] = {f: total(getattr(st, f) for st in stmts) if stmts else None
                                    for f in ("net_sales", "cdb_i", "cdb_ii", "cdb_iii")}
    for c, field in ((A_NET, "net_sales"), (A_I, "cdb_i"), (A_II, "cdb_ii"), (A_III, "cdb_iii")):
        s.put(r, c, formula=f'=IF(COUNT({col[c]})=0,"",SUM({col[c]}))', cached=tot[field], style="level_money",
              name=f"ctl_acc_total_{field}")
        if field != "net_sales":
            s.put(r, c + 1, formula=f'=IF(N({s.ref(r, A_NET)})=0,"",{s.ref(r, c)}/{s.ref(r, A_NET)})',
                  cached=ratio(tot[field], tot["net_sales"]), style="level_percent", name=f"ctl_acc_total_{field}_rel")

    # Big Step or Out: negative CDB III, largest loss first (the i-th = rank COUNT − i + 1 by CDB III)
    b = r + 3
    s.put(b - 1, 0, "Big Step or Out", style="subtitle")
    losers = big_step_or_out([PortfolioInput(account_id=x.account.account_id, share_of_wallet=0, potential=0,
                                             cdb_iii=x.statement.cdb_iii if x.statement else None) for x in accs])
    by_id = {x.account.account_id: x for x in accs}
    s.put(b, 0, _t(lang, "Kunden mit negativem CDB III", "Accounts with negative CDB III"), style="label")
    count = s.put(b, 3, formula=f'=COUNTIF({col[A_III]},"<0")', cached=len(losers), style="integer",
                  name="ctl_big_step_count")
    _headers(s, b + 1, 0, ("ID", _t(lang, "Kunde", "Account"), "Region", "", _t(lang, "CDB-Jahr", "CDB year"),
                           "CDB III", "CDB III %"))
    lfirst = b + 2
    for i in range(n):
        r = lfirst + i
        loser = by_id[losers[i].account_id] if i < len(losers) else None
        k = f"{i + 1}"
        where = f"MATCH(COUNT({col[A_III]})-{k}+1,{col[A_RANK]},0)"
        for c, src, cached, style in (
                (0, A_ID, loser.account.account_id if loser else None, "bold"),
                (1, A_NAME, loser.account.name if loser else None, "text"),
                (2, A_REGION, loser.account.region if loser else None, "text"),
                (4, A_YEAR, loser.cdb_year if loser else None, "integer"),
                (6, A_III_REL, loser.statement.cdb_iii_rel if loser and loser.statement else None, "percent")):
            s.put(r, c, formula=f'=IF({count.absolute}<{k},"",INDEX({col[src]},{where}))', cached=cached,
                  style=style)
        s.put(r, 5, formula=f'=IF({count.absolute}<{k},"",SMALL({col[A_III]},{k}))',
              cached=loser.statement.cdb_iii if loser and loser.statement else None, style="money")
    s.name_range("ctl_big_step_ids", lfirst, 0, lfirst + n - 1, 0)
    s.name_range("ctl_big_step", lfirst, 0, lfirst + n - 1, 6)

    # portfolio chart (Abb. 3): one scatter series per account, marker area ∝ |CDB III|, colour = band
    c = lfirst + n + 1
    s.put(c, 0, _t(lang, "Kundenportfolio (Abb. 3)", "Customer portfolio (Fig. 3)"), style="subtitle")
    s.put(c + 1, 0, _t(lang, "x = Share of Wallet, y = Potential; Blasenfläche ∝ |CDB III|, Farbe = Band (grün > 10 %, "
                             "gelb 0–10 %, rot < 0 %, grau ohne CDB). Größe und Farbe zeigen den Stand der "
                             "Erzeugung, die Lage folgt den Zellen.",
                       "x = share of wallet, y = potential; bubble area ∝ |CDB III|, colour = band (green > 10 %, "
                       "amber 0–10 %, red < 0 %, grey without CDB). Size and colour show the data at generation "
                       "time; the position follows the cells."), style="note")
    largest = max((abs(x.statement.cdb_iii) for x in accs if x.statement), default=None)
    series = []
    for i, x in enumerate(accs):
        if x.portfolio is None:
            continue
        r = first + i
        band = portfolio_band(x.statement.cdb_iii_rel) if x.statement else None
        colour = BAND_COLOURS[band]
        series.append({
            "name": f"={s.ref(r, A_ID)}", "categories": f"={s.ref(r, A_SOW)}", "values": f"={s.ref(r, A_POT)}",
            "marker": {"type": "circle",
                       "size": bubble_marker_size(x.statement.cdb_iii if x.statement else None, largest),
                       "fill": {"color": colour, "transparency": 25}, "border": {"color": "#404040"}},
            "data_labels": {"series_name": True, "position": "right"}})
    if series:
        s.charts.append(Chart(kind="scatter", series=tuple(series), anchor=(c + 2, 0), size=(760, 480),
                              title=_t(lang, "Kundenportfolio: Share of Wallet × Potential",
                                       "Customer portfolio: share of wallet × potential"),
                              options={"x_axis": {"name": "Share of Wallet", "num_format": "0%", "min": 0},
                                       "y_axis": {"name": "Potential", "num_format": "#,##0", "min": 0},
                                       "legend": {"none": True}}))
    return s


# ------------------------------------------------------------------------------------------ resources

# Resources sheet columns: region, account, cell label, the measures, shares, consistency and targets
R_REGION, R_ACCOUNT, R_LABEL = 0, 1, 2
R_VALUE = {m: 3 + j for j, m in enumerate(("field_sales_fte", "inside_sales_fte", "tech_service_fte", "total_fte",
                                           "communication", "actual_volume", "actual_revenue", "potential"))}
R_SHARE = {m: 11 + j for j, m in enumerate(("total_fte", "field_sales_fte", "inside_sales_fte", "tech_service_fte",
                                            "communication", "actual_volume", "actual_revenue", "potential"))}
R_REGION_SHARE, R_CONSISTENCY, R_TARGET_SHARE, R_PROPORTIONAL, R_TARGET, R_DELTA = range(19, 25)


def _resources_sheet(db: DataBook, lang: Lang, settings: ControllerSettings) -> Sheet:
    s = Sheet(_t(lang, "Ressourcen", "Resources"), widths={0: 10, 1: 16, 2: 22, **{c: 12 for c in range(3, 25)}},
              freeze=(12, 3))
    s.put(0, 0, _t(lang, "Ressourcenverteilung (Abb. 5)", "Resource distribution (Fig. 5)"), style="title")
    cells = db.resource_cells()
    if not cells:
        _missing_note(s, 1, lang, "resources")
        return s
    try:
        weights = TargetWeights(potential=settings.weight_potential, revenue=settings.weight_revenue)
        a = analyse_resources(cells, db.market_sizes(), weights)
    except KamInputError as e:
        s.put(1, 0, _t(lang, f"Die Verteilung lässt sich nicht berechnen: {e}",
                       f"The distribution cannot be computed: {e}"), style="note")
        return s
    lang_i = 0 if lang == "de" else 1
    s.put(1, 0, _t(lang, "Ziel-MAK (auf 0,5 MAK gerundet nach größtem Rest, Summe bleibt gleich) rechnet kam_xl beim "
                         "Erzeugen – eine Formel kann das nicht verlässlich. Die proportionale Ziel-MAK daneben "
                         "(Gesamt-MAK × Zielanteil) ist eine Formel und folgt den Gewichten sofort.",
                   "Target FTE (rounded to 0.5 FTE by largest remainder, keeping the total) is computed by kam_xl "
                   "when it generates the workbook – a formula cannot do that reliably. The proportional target "
                   "next to it (total FTE × target share) is a formula and follows the weights at once."),
          style="note")
    s.put(3, 0, _t(lang, "Gewicht Potentialanteil", "Weight of potential share"), style="label")
    wp = s.put(3, 3, weights.potential, style="number2", name="res_weight_potential",
               input=Input(kind="number", minimum=WEIGHT_BOUNDS[0], maximum=WEIGHT_BOUNDS[1],
                           title=_t(lang, "Gewicht Potential", "Weight"),
                           message=_t(lang, "Gewicht ≥ 0 des Potentialanteils im Zielanteil (Standard 1)",
                                      "Weight ≥ 0 of the potential share in the target share (default 1)")))
    s.put(4, 0, _t(lang, "Gewicht Umsatzanteil", "Weight of revenue share"), style="label")
    wr = s.put(4, 3, weights.revenue, style="number2", name="res_weight_revenue",
               input=Input(kind="number", minimum=WEIGHT_BOUNDS[0], maximum=WEIGHT_BOUNDS[1],
                           title=_t(lang, "Gewicht Umsatz", "Weight"),
                           message=_t(lang, "Gewicht ≥ 0 des Umsatzanteils im Zielanteil (Standard 0)",
                                      "Weight ≥ 0 of the revenue share in the target share (default 0)")))
    s.put(5, 0, _t(lang, "Rundungsschritt Ziel-MAK", "Rounding step of target FTE"), style="label")
    s.put(5, 3, a.step, style="number2", name="ctl_res_step")

    n = len(cells)
    first, last = 12, 12 + n - 1
    tot_row = last + 1
    heads = ["Region", _t(lang, "Kunde", "Account"), _t(lang, "Zelle", "Cell")]
    heads += [MEASURE_LABELS[m][lang_i] for m in R_VALUE]
    heads += [_t(lang, f"Anteil {MEASURE_LABELS[m][0]}", f"Share {MEASURE_LABELS[m][1].lower()}") for m in R_SHARE]
    heads += [_t(lang, "MAK-Anteil in Region", "FTE share in region"),
              _t(lang, "Konsistenz (MAK ÷ Potential)", "Consistency (FTE ÷ potential)"),
              _t(lang, "Zielanteil", "Target share"), _t(lang, "Ziel-MAK proportional", "Target FTE proportional"),
              _t(lang, "Ziel-MAK (gerundet)", "Target FTE (rounded)"), "Delta MAK"]
    _headers(s, first - 1, 0, heads)
    col = {c: s.ref(first, c, last, c) for c in range(25)}
    totals = measure_totals(cells)
    proportional = proportional_targets(a)
    tot = {m: s.ref(tot_row, R_VALUE[m]) for m in MEASURES}
    for i, (cell, res) in enumerate(zip(cells, a.cells, strict=True)):
        r = first + i
        account = cell.account_id or SMALL_ACCOUNTS[lang_i]
        s.put(r, R_REGION, cell.region)
        s.put(r, R_ACCOUNT, account, style="bold" if cell.account_id else "text")
        s.put(r, R_LABEL, f"{cell.region} / {account}")
        for m, c in R_VALUE.items():
            if m == "total_fte":
                refs = "+".join(s.ref(r, R_VALUE[t]) for t in FTE_TYPES)
                s.put(r, c, formula=f"={refs}", cached=cell.total_fte, style="number")
            else:
                s.put(r, c, cell.measure(m), style="money" if m in ("communication", "actual_revenue") else "number")
        for m, c in R_SHARE.items():
            s.put(r, c, formula=f'=IF(N({tot[m]})=0,"",{s.ref(r, R_VALUE[m])}/{tot[m]})', cached=res.shares[m],
                  style="percent")
        fte = s.ref(r, R_VALUE["total_fte"])
        region_fte = f"SUMIF({col[R_REGION]},{s.ref(r, R_REGION)},{col[R_VALUE['total_fte']]})"
        s.put(r, R_REGION_SHARE, formula=f'=IF({region_fte}=0,"",{fte}/{region_fte})',
              cached=res.region_shares["total_fte"], style="percent")
        rs, ps, vs = (s.ref(r, R_SHARE[m]) for m in ("total_fte", "potential", "actual_revenue"))
        s.put(r, R_CONSISTENCY, formula=f'=IF(N({ps})=0,"",IF({rs}="","",{rs}/{ps}))', cached=res.consistency,
              style="number2")
        s.put(r, R_TARGET_SHARE, formula=(f'=IF({wp.absolute}+{wr.absolute}=0,"",({wp.absolute}*N({ps})'
                                          f'+{wr.absolute}*N({vs}))/({wp.absolute}+{wr.absolute}))'),
              cached=res.target_share, style="percent")
        s.put(r, R_PROPORTIONAL, formula=f'=IF({s.ref(r, R_TARGET_SHARE)}="","",'
                                         f'{tot["total_fte"]}*{s.ref(r, R_TARGET_SHARE)})',
              cached=proportional[i], style="number2")
        s.put(r, R_TARGET, res.target_fte, style="number")
        s.put(r, R_DELTA, formula=f"={s.ref(r, R_TARGET)}-{fte}", cached=res.delta_fte, style="number")
    s.put(tot_row, R_ACCOUNT, _t(lang, "Summe", "Total"), style="level_label")
    for m, c in R_VALUE.items():
        s.put(tot_row, c, formula=f"=SUM({col[c]})", cached=totals[m],
              style="level_money" if m in ("communication", "actual_revenue") else "number")
    for c, values in ((R_PROPORTIONAL, proportional), (R_TARGET, [x.target_fte for x in a.cells]),
                      (R_DELTA, [x.delta_fte for x in a.cells])):
        s.put(tot_row, c, formula=f"=SUM({col[c]})", cached=total(values), style="number")
    s.name_range("ctl_res_cells", first, 0, last, R_DELTA)
    for c, name in ((R_SHARE["total_fte"], "ctl_res_resource_share"), (R_SHARE["potential"], "ctl_res_potential_share"),
                    (R_CONSISTENCY, "ctl_res_consistency"), (R_TARGET_SHARE, "ctl_res_target_share"),
                    (R_PROPORTIONAL, "ctl_res_target_proportional"), (R_TARGET, "ctl_res_target_fte"),
                    (R_DELTA, "ctl_res_delta_fte")):
        s.name_range(name, first, c, last, c)

    # moved share ½ Σ |resource share − potential share|, overall and per resource type
    s.put(7, 0, _t(lang, "Zu verschiebender Anteil ½ Σ |Ressourcenanteil − Potentialanteil|",
                   "Share to move ½ Σ |resource share − potential share|"), style="subtitle")
    s.put(9, 0, _t(lang, "Anteil", "Share"), style="label")
    p_col = col[R_SHARE["potential"]]
    moved: list[tuple[Measure, float | None]] = [("total_fte", a.moved_share), *a.moved_share_by_type.items()]
    for j, (m, value) in enumerate(moved):
        s.put(8, 3 + j, MEASURE_LABELS[m][lang_i], style="header")
        s.put(9, 3 + j, formula=(f'=IF(OR(N({tot[m]})=0,N({tot["potential"]})=0),"",'
                                 f'SUMPRODUCT(ABS({col[R_SHARE[m]]}-{p_col}))/2)'),
              cached=value, style="percent", name="ctl_res_moved_share" if j == 0 else f"ctl_res_moved_share_{m}")
    # regions
    g = tot_row + 3
    s.put(g - 1, 0, _t(lang, "Regionen", "Regions"), style="subtitle")
    _headers(s, g, 0, ("Region", "", "", MEASURE_LABELS["total_fte"][lang_i], MEASURE_LABELS["potential"][lang_i],
                       MEASURE_LABELS["actual_revenue"][lang_i], _t(lang, "MAK-Anteil", "FTE share"),
                       _t(lang, "Potentialanteil", "Potential share"), _t(lang, "Umsatzanteil", "Revenue share"),
                       _t(lang, "Ziel-MAK", "Target FTE"), "Delta MAK", _t(lang, "Marktgröße", "Market size"),
                       _t(lang, "Marktanteil", "Market share"),
                       _t(lang, "Konsistenz (MAK ÷ Markt)", "Consistency (FTE ÷ market)")))
    g_first = g + 1
    g_last = g_first + len(a.regions) - 1
    market_col = s.ref(g_first, 11, g_last, 11)
    for i, reg in enumerate(a.regions):
        r = g_first + i
        s.put(r, 0, reg.region, style="bold")
        name = s.ref(r, 0)
        for c, m in ((3, "total_fte"), (4, "potential"), (5, "actual_revenue")):
            s.put(r, c, formula=f"=SUMIF({col[R_REGION]},{name},{col[R_VALUE[m]]})", cached=reg.totals[m],
                  style="money" if m == "actual_revenue" else "number")
            s.put(r, c + 3, formula=f'=IF(N({tot[m]})=0,"",{s.ref(r, c)}/{tot[m]})', cached=reg.shares[m],
                  style="percent")
        s.put(r, 9, formula=f"=SUMIF({col[R_REGION]},{name},{col[R_TARGET]})", cached=reg.target_fte, style="number")
        s.put(r, 10, formula=f"={s.ref(r, 9)}-{s.ref(r, 3)}", cached=reg.delta_fte, style="number")
        s.put(r, 11, reg.market_size, style="number")
        mk = s.ref(r, 11)
        s.put(r, 12, formula=f'=IF({mk}="","",IF(SUM({market_col})=0,"",{mk}/SUM({market_col})))',
              cached=reg.market_share, style="percent")
        s.put(r, 13, formula=f'=IF(N({s.ref(r, 12)})=0,"",IF({s.ref(r, 6)}="","",{s.ref(r, 6)}/{s.ref(r, 12)}))',
              cached=reg.market_consistency, style="number2")
    s.name_range("ctl_res_regions", g_first, 0, g_last, 13)
    s.conditionals.append(Conditional(first, R_DELTA, last, R_DELTA, {
        "type": "cell", "criteria": "<", "value": 0, "format": LIGHT_FORMATS["loss"]}))
    s.conditionals.append(Conditional(first, R_DELTA, last, R_DELTA, {
        "type": "cell", "criteria": ">", "value": 0, "format": LIGHT_FORMATS["high"]}))
    cats = "=" + col[R_LABEL]
    s.charts.append(Chart(
        kind="bar", title=_t(lang, "Ressourcenanteil vs. Potentialanteil vs. Zielanteil",
                             "Resource share vs. potential share vs. target share"),
        series=tuple({"name": f"={s.ref(first - 1, c)}", "categories": cats, "values": "=" + col[c],
                      "fill": {"color": colour}}
                     for c, colour in ((R_SHARE["total_fte"], "#1F3864"), (R_SHARE["potential"], "#8EA9DB"),
                                       (R_TARGET_SHARE, "#00B050"))),
        anchor=(g_last + 3, 0), size=(760, max(360, 26 * n + 80)),
        options={"x_axis": {"num_format": "0%", "min": 0}, "y_axis": {"reverse": True},
                 "legend": {"position": "bottom"}}))
    return s


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


def _kaop_data_sheet(items: list[_Kaop], lang: Lang) -> tuple[Sheet, dict[str, str]]:
    """The KAOP drivers of every account's plan year; returns the column ranges the roll-up formulas use."""
    s = Sheet(_t(lang, "KAOP-Daten", "KAOP data"), widths={0: 10, 1: 8, 2: 8, 3: 8, 4: 30, 5: 13, 6: 13, 7: 15},
              freeze=(4, 0))
    words = SCENARIO_WORDS[lang]
    s.put(0, 0, _t(lang, "KAOP-Treiber aus dem Datenbuch (Planjahr je Kunde)",
                   "KAOP drivers from the data book (plan year per account)"), style="title")
    s.put(1, 0, _t(lang, "Werte des Datenbuchs zur Zeit der Erzeugung. Umsatz = Absatz × Durchschnittspreis; "
                         "Kosten als Betrag oder als Anteil vom Umsatz des Quartals.",
                   "Data-book values at generation time. Revenue = volume × average price; costs as an amount or "
                   "as a rate of the quarter's revenue."), style="note")
    products = [(k, sc, p) for k in items for sc in ("plan", "actual") for p in k.rows[sc][0]]
    costs = [(k, sc, c) for k in items for sc in ("plan", "actual") for c in k.rows[sc][1]]
    s.put(2, 0, _t(lang, "Produkte", "Products"), style="subtitle")
    _headers(s, 3, 0, ("ID", _t(lang, "Jahr", "Year"), _t(lang, "Szenario", "Scenario"), _t(lang, "Quartal", "Quarter"),
                       _t(lang, "Produkt", "Product"), _t(lang, "Absatz", "Volume"),
                       _t(lang, "Durchschnittspreis", "Average price"), _t(lang, "Umsatz", "Revenue")))
    p_first = 4
    p_last = p_first + max(len(products), 1) - 1
    for i, (k, sc, p) in enumerate(products):
        r = p_first + i
        for c, v in enumerate((k.account.account_id, k.year, words[sc], p.quarter, p.product)):
            s.put(r, c, v, style="integer" if c in (1, 3) else "text")
        s.put(r, 5, p.volume, style="number")
        s.put(r, 6, p.price, style="money2")
        s.put(r, 7, formula=f"={s.ref(r, 5)}*{s.ref(r, 6)}", cached=p.revenue, style="money")
    s.name_range("ctl_data_kaop_products", p_first, 0, p_last, 7)
    c_head = p_last + 3
    s.put(c_head - 1, 0, _t(lang, "Kundenbeziehungskosten", "Relationship costs"), style="subtitle")
    _headers(s, c_head, 0, ("ID", _t(lang, "Jahr", "Year"), _t(lang, "Szenario", "Scenario"),
                            _t(lang, "Quartal", "Quarter"), _t(lang, "Kostenart", "Category"),
                            _t(lang, "Betrag", "Amount"), _t(lang, "Anteil vom Umsatz", "Rate of revenue")))
    c_first = c_head + 1
    c_last = c_first + max(len(costs), 1) - 1
    for i, (k, sc, c) in enumerate(costs):
        r = c_first + i
        for j, v in enumerate((k.account.account_id, k.year, words[sc], c.quarter,
                               COST_LABELS[c.category][0 if lang == "de" else 1])):
            s.put(r, j, v, style="integer" if j in (1, 3) else "text")
        s.put(r, 5, c.amount, style="money")
        s.put(r, 6, c.rate_of_revenue, style="percent")
    s.name_range("ctl_data_kaop_costs", c_first, 0, c_last, 6)
    refs = {f"p{j}": s.ref(p_first, j, p_last, j) for j in range(8)}
    refs.update({f"c{j}": s.ref(c_first, j, c_last, j) for j in range(7)})
    return s, refs


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
    _headers(s, top + 2, 0, ("ID", _t(lang, "Kunde", "Account"), _t(lang, "Jahr", "Year"),
                             *([f"Q{q}" for q in QUARTERS] + [_t(lang, "Jahr", "Year")]) * len(KAOP_MEASURES)))
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
    s = Sheet("KAOP", widths={0: 10, 1: 30, 2: 7, **{c: 12 for c in range(3, 23)}}, freeze=(0, 2))
    s.put(0, 0, _t(lang, "KAOP – Plan und Ist aller Kunden je Quartal",
                   "KAOP – plan and actual of all accounts by quarter"), style="title")
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


# ------------------------------------------------------------------------------------------ Kgb


def _kgb_sheet(db: DataBook, lang: Lang) -> Sheet:
    s = Sheet("Kgb", widths={0: 10, 1: 30, 2: 24, 3: 22, 4: 16, **{c: 13 for c in range(5, 10)}}, freeze=(4, 3))
    s.put(0, 0, _t(lang, "Kgb – Wettbewerbsposition je Kunde und Segment",
                   "Kgb – competitive position per account and segment"), style="title")
    cards = [(a, card) for a in db.accounts for card in (db.kgb_cards(a.account_id) if db.table("kgb") else [])]
    if not cards:
        _missing_note(s, 1, lang, "kgb")
        return s
    yes, no = YES_NO[lang]
    s.put(1, 0, _t(lang, "Scores (0–100, gewichtet) je Lieferant unten, berechnet je Karte; leer = unvollständig. "
                         "Abstand = unser Score − bester Wettbewerber; Rang 1 = bester Lieferant.",
                   "Scores (0–100, weighted) per supplier below, computed per card; empty = incomplete. Gap = our "
                   "score − best competitor; rank 1 = best supplier."), style="note")
    first = 4
    last = first + len(cards) - 1
    _headers(s, first - 1, 0, ("ID", _t(lang, "Kunde", "Account"), "Segment",
                               _t(lang, "Lieferantenrolle", "Supplier role"), _t(lang, "Wir", "Our company"),
                               _t(lang, "Unser Score", "Our score"), _t(lang, "Bester Wettbewerber", "Best competitor"),
                               _t(lang, "Abstand", "Gap"), _t(lang, "Rang", "Rank"),
                               _t(lang, "Lieferanten mit Score", "Suppliers scored")))
    # the block of card scores (values computed by score_card)
    results = [score_card(card) for _, card in cards]
    rows = [(a, card, supplier, score) for (a, card), res in zip(cards, results, strict=True)
            for supplier, score in res.scores.items()]
    b_head = last + 3
    s.put(b_head - 1, 0, _t(lang, "Scores je Lieferant (aus den Kgb-Karten)",
                            "Scores per supplier (from the Kgb cards)"),
          style="subtitle")
    _headers(s, b_head, 0, ("ID", "Nr.", "Segment", _t(lang, "Lieferant", "Supplier"), _t(lang, "eigenes", "own"),
                            "Score"))
    b_first = b_head + 1
    b_last = b_first + len(rows) - 1
    for i, (a, card, supplier, score) in enumerate(rows):
        r = b_first + i
        s.put(r, 0, a.account_id)
        s.put(r, 1, i + 1, style="integer")
        s.put(r, 2, card.segment)
        s.put(r, 3, supplier)
        s.put(r, 4, yes if supplier == card.own_supplier else no)
        s.put(r, 5, score, style="score")
    s.name_range("ctl_kgb_scores", b_first, 0, b_last, 5)
    k_id, k_nr, k_seg, k_own, k_val = (s.ref(b_first, c, b_last, c) for c in (0, 1, 2, 4, 5))
    for i, ((a, card), res) in enumerate(zip(cards, results, strict=True)):
        r = first + i
        pos = competitive_position(res.scores, card.own_supplier)
        role = a.supplier_role
        role_word = SUPPLIER_ROLES_EN.get(role, role) if role and lang == "en" else role  # type: ignore[call-overload]
        s.put(r, 0, a.account_id, style="bold")
        s.put(r, 1, a.name)
        s.put(r, 2, card.segment)
        s.put(r, 3, role_word)
        s.put(r, 4, card.own_supplier)
        cond = f"({k_id}={s.ref(r, 0)})*({k_seg}={s.ref(r, 2)})"
        own, best = s.ref(r, 5), s.ref(r, 6)
        s.put(r, 5, formula=(f'=IF(SUMPRODUCT({cond}*({k_own}="{yes}")*ISNUMBER({k_val}))=0,"",'
                             f'SUMPRODUCT({cond}*({k_own}="{yes}")*{k_val}))'), cached=pos.own, style="score")
        s.put(r, 6, formula=(f'=IF(SUMPRODUCT({cond}*({k_own}="{no}")*ISNUMBER({k_val}))=0,"",'
                             f'SUMPRODUCT(MAX({cond}*({k_own}="{no}")*{k_val})))'),
              cached=pos.best_competitor_score, style="score")
        s.put(r, 7, formula=f'=IF(OR({own}="",{best}=""),"",{own}-{best})', cached=pos.gap, style="score")
        own_nr = f'SUMPRODUCT({cond}*({k_own}="{yes}")*{k_nr})'
        s.put(r, 8, formula=(f'=IF({own}="","",1+SUMPRODUCT({cond}*ISNUMBER({k_val})*({k_val}>{own}+{TOL}))'
                             f'+SUMPRODUCT({cond}*ISNUMBER({k_val})*({k_nr}<{own_nr})*({k_val}>={own}-{TOL})'
                             f'*({k_val}<={own}+{TOL})))'),
              cached=supplier_ranks(res)[card.own_supplier], style="integer")
        s.put(r, 9, formula=f"=SUMPRODUCT({cond}*ISNUMBER({k_val}))", cached=len(res.rank), style="integer")
    s.name_range("ctl_kgb", first, 0, last, 9)
    for c, name in ((5, "ctl_kgb_own_score"), (6, "ctl_kgb_best_competitor"), (7, "ctl_kgb_gap"), (8, "ctl_kgb_rank")):
        s.name_range(name, first, c, last, c)
    s.conditionals.append(Conditional(first, 7, last, 7, {"type": "cell", "criteria": "<", "value": 0,
                                                          "format": LIGHT_FORMATS["loss"]}))
    s.conditionals.append(Conditional(first, 7, last, 7, {"type": "cell", "criteria": ">", "value": 0,
                                                          "format": LIGHT_FORMATS["high"]}))
    return s


# ------------------------------------------------------------------------------------------ excellence


def _excellence_sheet(responses: list[Response], catalogue: Catalogue | None, lang: Lang,
                      spread: float = DEFAULT_SPREAD) -> Sheet:
    s = Sheet("Excellence", widths={0: 10, 1: 8, 2: 60}, freeze=(0, 3))
    s.put(0, 0, _t(lang, "KAM-Excellence – Bewertungen aller Befragten", "KAM excellence – ratings of all respondents"),
          style="title")
    if not responses:
        _missing_note(s, 1, lang, "excellence")
        return s
    catalogue = catalogue or load_catalogue()
    yes, no = YES_NO[lang]
    n_resp = len(responses)
    c_resp = 3
    c_stat = c_resp + n_resp
    s.widths.update({c: 14 for c in range(c_resp, c_stat + 5)})
    s.put(1, 0, _t(lang, "Werte 0–100 je Befragtem; leer = nicht relevant oder nicht beantwortet. Dimensionswert = "
                         "Mittel der bewerteten Kriterien, Gesamt = Mittel der Dimensionswerte.",
                   "Ratings 0–100 per respondent; empty = not relevant or unanswered. Dimension score = mean of the "
                   "rated criteria, overall = mean of the dimension scores."), style="note")
    s.put(2, 0, _t(lang, "Dissens ab Spannweite", "Disagreement from spread"), style="label")
    spread_in = s.put(2, c_resp, spread, style="score", name="ctl_exc_spread",
                      input=Input(kind="score", title=_t(lang, "Dissens", "Disagreement"),
                                  message=_t(lang, "Spannweite (max − min, 0–100), ab der Befragte uneins sind",
                                             "Spread (max − min, 0–100) from which respondents disagree")))
    # dimension scores per respondent
    refs = catalogue.criteria()
    d_head = 4
    _headers(s, d_head, 0, ("Dimension", "", "", *(r.respondent for r in responses)))
    s.put(d_head + 1, 2, _t(lang, "Rolle", "Role"), style="label")
    for j, resp in enumerate(responses):
        s.put(d_head + 1, c_resp + j, resp.role or None, style="note")
    scored = [score_response(catalogue, resp) for resp in responses]
    crit_head = d_head + 2 + len(catalogue.dimensions) + 3
    c_first = crit_head + 1
    c_last = c_first + len(refs) - 1
    dim_col = s.ref(c_first, 1, c_last, 1)
    d_first = d_head + 2
    for i, dim in enumerate(catalogue.dimensions):
        r = d_first + i
        s.put(r, 0, dim.id, style="bold")
        s.put(r, 2, dim.name.get(lang))
        for j, res in enumerate(scored):
            vals = s.ref(c_first, c_resp + j, c_last, c_resp + j)
            count = f'COUNTIFS({dim_col},{s.ref(r, 0)},{vals},">=0")'
            s.put(r, c_resp + j, formula=f'=IF({count}=0,"",SUMIFS({vals},{dim_col},{s.ref(r, 0)})/{count})',
                  cached=res.dimensions[dim.id].score, style="score")
    d_last = d_first + len(catalogue.dimensions) - 1
    o = d_last + 1
    s.put(o, 2, _t(lang, "Gesamt (Mittel der Dimensionswerte)", "Overall (mean of the dimension scores)"),
          style="level_label")
    for j, res in enumerate(scored):
        dims = s.ref(d_first, c_resp + j, d_last, c_resp + j)
        s.put(o, c_resp + j, formula=f'=IF(COUNT({dims})=0,"",AVERAGE({dims}))', cached=res.overall, style="score")
    s.name_range("ctl_exc_respondents", d_head, c_resp, d_head, c_stat - 1)
    s.name_range("ctl_exc_dimensions", d_first, c_resp, d_last, c_stat - 1)
    s.name_range("ctl_exc_overall", o, c_resp, o, c_stat - 1)
    s.conditionals.append(Conditional(d_first, c_resp, o, c_stat - 1, SCORE_SCALE))

    # ratings block (values) and the consolidation per criterion (formulas)
    s.put(crit_head - 1, 0, _t(lang, "Kriterien: Bewertungen und Konsens", "Criteria: ratings and consensus"),
          style="subtitle")
    _headers(s, crit_head, 0, ("ID", "Dimension", _t(lang, "Das Unternehmen …", "The company …"),
                               *(r.respondent for r in responses), _t(lang, "Mittelwert", "Mean"), "Min", "Max",
                               _t(lang, "Spannweite", "Spread"), _t(lang, "Dissens", "Disagreement")))
    ratings = {resp.respondent: {a.criterion_id: a.rating for a in resp.answers} for resp in responses}
    consensus = consolidate(catalogue, responses, disagreement_spread=spread)
    for i, ref in enumerate(refs):
        r = c_first + i
        cid = ref.criterion.id
        s.put(r, 0, cid)
        s.put(r, 1, ref.dimension)
        s.put(r, 2, ref.criterion.text.get(lang), style="text")
        for j, resp in enumerate(responses):
            v = ratings[resp.respondent].get(cid)
            s.put(r, c_resp + j, None if v is None or v == NOT_RELEVANT else float(v), style="integer")
        row = s.ref(r, c_resp, r, c_stat - 1)
        cc = consensus[cid]
        cnt = f"COUNT({row})=0"
        s.put(r, c_stat, formula=f'=IF({cnt},"",AVERAGE({row}))', cached=cc.mean, style="score")
        s.put(r, c_stat + 1, formula=f'=IF({cnt},"",MIN({row}))', cached=cc.min, style="score")
        s.put(r, c_stat + 2, formula=f'=IF({cnt},"",MAX({row}))', cached=cc.max, style="score")
        spread = s.ref(r, c_stat + 3)
        s.put(r, c_stat + 3, formula=f'=IF({cnt},"",{s.ref(r, c_stat + 2)}-{s.ref(r, c_stat + 1)})', cached=cc.spread,
              style="score")
        s.put(r, c_stat + 4, formula=f'=IF({spread}="","{no}",IF({spread}>={spread_in.absolute},"{yes}","{no}"))',
              cached=yes if cc.disagreement else no)
    s.name_range("ctl_exc_criteria", c_first, 0, c_last, 0)
    s.name_range("ctl_exc_ratings", c_first, c_resp, c_last, c_stat - 1)
    s.name_range("ctl_exc_consensus", c_first, c_stat, c_last, c_stat + 4)
    s.conditionals.append(Conditional(c_first, c_stat + 4, c_last, c_stat + 4, {
        "type": "cell", "criteria": "==", "value": f'"{yes}"', "format": LIGHT_FORMATS["loss"]}))
    return s


SCORE_SCALE = {"type": "3_color_scale", "min_type": "num", "min_value": 0, "min_color": "#F8696B",
               "mid_type": "num", "mid_value": 50, "mid_color": "#FFEB84",
               "max_type": "num", "max_value": 100, "max_color": "#63BE7B"}


# ------------------------------------------------------------------------------------------ settings

#: The controller's settings by defined name: what the macros work with and what regeneration carries over.
SETTING_NAMES = ("ctl_databook", "ctl_output", "ctl_lang", "ctl_account", "res_weight_potential",
                 "res_weight_revenue", "ctl_exc_spread")
#: Rows of the macros' error list ``ctl_errors`` (file, sheet, cell, problem); more problems are counted in the
#: status line.
ERROR_ROWS = 50
ERROR_HEADS = {"de": ("Datei", "Blatt", "Zelle", "Problem"), "en": ("File", "Sheet", "Cell", "Problem")}
_FIELDS = {"ctl_databook": "databook", "ctl_output": "output", "ctl_lang": "lang", "ctl_account": "account",
           "res_weight_potential": "weight_potential", "res_weight_revenue": "weight_revenue",
           "ctl_exc_spread": "exc_spread"}
SETTING_LABELS = {
    "ctl_databook": ("Datenbuch (Datei oder Ordner)", "Data book (file or folder)"),
    "ctl_output": ("Ausgabeordner", "Output folder"),
    "ctl_lang": ("Sprache der Account-Workbooks", "Language of the account workbooks"),
    "ctl_account": ("Kunde für „diesen Account-Plan erneuern“", "Account for 'refresh this account plan'"),
    "res_weight_potential": ("Gewicht Potentialanteil", "Weight of potential share"),
    "res_weight_revenue": ("Gewicht Umsatzanteil", "Weight of revenue share"),
    "ctl_exc_spread": ("Dissens ab Spannweite", "Disagreement from spread"),
}


@dataclass(frozen=True)
class ControllerSettings:
    """The settings of a controller workbook (its inputs), by meaning; :meth:`values` gives them by defined
    name. ``lang`` is the language of the account workbooks the macros write, not of the controller."""

    databook: str | None = None
    output: str | None = None
    lang: Lang = "de"
    account: str | None = None
    weight_potential: float = 1.0
    weight_revenue: float = 0.0
    exc_spread: float = DEFAULT_SPREAD

    def values(self) -> dict[str, Any]:
        """The settings by defined name, as the cells hold them (``None`` for an empty cell)."""
        return {name: getattr(self, field) for name, field in _FIELDS.items()}


#: A setting that breaks its rule: (defined name, value, what is allowed).
SettingProblem = tuple[str, Any, str]
_WEIGHTS = ("res_weight_potential", "res_weight_revenue")


def default_settings(db: DataBook, lang: Lang = "de") -> ControllerSettings:
    """The settings of a freshly generated controller: the data book it was built from (when its source is a
    file or folder — a consolidated data book's source is a description, not a path), no output folder, the
    controller's language, the first account, target weights potential 1 / revenue 0, disagreement from a
    spread of 50 points."""
    weights = TargetWeights()
    return ControllerSettings(databook=db.source if db.source and Path(db.source).exists() else None, lang=lang,
                              account=db.accounts[0].account_id if db.accounts else None,
                              weight_potential=weights.potential, weight_revenue=weights.revenue)


def _text(name: str, value: Any) -> str | None:
    """A text setting: the account id under the one text rule (an id typed as a number: ``1001``, not
    ``1001.0``); a path only trimmed — a path is not a word to normalise (two spaces or a decomposed ``é`` in
    a folder's name are that folder's name). Raises :class:`Refusal` for an error value or a non-text."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | CellError | None):
        raise Refusal()
    if name == "ctl_account" or not isinstance(value, str):
        return coerce.text(value)
    text = value.strip()
    if len(text) > TEXT_MAX_CHARS:
        raise Refusal(f"{len(text):,} characters, at most {TEXT_MAX_CHARS:,} allowed")
    return text or None


def parse_settings(values: Mapping[str, Any], base: ControllerSettings) -> tuple[ControllerSettings,
                                                                                 list[SettingProblem]]:
    """The settings in ``values`` (by defined name, as the cells hold them) on top of ``base``.

    A name missing from ``values`` keeps ``base``'s value; a value that breaks the cell's rule is reported as
    (name, value, what is allowed) and ``base``'s value kept. Rules: paths and account are text (empty allowed
    here — whether a macro needs them is the macro's check); language ``de`` or ``en``; weights numbers
    within :data:`WEIGHT_BOUNDS` (as the cells' validation), not both 0; disagreement spread a number 0–100
    points (not from a percent-formatted cell). Cells are read with :mod:`kam_xl.workbook.coerce`: an error
    value is a problem in its own words, the account follows the one text rule, paths are only trimmed.

    >>> s, problems = parse_settings({"ctl_lang": "EN ", "res_weight_revenue": -1}, ControllerSettings())
    >>> s.lang, s.weight_revenue, problems
    ('en', 0.0, [('res_weight_revenue', -1, 'a number ≥ 0')])
    """
    found: dict[str, Any] = {}
    problems: list[SettingProblem] = []
    for name in ("ctl_databook", "ctl_output", "ctl_account"):
        if name in values:
            v = values[name]
            try:
                found[name] = _text(name, v)
            except Refusal as e:
                problems.append((name, shown(v), e.allowed("text")))
    if "ctl_lang" in values:
        try:
            found["ctl_lang"] = coerce.choice(values["ctl_lang"], LANGS) or ""
            if not found["ctl_lang"]:
                raise Refusal()
        except Refusal as e:
            found.pop("ctl_lang", None)
            problems.append(("ctl_lang", shown(values["ctl_lang"]), e.allowed("de or en")))
    limits = {"res_weight_potential": (WEIGHT_BOUNDS, False, "a number ≥ 0"),
              "res_weight_revenue": (WEIGHT_BOUNDS, False, "a number ≥ 0"),
              "ctl_exc_spread": (KIND_BOUNDS["score"], True, "a number 0–100")}
    for name, ((low, high), points, allowed) in limits.items():
        if name not in values:
            continue
        v = values[name]
        try:
            found[name] = coerce.number(v, low, high, required=True, points=points)
        except Refusal as e:
            limit = f", at most {high:,g}" if name in _WEIGHTS and isinstance(v, int | float) and v > high else ""
            problems.append((name, shown(v), e.allowed(allowed + limit)))
    weights = _WEIGHTS
    if any(n in found for n in weights) and not any(p[0] in weights for p in problems):
        wp = found.get("res_weight_potential", base.weight_potential)
        wr = found.get("res_weight_revenue", base.weight_revenue)
        if wp + wr <= 0:
            problems.append(("res_weight_potential", wp, "weights ≥ 0 with potential or revenue weight > 0 "
                                                         "(both are 0)"))
            for n in weights:
                found.pop(n, None)
    return replace(base, **{_FIELDS[name]: v for name, v in found.items()}), problems


def carry_settings(defaults: ControllerSettings, old: Mapping[str, Any], old_meta: Mapping[str, str],
                   lang: Lang = "de") -> tuple[ControllerSettings, str]:
    """The settings a regenerated controller takes over from the old one, and a status line saying so.

    The old controller's values are merged with ``defaults`` (what the data gives now) as a KAM's inputs are
    (:func:`kam_xl.workbook.merge.merge_inputs`, with the defaults of the old generation from its ``_meta``
    snapshot): a setting somebody typed is kept, an untouched one follows the data. Where the data has no value
    (no path for a consolidated data book) the old value is kept too. An old value that breaks its rule is
    left at the default and named in the status line.
    """
    new = defaults.values()
    old_values = {k: v for k, v in old.items() if k in new}
    snapshot = snapshot_from_meta(dict(old_meta))
    orig = {k: v for k, v in snapshot.items() if k in new} if snapshot is not None else None
    merged, _ = merge_inputs(orig, old_values, new)
    for name, value in old_values.items():
        if merged[name] in (None, "") and value not in (None, ""):
            merged[name] = value
    settings, problems = parse_settings(merged, defaults)
    kept = [n for n in SETTING_NAMES if n in old_values and not same(settings.values()[n], new[n])]
    words = [_t(lang, *SETTING_LABELS[n]) for n in kept]
    parts = [_t(lang, "Einstellungen des alten Controllers übernommen: ", "Settings of the old controller kept: ")
             + (", ".join(words) if words else _t(lang, "keine abweichenden", "none differ"))]
    for name, value, allowed in problems:
        parts.append(_t(lang, f"{_t(lang, *SETTING_LABELS[name])} = {value!r} nicht übernommen (erlaubt: {allowed})",
                        f"{_t(lang, *SETTING_LABELS[name])} = {value!r} not kept (allowed: {allowed})"))
    return settings, "; ".join(parts)


def read_carried_settings(path: Path, defaults: ControllerSettings, lang: Lang = "de"
                          ) -> tuple[ControllerSettings | None, str]:
    """Read the settings of the controller workbook at ``path`` by defined name and carry them over
    (:func:`carry_settings`). A file that cannot be read or is not a controller gives ``None`` and the reason."""
    try:
        old = read_named(path, names=set(SETTING_NAMES))
    except WorkbookError as e:
        return None, _t(lang, f"Einstellungen nicht übernommen: {e}", f"Settings not kept: {e}")
    if old.meta.get("template_id") != TEMPLATE_ID:
        return None, _t(lang, f"Einstellungen nicht übernommen: {path.name} war kein Controller-Workbook",
                        f"Settings not kept: {path.name} was not a controller workbook")
    return carry_settings(defaults, old.values, old.meta, lang)


def _settings_sheet(db: DataBook, lang: Lang, when: str, settings: ControllerSettings, account_ids: str | None,
                    status: str) -> Sheet:
    s = Sheet(_t(lang, "Einstellungen", "Settings"), widths={0: 42, 1: 60, 2: 12, 3: 90})
    s.put(0, 0, _t(lang, "Einstellungen für Makros", "Settings for the macros"), style="title")
    s.put(1, 0, _t(lang, "Datenbuch, Ausgabeordner, Sprache und Kunde, mit denen die Schaltflächen Account-Workbooks "
                         "prüfen, erzeugen und einsammeln. Status und Fehlerliste unten schreiben die Makros.",
                   "Data book, output folder, language and account the buttons use to validate, generate and "
                   "collect account workbooks. The macros write the status and the error list below."),
          style="note")
    value = settings.values()
    account = (Input(kind="list", choices_source=f"={account_ids}", title=_t(lang, "Kunde", "Account"),
                     message=_t(lang, "Kunden-ID aus der Kundenübersicht", "Account id from the account overview"))
               if account_ids else
               Input(kind="text", title=_t(lang, "Kunde", "Account"), message=_t(lang, "Kunden-ID", "Account id")))
    rows = (
        ("ctl_databook", Input(kind="text", title=_t(lang, "Datenbuch", "Data book"),
                               message=_t(lang, "Pfad des Datenbuchs: .xlsx-Datei oder Ordner mit CSV-Dateien",
                                          "Path of the data book: an .xlsx file or a folder of CSV files"))),
        ("ctl_output", Input(kind="text", title=_t(lang, "Ausgabeordner", "Output folder"),
                             message=_t(lang, "Ordner für die erzeugten Account-Workbooks (wird angelegt)",
                                        "Folder for the generated account workbooks (created if missing)"))),
        ("ctl_lang", Input(kind="list", choices=LANGS, title=_t(lang, "Sprache", "Language"), message="de, en")),
        ("ctl_account", account),
    )
    for i, (name, inp) in enumerate(rows):
        s.put(3 + i, 0, _t(lang, *SETTING_LABELS[name]), style="label")
        s.put(3 + i, 1, value[name], name=name, input=inp)
    s.name_range("ctl_settings", 3, 0, 3 + len(rows) - 1, 1)
    s.put(8, 0, _t(lang, "Erzeugt", "Generated"), style="label")
    s.put(8, 1, when)
    s.put(9, 0, _t(lang, "Datenbuch beim Erzeugen", "Data book at generation"), style="label")
    s.put(9, 1, db.source)
    s.put(10, 0, _t(lang, "Kunden", "Accounts"), style="label")
    s.put(10, 1, len(db.accounts), style="integer")
    # what the macros write: unlocked (the sheet stays protected), no input style, no validation
    s.put(12, 0, _t(lang, "Makro-Status", "Macro status"), style="subtitle")
    s.put(13, 0, "Status", style="label")
    s.put(13, 1, status, style="output", name="ctl_status")
    s.put(15, 0, _t(lang, f"Fehlerliste (die ersten {ERROR_ROWS})", f"Error list (the first {ERROR_ROWS})"),
          style="subtitle")
    _headers(s, 16, 0, ERROR_HEADS[lang])
    for r in range(17, 17 + ERROR_ROWS):
        for c in range(len(ERROR_HEADS[lang])):
            s.put(r, c, None, style="output")
    s.name_range("ctl_errors", 17, 0, 17 + ERROR_ROWS - 1, len(ERROR_HEADS[lang]) - 1)
    return s


# ------------------------------------------------------------------------------------------ the book


def controller_workbook(db: DataBook, lang: Lang = "de", generated_at: datetime | None = None, *,
                        catalogue: Catalogue | None = None, settings: ControllerSettings | None = None,
                        status: str | None = None) -> Book:
    """The controller workbook layout of a data book: all accounts side by side (see the module docstring).

    ``settings`` (default :func:`default_settings`) fill the settings cells and the target weights and
    disagreement threshold the figures are computed with; ``status`` goes into the status line after the
    generation time (default: no macro has run yet). ``_meta`` keeps a snapshot of the default settings, so
    that regeneration can tell a typed setting from one that only followed the data (:func:`carry_settings`)."""
    when = (generated_at or datetime.now(UTC)).isoformat(timespec="seconds")
    defaults = default_settings(db, lang)
    settings = settings or defaults
    accs = _accounts(db)
    cdb_data, d_first = _cdb_data_sheet(db, accs, lang)
    accounts = _accounts_sheet(accs, cdb_data, d_first, lang, db)
    resources = _resources_sheet(db, lang, settings)
    items = _kaop_accounts(db)
    kaop_data, refs = _kaop_data_sheet(items, lang) if items else (None, None)
    kaop = _kaop_sheet(items, refs, lang)
    kgb = _kgb_sheet(db, lang)
    responses = db.responses()
    excellence = _excellence_sheet(responses, catalogue, lang, settings.exc_spread)
    ids = accounts.ref(*accounts.ranges["ctl_acc_ids"]) if "ctl_acc_ids" in accounts.ranges else None
    status = _t(lang, f"Erzeugt {when}; ", f"Generated {when}; ") + (
        status or _t(lang, "noch kein Makro gelaufen.", "no macro run yet."))
    settings_sheet = _settings_sheet(db, lang, when, settings, ids, status)
    sheets = [accounts, resources, kaop, kgb, excellence, cdb_data, *([kaop_data] if kaop_data else []),
              settings_sheet]
    return Book(template_id=TEMPLATE_ID, template_version=TEMPLATE_VERSION, sheets=sheets, lang=lang,
                meta={"account_id": "", "generated_at": when, "databook": db.source,
                      "title": _t(lang, "Controller-Workbook", "Controller workbook"),
                      **snapshot_meta(defaults.values())})
