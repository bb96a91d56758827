"""The controller's St. Gallen sheet (seed 002): the overall approach and the eight tension fields with current
and target position (−3 … +3) as inputs, gap and extreme flag as formulas and a chart of the positions; the
eight realisation logics with current use and planned focus (0–3) as inputs and the planned shift as a formula;
the phase as a drop-down (:mod:`kam_xl.st_gallen`).

The positions, logics and phase are the controller's typed inputs (:class:`StGallenInputs`): a fresh controller
takes them from the data book (tables ``st_gallen``, ``st_gallen_logics`` and the setting ``phase``),
regeneration carries what was typed, collect exports them as those tables."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from kam_xl.company_settings import company_settings
from kam_xl.databook import Column, DataBook, Table
from kam_xl.databook.whole import whole_numbers
from kam_xl.st_gallen import (
    FIELDS,
    LOGIC_NAMES,
    LOGICS,
    PHASES,
    POLES,
    POLES_EN,
    POSITION_MAX,
    POSITION_MIN,
    USE_MAX,
    USE_MIN,
    Phase,
    StGallen,
    st_gallen,
)
from kam_xl.text import match_choice
from kam_xl.vocabulary import LIGHT_FORMATS, LOGIC_WORDS, PHASE_WORDS, YES_NO, Lang, sheet_title
from kam_xl.workbook.controller.common import _headers
from kam_xl.workbook.controller.kind import AccountRows, BuildContext, ControllerSheet, TableExport
from kam_xl.workbook.layout import Chart, Conditional, Input, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.years import year_span

#: The fields' labels on the chart's axis, shortened from the poles (German, English).
CHART_LABELS: dict[int, tuple[str, str]] = {
    0: ("Systematisch-ganzheitlich ↔ selektiv-agil", "Systematic-holistic ↔ selective-agile"),
    1: ("Corporate KAM ↔ Operatives KAM", "Corporate KAM ↔ operative KAM"),
    2: ("Nachhaltige Lösungen ↔ Rasche Erfolge", "Sustainable solutions ↔ quick wins"),
    3: ("Ganzheitliches KAM ↔ Selektive Verbesserungen", "Holistic KAM ↔ selective improvements"),
    4: ("Hausaufgaben ↔ Innovation", "Homework ↔ innovation"),
    5: ("Analytik ↔ Intuition, Macht- und Interessenausgleich", "Analytics ↔ intuition, balancing interests"),
    6: ("Regelung ↔ Individualisierung", "Regulation ↔ individualisation"),
    7: ("Top-down ↔ Bottom-up", "Top-down ↔ bottom-up"),
    8: ("Verbindung ↔ Trennung", "Integration ↔ separation"),
}
#: Column widths of the sheet; the pole and limit columns wrap their text (row heights by :func:`_height`).
WIDTHS = {0: 14, 1: 52, 2: 9, 3: 9, 4: 18, 5: 9, 6: 70, 7: 46}
POSITION_CHOICES = tuple(str(p) for p in range(POSITION_MIN, POSITION_MAX + 1))
USE_CHOICES = tuple(str(u) for u in range(USE_MIN, USE_MAX + 1))


def current_name(field: int) -> str:
    """The defined name of a field's current position."""
    return f"sg_current_{field}"


def target_name(field: int) -> str:
    """The defined name of a field's target position."""
    return f"sg_target_{field}"


def logic_names(n: int) -> tuple[str, str]:
    """The defined names of logic ``n``'s (1-based) current use and focus."""
    return f"sg_logic_current_{n}", f"sg_logic_focus_{n}"


PHASE_NAME = "sg_phase"


def _input_fields() -> dict[str, Any]:
    pos = {"ge": POSITION_MIN, "le": POSITION_MAX}
    use = {"ge": USE_MIN, "le": USE_MAX}
    fields: dict[str, Any] = {}
    for f in FIELDS:
        fields[f"current_{f}"] = (int | None, Field(None, alias=current_name(f), **pos,
                                                    description=f"St. Gallen Feld {f} Ist"))
        fields[f"target_{f}"] = (int | None, Field(None, alias=target_name(f), **pos,
                                                   description=f"St. Gallen Feld {f} Ziel"))
    for n, logic in enumerate(LOGIC_NAMES, 1):
        cur, foc = logic_names(n)
        fields[f"logic_current_{n}"] = (int | None, Field(None, alias=cur, **use, description=f"{logic} Ist"))
        fields[f"logic_focus_{n}"] = (int | None, Field(None, alias=foc, **use, description=f"{logic} Fokus"))
    fields["phase"] = (Phase | None, Field(None, alias=PHASE_NAME, description="Phase"))
    return fields


