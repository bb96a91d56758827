"""How the demo workbooks print: page count and smallest print scale of the account plan (KA-002), a
questionnaire and the controller, printed to PDF by LibreOffice in the de-DE locale.

Usage: python tools/print_check.py [--keep DIR] [--lang de|en]

Per workbook it prints one line per sheet (hidden or not, orientation, A4, fit, the scale it prints at —
computed from the page setup as in :mod:`kam_xl.testing.pagesetup` —, print titles, manual row breaks) and the
totals: PDF pages, the smallest scale of a printed sheet, and the smallest scale LibreOffice actually set the
text in (the most frequent font size of a PDF page over 11 pt, :func:`kam_xl.testing.pdf.font_scales`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's kam_xl, wherever it is run from

from kam_xl.databook import demo_databook
from kam_xl.testing.pagesetup import demo_books, read_page_setups
from kam_xl.testing.pdf import font_scales, page_count, sheet_pages, to_pdf
from kam_xl.vocabulary import Lang
from kam_xl.workbook.printing import page_plan
from kam_xl.workbook.render import write_book


def check(folder: Path, lang: Lang = "de") -> list[str]:
    """Write, print and measure the demo workbooks in ``folder``; the report lines."""
    books = demo_books(demo_databook(), lang)
    files = [write_book(book, folder / f"{stem}.xlsx") for stem, book in books.items()]
    pdfs = to_pdf(files, folder / "pdf")
    lines = []
    for stem, xlsx, pdf in zip(books, files, pdfs, strict=True):
        setups = read_page_setups(xlsx)
        printed = [s for s in setups if not s.hidden]
        pages = sheet_pages(pdf, [s.name for s in printed])
        plans = {s.name: page_plan(s) for s in books[stem].sheets}
        for s in setups:
            planned = (len(plans[s.name].breaks) + 1) * plans[s.name].pages_wide if s.name in plans else 0
            lines.append(f"  {stem:13} {s.name:22} {'hidden' if s.hidden else 'printed':7} "
                         f"pages={pages.get(s.name, 0):2} (planned ≤ {planned if not s.hidden else 0:2}) "
                         f"{'landscape' if s.landscape else 'portrait ':9} A4={s.paper == 9!s:5} "
                         f"fit={s.fit!s:8} scale={s.scale:3}% cols={s.used_cols:3} titles={s.print_titles or '-'} "
                         f"breaks={len(s.row_breaks)}")
        scales = font_scales(pdf)
        lines.append(f"{stem}: {page_count(pdf)} pages, min print scale {min(s.scale for s in printed)} % "
                     f"(page setup), text set at min {min(scales) * 100:.0f} % (PDF font sizes)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the workbooks and PDFs here (default: a temporary folder)")
    parser.add_argument("--lang", default="de", choices=("de", "en"))
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        print("\n".join(check(args.keep, args.lang)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        print("\n".join(check(Path(tmp), args.lang)))


if __name__ == "__main__":
    main()
