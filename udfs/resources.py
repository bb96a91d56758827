"""Excel functions of the resource distribution (Ressourcenverteilung, seed 000 Abb. 5; :mod:`kam_xl.resources`).

The distribution in a sheet is a block with one row per (region, account) cell and the nine columns of the
data book's ``resources`` table: region, account (empty or "Small Accounts" = the region's Small Accounts
bucket), field sales FTE, inside sales FTE, technical service FTE, communication (money), actual volume,
actual revenue, potential. Empty figures are 0; entirely empty rows are free rows and get an empty result row.
"""

from __future__ import annotations

from typing import Annotated, Any

import xlwings as xw

from kam_xl.resources import (
    FTE_TYPES,
    MEASURE_LABELS,
    ResourceAnalysis,
    ResourceCell,
    TargetWeights,
    analyse_resources,
)
from udfs._cells import (
    CellError,
    Grid,
    build,
    cell_arg,
    choice,
    excel_errors,
    number,
    optional_number,
    range_arg,
    table_rows,
    text,
)

FIGURES = ("field_sales_fte", "inside_sales_fte", "tech_service_fte", "communication", "actual_volume",
           "actual_revenue", "potential")
COLUMNS = ("region", "account", *FIGURES)
SMALL_ACCOUNTS = "small accounts"
TOTAL = "total_fte"
#: The resource types kam_moved_share takes: their ids and the labels of the sheets, German and English.
RESOURCE_WORDS: dict[str, str] = {
    word: key
    for key in (TOTAL, *FTE_TYPES, "communication")
    for word in (key, *MEASURE_LABELS[key])
}
DEFAULT_STEP = 0.5


Cells = Annotated[Any, range_arg(
    "block of 9 columns, one row per (region, account): region, account (empty = Small Accounts), field "
    "sales, inside sales, tech. service FTE, communication, volume, revenue, potential")]
TotalFte = Annotated[Any, cell_arg("FTE to distribute (empty: the actual total, so resources are only moved)")]
Step = Annotated[Any, cell_arg("rounding step of the target FTE (empty: 0.5); the total is kept exactly")]
WeightPotential = Annotated[Any, cell_arg(
    "weight of the potential share in the target share (both weights empty: potential only)")]
WeightRevenue = Annotated[Any, cell_arg("weight of the revenue share in the target share (empty = 0)")]
Resource = Annotated[Any, cell_arg(
    "resource type: empty or Gesamt MAK (total FTE), Außendienst, Innendienst, Technischer Service, "
    "Kommunikation (or the English names)")]


def _cells(cells: Any) -> tuple[list[ResourceCell], list[int | None]]:
    """The resource cells and, per row of the block, the index of its cell (``None`` for a free row)."""
    found: list[ResourceCell] = []
    index: list[int | None] = []
    for i, row in enumerate(table_rows(cells, "cells", COLUMNS)):
        if row is None:
            index.append(None)
            continue
        at = f"cells: row {i + 1}"
        account = text(row[1], f"{at}, account", empty=True)
        figures = {f: number(v, f"{at}, {f}") or 0.0 for f, v in zip(FIGURES, row[2:], strict=True)}
        found.append(build(ResourceCell, at, None, region=text(row[0], f"{at}, region"),
                           account_id=None if account.casefold() in ("", SMALL_ACCOUNTS) else account, **figures))
        index.append(len(found) - 1)
    if not found:
        raise CellError("cells: no rows — allowed: at least one (region, account) row")
    return found, index


def _weights(weight_potential: Any, weight_revenue: Any) -> TargetWeights:
    potential = number(weight_potential, "weight_potential")
    revenue = number(weight_revenue, "weight_revenue")
    if potential is None and revenue is None:
        return TargetWeights()
    return build(TargetWeights, "weights", None, potential=potential or 0.0, revenue=revenue or 0.0)


def _analysis(cells: Any, total_fte: Any = None, step: Any = None, weight_potential: Any = None,
              weight_revenue: Any = None) -> tuple[ResourceAnalysis, list[int | None]]:
    found, index = _cells(cells)
    to_distribute = optional_number(total_fte, "total_fte", None)
    if to_distribute is not None and to_distribute < 0:
        raise CellError(f"total_fte: holds {to_distribute:g} — allowed: a number ≥ 0, or empty for the actual total")
    analysis = analyse_resources(
        found,
        weights=_weights(weight_potential, weight_revenue),
        step=optional_number(step, "step", DEFAULT_STEP),  # type: ignore[arg-type]
        total_fte=to_distribute,
    )
    return analysis, index


@xw.func(category="KAM")
@excel_errors
def kam_resource_targets(cells: Cells, total_fte: TotalFte = None, step: Step = None,
                         weight_potential: WeightPotential = None, weight_revenue: WeightRevenue = None) -> Grid:
    """Target distribution of FTE (Abb. 5): per row of the cells, target share (blend of potential and revenue
    share), target FTE rounded to the step by largest remainder, and delta = target - actual FTE."""
    analysis, index = _analysis(cells, total_fte, step, weight_potential, weight_revenue)
    rows: Grid = []
    for i in index:
        if i is None:
            rows.append([None, None, None])
        else:
            c = analysis.cells[i]
            rows.append([c.target_share, c.target_fte, c.delta_fte])
    return rows


@xw.func(category="KAM")
@excel_errors
def kam_moved_share(cells: Cells, resource: Resource = None) -> Any:
    """Share of the resources that would have to move so that resources follow potential: half the sum of
    |resource share - potential share| over all cells. Empty when resources or potential are all 0."""
    kind = choice(resource, "resource", RESOURCE_WORDS, TOTAL)
    analysis, _ = _analysis(cells)
    if kind == TOTAL:
        return analysis.moved_share
    return analysis.moved_share_by_type[kind]  # type: ignore[index]

