"""The team and strategy tools' pure functions (issue 11): RACI, SWOT along the 6-P, KASP, supplier position —
figures a person can check by hand."""

from __future__ import annotations

from datetime import date

import pytest

from kam_xl.errors import KamInputError
from kam_xl.kaop import KaopMeasure
from kam_xl.kasp import KaspProject, kasp_by_status, kasp_summary
from kam_xl.kgb import KgbCard, KgbCriterion
from kam_xl.position import kgb_yardsticks, relative_position, role_step, supplier_position
from kam_xl.swot import QUADRANTS, SwotEntry, swot_summary
from kam_xl.team import DEFAULT_TEAM_ROLES, merge_team_roles, parse_letters, raci_check, team_roles


def test_the_seeds_three_raci_rows_are_the_default_and_keep_the_rules() -> None:
    m = DEFAULT_TEAM_ROLES
    assert m.tasks == ("Globaler Rahmenvertrag", "Globales Beziehungsmanagement",
                       "Nationale Angebote basierend auf Rahmenvertrag")
    assert m.roles == ("GKAM", "NKAM", "Management", "Innendienst")
    assert m.row("Globaler Rahmenvertrag") == [("R",), ("I", "C"), ("A",), ("S",)]
    assert m.row("Globales Beziehungsmanagement") == [("R", "A"), (), (), ("S",)]
    assert m.row("Nationale Angebote basierend auf Rahmenvertrag") == [(), ("R", "A"), (), ()]
    assert raci_check(m).model_dump() == {"tasks": 3, "without_a": [], "several_a": [], "without_r": []}


def test_raci_findings_name_each_task_that_breaks_a_rule() -> None:
    m = team_roles([("Preisverhandlung", "GKAM", "R, A"), ("Preisverhandlung", "Management", "A"),
                    ("Reklamation", "Innendienst", "r"),
                    ("Messe", "NKAM", "I"), ("Messe", "GKAM", "C")])
    assert raci_check(m).model_dump() == {"tasks": 3, "without_a": ["Reklamation", "Messe"],
                                          "several_a": ["Preisverhandlung"], "without_r": ["Messe"]}


@pytest.mark.parametrize(("text", "letters"), [("C, I", ("I", "C")), ("c;i", ("I", "C")), ("RA", ("R", "A")),
                                               ("a / s", ("A", "S")), ("", ()), (None, ())])
def test_letters_are_read_with_any_separator_and_case(text: str | None, letters: tuple[str, ...]) -> None:
    assert parse_letters(text) == letters


def test_an_unknown_letter_is_an_error_naming_task_role_and_letter() -> None:
    with pytest.raises(KamInputError, match=r"Messe/NKAM: the letters Q, X are not RACI letters — "
                                            r"allowed: R, A, S, I or C, several"):
        team_roles([("Messe", "NKAM", "R, X, Q")])


def test_an_accounts_rows_for_a_task_replace_the_default_rows_of_that_task() -> None:
    default = [("Globaler Rahmenvertrag", "GKAM", "R"), ("Globaler Rahmenvertrag", "Management", "A"),
               ("Nationale Angebote", "NKAM", "R, A")]
    account = [("Nationale Angebote ", "Key Account Team China", "R, A"), ("Audit", "GKAM", "R, A")]
    m = merge_team_roles(default, account)
    assert m.tasks == ("Globaler Rahmenvertrag", "Nationale Angebote ", "Audit")
    assert m.row("Nationale Angebote ") == [(), (), (), (), ("R", "A")]  # NKAM's default row is gone
    assert m.roles[-1] == "Key Account Team China"
    assert m.cell("Globaler Rahmenvertrag", "Management") == ("A",)


def test_swot_counts_each_quadrant_and_lever_and_names_the_empty_levers() -> None:
    entries = [SwotEntry(quadrant="Stärke", lever="Produkt", entry="Retentionssystem führend"),
               SwotEntry(quadrant="Stärke", lever="Produkt", entry="Anwendungstechnik vor Ort"),
               SwotEntry(quadrant="Schwäche", lever="Preis", entry="über Marktniveau"),
               SwotEntry(quadrant="Chance", lever="Person", entry="neuer Werksleiter"),
               SwotEntry(quadrant="Risiko", lever="Preis", entry="Ausschreibung 2027")]
    s = swot_summary(entries)
    assert list(s.counts) == list(QUADRANTS)
    assert s.counts["Stärke"] == {"Produkt": 2, "Preis": 0, "Promotion": 0, "Platzierung": 0, "Person": 0,
                                  "Performance": 0}
    assert (s.counts["Schwäche"]["Preis"], s.counts["Risiko"]["Preis"], s.counts["Chance"]["Person"]) == (1, 1, 1)
    assert s.empty_levers == ["Promotion", "Platzierung", "Performance"]


def _project(name: str, start: int, end: int, status: str = "geplant") -> KaspProject:
    return KaspProject(project=name, lever="Produkt", start_year=start, end_year=end, status=status,  # type: ignore[arg-type]
                       budget=50_000, review_date=date(2026, 6, 30))


