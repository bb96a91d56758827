"""The controller's "Beziehungen" sheet (issue 11): every figure a native formula over the hidden
"Beziehungs-Daten" sheet that LibreOffice computes exactly as :func:`kam_xl.relationships.relationships_report`
says. One LibreOffice run recalculates the demo data book (German and English) and a crafted data book (German:
an account with a team rhythm only, so 0 members and an empty range that points at the next account's rows;
no SWOT table; English: with company-default RACI rows, so every account is listed)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from kam_xl.databook import DataBook, demo_databook, read_databook
from kam_xl.kasp import KASP_STATUSES
from kam_xl.relationships import AccountRelationships, raci_breaks, relationships_report
from kam_xl.testing.recalc import error_cells, mismatches, read_defined_names, read_values, recalculate
from kam_xl.workbook.controller import controller_workbook
from kam_xl.workbook.render import write_book
from tests.test_relationships_report import TABLES, _book

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
SHEETS = {"de": ("Beziehungen", "Beziehungs-Daten"), "en": ("Relationships", "Relationship data")}


def _crafted(folder: Path, default_raci: bool) -> DataBook:
    people = {t: TABLES[t].replace("KA-1,", "KA-2,") for t in ("buying_center", "contact_matrix", "touchpoints")}
    roles = TABLES["team_roles"] + (",Rahmenvertrag,GKAM,\"R, A\"\n,Messe,NKAM,R\n" if default_raci else "")
    book = _book(folder, **people, team_roles=roles,
                 team_rhythm="account_id,year,quarter,format\nKA-1,2026,1,persönlich\n")
    (book / "swot.csv").unlink()
    return read_databook(book)  # raises DataBookError with every problem


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """{key: (data book, language, layout, recalculated values, recalculated defined names)}."""
    tmp = tmp_path_factory.mktemp("rel")
    cases = {"demo_de": (demo_databook(), "de"), "demo_en": (demo_databook(), "en"),
             "crafted": (_crafted(tmp / "crafted", False), "de"), "default": (_crafted(tmp / "default", True), "en")}
    books = {k: controller_workbook(db, lang, WHEN) for k, (db, lang) in cases.items()}
    files = [write_book(b, tmp / f"{k}.xlsx") for k, b in books.items()]
    outs = recalculate(files, tmp / "out")
    return {k: (*cases[k], books[k], read_values(out), read_defined_names(out))
            for k, out in zip(books, outs, strict=True)}


def _expected(r: AccountRelationships, lang: str) -> dict[str, object]:
    """The sheet's figures of one account, from the report (``None`` where a part is absent)."""
    bc, contacts, raci, kasp = r.buying_center, r.contacts, r.raci, r.kasp
    status = [c.status for c in contacts.values()] if contacts is not None else None
    yes, no = ("ja", "nein") if lang == "de" else ("yes", "no")
    return {"ctl_rel_ids": r.account_id,
            "ctl_rel_members": bc.members if bc else None,
            "ctl_rel_without_manndecker": len(bc.without_manndecker) if bc else None,
            "ctl_rel_several_manndecker": len(bc.several_manndecker) if bc else None,
            "ctl_rel_top_management": (yes if bc.top_management_covered else no) if bc else None,
            "ctl_rel_touchpoints_planned": sum(c.planned for c in contacts.values()) if contacts is not None else None,
            "ctl_rel_touchpoints_done": sum(c.done for c in contacts.values()) if contacts is not None else None,
            "ctl_rel_contacts_below": status.count("below") if status is not None else None,
            "ctl_rel_contacts_above": status.count("above") if status is not None else None,
            "ctl_rel_raci_tasks": raci.tasks if raci else None,
            "ctl_rel_raci_breaks": len(raci_breaks(raci)) if raci else None,
            "ctl_rel_kasp_outside_horizon": len(kasp.outside_horizon) if kasp else None,
            "ctl_rel_kasp_without_kaop_measure": len(kasp.without_kaop_measure) if kasp else None,
            "ctl_rel_swot_empty_levers": len(r.swot.empty_levers) if r.swot else None}


