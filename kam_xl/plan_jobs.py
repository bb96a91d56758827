"""One workbook written over the one already at its place, and the jobs a ``--jobs`` worker process runs.

:func:`write_regenerating` writes a freshly laid-out workbook — a new file, or over a plan a KAM filled in,
keeping every input (:mod:`kam_xl.workbook.merge`) with a backup of the old file; :class:`PlanJob` and
:class:`QuestionnaireJob` are one account's plan and one respondent's questionnaire ready to be written by a
process that holds no data book, and :func:`_run_job` is what ``generate --jobs N`` sends them to.

This module is apart from :mod:`kam_xl.batch` (which imports and re-exports all of it) for the worker processes'
memory: they are started with multiprocessing's "spawn", and a pickled job and function import only the module
they are defined in — this one, with the plan's and the questionnaire's layouts and the writer. Everything
else of a run (the data book's reader and fingerprints, the folder scan, the controller workbook, collect)
stays in :mod:`kam_xl.batch`, which a worker never imports: ≈ 4 MiB less in every worker
(``tests/test_worker_imports.py``). Do not import :mod:`kam_xl.batch` here at module level.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from kam_xl import cycles
from kam_xl.errors import ReportProblem
from kam_xl.excellence import Response, load_catalogue
from kam_xl.files import copy_atomic, fs_reason, held_open, os_error_of
from kam_xl.fingerprint import fingerprint
from kam_xl.vocabulary import Lang
from kam_xl.workbook.account_plan import TEMPLATE_ID, AccountPlanData, account_plan, parse_inputs
from kam_xl.workbook.layout import Book, locate, named_values
from kam_xl.workbook.merge import (
    NOT_IN_PLAN,
    REMOVED_BY_DATA,
    REMOVED_BY_KAM,
    BookCells,
    Conflict,
    keys_not_in,
    merge_keyed,
    overlay,
    parse_view,
    regen_values,
    snapshot_from_meta,
    snapshot_meta,
)
from kam_xl.workbook.names import NamedValues, WorkbookError, read_named
from kam_xl.workbook.questionnaire import TEMPLATE_ID as QUESTIONNAIRE_ID
from kam_xl.workbook.questionnaire import parse_questionnaire, questionnaire
from kam_xl.workbook.render import write_book

BACKUP_DIR = "_backup"


@dataclass
class PlanResult:
    """What happened to one account's plan."""

    account_id: str
    path: Path
    status: Literal["new", "regenerated", "unchanged", "error"]
    conflicts: list[tuple[str, str, Conflict]] = field(default_factory=list)  # (sheet, cell, conflict)
    problems: list[str] = field(default_factory=list)
    backup: Path | None = None


def _problem_text(book: Book, file: str) -> Callable[[str, int | None, int | None, object, str], str]:
    def text(name: str, row: int | None, col: int | None, value: object, allowed: str) -> str:
        where = locate(book, name, row, col)
        cell = f"sheet {where[0]}, cell {where[1]}" if where else f"name {name}"
        return f"{file}, {cell}: value {value!r} — allowed: {allowed}"
    return text


def backup_copy(target: Path, now: datetime) -> Path:
    """Copy ``target`` to ``_backup/<stem>.<timestamp><suffix>`` beside it (``-2``, ``-3`` … when a backup of the
    same second exists, so no backup is ever overwritten); returns the copy. The copy is written to a temporary
    name and renamed, so a backup is complete or absent, never truncated. Raises :class:`OSError` (disk full,
    read-only ``_backup`` …)."""
    backup_dir = target.parent / BACKUP_DIR
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    backup, n = backup_dir / f"{target.stem}.{stamp}{target.suffix}", 1
    while backup.exists():
        n += 1
        backup = backup_dir / f"{target.stem}.{stamp}-{n}{target.suffix}"
    return copy_atomic(target, backup)


def _backup_failed(e: OSError) -> str:
    return f"its backup could not be written to {BACKUP_DIR}/: {fs_reason(e)}; the file was left as it is"


def _write(book: Book, target: Path, backup: Path | None) -> str | None:
    """Write ``book`` to ``target`` atomically; on a file-system fault return the reason in words instead (the
    ``backup`` just made of the unchanged old file is removed again). Other errors propagate."""
    try:
        write_book(book, target)
    except Exception as e:
        ose = os_error_of(e)
        if ose is None:
            raise
        if backup is not None:
            with contextlib.suppress(OSError):
                backup.unlink()
        return fs_reason(ose) + ("; the old file was left as it is" if backup is not None else "")
    return None


