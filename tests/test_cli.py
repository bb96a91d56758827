"""The ``kam-xl`` command line: report views, JSON output, exit codes, demo-data."""

from __future__ import annotations

import csv
import io
import json
import re
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

import pytest
from babel.numbers import format_decimal, format_percent
from rich.console import Console
from typer.testing import CliRunner

from kam_xl import report as rep
from kam_xl.cli import What, app
from kam_xl.databook import demo_databook

runner = CliRunner()
DEMO_IDS = [f"KA-{i:03d}" for i in range(1, 15)]
N_CRITERIA = 62


def run(*args: str):
    return runner.invoke(app, list(args))


def run_json(*args: str):
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def demo_accounts_json():
    return run_json("report")


# ------------------------------------------------------------------------------------------ accounts


def test_report_table_lists_all_demo_accounts():
    result = run("report")
    assert result.exit_code == 0, result.output
    for aid in DEMO_IDS:
        assert aid in result.stdout
    assert "Big Step or Out" in result.stdout  # KA-009 loses money (see the JSON test)


def test_report_table_big_step_or_out_list_wraps_at_the_output_width(tmp_path, monkeypatch):
    # at 1,000 accounts the list was one line of 3,159 characters; here a data book whose every account loses money
    from kam_xl import cli
    from kam_xl.databook import demo_databook, write_databook

    write_databook(demo_databook(), tmp_path / "db")
    cdb = tmp_path / "db" / "cdb.csv"
    text = cdb.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0])
    rows = list(csv.reader(text.splitlines(), dialect))
    at = rows[0].index("gross_sales")
    for row in rows[1:]:
        row[at] = "1"  # every account's sales almost nil: each CDB III negative
    with cdb.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, dialect).writerows(rows)
    monkeypatch.setattr(cli.out, "width", 100)
    result = run("report", "--data", str(tmp_path / "db"))
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if "Big Step or Out" in x)
    assert len(line) <= 100 and max(len(x) for x in result.stdout.splitlines()) <= 100
    assert result.stderr == ""
    # largest loss first, as the controller's list
    from kam_xl.databook import read_databook
    from kam_xl.report import account_reports
    largest = min(account_reports(read_databook(tmp_path / "db")), key=lambda r: r.cdb.cdb_iii)
    assert line.split("): ")[1].startswith(largest.account_id) and largest.account_id != "KA-001"


def test_report_json_has_one_object_per_account(demo_accounts_json):
    data = demo_accounts_json
    assert [a["account_id"] for a in data] == DEMO_IDS
    for account in data:
        assert {"account_id", "cdb", "kaop", "kgb"} <= set(account)
    ka009 = next(a for a in data if a["account_id"] == "KA-009")
    cdb = ka009["cdb"]
    assert cdb["year"] == 2025
    assert cdb["net_sales"] == pytest.approx(1875139.77 - 127859.96, abs=0.005)
    assert cdb["cdb_iii"] == pytest.approx(-83869.43, abs=0.005)
    assert cdb["cdb_iii_rel"] == pytest.approx(cdb["cdb_iii"] / cdb["net_sales"], abs=1e-6)


# ------------------------------------------------------------------------------- Tabelle 8 of seed 000


def _tabelle_8(folder: Path, books) -> Path:
    products = [books.kaop_products_header]
    for q, (dv, dp, rv) in enumerate(zip((20, 24, 24, 22), (9800, 9800, 9780, 9780), (1000, 1125, 1200, 1205),
                                         strict=True), start=1):
        products.append(["T8", 2005, "plan", q, "Dyestuffs", dv, dp, None])
        products.append(["T8", 2005, "plan", q, "Retention/Fixation", rv, 2300, None])
    costs = [books.kaop_costs_header]
    for q, (staff, service) in enumerate(zip((30000, 29000, 29500, 27800), (153000, 258000, 80000, 134000),
                                             strict=True), start=1):
        costs += [["T8", 2005, "plan", q, "sales_staff", staff, None],
                  ["T8", 2005, "plan", q, "tech_service", service, None],
                  ["T8", 2005, "plan", q, "product_cost", None, 0.60],
                  ["T8", 2005, "plan", q, "freight", None, 0.20],
                  ["T8", 2005, "plan", q, "other", None, 0.08]]
    return books.write_csv_folder(folder, {
        "accounts": [books.accounts_header, ["T8", "Tabelle 8 GmbH", "Nord", None, None, "EUR", 2005, None]],
        "kaop_products": products, "kaop_costs": costs})


