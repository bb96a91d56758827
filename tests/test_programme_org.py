"""Issue 12, the programme's coordination need (seed 000, Abb. 7/8), organisation decisions (Tabelle 4/5) and
St. Gallen realisation (seed 002): the pure rules, with figures a person can check by hand."""

from __future__ import annotations

import json
import types

import pytest

from kam_xl.addin.runtime import load_udfs
from kam_xl.company_settings import CompanySettings
from kam_xl.coordination import (
    ITEMS,
    account_coordination,
    bu_result,
    scale_mean,
    shortfall,
    territory_result,
)
from kam_xl.databook import demo_databook
from kam_xl.errors import KamInputError
from kam_xl.organisation import TABLE_4, TABLE_5, decide, decisions, score
from kam_xl.report_org import org_parts, org_tables
from kam_xl.st_gallen import LOGIC_NAMES, POLES, field_position, logic_use, st_gallen
from kam_xl.testing import VBA_MISSING, call_classic

# ------------------------------------------------------------------------------------------ coordination


def test_the_items_are_the_seeds_six_per_figure_verbatim() -> None:
    assert [de for de, _ in ITEMS["bu"]] == [
        "Vernetzung der dezentralen Einkäufer, Austausch von Preisen",
        "BU-übergreifende Zentralisierung der Beschaffung",
        "Professionalität und Ausbildung der Einkäufer",
        "Möglichkeit für Kunden, BUs preislich gegeneinander auszuspielen",
        "Möglichkeit für Kunden, eine BU in „Sippenhaft“ für Probleme einer anderen BU zu nehmen",
        "Kundenforderung nach einem BU-übergreifenden Verhandlungspartner"]
    assert [de for de, _ in ITEMS["territory"]] == [
        "Internationale Vernetzung der Produktion oder der Supply-Chain",
        "Branchenkonsolidierung und Unternehmenszusammenschlüsse auf Kundenseite",
        "Internationale Vernetzung der Einkäufer, Austausch von Preisen",
        "Geographische Zentralisierung der Beschaffung",
        "Professionalität und Ausbildung der Einkäufer",
        "Kundenforderung nach einem internationalen Verhandlungspartner"]


def test_the_mean_leaves_unrated_items_out_and_is_null_when_none_is_rated() -> None:
    assert scale_mean({1: 2, 2: None, 3: 7, 4: 3}) == 4.0  # (2 + 7 + 3) / 3
    assert scale_mean({1: 1, 2: 2}) == 1.5
    assert scale_mean({1: None, 2: None}) is None
    assert scale_mean({}) is None


@pytest.mark.parametrize(("bad", "match"), [({1: 0}, "rating 0 "), ({1: 8}, "rating 8 "), ({1: 2.5}, "2.5"),
                                            ({7: 3}, "there is no coordination item 7 — allowed: items 1 to 6")])
def test_a_rating_off_the_seven_circles_or_an_unknown_item_is_refused_by_name(bad: dict, match: str) -> None:
    with pytest.raises(KamInputError, match=match):
        scale_mean(bad)


def test_results_follow_the_thresholds_at_their_edges() -> None:
    t = CompanySettings()  # coord_bu_high 4, coord_territory_regional 3, coord_territory_global 5
    assert [bu_result(m, t) for m in (1.0, 3.99, 4.0, 7.0, None)] == ["niedrig", "niedrig", "hoch", "hoch", None]
    assert [territory_result(m, t) for m in (2.99, 3.0, 4.99, 5.0, None)] == [
        "niedrig", "regional", "regional", "global", None]
    other = CompanySettings(coord_bu_high=5, coord_territory_regional=2, coord_territory_global=6)
    assert (bu_result(4.5, other), territory_result(2.0, other), territory_result(5.5, other)) == (
        "niedrig", "regional", "regional")


def test_shortfall_when_the_territory_result_ranks_above_the_span_never_when_better_coordinated() -> None:
    assert shortfall("global", "regional") is True
    assert shortfall("regional", "national") is True
    assert shortfall("niedrig", "national") is False  # niedrig ≡ national
    assert shortfall("regional", "global") is False  # better coordinated than the account: allowed
    assert shortfall("global", None) is None
    assert shortfall(None, "global") is None


