"""The controller's Accounts sheet (CDB I–III, rank, portfolio, Big Step or Out, portfolio chart) and the CDB
data sheet its formulas read."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kam_xl.cdb import (
    LEVEL_FORMULAS,
    STAGES,
    ActivityLine,
    CdbInput,
    CdbStatement,
    cdb_statement,
)
from kam_xl.databook import AccountRow, DataBook
from kam_xl.kgb import (
    rank_positions,
)
from kam_xl.maths import ratio, total
from kam_xl.portfolio import (
    HIGH_BAND_THRESHOLD,
    SIZE_CLASSES,
    Band,
    PortfolioInput,
    big_step_or_out,
    class_marker_size,
    portfolio_band,
    portfolio_point,
    size_class,
)
from kam_xl.vocabulary import (
    BAND_COLOURS,
    BAND_WORDS,
    STAGE_LABELS,
    Lang,
    sheet_title,
)
from kam_xl.workbook.controller.common import (
    _AMOUNTS,
    _LINE_LABELS,
    LIGHT_FORMATS,
    _headers,
    _missing_note,
    book_currency,
    produce,
)
from kam_xl.workbook.controller.kind import BuildContext, ControllerSheet
from kam_xl.workbook.formulas import RANK_EPS, rank_terms
from kam_xl.workbook.layout import Chart, Conditional, Print, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.years import latest_year, row_of_year, year_span

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


def _account(db: DataBook, a: AccountRow) -> _Account:
    """One account's data (its latest CDB year) and its pure-function results."""
    latest = latest_year(db.cdb_years(a.account_id))
    found = db.cdb_input(a.account_id, latest) if latest is not None else None
    year = latest if found else None
    row = row_of_year(db.rows_for("portfolio", a.account_id), year)
    return _Account(account=a, cdb_year=year, amounts=found[0] if found else None,
                    activities=tuple(found[1]) if found else (),
                    statement=cdb_statement(*found) if found else None, portfolio=row)


def _accounts(db: DataBook) -> list[_Account]:
    return [_account(db, a) for a in db.accounts]


#: An account's CDB figures the sheets' totals, ranks and lists need: net sales, CDB I, II, III (``None``: no CDB)
_Figures = tuple[float, float, float, float] | None


def _figures(x: _Account) -> _Figures:
    st = x.statement
    return (st.net_sales, st.cdb_i, st.cdb_ii, st.cdb_iii) if st else None


@dataclass(frozen=True)
class _Summary:
    """What the sheets of all accounts need of every account before their rows are produced — kept instead of
    the accounts' data and models, which each row makes again from the data book when it is written (issue 14:
    the models of every account, held for the whole write, were most of the controller's memory per account)."""

    years: list[int | None]  # each account's CDB year
    figures: list[_Figures]  # each account's CDB figures
    lines: list[int]  # each account's activity lines (of its CDB year)
    portfolio: bool  # whether any account has a portfolio row


#: :attr:`BuildContext.shared` key of the accounts' summary (:func:`summary_of`)
ACCOUNTS_SUMMARY = "accounts.summary"


def summary_of(ctx: BuildContext) -> _Summary:
    """:func:`_summary` of the build's data book, computed once per build (the CDB data sheet and the accounts
    sheet place and total the same accounts) and kept in :attr:`BuildContext.shared`: a few numbers per account."""
    found = ctx.shared.get(ACCOUNTS_SUMMARY)
    if found is None:
        found = ctx.shared[ACCOUNTS_SUMMARY] = _summary(ctx.db)
    return found


def _summary(db: DataBook) -> _Summary:
    years: list[int | None] = []
    figures: list[_Figures] = []
    lines: list[int] = []
    portfolio = False
    for a in db.accounts:
        x = _account(db, a)
        years.append(x.cdb_year)
        figures.append(_figures(x))
        lines.append(len(x.activities))
        portfolio = portfolio or x.portfolio is not None
    return _Summary(years, figures, lines, portfolio)


# CDB data sheet columns: ID, year, the eight amounts, the activity cost of the four stages
D_ID, D_YEAR, D_AMOUNT0 = 0, 1, 2
D_ACT0 = D_AMOUNT0 + len(_AMOUNTS)
D_FIRST = 4  # the first account row of the CDB data sheet


