"""The KAM-Excellence questionnaire (Fitness-Check, seed 000): one workbook per respondent.

Sheets (German by default, English with ``lang="en"``), the questions first:

* ``Fragebogen`` / ``Questionnaire`` — the criteria of all four dimensions
  (:func:`kam_xl.workbook.excellence_sheet.excellence_sheet`);
* ``Profil`` / ``Profile`` — respondent and role (inputs ``exc_respondent``, ``exc_role``), the four dimension
  scores with rated/criteria counts, coverage and thin flags, overall score and coverage, the count of 75/100
  ratings without evidence, the excellence profile (radar of the four dimension scores, 0–100), the action
  priorities (the five weakest sections with their titles, by formula: ``exc_priorities``) and the table of
  all section scores with their rank (``exc_section_scores``, ``exc_section_ranks``). The catalogue and its
  version are in ``_meta`` (the reader checks them), not on the printed page.

Every figure is a native formula whose cached value comes from :func:`kam_xl.excellence.score_response`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from kam_xl.errors import ReportProblem
from kam_xl.excellence import Catalogue, ExcellenceResult, Response, score_response, summarise_dimensions
from kam_xl.vocabulary import YES_NO, Lang, sheet_title
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.excellence_sheet import (
    SCORE_SCALE,
    THIN_FORMAT,
    excellence_sheet,
    parse_excellence,
)
from kam_xl.workbook.layout import Book, Chart, Conditional, Input, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.names import NamedValues

TEMPLATE_ID = "kam_xl.questionnaire"
TEMPLATE_VERSION = "1.0"
PRIORITIES = 5


def _sections_and_priorities(s: Sheet, p: int, catalogue: Catalogue, result: ExcellenceResult, lang: Lang) -> None:
    """The action priorities (the weakest sections) from row ``p`` and below them all sections with score and
    rank (weakest first, ties in catalogue order)."""
    sections = catalogue.sections()
    top = p + PRIORITIES + 3
    s.put(top - 2, 0, _t(lang, "Alle Abschnitte", "All sections"), style="subtitle")
    for col, head in enumerate((_t(lang, "Abschnitt", "Section"), _t(lang, "Wert", "Score"), "ID",
                                _t(lang, "Rang", "Rank"))):
        s.put(top - 1, col, head, style="header")
    bottom = top + len(sections) - 1
    scores = s.ref(top, 1, bottom, 1)
    rank_of = {sid: i + 1 for i, sid in enumerate(result.weakest_sections)}
    for i, (sid, sec) in enumerate(sections):
        row = top + i
        dim, number = sid.split("-")
        s.put(row, 0, sec.title.get(lang), style="text")
        score = s.put(row, 1, formula=f"=exc_{dim}_{number}_score", cached=result.sections[sid].score,
                      style="score")
        s.put(row, 2, sid, style="text")
        x = score.address
        s.put(row, 3, formula=(f'=IF(ISNUMBER({x}),SUMPRODUCT(ISNUMBER({scores})*({scores}<{x}))'
                               f'+COUNTIF({s.ref(top, 1, row, 1)},{x}),"")'),
              cached=rank_of.get(sid), style="integer")
    s.name_range("exc_section_scores", top, 1, bottom, 1)
    ranks = s.name_range("exc_section_ranks", top, 3, bottom, 3)
    titles, ids = s.ref(top, 0, bottom, 0), s.ref(top, 2, bottom, 2)
    s.conditionals.append(Conditional(top, 1, bottom, 1, SCORE_SCALE))

    s.put(p - 1, 0, _t(lang, "Handlungsprioritäten: die schwächsten Abschnitte", "Action priorities: the weakest "
                                                                                  "sections"), style="subtitle")
    for col, head in enumerate((_t(lang, "Abschnitt", "Section"), _t(lang, "Wert", "Score"), "ID")):
        s.put(p, col, head, style="header")
    for k in range(1, PRIORITIES + 1):
        row = p + k
        sid = result.weakest_sections[k - 1] if k <= len(result.weakest_sections) else None
        title = dict(sections)[sid].title.get(lang) if sid else None
        s.put(row, 0, formula=f'=IFERROR(INDEX({titles},MATCH({k},{ranks},0)),"")', cached=title, style="text")
        s.put(row, 1, formula=f'=IFERROR(SMALL({scores},{k}),"")',
              cached=result.sections[sid].score if sid else None, style="score")
        s.put(row, 2, formula=f'=IFERROR(INDEX({ids},MATCH({k},{ranks},0)),"")', cached=sid, style="text")
    s.name_range("exc_priorities", p + 1, 0, p + PRIORITIES, 2)
    s.conditionals.append(Conditional(p + 1, 1, p + PRIORITIES, 1, SCORE_SCALE))


def _profile_sheet(catalogue: Catalogue, response: Response | None, respondent: str, role: str,
                   lang: Lang, year: int | None = None) -> Sheet:
    resp = response or Response(respondent=respondent or "-", answers=[])
    order = {sid: i for i, (sid, _) in enumerate(catalogue.sections())}
    result = score_response(catalogue, resp, top_sections=len(order))
    yes, no = YES_NO[lang]
    s = Sheet(_t(lang, "Profil", "Profile"), widths={0: 58, 1: 12, 2: 10, 3: 10, 4: 12, 5: 14})
    s.put(0, 0, sheet_title(lang, _t(lang, "KAM-Excellence-Profil", "KAM excellence profile"), year, "score"),
          style="title")
    s.put(1, 0, _t(lang, "Gelbe Zellen sind Eingaben; die Werte rechnet das Blatt „Fragebogen“ "
                         "(Mittel der bewerteten Kriterien, 0–100).",
                   "Yellow cells are inputs; the scores come from the sheet “Questionnaire” "
                   "(mean of the rated criteria, 0–100)."), style="note")
    s.put(3, 0, _t(lang, "Befragte Person", "Respondent"), style="label")
    s.put(3, 1, respondent or None, style="text", name="exc_respondent",
          input=Input(kind="text", title=_t(lang, "Befragte Person", "Respondent"),
                      message=_t(lang, "Name der befragten Person", "Name of the respondent")))
    s.put(4, 0, _t(lang, "Rolle / Funktion", "Role / function"), style="label")
    s.put(4, 1, role or None, style="text", name="exc_role",
          input=Input(kind="text", title=_t(lang, "Rolle / Funktion", "Role / function"),
                      message=_t(lang, "z. B. KAM, Vertriebsleitung, BU-Leitung", "e.g. KAM, sales lead, BU head")))

    heads = (_t(lang, "Dimension", "Dimension"), _t(lang, "Wert", "Score"), _t(lang, "bewertet", "rated"),
             _t(lang, "Kriterien", "criteria"), _t(lang, "Abdeckung", "Coverage"), _t(lang, "dünn bewertet", "thin"))
    for col, head in enumerate(heads):
        s.put(7, col, head, style="header")
    first = 8
    for i, d in enumerate(catalogue.dimensions):
        r, a, n = first + i, result.dimensions[d.id], f"exc_{d.id}_"
        s.put(r, 0, d.name.get(lang), style="label")
        s.put(r, 1, formula=f"={n}score", cached=a.score, style="score")
        s.put(r, 2, formula=f"={n}rated", cached=a.rated, style="integer")
        s.put(r, 3, formula=f"={n}criteria", cached=a.criteria, style="integer")
        s.put(r, 4, formula=f"={n}coverage", cached=a.coverage, style="percent")
        s.put(r, 5, formula=f"={n}thin", cached=yes if a.thin else no, style="text")
    last = first + len(catalogue.dimensions) - 1
    r = last + 1
    s.put(r, 0, _t(lang, "Gesamt (Mittel der Dimensionswerte)", "Overall (mean of the dimension scores)"),
          style="level_label")
    s.put(r, 1, formula="=exc_overall", cached=result.overall, style="score")
    summary = summarise_dimensions(result)
    s.put(r, 2, formula="=exc_rated", cached=summary.rated, style="integer")
    s.put(r, 3, formula="=exc_criteria", cached=summary.criteria, style="integer")
    s.put(r, 4, formula="=exc_coverage", cached=summary.coverage, style="percent")
    s.put(r + 1, 0, _t(lang, "Bewertungen 75/100 ohne Beleg", "Ratings 75/100 without evidence"), style="label")
    s.put(r + 1, 1, formula="=exc_unsupported", cached=summary.unsupported, style="integer")
    s.conditionals.append(Conditional(first, 1, r, 1, SCORE_SCALE))
    s.conditionals.append(Conditional(first, 5, last, 5, {"type": "cell", "criteria": "==", "value": f'"{yes}"',
                                                          "format": THIN_FORMAT}))
    s.charts.append(Chart(
        kind="radar", subtype="marker", title=_t(lang, "Excellence-Profil (0–100)", "Excellence profile (0–100)"),
        anchor=(2, 7), size=(520, 360),
        series=({"name": _t(lang, "Wert", "Score"), "categories": "=" + s.ref(first, 0, last, 0),
                 "values": "=" + s.ref(first, 1, last, 1), "marker": {"type": "circle"}},),
        options={"y_axis": {"min": 0, "max": 100, "major_unit": 25}, "legend": {"none": True}}))

    _sections_and_priorities(s, r + 4, catalogue, result, lang)
    return s


@dataclass(frozen=True)
class QuestionnaireContext:
    """What a questionnaire sheet kind builds from: the catalogue, the respondent's answers (``None``: empty),
    respondent and role as typed into the profile, the language."""

    catalogue: Catalogue
    response: Response | None
    respondent: str
    role: str
    lang: Lang
    year: int | None = None  # the year the questionnaire is answered in (its generation year), for the titles


class QuestionnaireSheet(ABC):
    """One sheet kind of the questionnaire workbook: its :attr:`key` and the one hook :meth:`build`."""

    key: ClassVar[str]

    @abstractmethod
    def build(self, ctx: QuestionnaireContext) -> Sheet:
        """Its sheet in ``ctx.lang``."""


class ProfileSheet(QuestionnaireSheet):
    """``Profil`` / ``Profile``: respondent, role, dimension scores, radar, action priorities, all sections."""

    key = "profile"

    def build(self, ctx: QuestionnaireContext) -> Sheet:
        return _profile_sheet(ctx.catalogue, ctx.response, ctx.respondent, ctx.role, ctx.lang, ctx.year)


class CriteriaSheet(QuestionnaireSheet):
    """``Fragebogen`` / ``Questionnaire``: the criteria of all the catalogue's dimensions, the rating inputs."""

    key = "criteria"

    def build(self, ctx: QuestionnaireContext) -> Sheet:
        return excellence_sheet(ctx.catalogue, [d.id for d in ctx.catalogue.dimensions], ctx.response,
                                lang=ctx.lang, sheet_name=_t(ctx.lang, "Fragebogen", "Questionnaire"), year=ctx.year)