def test_tabelle_8_of_seed_000(tmp_path, books):
    [account] = run_json("report", "--data", str(_tabelle_8(tmp_path / "t8", books)))
    assert (account["account_id"], account["cdb"], account["kgb"], account["portfolio"]) == ("T8", None, None, None)
    kaop = account["kaop"]
    assert kaop["year"] == 2005
    assert [q["quarter"] for q in kaop["quarters"]] == [1, 2, 3, 4]
    assert [q["revenue"] for q in kaop["quarters"]] == pytest.approx([2496000, 2822700, 2994720, 2986660], abs=1e-6)
    assert [round(q["profit"]) for q in kaop["quarters"]] == [116520, 51724, 249866, 196599]
    total = kaop["total"]
    assert total["revenue"] == pytest.approx(11300080, abs=1e-6)
    assert round(total["profit"]) == 614710
    assert round(total["profit_rel"], 3) == 0.054
    assert {k: round(v) for k, v in total["price"].items()} == {"Dyestuffs": 9790, "Retention/Fixation": 2300}


# ------------------------------------------------------------------------------------------ resources


def test_resources_json_keeps_the_total_and_rounds_to_half_fte():
    data = run_json("report", "--what", "resources")
    cells = data["cells"]
    assert len(cells) == 17
    assert sum(c["actual_fte"] for c in cells) == pytest.approx(35.1, abs=1e-9)
    assert sum(c["target_fte"] for c in cells) == pytest.approx(35.1, abs=1e-9)
    off_step = [c["target_fte"] for c in cells if abs(c["target_fte"] * 2 - round(c["target_fte"] * 2)) > 1e-9]
    assert len(off_step) <= 1
    assert 0 <= data["moved_share"] <= 1
    assert data["step"] == 0.5
    assert [c["account_id"] for c in cells if c["region"] == "Nord"] == ["KA-001", "KA-002", "KA-003", "KA-004",
                                                                          "KA-005", None]


def test_revenue_weight_outside_0_to_1_is_exit_2():
    result = run("report", "--what", "resources", "--revenue-weight", "2")
    assert result.exit_code == 2
    assert "--revenue-weight 2 — allowed: 0 to 1" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_step_0_is_exit_2():
    result = run("report", "--what", "resources", "--step", "0")
    assert result.exit_code == 2
    assert "rounding step 0 — allowed: a finite number > 0" in result.stderr


def test_infinite_step_is_exit_2():
    result = run("report", "--what", "resources", "--step", "inf")
    assert result.exit_code == 2
    assert "allowed" in result.stderr


# ----------------------------------------------------------------------------------------- excellence


