"""``report --format json``'s writer (kam_xl.report.json_text): the text json.dumps writes of to_jsonable's data,
also for the values its fast paths hand on (keys that are no text, subclasses of dict, list, float, str)."""

import json
from collections import OrderedDict
from enum import StrEnum

from kam_xl import report as rep


class _Colour(StrEnum):
    RED = "rot"


class _Money(float):
    pass


def _expected(value, level=0):
    return json.dumps(rep.to_jsonable(value), indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)


def test_keys_that_are_no_text_become_text_and_a_later_equal_key_replaces_the_value():
    value = {"a": 1.0, 1: "one", "1": "eins", False: [], None: {2.5: -0.0}}
    assert rep.json_text(value) == _expected(value)
    assert json.loads(rep.json_text(value)) == {"a": 1.0, "1": "eins", "False": [], "None": {"2.5": 0.0}}


def test_subclasses_and_tuples_are_written_as_their_base_kinds():
    value = [OrderedDict(b=_Money(1 / 3), a=(1, _Colour.RED)), (), _Money(float("inf")), [False, None]]
    for level in (0, 2):
        assert rep.json_text(value, level=level) == _expected(value, level)
    assert json.loads(rep.json_text(value)) == [{"b": 0.333333, "a": [1, "rot"]}, [], None, [False, None]]


def test_a_report_model_inside_plain_data():
    summary = rep.KaopQuarterSummary(quarter=2, revenue=249866.40000000002, profit=-1e-9, profit_rel=None)
    value = {"quarters": [summary], "n": 1}
    assert rep.json_text(value, level=1) == _expected(value, 1)
    assert json.loads(rep.json_text(value))["quarters"] == [{"quarter": 2, "revenue": 249866.4, "profit": 0.0,
                                                              "profit_rel": None}]