@pytest.mark.parametrize("key", ["demo_de", "demo_en", "crafted", "default"])
def test_every_formula_equals_the_report(built, key):
    db, lang, book, values, names = built[key]
    sheets = SHEETS[lang]
    assert [e for e in error_cells(values) if e.startswith(sheets)] == []
    formulas = [c for name in sheets for c in book.sheet(name).all_cells() if c.formula]
    assert len(formulas) > 20
    assert [m for m in mismatches(book, values) if m.startswith(sheets)] == []
    report = relationships_report(db)
    got = {n: [row[0] if row[0] != "" else None for row in names[n]] for n in _expected(report[0], lang)}
    assert got == {n: [_expected(r, lang)[n] for r in report] for n in got}


def test_demo_figures_by_hand(built):
    *_, names = built["demo_de"]
    # KA-001 (buying_center.csv, contact_matrix.csv, touchpoints.csv, kasp.csv, swot.csv): 4 members, Petra
    # Ohlsen without and Hannes Schäfer with two Manndecker, 10 touchpoints in 2026 of which 4 done; KASP 3
    # geplant + 1 laufend, one outside the horizon, one without measure; SWOT: 6 entries, Preis empty
    row = [names[n][0][0] for n in ("ctl_rel_members", "ctl_rel_without_manndecker", "ctl_rel_several_manndecker",
                                    "ctl_rel_top_management", "ctl_rel_touchpoints_planned",
                                    "ctl_rel_touchpoints_done", "ctl_rel_kasp_geplant", "ctl_rel_kasp_laufend",
                                    "ctl_rel_kasp_outside_horizon", "ctl_rel_kasp_without_kaop_measure",
                                    "ctl_rel_swot_entries", "ctl_rel_swot_empty_lever_names")]
    assert row == [4, 1, 1, "ja", 10, 4, 3, 1, 1, 1, 6, "Preis"]
    assert [r[0] for r in names["ctl_rel_top_management"]].count("nein") == 1  # KA-005: no top management
    assert names["ctl_rel_kasp_horizon"] == 3