def _phase_word(value: Any) -> Any:
    """The phase (German id) of a phase typed in either language's words, in any case or with stray spaces, as
    the drop-down offers it (else left for the field's rule to refuse)."""
    if value is None or value == "":
        return None
    for words in PHASE_WORDS.values():  # an English sheet offers the English words
        found = match_choice(value, words.values())
        if found is not None:
            return next(p for p, w in words.items() if w == found)
    return value


#: The typed inputs of the St. Gallen sheet: per field current and target (−3 … +3), per logic current use and
#: focus (0–3), the phase; empty = not assessed.
StGallenInputs: type[BaseModel] = create_model(
    "StGallenInputs", __config__=ConfigDict(frozen=True, populate_by_name=True),
    __validators__={"_phase": field_validator("phase", mode="before")(_phase_word)}, **_input_fields())


def picture(inputs: BaseModel) -> StGallen:
    """The St. Gallen picture (:func:`kam_xl.st_gallen.st_gallen`) of the sheet's inputs."""
    v = inputs.model_dump()
    return st_gallen({f: (v[f"current_{f}"], v[f"target_{f}"]) for f in FIELDS},
                     {lg: (v[f"logic_current_{n}"], v[f"logic_focus_{n}"]) for n, lg in enumerate(LOGIC_NAMES, 1)},
                     v["phase"])


def _height(*texts: tuple[str, int]) -> float:
    """The height in points of a row whose cells wrap ``texts`` (text, column): 13 points a line and 3 more, a line
    taken as 1.12 × the column's width in characters (a proportional font)."""
    lines = max(math.ceil(len(text) / (WIDTHS[col] * 1.12)) for text, col in texts)
    return 13.0 * max(lines, 1) + 3


def _position_input(lang: Lang, what: str) -> Input:
    return Input(kind="list", choices=POSITION_CHOICES, title=what,
                 message=_t(lang, "−3 = ganz der linke Pol, 0 = ausgewogen, +3 = ganz der rechte Pol; leer = nicht "
                                  "beurteilt",
                            "−3 = fully the left pole, 0 = balanced, +3 = fully the right pole; empty = not assessed"))


def _fields_block(s: Sheet, top: int, result: StGallen, lang: Lang) -> tuple[int, int]:
    """The fields' table from row ``top``; returns its first and last row."""
    yes, no = YES_NO[lang]
    poles = POLES if lang == "de" else POLES_EN
    _headers(s, top, 0, (_t(lang, "Feld", "Field"), _t(lang, "Linker Pol (−3)", "Left pole (−3)"),
                         _t(lang, "Ist", "Current"), _t(lang, "Ziel", "Target"), _t(lang, "Lücke", "Gap"),
                         _t(lang, "Extrem", "Extreme"), _t(lang, "Rechter Pol (+3)", "Right pole (+3)"),
                         _t(lang, "Diagrammbeschriftung", "Chart label")))
    first = top + 1
    for i, pos in enumerate(result.fields):
        r = first + i
        f = pos.field
        s.put(r, 0, _t(lang, "Gesamtzugang", "Overall approach") if f == 0 else _t(lang, f"Feld {f}", f"Field {f}"),
              style="label")  # one alignment down the column: every field by its name
        s.put(r, 1, poles[f][0], style="wrap")
        cur = s.put(r, 2, pos.current, style="integer", name=current_name(f),
                    input=_position_input(lang, _t(lang, "Ist-Position", "Current position")))
        tgt = s.put(r, 3, pos.target, style="integer", name=target_name(f),
                    input=_position_input(lang, _t(lang, "Ziel-Position", "Target position")))
        c, t = cur.address, tgt.address
        s.put(r, 4, formula=f'=IF(OR({c}="",{t}=""),"",{t}-{c})', cached=pos.gap, style="integer")
        s.put(r, 5, formula=f'=IF(OR({c}=3,{c}=-3,{t}=3,{t}=-3),"{yes}","{no}")',
              cached=yes if pos.extreme else no)
        s.put(r, 6, poles[f][1], style="wrap")
        s.put(r, 7, _t(lang, *CHART_LABELS[f]), style="note")
        s.heights[r] = _height((poles[f][0], 1), (poles[f][1], 6))
    last = first + len(result.fields) - 1
    s.name_range("ctl_sg_fields", first, 2, last, 5)
    s.conditionals.append(Conditional(first, 5, last, 5, {"type": "cell", "criteria": "==", "value": f'"{yes}"',
                                                          "format": LIGHT_FORMATS["red"]}))
    return first, last


