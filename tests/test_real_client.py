"""A real spreadsheet application types into generated workbooks: LibreOffice Calc, through its UNO API, opens
demo account plans and a questionnaire, types into every input of every sheet the way a user does (German
locale: ``1.234,5``, ``40 %``; English locale: ``1,234.5``), saves as .xlsx (and one copy as .ods), and then
``collect`` and the regeneration must give exactly what was typed — or a problem naming sheet and cell.

One soffice session per locale for the whole module (several workbooks in each): see ``tests/uno_client.py``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from uno_typing import libreoffice_types

from kam_xl.batch import (
    QUESTIONNAIRE_DIR,
    CollectResult,
    PlanResult,
    collect_plans,
    generate_plan,
    generate_questionnaire,
    plans_to_databook,
)
from kam_xl.databook import demo_databook, read_databook, write_databook
from kam_xl.excellence import load_catalogue
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.layout import input_values
from kam_xl.workbook.names import read_named
from kam_xl.workbook.questionnaire import questionnaire

PLAN = "KA-001_Papierfabrik_Weserbogen_AG.xlsx"
BAD = "KA-002_Holsten_Wellpappe_GmbH_&_Co._KG.xlsx"
EN_PLAN = "KA-003_Kartonagen_Elbmarsch_GmbH.xlsx"
ERROR_PLAN = "KA-004_Nordsee_Feinpapiere_GmbH.xlsx"
WORDS_PLAN = "KA-005_Textilwerke_Emsland_GmbH.xlsx"
ODS = BAD.replace(".xlsx", ".ods")
QUESTIONNAIRE = "Fragebogen_Dr._Claudia_Reimann.xlsx"
RESPONDENT = "Dr. Claudia Reimann"
ACCOUNTS = ("KA-001", "KA-002", "KA-003", "KA-004", "KA-005")  # the plans typed into (file names above)


def _generate(folder: Path, accounts: tuple[str, ...] = ACCOUNTS) -> list[PlanResult]:
    """What ``kam-xl generate --questionnaires`` does for these accounts and the one respondent (the other
    demo plans are not needed here)."""
    return [*(generate_plan(None, a, folder) for a in accounts),
            generate_questionnaire(None, RESPONDENT, folder / QUESTIONNAIRE_DIR)]


def _t(name: str, text: str, row: int = 0, col: int = 0, op: str = "type") -> dict[str, Any]:
    return {"op": op, "name": name, "row": row, "col": col, "text": text}


# What a KAM types into KA-001 in LibreOffice with a German locale: (action, what Calc stores in the cell).
# Rows/columns are 0-based inside the named block; the demo data of KA-001 has 2 activities, one Kgb card of
# 6 criteria × 3 suppliers (+1 spare column), 2 KAOP products (+1 spare row); LM-1.1, LM-1.2, LM-2.1 are rows
# 0, 1, 5 of exc_LM_ids and BP-1.1 is row 0 of exc_BP_ids.
PLAN_TYPING: list[tuple[dict[str, Any], Any]] = [
    (_t("acc_supplier_role", "Systempartner"), "Systempartner"),
    (_t("acc_status", "abgegeben"), "abgegeben"),
    (_t("cdb_in_gross_sales", "4.812.345,67"), 4812345.67),
    (_t("cdb_in_deductions", "301.234,5"), 301234.5),
    (_t("cdb_in_product_cost", "2.345.678,9"), 2345678.9),
    (_t("cdb_in_freight", "150.000"), 150000.0),
    (_t("cdb_in_development_cost", "199.999,99"), 199999.99),
    (_t("cdb_in_production_cost", "240000,01"), 240000.01),
    (_t("cdb_in_service_cost", "360.123,45"), 360123.45),
    (_t("cdb_in_sales_cost", "640.000"), 640000.0),
    (_t("cdb_act_activity", "Anwendungstechnische Besuche vor Ort  "), "Anwendungstechnische Besuche vor Ort  "),
    (_t("cdb_act_stage", "Produktion"), "Produktion"),
    (_t("cdb_act_quantity", "12,5"), 12.5),
    (_t("cdb_act_rate", "1.250,75"), 1250.75),
    (_t("cdb_act_activity", "2026", row=1), 2026.0),  # a whole number typed into a text field
    (_t("cdb_act_activity", "Technikumsversuche Überlingen", row=2), "Technikumsversuche Überlingen"),
    (_t("cdb_act_stage", "Entwicklung", row=2), "Entwicklung"),
    (_t("cdb_act_quantity", "3", row=2), 3.0),
    (_t("cdb_act_rate", "4.500", row=2), 4500.0),
    (_t("kgb_1_segment", "Retentionssysteme Nord"), "Retentionssysteme Nord"),
    (_t("kgb_1_criteria", "Leistungsfähigkeit"), "Leistungsfähigkeit"),
    (_t("kgb_1_weights", "20 %"), 0.2),
    (_t("kgb_1_weights", "15 %", row=1), 0.15),
    (_t("kgb_1_ratings", "65", col=1), 65.0),
    (_t("kgb_1_suppliers", "Chemie Öhringen ", col=3), "Chemie Öhringen "),
    (_t("kgb_1_ratings", "55", col=3), 55.0),
    (_t("kaop_threshold_green", "105 %"), 1.05),
    (_t("kaop_threshold_amber", "90 %"), 0.9),
    (_t("kaop_plan_products", "Nassfestmittel NF 2 ", row=2), "Nassfestmittel NF 2 "),
    (_t("kaop_plan_volume", "100", row=2), 100.0),
    (_t("kaop_plan_price", "2.150,5", row=2), 2150.5),
    (_t("kaop_plan_sow", "40 %", row=2), 0.4),
    (_t("kaop_plan_volume", "500,5"), 500.5),
    (_t("kaop_plan_price", "2.950", row=1, col=2), 2950.0),
    (_t("kaop_plan_sow", "74 %", col=3), 0.74),
    (_t("kaop_plan_cost_type", "Betrag", row=2), "Betrag"),  # freight: from a rate of revenue to amounts
    *((_t("kaop_plan_cost_value", f"{25 + q}.000", row=2, col=q), 25000.0 + 1000 * q) for q in range(4)),
    (_t("kaop_plan_cost_value", "131.000"), 131000.0),
    (_t("kaop_plan_cost_value", "58,5 %", row=3, col=1), 0.585),  # product cost Q2: a rate of revenue
    (_t("kaop_actual_products", "Leimungsmittel AKD 7 "), "Leimungsmittel AKD 7 "),
    (_t("kaop_actual_volume", "470", col=2), 470.0),
    (_t("kaop_actual_price", "1.600", col=2), 1600.0),
    (_t("kaop_actual_sow", "75 %", col=2), 0.75),
    (_t("kaop_actual_cost_type", "Betrag", row=4), "Betrag"),  # "other": amounts from now on
    (_t("kaop_actual_cost_value", "12.000", row=4), 12000.0),
    (_t("kaop_actual_cost_value", "12.500", row=4, col=1), 12500.0),
    (_t("kaop_actual_cost_value", "140.000", col=2), 140000.0),
    (_t("kaop_goals", "Share-of-Wallet Nassfestmittel"), "Share-of-Wallet Nassfestmittel"),
    (_t("kaop_goals", "Anteil am Bedarf", col=1), "Anteil am Bedarf"),
    (_t("kaop_goals", "Prozentpunkte", col=2), "Prozentpunkte"),
    *((_t("kaop_goal_targets", str(10 * (q + 1)), col=q), 10.0 * (q + 1)) for q in range(4)),
    (_t("kaop_goal_actuals", "12,5"), 12.5),
    (_t("kaop_measures", "Technikumstag beim Kunden"), "Technikumstag beim Kunden"),
    (_t("kaop_measures", "Produkt", col=1), "Produkt"),
    (_t("kaop_measures", "Jana Petersen", col=2), "Jana Petersen"),
    (_t("kaop_measures", "2 Anwendungstechniker", col=3), "2 Anwendungstechniker"),
    (_t("kaop_measures", "Q2", col=4), "Q2"),
    (_t("kaop_measures", "in Arbeit", col=5), "in Arbeit"),
    (_t("exc_LM_ratings", "75 – trifft im Wesentlichen zu"), "75 – trifft im Wesentlichen zu"),  # the drop-down word
    (_t("exc_LM_evidence", "Jahresgespräch 2026 protokolliert"), "Jahresgespräch 2026 protokolliert"),
    (_t("exc_LM_ratings", "nicht relevant", row=1), "nicht relevant"),
    (_t("exc_LM_ratings", "25 – trifft in geringem Maße zu", row=5), "25 – trifft in geringem Maße zu"),
    (_t("exc_BP_ratings", "100 – trifft voll und ganz zu"), "100 – trifft voll und ganz zu"),
    (_t("exc_BP_evidence", "2026"), 2026.0),
    # the people sheets: KA-001 has 4 members (row 4 is the first spare row) and 3 people of ours (column 3 spare)
    (_t("bc_members", "Gudrun Falk", row=4), "Gudrun Falk"),
    (_t("bc_members", "nein", row=4, col=3), "nein"),
    (_t("bc_members", "4", row=4, col=6), 4.0),
    (_t("bc_members", "62,5", row=4, col=7), 62.5),
    (_t("bc_members", "besser", row=4, col=10), "besser"),
    (_t("bc_members", "blau, Grün", row=4, col=12), "blau, Grün"),
    (_t("km_our_people", "Lea Sommer", col=3), "Lea Sommer"),
    (_t("km_our_functions", "Innendienst", col=3), "Innendienst"),
    (_t("km_our_top_management", "nein", col=3), "nein"),
    (_t("km_targets", "2", row=4), 2.0),
    (_t("km_targets", "5", row=4, col=1), 5.0),
    (_t("km_topics", "Lieferplan, Muster", row=4, col=3), "Lieferplan, Muster"),
    (_t("km_manndecker", "ja", row=4, col=3), "ja"),
    (_t("tp_plan", "Musterversand", row=4), "Musterversand"),
    (_t("tp_plan", "Brief/E-Mail", row=4, col=1), "Brief/E-Mail"),
    (_t("tp_plan", "ja", row=4, col=3), "ja"),
    (_t("tp_rhythm", "Telefonkonferenz Meilensteine ", row=1), "Telefonkonferenz Meilensteine "),
    # the team and strategy sheets (issue 11): KA-001 has 4 RACI tasks × 4 roles, SWOT entries 1/2/2/1 per
    # quadrant, 4 KASP projects — the first free row or column of each
    (_t("raci_tasks", "Lieferantenaudit", row=4), "Lieferantenaudit"),
    (_t("raci_roles", "Qualität", col=4), "Qualität"),
    (_t("raci_letters", "R, A", row=4, col=4), "R, A"),
    (_t("raci_letters", "I", row=4, col=1), "I"),
    (_t("swot_strengths", "Preis", row=1), "Preis"),
    (_t("swot_strengths", "Rahmenvertrag bis 2028", row=1, col=1), "Rahmenvertrag bis 2028"),
    (_t("swot_weaknesses", "Person", row=2), "Person"),
    (_t("swot_weaknesses", "Kein Kontakt zur Geschäftsführung", row=2, col=1), "Kein Kontakt zur Geschäftsführung"),
    (_t("swot_opportunities", "Platzierung", row=2), "Platzierung"),
    (_t("swot_opportunities", "Neues Lager im Werk", row=2, col=1), "Neues Lager im Werk"),
    (_t("swot_threats", "Produkt", row=1), "Produkt"),
    (_t("swot_threats", "Biobasierte Chemie des Wettbewerbs", row=1, col=1), "Biobasierte Chemie des Wettbewerbs"),
    (_t("kasp_projects", "Lieferantenaudit", row=4), "Lieferantenaudit"),
    (_t("kasp_projects", "Performance", row=4, col=1), "Performance"),
    (_t("kasp_projects", "Audit bestanden", row=4, col=2), "Audit bestanden"),
    (_t("kasp_projects", "90,5", row=4, col=4), 90.5),
    (_t("kasp_projects", "2027", row=4, col=5), 2027.0),
    (_t("kasp_projects", "2028", row=4, col=6), 2028.0),
    (_t("kasp_projects", "15.000", row=4, col=8), 15000.0),
    (_t("kasp_projects", "laufend", row=4, col=9), "laufend"),
    (_t("pos_target_role", "Systempartner"), "Systempartner"),
    (_t("pos_ratings", "72,5"), 72.5),
]

# The questionnaire of Dr. Claudia Reimann: SW-1.3 (row 2 of exc_SW_ids) and LM-1.1 (row 0) are unanswered in
# the demo data; OS-1.1 and BP-1.1 are row 0 of their blocks.
QUESTIONNAIRE_TYPING: list[tuple[dict[str, Any], Any]] = [
    (_t("exc_respondent", "Dr. Claudia Reimann "), "Dr. Claudia Reimann "),
    (_t("exc_role", "Vertriebsleitung"), "Vertriebsleitung"),
    (_t("exc_SW_ratings", "25 – trifft in geringem Maße zu", row=2), "25 – trifft in geringem Maße zu"),
    (_t("exc_SW_evidence", "Kundenbewertung nach CDB III", row=2), "Kundenbewertung nach CDB III"),
    (_t("exc_OS_ratings", "nicht relevant"), "nicht relevant"),
    (_t("exc_OS_evidence", "Öffentliche Aufträge: kein KAM"), "Öffentliche Aufträge: kein KAM"),
    (_t("exc_LM_ratings", "100 – trifft voll und ganz zu"), "100 – trifft voll und ganz zu"),
    (_t("exc_LM_evidence", "Prüfbericht März  "), "Prüfbericht März  "),
    (_t("exc_BP_ratings", "0 – trifft überhaupt nicht zu"), "0 – trifft überhaupt nicht zu"),
    (_t("exc_BP_evidence", "2026"), 2026.0),
]

# KA-003 in an English locale: thousands commas and decimal points.
EN_TYPING: list[tuple[dict[str, Any], Any]] = [
    (_t("cdb_in_gross_sales", "1,234,567.5"), 1234567.5),
    (_t("cdb_in_deductions", "12,345.25"), 12345.25),
    (_t("kaop_plan_sow", "12.5%"), 0.125),
]

# KA-005: drop-down words typed by hand rather than picked — another case, an ASCII hyphen for the en dash.
# The text rule matches them case-insensitively with dashes folded (kam_xl.text.match_choice).
WORDS_TYPING: list[tuple[dict[str, Any], Any]] = [
    (_t("acc_supplier_role", "systempartner"), "systempartner"),
    (_t("cdb_act_activity", "Musterfärbungen"), "Musterfärbungen"),  # KA-005 has no activities: a new row
    (_t("cdb_act_stage", "vertrieb"), "vertrieb"),
    (_t("cdb_act_quantity", "4"), 4.0),
    (_t("cdb_act_rate", "350"), 350.0),
    (_t("exc_LM_ratings", "50 - trifft teilweise zu"), "50 - trifft teilweise zu"),
    (_t("kaop_measures", "Preisgespräch Q3"), "Preisgespräch Q3"),
    (_t("kaop_measures", "preis", col=1), "preis"),
    (_t("kaop_measures", "Erledigt", col=5), "Erledigt"),
]

# KA-004: only an error value in an amount, so that nothing else stops its regeneration.
ERROR_TYPING: list[tuple[dict[str, Any], Any]] = [(_t("cdb_in_freight", "=1/0", op="formula"), None)]

# KA-002, saved once as .xlsx and once as .ods: what must be refused with a problem naming sheet and cell.
BAD_TYPING: list[tuple[dict[str, Any], Any]] = [
    (_t("cdb_in_freight", "=1/0", op="formula"), None),  # an error value in an amount
    ({"op": "clear", "name": "cdb_in_gross_sales"}, None),  # a required amount deleted
    (_t("kgb_1_weights", "35", row=1), 35.0),  # 35 typed into a percent cell without "%" is 3500 %
    (_t("kaop_plan_price", "viel"), "viel"),
    (_t("exc_LM_ratings", "sehr gut"), "sehr gut"),
]


@dataclass
class Typed:
    """What the module's LibreOffice sessions did: the folders and the client's report per workbook."""

    root: Path
    plans: Path  # generated plans and questionnaires, the typed ones saved over their originals
    bad: Path  # KA-002 with wrong input, as .xlsx
    ods: Path  # the same, saved as .ods
    error: Path  # KA-004 with =1/0 in an amount
    report: dict[str, dict[str, Any]]  # file name → the client's report of that workbook


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> Typed:
    root = tmp_path_factory.mktemp("real_client")
    plans, bad, error, staged = root / "plans", root / "bad", root / "error", root / "staged"
    results = _generate(plans)
    assert [r.status for r in results] == ["new"] * len(results)
    staged.mkdir()
    for name in (PLAN, BAD, EN_PLAN, ERROR_PLAN, WORDS_PLAN):
        shutil.copy2(plans / name, staged / name)
    shutil.copy2(plans / QUESTIONNAIRE_DIR / QUESTIONNAIRE, staged / QUESTIONNAIRE)

    def job(name: str, typing: list[tuple[dict[str, Any], Any]], *save: tuple[Path, str]) -> dict[str, Any]:
        return {"path": str(staged / name), "actions": [a for a, _ in typing],
                "save": [{"path": str(p), "format": f} for p, f in save]}

    de = libreoffice_types([
        job(PLAN, PLAN_TYPING, (plans / PLAN, "xlsx")),
        job(QUESTIONNAIRE, QUESTIONNAIRE_TYPING, (plans / QUESTIONNAIRE_DIR / QUESTIONNAIRE, "xlsx")),
        job(BAD, BAD_TYPING, (bad / BAD, "xlsx"), (root / "ods" / ODS, "ods")),
        job(ERROR_PLAN, ERROR_TYPING, (error / ERROR_PLAN, "xlsx")),
        job(WORDS_PLAN, WORDS_TYPING, (plans / WORDS_PLAN, "xlsx")),
    ], locale="de-DE")
    en = libreoffice_types([job(EN_PLAN, EN_TYPING, (plans / EN_PLAN, "xlsx"))], locale="en-US")
    return Typed(root, plans, bad, root / "ods", error, {Path(w["path"]).name: w for w in [*de, *en]})


def _cells(typed: Typed, name: str) -> list[dict[str, Any]]:
    return typed.report[name]["cells"]


@pytest.mark.parametrize(("name", "typing"), [(PLAN, PLAN_TYPING), (QUESTIONNAIRE, QUESTIONNAIRE_TYPING),
                                              (EN_PLAN, EN_TYPING), (BAD, BAD_TYPING), (ERROR_PLAN, ERROR_TYPING),
                                              (WORDS_PLAN, WORDS_TYPING)])
def test_libreoffice_stored_what_was_typed(typed: Typed, name: str, typing: list[tuple[dict[str, Any], Any]]) -> None:
    """The typing is real: Calc understood each text in its locale (``1.234,5`` → 1234.5 in German, ``40 %`` →
    0.4) and the cell holds a number or a text as a user's cell would."""
    for cell, (action, stored) in zip(_cells(typed, name), typing, strict=True):
        where = f"{name} {cell['sheet']}!{cell['cell']} ({action})"
        if action["op"] == "formula":
            assert (cell["type"], cell["string"]) == ("FORMULA", "#DIV/0!"), where
        elif action["op"] == "clear":
            assert cell["type"] == "EMPTY", where
        elif isinstance(stored, float):
            assert cell["type"] == "VALUE" and cell["value"] == pytest.approx(stored, abs=1e-9), where
        else:
            assert (cell["type"], cell["string"]) == ("TEXT", stored), where


