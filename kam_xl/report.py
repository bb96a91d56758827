"""Reports over a whole data book: one pure function per view, returning pydantic models that the CLI
prints as a table or as JSON. Relative values and shares are fractions, scores 0–100, missing values
``None`` (``null`` in JSON)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from pydantic import BaseModel, ConfigDict

from kam_xl.cdb import cdb_statement
from kam_xl.databook import AccountRow, DataBook
from kam_xl.excellence import Catalogue, consolidate, load_catalogue, score_response
from kam_xl.kaop import KaopPlan, kaop_plan
from kam_xl.kgb import card_scores
from kam_xl.portfolio import Band, PortfolioInput, portfolio_point
from kam_xl.resources import TargetWeights, analyse_resources
from kam_xl.years import latest_year, plan_year, row_of_year


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class CdbSummary(_Out):
    """CDB I–III of the latest year with data."""

    year: int
    net_sales: float
    cdb_i: float
    cdb_ii: float
    cdb_iii: float
    cdb_i_rel: float | None
    cdb_ii_rel: float | None
    cdb_iii_rel: float | None


class KaopQuarterSummary(_Out):
    """Plan revenue and profitability of one quarter."""

    quarter: int
    revenue: float
    profit: float
    profit_rel: float | None


class KaopTotal(_Out):
    """Plan year total; ``price`` is the volume-weighted year price per product."""

    revenue: float
    profit: float
    profit_rel: float | None
    price: dict[str, float | None]


class KaopSummary(_Out):
    """The KAOP plan of the account's plan year (or the latest planned year)."""

    year: int
    quarters: list[KaopQuarterSummary]
    total: KaopTotal


class KgbSegmentSummary(_Out):
    """Scores and ranking of one Kgb card."""

    own: str
    scores: dict[str, float | None]
    rank: list[str]


class PortfolioSummary(_Out):
    """The account's place in the portfolio for the CDB year."""

    year: int
    share_of_wallet: float
    potential: float
    potential_weighted: float
    band: Band | None
    loss_making: bool


class AccountReport(_Out):
    """Everything computed for one account; a part is ``None`` when its table is absent."""

    account_id: str
    name: str
    cdb: CdbSummary | None
    kaop: KaopSummary | None
    kgb: dict[str, KgbSegmentSummary] | None
    portfolio: PortfolioSummary | None


def _kaop_summary(year: int, plan: KaopPlan) -> KaopSummary:
    """The summary, its quarters and total checked in one call of pydantic's core (as KaopQuarterSummary, KaopTotal)."""
    return KaopSummary(
        year=year,
        quarters=[{"quarter": q, "revenue": p.revenue, "profit": p.profit, "profit_rel": p.profit_rel}
                  for q, p in sorted(plan.quarters.items())],
        total={"revenue": plan.year.revenue, "profit": plan.year.profit, "profit_rel": plan.year.profit_rel,
               "price": plan.year.price},
    )


def account_reports(db: DataBook) -> list[AccountReport]:
    """CDB (latest year), KAOP plan, Kgb and portfolio per account, in the order of the accounts table."""
    return list(iter_account_reports(db))


def iter_account_reports(db: DataBook) -> Iterator[AccountReport]:
    """:func:`account_reports` one account at a time (for printing while computing: ``report --format json``)."""
    for account in db.accounts:
        yield account_report(db, account)


def account_report(db: DataBook, account: AccountRow) -> AccountReport:
    """CDB (latest year), KAOP plan, Kgb and portfolio of one account of ``db``."""
    aid = account.account_id
    cdb = None
    statement = None
    cdb_year = latest_year(db.cdb_years(aid))
    if cdb_year is not None:
        amounts, activities = db.cdb_input(aid, cdb_year)  # type: ignore[misc]
        statement = cdb_statement(amounts, activities)
        cdb = CdbSummary(year=cdb_year, **statement.model_dump(include=set(CdbSummary.model_fields)
                                                                 - {"year"}))
    kaop = None
    plan_years = db.kaop_years(aid, "plan")
    if plan_years:
        year = plan_year(account.plan_year, plan_years)
        kaop = _kaop_summary(year, kaop_plan(*db.kaop_rows(aid, year, "plan")))
    kgb = None
    if db.has_rows("kgb", aid):
        kgb = {}
        for card in db.kgb_cards(aid):
            result = card_scores(card)
            kgb[card.segment] = KgbSegmentSummary(own=card.own_supplier, scores=result.scores,
                                                rank=result.rank)
    portfolio = None
    row = row_of_year(db.rows_for("portfolio", aid), cdb_year)
    if row is not None:
        point = portfolio_point(PortfolioInput(
            account_id=aid, share_of_wallet=row["share_of_wallet"], potential=row["potential"],
            margin_factor=row["margin_factor"],
            cdb_iii=statement.cdb_iii if statement and cdb and cdb.year == row["year"] else None,
            cdb_iii_rel=statement.cdb_iii_rel if statement and cdb and cdb.year == row["year"] else None))
        portfolio = PortfolioSummary(year=row["year"], share_of_wallet=point.x, potential=row["potential"],
                                     potential_weighted=row["potential"] * row["margin_factor"],
                                     band=point.band, loss_making=point.loss_making)
    return AccountReport(account_id=aid, name=account.name, cdb=cdb, kaop=kaop, kgb=kgb, portfolio=portfolio)


