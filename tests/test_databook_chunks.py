"""Reading a data book some thousand rows at a time, column by column (issue 14): whatever the size of the chunks,
the same rows, the same notes and the same problems in the same order, with the same texts; a CSV file's number
convention decided while it is read, read again when its first rows showed another one; report JSON written in
one pass, the same text as json.dumps."""

from __future__ import annotations

import gc
import json
import random
from pathlib import Path

import pytest

from kam_xl import cycles, sql
from kam_xl import report as rep
from kam_xl.databook import DataBook, DataBookError, demo_databook, parsing, read_databook
from kam_xl.databook import checks as checks_module

ACCOUNTS = "account_id;name;region;business_unit;kam;currency;plan_year;supplier_role\n"
PRODUCTS = "account_id;year;scenario;quarter;product;volume;price;share_of_wallet\n"


def _book(tmp_path: Path, products: str, accounts: str = "A-1;Alpha;Nord;;;EUR;2026;\nA-2;Beta;Süd;;;EUR;2026;\n"
          ) -> Path:
    folder = tmp_path / "book"
    folder.mkdir(exist_ok=True)
    (folder / "accounts.csv").write_text(ACCOUNTS + accounts, encoding="utf-8")
    (folder / "kaop_products.csv").write_text(PRODUCTS + products, encoding="utf-8")
    return folder


def _problems(folder: Path) -> list[str]:
    with pytest.raises(DataBookError) as info:
        read_databook(folder)
    return [str(p) for p in info.value.problems]


