"""generate says which files of its output folder it leaves as they are because they are nobody's in the data book
— a plan of an account the data book does not hold, a workbook that is not kam_xl's, a damaged file, another
spreadsheet whose name names no account — so that a sales controller is not left wondering why a file was not
regenerated. Not a fault of the run: the exit code is as without them."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
from shared import run_cli

from benchmarks.synthetic import write_synthetic


def test_files_nobody_owns_are_named_and_left_as_they_are(demo_plans_copy: Path, tmp_path: Path) -> None:
    plans = demo_plans_copy
    _, other = write_synthetic(3, tmp_path / "other_book")  # another data book: accounts KA-0001 …
    assert run_cli("generate", "--data", str(other), "--out", str(tmp_path / "other")).exit_code == 0
    stranger = next((tmp_path / "other").glob("KA-0002_*.xlsx"))
    shutil.copy(stranger, plans / stranger.name)
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Umsatz"
    wb.save(plans / "Umsatzplanung 2027.xlsx")
    (plans / "kaputt.xlsx").write_bytes(b"PK\x03\x04 not a zip archive")
    (plans / "Preise.ods").write_bytes(b"not read")
    (plans / "Fragebogen" / "fremd.xlsx").write_bytes(b"garbage")
    assert run_cli("demo-data", str(plans / "Daten.xlsx")).exit_code == 0  # the data book kept beside the plans
    before = {p.name: p.read_bytes() for p in (plans / stranger.name, plans / "kaputt.xlsx")}
    result = run_cli("generate", "--data", str(plans / "Daten.xlsx"), "--out", str(plans), "--questionnaires")
    assert result.exit_code == 0  # nothing the run could not do
    said = " ".join(result.stderr.split())
    assert ("Im Ausgabeordner gelassen, wie sie sind — keinem Account des Datenbuchs zuzuordnen (5): "
            f"• {stranger.name}: the account plan of account KA-0002, which the data book does not hold "
            "• Preise.ods: an OpenDocument spreadsheet (.ods) whose name names no account "
            "• Umsatzplanung 2027.xlsx: not a kam_xl workbook "
            "• kaputt.xlsx: damaged or not an .xlsx file (not a zip archive) "
            "• Fragebogen/fremd.xlsx: damaged or not an .xlsx file (not a zip archive)") in said
    assert "Daten.xlsx" not in said and "Controller.xlsm" not in said  # the data book and kam_xl's own outputs
    shutil.copy(plans / "Daten.xlsx", plans / "Daten alt.xlsx")  # another data book kept there: said to be one
    older = run_cli("generate", "--data", str(plans / "Daten.xlsx"), "--out", str(plans))
    assert "• Daten alt.xlsx: a data book, not a plan" in " ".join(older.stderr.split())
    assert {p.name: p.read_bytes() for p in (plans / stranger.name, plans / "kaputt.xlsx")} == before
    english = run_cli("generate", "--data", str(plans / "Daten.xlsx"), "--out", str(plans), "--lang", "en")
    assert "Left as they are in the output folder — nobody's in the data book (5):" in " ".join(
        english.stderr.split())  # without --questionnaires the questionnaire folder is not looked at
