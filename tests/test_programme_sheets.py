"""The controller's Auswahl and ABC-XYZ sheets (issue 12): LibreOffice recalculates every formula of both to the
values of kam_xl.selection — on the demo data and on a crafted data book with equal net sales, equal scores, an
account without net sales, potentials that are all the same (max = min), Y and Z accounts, an account whose
four quarters all have actuals and one with only three plan quarters — and what is typed on them is carried
by account id and exported by ``collect`` as data-book tables."""

from __future__ import annotations

import copy
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kam_xl.batch import generate_plan, write_controller
from kam_xl.cli import app
from kam_xl.company_settings import SELECTION_CRITERIA, company_settings
from kam_xl.databook import DataBook, DataBookError, demo_databook, read_databook
from kam_xl.selection import classify_accounts, quarter_revenues, select_accounts, selection_inputs
from kam_xl.testing.recalc import error_cells, mismatches, read_values, recalculate
from kam_xl.workbook.controller import controller_workbook, read_controller_export
from kam_xl.workbook.layout import Book
from kam_xl.workbook.names import read_named
from kam_xl.workbook.render import write_book
from tests.shared import type_into

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
SHEETS = ("Auswahl", "ABC-XYZ", "Selection")
SOFT = {"philosophy_fit": 60.0, "base_load": 40.0, "openness": 80.0, "barriers": 20.0}


def _scaled(rows: list[dict[str, Any]], aid: str, quarters: dict[int, float]) -> None:
    for r in rows:
        if r["account_id"] == aid and r["scenario"] == "plan" and r["quarter"] in quarters:
            r["volume"] *= quarters[r["quarter"]]


def crafted() -> DataBook:
    """The demo data book with the edge cases of the issue's rules (see the module docstring)."""
    db = demo_databook()
    t = {k: copy.deepcopy(list(v)) if v is not None else None for k, v in db.tables.items()}
    # KA-003 gets KA-013's 2025 net sales (a tie in ABC, broken by id); KA-005 has no 2025 row
    k13 = next(r for r in t["cdb"] if (r["account_id"], r["year"]) == ("KA-013", 2025))
    for r in t["cdb"]:
        if (r["account_id"], r["year"]) == ("KA-003", 2025):
            r.update(gross_sales=k13["gross_sales"], deductions=k13["deductions"])
    t["cdb"] = [r for r in t["cdb"] if (r["account_id"], r["year"]) != ("KA-005", 2025)]
    # every potential of the latest portfolio year the same: nothing to derive from (max = min)
    latest = max(r["year"] for r in t["portfolio"])
    for r in t["portfolio"]:
        if r["year"] == latest:
            r["potential"] = 1000.0
    # typed ratings: the four soft criteria for everyone, potential for all but KA-009 (incomplete: no score);
    # KA-001 and KA-002 type all seven alike (equal scores: KA-001 ranks first)
    t["selection"] = [{"account_id": a.account_id, "criterion": c, "rating": v} for a in db.accounts
                      for c, v in ({**SOFT, "potential": 50.0} if a.account_id != "KA-009" else SOFT).items()]
    t["selection"] = [r for r in t["selection"] if r["account_id"] not in ("KA-001", "KA-002")]
    t["selection"] += [{"account_id": a, "criterion": c, "rating": 70.0} for a in ("KA-001", "KA-002")
                       for c in SELECTION_CRITERIA]
    t["selection"].append({"account_id": "KA-004", "criterion": "volume", "rating": None})  # empty: derived
    t["growth_filters"] = [
        {"account_id": "KA-001", "has_potential": "ja", "grows": "ja", "willing": "ja"},
        {"account_id": "KA-002", "has_potential": "ja", "grows": "nein", "willing": "ja"},
        {"account_id": "KA-003", "has_potential": "ja", "grows": None, "willing": "ja"}]
    # XYZ: KA-001 strongly seasonal (Z), KA-007 moderately (Y); KA-004 all four quarters actual; KA-006 only
    # three plan quarters (no cv)
    _scaled(t["kaop_products"], "KA-001", {1: 0.2, 4: 3.0})
    _scaled(t["kaop_products"], "KA-007", {1: 0.55, 3: 1.6})
    plan4 = [r for r in t["kaop_products"] if r["account_id"] == "KA-004" and r["scenario"] == "plan"]
    t["kaop_products"] = [r for r in t["kaop_products"] if not (r["account_id"] == "KA-004" and r["scenario"] ==
                                                                "actual")]
    t["kaop_products"] += [{**r, "scenario": "actual", "volume": r["volume"] * (1.3 if r["quarter"] == 2 else 1)}
                           for r in plan4]
    for table in ("kaop_products", "kaop_costs"):
        t[table] = [r for r in t[table] if not (r["account_id"] == "KA-006" and r["scenario"] == "plan"
                                                and r["quarter"] == 4)]
    return DataBook(source="crafted", accounts=db.accounts, tables=t)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[DataBook, Book, dict[str, Any]]]:
    cases = {"demo": (demo_databook(), "de"), "crafted": (crafted(), "de"), "crafted_en": (crafted(), "en")}
    src = tmp_path_factory.mktemp("src")
    books = {k: (db, controller_workbook(db, lang, WHEN)) for k, (db, lang) in cases.items()}
    files = [write_book(book, src / f"{k}.xlsx") for k, (_, book) in books.items()]
    outs = recalculate(files, tmp_path_factory.mktemp("out"))
    return {k: (db, book, read_values(out)) for (k, (db, book)), out in zip(books.items(), outs, strict=True)}


