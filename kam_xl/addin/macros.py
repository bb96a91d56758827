"""The controller workbook's macros as plain functions: the work behind its four buttons.

The buttons (``udfs.macros``: ``kam_validate``, ``kam_refresh_plan``, ``kam_generate_all``, ``kam_collect``) only
read the settings cells of the open workbook into a :class:`WorkbookSettings`, call :func:`run_macro` and write
the :class:`MacroReport` back — its status line into ``ctl_status``, its error rows (file, sheet, cell,
problem) into ``ctl_errors``. Everything else is here, testable on files without Excel:

* :func:`check_settings` — the settings as the macros need them: the data book path exists and reads without
  problems (every problem of the data book listed with its file, sheet and cell), the output folder exists or
  can be created, the language is ``de`` or ``en``, the target weights are ≥ 0 and not both 0, the
  disagreement spread is 0–100, the account id is one of the data book's;
* :func:`validate_workbook` — only that check;
* :func:`refresh_plan` — regenerate the plan of the account chosen in ``ctl_account`` from the data book into
  the output folder (:func:`kam_xl.batch.generate_plan`: the KAM's inputs are kept, conflicts listed, the old
  file backed up in ``_backup/``);
* :func:`generate_plans` — every account's plan (the same function per account, so that one plan that cannot
  be written — open in Excel on another PC — does not stop the others), plus ``conflicts.csv``;
* :func:`collect_and_consolidate` — read the output folder's filled plans and questionnaires
  (:func:`kam_xl.batch.collect_plans`), put them on top of the data book (:func:`kam_xl.batch.consolidate`)
  and write the consolidated controller as a **new file** ``Controller_<date>-<time>.xlsx`` in the output
  folder (:func:`kam_xl.batch.write_controller`, with this workbook's settings). It does not rewrite the open
  workbook: Excel holds that file (on Windows it is locked; with xlwings Server the file is on the user's
  machine, not the server's), and its result blocks are sized by the number of accounts, cards and
  respondents, so pasting new figures into them could silently cut rows off. The status line names the new
  file.

Paths in the settings may be relative to the workbook's folder (classic xlwings knows it).

Run by the server (``kam-xl serve``, inside :func:`restricted`), the settings come from whoever holds a key, so
the macros touch only what the server was started with (:class:`~kam_xl.addin.settings.MacroAccess`): the data
book must lie under a data root, the output folder under an output root — after resolving ``..`` and every link
— and a database URL must be on the allow-list. A relative path is taken from the first root of its kind (the
workbook's folder on the user's machine means nothing on the server). A refusal is an error row like any other
problem; nothing refused is read, listed or written. Run in the user's own Excel (classic xlwings) nothing is
restricted: the macros run as the user.

Messages in the error list are English like every kam_xl message; the status line is in the controller's
language.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from kam_xl import batch
from kam_xl.addin.settings import MacroAccess, db_url_key, is_url
from kam_xl.addin.xlsm import controller_xlsm_book
from kam_xl.databook import DataBook, DataBookError, Problem
from kam_xl.errors import KamInputError
from kam_xl.files import fs_reason
from kam_xl.settings_block import SETTING_LABELS, SETTING_NAMES, ControllerSettings, parse_settings
from kam_xl.workbook.coerce import shown
from kam_xl.workbook.controller import ERROR_ROWS
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.names import WorkbookError, read_named

Lang = Literal["de", "en"]
MacroName = Literal["validate", "refresh", "generate", "collect"]
#: One row of the error list: file, sheet, cell, problem.
ErrorRow = tuple[str, str, str, str]
#: Names a controller must have for every macro (the weights and the spread belong to sections that a data book
#: without resources or excellence data leaves out).
REQUIRED = ("ctl_databook", "ctl_output", "ctl_lang", "ctl_account")
MACRO_WORDS: dict[MacroName, tuple[str, str]] = {
    "validate": ("Prüfen", "Validate"),
    "refresh": ("Account-Plan erneuern", "Refresh account plan"),
    "generate": ("Alle Account-Pläne erzeugen", "Generate all account plans"),
    "collect": ("Einsammeln und konsolidieren", "Collect and consolidate"),
}
_FORMULA_STARTS = ("=", "+", "-", "@")
#: What the macros may touch while a server runs them; ``None`` (the classic add-in, the CLI): no restriction.
_ACCESS: ContextVar[MacroAccess | None] = ContextVar("kam_xl_macro_access", default=None)


@contextlib.contextmanager
def restricted(access: MacroAccess) -> Iterator[None]:
    """Run the macros called inside this block (in this thread, and in tasks started from it) under ``access``:
    the server wraps every macro call in it."""
    token = _ACCESS.set(access)
    try:
        yield
    finally:
        _ACCESS.reset(token)


@dataclass(frozen=True)
class WorkbookSettings:
    """The settings cells of an open controller workbook, as the buttons read them.

    ``values`` maps each defined name of :data:`~kam_xl.settings_block.SETTING_NAMES` the workbook has to
    its cell's value; ``cells`` maps it to (sheet, A1 address) for the error list; ``book`` is the workbook's
    file name, ``lang`` its language (of the status line), ``folder`` its folder if known (relative paths in
    the settings are taken from there)."""

    book: str
    values: dict[str, Any]
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)
    lang: Lang = "de"
    folder: Path | None = None


@dataclass
class MacroReport:
    """What a macro did: a status line for ``ctl_status`` and the rows for ``ctl_errors``."""

    macro: MacroName
    ok: bool
    status: str
    errors: list[ErrorRow] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    def error_block(self, rows: int = ERROR_ROWS) -> list[list[str]]:
        """The first ``rows`` error rows as cell texts (never a formula, see :func:`as_text`)."""
        return [[as_text(v) for v in row] for row in self.errors[:rows]]


@dataclass
class Checked:
    """The settings after :func:`check_settings`: parsed, the paths resolved, the data book read."""

    settings: ControllerSettings
    errors: list[ErrorRow]
    databook: Path | None = None
    output: Path | None = None
    db: DataBook | None = None
    output_missing: bool = False


def as_text(value: Any) -> str:
    """A value as the text a macro writes into a cell: a text beginning with ``=``, ``+``, ``-`` or ``@`` gets
    Excel's text prefix ``'`` so that it never becomes a formula (Excel shows it without the apostrophe).

    >>> as_text("=SUM(A1)"), as_text("KA-001"), as_text(None)
    ("'=SUM(A1)", 'KA-001', '')
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def settings_from_file(path: str | Path) -> WorkbookSettings:
    """The settings of a controller workbook file, read by defined name (what the buttons read from the open
    workbook through xlwings)."""
    path = Path(path)
    nv = read_named(path, names=set(SETTING_NAMES))
    values = {k: v for k, v in nv.values.items() if k in SETTING_NAMES}
    cells = {k: loc for k in values if (loc := nv.locate(k)) is not None}
    lang: Lang = "en" if nv.meta.get("lang") == "en" else "de"
    return WorkbookSettings(book=path.name, values=values, cells=cells, lang=lang, folder=path.parent.resolve())


