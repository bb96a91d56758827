"""Which year of an account's data a workbook or report shows: the two rules, once.

* the CDB statement shows the latest year with CDB amounts (:func:`latest_year`);
* the KAOP shows the account's plan year when the data has it (or has no year at all), otherwise the latest
  year it has (:func:`plan_year`).

The account plan, the controller and ``kam-xl report`` all pick their years here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def latest_year(years: Sequence[int]) -> int | None:
    """The latest of ``years`` (ascending, as :meth:`kam_xl.databook.DataBook.cdb_years` gives them);
    ``None`` when there is none.

    >>> latest_year([2024, 2025]), latest_year([])
    (2025, None)
    """
    return years[-1] if years else None


def plan_year(wanted: int, years: Sequence[int]) -> int:
    """The year to plan: ``wanted`` (the account's plan year) when ``years`` (ascending, the years with KAOP
    data) hold it or are empty, else the latest of them.

    >>> plan_year(2026, [2025, 2026]), plan_year(2027, [2025, 2026]), plan_year(2027, [])
    (2026, 2026, 2027)
    """
    return wanted if wanted in years or not years else years[-1]


def row_of_year(rows: Sequence[dict[str, Any]], year: int | None) -> dict[str, Any] | None:
    """The row of ``year`` among data-book rows with a ``year`` column, else the latest row; ``None`` for none
    (e.g. an account's portfolio position in its CDB year).

    >>> row_of_year([{"year": 2024}, {"year": 2026}, {"year": 2025}], 2025), row_of_year([{"year": 2024}], 2025)
    ({'year': 2025}, {'year': 2024})
    """
    return max(rows, key=lambda r: (r["year"] == year, r["year"])) if rows else None


def year_span(years: Iterable[int | None]) -> str:
    """The years of a sheet that shows several accounts' data, as its title says them: one year, or the first
    and last (``2024–2025``); empty for none.

    >>> year_span([2025, 2025, None]), year_span([2025, 2024]), year_span([])
    ('2025', '2024–2025', '')
    """
    known = sorted({y for y in years if y})
    if not known:
        return ""
    return str(known[0]) if len(known) == 1 else f"{known[0]}–{known[-1]}"


def cdb_year_reason(cdb_year: int | None, plan_year: int, lang: str = "de") -> str:
    """Why a plan for ``plan_year`` shows the CDB of ``cdb_year`` (:func:`latest_year`: the latest year with
    CDB amounts — the actuals the plan starts from); empty when the two agree or one is missing.

    >>> cdb_year_reason(2025, 2026)
    'Ist 2025: das letzte Jahr mit CDB-Daten im Datenbuch, Ausgangspunkt des Plans 2026. '
    """
    if not cdb_year or not plan_year or cdb_year == plan_year:
        return ""
    if lang == "de":
        return (f"Ist {cdb_year}: das letzte Jahr mit CDB-Daten im Datenbuch, Ausgangspunkt des Plans "
                f"{plan_year}. ")
    return f"Actuals {cdb_year}: the latest year with CDB data in the data book, the basis of the {plan_year} plan. "
