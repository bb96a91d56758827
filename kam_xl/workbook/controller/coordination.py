"""The controller's Koordination sheet (seed 000, Abb. 7 and 8): per account the six cross-BU and the six
cross-territory items rated 1–7 as inputs, and as formulas each scale's mean and result, the account's KAM span
and the shortfall light — „Man darf zwar gerne besser koordiniert sein als der Key-Account, aber niemals
schlechter." (:mod:`kam_xl.coordination`).

Typed inputs: the ratings per account (an :class:`~kam_xl.workbook.controller.kind.AccountBlock`, carried over by
account id) and the three thresholds (company settings ``coord_bu_high``, ``coord_territory_regional``,
``coord_territory_global``, their keys the defined names). A fresh controller takes them from the data book's
``coordination`` table and ``settings``; collect exports them back there."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from kam_xl.company_settings import CompanySettings, company_settings, setting_text
from kam_xl.coordination import (
    ITEM_NUMBERS,
    ITEMS,
    RATING_MAX,
    RATING_MIN,
    SCALE_ENDS,
    SCALE_TITLES,
    SCALES,
    AccountCoordination,
    account_coordination,
    ratings_by_account,
)
from kam_xl.databook import Column, DataBook, Table
from kam_xl.databook.whole import whole_numbers
from kam_xl.vocabulary import COORDINATION_WORDS, LIGHT_FORMATS, YES_NO, Lang, sheet_title
from kam_xl.workbook.controller.common import (
    Misordered,
    _headers,
    _missing_note,
    produce,
    shown_threshold,
    threshold_number,
)
from kam_xl.workbook.controller.kind import (
    AccountBlock,
    AccountRows,
    BuildContext,
    ControllerSheet,
    TableExport,
)
from kam_xl.workbook.layout import Conditional, Input, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.years import year_span

THRESHOLDS = ("coord_bu_high", "coord_territory_regional", "coord_territory_global")
_REGIONAL, _GLOBAL = THRESHOLDS[1:]
_LABELS = {"coord_bu_high": ("BU-übergreifend hoch ab Mittel", "Cross-BU high from mean"),
           "coord_territory_regional": ("Gebietsübergreifend regional ab Mittel", "Cross-territory regional from mean"),
           "coord_territory_global": ("Gebietsübergreifend global ab Mittel", "Cross-territory global from mean")}
_SHORT = {"bu": ("BU", "BU"), "territory": ("Gebiet", "Terr.")}



class CoordinationInputs(BaseModel):
    """The thresholds on a scale's mean, as the company settings define them (1–7; regional ≤ global). A pair in
    reverse order is refused on both fields, so that carrying it over falls back to a pair that holds."""

    model_config = ConfigDict(frozen=True)

    coord_bu_high: float = CompanySettings.model_fields["coord_bu_high"]
    coord_territory_regional: float = CompanySettings.model_fields["coord_territory_regional"]
    coord_territory_global: float = CompanySettings.model_fields["coord_territory_global"]

    @model_validator(mode="before")
    @classmethod
    def _in_order(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        low, high = threshold_number(data.get(_REGIONAL)), threshold_number(data.get(_GLOBAL))
        if low is not None and high is not None and low > high:
            return {**data, _REGIONAL: Misordered(f"a mean ≤ {_GLOBAL} ({shown_threshold(data.get(_GLOBAL))})"),
                    _GLOBAL: Misordered(f"a mean ≥ {_REGIONAL} ({shown_threshold(data.get(_REGIONAL))})")}
        return data

    @field_validator(_REGIONAL, _GLOBAL, mode="before")
    @classmethod
    def _refuse_misordered(cls, value: Any) -> Any:
        if isinstance(value, Misordered):
            raise ValueError(value.allowed)
        return value

    def settings(self) -> CompanySettings:
        """These thresholds as company settings (the other keys at their defaults)."""
        return CompanySettings(**self.model_dump())


def column(scale: str, item: int) -> str:
    """The field (and export column) of one item's rating: ``bu_1`` … ``territory_6``."""
    return f"{scale}_{item}"


