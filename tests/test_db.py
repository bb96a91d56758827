"""The data book in SQLite and PostgreSQL (issue 13): read, written, initialised, collected into — against real
databases: SQLite files and the PostgreSQL server ``.ci/run`` starts (``KAM_XL_TEST_PG_URL``)."""

from __future__ import annotations

import os
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from kam_xl import sql
from kam_xl.batch import FINGERPRINT, data_fingerprint, databook_reference, generate_all
from kam_xl.cli import app
from kam_xl.databook import DataBookError, demo_databook, read_databook, write_databook
from kam_xl.databook.schema import registered_tables
from kam_xl.package import xlsx_meta

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
PG_DEFAULT = "postgresql+psycopg://kam_test:kam_test@127.0.0.1:5432/kam_test"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


# ------------------------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def pg_server() -> str:
    """The PostgreSQL URL of the test server; fails (never skips silently) when it cannot be reached. Only
    ``KAM_XL_SKIP_PG=1`` outside CI skips, by name."""
    url = os.environ.get("KAM_XL_TEST_PG_URL", PG_DEFAULT)
    if os.environ.get("KAM_XL_SKIP_PG") == "1" and os.environ.get("CI") != "true":
        pytest.skip("KAM_XL_SKIP_PG=1: PostgreSQL tests opted out explicitly")
    try:
        with sa.create_engine(url).connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as e:
        pytest.fail(f"PostgreSQL not reachable at {sql.reference(url)} ({sql.why(e, url)}). Start it: "
                    "pg_ctlcluster --skip-systemctl-redirect 15 main start, then create the role and database as "
                    ".ci/run does (or set KAM_XL_TEST_PG_URL); outside CI, KAM_XL_SKIP_PG=1 opts out.")
    return url


@pytest.fixture
def pg(pg_server: str) -> Iterator[str]:
    """A fresh schema on the test server for one test, dropped afterwards: ``URL#schema=NAME``."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    yield sql.with_schema(pg_server, schema)
    with sa.create_engine(pg_server).begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def _parts(path: Path, reference: str, fp: str) -> dict[str, bytes]:
    """The parts of an .xlsx with the data book's reference (the one field that differs by source) and the data
    fingerprint in ``_meta`` (a hash over the data and that reference) replaced."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).replace(reference.encode(), b"<data book>").replace(fp.encode(), b"<fp>")
                for n in z.namelist()}


def _plans(data: str | None, out: Path) -> tuple[dict[str, dict[str, bytes]], dict[str, str]]:
    """Every plan generated from ``data``: its parts (:func:`_parts`) by file name, and the fingerprint of its
    account's data with the reference aside by account — each plan's recorded fingerprint checked to be the one
    of that data and this source's reference, nothing else."""
    results = list(generate_all(data, out, now=NOW))
    assert {r.status for r in results} == {"new"}
    ref, db = databook_reference(data), read_databook(data)
    parts, of_data = {}, {}
    for r in results:
        recorded = xlsx_meta(r.path)[FINGERPRINT]
        assert recorded == data_fingerprint(db, r.account_id, ref, "de"), r.path.name
        parts[r.path.name], of_data[r.account_id] = _parts(r.path, ref, recorded), data_fingerprint(
            db, r.account_id, "<data book>", "de")
    return parts, of_data


def _insert(url: str, table: str, rows: list[dict]) -> None:
    db = sql.database(url)
    md = sql.metadata(db.schema)
    with sql.engine(db).begin() as conn:
        conn.execute(md.tables[f"{db.schema}.{table}" if db.schema else table].insert(), rows)


# ---------------------------------------------------------------------------------------------------- tests

def test_a_path_ending_in_db_or_a_url_is_a_database() -> None:
    assert sql.is_database("kam.db") and sql.is_database("x/kam.sqlite3") and sql.is_database("sqlite:///k.db")
    assert not sql.is_database("kam.xlsx") and not sql.is_database("daten")
    assert sql.reference("postgresql://kam:s3cret@db.example/erp") == "postgresql+psycopg://db.example/erp"
    assert databook_reference("postgresql+psycopg://kam:s3cret@db:5432/erp#schema=x") == \
        "postgresql+psycopg://db:5432/erp#schema=x"


