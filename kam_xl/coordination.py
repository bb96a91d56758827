"""Coordination need across business units and territories — seed 000, Abb. 7 „BU-übergreifender
Koordinationsbedarf" and Abb. 8 „Gebietsübergreifender Koordinationsbedarf".

Per key account each of the six items of a figure is rated on the figure's seven circles, 1 = „schwach
ausgeprägt" … 7 = „stark ausgeprägt". Per scale (``bu``: Abb. 7, ``territory``: Abb. 8):

* mean = the mean of the rated items (unrated items are left out); ``None`` when no item is rated;
* ``bu`` result: mean < ``coord_bu_high`` → ``niedrig``, else ``hoch``;
* ``territory`` result: mean < ``coord_territory_regional`` → ``niedrig``, < ``coord_territory_global`` →
  ``regional``, else ``global`` (the thresholds are company settings, :class:`~kam_xl.company_settings.CompanySettings`;
  defaults 4, 3 and 5).

The seed's rule (l. 1553–1557): „Man darf zwar gerne besser koordiniert sein als der Key-Account, aber niemals
schlechter." — the territory result is compared with the account's KAM span, ``niedrig`` standing for
``national`` (national < regional < global): a **shortfall** is a territory result that ranks above the span;
``None`` when the span is not given or the territory scale has no rated item.

>>> r = account_coordination("KA-1", {"bu": {1: 5, 2: 3}, "territory": {1: 6, 4: 5}}, "regional")
>>> r.model_dump()
{'account_id': 'KA-1', 'bu': {'mean': 4.0, 'result': 'hoch'}, 'territory': {'mean': 5.5, 'result': 'global'}, \
'kam_span': 'regional', 'shortfall': True}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from kam_xl.company_settings import CompanySettings, company_settings
from kam_xl.databook.schema import KAM_SPANS
from kam_xl.errors import KamInputError
from kam_xl.maths import total

if TYPE_CHECKING:
    from kam_xl.databook.model import DataBook

Scale = Literal["bu", "territory"]
SCALES: tuple[Scale, ...] = ("bu", "territory")
BuResult = Literal["niedrig", "hoch"]
TerritoryResult = Literal["niedrig", "regional", "global"]
KamSpan = Literal["national", "regional", "global"]  # the values of KAM_SPANS
BU_RESULTS: tuple[BuResult, ...] = ("niedrig", "hoch")
TERRITORY_RESULTS: tuple[TerritoryResult, ...] = ("niedrig", "regional", "global")
#: The figures' seven circles: 1 = „schwach ausgeprägt" … 7 = „stark ausgeprägt".
RATING_MIN, RATING_MAX = 1, 7
SCALE_ENDS: dict[str, tuple[str, str]] = {"de": ("schwach ausgeprägt", "stark ausgeprägt"),
                                          "en": ("weakly pronounced", "strongly pronounced")}

#: The six items of each figure in the figure's order, (German verbatim, English).
ITEMS: dict[Scale, tuple[tuple[str, str], ...]] = {
    "bu": (
        ("Vernetzung der dezentralen Einkäufer, Austausch von Preisen",
         "Networking of decentral buyers, exchange of prices"),
        ("BU-übergreifende Zentralisierung der Beschaffung", "Cross-BU centralisation of procurement"),
        ("Professionalität und Ausbildung der Einkäufer", "Professionalism and training of buyers"),
        ("Möglichkeit für Kunden, BUs preislich gegeneinander auszuspielen",
         "Customers can play BUs off against each other on price"),
        ("Möglichkeit für Kunden, eine BU in „Sippenhaft“ für Probleme einer anderen BU zu nehmen",
         "Customers can hold one BU liable for another BU's problems"),
        ("Kundenforderung nach einem BU-übergreifenden Verhandlungspartner",
         "Customer demand for one cross-BU negotiating partner"),
    ),
    "territory": (
        ("Internationale Vernetzung der Produktion oder der Supply-Chain",
         "International networking of production or supply chain"),
        ("Branchenkonsolidierung und Unternehmenszusammenschlüsse auf Kundenseite",
         "Industry consolidation and mergers on the customer side"),
        ("Internationale Vernetzung der Einkäufer, Austausch von Preisen",
         "International networking of buyers, exchange of prices"),
        ("Geographische Zentralisierung der Beschaffung", "Geographic centralisation of procurement"),
        ("Professionalität und Ausbildung der Einkäufer", "Professionalism and training of buyers"),
        ("Kundenforderung nach einem internationalen Verhandlungspartner",
         "Customer demand for an international negotiating partner"),
    ),
}
ITEM_NUMBERS: tuple[int, ...] = tuple(range(1, 7))
#: The figures' titles, (German verbatim, English).
SCALE_TITLES: dict[Scale, tuple[str, str]] = {
    "bu": ("Abb. 7 BU-übergreifender Koordinationsbedarf", "Fig. 7 Cross-BU coordination need"),
    "territory": ("Abb. 8 Gebietsübergreifender Koordinationsbedarf", "Fig. 8 Cross-territory coordination need"),
}
#: Rank of a territory result and of a KAM span on one ladder (``niedrig`` ≡ ``national``).
LEVEL: dict[str, int] = {"niedrig": 0, "national": 0, "regional": 1, "global": 2}


class ScaleResult(BaseModel):
    """One scale of one account: the mean of its rated items (1–7, ``None`` when none is rated) and its result
    word (``None`` with the mean)."""

    model_config = ConfigDict(frozen=True)

    mean: float | None
    result: str | None


class AccountCoordination(BaseModel):
    """The report contract's coordination object of one account."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    bu: ScaleResult
    territory: ScaleResult
    kam_span: KamSpan | None
    shortfall: bool | None


