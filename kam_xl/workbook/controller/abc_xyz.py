"""The controller's ``ABC-XYZ`` sheet ("ABC/XYZ"; Excel allows no ``/`` in a sheet name; SPEC §3.7, issue 12):
every account's ABC class by net sales and XYZ class by the variation of its quarterly revenue, the 3×3 count
matrix and the four thresholds as inputs.

Rows are sorted as ABC ranks them — net sales of the latest ``cdb`` year descending, equal ones by account id —
followed by the accounts without (or with negative) net sales, by id. So "the net sales of the accounts above"
is a running total: each row's ``before`` is the row above's ``before`` plus its net sales (one addition per
row, no formula over the whole column), and the total is the last row's ``before`` plus its net sales.
:func:`kam_xl.selection.abc_classes` adds in the same order, so the comparison ``before < abc_a × total`` —
by multiplying — gives the same class in Python, Excel and LibreOffice, even at the boundary.

XYZ reads the quarterly revenues the controller's KAOP sheet computes (plan and actual block, the account's
plan year): the actual ones when all four quarters have actuals, else the plan; cv = STDEVP ÷ AVERAGE of the
four, empty with fewer than four quarters or a mean of 0. Net sales are references to the accounts sheet.
Every figure is a formula whose cached value comes from :mod:`kam_xl.selection`.

The thresholds are carried over on regeneration and exported by ``collect`` as the ``settings`` keys ``abc_a``,
``abc_b``, ``xyz_x`` and ``xyz_y``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kam_xl.company_settings import CompanySettings, company_settings, setting_text
from kam_xl.databook import DataBook
from kam_xl.kaop import QUARTERS
from kam_xl.selection import (
    AbcXyzResult,
    abc_order,
    classify_accounts,
    latest_table_year,
    selection_inputs,
)
from kam_xl.vocabulary import SCENARIO_WORDS, Lang, sheet_title
from kam_xl.workbook.controller.common import (
    Misordered,
    _headers,
    _missing_note,
    book_currency,
    produce,
    shown_threshold,
    threshold_number,
)
from kam_xl.workbook.controller.kaop import items_revenues, kaop_items
from kam_xl.workbook.controller.kind import BuildContext, ControllerSheet, TableExport
from kam_xl.workbook.layout import Input, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.years import year_span

ABC, XYZ = ("A", "B", "C"), ("X", "Y", "Z")



class AbcXyzThresholds(BaseModel):
    """The four thresholds (the ``settings`` keys of the same names). A pair in reverse order (abc_a above abc_b,
    xyz_x above xyz_y) is refused on both of its fields, so that carrying it over falls back to a pair that
    holds — and ``collect`` never exports a pair the data book would refuse."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _in_order(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for low, high in (("abc_a", "abc_b"), ("xyz_x", "xyz_y")):
            keys = [next((k for k in (cls.model_fields[f].alias, f) if k in data), None) for f in (low, high)]
            if None in keys:
                continue
            lo, hi = (threshold_number(data[k]) for k in keys)  # type: ignore[index]
            if lo is not None and hi is not None and lo > hi:
                out[keys[0]] = Misordered(f"at most {high} ({shown_threshold(data[keys[1]])})")  # type: ignore[index]
                out[keys[1]] = Misordered(f"at least {low} ({shown_threshold(data[keys[0]])})")  # type: ignore[index]
        return out

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_misordered(cls, value: Any) -> Any:
        if isinstance(value, Misordered):
            raise ValueError(value.allowed)
        return value

    abc_a: float = Field(0.8, alias="abc_share_a", gt=0, le=1, description="Schwelle A (Anteil Nettoumsatz)")
    abc_b: float = Field(0.95, alias="abc_share_b", gt=0, le=1, description="Schwelle B (Anteil Nettoumsatz)")
    xyz_x: float = Field(0.25, alias="xyz_cv_x", gt=0, description="Schwelle X (Variationskoeffizient)")
    xyz_y: float = Field(0.5, alias="xyz_cv_y", gt=0, description="Schwelle Y (Variationskoeffizient)")

    def settings(self, base: CompanySettings) -> CompanySettings:
        """``base`` with these thresholds (not validated against each other: the sheet computes with any)."""
        return base.model_copy(update=self.model_dump())


