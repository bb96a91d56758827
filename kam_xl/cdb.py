"""Customer contribution margin (Kundendeckungsbeitrag, CDB I–III) — seed 000, "Kundendeckungsbeitrag III".

The multi-stage scheme::

      Bruttoumsatz                                   gross sales
    − Erlösschmälerungen (Rabatte, Boni, Skonti)     deductions
    = Nettoumsatz                                    net sales
    − Herstellkosten / Produktkosten                 product cost
    − Fracht                                         freight
    = Kundendeckungsbeitrag I
    − kundenspezifische Entwicklungskosten           development cost
    − kundenspezifische Produktionskosten            production cost
    = Kundendeckungsbeitrag II
    − kundenspezifische Servicekosten                service cost
    − kundenspezifische Vertriebskosten              sales cost
    = Kundendeckungsbeitrag III

Costs of the stages development, production, service and sales may also be derived by activity-based
costing (:class:`ActivityLine`): driver quantity for this account × cost rate per driver unit, added to the
amount of its stage.

Example — an account with 1.2 M€ gross sales::

    >>> s = cdb_statement(CdbInput(gross_sales=1_200_000, deductions=60_000, product_cost=684_000,
    ...                            freight=45_600, development_cost=20_000, production_cost=12_000,
    ...                            service_cost=30_000, sales_cost=48_000),
    ...                   [ActivityLine(activity="Technikumsversuche", stage="development",
    ...                                 driver_quantity=4, cost_rate=2_500)])
    >>> s.net_sales, s.cdb_i, s.cdb_ii, s.cdb_iii
    (1140000.0, 410400.0, 368400.0, 290400.0)
    >>> round(s.cdb_iii_rel, 4)
    0.2547
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kam_xl.maths import ratio, total

Stage = Literal["development", "production", "service", "sales"]
STAGES: tuple[Stage, ...] = ("development", "production", "service", "sales")


class CdbInput(BaseModel):
    """The amounts of one account and year, in the account's currency (all ≥ 0)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gross_sales: float = Field(ge=0, description="Bruttoumsatz")
    deductions: float = Field(default=0, ge=0, description="Erlösschmälerungen (Rabatte, Boni, Skonti)")
    product_cost: float = Field(default=0, ge=0, description="Herstellkosten / Produktkosten")
    freight: float = Field(default=0, ge=0, description="Fracht")
    development_cost: float = Field(default=0, ge=0, description="kundenspezifische Entwicklungskosten")
    production_cost: float = Field(default=0, ge=0, description="kundenspezifische Produktionskosten")
    service_cost: float = Field(default=0, ge=0, description="kundenspezifische Servicekosten")
    sales_cost: float = Field(default=0, ge=0, description="kundenspezifische Vertriebskosten")


