"""The fast sheet scan of :mod:`kam_xl.package` finds what a look at every cell finds: the reach of the cells
(rows by their own reference too) and every cell's kind, however the XML is written; and the archive handed to
the engine reads the same values as the file itself."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from kam_xl.cells import CellError
from kam_xl.databook import demo_databook
from kam_xl.package import (
    _ATTR_S,
    PERCENT,
    WorkbookError,
    _cell_at,
    _kind,
    _walk,
    current_limits,
    open_package,
)
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.render import write_book
from tests.hostile import base_parts, sheet_xml, write_xlsx

pytestmark = pytest.mark.usefixtures("default_limits")  # the read limits as shipped (conftest)

STYLES = ('<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/'
          'spreadsheetml/2006/main"><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="9"/><xf numFmtId="10"/>'
          '</cellXfs></styleSheet>')



def _book(path: Path, cells: str, dimension: str = "A1") -> Path:
    parts = base_parts(xl__worksheets__sheet1_dot_xml=sheet_xml(cells, dimension=dimension), xl__styles_dot_xml=STYLES)
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        "</Relationships>", '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/'
                            '2006/relationships/styles" Target="styles.xml"/></Relationships>')
    return write_xlsx(path, parts)


def _walked_kinds(x: bytes, percent: frozenset[int]) -> dict[tuple[int, int], object]:
    """Every cell looked at one by one: the kinds the scan must find."""
    kinds: dict[tuple[int, int], object] = {}
    for row, col, m in _walk(x):
        if m[1] != b"c":
            continue
        attrs, content = _cell_at(x, m.start())
        error = _kind(attrs, content)
        if error is not None:
            kinds[row, col] = error
        elif (s := _ATTR_S.search(attrs)) and int(s[1]) in percent:
            kinds[row, col] = PERCENT
    return kinds


def test_a_row_reference_bounds_the_cells_without_one(monkeypatch, tmp_path):
    """A cell without a reference in <row r="50000"> lies in row 50,000 (calamine puts it there)."""
    monkeypatch.setenv("KAM_XL_MAX_SHEET_CELLS", "100000")
    current_limits.cache_clear()
    path = _book(tmp_path / "row_far.xlsx",
                 '<row r="50000"><c><v>1</v></c></row><row r="1"><c r="E1"><v>1</v></c></row>')
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("accounts").to_python(skip_empty_area=False)
    assert (len(grid), len(grid[0])) == (50_000, 5)
    with pytest.raises(WorkbookError, match=r"has cells as far as row 50,000 and column 5: 250,000 cells from A1"):
        open_package(path).scan("accounts")


def test_empty_prefixed_cells_move_the_next_cell(monkeypatch, tmp_path):
    """1,200 empty <x:c/> (no end tag shows the prefix) put the cell after them into column 1,201."""
    monkeypatch.setenv("KAM_XL_MAX_SHEET_CELLS", "1000000")
    current_limits.cache_clear()
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    path = _book(tmp_path / "prefixed_far.xlsx", '<row r="1">' + f'<x:c xmlns:x="{ns}"/>' * 1200 +
                 '<c><v>1</v></c></row><row r="2000"><c r="A2000"><v>1</v></c></row>')
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("accounts").to_python(skip_empty_area=False)
    assert (len(grid), len(grid[0])) == (2_000, 1_201)
    with pytest.raises(WorkbookError, match=r"as far as row 2,000 and column 1,201: 2,402,000 cells from A1"):
        open_package(path).scan("accounts")


def test_percent_cells_written_any_way_in_a_sheet_without_prefixes(tmp_path):
    """Attribute order, quotes, spacing, t before s, a row's style (not its cells'): each cell as Excel shows it."""
    path = _book(tmp_path / "odd.xlsx",
                 "<row r='1'><c s='1' r='A1'><v>0.5</v></c><c r = \"B1\" s = \"2\"><v>0.25</v></c>"
                 '<c t="n" r="C1" s="1"><v>0.1</v></c><c r="D1" t="n" s="2"><v>0.2</v></c><c r="E1" s="1"><v>1</v></c>'
                 '<c r="F1"\n s="1"><v>2</v></c><c r="G1" s="0"><v>3</v></c></row>'
                 '<row r="2" s="1" customFormat="1"><c r="A2"><v>3</v></c></row>', dimension="A1:G2")
    package = open_package(path)
    assert package.scan("accounts").kinds == {(0, c): PERCENT for c in range(6)}


def test_error_and_uncached_cells_written_any_way(tmp_path):
    path = _book(tmp_path / "errors.xlsx",
                 '<row r="1"><c r="A1" t="e"><v>#N/A</v></c><c r="B1"><f>A1</f></c><c r="C1"><f>A1</f><v/></c>'
                 "<c r='D1'><f t='shared' si='0' ref='D1:E1'>A1</f ></c><c r=\"E1\" t = 'e' ><f si=\"0\" t=\"shared\"/>"
                 '<v>#DIV/0!</v></c><c r="F1"><f>A1</f><v></v></c><c r="G1" t="e"/></row>', dimension="A1:G1")
    kinds = open_package(path).scan("accounts").kinds
    assert kinds == {(0, 0): CellError("#N/A"), (0, 1): CellError("", "A1"), (0, 2): CellError("", "A1"),
                     (0, 3): CellError("", "A1"), (0, 4): CellError("#DIV/0!"), (0, 6): CellError("")}


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> list[Path]:
    """Two demo plans as kam_xl writes them, and one of them saved again by openpyxl (its own writing, every
    formula without its result)."""
    db = demo_databook()
    out = tmp_path_factory.mktemp("scan")
    when = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    paths = [write_book(account_plan(AccountPlanData.from_databook(db, a.account_id), "de", when),
                        out / f"{a.account_id}.xlsx") for a in db.accounts[:2]]
    resaved = out / "resaved.xlsx"
    openpyxl.load_workbook(paths[0]).save(resaved)
    return [*paths, resaved]


def test_the_scan_finds_what_a_look_at_every_cell_finds(plans):
    found = 0
    for path in plans:
        package = open_package(path)
        percent = package.percent_styles()
        for sheet, part in package.workbook().sheets.items():
            kinds = package.scan(sheet).kinds
            assert kinds == _walked_kinds(package.part(part), percent), (path.name, sheet)
            found += len(kinds)
    assert found > 500  # the plans have percent cells, the resaved one hundreds of uncached formulas


def test_the_engine_reads_the_same_values_as_from_the_file(plans):
    for path in plans:
        package = open_package(path)
        sheets = list(package.workbook().sheets)
        for sheet in sheets:
            package.scan(sheet)
        engine = CalamineWorkbook.from_filelike(io.BytesIO(package.engine_bytes(sheets)))
        original = CalamineWorkbook.from_path(str(path))
        assert engine.sheet_names == original.sheet_names
        for sheet in sheets:
            assert engine.get_sheet_by_name(sheet).to_python() == original.get_sheet_by_name(sheet).to_python()