# ------------------------------------------------------------------------------------------ checks


def _setting_row(ws: WorkbookSettings, name: str, problem: str) -> ErrorRow:
    sheet, cell = ws.cells.get(name, ("", ""))
    return ws.book, sheet, cell, f"{name} ({_t('en', *SETTING_LABELS[name])}): {problem}"


def _problem_row(p: Problem) -> ErrorRow:
    """A data-book problem as an error row: its file, sheet (table) and cell (or row and column for CSV)."""
    cell = p.cell or ", ".join(x for x in (f"row {p.row}" if p.row is not None else "",
                                           f"column {p.column}" if p.column else "") if x)
    value = f"value {p.value!r}: " if p.value is not None else ""
    return p.file, p.sheet or "", cell, value + p.message


def _path(text: str, folder: Path | None, access: MacroAccess | None = None,
          kind: Literal["data", "output"] = "data") -> Path:
    """The path a setting names: relative ones from the workbook's folder, or under ``access`` (the server) from
    the first root of their kind (the folder a posted workbook claims is not trusted there)."""
    p = Path(text)
    with contextlib.suppress(RuntimeError):  # ~name of a user this machine does not know: left as it is
        p = p.expanduser()
    base = folder if access is None else access.root_of(kind)
    return base / p if not p.is_absolute() and base is not None else p


