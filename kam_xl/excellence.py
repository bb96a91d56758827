"""KAM-Excellence questionnaire (Fitness-Check) — seed 000, Homburg/Jensen "KAM-Excellence".

The catalogue (package data ``data/excellence_catalogue.json``) holds the 4 dimensions, 22 sections,
56 guiding questions (Leitfragen, Tabelle 13) and 62 rating criteria (Tabelle 2, 6, 9, 12) in German and
English. A company adds its own criteria from a CSV or JSON file (:func:`load_catalogue`), no code change.

Scale per criterion (Tabelle 2, 6, 9, 12): 100 trifft voll und ganz zu · 75 trifft im Wesentlichen zu ·
50 trifft teilweise zu · 25 trifft in geringem Maße zu · 0 trifft überhaupt nicht zu · "nicht relevant".

Scores: a section's and a dimension's score is the mean of its rated criteria ("nicht relevant" and
unanswered criteria are left out); the overall score is the mean of the dimension scores. Coverage =
rated ÷ criteria not marked "nicht relevant". A dimension rated on fewer than half its criteria is thin.

>>> cat = load_catalogue()
>>> len(cat.criteria()), cat.criterion("SW-2.1").text.de
(62, 'kennt den Kundendeckungsbeitrag III für die wichtigsten Kunden.')
>>> r = score_response(cat, Response(respondent="A", answers=[
...     Answer(criterion_id="SW-1.1", rating=100), Answer(criterion_id="SW-1.2", rating=50),
...     Answer(criterion_id="SW-1.3", rating="n.r.")]))
>>> r.sections["SW-1"].score, r.dimensions["SW"].score, r.overall
(75.0, 75.0, 75.0)
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from functools import lru_cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from kam_xl.errors import KamInputError
from kam_xl.maths import mean
from kam_xl.vocabulary import Lang

NOT_RELEVANT = "n.r."
Rating = Literal[0, 25, 50, 75, 100, "n.r."]
RATING_SCALE: tuple[tuple[Rating, str, str], ...] = (
    (100, "trifft voll und ganz zu", "fully applies"),
    (75, "trifft im Wesentlichen zu", "largely applies"),
    (50, "trifft teilweise zu", "partly applies"),
    (25, "trifft in geringem Maße zu", "applies to a small extent"),
    (0, "trifft überhaupt nicht zu", "does not apply at all"),
    (NOT_RELEVANT, "nicht relevant", "not relevant"),
)
DISAGREEMENT_SPREAD = 50.0
_RATING_WORDS: dict[str, Rating] = {
    **{de.casefold(): v for v, de, _ in RATING_SCALE},
    **{en.casefold(): v for v, _, en in RATING_SCALE},
    **{f"{v} {de}".casefold(): v for v, de, _ in RATING_SCALE if v != NOT_RELEVANT},
    **{f"{v} – {de}".casefold(): v for v, de, _ in RATING_SCALE if v != NOT_RELEVANT},
    **{f"{v} {en}".casefold(): v for v, _, en in RATING_SCALE if v != NOT_RELEVANT},
    **{f"{v} – {en}".casefold(): v for v, _, en in RATING_SCALE if v != NOT_RELEVANT},
    "n.r.": NOT_RELEVANT, "nr": NOT_RELEVANT, "n.r": NOT_RELEVANT, "n/a": NOT_RELEVANT,
}
RATING_ALLOWED = "0, 25, 50, 75, 100 or n.r. (nicht relevant)"


def parse_rating(value: Any) -> Rating | None:
    """Read a rating as it arrives from a cell or a CSV: a number of the scale, ``"n.r."``, or the scale's
    words in German or English. Empty means unanswered (``None``).

    >>> parse_rating("75"), parse_rating(50.0), parse_rating("nicht relevant"), parse_rating("")
    (75, 50, 'n.r.', None)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise KamInputError(f"rating {value!r} — allowed: {RATING_ALLOWED}")
    if isinstance(value, int | float):
        if value in (0, 25, 50, 75, 100):
            return int(value)  # type: ignore[return-value]
        raise KamInputError(f"rating {value:g} — allowed: {RATING_ALLOWED}")
    text = str(value).strip()
    if text.casefold() in _RATING_WORDS:
        return _RATING_WORDS[text.casefold()]
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise KamInputError(f"rating {text!r} — allowed: {RATING_ALLOWED}") from None
    return parse_rating(number)


