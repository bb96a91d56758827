"""The quarterly review pack (seed 003: the KAOP is reviewed each quarter by the sales director or a leadership
board): from collected account plans, one PDF per account and one for all.

Pure core: :func:`account_review` turns one plan (:class:`~kam_xl.workbook.account_plan.AccountPlanData`, as
``collect`` reads it) and the quarter under review into a :class:`Review` — a title and the :data:`SECTIONS` in
order, each a table or "keine Daten" / "no data". :func:`review_sheet` lays a review out as a
:class:`~kam_xl.workbook.layout.Sheet` (the house renderer writes it); :func:`write_review_pack` is the I/O edge:
read the folder with :func:`kam_xl.batch.collect_plans`, write the workbooks, convert them with LibreOffice
(:func:`kam_xl.pdf.to_pdf`, de-DE number style) to ``review_Q<q>_<account>.pdf`` and ``review_Q<q>_all.pdf``.

Sections are data: a :class:`Section` has a key, a title and a function ``table(plan, quarter, lang)`` that
returns (headings, rows) or ``None`` when the plan has nothing for it. A sheet kind that brings its own part
(KASP projects, contacts) plugs in with its section's ``table`` in :data:`SECTIONS` (or a new :class:`Section`):
:func:`kasp_table` reads the KASP kind's part (:class:`~kam_xl.workbook.kasp_sheet.KaspPart`),
:func:`contacts_table` the people kinds' part (:class:`~kam_xl.buying_center.BuyingCenter`);
:func:`part_table` shows any other part that is a list of models as a plain table.

Figures (revenue, total cost, profit per quarter; year-to-date; the rolling forecast) are
:func:`kam_xl.kaop.compare` over the plan's KAOP with the actuals of the quarters up to the one under review,
lights with the plan's own thresholds (:func:`kam_xl.kaop.traffic_light`).
"""

from __future__ import annotations

import dataclasses
import tempfile
from calendar import monthrange
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from pydantic import BaseModel

from kam_xl.buying_center import BuyingCenter, contact_coverage
from kam_xl.kaop import QUARTERS, KaopComparison, VarianceCell, compare, kaop_plan
from kam_xl.kasp import KaspProject
from kam_xl.pdf import page_count, to_pdf
from kam_xl.vocabulary import KASP_STATUS_WORDS, LEVER_WORDS, LIGHT_FORMATS, LIGHT_WORDS, MEASURE_STATUS_WORDS, Lang
from kam_xl.workbook.account_plan import AccountPlanData
from kam_xl.workbook.kasp_sheet import KaspPart, KaspSheet
from kam_xl.workbook.layout import Book, Conditional, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.people_common import PART as PEOPLE_PART
from kam_xl.workbook.printing import MIN_FIT_SCALE, page_plan
from kam_xl.workbook.render import write_book

if TYPE_CHECKING:
    from kam_xl.batch import CellProblem

TEMPLATE_ID = "kam_xl.review"
TEMPLATE_VERSION = "1.0"
#: (key, German, English) of the KAOP figures a review shows
METRICS = (("revenue", "Umsatz", "Revenue"), ("total_cost", "Gesamtkosten", "Total cost"),
           ("profit", "Profitabilität absolut", "Profit"))
Table = tuple[list[str], list[list[Any]]]
#: the number style of the PDFs per language (de: 1.234.567, 11,8%; en: 1,234,567, 11.8%)
LOCALES: dict[str, str] = {"de": "de-DE", "en": "en-GB"}


@dataclass(frozen=True)
class Section:
    """One section of an account's review: ``table(plan, quarter, lang)`` gives its headings and rows, or
    ``None`` when the plan holds nothing for it (the page then says "keine Daten")."""

    key: str
    title: tuple[str, str]
    table: Callable[[AccountPlanData, int, Lang], Table | None]


@dataclass(frozen=True)
class Block:
    """A section as shown: title, and headings and rows (``None``: no data)."""

    key: str
    title: str
    table: Table | None


@dataclass(frozen=True)
class Review:
    """One account's review for ``quarter``."""

    account_id: str
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)


def comparison(plan: AccountPlanData, quarter: int) -> KaopComparison | None:
    """Plan vs actual of the plan's KAOP with the actuals of the quarters 1…``quarter`` (later ones are not
    closed at the review); ``None`` without a KAOP."""
    if plan.kaop is None:
        return None
    products, costs = plan.kaop.actual
    actual = kaop_plan([p for p in products if p.quarter <= quarter], [c for c in costs if c.quarter <= quarter])
    return compare(kaop_plan(*plan.kaop.plan), actual, thresholds=plan.kaop.thresholds)


