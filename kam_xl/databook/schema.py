"""What a data book holds: its tables and columns as data (:data:`TABLES`), the kinds of values a column
allows (:data:`ALLOWED`), and how a problem in it is said (:class:`Problem`, :class:`DataBookError`).

The CDB amount columns are the fields of :class:`kam_xl.cdb.CdbInput`, in the statement's order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from kam_xl.cdb import STAGES, CdbInput
from kam_xl.excellence import RATING_ALLOWED
from kam_xl.kaop import COST_CATEGORIES, LEVERS, MEASURE_STATUSES, QUARTERS
from kam_xl.kgb import SUPPLIER_ROLES

if TYPE_CHECKING:
    from kam_xl.databook.parsing import ParsedTable

Kind = Literal["text", "year", "quarter", "amount", "number", "fraction", "bool", "choice", "rating", "score",
               "rate", "attainment", "date"]
#: The status of an account plan (cover sheet) as the data book holds it; the plan shows it in its language.
ACCOUNT_STATUSES = ("in Arbeit", "abgegeben", "freigegeben")
#: How far an account's own key account management reaches (seed 000, Abb. 8: "besser koordiniert als der
#: Key-Account, aber niemals schlechter"), narrowest first.
KAM_SPANS = ("national", "regional", "global")
#: A table's own rules across its rows (and other tables): ``check(tables read, problems)`` adds one
#: :class:`Problem` per mistake; run by :func:`kam_xl.databook.checks.check_tables` when the table was read.
Check = Callable[[dict[str, "ParsedTable"], list["Problem"]], None]


@dataclass(frozen=True)
class Column:
    """One column of a data-book table: its name, kind, whether a value is required, allowed choices."""

    name: str
    kind: Kind = "text"
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One table of the data book; ``key`` columns identify a row (duplicates are errors); ``check`` holds the
    table's own rules across rows and tables (:data:`Check`), run when the table was read."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = False
    description: str = ""
    check: Check | None = field(default=None, compare=False)


def _c(name: str, kind: Kind = "text", required: bool = True, choices: Iterable[str] = ()) -> Column:
    return Column(name, kind, required, tuple(choices))



#: The amount columns of the ``cdb`` table: the fields of :class:`~kam_xl.cdb.CdbInput`, in statement order.
CDB_AMOUNTS: tuple[str, ...] = tuple(CdbInput.model_fields)
TABLES: dict[str, Table] = {t.name: t for t in (
    Table("accounts", (
        _c("account_id"), _c("name"), _c("region"), _c("business_unit", required=False),
        _c("kam", required=False), _c("currency", required=False), _c("plan_year", "year"),
        _c("supplier_role", "choice", False, SUPPLIER_ROLES), _c("status", "choice", False, ACCOUNT_STATUSES),
        _c("target_supplier_role", "choice", False, SUPPLIER_ROLES), _c("kam_span", "choice", False, KAM_SPANS)),
        key=("account_id",), required=True, description="master data, one row per key account"),
    Table("cdb", (_c("account_id"), _c("year", "year"), *(_c(a, "amount") for a in CDB_AMOUNTS)),
          key=("account_id", "year"), description="amounts of the CDB I–III statement per account and year"),
    Table("activities", (
        _c("account_id"), _c("year", "year"), _c("activity"), _c("stage", "choice", choices=STAGES),
        _c("driver_quantity", "amount"), _c("cost_rate", "amount")),
        description="activity-based cost lines, added to the amount of their stage in cdb"),
    Table("portfolio", (
        _c("account_id"), _c("year", "year"), _c("potential", "amount"), _c("share_of_wallet", "fraction"),
        _c("margin_factor", "amount", required=False)),
        key=("account_id", "year"), description="portfolio position per account and year"),
    Table("resources", (
        _c("region"), _c("account_id", required=False), _c("field_sales_fte", "amount"),
        _c("inside_sales_fte", "amount"), _c("tech_service_fte", "amount"), _c("communication", "amount"),
        _c("actual_volume", "amount"), _c("actual_revenue", "amount"), _c("potential", "amount")),
        key=("region", "account_id"), description="actual resources per (region, account); empty account_id "
                                                  "= the region's Small Accounts"),
    Table("regions", (_c("region"), _c("market_size", "amount")), key=("region",),
          description="market size per region"),
    Table("kaop_products", (
        _c("account_id"), _c("year", "year"), _c("scenario", "choice", choices=("plan", "actual")),
        _c("quarter", "quarter"), _c("product"), _c("volume", "amount"), _c("price", "amount"),
        _c("share_of_wallet", "fraction", required=False)),
        key=("account_id", "year", "scenario", "quarter", "product"),
        description="KAOP drivers per product and quarter"),
    Table("kaop_costs", (
        _c("account_id"), _c("year", "year"), _c("scenario", "choice", choices=("plan", "actual")),
        _c("quarter", "quarter"), _c("category", "choice", choices=COST_CATEGORIES),
        _c("amount", "amount", required=False), _c("rate_of_revenue", "rate", required=False)),
        key=("account_id", "year", "scenario", "quarter", "category"),
        description="KAOP relationship costs: an amount or a rate of revenue"),
    Table("kaop_goals", (
        _c("account_id"), _c("year", "year"), _c("goal"), _c("metric", required=False), _c("unit", required=False),
        *(_c(f"target_q{q}", "number", False) for q in QUARTERS),
        *(_c(f"actual_q{q}", "number", False) for q in QUARTERS)),
        description="KAOP potential goals (Potenzialziele): target and actual per quarter, one row per goal"),
    Table("kaop_measures", (
        _c("account_id"), _c("year", "year"), _c("measure"), _c("lever", "choice", choices=LEVERS),
        _c("owner", required=False), _c("resources", required=False), _c("due_quarter", "quarter", False),
        _c("status", "choice", False, MEASURE_STATUSES), _c("kasp_project", required=False),
        _c("swot_entry", required=False)),
        description="KAOP measures along the 6-P levers (empty status: offen); kasp_project names the KASP "
                    "project a measure starts, swot_entry the SWOT entry it answers"),
    Table("kaop_settings", (
        _c("account_id"), _c("year", "year"), _c("threshold_green", "attainment"), _c("threshold_amber", "attainment")),
        key=("account_id", "year"),
        description="KAOP traffic-light thresholds on attainment (1 or 100 % = on plan); amber ≤ green"),
    Table("kgb", (
        _c("account_id"), _c("segment"), _c("criterion"), _c("weight", "amount"), _c("supplier"),
        _c("own", "bool"), _c("rating", "score", required=False)),
        key=("account_id", "segment", "criterion", "supplier"),
        description="Kgb cards: customer weights and fulfilment ratings per supplier"),
    Table("excellence", (
        _c("respondent"), _c("role", required=False), _c("criterion_id"),
        _c("rating", "rating", required=False), _c("evidence", required=False)),
        key=("respondent", "criterion_id"), description="excellence questionnaire answers"),
)}

def register_tables(owner: str, new: Iterable[Table], tables: MutableMapping[str, Table] | None = None) -> None:
    """Add the data-book tables of ``owner`` (a sheet kind, a settings model) to :data:`TABLES` (or ``tables``).

    Raises :class:`ValueError` when a table name is taken by another table; registering the same table again is
    harmless."""
    tables = TABLES if tables is None else tables
    new = tuple(new)
    for t in new:
        if t.name in tables and tables[t.name] is not t:
            raise ValueError(f"data-book table {t.name!r} of {owner} exists already")
    for t in new:
        tables[t.name] = t


def registered_tables() -> dict[str, Table]:
    """:data:`TABLES` with the tables of every registered owner: the account plan's and the controller's sheet
    kinds and the company settings register theirs when their modules are imported, which this makes sure of
    (a reader or writer that sees only the core tables would drop a registered table silently)."""
    import kam_xl.company_settings
    import kam_xl.workbook.account_plan
    import kam_xl.workbook.controller  # noqa: F401

    return TABLES


ALLOWED: dict[Kind, str] = {
    "text": "a text",
    "year": "a year such as 2026",
    "quarter": "1, 2, 3 or 4",
    "amount": "a number ≥ 0",
    "number": "a number",
    "fraction": "a fraction from 0 to 1 (0.25 or 25 %)",
    "bool": "ja or nein (also true/false, 1/0)",
    "choice": "one of {choices}",
    "rating": RATING_ALLOWED,
    "score": "a number from 0 to 100",
    "rate": "a rate of revenue ≥ 0 (0.2 or 20 %)",
    "attainment": "an attainment (actual ÷ plan) above 0 and up to 10, e.g. 1 or 100 %",
    "date": "a date such as 2026-06-30 or 30.06.2026",
}


class Problem(BaseModel):
    """One problem in a data book, located as precisely as the source allows."""

    model_config = ConfigDict(frozen=True)

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    value: str | None = None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"{'table' if '://' in self.file else 'sheet'} {self.sheet}")  # a database's table
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}" + (f" ({self.cell})" if self.cell else ""))
        value = f"value {self.value!r}: " if self.value is not None else ""
        return f"{', '.join(where)}: {value}{self.message}"


class DataBookError(Exception):
    """A data book with problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the data book:\n" + "\n".join(map(str, problems)))