def test_one_account_as_the_report_contract_says() -> None:
    r = account_coordination("KA-7", {"bu": {1: 3, 2: 4, 3: None, 4: 2, 5: 3, 6: 3},
                                      "territory": {1: 2, 2: 3, 3: 2, 4: None, 5: None, 6: 2}}, "national")
    assert r.model_dump() == {"account_id": "KA-7", "bu": {"mean": 3.0, "result": "niedrig"},
                              "territory": {"mean": 2.25, "result": "niedrig"}, "kam_span": "national",
                              "shortfall": False}
    none = account_coordination("KA-8", {}, None)
    assert none.model_dump() == {"account_id": "KA-8", "bu": {"mean": None, "result": None},
                                 "territory": {"mean": None, "result": None}, "kam_span": None, "shortfall": None}
    with pytest.raises(KamInputError, match="'weltweit' is not a KAM span — allowed: national, regional, global"):
        account_coordination("KA-9", {}, "weltweit")


# ------------------------------------------------------------------------------------------ Tabelle 4 / 5


def test_the_tables_are_the_seeds_rows_with_their_signs_in_order() -> None:
    assert [(c.text[0], c.signs) for c in TABLE_4.criteria] == [
        ("Ressourcenaufwand", (1, -1)),
        ("Möglichkeit, sich auf konzeptionelle Arbeit und Kundenentwicklung zu konzentrieren", (-1, 1)),
        ("Verfügbarkeit von Persönlichkeiten mit Top-Management-Statur", (1, -1)),
        ("Zugang zu lokalen Vertriebsressourcen im Kernland des Key-Accounts", (1, -1)),
        ("Verantwortungsgefühl für Vertriebserfolg beim Key-Account", (-1, 1))]
    assert [(c.group[0] if c.group else None, c.text[0], c.signs) for c in TABLE_5.criteria] == [
        ("Ressourceneffizienz und Geschwindigkeit", "Vermeidung von Ressourcenverdoppelung", (-1, 1)),
        ("Ressourceneffizienz und Geschwindigkeit", "Vermeidung von Reisezeit", (-1, 1)),
        ("Ressourceneffizienz und Geschwindigkeit", "Vermeidung interner Ressourcenkonflikte", (1, -1)),
        ("Kundenorientierung", "One face to the Customer", (1, -1)),
        ("Kundenorientierung", "Wissen über den Key-Account", (1, -1)),
        ("Motivation der Vertriebsmannschaft", "Motivation und Rollenklarheit", (1, -1)),
        ("Motivation der Vertriebsmannschaft", "Vermeidung einer „Zwei-Klassen-Gesellschaft“ im Vertrieb",
         (-1, 1))]
    assert [TABLE_4.setting(n) for n in (1, 5)] == ["decision_weight_t4_1", "decision_weight_t4_5"]


def test_the_seeds_counts_are_the_test_vector_with_equal_weights() -> None:
    assert decisions().model_dump() == {"part_time": 20.0, "full_time": -20.0, "line": 100 / 7, "staff": -100 / 7}
    assert round(100 / 7, 2) == 14.29
    weighted = decisions(CompanySettings(decision_weight_t4_1=3, decision_weight_t5_1=0, decision_weight_t5_2=0))
    assert (weighted.part_time, weighted.line) == (300 / 7, 300 / 5)  # (3−1+1+1−1)/7, (1+1+1−1)/5


