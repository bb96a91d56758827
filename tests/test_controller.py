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
from xlsxwriter.utility import xl_col_to_name

from kam_xl.databook import TABLES, DataBook, demo_databook
from kam_xl.kaop import kaop_plan
from kam_xl.kgb import competitive_position
from kam_xl.portfolio import bubble_marker_size, class_marker_size, portfolio_band, size_class
from kam_xl.report import account_reports, resources_report
from kam_xl.resources import ResourceCell, analyse_resources, measure_totals, proportional_targets
from kam_xl.testing.recalc import (
    error_cells,
    mismatches,
    read_defined_names,
    read_values,
    recalculate,
    unexpected_errors,
)
from kam_xl.vocabulary import BAND_COLOURS
from kam_xl.workbook.controller import TEMPLATE_ID, TEMPLATE_VERSION, controller_workbook
from kam_xl.workbook.controller.accounts import A_ID, A_POINTS0, CHART_SERIES, AccountsSheet, CdbDataSheet
from kam_xl.workbook.controller.kind import BuildContext
from kam_xl.workbook.controller.settings import default_settings
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


def _tied_losses() -> DataBook:
    """The demo data with KA-009 first and two more accounts whose CDB data are KA-009's: three equal losses, in
    the data book's order KA-009, KA-003, KA-011 — neither the order of their ids nor its reverse."""
    db = demo_databook()
    t = {k: [dict(r) for r in v] if v is not None else None for k, v in db.tables.items()}
    for table in ("cdb", "activities"):
        loser = [r for r in t[table] if r["account_id"] == "KA-009"]
        t[table] = [r for r in t[table] if r["account_id"] not in ("KA-003", "KA-011")]
        t[table] += [{**r, "account_id": a} for a in ("KA-003", "KA-011") for r in loser]
    first = [a for a in db.accounts if a.account_id == "KA-009"]
    t["accounts"] = sorted(t["accounts"], key=lambda r: r["account_id"] != "KA-009")
    return DataBook(source="ties", accounts=first + [a for a in db.accounts if a.account_id != "KA-009"], tables=t)


def _accounts_only() -> DataBook:
    db = demo_databook()
    return DataBook(source="only-accounts", accounts=db.accounts,
                    tables={name: None for name in TABLES} | {"accounts": db.tables["accounts"]})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """{key: (data book, book, written file, recalculated values, recalculated defined names)}."""
    demo = demo_databook()
    cases = {"de": (demo, "de"), "en": (demo, "en"), "edge": (_edge_databook(), "de"),
             "empty": (_accounts_only(), "en"), "ties": (_tied_losses(), "de")}
    src = tmp_path_factory.mktemp("src")
    books = {k: (db, controller_workbook(db, lang, WHEN)) for k, (db, lang) in cases.items()}
    files = {k: write_book(book, src / f"controller_{k}.xlsx") for k, (_, book) in books.items()}
    outs = recalculate(list(files.values()), tmp_path_factory.mktemp("out"))
    return {k: (db, book, files[k], read_values(out), read_defined_names(out))
            for (k, (db, book)), out in zip(books.items(), outs, strict=True)}


@pytest.mark.parametrize("key", ["de", "en", "edge", "empty", "ties"])
def test_no_error_values_and_every_formula_equals_the_pure_functions(built, key):
    _, book, _, values, _ = built[key]
    # the portfolio chart's point columns hold #N/A where an account is not in that series (a gap in the chart);
    # kam_xl caches those, so `mismatches` checks them; every other error value is a fault (the chart is on the
    # accounts sheet, which follows the cockpit)
    accounts = {"de": "Kunden", "en": "Accounts"}[book.lang]
    assert {(sheet, c.col) for sheet, c in book.formula_cells() if c.cached == "#N/A"} <= {
        (accounts, A_POINTS0 + j) for j in range(len(CHART_SERIES))}
    assert unexpected_errors(book, values) == []
    assert len(error_cells(values)) == sum(c.cached == "#N/A" for _, c in book.formula_cells())
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


def test_equal_losses_are_listed_in_the_data_books_order_by_kam_xl_and_after_recalculation(built):
    db, *_, names = built["ties"]  # that kam_xl's cached list is the same: the test above, "ties"
    losers = [x for x in _column(names, "ctl_big_step_ids") if x]
    assert losers == ["KA-009", "KA-003", "KA-011"]  # LibreOffice's recalculation
    assert names["ctl_big_step_count"] == 3
    assert len({r.cdb.cdb_iii for r in account_reports(db) if r.account_id in losers}) == 1  # equal losses


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
    # row 3's note: printed beside the repeated ID column when longer than it (kam_xl.workbook.printing.text_runs)
    assert [v for a, v in values["Accounts"].items() if a in ("A3", "B3") and str(v).startswith("No data")]
    assert names["ctl_big_step_count"] == 0
    assert all(x in (None, "") for x in _column(names, "ctl_acc_cdb_iii"))
    assert book.sheet("Accounts").charts == []


