"""The controller workbook: all accounts side by side, every derived figure a native formula that LibreOffice
computes exactly as kam_xl's pure functions do.

One LibreOffice run recalculates four workbooks: the demo data book in German and English, an "edge" data book
(missing CDB and portfolio rows, net sales 0, several losers, an incomplete and a tied Kgb score, open KAOP
quarters) and a data book with only the accounts table.
"""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kam_xl.databook import TABLES, DataBook, demo_databook
from kam_xl.kaop import kaop_plan
from kam_xl.kgb import competitive_position
from kam_xl.portfolio import bubble_marker_size
from kam_xl.report import account_reports, resources_report
from kam_xl.resources import ResourceCell, analyse_resources, measure_totals, proportional_targets
from kam_xl.testing.recalc import error_cells, mismatches, read_defined_names, read_values, recalculate
from kam_xl.workbook.controller import TEMPLATE_ID, TEMPLATE_VERSION, controller_workbook
from kam_xl.workbook.layout import Book
from kam_xl.workbook.render import write_book

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _edge_databook() -> DataBook:
    """The demo data with the awkward cases a controller meets."""
    db = demo_databook()
    t = {k: [dict(r) for r in v] if v is not None else None for k, v in db.tables.items()}
    t["cdb"] = [r for r in t["cdb"] if r["account_id"] != "KA-014"]  # no CDB at all
    for r in t["cdb"]:
        if (r["account_id"], r["year"]) == ("KA-012", 2025):
            r["gross_sales"] = r["deductions"]  # net sales 0: relative CDB undefined, a loss nonetheless
        if (r["account_id"], r["year"]) == ("KA-013", 2025):
            r["sales_cost"] += 200_000  # a second loser with a larger loss than KA-009
    t["portfolio"] = [r for r in t["portfolio"] if r["account_id"] != "KA-013"]  # no bubble
    # a card where a competitor ties with us and comes first, and one competitor is incomplete
    for supplier, own, ratings in (("Alpha", False, (80, 60)), ("Wir", True, (60, 80)), ("Beta", False, (90, None))):
        for criterion, rating in zip(("Preis", "Service"), ratings, strict=True):
            t["kgb"].append({"account_id": "KA-005", "segment": "Test", "criterion": criterion, "weight": 50,
                             "supplier": supplier, "own": own, "rating": rating})
    for table in ("kaop_products", "kaop_costs"):
        t[table] = [r for r in t[table] if not (r["account_id"] == "KA-002" and r["scenario"] == "actual")
                    and not (r["account_id"] == "KA-003" and r["scenario"] == "plan" and r["quarter"] == 4)]
    return DataBook(source="edge", accounts=db.accounts, tables=t)


def _accounts_only() -> DataBook:
    db = demo_databook()
    return DataBook(source="only-accounts", accounts=db.accounts,
                    tables={name: None for name in TABLES} | {"accounts": db.tables["accounts"]})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """{key: (data book, book, written file, recalculated values, recalculated defined names)}."""
    demo = demo_databook()
    cases = {"de": (demo, "de"), "en": (demo, "en"), "edge": (_edge_databook(), "de"),
             "empty": (_accounts_only(), "en")}
    src = tmp_path_factory.mktemp("src")
    books = {k: (db, controller_workbook(db, lang, WHEN)) for k, (db, lang) in cases.items()}
    files = {k: write_book(book, src / f"controller_{k}.xlsx") for k, (_, book) in books.items()}
    outs = recalculate(list(files.values()), tmp_path_factory.mktemp("out"))
    return {k: (db, book, files[k], read_values(out), read_defined_names(out))
            for (k, (db, book)), out in zip(books.items(), outs, strict=True)}


@pytest.mark.parametrize("key", ["de", "en", "edge", "empty"])
def test_no_error_values_and_every_formula_equals_the_pure_functions(built, key):
    _, book, _, values, _ = built[key]
    assert error_cells(values) == []
    assert mismatches(book, values) == []
    assert len(book.formula_cells()) > (1500 if key != "empty" else 100)


