"""collect --jobs N and its compact export: the same files, problems and rows as the in-process collect of the
models, read in worker processes that return rows, never models; a file that kills its reader is that file's
error; the export's tables stay compact through consolidation."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from shared import type_into
from typer.testing import CliRunner

from kam_xl import batch
from kam_xl.batch import (
    collect_export,
    collect_plans,
    consolidate,
    generate_all,
    plans_to_databook,
    read_for_export,
)
from kam_xl.cli import app
from kam_xl.databook import AccountRow, demo_databook, read_databook
from kam_xl.databook.rows import TableRows
from kam_xl.workbook.names import read_named

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_plans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "plans"
    list(generate_all(None, out, questionnaires=True))
    return out


@pytest.fixture
def mixed(demo_plans: Path, tmp_path: Path) -> Path:
    """The 14 demo plans and 3 questionnaires, plus: an invalid input in KA-003, a copy of KA-002 under another
    name (both left out), a truncated file, an OpenDocument file named after KA-004 (both of KA-004's files left
    out)."""
    folder = tmp_path / "mixed"
    shutil.copytree(demo_plans, folder)
    plans = sorted(folder.glob("KA-*.xlsx"))
    type_into(next(p for p in plans if p.name.startswith("KA-003")), "cdb_in_freight", "viel")
    ka002 = next(p for p in plans if p.name.startswith("KA-002"))
    shutil.copy(ka002, folder / "Kopie von KA-002.xlsx")
    data = plans[-1].read_bytes()
    (folder / "kaputt.xlsx").write_bytes(data[: len(data) // 2])
    (folder / "KA-004_alt.ods").write_bytes(b"PK\x03\x04 not really")
    return folder


def _plain(tables: dict) -> dict:
    return {name: None if rows is None else [dict(r) for r in rows] for name, rows in tables.items()}


@pytest.mark.parametrize("jobs", [1, 2])
def test_collect_export_is_the_export_of_the_collected_models(mixed: Path, jobs: int) -> None:
    models = collect_plans(mixed)
    want = plans_to_databook(models.plans, str(mixed), models.responses)
    got = collect_export(mixed, jobs=jobs)
    assert (got.plans, got.responses) == (11, 3)  # 14 − KA-002 (two files) − KA-003 (invalid) − KA-004 (.ods)
    assert got.problems == models.problems
    assert [p[:3] for p in got.problems] == [(p[0], "CDB", "B8") for p in got.problems]
    assert got.skipped == models.skipped and len(got.skipped) == 5  # KA-002 twice, KA-004 twice, kaputt.xlsx
    assert got.files == models.files
    assert got.data_books == [p.data_book for p in models.plans] == ["demo"] * 11
    assert got.export.accounts == want.accounts
    assert [a.account_id for a in got.export.accounts] == [
        f"KA-{i:03d}" for i in (1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14)]
    assert _plain(got.export.tables) == _plain(want.tables)
    kgb = got.export.table("kgb")
    assert isinstance(kgb, TableRows) and {r["account_id"] for r in kgb} == {a.account_id for a in want.accounts}


def test_the_export_holds_every_row_of_the_demo_plans(demo_plans: Path) -> None:
    """Round trip at the level of rows: each demo plan's CDB amounts come back from the compact export."""
    got = collect_export(demo_plans, jobs=2)
    db = demo_databook()
    assert (got.plans, got.responses, got.problems, got.skipped) == (14, 3, [], [])
    cdb = {r["account_id"]: r for r in got.export.table("cdb")}
    for account in db.accounts:
        amounts = db.cdb_input(account.account_id, db.cdb_years(account.account_id)[-1])[0]
        assert {k: cdb[account.account_id][k] for k in amounts.model_dump()} == amounts.model_dump()
    assert len(got.export.table("kgb")) == len(db.table("kgb"))


def test_a_worker_returns_rows_not_models(demo_plans: Path) -> None:
    plan = next(demo_plans.glob("KA-005_*.xlsx"))
    read = read_for_export(plan, "xlsx")
    assert read is not None and read.part is not None and read.problems == [] and read.skipped is None
    assert isinstance(read.part.account, AccountRow) and read.part.account.account_id == "KA-005"
    scalars = (str, int, float, bool, date, type(None))
    for (table, source), rows in read.part.rows.items():
        assert isinstance(table, str) and isinstance(source, int)
        assert all(isinstance(r, tuple) and all(isinstance(v, scalars) for v in r) for r in rows), table
    [cdb] = read.part.rows[next(key for key in read.part.rows if key[0] == "cdb")]
    assert cdb[0] == "KA-005"


def test_reading_in_order_is_a_generator() -> None:
    """Results are consumed as they come, not gathered: the run holds one file's rows at a time."""
    import inspect

    assert inspect.isgeneratorfunction(batch._read_in_order)


