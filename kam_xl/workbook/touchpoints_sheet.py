"""The ``Touchpoints`` sheet: the touchpoint and information plan of the plan year and the core team's own
rhythm (seed 004, Rolle 4 "Informationsmanager"; SPEC §3.6).

* rows: the members (names by formula from the Buying Center sheet, row for row); per quarter Q1–Q4 the
  planned touchpoint — what, channel (Besuch / Telefon/Video / Brief/E-Mail / Veranstaltung), who of us, done
  (ja/nein) — as inputs (block ``tp_plan``, four columns per quarter); a touchpoint without what, channel or
  who that is not done shows ``(geplant)``;
* per member the touchpoints planned (quarters with an entry) and done in the year — the counts the contact
  matrix compares with min/max (:func:`kam_xl.buying_center.contact_coverage`);
* the internal team rhythm: per quarter purpose and format (persönlich / Telefon/Video, block ``tp_rhythm``),
  and the light of the rule "the core team meets in person at least once a year" (``tp_in_person``,
  :func:`kam_xl.buying_center.meets_in_person`).

The touchpoints and meetings of other years stay in the plan data as the data book has them.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kam_xl.buying_center import (
    CHANNELS,
    MEETING_FORMATS,
    TEAM_RHYTHM_TABLE,
    TOUCHPOINTS_TABLE,
    BuyingCenter,
    ContactStatus,
    TeamMeeting,
    Touchpoint,
    contact_coverage,
    meets_in_person,
    people_rows,
)
from kam_xl.kaop import QUARTERS
from kam_xl.vocabulary import (
    CHANNEL_WORDS,
    LIGHT_FORMATS,
    MEETING_FORMAT_WORDS,
    PEOPLE_WARNING_WORDS,
    YES_NO,
    Lang,
    sheet_title,
)
from kam_xl.workbook import coerce
from kam_xl.workbook.layout import Conditional, Input, Sheet, cell_ref
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.people_common import (
    FIRST_ROW,
    PeopleSheet,
    Reader,
    member_ref,
    member_rows,
    read_flag,
    row_names,
    sheet_names,
    yes_no,
    yes_no_input,
)
from kam_xl.workbook.sheet_kind import OnProblem, Rows

if TYPE_CHECKING:
    from kam_xl.workbook.account_plan import AccountPlanData

FIELDS = ("what", "channel", "our_person", "done")  # per quarter, in column order
C_PLANNED_COUNT = 1 + len(QUARTERS) * len(FIELDS)
C_DONE_COUNT = C_PLANNED_COUNT + 1
NO_WHAT: dict[Lang, str] = {"de": "(geplant)", "en": "(planned)"}


def col_of(q: int, f: str) -> int:
    """The column of field ``f`` of quarter ``q``."""
    return 1 + (q - 1) * len(FIELDS) + FIELDS.index(f)


class TouchpointsName(StrEnum):
    PLAN = "tp_plan"
    YEAR = "tp_year"
    PLANNED = "tp_planned"
    DONE = "tp_done"
    RHYTHM = "tp_rhythm"
    IN_PERSON = "tp_in_person"


def _a1(r: int, c: int) -> str:
    return cell_ref(r, c, absolute=True)


def _inputs(lang: Lang) -> dict[str, Input]:
    channels = tuple(CHANNEL_WORDS[lang][c] for c in CHANNELS)
    return {"what": Input(kind="text", title=_t(lang, "Was", "What"),
                          message=_t(lang, f"Geplanter Touchpoint, z. B. Artikel versenden; {NO_WHAT['de']} = ohne "
                                           "Beschreibung",
                                     f"Planned touchpoint, e.g. send an article; {NO_WHAT['en']} = no description")),
            "channel": Input(kind="list", choices=channels, title=_t(lang, "Kanal", "Channel"),
                             message=" / ".join(channels)),
            "our_person": Input(kind="text", title=_t(lang, "Wer von uns", "Who of us"),
                                message=_t(lang, "Wer von uns den Touchpoint übernimmt", "Who of us takes it on")),
            "done": yes_no_input(lang, _t(lang, "erledigt", "done"), _t(lang, "Erledigt?", "Done?"))}


def _member_row(s: Sheet, i: int, bc: BuyingCenter, year: int, coverage: Mapping[str, ContactStatus],
                inputs: Mapping[str, Input], lang: Lang) -> None:
    r = FIRST_ROW + i
    m = bc.members[i] if i < len(bc.members) else None
    src = member_ref(lang, i)
    s.put(r, 0, formula=f'=IF({src}="","",{src})', cached=m.person if m else "", style="bold")
    given = {t.quarter: t for t in bc.touchpoints if m and t.person == m.person and t.year == year}
    channels = CHANNEL_WORDS[lang]
    for q in QUARTERS:
        t = given.get(q)
        empty = t is not None and not (t.what or t.channel or t.our_person or t.done)
        shown = {"what": NO_WHAT[lang] if empty else t.what if t else None,
                 "channel": channels[t.channel] if t and t.channel else None,
                 "our_person": t.our_person if t else None, "done": yes_no(t.done, lang) if t else None}
        for f in FIELDS:
            s.put(r, col_of(q, f), shown[f], style="text", input=inputs[f])
    a, yes = _a1(r, 0), YES_NO[lang][0]
    entry = "+".join(f'IF(OR({_a1(r, col_of(q, "what"))}<>"",{_a1(r, col_of(q, "channel"))}<>"",'
                     f'{_a1(r, col_of(q, "our_person"))}<>"",{_a1(r, col_of(q, "done"))}="{yes}"),1,0)'
                     for q in QUARTERS)
    done = "+".join(f'({_a1(r, col_of(q, "done"))}="{yes}")' for q in QUARTERS)
    cov = coverage.get(m.person) if m else None
    s.put(r, C_PLANNED_COUNT, formula=f'=IF({a}="","",{entry})', cached=cov.planned if cov else "", style="integer")
    s.put(r, C_DONE_COUNT, formula=f'=IF({a}="","",{done})', cached=cov.done if cov else "", style="integer")


def _rhythm(s: Sheet, top: int, bc: BuyingCenter, year: int, lang: Lang) -> None:
    s.put(top, 0, _t(lang, f"Team-Rhythmus {year} (intern)", f"Team rhythm {year} (internal)"), style="subtitle")
    for c, head in enumerate((_t(lang, "Quartal", "Quarter"), _t(lang, "Zweck", "Purpose"), "Format")):
        s.put(top + 1, c, head, style="header")
    meetings = {m.quarter: m for m in bc.rhythm if m.year == year}
    formats = tuple(MEETING_FORMAT_WORDS[lang][f] for f in MEETING_FORMATS)
    for q in QUARTERS:
        r, m = top + 1 + q, meetings.get(q)
        s.put(r, 0, f"Q{q} {year}", style="label")
        s.put(r, 1, m.purpose if m else None, style="text",
              input=Input(kind="text", title=_t(lang, "Zweck", "Purpose"),
                          message=_t(lang, "Wozu sich das Kernteam trifft, z. B. Key-Account-Plan-Workshop",
                                     "What the core team meets for, e.g. key account plan workshop")))
        s.put(r, 2, MEETING_FORMAT_WORDS[lang][m.format] if m else None,
              input=Input(kind="list", choices=formats, title="Format", message=" / ".join(formats)))
    s.name_range(TouchpointsName.RHYTHM, top + 2, 1, top + 5, 2)
    light = top + 7
    yes, no = YES_NO[lang]
    s.put(light, 0, _t(lang, "Kernteam trifft sich mindestens einmal im Jahr persönlich",
                       "The core team meets in person at least once a year"), style="bold")
    s.put(light, 2, formula=f'=IF(COUNTIF({s.ref(top + 2, 2, top + 5, 2)},"{formats[0]}")>0,"{yes}","{no}")',
          cached=yes if meets_in_person(bc, year) else no, style="bold", name=TouchpointsName.IN_PERSON)
    s.put(light + 1, 0, _t(lang, f"nein = Hinweis: {PEOPLE_WARNING_WORDS['de']['no_meeting_in_person']}",
                           f"no = warning: {PEOPLE_WARNING_WORDS['en']['no_meeting_in_person']}"),
          style="note")
    for word, fmt in ((yes, LIGHT_FORMATS["green"]), (no, LIGHT_FORMATS["amber"])):
        s.conditionals.append(Conditional(light, 2, light, 2, {"type": "cell", "criteria": "==", "value": f'"{word}"',
                                                               "format": fmt}))


def touchpoints_sheet(bc: BuyingCenter, year: int, lang: Lang = "de") -> Sheet:
    """The Touchpoints sheet of one account's buying center and plan ``year`` (see the module docstring)."""
    widths = {0: 22, C_PLANNED_COUNT: 10, C_DONE_COUNT: 10}
    widths |= {col_of(q, f): w for q in QUARTERS for f, w in zip(FIELDS, (44, 14, 17, 9), strict=True)}
    s = Sheet(sheet_names(lang)["touchpoints"], widths=widths, freeze=(FIRST_ROW, 1))
    s.put(0, 0, sheet_title(lang, _t(lang, "Touchpoint- und Informationsplan", "Touchpoint and information plan"),
                            year), style="title")
    s.put(1, 0, _t(lang, "Wer sollte wann und bei welcher Gelegenheit mit wem sprechen? Ein Touchpoint je Mitglied "
                         "und Quartal; die Anzahl geht in die Kontaktmatrix (min./max.).",
                   "Who should talk to whom, when and on which occasion? One touchpoint per member and quarter; the "
                   "count feeds the contact matrix (min/max)."), style="note")
    s.put(2, 0, _t(lang, "Planjahr", "Plan year"), style="label")
    s.put(2, 1, year, style="integer", name=TouchpointsName.YEAR)
    heads = (_t(lang, "Was", "What"), _t(lang, "Kanal", "Channel"), _t(lang, "Wer von uns", "Who of us"),
             _t(lang, "erledigt", "done"))
    for q in QUARTERS:
        s.put(FIRST_ROW - 2, col_of(q, "what"), f"Q{q} {year}", style="subtitle")
        for f, head in zip(FIELDS, heads, strict=True):
            s.put(FIRST_ROW - 1, col_of(q, f), head, style="header")
    s.put(FIRST_ROW - 1, 0, _t(lang, "Ansprechpartner beim Kunden", "Contact at the customer"), style="header")
    s.put(FIRST_ROW - 1, C_PLANNED_COUNT, _t(lang, "geplant", "planned"), style="header")
    s.put(FIRST_ROW - 1, C_DONE_COUNT, _t(lang, "erledigt", "done"), style="header")
    n = member_rows(bc)
    coverage, inputs = contact_coverage(bc, year), _inputs(lang)  # once per sheet, not per member row
    for i in range(n):
        _member_row(s, i, bc, year, coverage, inputs, lang)
    last = FIRST_ROW + n - 1
    s.name_range(TouchpointsName.PLAN, FIRST_ROW, 1, last, C_PLANNED_COUNT - 1)
    s.name_range(TouchpointsName.PLANNED, FIRST_ROW, C_PLANNED_COUNT, last, C_PLANNED_COUNT)
    s.name_range(TouchpointsName.DONE, FIRST_ROW, C_DONE_COUNT, last, C_DONE_COUNT)
    _rhythm(s, last + 2, bc, year, lang)
    return s


