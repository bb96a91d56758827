"""Resource distribution (Ressourcenverteilung) — seed 000, Abb. 5 "Systematische Ressourcenverteilung",
Frage 8 and 9.

Cells are (region, account) with one "Small Accounts" bucket per region (``account_id=None``). Per cell the
actual resources by type (Außendienst, Innendienst, Technischer Service in FTE — together "Gesamt MAK" —
and Kommunikation in money), actual volume, actual revenue and potential; per region the market size.

* shares of every resource type and of volume, revenue and potential, across all cells and per region;
* consistency per cell = resource share ÷ potential share; overall the share of resources that would have
  to move to match potential, ``½ Σ |resource shareᵢ − potential shareᵢ|``;
* target distribution: target share = weighted blend of potential share and revenue share (potential only
  by default); target FTE rounded to a step (0.5 FTE by default) by largest remainder, so that the total
  is kept exactly; delta = target − actual per cell and per region.

>>> allocate_fte(10, [0.5, 0.3, 0.2], step=1)
[5.0, 3.0, 2.0]
>>> allocate_fte(4, [1, 1, 1], step=0.5)   # 1.333… each: two cells get the remaining half
[1.5, 1.5, 1.0]
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kam_xl.errors import KamInputError
from kam_xl.maths import allocate_largest_remainder, ratio, total

ResourceType = Literal["field_sales_fte", "inside_sales_fte", "tech_service_fte", "communication"]
Measure = Literal["total_fte", "field_sales_fte", "inside_sales_fte", "tech_service_fte", "communication",
                  "actual_volume", "actual_revenue", "potential"]
FTE_TYPES: tuple[ResourceType, ...] = ("field_sales_fte", "inside_sales_fte", "tech_service_fte")
MEASURES: tuple[Measure, ...] = ("total_fte", "field_sales_fte", "inside_sales_fte", "tech_service_fte",
                                 "communication", "actual_volume", "actual_revenue", "potential")
MEASURE_LABELS: dict[Measure, tuple[str, str]] = {
    "total_fte": ("Gesamt MAK", "Total FTE"),
    "field_sales_fte": ("Außendienst", "Field sales"),
    "inside_sales_fte": ("Innendienst", "Inside sales"),
    "tech_service_fte": ("Technischer Service", "Technical service"),
    "communication": ("Kommunikation", "Communication"),
    "actual_volume": ("Ist-Volumen", "Actual volume"),
    "actual_revenue": ("Ist-Umsatz", "Actual revenue"),
    "potential": ("Potenzial", "Potential"),
}
SMALL_ACCOUNTS = ("Small Accounts", "Small Accounts")


class ResourceCell(BaseModel):
    """Actual resources and market figures of one (region, account) cell; ``account_id=None`` is the
    region's Small Accounts bucket."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    region: str = Field(min_length=1)
    account_id: str | None = None
    field_sales_fte: float = Field(default=0, ge=0)
    inside_sales_fte: float = Field(default=0, ge=0)
    tech_service_fte: float = Field(default=0, ge=0)
    communication: float = Field(default=0, ge=0)
    actual_volume: float = Field(default=0, ge=0)
    actual_revenue: float = Field(default=0, ge=0)
    potential: float = Field(default=0, ge=0)

    @property
    def total_fte(self) -> float:
        """Außendienst + Innendienst + Technischer Service ("Gesamt MAK")."""
        return total(getattr(self, t) for t in FTE_TYPES)

    def measure(self, name: Measure) -> float:
        """The value of one measure of this cell."""
        return self.total_fte if name == "total_fte" else float(getattr(self, name))


class TargetWeights(BaseModel):
    """Blend of the target share: ``potential × potential share + revenue × revenue share`` (rescaled to 1)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    potential: float = Field(default=1.0, ge=0)
    revenue: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _positive(self) -> TargetWeights:
        if self.potential + self.revenue <= 0:
            raise KamInputError("target weights are both 0 — allowed: potential and revenue weights ≥ 0, "
                                "at least one > 0")
        return self


class CellResult(BaseModel):
    """Shares, consistency and target of one cell. Shares are fractions of the total over all cells;
    ``region_shares`` are fractions of the cell's region."""

    model_config = ConfigDict(frozen=True)

    region: str
    account_id: str | None
    actual_fte: float
    shares: dict[Measure, float | None]
    region_shares: dict[Measure, float | None]
    resource_share: float | None = Field(description="share of total FTE")
    potential_share: float | None
    consistency: float | None = Field(description="resource share ÷ potential share")
    target_share: float
    target_fte: float
    delta_fte: float


