"""Printed workbooks (issue 15): every sheet of every workbook kind has a page setup (A4 landscape, print
titles, header and footer, a scale of at least 70 %), row heights grow for wrapped text, headings never end a
page, amounts print in German with the account's currency — checked on the page geometry's pure functions,
on the written page setups, and on the PDFs LibreOffice prints in the de-DE locale (one conversion for the
three workbook kinds, shared by the tests of this module)."""

from __future__ import annotations

import html
import re
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from xlsxwriter.utility import xl_rowcol_to_cell

from kam_xl.cdb import cdb_statement
from kam_xl.databook import demo_databook
from kam_xl.testing.pagesetup import DEMO_PLAN_ACCOUNT, PageSetup, demo_books, is_a4, read_page_setups
from kam_xl.testing.pdf import calibri_substitute, page_count, pdf_text, sheet_pages, to_pdf
from kam_xl.testing.recalc import find_soffice
from kam_xl.vocabulary import FTE_NOTE, TERM_VARIANTS, Lang, term
from kam_xl.workbook.account_plan import PLAN_SHEETS, AccountPlanData
from kam_xl.workbook.controller import CONTROLLER_SHEETS
from kam_xl.workbook.layout import HEADING_STYLES, Book, Input, Print, Sheet
from kam_xl.workbook.printing import (
    A4_POINTS,
    DEFAULT_WIDTH,
    LINE_POINTS,
    MARGINS_INCH,
    MIN_FIT_SCALE,
    OVERFLOW_STYLES,
    WRAPPED_STYLES,
    PagePlan,
    TextRuns,
    chart_boxes,
    column_breaks,
    column_points,
    currency_symbol,
    fitted_widths,
    heading_columns,
    line_points,
    money_format,
    page_plan,
    page_segments,
    paginate,
    print_scale,
    row_heights,
    shown_texts,
    shown_width,
    text_chars,
    text_runs,
    wrapped_lines,
)
from kam_xl.workbook.questionnaire import QUESTIONNAIRE_SHEETS
from kam_xl.workbook.render import write_book

# ------------------------------------------------------------------------------------------ pure functions


def test_wrapped_lines_follow_text_length_and_column_width() -> None:
    chars = text_chars(30)  # 29 characters of running text on a line of a 30-character column
    assert chars == 29
    assert wrapped_lines("x" * chars, 30) == 1
    assert wrapped_lines("wort " * 10, 30) == 2  # 49 characters in words of 4: six words (29) a line
    assert wrapped_lines("a\nb\nc", 30) == 3  # every line break starts a line
    assert wrapped_lines("x" * 100, 30) == 4  # a word longer than the line is broken: 29+29+29+13
    assert wrapped_lines("", 30) == 1


def test_row_heights_of_a_sheet_grow_with_wrapped_text_only() -> None:
    s = Sheet("S", widths={0: 30, 1: 12})
    s.put(0, 0, "kurz", style="wrap")
    s.put(1, 0, "wort " * 10, style="wrap")  # two lines
    s.put(2, 0, "wort " * 10, style="text")  # not wrapping: overflows, no height
    # a header wraps in its column of 12 (11 characters a line): "Umsatz je", "Quartal und", "Produkt"
    s.put(3, 1, "Umsatz je Quartal und Produkt", style="header")
    heights = row_heights(s, s.widths, frozenset())
    assert heights == {1: 2 * LINE_POINTS, 3: 3 * LINE_POINTS}


def test_a_hidden_column_neither_prints_nor_shapes_row_heights() -> None:
    """A column of width 0 (a chart's helper column) stays hidden: no width, no wrapped header, no page wide."""
    s = Sheet("S", widths={0: 10, 1: 0, 2: 0})
    s.put(0, 0, "ID", style="header")
    s.put(0, 1, "Reihe des Diagramms", style="header")  # 19 characters at width 0: one per line before
    s.put(0, 2, "< 0 % (Big Step or Out), Größe 4", style="header")
    s.put(1, 0, "KA-001", style="bold")
    s.put(1, 1, "#N/A", style="number")  # a text beside a filled cell: was made to wrap
    s.put(1, 2, 123456789.0, style="number")  # a number: was widened
    widths, wrap = fitted_widths(s)
    assert (widths[1], widths[2], wrap) == (0, 0, frozenset())
    assert row_heights(s, widths, wrap) == {}
    plan = page_plan(s)
    assert plan.heights == {} and plan.pages_wide == 1 and plan.wrap == frozenset()


def test_the_portfolio_chart_helper_columns_are_hidden_and_the_header_is_not_tall(books: dict[str, Book]) -> None:
    accounts = next(s for s in books["controller"].sheets if s.name == "Kunden")
    heads = {c.value: c.col for c in accounts.cells if c.style == "header" and c.row == 3}
    helpers = [col for head, col in heads.items() if head == "Diagrammreihe" or "Größe " in str(head)]
    assert len(helpers) == 17  # "Diagrammreihe" and the 16 point columns (4 bands × 4 size classes)
    assert all(accounts.widths[col] == 0 for col in helpers)
    assert page_plan(accounts).heights.get(3, LINE_POINTS) <= 2 * LINE_POINTS  # "Potenzial margengewichtet"


