"""The Excel functions (``udfs``) as Excel calls them: through xlwings' own classic COM argument conversion, with
the values COM hands over (tuples of row tuples, ``None`` for empty cells, error codes, COM dates, the marker of an
omitted optional argument), asserting what Excel receives — a list of rows, ``''`` where a cell stays empty.

The numbers are small enough to check by hand (or are the seeds' own examples); for the demo data book every
function must give exactly what the pure functions give, since the functions only translate cells.
"""

from __future__ import annotations

import inspect
import os
import types
from typing import Any

import pytest
from shared import DYE_VOLUME, RATES, SALES_STAFF, TECH_SERVICE, tabelle_8

from kam_xl.addin.runtime import load_udfs, vba_module
from kam_xl.cdb import STATEMENT_LINES, cdb_statement
from kam_xl.databook import demo_databook
from kam_xl.excellence import load_catalogue, score_response
from kam_xl.kaop import COST_CATEGORIES, QUARTERS, compare, kaop_plan
from kam_xl.kgb import KgbCard, score_card, supplier_ranks
from kam_xl.resources import analyse_resources
from kam_xl.testing import COM_ERRORS, VBA_MISSING, call_classic, com_date

# The functions of each module and their VBA signatures, as the README lists them.
SIGNATURES = {
    "cdb": {
        "kam_cdb_statement": "Function kam_cdb_statement(amounts, Optional activities, Optional lang)",
        "kam_cdb_iii": "Function kam_cdb_iii(amounts, Optional activities)",
    },
    "kgb": {
        "kam_kgb_card": "Function kam_kgb_card(criteria, weights, suppliers, ratings, Optional own_supplier)",
        "kam_kgb_score": "Function kam_kgb_score(criteria, weights, suppliers, ratings)",
        "kam_kgb_rank": "Function kam_kgb_rank(criteria, weights, suppliers, ratings)",
        "kam_kgb_gaps": "Function kam_kgb_gaps(criteria, weights, suppliers, ratings, Optional own_supplier)",
    },
    "excellence": {
        "kam_excellence_scores": "Function kam_excellence_scores(criterion_ids, ratings, Optional lang)",
        "kam_excellence_profile": "Function kam_excellence_profile(criterion_ids, ratings, Optional lang)",
    },
    "resources": {
        "kam_resource_targets": "Function kam_resource_targets(cells, Optional total_fte, Optional step, "
                                "Optional weight_potential, Optional weight_revenue)",
        "kam_moved_share": "Function kam_moved_share(cells, Optional resource)",
    },
    "kaop": {
        "kam_kaop_split": "Function kam_kaop_split(annual, weights, Optional step)",
        "kam_kaop_variance": "Function kam_kaop_variance(plan, actual, Optional higher_is_better, Optional green, "
                             "Optional amber)",
        "kam_kaop_forecast": "Function kam_kaop_forecast(plan, actual, Optional reforecast, Optional higher_is_better, "
                             "Optional green, Optional amber)",
    },
    "portfolio": {"kam_portfolio_band": "Function kam_portfolio_band(cdb_iii_rel)"},
    "programme": {
        "kam_selection_score": "Function kam_selection_score(weights, ratings, Optional account_ids)",
        "kam_abc_xyz": "Function kam_abc_xyz(net_sales, Optional quarters, Optional account_ids, Optional abc_a, "
                       "Optional abc_b, Optional xyz_x, Optional xyz_y)",
        # coordination need, organisation decisions (tests in test_programme_org.py)
        "kam_coordination": "Function kam_coordination(ratings, Optional scale, Optional thresholds, Optional lang)",
        "kam_org_decision": "Function kam_org_decision(weights, signs)",
    },
    "contacts": {"kam_contact_coverage": "Function kam_contact_coverage(members, manndecker, bounds, touchpoints, "
                                         "Optional done, Optional lang)"},
    "team": {"kam_raci_check": "Function kam_raci_check(tasks, roles, letters, Optional lang)"},
}
ALL_FUNCTIONS = {name: line for functions in SIGNATURES.values() for name, line in functions.items()}


@pytest.fixture(scope="module")
def u() -> types.ModuleType:
    """``udfs`` as classic xlwings decorates it."""
    return load_udfs("classic")


def row(*values: Any) -> tuple[tuple[Any, ...], ...]:
    """A row of cells as COM passes it."""
    return (tuple(values),)


def col(*values: Any) -> tuple[tuple[Any, ...], ...]:
    """A column of cells as COM passes it."""
    return tuple((v,) for v in values)


def block(rows: list[list[Any]]) -> tuple[tuple[Any, ...], ...]:
    """A block of cells as COM passes it."""
    return tuple(tuple(r) for r in rows)


def shown(value: Any) -> Any:
    """What Excel shows for a value of a pure result: ``None`` stays an empty cell (``''``)."""
    return "" if value is None else value


# ------------------------------------------------------------------------------------------------------- CDB

# A statement to add up by hand: net 1000 − 200 = 800; CDB I 800 − 300 − 100 = 400 (50 %);
# CDB II 400 − 60 − 20 = 320 (40 %); service 50 + 4 × 10 from the activity = 90; CDB III 320 − 90 − 70 = 160 (20 %).
AMOUNTS = (1000.0, 200.0, 300.0, 100.0, 60.0, 20.0, 50.0, 70.0)
ACTIVITIES = [["Anwendungsberatung", "Service", 4.0, 10.0], [None, None, None, None]]
STATEMENT_DE = [
    ["Bruttoumsatz", 1000.0],
    ["Erlösschmälerungen (Rabatte, Boni, Skonti)", 200.0],
    ["Nettoumsatz", 800.0],
    ["Herstellkosten / Produktkosten", 300.0],
    ["Fracht", 100.0],
    ["Kundendeckungsbeitrag I", 400.0],
    ["kundenspezifische Entwicklungskosten", 60.0],
    ["kundenspezifische Produktionskosten", 20.0],
    ["Kundendeckungsbeitrag II", 320.0],
    ["kundenspezifische Servicekosten", 90.0],
    ["kundenspezifische Vertriebskosten", 70.0],
    ["Kundendeckungsbeitrag III", 160.0],
    ["Kundendeckungsbeitrag I (% vom Nettoumsatz)", 0.5],
    ["Kundendeckungsbeitrag II (% vom Nettoumsatz)", 0.4],
    ["Kundendeckungsbeitrag III (% vom Nettoumsatz)", 0.2],
]


