"""The KAM programme view across all accounts (issue 12): ``kam-xl report --what programme``.

:class:`ProgrammeReport` is the report contract: ``selection`` and ``abc_xyz`` (:mod:`kam_xl.selection`) and
the parts ``coordination``, ``decisions`` and ``st_gallen`` (coordination need, organisation decisions, St. Gallen
realisation), which their modules fill; a part not computed is ``None``.
"""

from __future__ import annotations

from pydantic import BaseModel
from rich.table import Table

from kam_xl.company_settings import company_settings
from kam_xl.coordination import AccountCoordination
from kam_xl.databook import DataBook
from kam_xl.organisation import Decisions
from kam_xl.report_numbers import Numbers
from kam_xl.report_org import org_parts
from kam_xl.selection import (
    AbcXyzResult,
    SelectionResult,
    classify_accounts,
    derived_shown,
    quarter_revenues,
    select_accounts,
    selection_inputs,
)
from kam_xl.st_gallen import StGallen
from kam_xl.vocabulary import (
    OVERRIDE_NOTE,
    SCENARIO_WORDS,
    SELECTION_CRITERION_LABELS,
    YES_NO,
    Lang,
    override_marked,
)
from kam_xl.workbook.layout import pick


class ProgrammeReport(BaseModel):
    """The programme view: per account the selection result and the ABC/XYZ class (in the data book's account
    order), and the other programme parts (``None`` until computed)."""

    selection: list[SelectionResult]
    abc_xyz: list[AbcXyzResult]
    coordination: list[AccountCoordination] | None = None
    decisions: Decisions | None = None
    st_gallen: StGallen | None = None


def programme_report(db: DataBook) -> ProgrammeReport:
    """The programme view of a validated data book, with the company settings of its ``settings`` table."""
    settings = company_settings(db)
    items = selection_inputs(db)
    return ProgrammeReport(
        selection=select_accounts(items, settings.selection_weights()),
        abc_xyz=classify_accounts({x.account_id: x.net_sales for x in items}, quarter_revenues(db), settings),
        **org_parts(db))


# --- the table view of ``kam-xl report --what programme`` (texts, pure) ------------------------------------------

#: The derived ratings' column heads, (German, English), by criterion.
DERIVED_HEADS: dict[str, tuple[str, str]] = {"volume": ("Volumen abgeleitet", "Volume derived"),
                                             "earnings": ("Ertrag abgeleitet", "Earnings derived"),
                                             "potential": ("Potenzial abgeleitet", "Potential derived")}


def selection_table(r: ProgrammeReport, lang: Lang = "en") -> Table:
    """One row per account: score, rank, growth candidate (yes/no in ``lang``), the criteria without a rating,
    the three derived ratings (typed overrides marked, :func:`kam_xl.selection.derived_shown`, as on the
    selection sheet), ABC, XYZ with its coefficient of variation and basis."""
    n = Numbers(lang)
    yes, no = YES_NO[lang]
    abc = {x.account_id: x for x in r.abc_xyz}
    t = Table(title=pick(lang, "KAM-Programm — Kundenauswahl für Wachstum, ABC/XYZ",
                         "KAM programme — account selection for growth, ABC/XYZ"), header_style="bold")
    for (de, en), justify in ((("Kunde", "Account"), "left"), (("Score", "Score"), "right"),
                              (("Rang", "Rank"), "right"), (("Wachstumskandidat", "Growth candidate"), "left"),
                              (("Fehlende Kriterien", "Missing criteria"), "left"),
                              *((h, "right") for h in DERIVED_HEADS.values()), (("ABC", "ABC"), "left"),
                              (("XYZ", "XYZ"), "left"), (("VK", "CV"), "right"), (("Basis", "Basis"), "left")):
        t.add_column(pick(lang, de, en), justify=justify)  # type: ignore[arg-type]
    for s in r.selection:
        x = abc.get(s.account_id)
        cand = "–" if s.growth_candidate is None else yes if s.growth_candidate else no
        missing = ", ".join(pick(lang, *SELECTION_CRITERION_LABELS[c]) for c in s.incomplete) or "–"
        derived = [override_marked(n.fixed(v), typed) for v, typed in derived_shown(s).values()]
        basis = SCENARIO_WORDS[lang].get(x.xyz_basis or "", "–") if x else "–"
        t.add_row(s.account_id, n.fixed(s.score), "–" if s.rank is None else n.count(s.rank), cand, missing,
                  *derived, (x.abc if x else None) or "–", (x.xyz if x else None) or "–",
                  n.fixed(x.cv if x else None, 3), basis)
    return t


def selection_lines(r: ProgrammeReport, lang: Lang = "en") -> list[str]:
    """The lines under the selection table: what the override mark means, and the growth candidates."""
    yes = YES_NO[lang][0]
    candidates = ", ".join(s.account_id for s in r.selection if s.growth_candidate) or pick(lang, "keine", "none")
    return [pick(lang, *OVERRIDE_NOTE) + ".",
            pick(lang, f"Wachstumskandidaten (alle drei Filter {yes}): ", f"Growth candidates (all three filters "
                 f"{yes}): ") + candidates]
