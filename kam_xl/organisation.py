"""Organisation decisions — seed 000, Tabelle 4 „Entscheidung zwischen Vollzeit- und Teilzeit-Key-Account-Managern"
and Tabelle 5 „Entscheidung zwischen Linienmodell und Stabsmodell".

Each table lists criteria with the seed's + or − per alternative. „Keine der beiden Alternativen dominiert klar.
Die Gestaltungsentscheidung hängt davon ab, wie stark man die einzelnen Aspekte gewichtet." (l. 1992–1996) — so
the user weights each criterion (≥ 0, default 1 each) and per alternative

    score = 100 × Σ weightᵢ × signᵢ ÷ Σ weightᵢ      (signᵢ = +1 for +, −1 for −; −100 … +100)

``None`` when the weights sum to 0. (Multiplying by 100 first keeps the seed's own counts exact: with equal
weights Tabelle 4 gives part-time 100 × 1 ÷ 5 = 20, full-time −20; Tabelle 5 line 100 ÷ 7, staff −100 ÷ 7.)

>>> decide(TABLE_4, [1, 1, 1, 1, 1])
{'part_time': 20.0, 'full_time': -20.0}
>>> decisions().model_dump()
{'part_time': 20.0, 'full_time': -20.0, 'line': 14.285714285714286, 'staff': -14.285714285714286}
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from kam_xl.cells import shown_number
from kam_xl.company_settings import CompanySettings
from kam_xl.errors import KamInputError
from kam_xl.maths import total


class DecisionCriterion(BaseModel):
    """One row of a decision table: its group (Tabelle 5 only), its text (German verbatim, English) and the
    seed's sign per alternative, in the table's alternative order."""

    model_config = ConfigDict(frozen=True)

    group: tuple[str, str] | None = None
    text: tuple[str, str]
    signs: tuple[int, int]


class DecisionTable(BaseModel):
    """A decision table: ``id`` (``t4``/``t5``, the prefix of its weight settings ``decision_weight_<id>_<n>``),
    title, the two alternatives (ids and (German, English) words) and the criteria in the seed's row order."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: tuple[str, str]
    alternatives: tuple[str, str]
    words: tuple[tuple[str, str], tuple[str, str]]
    criteria: tuple[DecisionCriterion, ...]

    def setting(self, n: int) -> str:
        """The settings key of criterion ``n`` (1-based): ``decision_weight_t4_1`` …"""
        return f"decision_weight_{self.id}_{n}"


def _c(de: str, en: str, first: str, group: tuple[str, str] | None = None) -> DecisionCriterion:
    sign = 1 if first == "+" else -1
    return DecisionCriterion(group=group, text=(de, en), signs=(sign, -sign))


TABLE_4 = DecisionTable(
    id="t4", title=("Tabelle 4: Entscheidung zwischen Vollzeit- und Teilzeit-Key-Account-Managern",
                    "Table 4: full-time or part-time key account managers"),
    alternatives=("part_time", "full_time"), words=(("Teilzeit-KAM", "part-time KAM"),
                                                    ("Vollzeit-KAM", "full-time KAM")),
    criteria=(
        _c("Ressourcenaufwand", "Resource effort", "+"),
        _c("Möglichkeit, sich auf konzeptionelle Arbeit und Kundenentwicklung zu konzentrieren",
           "Chance to concentrate on conceptual work and account development", "-"),
        _c("Verfügbarkeit von Persönlichkeiten mit Top-Management-Statur",
           "Availability of personalities of top-management stature", "+"),
        _c("Zugang zu lokalen Vertriebsressourcen im Kernland des Key-Accounts",
           "Access to local sales resources in the key account's core country", "+"),
        _c("Verantwortungsgefühl für Vertriebserfolg beim Key-Account",
           "Sense of responsibility for sales success at the key account", "-"),
    ))
_EFF = ("Ressourceneffizienz und Geschwindigkeit", "Resource efficiency and speed")
_CUST = ("Kundenorientierung", "Customer orientation")
_MOT = ("Motivation der Vertriebsmannschaft", "Motivation of the sales force")
TABLE_5 = DecisionTable(
    id="t5", title=("Tabelle 5: Entscheidung zwischen Linienmodell und Stabsmodell",
                    "Table 5: line model or staff model"),
    alternatives=("line", "staff"), words=(("Linienmodell", "line model"), ("Stabsmodell", "staff model")),
    criteria=(
        _c("Vermeidung von Ressourcenverdoppelung", "Avoiding duplicated resources", "-", _EFF),
        _c("Vermeidung von Reisezeit", "Avoiding travel time", "-", _EFF),
        _c("Vermeidung interner Ressourcenkonflikte", "Avoiding internal resource conflicts", "+", _EFF),
        _c("One face to the Customer", "One face to the customer", "+", _CUST),
        _c("Wissen über den Key-Account", "Knowledge of the key account", "+", _CUST),
        _c("Motivation und Rollenklarheit", "Motivation and role clarity", "+", _MOT),
        _c("Vermeidung einer „Zwei-Klassen-Gesellschaft“ im Vertrieb",
           "Avoiding a 'two-class society' in sales", "-", _MOT),
    ))
TABLES: tuple[DecisionTable, ...] = (TABLE_4, TABLE_5)
#: The default weight of every criterion (equal weights), as the company settings give it.
DEFAULT_WEIGHT: float = CompanySettings.model_fields["decision_weight_t4_1"].default


class Decisions(BaseModel):
    """The report contract's ``decisions`` object: the score of each alternative, −100 … +100."""

    model_config = ConfigDict(frozen=True)

    part_time: float | None
    full_time: float | None
    line: float | None
    staff: float | None


def score(weights: Sequence[float], signs: Sequence[int]) -> float | None:
    """100 × Σ wᵢ sᵢ ÷ Σ wᵢ, ``None`` when Σ wᵢ = 0. Raises :class:`KamInputError` for a negative weight or
    when weights and signs differ in number."""
    if len(weights) != len(signs):
        raise KamInputError(f"{len(weights)} weights for {len(signs)} criteria — allowed: one weight per criterion")
    for w in weights:
        if not w >= 0:
            raise KamInputError(f"decision weight {shown_number(w)!r} — allowed: a number ≥ 0")
    weight_sum = total(weights)
    if weight_sum == 0:
        return None
    return 100 * total(w * s for w, s in zip(weights, signs, strict=True)) / weight_sum


def decide(table: DecisionTable, weights: Sequence[float]) -> dict[str, float | None]:
    """The score of each alternative of ``table`` under ``weights`` (one per criterion, in row order)."""
    return {alt: score(weights, [c.signs[j] for c in table.criteria])
            for j, alt in enumerate(table.alternatives)}


def decisions(settings: CompanySettings | None = None) -> Decisions:
    """Both tables' scores under the decision weights of ``settings`` (``decision_weight_t4_1`` …; default:
    equal weights)."""
    s = settings or CompanySettings()
    return Decisions(**decide(TABLE_4, s.decision_weights(4)), **decide(TABLE_5, s.decision_weights(5)))
