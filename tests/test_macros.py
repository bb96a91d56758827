"""The controller's macros: the settings block, settings carried over on regeneration, the macro core on real
files (the demo data book written by ``kam-xl demo-data``, a real output folder) and the xlwings scripts run on
xlwings Server's remote book built from a generated controller (the Office.js payload of ``officejs_book``)."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from officejs_book import officejs_book
from shared import type_into, type_values
from typer.testing import CliRunner

from kam_xl.addin import macros
from kam_xl.addin.macros import WorkbookSettings, as_text, settings_from_file
from kam_xl.addin.settings import MacroAccess
from kam_xl.batch import consolidate, write_controller
from kam_xl.cli import app
from kam_xl.databook import DataBook, read_databook
from kam_xl.excellence import consolidate as consensus
from kam_xl.excellence import load_catalogue
from kam_xl.resources import TargetWeights, analyse_resources
from kam_xl.workbook.controller import ERROR_ROWS, SETTING_NAMES, default_settings
from kam_xl.workbook.names import defined_names, read_named

runner = CliRunner()
NOW = datetime(2026, 3, 2, 14, 5, 9, tzinfo=UTC)
LATER = datetime(2026, 3, 3, 8, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def databook(tmp_path_factory) -> Path:
    """The demo data book as an .xlsx, written by ``kam-xl demo-data``."""
    path = tmp_path_factory.mktemp("data") / "Datenbuch.xlsx"
    result = runner.invoke(app, ["demo-data", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def written_controller(tmp_path_factory, databook) -> Path:
    """The controller of the demo data book as ``write_controller`` writes it at ``NOW``, the data book's path typed
    into it (once for the module: its bytes do not depend on the folder it is written to)."""
    path = write_controller(read_databook(databook), tmp_path_factory.mktemp("ctl") / "Controller.xlsx", "de", NOW)
    type_into(path, "ctl_databook", str(databook))
    return path


@pytest.fixture
def controller(tmp_path, databook, written_controller) -> Path:
    """A generated controller in ``tmp_path/out`` whose settings name the data book and that folder."""
    out = tmp_path / "out"
    out.mkdir()
    path = Path(shutil.copy(written_controller, out / "Controller.xlsx"))  # ctl_databook typed in already
    type_into(path, "ctl_output", str(out))
    return path


def _plans(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("KA-*.xlsx"))


def _cell(path: Path, name: str) -> tuple[str, str]:
    ref = defined_names(path)[name]
    return ref.sheet, f"{openpyxl.utils.get_column_letter(ref.first_col + 1)}{ref.first_row + 1}"


# ------------------------------------------------------------------------------------------ the settings block


def test_settings_block_account_drop_down_and_unlocked_output_cells(controller, databook):
    names = read_named(controller)
    assert [row[1] for row in names.values["ctl_settings"]] == [
        str(databook), str(controller.parent), "de", "KA-001"]
    assert len(names.values["ctl_errors"]) == ERROR_ROWS and len(names.values["ctl_errors"][0]) == 4
    assert names.values["ctl_status"] == "Erzeugt 02.03.2026, 14:05:09 UTC; noch kein Makro gelaufen."
    wb = openpyxl.load_workbook(controller)
    ws = wb["Einstellungen"]
    assert ws.protection.sheet  # the sheet stays protected …
    status, errors = defined_names(controller)["ctl_status"], defined_names(controller)["ctl_errors"]
    assert ws.cell(status.first_row + 1, status.first_col + 1).protection.locked is False  # … its outputs are not
    for r in range(errors.first_row + 1, errors.last_row + 2):
        for c in range(errors.first_col + 1, errors.last_col + 2):
            assert ws.cell(r, c).protection.locked is False
    assert ws["A1"].protection.locked is True and ws["A14"].protection.locked is True  # labels stay locked
    (account,) = [dv for dv in ws.data_validations.dataValidation if "B7" in str(dv.sqref)]
    assert (account.type, account.formula1) == ("list", "'Kunden'!$A$5:$A$18")  # the 14 account ids
    assert [wb["Kunden"].cell(r, 1).value for r in (5, 18)] == ["KA-001", "KA-014"]


# ------------------------------------------------------------------------------------------ carried over


def test_regeneration_keeps_typed_settings_and_computes_with_them(controller, databook):
    type_values(controller, {"ctl_lang": "en", "ctl_account": "KA-005", "res_weight_revenue": 1.0,
                             "ctl_exc_spread": 25})
    db = read_databook(databook)
    write_controller(db, controller, "de", LATER)
    names = read_named(controller).values
    assert {k: names[k] for k in SETTING_NAMES} == {
        "ctl_databook": str(databook), "ctl_output": str(controller.parent), "ctl_lang": "en",
        "ctl_account": "KA-005", "res_weight_potential": 1.0, "res_weight_revenue": 1.0, "ctl_exc_spread": 25.0}
    assert [p.name for p in (controller.parent / "_backup").iterdir()] == ["Controller.20260303-080000.xlsx"]
    assert names["ctl_status"].startswith("Erzeugt 03.03.2026, 08:00:00 UTC; Einstellungen des alten "
                                          "Controllers übernommen: Ausgabeordner, Sprache der Account-Pläne, "
                                          "Kunde für „diesen Account-Plan erneuern“, Gewicht Umsatzanteil, "
                                          "Dissens ab Spannweite")
    # the rounded target FTE is computed by kam_xl with the carried weights (potential 1 : revenue 1) …
    blended = [c.target_fte for c in analyse_resources(db.resource_cells(), db.market_sizes(),
                                                       TargetWeights(potential=1, revenue=1)).cells]
    potential_only = [c.target_fte for c in analyse_resources(db.resource_cells(), db.market_sizes()).cells]
    assert blended != potential_only
    assert [row[0] for row in names["ctl_res_target_fte"]] == blended
    # … and the disagreement flags with the carried threshold of 25 points (ratings are steps of 25)
    catalogue = load_catalogue()
    flags = [row[4] for row in names["ctl_exc_consensus"]]
    at_25 = consensus(catalogue, db.responses(), disagreement_spread=25)
    at_50 = consensus(catalogue, db.responses())
    assert sum(c.disagreement for c in at_25.values()) > sum(c.disagreement for c in at_50.values())
    assert flags.count("ja") == sum(c.disagreement for c in at_25.values())


def test_untouched_settings_follow_the_data_typed_ones_stay(tmp_path, controller, databook):
    """The controller never typed the data book path here (ctl_databook is what generation wrote): a controller
    generated from another data book takes that one; the typed output folder stays."""
    write_controller(read_databook(databook), controller, "de", NOW)  # snapshot: the data book path as generated
    type_into(controller, "ctl_output", "Ausgabe 2026")
    runner.invoke(app, ["demo-data", str(tmp_path / "csv")])
    write_controller(read_databook(tmp_path / "csv"), controller, "de", LATER)
    names = read_named(controller).values
    assert (names["ctl_databook"], names["ctl_output"]) == (str(tmp_path / "csv"), "Ausgabe 2026")


def test_consolidated_data_book_keeps_the_data_book_path(controller, databook):
    """collect writes the controller of a consolidated data book, whose source is no path: the old path stays."""
    db = read_databook(databook)
    merged = consolidate(db, DataBook(source=str(controller.parent), accounts=[], tables={}))
    assert merged.source == f"{databook} + {controller.parent}" and default_settings(merged).databook is None
    write_controller(merged, controller, "de", LATER)
    assert read_named(controller).values["ctl_databook"] == str(databook)


def test_an_invalid_old_setting_is_not_carried_and_named(controller, databook):
    # openpyxl passes the drop-down by; with revenue 0: both weights 0
    type_values(controller, {"ctl_lang": "fr", "res_weight_potential": 0.0})
    write_controller(read_databook(databook), controller, "en", LATER)
    names = read_named(controller).values
    assert (names["ctl_lang"], names["res_weight_potential"], names["ctl_output"]) == (
        "en", 1.0, str(controller.parent))
    assert "Language of the account workbooks = 'fr' not kept (allowed: de or en)" in names["ctl_status"]
    assert "Weight of potential share = 0 not kept (allowed: weights ≥ 0 with potential or revenue weight > 0 " \
           "(both are 0))" in names["ctl_status"]


def test_cli_generate_twice_keeps_the_typed_output_folder(tmp_path, databook):
    out = tmp_path / "out"
    assert runner.invoke(app, ["generate", "--data", str(databook), "--out", str(out)]).exit_code == 0
    type_values(out / "Controller.xlsm", {"ctl_output": str(out), "ctl_account": "KA-009"})
    assert runner.invoke(app, ["generate", "--data", str(databook), "--out", str(out)]).exit_code == 0
    names = read_named(out / "Controller.xlsm").values
    assert (names["ctl_output"], names["ctl_account"], names["ctl_databook"]) == (str(out), "KA-009", str(databook))
    assert len(list((out / "_backup").glob("Controller.*.xlsm"))) == 1


# ------------------------------------------------------------------------------------------ the macro core


def test_validate_lists_a_wrong_data_book_path_and_a_bad_language(controller):
    type_values(controller, {"ctl_databook": "/nirgendwo/Datenbuch.xlsx", "ctl_lang": "fr"})
    report = macros.validate_workbook(settings_from_file(controller), NOW)
    assert not report.ok
    assert report.status == "Prüfen 02.03.2026 14:05:09: 2 Problem(e) – siehe Fehlerliste."
    assert report.errors == [
        ("Controller.xlsx", *_cell(controller, "ctl_lang"), "ctl_lang (Language of the account workbooks): value "
                                                             "'fr' — allowed: de or en"),
        ("Controller.xlsx", *_cell(controller, "ctl_databook"), "ctl_databook (Data book (file or folder)): "
                                                                "/nirgendwo/Datenbuch.xlsx does not exist — "
                                                                "allowed: an .xlsx data book or a folder of CSV "
                                                                "files")]
    assert _cell(controller, "ctl_lang") == ("Einstellungen", "B6")


def test_validate_lists_every_problem_of_the_data_book(controller, five_mistakes_xlsx):
    type_into(controller, "ctl_databook", str(five_mistakes_xlsx))
    report = macros.validate_workbook(settings_from_file(controller), NOW)
    assert [(f, s, c) for f, s, c, _ in report.errors] == [
        ("five.xlsx", "cdb", "C3"), ("five.xlsx", "cdb", "A4"), ("five.xlsx", "kaop_costs", "F3"),
        ("five.xlsx", "kgb", "D2"), ("five.xlsx", "excellence", "D3")]
    assert report.errors[0][3] == "value 'viel': allowed: a number ≥ 0"
    assert report.status.endswith("5 Problem(e) – siehe Fehlerliste.")


def test_validate_output_folder_weights_and_account(tmp_path, controller):
    ws = settings_from_file(controller)
    ok = macros.validate_workbook(ws, NOW)
    assert ok.ok and ok.errors == []
    assert ok.status == f"Prüfen 02.03.2026 14:05:09: in Ordnung – Datenbuch mit 14 Kunden, Ausgabeordner " \
                        f"{controller.parent}."
    new = tmp_path / "neu" / "Pläne"
    ws_new = WorkbookSettings(ws.book, {**ws.values, "ctl_output": str(new)}, ws.cells)
    assert macros.validate_workbook(ws_new, NOW).status.endswith(f"Ausgabeordner {new} (wird angelegt).")
    assert not new.exists()  # validating creates nothing
    bad = WorkbookSettings(ws.book, {**ws.values, "ctl_output": str(controller), "res_weight_potential": 0,
                                     "ctl_account": "KA-099"}, ws.cells, lang="en")
    report = macros.validate_workbook(bad, NOW)
    assert report.status == "Validate 2026-03-02 14:05:09: 3 problem(s) – see the error list."
    assert [(s, c) for _, s, c, _ in report.errors] == [("Ressourcen", "D4"), ("Einstellungen", "B5"),
                                                         ("Einstellungen", "B7")]
    assert "(both are 0)" in report.errors[0][3]
    assert report.errors[1][3].endswith("Controller.xlsx is a file — allowed: a folder")
    assert report.errors[2][3] == ("ctl_account (Account for 'refresh this account plan'): value 'KA-099' is not "
                                   "an account of the data book — allowed: KA-001, KA-002, KA-003, KA-004, KA-005, "
                                   "KA-006, KA-007, KA-008, KA-009, KA-010 …")


def test_relative_paths_are_taken_from_the_workbook_folder(controller, databook):
    shutil.copy(databook, controller.parent / "db.xlsx")
    type_values(controller, {"ctl_databook": "db.xlsx", "ctl_output": "Pläne"})
    report = macros.validate_workbook(settings_from_file(controller), NOW)
    assert report.ok, report.errors
    assert report.status.endswith(f"Ausgabeordner {controller.parent / 'Pläne'} (wird angelegt).")


# ------------------------------------------------------------------------------------------ run by the server


def _access(data: Path, out: Path, *urls: str) -> MacroAccess:
    return MacroAccess(data_roots=(data.resolve(),), output_roots=(out.resolve(),), db_urls=urls)


def test_restricted_macros_refuse_folders_outside_the_roots_before_touching_them(tmp_path, controller, databook):
    import concurrent.futures
    import os

    outside = tmp_path / "outside"
    outside.mkdir()
    os.mkfifo(outside / "Datenbuch.xlsx")  # read, it would block: refused, it is never opened
    type_values(controller, {"ctl_databook": str(outside / "Datenbuch.xlsx"), "ctl_output": str(outside / "Pläne")})
    data, out = databook.parent, controller.parent
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        def run() -> macros.MacroReport:
            with macros.restricted(_access(data, out)):
                return macros.run_macro("generate", settings_from_file(controller), NOW)

        report = pool.submit(run).result(timeout=30)
    assert not report.ok
    assert report.status == "Alle Account-Pläne erzeugen 02.03.2026 14:05:09: nicht ausgeführt, 2 Problem(e) – " \
                            "siehe Fehlerliste."
    assert [e[3] for e in report.errors] == [
        f"ctl_output (Output folder): {outside / 'Pläne'} is outside this server's output folders — allowed: a path "
        f"under {out.resolve()} (--output-root (KAM_XL_OUTPUT_ROOTS))",
        f"ctl_databook (Data book (file or folder)): {outside / 'Datenbuch.xlsx'} is outside this server's data "
        f"folders — allowed: a path under {data.resolve()} (--data-root (KAM_XL_DATA_ROOTS))"]
    assert not (outside / "Pläne").exists()


def test_restricted_macros_work_inside_the_roots_and_relative_paths_start_at_the_root(tmp_path, controller,
                                                                                      databook):
    # relative paths: from the first data root, from the first output root
    type_values(controller, {"ctl_databook": databook.name, "ctl_output": "Pläne", "ctl_account": "KA-012"})
    out = tmp_path / "ausgabe"
    out.mkdir()
    with macros.restricted(_access(databook.parent, out)):
        report = macros.run_macro("refresh", settings_from_file(controller), NOW)
    assert report.ok, report.errors
    assert _plans(out / "Pläne") == ["KA-012_Papiermühle_Siegtal_GmbH.xlsx"]
    assert _plans(controller.parent / "Pläne") == []  # not the workbook's folder
    # outside the block nothing is restricted (the classic add-in runs as the user): the same settings now
    # resolve from the workbook's folder
    report = macros.run_macro("validate", settings_from_file(controller), NOW)
    assert [e[3] for e in report.errors] == [
        f"ctl_databook (Data book (file or folder)): {controller.parent / databook.name} does not exist — allowed: "
        "an .xlsx data book or a folder of CSV files"]


def test_a_database_url_is_checked_against_the_allow_list_without_its_password(controller, databook):
    type_into(controller, "ctl_databook", "postgresql+psycopg://kam:Geheim-99@db.example.com/kam")
    allowed = _access(databook.parent, controller.parent, "postgresql+psycopg://db.example.com/kam")
    refused = _access(databook.parent, controller.parent)
    with macros.restricted(refused):
        report = macros.validate_workbook(settings_from_file(controller), NOW)
    assert [e[3] for e in report.errors] == [
        "ctl_databook (Data book (file or folder)): the database postgresql+psycopg://db.example.com/kam is not on "
        "this server's allow-list — allowed: none is configured (the server's administrator adds one with "
        "--allow-db-url / KAM_XL_ALLOW_DB_URLS)"]
    with macros.restricted(allowed):
        report = macros.validate_workbook(settings_from_file(controller), NOW)
    assert [e[3] for e in report.errors] == [
        "ctl_databook (Data book (file or folder)): postgresql+psycopg://db.example.com/kam: reading a data book "
        "from a database is not supported by this kam_xl — allowed: the path of an .xlsx data book or of a folder "
        "of CSV files"]
    assert "Geheim-99" not in repr(report)


def test_a_workbook_that_is_not_a_controller_lists_the_missing_names(tmp_path, databook):
    nv = settings_from_file(databook)
    report = macros.generate_plans(nv, NOW)
    assert not report.ok and [e[3].split(" —")[0] for e in report.errors] == [
        "no defined name ctl_databook", "no defined name ctl_output", "no defined name ctl_lang",
        "no defined name ctl_account"]
    assert report.status == "Alle Account-Pläne erzeugen 02.03.2026 14:05:09: nicht ausgeführt, 4 Problem(e) – " \
                            "siehe Fehlerliste."


def test_generate_writes_14_plans(controller):
    out = controller.parent
    report = macros.generate_plans(settings_from_file(controller), NOW)
    assert report.ok and report.errors == []
    assert len(_plans(out)) == 14
    assert report.status == f"Alle Account-Pläne erzeugen 02.03.2026 14:05:09: 14 neu, 0 erneuert, 0 nicht " \
                            f"geschrieben; 0 Konflikt(e) → {out}."
    again = macros.generate_plans(settings_from_file(controller), LATER)
    assert "0 neu, 14 erneuert, 0 nicht geschrieben; 0 Konflikt(e)" in again.status
    assert len(list((out / "_backup").glob("KA-*.xlsx"))) == 14


def test_refresh_keeps_a_typed_kam_input_and_lists_a_conflict(controller, databook, tmp_path):
    own = tmp_path / "Datenbuch.xlsx"  # a data book of this test's own: the conflict changes it
    shutil.copy(databook, own)
    type_values(controller, {"ctl_databook": str(own), "ctl_account": "KA-003"})
    first = macros.refresh_plan(settings_from_file(controller), NOW)
    assert first.ok and _plans(controller.parent) == ["KA-003_Kartonagen_Elbmarsch_GmbH.xlsx"]
    assert first.status == ("Account-Plan erneuern 02.03.2026 14:05:09: KA-003 → KA-003_Kartonagen_Elbmarsch_GmbH.xlsx"
                            " neu erzeugt; keine Konflikte.")
    plan = controller.parent / "KA-003_Kartonagen_Elbmarsch_GmbH.xlsx"
    type_values(plan, {"cdb_in_service_cost": 123_456.0, "acc_status": "abgegeben"})  # the KAM types
    # the data book changes the same cell: a conflict (the KAM's value is kept)
    wb = openpyxl.load_workbook(own)
    ws = wb["cdb"]
    head = [c.value for c in ws[1]]
    rows = [r for r in ws.iter_rows(min_row=2) if r[0].value == "KA-003"]
    latest = max(rows, key=lambda r: r[head.index("year")].value)
    old_service = latest[head.index("service_cost")].value
    latest[head.index("service_cost")].value = 99_999
    wb.save(own)
    second = macros.refresh_plan(settings_from_file(controller), LATER)
    assert second.ok
    assert second.status == ("Account-Plan erneuern 03.03.2026 08:00:00: KA-003 → "
                             "KA-003_Kartonagen_Elbmarsch_GmbH.xlsx erneuert, alte Datei in "
                             "_backup/KA-003_Kartonagen_Elbmarsch_GmbH.20260303-080000.xlsx; 1 Konflikt(e) in der "
                             "Fehlerliste.")
    assert second.errors == [("KA-003_Kartonagen_Elbmarsch_GmbH.xlsx", "CDB", "B13",
                              f"conflict in cdb_in_service_cost: the KAM's value 123456 was kept; the data changed "
                              f"from {float(old_service)!r} to 99999")]
    values = read_named(plan).values
    assert (values["cdb_in_service_cost"], values["acc_status"]) == (123_456.0, "abgegeben")
    assert (controller.parent / "_backup" / "KA-003_Kartonagen_Elbmarsch_GmbH.20260303-080000.xlsx").exists()


def test_refresh_needs_an_account(controller):
    type_into(controller, "ctl_account", None)
    report = macros.refresh_plan(settings_from_file(controller), NOW)
    assert not report.ok and report.errors == [
        ("Controller.xlsx", "Einstellungen", "B7", "ctl_account (Account for 'refresh this account plan'): empty — "
                                                   "allowed: an account id of the data book")]
    assert _plans(controller.parent) == []


def test_collect_consolidates_a_filled_plan_into_a_new_controller(controller):
    out = controller.parent
    assert macros.generate_plans(settings_from_file(controller), NOW).ok
    (plan_1,) = out.glob("KA-001_*.xlsx")
    (plan_2,) = out.glob("KA-002_*.xlsx")
    type_into(plan_1, "cdb_in_gross_sales", 5_000_000.0)
    type_into(plan_2, "cdb_in_freight", "viel")
    before = controller.read_bytes()
    report = macros.collect_and_consolidate(settings_from_file(controller), LATER)
    target = out / "Controller_20260303-080000.xlsm"
    assert report.written == [target] and target.exists()
    assert controller.read_bytes() == before  # the open workbook is not touched
    assert report.status == ("Einsammeln und konsolidieren 03.03.2026 08:00:00: 13 Plan/Pläne und 0 "
                             "Fragebogen/-bögen gelesen, 1 Datei(en) mit Fehlern, 0 übersprungen → "
                             "Controller_20260303-080000.xlsm; 1 Problem(e) – siehe Fehlerliste.")
    assert report.errors == [(plan_2.name, "CDB", "B8", "value 'viel': allowed: an amount ≥ 0")]
    names = read_named(target).values
    row = next(r for r in names["ctl_data_cdb"] if r[0] == "KA-001")
    assert row[2] == 5_000_000.0  # gross sales as the KAM typed it
    deductions = row[3]
    assert deductions == 328_215.32
    ids = [r[0] for r in names["ctl_acc_ids"]]
    assert names["ctl_acc_net_sales"][ids.index("KA-001")][0] == pytest.approx(5_000_000 - 328_215.32)
    assert {k: names[k] for k in ("ctl_databook", "ctl_output")} == {
        k: read_named(controller).values[k] for k in ("ctl_databook", "ctl_output")}  # this workbook's settings
    second = macros.collect_and_consolidate(settings_from_file(controller), LATER)  # same second: a new name
    assert second.written == [out / "Controller_20260303-080000-2.xlsm"]


def test_a_plan_that_cannot_be_written_is_listed_the_others_are_written(controller, monkeypatch):
    out = controller.parent
    real = macros.batch.generate_plan

    def locked(data, account_id, *args, **kwargs):
        if account_id == "KA-004":
            raise PermissionError(13, "Permission denied")  # what Windows says for a file open in Excel
        return real(data, account_id, *args, **kwargs)

    monkeypatch.setattr(macros.batch, "generate_plan", locked)
    report = macros.generate_plans(settings_from_file(controller), NOW)
    assert not report.ok and len(_plans(out)) == 13
    assert report.errors == [("KA-004_Nordsee_Feinpapiere_GmbH.xlsx", "", "",
                              "KA-004_Nordsee_Feinpapiere_GmbH.xlsx: not written — permission denied (write-protected, "
                              "or open in another program such as Excel)")]
    assert "13 neu, 0 erneuert, 1 nicht geschrieben" in report.status


def test_error_block_is_text_never_a_formula_and_at_most_the_block():
    report = macros.MacroReport("validate", False, "x", [("=evil.csv", "", "", "-1 ist zu klein")] * 60)
    block = report.error_block()
    assert len(block) == ERROR_ROWS and block[0] == ["'=evil.csv", "", "", "'-1 ist zu klein"]
    assert as_text(12.5) == "12.5"


# ------------------------------------------------------------------------------------------ xlwings scripts


@pytest.fixture
def server_udfs(monkeypatch):
    """``udfs`` as xlwings Server sees it, and the remote engine ``xw.Book(json=...)`` uses; both need the
    noncommercial licence key (xlwings registers the remote engine at import only when a key is set)."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    import xlwings as xw

    from kam_xl.addin.runtime import load_udfs

    if "remote" not in [e.name for e in xw.engines]:
        from xlwings.pro import _xlremote

        xw.engines.add(xw.main.Engine(impl=_xlremote.engine))
    return load_udfs("server")


