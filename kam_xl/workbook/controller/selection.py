"""The controller's account-selection sheet ``Auswahl`` / ``Selection`` (seed 001 §2.1, SPEC §3.7, issue 12) and
the data-book tables typed on it: ``selection`` (ratings per account × criterion) and ``growth_filters``.

One row per account, sorted by account id (so that "equal scores rank by account id" is "the row above ranks
first", as the house's rank formula counts it). Columns: the figures ratings are derived from (net sales and
CDB III % of the latest ``cdb`` year — references to the accounts sheet —, the portfolio potential of the latest
year), the three derived ratings ((x − min) ÷ (max − min) × 100, min and max in one cell each above), the seven
typed ratings (inputs; empty = use the derived one, or missing), the seven effective ratings
(``IF(typed="", derived, typed)``), score (Σ wᵢ rᵢ ÷ Σ wᵢ over the weights row, empty when a criterion with a
weight has no rating), rank, count of missing criteria, the three growth filters (inputs, ja/nein) and the
candidate flag. The weights (in %, a company setting) are inputs above the effective ratings, their sum lit
green at 100. Every figure is a formula whose cached value comes from :mod:`kam_xl.selection`.

Scale: each row's formulas read their own row and single cells (min, max, weights), except the rank, which is
the house's rank formula (:func:`kam_xl.workbook.formulas.rank_terms`) over the score column.

Typed weights, ratings and filters are carried over by regeneration (ratings and filters by account id,
:class:`~kam_xl.workbook.controller.kind.AccountBlock`) and exported by ``collect`` as the ``settings`` rows
``selection_weight_<criterion>`` and the ``selection`` and ``growth_filters`` tables.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator
from xlsxwriter.utility import xl_rowcol_to_cell

from kam_xl.company_settings import SELECTION_CRITERIA, company_settings, setting_text
from kam_xl.databook import DataBook
from kam_xl.databook.schema import Column, Table
from kam_xl.selection import (
    DERIVED_FROM,
    GROWTH_FILTERS,
    SelectionInput,
    SelectionResult,
    derived_ratings,
    latest_table_year,
    select_accounts,
    selection_inputs,
)
from kam_xl.text import match_choice
from kam_xl.vocabulary import (
    GROWTH_FILTER_LABELS,
    LIGHT_FORMATS,
    OVERRIDE_NOTE,
    SELECTION_CRITERION_LABELS,
    YES_NO,
    Lang,
    override_number_format,
    sheet_title,
    term,
)
from kam_xl.workbook.controller.common import _headers, _missing_note, book_currency, produce
from kam_xl.workbook.controller.kind import (
    AccountBlock,
    AccountRows,
    BuildContext,
    ControllerSheet,
    TableExport,
)
from kam_xl.workbook.formulas import RANK_EPS, rank_terms
from kam_xl.workbook.layout import Conditional, Input, Sheet
from kam_xl.workbook.layout import pick as _t

SELECTION_TABLE = Table("selection", (
    Column("account_id"), Column("criterion", "choice", choices=SELECTION_CRITERIA),
    Column("rating", "score", required=False)), key=("account_id", "criterion"),
    description="account selection ratings 0–100 per account and criterion (empty: derived where the data "
                "allows, else missing); barriers rated so that 100 = no barriers")
GROWTH_FILTERS_TABLE = Table("growth_filters", (
    Column("account_id"), *(Column(f, "choice", required=False, choices=("ja", "nein")) for f in GROWTH_FILTERS)),
    key=("account_id",), description="the three growth filters per account: has_potential, grows, willing (ja/nein)")
_DATA_WORDS = ("ja", "nein")


def yes_no(value: Any) -> str | None:
    """A typed filter as the data book holds it: ``ja``/``nein`` (``yes``/``no`` too, any case); ``None`` for
    empty. Raises :class:`ValueError` for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    found = match_choice(value, ("ja", "nein", "yes", "no"))
    if found is None:
        raise ValueError("ja or nein (yes or no)")
    return {"yes": "ja", "no": "nein"}.get(found, found)


