"""The controller's Resources sheet: the resource distribution (seed 000, Abb. 5)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from kam_xl.databook import DataBook
from kam_xl.errors import KamInputError
from kam_xl.maths import total
from kam_xl.resources import (
    FTE_TYPES,
    MEASURE_LABELS,
    MEASURES,
    SMALL_ACCOUNTS,
    CellResult,
    Measure,
    ResourceAnalysis,
    ResourceCell,
    TargetWeights,
    analyse_resources,
    measure_totals,
    proportional_targets,
)
from kam_xl.settings_block import WEIGHT_BOUNDS, ControllerSettings
from kam_xl.vocabulary import (
    FTE_NOTE,
    Lang,
    sheet_title,
)
from kam_xl.workbook.controller.common import (
    LIGHT_FORMATS,
    _headers,
    _missing_note,
    book_currency,
    produce,
)
from kam_xl.workbook.controller.kind import BuildContext, ControllerSheet
from kam_xl.workbook.layout import Cell, Chart, Conditional, Input, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.years import year_span

# ------------------------------------------------------------------------------------------ resources

# Resources sheet columns: region, account, cell label, the measures, shares, consistency and targets
R_REGION, R_ACCOUNT, R_LABEL = 0, 1, 2
R_VALUE = {m: 3 + j for j, m in enumerate(("field_sales_fte", "inside_sales_fte", "tech_service_fte", "total_fte",
                                           "communication", "actual_volume", "actual_revenue", "potential"))}
R_SHARE = {m: 11 + j for j, m in enumerate(("total_fte", "field_sales_fte", "inside_sales_fte", "tech_service_fte",
                                            "communication", "actual_volume", "actual_revenue", "potential"))}
R_REGION_SHARE, R_CONSISTENCY, R_TARGET_SHARE, R_PROPORTIONAL, R_TARGET, R_DELTA = range(19, 25)


def _weight_inputs(s: Sheet, weights: TargetWeights, step: float, lang: Lang) -> tuple[Cell, Cell]:
    """The two target-weight inputs and the rounding step; returns the weight cells."""
    s.put(3, 0, _t(lang, "Gewicht Potenzialanteil", "Weight of potential share"), style="label")
    wp = s.put(3, 3, weights.potential, style="number2", name="res_weight_potential",
               input=Input(kind="number", minimum=WEIGHT_BOUNDS[0], maximum=WEIGHT_BOUNDS[1],
                           title=_t(lang, "Gewicht Potenzial", "Weight"),
                           message=_t(lang, "Gewicht ≥ 0 des Potenzialanteils im Zielanteil (Standard 1)",
                                      "Weight ≥ 0 of the potential share in the target share (default 1)")))
    s.put(4, 0, _t(lang, "Gewicht Umsatzanteil", "Weight of revenue share"), style="label")
    wr = s.put(4, 3, weights.revenue, style="number2", name="res_weight_revenue",
               input=Input(kind="number", minimum=WEIGHT_BOUNDS[0], maximum=WEIGHT_BOUNDS[1],
                           title=_t(lang, "Gewicht Umsatz", "Weight"),
                           message=_t(lang, "Gewicht ≥ 0 des Umsatzanteils im Zielanteil (Standard 0)",
                                      "Weight ≥ 0 of the revenue share in the target share (default 0)")))
    s.put(5, 0, _t(lang, "Rundungsschritt Ziel-MAK", "Rounding step of target FTE"), style="label")
    s.put(5, 3, step, style="number2", name="ctl_res_step")
    return wp, wr


class _CellFigures(NamedTuple):
    """What a resource cell's row shows of the cell and its result (:class:`ResourceCell`, :class:`CellResult`),
    as plain values: kept for every cell until its row is written instead of the two models (issue 14)."""

    region: str
    account_id: str | None
    measures: tuple[float, ...]  # per measure of R_VALUE
    shares: tuple[float | None, ...]  # per measure of R_SHARE
    region_fte_share: float | None
    consistency: float | None
    target_share: float
    proportional: float | None
    target_fte: float
    delta_fte: float


def _cell_figures(cell: ResourceCell, res: CellResult, proportional: float | None) -> _CellFigures:
    return _CellFigures(cell.region, cell.account_id, tuple(cell.measure(m) for m in R_VALUE),
                        tuple(res.shares[m] for m in R_SHARE), res.region_shares["total_fte"], res.consistency,
                        res.target_share, proportional, res.target_fte, res.delta_fte)


def _cell_row(s: Sheet, r: int, x: _CellFigures, col: dict[int, str], tot: dict[str, str],
              weights: tuple[str, str], lang_i: int) -> None:
    """One resource cell's row: its measures, shares, consistency, target share and target FTE."""
    wp, wr = weights
    account = x.account_id or SMALL_ACCOUNTS[lang_i]
    s.put(r, R_REGION, x.region)
    s.put(r, R_ACCOUNT, account, style="bold" if x.account_id else "text")
    s.put(r, R_LABEL, f"{x.region} / {account}")
    for (m, c), value in zip(R_VALUE.items(), x.measures, strict=True):
        if m == "total_fte":
            refs = "+".join(s.ref(r, R_VALUE[t]) for t in FTE_TYPES)
            s.put(r, c, formula=f"={refs}", cached=value, style="number")
        else:
            s.put(r, c, value, style="money" if m in ("communication", "actual_revenue") else "number")
    for (m, c), share in zip(R_SHARE.items(), x.shares, strict=True):
        s.put(r, c, formula=f'=IF(N({tot[m]})=0,"",{s.ref(r, R_VALUE[m])}/{tot[m]})', cached=share,
              style="percent")
    fte = s.ref(r, R_VALUE["total_fte"])
    region_fte = f"SUMIF({col[R_REGION]},{s.ref(r, R_REGION)},{col[R_VALUE['total_fte']]})"
    s.put(r, R_REGION_SHARE, formula=f'=IF({region_fte}=0,"",{fte}/{region_fte})',
          cached=x.region_fte_share, style="percent")
    rs, ps, vs = (s.ref(r, R_SHARE[m]) for m in ("total_fte", "potential", "actual_revenue"))
    s.put(r, R_CONSISTENCY, formula=f'=IF(N({ps})=0,"",IF({rs}="","",{rs}/{ps}))', cached=x.consistency,
          style="number2")
    s.put(r, R_TARGET_SHARE, formula=(f'=IF({wp}+{wr}=0,"",({wp}*N({ps})'
                                      f'+{wr}*N({vs}))/({wp}+{wr}))'),
          cached=x.target_share, style="percent")
    s.put(r, R_PROPORTIONAL, formula=f'=IF({s.ref(r, R_TARGET_SHARE)}="","",'
                                     f'{tot["total_fte"]}*{s.ref(r, R_TARGET_SHARE)})',
          cached=x.proportional, style="number2")
    s.put(r, R_TARGET, x.target_fte, style="number")
    s.put(r, R_DELTA, formula=f"={s.ref(r, R_TARGET)}-{fte}", cached=x.delta_fte, style="number")