def _run_script(udfs, name: str, path: Path) -> list[dict]:
    """Run a script as xlwings Server does for a task-pane button: the remote book from the Office.js payload
    injected, the actions it returns."""
    import xlwings as xw
    from xlwings.server import custom_scripts_call

    book = xw.Book(json=officejs_book(path))
    result = asyncio.run(custom_scripts_call(udfs, name, typehint_to_value={xw.Book: book}))
    return result.json()["actions"]


def _position(path: Path, name: str) -> dict[str, int]:
    ref = defined_names(path)[name]
    sheets = openpyxl.load_workbook(path, read_only=True).sheetnames
    return {"sheet_position": sheets.index(ref.sheet), "start_row": ref.first_row, "start_column": ref.first_col}


def test_remote_validate_writes_the_status_line_and_the_error_rows(server_udfs, controller):
    type_values(controller, {"ctl_databook": "/nirgendwo/Datenbuch.xlsx", "ctl_lang": "fr"})
    actions = _run_script(server_udfs, "kam_validate", controller)
    status, clear, rows = actions
    assert {k: status[k] for k in ("func", "sheet_position", "start_row", "start_column", "row_count",
                                   "column_count")} == {"func": "setValues", **_position(controller, "ctl_status"),
                                                        "row_count": 1, "column_count": 1}
    assert status["values"][0][0].startswith("Prüfen ") and status["values"][0][0].endswith(
        ": 2 Problem(e) – siehe Fehlerliste.")
    assert {k: clear[k] for k in ("func", "sheet_position", "start_row", "start_column", "row_count",
                                  "column_count")} == {"func": "rangeClearContents",
                                                       **_position(controller, "ctl_errors"),
                                                       "row_count": ERROR_ROWS, "column_count": 4}
    assert {k: rows[k] for k in ("func", "sheet_position", "start_row", "start_column", "row_count",
                                 "column_count")} == {"func": "setValues", **_position(controller, "ctl_errors"),
                                                      "row_count": 2, "column_count": 4}
    assert [r[:3] for r in rows["values"]] == [["Controller.xlsx", "Einstellungen", "B6"],
                                               ["Controller.xlsx", "Einstellungen", "B4"]]
    assert rows["values"][0][3] == "ctl_lang (Language of the account workbooks): value 'fr' — allowed: de or en"