#: One account's twelve ratings, whole numbers 1–7 or empty.
CoordinationRow: type[BaseModel] = create_model(
    "CoordinationRow", __config__=ConfigDict(frozen=True),
    **{column(s, i): (int | None, Field(None, ge=RATING_MIN, le=RATING_MAX)) for s in SCALES for i in ITEM_NUMBERS})
BLOCK = AccountBlock(ids="coord_ids", name="coord_ratings", Row=CoordinationRow,
                     label=("Koordinationsbedarf", "Coordination need"),
                     headings={column(s, i): (f"{_SHORT[s][0]} {i}", f"{_SHORT[s][1]} {i}") for s in SCALES
                               for i in ITEM_NUMBERS})


def result_of(row: BaseModel, kam_span: str | None, account_id: str, inputs: CoordinationInputs
              ) -> AccountCoordination:
    """The account's coordination need (:func:`kam_xl.coordination.account_coordination`) of a sheet row."""
    values = row.model_dump()
    ratings = {s: {i: values[column(s, i)] for i in ITEM_NUMBERS} for s in SCALES}
    return account_coordination(account_id, ratings, kam_span, inputs.settings())


# columns: id, name, 6 bu items, 6 territory items, bu mean, bu result, territory mean, result, span, shortfall
C_ITEMS = 2
C_BU_MEAN = C_ITEMS + 12
C_BU_RES, C_TER_MEAN, C_TER_RES, C_SPAN, C_SHORT = range(C_BU_MEAN + 1, C_BU_MEAN + 6)


def _thresholds(s: Sheet, top: int, inputs: CoordinationInputs, lang: Lang) -> dict[str, str]:
    """The three threshold inputs from row ``top``; their absolute addresses by key."""
    msg = _t(lang, f"Mittelwert auf der Skala {RATING_MIN}–{RATING_MAX}; regional ≤ global",
             f"Mean on the {RATING_MIN}–{RATING_MAX} scale; regional ≤ global")
    out = {}
    for i, key in enumerate(THRESHOLDS):
        s.put(top + i, 0, _t(lang, *_LABELS[key]), style="label")
        cell = s.put(top + i, C_ITEMS, getattr(inputs, key), style="score", name=key,
                     input=Input(kind="number", minimum=RATING_MIN, maximum=RATING_MAX,
                                 title=_t(lang, "Schwelle", "Threshold"), message=msg))
        out[key] = cell.absolute
    return out


@functools.cache
def _rating_input(lang: Lang) -> Input:
    """The input rule of a rating cell: one for all of them (the held input cells of every account share it)."""
    msg = _t(lang, f"{RATING_MIN} = {SCALE_ENDS['de'][0]} … {RATING_MAX} = {SCALE_ENDS['de'][1]}; leer = nicht "
                   "bewertet", f"{RATING_MIN} = {SCALE_ENDS['en'][0]} … {RATING_MAX} = {SCALE_ENDS['en'][1]}; empty = "
                               "not rated")
    choices = tuple(str(v) for v in range(RATING_MIN, RATING_MAX + 1))
    return Input(kind="list", choices=choices, title=_t(lang, "Bewertung", "Rating"), message=msg)


def _account_row(s: Sheet, r: int, account_id: str, name: str, row: BaseModel, res: AccountCoordination,
                 th: dict[str, str], lang: Lang) -> None:
    words = COORDINATION_WORDS[lang]
    yes, no = YES_NO[lang]
    s.put(r, 0, account_id, style="bold")
    s.put(r, 1, name)
    values = row.model_dump()
    rating = _rating_input(lang)
    for j, (scale, item) in enumerate((sc, i) for sc in SCALES for i in ITEM_NUMBERS):
        s.put(r, C_ITEMS + j, values[column(scale, item)], style="integer", input=rating)
    bu_cells = s.ref(r, C_ITEMS, r, C_ITEMS + 5)
    ter_cells = s.ref(r, C_ITEMS + 6, r, C_ITEMS + 11)
    m_bu = s.put(r, C_BU_MEAN, formula=f'=IF(COUNT({bu_cells})=0,"",AVERAGE({bu_cells}))', cached=res.bu.mean,
                 style="score").address
    s.put(r, C_BU_RES, formula=f'=IF({m_bu}="","",IF({m_bu}<{th["coord_bu_high"]},"{words["niedrig"]}",'
                                f'"{words["hoch"]}"))', cached=words.get(res.bu.result or ""))
    m_ter = s.put(r, C_TER_MEAN, formula=f'=IF(COUNT({ter_cells})=0,"",AVERAGE({ter_cells}))',
                  cached=res.territory.mean, style="score").address
    r_ter = s.put(r, C_TER_RES, formula=f'=IF({m_ter}="","",IF({m_ter}<{th["coord_territory_regional"]},'
                                        f'"{words["niedrig"]}",IF({m_ter}<{th["coord_territory_global"]},'
                                        f'"{words["regional"]}","{words["global"]}")))',
                  cached=words.get(res.territory.result or "")).address
    span = s.put(r, C_SPAN, res.kam_span).address
    rank_ter = f'IF({r_ter}="{words["niedrig"]}",0,IF({r_ter}="{words["regional"]}",1,2))'
    rank_span = f'IF({span}="national",0,IF({span}="regional",1,2))'
    s.put(r, C_SHORT, formula=f'=IF(OR({r_ter}="",{span}=""),"",IF({rank_ter}>{rank_span},"{yes}","{no}"))',
          cached=None if res.shortfall is None else yes if res.shortfall else no)


