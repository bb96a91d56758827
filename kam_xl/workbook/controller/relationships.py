"""The controller's "Beziehungen" sheet (issue 11, across accounts) and, right after it, the hidden
"Beziehungs-Daten" sheet its formulas read (one sheet kind for both: the data book is read once).

``Beziehungen`` / ``Relationships``: one row per account of :func:`kam_xl.relationships.relationships_report`
(every account with data in a relationship table) — members, members without a Manndecker and with several,
our top management covered, touchpoints planned / done in the plan year, members below / above their contact
target, RACI tasks and tasks with a rule break, KASP projects by status with the projects outside the horizon
and those starting in the plan year without a KAOP measure, SWOT entries and empty levers. A part the account
has no data for stays empty (``null`` in the report); a section whose data-book tables are all absent says so.

``Beziehungs-Daten`` / ``Relationship data`` holds values only, one block each, rows sorted by account in the
order of the accounts sheet: one row per member (our Manndeckers and top-management contacts of the member,
one per line; min / max contacts; the plan year's touchpoint per quarter, ``geplant`` or ``erledigt``), one per
RACI task (per letter the roles holding it, one per line), one per KASP project (years, status, the KAOP
measures naming it) and one per SWOT entry. Each figure is a formula over the account's own rows of a block
(its range is known when the sheet is written: no whole-column lookups, so 10,000 accounts stay linear); the
range of an account without rows in a block is the one row after where they would be, which belongs to another
account or is blank, and every formula also asks for the account's ID. Cached values come from the pure
functions; the recalculation test proves LibreOffice computes the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kam_xl.company_settings import company_settings
from kam_xl.databook import AccountRow, DataBook
from kam_xl.kaop import LEVERS
from kam_xl.kasp import KASP_STATUSES, kasp_by_status
from kam_xl.relationships import AccountData, each_relationships_data, raci_breaks
from kam_xl.team import LETTERS, TeamRoles
from kam_xl.text import key_of
from kam_xl.vocabulary import KASP_STATUS_WORDS, LEVER_WORDS, YES_NO, Lang, sheet_title
from kam_xl.workbook.controller.common import LIGHT_FORMATS, _headers, _missing_note, produce
from kam_xl.workbook.controller.kind import BuildContext, ControllerSheet
from kam_xl.workbook.layout import Cell, Conditional, Print, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.years import year_span

LINE = "\n"  # joins several names in one data cell; a formula counts them by CHAR(10)
QUARTERS = (1, 2, 3, 4)
BLOCKS = ("members", "tasks", "projects", "swot")  # the data sheet's blocks, top to bottom


def _joined(names: Iterable[str]) -> str | None:
    """Names one per line (each name on one line, each once), ``None`` for none. A name already on one line is
    the data book's own string (one copy, not one per row that shows it: held for every account until written);
    so is a single name's cell."""
    found = list(dict.fromkeys(map(_on_one_line, names)))
    return LINE.join(found) or None


def _on_one_line(name: str) -> str:
    """``name`` with its runs of white space (line breaks too) as one space: ``name`` itself when it has none."""
    line = " ".join(name.split())
    return name if line == name else line


# ------------------------------------------------------------------------------------------ one account's data


_Row = tuple[Any, ...]  # one data-sheet row's values, left to right


@dataclass(frozen=True, slots=True)
class _Account:
    """What the two sheets show of one account, kept as plain values: the account, the figures of the
    ``Beziehungen`` row (``None`` for a part without data) and the rows of each data-sheet block (values in
    :data:`BLOCKS` order). The account's models (buying center, roles, projects, report) are let go once these
    are taken from them, so that the controller's memory does not grow by them per account."""

    account: AccountRow
    people: tuple[int, int, int, bool, int, int, int, int] | None  # members … above target (_people_cells)
    raci: tuple[int, int] | None  # tasks, tasks with a rule break
    kasp: tuple[tuple[int, ...], int, int] | None  # per KASP status, outside horizon, without KAOP measure
    swot: tuple[int, tuple[str, ...]] | None  # entries, empty levers
    blocks: tuple[tuple[_Row, ...], ...]  # per block of BLOCKS, the account's rows


