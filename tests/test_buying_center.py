"""The buying center's rules by hand (SPEC §3.6, issue 11): contact coverage per member and the summary the
report shows — every figure below can be counted off the small buying center built here."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kam_xl.buying_center import (
    MOTIVES,
    BuyingCenter,
    ContactLink,
    Member,
    TeamMeeting,
    Touchpoint,
    buying_center_summary,
    contact_coverage,
    split_list,
)
from kam_xl.errors import KamInputError

YEAR = 2026


def _bc(**parts) -> BuyingCenter:
    members = (
        Member(person="Max Müller", function="Bereichsleiter", senior=True, influence=5, informants=2,
               min_contacts=3, max_contacts=4),
        Member(person="Olaf Jung", function="Einkauf", purchasing=True, influence=3, informants=1, min_contacts=2),
        Member(person="Eva Roth", function="Produktion", influence=2, max_contacts=1),
        Member(person="Uwe Kern", function="Technik"),
    )
    contacts = (
        ContactLink(person="Max Müller", our_person="Dr. Lena Graf", top_management=True, manndecker=True),
        ContactLink(person="Olaf Jung", our_person="Tim Berg", manndecker=True),
        ContactLink(person="Olaf Jung", our_person="Sara Lenz", manndecker=True),
        ContactLink(person="Eva Roth", our_person="Tim Berg", topics="Lieferplan"),
    )
    touch = (
        *(Touchpoint(year=YEAR, quarter=q, person="Max Müller", done=q <= 2) for q in (1, 2, 3, 4)),
        Touchpoint(year=YEAR, quarter=1, person="Olaf Jung", done=True),
        Touchpoint(year=YEAR - 1, quarter=3, person="Olaf Jung", done=True),  # last year's: not counted
        Touchpoint(year=YEAR, quarter=2, person="Eva Roth"),
        Touchpoint(year=YEAR, quarter=4, person="Eva Roth"),
    )
    rhythm = (TeamMeeting(year=YEAR, quarter=1, format="persönlich"),
              TeamMeeting(year=YEAR, quarter=2, format="Telefon/Video"))
    return BuyingCenter(**{"account_id": "KA-001", "members": members, "contacts": contacts, "touchpoints": touch,
                           "rhythm": rhythm, **parts})


def test_contact_coverage_counts_the_plan_years_touchpoints_against_min_and_max():
    cov = {p: c.model_dump() for p, c in contact_coverage(_bc(), YEAR).items()}
    assert cov == {
        "Max Müller": {"min": 3, "max": 4, "planned": 4, "done": 2, "status": "within"},
        "Olaf Jung": {"min": 2, "max": None, "planned": 1, "done": 1, "status": "below"},
        "Eva Roth": {"min": None, "max": 1, "planned": 2, "done": 0, "status": "above"},
        "Uwe Kern": {"min": None, "max": None, "planned": 0, "done": 0, "status": "no_target"},
    }
    assert contact_coverage(_bc(), YEAR - 1)["Olaf Jung"].planned == 1  # another year counts its own


def test_summary_is_the_report_contracts_object():
    assert buying_center_summary(_bc(), YEAR).model_dump() == {
        "members": 4, "without_manndecker": ["Eva Roth", "Uwe Kern"], "several_manndecker": ["Olaf Jung"],
        "top_management_covered": True, "warnings": []}


def test_single_informant_when_every_rated_member_has_at_most_one():
    bc = _bc()
    one = [m.model_copy(update={"informants": 1 if m.person == "Max Müller" else m.informants})
           for m in bc.members]
    assert "single_informant" in buying_center_summary(_bc(members=tuple(one)), YEAR).warnings
    # an unrated member (Uwe Kern: no influence) does not count; an empty informants counts as one
    empty = [m.model_copy(update={"informants": None}) for m in bc.members]
    assert buying_center_summary(_bc(members=tuple(empty)), YEAR).warnings == ["single_informant"]
    assert "single_informant" not in buying_center_summary(_bc(members=()), YEAR).warnings  # nobody rated


def test_no_contact_below_senior_and_only_purchasing():
    seniors_only = (ContactLink(person="Max Müller", our_person="Dr. Lena Graf", manndecker=True),)
    assert buying_center_summary(_bc(contacts=seniors_only), YEAR).warnings == ["no_contact_below_senior"]
    buyers_only = (ContactLink(person="Olaf Jung", our_person="Tim Berg", manndecker=True),)
    summary = buying_center_summary(_bc(contacts=buyers_only), YEAR)
    assert summary.warnings == ["only_purchasing"]
    assert summary.top_management_covered is False
    assert summary.without_manndecker == ["Max Müller", "Eva Roth", "Uwe Kern"]
    # nobody covered: no contact below the seniors (true), but "only purchasing" says nothing
    assert buying_center_summary(_bc(contacts=()), YEAR).warnings == ["no_contact_below_senior"]


def test_team_rhythm_needs_one_meeting_in_person_in_the_plan_year():
    calls = (TeamMeeting(year=YEAR, quarter=q, format="Telefon/Video") for q in (1, 2, 3, 4))
    assert buying_center_summary(_bc(rhythm=tuple(calls)), YEAR).warnings == ["no_meeting_in_person"]
    assert buying_center_summary(_bc(), YEAR + 1).warnings == ["no_meeting_in_person"]  # 2027 has no rows


def test_an_empty_buying_center_warns_only_about_the_rhythm():
    assert buying_center_summary(BuyingCenter(account_id="KA-009"), YEAR).model_dump() == {
        "members": 0, "without_manndecker": [], "several_manndecker": [], "top_management_covered": False,
        "warnings": ["no_meeting_in_person"]}


@pytest.mark.parametrize(("fields", "says"), [
    ({"influence": 6}, "influence 6 is above 5 — allowed: a whole number from 1 to 5"),
    ({"influence": 2.5}, "influence 2.5 is not a whole number — allowed: a whole number from 1 to 5"),
    ({"technical": 120}, "less than or equal to 100"),
    ({"colours": "Rot, Blau, Grün"}, "colours: 3 colours are given (Rot, Blau, Grün), more than 2 — allowed: "
                                     "up to 2 of Rot, Blau, Grün, Orange, separated by ','"),
    ({"colours": "Rot, Lila"}, "colours: 'Lila' is not one of the colours — allowed: up to 2 of Rot, Blau, Grün, "
                               "Orange"),
    ({"motives": "Macht, macht"}, "motives: 'Macht' is given twice — allowed: up to 3 of Macht"),
    ({"motives": "Soziale Kontakte"}, "motives: 'Soziale Kontakte' is not one of the motives — allowed: up to 3 "
                                      "of Macht, Unabhängigkeit"),
    ({"min_contacts": 5, "max_contacts": 2}, "min_contacts 5 is above max_contacts 2 — allowed: min_contacts ≤ "
                                             "max_contacts"),
])
def test_a_member_breaking_a_rule_is_refused_with_the_rule(fields, says):
    with pytest.raises(ValidationError, match=None) as e:
        Member(person="X", **fields)
    assert says in str(e.value)


def test_lists_are_matched_as_drop_down_words():
    assert split_list(" körperliche aktivität ,Ruhe", ("Körperliche Aktivität", "Ruhe"), 3, "motives") == (
        "Körperliche Aktivität", "Ruhe")
    with pytest.raises(KamInputError):
        split_list("Ruhe,Ruhe", ("Ruhe",), 3, "motives")


# --- the data book: one precise problem per mistake ----------------------------------------------------------------

def _edit_csv(folder, name, change):
    import csv

    path = folder / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows = change(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _problems(folder):
    from kam_xl.databook import DataBookError, read_databook

    with pytest.raises(DataBookError) as e:
        read_databook(folder)
    return [(p.file, p.row, p.column, p.value, p.message) for p in e.value.problems]


@pytest.fixture
def demo_folder(tmp_path):
    import shutil
    from pathlib import Path

    import kam_xl

    folder = tmp_path / "book"
    shutil.copytree(Path(kam_xl.__file__).parent / "demo_data", folder)
    return folder


def test_one_mistake_per_people_table_is_one_precise_problem(demo_folder):
    def colours(rows):  # row 2 = Max Müller
        rows[1][rows[0].index("colours")] = "Rot, Blau, Grün"
        return rows

    _edit_csv(demo_folder, "buying_center", colours)
    _edit_csv(demo_folder, "contact_matrix",
              lambda rows: [*rows, ["KA-001", "Otto Unbekannt", "Jana Petersen", "KAM", "nein", "Preise", "ja"]])

    def fax(rows):
        rows[3][rows[0].index("channel")] = "Fax"
        return rows

    _edit_csv(demo_folder, "touchpoints", fax)
    _edit_csv(demo_folder, "team_rhythm", lambda rows: [*rows, ["KA-001", "2026", "1", "persönlich", "Workshop"]])
    n_rhythm = sum(1 for _ in (demo_folder / "team_rhythm.csv").open(encoding="utf-8"))
    n_contacts = sum(1 for _ in (demo_folder / "contact_matrix.csv").open(encoding="utf-8"))
    assert sorted(_problems(demo_folder), key=str) == sorted([
        ("buying_center.csv", 2, "colours", "Rot, Blau, Grün",
         "3 colours are given (Rot, Blau, Grün), more than 2 — allowed: up to 2 of Rot, Blau, Grün, Orange, "
         "separated by ','"),
        ("contact_matrix.csv", n_contacts, "person", "Otto Unbekannt",
         "this person is not in the buying center of KA-001 — allowed: a person of the buying center of KA-001: "
         "Bernd Gerlach, "
         "Hannes Schäfer, Max Müller, Petra Ohlsen"),
        ("touchpoints.csv", 4, "channel", "Fax", "allowed: one of Besuch, Telefon/Video, Brief/E-Mail, Veranstaltung"),
        ("team_rhythm.csv", n_rhythm, None, None,
         "duplicate row for account_id=KA-001, year=2026, quarter=1 — first given in row 2; allowed: one row each"),
    ], key=str)


@pytest.mark.parametrize(("column", "value", "message"), [
    ("influence", "6", "is above 5 — allowed: a whole number from 1 to 5"),
    ("influence", "2,5", "is not a whole number — allowed: a whole number from 1 to 5"),
    ("informants", "1.5", "is not a whole number — allowed: a whole number from 0 up"),
    ("motives", "Macht, Soziale Kontakte", "'Soziale Kontakte' is not one of the motives — allowed: up to 3 of "
                                           + ", ".join(MOTIVES) + ", separated by ','"),
    ("max_contacts", "1", "fewer than min_contacts (3) — allowed: max_contacts ≥ min_contacts, or either empty"),
])
def test_a_member_rule_broken_in_the_data_book_is_named_at_its_cell(demo_folder, column, value, message):
    def change(rows):
        rows[1][rows[0].index(column)] = value  # Max Müller: min_contacts 3
        return rows

    _edit_csv(demo_folder, "buying_center", change)
    shown = value.replace(",", ".") if column == "influence" else value
    assert _problems(demo_folder) == [("buying_center.csv", 2, column, shown, message)]


def test_a_touchpoint_for_someone_outside_the_buying_center_is_refused(demo_folder):
    _edit_csv(demo_folder, "touchpoints",
              lambda rows: [*rows, ["KA-003", "2026", "1", "Max Müller", "", "Besuch", "Besuch", "nein"]])
    [(file, _, column, value, message)] = _problems(demo_folder)
    assert (file, column, value) == ("touchpoints.csv", "person", "Max Müller")
    assert message.startswith("this person is not in the buying center of KA-003 — allowed: a person of the buying "
                              "center of KA-003: ")


def test_outside_a_large_buying_center_the_problem_lists_twelve_members_and_the_count(demo_folder):
    extra = [["KA-001", f"Person {n:02d}"] + [""] * 16 for n in range(1, 13)]  # 4 demo members + 12 = 16
    _edit_csv(demo_folder, "buying_center", lambda rows: [*rows, *extra])
    _edit_csv(demo_folder, "touchpoints", lambda rows: [*rows, ["KA-001", "2026", "1", "Otto Unbekannt", "", "", "",
                                                                 ""]])
    [(_, _, column, value, message)] = _problems(demo_folder)
    assert (column, value) == ("person", "Otto Unbekannt")
    assert message.endswith(": Bernd Gerlach, Hannes Schäfer, Max Müller, Person 01, Person 02, Person 03, "
                            "Person 04, Person 05, Person 06, Person 07, Person 08, Person 09 … (16 in all)")


def test_several_member_mistakes_come_row_by_row_each_repeated_value_at_every_row(demo_folder):
    """Each distinct value is judged once, but every row holding a wrong one is named, in row order and within
    a row in the table's column order (influence, informants, min/max contacts, colours, motives)."""
    def change(rows):
        at = rows[0].index
        rows[1][at("motives")], rows[1][at("influence")] = "Macht, Gier", "7"  # row 2 = Max Müller, min 3
        rows[1][at("max_contacts")] = "1"
        rows[3][at("influence")], rows[3][at("colours")] = "7", "Lila"  # row 4: the same 7 again
        rows[2][at("informants")] = "1.5"  # row 3
        return rows

    _edit_csv(demo_folder, "buying_center", change)
    above = "is above 5 — allowed: a whole number from 1 to 5"
    assert [(row, column, value, message[:24]) for _, row, column, value, message in _problems(demo_folder)] == [
        (2, "influence", "7", above[:24]),
        (2, "max_contacts", "1", "fewer than min_contacts "),
        (2, "motives", "Macht, Gier", "'Gier' is not one of the"),
        (3, "informants", "1.5", "is not a whole number — "),
        (4, "influence", "7", above[:24]),
        (4, "colours", "Lila", "'Lila' is not one of the"),
    ]


