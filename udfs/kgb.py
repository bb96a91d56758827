"""Excel functions of the Kgb scorecard (seed 001, Tab. 2.2–2.4; :mod:`kam_xl.kgb`).

A Kgb card in a sheet is a column of criteria, a column of weights (points summing to 100 or fractions
summing to 1), a row of supplier names and a block of ratings 0–100 (criteria × suppliers). Every function
takes those four ranges; the own supplier is named, or the first supplier is ours.
"""

from __future__ import annotations

from typing import Annotated, Any

import xlwings as xw

from kam_xl.kgb import KgbCard, KgbCriterion, KgbResult, score_card, supplier_ranks
from udfs._cells import (
    CellError,
    Grid,
    cell_arg,
    excel_errors,
    grid,
    laid_out_like,
    number,
    numbers,
    range_arg,
    same_length,
    text,
    texts,
)

Criteria = Annotated[Any, range_arg("column of the criteria's names")]
Weights = Annotated[Any, range_arg("column of weights: points summing to 100 or fractions summing to 1")]
Suppliers = Annotated[Any, range_arg("row of supplier names (the column heads of the ratings)")]
Ratings = Annotated[Any, range_arg(
    "block of ratings 0–100, one row per criterion, one column per supplier; empty = not rated")]
OwnSupplier = Annotated[Any, cell_arg("our own supplier name among the suppliers (empty: the first supplier)")]


def _ratings(column: tuple[Any, ...], names: list[str], supplier: str) -> list[float | None]:
    return [number(v, f"ratings ({c}, {supplier})") for v, c in zip(column, names, strict=True)]


def _card(criteria: Any, weights: Any, suppliers: Any, ratings: Any, own_supplier: Any) -> KgbCard:
    names = texts(criteria, "criteria")
    w = numbers(weights, "weights", empty=False)
    heads = texts(suppliers, "suppliers")
    twice = sorted({h for h in heads if heads.count(h) > 1})
    if twice:
        raise CellError(f"suppliers: {', '.join(twice)} listed twice — allowed: each supplier once")
    block = grid(ratings)
    same_length({"criteria": len(names), "weights": len(w), "rating rows": len(block)})
    if any(len(row) != len(heads) for row in block):
        raise CellError(f"ratings: {len(block[0])} columns for {len(heads)} suppliers — allowed: one column each")
    own = text(own_supplier, "own_supplier", empty=True) or heads[0]
    columns = list(zip(*block, strict=True)) if block else [() for _ in heads]
    table = {s: dict(zip(names, _ratings(columns[j], names, s), strict=True)) for j, s in enumerate(heads)}
    return KgbCard(
        segment="Excel",
        criteria=[KgbCriterion(name=c, weight=x) for c, x in zip(names, w, strict=True) if x is not None],
        ratings=table,
        own_supplier=own,
    )


def _scored(criteria: Any, weights: Any, suppliers: Any, ratings: Any, own_supplier: Any) -> KgbResult:
    return score_card(_card(criteria, weights, suppliers, ratings, own_supplier))


@xw.func(category="KAM")
@excel_errors
def kam_kgb_card(criteria: Criteria, weights: Weights, suppliers: Suppliers, ratings: Ratings,
                 own_supplier: OwnSupplier = None) -> Grid:
    """The whole Kgb card analysis, one row per criterion: weight as a fraction, own rating, best competitor's
    rating, weighted gap to the best (weight × (own - best)) and improvement potential (weight × (100 - own)).
    Empty where a rating is missing."""
    result = _scored(criteria, weights, suppliers, ratings, own_supplier)
    return [
        [c.weight, c.own, c.best_competitor, c.gap_to_best, c.improvement_potential] for c in result.criteria
    ]


@xw.func(category="KAM")
@excel_errors
def kam_kgb_score(criteria: Criteria, weights: Weights, suppliers: Suppliers, ratings: Ratings) -> Grid:
    """Weighted score 0–100 of each supplier (sum of weight × rating), laid out like the suppliers. Empty for a
    supplier with a missing rating: an incomplete score is never counted as 0."""
    result = _scored(criteria, weights, suppliers, ratings, None)
    return laid_out_like([result.scores[s] for s in result.scores], suppliers)


@xw.func(category="KAM")
@excel_errors
def kam_kgb_rank(criteria: Criteria, weights: Weights, suppliers: Suppliers, ratings: Ratings) -> Grid:
    """Rank of each supplier by weighted score (1 = best), laid out like the suppliers. Equal scores keep the
    suppliers' order; a supplier with a missing rating gets no rank."""
    result = _scored(criteria, weights, suppliers, ratings, None)
    ranks = supplier_ranks(result)
    return laid_out_like([None if (r := ranks[s]) is None else float(r) for s in result.scores], suppliers)


@xw.func(category="KAM")
@excel_errors
def kam_kgb_gaps(criteria: Criteria, weights: Weights, suppliers: Suppliers, ratings: Ratings,
                 own_supplier: OwnSupplier = None) -> Grid:
    """Weighted gap to the best competitor per criterion, weight × (own - best competitor's rating), in score
    points, laid out like the criteria. Negative where a competitor is better; empty where a rating is missing."""
    result = _scored(criteria, weights, suppliers, ratings, own_supplier)
    return laid_out_like([c.gap_to_best for c in result.criteria], criteria)
