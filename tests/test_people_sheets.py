"""The people sheets of the account plan (issue 11): Buying Center with its map, Kontaktmatrix, Touchpoints.

* every formula of the three sheets, recalculated by LibreOffice, equals kam_xl's pure functions — also after
  a KAM's edits, which the map's helper columns and the lights follow without Python;
* what a KAM types into the new inputs survives regeneration, with its member, also when the data book
  reorders the members;
* collect reads the sheets back, the export has the four tables, the exported data book reads back to the
  same buying center and generates the same inputs; refused values are named by cell.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kam_xl.batch import collect_plans, generate_plan, plans_to_databook
from kam_xl.buying_center import PEOPLE_TABLES, BuyingCenter, buying_center_of
from kam_xl.databook import DataBook, demo_databook, read_databook, write_databook
from kam_xl.testing.recalc import error_cells, mismatches, read_values, recalculate
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.buying_center_sheet import C_HELP, SERIES, C
from kam_xl.workbook.layout import input_values
from kam_xl.workbook.names import read_named
from kam_xl.workbook.people_common import FIRST_ROW, PART, SPARE_MEMBERS
from kam_xl.workbook.render import write_book
from tests.shared import type_into

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PEOPLE_SHEETS = ("Buying Center", "Kontaktmatrix", "Touchpoints")
INPUT_NAMES = ("bc_members", "km_our_people", "km_our_functions", "km_our_top_management", "km_targets",
               "km_topics", "km_manndecker", "tp_plan", "tp_rhythm")


def _part(aid: str) -> BuyingCenter:
    bc = buying_center_of(demo_databook(), aid)
    assert bc is not None
    return bc


def _people_mismatches(book, values) -> list[str]:
    return [m for m in mismatches(book, values) if m.split("!")[0] in PEOPLE_SHEETS]


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """KA-001's plan (de) and KA-004's (en), and KA-001's plan with a KAM's edits typed in, recalculated."""
    folder = tmp_path_factory.mktemp("people")
    db = demo_databook()
    books = {}
    for aid, lang in (("KA-001", "de"), ("KA-004", "en")):
        books[aid] = account_plan(AccountPlanData.from_databook(db, aid), lang, NOW)
        write_book(books[aid], folder / f"{aid}.xlsx")
    edit = write_book(books["KA-001"], folder / "KA-001_edited.xlsx")
    # Max Müller (row 0): influence 2 → 5, performance besser → schlechter; Bernd Gerlach (row 2): min 3 → 1;
    # Petra Ohlsen (row 3, touchpoints in Q2 and Q3) gets one in Q1; the team's Q1 meeting becomes a call
    type_into(edit, "bc_members", 5, row=0, col=C["influence"])
    type_into(edit, "bc_members", "schlechter", row=0, col=C["performance_vs_competition"])
    type_into(edit, "km_targets", 1, row=2, col=0)
    type_into(edit, "tp_plan", "Anruf zum Versuchsbericht", row=3, col=0)
    type_into(edit, "tp_rhythm", "Telefon/Video", row=0, col=1)
    paths = [folder / "KA-001.xlsx", folder / "KA-004.xlsx", edit]
    out = recalculate(paths, folder / "out")
    return books, [read_values(p) for p in out], read_named(edit).values


def test_every_formula_of_the_people_sheets_equals_the_pure_functions(edited):
    books, (ka1, ka4, _), _ = edited
    for book, values in ((books["KA-001"], ka1), (books["KA-004"], ka4)):
        assert _people_mismatches(book, values) == []
        cells = [c for s, c in book.formula_cells() if s in (*PEOPLE_SHEETS, "Buying center", "Contact matrix")]
        assert len(cells) > 300
        na = {f"{s}!{c.address}: #N/A" for s, c in book.formula_cells() if c.cached == "#N/A"}
        assert [e for e in error_cells(values) if e not in na] == []
    # by hand, KA-001 (see the demo rows): Max Müller has touchpoints in all four quarters, one done (Q1);
    # Bernd Gerlach: 1 planned against min 3 = max 3; Hannes Schäfer has two Manndeckers, Petra Ohlsen none
    km = ka1["Kontaktmatrix"]
    assert [km[f"{col}{FIRST_ROW + 1}"] for col in "ADEF"] == ["Max Müller", 4, 1, "im Ziel"]
    assert [km[f"{col}{FIRST_ROW + 3}"] for col in "ABCDF"] == ["Bernd Gerlach", 3, 3, 1, "unter Ziel"]
    assert [km[f"{col}{FIRST_ROW + 2}"] for col in "AGH"] == ["Hannes Schäfer", 2, "mehrere"]
    assert [km[f"{col}{FIRST_ROW + 4}"] for col in "AGH"] == ["Petra Ohlsen", 0, "fehlt"]
    # KA-004 covers only purchasing: the warning is lit in the English plan
    only = next(c for s, c in books["KA-004"].formula_cells() if c.name == "km_warning_only_purchasing")
    assert ka4["Contact matrix"][only.address] == "yes"


def test_the_map_and_the_lights_follow_a_kams_edits_without_python(edited):
    _, (before, _, after), typed = edited
    bc_sheet = before["Buying Center"]
    row = FIRST_ROW + 1  # Max Müller's row (1-based)
    old_series = SERIES.index(("besser", "gleich", 2))
    new_series = SERIES.index(("schlechter", "gleich", 5))

    def helper(values, j):
        from xlsxwriter.utility import xl_rowcol_to_cell
        return values["Buying Center"][xl_rowcol_to_cell(row - 1, C_HELP + j)]

    assert (helper(before, old_series), helper(before, new_series)) == (90, "#N/A")
    assert (helper(after, old_series), helper(after, new_series)) == ("#N/A", 90)  # technical 90 moved series
    assert bc_sheet[f"A{row}"] == "Max Müller"
    # the whole recalculated plan equals the layout of the edited buying center (the pure functions)
    bc = _part("KA-001")
    members = list(bc.members)
    members[0] = members[0].model_copy(update={"influence": 5, "performance_vs_competition": "schlechter"})
    members[2] = members[2].model_copy(update={"min_contacts": 1})
    from kam_xl.buying_center import TeamMeeting, Touchpoint
    touch = (*bc.touchpoints, Touchpoint(year=2026, quarter=1, person="Petra Ohlsen", what="Anruf zum Versuchsbericht"))
    rhythm = tuple(m if m.quarter != 1 else TeamMeeting(year=2026, quarter=1, format="Telefon/Video",
                                                        purpose=m.purpose) for m in bc.rhythm)
    part = bc.model_copy(update={"members": tuple(members), "touchpoints": touch, "rhythm": rhythm})
    data = AccountPlanData.from_databook(demo_databook(), "KA-001")
    book = account_plan(data.__class__(**{**data.__dict__, "parts": {**data.parts, PART: part}}), "de", NOW)
    assert _people_mismatches(book, after) == []
    assert after["Kontaktmatrix"][f"F{FIRST_ROW + 3}"] == "im Ziel"  # Bernd Gerlach: 1 planned, min 1, max 3
    assert after["Touchpoints"][f"R{FIRST_ROW + 4}"] == 3  # Petra Ohlsen: the new Q1, Q2 and Q3
    assert typed["tp_rhythm"][0][1] == "Telefon/Video"


def _book(folder: Path, first: str | None = None) -> Path:
    """The demo data book as .xlsx; with ``first``, KA-001's members reordered so that ``first`` comes first."""
    demo = demo_databook()
    tables = dict(demo.tables)
    if first:
        rows = list(tables["buying_center"] or [])
        mine = [r for r in rows if r["account_id"] == "KA-001"]
        mine.sort(key=lambda r: r["person"] != first)
        tables["buying_center"] = mine + [r for r in rows if r["account_id"] != "KA-001"]
    path = folder / f"book_{len(list(folder.glob('book_*')))}.xlsx"
    write_databook(DataBook(source="test", accounts=demo.accounts, tables=tables), path)
    return path