def test_cdb_statement_by_hand(u):
    assert call_classic(u.kam_cdb_statement, row(*AMOUNTS), block(ACTIVITIES), VBA_MISSING) == STATEMENT_DE
    assert call_classic(u.kam_cdb_iii, col(*AMOUNTS), block(ACTIVITIES)) == [[160.0]]


def test_cdb_statement_in_english_without_activities(u):
    result = call_classic(u.kam_cdb_statement, col(*AMOUNTS), VBA_MISSING, "en")
    assert [r[0] for r in result[:12]] == [en for _, _, en, _ in STATEMENT_LINES]
    assert result[9] == ["Customer-specific service cost", 50.0]
    assert result[11:] == [["Customer contribution margin III", 200.0],
                           ["Customer contribution margin I (% of net sales)", 0.5],
                           ["Customer contribution margin II (% of net sales)", 0.4],
                           ["Customer contribution margin III (% of net sales)", 0.25]]


def test_cdb_empty_costs_are_zero_and_relative_values_empty_without_net_sales(u):
    result = call_classic(u.kam_cdb_statement, row(100.0, 100.0, None, None, None, None, None, 10.0))
    assert result[2] == ["Nettoumsatz", 0.0]
    assert result[11] == ["Kundendeckungsbeitrag III", -10.0]
    assert [r[1] for r in result[12:]] == ["", "", ""]  # undefined, not 0


def test_cdb_agrees_with_the_pure_function_for_every_demo_account(u):
    db = demo_databook()
    checked = 0
    for account in db.accounts:
        for year in db.cdb_years(account.account_id):
            amounts, activities = db.cdb_input(account.account_id, year)  # type: ignore[misc]
            expected = cdb_statement(amounts, activities)
            lines = [[a.activity, a.stage, a.driver_quantity, a.cost_rate] for a in activities] or [[None] * 4]
            values = row(*(getattr(amounts, f) for f, *_ in STATEMENT_LINES if f in type(amounts).model_fields))
            result = call_classic(u.kam_cdb_statement, values, block(lines))
            assert [r[1] for r in result[:12]] == [getattr(expected, f) for f, *_ in STATEMENT_LINES]
            assert [r[1] for r in result[12:]] == [shown(expected.cdb_i_rel), shown(expected.cdb_ii_rel),
                                                   shown(expected.cdb_iii_rel)]
            assert call_classic(u.kam_cdb_iii, values, block(lines)) == [[expected.cdb_iii]]
            checked += 1
    assert checked == 28


# ------------------------------------------------------------------------------------------------------- Kgb

# The docstring example of kam_xl.kgb: Preis 40, Service 60; Wir 60/90 → 78, Nordchem 80/70 → 74.
CRITERIA = col("Preis", "Service")
WEIGHTS = col(40.0, 60.0)
SUPPLIERS = row("Wir", "Nordchem")
RATINGS = block([[60.0, 80.0], [90.0, 70.0]])


def test_kgb_seed_example(u):
    assert call_classic(u.kam_kgb_score, CRITERIA, WEIGHTS, SUPPLIERS, RATINGS) == [[78.0, 74.0]]
    assert call_classic(u.kam_kgb_rank, CRITERIA, WEIGHTS, SUPPLIERS, RATINGS) == [[1.0, 2.0]]
    # 0.4 × (60 − 80) = −8; 0.6 × (90 − 70) = 12
    assert call_classic(u.kam_kgb_gaps, CRITERIA, WEIGHTS, SUPPLIERS, RATINGS, VBA_MISSING) == [[-8.0], [12.0]]
    assert call_classic(u.kam_kgb_gaps, CRITERIA, WEIGHTS, SUPPLIERS, RATINGS, "Nordchem") == [[8.0], [-12.0]]
    assert call_classic(u.kam_kgb_card, CRITERIA, WEIGHTS, SUPPLIERS, RATINGS) == [
        [0.4, 60.0, 80.0, -8.0, 16.0], [0.6, 90.0, 70.0, 12.0, 6.0]]


def test_kgb_weights_as_fractions_and_in_a_row(u):
    assert call_classic(u.kam_kgb_score, row("Preis", "Service"), row(0.4, 0.6), SUPPLIERS, RATINGS) == [[78.0, 74.0]]


def test_kgb_missing_rating_leaves_the_score_empty_never_zero(u):
    suppliers = row("Wir", "Nordchem", "BaSiCo")
    ratings = block([[60.0, 80.0, None], [90.0, 70.0, 100.0]])
    assert call_classic(u.kam_kgb_score, CRITERIA, WEIGHTS, suppliers, ratings) == [[78.0, 74.0, ""]]
    assert call_classic(u.kam_kgb_rank, CRITERIA, WEIGHTS, suppliers, ratings) == [[1.0, 2.0, ""]]
    # Service: best competitor is BaSiCo with 100 → 0.6 × (90 − 100) = −6
    assert call_classic(u.kam_kgb_gaps, CRITERIA, WEIGHTS, suppliers, ratings) == [[-8.0], [-6.0]]


