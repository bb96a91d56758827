"""Incremental regeneration (issue 14): a plan whose data fingerprint and template version are unchanged is not
rewritten and not backed up; a changed account's plan alone is regenerated (inputs kept); a new template version
or ``--force`` rewrites all. The fingerprint is read from ``_meta`` alone (:func:`kam_xl.package.xlsx_meta`)."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import openpyxl
import pytest
from shared import type_into
from typer.testing import CliRunner

from kam_xl import batch
from kam_xl.batch import FINGERPRINT, generate_all, generate_plan
from kam_xl.cli import app
from kam_xl.databook import DataBook, demo_databook, write_databook
from kam_xl.fingerprint import fingerprint
from kam_xl.package import Package, PackageError, open_package, xlsx_meta
from kam_xl.workbook import account_plan
from kam_xl.workbook.account_plan import AccountPlanData
from kam_xl.workbook.layout import XLWINGS_CONF_SHEET
from kam_xl.workbook.names import read_named
from kam_xl.workbook.render import META_SHEET

KEEP = ("KA-001", "KA-002", "KA-003")


def _small_databook(folder: Path) -> Path:
    """The demo data book with its first three accounts only, as a CSV folder."""
    db = demo_databook()
    tables = {name: None if rows is None else [r for r in rows if r.get("account_id") in (*KEEP, None)]
              for name, rows in db.tables.items()}
    return write_databook(DataBook(source="small", accounts=[a for a in db.accounts if a.account_id in KEEP],
                                   tables=tables), folder)


def _edit_cdb(path: Path, account_id: str, column: str, value: str) -> None:
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig"), delimiter=";"))
    for r in rows:
        if r["account_id"] == account_id and r["year"] == "2025":
            r[column] = value
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        w.writeheader()
        w.writerows(rows)


def _state(out: Path) -> dict[str, tuple[int, int, bytes]]:
    """Each plan's inode, modification time (ns) and bytes."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(out.glob("KA-*.xlsx"))}


def _run(data: Path, out: Path, skip: bool = True) -> dict[str, str]:
    batch._databook.cache_clear()  # the data book is re-read, as a new command would
    return {r.account_id: r.status for r in generate_all(str(data), out, skip_unchanged=skip)}


@pytest.fixture
def generated(tmp_path: Path) -> tuple[Path, Path]:
    data, out = _small_databook(tmp_path / "data"), tmp_path / "out"
    assert _run(data, out) == dict.fromkeys(KEEP, "new")
    return data, out


def test_an_unchanged_run_rewrites_nothing_and_backs_up_nothing(generated):
    data, out = generated
    before = _state(out)
    assert len(before) == 3
    assert _run(data, out) == dict.fromkeys(KEEP, "unchanged")
    assert _state(out) == before  # same inode, same mtime, same bytes
    assert not (out / batch.BACKUP_DIR).exists()
    meta = read_named(next(out.glob("KA-002_*.xlsx"))).meta
    assert len(meta[FINGERPRINT]) == 64 and meta["template_version"] == account_plan.TEMPLATE_VERSION


def test_only_the_changed_accounts_plan_is_regenerated_and_its_inputs_are_kept(generated):
    data, out = generated
    ka1, ka2 = next(out.glob("KA-001_*.xlsx")), next(out.glob("KA-002_*.xlsx"))
    type_into(ka1, "acc_status", "abgegeben")  # a KAM's input in a plan whose data do not change
    type_into(ka2, "cdb_in_service_cost", 123_456.0)  # and in the plan whose data change
    before = _state(out)
    _edit_cdb(data / "cdb.csv", "KA-002", "gross_sales", "8000000")
    assert _run(data, out) == {"KA-001": "unchanged", "KA-002": "regenerated", "KA-003": "unchanged"}
    after = _state(out)
    assert after[ka1.name] == before[ka1.name] and after[ka2.name][1:] != before[ka2.name][1:]
    [backup] = (out / batch.BACKUP_DIR).iterdir()
    assert backup.name.startswith(ka2.stem + ".")
    nv = read_named(ka2)
    assert nv.values["cdb_in_service_cost"] == 123_456  # the KAM's value kept
    assert nv.values["cdb_in_gross_sales"] == 8_000_000  # the data's change arrived
    assert read_named(ka1).values["acc_status"] == "abgegeben"
    assert _run(data, out) == dict.fromkeys(KEEP, "unchanged")  # the regenerated plan records the new data