def test_csv_sqlite_and_postgresql_give_the_same_reports_and_plans(tmp_path: Path, pg: str) -> None:
    csv = write_databook(demo_databook(), tmp_path / "csv")
    lite = tmp_path / "kam.db"
    assert run("demo-data", str(lite)).exit_code == 0
    url, schema = pg.split("#schema=")
    assert run("demo-data", url, "--db-schema", schema).exit_code == 0
    shown = {}
    for what in ("accounts", "resources", "excellence"):
        outs = [run("report", "--data", d, *extra, "--what", what, "--format", "json")
                for d, extra in ((str(csv), ()), (f"sqlite:///{lite}", ()), (url, ("--db-schema", schema)))]
        assert [o.exit_code for o in outs] == [0, 0, 0]
        assert outs[0].stdout == outs[1].stdout == outs[2].stdout
        shown[what] = outs[0].stdout
    assert '"account_id": "KA-014"' in shown["accounts"] and '"Dr. Claudia Reimann"' in shown["excellence"]
    by_csv, by_lite, by_pg = (_plans(d, tmp_path / n) for d, n in ((str(csv), "p1"), (str(lite), "p2"), (pg, "p3")))
    assert len(by_csv[0]) == 14 and by_csv[0] == by_lite[0] == by_pg[0]  # every part, reference and its hash aside
    assert by_csv[1] == by_lite[1] == by_pg[1]  # the same account data from all three, to the last digit


def test_the_data_book_reference_of_a_database_has_no_credentials(tmp_path: Path, pg: str) -> None:
    assert run("demo-data", pg.split("#schema=")[0], "--db-schema", pg.split("#schema=")[1]).exit_code == 0
    (result,) = [r for r in generate_all(pg, tmp_path, now=NOW) if r.account_id == "KA-001"]
    with zipfile.ZipFile(result.path) as z:
        text = b"".join(z.read(n) for n in z.namelist())
    assert b"kam_test:kam_test" not in text and b"postgresql+psycopg://127.0.0.1:5432/kam_test#schema=t_" in text


def test_db_init_creates_typed_tables_with_keys_and_the_foreign_key(pg: str) -> None:
    url, schema = pg.split("#schema=")
    r = run("db", "init", url, "--db-schema", schema)
    tables = len(registered_tables())  # the core tables, the settings and every sheet kind's own
    assert r.exit_code == 0 and f"{tables} table(s) created" in r.stdout and "kam_test:kam_test" not in r.stdout
    insp = sa.inspect(sa.create_engine(url))
    assert insp.get_pk_constraint("cdb", schema=schema)["constrained_columns"] == ["account_id", "year"]
    assert insp.get_pk_constraint("activities", schema=schema)["constrained_columns"] == ["row_no"]
    assert insp.get_pk_constraint("resources", schema=schema)["constrained_columns"] == ["row_no"]
    (fk,) = insp.get_foreign_keys("cdb", schema=schema)
    assert fk["referred_table"] == "accounts" and fk["constrained_columns"] == ["account_id"]
    types = {c["name"]: str(c["type"]) for c in insp.get_columns("cdb", schema=schema)}
    assert types["year"] == "INTEGER" and types["gross_sales"] == "DOUBLE PRECISION"
    again = run("db", "init", url, "--db-schema", schema)
    assert again.exit_code == 0 and "0 table(s) created — all existed" in again.stdout
    _insert(pg, "accounts", [{"account_id": "A-1", "name": "Alpha", "region": "Nord", "plan_year": 2026}])
    with pytest.raises(sa.exc.IntegrityError):  # an orphan cdb row: the foreign key refuses it
        _insert(pg, "cdb", [{"account_id": "A-9", "year": 2026, **dict.fromkeys(sql_amounts(), 1.0)}])