def _legend(s: Sheet, top: int, lang: Lang) -> None:
    for k, scale in enumerate(SCALES):
        r0 = top + k * (len(ITEM_NUMBERS) + 2)
        s.put(r0, 0, _t(lang, *SCALE_TITLES[scale]), style="subtitle")
        for i, item in enumerate(ITEMS[scale], 1):
            s.put(r0 + i, 0, f"{_t(lang, *_SHORT[scale])} {i}", style="bold")
            s.put(r0 + i, 1, _t(lang, *item))


def coordination_sheet(ctx: BuildContext) -> Sheet:
    """The ``Koordination`` sheet of ``ctx``: thresholds, one row per account, the items' legend."""
    lang = ctx.lang
    inputs = ctx.inputs[CoordinationSheet.key]
    assert isinstance(inputs, CoordinationInputs)
    s = Sheet(_t(lang, "Koordination", "Coordination"), freeze=(9, 2),
              widths={0: 12, 1: 38, **{c: 8.5 for c in range(C_ITEMS, C_BU_MEAN)}, C_BU_MEAN: 10, C_BU_RES: 10,
                      C_TER_MEAN: 13, C_TER_RES: 13, C_SPAN: 15, C_SHORT: 13})
    s.put(0, 0, sheet_title(lang, _t(lang, "Koordinationsbedarf je Key-Account (Homburg/Jensen, Abb. 7 und 8)",
                                     "Coordination need per key account (Homburg/Jensen, fig. 7 and 8)"),
                            year_span(a.plan_year for a in ctx.db.accounts), "scale_1_7"), style="title")
    s.put(1, 0, _t(lang, f"Jedes Merkmal {RATING_MIN} = schwach ausgeprägt … {RATING_MAX} = stark ausgeprägt; Mittel "
                         "der bewerteten Merkmale. „Man darf zwar gerne besser koordiniert sein als der Key-Account, "
                         "aber niemals schlechter.“ Unterdeckung: gebietsübergreifender Bedarf über der "
                         "KAM-Spannweite (niedrig ≙ national < regional < global).",
                   f"Each item {RATING_MIN} = weakly … {RATING_MAX} = strongly pronounced; mean of the rated items. "
                   "We may be better coordinated than the key account, never worse. Shortfall: cross-territory "
                   "need above the KAM span (low ≙ national < regional < global)."), style="note")
    th = _thresholds(s, 2, inputs, lang)
    if not ctx.db.accounts:
        _missing_note(s, 6, lang, "accounts")
        return s
    head = 7
    s.put(head - 1, C_ITEMS, _t(lang, *SCALE_TITLES["bu"]), style="subtitle")
    s.put(head - 1, C_ITEMS + 6, _t(lang, *SCALE_TITLES["territory"]), style="subtitle")
    words = [BLOCK.heading(column(sc, i), lang) for sc in SCALES for i in ITEM_NUMBERS]
    _headers(s, head + 1, 0, ("ID", _t(lang, "Kunde", "Account"), *words, _t(lang, "BU Mittel", "BU mean"),
                              _t(lang, "BU Bedarf", "BU need"), _t(lang, "Gebiet Mittel", "Terr. mean"),
                              _t(lang, "Gebiet Bedarf", "Terr. need"), _t(lang, "KAM-Spannweite", "KAM span"),
                              _t(lang, "Unterdeckung", "Shortfall")))
    first = head + 2

    def fill(out: Sheet) -> Iterator[None]:  # one account's row at a time
        for i, acc in enumerate(ctx.db.accounts):
            row = ctx.row(CoordinationSheet.key, BLOCK, acc.account_id)
            res = result_of(row, acc.kam_span, acc.account_id, inputs)
            _account_row(out, first + i, acc.account_id, acc.name, row, res, th, lang)
            yield

    produce(s, fill, hold=lambda c: c.input is not None or c.col == 0)  # the blocks read back by name
    last = first + len(ctx.db.accounts) - 1
    s.name_range(BLOCK.ids, first, 0, last, 0)
    s.name_range(BLOCK.name, first, C_ITEMS, last, C_BU_MEAN - 1)
    s.name_range("ctl_coord_results", first, C_BU_MEAN, last, C_SHORT)
    yes, no = YES_NO[lang]
    for word, light in ((yes, "red"), (no, "green")):
        s.conditionals.append(Conditional(first, C_SHORT, last, C_SHORT, {
            "type": "cell", "criteria": "==", "value": f'"{word}"', "format": LIGHT_FORMATS[light]}))
    _legend(s, last + 2, lang)
    return s


