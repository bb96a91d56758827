"""Coordination need across business units and territories — seed 000, Abb. 7 „BU-übergreifender
Koordinationsbedarf" and Abb. 8 „Gebietsübergreifender Koordinationsbedarf".

Per key account each of the six items of a figure is rated on the figure's seven circles, 1 = „schwach
ausgeprägt" … 7 = „stark ausgeprägt". Per scale (``bu``: Abb. 7, ``territory``: Abb. 8):

* mean = the mean of the rated items (unrated items are left out); ``None`` when no item is rated;
* ``bu`` result: mean < ``bu_high`` → ``niedrig``, else ``hoch``;
* ``territory`` result: mean < ``territory_regional`` → ``niedrig``, < ``territory_global`` → ``regional``,
  else ``global`` (the thresholds are kam_xl's choice and company settings, SPEC §3.7).

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

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kam_xl.errors import KamInputError
from kam_xl.maths import total

Scale = Literal["bu", "territory"]
SCALES: tuple[Scale, ...] = ("bu", "territory")
BuResult = Literal["niedrig", "hoch"]
TerritoryResult = Literal["niedrig", "regional", "global"]
KamSpan = Literal["national", "regional", "global"]
KAM_SPANS: tuple[KamSpan, ...] = ("national", "regional", "global")
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


class CoordinationThresholds(BaseModel):
    """The thresholds on a scale's mean (1–7): ``bu_high`` (from it on ``hoch``), ``territory_regional`` and
    ``territory_global`` (from them on ``regional`` / ``global``; regional ≤ global)."""

    model_config = ConfigDict(frozen=True)

    bu_high: float = Field(4.0, ge=RATING_MIN, le=RATING_MAX)
    territory_regional: float = Field(3.0, ge=RATING_MIN, le=RATING_MAX)
    territory_global: float = Field(5.0, ge=RATING_MIN, le=RATING_MAX)

    @model_validator(mode="after")
    def _ordered(self) -> CoordinationThresholds:
        if self.territory_regional > self.territory_global:
            raise ValueError(f"coord_territory_regional {self.territory_regional:g} is above coord_territory_"
                                f"global {self.territory_global:g} — allowed: regional ≤ global")
        return self


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
        raise KamInputError(f"coordination rating {rating!r} — allowed: a whole number from {RATING_MIN} "
                            f"({SCALE_ENDS['de'][0]}) to {RATING_MAX} ({SCALE_ENDS['de'][1]})")
    return int(rating)


def scale_mean(ratings: Mapping[int, float | None]) -> float | None:
    """The mean of the rated items (item number → rating 1–7 or ``None``), ``None`` when none is rated.
    Raises :class:`KamInputError` for an item outside 1–6 or a rating outside the scale."""
    for item in ratings:
        if item not in ITEM_NUMBERS:
            raise KamInputError(f"coordination item {item!r} — allowed: 1 to 6")
    rated = [check_rating(r) for r in ratings.values() if r is not None]
    return total(rated) / len(rated) if rated else None


def bu_result(mean: float | None, t: CoordinationThresholds) -> BuResult | None:
    """``niedrig`` below ``bu_high``, else ``hoch``; ``None`` without a mean."""
    if mean is None:
        return None
    return "niedrig" if mean < t.bu_high else "hoch"


def territory_result(mean: float | None, t: CoordinationThresholds) -> TerritoryResult | None:
    """``niedrig`` below ``territory_regional``, ``regional`` below ``territory_global``, else ``global``."""
    if mean is None:
        return None
    if mean < t.territory_regional:
        return "niedrig"
    return "regional" if mean < t.territory_global else "global"


def shortfall(territory: str | None, kam_span: str | None) -> bool | None:
    """Whether the territory result ranks above the KAM span (we would be coordinated worse than the account);
    ``None`` when either is missing."""
    if territory is None or kam_span is None:
        return None
    return LEVEL[territory] > LEVEL[kam_span]


def account_coordination(account_id: str, ratings: Mapping[str, Mapping[int, float | None]],
                         kam_span: str | None, thresholds: CoordinationThresholds | None = None
                         ) -> AccountCoordination:
    """One account's coordination need from its ratings (scale → item → rating) and its KAM span."""
    t = thresholds or CoordinationThresholds()
    if kam_span is not None and kam_span not in KAM_SPANS:
        raise KamInputError(f"kam_span {kam_span!r} — allowed: {', '.join(KAM_SPANS)}")
    bu_mean = scale_mean(ratings.get("bu", {}))
    ter_mean = scale_mean(ratings.get("territory", {}))
    ter = territory_result(ter_mean, t)
    return AccountCoordination(account_id=account_id, bu=ScaleResult(mean=bu_mean, result=bu_result(bu_mean, t)),
                               territory=ScaleResult(mean=ter_mean, result=ter),
                               kam_span=kam_span,  # type: ignore[arg-type]
                               shortfall=shortfall(ter, kam_span))
