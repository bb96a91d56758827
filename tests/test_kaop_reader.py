"""Reading the KAOP sheet back: round trip over the demo accounts, typed inputs and bad values."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared import type_into

from kam_xl.databook import demo_databook
from kam_xl.kaop import COST_CATEGORIES, QUARTERS, KaopMeasure, PotentialGoal, ProductQuarter, Thresholds, kaop_plan
from kam_xl.workbook.kaop_sheet import KaopInputs, kaop_sheet, parse_kaop
from kam_xl.workbook.layout import Book
from kam_xl.workbook.names import read_named
from kam_xl.workbook.render import write_book

DB = demo_databook()


def _write(tmp_path: Path, account_id: str, lang="de", **kwargs) -> tuple[Path, int, tuple, tuple]:
    account = next(a for a in DB.accounts if a.account_id == account_id)
    year = account.plan_year
    plan, actual = DB.kaop_rows(account_id, year, "plan"), DB.kaop_rows(account_id, year, "actual")
    sheet = kaop_sheet(year, plan, actual, lang, **kwargs)
    path = write_book(Book(template_id="test", template_version="0", sheets=[sheet], lang=lang),
                      tmp_path / f"{account_id}_{lang}.xlsx")
    return path, year, plan, actual


def _read(path: Path, lang="de") -> tuple[KaopInputs | None, list[tuple]]:
    problems: list[tuple] = []
    result = parse_kaop(read_named(path).values, lang, lambda *p: problems.append(p))
    return result, problems


def _same_scenario(parsed, given) -> None:
    a, b = kaop_plan(*parsed), kaop_plan(*given)
    assert set(a.quarters) == set(b.quarters)
    for q in b.quarters:
        pa, pb = a.quarters[q], b.quarters[q]
        for attr in ("revenue", "total_cost", "profit"):
            assert getattr(pa, attr) == pytest.approx(getattr(pb, attr), abs=1e-6)
        for c in COST_CATEGORIES:
            assert pa.costs[c] == pytest.approx(pb.costs[c], abs=1e-6)
    assert set(parsed[0]) == set(given[0])
    assert set(parsed[1]) == set(given[1])


@pytest.mark.parametrize("lang", ["de", "en"])
def test_round_trip_of_every_demo_account(tmp_path, lang):
    accounts = [a.account_id for a in DB.accounts] if lang == "de" else [DB.accounts[0].account_id]
    for account_id in accounts:
        path, year, plan, actual = _write(tmp_path, account_id, lang)
        result, problems = _read(path, lang)
        assert problems == [], account_id
        assert result is not None and result.year == year
        _same_scenario(result.plan, plan)
        _same_scenario(result.actual, actual)
        assert result.thresholds == Thresholds() and result.goals == [] and result.measures == []


def test_goals_measures_and_thresholds_round_trip(tmp_path):
    goals = [PotentialGoal(goal="Share of wallet up", metric="SoW", unit="%", targets={1: 0.3, 3: 0.4},
                           actuals={1: 0.28})]
    measures = [KaopMeasure(measure="Pilot trial", lever="Platzierung", owner="KAM", resources="2 days",
                            due_quarter=2, status="verschoben")]
    t = Thresholds(green=1.05, amber=0.9)
    aid = DB.accounts[0].account_id
    path, year, plan, actual = _write(tmp_path, aid, "en", thresholds=t, goals=goals, measures=measures)
    result, problems = _read(path, "en")
    assert problems == []
    assert result.thresholds == t and result.goals == goals and result.measures == measures
    # the parsed inputs rebuild the same sheet
    again = result.sheet("en")
    assert again.ranges == kaop_sheet(year, plan, actual, "en", t, goals=goals, measures=measures).ranges


def test_values_no_kaop_names_gives_none():
    assert parse_kaop({"cdb_in_freight": 1.0}, "de", lambda *p: pytest.fail(f"problem {p}")) is None


def test_typed_actuals_goal_and_measure_are_read(tmp_path):
    aid = DB.accounts[0].account_id
    path, _, _, actual = _write(tmp_path, aid, "en")
    values = read_named(path).values
    first = values["kaop_actual_products"][0][0]
    assert 3 not in kaop_plan(*actual).quarters
    type_into(path, "kaop_actual_volume", 123.5, row=0, col=2)        # Q3 actual of the first product
    type_into(path, "kaop_actual_price", 1_700.0, row=0, col=2)
    for col, value in enumerate(("Win the coating line", "volume", "t", 100.0, None, None, None, 80.0)):
        type_into(path, "kaop_goals", value, row=0, col=col)
    for col, value in enumerate(("Top-management visit", "Person", "Head of sales", "1 day", 3, "in progress")):
        type_into(path, "kaop_measures", value, row=0, col=col)
    result, problems = _read(path, "en")
    assert problems == []
    assert ProductQuarter(product=first, quarter=3, volume=123.5, price=1_700.0) in result.actual[0]
    kp = kaop_plan(*result.actual)
    assert kp.quarters[3].revenue_by_product[first] == pytest.approx(123.5 * 1_700.0)
    assert result.goals == [PotentialGoal(goal="Win the coating line", metric="volume", unit="t",
                                          targets={1: 100.0}, actuals={1: 80.0})]
    assert result.measures == [KaopMeasure(measure="Top-management visit", lever="Person", owner="Head of sales",
                                           resources="1 day", due_quarter=3, status="in Arbeit")]


def test_english_lever_words_map_to_the_model(tmp_path):
    aid = DB.accounts[0].account_id
    path, *_ = _write(tmp_path, aid, "en")
    type_into(path, "kaop_measures", "Price list 2027", row=0, col=0)
    type_into(path, "kaop_measures", "Price", row=0, col=1)
    type_into(path, "kaop_measures", "done", row=0, col=5)
    result, problems = _read(path, "en")
    assert problems == []
    assert result.measures == [KaopMeasure(measure="Price list 2027", lever="Preis", status="erledigt")]
    # the German word is not an English drop-down word
    type_into(path, "kaop_measures", "erledigt", row=0, col=5)
    result, problems = _read(path, "en")
    assert [p[:3] for p in problems] == [("kaop_measures", 0, 5)] and result.measures == []


def test_bad_values_each_give_one_problem_and_the_rest_is_read(tmp_path):
    aid = DB.accounts[0].account_id
    path, year, plan, actual = _write(tmp_path, aid, "de")
    names = read_named(path).values["kaop_plan_products"]
    p0 = names[0][0]
    cases = [("kaop_plan_volume", 0, 0, "viel"),           # plan Q1 volume of the first product
             ("kaop_actual_sow", 1, 1, 1.5),               # actual Q2 share of wallet of the second product
             ("kaop_plan_cost_type", 2, 0, "Stück"),       # freight basis
             ("kaop_threshold_green", None, None, 1.0),
             ("kaop_threshold_amber", None, None, 1.2),
             ("kaop_measures", 0, 0, "Messeauftritt"),
             ("kaop_measures", 0, 1, "Marketing")]
    for name, row, col, value in cases:
        type_into(path, name, value, row or 0, col or 0)
    result, problems = _read(path, "de")
    assert sorted(p[:4] for p in problems) == sorted([
        ("kaop_actual_sow", 1, 1, 1.5), ("kaop_measures", 0, 1, "Marketing"),
        ("kaop_plan_cost_type", 2, 0, "Stück"), ("kaop_plan_volume", 0, 0, "viel"),
        ("kaop_threshold_amber", None, None, 1.2)])
    assert all(isinstance(p[4], str) and p[4] for p in problems)
    assert result is not None and result.year == year
    # only the bad values are left out
    assert {(r.product, r.quarter) for r in result.plan[0]} == {(r.product, r.quarter) for r in plan[0]} - {(p0, 1)}
    assert set(result.plan[1]) == {c for c in plan[1] if c.category != "freight"}
    p1 = names[1][0]
    assert {(r.product, r.quarter) for r in result.actual[0]} == {(r.product, r.quarter)
                                                                  for r in actual[0]} - {(p1, 2)}
    assert set(result.actual[1]) == set(actual[1])
    assert result.thresholds == Thresholds() and result.measures == []


@pytest.mark.parametrize(("name", "row", "col", "value", "problem_at"), [
    ("kaop_plan_volume", 0, 0, -5.0, ("kaop_plan_volume", 0, 0)),
    ("kaop_plan_price", 0, 3, "teuer", ("kaop_plan_price", 0, 3)),
    ("kaop_plan_cost_value", 0, 1, -1.0, ("kaop_plan_cost_value", 0, 1)),
    ("kaop_goals", 0, 3, 10.0, ("kaop_goals", 0, 0)),                   # a target without a goal
    ("kaop_goals", 0, 0, "Ziel", None),                                 # a goal alone is fine
    ("kaop_measures", 0, 4, 7, ("kaop_measures", 0, 4)),  # quarter 7, no measure, no lever: 3 problems
    ("kaop_threshold_green", None, None, "hoch", ("kaop_threshold_green", None, None)),
    ("kaop_year", None, None, "2026/27", ("kaop_year", None, None)),
])
def test_single_bad_values(tmp_path, name, row, col, value, problem_at):
    path, *_ = _write(tmp_path, DB.accounts[0].account_id, "de")
    type_into(path, name, value, row or 0, col or 0)
    result, problems = _read(path, "de")
    if problem_at is None:
        assert problems == [] and result.goals[0].goal == value
        return
    assert problem_at in [p[:3] for p in problems]
    if name == "kaop_measures":
        assert sorted(p[:3] for p in problems) == [("kaop_measures", 0, c) for c in (0, 1, 4)]
    else:
        assert len(problems) == 1
    assert (result is None) == (name == "kaop_year")


def test_product_rows_need_a_name_and_a_volume_or_price(tmp_path):
    path, _, plan, _ = _write(tmp_path, DB.accounts[0].account_id, "de", spare_products=2)
    names = read_named(path).values["kaop_plan_products"]
    spare = next(i for i, r in enumerate(names) if r[0] is None)
    type_into(path, "kaop_plan_products", "Neu ohne Zahlen", row=spare)          # a name alone adds nothing
    type_into(path, "kaop_plan_volume", 10.0, row=spare + 1, col=0)            # numbers without a name
    type_into(path, "kaop_actual_products", "Nur Preis", row=spare)
    type_into(path, "kaop_actual_price", 99.0, row=spare, col=3)                # price alone: volume 0
    type_into(path, "kaop_actual_sow", 0.5, row=spare, col=2)                   # share alone: reported
    result, problems = _read(path, "de")
    assert sorted(p[:3] for p in problems) == [("kaop_actual_volume", spare, 2),
                                               ("kaop_plan_products", spare + 1, 0)]
    assert {r.product for r in result.plan[0]} == {r.product for r in plan[0]}
    assert ProductQuarter(product="Nur Preis", quarter=4, volume=0.0, price=99.0) in result.actual[0]
    assert all(q in QUARTERS for q in kaop_plan(*result.actual).quarters)


def test_duplicate_product_name_and_non_number_goal(tmp_path):
    path, *_ = _write(tmp_path, DB.accounts[0].account_id, "de")
    names = read_named(path).values["kaop_plan_products"]
    type_into(path, "kaop_plan_products", names[0][0], row=1)                   # second row renamed like the first
    type_into(path, "kaop_goals", "Neukunde", row=0, col=0)
    type_into(path, "kaop_goals", "viel", row=0, col=7)                         # actual Q1
    result, problems = _read(path, "de")
    assert sorted(p[:4] for p in problems) == [("kaop_goals", 0, 7, "viel"),
                                               ("kaop_plan_products", 1, 0, names[0][0])]
    assert {r.product for r in result.plan[0]} == {names[0][0]} and result.goals == []
