"""Regeneration keeps every typed value with its key (issue 9 §6, §1, §5): KAOP products, Kgb cards, criteria and
supplier columns, CDB activities, potential goals and measures are matched by key, not by position, when the
data book removes, inserts, reorders or renames rows; a row the data book removed is dropped from the plan and
the KAM's values in it are reported; an error value stays as the KAM left it; a cleared input stays empty."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import kam_xl.plan_jobs as plan_jobs
from kam_xl.batch import PlanResult, write_regenerating
from kam_xl.cdb import ActivityLine
from kam_xl.cells import CellError
from kam_xl.databook import demo_databook
from kam_xl.kaop import KaopMeasure, PotentialGoal, ProductQuarter
from kam_xl.kgb import KgbCard, KgbCriterion
from kam_xl.testing.recalc import read_values, recalculate
from kam_xl.workbook.account_plan import TEMPLATE_ID, AccountPlanData, account_plan, parse_inputs
from kam_xl.workbook.kaop_sheet import KaopInputs
from kam_xl.workbook.layout import KeyedFamily, RowKey
from kam_xl.workbook.merge import ERROR_KEPT, NOT_IN_PLAN, REMOVED_BY_DATA, by_key, merge_keyed, regen_values
from kam_xl.workbook.names import read_named

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BASE = AccountPlanData.from_databook(demo_databook(), "KA-001")
SUPPLIERS = ("Rheinauen", "Nordchem", "BaSiCo")


# --- data books as models: the same account with other rows ---------------------------------------------------------

def _seed(text: str) -> int:
    return sum(ord(ch) for ch in text)


def plan_data(products: list[str] = ("Farbstoff Blau 86", "Leimungsmittel AKD 7", "Entschäumer DF 3"),
              segments: dict[str, list[str]] | None = None, activities: list[str] = ("Besuche", "Messen"),
              goals: list[str] = ("Neukunden", "Muster"), measures: list[str] = ("Preisrunde", "Schulung"),
              ) -> AccountPlanData:
    """KA-001 with these KAOP products (plan Q1–Q4, actual Q1), Kgb cards, activities, goals and measures; every
    value is derived from its key, so a value found under another key is visible."""
    segments = {"Retentionssysteme": ["Preis", "Service", "Technik"]} if segments is None else segments
    plan = [ProductQuarter(product=p, quarter=q, volume=float(_seed(p) % 90 + q), price=float(_seed(p) % 40 + 10))
            for p in products for q in (1, 2, 3, 4)]
    actual = [ProductQuarter(product=p, quarter=1, volume=float(_seed(p) % 80 + 5), price=float(_seed(p) % 40 + 10))
              for p in products]
    cards = tuple(
        KgbCard(account_id="KA-001", segment=seg, own_supplier=SUPPLIERS[0],
                criteria=[KgbCriterion(name=c, weight=1 / len(crit)) for c in crit],
                ratings={s: {c: float((_seed(c) + k) % 100) for c in crit} for k, s in enumerate(SUPPLIERS)})
        for seg, crit in segments.items())
    acts = tuple(ActivityLine(activity=a, stage="sales", driver_quantity=float(_seed(a) % 20), cost_rate=100.0)
                 for a in activities)
    kaop = KaopInputs(year=2026, plan=(plan, BASE.kaop.plan[1]), actual=(actual, BASE.kaop.actual[1]),
                      goals=[PotentialGoal(goal=g, metric="Anzahl", targets={1: float(_seed(g) % 9)}) for g in goals],
                      measures=[KaopMeasure(measure=m, lever="Preis", owner="KAM") for m in measures])
    return dataclasses.replace(BASE, activities=acts, kgb_cards=cards, kaop=kaop)


def regenerate(data: AccountPlanData, path: Path) -> PlanResult:
    """What :func:`kam_xl.batch.generate_plan` does, for a data book given as models."""
    return write_regenerating("KA-001", path, account_plan(data, "de", NOW),
                              {"template_id": TEMPLATE_ID, "account_id": "KA-001"},
                              lambda merged, problem: account_plan(parse_inputs(merged, data, "de", problem), "de",
                                                                   NOW), NOW)


KEYS = account_plan(plan_data(), "de", NOW).key_specs()


def block_row(values: dict[str, Any], key_block: str, key: str, col: int = 0) -> int:
    """The row of ``key`` in a key block (the key compared after the text rule, as regeneration does)."""
    return next(i for i, row in enumerate(values[key_block]) if isinstance(row[col], str) and row[col].strip() == key)


def card(values: dict[str, Any], segment: str) -> int:
    return next(n for n in range(1, 20) if values.get(f"kgb_{n}_segment") == segment)


def type_cells(path: Path, cells: list[tuple[str, int, int, Any]]) -> None:
    """Type values into cells of named blocks (name, row, col inside the block) in one go, as a KAM would."""
    wb = openpyxl.load_workbook(path)
    for name, row, col, value in cells:
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        first = wb[sheet][ref.replace("$", "").split(":")[0]]
        wb[sheet].cell(first.row + row, first.column + col).value = value
    wb.save(path)


def inputs_by_key(path: Path) -> dict[tuple[str, str, str], Any]:
    nv = read_named(path)
    return by_key(regen_values(account_plan(plan_data(), "de", NOW), nv.values), KEYS)


def expected_by_key(data: AccountPlanData, typed: dict[tuple[str, str, str], Any]) -> dict[tuple[str, str, str], Any]:
    """The inputs the data alone gives, with the KAM's typed values on top (for keys the data still has)."""
    book = account_plan(data, "de", NOW)
    out = by_key(regen_values(book), KEYS)
    out.update({k: v for k, v in typed.items() if v is not None})
    for k in [k for k, v in typed.items() if v is None]:
        out.pop(k, None)
    return out


