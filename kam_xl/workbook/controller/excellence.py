"""The controller's Excellence sheet: dimension scores per respondent, criterion statistics."""

from __future__ import annotations

from typing import Any

from kam_xl.excellence import DISAGREEMENT_SPREAD as DEFAULT_SPREAD
from kam_xl.excellence import (
    NOT_RELEVANT,
    Catalogue,
    CriterionConsensus,
    CriterionRef,
    Response,
    consolidate,
    load_catalogue,
    score_response,
)
from kam_xl.vocabulary import (
    YES_NO,
    Lang,
    sheet_title,
)
from kam_xl.workbook.controller.common import (
    LIGHT_FORMATS,
    _headers,
    _missing_note,
)
from kam_xl.workbook.controller.kind import BuildContext, ControllerSheet
from kam_xl.workbook.layout import Conditional, Input, Sheet
from kam_xl.workbook.layout import pick as _t

# ------------------------------------------------------------------------------------------ excellence


def _criterion_row(s: Sheet, r: int, ref: CriterionRef, ratings: list[Any], cc: CriterionConsensus, c_resp: int,
                   spread_in: str, lang: Lang) -> None:
    """One criterion's row: the respondents' ratings (values) from column ``c_resp``, then mean, min, max,
    spread and disagreement (formulas; disagreement from the spread in the cell ``spread_in``)."""
    yes, no = YES_NO[lang]
    c_stat = c_resp + len(ratings)
    s.put(r, 0, ref.criterion.id)
    s.put(r, 1, ref.dimension)
    s.put(r, 2, ref.criterion.text.get(lang), style="text")
    for j, v in enumerate(ratings):
        s.put(r, c_resp + j, None if v is None or v == NOT_RELEVANT else float(v), style="integer")
    row = s.ref(r, c_resp, r, c_stat - 1)
    cnt = f"COUNT({row})=0"
    s.put(r, c_stat, formula=f'=IF({cnt},"",AVERAGE({row}))', cached=cc.mean, style="score")
    s.put(r, c_stat + 1, formula=f'=IF({cnt},"",MIN({row}))', cached=cc.min, style="score")
    s.put(r, c_stat + 2, formula=f'=IF({cnt},"",MAX({row}))', cached=cc.max, style="score")
    spread = s.ref(r, c_stat + 3)
    s.put(r, c_stat + 3, formula=f'=IF({cnt},"",{s.ref(r, c_stat + 2)}-{s.ref(r, c_stat + 1)})', cached=cc.spread,
          style="score")
    s.put(r, c_stat + 4, formula=f'=IF({spread}="","{no}",IF({spread}>={spread_in},"{yes}","{no}"))',
          cached=yes if cc.disagreement else no)


def _excellence_sheet(responses: list[Response], catalogue: Catalogue | None, lang: Lang,
                      spread: float = DEFAULT_SPREAD, year: int | None = None) -> Sheet:
    # criterion texts wrap in 44 characters: three respondents and the statistics print one page wide
    s = Sheet("Excellence", widths={0: 10, 1: 8, 2: 44}, freeze=(0, 3))
    s.put(0, 0, sheet_title(lang, _t(lang, "KAM-Excellence – Bewertungen aller Befragten",
                                     "KAM excellence – ratings of all respondents"), year, "rating"), style="title")
    if not responses:
        _missing_note(s, 1, lang, "excellence")
        return s
    catalogue = catalogue or load_catalogue()
    yes = YES_NO[lang][0]
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
        row_ratings = [ratings[resp.respondent].get(ref.criterion.id) for resp in responses]
        _criterion_row(s, c_first + i, ref, row_ratings, consensus[ref.criterion.id], c_resp, spread_in.absolute,
                       lang)
    s.name_range("ctl_exc_criteria", c_first, 0, c_last, 0)
    s.name_range("ctl_exc_ratings", c_first, c_resp, c_last, c_stat - 1)
    s.name_range("ctl_exc_consensus", c_first, c_stat, c_last, c_stat + 4)
    s.conditionals.append(Conditional(c_first, c_stat + 4, c_last, c_stat + 4, {
        "type": "cell", "criteria": "==", "value": f'"{yes}"', "format": LIGHT_FORMATS["loss"]}))
    return s


SCORE_SCALE = {"type": "3_color_scale", "min_type": "num", "min_value": 0, "min_color": "#F8696B",
               "mid_type": "num", "mid_value": 50, "mid_color": "#FFEB84",
               "max_type": "num", "max_value": 100, "max_color": "#63BE7B"}


class ExcellenceSheet(ControllerSheet):
    """``Excellence``: dimension scores per respondent, criterion statistics with the settings' spread."""

    key = "excellence"

    def build(self, ctx: BuildContext) -> Sheet:
        return _excellence_sheet(ctx.db.responses(), ctx.catalogue, ctx.lang, ctx.settings.exc_spread,
                                 year=int(ctx.when[:4]))  # the ratings as of the generation