class Text(BaseModel):
    """A text in German and English."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    de: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang = "de") -> str:
        """The text in ``lang``."""
        return self.de if lang == "de" else self.en


class Question(BaseModel):
    """A guiding question (Leitfrage), numbered 1–56 across the catalogue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int = Field(ge=1)
    text: Text


class Criterion(BaseModel):
    """A rating criterion; its text continues the stem "Das Unternehmen …"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[A-Z]{2,4}-\d+\.[A-Za-z0-9_]+$")
    text: Text


class Section(BaseModel):
    """A section (Abschnitt) of a dimension with its guiding questions and criteria."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int = Field(ge=1)
    title: Text
    questions: list[Question] = Field(default_factory=list)
    criteria: list[Criterion] = Field(default_factory=list)


class Dimension(BaseModel):
    """One of the four excellence dimensions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[A-Z]{2,4}$")
    name: Text
    source: dict[str, str] = Field(default_factory=dict)
    sections: list[Section]


class CriterionRef(BaseModel):
    """A criterion with the ids of its dimension and section."""

    model_config = ConfigDict(frozen=True)

    dimension: str
    section: str
    criterion: Criterion


class Catalogue(BaseModel):
    """The versioned questionnaire catalogue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    version: str
    source: str = ""
    stem: Text
    dimensions: list[Dimension]
    _index: dict[str, CriterionRef] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Catalogue:
        index: dict[str, CriterionRef] = {}
        questions: set[int] = set()
        for d in self.dimensions:
            for s in d.sections:
                sid = f"{d.id}-{s.number}"
                for q in s.questions:
                    if q.number in questions:
                        raise KamInputError(f"guiding question {q.number} listed twice in the catalogue")
                    questions.add(q.number)
                for c in s.criteria:
                    if not c.id.startswith(sid + "."):
                        raise KamInputError(f"criterion {c.id} stands in section {sid} — its id must start "
                                            f"with {sid}.")
                    if c.id in index:
                        raise KamInputError(f"criterion id {c.id} listed twice in the catalogue")
                    index[c.id] = CriterionRef(dimension=d.id, section=sid, criterion=c)
        self._index = index
        return self

    def criteria(self) -> list[CriterionRef]:
        """All criteria in catalogue order."""
        return list(self._index.values())

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with ``criterion_id``; :class:`KamInputError` if unknown."""
        try:
            return self._index[criterion_id].criterion
        except KeyError:
            raise KamInputError(f"unknown criterion id {criterion_id!r} — allowed: an id of catalogue "
                                f"{self.id} {self.version}, e.g. SW-2.1") from None

    def ref(self, criterion_id: str) -> CriterionRef:
        """The criterion with its dimension and section ids."""
        self.criterion(criterion_id)
        return self._index[criterion_id]

    def sections(self) -> list[tuple[str, Section]]:
        """All sections with their ids (``SW-1`` …) in catalogue order."""
        return [(f"{d.id}-{s.number}", s) for d in self.dimensions for s in d.sections]


def _package_catalogue() -> dict[str, Any]:
    path = importlib_resources.files("kam_xl") / "data" / "excellence_catalogue.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _read_extension(path: Path) -> list[dict[str, Any]]:
    if path.suffix.lower() == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(rows, list):
            raise KamInputError(f"{path.name}: expected a JSON list of criteria objects")
        return rows
    with path.open(encoding="utf-8-sig", newline="") as f:
        sample = f.read(4096)
        f.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
        return list(csv.DictReader(f, dialect=dialect))


def extend_catalogue(catalogue: Catalogue, rows: list[dict[str, Any]], name: str = "custom") -> Catalogue:
    """Add a company's own criteria.

    Each row has ``dimension`` (SW, OS, LM, BP), ``section`` (its number), ``text_de``, ``text_en`` and
    optionally ``id`` (default: next free position, e.g. ``SW-2.4``). A new section number needs
    ``section_title_de`` (and ``section_title_en``). The version becomes ``<version>+<name>``.
    """
    data = catalogue.model_dump()
    dims = {d["id"]: d for d in data["dimensions"]}
    problems = []
    for n, row in enumerate(rows, start=2):
        where = f"{name}, row {n}"
        dim = str(row.get("dimension") or "").strip()
        if dim not in dims:
            problems.append(f"{where}: dimension {dim!r} — allowed: {', '.join(dims)}")
            continue
        try:
            number = int(str(row.get("section") or "").strip())
        except ValueError:
            problems.append(f"{where}: section {row.get('section')!r} — allowed: a section number")
            continue
        sections = {s["number"]: s for s in dims[dim]["sections"]}
        if number not in sections:
            title_de = str(row.get("section_title_de") or "").strip()
            if not title_de:
                problems.append(f"{where}: section {dim}-{number} does not exist — give section_title_de to "
                                f"add it, or use one of {sorted(sections)}")
                continue
            title_en = str(row.get("section_title_en") or "").strip() or title_de
            new = {"number": number, "title": {"de": title_de, "en": title_en}, "questions": [],
                   "criteria": []}
            dims[dim]["sections"].append(new)
            sections[number] = new
        section = sections[number]
        text_de = str(row.get("text_de") or "").strip()
        if not text_de:
            problems.append(f"{where}: text_de is empty — allowed: the criterion's German text")
            continue
        cid = str(row.get("id") or "").strip() or f"{dim}-{number}.{len(section['criteria']) + 1}"
        section["criteria"].append(
            {"id": cid, "text": {"de": text_de, "en": str(row.get("text_en") or "").strip() or text_de}}
        )
    if problems:
        raise KamInputError("; ".join(problems))
    data["version"] = f"{catalogue.version}+{re.sub(r'[^A-Za-z0-9.]+', '-', name)}"
    try:
        return Catalogue.model_validate(data)
    except KamInputError as e:
        raise KamInputError(f"{name}: {e}") from None


@lru_cache(maxsize=1)
def _shipped_catalogue() -> Catalogue:
    return Catalogue.model_validate(_package_catalogue())


def load_catalogue(extension: str | Path | None = None) -> Catalogue:
    """Load the shipped catalogue (read once per process; the model is frozen, so it is shared), extended by a
    company's own criteria file (CSV or JSON) if given."""
    base = _shipped_catalogue()
    if extension is None:
        return base
    path = Path(extension)
    return extend_catalogue(base, _read_extension(path), name=path.stem)