#: The questionnaire's sheet kinds in workbook order — the questions first: the workbook opens and prints with
#: them, the results follow; a new questionnaire sheet is one class plus one line here.
QUESTIONNAIRE_SHEETS: list[QuestionnaireSheet] = [CriteriaSheet(), ProfileSheet()]


def questionnaire(catalogue: Catalogue, response: Response | None, respondent: str, role: str,
                  lang: Lang = "de", generated_at: datetime | None = None) -> Book:
    """The questionnaire workbook of one respondent, filled with ``response`` (``None``: empty): the sheets of
    :data:`QUESTIONNAIRE_SHEETS`."""
    moment = generated_at or datetime.now(UTC)
    # the year it is answered in; an empty template (no response) is for any year
    ctx = QuestionnaireContext(catalogue, response, respondent, role, lang, moment.year if response else None)
    when = moment.isoformat(timespec="seconds")
    return Book(template_id=TEMPLATE_ID, template_version=TEMPLATE_VERSION,
                sheets=[kind.build(ctx) for kind in QUESTIONNAIRE_SHEETS], lang=lang,
                active=_t(lang, "Fragebogen", "Questionnaire"),  # a respondent starts on the questions
                meta={"respondent": respondent, "role": role, "catalogue_id": catalogue.id,
                      "catalogue_version": catalogue.version, "generated_at": when,
                      "title": _t(lang, "KAM-Excellence-Fragebogen", "KAM excellence questionnaire")
                      + (f" {respondent}" if respondent else "")})


