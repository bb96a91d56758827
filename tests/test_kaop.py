"""KAOP: Tabelle 8 of seed 000 rebuilt from its drivers, plan vs actual, seasonality split."""

import pytest
from shared import tabelle_8

from kam_xl.kaop import (
    CostQuarter,
    KaopMeasure,
    PotentialGoal,
    ProductQuarter,
    Thresholds,
    compare,
    kaop_plan,
    split_by_seasonality,
    traffic_light,
)


def test_tabelle_8_to_the_euro():
    plan = kaop_plan(*tabelle_8())
    assert [plan.quarters[q].revenue for q in (1, 2, 3, 4)] == [2_496_000, 2_822_700, 2_994_720, 2_986_660]
    assert plan.year.revenue == 11_300_080
    assert [round(plan.quarters[q].profit) for q in (1, 2, 3, 4)] == [116_520, 51_724, 249_866, 196_599]
    assert round(plan.year.profit) == 614_710
    assert round(plan.year.profit_rel * 100, 1) == 5.4
    # the table's cost lines: Fracht, Produktkosten, Sonstige Kosten, Gesamt
    assert round(plan.quarters[1].costs["freight"]) == 499_200
    assert round(plan.quarters[3].costs["product_cost"]) == 1_796_832
    assert round(plan.year.costs["other"]) == 904_006
    assert round(plan.year.total_cost) == 10_685_370
    assert [round(plan.quarters[q].profit_rel * 100) for q in (1, 2, 3, 4)] == [5, 2, 8, 7]
    # year price is volume-weighted: 881,080 € / 90 = 9,789.78 ≈ 9,790 as printed
    assert plan.year.price["Dyestuffs"] == pytest.approx(881_080 / 90)
    assert round(plan.year.price["Dyestuffs"]) == 9_790
    assert plan.year.price["Retention/Fixation"] == 2_300
    assert plan.year.volume == {"Dyestuffs": 90, "Retention/Fixation": 4_530}
    # share of wallet of the year = mean of the quarters: 26.25 % and 31.5 % (table: 26,5 / 31,5)
    assert plan.year.share_of_wallet["Retention/Fixation"] == pytest.approx(0.315)
    assert plan.complete


def test_plan_vs_actual_ytd_forecast_and_lights():
    products, costs = tabelle_8()
    plan = kaop_plan(products, costs)
    # actuals for Q1 and Q2: Q1 exactly on plan, Q2 Retention/Fixation sold 1,000 instead of 1,125
    actual_products = [p for p in products if p.quarter == 1]
    actual_products += [ProductQuarter(product="Dyestuffs", quarter=2, volume=24, price=9_800),
                        ProductQuarter(product="Retention/Fixation", quarter=2, volume=1_000, price=2_300)]
    actual = kaop_plan(actual_products, [c for c in costs if c.quarter in (1, 2)])
    cmp = compare(plan, actual)
    assert cmp.closed_quarters == [1, 2]
    rev = cmp.lines["revenue"]
    q2_actual = 24 * 9_800 + 1_000 * 2_300  # 2,535,200
    assert rev.quarters[2].actual == q2_actual
    assert rev.quarters[2].variance == q2_actual - 2_822_700 == -287_500
    assert rev.quarters[2].attainment == pytest.approx(q2_actual / 2_822_700)  # 89.8 %
    assert rev.quarters[2].light == "red"
    assert rev.quarters[1].light == "green"
    assert rev.quarters[3].actual is None and rev.quarters[3].light is None
    assert rev.ytd.plan == 2_496_000 + 2_822_700
    assert rev.ytd.actual == 2_496_000 + q2_actual
    # rolling forecast: actual Q1+Q2 + plan Q3+Q4
    assert rev.forecast == 2_496_000 + q2_actual + 2_994_720 + 2_986_660
    assert rev.forecast_vs_plan.plan == 11_300_080
    assert cmp.lines["volume.Retention/Fixation"].ytd.variance == -125
    # costs: lower is better — product cost fell with revenue, so green
    assert cmp.lines["cost.product_cost"].quarters[2].light == "green"


def test_reforecast_replaces_plan_of_open_quarters():
    products, costs = tabelle_8()
    plan = kaop_plan(products, costs)
    actual = kaop_plan([p for p in products if p.quarter == 1], [c for c in costs if c.quarter == 1])
    refc = kaop_plan([ProductQuarter(product="Dyestuffs", quarter=q, volume=10, price=10_000) for q in (2, 3, 4)],
                     [])
    line = compare(plan, actual, reforecast=refc).lines["revenue"]
    assert line.forecast == 2_496_000 + 3 * 100_000