class RegionResult(BaseModel):
    """Totals and shares of one region, with its market size where given."""

    model_config = ConfigDict(frozen=True)

    region: str
    totals: dict[Measure, float]
    shares: dict[Measure, float | None]
    actual_fte: float
    target_fte: float
    delta_fte: float
    market_size: float | None
    market_share: float | None = Field(description="region's share of the total market size")
    market_consistency: float | None = Field(description="region's resource share ÷ its market share")


class ResourceAnalysis(BaseModel):
    """The whole distribution: cells, regions and the share of resources that would have to move."""

    model_config = ConfigDict(frozen=True)

    cells: list[CellResult]
    regions: list[RegionResult]
    total_fte: float
    moved_share: float | None = Field(description="½ Σ |resource share − potential share| over total FTE")
    moved_share_by_type: dict[ResourceType, float | None]
    step: float
    weights: TargetWeights


def allocate_fte(total_fte: float, shares: list[float], step: float = 0.5) -> list[float]:
    """Split ``total_fte`` over cells in proportion to ``shares``, each rounded to ``step`` (0.5 FTE by
    default), keeping the total exactly — see :func:`kam_xl.maths.allocate_largest_remainder`."""
    return allocate_largest_remainder(total_fte, shares, step)


def _shares(values: list[float]) -> list[float | None]:
    s = total(values)
    return [ratio(v, s) for v in values]


def _check_cells(cells: list[ResourceCell]) -> None:
    if not cells:
        raise KamInputError("no resource cells — allowed: at least one (region, account) row")
    keys = [(c.region, c.account_id) for c in cells]
    dupes = sorted(f"{r}/{a or 'Small Accounts'}" for (r, a), k in Counter(keys).items() if k > 1)
    if dupes:
        raise KamInputError(f"resource cell listed twice: {', '.join(dupes)} — allowed: one row per cell")


def _target_shares(shares: dict[str, list[float | None]], weights: TargetWeights, n: int) -> list[float]:
    """Per cell the blend of potential share and revenue share by ``weights`` (a weight 0 leaves its share out)."""
    w_sum = weights.potential + weights.revenue
    target_share: list[float] = []
    for i in range(n):
        parts = []
        for w, m in ((weights.potential, "potential"), (weights.revenue, "actual_revenue")):
            if w == 0:
                continue
            s = shares[m][i]
            if s is None:
                raise KamInputError(f"{MEASURE_LABELS[m][1].lower()} is 0 in every cell — the target share "
                                    f"cannot be derived from it; allowed: a {m} > 0 somewhere or weight 0")
            parts.append(w * s)
        target_share.append(total(parts) / w_sum)
    return target_share


def _cell_results(cells: list[ResourceCell], columns: dict[str, list[float]], shares: dict[str, list[float | None]],
                  region_totals: dict[str, dict[str, float]], target_share: list[float], targets: list[float]
                  ) -> list[CellResult]:
    results = []
    for i, c in enumerate(cells):
        rt = region_totals[c.region]
        results.append(CellResult(
            region=c.region,
            account_id=c.account_id,
            actual_fte=columns["total_fte"][i],
            shares={m: shares[m][i] for m in MEASURES},
            region_shares={m: ratio(columns[m][i], rt[m]) for m in MEASURES},
            resource_share=shares["total_fte"][i],
            potential_share=shares["potential"][i],
            consistency=ratio(shares["total_fte"][i], shares["potential"][i]),
            target_share=target_share[i],
            target_fte=targets[i],
            delta_fte=targets[i] - columns["total_fte"][i],
        ))
    return results