def test_kgb_ties_keep_the_suppliers_order(u):
    suppliers = row("Wir", "Nordchem", "BaSiCo")
    ratings = block([[50.0, 80.0, 50.0], [50.0, 80.0, 50.0]])
    assert call_classic(u.kam_kgb_rank, CRITERIA, WEIGHTS, suppliers, ratings) == [[2.0, 1.0, 3.0]]


def test_kgb_single_cells_and_a_column_of_suppliers(u):
    # one criterion, one supplier: COM passes single cells as scalars
    assert call_classic(u.kam_kgb_score, "Preis", 100.0, "Wir", 80.0) == [[80.0]]
    # suppliers in a column (ratings then one row per criterion still): the scores come back as a column
    assert call_classic(u.kam_kgb_score, "Preis", 1.0, col("Wir", "Nordchem"), row(60.0, 80.0)) == [[60.0], [80.0]]


def _card_ranges(card: Any) -> tuple[Any, ...]:
    names = [c.name for c in card.criteria]
    suppliers = list(card.ratings)
    ratings = [[card.ratings[s].get(n) for s in suppliers] for n in names]
    return col(*names), col(*(c.weight for c in card.criteria)), row(*suppliers), block(ratings)


def _without_a_rating(card: KgbCard) -> KgbCard:
    """The card with the last supplier's rating of the first criterion missing."""
    last, first = list(card.ratings)[-1], card.criteria[0].name
    ratings = {s: dict(r) for s, r in card.ratings.items()}
    ratings[last][first] = None
    return card.model_copy(update={"ratings": ratings})


def test_kgb_agrees_with_the_pure_function_for_every_demo_card(u):
    db = demo_databook()
    demo = [card for a in db.accounts for card in db.kgb_cards(a.account_id)]
    assert len(demo) == 17
    incomplete = 0
    for card in [*demo, *map(_without_a_rating, demo)]:
        ranges = _card_ranges(card)
        expected = score_card(card)
        ranks = supplier_ranks(expected)
        incomplete += len(expected.incomplete)
        assert call_classic(u.kam_kgb_card, *ranges, card.own_supplier) == [
            [c.weight, shown(c.own), shown(c.best_competitor), shown(c.gap_to_best), shown(c.improvement_potential)]
            for c in expected.criteria]
        assert call_classic(u.kam_kgb_score, *ranges) == [[shown(expected.scores[s]) for s in card.ratings]]
        assert call_classic(u.kam_kgb_rank, *ranges) == [[shown(ranks[s]) for s in card.ratings]]
        assert call_classic(u.kam_kgb_gaps, *ranges, card.own_supplier) == [
            [shown(c.gap_to_best)] for c in expected.criteria]
    assert incomplete == 17  # each card once with a missing rating: the empty score was compared too


# ------------------------------------------------------------------------------------------------ Excellence

def test_excellence_scores_by_hand(u):
    ids = col("SW-1.1", "SW-1.2", "SW-1.3", None)
    ratings = col(100.0, "trifft teilweise zu", "n.r.", None)
    result = call_classic(u.kam_excellence_scores, ids, ratings)
    assert len(result) == 4 + 22 + 1
    # SW: mean of 100 and 50; 2 rated of 10 criteria, one not relevant → coverage 2 ÷ 9; thin (2 < 5)
    assert result[0] == ["SW", "Strategische Weichenstellung", 75.0, pytest.approx(2 / 9), 2.0, 10.0, True]
    assert result[1] == ["SW-1", "Wer sind die wichtigsten Nachfrager im Markt?", 75.0, 1.0, 2.0, 3.0, False]
    assert result[2][:4] == ["SW-2", "Welche wichtigen Nachfrager wollen wir, welche nicht?", "", 0.0]
    # overall: mean of the scored dimensions (only SW); 2 rated of 61 relevant criteria
    assert result[-1] == ["overall", "Gesamt", 75.0, pytest.approx(2 / 61), 2.0, 62.0, ""]


def test_excellence_profile_for_the_radar(u):
    ids = col("SW-1.1", "OS-1.1", "OS-1.2")
    ratings = col("75", 25.0, "largely applies")
    assert call_classic(u.kam_excellence_profile, ids, ratings, "en") == [
        ["Strategic direction", 75.0], ["Organisation and steering", 50.0], ["Performance management", ""],
        ["Relationship management", ""]]


def test_excellence_agrees_with_the_pure_function_for_the_demo_respondents(u):
    responses = demo_databook().responses()
    assert len(responses) == 3
    catalogue = load_catalogue()
    for response in responses:
        expected = score_response(catalogue, response)
        ids = col(*(a.criterion_id for a in response.answers))
        ratings = col(*(a.rating for a in response.answers))
        profile = call_classic(u.kam_excellence_profile, ids, ratings)
        assert [r[1] for r in profile] == [shown(d.score) for d in expected.dimensions.values()]
        scores = call_classic(u.kam_excellence_scores, ids, ratings)
        by_id = {r[0]: r for r in scores}
        for area in [*expected.dimensions.values(), *expected.sections.values()]:
            assert by_id[area.id][2:] == [shown(area.score), shown(area.coverage), area.rated, area.criteria,
                                          area.thin]
        assert by_id["overall"][2:4] == [shown(expected.overall), shown(expected.coverage)]


# ------------------------------------------------------------------------------------------------- Resources

# Nord/KA-1: 2 field + 1 inside = 3 FTE, potential 1; Süd/Small Accounts: 1 field FTE, potential 3; a free row.
# Potential shares 1/4 and 3/4 → targets of the 4 FTE: 1 and 3, deltas −2 and +2;
# moved share ½ (|3/4 − 1/4| + |1/4 − 3/4|) = 0.5.
RESOURCE_CELLS = block([
    ["Nord", "KA-1", 2.0, 1.0, None, 5000.0, 30.0, 3000.0, 1.0],
    ["Süd", None, 1.0, None, None, None, 10.0, 1000.0, 3.0],
    [None] * 9,
])


