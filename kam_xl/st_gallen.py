"""Where the KAM programme stands in its realisation — seed 002 (Belz/Zupancic/Müllner, St. Gallen).

* Field 0 is the overall approach (Abb. 1's header row: „Systematisch-ganzheitlicher Zugang im Rahmen eines
  Change-Projektes" ↔ „Selektive und agile Implementierung über verschiedene Zugänge"), fields 1–8 the eight
  tension fields of Abb. 1 „Spannungsfelder zur Realisierung des Key-Account-Managements", both poles verbatim.
  Each has a current and a target position, whole numbers −3 … +3 (−3 = fully the left pole, +3 = fully the
  right); gap = target − current; ``extreme`` when |current| = 3 or |target| = 3 — the seed warns „besonders,
  um die gefährlichen Auswirkungen der Extreme zu verhindern" (l. 47).
* The eight realisation logics of Abb. 3 with their current use and planned focus, 0–3 each;
  ``planned_shift`` when focus > current; each logic's limit from the seed as a note.
* The phase: installieren, aufbauen, professionalisieren, fokussieren (l. 196).

Every field and logic is listed, in the seed's order; what is not entered is ``None``.

>>> r = st_gallen({2: (1, -3)}, {"Tools": (1, 2)}, "aufbauen")
>>> r.fields[2].model_dump()
{'field': 2, 'current': 1, 'target': -3, 'gap': -4, 'extreme': True}
>>> r.logics[1].model_dump(), r.phase
({'logic': 'Tools', 'current': 1, 'focus': 2, 'planned_shift': True}, 'aufbauen')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from kam_xl.company_settings import PHASES, Phase, company_settings
from kam_xl.errors import KamInputError
from kam_xl.vocabulary import PHASE_WORDS

if TYPE_CHECKING:
    from kam_xl.databook.model import DataBook

POSITION_MIN, POSITION_MAX = -3, 3
USE_MIN, USE_MAX = 0, 3
PHASE_WORDS_EN: dict[str, str] = PHASE_WORDS["en"]  # the phases in English (one table: the vocabulary's)

#: Field number → (left pole, right pole), German verbatim from Abb. 1; field 0 is the overall approach.
POLES: dict[int, tuple[str, str]] = {
    0: ("Systematisch-ganzheitlicher Zugang im Rahmen eines Change-Projektes",
        "Selektive und agile Implementierung über verschiedene Zugänge"),
    1: ("Voraussetzungen des Unternehmens für Key-Account-Management (Corporate Key-Account-Management)",
        "Individuelles Engagement von einzelnen Key-Account-Managern für spezifische Kunden (Operatives "
        "Key-Account-Management)"),
    2: ("Nachhaltige Lösungen für die Zukunft", "Rasche Erfolge"),
    3: ("Ganzheitliches Key-Account-Management", "Selektive Verbesserungen"),
    4: ("Hausaufgaben", "Innovation im Key-Account-Management"),
    5: ("Analytik mit konsequenten Folgerungen und Verhalten", "Intuition, Macht- und Interessenausgleich"),
    6: ("Regelung", "Individualisierung im Key-Account-Management"),
    7: ("Top-down", "Bottom-up"),
    8: ("Verbindung", "Trennung des Key-Account-Managements"),
}
#: The same poles in English.
POLES_EN: dict[int, tuple[str, str]] = {
    0: ("Systematic, holistic approach in a change project", "Selective, agile implementation via various entries"),
    1: ("The company's prerequisites for KAM (corporate KAM)",
        "Individual engagement of single KAMs for specific customers (operative KAM)"),
    2: ("Sustainable solutions for the future", "Quick wins"),
    3: ("Holistic KAM", "Selective improvements"),
    4: ("Homework", "Innovation in KAM"),
    5: ("Analytics with consistent conclusions and behaviour", "Intuition, balancing power and interests"),
    6: ("Regulation", "Individualisation in KAM"),
    7: ("Top-down", "Bottom-up"),
    8: ("Integration", "Separation of KAM"),
}
FIELDS: tuple[int, ...] = tuple(POLES)

#: The eight realisation logics (Abb. 3) in the seed's order, each with its limit in the seed's words (German,
#: quoted from l. 65–190) and in English.
LOGICS: dict[str, tuple[str, str]] = {
    "Facts & Strategy": (
        "„Die Analytik begründet aber noch keine Identifikation, eine Verpflichtung und das Engagement der "
        "Beteiligten. Ausufernde Analyse kann lähmen. Der Strategie müssen Ressourcen und Verantwortlichkeiten "
        "folgen, wenn diese Logik wirksam werden soll.“",
        "Analytics creates no identification, commitment or engagement; sprawling analysis can paralyse; "
        "resources and responsibilities must follow the strategy."),
    "Tools": (
        "„Hammer und Meißel schaffen noch keine Skulptur. Beste Software und Systeme müssen auch richtig genutzt "
        "werden. Dies sicherzustellen, ist Führungsaufgabe des Managements.“",
        "Hammer and chisel make no sculpture yet: using the tools well is management's leadership task."),
    "Structure": (
        "„Grenzen der Logik werden erreicht, wenn Unternehmen langsam und starr werden und Regelungen zunehmend "
        "dazu dienen, nach Misserfolgen die Schuld zuzuweisen.“",
        "The logic reaches its limits when the company turns slow and rigid and rules increasingly serve to "
        "assign blame after failures."),
    "Innovation": (
        "„Bleiben jedoch die Hausaufgaben des Key-Account-Managements oder die dominierenden bestehenden Geschäfte "
        "ungewichtet, so erweist sich eine einseitige Innovationsorientierung als Bumerang oder die Durststrecke "
        "für Erfolge wird zu lange.“",
        "If KAM's homework or the dominant existing business is neglected, a one-sided focus on innovation comes "
        "back as a boomerang or the dry spell before success grows too long."),
    "Topics": (
        "„Wechselnde Themen führen aber leicht zu einem Flickenteppich von verschiedenen Ansätzen und oft erlahmt "
        "die Initiative für neue Themen bald oder die Ergebnisse von Projektgruppen werden nicht einmal in die "
        "Gesamtorganisation überführt.“",
        "Changing topics easily make a patchwork of approaches; initiatives fade or project results never reach "
        "the whole organisation."),
    "People": (
        "„Viele behindernde Rahmenbedingungen können Key-Account-Manager jedoch selbst nicht gestalten. […] Kurz: "
        "Ein optimales persönliches Verhalten ist nur in einem guten Unternehmenssystem möglich.“",
        "KAMs cannot shape many hindering conditions themselves: the best personal conduct is only possible in a "
        "good company system."),
    "Selected Key-Accounts": (
        "„Gefahr ist jedoch, dass jede Lösung für Kunden neu erfunden wird. Einzellösungen werden zudem zu wenig "
        "sorgfältig entwickelt und führen in jedem neuen Projekt mit Kunden zu unbekanntem Problemen.“",
        "Every solution risks being reinvented; single solutions are developed too carelessly and bring unknown "
        "problems into every new customer project."),
    "Commercialisation": (
        "„Zu diesen neuralgischen Stellen gilt es aber auch, die geeigneten Lösungen und Vorgehensweisen in "
        "Zukunft zu bestimmen.“",
        "For these sore points the suitable solutions and ways of working must also be set for the future."),
}
LOGIC_NAMES: tuple[str, ...] = tuple(LOGICS)


class FieldPosition(BaseModel):
    """The report contract's object of one field."""

    model_config = ConfigDict(frozen=True)

    field: int
    current: int | None
    target: int | None
    gap: int | None
    extreme: bool


