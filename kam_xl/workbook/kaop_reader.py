"""Reading the KAOP sheet back: :func:`parse_kaop` turns the values of its defined names into
:class:`~kam_xl.workbook.kaop_layout.KaopInputs`, reporting every refused value and keeping the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from kam_xl.errors import ReportProblem
from kam_xl.kaop import (
    COST_CATEGORIES,
    QUARTERS,
    CostBasis,
    CostQuarter,
    KaopMeasure,
    PotentialGoal,
    ProductQuarter,
    Quarter,
    Thresholds,
)
from kam_xl.vocabulary import LEVER_WORDS, Lang
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.kaop_layout import (
    AMBER,
    BASIS_WORDS,
    GREEN,
    STATUS_WORDS,
    THRESHOLD_BOUNDS,
    THRESHOLDS_ALLOWED,
    KaopInputs,
    Scenario,
)
from kam_xl.workbook.layout import KIND_BOUNDS, TEXT_MAX_CHARS

#: the defined names of the KAOP inputs; any of them present means the values hold a KAOP sheet
KAOP_INPUT_NAMES = ("kaop_year", GREEN, AMBER, "kaop_goals", "kaop_measures",
                    *(f"kaop_{sc}_{k}" for sc in ("plan", "actual")
                      for k in ("products", "volume", "price", "sow", "cost_type", "cost_value")))


def _at(block: Any, r: int, c: int) -> Any:
    return block[r][c] if isinstance(block, list) and r < len(block) and isinstance(block[r], list) \
        and c < len(block[r]) else None


def _rows(block: Any) -> int:
    return len(block) if isinstance(block, list) else 0


_NO_ROW: list[Any] = []


def _row(block: Any, r: int) -> list[Any]:
    """Row ``r`` of a block as a list (empty where the block has no such row or is no block)."""
    if isinstance(block, list) and r < len(block):
        row = block[r]
        return row if isinstance(row, list) else _NO_ROW
    return _NO_ROW


def _problem(problem: ReportProblem, name: str, row: int | None, col: int | None, raw: Any, e: Refusal,
             what: str) -> None:
    problem(name, row, col, shown(raw), e.allowed(what))


_EMPTY_TRIPLE = (None, None, None)
_PRODUCT_CELLS = (("volume", KIND_BOUNDS["amount"], "a quantity ≥ 0"),
                  ("price", KIND_BOUNDS["amount"], "a price per unit ≥ 0"),
                  ("sow", KIND_BOUNDS["fraction"], "a share of wallet from 0 % to 100 %"))


def _parse_scenario(values: Mapping[str, Any], scenario: Literal["plan", "actual"], lang: Lang,
                    problem: ReportProblem) -> Scenario:
    pre = f"kaop_{scenario}_"
    names, vol, price, sow = (values.get(pre + k) for k in ("products", "volume", "price", "sow"))
    products: list[ProductQuarter] = []
    seen: set[str] = set()
    for i in range(max(_rows(b) for b in (names, vol, price, sow))):
        v_row, p_row, s_row = _row(vol, i)[:4], _row(price, i)[:4], _row(sow, i)[:4]
        if v_row.count(None) == len(v_row) and p_row.count(None) == len(p_row) and \
                s_row.count(None) == len(s_row):
            continue  # a name alone (or nothing) gives no rows (most rows of a block are spare rows)
        cells = {q: (v_row[q - 1] if q <= len(v_row) else None, p_row[q - 1] if q <= len(p_row) else None,
                     s_row[q - 1] if q <= len(s_row) else None) for q in QUARTERS}
        raw_name = _at(names, i, 0)
        try:
            name = coerce.text(raw_name)
            if name is None:
                raise Refusal()
        except Refusal as e:
            _problem(problem, pre + "products", i, 0, raw_name, e, "the product's name (the row has numbers)")
            continue
        if name in seen:
            problem(pre + "products", i, 0, raw_name, "a product name not used in another row of the block")
            continue
        seen.add(name)
        for q, triple in cells.items():
            if triple == _EMPTY_TRIPLE:
                continue
            numbers: list[float | None] = []
            for (key, bounds, allowed), x in zip(_PRODUCT_CELLS, triple, strict=True):
                try:
                    numbers.append(coerce.number(x, *bounds))
                except Refusal as e:
                    _problem(problem, pre + key, i, q - 1, x, e, allowed)
            if len(numbers) < 3:
                continue
            v, p, share = numbers
            if v is None and p is None:
                # the sheet counts a quarter only by volume, price or costs: a share alone would be lost
                problem(pre + "volume", i, q - 1, None, "a volume and a price for the share of wallet, or no share")
                continue
            products.append(ProductQuarter(product=name, quarter=q, volume=v or 0.0, price=p or 0.0,
                                           share_of_wallet=share))
    types, amounts = values.get(pre + "cost_type"), values.get(pre + "cost_value")
    words = BASIS_WORDS[lang]
    low, high = KIND_BOUNDS["amount"]
    costs: list[CostQuarter] = []
    for i, c in enumerate(COST_CATEGORIES):
        raw_basis = _at(types, i, 0)
        filled = {q: x for q, x in zip(QUARTERS, _row(amounts, i), strict=False) if x is not None}
        try:
            basis: CostBasis | None = coerce.word(raw_basis, words)
            if basis is None and filled:
                raise Refusal()
        except Refusal as e:
            _problem(problem, pre + "cost_type", i, 0, raw_basis, e, "one of " + " / ".join(words.values()))
            continue
        if basis is None:
            continue
        for q, x in filled.items():
            try:  # the usual case first
                value = x if type(x) is float and low <= x <= high else coerce.number(x, low, high)
            except Refusal as e:
                _problem(problem, pre + "cost_value", i, q - 1, x, e,
                         "an amount in € ≥ 0" if basis == "amount" else "a rate of revenue ≥ 0 (e.g. 20 %)")
                continue
            costs.append(CostQuarter(category=c, quarter=q, amount=value if basis == "amount" else None,
                                     rate_of_revenue=value if basis == "rate" else None))
    return products, costs


def _parse_thresholds(values: Mapping[str, Any], problem: ReportProblem) -> Thresholds:
    default = Thresholds()
    got: dict[str, float] = {}
    for name in (GREEN, AMBER):
        if name not in values:
            got[name] = getattr(default, "green" if name == GREEN else "amber")
            continue
        try:
            got[name] = coerce.number(values[name], *THRESHOLD_BOUNDS, required=True)  # type: ignore[assignment]
        except Refusal as e:
            _problem(problem, name, None, None, values[name], e, THRESHOLDS_ALLOWED)
    if len(got) < 2:
        return default
    if got[AMBER] > got[GREEN]:
        problem(AMBER, None, None, got[AMBER], f"an attainment ≤ the green threshold ({got[GREEN]:.0%})")
        return default
    return Thresholds(green=got[GREEN], amber=got[AMBER])


def _texts(problem: ReportProblem, name: str, r: int, row: list[Any], cols: tuple[int, ...]) -> list[str | None] | None:
    """The text cells ``cols`` of a table row (``None`` where empty); ``None`` when one is refused (reported)."""
    out: list[str | None] = []
    for c in cols:
        try:
            out.append(coerce.text(row[c]))
        except Refusal as e:
            _problem(problem, name, r, c, row[c], e, f"a text of at most {TEXT_MAX_CHARS:,} characters")
            return None
    return out


def _parse_goals(values: Mapping[str, Any], problem: ReportProblem) -> list[PotentialGoal]:
    block = values.get("kaop_goals")
    goals = []
    for r in range(_rows(block)):
        row = (_row(block, r)[:11] + [None] * 11)[:11]
        if row.count(None) == 11:
            continue
        texts = _texts(problem, "kaop_goals", r, row, (0, 1, 2))
        ok = texts is not None
        if texts is not None and texts[0] is None:
            problem("kaop_goals", r, 0, shown(row[0]), "the goal (the row has other values)")
            ok = False
        targets: dict[Quarter, float | None] = {}
        actuals: dict[Quarter, float | None] = {}
        for q in QUARTERS:
            for col, into in ((2 + q, targets), (6 + q, actuals)):
                try:
                    v = coerce.number(row[col], *KIND_BOUNDS["number"])
                except Refusal as e:
                    _problem(problem, "kaop_goals", r, col, row[col], e, "a number")
                    ok = False
                    continue
                if v is not None:
                    into[q] = v
        if ok and texts is not None:
            goals.append(PotentialGoal(goal=texts[0], metric=texts[1] or "", unit=texts[2] or "",
                                       targets=targets, actuals=actuals))
    return goals


def _due_quarter(raw: Any) -> int | None:
    """A measure's due quarter: ``1``–``4`` (also ``Q3``); ``None`` when empty; :class:`Refusal` otherwise."""
    due = coerce.text(raw)
    if due is None:
        return None
    due = due.upper().removeprefix("Q").strip()
    if due not in {str(q) for q in QUARTERS}:
        raise Refusal()
    return int(due)


