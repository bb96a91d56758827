"""Excel functions of the programme's coordination need (seed 000, Abb. 7/8; :mod:`kam_xl.coordination`) and its
organisation decisions (Tabelle 4/5; :mod:`kam_xl.organisation`)."""

from __future__ import annotations

from typing import Annotated, Any

import xlwings as xw

from kam_xl.company_settings import CompanySettings
from kam_xl.coordination import ITEM_NUMBERS, bu_result, scale_mean, territory_result
from kam_xl.organisation import TABLE_4, TABLE_5, score
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
    range_arg,
    text,
)

Ratings = Annotated[Any, range_arg("the six items' ratings in a row or column, 1 (schwach) to 7 (stark); empty = "
                                   "not rated")]
Scale = Annotated[Any, cell_arg("bu (Abb. 7, cross-BU; the default) or territory / Gebiet (Abb. 8, cross-territory)")]
Thresholds = Annotated[Any, range_arg(
    "bu: the mean from which the need is high (default 4); territory: the means from which it is regional and "
    "global (default 3 and 5)")]
Lang = Annotated[Any, cell_arg("language of the result word: de (default) or en")]
Weights = Annotated[Any, range_arg("column of the criteria's weights, each 0 to 100 (0: does not count)")]
Signs = Annotated[Any, range_arg(
    "block of the criteria's + or - per alternative (one column each), or 4 or 5 for the seed's Tabelle 4 or 5")]

_SCALES = {"bu": "bu", "BU-übergreifend": "bu", "territory": "territory", "Gebiet": "territory",
           "gebietsübergreifend": "territory"}
_SIGNS = {"+": 1, "-": -1, "1": 1, "-1": -1}


def _thresholds(value: Any, scale: str) -> CompanySettings:
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
    settings = _thresholds(thresholds, which)
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
def kam_org_decision(weights: Weights, signs: Signs) -> Grid:
    """Score of each alternative of an organisation decision (Homburg/Jensen, Tabelle 4 or 5), -100 to +100:
    100 x sum(weight x sign) / sum(weight), as a row. Empty when the weights sum to 0."""
    w = [0.0 if v is None else v for v in numbers(weights, "weights")]
    table = _signs(signs)
    if len(table) != len(w):
        raise CellError(f"{len(w)} weights for {len(table)} rows of signs — allowed: one weight per criterion")
    columns = list(zip(*table, strict=True))
    return [[score(w, list(col)) for col in columns]]
