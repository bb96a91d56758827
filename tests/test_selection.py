"""Account selection for growth and ABC/XYZ (kam_xl.selection): every expected number worked out by hand in the
comments."""

from __future__ import annotations

from typing import Any

import pytest

from kam_xl.company_settings import CompanySettings
from kam_xl.databook import AccountRow, DataBook
from kam_xl.selection import (
    SelectionInput,
    abc_classes,
    classify_accounts,
    coefficient_of_variation,
    derived_ratings,
    quarter_revenues,
    select_accounts,
    selection_inputs,
    xyz_of,
)

WEIGHTS = {"volume": 30.0, "philosophy_fit": 10.0, "base_load": 10.0, "potential": 20.0, "earnings": 10.0,
           "openness": 10.0, "barriers": 10.0}
SOFT = ("philosophy_fit", "base_load", "openness", "barriers")


def _soft(*values: float) -> dict[str, float]:
    return dict(zip(SOFT, values, strict=True))


YES = dict.fromkeys(("has_potential", "grows", "willing"), True)
ITEMS = [
    # derived: volume over net sales 1000 / 3000 / 2000 → 0 / 100 / 50; earnings over CDB III rel 0.10 / 0.30 /
    # none → 0 / 100 / none; potential over 500 / 500 / 1500 → 0 / 0 / 100; K4 has none of the three figures
    SelectionInput(account_id="K1", ratings=_soft(80, 60, 70, 50), filters=YES, net_sales=1000.0,
                   cdb_iii_rel=0.10, potential=500.0),
    SelectionInput(account_id="K2", ratings={"volume": 40.0, **_soft(50, 50, 50, 50)},
                   filters={**YES, "willing": False}, net_sales=3000.0, cdb_iii_rel=0.30, potential=500.0),
    SelectionInput(account_id="K3", ratings=_soft(90, 90, 90, 90), filters={**YES, "grows": None},
                   net_sales=2000.0, cdb_iii_rel=None, potential=1500.0),
    SelectionInput(account_id="K4", ratings=dict.fromkeys(WEIGHTS, 26.0), filters={}),
]


def test_scores_ranks_candidates_and_derived_ratings_by_hand() -> None:
    r = {x.account_id: x for x in select_accounts(ITEMS, WEIGHTS)}
    # K1: 30·0 + 10·80 + 10·60 + 20·0 + 10·0 + 10·70 + 10·50 = 2600 → ÷ 100 = 26
    assert (r["K1"].score, r["K1"].incomplete) == (26.0, [])
    assert r["K1"].derived == {"volume": 0.0, "earnings": 0.0, "potential": 0.0}
    # K2: the typed volume 40 wins over the derived 100: 1200 + 500 + 500 + 0 + 1000 + 500 + 500 = 4200 → 42;
    # only the ratings that were derived are listed as derived
    assert r["K2"].score == 42.0 and r["K2"].derived == {"earnings": 100.0, "potential": 0.0}
    assert derived_ratings(ITEMS)[1]["volume"] == 100.0
    # K3: no CDB III rel, nothing typed for earnings → incomplete, no score, no rank
    assert (r["K3"].score, r["K3"].rank, r["K3"].incomplete) == (None, None, ["earnings"])
    assert r["K3"].derived == {"volume": 50.0, "earnings": None, "potential": 100.0}
    # K4: 26 everywhere = 26, the same as K1: the lower account id ranks first; everything typed, nothing derived
    assert (r["K4"].score, r["K4"].derived) == (26.0, {})
    assert [r[k].rank for k in ("K2", "K1", "K4")] == [1, 2, 3]
    assert [r[k].growth_candidate for k in ("K1", "K2", "K3", "K4")] == [True, False, None, None]


