"""The sheet readers read every input exactly or report a clear problem (issue 9, reader side).

Most tests run the readers on the values a generated layout holds (by defined name, as the package reader
gives them), with single cells replaced by what a KAM or an office suite leaves there: error values,
formulas saved without their result, numbers from percent-formatted cells, texts with spaces, other dashes
and case, whole numbers in text fields, cleared cells, values at and beyond each input's limit. The generic
tests walk over *every* input cell of the account plan's layout, so a new input is covered without a new test.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from kam_xl.cells import CellError, PercentNumber
from kam_xl.databook import demo_databook
from kam_xl.excellence import Answer, Response, load_catalogue
from kam_xl.kaop import KaopMeasure, PotentialGoal, kaop_plan
from kam_xl.workbook import coerce
from kam_xl.workbook.account_plan import AccountPlanData, account_plan, parse_inputs
from kam_xl.workbook.buying_center_sheet import C as BC_COLUMNS
from kam_xl.workbook.controller import WEIGHT_BOUNDS, ControllerSettings, parse_settings
from kam_xl.workbook.excellence_sheet import parse_excellence, read_rating
from kam_xl.workbook.kaop_sheet import THRESHOLD_BOUNDS, KaopInputs, parse_kaop
from kam_xl.workbook.layout import TEXT_MAX_CHARS, Book, Cell, Input, named_values
from kam_xl.workbook.questionnaire import parse_questionnaire, questionnaire
from kam_xl.workbook.render import _validation

DB = demo_databook()
CAT = load_catalogue()
ACCOUNT = "KA-001"  # a Kgb card, two activities, eight plan product quarters
Where = tuple[str, int | None, int | None]


def _data(lang: str = "de") -> AccountPlanData:
    """KA-001's plan with a goal, a measure and two account-level excellence answers, so that every kind of
    input holds a value somewhere."""
    data = AccountPlanData.from_databook(DB, ACCOUNT)
    goal = PotentialGoal(goal="Anteil Retention steigern", metric="SoW", unit="%", targets={1: 0.3}, actuals={1: 0.28})
    measure = KaopMeasure(measure="Technikumsversuch", lever="Produkt", owner="KAM", resources="2 Tage",
                          due_quarter=2, status="in Arbeit")
    kaop = dataclasses.replace(data.kaop, goals=[goal], measures=[measure])
    excellence = Response(respondent=ACCOUNT, role="Account-Plan",
                          answers=[Answer(criterion_id="LM-1.1", rating=75, evidence="Workshop März"),
                                   Answer(criterion_id="BP-1.1", rating=50)])
    return dataclasses.replace(data, kaop=kaop, excellence=excellence)


BOOK = account_plan(_data())
VALUES = named_values(BOOK)


def _places(book: Book) -> dict[tuple[str, int, int], list[Where]]:
    """Every (sheet, row, col) → the (defined name, row, col inside it) that hold the cell."""
    out: dict[tuple[str, int, int], list[Where]] = {}
    for s in book.sheets:
        for c in s.cells:
            if c.name:
                out.setdefault((s.name, c.row, c.col), []).append((c.name, None, None))
        for name, (r0, c0, r1, c1) in s.ranges.items():
            for r in range(r0, r1 + 1):
                for col in range(c0, c1 + 1):
                    out.setdefault((s.name, r, col), []).append((name, r - r0, col - c0))
    return out


PLACES = _places(BOOK)


def _with(values: dict[str, Any], where: list[Where], value: Any) -> dict[str, Any]:
    """``values`` with one cell (every name holding it) set to ``value``; the rest shared, not copied."""
    out = dict(values)
    for name, r, c in where:
        if r is None:
            out[name] = value
        else:
            rows = [list(row) for row in out[name]]
            rows[r][c] = value
            out[name] = rows
    return out


def _parse(values: dict[str, Any], lang: str = "de") -> tuple[AccountPlanData, list[tuple]]:
    found: list[tuple] = []
    base = AccountPlanData.from_workbook(values, BOOK.meta)
    return parse_inputs(values, base, lang, lambda *p: found.append(p)), found  # type: ignore[arg-type]


def _inputs(kinds: tuple[str, ...], filled: bool = True) -> Iterator[tuple[str, Cell, list[Where]]]:
    for s in BOOK.sheets:
        for c in s.cells:
            if c.input is not None and c.input.kind in kinds and (c.value is not None or not filled):
                yield s.name, c, PLACES[(s.name, c.row, c.col)]


def _at(found: list[tuple], where: list[Where]) -> list[tuple]:
    return [p for p in found if p[:3] in where]


def test_the_generated_plan_reads_back_without_problems():
    plan, found = _parse(VALUES)
    assert found == []
    assert plan.kaop.goals[0].goal == "Anteil Retention steigern" and plan.kaop.measures[0].owner == "KAM"
    assert {a.criterion_id: a.rating for a in plan.excellence.answers if a.rating is not None} == {"LM-1.1": 75,
                                                                                                   "BP-1.1": 50}


# --- error values and uncached formulas: in every input, a problem in the cell's words, never 0 or empty -----

@pytest.mark.parametrize("error", [CellError("#DIV/0!"), CellError("#N/A"), CellError("", "B4*2")],
                         ids=["div0", "na", "uncached"])
def test_an_error_value_in_any_input_is_a_problem_naming_the_cell(error):
    cells = list(_inputs(("amount", "number", "fraction", "score", "list", "text"), filled=True))
    # every kind: amounts, shares, thresholds, ratings, words, names, evidence … (148 cells)
    assert {c.input.kind for _, c, _ in cells} == {"amount", "number", "fraction", "score", "list", "text"}
    assert len(cells) > 100
    missed = []
    for sheet, cell, where in cells:
        _, found = _parse(_with(VALUES, where, error))
        at = _at(found, where)
        if not at or at[0][3] != str(error) or error.problem() not in at[0][4]:
            missed.append((sheet, cell.address, found[:2]))
    assert missed == []


def test_an_error_value_in_a_gross_sales_cell_is_reported_in_words():
    _, found = _parse(_with(VALUES, [("cdb_in_gross_sales", None, None)], CellError("#DIV/0!")))
    assert found == [("cdb_in_gross_sales", None, None, "#DIV/0!",
                      "an amount ≥ 0 — holds the error value #DIV/0! — type a value instead")]
    _, found = _parse(_with(VALUES, [("cdb_in_freight", None, None)], CellError("", "B4*0,2")))
    assert found == [("cdb_in_freight", None, None, "=B4*0,2 (a formula saved without its result)",
                      "an amount ≥ 0 — holds the formula =B4*0,2 saved without its result — open and save it in "
                      "Excel or LibreOffice, or type a value")]


def test_an_error_value_in_the_evidence_is_not_an_empty_evidence():
    ids = [r[0] for r in VALUES["exc_LM_ids"]]
    row = ids.index("LM-1.1")
    _, found = _parse(_with(VALUES, [("exc_LM_evidence", row, 0)], CellError("#VALUE!")))
    assert [p[:4] for p in found] == [("exc_LM_evidence", row, 0, "#VALUE!")]
    assert "holds the error value #VALUE!" in found[0][4]


# --- the limits: one per input, the same in the data validation and in the reader --------------------------

def test_every_text_input_is_validated_and_read_with_the_one_limit():
    assert _validation(Input(kind="text")) == {"validate": "length", "criteria": "<=", "value": TEXT_MAX_CHARS,
                                               "ignore_blank": True}
    cells = list(_inputs(("text",)))
    assert {s for s, _, _ in cells} == {"CDB", "Kgb", "KAOP", "Excellence", "Buying Center", "Kontaktmatrix",
                                        "Touchpoints", "Team-RACI", "SWOT", "KASP"}
    word_lists = {("bc_members", BC_COLUMNS["colours"]), ("bc_members", BC_COLUMNS["motives"])}
    for sheet, cell, where in cells:
        _, found = _parse(_with(VALUES, where, "x" * TEXT_MAX_CHARS))
        if (where[0][0], where[0][2]) in word_lists:  # a list of offered words: other text is refused, not its length
            [problem] = [p[4].split(" — ")[1] for p in _at(found, where)]
            assert problem in ("'" + "x" * 1000 + "' is not one of the colours",
                               "'" + "x" * 1000 + "' is not one of the motives")
        else:
            assert _at(found, where) == [], (sheet, cell.address)
        _, found = _parse(_with(VALUES, where, "x" * (TEXT_MAX_CHARS + 1)))
        [p] = _at(found, where)
        assert p[4].endswith("— 1,001 characters, at most 1,000 allowed"), (sheet, cell.address, p)


def test_every_number_input_takes_what_its_validation_takes_and_no_more():
    cells = list(_inputs(("amount", "number", "fraction", "score")))
    kinds = {cell.input.kind for _, cell, _ in cells}
    assert kinds == {"amount", "number", "fraction", "score"}
    for sheet, cell, where in cells:
        v = _validation(cell.input)
        low, high = v["minimum"], v["maximum"]
        assert (low, high) == cell.input.bounds
        for ok in (low, high):
            values = _with(VALUES, where, float(ok))
            if where[0][0] == "kaop_threshold_amber":  # amber ≤ green: move green along
                values = _with(values, [("kaop_threshold_green", None, None)], float(ok))
            _, found = _parse(values)
            refused = [p for p in _at(found, where) if p[4] != "weights that sum to 100 %"]  # the card's sum
            assert refused == [], (sheet, cell.address, ok, found)
        for bad in (low - abs(low) * 0.01 - 0.01, high + abs(high) * 0.01 + 0.01):
            _, found = _parse(_with(VALUES, where, bad))
            assert len(_at(found, where)) == 1, (sheet, cell.address, bad, found)


def test_the_thresholds_and_weights_use_their_one_range():
    kaop = BOOK.sheet("KAOP")
    [green] = [c for c in kaop.cells if c.name == "kaop_threshold_green"]
    assert green.input.bounds == THRESHOLD_BOUNDS == (0.01, 10)
    _, found = _parse(_with(VALUES, [("kaop_threshold_green", None, None)], 12.0))
    assert found == [("kaop_threshold_green", None, None, 12.0, "an attainment from 1 % to 1000 %, e.g. 100 %")]
    _, problems = parse_settings({"res_weight_potential": 1500.0}, ControllerSettings())
    assert problems == [("res_weight_potential", 1500.0, "a number ≥ 0, at most 1,000")]
    assert WEIGHT_BOUNDS == (0, 1000)


# --- percent-formatted numbers in 0–100 scales ------------------------------------------------------------

def test_every_score_input_refuses_a_percent_formatted_number():
    cells = list(_inputs(("score",)))
    assert cells and {s for s, _, _ in cells} == {"Kgb", "Buying Center", "Lieferantenposition"}
    what = {"Kgb": "a rating from 0 to 100, or empty", "Buying Center": "a number from 0 to 100, or empty",
            "Lieferantenposition": "a rating from 0 to 100, or empty"}
    for sheet, cell, where in cells:
        _, found = _parse(_with(VALUES, where, PercentNumber(0.8)))
        [p] = _at(found, where) or [(sheet, cell.address)]
        assert p[3] == 0.8
        assert p[4] == f"{what[sheet]} — formatted as a percentage (80 %) — type 80 for 80 points"


def test_a_percent_formatted_excellence_rating_or_spread_is_a_problem():
    ids = [r[0] for r in VALUES["exc_BP_ids"]]
    row = ids.index("BP-1.1")
    _, found = _parse(_with(VALUES, [("exc_BP_ratings", row, 0)], PercentNumber(0.75)))
    [p] = found
    assert p[:4] == ("exc_BP_ratings", row, 0, 0.75)
    assert p[4].endswith("— formatted as a percentage (75 %) — type 75 for 75 points")
    _, problems = parse_settings({"ctl_exc_spread": PercentNumber(0.5)}, ControllerSettings())
    assert problems == [("ctl_exc_spread", 0.5, "a number 0–100 — formatted as a percentage (50 %) — type 50 for "
                                                "50 points")]


def test_a_percent_formatted_share_or_weight_is_what_it_shows():
    plan, found = _parse(_with(VALUES, [("kgb_1_weights", 0, 0)], PercentNumber(VALUES["kgb_1_weights"][0][0])))
    assert found == []
    assert plan.kgb_cards[0].criteria[0].weight == VALUES["kgb_1_weights"][0][0]


# --- one text rule: spaces, case, dashes, Unicode forms, whole numbers --------------------------------------

def test_every_drop_down_takes_its_words_as_shown_in_any_case_with_spaces_around():
    cells = list(_inputs(("list",), filled=False))
    assert {s for s, _, _ in cells} == {"Deckblatt", "CDB", "KAOP", "Excellence", "Buying Center", "Kontaktmatrix",
                                        "Touchpoints", "Team-RACI", "SWOT", "KASP", "Lieferantenposition"}
    for sheet, cell, where in cells:
        if cell.value is None and where[0][0] not in ("exc_LM_ratings", "exc_BP_ratings"):
            continue  # a word alone in a spare row asks for the rest of the row
        for word in cell.input.choices:
            typed = f" {word.upper()}\u00a0".replace("–", "-")
            _, found = _parse(_with(VALUES, where, typed))
            assert _at(found, where) == [], (sheet, cell.address, typed, found)


def test_status_stage_and_role_with_a_trailing_space_are_the_offered_words():
    values = _with(VALUES, [("acc_status", None, None)], "abgegeben ")
    values = _with(values, [("acc_supplier_role", None, None)], "systempartner")
    values = _with(values, [("cdb_act_stage", 0, 0)], "Produktion ")
    plan, found = _parse(values)
    assert found == []
    assert plan.status == "abgegeben" and plan.account.supplier_role == "Systempartner"
    assert plan.activities[0].stage == "production"


def test_a_word_that_is_not_offered_is_shown_with_its_spaces():
    _, found = _parse(_with(VALUES, [("acc_status", None, None)], "abgeben "))
    assert found == [("acc_status", None, None, "abgeben ", "one of in Arbeit, abgegeben, freigegeben")]
    assert repr(found[0][3]) == "'abgeben '"  # what the error list shows (value {v!r})


def test_an_actual_product_with_a_trailing_space_matches_its_plan_product():
    pre = "kaop_actual_"
    values = _with(VALUES, [(pre + "products", 0, 0)], "Farbstoff Blau 86 ")
    values = _with(values, [("kaop_plan_products", 0, 0)], "Farbstoff Blau 86")
    values = _with(values, [(pre + "volume", 0, 0)], 10.0)
    values = _with(values, [(pre + "price", 0, 0)], 100.0)
    problems: list[tuple] = []
    kaop = parse_kaop(values, "de", lambda *p: problems.append(p))
    assert problems == []
    [q1] = [r for r in kaop.actual[0] if r.product == "Farbstoff Blau 86" and r.quarter == 1]
    assert (q1.volume, q1.price) == (10.0, 100.0)
    plan_products = set(kaop_plan(*kaop.plan).products)
    assert "Farbstoff Blau 86" in plan_products and set(kaop_plan(*kaop.actual).products) <= plan_products


def test_keys_are_compared_after_the_rule_so_a_name_twice_in_a_card_is_a_problem():
    first = VALUES["kgb_1_criteria"][0][0]
    _, found = _parse(_with(VALUES, [("kgb_1_criteria", 1, 0)], f" {first}  "))
    assert [p[:4] for p in found] == [("kgb_1_criteria", 1, 0, f" {first}  ")]
    assert found[0][4] == "a criterion name not used in another row of the card"
    sups = VALUES["kgb_1_suppliers"][0]
    _, found = _parse(_with(VALUES, [("kgb_1_suppliers", 0, 1)], sups[0] + " "))
    assert [p[:3] for p in found] == [("kgb_1_suppliers", 0, 1)]


def test_decomposed_accents_and_no_break_spaces_become_one_form():
    values = _with(VALUES, [("cdb_act_activity", 0, 0)], "Cafe\u0301-Versuche\u00a0 im\u202fTechnikum ")
    plan, found = _parse(values)
    assert found == [] and plan.activities[0].activity == "Café-Versuche im Technikum"


def test_whole_numbers_typed_into_text_fields_stay_whole():
    values = _with(VALUES, [("cdb_act_activity", 0, 0)], 2026.0)
    values = _with(values, [("kaop_measures", 0, 2)], 4711.0)
    values = _with(values, [("kgb_1_criteria", 0, 0)], 2026.0)
    plan, found = _parse(values)
    assert found == []
    assert plan.activities[0].activity == "2026" and plan.kaop.measures[0].owner == "4711"
    assert plan.kgb_cards[0].criteria[0].name == "2026" and "2026" in plan.kgb_cards[0].ratings[
        plan.kgb_cards[0].own_supplier]


@pytest.mark.parametrize(("typed", "rating"), [
    ("75 - trifft im Wesentlichen zu", 75), ("75 — trifft im wesentlichen zu ", 75), ("75 - largely applies", 75),
    ("TRIFFT VOLL UND GANZ ZU", 100), ("nicht relevant ", "n.r."), ("0 - trifft überhaupt nicht zu", 0),
    (25.0, 25), ("50", 50)])
def test_a_rating_typed_with_another_dash_or_case_is_the_offered_word(typed, rating):
    assert read_rating(typed) == rating


def test_evidence_keeps_its_line_breaks_and_loses_only_spaces_around():
    ids = [r[0] for r in VALUES["exc_LM_ids"]]
    row = ids.index("LM-1.1")
    plan, found = _parse(_with(VALUES, [("exc_LM_evidence", row, 0)], " Workshop 03/2026\n  Protokoll KAM \n"))
    assert found == []
    [answer] = [a for a in plan.excellence.answers if a.criterion_id == "LM-1.1"]
    assert answer.evidence == "Workshop 03/2026\nProtokoll KAM"


# --- empty versus zero --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["cdb_in_gross_sales", "cdb_in_product_cost", "cdb_in_sales_cost"])
def test_a_cleared_cdb_amount_is_a_problem_not_zero(name):
    _, found = _parse(_with(VALUES, [(name, None, None)], None))
    assert found == [(name, None, None, None, "an amount ≥ 0 — empty — type 0 for none")]
    plan, found = _parse(_with(VALUES, [(name, None, None)], 0.0))
    assert found == [] and getattr(plan.cdb, name.removeprefix("cdb_in_")) == 0.0


def test_a_cleared_quantity_in_an_activity_row_is_a_problem():
    _, found = _parse(_with(VALUES, [("cdb_act_quantity", 0, 0)], None))
    assert found == [("cdb_act_quantity", 0, 0, None, "a number ≥ 0 — empty — type 0 for none")]


def test_blank_spaces_in_a_spare_row_are_no_row():
    first_free = next(i for i, r in enumerate(VALUES["cdb_act_activity"]) if r[0] is None)
    plan, found = _parse(_with(VALUES, [("cdb_act_activity", first_free, 0)], "   "))
    assert found == [] and len(plan.activities) == len(_data().activities)


# --- the questionnaire and the excellence reader on their own -----------------------------------------------

def test_questionnaire_respondent_as_error_value_and_as_number():
    from kam_xl.workbook.names import NamedValues

    values = named_values(questionnaire(CAT, None, "Erika Muster", "KAM"))
    found: list[tuple] = []

    def read(v: dict[str, Any]) -> Response:
        found.clear()
        nv = NamedValues(path=None, refs={}, values=v)  # type: ignore[arg-type]
        return parse_questionnaire(nv, CAT, lambda *p: found.append(p))

    assert read({**values, "exc_respondent": "  Erika\u00a0Muster "}).respondent == "Erika Muster"
    assert found == []
    assert read({**values, "exc_respondent": 4711.0}).respondent == "4711"
    read({**values, "exc_respondent": CellError("#REF!")})
    assert [p[:4] for p in found] == [("exc_respondent", None, None, "#REF!")]
    assert "holds the error value #REF!" in found[0][4]


def test_parse_excellence_reports_an_error_rating_with_the_catalogue_words():
    values = named_values(BOOK)
    ids = [r[0] for r in values["exc_LM_ids"]]
    row = ids.index("LM-1.1")
    found: list[tuple] = []
    response = parse_excellence(_with(values, [("exc_LM_ratings", row, 0)], CellError("#N/A")), CAT, ["LM", "BP"],
                                ACCOUNT, "Account-Plan", lambda *p: found.append(p))
    [p] = found
    assert p[:4] == ("exc_LM_ratings", row, 0, "#N/A") and "trifft im Wesentlichen zu" in p[4]
    assert p[4].endswith("— holds the error value #N/A — type a value instead")
    assert next(a for a in response.answers if a.criterion_id == "LM-1.1").rating is None


def test_kaop_inputs_shape_is_unchanged():
    problems: list[tuple] = []
    kaop = parse_kaop(VALUES, "de", lambda *p: problems.append(p))
    assert problems == [] and isinstance(kaop, KaopInputs) and kaop.year == _data().kaop.year


def test_coerce_number_refuses_text_bool_and_infinite():
    for bad in ("12", True, float("inf"), float("nan")):
        with pytest.raises(coerce.Refusal):
            coerce.number(bad)


# --- end to end: a filled plan file with an error value and a percent-formatted rating ----------------------

def test_collect_reports_an_error_value_and_a_percent_rating_in_a_plan_file(tmp_path):
    """Passes once the package reader delivers CellError / PercentNumber (helper H1's part of issue 9)."""
    import openpyxl

    from kam_xl.batch import collect_plans
    from kam_xl.workbook.render import write_book

    path = write_book(account_plan(_data()), tmp_path / f"{ACCOUNT}_plan.xlsx")
    wb = openpyxl.load_workbook(path)
    for name, value, number_format in (("cdb_in_gross_sales", "#DIV/0!", None), ("kgb_1_ratings", 0.8, "0%")):
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        cell = wb[sheet][ref.replace("$", "").split(":")[0]]
        cell.value = value
        if number_format:
            cell.number_format = number_format
    wb.save(path)
    result = collect_plans(tmp_path)
    assert result.plans == []
    assert sorted(result.problems) == [
        (path.name, "CDB", "B4", "#DIV/0!",
         "allowed: an amount ≥ 0 — holds the error value #DIV/0! — type a value instead"),
        (path.name, "Kgb", "C8", "80 %", "allowed: a rating from 0 to 100, or empty — formatted as a percentage "
                                        "(80 %) — type 80 for 80 points")]


def test_excel_functions_read_texts_and_words_under_the_same_rule():
    from udfs import _cells

    assert _cells.text("  Cafe\u0301\u00a0Blau 86 ", "product") == "Café Blau 86"
    assert _cells.text(2026.0, "year label") == "2026"
    words = {"trifft im Wesentlichen zu – 75": 75, "nicht relevant": "n.r."}
    assert _cells.choice("Trifft im wesentlichen zu - 75 ", "rating", words) == 75
    with pytest.raises(_cells.CellError, match="holds 'trifft zu'"):
        _cells.choice("trifft zu", "rating", words)


def test_a_cleared_threshold_or_weight_says_empty_and_offers_0_only_where_0_is_allowed():
    _, found = _parse(_with(VALUES, [("kaop_threshold_green", None, None)], None))
    assert found == [("kaop_threshold_green", None, None, None, "an attainment from 1 % to 1000 %, e.g. 100 % — empty")]
    _, found = _parse(_with(VALUES, [("kgb_1_weights", 0, 0)], None))
    assert found == [("kgb_1_weights", 0, 0, None, "a weight from 0 % to 100 % — empty — type 0 for none")]


def test_controller_paths_are_only_trimmed_and_the_account_follows_the_text_rule():
    settings, problems = parse_settings({"ctl_databook": "  /daten/KAM  2026/Cafe\u0301.xlsx ", "ctl_account": 1001.0,
                                         "ctl_output": CellError("#REF!")}, ControllerSettings())
    assert settings.databook == "/daten/KAM  2026/Cafe\u0301.xlsx" and settings.account == "1001"
    assert problems == [("ctl_output", "#REF!", "text — holds the error value #REF! — type a value instead")]
