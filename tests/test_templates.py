"""The shipped templates in workbook_templates/ are exactly what the code builds."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from kam_xl.cli import app
from kam_xl.workbook.templates import template_books

SHIPPED = Path(__file__).resolve().parents[1] / "workbook_templates"


def test_shipped_templates_are_current(tmp_path):
    result = CliRunner().invoke(app, ["templates", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    built = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    assert built == sorted(template_books()) == sorted(p.name for p in SHIPPED.glob("*.xlsx"))
    for name in built:
        new, old = zipfile.ZipFile(tmp_path / name), zipfile.ZipFile(SHIPPED / name)
        assert new.namelist() == old.namelist(), name
        stale = [part for part in new.namelist() if new.read(part) != old.read(part)]
        assert stale == [], f"workbook_templates/{name} is stale in {stale}: run `kam-xl templates`"


def test_templates_are_empty_protected_and_named():
    wb = openpyxl.load_workbook(SHIPPED / "account_plan_de.xlsx")
    assert wb.sheetnames == ["Deckblatt", "Kgb", "CDB", "KAOP", "Excellence", "Buying Center", "Kontaktmatrix",
                             "Touchpoints", "Team-RACI", "SWOT", "KASP", "Lieferantenposition", "_meta",
                             "xlwings.conf"]
    assert wb["_meta"].sheet_state == wb["xlwings.conf"].sheet_state == "hidden"
    assert all(wb[s].protection.sheet for s in wb.sheetnames)
    cover = wb["Deckblatt"]
    assert cover["B3"].value is None  # no account data in a template
    assert {"cdb_in_gross_sales", "cdb_cdb_iii", "acc_status", "kgb_1_ratings", "meta_template_id"} <= set(
        wb.defined_names)


def test_written_files_get_normal_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        CliRunner().invoke(app, ["templates", "--out", str(tmp_path)])
    finally:
        os.umask(mask)
    assert oct((tmp_path / "account_plan_de.xlsx").stat().st_mode & 0o777) == "0o644"
