"""The ``Kontaktmatrix`` sheet: who of us covers which member of the buying center (seed 000, Abb. 25 and
Fragen 53–56; SPEC §3.6).

* rows: the members (names by formula from the Buying Center sheet, row for row, so a member the KAM adds
  there appears here); columns: our people — name, function and top management (ja/nein) as inputs in the
  header (block ``km_our_people``), the existing ones plus :data:`SPARE_PEOPLE` empty columns;
* ``km_topics``: per member and our person the topics that person covers (Frage 54); ``(Kontakt)`` marks a
  contact without a topic;
* ``km_manndecker``: ``ja`` where that person is the member's Manndecker (Frage 53); the topics cell of a
  Manndecker turns grey, as in the seed's figure;
* per member: min and max contacts per year (inputs, Frage 56), planned and done touchpoints of the plan year
  (from the Touchpoints sheet), the status against min/max (:func:`kam_xl.buying_center.coverage_status`,
  lit amber when outside, not red: the seed asks for a conscious use of resources, not exact compliance),
  the number of Manndeckers and its light (none / ok / several);
* per our person: how many members they cover;
* the summary: members, members without and with several Manndeckers, top management covered, and the
  buying center's warnings (:func:`kam_xl.buying_center.buying_center_warnings`, without the team rhythm,
  which the Touchpoints sheet shows).

Every figure is a formula whose cached value comes from :mod:`kam_xl.buying_center`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kam_xl.buying_center import (
    CONTACT_MATRIX_TABLE,
    BuyingCenter,
    ContactLink,
    ContactStatus,
    Member,
    buying_center_summary,
    contact_coverage,
    manndecker_count,
    people_rows,
)
from kam_xl.vocabulary import (
    COVERAGE_WORDS,
    LIGHT_FORMATS,
    MANNDECKER_WORDS,
    PEOPLE_WARNING_WORDS,
    YES_NO,
    Lang,
    sheet_title,
)
from kam_xl.workbook import coerce
from kam_xl.workbook.buying_center_sheet import C as BC
from kam_xl.workbook.layout import Conditional, Input, RowKey, Sheet, cell_ref, sheet_ref
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
    with_targets,
    yes_no,
    yes_no_input,
)
from kam_xl.workbook.sheet_kind import OnProblem, Rows
from kam_xl.workbook.touchpoints_sheet import C_DONE_COUNT, C_PLANNED_COUNT

if TYPE_CHECKING:
    from kam_xl.workbook.account_plan import AccountPlanData

SPARE_PEOPLE = 3  # empty columns for more of our people
C_PERSON, C_MIN, C_MAX, C_PLANNED, C_DONE, C_STATUS, C_MD, C_MD_LIGHT = range(8)
C_TOPICS = 9  # first column of the topics block
NO_TOPIC: dict[Lang, str] = {"de": "(Kontakt)", "en": "(contact)"}
#: the buying center's warnings this sheet shows (the team rhythm's is on the Touchpoints sheet)
SHEET_WARNINGS = ("single_informant", "no_contact_below_senior", "only_purchasing")
AMBER = LIGHT_FORMATS["amber"]
GREY = {"bg_color": "#BFBFBF"}


class ContactsName(StrEnum):
    OUR_PEOPLE = "km_our_people"
    OUR_FUNCTIONS = "km_our_functions"
    OUR_TOP = "km_our_top_management"
    TARGETS = "km_targets"
    TOPICS = "km_topics"
    MANNDECKER = "km_manndecker"
    PLANNED = "km_planned"
    DONE = "km_done"
    STATUS = "km_status"
    MD_COUNT = "km_md_count"
    MD_LIGHT = "km_md_light"
    LINKS = "km_links"
    MEMBERS = "km_members"
    WITHOUT_MD = "km_without_manndecker"
    SEVERAL_MD = "km_several_manndecker"
    TOP_MANAGEMENT = "km_top_management_covered"
    WARN_SINGLE_INFORMANT = "km_warning_single_informant"
    WARN_NO_CONTACT_BELOW_SENIOR = "km_warning_no_contact_below_senior"
    WARN_ONLY_PURCHASING = "km_warning_only_purchasing"


def our_people(bc: BuyingCenter) -> list[tuple[str, str | None, bool]]:
    """Our people in the contact matrix, in data order: (name, function, top management) — the first row of a
    name gives its function and flag."""
    seen: dict[str, tuple[str, str | None, bool]] = {}
    for c in bc.contacts:
        seen.setdefault(c.our_person, (c.our_person, c.our_function, c.top_management))
    return list(seen.values())


def _a1(r: int, c: int) -> str:
    return cell_ref(r, c, absolute=True)


class _Geo:
    """Where the blocks lie: ``n`` member rows, ``k`` columns of our people."""

    def __init__(self, n: int, k: int):
        self.n, self.k = n, k
        self.first, self.last = FIRST_ROW, FIRST_ROW + n - 1
        self.md = C_TOPICS + k + 1  # first column of the Manndecker block
        self.links = self.last + 1  # row: members covered per our person
        self.summary = self.last + 3

    def row(self, s: Sheet, c0: int, r: int) -> str:
        return s.ref(r, c0, r, c0 + self.k - 1)

    def col(self, s: Sheet, c: int) -> str:
        return s.ref(self.first, c, self.last, c)


def _header(s: Sheet, g: _Geo, people: list[tuple[str, str | None, bool]], lang: Lang) -> None:
    s.put(FIRST_ROW - 4, C_TOPICS, _t(lang, "Themen je Person von uns (Frage 54); „(Kontakt)“ = ohne Thema",
                                      "Topics per person of ours (Frage 54); “(contact)” = no topic"), style="bold")
    s.put(FIRST_ROW - 4, g.md, _t(lang, "Manndecker (Frage 53): ja", "Manndecker (Frage 53): yes"), style="bold")
    for j, head in enumerate((_t(lang, "Person von uns", "Our person"), _t(lang, "Funktion", "Function"),
                              _t(lang, "Top-Management", "Top management"))):
        s.put(FIRST_ROW - 3 + j, C_TOPICS - 1, head, style="header")
    for j in range(g.k):
        p = people[j] if j < len(people) else None
        s.put(FIRST_ROW - 3, C_TOPICS + j, p[0] if p else None, style="bold",
              input=Input(kind="text", title=_t(lang, "Person von uns", "Our person"),
                          message=_t(lang, "Name einer Person aus unserem Haus (Spaltenschlüssel)",
                                     "Name of one of our people (the column's key)")))
        s.put(FIRST_ROW - 2, C_TOPICS + j, p[1] if p else None,
              input=Input(kind="text", title=_t(lang, "Funktion", "Function"),
                          message=_t(lang, "Funktion bei uns, z. B. GKAM", "Function with us, e.g. GKAM")))
        s.put(FIRST_ROW - 1, C_TOPICS + j, yes_no(p[2], lang) if p else None,
              input=yes_no_input(lang, "Top-Management", _t(lang, "Gehört zu unserem Top-Management?",
                                                                "Part of our top management?")))
        name = _a1(FIRST_ROW - 3, C_TOPICS + j)
        s.put(FIRST_ROW - 3, g.md + j, formula=f'=IF({name}="","",{name})', cached=p[0] if p else "", style="header")
    for i, name in enumerate((ContactsName.OUR_PEOPLE, ContactsName.OUR_FUNCTIONS, ContactsName.OUR_TOP)):
        s.name_range(name, FIRST_ROW - 3 + i, C_TOPICS, FIRST_ROW - 3 + i, C_TOPICS + g.k - 1)
    heads = (_t(lang, "Mitglied", "Member"), _t(lang, "min. Kontakte/Jahr", "min contacts/year"),
             _t(lang, "max. Kontakte/Jahr", "max contacts/year"), _t(lang, "geplant", "planned"),
             _t(lang, "erledigt", "done"), "Status", _t(lang, "Manndecker (Anzahl)", "Manndeckers (count)"),
             _t(lang, "Manndecker", "Manndecker"))
    for c, head in enumerate(heads):
        s.put(FIRST_ROW - 1, c, head, style="header")


@dataclass(frozen=True)
class _RowParts:
    """What every member row of one sheet shares, worked out once per sheet (not once per row): the coverage
    and Manndecker counts of all members, the links by (member, our person) and the rows' inputs."""

    coverage: dict[str, ContactStatus]
    counts: dict[str, int]
    links: dict[tuple[str, str], ContactLink]
    bound: Input
    topic: Input
    manndecker: Input

    @classmethod
    def of(cls, bc: BuyingCenter, year: int, lang: Lang) -> _RowParts:
        return cls(
            coverage=contact_coverage(bc, year), counts=manndecker_count(bc),
            links={(c.person, c.our_person): c for c in bc.contacts},
            bound=Input(kind="integer", minimum=0, title=_t(lang, "Kontakte pro Jahr", "Contacts per year"),
                        message=_t(lang, "Wie oft wir mindestens / höchstens Kontakt wollen (Frage 56); leer = "
                                         "ohne Grenze",
                                   "How often we want contact at least / at most (Frage 56); empty = no bound")),
            topic=Input(kind="text", title=_t(lang, "Themen", "Topics"),
                        message=_t(lang, f"Worüber diese Person mit dem Mitglied spricht; {NO_TOPIC['de']} = "
                                         "Kontakt ohne Thema",
                                   f"What this person talks about with the member; {NO_TOPIC['en']} = contact "
                                   "without a topic")),
            manndecker=yes_no_input(lang, "Manndecker", _t(lang, "Ist diese Person der Manndecker des Mitglieds?",
                                                           "Is this person the member's Manndecker?")))


