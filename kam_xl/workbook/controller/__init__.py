"""The controller workbook: all key accounts of a data book side by side, for the sales controller.

Sheets (German by default, English with ``lang="en"``):

* ``Kunden`` / ``Accounts`` — per account CDB I–III of the latest year with relative values, rank by CDB III,
  portfolio position (share of wallet, potential, margin factor, margin-weighted potential) and band; totals;
  the "Big Step or Out" list (negative CDB III, largest loss first); the portfolio chart (seed 000, Abb. 3);
* ``Ressourcen`` / ``Resources`` — the resource distribution (seed 000, Abb. 5): cells, shares, consistency,
  target share, target FTE and delta, region totals, the moved share and a bar chart of the shares;
* ``KAOP`` — plan and actual roll-up by quarter: revenue, total cost, profit, profit % per account and total;
* ``Kgb`` — per account and segment our score, best competitor, gap, rank and supplier role;
* ``Excellence`` — dimension scores per respondent and per criterion mean/min/max/spread/disagreement;
* ``CDB-Daten`` / ``CDB data`` and ``KAOP-Daten`` / ``KAOP data`` — the data-book rows the formulas use;
* ``Einstellungen`` / ``Settings`` — data book path, output folder and language for the macros.

Values and formulas:

* **Values** are what the data book holds: CDB amounts and activity lines, portfolio rows, resource cells and
  market sizes, KAOP drivers (volume, price, cost amount or rate), Kgb supplier scores (computed per card by
  :func:`kam_xl.kgb.score_card` — a card is a grid of its own; the account plan's Kgb sheet has its formulas)
  and excellence ratings (0–100, blank for "nicht relevant" or unanswered).
* **Formulas** are every figure derived from them: CDB I–III and relative values, rank, margin-weighted
  potential, band words, the Big Step or Out list (rank reversed with INDEX/MATCH, SMALL for the loss; on an
  exactly equal CDB III it lists the later row first, kam_xl the lower account ID), all
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
* The portfolio chart is a scatter chart with one series per account (xlsxwriter has no bubble chart): its
  marker size (∝ √|CDB III|, so the area ∝ |CDB III|) and colour (band) are chart properties fixed at
  generation time; position (share of wallet, potential) follows the cells.

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

from datetime import UTC, datetime

from kam_xl.databook import DataBook
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
from kam_xl.workbook.controller.accounts import _accounts, _accounts_sheet, _cdb_data_sheet
from kam_xl.workbook.controller.common import LIGHT_FORMATS, TEMPLATE_ID, TEMPLATE_VERSION, TOL
from kam_xl.workbook.controller.excellence import SCORE_SCALE, _excellence_sheet
from kam_xl.workbook.controller.kaop import _kaop_accounts, _kaop_data_sheet, _kaop_sheet
from kam_xl.workbook.controller.kgb import _kgb_sheet
from kam_xl.workbook.controller.resources import _resources_sheet
from kam_xl.workbook.controller.settings import (
    ERROR_HEADS,
    ERROR_ROWS,
    _settings_sheet,
    carry_settings,
    default_settings,
    read_carried_settings,
)
from kam_xl.workbook.layout import Book
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.merge import snapshot_meta

__all__ = ["ERROR_HEADS", "ERROR_ROWS", "LIGHT_FORMATS", "SCORE_SCALE", "SETTING_LABELS", "SETTING_NAMES",
           "TEMPLATE_ID", "TEMPLATE_VERSION", "TOL", "WEIGHT_BOUNDS", "ControllerSettings", "SettingProblem",
           "carry_settings", "controller_workbook", "default_settings", "parse_settings", "read_carried_settings"]

# ------------------------------------------------------------------------------------------ the book


def controller_workbook(db: DataBook, lang: Lang = "de", generated_at: datetime | None = None, *,
                        catalogue: Catalogue | None = None, settings: ControllerSettings | None = None,
                        status: str | None = None) -> Book:
    """The controller workbook layout of a data book: all accounts side by side (see the module docstring).

    ``settings`` (default :func:`default_settings`) fill the settings cells and the target weights and
    disagreement threshold the figures are computed with; ``status`` goes into the status line after the
    generation time (default: no macro has run yet). ``_meta`` keeps a snapshot of the default settings, so
    that regeneration can tell a typed setting from one that only followed the data (:func:`carry_settings`)."""
    when = (generated_at or datetime.now(UTC)).isoformat(timespec="seconds")
    defaults = default_settings(db, lang)
    settings = settings or defaults
    accs = _accounts(db)
    cdb_data, d_first = _cdb_data_sheet(db, accs, lang)
    accounts = _accounts_sheet(accs, cdb_data, d_first, lang, db)
    resources = _resources_sheet(db, lang, settings)
    items = _kaop_accounts(db)
    kaop_data, refs = _kaop_data_sheet(items, lang) if items else (None, None)
    kaop = _kaop_sheet(items, refs, lang)
    kgb = _kgb_sheet(db, lang)
    responses = db.responses()
    excellence = _excellence_sheet(responses, catalogue, lang, settings.exc_spread)
    ids = accounts.ref(*accounts.ranges["ctl_acc_ids"]) if "ctl_acc_ids" in accounts.ranges else None
    status = _t(lang, f"Erzeugt {when}; ", f"Generated {when}; ") + (
        status or _t(lang, "noch kein Makro gelaufen.", "no macro run yet."))
    settings_sheet = _settings_sheet(db, lang, when, settings, ids, status)
    sheets = [accounts, resources, kaop, kgb, excellence, cdb_data, *([kaop_data] if kaop_data else []),
              settings_sheet]
    return Book(template_id=TEMPLATE_ID, template_version=TEMPLATE_VERSION, sheets=sheets, lang=lang,
                meta={"account_id": "", "generated_at": when, "databook": db.source,
                      "title": _t(lang, "Controller-Workbook", "Controller workbook"),
                      **snapshot_meta(defaults.values())})