def _rating() -> Any:
    return Field(None, ge=0, le=100)


class SelectionRatings(BaseModel):
    """One account's typed ratings 0–100, one per criterion (``None``: not typed)."""

    model_config = ConfigDict(frozen=True)

    volume: float | None = _rating()
    philosophy_fit: float | None = _rating()
    base_load: float | None = _rating()
    potential: float | None = _rating()
    earnings: float | None = _rating()
    openness: float | None = _rating()
    barriers: float | None = _rating()


class GrowthFilters(BaseModel):
    """One account's growth filters as the data book holds them: ``ja``, ``nein`` or ``None`` (empty)."""

    model_config = ConfigDict(frozen=True)

    has_potential: str | None = None
    grows: str | None = None
    willing: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _word(cls, value: Any) -> str | None:
        return yes_no(value)


def _weight(c: str) -> Any:
    return Field(100 / len(SELECTION_CRITERIA), alias=f"sel_weight_{c}", ge=0, le=100,
                 description=f"Gewicht {SELECTION_CRITERION_LABELS[c][0]}")


class SelectionWeights(BaseModel):
    """The weights in % of the seven criteria (the ``settings`` keys ``selection_weight_<criterion>``)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    volume: float = _weight("volume")
    philosophy_fit: float = _weight("philosophy_fit")
    base_load: float = _weight("base_load")
    potential: float = _weight("potential")
    earnings: float = _weight("earnings")
    openness: float = _weight("openness")
    barriers: float = _weight("barriers")

    def by_criterion(self) -> dict[str, float]:
        return {c: getattr(self, c) for c in SELECTION_CRITERIA}


RATINGS = AccountBlock(ids="sel_ids", name="sel_ratings", Row=SelectionRatings,
                       label=("Auswahl-Bewertungen", "Selection ratings"), headings=SELECTION_CRITERION_LABELS)
FILTERS = AccountBlock(ids="sel_ids", name="sel_filters", Row=GrowthFilters,
                       label=("Wachstumsfilter", "Growth filters"), headings=GROWTH_FILTER_LABELS)

# columns: ID, name, the three figures, three derived, seven typed, seven effective, score, rank, missing,
# three filters, candidate
C_ID, C_NAME, C_NET, C_REL, C_POT = range(5)
C_DER = 5
C_TYPED = C_DER + len(DERIVED_FROM)
C_EFF = C_TYPED + len(SELECTION_CRITERIA)
C_SCORE = C_EFF + len(SELECTION_CRITERIA)
C_RANK, C_MISSING, C_FILT = C_SCORE + 1, C_SCORE + 2, C_SCORE + 3
C_CAND = C_FILT + len(GROWTH_FILTERS)
R_WEIGHTS, R_MIN, R_MAX, R_GROUPS, FIRST = 3, 4, 5, 6, 8
SOURCE_COL = {"net_sales": C_NET, "cdb_iii_rel": C_REL, "potential": C_POT}


def _items(ctx: BuildContext, kind: str) -> list[SelectionInput]:
    """The accounts' selection data, sorted by id, with the ratings and filters as typed on the controller."""
    out = []
    for x in sorted(selection_inputs(ctx.db), key=lambda x: x.account_id):
        ratings = ctx.row(kind, RATINGS, x.account_id).model_dump()
        filters = ctx.row(kind, FILTERS, x.account_id).model_dump()
        out.append(x.model_copy(update={
            "ratings": {c: v for c, v in ratings.items() if v is not None},
            "filters": {f: None if v is None else v == "ja" for f, v in filters.items()}}))
    return out


def _account_cells(ctx: BuildContext) -> dict[str, int]:
    """Account id → its row on the accounts sheet (whose net sales and CDB III % this sheet refers to)."""
    accounts = ctx.sheet("accounts")
    if accounts is None or "ctl_acc_ids" not in accounts.ranges:
        return {}
    first, col, last, _ = accounts.ranges["ctl_acc_ids"]
    return {c.value: c.row for c in accounts.cells if c.col == col and first <= c.row <= last}