def test_resource_targets_by_hand(u):
    assert call_classic(u.kam_resource_targets, RESOURCE_CELLS) == [[0.25, 1.0, -2.0], [0.75, 3.0, 2.0], ["", "", ""]]
    # 10 FTE by whole FTE: 2.5 and 7.5 → the tie of remainders goes to the larger quota
    assert call_classic(u.kam_resource_targets, RESOURCE_CELLS, 10.0, 1.0)[:2] == [[0.25, 2.0, -1.0],
                                                                                   [0.75, 8.0, 7.0]]
    # potential and revenue (3/4 and 1/4) weighted equally → 1/2 each
    assert call_classic(u.kam_resource_targets, RESOURCE_CELLS, VBA_MISSING, VBA_MISSING, 1.0, 1.0)[:2] == [
        [0.5, 2.0, -1.0], [0.5, 2.0, 1.0]]


def test_moved_share_by_hand(u):
    assert call_classic(u.kam_moved_share, RESOURCE_CELLS) == [[0.5]]
    # field sales 2/3 and 1/3 against 1/4 and 3/4 → ½ (5/12 + 5/12) = 5/12
    assert call_classic(u.kam_moved_share, RESOURCE_CELLS, "Außendienst") == [[pytest.approx(5 / 12)]]
    assert call_classic(u.kam_moved_share, RESOURCE_CELLS, "inside sales") == [[0.75]]
    assert call_classic(u.kam_moved_share, RESOURCE_CELLS, "Technischer Service") == [[""]]  # no FTE of that type


def test_resources_agree_with_the_pure_function_for_the_demo(u):
    cells = demo_databook().resource_cells()
    assert len(cells) == 17
    table = block([[c.region, c.account_id, c.field_sales_fte, c.inside_sales_fte, c.tech_service_fte,
                    c.communication, c.actual_volume, c.actual_revenue, c.potential] for c in cells])
    expected = analyse_resources(cells)
    assert call_classic(u.kam_resource_targets, table) == [
        [c.target_share, c.target_fte, c.delta_fte] for c in expected.cells]
    assert call_classic(u.kam_moved_share, table) == [[expected.moved_share]]
    assert call_classic(u.kam_moved_share, table, "Kommunikation") == [[expected.moved_share_by_type["communication"]]]
    weighted = analyse_resources(cells, step=0.1, total_fte=50)
    assert call_classic(u.kam_resource_targets, table, 50.0, 0.1) == [
        [c.target_share, c.target_fte, c.delta_fte] for c in weighted.cells]


# ------------------------------------------------------------------------------------------------------ KAOP

# Tabelle 8: the plan revenue per quarter (volume × price of both products).
PLAN_REVENUE = (2_496_000.0, 2_822_700.0, 2_994_720.0, 2_986_660.0)


def test_kaop_split_by_seasonality(u):
    assert call_classic(u.kam_kaop_split, 1000.0, row(20.0, 30.0, 30.0, 20.0)) == [[200.0, 300.0, 300.0, 200.0]]
    # Tabelle 8's year revenue 11,300,080 split by its own quarters as weights gives them back, to the euro
    assert call_classic(u.kam_kaop_split, 11_300_080.0, col(*PLAN_REVENUE), 1.0) == [[v] for v in PLAN_REVENUE]
    # 100 in whole units by 1:1:1:0 → 34, 33, 33, 0 (the largest remainder goes to the first)
    assert call_classic(u.kam_kaop_split, 100.0, row(1.0, 1.0, 1.0, 0.0), 1.0) == [[34.0, 33.0, 33.0, 0.0]]


def test_kaop_variance_on_tabelle_8_revenue(u):
    # Q1 met exactly, Q2 at 90 %, Q3 and Q4 still open
    actual = row(2_496_000.0, 2_540_430.0, None, None)
    result = call_classic(u.kam_kaop_variance, row(*PLAN_REVENUE), actual)
    assert result == [
        [0.0, -282_270.0, "", "", -282_270.0],
        [1.0, pytest.approx(0.9), "", "", pytest.approx(5_036_430 / 5_318_700)],
        ["green", "red", "", "", "red"],
    ]


def test_kaop_variance_of_a_cost_in_a_column(u):
    # Technischer Service of Tabelle 8: lower is better; 150,000 under plan is green, 280,000 over by 8.5 % red
    plan, actual = col(*map(float, TECH_SERVICE)), col(150_000.0, 280_000.0, None, None)
    assert call_classic(u.kam_kaop_variance, plan, actual, False) == [
        [-3_000.0, pytest.approx(150 / 153), "green"],
        [22_000.0, pytest.approx(280 / 258), "red"],
        ["", "", ""],
        ["", "", ""],
        [19_000.0, pytest.approx(430 / 411), "amber"],  # 4.6 % over: within 2 − 0.95
    ]


def test_kaop_rolling_forecast(u):
    actual = row(2_496_000.0, 2_540_430.0, None, None)
    # 2,496,000 + 2,540,430 + plan Q3 2,994,720 + plan Q4 2,986,660 = 11,017,810 against 11,300,080
    assert call_classic(u.kam_kaop_forecast, row(*PLAN_REVENUE), actual) == [
        [11_017_810.0, 11_300_080.0, -282_270.0, pytest.approx(11_017_810 / 11_300_080), "amber"]]
    # a re-forecast of Q4 at 3,200,000 replaces its plan: 11,231,150, attainment 99.4 % → still amber
    reforecast = row(None, None, None, 3_200_000.0)
    assert call_classic(u.kam_kaop_forecast, row(*PLAN_REVENUE), actual, reforecast, VBA_MISSING, 0.99) == [
        [11_231_150.0, 11_300_080.0, -68_930.0, pytest.approx(11_231_150 / 11_300_080), "green"]]