def _boxes(names: dict[str, Any]) -> dict[str, set[tuple[int, int]]]:
    return {n: {(r, c) for r in range(len(v)) for c in range(len(v[0]))} if isinstance(v, list) else {(0, 0)}
            for n, v in names.items()}


def test_every_input_of_every_sheet_was_typed(typed: Typed) -> None:
    """Every input name of the account plan and of the questionnaire got at least one typed cell."""
    plan_inputs = input_values(account_plan(AccountPlanData.from_databook(demo_databook(), "KA-001")))
    typed_plan = {a["name"] for a, _ in PLAN_TYPING}
    assert sorted(set(plan_inputs) - typed_plan) == []
    response = next(r for r in demo_databook().responses() if r.respondent == RESPONDENT)
    q_inputs = input_values(questionnaire(load_catalogue(), response, RESPONDENT, response.role))
    assert sorted(set(q_inputs) - {a["name"] for a, _ in QUESTIONNAIRE_TYPING}) == []
    # and every typed cell lies inside its name's block
    for name, typing in ((PLAN, PLAN_TYPING), (QUESTIONNAIRE, QUESTIONNAIRE_TYPING)):
        folder = typed.plans / (QUESTIONNAIRE_DIR if name == QUESTIONNAIRE else "")
        boxes = _boxes(read_named(folder / name).values)
        for action, _ in typing:
            assert (action["row"], action["col"]) in boxes[action["name"]], action


