"""The export holds every input of every sheet, and generate brings it back; collect never fills a real
company's controller with demo data (issue 9 §8)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from kam_xl.batch import DEMO_DATA_BOOK, databook_of_plans, databook_reference, generate_all
from kam_xl.cli import app
from kam_xl.databook import demo_databook, read_databook
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.layout import input_values
from kam_xl.workbook.names import read_named

runner = CliRunner()
PAYLOAD = '=HYPERLINK("http://x","y")'


def _type(path: Path, entries: list[tuple[str, Any, int, int]]) -> None:
    """Type several values (name, value, row, col inside the named block) in one openpyxl session."""
    wb = openpyxl.load_workbook(path)
    for name, value, row, col in entries:
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        cell = wb[sheet][ref.replace("$", "").split(":")[0]]
        target = wb[sheet].cell(cell.row + row, cell.column + col)
        target.value = value
        if isinstance(value, str):
            target.data_type = "s"  # text as a KAM types it with a leading ' — openpyxl would make '=…' a formula
    wb.save(path)


def _filled(value: Any) -> Any:
    """A named block without its empty rows (a single value as it is)."""
    if isinstance(value, list):
        return [row for row in value if any(v is not None for v in row)]
    return value


INPUTS = [
    ("acc_status", "abgegeben", 0, 0),
    ("acc_supplier_role", "Systempartner", 0, 0),
    ("kaop_threshold_green", 1.05, 0, 0),
    ("kaop_threshold_amber", 0.9, 0, 0),
    ("kaop_goals", "Neukunde Werk Süd", 0, 0), ("kaop_goals", "Umsatz", 0, 1), ("kaop_goals", "T€", 0, 2),
    ("kaop_goals", 120, 0, 3), ("kaop_goals", -5, 0, 4), ("kaop_goals", 80, 0, 7),
    ("kaop_measures", PAYLOAD, 0, 0), ("kaop_measures", "Preis", 0, 1), ("kaop_measures", "Jörg Weiß", 0, 2),
    ("kaop_measures", "2 FTE", 0, 3), ("kaop_measures", 3, 0, 4), ("kaop_measures", "in Arbeit", 0, 5),
    ("exc_LM_ratings", "75 – trifft im Wesentlichen zu", 0, 0), ("exc_LM_evidence", "Jahresgespräch 2025", 0, 0),
    ("cdb_in_freight", 12_345.5, 0, 0),
]


def test_every_input_is_exported_and_generate_brings_it_back(tmp_path):
    plans = tmp_path / "plans"
    list(generate_all(None, plans))
    plan = next(plans.glob("KA-003_*.xlsx"))
    _type(plan, INPUTS)
    typed = read_named(plan)

    export = tmp_path / "export"  # a folder of CSV files: the guarded writer, the strict reader
    result = runner.invoke(app, ["collect", str(plans), "--export", str(export)])
    assert result.exit_code == 0, result.output
    assert "Die Pläne wurden aus den Demodaten erzeugt: deren Datenbuch füllt die übrigen Blätter" in result.stdout

    db = read_databook(export)
    assert db.account("KA-003").status == "abgegeben"
    assert db.account("KA-003").supplier_role == "Systempartner"
    assert db.rows_for("kaop_settings", "KA-003") == [
        {"account_id": "KA-003", "year": 2026, "threshold_green": 1.05, "threshold_amber": 0.9}]
    assert db.rows_for("kaop_goals", "KA-003") == [
        {"account_id": "KA-003", "year": 2026, "goal": "Neukunde Werk Süd", "metric": "Umsatz", "unit": "T€",
         "target_q1": 120.0, "target_q2": -5.0, "target_q3": None, "target_q4": None,
         "actual_q1": 80.0, "actual_q2": None, "actual_q3": None, "actual_q4": None}]
    assert db.rows_for("kaop_measures", "KA-003") == [
        {"account_id": "KA-003", "year": 2026, "measure": PAYLOAD, "lever": "Preis", "owner": "Jörg Weiß",
         "resources": "2 FTE", "due_quarter": 3, "status": "in Arbeit",
         "kasp_project": "Rahmenvertrag Gruppe", "swot_entry": "Mehrjahresvertrag mit Preisgleitklausel"}]  # demo's
    [own] = [r for r in db.table("excellence") if r["respondent"] == "KA-003"]
    assert (own["role"], own["rating"], own["evidence"]) == ("Account-Plan", 75.0, "Jahresgespräch 2025")
    assert db.cdb_input("KA-003", 2025)[0].freight == 12_345.5
    # in the file the KAM's formula-like measure is guarded text
    measures = (export / "kaop_measures.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in measures

    again = tmp_path / "again"
    result = runner.invoke(app, ["generate", "--data", str(export), "--out", str(again)])
    assert result.exit_code == 0, result.output
    back = read_named(next(again.glob("KA-003_*.xlsx")))
    for name in ("acc_status", "acc_supplier_role", "kaop_threshold_green", "kaop_threshold_amber", "kaop_goals",
                 "kaop_measures", "exc_LM_ratings", "exc_LM_evidence", "cdb_in_freight", "kaop_year"):
        assert _filled(back.values[name]) == _filled(typed.values[name]), name
    # every input of every sheet is the same (an input table leaves its free rows after the rows given, so a
    # block may have grown by empty rows): nothing typed got lost, nothing came from elsewhere. (Computed cells
    # are not compared: openpyxl, which typed the inputs, drops their cached values.)
    demo = demo_databook()
    for account in demo.accounts:
        names = input_values(account_plan(AccountPlanData.from_databook(demo, account.account_id))).keys()
        assert len(names) > 40
        before = typed if account.account_id == "KA-003" else read_named(next(plans.glob(f"{account.account_id}_*")))
        after = back if account.account_id == "KA-003" else read_named(next(again.glob(f"{account.account_id}_*")))
        assert {k: _filled(after.values[k]) for k in names} == {k: _filled(before.values[k]) for k in names}
    assert back.meta["data_book"] == str(export.resolve())


ACCOUNTS = "account_id,name,region,business_unit,kam,currency,plan_year,supplier_role\n"


def _company(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "accounts.csv").write_text(ACCOUNTS + "RC-1,Rheinchemie AG,West,,,EUR,2026,\n"
                                                    "RC-2,Moselglas GmbH,West,,,EUR,2026,\n", encoding="utf-8")
    (folder / "cdb.csv").write_text(
        "account_id,year,gross_sales,deductions,product_cost,freight,development_cost,production_cost,"
        "service_cost,sales_cost\nRC-1,2025,1000000,0,500000,0,0,0,0,0\nRC-2,2025,800000,0,400000,0,0,0,0,0\n",
        encoding="utf-8")
    return folder


def _controller_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                     if v is not None)


def test_collect_without_data_uses_the_plans_data_book_never_the_demo(tmp_path):
    book = _company(tmp_path / "rheinchemie")
    plans = tmp_path / "plans"
    assert runner.invoke(app, ["generate", "--data", str(book), "--out", str(plans)]).exit_code == 0
    assert {read_named(p).meta["data_book"] for p in plans.glob("RC-*.xlsx")} == {str(book.resolve())}

    result = runner.invoke(app, ["collect", str(plans)])
    assert result.exit_code == 0, result.output
    assert f"Datenbuch, aus dem die Pläne erzeugt wurden: {book.resolve()}" in result.stdout
    text = _controller_text(plans / "Controller.xlsm")
    assert "Rheinchemie AG" in text and "Moselglas GmbH" in text
    assert "KA-001" not in text and "Papierfabrik" not in text  # none of the 14 demo accounts

    book.rename(tmp_path / "moved")  # the data book is gone: only what the plans hold, and said so
    result = runner.invoke(app, ["collect", str(plans)])
    assert result.exit_code == 0, result.output
    assert (f"Kein Datenbuch (das Datenbuch, aus dem sie erzeugt wurden ({book.resolve()}), gibt es nicht mehr): "
            "konsolidiert wird nur, was die Pläne enthalten — --data gibt eines an") in result.stdout
    text = _controller_text(plans / "Controller.xlsm")
    assert "Rheinchemie AG" in text and "KA-001" not in text and "Papierfabrik" not in text


def test_collect_errors_csv_guards_what_a_kam_typed(tmp_path):
    plans = tmp_path / "plans"
    book = _company(tmp_path / "rheinchemie")
    assert runner.invoke(app, ["generate", "--data", str(book), "--out", str(plans)]).exit_code == 0
    _type(next(plans.glob("RC-1_*.xlsx")), [("cdb_in_freight", "+cmd|' /C calc'!A0", 0, 0)])
    result = runner.invoke(app, ["collect", str(plans)])
    assert result.exit_code == 2
    rows = list(csv.reader((plans / "collect_errors.csv").read_text(encoding="utf-8-sig").splitlines(),
                           delimiter=";"))
    assert rows[1][2:] == ["B8", "'+cmd|' /C calc'!A0", "allowed: an amount ≥ 0"]


@pytest.mark.parametrize(("references", "expected"), [
    ([], None), (["demo", "demo"], DEMO_DATA_BOOK), (["/d/book.xlsx", "/d/book.xlsx"], "/d/book.xlsx"),
    (["/d/book.xlsx", "/d/other.xlsx"], None), (["/d/book.xlsx", ""], None), (["", ""], None)])
def test_the_data_book_of_plans_is_the_one_they_all_name(references, expected):
    assert databook_of_plans(references) == expected


def test_a_recorded_url_carries_no_credentials():
    assert databook_reference("https://kam:geheim@files.example:8443/db.xlsx?v=2") == \
        "https://files.example:8443/db.xlsx?v=2"


def test_the_export_keeps_the_account_fields_a_plan_does_not_carry(tmp_path):
    """generate → collect → export → generate again → collect: the KAM span (no plan sheet holds it) comes from
    the data book each time; the target supplier role (the position sheet's input) is what the KAM typed."""
    book = _company(tmp_path / "book")  # with its CDB; the accounts with a span and a target role
    (book / "accounts.csv").write_text(
        "account_id,name,region,business_unit,kam,currency,plan_year,supplier_role,target_supplier_role,kam_span\n"
        "RC-1,Rheinchemie AG,West,,,EUR,2026,Stammlieferant,Vorzugslieferant,global\n"
        "RC-2,Moselglas GmbH,West,,,EUR,2026,,,regional\n", encoding="utf-8")
    plans = tmp_path / "plans"
    assert runner.invoke(app, ["generate", "--data", str(book), "--out", str(plans)]).exit_code == 0
    _type(next(plans.glob("RC-2_*.xlsx")), [("pos_target_role", "Systempartner", 0, 0)])

    export = tmp_path / "export"
    result = runner.invoke(app, ["collect", str(plans), "--export", str(export)])
    assert result.exit_code == 0, result.output
    db = read_databook(export)
    assert [(a.account_id, a.kam_span, a.target_supplier_role) for a in db.accounts] == [
        ("RC-1", "global", "Vorzugslieferant"), ("RC-2", "regional", "Systempartner")]

    again = tmp_path / "again"  # the export is the next data book: its plans, collected, keep the span again
    assert runner.invoke(app, ["generate", "--data", str(export), "--out", str(again)]).exit_code == 0
    result = runner.invoke(app, ["collect", str(again), "--export", str(tmp_path / "export2")])
    assert result.exit_code == 0, result.output
    assert f"Datenbuch, aus dem die Pläne erzeugt wurden: {export.resolve()}" in result.stdout
    assert [(a.kam_span, a.target_supplier_role) for a in read_databook(tmp_path / "export2").accounts] == [
        ("global", "Vorzugslieferant"), ("regional", "Systempartner")]
