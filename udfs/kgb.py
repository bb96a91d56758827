"""Excel functions of the Kgb scorecard (seed 001, Tab. 2.2–2.4; :mod:`kam_xl.kgb`).

A Kgb card in a sheet is a column of criteria, a column of weights (points summing to 100 or fractions
summing to 1), a row of supplier names and a block of ratings 0–100 (criteria × suppliers). Every function
takes those four ranges; the own supplier is named, or the first supplier is ours.
"""

from __future__ import annotations

from typing import Any

import xlwings as xw

from kam_xl.kgb import KgbCard, KgbCriterion, KgbResult, score_card
from udfs._cells import CellError, Grid, excel_errors, grid, number, numbers, same_length, text, texts

_CRITERIA = "column of the criteria's names"
_WEIGHTS = "column of weights: points summing to 100 or fractions summing to 1"
_SUPPLIERS = "row of supplier names (the column heads of the ratings)"
_RATINGS = "block of ratings 0–100, one row per criterion, one column per supplier; empty = not rated"
_OWN = "our own supplier name among the suppliers (empty: the first supplier)"


def _card(criteria: Any, weights: Any, suppliers: Any, ratings: Any, own_supplier: Any) -> KgbCard:
    names = texts(criteria, "criteria")
    w = numbers(weights, "weights", empty=False)
    heads = texts(suppliers, "suppliers")
    block = grid(ratings)
    same_length({"criteria": len(names), "weights": len(w), "rating rows": len(block)})
    if any(len(row) != len(heads) for row in block):
        raise CellError(f"ratings: {len(block[0])} columns for {len(heads)} suppliers — allowed: one column each")
    own = text(own_supplier, "own_supplier", empty=True) or heads[0]
    table = {
        s: {c: number(block[i][j], f"ratings ({c}, {s})") for i, c in enumerate(names)} for j, s in enumerate(heads)
    }
    return KgbCard(
        segment="Excel",
        criteria=[KgbCriterion(name=c, weight=x) for c, x in zip(names, w, strict=True) if x is not None],
        ratings=table,
        own_supplier=own,
    )


def _scored(criteria: Any, weights: Any, suppliers: Any, ratings: Any, own_supplier: Any) -> KgbResult:
    return score_card(_card(criteria, weights, suppliers, ratings, own_supplier))


@xw.func(category="KAM")
@xw.arg("criteria", ndim=2, err_to_str=True, doc=_CRITERIA)
@xw.arg("weights", ndim=2, err_to_str=True, doc=_WEIGHTS)
@xw.arg("suppliers", ndim=2, err_to_str=True, doc=_SUPPLIERS)
@xw.arg("ratings", ndim=2, err_to_str=True, doc=_RATINGS)
@xw.arg("own_supplier", err_to_str=True, doc=_OWN)
@excel_errors
def kam_kgb_card(criteria: Any, weights: Any, suppliers: Any, ratings: Any, own_supplier: Any = None) -> Grid:
    """The whole Kgb card analysis, one row per criterion: weight as a fraction, own rating, best competitor's
    rating, weighted gap to the best (weight × (own − best)) and improvement potential (weight × (100 − own)).
    Empty where a rating is missing."""
    result = _scored(criteria, weights, suppliers, ratings, own_supplier)
    return [
        [c.weight, c.own, c.best_competitor, c.gap_to_best, c.improvement_potential] for c in result.criteria
    ]
