"""User-facing error texts."""

import pytest
from pydantic import ValidationError

from kam_xl.errors import KamInputError, describe
from kam_xl.kaop import Thresholds
from kam_xl.resources import ResourceCell


def test_describe_strips_pydantic_boilerplate():
    with pytest.raises(ValidationError) as e:
        Thresholds(green=1.0, amber=1.2)
    assert describe(e.value) == "amber threshold 1.2 above green 1 — allowed: amber ≤ green"
    with pytest.raises(ValidationError) as e:
        ResourceCell(region="Nord", field_sales_fte=-1)
    assert describe(e.value) == "field_sales_fte: Input should be greater than or equal to 0"
    assert describe(KamInputError("plain")) == "plain"
