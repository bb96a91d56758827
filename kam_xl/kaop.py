"""KAOP — the key account operating plan with quarterly targets (seed 003 "KEP = KAOP + KASP"; seed 000,
Tabelle 8 "Wirtschaftliches und markterfolgsbezogenes Zielgerüst im KAM").

Per account and plan year, quarters Q1–Q4 and the year:

* drivers per product: volume (Absatz) and average price (Durchschnittspreis); revenue = Σ volume × price;
  share of wallet per product;
* relationship costs (Kundenbeziehungskosten) by category, each an amount or a rate of revenue;
* profitability: absolute = revenue − total costs; relative = absolute ÷ revenue;
* year: flows are sums; price = revenue ÷ volume (volume-weighted); relative = year absolute ÷ year revenue;
  share of wallet = mean of the quarters.

Plan vs actual (:func:`compare`): variance, attainment, year-to-date over the closed quarters (those with
actuals), rolling forecast (actuals of closed quarters + plan or re-forecast of open ones) and traffic
lights with configurable thresholds. :func:`split_by_seasonality` splits an annual target into quarters.

Tabelle 8 rebuilt from its drivers (Q1)::

    >>> plan = kaop_plan(
    ...     [ProductQuarter(product="Dyestuffs", quarter=1, volume=20, price=9_800),
    ...      ProductQuarter(product="Retention/Fixation", quarter=1, volume=1_000, price=2_300)],
    ...     [CostQuarter(category="sales_staff", quarter=1, amount=30_000),
    ...      CostQuarter(category="tech_service", quarter=1, amount=153_000),
    ...      CostQuarter(category="product_cost", quarter=1, rate_of_revenue=0.60),
    ...      CostQuarter(category="freight", quarter=1, rate_of_revenue=0.20),
    ...      CostQuarter(category="other", quarter=1, rate_of_revenue=0.08)])
    >>> q1 = plan.quarters[1]
    >>> q1.revenue, q1.total_cost, round(q1.profit, 2)
    (2496000.0, 2379480.0, 116520.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kam_xl.errors import KamInputError
from kam_xl.maths import allocate_largest_remainder, mean, ratio, total

Quarter = Literal[1, 2, 3, 4]
QUARTERS: tuple[Quarter, ...] = (1, 2, 3, 4)
Scenario = Literal["plan", "actual"]
CostCategory = Literal["sales_staff", "tech_service", "freight", "product_cost", "other"]
COST_CATEGORIES: tuple[CostCategory, ...] = ("sales_staff", "tech_service", "freight", "product_cost", "other")
COST_LABELS: dict[CostCategory, tuple[str, str]] = {
    "sales_staff": ("Außen-, Innendienst", "Field and inside sales"),
    "tech_service": ("Techn. Service", "Technical service"),
    "freight": ("Fracht", "Freight"),
    "product_cost": ("Produktkosten", "Product cost"),
    "other": ("Sonstige Kosten", "Other costs"),
}
# The six levers of seed 003 ("6-P").
Lever = Literal["Produkt", "Preis", "Promotion", "Platzierung", "Person", "Performance"]
LEVERS: tuple[Lever, ...] = ("Produkt", "Preis", "Promotion", "Platzierung", "Person", "Performance")
MeasureStatus = Literal["offen", "in Arbeit", "erledigt", "verschoben"]
MEASURE_STATUSES: tuple[MeasureStatus, ...] = ("offen", "in Arbeit", "erledigt", "verschoben")
Light = Literal["green", "amber", "red"]


class ProductQuarter(BaseModel):
    """Drivers of one product in one quarter."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    product: str = Field(min_length=1)
    quarter: Quarter
    volume: float = Field(ge=0, description="Absatz (volume units)")
    price: float = Field(ge=0, description="Durchschnittspreis per volume unit")
    share_of_wallet: float | None = Field(default=None, ge=0, le=1)

    @property
    def revenue(self) -> float:
        """volume × price."""
        return self.volume * self.price


