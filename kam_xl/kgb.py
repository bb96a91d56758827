"""Kgb scorecard — "Kriterien gewichten und bewerten" (seed 001, Tab. 2.2–2.4, Abb. 2.1).

Per account and procurement segment the customer names the criteria of his demand (Tab. 2.2), weights
them "im Hundert" (Tab. 2.3) and rates how far each supplier fulfils each criterion from 0 to 100
(Tab. 2.4). From that:

* weighted score of a supplier = Σ weightᵢ × ratingᵢ (weights as fractions) → 0–100, and a ranking;
* per criterion the weighted gap to the best competitor = weightᵢ × (ownᵢ − max competitorᵢ);
* improvement potential = weightᵢ × (100 − ownᵢ); value drivers = criteria by improvement potential.

Weights may be given as fractions (sum 1) or points (sum 100); any other sum is an error naming the sum,
unless ``normalise=True``. A missing rating makes that supplier's score incomplete: it is reported and the
supplier left out of the ranking, never counted as 0.

>>> card = KgbCard(segment="Retentionssysteme", own_supplier="Wir",
...     criteria=[KgbCriterion(name="Preis", weight=40), KgbCriterion(name="Service", weight=60)],
...     ratings={"Wir": {"Preis": 60, "Service": 90}, "Nordchem": {"Preis": 80, "Service": 70}})
>>> r = score_card(card)
>>> r.scores, r.rank
({'Wir': 78.0, 'Nordchem': 74.0}, ['Wir', 'Nordchem'])
>>> [(c.criterion, c.gap_to_best, c.improvement_potential) for c in r.criteria]
[('Preis', -8.0, 16.0), ('Service', 12.0, 6.0)]
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kam_xl.cells import shown_number
from kam_xl.errors import KamInputError
from kam_xl.maths import total

# The supplier role ladder of seed 001, Abb. 2.1 "Vom gelegentlichen Lieferanten zum Systempartner".
SupplierRole = Literal["gelegentlicher Lieferant", "Stammlieferant", "Vorzugslieferant", "Systempartner"]
SUPPLIER_ROLES: tuple[SupplierRole, ...] = (
    "gelegentlicher Lieferant",
    "Stammlieferant",
    "Vorzugslieferant",
    "Systempartner",
)
SUPPLIER_ROLES_EN: dict[SupplierRole, str] = {
    "gelegentlicher Lieferant": "occasional supplier",
    "Stammlieferant": "regular supplier",
    "Vorzugslieferant": "preferred supplier",
    "Systempartner": "system partner",
}

WEIGHT_TOLERANCE = 1e-6


def normalise_weights(weights: list[float], normalise: bool = False) -> list[float]:
    """Return the weights as fractions summing to 1.

    Fractions (sum 1) are kept, points (sum 100) are divided by 100. Any other sum raises
    :class:`KamInputError` naming the sum, unless ``normalise`` asks to rescale by the sum.

    >>> normalise_weights([25, 75])
    [0.25, 0.75]
    >>> normalise_weights([30, 60], normalise=True)
    [0.3333333333333333, 0.6666666666666666]
    """
    if not weights:
        raise KamInputError("no Kgb criteria — allowed: at least one criterion with a weight")
    for w in weights:
        if not math.isfinite(w) or w < 0:
            raise KamInputError(f"Kgb weight {shown_number(w)!r} — allowed: a number ≥ 0")
    s = total(weights)
    if abs(s - 1) <= WEIGHT_TOLERANCE:
        return [w / s for w in weights] if s != 1 else list(weights)
    if abs(s - 100) <= 100 * WEIGHT_TOLERANCE:
        return [w / 100 for w in weights]
    if normalise and s > 0:
        return [w / s for w in weights]
    raise KamInputError(f"Kgb weights sum to {s:g} — allowed: fractions summing to 1 or points summing to 100")


class KgbCriterion(BaseModel):
    """A criterion of the customer's demand with its weight (fraction or points, see the card)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    weight: float = Field(ge=0)


