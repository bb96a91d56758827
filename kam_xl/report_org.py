"""The programme report's parts for coordination need, organisation decisions and St. Gallen (issue 12): the
objects of the report contract from a data book (:func:`org_parts`) and their table output (:func:`org_tables`)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from kam_xl.company_settings import company_settings
from kam_xl.coordination import AccountCoordination, databook_coordination
from kam_xl.databook import DataBook
from kam_xl.organisation import TABLE_4, TABLE_5, Decisions, decisions
from kam_xl.st_gallen import POLES, StGallen, databook_st_gallen


def org_parts(db: DataBook) -> dict[str, Any]:
    """The report contract's ``coordination`` (one object per account), ``decisions`` and ``st_gallen`` of a
    validated data book, by key."""
    return {"coordination": databook_coordination(db), "decisions": decisions(company_settings(db)),
            "st_gallen": databook_st_gallen(db)}


def _n(value: float | int | None, digits: int = 2) -> str:
    """A number to ``digits`` places; positions (``digits`` 0) with their sign, 0 without."""
    if value is None:
        return "–"
    return f"{value:+.0f}" if digits == 0 and value else f"{value:.{digits}f}"


def _flag(value: bool | None, warn: bool = True) -> str:
    return "–" if value is None else ("[red]yes[/]" if warn else "yes") if value else "no"


def coordination_table(rows: list[AccountCoordination]) -> Table:
    """One row per account: each scale's mean and result, the KAM span and the shortfall."""
    t = Table(title="Coordination need (Abb. 7 cross-BU, Abb. 8 cross-territory; items 1–7)", header_style="bold")
    for col in ("Account", "BU mean", "BU need", "Territory mean", "Territory need", "KAM span", "Shortfall"):
        t.add_column(col, justify="right" if "mean" in col else "left")
    for r in rows:
        t.add_row(r.account_id, _n(r.bu.mean), r.bu.result or "–", _n(r.territory.mean), r.territory.result or "–",
                  r.kam_span or "–", _flag(r.shortfall))
    return t


def decisions_table(d: Decisions) -> Table:
    """The score of each alternative of Tabelle 4 and 5 (−100 … +100)."""
    t = Table(title="Organisation decisions (Tabelle 4, 5; score −100 … +100)", header_style="bold")
    for col, justify in (("Table", "left"), ("Alternative", "left"), ("Score", "right")):
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    scores = d.model_dump()
    for table in (TABLE_4, TABLE_5):
        for alt, (_, word) in zip(table.alternatives, table.words, strict=True):
            t.add_row(table.title[1].split(":")[0], word, _n(scores[alt]))
    return t


def st_gallen_tables(sg: StGallen) -> list[Table]:
    """The fields with positions, gap and extreme flag; the logics with current use, focus and planned shift."""
    fields = Table(title=f"St. Gallen tension fields (−3 left … +3 right pole); phase: {sg.phase or '–'}",
                   header_style="bold")
    for col, justify in (("Field", "right"), ("Left pole", "left"), ("Right pole", "left"), ("Current", "right"),
                         ("Target", "right"), ("Gap", "right"), ("Extreme", "left")):
        fields.add_column(col, justify=justify)  # type: ignore[arg-type]
    for f in sg.fields:
        fields.add_row(str(f.field), POLES[f.field][0], POLES[f.field][1], _n(f.current, 0), _n(f.target, 0),
                       _n(f.gap, 0), _flag(f.extreme))
    logics = Table(title="St. Gallen logics of realisation (0–3)", header_style="bold")
    for col, justify in (("Logic", "left"), ("Current", "right"), ("Focus", "right"), ("Planned shift", "left")):
        logics.add_column(col, justify=justify)  # type: ignore[arg-type]
    for u in sg.logics:
        logics.add_row(u.logic, "–" if u.current is None else str(u.current),
                       "–" if u.focus is None else str(u.focus), _flag(u.planned_shift, warn=False))
    return [fields, logics]


def org_tables(coordination: list[AccountCoordination], decisions: Decisions, st_gallen: StGallen) -> list[Table]:
    """The table output of the three parts (named as :func:`org_parts` gives them), in the contract's order."""
    return [coordination_table(coordination), decisions_table(decisions), *st_gallen_tables(st_gallen)]