def _header(s: Sheet, db: DataBook, lang: Lang) -> None:
    """Title (with the CDB year the net sales and CDB III % are of), note, group and column heads."""
    s.put(0, 0, sheet_title(lang, _t(lang, "Kundenauswahl für Wachstum, CDB", "Account selection for growth, CDB"),
                            latest_table_year(db.table("cdb")), "money", book_currency(db.accounts)), style="title")
    s.put(1, 0, _t(lang, "Bewertungen 0–100 je Kriterium (Barrieren: 100 = keine). Leer = abgeleitet aus den Daten "
                         "((x − min) ÷ (max − min) × 100), sonst fehlt sie: dann kein Score und kein Rang. Score = "
                         "Σ Gewicht × Bewertung ÷ Σ Gewichte; Wachstumskandidat = alle drei Filter ja. "
                         + OVERRIDE_NOTE[0] + ".",
                   "Ratings 0–100 per criterion (barriers: 100 = none). Empty = derived from the data "
                   "((x − min) ÷ (max − min) × 100), else missing: then no score and no rank. Score = "
                   "Σ weight × rating ÷ Σ weights; growth candidate = all three filters yes. "
                   + OVERRIDE_NOTE[1] + "."), style="note")
    labels = {c: _t(lang, *SELECTION_CRITERION_LABELS[c]) for c in SELECTION_CRITERIA}
    for col, text in ((C_NET, _t(lang, "Daten", "Data")), (C_DER, _t(lang, "abgeleitet", "derived")),
                      (C_TYPED, _t(lang, "eingegeben", "typed")), (C_EFF, _t(lang, "wirksam", "effective")),
                      (C_FILT, _t(lang, "Wachstumsfilter", "Growth filters"))):
        s.put(R_GROUPS, col, text, style="subtitle")
    _headers(s, FIRST - 1, 0, (
        "ID", _t(lang, "Kunde", "Account"), _t(lang, "Nettoumsatz", "Net sales"), "CDB III %", term("potential", lang),
        *(labels[c] for c in DERIVED_FROM), *labels.values(), *labels.values(), "Score",
        _t(lang, "Rang", "Rank"), _t(lang, "fehlende Kriterien", "missing criteria"),
        *(_t(lang, *GROWTH_FILTER_LABELS[f]) for f in GROWTH_FILTERS),
        _t(lang, "Wachstumskandidat", "Growth candidate")))


def _weights_row(s: Sheet, weights: SelectionWeights, lang: Lang) -> str:
    """The weight inputs above the effective ratings and their sum; returns the weights' range."""
    s.put(R_WEIGHTS, C_EFF - 1, _t(lang, "Gewichte in %", "Weights in %"), style="bold")
    for j, c in enumerate(SELECTION_CRITERIA):
        s.put(R_WEIGHTS, C_EFF + j, getattr(weights, c), style="score", name=f"sel_weight_{c}",
              input=Input(kind="number", minimum=0, maximum=100, title=_t(lang, "Gewicht", "Weight"),
                          message=_t(lang, "Gewicht in %, 0 bis 100; die sieben ergeben zusammen 100",
                                     "Weight in %, 0 to 100; the seven add up to 100")))
    w = s.ref(R_WEIGHTS, C_EFF, R_WEIGHTS, C_EFF + len(SELECTION_CRITERIA) - 1)
    total = sum(weights.by_criterion().values())
    cell = s.put(R_WEIGHTS, C_SCORE, formula=f"=SUM({w})", cached=total, style="score", name="sel_weight_sum")
    bad = f"ABS({cell.absolute}-100)>{RANK_EPS}"
    s.conditionals.append(Conditional(R_WEIGHTS, C_SCORE, R_WEIGHTS, C_SCORE, {
        "type": "formula", "criteria": f"={bad}", "format": LIGHT_FORMATS["red"]}))
    s.conditionals.append(Conditional(R_WEIGHTS, C_SCORE, R_WEIGHTS, C_SCORE, {
        "type": "formula", "criteria": f"=NOT({bad})", "format": LIGHT_FORMATS["green"]}))
    s.put(R_WEIGHTS, C_RANK, _t(lang, "Summe (soll 100)", "sum (should be 100)"), style="note")
    return w


