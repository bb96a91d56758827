"""The controller's settings sheet and its inputs: :class:`ControllerSettings`, read back and carried over on
regeneration."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from kam_xl.databook import DataBook
from kam_xl.resources import (
    TargetWeights,
)
from kam_xl.settings_block import (
    SETTING_LABELS,
    SETTING_NAMES,
    ControllerSettings,
    SettingProblem,
    parse_settings,
    read_setting,
)
from kam_xl.vocabulary import (
    LANGS,
    Lang,
)
from kam_xl.workbook.controller.common import (
    _headers,
)
from kam_xl.workbook.controller.kind import BuildContext, ControllerSheet, NotKept, OldCells
from kam_xl.workbook.layout import Input, Print, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.merge import merge_inputs, same, snapshot_from_meta

# ------------------------------------------------------------------------------------------ settings

#: Rows of the macros' error list ``ctl_errors`` (file, sheet, cell, problem); more problems are counted in the
#: status line.
ERROR_ROWS = 50
ERROR_HEADS = {"de": ("Datei", "Blatt", "Zelle", "Problem"), "en": ("File", "Sheet", "Cell", "Problem")}


def default_settings(db: DataBook, lang: Lang = "de") -> ControllerSettings:
    """The settings of a freshly generated controller: the data book it was built from (when its source is a
    file or folder — a consolidated data book's source is a description, not a path), no output folder, the
    controller's language, the first account, target weights potential 1 / revenue 0, disagreement from a
    spread of 50 points."""
    weights = TargetWeights()
    return ControllerSettings(databook=db.source if db.source and Path(db.source).exists() else None, lang=lang,
                              account=db.accounts[0].account_id if db.accounts else None,
                              weight_potential=weights.potential, weight_revenue=weights.revenue)


class CarriedSettings(ControllerSettings):
    """Settings carried over from an old controller, with the old controller's typed inputs of the other sheet
    kinds riding along (by defined name, and the old generation's snapshot of defaults), so that
    :func:`~kam_xl.workbook.controller.controller_workbook` carries them as well; they are not settings
    (:meth:`values` leaves them out)."""

    old_inputs: dict[str, Any] = Field(default_factory=dict, exclude=True)
    old_snapshot: dict[str, Any] | None = Field(default=None, exclude=True)
    #: where the old controller's inputs were (its file and defined names), to name a refused one by sheet and cell
    old_cells: OldCells | None = Field(default=None, exclude=True)
    #: the settings refused in carrying them over (:func:`carry_settings`), by sheet and cell
    refused: tuple[NotKept, ...] = Field(default=(), exclude=True)

    @field_validator("*", mode="before")
    @classmethod
    def _read_cell(cls, value: Any, info: ValidationInfo) -> Any:
        assert info.field_name is not None
        return value if info.field_name in _RIDING else read_setting(info.field_name, value)


#: the fields of :class:`CarriedSettings` that ride along (not settings)
_RIDING = frozenset(CarriedSettings.model_fields) - frozenset(ControllerSettings.model_fields)


def carry_settings(defaults: ControllerSettings, old: Mapping[str, Any], old_meta: Mapping[str, str],
                   lang: Lang = "de") -> tuple[ControllerSettings, str, list[SettingProblem]]:
    """The settings a regenerated controller takes over from the old one, a status line saying so, and the
    settings refused (name, value as shown, what is allowed).

    The old controller's values are merged with ``defaults`` (what the data gives now) as a KAM's inputs are
    (:func:`kam_xl.workbook.merge.merge_inputs`, with the defaults of the old generation from its ``_meta``
    snapshot): a setting somebody typed is kept, an untouched one follows the data. Where the data has no value
    (no path for a consolidated data book) the old value is kept too. An old value that breaks its rule is
    left at the default and named in the status line.
    """
    new = defaults.values()
    old_values = {k: v for k, v in old.items() if k in new}
    snapshot = snapshot_from_meta(dict(old_meta))
    # merged over the names the old controller holds: one it lacks (its section was not shown, e.g. no resources
    # table) follows the data — the merge would take it for cleared and refuse the empty value
    orig = {k: v for k, v in snapshot.items() if k in old_values} if snapshot is not None else None
    merged = {**new, **merge_inputs(orig, old_values, {k: new[k] for k in old_values})[0]}
    for name, value in old_values.items():
        if merged[name] in (None, "") and value not in (None, ""):
            merged[name] = value
    settings, problems = parse_settings(merged, defaults)
    kept = [n for n in SETTING_NAMES if n in old_values and not same(settings.values()[n], new[n])]
    words = [_t(lang, *SETTING_LABELS[n]) for n in kept]
    parts = [_t(lang, "Einstellungen des alten Controllers übernommen: ", "Settings of the old controller kept: ")
             + (", ".join(words) if words else _t(lang, "keine abweichenden", "none differ"))]
    for name, value, allowed in problems:
        parts.append(_t(lang, f"{_t(lang, *SETTING_LABELS[name])} = {value!r} nicht übernommen (erlaubt: {allowed})",
                        f"{_t(lang, *SETTING_LABELS[name])} = {value!r} not kept (allowed: {allowed})"))
    return settings, "; ".join(parts), problems


def _settings_sheet(db: DataBook, lang: Lang, when: str, settings: ControllerSettings, account_ids: str | None,
                    status: str) -> Sheet:
    s = Sheet(_t(lang, "Einstellungen", "Settings"), widths={0: 42, 1: 60, 2: 12, 3: 90})
    s.put(0, 0, _t(lang, "Einstellungen für Makros", "Settings for the macros"), style="title")
    s.put(1, 0, _t(lang, "Datenbuch, Ausgabeordner, Sprache und Kunde, mit denen die Schaltflächen Account-Pläne "
                         "prüfen, erzeugen und einsammeln. Status und Fehlerliste unten schreiben die Makros.",
                   "Data book, output folder, language and account the buttons use to validate, generate and "
                   "collect account workbooks. The macros write the status and the error list below."),
          style="note")
    value = settings.values()
    account = (Input(kind="list", choices_source=f"={account_ids}", title=_t(lang, "Kunde", "Account"),
                     message=_t(lang, "Kunden-ID aus der Kundenübersicht", "Account id from the account overview"))
               if account_ids else
               Input(kind="text", title=_t(lang, "Kunde", "Account"), message=_t(lang, "Kunden-ID", "Account id")))
    rows = (
        ("ctl_databook", Input(kind="text", title=_t(lang, "Datenbuch", "Data book"),
                               message=_t(lang, "Pfad des Datenbuchs: .xlsx-Datei oder Ordner mit CSV-Dateien",
                                          "Path of the data book: an .xlsx file or a folder of CSV files"))),
        ("ctl_output", Input(kind="text", title=_t(lang, "Ausgabeordner", "Output folder"),
                             message=_t(lang, "Ordner für die erzeugten Account-Pläne (wird angelegt)",
                                        "Folder for the generated account workbooks (created if missing)"))),
        ("ctl_lang", Input(kind="list", choices=LANGS, title=_t(lang, "Sprache", "Language"), message="de, en")),
        ("ctl_account", account),
    )
    for i, (name, inp) in enumerate(rows):
        s.put(3 + i, 0, _t(lang, *SETTING_LABELS[name]), style="label")
        s.put(3 + i, 1, value[name], name=name, input=inp)
    s.name_range("ctl_settings", 3, 0, 3 + len(rows) - 1, 1)
    s.put(8, 0, _t(lang, "Erzeugt", "Generated"), style="label")
    s.put(8, 1, when)
    s.put(9, 0, _t(lang, "Datenbuch beim Erzeugen", "Data book at generation"), style="label")
    s.put(9, 1, db.source)
    s.put(10, 0, _t(lang, "Kunden", "Accounts"), style="label")
    s.put(10, 1, len(db.accounts), style="integer")
    # what the macros write: unlocked (the sheet stays protected), no input style, no validation
    s.put(12, 0, _t(lang, "Makro-Status", "Macro status"), style="subtitle")
    s.put(13, 0, "Status", style="label")
    status_cell = s.put(13, 1, status, style="output", name="ctl_status")
    # prints compactly: the settings and the macro status (the error list is for the screen, 50 rows mostly empty)
    s.print = Print(area=(0, 0, status_cell.row, status_cell.col))
    s.put(15, 0, _t(lang, f"Fehlerliste (die ersten {ERROR_ROWS})", f"Error list (the first {ERROR_ROWS})"),
          style="subtitle")
    _headers(s, 16, 0, ERROR_HEADS[lang])
    for r in range(17, 17 + ERROR_ROWS):
        for c in range(len(ERROR_HEADS[lang])):
            s.put(r, c, None, style="output")
    s.name_range("ctl_errors", 17, 0, 17 + ERROR_ROWS - 1, len(ERROR_HEADS[lang]) - 1)
    return s


class SettingsSheet(ControllerSheet):
    """``Einstellungen`` / ``Settings``: the settings block (:class:`ControllerSettings`), the macro status line
    and error list; the account input lists the accounts sheet's ids."""

    key = "settings"
    needs = ("accounts",)
    Inputs = ControllerSettings

    def defaults(self, db: DataBook, lang: Lang) -> ControllerSettings:
        return default_settings(db, lang)

    def label(self, name: str, lang: Lang) -> str:
        return _t(lang, *SETTING_LABELS[name])

    def build(self, ctx: BuildContext) -> Sheet:
        accounts = ctx.sheet("accounts")
        ids = accounts.ref(*accounts.ranges["ctl_acc_ids"]) if accounts and "ctl_acc_ids" in accounts.ranges else None
        return _settings_sheet(ctx.db, ctx.lang, ctx.when, ctx.settings, ids, ctx.status)