def _member_row(s: Sheet, g: _Geo, i: int, bc: BuyingCenter, people: list[tuple[str, str | None, bool]],
                parts: _RowParts, lang: Lang) -> None:
    r = FIRST_ROW + i
    m = bc.members[i] if i < len(bc.members) else None
    cov = parts.coverage.get(m.person) if m else None
    count = parts.counts.get(m.person, 0) if m else None
    tp = sheet_names(lang)["touchpoints"]
    src = member_ref(lang, i)
    s.put(r, C_PERSON, formula=f'=IF({src}="","",{src})', cached=m.person if m else "", style="bold")
    s.put(r, C_MIN, m.min_contacts if m else None, style="integer", input=parts.bound)
    s.put(r, C_MAX, m.max_contacts if m else None, style="integer", input=parts.bound)
    a, lo, hi, pl = (_a1(r, c) for c in (C_PERSON, C_MIN, C_MAX, C_PLANNED))
    s.put(r, C_PLANNED, formula=f"={sheet_ref(tp, r, C_PLANNED_COUNT)}", cached=cov.planned if cov else "",
          style="integer")
    s.put(r, C_DONE, formula=f"={sheet_ref(tp, r, C_DONE_COUNT)}", cached=cov.done if cov else "", style="integer")
    w = COVERAGE_WORDS[lang]
    s.put(r, C_STATUS, formula=(f'=IF({a}="","",IF(AND({lo}="",{hi}=""),"{w["no_target"]}",IF(AND({lo}<>"",{pl}<{lo}),'
                                f'"{w["below"]}",IF(AND({hi}<>"",{pl}>{hi}),"{w["above"]}","{w["within"]}"))))'),
          cached=w[cov.status] if cov else "", style="text")
    names, marks = g.row(s, C_TOPICS, FIRST_ROW - 3), g.row(s, g.md, r)
    yes = YES_NO[lang][0]
    s.put(r, C_MD, formula=f'=IF({a}="","",SUMPRODUCT(({marks}="{yes}")*({names}<>"")))',
          cached=count if m else "", style="integer")
    md = _a1(r, C_MD)
    mw = MANNDECKER_WORDS[lang]
    s.put(r, C_MD_LIGHT, formula=f'=IF({a}="","",IF({md}=0,"{mw["none"]}",IF({md}=1,"{mw["one"]}","{mw["several"]}")))',
          cached="" if m is None else mw["none" if count == 0 else "one" if count == 1 else "several"], style="text")
    for j in range(g.k):
        c = parts.links.get((m.person, people[j][0])) if m and j < len(people) else None
        s.put(r, C_TOPICS + j, (c.topics or NO_TOPIC[lang]) if c else None, style="text", input=parts.topic)
        s.put(r, g.md + j, yes if c and c.manndecker else None, style="text", input=parts.manndecker)
        s.conditionals.append(Conditional(r, C_TOPICS + j, r, C_TOPICS + j, {
            "type": "formula", "criteria": f'={cell_ref(r, g.md + j)}="{yes}"', "format": GREY}))