def _cdb_data_sheet(db: DataBook, summary: _Summary, lang: Lang) -> tuple[Sheet, int]:
    """The CDB amounts (one row per account, latest year) and activity lines; returns the first account row."""
    s = Sheet(_t(lang, "CDB-Daten", "CDB data"), widths={0: 12, 1: 8, **{c: 15 for c in range(2, 14)}},
              freeze=(4, 1), print=Print(printed=False), streamed=True)  # raw data: hidden, not printed
    s.put(0, 0, sheet_title(lang, _t(lang, "CDB-Daten aus dem Datenbuch (letztes Jahr je Kunde)",
                                     "CDB data from the data book (latest year per account)"),
                            year_span(summary.years), "money", book_currency(db.accounts)),
          style="title")
    s.put(1, 0, _t(lang, "Werte des Datenbuchs zur Zeit der Erzeugung; die Spalten „aus Aktivitäten“ summieren "
                         "die Prozesskosten unten je Stufe.",
                   "Data-book values at generation time; the columns 'from activities' add up the activity-based "
                   "costs below per stage."), style="note")
    if db.table("cdb") is None:
        _missing_note(s, 2, lang, "cdb")
    first = D_FIRST
    stage_words = {st: STAGE_LABELS[st][0 if lang == "de" else 1] for st in STAGES}
    heads = ["ID", _t(lang, "Jahr", "Year"), *(_LINE_LABELS[f][0 if lang == "de" else 1] for f in _AMOUNTS),
             *(_t(lang, f"aus Aktivitäten: {stage_words[st]}", f"from activities: {stage_words[st]}")
               for st in STAGES)]
    _headers(s, first - 1, 0, heads)
    n = len(db.accounts)
    a_head = first + n + 2
    a_first = a_head + 1
    a_last = a_first + max(sum(summary.lines), 1) - 1
    starts = list(itertools.accumulate(summary.lines, initial=a_first))  # each account's first activity line

    def fill(out: Sheet) -> Iterator[None]:
        for i, a in enumerate(db.accounts):
            x = _account(db, a)
            r = first + i
            out.put(r, D_ID, x.account.account_id)
            out.put(r, D_YEAR, x.cdb_year, style="integer")
            for j, f in enumerate(_AMOUNTS):
                out.put(r, D_AMOUNT0 + j, getattr(x.amounts, f) if x.amounts else None, style="money")
            extra = x.statement.activity_cost if x.statement else None
            # the account's own lines (one without: the row where they would begin, which the conditions on id
            # and year leave out): each formula reads a few rows, so recalculating grows with the accounts,
            # not with their square
            top, bottom = starts[i], max(starts[i + 1], starts[i] + 1) - 1
            ids, years, stages, costs = (out.ref(top, c, bottom, c) for c in (0, 1, 3, 6))
            for j, st in enumerate(STAGES):
                out.put(r, D_ACT0 + j, formula=(f'=IF({out.ref(r, D_YEAR)}="","",SUMPRODUCT(({ids}={out.ref(r, D_ID)})*'
                                                f'({years}={out.ref(r, D_YEAR)})*({stages}="{stage_words[st]}")*'
                                                f'{costs}))'),
                        cached=extra[st] if extra else None, style="money")
            yield
        # the lines of each account's CDB year (None: no CDB amounts, no lines), without its statement again
        lines = ((a.account_id, year, line) for a, year in zip(db.accounts, summary.years, strict=True)
                 if year is not None for line in db.cdb_activities(a.account_id, year))
        for i, (aid, year, line) in enumerate(lines):
            r = a_first + i
            out.put(r, 0, aid)
            out.put(r, 1, year, style="integer")
            out.put(r, 2, line.activity)
            out.put(r, 3, stage_words[line.stage])
            out.put(r, 4, line.driver_quantity, style="number2")
            out.put(r, 5, line.cost_rate, style="money2")
            out.put(r, 6, formula=f"={out.ref(r, 4)}*{out.ref(r, 5)}", cached=line.amount, style="money")
            if i % 64 == 63:
                yield

    produce(s, fill)
    if n:
        s.name_range("ctl_data_cdb", first, 0, first + n - 1, D_ACT0 + len(STAGES) - 1)
    s.put(a_head - 1, 0, _t(lang, "Prozesskosten (Aktivitäten)", "Activity-based costs"), style="subtitle")
    _headers(s, a_head, 0, ("ID", _t(lang, "Jahr", "Year"), _t(lang, "Aktivität", "Activity"),
                            _t(lang, "Stufe", "Stage"), _t(lang, "Treibermenge", "Driver quantity"),
                            _t(lang, "Kostensatz", "Cost rate"), _t(lang, "Kosten", "Cost")))
    s.name_range("ctl_data_activities", a_first, 0, a_last, 6)
    return s, first


