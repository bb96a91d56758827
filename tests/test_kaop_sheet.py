"""The KAOP sheet: Tabelle 8 rebuilt and recalculated by LibreOffice, every demo account's formulas equal to
kaop_plan / compare / traffic_light, Q3 actuals typed into a generated file close Q3, protection and names.

All generated files go through ONE LibreOffice call (module fixture) to keep the run short.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries
from shared import RATES, SALES_STAFF, tabelle_8

from kam_xl.databook import demo_databook
from kam_xl.kaop import (
    COST_CATEGORIES,
    CostQuarter,
    KaopMeasure,
    PotentialGoal,
    ProductQuarter,
    Thresholds,
    compare,
    cost_lines,
    kaop_plan,
)
from kam_xl.testing.recalc import error_cells, mismatches, read_defined_names, read_values, recalculate
from kam_xl.workbook.kaop_sheet import BASIS_WORDS, LEVER_WORDS, kaop_sheet
from kam_xl.workbook.layout import Book, Sheet
from kam_xl.workbook.render import write_book


def tabelle_8_actual() -> tuple[list[ProductQuarter], list[CostQuarter]]:
    """Actuals Q1–Q2: Q1 on plan, Q2 Retention/Fixation 1,000 instead of 1,125 (as in tests/test_kaop.py)."""
    products, costs = tabelle_8()
    actual = [p for p in products if p.quarter == 1]
    actual += [ProductQuarter(product="Dyestuffs", quarter=2, volume=24, price=9_800),
               ProductQuarter(product="Retention/Fixation", quarter=2, volume=1_000, price=2_300)]
    return actual, [c for c in costs if c.quarter in (1, 2)]


# what the KAM types for Q3 into the generated file
Q3_PRODUCTS = {"Dyestuffs": (25, 9_700.0, 0.27), "Retention/Fixation": (1_150, 2_300.0, 0.31)}
Q3_COSTS = {"sales_staff": 31_000.0, "tech_service": 95_000.0, "freight": 0.21, "product_cost": 0.6, "other": 0.08}
Q3_THRESHOLDS = Thresholds(green=1.02, amber=0.9)


def tabelle_8_actual_with_q3() -> tuple[list[ProductQuarter], list[CostQuarter]]:
    products, costs = tabelle_8_actual()
    products += [ProductQuarter(product=p, quarter=3, volume=v, price=x, share_of_wallet=s)
                 for p, (v, x, s) in Q3_PRODUCTS.items()]
    costs += [CostQuarter(category=c, quarter=3, **({"rate_of_revenue": v} if c in RATES else {"amount": v}))
              for c, v in Q3_COSTS.items()]
    return products, costs


GOALS = [PotentialGoal(goal="Technikumsversuche mit neuer Rezeptur", metric="Versuche", unit="Anzahl",
                       targets={1: 2, 2: 3, 3: 0}, actuals={1: 1, 2: 3})]
MEASURES = [KaopMeasure(measure="Anwendungsschulung", lever="Person", owner="KAM", due_quarter=2)]


def _edge_books() -> dict[str, Book]:
    """Undefined figures: a plan without Q4, a product with no row in a quarter, a quarter with costs
    only (revenue 0), a planned loss, a category mixing rate and amount, actual products outside the plan,
    no actuals at all, no data at all."""
    p, c = ProductQuarter, CostQuarter
    plan = ([p(product="A", quarter=q, volume=10, price=100, share_of_wallet=0.1 * q) for q in (1, 2, 3)]
            + [p(product="B", quarter=2, volume=0, price=50)],
            [c(category="other", quarter=1, rate_of_revenue=0.1), c(category="other", quarter=2, amount=5000),
             c(category="sales_staff", quarter=3, amount=2000), c(category="freight", quarter=3, amount=10)])
    actual = ([p(product="A", quarter=1, volume=9, price=100), p(product="New", quarter=1, volume=1, price=7)],
              [c(category="sales_staff", quarter=2, amount=300), c(category="freight", quarter=4, rate_of_revenue=0.5)])
    cases = {"edge": (plan, actual), "edge_no_actual": (plan, ([], [])), "edge_nothing": (([], []), ([], []))}
    return {k: _book(kaop_sheet(2026, pl, ac, lang="en", spare_products=0)) for k, (pl, ac) in cases.items()}


def _book(sheet: Sheet) -> Book:
    return Book(template_id="test", template_version="0", sheets=[sheet])


def _demo_books() -> list[tuple[str, Book]]:
    db = demo_databook()
    books = []
    for a in db.accounts:
        plan = db.kaop_rows(a.account_id, a.plan_year, "plan")
        actual = db.kaop_rows(a.account_id, a.plan_year, "actual")
        assert {r.quarter for r in actual[0]} == {1, 2}
        for lang in ("de", "en") if a.account_id == "KA-009" else ("de",):
            books.append((f"{a.account_id}_{lang}", _book(kaop_sheet(a.plan_year, plan, actual, lang=lang))))
    return books


def _type_q3(path: Path) -> None:
    """Type Q3 actuals and new thresholds into a generated file, finding every cell by its defined name."""
    wb = openpyxl.load_workbook(path)

    def block(name: str) -> tuple[openpyxl.worksheet.worksheet.Worksheet, tuple[int, int, int, int]]:
        [(sheet, ref)] = list(wb.defined_names[name].destinations)
        return wb[sheet], range_boundaries(ref.replace("$", ""))

    ws, (c0, r0, _, r1) = block("kaop_actual_products")
    products = [ws.cell(r, c0).value for r in range(r0, r1 + 1)]
    for name, index in (("kaop_actual_volume", 0), ("kaop_actual_price", 1), ("kaop_actual_sow", 2)):
        ws, (c0, r0, _, _) = block(name)
        for i, p in enumerate(products):
            if p in Q3_PRODUCTS:
                ws.cell(r0 + i, c0 + 2).value = Q3_PRODUCTS[p][index]
    ws, (c0, r0, _, _) = block("kaop_actual_cost_value")
    for i, c in enumerate(COST_CATEGORIES):
        ws.cell(r0 + i, c0 + 2).value = Q3_COSTS[c]
    for name, value in (("kaop_threshold_green", Q3_THRESHOLDS.green), ("kaop_threshold_amber", Q3_THRESHOLDS.amber)):
        ws, (c0, r0, _, _) = block(name)
        ws.cell(r0, c0).value = value
    wb.save(path)


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """{key: (book, values, defined names)} of every generated file after one LibreOffice call."""
    src = tmp_path_factory.mktemp("src")
    books = {"t8": _book(kaop_sheet(2005, tabelle_8(), tabelle_8_actual(), goals=GOALS, measures=MEASURES))}
    books.update(_demo_books())
    books.update(_edge_books())
    paths = {key: write_book(book, src / f"{key}.xlsx") for key, book in books.items()}
    paths["t8_q3"] = shutil.copy(paths["t8"], src / "t8_q3.xlsx")
    _type_q3(paths["t8_q3"])
    books["t8_q3"] = _book(kaop_sheet(2005, tabelle_8(), tabelle_8_actual_with_q3(), thresholds=Q3_THRESHOLDS,
                                      goals=GOALS, measures=MEASURES))
    outs = recalculate(list(paths.values()), tmp_path_factory.mktemp("out"))
    return {key: (books[key], read_values(out), read_defined_names(out))
            for key, out in zip(paths, outs, strict=True)}


def test_tabelle_8_rebuilt_and_recalculated_to_the_euro(recalculated):
    book, values, names = recalculated["t8"]
    assert error_cells(values) == []
    assert mismatches(book, values) == []
    [revenue] = names["kaop_plan_revenue"]
    assert revenue == [2_496_000, 2_822_700, 2_994_720, 2_986_660, 11_300_080]
    [profit] = names["kaop_plan_profit"]
    assert [round(x) for x in profit] == [116_520, 51_724, 249_866, 196_599, 614_710]
    [profit_rel] = names["kaop_plan_profit_rel"]
    assert round(profit_rel[4] * 100, 1) == 5.4
    assert [round(x * 100) for x in profit_rel[:4]] == [5, 2, 8, 7]
    [total_cost] = names["kaop_plan_total_cost"]
    assert round(total_cost[4]) == 10_685_370
    price_year = [row[0] for row in names["kaop_plan_price_year"]]
    assert price_year[0] == pytest.approx(881_080 / 90) and round(price_year[0]) == 9_790
    assert price_year[1] == 2_300 and price_year[2] in (None, "")  # the spare product row
    assert names["kaop_plan_sow_year"][1][0] == pytest.approx(0.315)
    assert [row[0] for row in names["kaop_plan_products"]] == ["Dyestuffs", "Retention/Fixation", None]
    assert names["kaop_plan_cost_type"] == [["Betrag"], ["Betrag"], ["% vom Umsatz"], ["% vom Umsatz"],
                                            ["% vom Umsatz"]]
    # plan vs actual with Q1–Q2 closed: Q2 revenue 2,535,200 against 2,822,700
    assert names["kaop_closed"] == [[1, 1, 0, 0]]
    assert names["kaop_ytd_revenue"] == 2_496_000 + 2_535_200
    assert names["kaop_forecast_revenue"] == 2_496_000 + 2_535_200 + 2_994_720 + 2_986_660
    assert names["kaop_cmp_revenue_light"] == [["grün", "rot", None, None, "rot", "gelb"]]
    assert names["kaop_cmp_cost_light"][0][:2] == ["grün", "grün"]  # costs fell with revenue: mirrored
    assert names["kaop_goal_attainment"][0] == [0.5, 1, None, None]
    assert names["kaop_measures"][0] == ["Anwendungsschulung", "Person", "KAM", None, 2, "offen", None, None]


def test_every_demo_account_recalculates_to_the_pure_functions(recalculated):
    demo = {k: v for k, v in recalculated.items() if k.startswith("KA-")}
    assert len(demo) == len(demo_databook().accounts) + 1
    compared = 0
    for key, (book, values, names) in demo.items():
        assert error_cells(values) == [], key
        assert mismatches(book, values) == [], key
        assert names["kaop_closed"] == [[1, 1, 0, 0]], key
        compared += len(book.formula_cells())
    assert compared > 15 * 200
    _, _, names = demo["KA-009_en"]
    assert names["kaop_plan_cost_type"][0] == ["amount"]
    assert {x for row in names["kaop_cmp_revenue_light"] for x in row} <= {"green", "amber", "red", None}


def test_undefined_figures_stay_empty_as_in_the_pure_functions(recalculated):
    for key in ("edge", "edge_no_actual", "edge_nothing"):
        book, values, names = recalculated[key]
        assert error_cells(values) == [], key
        assert mismatches(book, values) == [], key
    _, _, names = recalculated["edge"]
    assert names["kaop_closed"] == [[1, 1, 0, 1]]  # Q2 and Q4 have cost rows only: closed with revenue 0
    assert names["kaop_year_plan_revenue"] is None  # plan without Q4: no year plan, no variance to it
    assert names["kaop_ytd_revenue_plan"] is None and names["kaop_ytd_revenue"] == 907  # Q4 closed, unplanned
    assert names["kaop_forecast_revenue"] == 907 + 1_000  # closed Q1, Q2, Q4 + plan of the open Q3
    assert names["kaop_cmp_profit_light"][0][1] == "green"  # planned loss, smaller actual loss
    assert names["kaop_plan_price_year"][1] == [None]  # B: volume 0, price undefined
    _, _, names = recalculated["edge_nothing"]
    assert names["kaop_year_plan_revenue"] is None and names["kaop_forecast_revenue"] is None  # no plan quarters
    assert names["kaop_plan_revenue"] == [[None, None, None, None, 0]]


def test_typing_q3_actuals_closes_q3_in_ytd_and_forecast(recalculated):
    expected_book, values, names = recalculated["t8_q3"]
    original = recalculated["t8"][0]
    assert [c.address for c in expected_book.sheets[0].cells] == [c.address for c in original.sheets[0].cells]
    assert error_cells(values) == []
    # every formula of the edited file equals the sheet kam_xl builds from the same inputs and thresholds
    assert mismatches(expected_book, values) == []
    cmp = compare(kaop_plan(*tabelle_8()), kaop_plan(*tabelle_8_actual_with_q3()), thresholds=Q3_THRESHOLDS)
    assert cmp.closed_quarters == [1, 2, 3]
    assert names["kaop_closed"] == [[1, 1, 1, 0]]
    q3_revenue = 25 * 9_700 + 1_150 * 2_300
    for short, metric in (("revenue", "revenue"), ("cost", "total_cost"), ("profit", "profit")):
        line = cmp.lines[metric]
        assert names[f"kaop_ytd_{short}"] == pytest.approx(line.ytd.actual, abs=0.01)
        assert names[f"kaop_ytd_{short}_plan"] == pytest.approx(line.ytd.plan, abs=0.01)
        assert names[f"kaop_forecast_{short}"] == pytest.approx(line.forecast, abs=0.01)
        [variance] = names[f"kaop_cmp_{short}_variance"]
        assert variance[5] == pytest.approx(line.forecast_vs_plan.variance, abs=0.01)
    assert names["kaop_ytd_revenue"] == 2_496_000 + 2_535_200 + q3_revenue
    assert names["kaop_forecast_revenue"] == 2_496_000 + 2_535_200 + q3_revenue + 2_986_660
    # the new thresholds drive the lights: Q1 on plan (100 %) is amber below green = 102 %
    assert names["kaop_cmp_revenue_light"][0][0] == "gelb"
    assert cmp.lines["revenue"].quarters[1].light == "amber"


def test_inputs_unlocked_formulas_locked_sheet_protected(tmp_path):
    book = _book(kaop_sheet(2005, tabelle_8(), tabelle_8_actual()))
    sheet = book.sheets[0]
    ws = openpyxl.load_workbook(write_book(book, tmp_path / "t8.xlsx"))["KAOP"]
    assert ws.protection.sheet
    inputs = [c for c in sheet.cells if c.input is not None]
    formulas = [c for c in sheet.cells if c.formula is not None]
    assert len(inputs) > 100 and len(formulas) > 200
    assert all(ws[c.address].protection.locked is False for c in inputs)
    assert all(ws[c.address].protection.locked is True for c in formulas)
    assert all(ws[c.address].protection.locked is True for c in sheet.cells if c.input is None)
    # the drop-downs: cost basis, 6-P lever, due quarter, status
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert '"Betrag,% vom Umsatz"' in lists and '"1,2,3,4"' in lists
    assert '"' + ",".join(LEVER_WORDS["de"].values()) + '"' in lists
    assert '"offen,in Arbeit,erledigt,verschoben"' in lists


def test_every_input_lies_in_a_named_cell_or_range():
    sheet = kaop_sheet(2005, tabelle_8(), tabelle_8_actual(), lang="en")
    areas = list(sheet.ranges.values()) + [(c.row, c.col, c.row, c.col) for c in sheet.cells if c.name]
    for c in sheet.cells:
        if c.input is not None:
            assert any(r0 <= c.row <= r1 and c0 <= c.col <= c1 for r0, c0, r1, c1 in areas), c.address
    for name in ("kaop_plan_volume", "kaop_plan_price", "kaop_plan_sow", "kaop_plan_products", "kaop_plan_cost_type",
                 "kaop_plan_cost_value", "kaop_actual_volume", "kaop_actual_price", "kaop_actual_sow",
                 "kaop_actual_products", "kaop_actual_cost_type", "kaop_actual_cost_value", "kaop_plan_revenue",
                 "kaop_plan_profit", "kaop_plan_profit_rel", "kaop_actual_revenue", "kaop_actual_profit",
                 "kaop_actual_profit_rel", "kaop_goals", "kaop_goal_attainment", "kaop_measures", "kaop_closed"):
        assert name in sheet.ranges, name
    named = {c.name for c in sheet.cells if c.name}
    assert {"kaop_threshold_green", "kaop_threshold_amber", "kaop_forecast_revenue", "kaop_ytd_revenue"} <= named
    r0, c0, r1, c1 = sheet.ranges["kaop_plan_revenue"]
    assert (r1 - r0, c1 - c0) == (0, 4)  # Q1–Q4 + year
    # an empty actual block takes its cost basis from the plan; goals and measures get spare rows
    empty = kaop_sheet(2005, tabelle_8(), ([], []), goals=[PotentialGoal(goal="Versuche", targets={1: 2})],
                       measures=[KaopMeasure(measure="Schulung", lever="Person", due_quarter=2)])
    basis_choices = tuple(BASIS_WORDS["de"].values())
    words = {c.value for c in empty.cells if c.input is not None and c.input.choices == basis_choices}
    assert words == {"Betrag", "% vom Umsatz"}
    r0, _, r1, _ = empty.ranges["kaop_goals"]
    assert r1 - r0 + 1 == 1 + 5
    r0, _, r1, _ = empty.ranges["kaop_measures"]
    assert r1 - r0 + 1 == 1 + 8
    assert len(empty.charts) == 1 and empty.charts[0].kind == "column"


def test_cost_lines_keep_every_cost():
    products, costs = tabelle_8()
    plan = kaop_plan(products, costs)
    lines = cost_lines(costs, plan)
    assert lines["sales_staff"] == ("amount", dict(zip((1, 2, 3, 4), map(float, SALES_STAFF), strict=True)))
    assert lines["freight"] == ("rate", {1: 0.2, 2: 0.2, 3: 0.2, 4: 0.2})
    # a category mixing a rate (Q1) and an amount (Q2) is shown as amounts with the same costs
    mixed = [*[c for c in costs if c.category != "other"],
             CostQuarter(category="other", quarter=1, rate_of_revenue=0.08),
             CostQuarter(category="other", quarter=2, amount=1_000)]
    mixed_plan = kaop_plan(products, mixed)
    basis, values = cost_lines(mixed, mixed_plan)["other"]
    assert basis == "amount" and values == {1: 0.08 * 2_496_000, 2: 1_000.0}
    rebuilt = [c for c in mixed if c.category != "other"]
    rebuilt += [CostQuarter(category="other", quarter=q, amount=v) for q, v in values.items()]
    assert kaop_plan(products, rebuilt).quarters == mixed_plan.quarters
    # no rows: the default basis, no values
    assert cost_lines([], kaop_plan(products, []), default={"freight": "rate"})["freight"] == ("rate", {})
    assert cost_lines([], kaop_plan(products, []))["other"] == ("amount", {})
