"""The validated data book (:class:`DataBook`) and its views for the calculations: CDB inputs, KAOP rows,
Kgb cards, excellence responses, resource cells."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr, TypeAdapter

from kam_xl.cdb import ActivityLine, CdbInput
from kam_xl.databook.rows import TableRows
from kam_xl.databook.schema import CDB_AMOUNTS
from kam_xl.excellence import Answer, Response
from kam_xl.kaop import QUARTERS, CostQuarter, KaopMeasure, PotentialGoal, ProductQuarter, Thresholds
from kam_xl.kgb import KgbCard
from kam_xl.resources import ResourceCell

_PRODUCT_ROWS = TypeAdapter(list[ProductQuarter])
_COST_ROWS = TypeAdapter(list[CostQuarter])


class AccountRow(BaseModel):
    """Master data of a key account."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    name: str
    region: str
    business_unit: str | None = None
    kam: str | None = None
    currency: str = "EUR"
    plan_year: int
    supplier_role: str | None = None
    status: str | None = None  # one of ACCOUNT_STATUSES (the plan's cover sheet)
    target_supplier_role: str | None = None  # one of kgb.SUPPLIER_ROLES: where the account should get to (seed 001)
    kam_span: str | None = None  # one of schema.KAM_SPANS: how far our KAM for it reaches (seed 000, Abb. 8)


