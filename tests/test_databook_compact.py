"""The data book as read is held in compact columns (TableRows) that read like lists of dicts; CSV files are
read row by row."""

from __future__ import annotations

import pickle
from array import array

import pytest

from kam_xl.databook import DataBook, DataBookError, TableRows, demo_databook, read_databook, write_databook

ACCOUNTS = "account_id,name,region,business_unit,kam,currency,plan_year,supplier_role\n"


@pytest.fixture(scope="module")
def demo() -> DataBook:
    return demo_databook()


def test_tables_as_read_are_compact_columns_that_read_like_lists_of_dicts(demo):
    kgb = demo.tables["kgb"]
    assert isinstance(kgb, TableRows)
    rows = list(kgb)
    assert kgb == rows and rows == kgb[:] and len(kgb) == 296
    assert kgb[0] == rows[0] and kgb[-1] == rows[-1]
    assert kgb[0] is not kgb[0]  # a fresh dict each time: changing it never changes the data book
    assert rows[0] == {"account_id": "KA-001", "segment": "Retentionssysteme",
                       "criterion": "Leistungsfähigkeit des Systems", "weight": 15.0, "supplier": "Rheinauen",
                       "own": True, "rating": 80.0}
    with pytest.raises(IndexError):
        kgb[296]
    numeric = [c for c in kgb.columns if isinstance(c, array)]
    assert {c.typecode for c in numeric} == {"d", "b"}  # weight, rating (floats); own (bool)


def test_empty_cells_read_back_as_none_and_margin_factor_defaults_to_one(demo):
    resources = demo.table("resources")
    assert [r["account_id"] for r in resources if r["region"] == "Nord"][-1] is None
    costs = demo.table("kaop_costs")  # an amount or a rate of revenue: the other is empty
    assert all((r["amount"] is None) != (r["rate_of_revenue"] is None) for r in costs)
    assert {r["amount"] is None for r in costs} == {True, False}
    assert all(r["margin_factor"] is not None for r in demo.table("portfolio"))


def test_rows_for_filters_by_account_and_columns_like_before(demo):
    plan = demo.rows_for("kaop_products", "KA-001", scenario="plan", year=2026)
    assert plan and {(r["account_id"], r["scenario"], r["year"]) for r in plan} == {("KA-001", "plan", 2026)}
    every = [r for r in demo.table("kaop_products")
             if (r["account_id"], r["scenario"], r["year"]) == ("KA-001", "plan", 2026)]
    assert plan == every
    assert demo.rows_for("kaop_products", "KA-999") == []
    assert demo.account("KA-002").account_id == "KA-002"
    with pytest.raises(KeyError):
        demo.account("KA-999")


def test_a_data_book_as_read_pickles_and_copies_into_a_plain_one(demo):
    back = pickle.loads(pickle.dumps(demo))
    assert back.tables == demo.tables
    plain = DataBook(source="copy", accounts=demo.accounts, tables=dict(demo.tables))  # validated: lists
    assert isinstance(plain.tables["kgb"], list) and plain.tables["kgb"] == demo.tables["kgb"]


def test_a_quoted_line_break_inside_a_csv_field_stays_in_the_field(tmp_path):
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "accounts.csv").write_text(ACCOUNTS + 'A-1,"Alpha\nPapier AG",Nord,,,EUR,2025,\n', encoding="utf-8")
    [account] = read_databook(folder).accounts
    # one field, not a broken row; the one text rule (kam_xl.text.clean_text) folds the line break to a space
    assert account.name == "Alpha Papier AG"


def test_a_bad_byte_late_in_a_large_csv_is_one_problem_for_the_file(tmp_path):
    folder = tmp_path / "book"
    folder.mkdir()
    rows = "".join(f"A-{i},Kunde {i},Nord,,,EUR,2025,\n" for i in range(1, 2001))  # ~60 KB: read in chunks
    # UTF-8 (the umlaut of Müller) with one Windows-1252 byte late: mixed encodings, refused for the file
    (folder / "accounts.csv").write_bytes((ACCOUNTS + "A-0,Müller,Nord,,,EUR,2025,\n" + rows).encode()
                                          + "A-x,Südzucker,Nord,,,EUR,2025,\n".encode("cp1252"))
    with pytest.raises(DataBookError) as info:
        read_databook(folder)
    files = [(p.file, p.message.split(" — ")[0]) for p in info.value.problems]
    assert ("accounts.csv", "cannot be read as CSV: it mixes encodings") in files
    assert all(f != "accounts.csv" or m == "cannot be read as CSV: it mixes encodings" for f, m in files)


def test_written_and_read_again_the_tables_are_equal(tmp_path, demo):
    back = read_databook(write_databook(demo, tmp_path / "csv"))
    assert back.tables == demo.tables
    assert all(isinstance(t, TableRows) for t in back.tables.values() if t is not None)
