"""Read the page setup of every sheet of a written .xlsx (what Excel and LibreOffice print from), and the
scale each sheet prints at — for the print tests and ``tools/print_check.py``.

A sheet fit to N pages wide carries no scale in its XML (the application computes it when it paginates), so
:func:`read_page_setups` computes it as the application does: the width of the printed columns (the used
range, or the print area, widened to the right edge of its charts) against the printable width of the paper.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring
from xlsxwriter.utility import xl_cell_to_rowcol

from kam_xl.databook import DataBook
from kam_xl.excellence import load_catalogue
from kam_xl.vocabulary import Lang
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.controller import controller_workbook
from kam_xl.workbook.layout import Book
from kam_xl.workbook.printing import column_points, fit_scale, printable_width
from kam_xl.workbook.questionnaire import questionnaire
from kam_xl.workbook.streaming import held

__all__ = ["DEMO_PLAN_ACCOUNT", "PageSetup", "demo_books", "read_page_setups"]

#: The account whose plan the print checks print (the demo's account of issue 15's figures).
DEMO_PLAN_ACCOUNT = "KA-002"
_WHEN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
       "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"}
_RID = f"{{{_NS['r']}}}id"
_PAPER_A4 = 9
_DEFAULT_WIDTH = 8.43
_INCH = 72.0


@dataclass
class PageSetup:
    """One sheet's page setup as written: ``fit`` is (pages wide, pages tall; 0 = as many as needed) or
    ``None``; ``scale`` the percent it prints at (computed for a fit); ``print_titles`` the repeated rows and
    columns (``$1:$3``, ``$A:$A``); ``row_breaks`` the rows a manual page break comes before (0-based)."""

    name: str
    hidden: bool
    landscape: bool
    paper: int | None
    fit: tuple[int, int] | None
    scale: int
    print_titles: str = ""
    print_area: str = ""
    row_breaks: list[int] = field(default_factory=list)
    header: str = ""
    footer: str = ""
    used_cols: int = 0


def _part(z: zipfile.ZipFile, name: str) -> Element:
    return fromstring(z.read(name))


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, base = posixpath.split(part)
    rels = f"{folder}/_rels/{base}.rels"
    if rels not in z.namelist():
        return {}
    return {r.get("Id", ""): posixpath.normpath(posixpath.join(folder, r.get("Target", "")))
            for r in _part(z, rels).findall("rel:Relationship", _NS)}


def _chart_right_col(z: zipfile.ZipFile, sheet_part: str, root: Element) -> int:
    """The last column any drawing (chart) of the sheet reaches, -1 for none."""
    drawing = root.find("m:drawing", _NS)
    if drawing is None:
        return -1
    target = _rels(z, sheet_part).get(drawing.get(_RID, ""))
    if target is None:
        return -1
    cols = [int(c.text or 0) for c in _part(z, target).iterfind(".//xdr:to/xdr:col", _NS)]
    return max(cols, default=-1)


def _widths(root: Element) -> dict[int, float]:
    out: dict[int, float] = {}
    for col in root.iterfind("m:cols/m:col", _NS):
        for c in range(int(col.get("min", 1)) - 1, min(int(col.get("max", 1)), 200)):
            out[c] = 0.0 if col.get("hidden") == "1" else float(col.get("width", _DEFAULT_WIDTH))
    return out


def _last_col(ref: str) -> int:
    last = ref.split(":")[-1].replace("$", "")
    return xl_cell_to_rowcol(last if re.search(r"\d", last) else last + "1")[1]


def _names(z: zipfile.ZipFile) -> dict[tuple[str, int], str]:
    out = {}
    for dn in _part(z, "xl/workbook.xml").iterfind("m:definedNames/m:definedName", _NS):
        if dn.get("localSheetId") is not None:
            out[(dn.get("name", ""), int(dn.get("localSheetId", 0)))] = dn.text or ""
    return out


def _sheet_setup(z: zipfile.ZipFile, index: int, name: str, hidden: bool, part: str,
                 names: dict[tuple[str, int], str]) -> PageSetup:
    root = _part(z, part)
    setup = root.find("m:pageSetup", _NS)
    attrs = setup.attrib if setup is not None else {}
    pr = root.find("m:sheetPr/m:pageSetUpPr", _NS)
    fit = None
    if pr is not None and pr.get("fitToPage") == "1":
        fit = (int(attrs.get("fitToWidth", 1)), int(attrs.get("fitToHeight", 1)))
    margins = root.find("m:pageMargins", _NS)
    margin = float(margins.get("left", 0.7)) * _INCH if margins is not None else 0.7 * _INCH
    area = names.get(("_xlnm.Print_Area", index), "")
    dim = root.find("m:dimension", _NS)
    last = _last_col(area.split("!")[-1]) if area else _last_col(dim.get("ref", "A1")) if dim is not None else 0
    last = max(last, -1 if area else _chart_right_col(z, part, root))
    widths = _widths(root)
    content = sum(column_points(widths.get(c, _DEFAULT_WIDTH)) for c in range(last + 1))
    landscape = attrs.get("orientation") == "landscape"
    page = printable_width(landscape, margin=margin)
    scale = int(attrs.get("scale", 100))
    if fit is not None and fit[0] > 0:
        scale = min(scale, fit_scale(content / fit[0], page))
    breaks = [int(b.get("id", 0)) for b in root.iterfind("m:rowBreaks/m:brk", _NS)]
    hf = root.find("m:headerFooter", _NS)
    return PageSetup(
        name=name, hidden=hidden, landscape=landscape,
        paper=int(attrs["paperSize"]) if "paperSize" in attrs else None, fit=fit, scale=scale,
        print_titles=names.get(("_xlnm.Print_Titles", index), ""), print_area=area, row_breaks=breaks,
        header=(hf.findtext("m:oddHeader", "", _NS) if hf is not None else ""),
        footer=(hf.findtext("m:oddFooter", "", _NS) if hf is not None else ""), used_cols=last + 1)


def read_page_setups(path: Path) -> list[PageSetup]:
    """The page setup of every sheet of the workbook at ``path``, in workbook order."""
    with zipfile.ZipFile(path) as z:
        rels = _rels(z, "xl/workbook.xml")
        names = _names(z)
        sheets = _part(z, "xl/workbook.xml").findall("m:sheets/m:sheet", _NS)
        return [_sheet_setup(z, i, s.get("name", ""), s.get("state") in ("hidden", "veryHidden"),
                             rels[s.get(_RID, "")], names) for i, s in enumerate(sheets)]


def is_a4(setup: PageSetup) -> bool:
    """Whether the sheet prints on A4 paper."""
    return setup.paper == _PAPER_A4


def demo_books(db: DataBook, lang: Lang = "de") -> dict[str, Book]:
    """The three workbook kinds of the print checks by file stem, built from the data book ``db`` (the demo):
    the account plan of :data:`DEMO_PLAN_ACCOUNT`, the first respondent's questionnaire, the controller (its cells
    held: :func:`~kam_xl.workbook.streaming.held`, the same workbook cell by cell and page by page)."""
    catalogue = load_catalogue()
    response = db.responses()[0]
    return {
        "plan": account_plan(AccountPlanData.from_databook(db, DEMO_PLAN_ACCOUNT), lang, _WHEN),
        "questionnaire": questionnaire(catalogue, response, response.respondent, response.role, lang, _WHEN),
        # every cell held (its per-account sheets produce them when written): the checks read cells and page plans
        "controller": held(controller_workbook(db, lang, _WHEN, catalogue=catalogue)),
    }
