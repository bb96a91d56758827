"""Error types shared by every kam_xl module.

Domain functions raise :class:`KamInputError` (a :class:`ValueError`) with a message that says what is wrong
and what is allowed. The data-book reader collects many problems into one :class:`DataBookError`.
"""

from __future__ import annotations


class KamInputError(ValueError):
    """An input to a kam_xl calculation breaks a rule of the method.

    The message names the offending value and what is allowed, e.g.
    ``"Kgb weights sum to 90 — allowed: fractions summing to 1 or points summing to 100"``.
    """