@pytest.mark.parametrize("key", ["demo", "crafted", "crafted_en"])
def test_every_formula_of_both_sheets_equals_kam_xl_selection(built, key: str) -> None:
    _, book, values = built[key]
    ours = [s for s in book.sheets if s.name in SHEETS]
    assert len(ours) == 2
    formulas = [c for s in ours for c in s.all_cells() if c.formula]
    assert len(formulas) > 14 * 20
    assert [e for e in error_cells(values) if e.split("!")[0] in SHEETS] == []
    mine = Book(template_id=book.template_id, template_version=book.template_version, lang=book.lang, sheets=ours,
                meta={})
    assert mismatches(mine, values, tolerance=1e-6) == []  # LibreOffice stores 15 digits


def _named(book: Book, name: str) -> list[Any]:
    for s in book.sheets:
        if name in s.ranges:
            r0, c0, r1, _ = s.ranges[name]
            cells = {(c.row, c.col): c for c in s.all_cells()}
            return [cells[r, c0].value if cells[r, c0].formula is None else cells[r, c0].cached
                    for r in range(r0, r1 + 1)]
    raise KeyError(name)


def test_the_crafted_edge_cases_are_there(built) -> None:
    db, book, _ = built["crafted"]
    sel = {r.account_id: r for r in select_accounts(selection_inputs(db), company_settings(db).selection_weights())}
    assert sel["KA-001"].score == sel["KA-002"].score == 70.0 and (sel["KA-001"].rank, sel["KA-002"].rank) == (1, 2)
    assert (sel["KA-009"].score, sel["KA-009"].rank, sel["KA-009"].incomplete) == (None, None, ["potential"])
    assert sel["KA-009"].derived["potential"] is None  # all potentials alike (max = min), nothing typed
    assert sel["KA-005"].derived == {"volume": None, "earnings": None}  # no 2025 row; potential typed
    assert [sel[a].growth_candidate for a in ("KA-001", "KA-002", "KA-003", "KA-004")] == [True, False, None, None]
    abc = {r.account_id: r for r in classify_accounts({x.account_id: x.net_sales for x in selection_inputs(db)},
                                                      quarter_revenues(db), company_settings(db))}
    assert abc["KA-005"].abc is None
    ids = _named(book, "abc_xyz_ids")
    assert ids.index("KA-003") == ids.index("KA-013") - 1 and ids[-1] == "KA-005"  # tie by id, missing last
    assert (abc["KA-001"].xyz, abc["KA-007"].xyz, abc["KA-004"].xyz_basis) == ("Z", "Y", "actual")
    assert (abc["KA-006"].cv, abc["KA-006"].xyz, abc["KA-006"].xyz_basis) == (None, None, "plan")
    assert {r.abc for r in abc.values()} == {"A", "B", "C", None}


def test_typed_selection_inputs_follow_the_account_and_collect_exports_them(tmp_path: Path) -> None:
    demo = demo_databook()
    out = tmp_path / "plans"
    out.mkdir()
    target = out / "Controller.xlsx"
    write_controller(demo, target, "de", WHEN)
    ids = [i[0] for i in read_named(target).values["sel_ids"]]
    row = ids.index("KA-006")
    type_into(target, "sel_ratings", 90, row=row, col=1)   # philosophy_fit (the demo has 35)
    type_into(target, "sel_filters", "ja", row=row, col=2)  # willing (the demo has nein)
    type_into(target, "sel_weight_openness", 40)
    type_into(target, "abc_share_a", 0.7)
    # an account inserted before all others: KA-006's row moves down, its typed values go with it
    new = demo.accounts[0].model_copy(update={"account_id": "KA-000", "name": "Neu AG"})
    write_controller(DataBook(source="demo", accounts=[new, *demo.accounts], tables=demo.tables), target, "de",
                     WHEN)
    values = read_named(target).values
    ids = [i[0] for i in values["sel_ids"]]
    assert ids[0] == "KA-000" and values["sel_ratings"][0] == [None] * 7
    row = ids.index("KA-006")
    assert values["sel_ratings"][row][1] == 90 and values["sel_filters"][row] == ["ja", "ja", "ja"]
    assert values["sel_candidates"][row] == ["ja"]
    assert (values["sel_weight_openness"], values["abc_share_a"]) == (40, 0.7)

    tables, problems = read_controller_export(target)
    assert problems == []
    typed = {(r["account_id"], r["criterion"]): r["rating"] for r in tables["selection"].rows}
    given = {(r["account_id"], r["criterion"]): r["rating"] for r in demo.table("selection") or []
             if r["rating"] is not None}
    assert typed == {**given, ("KA-006", "philosophy_fit"): 90.0}
    assert {"account_id": "KA-006", "has_potential": "ja", "grows": "ja", "willing": "ja"} in \
        tables["growth_filters"].rows
    settings = {r["key"]: r["value"] for r in tables["settings"].rows}
    assert (settings["selection_weight_openness"], settings["abc_a"], settings["xyz_y"]) == ("40", "0.7", "0.5")

    # collect over the folder (one plan, KA-006's): the tidy export holds the settings and what was typed on the
    # controller — for every account of the controller's data book (the others' plans are not collected: their
    # data book's values) — and a data book read from it gives them back
    generate_plan(None, "KA-006", out, "de")
    export = tmp_path / "export"
    result = CliRunner().invoke(app, ["collect", str(out), "--export", str(export), "--to", str(target)])
    assert result.exit_code == 0, result.output
    back = read_databook(export)
    assert {(r["account_id"], r["criterion"]): r["rating"] for r in back.table("selection") or []
            if r["rating"] is not None} == typed
    assert {"account_id": "KA-006", "has_potential": "ja", "grows": "ja", "willing": "ja"} in \
        back.table("growth_filters")
    assert company_settings(back).selection_weight_openness == 40 and company_settings(back).abc_a == 0.7


