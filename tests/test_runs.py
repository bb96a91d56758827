"""A bad file never takes a run down: duplicates, other spreadsheet formats, shared file names and malformed
data books in ``kam-xl generate`` / ``collect`` are listed with their reason, the rest is done, exit code 2
(1 only when the command stops before any work)."""

from __future__ import annotations

import csv
import shutil
import zipfile
from pathlib import Path

import pytest
from shared import type_into
from typer.testing import CliRunner, Result

from kam_xl.batch import (
    FolderFile,
    collect_plans,
    name_prefixes,
    owner_by_name,
    resolve_targets,
)
from kam_xl.cli import app
from kam_xl.databook import read_databook
from kam_xl.workbook.names import read_named

runner = CliRunner()
KA002 = "KA-002_Holsten_Wellpappe_GmbH_&_Co._KG.xlsx"
KA003 = "KA-003_Kartonagen_Elbmarsch_GmbH.xlsx"


def cli(*args: str) -> Result:
    """Run kam-xl in-process; any exception other than the exit is a failure (it would be a traceback)."""
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def generated(demo_plans: Path) -> Path:
    """The demo plans and questionnaires as generate_all writes them (conftest's, generated once per process)."""
    return demo_plans


@pytest.fixture
def plans(generated: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo plans and questionnaires (no controller yet)."""
    folder = tmp_path / "plans"
    shutil.copytree(generated, folder)
    return folder


def skipped_in_report(folder: Path) -> dict[str, str]:
    rows = csv.DictReader((folder / "collect_errors.csv").open(encoding="utf-8-sig"), delimiter=";")
    return {r["file"]: r["problem"] for r in rows if r["problem"].startswith("skipped: ")}


def exported_ids(folder: Path) -> list[str]:
    return [a.account_id for a in read_databook(folder / "collected.xlsx").accounts]


def as_xlsm(source: Path, target: Path) -> Path:
    """``source`` saved as a macro-enabled workbook: the same parts, the .xlsm main content type."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
            zout.writestr(item, data)
    return target


# ----------------------------------------------------------------------------------- duplicates: collect


def test_collect_leaves_out_an_account_with_a_copy_under_another_name(plans: Path) -> None:
    copy = plans / "Kopie von KA-002.xlsx"
    shutil.copy(plans / KA002, copy)
    result = cli("collect", str(plans))
    assert result.exit_code == 2
    assert ("13 Pläne und 3 Fragebögen gelesen, "
            "0 Dateien mit ungültigen Eingaben, 2 Dateien übersprungen") in result.stdout
    reasons = skipped_in_report(plans)
    assert set(reasons) == {KA002, copy.name}
    for reason in reasons.values():
        assert f"one of 2 files of account KA-002 ({KA002}, Kopie von KA-002.xlsx) — account KA-002 left out" \
            in reason
    assert "keep one file per account" in result.stderr
    # left out of what is collected: the export holds it as the controller does, with the data book's values
    ids = exported_ids(plans)
    assert ids[-1] == "KA-002" and len(ids) == 14
    assert "1 Kunde des Datenbuchs ohne übernommenen Plan" in " ".join(result.stdout.split())
    assert read_named(plans / "Controller.xlsm").meta["template_id"] == "kam_xl.controller"


def test_collect_leaves_out_an_account_with_an_ods_beside_its_xlsx(plans: Path) -> None:
    (plans / "KA-003_Kartonagen_neu.ods").write_bytes(b"PK\x03\x04 an OpenDocument file")
    result = cli("collect", str(plans))
    assert result.exit_code == 2
    reasons = skipped_in_report(plans)
    assert set(reasons) == {KA003, "KA-003_Kartonagen_neu.ods"}
    assert "one of 2 files of account KA-003" in reasons[KA003]
    assert exported_ids(plans)[-1] == "KA-003"  # after the collected ones, with the data book's values


def test_collect_leaves_out_a_respondent_with_two_questionnaires(plans: Path) -> None:
    q = plans / "Fragebogen"
    shutil.copy(q / "Fragebogen_Sabine_Kettler.xlsx", plans / "Sabine_alt.xlsx")  # a copy in the plan folder
    result = collect_plans(plans)
    assert sorted(r.respondent for r in result.responses) == ["Dr. Claudia Reimann", "Frank Oberdorf"]
    assert len(result.plans) == 14
    assert dict(result.skipped).keys() == {"Fragebogen_Sabine_Kettler.xlsx", "Sabine_alt.xlsx"}
    assert ("one of 2 files of respondent Sabine Kettler (Sabine_alt.xlsx, Fragebogen/Fragebogen_Sabine_Kettler.xlsx)"
            " — respondent Sabine Kettler left out") in dict(result.skipped)["Sabine_alt.xlsx"]


# ---------------------------------------------------------------------------------- duplicates: generate


def test_generate_writes_nothing_for_an_account_with_two_files(plans: Path) -> None:
    copy = plans / "Kopie von KA-002.xlsx"
    shutil.copy(plans / KA002, copy)
    type_into(plans / KA002, "cdb_in_sales_cost", 1234)
    before = {p: p.read_bytes() for p in (plans / KA002, copy)}
    result = cli("generate", "--out", str(plans), "--force")
    assert result.exit_code == 2
    assert "0 neu, 13 erneuert, 1 nicht geschrieben" in result.stdout
    assert (f"account KA-002: 2 files ({KA002}, Kopie von KA-002.xlsx) — nothing written for account KA-002; "
            "keep one file per account (move or delete the others) and run again") in result.stderr
    assert {p: p.read_bytes() for p in before} == before
    assert not list((plans / "_backup").glob("KA-002_*"))
    assert len(list((plans / "_backup").glob("KA-0*.xlsx"))) == 13


def test_generate_never_writes_a_plan_beside_the_kams_ods(plans: Path) -> None:
    (plans / KA003).unlink()
    ods = plans / "KA-003_Kartonagen_Elbmarsch_GmbH.ods"
    ods.write_bytes(b"PK\x03\x04 what the KAM typed in LibreOffice")
    result = cli("generate", "--out", str(plans), "--force")
    assert result.exit_code == 2
    assert not (plans / KA003).exists()
    assert ods.read_bytes() == b"PK\x03\x04 what the KAM typed in LibreOffice"
    assert ("KA-003_Kartonagen_Elbmarsch_GmbH.ods: an OpenDocument spreadsheet (.ods) — not read; save it as Excel "
            "Workbook (.xlsx) to have it regenerated; nothing written for account KA-003") in result.stderr
    assert "0 neu, 13 erneuert, 1 nicht geschrieben" in result.stdout


def test_generate_lists_both_files_when_an_ods_stands_beside_the_xlsx(plans: Path) -> None:
    (plans / "ka-003 alt.ODS").write_bytes(b"old")
    before = (plans / KA003).read_bytes()
    result = cli("generate", "--out", str(plans))
    assert result.exit_code == 2
    assert f"account KA-003: 2 files ({KA003}, ka-003 alt.ODS) — nothing written for account KA-003" \
        in result.stderr
    assert (plans / KA003).read_bytes() == before


def test_generate_regenerates_a_renamed_plan_where_it_is(plans: Path) -> None:
    renamed = plans / "KA-002 Holsten (von Petra).XLSX"
    (plans / KA002).rename(renamed)
    type_into(renamed, "cdb_in_sales_cost", 4321)
    result = cli("generate", "--out", str(plans), "--force")
    assert result.exit_code == 0, result.output
    assert not (plans / KA002).exists()
    assert read_named(renamed).values["cdb_in_sales_cost"] == 4321
    assert len(list((plans / "_backup").glob("KA-002 Holsten (von Petra).*.XLSX"))) == 1
    assert "0 neu, 14 erneuert, 0 nicht geschrieben" in result.stdout


# ------------------------------------------------------------------------------------------- file kinds


def test_collect_reads_xlsx_and_xlsm_in_any_case_and_lists_other_spreadsheets(plans: Path) -> None:
    type_into(plans / KA002, "cdb_in_sales_cost", 11_111)
    type_into(plans / KA003, "cdb_in_sales_cost", 22_222)
    (plans / KA002).rename(plans / "KA-002_Holsten.XLSX")
    as_xlsm(plans / KA003, plans / "KA-003_Kartonagen.xlsm")
    (plans / KA003).unlink()
    others = {"Umsatz 2026.ods": "an OpenDocument spreadsheet (.ods)",
              "Altdaten.XLS": "an Excel 97–2003 workbook (.xls)",
              "Besuchsplan.xlsb": "an Excel binary workbook (.xlsb)",
              "Preise.numbers": "an Apple Numbers spreadsheet (.numbers)",
              "Export.CSV": "a CSV text file (.csv)"}
    for name in others:
        (plans / name).write_bytes(b"\xd0\xcf\x11\xe0 not read")
    shutil.copy(plans / "KA-004_Nordsee_Feinpapiere_GmbH.xlsx", plans / "Umsatzplanung")  # an .xlsx without suffix
    (plans / "~$KA-005_Textilwerke_Emsland_GmbH.xlsx").write_bytes(b"Excel lock file")
    (plans / ".~lock.KA-006_Textilveredlung_Allgäu_GmbH.xlsx#").write_text("LibreOffice lock file")
    (plans / "Notizen.txt").write_text("not a spreadsheet")
    result = cli("collect", str(plans))
    assert result.exit_code == 2
    assert ("14 Pläne und 3 Fragebögen gelesen, "
            "0 Dateien mit ungültigen Eingaben, 6 Dateien übersprungen") in result.stdout
    reasons = skipped_in_report(plans)
    for name, kind in others.items():
        assert reasons[name] == f"skipped: {name}: {kind} — not read; save it as Excel Workbook (.xlsx)"
    assert reasons["Umsatzplanung"].startswith("skipped: Umsatzplanung: an Excel workbook under another name")
    assert len(reasons) == 6
    export = read_databook(plans / "collected.xlsx")
    assert {c["account_id"]: c["sales_cost"] for c in export.table("cdb")
            if c["account_id"] in ("KA-002", "KA-003")} == {"KA-002": 11_111, "KA-003": 22_222}


def test_generate_leaves_a_single_xlsm_plan_alone_and_says_how_to_fix_it(plans: Path) -> None:
    xlsm = as_xlsm(plans / KA003, plans / "KA-003_Kartonagen_Elbmarsch_GmbH.xlsm")
    (plans / KA003).unlink()
    before = xlsm.read_bytes()
    result = cli("generate", "--out", str(plans))
    assert result.exit_code == 2
    assert ("KA-003_Kartonagen_Elbmarsch_GmbH.xlsm: a macro-enabled workbook (.xlsm) — generate writes .xlsx "
            "only; save it as Excel Workbook (.xlsx) to have it regenerated") in result.stderr
    assert xlsm.read_bytes() == before and not (plans / KA003).exists()


def test_a_file_is_an_accounts_by_the_id_at_the_start_of_its_name() -> None:
    prefixes = name_prefixes("plan", ["KA-002", "KA-002-B", "CON"])
    assert owner_by_name("KA-002_Holsten.ods", prefixes) == "KA-002"
    assert owner_by_name("ka-002.XLS", prefixes) == "KA-002"           # any case, the id alone
    assert owner_by_name("KA-002-B_Zweitwerk.ods", prefixes) == "KA-002-B"  # the longest id wins
    assert owner_by_name("KA-0021_Other.ods", prefixes) is None          # a longer id is another account
    assert owner_by_name("Kopie von KA-002.ods", prefixes) is None       # not at the start: nobody's
    assert owner_by_name("_CON_Contoso.ods", prefixes) == "CON"          # as plan_filename guards reserved names
    q = name_prefixes("questionnaire", ["Dr. Claudia Reimann"])
    assert owner_by_name("Fragebogen_Dr._Claudia_Reimann (2).ods", q) == "Dr. Claudia Reimann"


# ------------------------------------------------------------------------------------------ name clashes


@pytest.fixture
def clashing_book(tmp_path: Path) -> Path:
    """Four accounts: KA-1 and ka-1 (same file name without case), A/B and A_B (same name exactly), KA-9 fine."""
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "accounts.csv").write_text(
        "account_id,name,region,plan_year\n"
        "KA-1,Alpha Papier,Nord,2026\nka-1,alpha papier,Nord,2026\n"
        "A/B,Beta,Süd,2026\nA_B,Beta,Süd,2026\nKA-9,Gamma,Süd,2026\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_accounts_sharing_a_file_name_are_both_refused_for_any_jobs(clashing_book: Path, tmp_path: Path,
                                                                    jobs: str) -> None:
    out = tmp_path / "out"
    result = cli("generate", "--data", str(clashing_book), "--out", str(out), "--jobs", jobs)
    assert result.exit_code == 2
    assert sorted(p.name for p in out.glob("*.xlsx")) == ["KA-9_Gamma.xlsx"]
    for group in ("KA-1, ka-1", "A/B, A_B"):  # in data-book order
        assert f"the same file name for accounts {group} (file names are compared without case" in result.stderr
    for key in ("KA-1", "ka-1", "A/B", "A_B"):
        assert f"nothing written for account {key}" in result.stderr
    assert "1 neu, 0 erneuert, 4 nicht geschrieben" in result.stdout


