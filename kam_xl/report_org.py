"""The programme report's parts for coordination need, organisation decisions and St. Gallen (issue 12): the
objects of the report contract from a data book (:func:`org_parts`) and their table output (:func:`org_tables`),
in German or English words and number style (``lang``)."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from kam_xl.company_settings import company_settings
from kam_xl.coordination import AccountCoordination, databook_coordination
from kam_xl.databook import DataBook
from kam_xl.organisation import TABLE_4, TABLE_5, Decisions, decisions
from kam_xl.report_numbers import Numbers
from kam_xl.st_gallen import POLES, POLES_EN, StGallen, databook_st_gallen
from kam_xl.vocabulary import COORDINATION_WORDS, LOGIC_WORDS, PHASE_WORDS, YES_NO, Lang
from kam_xl.workbook.layout import pick


def org_parts(db: DataBook) -> dict[str, Any]:
    """The report contract's ``coordination`` (one object per account), ``decisions`` and ``st_gallen`` of a
    validated data book, by key."""
    return {"coordination": databook_coordination(db), "decisions": decisions(company_settings(db)),
            "st_gallen": databook_st_gallen(db)}


def _flag(value: bool | None, lang: Lang, warn: bool = True) -> str | Text:
    yes, no = YES_NO[lang]
    return "–" if value is None else (Text(yes, style="red") if warn else yes) if value else no


def _table(title: str, columns: tuple[tuple[str, str], ...]) -> Table:
    t = Table(title=title, header_style="bold")
    for col, justify in columns:
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    return t


def coordination_table(rows: list[AccountCoordination], lang: Lang = "en") -> Table:
    """One row per account: each scale's mean (2 decimals) and result, the KAM span and the shortfall."""
    n, words = Numbers(lang), COORDINATION_WORDS[lang]
    t = _table(pick(lang, "Koordinationsbedarf (Abb. 7 über Geschäftsbereiche, Abb. 8 über Gebiete; "
                          "je 6 Items, bewertet 1–7)",
                    "Coordination need (Abb. 7 cross-BU, Abb. 8 cross-territory; 6 items each, rated 1–7)"),
               ((pick(lang, "Kunde", "Account"), "left"), (pick(lang, "GB Mittel", "BU mean"), "right"),
                (pick(lang, "GB Bedarf", "BU need"), "left"), (pick(lang, "Gebiet Mittel", "Territory mean"), "right"),
                (pick(lang, "Gebiet Bedarf", "Territory need"), "left"),
                (pick(lang, "KAM-Spanne", "KAM span"), "left"), (pick(lang, "Defizit", "Shortfall"), "left")))
    for r in rows:
        t.add_row(r.account_id, n.fixed(r.bu.mean, 2), words.get(r.bu.result or "", "–"),
                  n.fixed(r.territory.mean, 2), words.get(r.territory.result or "", "–"), r.kam_span or "–",
                  _flag(r.shortfall, lang))
    return t


def decisions_table(d: Decisions, lang: Lang = "en") -> Table:
    """The score of each alternative of Tabelle 4 and 5 (−100 … +100, 2 decimals)."""
    n = Numbers(lang)
    t = _table(pick(lang, "Organisationsentscheidungen (Tabelle 4, 5; Score −100 … +100)",
                    "Organisation decisions (Tabelle 4, 5; score −100 … +100)"),
               ((pick(lang, "Tabelle", "Table"), "left"), ("Alternative", "left"), ("Score", "right")))
    scores = d.model_dump()
    index = 0 if lang == "de" else 1
    for table in (TABLE_4, TABLE_5):
        for alt, words in zip(table.alternatives, table.words, strict=True):
            t.add_row(table.title[index].split(":")[0], words[index], n.fixed(scores[alt], 2))
    return t


def st_gallen_tables(sg: StGallen, lang: Lang = "en") -> list[Table]:
    """The fields with positions, gap and extreme flag; the logics with current use, focus and planned shift."""
    n, poles = Numbers(lang), POLES if lang == "de" else POLES_EN
    phase = "–" if sg.phase is None else PHASE_WORDS[lang].get(sg.phase, sg.phase)
    fields = _table(pick(lang, f"St. Galler Spannungsfelder (−3 linker … +3 rechter Pol); Phase: {phase}",
                         f"St. Gallen tension fields (−3 left … +3 right pole); phase: {phase}"),
                    ((pick(lang, "Feld", "Field"), "right"), (pick(lang, "Linker Pol", "Left pole"), "left"),
                     (pick(lang, "Rechter Pol", "Right pole"), "left"), (pick(lang, "Ist", "Current"), "right"),
                     (pick(lang, "Ziel", "Target"), "right"), (pick(lang, "Lücke", "Gap"), "right"),
                     (pick(lang, "Extrem", "Extreme"), "left")))
    for f in sg.fields:
        fields.add_row(n.count(f.field), poles[f.field][0], poles[f.field][1], n.signed(f.current),
                       n.signed(f.target), n.signed(f.gap), _flag(f.extreme, lang))
    logics = _table(pick(lang, "St. Galler Umsetzungslogiken (0–3)", "St. Gallen logics of realisation (0–3)"),
                    ((pick(lang, "Logik", "Logic"), "left"), (pick(lang, "Ist", "Current"), "right"),
                     (pick(lang, "Fokus", "Focus"), "right"),
                     (pick(lang, "Geplante Verschiebung", "Planned shift"), "left")))
    for u in sg.logics:
        logics.add_row(LOGIC_WORDS[lang].get(u.logic, u.logic), n.count(u.current), n.count(u.focus),
                       _flag(u.planned_shift, lang, warn=False))
    return [fields, logics]


def org_tables(coordination: list[AccountCoordination], decisions: Decisions, st_gallen: StGallen,
               lang: Lang = "en") -> list[Table]:
    """The table output of the three parts (named as :func:`org_parts` gives them), in the contract's order, in
    ``lang``'s words and number style."""
    return [coordination_table(coordination, lang), decisions_table(decisions, lang),
            *st_gallen_tables(st_gallen, lang)]