def _logics_block(s: Sheet, top: int, result: StGallen, lang: Lang) -> int:
    """The logics' table from row ``top``; returns its last row."""
    yes, no = YES_NO[lang]
    _headers(s, top, 0, ("Nr.", _t(lang, "Logik", "Logic"), _t(lang, "Ist (0–3)", "Current (0–3)"),
                         _t(lang, "Fokus (0–3)", "Focus (0–3)"), _t(lang, "Verschiebung geplant", "Planned shift"),
                         "", _t(lang, "Grenze der Logik", "Limit of the logic")))
    first = top + 1
    use_msg = _t(lang, "0 = nicht genutzt … 3 = prägend; leer = nicht beurteilt",
                 "0 = not used … 3 = dominant; empty = not assessed")
    for n, use in enumerate(result.logics, 1):
        r = first + n - 1
        cur_name, foc_name = logic_names(n)
        s.put(r, 0, n, style="integer")
        s.put(r, 1, LOGIC_WORDS[lang][use.logic], style="bold")
        cur = s.put(r, 2, use.current, style="integer", name=cur_name,
                    input=Input(kind="list", choices=USE_CHOICES, title=_t(lang, "Ist", "Current"), message=use_msg))
        foc = s.put(r, 3, use.focus, style="integer", name=foc_name,
                    input=Input(kind="list", choices=USE_CHOICES, title=_t(lang, "Fokus", "Focus"), message=use_msg))
        c, f = cur.address, foc.address
        s.put(r, 4, formula=f'=IF(OR({c}="",{f}=""),"",IF({f}>{c},"{yes}","{no}"))',
              cached=None if use.planned_shift is None else yes if use.planned_shift else no)
        s.put(r, 6, _t(lang, *LOGICS[use.logic]), style="wrap")
        s.heights[r] = _height((_t(lang, *LOGICS[use.logic]), 6))
    last = first + len(result.logics) - 1
    s.name_range("ctl_sg_logics", first, 2, last, 4)
    s.conditionals.append(Conditional(first, 4, last, 4, {"type": "cell", "criteria": "==", "value": f'"{yes}"',
                                                          "format": LIGHT_FORMATS["amber"]}))
    return last


def st_gallen_sheet(inputs: BaseModel, lang: Lang, year: str | int | None = None) -> Sheet:
    """The ``St. Gallen`` sheet of the typed ``inputs``; ``year`` (the plan year or years) goes into its title."""
    result = picture(inputs)
    s = Sheet("St. Gallen", widths=dict(WIDTHS), freeze=(0, 2))
    s.put(0, 0, sheet_title(lang, _t(lang, "Realisierung des KAM (St. Gallen: Spannungsfelder, Logiken, Phase)",
                                     "Realising KAM (St. Gallen: tension fields, logics, phase)"), year),
          style="title")
    s.put(1, 0, _t(lang, "Position je Spannungsfeld von −3 (ganz linker Pol) bis +3 (ganz rechter Pol), heute (Ist) "
                         "und angestrebt (Ziel); Lücke = Ziel − Ist. „Zwischen den Ausprägungen gilt es, subtiler "
                         "eine passende Balance zu verfolgen, besonders, um die gefährlichen Auswirkungen der "
                         "Extreme zu verhindern.“ — ±3 ist markiert.",
                   "Position per tension field from −3 (fully the left pole) to +3 (fully the right pole), today "
                   "(current) and aimed at (target); gap = target − current. Balance the poles rather than "
                   "go to the extremes: ±3 is flagged."), style="note")
    s.put(2, 0, "Phase", style="label")
    phases = tuple(PHASE_WORDS[lang][p] for p in PHASES)
    words = ", ".join(phases)
    s.put(2, 1, None if result.phase is None else PHASE_WORDS[lang][result.phase], name=PHASE_NAME,
          input=Input(kind="list", choices=phases, title="Phase",
                      message=_t(lang, f"Phase des KAM: {words}", f"Phase of KAM: {words}")))
    first, last = _fields_block(s, 4, result, lang)
    s.charts.append(Chart(
        kind="bar", title=_t(lang, "Spannungsfelder: Ist und Ziel (−3 linker Pol … +3 rechter Pol)",
                             "Tension fields: current and target (−3 left pole … +3 right pole)"),
        series=tuple({"name": f"={s.ref(first - 1, col)}", "categories": f"={s.ref(first, 7, last, 7)}",
                      "values": f"={s.ref(first, col, last, col)}", "fill": {"color": colour}}
                     for col, colour in ((2, "#8EA9DB"), (3, "#1F3864"))),
        anchor=(last + 2, 1), size=(820, 420),
        options={"x_axis": {"min": POSITION_MIN, "max": POSITION_MAX, "major_unit": 1},
                 "y_axis": {"reverse": True, "label_position": "low"}, "legend": {"position": "bottom"}}))
    logic_top = last + 25
    s.put(logic_top - 1, 0, _t(lang, "Logiken der Realisierung (Abb. 3)", "Logics of realisation (Fig. 3)"),
          style="subtitle")
    _logics_block(s, logic_top, result, lang)
    return s


