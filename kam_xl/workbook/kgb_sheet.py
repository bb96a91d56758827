"""The ``Kgb`` sheet: the Kgb scorecard ("Kriterien gewichten und bewerten", seed 001) of one account.

One block per card (procurement segment), stacked vertically:

* block header: the segment (input, ``kgb_<n>_segment``) and our company (``kgb_<n>_own_supplier``);
* the grid: one row per criterion (the card's criteria plus ``spare_criteria`` empty rows), the customer's
  weight (a fraction shown as %), then one rating column 0–100 per supplier — our company first, then the
  competitors, then empty columns whose header is an input: ``spare_suppliers`` more than the card with the
  most suppliers has, so that all blocks share one column layout;
* the weight sum, red when it is not 100 %, with a message in words next to it;
* per supplier the weighted score Σ weightᵢ × ratingᵢ — empty (= incomplete) when a weighted criterion has
  no rating or the weights do not sum to 100 % — and the rank among the complete suppliers;
* per criterion the weighted gap to the best competitor, the improvement potential and the value-driver rank;
* a bar chart "Kgb-Profil" of the card's ratings, one series per supplier (criteria top to bottom).

Every number is a native formula whose cached value comes from :func:`kam_xl.kgb.score_card` and the small
helpers next to it (:func:`~kam_xl.kgb.weight_sum`, :func:`~kam_xl.kgb.supplier_ranks`,
:func:`~kam_xl.kgb.value_driver_ranks`).

Defined names of card ``n`` (1-based): ``kgb_<n>_segment``, ``kgb_<n>_own_supplier``, ``kgb_<n>_criteria``,
``kgb_<n>_weights``, ``kgb_<n>_suppliers``, ``kgb_<n>_ratings``, ``kgb_<n>_weight_sum``,
``kgb_<n>_weight_check``, ``kgb_<n>_scores``, ``kgb_<n>_ranks``, ``kgb_<n>_gaps``, ``kgb_<n>_potentials``,
``kgb_<n>_driver_ranks``. An account without cards gets one empty block to fill in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kam_xl.errors import ReportProblem
from kam_xl.kgb import (
    WEIGHT_TOLERANCE,
    KgbCard,
    KgbCriterion,
    KgbResult,
    SupplierRole,
    score_card,
    supplier_ranks,
    value_driver_ranks,
    weight_sum,
    weights_complete,
)
from kam_xl.vocabulary import Lang, sheet_title
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.formulas import number_text, rank_terms
from kam_xl.workbook.layout import KIND_BOUNDS, Chart, Conditional, Input, KeyedFamily, RowKey, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.sheet_kind import OnProblem, PlanSheet, Rows

if TYPE_CHECKING:
    from kam_xl.databook import DataBook
    from kam_xl.workbook.account_plan import AccountPlanData

SHEET_NAME = "Kgb"
EMPTY_CRITERIA = 5  # criterion rows of the empty block of an account without cards (plus the spare rows)
EMPTY_SUPPLIERS = 3  # supplier columns of that block (plus the spare columns)
CHART_ROWS = 17  # a block is at least this tall, so that its chart does not cover the next block
ERROR_FORMAT = {"bg_color": "#FFC7CE", "font_color": "#9C0006", "bold": True}



def _rank_formula(value: str, whole: str, before: str | None) -> str:
    """1 + values clearly larger + equal values earlier in the row/column: the rank of
    :func:`kam_xl.kgb.rank_positions` (text and empty cells count as no value)."""
    return f'=IF(ISNUMBER({value}),{rank_terms(value, whole, before)},"")'


@dataclass(frozen=True)
class _Grid:
    """Where card ``n``'s block lies: header row, criterion rows, supplier and analysis columns, name prefix."""

    p: str  # name prefix kgb_<n>_
    hdr: int
    first: int
    last: int
    n_sup: int
    c_sup: int = 2  # first supplier column

    @property
    def c_gap(self) -> int:  # first analysis column (gap, potential, driver rank)
        return self.c_sup + self.n_sup


