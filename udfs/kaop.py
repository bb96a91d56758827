"""Excel functions of the key account operating plan (KAOP, seed 000 Tabelle 8, seed 003; :mod:`kam_xl.kaop`).

A figure's quarters are a row (or column) of four cells Q1–Q4, as in the plan and actual blocks of Tabelle 8.
Actuals are given for the closed quarters and empty for the open ones. Results are laid out like the plan: a
row of quarters gives rows, a column of quarters gives columns. Traffic lights are the words green, amber and
red; thresholds are on attainment (actual ÷ plan), by default green from 100 %, amber from 95 %.
"""

from __future__ import annotations

from typing import Annotated, Any

import xlwings as xw

from kam_xl.kaop import QUARTERS, Thresholds, VarianceLine, split_by_seasonality, variance_line
from udfs._cells import (
    CellError,
    Grid,
    all_empty,
    block_like,
    build,
    cell_arg,
    count,
    excel_errors,
    flag,
    laid_out_like,
    number,
    numbers,
    range_arg,
    required,
)

Annual = Annotated[Any, cell_arg("the annual amount to split (a target, a budget, a volume)")]
Seasonality = Annotated[Any, range_arg(
    "4 seasonality weights Q1–Q4 on any scale, e.g. 20, 30, 30, 20 or 0.2, 0.3, 0.3, 0.2")]
Step = Annotated[Any, cell_arg(
    "optional rounding step, e.g. 1 for whole units: each quarter a multiple of it, the sum kept exactly")]
Plan = Annotated[Any, range_arg("the plan of one figure, 4 cells Q1–Q4")]
Actual = Annotated[Any, range_arg(
    "the actuals of the figure, 4 cells Q1–Q4: filled for closed quarters, empty for open ones")]
HigherIsBetter = Annotated[Any, cell_arg("TRUE (default) when more is better (revenue, profit); FALSE for costs")]
Green = Annotated[Any, cell_arg(
    "attainment from which the light is green (default 1 = 100 %); for costs mirrored: 2 - green")]
Amber = Annotated[Any, cell_arg(
    "attainment from which the light is amber (default 0.95 = 95 %); for costs mirrored: 2 - amber")]
Reforecast = Annotated[Any, range_arg(
    "optional re-forecast of the open quarters, 4 cells Q1–Q4 (empty cells: the plan)")]


def _quarters(value: Any, what: str) -> dict[int, float | None]:
    values = numbers(value, what)
    if len(values) != len(QUARTERS):
        raise CellError(f"{what}: {count(len(values), 'cell')} — allowed: 4 (Q1–Q4)")
    return dict(zip(QUARTERS, values, strict=True))


def _thresholds(green: Any, amber: Any) -> Thresholds:
    given = {k: v for k, v in (("green", number(green, "green")), ("amber", number(amber, "amber"))) if v is not None}
    return build(Thresholds, "thresholds", None, **given)


def _line(plan: Any, actual: Any, reforecast: Any, higher_is_better: Any, green: Any, amber: Any) -> VarianceLine:
    return variance_line(
        "figure",
        _quarters(plan, "plan"),
        _quarters(actual, "actual"),
        reforecast=None if all_empty(reforecast) else _quarters(reforecast, "reforecast"),
        thresholds=_thresholds(green, amber),
        higher_is_better=flag(higher_is_better, "higher_is_better", True),
    )


@xw.func(category="KAM")
@excel_errors
def kam_kaop_split(annual: Annual, weights: Seasonality, step: Step = None) -> Grid:
    """An annual amount split into the four quarters Q1–Q4 in proportion to seasonality weights, laid out like
    the weights. With a step, each quarter is a multiple of it and the quarters add up to the annual amount."""
    w = [required(v, "weights", i) for i, v in enumerate(_quarters(weights, "weights").values())]
    return laid_out_like(split_by_seasonality(required(annual, "annual"), w, number(step, "step")), weights)


@xw.func(category="KAM")
@excel_errors
def kam_kaop_variance(plan: Plan, actual: Actual, higher_is_better: HigherIsBetter = None, green: Green = None,
                      amber: Amber = None) -> Grid:
    """Plan vs actual of a figure: three rows (variance = actual - plan, attainment = actual ÷ plan, traffic
    light) by five columns (Q1–Q4 and year-to-date over the closed quarters); transposed for a column plan."""
    line = _line(plan, actual, None, higher_is_better, green, amber)
    cells = [*(line.quarters[q] for q in QUARTERS), line.ytd]
    rows = [[c.variance for c in cells], [c.attainment for c in cells], [c.light for c in cells]]
    return block_like(rows, plan)


@xw.func(category="KAM")
@excel_errors
def kam_kaop_forecast(plan: Plan, actual: Actual, reforecast: Reforecast = None,
                      higher_is_better: HigherIsBetter = None, green: Green = None, amber: Amber = None) -> Grid:
    """Rolling forecast of a figure: actuals of the closed quarters plus re-forecast (else plan) of the open ones.
    Five values: forecast, year plan, variance, attainment (forecast ÷ year plan) and traffic light."""
    line = _line(plan, actual, reforecast, higher_is_better, green, amber)
    vs = line.forecast_vs_plan
    return laid_out_like([line.forecast, vs.plan, vs.variance, vs.attainment, vs.light], plan)
