"""Invariants of the methods, checked with hypothesis over generated inputs."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kam_xl.cdb import ActivityLine, CdbInput, cdb_statement
from kam_xl.excellence import Answer, Response, load_catalogue, score_response
from kam_xl.kgb import KgbCard, KgbCriterion, score_card
from kam_xl.maths import allocate_largest_remainder

CAT = load_catalogue()
IDS = [r.criterion.id for r in CAT.criteria()]
money = st.floats(min_value=0, max_value=1e8, allow_nan=False, allow_infinity=False)
settings.register_profile("ci", max_examples=150, deadline=None)
settings.load_profile("ci")


@given(total=st.integers(min_value=0, max_value=2_000).map(lambda n: n / 10),
       shares=st.lists(st.floats(min_value=0, max_value=1_000, allow_nan=False), min_size=1, max_size=40)
       .filter(lambda s: sum(s) > 0),
       step=st.sampled_from([0.1, 0.25, 0.5, 1.0]))
def test_target_fte_total_kept_exactly(total, shares, step):
    parts = allocate_largest_remainder(total, shares, step)
    assert sum(Decimal(repr(p)) for p in parts) == Decimal(repr(total))
    assert all(p >= 0 for p in parts)
    # all but at most one part are multiples of the step
    off = [p for p in parts if (Decimal(repr(p)) / Decimal(repr(step))) % 1 != 0]
    assert len(off) <= 1


@given(weights=st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=8).filter(lambda w: sum(w) > 0),
       data=st.data())
def test_kgb_score_between_lowest_and_highest_rating(weights, data):
    ratings = data.draw(st.lists(st.floats(min_value=0, max_value=100), min_size=len(weights),
                                 max_size=len(weights)))
    names = [f"K{i}" for i in range(len(weights))]
    card = KgbCard(segment="S", own_supplier="Wir", normalise=True,
                   criteria=[KgbCriterion(name=n, weight=w) for n, w in zip(names, weights, strict=True)],
                   ratings={"Wir": dict(zip(names, ratings, strict=True))})
    score = score_card(card).scores["Wir"]
    weighted = [r for r, w in zip(ratings, weights, strict=True) if w > 0]
    assert min(weighted) - 1e-9 <= score <= max(weighted) + 1e-9


@given(answers=st.dictionaries(st.sampled_from(IDS), st.sampled_from([0, 25, 50, 75, 100, None]), max_size=62),
       nr=st.sampled_from(IDS))
def test_not_relevant_never_changes_other_scores(answers, nr):
    base = {k: v for k, v in answers.items() if k != nr}
    without = score_response(CAT, Response(respondent="A", answers=[Answer(criterion_id=k, rating=v)
                                                                     for k, v in base.items()]))
    with_nr = score_response(CAT, Response(respondent="A", answers=[
        *(Answer(criterion_id=k, rating=v) for k, v in base.items()), Answer(criterion_id=nr, rating="n.r.")]))
    assert {k: v.score for k, v in without.sections.items()} == {k: v.score for k, v in with_nr.sections.items()}
    assert {k: v.score for k, v in without.dimensions.items()} == {k: v.score
                                                                    for k, v in with_nr.dimensions.items()}
    assert without.overall == with_nr.overall


@given(gross=money, deductions=money, product=money, freight=money, dev=money, prod=money, service=money,
       sales=money, qty=st.floats(0, 1e4), rate=st.floats(0, 1e4),
       stage=st.sampled_from(["development", "production", "service", "sales"]))
def test_cdb_levels_differ_exactly_by_their_cost_lines(gross, deductions, product, freight, dev, prod, service,
                                                       sales, qty, rate, stage):
    s = cdb_statement(CdbInput(gross_sales=gross, deductions=deductions, product_cost=product, freight=freight,
                               development_cost=dev, production_cost=prod, service_cost=service,
                               sales_cost=sales),
                      [ActivityLine(activity="a", stage=stage, driver_quantity=qty, cost_rate=rate)])
    assert s.net_sales == gross - deductions
    assert s.cdb_i == s.net_sales - s.product_cost - s.freight
    assert s.cdb_ii == s.cdb_i - s.development_cost - s.production_cost
    assert s.cdb_iii == s.cdb_ii - s.service_cost - s.sales_cost
    assert getattr(s, f"{stage}_cost") == {"development": dev, "production": prod, "service": service,
                                           "sales": sales}[stage] + qty * rate
