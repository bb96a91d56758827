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

from kam_xl.buying_center import BuyingCenter
from kam_xl.company_settings import company_settings
from kam_xl.databook import AccountRow, DataBook
from kam_xl.kaop import LEVERS
from kam_xl.kasp import KASP_STATUSES, KaspProject, kasp_by_status
from kam_xl.relationships import AccountRelationships, raci_breaks, relationships_data
from kam_xl.swot import SwotEntry
from kam_xl.team import LETTERS
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
    """Names one per line (each name on one line, each once), ``None`` for none."""
    found = list(dict.fromkeys(" ".join(n.split()) for n in names))
    return LINE.join(found) or None


# ------------------------------------------------------------------------------------------ one account's data


@dataclass(frozen=True)
class _Account:
    """One account's report part and the data-book rows the data sheet shows."""

    account: AccountRow
    report: AccountRelationships
    people: BuyingCenter | None
    tasks: list[tuple[str, dict[str, str | None]]]  # task → letter → roles holding it
    projects: list[tuple[KaspProject, str | None]]  # project, the KAOP measures naming it
    swot: list[SwotEntry]


def _accounts(db: DataBook) -> list[_Account]:
    out = []
    for x in relationships_data(db):
        roles = x.roles
        tasks = [(t, {c: _joined(role for role in roles.roles if c in roles.cell(t, role)) for c in LETTERS})
                 for t in roles.tasks] if roles is not None else []
        projects = [(p, _joined(m.measure for m in x.measures if key_of(m.kasp_project) == key_of(p.project)))
                    for p in x.projects]
        out.append(_Account(account=x.account, report=x.report, people=x.people, tasks=tasks, projects=projects,
                            swot=x.swot))
    return out


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


_RowsOf = Callable[[_Account], list[list[tuple[Any, str]]]]


def _block(top: int, accs: list[_Account], rows_of: _RowsOf) -> tuple[_Block, int]:
    """The block whose title is at row ``top`` (headers below it, then each account's rows as ``rows_of``
    gives them): its first data row and each account's span; and the next free row (after the blank row that
    ends the block)."""
    block = _Block(first=top + 2)
    r = block.first
    for x in accs:
        n = len(rows_of(x))
        block.spans[x.account.account_id] = (r, r + max(n, 1) - 1)
        r += n
    return block, r + 2  # the row after the last data row stays blank: an empty account's range may point there


def _block_cells(sheet: str, top: int, title: str, heads: Sequence[str], accs: list[_Account],
                 rows_of: _RowsOf) -> Iterator[Cell]:
    """The cells of a block placed by :func:`_block`: title, headers, each account's rows (cells as (value,
    style)), one account at a time."""
    out = Sheet(sheet)
    out.put(top, 0, title, style="subtitle")
    _headers(out, top + 1, 0, heads)
    r = top + 2
    for x in accs:
        for values in rows_of(x):
            for c, (v, style) in enumerate(values):
                out.put(r, c, v, style=style)
            r += 1
        yield from out.cells
        out.cells.clear()


