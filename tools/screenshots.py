"""Render the README's screenshots: demo workbooks → LibreOffice (de-DE) → PDF → PNG, cropped to the content.

Each screenshot is one :class:`Shot` in :data:`SHOTS`: the workbook (a key of :data:`BOOKS`), the sheet, the
output name in ``docs/`` and, when the sheet prints on several pages, a text on the wanted page. Adding a
screenshot is one line there. Every shot's workbook is written with only its sheet visible, so the PDF holds
that sheet's printed pages (the others' cells stay for its formulas' cached values); all PDFs come from one
LibreOffice run in the de-DE locale (``1.234,5``). The picture is the printed page cropped to the box of its
text (``pdftotext -bbox``) plus a margin, so nothing printed is cut.

Usage: ``python tools/screenshots.py [OUT_DIR]`` (default: the repository's ``docs/``); needs LibreOffice and
poppler-utils (pdftoppm, pdftotext). Prints each PNG written.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kam_xl.databook import demo_databook
from kam_xl.excellence import load_catalogue
from kam_xl.pdf import to_pdf
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.controller import controller_workbook
from kam_xl.workbook.layout import Book
from kam_xl.workbook.questionnaire import questionnaire
from kam_xl.workbook.render import write_book

ROOT = Path(__file__).resolve().parents[1]
WHEN = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # a fixed generation time: the same picture every run
RESOLUTION = 110  # dpi
MARGIN = 14  # points around the text box


def _plan(account_id: str) -> Book:
    return account_plan(AccountPlanData.from_databook(demo_databook(), account_id), "de", WHEN)


def _questionnaire() -> Book:
    response = demo_databook().responses()[0]
    return questionnaire(load_catalogue(), response, response.respondent, response.role, "de", WHEN)


#: The workbooks the shots come from, by key (demo data, German).
BOOKS: dict[str, Callable[[], Book]] = {
    "plan": lambda: _plan("KA-002"),
    "plan KA-001": lambda: _plan("KA-001"),  # the people and team sheets: seed 004's example account
    "controller": lambda: controller_workbook(demo_databook(), "de", WHEN),
    "questionnaire": _questionnaire,
}


@dataclass(frozen=True)
class Shot:
    """One screenshot: ``sheet`` of workbook ``book`` as ``docs/<name>.png``; the first printed page of the
    sheet, or the first that shows ``page_text``, or page ``page`` (1-based) for a page without text of its own
    (a chart's: pdftotext also reports a chart's words on the pages that cut it off)."""

    book: str
    sheet: str
    name: str
    page_text: str | None = None
    page: int | None = None


SHOTS: list[Shot] = [
    Shot("controller", "Cockpit", "controller_cockpit"),
    Shot("controller", "Kunden", "controller_portfolio", page_text="Kundenportfolio (Abb. 3)"),
    Shot("plan", "Kgb", "account_plan_kgb"),
    Shot("plan", "CDB", "account_plan_cdb"),
    Shot("plan", "KAOP", "account_plan_kaop"),
    Shot("questionnaire", "Fragebogen", "questionnaire"),
    Shot("plan KA-001", "Buying Center", "people_buying_center", page=3),  # the map, below both pages of the table
    Shot("plan KA-001", "Kontaktmatrix", "people_contacts"),
    Shot("plan KA-001", "Touchpoints", "people_touchpoints"),
    Shot("plan KA-001", "Team-RACI", "team_raci"),
    Shot("plan KA-001", "SWOT", "team_swot"),
    Shot("plan KA-001", "KASP", "team_kasp"),
    Shot("plan KA-001", "Lieferantenposition", "team_position"),
    Shot("controller", "Beziehungen", "relationships_controller"),
    Shot("controller", "Auswahl", "programme_selection", page_text="Summe (soll 100)"),  # score, rank, filters
    Shot("controller", "ABC-XYZ", "programme_abc_xyz"),
    Shot("controller", "Koordination", "programme_coordination", page_text="Gebiet Mittel"),  # means, shortfall
    Shot("controller", "Organisation", "programme_organisation"),
    Shot("controller", "St. Gallen", "programme_st_gallen"),
]


def only_sheet(book: Book, sheet: str) -> Book:
    """``book`` with ``sheet`` first (the active sheet, which is printed even when hidden) and every other sheet
    hidden (not printed; without a print area, which LibreOffice prints even on a hidden sheet)."""
    if sheet not in [s.name for s in book.sheets]:
        raise ValueError(f"no sheet {sheet!r} — the workbook has {[s.name for s in book.sheets]}")
    ordered = sorted(book.sheets, key=lambda s: s.name != sheet)
    return dataclasses.replace(book, sheets=[
        s if s.name == sheet else dataclasses.replace(s, hidden=True, print=dataclasses.replace(s.print, area=None))
        for s in ordered])


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def page_of(pdf: Path, text: str | None) -> int:
    """The first page (1-based) of ``pdf`` whose text holds ``text`` (1 without a text)."""
    if text is None:
        return 1
    pages = _run("pdftotext", "-layout", str(pdf), "-").split("\f")
    found = next((i for i, page in enumerate(pages, start=1) if text in page), None)
    if found is None:
        raise ValueError(f"{pdf.name}: no page shows {text!r}")
    return found


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def content_box(pdf: Path, page: int) -> tuple[float, float, float, float]:
    """The box (points: x0, y0, x1, y1) around every word printed on ``page``, widened by :data:`MARGIN` and
    kept on the page."""
    xml = _run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-")
    width, height = map(float, _PAGE.search(xml).groups())  # type: ignore[union-attr]
    words = [tuple(map(float, m)) for m in _WORD.findall(xml)]
    if not words:
        return 0.0, 0.0, width, height
    x0, y0 = min(w[0] for w in words), min(w[1] for w in words)
    x1, y1 = max(w[2] for w in words), max(w[3] for w in words)
    return max(0.0, x0 - MARGIN), max(0.0, y0 - MARGIN), min(width, x1 + MARGIN), min(height, y1 + MARGIN)


def render(out_dir: Path, shots: list[Shot] = SHOTS) -> list[Path]:
    """Every shot of ``shots`` as ``out_dir/<name>.png``; returns the PNGs."""
    out_dir.mkdir(parents=True, exist_ok=True)
    built = {key: BOOKS[key]() for key in {s.book for s in shots}}
    with tempfile.TemporaryDirectory(prefix="kam_xl_shots_") as tmp:
        work = Path(tmp)
        files = [write_book(only_sheet(built[s.book], s.sheet), work / f"{s.name}.xlsx") for s in shots]
        pdfs = to_pdf(files, work, locale="de-DE", recalc=False)
        written = []
        for shot, pdf in zip(shots, pdfs, strict=True):
            page = shot.page or page_of(pdf, shot.page_text)
            x0, y0, x1, y1 = (round(v * RESOLUTION / 72) for v in content_box(pdf, page))
            # pdftoppm adds ".png" to the name it is given: hand it the name without the suffix
            _run("pdftoppm", "-png", "-r", str(RESOLUTION), "-f", str(page), "-l", str(page), "-x", str(x0),
                 "-y", str(y0), "-W", str(x1 - x0), "-H", str(y1 - y0), "-singlefile", str(pdf),
                 str(out_dir / shot.name))
            written.append(out_dir / f"{shot.name}.png")
    return written


if __name__ == "__main__":
    for path in render(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"):
        print(f"wrote {path}")