def _header(s: Sheet, g: _Grid, card: KgbCard | None, suppliers: list[str], top: int, lang: Lang) -> None:
    """The block's segment, our company, the column headers (supplier names are inputs, ours first)."""
    p, hdr, c_sup, c_gap, n_sup = g.p, g.hdr, g.c_sup, g.c_gap, g.n_sup
    # block header
    s.put(top, 0, _t(lang, "Beschaffungssegment", "Procurement segment"), style="subtitle")
    s.put(top, 1, card.segment if card else None, style="bold", name=p + "segment",
          input=Input(kind="text", title=_t(lang, "Segment", "Segment"),
                      message=_t(lang, "Name des Beschaffungssegments, z. B. Retentionssysteme",
                                 "Name of the procurement segment, e.g. retention systems")))
    s.put(top + 1, 0, _t(lang, "Unser Unternehmen", "Our company"), style="label")
    s.put(top + 1, 1, formula=f'=IF({s.ref(hdr, c_sup)}="","",{s.ref(hdr, c_sup)})',
          cached=card.own_supplier if card else None, style="bold", name=p + "own_supplier")
    s.put(top + 2, c_sup, _t(lang, "Bewertung je Lieferant (0–100, 100 = erfüllt voll)",
                             "Rating per supplier (0–100, 100 = fully meets)"), style="note")

    # column headers; the supplier names are inputs (our company first)
    s.put(hdr, 0, _t(lang, "Kriterium", "Criterion"), style="header")
    s.put(hdr, 1, _t(lang, "Gewicht", "Weight"), style="header")
    for j in range(n_sup):
        first = j == 0
        s.put(hdr, c_sup + j, suppliers[j] if j < len(suppliers) else None, style="header",
              input=Input(kind="text",
                          title=_t(lang, "Unser Unternehmen" if first else "Wettbewerber",
                                   "Our company" if first else "Competitor"),
                          message=_t(lang, "Name unseres Unternehmens" if first else "Name eines Wettbewerbers",
                                     "Name of our company" if first else "Name of a competitor")))
    for k, (de, en) in enumerate((("Abstand zum besten Wettbewerber", "Gap to best competitor"),
                                  ("Verbesserungspotenzial", "Improvement potential"),
                                  ("Werttreiber-Rang", "Value-driver rank"))):
        s.put(hdr, c_gap + k, _t(lang, de, en), style="header")



def _criterion_rows(s: Sheet, g: _Grid, card: KgbCard | None, result: KgbResult | None, criteria: list[str],
                    weights: list[float | None], suppliers: list[str], lang: Lang) -> None:
    """The criterion rows: name, weight and ratings (inputs), gap, potential and value-driver rank (formulas)."""
    first, c_sup, c_gap, n_sup = g.first, g.c_sup, g.c_gap, g.n_sup
    n_rows = g.last - g.first + 1
    pot_col = c_gap + 1
    pots_ref = s.ref(first, pot_col, g.last, pot_col)
    rating_input = Input(kind="score", minimum=0, maximum=100, title=_t(lang, "Bewertung", "Rating"),
                         message=_t(lang, "Erfüllungsgrad 0–100 (100 = erfüllt die Anforderung voll); leer = "
                                          "nicht bewertet", "Degree of fulfilment 0–100 (100 = fully meets the "
                                                            "requirement); empty = not rated"))
    weight_input = Input(kind="fraction", minimum=0, maximum=1, title=_t(lang, "Gewicht", "Weight"),
                         message=_t(lang, "Gewicht des Kriteriums in % (0–100 %); alle Gewichte zusammen 100 %",
                                    "Weight of the criterion in % (0–100 %); all weights together 100 %"))
    drivers = value_driver_ranks(result) if result else {}
    competitors = (s.ref(first, c_sup + 1, first, c_sup + n_sup - 1) if n_sup > 1 else None)
    for i in range(n_rows):
        r = first + i
        name = criteria[i] if i < len(criteria) else None
        s.put(r, 0, name, style="text", input=Input(
            kind="text", title=_t(lang, "Kriterium", "Criterion"),
            message=_t(lang, "Kriterium des Kundenbedarfs, z. B. Preis", "Criterion of the customer's demand, "
                                                                          "e.g. price")))
        s.put(r, 1, weights[i] if i < len(weights) else None, style="percent", input=weight_input)
        for j in range(n_sup):
            rating = (card.ratings[suppliers[j]].get(name) if card and name is not None and j < len(suppliers)
                      else None)
            s.put(r, c_sup + j, rating, style="score", input=rating_input)
        w, own = s.ref(r, 1), s.ref(r, c_sup)
        crit = result.criteria[i] if result and i < len(result.criteria) else None
        if competitors is not None:
            rivals = s.ref(r, c_sup + 1, r, c_sup + n_sup - 1)
            gap = (f'=IF(OR(NOT(ISNUMBER({w})),NOT(ISNUMBER({own})),COUNT({rivals})=0),"",'
                   f"{w}*({own}-MAX({rivals})))")
        else:
            gap = '=""'
        s.put(r, c_gap, formula=gap, cached=crit.gap_to_best if crit else None, style="number2")
        pot = s.ref(r, pot_col)
        s.put(r, pot_col, formula=f'=IF(OR(NOT(ISNUMBER({w})),NOT(ISNUMBER({own}))),"",{w}*(100-{own}))',
              cached=crit.improvement_potential if crit else None, style="number2")
        before = s.ref(first, pot_col, r - 1, pot_col) if i > 0 else None
        s.put(r, c_gap + 2, formula=_rank_formula(pot, pots_ref, before),
              cached=drivers.get(name) if name is not None else None, style="integer")



