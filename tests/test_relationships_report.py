"""``kam-xl report --what relationships`` (issue 11, across accounts): the contract's keys and figures on the
demo data (checked by hand against the demo CSVs, see the comments) and on a small crafted data book where
every part, the absent parts and the company-default RACI rule are visible."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kam_xl.cli import app
from kam_xl.databook import demo_databook
from kam_xl.relationships import relationships_report

runner = CliRunner()
KEYS = {"account_id", "buying_center", "contacts", "raci", "swot", "kasp"}


def run(*args: str):
    """The relationships view, in English unless ``args`` say otherwise (the CLI's default is German)."""
    return runner.invoke(app, ["report", "--what", "relationships", "--lang", "en", *args])


def run_json(*args: str) -> list[dict]:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- the demo data --------------------------------------------------------------------------------------------------

def test_demo_every_account_is_listed_with_the_contracts_keys():
    data = run_json()
    # team_roles.csv has company-default rows (empty account_id): every one of the 14 accounts has a RACI
    assert [a["account_id"] for a in data] == [f"KA-{i:03d}" for i in range(1, 15)]
    assert all(set(a) == KEYS and all(a[k] is not None for k in KEYS) for a in data)
    assert data == json.loads(json.dumps([r.model_dump() for r in relationships_report(demo_databook())]))


def test_demo_ka_001_by_hand():
    ka1 = run_json()[0]
    # buying_center.csv: four members; contact_matrix.csv: Hannes Schäfer has two Manndecker (Jana Petersen and
    # Kai Brünning), Petra Ohlsen none; Dr. Henrik Albers is top management (on Max Müller)
    assert ka1["buying_center"] == {"members": 4, "without_manndecker": ["Petra Ohlsen"],
                                    "several_manndecker": ["Hannes Schäfer"], "top_management_covered": True,
                                    "warnings": []}
    # touchpoints.csv, 2026: Max Müller Q1–Q4 (Q1 done), min 3 → within; Bernd Gerlach Q2 (done), min = max = 3
    # → below; Petra Ohlsen Q2 (done), Q3, min 4 → below; Hannes Schäfer Q2 (done)–Q4, no bounds → no_target
    assert ka1["contacts"] == {
        "Max Müller": {"min": 3, "max": None, "planned": 4, "done": 1, "status": "within"},
        "Hannes Schäfer": {"min": None, "max": None, "planned": 3, "done": 1, "status": "no_target"},
        "Bernd Gerlach": {"min": 3, "max": 3, "planned": 1, "done": 1, "status": "below"},
        "Petra Ohlsen": {"min": 4, "max": 5, "planned": 2, "done": 1, "status": "below"}}
    # team_roles.csv: the seed's three default tasks plus "Jahresgespräch vorbereiten" (R NKAM, A GKAM)
    assert ka1["raci"] == {"tasks": 4, "without_a": [], "several_a": [], "without_r": []}
    # swot.csv: six entries, none on Preis
    assert ka1["swot"]["empty_levers"] == ["Preis"]
    assert ka1["swot"]["counts"]["Schwäche"] == {"Produkt": 1, "Preis": 0, "Promotion": 0, "Platzierung": 0,
                                                 "Person": 0, "Performance": 1}
    # kasp.csv, plan year 2026, horizon 3: Key-Account-Team Süd ends 2030 > 2029; Werkstoffwechsel biobasiert
    # starts 2026 and no 2026 KAOP measure names it (kaop_measures.csv names Digitaler Bestellprozess only)
    assert ka1["kasp"] == {"projects": 4, "outside_horizon": ["Key-Account-Team Süd"],
                           "without_kaop_measure": ["Werkstoffwechsel biobasiert"]}


def test_demo_raci_breaks_and_the_table_view():
    data = {a["account_id"]: a for a in run_json()}
    # team_roles.csv: KA-003's own task has R NKAM, I Management (no A); KA-004's has A on GKAM and Management
    assert data["KA-003"]["raci"]["without_a"] == ["Messeauftritt beim Kunden"]
    assert data["KA-004"]["raci"]["several_a"] == ["Preisverhandlung Folgejahr"]
    assert data["KA-004"]["buying_center"]["warnings"] == ["only_purchasing"]
    result = run()
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("│ KA-001"))
    assert [c.strip() for c in row.strip("│").split("│")] == [
        "KA-001", "4", "1", "1", "yes", "10/4", "2/0", "0", "4", "0", "1", "4", "2"]
    details = result.stdout.split("KA-001\n", 1)[1].split("KA-002\n", 1)[0]
    assert details.splitlines() == [
        "  • without Manndecker: Petra Ohlsen", "  • several Manndecker: Hannes Schäfer",
        "  • KASP outside horizon: Key-Account-Team Süd",
        "  • KASP starting in the plan year without KAOP measure: Werkstoffwechsel biobasiert",
        "  • SWOT empty levers: Preis"]
    assert "  • RACI with several A: Preisverhandlung Folgejahr" in result.stdout