def _member_rows(x: AccountData, words: tuple[str, str]) -> list[_Row]:
    bc, year = x.people, x.account.plan_year
    if bc is None:
        return []
    planned = {(t.person, t.quarter): t.done for t in bc.touchpoints if t.year == year}
    rows = []
    for m in bc.members:
        mine = [c for c in bc.contacts if c.person == m.person]
        rows.append((x.account.account_id, m.person, _joined(c.our_person for c in mine if c.manndecker),
                     _joined(c.our_person for c in mine if c.top_management), m.min_contacts, m.max_contacts, year,
                     *((words[planned[(m.person, q)]] if (m.person, q) in planned else None) for q in QUARTERS)))
    return rows


def _task_values(roles: TeamRoles) -> list[_Row]:
    """Per task of a RACI matrix: the task and, per letter, the roles holding it (the task block's row
    without the account's ID)."""
    rows = []
    for t in roles.tasks:
        row = roles.letters.get(t, {})  # roles.cell(t, role) of the roles holding a letter, in roles order
        held = [(role, row[role]) for role in roles.roles if row.get(role)]
        rows.append((t, *(_joined([role for role, cell in held if c in cell]) for c in LETTERS)))
    return rows


class _TaskMemo:
    """:func:`_task_values` of each matrix once: the accounts without RACI rows of their own share the
    company's matrix object (:func:`kam_xl.relationships.company_raci`), so its rows are joined once per
    build; the memo holds each matrix it saw, so an ``id`` is never reused while it lives."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[TeamRoles, list[_Row]]] = {}

    def __call__(self, roles: TeamRoles) -> list[_Row]:
        hit = self._seen.get(id(roles))
        if hit is None:
            hit = self._seen[id(roles)] = (roles, _task_values(roles))
        return hit[1]


def _block_rows(x: AccountData, lang: Lang, task_values: Callable[[TeamRoles], list[_Row]] = _task_values,
                ) -> tuple[tuple[_Row, ...], ...]:
    """The account's rows of each data-sheet block (:data:`BLOCKS`), values only."""
    aid, roles = x.account.account_id, x.roles
    words = (_t(lang, "geplant", "planned"), _t(lang, "erledigt", "done"))
    levers, statuses = LEVER_WORDS[lang], KASP_STATUS_WORDS[lang]
    tasks = [(aid, *values) for values in task_values(roles)] if roles is not None else []
    projects = [(aid, p.project, levers[p.lever], p.start_year, p.end_year, statuses[p.status],
                 _joined(m.measure for m in x.measures if key_of(m.kasp_project) == key_of(p.project)))
                for p in x.projects]
    swot = [(aid, e.quadrant, levers[e.lever], e.entry) for e in x.swot]
    return tuple(map(tuple, (_member_rows(x, words), tasks, projects, swot)))


def _figures(x: AccountData, lang: Lang, task_values: Callable[[TeamRoles], list[_Row]] = _task_values,
             ) -> _Account:
    """One account's :class:`_Account` from its models (``task_values``: :func:`_task_values` or a
    :class:`_TaskMemo` of it)."""
    r = x.report
    bc, contacts = r.buying_center, r.contacts
    people = None
    if bc is not None and contacts is not None:
        status = [c.status for c in contacts.values()]
        people = (bc.members, len(bc.without_manndecker), len(bc.several_manndecker), bc.top_management_covered,
                  sum(c.planned for c in contacts.values()), sum(c.done for c in contacts.values()),
                  status.count("below"), status.count("above"))
    counts = kasp_by_status(x.projects)
    return _Account(account=x.account, people=people,
                    raci=(r.raci.tasks, len(raci_breaks(r.raci))) if r.raci is not None else None,
                    kasp=(tuple(counts[st] for st in KASP_STATUSES), len(r.kasp.outside_horizon),
                          len(r.kasp.without_kaop_measure)) if r.kasp is not None else None,
                    swot=(len(x.swot), tuple(r.swot.empty_levers)) if r.swot is not None else None,
                    blocks=_block_rows(x, lang, task_values))