def questionnaire_meta_problem(meta: dict[str, str], catalogue: Catalogue) -> str | None:
    """Why a workbook (its ``_meta`` entries) is not a questionnaire this kam_xl can read against ``catalogue``:
    another template, another template version, another catalogue or catalogue version; ``None`` if it is."""
    template, version = meta.get("template_id"), meta.get("template_version")
    if template != TEMPLATE_ID:
        return f"not a kam_xl questionnaire (template {template!r})"
    if version != TEMPLATE_VERSION:
        return (f"questionnaire of template version {version}, this kam_xl reads {TEMPLATE_VERSION} — "
                "regenerate it first")
    cat_id, cat_version = meta.get("catalogue_id"), meta.get("catalogue_version")
    if (cat_id, cat_version) != (catalogue.id, catalogue.version):
        return (f"questionnaire of catalogue {cat_id} {cat_version}, expected {catalogue.id} {catalogue.version} "
                "— regenerate it with this catalogue")
    return None


def parse_questionnaire(nv: NamedValues, catalogue: Catalogue, problem: ReportProblem) -> Response:
    """A filled questionnaire read back (by defined name) as the respondent's :class:`Response`: respondent and
    role from ``exc_respondent`` / ``exc_role`` (a blank respondent goes to ``problem`` and is kept as ``"-"``),
    the answers of all the catalogue's dimensions (:func:`parse_excellence`). Check the workbook first with
    :func:`questionnaire_meta_problem`."""
    texts = []
    for name, what in (("exc_respondent", "the respondent's name"), ("exc_role", "the role, or empty")):
        raw = nv.values.get(name)
        try:
            texts.append(coerce.text(raw) or "")
        except Refusal as e:
            problem(name, None, None, shown(raw), e.allowed(what))
            texts.append("")
    respondent, role = texts
    if not respondent and coerce.is_blank(nv.values.get("exc_respondent")):
        problem("exc_respondent", None, None, None, "the respondent's name")
    return parse_excellence(nv.values, catalogue, [d.id for d in catalogue.dimensions], respondent, role, problem)
