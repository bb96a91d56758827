"""Excel functions of the KAM programme tools (SPEC §3.7, issue 12; :mod:`kam_xl.selection` and the modules of the
other programme parts).

A range of accounts is one row per account: a block of ratings (one column per criterion), a column of net
sales, a block of four quarterly revenues. Results come back one row per account, lined up with the input.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

import xlwings as xw

from kam_xl.company_settings import CompanySettings
from kam_xl.coordination import ITEM_NUMBERS, bu_result, scale_mean, territory_result
from kam_xl.kaop import QUARTERS
from kam_xl.organisation import TABLE_4, TABLE_5, score
from kam_xl.selection import abc_classes, coefficient_of_variation, rank_of_scores, selection_score, xyz_class
from kam_xl.vocabulary import COORDINATION_WORDS
from udfs._cells import (
    CellError,
    Grid,
    build,
    cell_arg,
    cells,
    choice,
    excel_errors,
    grid,
    number,
    numbers,
    optional_number,
    range_arg,
    same_length,
    text,
)

# --- account selection and ABC/XYZ (kam_xl.selection) ---------------------------------------------------------------

SelWeights = Annotated[Any, range_arg("row of the criteria's weights (in %, or any scale: the score divides by their "
                                      "sum)")]
SelRatings = Annotated[Any, range_arg("block of ratings 0–100, one row per account, one column per weight; empty = "
                                      "no rating")]
AccountIds = Annotated[Any, range_arg("column of the account ids (optional): equal scores or net sales rank by id; "
                                      "without it by row")]
NetSales = Annotated[Any, range_arg("column of net sales, one per account; empty or negative: no class")]
Quarters = Annotated[Any, range_arg("block of the four quarterly revenues, one row per account (optional)")]


def _ids(account_ids: Any, n: int) -> list[str]:
    """The account ids (checked: one per account, none twice), or ``n`` texts that sort in row order."""
    if account_ids is None:
        return [f"{i:09d}" for i in range(n)]
    ids = [text(r[0] if r else None, "account_ids", i) for i, r in enumerate(grid(account_ids))]
    same_length({"account_ids": len(ids), "accounts": n})
    twice = sorted(a for a, n in Counter(ids).items() if n > 1)
    if twice:
        raise CellError(f"account_ids: {', '.join(twice)} listed twice — allowed: each account once")
    return ids


def _in_range(value: float | None, what: str, low: float, high: float) -> float | None:
    if value is not None and not low <= value <= high:
        raise CellError(f"{what}: {value:g} — allowed: {low:g} to {high:g}")
    return value


@xw.func(category="KAM")
@excel_errors
def kam_selection_score(weights: SelWeights, ratings: SelRatings, account_ids: AccountIds = None) -> Grid:
    """Account selection for growth: per account the score (sum of weight × rating ÷ sum of weights, 0–100) and
    its rank (1 = highest); both empty when a weighted criterion has no rating.

    Seed 001 §2.1. Equal scores rank by account id (with ``account_ids``), else by row; weights summing to 0
    give no score."""
    w = [_in_range(x, "weights", 0, 100) or 0.0 for x in numbers(weights, "weights")]
    block = grid(ratings)
    if any(len(row) != len(w) for row in block):
        raise CellError(f"ratings: {len(block[0])} columns for {len(w)} weights — allowed: one column per weight")
    ids = _ids(account_ids, len(block))
    names = [f"c{j}" for j in range(len(w))]
    scores = []
    for i, row in enumerate(block):
        given = {n: _in_range(number(v, f"ratings (row {i + 1})", j), "ratings", 0, 100)
                 for j, (n, v) in enumerate(zip(names, row, strict=True))}
        scores.append(selection_score(dict(zip(names, w, strict=True)), given)[0])
    order = sorted(range(len(block)), key=lambda i: ids[i])
    ranks = rank_of_scores([scores[i] for i in order])
    rank = {i: ranks[k] for k, i in enumerate(order)}
    return [[scores[i], None if rank[i] is None else float(rank[i])] for i in range(len(block))]  # type: ignore[arg-type]


@xw.func(category="KAM")
@excel_errors
def kam_abc_xyz(net_sales: NetSales, quarters: Quarters = None, account_ids: AccountIds = None,
                abc_a: Annotated[Any, cell_arg("share of net sales up to which an account is A (default 0.8)")] = None,
                abc_b: Annotated[Any, cell_arg("share up to which it is B (default 0.95)")] = None,
                xyz_x: Annotated[Any, cell_arg("coefficient of variation up to which it is X (default 0.25)")] = None,
                xyz_y: Annotated[Any, cell_arg("coefficient of variation up to which it is Y (default 0.5)")] = None
                ) -> Grid:
    """ABC/XYZ per account, one row each: ABC class by net sales, coefficient of variation of the four quarterly
    revenues, XYZ class. cv and XYZ are empty without four quarters or with a mean of 0.

    ABC: sorted by net sales descending (ties by id, else by row); A while the net sales above are below
    abc_a × total, then B below abc_b × total, else C. cv = population standard deviation ÷ mean; X up to xyz_x,
    Y up to xyz_y, else Z."""
    sales = [number(r[0] if r else None, "net_sales", i) for i, r in enumerate(grid(net_sales))]
    ids = _ids(account_ids, len(sales))
    a, b = (_in_range(optional_number(v, name, d), name, 0, 1) for v, name, d in ((abc_a, "abc_a", 0.8),
                                                                                 (abc_b, "abc_b", 0.95)))
    x, y = (optional_number(v, name, d) for v, name, d in ((xyz_x, "xyz_x", 0.25), (xyz_y, "xyz_y", 0.5)))
    classes = abc_classes(dict(zip(ids, sales, strict=True)), a or 0.0, b or 0.0)
    rows = grid(quarters) if quarters is not None else [[] for _ in sales]
    same_length({"net_sales": len(sales), "quarters": len(rows)})
    out: Grid = []
    for i, (aid, row) in enumerate(zip(ids, rows, strict=True)):
        if row and len(row) != len(QUARTERS):
            raise CellError(f"quarters: {len(row)} columns — allowed: four (Q1–Q4)")
        values = [v for j, c in enumerate(row) if (v := number(c, f"quarters (row {i + 1})", j)) is not None]
        cv = coefficient_of_variation(values)
        out.append([classes[aid], cv, xyz_class(cv, x or 0.0, y or 0.0)])
    return out


# --- coordination need and organisation decisions (kam_xl.coordination, kam_xl.organisation) ----------------------

Ratings = Annotated[Any, range_arg("the six items' ratings in a row or column, 1 (schwach) to 7 (stark); empty = "
                                   "not rated")]
Scale = Annotated[Any, cell_arg("bu (Abb. 7, cross-BU; the default) or territory / Gebiet (Abb. 8, cross-territory)")]
Thresholds = Annotated[Any, range_arg(
    "bu: the mean from which the need is high (default 4); territory: the means from which it is regional and "
    "global (default 3 and 5)")]
Lang = Annotated[Any, cell_arg("language of the result word: de (default) or en")]
OrgWeights = Annotated[Any, range_arg("column of the criteria's weights, each 0 to 100 (0: does not count)")]
Signs = Annotated[Any, range_arg(
    "block of the criteria's + or - per alternative (one column each), or 4 or 5 for the seed's Tabelle 4 or 5")]

_SCALES = {"bu": "bu", "BU-übergreifend": "bu", "territory": "territory", "Gebiet": "territory",
           "gebietsübergreifend": "territory"}
_SIGNS = {"+": 1, "-": -1, "1": 1, "-1": -1}


def _coordination_thresholds(value: Any, scale: str) -> CompanySettings:
    given = [v for v in numbers(value, "thresholds") if v is not None] if value is not None else []
    keys = ("coord_bu_high",) if scale == "bu" else ("coord_territory_regional", "coord_territory_global")
    if given and len(given) != len(keys):
        raise CellError(f"thresholds: {len(given)} numbers — allowed: {len(keys)} for {scale} ({', '.join(keys)}), "
                        "or none for the defaults")
    return build(CompanySettings, "thresholds", **dict(zip(keys, given, strict=False)))


@xw.func(category="KAM")
@excel_errors
def kam_coordination(ratings: Ratings, scale: Scale = None, thresholds: Thresholds = None,
                     lang: Lang = None) -> Grid:
    """Coordination need of an account on one scale (Homburg/Jensen, Abb. 7 or 8): the mean of the rated items
    and the result word, as a row: bu niedrig/hoch, territory niedrig/regional/global. Empty without ratings."""
    which = choice(scale, "scale", _SCALES, "bu")
    words = COORDINATION_WORDS[choice(lang, "lang", {"de": "de", "en": "en"}, "de")]
    given = cells(ratings, "ratings")
    if len(given) > len(ITEM_NUMBERS):
        raise CellError(f"ratings: {len(given)} cells — allowed: up to {len(ITEM_NUMBERS)} (one per item)")
    mean = scale_mean({i + 1: number(v, "ratings", i) for i, v in enumerate(given)})
    settings = _coordination_thresholds(thresholds, which)
    result = bu_result(mean, settings) if which == "bu" else territory_result(mean, settings)
    return [[mean, words[result] if result else None]]


def _signs(value: Any) -> list[list[int]]:
    """The signs block as ±1 per criterion and alternative; a single cell 4 or 5 gives the seed's table."""
    rows = grid(value)
    if len(rows) == 1 and len(rows[0]) == 1 and isinstance(rows[0][0], int | float) and rows[0][0] in (4, 5):
        return [list(c.signs) for c in (TABLE_4 if rows[0][0] == 4 else TABLE_5).criteria]
    out = []
    for r, row in enumerate(rows):
        found = []
        for c, v in enumerate(row):
            word = text(v, f"signs (row {r + 1}, column {c + 1})").replace("–", "-").replace("−", "-")
            if word not in _SIGNS:
                raise CellError(f"signs: row {r + 1}, column {c + 1} holds {v!r} — allowed: + or -")
            found.append(_SIGNS[word])
        out.append(found)
    return out


@xw.func(category="KAM")
@excel_errors
def kam_org_decision(weights: OrgWeights, signs: Signs) -> Grid:
    """Score of each alternative of an organisation decision (Homburg/Jensen, Tabelle 4 or 5), -100 to +100:
    100 x sum(weight x sign) / sum(weight), as a row. Empty when the weights sum to 0."""
    w = [0.0 if v is None else v for v in numbers(weights, "weights")]
    table = _signs(signs)
    if len(table) != len(w):
        raise CellError(f"{len(w)} weights for {len(table)} rows of signs — allowed: one weight per criterion")
    columns = list(zip(*table, strict=True))
    return [[score(w, list(col)) for col in columns]]