def _accounts(db: DataBook, lang: Lang) -> list[_Account]:
    memo = _TaskMemo()
    return [_figures(x, lang, memo) for x in each_relationships_data(db)]


# ------------------------------------------------------------------------------------------ the data sheet


@dataclass
class _Block:
    """A block of the data sheet: its first data row, and per account the rows of its range."""

    first: int
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)

    def col(self, data: Sheet, account_id: str, c: int, last_col: int | None = None) -> str:
        """The account's range of column ``c`` (to ``last_col``) on ``data``."""
        top, bottom = self.spans[account_id]
        return data.ref(top, c, bottom, c if last_col is None else last_col)


def _block(top: int, accs: list[_Account], k: int) -> tuple[_Block, int]:
    """The block ``k`` of :data:`BLOCKS` whose title is at row ``top`` (headers below it, then each account's
    rows): its first data row and each account's span; and the next free row (after the blank row that ends
    the block)."""
    block = _Block(first=top + 2)
    r = block.first
    for x in accs:
        n = len(x.blocks[k])
        block.spans[x.account.account_id] = (r, r + max(n, 1) - 1)
        r += n
    return block, r + 2  # the row after the last data row stays blank: an empty account's range may point there


def _block_cells(sheet: str, top: int, title: str, heads: Sequence[str], accs: list[_Account], k: int,
                 styles: Sequence[str]) -> Iterator[Cell]:
    """The cells of block ``k`` placed by :func:`_block`: title, headers, each account's rows (a value per
    column, styled as ``styles``), one account at a time."""
    out = Sheet(sheet)
    out.put(top, 0, title, style="subtitle")
    _headers(out, top + 1, 0, heads)
    r = top + 2
    cells = out.cells
    for x in accs:
        for values in x.blocks[k]:  # Cell(row, col, value, formula, cached, style): Sheet.put in short (no name)
            cells += [Cell(r, c, v, None, None, style) for c, (v, style) in enumerate(zip(values, styles, strict=True))]
            r += 1
        yield from cells
        cells.clear()


def _data_sheet(accs: list[_Account], lang: Lang) -> tuple[Sheet, dict[str, _Block]]:
    s = Sheet(_t(lang, "Beziehungs-Daten", "Relationship data"), widths={0: 10, 1: 30, 2: 22, 3: 22, 4: 12, 5: 12,
                                                                          **{c: 12 for c in range(6, 11)}},
              freeze=(0, 2), print=Print(printed=False), streamed=True)  # raw data: hidden, not printed
    s.put(0, 0, sheet_title(lang, _t(lang, "Beziehungs-Daten aus dem Datenbuch (Planjahr je Kunde)",
                                     "Relationship data from the data book (plan year per account)"),
                            year_span(x.account.plan_year for x in accs)), style="title")
    s.put(1, 0, _t(lang, "Werte des Datenbuchs zur Zeit der Erzeugung, je Kunde zusammenhängend; mehrere Namen "
                         "in einer Zelle stehen je in einer Zeile. Die Formeln auf „Beziehungen“ zählen hier.",
                   "Data-book values at generation time, each account's rows together; several names in one cell "
                   "are one per line. The formulas on 'Relationships' count here."), style="note")
    specs: list[tuple[str, Sequence[str], Sequence[str]]] = [  # per block of BLOCKS: title, headers, styles
        (_t(lang, "Buying Center: Mitglieder, Kontakte, Touchpoints", "Buying center: members, contacts, "
                  "touchpoints"),
         ("ID", _t(lang, "Person", "Person"), "Manndecker", _t(lang, "Top-Management", "Top management"),
          _t(lang, "Kontakte min", "Contacts min"), _t(lang, "Kontakte max", "Contacts max"),
          _t(lang, "Planjahr", "Plan year"), *(f"Touchpoint Q{q}" for q in QUARTERS)),
         ("text", "text", "wrap", "wrap", "integer", "integer", "integer", *("text" for _ in QUARTERS))),
        (_t(lang, "Team-RACI: Aufgaben (je Buchstabe die Rollen)", "Team RACI: tasks (roles per letter)"),
         ("ID", _t(lang, "Aufgabe", "Task"), *LETTERS), ("text", "text", *("wrap" for _ in LETTERS))),
        (_t(lang, "KASP: Projekte", "KASP: projects"),
         ("ID", _t(lang, "Projekt", "Project"), _t(lang, "Hebel", "Lever"), "Start", _t(lang, "Ende", "End"),
          "Status", _t(lang, "KAOP-Maßnahmen", "KAOP measures")),
         ("text", "text", "text", "integer", "integer", "text", "wrap")),
        (_t(lang, "SWOT: Einträge", "SWOT: entries"),
         ("ID", _t(lang, "Quadrant", "Quadrant"), _t(lang, "Hebel", "Lever"), _t(lang, "Eintrag", "Entry")),
         ("text", "text", "text", "text")),
    ]
    blocks: dict[str, _Block] = {}
    tops: dict[str, int] = {}
    r = 3
    for k, key in enumerate(BLOCKS):
        tops[key] = r
        blocks[key], r = _block(r, accs, k)

    name = s.name  # not ``s``: the sheet holds ``rows``, which would make a cycle for the collector

    def rows() -> Iterator[Cell]:  # the blocks' cells, produced one account at a time as they are written
        for k, (key, (title, heads, styles)) in enumerate(zip(BLOCKS, specs, strict=True)):
            yield from _block_cells(name, tops[key], title, heads, accs, k, styles)

    s.rows = rows
    for key, last_col in zip(BLOCKS, (10, 6, 6, 3), strict=True):
        b = blocks[key]
        last = max((bottom for _, bottom in b.spans.values()), default=b.first)
        s.name_range(f"ctl_data_rel_{key}", b.first, 0, last, last_col)
    return s, blocks