@pytest.mark.parametrize(("name", "typing"), [(PLAN, PLAN_TYPING), (QUESTIONNAIRE, QUESTIONNAIRE_TYPING),
                                              (EN_PLAN, EN_TYPING), (WORDS_PLAN, WORDS_TYPING)])
def test_saved_xlsx_reads_back_by_name_exactly(typed: Typed, name: str,
                                               typing: list[tuple[dict[str, Any], Any]]) -> None:
    """The .xlsx LibreOffice saved, read by defined name: every typed cell holds exactly what Calc stored."""
    path = typed.plans / (QUESTIONNAIRE_DIR if name == QUESTIONNAIRE else "") / name
    values = read_named(path).values
    for action, stored in typing:
        block = values[action["name"]]
        got = block[action["row"]][action["col"]] if isinstance(block, list) else block
        assert got == stored, action


@pytest.fixture(scope="module")
def collected(typed: Typed) -> CollectResult:
    return collect_plans(typed.plans)


def _plan(collected: CollectResult, file: str) -> AccountPlanData:
    """The plan collected from ``file``, which must have been read without a problem."""
    assert [p for p in collected.problems if p[0] == file] == []
    assert [s for s in collected.skipped if s[0] == file] == []
    return next(p for p in collected.plans if p.account.account_id == file[:6])


