"""The quarterly review pack: sections from the pure functions, and the demo company's pack after generate and
collect — one PDF page per account, all accounts in one PDF, German numbers, a broken file listed, a clear
error without LibreOffice."""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import date
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from pydantic import BaseModel
from typer.testing import CliRunner

import kam_xl.testing.recalc as recalc
from kam_xl.cli import app
from kam_xl.databook import demo_databook
from kam_xl.kaop import KaopMeasure, compare, kaop_plan
from kam_xl.review import SECTIONS, Section, account_review, part_table
from kam_xl.workbook.account_plan import AccountPlanData

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
    assert blocks["kasp"].table is None and blocks["contacts"].table is None  # "keine Daten" on the page
    assert [b.key for b in account_review(plan, 2).blocks] == [s.key for s in SECTIONS]
    with pytest.raises(ValueError, match="allowed: 1, 2, 3 or 4"):
        account_review(plan, 5)


class Project(BaseModel):  # the fields of kam_xl.kasp.KaspProject the review reads (issue 11, sheet KASP)
    project: str
    lever: str
    goal: str = ""
    owner: str = ""
    status: str = "geplant"
    review_date: date | None = None
    end_year: int


@dataclasses.dataclass
class KaspPart:
    projects: tuple[Project, ...]


class Member(BaseModel):  # the fields of kam_xl.buying_center.Member / Touchpoint the review reads (issue 11)
    person: str
    function: str | None = None
    min_contacts: int | None = None


class Touchpoint(BaseModel):
    year: int
    quarter: int
    person: str
    done: bool = False


class BuyingCenter(BaseModel):
    members: tuple[Member, ...]
    touchpoints: tuple[Touchpoint, ...]


def test_kasp_projects_due_by_the_quarter(ka002):
    projects = (Project(project="Neue Leimung", lever="Produkt", review_date=date(2026, 6, 30), end_year=2028),
                Project(project="Werk Ost", lever="Platzierung", review_date=date(2026, 7, 1), end_year=2029),
                Project(project="Altkunde", lever="Preis", end_year=2026, status="laufend"),
                Project(project="Erledigt", lever="Preis", end_year=2026, status="abgeschlossen"))
    plan = dataclasses.replace(ka002, parts={"kasp": KaspPart(projects)})
    [block] = [b for b in account_review(plan, 2).blocks if b.key == "kasp"]
    assert block.table is not None
    # Q2 2026 ends on 30 June: the review of 30.06. is due, that of 01.07. not; a project ending 2026 is due
    assert [(r[0], r[4]) for r in block.table[1]] == [("Neue Leimung", "30.06.2026"), ("Altkunde", None)]


def test_contacts_behind_plan_by_the_quarter(ka002):
    tp = [Touchpoint(year=2026, quarter=1, person="Dr. Reh", done=True),
          Touchpoint(year=2026, quarter=2, person="Dr. Reh"),  # planned by Q2, not done: behind
          Touchpoint(year=2026, quarter=1, person="Frau Lutz", done=True),
          Touchpoint(year=2026, quarter=3, person="Frau Lutz"),  # later quarter: not yet due
          Touchpoint(year=2025, quarter=1, person="Herr Kahl")]  # last year: does not count
    bc = BuyingCenter(members=(Member(person="Dr. Reh", function="Einkauf"), Member(person="Frau Lutz"),
                               Member(person="Herr Kahl", min_contacts=2)), touchpoints=tuple(tp))
    plan = dataclasses.replace(ka002, parts={"people": bc})
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
    assert "review_Q2_all.pdf  (14 page(s), 14 account(s))" in result.output
    everything = pdftotext(out / "review_Q2_all.pdf")
    assert everything.count("\f") == 14  # pdftotext ends every page with a form feed
    for aid in ids:
        assert f"{aid}.pdf  (1 page(s))" in result.output
        plan = AccountPlanData.from_databook(db, aid)
        assert plan.kaop is not None
        products, costs = plan.kaop.actual
        cmp = compare(kaop_plan(*plan.kaop.plan), kaop_plan([p for p in products if p.quarter <= 2],
                                                            [c for c in costs if c.quarter <= 2]))
        ytd = cmp.lines["revenue"].ytd
        text = pdftotext(out / f"review_Q2_{aid}.pdf")
        assert f"Quartalsreview Q2 {plan.kaop.year} – {aid}" in text
        assert de(ytd.actual) in text and de(ytd.plan) in text  # German grouping: 3.748.164
        assert de(ytd.attainment * 100, "0.0") in text  # decimal comma: 99,8
        assert f"Quartalsreview Q2 {plan.kaop.year} – {aid}" in everything
    assert "keine Daten" in everything  # KASP and contacts: the demo plans have no such sheets yet


def test_review_without_libreoffice_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(recalc, "find_soffice", lambda: None)
    result = runner.invoke(app, ["review", str(tmp_path), "--quarter", "2"])
    assert result.exit_code == 1
    assert "soffice" in result.output and "apt-get install" in result.output and "libreoffice" in result.output
    bad = runner.invoke(app, ["review", str(tmp_path), "--quarter", "Q5"])
    assert bad.exit_code == 1 and "allowed: 1, 2, 3, 4 or Q1–Q4" in bad.output


def test_an_english_pack_of_german_plans(pack):
    """The pack's language is not the plans': German plans give an English pack with English numbers."""
    out, _ = pack
    result = runner.invoke(app, ["review", str(out.parent), "--quarter", "3", "--account", "KA-003", "--lang", "en",
                                 "--out", str(out.parent / "review_en")])
    assert result.exit_code == 2, result.output  # the broken file is still listed
    text = pdftotext(out.parent / "review_en" / "review_Q3_KA-003.pdf")
    plan = AccountPlanData.from_databook(demo_databook(), "KA-003")
    assert plan.kaop is not None
    revenue_q1 = kaop_plan(*plan.kaop.plan).quarters[1].revenue
    assert "Quarterly review Q3 2026 – KA-003" in text and "KASP projects due" in text and "no data" in text
    assert f"{revenue_q1:,.0f}" in text  # English grouping: 313,843
