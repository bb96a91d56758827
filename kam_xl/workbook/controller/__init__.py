"""The controller workbook: all key accounts of a data book side by side, for the sales controller.

Sheets (German by default, English with ``lang="en"``):

* ``Cockpit`` — one printed page: key figures, the portfolio of the 20 largest accounts, those accounts with data
  bars, band colours, YTD lights and sparklines (:mod:`kam_xl.workbook.controller.cockpit`);
* ``Kunden`` / ``Accounts`` — per account CDB I–III of the latest year with relative values, rank by CDB III,
  portfolio position (share of wallet, potential, margin factor, margin-weighted potential) and band; totals;
  the "Big Step or Out" list (negative CDB III, largest loss first); the portfolio chart (seed 000, Abb. 3);
* ``Ressourcen`` / ``Resources`` — the resource distribution (seed 000, Abb. 5): cells, shares, consistency,
  target share, target FTE and delta, region totals, the moved share and a bar chart of the shares;
* ``KAOP`` — plan and actual roll-up by quarter: revenue, total cost, profit, profit % per account and total;
* ``Kgb`` — per account and segment our score, best competitor, gap, rank and supplier role;
* ``Excellence`` — dimension scores per respondent and per criterion mean/min/max/spread/disagreement;
* ``Koordination`` / ``Coordination``, ``Organisation``, ``St. Gallen`` — the programme's coordination need per
  account (seed 000, Abb. 7/8) with the shortfall against the KAM span, the organisation decisions (Tabelle 4/5)
  and the St. Gallen tension fields, logics and phase (seed 002): modules ``coordination``, ``organisation``,
  ``st_gallen``;
* ``CDB-Daten`` / ``CDB data`` and ``KAOP-Daten`` / ``KAOP data`` — the data-book rows the formulas use;
* ``Einstellungen`` / ``Settings`` — data book path, output folder and language for the macros.

Values and formulas:

* **Values** are what the data book holds: CDB amounts and activity lines, portfolio rows, resource cells and
  market sizes, KAOP drivers (volume, price, cost amount or rate), Kgb supplier scores (computed per card by
  :func:`kam_xl.kgb.score_card` — a card is a grid of its own; the account plan's Kgb sheet has its formulas)
  and excellence ratings (0–100, blank for "nicht relevant" or unanswered).
* **Formulas** are every figure derived from them: CDB I–III and relative values, rank, margin-weighted
  potential, band words, the Big Step or Out list (SMALL for the loss, INDEX/MATCH by rank; equal losses in the
  order of the rows, as :func:`kam_xl.portfolio.big_step_or_out` lists them), all
  shares, consistency, target share, the proportional target (total FTE × target share), deltas, region
  totals, the moved share ½ Σ |resource share − potential share|, the KAOP roll-up, Kgb position, excellence
  statistics. Each carries the value of kam_xl's pure functions as its cached result (:mod:`kam_xl.cdb`,
  :mod:`kam_xl.portfolio`, :mod:`kam_xl.resources`, :mod:`kam_xl.kaop`, :mod:`kam_xl.kgb`,
  :mod:`kam_xl.excellence`; totals across accounts with :func:`kam_xl.maths.total` and
  :func:`kam_xl.kaop.year_period`), and the recalculation test proves LibreOffice computes the same.
* **KAOP**: the KAOP data sheet holds the *drivers* (product volume × price per quarter, cost amounts and
  rates of revenue) of each account's plan year; the KAOP sheet computes each account's quarterly revenue,
  total cost, profit and profit % from them with SUMPRODUCT, the year and the total over all accounts.
* **Target FTE** (rounded to the step by largest remainder so the total is kept) is written by kam_xl as a
  value (:func:`kam_xl.resources.analyse_resources`): a formula cannot do largest remainder reliably. The
  proportional target next to it is a formula and follows the weight inputs at once; the rounded target
  follows them when kam_xl regenerates the workbook.
* The portfolio chart is a scatter chart (xlsxwriter has no bubble chart) with one series per band and size
  class (:data:`~kam_xl.workbook.controller.accounts.CHART_SERIES`: 4 bands incl. "no CDB" × 4 classes = 16
  series, far below a chart's 255), so it shows every account at any count. Each account row has a size class
  (diameter ∝ √|CDB III| in four steps of the largest, :func:`kam_xl.portfolio.size_class`), a series number
  and one point column per series holding its potential in its series' column and ``#N/A`` (no point) in the
  others — all formulas, so position, band and size class follow the cells; a series' colour and marker size
  are chart properties. Up to 60 accounts each point is labelled with its account ID.

Defined names: every result block ``ctl_…`` (see the module constants and :func:`controller_workbook`), the
settings ``ctl_settings`` with ``ctl_databook``, ``ctl_output``, ``ctl_lang`` and ``ctl_account``, the target
weights ``res_weight_potential`` and ``res_weight_revenue`` and the disagreement threshold ``ctl_exc_spread``
(together :data:`SETTING_NAMES`, read and carried over as :class:`ControllerSettings`). Every input cell is a
named cell. A section whose data-book table is absent shows a note instead of figures.

The macros (:mod:`kam_xl.addin.macros`, buttons through xlwings) write back into two named output areas of the
settings sheet: ``ctl_status`` (one status line: what ran, when, result) and ``ctl_errors`` (:data:`ERROR_ROWS`
rows × file, sheet, cell, problem). They are the only cells outside the inputs that are unlocked: the sheet stays
protected, and xlwings — classic through COM, or xlwings Server through Office.js — may write into unlocked
cells of a protected sheet without unprotecting it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kam_xl.databook import DataBook
from kam_xl.databook.schema import register_tables
from kam_xl.excellence import Catalogue
from kam_xl.settings_block import (
    SETTING_LABELS,
    SETTING_NAMES,
    WEIGHT_BOUNDS,
    ControllerSettings,
    SettingProblem,
    parse_settings,
)
from kam_xl.vocabulary import Lang
from kam_xl.workbook.controller.abc_xyz import AbcXyzSheet
from kam_xl.workbook.controller.accounts import AccountsSheet, CdbDataSheet
from kam_xl.workbook.controller.cockpit import CockpitSheet
from kam_xl.workbook.controller.common import LIGHT_FORMATS, TEMPLATE_ID, TEMPLATE_VERSION, TOL, book_currency
from kam_xl.workbook.controller.coordination import CoordinationSheet
from kam_xl.workbook.controller.excellence import SCORE_SCALE, ExcellenceSheet
from kam_xl.workbook.controller.kaop import KaopDataSheet, KaopSheet
from kam_xl.workbook.controller.kgb import KgbSheet
from kam_xl.workbook.controller.kind import (
    AccountRows,
    BuildContext,
    ControllerSheet,
    NotKept,
    OldCells,
    TableExport,
    as_sheets,
    build_order,
    carry_inputs,
    carry_rows,
    input_names,
    parse_inputs,
    parse_rows,
    refused_cells,
    refused_inputs,
    register_controller,
)
from kam_xl.workbook.controller.organisation import OrganisationSheet
from kam_xl.workbook.controller.relationships import RelationshipsSheet
from kam_xl.workbook.controller.resources import ResourcesSheet
from kam_xl.workbook.controller.selection import SelectionSheet
from kam_xl.workbook.controller.settings import (
    ERROR_HEADS,
    ERROR_ROWS,
    CarriedSettings,
    SettingsSheet,
    carry_settings,
    default_settings,
)
from kam_xl.workbook.controller.st_gallen import StGallenSheet
from kam_xl.workbook.layout import Book, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.merge import snapshot_from_meta, snapshot_meta
from kam_xl.workbook.names import NamedValues, WorkbookError, read_named
from kam_xl.workbook.printing import written_time

__all__ = ["CONTROLLER_SHEETS", "ERROR_HEADS", "ERROR_ROWS", "LIGHT_FORMATS", "SCORE_SCALE", "SETTING_LABELS",
           "SETTING_NAMES", "TEMPLATE_ID", "TEMPLATE_VERSION", "TOL", "WEIGHT_BOUNDS", "BuildContext",
           "CarriedSettings", "ControllerSettings", "ControllerSheet", "NotKept", "OldCells", "SettingProblem",
           "carried_settings",
           "carry_settings", "controller_export", "controller_workbook", "default_settings", "laid_out",
           "not_read", "parse_settings", "read_carried_settings", "read_controller_export", "read_controller_inputs",
           "register_controller"]

#: The controller's sheet kinds in workbook order (each builds after the kinds it ``needs``, see
#: :func:`~kam_xl.workbook.controller.kind.build_order`). Adding a controller sheet: one module with a
#: :class:`ControllerSheet` subclass plus one line here.
CONTROLLER_SHEETS: list[ControllerSheet] = [
    CockpitSheet(),
    AccountsSheet(),
    ResourcesSheet(),
    KaopSheet(),
    KgbSheet(),
    ExcellenceSheet(),
    RelationshipsSheet(),
    SelectionSheet(),
    AbcXyzSheet(),
    CoordinationSheet(),
    OrganisationSheet(),
    StGallenSheet(),
    CdbDataSheet(),
    KaopDataSheet(),
    SettingsSheet(),
]
for _kind in CONTROLLER_SHEETS:  # the data-book tables of the kinds listed above (a kind added later: register_…)
    register_tables(f"controller sheet kind {_kind.key!r}", _kind.tables)
#: The kind whose inputs are the settings block (carried by :func:`carry_settings`, given as ``settings``).
SETTINGS = SettingsSheet.key
_SETTINGS_KIND = next(k for k in CONTROLLER_SHEETS if k.key == SETTINGS)

# ------------------------------------------------------------------------------------------ the book


def controller_workbook(db: DataBook, lang: Lang = "de", generated_at: datetime | None = None, *,
                        catalogue: Catalogue | None = None, settings: ControllerSettings | None = None,
                        status: str | None = None, progress: Callable[[int, int], None] | None = None,
                        on_demand: bool = False, refused: list[NotKept] | None = None) -> Book:
    """The controller workbook layout of a data book: all accounts side by side (see the module docstring),
    one sheet kind of :data:`CONTROLLER_SHEETS` after the other.

    ``settings`` (default :func:`default_settings`) fill the settings cells and the target weights and
    disagreement threshold the figures are computed with; ``status`` goes into the status line after the
    generation time (default: no macro has run yet). ``settings`` read from an old controller
    (:class:`CarriedSettings`) bring its other kinds' typed inputs, which are carried over here (what was kept or
    refused is added to the status line). ``_meta`` keeps a snapshot of every kind's default inputs, so that
    regeneration can tell a typed input from one that only followed the data (:func:`carry_settings`).

    ``on_demand``: the sheets are laid out as the writer comes to them (:attr:`Book.on_demand`,
    :func:`laid_out`): the book holds no sheet, and the snapshot enters ``meta`` once the last sheet is laid
    out. Else every sheet is laid out here, in :attr:`Book.sheets`.
    ``progress(done, total)`` is called after each kind is built and after each kind's sheets are handed on
    (written, when laid out on demand): ``total`` twice the kinds.
    ``refused``: a list that every input of the old controller not carried over is added to (the settings
    refused by :func:`carried_settings`, then each kind's, by sheet and cell of the old controller — what the
    status line names); carrying is done before this returns, so the list is complete then."""
    when = (generated_at or datetime.now(UTC)).isoformat(timespec="seconds")
    defaults = {k.key: d for k in CONTROLLER_SHEETS if (d := k.defaults(db, lang)) is not None}
    fresh_rows = {k.key: k.account_rows(db, lang) for k in CONTROLLER_SHEETS if k.blocks}
    settings = settings or defaults[SETTINGS]
    inputs, notes, not_kept = _carried_inputs(defaults, settings, lang)
    rows, row_notes, cells_not_kept = _carried_rows(fresh_rows, settings, lang)
    if refused is not None:
        refused += not_kept + cells_not_kept
    settings = _settings_alone(settings)  # the old controller's inputs carried: not held while the sheets are
    shown = written_time(when, lang)
    line = status_line(_t(lang, f"Erzeugt {shown}; ", f"Generated {shown}; "),
                       [status or _t(lang, "noch kein Makro gelaufen.", "no macro run yet."), *notes, *row_notes], lang)
    ctx = BuildContext(db=db, lang=lang, settings=settings, catalogue=catalogue, when=when, status=line,
                       inputs=inputs, rows=rows)
    meta = {"account_id": "", "generated_at": when, "databook": db.source,
            "title": _t(lang, "Controller-Arbeitsmappe", "Controller workbook")}

    def sheets() -> Iterator[Sheet]:
        yield from laid_out(ctx, CONTROLLER_SHEETS, progress)
        meta.update(snapshot_meta(_default_snapshot(defaults, fresh_rows)))

    book = Book(template_id=TEMPLATE_ID, template_version=TEMPLATE_VERSION, lang=lang,
                currency=book_currency(db.accounts), sheets=[], meta=meta, on_demand=sheets)
    return book if on_demand else book.held()


def laid_out(ctx: BuildContext, kinds: Sequence[ControllerSheet],
             progress: Callable[[int, int], None] | None = None) -> Iterator[Sheet]:
    """The sheets of ``kinds`` in workbook order (list order), each kind built as its sheets are asked for —
    in :func:`build_order`, so a kind's needs are built before it — and let go (out of ``ctx.built``) once its
    sheets are handed on and every kind that needs it is built: a controller of many accounts holds the layout
    of a few kinds at a time, not of all fifteen. ``progress(done, 2 × len(kinds))`` after each kind is built
    and after each kind's sheets are handed on. Raises what :func:`build_order` raises, before any kind is
    built."""
    pending = iter(build_order(kinds))
    readers = {k.key: {o.key for o in kinds if k.key in o.needs} for k in kinds}  # who still reads a kind's sheets
    total, done = 2 * len(kinds), 0
    handed: set[str] = set()
    for kind in kinds:
        while kind.key not in ctx.built:  # the kinds before it in build order: its needs, or kinds written already
            built = next(pending)
            ctx.built[built.key] = as_sheets(built.build(ctx))
            for need in built.needs:
                readers[need].discard(built.key)
            done += 1
            if progress is not None:
                progress(done, total)
        yield from ctx.built[kind.key]
        handed.add(kind.key)
        for key in [k for k in ctx.built if k in handed and not readers[k]]:
            del ctx.built[key]
        done += 1
        if progress is not None:
            progress(done, total)


def _default_snapshot(defaults: dict[str, BaseModel], fresh_rows: dict[str, AccountRows]) -> dict[str, Any]:
    """Every kind's default inputs by defined name (:func:`~kam_xl.workbook.merge.snapshot_meta` keeps them in
    ``_meta``): the settings and other inputs, then the per-account blocks as the data gives them."""
    snapshot = {n: v for d in defaults.values() for n, v in d.model_dump(by_alias=True).items()}
    for kind in CONTROLLER_SHEETS:
        for block in kind.blocks:
            snapshot.update(block.values(fresh_rows[kind.key][block.name]))
    return snapshot


def _settings_alone(settings: ControllerSettings) -> ControllerSettings:
    """``settings`` without the old controller's inputs that :class:`CarriedSettings` bring (once carried they
    are not needed: at 10,000 accounts they are some megabytes of values and parsed snapshot)."""
    if not isinstance(settings, CarriedSettings):
        return settings
    return ControllerSettings.model_construct(**{f: getattr(settings, f) for f in ControllerSettings.model_fields})


def _carried_inputs(defaults: dict[str, BaseModel], settings: ControllerSettings, lang: Lang
                    ) -> tuple[dict[str, BaseModel], list[str], list[NotKept]]:
    """Each kind's typed inputs — the settings as given, the others' carried over from an old controller when
    ``settings`` bring them (:class:`CarriedSettings`), else their defaults —, the status-line parts and the
    inputs refused (the settings' first)."""
    inputs: dict[str, BaseModel] = {SETTINGS: settings}
    notes: list[str] = []
    refused = list(settings.refused) if isinstance(settings, CarriedSettings) else []
    for kind in CONTROLLER_SHEETS:
        if kind.key == SETTINGS or kind.key not in defaults:
            continue
        if isinstance(settings, CarriedSettings):
            inputs[kind.key], parts, wrong = carry_inputs(kind, defaults[kind.key], settings.old_inputs,
                                                          settings.old_snapshot, lang)
            notes += parts
            refused += refused_inputs(kind, wrong, _old_cells(settings), lang)
        else:
            inputs[kind.key] = defaults[kind.key]
    return inputs, notes, refused


def _old_cells(settings: CarriedSettings) -> OldCells:
    """Where the old controller's inputs were (none known: named by defined name, of a file without a name)."""
    return settings.old_cells or OldCells("")


def _carried_rows(fresh: dict[str, AccountRows], settings: ControllerSettings, lang: Lang
                  ) -> tuple[dict[str, AccountRows], list[str], list[NotKept]]:
    """Each kind's per-account inputs — carried over by account id from an old controller when ``settings``
    bring its values (:class:`CarriedSettings`), else as the data gives them —, the status-line parts and the
    cells refused."""
    if not isinstance(settings, CarriedSettings):
        return fresh, [], []
    rows: dict[str, AccountRows] = {}
    notes: list[str] = []
    refused: list[NotKept] = []
    for kind in CONTROLLER_SHEETS:
        if kind.key in fresh:
            rows[kind.key], parts, wrong = carry_rows(kind, fresh[kind.key], settings.old_inputs,
                                                      settings.old_snapshot, lang)
            notes += parts
            for block in kind.blocks:
                refused += refused_cells(block, wrong.get(block.name, []), settings.old_inputs,
                                         _old_cells(settings), lang)
    return rows, notes, refused


def read_controller_inputs(path: Path) -> NamedValues | WorkbookError:
    """The typed inputs of the controller workbook at ``path`` (every input name of :data:`CONTROLLER_SHEETS`,
    read by defined name one sheet at a time: the memory of the largest input sheet, not of all eight), or the
    :class:`~kam_xl.workbook.names.WorkbookError` that says why it cannot be read — returned, not raised, so that
    one reading serves both :func:`controller_export` (``collect``'s export) and :func:`carried_settings` (the
    new controller), and can be done in a thread while the plans are read."""
    try:
        return read_named(path, names=input_names(CONTROLLER_SHEETS), one_by_one=True)
    except WorkbookError as e:
        return e


def read_controller_export(path: Path, lang: Lang = "de") -> tuple[dict[str, TableExport], list[NotKept | str]]:
    """What was typed on the controller workbook at ``path`` as data-book tables: :func:`controller_export` of
    :func:`read_controller_inputs`. Raises nothing for a bad file: ``collect`` goes on without the controller's
    tables."""
    return controller_export(read_controller_inputs(path), path.name, lang)


#: the most characters of the status cell: a cell holds 32,767 (Excel's limit, where xlsxwriter cuts a text off)
STATUS_MAX = 32_000


def status_line(head: str, parts: list[str], lang: Lang, limit: int = STATUS_MAX) -> str:
    """The status cell's text: ``head`` and ``parts`` joined by ``; `` — as many parts as fit in ``limit``
    characters, then how many more there are (each named by the run's output): a cell cut off at Excel's limit
    ended mid-word, its last parts lost without a sign (a user's trial with 284 refused cells).

    >>> status_line("Erzeugt heute; ", ["a", "b", "c"], "de", limit=30)
    'Erzeugt heute; a; b; c'
    >>> status_line("Erzeugt heute; ", ["Schwelle A"] * 5, "de", limit=70)
    'Erzeugt heute; Schwelle A; … und 4 weitere'
    """
    line = head + "; ".join(parts)
    if len(line) <= limit:
        return line
    kept: list[str] = []
    used = len(head) + 40  # room for the count at the end
    for part in parts:
        if used + len(part) + 2 > limit:
            break
        kept.append(part)
        used += len(part) + 2
    more = len(parts) - len(kept)
    return head + "; ".join([*kept, _t(lang, f"… und {more} weitere", f"… and {more} more")])


def controller_export(old: NamedValues | WorkbookError, file: str, lang: Lang = "de", db: DataBook | None = None
                      ) -> tuple[dict[str, TableExport], list[NotKept | str]]:
    """What was typed on a controller workbook (``old``, read by :func:`read_controller_inputs` from the file
    named ``file``) as data-book tables (each kind's :meth:`~ControllerSheet.export`), and the problems: a value
    that breaks its rule is named by sheet and cell (:class:`NotKept`, ``not exported``) and exported as the
    new controller holds it — the value of the data book ``db`` there (empty without one) —, a file that cannot
    be read or is not a controller is one problem, a text naming the file (:func:`not_read`)."""
    unread = not_read(old, file)
    if unread is not None:
        return {}, [f"{file}: controller inputs not exported — {unread}"]
    assert isinstance(old, NamedValues)
    cells = OldCells(file, old.refs)
    data = db if db is not None else DataBook(source="", accounts=[], tables={})
    tables: dict[str, TableExport] = {}
    problems: list[NotKept | str] = []
    for kind in CONTROLLER_SHEETS:
        inputs = None
        given = {n: v for n, v in old.values.items() if n in kind.input_names()}
        if kind.Inputs is not None and kind.key != SETTINGS and given:  # a controller from before the kind: none
            base = kind.defaults(data, lang)
            assert base is not None
            inputs, wrong = parse_inputs(kind.Inputs, given, base)
            problems += refused_inputs(kind, wrong, cells, lang, "not exported")
        rows: AccountRows = {}
        fresh: AccountRows | None = None  # the data's rows, made only when a cell is refused
        for block in kind.blocks:
            rows[block.name], bad = parse_rows(block, old.values)
            if bad and db is not None:
                fresh = kind.account_rows(db, lang) if fresh is None else fresh
                rows[block.name], bad = parse_rows(block, old.values, fresh.get(block.name))
            problems += refused_cells(block, bad, old.values, cells, lang, "not exported")
        for name, export in kind.export(inputs, rows, lang).items():
            if name in tables:  # two kinds export into one table (the settings): their rows side by side
                prev = tables[name]
                export = TableExport(prev.rows + export.rows, prev.column, prev.covers | export.covers)
            tables[name] = export
    return tables, problems


def not_read(old: NamedValues | WorkbookError, file: str) -> str | None:
    """Why the inputs of the old controller ``old`` (read from the file named ``file``) cannot be taken at all —
    it could not be read, or it is not a controller workbook —, ``None`` when they can."""
    if isinstance(old, WorkbookError):
        return str(old)
    if old.meta.get("template_id") != TEMPLATE_ID:
        return f"{file} is not a controller workbook"
    return None


def read_carried_settings(path: Path, defaults: ControllerSettings, lang: Lang = "de"
                          ) -> tuple[ControllerSettings | None, str]:
    """:func:`carried_settings` of the controller workbook at ``path`` (:func:`read_controller_inputs`)."""
    return carried_settings(read_controller_inputs(path), path.name, defaults, lang)


def carried_settings(old: NamedValues | WorkbookError, file: str, defaults: ControllerSettings, lang: Lang = "de"
                     ) -> tuple[ControllerSettings | None, str]:
    """The settings of an old controller workbook (``old``, read by :func:`read_controller_inputs` from the file
    named ``file``) carried over (:func:`carry_settings`); the inputs of the other sheet kinds ride along in the
    :class:`CarriedSettings` for :func:`controller_workbook` to carry. A file that could not be read or is not a
    controller gives ``None`` and the reason."""
    if isinstance(old, WorkbookError):
        return None, _t(lang, f"Einstellungen nicht übernommen: {old}", f"Settings not kept: {old}")
    if old.meta.get("template_id") != TEMPLATE_ID:
        return None, _t(lang, f"Einstellungen nicht übernommen: {file} war keine Controller-Arbeitsmappe",
                        f"Settings not kept: {file} was not a controller workbook")
    settings, status, wrong = carry_settings(defaults, old.values, old.meta, lang)
    others = {n: v for n, v in old.values.items() if n not in SETTING_NAMES}
    cells = OldCells(file, old.refs)
    refused = refused_inputs(_SETTINGS_KIND, wrong, cells, lang)
    return CarriedSettings.model_construct(**dict(settings), old_inputs=others,
                                           old_snapshot=snapshot_from_meta(dict(old.meta)), old_cells=cells,
                                           refused=tuple(refused)), status