# ------------------------------------------------------------------------------------------ the sheet

(R_ID, R_NAME, R_YEAR, R_MEMBERS, R_NO_MD, R_SEVERAL_MD, R_TOP, R_PLANNED, R_DONE, R_BELOW, R_ABOVE, R_TASKS,
 R_BREAKS) = range(13)
R_STATUS0 = 13  # one column per KASP status
R_OUTSIDE, R_WITHOUT, R_ENTRIES, R_EMPTY, R_EMPTY_NAMES = range(R_STATUS0 + len(KASP_STATUSES),
                                                                R_STATUS0 + len(KASP_STATUSES) + 5)
FIRST = 6  # the first account row (title, two notes, horizon, section titles, headers above)
#: column → defined name of its range on the sheet
NAMES = {R_ID: "ctl_rel_ids", R_MEMBERS: "ctl_rel_members", R_NO_MD: "ctl_rel_without_manndecker",
         R_SEVERAL_MD: "ctl_rel_several_manndecker", R_TOP: "ctl_rel_top_management",
         R_PLANNED: "ctl_rel_touchpoints_planned", R_DONE: "ctl_rel_touchpoints_done",
         R_BELOW: "ctl_rel_contacts_below", R_ABOVE: "ctl_rel_contacts_above", R_TASKS: "ctl_rel_raci_tasks",
         R_BREAKS: "ctl_rel_raci_breaks",
         **{R_STATUS0 + i: f"ctl_rel_kasp_{st}" for i, st in enumerate(KASP_STATUSES)},
         R_OUTSIDE: "ctl_rel_kasp_outside_horizon", R_WITHOUT: "ctl_rel_kasp_without_kaop_measure",
         R_ENTRIES: "ctl_rel_swot_entries", R_EMPTY: "ctl_rel_swot_empty_levers",
         R_EMPTY_NAMES: "ctl_rel_swot_empty_lever_names"}
#: the sections: (first column, last column, title de, title en, the data-book tables they read)
SECTIONS = ((R_MEMBERS, R_ABOVE, "Buying Center und Kontakte", "Buying center and contacts",
             ("buying_center", "contact_matrix", "touchpoints", "team_rhythm")),
            (R_TASKS, R_BREAKS, "Team-RACI", "Team RACI", ("team_roles",)),
            (R_STATUS0, R_WITHOUT, "KASP", "KASP", ("kasp",)),
            (R_ENTRIES, R_EMPTY_NAMES, "SWOT (6-P)", "SWOT (6-P)", ("swot",)))