def test_a_person_of_ours_with_two_functions_or_flags_in_one_account_is_named_at_the_later_rows(demo_folder):
    """The contact matrix has one column per person of ours: within an account every row of the same person of
    ours gives the same function and top-management flag; each later row that differs names the first row."""
    def change(rows):  # Dr. Henrik Albers in KA-002: file rows 7 (first), 9 and 10
        at = rows[0].index
        assert [rows[k][at("our_person")] for k in (6, 8, 9)] == ["Dr. Henrik Albers"] * 3
        rows[8][at("our_function")], rows[8][at("top_management")] = "Vertrieb", "nein"
        rows[9][at("top_management")] = "nein"
        return rows

    _edit_csv(demo_folder, "contact_matrix", change)
    rule = "per person of ours in account KA-002"
    assert _problems(demo_folder) == [
        ("contact_matrix.csv", 9, "our_function", "Vertrieb",
         f"'Dr. Henrik Albers' has Geschäftsführer in row 7 — allowed: one our_function {rule}"),
        ("contact_matrix.csv", 9, "top_management", "nein",
         f"'Dr. Henrik Albers' has ja in row 7 — allowed: one top_management {rule}"),
        ("contact_matrix.csv", 10, "top_management", "nein",
         f"'Dr. Henrik Albers' has ja in row 7 — allowed: one top_management {rule}"),
    ]
