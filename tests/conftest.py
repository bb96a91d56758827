"""Shared builders for data-book tests: small data books written as .xlsx (openpyxl) or as CSV folders.

A data book is given as ``{table: [header, row, row, ...]}``; ``None`` is an empty cell.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

Sheets = dict[str, list[list[Any]]]

ACCOUNTS_HEADER = ["account_id", "name", "region", "business_unit", "kam", "currency", "plan_year", "supplier_role"]
CDB_HEADER = ["account_id", "year", "gross_sales", "deductions", "product_cost", "freight", "development_cost",
              "production_cost", "service_cost", "sales_cost"]
KGB_HEADER = ["account_id", "segment", "criterion", "weight", "supplier", "own", "rating"]
KAOP_COSTS_HEADER = ["account_id", "year", "scenario", "quarter", "category", "amount", "rate_of_revenue"]
KAOP_PRODUCTS_HEADER = ["account_id", "year", "scenario", "quarter", "product", "volume", "price",
                        "share_of_wallet"]
EXCELLENCE_HEADER = ["respondent", "role", "criterion_id", "rating", "evidence"]

# Five mistakes of five kinds, one each (row numbers count the header as row 1, as in Excel):
#   cdb row 3, gross_sales (C3) = "viel"              — not a number
#   cdb row 4, account_id (A4) = "A-9"                — unknown account
#   kgb card A-1/Retention: weights 40 + 50 = 90      — neither 1 nor 100 (first row of the card: 2)
#   kaop_costs row 3: amount 500 and rate 0.2 (F3)    — both given
#   excellence row 3, rating (D3) = 60                — not on the scale
FIVE_MISTAKES: Sheets = {
    "accounts": [ACCOUNTS_HEADER,
                 ["A-1", "Alpha Papier AG", "Nord", None, None, "EUR", 2025, None],
                 ["A-2", "Beta Karton GmbH", "Süd", None, None, "EUR", 2025, None]],
    "cdb": [CDB_HEADER,
            ["A-1", 2025, 1000, 10, 100, 10, 10, 10, 10, 10],
            ["A-1", 2024, "viel", 10, 100, 10, 10, 10, 10, 10],
            ["A-9", 2025, 1000, 10, 100, 10, 10, 10, 10, 10]],
    "kgb": [KGB_HEADER,
            ["A-1", "Retention", "Preis", 40, "Wir", True, 80],
            ["A-1", "Retention", "Preis", 40, "Die", False, 60],
            ["A-1", "Retention", "Service", 50, "Wir", True, 70],
            ["A-1", "Retention", "Service", 50, "Die", False, 90]],
    "kaop_costs": [KAOP_COSTS_HEADER,
                   ["A-1", 2025, "plan", 1, "sales_staff", 1000, None],
                   ["A-1", 2025, "plan", 1, "freight", 500, 0.2]],
    "excellence": [EXCELLENCE_HEADER,
                   ["Anna Berg", "KAM", "SW-1.1", 75, "Strategiepapier"],
                   ["Anna Berg", "KAM", "SW-1.2", 60, None]],
}


def write_xlsx(path: Path, sheets: Sheets) -> Path:
    """Write ``sheets`` as an .xlsx workbook, one sheet per table, header in row 1."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv_folder(folder: Path, sheets: Sheets, delimiter: str = ",") -> Path:
    """Write ``sheets`` as a folder of ``<table>.csv`` files (values must not contain the delimiter)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        lines = [delimiter.join(_csv_text(v) for v in row) for row in rows]
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def five_mistakes_xlsx(tmp_path: Path) -> Path:
    """The five-mistake data book as ``five.xlsx``."""
    return write_xlsx(tmp_path / "five.xlsx", FIVE_MISTAKES)


@pytest.fixture
def five_mistakes_csv(tmp_path: Path) -> Path:
    """The five-mistake data book as a folder of CSV files."""
    return write_csv_folder(tmp_path / "five", FIVE_MISTAKES)


class Books:
    """What tests need to build data books, handed out by the ``books`` fixture (so that test files need not
    import conftest)."""

    accounts_header = ACCOUNTS_HEADER
    cdb_header = CDB_HEADER
    kgb_header = KGB_HEADER
    kaop_costs_header = KAOP_COSTS_HEADER
    kaop_products_header = KAOP_PRODUCTS_HEADER
    excellence_header = EXCELLENCE_HEADER
    write_xlsx = staticmethod(write_xlsx)
    write_csv_folder = staticmethod(write_csv_folder)

    @property
    def five_mistakes(self) -> Sheets:
        """A fresh copy of the five-mistake data book."""
        return copy.deepcopy(FIVE_MISTAKES)


@pytest.fixture
def books() -> Books:
    """Builders, headers and the five-mistake data book."""
    return Books()


@pytest.fixture(scope="session")
def demo_plans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company's 14 account plans and 3 questionnaires (``Fragebogen/``) as ``generate_all(None, out,
    questionnaires=True)`` writes them into an empty folder (no controller), generated once per test process.

    Shared by every test of the process: never change it — copy it first (``shutil.copytree(demo_plans, …)``)."""
    from kam_xl.batch import generate_all

    out = tmp_path_factory.mktemp("demo_plans") / "out"
    assert [r.status for r in generate_all(None, out, questionnaires=True)] == ["new"] * (14 + 3)
    return out


@pytest.fixture
def demo_plans_copy(demo_plans: Path, tmp_path: Path) -> Path:
    """A fresh copy of :func:`demo_plans` (``tmp_path/plans``) for a test to change."""
    folder = tmp_path / "plans"
    shutil.copytree(demo_plans, folder)
    return folder


@pytest.fixture
def default_limits(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The read limits (kam_xl.package.PackageLimits) as shipped: no KAM_XL_MAX_* from the environment, the cached
    limits read afresh before and after the test."""
    from kam_xl.package import PackageLimits, current_limits

    for name in PackageLimits.model_fields:
        monkeypatch.delenv(f"KAM_XL_{name.upper()}", raising=False)
    current_limits.cache_clear()
    yield
    current_limits.cache_clear()