def test_kaop_agrees_with_compare_for_every_demo_account(u):
    db = demo_databook()
    metrics = ["revenue", "total_cost", "profit", *(f"cost.{c}" for c in COST_CATEGORIES)]
    checked = 0
    for account in db.accounts:
        year = account.plan_year
        plan = kaop_plan(*db.kaop_rows(account.account_id, year, "plan"))
        actual = kaop_plan(*db.kaop_rows(account.account_id, year, "actual"))
        cmp = compare(plan, actual)
        for m in metrics:
            line = cmp.lines[m]
            plan_row = row(*(plan.quarters[q].metric(m) for q in QUARTERS))
            actual_row = row(*(actual.quarters[q].metric(m) if q in actual.quarters else None for q in QUARTERS))
            higher = line.higher_is_better
            cells = [*(line.quarters[q] for q in QUARTERS), line.ytd]
            assert call_classic(u.kam_kaop_variance, plan_row, actual_row, higher) == [
                [shown(c.variance) for c in cells], [shown(c.attainment) for c in cells],
                [shown(c.light) for c in cells]]
            vs = line.forecast_vs_plan
            assert call_classic(u.kam_kaop_forecast, plan_row, actual_row, VBA_MISSING, higher) == [
                [line.forecast, vs.plan, vs.variance, shown(vs.attainment), vs.light]]
            checked += 1
        assert 0 < len(cmp.closed_quarters) < 4
    assert checked == 14 * 8


def test_tabelle_8_drivers_are_the_shared_ones():
    # the revenue used above is Tabelle 8's, rebuilt from the shared drivers
    plan = kaop_plan(*tabelle_8())
    assert tuple(plan.quarters[q].revenue for q in QUARTERS) == PLAN_REVENUE
    assert DYE_VOLUME[0] == 20 and SALES_STAFF[0] == 30_000 and RATES["other"] == 0.08


# -------------------------------------------------------------------------------------------------- Portfolio

def test_portfolio_band(u):
    assert call_classic(u.kam_portfolio_band, 0.12) == [["high"]]
    assert call_classic(u.kam_portfolio_band, 0.0) == [["mid"]]
    assert call_classic(u.kam_portfolio_band, -0.01) == [["loss"]]
    assert call_classic(u.kam_portfolio_band, None) == [[""]]


def test_kam_raci_check_gives_each_tasks_status_as_the_sheet_does(u):
    """The seed's three rows (ok), a task with two A, one with no letters at all and one without R; lower case
    and any separator are read as on the Team-RACI sheet; the result is laid out like the tasks."""
    tasks = col("Globaler Rahmenvertrag", "Globales Beziehungsmanagement", "Preisverhandlung", "Messe", "Audit")
    roles = row("GKAM", "NKAM", "Management", "Innendienst")
    letters = block([["R", "I, C", "A", "S"], ["r;a", None, None, "S"], ["R, A", None, "A", None],
                     [None, None, None, None], [None, "A", None, "I"]])
    assert call_classic(u.kam_raci_check, tasks, roles, letters) == [
        ["ok"], ["ok"], ["mehrere A"], ["kein A, kein R"], ["kein R"]]
    assert call_classic(u.kam_raci_check, tasks, roles, letters, "en")[3] == ["no A, no R"]
    assert call_classic(u.kam_raci_check, row("Vertrag", "Messe"), col("GKAM", "NKAM"),
                        block([["R, A", None], ["C", "I"]])) == [["ok", "kein A, kein R"]]


# ----------------------------------------------------------------------------------------------- wrong input

