"""Print workbooks to PDF with LibreOffice in a given locale, and read the PDFs back (pages, text, font sizes).

What a controller sees on paper is what LibreOffice (or Excel) makes of the workbook's page setup, so the
print tests and ``tools/print_check.py`` convert with ``soffice --headless --convert-to pdf`` — with a fresh
profile per call whose locale is ``de-DE`` (numbers print as ``1.234,5``), cached values kept as kam_xl wrote
them (no recalculation: the recalculation tests check the formulas) — and read the result with poppler's
``pdfinfo`` / ``pdftotext`` (Debian package ``poppler-utils``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from kam_xl.pdf import page_count
from kam_xl.pdf import to_pdf as _to_pdf

__all__ = ["BODY_POINTS", "calibri_substitute", "font_scales", "page_count", "pdf_text", "sheet_pages", "to_pdf"]

#: The body font size of every generated workbook (xlsxwriter's default Calibri 11): a page printed at scale
#: s shows its body text at ``BODY_POINTS * s`` points in the PDF.
BODY_POINTS = 11.0
_FONT_SIZE = re.compile(rb"([0-9]+(?:\.[0-9]+)?) Tf")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)


def to_pdf(files: Sequence[Path], out_dir: Path, locale: str = "de-DE", timeout: float = 300) -> list[Path]:
    """Print ``files`` (workbooks) to ``out_dir/<stem>.pdf`` with LibreOffice in ``locale`` as kam_xl wrote them
    (cached values, no recalculation): :func:`kam_xl.pdf.to_pdf`, the one conversion kam_xl has.

    Raises :class:`kam_xl.pdf.SofficeMissing` without LibreOffice, ``RuntimeError`` naming the files soffice gave
    no PDF for or when it runs longer than ``timeout`` seconds."""
    return _to_pdf(files, out_dir, locale=locale, recalc=False, timeout=timeout)


def _poppler(tool: str, *args: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        raise RuntimeError(f"{tool} not found: install poppler-utils (Debian: apt-get install poppler-utils)")
    return subprocess.run([exe, *args], check=True, capture_output=True, text=True).stdout


def pdf_text(pdf: Path) -> str:
    """The text of ``pdf`` in reading layout (``pdftotext -layout``); pages separated by form feeds."""
    return _poppler("pdftotext", "-layout", str(pdf), "-")


def font_scales(pdf: Path) -> list[float]:
    """Per content stream of ``pdf`` (LibreOffice writes one per page), the scale its text is printed at: its
    most frequent font size over :data:`BODY_POINTS` (a page printed at 45 % sets its 11 pt cells in ~5 pt)."""
    data = pdf.read_bytes()
    scales = []
    for m in _STREAM.finditer(data):
        try:
            content = zlib.decompress(m.group(1))
        except zlib.error:
            continue
        sizes = Counter(float(s) for s in _FONT_SIZE.findall(content))
        if sizes:
            scales.append(round(sizes.most_common(1)[0][0] / BODY_POINTS, 3))
    return scales


def sheet_pages(pdf: Path, sheets: Sequence[str]) -> Counter[str]:
    """How many pages of ``pdf`` each sheet printed, by the sheet name its page header shows (the generated
    workbooks' header: book title left, sheet name centre, date right); pages of no known sheet count
    under ``""``."""
    count: Counter[str] = Counter()
    for page in pdf_text(pdf).split("\f")[:page_count(pdf)]:
        first = next((ln for ln in page.splitlines() if ln.strip()), "")
        parts = [p.strip() for p in re.split(r"\s{2,}", first.strip())]
        count[next((p for p in parts if p in sheets), "")] += 1
    return count


def calibri_substitute() -> str:
    """The font family fontconfig gives LibreOffice for Calibri, the workbooks' font (``Carlito`` when
    ``fonts-crosextra-carlito`` is installed: the same widths, so columns print as wide as in Excel); empty
    when ``fc-match`` is missing."""
    exe = shutil.which("fc-match")
    if exe is None:
        return ""
    return subprocess.run([exe, "-f", "%{family}", "Calibri"], capture_output=True, text=True).stdout.split(",")[0]