class Variance(float):
    """A variance (actual − plan) where more is better — revenue's, profit's: printed signed both ways
    (``+69.178 €``), red below zero."""


class LowerIsBetter(Variance):
    """A variance where less is better — a cost's: signed, above zero (over plan) red, below zero (under plan,
    good) plain, as its light says."""


def _variance(cell: VarianceCell, higher_is_better: bool) -> float | None:
    if cell.variance is None:
        return None
    return Variance(cell.variance) if higher_is_better else LowerIsBetter(cell.variance)


def _light(cell: VarianceCell, lang: Lang) -> str | None:
    return LIGHT_WORDS[lang][cell.light] if cell.light else None


def kaop_table(plan: AccountPlanData, quarter: int, lang: Lang) -> Table | None:
    """Per figure and quarter up to ``quarter``: plan, actual, variance, attainment, light."""
    cmp = comparison(plan, quarter)
    if cmp is None:
        return None
    heads = [_t(lang, "Kennzahl", "Figure"), _t(lang, "Quartal", "Quarter"), "Plan", _t(lang, "Ist", "Actual"),
             _t(lang, "Abweichung", "Variance"), _t(lang, "Erfüllung", "Attainment"), _t(lang, "Ampel", "Light")]
    rows = [[_t(lang, de, en), f"Q{q}", c.plan, c.actual, _variance(c, line.higher_is_better), c.attainment,
             _light(c, lang)]
            for key, de, en in METRICS for q in QUARTERS if q <= quarter
            for line in [cmp.lines[key]] for c in [line.quarters[q]]]
    return heads, rows


def ytd_table(plan: AccountPlanData, quarter: int, lang: Lang) -> Table | None:
    """Per figure: year-to-date (closed quarters) plan, actual, attainment, light; the rolling forecast (actuals
    + plan of the open quarters) against the year plan."""
    cmp = comparison(plan, quarter)
    if cmp is None:
        return None
    heads = [_t(lang, "Kennzahl", "Figure"), _t(lang, "Plan YTD", "Plan YTD"), _t(lang, "Ist YTD", "Actual YTD"),
             _t(lang, "Erfüllung YTD", "Attainment YTD"), _t(lang, "Ampel", "Light"),
             _t(lang, "Prognose Jahr", "Forecast year"), _t(lang, "Plan Jahr", "Plan year"),
             _t(lang, "Prognose ÷ Plan", "Forecast ÷ plan")]
    rows = []
    for key, de, en in METRICS:
        line = cmp.lines[key]
        rows.append([_t(lang, de, en), line.ytd.plan, line.ytd.actual, line.ytd.attainment, _light(line.ytd, lang),
                     line.forecast, line.forecast_vs_plan.plan, line.forecast_vs_plan.attainment])
    return heads, rows


def measures_table(plan: AccountPlanData, quarter: int, lang: Lang) -> Table | None:
    """The measures not done (status other than "erledigt"), those due by ``quarter`` marked overdue."""
    if plan.kaop is None:
        return None
    heads = [_t(lang, "Maßnahme", "Measure"), _t(lang, "Hebel", "Lever"), _t(lang, "Verantwortlich", "Owner"),
             _t(lang, "Fällig", "Due"), "Status", _t(lang, "Überfällig", "Overdue")]
    rows = [[m.measure, LEVER_WORDS[lang][m.lever], m.owner, f"Q{m.due_quarter}" if m.due_quarter else None,
             MEASURE_STATUS_WORDS[lang][m.status],
             _t(lang, "ja", "yes") if m.due_quarter is not None and m.due_quarter <= quarter else ""]
            for m in plan.kaop.measures if m.status != "erledigt"]
    return heads, rows


def _year(plan: AccountPlanData) -> int:
    return plan.kaop.year if plan.kaop else plan.account.plan_year


def _date(d: date | None, lang: Lang) -> str | None:
    return None if d is None else format_date(d, format="dd.MM.yyyy" if lang == "de" else "yyyy-MM-dd",
                                              locale=LOCALES[lang].replace("-", "_"))