def _people_cells(s: Sheet, r: int, x: _Account, data: Sheet, b: _Block, yes_no: tuple[str, str],
                  done_word: str) -> None:
    if x.people is None:
        return
    members, no_md, several_md, top_covered, n_planned, n_done, below, above = x.people
    aid = x.account.account_id
    ids, md, top, low, high = (b.col(data, aid, c) for c in range(0, 6) if c != 1)
    qs = [b.col(data, aid, 7 + i) for i in range(len(QUARTERS))]
    quarters = b.col(data, aid, 7, 7 + len(QUARTERS) - 1)
    me = f"({ids}={s.ref(r, R_ID)})"
    planned = "(" + "+".join(f"({q}<>\"\")" for q in qs) + ")"
    s.put(r, R_MEMBERS, formula=f"=SUMPRODUCT(--{me})", cached=members, style="integer")
    s.put(r, R_NO_MD, formula=f'=SUMPRODUCT({me}*({md}=""))', cached=no_md, style="integer")
    s.put(r, R_SEVERAL_MD, formula=f"=SUMPRODUCT({me}*ISNUMBER(FIND(CHAR(10),{md})))", cached=several_md,
          style="integer")
    s.put(r, R_TOP, formula=f'=IF(SUMPRODUCT({me}*({top}<>""))>0,"{yes_no[0]}","{yes_no[1]}")',
          cached=yes_no[0] if top_covered else yes_no[1], style="bold")
    s.put(r, R_PLANNED, formula=f'=SUMPRODUCT({me}*({quarters}<>""))', cached=n_planned, style="integer")
    s.put(r, R_DONE, formula=f'=SUMPRODUCT({me}*({quarters}="{done_word}"))', cached=n_done, style="integer")
    s.put(r, R_BELOW, formula=f"=SUMPRODUCT({me}*ISNUMBER({low})*({planned}<{low}))", cached=below, style="integer")
    s.put(r, R_ABOVE, formula=f"=SUMPRODUCT({me}*ISNUMBER({high})*({planned}>{high}))", cached=above,
          style="integer")


def _raci_cells(s: Sheet, r: int, x: _Account, data: Sheet, b: _Block) -> None:
    if x.raci is None:
        return
    tasks, breaks = x.raci
    aid = x.account.account_id
    ids, resp, appr = b.col(data, aid, 0), b.col(data, aid, 2), b.col(data, aid, 3)
    me = f"({ids}={s.ref(r, R_ID)})"
    n_a = f'(({appr}<>"")+LEN({appr})-LEN(SUBSTITUTE({appr},CHAR(10),"")))'
    s.put(r, R_TASKS, formula=f"=SUMPRODUCT(--{me})", cached=tasks, style="integer")
    s.put(r, R_BREAKS, formula=f'=SUMPRODUCT({me}*((({n_a}<>1)+({resp}=""))>0))', cached=breaks, style="integer")


def _kasp_cells(s: Sheet, r: int, x: _Account, data: Sheet, b: _Block, horizon: str, lang: Lang) -> None:
    if x.kasp is None:
        return
    counts, outside, without = x.kasp
    aid = x.account.account_id
    ids, start, end, status, measures = (b.col(data, aid, c) for c in (0, 3, 4, 5, 6))
    me, py = f"({ids}={s.ref(r, R_ID)})", s.ref(r, R_YEAR)
    for i, st in enumerate(KASP_STATUSES):
        s.put(r, R_STATUS0 + i, formula=f'=SUMPRODUCT({me}*({status}="{KASP_STATUS_WORDS[lang][st]}"))',
              cached=counts[i], style="integer")
    s.put(r, R_OUTSIDE, formula=f"=SUMPRODUCT({me}*((({start}<{py})+({end}>{py}+{horizon})+({start}>{end}))>0))",
          cached=outside, style="integer")
    s.put(r, R_WITHOUT, formula=f'=SUMPRODUCT({me}*({start}={py})*({measures}=""))',
          cached=without, style="integer")