def output_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot take the generated workbooks, or ``None``: it must be a folder we may write to, or
    not exist yet under a folder we may write to (the macros create it)."""
    if folder.exists():
        if not folder.is_dir():
            return "is a file — allowed: a folder"
        if not os.access(folder, os.W_OK | os.X_OK):
            return "cannot be written to — allowed: a folder you may write to"
        return None
    parent = folder.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return f"cannot be created: {parent} is a file — allowed: a folder, or a new folder inside one"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot be created: no write access to {parent} — allowed: a folder you may write to"
    return None


def _read_databook(path: Path) -> DataBook:
    """Read the data book fresh for this run. The batch functions cache data books by path for a batch run; a
    button is pressed in a long-lived process (Excel's Python, or the server) after the file may have changed,
    so the cache is emptied first and then filled by this run's one read, which the batch functions reuse."""
    return batch.reload_databook(path)


def _shown_url(url: str) -> str:
    """A URL as messages show it: without user name and password."""
    try:
        return db_url_key(url)
    except ValueError:
        return "not a valid one"


def _unusable(path: Path, e: Exception) -> str:
    """A path the file system refuses to look at (its first 200 characters shown)."""
    reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
    return f"{str(path)[:200]!r} is not a usable path ({reason}) — allowed: the path of an existing file or folder"


def _database_problem(url: str, access: MacroAccess | None) -> str:
    """Why a data book setting naming a database cannot be used: refused by the server's allow-list, else not
    readable by this version. The URL is shown without credentials."""
    refused = access.url_refusal(url) if access is not None else None
    return refused or (f"{_shown_url(url)}: reading a data book from a database is not supported by this kam_xl "
                       "— allowed: the path of an .xlsx data book or of a folder of CSV files")


def _setting_path(ws: WorkbookSettings, checked: Checked, name: Literal["ctl_output", "ctl_databook"],
                  access: MacroAccess | None, wanted: str, url_problem: Callable[[str], str]) -> Path | None:
    """The local path a path setting names (relative to the workbook's folder, under the server's roots for
    its kind), or ``None`` after adding its error row: empty (``wanted`` is allowed), a URL (``url_problem``
    says why not) or refused by the server's roots."""
    text = checked.settings.values()[name]
    if text is None:
        checked.errors.append(_setting_row(ws, name, f"empty — allowed: {wanted}"))
        return None
    if is_url(text):
        checked.errors.append(_setting_row(ws, name, url_problem(text)))
        return None
    kind: Literal["data", "output"] = "output" if name == "ctl_output" else "data"
    path = _path(text, ws.folder, access, kind)
    refused = access.refusal(path, kind) if access is not None else None
    if refused:
        checked.errors.append(_setting_row(ws, name, refused))
        return None
    return path


def _check_output(ws: WorkbookSettings, checked: Checked, access: MacroAccess | None) -> None:
    """The output folder setting: a folder (not a URL), under an output root on the server, writable or
    creatable. Sets ``checked.output`` unless refused (a refused folder is not even looked at)."""
    output = _setting_path(ws, checked, "ctl_output", access, "the folder for the account workbooks",
                           lambda text: f"a URL ({_shown_url(text)}) — allowed: a folder for the account workbooks")
    if output is None:
        return
    try:
        why = output_problem(output)
        missing = not output.exists()
    except (OSError, ValueError) as e:  # a name too long, a NUL byte
        checked.errors.append(_setting_row(ws, "ctl_output", _unusable(output, e)))
        return
    if why:
        checked.errors.append(_setting_row(ws, "ctl_output", f"{output} {why}"))
    checked.output, checked.output_missing = output, missing


def _check_databook(ws: WorkbookSettings, checked: Checked, access: MacroAccess | None) -> None:
    """The data book setting: a path (under a data root on the server) that reads without problems, or a
    database URL (on the server's allow-list). Sets ``checked.databook`` and ``checked.db``."""
    databook = _setting_path(ws, checked, "ctl_databook", access, "the path of an .xlsx data book or of a folder "
                             "of CSV files", lambda text: _database_problem(text, access))
    if databook is None:
        return
    try:
        exists = databook.exists()
    except (OSError, ValueError) as e:  # a name too long, a NUL byte
        checked.errors.append(_setting_row(ws, "ctl_databook", _unusable(databook, e)))
        return
    checked.databook = databook
    if not exists:
        checked.errors.append(_setting_row(ws, "ctl_databook", f"{databook} does not exist — allowed: an .xlsx "
                                                               "data book or a folder of CSV files"))
        return
    try:
        checked.db = _read_databook(databook)
    except DataBookError as e:
        checked.errors.extend(_problem_row(p) for p in e.problems)
    except OSError as e:
        checked.errors.append(_setting_row(ws, "ctl_databook", f"{databook} cannot be read ({e.strerror or e})"))


def check_settings(ws: WorkbookSettings, need_account: bool = False) -> Checked:
    """Check the settings of a controller workbook for the macros (see the module doc); every problem becomes an
    error row. ``need_account``: the chosen account must be given (refresh); otherwise it is checked if given."""
    errors: list[ErrorRow] = []
    missing = [n for n in REQUIRED if n not in ws.values]
    for name in missing:
        errors.append((ws.book, "", "", f"no defined name {name} — allowed: a controller workbook generated by "
                                        "this kam_xl (regenerate it with kam-xl generate)"))
    settings, problems = parse_settings(ws.values, ControllerSettings())
    errors += [_setting_row(ws, name, f"value {value!r} — allowed: {allowed}") for name, value, allowed in problems]
    checked = Checked(settings=settings, errors=errors)
    access = _ACCESS.get()
    refused = {name for name, _, _ in problems}  # one problem per cell: a refused value is not checked again
    if "ctl_output" not in missing and "ctl_output" not in refused:
        _check_output(ws, checked, access)
    if "ctl_databook" not in missing and "ctl_databook" not in refused:
        _check_databook(ws, checked, access)
    if "ctl_account" not in missing:
        if settings.account is None:
            if need_account:
                errors.append(_setting_row(ws, "ctl_account", "empty — allowed: an account id of the data book"))
        elif checked.db is not None and settings.account not in {a.account_id for a in checked.db.accounts}:
            ids = [a.account_id for a in checked.db.accounts]
            ids_shown = ", ".join(ids[:10]) + (" …" if len(ids) > 10 else "")
            errors.append(_setting_row(ws, "ctl_account", f"value {settings.account!r} is not an account of the "
                                                          f"data book — allowed: {ids_shown}"))
    return checked


# ------------------------------------------------------------------------------------------ the macros


def _when(ws: WorkbookSettings, now: datetime) -> str:
    return now.strftime("%d.%m.%Y %H:%M:%S" if ws.lang == "de" else "%Y-%m-%d %H:%M:%S")


def _head(ws: WorkbookSettings, macro: MacroName, now: datetime) -> str:
    return f"{_t(ws.lang, *MACRO_WORDS[macro])} {_when(ws, now)}: "


def _see_list(ws: WorkbookSettings, n: int) -> str:
    more = n > ERROR_ROWS
    return _t(ws.lang, f"{n} Problem(e) – siehe Fehlerliste" + (f" (die ersten {ERROR_ROWS})" if more else ""),
              f"{n} problem(s) – see the error list" + (f" (the first {ERROR_ROWS})" if more else ""))


def _not_run(ws: WorkbookSettings, macro: MacroName, now: datetime, checked: Checked) -> MacroReport:
    return MacroReport(macro, False, _head(ws, macro, now) + _t(ws.lang, "nicht ausgeführt, ", "not run, ")
                       + _see_list(ws, len(checked.errors)) + ".", checked.errors)


def _conflict_rows(result: batch.PlanResult) -> list[ErrorRow]:
    return [(result.path.name, sheet, cell,
             f"conflict in {c.name}: the KAM's value {shown(c.kam)!r} was kept; the data changed from "
             f"{shown(c.orig)!r} to {shown(c.data)!r}") for sheet, cell, c in result.conflicts]


def _problem_rows(result: batch.PlanResult) -> list[ErrorRow]:
    return [(result.path.name, "", "", p) for p in result.problems]


def _plan(checked: Checked, account_id: str, now: datetime) -> batch.PlanResult:
    """One account's plan, or an error result when the file cannot be written (e.g. open in Excel on Windows)."""
    assert checked.databook is not None and checked.output is not None and checked.db is not None
    try:
        return batch.generate_plan(str(checked.databook), account_id, checked.output, checked.settings.lang, now)
    except OSError as e:
        account = next(a for a in checked.db.accounts if a.account_id == account_id)
        path = checked.output / batch.plan_filename(account)
        return batch.PlanResult(account_id, path, "error", problems=[f"{path.name}: not written — {fs_reason(e)}"])


def validate_workbook(ws: WorkbookSettings, now: datetime | None = None) -> MacroReport:
    """Validate this workbook's settings and the data book they name (see :func:`check_settings`)."""
    now = now or datetime.now().astimezone()
    checked = check_settings(ws)
    head = _head(ws, "validate", now)
    if checked.errors:
        return MacroReport("validate", False, head + _see_list(ws, len(checked.errors)) + ".", checked.errors)
    assert checked.db is not None and checked.output is not None
    created = _t(ws.lang, " (wird angelegt)", " (will be created)") if checked.output_missing else ""
    return MacroReport("validate", True, head + _t(
        ws.lang, f"in Ordnung – Datenbuch mit {len(checked.db.accounts)} Kunden, Ausgabeordner {checked.output}"
                 f"{created}.",
        f"OK – data book with {len(checked.db.accounts)} accounts, output folder {checked.output}{created}."))


def refresh_plan(ws: WorkbookSettings, now: datetime | None = None) -> MacroReport:
    """Regenerate the plan of the account chosen in ``ctl_account`` from the data book into the output folder,
    keeping the KAM's inputs (conflicts listed), the old file backed up."""
    now = now or datetime.now().astimezone()
    checked = check_settings(ws, need_account=True)
    if checked.errors:
        return _not_run(ws, "refresh", now, checked)
    account = checked.settings.account
    assert account is not None
    r = _plan(checked, account, now)
    rows = _problem_rows(r) + _conflict_rows(r)
    head = _head(ws, "refresh", now)
    if r.status == "error":
        return MacroReport("refresh", False, head + _t(ws.lang, f"{account}: nicht geschrieben, ",
                                                       f"{account}: not written, ") + _see_list(ws, len(rows)) + ".",
                           rows)
    done = (_t(ws.lang, "neu erzeugt", "created") if r.status == "new" else
            _t(ws.lang, f"erneuert, alte Datei in {batch.BACKUP_DIR}/{r.backup.name if r.backup else ''}",
               f"regenerated, old file in {batch.BACKUP_DIR}/{r.backup.name if r.backup else ''}"))
    conflicts = _t(ws.lang, f"{len(r.conflicts)} Konflikt(e) in der Fehlerliste",
                   f"{len(r.conflicts)} conflict(s) in the error list") if r.conflicts else _t(
        ws.lang, "keine Konflikte", "no conflicts")
    return MacroReport("refresh", True, head + f"{account} → {r.path.name} {done}; {conflicts}.", rows, [r.path])


def generate_plans(ws: WorkbookSettings, now: datetime | None = None) -> MacroReport:
    """Generate (or regenerate, keeping the KAMs' inputs) the plan of every account of the data book into the
    output folder; conflicts are listed and written to ``conflicts.csv`` there."""
    now = now or datetime.now().astimezone()
    checked = check_settings(ws)
    if checked.errors:
        return _not_run(ws, "generate", now, checked)
    assert checked.db is not None and checked.output is not None
    checked.output.mkdir(parents=True, exist_ok=True)
    results = [_plan(checked, a.account_id, now) for a in checked.db.accounts]
    report = batch.write_conflict_report(results, checked.output)
    rows = [row for r in results for row in _problem_rows(r)] + [row for r in results for row in _conflict_rows(r)]
    count = {s: sum(1 for r in results if r.status == s) for s in ("new", "regenerated", "error")}
    n_conf = sum(len(r.conflicts) for r in results)
    status = _head(ws, "generate", now) + _t(
        ws.lang, f"{count['new']} neu, {count['regenerated']} erneuert, {count['error']} nicht geschrieben; "
                 f"{n_conf} Konflikt(e) → {checked.output}",
        f"{count['new']} new, {count['regenerated']} regenerated, {count['error']} not written; {n_conf} "
        f"conflict(s) → {checked.output}")
    if rows:
        status += "; " + _see_list(ws, len(rows))
    return MacroReport("generate", count["error"] == 0, status + ".", rows,
                       [r.path for r in results if r.status != "error"] + ([report] if report else []))


def consolidated_path(folder: Path, now: datetime) -> Path:
    """A new file name for the consolidated controller in ``folder``: ``Controller_<YYYYmmdd-HHMMSS>`` with the
    controller's extension (``-2``, ``-3`` … if that second's file exists), never an existing file."""
    stem, suffix = Path(batch.CONTROLLER_FILE).stem, Path(batch.CONTROLLER_FILE).suffix
    stamp = now.strftime("%Y%m%d-%H%M%S")
    path, n = folder / f"{stem}_{stamp}{suffix}", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}_{stamp}-{n}{suffix}"
    return path