def _member_rows(x: _Account, words: tuple[str, str]) -> list[list[tuple[Any, str]]]:
    bc, year = x.people, x.account.plan_year
    if bc is None:
        return []
    planned = {(t.person, t.quarter): t.done for t in bc.touchpoints if t.year == year}
    rows = []
    for m in bc.members:
        mine = [c for c in bc.contacts if c.person == m.person]
        rows.append([(x.account.account_id, "text"), (m.person, "text"),
                     (_joined(c.our_person for c in mine if c.manndecker), "wrap"),
                     (_joined(c.our_person for c in mine if c.top_management), "wrap"),
                     (m.min_contacts, "integer"), (m.max_contacts, "integer"), (year, "integer"),
                     *(((words[planned[(m.person, q)]] if (m.person, q) in planned else None), "text")
                       for q in QUARTERS)])
    return rows


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
    touch = _t(lang, "geplant", "planned"), _t(lang, "erledigt", "done")
    words = {False: touch[0], True: touch[1]}
    levers, statuses = LEVER_WORDS[lang], KASP_STATUS_WORDS[lang]
    specs: list[tuple[str, str, Sequence[str], _RowsOf]] = [
        ("members", _t(lang, "Buying Center: Mitglieder, Kontakte, Touchpoints", "Buying center: members, contacts, "
                       "touchpoints"),
         ("ID", _t(lang, "Person", "Person"), "Manndecker", _t(lang, "Top-Management", "Top management"),
          _t(lang, "Kontakte min", "Contacts min"), _t(lang, "Kontakte max", "Contacts max"),
          _t(lang, "Planjahr", "Plan year"), *(f"Touchpoint Q{q}" for q in QUARTERS)),
         lambda x: _member_rows(x, (words[False], words[True]))),
        ("tasks", _t(lang, "Team-RACI: Aufgaben (je Buchstabe die Rollen)", "Team RACI: tasks (roles per letter)"),
         ("ID", _t(lang, "Aufgabe", "Task"), *LETTERS),
         lambda x: [[(x.account.account_id, "text"), (t, "text"), *((cells[c], "wrap") for c in LETTERS)]
                    for t, cells in x.tasks]),
        ("projects", _t(lang, "KASP: Projekte", "KASP: projects"),
         ("ID", _t(lang, "Projekt", "Project"), _t(lang, "Hebel", "Lever"), "Start", _t(lang, "Ende", "End"),
          "Status", _t(lang, "KAOP-Maßnahmen", "KAOP measures")),
         lambda x: [[(x.account.account_id, "text"), (p.project, "text"), (levers[p.lever], "text"),
                     (p.start_year, "integer"), (p.end_year, "integer"), (statuses[p.status], "text"), (m, "wrap")]
                    for p, m in x.projects]),
        ("swot", _t(lang, "SWOT: Einträge", "SWOT: entries"),
         ("ID", _t(lang, "Quadrant", "Quadrant"), _t(lang, "Hebel", "Lever"), _t(lang, "Eintrag", "Entry")),
         lambda x: [[(x.account.account_id, "text"), (e.quadrant, "text"), (levers[e.lever], "text"),
                     (e.entry, "text")] for e in x.swot]),
    ]
    blocks: dict[str, _Block] = {}
    tops: dict[str, int] = {}
    r = 3
    for key, _, _, rows_of in specs:
        tops[key] = r
        blocks[key], r = _block(r, accs, rows_of)

    def rows() -> Iterator[Cell]:  # the blocks' cells, produced one account at a time as they are written
        for key, title, heads, rows_of in specs:
            yield from _block_cells(s.name, tops[key], title, heads, accs, rows_of)

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
    bc, contacts = x.report.buying_center, x.report.contacts
    if bc is None or contacts is None:
        return
    aid = x.account.account_id
    ids, md, top, low, high = (b.col(data, aid, c) for c in range(0, 6) if c != 1)
    qs = [b.col(data, aid, 7 + i) for i in range(len(QUARTERS))]
    quarters = b.col(data, aid, 7, 7 + len(QUARTERS) - 1)
    me = f"({ids}={s.ref(r, R_ID)})"
    planned = "(" + "+".join(f"({q}<>\"\")" for q in qs) + ")"
    status = [c.status for c in contacts.values()]
    s.put(r, R_MEMBERS, formula=f"=SUMPRODUCT(--{me})", cached=bc.members, style="integer")
    s.put(r, R_NO_MD, formula=f'=SUMPRODUCT({me}*({md}=""))', cached=len(bc.without_manndecker), style="integer")
    s.put(r, R_SEVERAL_MD, formula=f"=SUMPRODUCT({me}*ISNUMBER(FIND(CHAR(10),{md})))",
          cached=len(bc.several_manndecker), style="integer")
    s.put(r, R_TOP, formula=f'=IF(SUMPRODUCT({me}*({top}<>""))>0,"{yes_no[0]}","{yes_no[1]}")',
          cached=yes_no[0] if bc.top_management_covered else yes_no[1], style="bold")
    s.put(r, R_PLANNED, formula=f'=SUMPRODUCT({me}*({quarters}<>""))',
          cached=sum(c.planned for c in contacts.values()), style="integer")
    s.put(r, R_DONE, formula=f'=SUMPRODUCT({me}*({quarters}="{done_word}"))',
          cached=sum(c.done for c in contacts.values()), style="integer")
    s.put(r, R_BELOW, formula=f"=SUMPRODUCT({me}*ISNUMBER({low})*({planned}<{low}))", cached=status.count("below"),
          style="integer")
    s.put(r, R_ABOVE, formula=f"=SUMPRODUCT({me}*ISNUMBER({high})*({planned}>{high}))",
          cached=status.count("above"), style="integer")