# Accounts sheet columns
(A_ID, A_NAME, A_REGION, A_YEAR, A_NET, A_I, A_I_REL, A_II, A_II_REL, A_III, A_III_REL, A_RANK, A_PYEAR, A_SOW,
 A_POT, A_MF, A_POTW, A_BAND, A_CLASS, A_SERIES) = range(20)
#: the portfolio chart's series, in chart order: one per band (``None``: no CDB, grey) and size class
CHART_SERIES: tuple[tuple[Band | None, int], ...] = tuple(
    (band, k) for band in ("high", "mid", "loss", None) for k in range(1, SIZE_CLASSES + 1))
A_POINTS0 = A_SERIES + 1  # the first of the chart's point columns (one per chart series)
LEVEL_COLUMNS = ((A_NET, "net_sales"), (A_I, "cdb_i"), (A_II, "cdb_ii"), (A_III, "cdb_iii"))  # level → its column


def _account_row(s: Sheet, r: int, x: _Account, data: Sheet, d: int, rng: str, rank: int | None,
                 words: dict[str, str], largest: tuple[str, float | None]) -> None:
    """One account's row but its id (held by the sheet: other sheets look it up): CDB I–III over its CDB data row
    ``d``, rank among ``rng``, portfolio and band, and its place in the portfolio chart (``largest``: the largest
    |CDB III| cell and value)."""
    st = x.statement

    def dref(c: int) -> str:
        return data.ref(d, c)

    amount = {f: dref(D_AMOUNT0 + j) for j, f in enumerate(_AMOUNTS)}
    act = {stage: dref(D_ACT0 + j) for j, stage in enumerate(STAGES)}
    year = s.ref(r, A_YEAR)
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
    x3 = s.ref(r, A_III)
    rank_f = rank_terms(x3, rng, rng, first=f"(ROW({rng})<ROW({x3}))*")
    s.put(r, A_RANK, formula=f'=IF(ISNUMBER({x3}),{rank_f},"")', cached=rank, style="integer")
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
    _chart_point(s, r, x, band, words, largest)


def _chart_point(s: Sheet, r: int, x: _Account, band: Band | None, words: dict[str, str],
                 largest: tuple[str, float | None]) -> None:
    """Row ``r``'s size class, chart series number and point columns: its potential in the column of its series
    (band × size class), ``#N/A`` in the others, so that each chart series draws exactly its accounts — a
    formula, so band and class follow the cells as the position does."""
    x3, big = s.ref(r, A_III), largest[0]
    k = size_class(x.statement.cdb_iii if x.statement else None, largest[1])
    s.put(r, A_CLASS, formula=(f'=IF(OR(NOT(ISNUMBER({x3})),N({big})=0),1,'
                               f'MIN({SIZE_CLASSES},INT(SQRT(ABS({x3})/{big})*{SIZE_CLASSES})+1))'),
          cached=k, style="integer")
    sow, pot, band_cell = s.ref(r, A_SOW), s.ref(r, A_POT), s.ref(r, A_BAND)
    index = (f'IF({band_cell}="{words["high"]}",0,IF({band_cell}="{words["mid"]}",1,'
             f'IF({band_cell}="{words["loss"]}",2,3)))')
    number = CHART_SERIES.index((band, k)) + 1 if x.portfolio else None
    s.put(r, A_SERIES, formula=(f'=IF(AND(ISNUMBER({sow}),ISNUMBER({pot})),'
                                f'{s.ref(r, A_CLASS)}+{SIZE_CLASSES}*{index},"")'), cached=number, style="integer")
    for j in range(1, len(CHART_SERIES) + 1):
        s.put(r, A_POINTS0 + j - 1, formula=f"=IF({s.ref(r, A_SERIES)}={j},{pot},NA())",
              cached=x.portfolio["potential"] if x.portfolio and number == j else "#N/A", style="number")


