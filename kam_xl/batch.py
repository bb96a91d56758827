"""Batch jobs over many accounts: generate account plans (and regenerate them without losing input), and
collect filled plans back into a data book.

The work for one account is a plain function of (data book, account id, output folder), so ``--jobs N``
runs it in N processes; each process reads the data book once.
"""

from __future__ import annotations

import gc
import re
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from kam_xl.databook import TABLES, AccountRow, DataBook, demo_databook, read_databook
from kam_xl.excellence import Response, load_catalogue
from kam_xl.workbook.account_plan import TEMPLATE_ID, TEMPLATE_VERSION, AccountPlanData, account_plan, parse_inputs
from kam_xl.workbook.controller import TEMPLATE_ID as CONTROLLER_ID
from kam_xl.workbook.controller import (
    ControllerSettings,
    controller_workbook,
    default_settings,
    read_carried_settings,
)
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
from kam_xl.workbook.names import Engine, NamedValues, WorkbookError, read_named
from kam_xl.workbook.questionnaire import TEMPLATE_ID as QUESTIONNAIRE_ID
from kam_xl.workbook.questionnaire import questionnaire, questionnaire_meta_problem, read_questionnaire
from kam_xl.workbook.render import write_book

Lang = Literal["de", "en"]
BACKUP_DIR = "_backup"
QUESTIONNAIRE_DIR = "Fragebogen"
#: The controller workbook generate and collect write: macro-enabled (the xlwings VBA project and the macro
#: buttons); a ``.xlsx`` target (``collect --to``) gets the same workbook without macros.
CONTROLLER_FILE = "Controller.xlsm"
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def plan_filename(account: AccountRow) -> str:
    """A file name from account id and name that is safe on Windows, macOS and Linux.

    >>> plan_filename(AccountRow(account_id="KA-002", name='Holsten Wellpappe GmbH & Co. KG', region="N",
    ...                          plan_year=2026))
    'KA-002_Holsten_Wellpappe_GmbH_&_Co._KG.xlsx'
    >>> plan_filename(AccountRow(account_id="CON", name='A/B: "C"?', region="N", plan_year=2026))
    '_CON_A_B_C.xlsx'
    """
    stem = f"{account.account_id}_{account.name}"
    stem = _UNSAFE.sub("_", stem)
    stem = re.sub(r"\s+", "_", stem.strip())
    stem = re.sub(r"_+", "_", stem).strip("._ ")[:120].rstrip("._ ")
    if stem.split("_")[0].split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    return f"{stem}.xlsx"


@dataclass
class PlanResult:
    """What happened to one account's plan."""

    account_id: str
    path: Path
    status: Literal["new", "regenerated", "error"]
    conflicts: list[tuple[str, str, Conflict]] = field(default_factory=list)  # (sheet, cell, conflict)
    problems: list[str] = field(default_factory=list)
    backup: Path | None = None


@lru_cache(maxsize=4)
def _databook(path: str | None) -> DataBook:
    return demo_databook() if path is None else read_databook(path)


def _problem_text(book: Book, file: str) -> Callable[[str, int | None, int | None, object, str], str]:
    def text(name: str, row: int | None, col: int | None, value: object, allowed: str) -> str:
        where = locate(book, name, row, col)
        cell = f"sheet {where[0]}, cell {where[1]}" if where else f"name {name}"
        return f"{file}, {cell}: value {value!r} — allowed: {allowed}"
    return text


def backup_copy(target: Path, now: datetime) -> Path:
    """Copy ``target`` to ``_backup/<stem>.<timestamp><suffix>`` beside it (``-2``, ``-3`` … when a backup of the
    same second exists, so no backup is ever overwritten); returns the copy."""
    backup_dir = target.parent / BACKUP_DIR
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    backup, n = backup_dir / f"{target.stem}.{stamp}{target.suffix}", 1
    while backup.exists():
        n += 1
        backup = backup_dir / f"{target.stem}.{stamp}-{n}{target.suffix}"
    shutil.copy2(target, backup)
    return backup


Problem = Callable[[str, int | None, int | None, object, str], None]


