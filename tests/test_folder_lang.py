"""Without ``--lang``, generate and collect write in the language of the folder's controller workbook: an English
folder regenerated without it came back German — every plan rewritten in German, the controller too (a user's
trial). ``--lang`` still decides when given; a folder without a controller is German."""

from __future__ import annotations

from pathlib import Path

from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from kam_xl.cli import app

runner = CliRunner()


def _sheets(path: Path) -> list[str]:
    return CalamineWorkbook.from_path(str(path)).sheet_names


def test_an_english_folder_stays_english_without_lang_and_turns_german_with_it(tmp_path: Path) -> None:
    out = tmp_path / "plans"
    assert runner.invoke(app, ["generate", "--out", str(out), "--lang", "en"]).exit_code == 0
    plan = next(out.glob("KA-001_*.xlsx"))
    before = plan.read_bytes()
    again = runner.invoke(app, ["generate", "--out", str(out)])
    assert again.exit_code == 0 and "14 unchanged" in again.stdout and plan.read_bytes() == before
    collected = runner.invoke(app, ["collect", str(out)])
    assert collected.exit_code == 0 and "14 plans" in collected.stdout
    assert _sheets(out / "Controller.xlsm")[:2] == ["Cockpit", "Accounts"]
    german = runner.invoke(app, ["generate", "--out", str(out), "--lang", "de"])
    assert german.exit_code == 0 and "14 erneuert" in german.stdout and _sheets(plan)[0] == "Deckblatt"
    assert _sheets(out / "Controller.xlsm")[:2] == ["Cockpit", "Kunden"]


def test_the_controllers_language_setting_decides_and_a_folder_without_a_controller_is_german(tmp_path: Path) -> None:
    from kam_xl.addin.xlsm import controller_xlsm_book
    from kam_xl.batch import write_controller
    from kam_xl.cli import _folder_lang
    from kam_xl.databook import demo_databook
    from kam_xl.settings_block import ControllerSettings

    out = tmp_path / "plans"
    assert runner.invoke(app, ["generate", "--out", str(out)]).exit_code == 0  # a new folder: German
    controller = out / "Controller.xlsm"
    assert _sheets(controller)[1] == "Kunden" and _folder_lang(controller, out) == "de"
    assert _folder_lang(next(out.glob("KA-001_*.xlsx")), out) == "de"  # a plan is no controller: its folder's plans
    assert _folder_lang(tmp_path / "none.xlsm", tmp_path) == "de"
    # a German controller whose setting asks for English account workbooks (typed into it): English
    write_controller(demo_databook(), controller, "de", settings=ControllerSettings(lang="en"),
                     xlsm_book=controller_xlsm_book)
    assert _sheets(controller)[1] == "Kunden" and _folder_lang(controller, out) == "en"
    again = runner.invoke(app, ["generate", "--out", str(out)])
    assert again.exit_code == 0 and "14 regenerated" in again.stdout
    assert _sheets(next(out.glob("KA-001_*.xlsx")))[0] == "Cover"


def test_without_a_readable_controller_the_folders_plans_tell_the_language(tmp_path: Path) -> None:
    """An English folder whose controller was deleted or is damaged turned German — every plan regenerated in
    German (a user's trial): the plans' own language is the next witness."""
    out = tmp_path / "plans"
    assert runner.invoke(app, ["generate", "--out", str(out), "--lang", "en"]).exit_code == 0
    (out / "Controller.xlsm").unlink()
    collected = runner.invoke(app, ["collect", str(out)])
    assert "14 plans" in collected.stdout and _sheets(out / "Controller.xlsm")[1] == "Accounts"
    (out / "Controller.xlsm").write_bytes(b"garbage" * 100)
    again = runner.invoke(app, ["generate", "--out", str(out)])
    assert "14 unchanged" in again.stdout and _sheets(next(out.glob("KA-001_*.xlsx")))[0] == "Cover"


def test_collect_to_a_new_file_elsewhere_of_an_english_folder_without_a_controller_is_english(tmp_path: Path) -> None:
    out = tmp_path / "plans"
    assert runner.invoke(app, ["generate", "--out", str(out), "--lang", "en"]).exit_code == 0
    (out / "Controller.xlsm").unlink()
    (tmp_path / "elsewhere").mkdir()
    target = tmp_path / "elsewhere" / "Controller.xlsx"
    collected = runner.invoke(app, ["collect", str(out), "--to", str(target)])
    assert "14 plans" in collected.stdout and _sheets(target)[1] == "Accounts"