# columns: ID, name, net sales, before, cumulative share, ABC, basis, Q1–Q4, cv, XYZ, class pair
C_ID, C_NAME, C_NET, C_BEFORE, C_SHARE, C_ABC, C_BASIS = range(7)
C_Q = 7
C_CV = C_Q + len(QUARTERS)
C_XYZ, C_PAIR = C_CV + 1, C_CV + 2
R_THRESH = 3  # the thresholds: rows 3–6, the matrix beside them
FIRST = 13


def _kaop_rows(kaop: Sheet | None) -> dict[str, dict[str, tuple[int, int]]]:
    """Per KAOP block (``plan``/``actual``): account id → (row, column of Q1 revenue) on the KAOP sheet."""
    out: dict[str, dict[str, tuple[int, int]]] = {}
    if kaop is None:
        return out
    for scenario in ("plan", "actual"):
        name = f"ctl_kaop_{scenario}_revenue"
        if name not in kaop.ranges:
            continue
        first, col, last, _ = kaop.ranges[name]
        out[scenario] = {c.value: (c.row, col) for c in kaop.cells if c.col == 0 and first <= c.row <= last}
    return out


def _thresholds(s: Sheet, t: AbcXyzThresholds, lang: Lang) -> dict[str, str]:
    """The four threshold inputs; returns field → absolute cell."""
    s.put(R_THRESH - 1, 0, _t(lang, "Schwellen", "Thresholds"), style="subtitle")
    rows = (("abc_a", _t(lang, "A bis Anteil am Nettoumsatz", "A up to share of net sales"), "percent", 1),
            ("abc_b", _t(lang, "B bis Anteil am Nettoumsatz", "B up to share of net sales"), "percent", 1),
            ("xyz_x", _t(lang, "X bis Variationskoeffizient", "X up to coefficient of variation"), "number2", None),
            ("xyz_y", _t(lang, "Y bis Variationskoeffizient", "Y up to coefficient of variation"), "number2", None))
    out = {}
    for i, (field, label, style, top) in enumerate(rows):
        alias = AbcXyzThresholds.model_fields[field].alias
        assert alias is not None
        s.put(R_THRESH + i, 0, label, style="label")
        out[field] = s.put(R_THRESH + i, 2, getattr(t, field), style=style, name=alias, input=Input(
            kind="fraction" if top else "number", minimum=0.000001, maximum=top,
            title=label, message=_t(lang, "größer 0" + (", höchstens 100 %" if top else ""),
                                    "above 0" + (", at most 100 %" if top else "")))).absolute
    return out


def _matrix(s: Sheet, results: list[AbcXyzResult], last: int, lang: Lang) -> None:
    """The 3×3 count matrix (ABC down, XYZ across) beside the thresholds."""
    col = 5
    s.put(R_THRESH - 1, col, _t(lang, "Anzahl Kunden", "Number of accounts"), style="subtitle")
    _headers(s, R_THRESH, col, ("", *XYZ))
    abc_rng, xyz_rng = (s.ref(FIRST, c, last, c) for c in (C_ABC, C_XYZ))
    for i, a in enumerate(ABC):
        s.put(R_THRESH + 1 + i, col, a, style="header")
        for j, x in enumerate(XYZ):
            s.put(R_THRESH + 1 + i, col + 1 + j, formula=f'=COUNTIFS({abc_rng},"{a}",{xyz_rng},"{x}")',
                  cached=sum(r.abc == a and r.xyz == x for r in results), style="integer")
    s.name_range("abc_xyz_matrix", R_THRESH + 1, col + 1, R_THRESH + len(ABC), col + len(XYZ))