def _raci_cells(s: Sheet, r: int, x: _Account, data: Sheet, b: _Block) -> None:
    raci = x.report.raci
    if raci is None:
        return
    aid = x.account.account_id
    ids, resp, appr = b.col(data, aid, 0), b.col(data, aid, 2), b.col(data, aid, 3)
    me = f"({ids}={s.ref(r, R_ID)})"
    n_a = f'(({appr}<>"")+LEN({appr})-LEN(SUBSTITUTE({appr},CHAR(10),"")))'
    s.put(r, R_TASKS, formula=f"=SUMPRODUCT(--{me})", cached=raci.tasks, style="integer")
    s.put(r, R_BREAKS, formula=f'=SUMPRODUCT({me}*((({n_a}<>1)+({resp}=""))>0))', cached=len(raci_breaks(raci)),
          style="integer")


def _kasp_cells(s: Sheet, r: int, x: _Account, data: Sheet, b: _Block, horizon: str, lang: Lang) -> None:
    kasp = x.report.kasp
    if kasp is None:
        return
    aid = x.account.account_id
    ids, start, end, status, measures = (b.col(data, aid, c) for c in (0, 3, 4, 5, 6))
    me, py = f"({ids}={s.ref(r, R_ID)})", s.ref(r, R_YEAR)
    counts = kasp_by_status(p for p, _ in x.projects)
    for i, st in enumerate(KASP_STATUSES):
        s.put(r, R_STATUS0 + i, formula=f'=SUMPRODUCT({me}*({status}="{KASP_STATUS_WORDS[lang][st]}"))',
              cached=counts[st], style="integer")
    s.put(r, R_OUTSIDE, formula=f"=SUMPRODUCT({me}*((({start}<{py})+({end}>{py}+{horizon})+({start}>{end}))>0))",
          cached=len(kasp.outside_horizon), style="integer")
    s.put(r, R_WITHOUT, formula=f'=SUMPRODUCT({me}*({start}={py})*({measures}=""))',
          cached=len(kasp.without_kaop_measure), style="integer")


def _swot_cells(s: Sheet, r: int, x: _Account, data: Sheet, b: _Block, lang: Lang) -> None:
    swot = x.report.swot
    if swot is None:
        return
    aid = x.account.account_id
    ids, lever = b.col(data, aid, 0), b.col(data, aid, 2)
    me = f"({ids}={s.ref(r, R_ID)})"
    words = LEVER_WORDS[lang]
    empty = {lv: f'(SUMPRODUCT({me}*({lever}="{words[lv]}"))=0)' for lv in LEVERS}
    s.put(r, R_ENTRIES, formula=f"=SUMPRODUCT(--{me})", cached=len(x.swot), style="integer")
    s.put(r, R_EMPTY, formula="=" + "+".join(empty.values()), cached=len(swot.empty_levers), style="integer")
    names = "&".join(f'IF({cond},", {words[lv]}","")' for lv, cond in empty.items())
    s.put(r, R_EMPTY_NAMES, formula=f"=MID({names},3,200)",
          cached=", ".join(words[lv] for lv in swot.empty_levers), style="text")


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
        accs = _accounts(ctx.db)
        if not accs:
            return [_sheet(ctx.db, accs, None, {}, ctx.lang)]
        data, blocks = _data_sheet(accs, ctx.lang)
        return [_sheet(ctx.db, accs, data, blocks, ctx.lang), data]