# --- a crafted data book --------------------------------------------------------------------------------------------

ACCOUNTS = """account_id,name,region,plan_year
KA-1,Eins AG,Nord,2026
KA-2,Zwei GmbH,Süd,2026
KA-3,Drei KG,West,2026
KA-4,Vier SE,Ost,2026
"""
TABLES = {
    "buying_center": """account_id,person,senior,purchasing,min_contacts,max_contacts
KA-1,Anna Alt,ja,ja,2,3
KA-1,Bert Bach,nein,nein,,1
""",
    "contact_matrix": """account_id,person,our_person,top_management,manndecker
KA-1,Anna Alt,Jana Petersen,nein,ja
KA-1,Anna Alt,Kai Brünning,nein,ja
KA-1,Bert Bach,Kai Brünning,nein,nein
""",
    "touchpoints": """account_id,year,quarter,person,done
KA-1,2026,1,Anna Alt,ja
KA-1,2026,2,Anna Alt,nein
KA-1,2025,1,Anna Alt,ja
KA-1,2026,1,Bert Bach,nein
KA-1,2026,3,Bert Bach,nein
""",
    "team_roles": """account_id,task,role,letters
KA-2,Angebot,NKAM,R
KA-2,Angebot,GKAM,A
KA-2,Angebot,Management,A
KA-2,Messe,NKAM,I
""",
    "swot": """account_id,quadrant,lever,entry
KA-2,Stärke,Produkt,Qualität
KA-2,Risiko,Produkt,Neuer Wettbewerber
KA-2,Chance,Preis,Indexklausel
""",
    "kasp": """account_id,project,lever,start_year,end_year,status
KA-3,P1,Produkt,2026,2028,geplant
KA-3,P2,Preis,2027,2029,laufend
KA-3,P3,Person,2026,2027,geplant
""",
    "kaop_measures": """account_id,year,measure,lever,kasp_project
KA-3,2026,Start P3,Person,P3
""",
    "settings": """key,value
kasp_horizon,2
""",
}