def _region_results(region_totals: dict[str, dict[str, float]], columns: dict[str, list[float]],
                    cell_results: list[CellResult], market_sizes: dict[str, float]) -> list[RegionResult]:
    market_total = total(market_sizes.get(r, 0) for r in region_totals)
    results = []
    for r, rt in region_totals.items():
        target = total(cr.target_fte for cr in cell_results if cr.region == r)
        region_share = {m: ratio(rt[m], total(columns[m])) for m in MEASURES}
        market = market_sizes.get(r)
        market_share = ratio(market, market_total) if market is not None else None
        results.append(RegionResult(
            region=r,
            totals=rt,
            shares=region_share,
            actual_fte=rt["total_fte"],
            target_fte=target,
            delta_fte=target - rt["total_fte"],
            market_size=market,
            market_share=market_share,
            market_consistency=ratio(region_share["total_fte"], market_share),
        ))
    return results


def analyse_resources(
    cells: list[ResourceCell],
    market_sizes: dict[str, float] | None = None,
    weights: TargetWeights | None = None,
    step: float = 0.5,
    total_fte: float | None = None,
) -> ResourceAnalysis:
    """Analyse the actual distribution and compute the target distribution of FTE.

    ``market_sizes`` maps region → market size (optional). ``total_fte`` is the FTE to distribute; by
    default the actual total, so resources are only moved, not added.
    """
    _check_cells(cells)
    weights = weights or TargetWeights()
    columns = {m: [c.measure(m) for c in cells] for m in MEASURES}
    shares = {m: _shares(v) for m, v in columns.items()}
    target_share = _target_shares(shares, weights, len(cells))
    actual_total = total(columns["total_fte"])
    targets = allocate_fte(actual_total if total_fte is None else total_fte, target_share, step)
    regions_in_order = list(dict.fromkeys(c.region for c in cells))
    region_totals = {r: {m: total(columns[m][i] for i, c in enumerate(cells) if c.region == r)
                         for m in MEASURES} for r in regions_in_order}
    cell_results = _cell_results(cells, columns, shares, region_totals, target_share, targets)
    return ResourceAnalysis(
        cells=cell_results,
        regions=_region_results(region_totals, columns, cell_results, market_sizes or {}),
        total_fte=actual_total,
        moved_share=moved_share(shares["total_fte"], shares["potential"]),
        moved_share_by_type={t: moved_share(shares[t], shares["potential"])
                             for t in (*FTE_TYPES, "communication")},
        step=step,
        weights=weights,
    )


def moved_share(resource_shares: list[float | None], potential_shares: list[float | None]) -> float | None:
    """``½ Σ |resource shareᵢ − potential shareᵢ|``: the share of resources that would have to move so that
    resources follow potential. ``None`` if either distribution is undefined (all zero).

    >>> round(moved_share([0.5, 0.5], [0.8, 0.2]), 10)
    0.3
    """
    if any(s is None for s in resource_shares) or any(s is None for s in potential_shares):
        return None
    return total(abs(r - p) for r, p in zip(resource_shares, potential_shares, strict=True)) / 2  # type: ignore[operator]


def measure_totals(cells: list[ResourceCell]) -> dict[Measure, float]:
    """Sum of every measure over all cells — the totals row of the distribution.

    >>> measure_totals([ResourceCell(region="N", field_sales_fte=1, potential=10),
    ...                 ResourceCell(region="S", inside_sales_fte=0.5, potential=30)])["total_fte"]
    1.5
    """
    return {m: total(c.measure(m) for c in cells) for m in MEASURES}


def proportional_targets(analysis: ResourceAnalysis) -> list[float]:
    """Target FTE per cell before rounding: actual total FTE × target share — what a spreadsheet formula can
    compute; :attr:`CellResult.target_fte` rounds it to the step by largest remainder.

    >>> a = analyse_resources([ResourceCell(region="N", field_sales_fte=3, potential=1),
    ...                        ResourceCell(region="S", field_sales_fte=1, potential=2)])
    >>> proportional_targets(a), [c.target_fte for c in a.cells]
    ([1.3333333333333333, 2.6666666666666665], [1.5, 2.5])
    """
    return [analysis.total_fte * c.target_share for c in analysis.cells]