class Answer(BaseModel):
    """One respondent's rating of one criterion with its evidence (Belege für die Bewertung)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    criterion_id: str
    rating: Rating | None = None
    evidence: str = ""

    @field_validator("rating", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Rating | None:
        return parse_rating(v)


class Response(BaseModel):
    """All answers of one respondent (KAM, sales lead, BU head …) to the catalogue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    respondent: str = Field(min_length=1)
    role: str = ""
    answers: list[Answer] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Response:
        ids = [a.criterion_id for a in self.answers]
        dupes = sorted(i for i, k in Counter(ids).items() if k > 1)
        if dupes:
            raise KamInputError(f"{self.respondent}: criterion answered twice: {', '.join(dupes)}")
        return self


class AreaScore(BaseModel):
    """Score of a section or dimension (or the whole catalogue)."""

    model_config = ConfigDict(frozen=True)

    id: str
    score: float | None = Field(description="mean of rated criteria, 0–100; None if none rated")
    criteria: int
    rated: int
    not_relevant: int
    unanswered: int
    coverage: float | None = Field(description="rated ÷ criteria not marked nicht relevant")
    thin: bool = Field(description="rated on fewer than half its criteria")


class ExcellenceResult(BaseModel):
    """Scores of one respondent: profile, coverage, action priorities and unsupported high ratings."""

    model_config = ConfigDict(frozen=True)

    respondent: str
    role: str
    catalogue_version: str
    sections: dict[str, AreaScore]
    dimensions: dict[str, AreaScore]
    overall: float | None = Field(description="mean of the dimension scores")
    coverage: float | None
    weakest_sections: list[str]
    weakest_criteria: list[str] = Field(description="rated 50 or lower, weakest first")
    unsupported: list[str] = Field(description="rated 75 or 100 without evidence")