def sql_amounts() -> list[str]:
    return ["gross_sales", "deductions", "product_cost", "freight", "development_cost", "production_cost",
            "service_cost", "sales_cost"]


def _five_mistakes(url: str) -> None:
    """A data book loaded into db-init tables with five mistakes the column types let through."""
    sql.create_tables(url)
    _insert(url, "accounts", [{"account_id": "A-1", "name": "Alpha Papier AG", "region": "Nord", "plan_year": 2026},
                              {"account_id": "A-2", "name": "Beta Karton", "region": "Süd", "plan_year": 2026}])
    amounts = dict.fromkeys(sql_amounts(), 10.0)
    _insert(url, "cdb", [{"account_id": "A-1", "year": 2026, **amounts},
                         {"account_id": "A-2", "year": 2026, **amounts, "gross_sales": -5.0}])       # 1
    _insert(url, "portfolio", [{"account_id": "A-1", "year": 2026, "potential": 1000.0,
                                "share_of_wallet": 1.5}])                                            # 2
    _insert(url, "kaop_products", [{"account_id": "A-1", "year": 2026, "scenario": "forecast", "quarter": 1,
                                    "product": "AKD", "volume": 1.0, "price": 2.0}])                 # 3
    _insert(url, "kaop_costs", [{"account_id": "A-2", "year": 2026, "scenario": "plan", "quarter": 5,
                                 "category": "freight", "amount": 100.0}])                           # 4
    _insert(url, "activities", [{"row_no": 7, "account_id": "A-1", "year": 2026, "activity": "Audit",
                                 "stage": "Stufe 9", "driver_quantity": 2.0, "cost_rate": 50.0}])    # 5


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_five_mistakes_in_a_database_are_five_problems_naming_table_key_and_column(
        kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = f"sqlite:///{tmp_path / 'five.db'}" if kind == "sqlite" else request.getfixturevalue("pg")
    _five_mistakes(url)
    with pytest.raises(DataBookError) as e:
        read_databook(url)
    shown = [str(p) for p in e.value.problems]
    ref = sql.reference(url)
    assert shown == [
        f"{ref}, table cdb, row 2, column gross_sales (account_id=A-2, year=2026): value '-5': allowed: a number ≥ 0",
        f"{ref}, table activities, row 1, column stage (row_no=7): value 'Stufe 9': allowed: one of "
        "development, production, service, sales",
        f"{ref}, table portfolio, row 1, column share_of_wallet (account_id=A-1, year=2026): value '1.5': "
        "allowed: a fraction from 0 to 1 (0.25 or 25 %)",
        f"{ref}, table kaop_products, row 1, column scenario (account_id=A-1, year=2026, scenario=forecast, "
        "quarter=1, product=AKD): value 'forecast': allowed: one of plan, actual",
        f"{ref}, table kaop_costs, row 1, column quarter (account_id=A-2, year=2026, scenario=plan, quarter=5, "
        "category=freight): value '5': allowed: 1, 2, 3 or 4",
    ]
    r = run("report", "--data", url)
    assert r.exit_code == 2 and "5 problem(s)" in r.stderr and "kam_test:kam_test" not in r.stdout + r.stderr


def test_an_unreachable_server_is_one_problem_without_the_password() -> None:
    url = "postgresql+psycopg://kam:Geheim-42@127.0.0.1:1/erp"
    with pytest.raises(DataBookError) as e:
        read_databook(url)
    (p,) = e.value.problems
    assert str(p).startswith("postgresql+psycopg://127.0.0.1:1/erp: cannot be read — ") and "Geheim-42" not in str(p)
    r = run("generate", "--data", url, "--out", "nowhere")
    assert r.exit_code == 1 and "Geheim-42" not in r.stdout + r.stderr and not Path("nowhere").exists()


def test_a_sqlite_file_that_is_not_there_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(DataBookError, match="does not exist"):
        read_databook(tmp_path / "fehlt.db")
    assert not (tmp_path / "fehlt.db").exists()


def test_demo_data_refuses_a_database_that_holds_a_data_book(tmp_path: Path) -> None:
    assert run("demo-data", str(tmp_path / "kam.db")).exit_code == 0
    r = run("demo-data", str(tmp_path / "kam.db"))
    assert r.exit_code == 2 and "already holds a data book (rows in accounts" in r.stderr


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_collect_to_db_replaces_the_accounts_it_read_and_a_failure_changes_nothing(
        kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    target = f"sqlite:///{tmp_path / 'out.db'}" if kind == "sqlite" else request.getfixturevalue("pg")
    url, _, schema = target.partition("#schema=")
    extra = ("--db-schema", schema) if schema else ()
    plans = tmp_path / "plans"
    list(generate_all(None, plans, now=NOW))
    first = run("collect", str(plans), "--to-db", url, *extra)
    assert "Zeilen ersetzt — Kunden: 14," in " ".join(first.stdout.split())
    assert "kam_test:kam_test" not in first.stdout + first.stderr
    eng = sa.create_engine(url)
    q = f"{schema}." if schema else ""

    def state() -> list[tuple]:
        with eng.connect() as c:
            return [tuple(r) for r in c.execute(sa.text(
                f"SELECT account_id, year, gross_sales, source_file, collected_at FROM {q}collected_cdb "
                "ORDER BY account_id"))]

    rows = state()
    assert len(rows) == 14 and rows[0][:4] == ("KA-001", 2025, 4532728.21, "KA-001_Papierfabrik_Weserbogen_AG.xlsx")
    assert isinstance(rows[0][2], float)
    second = run("collect", str(plans), "--to-db", url, *extra)  # the same accounts again: replaced, not added
    again = state()
    assert len(again) == 14 and again[0][4] != rows[0][4]
    with eng.begin() as c:  # a table of an older layout: inserting into it fails mid-run
        c.execute(sa.text(f"ALTER TABLE {q}collected_kgb DROP COLUMN rating"))
    failed = run("collect", str(plans), "--to-db", url, *extra)
    assert failed.exit_code == 2 and "nothing written, the database is as before" in failed.stderr
    assert "rating" in failed.stderr and state() == again  # cdb rows were replaced in the run, then rolled back
    assert second.exit_code == first.exit_code


def test_collect_to_db_credits_the_controllers_inputs_to_the_controller(tmp_path: Path) -> None:
    """A user's trial: the selection and coordination ratings typed on the controller were written with a plan's
    file as their source_file — a file that holds no such input. Their source is the controller."""
    from shared import type_values

    plans = tmp_path / "plans"
    assert run("generate", "--out", str(plans)).exit_code == 0
    type_values(plans / "Controller.xlsm", {("sel_ratings", 0, 0): 80})
    url = f"sqlite:///{tmp_path / 'out.db'}"
    result = run("collect", str(plans), "--to-db", url)
    assert result.exit_code == 0, result.output
    # the counts after a colon ("Zeilen von 3 Befragte" wanted a case the counted word does not have)
    assert f"Datenbank {url}: Zeilen ersetzt — Kunden: 14, Befragte: 0 — collected_accounts 14" \
        in " ".join(result.output.split())
    with sa.create_engine(url).connect() as c:
        def sources(table: str) -> set[str]:
            return {r[0] for r in c.execute(sa.text(f"SELECT DISTINCT source_file FROM collected_{table}"))}

        assert sources("selection") == sources("coordination") == {"Controller.xlsm"}
        assert all(s.startswith("KA-") and s.endswith(".xlsx") for s in sources("cdb"))
        assert 80 in {r[0] for r in c.execute(sa.text("SELECT rating FROM collected_selection"))}


def test_the_readme_shows_the_ddl_db_init_runs() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    shown = readme.split("```sql\n", 1)[1].split("```", 1)[0].strip()
    assert shown.startswith("CREATE TABLE cdb (") and shown in sql.ddl("postgresql")