def parse_touchpoints(values: Mapping[str, Any], lang: Lang, problem: OnProblem, bc: BuyingCenter,
                      year: int) -> BuyingCenter:
    """The touchpoints and team rhythm of ``year`` read back onto ``bc`` (its other years kept); each refused
    value reported at its cell, a touchpoint in a row without a member too."""
    plan, rhythm = Reader(values, TouchpointsName.PLAN, problem), Reader(values, TouchpointsName.RHYTHM, problem)
    channels = {v: k for k, v in CHANNEL_WORDS[lang].items()}
    formats = {v: k for k, v in MEETING_FORMAT_WORDS[lang].items()}
    members = set(bc.member_names())
    yes_no_words = " or ".join(YES_NO[lang])
    touch = [t for t in bc.touchpoints if t.year != year]
    for i, person in enumerate(row_names(values)):
        if plan.blank(i):  # nothing planned for the member
            continue
        for q in QUARTERS:
            what = plan.read(i, col_of(q, "what") - 1, coerce.text, "a text")
            channel = plan.read(i, col_of(q, "channel") - 1, lambda v: coerce.choice(v, channels), ", ".join(channels))
            ours = plan.read(i, col_of(q, "our_person") - 1, coerce.text, "a text")
            done = plan.read(i, col_of(q, "done") - 1, lambda v: read_flag(v, lang), yes_no_words)
            if what is None and channel is None and ours is None and not done:
                continue
            if person not in members:
                problem(TouchpointsName.PLAN, i, col_of(q, "what") - 1, what,
                        "a touchpoint in a row with a member of the Buying Center sheet")
                continue
            touch.append(Touchpoint(year=year, quarter=q, person=person, our_person=ours,
                                    what=None if what == NO_WHAT[lang] else what,
                                    channel=channels[channel] if channel else None, done=bool(done)))
    meetings = [m for m in bc.rhythm if m.year != year]
    for q in QUARTERS:
        purpose = rhythm.read(q - 1, 0, coerce.text, "a text")
        word = rhythm.read(q - 1, 1, lambda v: coerce.choice(v, formats), ", ".join(formats))
        if word is None and purpose is not None:
            problem(TouchpointsName.RHYTHM, q - 1, 1, None, ", ".join(formats) + " — the quarter has a purpose")
        if word is not None:
            meetings.append(TeamMeeting(year=year, quarter=q, format=formats[word], purpose=purpose))
    return bc.model_copy(update={"touchpoints": tuple(touch), "rhythm": tuple(meetings)})


def _year(values: Mapping[str, Any], data: AccountPlanData) -> int:
    year = values.get(TouchpointsName.YEAR)
    if isinstance(year, int | float) and not isinstance(year, bool) and float(year).is_integer() \
            and 1900 <= year <= 2200:
        return int(year)
    return data.account.plan_year


class TouchpointsSheet(PeopleSheet):
    """The Touchpoints sheet kind: owns the ``touchpoints`` and ``team_rhythm`` tables."""

    key = "touchpoints"
    Names = TouchpointsName
    tables = (TOUCHPOINTS_TABLE, TEAM_RHYTHM_TABLE)

    def layout(self, data: AccountPlanData, lang: Lang) -> Sheet:
        return touchpoints_sheet(self.part(data), data.account.plan_year, lang)

    def parse(self, values: Mapping[str, Any], data: AccountPlanData, lang: Lang,
              problem: OnProblem) -> BuyingCenter:
        return parse_touchpoints(values, lang, problem, self.part(data), _year(values, data))

    def export(self, data: AccountPlanData) -> Rows:
        rows = people_rows(self.part(data))
        return {"touchpoints": rows["touchpoints"], "team_rhythm": rows["team_rhythm"]}