# --- KAOP products ---------------------------------------------------------------------------------------------

def test_kaop_products_removed_inserted_reordered_renamed_keep_their_values(tmp_path):
    path = tmp_path / "plan.xlsx"
    regenerate(plan_data(), path)
    nv = read_named(path).values
    blau, akd, df3 = (block_row(nv, "kaop_plan_products", p) for p in
                      ("Farbstoff Blau 86", "Leimungsmittel AKD 7", "Entschäumer DF 3"))
    a_akd = block_row(nv, "kaop_actual_products", "Leimungsmittel AKD 7")
    a_blau = block_row(nv, "kaop_actual_products", "Farbstoff Blau 86")
    type_cells(path, [("kaop_plan_volume", akd, 1, 777.0),       # AKD 7, plan Q2
                      ("kaop_plan_price", blau, 3, 12.5),         # Blau 86, plan Q4
                      ("kaop_actual_volume", a_akd, 2, 55.0),     # AKD 7, actual Q3
                      ("kaop_actual_volume", a_blau, 1, 44.0),    # Blau 86, actual Q2
                      ("kaop_plan_sow", df3, 0, 0.4)])            # DF 3 — the data book removes it
    # the data book: DF 3 removed, Weißpigment inserted first, order reversed, Blau 86 renamed to Blau 87
    new = plan_data(["Weißpigment W2", "Leimungsmittel AKD 7", "Farbstoff Blau 87"])
    again = regenerate(new, path)
    assert again.status == "regenerated", again.problems
    got = inputs_by_key(path)
    assert got[("kaop_plan_volume", "Leimungsmittel AKD 7", "1")] == 777
    assert got[("kaop_actual_volume", "Leimungsmittel AKD 7", "2")] == 55
    assert got == expected_by_key(new, {("kaop_plan_volume", "Leimungsmittel AKD 7", "1"): 777.0,
                                        ("kaop_actual_volume", "Leimungsmittel AKD 7", "2"): 55.0})
    # Blau 86 (renamed = removed) and DF 3 (removed) are not in the plan; every typed value of them is reported
    assert {k[1] for k in got if k[0].startswith("kaop_plan")} == {"Weißpigment W2", "Leimungsmittel AKD 7",
                                                                   "Farbstoff Blau 87"}
    removed = sorted((c.name, c.row_key, c.col_key or "", c.kam, cell) for sheet, cell, c in again.conflicts
                     if c.note == REMOVED_BY_DATA)
    # plan block from row 7: volume rows 26–29, price 31–34, share of wallet 36–39; actual block from row 47
    assert removed == [("kaop_actual_volume", "Farbstoff Blau 86", "", 44.0, "D66 (old file)"),
                       ("kaop_plan_price", "Farbstoff Blau 86", "", 12.5, "F31 (old file)"),
                       ("kaop_plan_sow", "Entschäumer DF 3", "", 0.4, "C38 (old file)")]
    old = openpyxl.load_workbook(again.backup)["KAOP"]
    assert (old["D66"].value, old["F31"].value, old["C38"].value) == (44, 12.5, 0.4)  # the cells named are those
    assert all(c.note == REMOVED_BY_DATA for _, _, c in again.conflicts)  # the data changed nothing the KAM typed