def test_sheets_and_meta(built):
    _, de, *_ = built["de"]
    _, en, *_ = built["en"]
    assert [s.name for s in de.sheets] == [
        "Cockpit", "Kunden", "Ressourcen", "KAOP", "Kgb", "Excellence", "Beziehungen", "Beziehungs-Daten", "Auswahl",
        "ABC-XYZ", "Koordination", "Organisation", "St. Gallen", "CDB-Daten", "KAOP-Daten", "Einstellungen"]
    assert [s.name for s in en.sheets] == [
        "Cockpit", "Accounts", "Resources", "KAOP", "Kgb", "Excellence", "Relationships", "Relationship data",
        "Selection", "ABC-XYZ", "Coordination", "Organisation", "St. Gallen", "CDB data", "KAOP data", "Settings"]
    assert (de.template_id, de.template_version) == (TEMPLATE_ID, TEMPLATE_VERSION) == ("kam_xl.controller", "1.0")
    assert de.meta["generated_at"] == "2026-03-01T09:30:00+00:00"


def _column(names: dict, name: str) -> list:
    return [row[0] for row in names[name]]


@pytest.mark.parametrize("key", ["de", "en"])
def test_big_step_or_out_is_ka_009(built, key):
    *_, names = built[key]
    assert [x for x in _column(names, "ctl_big_step_ids") if x] == ["KA-009"]
    assert names["ctl_big_step_count"] == 1


def test_big_step_or_out_lists_losers_largest_loss_first(built):
    db, *_, names = built["edge"]
    losers = sorted((r.cdb.cdb_iii, r.account_id) for r in account_reports(db) if r.cdb and r.cdb.cdb_iii < 0)
    assert len(losers) == 3
    assert [x for x in _column(names, "ctl_big_step_ids") if x] == [a for _, a in losers]


def test_moved_share_equals_the_resources_report(built):
    db, *_, names = built["de"]
    assert names["ctl_res_moved_share"] == pytest.approx(resources_report(db).moved_share, abs=1e-12)


def test_kaop_total_plan_revenue_equals_the_account_reports(built):
    db, *_, names = built["de"]
    reports = account_reports(db)
    assert names["ctl_kaop_plan_total_revenue"] == pytest.approx(sum(r.kaop.total.revenue for r in reports), abs=1e-6)
    actual = sum(kaop_plan(*db.kaop_rows(r.account_id, r.kaop.year, "actual")).year.revenue for r in reports)
    assert names["ctl_kaop_actual_total_revenue"] == pytest.approx(actual, abs=1e-6)


def test_kaop_open_quarters_stay_empty(built):
    *_, names = built["edge"]
    plan_rev, actual_rev = names["ctl_kaop_plan_revenue"], names["ctl_kaop_actual_revenue"]
    assert plan_rev[2][3] in (None, "") and isinstance(plan_rev[2][4], int | float)  # KA-003 without Q4 plan
    assert all(v in (None, "") for v in actual_rev[1])  # KA-002 without actuals


def test_kgb_tie_and_incomplete_competitor(built):
    *_, names = built["edge"]
    rows = names["ctl_kgb"]
    row = next(r for r in rows if r[0] == "KA-005" and r[2] == "Test")
    assert row[4:] == ["Wir", 70, 70, 0, 2, 2]  # own, our score, best, gap, rank (tie: Alpha first), scored


def test_accounts_only_databook_gives_empty_sections_with_notes(built):
    _, book, _, values, names = built["empty"]
    for sheet in ("Resources", "KAOP", "Kgb", "Excellence"):
        assert any(str(v).startswith("No data") for v in values[sheet].values()), sheet
    assert values["Accounts"]["A3"].startswith("No data")
    assert names["ctl_big_step_count"] == 0
    assert all(x in (None, "") for x in _column(names, "ctl_acc_cdb_iii"))
    assert book.sheet("Accounts").charts == []