def test_typed_people_inputs_survive_regeneration_with_their_member(tmp_path):
    plans = tmp_path / "plans"
    result = generate_plan(str(_book(tmp_path)), "KA-001", plans, now=NOW)
    new = len(_part("KA-001").members)  # the first spare row
    assert SPARE_MEMBERS >= 1
    type_into(result.path, "bc_members", "Gudrun Falk", row=new, col=C["person"])
    type_into(result.path, "bc_members", "Technik", row=new, col=C["function"])
    type_into(result.path, "bc_members", 4, row=new, col=C["influence"])
    type_into(result.path, "bc_members", "Blau, Grün", row=new, col=C["colours"])
    type_into(result.path, "km_targets", 2, row=new, col=0)
    type_into(result.path, "km_topics", "Versuchsplanung", row=new, col=1)  # Kai Brünning's column
    type_into(result.path, "km_manndecker", "ja", row=new, col=1)
    type_into(result.path, "tp_plan", "Versuch an PM 3", row=new, col=4)  # Q2 what
    type_into(result.path, "km_targets", 6, row=1, col=1)  # Hannes Schäfer's max
    # the data book now lists Petra Ohlsen first: every typed value stays with its member
    again = generate_plan(str(_book(tmp_path, first="Petra Ohlsen")), "KA-001", plans, now=NOW)
    assert again.status == "regenerated", again
    values = read_named(again.path).values
    names = [r[0] for r in values["bc_members"]]
    assert names[:5] == ["Petra Ohlsen", "Max Müller", "Hannes Schäfer", "Bernd Gerlach", "Gudrun Falk"]
    g = names.index("Gudrun Falk")
    assert [values["bc_members"][g][C[f]] for f in ("function", "influence", "colours")] == ["Technik", 4, "Blau, Grün"]
    assert values["km_targets"][g][0] == 2 and values["km_targets"][names.index("Hannes Schäfer")][1] == 6
    assert values["km_topics"][g][1] == "Versuchsplanung" and values["km_manndecker"][g][1] == "ja"
    assert values["tp_plan"][g][4] == "Versuch an PM 3"
    assert values["km_our_people"][0][1] == "Kai Brünning"