def _area(area_id: str, ratings: list[Rating | None]) -> AreaScore:
    numeric = [float(r) for r in ratings if r is not None and r != NOT_RELEVANT]
    nr = sum(1 for r in ratings if r == NOT_RELEVANT)
    relevant = len(ratings) - nr
    return AreaScore(
        id=area_id,
        score=mean(numeric),
        criteria=len(ratings),
        rated=len(numeric),
        not_relevant=nr,
        unanswered=relevant - len(numeric),
        coverage=len(numeric) / relevant if relevant else None,
        thin=len(numeric) * 2 < len(ratings),
    )


def score_response(catalogue: Catalogue, response: Response, top_sections: int = 5,
                   top_criteria: int = 10) -> ExcellenceResult:
    """Score one respondent's answers against the catalogue."""
    answers = {a.criterion_id: a for a in response.answers}
    unknown = [i for i in answers if i not in {r.criterion.id for r in catalogue.criteria()}]
    if unknown:
        raise KamInputError(f"{response.respondent}: unknown criterion ids {', '.join(unknown)} — allowed: "
                            f"ids of catalogue {catalogue.id} {catalogue.version}")
    refs = catalogue.criteria()
    rating = {r.criterion.id: answers[r.criterion.id].rating if r.criterion.id in answers else None
              for r in refs}
    sections = {sid: _area(sid, [rating[c.id] for c in s.criteria]) for sid, s in catalogue.sections()}
    dimensions = {d.id: _area(d.id, [rating[r.criterion.id] for r in refs if r.dimension == d.id])
                  for d in catalogue.dimensions}
    overall_area = _area("overall", list(rating.values()))
    order = {sid: i for i, (sid, _) in enumerate(catalogue.sections())}
    weakest_sections = sorted((s for s in sections.values() if s.score is not None),
                              key=lambda s: (s.score, order[s.id]))[:top_sections]
    low = [(v, i) for i, (cid, v) in enumerate(rating.items()) if isinstance(v, int) and v <= 50]
    weakest_criteria = [refs[i].criterion.id for _, i in sorted(low)][:top_criteria]
    unsupported = [cid for cid, a in answers.items()
                   if a.rating in (75, 100) and not a.evidence.strip()]
    unsupported.sort(key=lambda cid: [r.criterion.id for r in refs].index(cid))
    return ExcellenceResult(
        respondent=response.respondent,
        role=response.role,
        catalogue_version=catalogue.version,
        sections=sections,
        dimensions=dimensions,
        overall=mean(d.score for d in dimensions.values() if d.score is not None),
        coverage=overall_area.coverage,
        weakest_sections=[s.id for s in weakest_sections],
        weakest_criteria=weakest_criteria,
        unsupported=unsupported,
    )


class CriterionConsensus(BaseModel):
    """How several respondents rated one criterion."""

    model_config = ConfigDict(frozen=True)

    criterion_id: str
    rated: int
    not_relevant: int
    mean: float | None
    min: float | None
    max: float | None
    spread: float | None
    disagreement: bool = Field(description=f"spread ≥ {DISAGREEMENT_SPREAD:g} points")