def _merge_and_rebuild(fresh: Book, old: NamedValues, new_inputs: dict[str, Any],
                       rebuild: Callable[[dict[str, Any], Problem], Book], file: str
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
                       rebuild: Callable[[dict[str, Any], Problem], Book], now: datetime) -> PlanResult:
    """Write the layout ``fresh`` (built from the data) to ``target``. If a workbook is already there, it must
    carry the ``identity`` entries in its ``_meta``; its inputs are merged with the data, rows by key (see
    :mod:`kam_xl.workbook.merge` and :func:`_merge_and_rebuild`), ``rebuild(merged inputs, problem)`` lays the
    workbook out again from them,
    the old file is copied to ``_backup/`` and the new one written atomically. Any problem leaves the old
    file exactly as it is."""
    new_inputs = regen_values(fresh)
    book: Book = fresh
    conflicts: list[tuple[str, str, Conflict]] = []
    backup, status = None, "new"
    if target.exists():
        try:
            old = read_named(target)
        except WorkbookError as e:
            return PlanResult(key, target, "error", problems=[f"{e} — the file was left as it is"])
        wrong = [f"{k} {old.meta.get(k)!r} instead of {v!r}" for k, v in identity.items() if old.meta.get(k) != v]
        if wrong:
            return PlanResult(key, target, "error", problems=[
                f"{target.name}: not the workbook to regenerate here ({'; '.join(wrong)}) — the file was left "
                "as it is"])
        book, conflicts, problems = _merge_and_rebuild(fresh, old, new_inputs, rebuild, target.name)
        if problems:
            return PlanResult(key, target, "error",
                              problems=[*problems, f"{target.name}: not regenerated; the file was left as it is"])
        backup = backup_copy(target, now)
        status = "regenerated"
    book.meta.update(snapshot_meta(new_inputs))
    write_book(book, target)
    return PlanResult(key, target, status, conflicts, backup=backup)  # type: ignore[arg-type]


def generate_plan(data_path: str | None, account_id: str, out_dir: Path, lang: Lang = "de",
                  now: datetime | None = None) -> PlanResult:
    """Write the account plan of one account into ``out_dir``; regenerate it if it exists, keeping every input
    a KAM typed, with a timestamped backup of the old file."""
    now = now or datetime.now(UTC)
    db = _databook(data_path)
    account = db.account(account_id)
    data = AccountPlanData.from_databook(db, account_id)
    return write_regenerating(
        account_id, out_dir / plan_filename(account), account_plan(data, lang, now),
        {"template_id": TEMPLATE_ID, "account_id": account_id},
        lambda merged, problem: account_plan(parse_inputs(merged, data, lang, problem), lang, now), now)


def questionnaire_filename(respondent: str) -> str:
    """A safe file name for a respondent's questionnaire.

    >>> questionnaire_filename("Dr. Claudia Reimann")
    'Fragebogen_Dr._Claudia_Reimann.xlsx'
    """
    return plan_filename(AccountRow(account_id="Fragebogen", name=respondent, region="", plan_year=0))


def generate_questionnaire(data_path: str | None, respondent: str, out_dir: Path, lang: Lang = "de",
                           now: datetime | None = None) -> PlanResult:
    """Write one respondent's excellence questionnaire, filled with the answers of the data book, into
    ``out_dir``; regenerate it like an account plan if it exists."""
    now = now or datetime.now(UTC)
    db = _databook(data_path)
    catalogue = load_catalogue()
    response = next(r for r in db.responses() if r.respondent == respondent)
    fresh = questionnaire(catalogue, response, respondent, response.role, lang, generated_at=now)

    def rebuild(merged: dict[str, Any], problem: Problem) -> Book:
        typed = read_questionnaire(NamedValues(path=Path(), refs={}, values=merged), catalogue, problem)
        return questionnaire(catalogue, typed, typed.respondent, typed.role, lang, generated_at=now)

    return write_regenerating(respondent, out_dir / questionnaire_filename(respondent), fresh,
                              {"template_id": QUESTIONNAIRE_ID, "respondent": respondent}, rebuild, now)


def generate_all(data_path: str | None, out_dir: Path, lang: Lang = "de", jobs: int = 1,
                 now: datetime | None = None, questionnaires: bool = False) -> Iterator[PlanResult]:
    """Generate every account's plan (and, if asked, every respondent's questionnaire into
    ``out_dir/Fragebogen``); yields results as they finish (in order for ``jobs=1``)."""
    db = _databook(data_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now(UTC)
    work: list[tuple[Callable[..., PlanResult], str, Path]] = [
        (generate_plan, a.account_id, out_dir) for a in db.accounts]
    if questionnaires:
        work += [(generate_questionnaire, r.respondent, out_dir / QUESTIONNAIRE_DIR) for r in db.responses()]
    if jobs <= 1:
        for fn, key, folder in work:
            yield fn(data_path, key, folder, lang, now)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(fn, data_path, key, folder, lang, now) for fn, key, folder in work]
        for f in futures:
            yield f.result()