def test_print_scale_is_never_below_the_minimum() -> None:
    page = 741.0
    assert print_scale([100.0] * 6, page) == (1, 100)  # 600 pt fit as they are
    wide, scale = print_scale([100.0] * 9, page)  # 900 pt: one page a little smaller
    assert wide == 1 and MIN_FIT_SCALE <= scale < 100
    wide, scale = print_scale([100.0] * 20, page, repeat_points=100.0)  # 2000 pt would need 37 %
    assert wide > 1 and scale >= MIN_FIT_SCALE
    assert len(column_breaks([100.0] * 20, page, scale, 100.0)) == wide - 1


def test_a_chart_moves_to_the_next_page_wide_whole() -> None:
    cols = [200.0] * 5
    assert column_breaks(cols, 741.0, 100) == [3]
    assert column_breaks(cols, 741.0, 100, keep=[(2, 4)]) == [2]  # the chart over C:E starts page 2


def test_paginate_never_ends_a_page_with_a_heading() -> None:
    heights = [15.0] * 40
    headings = {0, 9, 18, 27, 36}
    breaks = paginate(heights, headings, page_points=150.0)  # 10 rows a page
    assert breaks and all(b - 1 not in headings for b in breaks)
    assert all(b in headings for b in breaks)  # blocks of 9 rows fit a page: every page starts at a heading
    long_block = paginate([15.0] * 30, {0, 8}, page_points=150.0, keep_next=3)  # heading at 8 with 3 rows: no room
    assert long_block[0] == 8


def test_a_block_that_fits_on_the_rest_of_the_page_stays_on_it() -> None:
    """A4 landscape at 100 % holds 487 pt: a title and 15 rows (255 pt), then a heading and its 13-row table
    (225 pt; 480 pt in all) print on one page — the repeated title row counts once on the first page; a block
    of 16 rows (270 pt, 525 pt in all) does not fit and starts the next page, its heading with it."""
    def sheet(block_rows: int) -> Sheet:
        s = Sheet("S", widths={0: 30})
        s.put(0, 0, "Titel", style="title")
        for r in range(1, 16):
            s.put(r, 0, r)
        s.put(16, 0, "Prozesskosten", style="subtitle")
        s.put(17, 0, "Kopf", style="header")
        for r in range(18, 17 + block_rows):
            s.put(r, 0, r)
        return s

    assert page_plan(sheet(14)).breaks == ()
    assert page_plan(sheet(17)).breaks == (16,)
    assert paginate([15.0] * 10, {4}, page_points=90.0, titles=15.0) == [4, 9]  # later pages: 5 rows + title


def test_currency_symbols_and_money_formats() -> None:
    assert currency_symbol("EUR") == "€"
    assert currency_symbol("usd") == "$"
    assert currency_symbol("CHF") == "CHF"  # no common symbol: the code
    assert money_format(currency_symbol("GBP"), 2) == '#,##0.00 "£";[Red]-#,##0.00 "£"'
    assert money_format("") == "#,##0;[Red]-#,##0"
    assert money_format("€", signed=True) == '+#,##0 "€";[Red]-#,##0 "€";0 "€"'  # a variance: signed both ways


def test_column_points_match_excel_pixels() -> None:
    assert column_points(8.43) == 48.0  # Excel's default column: 64 px
    assert column_points(10) == 56.25  # 75 px


# ------------------------------------------------------------------------------------------ every sheet


@pytest.fixture(scope="module")
def books() -> dict[str, Book]:
    return demo_books(demo_databook())


@pytest.fixture(scope="module")
def books_by_lang(books: dict[str, Book]) -> dict[str, dict[str, Book]]:
    return {"de": books, "en": demo_books(demo_databook(), "en")}