def _links_row(s: Sheet, g: _Geo, bc: BuyingCenter, people: list[tuple[str, str | None, bool]], lang: Lang) -> None:
    s.put(g.links, C_TOPICS - 1, _t(lang, "Mitglieder abgedeckt", "Members covered"), style="bold")
    persons, yes = g.col(s, C_PERSON), YES_NO[lang][0]
    members = set(bc.member_names())
    for j in range(g.k):
        n = len({c.person for c in bc.contacts if j < len(people) and c.our_person == people[j][0]
                 and c.person in members})
        s.put(g.links, C_TOPICS + j,
              formula=f'=SUMPRODUCT(({persons}<>"")*((({g.col(s, C_TOPICS + j)}<>"")+'
                      f'({g.col(s, g.md + j)}="{yes}"))>0))', cached=n, style="integer")
    s.name_range(ContactsName.LINKS, g.links, C_TOPICS, g.links, C_TOPICS + g.k - 1)


def _summary(s: Sheet, g: _Geo, bc: BuyingCenter, year: int, lang: Lang) -> None:
    summary = buying_center_summary(bc, year)
    yes, no = YES_NO[lang]
    bcs = sheet_names(lang)["buying_center"]
    def bc_col(field: str) -> str:
        return sheet_ref(bcs, g.first, BC[field], g.last, BC[field])

    persons, counts = g.col(s, C_PERSON), g.col(s, C_MD)
    covered = f'({persons}<>"")*({counts}>0)'
    infl, inf = bc_col("influence"), bc_col("informants")
    tm, links = g.row(s, C_TOPICS, FIRST_ROW - 1), g.row(s, C_TOPICS, g.links)
    rows: list[tuple[str, str, str, Any, str]] = [
        (ContactsName.MEMBERS, _t(lang, "Mitglieder", "Members"), f'=SUMPRODUCT(--({persons}<>""))',
         summary.members, "integer"),
        (ContactsName.WITHOUT_MD, _t(lang, "ohne Manndecker", "without Manndecker"),
         f'=SUMPRODUCT(({persons}<>"")*({counts}=0))', len(summary.without_manndecker), "integer"),
        (ContactsName.SEVERAL_MD, _t(lang, "mit mehreren Manndeckern", "with several Manndeckers"),
         f'=SUMPRODUCT(({persons}<>"")*({counts}>1))', len(summary.several_manndecker), "integer"),
        (ContactsName.TOP_MANAGEMENT, _t(lang, "unser Top-Management eingebunden", "our top management involved"),
         f'=IF(SUMPRODUCT(({tm}="{yes}")*({links}>0))>0,"{yes}","{no}")',
         yes if summary.top_management_covered else no, "text")]
    conditions = {
        "single_informant": f'AND(COUNT({infl})>0,SUMPRODUCT(ISNUMBER({infl})*({inf}>1))=0)',
        "no_contact_below_senior": f'AND(SUMPRODUCT(--({persons}<>""))>0,'
                                   f'SUMPRODUCT({covered}*({bc_col("senior")}<>"{yes}"))=0)',
        "only_purchasing": f'AND(SUMPRODUCT({covered})>0,SUMPRODUCT({covered}*({bc_col("purchasing")}<>"{yes}"))=0)'}
    words = PEOPLE_WARNING_WORDS[lang]
    rows += [(f"km_warning_{code}", words[code], f'=IF({conditions[code]},"{yes}","{no}")',
              yes if code in summary.warnings else no, "text") for code in SHEET_WARNINGS]
    s.put(g.summary, C_PERSON, _t(lang, "Übersicht", "Summary"), style="subtitle")
    for i, (name, label, formula, cached, style) in enumerate(rows):
        r = g.summary + 1 + i
        s.put(r, C_PERSON, label, style="label")
        s.put(r, C_STATUS, formula=formula, cached=cached, style=style, name=name)
    first_warning = g.summary + 1 + len(rows) - len(SHEET_WARNINGS)
    s.put(first_warning - 1, C_MD, _t(lang, "Hinweise darunter: ja = trifft zu", "Warnings below: yes = applies"),
          style="note")
    s.conditionals.append(Conditional(first_warning, C_STATUS, first_warning + len(SHEET_WARNINGS) - 1, C_STATUS, {
        "type": "cell", "criteria": "==", "value": f'"{yes}"', "format": AMBER}))


