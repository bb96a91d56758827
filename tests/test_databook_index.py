"""Reading a data book fast: a column parses a repeated text once — yet every bad or missing cell is still a
problem of its own row —, rows of one account are found through the account index (filtered on their stored
values), and a data book cut down to some accounts (what a worker of ``generate --jobs`` needs) holds exactly
their rows."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from kam_xl.databook import DataBook, DataBookError, TableRows, demo_databook, read_databook
from kam_xl.databook.parsing import CACHED_TEXTS

ACCOUNTS = "account_id;name;region;business_unit;kam;currency;plan_year;supplier_role\n"
PRODUCTS = "account_id;year;scenario;quarter;product;volume;price;share_of_wallet\n"


@pytest.fixture(scope="module")
def demo() -> DataBook:
    return demo_databook()


def _book(tmp_path: Path, products: str, accounts: str = "A-1;Alpha;Nord;;;EUR;2026;\n"
                                                          "A-2;Beta;Süd;;;EUR;2026;\n") -> Path:
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "accounts.csv").write_text(ACCOUNTS + accounts, encoding="utf-8")
    (folder / "kaop_products.csv").write_text(PRODUCTS + products, encoding="utf-8")
    return folder


def _problems(folder: Path) -> list[tuple[int | None, str | None, str | None]]:
    with pytest.raises(DataBookError) as info:
        read_databook(folder)
    return [(p.row, p.column, p.value) for p in info.value.problems]


def test_a_bad_value_repeated_on_many_rows_is_a_problem_on_each(tmp_path):
    # rows 2–4 hold the same wrong quarter "5", row 5 a good one: three problems, one per row
    rows = "".join(f"A-1;2026;plan;{q};P{i};10;2,5;\n" for i, q in enumerate(("5", "5", "5", "1")))
    assert _problems(_book(tmp_path, rows)) == [(2, "quarter", "5"), (3, "quarter", "5"), (4, "quarter", "5")]


def test_a_required_cell_left_empty_on_many_rows_is_a_problem_on_each(tmp_path):
    # product empty (required) on rows 2 and 4, filled on row 3; share_of_wallet empty (optional) everywhere
    rows = "A-1;2026;plan;1;;10;2,5;\nA-1;2026;plan;2;P;10;2,5;\nA-1;2026;plan;3; ;10;2,5;\n"
    assert _problems(_book(tmp_path, rows)) == [(2, "product", ""), (4, "product", "")]


def test_repeated_texts_read_as_the_first_time_also_beyond_the_remembered_ones(tmp_path):
    # more distinct prices than a column remembers, each on two rows: every value read as written
    n = CACHED_TEXTS + 50
    rows = "".join(f"A-{1 + i % 2};2026;plan;{1 + i % 4};P{i};{i};{i},5;0,{i % 10}\n" for i in range(n))
    rows += "".join(f"A-{1 + i % 2};2026;actual;{1 + i % 4};P{i};{i};{i},5;\n" for i in range(n))
    db = read_databook(_book(tmp_path, rows))
    table = db.table("kaop_products")
    assert len(table) == 2 * n
    assert [r["price"] for r in table] == [i + 0.5 for i in range(n)] * 2
    assert [r["share_of_wallet"] for r in table] == [(i % 10) / 10 for i in range(n)] + [None] * n
    assert table[n + 7] == {"account_id": "A-2", "year": 2026, "scenario": "actual", "quarter": 4, "product": "P7",
                            "volume": 7.0, "price": 7.5, "share_of_wallet": None}


def test_rows_and_years_of_an_account_are_those_a_scan_of_all_rows_finds(demo):
    for aid in [a.account_id for a in demo.accounts]:
        for scenario in ("plan", "actual"):
            scan = [r for r in demo.table("kaop_products") if r["account_id"] == aid and r["scenario"] == scenario]
            assert demo.rows_for("kaop_products", aid, scenario=scenario) == scan
            years = {r["year"] for name in ("kaop_products", "kaop_costs") for r in demo.table(name)
                     if r["account_id"] == aid and r["scenario"] == scenario}
            assert demo.kaop_years(aid, scenario) == sorted(years)
        assert demo.cdb_years(aid) == sorted({r["year"] for r in demo.table("cdb") if r["account_id"] == aid})
    assert demo.values_for("cdb", "year", "KA-999") == []
    # an empty cell matched as None: the rows whose rate_of_revenue is empty (an amount given instead)
    costs = demo.rows_for("kaop_costs", "KA-001", rate_of_revenue=None)
    assert costs and costs == [r for r in demo.table("kaop_costs")
                               if r["account_id"] == "KA-001" and r["rate_of_revenue"] is None]


def test_a_data_book_for_some_accounts_holds_exactly_their_rows(demo):
    wanted = ["KA-003", "KA-001"]
    part = demo.for_accounts(wanted)
    assert [a.account_id for a in part.accounts] == ["KA-001", "KA-003"]  # in data order
    for name, table in demo.tables.items():
        if table is None:
            assert part.tables[name] is None
            continue
        if not table or "account_id" not in table[0]:
            assert part.tables[name] is table  # regions, excellence, settings …: shared as they are
            continue
        kept = [r for r in table if r["account_id"] in wanted or r["account_id"] is None]
        assert isinstance(part.tables[name], TableRows) and part.tables[name] == kept, name
    for aid in wanted:
        assert part.cdb_years(aid) == demo.cdb_years(aid) != []
        assert part.cdb_input(aid, demo.cdb_years(aid)[-1]) == demo.cdb_input(aid, demo.cdb_years(aid)[-1])
        assert part.kgb_cards(aid) == demo.kgb_cards(aid)
        assert part.kaop_rows(aid, 2026, "plan") == demo.kaop_rows(aid, 2026, "plan")
    assert part.rows_for("kgb", "KA-002") == []
    small = len(pickle.dumps(part))
    assert small < len(pickle.dumps(demo)) / 3  # 2 of 14 accounts
    assert pickle.loads(pickle.dumps(part)).tables == part.tables


def test_a_copy_with_other_accounts_or_rows_is_not_served_from_the_original_index(demo):
    """``model_copy(update=…)`` copies the private indexes: the copy must answer from its own lists."""
    db = demo
    first = db.accounts[0]
    db.account(first.account_id)  # build the index on the original
    renamed = first.model_copy(update={"name": "Umbenannt GmbH"})
    copy = db.model_copy(update={"accounts": [renamed, *db.accounts[1:]]})
    assert copy.account(first.account_id).name == "Umbenannt GmbH"
    assert db.account(first.account_id).name == first.name
    rows = [{"account_id": first.account_id, "x": 1}]
    db.rows_for("probe", first.account_id)
    copy2 = db.model_copy(update={"tables": {**db.tables, "probe": rows}})
    assert copy2.rows_for("probe", first.account_id) == rows


def test_an_index_by_column_gives_each_values_rows_in_order_of_first_row() -> None:
    """A value's rows that are one run come as a range (kept as two bounds), a value found in two runs as all
    its rows; the values in the order of their first row, None (a row without an account) a value too."""
    from array import array

    t = TableRows.empty(("account_id",), ("text",))
    for aid in ("KA-2", "KA-2", "KA-1", "KA-2", None, "KA-3", "KA-3", "KA-3"):
        t.append((aid,))
    index = t.index_by("account_id")
    assert list(index) == ["KA-2", "KA-1", None, "KA-3"] and len(index) == 4
    assert {k: list(v) for k, v in index.items()} == {"KA-2": [0, 1, 3], "KA-1": [2], None: [4], "KA-3": [5, 6, 7]}
    assert index["KA-3"] == range(5, 8) and isinstance(index["KA-2"], array)
    assert "KA-1" in index and "KA-9" not in index and index.get("KA-9", ()) == ()
    assert t.index_by("account_id") is index  # built once, kept
    with pytest.raises(KeyError):
        index["KA-9"]