def test_a_trailing_space_in_a_product_name_makes_no_phantom_row(tmp_path):
    path = tmp_path / "plan.xlsx"
    regenerate(plan_data(), path)
    nv = read_named(path).values
    r = block_row(nv, "kaop_actual_products", "Farbstoff Blau 86")
    type_cells(path, [("kaop_actual_products", r, 0, "Farbstoff Blau 86 "), ("kaop_actual_volume", r, 2, 33.0)])
    again = regenerate(plan_data(), path)
    assert (again.status, again.conflicts) == ("regenerated", [])
    nv = read_named(path).values
    names = [row[0] for row in nv["kaop_actual_products"] if row[0] is not None]
    assert names == ["Farbstoff Blau 86", "Leimungsmittel AKD 7", "Entschäumer DF 3"]  # three, not four
    assert nv["kaop_actual_volume"][block_row(nv, "kaop_actual_products", "Farbstoff Blau 86")][2] == 33


# --- Kgb cards, criteria, supplier columns --------------------------------------------------------------------

def test_kgb_values_follow_segment_criterion_and_supplier(tmp_path):
    path = tmp_path / "plan.xlsx"
    first = plan_data(segments={"Retention": ["Preis", "Service", "Technik"], "Leimung": ["Preis", "Lieferung"]})
    regenerate(first, path)
    nv = read_named(path).values
    ret, lei = card(nv, "Retention"), card(nv, "Leimung")
    type_cells(path, [(f"kgb_{lei}_ratings", block_row(nv, f"kgb_{lei}_criteria", "Lieferung"), 1, 33.0),
                      (f"kgb_{lei}_ratings", block_row(nv, f"kgb_{lei}_criteria", "Preis"), 0, 91.0),
                      (f"kgb_{ret}_ratings", block_row(nv, f"kgb_{ret}_criteria", "Service"), 2, 12.0)])
    # the data book: Retention removed, Leimung second with a criterion inserted before and the order changed
    new = plan_data(segments={"Fixierung": ["Preis"], "Leimung": ["Qualität", "Lieferung", "Preis"]})
    again = regenerate(new, path)
    assert again.status == "regenerated", again.problems
    got = inputs_by_key(path)
    typed = {("kgb_Leimung_ratings", "Lieferung", "Nordchem"): 33.0,
             ("kgb_Leimung_ratings", "Preis", "Rheinauen"): 91.0}
    assert got == expected_by_key(new, typed)
    nv = read_named(path).values
    assert [nv["kgb_1_segment"], nv["kgb_2_segment"], nv.get("kgb_3_segment")] == ["Fixierung", "Leimung", None]
    [(sheet, cell, c)] = again.conflicts
    assert (sheet, cell, c.name, c.row_key, c.col_key, c.kam, c.note) == (
        "Kgb", "E9 (old file)", "kgb_1_ratings", "Service", "BaSiCo", 12.0, REMOVED_BY_DATA)
    assert openpyxl.load_workbook(again.backup)["Kgb"]["E9"].value == 12  # the cell named is the KAM's


def test_kgb_supplier_column_removed_by_the_data_reports_the_kams_ratings(tmp_path):
    path = tmp_path / "plan.xlsx"
    regenerate(plan_data(), path)
    nv = read_named(path).values
    type_cells(path, [("kgb_1_ratings", block_row(nv, "kgb_1_criteria", "Technik"), 2, 66.0),   # BaSiCo
                      ("kgb_1_ratings", block_row(nv, "kgb_1_criteria", "Technik"), 1, 22.0)])  # Nordchem
    new = plan_data()
    new = dataclasses.replace(new, kgb_cards=(new.kgb_cards[0].model_copy(update={"ratings": {
        s: r for s, r in new.kgb_cards[0].ratings.items() if s != "BaSiCo"}}),))
    again = regenerate(new, path)
    assert again.status == "regenerated", again.problems
    got = inputs_by_key(path)
    assert got == expected_by_key(new, {("kgb_Retentionssysteme_ratings", "Technik", "Nordchem"): 22.0})
    assert [(c.row_key, c.col_key, c.kam) for _, _, c in again.conflicts] == [("Technik", "BaSiCo", 66.0)]