def test_a_new_template_version_or_language_rewrites_every_plan(generated, monkeypatch):
    data, out = generated
    monkeypatch.setattr(account_plan, "TEMPLATE_VERSION", "1.0.1")
    monkeypatch.setattr(batch, "TEMPLATE_VERSION", "1.0.1")
    assert _run(data, out) == dict.fromkeys(KEEP, "regenerated")
    assert len(list((out / batch.BACKUP_DIR).iterdir())) == 3
    assert _run(data, out) == dict.fromkeys(KEEP, "unchanged")
    batch._databook.cache_clear()
    assert {r.status for r in generate_all(str(data), out, lang="en", skip_unchanged=True)} == {"regenerated"}


def test_without_skip_every_plan_is_regenerated_as_before(generated):
    data, out = generated
    assert _run(data, out, skip=False) == dict.fromkeys(KEEP, "regenerated")
    assert generate_plan(str(data), "KA-003", out).status == "regenerated"  # one plan, as the macros call it


def test_cli_counts_unchanged_plans_and_force_rewrites_them(tmp_path):
    data, out = _small_databook(tmp_path / "data"), tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(app, ["generate", "--data", str(data), "--out", str(out)])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["generate", "--data", str(data), "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert "0 new, 0 regenerated, 0 not written; 0 conflict(s); 3 unchanged" in again.stdout
    forced = runner.invoke(app, ["generate", "--data", str(data), "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "0 new, 3 regenerated, 0 not written; 0 conflict(s); 0 unchanged" in forced.stdout


def test_the_fingerprint_covers_every_part_of_the_account_data():
    db = demo_databook()
    data = AccountPlanData.from_databook(db, "KA-002")
    base = batch.data_fingerprint(data, "de")
    assert base == batch.data_fingerprint(AccountPlanData.from_databook(db, "KA-002"), "de")
    assert base != batch.data_fingerprint(data, "en")
    card = data.kgb_cards[1]  # one rating deep in the second Kgb card, changed by a millionth
    supplier, ratings = next(iter(card.ratings.items()))
    criterion, rating = next(iter(ratings.items()))
    changed = card.model_copy(update={"ratings": {**card.ratings, supplier: {**ratings, criterion: rating + 1e-6}}})
    other = dataclasses.replace(data, kgb_cards=(data.kgb_cards[0], changed, *data.kgb_cards[2:]))
    assert batch.data_fingerprint(other, "de") != base
    assert batch.data_fingerprint(dataclasses.replace(data, data_book="elsewhere"), "de") != base
    assert fingerprint({"a": 1, "b": [2.5]}) == fingerprint({"b": [2.5], "a": 1})
    with pytest.raises(TypeError, match="no rule for a value of type object"):
        fingerprint(object())


def test_xlsx_meta_reads_the_meta_sheet_alone_as_written_and_as_saved_again(generated, tmp_path):
    _, out = generated
    plan = next(out.glob("KA-003_*.xlsx"))
    assert xlsx_meta(plan) == read_named(plan).meta
    wb = openpyxl.load_workbook(plan)
    wb.save(tmp_path / "saved.xlsx")  # openpyxl (as Excel) writes every text into the shared strings
    assert xlsx_meta(tmp_path / "saved.xlsx") == read_named(plan).meta
    openpyxl.Workbook().save(tmp_path / "foreign.xlsx")
    assert xlsx_meta(tmp_path / "foreign.xlsx") == {}
    (tmp_path / "damaged.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(PackageError, match="damaged.xlsx"):
        xlsx_meta(tmp_path / "damaged.xlsx")



def test_xlsx_meta_inflates_no_sheet_but_meta(generated, monkeypatch):
    _, out = generated
    plan = next(out.glob("KA-001_*.xlsx"))
    read: list[str] = []
    original = Package.part
    monkeypatch.setattr(Package, "part", lambda self, name: read.append(name) or original(self, name))
    assert xlsx_meta(plan)["account_id"] == "KA-001"
    meta_part = open_package(plan).workbook().sheets["_meta"]
    assert {p for p in read if p.startswith("xl/worksheets/")} == {meta_part}
    sheets = open_package(plan).workbook().sheets  # listed from workbook.xml: the other sheets stay packed
    assert list(sheets)[-2:] == [META_SHEET, XLWINGS_CONF_SHEET]
    assert len(sheets) == len(account_plan.PLAN_SHEETS) + 2  # one per sheet kind, _meta and xlwings.conf


# --- the controller workbook: left as it is when its data, template version and inputs are unchanged ----------

def _controller_state(out: Path) -> tuple[int, int, bytes]:
    c = out / batch.CONTROLLER_FILE
    return c.stat().st_ino, c.stat().st_mtime_ns, c.read_bytes()


def _controller_backups(out: Path) -> list[str]:
    return sorted(p.name for p in (out / batch.BACKUP_DIR).glob("Controller.*")) \
        if (out / batch.BACKUP_DIR).exists() else []


def _generate(data: Path, out: Path, *extra: str) -> str:
    batch._databook.cache_clear()
    result = CliRunner().invoke(app, ["generate", "--data", str(data), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_controller_left_as_it_is_when_nothing_changed_and_rewritten_with_inputs_kept_when_something_did(tmp_path):
    data, out = _small_databook(tmp_path / "data"), tmp_path / "out"
    _generate(data, out)
    controller = out / batch.CONTROLLER_FILE
    meta = xlsx_meta(controller)
    assert len(meta[FINGERPRINT]) == 64
    before = _controller_state(out)
    assert "(unchanged" in _generate(data, out)
    assert _controller_state(out) == before  # same inode, mtime and bytes
    assert not (out / batch.BACKUP_DIR).exists()  # no backup at all: plans and controller unchanged

    type_into(controller, "abc_share_a", 0.7)  # a controller input typed by a user: rewritten, the input kept
    typed = _controller_state(out)
    assert "(unchanged" not in _generate(data, out)
    assert _controller_state(out)[1:] != typed[1:] and len(_controller_backups(out)) == 1
    assert read_named(controller).values["abc_share_a"] == pytest.approx(0.7)
    assert "(unchanged" in _generate(data, out)  # what it was rewritten with is recorded
    assert len(_controller_backups(out)) == 1

    _edit_cdb(data / "cdb.csv", "KA-002", "gross_sales", "8000000")  # a changed data book: rewritten
    assert "(unchanged" not in _generate(data, out)
    assert len(_controller_backups(out)) == 2
    assert read_named(controller).values["abc_share_a"] == pytest.approx(0.7)
    assert xlsx_meta(controller)[FINGERPRINT] != meta[FINGERPRINT]

    assert "(unchanged" not in _generate(data, out, "--force")  # --force rewrites it anyway
    assert len(_controller_backups(out)) == 3
    assert read_named(controller).values["abc_share_a"] == pytest.approx(0.7)


def test_controller_fingerprint_covers_data_language_template_version_and_inputs(monkeypatch):
    db = demo_databook()
    base = batch.controller_data_fingerprint(db, "de")
    assert base == batch.controller_data_fingerprint(demo_databook(), "de")
    assert base != batch.controller_data_fingerprint(db, "en")
    cdb = [dict(r) for r in db.tables["cdb"]]
    cdb[0]["gross_sales"] = (cdb[0]["gross_sales"] or 0) + 1
    assert base != batch.controller_data_fingerprint(db.model_copy(update={"tables": {**db.tables, "cdb": cdb}}),
                                                     "de")
    monkeypatch.setattr(batch, "CONTROLLER_VERSION", "9.9.9")
    assert base != batch.controller_data_fingerprint(db, "de")
    # inputs as the written workbook reads them back: 16 significant digits, an empty text an empty cell
    assert batch.controller_fingerprint(base, {"abc_share_a": 100 / 7}) == \
        batch.controller_fingerprint(base, {"abc_share_a": 14.28571428571429})
    assert batch.controller_fingerprint(base, {"abc_share_a": 0.8}) != \
        batch.controller_fingerprint(base, {"abc_share_a": 0.7})
    assert batch.controller_fingerprint(base, {"abc_share_a": 0.8, "not_an_input": 1}) == \
        batch.controller_fingerprint(base, {"abc_share_a": 0.8})


def test_layout_inputs_are_the_named_values_of_the_controllers_inputs():
    from kam_xl.workbook.controller import CONTROLLER_SHEETS, controller_workbook
    from kam_xl.workbook.controller.kind import input_names
    from kam_xl.workbook.layout import named_values

    book = controller_workbook(demo_databook(), "de")
    names = input_names(CONTROLLER_SHEETS)
    every = named_values(book)
    got = batch.layout_inputs(book, names)
    assert got == {n: v for n, v in every.items() if n in names}
    assert len(got) > 60 and got["sel_ids"][0] == ["KA-001"]
