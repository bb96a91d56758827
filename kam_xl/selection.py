"""Account selection for growth and the ABC/XYZ classification across all key accounts (SPEC §3.7, issue 12).

**Selection** (seed 001 §2.1): seven criteria (:data:`~kam_xl.company_settings.SELECTION_CRITERIA`), each rated
0–100 per account (barriers so that 100 = no barriers), weighted in % by the company settings. The score is
Σ wᵢ rᵢ ÷ Σ wᵢ over all seven (0–100); when a criterion with wᵢ > 0 has no rating the score is ``None``, the
criterion is listed in ``incomplete`` and the account gets no rank — as an incomplete supplier on a Kgb card.
Complete scores are ranked, 1 = highest, equal scores (within :data:`kam_xl.kgb.RANK_TOLERANCE`) by account id.
Where no rating is typed, three criteria are derived from the data: ``volume`` from the net sales and
``earnings`` from the CDB III rel (both of the latest year of the ``cdb`` table), ``potential`` from the
portfolio potential (latest year of the ``portfolio`` table), each scaled (x − min) ÷ (max − min) × 100 over the
accounts that have a value (``None`` when max = min). Growth candidate: all three growth filters ``ja``
(``True``), one ``nein`` (``False``), ``None`` while a filter is empty.

**ABC** over the net sales of the latest year of ``cdb``: sorted by net sales descending, equal ones by account
id; ``before`` = the net sales of the accounts above (summed one after the other, as the sheet's running-total
column does); A if before < abc_a × total, else B if before < abc_b × total, else C — compared by multiplying, so
the workbook agrees exactly; with a positive total the first account is always A, and the account that crosses
abc_a is still A. An account without a row for that year, or with negative net sales, gets ``None`` and is left
out of the total. **XYZ** by the coefficient of variation (population standard deviation ÷ mean) of the four
quarterly revenues of the account's plan year in the KAOP: the actual ones when all four quarters have actuals,
else the plan (``xyz_basis``); X if cv ≤ xyz_x, Y if cv ≤ xyz_y, else Z; ``xyz`` and ``cv`` ``None`` with fewer
than four quarters or a mean of 0.

Every function is pure; :func:`selection_inputs` and :func:`quarter_revenues` read what they need from a
validated :class:`~kam_xl.databook.DataBook`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kam_xl.cdb import cdb_statement
from kam_xl.company_settings import SELECTION_CRITERIA, CompanySettings
from kam_xl.databook import DataBook
from kam_xl.kaop import QUARTERS, kaop_plan
from kam_xl.kgb import RANK_TOLERANCE, rank_positions
from kam_xl.maths import total
from kam_xl.years import plan_year

#: The criteria a rating can be derived for, and the figure each is derived from.
DERIVED_FROM: dict[str, str] = {"volume": "net_sales", "earnings": "cdb_iii_rel", "potential": "potential"}
#: The three growth filters (seed 001 §2.1), in the seed's order.
GROWTH_FILTERS = ("has_potential", "grows", "willing")
AbcClass = Literal["A", "B", "C"]
XyzClass = Literal["X", "Y", "Z"]
Basis = Literal["actual", "plan"]


class SelectionInput(BaseModel):
    """One account's selection data: typed ratings (criterion → 0–100, absent = not typed), growth filters
    (``True`` = ja, ``None`` = empty) and the figures the ratings are derived from (``None``: no value)."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    ratings: dict[str, float] = Field(default_factory=dict)
    filters: dict[str, bool | None] = Field(default_factory=dict)
    net_sales: float | None = None
    cdb_iii_rel: float | None = None
    potential: float | None = None


class SelectionResult(BaseModel):
    """One account's selection result — the report contract's ``selection`` item: score 0–100 (``None`` when
    incomplete), rank (1 = highest), growth candidate, the criteria without a rating, and the ratings derived
    from the data: each derivable criterion without a typed rating, with its derived rating (``None`` where it
    cannot be derived: no value, or all accounts alike)."""

    account_id: str
    score: float | None
    rank: int | None
    growth_candidate: bool | None
    incomplete: list[str]
    derived: dict[str, float | None]
    #: each derivable criterion with a typed rating, and the derived rating the typed one overrides (the sheet's
    #: derived column shows it as well): ``derived`` and ``overridden`` together hold every derived rating
    overridden: dict[str, float | None] = Field(default_factory=dict)