def _series_label(band: Band | None, k: int, lang: Lang) -> str:
    """A chart series' name: its band and size class ("> 10 %, Größe 4")."""
    word = BAND_WORDS[lang][band] if band else _t(lang, "ohne CDB", "no CDB")
    return f"{word}, {_t(lang, 'Größe', 'size')} {k}"


def _accounts_sheet(summary: _Summary, data: Sheet, d_first: int, lang: Lang, db: DataBook) -> Sheet:
    s = Sheet(_t(lang, "Kunden", "Accounts"), widths={0: 10, 1: 34, 2: 9, 3: 8, **{c: 13 for c in range(4, 18)},
                                                        17: 26, A_CLASS: 13,
                                                        **{c: 0 for c in range(A_SERIES, A_POINTS0
                                                                               + len(CHART_SERIES))}},
              freeze=(4, 2),
              # ID and name repeat on every page wide: they name the row, and a heading in them ("Big Step or
              # Out") prints on one line instead of wrapping in the narrow ID column
              print=Print(repeat_cols=(A_ID, A_NAME)))
    n = len(db.accounts)
    s.put(0, 0, sheet_title(lang, _t(lang, "Kundenübersicht – alle Key Accounts, CDB",
                                     "Account overview – all key accounts, CDB"),
                            year_span(summary.years), "money", book_currency(db.accounts)),
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
             "Share of Wallet", _t(lang, "Potenzial", "Potential"), _t(lang, "Margenfaktor", "Margin factor"),
             _t(lang, "Potenzial margengewichtet", "Potential margin-weighted"), "Band",
             _t(lang, "Größenklasse (Diagramm)", "Size class (chart)"),
             _t(lang, "Diagrammreihe", "Chart series"),
             *(_series_label(band, k, lang) for band, k in CHART_SERIES))
    _headers(s, first - 1, 0, heads)
    col = {c: s.ref(first, c, last, c) for c in range(A_POINTS0 + len(CHART_SERIES))} if n else {}
    ranks = rank_positions([f[3] if f else None for f in summary.figures])
    words = BAND_WORDS[lang]
    largest = _largest_cell(s, summary.figures, col.get(A_III), lang)
    for i, a in enumerate(db.accounts):
        s.put(first + i, A_ID, a.account_id, style="bold")

    def account_rows(out: Sheet) -> Iterator[None]:
        for i, a in enumerate(db.accounts):
            _account_row(out, first + i, _account(db, a), data, d_first + i, col.get(A_III, ""), ranks[i], words,
                         largest)
            yield

    if not n:
        produce(s, account_rows)
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

    r = _totals(s, last + 1, summary.figures, col, lang)
    lfirst, loser_rows = _big_step_or_out(s, r + 3, db, summary.figures, col, lang)
    produce(s, lambda out: itertools.chain(account_rows(out), loser_rows(out)))
    _portfolio_chart(s, lfirst + n + 1, n if summary.portfolio else 0, first, col, lang)
    return s


def _largest_cell(s: Sheet, figures: list[_Figures], cdb_iii: str | None, lang: Lang) -> tuple[str, float | None]:
    """The largest |CDB III| of all accounts (the portfolio chart's size classes scale to it), above the size
    class column; returns its cell reference and value."""
    largest = max((abs(f[3]) for f in figures if f), default=None)
    s.put(2, A_BAND, _t(lang, "Größter |CDB III| (Diagramm):", "Largest |CDB III| (chart):"), style="label")
    cell = s.put(2, A_CLASS, formula=(f'=IF(COUNT({cdb_iii})=0,"",MAX(MAX({cdb_iii}),-MIN({cdb_iii})))'
                                      if cdb_iii else '=""'),
                 cached=largest, style="money", name="ctl_acc_largest_cdb_iii")
    return cell.absolute, largest


