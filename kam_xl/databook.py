"""The data book: the input of every batch job.

A data book is an ``.xlsx`` workbook with one sheet per table, or a folder with one ``<table>.csv`` (or
``<table>.parquet``) per table. The tables and their columns are described as data in :data:`TABLES`; more
columns are allowed and ignored. Every table but ``accounts`` may be absent: what depends on it is then
left out, not an error.

:func:`read_databook` checks every cell and the rules across tables and raises one :class:`DataBookError`
with **all** problems, each naming file, sheet, row, column, cell, the value and what is allowed.

CSV files may be comma-separated with ``.`` as decimal point, or semicolon-separated as German Excel saves
them, with ``,`` as decimal point (and ``.`` as thousands separator). Fractions may be written as ``0.25``
or ``25 %``.
"""

from __future__ import annotations

import csv
import math
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr

from kam_xl.cdb import STAGES, ActivityLine, CdbInput
from kam_xl.errors import KamInputError
from kam_xl.excellence import RATING_ALLOWED, Answer, Catalogue, Response, load_catalogue, parse_rating
from kam_xl.kaop import COST_CATEGORIES, CostQuarter, ProductQuarter
from kam_xl.kgb import SUPPLIER_ROLES, KgbCard, KgbCriterion, normalise_weights
from kam_xl.resources import ResourceCell

Kind = Literal["text", "year", "quarter", "amount", "fraction", "bool", "choice", "rating", "score", "rate"]


@dataclass(frozen=True)
class Column:
    """One column of a data-book table: its name, kind, whether a value is required, allowed choices."""

    name: str
    kind: Kind = "text"
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One table of the data book; ``key`` columns identify a row (duplicates are errors)."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = False
    description: str = ""


def _c(name: str, kind: Kind = "text", required: bool = True, choices: Iterable[str] = ()) -> Column:
    return Column(name, kind, required, tuple(choices))


_AMOUNTS = ("gross_sales", "deductions", "product_cost", "freight", "development_cost", "production_cost",
            "service_cost", "sales_cost")
