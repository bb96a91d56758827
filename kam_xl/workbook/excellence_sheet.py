"""The KAM-Excellence criteria sheet (Fitness-Check, seed 000): one row per criterion, grouped by dimension and
section, with the rating as a drop-down of the scale's words and native formulas for every score.

Layout (columns; German labels by default, English with ``lang="en"``):

====  =================================  ==============================================================
A     Nr.                                dimension id, section id (``SW-1``) or criterion id (``SW-1.1``)
B     Das Unternehmen …                  dimension name, section title, "Leitfrage n: …", criterion text
C     Bewertung                          input: drop-down of the six answers in words (:func:`rating_words`)
D     Belege für die Bewertung           input: evidence text
E     Wert                               formula: 100/75/50/25/0 from the words, empty for n.r./unanswered;
                                         on a section's title row the section score
F     75/100 ohne Beleg                  formula: flag when rated 75 or 100 without evidence
====  =================================  ==============================================================

Each dimension block is: its title row; per section a title row (section score in E), the guiding questions
(Leitfragen, numbered) as prompts and the criteria rows; then the dimension's result rows (score, criteria,
rated, nicht relevant, unanswered, coverage, thin). After the last dimension: the totals of the selected
dimensions (overall score, counts, coverage, count of 75/100 without evidence) and the rating scale, whose
words and values are the lookup the E column uses (names ``exc_scale_words``, ``exc_scale_values``).

Defined names (``<DIM>`` a dimension id, ``<n>`` a section number):

* inputs: ``exc_<DIM>_ratings`` and ``exc_<DIM>_evidence`` — the C resp. D column from the dimension's first to
  its last criterion row; ``exc_<DIM>_ids`` is the A column of the same rows. Section title and guiding
  question rows inside the block are blank (and locked) in C and D: pair the rows with ``exc_<DIM>_ids`` and
  keep those whose id is a criterion id;
* results: ``exc_<DIM>_<n>_score``, ``exc_<DIM>_score``, ``exc_<DIM>_criteria``, ``exc_<DIM>_rated``,
  ``exc_<DIM>_not_relevant``, ``exc_<DIM>_unanswered``, ``exc_<DIM>_coverage``, ``exc_<DIM>_thin``
  (words ja/nein), ``exc_overall``, ``exc_criteria``, ``exc_rated``, ``exc_not_relevant``,
  ``exc_unanswered``, ``exc_coverage``, ``exc_unsupported``.

The names are workbook-wide, so a workbook holds one such sheet (with all the dimensions it needs). Cached
values come from :func:`kam_xl.excellence.score_response` and :func:`kam_xl.excellence.summarise_dimensions`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from kam_xl.cells import PercentNumber
from kam_xl.errors import KamInputError, ReportProblem
from kam_xl.excellence import (
    NOT_RELEVANT,
    RATING_ALLOWED,
    RATING_SCALE,
    Answer,
    AreaScore,
    Catalogue,
    Criterion,
    Dimension,
    DimensionsSummary,
    Rating,
    Response,
    load_catalogue,
    parse_rating,
    score_response,
    summarise_dimensions,
)
from kam_xl.text import clean_text
from kam_xl.vocabulary import YES_NO, Lang, sheet_title
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, percent_as_points, shown
from kam_xl.workbook.layout import TEXT_MAX_CHARS, Conditional, Input, RowKey, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.sheet_kind import OnProblem, PlanSheet, Rows

if TYPE_CHECKING:
    from kam_xl.databook import DataBook
    from kam_xl.workbook.account_plan import AccountPlanData

FLAG_WORD = {"de": "ohne Beleg", "en": "no evidence"}
THIN_FORMAT = {"bg_color": "#FCE4D6", "font_color": "#833C0B"}
FLAG_FORMAT = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
SCORE_SCALE = {"type": "3_color_scale", "min_type": "num", "min_value": 0, "min_color": "#F8696B",
               "mid_type": "num", "mid_value": 50, "mid_color": "#FFEB84",
               "max_type": "num", "max_value": 100, "max_color": "#63BE7B"}
SCALE_WORDS_NAME = "exc_scale_words"
SCALE_VALUES_NAME = "exc_scale_values"



def rating_word(rating: Rating, lang: Lang = "de") -> str:
    """The drop-down word of a rating: ``"75 – trifft im Wesentlichen zu"``, ``"nicht relevant"``.

    >>> rating_word(75), rating_word("n.r.", "en")
    ('75 – trifft im Wesentlichen zu', 'not relevant')
    """
    for value, de, en in RATING_SCALE:
        if value == rating:
            text = de if lang == "de" else en
            return text if value == NOT_RELEVANT else f"{value} – {text}"
    raise KamInputError(f"rating {rating!r} — allowed: 0, 25, 50, 75, 100 or n.r.")


def rating_words(lang: Lang = "de") -> tuple[str, ...]:
    """The six answers of the drop-down in scale order (100 … 0, nicht relevant)."""
    return tuple(rating_word(value, lang) for value, _, _ in RATING_SCALE)


def _dimensions(catalogue: Catalogue, dimensions: list[str]) -> list[Dimension]:
    by_id = {d.id: d for d in catalogue.dimensions}
    unknown = [d for d in dimensions if d not in by_id]
    if unknown or not dimensions:
        raise KamInputError(f"dimensions {', '.join(unknown) or '(none)'} — allowed: one or more of "
                            f"{', '.join(by_id)}")
    return [by_id[d] for d in dimensions]


def _areas(s: Sheet, spans: list[tuple[int, int]], col: int) -> str:
    return ",".join(s.ref(r0, col, r1, col) for r0, r1 in spans)


def _criterion_row(s: Sheet, r: int, c: Criterion, a: Answer | None, flagged: bool, inputs: tuple[Input, Input],
                   lang: Lang) -> None:
    """One criterion's row: id, text, rating and evidence (inputs), its value and the 75/100-without-evidence flag."""
    rating_input, evidence_input = inputs
    flag = FLAG_WORD[lang]
    rating = a.rating if a else None
    s.put(r, 0, c.id, style="text")
    s.put(r, 1, c.text.get(lang), style="wrap")
    rating_cell = s.put(r, 2, rating_word(rating, lang) if rating is not None else None, style="text",
                        input=rating_input)
    evidence_cell = s.put(r, 3, (a.evidence if a and a.evidence else None), style="wrap",
                          input=evidence_input)
    value_cell = s.put(
        r, 4, formula=f'=IFERROR(INDEX({SCALE_VALUES_NAME},MATCH({rating_cell.address},'
                      f'{SCALE_WORDS_NAME},0)),"")',
        cached=rating if isinstance(rating, int) else None, style="integer")
    v, e = value_cell.address, evidence_cell.address
    s.put(r, 5, formula=f'=IF(AND(OR({v}=75,{v}=100),LEN(TRIM(CLEAN({e})))=0),"{flag}","")',
          cached=flag if flagged else None, style="text")


