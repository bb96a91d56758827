"""An input typed wrong into the controller is not carried into the new one — and ``generate`` and ``collect`` say so
like any other problem: file, sheet and cell where it was typed, the value, its label on the sheet and what is
allowed; exit code 2 ("listed, the rest done"). ``collect`` names each cell once (its export check and the carry
judge the same value) and writes it into collect_errors.csv beside the plans' problems."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kam_xl.cli import app
from kam_xl.workbook.names import read_named
from tests.shared import type_values

runner = CliRunner()

#: typed into the demo controller (German): threshold A above B (95 %), a text in a weight, a language the plans
#: cannot have, a selection rating above 100 for the first account, a coordination rating above 7 for the second
TYPED = {"abc_share_a": 0.97, "res_weight_potential": "viel", "ctl_lang": "fr", ("sel_ratings", 0, 0): 150,
         ("coord_ratings", 1, 0): 9}
#: where each is, as a person finds it in the workbook (the thresholds on ABC-XYZ in C4:C5, the weights on
#: Ressourcen from D4, the settings on Einstellungen from B4, the ratings' blocks from Auswahl!I9 and
#: Koordination!C10), and what the lines say of it
LINES = [
    "Controller.xlsm, sheet Einstellungen, cell B6: value 'fr': Sprache der Account-Pläne: {kept} — allowed: de or en",
    "Controller.xlsm, sheet Ressourcen, cell D4: value 'viel': Gewicht Potenzialanteil: {kept} — allowed: a number ≥ 0",
    "Controller.xlsm, sheet ABC-XYZ, cell C4: value '97 %': Schwelle A: {both} — allowed: at most Schwelle B (95 %)",
    "Controller.xlsm, sheet ABC-XYZ, cell C5: value '95 %': Schwelle B: {both} — allowed: at least Schwelle A (97 %)",
    "Controller.xlsm, sheet Auswahl, cell I9: value 150: Auswahl-Bewertungen, Kunde KA-001, Laufendes Umsatzvolumen: "
    "{both} — allowed: Input should be less than or equal to 100",
    "Controller.xlsm, sheet Koordination, cell C11: value 9: Koordinationsbedarf, Kunde KA-002, BU 1: {both} — "
    "allowed: Input should be less than or equal to 7"]


@pytest.fixture
def typed(demo_plans: Path, tmp_path: Path) -> Path:
    """The demo plans with the controller ``generate`` writes beside them, the wrong values of :data:`TYPED` typed
    into it."""
    folder = Path(shutil.copytree(demo_plans, tmp_path / "plans"))
    first = runner.invoke(app, ["generate", "--out", str(folder)])
    assert first.exit_code == 0, first.output
    controller = folder / "Controller.xlsm"
    assert read_named(controller).values["coord_ids"][:2] == [["KA-001"], ["KA-002"]]
    type_values(controller, TYPED)
    return folder


def _listed(stderr: str) -> list[str]:
    return [line.strip().removeprefix("• ") for line in stderr.splitlines() if line.strip().startswith("• ")]


def test_generate_lists_each_refused_input_by_sheet_and_cell_and_exits_2(typed: Path) -> None:
    result = runner.invoke(app, ["generate", "--out", str(typed)])
    assert result.exit_code == 2, result.output
    assert _listed(result.stderr) == [line.format(kept="not kept", both="not kept") for line in LINES]
    # the rest done: every plan is there (unchanged: same data), the controller written with the data's values
    assert "0 neu, 0 erneuert, 0 nicht geschrieben; 0 Konflikte; 14 unverändert" in result.stdout
    assert len(list(typed.glob("KA-0*.xlsx"))) == 14
    values = read_named(typed / "Controller.xlsm").values
    assert (values["abc_share_a"], values["abc_share_b"], values["res_weight_potential"], values["ctl_lang"]) == (
        0.8, 0.95, 1, "de")
    assert values["sel_ratings"][0][0] is None and values["coord_ratings"][1][0] == 3  # the demo data's
    # the status cell says what it said before
    assert "Schwelle A = 97 % nicht übernommen (erlaubt: at most abc_b (95 %)); Schwelle B = 95 % nicht übernommen" \
           in values["ctl_status"]
    assert "Koordinationsbedarf, Kunde KA-002, bu_1 = 9 nicht übernommen" in values["ctl_status"]
    assert len(list((typed / "_backup").glob("Controller.*.xlsm"))) == 1
    # said once: the controller now holds values that hold, and the next run has nothing to say
    again = runner.invoke(app, ["generate", "--out", str(typed)])
    assert again.exit_code == 0, again.output


def test_collect_names_each_cell_once_and_writes_it_into_the_error_report(typed: Path) -> None:
    result = runner.invoke(app, ["collect", str(typed)])
    assert result.exit_code == 2, result.output
    # the cells both the export check and the carry refuse are named once, in the export's order (the sheets in
    # workbook order: Auswahl before ABC-XYZ); then the settings, which are not exported
    both = [LINES[i].format(both="not kept nor exported") for i in (4, 2, 3, 5)]
    kept = [line.format(kept="not kept") for line in LINES[:2]]
    assert _listed(result.stderr) == both + kept
    assert "Controller-Arbeitsmappe: " in result.stdout and "(die alte: " in result.stdout  # the backup named
    with (typed / "collect_errors.csv").open(encoding="utf-8-sig") as f:
        report = list(csv.DictReader(f, delimiter=";"))
    assert [(r["file"], r["sheet"], r["cell"], r["value"]) for r in report] == [
        ("Controller.xlsm", "Auswahl", "I9", "150"), ("Controller.xlsm", "ABC-XYZ", "C4", "97 %"),
        ("Controller.xlsm", "ABC-XYZ", "C5", "95 %"), ("Controller.xlsm", "Koordination", "C11", "9"),
        ("Controller.xlsm", "Einstellungen", "B6", "fr"), ("Controller.xlsm", "Ressourcen", "D4", "viel")]
    assert report[1]["problem"] == "Schwelle A: not kept nor exported — allowed: at most Schwelle B (95 %)"
    assert report[5]["problem"] == "Gewicht Potenzialanteil: not kept — allowed: a number ≥ 0"
    values = read_named(typed / "Controller.xlsm").values
    assert (values["abc_share_a"], values["coord_ratings"][1][0]) == (0.8, 3)


def test_an_english_controller_names_its_inputs_by_its_own_labels(demo_plans: Path, tmp_path: Path) -> None:
    folder = Path(shutil.copytree(demo_plans, tmp_path / "plans"))
    assert runner.invoke(app, ["generate", "--out", str(folder), "--lang", "en"]).exit_code == 0
    type_values(folder / "Controller.xlsm", {"xyz_cv_y": 0.2, "sg_logic_focus_2": 4, ("coord_ratings", 0, 7): 0})
    result = runner.invoke(app, ["generate", "--out", str(folder), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert _listed(result.stderr) == [
        "Controller.xlsm, sheet ABC-XYZ, cell C6: value 0.25: threshold X: not kept — allowed: at most threshold Y "
        "(0.2)",
        "Controller.xlsm, sheet ABC-XYZ, cell C7: value 0.2: threshold Y: not kept — allowed: at least threshold X "
        "(0.25)",
        "Controller.xlsm, sheet St. Gallen, cell D41: value 4: Tools focus: not kept — allowed: Input should be less "
        "than or equal to 3",
        "Controller.xlsm, sheet Coordination, cell J10: value 0: Coordination need, account KA-001, Terr. 2: not kept "
        "— allowed: Input should be greater than or equal to 1"]


def test_an_old_controller_that_cannot_be_read_is_listed_and_replaced(demo_plans: Path, tmp_path: Path) -> None:
    folder = Path(shutil.copytree(demo_plans, tmp_path / "plans"))
    (folder / "Controller.xlsm").write_bytes(b"PK\x03\x04" + b"\x00" * 4000)  # a zip's first bytes, then nothing
    result = runner.invoke(app, ["generate", "--out", str(folder)])
    assert result.exit_code == 2, result.output
    [line] = _listed(result.stderr)
    backup = next((folder / "_backup").glob("Controller.*.xlsm"))
    assert line.startswith("Controller.xlsm: the inputs typed into it are not kept — Controller.xlsm: damaged")
    assert line.endswith(f"; the old file is {backup}")
    assert backup.read_bytes() == b"PK\x03\x04" + b"\x00" * 4000
    assert read_named(folder / "Controller.xlsm").meta["template_id"]


def test_inputs_an_old_controller_does_not_show_follow_the_data_and_are_not_refused(tmp_path: Path) -> None:
    """A controller of a data book without resources nor excellence tables has no weight or spread cells (the
    sections show a note): regenerating it carries nothing for them and refuses nothing — the merge once took them
    for cleared and named them "= None not kept" in the status cell."""
    from kam_xl.batch import write_controller_result
    from kam_xl.databook import DataBook, demo_databook

    demo = demo_databook()
    db = DataBook(source="small", accounts=demo.accounts[:3],
                  tables={**demo.tables, "resources": None, "regions": None, "excellence": None})
    target = tmp_path / "Controller.xlsx"
    write_controller_result(db, target, "de")
    assert {"res_weight_potential", "ctl_exc_spread"}.isdisjoint(read_named(target).refs)
    again = write_controller_result(db, target, "de")
    assert (again.refused, again.unread, again.backup is not None) == ((), None, True)
    assert "nicht übernommen" not in read_named(target).values["ctl_status"]


def test_a_refused_rating_is_exported_as_the_data_has_it_so_the_next_generate_keeps_it(typed: Path) -> None:
    """A coordination rating typed out of its scale is reset to the data's value in the new controller; the export
    carried no value there, so a generate from the export left the cell empty — the data's value lost (a user's
    trial). The export now holds what the new controller holds."""
    from kam_xl.databook import demo_databook, read_databook

    data = {(r["account_id"], r["scale"], r["item"]): r["rating"] for r in demo_databook().table("coordination")}
    result = runner.invoke(app, ["collect", str(typed)])
    assert result.exit_code == 2, result.output
    new = read_named(typed / "Controller.xlsm").values
    exported = {(r["account_id"], r["scale"], r["item"]): r["rating"]
                for r in read_databook(typed / "collected.xlsx").table("coordination")}
    key = next(k for k in data if k[0] == "KA-002")  # KA-002's first coordination cell: C11, where 9 was typed
    assert new["coord_ratings"][1][0] == data[key] == exported[key]
    again = runner.invoke(app, ["generate", "--data", str(typed / "collected.xlsx"), "--out", str(typed)])
    assert read_named(typed / "Controller.xlsm").values["coord_ratings"][1][0] == data[key], again.output


def test_collect_to_another_file_carries_and_exports_what_was_typed_into_the_folders_controller(
        demo_plans: Path, tmp_path: Path) -> None:
    """collect --to DIR/Controller.xlsx (the macro-free controller the README offers): the inputs typed into
    DIR/Controller.xlsm were neither carried into the new file nor exported, without a word (a user's trial)."""
    folder = Path(shutil.copytree(demo_plans, tmp_path / "plans"))
    assert runner.invoke(app, ["generate", "--out", str(folder)]).exit_code == 0
    typed_in = folder / "Controller.xlsm"
    type_values(typed_in, {"abc_share_a": 0.7, ("sel_ratings", 0, 1): 77, ("coord_ratings", 1, 0): 6})
    before = typed_in.read_bytes()
    result = runner.invoke(app, ["collect", str(folder), "--to", str(folder / "Controller.xlsx")])
    assert result.exit_code == 0, result.output
    new = read_named(folder / "Controller.xlsx").values
    assert (new["abc_share_a"], new["sel_ratings"][0][1], new["coord_ratings"][1][0]) == (0.7, 77, 6)
    from kam_xl.databook import read_databook

    export = read_databook(folder / "collected.xlsx")
    assert any(r["account_id"] == "KA-002" and r["rating"] == 6 for r in export.table("coordination"))
    assert typed_in.read_bytes() == before  # the folder's controller is left as it is


def test_collect_to_a_workbook_that_is_no_controller_exports_what_the_folders_controller_holds(
        demo_plans: Path, tmp_path: Path) -> None:
    """collect --to mine.xlsx (someone's own workbook, left as it is): the export was rewritten without the
    controller's tables, the inputs typed into DIR/Controller.xlsm taken from nowhere (a user's re-trial)."""
    import openpyxl

    from kam_xl.databook import read_databook

    folder = Path(shutil.copytree(demo_plans, tmp_path / "plans"))
    assert runner.invoke(app, ["generate", "--out", str(folder)]).exit_code == 0
    type_values(folder / "Controller.xlsm", {("coord_ratings", 1, 0): 6})
    mine = tmp_path / "mine.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "mine"
    wb.save(mine)
    before = mine.read_bytes()
    result = runner.invoke(app, ["collect", str(folder), "--to", str(mine)])
    assert result.exit_code == 2 and "mine.xlsx: not written — not a controller workbook" in " ".join(
        result.output.split())
    assert mine.read_bytes() == before
    export = read_databook(folder / "collected.xlsx")
    assert any(r["account_id"] == "KA-002" and r["rating"] == 6 for r in export.table("coordination"))


def test_collect_to_another_controller_says_the_folders_controller_inputs_are_not_used(
        demo_plans: Path, tmp_path: Path) -> None:
    """collect --to other/Controller.xlsm (a controller of its own): its inputs are carried; those typed into
    DIR/Controller.xlsm went unused without a word (a user's re-trial). A line now names both files."""
    folder = Path(shutil.copytree(demo_plans, tmp_path / "plans"))
    other = tmp_path / "other"
    assert runner.invoke(app, ["generate", "--out", str(folder)]).exit_code == 0
    assert runner.invoke(app, ["generate", "--out", str(other)]).exit_code == 0
    type_values(folder / "Controller.xlsm", {("coord_ratings", 1, 0): 6})
    type_values(other / "Controller.xlsm", {("coord_ratings", 1, 0): 2})
    result = runner.invoke(app, ["collect", str(folder), "--to", str(other / "Controller.xlsm"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert (f"{folder / 'Controller.xlsm'}: its inputs are not used — they come from {other / 'Controller.xlsm'}, "
            "the controller written") in said
    assert read_named(other / "Controller.xlsm").values["coord_ratings"][1][0] == 2  # the target's, as before
    # without --to, or --to the folder's own controller: nothing to say
    result = runner.invoke(app, ["collect", str(folder), "--to", str(folder / "Controller.xlsm"), "--lang", "en"])
    assert result.exit_code == 0 and "not used" not in result.stdout


def test_collect_to_a_plan_or_a_folder_collects_every_plan_and_says_nothing_false(
        demo_plans: Path, tmp_path: Path) -> None:
    """``--to`` a plan of the folder: the plan was passed over as if it were collect's own output — uncollected,
    without a word — while the controller was (rightly) not written over it; ``--to`` an existing folder said the
    folder's controller inputs came from that folder, "the controller written" (users' trials)."""
    from kam_xl.databook import read_databook

    folder = Path(shutil.copytree(demo_plans, tmp_path / "plans"))
    assert runner.invoke(app, ["generate", "--out", str(folder)]).exit_code == 0
    plan = next(folder.glob("KA-001_*.xlsx"))
    before = plan.read_bytes()
    result = runner.invoke(app, ["collect", str(folder), "--to", str(plan), "--lang", "en"])
    assert result.exit_code == 2 and "not written — not a controller workbook" in " ".join(result.output.split())
    assert plan.read_bytes() == before
    assert "14 plans" in result.stdout and "without a plan collected" not in result.stdout
    assert "KA-001" in {a.account_id for a in read_databook(folder / "collected.xlsx").accounts}
    elsewhere = tmp_path / "newdir"
    elsewhere.mkdir()
    result = runner.invoke(app, ["collect", str(folder), "--to", str(elsewhere), "--lang", "en"])
    assert result.exit_code == 1 and "not used" not in result.stdout  # a bad option: said before any work
    assert f"--to {elsewhere}: a folder — allowed: the controller workbook to write" in " ".join(result.output.split())


@pytest.mark.parametrize("name", ["out.csv", "Controller.ods", "Controller"])
def test_collect_to_a_file_that_is_no_excel_workbook_is_refused_before_any_work(
        demo_plans: Path, tmp_path: Path, name: str) -> None:
    """``--to out.csv`` wrote the controller — an .xlsx workbook — under that name (a user's trial)."""
    folder = Path(shutil.copytree(demo_plans, tmp_path / "plans"))
    target = tmp_path / name
    result = runner.invoke(app, ["collect", str(folder), "--to", str(target), "--lang", "en"])
    assert result.exit_code == 1 and not target.exists() and not (folder / "collected.xlsx").exists()
    assert f"--to {target}: " in result.output and "allowed: the controller workbook to write (.xlsm, or .xlsx" \
        in " ".join(result.output.split())


def test_collect_export_into_the_plans_folder_is_refused_before_any_work(demo_plans: Path, tmp_path: Path) -> None:
    """``--export DIR/mine.xlsx``: every later collect of DIR read it as a foreign workbook, skipped and listed
    (a user's trial); the default DIR/collected.xlsx is passed over by name, a folder of CSV files is not read."""
    folder = Path(shutil.copytree(demo_plans, tmp_path / "plans"))
    mine = folder / "mine.xlsx"
    result = runner.invoke(app, ["collect", str(folder), "--export", str(mine), "--lang", "en"])
    assert result.exit_code == 1 and not mine.exists() and not (folder / "collected.xlsx").exists()
    assert f"--export {mine}: in {folder}, whose workbooks the next collect of {folder} reads" \
        in " ".join(result.output.split())
    inner = folder / "Fragebogen" / "x.xlsx"
    result = runner.invoke(app, ["collect", str(folder), "--export", str(inner), "--lang", "en"])
    assert result.exit_code == 1 and f"--export {inner}: in {inner.parent}," in " ".join(result.output.split())
    result = runner.invoke(app, ["collect", str(folder), "--export", str(folder / "csv"), "--lang", "en"])
    assert result.exit_code == 0 and (folder / "csv" / "accounts.csv").exists()
    for _ in range(2):  # the default, named: replaced each run as the default is (it was refused: "exists")
        again = runner.invoke(app, ["collect", str(folder), "--lang", "en", "--export", str(folder / "collected.xlsx")])
        assert again.exit_code == 0 and "0 files skipped" in again.output


def test_collect_to_a_damaged_file_carries_the_folders_controller_inputs_and_language(
        demo_plans: Path, tmp_path: Path) -> None:
    """``--to`` an existing file that cannot be read (damaged, empty) is replaced (its backup kept), as a damaged
    controller is; it has no inputs to carry, so those of the folder's controller are carried and its language
    kept — the run said they came from the damaged file and dropped them, and wrote German (a user's trial)."""
    folder = tmp_path / "plans"
    assert runner.invoke(app, ["generate", "--out", str(folder), "--lang", "en"]).exit_code == 0
    damaged = tmp_path / "garbage.xlsm"
    damaged.write_bytes(b"PK\x03\x04 not really a workbook" * 50)
    result = runner.invoke(app, ["collect", str(folder), "--to", str(damaged)])
    said = " ".join(result.output.split())
    assert "14 plans" in said and "not used" not in said and "Controller workbook:" in said
    from python_calamine import CalamineWorkbook

    assert CalamineWorkbook.from_path(str(damaged)).sheet_names[:2] == ["Cockpit", "Accounts"]
