"""The Team-RACI, SWOT, KASP and Lieferantenposition sheets (issue 11): LibreOffice recalculates every new formula
to the pure functions' values, every new input survives collect, export and regeneration, and a data book with
one mistake per new table gives one precise problem each."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from kam_xl.batch import collect_plans, generate_plan, plans_to_databook
from kam_xl.databook import DataBookError, demo_databook, read_databook, write_databook
from kam_xl.kaop import KaopMeasure
from kam_xl.kasp import KaspProject
from kam_xl.position import kgb_yardsticks
from kam_xl.swot import SwotEntry
from kam_xl.team import team_roles
from kam_xl.testing.recalc import mismatches, read_values, recalculate
from kam_xl.workbook.account_plan import PLAN_SHEETS, AccountPlanData, account_plan
from kam_xl.workbook.kasp_sheet import KaspPart
from kam_xl.workbook.names import read_named
from kam_xl.workbook.position_sheet import PositionPart
from kam_xl.workbook.render import write_book
from tests.shared import plan_error_cells
from tests.test_export import _type

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
DEMO = Path(__file__).resolve().parents[1] / "kam_xl" / "demo_data"
KINDS = {k.key: k for k in PLAN_SHEETS}


def _crafted() -> AccountPlanData:
    """KA-001 (two Kgb cards in the demo) with a RACI, SWOT, KASP and position that break every rule once."""
    data = AccountPlanData.from_databook(demo_databook(), "KA-001")
    roles = team_roles([("Rahmenvertrag", "GKAM", "R"), ("Rahmenvertrag", "Management", "A"),
                        ("Rahmenvertrag", "NKAM", "I, C"),
                        ("Preisverhandlung", "GKAM", "R, A"), ("Preisverhandlung", "Management", "a"),  # two A
                        ("Messe", "NKAM", "S"),                                                       # no A, no R
                        ("Audit", "Qualität", "A"), ("Audit", "Innendienst", "I")])                   # no R
    swot = (SwotEntry(quadrant="Stärke", lever="Produkt", entry="Retentionssystem führend"),
            SwotEntry(quadrant="Stärke", lever="Produkt", entry="Anwendungstechnik vor Ort"),
            SwotEntry(quadrant="Risiko", lever="Preis", entry="Ausschreibung 2027"),
            SwotEntry(quadrant="Chance", lever="Person", entry="neuer Werksleiter"))
    kasp = KaspPart(projects=(
        KaspProject(project="Systempartnerschaft", lever="Produkt", start_year=2026, end_year=2028, budget=80_000,
                    status="laufend", review_date=date(2026, 6, 30), target=60, kpi="Anteil in %"),
        KaspProject(project="EDI", lever="Platzierung", start_year=2026, end_year=2026),      # no KAOP measure
        KaspProject(project="Werk Polen", lever="Person", start_year=2027, end_year=2030),    # beyond 2029
        KaspProject(project="Altvertrag", lever="Preis", start_year=2025, end_year=2027)), horizon=3)
    measures = [KaopMeasure(measure="Pilotanlage", lever="Produkt", kasp_project="Systempartnerschaft",
                            swot_entry="Ausschreibung 2027")]
    data = dataclasses.replace(data, kaop=dataclasses.replace(data.kaop, measures=measures))
    data = KINDS["raci"].put(data, roles)
    data = KINDS["swot"].put(data, swot)
    data = KINDS["kasp"].put(data, kasp)
    return KINDS["position"].put(data, PositionPart(target_role="Systempartner", ratings={1: 70.0, 2: 5.0, 4: 55.0}))


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("team")
    books = []
    for lang in ("de", "en"):
        book = account_plan(_crafted(), lang, NOW)
        books.append((book, write_book(book, folder / f"KA-001_{lang}.xlsx")))
    # a letter no RACI knows, typed into the German plan: the unknown-letter branch of the rule formula
    wb = openpyxl.load_workbook(books[0][1])
    wb.defined_names["raci_letters"]
    wb["Team-RACI"]["C5"] = "R, X"  # Rahmenvertrag × NKAM
    wb.save(folder / "KA-001_typed.xlsx")
    out = recalculate([p for _, p in books] + [folder / "KA-001_typed.xlsx"], tmp_path_factory.mktemp("out"))
    return [(book, read_values(p)) for (book, _), p in zip(books, out[:2], strict=True)], read_values(out[2])


def test_every_new_formula_equals_the_pure_functions_in_both_languages(recalculated):
    plans, _ = recalculated
    for book, values in plans:
        assert plan_error_cells(book, values) == []  # the Buying-Center-Map's #N/A by design, nothing else
        assert mismatches(book, values) == []
        new = [c for s, c in book.formula_cells() if s in ("Team-RACI", "Team RACI", "SWOT", "KASP",
                                                           "Lieferantenposition", "Supplier position")]
        assert len(new) > 100


def test_the_lights_say_what_a_person_checks_by_hand(recalculated):
    [(_, de), _], typed = recalculated
    raci = de["Team-RACI"]
    # rows 5–8: Rahmenvertrag, Preisverhandlung, Messe, Audit; columns GKAM NKAM Management Innendienst Qualität
    assert [raci[f"{c}5"] for c in "BCD"] == ["R", "I, C", "A"]
    status = {raci[f"A{r}"]: raci[f"K{r}"] for r in range(5, 9)}  # roles B–F, 2 free columns, A/R counts I–J
    assert status == {"Rahmenvertrag": "ok", "Preisverhandlung": "mehrere A", "Messe": "kein A, kein R",
                      "Audit": "kein R"}
    assert (raci["I6"], raci["J6"]) == (2, 1)  # A and R counts of Preisverhandlung
    assert typed["Team-RACI"]["K5"] == "unbekannter Buchstabe"
    swot = de["SWOT"]
    assert sum(v == "leer" for v in swot.values()) == 3  # Promotion, Platzierung, Performance: no entry anywhere
    kasp = de["KASP"]
    lights = {kasp[f"A{r}"]: (kasp.get(f"P{r}"), kasp.get(f"Q{r}")) for r in range(7, 11)}
    assert lights == {"Systempartnerschaft": (None, None), "EDI": (None, "ohne KAOP-Maßnahme"),
                      "Werk Polen": ("außerhalb Horizont", None), "Altvertrag": ("außerhalb Horizont", None)}
    assert [kasp.get(f"{c}8") for c in "LMNO"] == [1, None, None, None]  # EDI runs 2026 only
    pos = de["Lieferantenposition"]
    assert (pos["B4"], pos["B5"], pos["B6"]) == ("Vorzugslieferant", "Systempartner", 1)
    kgb = kgb_yardsticks(_crafted().kgb_cards)
    values = [pos.get(f"D{r}") for r in range(15, 20)]  # KA-001 has one Kgb card: its row is 12
    assert values[0] == 70 and values[3] == 55 and values[4] is None
    assert values[1] == pytest.approx(kgb[2], abs=0.01) and values[2] == pytest.approx(kgb[3], abs=0.01)


def _rows_of(block: list[list[object]]) -> list[list[object]]:
    return [r for r in block if any(v is not None for v in r)]


def test_every_new_input_survives_collect_export_and_regeneration(tmp_path):
    plans = tmp_path / "plans"
    plan = generate_plan(None, "KA-003", plans, now=NOW).path
    before = read_named(plan).values
    n_tasks = len(_rows_of(before["raci_tasks"]))
    n_threats = len(_rows_of(before["swot_threats"]))
    n_projects = len(_rows_of(before["kasp_projects"]))
    n_measures = len(_rows_of(before["kaop_measures"]))
    project = ["Lieferantenaudit", "Performance", "Audit bestanden", "Punkte", 90, 2027, 2028, "Qualität", 15000,
               "geplant", datetime(2027, 3, 31)]
    _type(plan, [
        ("raci_tasks", "Lieferantenaudit", n_tasks, 0), ("raci_roles", "Qualität", 0, 4),
        ("raci_letters", "R, A", n_tasks, 4), ("raci_letters", "I", n_tasks, 1),
        ("swot_threats", "Performance", n_threats, 0), ("swot_threats", "Audit beim Wettbewerber", n_threats, 1),
        *(("kasp_projects", v, n_projects, c) for c, v in enumerate(project)),
        ("kaop_measures", "Audit vorbereiten", n_measures, 0), ("kaop_measures", "Performance", n_measures, 1),
        ("kaop_measures", "Lieferantenaudit", n_measures, 6),
        ("kaop_measures", "Audit beim Wettbewerber", n_measures, 7),
        ("pos_target_role", "Vorzugslieferant", 0, 0), ("pos_ratings", 65, 3, 0)])
    collected = collect_plans(plans)
    assert collected.problems == [] and collected.skipped == []
    [data] = collected.plans
    roles = data.parts["raci"]
    assert roles.cell("Lieferantenaudit", "Qualität") == ("R", "A") and roles.cell("Lieferantenaudit", "NKAM") == ("I",)
    assert SwotEntry(quadrant="Risiko", lever="Performance", entry="Audit beim Wettbewerber") in data.parts["swot"]
    assert data.parts["kasp"].projects[-1] == KaspProject(
        project="Lieferantenaudit", lever="Performance", goal="Audit bestanden", kpi="Punkte", target=90,
        start_year=2027, end_year=2028, owner="Qualität", budget=15000, status="geplant", review_date=date(2027, 3, 31))
    measure = data.kaop.measures[-1]
    assert (measure.kasp_project, measure.swot_entry) == ("Lieferantenaudit", "Audit beim Wettbewerber")
    assert data.account.target_supplier_role == "Vorzugslieferant" and data.parts["position"].ratings[4] == 65

    export = plans_to_databook(collected.plans, "collected")
    write_databook(export, tmp_path / "export")
    back = read_databook(tmp_path / "export")
    assert {"account_id": "KA-003", "task": "Lieferantenaudit", "role": "Qualität", "letters": "R, A"} in \
        back.table("team_roles")
    assert back.rows_for("kasp", "KA-003")[-1]["review_date"] == date(2027, 3, 31)
    assert back.account("KA-003").target_supplier_role == "Vorzugslieferant"
    assert {"account_id": "KA-003", "yardstick": 4, "rating": 65.0} in back.table("position")

    # regenerated from the demo data (which has none of this): every typed value stays with its key
    again = generate_plan(None, "KA-003", plans, now=NOW)
    assert again.status in ("regenerated", "conflicts"), again
    after, typed = read_named(again.path).values, read_named(plan).values
    for name in ("raci_tasks", "raci_roles", "raci_letters", "swot_threats", "kasp_projects", "kaop_measures",
                 "pos_ratings"):
        assert _rows_of(after[name]) == _rows_of(typed[name]), name
    assert after["pos_target_role"] == "Vorzugslieferant"


def test_a_refused_value_on_each_new_sheet_is_reported_by_cell(tmp_path):
    plans = tmp_path / "plans"
    plan = generate_plan(None, "KA-003", plans, now=NOW).path
    _type(plan, [("raci_letters", "R, Q", 0, 1), ("swot_strengths", "Prise", 0, 0),
                 ("kasp_projects", 2031, 0, 5), ("pos_ratings", 140, 0, 0),
                 ("kaop_measures", "Werk Polen", 0, 6)])
    collected = collect_plans(plans)
    assert collected.plans == []
    found = {(sheet, cell): (value, allowed) for _, sheet, cell, value, allowed in collected.problems}
    ref = next(iter(openpyxl.load_workbook(plan).defined_names["kaop_measures"].destinations))[1]
    first = openpyxl.utils.cell.coordinate_from_string(ref.replace("$", "").split(":")[0])
    column = openpyxl.utils.get_column_letter(openpyxl.utils.column_index_from_string(first[0]) + 6)
    measure_cell = f"{column}{first[1]}"
    assert found == {
        ("Team-RACI", "C5"): ("R, Q", "allowed: the letters R, A, S, I, C, several separated by commas"),
        ("SWOT", "A6"): ("Prise", "allowed: one of Produkt, Preis, Promotion, Platzierung, Person, Performance"),
        ("KASP", "G7"): (2028, "allowed: an end year ≥ the start year 2031"),
        ("Lieferantenposition", "B15"): (140, "allowed: a rating from 0 to 100, or empty"),
        ("KAOP", measure_cell): ("Werk Polen", "allowed: a project's name as on the KASP sheet, or empty — "
                                               "'Werk Polen' is not there")}


def _edit(folder: Path, table: str, row: int, column: str, value: str) -> None:
    path = folder / f"{table}.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[row][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def test_one_mistake_per_new_table_gives_one_precise_problem_each(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(DEMO, book)
    for table, row, column, value in [
            ("accounts", 1, "target_supplier_role", "Hauptlieferant"), ("team_roles", 9, "letters", "R, X"),
            ("swot", 2, "lever", "Prise"), ("kasp", 1, "end_year", "2025"), ("kasp", 2, "review_date", "31.02.2026"),
            ("position", 3, "yardstick", "6"), ("kaop_measures", 1, "kasp_project", "Werk Polen"),
            ("kaop_measures", 2, "swot_entry", "gibt es nicht")]:
        _edit(book, table, row, column, value)
    with pytest.raises(DataBookError) as info:
        read_databook(book)
    assert [str(p) for p in info.value.problems] == [
        "accounts.csv, row 2, column target_supplier_role: value 'Hauptlieferant': allowed: one of gelegentlicher "
        "Lieferant, Stammlieferant, Vorzugslieferant, Systempartner",
        "kaop_measures.csv, row 2, column kasp_project: value 'Werk Polen': no KASP project of account KA-001 has "
        "this name — allowed: one of its projects (Digitaler Bestellprozess, Key-Account-Team Süd, Rahmenvertrag "
        "Gruppe, Werkstoffwechsel biobasiert) or empty",
        "kaop_measures.csv, row 3, column swot_entry: value 'gibt es nicht': no SWOT entry of account KA-002 has "
        "this text — allowed: the text of one of its entries or empty",
        "team_roles.csv, row 10, column letters: value 'R, X': task 'Jahresgespräch vorbereiten', role 'GKAM': "
        'the letter X is not a RACI letter — allowed: R, A, S, I or C, several separated by commas (e.g. "R, A")',
        "swot.csv, row 3, column lever: value 'Prise': allowed: one of Produkt, Preis, Promotion, Platzierung, "
        "Person, Performance",
        "kasp.csv, row 2, column end_year: value '2025': project 'Digitaler Bestellprozess' ends before it starts "
        "in 2026 — allowed: an end year from 2026 on",
        "kasp.csv, row 3, column review_date: value '31.02.2026': allowed: a date such as 2026-06-30 or 30.06.2026",
        "position.csv, row 4, column yardstick: value '6': there is no such yardstick — allowed: yardstick 1, 2, 3, "
        "4 or 5"]


def test_a_measure_naming_a_project_of_a_data_book_without_kasp_is_a_problem(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(DEMO, book)
    (book / "kasp.csv").unlink()
    with pytest.raises(DataBookError) as info:
        read_databook(book)
    assert len(info.value.problems) == 14  # one measure per demo account, each naming its first project
    assert str(info.value.problems[0]) == (
        "kaop_measures.csv, row 2, column kasp_project: value 'Digitaler Bestellprozess': no KASP project of "
        "account KA-001 has this name — allowed: one of its projects (none) or empty")


def test_team_roles_name_every_row_with_wrong_letters_and_every_row_given_twice(tmp_path):
    """The same wrong letters on two rows are two problems, each naming its own task and role; a row repeating an
    earlier row's account, task and role names the earlier row (the checks judge each distinct cell once)."""
    book = tmp_path / "book"
    shutil.copytree(DEMO, book)
    _edit(book, "team_roles", 1, "letters", "R, X")
    _edit(book, "team_roles", 3, "letters", "R, X")
    _edit(book, "team_roles", 4, "role", "GKAM")  # row 5 = row 2's company default, task and role again
    with pytest.raises(DataBookError) as info:
        read_databook(book)
    problems = info.value.problems
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "letters", "R, X"), (4, "letters", "R, X"),
                                                              (5, "role", "GKAM")]
    assert problems[0].message.startswith("task 'Globaler Rahmenvertrag', role 'GKAM': the letter X is not a RACI")
    assert problems[1].message.startswith("task 'Globaler Rahmenvertrag', role 'Innendienst': the letter X is not")
    assert problems[2].message == ("the company default already gives letters to task 'Globaler Rahmenvertrag' and "
                                   "role 'GKAM' in row 2 — allowed: one row per task and role")