def test_resolve_targets_is_the_same_decision_without_the_disk(tmp_path: Path) -> None:
    canonical = {"KA-1": tmp_path / "KA-1_A.xlsx", "ka-1": tmp_path / "ka-1_a.xlsx", "KA-2": tmp_path / "KA-2_B.xlsx",
                 "KA-3": tmp_path / "KA-3_C.xlsx"}
    files = [FolderFile(tmp_path / "KA-2 renamed.xlsx", "xlsx", "plan", "KA-2"),
             FolderFile(tmp_path / "KA-3_C.xlsx", "xlsx", "plan", "KA-3"),
             FolderFile(tmp_path / "KA-3_C.ods", "an OpenDocument spreadsheet (.ods)", "plan", "KA-3")]
    out = resolve_targets("plan", canonical, files)
    assert out["KA-2"] == tmp_path / "KA-2 renamed.xlsx"
    assert [out[k].status for k in ("KA-1", "ka-1", "KA-3")] == ["error"] * 3  # type: ignore[union-attr]
    assert out["KA-3"].problems == [  # type: ignore[union-attr]
        "account KA-3: 2 files (KA-3_C.xlsx, KA-3_C.ods) — nothing written for account KA-3; keep one file per "
        "account (move or delete the others) and run again"]


# -------------------------------------------------------------------------------------- exit codes, books