def consolidate(catalogue: Catalogue, responses: list[Response],
                disagreement_spread: float = DISAGREEMENT_SPREAD) -> dict[str, CriterionConsensus]:
    """Mean, min, max and spread per criterion over all respondents' numeric ratings; disagreement where the
    spread is at least ``disagreement_spread`` points."""
    by_id: dict[str, list[Rating | None]] = {r.criterion.id: [] for r in catalogue.criteria()}
    for resp in responses:
        for a in resp.answers:
            if a.criterion_id not in by_id:
                catalogue.criterion(a.criterion_id)
            by_id[a.criterion_id].append(a.rating)
    result = {}
    for cid, ratings in by_id.items():
        numeric = [float(r) for r in ratings if r is not None and r != NOT_RELEVANT]
        spread = max(numeric) - min(numeric) if numeric else None
        result[cid] = CriterionConsensus(
            criterion_id=cid,
            rated=len(numeric),
            not_relevant=sum(1 for r in ratings if r == NOT_RELEVANT),
            mean=mean(numeric),
            min=min(numeric) if numeric else None,
            max=max(numeric) if numeric else None,
            spread=spread,
            disagreement=spread is not None and spread >= disagreement_spread,
        )
    return result


class ExcellenceDelta(BaseModel):
    """Change between two check-ups (after − before); ``None`` where either was not scored."""

    model_config = ConfigDict(frozen=True)

    overall: float | None
    dimensions: dict[str, float | None]
    sections: dict[str, float | None]


def _delta(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def compare_checkups(before: ExcellenceResult, after: ExcellenceResult) -> ExcellenceDelta:
    """Delta per dimension and section between two check-ups of the same catalogue."""
    return ExcellenceDelta(
        overall=_delta(before.overall, after.overall),
        dimensions={k: _delta(v.score, after.dimensions[k].score if k in after.dimensions else None)
                    for k, v in before.dimensions.items()},
        sections={k: _delta(v.score, after.sections[k].score if k in after.sections else None)
                  for k, v in before.sections.items()},
    )


class DimensionsSummary(BaseModel):
    """Totals of one respondent over a selection of dimensions (all four: the whole questionnaire)."""

    model_config = ConfigDict(frozen=True)

    dimensions: list[str]
    overall: float | None = Field(description="mean of the scores of the selected dimensions that are scored")
    criteria: int
    rated: int
    not_relevant: int
    unanswered: int
    coverage: float | None = Field(description="rated ÷ criteria not marked nicht relevant")
    unsupported: int = Field(description="criteria of the selection rated 75 or 100 without evidence")


def summarise_dimensions(result: ExcellenceResult, dimensions: list[str] | None = None) -> DimensionsSummary:
    """Overall score, counts, coverage and unsupported high ratings over ``dimensions`` (default: all of
    ``result``); with all dimensions, ``overall`` and ``coverage`` equal the result's own.

    >>> cat = load_catalogue()
    >>> r = score_response(cat, Response(respondent="A", answers=[Answer(criterion_id="SW-1.1", rating=100),
    ...     Answer(criterion_id="OS-1.1", rating=50), Answer(criterion_id="OS-1.2", rating="n.r.")]))
    >>> s = summarise_dimensions(r, ["SW", "OS"])
    >>> s.overall, s.rated, s.not_relevant, s.criteria, s.unsupported
    (75.0, 2, 1, 25, 1)
    """
    dims = list(result.dimensions) if dimensions is None else list(dimensions)
    unknown = [d for d in dims if d not in result.dimensions]
    if unknown:
        raise KamInputError(f"unknown dimension(s) {', '.join(unknown)} — allowed: {', '.join(result.dimensions)}")
    areas = [result.dimensions[d] for d in dims]
    criteria = sum(a.criteria for a in areas)
    rated = sum(a.rated for a in areas)
    not_relevant = sum(a.not_relevant for a in areas)
    relevant = criteria - not_relevant
    return DimensionsSummary(
        dimensions=dims,
        overall=mean(a.score for a in areas if a.score is not None),
        criteria=criteria,
        rated=rated,
        not_relevant=not_relevant,
        unanswered=sum(a.unanswered for a in areas),
        coverage=rated / relevant if relevant else None,
        unsupported=sum(1 for cid in result.unsupported if cid.split("-", 1)[0] in dims),
    )