# --- activities, goals, measures -------------------------------------------------------------------------------

def test_activities_goals_and_measures_follow_their_key(tmp_path):
    path = tmp_path / "plan.xlsx"
    regenerate(plan_data(activities=["Besuche", "Messen", "Schulungen"]), path)
    nv = read_named(path).values
    type_cells(path, [("cdb_act_quantity", block_row(nv, "cdb_act_activity", "Messen"), 0, 7.0),
                      ("cdb_act_rate", block_row(nv, "cdb_act_activity", "Besuche"), 0, 555.0),
                      ("kaop_goals", block_row(nv, "kaop_goals", "Muster"), 7, 4.0),      # actual Q1
                      ("kaop_measures", block_row(nv, "kaop_measures", "Schulung"), 2, "Vertrieb Süd"),
                      ("kaop_measures", block_row(nv, "kaop_measures", "Preisrunde"), 4, 3)])
    new = plan_data(activities=["Schulungen", "Messen"], goals=["Muster", "Service", "Neukunden"],
                    measures=["Webinar", "Schulung", "Preisrunde"])
    again = regenerate(new, path)
    assert again.status == "regenerated", again.problems
    typed = {("cdb_act_quantity", "Messen", "0"): 7.0, ("kaop_goals", "Muster", "7"): 4.0,
             ("kaop_goal_actuals", "Muster", "0"): 4.0,  # the same cell: the actuals block lies in kaop_goals
             ("kaop_measures", "Schulung", "2"): "Vertrieb Süd", ("kaop_measures", "Preisrunde", "4"): 3.0}
    assert inputs_by_key(path) == expected_by_key(new, typed)
    [(_, cell, c)] = again.conflicts  # Besuche: removed from the data book, the KAM's cost rate reported
    assert (c.name, c.row_key, c.kam, c.orig, c.data, cell) == ("cdb_act_rate", "Besuche", 555, 100, None,
                                                                "D19 (old file)")
    assert openpyxl.load_workbook(again.backup)["CDB"]["D19"].value == 555


def test_a_row_the_kam_added_stays_and_a_row_the_data_adds_gets_its_own_row(tmp_path):
    path = tmp_path / "plan.xlsx"
    regenerate(plan_data(["A", "B"]), path)
    nv = read_named(path).values
    spare = [row[0] for row in nv["kaop_plan_products"]].index(None)
    type_cells(path, [("kaop_plan_products", spare, 0, "Eigenes Produkt"), ("kaop_plan_volume", spare, 0, 10.0),
                      ("kaop_plan_price", spare, 0, 2.5)])
    new = plan_data(["C", "B", "A"])
    again = regenerate(new, path)
    assert (again.status, again.conflicts) == ("regenerated", [])
    got = inputs_by_key(path)
    assert got == expected_by_key(new, {("kaop_plan_volume", "Eigenes Produkt", "0"): 10.0,
                                        ("kaop_plan_price", "Eigenes Produkt", "0"): 2.5})
    assert [r[0] for r in read_named(path).values["kaop_plan_products"]] == ["C", "B", "A", "Eigenes Produkt", None]


def test_a_product_typed_without_numbers_is_reported_not_lost_silently(tmp_path):
    path = tmp_path / "plan.xlsx"
    regenerate(plan_data(["A", "B"]), path)
    spare = [row[0] for row in read_named(path).values["kaop_plan_products"]].index(None)
    type_cells(path, [("kaop_plan_products", spare, 0, "Neues Produkt")])
    again = regenerate(plan_data(["A", "B"]), path)
    assert again.status == "regenerated"
    assert [(sheet, cell, c.kam, c.note) for sheet, cell, c in again.conflicts] == [
        ("KAOP", "A27 (old file)", "Neues Produkt", NOT_IN_PLAN)]


