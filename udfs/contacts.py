"""Excel functions of the contact matrix and the touchpoint plan (seed 000, Fragen 53–56; seed 004;
:mod:`kam_xl.buying_center`).

A contact matrix in a sheet is a column of members, a block of Manndecker marks (one row per member, one column
per person of ours; TRUE / ja / 1 marks the Manndecker), two columns of min and max contacts per year and a
block of touchpoints (one row per member, one column per quarter Q1–Q4; a filled cell is a planned touchpoint),
optionally with a block of done marks of the same shape.
"""

from __future__ import annotations

from typing import Annotated, Any

import xlwings as xw

from kam_xl.buying_center import BuyingCenter, ContactLink, Member, Touchpoint, contact_coverage, manndecker_count
from kam_xl.kaop import QUARTERS
from kam_xl.vocabulary import COVERAGE_WORDS
from udfs._cells import CellError, Grid, cell_arg, choice, excel_errors, flag, grid, is_empty, number, range_arg, texts

Members = Annotated[Any, range_arg("column of the members' names (the buying center)")]
Manndecker = Annotated[Any, range_arg(
    "block of Manndecker marks, one row per member, one column per person of ours: TRUE, ja or 1 = Manndecker")]
Bounds = Annotated[Any, range_arg("two columns: min and max contacts per year per member; empty = no bound")]
Touchpoints = Annotated[Any, range_arg(
    "block of touchpoints, one row per member, one column per quarter (Q1-Q4): a filled cell = one planned")]
Done = Annotated[Any, range_arg("block like touchpoints: TRUE, ja or 1 where the touchpoint is done")]
LangArg = Annotated[Any, cell_arg("language of the status words: de (default) or en")]


def _rows(value: Any, what: str, n: int, width: tuple[int, int] | None = None) -> Grid:
    rows = grid(value)
    if len(rows) != n:
        raise CellError(f"{what}: {len(rows)} rows for {n} members — allowed: one row per member")
    if width and rows and not width[0] <= len(rows[0]) <= width[1]:
        allowed = str(width[0]) if width[0] == width[1] else f"{width[0]} to {width[1]}"
        raise CellError(f"{what}: {len(rows[0])} columns — allowed: {allowed}")
    return rows


def _count(value: Any, what: str) -> int | None:
    found = number(value, what)
    if found is not None and (found < 0 or not found.is_integer()):
        raise CellError(f"{what}: holds {found:g} — allowed: a whole number ≥ 0, or empty for no bound")
    return None if found is None else int(found)


def _buying_center(members: Any, manndecker: Any, bounds: Any, touchpoints: Any, done: Any) -> BuyingCenter:
    names = texts(members, "members")
    twice = sorted({p for p in names if names.count(p) > 1})
    if twice:
        raise CellError(f"members: {', '.join(twice)} listed twice — allowed: each member once")
    n = len(names)
    marks, limits = _rows(manndecker, "manndecker", n), _rows(bounds, "bounds", n, (2, 2))
    plan = _rows(touchpoints, "touchpoints", n, (1, len(QUARTERS)))
    ticks = None if done is None or all(is_empty(v) for r in grid(done) for v in r) else _rows(done, "done", n)
    if ticks is not None and any(len(t) != len(p) for t, p in zip(ticks, plan, strict=True)):
        raise CellError("done: not laid out like touchpoints — allowed: one mark per touchpoint cell")
    people = [Member(person=p, min_contacts=_count(lo, f"bounds ({p}, min)"),
                     max_contacts=_count(hi, f"bounds ({p}, max)")) for p, (lo, hi) in zip(names, limits, strict=True)]
    links = [ContactLink(person=p, our_person=f"column {j + 1}", manndecker=True)
             for p, row in zip(names, marks, strict=True) for j, v in enumerate(row)
             if flag(v, f"manndecker ({p}, column {j + 1})", False)]
    touch = [Touchpoint(year=0, quarter=q, person=p,  # type: ignore[arg-type]
                        done=ticks is not None and flag(ticks[i][q - 1], f"done ({p}, Q{q})", False))
             for i, (p, row) in enumerate(zip(names, plan, strict=True))
             for q, v in zip(QUARTERS, row, strict=False) if not is_empty(v)]
    return BuyingCenter(account_id="Excel", members=tuple(people), contacts=tuple(links), touchpoints=tuple(touch))


@xw.func(category="KAM")
@excel_errors
def kam_contact_coverage(members: Members, manndecker: Manndecker, bounds: Bounds, touchpoints: Touchpoints,
                         done: Done = None, lang: LangArg = None) -> Grid:
    """Contact coverage per member, one row each: touchpoints planned, done, status against min/max per year
    (below, within, above target or no target) and the number of Manndeckers (exactly one is the rule)."""
    words = COVERAGE_WORDS[choice(lang, "lang", {"de": "de", "en": "en"}, "de")]
    bc = _buying_center(members, manndecker, bounds, touchpoints, done)
    coverage, count = contact_coverage(bc, 0), manndecker_count(bc)
    return [[float(c.planned), float(c.done), words[c.status], float(count[p])] for p, c in coverage.items()]