def _abc_cells(s: Sheet, r: int, res: AbcXyzResult, net: float | None, net_ref: str | None,
               before: tuple[int | None, float], total: tuple[str, float], cells: dict[str, str]) -> None:
    """Net sales, ``before`` (the row ``before[0]`` above in the ABC order, ``None`` for the first; its value
    ``before[1]``), cumulative share of the total and the class of row ``r``."""
    s.put(r, C_ID, res.account_id, style="bold")
    s.put(r, C_NET, formula=f"={net_ref}" if net_ref else None, cached=net, style="money")
    if res.abc is None or net is None:
        return
    n, (prev, value), (t, whole) = s.ref(r, C_NET), before, total
    formula = "=0" if prev is None else f"={s.ref(prev, C_BEFORE)}+{s.ref(prev, C_NET)}"
    s.put(r, C_BEFORE, formula=formula, cached=value, style="money")
    b = s.ref(r, C_BEFORE)
    s.put(r, C_SHARE, formula=f'=IF(N({t})=0,"",({b}+{n})/{t})', cached=(value + net) / whole if whole else None,
          style="percent")
    s.put(r, C_ABC, formula=(f'=IF(OR(NOT(ISNUMBER({n})),{n}<0),"",IF({b}<{cells["abc_a"]}*{t},"A",'
                             f'IF({b}<{cells["abc_b"]}*{t},"B","C")))'), cached=res.abc, style="bold")


def _xyz_cells(s: Sheet, r: int, res: AbcXyzResult, used: dict[int, float], cells: dict[str, str], kaop: Sheet,
               plan: tuple[int, int], actual: tuple[int, int], lang: Lang) -> None:
    """Basis, the four quarterly revenues used (``used``, from the KAOP sheet's rows ``plan``/``actual``: (row,
    column of Q1)), cv and XYZ class of row ``r``."""
    words = SCENARIO_WORDS[lang]
    act = kaop.ref(actual[0], actual[1], actual[0], actual[1] + len(QUARTERS) - 1)
    basis = s.put(r, C_BASIS, formula=f'=IF(COUNT({act})={len(QUARTERS)},"{words["actual"]}","{words["plan"]}")',
                  cached=words[res.xyz_basis] if res.xyz_basis else None).address
    for j in range(len(QUARTERS)):
        s.put(r, C_Q + j, formula=(f'=IF({basis}="{words["actual"]}",{kaop.ref(actual[0], actual[1] + j)},'
                                   f'{kaop.ref(plan[0], plan[1] + j)})'), cached=used.get(j + 1), style="money")
    q = s.ref(r, C_Q, r, C_Q + len(QUARTERS) - 1)
    cv = s.put(r, C_CV, formula=(f'=IF(COUNT({q})<{len(QUARTERS)},"",IF(AVERAGE({q})=0,"",'
                                 f'STDEVP({q})/AVERAGE({q})))'), cached=res.cv, style="number2").address
    s.put(r, C_XYZ, formula=f'=IF({cv}="","",IF({cv}<={cells["xyz_x"]},"X",IF({cv}<={cells["xyz_y"]},"Y","Z")))',
          cached=res.xyz, style="bold")