def kasp_due(projects: Iterable[KaspProject], plan_year: int, quarter: int) -> list[KaspProject]:
    """The projects due by the end of ``quarter`` of ``plan_year``, in data order: not closed or stopped, with a
    review date by then or ending in the plan year or before.

    >>> p = KaspProject(project="EDI", lever="Platzierung", start_year=2026, end_year=2027,
    ...                 review_date=date(2026, 7, 1))
    >>> [len(kasp_due([p], 2026, q)) for q in (2, 3)]
    [0, 1]
    """
    end = date(plan_year, 3 * quarter, monthrange(plan_year, 3 * quarter)[1])
    return [p for p in projects if p.status not in ("abgeschlossen", "gestoppt")
            and ((p.review_date is not None and p.review_date <= end) or p.end_year <= plan_year)]


def kasp_table(plan: AccountPlanData, quarter: int, lang: Lang) -> Table | None:
    """The KASP projects due by the end of ``quarter`` of the plan year (:func:`kasp_due`), from the KASP sheet
    kind's part (:class:`~kam_xl.workbook.kasp_sheet.KaspPart`); ``None`` without it."""
    part = plan.parts.get(KaspSheet.key)
    if not isinstance(part, KaspPart):
        return None
    heads = [_t(lang, "Projekt", "Project"), _t(lang, "Hebel", "Lever"), _t(lang, "Ziel", "Goal"),
             _t(lang, "Verantwortlich", "Owner"), _t(lang, "Überprüfung", "Review date"),
             _t(lang, "Ende (Jahr)", "End (year)"), "Status"]
    return heads, [[p.project, LEVER_WORDS[lang][p.lever], p.goal, p.owner, _date(p.review_date, lang),
                    p.end_year, KASP_STATUS_WORDS[lang][p.status]] for p in kasp_due(part.projects, _year(plan),
                                                                                      quarter)]


def contacts_behind(bc: BuyingCenter, plan_year: int, quarter: int) -> list[list[Any]]:
    """Per buying-center member behind the contact plan at ``quarter`` (data order): person, function,
    touchpoints of ``plan_year`` planned for Q1…``quarter``, of those done, open, the minimum per year and the
    touchpoints planned in the year. Behind: fewer done than planned by then, or the year's plan below the
    minimum (:func:`kam_xl.buying_center.contact_coverage` says ``below``)."""
    coverage = contact_coverage(bc, plan_year)
    rows = []
    for m in bc.members:
        planned = [t for t in bc.touchpoints if t.year == plan_year and t.person == m.person and t.quarter <= quarter]
        done = sum(1 for t in planned if t.done)
        if done < len(planned) or coverage[m.person].status == "below":
            rows.append([m.person, m.function, len(planned), done, len(planned) - done, m.min_contacts,
                         coverage[m.person].planned])
    return rows


def contacts_table(plan: AccountPlanData, quarter: int, lang: Lang) -> Table | None:
    """The buying-center members behind their contact plan at ``quarter`` (:func:`contacts_behind`), from the
    people sheet kinds' part (:class:`~kam_xl.buying_center.BuyingCenter`); ``None`` without it."""
    bc = plan.parts.get(PEOPLE_PART)
    if not isinstance(bc, BuyingCenter):
        return None
    heads = [_t(lang, "Person", "Person"), _t(lang, "Funktion", "Function"),
             _t(lang, f"Kontakte geplant Q1–Q{quarter}", f"Contacts planned Q1–Q{quarter}"),
             _t(lang, "davon erledigt", "done"), _t(lang, "offen", "open"),
             _t(lang, "Minimum im Jahr", "Minimum per year"), _t(lang, "geplant im Jahr", "planned in the year")]
    return heads, contacts_behind(bc, _year(plan), quarter)


def part_table(key: str) -> Callable[[AccountPlanData, int, Lang], Table | None]:
    """A section over any sheet kind part ``key`` (``plan.parts[key]``) that is a list of models: one row per
    model with its fields; ``None`` (no data) when the plan has no such part. For a new kind's section until it
    has its own ``table``."""

    def table(plan: AccountPlanData, quarter: int, lang: Lang) -> Table | None:
        part = plan.parts.get(key)
        items = list(part) if isinstance(part, list | tuple) else None
        if not items or not all(isinstance(x, BaseModel) for x in items):
            return None
        heads = list(type(items[0]).model_fields)
        return heads, [[_shown(getattr(x, h)) for h in heads] for x in items]

    return table


def _shown(value: Any) -> Any:
    return value if value is None or isinstance(value, int | float | str) else str(value)