WRONG_INPUTS = [
    pytest.param("kam_kgb_score", (CRITERIA, col(40.0, 50.0), SUPPLIERS, RATINGS),
                 "#KAM! Kgb weights sum to 90 — allowed: fractions summing to 1 or points summing to 100",
                 id="weights sum to 90"),
    pytest.param("kam_kgb_card", (CRITERIA, col(40.0, "1.234,5"), SUPPLIERS, RATINGS),
                 "#KAM! weights: cell 2: holds text '1.234,5' — allowed: a number", id="text in a number cell"),
    pytest.param("kam_cdb_statement", (row(1000.0, 0.0, COM_ERRORS["#DIV/0!"], 0.0, 0.0, 0.0, 0.0, 0.0),),
                 "#KAM! amounts: cell 3: holds #DIV/0! — allowed: a number", id="error cell"),
    pytest.param("kam_kaop_variance", (row(1.0, com_date(2026, 3, 31), 1.0, 1.0), row(1.0, None, None, None)),
                 "#KAM! plan: cell 2: holds the date 31.03.2026 — allowed: a number", id="date in a number cell"),
    pytest.param("kam_kgb_gaps", (CRITERIA, col(40.0, 30.0, 30.0), SUPPLIERS, RATINGS),
                 "#KAM! ranges of different length (criteria 2, weights 3, rating rows 2) — allowed: one cell per "
                 "row in each", id="ranges of different length"),
    pytest.param("kam_kgb_rank", (CRITERIA, WEIGHTS, SUPPLIERS, block([[60.0, 120.0], [90.0, 70.0]])),
                 "#KAM! rating 120 of 'Nordchem' for 'Preis' — allowed: 0 to 100", id="Kgb rating of 120"),
    pytest.param("kam_excellence_scores", (col("SW-1.1", "SW-1.2"), col(100.0, 120.0)),
                 "#KAM! ratings: cell 2: rating 120 — allowed: 0, 25, 50, 75, 100 or n.r. (nicht relevant)",
                 id="excellence rating of 120"),
    pytest.param("kam_excellence_profile", (col("SW-1.1", "SW-9.9"), col(100.0, 50.0)),
                 "#KAM! criterion_ids: cell 2: unknown criterion id 'SW-9.9' — allowed: an id of catalogue "
                 "kam-excellence 1.0.0, e.g. SW-2.1", id="unknown criterion"),
    pytest.param("kam_excellence_profile", (col("SW-1.1", "SW-1.2"), col(100.0, COM_ERRORS["#N/A"])),
                 "#KAM! ratings: cell 2: holds #N/A — allowed: 0, 25, 50, 75, 100 or n.r. (nicht relevant)",
                 id="error as a rating"),
    pytest.param("kam_kgb_score", (CRITERIA, WEIGHTS, row("Wir", "Wir"), RATINGS),
                 "#KAM! suppliers: Wir listed twice — allowed: each supplier once", id="supplier twice"),
    pytest.param("kam_kgb_card", (CRITERIA, WEIGHTS, SUPPLIERS, RATINGS, "Südchem"),
                 "#KAM! own supplier 'Südchem' has no ratings — allowed: one of ['Nordchem', 'Wir']",
                 id="unknown own supplier"),
    pytest.param("kam_cdb_iii", (row(*AMOUNTS[:7]),),
                 "#KAM! amounts: 7 cells — allowed: 8 (gross_sales, deductions, product_cost, freight, "
                 "development_cost, production_cost, service_cost, sales_cost)", id="seven amounts"),
    pytest.param("kam_cdb_iii", (row(None, *AMOUNTS[1:]),),
                 "#KAM! amounts: cell 1 (gross_sales) is empty — allowed: the gross sales, a number ≥ 0",
                 id="no gross sales"),
    pytest.param("kam_cdb_iii", (row(1000.0, -5.0, *AMOUNTS[2:]),),
                 "#KAM! amounts: cell 2 (deductions): Input should be greater than or equal to 0",
                 id="negative amount"),
    pytest.param("kam_cdb_iii", (row(*AMOUNTS), block([["Versuche", "Labor", 1.0, 1.0]])),
                 "#KAM! activities: row 1, stage: holds 'Labor' — allowed: development, production, service, "
                 "sales, Entwicklung, Produktion, Vertrieb", id="unknown stage"),
    pytest.param("kam_cdb_iii", (row(*AMOUNTS), block([["Versuche", "sales", 1.0]])),
                 "#KAM! activities: 3 columns — allowed: 4 (activity, stage, driver quantity, cost rate)",
                 id="activities of 3 columns"),
    pytest.param("kam_cdb_statement", (row(*AMOUNTS), VBA_MISSING, "fr"),
                 "#KAM! lang: holds 'fr' — allowed: de, en", id="unknown language"),
    pytest.param("kam_resource_targets", (block([["Nord", "KA-1", -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]]),),
                 "#KAM! cells: row 1: field_sales_fte: Input should be greater than or equal to 0",
                 id="negative FTE"),
    pytest.param("kam_resource_targets", (block([["Nord", "KA-1", 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]]),),
                 "#KAM! cells: 8 columns — allowed: 9 (region, account, field_sales_fte, inside_sales_fte, "
                 "tech_service_fte, communication, actual_volume, actual_revenue, potential)", id="8 columns"),
    pytest.param("kam_resource_targets", (RESOURCE_CELLS, -4.0),
                 "#KAM! total_fte: holds -4 — allowed: a number ≥ 0, or empty for the actual total",
                 id="negative total"),
    pytest.param("kam_moved_share", (RESOURCE_CELLS, "Marketing"),
                 "#KAM! resource: holds 'Marketing' — allowed: total_fte, Gesamt MAK, Total FTE, field_sales_fte, "
                 "Außendienst, Field sales, inside_sales_fte, Innendienst, Inside sales, tech_service_fte, "
                 "Technischer Service, Technical service, communication, Kommunikation", id="unknown resource"),
    pytest.param("kam_kaop_split", (1000.0, row(1.0, 1.0, 1.0)),
                 "#KAM! weights: 3 cells — allowed: 4 (Q1–Q4)", id="three seasonality weights"),
    pytest.param("kam_kaop_split", (None, row(1.0, 1.0, 1.0, 1.0)),
                 "#KAM! annual: is empty — allowed: a number", id="no annual amount"),
    pytest.param("kam_kaop_split", (100.0, row(1.0, -1.0, 1.0, 1.0)),
                 "#KAM! seasonality weights [1.0, -1.0, 1.0, 1.0] — allowed: numbers ≥ 0 with a positive sum",
                 id="negative seasonality"),
    pytest.param("kam_kaop_variance", (row(1.0, 1.0, 1.0, 1.0), row(1.0, 1.0, 1.0, 1.0, 1.0)),
                 "#KAM! actual: 5 cells — allowed: 4 (Q1–Q4)", id="five actuals"),
    pytest.param("kam_kaop_variance", (row(1.0, 1.0, 1.0, 1.0), row(1.0, None, None, None), "vielleicht"),
                 "#KAM! higher_is_better: holds 'vielleicht' — allowed: TRUE or FALSE (or 1 / 0), empty for TRUE",
                 id="not a flag"),
    pytest.param("kam_kaop_forecast", (row(1.0, 1.0, 1.0, 1.0), row(1.0, None, None, None), VBA_MISSING,
                                       VBA_MISSING, 0.9, 0.95),
                 "#KAM! thresholds: amber threshold 0.95 above green 0.9 — allowed: amber ≤ green",
                 id="thresholds the wrong way"),
    pytest.param("kam_raci_check", (col("Vertrag"), row("GKAM", "NKAM"), block([["R", "A, X"]])),
                 "#KAM! letters (Vertrag, NKAM): the letter X is not a RACI letter — allowed: R, A, S, I or C, "
                 'several separated by commas (e.g. "R, A")', id="unknown RACI letter"),
    pytest.param("kam_raci_check", (col("Vertrag", "Messe"), row("GKAM", "NKAM"), block([["R", "A"]])),
                 "#KAM! letters: 1 × 2 cells for 2 tasks × 2 roles — allowed: one row per task, one column per role",
                 id="RACI letters of another shape"),
    pytest.param("kam_raci_check", (col("Vertrag"), row("GKAM", "NKAM"), block([["R", COM_ERRORS["#N/A"]]])),
                 "#KAM! letters (Vertrag, NKAM): holds #N/A — allowed: a text", id="error as RACI letters"),
    pytest.param("kam_kgb_score", (CRITERIA, WEIGHTS, SUPPLIERS, block([[60.0], [90.0]])),
                 "#KAM! ratings: 1 columns for 2 suppliers — allowed: one column each", id="ratings too narrow"),
    pytest.param("kam_contact_coverage", (col("A", "B"), col(None, None), block([[1.0, 2.0]]), col(None, None)),
                 "#KAM! bounds: 1 rows for 2 members — allowed: one row per member", id="bounds of one member"),
    pytest.param("kam_contact_coverage", (col("A"), col(None), row(1.5, 2.0), col(None)),
                 "#KAM! bounds (A, min): holds 1.5 — allowed: a whole number ≥ 0, or empty for no bound",
                 id="half a contact"),
    pytest.param("kam_contact_coverage", (col("A"), col("vielleicht"), row(None, None), col(None)),
                 "#KAM! manndecker (A, column 1): holds 'vielleicht' — allowed: TRUE or FALSE (or 1 / 0), empty for "
                 "FALSE", id="not a mark"),
    pytest.param("kam_contact_coverage", (col("A"), col(None), row(None, None), row("x", "x", "x", "x", "x")),
                 "#KAM! touchpoints: 5 columns — allowed: 1 to 4", id="five quarters"),
    pytest.param("kam_contact_coverage", (col("A", "A"), col(None, None), block([[None, None]] * 2), col(None, None)),
                 "#KAM! members: A listed twice — allowed: each member once", id="a member twice"),
    pytest.param("kam_contact_coverage", (col("A"), col(None), row(3.0, 1.0), col(None)),
                 "#KAM! min_contacts 3 is above max_contacts 1 — allowed: min_contacts ≤ max_contacts",
                 id="min above max"),
]