def test_a_bad_value_in_a_moved_row_is_named_at_its_cell_and_the_file_left_as_it_is(tmp_path):
    path = tmp_path / "plan.xlsx"
    regenerate(plan_data(["A", "B"]), path)
    b = block_row(read_named(path).values, "kaop_plan_products", "B")
    type_cells(path, [("kaop_plan_price", b, 1, "teuer")])
    before = path.read_bytes()
    again = regenerate(plan_data(["B", "C", "A"]), path)   # B first now: the problem names where it is in the file
    assert again.status == "error"
    assert again.problems[0] == "plan.xlsx, sheet KAOP, cell D30: value 'teuer' — allowed: a price per unit ≥ 0"
    assert openpyxl.load_workbook(path)["KAOP"]["D30"].value == "teuer" and path.read_bytes() == before


def test_without_a_snapshot_rows_still_follow_their_key_and_differences_are_reported():
    keys = (RowKey("p", ("p", "v")),)
    old = {"p": [["A"], ["B"], [None]], "v": [[1.0], [5.0], [None]]}      # the KAM typed 5 for B
    new = {"p": [["B"], ["C"], [None]], "v": [[2.0], [3.0], [None]]}      # A removed, C added, B first
    m = merge_keyed(None, old, new, keys)
    assert m.values == {"p": [["B"], ["C"], ["A"]], "v": [[5.0], [3.0], [1.0]]}  # kept: cannot tell who typed
    assert sorted((c.row_key, c.kam, c.data) for c in m.conflicts) == [("A", 1.0, None), ("B", 5.0, 2.0)]


# --- error values and cleared inputs ---------------------------------------------------------------------------

def _reading_errors(monkeypatch: pytest.MonkeyPatch, errors: dict[tuple[str, int | None, int | None], CellError]):
    """Make regeneration's reader deliver these cells as CellError (what the exact package reader does for an
    error value or a formula; python-calamine alone gives an empty string)."""
    real = plan_jobs.read_named

    def reader(path: Path, *args: Any, **kwargs: Any):
        nv = real(path, *args, **kwargs)
        for (name, row, col), err in errors.items():
            if row is None:
                nv.values[name] = err
            else:
                nv.values[name] = [list(r) for r in nv.values[name]]
                nv.values[name][row][col] = err
        return nv

    monkeypatch.setattr(plan_jobs, "read_named", reader)  # regeneration's reader (write_regenerating)


def test_an_error_value_survives_regeneration_exactly_and_is_reported(tmp_path, monkeypatch):
    path = tmp_path / "plan.xlsx"
    regenerate(plan_data(), path)
    nv = read_named(path).values
    akd = block_row(nv, "kaop_plan_products", "Leimungsmittel AKD 7")
    type_cells(path, [("cdb_in_freight", 0, 0, "=1/0"), ("kaop_plan_volume", akd, 2, "=B2/0")])
    _reading_errors(monkeypatch, {("cdb_in_freight", None, None): CellError("#DIV/0!", "1/0"),
                                  ("kaop_plan_volume", akd, 2): CellError("#DIV/0!", "B2/0")})
    # the data book inserts a product before AKD 7: the error cell must stay with AKD 7, Q3
    new = plan_data(["Weißpigment W2", "Farbstoff Blau 86", "Leimungsmittel AKD 7", "Entschäumer DF 3"])
    again = regenerate(new, path)
    assert again.status == "regenerated", again.problems
    reported = sorted((sheet, cell, c.name, str(c.kam), c.note) for sheet, cell, c in again.conflicts)
    assert reported == [("CDB", "B8", "cdb_in_freight", "#DIV/0!", ERROR_KEPT),
                        ("KAOP", "E29", "kaop_plan_volume", "#DIV/0!", ERROR_KEPT)]
    ws = openpyxl.load_workbook(path)
    assert ws["CDB"]["B8"].value == "=1/0" and ws["KAOP"]["E29"].value == "=B2/0"   # the same formulas
    cached = openpyxl.load_workbook(path, data_only=True)
    assert cached["CDB"]["B8"].value == "#DIV/0!" and cached["KAOP"]["E29"].value == "#DIV/0!"  # cached as errors
    assert cached["KAOP"]["A29"].value == "Leimungsmittel AKD 7"
    assert cached["KAOP"]["C29"].value == _seed("Leimungsmittel AKD 7") % 90 + 1  # the row's other values: data
    # the written workbook is otherwise sound: the rest of the inputs as the data and the KAM left them
    monkeypatch.undo()
    got = inputs_by_key(path)
    kept = got.pop(("kaop_plan_volume", "Leimungsmittel AKD 7", "2"), None)
    assert kept is None or kept == CellError("#DIV/0!", "B2/0")  # calamine alone: empty; the package reader: it
    assert got == {k: v for k, v in expected_by_key(new, {}).items()
                   if k != ("kaop_plan_volume", "Leimungsmittel AKD 7", "2")}