def collect_and_consolidate(ws: WorkbookSettings, now: datetime | None = None) -> MacroReport:
    """Read the output folder's filled plans and questionnaires, consolidate them with the data book and write
    the consolidated controller as a new file in the output folder (see the module doc for why a new file)."""
    now = now or datetime.now().astimezone()
    checked = check_settings(ws)
    if checked.errors:
        return _not_run(ws, "collect", now, checked)
    assert checked.db is not None and checked.output is not None
    head = _head(ws, "collect", now)
    if not checked.output.is_dir():
        return MacroReport("collect", False, head + _t(
            ws.lang, f"der Ausgabeordner {checked.output} existiert noch nicht – erst Account-Pläne erzeugen.",
            f"the output folder {checked.output} does not exist yet – generate the account plans first."),
            [_setting_row(ws, "ctl_output", f"{checked.output} does not exist — allowed: the folder with the "
                                            "filled account plans")])
    result = batch.collect_plans(checked.output, checked.settings.lang, ignore=frozenset({"collected.xlsx"}))
    rows: list[ErrorRow] = [(f, s, c, f"value {v!r}: {m}" if v != "" else m) for f, s, c, v, m in result.problems]
    rows += [(f, "", "", f"skipped: {reason}") for f, reason in result.skipped]
    try:
        collected = batch.plans_to_databook(result.plans, str(checked.output), result.responses)
    except KamInputError as e:
        rows.append((checked.output.name, "", "", str(e)))
        return MacroReport("collect", False, head + _t(ws.lang, "nicht konsolidiert, ", "not consolidated, ")
                           + _see_list(ws, len(rows)) + ".", rows)
    target = consolidated_path(checked.output, now)
    batch.write_controller(batch.consolidate(checked.db, collected), target, ws.lang, now, settings=checked.settings,
                           xlsm_book=controller_xlsm_book)
    bad = len({r[0] for r in result.problems})
    status = head + _t(
        ws.lang, f"{len(result.plans)} Plan/Pläne und {len(result.responses)} Fragebogen/-bögen gelesen, {bad} "
                 f"Datei(en) mit Fehlern, {len(result.skipped)} übersprungen → {target.name}",
        f"{len(result.plans)} plan(s) and {len(result.responses)} questionnaire(s) read, {bad} file(s) with "
        f"errors, {len(result.skipped)} skipped → {target.name}")
    if rows:
        status += "; " + _see_list(ws, len(rows))
    return MacroReport("collect", not rows, status + ".", rows, [target])