def _scatter_series(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    [xml] = [c for c in charts if "<c:scatterChart>" in c and "Kundenportfolio" in c]  # not the cockpit's
    return re.findall(r"<c:ser>.*?</c:ser>", xml, flags=re.S)


def _series_look(xml: str) -> tuple[str, int, str, str]:
    """A scatter series' marker colour and size, and its x and y ranges, from the chart XML."""
    colour = re.search(r'<c:marker>.*?<a:srgbClr val="(\w+)"', xml, flags=re.S)[1]
    size = int(re.search(r'<c:size val="(\d+)"', xml)[1])
    x = re.search(r"<c:xVal>.*?<c:f>(.*?)</c:f>", xml, flags=re.S)[1]
    y = re.search(r"<c:yVal>.*?<c:f>(.*?)</c:f>", xml, flags=re.S)[1]
    return colour, size, x, y


def _points(rows: dict[str, list[object]]) -> dict[str, list[int]]:
    """Account ID → the chart series (1-based) whose point column holds a number in its row."""
    return {aid: [j + 1 for j, v in enumerate(row[A_POINTS0:A_POINTS0 + len(CHART_SERIES)])
                  if isinstance(v, int | float)] for aid, row in rows.items()}


def _recalculated_rows(values: dict, sheet: str, n: int) -> dict[str, list[object]]:
    cells = values[sheet]
    return {cells[f"A{r}"]: [cells.get(f"{xl_col_to_name(c)}{r}") for c in range(A_POINTS0 + len(CHART_SERIES))]
            for r in range(5, 5 + n)}


def _check_chart(path: Path, first: int, last: int, expected: dict[str, int | None],
                 rows: dict[str, list[object]]) -> None:
    """The portfolio chart of ``path`` draws each account of ``expected`` once, in the expected series
    (``None``: no point), and each series has its band's colour and its class's marker size."""
    series = _scatter_series(path)
    assert len(series) == len(CHART_SERIES) == 16
    for j, xml in enumerate(series):
        band, k = CHART_SERIES[j]
        colour, size, x, y = _series_look(xml)
        col = xl_col_to_name(A_POINTS0 + j)
        assert (colour, size) == (BAND_COLOURS[band].lstrip("#"), (10, 20, 30, 40)[k - 1])
        assert x.endswith(f"!$N${first}:$N${last}") and y.endswith(f"!${col}${first}:${col}${last}")
    got = _points(rows)
    assert got == {aid: [] if j is None else [j] for aid, j in expected.items()}


def test_portfolio_chart_draws_each_account_in_the_series_of_its_band_and_size(built):
    """Series 1–4: > 10 % (green), 5–8: 0–10 % (amber), 9–12: loss (red), 13–16: no CDB (grey); the size class
    is k = INT(√(|CDB III| / largest |CDB III|) · 4) + 1 — the largest is KA-007's 1,601,118."""
    db, book, path, values, names = built["de"]
    assert len(book.sheet("Kunden").charts) == 1
    assert names["ctl_acc_largest_cdb_iii"] == pytest.approx(1_601_117.94, abs=0.01)
    expected = _expected_series(db)
    # by hand: KA-007 largest → class 4, green; KA-002 832,596 → √0.52·4 = 2.9 → class 3, green;
    # KA-009 −83,869 (−4.8 %) → √0.052·4 = 0.9 → class 1, red
    assert (expected["KA-007"], expected["KA-002"], expected["KA-009"]) == (4, 3, 9)
    _check_chart(path, 5, 18, expected, _recalculated_rows(values, "Kunden", 14))
    edge_db, _, edge_path, edge_values, _ = built["edge"]
    edge = _expected_series(edge_db)
    # KA-013 has no portfolio row: no point; KA-014 has no CDB: grey, class 1; KA-012 has net sales 0: no
    # relative CDB III, so grey, sized by its loss
    assert (edge["KA-013"], edge["KA-014"], edge["KA-009"]) == (None, 13, 9) and 13 <= edge["KA-012"] <= 16
    _check_chart(edge_path, 5, 18, edge, _recalculated_rows(edge_values, "Kunden", 14))


def _expected_series(db: DataBook) -> dict[str, int | None]:
    """Account ID → its chart series by kam_xl's pure functions (``None``: no portfolio row)."""
    reports = account_reports(db)
    largest = max(abs(r.cdb.cdb_iii) for r in reports if r.cdb)
    return {r.account_id: CHART_SERIES.index((portfolio_band(r.cdb.cdb_iii_rel) if r.cdb else None,
                                              size_class(r.cdb.cdb_iii if r.cdb else None, largest))) + 1
            if db.rows_for("portfolio", r.account_id) else None for r in reports}


def _cloned_databook(n: int) -> DataBook:
    """``n`` accounts: demo account ``i mod 14`` under the id ``KA-0001`` … with all its rows."""
    demo = demo_databook()
    ids = [f"KA-{i:04d}" for i in range(1, n + 1)]
    template = {new: demo.accounts[i % len(demo.accounts)] for i, new in enumerate(ids)}
    tables: dict = {}
    for name, rows in demo.tables.items():
        if rows is None or name == "accounts" or not rows or "account_id" not in rows[0]:
            tables[name] = rows
            continue
        by_id: dict = {}
        for r in rows:
            by_id.setdefault(r["account_id"], []).append(r)
        tables[name] = [r for r in rows if r["account_id"] is None] + [
            {**r, "account_id": new} for new in ids for r in by_id.get(template[new].account_id, ())]
    accounts = [template[new].model_copy(update={"account_id": new}) for new in ids]
    tables["accounts"] = [a.model_dump() for a in accounts]
    return DataBook(source=f"clones:{n}", accounts=accounts, tables=tables)


def test_portfolio_chart_draws_every_one_of_1000_accounts(tmp_path):
    """Beyond xlsxwriter's 255 series: 1,000 accounts, each drawn once by one of the 16 series — KA-0763 is a
    clone of KA-007 (green, largest), KA-0611 of KA-009 (red, smallest class), KA-0999 of KA-005 (amber, 44,903
    → class 1)."""
    db = _cloned_databook(1000)
    ctx = BuildContext(db=db, lang="de", settings=default_settings(db), catalogue=None, when="", status="")
    ctx.built["cdb_data"] = [CdbDataSheet().build(ctx)]
    sheet = AccountsSheet().build(ctx)
    path = write_book(Book(template_id=TEMPLATE_ID, template_version=TEMPLATE_VERSION, lang="de", sheets=[sheet],
                           meta={}), tmp_path / "accounts.xlsx")
    cells = {(c.row, c.col): c for c in sheet.all_cells()}
    rows = {cells[r, A_ID].value: [c.cached if (c := cells.get((r, col))) else None
                                   for col in range(A_POINTS0 + len(CHART_SERIES))] for r in range(4, 1004)}
    demo = _expected_series(demo_databook())
    expected = {f"KA-{i + 1:04d}": demo[f"KA-{i % 14 + 1:03d}"] for i in range(1000)}
    assert (expected["KA-0763"], expected["KA-0611"], expected["KA-0999"]) == (4, 9, 5)
    _check_chart(path, 5, 1004, expected, rows)
    assert sum(len(v) for v in _points(rows).values()) == 1000


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
        for c in sheet.all_cells():
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
    assert all(c.formula is None for c in s.all_cells() if c.col == c0 and r0 <= c.row <= r1)
    r0, c0, r1, _ = s.ranges["ctl_res_target_proportional"]
    assert all(c.formula for c in s.all_cells() if c.col == c0 and r0 <= c.row <= r1)


# --- the pure functions added for the controller -------------------------------------------------------------


def test_bubble_marker_size_area_proportional_to_the_size():
    assert bubble_marker_size(100, 100) == 40
    assert bubble_marker_size(25, 100) == 20  # a quarter of the area: half the diameter
    assert bubble_marker_size(-100, 100) == 40  # the loss's magnitude
    assert bubble_marker_size(0.0001, 100) == 5 and bubble_marker_size(None, 100) == 5
    assert bubble_marker_size(5, None) == 5
    with pytest.raises(ValueError):
        bubble_marker_size(1, 1, max_marker=80)


def test_size_classes_split_the_largest_diameter_in_four_steps():
    # diameter ∝ √area: a quarter of the largest area is half its diameter, the border of classes 2 and 3
    assert [size_class(v, 100) for v in (100, 56.25, 56.2, 25, 24.9, 6.25, 6.2, 0, None)] == [4, 4, 3, 3, 2, 2, 1, 1, 1]
    assert size_class(-100, 100) == 4 and size_class(5, None) == 1 and size_class(5, 0) == 1
    assert [class_marker_size(k) for k in (1, 2, 3, 4)] == [10, 20, 30, 40]
    with pytest.raises(ValueError):
        class_marker_size(5)


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
        return [(s.name, c) for s in book.sheets for c in s.all_cells()]

    assert cells(controller_workbook(db, "de", WHEN)) == cells(controller_workbook(db, "de", WHEN))