def test_excellence_json_coverage_per_respondent():
    folder = importlib_resources.files("kam_xl") / "demo_data"
    with (folder / "excellence.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    expected = {}
    for who in dict.fromkeys(r["respondent"] for r in rows):
        ratings = [r["rating"] for r in rows if r["respondent"] == who]
        rated = sum(1 for x in ratings if x in ("0", "25", "50", "75", "100"))
        not_relevant = ratings.count("n.r.")
        expected[who] = rated / (N_CRITERIA - not_relevant)

    data = run_json("report", "--what", "excellence")
    assert [r["respondent"] for r in data["respondents"]] == list(expected)
    assert len(expected) == 3
    for r in data["respondents"]:
        assert r["coverage"] == pytest.approx(expected[r["respondent"]], abs=1e-6)
    assert len(data["consolidated"]) == N_CRITERIA
    assert set(data["consolidated"]) == {r["criterion_id"] for r in rows}


# --------------------------------------------------------------------------------------- bad input


def test_bad_data_book_is_exit_2_with_all_five_problems(five_mistakes_xlsx):
    result = run("report", "--data", str(five_mistakes_xlsx))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "5 problem(s):"
    assert len(lines) == 6
    for expected in ("five.xlsx, sheet cdb, row 3, column gross_sales (C3): value 'viel': allowed: a number ≥ 0",
                     "five.xlsx, sheet cdb, row 4, column account_id (A4): value 'A-9': unknown account",
                     "five.xlsx, sheet kgb, row 2, column weight",
                     "Kgb weights sum to 90",
                     "five.xlsx, sheet kaop_costs, row 3, column amount (F3): give exactly one of amount and "
                     "rate_of_revenue",
                     "five.xlsx, sheet excellence, row 3, column rating (D3): value '60': allowed: 0, 25, 50, 75, "
                     "100"):
        assert expected in result.stderr
    assert "Traceback" not in result.output


def test_bad_csv_data_book_is_exit_2(five_mistakes_csv):
    result = run("report", "--data", str(five_mistakes_csv), "--format", "json")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "5 problem(s):"
    assert "cdb.csv, row 3, column gross_sales: value 'viel': allowed: a number ≥ 0" in result.stderr
    assert "Traceback" not in result.output


def test_missing_data_book_is_exit_2(tmp_path):
    result = run("report", "--data", str(tmp_path / "nowhere.xlsx"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------------------- demo-data


@pytest.mark.parametrize("target", ["out.xlsx", "outdir"])
def test_demo_data_written_reports_the_same(tmp_path, demo_accounts_json, target):
    path = tmp_path / target
    result = run("demo-data", str(path))
    assert result.exit_code == 0, result.output
    assert "Demo data book written to" in result.stdout
    if target.endswith(".xlsx"):
        assert path.is_file()
    else:
        assert len(list(path.glob("*.csv"))) == 25  # main's ten, issue 11's nine (people four, team five),
        # issue 12's six (selection, growth_filters, coordination, st_gallen, st_gallen_logics, settings)
    assert run_json("report", "--data", str(path)) == demo_accounts_json
    for what in ("resources", "excellence", "relationships", "programme"):
        assert run_json("report", "--data", str(path), "--what", what) == run_json("report", "--what", what)


def test_demo_data_onto_a_non_empty_folder_is_exit_2(tmp_path):
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    result = run("demo-data", str(tmp_path))
    assert result.exit_code == 2
    assert "already exists — allowed: a new .xlsx file or an empty folder" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_demo_data_onto_an_existing_file_is_exit_2(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"old")
    result = run("demo-data", str(path))
    assert result.exit_code == 2
    assert path.read_bytes() == b"old"


def test_resources_and_excellence_tables_print_the_key_figures():
    res = run("report", "--what", "resources", "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "Small Accounts" in res.stdout and "19.4 %" in res.stdout  # moved share of the demo data
    exc = run("report", "--what", "excellence")
    assert exc.exit_code == 0, exc.output
    assert "Sabine Kettler" in exc.stdout and "SW-1.2" in exc.stdout  # a disagreement criterion


def test_catalogue_extension_option(tmp_path):
    ext = tmp_path / "acme.csv"
    ext.write_text("dimension,section,text_de,text_en\nSW,2,prüft CDB III jährlich.,checks CDB III yearly.\n",
                   encoding="utf-8")
    data = run_json("report", "--what", "excellence", "--catalogue-extension", str(ext))
    assert data["catalogue_version"] == "1.0.0+acme"
    assert "SW-2.4" in data["consolidated"]
    bad = tmp_path / "bad.csv"
    bad.write_text("dimension,section,text_de\nXX,1,x\n", encoding="utf-8")
    result = run("report", "--what", "excellence", "--catalogue-extension", str(bad))
    assert result.exit_code == 2
    assert "dimension 'XX' — allowed: SW, OS, LM, BP" in result.stderr


def test_report_on_a_book_without_resources_says_so(tmp_path):
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "accounts.csv").write_text("account_id,name,region,plan_year\nA-1,Alpha,Nord,2026\n", encoding="utf-8")
    result = run("report", "--data", str(folder), "--what", "resources", "--lang", "en")
    assert result.exit_code == 0
    assert "has no resources data" in result.stdout
    assert run_json("report", "--data", str(folder), "--what", "excellence") is None


def test_shipped_tabelle_8_example_gives_the_table_to_the_euro():
    folder = Path(__file__).resolve().parents[1] / "examples" / "tabelle_8"
    [account] = run_json("report", "--data", str(folder))
    kaop = account["kaop"]
    assert [q["revenue"] for q in kaop["quarters"]] == [2_496_000, 2_822_700, 2_994_720, 2_986_660]
    assert [round(q["profit"]) for q in kaop["quarters"]] == [116_520, 51_724, 249_866, 196_599]
    assert (kaop["total"]["revenue"], round(kaop["total"]["profit"])) == (11_300_080, 614_710)
    assert round(kaop["total"]["price"]["Dyestuffs"]) == 9_790


def test_serve_without_the_server_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain ``pip install kam-xl`` (README command 1) has no FastAPI/uvicorn: ``kam-xl serve`` says which extra to
    install instead of ending in a ModuleNotFoundError traceback."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "fastapi" else real(name, *a))
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    monkeypatch.setenv("KAM_XL_API_KEYS", "demo-key-7f3c9a1e5b2d4c68")
    result = runner.invoke(app, ["serve", "--port", "8765"])
    assert result.exit_code == 1 and (result.exception is None or isinstance(result.exception, SystemExit))
    assert "kam-xl serve needs fastapi, which a plain install leaves out — install the server extra: pip install " \
           "'kam-xl[server]'" in result.output


# ------------------------------------------------------------------------------------- help and --lang de


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path of the CLI (sub-apps included)."""
    out = [path]
    for name, cmd in getattr(group, "commands", {}).items():
        out += _commands(cmd, (*path, name))
    return out


def test_help_has_no_type_placeholders_and_shows_choices():
    from typer.main import get_command

    paths = _commands(get_command(app))
    assert ("review",) in paths and ("db", "init") in paths and len(paths) > 10
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (path, result.output)
        text = result.output
        assert "<bool>" not in text and "<str>" not in text and "<path>" not in text, (path, text)
        assert not re.search(r"\{[a-z_]+\}", text), (path, text)  # typer's {folder} for a required argument
    shown = {p: runner.invoke(app, [*p, "--help"], env={"COLUMNS": "200"}).output
             for p in (("report",), ("generate",), ("collect",), ("review",))}
    views = "[" + " | ".join(w.value for w in What) + "]"  # every view, e.g. [accounts | resources | …]
    assert views in shown["report",] and "[table | json]" in shown["report",]
    for p in (("report",), ("generate",), ("collect",), ("review",)):
        assert "[de | en]" in shown[p], p
    assert " review [OPTIONS] FOLDER" in shown["review",]


def _german(value: float, pattern: str) -> str:
    return format_decimal(value, format=pattern, locale="de_DE")


def test_report_lang_de_accounts_in_german_labels_and_numbers():
    result = run("report", "--lang", "de")
    assert result.exit_code == 0, result.output
    ka002 = next(r for r in rep.account_reports(demo_databook()) if r.account_id == "KA-002")
    assert ka002.cdb is not None and ka002.kaop is not None
    for text in ("Nettoumsatz", "Plan-Umsatz", "Kgb (eigener Rang)", _german(ka002.cdb.net_sales, "#,##0"),
                 _german(ka002.kaop.total.revenue, "#,##0"), format_percent(ka002.cdb.cdb_iii_rel, "#,##0.0 %",
                                                                             locale="de_DE")):
        assert text in result.stdout, text
    assert "Net sales" not in result.stdout
    english = run("report", "--lang", "en")
    assert "Net sales" in english.stdout and f"{ka002.cdb.net_sales:,.0f}" in english.stdout


def test_report_lang_de_resources_in_german_labels_and_numbers():
    result = run("report", "--what", "resources", "--lang", "de")
    assert result.exit_code == 0, result.output
    r = rep.resources_report(demo_databook())
    assert r is not None and r.moved_share is not None
    assert "Ressourcenverteilung" in result.stdout and "Ziel-MAK" in result.stdout
    assert format_percent(r.moved_share, "#,##0.0 %", locale="de_DE") in result.stdout  # 19,4 %
    assert _german(r.cells[0].consistency, "#,##0.00") in result.stdout  # type: ignore[arg-type]


def test_report_lang_de_excellence_in_german_labels_and_numbers():
    result = run("report", "--what", "excellence", "--lang", "de")
    assert result.exit_code == 0, result.output
    r = rep.excellence_report(demo_databook())
    assert r is not None
    first = r.respondents[0]
    assert "Befragte(r)" in result.stdout and "Abdeckung" in result.stdout and "Uneinigkeit" in result.stdout
    assert _german(first.overall, "#,##0.0") in result.stdout  # type: ignore[arg-type]
    assert format_percent(first.coverage, "#,##0.0 %", locale="de_DE") in result.stdout


def test_every_command_speaks_german_unless_told_otherwise():
    """report, review and xlwings xlsm: one --lang default, de, said in --help; generate and collect: that of the
    folder's controller workbook, else de (tests/test_folder_lang.py)."""
    german = run("report")
    assert "Nettoumsatz" in german.stdout and "Net sales" not in german.stdout
    for path in (("report",), ("review",), ("xlwings", "xlsm")):
        shown = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"}).output
        assert re.search(r"--lang .*\[default: de\]", shown), path
    for path, to in ((("generate",), ""), (("collect",), "; with --to an existing controller, that one's")):
        shown = " ".join(runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"}).output.split())
        assert (f"default: that of the folder's controller workbook (its setting for the account workbooks{to}), "
                "else that of the folder's account plans, else de") in shown.replace("│ ", ""), path


def _help_paragraphs(path: tuple[str, ...]) -> list[str]:
    """The lines of the command's help text between the usage line and the option box, at 1,000 columns."""
    shown = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "1000"}).output
    text = shown.split("Usage:", 1)[1].split("\n", 1)[1].split("╭", 1)[0]
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_help_text_is_reflowed_paragraphs():
    """A docstring's source line breaks do not show in --help: on a wide terminal each paragraph is one line
    (generate has three: what it does, each file on its own, exit codes — "Existing workbooks …" is no line of
    its own)."""
    from typer.main import get_command

    for path in _commands(get_command(app))[1:]:
        command = get_command(app)
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        paragraphs = (command.help or "").count("\n\n") + 1
        assert len(_help_paragraphs(path)) == paragraphs, (path, _help_paragraphs(path))
    generate = _help_paragraphs(("generate",))
    assert len(generate) == 3 and generate[0].startswith("Write one account plan per account into OUT")
    assert "per respondent). Existing workbooks are regenerated" in generate[0]


def test_choices_wrap_between_choices_not_inside_one():
    """At 80 columns the --what choices of report stay whole words (no "ex" / "cellence")."""
    shown = runner.invoke(app, ["report", "--help"], env={"COLUMNS": "80"}).output
    for view in What:
        assert re.search(rf"(?<![\w]){view.value}(?![\w])", shown), view.value


@pytest.mark.parametrize(("lang", "lines"), [
    ("de", ["0 Pläne und 0 Fragebögen gelesen, 0 Dateien mit ungültigen Eingaben, 1 Datei übersprungen → Export",
            "Kein Datenbuch (keine Pläne gelesen)", "Controller-Arbeitsmappe: "]),
    ("en", ["0 plans and 0 questionnaires read, 0 files with invalid input, 1 file skipped → export",
            "No data book (no plans were read)", "Controller workbook: "])])
def test_collect_summary_in_the_chosen_language(tmp_path, lang, lines):
    (tmp_path / "KA-001.ods").write_bytes(b"x")
    result = runner.invoke(app, ["collect", str(tmp_path), "--lang", lang])
    assert result.exit_code == 2, result.output
    printed = " ".join(result.stdout.split())
    for line in lines:
        assert line in printed, (line, result.stdout)
    assert "(s)" not in result.stdout


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", ["KA-001.pdf (1 Seite)", "KA-002.pdf (2 Seiten)", "all.pdf (3 Seiten, 2 Kunden)"]),
    ("en", ["KA-001.pdf (1 page)", "KA-002.pdf (2 pages)", "all.pdf (3 pages, 2 accounts)"])])
