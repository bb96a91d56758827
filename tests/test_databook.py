"""The data-book reader and writer: the demo data, precise problems, CSV dialects, Parquet, round trips."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kam_xl.databook import (
    TABLES,
    AccountRow,
    DataBook,
    DataBookError,
    Problem,
    demo_databook,
    read_databook,
    write_databook,
)
from kam_xl.errors import KamInputError
from kam_xl.report import account_reports

DEMO_COUNTS = {"accounts": 14, "cdb": 28, "activities": 30, "portfolio": 28, "resources": 17, "regions": 3,
               "kaop_products": 168, "kaop_costs": 420, "kgb": 296, "excellence": 186}

ACCOUNT_ROW = ["A-1", "Alpha Papier AG", "Nord", "Papier", "Jana Petersen", "EUR", 2025, None]


@pytest.fixture(scope="module")
def demo() -> DataBook:
    return demo_databook()


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(DataBookError) as info:
        read_databook(path)
    return info.value.problems


def only_problem(path: Path) -> Problem:
    problems = problems_of(path)
    assert len(problems) == 1, problems
    return problems[0]


# ------------------------------------------------------------------------------------------ demo data


def test_demo_data_has_fourteen_accounts_and_the_documented_row_counts(demo):
    assert [a.account_id for a in demo.accounts] == [f"KA-{i:03d}" for i in range(1, 15)]
    # the demo data has no KAOP goals, measures or thresholds: those tables are absent (None)
    assert {name: len(rows) for name, rows in demo.tables.items() if rows is not None} == DEMO_COUNTS
    first = demo.accounts[0]
    assert (first.name, first.region, first.plan_year, first.supplier_role) == (
        "Papierfabrik Weserbogen AG", "Nord", 2026, "Vorzugslieferant")


def test_demo_data_rows_are_typed(demo):
    cdb = demo.rows_for("cdb", "KA-001", year=2024)
    assert cdb == [{"account_id": "KA-001", "year": 2024, "gross_sales": 4768620.87, "deductions": 218612.40,
                    "product_cost": 2673896.73, "freight": 201753.11, "development_cost": 234170.14,
                    "production_cost": 365768.89, "service_cost": 331736.68, "sales_cost": 470632.38}]
    kgb = demo.table("kgb")[0]
    assert (kgb["weight"], kgb["own"], kgb["rating"]) == (15.0, True, 80.0)
    # the Small Accounts bucket of region Nord (row 7 of resources.csv) has an empty account_id
    assert [r["account_id"] for r in demo.table("resources") if r["region"] == "Nord"] == [
        "KA-001", "KA-002", "KA-003", "KA-004", "KA-005", None]


# ------------------------------------------------------------------------------------ minimal data book


def test_data_book_with_only_accounts_reads_and_reports_have_no_parts(tmp_path, books):
    folder = books.write_csv_folder(tmp_path / "book", {"accounts": [books.accounts_header, ACCOUNT_ROW]})
    db = read_databook(folder)
    assert db.accounts == [AccountRow(account_id="A-1", name="Alpha Papier AG", region="Nord",
                                      business_unit="Papier", kam="Jana Petersen", currency="EUR",
                                      plan_year=2025, supplier_role=None)]
    assert db.tables["accounts"] is not None
    assert {name for name, rows in db.tables.items() if rows is None} == set(TABLES) - {"accounts"}
    [report] = account_reports(db)
    assert (report.account_id, report.name) == ("A-1", "Alpha Papier AG")
    assert (report.cdb, report.kaop, report.kgb, report.portfolio) == (None, None, None, None)


# ------------------------------------------------------------------------------ five mistakes at once


def _assert_five(problems: list[Problem], file: dict[str, str], sheet: bool, cells: bool) -> None:
    assert len(problems) == 5, "\n".join(map(str, problems))
    by = {(p.file, p.column, p.row): p for p in problems}
    assert len(by) == 5

    def get(table: str, column: str, row: int) -> Problem:
        p = by[(file[table], column, row)]
        assert p.sheet == (table if sheet else None)
        return p

    gross = get("cdb", "gross_sales", 3)
    assert (gross.cell, gross.value, gross.message) == ("C3" if cells else None, "viel", "allowed: a number ≥ 0")

    unknown = get("cdb", "account_id", 4)
    assert (unknown.cell, unknown.value) == ("A4" if cells else None, "A-9")
    assert unknown.message == "unknown account — allowed: an account_id of the accounts table"

    weights = get("kgb", "weight", 2)  # the first row of card A-1/Retention
    assert "card A-1/Retention" in weights.message
    assert "sum to 90" in weights.message
    assert "allowed: fractions summing to 1 or points summing to 100" in weights.message

    both = get("kaop_costs", "amount", 3)
    assert both.cell == ("F3" if cells else None)
    assert both.message == "give exactly one of amount and rate_of_revenue"

    rating = get("excellence", "rating", 3)
    assert (rating.cell, rating.value) == ("D3" if cells else None, "60")
    assert rating.message == "allowed: 0, 25, 50, 75, 100 or n.r. (nicht relevant)"


def test_five_mistakes_in_xlsx_give_five_precise_problems(five_mistakes_xlsx):
    problems = problems_of(five_mistakes_xlsx)
    _assert_five(problems, dict.fromkeys(("cdb", "kgb", "kaop_costs", "excellence"), "five.xlsx"),
                 sheet=True, cells=True)
    gross = next(p for p in problems if p.column == "gross_sales")
    assert str(gross) == "five.xlsx, sheet cdb, row 3, column gross_sales (C3): value 'viel': allowed: a number ≥ 0"


def test_five_mistakes_in_csv_folder_give_the_same_five_problems(five_mistakes_csv):
    problems = problems_of(five_mistakes_csv)
    _assert_five(problems, {t: f"{t}.csv" for t in ("cdb", "kgb", "kaop_costs", "excellence")},
                 sheet=False, cells=False)
    unknown = next(p for p in problems if p.column == "account_id")
    assert str(unknown) == ("cdb.csv, row 4, column account_id: value 'A-9': unknown account — allowed: an "
                            "account_id of the accounts table")


def test_the_error_message_lists_every_problem(five_mistakes_xlsx):
    with pytest.raises(DataBookError) as info:
        read_databook(five_mistakes_xlsx)
    text = str(info.value)
    assert text.startswith("5 problem(s) in the data book:\n")
    assert len(text.splitlines()) == 6
    for cell in ("(C3)", "(A4)", "(F3)", "(D3)"):
        assert cell in text


def test_kgb_weight_sum_problem_names_its_cell_in_xlsx(five_mistakes_xlsx):
    weights = next(p for p in problems_of(five_mistakes_xlsx) if p.sheet == "kgb")
    assert (weights.row, weights.column, weights.cell) == (2, "weight", "D2")


def test_one_bad_cost_amount_gives_one_problem(tmp_path, books):
    folder = books.write_csv_folder(tmp_path / "book", {
        "accounts": [books.accounts_header, ACCOUNT_ROW],
        "kaop_costs": [books.kaop_costs_header, ["A-1", 2025, "plan", 1, "freight", "abc", None]]})
    problem = only_problem(folder)
    assert (problem.file, problem.row, problem.column, problem.value) == ("kaop_costs.csv", 2, "amount", "abc")


def test_one_bad_kgb_weight_gives_one_problem(tmp_path, books):
    folder = books.write_csv_folder(tmp_path / "book", {
        "accounts": [books.accounts_header, ACCOUNT_ROW],
        "kgb": [books.kgb_header, ["A-1", "S", "Preis", "abc", "Wir", True, 80],
                ["A-1", "S", "Service", 50, "Wir", True, 80]]})
    problem = only_problem(folder)
    assert (problem.file, problem.row, problem.column, problem.value) == ("kgb.csv", 2, "weight", "abc")


# ---------------------------------------------------------------------------------------- CSV dialects


def test_semicolon_csv_with_decimal_comma_percent_and_german_booleans(tmp_path, books):
    folder = books.write_csv_folder(tmp_path / "book", {
        "accounts": [books.accounts_header, ACCOUNT_ROW],
        "cdb": [books.cdb_header, ["A-1", 2025, "1.234,56", "0,5", 0, 0, 0, 0, 0, 0]],
        "portfolio": [["account_id", "year", "potential", "share_of_wallet", "margin_factor"],
                      ["A-1", 2025, "2.000", "0,25", "1,1"],
                      ["A-1", 2024, "1500", "25 %", None]],
        "kgb": [books.kgb_header,
                ["A-1", "S", "Preis", 100, "Wir", "ja", "80"], ["A-1", "S", "Preis", 100, "Die", "nein", "60"],
                ["A-1", "T", "Preis", 100, "Wir", "WAHR", "70"], ["A-1", "T", "Preis", 100, "Die", "FALSCH", None]],
    }, delimiter=";")
    db = read_databook(folder)
    [cdb] = db.table("cdb")
    assert (cdb["gross_sales"], cdb["deductions"]) == (1234.56, 0.5)
    assert [(r["year"], r["potential"], r["share_of_wallet"], r["margin_factor"]) for r in db.table("portfolio")] \
        == [(2025, 2000.0, 0.25, 1.1), (2024, 1500.0, 0.25, 1.0)]
    assert [(r["segment"], r["supplier"], r["own"], r["rating"]) for r in db.table("kgb")] == [
        ("S", "Wir", True, 80.0), ("S", "Die", False, 60.0), ("T", "Wir", True, 70.0), ("T", "Die", False, None)]


def test_percent_fraction_in_comma_csv(tmp_path, books):
    folder = books.write_csv_folder(tmp_path / "book", {
        "accounts": [books.accounts_header, ACCOUNT_ROW],
        "kaop_costs": [books.kaop_costs_header, ["A-1", 2025, "plan", 1, "freight", None, "20 %"],
                       ["A-1", 2025, "plan", 2, "freight", None, "0.2"]]})
    assert [r["rate_of_revenue"] for r in read_databook(folder).table("kaop_costs")] == [0.2, 0.2]


def test_fraction_above_one_is_a_problem(tmp_path, books):
    folder = books.write_csv_folder(tmp_path / "book", {
        "accounts": [books.accounts_header, ACCOUNT_ROW],
        "portfolio": [["account_id", "year", "potential", "share_of_wallet", "margin_factor"],
                      ["A-1", 2025, 100, "125 %", 1]]})
    problem = only_problem(folder)
    assert (problem.file, problem.row, problem.column, problem.value) == ("portfolio.csv", 2, "share_of_wallet",
                                                                          "125 %")
    assert problem.message == "allowed: a fraction from 0 to 1 (0.25 or 25 %)"


# ---------------------------------------------------------------------------- keys, columns, files


def test_duplicate_key_rows_name_both_rows(tmp_path, books):
    folder = books.write_csv_folder(tmp_path / "book", {
        "accounts": [books.accounts_header, ACCOUNT_ROW],
        "cdb": [books.cdb_header, ["A-1", 2025, 1, 0, 0, 0, 0, 0, 0, 0], ["A-1", 2024, 1, 0, 0, 0, 0, 0, 0, 0],
                ["A-1", 2025, 2, 0, 0, 0, 0, 0, 0, 0]]})
    problem = only_problem(folder)
    assert (problem.file, problem.row) == ("cdb.csv", 4)
    assert problem.message == ("duplicate row for account_id=A-1, year=2025 — first given in row 2; allowed: one "
                               "row each")


def test_duplicate_account_in_xlsx_names_sheet_and_both_rows(tmp_path, books):
    path = books.write_xlsx(tmp_path / "dup.xlsx", {"accounts": [books.accounts_header, ACCOUNT_ROW,
                                                                 ["A-2", "B", "Nord", None, None, None, 2025, None],
                                                                 ACCOUNT_ROW]})
    problem = only_problem(path)
    assert (problem.file, problem.sheet, problem.row) == ("dup.xlsx", "accounts", 4)
    assert "account_id=A-1" in problem.message and "first given in row 2" in problem.message


def test_missing_required_column_names_table_and_column(tmp_path, books):
    header = [c for c in books.cdb_header if c != "gross_sales"]
    folder = books.write_csv_folder(tmp_path / "book", {
        "accounts": [books.accounts_header, ACCOUNT_ROW], "cdb": [header, ["A-1", 2025, 0, 0, 0, 0, 0, 0, 0]]})
    problem = only_problem(folder)
    assert (problem.file, problem.row, problem.column) == ("cdb.csv", 1, None)
    assert problem.message.startswith("table cdb lacks column(s) gross_sales — required: account_id, year, ")


def test_optional_columns_may_be_left_out(tmp_path, books):
    folder = books.write_csv_folder(tmp_path / "book", {
        "accounts": [["account_id", "name", "region", "plan_year"], ["A-1", "Alpha", "Nord", 2025]]})
    assert read_databook(folder).accounts == [AccountRow(account_id="A-1", name="Alpha", region="Nord",
                                                         plan_year=2025, currency="EUR")]


def test_missing_accounts_table_is_a_problem(tmp_path):
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "regions.csv").write_text("region,market_size\nNord,100\n", encoding="utf-8")
    problem = only_problem(folder)
    assert problem.file == "book"
    assert problem.message.startswith("has no accounts table — required: a sheet or file 'accounts' with account_id")


def test_missing_accounts_sheet_in_xlsx_is_a_problem(tmp_path):
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Konten"
    wb.active.append(["account_id"])
    wb.save(path)
    assert only_problem(path).message.startswith("has no accounts table")


def test_missing_accounts_is_reported_together_with_a_damaged_file(tmp_path):
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "cdb.parquet").write_bytes(b"garbage")
    problems = problems_of(folder)
    assert sorted(p.file for p in problems) == ["book", "cdb.parquet"]


def test_path_that_does_not_exist_is_a_problem(tmp_path):
    problem = only_problem(tmp_path / "nowhere.xlsx")
    assert problem.file == str(tmp_path / "nowhere.xlsx")
    assert problem.message.startswith("does not exist — allowed: an .xlsx data book or a folder of CSV files")


def test_txt_file_is_a_problem(tmp_path):
    path = tmp_path / "accounts.txt"
    path.write_text("account_id\n", encoding="utf-8")
    problem = only_problem(path)
    assert problem.file == "accounts.txt"
    assert problem.message.startswith("is not a data book — allowed: an .xlsx/.xlsm workbook")


def test_damaged_xlsx_is_a_problem(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(os.urandom(2048))
    problem = only_problem(path)
    assert problem.file == "broken.xlsx"
    assert problem.message.startswith("cannot be read as a workbook (")
    assert problem.message.endswith("— allowed: an .xlsx with one sheet per table, or a folder of CSV")


def test_csv_in_windows_1252_is_read_and_said(tmp_path, books):
    # issue 9: German Excel's default "CSV (Trennzeichen-getrennt)" is Windows-1252 — read, not refused
    folder = books.write_csv_folder(tmp_path / "book", {"accounts": [books.accounts_header, ACCOUNT_ROW]})
    (folder / "regions.csv").write_bytes("region,market_size\nSüd,100\n".encode("cp1252"))
    db = read_databook(folder)
    assert db.market_sizes() == {"Süd": 100.0}
    assert any(n.startswith("regions.csv: Windows-1252, ','-separated") for n in db.notes)


def test_csv_in_no_known_encoding_is_a_problem(tmp_path, books):
    folder = books.write_csv_folder(tmp_path / "book", {"accounts": [books.accounts_header, ACCOUNT_ROW]})
    (folder / "regions.csv").write_bytes(b"region,market_size\nS\x81d,100\n")  # 0x81: no Windows-1252 character
    problem = only_problem(folder)
    assert problem.file == "regions.csv"
    assert problem.message.startswith("cannot be read as CSV: byte b'\\x81' at position 20 is not UTF-8 nor "
                                      "Windows-1252")


# -------------------------------------------------------------------------------------------- Parquet


def test_parquet_table_in_a_csv_folder_is_read(tmp_path, books):
    folder = books.write_csv_folder(tmp_path / "book", {"accounts": [books.accounts_header, ACCOUNT_ROW]})
    frame = pd.DataFrame([["A-1", 2025, 1000.5, 10.0, 100.0, 10.0, 10.0, 10.0, 10.0, 10.0],
                          ["A-1", 2024, 900.0, 0.0, 90.0, 9.0, 9.0, 9.0, 9.0, 9.0]], columns=books.cdb_header)
    frame.to_parquet(folder / "cdb.parquet")
    db = read_databook(folder)
    assert db.table("cdb") == [dict(zip(books.cdb_header, row, strict=True)) for row in (
        ["A-1", 2025, 1000.5, 10.0, 100.0, 10.0, 10.0, 10.0, 10.0, 10.0],
        ["A-1", 2024, 900.0, 0.0, 90.0, 9.0, 9.0, 9.0, 9.0, 9.0])]
    assert db.cdb_years("A-1") == [2024, 2025]


def test_parquet_problem_names_file_and_row(tmp_path, books):
    folder = books.write_csv_folder(tmp_path / "book", {"accounts": [books.accounts_header, ACCOUNT_ROW]})
    pd.DataFrame([["A-1", 2025, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                  ["A-1", 2024, -5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]],
                 columns=books.cdb_header).to_parquet(folder / "cdb.parquet")
    problem = only_problem(folder)
    assert (problem.file, problem.row, problem.column, problem.value) == ("cdb.parquet", 3, "gross_sales", "-5")


# ------------------------------------------------------------------------------------------- resources


RESOURCES_HEADER = ["region", "account_id", "field_sales_fte", "inside_sales_fte", "tech_service_fte",
                    "communication", "actual_volume", "actual_revenue", "potential"]


def test_empty_account_id_in_resources_is_small_accounts(tmp_path, books):
    folder = books.write_csv_folder(tmp_path / "book", {
        "accounts": [books.accounts_header, ACCOUNT_ROW],
        "regions": [["region", "market_size"], ["Nord", 100]],
        "resources": [RESOURCES_HEADER, ["Nord", "A-1", 1, 0.5, 0.5, 0, 10, 100, 60],
                      ["Nord", None, 1.5, 0, 0, 0, 5, 50, 40]]})
    db = read_databook(folder)
    cells = db.resource_cells()
    assert [(c.region, c.account_id, c.total_fte) for c in cells] == [("Nord", "A-1", 2.0), ("Nord", None, 1.5)]
    assert db.market_sizes() == {"Nord": 100.0}


def test_resources_region_not_in_regions_table_is_a_problem(tmp_path, books):
    folder = books.write_csv_folder(tmp_path / "book", {
        "accounts": [books.accounts_header, ACCOUNT_ROW],
        "regions": [["region", "market_size"], ["Nord", 100], ["Süd", 80]],
        "resources": [RESOURCES_HEADER, ["Nord", "A-1", 1, 0, 0, 0, 10, 100, 60],
                      ["Ost", None, 1, 0, 0, 0, 5, 50, 40]]})
    problem = only_problem(folder)
    assert (problem.file, problem.row, problem.column, problem.value) == ("resources.csv", 3, "region", "Ost")
    assert problem.message == "region not in the regions table — allowed: Nord, Süd"


def test_two_small_accounts_rows_of_one_region_are_duplicates(tmp_path, books):
    folder = books.write_csv_folder(tmp_path / "book", {
        "accounts": [books.accounts_header, ACCOUNT_ROW],
        "resources": [RESOURCES_HEADER, ["Nord", None, 1, 0, 0, 0, 5, 50, 40],
                      ["Nord", None, 1, 0, 0, 0, 5, 50, 40]]})
    problem = only_problem(folder)
    assert (problem.file, problem.row) == ("resources.csv", 3)
    assert "region=Nord, account_id=(empty)" in problem.message and "first given in row 2" in problem.message


# -------------------------------------------------------------------------------------------- writing


@pytest.mark.parametrize("target", ["demo.xlsx", "demo_csv"])
def test_demo_data_round_trips(tmp_path, demo, target):
    written = write_databook(demo, tmp_path / target)
    assert written == tmp_path / target
    if target.endswith(".xlsx"):
        assert written.is_file()
    else:
        assert sorted(p.name for p in written.iterdir()) == sorted(f"{t}.csv" for t in DEMO_COUNTS)
    back = read_databook(written)
    assert back.accounts == demo.accounts
    assert back.tables == demo.tables


def test_writing_into_a_non_empty_folder_is_refused_and_keeps_it(tmp_path, demo):
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(KamInputError, match="already exists"):
        write_databook(demo, folder)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_writing_onto_an_existing_file_is_refused_and_keeps_it(tmp_path, demo):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"old content")
    with pytest.raises(KamInputError, match="already exists"):
        write_databook(demo, path)
    assert path.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]


def test_writing_into_an_empty_folder_is_allowed(tmp_path, books):
    folder = tmp_path / "empty"
    folder.mkdir()
    src = books.write_csv_folder(tmp_path / "src", {"accounts": [books.accounts_header, ACCOUNT_ROW]})
    write_databook(read_databook(src), folder)
    assert [p.name for p in folder.iterdir()] == ["accounts.csv"]
    assert read_databook(folder).accounts[0].name == "Alpha Papier AG"


def test_name_beginning_with_equals_is_written_as_text(tmp_path):
    name = '=HYPERLINK("x")'
    db = DataBook(source="test", accounts=[AccountRow(account_id="A-1", name=name, region="Nord", plan_year=2025)],
                  tables={t: None for t in DEMO_COUNTS})
    path = write_databook(db, tmp_path / "evil.xlsx")
    ws = openpyxl.load_workbook(path)["accounts"]
    assert [c.value for c in ws[1]] == ["account_id", "name", "region", "business_unit", "kam", "currency",
                                        "plan_year", "supplier_role", "status", "target_supplier_role", "kam_span"]
    assert (ws["B2"].value, ws["B2"].data_type) == (name, "s")
    assert [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"] == []
    assert read_databook(path).accounts[0].name == name


def test_csv_guards_formula_like_text_and_reads_it_back(tmp_path):
    names = ['=HYPERLINK("x")', "+49 Papier", "-minus GmbH", "@home AG"]
    db = DataBook(source="test", tables={t: None for t in DEMO_COUNTS},
                  accounts=[AccountRow(account_id=f"A-{i}", name=n, region="Nord", plan_year=2025)
                            for i, n in enumerate(names)])
    folder = write_databook(db, tmp_path / "csv")
    text = (folder / "accounts.csv").read_text(encoding="utf-8")
    # a spreadsheet opening the CSV sees text, never a formula
    assert "'=HYPERLINK" in text and "'+49 Papier" in text and "'-minus GmbH" in text and "'@home AG" in text
    assert [a.name for a in read_databook(folder).accounts] == names