MACROS: dict[MacroName, Callable[[WorkbookSettings, datetime | None], MacroReport]] = {
    "validate": validate_workbook,
    "refresh": refresh_plan,
    "generate": generate_plans,
    "collect": collect_and_consolidate,
}


def run_macro(macro: MacroName, ws: WorkbookSettings, now: datetime | None = None) -> MacroReport:
    """Run one macro; an unexpected failure becomes a status line and an error row instead of a traceback in an
    Excel dialog (the buttons write the report whatever happened)."""
    now = now or datetime.now().astimezone()
    try:
        return MACROS[macro](ws, now)
    except (KamInputError, WorkbookError, OSError, ValueError) as e:
        return MacroReport(macro, False, _head(ws, macro, now) + _t(ws.lang, "abgebrochen – ", "stopped – ")
                           + _stopped_by(e, ws.lang), [(ws.book, "", "", _stopped_by(e, "en"))])


def _stopped_by(e: Exception, lang: Lang) -> str:
    """What stopped a macro, for its status line (in ``lang``) or its error row (English, as every row): a
    file-system fault as the path and the reason said once (:func:`~kam_xl.files.fs_reason`), anything else as
    the error's type and text."""
    if isinstance(e, OSError):
        return (f"{e.filename}: " if e.filename else "") + fs_reason(e, lang)
    return f"{type(e).__name__}: {e}"
