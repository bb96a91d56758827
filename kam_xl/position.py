"""The supplier's role and the firmness of its current position at a key account (seed 001; SPEC §3.6).

* The role ladder of seed 001, Abb. 2.1 "Vom gelegentlichen Lieferanten zum Systempartner"
  (:data:`kam_xl.kgb.SUPPLIER_ROLES`): the current role (``accounts.supplier_role``) and the target role
  (``accounts.target_supplier_role``); the *step* is the number of rungs from current to target (2 = two rungs
  up, 0 = keep the role, negative = a step down).
* The five yardsticks ("fünf Maßstäbe", seed 001 §2.3, l. 216–234) of the current position, each rated 0–100
  (the scale is kam_xl's; the seed gives none) in the data book's ``position`` table. Where the account has
  a Kgb card (seed 001, Tab. 2.2–2.4), yardsticks 2 and 3 come from it, each the mean over the account's
  segments whose scores are complete:

  - yardstick 2 = our weighted Kgb score (the customer's weights × our ratings, 0–100);
  - yardstick 3 = 50 + (our score − best competitor's score) ÷ 2, clipped to 0–100: 50 = on a par with the
    best competitor, 100 = 100 points ahead, 0 = 100 points behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from kam_xl.kgb import SUPPLIER_ROLES, KgbCard, competitive_position, score_card
from kam_xl.maths import mean

if TYPE_CHECKING:
    from kam_xl.databook import DataBook

Yardstick = Literal[1, 2, 3, 4, 5]
YARDSTICKS: tuple[Yardstick, ...] = (1, 2, 3, 4, 5)
#: The five yardsticks of seed 001 §2.3 as (German, English) labels.
YARDSTICK_LABELS: dict[int, tuple[str, str]] = {
    1: ("Anforderungsprofil des Kunden an alle Lieferanten", "The customer's requirement profile for all suppliers"),
    2: ("Erfüllung der Anforderungen nach den Gewichtungen des Kunden",
        "Our fulfilment of the requirements by the customer's weights"),
    3: ("Position gegenüber den Leistungsprofilen der Wettbewerber", "Our position against the competitors"),
    4: ("Unser Beitrag zur Ertragsverbesserung des Kunden", "Our contribution to the customer's return"),
    5: ("Verbesserung unseres Ertrags mit diesem Kunden", "The improvement of our return from this customer"),
}
#: The yardsticks a Kgb card gives (when one exists).
FROM_KGB: tuple[Yardstick, ...] = (2, 3)
Source = Literal["kgb", "data"]


def role_step(current: str | None, target: str | None) -> int | None:
    """Rungs from the current to the target role on the ladder; ``None`` when either is not given.

    >>> role_step("Stammlieferant", "Systempartner"), role_step("Vorzugslieferant", "Vorzugslieferant")
    (2, 0)
    >>> role_step(None, "Systempartner") is None
    True
    """
    if current not in SUPPLIER_ROLES or target not in SUPPLIER_ROLES:
        return None
    return SUPPLIER_ROLES.index(target) - SUPPLIER_ROLES.index(current)  # type: ignore[arg-type]


def relative_position(own: float, best_competitor: float) -> float:
    """Yardstick 3 of one card: 50 + (own − best) ÷ 2, clipped to 0–100.

    >>> relative_position(78.0, 74.0), relative_position(40.0, 90.0)
    (52.0, 25.0)
    """
    return min(100.0, max(0.0, 50 + (own - best_competitor) / 2))


def kgb_yardsticks(cards: Iterable[KgbCard]) -> dict[int, float | None]:
    """Yardsticks 2 and 3 from an account's Kgb cards: each the mean over the cards that give it (yardstick 2
    needs our complete score, 3 also a complete competitor score); ``None`` when no card gives it."""
    own_scores: list[float] = []
    relative: list[float] = []
    for card in cards:
        pos = competitive_position(score_card(card).scores, card.own_supplier)
        if pos.own is not None:
            own_scores.append(pos.own)
            if pos.best_competitor_score is not None:
                relative.append(relative_position(pos.own, pos.best_competitor_score))
    return {2: mean(own_scores), 3: mean(relative)}


class SupplierPosition(BaseModel):
    """Role step and yardsticks of one account: ``ratings[n]`` 0–100 or ``None`` (not rated), ``sources[n]``
    where it came from (``kgb``, ``data``; ``None`` when not rated)."""

    model_config = ConfigDict(frozen=True)

    current_role: str | None
    target_role: str | None
    step: int | None
    ratings: dict[int, float | None]
    sources: dict[int, Source | None]


def supplier_position(current_role: str | None, target_role: str | None, ratings: Mapping[int, float | None],
                      cards: Iterable[KgbCard] = ()) -> SupplierPosition:
    """The account's position: the data book's ``ratings`` (yardstick → 0–100), yardsticks 2 and 3 replaced by
    the Kgb cards' values where the cards give them.

    >>> p = supplier_position("Stammlieferant", "Vorzugslieferant", {1: 70.0, 2: 40.0})
    >>> p.step, p.ratings[1], p.ratings[2], p.ratings[3], p.sources[2]
    (1, 70.0, 40.0, None, 'data')
    """
    kgb = kgb_yardsticks(cards)
    values: dict[int, float | None] = {}
    sources: dict[int, Source | None] = {}
    for n in YARDSTICKS:
        if kgb.get(n) is not None:
            values[n], sources[n] = kgb[n], "kgb"
        else:
            values[n] = ratings.get(n)
            sources[n] = None if values[n] is None else "data"
    return SupplierPosition(current_role=current_role, target_role=target_role,
                            step=role_step(current_role, target_role), ratings=values, sources=sources)


def position_ratings_of(db: DataBook, account_id: str) -> dict[int, float | None]:
    """The yardstick ratings of one account from the data book's ``position`` table."""
    return {r["yardstick"]: r["rating"] for r in db.rows_for("position", account_id)}


def supplier_position_of(db: DataBook, account_id: str) -> SupplierPosition:
    """:func:`supplier_position` of one account from a data book: its roles (``accounts``), its ``position``
    ratings and its Kgb cards."""
    account = db.account(account_id)
    cards = db.kgb_cards(account_id) if db.table("kgb") is not None else []
    return supplier_position(account.supplier_role, account.target_supplier_role,
                             position_ratings_of(db, account_id), cards)