def write_conflict_report(results: list[PlanResult], out_dir: Path) -> Path | None:
    """Write ``conflicts.csv`` (file, sheet, cell, input name, value at last generation, KAM's value kept,
    new data value, note — why a value is listed besides a plain conflict) when there are conflicts; returns
    its path, or ``None``."""
    import csv

    from kam_xl.files import write_atomic

    rows = [(r.path.name, sheet, cell, c.name, c.orig, c.kam, c.data, c.note)
            for r in results for sheet, cell, c in r.conflicts]
    if not rows:
        return None

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["file", "sheet", "cell", "input", "data_at_last_generation", "kam_value_kept", "new_data",
                        "note"])
            w.writerows(["" if v is None else v for v in row] for row in rows)

    return write_atomic(out_dir / "conflicts.csv", write)


@dataclass
class CollectResult:
    """What ``collect`` found: the plans read back, the problems per cell, and the files skipped."""

    plans: list[AccountPlanData] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    problems: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # file, sheet, cell, value, msg
    skipped: list[tuple[str, str]] = field(default_factory=list)  # file, reason


def collect_plans(folder: Path, lang_default: Lang = "de", ignore: frozenset[str] = frozenset(),
                  engine: Engine = "calamine") -> CollectResult:
    """Read every account plan in ``folder`` and every questionnaire in it or its ``Fragebogen`` subfolder
    (not the ``_backup`` folders) back into models.

    A file that is not ours, of another template version, damaged, truncated or password-protected is
    skipped with its reason; a plan with invalid inputs is reported cell by cell and left out, so one bad
    file never stops the run. kam_xl's own outputs (the controller workbook, file names in ``ignore``) are
    passed over silently.
    """
    # Collecting keeps every plan's models while it allocates thousands of cell lists per file, so Python's
    # cyclic garbage collector would run again and again, each full run walking every object the process has
    # (imports, schemas, the plans read so far): ~15 % of the time at 200 plans. Reading makes no reference
    # cycles (everything is freed by reference counting as usual), so the cyclic collector is paused for
    # the run and left as it was afterwards.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _collect_plans(folder, lang_default, ignore, engine)
    finally:
        if was_enabled:
            gc.enable()


def _collect_plans(folder: Path, lang_default: Lang, ignore: frozenset[str], engine: Engine) -> CollectResult:
    result = CollectResult()
    catalogue = load_catalogue()
    for path in [*sorted(folder.glob("*.xlsx")), *sorted((folder / QUESTIONNAIRE_DIR).glob("*.xlsx"))]:
        if path.name.startswith("~$") or path.name in ignore:  # Excel's lock file; our own outputs
            continue
        try:
            nv = read_named(path, engine=engine, lazy=True)  # the parsers read the inputs, not the ~100 results
        except WorkbookError as e:
            result.skipped.append((path.name, str(e)))
            continue
        template, version = nv.meta.get("template_id"), nv.meta.get("template_version")
        if template == CONTROLLER_ID:
            continue
        found: list[tuple[str, str, str, str, str]] = []

        def problem(name: str, row: int | None, col: int | None, value: object, allowed: str,
                    nv: NamedValues = nv, found: list = found) -> None:
            sheet, cell = nv.locate(name, row, col) or ("?", name)
            found.append((nv.path.name, sheet, cell, "" if value is None else str(value), f"allowed: {allowed}"))

        if template == QUESTIONNAIRE_ID:
            reason = questionnaire_meta_problem(nv.meta, catalogue)
            if reason:
                result.skipped.append((path.name, f"{path.name}: {reason}"))
                continue
            response = read_questionnaire(nv, catalogue, problem)
            if found:
                result.problems.extend(found)
            else:
                result.responses.append(response)
            continue
        if template != TEMPLATE_ID:
            result.skipped.append((path.name, f"{path.name}: not a kam_xl account plan (template {template!r})"))
            continue
        if version != TEMPLATE_VERSION:
            result.skipped.append((path.name, f"{path.name}: account plan of template version {version}, this "
                                              f"kam_xl reads {TEMPLATE_VERSION} — regenerate it first"))
            continue
        lang: Lang = "en" if nv.meta.get("lang") == "en" else lang_default
        plan = parse_inputs(nv.values, AccountPlanData.from_workbook(nv.values, nv.meta), lang, problem)
        if found:
            result.problems.extend(found)
        else:
            result.plans.append(plan)
    return result