def test_collect_reads_the_typed_plan_exactly(collected: CollectResult) -> None:
    """collect turns what was typed into the models: amounts to the cent, texts under the text rule (trimmed,
    ``2026`` not ``2026.0``), percentages as fractions, drop-down words as their values."""
    plan = _plan(collected, PLAN)
    assert (plan.account.supplier_role, plan.status) == ("Systempartner", "abgegeben")
    assert plan.cdb is not None and plan.cdb.model_dump() == {
        "gross_sales": 4812345.67, "deductions": 301234.5, "product_cost": 2345678.9, "freight": 150000.0,
        "development_cost": 199999.99, "production_cost": 240000.01, "service_cost": 360123.45,
        "sales_cost": 640000.0}
    assert [(a.activity, a.stage, a.driver_quantity, a.cost_rate) for a in plan.activities] == [
        ("Anwendungstechnische Besuche vor Ort", "production", 12.5, 1250.75),
        ("2026", "sales", 10.0, 1250.0),
        ("Technikumsversuche Überlingen", "development", 3.0, 4500.0)]


def test_collect_reads_the_typed_people(collected: CollectResult) -> None:
    """The member, our person, contact targets, Manndecker, touchpoint and team purpose typed into the three
    people sheets, as collect reads them (words as their values, the list of colours as offered)."""
    from kam_xl.buying_center import ContactLink, Member, TeamMeeting, Touchpoint

    people = _plan(collected, PLAN).parts["people"]
    assert people.members[4] == Member(person="Gudrun Falk", influence=4, technical=62.5, colours=("Blau", "Grün"),
                                       performance_vs_competition="besser", min_contacts=2, max_contacts=5)
    assert people.contacts[-1] == ContactLink(person="Gudrun Falk", our_person="Lea Sommer", our_function="Innendienst",
                                              topics="Lieferplan, Muster", manndecker=True)
    assert Touchpoint(year=2026, quarter=1, person="Gudrun Falk", what="Musterversand", channel="Brief/E-Mail",
                      done=True) in people.touchpoints
    assert people.rhythm[1] == TeamMeeting(year=2026, quarter=2, format="Telefon/Video",
                                           purpose="Telefonkonferenz Meilensteine")