def test_libreoffice_recalculates_the_kept_error_cells_as_errors(tmp_path, monkeypatch):
    path = tmp_path / "plan.xlsx"
    regenerate(plan_data(), path)
    type_cells(path, [("cdb_in_freight", 0, 0, "=1/0")])
    _reading_errors(monkeypatch, {("cdb_in_freight", None, None): CellError("#DIV/0!", "1/0")})
    assert regenerate(plan_data(), path).status == "regenerated"
    [out] = recalculate([path], tmp_path / "recalc")
    cdb = read_values(out)["CDB"]
    assert cdb["B8"] == "#DIV/0!"       # the KAM's cell
    assert cdb["D8"] == "#DIV/0!"       # freight total = B8: the error propagates as in the KAM's file
    assert cdb["D9"] == "#DIV/0!"       # CDB I


def test_a_cleared_required_input_stays_empty(tmp_path):
    path = tmp_path / "plan.xlsx"
    regenerate(plan_data(), path)
    nv = read_named(path).values
    blau = block_row(nv, "kaop_plan_products", "Farbstoff Blau 86")
    assert nv["cdb_in_gross_sales"] and nv["cdb_in_product_cost"] and nv["kaop_plan_volume"][blau][0]
    type_cells(path, [("cdb_in_gross_sales", 0, 0, None), ("cdb_in_product_cost", 0, 0, None),
                      ("kaop_plan_volume", blau, 0, None)])
    again = regenerate(plan_data(["Entschäumer DF 3", "Farbstoff Blau 86"]), path)
    assert again.status == "regenerated", again.problems
    nv = read_named(path).values
    assert nv["cdb_in_gross_sales"] is None and nv["cdb_in_product_cost"] is None   # not 0
    assert nv["kaop_plan_volume"][block_row(nv, "kaop_plan_products", "Farbstoff Blau 86")][0] is None
    ws = openpyxl.load_workbook(path)["CDB"]
    assert ws["B4"].value is None and ws["B6"].value is None


# --- the merge alone: random typing and random data-book changes ------------------------------------------------

ROWS = RowKey("p", ("p", "v", "w"))
CARDS = (KeyedFamily("c_", "seg"), RowKey("c_{n}_crit", ("c_{n}_crit", "c_{n}_r")),
         RowKey("c_{n}_sup", ("c_{n}_sup", "c_{n}_r"), axis="cols"))


def _values(rows: dict[str, list[float]], cards: dict[str, tuple[list[str], list[str]]], spare: int = 2
            ) -> dict[str, Any]:
    out: dict[str, Any] = {"p": [[k] for k in rows] + [[None]] * spare,
                           "v": [list(v[:2]) for v in rows.values()] + [[None, None]] * spare,
                           "w": [[v[2]] for v in rows.values()] + [[None]] * spare}
    for n, (seg, (crit, sups)) in enumerate(cards.items(), start=1):
        out[f"c_{n}_seg"] = seg
        out[f"c_{n}_crit"] = [[c] for c in crit] + [[None]]
        out[f"c_{n}_sup"] = [[*sups, None]]
        out[f"c_{n}_r"] = ([[float(_seed(seg + c + s)) for s in sups] + [None] for c in crit]
                           + [[None] * (len(sups) + 1)])
    return out