class ResourceCellReport(_Out):
    """Actual vs target FTE of one (region, account) cell; ``account_id`` ``None`` = Small Accounts."""

    region: str
    account_id: str | None
    actual_fte: float
    target_fte: float
    delta_fte: float
    resource_share: float | None
    potential_share: float | None
    consistency: float | None


class ResourceRegionReport(_Out):
    """Actual vs target FTE of a region and its market."""

    region: str
    actual_fte: float
    target_fte: float
    delta_fte: float
    market_size: float | None
    market_share: float | None


class ResourcesReport(_Out):
    """The resource distribution; ``None`` parts when the resources table is absent."""

    cells: list[ResourceCellReport]
    regions: list[ResourceRegionReport]
    moved_share: float | None
    step: float


def resources_report(db: DataBook, weights: TargetWeights | None = None, step: float = 0.5
                     ) -> ResourcesReport | None:
    """Actual vs target FTE per cell and region, and the share of resources that would have to move."""
    cells = db.resource_cells()
    if not cells:
        return None
    a = analyse_resources(cells, db.market_sizes(), weights, step)
    return ResourcesReport(
        cells=[ResourceCellReport(**c.model_dump(include=set(ResourceCellReport.model_fields))) for c in a.cells],
        regions=[ResourceRegionReport(**r.model_dump(include=set(ResourceRegionReport.model_fields)))
                 for r in a.regions],
        moved_share=a.moved_share,
        step=a.step,
    )


class RespondentReport(_Out):
    """Scores of one respondent."""

    respondent: str
    role: str
    dimensions: dict[str, float | None]
    overall: float | None
    coverage: float | None
    thin: list[str]
    weakest_sections: list[str]
    unsupported: list[str]


class ConsensusReport(_Out):
    """Consolidated ratings of one criterion."""

    mean: float | None
    min: float | None
    max: float | None
    spread: float | None
    disagreement: bool


class ExcellenceReport(_Out):
    """All respondents and the consolidation per criterion."""

    catalogue_version: str
    respondents: list[RespondentReport]
    consolidated: dict[str, ConsensusReport]


def excellence_report(db: DataBook, catalogue: Catalogue | None = None) -> ExcellenceReport | None:
    """Scores per respondent and mean/min/max per criterion across respondents."""
    responses = db.responses()
    if not responses:
        return None
    catalogue = catalogue or load_catalogue()
    respondents = []
    for r in responses:
        s = score_response(catalogue, r)
        respondents.append(RespondentReport(
            respondent=s.respondent, role=s.role,
            dimensions={k: v.score for k, v in s.dimensions.items()},
            overall=s.overall, coverage=s.coverage,
            thin=[k for k, v in s.dimensions.items() if v.thin],
            weakest_sections=s.weakest_sections, unsupported=s.unsupported))
    consensus = consolidate(catalogue, responses)
    return ExcellenceReport(
        catalogue_version=catalogue.version,
        respondents=respondents,
        consolidated={cid: ConsensusReport(**c.model_dump(include=set(ConsensusReport.model_fields)))
                      for cid, c in consensus.items()},
    )


def to_jsonable(value: Any, digits: int = 6) -> Any:
    """Turn report models into plain JSON data, rounding floats to ``digits`` decimals so that binary noise
    (249866.40000000002) does not reach users; ``-0.0`` becomes ``0.0``."""
    if isinstance(value, BaseModel):
        return to_jsonable(value.model_dump(), digits)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v, digits) for v in value]
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        rounded = round(value, digits)
        return 0.0 if rounded == 0 else rounded
    return value


