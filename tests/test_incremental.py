"""Incremental regeneration (issue 14): a plan whose data fingerprint and template version are unchanged is not
rewritten and not backed up; a changed account's plan alone is regenerated (inputs kept); a new template version
or ``--force`` rewrites all. The fingerprint is read from ``_meta`` alone (:func:`kam_xl.package.xlsx_meta`)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from shared import type_into, type_values
from typer.testing import CliRunner

from kam_xl import batch
from kam_xl.batch import FINGERPRINT, generate_all, generate_plan
from kam_xl.cli import app
from kam_xl.databook import DataBook, demo_databook, write_databook
from kam_xl.fingerprint import AccountPrints, _rows_of, fingerprint
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


def _rewrite_csv(path: Path, change: Callable[[list[dict[str, str]]], None]) -> None:
    """A data-book CSV file read, its rows changed in place by ``change``, written back in its form."""
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig"), delimiter=";"))
    change(rows)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        w.writeheader()
        w.writerows(rows)


def _edit_cdb(path: Path, account_id: str, column: str, value: str) -> None:
    def change(rows: list[dict[str, str]]) -> None:
        for r in rows:
            if r["account_id"] == account_id and r["year"] == "2025":
                r[column] = value
    _rewrite_csv(path, change)


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
    assert "0 neu, 0 erneuert, 0 nicht geschrieben; 0 Konflikte; 3 unverändert" in again.stdout
    forced = runner.invoke(app, ["generate", "--data", str(data), "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "0 neu, 3 erneuert, 0 nicht geschrieben; 0 Konflikte; 0 unverändert" in forced.stdout


def _with(db: DataBook, table: str, change=lambda rows: None) -> DataBook:
    """``db`` with ``table`` as plain dict rows, ``change(rows)`` applied to them."""
    rows = [dict(r) for r in db.tables[table]]
    change(rows)
    return db.model_copy(update={"tables": {**db.tables, table: rows}})


def _first(rows: list[dict], **match: object) -> dict:
    return next(r for r in rows if all(r[k] == v for k, v in match.items()))


def test_the_fingerprint_changes_with_the_accounts_rows_and_with_what_belongs_to_no_account():
    """The fingerprint is read from the rows (no model built): the account's rows of every table, its master data,
    every row that belongs to no account (settings …), the data book reference and the language."""
    db = demo_databook()

    def fp(book: DataBook, account: str = "KA-002", ref: str = "db.xlsx", lang: str = "de") -> str:
        batch._PRINTS.clear()
        return batch.data_fingerprint(book, account, ref, lang)  # type: ignore[arg-type]

    base, other = fp(db), fp(db, "KA-003")
    assert base == fp(demo_databook()) and len(base) == 64
    assert base != fp(db, lang="en") and base != fp(db, ref="elsewhere.xlsx") and base != other

    def kgb_rating(rows: list[dict]) -> None:  # one Kgb rating of KA-002, changed by a millionth
        _first(rows, account_id="KA-002")["rating"] += 1e-6

    kgb = _with(db, "kgb")
    assert fp(_with(db, "kgb", kgb_rating)) != fp(kgb)
    assert fp(_with(db, "kgb", kgb_rating), "KA-003") == fp(kgb, "KA-003")  # another account's plan: unchanged

    def own_rating(rows: list[dict]) -> None:  # the plan's own excellence rating (respondent = account id)
        rows.append({**rows[0], "respondent": "KA-002", "role": account_plan.ACCOUNT_ROLE, "rating": 5})

    ex = _with(db, "excellence")
    assert fp(_with(db, "excellence", own_rating)) != fp(ex)
    assert fp(_with(db, "excellence", own_rating), "KA-003") == fp(ex, "KA-003")

    settings = _with(db, "settings")  # a company setting (the KASP horizon …) belongs to no account: all change
    changed = _with(db, "settings", lambda rows: rows.pop())
    assert fp(changed) != fp(settings) and fp(changed, "KA-003") != fp(settings, "KA-003")

    accounts = [a.model_copy(update={"kam": "Jemand Anderes"}) if a.account_id == "KA-002" else a
                for a in db.accounts]
    same = DataBook(source=db.source, accounts=db.accounts, tables=db.tables)
    renamed = DataBook(source=db.source, accounts=accounts, tables=db.tables)
    assert fp(renamed) != fp(same) and fp(renamed, "KA-003") == fp(same, "KA-003")
    assert fingerprint({"a": 1, "b": [2.5]}) == fingerprint({"b": [2.5], "a": 1})
    with pytest.raises(TypeError, match="no rule for a value of type object"):
        fingerprint(object())


def test_an_accounts_fingerprint_is_the_canonical_text_of_its_rows_made_in_one_go():
    """:class:`AccountPrints` writes an account's rows and master data in one go (json's C encoder), not piece by
    piece as :func:`fingerprint` does for a whole data book: the text, and so the fingerprint, must be the same —
    a plan generated before keeps counting as unchanged. Rows as mappings and as a read data book's stored
    columns, with texts beyond ASCII, floats, dates, empty cells and a model among the extras."""
    db = demo_databook()
    plain = {"kgb": [{"account_id": "KA-1", "rating": 0.1 + 0.2, "note": "Müller & Söhne <x>", "at": None},
                     {"account_id": "KA-2", "rating": 3, "note": "", "at": None}],
             "settings": [{"key": "horizon", "value": 3}], "empty": []}
    for tables in (plain, db.tables):
        ids = ["KA-1", "KA-2"] if tables is plain else [a.account_id for a in db.accounts]
        prints = AccountPrints(tables, ids, {"excellence": "respondent"})
        for account in ids[:3]:
            own = [(name, _rows_of(rows, groups.get(account, ()))) for name, rows, groups in prints._tables]
            extra = (db.accounts[0], "db.xlsx", "de", date(2026, 11, 30))
            assert prints(account, *extra) == fingerprint(prints.shared, own, *extra)
    # the demo account's fingerprint as every version since session 4 recorded it in its plans' _meta
    assert batch.data_fingerprint(db, "KA-001", "demo", "de") == \
        "f2bcd0163ebd207941eddf21872014d44084079e0a5b25f891def8e7cb20a8a2"


def test_an_empty_table_and_an_absent_one_give_the_same_fingerprint():
    """A CSV folder without kaop_goals.csv and a database whose kaop_goals table has no rows hold the same data
    (the plans are the same: tests/test_db.py): the fingerprints must agree, or switching the source rewrites
    every plan for nothing; a row in the table changes them."""
    db = demo_databook()
    absent = db.model_copy(update={"tables": {**db.tables, "kaop_goals": None}})
    empty = db.model_copy(update={"tables": {**db.tables, "kaop_goals": []}})
    assert batch.data_fingerprint(absent, "KA-001", "x", "de") == batch.data_fingerprint(empty, "KA-001", "x", "de")
    row = {"account_id": "KA-001", "measure": "Umsatz", "year": 2026, "quarter": 1, "goal": 1.0}
    one = db.model_copy(update={"tables": {**db.tables, "kaop_goals": [row]}})
    assert batch.data_fingerprint(one, "KA-001", "x", "de") != batch.data_fingerprint(empty, "KA-001", "x", "de")


def test_an_unchanged_plan_is_decided_from_the_folder_scan_without_opening_it_again_or_building_its_data(
        generated, monkeypatch):
    data, out = generated
    before = _state(out)

    def refused(*args: object, **kw: object) -> None:
        raise AssertionError("not to be called for an unchanged plan")

    monkeypatch.setattr(batch, "xlsx_meta", refused)  # the second look at _meta
    monkeypatch.setattr(AccountPlanData, "from_databook", refused)  # the plan's models
    monkeypatch.setattr(batch, "generate_plan", refused)  # no work item at all
    assert _run(data, out) == dict.fromkeys(KEEP, "unchanged")
    assert _state(out) == before


def test_a_changed_plan_is_regenerated_without_a_second_look_at_its_meta(generated, monkeypatch):
    data, out = generated
    _edit_cdb(data / "cdb.csv", "KA-002", "gross_sales", "8000000")
    monkeypatch.setattr(batch, "xlsx_meta", lambda *a, **k: pytest.fail("the scan has read _meta already"))
    assert _run(data, out) == {"KA-001": "unchanged", "KA-002": "regenerated", "KA-003": "unchanged"}


def test_workers_use_the_data_book_the_run_has_read(tmp_path):
    """The data book is read once, by the run: its ``--jobs`` workers get each plan's data, never the data book,
    and none reads it (here it is remembered under a path where there is no file at all)."""
    db = demo_databook()
    small = DataBook(source="small", accounts=[a for a in db.accounts if a.account_id in KEEP], tables=db.tables)
    nowhere = str(tmp_path / "no such data book")
    batch._databook.cache_clear()
    batch.remember_databook(nowhere, small)
    try:
        results = list(generate_all(nowhere, tmp_path / "out", jobs=2))
    finally:
        batch._databook.cache_clear()
    assert [(r.account_id, r.status, r.problems) for r in results] == [(k, "new", []) for k in KEEP]
    assert {read_named(r.path).meta["data_book"] for r in results} == {str(Path(nowhere).resolve())}


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
    assert "(unverändert" in _generate(data, out)
    assert _controller_state(out) == before  # same inode, mtime and bytes
    assert not (out / batch.BACKUP_DIR).exists()  # no backup at all: plans and controller unchanged

    type_into(controller, "abc_share_a", 0.7)  # a controller input typed by a user: rewritten, the input kept
    typed = _controller_state(out)
    assert "(unverändert" not in _generate(data, out)
    assert _controller_state(out)[1:] != typed[1:] and len(_controller_backups(out)) == 1
    assert read_named(controller).values["abc_share_a"] == pytest.approx(0.7)
    assert "(unverändert" in _generate(data, out)  # what it was rewritten with is recorded
    assert len(_controller_backups(out)) == 1

    _edit_cdb(data / "cdb.csv", "KA-002", "gross_sales", "8000000")  # a changed data book: rewritten
    assert "(unverändert" not in _generate(data, out)
    assert len(_controller_backups(out)) == 2
    assert read_named(controller).values["abc_share_a"] == pytest.approx(0.7)
    assert xlsx_meta(controller)[FINGERPRINT] != meta[FINGERPRINT]

    assert "(unverändert" not in _generate(data, out, "--force")  # --force rewrites it anyway
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
    plain = [dict(r) for r in db.tables["cdb"]]  # the same change against the same storage (rows as dicts)
    as_dicts = batch.controller_data_fingerprint(db.model_copy(update={"tables": {**db.tables, "cdb": plain}}), "de")
    assert as_dicts == batch.controller_data_fingerprint(
        db.model_copy(update={"tables": {**db.tables, "cdb": [dict(r) for r in plain]}}), "de")
    assert as_dicts != batch.controller_data_fingerprint(
        db.model_copy(update={"tables": {**db.tables, "cdb": cdb}}), "de")
    gross = db.tables["kgb"]  # a stored column changed in place: the fingerprint reads the columns
    old_rating = gross.columns[gross.names.index("rating")][0]
    gross.columns[gross.names.index("rating")][0] = old_rating + 1e-9
    try:
        assert base != batch.controller_data_fingerprint(db, "de")
    finally:
        gross.columns[gross.names.index("rating")][0] = old_rating
    assert base == batch.controller_data_fingerprint(db, "de")
    monkeypatch.setattr(batch, "CONTROLLER_VERSION", "9.9.9")
    assert base != batch.controller_data_fingerprint(db, "de")
    # inputs as the written workbook reads them back: 16 significant digits, an empty text an empty cell
    assert batch.controller_fingerprint(base, {"abc_share_a": 100 / 7}) == \
        batch.controller_fingerprint(base, {"abc_share_a": 14.28571428571429})
    assert batch.controller_fingerprint(base, {"abc_share_a": 0.8}) != \
        batch.controller_fingerprint(base, {"abc_share_a": 0.7})
    assert batch.controller_fingerprint(base, {"abc_share_a": 0.8, "not_an_input": 1}) == \
        batch.controller_fingerprint(base, {"abc_share_a": 0.8})


def test_sheet_inputs_are_the_named_values_of_the_controllers_inputs():
    from kam_xl.workbook.controller import CONTROLLER_SHEETS, controller_workbook
    from kam_xl.workbook.controller.kind import input_names
    from kam_xl.workbook.layout import named_values

    book = controller_workbook(demo_databook(), "de")
    names = input_names(CONTROLLER_SHEETS)
    every = named_values(book)
    got = {n: v for sheet in book.sheets for n, v in batch.sheet_inputs(sheet, names).items()}
    assert got == {n: v for n, v in every.items() if n in names}
    assert len(got) > 60 and got["sel_ids"][0] == ["KA-001"]


def _q_state(out: Path) -> dict[str, tuple[int, int, bytes]]:
    q = out / batch.QUESTIONNAIRE_DIR
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(q.glob("*.xlsx"))}


def test_an_unchanged_questionnaire_is_left_as_it_is_and_a_changed_answer_rewrites_only_its_own(tmp_path):
    # a new user saw every questionnaire rewritten and backed up on every run although nothing had changed
    data, out = _small_databook(tmp_path / "data"), tmp_path / "out"

    def run() -> dict[str, str]:
        batch._databook.cache_clear()
        return {r.account_id: r.status for r in generate_all(str(data), out, questionnaires=True,
                                                               skip_unchanged=True) if r.path.parent.name != out.name}

    first = run()
    assert len(first) == 3 and set(first.values()) == {"new"}
    before = _q_state(out)
    assert run() == dict.fromkeys(first, "unchanged")
    assert _q_state(out) == before  # same inode, same mtime, same bytes
    assert not (out / batch.QUESTIONNAIRE_DIR / batch.BACKUP_DIR).exists()
    def change(rows: list[dict[str, str]]) -> None:
        rows[0]["rating"] = "25" if rows[0]["rating"] != "25" else "50"
    _rewrite_csv(data / "excellence.csv", change)
    with (data / "excellence.csv").open(encoding="utf-8-sig") as f:
        changed = next(csv.DictReader(f, delimiter=";"))["respondent"]
    assert run() == {k: "regenerated" if k == changed else "unchanged" for k in first}
    [backup] = (out / batch.QUESTIONNAIRE_DIR / batch.BACKUP_DIR).iterdir()
    assert backup.name.startswith(batch.questionnaire_filename(changed)[:-5] + ".")


def test_the_controller_inputs_read_sheet_by_sheet_are_those_read_at_once(tmp_path):
    """The unchanged check reads the controller's inputs one sheet at a time (``one_by_one``): the same values,
    kinds and fingerprint as reading them at once — typed numbers, a percent input, an error value, a text."""
    from kam_xl.cells import CellError, PercentNumber
    from kam_xl.workbook.controller.kind import input_names

    db = demo_databook()
    controller = batch.write_controller(db, tmp_path / "controller.xlsx")
    type_values(controller, {"abc_share_a": 0.65, ("sel_ratings", 1, 0): "#N/A", ("coord_ratings", 0, 0): "B",
                             "sel_weight_volume": 3})
    names = input_names(batch.CONTROLLER_SHEETS)
    at_once = read_named(controller, names=names)
    by_sheet = read_named(controller, names=names, one_by_one=True)
    assert by_sheet.values == at_once.values and by_sheet.meta == at_once.meta
    assert [type(by_sheet.values[n]) for n in names] == [type(at_once.values[n]) for n in names]
    assert by_sheet.values["abc_share_a"] == 0.65 and type(by_sheet.values["abc_share_a"]) is PercentNumber
    assert by_sheet.values["sel_ratings"][1][0] == CellError("#N/A")
    assert by_sheet.values["coord_ratings"][0][0] == "B" and by_sheet.values["sel_weight_volume"] == 3
    assert by_sheet.values["sel_ids"][0] == ["KA-001"]
    assert len(by_sheet.values["sel_ids"]) == len(at_once.values["sel_ids"]) == len(db.accounts)
    data = batch.controller_data_fingerprint(db, "de")
    assert batch.controller_fingerprint(data, by_sheet.values) == batch.controller_fingerprint(data, at_once.values)