def test_weights_move_the_decision_and_a_zero_sum_gives_none() -> None:
    # Tabelle 4 with resource effort weighted 3, the rest 1: part-time (3 − 1 + 1 + 1 − 1) / 7 × 100 = 300 / 7
    assert decide(TABLE_4, [3, 1, 1, 1, 1]) == {"part_time": 300 / 7, "full_time": -300 / 7}
    # only "Motivation und Rollenklarheit" counts: line +100, staff −100
    assert decide(TABLE_5, [0, 0, 0, 0, 0, 50, 0]) == {"line": 100.0, "staff": -100.0}
    assert decide(TABLE_5, [0] * 7) == {"line": None, "staff": None}
    with pytest.raises(KamInputError, match="decision weight -1 — allowed: a number ≥ 0"):
        score([1, -1], [1, -1])
    with pytest.raises(KamInputError, match="4 weights for 5 criteria"):
        decide(TABLE_4, [1, 1, 1, 1])


# ------------------------------------------------------------------------------------------ St. Gallen


def test_the_overall_approach_and_eight_fields_with_both_poles_verbatim() -> None:
    assert list(POLES) == list(range(9))
    assert POLES[0] == ("Systematisch-ganzheitlicher Zugang im Rahmen eines Change-Projektes",
                        "Selektive und agile Implementierung über verschiedene Zugänge")
    assert POLES[5] == ("Analytik mit konsequenten Folgerungen und Verhalten",
                        "Intuition, Macht- und Interessenausgleich")
    assert POLES[8] == ("Verbindung", "Trennung des Key-Account-Managements")
    assert LOGIC_NAMES == ("Facts & Strategy", "Tools", "Structure", "Innovation", "Topics", "People",
                           "Selected Key-Accounts", "Commercialisation")


def test_gap_and_extremes() -> None:
    assert field_position(3, -1, 2).model_dump() == {"field": 3, "current": -1, "target": 2, "gap": 3,
                                                     "extreme": False}
    assert field_position(0, 3, 1).extreme is True
    assert field_position(7, 0, -3).model_dump() == {"field": 7, "current": 0, "target": -3, "gap": -3,
                                                     "extreme": True}
    assert field_position(1, None, 2).model_dump() == {"field": 1, "current": None, "target": 2, "gap": None,
                                                       "extreme": False}
    for bad, match in ((4, "field 2 current position 4 is not on the scale — allowed: a whole number from -3 to 3"),
                       (1.5, "1.5")):
        with pytest.raises(KamInputError, match=match):
            field_position(2, bad, 0)
    with pytest.raises(KamInputError, match="there is no St. Gallen field 9 — allowed: 0"):
        field_position(9, 0, 0)


def test_logics_flag_a_planned_shift_only_when_the_focus_is_above_current_use() -> None:
    assert logic_use("Tools", 1, 3).planned_shift is True
    assert logic_use("Tools", 2, 2).planned_shift is False
    assert logic_use("People", 3, 0).planned_shift is False
    assert logic_use("People", None, 2).planned_shift is None
    with pytest.raises(KamInputError, match="Topics focus 4 is not on the scale — allowed: a whole number from 0 to 3"):
        logic_use("Topics", 1, 4)
    with pytest.raises(KamInputError, match="'Speed' is not one of the eight realisation logics — "
                                            "allowed: Facts & Strategy"):
        logic_use("Speed", 1, 1)


def test_the_picture_lists_every_field_and_logic_in_the_seeds_order() -> None:
    r = st_gallen({4: (-2, 0), 8: (3, 1)}, {"Innovation": (0, 2)}, "professionalisieren").model_dump()
    assert [f["field"] for f in r["fields"]] == list(range(9))
    assert r["fields"][4] == {"field": 4, "current": -2, "target": 0, "gap": 2, "extreme": False}
    assert r["fields"][8]["extreme"] is True
    assert r["fields"][0] == {"field": 0, "current": None, "target": None, "gap": None, "extreme": False}
    assert [lg["logic"] for lg in r["logics"]] == list(LOGIC_NAMES)
    assert r["logics"][3] == {"logic": "Innovation", "current": 0, "focus": 2, "planned_shift": True}
    assert r["phase"] == "professionalisieren"
    with pytest.raises(KamInputError, match="'fertig' is not a phase of the KAM programme — "
                                            "allowed: installieren, aufbauen"):
        st_gallen({}, {}, "fertig")


# ------------------------------------------------------------------------------------------ Excel functions