class CostQuarter(BaseModel):
    """A relationship cost of one category in one quarter: an amount or a rate of revenue (exactly one)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: CostCategory
    quarter: Quarter
    amount: float | None = Field(default=None, ge=0)
    rate_of_revenue: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _exactly_one(self) -> CostQuarter:
        if (self.amount is None) == (self.rate_of_revenue is None):
            raise KamInputError(
                f"cost {self.category!r} Q{self.quarter}: give exactly one of amount and rate_of_revenue"
            )
        return self

    def cost(self, revenue: float) -> float:
        """The cost in money for a quarter with ``revenue``."""
        return self.amount if self.amount is not None else self.rate_of_revenue * revenue  # type: ignore[operator]


class KaopPeriod(BaseModel):
    """Figures of one quarter or of the year (``quarter=None``)."""

    model_config = ConfigDict(frozen=True)

    quarter: Quarter | None
    volume: dict[str, float]
    price: dict[str, float | None]
    revenue_by_product: dict[str, float]
    share_of_wallet: dict[str, float | None]
    revenue: float
    costs: dict[CostCategory, float]
    total_cost: float
    profit: float = Field(description="Kundenbeziehungsprofitabilität absolut")
    profit_rel: float | None = Field(description="profit ÷ revenue; None when revenue is 0")

    def metric(self, name: str) -> float | None:
        """Look up a flow by a dotted name: ``revenue``, ``total_cost``, ``profit``, ``volume.<product>``,
        ``revenue.<product>``, ``cost.<category>``."""
        head, _, tail = name.partition(".")
        if not tail:
            return float(getattr(self, name))
        table = {"volume": self.volume, "revenue": self.revenue_by_product, "cost": self.costs}[head]
        return table.get(tail)  # type: ignore[return-value]


class KaopPlan(BaseModel):
    """A scenario (plan, actual or re-forecast) of one account and year: the quarters present and the year."""

    model_config = ConfigDict(frozen=True)

    products: list[str]
    quarters: dict[int, KaopPeriod]
    year: KaopPeriod = Field(description="over the quarters present (the full year once all four are)")

    @property
    def complete(self) -> bool:
        """True when all four quarters are present."""
        return set(self.quarters) == set(QUARTERS)


def _period(quarter: Quarter, products: list[str], rows: list[ProductQuarter],
            costs: list[CostQuarter]) -> KaopPeriod:
    """One quarter from its product rows and cost lines (each product and category at most once, as
    :func:`kaop_plan` checks); the drivers per product in one pass, each cost line looked up by category."""
    by_product = {r.product: r for r in rows}
    volume: dict[str, float] = {}
    price: dict[str, float | None] = {}
    revenue_by_product: dict[str, float] = {}
    share_of_wallet: dict[str, float | None] = {}
    for p in products:
        r = by_product.get(p)
        volume[p], price[p], revenue_by_product[p], share_of_wallet[p] = (
            (0.0, None, 0.0, None) if r is None else (r.volume, r.price, r.revenue, r.share_of_wallet))
    revenue = total(revenue_by_product.values())
    by_category = {c.category: c for c in costs}
    cost_by_cat = {c: total([by_category[c].cost(revenue)] if c in by_category else []) for c in COST_CATEGORIES}
    total_cost = total(cost_by_cat.values())
    profit = revenue - total_cost
    return KaopPeriod(
        quarter=quarter,
        volume=volume,
        price=price,
        revenue_by_product=revenue_by_product,
        share_of_wallet=share_of_wallet,
        revenue=revenue,
        costs=cost_by_cat,
        total_cost=total_cost,
        profit=profit,
        profit_rel=ratio(profit, revenue),
    )


def year_period(products: list[str], quarters: list[KaopPeriod]) -> KaopPeriod:
    """Aggregate quarters to a year: flows are sums, price = revenue ÷ volume, relative profit = year profit ÷
    year revenue, share of wallet = mean of the quarters that have one."""
    volume = {p: total([q.volume[p] for q in quarters]) for p in products}
    revenue_by_product = {p: total([q.revenue_by_product[p] for q in quarters]) for p in products}
    revenue = total([q.revenue for q in quarters])
    costs = {c: total([q.costs[c] for q in quarters]) for c in COST_CATEGORIES}
    total_cost = total([q.total_cost for q in quarters])
    profit = revenue - total_cost
    sow = {p: mean([s for q in quarters if (s := q.share_of_wallet[p]) is not None]) for p in products}
    return KaopPeriod(
        quarter=None,
        volume=volume,
        price={p: ratio(revenue_by_product[p], volume[p]) for p in products},
        revenue_by_product=revenue_by_product,
        share_of_wallet=sow,
        revenue=revenue,
        costs=costs,
        total_cost=total_cost,
        profit=profit,
        profit_rel=ratio(profit, revenue),
    )


def kaop_plan(products: list[ProductQuarter], costs: list[CostQuarter]) -> KaopPlan:
    """Compute a KAOP scenario from its product drivers and cost lines.

    A quarter is present when it has a product or cost row. A product or cost category given twice for the
    same quarter is an error.
    """
    rows_of: dict[int, list[ProductQuarter]] = {}
    seen: set[tuple[str, int]] = set()
    for r in products:
        if (r.product, r.quarter) in seen:
            raise KamInputError(f"product {r.product!r} given twice for Q{r.quarter} — allowed: one row each")
        seen.add((r.product, r.quarter))
        rows_of.setdefault(r.quarter, []).append(r)
    costs_of: dict[int, list[CostQuarter]] = {}
    seen_cost: set[tuple[str, int]] = set()
    for c in costs:
        if (c.category, c.quarter) in seen_cost:
            raise KamInputError(f"cost {c.category!r} given twice for Q{c.quarter} — allowed: one row each")
        seen_cost.add((c.category, c.quarter))
        costs_of.setdefault(c.quarter, []).append(c)
    names = list(dict.fromkeys(r.product for r in products))
    quarters = {q: _period(q, names, rows_of.get(q, []), costs_of.get(q, []))  # type: ignore[arg-type]
                for q in sorted(rows_of.keys() | costs_of.keys())}
    return KaopPlan(products=names, quarters=quarters, year=year_period(names, list(quarters.values())))


def split_by_seasonality(annual: float, weights: list[float], step: float | None = None) -> list[float]:
    """Split an annual target into four quarters by seasonality ``weights`` (any positive scale).

    With ``step`` (e.g. 1 for whole euros or tonnes) each quarter is a multiple of it and the quarters add
    up to ``annual`` exactly (largest remainder).

    >>> split_by_seasonality(1_000, [20, 30, 30, 20])
    [200.0, 300.0, 300.0, 200.0]
    >>> split_by_seasonality(100, [1, 1, 1], step=1)
    Traceback (most recent call last):
    ...
    kam_xl.errors.KamInputError: seasonality needs 4 weights (Q1–Q4), got 3
    """
    if len(weights) != 4:
        raise KamInputError(f"seasonality needs 4 weights (Q1–Q4), got {len(weights)}")
    if any(w < 0 for w in weights) or total(weights) <= 0:
        raise KamInputError(f"seasonality weights {weights} — allowed: numbers ≥ 0 with a positive sum")
    sign = -1.0 if annual < 0 else 1.0
    if step is not None:
        return [sign * x for x in allocate_largest_remainder(abs(annual), weights, step)]
    s = total(weights)
    return [annual * w / s for w in weights]


class Thresholds(BaseModel):
    """Traffic-light thresholds on attainment (actual ÷ plan). For "higher is better" figures: ≥ ``green`` is
    green, ≥ ``amber`` amber, below red. For costs the mirror: overrun ≤ 2 − green green, ≤ 2 − amber amber."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    green: float = Field(default=1.0, gt=0)
    amber: float = Field(default=0.95, gt=0)

    @model_validator(mode="after")
    def _order(self) -> Thresholds:
        if self.amber > self.green:
            raise KamInputError(f"amber threshold {self.amber:g} above green {self.green:g} — allowed: "
                                "amber ≤ green")
        return self


