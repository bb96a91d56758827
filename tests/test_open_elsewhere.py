"""A workbook open in Excel or LibreOffice (its lock file beside it) is never replaced by generate: whoever has
it open would save their copy over the new one, or go on typing into the old one. It is listed with the program,
the user the lock file names and what to do; every other workbook is written (exit 2). ``--force`` does not
override it — it rewrites unchanged workbooks, it does not take a file from under someone."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared import run_cli

from kam_xl.files import held_open

KA002 = "KA-002_Holsten_Wellpappe_GmbH_&_Co._KG.xlsx"
KA003 = "KA-003_Kartonagen_Elbmarsch_GmbH.xlsx"
#: LibreOffice's lock file: full name, login, host, time, profile
LIBREOFFICE_LOCK = "Maria Muster,mmuster,PC-17,01.12.2026 09:00,file:///home/mmuster/.config/libreoffice/4;"


def _excel_owner(user: str) -> bytes:
    """Excel's owner file: the user name's length in the first byte, the name, padded (as Excel writes it)."""
    return bytes([len(user)]) + user.encode("latin-1") + b" " * (53 - len(user)) + b"\x00" * 112




def test_the_lock_files_of_both_programs_are_told_with_their_user(tmp_path: Path) -> None:
    plan = tmp_path / KA002
    plan.write_bytes(b"a plan")
    assert held_open(plan) is None
    lock = tmp_path / f".~lock.{KA002}#"
    lock.write_text(LIBREOFFICE_LOCK, encoding="utf-8")
    assert held_open(plan) == (f"open in LibreOffice by Maria Muster (lock file .~lock.{KA002}#): close it there "
                               f"and run again; if it is open nowhere, delete .~lock.{KA002}#")
    lock.unlink()
    (tmp_path / f"~${KA002[2:]}").write_bytes(_excel_owner("kwagner"))  # a long name: ~$ for its first 2 letters
    assert held_open(plan) == (f"open in Excel by kwagner (lock file ~${KA002[2:]}): close it there and run "
                               f"again; if it is open nowhere, delete ~${KA002[2:]}")
    (tmp_path / f"~${KA002[2:]}").write_bytes(b"\x00")  # a lock file naming no one
    assert held_open(plan).startswith(f"open in Excel (lock file ~${KA002[2:]})")  # type: ignore[union-attr]


def test_generate_never_replaces_a_plan_or_controller_someone_has_open(demo_plans_copy: Path) -> None:
    plans = demo_plans_copy
    assert run_cli("generate", "--out", str(plans)).exit_code == 0  # the controller written beside the plans
    controller = plans / "Controller.xlsm"
    (plans / f".~lock.{KA002}#").write_text(LIBREOFFICE_LOCK, encoding="utf-8")
    (plans / f"~${KA003}").write_bytes(_excel_owner("kwagner"))  # a short-name owner file: ~$ before the name
    (plans / ".~lock.Controller.xlsm#").write_text(",cfo,PC-1,01.12.2026 09:05,file:///x;", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (plans / KA002, plans / KA003, controller)}
    result = run_cli("generate", "--out", str(plans), "--force")
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert (f"{KA002}: not regenerated — open in LibreOffice by Maria Muster (lock file .~lock.{KA002}#): close it "
            f"there and run again; if it is open nowhere, delete .~lock.{KA002}#") in said
    assert f"{KA003}: not regenerated — open in Excel by kwagner (lock file ~${KA003})" in said
    assert ("Controller.xlsm: not written — open in LibreOffice by cfo (lock file .~lock.Controller.xlsm#)"
            in said)
    assert {p.name: p.read_bytes() for p in (plans / KA002, plans / KA003, controller)} == before
    backups = {p.name.split(".")[0] for p in (plans / "_backup").iterdir()}
    assert "KA-001_Papierfabrik_Weserbogen_AG" in backups  # the others regenerated, each backed up
    assert not any(b.startswith(("KA-002", "KA-003", "Controller")) for b in backups)
    for lock in (f".~lock.{KA002}#", f"~${KA003}", ".~lock.Controller.xlsm#"):  # closed: written again
        (plans / lock).unlink()
    assert run_cli("generate", "--out", str(plans), "--force").exit_code == 0
    assert (plans / KA002).read_bytes() != before[KA002]


def test_the_macro_enabled_controller_is_not_written_over_one_open_in_excel(tmp_path: Path) -> None:
    """``kam-xl xlwings xlsm`` over a controller someone has open: one line, exit 2, no traceback."""
    out = tmp_path / "Controller.xlsm"
    assert run_cli("xlwings", "xlsm", "--out", str(out)).exit_code == 0
    (tmp_path / "~$ntroller.xlsm").write_bytes(_excel_owner("cfo"))  # Excel's owner file of a long name
    before = out.read_bytes()
    result = run_cli("xlwings", "xlsm", "--out", str(out))
    assert result.exit_code == 2
    assert ("Controller.xlsm: not written — open in Excel by cfo (lock file ~$ntroller.xlsm): close it there and "
            "run again; if it is open nowhere, delete ~$ntroller.xlsm") in " ".join(result.output.split())
    assert "Traceback" not in result.output and out.read_bytes() == before


def test_a_lock_files_user_is_shown_without_control_characters(tmp_path: Path) -> None:
    plan = tmp_path / KA002
    plan.write_bytes(b"a plan")
    (tmp_path / f".~lock.{KA002}#").write_bytes(b"\x1b[2J\x07Mall\x00ory\n,x,host,date;")  # anyone's text
    said = held_open(plan)
    assert said is not None and said.startswith("open in LibreOffice by 2J Mall ory (lock file")
    assert not any(ord(c) < 32 or c == "\x7f" for c in said)


def test_collects_export_open_in_libreoffice_is_not_replaced(demo_plans_copy: Path) -> None:
    plans = demo_plans_copy
    assert run_cli("collect", str(plans)).exit_code == 0
    export = plans / "collected.xlsx"
    before = export.read_bytes()
    (plans / ".~lock.collected.xlsx#").write_text(LIBREOFFICE_LOCK, encoding="utf-8")
    for jobs in ("1", "2"):  # written in collect's process, and in a process of its own
        result = run_cli("collect", str(plans), "--jobs", jobs)
        assert result.exit_code == 2
        assert ("collected.xlsx: not written — open in LibreOffice by Maria Muster (lock file "
                ".~lock.collected.xlsx#)") in " ".join(result.output.split())
        assert export.read_bytes() == before


def test_a_workbook_that_is_no_controller_is_never_replaced_by_one(tmp_path: Path) -> None:
    """``kam-xl xlwings xlsm --out budget.xlsm`` over someone's own workbook: left as it is, listed (a plan at a
    plan's path is treated the same way)."""
    import openpyxl

    budget = tmp_path / "budget.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Budget 2027"
    wb.save(budget)
    mine = tmp_path / "budget.xlsm"
    budget.rename(mine)
    before = mine.read_bytes()
    result = run_cli("xlwings", "xlsm", "--out", str(mine))
    assert result.exit_code == 2
    assert ("budget.xlsm: not written — not a controller workbook — it was left as it is; move it or write the "
            "controller elsewhere") in " ".join(result.output.split())
    assert mine.read_bytes() == before and not (tmp_path / "_backup").exists()