def _dimension_summary(s: Sheet, r: int, d: Dimension, area: AreaScore, spans: list[tuple[int, int]],
                       lang: Lang) -> int:
    """A dimension's names over its criterion rows ``spans`` and its summary rows from ``r`` (score, counts,
    coverage, thin); returns the row after them."""
    D = d.id
    yes, no = YES_NO[lang]
    nr_word = rating_words(lang)[-1]
    if spans:
        lo, hi = spans[0][0], spans[-1][1]
        s.name_range(f"exc_{D}_ids", lo, 0, hi, 0)
        ratings = s.name_range(f"exc_{D}_ratings", lo, 2, hi, 2)
        s.name_range(f"exc_{D}_evidence", lo, 3, hi, 3)
        s.keys.append(RowKey(f"exc_{D}_ids", (f"exc_{D}_ratings", f"exc_{D}_evidence")))  # by criterion id
        s.conditionals.append(Conditional(lo, 4, hi, 4, SCORE_SCALE))
        score_f = f'=IFERROR(AVERAGE({_areas(s, spans, 4)}),"")'
        criteria_f, rated_f = f"=COUNTA({_areas(s, spans, 0)})", f"=COUNT({_areas(s, spans, 4)})"
        nr_f = f'=COUNTIF({ratings},"{nr_word}")'
    else:
        score_f, criteria_f, rated_f, nr_f = '=""', "=0", "=0", "=0"
    n = f"exc_{D}_"
    rows = (
        ("score", _t(lang, f"Wert {D} – {d.name.de} (Mittel der bewerteten Kriterien)",
                     f"Score {D} – {d.name.en} (mean of the rated criteria)"), score_f, area.score, "score"),
        ("criteria", _t(lang, "Kriterien", "Criteria"), criteria_f, area.criteria, "integer"),
        ("rated", _t(lang, "bewertet", "rated"), rated_f, area.rated, "integer"),
        ("not_relevant", _t(lang, "nicht relevant", "not relevant"), nr_f, area.not_relevant, "integer"),
        ("unanswered", _t(lang, "offen (nicht beantwortet)", "unanswered"),
         f"={n}criteria-{n}rated-{n}not_relevant", area.unanswered, "integer"),
        ("coverage", _t(lang, "Abdeckung (bewertet ÷ relevante Kriterien)",
                        "Coverage (rated ÷ relevant criteria)"),
         f'=IF({n}criteria-{n}not_relevant=0,"",{n}rated/({n}criteria-{n}not_relevant))', area.coverage,
         "percent"),
        ("thin", _t(lang, "dünn bewertet (weniger als die Hälfte der Kriterien bewertet)",
                    "thin (fewer than half of the criteria rated)"),
         f'=IF({n}rated*2<{n}criteria,"{yes}","{no}")', yes if area.thin else no, "text"),
    )
    for i, (key, label, formula, cached, style) in enumerate(rows):
        s.put(r, 1, label, style="level_label" if i == 0 else "label")
        cell = s.put(r, 4, formula=formula, cached=cached, style=style, name=f"{n}{key}")
        if key == "thin":
            s.conditionals.append(Conditional(r, 4, r, 4, {"type": "cell", "criteria": "==",
                                                           "value": f'"{yes}"', "format": THIN_FORMAT}))
        elif key == "score":
            s.conditionals.append(Conditional(cell.row, 4, cell.row, 4, SCORE_SCALE))
        r += 1
    return r