@pytest.fixture(scope="module")
def u() -> types.ModuleType:
    """``udfs`` as classic xlwings decorates it."""
    return load_udfs("classic")


def test_kam_coordination_gives_mean_and_result_per_scale(u) -> None:
    assert call_classic(u.kam_coordination, ((5.0,), (3.0,), (None,), (4.0,))) == [[4.0, "hoch"]]
    assert call_classic(u.kam_coordination, ((3.0, 4.0, 3.0, None, None, 3.0),)) == [[3.25, "niedrig"]]
    assert call_classic(u.kam_coordination, ((6.0, 6.0, 5.0, None, 6.0, 5.0),), "Gebiet", VBA_MISSING, "en") == [
        [5.6, "global"]]
    assert call_classic(u.kam_coordination, ((4.0, 5.0),), "territory", ((4.0, 6.0),)) == [[4.5, "regional"]]
    assert call_classic(u.kam_coordination, ((None, None),), "territory") == [["", ""]]
    assert call_classic(u.kam_coordination, ((6.0, 8.0),)) == [[
        "#KAM! the coordination rating 8 is not on the scale — allowed: a whole number from 1 (schwach ausgeprägt) to "
        "7 (stark ausgeprägt)"]]
    assert call_classic(u.kam_coordination, ((2.0,),), "territory", ((4.0,),)) == [[
        "#KAM! thresholds: 1 numbers — allowed: 2 for territory (coord_territory_regional, coord_territory_global), "
        "or none for the defaults"]]
    assert call_classic(u.kam_coordination, ((2.0,),), "territory", ((5.0, 4.0),)) == [[
        "#KAM! thresholds: coord_territory_global 4 is below coord_territory_regional 5 — allowed: "
        "coord_territory_regional ≤ coord_territory_global"]]


def test_kam_org_decision_gives_the_seeds_vector_and_weighted_scores(u) -> None:
    ones = tuple((1.0,) for _ in range(7))
    assert call_classic(u.kam_org_decision, ones[:5], 4.0) == [[20.0, -20.0]]
    assert call_classic(u.kam_org_decision, ones, 5.0) == [[100 / 7, -100 / 7]]
    assert call_classic(u.kam_org_decision, ((3.0,), (1.0,)), (("+", "–"), ("-", "+"))) == [[50.0, -50.0]]
    assert call_classic(u.kam_org_decision, ((0.0,), (None,)), (("+", "-"), ("-", "+"))) == [["", ""]]
    assert call_classic(u.kam_org_decision, ((1.0,), (1.0,)), (("+", "x"), ("-", "+"))) == [[
        "#KAM! signs: row 1, column 2 holds 'x' — allowed: + or -"]]
    assert call_classic(u.kam_org_decision, ones[:4], 4.0) == [[
        "#KAM! 4 weights for 5 rows of signs — allowed: one weight per criterion"]]
    assert call_classic(u.kam_org_decision, ((-1.0,), (1.0,)), (("+",), ("-",))) == [[
        "#KAM! decision weight -1 — allowed: a number ≥ 0"]]


# ------------------------------------------------------------------------------------------ report parts


def test_the_report_parts_of_the_demo_data_as_the_contract_says() -> None:
    parts = org_parts(demo_databook())
    coordination = [c.model_dump() for c in parts["coordination"]]
    assert len(coordination) == 14
    assert set(coordination[0]) == {"account_id", "bu", "territory", "kam_span", "shortfall"}
    assert next(c for c in coordination if c["account_id"] == "KA-005") == {
        "account_id": "KA-005", "bu": {"mean": 5.0, "result": "hoch"},
        "territory": {"mean": 5.75, "result": "global"}, "kam_span": "national", "shortfall": True}
    assert [c["account_id"] for c in coordination if c["shortfall"]] == ["KA-005"]
    assert parts["decisions"].model_dump() == {"part_time": 20.0, "full_time": -20.0, "line": 100 / 7,
                                               "staff": -100 / 7}
    sg = parts["st_gallen"].model_dump()
    assert [f["field"] for f in sg["fields"] if f["extreme"]] == [7]
    assert [lg["logic"] for lg in sg["logics"] if lg["planned_shift"]] == ["Tools", "Innovation", "Topics", "People"]
    assert sg["phase"] == "aufbauen"
    tables = org_tables(**parts)
    assert [t.title.split(" (")[0] for t in tables] == [
        "Coordination need", "Organisation decisions", "St. Gallen tension fields", "St. Gallen logics of realisation"]
    assert tables[0].row_count == 14 and tables[2].row_count == 9 and tables[3].row_count == 8