def _abc_xyz_sheet(ctx: BuildContext, thresholds: AbcXyzThresholds) -> Sheet:
    lang = ctx.lang
    s = Sheet("ABC-XYZ", widths={0: 10, 1: 28, 2: 14, 3: 14, 4: 11, 5: 7, 6: 8, **{c: 13 for c in range(7, 11)},
                                 11: 9, 12: 6, 13: 7}, freeze=(FIRST, 2))
    cdb = " ".join(["CDB", year_span([latest_table_year(ctx.db.table("cdb"))])]).strip()  # "CDB 2025"
    s.put(0, 0, sheet_title(lang, _t(lang, f"ABC/XYZ-Klassifizierung: ABC nach {cdb}, XYZ im Planjahr",
                                     f"ABC/XYZ classification: ABC by {cdb}, XYZ in the plan year"),
                            year_span(a.plan_year for a in ctx.db.accounts), "money", book_currency(ctx.db.accounts)),
          style="title")
    s.put(1, 0, _t(lang, "ABC nach Nettoumsatz des letzten CDB-Jahres, absteigend sortiert: A, solange der Umsatz der "
                         "Kunden davor unter A-Schwelle × Summe liegt, dann B, dann C. XYZ nach dem "
                         "Variationskoeffizienten (STDEVP ÷ Mittelwert) der vier Quartalsumsätze des Planjahres "
                         "(Ist, wenn alle vier Quartale Ist haben, sonst Plan).",
                   "ABC by net sales of the latest CDB year, sorted descending: A while the net sales of the "
                   "accounts above are below A threshold × total, then B, then C. XYZ by the coefficient of "
                   "variation (STDEVP ÷ mean) of the plan year's four quarterly revenues (actual when all four "
                   "quarters have actuals, else plan)."), style="note")
    cells = _thresholds(s, thresholds, lang)
    items = selection_inputs(ctx.db)
    net_sales = {x.account_id: x.net_sales for x in items}
    revenues = items_revenues(kaop_items(ctx))  # quarter_revenues of the KAOP figures computed once per build
    results = {r.account_id: r for r in classify_accounts(net_sales, revenues,
                                                         thresholds.settings(company_settings(ctx.db)))}
    if not items:
        _missing_note(s, FIRST, lang, "accounts")
        return s
    ranked = abc_order(net_sales)
    in_abc = set(ranked)  # once: built for every account inside the generator, it made the order quadratic
    order = ranked + sorted(a for a in net_sales if a not in in_abc)
    last = FIRST + len(order) - 1
    _headers(s, FIRST - 1, 0, ("ID", _t(lang, "Kunde", "Account"), _t(lang, "Nettoumsatz", "Net sales"),
                               _t(lang, "Umsatz davor", "Net sales above"), _t(lang, "kumuliert", "cumulative"),
                               "ABC", _t(lang, "Basis", "Basis"), *(f"Q{q}" for q in QUARTERS),
                               _t(lang, "Var.-koeff.", "CV"), "XYZ", "ABC/XYZ"))
    total = _total(s, ranked, net_sales, lang)
    used = {a: revenues.get(a, {}).get(results[a].xyz_basis or "plan", {}) for a in order}  # the basis shown
    del revenues  # the rows are written later, as the sheet is: hold only the quarters they show
    _rows(s, ctx, order, ranked, net_sales, (results, used), cells, total, lang)
    _matrix(s, list(results.values()), last, lang)
    for name, c0, c1 in (("abc_xyz_ids", C_ID, C_ID), ("abc_classes", C_ABC, C_ABC), ("xyz_cv", C_CV, C_CV),
                         ("xyz_classes", C_XYZ, C_XYZ), ("xyz_basis", C_BASIS, C_BASIS),
                         ("abc_net_sales", C_NET, C_NET)):
        s.name_range(name, FIRST, c0, last, c1)
    return s


def _total(s: Sheet, ranked: list[str], net_sales: dict[str, float | None], lang: Lang) -> str:
    """The total of the accounts in ABC: the last ranked row's ``before`` + its net sales (the same additions
    :func:`~kam_xl.selection.abc_classes` makes); returns its absolute cell."""
    whole = 0.0
    for a in ranked:
        whole += net_sales[a]  # type: ignore[operator]
    s.put(FIRST - 3, 1, _t(lang, "Summe Nettoumsatz (ABC)", "Total net sales (ABC)"), style="level_label")
    last = FIRST + len(ranked) - 1
    formula = f"={s.ref(last, C_BEFORE)}+{s.ref(last, C_NET)}" if ranked else "=0"
    return s.put(FIRST - 3, C_NET, formula=formula, cached=whole, style="level_money", name="abc_total").absolute