def test_kasp_findings_follow_the_horizon_and_the_kaop_measures() -> None:
    projects = [_project("Systempartnerschaft Retention", 2026, 2028, "laufend"),
                _project("Digitaler Bestellprozess", 2026, 2027),
                _project("Werk Polen", 2027, 2030),          # 2030 > 2026 + 3
                _project("Altlast", 2025, 2026, "abgeschlossen"),  # starts before the plan year
                _project("Kooperation F&E", 2029, 2029)]     # the last year inside
    measures = [KaopMeasure(measure="Pilotanlage", lever="Produkt", kasp_project=" Systempartnerschaft Retention")]
    assert kasp_summary(projects, measures, 2026, 3).model_dump() == {
        "projects": 5, "outside_horizon": ["Werk Polen", "Altlast"],
        "without_kaop_measure": ["Digitaler Bestellprozess"]}
    assert kasp_summary(projects, measures, 2026, 4).outside_horizon == ["Altlast"]
    assert kasp_by_status(projects) == {"geplant": 3, "laufend": 1, "abgeschlossen": 1, "gestoppt": 0}


def test_kasp_refuses_a_project_ending_before_it_starts_and_a_horizon_beyond_the_seed() -> None:
    with pytest.raises(ValueError, match="project 'Werk Polen' ends in 2027, before it starts in 2028"):
        _project("Werk Polen", 2028, 2027)
    with pytest.raises(KamInputError, match="a KASP horizon of 6 years is outside the planning range — "
                                            "allowed: 2 to 5 years"):
        kasp_summary([], [], 2026, 6)


def _card(segment: str, own: list[float | None], rival: list[float | None]) -> KgbCard:
    criteria = [KgbCriterion(name="Preis", weight=60), KgbCriterion(name="Service", weight=40)]
    return KgbCard(segment=segment, criteria=criteria, own_supplier="Wir",
                   ratings={"Wir": dict(zip(["Preis", "Service"], own, strict=True)),
                            "Nordchem": dict(zip(["Preis", "Service"], rival, strict=True))})


def test_yardsticks_two_and_three_are_the_means_over_the_kgb_cards() -> None:
    # card A: we 0.6*80 + 0.4*70 = 76, Nordchem 0.6*60 + 0.4*90 = 72 → 50 + 4/2 = 52
    # card B: we 0.6*50 + 0.4*50 = 50, Nordchem 0.6*90 + 0.4*100 = 94 → 50 − 44/2 = 28
    # card C: our score incomplete → left out
    cards = [_card("A", [80, 70], [60, 90]), _card("B", [50, 50], [90, 100]), _card("C", [None, 10], [1, 1])]
    assert kgb_yardsticks(cards) == {2: pytest.approx(63.0), 3: pytest.approx(40.0)}
    p = supplier_position("Stammlieferant", "Systempartner", {1: 70.0, 2: 10.0, 4: 55.0}, cards)
    assert p.step == 2
    assert p.ratings == {1: 70.0, 2: pytest.approx(63.0), 3: pytest.approx(40.0), 4: 55.0, 5: None}
    assert p.sources == {1: "data", 2: "kgb", 3: "kgb", 4: "data", 5: None}


def test_relative_position_is_clipped_and_role_steps_count_rungs() -> None:
    assert relative_position(100.0, 0.0) == 100.0 and relative_position(0.0, 100.0) == 0.0
    assert relative_position(70.0, 70.0) == 50.0
    assert role_step("Systempartner", "Stammlieferant") == -2
    assert role_step("Stammlieferant", None) is None


def test_the_demo_accounts_findings_from_the_data_book() -> None:
    """KA-001 in kam_xl/demo_data: four KASP projects; 'Key-Account-Team Süd' runs 2027–2030 (beyond 2026 + 3),
    'Werkstoffwechsel biobasiert' starts 2026 and no measure of kaop_measures.csv names it; its SWOT has no
    Preis entry; its Kgb card (Retentionssysteme) gives yardsticks 2 and 3."""
    from kam_xl.databook import demo_databook
    from kam_xl.kasp import kasp_summary_of
    from kam_xl.position import supplier_position_of
    from kam_xl.swot import swot_of
    from kam_xl.team import team_roles_of

    db = demo_databook()
    assert kasp_summary_of(db, "KA-001").model_dump() == {
        "projects": 4, "outside_horizon": ["Key-Account-Team Süd"],
        "without_kaop_measure": ["Werkstoffwechsel biobasiert"]}
    assert swot_summary(swot_of(db, "KA-001")).empty_levers == ["Preis"]
    assert raci_check(team_roles_of(db, "KA-003")).without_a == ["Messeauftritt beim Kunden"]
    p = supplier_position_of(db, "KA-001")
    assert (p.current_role, p.target_role, p.step, p.sources[2], p.sources[3]) == (
        "Vorzugslieferant", "Systempartner", 1, "kgb", "kgb")