def check_rating(rating: float) -> int:
    """A rating on the 1–7 scale as an integer; raises :class:`KamInputError` naming the value otherwise."""
    if isinstance(rating, bool) or rating != int(rating) or not RATING_MIN <= rating <= RATING_MAX:
        raise KamInputError(f"the coordination rating {rating:g} is not on the scale — allowed: a whole number from "
                            f"{RATING_MIN} ({SCALE_ENDS['de'][0]}) to {RATING_MAX} ({SCALE_ENDS['de'][1]})")
    return int(rating)


def scale_mean(ratings: Mapping[int, float | None]) -> float | None:
    """The mean of the rated items (item number → rating 1–7 or ``None``), ``None`` when none is rated.
    Raises :class:`KamInputError` for an item outside 1–6 or a rating outside the scale."""
    for item in ratings:
        if item not in ITEM_NUMBERS:
            raise KamInputError(f"there is no coordination item {item!r} — allowed: items 1 to 6")
    rated = [check_rating(r) for r in ratings.values() if r is not None]
    return total(rated) / len(rated) if rated else None


def bu_result(mean: float | None, t: CompanySettings) -> BuResult | None:
    """``niedrig`` below ``coord_bu_high``, else ``hoch``; ``None`` without a mean."""
    if mean is None:
        return None
    return "niedrig" if mean < t.coord_bu_high else "hoch"


def territory_result(mean: float | None, t: CompanySettings) -> TerritoryResult | None:
    """``niedrig`` below ``coord_territory_regional``, ``regional`` below ``coord_territory_global``, else
    ``global``; ``None`` without a mean."""
    if mean is None:
        return None
    if mean < t.coord_territory_regional:
        return "niedrig"
    return "regional" if mean < t.coord_territory_global else "global"


def shortfall(territory: str | None, kam_span: str | None) -> bool | None:
    """Whether the territory result ranks above the KAM span (we would be coordinated worse than the account);
    ``None`` when either is missing."""
    if territory is None or kam_span is None:
        return None
    return LEVEL[territory] > LEVEL[kam_span]


def account_coordination(account_id: str, ratings: Mapping[str, Mapping[int, float | None]],
                         kam_span: str | None, settings: CompanySettings | None = None
                         ) -> AccountCoordination:
    """One account's coordination need from its ratings (scale → item → rating 1–7 or ``None``), its KAM span
    (one of :data:`KAM_SPANS` or ``None``) and the thresholds of ``settings`` (default: the defaults). Raises
    :class:`KamInputError` for an item, rating or span that is not allowed."""
    t = settings or CompanySettings()
    if kam_span is not None and kam_span not in KAM_SPANS:
        raise KamInputError(f"{kam_span!r} is not a KAM span — allowed: {', '.join(KAM_SPANS)}")
    bu_mean = scale_mean(ratings.get("bu", {}))
    ter_mean = scale_mean(ratings.get("territory", {}))
    ter = territory_result(ter_mean, t)
    return AccountCoordination(account_id=account_id, bu=ScaleResult(mean=bu_mean, result=bu_result(bu_mean, t)),
                               territory=ScaleResult(mean=ter_mean, result=ter),
                               kam_span=kam_span,  # type: ignore[arg-type]
                               shortfall=shortfall(ter, kam_span))


def ratings_by_account(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, dict[int, float | None]]]:
    """The rows of a ``coordination`` table (account_id, scale, item, rating) as account → scale → item →
    rating."""
    out: dict[str, dict[str, dict[int, float | None]]] = {}
    for r in rows:
        out.setdefault(r["account_id"], {}).setdefault(r["scale"], {})[int(r["item"])] = r["rating"]
    return out


def databook_coordination(db: DataBook) -> list[AccountCoordination]:
    """Every account's coordination need from a validated data book (its ``coordination`` table, the accounts'
    ``kam_span`` and the thresholds of its ``settings``), in account order."""
    settings = company_settings(db)
    given = ratings_by_account(db.table("coordination") or [])
    return [account_coordination(a.account_id, given.get(a.account_id, {}), a.kam_span, settings)
            for a in db.accounts]
