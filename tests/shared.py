"""Helpers and reference data shared by several test files (imported as ``from shared import …``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openpyxl
from typer.testing import CliRunner, Result

from kam_xl.cli import app
from kam_xl.kaop import CostQuarter, ProductQuarter
from kam_xl.testing.recalc import error_cells
from kam_xl.workbook.layout import Book
from kam_xl.workbook.people_common import sheet_names

# Tabelle 8 of seed 000 ("Wirtschaftliches und markterfolgsbezogenes Zielgerüst im KAM am Beispiel eines
# Chemieunternehmens"): the drivers as printed in the table.
DYE_VOLUME = (20, 24, 24, 22)
DYE_PRICE = (9_800, 9_800, 9_780, 9_780)
RF_VOLUME = (1_000, 1_125, 1_200, 1_205)
SALES_STAFF = (30_000, 29_000, 29_500, 27_800)
TECH_SERVICE = (153_000, 258_000, 80_000, 134_000)
RATES = {"freight": 0.20, "product_cost": 0.60, "other": 0.08}


def tabelle_8() -> tuple[list[ProductQuarter], list[CostQuarter]]:
    """The plan of Tabelle 8 as product drivers and cost lines (shares of wallet in the table's last rows)."""
    products = [ProductQuarter(product="Dyestuffs", quarter=q, volume=v, price=p, share_of_wallet=s)
                for q, v, p, s in zip((1, 2, 3, 4), DYE_VOLUME, DYE_PRICE, (0.25, 0.26, 0.26, 0.29), strict=True)]
    products += [ProductQuarter(product="Retention/Fixation", quarter=q, volume=v, price=2_300, share_of_wallet=s)
                 for q, v, s in zip((1, 2, 3, 4), RF_VOLUME, (0.30, 0.32, 0.32, 0.32), strict=True)]
    costs = []
    for q in (1, 2, 3, 4):
        costs += [CostQuarter(category="sales_staff", quarter=q, amount=SALES_STAFF[q - 1]),
                  CostQuarter(category="tech_service", quarter=q, amount=TECH_SERVICE[q - 1])]
        costs += [CostQuarter(category=c, quarter=q, rate_of_revenue=r) for c, r in RATES.items()]
    return products, costs


def type_into(path: Path, name: str, value: Any, row: int = 0, col: int = 0) -> None:
    """Type a value into the cell a defined name points to (or the cell at row/col inside a named block), as a
    KAM would, with openpyxl (a macro-enabled workbook keeps its VBA project)."""
    type_values(path, {(name, row, col): value})


def type_values(path: Path, values: Mapping[str | tuple[str, int, int], Any]) -> None:
    """Type several values as :func:`type_into` does, in one opening and saving of the workbook (each opening of a
    controller costs about a second): ``{name: value}`` or ``{(name, row, col): value}``, typed in that order."""
    wb = openpyxl.load_workbook(path, keep_vba=Path(path).suffix.lower() == ".xlsm")
    for key, value in values.items():
        name, row, col = (key, 0, 0) if isinstance(key, str) else key
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        cell = wb[sheet][ref.replace("$", "").split(":")[0]]
        wb[sheet].cell(cell.row + row, cell.column + col).value = value
    wb.save(path)


def plan_error_cells(book: Book, values: Mapping[str, Mapping[str, object]]) -> list[str]:
    """The error values (:func:`error_cells`, ``"Sheet!A1: #DIV/0!"``) of a recalculated account plan ``book``
    but the ``#N/A`` the Buying-Center-Map's helper columns hold by design (a point outside its series) — only
    there, and only where the layout's cached value says ``#N/A`` too; any other error value is returned."""
    map_sheet = sheet_names(book.lang)["buying_center"]
    by_design = {f"{s}!{c.address}: #N/A" for s, c in book.formula_cells() if s == map_sheet and c.cached == "#N/A"}
    return [e for e in error_cells(values) if e not in by_design]


def run_cli(*args: str) -> Result:
    """``kam-xl ARGS`` run in-process; any exception other than the exit is a failure (it would be a traceback)."""
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result