def _totals(s: Sheet, r: int, figures: list[_Figures], col: dict[int, str], lang: Lang) -> int:
    """The total row ``r`` over all accounts with CDB data; returns ``r``."""
    known = [f for f in figures if f]
    s.put(r, A_NAME, _t(lang, "Summe aller Kunden", "Total of all accounts"), style="level_label")
    tot: dict[str, float | None] = {f: total(x[k] for x in known) if known else None
                                    for k, f in enumerate(("net_sales", "cdb_i", "cdb_ii", "cdb_iii"))}
    for c, field in ((A_NET, "net_sales"), (A_I, "cdb_i"), (A_II, "cdb_ii"), (A_III, "cdb_iii")):
        s.put(r, c, formula=f'=IF(COUNT({col[c]})=0,"",SUM({col[c]}))', cached=tot[field], style="level_money",
              name=f"ctl_acc_total_{field}")
        if field != "net_sales":
            s.put(r, c + 1, formula=f'=IF(N({s.ref(r, A_NET)})=0,"",{s.ref(r, c)}/{s.ref(r, A_NET)})',
                  cached=ratio(tot[field], tot["net_sales"]), style="level_percent", name=f"ctl_acc_total_{field}_rel")

    return r


def _big_step_or_out(s: Sheet, b: int, db: DataBook, figures: list[_Figures], col: dict[int, str], lang: Lang
                     ) -> tuple[int, Callable[[Sheet], Iterator[None]]]:
    """The Big Step or Out list from row ``b`` (``figures``: each account's of ``db``); returns its first data
    row and ``fill``, which puts its rows (one per account) into the sheet it is given, a few at a time."""
    n = len(db.accounts)
    # Big Step or Out: negative CDB III, largest loss first (the i-th = rank COUNT − i + 1 by CDB III)
    s.put(b - 1, 0, "Big Step or Out", style="subtitle")
    losers = big_step_or_out([PortfolioInput(account_id=a.account_id, share_of_wallet=0, potential=0,
                                             cdb_iii=f[3] if f else None) for a, f in zip(db.accounts, figures,
                                                                                         strict=True)])
    at = {a.account_id: i for i, a in enumerate(db.accounts)}
    loser_at = [at[x.account_id] for x in losers]  # each loser's place in db.accounts, largest loss first
    del at
    s.put(b, 0, _t(lang, "Kunden mit negativem CDB III", "Accounts with negative CDB III"), style="label")
    count = s.put(b, 3, formula=f'=COUNTIF({col[A_III]},"<0")', cached=len(losers), style="integer",
                  name="ctl_big_step_count")
    _headers(s, b + 1, 0, ("ID", _t(lang, "Kunde", "Account"), "Region", "", _t(lang, "CDB-Jahr", "CDB year"),
                           "CDB III", "CDB III %"))
    lfirst = b + 2
    s.name_range("ctl_big_step_ids", lfirst, 0, lfirst + n - 1, 0)
    s.name_range("ctl_big_step", lfirst, 0, lfirst + n - 1, 6)

    def fill(out: Sheet) -> Iterator[None]:
        for i in range(n):
            _loser_row(out, lfirst + i, i + 1, _account(db, db.accounts[loser_at[i]]) if i < len(loser_at) else None,
                       count.absolute, col)
            if i % 64 == 63:
                yield

    return lfirst, fill


def _loser_row(s: Sheet, r: int, k: int, loser: _Account | None, count: str, col: dict[int, str]) -> None:
    """The ``k``-th row of the Big Step or Out list: the account with the ``k``-th largest loss (``loser``, its
    cached values; ``None``: fewer losses), found by formulas over the account rows (``col``) as
    :func:`~kam_xl.portfolio.big_step_or_out` finds it: the ``k``-th smallest CDB III ``v``, then the account
    ranked (1 = largest, equal ones earlier first) the accounts clearly above ``v`` + ``k`` − those clearly below
    it — equal losses in the order of the rows."""
    cdb, v = col[A_III], f"SMALL({col[A_III]},{k})"
    where = (f"MATCH(SUMPRODUCT(ISNUMBER({cdb})*({cdb}>{v}+{RANK_EPS}))+{k}"
             f"-SUMPRODUCT(ISNUMBER({cdb})*({cdb}<{v}-{RANK_EPS})),{col[A_RANK]},0)")
    for c, src, cached, style in (
            (0, A_ID, loser.account.account_id if loser else None, "bold"),
            (1, A_NAME, loser.account.name if loser else None, "text"),
            (2, A_REGION, loser.account.region if loser else None, "text"),
            (4, A_YEAR, loser.cdb_year if loser else None, "integer"),
            (6, A_III_REL, loser.statement.cdb_iii_rel if loser and loser.statement else None, "percent")):
        s.put(r, c, formula=f'=IF({count}<{k},"",INDEX({col[src]},{where}))', cached=cached, style=style)
    s.put(r, 5, formula=f'=IF({count}<{k},"",SMALL({col[A_III]},{k}))',
          cached=loser.statement.cdb_iii if loser and loser.statement else None, style="money")


