"""Batch jobs over many accounts: generate account plans (and regenerate them without losing input), and
collect filled plans back into a data book.

The work for one account is a plain function of (data book, account id, target file), so ``--jobs N``
runs it in N processes: the run's own process reads the data book once and prepares each workbook's data
(:class:`PlanJob`); the ``N − 1`` worker processes it starts get one such job at a time, never the data book,
so their memory does not grow with the number of accounts.

Every file is handled on its own, so one bad file never takes a run down. Before any work is scheduled the
output folder is looked at (:func:`scan_folder`, :func:`resolve_targets`), the same for every ``--jobs``:

- An account's plan is found by its ``_meta`` sheet (``account_id``), whatever its file name, so a plan the KAM
  renamed is regenerated where it is. A file that cannot be read as one of ours — another spreadsheet format
  (``.ods``, ``.xls`` …), damaged or password-protected — belongs to the account whose id starts its file name
  as :func:`plan_filename` writes it (``KA-002_…``, any case; the longest id wins), so ``KA-002_Holsten.ods``
  is KA-002's but ``Kopie von KA-002.ods`` is nobody's. Questionnaires likewise by ``respondent`` and the name
  :func:`questionnaire_filename` writes (``Fragebogen_Dr._Claudia_Reimann…``).
- An account with more than one file (a copy under another name, a ``.ods`` beside the ``.xlsx``): all its
  files are listed and nothing is written or collected for it. An account whose one file is of another format
  (or ``.xlsm``, which generate cannot write) is listed with "save it as Excel Workbook (.xlsx)" and left as it
  is — generate never writes a second plan beside it.
- Two accounts whose plans get the same file name (compared without case, as Windows and macOS folders do)
  are both listed and neither is written.
- A file-system fault (disk full, permission denied, read-only file system) while backing up or writing one
  file lists that file as not written with the reason; the other files are written. Backups and targets are
  written to a temporary name and renamed; temporary files a killed run left are removed by the next run.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import multiprocessing
import re
import threading
import unicodedata
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from kam_xl import csvio, cycles
from kam_xl.cells import ShownPercent
from kam_xl.databook import TABLES, AccountRow, DataBook, demo_databook, read_databook
from kam_xl.databook.rows import TableRows
from kam_xl.errors import KamInputError
from kam_xl.excellence import Catalogue, Response, load_catalogue
from kam_xl.files import (
    SAVE_AS_XLSX,
    NotWrittenError,
    held_open,
    remove_leftovers,
    spreadsheet_kind,
)
from kam_xl.fingerprint import AccountPrints, fingerprint, table_content
from kam_xl.heap import give_back
from kam_xl.package import open_package, opendocument_meta, xlsx_meta
from kam_xl.plan_jobs import (  # a worker's part of a run: its own module, for its memory
    BACKUP_DIR as BACKUP_DIR,
)
from kam_xl.plan_jobs import FINGERPRINT as FINGERPRINT
from kam_xl.plan_jobs import PlanJob as PlanJob
from kam_xl.plan_jobs import PlanResult as PlanResult
from kam_xl.plan_jobs import QuestionnaireJob as QuestionnaireJob
from kam_xl.plan_jobs import _backup_failed, _Job, _plan_identity, _read, _run_job, _write, backup_copy
from kam_xl.plan_jobs import _failed as _failed
from kam_xl.plan_jobs import _run as _run
from kam_xl.plan_jobs import questionnaire_fingerprint as questionnaire_fingerprint
from kam_xl.plan_jobs import write_regenerating as write_regenerating
from kam_xl.text import key_of
from kam_xl.vocabulary import Lang
from kam_xl.workbook.account_plan import (
    ACCOUNT_ROLE,
    PLAN_SHEETS,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    AccountPlanData,
    parse_inputs,
    plan_account_fields,
    status_word,
)
from kam_xl.workbook.controller import (
    CONTROLLER_SHEETS,
    ControllerSettings,
    NotKept,
    carried_settings,
    controller_workbook,
    default_settings,
    not_read,
    read_controller_inputs,
)
from kam_xl.workbook.controller import TEMPLATE_ID as CONTROLLER_ID
from kam_xl.workbook.controller import TEMPLATE_VERSION as CONTROLLER_VERSION
from kam_xl.workbook.controller.kind import TableExport, input_names
from kam_xl.workbook.layout import Book, Sheet
from kam_xl.workbook.names import Engine, NamedValues, WorkbookError, read_named
from kam_xl.workbook.printing import cldr_words, remember_cldr_words
from kam_xl.workbook.questionnaire import TEMPLATE_ID as QUESTIONNAIRE_ID
from kam_xl.workbook.questionnaire import TEMPLATE_VERSION as QUESTIONNAIRE_VERSION
from kam_xl.workbook.questionnaire import parse_questionnaire, questionnaire_meta_problem

QUESTIONNAIRE_DIR = "Fragebogen"
#: The controller workbook generate and collect write: macro-enabled (the xlwings VBA project and the macro
#: buttons); a ``.xlsx`` target (``collect --to``) gets the same workbook without macros.
CONTROLLER_FILE = "Controller.xlsm"
#: kam_xl's reports and export beside the plans (CSV and .xlsx): never taken for a KAM's file by collect
OWN_FILES = frozenset({"conflicts.csv", "collect_errors.csv", "collected.xlsx"})
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
    return f"{_safe_stem(f'{account.account_id}_{account.name}')}.xlsx"


def _safe_stem(text: str) -> str:
    stem = _UNSAFE.sub("_", text)
    stem = re.sub(r"\s+", "_", stem.strip())
    stem = re.sub(r"_+", "_", stem).strip("._ ")[:120].rstrip("._ ")
    if stem.split("_")[0].split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    return stem



#: What a plan's ``_meta`` ``data_book`` says for plans generated from the shipped demo data.
DEMO_DATA_BOOK = "demo"


def databook_reference(data_path: str | Path | None) -> str:
    """How a plan records the data book it was generated from (``_meta`` entry ``data_book``): the absolute
    path, a URL without user name and password, or :data:`DEMO_DATA_BOOK` for the demo data.

    >>> databook_reference(None), databook_reference("https://kam:geheim@files.example/db.xlsx")
    ('demo', 'https://files.example/db.xlsx')
    """
    if data_path is None:
        return DEMO_DATA_BOOK
    from kam_xl import sql

    if sql.is_database(data_path):  # sqlite:////abs/kam.db, postgresql+psycopg://host/db (no user, no password)
        return sql.safe_reference(data_path)
    text = str(data_path)
    parts = urlsplit(text)
    if parts.scheme in ("http", "https", "ftp", "sftp", "s3", "file") and parts.netloc:
        host = parts.hostname or ""
        netloc = host + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    return str(Path(text).resolve())


def databook_of_plans(references: Iterable[str]) -> str | None:
    """The data book a set of plans was generated from, when they all name the same one (a path, a URL or
    :data:`DEMO_DATA_BOOK`); ``None`` when there are no plans, a plan names none (generated before kam_xl
    recorded it) or they name different ones. Whether it still exists (and may be read) is the caller's to
    check."""
    found = set(references)
    if len(found) != 1:
        return None
    only = found.pop()
    return only or None


class _DataBooks:
    """The data books of a batch run by path (``None``: the demo data), read once per process and kept (at most
    :attr:`KEEP`, the oldest let go first). ``_databook(path)`` reads or returns one; :meth:`remember` keeps one
    the caller has read already (the CLI validates the data book before anything runs), so neither the run
    nor the ``--jobs`` workers forked from it read it again; :meth:`cache_clear` forgets them all."""

    KEEP = 4

    def __init__(self) -> None:
        self._books: dict[str | None, DataBook] = {}

    def __call__(self, path: str | None) -> DataBook:
        found = self._books.get(path)
        if found is None:
            found = demo_databook() if path is None else read_databook(path)
            self.remember(path, found)
        return found

    def remember(self, path: str | None, db: DataBook) -> None:
        """Keep ``db`` as the data book read from ``path``."""
        self._books.pop(path, None)
        while len(self._books) >= self.KEEP:
            del self._books[next(iter(self._books))]
        self._books[path] = db

    def cache_clear(self) -> None:
        """Forget every data book (the next call reads afresh)."""
        self._books.clear()


_databook = _DataBooks()


def remember_databook(data_path: str | Path | None, db: DataBook) -> None:
    """Use ``db`` as the data book at ``data_path`` (``None``: the demo data) for the batch functions that follow
    in this process and the ``--jobs`` workers it forks — for a caller that has read and checked it already
    (``kam-xl generate``), so that it is read once per run, not once per process."""
    _databook.remember(None if data_path is None else str(data_path), db)


def reload_databook(path: str | Path) -> DataBook:
    """Read the data book at ``path`` afresh and keep it for the batch functions that follow. The batch functions
    cache data books by path for a batch run; a long-lived process (Excel's Python, the server) calls this first,
    as the file may have changed since. Raises :class:`~kam_xl.databook.DataBookError` as ``read_databook``."""
    _databook.cache_clear()
    return _databook(str(path))



def data_fingerprint(db: DataBook, account_id: str, data_book: str, lang: Lang) -> str:
    """The fingerprint of everything in the data book ``db`` an account's plan can be built from — the account's
    rows of every table, its master data and what belongs to no account (:class:`~kam_xl.fingerprint.AccountPrints`,
    read from the rows, no model built) — with the data book reference ``data_book`` (the plan's ``_meta``) and
    the plan's language; recorded in the plan's ``_meta`` as :data:`FINGERPRINT`. Raises ``KeyError`` for an
    account the data book does not have."""
    return _prints(db)(account_id, db.account(account_id), data_book, lang, TEMPLATE_ID)


_PRINTS: list[tuple[DataBook, AccountPrints]] = []  # the last data book's, with the data book it belongs to


def _prints(db: DataBook) -> AccountPrints:
    """The account fingerprints of ``db`` (made once per data book: the shared part and the tables' indexes)."""
    if not _PRINTS or _PRINTS[0][0] is not db:
        keys = {name: column for kind in PLAN_SHEETS for name, column in kind.replaced_by.items()}
        _PRINTS[:] = [(db, AccountPrints(db.tables, (a.account_id for a in db.accounts), keys))]
    return _PRINTS[0][1]


def is_unchanged(target: Path, identity: Mapping[str, str], fingerprint_now: str) -> bool:
    """True when the plan at ``target`` carries ``identity`` (template, account), the current template version
    and ``fingerprint_now`` in its ``_meta`` — read alone (:func:`kam_xl.package.xlsx_meta`), not the workbook.
    A file that cannot be read that way is not unchanged (regeneration then says what is wrong with it)."""
    try:
        meta = xlsx_meta(target)
    except Exception:  # any fault of an untrusted file: the full regeneration reads it and names the problem
        return False
    return meta_unchanged(meta, identity, fingerprint_now)


def meta_unchanged(meta: Mapping[str, str], identity: Mapping[str, str], fingerprint_now: str) -> bool:
    """True when a plan's ``_meta`` entries ``meta`` carry ``identity``, the current template version and
    ``fingerprint_now``."""
    wanted = {**identity, "template_version": TEMPLATE_VERSION, FINGERPRINT: fingerprint_now}
    return all(meta.get(k) == v for k, v in wanted.items())


def generate_plan(data_path: str | None, account_id: str, out_dir: Path, lang: Lang = "de",
                  now: datetime | None = None, target: Path | None = None, *, skip_unchanged: bool = False
                  ) -> PlanResult:
    """Write the account plan of one account into ``out_dir``; regenerate it if it exists, keeping every input
    a KAM typed, with a timestamped backup of the old file.

    With ``skip_unchanged`` a plan whose ``_meta`` records the same data fingerprint (:func:`data_fingerprint`)
    and template version as now is left as it is — not read, not rewritten, no backup — with the status
    ``"unchanged"``: its inputs are in it already (``generate`` without ``--force``).

    ``target`` is the file to write (as :func:`resolve_targets` chose it); without it the folder is looked at
    for this account's files first, so a duplicate, a file of another format or a name shared with another
    account gives an ``"error"`` result and nothing is written."""
    now = now or datetime.now(UTC)
    db = _databook(data_path)
    db.account(account_id)  # KeyError for an account the data book does not have, before the folder is looked at
    if target is None:
        found = _resolve_one(db, "plan", account_id, out_dir)
        if isinstance(found, PlanResult):
            return found
        target = found
    fp = data_fingerprint(db, account_id, databook_reference(data_path), lang)
    if skip_unchanged and target.exists() and is_unchanged(target, _plan_identity(account_id), fp):
        return PlanResult(account_id, target, "unchanged")
    return plan_job(db, data_path, account_id, target, lang, now, fp)()



def plan_job(db: DataBook, data_path: str | None, account_id: str, target: Path, lang: Lang, now: datetime,
             fp: str | None = None) -> PlanJob:
    """The :class:`PlanJob` of ``account_id``'s plan at ``target``, from the data book ``db`` read from
    ``data_path`` (``None``: the demo data); ``fp``: its :func:`data_fingerprint` if known already. Raises
    ``KeyError`` for an account ``db`` does not have."""
    reference = databook_reference(data_path)
    data = dataclasses.replace(AccountPlanData.from_databook(db, account_id), data_book=reference)
    return PlanJob(account_id, target, data, fp or data_fingerprint(db, account_id, reference, lang), lang, now)


def questionnaire_filename(respondent: str) -> str:
    """A safe file name for a respondent's questionnaire.

    >>> questionnaire_filename("Dr. Claudia Reimann")
    'Fragebogen_Dr._Claudia_Reimann.xlsx'
    """
    return plan_filename(AccountRow(account_id="Fragebogen", name=respondent, region="", plan_year=0))


def generate_questionnaire(data_path: str | None, respondent: str, out_dir: Path, lang: Lang = "de",
                           now: datetime | None = None, target: Path | None = None) -> PlanResult:
    """Write one respondent's excellence questionnaire, filled with the answers of the data book, into
    ``out_dir``; regenerate it like an account plan if it exists (``target`` as for :func:`generate_plan`)."""
    now = now or datetime.now(UTC)
    db = _databook(data_path)
    if target is None:
        found = _resolve_one(db, "questionnaire", respondent, out_dir)
        if isinstance(found, PlanResult):
            return found
        target = found
    return questionnaire_job(db, respondent, target, lang, now)()



def questionnaire_job(db: DataBook, respondent: str, target: Path, lang: Lang, now: datetime) -> QuestionnaireJob:
    """The :class:`QuestionnaireJob` of ``respondent`` (``StopIteration`` for one the data book does not have)."""
    response = next(r for r in db.responses() if r.respondent == respondent)
    return QuestionnaireJob(respondent, target, response, lang, now, questionnaire_fingerprint(response, lang))


# ------------------------------------------------------------------------- the files already in a folder

Role = Literal["plan", "questionnaire"]
_WHO = {"plan": "account", "questionnaire": "respondent"}


@dataclass(frozen=True)
class FolderFile:
    """A spreadsheet in a plan folder and whose it is.

    ``kind`` is ``"xlsx"`` (a workbook kam_xl reads: .xlsx/.xlsm) or another format in words
    (:func:`~kam_xl.files.spreadsheet_kind`). ``role``/``owner``: an account plan of that account id or a
    questionnaire of that respondent — by its ``_meta`` sheet when it reads as ours, by its file name
    (:func:`owner_by_name`) when it cannot be read (another format, damaged, password-protected); ``None``
    for a readable workbook that is not ours (or a controller) and for a name that names nobody.
    ``unreadable`` is why a ``.xlsx`` could not be read. ``stamp``: of a ``.xlsx`` read as ours, the
    ``template_version`` and :data:`FINGERPRINT` entries of its ``_meta`` (what ``generate`` needs to leave an
    unchanged plan as it is without opening it again)."""

    path: Path
    kind: str
    role: Role | None = None
    owner: str | None = None
    unreadable: str | None = None
    stamp: tuple[str | None, str | None] = (None, None)


def _fold(name: str) -> str:
    """A file name as Windows and macOS folders compare it: composed Unicode, without case."""
    return unicodedata.normalize("NFC", name).casefold()


def name_prefixes(role: Role, keys: Iterable[str]) -> dict[str, str]:
    """The file-name start that marks a file as a key's (``role`` plan: account id → ``KA-002``; questionnaire:
    respondent → ``Fragebogen_Dr._Claudia_Reimann``), as :func:`plan_filename` / :func:`questionnaire_filename`
    write them, folded by :func:`_fold`; maps prefix → key."""
    if role == "plan":
        return {_fold(_safe_stem(k)): k for k in keys}
    return {_fold(questionnaire_filename(k).removesuffix(".xlsx")): k for k in keys}


def owner_by_name(file_name: str, prefixes: Mapping[str, str]) -> str | None:
    """The key whose prefix (:func:`name_prefixes`) starts ``file_name`` and is followed by its end or by a
    character that is not a letter or digit (``KA-002_Holsten.ods``, ``KA-002.ods``, ``ka-002 (1).ods`` but not
    ``KA-0021_….ods``); the longest prefix wins; ``None`` if there is none.

    >>> p = name_prefixes("plan", ["KA-002", "KA-002-B"])
    >>> owner_by_name("ka-002_Holsten.ods", p), owner_by_name("KA-002-B_x.ods", p), owner_by_name("KA-0021.ods", p)
    ('KA-002', 'KA-002-B', None)
    """
    name = _fold(file_name)
    found = [p for p in prefixes if name.startswith(p) and (len(name) == len(p) or not name[len(p)].isalnum())]
    return prefixes[max(found, key=len)] if found else None


def _role_of(meta: Mapping[str, str]) -> tuple[Role | None, str | None]:
    template = meta.get("template_id")
    if template == TEMPLATE_ID:
        return "plan", meta.get("account_id")
    if template == QUESTIONNAIRE_ID:
        return "questionnaire", meta.get("respondent")
    return None, None


def _spreadsheets(*folders: Path) -> Iterator[tuple[Path, str]]:
    """The spreadsheets in ``folders`` (not in sub-folders) with their kind, by name; a missing folder has none."""
    for folder in folders:
        try:
            # not only regular files: a FIFO, a device or a link named like a plan is listed with its reason
            # by the guarded reader instead of being passed over in silence (sub-folders are not looked into)
            paths = sorted(p for p in folder.iterdir() if not p.is_dir())
        except OSError:
            continue
        for path in paths:
            kind = spreadsheet_kind(path)
            if kind is not None:
                yield path, kind


def _by_name(path: Path, kind: str, prefixes: Mapping[Role, Mapping[str, str]], unreadable: str | None
             ) -> FolderFile:
    for role, table in prefixes.items():
        owner = owner_by_name(path.name, table)
        if owner is not None:
            return FolderFile(path, kind, role, owner, unreadable)
    return FolderFile(path, kind, unreadable=unreadable)


def scan_folder(folders: Iterable[Path], prefixes: Mapping[Role, Mapping[str, str]],
                ignore: frozenset[str] = frozenset(), progress: Callable[[int, int], None] | None = None
                ) -> list[FolderFile]:
    """Every spreadsheet in ``folders`` (names in ``ignore`` passed over) with whose it is: a ``.xlsx``/``.xlsm``
    and an OpenDocument spreadsheet by its ``_meta`` sheet (only that sheet is read), anything else — and an
    OpenDocument file without kam_xl's ``_meta`` — by its name against ``prefixes`` (role → :func:`name_prefixes`).
    ``progress(done, total)`` is called after each spreadsheet looked at."""
    found = []
    listed = [(path, kind) for path, kind in _spreadsheets(*folders) if path.name not in ignore]
    for done, (path, kind) in enumerate(listed, 1):
        owner = _owner_by_meta(path, kind)
        if isinstance(owner, tuple) and (kind == "xlsx" or owner[1] is not None):
            found.append(FolderFile(path, kind, owner[0], owner[1], stamp=owner[2]))
        else:
            found.append(_by_name(path, kind, prefixes, owner if kind == "xlsx" else None))
        if progress is not None:
            progress(done, len(listed))
    return found


_Owner = tuple[Role | None, str | None, tuple[str | None, str | None]]  # role, owner, FolderFile.stamp
_OWNERS: dict[tuple[str, int, int, int], _Owner | str] = {}


def _owner_of(meta: Mapping[str, str]) -> _Owner:
    return (*_role_of(meta), (meta.get("template_version"), meta.get(FINGERPRINT)))


def _owner_by_meta(path: Path, kind: str = "xlsx") -> _Owner | str | None:
    """Role, owner and stamp (:class:`FolderFile`) from the ``_meta`` sheet, or why the file cannot be read: of
    a workbook kam_xl reads
    (``kind`` ``"xlsx"``) and of an OpenDocument spreadsheet (a plan a KAM saved as ``.ods``, under any name, is
    still known as that account's file); ``None`` for other formats (they are known by their name only).
    Remembered per file version (path, modification time, size): one account's regeneration (the controller's
    refresh macro, run once per account) then looks into the other files of a large folder only once."""
    opendocument = kind != "xlsx" and "OpenDocument spreadsheet" in kind and path.suffix.lower() != ".fods"
    if kind != "xlsx" and not opendocument:
        return None
    try:
        st = path.stat()
    except OSError as e:
        return f"{path.name}: cannot be read ({e.strerror or e})"
    key = (str(path), st.st_ino, st.st_mtime_ns, st.st_size)
    if key not in _OWNERS:
        if len(_OWNERS) > 20_000:
            _OWNERS.clear()
        if opendocument:
            try:
                _OWNERS[key] = (*_role_of(opendocument_meta(path)), (None, None))  # never left as it is
            except WorkbookError as e:
                _OWNERS[key] = str(e)
        else:
            nv = _read(path, names=set())
            _OWNERS[key] = _owner_of(nv.meta) if isinstance(nv, NamedValues) else nv
    return _OWNERS[key]


def _listing(files: list[Path], folder: Path) -> str:
    return ", ".join(str(p.relative_to(folder)) if p.is_relative_to(folder) else p.name for p in files)


def resolve_targets(role: Role, canonical: Mapping[str, Path], files: Iterable[FolderFile]
                    ) -> dict[str, Path | PlanResult]:
    """Where each key's workbook is to be written, or the ``"error"`` result of a key that gets nothing written
    (its problems say why).

    ``canonical`` maps each key (account id / respondent, in order) to the path its file name gives
    (:func:`plan_filename` …); ``files`` are the spreadsheets already there (:func:`scan_folder`). A key with
    one readable ``.xlsx`` of its own is written there (whatever the name); with none, at its canonical path;
    with one of another format or a ``.xlsm``, not at all ("save it as Excel Workbook (.xlsx)"); with several,
    not at all, all of them listed. Keys whose canonical names or targets are the same without case (as
    Windows and macOS compare them) are all refused."""
    who = _WHO[role]
    mine: dict[str, list[FolderFile]] = {k: [] for k in canonical}
    for f in files:
        if f.role == role and f.owner in mine:
            mine[f.owner].append(f)
    out: dict[str, Path | PlanResult] = {}
    for key, path in canonical.items():
        own, problem = mine[key], None
        if len(own) > 1:
            names = _listing([f.path for f in own], path.parent)
            problem = (f"{who} {key}: {len(own)} files ({names}) — nothing written for {who} {key}; keep one "
                       f"file per {who} (move or delete the others) and run again")
        elif own and own[0].kind != "xlsx":
            problem = (f"{own[0].path.name}: {own[0].kind} — not read; {SAVE_AS_XLSX} to have it regenerated; "
                       f"nothing written for {who} {key}")
        elif own and own[0].path.suffix.lower() == ".xlsm":
            problem = (f"{own[0].path.name}: a macro-enabled workbook (.xlsm) — generate writes .xlsx only; "
                       f"{SAVE_AS_XLSX} to have it regenerated; nothing written for {who} {key}")
        out[key] = (PlanResult(key, own[0].path, "error", problems=[problem]) if problem else
                    own[0].path if own else path)
    for named in (canonical, None):  # the names the data gives, then the files actually to be written
        named = named or {k: v for k, v in out.items() if isinstance(v, Path)}
        for keys in _same_names(named):
            for key in keys:
                text = (f"{named[key].name}: the same file name for {who}s {', '.join(keys)} (file names are "
                        f"compared without case, as on Windows and macOS) — give them distinct ids or names in the "
                        f"data book; nothing written for {who} {key}")
                done = out[key]
                out[key] = (PlanResult(key, done.path, "error", problems=[*done.problems, text])
                            if isinstance(done, PlanResult) else PlanResult(key, named[key], "error", problems=[text]))
    return out


def unattributed(files: Iterable[FolderFile], db: DataBook, questionnaires: bool,
                 ignore: frozenset[str] = frozenset()) -> list[str]:
    """What ``generate`` leaves alone in its output folder because it is nobody's in the data book, each a line
    naming the file and why: a plan (questionnaire) of an account (respondent) the data book does not hold, a
    workbook that is not kam_xl's, a file that cannot be read or another spreadsheet whose name names nobody.
    kam_xl's own outputs (the controller — also one that cannot be read: generate replaces it —, :data:`OWN_FILES`)
    are not listed, nor questionnaires and the
    questionnaire folder when they are not generated (``questionnaires`` false), nor names in ``ignore`` (the data
    book kept in the folder)."""
    keys: dict[Role, set[str]] = {"plan": {a.account_id for a in db.accounts},
                                  "questionnaire": {r.respondent for r in db.responses()}}
    who = {"plan": "the account plan of account", "questionnaire": "the questionnaire of respondent"}
    passed_over = OWN_FILES | ignore | {CONTROLLER_FILE}
    lines = []
    for f in files:
        if f.path.name in passed_over or (not questionnaires and (
                f.role == "questionnaire" or f.path.parent.name == QUESTIONNAIRE_DIR)):
            continue
        name = f.path.name if f.path.parent.name != QUESTIONNAIRE_DIR else f"{QUESTIONNAIRE_DIR}/{f.path.name}"
        if f.role is not None and f.owner is not None:
            if f.owner not in keys[f.role]:
                lines.append(f"{name}: {who[f.role]} {f.owner}, which the data book does not hold")
        elif f.unreadable is not None:
            lines.append(f"{name}: {f.unreadable.removeprefix(f.path.name + ': ')}")
        elif f.kind != "xlsx":
            lines.append(f"{name}: {f.kind} whose name names no account")
        elif (what := _workbook_kind(f.path)) != "controller":
            lines.append(f"{name}: {what}")
    return lines


def _workbook_kind(path: Path) -> str:
    """``"controller"`` for a controller workbook, else what ``path`` is in words: a data book (a sheet
    ``accounts``, as ``collect --export`` and ``demo-data`` write one) or a workbook that is not kam_xl's."""
    try:
        if xlsx_meta(path).get("template_id") == CONTROLLER_ID:
            return "controller"
        if "accounts" in open_package(path).workbook().sheets:
            return "a data book, not a plan"
    except WorkbookError:
        pass
    return "not a kam_xl workbook"


def _same_names(paths: Mapping[str, Path]) -> list[list[str]]:
    """The groups of keys (more than one) whose paths are the same without case."""
    groups: dict[str, list[str]] = {}
    for key, path in paths.items():
        groups.setdefault(_fold(str(path)), []).append(key)
    return [g for g in groups.values() if len(g) > 1]


def _canonical(db: DataBook, role: Role, folder: Path) -> dict[str, Path]:
    if role == "plan":
        return {a.account_id: folder / plan_filename(a) for a in db.accounts}
    # not for an account plan's own ratings (a collected export holds them as responses of role ACCOUNT_ROLE)
    return {r.respondent: folder / questionnaire_filename(r.respondent) for r in db.responses()
            if r.role != ACCOUNT_ROLE}


def _prefixes(db: DataBook) -> dict[Role, dict[str, str]]:
    return {"plan": name_prefixes("plan", (a.account_id for a in db.accounts)),
            "questionnaire": name_prefixes("questionnaire", (r.respondent for r in db.responses()
                                                             if r.role != ACCOUNT_ROLE))}


def _resolve_one(db: DataBook, role: Role, key: str, folder: Path) -> Path | PlanResult:
    return resolve_targets(role, _canonical(db, role, folder), scan_folder([folder], _prefixes(db)))[key]


# ----------------------------------------------------------------------------------------------- the run

_Work = tuple[Callable[..., PlanResult], str, Path, Path]  # (generate_…, key, folder, target)


def plan_work(db: DataBook, out_dir: Path, questionnaires: bool = False, skip_unchanged: bool = False, *,
              unchanged_for: tuple[str | None, Lang] | None = None,
              progress: Callable[[str, int, int], None] | None = None, left_alone: list[str] | None = None
              ) -> list[_Work | PlanResult]:
    """What ``generate`` will do, in data-book order: per account (then per respondent, if asked) the work to
    run, or the ``"error"`` result of a key that gets nothing written (:func:`resolve_targets`). Looks at
    ``out_dir`` (and ``out_dir/Fragebogen``) only; writes nothing. ``skip_unchanged``: plans whose data and
    template are unchanged are left as they are (:func:`generate_plan`); with ``unchanged_for`` (the data
    path as the work items get it and the language) that is decided here already, from the ``_meta`` the
    folder scan read (:func:`unchanged_result`): such a plan is an ``"unchanged"`` result, not work — and so
    is a questionnaire whose answers, catalogue and template are unchanged (:func:`questionnaire_fingerprint`).
    ``progress(phase, done, total)``: ``"scan"`` after each spreadsheet the folder scan looked at
    (:func:`scan_folder`), ``"compare"`` after each plan found there compared with the data now. ``left_alone``
    gets the files the folder holds that are nobody's in the data book (:func:`unattributed`)."""
    q_dir = out_dir / QUESTIONNAIRE_DIR
    # decided here (unchanged_for), a plan's work is regeneration: the worker need not look at its _meta again
    plan_fn = (functools.partial(generate_plan, skip_unchanged=True) if skip_unchanged and unchanged_for is None
               else generate_plan)
    roles: list[tuple[Role, Callable[..., PlanResult], Path]] = [("plan", plan_fn, out_dir)]
    if questionnaires:
        roles.append(("questionnaire", generate_questionnaire, q_dir))
    # collect reads plans and questionnaires in both folders
    files = scan_folder([out_dir, q_dir], _prefixes(db),
                        progress=None if progress is None else functools.partial(progress, "scan"))
    if left_alone is not None:
        book = unchanged_for[0] if unchanged_for is not None else None  # the data book, if kept in the folder
        left_alone += unattributed(files, db, questionnaires,
                                   frozenset({Path(book).name}) if book and "://" not in book else frozenset())
    # a plan's own file (by its _meta) with the stamp the scan read, when unchanged plans are decided here
    stamps = {(f.owner, f.path): f.stamp for f in files if f.role == "plan"} if skip_unchanged else {}
    q_stamps = {(f.owner, f.path): f.stamp for f in files if f.role == "questionnaire"} if skip_unchanged else {}
    answers = {r.respondent: r for r in db.responses()} if questionnaires and q_stamps else {}
    compared = 0
    items: list[_Work | PlanResult] = []
    for role, fn, folder in roles:
        for key, target in resolve_targets(role, _canonical(db, role, folder), files).items():
            if not isinstance(target, Path):
                items.append(target)
            elif role == "questionnaire" and unchanged_for is not None and (key, target) in q_stamps \
                    and q_stamps[key, target] == (QUESTIONNAIRE_VERSION,
                                                questionnaire_fingerprint(answers[key], unchanged_for[1])):
                items.append(PlanResult(key, target, "unchanged"))
            elif role == "plan" and unchanged_for is not None and (key, target) in stamps:
                items.append(unchanged_result(db, key, target, stamps[key, target], *unchanged_for)
                             or (fn, key, folder, target))
                compared += 1
                if progress is not None:
                    progress("compare", compared, len(stamps))
            else:
                items.append((fn, key, folder, target))
    return items


def unchanged_result(db: DataBook, account_id: str, target: Path, stamp: tuple[str | None, str | None],
                     data_path: str | None, lang: Lang) -> PlanResult | None:
    """The ``"unchanged"`` result of the plan at ``target`` whose ``_meta`` (as the folder scan read it, see
    :class:`FolderFile`) records the current template version and the fingerprint of ``account_id``'s data now
    (:func:`data_fingerprint`), else ``None`` (the plan is to be regenerated)."""
    version, recorded = stamp
    if version != TEMPLATE_VERSION or recorded is None:
        return None
    if recorded != data_fingerprint(db, account_id, databook_reference(data_path), lang):
        return None
    return PlanResult(account_id, target, "unchanged")


def generate_all(data_path: str | None, out_dir: Path | str, lang: Lang = "de", jobs: int = 1,
                 now: datetime | None = None, questionnaires: bool = False,
                 scheduler: str | None = None, skip_unchanged: bool = False,
                 progress: Callable[[str, int, int], None] | None = None,
                 alongside: Callable[[], object] | None = None,
                 left_alone: list[str] | None = None) -> Iterator[PlanResult]:
    """Generate every account's plan (and, if asked, every respondent's questionnaire into
    ``out_dir/Fragebogen``); yields one result per account/respondent in data-book order.

    Leftover temporary files of an interrupted run are removed first; then :func:`plan_work` decides, before
    anything runs, what is written where and what is refused (duplicates, other formats, shared file names),
    the same for every ``jobs``. A file that cannot be written is an ``"error"`` result; the others are
    written. With ``skip_unchanged`` a plan whose data fingerprint and template version are unchanged is left
    as it is (status ``"unchanged"``, :func:`generate_plan`). ``jobs`` > 1: this process and ``jobs`` − 1
    worker processes write the workbooks side by side (:func:`_side_by_side`); a worker gets one
    :class:`PlanJob` at a time, never the data book. ``progress(phase, done, total)`` is called as the
    folder is looked at and its plans compared with the data (:func:`plan_work`). With ``scheduler``
    (``tcp://host:8786``) the work runs on that Dask cluster instead (:func:`kam_xl.cluster.run_on_cluster`;
    ``jobs`` is then ignored).
    ``out_dir`` may be an fsspec URL (``s3://bucket/plans``; :mod:`kam_xl.storage`): the results' paths are
    then relative to it.
    ``alongside``: further work of the run that needs none of the plans (``generate``'s controller workbook),
    called once in this process before the results end — with ``jobs`` > 1 in a thread while the
    workers write plans (:func:`_side_by_side`: this process's core is its own until it ends, then this process
    writes plans too), else after the plans as before. What it raises is raised after the plans are written.
    ``left_alone`` gets, before the first result, a line for each file in a local ``out_dir`` that is nobody's
    in the data book and so left as it is (:func:`unattributed`).
    Raises :class:`OSError` only when ``out_dir`` cannot be made (or listed), and
    :class:`~kam_xl.storage.StorageError` for a URL that cannot be opened."""
    db = _databook(data_path)
    now = now or datetime.now(UTC)
    from kam_xl.storage import is_url, plan_work_url  # fsspec itself is imported only for a URL

    if is_url(out_dir):
        items = plan_work_url(db, str(out_dir), questionnaires, other_processes=jobs > 1 or scheduler is not None,
                              skip_unchanged=skip_unchanged)
    else:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        q_dir = out_dir / QUESTIONNAIRE_DIR
        remove_leftovers(out_dir, out_dir / BACKUP_DIR, q_dir, q_dir / BACKUP_DIR)
        items = plan_work(db, out_dir, questionnaires, skip_unchanged, unchanged_for=(data_path, lang),
                          progress=progress, left_alone=left_alone)
    if scheduler is not None:  # Dask is imported only here
        from kam_xl.cluster import run_on_cluster

        yield from _then(run_on_cluster(scheduler, items, data_path, lang, now), alongside)
        return
    prepare = functools.partial(_prepared, db, data_path, lang, now)
    if jobs <= 1 or sum(isinstance(item, tuple) for item in items) < 2:
        yield from _then((item if isinstance(item, PlanResult) else _run_job(prepare(item)) for item in items),
                         alongside)
        return
    with ProcessPoolExecutor(max_workers=jobs - 1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=remember_cldr_words, initargs=(_workers_cldr_words(db, lang, now),)) as pool:
        yield from _side_by_side(items, prepare, pool, window=4 * (jobs - 1), alongside=alongside)


def _workers_cldr_words(db: DataBook, lang: Lang, now: datetime) -> dict[tuple[str, str, str], str]:
    """What the run's workbooks take from CLDR — the symbols of the accounts' currencies (and of a layout's
    default one), the day of ``now`` as written —, looked up here, where the data book's reader has loaded the
    locale data anyway, for the workers (:func:`~kam_xl.workbook.printing.remember_cldr_words`)."""
    return cldr_words({account.currency for account in db.accounts} | {Book.currency}, [now.date()], lang)


def _then(results: Iterable[PlanResult], alongside: Callable[[], object] | None) -> Iterator[PlanResult]:
    """``results``, then ``alongside`` called (one process: one thing after the other, as before)."""
    yield from results
    if alongside is not None:
        alongside()


class _Beside:
    """``work()`` run in a thread of this process (started at once); :meth:`running` while it runs,
    :meth:`finish` waits for it and raises what it raised."""

    def __init__(self, work: Callable[[], object]) -> None:
        self._error: BaseException | None = None

        def run() -> None:
            try:
                work()
            except BaseException as e:  # raised again in the run's thread (finish), after the plans
                self._error = e

        # a daemon: an interrupted run (Ctrl-C) ends at once, as it did when the work ran after the plans (its
        # file is written atomically; a temporary file left is removed by the next run)
        self._thread = threading.Thread(target=run, name="kam_xl-alongside", daemon=True)
        self._thread.start()

    def running(self) -> bool:
        """True while the work runs."""
        return self._thread.is_alive()

    def finish(self) -> None:
        """Wait for the work to end; raise what it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error


def _prepared(db: DataBook, data_path: str | None, lang: Lang, now: datetime, item: _Work) -> _Job | PlanResult:
    """What a process that holds no data book needs to write ``item``: a :class:`PlanJob` or
    :class:`QuestionnaireJob` made from ``db`` here; for any other work (an output folder at a URL: the
    staged writers of :mod:`kam_xl.storage`) the arguments of :func:`_run`, whose process reads the data book
    itself. A fault while preparing (data the plan cannot be built from) is the item's ``"error"`` result."""
    fn, key, folder, target = item
    try:
        if fn is generate_plan:
            return plan_job(db, data_path, key, target, lang, now)
        if fn is generate_questionnaire:
            return questionnaire_job(db, key, target, lang, now)
    except Exception as e:  # one file never takes the run down: it is listed, the others are written
        return _failed(key, target, e)
    return (fn, data_path, key, folder, target, lang, now)


def _side_by_side(items: list[_Work | PlanResult], prepare: Callable[[_Work], _Job | PlanResult],
                  pool: ProcessPoolExecutor, window: int, alongside: Callable[[], object] | None = None
                  ) -> Iterator[PlanResult]:
    """The results of ``items`` in their order, written by this process and the ``pool``'s workers side by
    side: the workers get the next items, each prepared when it is sent (``prepare``: a plan's data, not the
    data book), with at most ``window`` sent and not yet done; while the window is full this process writes
    the next item itself — so every process is busy to the last item and none holds more than the work in
    hand; with nothing left to send it takes back the items sent that no worker has started (newest first)
    rather than wait for them. A worker that dies (killed, out of memory) lists the items sent to it as not
    written; the items not yet sent are then written here.

    ``alongside`` (the controller workbook) runs in a thread of this process from the start: while it runs, this
    process only keeps the workers fed and takes their results (waiting for them releases the interpreter to
    it), so it has this process's core; once it has ended, this process writes items too, as above. After the last
    result it is waited for, and what it raised is raised."""
    todo = deque(enumerate(items))
    sent: deque[tuple[int, _Work | PlanResult, _Job, Future[PlanResult]]] = deque()
    done: dict[int, PlanResult] = {}
    broken = False
    beside = _Beside(alongside) if alongside is not None else None

    def receive() -> None:  # the oldest item sent: its result, or it listed if its worker died
        nonlocal broken
        i, item, _job, future = sent.popleft()
        try:
            done[i] = future.result()
        except Exception as e:
            broken = broken or isinstance(e, BrokenProcessPool)
            done[i] = item if isinstance(item, PlanResult) else _failed(item[1], item[3], e)

    for n in range(len(items)):
        while n not in done:
            while todo and not broken and len(sent) < window:  # keep the workers fed
                i, item = todo.popleft()
                job = item if isinstance(item, PlanResult) else prepare(item)
                if isinstance(job, PlanResult):  # refused, unchanged, or its data could not be prepared
                    done[i] = job
                    continue
                try:
                    sent.append((i, item, job, pool.submit(_run_job, job)))
                except BrokenProcessPool:
                    broken = True
                    done[i] = _run_job(job)
            while sent and sent[0][3].done():
                receive()
            if n in done:
                break
            if beside is not None and beside.running() and sent and not broken:  # this core is the side work's
                wait([sent[0][3]], timeout=_GLANCE_S)  # the oldest item sent: the next to take back
                continue
            if todo:  # the window is full (or the workers are gone): this process writes the next item itself
                i, item = todo.popleft()
                done[i] = _run_job(item if isinstance(item, PlanResult) else prepare(item))
            elif len(sent) > 1 and sent[-1][3].cancel():  # not started by a worker: written here instead
                i, _item, job, _future = sent.pop()
                done[i] = _run_job(job)
            else:  # nothing left to write here: wait for the oldest item sent
                receive()
        yield done.pop(n)
    if beside is not None:
        beside.finish()


#: how long the run's process waits for a worker's result at most before it looks whether the side work has ended
_GLANCE_S = 0.1


def write_conflict_report(results: list[PlanResult], out_dir: Path) -> Path | None:
    """Write ``conflicts.csv`` (file, sheet, cell, input name, value at last generation, KAM's value kept,
    new data value, note — why a value is listed besides a plain conflict) when there are conflicts, in the one
    CSV dialect (:func:`kam_xl.csvio.write_csv`: a KAM's ``=HYPERLINK(…)`` stays text); returns its path, or
    ``None`` — and then a ``conflicts.csv`` of an earlier run is removed, so the file always describes the last
    run. Raises :class:`OSError`."""
    rows = [(r.path.name, sheet, cell, c.name, c.orig, c.kam, c.data, c.note)
            for r in results for sheet, cell, c in r.conflicts]
    if not rows:
        (out_dir / "conflicts.csv").unlink(missing_ok=True)
        return None
    return csvio.write_csv(out_dir / "conflicts.csv", ["file", "sheet", "cell", "input", "data_at_last_generation",
                                                       "kam_value_kept", "new_data", "note"], rows)


#: One cell a collected file holds wrongly: file, sheet, cell, the value as shown (:func:`_shown_in_report`) and what
#: is allowed.
CellProblem = tuple[str, str, str, str | float, str]


def _shown_in_report(value: object) -> str | float:
    """A refused value as ``collect`` reports it (readers pass it :func:`~kam_xl.workbook.coerce.shown`): a number
    stays a number — the problem line writes it as typed (``150``), collect_errors.csv as a number of its dialect
    (``0,5``), never guarded like a text beginning with ``-``; empty is ``""``; anything else its text.

    A percent-formatted number is the percentage its cell showed (``150 %``, :class:`~kam_xl.cells.ShownPercent`).

    >>> _shown_in_report(150), _shown_in_report(-0.5), _shown_in_report(None), _shown_in_report(True)
    (150, -0.5, '', 'True')
    >>> _shown_in_report(ShownPercent(1.5))
    '150 %'
    """
    if isinstance(value, int | float) and not isinstance(value, bool | ShownPercent):
        return value
    return "" if value is None else str(value)


@dataclass
class CollectResult:
    """What ``collect`` found: the plans read back, the problems per cell, and the files skipped."""

    plans: list[AccountPlanData] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)  # file, sheet, cell, value, msg
    skipped: list[tuple[str, str]] = field(default_factory=list)  # file, reason
    #: the file each plan / questionnaire was read from, relative to the folder: ("plan", account id) or
    #: ("questionnaire", respondent) → path (collect --to-db records it with every row)
    files: dict[tuple[str, str], str] = field(default_factory=dict)


def collect_plans(folder: Path, lang_default: Lang = "de", ignore: frozenset[str] = frozenset(),
                  engine: Engine = "calamine", progress: Callable[[int, int], None] | None = None) -> CollectResult:
    """Read every account plan in ``folder`` and every questionnaire in it or its ``Fragebogen`` subfolder
    (not the ``_backup`` folders) back into models.

    A file that is not ours, of another template version, damaged, truncated or password-protected is
    skipped with its reason; a plan with invalid inputs is reported cell by cell and left out, so one bad
    file never stops the run. ``.xlsx`` and ``.xlsm`` (any case) are read; other spreadsheet formats (``.ods``,
    ``.xls``, ``.csv`` …) are skipped with "save it as Excel Workbook (.xlsx)". An account (respondent) with
    more than one file — found by ``_meta``, or for an unreadable file by its name (see the module doc) — has
    all of them skipped and is left out. kam_xl's own outputs (controller workbooks, :data:`OWN_FILES`, file
    names in ``ignore``) are passed over silently. Temporary files an interrupted run left in ``folder`` and its
    ``_backup`` are removed first. ``progress(done, total)`` is called after each file read.
    """
    with cycles.paused():
        return _collect_plans(folder, lang_default, ignore, engine, progress)


def _collectable(folder: Path, ignore: frozenset[str]) -> list[tuple[Path, str]]:
    """The spreadsheets ``collect`` reads in ``folder`` and its questionnaire folder (with their kinds), after the
    temporary files an interrupted run left there are removed; kam_xl's own outputs and ``ignore`` passed over."""
    remove_leftovers(folder, folder / BACKUP_DIR, folder / QUESTIONNAIRE_DIR, folder / QUESTIONNAIRE_DIR / BACKUP_DIR)
    return list(_readable(folder, ignore))


def _readable(folder: Path, ignore: frozenset[str]) -> Iterator[tuple[Path, str]]:
    """The spreadsheets in ``folder`` and its questionnaire folder with their kinds, but kam_xl's own outputs and
    ``ignore``."""
    ignore |= OWN_FILES
    return ((path, kind) for path, kind in _spreadsheets(folder, folder / QUESTIONNAIRE_DIR) if path.name not in ignore)


def has_collectable(folder: Path, ignore: frozenset[str] = frozenset()) -> bool:
    """Whether ``folder`` (or its questionnaire folder) holds a spreadsheet ``collect`` would read — one of kam_xl's
    own outputs or ``ignore`` does not count."""
    return next(_readable(folder, ignore), None) is not None


@dataclass
class _Collected:
    """One file as collect saw it: whose it is (as :class:`FolderFile`) and what came of it."""

    file: FolderFile
    plan: AccountPlanData | None = None
    response: Response | None = None
    problems: list[CellProblem] = field(default_factory=list)
    skipped: str | None = None

    def left_out(self, reason: str) -> None:
        """Nothing of this file is collected, for ``reason``."""
        self.plan, self.response, self.problems, self.skipped = None, None, [], reason


def _collect_plans(folder: Path, lang_default: Lang, ignore: frozenset[str], engine: Engine,
                   progress: Callable[[int, int], None] | None = None) -> CollectResult:
    catalogue = load_catalogue()
    files = _collectable(folder, ignore)
    seen = []
    for i, (path, kind) in enumerate(files, 1):
        if (c := _collect_guarded(path, kind, catalogue, lang_default, engine)) is not None:
            seen.append(c)
        if progress is not None:
            progress(i, len(files))
    seen = _settle(seen, folder)
    result = CollectResult()
    for c in seen:
        if c.skipped is not None:
            result.skipped.append((c.file.path.name, c.skipped))
        result.problems.extend(c.problems)
        if c.plan is not None:
            result.plans.append(c.plan)
            result.files["plan", c.plan.account.account_id] = c.file.path.relative_to(folder).as_posix()
        if c.response is not None:
            result.responses.append(c.response)
            result.files["questionnaire", c.response.respondent] = c.file.path.relative_to(folder).as_posix()
    return result


def _collect_guarded(path: Path, kind: str, catalogue: Catalogue, lang_default: Lang, engine: Engine
                     ) -> _Collected | None:
    """:func:`_collect_one`, with whatever an untrusted file makes the readers raise turned into its reason."""
    try:
        return _collect_one(path, kind, catalogue, lang_default, engine)
    except Exception as e:  # one file never stops the run
        reason = f"{path.name}: cannot be read ({type(e).__name__}: {e})"
        return _Collected(FolderFile(path, kind, unreadable=reason), skipped=reason)


def _collect_one(path: Path, kind: str, catalogue: Catalogue, lang_default: Lang, engine: Engine
                 ) -> _Collected | None:
    """One file read back: a plan or questionnaire, its problems, or why it was skipped; ``None`` for a
    controller workbook (kam_xl's own output)."""
    if kind != "xlsx":
        return _Collected(FolderFile(path, kind), skipped=f"{path.name}: {kind} — not read; {SAVE_AS_XLSX}")
    nv = _read(path, engine=engine, lazy=True)  # the parsers read the inputs, not the ~100 results
    if not isinstance(nv, NamedValues):
        return _Collected(FolderFile(path, kind, unreadable=nv), skipped=nv)
    template, version = nv.meta.get("template_id"), nv.meta.get("template_version")
    if template == CONTROLLER_ID:
        return None
    seen = _Collected(FolderFile(path, kind, *_role_of(nv.meta)))

    def problem(name: str, row: int | None, col: int | None, value: object, allowed: str) -> None:
        sheet, cell = nv.locate(name, row, col) or ("?", name)
        seen.problems.append((path.name, sheet, cell, _shown_in_report(value), f"allowed: {allowed}"))

    if template == QUESTIONNAIRE_ID:
        reason = questionnaire_meta_problem(nv.meta, catalogue)
        if reason:
            seen.skipped = f"{path.name}: {reason}"
            return seen
        response = parse_questionnaire(nv, catalogue, problem)
        seen.response = None if seen.problems else response
        return seen
    if template != TEMPLATE_ID:
        seen.skipped = f"{path.name}: not a kam_xl account plan (template {template!r})"
    elif version != TEMPLATE_VERSION:
        seen.skipped = (f"{path.name}: account plan of template version {version}, this kam_xl reads "
                        f"{TEMPLATE_VERSION} — regenerate it first")
    else:
        lang: Lang = "en" if nv.meta.get("lang") == "en" else lang_default
        plan = parse_inputs(nv.values, AccountPlanData.from_workbook(nv.values, nv.meta), lang, problem)
        seen.plan = None if seen.problems else plan
    return seen


def _settle(seen: list[_Seen], folder: Path) -> list[_Seen]:
    """The files of a folder once all are read: a file that cannot be read becomes an account's (a respondent's)
    by its name, against the ids of the readable files; then :func:`_refuse_duplicates`."""
    prefixes: dict[Role, dict[str, str]] = {
        role: name_prefixes(role, {c.file.owner for c in seen if c.file.role == role and c.file.owner})
        for role in ("plan", "questionnaire")}
    seen = [dataclasses.replace(c, file=_by_name(c.file.path, c.file.kind, prefixes, c.file.unreadable))
            if c.file.role is None and (c.file.kind != "xlsx" or c.file.unreadable) else c for c in seen]
    _refuse_duplicates(seen, folder)
    return seen


def _refuse_duplicates(seen: Iterable[_Seen], folder: Path) -> None:
    """An account (respondent) with more than one file: every one of them is skipped and named, so that no
    copy is consolidated in place of another."""
    groups: dict[tuple[Role, str], list[_Seen]] = {}
    for c in seen:
        if c.file.role is not None and c.file.owner is not None:
            groups.setdefault((c.file.role, c.file.owner), []).append(c)
    for (role, owner), group in groups.items():
        if len(group) < 2:
            continue
        who, names = _WHO[role], _listing([c.file.path for c in group], folder)
        for c in group:
            c.left_out(f"{c.file.path.name}: one of {len(group)} files of {who} {owner} ({names}) — {who} "
                       f"{owner} left out; keep one file per {who} (move or delete the others) and run again")


# ------------------------------------------------------------------- collect in worker processes, compactly


@dataclass
class CollectedExport:
    """What ``collect`` found, as the command needs it — the tidy export, not the plans' models: the export as a
    data book (:func:`plans_to_databook` of the plans and questionnaires read), how many of each were read, the
    problems per cell, the files skipped, the file of each plan / questionnaire (as in :class:`CollectResult`)
    and the data book each plan was generated from (its ``_meta``)."""

    export: DataBook
    plans: int = 0
    responses: int = 0
    problems: list[CellProblem] = field(default_factory=list)  # file, sheet, cell, value, msg
    skipped: list[tuple[str, str]] = field(default_factory=list)  # file, reason
    files: dict[tuple[str, str], str] = field(default_factory=dict)
    data_books: list[str] = field(default_factory=list)

    def take_export(self) -> DataBook:
        """The export, no longer held here (an empty data book in its place): ``collect`` keeps the rest of
        this to the end of the run, the export only as long as it needs it."""
        export, self.export = self.export, DataBook.model_construct(source=self.export.source, accounts=[],
                                                                    tables={}, notes=[])
        return export


@dataclass
class _Read:
    """One file as a worker read it: whose it is, its problems or why it was skipped, and — for a plan or
    questionnaire read without problems — its part of the export and the data book it was generated from."""

    file: FolderFile
    problems: list[CellProblem] = field(default_factory=list)
    skipped: str | None = None
    part: FileExport | None = None
    data_book: str = ""

    def left_out(self, reason: str) -> None:
        """Nothing of this file is collected, for ``reason``."""
        self.part, self.problems, self.skipped = None, [], reason


_Seen = _Collected | _Read


def read_for_export(path: Path, kind: str, lang_default: Lang = "de", engine: Engine = "calamine") -> _Read | None:
    """One file read as :func:`collect_plans` reads it (every fault of the file its reason, never an exception),
    returned compactly for the export: no models, the rows. ``None`` for a controller workbook. Runs in a
    worker process of :func:`collect_export`."""
    c = _collect_guarded(path, kind, load_catalogue(), lang_default, engine)
    if c is None:
        return None
    try:
        part = plan_export(c.plan) if c.plan is not None else response_export(c.response) if c.response else None
    except Exception as e:  # one file never stops the run, whatever its export meets
        reason = f"{path.name}: cannot be exported ({type(e).__name__}: {e})"
        return _Read(c.file, skipped=reason)
    return _Read(c.file, c.problems, c.skipped, part, c.plan.data_book if c.plan is not None else "")


def _reading_died(path: Path, kind: str, e: BaseException) -> _Read:
    reason = f"{path.name}: cannot be read (the process reading it ended: {type(e).__name__}: {e})"
    return _Read(FolderFile(path, kind, unreadable=reason), skipped=reason)


def _read_alone(path: Path, kind: str, lang_default: Lang, engine: Engine) -> _Read | None:
    """A file read in a process of its own: when that process dies (a crash in a reader, out of memory), the
    file is the one that made it die, and is listed so."""
    with ProcessPoolExecutor(max_workers=1, initializer=gc.disable) as pool:
        try:
            return pool.submit(read_for_export, path, kind, lang_default, engine).result()
        except Exception as e:
            return _reading_died(path, kind, e)


def _read_in_order(files: list[tuple[Path, str]], lang_default: Lang, engine: Engine, jobs: int
                   ) -> Iterator[_Read | None]:
    """:func:`read_for_export` of every file, in order: in this process (``jobs`` 1) or in ``jobs`` worker
    processes, a few files ahead of the one consumed (so results do not pile up). When a worker process dies,
    the files then in flight are read again, each in a process of its own (:func:`_read_alone`), and the run
    goes on with a fresh pool: one file that kills its reader is that file's error, not the run's."""
    if jobs <= 1:
        for path, kind in files:
            yield read_for_export(path, kind, lang_default, engine)
        return
    ahead = 4 * jobs
    queue = iter(files)
    pending: deque[tuple[tuple[Path, str], Future[_Read | None] | None]] = deque()
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=gc.disable)

    def submit(item: tuple[Path, str]) -> Future[_Read | None] | None:
        try:
            return pool.submit(read_for_export, *item, lang_default, engine)
        except BrokenProcessPool:  # a worker died before this was handed over: read with the others below
            return None

    try:
        while True:
            while len(pending) < ahead and (item := next(queue, None)) is not None:
                pending.append((item, submit(item)))
            if not pending:
                return
            (path, kind), future = pending.popleft()
            try:
                if future is None:
                    raise BrokenProcessPool("a process of the pool ended")
                yield future.result()
            except BrokenProcessPool:
                pool.shutdown(cancel_futures=True)
                yield _read_alone(path, kind, lang_default, engine)
                for (path, kind), _ in pending:
                    yield _read_alone(path, kind, lang_default, engine)
                pending.clear()
                pool = ProcessPoolExecutor(max_workers=jobs, initializer=gc.disable)
            except Exception as e:  # the result could not come back (e.g. not picklable): that file is listed
                yield _reading_died(path, kind, e)
    finally:
        pool.shutdown(cancel_futures=True)


def collect_export(folder: Path, lang_default: Lang = "de", ignore: frozenset[str] = frozenset(),
                   engine: Engine = "calamine", jobs: int = 1, progress: Callable[[int, int], None] | None = None,
                   data_book_seen: Callable[[str], None] | None = None) -> CollectedExport:
    """:func:`collect_plans` for the ``collect`` command: the same files read with the same rules (skipped
    files, problems per cell, duplicates left out), in ``jobs`` processes, but what is kept of each file is its
    part of the tidy export (rows in compact columns), never its models — memory grows by the export's rows,
    not by ~100 models per plan. ``progress(done, total)`` is called after each file; ``data_book_seen(ref)``
    with the data book each plan read records (its ``_meta``, :func:`databook_reference`), as it comes in — so
    that the caller can read that data book while the other plans are read."""
    files = _collectable(folder, ignore)
    export, seen = ExportBuilder(), []
    with cycles.paused():
        for i, read in enumerate(_read_in_order(files, lang_default, engine, jobs), 1):
            if read is not None:
                if read.part is not None:
                    if data_book_seen is not None and read.file.role == "plan":
                        data_book_seen(read.data_book)
                    export.add(len(seen), read.part)
                    read.part = FileExport(None, {})  # the rows are in the export: keep the file's facts only
                seen.append(read)
            if progress is not None:
                progress(i, len(files))
    seen = _settle(seen, folder)
    result = CollectedExport(export.databook(str(folder), {n for n, c in enumerate(seen) if c.part is None}))
    for c in seen:
        if c.skipped is not None:
            result.skipped.append((c.file.path.name, c.skipped))
        result.problems.extend(c.problems)
        if c.part is not None and c.file.role is not None and c.file.owner is not None:
            result.files[c.file.role, c.file.owner] = c.file.path.relative_to(folder).as_posix()
            if c.file.role == "plan":
                result.plans += 1
                result.data_books.append(c.data_book)
            else:
                result.responses += 1
    return result


def plans_to_databook(plans: list[AccountPlanData], source: str, responses: list[Response] = ()) -> DataBook:
    """The collected inputs as a data book (the tidy export): the same tables ``generate`` reads, with every
    input of every sheet kind of :data:`~kam_xl.workbook.account_plan.PLAN_SHEETS` — the cover's supplier role
    and status (``accounts``), CDB amounts and activities, Kgb cards, KAOP drivers, costs, potential goals, 6-P
    measures and thresholds, the excellence ratings — so that ``generate --data <export>`` lays the same inputs
    out again. A table a kind owns is present (without rows when no plan has any); a shared table (the
    excellence answers, shared with ``responses``: the questionnaires' answers first) is present only when it
    has rows. Tables are compact (:class:`~kam_xl.databook.rows.TableRows`, every column of the table, values
    typed by its kind), as :func:`~kam_xl.databook.read_databook` gives them."""
    export = ExportBuilder()
    for n, response in enumerate(responses):
        export.add(n, response_export(response))
    for n, plan in enumerate(plans, len(responses)):
        export.add(n, plan_export(plan))
    return export.databook(source)


Row = tuple[Any, ...]


@dataclass(frozen=True)
class FileExport:
    """One file's part of the tidy export, compact enough to send from a worker process: the account's row
    (a plan's; ``None`` for a questionnaire) and, per (table, source), the rows as tuples in the order of the
    table's columns. The source is the position of the sheet kind in
    :data:`~kam_xl.workbook.account_plan.PLAN_SHEETS` that exported them, ``-1`` for a questionnaire's
    answers (they come first in the ``excellence`` table)."""

    account: AccountRow | None
    rows: dict[tuple[str, int], list[Row]]


@functools.cache
def _columns(table: str) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    columns = TABLES[table].columns
    return tuple(c.name for c in columns), tuple(c.kind for c in columns)


def _as_row(table: str, row: Mapping[str, Any]) -> Row:
    """A row dict as a tuple in the order of ``table``'s columns (``None`` for a column it lacks). A key that
    is not a column of the table is a :class:`ValueError` (an export that would lose a value)."""
    names = _columns(table)[0]
    if len(row.keys() - names):
        raise ValueError(f"table {table}: {sorted(row.keys() - set(names))} are not its columns ({names})")
    return tuple(row.get(n) for n in names)


def plan_export(plan: AccountPlanData) -> FileExport:
    """A plan's part of the tidy export (:func:`plans_to_databook`): its account row with the status word and
    the rows each sheet kind exports."""
    rows = {(name, i): [_as_row(name, r) for r in table_rows]
            for i, kind in enumerate(PLAN_SHEETS) for name, table_rows in kind.export(plan).items()}
    return FileExport(plan.account.model_copy(update={"status": status_word(plan.status, "de")}), rows)


def response_export(response: Response) -> FileExport:
    """A questionnaire's part of the tidy export: its answers as rows of the ``excellence`` table."""
    rows = [{"respondent": response.respondent, "role": response.role, "criterion_id": a.criterion_id,
             "rating": a.rating, "evidence": a.evidence or None} for a in response.answers]
    return FileExport(None, {("excellence", -1): [_as_row("excellence", r) for r in rows]})


class ExportBuilder:
    """The tidy export built file by file, holding rows, not models: per (table, source) the rows of every file
    in compact columns (:class:`~kam_xl.databook.rows.TableRows`, tens of bytes a row) with the number of the
    file each came from, so that files found to be left out later (:func:`_refuse_duplicates`) are taken out
    when the data book is made."""

    def __init__(self) -> None:
        self.accounts: list[tuple[int, AccountRow]] = []
        self.pieces: dict[tuple[str, int], tuple[TableRows, array]] = {}

    def add(self, n: int, part: FileExport) -> None:
        """File number ``n``'s part (files are added in the order of the export)."""
        if part.account is not None:
            self.accounts.append((n, part.account))
        for key, rows in part.rows.items():
            if key not in self.pieces:
                self.pieces[key] = TableRows.empty(*_columns(key[0])), array("I")
            table, files = self.pieces[key]
            for row in rows:
                table.append(row)
            files.extend(n for _ in rows)

    def _piece(self, key: tuple[str, int], left_out: Set[int]) -> TableRows:
        table, files = self.pieces[key]
        if left_out and not left_out.isdisjoint(files):
            return table.taken([i for i, f in enumerate(files) if f not in left_out])
        return table

    def databook(self, source: str, left_out: Set[int] = frozenset()) -> DataBook:
        """The export as a data book (see :func:`plans_to_databook`), without the rows and accounts of the
        files numbered in ``left_out``."""
        tables: dict[str, Any] = {name: None for name in TABLES}
        owners: dict[str, list[int]] = {}
        for i, kind in enumerate(PLAN_SHEETS):
            for name in kind.owned():
                tables[name] = TableRows.empty(*_columns(name))
                owners.setdefault(name, []).append(i)
        by_table: dict[str, list[tuple[int, TableRows]]] = {}
        for (name, source_of), _ in sorted(self.pieces.items(), key=lambda kv: kv[0][1]):
            by_table.setdefault(name, []).append((source_of, self._piece((name, source_of), left_out)))
        for name, pieces in by_table.items():
            shared = [t for i, t in pieces if i not in owners.get(name, ())]
            own = [t for i, t in pieces if i in owners.get(name, ())]
            if sum(map(len, shared)):  # a shared table's rows replace the owned ones, as the owner's sheet shares it
                tables[name] = functools.reduce(TableRows.joined, shared)
            elif own:
                tables[name] = functools.reduce(TableRows.joined, own)
        accounts = [a for n, a in self.accounts if n not in left_out]
        return DataBook.model_construct(source=source, accounts=accounts, tables=tables, notes=[])


#: What builds the macro-enabled controller (:func:`kam_xl.addin.xlsm.controller_xlsm_book`), passed in by the
#: CLI and the macros so that the batch layer does not import the add-in.
XlsmBook = Callable[..., Book]


def controller_data_fingerprint(db: DataBook, lang: Lang) -> str:
    """The fingerprint (:func:`kam_xl.fingerprint.fingerprint`) of what a controller workbook is built from
    besides its typed inputs: the data book's content (its source and every table's rows, in order), the
    language and the controller's template version (tables as :func:`~kam_xl.fingerprint.table_content`: the
    stored columns, no row decoded)."""
    tables = {name: table_content(rows) for name, rows in db.tables.items()}
    return fingerprint(db.source, db.accounts, tables, lang, CONTROLLER_ID, CONTROLLER_VERSION)


def _as_read(value: Any) -> Any:
    """An input value as reading the written workbook by name gives it back: numbers as the 16 significant
    digits xlsxwriter writes (``float``), an empty text as an empty cell; a block's rows value by value."""
    if isinstance(value, list):
        return [_as_read(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(f"{value:.16G}")
    return None if value == "" else value


def controller_fingerprint(data_fingerprint_now: str, values: Mapping[str, Any]) -> str:
    """The fingerprint a controller workbook records in its ``_meta`` (:data:`FINGERPRINT`): its data
    (:func:`controller_data_fingerprint`) and the typed inputs it carries — the values of ``values`` (a layout's
    :func:`~kam_xl.workbook.layout.named_values` or a workbook read by name) under the controller's input names,
    as the written workbook reads back (:func:`_as_read`)."""
    names = input_names(CONTROLLER_SHEETS)
    return fingerprint(data_fingerprint_now, {n: _as_read(v) for n, v in values.items() if n in names})


def sheet_inputs(sheet: Sheet, names: Set[str]) -> dict[str, Any]:
    """The values of ``sheet``'s defined names among ``names`` (a value per named cell, the rows of a named
    block), looking only at the cells it holds and those names' cells — not at every cell of a controller's data
    sheets (inputs are always held, never produced on demand)."""
    out: dict[str, Any] = {}
    for c in sheet.cells:
        if c.name in names:
            out[c.name] = c.cached if c.formula is not None else c.value
    for name, (r0, c0, r1, c1) in sheet.ranges.items():
        if name in names:
            box = {(c.row, c.col): c for c in sheet.cells if r0 <= c.row <= r1 and c0 <= c.col <= c1}
            out[name] = [[None if (cell := box.get((r, col))) is None else
                          cell.cached if cell.formula is not None else cell.value
                          for col in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]
    return out


def controller_unchanged(target: Path, data_fingerprint_now: str) -> bool:
    """True when the controller workbook at ``target`` was written by this template version from the same data
    (``data_fingerprint_now``, :func:`controller_data_fingerprint`) and nobody has changed an input in it since:
    its ``_meta`` (read alone, :func:`kam_xl.package.xlsx_meta`) records the fingerprint of that data and of
    the inputs it holds now (read by name, one sheet at a time: the memory of the largest input sheet, not of
    all eight). A file that cannot be read so is not unchanged (writing it again
    backs it up and says what is wrong)."""
    try:
        meta = xlsx_meta(target)
        if (meta.get("template_id"), meta.get("template_version")) != (CONTROLLER_ID, CONTROLLER_VERSION) \
                or FINGERPRINT not in meta:
            return False
        values = read_named(target, names=input_names(CONTROLLER_SHEETS), one_by_one=True).values
    except Exception:  # any fault of an untrusted file: write_controller reads it and names the problem
        return False
    return meta[FINGERPRINT] == controller_fingerprint(data_fingerprint_now, values)


@dataclass(frozen=True)
class ControllerWritten:
    """A controller workbook written (:func:`write_controller_result`): its ``path``, the ``backup`` of the one it
    replaced (``None`` when there was none), the inputs typed into that one which were not carried over
    (``refused``: by sheet and cell, value and what is allowed — the status line names them too) and, when its
    inputs could not be taken at all (damaged, not a controller), why (``unread``)."""

    path: Path
    backup: Path | None = None
    refused: tuple[NotKept, ...] = ()
    unread: str | None = None


def controller_problems(exported: Sequence[NotKept | str], written: ControllerWritten | None
                        ) -> list[NotKept | str]:
    """``collect``'s problems with the old controller, each cell once: those its export check found
    (``exported``, :func:`~kam_xl.workbook.controller.controller_export`: ``not exported``) and those carrying
    it into the new controller found (``written``: ``not kept``). A cell both refuse is named once, by the carry —
    what the user finds in the new controller — as ``not kept nor exported``; the export's problem of a file whose
    inputs could not be taken at all stands for the carry's. In the export's order (sheet kinds in workbook order),
    then the cells only the carry refused (the settings block, which is not exported, and a pair that the data's
    new value put out of order)."""
    carried = {(n.sheet, n.cell): n for n in written.refused} if written is not None else {}
    out: list[NotKept | str] = []
    for p in exported:
        if isinstance(p, NotKept) and (p.sheet, p.cell) in carried:
            p = dataclasses.replace(carried.pop((p.sheet, p.cell)), what="not kept nor exported")
        out.append(p)
    out += carried.values()
    if written is not None and written.unread is not None and not any(isinstance(p, str) for p in exported):
        out.append(unread_controller(written))
    return out


def unread_controller(written: ControllerWritten) -> str:
    """The problem of a controller whose old file's inputs could not be taken at all (``written.unread``)."""
    kept = f"; the old file is {written.backup}" if written.backup is not None else ""
    return f"{written.path.name}: the inputs typed into it are not kept — {written.unread}{kept}"


def controller_cell_problems(problems: Sequence[NotKept | str], file: str) -> list[CellProblem]:
    """The controller's problems (:func:`controller_problems`) as rows of collect_errors.csv (file, sheet, cell,
    value, what is allowed), as a plan's problems are; a problem of the whole file (``file``) without sheet and
    cell."""
    return [(p.file, p.sheet, p.cell, _shown_in_report(p.value), p.problem) if isinstance(p, NotKept)
            else (file, "", "", "", p) for p in problems]


def write_controller(db: DataBook, target: Path, lang: Lang = "de", now: datetime | None = None,
                     settings: ControllerSettings | None = None, *, xlsm_book: XlsmBook | None = None,
                     progress: Callable[[int, int], None] | None = None,
                     old_inputs: NamedValues | WorkbookError | None = None) -> Path:
    """:func:`write_controller_result` (the same arguments and errors), giving only the path written."""
    return write_controller_result(db, target, lang, now, settings, xlsm_book=xlsm_book, progress=progress,
                                   old_inputs=old_inputs).path


def write_controller_result(db: DataBook, target: Path, lang: Lang = "de", now: datetime | None = None,
                            settings: ControllerSettings | None = None, *, xlsm_book: XlsmBook | None = None,
                            progress: Callable[[int, int], None] | None = None,
                            old_inputs: NamedValues | WorkbookError | None = None) -> ControllerWritten:
    """Write the controller workbook of a data book (atomically). An existing one is first copied to
    ``_backup/`` and the settings typed into it are read by defined name and carried into the new one
    (:func:`~kam_xl.workbook.controller.read_carried_settings`); ``settings`` given here are written instead.
    ``old_inputs``: the existing one's inputs as already read (``read_controller_inputs(target)``, as ``collect``
    reads them while the plans are read), so that it is not read a second time — or, for a new ``target``, those
    of the controller the user typed into (``collect --to`` another file: the folder's), carried the same way.

    A ``.xlsm`` target gets the macro-enabled workbook that ``xlsm_book`` builds (the add-in's
    :func:`kam_xl.addin.xlsm.controller_xlsm_book`: the standalone xlwings VBA project, the macro buttons, the
    xlwings licence; called as ``xlsm_book(db, lang, now, settings=…, status=…, progress=…, on_demand=True)``); any
    other the plain ``.xlsx``.
    A ``.xlsm`` target without ``xlsm_book`` is a :class:`~kam_xl.errors.KamInputError`, before anything is
    written.

    The workbook's ``_meta`` records the fingerprint of its data and inputs (:func:`controller_fingerprint`), so
    that ``generate`` can leave it as it is when nothing changed (:func:`controller_unchanged`).

    The sheets are laid out as they are written (:func:`~kam_xl.workbook.controller.laid_out`): a sheet kind is
    built when its sheets are written (or a kind that needs it is built) and let go once written, so that a
    controller of many accounts never holds the layout of all its sheets at once.
    ``progress(done, total)`` is called after each kind is built, after each kind's sheets are written and once
    the file is assembled from them: ``total`` twice the kinds and one, throughout
    (:class:`~kam_xl.progress.PhaseProgress`).

    Returns the path, the backup and what of the old one's inputs was not carried over (:class:`ControllerWritten`:
    each input refused by sheet and cell of the old file — the status line of the new one names them too).

    Raises :class:`~kam_xl.files.NotWrittenError` (file and reason) when the backup or the workbook cannot be
    written (disk full, permission denied, read-only file system); the old file is then left as it is."""
    now = now or datetime.now(UTC)
    xlsm = target.suffix.lower() == ".xlsm"
    if xlsm and xlsm_book is None:
        raise KamInputError(f"{target.name}: a macro-enabled workbook (.xlsm) is built by the add-in — pass "
                            "xlsm_book=kam_xl.addin.xlsm.controller_xlsm_book, or write an .xlsx")
    status, backup, unread = None, None, None
    refused: list[NotKept] = []
    if target.exists() and (open_by := held_open(target)) is not None:  # never replaced under whoever has it open
        raise NotWrittenError(target, open_by)
    old = None
    if settings is None and (target.exists() or old_inputs is not None):
        old = read_controller_inputs(target) if old_inputs is None else old_inputs
    read = old if old_inputs is None or (isinstance(old, NamedValues) and old.path.resolve() == target.resolve()) \
        else None  # the target's own reading, if that is what ``old`` is: its _meta says whose it is
    if target.exists() and (other := other_workbook(target, read)) is not None:  # someone's own workbook
        raise NotWrittenError(target, f"{other} — it was left as it is; move it or write the controller elsewhere")
    del read  # the inputs are held by ``old`` alone, let go once carried
    if old is not None:
        typed_in = old.path.name if isinstance(old, NamedValues) else target.name  # collect --to: another file's
        settings, status = carried_settings(old, typed_in, default_settings(db, lang), lang)
        unread = not_read(old, typed_in)
        del old  # inputs read here are let go: CarriedSettings keeps what it carries
    if target.exists():
        try:
            backup = backup_copy(target, now)
        except OSError as e:
            raise NotWrittenError(target, _backup_failed(e)) from None
    # the data's fingerprint before the layout: its text of every table is never held beside the layout's cells
    data_print = controller_data_fingerprint(db, lang)
    steps = 2 * len(CONTROLLER_SHEETS) + 1
    laid_out = None if progress is None else lambda done, _total: progress(done, steps)
    if xlsm_book is not None and xlsm:
        book = xlsm_book(db, lang, now, settings=settings, status=status, progress=laid_out, on_demand=True,
                         refused=refused)
    else:
        book = controller_workbook(db, lang, generated_at=now, settings=settings, status=status, progress=laid_out,
                                   on_demand=True, refused=refused)
    del settings  # carried over into the book: the old controller's inputs it brought are let go before writing
    give_back()  # and what carrying them freed, before the sheets are laid out and written
    with cycles.set_aside():  # the data book, only read: not walked by each full collection while sheets come and go
        reason = _write(_fingerprinted(book, data_print), target, backup)
    if reason is not None:
        raise NotWrittenError(target, reason)
    if progress is not None:  # the file assembled from its sheets' parts: at 10,000 accounts half a minute
        progress(steps, steps)
    return ControllerWritten(target, backup, tuple(refused), unread)


def other_workbook(path: Path, read: NamedValues | WorkbookError | None = None) -> str | None:
    """Why the workbook at ``path`` is not a controller to replace — a readable workbook whose ``_meta`` names no
    controller (a plan, someone's budget) —, or ``None``: a controller (of any template version), or a file that
    cannot be read (a damaged controller is replaced, its backup kept). ``read``: ``path``'s inputs as already
    read (:func:`read_controller_inputs`), whose ``_meta`` says it without reading the file again (52 MB at
    10,000 accounts)."""
    if isinstance(read, WorkbookError):
        return None
    try:
        meta = read.meta if read is not None else xlsx_meta(path)
    except WorkbookError:
        return None
    return None if meta.get("template_id") == CONTROLLER_ID else "not a controller workbook"


def _fingerprinted(book: Book, data_print: str) -> Book:
    """``book`` (its sheets laid out on demand) whose ``_meta`` gets :data:`FINGERPRINT`, the fingerprint of its
    data (``data_print``, :func:`controller_data_fingerprint`) and of the inputs its sheets hold
    (:func:`controller_fingerprint`), once its last sheet is laid out — the writer writes ``_meta`` after the
    sheets; each sheet's inputs are taken as it passes (:func:`sheet_inputs`)."""
    sheets, names = book.on_demand, input_names(CONTROLLER_SHEETS)
    assert sheets is not None

    def passing() -> Iterator[Sheet]:
        inputs: dict[str, Any] = {}
        for sheet in sheets():
            inputs.update(sheet_inputs(sheet, names))
            yield sheet
            del sheet  # written: let go before the next sheet is laid out
        book.meta[FINGERPRINT] = controller_fingerprint(data_print, inputs)

    return dataclasses.replace(book, on_demand=passing)


def with_controller_tables(db: DataBook, tables: Mapping[str, TableExport]) -> DataBook:
    """``db`` with the tables a controller workbook exported
    (:func:`~kam_xl.workbook.controller.read_controller_export`): in each, the rows the export covers (its
    accounts, its setting keys) are replaced by the exported rows of ``db``'s accounts (a row of an account the
    data book does not have would make it invalid); the others stay."""
    if not tables:
        return db
    out = dict(db.tables)
    ids = {a.account_id for a in db.accounts}
    for name, t in tables.items():
        covered = {key_of(c) for c in t.covers}
        rows = [r for r in t.rows if "account_id" not in r or r["account_id"] in ids]
        out[name] = [r for r in db.tables.get(name) or [] if key_of(r.get(t.column)) not in covered] + rows
    # the other tables as they are (compact ones stay compact: pydantic would copy them into lists of dicts)
    return DataBook.model_construct(source=db.source, accounts=db.accounts, tables=out, notes=db.notes)


def consolidate(base: DataBook | None, collected: DataBook) -> DataBook:
    """The collected inputs on top of a data book: tables the plans carry (cdb, activities, kgb, the KAOP
    tables, excellence) come from the plans for the accounts collected — of cdb and activities the plan's CDB year
    only, the account's other years staying as ``base`` has them —, everything else from ``base``.
    Without a data book (``base=None``) the result holds what the plans hold, nothing else — never demo data
    (which data book to use, if any, is the caller's choice: :func:`databook_of_plans`)."""
    if base is None:
        return collected
    ids = {a.account_id for a in collected.accounts}
    column_of = {name: column for kind in PLAN_SHEETS for name, column in kind.replaced_by.items()}
    # the CDB sheet shows one year, its plan's CDB year: the account's rows of the other years stay (they were lost
    # from the controller's book and the export — a prior year's statement gone after collect: a user's trial)
    plan_years = _plan_years(collected.tables.get("cdb"))
    tables = dict(base.tables)
    for name, rows in collected.tables.items():
        if rows is None:
            continue
        column = column_of.get(name, "account_id")  # e.g. excellence by respondent (a questionnaire's answers)
        replaced = ids if column == "account_id" else set(_values(rows, column))
        years = plan_years if name in _CDB_TABLES and column == "account_id" else None
        tables[name] = _rows_replaced(base.tables.get(name), column, replaced, rows, years)
    known = {a.account_id: a for a in base.accounts}
    accounts = [*(_with_master_data(a, known.get(a.account_id)) for a in collected.accounts),
                *(a for a in base.accounts if a.account_id not in ids)]
    # both are validated data books: constructed without pydantic copying compact tables into lists of dicts
    return DataBook.model_construct(source=f"{base.source} + {collected.source}", accounts=accounts, tables=tables,
                                    notes=[])


def _values(rows: Iterable[Mapping[str, Any]], column: str) -> Iterable[Any]:
    """The values of ``column`` in ``rows`` (of a compact table without making a dict per row)."""
    if isinstance(rows, TableRows):
        if column not in rows.names:  # a table without it (a key/value table): no row is replaced by it
            return (None for _ in range(len(rows)))
        c = rows.names.index(column)
        return (rows.value(i, c) for i in range(len(rows)))
    return (r.get(column) for r in rows)


#: the tables of the CDB sheet (:class:`~kam_xl.workbook.cdb_sheet.CdbSheet`), which shows its plan's CDB year alone
_CDB_TABLES = frozenset(next(k for k in PLAN_SHEETS if k.key == "cdb").databook_tables)


def _plan_years(cdb: Any) -> dict[str, int]:
    """The CDB year each collected plan shows, by account (the year of its exported ``cdb`` row)."""
    return {} if not cdb else {a: y for a, y in zip(_values(cdb, "account_id"), _values(cdb, "year"), strict=True)
                               if a is not None and y is not None}


def _rows_replaced(base: Any, column: str, replaced: Set[Any], rows: Any, years: Mapping[Any, int] | None = None
                   ) -> Any:
    """``base``'s rows whose ``column`` is not in ``replaced``, followed by ``rows``: a compact table when both
    are compact tables of the same columns, else a list of dicts. With ``years`` (a replaced value → the one year
    its rows show) a replaced value's rows of another year stay."""
    base = [] if base is None else base
    if years:
        keep = [i for i, (v, y) in enumerate(zip(_values(base, column), _values(base, "year"), strict=True))
                if v not in replaced or (v in years and y != years[v])]
    else:
        keep = [i for i, v in enumerate(_values(base, column)) if v not in replaced]
    if isinstance(base, TableRows) and isinstance(rows, TableRows) and base.names == rows.names \
            and base.kinds == rows.kinds:
        if not keep:  # every base row replaced (all accounts collected): the collected table as it is, no copy
            return rows
        return base.taken(keep).joined(rows) if rows or len(keep) < len(base) else base
    return [base[i] for i in keep] + list(rows)


def with_databook_fields(collected: DataBook, base: DataBook | None) -> DataBook:
    """The collected plans' data book (the tidy export) with each account's fields its plan does not carry
    (:func:`~kam_xl.workbook.account_plan.plan_account_fields`, e.g. the KAM span) from ``base``'s row of it,
    so that ``generate --data <export>`` keeps them; an account ``base`` lacks, or no ``base``, stays as
    collected. Tables and the accounts' order are unchanged."""
    if base is None:
        return collected
    known = {a.account_id: a for a in base.accounts}
    accounts = [_with_master_data(a, known.get(a.account_id)) for a in collected.accounts]
    return DataBook.model_construct(source=collected.source, tables=collected.tables, notes=collected.notes,
                                    accounts=accounts)


def _with_master_data(collected: AccountRow, base: AccountRow | None) -> AccountRow:
    """A collected account with the fields its plan does not carry
    (:func:`~kam_xl.workbook.account_plan.plan_account_fields`) from the data book's row of it — the KAM span —
    so that collecting never clears them."""
    if base is None:
        return collected
    carried = plan_account_fields()
    return collected.model_copy(update={f: getattr(base, f) for f in AccountRow.model_fields
                                        if f not in carried})