@pytest.fixture(scope="module")
def written(books: dict[str, Book], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("print")
    return {stem: write_book(book, folder / f"{stem}.xlsx") for stem, book in books.items()}


def _kind_sheet_names(books: dict[str, Book]) -> dict[str, list[str]]:
    """The sheets each workbook kind has by its registry: a new sheet kind is covered without a test change."""
    db = demo_databook()
    data = AccountPlanData.from_databook(db, DEMO_PLAN_ACCOUNT)
    plan = [kind.layout(data, "de").name for kind in PLAN_SHEETS]
    controller = [s.name for s in books["controller"].sheets]
    assert len(controller) >= len(CONTROLLER_SHEETS) - 1  # a kind may build no sheet for absent data
    questions = [s.name for s in books["questionnaire"].sheets]
    assert len(questions) == len(QUESTIONNAIRE_SHEETS)
    return {"plan": plan, "controller": controller, "questionnaire": questions}


def _printed(setup: PageSetup) -> None:
    where = f"sheet {setup.name}"
    assert setup.landscape and is_a4(setup), where
    assert setup.scale >= MIN_FIT_SCALE, f"{where} prints at {setup.scale} %"
    assert setup.fit is None or setup.fit[0] >= 1, where
    assert re.search(r"!\$A:\$[A-Z]+,", setup.print_titles) and re.search(r"\$1:\$\d+", setup.print_titles), where
    assert "&A" in setup.header and "&L" in setup.header, where  # account/title left, sheet name centre
    assert "&P" in setup.footer and "&N" in setup.footer and "Seite" in setup.footer, where


def test_every_sheet_of_every_kind_has_a_page_setup(books: dict[str, Book], written: dict[str, Path]) -> None:
    for stem, names in _kind_sheet_names(books).items():
        setups = {s.name: s for s in read_page_setups(written[stem])}
        layout = {s.name: s for s in books[stem].sheets}
        for name in names:
            setup = setups[name]
            if layout[name].print.printed:
                assert not setup.hidden, name
                _printed(setup)
            else:
                assert setup.hidden, f"{name} is not printed: it is hidden"
        assert set(setups) - set(names) <= {"_meta", "xlwings.conf"}
        assert all(setups[n].hidden for n in set(setups) - set(names))


def test_the_raw_controller_data_is_not_printed(books: dict[str, Book]) -> None:
    hidden = [s.name for s in books["controller"].sheets if not s.print.printed]
    data = [s.name for s in books["controller"].sheets if s.name.endswith("-Daten")]  # the raw data sheets
    assert {"CDB-Daten", "KAOP-Daten", "Beziehungs-Daten"} <= set(data)
    assert hidden == data


def test_page_breaks_never_follow_a_heading(books: dict[str, Book]) -> None:
    for book in books.values():
        for sheet in book.sheets:
            headings = {c.row for c in sheet.cells if c.style in HEADING_STYLES}
            plan = page_plan(sheet)
            assert all(b - 1 not in headings for b in plan.breaks), (sheet.name, plan.breaks)


def test_a_sheet_without_print_options_gets_the_defaults(tmp_path: Path) -> None:
    s = Sheet("Neu")
    s.put(0, 0, "Neue Auswertung 2026 (EUR)", style="title")
    for r in range(2, 200):
        s.put(r, 0, f"Zeile {r}")
        s.put(r, 1, float(r), style="money")
    path = write_book(Book("t", "1", [s], meta={"title": "Test & Co", "generated_at": "2026-11-30T08:00:00"}),
                      tmp_path / "neu.xlsx")
    setup = read_page_setups(path)[0]
    _printed(setup)
    assert setup.row_breaks  # 200 rows: several pages, broken by kam_xl, not left to the application
    assert "Test && Co" in setup.header and "30.11.2026" in setup.header
    assert Print().printed and Print().landscape


def test_the_questionnaire_opens_on_its_questions(written: dict[str, Path]) -> None:
    with zipfile.ZipFile(written["questionnaire"]) as z:
        workbook = z.read("xl/workbook.xml").decode()
    tab = re.search(r'activeTab="(\d+)"', workbook)
    active = int(tab.group(1)) if tab else 0  # no activeTab: the first sheet
    names = re.findall(r'<sheet name="([^"]+)"', workbook)
    assert names[active] == "Fragebogen"
    assert names[0] == "Fragebogen"  # printed first too: the questions before the results


# ------------------------------------------------------------------------------------------ printed


@pytest.fixture(scope="module")
def pdfs(written: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if find_soffice() is None:
        pytest.fail("LibreOffice (soffice) is needed to print the workbooks")
    if not calibri_substitute().lower().startswith("carlito"):
        pytest.fail(f"LibreOffice would set Calibri in {calibri_substitute()!r}: install fonts-crosextra-carlito "
                    "(Calibri's metric twin) so that printed columns are as wide as in Excel")
    out = to_pdf(list(written.values()), tmp_path_factory.mktemp("pdf"))
    return dict(zip(written, out, strict=True))


def test_amounts_and_rates_print_in_german_with_the_currency(pdfs: dict[str, Path]) -> None:
    data = AccountPlanData.from_databook(demo_databook(), DEMO_PLAN_ACCOUNT)
    assert data.cdb is not None
    statement = cdb_statement(data.cdb, data.activities)
    euro = currency_symbol(data.account.currency)
    net = f"{format_decimal(round(statement.net_sales), '#,##0', locale='de_DE')} {euro}"
    rate = f"{format_decimal(statement.cdb_iii_rel * 100, '0.0', locale='de_DE')} %"  # type: ignore[operator]
    text = pdf_text(pdfs["plan"])
    assert net in text and rate in text, (net, rate)
    assert net in pdf_text(pdfs["controller"])  # the controller lists the account's net sales alike


def test_every_percent_prints_with_a_space_before_its_sign(written: dict[str, Path]) -> None:
    """One percent style (``9,0 %``) in every number format a workbook holds, conditional ones included."""
    for stem, path in written.items():
        with zipfile.ZipFile(path) as z:
            styles = html.unescape(z.read("xl/styles.xml").decode())
        codes = re.findall(r'formatCode="([^"]*%[^"]*)"', styles)
        assert codes, stem
        assert [c for c in codes if re.search(r"[^ ]%", c)] == [], stem


def test_no_printed_page_ends_with_a_heading(books: dict[str, Book], pdfs: dict[str, Path]) -> None:
    for stem, pdf in pdfs.items():
        texts = [(c.style in HEADING_STYLES, str(c.value).strip()) for s in books[stem].sheets for c in s.cells
                 if isinstance(c.value, str)]
        # a heading's text that is also a table's label ("Q4 2026") cannot be told apart on paper
        headings = {t for h, t in texts if h} - {t for h, t in texts if not h}
        pages = pdf_text(pdf).split("\f")[:page_count(pdf)]
        for number, page in enumerate(pages, 1):
            lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
            body = [ln for ln in lines[1:] if not re.fullmatch(r"Seite \d+ von \d+", ln)]
            assert body, f"{stem} page {number} is empty"
            assert body[-1] not in headings, f"{stem} page {number} ends with the heading {body[-1]!r}"


# ------------------------------------------------------------------------------------------ wording


def _labels(book: Book) -> list[tuple[str, str]]:
    """(sheet, text) of every word a workbook shows that is not data: labels, headers, notes, titles, charts,
    input titles and messages."""
    out = []
    for s in book.sheets:
        out.append((s.name, s.name))
        out += [(s.name, ch.title) for ch in s.charts]
        for c in s.cells:
            if c.input is not None:
                out += [(s.name, c.input.title), (s.name, c.input.message)]
            elif isinstance(c.value, str) and c.formula is None:
                out.append((s.name, c.value))
    return out


def test_one_german_term_per_concept(books: dict[str, Book]) -> None:
    for stem, book in books.items():
        for sheet, text in _labels(book):
            for concept, variants in TERM_VARIANTS.items():
                for variant in variants:
                    # in capitals too, and within a compound (Marktpotential)
                    assert not re.search(re.escape(variant), text, re.IGNORECASE), (
                        f"{stem}/{sheet}: {variant!r} in {text!r} — the term is {term(concept, 'de')!r}")


def test_no_workbook_text_names_our_sources_or_our_software(books_by_lang: dict[str, dict[str, Book]]) -> None:
    """A KAM reads German KAM terms, not "Seed 001" or "kam_xl" (a folder path in the settings is data)."""
    jargon = re.compile(r"\bseeds?\b|(?<![/\\])\bkam[_-]xl\b(?![/\\])", re.IGNORECASE)
    for lang, kinds in books_by_lang.items():
        for stem, book in kinds.items():
            found = [(sheet, text) for sheet, text in _labels(book) if jargon.search(text)]
            assert found == [], f"{lang} {stem}: {found}"


def test_mak_is_explained_where_it_appears(books: dict[str, Book]) -> None:
    for book in books.values():
        for s in book.sheets:
            texts = [t for name, t in _labels(book) if name == s.name]
            if any(re.search(r"\bMAK\b", t) for t in texts):
                assert FTE_NOTE[0] in texts, f"{s.name} counts in MAK without saying what MAK is"


def test_every_printed_sheet_title_says_its_year_and_unit(books: dict[str, Book]) -> None:
    figures = {"money", "money2", "level_money", "percent", "score", "number", "number2"}
    for stem, book in books.items():
        for s in book.sheets:
            if not any(c.style in figures for c in s.cells) or s.name == "Einstellungen":
                continue  # the settings sheet holds the macros' settings, no figures of a year
            title = next(c.value for c in s.cells if c.style == "title")
            assert re.search(r"\b20\d\d\b", title) and re.search(r"\((Beträge|Werte|Bewertungen|MAK)", title), (
                f"{stem}/{s.name}: {title!r}")


def test_the_cdb_sheet_says_why_its_year_is_not_the_plan_year(books: dict[str, Book]) -> None:
    plan = books["plan"]
    cdb_year, plan_year = int(plan.meta["cdb_year"]), AccountPlanData.from_databook(
        demo_databook(), DEMO_PLAN_ACCOUNT).account.plan_year
    assert cdb_year < plan_year  # the demo: actuals of the last year, a plan for the next
    note = plan.sheet("CDB").cells[1].value
    assert f"Ist {cdb_year}" in note and f"Plans {plan_year}" in note


def test_dates_are_written_as_dates(tmp_path: Path) -> None:
    import openpyxl

    s = Sheet("Termine")
    s.put(0, 0, "fällig am", style="label")
    s.put(0, 1, date(2026, 3, 31), name="due", input=Input(kind="date", title="Termin", message="ein Datum"))
    s.put(1, 1, date(2026, 12, 24), style="text")  # a date in a text-styled cell is still a date
    path = write_book(Book("t", "1", [s]), tmp_path / "dates.xlsx")
    ws = openpyxl.load_workbook(path)["Termine"]
    for ref, want in (("B1", datetime(2026, 3, 31)), ("B2", datetime(2026, 12, 24))):
        assert ws[ref].is_date and ws[ref].value == want, ref
    assert ws.data_validations.dataValidation[0].type == "date"


def test_fitted_widths_widen_for_values_and_never_narrow() -> None:
    s = Sheet("S", widths={0: 58, 1: 6})
    s.put(0, 0, "x" * 80, style="text")  # longer than the layout's 58 and than MAX_WIDTH: wraps, 58 kept
    s.put(0, 1, 7_055_897.0, style="money")  # "7.055.897 €": 11 characters and a margin
    s.put(0, 2, "frei")
    widths, wrap = fitted_widths(s)
    assert widths[0] == 58 and (0, 0) in wrap
    assert widths[1] == 12  # 9 digits and separators + " €" + 1


def test_fitted_widths_measure_each_kind_of_value_as_shown() -> None:
    """Each kind of value a cell shows, measured (or left out) as :func:`shown_width` says — the loop tests the
    value's type first, so every kind is here once: text beside a filled cell, text beside an empty one, a
    formula's cached text, a date, a number's largest magnitude per style with its sign, a bool, an empty text,
    a hidden column, a title."""
    s = Sheet("S", widths={0: 10, 3: 0})
    s.put(0, 0, "x" * 30)  # beside a filled cell: 30 characters + 1
    s.put(0, 1, True)  # a bool is not measured
    s.put(1, 1, -1234.5, style="money")  # "-1.235 €": 4 digits, a separator, the sign, " €" + 1 = 9
    s.put(2, 1, 12.0, style="money")  # smaller: the column's largest of the style counts
    s.put(1, 2, date(2026, 1, 5), style="date")  # beside a filled cell: shown as its text "2026-01-05" + 1 = 11
    s.put(1, 3, "y" * 60)  # the hidden column stays 0 wide
    s.put(3, 0, "")  # an empty text: nothing
    s.put(4, 4, "z" * 70, style="title")  # a title runs over the cells beside: never widens its column
    s.put(5, 5, "w" * 40)  # beside an empty cell: runs over it
    s.put(6, 6, formula="=A1", cached="v" * 52)  # a formula's text beside a filled cell: 48 at most, wraps
    s.put(6, 7, formula="=B1", cached="")
    widths, wrap = fitted_widths(s)
    assert widths == {0: 31.0, 1: 9.0, 2: 11.0, 3: 0, 6: 48.0}
    assert wrap == {(6, 6)}


def test_page_plan_steps_given_the_shown_texts_find_what_they_find_alone() -> None:
    """:func:`page_plan` reads a sheet's texts once (:func:`shown_texts`) and hands them to the steps that look
    at texts alone: on every sheet of the demo plans each step gives with them what it finds reading the sheet
    itself, and a step given other texts gives something else (it does use them)."""
    db = demo_databook()
    sheets = [sheet for lang in ("de", "en") for account in db.accounts[:4]
              for sheet in Book("t", "1", [k.layout(AccountPlanData.from_databook(db, account.account_id), lang)
                                           for k in PLAN_SHEETS]).sheets]
    used = 0
    for sheet in sheets:
        texts = shown_texts(sheet)
        assert texts == [(c, c.cached if c.formula is not None else c.value) for c in sheet.cells
                         if isinstance(c.cached if c.formula is not None else c.value, str)
                         and (c.cached if c.formula is not None else c.value)], sheet.name
        widths, wrap = fitted_widths(sheet)
        assert row_heights(sheet, widths, wrap, texts) == row_heights(sheet, widths, wrap), sheet.name
        assert heading_columns(sheet, widths, None, texts) == heading_columns(sheet, widths, None), sheet.name
        segments = [(0, max((c.col for c in sheet.cells), default=0))]  # no text runs past the last column
        runs = text_runs(sheet, widths, wrap, segments, None, (), texts)
        assert runs == text_runs(sheet, widths, wrap, segments, None), sheet.name
        if runs.merges or runs.wrap:
            used += 1
            assert text_runs(sheet, widths, wrap, segments, None, (), []) == TextRuns()
    assert used >= 8


def test_libreoffice_breaks_pages_where_kam_xl_planned(books: dict[str, Book], pdfs: dict[str, Path]) -> None:
    """No sheet prints on more pages than kam_xl's own breaks make (LibreOffice added no break of its own: the
    row heights, column widths and scale kam_xl planned with hold on paper); it may print fewer, leaving out
    a page wide without cells."""
    for stem, pdf in pdfs.items():
        printed = [s for s in books[stem].sheets if s.print.printed and not s.hidden]
        pages = sheet_pages(pdf, [s.name for s in printed])
        assert pages.get("", 0) == 0, f"{stem}: pages of no known sheet"
        for s in printed:
            plan = page_plan(s)
            assert 1 <= pages[s.name] <= (len(plan.breaks) + 1) * plan.pages_wide, (stem, s.name, pages[s.name])


def test_repeated_key_columns_follow_the_frozen_columns_when_narrow() -> None:
    def sheet(freeze: tuple[int, int] | None, widths: dict[int, float], **options: object) -> Sheet:
        s = Sheet("S", widths=widths, freeze=freeze, print=Print(**options))  # type: ignore[arg-type]
        for col in range(20):
            s.put(2, col, 1000.0 * col, style="money")
        return s

    assert page_plan(sheet((1, 2), {0: 8, 1: 10})).repeat_cols == (0, 1)  # ID and a short code: both repeat
    assert page_plan(sheet((1, 2), {0: 8, 1: 40})).repeat_cols == (0, 0)  # a wide name column: the ID only
    assert page_plan(sheet(None, {})).repeat_cols == (0, 0)
    assert page_plan(sheet(None, {}, repeat_cols=False)).repeat_cols is None
    assert page_plan(sheet(None, {}, repeat_cols=(0, 2))).repeat_cols == (0, 2)


def test_the_frozen_key_columns_that_fit_repeat_when_all_of_them_do_not(books: dict[str, Book]) -> None:
    """Region (10) and account ID (16) repeat though the label column (22) after them would not fit a fifth."""
    s = Sheet("S", widths={0: 10, 1: 16, 2: 22}, freeze=(1, 3))
    for col in range(40):
        s.put(1, col, 1000.0 * col, style="money")
    assert page_plan(s).repeat_cols == (0, 1)
    resources = next(x for x in books["controller"].sheets if x.name == "Ressourcen")
    plan = page_plan(resources)
    assert plan.pages_wide > 1 and plan.repeat_cols == (0, 1)
    heads = [c.value for c in resources.cells if c.style == "header" and c.col <= 1 and c.row == 11]
    assert heads == ["Region", "Kunde"]


# ------------------------------------------------------------------------------------------ nothing cut


def _segment(plan: PagePlan, col: int, columns: int) -> tuple[int, int]:
    """The columns a text at ``col`` may use on every page it prints on: its page wide's, or — in the repeated
    key columns of a sheet printed several pages wide — the key columns'."""
    if plan.pages_wide > 1 and plan.repeat_cols is not None and col <= plan.repeat_cols[1]:
        return plan.repeat_cols[0], plan.repeat_cols[1]
    return next(seg for seg in page_segments(plan.col_breaks, columns) if seg[0] <= col <= seg[1])


def _cut_texts(sheet: Sheet) -> list[str]:
    """Every text of ``sheet`` that crosses a column page break, ends beyond its page (or beyond the repeated key
    columns it prints in on every page wide), runs over a filled cell or a chart, or wraps into more lines than
    its row is high — computed from the page plan, as printed."""
    plan = page_plan(sheet)
    charts = chart_boxes(sheet, plan.widths)
    at = {(c.row, plan.moves.get((c.row, c.col), c.col)): c for c in sheet.cells}
    columns = max([col for _, col in at] + [box[3] for box in charts]) + 1
    if sheet.print.area is not None:
        columns = sheet.print.area[3] + 1

    def filled(row: int, col: int) -> bool:
        return (row, col) in at or any(r0 <= row <= r1 and c0 <= col <= c1 for r0, c0, r1, c1 in charts)

    def width(c0: int, c1: int) -> float:
        return sum(plan.widths.get(col, DEFAULT_WIDTH) for col in range(c0, c1 + 1))

    cut = []
    for (row, col), cell in at.items():
        text = cell.cached if cell.formula is not None else cell.value
        if not isinstance(text, str) or not text or cell.style in WRAPPED_STYLES or sheet.widths.get(col) == 0:
            continue
        last = _segment(plan, col, columns)[1]
        where = f"{sheet.name}!{xl_rowcol_to_cell(row, col)} {text[:50]!r}"
        if (row, col) in plan.merges or (row, col) in plan.wrap:
            end = plan.merges.get((row, col), col)
            lines = wrapped_lines(text, width(col, end), cell.style)
            if end > last or any(filled(row, x) for x in range(col + 1, end + 1)):
                cut.append(f"{where}: merged to column {end}, its page ends at {last}")
            elif plan.heights.get(row, LINE_POINTS) < lines * line_points(cell.style):
                cut.append(f"{where}: {lines} lines in a row of {plan.heights.get(row, LINE_POINTS)} pt")
            continue
        need, end = shown_width(text, cell.style), col
        while width(col, end) < need:
            end += 1
        if end > last or any(filled(row, x) for x in range(col + 1, end + 1)):
            cut.append(f"{where}: runs to column {end}, its page ends at {last}")
    return cut


def _wide_sheet(text: str, style: str, col: int) -> Sheet:
    s = Sheet("S", freeze=(2, 1), widths={0: 10})
    s.put(0, 0, "Koordinationsbedarf je Key-Account, Abb. 7 und 8, 2026 (Bewertungen 1–7)", style="title")  # 94
    s.put(1, 0, "ID", style="header")
    for c in range(1, 30):
        s.put(1, c, f"Spalte {c}", style="header")
        s.put(2, c, 1000.0 * c, style="money")
    s.put(3, col, text, style=style)
    return s


def test_a_text_beyond_its_page_wraps_over_the_page_and_a_key_column_title_moves_beside_it() -> None:
    s = _wide_sheet("Abb. 8 Gebietsübergreifender Koordinationsbedarf", "note", 13)  # 49 chars from column N
    plan = page_plan(s)
    assert plan.pages_wide > 1 and plan.repeat_cols == (0, 0) and plan.col_breaks[0] == 16  # page 1: A … P
    assert plan.moves == {(0, 0): 1}  # in column A (10 characters) it would take 12 lines: printed from B, whole
    assert plan.merges == {(3, 13): 15}  # the note wraps over N:P (27 characters), the first page's last ones
    assert plan.heights[3] == 3 * LINE_POINTS  # "Abb. 8", "Gebietsübergreifender", "Koordinationsbedarf"
    assert _cut_texts(s) == []


def test_a_heading_starts_the_next_page_wide_rather_than_being_cut() -> None:
    s = _wide_sheet("Abb. 8 Gebietsübergreifender Koordinationsbedarf", "subtitle", 13)
    plan = page_plan(s)
    assert plan.col_breaks[0] == 13 and plan.merges == {}  # N:S hold it on page 2, unbroken
    assert _cut_texts(s) == []


def test_a_long_label_in_a_narrow_key_column_moves_unless_a_formula_refers_to_it() -> None:
    s = Sheet("S", widths={0: 20})
    s.put(0, 0, "Kontakte", style="title")
    s.put(1, 0, "kein Kontakt unterhalb der formal ranghohen Entscheider", style="label")  # 56 characters
    s.put(2, 0, "nur der Einkauf ist abgedeckt, sonst niemand im Buying Center", style="label")
    for col in range(1, 30):
        s.put(3, col, 1000.0 * col, style="money")
    s.put(4, 1, formula="=LEN($A$2)", cached=56)
    plan = page_plan(s)
    assert plan.pages_wide > 1 and plan.repeat_cols == (0, 0)
    assert plan.moves == {(2, 0): 1}  # nothing refers to A3: printed from B, whole, on the first page wide
    assert (1, 0) in plan.wrap  # B5 refers to A2: it stays and wraps in the key column
    assert plan.heights[1] == 4 * LINE_POINTS  # 19 characters a line: "kein Kontakt", "unterhalb der", …
    assert _cut_texts(s) == []


@pytest.mark.parametrize("lang", ["de", "en"])
def test_no_text_of_any_printed_sheet_is_cut_at_a_page_edge(lang: Lang,
                                                           books_by_lang: dict[str, dict[str, Book]]) -> None:
    kinds = books_by_lang[lang]
    cut = [c for book in kinds.values() for s in book.sheets if s.print.printed for c in _cut_texts(s)]
    assert cut == [], "\n".join(cut)


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>')


def _words(pdf: Path, page: int) -> list[tuple[float, float, float, str]]:
    """(xMin, yMin, xMax, text) of every word between the top and bottom margins (no page header or footer) on
    ``page`` (1-based) of ``pdf`` (``pdftotext -bbox``)."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    top, bottom = MARGINS_INCH[1] * 72, A4_POINTS[0] - MARGINS_INCH[1] * 72
    return [(float(a), float(b), float(c), html.unescape(t)) for a, b, c, t in _WORD.findall(out)
            if top <= float(b) <= bottom]


def _key_edge(words: list[tuple[float, float, float, str]]) -> float | None:
    """Where the column right of the repeated ID column starts: the left edge of the word right of "ID"."""
    head = next((w for w in words if w[3] == "ID"), None)
    if head is None:
        return None
    return min(w[0] for w in words if abs(w[1] - head[1]) < 2 and w[0] > head[2])


def _cut_on_page(words: list[tuple[float, float, float, str]], edge: float) -> list[str]:
    """Words that run beyond the page's printable width, or from the repeated key column (ending at ``edge``)
    into the next column."""
    right = A4_POINTS[1] - MARGINS_INCH[0] * 72
    return [f"{w[3]!r} at x {w[0]:.0f}–{w[2]:.0f} (key column ends at {edge:.0f}, page at {right:.0f})"
            for w in words if w[2] > right + 1 or (w[0] < edge - 1 and w[2] > edge + 1)]


def test_koordination_prints_every_title_and_note_whole(books: dict[str, Book], pdfs: dict[str, Path]) -> None:
    """The controller's Koordination sheet, printed two pages wide with its ID column repeated: its title,
    notes and headings are printed whole (pdftotext), and no word runs out of the repeated ID column or off
    the page (the words' boxes) — where LibreOffice would clip it."""
    sheet = books["controller"].sheet("Koordination")
    pdf = pdfs["controller"]
    pages = [n for n, page in enumerate(pdf_text(pdf).split("\f")[:page_count(pdf)], 1)
             if re.split(r"\s{2,}", page.strip().splitlines()[0].strip())[1:2] == ["Koordination"]]
    assert len(pages) >= 2 and page_plan(sheet).pages_wide == 2
    raw = "".join(subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True,
                                 text=True, check=True).stdout for n in pages)

    def flat(text: str) -> str:  # a wrapped line may end on a hyphen that pdftotext joins away
        return re.sub(r"[\s\-]", "", text)

    texts = [c.value for c in sheet.cells if c.style in OVERFLOW_STYLES and isinstance(c.value, str)]
    assert any(t.startswith("Koordinationsbedarf je Key-Account") for t in texts)
    assert [t for t in texts if flat(t) not in flat(raw)] == []
    words = {n: _words(pdf, n) for n in pages}
    edge = next(e for n in pages if (e := _key_edge(words[n])) is not None)
    cut = [f"page {n}: {w}" for n in pages for w in _cut_on_page(words[n], edge)]
    assert cut == [], "\n".join(cut)


def test_a_column_group_prints_whole_under_its_label_and_the_kaop_years_are_told_apart(books: dict[str, Book]
                                                                                       ) -> None:
    """KAOP: each measure's Q1–Q4 and full year stay on one page wide with the measure's label over Q1; the
    plan year and the full-year column no longer both read "Jahr"."""
    kaop = next(s for s in books["controller"].sheets if s.name == "KAOP")
    plan = page_plan(kaop)
    assert plan.pages_wide > 1
    labels = {c.col: c.value for c in kaop.cells if c.row == 4 and c.style == "bold"}
    assert labels == {3: "Umsatz", 8: "Gesamtkosten", 13: "Profitabilität absolut", 18: "Profitabilität relativ"}
    for first, last in kaop.print.groups:
        assert not any(first < b <= last for b in plan.col_breaks), (first, last, plan.col_breaks)
    heads = [c.value for c in kaop.cells if c.row == 5 and c.style == "header"]
    assert heads[:8] == ["ID", "Kunde", "Planjahr", "Q1", "Q2", "Q3", "Q4", "Gesamtjahr"]
    assert heads.count("Jahr") == 0


def test_kunden_repeats_id_and_name_and_prints_big_step_or_out_on_one_line(books: dict[str, Book]) -> None:
    accounts = next(s for s in books["controller"].sheets if s.name == "Kunden")
    plan = page_plan(accounts)
    assert plan.pages_wide > 1 and plan.repeat_cols == (0, 1) and plan.scale >= MIN_FIT_SCALE
    heading = next(c for c in accounts.cells if c.value == "Big Step or Out")
    assert heading.col == 0 and (heading.row, 0) not in plan.wrap
    assert plan.heights.get(heading.row, LINE_POINTS) == LINE_POINTS


def test_cockpit_plan_and_actual_sparklines_share_an_axis_and_the_date_is_german(books: dict[str, Book]) -> None:
    cockpit = next(s for s in books["controller"].sheets if s.name == "Cockpit")
    by_row: dict[int, list[dict[str, object]]] = {}
    for sp in cockpit.sparklines:
        by_row.setdefault(sp.row, []).append(sp.options)
    assert by_row and all(len(o) == 2 for o in by_row.values())
    for plan, actual in by_row.values():
        assert plan["min"] == actual["min"] == 0 and plan["max"] == actual["max"]
    # KA-002 (first of the largest accounts in the demo? any row): the axis top is its largest quarter, plan or actual
    kaop = next(s for s in books["controller"].sheets if s.name == "KAOP")
    quarters = [c.cached for c in kaop.cells if c.style == "money" and c.formula and 3 <= c.col <= 6]
    assert max(o[0]["max"] for o in by_row.values()) >= max(q for q in quarters if q is not None)
    note = next(c.value for c in cockpit.cells if c.row == 1 and c.style == "note")
    assert re.match(r"Stand \d{2}\.\d{2}\.\d{4}\. ", note), note
    bar = next(c.options for c in cockpit.conditionals if c.options.get("type") == "data_bar")
    assert bar["bar_solid"] is False and bar["max_length"] == 50


def test_a_text_right_of_the_print_area_sets_no_row_height():
    """A user's trial: the controller's settings sheet had rows 1,695 pt high (Excel's largest is 409 pt) — the
    notes beside its macro buttons, right of its print area, were laid out for print in a page of no width, a
    character a line. A text outside the printed columns is not laid out for print; inside, it still is."""
    from kam_xl.workbook.printing import page_plan

    note = "Die Knöpfe rufen die Makros des Add-ins auf; ohne xlwings zeigt Excel eine Meldung. " * 5
    outside = Sheet("Einstellungen", print=Print(area=(0, 0, 20, 3)), widths={5: 70})
    outside.put(0, 0, "Einstellungen", style="title")
    outside.put(14, 5, note, style="note")
    assert 14 not in page_plan(outside).heights
    inside = Sheet("Einstellungen", print=Print(area=(0, 0, 20, 3)))
    inside.put(0, 0, "Einstellungen", style="title")
    inside.put(14, 0, note, style="note")
    assert 45 < page_plan(inside).heights[14] < 409  # wraps over the four printed columns: several lines