def test_collect_reads_the_typed_team_sheets(collected: CollectResult) -> None:
    plan = _plan(collected, PLAN)
    roles = plan.parts["raci"]
    assert (roles.cell("Lieferantenaudit", "Qualität"), roles.cell("Lieferantenaudit", "NKAM")) == (("R", "A"), ("I",))
    swot = {(e.quadrant, e.lever, e.entry) for e in plan.parts["swot"]}
    assert {("Stärke", "Preis", "Rahmenvertrag bis 2028"), ("Schwäche", "Person", "Kein Kontakt zur Geschäftsführung"),
            ("Chance", "Platzierung", "Neues Lager im Werk"),
            ("Risiko", "Produkt", "Biobasierte Chemie des Wettbewerbs")} <= swot
    project = plan.parts["kasp"].projects[-1]
    assert (project.project, project.lever, project.goal, project.target, project.start_year, project.end_year,
            project.budget, project.status) == ("Lieferantenaudit", "Performance", "Audit bestanden", 90.5, 2027,
                                                2028, 15000.0, "laufend")
    assert plan.account.target_supplier_role == "Systempartner" and plan.parts["position"].ratings[1] == 72.5


def test_collect_reads_the_typed_kgb_card(collected: CollectResult) -> None:
    plan = _plan(collected, PLAN)
    (card,) = plan.kgb_cards
    assert card.segment == "Retentionssysteme Nord" and card.own_supplier == "Rheinauen"
    assert [(c.name, c.weight) for c in card.criteria[:3]] == [
        ("Leistungsfähigkeit", 0.2), ("Sicherheit des Systems", 0.15), ("Preis", 0.1)]
    assert card.ratings["Nordchem"]["Leistungsfähigkeit"] == 65.0
    assert card.ratings["Rheinauen"]["Leistungsfähigkeit"] == 80.0  # untouched: the data's value
    assert card.ratings["Chemie Öhringen"] == {"Leistungsfähigkeit": 55.0, **{
        c.name: None for c in card.criteria[1:]}}


