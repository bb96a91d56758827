"""CDB I–III and activity-based costing (seed 000, Kundendeckungsbeitrag III)."""

import pytest
from pydantic import ValidationError

from kam_xl.cdb import STATEMENT_LINES, ActivityLine, CdbInput, activity_cost_by_stage, cdb_statement


def test_statement_by_hand():
    s = cdb_statement(CdbInput(gross_sales=1_000_000, deductions=50_000, product_cost=500_000, freight=40_000,
                               development_cost=30_000, production_cost=20_000, service_cost=60_000,
                               sales_cost=70_000))
    assert s.net_sales == 950_000
    assert s.cdb_i == 950_000 - 500_000 - 40_000 == 410_000
    assert s.cdb_ii == 410_000 - 30_000 - 20_000 == 360_000
    assert s.cdb_iii == 360_000 - 60_000 - 70_000 == 230_000
    assert s.cdb_iii_rel == pytest.approx(230_000 / 950_000)
    assert s.cdb_i_rel == pytest.approx(410_000 / 950_000)


def test_activity_lines_are_added_to_their_stage():
    acts = [ActivityLine(activity="Technikumsversuche", stage="development", driver_quantity=4, cost_rate=2_500),
            ActivityLine(activity="Musterversand", stage="service", driver_quantity=30, cost_rate=120),
            ActivityLine(activity="Besuche", stage="service", driver_quantity=10, cost_rate=400)]
    assert activity_cost_by_stage(acts) == {"development": 10_000, "production": 0, "service": 7_600,
                                            "sales": 0}
    base = CdbInput(gross_sales=500_000, product_cost=300_000, service_cost=10_000)
    s = cdb_statement(base, acts)
    assert s.development_cost == 10_000
    assert s.service_cost == 17_600
    assert s.cdb_iii == 500_000 - 300_000 - 10_000 - 17_600 == 172_400
    assert s.activity_cost["service"] == 7_600


def test_zero_net_sales_gives_undefined_relative_values():
    s = cdb_statement(CdbInput(gross_sales=100, deductions=100, sales_cost=50))
    assert s.net_sales == 0
    assert s.cdb_iii == -50
    assert (s.cdb_i_rel, s.cdb_ii_rel, s.cdb_iii_rel) == (None, None, None)


def test_negative_amounts_are_rejected_with_the_field_named():
    with pytest.raises(ValidationError, match="freight"):
        CdbInput(gross_sales=100, freight=-1)
    with pytest.raises(ValidationError, match="stage"):
        ActivityLine(activity="x", stage="marketing", driver_quantity=1, cost_rate=1)


def test_statement_lines_cover_every_field_in_order():
    fields = [f for f, *_ in STATEMENT_LINES]
    s = cdb_statement(CdbInput(gross_sales=1))
    assert set(fields) <= set(type(s).model_fields)
    assert fields.index("net_sales") < fields.index("cdb_i") < fields.index("cdb_ii") < fields.index("cdb_iii")
