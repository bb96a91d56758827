"""Kgb scorecard (seed 001, "Kriterien gewichten und bewerten")."""

import pytest

from kam_xl.kgb import KgbCard, KgbCriterion, card_scores, normalise_weights, score_card

# The five criteria of seed 001, Tab. 2.2, with weights in points ("im Hundert gewichtet").
CRITERIA = [("Leistungsfähigkeit des Systems", 30), ("Sicherheit des Systems", 25), ("Preis", 20),
            ("Normung nach Standards", 10), ("Lieferzuverlässigkeit", 15)]


def card(ratings, weights=None, **kw):
    crit = [KgbCriterion(name=n, weight=w) for (n, _), w in zip(CRITERIA, weights or [w for _, w in CRITERIA],
                                                                   strict=True)]
    return KgbCard(segment="Retentionssysteme", criteria=crit, own_supplier="Wir",
                   ratings={s: dict(zip([n for n, _ in CRITERIA], r, strict=True)) for s, r in ratings.items()},
                   **kw)


def test_scores_rank_gaps_and_drivers_by_hand():
    r = score_card(card({"Wir": [80, 90, 60, 100, 70], "Nordchem": [70, 80, 90, 100, 80],
                         "BaSiCo": [90, 60, 70, 50, 90]}))
    # Wir: .30*80 + .25*90 + .20*60 + .10*100 + .15*70 = 24 + 22.5 + 12 + 10 + 10.5 = 79
    assert r.scores["Wir"] == pytest.approx(79.0)
    # Nordchem: 21 + 20 + 18 + 10 + 12 = 81 ; BaSiCo: 27 + 15 + 14 + 5 + 13.5 = 74.5
    assert r.scores["Nordchem"] == pytest.approx(81.0)
    assert r.scores["BaSiCo"] == pytest.approx(74.5)
    assert r.rank == ["Nordchem", "Wir", "BaSiCo"]
    by = {c.criterion: c for c in r.criteria}
    # gap to best competitor: .30 × (80 − 90) = −3 ; .20 × (60 − 90) = −6 ; .25 × (90 − 80) = 2.5
    assert by["Leistungsfähigkeit des Systems"].gap_to_best == pytest.approx(-3.0)
    assert by["Preis"].gap_to_best == pytest.approx(-6.0)
    assert by["Sicherheit des Systems"].gap_to_best == pytest.approx(2.5)
    # improvement potential .30×20=6, .25×10=2.5, .20×40=8, .10×0=0, .15×30=4.5
    assert [by[n].improvement_potential for n, _ in CRITERIA] == pytest.approx([6, 2.5, 8, 0, 4.5])
    assert r.value_drivers == ["Preis", "Leistungsfähigkeit des Systems", "Lieferzuverlässigkeit",
                               "Sicherheit des Systems", "Normung nach Standards"]


def test_fractions_and_points_give_the_same_score():
    ratings = {"Wir": [80, 90, 60, 100, 70], "X": [50, 50, 50, 50, 50]}
    points = score_card(card(ratings))
    fractions = score_card(card(ratings, weights=[0.30, 0.25, 0.20, 0.10, 0.15]))
    assert points.scores == pytest.approx(fractions.scores)


def test_wrong_weight_sum_names_the_sum_unless_normalised():
    with pytest.raises(ValueError, match="Kgb weights sum to 90 — allowed: fractions summing to 1 or points"):
        card({"Wir": [1, 1, 1, 1, 1]}, weights=[30, 25, 20, 10, 5])
    r = score_card(card({"Wir": [100, 100, 100, 100, 0]}, weights=[30, 25, 20, 10, 5], normalise=True))
    assert r.scores["Wir"] == pytest.approx(85 / 90 * 100)
    assert normalise_weights([1, 3], normalise=True) == [0.25, 0.75]
    with pytest.raises(ValueError, match="a number ≥ 0"):
        normalise_weights([-10, 110])


def test_rating_outside_0_100_is_an_error():
    with pytest.raises(ValueError, match="rating 101 of 'Wir' for 'Preis' — allowed: 0 to 100"):
        card({"Wir": [80, 90, 101, 100, 70]})


def test_missing_rating_makes_score_incomplete_not_zero():
    r = score_card(card({"Wir": [80, 90, 60, 100, 70], "Nordchem": [70, None, 90, 100, 80]}))
    assert r.scores["Nordchem"] is None
    assert r.incomplete == {"Nordchem": ["Sicherheit des Systems"]}
    assert r.rank == ["Wir"]
    by = {c.criterion: c for c in r.criteria}
    assert by["Sicherheit des Systems"].best_competitor is None
    assert by["Sicherheit des Systems"].gap_to_best is None


def test_card_scores_are_score_cards_scores_and_rank():
    """What the report takes (card_scores) is what score_card gives: a tie keeps card order, a supplier with
    a missing rating is unscored, named with its missing criteria and left out of the ranking."""
    c = card({"Wir": [80, 90, 60, 100, 70], "Nordchem": [70, 80, 90, 100, 80], "Tie": [80, 90, 60, 100, 70],
              "Gap": [None, 80, 90, None, 80]})
    s = card_scores(c)
    assert s.scores == {"Wir": pytest.approx(79.0), "Nordchem": pytest.approx(81.0), "Tie": pytest.approx(79.0),
                        "Gap": None}
    assert s.rank == ["Nordchem", "Wir", "Tie"]
    assert s.incomplete == {"Gap": ["Leistungsfähigkeit des Systems", "Normung nach Standards"]}
    r = score_card(c)
    assert (r.scores, r.incomplete, r.rank) == (s.scores, s.incomplete, s.rank)


def test_card_rules():
    with pytest.raises(ValueError, match="own supplier 'Wir' has no ratings"):
        KgbCard(segment="S", criteria=[KgbCriterion(name="Preis", weight=100)], own_supplier="Wir",
                ratings={"X": {"Preis": 50}})
    with pytest.raises(ValueError, match="unknown criterion 'Farbe'"):
        KgbCard(segment="S", criteria=[KgbCriterion(name="Preis", weight=100)], own_supplier="Wir",
                ratings={"Wir": {"Farbe": 50}})
    with pytest.raises(ValueError, match="listed twice: Preis"):
        KgbCard(segment="S", criteria=[KgbCriterion(name="Preis", weight=50)] * 2, own_supplier="Wir",
                ratings={"Wir": {}})
    c = card({"Wir": [1, 1, 1, 1, 1]}, supplier_role="Vorzugslieferant")
    assert score_card(c).supplier_role == "Vorzugslieferant"
    with pytest.raises(ValueError, match="Systempartner"):
        card({"Wir": [1, 1, 1, 1, 1]}, supplier_role="Hauptlieferant")
