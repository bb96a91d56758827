"""SWOT along the 6-P (seed 003, step I "Analysieren", l. 59–65; SPEC §3.6).

Strengths, weaknesses, opportunities and threats of our position at a key account, each entry tagged with one
of the 6-P levers (:data:`kam_xl.kaop.LEVERS`: "Die Suchfelder der Analyse sind wiederum die oben genannten
6-P"). A matrix counts the entries per quadrant × lever so that empty search fields are visible; a lever with no
entry in any quadrant is an *empty lever*. A KAOP measure may name the SWOT entry it answers
(``kaop_measures.swot_entry``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from kam_xl.kaop import LEVERS, Lever

if TYPE_CHECKING:
    from kam_xl.databook import DataBook

Quadrant = Literal["Stärke", "Schwäche", "Chance", "Risiko"]
#: The four quadrants (seed 003: Stärken, Schwächen, Chancen, Bedrohungen), as the data book writes them.
QUADRANTS: tuple[Quadrant, ...] = ("Stärke", "Schwäche", "Chance", "Risiko")


class SwotEntry(BaseModel):
    """One entry of the SWOT: its quadrant, the 6-P lever it belongs to and its text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    quadrant: Quadrant
    lever: Lever
    entry: str = Field(min_length=1)


class SwotSummary(BaseModel):
    """The report contract's ``swot`` object: ``counts[quadrant][lever]`` = number of entries (every quadrant
    and lever, zeros included), ``empty_levers`` = levers without an entry in any quadrant (6-P order)."""

    model_config = ConfigDict(frozen=True)

    counts: dict[str, dict[str, int]]
    empty_levers: list[str]


def swot_of(db: DataBook, account_id: str) -> list[SwotEntry]:
    """The SWOT entries of one account from the data book's ``swot`` table, in data order."""
    return [SwotEntry(quadrant=r["quadrant"], lever=r["lever"], entry=r["entry"])
            for r in db.rows_for("swot", account_id)]


def swot_summary(entries: Iterable[SwotEntry]) -> SwotSummary:
    """Count entries per quadrant × lever and list the empty levers.

    >>> s = swot_summary([SwotEntry(quadrant="Stärke", lever="Produkt", entry="a"),
    ...                   SwotEntry(quadrant="Risiko", lever="Produkt", entry="b"),
    ...                   SwotEntry(quadrant="Chance", lever="Preis", entry="c")])
    >>> s.counts["Stärke"]["Produkt"], s.counts["Risiko"]["Preis"], s.empty_levers
    (1, 0, ['Promotion', 'Platzierung', 'Person', 'Performance'])
    """
    counts = {q: dict.fromkeys(LEVERS, 0) for q in QUADRANTS}
    for e in entries:
        counts[e.quadrant][e.lever] += 1
    empty = [lever for lever in LEVERS if not any(counts[q][lever] for q in QUADRANTS)]
    return SwotSummary(counts=counts, empty_levers=empty)