def contacts_sheet(bc: BuyingCenter, year: int, lang: Lang = "de") -> Sheet:
    """The Kontaktmatrix sheet of one account's buying center and plan ``year`` (see the module docstring)."""
    people = our_people(bc)
    g = _Geo(member_rows(bc), len(people) + SPARE_PEOPLE)
    s = Sheet(sheet_names(lang)["contacts"], widths={0: 22, 1: 14, 2: 14, **{c: 11 for c in range(3, 8)}, 8: 18,
                                                     **{C_TOPICS + j: 20 for j in range(g.k)},
                                                     **{g.md + j: 12 for j in range(g.k)}}, freeze=(FIRST_ROW, 1))
    s.put(0, 0, sheet_title(lang, _t(lang, "Kundenkontaktmatrix", "Customer contact matrix"), year), style="title")
    s.put(1, 0, _t(lang, "Jedes Mitglied braucht genau einen Manndecker (Frage 53); Kontaktziele min./max. pro Jahr "
                         "(Frage 56) gegen die geplanten Touchpoints — Abweichung zeigen, nicht bestrafen.",
                   "Every member needs exactly one Manndecker (Frage 53); contact targets min/max per year (Frage 56) "
                   "against the planned touchpoints — show the deviation, do not punish it."), style="note")
    _header(s, g, people, lang)
    parts = _RowParts.of(bc, year, lang)
    for i in range(g.n):
        _member_row(s, g, i, bc, people, parts, lang)
    s.name_range(ContactsName.TARGETS, g.first, C_MIN, g.last, C_MAX)
    s.name_range(ContactsName.TOPICS, g.first, C_TOPICS, g.last, C_TOPICS + g.k - 1)
    s.name_range(ContactsName.MANNDECKER, g.first, g.md, g.last, g.md + g.k - 1)
    for name, c in ((ContactsName.PLANNED, C_PLANNED), (ContactsName.DONE, C_DONE), (ContactsName.STATUS, C_STATUS),
                    (ContactsName.MD_COUNT, C_MD), (ContactsName.MD_LIGHT, C_MD_LIGHT)):
        s.name_range(name, g.first, c, g.last, c)
    # our people's columns follow their names (the member rows follow the Buying Center sheet's RowKey)
    s.keys.append(RowKey(ContactsName.OUR_PEOPLE, (ContactsName.OUR_PEOPLE, ContactsName.OUR_FUNCTIONS,
                                                   ContactsName.OUR_TOP, ContactsName.TOPICS,
                                                   ContactsName.MANNDECKER), axis="cols"))
    cov, md = COVERAGE_WORDS[lang], MANNDECKER_WORDS[lang]
    for word, fmt in ((cov["within"], LIGHT_FORMATS["green"]), (cov["below"], AMBER), (cov["above"], AMBER)):
        s.conditionals.append(Conditional(g.first, C_STATUS, g.last, C_STATUS,
                                          {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": fmt}))
    for word, fmt in ((md["one"], LIGHT_FORMATS["green"]), (md["none"], AMBER), (md["several"], AMBER)):
        s.conditionals.append(Conditional(g.first, C_MD_LIGHT, g.last, C_MD_LIGHT,
                                          {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": fmt}))
    _links_row(s, g, bc, people, lang)
    _summary(s, g, bc, year, lang)
    return s


OurPerson = tuple[str | None, str | None, bool | None]  # name, function, top management as read
NO_MEMBER = "a value in a row with a member of the Buying Center sheet"


def _our_people(values: Mapping[str, Any], lang: Lang, problem: OnProblem) -> list[OurPerson]:
    """The header's people of ours by column (a name given in an earlier column is reported and left out)."""
    heads = [Reader(values, name, problem) for name in (ContactsName.OUR_PEOPLE, ContactsName.OUR_FUNCTIONS,
                                                        ContactsName.OUR_TOP)]
    width = max((len(r) for r in heads[0].block), default=0)
    people: list[OurPerson] = [
        (heads[0].read(0, j, coerce.text, "a name"), heads[1].read(0, j, coerce.text, "a text"),
         heads[2].read(0, j, lambda v: read_flag(v, lang), " or ".join(YES_NO[lang]))) for j in range(width)]
    for j, (ours, _, _) in enumerate(people):
        if ours is not None and any(p[0] == ours for p in people[:j]):
            problem(ContactsName.OUR_PEOPLE, 0, j, ours, "a name not given in an earlier column — each person once")
            people[j] = (None, None, None)
    return people


def _targets(values: Mapping[str, Any], names: list[str | None], bc: BuyingCenter,
             problem: OnProblem) -> dict[str, Member]:
    """The members with the min/max contacts of their rows."""
    targets = Reader(values, ContactsName.TARGETS, problem)
    members = {m.person: m for m in bc.members}
    for i, person in enumerate(names):
        low, high = (targets.read(i, j, _count, "a whole number ≥ 0") for j in (0, 1))
        if person not in members:
            for j, v in ((0, low), (1, high)):
                if v is not None:
                    problem(ContactsName.TARGETS, i, j, v, NO_MEMBER)
            continue
        if low is not None and high is not None and low > high:
            problem(ContactsName.TARGETS, i, 1, high, f"a whole number ≥ the minimum {low} (min ≤ max)")
            high = members[person].max_contacts
        members[person] = with_targets(members[person], low, high)
    return members


def parse_contacts(values: Mapping[str, Any], lang: Lang, problem: OnProblem, bc: BuyingCenter) -> BuyingCenter:
    """The contact matrix read back onto ``bc`` (its members from the Buying Center sheet): min/max per member
    and one :class:`ContactLink` per cell with topics or a Manndecker mark, column by column (so the columns
    keep their order when the plan is laid out again). Each refused value is reported at its cell; a value in a
    row without a member or a column without our person's name is reported too."""
    names = row_names(values)
    members = _targets(values, names, bc, problem)
    topics = Reader(values, ContactsName.TOPICS, problem)
    marks = Reader(values, ContactsName.MANNDECKER, problem)
    links = []
    for j, (ours, function, top) in enumerate(_our_people(values, lang, problem)):
        for i, person in enumerate(names):
            if topics.blank(i, j) and marks.blank(i, j):  # no contact
                continue
            text = topics.read(i, j, coerce.text, "a text")
            md = marks.read(i, j, lambda v: read_flag(v, lang), " or ".join(YES_NO[lang]))
            if text is None and not md:
                continue
            if person not in members or ours is None:
                problem(*((ContactsName.TOPICS, i, j, text) if text is not None else
                          (ContactsName.MANNDECKER, i, j, YES_NO[lang][0])),
                        NO_MEMBER if person not in members else
                        "a value in a column whose person of ours is named in the header")
                continue
            links.append(ContactLink(person=person, our_person=ours, our_function=function, top_management=bool(top),
                                     topics=None if text == NO_TOPIC[lang] else text, manndecker=bool(md)))
    return bc.model_copy(update={"members": tuple(members[m.person] for m in bc.members), "contacts": tuple(links)})


def _count(value: Any) -> int | None:
    number = coerce.number(value, 0)
    if number is not None and not number.is_integer():
        raise coerce.Refusal()
    return None if number is None else int(number)


class ContactsSheet(PeopleSheet):
    """The Kontaktmatrix sheet kind: owns the ``contact_matrix`` table."""

    key = "contact_matrix"
    Names = ContactsName
    tables = (CONTACT_MATRIX_TABLE,)

    def layout(self, data: AccountPlanData, lang: Lang) -> Sheet:
        return contacts_sheet(self.part(data), data.account.plan_year, lang)

    def parse(self, values: Mapping[str, Any], data: AccountPlanData, lang: Lang,
              problem: OnProblem) -> BuyingCenter:
        return parse_contacts(values, lang, problem, self.part(data))

    def export(self, data: AccountPlanData) -> Rows:
        return {"contact_matrix": people_rows(self.part(data))["contact_matrix"]}
