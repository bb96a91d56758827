"""Reading by name parses each distinct ``workbook.xml`` once, yet every file is checked: a file whose names
differ gets its own names, a damaged one is still reported."""

from __future__ import annotations

import struct
import zipfile
from datetime import UTC, datetime

import openpyxl
import pytest

from kam_xl.databook import demo_databook
from kam_xl.package import open_package
from kam_xl.workbook import names
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.names import WorkbookError, defined_names, read_named
from kam_xl.workbook.render import write_book

WHEN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    db = demo_databook()
    out = tmp_path_factory.mktemp("plans")
    paths = []
    for account in db.accounts[:3]:
        book = account_plan(AccountPlanData.from_databook(db, account.account_id), "de", WHEN)
        paths.append(write_book(book, out / f"{account.account_id}.xlsx"))
    return paths


def test_package_parts_are_what_zipfile_reads(plans, tmp_path):
    resaved = tmp_path / "resaved.xlsx"  # written by openpyxl (Python's zipfile) instead of xlsxwriter
    openpyxl.load_workbook(plans[0]).save(resaved)
    for path in [*plans, resaved]:
        package, z = open_package(path), zipfile.ZipFile(path)
        for part in z.namelist():
            assert package.part(part) == z.read(part)


def test_a_file_with_other_names_gets_its_own(plans, tmp_path):
    names._names_of.cache_clear()
    first = read_named(plans[0])
    moved = tmp_path / "moved.xlsx"  # the same plan with one name pointing elsewhere: another workbook.xml
    wb = openpyxl.load_workbook(plans[0])
    wb.defined_names["acc_name"].attr_text = "'Deckblatt'!$A$1"
    wb.save(moved)
    other = read_named(moved)
    title = other.values["acc_name"]  # the title in A1: "Account-Plan <year> — <name> (Beträge in EUR)"
    assert title.startswith("Account-Plan") and f" — {first.values['acc_name']} (" in title
    assert read_named(plans[0]).values["acc_name"] == first.values["acc_name"]  # the cache kept both apart
    assert names._names_of.cache_info().currsize == 2


def test_names_parsed_once_for_plans_of_one_layout(plans):
    names._names_of.cache_clear()
    for path in plans:
        read_named(path)
    layouts = {zipfile.ZipFile(p).read("xl/workbook.xml") for p in plans}
    assert names._names_of.cache_info().currsize == len(layouts)
    assert names._names_of.cache_info().misses == len(layouts)
    assert defined_names(plans[0]) == read_named(plans[0]).refs


def test_damaged_workbook_xml_is_reported_not_taken_from_the_cache(plans, tmp_path):
    read_named(plans[0])  # its names are in the cache
    data = bytearray(plans[0].read_bytes())
    info = zipfile.ZipFile(plans[0]).getinfo("xl/workbook.xml")
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    at = info.header_offset + 30 + name_length + extra_length  # where the stored workbook.xml begins
    data[at + info.compress_size // 2] ^= 0xFF  # flip a byte inside the stored workbook.xml
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(bytes(data))
    # (where the flipped byte lands decides the wording: a damaged part, or one inflating beyond its size)
    with pytest.raises(WorkbookError, match=r"broken.xlsx: (damaged .xlsx \()?part xl/workbook.xml"):
        read_named(broken)


def test_block_padding_where_the_sheet_ends_early(plans):
    nv = read_named(plans[0])
    ref = nv.refs["kaop_measures"]
    block = nv.values["kaop_measures"]
    assert len(block) == ref.last_row - ref.first_row + 1
    assert all(len(row) == ref.last_col - ref.first_col + 1 for row in block)


def test_lazy_values_read_like_the_eager_ones(plans):
    eager, lazy = read_named(plans[1]), read_named(plans[1], lazy=True)
    assert set(lazy.values) == set(eager.values) and len(lazy.values) == len(eager.values)
    assert all(lazy.values[k] == v for k, v in eager.values.items())
    assert lazy.meta == eager.meta and lazy.refs == eager.refs
    assert "kaop_plan_products" in lazy.values and "no_such_name" not in lazy.values
    assert lazy.values.get("no_such_name", 7) == 7


def test_collect_makes_no_reference_cycles(plans, tmp_path):
    """collect_plans pauses the cyclic garbage collector: that is only right while reading makes no cycles,
    also for files it skips or reports."""
    import gc
    import shutil

    from kam_xl.batch import collect_plans

    folder = tmp_path / "mixed"
    folder.mkdir()
    for p in plans[1:]:  # plans[0] is there as wrong.xlsx: a second file of its account would be a duplicate
        shutil.copy(p, folder / p.name)
    shutil.copy(plans[1], folder / "Kopie.xlsx")  # a duplicate: plans[1] and its copy are both skipped
    (folder / "foreign.xlsx").write_bytes(b"not a workbook")
    (folder / "truncated.xlsx").write_bytes(plans[0].read_bytes()[:5000])
    wrong = folder / "wrong.xlsx"
    wb = openpyxl.load_workbook(plans[0])
    wb["CDB"]["B4"] = "viel"  # text where an amount belongs
    wb.save(wrong)
    gc.collect()
    result = collect_plans(folder)
    assert (len(result.plans), len(result.skipped), {p[0] for p in result.problems}) == (1, 4, {"wrong.xlsx"})
    assert gc.isenabled()
    assert gc.collect() == 0  # nothing the collector would have had to free