def derived_shown(result: SelectionResult) -> dict[str, tuple[float | None, bool]]:
    """Each derivable criterion (:data:`DERIVED_FROM`) → (its derived rating, whether a typed rating overrides
    it): what the report and the controller's selection sheet both show — the derived value always, typed
    overrides marked (:func:`kam_xl.vocabulary.override_marked`).

    >>> r = SelectionResult(account_id="K", score=None, rank=None, growth_candidate=None, incomplete=[],
    ...                     derived={"earnings": 80.0, "potential": None}, overridden={"volume": 12.5})
    >>> derived_shown(r)
    {'volume': (12.5, True), 'earnings': (80.0, False), 'potential': (None, False)}
    """
    return {c: (result.overridden[c], True) if c in result.overridden else (result.derived.get(c), False)
            for c in DERIVED_FROM}


class AbcXyzResult(BaseModel):
    """One account's ABC and XYZ class — the report contract's ``abc_xyz`` item."""

    account_id: str
    abc: AbcClass | None
    xyz: XyzClass | None
    cv: float | None
    xyz_basis: Basis | None


# --- selection ----------------------------------------------------------------------------------------------------

def scaled(values: Sequence[float | None]) -> list[float | None]:
    """Each value scaled (x − min) ÷ (max − min) × 100 over the values given; ``None`` for a missing value and
    for all when max = min (nothing to tell apart).

    >>> scaled([10.0, None, 30.0, 20.0])
    [0.0, None, 100.0, 50.0]
    >>> scaled([5.0, 5.0, None])
    [None, None, None]
    """
    given = [v for v in values if v is not None]
    if not given or max(given) == min(given):
        return [None] * len(values)
    low, high = min(given), max(given)
    return [None if v is None else (v - low) / (high - low) * 100 for v in values]


def derived_ratings(items: Sequence[SelectionInput]) -> list[dict[str, float | None]]:
    """Per account the derived rating of each criterion of :data:`DERIVED_FROM`, scaled over ``items``."""
    columns = {c: scaled([getattr(x, f) for x in items]) for c, f in DERIVED_FROM.items()}
    return [{c: columns[c][i] for c in DERIVED_FROM} for i in range(len(items))]


def effective_ratings(item: SelectionInput, derived: Mapping[str, float | None]) -> dict[str, float | None]:
    """The rating of each criterion: the typed one, else the derived one, else ``None``."""
    return {c: item.ratings[c] if c in item.ratings else derived.get(c) for c in SELECTION_CRITERIA}


def selection_score(weights: Mapping[str, float], ratings: Mapping[str, float | None]
                    ) -> tuple[float | None, list[str]]:
    """(Σ wᵢ rᵢ ÷ Σ wᵢ, the criteria with wᵢ > 0 and no rating); the score is ``None`` when one is missing or
    the weights sum to 0.

    >>> selection_score({"a": 60, "b": 40}, {"a": 50.0, "b": 100.0})
    (70.0, [])
    >>> selection_score({"a": 60, "b": 40, "c": 0}, {"a": 50.0, "b": None, "c": None})
    (None, ['b'])
    """
    missing = [c for c, w in weights.items() if w > 0 and ratings.get(c) is None]
    weight = total(weights.values())
    if missing or weight == 0:
        return None, missing
    return total(w * (ratings.get(c) or 0.0) for c, w in weights.items()) / weight, []


def growth_candidate(filters: Mapping[str, bool | None]) -> bool | None:
    """All three growth filters ja → ``True``; ``None`` while one is empty; else ``False``."""
    values = [filters.get(f) for f in GROWTH_FILTERS]
    return None if any(v is None for v in values) else all(values)