def _scale_legend(s: Sheet, r: int, lang: Lang) -> None:
    """The rating scale from row ``r``: legend for the reader, lookup for column E (n.r. is outside the lookup →
    empty)."""
    words = rating_words(lang)
    s.put(r, 0, _t(lang, "Bewertungsskala", "Rating scale"), style="subtitle")
    r += 1
    for i, (value, _, _) in enumerate(RATING_SCALE):
        s.put(r + i, 1, words[i], style="label")
        if value == NOT_RELEVANT:
            s.put(r + i, 3, _t(lang, "zählt nicht zum Mittelwert", "left out of the means"), style="note")
        else:
            s.put(r + i, 4, value, style="integer")
    numeric = sum(1 for value, _, _ in RATING_SCALE if value != NOT_RELEVANT)
    s.name_range(SCALE_WORDS_NAME, r, 1, r + numeric - 1, 1)
    s.name_range(SCALE_VALUES_NAME, r, 4, r + numeric - 1, 4)


def _overall(s: Sheet, r: int, ids: list[str], summary: DimensionsSummary, criteria: tuple[int | None, int],
             lang: Lang) -> int:
    """The totals of the selected dimensions ``ids`` from row ``r`` (overall score, counts, coverage, ratings
    without evidence over the criterion rows ``criteria`` = (first or ``None``, last)); returns the row after."""
    first_criterion, last_criterion = criteria
    flag = FLAG_WORD[lang]
    s.put(r, 0, _t(lang, "Gesamt", "Overall"), style="subtitle")
    r += 1

    def plus(key: str) -> str:
        return "=" + "+".join(f"exc_{D}_{key}" for D in ids)

    f_first = first_criterion if first_criterion is not None else r
    totals = (
        ("exc_overall", _t(lang, "Gesamtwert (Mittel der Dimensionswerte)", "Overall score (mean of the dimension "
                                                                             "scores)"),
         "=IFERROR(AVERAGE(" + ",".join(f"exc_{D}_score" for D in ids) + '),"")', summary.overall, "score"),
        ("exc_criteria", _t(lang, "Kriterien", "Criteria"), plus("criteria"), summary.criteria, "integer"),
        ("exc_rated", _t(lang, "bewertet", "rated"), plus("rated"), summary.rated, "integer"),
        ("exc_not_relevant", _t(lang, "nicht relevant", "not relevant"), plus("not_relevant"),
         summary.not_relevant, "integer"),
        ("exc_unanswered", _t(lang, "offen (nicht beantwortet)", "unanswered"), plus("unanswered"),
         summary.unanswered, "integer"),
        ("exc_coverage", _t(lang, "Abdeckung (bewertet ÷ relevante Kriterien)", "Coverage (rated ÷ relevant "
                                                                                 "criteria)"),
         '=IF(exc_criteria-exc_not_relevant=0,"",exc_rated/(exc_criteria-exc_not_relevant))', summary.coverage,
         "percent"),
        ("exc_unsupported", _t(lang, "Bewertungen 75/100 ohne Beleg", "Ratings 75/100 without evidence"),
         f'=COUNTIF({s.ref(f_first, 5, max(last_criterion, f_first), 5)},"{flag}")', summary.unsupported,
         "integer"),
    )
    for i, (name, label, formula, cached, style) in enumerate(totals):
        s.put(r, 1, label, style="level_label" if i == 0 else "label")
        s.put(r, 4, formula=formula, cached=cached, style=style, name=name)
        r += 1
    if first_criterion is not None:
        s.conditionals.append(Conditional(first_criterion, 5, last_criterion, 5,
                                          {"type": "cell", "criteria": "==", "value": f'"{flag}"',
                                           "format": FLAG_FORMAT}))
    return r


