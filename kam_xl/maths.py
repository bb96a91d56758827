"""Small numeric helpers used by all calculation modules.

Excel computes in IEEE doubles, so kam_xl does too: the template formulas and the pure functions then agree
to the last cent. Sums use :func:`math.fsum` so that long columns add up without drift.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def total(values: Iterable[float]) -> float:
    """Exact-as-possible float sum of ``values`` (``math.fsum``); ``0.0`` for no values."""
    return math.fsum(values)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``, or ``None`` when either is missing or the denominator is zero.

    Used for every relative figure (relative CDB, attainment, shares) so that "undefined" is never
    silently shown as 0 or raised as an exception.

    >>> ratio(1, 4)
    0.25
    >>> ratio(1, 0) is None
    True
    """
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def mean(values: Iterable[float]) -> float | None:
    """Arithmetic mean of ``values``, or ``None`` when there are none."""
    items = list(values)
    if not items:
        return None
    return math.fsum(items) / len(items)


def allocate_largest_remainder(amount: float, shares: list[float], step: float) -> list[float]:
    """Split ``amount`` (≥ 0) in proportion to ``shares``, each part a multiple of ``step``, keeping the sum
    exactly (largest-remainder method in decimal arithmetic, so 0.1-steps do not drift).

    Units of ``step`` go first by the integer part of each quota, then one each to the parts with the largest
    remainders (ties: larger quota, then the earlier part). If ``amount`` itself is not a multiple of
    ``step``, the rest below one step goes to the largest part (where it matters least), so the sum is kept.

    >>> allocate_largest_remainder(10, [1, 1, 1], step=1)
    [4.0, 3.0, 3.0]
    >>> allocate_largest_remainder(100, [0.2, 0.3, 0.5], step=0.01)
    [20.0, 30.0, 50.0]
    >>> allocate_largest_remainder(3.2, [1, 2, 5], step=0.5)   # 0.2 is below one step: to the largest part
    [0.5, 0.5, 2.2]
    """
    from decimal import ROUND_FLOOR, Decimal

    from kam_xl.errors import KamInputError

    def dec(x: float) -> Decimal:
        return Decimal(repr(float(x)))

    if not math.isfinite(step) or step <= 0:
        raise KamInputError(f"rounding step {step:g} — allowed: a finite number > 0, e.g. 0.5")
    if not math.isfinite(amount) or amount < 0:
        raise KamInputError(f"amount to split {amount:g} — allowed: a finite number ≥ 0")
    if any(not math.isfinite(s) for s in shares):
        raise KamInputError(f"shares {shares} — allowed: finite numbers ≥ 0")
    if any(s < 0 for s in shares):
        raise KamInputError(f"shares {shares} — allowed: numbers ≥ 0")
    if not shares:
        return []
    share_sum = sum((dec(s) for s in shares), Decimal(0))
    if share_sum == 0:
        raise KamInputError("all shares are 0 — allowed: at least one share > 0")
    t, st = dec(amount), dec(step)
    quotas = [t * dec(s) / share_sum for s in shares]
    units = [(q / st).to_integral_value(rounding=ROUND_FLOOR) for q in quotas]
    remainders = [q - u * st for q, u in zip(quotas, units, strict=True)]
    all_units = (t / st).to_integral_value(rounding=ROUND_FLOOR)
    extra = int(all_units - sum(units, Decimal(0)))
    order = sorted(range(len(shares)), key=lambda i: (-remainders[i], -quotas[i], i))
    for i in order[:extra]:
        units[i] += 1
        remainders[i] -= st
    parts = [u * st for u in units]
    rest = t - all_units * st
    if rest:
        best = max(range(len(shares)), key=lambda i: (quotas[i], -i))
        parts[best] += rest
    return [float(p) for p in parts]