def _change(rng: random.Random, keys: list[str], pool: list[str]) -> list[str]:
    """Random structural changes of a key list: remove, insert, rename, reorder."""
    keys = list(keys)
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["remove", "insert", "rename", "reorder"])
        if op == "remove" and len(keys) > 1:
            keys.pop(rng.randrange(len(keys)))
        elif op in ("insert", "rename"):
            fresh = [p for p in pool if p not in keys]
            if fresh:
                if op == "rename" and keys:
                    keys[rng.randrange(len(keys))] = rng.choice(fresh)
                else:
                    keys.insert(rng.randint(0, len(keys)), rng.choice(fresh))
        else:
            rng.shuffle(keys)
    return keys


def test_random_typing_and_random_data_changes_lose_nothing_and_move_nothing():
    rng = random.Random(20260302)
    pool = [f"P{i}" for i in range(12)]
    segs, crits, sups = ["S1", "S2", "S3", "S4"], ["a", "b", "c", "d", "e"], ["us", "x", "y", "z"]
    for cycle in range(25):
        rows = {k: [float(i), float(i + 1), float(i + 2)] for i, k in enumerate(rng.sample(pool, 4))}
        cards = {s: (rng.sample(crits, 3), ["us", *rng.sample(sups[1:], 2)]) for s in rng.sample(segs, 2)}
        orig = _values(rows, cards)
        old = {k: [list(r) for r in v] if isinstance(v, list) else v for k, v in orig.items()}
        typed: dict[tuple[str, str, str], float] = {}
        for _ in range(6):  # the KAM types into random keyed cells
            if rng.random() < 0.5:
                i = rng.randrange(len(rows))
                name, col = rng.choice([("v", rng.randrange(2)), ("w", 0)])
                old[name][i][col] = 1000.0 + len(typed)
                typed[(name, old["p"][i][0], str(col))] = old[name][i][col]
            else:
                n = rng.randrange(len(cards)) + 1
                crit, sup = old[f"c_{n}_crit"], old[f"c_{n}_sup"][0]
                r, c = rng.randrange(len(crit) - 1), rng.randrange(len(sup) - 1)
                old[f"c_{n}_r"][r][c] = 2000.0 + len(typed)
                typed[(f"c_{old[f'c_{n}_seg']}_r", crit[r][0], sup[c])] = old[f"c_{n}_r"][r][c]
        new_rows = {k: [float(_seed(k)), 1.0, 2.0] for k in _change(rng, list(rows), pool)}
        new_cards = {s: (_change(rng, cards[s][0] if s in cards else crits[:2], crits),
                         ["us", *_change(rng, (cards[s][1] if s in cards else sups)[1:], sups[1:])])
                     for s in _change(rng, list(cards), segs)}
        new = _values(new_rows, new_cards)
        m = merge_keyed(orig, old, new, (ROWS, *CARDS))
        got = by_key(m.values, (ROWS, *CARDS))
        for (name, key, col), value in typed.items():
            if got.get((name, key, col)) == value:
                continue  # kept with its own key
            # not kept: only because the data removed its key, and then reported with the KAM's value
            assert any(c.kam == value and c.note == REMOVED_BY_DATA and c.row_key == key for c in m.conflicts), \
                (cycle, name, key, col, value)
        moved = [(k, v) for k, v in got.items() if v in typed.values() and typed.get(k) != v]
        assert moved == [], cycle  # no typed value under another key
        expected_new = by_key(new, (ROWS, *CARDS))  # everything else is the new data
        for k, v in got.items():
            assert k in typed or expected_new.get(k) == v, (cycle, k, v)
        lost = {v for k, v in typed.items() if got.get(k) != v}
        assert lost == {c.kam for c in m.conflicts if c.note == REMOVED_BY_DATA}, cycle  # each one reported
        assert all(c.old_at is not None and c.row_key for c in m.conflicts), cycle    # with its cell and key