def _swot_cells(s: Sheet, r: int, x: _Account, data: Sheet, b: _Block, lang: Lang) -> None:
    if x.swot is None:
        return
    entries, empty_levers = x.swot
    aid = x.account.account_id
    ids, lever = b.col(data, aid, 0), b.col(data, aid, 2)
    me = f"({ids}={s.ref(r, R_ID)})"
    words = LEVER_WORDS[lang]
    empty = {lv: f'(SUMPRODUCT({me}*({lever}="{words[lv]}"))=0)' for lv in LEVERS}
    s.put(r, R_ENTRIES, formula=f"=SUMPRODUCT(--{me})", cached=entries, style="integer")
    s.put(r, R_EMPTY, formula="=" + "+".join(empty.values()), cached=len(empty_levers), style="integer")
    names = "&".join(f'IF({cond},", {words[lv]}","")' for lv, cond in empty.items())
    s.put(r, R_EMPTY_NAMES, formula=f"=MID({names},3,200)",
          cached=", ".join(words[lv] for lv in empty_levers), style="text")


def _heads(lang: Lang) -> list[str]:
    status_words = KASP_STATUS_WORDS[lang]
    return ["ID", _t(lang, "Kunde", "Account"), _t(lang, "Planjahr", "Plan year"),
            _t(lang, "Mitglieder", "Members"), _t(lang, "ohne Manndecker", "without Manndecker"),
            _t(lang, "mehrere Manndecker", "several Manndecker"), _t(lang, "Top-Management", "Top management"),
            _t(lang, "Touchpoints geplant", "Touchpoints planned"), _t(lang, "erledigt", "done"),
            _t(lang, "unter Ziel", "below target"), _t(lang, "über Ziel", "above target"),
            _t(lang, "Aufgaben", "Tasks"), _t(lang, "mit Regelbruch", "with rule break"),
            *(status_words[st] for st in KASP_STATUSES), _t(lang, "außerhalb Horizont", "outside horizon"),
            _t(lang, "ohne KAOP-Maßnahme", "no KAOP measure"), _t(lang, "Einträge", "Entries"),
            _t(lang, "leere Hebel", "empty levers"), _t(lang, "welche", "which")]


def _lights(s: Sheet, last: int, lang: Lang) -> None:
    """Red: members without Manndecker, top management not covered, RACI breaks; amber: several Manndeckers,
    contacts off target, KASP findings, empty SWOT levers; green: top management covered."""
    yes, no = YES_NO[lang]
    for c, light in ((R_NO_MD, "loss"), (R_BREAKS, "loss"), (R_SEVERAL_MD, "mid"), (R_BELOW, "mid"),
                     (R_ABOVE, "mid"), (R_OUTSIDE, "mid"), (R_WITHOUT, "mid"), (R_EMPTY, "mid")):
        s.conditionals.append(Conditional(FIRST, c, last, c, {"type": "cell", "criteria": ">", "value": 0,
                                                              "format": LIGHT_FORMATS[light]}))
    for word, light in ((no, "loss"), (yes, "high")):
        s.conditionals.append(Conditional(FIRST, R_TOP, last, R_TOP, {"type": "cell", "criteria": "==",
                                                                      "value": f'"{word}"',
                                                                      "format": LIGHT_FORMATS[light]}))


