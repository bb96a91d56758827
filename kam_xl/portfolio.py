"""Customer portfolio (Kundenportfolio) — seed 000, Abb. 3 "Aufbau des Kundenportfolios".

Each account is a bubble: x = our share of the customer's demand (share of wallet), y = the customer's
potential (demand for our categories in 3–5 years, in volume units; optionally margin-weighted, volume ×
margin factor), bubble area = |CDB III|. The colour band follows relative CDB III:

========  =========================  ==========================
band      relative CDB III           meaning
========  =========================  ==========================
``high``  > 10 %                     profitable
``mid``   0 % … 10 % (both included) thin margin
``loss``  < 0 %                      loss-making: "Big Step or Out"
========  =========================  ==========================

>>> portfolio_band(0.12), portfolio_band(0.10), portfolio_band(0.0), portfolio_band(-0.01)
('high', 'mid', 'mid', 'loss')
>>> portfolio_band(None) is None
True
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kam_xl.kgb import RANK_TOLERANCE, rank_positions
from kam_xl.vocabulary import BAND_LABELS as BAND_LABELS  # the band labels, once (re-exported)

Band = Literal["high", "mid", "loss"]
HIGH_BAND_THRESHOLD = 0.10


def portfolio_band(cdb_iii_rel: float | None) -> Band | None:
    """The colour band of an account by its relative CDB III; ``None`` when that is undefined."""
    if cdb_iii_rel is None:
        return None
    if cdb_iii_rel > HIGH_BAND_THRESHOLD:
        return "high"
    if cdb_iii_rel >= 0:
        return "mid"
    return "loss"


class PortfolioInput(BaseModel):
    """One account's position data for the portfolio."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account_id: str
    share_of_wallet: float = Field(ge=0, le=1, description="our share of the customer's demand, 0–1")
    potential: float = Field(ge=0, description="demand for our categories in 3–5 years (volume units)")
    margin_factor: float = Field(default=1.0, ge=0, description="margin weight of the potential")
    cdb_iii: float | None = None
    cdb_iii_rel: float | None = None


class PortfolioPoint(BaseModel):
    """One bubble of the portfolio chart."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    x: float = Field(description="share of wallet, 0–1")
    y: float = Field(description="potential (margin-weighted if asked)")
    size: float | None = Field(description="bubble area = |CDB III|; None when CDB III is unknown")
    loss_making: bool
    band: Band | None


def portfolio_point(item: PortfolioInput, margin_weighted: bool = False) -> PortfolioPoint:
    """Place one account in the portfolio (Abb. 3)."""
    y = item.potential * item.margin_factor if margin_weighted else item.potential
    return PortfolioPoint(
        account_id=item.account_id,
        x=item.share_of_wallet,
        y=y,
        size=None if item.cdb_iii is None else abs(item.cdb_iii),
        loss_making=item.cdb_iii is not None and item.cdb_iii < 0,
        band=portfolio_band(item.cdb_iii_rel),
    )


def big_step_or_out(items: list[PortfolioInput], tolerance: float = RANK_TOLERANCE) -> list[PortfolioInput]:
    """Accounts with negative CDB III for the "Big Step or Out" review, largest loss first; equal losses (within
    ``tolerance``, as ranks count them) in the order of ``items`` — the data book's, the order the controller's
    list shows them in after Excel recalculates it.

    Counted as the controller's list finds its ``k``-th account: the ``k``-th smallest CDB III ``v``, the accounts
    clearly below ``v`` (``below``) and clearly above it (``above``), then the account whose rank by CDB III
    (:func:`~kam_xl.kgb.rank_positions`: 1 = largest, ties earlier first) is ``above + k − below``.

    >>> [i.account_id for i in big_step_or_out([PortfolioInput(account_id=a, share_of_wallet=0, potential=0,
    ...     cdb_iii=c) for a, c in (("B", -5.0), ("C", -50.0), ("A", -5.0), ("D", 10.0))])]
    ['C', 'B', 'A']
    """
    ranked = {r: i for i, r in zip(items, rank_positions([i.cdb_iii for i in items], tolerance), strict=True)
              if r is not None}
    given = sorted(i.cdb_iii for i in items if i.cdb_iii is not None)
    out = []
    for k, v in enumerate((v for v in given if v < 0), start=1):
        above, below = len(given) - bisect_right(given, v + tolerance), bisect_left(given, v - tolerance)
        out.append(ranked.get(above + k - below))
    losers = [i for i in items if i.cdb_iii is not None and i.cdb_iii < 0]
    if len({id(i) for i in out if i is not None}) < len(losers):  # a chain of losses each within ``tolerance`` of
        return sorted(losers, key=lambda i: i.cdb_iii)  # the next, less than 1e-9 apart: by loss, then as given
    return out  # type: ignore[return-value]


def bubble_marker_size(size: float | None, largest: float | None, max_marker: int = 40, min_marker: int = 5) -> int:
    """Marker size (points, a diameter) that draws a bubble of area ``size`` as a scatter marker, scaled so that
    the ``largest`` area gets ``max_marker``: diameter ∝ √area, hence area ∝ ``size``. Never below
    ``min_marker`` (so a tiny or unknown CDB III stays visible) and within the 2–72 points a chart allows.

    >>> bubble_marker_size(1_600, 1_600), bubble_marker_size(400, 1_600), bubble_marker_size(None, 1_600)
    (40, 20, 5)
    """
    if not 2 <= min_marker <= max_marker <= 72:
        raise ValueError(f"marker sizes {min_marker}–{max_marker} — allowed: 2 ≤ min ≤ max ≤ 72")
    if size is None or not largest or largest <= 0:
        return min_marker
    return max(min_marker, min(max_marker, round(max_marker * math.sqrt(abs(size) / largest))))


#: How many marker sizes the controller's portfolio chart draws (one chart series per band × size class).
SIZE_CLASSES = 4


def size_class(size: float | None, largest: float | None, classes: int = SIZE_CLASSES) -> int:
    """The marker size class, 1 … ``classes``, of a bubble of area ``|size|`` when the ``largest`` area is
    ``largest``: class k holds the diameters (∝ √area) in the k-th of ``classes`` equal steps of the largest
    diameter, so the largest bubble is in class ``classes``. Unknown ``size`` or no positive ``largest``: class 1.
    The controller's formula computes the same: ``MIN(classes, INT(SQRT(ABS(size)/largest)*classes)+1)``.

    >>> size_class(1_600, 1_600), size_class(400, 1_600), size_class(-399, 1_600), size_class(None, 1_600)
    (4, 3, 2, 1)
    """
    if classes < 1:
        raise ValueError(f"size classes {classes} — allowed: 1 or more")
    if size is None or not largest or largest <= 0:
        return 1
    return min(classes, int(math.sqrt(abs(size) / largest) * classes) + 1)


def class_marker_size(k: int, classes: int = SIZE_CLASSES, max_marker: int = 40, min_marker: int = 5) -> int:
    """The marker size (points, a diameter) of size class ``k`` (:func:`size_class`): the upper end of its step,
    so the largest class draws ``max_marker`` as :func:`bubble_marker_size` does for the largest bubble.

    >>> [class_marker_size(k) for k in range(1, 5)]
    [10, 20, 30, 40]
    """
    if not 1 <= k <= classes:
        raise ValueError(f"size class {k} — allowed: 1 … {classes}")
    return max(min_marker, round(max_marker * k / classes))