def _book(folder: Path, **changed: str) -> Path:
    folder.mkdir()
    (folder / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    for name, text in {**TABLES, **changed}.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def test_crafted_each_part_where_its_data_is_and_null_elsewhere(tmp_path):
    data = run_json("--data", str(_book(tmp_path / "book")))
    # KA-4 has no row in any of the tables, and team_roles has no company-default rows: it is not listed
    assert [a["account_id"] for a in data] == ["KA-1", "KA-2", "KA-3"]
    ka1, ka2, ka3 = data
    assert all(set(a) == KEYS for a in data)
    # KA-1: Anna Alt has two Manndecker, Bert Bach none; nobody of ours is top management. Warnings: Bert Bach
    # (senior nein) has no Manndecker; Anna Alt, the only one covered, is in purchasing; no team rhythm at all
    assert ka1["buying_center"] == {"members": 2, "without_manndecker": ["Bert Bach"],
                                    "several_manndecker": ["Anna Alt"], "top_management_covered": False,
                                    "warnings": ["no_contact_below_senior", "only_purchasing",
                                                 "no_meeting_in_person"]}
    # 2026 only (the 2025 touchpoint does not count): Anna 2 in [2, 3], Bert 2 > max 1
    assert ka1["contacts"] == {"Anna Alt": {"min": 2, "max": 3, "planned": 2, "done": 1, "status": "within"},
                               "Bert Bach": {"min": None, "max": 1, "planned": 2, "done": 0, "status": "above"}}
    assert (ka1["raci"], ka1["swot"], ka1["kasp"]) == (None, None, None)
    # without company-default rows the seed's three tasks are the default (kam_xl.team.team_roles_of): 3 + 2
    assert ka2["raci"] == {"tasks": 5, "without_a": ["Messe"], "several_a": ["Angebot"], "without_r": ["Messe"]}
    assert ka2["swot"]["empty_levers"] == ["Promotion", "Platzierung", "Person", "Performance"]
    assert ka2["swot"]["counts"]["Stärke"]["Produkt"] == ka2["swot"]["counts"]["Risiko"]["Produkt"] == 1
    assert (ka2["buying_center"], ka2["contacts"], ka2["kasp"]) == (None, None, None)
    # horizon 2 (settings): P2 ends 2029 > 2028; P1 starts 2026 and no measure names it, P3 has "Start P3"
    assert ka3["kasp"] == {"projects": 3, "outside_horizon": ["P2"], "without_kaop_measure": ["P1"]}
    assert (ka3["buying_center"], ka3["raci"], ka3["swot"]) == (None, None, None)


def test_crafted_company_default_raci_lists_every_account(tmp_path):
    roles = TABLES["team_roles"] + ",Rahmenvertrag,GKAM,\"R, A\"\n,Messe,NKAM,R\n"
    data = {a["account_id"]: a for a in run_json("--data", str(_book(tmp_path / "book", team_roles=roles)))}
    assert list(data) == ["KA-1", "KA-2", "KA-3", "KA-4"]
    assert data["KA-4"]["raci"] == {"tasks": 2, "without_a": ["Messe"], "several_a": [], "without_r": []}
    assert [data["KA-4"][k] for k in ("buying_center", "contacts", "swot", "kasp")] == [None] * 4
    # KA-2's own "Messe" rows replace the default's; its "Angebot" comes after the default's tasks
    assert data["KA-2"]["raci"] == {"tasks": 3, "without_a": ["Messe"], "several_a": ["Angebot"],
                                    "without_r": ["Messe"]}


def test_crafted_table_view_and_no_data(tmp_path):
    result = run("--data", str(_book(tmp_path / "book")))
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.strip("│").split("│")]
            for line in result.stdout.splitlines() if line.startswith("│ KA-")}
    assert rows["KA-1"] == ["KA-1", "2", "1", "1", "NO", "4/1", "0/1", "3", "–", "–", "–", "–", "–"]
    assert rows["KA-2"] == ["KA-2", "–", "–", "–", "–", "–", "–", "–", "5", "2", "4", "–", "–"]
    assert "  • our top management covers nobody" in result.stdout
    assert "  • RACI without A: Messe" in result.stdout
    assert "  • KASP outside horizon: P2" in result.stdout
    empty = _book(tmp_path / "empty", **dict.fromkeys(TABLES, ""))
    for name in TABLES:
        (empty / f"{name}.csv").unlink()
    assert run_json("--data", str(empty)) == []
    result = run("--data", str(empty))
    assert result.exit_code == 0 and "The data book has no relationships data." in result.stdout


def test_a_mistake_in_a_relationship_table_is_one_precise_problem(tmp_path):
    book = _book(tmp_path / "book", team_roles=TABLES["team_roles"] + "KA-2,Messe,GKAM,X\n")
    result = run("--data", str(book))
    assert result.exit_code == 2
    assert "1 problem(s):" in result.output
    assert "team_roles.csv, row 6, column letters: value 'X': task 'Messe', role 'GKAM': the letter X is not a " \
           'RACI letter — allowed: R, A, S, I or C, several separated by commas (e.g. "R, A")' in result.output