def _rows(s: Sheet, ctx: BuildContext, order: list[str], ranked: list[str], net_sales: dict[str, float | None],
          computed: tuple[dict[str, AbcXyzResult], dict[str, dict[int, float]]], cells: dict[str, str],
          total: str, lang: Lang) -> None:
    """The account rows in ``order`` (``ranked`` first), with the results and the quarterly revenues of the basis
    each uses (``computed``: by account, quarter → revenue)."""
    results, used_revenues = computed
    accounts = ctx.sheet("accounts")
    acc_rows: dict[Any, int] = {}
    if accounts is not None and "ctl_acc_ids" in accounts.ranges:
        first, col, last, _ = accounts.ranges["ctl_acc_ids"]
        acc_rows = {c.value: c.row for c in accounts.cells if c.col == col and first <= c.row <= last}
    kaop = ctx.sheet("kaop")
    blocks = _kaop_rows(kaop)
    names = {a.account_id: a.name for a in ctx.db.accounts}
    whole = 0.0
    for a in ranked:
        whole += net_sales[a]  # type: ignore[operator]

    def fill(out: Sheet) -> Iterator[None]:  # one account's row at a time
        before = 0.0
        for i, a in enumerate(order):
            r = FIRST + i
            net, res = net_sales[a], results[a]
            net_ref = (accounts.ref(acc_rows[a], accounts.ranges["ctl_acc_net_sales"][1])
                       if accounts is not None and net is not None and a in acc_rows else None)
            _abc_cells(out, r, res, net, net_ref, (r - 1 if i else None, before), (total, whole), cells)
            out.put(r, C_NAME, names.get(a))
            plan, actual = (blocks.get(sc, {}).get(a) for sc in ("plan", "actual"))
            if kaop is not None and plan is not None and actual is not None:
                _xyz_cells(out, r, res, used_revenues[a], cells, kaop, plan, actual, lang)
            out.put(r, C_PAIR, formula=f'={out.ref(r, C_ABC)}&{out.ref(r, C_XYZ)}',
                    cached=(res.abc or "") + (res.xyz or ""), style="bold")
            if res.abc is not None:
                before += net  # type: ignore[operator]
            yield

    produce(s, fill)


class AbcXyzSheet(ControllerSheet):
    """``ABC/XYZ``: ABC by net sales, XYZ by quarterly revenue variation, the count matrix, the thresholds."""

    key = "abc_xyz"
    needs = ("accounts", "kaop")
    Inputs = AbcXyzThresholds

    def defaults(self, db: DataBook, lang: Lang) -> AbcXyzThresholds:
        cs = company_settings(db)
        return AbcXyzThresholds(abc_a=cs.abc_a, abc_b=cs.abc_b, xyz_x=cs.xyz_x, xyz_y=cs.xyz_y)

    def label(self, name: str, lang: Lang) -> str:
        words = {"abc_share_a": ("Schwelle A", "threshold A"), "abc_share_b": ("Schwelle B", "threshold B"),
                 "xyz_cv_x": ("Schwelle X", "threshold X"), "xyz_cv_y": ("Schwelle Y", "threshold Y")}
        return _t(lang, *words[name]) if name in words else name

    def build(self, ctx: BuildContext) -> Sheet:
        thresholds = ctx.inputs[self.key]
        assert isinstance(thresholds, AbcXyzThresholds)
        return _abc_xyz_sheet(ctx, thresholds)

    def export(self, inputs: BaseModel | None, rows: Any, lang: Lang) -> dict[str, TableExport]:
        if not isinstance(inputs, AbcXyzThresholds):
            return {}
        values = inputs.model_dump()
        return {"settings": TableExport(rows=[{"key": k, "value": setting_text(v)} for k, v in values.items()],
                                        column="key", covers=frozenset(values))}