def _scores(s: Sheet, g: _Grid, result: KgbResult | None, weights: list[float | None], suppliers: list[str],
            lang: Lang) -> int:
    """The weight sum with its check, the weighted score and rank per supplier; returns the rank row."""
    p, hdr, first, last, c_sup, n_sup = g.p, g.hdr, g.first, g.last, g.c_sup, g.n_sup
    weights_ref = s.ref(first, 1, last, 1)
    # weight sum with its check
    r_sum = last + 1
    s.put(r_sum, 0, _t(lang, "Summe der Gewichte", "Sum of weights"), style="level_label")
    wsum = s.put(r_sum, 1, formula=f"=SUM({weights_ref})", cached=weight_sum(weights), style="level_percent",
                 name=p + "weight_sum").absolute
    wsum_ref = s.ref(r_sum, 1)
    bad = f"ABS({wsum_ref}-1)>{number_text(WEIGHT_TOLERANCE)}"
    message = _t(lang, "Gewichte ergeben nicht 100 % – keine Scores", "Weights do not sum to 100 % – no scores")
    s.put(r_sum, c_sup, formula=f'=IF({bad},"{message}","")',
          cached="" if weights_complete(weights) else message, style="bold", name=p + "weight_check")
    s.conditionals.append(Conditional(r_sum, 1, r_sum, 1, {
        "type": "formula", "criteria": f"=ABS({wsum}-1)>{number_text(WEIGHT_TOLERANCE)}", "format": ERROR_FORMAT}))
    s.conditionals.append(Conditional(r_sum, c_sup, r_sum, c_sup, {
        "type": "formula", "criteria": f"=ABS({wsum}-1)>{number_text(WEIGHT_TOLERANCE)}",
        "format": {"font_color": "#9C0006", "bold": True}}))

    # scores and ranks per supplier
    r_score, r_rank = r_sum + 1, r_sum + 2
    s.put(r_score, 0, _t(lang, "Gewichteter Score (0–100)", "Weighted score (0–100)"), style="level_label")
    s.put(r_rank, 0, _t(lang, "Rang (1 = bester)", "Rank (1 = best)"), style="label")
    scores_ref = s.name_range(p + "scores", r_score, c_sup, r_score, c_sup + n_sup - 1)
    s.name_range(p + "ranks", r_rank, c_sup, r_rank, c_sup + n_sup - 1)
    ranks = supplier_ranks(result, suppliers) if result else {}
    for j in range(n_sup):
        c = c_sup + j
        col, head = s.ref(first, c, last, c), s.ref(hdr, c)
        missing = f"SUMPRODUCT(ISNUMBER({weights_ref})*(1-ISNUMBER({col})))>0"
        supplier = suppliers[j] if j < len(suppliers) else None
        s.put(r_score, c, formula=f'=IF(OR({head}="",{bad},{missing}),"",SUMPRODUCT({weights_ref},{col}))',
              cached=result.scores[supplier] if result and supplier else None, style="score")
        before = s.ref(r_score, c_sup, r_score, c - 1) if j > 0 else None
        s.put(r_rank, c, formula=_rank_formula(s.ref(r_score, c), scores_ref, before),
              cached=ranks.get(supplier) if supplier else None, style="integer")
    s.put(r_rank + 1, 0, _t(lang, "Leerer Score = unvollständig: ein gewichtetes Kriterium ohne Bewertung oder "
                                  "Gewichte ≠ 100 %. Abstand und Potenzial in Score-Punkten.",
                            "Empty score = incomplete: a weighted criterion without a rating, or weights ≠ 100 %. "
                            "Gap and potential in score points."), style="note")
    return r_rank