def test_report_what_programme_carries_the_three_parts_in_json_and_as_tables() -> None:
    from typer.testing import CliRunner

    from kam_xl.cli import app

    result = CliRunner().invoke(app, ["report", "--what", "programme", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["decisions"] == {"part_time": 20.0, "full_time": -20.0, "line": 14.285714, "staff": -14.285714}
    assert data["coordination"][4] == {"account_id": "KA-005", "bu": {"mean": 5.0, "result": "hoch"},
                                       "territory": {"mean": 5.75, "result": "global"}, "kam_span": "national",
                                       "shortfall": True}
    assert data["st_gallen"]["fields"][7] == {"field": 7, "current": -3, "target": -1, "gap": 2, "extreme": True}
    assert data["st_gallen"]["logics"][1] == {"logic": "Tools", "current": 1, "focus": 3, "planned_shift": True}
    assert data["st_gallen"]["phase"] == "aufbauen"
    table = CliRunner().invoke(app, ["report", "--what", "programme", "--lang", "en"], env={"COLUMNS": "200"})
    assert table.exit_code == 0
    for title in ("Coordination need", "Organisation decisions", "St. Gallen tension fields", "St. Gallen logics"):
        assert title in table.output


# ------------------------------------------------------------------------------------------ wording (issue 15)

def _programme_text(lang: str) -> str:
    from typer.testing import CliRunner

    from kam_xl.cli import app

    result = CliRunner().invoke(app, ["report", "--what", "programme", "--lang", lang])
    assert result.exit_code == 0, result.output
    return result.stdout


def _row(text: str, first: str) -> list[str]:
    line = next(ln for ln in text.splitlines() if ln.startswith(f"│ {first} "))
    return [c.strip() for c in line.strip("│").split("│")]


def test_programme_tables_speak_the_output_language() -> None:
    """yes/no, the St. Gallen logics and phase, the missing criteria: German words in German output, English in
    English — each from the vocabulary (demo: KA-001 is a growth candidate, KA-003 not; Tools focus 3 > use 1)."""
    from rich.console import Console

    from kam_xl.programme import ProgrammeReport, selection_table
    from kam_xl.selection import SelectionResult

    de, en = _programme_text("de"), _programme_text("en")
    assert _row(de, "KA-001")[3] == "ja" and _row(de, "KA-003")[3] == "nein"
    assert _row(en, "KA-001")[3] == "yes" and _row(en, "KA-003")[3] == "no"
    assert "Wachstumskandidaten (alle drei Filter ja): KA-001, KA-002, KA-004, KA-008" in de
    assert "Growth candidates (all three filters yes): KA-001, KA-002, KA-004, KA-008" in en
    assert _row(de, "Werkzeuge") == ["Werkzeuge", "1", "3", "ja"] and _row(en, "Tools") == ["Tools", "1", "3", "yes"]
    assert _row(de, "Fakten & Strategie")[:3] == ["Fakten & Strategie", "2", "2"]
    assert _row(de, "Ausgewählte Key-Accounts")[3] == "nein"
    for english in ("│ Facts & Strategy", "│ Tools ", "│ Selected Key-Accounts", "yes", "│ no "):
        assert english not in de
    assert "Phase: aufbauen" in de and "phase: build" in en
    # a criterion without a rating is named in the output language
    missing = SelectionResult(account_id="KX", score=None, rank=None, growth_candidate=None,
                              incomplete=["openness", "barriers"], derived={})
    console = Console(width=300, file=None, record=True)
    with console.capture() as cap:
        console.print(selection_table(ProgrammeReport(selection=[missing], abc_xyz=[]), "de"))
    assert _row(cap.get(), "KX")[4] == "Offenheit für gemeinsames Wachstum, Barrieren (100 = keine)"


def test_a_typed_rating_shows_the_derived_value_marked_as_overridden_in_report_and_sheet(tmp_path) -> None:
    """KA-003's volume rating is typed (55, selection.csv): the report shows its derived volume rating anyway —
    (1,235,385 − 863,518) ÷ (10,966,561 − 863,518) × 100 = 3.68 (net sales of KA-003, smallest KA-005, largest
    KA-007) — marked "*", as the Auswahl sheet marks it (a conditional number format where the typed cell is
    filled); untyped ratings show unmarked (KA-001: volume derived 33,1)."""
    from datetime import UTC, datetime

    from openpyxl import load_workbook

    from kam_xl.batch import write_controller
    from kam_xl.company_settings import company_settings
    from kam_xl.selection import derived_shown, select_accounts, selection_inputs

    db = demo_databook()
    results = {r.account_id: r for r in select_accounts(selection_inputs(db), company_settings(db).selection_weights())}
    ka3 = results["KA-003"]
    assert "volume" not in ka3.derived and round(ka3.overridden["volume"], 2) == 3.68
    assert derived_shown(ka3)["volume"][1] is True and derived_shown(results["KA-001"])["volume"][1] is False
    de, en = _programme_text("de"), _programme_text("en")
    assert _row(de, "KA-003")[5:8] == ["3,7*", "59,3", "90,9"]
    assert _row(en, "KA-003")[5:8] == ["3.7*", "59.3", "90.9"]
    assert _row(de, "KA-001")[5:8] == ["33,1", "45,9", "9,6"]
    assert "* = abgeleiteter Wert, durch die eingegebene Bewertung ersetzt." in de
    assert "* = derived value, overridden by the typed rating." in en
    target = write_controller(db, tmp_path / "Controller.xlsx", "de", datetime(2026, 3, 1, tzinfo=UTC))
    ws = load_workbook(target, data_only=True)["Auswahl"]
    row = [c.value for c in ws["A"]].index("KA-003") + 1
    assert round(ws.cell(row, 6).value, 2) == 3.68 and ws.cell(row, 9).value == 55  # F derived, I typed volume
    marked = {str(rng.sqref): rule.formula for rng in ws.conditional_formatting for rule in rng.rules
              if rule.dxf is not None and rule.dxf.numFmt is not None and rule.dxf.numFmt.formatCode == '0.0"*"'}
    # derived volume (F), earnings (G), potential (H) of the 14 accounts, marked where the typed I, M, L is filled
    assert marked == {"F9:F22": ["LEN($I9)>0"], "G9:G22": ["LEN($M9)>0"], "H9:H22": ["LEN($L9)>0"]}


def test_the_english_controller_offers_the_phase_in_english_and_reads_it_back_as_the_data_books_id(tmp_path) -> None:
    """The St. Gallen sheet of an English controller shows the demo's phase "aufbauen" as "build" and offers the
    English words; a phase typed there in English ("Professionalise ", any case) is read back as the data book's
    German id, and the next English controller shows it in English again."""
    from datetime import UTC, datetime

    from kam_xl.batch import write_controller
    from kam_xl.workbook.controller import read_controller_export
    from kam_xl.workbook.names import read_named
    from tests.shared import type_into

    target = tmp_path / "Controller.xlsx"
    write_controller(demo_databook(), target, "en", datetime(2026, 3, 1, tzinfo=UTC))
    assert read_named(target).values["sg_phase"] == "build"
    type_into(target, "sg_phase", "Professionalise ")
    tables, problems = read_controller_export(target, "en")
    assert problems == [] and {r["key"]: r["value"] for r in tables["settings"].rows}["phase"] == "professionalisieren"
    write_controller(demo_databook(), target, "en", datetime(2026, 3, 2, tzinfo=UTC))
    assert read_named(target).values["sg_phase"] == "professionalise"