class KgbCard(BaseModel):
    """One Kgb scorecard: an account's procurement segment with criteria, weights and supplier ratings.

    ``ratings`` maps supplier → criterion → rating 0–100 (``None`` or absent = not rated).
    ``own_supplier`` names our company among the suppliers.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    account_id: str = ""
    segment: str = Field(min_length=1)
    criteria: list[KgbCriterion] = Field(min_length=1)
    ratings: dict[str, dict[str, float | None]]
    own_supplier: str
    supplier_role: SupplierRole | None = None
    normalise: bool = Field(default=False, description="rescale weights whose sum is neither 1 nor 100")

    @model_validator(mode="after")
    def _check(self) -> KgbCard:
        names = [c.name for c in self.criteria]
        known = set(names)
        if len(known) < len(names):
            dupes = sorted(n for n, k in Counter(names).items() if k > 1)
            raise KamInputError(f"Kgb criterion listed twice: {', '.join(dupes)} — allowed: each criterion once")
        if self.own_supplier not in self.ratings:
            raise KamInputError(
                f"own supplier {self.own_supplier!r} has no ratings — allowed: one of {sorted(self.ratings)}"
            )
        for supplier, row in self.ratings.items():
            for criterion, rating in row.items():
                if criterion not in known:
                    raise KamInputError(
                        f"rating of {supplier!r} for unknown criterion {criterion!r} — allowed: {names}"
                    )
                if rating is not None and (not math.isfinite(rating) or not 0 <= rating <= 100):
                    raise KamInputError(
                        f"rating {rating:g} of {supplier!r} for {criterion!r} — allowed: 0 to 100"
                    )
        normalise_weights([c.weight for c in self.criteria], self.normalise)
        return self

    @property
    def weights(self) -> list[float]:
        """The weights as fractions summing to 1."""
        return normalise_weights([c.weight for c in self.criteria], self.normalise)

    @property
    def competitors(self) -> list[str]:
        """All suppliers but our own, in the card's order."""
        return [s for s in self.ratings if s != self.own_supplier]


class KgbCriterionResult(BaseModel):
    """Per-criterion analysis of a card (weights as fractions, so figures are score points)."""

    model_config = ConfigDict(frozen=True)

    criterion: str
    weight: float
    own: float | None
    best_competitor: float | None
    gap_to_best: float | None = Field(description="weight × (own − max competitor)")
    improvement_potential: float | None = Field(description="weight × (100 − own)")