#: The sections of every account's review, in order (see the module docstring to add one).
SECTIONS: list[Section] = [
    Section("kaop", ("KAOP Plan vs. Ist je Quartal", "KAOP plan vs. actual by quarter"), kaop_table),
    Section("ytd", ("Bis heute (YTD) und Prognose", "Year-to-date and forecast"), ytd_table),
    Section("measures", ("Offene Maßnahmen", "Open measures"), measures_table),
    Section("kasp", ("Fällige KASP-Projekte", "KASP projects due"), kasp_table),
    Section("contacts", ("Kontakte hinter Plan", "Contacts behind plan"), contacts_table),
]


def account_review(plan: AccountPlanData, quarter: int, lang: Lang = "de",
                   sections: Sequence[Section] | None = None) -> Review:
    """The review of one account for ``quarter`` (1–4): title and every section of ``sections`` (default
    :data:`SECTIONS`). Raises :class:`ValueError` for a quarter outside 1–4."""
    if quarter not in QUARTERS:
        raise ValueError(f"quarter {quarter!r} — allowed: 1, 2, 3 or 4 (Q1–Q4)")
    a = plan.account
    year = plan.kaop.year if plan.kaop else a.plan_year
    title = f"{pack_title(quarter, lang)} {year} – {a.account_id} {a.name}"
    subtitle = " · ".join(x for x in (a.region, _t(lang, f"KAM: {a.kam}", f"KAM: {a.kam}") if a.kam else "",
                                      _t(lang, f"Währung: {a.currency}", f"Currency: {a.currency}")) if x)
    blocks = [Block(s.key, _t(lang, *s.title), s.table(plan, quarter, lang)) for s in sections or SECTIONS]
    return Review(account_id=a.account_id, title=title, subtitle=subtitle, blocks=blocks)