def _min_max(s: Sheet, items: list[SelectionInput], last: int, lang: Lang) -> dict[str, tuple[str, str]]:
    """MIN and MAX of each figure column over the accounts; returns field → (min cell, max cell)."""
    s.put(R_MIN, C_NAME, "Minimum", style="label")
    s.put(R_MAX, C_NAME, "Maximum", style="label")
    out = {}
    for field, col in SOURCE_COL.items():
        given = [v for x in items if (v := getattr(x, field)) is not None]
        rng = s.ref(FIRST, col, last, col)
        style = "percent" if field == "cdb_iii_rel" else "money"
        lo = s.put(R_MIN, col, formula=f"=MIN({rng})", cached=min(given, default=0), style=style)
        hi = s.put(R_MAX, col, formula=f"=MAX({rng})", cached=max(given, default=0), style=style)
        out[field] = (lo.absolute, hi.absolute)
    return out


class _Item(NamedTuple):
    """What an account's row shows of its :class:`~kam_xl.selection.SelectionInput` (same fields), its
    :class:`~kam_xl.selection.SelectionResult` and its derived ratings, as plain values: kept for every account
    until its row is written instead of the models (issue 14)."""

    account_id: str
    ratings: dict[str, float]
    filters: dict[str, bool | None]
    net_sales: float | None
    cdb_iii_rel: float | None
    potential: float | None
    score: float | None
    rank: int | None
    growth_candidate: bool | None
    missing: int  # the criteria without a rating
    derived: tuple[float | None, ...]  # per criterion of DERIVED_FROM


def _item(x: SelectionInput, res: SelectionResult, derived: dict[str, float | None]) -> _Item:
    return _Item(x.account_id, x.ratings, x.filters, x.net_sales, x.cdb_iii_rel, x.potential, res.score, res.rank,
                 res.growth_candidate, len(res.incomplete), tuple(derived[c] for c in DERIVED_FROM))


def _account_row(s: Sheet, r: int, x: _Item, derived: dict[str, float | None], accounts: Any,
                 acc_row: int | None, bounds: dict[str, tuple[str, str]], w: str, scores: str, lang: Lang) -> None:
    """One account's row ``r`` (``x``: its figures and result, ``derived`` its derived rating of each derivable
    criterion, typed or not)."""
    yes, no = YES_NO[lang]
    s.put(r, C_ID, x.account_id, style="bold")
    for field, col, acc_range in (("net_sales", C_NET, "ctl_acc_net_sales"),
                                  ("cdb_iii_rel", C_REL, "ctl_acc_cdb_iii_rel")):
        value = getattr(x, field)
        style = "percent" if field == "cdb_iii_rel" else "money"
        if value is not None and acc_row is not None:
            s.put(r, col, formula=f"={accounts.ref(acc_row, accounts.ranges[acc_range][1])}", cached=value,
                  style=style)
        else:
            s.put(r, col, None, style=style)
    s.put(r, C_POT, x.potential, style="money")
    for j, (c, field) in enumerate(DERIVED_FROM.items()):
        v, (lo, hi) = s.ref(r, SOURCE_COL[field]), bounds[field]
        s.put(r, C_DER + j, formula=f'=IF(OR(NOT(ISNUMBER({v})),{hi}={lo}),"",({v}-{lo})/({hi}-{lo})*100)',
              cached=derived[c], style="score")
    for j, c in enumerate(SELECTION_CRITERIA):
        typed = s.put(r, C_TYPED + j, x.ratings.get(c), style="score",
                      input=_rating_input(c, lang)).address
        other = s.ref(r, C_DER + list(DERIVED_FROM).index(c)).split("!")[1] if c in DERIVED_FROM else '""'
        effective = x.ratings[c] if c in x.ratings else derived.get(c)
        s.put(r, C_EFF + j, formula=f'=IF({typed}="",{other},{typed})', cached=effective, style="score")
    eff = s.ref(r, C_EFF, r, C_EFF + len(SELECTION_CRITERIA) - 1)
    missing = s.put(r, C_MISSING, formula=f'=SUMPRODUCT(({w}>0)*({eff}=""))', cached=x.missing,
                    style="integer").address
    score = s.put(r, C_SCORE, formula=f'=IF(OR({missing}>0,SUM({w})=0),"",SUMPRODUCT({w},{eff})/SUM({w}))',
                  cached=x.score, style="score").address
    rank = rank_terms(score, scores, scores, first=f"(ROW({scores})<ROW({score}))*")
    s.put(r, C_RANK, formula=f'=IF(ISNUMBER({score}),{rank},"")', cached=x.rank, style="integer")
    cells = []
    for j, f in enumerate(GROWTH_FILTERS):
        value = x.filters.get(f)
        cells.append(s.put(r, C_FILT + j, None if value is None else yes if value else no,
                           input=_filter_input(f, lang)).address)
    empty = ",".join(f'{c}=""' for c in cells)
    every = ",".join(f'{c}="{yes}"' for c in cells)
    cand = x.growth_candidate
    s.put(r, C_CAND, formula=f'=IF(OR({empty}),"",IF(AND({every}),"{yes}","{no}"))',
          cached=None if cand is None else yes if cand else no, style="bold")