def traffic_light(actual: float | None, plan: float | None, thresholds: Thresholds | None = None,
                  higher_is_better: bool = True) -> Light | None:
    """Traffic light of an actual against its plan; ``None`` when either is missing.

    Where the plan is ≤ 0 (a planned loss) attainment is undefined and the light is green when the variance
    is favourable, red otherwise.

    >>> traffic_light(96, 100), traffic_light(90, 100), traffic_light(104, 100, higher_is_better=False)
    ('amber', 'red', 'amber')
    """
    if actual is None or plan is None:
        return None
    t = thresholds or Thresholds()
    if plan <= 0:
        good = actual >= plan if higher_is_better else actual <= plan
        return "green" if good else "red"
    att = actual / plan
    if higher_is_better:
        return "green" if att >= t.green else "amber" if att >= t.amber else "red"
    return "green" if att <= 2 - t.green else "amber" if att <= 2 - t.amber else "red"


class VarianceCell(BaseModel):
    """Plan, actual, variance, attainment and light of one figure in one period."""

    model_config = ConfigDict(frozen=True)

    plan: float | None
    actual: float | None
    variance: float | None
    attainment: float | None
    light: Light | None


class VarianceLine(BaseModel):
    """One figure across the quarters, year-to-date and the rolling forecast."""

    model_config = ConfigDict(frozen=True)

    metric: str
    higher_is_better: bool
    quarters: dict[int, VarianceCell]
    ytd: VarianceCell
    forecast: float | None = Field(description="closed actuals + plan or re-forecast of the open quarters")
    forecast_vs_plan: VarianceCell = Field(description="forecast (as actual) against the year plan")


