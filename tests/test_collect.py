"""kam-xl collect: filled plans back into models, bad files reported and skipped, never fatal."""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import openpyxl
import pytest
from shared import type_into
from typer.testing import CliRunner

from kam_xl.batch import collect_plans, plans_to_databook
from kam_xl.cli import app
from kam_xl.databook import demo_databook, read_databook

runner = CliRunner()


@pytest.fixture
def plans(tmp_path, demo_plans):
    """A fresh copy of the demo plans and questionnaires as generate_all writes them (conftest's demo_plans)."""
    return Path(shutil.copytree(demo_plans, tmp_path / "plans"))


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_round_trip_every_demo_plan_gives_back_the_data(plans, tmp_path, engine):
    result = collect_plans(plans, engine=engine)
    assert (len(result.plans), result.problems, result.skipped) == (14, [], [])
    db = demo_databook()
    assert [r.model_dump() for r in result.responses] == [r.model_dump() for r in db.responses()]
    export = plans_to_databook(result.plans, "test")
    for account in db.accounts:
        year = db.cdb_years(account.account_id)[-1]
        [row] = [r for r in export.table("cdb") if r["account_id"] == account.account_id]
        amounts, acts = db.cdb_input(account.account_id, year)
        assert {k: row[k] for k in amounts.model_dump()} == amounts.model_dump()
        got = [(r["activity"], r["stage"], r["driver_quantity"], r["cost_rate"])
               for r in export.table("activities") if r["account_id"] == account.account_id]
        assert got == [(a.activity, a.stage, a.driver_quantity, a.cost_rate) for a in acts]
        for scenario in ("plan", "actual"):
            want_p, want_c = db.kaop_rows(account.account_id, account.plan_year, scenario)
            got_p = [r for r in export.table("kaop_products")
                     if r["account_id"] == account.account_id and r["scenario"] == scenario]
            got_c = [r for r in export.table("kaop_costs")
                     if r["account_id"] == account.account_id and r["scenario"] == scenario]
            assert sorted((r["product"], r["quarter"], r["volume"], r["price"], r["share_of_wallet"]) for r in got_p) \
                == sorted((r.product, r.quarter, r.volume, r.price, r.share_of_wallet) for r in want_p)
            assert sorted((r["category"], r["quarter"], r["amount"], r["rate_of_revenue"]) for r in got_c) == sorted(
                (c.category, c.quarter, c.amount, c.rate_of_revenue) for c in want_c)
    # the export is a valid data book that generate can read again
    folder = tmp_path / "export"
    from kam_xl.databook import write_databook
    write_databook(export, folder)
    again = read_databook(folder)
    assert len(again.accounts) == 14 and len(again.table("kgb")) == len(db.table("kgb"))


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_typed_values_come_back(plans, engine):
    plan = next(plans.glob("KA-005_*.xlsx"))
    type_into(plan, "cdb_in_sales_cost", 77_777)
    type_into(plan, "acc_supplier_role", "Systempartner")
    [p] = [p for p in collect_plans(plans, engine=engine).plans if p.account.account_id == "KA-005"]
    assert p.cdb.sales_cost == 77_777
    assert p.account.supplier_role == "Systempartner"