def _scatter_series(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    [xml] = [c for c in charts if "<c:scatterChart>" in c and "Kundenportfolio" in c]  # not the cockpit's
    return re.findall(r"<c:ser>.*?</c:ser>", xml, flags=re.S)


def test_portfolio_chart_has_one_series_per_account_coloured_by_band(built):
    _, book, path, *_ = built["de"]
    [chart] = book.sheet("Kunden").charts
    assert chart.kind == "scatter" and len(chart.series) == 14
    colours = {s["marker"]["fill"]["color"] for s in chart.series}
    assert colours == {"#00B050", "#FFC000", "#C00000"}
    series = _scatter_series(path)
    assert len(series) == 14
    assert {re.search(r'<c:marker>.*?<a:srgbClr val="(\w+)"', s, flags=re.S)[1] for s in series} == {
        "00B050", "FFC000", "C00000"}
    sizes = {s["name"]: s["marker"]["size"] for s in chart.series}
    assert max(sizes.values()) == 40  # KA-007, the largest |CDB III|
    _, edge, *_ = built["edge"]
    edge_series = edge.sheet("Kunden").charts[0].series
    assert len(edge_series) == 13  # KA-013 has no portfolio row
    assert "#A6A6A6" in {s["marker"]["fill"]["color"] for s in edge_series}  # KA-014 without CDB: grey


def test_settings_and_result_names(built):
    db, _, _, _, names = built["en"]
    assert names["ctl_databook"] == db.source
    assert names["ctl_lang"] == "en"
    assert names["ctl_output"] in (None, "")
    assert len(names["ctl_settings"]) == 4  # data book, output folder, language, account
    assert names["res_weight_potential"] == 1 and names["res_weight_revenue"] == 0
    for name in ("ctl_accounts", "ctl_acc_rank", "ctl_acc_band", "ctl_big_step", "ctl_res_cells", "ctl_res_regions",
                 "ctl_res_target_fte", "ctl_kaop_plan", "ctl_kaop_actual", "ctl_kgb", "ctl_kgb_scores",
                 "ctl_exc_dimensions", "ctl_exc_consensus", "ctl_exc_ratings", "ctl_data_cdb",
                 "ctl_data_kaop_products", "ctl_data_kaop_costs", "ctl_exc_spread"):
        assert name in names, name


@pytest.mark.parametrize("key", ["de", "edge", "empty"])
def test_every_input_is_a_named_cell_or_inside_a_named_block(built, key):
    _, book, *_ = built[key]
    assert book.input_cells()
    for sheet in book.sheets:
        for c in sheet.cells:
            if c.input is None:
                continue
            inside = any(r0 <= c.row <= r1 and c0 <= c.col <= c1 for r0, c0, r1, c1 in sheet.ranges.values())
            assert c.name or inside, f"{sheet.name}!{c.address}"


def test_target_fte_is_a_value_and_the_proportional_target_a_formula(built):
    db, book, _, _, names = built["de"]
    analysis = analyse_resources(db.resource_cells(), db.market_sizes())
    assert _column(names, "ctl_res_target_fte") == [c.target_fte for c in analysis.cells]
    s = book.sheet("Ressourcen")
    r0, c0, r1, _ = s.ranges["ctl_res_target_fte"]
    assert all(c.formula is None for c in s.cells if c.col == c0 and r0 <= c.row <= r1)
    r0, c0, r1, _ = s.ranges["ctl_res_target_proportional"]
    assert all(c.formula for c in s.cells if c.col == c0 and r0 <= c.row <= r1)


# --- the pure functions added for the controller -------------------------------------------------------------


def test_bubble_marker_size_area_proportional_to_the_size():
    assert bubble_marker_size(100, 100) == 40
    assert bubble_marker_size(25, 100) == 20  # a quarter of the area: half the diameter
    assert bubble_marker_size(-100, 100) == 40  # the loss's magnitude
    assert bubble_marker_size(0.0001, 100) == 5 and bubble_marker_size(None, 100) == 5
    assert bubble_marker_size(5, None) == 5
    with pytest.raises(ValueError):
        bubble_marker_size(1, 1, max_marker=80)


def test_competitive_position():
    p = competitive_position({"A": 70.0, "Wir": 70.0, "B": None}, "Wir")
    assert (p.own, p.best_competitor, p.best_competitor_score, p.gap) == (70.0, "A", 70.0, 0.0)
    p = competitive_position({"Wir": None, "A": 50.0}, "Wir")
    assert (p.own, p.best_competitor_score, p.gap) == (None, 50.0, None)
    p = competitive_position({"Wir": 60.0, "A": None}, "Wir")
    assert (p.best_competitor, p.gap) == (None, None)


def test_measure_totals_and_proportional_targets():
    cells = [ResourceCell(region="N", field_sales_fte=2, inside_sales_fte=1, potential=10, communication=5),
             ResourceCell(region="S", tech_service_fte=1, potential=30, actual_revenue=7)]
    totals = measure_totals(cells)
    assert (totals["total_fte"], totals["potential"], totals["communication"], totals["actual_revenue"]) == (
        4, 40, 5, 7)
    a = analyse_resources(cells)
    assert proportional_targets(a) == [1.0, 3.0]
    assert sum(proportional_targets(a)) == pytest.approx(sum(c.target_fte for c in a.cells))


def test_layout_is_reproducible():
    db = demo_databook()

    def cells(book: Book) -> list:
        return [(s.name, c) for s in book.sheets for c in s.cells]

    assert cells(controller_workbook(db, "de", WHEN)) == cells(controller_workbook(db, "de", WHEN))