def test_a_criterion_weighted_zero_may_stay_empty_and_all_zero_weights_give_no_score() -> None:
    item = SelectionInput(account_id="K9", ratings={"volume": 50.0, "openness": 100.0})
    weights = {c: 0.0 for c in WEIGHTS} | {"volume": 75.0, "openness": 25.0}
    (res,) = select_accounts([item], weights)
    assert (res.score, res.rank, res.incomplete) == (62.5, 1, [])  # (75·50 + 25·100) ÷ 100
    (res,) = select_accounts([item], dict.fromkeys(WEIGHTS, 0.0))
    assert (res.score, res.rank) == (None, None)


def test_derived_ratings_are_none_when_every_account_has_the_same_value() -> None:
    items = [SelectionInput(account_id=a, net_sales=500.0) for a in ("A", "B")]
    assert [x.derived["volume"] for x in select_accounts(items, WEIGHTS)] == [None, None]


def test_abc_sorts_by_net_sales_ties_by_id_and_compares_by_multiplying() -> None:
    # 50 / 30 / 15 / 5 of 100: before 0 and 50 are below 80 (A — the account crossing 80 % is A), 80 is below
    # 95 (B), 95 is not (C); K5 has no net sales and K6 negative ones: no class, not in the total
    sales: dict[str, float | None] = {"K4": 5.0, "K2": 30.0, "K1": 50.0, "K3": 15.0, "K5": None, "K6": -10.0}
    assert abc_classes(sales) == {"K4": "C", "K2": "A", "K1": "A", "K3": "B", "K5": None, "K6": None}
    # equal net sales: the lower id comes first; with abc_a 0.6 the second of the tie is B (before 75 ≥ 60)
    assert abc_classes({"T2": 25.0, "T1": 25.0, "T0": 50.0}, 0.6) == {"T2": "B", "T1": "A", "T0": "A"}
    assert abc_classes({"T2": 25.0, "T3": 25.0, "T0": 50.0}, 0.6) == {"T2": "A", "T3": "B", "T0": "A"}


def test_xyz_from_the_quarterly_revenues() -> None:
    # mean 100, deviations ±50 → sd 50, cv 0.5 → Y (≤ 0.5); 0/0/0/400: sd √30000 = 173.2 → cv 1.732 → Z
    assert coefficient_of_variation([50.0, 150.0, 50.0, 150.0]) == 0.5
    assert coefficient_of_variation([0.0, 0.0, 0.0, 400.0]) == pytest.approx(3 ** 0.5)
    assert coefficient_of_variation([0.0] * 4) is None and coefficient_of_variation([1.0, 2.0, 3.0]) is None
    full = {1: 100.0, 2: 100.0, 3: 100.0, 4: 100.0}
    assert xyz_of({"plan": {1: 50.0, 2: 150.0, 3: 50.0, 4: 150.0}, "actual": full}) == ("X", 0.0, "actual")
    assert xyz_of({"plan": {1: 50.0, 2: 150.0, 3: 50.0, 4: 150.0}, "actual": {1: 90.0}}) == ("Y", 0.5, "plan")
    assert xyz_of({"plan": {1: 50.0, 2: 150.0}, "actual": {}}) == (None, None, "plan")
    assert xyz_of({}) == (None, None, None)
    # thresholds are settings: with xyz_y 0.4 the cv 0.5 is Z
    res = classify_accounts({"K1": 10.0}, {"K1": {"plan": {1: 50.0, 2: 150.0, 3: 50.0, 4: 150.0}}},
                            CompanySettings(xyz_x=0.2, xyz_y=0.4))
    assert res[0].model_dump() == {"account_id": "K1", "abc": "A", "xyz": "Z", "cv": 0.5, "xyz_basis": "plan"}


def _cdb(aid: str, year: int, gross: float, cost: float) -> dict[str, Any]:
    return {"account_id": aid, "year": year, "gross_sales": gross, "deductions": 0.0, "product_cost": cost,
            "freight": 0.0, "development_cost": 0.0, "production_cost": 0.0, "service_cost": 0.0,
            "sales_cost": 0.0}