def test_collect_over_good_wrong_foreign_and_truncated_files(plans, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    files = sorted(plans.glob("*.xlsx"))
    good, wrong, truncated = files[0], files[1], files[2]
    (folder / good.name).write_bytes(good.read_bytes())
    type_into(wrong, "cdb_in_freight", "viel")
    (folder / wrong.name).write_bytes(wrong.read_bytes())
    data = truncated.read_bytes()
    (folder / truncated.name).write_bytes(data[: len(data) // 2])
    foreign = openpyxl.Workbook()
    foreign.active["A1"] = "Umsatzplanung 2026"
    foreign.save(folder / "Umsatzplanung.xlsx")
    (folder / "geschuetzt.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)

    result = runner.invoke(app, ["collect", str(folder), "--export", str(tmp_path / "export.xlsx")])
    assert result.exit_code == 2
    assert "1 Plan und 0 Fragebögen gelesen, 1 Datei mit ungültigen Eingaben, 3 Dateien übersprungen" in result.stdout
    assert f"{wrong.name}, sheet CDB, cell B8: value 'viel': allowed: an amount ≥ 0" in result.stderr
    # the one CSV dialect (kam_xl.csvio): UTF-8 with BOM, ';'-separated — what German Excel opens
    report = list(csv.DictReader((folder / "collect_errors.csv").open(encoding="utf-8-sig"), delimiter=";"))
    assert report[0] == {"file": wrong.name, "sheet": "CDB", "cell": "B8", "value": "viel",
                         "problem": "allowed: an amount ≥ 0"}
    reasons = {r["file"]: r["problem"] for r in report[1:]}
    assert "damaged or not an .xlsx" in reasons[truncated.name]
    assert "not a kam_xl account plan" in reasons["Umsatzplanung.xlsx"]
    assert "password-protected" in reasons["geschuetzt.xlsx"]
    # the export is the controller's data book: the one plan collected first, then the data book's other accounts
    # with the data book's values (the plans were generated from the demo data) — and a line says which
    export = read_databook(tmp_path / "export.xlsx")
    ids = [a.account_id for a in export.accounts]
    assert ids[0] == good.name.split("_")[0] and sorted(ids) == sorted(a.account_id for a in demo_databook().accounts)
    wrong_id = wrong.name.split("_")[0]
    assert [r for r in export.table("cdb") if r["account_id"] == wrong_id] == \
        [r for r in demo_databook().table("cdb") if r["account_id"] == wrong_id]  # not the plan's 'viel'
    said = " ".join(result.stdout.split())
    assert "13 Kunden des Datenbuchs ohne übernommenen Plan" in said and wrong_id in said


def test_plan_of_another_template_version_is_skipped(plans):
    plan = next(plans.glob("KA-001_*.xlsx"))
    type_into(plan, "meta_template_version", "0.9")
    result = collect_plans(plans)
    assert len(result.plans) == 13
    assert result.skipped == [(plan.name, f"{plan.name}: account plan of template version 0.9, this kam_xl reads "
                                          "1.0 — regenerate it first")]


def test_account_level_excellence_ratings_survive_regeneration_and_are_exported(plans):
    from kam_xl.batch import generate_plan
    from kam_xl.workbook.names import read_named

    plan = next(plans.glob("KA-006_*.xlsx"))
    ids = [row[0] for row in read_named(plan).values["exc_LM_ids"]]
    type_into(plan, "exc_LM_ratings", "100 – trifft voll und ganz zu", row=ids.index("LM-1.1"))
    type_into(plan, "exc_LM_evidence", "Kundenworkshop März", row=ids.index("LM-1.1"))
    assert generate_plan(None, "KA-006", plans).status == "regenerated"
    result = collect_plans(plans)
    export = plans_to_databook(result.plans, "t")  # the plans' rows only (not the questionnaires')
    assert export.table("excellence") == [{"respondent": "KA-006", "role": "Account-Plan", "criterion_id": "LM-1.1",
                                           "rating": 100, "evidence": "Kundenworkshop März"}]


def test_generate_writes_the_controller_and_collect_consolidates_into_it(tmp_path):
    from kam_xl.workbook.names import read_named

    out = tmp_path / "out"
    assert runner.invoke(app, ["generate", "--out", str(out)]).exit_code == 0
    ctl = read_named(out / "Controller.xlsm")
    assert ctl.meta["template_id"] == "kam_xl.controller"
    ids = [r[0] for r in ctl.values["ctl_acc_ids"]]
    before = ctl.values["ctl_acc_cdb_iii"][ids.index("KA-005")][0]
    plan = next(out.glob("KA-005_*.xlsx"))
    type_into(plan, "cdb_in_sales_cost", 0)  # the KAM books no sales cost: CDB III rises by the old sales cost
    old_sales = demo_databook().cdb_input("KA-005", 2025)[0].sales_cost
    for _ in range(2):  # collect can run again over its own outputs
        result = runner.invoke(app, ["collect", str(out)])
        assert result.exit_code == 0, result.output
        assert ("14 Pläne und 0 Fragebögen gelesen, "
                "0 Dateien mit ungültigen Eingaben, 0 Dateien übersprungen") in result.stdout
    ctl = read_named(out / "Controller.xlsm")
    after = ctl.values["ctl_acc_cdb_iii"][[r[0] for r in ctl.values["ctl_acc_ids"]].index("KA-005")][0]
    assert after == pytest.approx(before + old_sales, abs=0.01)
    assert ctl.values["ctl_res_moved_share"] is not None  # resources come from the data book (demo)
    assert len(list((out / "_backup").glob("Controller.*.xlsm"))) == 2


def test_what_was_typed_on_the_controller_outlives_collect_and_the_next_generate(tmp_path):
    """A user's trial: weights and ratings typed on the controller were kept by collect, and lost by the next
    generate from the same data book — collect had put them into the controller's data, so its snapshot recorded
    them as the data's values, and generate (whose data book does not hold them) took them for untouched. Typed
    on the controller, they stay typed through collect, generate, and generate again from collect's export."""
    from shared import type_values

    from kam_xl.workbook.names import read_named

    out = tmp_path / "out"
    assert runner.invoke(app, ["generate", "--out", str(out)]).exit_code == 0
    ctl = out / "Controller.xlsm"
    ids = [r[0] for r in read_named(ctl).values["coord_ids"]]
    sel = [r[0] for r in read_named(ctl).values["sel_ids"]]
    typed = {"decision_weight_t4_1": 3, ("coord_ratings", ids.index("KA-002"), 6): 1,
             ("sel_ratings", sel.index("KA-003"), 0): 85}

    def values() -> tuple[object, object, object]:
        v = read_named(ctl).values
        return (v["decision_weight_t4_1"], v["coord_ratings"][ids.index("KA-002")][6],
                v["sel_ratings"][sel.index("KA-003")][0])

    fresh = values()
    assert fresh != (3, 1, 85)
    type_values(ctl, typed)
    assert runner.invoke(app, ["collect", str(out)]).exit_code == 0
    assert values() == (3, 1, 85)
    assert runner.invoke(app, ["generate", "--out", str(out)]).exit_code == 0
    assert values() == (3, 1, 85)  # before the fix: the data's values again, and no word of it
    assert "übernommen" in read_named(ctl).values["ctl_status"]
    assert runner.invoke(app, ["generate", "--out", str(out), "--data", str(out / "collected.xlsx")]).exit_code == 0
    assert values() == (3, 1, 85)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_error_report_that_cannot_be_written_is_not_named_as_written(tmp_path, jobs):
    """A user's trial: with collect_errors.csv refused by the disk, collect listed it as not written and still
    named it in its summary ('→ Export …, Fehlerbericht out/collect_errors.csv'), a file that does not exist."""
    out = tmp_path / "out"
    assert runner.invoke(app, ["generate", "--out", str(out)]).exit_code == 0
    (out / "collect_errors.csv").mkdir()  # where the report goes, a folder: the write fails as a full disk's would
    result = runner.invoke(app, ["collect", str(out), "--jobs", jobs])
    assert result.exit_code == 2, result.output
    assert "Fehlerbericht nicht geschrieben" in result.stdout
    assert "collect_errors.csv" not in result.stdout
    assert "collect_errors.csv: not written" in result.output


def test_a_folder_with_nothing_to_collect_stops_and_writes_nothing(tmp_path):
    """A trial collected an empty (mistyped) folder: exit 0, an empty export and an empty controller written."""
    folder = tmp_path / "plans"
    (folder / "Fragebogen").mkdir(parents=True)
    (folder / "notes.txt").write_text("no spreadsheet")
    result = runner.invoke(app, ["collect", str(folder)])
    assert result.exit_code == 1
    assert f"{folder}: no account plans or questionnaires in it, nor a Controller.xlsm — allowed: the folder with " \
           "the filled account plans, or --data with a data book" in result.stderr
    assert sorted(p.name for p in folder.rglob("*")) == ["Fragebogen", "notes.txt"]
    # with a data book there is something to consolidate: the data book's controller and export
    with_data = runner.invoke(app, ["collect", str(folder), "--data", str(_demo_databook_folder(tmp_path))])
    assert with_data.exit_code == 0, with_data.output
    assert {"Controller.xlsm", "collected.xlsx"} <= {p.name for p in folder.iterdir()}


def _demo_databook_folder(tmp_path: Path) -> Path:
    """The demo data book as a CSV folder a user would name with --data."""
    from kam_xl.databook.writer import write_databook

    target = tmp_path / "demo_db"
    write_databook(demo_databook(), target)
    return target


def _close(a: object, b: object) -> bool:
    """Equal, numbers within 1e-12 relative (a sum of weights read back from the export may differ in its last
    bits), nested lists element by element."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-12)
    return a == b


def test_the_export_is_a_whole_data_book_generate_from_it_gives_the_same_controller(tmp_path):
    """A user's trial: ``generate --data DIR/collected.xlsx`` gave a controller without portfolio, resource and
    excellence figures, without a word — the export held the plans' and the controller's tables, not the data
    book's own (portfolio, resources, regions, the questionnaires' answers). It now holds them, so the controller
    made from it shows what the one collected shows (39 of its 219 defined names differed before)."""
    from kam_xl.workbook.names import read_named

    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert runner.invoke(app, ["generate", "--out", str(out)]).exit_code == 0
    assert runner.invoke(app, ["collect", str(out)]).exit_code == 0
    export, demo = read_databook(out / "collected.xlsx"), demo_databook()
    for name in ("portfolio", "resources", "regions", "excellence"):
        assert list(export.tables[name]) == list(demo.tables[name]), name
    assert runner.invoke(app, ["generate", "--data", str(out / "collected.xlsx"), "--out", str(fresh)]).exit_code == 0
    collected, again = read_named(out / "Controller.xlsm").values, read_named(fresh / "Controller.xlsm").values
    differ = {k for k in collected if not _close(collected[k], again.get(k))}
    assert differ == {"ctl_databook", "ctl_settings", "ctl_status"}  # its source (the export) and the time written
    assert again["ctl_res_regions"] and again["ctl_acc_potential"] == collected["ctl_acc_potential"]


def test_an_account_without_a_collected_plan_is_exported_as_the_controller_shows_it(tmp_path):
    """A user's trial: an account whose plan was not collected (no file, a duplicate, invalid inputs) stayed in the
    controller with the data book's values but left the export, so ``generate --data`` of the export gave a controller
    of one account fewer (other totals, ABC classes, ranks) — and nothing said so. Both now hold it, and a line
    names it."""
    from kam_xl.workbook.names import read_named

    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert runner.invoke(app, ["generate", "--out", str(out)]).exit_code == 0
    next(out.glob("KA-005_*.xlsx")).unlink()
    result = runner.invoke(app, ["collect", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert ("1 account of the data book without a plan collected (missing, skipped or with invalid inputs) — in the "
            "controller and the export with the data book's values: KA-005") in " ".join(result.stdout.split())
    export, demo = read_databook(out / "collected.xlsx"), demo_databook()
    assert [a.account_id for a in export.accounts][-1] == "KA-005"  # after the collected ones, as in the controller
    for name in ("cdb", "portfolio", "kaop_costs"):
        assert [r for r in export.table(name) if r["account_id"] == "KA-005"] == \
            [r for r in demo.table(name) if r["account_id"] == "KA-005"], name
    assert runner.invoke(app, ["generate", "--data", str(out / "collected.xlsx"), "--out", str(fresh),
                               "--lang", "en"]).exit_code == 0  # the controller collect wrote is in English
    collected, again = read_named(out / "Controller.xlsm").values, read_named(fresh / "Controller.xlsm").values
    assert {k for k in collected if not _close(collected[k], again.get(k))} == {"ctl_databook", "ctl_settings",
                                                                                 "ctl_status"}


def test_an_account_level_excellence_rating_keeps_the_questionnaires_answers_in_the_export(tmp_path):
    """A user's trial: one excellence rating typed into a plan (an account's own assessment) made the export's
    excellence table that one row — the questionnaires' answers of the data book, which the controller shows, were
    gone from it, and from the controller generated from it."""
    from kam_xl.workbook.names import read_named

    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert runner.invoke(app, ["generate", "--out", str(out)]).exit_code == 0
    plan = next(out.glob("KA-002_*.xlsx"))
    type_into(plan, "exc_LM_ratings", 50)  # the first criterion of the dimension LM
    assert runner.invoke(app, ["collect", str(out)]).exit_code == 0
    respondents = read_named(out / "Controller.xlsm").values["ctl_exc_respondents"]  # one row: a name a column
    assert "KA-002" in respondents[0] and len(respondents[0]) > 1
    export = read_databook(out / "collected.xlsx")
    answers = {r["respondent"] for r in export.table("excellence")}
    assert {r["respondent"] for r in demo_databook().table("excellence")} < answers and "KA-002" in answers
    assert runner.invoke(app, ["generate", "--data", str(out / "collected.xlsx"), "--out", str(fresh)]).exit_code == 0
    assert read_named(fresh / "Controller.xlsm").values["ctl_exc_respondents"] == respondents


def test_the_export_keeps_the_prior_years_cdb_of_a_collected_account(tmp_path):
    """A user's re-trial: the demo data book holds each account's CDB statement and activities of 2024 and 2025; a
    plan shows one year (its CDB year, 2025), and collect replaced all of the account's rows by it — the 2024 ones
    gone from the export (and from the controller's book), for good once the export was fed back. A plan now replaces
    its year's rows only."""
    out = tmp_path / "out"
    assert runner.invoke(app, ["generate", "--out", str(out)]).exit_code == 0
    plan = next(out.glob("KA-002_*.xlsx"))
    type_into(plan, "cdb_in_freight", 12_345)
    assert runner.invoke(app, ["collect", str(out)]).exit_code == 0
    export, demo = read_databook(out / "collected.xlsx"), demo_databook()

    def by_year(db, name):
        return {(r["account_id"], r["year"]) for r in db.table(name)}

    for name in ("cdb", "activities"):
        assert by_year(export, name) == by_year(demo, name), name
    ka002 = {r["year"]: r for r in export.table("cdb") if r["account_id"] == "KA-002"}
    old = {r["year"]: r for r in demo.table("cdb") if r["account_id"] == "KA-002"}
    assert ka002[2024] == old[2024] and ka002[2025]["freight"] == 12_345 != old[2025]["freight"]


def test_collect_names_the_respondents_whose_answers_stay_the_data_books(plans, tmp_path):
    """A user's re-trial: a respondent whose questionnaire was not collected kept the data book's answers in the
    controller and the export, unnamed — as the accounts without a collected plan are named, so are they."""
    result = runner.invoke(app, ["collect", str(plans), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "without a questionnaire collected" not in result.stdout  # every questionnaire there
    gone = sorted((plans / "Fragebogen").glob("*.xlsx"))[0]
    respondent = read_databook(plans / "collected.xlsx")  # the export names them all (the answers of each)
    gone.unlink()
    result = runner.invoke(app, ["collect", str(plans), "--lang", "en"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "1 respondent of the data book without a questionnaire collected — in the controller and the export with " \
           "the data book's answers: " in said
    names = {r["respondent"] for r in respondent.table("excellence")}
    assert sum(name in said.split("answers: ", 1)[1] for name in names) == 1