def test_collect_with_only_skipped_files_is_exit_2(plans: Path) -> None:
    (plans / "Umsatz.ods").write_bytes(b"x")
    result = cli("collect", str(plans))
    assert result.exit_code == 2
    assert "skipped: Umsatz.ods: an OpenDocument spreadsheet (.ods) — not read" in result.stderr
    assert len(exported_ids(plans)) == 14


@pytest.mark.parametrize("command", ["generate", "collect"])
def test_usage_errors_stop_before_work_with_exit_1(command: str, tmp_path: Path) -> None:
    args = ["generate", "--out", str(tmp_path / "out"), "--jobs", "0"] if command == "generate" else \
        ["collect", str(tmp_path / "nowhere")]
    result = cli(*args)
    assert result.exit_code == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", [b"PK\x03\x04\x14\x00 truncated", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
                                     b"", "account_id;name\n\u00e4".encode("cp1252")])
@pytest.mark.parametrize("command", ["generate", "collect", "report"])
def test_a_malformed_data_book_is_a_problem_never_a_traceback(tmp_path: Path, plans: Path, content: bytes,
                                                             command: str) -> None:
    book = tmp_path / "book.xlsx"
    book.write_bytes(content)
    args = {"generate": ["generate", "--data", str(book), "--out", str(tmp_path / "out")],
            "collect": ["collect", str(plans), "--data", str(book)],
            "report": ["report", "--data", str(book)]}[command]
    result = cli(*args)
    assert result.exit_code == (2 if command == "report" else 1)
    assert "book.xlsx" in result.stderr and "problem(s):" in result.stderr
    assert not (tmp_path / "out").exists() and not (plans / "collected.xlsx").exists()