def test_collect_reads_the_typed_kaop(collected: CollectResult) -> None:
    plan = _plan(collected, PLAN)
    kaop = plan.kaop
    assert kaop is not None and (kaop.thresholds.green, kaop.thresholds.amber) == (1.05, 0.9)
    plan_rows = {(r.product, r.quarter): r for r in kaop.plan[0]}
    new = plan_rows[("Nassfestmittel NF 2", 1)]
    assert (new.volume, new.price, new.share_of_wallet) == (100.0, 2150.5, 0.4)
    assert plan_rows[("Leimungsmittel AKD 7", 1)].volume == 500.5
    assert plan_rows[("Leimungsmittel AKD 7", 4)].share_of_wallet == 0.74
    assert plan_rows[("Entschäumer DF 3", 3)].price == 2950.0
    plan_costs = {(c.category, c.quarter): (c.amount, c.rate_of_revenue) for c in kaop.plan[1]}
    assert [plan_costs[("freight", q)] for q in (1, 2, 3, 4)] == [(25000.0, None), (26000.0, None),
                                                                  (27000.0, None), (28000.0, None)]
    assert plan_costs[("sales_staff", 1)] == (131000.0, None)
    assert plan_costs[("product_cost", 2)] == (None, 0.585)
    actual_rows = {(r.product, r.quarter): r for r in kaop.actual[0]}
    q3 = actual_rows[("Leimungsmittel AKD 7", 3)]  # the product typed with a trailing space: the same key
    assert (q3.volume, q3.price, q3.share_of_wallet) == (470.0, 1600.0, 0.75)
    assert {r.product for r in kaop.actual[0]} <= {r.product for r in kaop.plan[0]}
    actual_costs = {(c.category, c.quarter): (c.amount, c.rate_of_revenue) for c in kaop.actual[1]}
    assert (actual_costs[("other", 1)], actual_costs[("other", 2)]) == ((12000.0, None), (12500.0, None))
    assert actual_costs[("sales_staff", 3)] == (140000.0, None)
    (goal,) = kaop.goals
    assert (goal.goal, goal.metric, goal.unit, goal.targets, goal.actuals) == (
        "Share-of-Wallet Nassfestmittel", "Anteil am Bedarf", "Prozentpunkte",
        {1: 10.0, 2: 20.0, 3: 30.0, 4: 40.0}, {1: 12.5})
    (measure,) = kaop.measures
    assert (measure.measure, measure.lever, measure.owner, measure.resources, measure.due_quarter,
            measure.status) == ("Technikumstag beim Kunden", "Produkt", "Jana Petersen", "2 Anwendungstechniker",
                                2, "in Arbeit")