def _replace_line(path: Path, start: str, line: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, x in enumerate(lines) if x.startswith(start))
    path.write_text("\n".join([*lines[:at], line, *lines[at + 1:]]) + "\n", encoding="utf-8")


def test_one_mistake_per_programme_table_is_one_precise_problem(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    shutil.copytree(Path(__file__).parents[1] / "kam_xl" / "demo_data", folder)
    _replace_line(folder / "selection.csv", "KA-002,philosophy_fit,", "KA-002,philosophy_fit,120")
    _replace_line(folder / "growth_filters.csv", "KA-003,", "KA-003,vielleicht,Ja,JA")  # Ja, JA are ja
    with pytest.raises(DataBookError) as e:
        read_databook(folder)
    assert [str(p) for p in e.value.problems] == [
        "selection.csv, row 10, column rating: value '120': allowed: a number from 0 to 100",
        "growth_filters.csv, row 4, column has_potential: value 'vielleicht': allowed: one of ja, nein"]


def test_report_programme_json_is_the_contract_and_the_table_lists_candidates() -> None:
    import json

    result = CliRunner().invoke(app, ["report", "--what", "programme", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"selection", "abc_xyz", "coordination", "decisions", "st_gallen"}
    first = data["selection"][0]
    assert set(first) == {"account_id", "score", "rank", "growth_candidate", "incomplete", "derived", "overridden"}
    assert set(data["abc_xyz"][0]) == {"account_id", "abc", "xyz", "cv", "xyz_basis"}
    db = demo_databook()
    expected = select_accounts(selection_inputs(db), company_settings(db).selection_weights())
    assert [(s["account_id"], s["rank"], s["growth_candidate"]) for s in data["selection"]] == [
        (r.account_id, r.rank, r.growth_candidate) for r in expected]
    assert sorted(r.rank for r in expected if r.rank) == list(range(1, 15))  # every demo account complete
    table = CliRunner().invoke(app, ["report", "--what", "programme", "--lang", "en"])
    candidates = ", ".join(r.account_id for r in expected if r.growth_candidate)
    assert table.exit_code == 0 and f"Growth candidates (all three filters yes): {candidates}" in table.output


def test_thresholds_in_reverse_order_are_refused_as_a_pair(tmp_path: Path) -> None:
    """abc_a above abc_b can never be exported (the data book refuses it) nor kept: both are named, the data's
    pair comes back, and the other pair (xyz) is kept as typed."""
    target = tmp_path / "Controller.xlsx"
    write_controller(demo_databook(), target, "en", WHEN)
    type_into(target, "abc_share_a", 0.97)
    type_into(target, "xyz_cv_x", 0.3)
    tables, problems = read_controller_export(target, "en")
    # the other threshold as its cell showed it, like the refused value (a trial saw "97 % … at most abc_b (0.95)")
    # named where the user finds them (sheet, cell, the label the status line uses), the other threshold by its label
    assert [(p.file, p.sheet, p.cell, p.label, repr(p.value), p.allowed, p.what) for p in problems] == [
        ("Controller.xlsx", "ABC-XYZ", "C4", "threshold A", "97 %", "at most threshold B (95 %)", "not exported"),
        ("Controller.xlsx", "ABC-XYZ", "C5", "threshold B", "95 %", "at least threshold A (97 %)", "not exported")]
    settings = {r["key"]: r["value"] for r in tables["settings"].rows}
    assert (settings["abc_a"], settings["abc_b"], settings["xyz_x"]) == ("0.8", "0.95", "0.3")
    write_controller(demo_databook(), target, "en", WHEN)
    values = read_named(target).values
    assert (values["abc_share_a"], values["abc_share_b"], values["xyz_cv_x"]) == (0.8, 0.95, 0.3)
    assert "threshold A = 97 % not kept (allowed: at most abc_b (95 %)); threshold B = 95 % not kept (allowed: at " \
           "least abc_a (97 %))" in values["ctl_status"]