class ActivityLine(BaseModel):
    """An activity-based cost line: ``driver_quantity × cost_rate`` assigned to a stage."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    activity: str = Field(min_length=1)
    stage: Stage
    driver_quantity: float = Field(ge=0)
    cost_rate: float = Field(ge=0)

    @property
    def amount(self) -> float:
        """The cost of this activity for the account."""
        return self.driver_quantity * self.cost_rate


class CdbStatement(BaseModel):
    """The full CDB I–III statement; ``*_rel`` are fractions of net sales, ``None`` when net sales are 0."""

    model_config = ConfigDict(frozen=True)

    gross_sales: float
    deductions: float
    net_sales: float
    product_cost: float
    freight: float
    cdb_i: float
    development_cost: float
    production_cost: float
    cdb_ii: float
    service_cost: float
    sales_cost: float
    cdb_iii: float
    activity_cost: dict[Stage, float] = Field(
        description="the part of each stage's cost that comes from activity-based lines"
    )
    cdb_i_rel: float | None
    cdb_ii_rel: float | None
    cdb_iii_rel: float | None


def activity_cost_by_stage(activities: list[ActivityLine] | tuple[ActivityLine, ...]) -> dict[Stage, float]:
    """Sum the activity-based cost lines per stage (every stage present, 0 where none)."""
    return {stage: total(a.amount for a in activities if a.stage == stage) for stage in STAGES}


def cdb_statement(
    amounts: CdbInput, activities: list[ActivityLine] | tuple[ActivityLine, ...] = ()
) -> CdbStatement:
    """Compute the CDB I–III statement of one account from its amounts and activity-based lines: each stage's
    cost line gets its activities added, each level is :data:`LEVEL_TERMS` worked left to right."""
    extra = activity_cost_by_stage(activities)
    lines: dict[str, float] = amounts.model_dump()
    for stage in STAGES:
        lines[f"{stage}_cost"] += extra[stage]
    for level, (start, costs) in LEVEL_TERMS.items():
        value = lines[start]
        for cost in costs:
            value -= lines[cost]
        lines[level] = value
    net = lines["net_sales"]
    return CdbStatement(**lines, activity_cost=extra, cdb_i_rel=ratio(lines["cdb_i"], net),
                        cdb_ii_rel=ratio(lines["cdb_ii"], net), cdb_iii_rel=ratio(lines["cdb_iii"], net))


# The statement as data: (field, German label, English label, kind). Templates, reports and Excel
# functions lay the statement out from this list, so the order and the labels live in one place.
STATEMENT_LINES: tuple[tuple[str, str, str, Literal["input", "cost", "level"]], ...] = (
    ("gross_sales", "Bruttoumsatz", "Gross sales", "input"),
    ("deductions", "Erlösschmälerungen (Rabatte, Boni, Skonti)", "Deductions (rebates, bonuses, discounts)",
     "cost"),
    ("net_sales", "Nettoumsatz", "Net sales", "level"),
    ("product_cost", "Herstellkosten / Produktkosten", "Product cost", "cost"),
    ("freight", "Fracht", "Freight", "cost"),
    ("cdb_i", "Kundendeckungsbeitrag I", "Customer contribution margin I", "level"),
    ("development_cost", "kundenspezifische Entwicklungskosten", "Customer-specific development cost", "cost"),
    ("production_cost", "kundenspezifische Produktionskosten", "Customer-specific production cost", "cost"),
    ("cdb_ii", "Kundendeckungsbeitrag II", "Customer contribution margin II", "level"),
    ("service_cost", "kundenspezifische Servicekosten", "Customer-specific service cost", "cost"),
    ("sales_cost", "kundenspezifische Vertriebskosten", "Customer-specific sales cost", "cost"),
    ("cdb_iii", "Kundendeckungsbeitrag III", "Customer contribution margin III", "level"),
)

#: The eight input amounts in statement order (the fields of :class:`CdbInput`, the lines that are no level).
AMOUNT_FIELDS: tuple[str, ...] = tuple(field for field, _, _, kind in STATEMENT_LINES if kind != "level")


def _level_terms() -> dict[str, tuple[str, tuple[str, ...]]]:
    terms: dict[str, tuple[str, tuple[str, ...]]] = {}
    start, costs = "", []
    for field, _, _, kind in STATEMENT_LINES:
        if kind == "input":
            start = field
        elif kind == "cost":
            costs.append(field)
        else:
            terms[field] = (start, tuple(costs))
            start, costs = field, []
    return terms


#: Which cost lines each level subtracts, read off the statement's order: level → (the line it starts from,
#: the cost lines it subtracts), e.g. ``"cdb_i": ("net_sales", ("product_cost", "freight"))``. The statement
#: (:func:`cdb_statement`), the account plan's and the controller's formulas all use it.
LEVEL_TERMS: dict[str, tuple[str, tuple[str, ...]]] = _level_terms()
#: Each level as a formula over placeholders named like the lines: ``"={net_sales}-{product_cost}-{freight}"``
#: (``str.format`` them with the cells that hold the lines).
LEVEL_FORMULAS: dict[str, str] = {level: "={" + start + "}" + "".join("-{" + c + "}" for c in costs)
                                  for level, (start, costs) in LEVEL_TERMS.items()}