def test_collect_reads_the_typed_excellence_ratings(collected: CollectResult) -> None:
    plan = _plan(collected, PLAN)
    assert plan.excellence is not None
    answers = {a.criterion_id: (a.rating, a.evidence) for a in plan.excellence.answers}
    assert answers["LM-1.1"] == (75, "Jahresgespräch 2026 protokolliert")
    assert answers["LM-1.2"] == ("n.r.", "")
    assert answers["LM-2.1"] == (25, "")
    assert answers["BP-1.1"] == (100, "2026")


def test_collect_matches_drop_down_words_typed_by_hand(collected: CollectResult) -> None:
    """Words typed instead of picked: another case, an ASCII hyphen instead of the en dash."""
    plan = _plan(collected, WORDS_PLAN)
    assert plan.account.supplier_role == "Systempartner"
    assert [(a.activity, a.stage, a.driver_quantity, a.cost_rate) for a in plan.activities] == [
        ("Musterfärbungen", "sales", 4.0, 350.0)]
    assert plan.excellence is not None and plan.excellence.answers[0].rating == 50
    assert plan.kaop is not None
    assert [(m.measure, m.lever, m.status) for m in plan.kaop.measures] == [("Preisgespräch Q3", "Preis", "erledigt")]


def test_collect_reads_the_typed_questionnaire(collected: CollectResult) -> None:
    assert [p for p in collected.problems if p[0] == QUESTIONNAIRE] == []
    response = next(r for r in collected.responses if r.respondent.startswith("Dr. Claudia"))
    assert (response.respondent, response.role) == ("Dr. Claudia Reimann", "Vertriebsleitung")
    answers = {a.criterion_id: (a.rating, a.evidence) for a in response.answers}
    assert answers["SW-1.3"] == (25, "Kundenbewertung nach CDB III")
    assert answers["OS-1.1"] == ("n.r.", "Öffentliche Aufträge: kein KAM")
    assert answers["LM-1.1"] == (100, "Prüfbericht März")
    assert answers["BP-1.1"] == (0, "2026")
    assert answers["SW-1.1"] == (75, "Auswahlkriterien für Key Accounts dokumentiert")  # untouched


def test_collect_reads_numbers_typed_in_an_english_locale(collected: CollectResult) -> None:
    plan = _plan(collected, EN_PLAN)
    assert plan.cdb is not None and (plan.cdb.gross_sales, plan.cdb.deductions) == (1234567.5, 12345.25)
    assert plan.kaop is not None
    first = plan.kaop.plan[0][0]
    assert (first.quarter, first.share_of_wallet) == (1, 0.125)


def test_export_carries_the_typed_values(typed: Typed, collected: CollectResult) -> None:
    """The tidy export (the data book collect writes) read back with the data-book reader."""
    path = write_databook(plans_to_databook(collected.plans, str(typed.plans), collected.responses),
                          typed.root / "collected.xlsx")
    db = read_databook(path)
    cdb = {(r["account_id"], r["year"]): r for r in db.table("cdb")}
    assert cdb[("KA-001", 2025)]["gross_sales"] == 4812345.67
    assert cdb[("KA-003", 2025)]["gross_sales"] == 1234567.5
    activities = [(r["activity"], r["stage"], r["driver_quantity"]) for r in db.table("activities")
                  if r["account_id"] == "KA-001"]
    assert activities == [("Anwendungstechnische Besuche vor Ort", "production", 12.5), ("2026", "sales", 10.0),
                          ("Technikumsversuche Überlingen", "development", 3.0)]
    kgb = {(r["criterion"], r["supplier"]): r["rating"] for r in db.table("kgb") if r["account_id"] == "KA-001"}
    assert kgb[("Leistungsfähigkeit", "Chemie Öhringen")] == 55.0
    kaop = {(r["scenario"], r["product"], r["quarter"]): r["price"] for r in db.table("kaop_products")
            if r["account_id"] == "KA-001"}
    assert kaop[("plan", "Nassfestmittel NF 2", 1)] == 2150.5
    assert kaop[("actual", "Leimungsmittel AKD 7", 3)] == 1600.0
    excellence = {(r["respondent"], r["criterion_id"]): (r["rating"], r["evidence"]) for r in db.table("excellence")}
    assert excellence[("Dr. Claudia Reimann", "LM-1.1")] == (100, "Prüfbericht März")
    assert excellence[("KA-001", "LM-2.1")] == (25, None)


def test_regeneration_keeps_every_typed_value(typed: Typed, collected: CollectResult, tmp_path: Path) -> None:
    """``generate`` again over the folder (same data): the plans are regenerated, nothing is reported, and
    collecting again gives the same models as before — every typed value is still where it was typed."""
    folder = tmp_path / "plans"
    shutil.copytree(typed.plans, folder)
    results = _generate(folder)
    mine = [r for r in results if r.path.name in (PLAN, EN_PLAN, QUESTIONNAIRE)]  # the others: tests above
    assert [(r.account_id, r.status, r.problems) for r in mine] == [
        (key, "regenerated", []) for key in ("KA-001", "KA-003", "Dr. Claudia Reimann")]
    assert [(r.account_id, c.name, c.row, c.col) for r in results for _, _, c in r.conflicts] == []
    again = collect_plans(folder)
    for file in (PLAN, EN_PLAN):
        assert _plan(again, file) == _plan(collected, file)
    assert [r for r in again.responses if r.respondent == RESPONDENT] == [r for r in collected.responses
                                                                          if r.respondent == RESPONDENT]


