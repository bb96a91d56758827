"""Portfolio (Abb. 3 of seed 000): bands, bubble size, Big Step or Out."""

from kam_xl.portfolio import PortfolioInput, big_step_or_out, portfolio_band, portfolio_point


def test_band_boundaries():
    assert portfolio_band(0.1000001) == "high"
    assert portfolio_band(0.10) == "mid"
    assert portfolio_band(0.0) == "mid"
    assert portfolio_band(-0.0001) == "loss"
    assert portfolio_band(None) is None


def test_point_and_margin_weighting():
    item = PortfolioInput(account_id="A", share_of_wallet=0.4, potential=2_000, margin_factor=1.2,
                          cdb_iii=-15_000, cdb_iii_rel=-0.03)
    p = portfolio_point(item)
    assert (p.x, p.y, p.size, p.loss_making, p.band) == (0.4, 2_000, 15_000, True, "loss")
    assert portfolio_point(item, margin_weighted=True).y == 2_400


def test_big_step_or_out_lists_losers_largest_loss_first():
    items = [PortfolioInput(account_id=a, share_of_wallet=0.1, potential=1, cdb_iii=c)
             for a, c in (("A", 10.0), ("B", -5.0), ("C", -50.0), ("D", None))]
    assert [i.account_id for i in big_step_or_out(items)] == ["C", "B"]