class DataBook(BaseModel):
    """A validated data book. Absent tables are ``None``; present tables are lists of their rows as dicts
    with typed values (column name → value)."""

    model_config = ConfigDict(frozen=True)

    source: str
    accounts: list[AccountRow]
    tables: dict[str, list[dict[str, Any]] | None]
    notes: list[str] = []  # how files were read, e.g. "cdb.csv: Windows-1252, ';'-separated; numbers: …"
    # Indexes built on first use, each with the list it indexes: ``model_copy(update=…)`` copies private
    # attributes, so an index is rebuilt when its list is not the one the book now holds.
    _by_account: dict[str, tuple[object, dict[str, list[dict[str, Any]]]]] = PrivateAttr(default_factory=dict)
    _account_index: tuple[object, dict[str, AccountRow]] | None = PrivateAttr(default=None)

    def table(self, name: str) -> list[dict[str, Any]] | None:
        """Rows of table ``name`` (a list of dicts, or a :class:`TableRows` that reads like one), or ``None``
        if the data book has no such table."""
        return self.tables.get(name)

    def account(self, account_id: str) -> AccountRow:
        """The master data of one account (``KeyError`` for an unknown id); indexed on first use."""
        if self._account_index is None or self._account_index[0] is not self.accounts:
            self._account_index = (self.accounts, {a.account_id: a for a in self.accounts})
        return self._account_index[1][account_id]

    def rows_for(self, name: str, account_id: str, **match: Any) -> list[dict[str, Any]]:
        """Rows of table ``name`` for one account (and further column values). Tables are indexed by account
        on first use, so looking up every account of a large data book stays linear; of a table as read,
        only the rows asked for become dicts."""
        table = self.tables.get(name)
        if isinstance(table, TableRows):
            indices: Iterable[int] = table.index_by("account_id").get(account_id, ())
            if match:
                indices = table.select(indices, match)
            return table.rows(indices)  # type: ignore[arg-type]
        cached = self._by_account.get(name)
        if cached is not None and cached[0] is table:
            index = cached[1]
        else:
            index = defaultdict(list)
            for r in table or []:
                index[r["account_id"]].append(r)
            self._by_account[name] = (table, index)
        return [r for r in index.get(account_id, ()) if all(r[k] == v for k, v in match.items())]

    def values_for(self, name: str, column: str, account_id: str, **match: Any) -> list[Any]:
        """The values of one column in the rows :meth:`rows_for` gives (without making the rows)."""
        return self.columns_for(name, account_id, (column,), **match)[0]

    def columns_for(self, name: str, account_id: str, columns: Sequence[str], **match: Any) -> list[list[Any]]:
        """The values of ``columns`` in the rows :meth:`rows_for` gives, one list per column (without making
        the rows: what a view that reads every account takes, e.g. ``zip(*db.columns_for(…))``)."""
        table = self.tables.get(name)
        if isinstance(table, TableRows):
            indices: Iterable[int] = table.index_by("account_id").get(account_id, ())
            if match:
                indices = table.select(indices, match)
            return table.values_at(indices, columns)  # type: ignore[arg-type]
        rows = self.rows_for(name, account_id, **match)
        return [[r[c] for r in rows] for c in columns]

    def has_rows(self, name: str, account_id: str) -> bool:
        """Whether table ``name`` has a row for the account (``False`` without the table)."""
        table = self.tables.get(name)
        if isinstance(table, TableRows):
            return account_id in table.index_by("account_id")
        return bool(self.rows_for(name, account_id))

    def for_accounts(self, account_ids: Iterable[str]) -> DataBook:
        """The data book of these accounts alone: their master data and their rows of every table with an
        ``account_id`` column, in data order; tables without one (regions, excellence, settings …) and rows
        without an account (a region's Small Accounts) as they are. Small and picklable: what one worker
        needs for its share of the plans instead of the whole data book (unknown ids: no rows)."""
        wanted = set(account_ids)
        tables: dict[str, list[dict[str, Any]] | None] = {}
        for name, table in self.tables.items():
            if isinstance(table, TableRows) and "account_id" in table.names:
                index = table.index_by("account_id")
                keep = sorted(i for aid in (*wanted, None) for i in index.get(aid, ()))
                table = table.take(keep)  # type: ignore[assignment]
            elif table is not None and table and "account_id" in table[0]:
                table = [r for r in table if r["account_id"] in wanted or r["account_id"] is None]
            tables[name] = table
        return DataBook.model_construct(source=self.source, notes=self.notes, tables=tables,
                                        accounts=[a for a in self.accounts if a.account_id in wanted])

    def cdb_years(self, account_id: str) -> list[int]:
        """Years with CDB data for an account, ascending."""
        return sorted(set(self.values_for("cdb", "year", account_id)))

    def cdb_input(self, account_id: str, year: int) -> tuple[CdbInput, list[ActivityLine]] | None:
        """The CDB amounts and activity lines of an account and year, or ``None`` if there are none."""
        columns = self.columns_for("cdb", account_id, CDB_AMOUNTS, year=year)  # the amounts only, no dict a row
        if not columns[0]:
            return None
        amounts = CdbInput(**{a: values[0] for a, values in zip(CDB_AMOUNTS, columns, strict=True)})
        return amounts, self.cdb_activities(account_id, year)

    def cdb_activities(self, account_id: str, year: int) -> list[ActivityLine]:
        """The activity lines of an account and year, in data order (those of :meth:`cdb_input` when the year
        has CDB amounts)."""
        return [ActivityLine(activity=activity, stage=stage, driver_quantity=quantity, cost_rate=rate)
                for activity, stage, quantity, rate in zip(*self.columns_for(
                    "activities", account_id, ("activity", "stage", "driver_quantity", "cost_rate"), year=year),
                    strict=True)]

    def kaop_rows(self, account_id: str, year: int, scenario: str
                  ) -> tuple[list[ProductQuarter], list[CostQuarter]]:
        """The KAOP product drivers and cost lines of an account, year and scenario (:meth:`kaop_products`,
        :meth:`kaop_costs`)."""
        return self.kaop_products(account_id, year, scenario), self.kaop_costs(account_id, year, scenario)

    def kaop_products(self, account_id: str, year: int, scenario: str) -> list[ProductQuarter]:
        """The KAOP product drivers of an account, year and scenario, in data order (validated in one call of
        pydantic's core: a report and the controller read them for every account)."""
        return _PRODUCT_ROWS.validate_python([
            {"product": p, "quarter": q, "volume": v, "price": price, "share_of_wallet": sow}
            for p, q, v, price, sow in zip(*self.columns_for(
                "kaop_products", account_id, ("product", "quarter", "volume", "price", "share_of_wallet"),
                year=year, scenario=scenario), strict=True)])

    def kaop_costs(self, account_id: str, year: int, scenario: str) -> list[CostQuarter]:
        """The KAOP cost lines of an account, year and scenario, in data order (validated in one call, as
        :meth:`kaop_products`)."""
        return _COST_ROWS.validate_python([
            {"category": c, "quarter": q, "amount": amount, "rate_of_revenue": rate}
            for c, q, amount, rate in zip(*self.columns_for(
                "kaop_costs", account_id, ("category", "quarter", "amount", "rate_of_revenue"), year=year,
                scenario=scenario), strict=True)])

    def kaop_years(self, account_id: str, scenario: str = "plan") -> list[int]:
        """Years with KAOP rows of a scenario for an account, ascending."""
        return sorted({*self.values_for("kaop_products", "year", account_id, scenario=scenario),
                       *self.values_for("kaop_costs", "year", account_id, scenario=scenario)})

    def kaop_goals(self, account_id: str, year: int) -> list[PotentialGoal]:
        """The potential goals of an account and year, in data order."""
        return [PotentialGoal(goal=r["goal"], metric=r["metric"] or "", unit=r["unit"] or "",
                              targets={q: r[f"target_q{q}"] for q in QUARTERS if r[f"target_q{q}"] is not None},
                              actuals={q: r[f"actual_q{q}"] for q in QUARTERS if r[f"actual_q{q}"] is not None})
                for r in self.rows_for("kaop_goals", account_id, year=year)]

    def kaop_measures(self, account_id: str, year: int) -> list[KaopMeasure]:
        """The 6-P measures of an account and year, in data order."""
        return [KaopMeasure(measure=r["measure"], lever=r["lever"], owner=r["owner"] or "",
                            resources=r["resources"] or "", due_quarter=r["due_quarter"],
                            status=r["status"] or "offen", kasp_project=r.get("kasp_project") or "",
                            swot_entry=r.get("swot_entry") or "")
                for r in self.rows_for("kaop_measures", account_id, year=year)]

    def kaop_thresholds(self, account_id: str, year: int) -> Thresholds:
        """The traffic-light thresholds of an account and year (the defaults where the data book has none)."""
        rows = self.rows_for("kaop_settings", account_id, year=year)
        if not rows:
            return Thresholds()
        return Thresholds(green=rows[0]["threshold_green"], amber=rows[0]["threshold_amber"])

    def kaop_input_years(self, account_id: str) -> list[int]:
        """Years with any KAOP input of an account (drivers, costs, goals, measures, thresholds), ascending."""
        return sorted({year for name in ("kaop_products", "kaop_costs", "kaop_goals", "kaop_measures",
                                         "kaop_settings") for year in self.values_for(name, "year", account_id)})

    def kgb_cards(self, account_id: str) -> list[KgbCard]:
        """The Kgb cards of an account, one per segment, in data order."""
        account = self.account(account_id)
        segments, criterion, weights, supplier, rating, owns = self.columns_for(
            "kgb", account_id, ("segment", "criterion", "weight", "supplier", "rating", "own"))
        by_segment: dict[str, list[int]] = defaultdict(list)
        for j, segment in enumerate(segments):
            by_segment[segment].append(j)
        cards = []
        for segment, rows in by_segment.items():
            criteria = list(dict.fromkeys(criterion[j] for j in rows))
            weight = {criterion[j]: weights[j] for j in rows}
            ratings: dict[str, dict[str, float | None]] = {}
            for j in rows:
                ratings.setdefault(supplier[j], {})[criterion[j]] = rating[j]
            own = next(supplier[j] for j in rows if owns[j])
            cards.append(KgbCard(account_id=account_id, segment=segment, own_supplier=own, ratings=ratings,
                                 criteria=[{"name": c, "weight": weight[c]} for c in criteria],  # as KgbCriterion
                                 supplier_role=account.supplier_role))  # type: ignore[arg-type]
        return cards

    def responses(self) -> list[Response]:
        """The excellence answers grouped by respondent, in data order."""
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.table("excellence") or []:
            grouped[r["respondent"]].append(r)
        return [Response(respondent=who, role=rows[0]["role"] or "",
                         answers=[Answer(criterion_id=r["criterion_id"], rating=r["rating"],
                                         evidence=r["evidence"] or "") for r in rows])
                for who, rows in grouped.items()]

    def response_of(self, respondent: str, role: str) -> Response | None:
        """The excellence answers of one respondent in one role (an account plan's own ratings: the account id
        and role ``Account-Plan``), or ``None``. Indexed by respondent on first use, so looking up every
        account stays linear."""
        table = self.table("excellence")
        if table is None:
            return None
        if isinstance(table, TableRows):
            rows = [table.row(i) for i in table.index_by("respondent").get(respondent, ())]
        else:
            rows = [r for r in table if r["respondent"] == respondent]
        rows = [r for r in rows if r["role"] == role]
        if not rows:
            return None
        return Response(respondent=respondent, role=role,
                        answers=[Answer(criterion_id=r["criterion_id"], rating=r["rating"],
                                        evidence=r["evidence"] or "") for r in rows])

    def resource_cells(self) -> list[ResourceCell]:
        """The resource distribution cells (``account_id=None`` for Small Accounts)."""
        return [ResourceCell(**{k: v for k, v in r.items()}) for r in self.table("resources") or []]

    def market_sizes(self) -> dict[str, float]:
        """Market size per region."""
        return {r["region"]: r["market_size"] for r in self.table("regions") or []}