def _block(s: Sheet, n: int, card: KgbCard | None, top: int, lang: Lang, spare_criteria: int, n_sup: int) -> int:
    """Write the block of card ``n`` from row ``top`` with ``n_sup`` supplier columns; return the first row
    after it."""
    result = score_card(card) if card is not None else None
    criteria = [c.name for c in card.criteria] if card else []
    weights: list[float | None] = list(card.weights) if card else []
    suppliers = [card.own_supplier, *card.competitors] if card else []
    n_rows = len(criteria) + spare_criteria + (0 if card else EMPTY_CRITERIA)
    hdr = top + 3
    g = _Grid(p=f"kgb_{n}_", hdr=hdr, first=hdr + 1, last=hdr + n_rows, n_sup=n_sup)
    _header(s, g, card, suppliers, top, lang)
    p, first, last, c_sup, c_gap = g.p, g.first, g.last, g.c_sup, g.c_gap
    s.name_range(p + "weights", first, 1, last, 1)
    s.name_range(p + "criteria", first, 0, last, 0)
    s.name_range(p + "suppliers", hdr, c_sup, hdr, c_sup + n_sup - 1)
    s.name_range(p + "ratings", first, c_sup, last, c_sup + n_sup - 1)
    pot_col = c_gap + 1
    s.name_range(p + "potentials", first, pot_col, last, pot_col)
    s.name_range(p + "gaps", first, c_gap, last, c_gap)
    s.name_range(p + "driver_ranks", first, c_gap + 2, last, c_gap + 2)

    _criterion_rows(s, g, card, result, criteria, weights, suppliers, lang)
    r_rank = _scores(s, g, result, weights, suppliers, lang)

    # chart: ratings per criterion, one series per supplier of the card (the empty block: all its columns)
    segment = card.segment if card else ""
    chart_last = first + len(criteria) - 1 if card else last
    series = tuple({"name": f"={s.ref(hdr, c_sup + j)}", "categories": f"={s.ref(first, 0, chart_last, 0)}",
                    "values": f"={s.ref(first, c_sup + j, chart_last, c_sup + j)}"}
                   for j in range(len(suppliers) if card else n_sup))
    title = _t(lang, "Kgb-Profil", "Kgb profile") + (f" – {segment}" if segment else "")
    s.charts.append(Chart(kind="bar", series=series, title=title, anchor=(top, c_gap + 4), size=(520, 320),
                          options={"x_axis": {"min": 0, "max": 100}, "y_axis": {"reverse": True},
                                   "legend": {"position": "bottom"}}))
    return max(r_rank + 3, top + CHART_ROWS)


def kgb_sheet(cards: list[KgbCard], lang: Lang = "de", spare_criteria: int = 2, spare_suppliers: int = 1,
              year: int | None = None) -> Sheet:
    """The ``Kgb`` sheet of one account: one scorecard block per card (an empty block if there is none);
    ``year`` (the plan year) goes into its title."""
    if spare_criteria < 0 or spare_suppliers < 0:
        raise ValueError("spare_criteria and spare_suppliers — allowed: 0 or more")
    s = Sheet(SHEET_NAME, widths={0: 34, 1: 18})
    s.put(0, 0, sheet_title(lang, _t(lang, "Kgb – Kriterien gewichten und bewerten",
                                     "Kgb – weighting and rating the criteria"), year, "score"), style="title")
    s.put(1, 0, _t(lang, "Gelbe Zellen sind Eingaben: Gewichte in % (Summe 100 %), Bewertungen 0–100. "
                         "Alles andere rechnet das Blatt.",
                   "Yellow cells are inputs: weights in % (sum 100 %), ratings 0–100. "
                   "The sheet computes everything else."), style="note")
    # all blocks share one column layout: as many supplier columns as the card with the most suppliers needs
    n_sup = max((len(c.ratings) for c in cards), default=EMPTY_SUPPLIERS) + spare_suppliers
    if n_sup == 0:
        raise ValueError("a Kgb card needs at least one supplier column — allowed: spare_suppliers ≥ 1")
    for c in range(2, 2 + n_sup):
        s.widths[c] = 18
    for k, width in enumerate((32, 22, 17)):
        s.widths[2 + n_sup + k] = width
    # cards follow their segment; criteria rows their criterion; rating columns their supplier
    s.keys += [KeyedFamily("kgb_", "segment"),
               RowKey("kgb_{n}_criteria", ("kgb_{n}_criteria", "kgb_{n}_weights", "kgb_{n}_ratings")),
               RowKey("kgb_{n}_suppliers", ("kgb_{n}_suppliers", "kgb_{n}_ratings"), axis="cols")]
    top = 3
    for n, card in enumerate(cards or [None], start=1):
        top = _block(s, n, card, top, lang, spare_criteria, n_sup)
    return s


