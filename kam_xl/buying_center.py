"""The people of a key account: buying center, contact matrix, touchpoint plan and the team's own rhythm
(SPEC §3.6; seeds 000 Abb. 24/25 with Fragen 43–56, 004 Rolle 4 "Informationsmanager").

One account's part is a :class:`BuyingCenter`: its members (the customer's decision makers, Abb. 24), the
contact matrix (who of us covers whom, the "Manndecker", Frage 53; Abb. 25), the touchpoint plan (one cell per
member and quarter, seed 004) and the internal team rhythm (per quarter: format and purpose, seed 004).

Scales are kam_xl's where the seeds' figures are lost (SPEC §3.6, "scale chosen by kam_xl"): influence 1–5;
technical 0 = purely commercial … 100 = purely technical (Frage 46); private 0 = business only … 100 = also
private topics (Frage 48); performance and sympathy vs competition besser / gleich / schlechter (Fragen 49,
50); up to two colour types (seed 004 Farbenlehre; Grün for the colour whose name is lost); up to three of the
16 Reiss motives exactly as seed 004 prints them.

Rules (SPEC §3.6, issue 11), all pure:

* :func:`contact_coverage` — per member the planned touchpoints of the plan year against [min, max] contacts
  per year (Frage 56): ``below`` / ``within`` / ``above``; an empty bound is not checked, both empty →
  ``no_target``; ``done`` counts the touchpoints marked done. Deviation is shown, not punished (the seed:
  the aim is a conscious use of resources).
* :func:`buying_center_summary` — members, those without a Manndecker and those with several (Frage 53:
  several of ours on one contact "sollte tunlichst vermieden werden"), whether our top management appears,
  and warnings as codes (see :data:`WARNINGS`).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kam_xl.databook.schema import Column, Kind, Table
from kam_xl.databook.whole import whole_problem
from kam_xl.errors import KamInputError
from kam_xl.kaop import Quarter
from kam_xl.text import clean_text, match_choice

if TYPE_CHECKING:
    from kam_xl.databook import DataBook
    from kam_xl.databook.parsing import ParsedTable
    from kam_xl.databook.schema import Problem

Comparison = Literal["besser", "gleich", "schlechter"]
#: Our performance / the personal sympathy compared with the competition (Fragen 49, 50).
COMPARISONS: tuple[Comparison, ...] = ("besser", "gleich", "schlechter")
#: The colour types of seed 004's Farbenlehre (the fourth colour's name is lost there; Grün is the usual one).
COLOURS: tuple[str, ...] = ("Rot", "Blau", "Grün", "Orange")
MAX_COLOURS = 2  # seed 004: "Jeder Mensch hat in der Regel zwei Farbbereiche"
#: The 16 life motives of Steven Reiss exactly as seed 004 prints them (l. 80–95).
MOTIVES: tuple[str, ...] = ("Macht", "Unabhängigkeit", "Neugier", "Anerkennung", "Ordnung", "Sparen", "Ehre",
                            "Idealismus", "Familie", "Status", "Rache", "Romantik", "Ernährung",
                            "Körperliche Aktivität", "Ruhe", "Bequemlichkeit")
MAX_MOTIVES = 3
Channel = Literal["Besuch", "Telefon/Video", "Brief/E-Mail", "Veranstaltung"]
#: How a touchpoint reaches the member (seed 000 l. 3733: a visit can often be a call).
CHANNELS: tuple[Channel, ...] = ("Besuch", "Telefon/Video", "Brief/E-Mail", "Veranstaltung")
MeetingFormat = Literal["persönlich", "Telefon/Video"]
#: How the core team meets in a quarter (seed 004 l. 334–355).
MEETING_FORMATS: tuple[MeetingFormat, ...] = ("persönlich", "Telefon/Video")
INFLUENCE_RANGE = (1, 5)
LIST_SEPARATOR = ","  # colours and motives in one cell: "Rot, Blau"
NAMES_SHOWN = 12  # members a problem lists as allowed (a large buying center: the first ones and the count)
Status = Literal["below", "within", "above", "no_target"]
#: The warning codes of :func:`buying_center_summary` and when each is given.
WARNINGS: dict[str, str] = {
    "single_informant": "every rated member (influence given) was rated by at most one informant (seed 000 "
                        "l. 3458–3470: never rely on a single informant)",
    "no_contact_below_senior": "no member who is not a formally senior decision maker has a Manndecker (seed "
                               "000 l. 3471–3480: formally senior people over-rate themselves)",
    "only_purchasing": "every member with a Manndecker works in purchasing (seed 000 l. 3481–3492)",
    "no_meeting_in_person": "the core team does not meet in person in any quarter of the plan year (seed 004 "
                            "l. 351–355: \"das Kernteam mindestens einmal im Jahr persönlich\")",
}


def split_list(value: Any, allowed: Iterable[str], most: int, what: str) -> tuple[str, ...]:
    """A cell listing up to ``most`` of ``allowed``, separated by ``,`` (``"Rot, blau"`` → ``("Rot", "Blau")``),
    each matched as a drop-down word. Raises :class:`KamInputError` naming the word that is not allowed, a word
    given twice, or too many words.

    >>> split_list("rot,  Grün", COLOURS, 2, "colours")
    ('Rot', 'Grün')
    >>> split_list(None, COLOURS, 2, "colours")
    ()
    """
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    text = clean_text(value)
    if text is None:
        return ()
    return _split_text(text, tuple(allowed), most, what)


@functools.lru_cache(maxsize=1024)
def _split_text(text: str, choices: tuple[str, ...], most: int, what: str) -> tuple[str, ...]:
    """:func:`split_list` of a clean text (the same few lists repeat on every member row: each split once)."""
    allowed_text = f"allowed: up to {most} of {', '.join(choices)}, separated by '{LIST_SEPARATOR}'"
    words: list[str] = []
    for part in text.split(LIST_SEPARATOR):
        if clean_text(part) is None:
            continue
        found = match_choice(part, choices)
        if found is None:
            raise KamInputError(f"{what}: {clean_text(part)!r} is not one of the {what} — {allowed_text}")
        if found in words:
            raise KamInputError(f"{what}: {found!r} is given twice — {allowed_text}, each once")
        words.append(found)
    if len(words) > most:
        raise KamInputError(f"{what}: {len(words)} {what} are given ({', '.join(words)}), more than {most} — "
                            f"{allowed_text}")
    return tuple(words)


def _whole(value: float | None, low: int, high: int | None, what: str) -> int | None:
    if value is None:
        return None
    wrong = whole_problem(value, low, high)
    if wrong:
        raise KamInputError(f"{what} {value:g} {wrong}")
    return int(value)


class Member(BaseModel):
    """One decision maker at the customer (a row of ``buying_center``; SPEC §3.6, Fragen 44–50).

    ``influence`` 1–5; ``technical`` and ``private`` 0–100 (kam_xl's scales); ``colours`` up to two of
    :data:`COLOURS`, ``motives`` up to three of :data:`MOTIVES`; ``informants`` how many people rated this
    member; ``min_contacts``/``max_contacts`` per year (min ≤ max, either may be empty). Yes/no fields left
    empty are "nein". Raises ``ValidationError`` with the rule broken."""

    model_config = ConfigDict(frozen=True)

    person: str
    function: str | None = None
    position: str | None = None
    senior: bool = False
    purchasing: bool = False
    budget_authority: bool = False
    influence: int | None = None
    technical: float | None = Field(default=None, ge=0, le=100)
    private: float | None = Field(default=None, ge=0, le=100)
    career: str | None = None
    performance_vs_competition: Comparison | None = None
    sympathy_vs_competition: Comparison | None = None
    colours: tuple[str, ...] = ()
    motives: tuple[str, ...] = ()
    informants: int | None = None
    min_contacts: int | None = None
    max_contacts: int | None = None

    @field_validator("influence", "informants", "min_contacts", "max_contacts", mode="before")
    @classmethod
    def _whole_numbers(cls, v: Any, info: Any) -> int | None:
        low, high = INFLUENCE_RANGE if info.field_name == "influence" else (0, None)
        return _whole(v, low, high, info.field_name)

    @field_validator("colours", mode="before")
    @classmethod
    def _colours(cls, v: Any) -> tuple[str, ...]:
        return split_list(v, COLOURS, MAX_COLOURS, "colours")

    @field_validator("motives", mode="before")
    @classmethod
    def _motives(cls, v: Any) -> tuple[str, ...]:
        return split_list(v, MOTIVES, MAX_MOTIVES, "motives")

    @model_validator(mode="after")
    def _bounds(self) -> Member:
        if self.min_contacts is not None and self.max_contacts is not None and self.min_contacts > self.max_contacts:
            raise KamInputError(f"min_contacts {self.min_contacts} is above max_contacts {self.max_contacts} — "
                                "allowed: min_contacts ≤ max_contacts")
        return self


class ContactLink(BaseModel):
    """One of our people on one member (a row of ``contact_matrix``, Fragen 53–54): ``topics`` they cover,
    ``manndecker`` whether they are the member's responsible person, ``top_management`` whether they belong
    to our top management."""

    model_config = ConfigDict(frozen=True)

    person: str
    our_person: str
    our_function: str | None = None
    top_management: bool = False
    topics: str | None = None
    manndecker: bool = False


class Touchpoint(BaseModel):
    """A planned touchpoint with one member in one quarter (a row of ``touchpoints``, seed 004): what, the
    channel, who of us, done yes/no."""

    model_config = ConfigDict(frozen=True)

    year: int
    quarter: Quarter
    person: str
    our_person: str | None = None
    what: str | None = None
    channel: Channel | None = None
    done: bool = False


class TeamMeeting(BaseModel):
    """The core team's exchange in one quarter (a row of ``team_rhythm``, seed 004): format and purpose."""

    model_config = ConfigDict(frozen=True)

    year: int
    quarter: Quarter
    format: MeetingFormat
    purpose: str | None = None


class BuyingCenter(BaseModel):
    """One account's people part: members, contact matrix, touchpoints and team rhythm (any may be empty)."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    members: tuple[Member, ...] = ()
    contacts: tuple[ContactLink, ...] = ()
    touchpoints: tuple[Touchpoint, ...] = ()
    rhythm: tuple[TeamMeeting, ...] = ()

    def member_names(self) -> tuple[str, ...]:
        """The members' names in data order."""
        return tuple(m.person for m in self.members)


class ContactStatus(BaseModel):
    """One member's contacts in the plan year: ``model_dump()`` is the report contract's
    ``contacts[person]`` object {min, max, planned, done, status}."""

    min: int | None
    max: int | None
    planned: int
    done: int
    status: Status


class BuyingCenterSummary(BaseModel):
    """The report contract's ``buying_center`` object (``model_dump()``): member count, members without and
    with several Manndeckers, whether our top management appears in the contact matrix, warning codes."""

    members: int
    without_manndecker: list[str]
    several_manndecker: list[str]
    top_management_covered: bool
    warnings: list[str]


def coverage_status(planned: int, low: int | None, high: int | None) -> Status:
    """``planned`` contacts against [``low``, ``high``]: an empty bound is not checked, both empty →
    ``no_target``.

    >>> coverage_status(2, 3, None), coverage_status(5, 2, 4), coverage_status(4, 2, 4), coverage_status(9, None, None)
    ('below', 'above', 'within', 'no_target')
    """
    if low is None and high is None:
        return "no_target"
    if low is not None and planned < low:
        return "below"
    if high is not None and planned > high:
        return "above"
    return "within"


def contact_coverage(bc: BuyingCenter, plan_year: int) -> dict[str, ContactStatus]:
    """Per member (in data order): min and max contacts per year, ``planned`` = the member's touchpoints of
    ``plan_year``, ``done`` = those marked done, and :func:`coverage_status` of planned against [min, max]."""
    planned = Counter(t.person for t in bc.touchpoints if t.year == plan_year)
    done = Counter(t.person for t in bc.touchpoints if t.year == plan_year and t.done)
    return {m.person: ContactStatus(min=m.min_contacts, max=m.max_contacts, planned=planned[m.person],
                                    done=done[m.person],
                                    status=coverage_status(planned[m.person], m.min_contacts, m.max_contacts))
            for m in bc.members}


def manndecker_count(bc: BuyingCenter) -> dict[str, int]:
    """Per member: how many of our people are marked as their Manndecker (distinct names)."""
    marks = {(c.person, c.our_person) for c in bc.contacts if c.manndecker}
    count = Counter(person for person, _ in marks)
    return {m.person: count[m.person] for m in bc.members}


def meets_in_person(bc: BuyingCenter, plan_year: int) -> bool:
    """Whether the core team meets in person (format ``persönlich``) in any quarter of ``plan_year``."""
    return any(m.format == "persönlich" for m in bc.rhythm if m.year == plan_year)


def buying_center_warnings(bc: BuyingCenter, plan_year: int) -> list[str]:
    """The warning codes of :data:`WARNINGS` that hold, in that order.

    * ``single_informant``: at least one member is rated (influence given) and every rated member has
      informants ≤ 1 (informants left empty count as one: someone rated, nobody said more);
    * ``no_contact_below_senior``: there are members and none with senior = nein has a Manndecker;
    * ``only_purchasing``: at least one member has a Manndecker and every such member has purchasing = ja
      (with none covered, ``without_manndecker`` already lists everyone);
    * ``no_meeting_in_person``: no quarter of ``plan_year`` in the team rhythm has the format ``persönlich``
      (also when the rhythm is empty).
    """
    covered = {p for p, n in manndecker_count(bc).items() if n > 0}
    rated = [m for m in bc.members if m.influence is not None]
    warnings = []
    if rated and all((m.informants if m.informants is not None else 1) <= 1 for m in rated):
        warnings.append("single_informant")
    if bc.members and not any(m.person in covered and not m.senior for m in bc.members):
        warnings.append("no_contact_below_senior")
    if covered and all(m.purchasing for m in bc.members if m.person in covered):
        warnings.append("only_purchasing")
    if not meets_in_person(bc, plan_year):
        warnings.append("no_meeting_in_person")
    return warnings


def buying_center_summary(bc: BuyingCenter, plan_year: int) -> BuyingCenterSummary:
    """The buying center in figures (the report's ``buying_center`` object): member count, members without a
    Manndecker, members with several (data order), whether a contact row of our top management exists, and
    :func:`buying_center_warnings`."""
    count = manndecker_count(bc)
    return BuyingCenterSummary(members=len(bc.members),
                               without_manndecker=[p for p, n in count.items() if n == 0],
                               several_manndecker=[p for p, n in count.items() if n > 1],
                               top_management_covered=any(c.top_management for c in bc.contacts),
                               warnings=buying_center_warnings(bc, plan_year))


# --- the data book --------------------------------------------------------------------------------------------------

PEOPLE_TABLES = ("buying_center", "contact_matrix", "touchpoints", "team_rhythm")


_MEMBER_FLAGS = ("senior", "purchasing", "budget_authority")


def _fields(row: dict[str, Any], flags: tuple[str, ...]) -> dict[str, Any]:
    """A data-book row as a model's fields: the row without account_id, each of ``flags`` as a truth value
    (``False`` where absent or empty) — one dict per row."""
    out = {k: v for k, v in row.items() if k != "account_id"}
    for n in flags:
        out[n] = bool(out.get(n))
    return out


def member_of(row: dict[str, Any]) -> Member:
    """A ``buying_center`` row (as the data book holds it) as a :class:`Member`."""
    return Member(**_fields(row, _MEMBER_FLAGS))


def buying_center_of(db: DataBook, account_id: str) -> BuyingCenter | None:
    """The account's people part from a validated data book, rows in data order; ``None`` when none of
    :data:`PEOPLE_TABLES` has a row for the account."""
    rows = {name: db.rows_for(name, account_id) if db.table(name) is not None else [] for name in PEOPLE_TABLES}
    if not any(rows.values()):
        return None
    return BuyingCenter(
        account_id=account_id,
        members=tuple(Member(**_fields(r, _MEMBER_FLAGS)) for r in rows["buying_center"]),
        contacts=tuple(ContactLink(**_fields(r, ("top_management", "manndecker"))) for r in rows["contact_matrix"]),
        touchpoints=tuple(Touchpoint(**_fields(r, ("done",))) for r in rows["touchpoints"]),
        rhythm=tuple(TeamMeeting(**_fields(r, ())) for r in rows["team_rhythm"]))


def people_rows(bc: BuyingCenter) -> dict[str, list[dict[str, Any]]]:
    """One account's people part as tidy rows of :data:`PEOPLE_TABLES` (colours and motives joined by
    ``", "``) — what the export writes and :func:`buying_center_of` reads back."""
    aid = {"account_id": bc.account_id}
    members = [{**aid, **m.model_dump(), "colours": ", ".join(m.colours) or None,
                "motives": ", ".join(m.motives) or None} for m in bc.members]
    return {"buying_center": members,
            "contact_matrix": [{**aid, **c.model_dump()} for c in bc.contacts],
            "touchpoints": [{**aid, **t.model_dump()} for t in bc.touchpoints],
            "team_rhythm": [{**aid, **m.model_dump()} for m in bc.rhythm]}


# --- the tables as data and their rules across cells and tables -----------------------------------------------------

def _col(name: str, kind: Kind = "text", required: bool = False, choices: Iterable[str] = ()) -> Column:
    return Column(name, kind, required, tuple(choices))


_MEMBER_NUMBERS = ("influence", "informants", "min_contacts", "max_contacts")
_MEMBER_LISTS = (("colours", COLOURS, MAX_COLOURS), ("motives", MOTIVES, MAX_MOTIVES))


def _list_problem(value: Any, allowed: tuple[str, ...], most: int, name: str) -> str | None:
    """What is wrong with a colours or motives cell (:func:`split_list`'s message without the column), or None."""
    try:
        split_list(value, allowed, most, name)
    except KamInputError as e:
        return str(e).removeprefix(f"{name}: ")
    return None


def check_members(t: ParsedTable, problems: list[Problem]) -> None:
    """The rules of ``buying_center`` rows beyond their cells' kinds: influence a whole number 1–5, informants
    and contacts whole numbers, min ≤ max, colours and motives as lists of the allowed words. Each distinct
    value is judged once (the same few values repeat on thousands of rows); only the rows holding a wrong one
    are then gone through, row by row in their order."""
    values = {name: t.column(name) for name in (*_MEMBER_NUMBERS, "colours", "motives")}
    wrong: dict[str, dict[Any, str]] = {}  # column → its distinct wrong values → what is wrong
    for name in _MEMBER_NUMBERS:
        low, high = INFLUENCE_RANGE if name == "influence" else (0, None)
        wrong[name] = {v: w for v in set(values[name]) - {None} if (w := whole_problem(v, low, high))}
    for name, allowed, most in _MEMBER_LISTS:
        wrong[name] = {v: w for v in set(values[name]) - {None} if (w := _list_problem(v, allowed, most, name))}
    rows = {i for name, bad in wrong.items() if bad for i, v in enumerate(values[name]) if v in bad}
    rows.update(i for i, (low, high) in enumerate(zip(values["min_contacts"], values["max_contacts"], strict=True))
                if low is not None and high is not None and low > high)
    for i in sorted(rows):
        for name in _MEMBER_NUMBERS:
            if (message := wrong[name].get(values[name][i])) is not None:
                problems.append(t.problem(i, name, message, values[name][i]))
        low, high = values["min_contacts"][i], values["max_contacts"][i]
        if low is not None and high is not None and low > high:
            problems.append(t.problem(i, "max_contacts", f"fewer than min_contacts ({low:g}) "
                                                         "— allowed: max_contacts ≥ min_contacts, or either "
                                                         "empty", high))
        for name, _, _ in _MEMBER_LISTS:
            if (message := wrong[name].get(values[name][i])) is not None:
                problems.append(t.problem(i, name, message, values[name][i]))


def check_people_of(t: ParsedTable, members: ParsedTable | None, problems: list[Problem]) -> None:
    """Every ``person`` of a ``contact_matrix`` or ``touchpoints`` row is a member of its account's buying
    center (a row of ``buying_center`` with the same account_id and person)."""
    known: dict[Any, set[Any]] = {}
    if members is not None:
        for aid, person in zip(members.column("account_id"), members.column("person"), strict=True):
            known.setdefault(aid, set()).add(person)
    for i, (aid, person) in enumerate(zip(t.column("account_id"), t.column("person"), strict=True)):
        if aid is None or person is None or person in known.get(aid, ()):
            continue
        there = sorted(known.get(aid, ()))
        shown = ", ".join(there[:NAMES_SHOWN]) + (f" … ({len(there)} in all)" if len(there) > NAMES_SHOWN else "")
        allowed = (f"a person of the buying center of {aid}: {shown}" if there else
                   f"a person given in the buying_center table for {aid} (it has none"
                   + (")" if members is not None else "; the data book has no buying_center table)"))
        problems.append(t.problem(i, "person", f"this person is not in the buying center of {aid} — allowed: "
                                               f"{allowed}", person))


def check_contacts(t: ParsedTable, members: ParsedTable | None, problems: list[Problem]) -> None:
    """``contact_matrix``: every person a member of the account's buying center
    (:func:`check_people_of`), and one function and top-management flag per person of ours within an account
    (the contact matrix has one column per person of ours)."""
    check_people_of(t, members, problems)
    values = {name: t.column(name) for name in ("our_function", "top_management")}
    first: dict[tuple[Any, Any], int] = {}
    for i, (aid, ours) in enumerate(zip(t.column("account_id"), t.column("our_person"), strict=True)):
        if aid is None or ours is None:
            continue
        j = first.setdefault((aid, ours), i)
        if j == i:
            continue
        for name, column in values.items():
            if column[i] != column[j] and (i, name) not in t.bad and (j, name) not in t.bad:
                problems.append(t.problem(i, name, f"{ours!r} has {_said(column[j])} in row "
                                                   f"{t.numbers[j]} — allowed: one {name} per person of ours "
                                                   f"in account {aid}", _said(column[i])))


def _said(value: Any) -> str:
    return "(empty)" if value is None else ("ja" if value else "nein") if isinstance(value, bool) else str(value)


BUYING_CENTER_TABLE = Table("buying_center", (
    _col("account_id", required=True), _col("person", required=True), _col("function"), _col("position"),
    _col("senior", "bool"), _col("purchasing", "bool"), _col("budget_authority", "bool"),
    _col("influence", "number"), _col("technical", "score"), _col("private", "score"), _col("career"),
    _col("performance_vs_competition", "choice", choices=COMPARISONS),
    _col("sympathy_vs_competition", "choice", choices=COMPARISONS), _col("colours"), _col("motives"),
    _col("informants", "amount"), _col("min_contacts", "amount"), _col("max_contacts", "amount")),
    key=("account_id", "person"),
    description="buying-center members per account (SPEC §3.6): influence 1–5, technical/private 0–100, "
                "colours up to two of Rot, Blau, Grün, Orange, motives up to three Reiss motives, contacts per year",
    check=lambda tables, problems: check_members(tables["buying_center"], problems))
CONTACT_MATRIX_TABLE = Table("contact_matrix", (
    _col("account_id", required=True), _col("person", required=True), _col("our_person", required=True),
    _col("our_function"), _col("top_management", "bool"), _col("topics"), _col("manndecker", "bool")),
    key=("account_id", "person", "our_person"),
    description="who of us covers which member, on which topics; the Manndecker marked (Fragen 53–54)",
    check=lambda tables, problems: check_contacts(tables["contact_matrix"], tables.get("buying_center"), problems))
TOUCHPOINTS_TABLE = Table("touchpoints", (
    _col("account_id", required=True), _col("year", "year", True), _col("quarter", "quarter", True),
    _col("person", required=True), _col("our_person"), _col("what"), _col("channel", "choice", choices=CHANNELS),
    _col("done", "bool")),
    key=("account_id", "year", "quarter", "person"),
    description="touchpoint plan: one touchpoint per member and quarter (seed 004)",
    check=lambda tables, problems: check_people_of(tables["touchpoints"], tables.get("buying_center"), problems))
TEAM_RHYTHM_TABLE = Table("team_rhythm", (
    _col("account_id", required=True), _col("year", "year", True), _col("quarter", "quarter", True),
    _col("format", "choice", True, MEETING_FORMATS), _col("purpose")),
    key=("account_id", "year", "quarter"),
    description="the core team's exchange per quarter: format and purpose (seed 004)")

def on_map(m: Member) -> bool:
    """Whether the Buying-Center-Map can draw a member: influence, technical, private, performance and
    sympathy vs competition are all given (the five encodings of Abb. 24)."""
    return None not in (m.influence, m.technical, m.private, m.performance_vs_competition, m.sympathy_vs_competition)