def test_workbook_cycles_of_random_typing_and_data_changes(tmp_path):
    """The same through real workbooks (layout, readers, renderer, openpyxl typing): a few seeded cycles. What
    the KAM typed in any cycle stays under its key as long as the data has the key; when the data drops the
    key it is reported once with the KAM's value; everything else is the data."""
    rng = random.Random(9)
    products, activities, criteria = ["P1", "P2", "P3"], ["A1", "A2", "A3"], ["K1", "K2", "K3"]
    path = tmp_path / "plan.xlsx"
    regenerate(plan_data(products, {"Seg": criteria}, activities), path)
    kam: dict[tuple[str, str, str], float] = {}  # everything the KAM has typed so far, by key
    for cycle in range(4):
        nv = read_named(path).values
        cells = []
        for i, p in enumerate(rng.sample(products, min(2, len(products)))):
            cells.append(("kaop_plan_volume", block_row(nv, "kaop_plan_products", p), i, 900.0 + cycle * 10 + i))
            kam[("kaop_plan_volume", p, str(i))] = cells[-1][3]
        a = rng.choice(activities)
        cells.append(("cdb_act_quantity", block_row(nv, "cdb_act_activity", a), 0, 50.0 + cycle))
        kam[("cdb_act_quantity", a, "0")] = cells[-1][3]
        c = rng.choice(criteria)
        cells.append(("kgb_1_ratings", block_row(nv, "kgb_1_criteria", c), 1, 10.0 + cycle))
        kam[("kgb_Seg_ratings", c, "Nordchem")] = cells[-1][3]
        type_cells(path, cells)
        products = _change(rng, products, [f"P{i}" for i in range(1, 9)])
        activities = _change(rng, activities, [f"A{i}" for i in range(1, 9)])
        criteria = _change(rng, criteria, [f"K{i}" for i in range(1, 9)])
        new = plan_data(products, {"Seg": criteria}, activities)
        again = regenerate(new, path)
        assert again.status == "regenerated", (cycle, again.problems)
        got = inputs_by_key(path)
        alive = {*products, *activities, *criteria}
        dropped = {k: v for k, v in kam.items() if k[1] not in alive}
        reported = sorted(c.kam for _, _, c in again.conflicts if c.note == REMOVED_BY_DATA)
        assert reported == sorted(dropped.values()), cycle       # each value of a dropped key reported once
        assert all(c.note == REMOVED_BY_DATA for _, _, c in again.conflicts), cycle
        kam = {k: v for k, v in kam.items() if k[1] in alive}
        assert got == expected_by_key(new, kam), cycle            # kept under its key; the rest is the data


def test_the_renderer_writes_each_kind_of_cell_error_as_the_kam_left_it(tmp_path):
    import zipfile

    from python_calamine import CalamineWorkbook

    from kam_xl.workbook.layout import Book, Input, Sheet
    from kam_xl.workbook.render import write_book

    s = Sheet("S")
    for r, err in enumerate((CellError("#DIV/0!", "B1/0"), CellError("#N/A"), CellError("", "SUM(B1:B2)"),
                             CellError("#SPILL!", "SEQUENCE(2)"), CellError(""))):
        s.put(r, 0, err, input=Input(kind="amount"))
    s.put(0, 1, 2.0)
    s.put(1, 1, 3.0)
    path = write_book(Book("t", "1", [s]), tmp_path / "e.xlsx")
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="A1" s="1" t="e"><f>B1/0</f><v>#DIV/0!</v></c>' in xml      # an error cached as an error
    assert '<c r="A2" s="1" t="e"><f>#N/A</f><v>#N/A</v></c>' in xml         # a typed error: its literal
    assert '<c r="A3" s="1"><f>SUM(B1:B2)</f></c>' in xml                    # no result: calculated on opening
    # a newer code: the formula (xlsxwriter writes SEQUENCE as the dynamic array it is), no cached text
    assert '<c r="A4" s="1" cm="1" t="str"><f t="array" ref="A4">_xlfn.SEQUENCE(2)</f><v></v></c>' in xml
    assert '<c r="A5" s="1"/>' in xml                                        # nothing to keep: blank
    wb = openpyxl.load_workbook(path, data_only=True)["S"]
    assert [wb[f"A{r}"].value for r in range(1, 6)] == ["#DIV/0!", "#N/A", None, None, None]
    assert [row[0] for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name("S").to_python()] == \
        ["", "", "", ""]  # calamine shows error cells as empty strings (the package reader tells them apart)
    out = read_values(recalculate([path], tmp_path / "recalc")[0])["S"]  # LibreOffice (a must, like test_recalc)
    assert (out["A1"], out["A2"], out["A3"]) == ("#DIV/0!", "#N/A", 5)