def excellence_sheet(catalogue: Catalogue, dimensions: list[str], response: Response | None,
                     lang: Lang = "de", sheet_name: str = "Excellence", year: int | None = None) -> Sheet:
    """The criteria sheet of ``dimensions`` (ids, in the order given), filled with ``response``'s answers
    (``None``: an empty questionnaire); ``year`` goes into its title. See the module docstring for layout and
    defined names."""
    dims = _dimensions(catalogue, dimensions)
    resp = response or Response(respondent="-", answers=[])
    result = score_response(catalogue, resp)
    summary = summarise_dimensions(result, [d.id for d in dims])
    answers = {a.criterion_id: a for a in resp.answers}
    unsupported = set(result.unsupported)
    words = rating_words(lang)

    s = Sheet(sheet_name, widths={0: 9, 1: 72, 2: 30, 3: 36, 4: 8, 5: 20}, freeze=(3, 0))
    s.put(0, 0, sheet_title(lang, _t(lang, "KAM-Excellence: Fitness-Check", "KAM excellence: fitness check"), year,
                            "rating"), style="title")
    s.put(1, 0, _t(lang, "Gelbe Zellen sind Eingaben: Bewertung aus der Liste wählen und Belege nennen. "
                         "„nicht relevant“ und offene Kriterien zählen nicht zum Mittelwert.",
                   "Yellow cells are inputs: choose the rating from the list and name the evidence. "
                   "“not relevant” and unanswered criteria are left out of the means."), style="note")
    heads = (_t(lang, "Nr.", "No."), catalogue.stem.get(lang), _t(lang, "Bewertung", "Rating"),
             _t(lang, "Belege für die Bewertung", "Evidence for the rating"), _t(lang, "Wert", "Value"),
             _t(lang, "75/100 ohne Beleg", "75/100 without evidence"))
    for col, head in enumerate(heads):
        s.put(2, col, head, style="header")

    rating_input = Input(kind="list", choices=words, title=_t(lang, "Bewertung", "Rating"),
                         message=_t(lang, "Eine der sechs Antworten: ", "One of the six answers: ") + "; ".join(words))
    evidence_input = Input(kind="text", title=_t(lang, "Belege für die Bewertung", "Evidence"),
                           message=_t(lang, "Belege für die Bewertung (Dokumente, Zahlen, Beispiele); bei 75 "
                                            "oder 100 erwartet.",
                                      "Evidence for the rating (documents, figures, examples); expected for "
                                      "75 or 100."))
    r = 3
    first_criterion: int | None = None
    last_criterion = 3
    for d in dims:
        area = result.dimensions[d.id]
        D = d.id
        s.put(r, 0, D, style="subtitle")
        s.put(r, 1, d.name.get(lang), style="subtitle")
        r += 1
        spans: list[tuple[int, int]] = []
        for sec in d.sections:
            sid = f"{D}-{sec.number}"
            title_row = r
            s.put(r, 0, sid, style="bold")
            s.put(r, 1, sec.title.get(lang), style="bold")
            s.put(r, 5, _t(lang, "← Abschnittswert", "← section score") if sec.criteria else
                  _t(lang, "(ohne Kriterien)", "(no criteria)"), style="note")
            r += 1
            for q in sec.questions:
                s.put(r, 1, _t(lang, "Leitfrage", "Guiding question") + f" {q.number}: {q.text.get(lang)}",
                      style="note")
                r += 1
            c0 = r
            for c in sec.criteria:
                _criterion_row(s, r, c, answers.get(c.id), c.id in unsupported, (rating_input, evidence_input), lang)
                r += 1
            if sec.criteria:
                spans.append((c0, r - 1))
                formula = f'=IFERROR(AVERAGE({s.ref(c0, 4, r - 1, 4)}),"")'
            else:
                formula = '=""'
            s.put(title_row, 4, formula=formula, cached=result.sections[sid].score, style="score",
                  name=f"exc_{D}_{sec.number}_score")
        if spans:
            first_criterion = spans[0][0] if first_criterion is None else first_criterion
            last_criterion = spans[-1][1]
        r = _dimension_summary(s, r, d, area, spans, lang) + 1

    r = _overall(s, r, [d.id for d in dims], summary, (first_criterion, last_criterion), lang)
    _scale_legend(s, r + 1, lang)
    return s