def _merge_and_rebuild(fresh: Book, old: NamedValues, new_inputs: dict[str, Any],
                       rebuild: Callable[[dict[str, Any], ReportProblem], Book], file: str
                       ) -> tuple[Book, list[tuple[str, str, Conflict]], list[str]]:
    """Merge the old workbook's inputs with the data's by key (:func:`~kam_xl.workbook.merge.merge_keyed`), lay
    the workbook out again from them and put back the held cells (error values, cleared cells). Returns the
    book, the conflicts with their (sheet, cell) and the problems that stop regeneration (values the readers
    refuse, except held cells, which are reported as conflicts instead).

    A held cell is first shown to the readers as empty; if they refuse that or its row disappears, once more
    as the data's value there (the cell itself still shows what the KAM left). Conflicts are located in the
    regenerated workbook, a value not carried over in the old one ("(old file)": the backup), problems in the
    file at the target (which then stays as it is)."""
    keys = fresh.key_specs()
    m = merge_keyed(snapshot_from_meta(old.meta), regen_values(fresh, old.values), new_inputs, keys)
    base = named_values(fresh)  # the readers also see the layout's other names (plan year …) as the data has them
    held_at = {(h.name, h.row, h.col) for h in m.held if h.kept}
    for use_data in (False, True):
        found: list[tuple[str, int | None, int | None, object, str]] = []
        book = rebuild({**base, **parse_view(m, use_data)}, lambda *a: found.append(a))  # noqa: B023
        missing = overlay(book, m.held, keys)
        if not missing and not any(a[:3] in held_at for a in found):
            break
    conflicts = [*m.conflicts, *(Conflict(h.name, h.row, h.col, None, h.value, h.data, h.row_key, h.col_key,
                                          "could not be kept: the regenerated plan has no such row")
                                 for h in missing), *keys_not_in(book, m, keys)]

    def in_old(name: str, row: int | None, col: int | None) -> tuple[str, str] | None:
        at = old.locate(name, row, col)
        return (at[0], f"{at[1]} (old file)") if at else None

    cells = BookCells(book, keys)

    def where(c: Conflict) -> tuple[str, str]:
        if c.note not in (REMOVED_BY_DATA, REMOVED_BY_KAM, NOT_IN_PLAN):
            at = cells.find(c.name, c.row_key, c.col_key, c.row, c.col)
            if at is not None:
                return locate(book, c.name, *at) or ("?", c.name)
        return (in_old(*c.old_at) if c.old_at else None) or ("?", c.name)

    text = _problem_text(fresh, file)
    problems = []
    for a in found:  # named in the file at the target, which stays as it is
        if a[:3] not in held_at:
            at = old.locate(*m.origin.get(a[:3], a[:3]))
            problems.append(f"{file}, sheet {at[0]}, cell {at[1]}: value {a[3]!r} — allowed: {a[4]}" if at
                            else text(*a))
    return book, [(*where(c), c) for c in conflicts], problems


def write_regenerating(key: str, target: Path, fresh: Book, identity: dict[str, str],
                       rebuild: Callable[[dict[str, Any], ReportProblem], Book], now: datetime,
                       meta: Mapping[str, str] | None = None) -> PlanResult:
    """Write the layout ``fresh`` (built from the data) to ``target``. If a workbook is already there, it must
    carry the ``identity`` entries in its ``_meta``; its inputs are merged with the data, rows by key (see
    :mod:`kam_xl.workbook.merge` and :func:`_merge_and_rebuild`), ``rebuild(merged inputs, problem)`` lays the
    workbook out again from them, the old file is copied to ``_backup/`` and the new one written atomically.
    Any problem — invalid input, a damaged or foreign file, a backup or write the file system refuses — gives
    an ``"error"`` result naming the file and the reason and leaves the old file exactly as it is. ``meta``
    entries are added to the written workbook's ``_meta`` (the plan's data fingerprint)."""
    new_inputs = regen_values(fresh)
    book: Book = fresh
    conflicts: list[tuple[str, str, Conflict]] = []
    backup, status = None, "new"
    if target.exists():
        if (open_by := held_open(target)) is not None:  # typed into there meanwhile: never replaced under it
            return PlanResult(key, target, "error", problems=[f"{target.name}: not regenerated — {open_by}"])
        old = _read(target)
        if not isinstance(old, NamedValues):
            return PlanResult(key, target, "error", problems=[f"{old} — the file was left as it is"])
        wrong = [f"{k} {old.meta.get(k)!r} instead of {v!r}" for k, v in identity.items() if old.meta.get(k) != v]
        if wrong:
            return PlanResult(key, target, "error", problems=[
                f"{target.name}: not the workbook to regenerate here ({'; '.join(wrong)}) — the file was left "
                "as it is"])
        book, conflicts, problems = _merge_and_rebuild(fresh, old, new_inputs, rebuild, target.name)
        if problems:
            return PlanResult(key, target, "error",
                              problems=[*problems, f"{target.name}: not regenerated; the file was left as it is"])
        try:
            backup = backup_copy(target, now)
        except OSError as e:
            return PlanResult(key, target, "error", problems=[f"{target.name}: not regenerated — {_backup_failed(e)}"])
        status = "regenerated"
    book.meta.update({**snapshot_meta(new_inputs), **(meta or {})})
    reason = _write(book, target, backup)
    if reason is not None:
        return PlanResult(key, target, "error", problems=[f"{target.name}: not written — {reason}"])
    return PlanResult(key, target, status, conflicts, backup=backup)  # type: ignore[arg-type]


#: The ``_meta`` entry of a plan holding the fingerprint of the data it was generated from (:func:`data_fingerprint`).
FINGERPRINT = "data_fingerprint"


