"""Team roles of a key account team as a RACI matrix (seed 004, Erfolgsfaktor 3 "Aufgaben und
Verantwortlichkeiten im Team sind klar definiert!", l. 145–250; SPEC §3.6).

Rows are tasks, columns are team roles (default GKAM, NKAM, Management, Innendienst, plus the account team's
own), each cell holds any of the five letters of the seed — R (Responsible: wer macht die Aufgabe?), A
(Approve/Accountable: wer entscheidet?), S (Supporting), I (Informed), C (Consulted) — or is empty; a cell may
hold several letters (the seed's row 1 has NKAM as both I and C).

Rules (the seed states none; SPEC §3.6 takes the usual RACI convention): every task has exactly one A and at
least one R; R and A may be the same role (the seed's rows 2 and 3). Letters other than R, A, S, I, C are
errors (:class:`~kam_xl.errors.KamInputError`); a missing or doubled A and a missing R are findings
(:func:`raci_check`), shown as lights, never refused.

How letters are written in a cell (the sheet's formulas read the same): letters case-insensitively, separated
by commas, semicolons, slashes or spaces, or written together — ``"C, I"``, ``"c;i"`` and ``"CI"`` are the same
two letters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kam_xl.errors import KamInputError
from kam_xl.text import key_of
from kam_xl.vocabulary import RACI_WORDS, Lang

if TYPE_CHECKING:
    from kam_xl.databook import DataBook

Letter = Literal["R", "A", "S", "I", "C"]
#: The letters of seed 004 in the order of its table's header (R-A-S-I-C).
LETTERS: tuple[Letter, ...] = ("R", "A", "S", "I", "C")
#: What separates letters in a cell (the sheet's formulas remove the same characters).
SEPARATORS: tuple[str, ...] = (",", ";", "/", " ")
#: The team roles of seed 004's table, in its order of appearance.
DEFAULT_ROLES: tuple[str, ...] = ("GKAM", "NKAM", "Management", "Innendienst")
#: The finding codes of a task (:func:`task_findings`), in the order a light shows them.
Finding = Literal["without_a", "several_a", "without_r"]
FINDINGS: tuple[Finding, ...] = ("without_a", "several_a", "without_r")


def parse_letters(value: str | None, where: str = "letters") -> tuple[Letter, ...]:
    """The RACI letters in a cell, in R-A-S-I-C order, each once; ``()`` for an empty cell.

    Raises :class:`KamInputError` naming ``where`` and the characters that are no RACI letter.

    >>> parse_letters("C, I"), parse_letters("ra"), parse_letters(None)
    (('I', 'C'), ('R', 'A'), ())
    >>> try:
    ...     parse_letters("R, X", "Messe/NKAM")
    ... except KamInputError as e:
    ...     print(e)
    Messe/NKAM: the letter X is not a RACI letter — allowed: R, A, S, I or C, several separated by commas (e.g. "R, A")
    """
    text = (value or "").upper()
    for sep in SEPARATORS:
        text = text.replace(sep, "")
    unknown = sorted({ch for ch in text if ch not in LETTERS})
    if unknown:
        wrong = (f"the letter {unknown[0]} is not a RACI letter" if len(unknown) == 1 else
                 f"the letters {', '.join(unknown)} are not RACI letters")
        raise KamInputError(f"{where}: {wrong} — allowed: {', '.join(LETTERS[:-1])} or {LETTERS[-1]}, several "
                            'separated by commas (e.g. "R, A")')
    return tuple(x for x in LETTERS if x in text)


def letters_text(letters: Iterable[str]) -> str:
    """Letters as a cell shows them: R-A-S-I-C order, separated by ``", "``.

    >>> letters_text(("C", "I"))
    'I, C'
    """
    given = set(letters)
    return ", ".join(x for x in LETTERS if x in given)


class TeamRoles(BaseModel):
    """A RACI matrix: ``tasks`` (rows) × ``roles`` (columns); ``letters[task][role]`` the letters of a cell
    (absent or ``()`` = empty), R-A-S-I-C order. Every task and role named in ``letters`` is listed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tasks: tuple[str, ...]
    roles: tuple[str, ...]
    letters: dict[str, dict[str, tuple[Letter, ...]]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> TeamRoles:
        for what, names in (("task", self.tasks), ("role", self.roles)):
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                many = len(twice) > 1
                raise KamInputError(f"the {what}{'s' if many else ''} {', '.join(map(repr, twice))} "
                                    f"{'are' if many else 'is'} listed twice — allowed: each {what} once")
        for task, row in self.letters.items():
            if task not in self.tasks:
                raise KamInputError(f"letters are given for the task {task!r}, which is not in the matrix — allowed: "
                                    f"one of {', '.join(self.tasks)}")
            for role in row:
                if role not in self.roles:
                    raise KamInputError(f"task {task!r} gives letters to the role {role!r}, which is not in the "
                                        f"matrix — allowed: one of {', '.join(self.roles)}")
        return self

    def cell(self, task: str, role: str) -> tuple[Letter, ...]:
        """The letters of one cell (``()`` when empty)."""
        return self.letters.get(task, {}).get(role, ())

    def row(self, task: str) -> list[tuple[Letter, ...]]:
        """The letters of one task, role by role."""
        return [self.cell(task, r) for r in self.roles]


def team_roles(rows: Iterable[tuple[str, str, str | None]], roles: Sequence[str] = DEFAULT_ROLES) -> TeamRoles:
    """A RACI matrix from (task, role, letters text) rows: tasks in order of first appearance, ``roles``
    first and then any other role in order of appearance. Unknown letters raise :class:`KamInputError`.

    >>> m = team_roles([("Angebot", "NKAM", "R, A"), ("Angebot", "Einkauf", "c")])
    >>> m.roles, m.cell("Angebot", "Einkauf")
    (('GKAM', 'NKAM', 'Management', 'Innendienst', 'Einkauf'), ('C',))
    """
    tasks: list[str] = []
    all_roles = list(roles)
    letters: dict[str, dict[str, tuple[Letter, ...]]] = {}
    for task, role, text in rows:
        if task not in tasks:
            tasks.append(task)
        if role not in all_roles:
            all_roles.append(role)
        found = parse_letters(text, f"{task}/{role}")
        if found:
            letters.setdefault(task, {})[role] = found
    return TeamRoles(tasks=tuple(tasks), roles=tuple(all_roles), letters=letters)


#: The seed's three rows (004, l. 193–238; SPEC §3.6): the company default where a data book gives none.
DEFAULT_TEAM_ROLES = team_roles([
    ("Globaler Rahmenvertrag", "GKAM", "R"), ("Globaler Rahmenvertrag", "Management", "A"),
    ("Globaler Rahmenvertrag", "Innendienst", "S"), ("Globaler Rahmenvertrag", "NKAM", "I, C"),
    ("Globales Beziehungsmanagement", "GKAM", "R, A"), ("Globales Beziehungsmanagement", "Innendienst", "S"),
    ("Nationale Angebote basierend auf Rahmenvertrag", "NKAM", "R, A"),
])


def merge_team_roles(default: Iterable[tuple[str, str, str | None]],
                     account: Iterable[tuple[str, str, str | None]]) -> TeamRoles:
    """The matrix of one account: the company's default rows, where the account's rows for a task replace
    the default rows of that task (tasks compared by :func:`kam_xl.text.key_of`); the account's new tasks
    come after the default ones."""
    own = list(account)
    replaced = {key_of(task) for task, _, _ in own}
    return team_roles([*(r for r in default if key_of(r[0]) not in replaced), *own])


def company_team_rows(db: DataBook) -> list[tuple[str, str, str | None]]:
    """The company's default (task, role, letters text) rows: the ``team_roles`` rows with an empty
    account_id, or the seed's three rows (:data:`DEFAULT_TEAM_ROLES`) when there are none — the same for
    every account of the data book (a reader of every account takes them once)."""
    default = _account_team_rows(db, None) if db.table("team_roles") else []
    if not default:
        default = [(t, r, letters_text(DEFAULT_TEAM_ROLES.cell(t, r)))
                   for t in DEFAULT_TEAM_ROLES.tasks for r in DEFAULT_TEAM_ROLES.roles
                   if DEFAULT_TEAM_ROLES.cell(t, r)]
    return default


def _account_team_rows(db: DataBook, account_id: str | None) -> list[tuple[str, str, str | None]]:
    """One account's (or, for ``None``, the company's) rows of ``team_roles`` in data order, read by column."""
    return list(zip(*db.columns_for("team_roles", account_id, ("task", "role", "letters")),  # type: ignore[arg-type]
                    strict=True))


def team_roles_of(db: DataBook, account_id: str,
                  default: Sequence[tuple[str, str, str | None]] | None = None) -> TeamRoles:
    """The RACI matrix of one account from the data book's ``team_roles`` table: rows with an empty
    account_id are the company's default (the seed's three rows, :data:`DEFAULT_TEAM_ROLES`, when there are
    none); the account's rows for a task replace the default rows of that task. ``default``: the data book's
    :func:`company_team_rows` when the caller already has them (the same result, read once)."""
    if default is None:
        default = company_team_rows(db)
    return merge_team_roles(default, _account_team_rows(db, account_id) if db.table("team_roles") else [])


def task_findings(cells: Sequence[Sequence[str]]) -> list[Finding]:
    """The rule breaks of one task from its cells' letters (one sequence per role): ``without_a`` (no role
    holds A), ``several_a`` (more than one role does), ``without_r`` (no role holds R).

    >>> task_findings([("R",), ("A",), ()]), task_findings([("R", "A"), ("A",)]), task_findings([(), ("I",)])
    ([], ['several_a'], ['without_a', 'without_r'])
    """
    a = sum("A" in c for c in cells)
    found: list[Finding] = []
    if a == 0:
        found.append("without_a")
    if a > 1:
        found.append("several_a")
    if not any("R" in c for c in cells):
        found.append("without_r")
    return found


class RaciCheck(BaseModel):
    """The rule breaks of a RACI matrix (the report contract's ``raci`` object): ``tasks`` = number of tasks;
    the tasks without an A, with several A, without an R, each in task order."""

    model_config = ConfigDict(frozen=True)

    tasks: int
    without_a: list[str]
    several_a: list[str]
    without_r: list[str]


def raci_check(roles: TeamRoles) -> RaciCheck:
    """Check every task of a matrix: exactly one A, at least one R.

    >>> raci_check(DEFAULT_TEAM_ROLES).model_dump()
    {'tasks': 3, 'without_a': [], 'several_a': [], 'without_r': []}
    """
    found: dict[str, list[str]] = {f: [] for f in FINDINGS}
    for task in roles.tasks:
        for f in task_findings(roles.row(task)):
            found[f].append(task)
    return RaciCheck(tasks=len(roles.tasks), **found)


def raci_rows(roles: TeamRoles) -> list[dict[str, str]]:
    """The matrix as (task, role, letters) rows of the data book's ``team_roles`` table, non-empty cells
    only (without account_id)."""
    return [{"task": t, "role": r, "letters": letters_text(roles.cell(t, r))}
            for t in roles.tasks for r in roles.roles if roles.cell(t, r)]



def task_status(cells: Sequence[Sequence[str]], lang: Lang = "de") -> str:
    """A task's state as the Team-RACI sheet's rule column shows it: ``ok`` or its findings joined by ", ".

    >>> task_status([("R",), ("A",)]), task_status([(), ("I",)]), task_status([("A",), ("A",)], "en")
    ('ok', 'kein A, kein R', 'several A, no R')
    """
    words = RACI_WORDS[lang]
    return ", ".join(words[f] for f in task_findings(cells)) or words["ok"]