# the input rules of the held input cells: one per column, shared by every account's cell of it
@functools.cache
def _rating_input(criterion: str, lang: Lang) -> Input:
    return Input(kind="score", title=_t(lang, *SELECTION_CRITERION_LABELS[criterion]),
                 message=_t(lang, "0 bis 100; leer = abgeleitet oder fehlend", "0 to 100; empty = derived or missing"))


@functools.cache
def _filter_input(growth_filter: str, lang: Lang) -> Input:
    yes, no = YES_NO[lang]
    return Input(kind="list", choices=(yes, no), title=_t(lang, *GROWTH_FILTER_LABELS[growth_filter]),
                 message=f"{yes} / {no}")


def _override_marks(s: Sheet, last: int) -> None:
    """The derived ratings a typed rating overrides carry the report's mark (a conditional number format,
    :func:`kam_xl.vocabulary.override_number_format`), so sheet and report show a figure alike."""
    for j, c in enumerate(DERIVED_FROM):
        typed = xl_rowcol_to_cell(FIRST, C_TYPED + SELECTION_CRITERIA.index(c), col_abs=True)
        marked = {"num_format": override_number_format("0.0")}
        s.conditionals.append(Conditional(FIRST, C_DER + j, last, C_DER + j, {
            "type": "formula", "criteria": f"=LEN({typed})>0", "format": marked}))


