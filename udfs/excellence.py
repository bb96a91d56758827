"""Excel functions of the KAM-Excellence questionnaire (Fitness-Check, seed 000; :mod:`kam_xl.excellence`).

A respondent's answers in a sheet are a column of criterion ids (``SW-1.1`` …, as in the catalogue) and a
column of ratings beside it. A rating is a number of the scale (0, 25, 50, 75, 100), ``n.r.`` (nicht relevant)
or the scale's words in German or English ("trifft teilweise zu", "largely applies", "nicht relevant" …); an
empty rating is unanswered. Rows without id and rating are skipped. Scores are 0–100 and use the shipped
catalogue.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import xlwings as xw

from kam_xl.errors import KamInputError
from kam_xl.excellence import (
    RATING_ALLOWED,
    Answer,
    ExcellenceResult,
    Rating,
    Response,
    load_catalogue,
    parse_rating,
    score_response,
    summarise_dimensions,
)
from udfs._cells import (
    CellError,
    Grid,
    build,
    cell_arg,
    cells,
    choice,
    excel_errors,
    is_empty,
    is_error_text,
    range_arg,
    same_length,
    text,
)

LANGS = {"de": "de", "en": "en"}
OVERALL = {"de": "Gesamt", "en": "Overall"}


CriterionIds = Annotated[Any, range_arg("column of criterion ids of the catalogue, e.g. SW-1.1")]
Ratings = Annotated[Any, range_arg(
    "column of ratings beside the ids: 0, 25, 50, 75, 100, n.r. or the scale's words; empty = unanswered")]
LabelLanguage = Annotated[Any, cell_arg("language of the names: de (default) or en")]


def _rating(value: Any, index: int) -> Rating | None:
    where = f"ratings: cell {index + 1}"
    if is_error_text(value):
        raise CellError(f"{where}: holds {value.strip()} — allowed: {RATING_ALLOWED}")
    if isinstance(value, dt.date | dt.datetime):
        raise CellError(f"{where}: holds the date {value:%d.%m.%Y} — allowed: {RATING_ALLOWED}")
    try:
        return parse_rating(value)
    except KamInputError as exc:
        raise CellError(f"{where}: {exc}") from None


def _result(criterion_ids: Any, ratings: Any) -> ExcellenceResult:
    ids = cells(criterion_ids, "criterion_ids")
    values = cells(ratings, "ratings")
    same_length({"criterion_ids": len(ids), "ratings": len(values)})
    catalogue = load_catalogue()
    answers = []
    for i, (cid, value) in enumerate(zip(ids, values, strict=True)):
        if is_empty(cid) and is_empty(value):
            continue
        criterion_id = text(cid, "criterion_ids", i)
        try:
            catalogue.criterion(criterion_id)
        except KamInputError as exc:
            raise CellError(f"criterion_ids: cell {i + 1}: {exc}") from None
        answers.append(Answer(criterion_id=criterion_id, rating=_rating(value, i)))
    # the respondent's name starts the message of an id answered twice
    return score_response(catalogue, build(Response, "", None, respondent="criterion_ids", answers=answers))


@xw.func(category="KAM")
@excel_errors
def kam_excellence_scores(criterion_ids: CriterionIds, ratings: Ratings, lang: LabelLanguage = None) -> Grid:
    """Excellence scores: per dimension and its sections, then overall, a row of id, name, score 0–100, coverage
    (rated ÷ relevant), rated, criteria and thin (rated on fewer than half). n.r. and unanswered are left out."""
    language = choice(lang, "lang", LANGS, "de")
    result = _result(criterion_ids, ratings)
    catalogue = load_catalogue()
    rows: Grid = []
    for dim in catalogue.dimensions:
        d = result.dimensions[dim.id]
        rows.append([d.id, dim.name.get(language), d.score, d.coverage, float(d.rated), float(d.criteria), d.thin])
        for section in dim.sections:
            s = result.sections[f"{dim.id}-{section.number}"]
            rows.append([s.id, section.title.get(language), s.score, s.coverage, float(s.rated), float(s.criteria),
                         s.thin])
    total = summarise_dimensions(result)
    rows.append(["overall", OVERALL[language], result.overall, result.coverage, float(total.rated),
                 float(total.criteria), None])
    return rows


@xw.func(category="KAM")
@excel_errors
def kam_excellence_profile(criterion_ids: CriterionIds, ratings: Ratings, lang: LabelLanguage = None) -> Grid:
    """The excellence profile for a radar chart: the four dimensions in catalogue order, a row of name and score
    0–100 each (empty where a dimension has no rated criterion)."""
    language = choice(lang, "lang", LANGS, "de")
    result = _result(criterion_ids, ratings)
    return [[dim.name.get(language), result.dimensions[dim.id].score] for dim in load_catalogue().dimensions]