def _kaop(aid: str, scenario: str, revenues: dict[int, float]) -> list[dict[str, Any]]:
    return [{"account_id": aid, "year": 2026, "scenario": scenario, "quarter": q, "product": "P", "volume": v,
             "price": 1.0, "share_of_wallet": None} for q, v in revenues.items()]


def test_from_a_data_book_the_latest_cdb_and_portfolio_years_and_the_kaop_plan_year() -> None:
    accounts = [AccountRow(account_id=a, name=a, region="Nord", plan_year=2026) for a in ("K1", "K2", "K3")]
    db = DataBook(source="test", accounts=accounts, tables={
        # the latest cdb year is 2025: K3 has only 2024, so no net sales for the comparison
        "cdb": [_cdb("K1", 2025, 1000.0, 900.0), _cdb("K2", 2025, 4000.0, 3000.0), _cdb("K3", 2024, 9000.0, 0.0)],
        "portfolio": [{"account_id": "K1", "year": 2025, "potential": 300.0, "share_of_wallet": 0.5},
                      {"account_id": "K1", "year": 2024, "potential": 999.0, "share_of_wallet": 0.5}],
        "selection": [{"account_id": "K2", "criterion": "openness", "rating": 80.0},
                      {"account_id": "K2", "criterion": "barriers", "rating": None}],
        "growth_filters": [{"account_id": "K1", "has_potential": "ja", "grows": "ja", "willing": "nein"}],
        "kaop_products": [*_kaop("K1", "plan", {1: 50.0, 2: 150.0, 3: 50.0, 4: 150.0}),
                          *_kaop("K1", "actual", {1: 100.0, 2: 100.0})],
        "kaop_costs": []})
    items = {x.account_id: x for x in selection_inputs(db)}
    assert (items["K1"].net_sales, items["K1"].cdb_iii_rel, items["K1"].potential) == (1000.0, 0.1, 300.0)
    assert (items["K2"].net_sales, items["K2"].cdb_iii_rel, items["K2"].potential) == (4000.0, 0.25, None)
    assert (items["K3"].net_sales, items["K3"].cdb_iii_rel) == (None, None)
    assert items["K2"].ratings == {"openness": 80.0}
    assert items["K1"].filters == {"has_potential": True, "grows": True, "willing": False}
    assert items["K2"].filters == {"has_potential": None, "grows": None, "willing": None}
    quarters = quarter_revenues(db)
    assert quarters == {"K1": {"plan": {1: 50.0, 2: 150.0, 3: 50.0, 4: 150.0}, "actual": {1: 100.0, 2: 100.0}}}
    assert xyz_of(quarters["K1"]) == ("Y", 0.5, "plan")


def test_the_fast_rank_is_the_house_rank() -> None:
    """rank_of_scores and kam_xl.kgb.rank_positions (O(n log n), one implementation) rank as the sheet's rank
    formula counts, pair by pair: 1 + the values larger by more than the tolerance + the earlier values within it
    — ties within the tolerance, earlier first, None unranked — on values with many exact and near ties."""
    import random

    from kam_xl.kgb import RANK_TOLERANCE, rank_positions
    from kam_xl.selection import rank_of_scores

    def every_pair(values: list[float | None]) -> list[int | None]:
        return [None if v is None else
                1 + sum(1 for x in values if x is not None and x > v + RANK_TOLERANCE)
                + sum(1 for x in values[:i] if x is not None and abs(x - v) <= RANK_TOLERANCE)
                for i, v in enumerate(values)]

    rng = random.Random(12)
    for _ in range(200):
        values = [None if rng.random() < 0.1 else rng.choice([10.0, 20.0, 20.0 + 1e-10, 20.0 + 1e-8, 30.0])
                  + rng.randrange(3) * 5 for _ in range(rng.randrange(1, 25))]
        assert rank_of_scores(values) == rank_positions(values) == every_pair(values), values