def test_remote_generate_all_writes_the_plans_and_clears_old_errors(server_udfs, controller):
    actions = _run_script(server_udfs, "kam_generate_all", controller)
    assert [a["func"] for a in actions] == ["setValues", "rangeClearContents"]  # no error rows to write
    assert "14 neu, 0 erneuert, 0 nicht geschrieben; 0 Konflikt(e)" in actions[0]["values"][0][0]
    assert len(_plans(controller.parent)) == 14


def test_remote_refresh_and_collect_run_on_the_chosen_account(server_udfs, controller):
    type_into(controller, "ctl_account", "KA-012")
    actions = _run_script(server_udfs, "kam_refresh_plan", controller)
    assert "KA-012 → KA-012_Papiermühle_Siegtal_GmbH.xlsx neu erzeugt" in actions[0]["values"][0][0]
    assert _plans(controller.parent) == ["KA-012_Papiermühle_Siegtal_GmbH.xlsx"]
    actions = _run_script(server_udfs, "kam_collect", controller)
    assert "1 Plan/Pläne und 0 Fragebogen/-bögen gelesen" in actions[0]["values"][0][0]
    assert len(list(controller.parent.glob("Controller_*.xlsm"))) == 1


def test_scripts_are_registered_with_the_book_injected(server_udfs):
    from xlwings.server import custom_scripts_meta

    meta = {m["function_name"] for m in custom_scripts_meta(server_udfs)}
    assert {"kam_validate", "kam_refresh_plan", "kam_generate_all", "kam_collect"} <= meta


