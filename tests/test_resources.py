"""Resource distribution (seed 000, Abb. 5)."""

import pytest

from kam_xl.resources import ResourceCell, TargetWeights, allocate_fte, analyse_resources, moved_share


def cells():
    return [
        ResourceCell(region="Nord", account_id="A", field_sales_fte=2, inside_sales_fte=1, tech_service_fte=1,
                     communication=10_000, actual_volume=100, actual_revenue=400_000, potential=100),
        ResourceCell(region="Nord", account_id=None, field_sales_fte=1, inside_sales_fte=1, tech_service_fte=0,
                     communication=5_000, actual_volume=50, actual_revenue=200_000, potential=100),
        ResourceCell(region="Süd", account_id="B", field_sales_fte=1, inside_sales_fte=0.5, tech_service_fte=0.5,
                     communication=5_000, actual_volume=50, actual_revenue=400_000, potential=200),
    ]


def test_shares_consistency_moved_share_and_target_by_hand():
    a = analyse_resources(cells(), market_sizes={"Nord": 600, "Süd": 400})
    assert a.total_fte == 8
    c_a, _small, c_b = a.cells
    assert c_a.resource_share == 0.5 and c_a.potential_share == 0.25
    assert c_a.consistency == 2.0
    assert c_b.resource_share == 0.25 and c_b.potential_share == 0.5 and c_b.consistency == 0.5
    assert c_a.shares["communication"] == 0.5
    assert c_a.region_shares["total_fte"] == pytest.approx(4 / 6)
    # ½ (|.5−.25| + |.25−.25| + |.25−.5|) = 0.25
    assert a.moved_share == pytest.approx(0.25)
    assert [c.target_fte for c in a.cells] == [2.0, 2.0, 4.0]
    assert [c.delta_fte for c in a.cells] == [-2.0, 0.0, 2.0]
    nord, sued = a.regions
    assert (nord.actual_fte, nord.target_fte, nord.delta_fte) == (6, 4, -2)
    assert nord.market_share == 0.6
    assert nord.market_consistency == pytest.approx(0.75 / 0.6)
    assert sued.delta_fte == 2


def test_revenue_weighted_target():
    a = analyse_resources(cells(), weights=TargetWeights(potential=0.5, revenue=0.5), step=0.1)
    # revenue shares .4/.2/.4 ; potential .25/.25/.5 → blend .325/.225/.45 of 8 FTE = 2.6/1.8/3.6
    assert [c.target_share for c in a.cells] == pytest.approx([0.325, 0.225, 0.45])
    assert [c.target_fte for c in a.cells] == pytest.approx([2.6, 1.8, 3.6])


def test_largest_remainder_keeps_the_total():
    assert allocate_fte(10, [1, 1, 1], step=0.5) == [3.5, 3.5, 3.0]
    assert sum(allocate_fte(7.5, [0.37, 0.21, 0.42], step=0.5)) == 7.5
    assert allocate_fte(3.2, [1, 2, 5], step=0.5) == [0.5, 0.5, 2.2]  # 0.2 below one step → largest cell
    with pytest.raises(ValueError, match="step 0 — allowed: a finite number > 0"):
        allocate_fte(1, [1], step=0)


def test_error_cases():
    with pytest.raises(ValueError, match="potential is 0 in every cell"):
        analyse_resources([ResourceCell(region="N", account_id="A", field_sales_fte=1)])
    with pytest.raises(ValueError, match="listed twice: N/Small Accounts"):
        analyse_resources([ResourceCell(region="N", potential=1)] * 2)
    with pytest.raises(ValueError, match="both 0"):
        TargetWeights(potential=0, revenue=0)
    with pytest.raises(ValueError, match="no resource cells"):
        analyse_resources([])
    assert moved_share([None], [1.0]) is None
