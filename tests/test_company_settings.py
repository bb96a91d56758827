"""The data book's ``settings`` table (kam_xl.company_settings): defaults, both number conventions, one precise
problem per mistake, and the table registered for every reader and writer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kam_xl.company_settings import KEYS, CompanySettings, company_settings
from kam_xl.databook import DataBookError, read_databook, write_databook
from kam_xl.databook.schema import TABLES

DEMO = Path(__file__).resolve().parents[1] / "kam_xl" / "demo_data"


def _book(tmp_path: Path, settings: str) -> Path:
    folder = tmp_path / "book"
    shutil.copytree(DEMO, folder)
    (folder / "settings.csv").write_text(settings, encoding="utf-8")
    return folder


def test_defaults_without_the_table() -> None:
    s = CompanySettings()
    assert (s.abc_a, s.abc_b, s.xyz_x, s.xyz_y, s.kasp_horizon) == (0.8, 0.95, 0.25, 0.5, 3)
    assert (s.coord_bu_high, s.coord_territory_regional, s.coord_territory_global) == (4, 3, 5)
    assert s.selection_weights()["barriers"] == pytest.approx(100 / 7)
    assert s.decision_weights(4) == [1.0] * 5 and s.decision_weights(5) == [1.0] * 7
    assert s.phase is None


def test_values_in_either_convention_and_case(tmp_path: Path) -> None:
    db = read_databook(_book(tmp_path, "key;value\nABC_A;0,7\nabc_b;0.9\nkasp_horizon;4\nphase;Aufbauen\n"
                                       "selection_weight_volume;\n"))
    s = company_settings(db)
    assert (s.abc_a, s.abc_b, s.kasp_horizon, s.phase) == (0.7, 0.9, 4, "aufbauen")
    assert s.selection_weight_volume == pytest.approx(100 / 7)  # an empty value keeps the default


def test_one_problem_per_mistake(tmp_path: Path) -> None:
    book = _book(tmp_path, "key;value\nabc_a;0,9\nabc_b;0.85\nkasp_horizon;7\nnope;1\nphase;später\n"
                           "ABC_A;0.7\nxyz_x;viel\n")
    with pytest.raises(DataBookError) as e:
        read_databook(book)
    shown = [str(p) for p in e.value.problems]
    assert shown == [
        "settings.csv, row 3, column value: value '0.85': abc_b 0.85 is below abc_a 0.9 — allowed: abc_a ≤ abc_b",
        "settings.csv, row 4, column value: value '7': kasp_horizon: Input should be less than or equal to 5",
        "settings.csv, row 5, column key: value 'nope': there is no such setting — allowed: one of " + ", ".join(KEYS),
        "settings.csv, row 6, column value: value 'später': phase: not a phase of the KAM programme — allowed: one "
        "of installieren, aufbauen, "
        "professionalisieren, fokussieren",
        "settings.csv, row 7, column key: value 'ABC_A': this setting is given twice, first in row 2 — allowed: one "
        "row per setting",
        "settings.csv, row 8, column value: value 'viel': xyz_x: not a number — allowed: a number such as 0.8 or 0,8",
    ]


def test_registered_and_written_back(tmp_path: Path) -> None:
    assert TABLES["settings"].check is not None
    db = read_databook(_book(tmp_path, "key;value\nkasp_horizon;5\n"))
    out = tmp_path / "again"
    write_databook(db, out)
    assert company_settings(read_databook(out)).kasp_horizon == 5
    rows = {r["key"]: r["value"] for r in CompanySettings(kasp_horizon=2).rows()}
    assert rows["kasp_horizon"] == "2" and rows["abc_a"] == "0.8" and "phase" not in rows


def test_rows_write_every_number_exactly_and_the_controller_writes_the_same_text(tmp_path: Path) -> None:
    """One text rule for every ``settings`` row (setting_text): 100/7 with all its digits (not "14.2857"), a tiny
    value without an exponent (not "1e-05"), whole numbers without ".0"; read back, each is the same float."""
    from kam_xl.workbook.controller.organisation import OrganisationSheet

    s = CompanySettings(xyz_x=1e-05, decision_weight_t4_1=100 / 7)
    rows = {r["key"]: r["value"] for r in s.rows()}
    assert (rows["selection_weight_volume"], rows["xyz_x"], rows["decision_weight_t4_1"], rows["kasp_horizon"],
            rows["coord_bu_high"]) == ("14.285714285714286", "0.00001", "14.285714285714286", "3", "4")
    book = _book(tmp_path, "key,value\n" + "".join(f"{k},{v}\n" for k, v in rows.items()))
    assert company_settings(read_databook(book)) == s  # exactly, not approximately
    kind = OrganisationSheet()
    exported = kind.export(kind.defaults(read_databook(book), "de"), {}, "de")["settings"].rows
    assert exported and all(r["value"] == rows[r["key"]] for r in exported)