TABLES: dict[str, Table] = {t.name: t for t in (
    Table("accounts", (
        _c("account_id"), _c("name"), _c("region"), _c("business_unit", required=False),
        _c("kam", required=False), _c("currency", required=False), _c("plan_year", "year"),
        _c("supplier_role", "choice", False, SUPPLIER_ROLES)),
        key=("account_id",), required=True, description="master data, one row per key account"),
    Table("cdb", (_c("account_id"), _c("year", "year"), *(_c(a, "amount") for a in _AMOUNTS)),
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

ALLOWED: dict[Kind, str] = {
    "text": "a text",
    "year": "a year such as 2026",
    "quarter": "1, 2, 3 or 4",
    "amount": "a number ≥ 0",
    "fraction": "a fraction from 0 to 1 (0.25 or 25 %)",
    "bool": "true or false",
    "choice": "one of {choices}",
    "rating": RATING_ALLOWED,
    "score": "a number from 0 to 100",
    "rate": "a rate of revenue ≥ 0 (0.2 or 20 %)",
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
            where.append(f"sheet {self.sheet}")
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


@dataclass
class _Source:
    """Where a table's rows come from: the file, the sheet, and how to name a cell."""

    file: str
    sheet: str | None
    header: list[str]
    rows: list[list[Any]]
    first_row: int  # the row number of rows[0] in the file (header is first_row - 1)
    decimal_comma: bool = False
    excel: bool = False

    def cell(self, col_index: int, row_number: int) -> str | None:
        if not self.excel:
            return None
        return f"{_column_letter(col_index)}{row_number}"


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Located:
    """A parsed row with the location of each of its cells, for errors across rows and tables."""

    values: dict[str, Any]
    row: int
    cells: dict[str, str | None] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)  # columns whose value could not be read (already reported)


class _CellError(Exception):
    pass


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _to_number(value: Any, decimal_comma: bool) -> float:
    if isinstance(value, bool):
        raise _CellError
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise _CellError
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    if decimal_comma or ("," in text and "." not in text and re.fullmatch(r"[+-]?\d+,\d+", text)):
        text = text.replace(".", "").replace(",", ".")
    if not _NUMBER.match(text):
        raise _CellError
    return float(text)


def _to_fraction(value: Any, decimal_comma: bool) -> float:
    if isinstance(value, str) and value.strip().endswith("%"):
        return _to_number(value.strip()[:-1], decimal_comma) / 100
    return _to_number(value, decimal_comma)


_FORMULA_STARTS = ("=", "+", "-", "@")
_TRUE = {"true", "1", "yes", "y", "ja", "j", "wahr", "x"}
_FALSE = {"false", "0", "no", "n", "nein", "falsch"}


def _parse_cell(col: Column, value: Any, decimal_comma: bool) -> Any:
    """Parse one cell by its column kind; raises _CellError with nothing (caller words the problem)."""
    kind = col.kind
    if kind == "text":
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
        # undo the guard write_databook puts before text that a spreadsheet would take for a formula
        text = text[1:] if text[:1] == "'" and text[1:2] in _FORMULA_STARTS else text
        return sys.intern(text)  # ids, names and products repeat on thousands of rows: keep one copy each
    if kind == "rating":
        try:
            return parse_rating(value)
        except KamInputError:
            raise _CellError from None
    if kind == "choice":
        text = str(value).strip()
        for choice in col.choices:
            if text.casefold() == choice.casefold():
                return choice
        raise _CellError
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(int(value) if isinstance(value, float) and value.is_integer() else value).strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _CellError
    if kind in ("year", "quarter"):
        number = _to_number(value, decimal_comma)
        if not number.is_integer():
            raise _CellError
        low, high = (1900, 2200) if kind == "year" else (1, 4)
        if not low <= number <= high:
            raise _CellError
        return int(number)
    number = _to_fraction(value, decimal_comma) if kind in ("fraction", "rate") else _to_number(value,
                                                                                              decimal_comma)
    if number < 0 or (kind == "fraction" and number > 1) or (kind == "score" and number > 100):
        raise _CellError
    return number


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def _parse_table(table: Table, src: _Source, problems: list[Problem]) -> list[Located]:
    header = [str(h).strip().casefold() if h is not None else "" for h in src.header]
    positions = {col.name: header.index(col.name) for col in table.columns if col.name in header}
    missing = [col.name for col in table.columns if col.required and col.name not in positions]
    if missing:
        problems.append(Problem(file=src.file, sheet=src.sheet, row=src.first_row - 1,
                                message=f"table {table.name} lacks column(s) {', '.join(missing)} — required: "
                                        f"{', '.join(c.name for c in table.columns if c.required)}"))
        return []
    parsed = []
    for offset, raw in enumerate(src.rows):
        row_number = src.first_row + offset
        if all(_empty(v) for v in raw):
            continue
        values: dict[str, Any] = {}
        cells: dict[str, str | None] = {}
        bad: set[str] = set()
        for col in table.columns:
            if col.name not in positions:
                values[col.name] = None
                continue
            i = positions[col.name]
            value = raw[i] if i < len(raw) else None
            if src.excel:  # CSV and Parquet have no cell addresses: keep no per-cell entries for them
                cells[col.name] = src.cell(i, row_number)
            if _empty(value):
                if col.required:
                    problems.append(Problem(file=src.file, sheet=src.sheet, row=row_number, column=col.name,
                                            cell=cells.get(col.name), value="",
                                            message=f"is empty — allowed: {_allowed(col)}"))
                values[col.name] = None
                continue
            try:
                values[col.name] = _parse_cell(col, value, src.decimal_comma)
            except _CellError:
                problems.append(Problem(file=src.file, sheet=src.sheet, row=row_number, column=col.name,
                                        cell=cells.get(col.name), value=_show(value),
                                        message=f"allowed: {_allowed(col)}"))
                values[col.name] = None
                bad.add(col.name)
        parsed.append(Located(values, row_number, cells, bad))
    return parsed


def _allowed(col: Column) -> str:
    return ALLOWED[col.kind].format(choices=", ".join(col.choices))


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------------------------------------- reading


def _read_csv(path: Path) -> tuple[list[str], list[list[Any]], bool]:
    text = path.read_text(encoding="utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else (
        "\t" if first_line.count("\t") > first_line.count(",") else ",")
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    if not rows:
        return [], [], delimiter == ";"
    return rows[0], rows[1:], delimiter == ";"


def _read_parquet(path: Path) -> tuple[list[str], list[list[Any]]]:
    try:
        import pandas as pd
        frame = pd.read_parquet(path)
    except ImportError as e:
        raise KamInputError(f"{path.name}: reading Parquet needs pyarrow — pip install 'kam-xl[parquet]' "
                            f"({e})") from None
    frame = frame.astype(object).where(frame.notna(), None)
    return [str(c) for c in frame.columns], frame.values.tolist()


def _sources(path: Path, problems: list[Problem]) -> dict[str, _Source]:
    """Find the table sources of a data book (xlsx or folder)."""
    found: dict[str, _Source] = {}
    if path.is_dir():
        files = {p.name.casefold(): p for p in path.iterdir() if p.is_file()}
        for name in TABLES:
            if f"{name}.csv" in files:
                p = files[f"{name}.csv"]
                try:
                    header, rows, comma = _read_csv(p)
                except (UnicodeDecodeError, csv.Error) as e:
                    problems.append(Problem(file=p.name, message=f"cannot be read as UTF-8 CSV ({e})"))
                    continue
                found[name] = _Source(p.name, None, header, rows, 2, decimal_comma=comma)
            elif f"{name}.parquet" in files:
                p = files[f"{name}.parquet"]
                try:
                    header, rows = _read_parquet(p)
                except KamInputError as e:
                    problems.append(Problem(file=p.name, message=str(e)))
                    continue
                except Exception as e:  # a damaged Parquet file: report, never a traceback
                    problems.append(Problem(file=p.name, message=f"cannot be read as Parquet ({e})"))
                    continue
                found[name] = _Source(p.name, None, header, rows, 2)
        return found
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types for damaged or foreign files
        problems.append(Problem(file=path.name, message=f"cannot be read as a workbook ({e}) — allowed: an "
                                                        ".xlsx with one sheet per table, or a folder of CSV"))
        return found
    sheets = {name.strip().casefold(): name for name in workbook.sheet_names}
    for name in TABLES:
        if name in sheets:
            data = workbook.get_sheet_by_name(sheets[name]).to_python(skip_empty_area=False)
            header = list(data[0]) if data else []
            found[name] = _Source(path.name, sheets[name], header, [list(r) for r in data[1:]], 2, excel=True)
    return found


# ----------------------------------------------------------------------------------------- the models


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


class DataBook(BaseModel):
    """A validated data book. Absent tables are ``None``; present tables are lists of their rows as dicts
    with typed values (column name → value)."""

    model_config = ConfigDict(frozen=True)

    source: str
    accounts: list[AccountRow]
    tables: dict[str, list[dict[str, Any]] | None]
    _by_account: dict[str, dict[str, list[dict[str, Any]]]] = PrivateAttr(default_factory=dict)

    def table(self, name: str) -> list[dict[str, Any]] | None:
        """Rows of table ``name``, or ``None`` if the data book has no such table."""
        return self.tables.get(name)

    def rows_for(self, name: str, account_id: str, **match: Any) -> list[dict[str, Any]]:
        """Rows of table ``name`` for one account (and further column values). Tables are indexed by account
        on first use, so looking up every account of a large data book stays linear."""
        index = self._by_account.get(name)
        if index is None:
            index = defaultdict(list)
            for r in self.table(name) or []:
                index[r["account_id"]].append(r)
            self._by_account[name] = index
        return [r for r in index.get(account_id, ()) if all(r[k] == v for k, v in match.items())]

    def cdb_years(self, account_id: str) -> list[int]:
        """Years with CDB data for an account, ascending."""
        return sorted({r["year"] for r in self.rows_for("cdb", account_id)})

    def cdb_input(self, account_id: str, year: int) -> tuple[CdbInput, list[ActivityLine]] | None:
        """The CDB amounts and activity lines of an account and year, or ``None`` if there are none."""
        rows = self.rows_for("cdb", account_id, year=year)
        if not rows:
            return None
        amounts = CdbInput(**{a: rows[0][a] for a in _AMOUNTS})
        activities = [ActivityLine(activity=r["activity"], stage=r["stage"],
                                   driver_quantity=r["driver_quantity"], cost_rate=r["cost_rate"])
                      for r in self.rows_for("activities", account_id, year=year)]
        return amounts, activities

    def kaop_rows(self, account_id: str, year: int, scenario: str
                  ) -> tuple[list[ProductQuarter], list[CostQuarter]]:
        """The KAOP product drivers and cost lines of an account, year and scenario."""
        products = [ProductQuarter(product=r["product"], quarter=r["quarter"], volume=r["volume"],
                                   price=r["price"], share_of_wallet=r["share_of_wallet"])
                    for r in self.rows_for("kaop_products", account_id, year=year, scenario=scenario)]
        costs = [CostQuarter(category=r["category"], quarter=r["quarter"], amount=r["amount"],
                             rate_of_revenue=r["rate_of_revenue"])
                 for r in self.rows_for("kaop_costs", account_id, year=year, scenario=scenario)]
        return products, costs

    def kaop_years(self, account_id: str, scenario: str = "plan") -> list[int]:
        """Years with KAOP rows of a scenario for an account, ascending."""
        rows = self.rows_for("kaop_products", account_id, scenario=scenario) + self.rows_for(
            "kaop_costs", account_id, scenario=scenario)
        return sorted({r["year"] for r in rows})

    def kgb_cards(self, account_id: str) -> list[KgbCard]:
        """The Kgb cards of an account, one per segment, in data order."""
        account = next(a for a in self.accounts if a.account_id == account_id)
        by_segment: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.rows_for("kgb", account_id):
            by_segment[r["segment"]].append(r)
        cards = []
        for segment, rows in by_segment.items():
            criteria = list(dict.fromkeys(r["criterion"] for r in rows))
            weight = {r["criterion"]: r["weight"] for r in rows}
            ratings: dict[str, dict[str, float | None]] = {}
            for r in rows:
                ratings.setdefault(r["supplier"], {})[r["criterion"]] = r["rating"]
            own = next(r["supplier"] for r in rows if r["own"])
            cards.append(KgbCard(account_id=account_id, segment=segment, own_supplier=own, ratings=ratings,
                                 criteria=[KgbCriterion(name=c, weight=weight[c]) for c in criteria],
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

    def resource_cells(self) -> list[ResourceCell]:
        """The resource distribution cells (``account_id=None`` for Small Accounts)."""
        return [ResourceCell(**{k: v for k, v in r.items()}) for r in self.table("resources") or []]

    def market_sizes(self) -> dict[str, float]:
        """Market size per region."""
        return {r["region"]: r["market_size"] for r in self.table("regions") or []}


# --------------------------------------------------------------------------------- rules across rows

Check = Callable[[str, list[Located], dict[str, list[Located]], _Source, list[Problem], Catalogue], None]


def _problem(src: _Source, row: Located, column: str, message: str, value: Any = None) -> Problem:
    return Problem(file=src.file, sheet=src.sheet, row=row.row, column=column, cell=row.cells.get(column),
                   value=None if value is None else _show(value), message=message)


def _check_keys(table: Table, rows: list[Located], src: _Source, problems: list[Problem]) -> None:
    seen: dict[tuple[Any, ...], int] = {}
    for r in rows:
        if not table.key:
            return
        key = tuple(r.values[k] for k in table.key)
        if any(v is None for v, k in zip(key, table.key, strict=True) if k != "account_id" or
               table.name != "resources"):
            continue
        if key in seen:
            shown = ", ".join(f"{k}={v if v is not None else '(empty)'}" for k, v in zip(table.key, key,
                                                                                         strict=True))
            problems.append(Problem(file=src.file, sheet=src.sheet, row=r.row,
                                    message=f"duplicate row for {shown} — first given in row {seen[key]}; "
                                            "allowed: one row each"))
        else:
            seen[key] = r.row


def _check_accounts(tables: dict[str, list[Located]], sources: dict[str, _Source],
                    problems: list[Problem]) -> None:
    ids = {r.values["account_id"] for r in tables["accounts"]}
    for name, rows in tables.items():
        if name == "accounts" or "account_id" not in {c.name for c in TABLES[name].columns}:
            continue
        for r in rows:
            aid = r.values.get("account_id")
            if aid is not None and aid not in ids:
                problems.append(_problem(sources[name], r, "account_id",
                                         "unknown account — allowed: an account_id of the accounts table", aid))
    for r in tables["accounts"]:
        cur = r.values.get("currency")
        if cur is not None and not re.fullmatch(r"[A-Z]{3}", cur):
            problems.append(_problem(sources["accounts"], r, "currency",
                                     "allowed: a three-letter ISO currency code such as EUR", cur))


def _check_costs(rows: list[Located], src: _Source, problems: list[Problem]) -> None:
    for r in rows:
        if r.bad & {"amount", "rate_of_revenue"}:
            continue  # an unreadable value is reported once, where it stands
        if (r.values["amount"] is None) == (r.values["rate_of_revenue"] is None):
            problems.append(Problem(file=src.file, sheet=src.sheet, row=r.row, column="amount",
                                    cell=r.cells.get("amount"),
                                    message="give exactly one of amount and rate_of_revenue"))


def _check_kgb(rows: list[Located], src: _Source, problems: list[Problem]) -> None:
    cards: dict[tuple[str, str], list[Located]] = defaultdict(list)
    for r in rows:
        if r.values["account_id"] is not None and r.values["segment"] is not None:
            cards[(r.values["account_id"], r.values["segment"])].append(r)
    for (aid, segment), card in cards.items():
        weights: dict[str, float] = {}
        for r in card:
            c, w = r.values["criterion"], r.values["weight"]
            if c is None or w is None:
                continue
            if c in weights and weights[c] != w:
                problems.append(_problem(src, r, "weight", f"weight of {c!r} in card {aid}/{segment} differs "
                                         f"from {weights[c]:g} given before — allowed: the same weight on "
                                         "every supplier row", w))
            weights.setdefault(c, w)
        if any("weight" in r.bad for r in card):
            continue  # the unreadable weight is reported where it stands; its sum would only repeat it
        try:
            normalise_weights(list(weights.values()))
        except KamInputError as e:
            problems.append(Problem(file=src.file, sheet=src.sheet, row=card[0].row, column="weight",
                                    cell=card[0].cells.get("weight"), message=f"card {aid}/{segment}: {e}"))
        own = {r.values["supplier"] for r in card if r.values["own"]}
        if len(own) != 1:
            problems.append(Problem(file=src.file, sheet=src.sheet, row=card[0].row, column="own",
                                    message=f"card {aid}/{segment} marks {len(own)} suppliers as own "
                                            f"({', '.join(sorted(own)) or 'none'}) — allowed: exactly one"))


def _check_excellence(rows: list[Located], src: _Source, problems: list[Problem], cat: Catalogue) -> None:
    known = {r.criterion.id for r in cat.criteria()}
    roles: dict[str, str | None] = {}
    for r in rows:
        cid = r.values["criterion_id"]
        if cid is not None and cid not in known:
            problems.append(_problem(src, r, "criterion_id", f"unknown criterion — allowed: an id of catalogue "
                                     f"{cat.id} {cat.version} such as SW-2.1", cid))
        who, role = r.values["respondent"], r.values["role"]
        if who in roles and role != roles[who]:
            problems.append(_problem(src, r, "role", f"respondent {who!r} has role {roles[who]!r} in an "
                                     "earlier row — allowed: one role per respondent", role))
        roles.setdefault(who, role)


def _check_regions(tables: dict[str, list[Located]], sources: dict[str, _Source],
                   problems: list[Problem]) -> None:
    if "resources" not in tables or "regions" not in tables:
        return
    regions = {r.values["region"] for r in tables["regions"]}
    for r in tables["resources"]:
        if r.values["region"] is not None and r.values["region"] not in regions:
            problems.append(_problem(sources["resources"], r, "region",
                                     f"region not in the regions table — allowed: {', '.join(sorted(regions))}",
                                     r.values["region"]))


def read_databook(path: str | Path, catalogue: Catalogue | None = None) -> DataBook:
    """Read and validate a data book (``.xlsx`` with one sheet per table, or a folder of CSV/Parquet files).

    Raises :class:`DataBookError` with every problem found.
    """
    path = Path(path)
    catalogue = catalogue or load_catalogue()
    if not path.exists():
        raise DataBookError([Problem(file=str(path), message="does not exist — allowed: an .xlsx data book "
                                                             "or a folder of CSV files")])
    if path.is_file() and path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise DataBookError([Problem(file=path.name, message="is not a data book — allowed: an .xlsx/.xlsm "
                                                             "workbook or a folder of CSV/Parquet files")])
    problems: list[Problem] = []
    sources = _sources(path, problems)
    opened = path.is_dir() or not problems  # a workbook that could not be opened has no tables to miss
    if "accounts" not in sources and opened:
        problems.append(Problem(file=path.name, message="has no accounts table — required: a sheet or file "
                                                        "'accounts' with " + ", ".join(
                                                            c.name for c in TABLES["accounts"].columns)))
    tables = {}
    for name, src in sources.items():
        tables[name] = _parse_table(TABLES[name], src, problems)
        src.rows = []  # the raw cells are parsed: let them go before the next table (peak memory)
    for name, rows in tables.items():
        _check_keys(TABLES[name], rows, sources[name], problems)
    if "accounts" in tables:
        _check_accounts(tables, sources, problems)
    if "kaop_costs" in tables:
        _check_costs(tables["kaop_costs"], sources["kaop_costs"], problems)
    if "kgb" in tables:
        _check_kgb(tables["kgb"], sources["kgb"], problems)
    if "excellence" in tables:
        _check_excellence(tables["excellence"], sources["excellence"], problems, catalogue)
    _check_regions(tables, sources, problems)
    if problems:
        order = {name: i for i, name in enumerate(TABLES)}

        def position(p: Problem) -> tuple[int, int]:
            table = (p.sheet or p.file).lower().removesuffix(".csv").removesuffix(".parquet")
            return order.get(table, -1), p.row or 0

        raise DataBookError(sorted(problems, key=position))
    accounts = [AccountRow(**{k: v for k, v in r.values.items() if v is not None}) for r in tables["accounts"]]
    for r in tables.get("portfolio", []):
        if r.values["margin_factor"] is None:
            r.values["margin_factor"] = 1.0
    parsed = {name: ([r.values for r in tables.pop(name)] if name in tables else None) for name in TABLES}
    # every value is checked above: construct without pydantic copying ~100k row dicts once more
    return DataBook.model_construct(source=str(path), accounts=accounts, tables=parsed)


# ---------------------------------------------------------------------------------------------- writing


def _csv_value(value: Any) -> str:
    """A value as CSV text. Text that Excel would read as a formula (``=``, ``+``, ``-``, ``@`` first) gets a
    leading apostrophe, which :func:`read_databook` removes again, so data never turns into a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    return "'" + text if text[:1] in _FORMULA_STARTS else text


def write_databook(db: DataBook, path: str | Path, replace: bool = False) -> Path:
    """Write a data book as ``.xlsx`` (one sheet per table) or, for any other path, as a folder of CSV files.

    Text is always written as text (a name beginning with ``=`` stays a name, never a formula). Files are
    written atomically; an existing non-empty folder or an existing file is refused, never overwritten —
    except an existing .xlsx with ``replace=True`` (for kam_xl's own outputs), which is replaced atomically.
    """
    from kam_xl.files import write_atomic

    path = Path(path)
    if path.exists() and not (replace and path.is_file() and path.suffix.lower() == ".xlsx") and (
            path.is_file() or any(path.iterdir())):
        raise KamInputError(f"{path} already exists — allowed: a new .xlsx file or an empty folder")
    tables = {"accounts": [a.model_dump() for a in db.accounts]}
    tables.update({k: v for k, v in db.tables.items() if v is not None and k != "accounts"})
    if path.suffix.lower() == ".xlsx":
        def write(tmp: Path) -> None:
            import xlsxwriter

            wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False})
            bold = wb.add_format({"bold": True})
            for name, rows in tables.items():
                ws = wb.add_worksheet(name)
                cols = TABLES[name].columns
                for j, col in enumerate(cols):
                    ws.write_string(0, j, col.name, bold)
                    ws.set_column(j, j, max(12, len(col.name) + 2))
                for i, row in enumerate(rows, start=1):
                    for j, col in enumerate(cols):
                        value = row.get(col.name)
                        if value is None:
                            continue
                        if isinstance(value, bool):
                            ws.write_boolean(i, j, value)
                        elif isinstance(value, int | float):
                            ws.write_number(i, j, value)
                        else:
                            ws.write_string(i, j, str(value))
                ws.freeze_panes(1, 0)
            wb.close()

        return write_atomic(path, write)
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        cols = [c.name for c in TABLES[name].columns]

        def write_csv(tmp: Path, rows: list[dict[str, Any]] = rows, cols: list[str] = cols) -> None:
            with tmp.open("w", encoding="utf-8", newline="") as f:
                w = csv.writer(f)
                w.writerow(cols)
                w.writerows([_csv_value(r.get(c)) for c in cols] for r in rows)

        write_atomic(path / f"{name}.csv", write_csv)
    return path


def demo_databook() -> DataBook:
    """The demo data set that ships with the package (a fictional German supplier of process chemicals)."""
    from importlib import resources as importlib_resources

    folder = importlib_resources.files("kam_xl") / "demo_data"
    with importlib_resources.as_file(folder) as p:
        return read_databook(p)