def test_a_file_that_kills_its_reading_process_is_listed_and_the_rest_collected(
        mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    killer = next(mixed.glob("KA-007_*.xlsx")).name
    guarded = batch._collect_guarded

    def dies_on_one(path: Path, *args: object) -> object:
        if path.name == killer:
            os._exit(3)  # as a crash in a native reader or the kernel's out-of-memory killer would end it
        return guarded(path, *args)

    monkeypatch.setattr(batch, "_collect_guarded", dies_on_one)  # the worker processes are forked after this
    got = collect_export(mixed, jobs=2)
    reasons = dict(got.skipped)
    assert reasons[killer].startswith(f"{killer}: cannot be read (the process reading it ended: BrokenProcessPool")
    assert got.plans == 10 and "KA-007" not in {a.account_id for a in got.export.accounts}
    assert len(got.skipped) == 6


def test_collect_jobs_on_the_command_line_writes_what_one_process_writes(mixed: Path, tmp_path: Path) -> None:
    outputs = []
    for jobs in ("1", "2"):
        folder = tmp_path / f"run{jobs}"
        shutil.copytree(mixed, folder)
        result = runner.invoke(app, ["collect", str(folder), "--jobs", jobs])
        assert result.exit_code == 2, result.output
        assert ("11 Pläne und 3 Fragebögen gelesen, "
                "1 Datei mit ungültigen Eingaben, 5 Dateien übersprungen") in result.stdout
        outputs.append((read_databook(folder / "collected.xlsx"), (folder / "collect_errors.csv").read_text("utf-8"),
                        result.stdout.replace(str(folder), "FOLDER")))
    (one, errors_one, said_one), (two, errors_two, said_two) = outputs
    assert errors_one == errors_two
    # the same lines in the same order (with --jobs the export is written beside the controller, its line waits)
    assert said_one == said_two and said_one.index("Pläne und") < said_one.index("Controller-Arbeitsmappe: FOLDER")
    assert one.accounts == two.accounts and _plain(one.tables) == _plain(two.tables)
    assert runner.invoke(app, ["collect", str(tmp_path), "--jobs", "0"]).exit_code == 1


def test_consolidating_keeps_compact_tables_compact_and_gives_the_same_rows(demo_plans: Path) -> None:
    base = demo_databook()
    collected = collect_export(demo_plans).export
    merged = consolidate(base, collected)
    as_lists = consolidate(base.model_copy(update={"tables": _plain(base.tables)}),
                           collected.model_copy(update={"tables": _plain(collected.tables)}))
    assert isinstance(merged.table("kgb"), TableRows) and isinstance(merged.table("kaop_costs"), TableRows)
    assert _plain(merged.tables) == _plain(as_lists.tables)
    assert merged.accounts == as_lists.accounts
    assert merged.table("kgb") is collected.table("kgb")  # every account collected: no copy of the table


def test_table_rows_built_row_by_row() -> None:
    t = TableRows.empty(("account_id", "year", "amount", "own"), ("text", "year", "amount", "bool"))
    t.append(("KA-1", 2025, 3, True))
    t.append(("KA-2", None, None, None))
    assert list(t) == [{"account_id": "KA-1", "year": 2025, "amount": 3.0, "own": True},
                       {"account_id": "KA-2", "year": None, "amount": None, "own": None}]
    assert type(t[0]["amount"]) is float
    t.append(("".join(["KA", "-1"]), 2024, 0, False))  # a text made anew is stored as its one interned copy
    assert t.columns[0][2] is t.columns[0][0] and len(t) == 3
    t = t.taken([0, 1])
    assert {k: list(v) for k, v in t.index_by("account_id").items()} == {"KA-1": [0], "KA-2": [1]}
    t.append(("KA-1", 2026, 1.5, False))
    assert list(t.index_by("account_id")["KA-1"]) == [0, 2]  # the index follows the rows added
    assert [r["year"] for r in t.taken([2, 0])] == [2026, 2025]
    assert [r["account_id"] for r in t.joined(t.taken([1]))] == ["KA-1", "KA-2", "KA-1", "KA-2"]
    with pytest.raises(ValueError, match="different columns"):
        t.joined(TableRows.empty(("account_id",), ("text",)))


def test_cell_text_unescaped_only_where_an_entity_is() -> None:
    from kam_xl.package import _text

    assert _text(b'IF($K$7=&quot;besser&quot;,$H$7,NA())') == 'IF($K$7="besser",$H$7,NA())'
    assert _text(b"A&amp;B &lt;&apos;x&apos;&gt;") == "A&B <'x'>"
    assert _text(b"#N/A") == "#N/A" and _text(None) is None


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_damaged_controller_is_listed_and_collect_goes_on(demo_plans: Path, tmp_path: Path, jobs: str) -> None:
    """The old controller's inputs are read in a thread while the plans are; a damaged one is a problem listed
    (its inputs not exported, its settings not kept), not a crash: the export, the error report and a new
    controller are written, the damaged file kept as a backup."""
    folder = tmp_path / "plans"
    shutil.copytree(demo_plans, folder)
    damaged = b"PK\x03\x04" + b"\x00" * 4000  # a zip's first bytes, then nothing: no central directory
    (folder / "Controller.xlsm").write_bytes(damaged)
    result = runner.invoke(app, ["collect", str(folder), "--jobs", jobs])
    assert result.exit_code == 2, result.output
    assert "Controller.xlsm: controller inputs not exported — Controller.xlsm: damaged" in result.output
    assert "Traceback" not in result.output
    assert read_databook(folder / "collected.xlsx").accounts  # the export written
    assert (folder / "collect_errors.csv").exists()
    [backup] = (folder / "_backup").glob("Controller.*.xlsm")
    assert backup.read_bytes() == damaged
    assert read_named(folder / "Controller.xlsm").meta["template_id"] == "kam_xl.controller"


def test_an_export_that_exists_is_refused_before_any_plan_is_read(demo_plans: Path, tmp_path: Path) -> None:
    """``--export`` to a file that exists (or a folder with files) is a bad option: exit 1 at once, nothing
    read or written, the file as it was."""
    folder = tmp_path / "plans"
    shutil.copytree(demo_plans, folder)
    theirs = tmp_path / "theirs.xlsx"
    theirs.write_bytes(b"someone's file")
    result = runner.invoke(app, ["collect", str(folder), "--export", str(theirs)])
    assert result.exit_code == 1, result.output
    assert f"--export {theirs} already exists — allowed: a new .xlsx file or an empty folder" in result.output
    assert theirs.read_bytes() == b"someone's file"
    assert not (folder / "collect_errors.csv").exists() and not (folder / "_backup").exists()