def test_contact_coverage_by_hand(u):
    """Max Müller: 4 touchpoints, 2 done, within [3, 4], one Manndecker; Olaf Jung: 1 below min 2, two
    Manndeckers; Eva Roth: 2 above max 1, none; Uwe Kern: no target."""
    got = call_classic(u.kam_contact_coverage, col("Max Müller", "Olaf Jung", "Eva Roth", "Uwe Kern"),
                       block([["ja", None], [True, 1.0], [None, None], ["nein", None]]),
                       block([[3.0, 4.0], [2.0, None], [None, 1.0], [None, None]]),
                       block([["Artikel", "Referenz", "Treffen", "Geschenk"], ["Besuch", None, None, None],
                              [None, "Anruf", None, "Brief"], [None, None, None, None]]),
                       block([[True, "ja", None, None], [1.0, None, None, None], [None] * 4, [None] * 4]))
    assert got == [[4.0, 2.0, "im Ziel", 1.0], [1.0, 1.0, "unter Ziel", 2.0], [2.0, 0.0, "über Ziel", 0.0],
                   [0.0, 0.0, "kein Ziel", 0.0]]
    english = call_classic(u.kam_contact_coverage, col("Uwe Kern"), col(None), row(None, None), col(None),
                           VBA_MISSING, "en")
    assert english == [[0.0, 0.0, "no target", 0.0]]


@pytest.mark.parametrize(("name", "cells", "message"), WRONG_INPUTS)
def test_wrong_input_gives_its_text(u, name, cells, message):
    assert call_classic(getattr(u, name), *cells) == [[message]]


def test_an_internal_error_is_a_short_text_not_a_traceback(u, monkeypatch):
    def broken(*args: Any) -> None:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(u.kgb, "score_card", broken)  # the module of the classic-loaded udfs
    assert call_classic(u.kam_kgb_score, CRITERIA, WEIGHTS, SUPPLIERS, RATINGS) == [
        ["#KAM! internal error (ZeroDivisionError: float division by zero) — please report it"]]


# ------------------------------------------------------------------------------- wrappers, help and runtimes

def _public_functions(package: types.ModuleType) -> dict[str, Any]:
    """Every public function defined in the modules of ``package`` that SIGNATURES lists (decorated or not)."""
    found = {}
    for module_name in SIGNATURES:
        module = getattr(package, module_name)
        for name, obj in vars(module).items():
            if inspect.isfunction(obj) and not name.startswith("_") and obj.__module__ == module.__name__:
                found[name] = obj
    return found


def test_every_public_function_is_a_kam_excel_function_with_help(u):
    functions = _public_functions(u)
    assert set(functions) == set(ALL_FUNCTIONS)
    assert set(ALL_FUNCTIONS) <= set(u.__all__)
    for name, f in functions.items():
        info = f.__xlfunc__
        assert info["category"] == "KAM", name
        description = " ".join(f.__doc__.strip().split("\n\n")[0].split())
        assert 40 < len(f.__doc__.strip().split("\n\n")[0]) <= 255, name
        assert info["ret"]["doc"] == f.__doc__
        description.encode("cp1252")  # a VBA module holds ANSI text: no character it cannot hold
        assert [a["name"] for a in info["args"]] == list(inspect.signature(f).parameters), name
        for arg in info["args"]:
            assert arg["doc"] and not arg["doc"].startswith("Positional argument"), (name, arg["name"])
            assert len(arg["doc"]) <= 255, (name, arg["name"])
            arg["doc"].encode("cp1252")
            assert arg["vba"] is None  # no classic-only vba= option: it breaks xlwings Server
            assert arg["options"]["err_to_str"] is True, (name, arg["name"])  # error cells arrive as their text