def _where(typed: Typed, index: int, file: str = BAD) -> tuple[str, str]:
    """Sheet and cell of the ``index``-th action on ``file``, as LibreOffice found it by name."""
    cell = _cells(typed, file)[index]
    return cell["sheet"], cell["cell"]


@pytest.fixture(scope="module")
def bad_collected(typed: Typed) -> CollectResult:
    return collect_plans(typed.bad)


def _problems_at(result: CollectResult, file: str, where: tuple[str, str]) -> list[tuple[str, str]]:
    return [(value, text) for f, sheet, cell, value, text in result.problems if (f, sheet, cell) == (file, *where)]


@pytest.mark.parametrize("file", [BAD, ERROR_PLAN])
def test_error_value_in_an_input_is_reported(typed: Typed, bad_collected: CollectResult, file: str) -> None:
    """``=1/0`` in an amount: collect names file, sheet, cell and the error value, never reads it as empty."""
    result = bad_collected if file == BAD else collect_plans(typed.error)
    problems = _problems_at(result, file, _where(typed, 0, file))
    assert len(problems) == 1 and "#DIV/0!" in " ".join(problems[0]), result.problems


def test_cleared_required_amount_is_reported_empty(typed: Typed, bad_collected: CollectResult) -> None:
    problems = _problems_at(bad_collected, BAD, _where(typed, 1))
    assert len(problems) == 1 and "empty" in problems[0][1], bad_collected.problems


def test_wrong_values_typed_are_reported_where_they_are(typed: Typed, bad_collected: CollectResult) -> None:
    """35 typed into a weight without "%" (3500 %), a word in a price, a rating word not on the scale."""
    for index, shown in ((2, "35"), (3, "viel"), (4, "sehr gut")):
        problems = _problems_at(bad_collected, BAD, _where(typed, index))
        assert len(problems) == 1 and problems[0][0].startswith(shown), (index, bad_collected.problems)
    assert not any(p.account.account_id == "KA-002" for p in bad_collected.plans)  # left out of the export


def test_ods_copy_is_refused_or_read_exactly(typed: Typed, bad_collected: CollectResult) -> None:
    """The plan LibreOffice saved as .ods is never passed over in silence: listed as "save it as .xlsx" (or,
    should the product read .ods, read with the same problems as the .xlsx)."""
    result = collect_plans(typed.ods)
    skipped = [reason for file, reason in result.skipped if file == ODS]
    problems = [p[1:] for p in result.problems if p[0] == ODS]
    assert (len(skipped) == 1 and ".xlsx" in skipped[0] and ODS in skipped[0] and problems == []) or \
        sorted(problems) == sorted(p[1:] for p in bad_collected.problems if p[0] == BAD), result


def test_ods_beside_the_xlsx_is_not_silently_chosen_between(typed: Typed, tmp_path: Path) -> None:
    """The .ods saved next to the .xlsx of the same plan: neither is taken in silence — each is listed, naming
    the other file (the product leaves the account out until one file is left)."""
    shutil.copy2(typed.bad / BAD, tmp_path / BAD)
    shutil.copy2(typed.ods / ODS, tmp_path / ODS)
    result = collect_plans(tmp_path)
    assert result.plans == []
    listed = dict(result.skipped)
    assert sorted(listed) == sorted([BAD, ODS]), result
    assert all(BAD in reason and ODS in reason for reason in listed.values()), listed


def test_regeneration_keeps_an_error_value_as_the_kam_left_it(typed: Typed, tmp_path: Path) -> None:
    """Regenerating over the plan with ``=1/0`` in an amount (typed in LibreOffice, saved as .xlsx): the plan is
    regenerated, the cell still holds the KAM's formula with its error value, the old file is in ``_backup``, and
    the cell is listed with the error value and why (issue 9: "regeneration leaves such a cell as the KAM left
    it and reports it")."""
    shutil.copy2(typed.error / ERROR_PLAN, tmp_path / ERROR_PLAN)
    before = (tmp_path / ERROR_PLAN).read_bytes()
    result = generate_plan(None, "KA-004", tmp_path)
    assert result.status == "regenerated", result
    assert result.backup is not None and result.backup.read_bytes() == before
    cell = _where(typed, 0, ERROR_PLAN)[1]
    [(sheet, where, conflict)] = [c for c in result.conflicts if c[2].name == "cdb_in_freight"]
    assert (sheet, where, str(conflict.kam), conflict.note[:13]) == ("CDB", cell, "#DIV/0!", "error value o"), \
        result.conflicts
    kept = read_named(tmp_path / ERROR_PLAN).values["cdb_in_freight"]
    assert (kept.code, kept.formula) == ("#DIV/0!", "1/0")