#: Rows of kaop_products with mistakes of many kinds between good rows, blank rows among them (file rows 2–21).
BAD_ROWS = [
    "A-1;2026;plan;1;P1;10;2,5;0,5",
    "A-1;2026;plan;5;P2;10;2,5;",          # row 3: quarter 5
    ";;;;;;;",                             # row 4: blank
    "A-1;2026;Planung;1;P3;10;2,5;",       # row 5: not a scenario
    "A-1;2026;plan;2;P1;#DIV/0!;2,5;",     # row 6: an error value as text
    "A-1;2026;plan;2;P2;10;=1+2;",         # row 7: a formula as text in a number column
    "",                                    # row 8: empty line
    "A-9;2026;plan;2;P3;10;2,5;",          # row 9: unknown account
    "A-1;2026;plan;3;;10;2,5;",            # row 10: product empty
    "A-1;2026;plan;3;P2;1.234,5;2,5;",     # row 11: German thousands: fine
    "A-1;2026;plan;3;P3;1,234.5;2,5;",     # row 12: English in a German file
    "A-1;2026;plan;4;P1;-3;2,5;1,5",       # row 13: negative volume, share above 1
    "A-1;2026;plan;4;P2;10;2,5;25 %",      # row 14: fine
    "A-1;2026;plan;4;P3",                  # row 15: short row: volume and price missing
    "A-1;2026;plan;1;P1;10;2,5;",          # row 16: duplicate of row 2's key
    "A-2;2026;actual;1;P1;1 234,5;2,5;",   # row 17: spaces between thousands: fine
    "A-2;2026;actual;1;P2;12 34;2,5;",     # row 18: spaces elsewhere
    "A-2;1800;actual;1;P3;10;2,5;",        # row 19: year out of range
    "A-2;2026;actual;2;'=P4;10;2,5;",      # row 20: a guarded text: the product =P4
    "A-2;2026;actual;2;P5;10;2,5;0,25",    # row 21: fine
]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 2048])
def test_every_chunk_size_gives_the_same_problems_in_file_order(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(parsing, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(checks_module, "KEY_BATCH", chunk)
    shown = _problems(_book(tmp_path, "\n".join(BAD_ROWS) + "\n"))
    assert shown == [
        "kaop_products.csv, row 3, column quarter: value '5': allowed: 1, 2, 3 or 4",
        "kaop_products.csv, row 5, column scenario: value 'Planung': allowed: one of plan, actual",
        "kaop_products.csv, row 6, column volume: value '#DIV/0!': allowed: a number ≥ 0",
        "kaop_products.csv, row 7, column price: value '=1+2': allowed: a number ≥ 0",
        "kaop_products.csv, row 9, column account_id: value 'A-9': unknown account — allowed: an account_id of the "
        "accounts table",
        "kaop_products.csv, row 10, column product: value '': is empty — allowed: a text",
        "kaop_products.csv, row 12, column volume: value '1,234.5': 1,234.5 is no German number, but the file "
        "writes numbers German (decimal comma), e.g. row 2, column price: '2,5'; read the English way it would be "
        "1234.5 — write all numbers of the file one way",
        "kaop_products.csv, row 13, column volume: value '-3': allowed: a number ≥ 0",
        "kaop_products.csv, row 13, column share_of_wallet: value '1,5': allowed: a fraction from 0 to 1 (0.25 or "
        "25 %)",
        "kaop_products.csv, row 15, column volume: value '': is empty — allowed: a number ≥ 0",
        "kaop_products.csv, row 15, column price: value '': is empty — allowed: a number ≥ 0",
        "kaop_products.csv, row 16: duplicate row for account_id=A-1, year=2026, scenario=plan, quarter=1, "
        "product=P1 — first given in row 2; allowed: one row each",
        "kaop_products.csv, row 18, column volume: value '12 34': allowed: a number ≥ 0",
        "kaop_products.csv, row 19, column year: value '1800': allowed: a year such as 2026",
    ]


@pytest.mark.parametrize("chunk", [1, 3, 2048])
def test_every_chunk_size_reads_the_same_rows(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(parsing, "CHUNK_ROWS", chunk)
    good = [r for i, r in enumerate(BAD_ROWS, 2) if i in (2, 4, 8, 11, 14, 17, 20, 21)]
    db = read_databook(_book(tmp_path, "\n".join(good) + "\n"))
    table = db.table("kaop_products")
    assert [(r["account_id"], r["quarter"], r["product"], r["volume"], r["share_of_wallet"]) for r in table] == [
        ("A-1", 1, "P1", 10.0, 0.5), ("A-1", 3, "P2", 1234.5, None), ("A-1", 4, "P2", 10.0, 0.25),
        ("A-2", 1, "P1", 1234.5, None), ("A-2", 2, "=P4", 10.0, None), ("A-2", 2, "P5", 10.0, 0.25)]
    assert db.notes[1] == ("kaop_products.csv: UTF-8, ';'-separated; numbers: the file writes numbers German "
                           "(decimal comma), e.g. row 2, column price: '2,5'")


def test_first_rows_that_show_another_convention_are_read_again_in_the_files_one(tmp_path, monkeypatch):
    # rows 2–3: "1,234" reads 1.234 (German) or 1234 (English); rows 4–7 show English; read two rows at a time,
    # the first chunk is read before any value shows the convention, so the file is read again once it is known
    monkeypatch.setattr(parsing, "CHUNK_ROWS", 2)
    rows = ["A-1;2026;plan;1;P1;1,234;2;", "A-1;2026;plan;2;P1;1,234;2;",
            *(f"A-1;2026;plan;{q};P2;2.5;1.25;0.5" for q in (1, 2, 3, 4))]
    db = read_databook(_book(tmp_path, "\n".join(rows) + "\n"))
    assert [r["volume"] for r in db.table("kaop_products")] == [1234.0, 1234.0, 2.5, 2.5, 2.5, 2.5]
    assert db.notes[1].endswith("numbers: the file writes numbers English (decimal point), e.g. row 4, column "
                                "volume: '2.5'")
    monkeypatch.setattr(parsing, "CHUNK_ROWS", 2048)  # read in one chunk: the same
    again = read_databook(_book(tmp_path, "\n".join(rows) + "\n"))
    assert list(again.table("kaop_products")) == list(db.table("kaop_products")) and again.notes == db.notes


def test_a_minority_convention_is_reported_with_the_files_first_value(tmp_path, monkeypatch):
    monkeypatch.setattr(parsing, "CHUNK_ROWS", 2)  # the German rows come first, the English ones are more
    rows = ["A-1;2026;plan;1;P1;10;2,5;", "A-1;2026;plan;2;P1;10;2,5;",
            *(f"A-1;2026;plan;{q};P2;10;1.25;0.5" for q in (1, 2, 3, 4))]
    assert _problems(_book(tmp_path, "\n".join(rows) + "\n")) == [
        f"kaop_products.csv, row {n}, column price: value '2,5': 2,5 is no English number, but the file writes "
        "numbers English (decimal point), e.g. row 4, column price: '1.25'; read the German way it would be 2.5 — "
        "write all numbers of the file one way" for n in (2, 3)]


def test_a_csv_file_broken_mid_way_is_one_problem_and_no_table(tmp_path, monkeypatch):
    monkeypatch.setattr(parsing, "CHUNK_ROWS", 2)
    rows = ["A-1;2026;plan;1;P1;10;2,5;", "A-1;2026;plan;2;P1;10;2,5;", "A-1;2026;plan;3;P1;10;2,5;",
            "A-1;2026;plan;4;" + "x" * 200_000 + ";10;2,5;", "A-1;2026;plan;4;P1;-1;2,5;"]
    assert _problems(_book(tmp_path, "\n".join(rows) + "\n")) == [
        "kaop_products.csv: cannot be read as CSV (field larger than field limit (131072)) — allowed: a text file "
        "of rows separated by ';', ',' or TAB"]


def test_a_database_problem_names_the_key_of_its_own_row_among_many(tmp_path):
    url = f"sqlite:///{tmp_path / 'book.db'}"
    sql.create_tables(url)
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.begin() as conn:
        conn.execute(meta.tables["accounts"].insert(), [
            {"account_id": f"A-{i}", "name": f"Konto {i}", "region": "Nord", "plan_year": 2026} for i in (1, 2, 3)])
        conn.execute(meta.tables["portfolio"].insert(), [
            {"account_id": f"A-{i}", "year": 2026, "potential": 100.0, "share_of_wallet": s}
            for i, s in ((1, 1.5), (2, 0.5), (3, 0.25))])
    engine.dispose()
    with pytest.raises(DataBookError) as info:
        read_databook(url)
    assert [str(p) for p in info.value.problems] == [
        f"{sql.reference(url)}, table portfolio, row 1, column share_of_wallet (account_id=A-1, year=2026): value "
        "'1.5': allowed: a fraction from 0 to 1 (0.25 or 25 %)"]


def test_the_cyclic_collector_is_paused_while_reading_and_left_as_it_was():
    assert gc.isenabled()
    with cycles.paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), cycles.paused():
        raise KeyError("x")
    assert gc.isenabled()  # also after an error
    gc.disable()
    try:
        with cycles.paused():
            pass
        assert not gc.isenabled()  # paused by someone else before: still paused
    finally:
        gc.enable()


def test_columns_of_an_accounts_rows_are_those_of_its_row_dicts():
    demo = demo_databook()
    for account in demo.accounts:
        aid = account.account_id
        rows = demo.rows_for("kaop_costs", aid, scenario="plan")
        assert demo.columns_for("kaop_costs", aid, ("category", "amount"), scenario="plan") == [
            [r["category"] for r in rows], [r["amount"] for r in rows]]
        assert demo.has_rows("kgb", aid) == bool(demo.rows_for("kgb", aid))
    assert not demo.has_rows("kgb", "KA-999") and demo.columns_for("kgb", "KA-999", ("own",)) == [[]]
    plain = DataBook(source="x", accounts=[], tables={"kgb": [{"account_id": "A", "own": True}], "cdb": None})
    assert plain.has_rows("kgb", "A") and not plain.has_rows("cdb", "A")
    assert plain.columns_for("kgb", "A", ("own",)) == [[True]]


def _random_json(rng: random.Random, depth: int = 0) -> object:
    pick = rng.randrange(9 if depth < 4 else 5)
    if pick == 0:
        return rng.choice([None, True, False, 0, -7, 10**20])
    if pick == 1:
        return rng.choice([0.1 + 0.2, -0.0, 1e-07, -1e-12, 249866.40000000002, 1e22, float("nan"), float("inf"),
                           rng.uniform(-1e6, 1e6)])
    if pick == 2:
        return "".join(rng.choice('aÄ€"\\\n\t\x01 /ü😀') for _ in range(rng.randrange(6)))
    if pick in (3, 4):
        return rng.random()
    if pick in (5, 6):
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["a", "b", "ü", 3, 2.5, None]): _random_json(rng, depth + 1) for _ in range(rng.randrange(4))}


def test_report_json_is_the_text_json_dumps_writes():
    rng = random.Random(14)
    for _ in range(500):
        value = _random_json(rng)
        for level in (0, 1, 3):
            expected = json.dumps(rep.to_jsonable(value), indent=2, ensure_ascii=False)
            assert rep.json_text(value, level=level) == expected.replace("\n", "\n" + "  " * level)
    reports = rep.account_reports(demo_databook())
    streamed = "".join(rep.iter_json_array(reports))
    assert streamed == json.dumps(rep.to_jsonable(reports), indent=2, ensure_ascii=False)
    assert json.loads(streamed)[0]["account_id"] == reports[0].account_id
    with pytest.raises(TypeError):
        rep.json_text({"when": object()})
    assert rep.json_text([float("nan"), -0.0, 1 / 3]) == "[\n  null,\n  0.0,\n  0.333333\n]"