def _plan_identity(account_id: str) -> dict[str, str]:
    return {"template_id": TEMPLATE_ID, "account_id": account_id}


@dataclass(frozen=True)
class PlanJob:
    """One account's plan, ready to be written by a process that holds no data book: the account's data as
    the plan shows it (:class:`~kam_xl.workbook.account_plan.AccountPlanData`, with the data book reference of
    ``_meta``), its data fingerprint (:func:`data_fingerprint`), the file, the language and the time stamp.
    Picklable (≈ 11 kB for a demo account): ``generate --jobs`` sends each worker one per plan instead of
    the data book. ``job()`` writes it (:func:`write_regenerating`) and returns the result."""

    account_id: str
    target: Path
    data: AccountPlanData
    fingerprint: str
    lang: Lang
    now: datetime

    def __call__(self) -> PlanResult:
        # the cyclic collector paused for the plan (:func:`kam_xl.cycles.paused`): building and writing one plan
        # allocates ~100,000 short-lived objects, and the collections they set off walked every object of the
        # process (the data book too) — 8 to 15 ms of a plan's ≈ 85 ms CPU at 1,000 accounts, in a worker and in
        # the parent (benchmarks/README.md). What the plan leaves in cycles (~6,000 objects) is collected once the
        # collector runs again, right after: one plan's worth at most
        data, lang, now = self.data, self.lang, self.now
        with cycles.paused():
            return write_regenerating(
                self.account_id, self.target, account_plan(data, lang, now), _plan_identity(self.account_id),
                lambda merged, problem: account_plan(parse_inputs(merged, data, lang, problem), lang, now), now,
                meta={FINGERPRINT: self.fingerprint})


@dataclass(frozen=True)
class QuestionnaireJob:
    """One respondent's questionnaire, ready to be written by a process that holds no data book (the
    respondent's answers as read, the file, the language and the time stamp; see :class:`PlanJob`)."""

    respondent: str
    target: Path
    response: Response
    lang: Lang
    now: datetime
    fingerprint: str = ""

    def __call__(self) -> PlanResult:
        catalogue, lang, now = load_catalogue(), self.lang, self.now
        response, respondent = self.response, self.respondent
        fresh = questionnaire(catalogue, response, respondent, response.role, lang, generated_at=now)

        def rebuild(merged: dict[str, Any], problem: ReportProblem) -> Book:
            typed = parse_questionnaire(NamedValues(path=Path(), refs={}, values=merged), catalogue, problem)
            return questionnaire(catalogue, typed, typed.respondent, typed.role, lang, generated_at=now)

        return write_regenerating(respondent, self.target, fresh,
                                  {"template_id": QUESTIONNAIRE_ID, "respondent": respondent}, rebuild, now,
                                  meta={FINGERPRINT: self.fingerprint or questionnaire_fingerprint(response, lang)})


def questionnaire_fingerprint(response: Response, lang: Lang) -> str:
    """The fingerprint of what a respondent's questionnaire is built from — the respondent's answers in the data
    book, the catalogue's version and the language —, recorded in its ``_meta`` as :data:`FINGERPRINT`: a
    questionnaire whose fingerprint and template version are unchanged is left as it is (:func:`plan_work`)."""
    return fingerprint(QUESTIONNAIRE_ID, response.model_dump(mode="json"), load_catalogue().version, lang)


def _read(path: Path, **options: Any) -> NamedValues | str:
    """A workbook read by name, or why it cannot be read (the file named)."""
    try:
        return read_named(path, **options)
    except WorkbookError as e:
        return str(e)
    except Exception as e:  # an untrusted file must never stop a run, whatever the reader raises for it
        return f"{path.name}: cannot be read ({type(e).__name__}: {e})"


def _failed(key: str, target: Path, e: BaseException) -> PlanResult:
    ose = os_error_of(e)
    reason = fs_reason(ose) if ose is not None else f"unexpected error ({type(e).__name__}: {e})"
    return PlanResult(key, target, "error", problems=[f"{target.name}: not written — {reason}"])


def _run(fn: Callable[..., PlanResult], data_path: str | None, key: str, folder: Path, target: Path, lang: Lang,
         now: datetime) -> PlanResult:
    """One workbook; whatever goes wrong with it becomes its ``"error"`` result, so the run goes on."""
    try:
        return fn(data_path, key, folder, lang, now, target=target)
    except Exception as e:  # one file never takes the run down: it is listed, the others are written
        return _failed(key, target, e)


#: What a worker is sent: a plan's or a questionnaire's job, or the arguments of :func:`_run` (a folder at a URL)
_Job = PlanJob | QuestionnaireJob | tuple[Callable[..., PlanResult], str | None, str, Path, Path, Lang, datetime]


def _run_job(job: _Job | PlanResult) -> PlanResult:
    """``job`` written (a result as it is); whatever goes wrong becomes its ``"error"`` result."""
    if isinstance(job, PlanResult):
        return job
    if isinstance(job, tuple):
        return _run(*job)
    try:
        return job()
    except Exception as e:  # one file never takes the run down: it is listed, the others are written
        return _failed(job.account_id if isinstance(job, PlanJob) else job.respondent, job.target, e)
