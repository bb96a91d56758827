"""Untrusted files never take a run down: every kind of hostile or broken file in :mod:`tests.hostile` is
refused by the one guarded opening (:mod:`kam_xl.package`) with a clear reason — through the reader by name,
the data-book reader and ``collect`` over a folder — before calamine or openpyxl sees its bytes."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kam_xl.databook import DataBookError, demo_databook, read_databook
from kam_xl.package import current_limits, open_package
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.names import WorkbookError, read_named
from kam_xl.workbook.render import write_book
from tests.hostile import build_corpus

pytestmark = pytest.mark.usefixtures("default_limits")  # the read limits as shipped (conftest)

# what each kind is refused with (a piece of the reason; the file name is checked separately)
EXPECTED = {
    "bomb_whitespace_sheet": "part xl/worksheets/sheet1.xml inflates to 3,072.0 MB, more than the limit per part "
                             "(KAM_XL_MAX_PART_MB = 300) — save it again from Excel as Excel Workbook (.xlsx), "
                             "or raise KAM_XL_MAX_PART_MB if this file is genuine",
    "bomb_shared_string": "part xl/sharedStrings.xml inflates to 3,072.0 MB, more than the limit per part",
    "bomb_workbook_xml": "part xl/workbook.xml inflates to 3,072.0 MB, more than the limit per part",
    "bomb_ratio": "part xl/worksheets/sheet1.xml inflates 1,009 times (0.2 MB to 200.0 MB), more than the limit "
                  "(KAM_XL_MAX_RATIO = 200)",
    "bomb_lying_size": "part xl/worksheets/sheet1.xml inflates beyond the 4,096 bytes its archive entry declares",
    "bomb_many_entries": "the archive has 20,006 entries, more than the limit (KAM_XL_MAX_ENTRIES = 10,000)",
    "far_cell": "sheet 'accounts' (xl/worksheets/sheet1.xml) has cells as far as row 1,048,576 and column "
                "16,384: 17,179,869,184 cells from A1, more than the limit (KAM_XL_MAX_SHEET_CELLS = 50,000,000)",
    "far_dimension": "sheet 'accounts' (xl/worksheets/sheet1.xml) declares the dimension A1:XFD1048576: "
                     "17,179,869,184 cells",
    "far_cell_spaced": "has cells as far as row 1,048,576 and column 16,384",
    "billion_laughs": "part xl/workbook.xml holds a document type declaration (<!DOCTYPE …>)",
    "billion_laughs_sheet": "part xl/worksheets/sheet1.xml holds a document type declaration (<!DOCTYPE …>)",
    "xxe": "part xl/workbook.xml holds a document type declaration (<!DOCTYPE …>)",
    "relationship_traversal": "relationship 'rId1' points outside the package (../../../../etc/passwd)",
    "strict_ooxml": "strict Open XML workbook — save it as Excel Workbook (.xlsx)",
    "truncated": "damaged or not an .xlsx file (not a zip archive)",
    "ole": "password-protected or an old .xls file",
    "empty": "is empty (0 bytes)",
    "fifo": "is a named pipe (FIFO), not a workbook file",
    "link_to_dev_zero": "is a link to /dev/zero, outside its folder",
    "link_outside_folder": "-elsewhere/secret.xlsx, outside its folder",
}
# the data book reads no defined names: the name kinds are read there as a sheet without the columns
BY_NAME_ONLY = {"huge_defined_name": "defined name everything spans 17,179,869,184 cells (sheet 'accounts'), "
                                     "more than the limit (KAM_XL_MAX_NAME_CELLS = 20,000,000)"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return build_corpus(tmp_path_factory.mktemp("hostile") / "files")



def test_the_corpus_has_every_kind(corpus):
    assert set(corpus) == set(EXPECTED) | set(BY_NAME_ONLY)


@pytest.mark.parametrize("one_by_one", [False, True])  # sheet by sheet (the unchanged controller check) alike
@pytest.mark.parametrize("kind", sorted({**EXPECTED, **BY_NAME_ONLY}))
def test_read_by_name_refuses_with_the_reason(corpus, kind, one_by_one):
    with pytest.raises(WorkbookError) as e:
        read_named(corpus[kind], one_by_one=one_by_one)
    message = str(e.value)
    assert message.startswith(f"{corpus[kind].name}: ")
    assert {**EXPECTED, **BY_NAME_ONLY}[kind] in message


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_read_databook_reports_the_reason(corpus, kind):
    with pytest.raises(DataBookError) as e:
        read_databook(corpus[kind])
    [problem] = e.value.problems
    assert problem.file == corpus[kind].name
    assert EXPECTED[kind] in problem.message


def test_a_defined_name_is_no_data_book_matter(corpus):
    with pytest.raises(DataBookError) as e:
        read_databook(corpus["huge_defined_name"])
    assert [p.message for p in e.value.problems] == [
        "table accounts lacks column(s) account_id, name, region, plan_year — required: account_id, name, region, "
        "plan_year"]


def test_the_lying_bomb_is_stopped_at_its_declared_size(corpus):
    """The entry says 4 KB and holds 3 GiB: inflation stops one byte past what is declared."""
    package = open_package(corpus["bomb_lying_size"])
    with pytest.raises(WorkbookError, match="inflates beyond the 4,096 bytes"):
        package.part("xl/worksheets/sheet1.xml")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1024 * 1024  # KB: never near a GB


def test_limits_are_settings_named_in_the_message(monkeypatch, tmp_path, corpus):
    plan = corpus["far_cell"].parent / "_small.xlsx"
    shutil.copy(corpus["strict_ooxml"], plan)
    monkeypatch.setenv("KAM_XL_MAX_FILE_MB", "0.001")
    current_limits.cache_clear()
    with pytest.raises(WorkbookError, match=r"_small.xlsx: the file has 1,\d{3} bytes, more than the limit "
                                            r"\(KAM_XL_MAX_FILE_MB = 0.001\)"):
        read_named(plan)
    monkeypatch.setenv("KAM_XL_MAX_FILE_MB", "many")
    current_limits.cache_clear()
    with pytest.raises(WorkbookError, match="invalid setting \\(KAM_XL_MAX_FILE_MB: Input should be a valid number"):
        read_named(plan)
    plan.unlink()


def _plans(folder: Path) -> list[Path]:
    db = demo_databook()
    when = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    return [write_book(account_plan(AccountPlanData.from_databook(db, a.account_id), "de", when),
                       folder / f"{a.account_id}.xlsx") for a in db.accounts[:3]]


COLLECT = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    from kam_xl.batch import collect_plans
    result = collect_plans(Path(sys.argv[1]))
    print(json.dumps({"plans": sorted(p.account.account_id for p in result.plans), "skipped": result.skipped,
                      "problems": result.problems, "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
""")


def test_collect_reads_the_good_plans_and_skips_each_hostile_file(corpus, tmp_path):
    folder = corpus["far_cell"].parent
    good = _plans(folder)
    try:
        run = subprocess.run([sys.executable, "-c", COLLECT, str(folder)], capture_output=True, text=True,
                             timeout=300, cwd=Path(__file__).parent.parent)
    finally:
        for p in good:
            p.unlink()
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    out = json.loads(run.stdout)
    # the reading process's own peak (RUSAGE_CHILDREN's was the largest of every process this worker had waited
    # for — another test's could fail this one)
    peak_mb = out["peak_kib"] / 1024
    assert out["plans"] == sorted(p.stem for p in good) and out["problems"] == []
    reasons = dict(map(tuple, out["skipped"]))
    for kind, expected in {**EXPECTED, **BY_NAME_ONLY}.items():
        assert expected in reasons.pop(corpus[kind].name), kind
    assert reasons == {}
    assert peak_mb < 500, f"collect over the corpus peaked at {peak_mb:.0f} MB"