# ------------------------------------------------------------------------------------------ the payload builder


def test_payload_of_a_generated_controller_reads_back_as_the_file(server_udfs, controller):
    import xlwings as xw

    payload = officejs_book(controller)
    wb = openpyxl.load_workbook(controller, read_only=True)
    assert [s["name"] for s in payload["sheets"]] == wb.sheetnames  # hidden _meta and xlwings.conf included
    assert (payload["client"], payload["version"]) == ("Office.js", xw.__version__)
    refs = defined_names(controller)
    assert {n["name"] for n in payload["names"]} == set(refs)
    by_name = {n["name"]: n for n in payload["names"]}
    assert by_name["ctl_errors"] == {"name": "ctl_errors", "sheet_index": wb.sheetnames.index("Einstellungen"),
                                     "address": "A18:D67", "scope_sheet_name": None, "scope_sheet_index": None,
                                     "book_scope": True}
    settings = payload["sheets"][wb.sheetnames.index("Einstellungen")]["values"]
    assert len(settings) == 67  # the used range reaches the formatted error block, as in Excel
    book = xw.Book(json=payload)
    file_values = read_named(controller).values
    for name in (*SETTING_NAMES, "ctl_status"):
        assert book.names[name].refers_to_range.value == file_values[name], name


def test_payload_values_dates_errors_tables_pictures_and_names(tmp_path):
    import base64
    import io

    import xlsxwriter

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5Er"
                           "kJggg==")
    path = tmp_path / "klein.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Daten")
    ws.write("A1", "Text")
    ws.write("B1", 14)
    ws.write("C1", 2.5)
    ws.write("D1", True)
    ws.write_datetime("A2", datetime(2026, 3, 31), wb.add_format({"num_format": "dd.mm.yyyy"}))
    ws.write_formula("B2", "=1/0", None, "#DIV/0!")
    ws.add_table("A4:C7", {"name": "Umsatz", "total_row": True,
                           "columns": [{"header": "a"}, {"header": "b"}, {"header": "c"}]})
    ws.insert_image("F2", "logo.png", {"image_data": io.BytesIO(png), "x_scale": 40, "y_scale": 20})
    other = wb.add_worksheet("Zwei")
    other.write("C3", "x")
    other.activate()
    other.set_selection("C3")
    wb.add_worksheet("Leer")
    wb.define_name("Zwei!lokal", "=Zwei!$C$3")  # a sheet-scoped name
    wb.define_name("satz", "=0.19")  # a constant, not a range: Office.js leaves it out
    wb.define_name("block", "=Daten!$A$1:$D$2")
    wb.close()
    payload = officejs_book(path)
    assert payload["book"] == {"name": "klein.xlsx", "active_sheet_index": 1, "selection": "C3"}
    assert payload["names"] == [
        {"name": "block", "sheet_index": 0, "address": "A1:D2", "scope_sheet_name": None, "scope_sheet_index": None,
         "book_scope": True},
        {"name": "lokal", "sheet_index": 1, "address": "C3", "scope_sheet_name": "Zwei", "scope_sheet_index": 1,
         "book_scope": False}]
    daten, zwei, leer = payload["sheets"]
    assert daten["values"][:2] == [["Text", 14, 2.5, True], ["2026-03-31T00:00:00.000Z", "#DIV/0!", "", ""]]
    assert daten["tables"] == [{"name": "Umsatz", "range_address": "A4:C7", "header_row_range_address": "A4:C4",
                                "data_body_range_address": "A5:C6", "total_row_range_address": "A7:C7",
                                "show_headers": True, "show_totals": True, "table_style": "TableStyleMedium9",
                                "show_autofilter": True}]
    assert daten["pictures"] == [{"name": "Picture 1", "height": 15.0, "width": 30.0}]  # 1 px × 40, × 20 at 0.75
    assert zwei["values"] == [["", "", ""], ["", "", ""], ["", "", "x"]]
    assert leer == {"name": "Leer", "values": [[""]], "pictures": [], "tables": []}
    excluded = officejs_book(path, exclude=["Daten"], active_sheet="Daten", selection="$B$2")
    assert excluded["sheets"][0] == {"name": "Daten", "values": [[]], "pictures": [], "tables": []}
    assert excluded["book"] == {"name": "klein.xlsx", "active_sheet_index": 0, "selection": "B2"}
    assert officejs_book(path, include=["Zwei"])["sheets"][2]["values"] == [[]]
    with pytest.raises(ValueError, match="not both"):
        officejs_book(path, include=["Zwei"], exclude=["Daten"])