def plans_to_databook(plans: list[AccountPlanData], source: str, responses: list[Response] = ()) -> DataBook:
    """The collected inputs as a data book (the tidy export): the same tables ``generate`` reads."""
    cdb, activities, kgb = [], [], []
    excellence = [{"respondent": r.respondent, "role": r.role, "criterion_id": a.criterion_id, "rating": a.rating,
                   "evidence": a.evidence or None} for r in responses for a in r.answers]
    # account-level ratings from the plans: respondent = account id, role "Account-Plan"; answered rows only
    excellence += [{"respondent": p.excellence.respondent, "role": p.excellence.role, "criterion_id": a.criterion_id,
                    "rating": a.rating, "evidence": a.evidence or None}
                   for p in plans if p.excellence is not None for a in p.excellence.answers
                   if a.rating is not None or a.evidence]
    for p in plans:
        aid = p.account.account_id
        if p.cdb is not None and p.cdb_year is not None:
            cdb.append({"account_id": aid, "year": p.cdb_year, **p.cdb.model_dump()})
            activities += [{"account_id": aid, "year": p.cdb_year, **a.model_dump()} for a in p.activities]
        for card in p.kgb_cards:
            for crit, w in zip(card.criteria, card.weights, strict=True):
                for supplier, ratings in card.ratings.items():
                    kgb.append({"account_id": aid, "segment": card.segment, "criterion": crit.name, "weight": w,
                                "supplier": supplier, "own": supplier == card.own_supplier,
                                "rating": ratings.get(crit.name)})
    kaop_products, kaop_costs = [], []
    for p in plans:
        if p.kaop is None:
            continue
        for scenario, (products, costs) in (("plan", p.kaop.plan), ("actual", p.kaop.actual)):
            key = {"account_id": p.account.account_id, "year": p.kaop.year, "scenario": scenario}
            kaop_products += [{**key, **r.model_dump()} for r in products]
            kaop_costs += [{**key, **c.model_dump()} for c in costs]
    tables: dict[str, list[dict[str, object]] | None] = {name: None for name in TABLES}
    tables.update({"cdb": cdb, "activities": activities, "kgb": kgb, "kaop_products": kaop_products,
                   "kaop_costs": kaop_costs})
    if excellence:
        tables["excellence"] = excellence
    return DataBook(source=source, accounts=[p.account for p in plans], tables=tables)




def write_controller(db: DataBook, target: Path, lang: Lang = "de", now: datetime | None = None,
                     settings: ControllerSettings | None = None) -> Path:
    """Write the controller workbook of a data book (atomically). An existing one is first copied to
    ``_backup/`` and the settings typed into it are read by defined name and carried into the new one
    (:func:`~kam_xl.workbook.controller.read_carried_settings`); ``settings`` given here are written instead.

    A ``.xlsm`` target gets the macro-enabled workbook (:func:`kam_xl.addin.xlsm.controller_xlsm_book`: the
    standalone xlwings VBA project, the macro buttons, the xlwings licence); any other the plain ``.xlsx``."""
    now = now or datetime.now(UTC)
    status = None
    if target.exists():
        if settings is None:
            settings, status = read_carried_settings(target, default_settings(db, lang), lang)
        backup_copy(target, now)
    if target.suffix.lower() == ".xlsm":
        from kam_xl.addin.xlsm import controller_xlsm_book

        book = controller_xlsm_book(db, lang, now, settings=settings, status=status)
    else:
        book = controller_workbook(db, lang, generated_at=now, settings=settings, status=status)
    return write_book(book, target)


def consolidate(base: DataBook | None, collected: DataBook) -> DataBook:
    """The collected inputs on top of a data book: tables the plans carry (cdb, activities, kgb, KAOP,
    excellence) come from the plans for the accounts collected, everything else from ``base``."""
    if base is None:
        return collected
    ids = {a.account_id for a in collected.accounts}
    tables = dict(base.tables)
    for name, rows in collected.tables.items():
        if rows is None:
            continue
        old = base.tables.get(name) or []
        if name == "excellence":  # by respondent: a collected questionnaire replaces that respondent's answers
            who = {r["respondent"] for r in rows}
            kept = [r for r in old if r["respondent"] not in who]
        else:
            kept = [r for r in old if r.get("account_id") not in ids]
        tables[name] = kept + rows
    accounts = [*collected.accounts, *(a for a in base.accounts if a.account_id not in ids)]
    return DataBook(source=f"{base.source} + {collected.source}", accounts=accounts, tables=tables)