def _sheet(db: DataBook, accs: list[_Account], data: Sheet | None, blocks: dict[str, _Block], lang: Lang) -> Sheet:
    s = Sheet(_t(lang, "Beziehungen", "Relationships"),
              widths={0: 10, 1: 30, 2: 9, R_MEMBERS: 11, R_NO_MD: 16, R_SEVERAL_MD: 18, R_TOP: 15, R_PLANNED: 19,
                      R_DONE: 9, R_BELOW: 10, R_ABOVE: 10, R_TASKS: 10, R_BREAKS: 15,
                      **{R_STATUS0 + i: 13 for i in range(len(KASP_STATUSES))}, R_OUTSIDE: 18, R_WITHOUT: 19,
                      R_ENTRIES: 9, R_EMPTY: 12, R_EMPTY_NAMES: 28},
              freeze=(FIRST, 2))
    s.put(0, 0, sheet_title(lang, _t(lang, "Beziehungen und Team – alle Key Accounts",
                                     "Relationships and team – all key accounts"),
                            year_span(x.account.plan_year for x in accs)),
          style="title")
    if not accs or data is None:
        _missing_note(s, 1, lang, " / ".join(t for *_, tables in SECTIONS for t in tables))
        return s
    s.put(1, 0, _t(lang, "Je Kunde im Planjahr: Buying Center und Kontaktmatrix (Manndecker, Top-Management, "
                         "Touchpoints gegen min/max), Team-RACI (genau ein A, mindestens ein R je Aufgabe),",
                   "Per account in the plan year: buying center and contact matrix (Manndecker, top management, "
                   "touchpoints against min/max), team RACI (exactly one A, at least one R per task),"), style="note")
    s.put(2, 0, _t(lang, "KASP (Planjahr ≤ Start ≤ Ende ≤ Planjahr + Horizont; ein Projekt ab dem Planjahr braucht "
                         "eine KAOP-Maßnahme), SWOT (leere Hebel). Leer = keine Daten; Formeln über "
                         "„Beziehungs-Daten“ (ausgeblendet).",
                   "KASP (plan year ≤ start ≤ end ≤ plan year + horizon; a project from the plan year needs a KAOP "
                   "measure), SWOT (empty levers). Empty = no data; formulas over 'Relationship data' (hidden)."),
          style="note")
    s.put(3, 0, _t(lang, "KASP-Horizont (Jahre)", "KASP horizon (years)"), style="label")
    horizon = s.put(3, 2, company_settings(db).kasp_horizon, style="integer", name="ctl_rel_kasp_horizon").absolute
    for first, _, de, en, tables in SECTIONS:
        absent = [t for t in tables if db.table(t) is None]
        text = _t(lang, de, en) if len(absent) < len(tables) else _t(
            lang, f"{de}: keine Tabelle {' / '.join(absent)}", f"{en}: no table {' / '.join(absent)}")
        s.put(FIRST - 2, first, text, style="subtitle" if len(absent) < len(tables) else "note")
    _headers(s, FIRST - 1, 0, _heads(lang))
    yes_no, done_word = YES_NO[lang], _t(lang, "erledigt", "done")

    def fill(out: Sheet) -> Iterator[None]:  # one account's row at a time
        for i, x in enumerate(accs):
            r = FIRST + i
            out.put(r, R_ID, x.account.account_id, style="bold")
            out.put(r, R_NAME, x.account.name)
            out.put(r, R_YEAR, x.account.plan_year, style="integer")
            _people_cells(out, r, x, data, blocks["members"], yes_no, done_word)
            _raci_cells(out, r, x, data, blocks["tasks"])
            _kasp_cells(out, r, x, data, blocks["projects"], horizon, lang)
            _swot_cells(out, r, x, data, blocks["swot"], lang)
            yield

    produce(s, fill)
    last = FIRST + len(accs) - 1
    s.name_range("ctl_rel", FIRST, 0, last, R_EMPTY_NAMES)
    for c, name in NAMES.items():
        s.name_range(name, FIRST, c, last, c)
    _lights(s, last, lang)
    return s


class RelationshipsSheet(ControllerSheet):
    """``Beziehungen`` / ``Relationships``: per account buying center, contacts, RACI, KASP and SWOT figures,
    followed by the hidden ``Beziehungs-Daten`` / ``Relationship data`` sheet its formulas count (none without
    relationship data). One kind for both, so that the data book is read once."""

    key = "relationships"

    def build(self, ctx: BuildContext) -> list[Sheet]:
        accs = _accounts(ctx.db, ctx.lang)
        if not accs:
            return [_sheet(ctx.db, accs, None, {}, ctx.lang)]
        data, blocks = _data_sheet(accs, ctx.lang)
        return [_sheet(ctx.db, accs, data, blocks, ctx.lang), data]