def test_collect_exports_the_four_tables_and_they_generate_the_same_inputs(tmp_path):
    plans = tmp_path / "plans"
    result = generate_plan(None, "KA-001", plans, now=NOW)
    type_into(result.path, "tp_plan", "ja", row=0, col=7)  # Max Müller's Q2 touchpoint is done
    collected = collect_plans(plans)
    assert collected.problems == [] and collected.skipped == []
    [plan] = collected.plans
    part, data = plan.parts[PART], _part("KA-001")
    assert (part.members, part.rhythm) == (data.members, data.rhythm)
    assert set(part.contacts) == set(data.contacts)  # in the matrix's order: member by member, column by column
    assert part.touchpoints == tuple(t.model_copy(update={"done": True}) if (t.person, t.quarter) == (
        "Max Müller", 2) else t for t in data.touchpoints)
    export = plans_to_databook(collected.plans, "collected")
    assert {name: len(export.table(name) or []) for name in PEOPLE_TABLES} == {
        name: len(demo_databook().rows_for(name, "KA-001")) for name in PEOPLE_TABLES}
    write_databook(export, tmp_path / "export.xlsx")
    again = read_databook(tmp_path / "export.xlsx")
    assert buying_center_of(again, "KA-001") == part
    book_a = account_plan(AccountPlanData.from_databook(again, "KA-001"), "de", NOW)
    book_b = account_plan(plan, "de", NOW)
    a, b = input_values(book_a), input_values(book_b)
    assert {n: a[n] for n in INPUT_NAMES} == {n: b[n] for n in INPUT_NAMES}


def test_refused_people_values_are_named_by_cell(tmp_path):
    result = generate_plan(None, "KA-001", tmp_path / "plans", now=NOW)
    type_into(result.path, "bc_members", "Rot, Blau, Grün", row=0, col=C["colours"])
    type_into(result.path, "bc_members", 2.5, row=1, col=C["influence"])
    type_into(result.path, "km_targets", "oft", row=0, col=1)
    type_into(result.path, "tp_plan", "Fax", row=0, col=1)
    type_into(result.path, "km_topics", "Preise", row=len(_part("KA-001").members), col=0)  # a row without member
    type_into(result.path, "km_our_people", "Kai Brünning", row=0, col=3)  # a second column for Kai Brünning
    collected = collect_plans(tmp_path / "plans")
    r = FIRST_ROW + 1
    assert sorted(collected.problems) == sorted([
        (result.path.name, "Buying Center", f"M{r}", "Rot, Blau, Grün",
         "allowed: up to 2 of Rot, Blau, Grün, Orange, separated by ',' — 3 colours are given (Rot, Blau, Grün), "
         "more than 2"),
        (result.path.name, "Buying Center", f"G{r + 1}", 2.5, "allowed: a whole number from 1 to 5"),
        (result.path.name, "Kontaktmatrix", f"C{r}", "oft", "allowed: a whole number ≥ 0"),
        (result.path.name, "Touchpoints", f"C{r}", "Fax",
         "allowed: Besuch, Telefon/Video, Brief/E-Mail, Veranstaltung"),
        (result.path.name, "Kontaktmatrix", f"J{r + 4}", "Preise",
         "allowed: a value in a row with a member of the Buying Center sheet"),
        (result.path.name, "Kontaktmatrix", f"M{FIRST_ROW - 2}", "Kai Brünning",
         "allowed: a name not given in an earlier column — each person once"),
    ])