def test_any_reader_failure_becomes_a_problem(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    book.write_bytes(b"x")

    def broken(*_args: object, **_kw: object) -> None:
        raise RecursionError("maximum recursion depth exceeded while parsing")

    monkeypatch.setattr("kam_xl.cli.read_databook", broken)
    result = cli("generate", "--data", str(book), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "book.xlsx: cannot be read as a data book (RecursionError: maximum recursion depth exceeded" \
        in result.stderr


def test_a_respondent_with_two_questionnaires_gets_none_regenerated(plans: Path) -> None:
    from kam_xl.batch import generate_questionnaire

    q = plans / "Fragebogen"
    (q / "Fragebogen_Frank_Oberdorf.ods").write_bytes(b"PK\x03\x04 saved in LibreOffice")
    before = (q / "Fragebogen_Frank_Oberdorf.xlsx").read_bytes()
    result = generate_questionnaire(None, "Frank Oberdorf", q)
    assert result.status == "error"
    assert result.problems == [
        "respondent Frank Oberdorf: 2 files (Fragebogen_Frank_Oberdorf.ods, Fragebogen_Frank_Oberdorf.xlsx) — "
        "nothing written for respondent Frank Oberdorf; keep one file per respondent (move or delete the others) "
        "and run again"]
    assert (q / "Fragebogen_Frank_Oberdorf.xlsx").read_bytes() == before
    assert generate_questionnaire(None, "Sabine Kettler", q).status == "regenerated"


def test_whatever_a_reader_raises_for_one_file_only_that_file_is_skipped(plans: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import kam_xl.batch as batch

    real = batch.parse_inputs

    def parse(values, data, lang, problem):  # type: ignore[no-untyped-def]
        if data.account.account_id == "KA-007":
            raise RecursionError("maximum recursion depth exceeded")
        return real(values, data, lang, problem)

    monkeypatch.setattr(batch, "parse_inputs", parse)
    result = cli("collect", str(plans))
    assert result.exit_code == 2
    assert "13 Pläne und 3 Fragebögen gelesen" in result.stdout
    assert ("skipped: KA-007_Papierwerk_Isartal_AG.xlsx: cannot be read (RecursionError: maximum recursion depth "
            "exceeded)") in result.stderr


def test_whatever_goes_wrong_with_one_plan_the_others_are_written(plans: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import kam_xl.plan_jobs as plan_jobs

    real = plan_jobs.account_plan

    def plan(data, lang, now):  # type: ignore[no-untyped-def]
        if data.account.account_id == "KA-007":
            raise MemoryError("out of memory")
        return real(data, lang, now)

    monkeypatch.setattr(plan_jobs, "account_plan", plan)  # where a plan's job (PlanJob) looks it up
    result = cli("generate", "--out", str(plans), "--force")
    assert result.exit_code == 2
    assert "KA-007_Papierwerk_Isartal_AG.xlsx: not written — unexpected error (MemoryError: out of memory)" \
        in result.stderr
    assert "0 neu, 13 erneuert, 1 nicht geschrieben" in result.stdout


@pytest.mark.parametrize(("command", "text"), [
    ("generate", "Exit codes: 0 all written; 2 some file listed, the rest written; 1 nothing done"),
    ("collect", "Exit codes: 0 all read and written; 2 some file listed (skipped, invalid input, not written)")])
def test_help_says_what_the_exit_codes_mean(command: str, text: str) -> None:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert text in " ".join(result.stdout.split())


def _saved_as_ods_by_libreoffice(xlsx: Path, target: Path) -> Path:
    """``xlsx`` opened and saved as OpenDocument by LibreOffice itself (File → Save as .ods), moved to ``target``."""
    import subprocess
    import tempfile

    from kam_xl.testing.recalc import find_soffice

    soffice = find_soffice()
    assert soffice, "LibreOffice (soffice) is needed: apt-get install libreoffice-calc"
    with tempfile.TemporaryDirectory() as profile, tempfile.TemporaryDirectory() as out:
        subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={Path(profile).as_uri()}",
                        "--convert-to", "ods", "--outdir", out, str(xlsx)], check=True, capture_output=True,
                       timeout=180)
        shutil.move(str(Path(out) / f"{xlsx.stem}.ods"), target)
    return target


@pytest.fixture(scope="module")
def ka002_ods(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """KA-002's demo plan as LibreOffice saves it as .ods (converted once for the module)."""
    return _saved_as_ods_by_libreoffice(generated / KA002, tmp_path_factory.mktemp("ods") / "KA-002.ods")


def test_a_plan_saved_as_ods_under_any_name_is_known_by_its_meta(plans: Path, ka002_ods: Path) -> None:
    """The KAM saved KA-002's plan in LibreOffice as "Holsten Plan.ods" (no account id in the name) and deleted the
    .xlsx: generate reads the account from the .ods's own _meta sheet, writes nothing beside it, lists it; collect
    lists it and consolidates no empty KA-002."""
    ods = Path(shutil.copy(ka002_ods, plans / "Holsten Plan.ods"))
    (plans / KA002).unlink()
    kept = ods.read_bytes()
    result = cli("generate", "--out", str(plans))
    assert result.exit_code == 2
    assert ("Holsten Plan.ods: an OpenDocument spreadsheet (.ods) — not read; save it as Excel Workbook (.xlsx) to "
            "have it regenerated; nothing written for account KA-002") in result.stderr
    assert not list(plans.glob("KA-002_*")) and ods.read_bytes() == kept
    collected = collect_plans(plans)
    assert "KA-002" not in {p.account.account_id for p in collected.plans}
    assert [f for f, _ in collected.skipped] == ["Holsten Plan.ods"]


def test_a_hostile_ods_in_the_plan_folder_is_listed_not_inflated(plans: Path, ka002_ods: Path) -> None:
    """An .ods whose content.xml inflates to 3 GiB, and one with a billion-laughs content.xml, are looked into
    through the same guard as an .xlsx: refused before anything is inflated, known by their name (nobody's), and
    the run goes on."""
    from hostile import bomb, deflated, write_zip

    mime = deflated("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")
    write_zip(plans / "Riesig.ods", [mime, bomb("content.xml", b"<office:document-content>", b" " * 65536,
                                                 49152, b"</office:document-content>")])
    laughs = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
              "<office:document-content>&b;</office:document-content>")
    write_zip(plans / "Lacher.ods", [mime, deflated("content.xml", laughs.encode())])
    result = cli("generate", "--out", str(plans), "--force")
    assert result.exit_code == 0, result.stderr  # files that name nobody are not this run's business
    assert "13 erneuert" in result.stdout or "14 erneuert" in result.stdout
    reasons = dict(collect_plans(plans).skipped)
    assert set(reasons) == {"Riesig.ods", "Lacher.ods"}
    from kam_xl.package import PackageError, opendocument_meta

    with pytest.raises(PackageError, match="content.xml inflates to 3,072.0 MB, more than the limit per part"):
        opendocument_meta(plans / "Riesig.ods")
    with pytest.raises(PackageError, match="document type declaration"):
        opendocument_meta(plans / "Lacher.ods")
    assert opendocument_meta(ka002_ods)["account_id"] == "KA-002"  # the same reader on a real LibreOffice .ods