def rank_of_scores(values: Sequence[float | None], tolerance: float = RANK_TOLERANCE) -> list[int | None]:
    """Rank of each value, 1 = largest, ``None`` for ``None``: 1 + the values larger by more than ``tolerance``
    + the earlier values within ``tolerance`` — the house's rank formula
    (:func:`kam_xl.workbook.formulas.rank_terms`) as the sheet counts it; :func:`kam_xl.kgb.rank_positions`, in
    O(n log n), so that 10,000 accounts rank at once.

    >>> rank_of_scores([70.0, None, 80.0, 70.0])
    [2, None, 1, 3]
    """
    return rank_positions(values, tolerance)


def select_accounts(items: Sequence[SelectionInput], weights: Mapping[str, float]) -> list[SelectionResult]:
    """The selection result of every account in ``items`` (in their order): derived ratings over all of them,
    score, rank among the complete scores (equal ones by account id), growth candidate."""
    derived = derived_ratings(items)
    scored = [selection_score(weights, effective_ratings(x, d)) for x, d in zip(items, derived, strict=True)]
    by_id = sorted(range(len(items)), key=lambda i: items[i].account_id)
    ranks = rank_of_scores([scored[i][0] for i in by_id])
    rank_of = {i: ranks[k] for k, i in enumerate(by_id)}
    return [SelectionResult(account_id=x.account_id, score=scored[i][0], rank=rank_of[i],
                            growth_candidate=growth_candidate(x.filters), incomplete=scored[i][1],
                            derived={c: v for c, v in derived[i].items() if c not in x.ratings},
                            overridden={c: v for c, v in derived[i].items() if c in x.ratings})
            for i, x in enumerate(items)]


# --- ABC / XYZ ----------------------------------------------------------------------------------------------------

def abc_order(net_sales: Mapping[str, float | None]) -> list[str]:
    """The accounts that take part in ABC (net sales given and ≥ 0), by net sales descending, ties by id."""
    return sorted((a for a, v in net_sales.items() if v is not None and v >= 0),
                  key=lambda a: (-net_sales[a], a))  # type: ignore[operator]


def abc_classes(net_sales: Mapping[str, float | None], abc_a: float = 0.8, abc_b: float = 0.95
                ) -> dict[str, AbcClass | None]:
    """The ABC class of each account (``None``: no net sales or negative ones).

    >>> abc_classes({"K1": 50.0, "K2": 30.0, "K3": 15.0, "K4": 5.0, "K5": None})
    {'K1': 'A', 'K2': 'A', 'K3': 'B', 'K4': 'C', 'K5': None}
    """
    order = abc_order(net_sales)
    whole = 0.0
    for a in order:  # one addition after the other, as the sheet's running total
        whole += net_sales[a]  # type: ignore[operator]
    out: dict[str, AbcClass | None] = dict.fromkeys(net_sales)
    before = 0.0
    for a in order:
        out[a] = "A" if before < abc_a * whole else "B" if before < abc_b * whole else "C"
        before += net_sales[a]  # type: ignore[operator]
    return out


def coefficient_of_variation(values: Sequence[float]) -> float | None:
    """Population standard deviation ÷ mean of four or more values; ``None`` for fewer or a mean of 0.

    >>> coefficient_of_variation([100.0, 100.0, 100.0, 100.0]), coefficient_of_variation([50.0, 150.0, 50.0, 150.0])
    (0.0, 0.5)
    """
    if len(values) < len(QUARTERS):
        return None
    mean = total(values) / len(values)
    if mean == 0:
        return None
    return math.sqrt(total((v - mean) ** 2 for v in values) / len(values)) / mean


def xyz_class(cv: float | None, xyz_x: float = 0.25, xyz_y: float = 0.5) -> XyzClass | None:
    """X if cv ≤ xyz_x, Y if cv ≤ xyz_y, else Z; ``None`` without a cv."""
    if cv is None:
        return None
    return "X" if cv <= xyz_x else "Y" if cv <= xyz_y else "Z"