def _style(head: str, value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "text"
    if isinstance(value, LowerIsBetter):
        return "money_lower_better"
    if isinstance(value, Variance):
        return "money_variance"
    if "÷" in head or head.startswith(("Erfüllung", "Attainment")):
        return "percent"
    return "money" if isinstance(value, float) else "integer"


def review_sheet(review: Review, lang: Lang) -> Sheet:
    """One account's review as a sheet (A4 landscape, fit to the page width — to one page when that stays
    legible, :func:`fits_one_page`): title, then each block's title and table, "keine Daten" where it has none;
    lights coloured."""
    s = Sheet(review.account_id[:31], widths={0: 26, **{c: 14 for c in range(1, 8)}})
    s.put(0, 0, review.title, style="title")
    s.put(1, 0, review.subtitle, style="note")
    r = 3
    lights = set(LIGHT_WORDS[lang].values())
    for block in review.blocks:
        s.put(r, 0, block.title, style="subtitle")
        r += 1
        if block.table is None or not block.table[1]:
            s.put(r, 0, _t(lang, "keine Daten", "no data") if block.table is None
                  else _t(lang, "keine Einträge", "none"), style="note")
            r += 2
            continue
        heads, rows = block.table
        for c, h in enumerate(heads):
            s.put(r, c, h, style="header")
        for i, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                s.put(r + i, c, v, style="bold" if v in lights else _style(heads[c], v))
        light_cols = {c for row in rows for c, v in enumerate(row) if v in lights}
        for c in light_cols:
            for key, fmt in LIGHT_FORMATS.items():
                s.conditionals.append(Conditional(r + 1, c, r + len(rows), c, {
                    "type": "cell", "criteria": "==", "value": f'"{LIGHT_WORDS[lang][key]}"', "format": dict(fmt)}))
        r += len(rows) + 2
    s.one_page = fits_one_page(s)
    return s


def fits_one_page(sheet: Sheet) -> bool:
    """Whether a review printed on more than one page at its width's scale fits on one page at a legible scale
    (at least :data:`~kam_xl.workbook.printing.MIN_FIT_SCALE`): a review is read as one page per account, so
    it then prints on one, a little smaller, rather than carrying its last section over to a page of its own."""
    if not page_plan(sheet).breaks:
        return False
    return page_plan(dataclasses.replace(sheet, one_page=True)).scale >= MIN_FIT_SCALE


@dataclass
class PackResult:
    """What :func:`write_review_pack` made: the PDFs (per account, and all), pages per PDF, the files collect
    skipped or refused (file, reason) and the accounts whose review failed (account, reason)."""

    pdfs: dict[str, Path] = field(default_factory=dict)
    all_pdf: Path | None = None
    pages: dict[str, int] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def _book(sheets: list[Sheet], lang: Lang, title: str) -> Book:
    return Book(template_id=TEMPLATE_ID, template_version=TEMPLATE_VERSION, sheets=sheets, lang=lang,
                meta={"title": title}, xlwings_conf=())


def write_review_pack(folder: Path, quarter: int, out_dir: Path, *, account: str | None = None, lang: Lang = "de",
                      progress: Callable[[str], None] | None = None) -> PackResult:
    """The review pack of the plans in ``folder`` (read as ``collect`` reads them) for ``quarter``: one PDF per
    account (``review_Q<q>_<id>.pdf``) and one for all (``review_Q<q>_all.pdf``) in ``out_dir``; only
    ``account`` when given. A file collect skips or refuses, and an account whose review cannot be built, is
    listed in the result and the others are made. ``progress(account_id)`` is called after each account.

    Raises :class:`kam_xl.pdf.SofficeMissing` without LibreOffice (before any work), :class:`ValueError` for a
    quarter outside 1–4 or an ``account`` that has no readable plan in ``folder``."""
    from kam_xl.batch import collect_plans
    from kam_xl.pdf import INSTALL_HINT, SofficeMissing
    from kam_xl.testing.recalc import find_soffice

    if quarter not in QUARTERS:
        raise ValueError(f"--quarter {quarter!r} — allowed: 1, 2, 3 or 4 (Q1–Q4)")
    if find_soffice() is None:
        raise SofficeMissing(INSTALL_HINT)
    collected = collect_plans(Path(folder))  # the plans' own language (``lang`` is the pack's)
    result = PackResult(skipped=[*collected.skipped, *_problem_files(collected.problems)])
    plans = sorted(collected.plans, key=lambda p: p.account.account_id)
    if account is not None:
        plans = [p for p in plans if p.account.account_id == account]
        if not plans:
            raise ValueError(f"--account {account}: no readable account plan of it in {folder}")
    sheets: dict[str, Sheet] = {}
    for plan in plans:
        aid = plan.account.account_id
        try:
            sheets[aid] = review_sheet(account_review(plan, quarter, lang), lang)
        except Exception as e:  # one bad plan never stops the pack
            result.failed.append((aid, f"{type(e).__name__}: {e}"))
        if progress:
            progress(aid)
    if not sheets:
        return result
    _render(sheets, quarter, Path(out_dir), lang, result)
    return result


def _problem_files(problems: Iterable[CellProblem]) -> list[tuple[str, str]]:
    """One line per file collect refused for invalid inputs (its first problem named)."""
    first: dict[str, CellProblem] = {}
    for p in problems:
        first.setdefault(p[0], p)
    return [(f, f"invalid input at {sheet}!{cell} ({value!r}; {why}) — not in the pack")
            for f, (_, sheet, cell, value, why) in first.items()]


def pack_title(quarter: int, lang: Lang) -> str:
    """The review pack's title in its language, printed in every page's header.

    >>> pack_title(2, "de"), pack_title(2, "en")
    ('Quartalsreview Q2', 'Quarterly review Q2')
    """
    return _t(lang, f"Quartalsreview Q{quarter}", f"Quarterly review Q{quarter}")


def _render(sheets: dict[str, Sheet], quarter: int, out_dir: Path, lang: Lang, result: PackResult) -> None:
    """Write one workbook per account and one with all, convert them in one LibreOffice run."""
    with tempfile.TemporaryDirectory(prefix="kam_xl_review_") as tmp:
        work = Path(tmp)
        head = pack_title(quarter, lang)  # the page header of every page
        files = {aid: write_book(_book([s], lang, f"{head} {aid}"), work / f"review_Q{quarter}_{aid}.xlsx")
                 for aid, s in sheets.items()}
        everything = write_book(_book(list(sheets.values()), lang, head), work / f"review_Q{quarter}_all.xlsx")
        pdfs = to_pdf([*files.values(), everything], out_dir, locale=LOCALES[lang], recalc=False)
    for aid, pdf in zip(files, pdfs, strict=False):
        result.pdfs[aid] = pdf
        result.pages[aid] = page_count(pdf)
    result.all_pdf = pdfs[-1]
    result.pages["all"] = page_count(pdfs[-1])