def test_the_macro_enabled_controller_written_again_names_its_backup(tmp_path: Path) -> None:
    out = tmp_path / "Controller.xlsm"
    assert run_cli("xlwings", "xlsm", "--out", str(out)).exit_code == 0
    again = run_cli("xlwings", "xlsm", "--out", str(out))
    assert again.exit_code == 0
    [backup] = (tmp_path / "_backup").glob("Controller.*.xlsm")
    assert f"(die alte: {backup})" in " ".join(again.stdout.split())


def test_generate_names_the_backup_of_the_controller_it_replaced(demo_plans_copy: Path) -> None:
    plans = demo_plans_copy
    assert run_cli("generate", "--out", str(plans)).exit_code == 0
    result = run_cli("generate", "--out", str(plans), "--force")
    assert result.exit_code == 0
    [backup] = (plans / "_backup").glob("Controller.*.xlsm")
    assert f"(die alte: {backup})" in " ".join(result.stdout.split())


@pytest.mark.parametrize("name", ["new.csv", "Export.JSON", "daten.ods"])
def test_an_export_named_like_a_file_collect_does_not_write_stops_before_any_work(demo_plans_copy: Path,
                                                                                   name: str) -> None:
    """``collect --export new.csv`` made a folder named new.csv (any name but .xlsx is a folder of CSV files)."""
    plans = demo_plans_copy
    result = run_cli("collect", str(plans), "--export", str(plans.parent / name))
    assert result.exit_code == 1
    assert (f"a {name[name.rindex('.'):].lower()} file is not written — allowed: a new .xlsx file, or a folder (a "
            "name without a file suffix) for the data book's CSV files") in " ".join(result.output.split())
    assert not (plans.parent / name).exists() and not (plans / "collected.xlsx").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_collects_error_report_names_the_outputs_it_could_not_write(demo_plans_copy: Path, jobs: str) -> None:
    """The controller and the export open in LibreOffice: collect listed them on the console, and its error report
    stayed empty (a user's trial) — the report is where a controller looks for what went wrong."""
    import csv

    plans = demo_plans_copy
    assert run_cli("collect", str(plans)).exit_code == 0
    for name in ("Controller.xlsm", "collected.xlsx"):
        (plans / f".~lock.{name}#").write_text(LIBREOFFICE_LOCK, encoding="utf-8")
    result = run_cli("collect", str(plans), "--jobs", jobs)
    assert result.exit_code == 2, result.output
    with (plans / "collect_errors.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    unwritten = {r[0]: r[4] for r in rows[1:]}
    assert set(unwritten) == {"Controller.xlsm", "collected.xlsx"}, rows
    for name in unwritten:
        assert unwritten[name] == (f"not written — open in LibreOffice by Maria Muster (lock file .~lock.{name}#): "
                                   f"close it there and run again; if it is open nowhere, delete .~lock.{name}#")