def xyz_of(quarters: Mapping[Basis, Mapping[int, float]], xyz_x: float = 0.25, xyz_y: float = 0.5
           ) -> tuple[XyzClass | None, float | None, Basis | None]:
    """(class, cv, basis) from the quarterly revenues of the plan year by scenario: the actual ones when all four
    quarters have actuals, else the plan (basis ``None`` when the account has no KAOP quarter at all)."""
    actual, plan = quarters.get("actual", {}), quarters.get("plan", {})
    if len(actual) == len(QUARTERS):
        basis: Basis | None = "actual"
    else:
        basis = "plan" if plan or actual else None
    used = actual if basis == "actual" else plan
    cv = coefficient_of_variation([used[q] for q in QUARTERS if q in used])
    return xyz_class(cv, xyz_x, xyz_y), cv, basis


def classify_accounts(net_sales: Mapping[str, float | None],
                      quarters: Mapping[str, Mapping[Basis, Mapping[int, float]]],
                      settings: CompanySettings) -> list[AbcXyzResult]:
    """ABC and XYZ of every account of ``net_sales`` (in its order) with the thresholds of ``settings``."""
    abc = abc_classes(net_sales, settings.abc_a, settings.abc_b)
    out = []
    for a in net_sales:
        xyz, cv, basis = xyz_of(quarters.get(a, {}), settings.xyz_x, settings.xyz_y)
        out.append(AbcXyzResult(account_id=a, abc=abc[a], xyz=xyz, cv=cv, xyz_basis=basis))
    return out


# --- from a data book ---------------------------------------------------------------------------------------------

def latest_table_year(rows: Sequence[Mapping[str, object]] | None) -> int | None:
    """The latest ``year`` of a data-book table's rows; ``None`` for none."""
    years = [r["year"] for r in rows or []]
    return max(years) if years else None  # type: ignore[type-var,return-value]


def _cdb_figures(db: DataBook, account_id: str, year: int | None) -> tuple[float | None, float | None]:
    """(net sales, CDB III rel) of one account in ``year`` (``None`` without a row)."""
    found = db.cdb_input(account_id, year) if year is not None else None
    if not found:
        return None, None
    st = cdb_statement(*found)
    return st.net_sales, st.cdb_iii_rel


def selection_inputs(db: DataBook) -> list[SelectionInput]:
    """Every account's selection data from a validated data book (:class:`kam_xl.databook.DataBook`): typed
    ratings (``selection`` table, empty = not typed), growth filters (``growth_filters``, ja/nein), net sales and
    CDB III rel of the latest year of ``cdb`` and potential of the latest year of ``portfolio``."""
    year = latest_table_year(db.table("cdb"))
    p_year = latest_table_year(db.table("portfolio"))
    out = []
    for a in db.accounts:
        aid = a.account_id
        ratings = {r["criterion"]: float(r["rating"]) for r in db.rows_for("selection", aid)
                   if r.get("rating") is not None}
        filters_row = next(iter(db.rows_for("growth_filters", aid)), None)
        filters = {f: None if filters_row is None or filters_row.get(f) is None else filters_row[f] == "ja"
                   for f in GROWTH_FILTERS}
        net, rel = _cdb_figures(db, aid, year)
        pot = next((r["potential"] for r in db.rows_for("portfolio", aid) if r["year"] == p_year), None)
        out.append(SelectionInput(account_id=aid, ratings=ratings, filters=filters, net_sales=net, cdb_iii_rel=rel,
                                  potential=pot))
    return out


def quarter_revenues(db: DataBook) -> dict[str, dict[Basis, dict[int, float]]]:
    """Per account with KAOP data the revenue of each quarter of its plan year (the year the KAOP sheets show,
    :func:`kam_xl.years.plan_year`) by scenario; a quarter is there when it has a product or cost row."""
    out: dict[str, dict[Basis, dict[int, float]]] = {}
    for a in db.accounts:
        years = db.kaop_years(a.account_id, "plan") or db.kaop_years(a.account_id, "actual")
        if not years:
            continue
        year = plan_year(a.plan_year, years)
        plans = {sc: kaop_plan(*db.kaop_rows(a.account_id, year, sc)) for sc in ("plan", "actual")}
        out[a.account_id] = {sc: {q: p.revenue for q, p in plan.quarters.items()} for sc, plan in plans.items()}
    return out
