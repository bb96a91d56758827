"""kam-xl generate: account plans for every account, regeneration that keeps every input a KAM typed."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from shared import type_into
from typer.testing import CliRunner

from kam_xl.batch import generate_plan, plan_filename
from kam_xl.cdb import ActivityLine, CdbInput, cdb_statement
from kam_xl.cli import app
from kam_xl.databook import demo_databook, write_databook
from kam_xl.workbook.names import read_named

runner = CliRunner()


def _edit_csv(path: Path, account_id: str, year: str, column: str, value: str) -> None:
    # the dialect write_databook writes (kam_xl.csvio: UTF-8 with BOM, ';', decimal comma)
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig"), delimiter=";"))
    for r in rows:
        if r["account_id"] == account_id and r["year"] == year:
            r[column] = value
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        w.writeheader()
        w.writerows(rows)


def test_generate_writes_one_plan_per_account_with_safe_names(tmp_path):
    result = runner.invoke(app, ["generate", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "out").glob("KA-*.xlsx"))
    assert len(files) == 14
    assert (tmp_path / "out" / "Controller.xlsm").exists()
    assert "KA-002_Holsten_Wellpappe_GmbH_&_Co._KG.xlsx" in files
    assert "14 neu, 0 erneuert, 0 nicht geschrieben; 0 Konflikte" in result.stdout
    nv = read_named(tmp_path / "out" / "KA-009_Färberei_Donauried_GmbH.xlsx")
    assert nv.meta["template_id"] == "kam_xl.account_plan" and nv.meta["account_id"] == "KA-009"
    assert nv.values["cdb_cdb_iii"] == pytest.approx(-83_869.43, abs=0.01)  # cached value, readable without Excel


def test_regeneration_keeps_kam_inputs_reports_conflicts_and_backs_up(tmp_path):
    data = write_databook(demo_databook(), tmp_path / "data")
    out = tmp_path / "out"
    first = generate_plan(str(data), "KA-001", out)
    assert first.status == "new"
    plan = first.path
    # the KAM types: a service cost, a status, and a new activity line in the first free row (row 3)
    type_into(plan, "cdb_in_service_cost", 123_456.0)
    type_into(plan, "acc_status", "abgegeben")
    for name, value in (("cdb_act_activity", "Messebesuch"), ("cdb_act_stage", "Vertrieb"),
                        ("cdb_act_quantity", 2), ("cdb_act_rate", 1_500)):
        type_into(plan, name, value, row=2)
    typed = plan.read_bytes()
    # the data changes: gross sales (no KAM input there) and service cost (where the KAM typed)
    _edit_csv(data / "cdb.csv", "KA-001", "2025", "gross_sales", "4600000")
    _edit_csv(data / "cdb.csv", "KA-001", "2025", "service_cost", "400000")
    from kam_xl.batch import _databook
    _databook.cache_clear()

    again = generate_plan(str(data), "KA-001", out)
    assert again.status == "regenerated"
    nv = read_named(plan)
    assert nv.values["cdb_in_service_cost"] == 123_456          # the KAM's value is kept
    assert nv.values["acc_status"] == "abgegeben"
    assert nv.values["cdb_in_gross_sales"] == 4_600_000          # untouched input follows the data
    assert [r[0] for r in nv.values["cdb_act_activity"][:3]] == ["Anwendungstechnische Besuche",
                                                                 "Jahresgespräche und Lieferantentage", "Messebesuch"]
    # the cached results are computed from what is now in the workbook
    db = demo_databook()
    amounts, acts = db.cdb_input("KA-001", 2025)
    expected = cdb_statement(CdbInput(**{**amounts.model_dump(), "gross_sales": 4_600_000, "service_cost": 123_456}),
                             [*acts, ActivityLine(activity="Messebesuch", stage="sales", driver_quantity=2,
                                                  cost_rate=1_500)])
    assert nv.values["cdb_cdb_iii"] == pytest.approx(expected.cdb_iii, abs=0.01)
    # one conflict: the service cost, with all three values and its cell
    [(sheet, cell, c)] = again.conflicts
    assert (sheet, c.name, c.orig, c.kam, c.data) == ("CDB", "cdb_in_service_cost", 359_292.5, 123_456, 400_000)
    assert cell == "B13"  # header in row 3, service cost is the 10th statement line
    # the old file is kept as a timestamped backup, byte for byte
    assert again.backup is not None and again.backup.read_bytes() == typed
    assert again.backup.parent == out / "_backup"


def test_regeneration_without_kam_changes_has_no_conflicts(tmp_path):
    out = tmp_path / "out"
    generate_plan(None, "KA-003", out)
    again = generate_plan(None, "KA-003", out)
    assert (again.status, again.conflicts, again.problems) == ("regenerated", [], [])


def test_bad_kam_input_leaves_the_old_file_untouched(tmp_path):
    out = tmp_path / "out"
    plan = generate_plan(None, "KA-004", out).path
    type_into(plan, "cdb_in_freight", "viel")
    before = plan.read_bytes()
    again = generate_plan(None, "KA-004", out)
    assert again.status == "error"
    assert again.problems[0] == (f"{plan.name}, sheet CDB, cell B8: value 'viel' — allowed: an amount ≥ 0")
    assert plan.read_bytes() == before


def test_foreign_or_damaged_file_at_the_target_is_not_overwritten(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    account = demo_databook().accounts[0]
    target = out / plan_filename(account)
    target.write_bytes(b"not a workbook")
    r = generate_plan(None, account.account_id, out)
    assert r.status == "error" and "damaged or not an .xlsx" in r.problems[0]
    assert target.read_bytes() == b"not a workbook"
    wb = openpyxl.Workbook()
    wb.save(target)
    r = generate_plan(None, account.account_id, out)
    assert r.status == "error"
    assert "not the workbook to regenerate here (template_id None instead of 'kam_xl.account_plan'" in r.problems[0]


def test_cli_reports_conflicts_to_csv_and_errors_with_exit_code(tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["generate", "--out", str(out), "--jobs", "2"]).exit_code == 0
    plan = next(out.glob("KA-004_*.xlsx"))
    type_into(plan, "cdb_in_freight", "viel")
    result = runner.invoke(app, ["generate", "--out", str(out), "--force"])
    assert result.exit_code == 2
    assert "13 erneuert, 1 nicht geschrieben" in result.stdout
    assert "cell B8: value 'viel' — allowed: an amount ≥ 0" in result.stderr


def _canon(card):
    return (card.segment, card.own_supplier, [c.name for c in card.criteria], [round(w, 9) for w in card.weights],
            card.ratings, card.supplier_role)


def test_kgb_inputs_read_back_exactly_and_survive_regeneration(tmp_path):
    from kam_xl.workbook.kgb_sheet import parse_kgb

    db = demo_databook()
    out = tmp_path / "out"
    for account in db.accounts:  # round trip: what was written is what is read
        path = generate_plan(None, account.account_id, out).path
        cards = parse_kgb(read_named(path).values, account.account_id, account.supplier_role,
                          lambda *a: pytest.fail(f"problem reading back: {a}"))
        # the sheet holds weights as fractions (shown as %), the data book had points: same card
        assert [_canon(c) for c in cards] == [_canon(c) for c in db.kgb_cards(account.account_id)]
    plan = next(out.glob("KA-001_*.xlsx"))
    type_into(plan, "kgb_1_ratings", 95, row=0, col=0)            # our rating of the first criterion
    n = len(db.kgb_cards("KA-001")[0].criteria)             # the first spare row
    type_into(plan, "kgb_1_criteria", "Liefertreue", row=n)      # a new criterion …
    type_into(plan, "kgb_1_weights", 0.0, row=n)                 # … with weight 0 % so the sum stays 100 %
    again = generate_plan(None, "KA-001", out)
    assert again.status == "regenerated" and again.conflicts == []
    [card] = parse_kgb(read_named(plan).values, "KA-001", None, lambda *a: pytest.fail(str(a)))
    assert card.ratings["Rheinauen"][card.criteria[0].name] == 95
    assert [c.name for c in card.criteria][-1] == "Liefertreue"
    type_into(plan, "kgb_1_weights", 0.5, row=0)                  # weights now sum to more than 100 %
    bad = generate_plan(None, "KA-001", out)
    assert bad.status == "error"
    assert "sheet Kgb" in bad.problems[0] and "weights that sum to 100 %" in bad.problems[0]


def test_regeneration_after_the_data_book_drops_a_product_keeps_values_with_their_product(tmp_path):
    from kam_xl.batch import _databook

    data = write_databook(demo_databook(), tmp_path / "data")
    out = tmp_path / "out"
    plan = generate_plan(str(data), "KA-001", out).path
    names = [r[0] for r in read_named(plan).values["kaop_plan_products"]]
    assert names[:2] == ["Leimungsmittel AKD 7", "Entschäumer DF 3"]
    type_into(plan, "kaop_plan_volume", 777.0, row=1, col=1)   # DF 3, Q2
    type_into(plan, "kaop_plan_volume", 555.0, row=0, col=2)   # AKD 7, Q3
    # the data book drops AKD 7: DF 3 moves up to the first row, and its value must move with it
    path = data / "kaop_products.csv"
    rows = [r for r in csv.DictReader(path.open(encoding="utf-8-sig"), delimiter=";")  # the one CSV dialect
            if not (r["account_id"] == "KA-001" and r["product"] == "Leimungsmittel AKD 7")]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        w.writeheader()
        w.writerows(rows)
    _databook.cache_clear()
    result = runner.invoke(app, ["generate", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    nv = read_named(plan).values
    assert [r[0] for r in nv["kaop_plan_products"]] == ["Entschäumer DF 3", None]
    assert nv["kaop_plan_volume"][0][1] == 777
    report = list(csv.DictReader((out / "conflicts.csv").open(encoding="utf-8-sig"), delimiter=";"))
    assert [(r["file"], r["sheet"], r["cell"], r["input"], r["kam_value_kept"], r["new_data"], r["note"][:26])
            for r in report] == [(plan.name, "KAOP", "E25 (old file)", "kaop_plan_volume", "555", "",
                                  "removed from the data book")]
    assert openpyxl.load_workbook(out / "_backup" / next(p.name for p in (out / "_backup").iterdir()
                                                          if p.name.startswith("KA-001")))["KAOP"]["E25"].value == 555