class KgbResult(BaseModel):
    """Scores, ranking, gaps and value drivers of one card."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    segment: str
    scores: dict[str, float | None] = Field(description="supplier → weighted score 0–100; None if incomplete")
    incomplete: dict[str, list[str]] = Field(description="supplier → criteria without a rating")
    rank: list[str] = Field(description="suppliers with a complete score, best first")
    criteria: list[KgbCriterionResult]
    value_drivers: list[str] = Field(description="criteria by improvement potential, largest first")
    supplier_role: SupplierRole | None


def weighted_score(weights: list[float], ratings: list[float | None]) -> float | None:
    """Σ weightᵢ × ratingᵢ, or ``None`` when any rating is missing (weights as fractions)."""
    if any(r is None for r in ratings):
        return None
    return total(w * r for w, r in zip(weights, ratings, strict=True))  # type: ignore[operator]


class KgbScores(NamedTuple):
    """The supplier scores of a card and what they rank (the part of :class:`KgbResult` a report of every account
    needs: :func:`score_card` takes them from :func:`card_scores`)."""

    scores: dict[str, float | None]
    incomplete: dict[str, list[str]]
    rank: list[str]


def card_scores(card: KgbCard) -> KgbScores:
    """Weighted score of every supplier (``None`` when a rating is missing, the missing criteria in
    ``incomplete``) and the ranking of the complete ones, best first (ties in card order)."""
    weights = card.weights
    names = [c.name for c in card.criteria]
    scores: dict[str, float | None] = {}
    incomplete: dict[str, list[str]] = {}
    for supplier, row in card.ratings.items():
        values = [row.get(n) for n in names]
        scores[supplier] = weighted_score(weights, values)
        if None in values:
            incomplete[supplier] = [n for n, v in zip(names, values, strict=True) if v is None]
    complete = [s for s, v in scores.items() if v is not None]
    rank = sorted(complete, key=lambda s: -scores[s])  # type: ignore[operator]  # stable for ties
    return KgbScores(scores, incomplete, rank)


def score_card(card: KgbCard) -> KgbResult:
    """Score, rank and analyse one Kgb card."""
    scores, incomplete, rank = card_scores(card)
    own_row = card.ratings[card.own_supplier]
    rival_rows = [card.ratings[s] for s in card.competitors]
    results = []
    for c, w in zip(card.criteria, card.weights, strict=True):
        own = own_row.get(c.name)
        rivals = [r for row in rival_rows if (r := row.get(c.name)) is not None]
        best = max(rivals) if rivals else None
        results.append(
            KgbCriterionResult(
                criterion=c.name,
                weight=w,
                own=own,
                best_competitor=best,
                gap_to_best=None if own is None or best is None else w * (own - best),
                improvement_potential=None if own is None else w * (100 - own),
            )
        )
    drivers = sorted(
        (r for r in results if r.improvement_potential is not None),
        key=lambda r: -r.improvement_potential,  # type: ignore[operator]
    )
    return KgbResult(
        account_id=card.account_id,
        segment=card.segment,
        scores=scores,
        incomplete=incomplete,
        rank=rank,
        criteria=results,
        value_drivers=[r.criterion for r in drivers],
        supplier_role=card.supplier_role,
    )


# --- figures of the Kgb sheet (kam_xl.workbook.kgb_sheet) that KgbResult holds only as orderings ---------

#: Values closer than this count as equal when ranking, as a spreadsheet sees them (ties keep card order).
RANK_TOLERANCE = 1e-9


def weight_sum(weights: list[float | None]) -> float:
    """Sum of the weights that are given (``None`` = empty cell), as the sheet's weight-sum cell shows it.

    >>> weight_sum([0.3, 0.7, None])
    1.0
    """
    return total(w for w in weights if w is not None)


def weights_complete(weights: list[float | None]) -> bool:
    """True when the given weights (fractions) sum to 1 within :data:`WEIGHT_TOLERANCE` — the sheet's condition
    for showing scores.

    >>> weights_complete([0.3, 0.7]), weights_complete([0.3, 0.6])
    (True, False)
    """
    return abs(weight_sum(weights) - 1) <= WEIGHT_TOLERANCE


def rank_positions(values: Sequence[float | None], tolerance: float = RANK_TOLERANCE) -> list[int | None]:
    """Rank of each value, 1 = largest; ``None`` values get no rank. Values within ``tolerance`` of each other
    tie and keep their order (the earlier ranks first), so the ranks are the positions of a stable sort by
    value, largest first — the order of :attr:`KgbResult.rank` and :attr:`KgbResult.value_drivers`.

    Counted as the sheet's rank formula counts (:func:`kam_xl.workbook.formulas.rank_terms`): 1 + the values
    larger by more than ``tolerance`` + the earlier values within ``tolerance`` — in O(n log n) (the sorted values
    and a Fenwick tree of the values seen so far), so that the controller ranks 10,000 accounts at once.

    >>> rank_positions([70.0, None, 80.0, 70.0])
    [2, None, 1, 3]
    """
    given = sorted(v for v in values if v is not None)
    tree = [0] * (len(given) + 1)

    def seen_below(i: int) -> int:  # values seen so far among given[:i]
        n = 0
        while i > 0:
            n, i = n + tree[i], i & (i - 1)
        return n

    out: list[int | None] = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        above = len(given) - bisect_right(given, v + tolerance)
        tied = seen_below(bisect_right(given, v + tolerance)) - seen_below(bisect_left(given, v - tolerance))
        out.append(1 + above + tied)
        i = bisect_left(given, v) + 1
        while i <= len(given):
            tree[i] += 1
            i += i & -i
    return out


def supplier_ranks(result: KgbResult, order: list[str] | None = None) -> dict[str, int | None]:
    """Supplier → rank by weighted score (1 = best), ``None`` for an incomplete score. Equal scores keep the
    order of ``order`` (default: the card's order, as :attr:`KgbResult.rank`), the one the sheet shows.

    >>> card = KgbCard(segment="S", own_supplier="Wir", criteria=[KgbCriterion(name="Preis", weight=100)],
    ...     ratings={"Wir": {"Preis": 60}, "A": {"Preis": None}, "B": {"Preis": 90}})
    >>> supplier_ranks(score_card(card))
    {'Wir': 2, 'A': None, 'B': 1}
    """
    suppliers = list(order) if order is not None else list(result.scores)
    return dict(zip(suppliers, rank_positions([result.scores[s] for s in suppliers]), strict=True))


def value_driver_ranks(result: KgbResult) -> dict[str, int | None]:
    """Criterion → value-driver rank (1 = largest improvement potential), ``None`` without an own rating."""
    names = [c.criterion for c in result.criteria]
    ranks = rank_positions([c.improvement_potential for c in result.criteria])
    return dict(zip(names, ranks, strict=True))


class CompetitivePosition(BaseModel):
    """Our place against the competitors on one Kgb card (seed 001): the view the portfolio review puts next
    to an account's bubble. Scores 0–100; ``None`` where a score is incomplete or there is no rival."""

    model_config = ConfigDict(frozen=True)

    own: float | None
    best_competitor: str | None
    best_competitor_score: float | None
    gap: float | None = Field(description="own score − best competitor's score, in score points")


def competitive_position(scores: dict[str, float | None], own_supplier: str) -> CompetitivePosition:
    """Our score, the best complete competitor score (first in order on a tie) and the gap between them, from
    the supplier scores of :func:`kam_xl.kgb.score_card` (``KgbResult.scores``).

    >>> competitive_position({"Wir": 78.0, "Nordchem": 74.0, "BaSiCo": None}, "Wir")
    CompetitivePosition(own=78.0, best_competitor='Nordchem', best_competitor_score=74.0, gap=4.0)
    """
    own = scores.get(own_supplier)
    rivals = [(s, v) for s, v in scores.items() if s != own_supplier and v is not None]
    best = max(rivals, key=lambda sv: sv[1], default=None)  # max keeps the first of equal scores
    return CompetitivePosition(
        own=own,
        best_competitor=best[0] if best else None,
        best_competitor_score=best[1] if best else None,
        gap=None if own is None or best is None else own - best[1],
    )