class StGallenSheet(ControllerSheet):
    """``St. Gallen``: positions, logics and phase (typed inputs, carried on regeneration)."""

    key = "st_gallen"
    Inputs = StGallenInputs
    tables = (
        Table("st_gallen", (Column("field", "number"), Column("current", "number", False),
                            Column("target", "number", False)), key=("field",),
              description="St. Gallen tension fields (0 = overall approach, 1–8): current and target position, "
                          "whole numbers −3 … +3",
              check=whole_numbers("st_gallen", {"field": (FIELDS[0], FIELDS[-1]),
                                                "current": (POSITION_MIN, POSITION_MAX),
                                                "target": (POSITION_MIN, POSITION_MAX)})),
        Table("st_gallen_logics", (Column("logic", "choice", choices=LOGIC_NAMES), Column("current", "number", False),
                                   Column("focus", "number", False)), key=("logic",),
              description="St. Gallen realisation logics: current use and planned focus, whole numbers 0–3",
              check=whole_numbers("st_gallen_logics", {"current": (USE_MIN, USE_MAX), "focus": (USE_MIN, USE_MAX)})),
    )

    def defaults(self, db: DataBook, lang: Lang) -> BaseModel:
        return StGallenInputs.model_validate(databook_inputs(db))

    def label(self, name: str, lang: Lang) -> str:
        """The input as its sheet names it, in ``lang``: the field's position (``St. Gallen Feld 3 Ist`` / ``St.
        Gallen field 3 current``), the logic's use in the sheet's words (``Werkzeuge Fokus`` / ``Tools focus``),
        the phase."""
        for f in FIELDS:
            if name in (current_name(f), target_name(f)):
                which = _t(lang, "Ist", "current") if name == current_name(f) else _t(lang, "Ziel", "target")
                return _t(lang, f"St. Gallen Feld {f} {which}", f"St. Gallen field {f} {which}")
        for n, logic in enumerate(LOGIC_NAMES, 1):
            if name in logic_names(n):
                which = _t(lang, "Ist", "current") if name == logic_names(n)[0] else _t(lang, "Fokus", "focus")
                return f"{LOGIC_WORDS[lang][logic]} {which}"
        return _t(lang, "Phase", "Phase") if name == PHASE_NAME else name

    def build(self, ctx: BuildContext) -> Sheet:
        return st_gallen_sheet(ctx.inputs[self.key], ctx.lang, year_span(a.plan_year for a in ctx.db.accounts))

    def export(self, inputs: BaseModel | None, rows: AccountRows, lang: Lang) -> dict[str, TableExport]:
        """The positions as ``st_gallen`` rows, the logics as ``st_gallen_logics`` rows (each with a value) and the
        phase as a ``settings`` row; they replace the whole tables (and the phase) in the data book. A controller
        from before this kind (no inputs) exports nothing — the data book's tables stay."""
        if inputs is None:
            return {}
        r = picture(inputs)
        fields = [{"field": f.field, "current": f.current, "target": f.target} for f in r.fields
                  if f.current is not None or f.target is not None]
        logics = [{"logic": u.logic, "current": u.current, "focus": u.focus} for u in r.logics
                  if u.current is not None or u.focus is not None]
        return {"st_gallen": TableExport(fields, "field", frozenset(str(f) for f in FIELDS)),
                "st_gallen_logics": TableExport(logics, "logic", frozenset(LOGIC_NAMES)),
                "settings": TableExport([{"key": "phase", "value": r.phase}] if r.phase else [], "key",
                                        frozenset({"phase"}))}


def databook_inputs(db: DataBook) -> dict[str, Any]:
    """The sheet's inputs (by defined name) from the data book's ``st_gallen`` and ``st_gallen_logics`` tables and
    its ``phase`` setting."""
    out: dict[str, Any] = {}
    for r in db.table("st_gallen") or []:
        f = int(r["field"])
        out[current_name(f)], out[target_name(f)] = r["current"], r["target"]
    for r in db.table("st_gallen_logics") or []:
        cur, foc = logic_names(LOGIC_NAMES.index(r["logic"]) + 1)
        out[cur], out[foc] = r["current"], r["focus"]
    out[PHASE_NAME] = company_settings(db).phase
    return out