def _moved_share(s: Sheet, a: ResourceAnalysis, col: dict[int, str], tot: dict[str, str], lang: Lang) -> None:
    """The share to move ½ Σ |resource share − potential share|, overall and per resource type."""
    lang_i = 0 if lang == "de" else 1
    s.put(7, 0, _t(lang, "Zu verschiebender Anteil ½ Σ |Ressourcenanteil − Potenzialanteil|",
                   "Share to move ½ Σ |resource share − potential share|"), style="subtitle")
    s.put(9, 0, _t(lang, "Anteil", "Share"), style="label")
    p_col = col[R_SHARE["potential"]]
    moved: list[tuple[Measure, float | None]] = [("total_fte", a.moved_share), *a.moved_share_by_type.items()]
    for j, (m, value) in enumerate(moved):
        s.put(8, 3 + j, MEASURE_LABELS[m][lang_i], style="header")
        s.put(9, 3 + j, formula=(f'=IF(OR(N({tot[m]})=0,N({tot["potential"]})=0),"",'
                                 f'SUMPRODUCT(ABS({col[R_SHARE[m]]}-{p_col}))/2)'),
              cached=value, style="percent", name="ctl_res_moved_share" if j == 0 else f"ctl_res_moved_share_{m}")


def _regions(s: Sheet, g: int, a: ResourceAnalysis, col: dict[int, str], tot: dict[str, str], lang: Lang) -> int:
    """The region table from header row ``g``; returns its last row."""
    lang_i = 0 if lang == "de" else 1
    s.put(g - 1, 0, _t(lang, "Regionen", "Regions"), style="subtitle")
    _headers(s, g, 0, ("Region", "", "", MEASURE_LABELS["total_fte"][lang_i], MEASURE_LABELS["potential"][lang_i],
                       MEASURE_LABELS["actual_revenue"][lang_i], _t(lang, "MAK-Anteil", "FTE share"),
                       _t(lang, "Potenzialanteil", "Potential share"), _t(lang, "Umsatzanteil", "Revenue share"),
                       _t(lang, "Ziel-MAK", "Target FTE"), "Delta MAK", _t(lang, "Marktgröße", "Market size"),
                       _t(lang, "Marktanteil", "Market share"),
                       _t(lang, "Konsistenz (MAK ÷ Markt)", "Consistency (FTE ÷ market)")))
    g_first = g + 1
    g_last = g_first + len(a.regions) - 1
    market_col = s.ref(g_first, 11, g_last, 11)
    for i, reg in enumerate(a.regions):
        r = g_first + i
        s.put(r, 0, reg.region, style="bold")
        name = s.ref(r, 0)
        for c, m in ((3, "total_fte"), (4, "potential"), (5, "actual_revenue")):
            s.put(r, c, formula=f"=SUMIF({col[R_REGION]},{name},{col[R_VALUE[m]]})", cached=reg.totals[m],
                  style="money" if m == "actual_revenue" else "number")
            s.put(r, c + 3, formula=f'=IF(N({tot[m]})=0,"",{s.ref(r, c)}/{tot[m]})', cached=reg.shares[m],
                  style="percent")
        s.put(r, 9, formula=f"=SUMIF({col[R_REGION]},{name},{col[R_TARGET]})", cached=reg.target_fte, style="number")
        s.put(r, 10, formula=f"={s.ref(r, 9)}-{s.ref(r, 3)}", cached=reg.delta_fte, style="number")
        s.put(r, 11, reg.market_size, style="number")
        mk = s.ref(r, 11)
        s.put(r, 12, formula=f'=IF({mk}="","",IF(SUM({market_col})=0,"",{mk}/SUM({market_col})))',
              cached=reg.market_share, style="percent")
        s.put(r, 13, formula=f'=IF(N({s.ref(r, 12)})=0,"",IF({s.ref(r, 6)}="","",{s.ref(r, 6)}/{s.ref(r, 12)}))',
              cached=reg.market_consistency, style="number2")
    s.name_range("ctl_res_regions", g_first, 0, g_last, 13)
    return g_last