def test_crafted_empty_ranges_absent_parts_and_notes(built, tmp_path):
    _, _, book, values, names = built["crafted"]
    # KA-1 has a team rhythm only: 0 members (its range is KA-2's first member row, which the ID test excludes)
    assert [r[0] for r in names["ctl_rel_ids"]] == ["KA-1", "KA-2", "KA-3"]
    assert [r[0] for r in names["ctl_rel_members"]] == [0, 2, None]
    assert [r[0] for r in names["ctl_rel_raci_breaks"]] == [None, 2, None]  # no company default rows
    # KA-3, horizon 2: P1 geplant (no measure), P2 laufend (outside), P3 geplant (measure "Start P3")
    assert [names[f"ctl_rel_kasp_{s}"][2][0] for s in KASP_STATUSES] == [2, 1, 0, 0]
    assert names["ctl_rel_kasp_horizon"] == 2
    assert values["Beziehungen"]["T5"] == "SWOT (6-P): keine Tabelle swot"
    path = write_book(book, tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb["Beziehungs-Daten"].sheet_state == "hidden"
    # the sheets in layout order (the registry's), the data sheet right after its report, settings last
    assert wb.sheetnames == [s.name for s in book.sheets] + ["_meta", "xlwings.conf"]
    at = wb.sheetnames.index("Beziehungen")
    assert wb.sheetnames[at:at + 2] == ["Beziehungen", "Beziehungs-Daten"]
    assert wb.sheetnames[-3:] == ["Einstellungen", "_meta", "xlwings.conf"]
    # every account of the default-RACI book is listed, KA-4 with its RACI only
    *_, default_names = built["default"]
    assert [r[0] for r in default_names["ctl_rel_ids"]] == ["KA-1", "KA-2", "KA-3", "KA-4"]
    assert [r[0] for r in default_names["ctl_rel_raci_tasks"]] == [2, 3, 2, 2]


def test_no_relationship_data_gives_a_note_and_no_data_sheet():
    demo = demo_databook()
    tables = {k: v for k, v in demo.tables.items() if k not in (
        "buying_center", "contact_matrix", "touchpoints", "team_rhythm", "team_roles", "swot", "kasp")}
    book = controller_workbook(DataBook(source="x", accounts=demo.accounts, tables=tables), "en", WHEN)
    assert "Relationship data" not in [s.name for s in book.sheets]
    sheet = book.sheet("Relationships")
    assert [c.value for c in sheet.cells if c.style == "note"] == [
        "No data: the data book has no table buying_center / contact_matrix / touchpoints / team_rhythm / "
        "team_roles / kasp / swot (or no rows for it)."]


def test_each_formula_reads_only_its_accounts_rows(tmp_path):
    """No lookup over whole columns: every range a figure reads on the data sheet holds only the account's own
    rows (or, for an account without rows in a block, one row of another account or a blank one), so 10,000
    accounts cost 10,000 small sums, not 10,000 scans of all rows."""
    for db in (demo_databook(), _crafted(tmp_path / "crafted", False)):
        book = controller_workbook(db, "de", WHEN)
        sheet, data = book.sheet("Beziehungen"), book.sheet("Beziehungs-Daten")
        ids = {c.row: c.value for c in data.all_cells() if c.col == 0}
        account = {c.row: c.value for c in sheet.all_cells() if c.col == 0 and c.row >= 6}
        checked = 0
        for c in sheet.all_cells():
            for top, bottom in re.findall(r"'Beziehungs-Daten'!\$[A-Z]+\$(\d+):\$[A-Z]+\$(\d+)", c.formula or ""):
                rows = range(int(top) - 1, int(bottom))
                assert all(ids.get(r) == account[c.row] for r in rows) or len(rows) == 1, (c.address, c.formula)
                checked += 1
        assert checked > 40


def _plain_values(value: object) -> bool:
    """Whether ``value`` is made of texts, numbers, truth values, ``None`` and tuples of them only."""
    if isinstance(value, tuple):
        return all(map(_plain_values, value))
    return value is None or isinstance(value, str | int | float | bool)


def test_accounts_keep_plain_values_not_models():
    """Issue 14: the kind keeps of each account only the figures and data rows it shows (plain values), not the
    account's models (buying center, roles, projects, report), so that the controller does not grow by them per
    account; the kept figures are the report's."""
    from kam_xl.workbook.controller.relationships import BLOCKS, _accounts

    db = demo_databook()
    accs, reports = _accounts(db, "de"), relationships_report(db)
    assert [x.account.account_id for x in accs] == [r.account_id for r in reports]
    for x, r in zip(accs, reports, strict=True):
        assert all(_plain_values(getattr(x, f)) for f in ("people", "raci", "kasp", "swot", "blocks"))
        assert len(x.blocks) == len(BLOCKS)
        assert x.people is None or x.people[:2] == (r.buying_center.members, len(r.buying_center.without_manndecker))
        assert x.raci is None or x.raci == (r.raci.tasks, len(raci_breaks(r.raci)))
        assert x.swot is None or x.swot[1] == tuple(r.swot.empty_levers)
    first = accs[0]  # KA-001, as test_demo_figures_by_hand counts it by hand
    assert first.people[:6] == (4, 1, 1, True, 10, 4) and first.kasp[1:] == (1, 1) and first.swot[0] == 6
    assert len(first.blocks[0]) == first.people[0]  # one data row per buying-center member
    assert all(row[0] == first.account.account_id for block in first.blocks for row in block)