class CoordinationSheet(ControllerSheet):
    """``Koordination`` / ``Coordination``: the twelve items per account (carried by account id), thresholds."""

    key = "coordination"
    Inputs = CoordinationInputs
    blocks = (BLOCK,)
    tables = (Table("coordination", (
        Column("account_id"), Column("scale", "choice", choices=SCALES), Column("item", "number"),
        Column("rating", "number", False)), key=("account_id", "scale", "item"),
        description="coordination need per account (seed 000, Abb. 7 = bu, Abb. 8 = territory): item 1–6 rated "
                    "1 (schwach ausgeprägt) … 7 (stark ausgeprägt); empty rating = not rated",
        check=whole_numbers("coordination", {"item": (ITEM_NUMBERS[0], ITEM_NUMBERS[-1]),
                                             "rating": (RATING_MIN, RATING_MAX)})),)

    def defaults(self, db: DataBook, lang: Lang) -> CoordinationInputs:
        return CoordinationInputs.model_validate(company_settings(db).model_dump(include=set(THRESHOLDS)))

    def label(self, name: str, lang: Lang) -> str:
        return _t(lang, *_LABELS[name]) if name in _LABELS else name

    def account_rows(self, db: DataBook, lang: Lang) -> AccountRows:
        given = ratings_by_account(db.table("coordination") or [])
        rows = {}
        for a in db.accounts:
            mine = given.get(a.account_id, {})
            rows[a.account_id] = CoordinationRow(**{column(s, i): mine.get(s, {}).get(i) for s in SCALES
                                                    for i in ITEM_NUMBERS})
        return {BLOCK.name: rows}

    def build(self, ctx: BuildContext) -> Sheet:
        return coordination_sheet(ctx)

    def export(self, inputs: BaseModel | None, rows: AccountRows, lang: Lang) -> dict[str, TableExport]:
        """The ratings as ``coordination`` rows (replacing those of every account the sheet showed) and the
        thresholds as ``settings`` rows; a controller from before this kind (no inputs, no rows) exports nothing."""
        block = rows.get(BLOCK.name, {})
        out: list[dict[str, Any]] = []
        for account, row in block.items():
            values = row.model_dump()
            out += [{"account_id": account, "scale": sc, "item": i, "rating": values[column(sc, i)]}
                    for sc in SCALES for i in ITEM_NUMBERS if values[column(sc, i)] is not None]
        if inputs is None:
            return {"coordination": TableExport(out, "account_id", frozenset(block))} if block else {}
        th = inputs.model_dump()
        return {"coordination": TableExport(out, "account_id", frozenset(block)),
                "settings": TableExport([{"key": k, "value": setting_text(v)} for k, v in th.items()], "key",
                                        frozenset(th))}