def test_review_summary_in_the_chosen_language(tmp_path, monkeypatch, lang, expected):
    """The lines review prints for the PDFs it wrote (the PDFs themselves: tests/test_review.py)."""
    import kam_xl.review
    from kam_xl.review import PackResult

    def pack(folder: Path, quarter: int, out_dir: Path, **kwargs: Any) -> PackResult:
        result = PackResult(pdfs={a: out_dir / f"{a}.pdf" for a in ("KA-001", "KA-002")}, all_pdf=out_dir / "all.pdf")
        result.pages.update({"KA-001": 1, "KA-002": 2, "all": 3})
        return result

    monkeypatch.setattr(kam_xl.review, "write_review_pack", pack)
    result = runner.invoke(app, ["review", str(tmp_path), "--quarter", "Q2", "--lang", lang])
    assert result.exit_code == 0, result.output
    printed = " ".join(result.stdout.split())
    for text in expected:
        assert text in printed, (text, result.stdout)


@pytest.mark.parametrize("width", [60, 80, 100])
def test_report_keeps_number_and_unit_and_terms_together_on_a_narrow_terminal(monkeypatch, width):
    """At 60–100 columns the accounts view (de) splits into parts and wraps its columns, but never between a
    number and its unit or inside a term: the header "CDB III %", every band "0–10 %" / "> 10 %" / "< 0 %"
    stays on one line."""
    import io

    from rich.console import Console

    import kam_xl.cli as cli

    rows = rep.account_reports(demo_databook())
    buffer = io.StringIO()
    monkeypatch.setattr(cli, "out", Console(file=buffer, width=width, soft_wrap=True, color_system=None))
    cli._print_accounts(rows, "de")
    cells = [c.strip() for line in buffer.getvalue().splitlines() for c in re.split(r"[│┃]", line)]
    assert "CDB III %" in cells
    bands = [r.portfolio.band for r in rows if r.portfolio]
    assert cells.count("0–10 %") == bands.count("mid") > 0 and cells.count("> 10 %") == bands.count("high") > 0
    assert sum(c.startswith("< 0 %") for c in cells) == bands.count("loss") > 0
    assert "%" not in cells and "III %" not in cells