def _cell(block: Any, r: int, c: int) -> Any:
    return block[r][c] if isinstance(block, list) and r < len(block) and c < len(block[r]) else None


_WEIGHT = KIND_BOUNDS["fraction"]
_RATING = KIND_BOUNDS["score"]


def _key(problem: ReportProblem, name: str, r: int | None, c: int | None, raw: Any, what: str) -> str | None:
    """A key cell (segment, criterion, supplier) under the one text rule; ``None`` when empty or refused (the
    refusal goes to ``problem``, an empty cell is the caller's to judge)."""
    try:
        return coerce.text(raw)
    except Refusal as e:
        problem(name, r, c, shown(raw), e.allowed(what))
        return None


def _parse_card(values: Mapping[str, Any], n: int, account_id: str, supplier_role: SupplierRole | None,
                problem: ReportProblem) -> KgbCard | None:
    """Card ``n`` (``None`` when its block is empty or has a problem, which is reported)."""
    p = f"kgb_{n}_"
    crit, weights, sups, ratings = (values.get(p + k) for k in ("criteria", "weights", "suppliers", "ratings"))
    n_rows = len(crit) if isinstance(crit, list) else 0
    n_sup = len(sups[0]) if isinstance(sups, list) and sups else 0
    rating_rows = [ratings[r][:n_sup] if isinstance(ratings, list) and r < len(ratings) else [] for r in range(n_rows)]
    blank = coerce.is_blank
    typed = [(r, c) for r in range(n_rows) for c, v in enumerate(rating_rows[r]) if v is not None and not blank(v)]
    typed_rows = {r for r, _ in typed}
    rows = [r for r in range(n_rows) if r in typed_rows or not blank(_cell(crit, r, 0))
            or not blank(_cell(weights, r, 0))]
    raw_segment = values.get(p + "segment")
    if coerce.is_blank(raw_segment) and not rows:
        return None
    ok = True
    segment = _key(problem, p + "segment", None, None, raw_segment, "the segment's name")
    if segment is None:
        ok = False
        if coerce.is_blank(raw_segment):
            problem(p + "segment", None, None, shown(raw_segment), "the segment's name (the block has values)")
    names = [_key(problem, p + "suppliers", 0, c, _cell(sups, 0, c), "the supplier's name") for c in range(n_sup)]
    ok = ok and all(names[c] is not None or coerce.is_blank(_cell(sups, 0, c)) for c in range(n_sup))
    used_cols = sorted({c for _, c in typed} | {c for c in range(n_sup) if names[c] is not None})
    for c in used_cols:
        if names[c] is None and coerce.is_blank(_cell(sups, 0, c)):
            problem(p + "suppliers", 0, c, None, "the supplier's name (its column has ratings)")
            ok = False
    for c in used_cols:
        if names[c] is not None and names.index(names[c]) < c:
            problem(p + "suppliers", 0, c, _cell(sups, 0, c), "a supplier name not used in another column")
            ok = False
    criteria: list[KgbCriterion] = []
    ratings_by: dict[str, dict[str, float | None]] = {names[c]: {} for c in used_cols if names[c] is not None}
    for r in rows:
        raw_name, raw_w = _cell(crit, r, 0), _cell(weights, r, 0)
        name = _key(problem, p + "criteria", r, 0, raw_name, "the criterion's name")
        if name is None:
            if coerce.is_blank(raw_name):
                problem(p + "criteria", r, 0, None, "the criterion's name (the row has values)")
            ok = False
            continue
        if any(c.name == name for c in criteria):
            problem(p + "criteria", r, 0, raw_name, "a criterion name not used in another row of the card")
            ok = False
            continue
        try:
            w = coerce.number(raw_w, *_WEIGHT, required=True)
        except Refusal as e:
            problem(p + "weights", r, 0, shown(raw_w), e.allowed("a weight from 0 % to 100 %"))
            ok = False
            continue
        criteria.append(KgbCriterion(name=name, weight=w))  # type: ignore[arg-type]
        for c in used_cols:
            v = _cell(ratings, r, c)
            try:
                rating = coerce.number(None if coerce.is_blank(v) else v, *_RATING, points=True)
            except Refusal as e:
                problem(p + "ratings", r, c, shown(v), e.allowed("a rating from 0 to 100, or empty"))
                ok = False
                continue
            if names[c] is not None:
                ratings_by[names[c]][name] = rating  # type: ignore[index]
    if not ok:
        return None
    if not criteria or not names or names[0] is None:
        problem(p + "suppliers", 0, 0, None, "our company's name in the first supplier column and a criterion")
        return None
    if not weights_complete([c.weight for c in criteria]):
        problem(p + "weights", 0, 0, sum(c.weight for c in criteria), "weights that sum to 100 %")
        return None
    return KgbCard(account_id=account_id, segment=segment, criteria=criteria, ratings=ratings_by,  # type: ignore[arg-type]
                   own_supplier=names[0], supplier_role=supplier_role)