class LogicUse(BaseModel):
    """The report contract's object of one realisation logic."""

    model_config = ConfigDict(frozen=True)

    logic: str
    current: int | None
    focus: int | None
    planned_shift: bool | None


class StGallen(BaseModel):
    """The report contract's ``st_gallen`` object."""

    model_config = ConfigDict(frozen=True)

    fields: list[FieldPosition]
    logics: list[LogicUse]
    phase: Phase | None


def _whole(value: float | None, low: int, high: int, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or value != int(value) or not low <= value <= high:
        raise KamInputError(f"{what} {value!r} is not on the scale — allowed: a whole number from {low} to {high}")
    return int(value)


def field_position(field: int, current: float | None, target: float | None) -> FieldPosition:
    """One field's positions (−3 … +3 or ``None``), gap (``None`` unless both are given) and extreme flag.
    Raises :class:`KamInputError` for an unknown field or a position off the scale."""
    if field not in POLES:
        raise KamInputError(f"there is no St. Gallen field {field!r} — allowed: 0 (overall approach) to 8")
    cur = _whole(current, POSITION_MIN, POSITION_MAX, f"field {field} current position")
    tgt = _whole(target, POSITION_MIN, POSITION_MAX, f"field {field} target position")
    gap = tgt - cur if cur is not None and tgt is not None else None
    extreme = any(p is not None and abs(p) == POSITION_MAX for p in (cur, tgt))
    return FieldPosition(field=field, current=cur, target=tgt, gap=gap, extreme=extreme)


def logic_use(logic: str, current: float | None, focus: float | None) -> LogicUse:
    """One logic's current use and planned focus (0–3 or ``None``); ``planned_shift`` = focus > current
    (``None`` unless both are given)."""
    if logic not in LOGICS:
        raise KamInputError(f"{logic!r} is not one of the eight realisation logics — allowed: "
                            f"{', '.join(LOGIC_NAMES)}")
    cur = _whole(current, USE_MIN, USE_MAX, f"{logic} current use")
    foc = _whole(focus, USE_MIN, USE_MAX, f"{logic} focus")
    return LogicUse(logic=logic, current=cur, focus=foc,
                    planned_shift=foc > cur if cur is not None and foc is not None else None)


def st_gallen(positions: Mapping[int, tuple[float | None, float | None]],
              logics: Mapping[str, tuple[float | None, float | None]], phase: str | None) -> StGallen:
    """The programme's St. Gallen picture: ``positions`` field → (current, target), ``logics`` logic →
    (current, focus), the phase (one of :data:`PHASES` or ``None``). Every field and logic is listed."""
    for f in positions:
        if f not in POLES:
            raise KamInputError(f"there is no St. Gallen field {f!r} — allowed: 0 (overall approach) to 8")
    for name in logics:
        if name not in LOGICS:
            raise KamInputError(f"{name!r} is not one of the eight realisation logics — allowed: "
                                f"{', '.join(LOGIC_NAMES)}")
    if phase is not None and phase not in PHASES:
        raise KamInputError(f"{phase!r} is not a phase of the KAM programme — allowed: {', '.join(PHASES)}")
    return StGallen(fields=[field_position(f, *positions.get(f, (None, None))) for f in FIELDS],
                    logics=[logic_use(n, *logics.get(n, (None, None))) for n in LOGIC_NAMES],
                    phase=phase)  # type: ignore[arg-type]


def databook_st_gallen(db: DataBook) -> StGallen:
    """The programme's St. Gallen picture from a validated data book: its ``st_gallen`` and ``st_gallen_logics``
    tables and the ``phase`` of its ``settings`` (every field and logic listed; ``None`` where not given)."""
    positions = {int(r["field"]): (r["current"], r["target"]) for r in db.table("st_gallen") or []}
    logics = {r["logic"]: (r["current"], r["focus"]) for r in db.table("st_gallen_logics") or []}
    return st_gallen(positions, logics, company_settings(db).phase)