def test_glued_words_wrap_a_value_before_its_number_not_between_number_and_unit():
    from rich.console import Console

    from kam_xl.report_tables import glued_words, wrap_glued

    assert glued_words("Markt 12,3 %") == ["Markt", "12,3 %"]
    wrapped = wrap_glued(Console(width=80), "Markt 12,3 % und ≥ 50 Pkt.", 10)
    assert wrapped.plain.splitlines() == ["Markt", "12,3 % und", "≥ 50 Pkt."]  # type: ignore[union-attr]
    assert wrap_glued(Console(width=80), "Nassfestausrüstung", 10) == "Nassfestausrüstung"  # wider: rich folds it


def test_every_problem_is_listed_when_stderr_is_no_terminal(tmp_path, monkeypatch):
    """A data book with thousands of problems was shown 200 at a time ("… and 2,800 more"): piped or written
    into a file, standard error gets every one; on a terminal the list stops at 200 and says how to see all."""
    from kam_xl import cli
    from kam_xl.databook import demo_databook, write_databook

    write_databook(demo_databook(), tmp_path / "db")
    accounts = tmp_path / "db" / "accounts.csv"
    text = accounts.read_text(encoding="utf-8-sig")
    sep = ";" if text.splitlines()[0].count(";") else ","
    width = text.splitlines()[0].count(sep)
    bad = "".join(f"X-{i}{sep}Kunde {i}{sep}Nord{sep * (width - 3)}{sep}abc\n" for i in range(250))
    accounts.write_text(text + bad, encoding="utf-8-sig")
    result = run("report", "--data", str(tmp_path / "db"))
    assert result.exit_code == 2
    bullets = [x for x in result.stderr.splitlines() if x.startswith("  • ")]
    assert len(bullets) >= 250 and "more" not in result.stderr
    shown = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=shown, force_terminal=True, markup=False, width=200))
    cli._bullets([f"problem {i}" for i in range(250)])
    lines = shown.getvalue().splitlines()
    assert len(lines) == cli.MAX_PROBLEMS_SHOWN + 1 == 201
    assert lines[-1].endswith("… and 50 more — all of them into a file: 2> problems.txt")
