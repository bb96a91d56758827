"""The ``Team-RACI`` sheet: who does what in the key account team (seed 004, RACI with R, A, S, I, C;
:mod:`kam_xl.team`).

Tasks down (inputs, plus free rows), team roles across (inputs in the header, plus free columns), a letter
cell per task and role (a drop-down of the 31 combinations of R, A, S, I, C; "I, C" is two letters). Per task,
by formula: the number of roles holding A and R, and the rule light — ``ok``, or what breaks the rules
(exactly one A, at least one R), or an unknown letter. Below: the number of tasks breaking a rule. Every cached
value comes from :func:`kam_xl.team.task_findings` / :func:`~kam_xl.team.task_status`.

The data-book table ``team_roles`` (account_id, task, role, letters): rows with an empty account_id are the
company's default for every account; an account's rows for a task replace the default rows of that task
(:func:`kam_xl.team.team_roles_of`). Unknown letters there are a problem of the data book (the row cannot be
read); a missing or doubled A and a missing R are findings, lit in the sheet and reported, never refused.

Defined names: :class:`RaciName`. Regeneration keeps a letter with its task (rows) and its role (columns).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from itertools import combinations
from typing import TYPE_CHECKING, Any

from kam_xl.databook.schema import Column, Problem, Table
from kam_xl.errors import KamInputError
from kam_xl.team import (
    LETTERS,
    SEPARATORS,
    Letter,
    TeamRoles,
    letters_text,
    parse_letters,
    raci_rows,
    task_status,
    team_roles,
    team_roles_of,
)
from kam_xl.vocabulary import LIGHT_FORMATS, RACI_WORDS, Lang, sheet_title
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.layout import Conditional, Input, RowKey, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.sheet_kind import OnProblem, PlanSheet, Rows

if TYPE_CHECKING:
    from kam_xl.databook import DataBook
    from kam_xl.databook.parsing import ParsedTable
    from kam_xl.workbook.account_plan import AccountPlanData

SPARE_TASKS = 5
SPARE_ROLES = 2
HEAD = 3  # the header row (roles); tasks below it
#: Every letter cell the drop-down offers: the 31 non-empty combinations of R, A, S, I, C, in R-A-S-I-C order.
LETTER_CHOICES: tuple[str, ...] = tuple(letters_text(c) for k in range(1, len(LETTERS) + 1)
                                        for c in combinations(LETTERS, k))


class RaciName(StrEnum):
    TASKS = "raci_tasks"
    ROLES = "raci_roles"
    LETTERS = "raci_letters"
    A_COUNT = "raci_a_count"
    R_COUNT = "raci_r_count"
    STATUS = "raci_status"
    BREAKS = "raci_breaks"


# --- the data book's table ----------------------------------------------------------------------------------------

def check_team_roles(tables: dict[str, ParsedTable], problems: list[Problem]) -> None:
    """``team_roles``: letters other than R, A, S, I, C (one problem per cell, naming the letters); a row given
    twice for the same account (or company default), task and role. (The table has no key columns of its own:
    the company default's account_id is empty, which a database key cannot hold.)"""
    t = tables["team_roles"]
    cells = t.column("letters")
    wrong = set()  # the distinct cells that are no RACI letters, each parsed once (a few repeat on every row)
    for letters in set(cells):
        try:
            parse_letters(letters)
        except KamInputError:
            wrong.add(letters)
    seen: dict[tuple[Any, str, str], int] = {}
    for i, (aid, task, role) in enumerate(zip(t.column("account_id"), t.column("task"), t.column("role"),
                                              strict=True)):
        if cells[i] in wrong:
            try:
                parse_letters(cells[i], f"task {task!r}, role {role!r}")
            except KamInputError as e:
                problems.append(t.problem(i, "letters", str(e), cells[i]))
        if task is None or role is None:
            continue
        if (aid, task, role) in seen:
            whose = f"account {aid}" if aid else "the company default"
            problems.append(t.problem(i, "role", f"{whose} already gives letters to task {task!r} and role "
                                                 f"{role!r} in row {seen[aid, task, role]} — allowed: one row per "
                                                 "task and role", role))
        seen.setdefault((aid, task, role), t.numbers[i])


TEAM_ROLES_TABLE = Table("team_roles", (Column("account_id", required=False), Column("task"), Column("role"),
                                        Column("letters", required=False)),
                         check=check_team_roles,
                         description="RACI letters (any of R, A, S, I, C, e.g. 'C, I') per task and team role; "
                                     "empty account_id = the company's default for every account")


# --- formulas -----------------------------------------------------------------------------------------------------

def _unknown(cells: str) -> str:
    """A formula that is TRUE when a cell of ``cells`` holds anything but the five letters and separators."""
    cleaned = cells
    for sep in SEPARATORS:
        cleaned = f'SUBSTITUTE({cleaned},"{sep}","")'
    rest = f"UPPER({cleaned})"
    for letter in LETTERS:
        rest = f'SUBSTITUTE({rest},"{letter}","")'
    return f"SUMPRODUCT(LEN({rest}))>0"


def _holding(letter: str, cells: str) -> str:
    """The number of cells of ``cells`` that hold ``letter`` (any case)."""
    return f'SUMPRODUCT(ISNUMBER(SEARCH("{letter}",{cells}))*1)'


def _status(task: str, cells: str, n_a: str, n_r: str, lang: Lang) -> str:
    w = RACI_WORDS[lang]
    wa, sa, wr = w["without_a"], w["several_a"], w["without_r"]
    return (f'=IF(AND(TRIM({task})="",COUNTA({cells})=0),"",IF({_unknown(cells)},"{w["unknown"]}",'
            f'IF({n_a}=0,IF({n_r}=0,"{wa}, {wr}","{wa}"),IF({n_a}>1,IF({n_r}=0,"{sa}, {wr}","{sa}"),'
            f'IF({n_r}=0,"{wr}","{w["ok"]}")))))')


# --- the sheet ----------------------------------------------------------------------------------------------------

def _legend(s: Sheet, col: int, lang: Lang) -> str:
    """The letters' meanings (seed 004, l. 179–187) and the drop-down's list; returns the list's range."""
    s.put(HEAD - 1, col, _t(lang, "RACI-Buchstaben", "RACI letters"), style="subtitle")
    meanings = (("R – Responsible: Wer macht die Aufgabe?", "R – responsible: who does the task?"),
                ("A – Approve: Wer entscheidet, wer autorisiert?", "A – approve: who decides, who authorises?"),
                ("S – Supporting: Wer unterstützt?", "S – supporting: who supports?"),
                ("I – Informed: Wer wird informiert?", "I – informed: who is told the result?"),
                ("C – Consulted: Wer wird vorher konsultiert?", "C – consulted: who is asked before deciding?"))
    for i, (de, en) in enumerate(meanings):
        s.put(HEAD + i, col, _t(lang, de, en), style="note")
    first = HEAD + len(meanings) + 1
    s.put(first, col, _t(lang, "Zulässige Einträge", "Allowed entries"), style="header")
    for i, combo in enumerate(LETTER_CHOICES):
        s.put(first + 1 + i, col, combo)
    return "=" + s.ref(first + 1, col, first + len(LETTER_CHOICES), col)


def raci_sheet(roles: TeamRoles, lang: Lang = "de", year: int | None = None) -> Sheet:
    """The Team-RACI sheet of one account's matrix (plus :data:`SPARE_TASKS` rows, :data:`SPARE_ROLES` columns)."""
    names = list(roles.roles) + [None] * SPARE_ROLES
    tasks = list(roles.tasks) + [None] * SPARE_TASKS
    n_roles, first, last = len(names), HEAD + 1, HEAD + len(tasks)
    c_a, c_r, c_status = 1 + n_roles, 2 + n_roles, 3 + n_roles
    s = Sheet(_t(lang, "Team-RACI", "Team RACI"), widths={0: 44, **{1 + j: 14 for j in range(n_roles)},
                                                           c_a: 9, c_r: 9, c_status: 24, c_status + 2: 46},
              freeze=(first, 1))
    s.put(0, 0, sheet_title(lang, _t(lang, "Aufgaben und Verantwortlichkeiten im Team (RACI)",
                                     "Tasks and responsibilities in the team (RACI)"), year), style="title")
    s.put(1, 0, _t(lang, "Gelbe Zellen sind Eingaben. Je Aufgabe genau ein A und mindestens ein R (R und A dürfen "
                         "dieselbe Rolle sein); eine Zelle darf mehrere Buchstaben halten, z. B. „I, C“.",
                   "Yellow cells are inputs. Each task needs exactly one A and at least one R (R and A may be the "
                   "same role); a cell may hold several letters, e.g. 'I, C'."), style="note")
    source = _legend(s, c_status + 2, lang)
    s.put(HEAD, 0, _t(lang, "Aufgabe", "Task"), style="header")
    for j, role in enumerate(names):
        s.put(HEAD, 1 + j, role, style="header", input=Input(kind="text", title=_t(lang, "Rolle", "Role"), message=_t(
            lang, "Eine Rolle im Team, z. B. GKAM, NKAM, Management, Innendienst",
            "A role in the team, e.g. GKAM, NKAM, management, inside sales")))
    for col, head in ((c_a, _t(lang, "Anzahl A", "A count")), (c_r, _t(lang, "Anzahl R", "R count")),
                      (c_status, _t(lang, "Regel", "Rule"))):
        s.put(HEAD, col, head, style="header")
    letter_input = Input(kind="list", choices_source=source, title=_t(lang, "RACI-Buchstaben", "RACI letters"),
                         message=_t(lang, "R, A, S, I oder C – mehrere mit Komma, z. B. „R, A“; leer = keine Rolle",
                                    "R, A, S, I or C – several with commas, e.g. 'R, A'; empty = no part"))
    for i, task in enumerate(tasks):
        r = first + i
        s.put(r, 0, task, input=Input(kind="text", title=_t(lang, "Aufgabe", "Task"), message=_t(
            lang, "Eine Aufgabe des Teams, z. B. Globaler Rahmenvertrag", "A task of the team, e.g. global "
                                                                          "frame contract")))
        cells = roles.row(task) + [()] * SPARE_ROLES if task is not None else [()] * n_roles
        for j, letters in enumerate(cells):
            s.put(r, 1 + j, letters_text(letters) or None, input=letter_input)
        row = s.ref(r, 1, r, n_roles)
        n_a = s.put(r, c_a, formula="=" + _holding("A", row), cached=sum("A" in c for c in cells), style="integer")
        n_r = s.put(r, c_r, formula="=" + _holding("R", row), cached=sum("R" in c for c in cells), style="integer")
        s.put(r, c_status, formula=_status(s.ref(r, 0), row, n_a.absolute, n_r.absolute, lang),
              cached=task_status(cells, lang) if task is not None else "", style="bold")
    s.name_range(RaciName.TASKS, first, 0, last, 0)
    s.name_range(RaciName.ROLES, HEAD, 1, HEAD, n_roles)
    s.name_range(RaciName.LETTERS, first, 1, last, n_roles)
    s.name_range(RaciName.A_COUNT, first, c_a, last, c_a)
    s.name_range(RaciName.R_COUNT, first, c_r, last, c_r)
    status = s.name_range(RaciName.STATUS, first, c_status, last, c_status)
    ok = RACI_WORDS[lang]["ok"]
    s.put(last + 2, 0, _t(lang, "Aufgaben mit Regelverstoß", "Tasks breaking a rule"), style="level_label")
    s.put(last + 2, c_status, formula=f'=SUMPRODUCT(({status}<>"{ok}")*({status}<>""))', style="level_label",
          cached=sum(task_status(roles.row(t)) != RACI_WORDS["de"]["ok"] for t in roles.tasks),
          name=RaciName.BREAKS)
    anchor = s.ref(first, c_status).split("!")[1].replace("$", "")
    s.conditionals.append(Conditional(first, c_status, last, c_status, {
        "type": "cell", "criteria": "==", "value": f'"{ok}"', "format": dict(LIGHT_FORMATS["green"])}))
    s.conditionals.append(Conditional(first, c_status, last, c_status, {
        "type": "formula", "criteria": f'=AND({anchor}<>"",{anchor}<>"{ok}")', "format": dict(LIGHT_FORMATS["red"])}))
    s.keys += [RowKey(RaciName.TASKS, (RaciName.TASKS, RaciName.LETTERS)),
               RowKey(RaciName.ROLES, (RaciName.ROLES, RaciName.LETTERS), axis="cols")]
    return s


# --- reading back -------------------------------------------------------------------------------------------------

def _at(block: Any, r: int, c: int) -> Any:
    return block[r][c] if isinstance(block, list) and r < len(block) and c < len(block[r]) else None


def _name(raw: Any, where: tuple[str, int, int], what: str, problem: OnProblem) -> tuple[bool, str | None]:
    """(readable, text) of a task or role cell; a refused one is reported."""
    try:
        return True, coerce.text(raw)
    except Refusal as e:
        problem(where[0], where[1], where[2], shown(raw), e.allowed(what))
        return False, None


def parse_raci(values: Mapping[str, Any], problem: OnProblem) -> TeamRoles | None:
    """The matrix read back from the sheet's names; ``None`` when a value is refused (each reported by cell:
    unknown letters, letters in a row without a task or a column without a role, a task or role named twice)."""
    tasks_b, roles_b, grid = (values.get(n) for n in (RaciName.TASKS, RaciName.ROLES, RaciName.LETTERS))
    n_rows = len(grid) if isinstance(grid, list) else 0
    n_cols = len(roles_b[0]) if isinstance(roles_b, list) and roles_b else 0
    ok = True
    roles: list[str | None] = []
    told: set[int] = set()  # role columns already reported (refused, or empty with letters)
    for c in range(n_cols):
        good, role = _name(_at(roles_b, 0, c), (RaciName.ROLES, 0, c), "a role's name", problem)
        if role is not None and role in roles:
            problem(RaciName.ROLES, 0, c, role, "a role not named in another column")
            good = False
        if not good:
            told.add(c)
        ok = ok and good
        roles.append(role)
    letters: dict[str, dict[str, tuple[Letter, ...]]] = {}
    tasks: list[str] = []
    for r in range(n_rows):
        good, task = _name(_at(tasks_b, r, 0), (RaciName.TASKS, r, 0), "a task", problem)
        ok = ok and good
        cells = [_at(grid, r, c) for c in range(n_cols)]
        if task is None:
            if good and any(not coerce.is_blank(v) for v in cells):
                problem(RaciName.TASKS, r, 0, None, "the task (the row has letters)")
                ok = False
            continue
        if task in tasks:
            problem(RaciName.TASKS, r, 0, task, "a task not named in another row")
            ok = False
            continue
        tasks.append(task)
        for c, raw in enumerate(cells):
            found = _letters(raw, (r, c), problem)
            if found is None:
                ok = False
            elif found and roles[c] is None:
                if c not in told:
                    problem(RaciName.ROLES, 0, c, None, "the role's name (its column has letters)")
                    told.add(c)
                ok = False
            elif found:
                letters.setdefault(task, {})[roles[c]] = found  # type: ignore[index]
    if not ok:
        return None
    return TeamRoles(tasks=tuple(tasks), roles=tuple(r for r in roles if r is not None), letters=letters)


def _letters(raw: Any, at: tuple[int, int], problem: OnProblem) -> tuple[Letter, ...] | None:
    """The letters of one cell; ``None`` when refused (reported)."""
    try:
        text = coerce.text(raw)
    except Refusal as e:
        problem(RaciName.LETTERS, at[0], at[1], shown(raw), e.allowed("the letters R, A, S, I, C"))
        return None
    try:
        return parse_letters(text)
    except KamInputError:
        problem(RaciName.LETTERS, at[0], at[1], text, "the letters R, A, S, I, C, several separated by commas")
        return None


class RaciSheet(PlanSheet):
    """Team-RACI: its part is the account's :class:`~kam_xl.team.TeamRoles`."""

    key = "raci"
    Names = RaciName
    tables = (TEAM_ROLES_TABLE,)

    def from_databook(self, db: DataBook, data: AccountPlanData) -> TeamRoles:
        return team_roles_of(db, data.account.account_id)

    def layout(self, data: AccountPlanData, lang: Lang) -> Sheet:
        return raci_sheet(self.get(data) or team_roles([]), lang, data.account.plan_year)

    def parse(self, values: Mapping[str, Any], data: AccountPlanData, lang: Lang,
             problem: OnProblem) -> TeamRoles | None:
        found = parse_raci(values, problem)
        return self.get(data) if found is None else found

    def export(self, data: AccountPlanData) -> Rows:
        roles: TeamRoles | None = self.get(data)
        if roles is None:
            return {}
        aid = data.account.account_id
        rows = [{"account_id": aid, **r} for r in raci_rows(roles)]
        listed = {r["task"] for r in rows}
        empty = [{"account_id": aid, "task": t, "role": roles.roles[0], "letters": None}
                 for t in roles.tasks if t not in listed and roles.roles]  # a task without letters stays a task
        return {"team_roles": rows + empty}