def parse_kgb(values: Mapping[str, Any], account_id: str, supplier_role: SupplierRole | None,
              problem: ReportProblem) -> list[KgbCard]:
    """Read the Kgb cards back from the sheet's inputs (by defined name). Rows without a criterion and without
    values, and blocks left empty, are skipped; every value that breaks a rule goes to ``problem(name, row,
    col, value, allowed)`` and its card is left out.

    Cells are read with :mod:`kam_xl.workbook.coerce`: an error value or a formula without its result is a
    problem, a rating from a percent-formatted cell too (the scale is 0–100 points); segment, criterion and
    supplier names follow the one text rule (``"Preis "`` is ``"Preis"``), so a name used twice in a card is
    a problem."""
    cards = []
    n = 1
    while f"kgb_{n}_segment" in values:
        card = _parse_card(values, n, account_id, supplier_role, problem)
        if card is not None:
            cards.append(card)
        n += 1
    return cards


class KgbName(StrEnum):
    """The defined names of card ``n`` (1, 2, …): ``KgbName.SEGMENT.format(n=1)`` is ``"kgb_1_segment"``."""

    SEGMENT = "kgb_{n}_segment"
    CRITERIA = "kgb_{n}_criteria"
    WEIGHTS = "kgb_{n}_weights"
    SUPPLIERS = "kgb_{n}_suppliers"
    RATINGS = "kgb_{n}_ratings"


class KgbSheet(PlanSheet):
    """The Kgb scorecards: its part is the account's cards (``data.kgb_cards``), one block per segment."""

    key = "kgb"
    Names = KgbName
    databook_tables = ("kgb",)

    @property
    def marker(self) -> str:
        return KgbName.SEGMENT.format(n=1)

    def get(self, data: AccountPlanData) -> tuple[KgbCard, ...]:
        return data.kgb_cards

    def put(self, data: AccountPlanData, part: tuple[KgbCard, ...]) -> AccountPlanData:
        return dataclasses.replace(data, kgb_cards=tuple(part))

    def from_databook(self, db: DataBook, data: AccountPlanData) -> tuple[KgbCard, ...]:
        return tuple(db.kgb_cards(data.account.account_id)) if db.table("kgb") is not None else ()

    def layout(self, data: AccountPlanData, lang: Lang) -> Sheet:
        return kgb_sheet(list(data.kgb_cards), lang, year=data.account.plan_year)

    def parse(self, values: Mapping[str, Any], data: AccountPlanData, lang: Lang,
             problem: OnProblem) -> tuple[KgbCard, ...]:
        return tuple(parse_kgb(values, data.account.account_id, data.account.supplier_role,  # type: ignore[arg-type]
                               problem))

    def export(self, data: AccountPlanData) -> Rows:
        aid = data.account.account_id
        return {"kgb": [{"account_id": aid, "segment": card.segment, "criterion": crit.name, "weight": w,
                         "supplier": supplier, "own": supplier == card.own_supplier,
                         "rating": ratings.get(crit.name)}
                        for card in data.kgb_cards
                        for crit, w in zip(card.criteria, card.weights, strict=True)
                        for supplier, ratings in card.ratings.items()]}