def _selection_sheet(ctx: BuildContext, kind: str) -> Sheet:
    lang = ctx.lang
    s = Sheet(_t(lang, "Auswahl", "Selection"), widths={0: 10, 1: 28, 2: 13, 3: 10, 4: 11,
                                                       **{c: 11 for c in range(5, C_CAND + 1)}},
              freeze=(FIRST, 2))
    _header(s, ctx.db, lang)
    items = _items(ctx, kind)
    weights = ctx.inputs[kind]
    assert isinstance(weights, SelectionWeights)
    w = _weights_row(s, weights, lang)
    if not items:
        _missing_note(s, FIRST, lang, "accounts")
        return s
    last = FIRST + len(items) - 1
    results = select_accounts(items, weights.by_criterion())
    bounds = _min_max(s, items, last, lang)
    accounts, acc_rows = ctx.sheet("accounts"), _account_cells(ctx)
    names = {a.account_id: a.name for a in ctx.db.accounts}
    scores = s.ref(FIRST, C_SCORE, last, C_SCORE)

    figures = [_item(*x) for x in zip(items, results, derived_ratings(items), strict=True)]

    def fill(out: Sheet) -> Iterator[None]:
        for i, x in enumerate(figures):
            r = FIRST + i
            derived = dict(zip(DERIVED_FROM, x.derived, strict=True))
            _account_row(out, r, x, derived, accounts, acc_rows.get(x.account_id), bounds, w, scores, lang)
            out.put(r, C_NAME, names.get(x.account_id))
            yield

    produce(s, fill, hold=lambda c: c.input is not None or c.col == C_ID)  # the blocks read back by name
    for name, c0, c1 in (("sel_ids", C_ID, C_ID), ("sel_ratings", C_TYPED, C_EFF - 1),
                         ("sel_derived", C_DER, C_TYPED - 1), ("sel_effective", C_EFF, C_SCORE - 1),
                         ("sel_scores", C_SCORE, C_SCORE), ("sel_ranks", C_RANK, C_RANK),
                         ("sel_missing", C_MISSING, C_MISSING), ("sel_filters", C_FILT, C_CAND - 1),
                         ("sel_candidates", C_CAND, C_CAND), ("sel_figures", C_NET, C_POT)):
        s.name_range(name, FIRST, c0, last, c1)
    _override_marks(s, last)
    yes, no = YES_NO[lang]
    for word, light in ((yes, "green"), (no, "red")):
        s.conditionals.append(Conditional(FIRST, C_CAND, last, C_CAND, {
            "type": "cell", "criteria": "==", "value": f'"{word}"', "format": LIGHT_FORMATS[light]}))
    return s


class SelectionSheet(ControllerSheet):
    """``Auswahl`` / ``Selection``: account selection for growth (see the module docstring)."""

    key = "selection"
    needs = ("accounts",)
    Inputs = SelectionWeights
    blocks = (RATINGS, FILTERS)
    tables = (SELECTION_TABLE, GROWTH_FILTERS_TABLE)

    def defaults(self, db: DataBook, lang: Lang) -> SelectionWeights:
        return SelectionWeights(**company_settings(db).selection_weights())

    def label(self, name: str, lang: Lang) -> str:
        c = name.removeprefix("sel_weight_")
        return _t(lang, f"Gewicht {SELECTION_CRITERION_LABELS[c][0]}", f"Weight {SELECTION_CRITERION_LABELS[c][1]}")

    def account_rows(self, db: DataBook, lang: Lang) -> AccountRows:
        ratings: dict[str, dict[str, float]] = {}
        for r in db.table("selection") or []:
            if r.get("rating") is not None:
                ratings.setdefault(r["account_id"], {})[r["criterion"]] = r["rating"]
        filters = {r["account_id"]: r for r in db.table("growth_filters") or []}
        return {RATINGS.name: {a.account_id: SelectionRatings(**ratings.get(a.account_id, {})) for a in db.accounts},
                FILTERS.name: {a.account_id: GrowthFilters(**{f: filters.get(a.account_id, {}).get(f)
                                                              for f in GROWTH_FILTERS}) for a in db.accounts}}

    def build(self, ctx: BuildContext) -> Sheet:
        return _selection_sheet(ctx, self.key)

    def export(self, inputs: BaseModel | None, rows: AccountRows, lang: Lang) -> dict[str, TableExport]:
        out: dict[str, TableExport] = {}
        if isinstance(inputs, SelectionWeights):
            keys = [f"selection_weight_{c}" for c in SELECTION_CRITERIA]
            out["settings"] = TableExport(
                rows=[{"key": k, "value": setting_text(v)} for k, v in zip(keys, inputs.by_criterion().values(),
                                                                         strict=True)],
                column="key", covers=frozenset(keys))
        ratings, filters = rows.get(RATINGS.name, {}), rows.get(FILTERS.name, {})
        out["selection"] = TableExport(
            rows=[{"account_id": a, "criterion": c, "rating": v} for a, row in ratings.items()
                  for c, v in row.model_dump().items() if v is not None],
            column="account_id", covers=frozenset(ratings))
        out["growth_filters"] = TableExport(
            rows=[{"account_id": a, **row.model_dump()} for a, row in filters.items()
                  if any(v is not None for v in row.model_dump().values())],
            column="account_id", covers=frozenset(filters))
        return out
