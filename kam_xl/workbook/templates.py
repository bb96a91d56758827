"""The shipped templates: the empty workbooks in ``workbook_templates/``, built from code.

They are the build's output, never edited by hand. :func:`build_templates` writes them reproducibly (fixed
generation time), and a test rebuilds them and compares every XML part, so they cannot drift from the code.
Rebuild after changing a template: ``kam-xl templates``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from kam_xl.databook import AccountRow
from kam_xl.excellence import load_catalogue
from kam_xl.workbook.account_plan import AccountPlanData, account_plan
from kam_xl.workbook.layout import Book
from kam_xl.workbook.questionnaire import questionnaire
from kam_xl.workbook.render import write_book

BUILD_TIME = datetime(2026, 1, 1, tzinfo=UTC)
EMPTY_ACCOUNT = AccountRow(account_id="", name="", region="", plan_year=0)


def template_books() -> dict[str, Book]:
    """File name → layout of every shipped template (German and English)."""
    catalogue = load_catalogue()
    books: dict[str, Book] = {}
    for lang in ("de", "en"):
        books[f"account_plan_{lang}.xlsx"] = account_plan(
            AccountPlanData(account=EMPTY_ACCOUNT, cdb_year=None, cdb=None, activities=()), lang,
            generated_at=BUILD_TIME)
        books[f"questionnaire_{lang}.xlsx"] = questionnaire(catalogue, None, "", "", lang, generated_at=BUILD_TIME)
    return books


def build_templates(folder: str | Path) -> list[Path]:
    """Write every shipped template into ``folder``; returns the paths."""
    folder = Path(folder)
    return [write_book(book, folder / name) for name, book in template_books().items()]
