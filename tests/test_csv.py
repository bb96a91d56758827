"""The one CSV dialect (kam_xl.csvio): encodings, sep= lines, number conventions per file, duplicated and
BOM-stuck headers, and the guarded writer whose files read back as written (issue 9 §3, issue 8 §7)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import xlsxwriter

from kam_xl import csvio
from kam_xl.batch import PlanResult, write_conflict_report
from kam_xl.databook import TABLES, AccountRow, DataBook, DataBookError, read_databook, write_databook
from kam_xl.text import clean_text
from kam_xl.workbook.merge import Conflict

ACCOUNTS = "account_id;name;region;business_unit;kam;currency;plan_year;supplier_role\r\n"
CDB = "account_id;year;gross_sales;deductions;product_cost;freight;development_cost;production_cost;" \
      "service_cost;sales_cost\r\n"


def _book(folder: Path, files: dict[str, str], encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.csv").write_bytes(text.encode(encoding))
    return folder


def _problems(folder: Path) -> list:
    with pytest.raises(DataBookError) as info:
        read_databook(folder)
    return info.value.problems


# ------------------------------------------------------------------------------------------ encodings


def test_windows_1252_with_semicolons_decimal_commas_and_umlauts(tmp_path):
    # German Excel's "CSV (Trennzeichen-getrennt)": Windows-1252, ';', 1.234,56 — read, and said so
    folder = _book(tmp_path / "book", {
        "accounts": ACCOUNTS + "KA-1;Müller Süßwaren GmbH;Süd;;Jörg Weiß;EUR;2026;\r\n",
        "cdb": CDB + "KA-1;2025;4.532.728,21;328.215,32;2.320.471,1;0;0;0;0;0,5\r\n",
    }, encoding="cp1252")
    db = read_databook(folder)
    [account] = db.accounts
    assert (account.name, account.region, account.kam) == ("Müller Süßwaren GmbH", "Süd", "Jörg Weiß")
    [row] = db.table("cdb")
    assert (row["gross_sales"], row["deductions"], row["product_cost"], row["sales_cost"]) == (
        4532728.21, 328215.32, 2320471.1, 0.5)
    # accounts.csv has umlauts: Windows-1252; cdb.csv is plain ASCII, which is UTF-8 as much as Windows-1252
    assert db.notes == [
        "accounts.csv: Windows-1252, ';'-separated; numbers: the file has no value that shows its convention",
        "cdb.csv: UTF-8, ';'-separated; numbers: the file writes numbers German (decimal comma), e.g. row 2, "
        "column gross_sales: '4.532.728,21'"]


def test_sep_line_sets_the_delimiter_and_rows_keep_their_file_numbers(tmp_path):
    # the header uses more commas than semicolons, but the sep= line says ';'
    folder = _book(tmp_path / "book", {
        "accounts": "sep=;\r\n" + ACCOUNTS + "KA-1;Papier, Pappe & Co;Nord;;;EUR;2026;\r\n"
                    "KA-2;Zweite, AG;Nord;;;EUR;zwanzig;\r\n"})
    [problem] = _problems(folder)
    assert (problem.file, problem.row, problem.column, problem.value) == ("accounts.csv", 4, "plan_year", "zwanzig")


@pytest.mark.parametrize("sep_line", ["sep=,\n", '"sep=,"\r\n', "sep=,,,,,,,\r\n", "SEP=,\n"])
def test_sep_line_file_reads(tmp_path, sep_line):
    folder = _book(tmp_path / "book", {
        "accounts": sep_line + ACCOUNTS.replace(";", ",") + "KA-1,A;B,Nord,,,EUR,2026,\n"})
    assert [(a.account_id, a.name) for a in read_databook(folder).accounts] == [("KA-1", "A;B")]


# ------------------------------------------------------------------------------------ number conventions


def test_decimal_points_in_a_semicolon_file_are_read_per_the_file_never_times_100(tmp_path):
    # the bug: '.' taken as thousands separator made 4532728.21 into 453,272,821 and 2320471.1 ×10
    folder = _book(tmp_path / "book", {
        "accounts": ACCOUNTS + "KA-1;Alpha;Nord;;;EUR;2026;\r\n",
        "cdb": CDB + "KA-1;2025;4532728.21;328215.32;2320471.1;0;0;0;0;0\r\n"})
    [row] = read_databook(folder).table("cdb")
    assert (row["gross_sales"], row["deductions"], row["product_cost"]) == (4532728.21, 328215.32, 2320471.1)


def test_a_decimal_point_among_german_numbers_is_a_problem_with_both_readings(tmp_path):
    folder = _book(tmp_path / "book", {
        "accounts": ACCOUNTS + "KA-1;Alpha;Nord;;;EUR;2026;\r\n",
        "cdb": CDB + "KA-1;2024;1.234,5;0,5;1,25;0;0;0;0;0\r\n"
                     "KA-1;2025;4532728.21;0;0;0;0;0;0;0\r\n"})
    [problem] = _problems(folder)
    assert (problem.file, problem.row, problem.column, problem.value) == ("cdb.csv", 3, "gross_sales", "4532728.21")
    assert problem.message == ("4532728.21 is no German number, but the file writes numbers German (decimal comma), "
                               "e.g. row 2, column gross_sales: '1.234,5'; read the English way it would be "
                               "4532728.21 — write all numbers of the file one way")


def test_quoted_thousands_in_a_comma_file_are_thousands(tmp_path):
    # the bug: "1,620" in a ',' file was read as 1.62
    folder = _book(tmp_path / "book", {
        "accounts": ACCOUNTS.replace(";", ",") + "KA-1,Alpha,Nord,,,EUR,2026,\n",
        "regions": 'region,market_size\nNord,"1,620"\nSüd,2500.5\n'})
    assert read_databook(folder).market_sizes() == {"Nord": 1620.0, "Süd": 2500.5}


def test_an_ambiguous_value_in_a_file_without_evidence_is_a_problem_with_both_readings(tmp_path):
    folder = _book(tmp_path / "book", {
        "accounts": ACCOUNTS + "KA-1;Alpha;Nord;;;EUR;2026;\r\n",
        "regions": "region;market_size\r\nNord;4.532\r\nSüd;7000\r\n"})
    [problem] = _problems(folder)
    assert (problem.file, problem.row, problem.column, problem.value) == ("regions.csv", 2, "market_size", "4.532")
    assert problem.message == ("4.532 could be 4532 (German) or 4.532 (English) — the file has no value that shows "
                               "its convention; write it without thousands separators")
    assert str(problem).startswith("regions.csv, row 2, column market_size: value '4.532': 4.532 could be 4532")


def test_quoted_comma_thousands_alone_is_ambiguous_too(tmp_path):
    folder = _book(tmp_path / "book", {
        "accounts": ACCOUNTS.replace(";", ",") + "KA-1,Alpha,Nord,,,EUR,2026,\n",
        "regions": 'region,market_size\nNord,"1,620"\n'})
    [problem] = _problems(folder)
    assert problem.message.startswith("1,620 could be 1.62 (German) or 1620 (English)")


def test_percentages_keep_working_in_both_conventions(tmp_path):
    folder = _book(tmp_path / "book", {
        "accounts": ACCOUNTS + "KA-1;Alpha;Nord;;;EUR;2026;\r\n",
        "portfolio": "account_id;year;potential;share_of_wallet;margin_factor\r\n"
                     "KA-1;2025;1.000.000;25 %;1,1\r\nKA-1;2024;900.000;12,5%;\r\n"})
    assert [(r["potential"], r["share_of_wallet"], r["margin_factor"]) for r in read_databook(folder).table(
        "portfolio")] == [(1_000_000.0, 0.25, 1.1), (900_000.0, 0.125, 1.0)]


@pytest.mark.parametrize("text", ["1.234", "1,234", "4532728.21", "1,620", "1.234,5", "1,234.5", "1234,5", "0.500",
                                  "-3", "1.234.567", "12,34", "1e-05", ",5", ".5", "1.2345", "12.345.6", "-12.345",
                                  "1234.567", "007"])
def test_the_shortcuts_read_as_babel_does(text):
    from babel.numbers import NumberFormatError, parse_decimal

    def babel(locale: str):
        try:
            return parse_decimal(text, locale, strict=True)
        except NumberFormatError:
            return None

    assert csvio.readings(text) == {"de": babel("de_DE"), "en": babel("en_US")}


# ------------------------------------------------------------------------------------------------ headers


def test_a_header_present_twice_is_a_problem_naming_both_columns(tmp_path):
    folder = _book(tmp_path / "book", {
        "accounts": ACCOUNTS + "KA-1;Alpha;Nord;;;EUR;2026;\r\n",
        "cdb": CDB.removesuffix("\r\n") + ";Gross_Sales\r\nKA-1;2025;100;0;0;0;0;0;0;0;999\r\n"})
    [problem] = _problems(folder)
    assert (problem.file, problem.row) == ("cdb.csv", 1)
    assert problem.message == ("column 3 ('gross_sales') and column 11 ('Gross_Sales') both name column gross_sales "
                               "— allowed: each column once")


def test_headers_are_trimmed_and_matched_case_insensitively(tmp_path):
    folder = _book(tmp_path / "book", {
        "accounts": " Account_ID ; NAME ;Region;business_unit;kam;currency;Plan_Year ;supplier_role\r\n"
                    "KA-1;Alpha;Nord;;;EUR;2026;\r\n"})
    assert [a.plan_year for a in read_databook(folder).accounts] == [2026]


def test_a_byte_order_mark_stuck_to_an_xlsx_header_cell_is_removed(tmp_path):
    path = tmp_path / "bom.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("accounts")
    for j, head in enumerate(["\ufeffaccount_id", "name", "region", "plan_year"]):
        ws.write_string(0, j, head)
    for j, value in enumerate(["KA-1", "Alpha", "Nord"]):
        ws.write_string(1, j, value)
    ws.write_number(1, 3, 2026)
    wb.close()
    assert [(a.account_id, a.plan_year) for a in read_databook(path).accounts] == [("KA-1", 2026)]


# ------------------------------------------------------------------------------------- writing, injection

PAYLOADS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "'quoted",
            "Blau 86"]


def _payload_book() -> DataBook:
    return DataBook(source="test", tables={t: None for t in TABLES},
                    accounts=[AccountRow(account_id=f"KA-{i}", name=n, region="Nord", plan_year=2026)
                              for i, n in enumerate(PAYLOADS)])


def test_formula_like_text_is_guarded_in_the_file_and_reads_back_as_typed(tmp_path):
    folder = write_databook(_payload_book(), tmp_path / "csv")
    raw = (folder / "accounts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfaccount_id;name;region;")  # UTF-8 with BOM, ';' (see kam_xl.csvio)
    names = [row[1] for row in csv.reader(raw.decode("utf-8-sig").splitlines()[1:], delimiter=";")]
    assert names[:4] == ["'" + p for p in PAYLOADS[:4]]
    assert names[6:] == ["''quoted", "Blau 86"]
    text = raw.decode("utf-8-sig")
    assert ";'\tTAB;" in text and ';"\'\rCR";' in text  # TAB and CR guarded (CR quoted by the csv writer)
    # read back as typed — under the one text rule, which trims the TAB and the CR
    assert [a.name for a in read_databook(folder).accounts] == [clean_text(p) for p in PAYLOADS]
    assert [a.name for a in read_databook(folder).accounts][:4] == PAYLOADS[:4]
    assert [a.name for a in read_databook(folder).accounts][6] == "'quoted"


def test_numbers_are_written_as_numbers_unguarded_and_read_back(tmp_path):
    path = csvio.write_csv(tmp_path / "n.csv", ["a", "b", "c", "d", "e"], [[-3, -2.5, 12.345, 1e-05, "-3"]])
    assert path.read_bytes() == b"\xef\xbb\xbfa;b;c;d;e\r\n-3;-2,5;12,3450;0,00001;'-3\r\n"
    # a data book with a negative number (a goal's target) reads back as −3, not as text
    db = _payload_book().model_copy(update={"tables": {**{t: None for t in TABLES}, "kaop_goals": [
        {"account_id": "KA-7", "year": 2026, "goal": "-2+3", "metric": None, "unit": None, "target_q1": -3.0,
         "target_q2": 12.345, "target_q3": None, "target_q4": None, "actual_q1": 2.5, "actual_q2": None,
         "actual_q3": None, "actual_q4": 1234567.0}]}})
    back = read_databook(write_databook(db, tmp_path / "book"))
    [goal] = back.table("kaop_goals")
    assert (goal["goal"], goal["target_q1"], goal["target_q2"], goal["actual_q1"], goal["actual_q4"]) == (
        "-2+3", -3.0, 12.345, 2.5, 1234567.0)


def test_conflict_report_guards_what_a_kam_typed(tmp_path):
    result = PlanResult("KA-1", tmp_path / "KA-1.xlsx", "regenerated", conflicts=[
        ("CDB", "B8", Conflict(name="cdb_in_freight", row=None, col=None, orig=100.0,
                               kam='=HYPERLINK("http://x","y")', data=250.5))])
    path = write_conflict_report([result], tmp_path)
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[1] == ["KA-1.xlsx", "CDB", "B8", "cdb_in_freight", "100", "'=HYPERLINK(\"http://x\",\"y\")", "250,5",
                       ""]  # the note column: a plain conflict


def test_the_cli_says_which_encoding_it_used(tmp_path):
    from typer.testing import CliRunner

    from kam_xl.cli import app

    folder = _book(tmp_path / "book", {"accounts": ACCOUNTS + "KA-1;Müller AG;Süd;;;EUR;2026;\r\n"},
                   encoding="cp1252")
    result = CliRunner().invoke(app, ["report", "--data", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "note — how the data book's files were read:\n  • accounts.csv: Windows-1252, ';'-separated" in \
        result.stderr  # under a heading: a bare bullet looked like a problem to a trial's user
    assert '"name": "Müller AG"' in result.stdout


def test_thresholds_are_attainments_with_amber_not_above_green(tmp_path):
    folder = _book(tmp_path / "book", {
        "accounts": ACCOUNTS + "KA-1;Alpha;Nord;;;EUR;2026;\r\nKA-2;Beta;Nord;;;EUR;2026;\r\n",
        "kaop_settings": "account_id;year;threshold_green;threshold_amber\r\n"
                         "KA-1;2026;100 %;0\r\nKA-2;2026;0,9;95 %\r\n"})
    first, second = _problems(folder)
    assert (first.row, first.column, first.value, first.message) == (
        2, "threshold_amber", "0", "allowed: an attainment (actual ÷ plan) above 0 and up to 10, e.g. 1 or 100 %")
    assert (second.row, second.column, second.message) == (
        3, "threshold_amber", "above the green threshold 0.9 — allowed: amber ≤ green")


def test_a_header_twice_in_a_workbook_names_both_column_letters(tmp_path):
    path = tmp_path / "twice.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("accounts")
    for j, head in enumerate(["account_id", "name", "region", "plan_year", "Name "]):
        ws.write_string(0, j, head)
    wb.close()
    with pytest.raises(DataBookError) as info:
        read_databook(path)
    assert [p.message for p in info.value.problems] == [
        "B ('name') and E ('Name ') both name column name — allowed: each column once"]