def json_text(value: Any, digits: int = 6, level: int = 0) -> str:
    """The JSON text of report data exactly as ``json.dumps(to_jsonable(value, digits), indent=2,
    ensure_ascii=False)`` writes it, indented as if it stood ``level`` containers deep — in one pass (the json
    module writes indented text in Python, one generator per container, and :func:`to_jsonable` would copy
    everything first: together most of ``report --format json``'s time per account).

    Values: report models, dicts, lists and tuples of them, ``str``, ``int``, ``float``, ``bool``, ``None`` (other
    values raise ``TypeError`` as ``json.dumps`` does).

    >>> data = {"a": [1, 2.5, None, True], "b": {}, "c": [], "d": {"x": -0.0, "y": float("nan"), 3: "ü\\n"}}
    >>> json_text(data) == json.dumps(to_jsonable(data), indent=2, ensure_ascii=False)
    True
    """
    return _json_text(value, digits, "\n" + "  " * level)


def _json_text(value: Any, digits: int, newline: str) -> str:
    """The JSON text of ``value`` (see :func:`json_text`); ``newline`` starts a line at its level. A container's
    strings, floats and ``None`` are written in its own loop, the rest (containers, other scalars) by a call."""
    kind = type(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = newline + "  "
        parts = []
        for k, v in value.items():
            if type(k) is not str:  # keys as to_jsonable makes them: str(k), a later equal one replacing
                return _json_text({str(k): v for k, v in value.items()}, digits, newline)
            t = type(v)
            if t is float:  # as _float_text, inline: most values are floats
                if v - v == 0.0:  # finite (inf − inf and nan − nan are nan)
                    v = round(v, digits)
                    parts.append(encode_basestring(k) + (": 0.0" if v == 0 else ": " + float.__repr__(v)))
                else:
                    parts.append(encode_basestring(k) + ": null")
            elif t is str:
                parts.append(encode_basestring(k) + ": " + encode_basestring(v))
            elif v is None:
                parts.append(encode_basestring(k) + ": null")
            else:
                parts.append(encode_basestring(k) + ": " + _json_text(v, digits, inner))
        return "{" + inner + ("," + inner).join(parts) + newline + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = newline + "  "
        parts = []
        for v in value:
            t = type(v)
            if t is float:
                if v - v == 0.0:
                    v = round(v, digits)
                    parts.append("0.0" if v == 0 else float.__repr__(v))
                else:
                    parts.append("null")
            elif t is str:
                parts.append(encode_basestring(v))
            elif v is None:
                parts.append("null")
            else:
                parts.append(_json_text(v, digits, inner))
        return "[" + inner + ("," + inner).join(parts) + newline + "]"
    if isinstance(value, BaseModel):
        return _json_text(value.model_dump(), digits, newline)
    text = _scalar_text(value, digits)
    if text is not None:
        return text
    if isinstance(value, dict):
        return _json_text(dict(value), digits, newline)
    if isinstance(value, list | tuple):
        return _json_text(list(value), digits, newline)
    return json.dumps(value)  # raises TypeError as json.dumps(to_jsonable(value)) would


def _float_text(value: float, digits: int) -> str:
    """A float rounded to ``digits`` decimals as :func:`to_jsonable` rounds it, as JSON text."""
    if not math.isfinite(value):
        return "null"
    rounded = round(value, digits)
    return "0.0" if rounded == 0 else float.__repr__(rounded)


def _scalar_text(value: Any, digits: int) -> str | None:
    """The JSON text of a value that is no container (floats rounded as :func:`to_jsonable` rounds them), or
    ``None`` for a container, a model or a value JSON has no text for."""
    kind = type(value)
    if kind is float or (kind is not bool and isinstance(value, float)):
        return _float_text(value, digits)
    if kind is str or isinstance(value, str):
        return encode_basestring(value)  # type: ignore[no-any-return]
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    return None


def iter_json_array(items: Iterable[Any]) -> Iterator[str]:
    """A JSON array of ``items`` (report models or plain JSON data, as :func:`to_jsonable` takes them) written
    piece by piece, one item at a time, exactly as ``json.dumps(to_jsonable(list(items)), indent=2,
    ensure_ascii=False)`` writes it (what ``report --format json`` printed through rich before): for printing a
    report of many accounts without holding all of it as one text.

    >>> "".join(iter_json_array([{"a": 1}, [2]])) == json.dumps([{"a": 1}, [2]], indent=2)
    True
    >>> "".join(iter_json_array([]))
    '[]'
    """
    first = True
    for item in items:
        yield ("[\n  " if first else ",\n  ") + json_text(item, level=1)
        first = False
    yield "[]" if first else "\n]"
