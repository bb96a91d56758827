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


def test_big_step_or_out_lists_equal_losses_as_given_and_never_fails_on_losses_a_hair_apart():
    def ids(losses):
        return [i.account_id for i in big_step_or_out([PortfolioInput(account_id=a, share_of_wallet=0, potential=0,
                                                                      cdb_iii=c) for a, c in losses])]

    assert ids((("Z", -5.0), ("A", -7.0), ("M", -5.0), ("B", 3.0))) == ["A", "Z", "M"]
    # each within the rank tolerance (1e-9) of the next but not of the one after: the ranks of such a chain can
    # collide (the sheet's MATCH then finds one account twice); kam_xl lists each loser once, largest loss first
    assert ids((("A", -5.0), ("B", -5.0 + 0.6e-9), ("C", -5.0 + 1.2e-9))) == ["A", "B", "C"]