#: up to this many accounts each point is labelled with its account ID (more would cover the chart)
LABELLED_POINTS = 60


def _portfolio_chart(s: Sheet, c: int, n: int, first: int, col: dict[int, str], lang: Lang) -> None:
    """The portfolio chart (Abb. 3) from row ``c``: one scatter series per band and size class over the point
    columns (``col``: each column's range of the ``n`` account rows from ``first``; ``n`` = 0: no account has a
    portfolio row, no chart), so every account is drawn at any count; up to :data:`LABELLED_POINTS` accounts each
    point carries its account ID."""
    s.put(c, 0, _t(lang, "Kundenportfolio (Abb. 3)", "Customer portfolio (Fig. 3)"), style="subtitle")
    s.put(c + 1, 0, _t(lang, "x = Share of Wallet, y = Potenzial; Blasenfläche ∝ |CDB III| in "
                             f"{SIZE_CLASSES} Größenklassen, Farbe = Band (grün > 10 %, gelb 0–10 %, rot < 0 %, "
                             "grau ohne CDB). Lage, Band und Größenklasse folgen den Zellen (Spalte "
                             "„Diagrammreihe“ und die Punktspalten danach, ausgeblendet: sie werden nicht gedruckt).",
                       f"x = share of wallet, y = potential; bubble area ∝ |CDB III| in {SIZE_CLASSES} size "
                       "classes, colour = band (green > 10 %, amber 0–10 %, red < 0 %, grey without CDB). "
                       "Position, band and size class follow the cells (column 'Chart series' and the point "
                       "columns after it, hidden: they do not print)."),
          style="note")
    if not n:
        return
    labels = ({"custom": [{"value": f"={s.ref(first + i, A_ID)}"} for i in range(n)],
               "position": "right"} if n <= LABELLED_POINTS else None)
    series = []
    for j, (band, k) in enumerate(CHART_SERIES):
        series.append({
            "name": _series_label(band, k, lang), "categories": f"={col[A_SOW]}",
            "values": f"={col[A_POINTS0 + j]}",
            "marker": {"type": "circle", "size": class_marker_size(k),
                       "fill": {"color": BAND_COLOURS[band], "transparency": 25}, "border": {"color": "#404040"}},
            **({"data_labels": labels} if labels else {})})
    s.charts.append(Chart(kind="scatter", series=tuple(series), anchor=(c + 2, 0), size=(760, 480),
                          title=_t(lang, "Kundenportfolio: Share of Wallet × Potenzial",
                                   "Customer portfolio: share of wallet × potential"),
                          options={"x_axis": {"name": "Share of Wallet", "num_format": "0%", "min": 0},
                                   "y_axis": {"name": _t(lang, "Potenzial", "Potential"), "num_format": "#,##0",
                                              "min": 0},
                                   "legend": {"none": True},
                                   "show_hidden_data": True}))  # the point columns are hidden (width 0)


class CdbDataSheet(ControllerSheet):
    """``CDB-Daten`` / ``CDB data``: the data-book rows the accounts sheet's formulas read."""

    key = "cdb_data"

    def build(self, ctx: BuildContext) -> Sheet:
        return _cdb_data_sheet(ctx.db, summary_of(ctx), ctx.lang)[0]


class AccountsSheet(ControllerSheet):
    """``Kunden`` / ``Accounts``: CDB I–III, rank, portfolio, Big Step or Out and the portfolio chart."""

    key = "accounts"
    needs = ("cdb_data",)

    def build(self, ctx: BuildContext) -> Sheet:
        data = ctx.sheet("cdb_data")
        assert data is not None
        return _accounts_sheet(summary_of(ctx), data, D_FIRST, ctx.lang, ctx.db)