def _measure_word(problem: ReportProblem, r: int, row: list[Any], col: int, table: dict[str, str],
                  required: bool) -> str | None:
    """The model value of a measure's drop-down word (lever, status); ``""`` for an empty optional one, ``None``
    when refused or missing (reported)."""
    try:
        found = coerce.word(row[col], table)
        if found is None and required:
            raise Refusal()
        return found or ""
    except Refusal as e:
        _problem(problem, "kaop_measures", r, col, row[col], e, "one of " + ", ".join(table.values()))
        return None


#: The columns of the measures block: measure, lever, owner, resources, due quarter, status, KASP project, SWOT
#: entry (a plan generated before the last two has six; its missing cells read as empty).
MEASURE_COLUMNS = 8
#: The columns of a measure's links: the KASP project it starts, the SWOT entry it answers.
MEASURE_KASP_PROJECT, MEASURE_SWOT_ENTRY = 6, 7


def typed_texts(values: Mapping[str, Any], names: Iterable[str], col: int) -> set[str]:
    """The readable texts in column ``col`` of the blocks ``names`` (the projects or entries a sheet holds, also
    in rows refused for another value): what a measure's link may name."""
    found: set[str] = set()
    for name in names:
        block = values.get(name)
        for r in range(_rows(block)):
            row = _row(block, r)
            try:
                text = coerce.text(row[col] if col < len(row) else None)
            except Refusal:
                continue
            if text is not None:
                found.add(text)
    return found