class KaopComparison(BaseModel):
    """Plan vs actual of one account and year: the quarterly review view."""

    model_config = ConfigDict(frozen=True)

    closed_quarters: list[int]
    lines: dict[str, VarianceLine]


def _cell(plan: float | None, actual: float | None, t: Thresholds, higher: bool) -> VarianceCell:
    return VarianceCell(
        plan=plan,
        actual=actual,
        variance=None if plan is None or actual is None else actual - plan,
        attainment=None if plan is None or actual is None or plan <= 0 else actual / plan,
        light=traffic_light(actual, plan, t, higher),
    )


def compare(plan: KaopPlan, actual: KaopPlan, reforecast: KaopPlan | None = None,
            thresholds: Thresholds | None = None) -> KaopComparison:
    """Plan vs actual: per quarter, year-to-date over the closed quarters (those with actuals) and the
    rolling forecast (actuals of closed quarters + re-forecast, else plan, of the open ones).

    Figures: revenue, total cost, profit, volume and revenue per product, cost per category.
    """
    t = thresholds or Thresholds()
    closed = sorted(actual.quarters)
    products = list(dict.fromkeys([*plan.products, *actual.products]))
    metrics: list[tuple[str, bool]] = [("revenue", True), ("total_cost", False), ("profit", True)]
    metrics += [(f"volume.{p}", True) for p in products] + [(f"revenue.{p}", True) for p in products]
    metrics += [(f"cost.{c}", False) for c in COST_CATEGORIES]

    def value(scenario: KaopPlan | None, q: int, m: str) -> float | None:
        if scenario is None or q not in scenario.quarters:
            return None
        return scenario.quarters[q].metric(m)

    lines = {
        m: variance_line(m, {q: value(plan, q, m) for q in QUARTERS}, {q: value(actual, q, m) for q in QUARTERS},
                         closed, {q: value(reforecast, q, m) for q in QUARTERS}, t, higher)
        for m, higher in metrics
    }
    return KaopComparison(closed_quarters=closed, lines=lines)


def variance_line(metric: str, plan: dict[int, float | None], actual: dict[int, float | None],
                  closed: list[int] | None = None, reforecast: dict[int, float | None] | None = None,
                  thresholds: Thresholds | None = None, higher_is_better: bool = True) -> VarianceLine:
    """Plan vs actual of one figure given per quarter (quarter → value, ``None`` or absent = no value): the line
    :func:`compare` computes for each figure of a scenario.

    ``closed`` are the quarters with actuals (default: those with an actual value). Year-to-date adds them up;
    the rolling forecast is their actuals plus the re-forecast, else the plan, of the open quarters; the year
    plan (all four quarters) is the forecast's reference.

    >>> line = variance_line("revenue", {1: 100, 2: 100, 3: 100, 4: 100}, {1: 96, 2: 104}, reforecast={4: 90})
    >>> line.ytd.variance, line.ytd.light, line.forecast, line.forecast_vs_plan.attainment
    (0.0, 'green', 390.0, 0.975)
    """
    t = thresholds or Thresholds()
    if closed is None:
        closed = [q for q in QUARTERS if actual.get(q) is not None]
    reforecast = reforecast or {}

    def add(values: list[float | None]) -> float | None:
        return None if any(v is None for v in values) else total(values)  # type: ignore[arg-type]

    quarters = {q: _cell(plan.get(q), actual.get(q), t, higher_is_better) for q in QUARTERS}
    ytd = _cell(add([plan.get(q) for q in closed]), add([actual.get(q) for q in closed]), t, higher_is_better)
    open_values = [v if (v := reforecast.get(q)) is not None else plan.get(q) for q in QUARTERS if q not in closed]
    forecast = add([*(actual.get(q) for q in closed), *open_values])
    year_plan = add([plan.get(q) for q in QUARTERS])  # None unless all four quarters are planned
    return VarianceLine(metric=metric, higher_is_better=higher_is_better, quarters=quarters, ytd=ytd,
                        forecast=forecast, forecast_vs_plan=_cell(year_plan, forecast, t, higher_is_better))


