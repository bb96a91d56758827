"""A refused number is shown as the KAM typed it — 150, not the 150.0 a cell holds — in collect's problem list,
collect_errors.csv, generate's problems and the controller's error list; other numbers as they are."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

from shared import type_values
from typer.testing import CliRunner

from kam_xl.addin.macros import _conflict_rows
from kam_xl.batch import PlanResult
from kam_xl.cells import PercentNumber, shown_number
from kam_xl.cli import app
from kam_xl.databook.parsing import _show
from kam_xl.workbook.coerce import shown
from kam_xl.workbook.merge import Conflict

runner = CliRunner()


def test_a_whole_number_is_shown_as_typed_other_numbers_as_they_are() -> None:
    assert [repr(shown_number(x)) for x in (150.0, -5.0, -0.0, 1e-07, 0.1 + 0.2, 12345678901234567890.0,
                                             float("nan"), float("inf"), 9999999999999998.0)] == [
        "150", "-5", "0", "1e-07", "0.30000000000000004", "1.2345678901234567e+19", "nan", "inf",
        "9999999999999998"]
    # a percent-formatted number as its cell showed it (a user's trial: 150 % typed, "value 1.5" reported)
    assert repr(shown(PercentNumber(1.0))) == "100 %" and repr(shown(PercentNumber(0.25))) == "25 %"
    assert [repr(shown(PercentNumber(x))) for x in (1.5, -0.05, 0.125, 0.07)] == ["150 %", "-5 %", "12.5 %", "7 %"]
    assert shown(True) is True and shown(" 150 ") == " 150 "  # a flag and a text are no numbers
    # the data book's problems: the same rule (it made 12345678901234567168 of a typed 12345678901234567890)
    assert [_show(x) for x in (150.0, 12345678901234567890.0, 0.5, "150.0")] == [
        "150", "1.2345678901234567e+19", "0.5", "150.0"]


def test_collect_and_generate_show_the_typed_number(demo_plans: Path, tmp_path: Path) -> None:
    plans = Path(shutil.copytree(demo_plans, tmp_path / "plans"))
    plan = next(plans.glob("KA-005_*.xlsx"))
    type_values(plan, {"pos_ratings": 150, "cdb_in_freight": -1234.5, "cdb_in_sales_cost": -1e-07})
    result = runner.invoke(app, ["collect", str(plans), "--lang", "en"])
    assert result.exit_code == 2, result.output
    lines = [line.split(": value ", 1)[1] for line in result.stderr.splitlines() if plan.name in line]
    assert sorted(lines) == ["-1234.5: allowed: an amount ≥ 0", "-1e-07: allowed: an amount ≥ 0",
                             "150: allowed: a rating from 0 to 100, or empty"]
    with (plans / "collect_errors.csv").open(encoding="utf-8-sig", newline="") as f:
        values = sorted(row["value"] for row in csv.DictReader(f, delimiter=";"))
    # numbers as numbers of the file's dialect (decimal comma), not guarded as a text beginning with "-"
    assert values == ["-0,0000001", "-1234,5", "150"]
    again = runner.invoke(app, ["generate", "--out", str(plans), "--lang", "en", "--force"])
    # generate keeps the KAM's 150 in the regenerated plan and lists it (the plan's sheet names are German)
    assert f"{plan.name}, sheet Lieferantenposition, cell B15: value 150 — allowed: a rating from 0 to 100, or " \
           "empty" in again.stderr, again.stderr


def test_collect_and_generate_show_a_typed_date_alike(demo_plans: Path, tmp_path: Path) -> None:
    """A trial saw generate show a date typed into a rating as ``datetime.date(2026, 3, 1)``, collect as
    ``'2026-03-01'``."""
    plans = Path(shutil.copytree(demo_plans, tmp_path / "plans"))
    plan = next(plans.glob("KA-005_*.xlsx"))
    type_values(plan, {"pos_ratings": date(2026, 3, 1)})
    result = runner.invoke(app, ["collect", str(plans), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert [line.split(": value ", 1)[1] for line in result.stderr.splitlines() if plan.name in line] == [
        "'2026-03-01': allowed: a rating from 0 to 100, or empty"]
    again = runner.invoke(app, ["generate", "--out", str(plans), "--lang", "en", "--force"])
    assert f"{plan.name}, sheet Lieferantenposition, cell B15: value '2026-03-01' — allowed: a rating from 0 to " \
           "100, or empty" in again.stderr, again.stderr


def test_the_controllers_error_list_shows_a_conflicts_numbers_as_typed() -> None:
    conflict = Conflict("cdb_in_freight", None, None, orig=80.0, kam=150.0, data=12345678901234567890.0)
    [(_file, _sheet, _cell, text)] = _conflict_rows(PlanResult("KA-005", Path("KA-005.xlsx"), "regenerated",
                                                               [("CDB", "B8", conflict)]))
    assert text == ("conflict in cdb_in_freight: the KAM's value 150 was kept; the data changed from 80 to "
                    "1.2345678901234567e+19")
