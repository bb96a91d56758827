"""Batch jobs over many accounts: generate account plans (and regenerate them without losing input), and
collect filled plans back into a data book.

The work for one account is a plain function of (data book, account id, output folder), so ``--jobs N``
runs it in N processes; each process reads the data book once.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from kam_xl.databook import TABLES, AccountRow, DataBook, demo_databook, read_databook
from kam_xl.workbook.account_plan import TEMPLATE_ID, TEMPLATE_VERSION, AccountPlanData, account_plan, parse_inputs
from kam_xl.workbook.layout import Book, input_values, locate
from kam_xl.workbook.merge import Conflict, merge_inputs, snapshot_from_meta, snapshot_meta
from kam_xl.workbook.names import NamedValues, WorkbookError, read_named
from kam_xl.workbook.render import write_book

Lang = Literal["de", "en"]
BACKUP_DIR = "_backup"
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


def generate_plan(data_path: str | None, account_id: str, out_dir: Path, lang: Lang = "de",
                  now: datetime | None = None) -> PlanResult:
    """Write the account plan of one account into ``out_dir``; regenerate it if it exists, keeping every input
    a KAM typed (see :mod:`kam_xl.workbook.merge`), with a timestamped backup of the old file."""
    now = now or datetime.now(UTC)
    db = _databook(data_path)
    account = next(a for a in db.accounts if a.account_id == account_id)
    target = out_dir / plan_filename(account)
    data = AccountPlanData.from_databook(db, account_id)
    fresh = account_plan(data, lang, now)
    new_inputs = input_values(fresh)
    book, conflicts, backup, status = fresh, [], None, "new"
    if target.exists():
        try:
            old = read_named(target)
        except WorkbookError as e:
            return PlanResult(account_id, target, "error", problems=[f"{e} — the file was left as it is"])
        if old.meta.get("template_id") != TEMPLATE_ID or old.meta.get("account_id") != account_id:
            return PlanResult(account_id, target, "error", problems=[
                f"{target.name}: not the account plan of {account_id} (template {old.meta.get('template_id')!r}, "
                f"account {old.meta.get('account_id')!r}) — the file was left as it is"])
        old_inputs = {k: v for k, v in old.values.items() if k in new_inputs}
        merged, found = merge_inputs(snapshot_from_meta(old.meta), old_inputs, new_inputs)
        problems: list[str] = []
        text = _problem_text(fresh, target.name)
        kept = parse_inputs(merged, data, lang, lambda *a: problems.append(text(*a)))
        if problems:
            return PlanResult(account_id, target, "error",
                              problems=[*problems, f"{target.name}: not regenerated; the file was left as it is"])
        book = account_plan(kept, lang, now)
        conflicts = [(*(locate(fresh, c.name, c.row, c.col) or ("?", c.name)), c) for c in found]
        backup_dir = out_dir / BACKUP_DIR
        backup_dir.mkdir(parents=True, exist_ok=True)
        backup = backup_dir / f"{target.stem}.{now.strftime('%Y%m%d-%H%M%S')}.xlsx"
        n = 1
        while backup.exists():  # two runs in one second keep both backups
            n += 1
            backup = backup_dir / f"{target.stem}.{now.strftime('%Y%m%d-%H%M%S')}-{n}.xlsx"
        shutil.copy2(target, backup)
        status = "regenerated"
    book.meta.update(snapshot_meta(new_inputs))
    write_book(book, target)
    return PlanResult(account_id, target, status, conflicts, backup=backup)  # type: ignore[arg-type]


def generate_all(data_path: str | None, out_dir: Path, lang: Lang = "de", jobs: int = 1,
                 now: datetime | None = None) -> Iterator[PlanResult]:
    """Generate every account's plan; yields results as they finish (in account order for ``jobs=1``)."""
    db = _databook(data_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    ids = [a.account_id for a in db.accounts]
    now = now or datetime.now(UTC)
    if jobs <= 1:
        for aid in ids:
            yield generate_plan(data_path, aid, out_dir, lang, now)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(generate_plan, [data_path] * len(ids), ids, [out_dir] * len(ids),
                            [lang] * len(ids), [now] * len(ids))


def write_conflict_report(results: list[PlanResult], out_dir: Path) -> Path | None:
    """Write ``conflicts.csv`` (file, sheet, cell, input name, value at last generation, KAM's value kept,
    new data value) when there are conflicts; returns its path, or ``None``."""
    import csv

    from kam_xl.files import write_atomic

    rows = [(r.path.name, sheet, cell, c.name, c.orig, c.kam, c.data)
            for r in results for sheet, cell, c in r.conflicts]
    if not rows:
        return None

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["file", "sheet", "cell", "input", "data_at_last_generation", "kam_value_kept", "new_data"])
            w.writerows(["" if v is None else v for v in row] for row in rows)

    return write_atomic(out_dir / "conflicts.csv", write)


@dataclass
class CollectResult:
    """What ``collect`` found: the plans read back, the problems per cell, and the files skipped."""

    plans: list[AccountPlanData] = field(default_factory=list)
    problems: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # file, sheet, cell, value, msg
    skipped: list[tuple[str, str]] = field(default_factory=list)  # file, reason


def collect_plans(folder: Path, lang_default: Lang = "de") -> CollectResult:
    """Read every account plan in ``folder`` (not its ``_backup``) back into models.

    A file that is not ours, of another template version, damaged, truncated or password-protected is
    skipped with its reason; a plan with invalid inputs is reported cell by cell and left out, so one bad
    file never stops the run.
    """
    result = CollectResult()
    for path in sorted(folder.glob("*.xlsx")):
        if path.name.startswith("~$"):  # Excel's lock file of an open workbook
            continue
        try:
            nv = read_named(path)
        except WorkbookError as e:
            result.skipped.append((path.name, str(e)))
            continue
        template, version = nv.meta.get("template_id"), nv.meta.get("template_version")
        if template != TEMPLATE_ID:
            result.skipped.append((path.name, f"{path.name}: not a kam_xl account plan (template {template!r})"))
            continue
        if version != TEMPLATE_VERSION:
            result.skipped.append((path.name, f"{path.name}: account plan of template version {version}, this "
                                              f"kam_xl reads {TEMPLATE_VERSION} — regenerate it first"))
            continue
        lang: Lang = "en" if nv.meta.get("lang") == "en" else lang_default
        found: list[tuple[str, str, str, str, str]] = []

        def problem(name: str, row: int | None, col: int | None, value: object, allowed: str,
                    nv: NamedValues = nv, found: list = found) -> None:
            sheet, cell = nv.locate(name, row, col) or ("?", name)
            found.append((nv.path.name, sheet, cell, "" if value is None else str(value), f"allowed: {allowed}"))

        plan = parse_inputs(nv.values, AccountPlanData.from_workbook(nv.values, nv.meta), lang, problem)
        if found:
            result.problems.extend(found)
        else:
            result.plans.append(plan)
    return result


def plans_to_databook(plans: list[AccountPlanData], source: str) -> DataBook:
    """The collected inputs as a data book (the tidy export): the same tables ``generate`` reads."""
    cdb, activities, kgb = [], [], []
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
    tables: dict[str, list[dict[str, object]] | None] = {name: None for name in TABLES}
    tables.update({"cdb": cdb, "activities": activities, "kgb": kgb})
    return DataBook(source=source, accounts=[p.account for p in plans], tables=tables)
