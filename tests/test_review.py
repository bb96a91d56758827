"""The quarterly review pack: sections from the pure functions, and the demo company's pack after generate and
collect — one PDF page per account, all accounts in one PDF, German numbers, a broken file listed, a clear
error without LibreOffice."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from babel.numbers import format_decimal
from pydantic import BaseModel
from typer.testing import CliRunner

import kam_xl.testing.recalc as recalc
from kam_xl.buying_center import BuyingCenter, Member, Touchpoint
from kam_xl.cli import app
from kam_xl.databook import demo_databook
from kam_xl.kaop import KaopMeasure, compare, kaop_plan
from kam_xl.kasp import KaspProject
from kam_xl.review import SECTIONS, Section, account_review, contacts_behind, kasp_due, part_table, review_sheet
from kam_xl.vocabulary import KASP_STATUS_WORDS
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.kasp_sheet import KaspPart
from kam_xl.workbook.layout import Book
from kam_xl.workbook.render import write_book

runner = CliRunner()


def de(value: float, pattern: str = "#,##0") -> str:
    return format_decimal(value, format=pattern, locale="de_DE")


@pytest.fixture(scope="module")
def ka002() -> AccountPlanData:
    return AccountPlanData.from_databook(demo_databook(), "KA-002")


def test_the_kaop_section_compares_the_quarters_up_to_the_one_under_review(ka002):
    assert ka002.kaop is not None
    plan = kaop_plan(*ka002.kaop.plan)
    [kaop, ytd, *_] = account_review(ka002, 2).blocks
    assert kaop.table is not None and ytd.table is not None
    rows = kaop.table[1]
    assert [(r[0], r[1]) for r in rows] == [(m, f"Q{q}") for m in ("Umsatz", "Gesamtkosten",
                                                                   "Profitabilität absolut") for q in (1, 2)]
    q2 = rows[1]
    actual_q2 = kaop_plan(*ka002.kaop.actual).quarters[2]
    assert q2[2:5] == [plan.quarters[2].revenue, actual_q2.revenue, actual_q2.revenue - plan.quarters[2].revenue]
    revenue_ytd = ytd.table[1][0]
    assert revenue_ytd[1] == pytest.approx(plan.quarters[1].revenue + plan.quarters[2].revenue)
    # reviewed at Q1 the Q2 actuals are not closed yet: YTD is Q1 alone, the forecast takes Q2's plan
    [_, ytd_q1, *_] = account_review(ka002, 1).blocks
    products, costs = ka002.kaop.actual
    first = compare(plan, kaop_plan([p for p in products if p.quarter == 1], [c for c in costs if c.quarter == 1]))
    assert ytd_q1.table is not None
    assert ytd_q1.table[1][0][2] == first.lines["revenue"].ytd.actual
    assert ytd_q1.table[1][0][5] == pytest.approx(first.lines["revenue"].forecast)


def test_open_measures_overdue_and_sections_without_data(ka002):
    assert ka002.kaop is not None
    measures = [KaopMeasure(measure="Preisgespräch", lever="Preis", due_quarter=1, status="in Arbeit"),
                KaopMeasure(measure="Musterlieferung", lever="Produkt", due_quarter=3),
                KaopMeasure(measure="Messe", lever="Promotion", due_quarter=1, status="erledigt")]
    plan = dataclasses.replace(ka002, kaop=dataclasses.replace(ka002.kaop, measures=measures))
    blocks = {b.key: b for b in account_review(plan, 2).blocks}
    assert blocks["measures"].table is not None
    assert [(r[0], r[3], r[5]) for r in blocks["measures"].table[1]] == [("Preisgespräch", "Q1", "ja"),
                                                                          ("Musterlieferung", "Q3", "")]
    assert [b.key for b in account_review(plan, 2).blocks] == [s.key for s in SECTIONS]
    bare = dataclasses.replace(plan, parts={k: v for k, v in plan.parts.items() if k not in ("kasp", "people")})
    blocks = {b.key: b for b in account_review(bare, 2).blocks}
    assert blocks["kasp"].table is None and blocks["contacts"].table is None  # "keine Daten" on the page
    with pytest.raises(ValueError, match="allowed: 1, 2, 3 or 4"):
        account_review(plan, 5)


def test_kasp_projects_due_by_the_quarter(ka002):
    projects = (KaspProject(project="Neue Leimung", lever="Produkt", review_date=date(2026, 6, 30), start_year=2026,
                            end_year=2028),
                KaspProject(project="Werk Ost", lever="Platzierung", review_date=date(2026, 7, 1), start_year=2026,
                            end_year=2029),
                KaspProject(project="Altkunde", lever="Preis", start_year=2025, end_year=2026, status="laufend"),
                KaspProject(project="Erledigt", lever="Preis", start_year=2025, end_year=2026, status="abgeschlossen"))
    plan = dataclasses.replace(ka002, parts={**ka002.parts, "kasp": KaspPart(projects)})
    [block] = [b for b in account_review(plan, 2).blocks if b.key == "kasp"]
    assert block.table is not None
    # Q2 2026 ends on 30 June: the review of 30.06. is due, that of 01.07. not; a project ending 2026 is due
    assert [(r[0], r[4], r[6]) for r in block.table[1]] == [("Neue Leimung", "30.06.2026", "geplant"),
                                                            ("Altkunde", None, "laufend")]
    [english] = [b for b in account_review(plan, 2, "en").blocks if b.key == "kasp"]
    assert english.table is not None and [r[6] for r in english.table[1]] == ["planned", "running"]


def test_contacts_behind_plan_by_the_quarter(ka002):
    tp = [Touchpoint(year=2026, quarter=1, person="Dr. Reh", done=True),
          Touchpoint(year=2026, quarter=2, person="Dr. Reh"),  # planned by Q2, not done: behind
          Touchpoint(year=2026, quarter=1, person="Frau Lutz", done=True),
          Touchpoint(year=2026, quarter=3, person="Frau Lutz"),  # later quarter: not yet due
          Touchpoint(year=2025, quarter=1, person="Herr Kahl")]  # last year: does not count
    bc = BuyingCenter(account_id="KA-002", touchpoints=tuple(tp),
                      members=(Member(person="Dr. Reh", function="Einkauf"), Member(person="Frau Lutz"),
                               Member(person="Herr Kahl", min_contacts=2)))
    plan = dataclasses.replace(ka002, parts={**ka002.parts, "people": bc})
    [block] = [b for b in account_review(plan, 2).blocks if b.key == "contacts"]
    assert block.table is not None
    assert block.table[1] == [["Dr. Reh", "Einkauf", 2, 1, 1, None, 2], ["Herr Kahl", None, 0, 0, 0, 2, 0]]


def test_a_sheet_kind_part_plugs_in_as_a_section(ka002):
    class Goal(BaseModel):
        goal: str
        quarter: int

    plan = dataclasses.replace(ka002, parts={"goals": [Goal(goal="Neue Leimung", quarter=2)]})
    [block] = account_review(plan, 2, sections=[Section("goals", ("Ziele", "Goals"), part_table("goals"))]).blocks
    assert block.table == (["goal", "quarter"], [["Neue Leimung", 2]])


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    """generate → collect → review of the demo company at Q2, with one broken file among the plans."""
    folder = tmp_path_factory.mktemp("plans")
    assert runner.invoke(app, ["generate", "--out", str(folder)]).exit_code == 0
    assert runner.invoke(app, ["collect", str(folder)]).exit_code == 0
    (folder / "KA-099_Kaputt.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    result = runner.invoke(app, ["review", str(folder), "--quarter", "Q2", "--out", str(folder / "review")])
    return folder / "review", result


def pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_demo_review_pack_has_a_page_per_account_and_one_pdf_for_all(pack):
    out, result = pack
    assert result.exit_code == 2, result.output  # the broken file is listed, the 14 plans are in the pack
    assert "KA-099_Kaputt.xlsx" in result.output
    db = demo_databook()
    ids = [a.account_id for a in db.accounts]
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted([f"review_Q2_{i}.pdf" for i in ids]
                                                               + ["review_Q2_all.pdf"])
    everything = pdftotext(out / "review_Q2_all.pdf")
    pages = {aid: int(re.search(rf"review_Q2_{aid}\.pdf  \((\d+) Seiten?\)", result.output)[1]) for aid in ids}
    # a review takes the pages its sections need (printed at a legible scale, headings never at a page's foot):
    # each PDF has the pages the output says (pdftotext ends every page with a form feed), the one for all their sum
    assert f"review_Q2_all.pdf  ({sum(pages.values())} Seiten, 14 Kunden)" in result.output
    assert everything.count("\f") == sum(pages.values())
    # a demo review fits on one page at a legible scale: one page per account, none for a carried-over section
    assert set(pages.values()) == {1}, pages
    assert "Review Q2" not in everything  # the page header is German: "Quartalsreview Q2", the sheet (account)
    assert len(re.findall(r"^\f?Quartalsreview Q2 +KA-\d{3}$", everything, re.MULTILINE)) == 14
    shown = 0
    for aid in ids:
        plan = AccountPlanData.from_databook(db, aid)
        assert plan.kaop is not None
        products, costs = plan.kaop.actual
        cmp = compare(kaop_plan(*plan.kaop.plan), kaop_plan([p for p in products if p.quarter <= 2],
                                                            [c for c in costs if c.quarter <= 2]))
        ytd = cmp.lines["revenue"].ytd
        text = pdftotext(out / f"review_Q2_{aid}.pdf")
        assert text.count("\f") == pages[aid]
        assert f"Quartalsreview Q2 {plan.kaop.year} – {aid}" in text
        assert de(ytd.actual) in text and de(ytd.plan) in text  # German grouping: 3.748.164
        assert de(ytd.attainment * 100, "0.0") in text  # decimal comma: 99,8
        assert f"Quartalsreview Q2 {plan.kaop.year} – {aid}" in everything
        for key in ("revenue", "total_cost", "profit"):  # every variance signed, a revenue's as a cost's
            for q in (1, 2):
                v = round(cmp.lines[key].quarters[q].variance or 0)
                assert f"{'+' if v > 0 else ''}{de(v)} €" in text, (aid, key, q, v)
        # the KASP projects due by 30 June and the contacts behind plan, as the pure functions give them
        due = [p.project for p in kasp_due(plan.parts["kasp"].projects, plan.kaop.year, 2)]
        behind = [row[0] for row in contacts_behind(plan.parts["people"], plan.kaop.year, 2)]
        assert all(name in text for name in due + behind), (aid, due, behind)
        shown += len(due) + len(behind)
    assert shown > 14  # the demo plans have KASP projects and buying centers: the sections are not empty


def test_review_without_libreoffice_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(recalc, "find_soffice", lambda: None)
    result = runner.invoke(app, ["review", str(tmp_path), "--quarter", "2"])
    assert result.exit_code == 1
    assert "soffice" in result.output and "apt-get install" in result.output and "libreoffice" in result.output
    bad = runner.invoke(app, ["review", str(tmp_path), "--quarter", "Q5"])
    assert bad.exit_code == 1 and "allowed: 1, 2, 3, 4 or Q1–Q4" in bad.output


def test_an_english_pack_of_german_plans(pack):
    """The pack's language is not the plans': German plans give an English pack with English numbers and words."""
    out, _ = pack
    result = runner.invoke(app, ["review", str(out.parent), "--quarter", "3", "--account", "KA-003", "--lang", "en",
                                 "--out", str(out.parent / "review_en")])
    assert result.exit_code == 2, result.output  # the broken file is still listed
    text = pdftotext(out.parent / "review_en" / "review_Q3_KA-003.pdf")
    plan = AccountPlanData.from_databook(demo_databook(), "KA-003")
    assert plan.kaop is not None
    revenue_q1 = kaop_plan(*plan.kaop.plan).quarters[1].revenue
    assert "Quarterly review Q3 2026 – KA-003" in text and "KASP projects due" in text
    due = kasp_due(plan.parts["kasp"].projects, 2026, 3)
    assert due and all(p.project in text and KASP_STATUS_WORDS["en"][p.status] in text for p in due)
    assert "Contacts behind plan" in text and "no data" not in text and "Seite" not in text
    assert f"{revenue_q1:,.0f}" in text  # English grouping: 313,843


def test_a_cost_under_plan_is_not_red_the_variance_follows_the_rows_direction(ka002, tmp_path):
    """KA-002's Q2 cost is 7,393 € under plan (green light): its variance prints plain and signed, a cost over
    plan (Q1, +60,048 €) red; a revenue variance keeps red for below plan — in the review pack and the plan's
    KAOP sheet alike."""
    sheet = review_sheet(account_review(ka002, 2), "de")
    labels = {c.row: c.value for c in sheet.cells if c.col == 0}
    variance = {(labels[c.row], round(c.value)): c.style for c in sheet.cells
                if c.col == 4 and isinstance(c.value, float)}
    assert variance[("Gesamtkosten", -7393)] == variance[("Gesamtkosten", 60048)] == "money_lower_better"
    assert {style for (label, _), style in variance.items() if label == "Umsatz"} == {"money_variance"}
    path = write_book(Book("t", "1", [sheet]), tmp_path / "review.xlsx")
    ws = openpyxl.load_workbook(path)[sheet.name]
    formats = {labels[r - 1]: ws.cell(r, 5).number_format for r in range(1, ws.max_row + 1)
               if isinstance(ws.cell(r, 5).value, int | float) and (r - 1) in labels}
    assert formats["Gesamtkosten"] == '[Red]+#,##0 "€";-#,##0 "€";0 "€"'  # red above zero only
    assert formats["Umsatz"] == '+#,##0 "€";[Red]-#,##0 "€";0 "€"'  # signed as a cost's, red below zero
    kaop = account_plan(ka002).sheet("KAOP")
    for name, style in (("kaop_cmp_cost_variance", "money_lower_better"),
                        ("kaop_cmp_revenue_variance", "money_variance"),
                        ("kaop_cmp_profit_variance", "money_variance")):
        r0, c0, _, c1 = kaop.ranges[name]
        assert {c.style for c in kaop.cells if c.row == r0 and c0 <= c.col <= c1} == {style}, name