EVIDENCE_ALLOWED = f"a text of at most {TEXT_MAX_CHARS:,} characters"
RATING_INPUT_ALLOWED = (f"one of the drop-down's answers ({'; '.join(rating_words('de'))}), the English words, "
                        f"or {RATING_ALLOWED}, or empty")


def cell_text(value: Any) -> str:
    """A text input as read back under the one text rule (:func:`kam_xl.text.clean_text`): ``None`` → ``""``,
    a whole number typed into a text cell without ``.0``. Kept for callers outside the readers; the readers
    use :func:`kam_xl.workbook.coerce.text`, which also refuses error values and over-long texts."""
    return clean_text(value) or ""


#: every word of the rating drop-downs (German and English) → its rating
_RATING_OF_WORD: dict[str, Rating] = {w: v for lang in ("de", "en")
                                      for (v, _, _), w in zip(RATING_SCALE, rating_words(lang), strict=True)}  # type: ignore[arg-type]
_RATING_WORDS = tuple(_RATING_OF_WORD)


def read_rating(value: Any) -> Rating | None:
    """A rating cell: the rating of a drop-down word as shown (any case, any dash: ``75 - trifft im
    Wesentlichen zu`` is the offered ``75 – trifft im Wesentlichen zu``), or what :func:`parse_rating` takes
    (``75``, ``n.r.``, the words without their number); ``None`` when empty.

    Raises :class:`~kam_xl.workbook.coerce.Refusal` for an error value, an uncached formula, a number from a
    percent-formatted cell (the scale is 0–100 points) and anything that is no rating.

    >>> read_rating("75 - trifft im wesentlichen zu "), read_rating(25.0), read_rating("not relevant")
    (75, 25, 'n.r.')
    """
    if isinstance(value, PercentNumber):
        raise Refusal(percent_as_points(value))
    text = coerce.text(value)
    if text is None:
        return None
    word = coerce.offered(text, _RATING_WORDS)
    if word is not None:
        return _RATING_OF_WORD[word]
    try:
        return parse_rating(value if isinstance(value, int | float) else text)
    except KamInputError:
        raise Refusal() from None


def _column(values: Mapping[str, Any], name: str) -> list[Any]:
    block = values.get(name)
    if not isinstance(block, list):
        return [block] if block is not None else []
    return [row[0] if isinstance(row, list) and row else None for row in block]


_IDS: dict[int, tuple[Dimension, frozenset[str]]] = {}


def _criterion_ids(d: Dimension) -> frozenset[str]:
    """The criterion ids of a dimension, worked out once per dimension object (collect reads hundreds of
    workbooks against the same catalogue)."""
    found = _IDS.get(id(d))
    if found is None or found[0] is not d:  # the object is kept with its ids, so its id is never reused
        if len(_IDS) >= 64:
            _IDS.clear()
        found = _IDS[id(d)] = (d, frozenset(c.id for sec in d.sections for c in sec.criteria))
    return found[1]