def test_every_function_is_in_the_vba_module_with_its_signature(u):
    text = vba_module()
    lines = text.splitlines()
    declared = [line for line in lines if line.startswith("Function kam_")]
    for name, signature in ALL_FUNCTIONS.items():
        assert signature in lines, name
        f = getattr(u, name)
        description = " ".join(f.__doc__.strip().split("\n\n")[0].split()).replace('"', '""')
        assert f'Application.MacroOptions Macro:="{name}", Description:="{description}", Category:="KAM"' in text
    assert sorted(declared) == sorted(ALL_FUNCTIONS.values())
    assert all(len(line) <= 1023 for line in lines)  # VBA's longest line
    text.encode("cp1252")


@pytest.fixture(scope="module")
def server_udfs() -> types.ModuleType:
    """``udfs`` as xlwings Server decorates it (its server part needs a licence key; noncommercial here)."""
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    return load_udfs("server")


def test_xlwings_server_lists_every_function_with_its_argument_help(u, server_udfs):
    from xlwings.server import custom_functions_meta

    meta = {f["name"]: f for f in custom_functions_meta(server_udfs)["functions"]}
    assert set(meta) >= {name.upper() for name in ALL_FUNCTIONS}
    for name in ALL_FUNCTIONS:
        function = meta[name.upper()]
        classic = getattr(u, name).__xlfunc__
        assert function["description"] == classic["ret"]["doc"]
        params = [(p["name"], p["description"], p.get("optional", False)) for p in function["parameters"]]
        assert params == [(a["name"], a["doc"], "optional" in a) for a in classic["args"]], name


def test_xlwings_server_calls_the_same_functions(server_udfs):
    # Office.js passes empty cells as "" and single cells as scalars; the same Kgb example gives the same result
    f = server_udfs.kam_kgb_score
    assert f.__xlfunc__["args"][0]["options"] == {"convert": Any, "ndim": 2, "err_to_str": True}
    assert f([["Preis"], ["Service"]], [[40.0], [60.0]], [["Wir", "Nordchem"]], [[60.0, 80.0], [90.0, ""]]) == [
        [78.0, None]]


# --- programme: account selection and ABC/XYZ (issue 12) -------------------------------------------------------------

def test_selection_score_and_rank_by_hand(u) -> None:
    # (60·50 + 40·100) ÷ 100 = 70; the second account lacks a weighted rating: no score, no rank; the third
    # equals the first and ranks after it (by row), before it when its id is lower
    ratings = block([[50, 100], [100, None], [50, 100]])
    assert call_classic(u.kam_selection_score, row(60, 40), ratings) == [[70.0, 1.0], ["", ""], [70.0, 2.0]]
    assert call_classic(u.kam_selection_score, row(60, 40), ratings, col("K9", "K5", "K1")) == [
        [70.0, 2.0], ["", ""], [70.0, 1.0]]
    # a criterion weighted 0 may stay empty
    assert call_classic(u.kam_selection_score, row(75, 25, 0), block([[50, 100, None]])) == [[62.5, 1.0]]


def test_selection_score_says_what_is_wrong(u) -> None:
    assert call_classic(u.kam_selection_score, row(60, 40), block([[50, 120]])) == [
        ["#KAM! ratings: 120 — allowed: 0 to 100"]]
    assert call_classic(u.kam_selection_score, row(60, 40), block([[50, 60, 70]])) == [
        ["#KAM! ratings: 3 columns for 2 weights — allowed: one column per weight"]]
    assert call_classic(u.kam_selection_score, row(60, 40), block([[50, "viel"]])) == [
        ["#KAM! ratings (row 1): cell 2: holds text 'viel' — allowed: a number"]]
    assert call_classic(u.kam_selection_score, row(60, 40), block([[1, 2], [3, 4]]), col("K1", "K1")) == [
        ["#KAM! account_ids: K1 listed twice — allowed: each account once"]]


def test_abc_xyz_by_hand(u) -> None:
    quarters = block([[50, 150, 50, 150], [100, 100, 100, 100], [0, 0, 0, 400], [1, 2, 3, None]])
    got = call_classic(u.kam_abc_xyz, col(50, 30, 15, 5), quarters)
    assert [r[0] for r in got] == ["A", "A", "B", "C"]  # before 0, 50 < 80; 80 < 95; 95 is not < 95
    assert [r[2] for r in got] == ["Y", "X", "Z", ""]
    assert got[0][1] == 0.5 and got[1][1] == 0.0 and got[2][1] == pytest.approx(3 ** 0.5) and got[3][1] == ""
    # ties by id; negative and empty net sales get no class; thresholds are arguments
    ids = col("T2", "T1", "T0", "T3", "T4")
    assert call_classic(u.kam_abc_xyz, col(25, 25, 50, -1, None), VBA_MISSING, ids, 0.6) == [
        ["B", "", ""], ["A", "", ""], ["A", "", ""], ["", "", ""], ["", "", ""]]


def test_abc_xyz_equals_the_controller_on_the_demo(u) -> None:
    from kam_xl.company_settings import CompanySettings
    from kam_xl.selection import classify_accounts, quarter_revenues, selection_inputs

    db = demo_databook()
    items = selection_inputs(db)
    expected = classify_accounts({x.account_id: x.net_sales for x in items}, quarter_revenues(db), CompanySettings())
    revenues = quarter_revenues(db)
    quarters = [[revenues[x.account_id][r.xyz_basis][q] for q in QUARTERS] if r.xyz_basis else [None] * 4
                for x, r in zip(items, expected, strict=True)]
    got = call_classic(u.kam_abc_xyz, col(*(x.net_sales for x in items)), block(quarters),
                       col(*(x.account_id for x in items)))
    assert [[r.abc or "", r.cv if r.cv is not None else "", r.xyz or ""] for r in expected] == got