def check_measure_links(values: Mapping[str, Any], col: int, known: set[str], allowed: str,
                        problem: ReportProblem) -> None:
    """Each measure's link in column ``col`` of ``kaop_measures`` (a KASP project, a SWOT entry; compared after
    the one text rule) that names nothing ``known`` is a problem of that cell (the sheet kinds of the KASP and
    the SWOT call this with the texts they hold, :func:`typed_texts`)."""
    block = values.get("kaop_measures")
    for r in range(_rows(block)):
        row = _row(block, r)
        try:
            link = coerce.text(row[col] if col < len(row) else None)
        except Refusal:
            continue  # an unreadable cell is reported by the measures' reader
        if link is not None and link not in known:
            problem("kaop_measures", r, col, link, f"{allowed} — {link!r} is not there")


def _parse_measures(values: Mapping[str, Any], lang: Lang, problem: ReportProblem) -> list[KaopMeasure]:
    block = values.get("kaop_measures")
    measures = []
    for r in range(_rows(block)):
        row = (_row(block, r)[:MEASURE_COLUMNS] + [None] * MEASURE_COLUMNS)[:MEASURE_COLUMNS]
        if row.count(None) == MEASURE_COLUMNS:
            continue
        texts = _texts(problem, "kaop_measures", r, row, (0, 2, 3, MEASURE_KASP_PROJECT, MEASURE_SWOT_ENTRY))
        ok = texts is not None
        if texts is not None and texts[0] is None:
            problem("kaop_measures", r, 0, shown(row[0]), "the measure (the row has other values)")
            ok = False
        lever = _measure_word(problem, r, row, 1, LEVER_WORDS[lang], required=True)
        status = _measure_word(problem, r, row, 5, STATUS_WORDS[lang], required=False)
        ok = ok and lever is not None and status is not None
        try:
            due = _due_quarter(row[4])
        except Refusal as e:
            _problem(problem, "kaop_measures", r, 4, row[4], e, "a quarter 1–4, or empty")
            ok = False
        if ok and texts is not None:
            measures.append(KaopMeasure(measure=texts[0], lever=lever, owner=texts[1] or "",  # type: ignore[arg-type]
                                        resources=texts[2] or "", due_quarter=due,  # type: ignore[arg-type]
                                        status=status if status else "offen",  # type: ignore[arg-type]
                                        kasp_project=texts[3] or "", swot_entry=texts[4] or ""))
    return measures


def parse_kaop(values: Mapping[str, Any], lang: Lang, problem: ReportProblem) -> KaopInputs | None:
    """Read the KAOP inputs back from a sheet's values (by defined name); ``None`` when the values hold no KAOP
    sheet (or its plan year is not a whole number, which is reported).

    Every value that breaks a rule goes to ``problem(name, row, col, value, allowed)`` (row/col inside the
    named block, ``None`` for a single cell) and only that value is left out (its product quarter, cost
    category, goal or measure; the default thresholds), so the rest is still read. Rows left empty are
    skipped; a product quarter counts when its volume or price is filled (the other then counts as 0).
    """
    if not any(name in values for name in KAOP_INPUT_NAMES):
        return None
    raw_year = values.get("kaop_year")
    year: int | None = None
    try:
        y = coerce.number(raw_year, required=True)
        if y is None or not y.is_integer():
            raise Refusal()
        year = int(y)
    except Refusal as e:
        _problem(problem, "kaop_year", None, None, raw_year, e, "the plan year (a whole number)")
    plan = _parse_scenario(values, "plan", lang, problem)
    actual = _parse_scenario(values, "actual", lang, problem)
    thresholds = _parse_thresholds(values, problem)
    goals = _parse_goals(values, problem)
    measures = _parse_measures(values, lang, problem)
    if year is None:
        return None
    return KaopInputs(year=year, plan=plan, actual=actual, thresholds=thresholds, goals=goals, measures=measures)

