"""The controller's cockpit: the largest accounts, key figures equal to sums by hand, one printed page in the
de-DE locale at the demo's 14 and at 1,000 accounts, sparklines and data bars in the file.

That every cockpit formula recalculates (LibreOffice) to its cached value is proven with the rest of the
controller in tests/test_controller.py (the cockpit is the controller's first sheet)."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.numbers import format_decimal

from kam_xl.databook import DataBook, demo_databook
from kam_xl.kaop import kaop_plan
from kam_xl.maths import total
from kam_xl.pdf import page_count, to_pdf
from kam_xl.report import account_reports
from kam_xl.testing.recalc import recalculate
from kam_xl.vocabulary import LIGHT_WORDS
from kam_xl.workbook.controller import CONTROLLER_SHEETS, TEMPLATE_ID, TEMPLATE_VERSION, default_settings
from kam_xl.workbook.controller.cockpit import C_ID, C_NET, TOP
from kam_xl.workbook.controller.kind import BuildContext, as_sheets, build_order
from kam_xl.workbook.layout import Book, Cell, Sheet
from kam_xl.workbook.render import write_book

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.synthetic import synthetic_databook

NEEDED = ("cdb_data", "accounts", "resources", "kaop_data", "kaop", "cockpit")


def cockpit_book(db: DataBook) -> Book:
    """The cockpit with the sheets it reads built, those sheets written empty and hidden: the cockpit's own page
    printed from its cached values (the full controller's recalculation is tests/test_controller.py's)."""
    kinds = {k.key: k for k in CONTROLLER_SHEETS}
    ctx = BuildContext(db=db, lang="de", settings=default_settings(db), catalogue=None,
                       when="2026-11-30T06:00:00+00:00", status="")
    for kind in build_order([kinds[k] for k in NEEDED]):
        ctx.built[kind.key] = as_sheets(kind.build(ctx))
    others = [Sheet(s.name, hidden=True) for k in NEEDED[:-1] for s in ctx.built[k]]
    return Book(template_id=TEMPLATE_ID, template_version=TEMPLATE_VERSION, sheets=[*ctx.built["cockpit"], *others])


def named(sheet: Sheet, name: str) -> Cell:
    return next(c for c in sheet.cells if c.name == name)


def column(sheet: Sheet, col: int, first: int, count: int) -> list[object]:
    by_pos = {(c.row, c.col): c for c in sheet.cells}
    return [by_pos[(first + i, col)].cached for i in range(count)]


@pytest.fixture(scope="module")
def demo() -> tuple[DataBook, Sheet]:
    db = demo_databook()
    return db, cockpit_book(db).sheets[0]


def test_the_largest_accounts_by_net_sales_come_first(demo):
    db, s = demo
    expected = [r.account_id for r in sorted((r for r in account_reports(db) if r.cdb),
                                             key=lambda r: -r.cdb.net_sales)][:TOP]  # type: ignore[union-attr]
    first = s.ranges["ctl_cockpit_top"][0]
    assert column(s, C_ID, first, len(expected)) == expected
    assert expected[:3] == ["KA-007", "KA-002", "KA-011"]


def test_key_figures_equal_sums_by_hand(demo):
    db, s = demo
    reports = [r for r in account_reports(db) if r.cdb]
    assert named(s, "ctl_kpi_accounts").cached == len(db.accounts) == 14
    assert named(s, "ctl_kpi_net_sales").cached == pytest.approx(sum(r.cdb.net_sales for r in reports))
    assert named(s, "ctl_kpi_cdb_iii").cached == pytest.approx(sum(r.cdb.cdb_iii for r in reports))
    assert named(s, "ctl_kpi_big_step").cached == sum(r.cdb.cdb_iii < 0 for r in reports) == 1
    plan_ytd, actual_ytd = [], []
    for a in db.accounts:  # the quarters with actuals, each account in its plan year
        plan_years = db.kaop_years(a.account_id, "plan")
        year = a.plan_year if a.plan_year in plan_years else max(plan_years)
        plan = kaop_plan(*db.kaop_rows(a.account_id, year, "plan"))
        actual = kaop_plan(*db.kaop_rows(a.account_id, year, "actual"))
        for q, period in actual.quarters.items():
            actual_ytd.append(period.revenue)
            plan_ytd.append(plan.quarters[q].revenue)
    assert named(s, "ctl_kpi_ytd_plan").cached == pytest.approx(total(plan_ytd))
    assert named(s, "ctl_kpi_ytd_actual").cached == pytest.approx(total(actual_ytd))
    attainment = total(actual_ytd) / total(plan_ytd)
    assert named(s, "ctl_kpi_ytd_attainment").cached == pytest.approx(attainment)
    word = "green" if attainment >= 1 else "amber" if attainment >= 0.95 else "red"
    assert named(s, "ctl_kpi_ytd_light").cached == LIGHT_WORDS["de"][word]


def test_sparklines_data_bars_and_a_one_page_fit_are_in_the_file(demo, tmp_path):
    _, s = demo
    path = write_book(cockpit_book(demo_databook()), tmp_path / "cockpit.xlsx")
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert xml.count("<x14:sparkline>") == 2 * (14 + 1)  # plan and actual per account and for the total
    assert xml.count("<dataBar") == 1 and xml.count("<x14:dataBar") == 1  # 2007 rule + its 2010 extension
    top = s.ranges["ctl_cockpit_top"]
    assert f'sqref="E{top[0] + 1}:E{top[2] + 1}"' in xml  # over the CDB III of the listed accounts
    assert '<pageSetUpPr fitToPage="1"/>' in xml and re.search(r'<pageSetup[^>]*orientation="landscape"', xml)
    assert 'fitToHeight="0"' not in xml  # one page tall as well as wide
    # LibreOffice reads them: its own .xlsx of the cockpit still has every sparkline and the data bar
    [again] = recalculate([path], tmp_path / "lo")
    with zipfile.ZipFile(again) as z:
        lo_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert lo_xml.count("<x14:sparkline>") == 2 * (14 + 1) and "dataBar" in lo_xml


def test_the_cockpit_prints_on_one_page_in_german_at_14_and_1000_accounts(demo, tmp_path):
    db, s = demo
    big_db = synthetic_databook(1000)
    big = cockpit_book(big_db)
    files = [write_book(cockpit_book(db), tmp_path / "demo.xlsx"), write_book(big, tmp_path / "big.xlsx")]
    pdfs = to_pdf(files, tmp_path, recalc=False)
    assert [page_count(p) for p in pdfs] == [1, 1]
    texts = [subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, check=True).stdout
             for p in pdfs]
    for text, sheet, n in ((texts[0], s, 14), (texts[1], big.sheets[0], 1000)):
        net = named(sheet, "ctl_kpi_net_sales").cached
        assert format_decimal(round(net), format="#,##0", locale="de_DE") in text  # 51.886.735 — German grouping
        assert f"Summe aller {n} Kunden" in text
        rel = named(sheet, "ctl_kpi_cdb_iii_rel").cached
        assert format_decimal(rel * 100, format="0.0", locale="de_DE") in text  # 9,7 — a decimal comma
    first = big.sheets[0].ranges["ctl_cockpit_top"][0]
    listed = column(big.sheets[0], C_ID, first, TOP)
    assert all(i in texts[1] for i in listed) and len(set(listed)) == TOP  # 20 rows of 1,000
    assert not any(c.row == first + TOP and c.col == C_ID for c in big.sheets[0].cells)
    assert column(big.sheets[0], C_NET, first, 1)[0] == max(r.cdb.net_sales for r in account_reports(big_db)
                                                            if r.cdb)