def _resources_sheet(db: DataBook, lang: Lang, settings: ControllerSettings) -> Sheet:
    s = Sheet(_t(lang, "Ressourcen", "Resources"), widths={0: 10, 1: 16, 2: 22, **{c: 12 for c in range(3, 25)}},
              freeze=(12, 3))
    s.put(0, 0, sheet_title(lang, _t(lang, "Ressourcenverteilung (Abb. 5)", "Resource distribution (Fig. 5)"),
                            year_span(a.plan_year for a in db.accounts), "fte", book_currency(db.accounts)),
          style="title")
    cells = db.resource_cells()
    if not cells:
        _missing_note(s, 1, lang, "resources")
        return s
    try:
        weights = TargetWeights(potential=settings.weight_potential, revenue=settings.weight_revenue)
        a = analyse_resources(cells, db.market_sizes(), weights)
    except KamInputError as e:
        s.put(1, 0, _t(lang, f"Die Verteilung lässt sich nicht berechnen: {e}",
                       f"The distribution cannot be computed: {e}"), style="note")
        return s
    lang_i = 0 if lang == "de" else 1
    s.put(1, 0, _t(lang, "Ziel-MAK (auf 0,5 MAK gerundet nach größtem Rest, Summe bleibt gleich) wird beim "
                         "Erzeugen der Arbeitsmappe gerechnet – eine Formel kann das nicht verlässlich. Die "
                         "proportionale Ziel-MAK daneben (Gesamt-MAK × Zielanteil) ist eine Formel und folgt den "
                         "Gewichten sofort.",
                   "Target FTE (rounded to 0.5 FTE by largest remainder, keeping the total) is computed "
                   "when the workbook is generated – a formula cannot do that reliably. The proportional target "
                   "next to it (total FTE × target share) is a formula and follows the weights at once."),
          style="note")
    s.put(2, 0, _t(lang, *FTE_NOTE), style="note")
    wp, wr = _weight_inputs(s, weights, a.step, lang)

    n = len(cells)
    first, last = 12, 12 + n - 1
    tot_row = last + 1
    heads = ["Region", _t(lang, "Kunde", "Account"), _t(lang, "Zelle", "Cell")]
    heads += [MEASURE_LABELS[m][lang_i] for m in R_VALUE]
    heads += [_t(lang, f"Anteil {MEASURE_LABELS[m][0]}", f"Share {MEASURE_LABELS[m][1].lower()}") for m in R_SHARE]
    heads += [_t(lang, "MAK-Anteil in Region", "FTE share in region"),
              _t(lang, "Konsistenz (MAK ÷ Potenzial)", "Consistency (FTE ÷ potential)"),
              _t(lang, "Zielanteil", "Target share"), _t(lang, "Ziel-MAK proportional", "Target FTE proportional"),
              _t(lang, "Ziel-MAK (gerundet)", "Target FTE (rounded)"), "Delta MAK"]
    _headers(s, first - 1, 0, heads)
    col = {c: s.ref(first, c, last, c) for c in range(25)}
    totals = measure_totals(cells)
    proportional = proportional_targets(a)
    tot = {m: s.ref(tot_row, R_VALUE[m]) for m in MEASURES}

    figures = [_cell_figures(*x) for x in zip(cells, a.cells, proportional, strict=True)]
    weight_cells = (wp.absolute, wr.absolute)

    def fill(out: Sheet) -> Iterator[None]:
        for i, x in enumerate(figures):
            _cell_row(out, first + i, x, col, tot, weight_cells, lang_i)
            yield

    produce(s, fill)
    s.put(tot_row, R_ACCOUNT, _t(lang, "Summe", "Total"), style="level_label")
    for m, c in R_VALUE.items():
        s.put(tot_row, c, formula=f"=SUM({col[c]})", cached=totals[m],
              style="level_money" if m in ("communication", "actual_revenue") else "number")
    for c, values in ((R_PROPORTIONAL, proportional), (R_TARGET, [x.target_fte for x in a.cells]),
                      (R_DELTA, [x.delta_fte for x in a.cells])):
        s.put(tot_row, c, formula=f"=SUM({col[c]})", cached=total(values), style="number")
    s.name_range("ctl_res_cells", first, 0, last, R_DELTA)
    for c, name in ((R_SHARE["total_fte"], "ctl_res_resource_share"), (R_SHARE["potential"], "ctl_res_potential_share"),
                    (R_CONSISTENCY, "ctl_res_consistency"), (R_TARGET_SHARE, "ctl_res_target_share"),
                    (R_PROPORTIONAL, "ctl_res_target_proportional"), (R_TARGET, "ctl_res_target_fte"),
                    (R_DELTA, "ctl_res_delta_fte")):
        s.name_range(name, first, c, last, c)

    _moved_share(s, a, col, tot, lang)
    g_last = _regions(s, tot_row + 3, a, col, tot, lang)
    s.conditionals.append(Conditional(first, R_DELTA, last, R_DELTA, {
        "type": "cell", "criteria": "<", "value": 0, "format": LIGHT_FORMATS["loss"]}))
    s.conditionals.append(Conditional(first, R_DELTA, last, R_DELTA, {
        "type": "cell", "criteria": ">", "value": 0, "format": LIGHT_FORMATS["high"]}))
    cats = "=" + col[R_LABEL]
    s.charts.append(Chart(
        kind="bar", title=_t(lang, "Ressourcenanteil vs. Potenzialanteil vs. Zielanteil",
                             "Resource share vs. potential share vs. target share"),
        series=tuple({"name": f"={s.ref(first - 1, c)}", "categories": cats, "values": "=" + col[c],
                      "fill": {"color": colour}}
                     for c, colour in ((R_SHARE["total_fte"], "#1F3864"), (R_SHARE["potential"], "#8EA9DB"),
                                       (R_TARGET_SHARE, "#00B050"))),
        anchor=(g_last + 3, 0), size=(760, max(360, 26 * n + 80)),
        options={"x_axis": {"num_format": "0%", "min": 0}, "y_axis": {"reverse": True},
                 "legend": {"position": "bottom"}}))
    return s


class ResourcesSheet(ControllerSheet):
    """``Ressourcen`` / ``Resources``: the resource distribution with the settings' target weights."""

    key = "resources"

    def build(self, ctx: BuildContext) -> Sheet:
        return _resources_sheet(ctx.db, ctx.lang, ctx.settings)