class PotentialGoal(BaseModel):
    """A potential goal (Potenzialziel, seed 000 Frage 40): a measurable target per quarter and its actual."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    goal: str = Field(min_length=1)
    metric: str = ""
    unit: str = ""
    targets: dict[Quarter, float | None] = Field(default_factory=dict)
    actuals: dict[Quarter, float | None] = Field(default_factory=dict)

    def attainment(self) -> dict[Quarter, float | None]:
        """actual ÷ target per quarter (``None`` where either is missing or the target is 0)."""
        return {q: ratio(self.actuals.get(q), self.targets.get(q)) for q in QUARTERS}


class KaopMeasure(BaseModel):
    """A measure (Maßnahme) along one of the 6-P levers (seed 003)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    measure: str = Field(min_length=1)
    lever: Lever
    owner: str = ""
    resources: str = ""
    due_quarter: Quarter | None = None
    status: MeasureStatus = "offen"
    kasp_project: str = Field(default="", description="the KASP project this measure starts (kam_xl.kasp)")
    swot_entry: str = Field(default="", description="the SWOT entry this measure answers (kam_xl.swot)")


CostBasis = Literal["amount", "rate"]


def cost_lines(costs: list[CostQuarter], scenario: KaopPlan,
               default: dict[CostCategory, CostBasis] | None = None
               ) -> dict[CostCategory, tuple[CostBasis, dict[int, float]]]:
    """The cost lines of a scenario as a planning sheet shows them: per category one basis for all quarters
    (``rate`` of revenue or ``amount``) and the value of each quarter that has a row.

    A category whose rows are all rates keeps its rates. A category with an amount in any quarter is shown as
    amounts; its rates become the amount they give in their quarter (rate × that quarter's revenue in
    ``scenario``, the KaopPlan computed from the same rows), so every cost stays exactly the same. A category
    without rows takes its basis from ``default`` (else ``amount``) and has no values.

    >>> costs = [CostQuarter(category="freight", quarter=1, rate_of_revenue=0.2),
    ...          CostQuarter(category="other", quarter=1, rate_of_revenue=0.1),
    ...          CostQuarter(category="other", quarter=2, amount=500)]
    >>> plan = kaop_plan([ProductQuarter(product="A", quarter=q, volume=10, price=100) for q in (1, 2)], costs)
    >>> lines = cost_lines(costs, plan)
    >>> lines["freight"], lines["other"], lines["sales_staff"]
    (('rate', {1: 0.2}), ('amount', {1: 100.0, 2: 500.0}), ('amount', {}))
    """
    result: dict[CostCategory, tuple[CostBasis, dict[int, float]]] = {}
    for c in COST_CATEGORIES:
        rows = sorted((x for x in costs if x.category == c), key=lambda x: x.quarter)
        if not rows:
            result[c] = ((default or {}).get(c, "amount"), {})
        elif all(x.rate_of_revenue is not None for x in rows):
            result[c] = ("rate", {x.quarter: float(x.rate_of_revenue) for x in rows})  # type: ignore[arg-type]
        else:
            result[c] = ("amount", {x.quarter: x.cost(scenario.quarters[x.quarter].revenue) for x in rows})
    return result


class _Revenue(Protocol):
    @property
    def revenue(self) -> float: ...


class QuarterRevenues(Protocol):
    """A scenario's quarters as :func:`ytd_revenue` reads them: a :class:`KaopPlan`, or its figures kept without
    the per-product detail (the controller's)."""

    @property
    def quarters(self) -> Mapping[int, _Revenue]: ...


def ytd_revenue(pairs: Iterable[tuple[QuarterRevenues, QuarterRevenues]], thresholds: Thresholds | None = None
                ) -> VarianceCell:
    """Revenue year-to-date over many accounts: each ``(plan, actual)`` pair adds its actual revenue of the
    quarters with actuals and its planned revenue of the same quarters (a quarter with an actual and no plan adds
    0 to the plan); attainment and light of the sums as :func:`traffic_light`. No actual at all: plan and actual
    ``None``. What the controller's cockpit shows for all accounts together.

    >>> from kam_xl.kaop import CostQuarter, ProductQuarter
    >>> p = kaop_plan([ProductQuarter(product="A", quarter=q, volume=10, price=10) for q in (1, 2)], [])
    >>> a = kaop_plan([ProductQuarter(product="A", quarter=1, volume=9, price=10)], [])
    >>> cell = ytd_revenue([(p, a)])
    >>> cell.plan, cell.actual, cell.attainment, cell.light
    (100.0, 90.0, 0.9, 'red')
    """
    plans: list[float] = []
    actuals: list[float] = []
    for plan, actual in pairs:
        for q, period in actual.quarters.items():
            actuals.append(period.revenue)
            plans.append(plan.quarters[q].revenue if q in plan.quarters else 0.0)
    if not actuals:
        return _cell(None, None, thresholds or Thresholds(), True)
    return _cell(total(plans), total(actuals), thresholds or Thresholds(), True)