def test_traffic_light_thresholds():
    t = Thresholds(green=1.0, amber=0.9)
    assert traffic_light(95, 100, t) == "amber"
    assert traffic_light(89, 100, t) == "red"
    assert traffic_light(100, 100, t) == "green"
    assert traffic_light(109, 100, t, higher_is_better=False) == "amber"
    assert traffic_light(111, 100, t, higher_is_better=False) == "red"
    # planned loss: attainment undefined, light by the sign of the variance
    assert traffic_light(-50, -100) == "green"
    assert traffic_light(-150, -100) == "red"
    assert traffic_light(None, 100) is None
    with pytest.raises(ValueError, match="amber threshold 1.1 above green 1"):
        Thresholds(green=1.0, amber=1.1)


def test_split_by_seasonality_keeps_the_total():
    assert split_by_seasonality(11_300_080, [22, 25, 27, 26]) == pytest.approx(
        [2_486_017.6, 2_825_020, 3_051_021.6, 2_938_020.8])
    quarters = split_by_seasonality(1_000, [1, 1, 1, 0], step=1)
    assert quarters == [334.0, 333.0, 333.0, 0.0]
    assert split_by_seasonality(-400, [1, 1, 1, 1], step=1) == [-100.0] * 4
    with pytest.raises(ValueError, match="positive sum"):
        split_by_seasonality(100, [0, 0, 0, 0])


def test_cost_needs_exactly_one_of_amount_and_rate():
    with pytest.raises(ValueError, match="exactly one of amount and rate_of_revenue"):
        CostQuarter(category="freight", quarter=1, amount=10, rate_of_revenue=0.1)
    with pytest.raises(ValueError, match="exactly one"):
        CostQuarter(category="freight", quarter=1)


def test_duplicate_rows_and_zero_revenue():
    with pytest.raises(ValueError, match="'A' given twice for Q1"):
        kaop_plan([ProductQuarter(product="A", quarter=1, volume=1, price=1)] * 2, [])
    with pytest.raises(ValueError, match="'other' given twice for Q2"):
        kaop_plan([], [CostQuarter(category="other", quarter=2, amount=1)] * 2)
    plan = kaop_plan([ProductQuarter(product="A", quarter=1, volume=0, price=5)],
                     [CostQuarter(category="other", quarter=1, amount=100)])
    assert plan.quarters[1].profit == -100
    assert plan.quarters[1].profit_rel is None  # undefined, not 0
    assert plan.year.price["A"] is None
    assert not plan.complete


def test_quarters_from_rows_in_any_order_products_absent_and_cost_only_quarters():
    """Rows are grouped by quarter whatever their order; a product without a row in a quarter has volume 0 and
    no price there; a quarter with cost lines alone is present with revenue 0; a rate applies to its quarter's
    revenue only."""
    plan = kaop_plan(
        [ProductQuarter(product="B", quarter=3, volume=2, price=50),
         ProductQuarter(product="A", quarter=1, volume=10, price=3, share_of_wallet=0.2),
         ProductQuarter(product="A", quarter=3, volume=5, price=4, share_of_wallet=0.4)],
        [CostQuarter(category="freight", quarter=3, rate_of_revenue=0.5),
         CostQuarter(category="other", quarter=2, amount=7),
         CostQuarter(category="freight", quarter=1, amount=1)])
    assert plan.products == ["B", "A"]
    assert list(plan.quarters) == [1, 2, 3]
    q1, q2, q3 = plan.quarters[1], plan.quarters[2], plan.quarters[3]
    assert (q1.volume, q1.price, q1.revenue) == ({"B": 0.0, "A": 10.0}, {"B": None, "A": 3.0}, 30.0)
    assert (q2.revenue, q2.total_cost, q2.profit, q2.profit_rel) == (0.0, 7.0, -7.0, None)
    assert q2.costs == {"sales_staff": 0.0, "tech_service": 0.0, "freight": 0.0, "product_cost": 0.0, "other": 7.0}
    assert (q3.revenue_by_product, q3.costs["freight"], q3.profit) == ({"B": 100.0, "A": 20.0}, 60.0, 60.0)
    assert (plan.year.revenue, plan.year.total_cost, plan.year.profit) == (150.0, 68.0, 82.0)
    assert plan.year.volume == {"B": 2.0, "A": 15.0}
    assert plan.year.price == {"B": 50.0, "A": 50 / 15}
    assert plan.year.share_of_wallet == {"B": None, "A": pytest.approx(0.3)}


def test_potential_goals_and_measures():
    goal = PotentialGoal(goal="Technikumsversuche mit neuer Rezeptur", metric="Versuche", unit="Anzahl",
                         targets={1: 2, 2: 3, 3: 0}, actuals={1: 1, 2: 3})
    assert goal.attainment() == {1: 0.5, 2: 1.0, 3: None, 4: None}
    m = KaopMeasure(measure="Anwendungsschulung", lever="Person", due_quarter=2)
    assert m.status == "offen"
    with pytest.raises(ValueError, match="Produkt"):
        KaopMeasure(measure="x", lever="Marketing")