def parse_excellence(values: Mapping[str, Any], catalogue: Catalogue, dimensions: list[str], respondent: str,
                     role: str, problem: ReportProblem) -> Response:
    """Read the answers of ``dimensions`` back from the criteria sheet's inputs (by defined name).

    Rows of ``exc_<DIM>_ratings`` / ``exc_<DIM>_evidence`` are paired with ``exc_<DIM>_ids``; only rows whose id
    is a criterion of the catalogue count (section titles and guiding questions are skipped). Every criterion
    row gives an :class:`Answer` (rating ``None`` when blank, evidence ``""`` when blank), in sheet order. A
    rating that is not one of the answers goes to ``problem(name, row, 0, value, allowed)`` and its Answer keeps
    the evidence with rating ``None``, so one bad cell never stops the rest from being read (ratings are read
    with :func:`read_rating`, evidence with :func:`kam_xl.workbook.coerce.text` keeping its line breaks: an
    error value or a text over the limit is a problem too). A dimension whose
    criteria are missing from the workbook is reported on ``exc_<DIM>_ids``. A blank ``respondent`` is kept as
    ``"-"`` (the caller reports it)."""
    dims = _dimensions(catalogue, dimensions)
    answers: list[Answer] = []
    seen: set[str] = set()
    for d in dims:
        D = d.id
        criterion_ids = _criterion_ids(d)
        ids_name, ratings_name, evidence_name = f"exc_{D}_ids", f"exc_{D}_ratings", f"exc_{D}_evidence"
        ids = _column(values, ids_name)
        ratings, evidence = _column(values, ratings_name), _column(values, evidence_name)
        if criterion_ids and not ids:
            problem(ids_name, None, None, None, f"the criteria of dimension {D} (catalogue {catalogue.id} "
                                                f"{catalogue.version}) — regenerate the questionnaire")
            continue
        n_ratings, n_evidence = len(ratings), len(evidence)
        for i, raw_id in enumerate(ids):
            if raw_id is None:
                continue  # a blank id: a title, question or spare row
            cid = raw_id.strip() if isinstance(raw_id, str) else cell_text(raw_id)
            if cid not in criterion_ids:
                continue
            if cid in seen:
                problem(ids_name, i, 0, cid, "each criterion once — regenerate the questionnaire")
                continue
            seen.add(cid)
            raw = ratings[i] if i < n_ratings else None
            rating: Rating | None = None
            if raw is not None:
                try:
                    rating = read_rating(raw)
                except Refusal as e:
                    problem(ratings_name, i, 0, shown(raw), e.allowed(RATING_INPUT_ALLOWED))
            ev = evidence[i] if i < n_evidence else None
            text = ""
            if ev is not None:
                try:
                    text = coerce.text(ev, keep_lines=True) or ""
                except Refusal as e:
                    problem(evidence_name, i, 0, shown(ev), e.allowed(EVIDENCE_ALLOWED))
            answers.append(Answer(criterion_id=cid, rating=rating, evidence=text))
    return Response(respondent=respondent or "-", role=role, answers=answers)


ACCOUNT_DIMENSIONS = ("LM", "BP")  # the excellence dimensions rated per account: Leistungsmanagement, Beziehungspflege
ACCOUNT_ROLE = "Account-Plan"  # the role of account-level excellence answers in a collected data book


class ExcName(StrEnum):
    """The input names of dimension ``dim``: ``ExcName.RATINGS.format(dim="LM")`` is ``"exc_LM_ratings"``."""

    RATINGS = "exc_{dim}_ratings"
    EVIDENCE = "exc_{dim}_evidence"
    IDS = "exc_{dim}_ids"


class AccountExcellenceSheet(PlanSheet):
    """The account plan's excellence sheet: the account-level criteria (:data:`ACCOUNT_DIMENSIONS`) rated by
    the KAM. Its part is a :class:`Response` (respondent = account id, role :data:`ACCOUNT_ROLE`); its rows go
    into the ``excellence`` table, which it shares with the questionnaires (only answered rows are exported)."""

    key = "excellence"
    Names = ExcName
    shares = ("excellence",)
    #: a collected questionnaire replaces that respondent's answers
    replaced_by: ClassVar[dict[str, str]] = {"excellence": "respondent"}

    @property
    def marker(self) -> str:
        return ExcName.RATINGS.format(dim=ACCOUNT_DIMENSIONS[0])

    def get(self, data: AccountPlanData) -> Response | None:
        return data.excellence

    def put(self, data: AccountPlanData, part: Response | None) -> AccountPlanData:
        return dataclasses.replace(data, excellence=part)

    def from_databook(self, db: DataBook, data: AccountPlanData) -> Response | None:
        return db.response_of(data.account.account_id, ACCOUNT_ROLE)

    def layout(self, data: AccountPlanData, lang: Lang) -> Sheet:
        return excellence_sheet(load_catalogue(), list(ACCOUNT_DIMENSIONS), data.excellence, lang, "Excellence",
                                year=data.account.plan_year)

    def parse(self, values: Mapping[str, Any], data: AccountPlanData, lang: Lang, problem: OnProblem) -> Response:
        return parse_excellence(values, load_catalogue(), list(ACCOUNT_DIMENSIONS), data.account.account_id,
                                ACCOUNT_ROLE, problem)

    def export(self, data: AccountPlanData) -> Rows:
        r = data.excellence
        if r is None:
            return {}
        return {"excellence": [{"respondent": r.respondent, "role": r.role, "criterion_id": a.criterion_id,
                                "rating": a.rating, "evidence": a.evidence or None}
                               for a in r.answers if a.rating is not None or a.evidence]}
