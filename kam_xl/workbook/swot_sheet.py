"""The ``SWOT`` sheet: strengths, weaknesses, opportunities and threats along the 6-P (seed 003, step I;
:mod:`kam_xl.swot`).

Four quadrants of entries (two side by side, two below), each entry a row with its 6-P lever (drop-down) and its
text; free rows in each quadrant. Below, the count matrix: entries per quadrant × lever by ``COUNTIFS``, the
entries per lever and, lit red, the levers without any entry ("empty search fields"). The cached values come
from :func:`kam_xl.swot.swot_summary`.

Data-book table ``swot`` (account_id, quadrant, lever, entry). Defined names: :class:`SwotName`; a quadrant's
block is two columns (lever, entry) and its rows follow their entry on regeneration.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kam_xl.databook.schema import Column, Table
from kam_xl.kaop import LEVERS
from kam_xl.swot import QUADRANTS, Quadrant, SwotEntry, swot_of, swot_summary
from kam_xl.vocabulary import LEVER_WORDS, LIGHT_FORMATS, QUADRANT_WORDS, Lang, sheet_title
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.kaop_reader import MEASURE_SWOT_ENTRY, check_measure_links, typed_texts
from kam_xl.workbook.layout import Conditional, Input, RowKey, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.sheet_kind import OnProblem, PlanSheet, Rows

if TYPE_CHECKING:
    from kam_xl.databook import DataBook
    from kam_xl.workbook.account_plan import AccountPlanData

SPARE_ENTRIES = 4
HEAD = 3
MATRIX = 6  # the count matrix's first column, beside the quadrants


class SwotName(StrEnum):
    STRENGTHS = "swot_strengths"
    WEAKNESSES = "swot_weaknesses"
    OPPORTUNITIES = "swot_opportunities"
    THREATS = "swot_threats"
    COUNTS = "swot_counts"
    LEVER_TOTALS = "swot_lever_totals"
    EMPTY_LEVERS = "swot_empty_levers"
    EMPTY_COUNT = "swot_empty_count"


#: Each quadrant's block (two columns: lever, entry), in the order of :data:`kam_xl.swot.QUADRANTS`.
BLOCKS: dict[Quadrant, SwotName] = dict(zip(QUADRANTS, (SwotName.STRENGTHS, SwotName.WEAKNESSES,
                                                         SwotName.OPPORTUNITIES, SwotName.THREATS), strict=True))
EMPTY_WORD: dict[Lang, str] = {"de": "leer", "en": "empty"}
SWOT_TABLE = Table("swot", (Column("account_id"), Column("quadrant", "choice", choices=QUADRANTS),
                            Column("lever", "choice", choices=LEVERS), Column("entry")),
                   key=("account_id", "quadrant", "entry"),
                   description="SWOT entries along the 6-P: quadrant (Stärke, Schwäche, Chance, Risiko), lever, text")


def _quadrant(s: Sheet, q: Quadrant, entries: Sequence[SwotEntry], top: int, col: int, n: int, lang: Lang) -> None:
    levers = tuple(LEVER_WORDS[lang][x] for x in LEVERS)
    s.put(top, col, QUADRANT_WORDS[lang][q], style="subtitle")
    s.put(top + 1, col, _t(lang, "Hebel (6 P)", "Lever (6 P)"), style="header")
    s.put(top + 1, col + 1, _t(lang, "Eintrag", "Entry"), style="header")
    lever_input = Input(kind="list", choices=levers, title=_t(lang, "Hebel (6 P)", "Lever (6 P)"),
                        message=", ".join(levers))
    entry_input = Input(kind="text", title=QUADRANT_WORDS[lang][q], message=_t(
        lang, "Ein Eintrag dieses Quadranten; der Hebel links ordnet ihn einem der 6 P zu",
        "An entry of this quadrant; the lever on its left files it under one of the 6 P"))
    for i in range(n):
        e = entries[i] if i < len(entries) else None
        s.put(top + 2 + i, col, LEVER_WORDS[lang][e.lever] if e else None, input=lever_input)
        s.put(top + 2 + i, col + 1, e.entry if e else None, style="wrap", input=entry_input)
    s.name_range(BLOCKS[q], top + 2, col, top + 1 + n, col + 1)
    s.keys.append(RowKey(BLOCKS[q], (BLOCKS[q],), col=1))


def _matrix(s: Sheet, entries: Sequence[SwotEntry], top: int, left: int, lang: Lang) -> None:
    """Entries per quadrant × lever (COUNTIFS over each quadrant's block), per lever, and the empty levers, in
    the columns from ``left`` (beside the quadrants)."""
    summary = swot_summary(entries)
    s.put(top, left, _t(lang, "6-P-Matrix: Einträge je Quadrant und Hebel", "6-P matrix: entries per quadrant and "
                                                                          "lever"), style="subtitle")
    for j, lever in enumerate(LEVERS):
        s.put(top + 1, left + 1 + j, LEVER_WORDS[lang][lever], style="header")
    s.put(top + 1, left, _t(lang, "Quadrant", "Quadrant"), style="header")
    for i, q in enumerate(QUADRANTS):
        r = top + 2 + i
        s.put(r, left, QUADRANT_WORDS[lang][q], style="label")
        block = s.ranges[BLOCKS[q]]
        levers_ref, entries_ref = s.ref(block[0], block[1], block[2], block[1]), s.ref(block[0], block[1] + 1,
                                                                                       block[2], block[1] + 1)
        for j, lever in enumerate(LEVERS):
            c = left + 1 + j
            s.put(r, c, formula=f'=COUNTIFS({levers_ref},{s.ref(top + 1, c)},{entries_ref},"<>")',
                  cached=summary.counts[q][lever], style="integer")
    r_total, r_empty = top + 6, top + 7
    s.put(r_total, left, _t(lang, "Einträge je Hebel", "Entries per lever"), style="level_label")
    s.put(r_empty, left, _t(lang, "Leerer Hebel (kein Eintrag)", "Empty lever (no entry)"), style="label")
    word = EMPTY_WORD[lang]
    for j, lever in enumerate(LEVERS):
        c = left + 1 + j
        total = s.put(r_total, c, formula=f"=SUM({s.ref(top + 2, c, top + 5, c)})",
                      cached=sum(summary.counts[q][lever] for q in QUADRANTS), style="level_label")
        s.put(r_empty, c, formula=f'=IF({total.absolute}=0,"{word}","")',
              cached=word if lever in summary.empty_levers else "", style="bold")
    s.name_range(SwotName.COUNTS, top + 2, left + 1, top + 5, left + len(LEVERS))
    s.name_range(SwotName.LEVER_TOTALS, r_total, left + 1, r_total, left + len(LEVERS))
    empties = s.name_range(SwotName.EMPTY_LEVERS, r_empty, left + 1, r_empty, left + len(LEVERS))
    s.put(r_empty + 1, left, _t(lang, "Leere Hebel", "Empty levers"), style="level_label")
    s.put(r_empty + 1, left + 1, formula=f'=COUNTIF({empties},"{word}")', cached=len(summary.empty_levers),
          style="level_label", name=SwotName.EMPTY_COUNT)
    s.conditionals.append(Conditional(r_empty, left + 1, r_empty, left + len(LEVERS), {
        "type": "cell", "criteria": "==", "value": f'"{word}"', "format": dict(LIGHT_FORMATS["red"])}))
    s.conditionals.append(Conditional(top + 2, left + 1, top + 5, left + len(LEVERS), {
        "type": "cell", "criteria": ">", "value": 0, "format": dict(LIGHT_FORMATS["green"])}))


def swot_sheet(entries: Sequence[SwotEntry], lang: Lang = "de", year: int | None = None) -> Sheet:
    """The SWOT sheet of one account's entries in plan ``year`` (each quadrant with :data:`SPARE_ENTRIES` free rows)."""
    s = Sheet("SWOT", widths={0: 16, 1: 50, 2: 4, 3: 16, 4: 50, 5: 4, MATRIX: 28,
                              **{MATRIX + 1 + j: 12 for j in range(len(LEVERS))}})
    s.put(0, 0, sheet_title(lang, _t(lang, "SWOT entlang der 6 P", "SWOT along the 6 P"), year), style="title")
    s.put(1, 0, _t(lang, "Gelbe Zellen sind Eingaben: je Eintrag der Hebel (6 P) und der Text. Die Matrix zählt "
                         "die Einträge je Quadrant und Hebel; rot = ein Hebel ohne jeden Eintrag.",
                   "Yellow cells are inputs: per entry its lever (6 P) and its text. The matrix counts the entries "
                   "per quadrant and lever; red = a lever without any entry."), style="note")
    by_q = {q: [e for e in entries if e.quadrant == q] for q in QUADRANTS}
    top = HEAD
    for left, right in ((QUADRANTS[0], QUADRANTS[1]), (QUADRANTS[2], QUADRANTS[3])):
        n = max(len(by_q[left]), len(by_q[right])) + SPARE_ENTRIES
        _quadrant(s, left, by_q[left], top, 0, n, lang)
        _quadrant(s, right, by_q[right], top, 3, n, lang)
        top += n + 3
    _matrix(s, entries, HEAD, MATRIX, lang)
    return s


def parse_swot(values: Mapping[str, Any], lang: Lang, problem: OnProblem) -> list[SwotEntry] | None:
    """The entries read back, quadrant by quadrant; ``None`` when a value is refused (each reported by cell: a
    lever not offered, an entry without lever or lever without entry, an entry given twice in a quadrant)."""
    entries: list[SwotEntry] = []
    ok = True
    for q, name in BLOCKS.items():
        block = values.get(name)
        seen: set[str] = set()
        for r, row in enumerate(block if isinstance(block, list) else []):
            raw_lever, raw_entry = [*row, None, None][:2]
            if coerce.is_blank(raw_lever) and coerce.is_blank(raw_entry):
                continue
            try:
                lever = coerce.word(raw_lever, LEVER_WORDS[lang])
                if lever is None:
                    raise Refusal("empty (the row has an entry)")
            except Refusal as e:
                problem(name, r, 0, shown(raw_lever), e.allowed("one of " + ", ".join(LEVER_WORDS[lang].values())))
                ok = False
                continue
            try:
                entry = coerce.text(raw_entry)
                if entry is None:
                    raise Refusal("empty (the row has a lever)")
            except Refusal as e:
                problem(name, r, 1, shown(raw_entry), e.allowed("the entry's text"))
                ok = False
                continue
            if entry in seen:
                problem(name, r, 1, entry, f"an entry not given twice in {QUADRANT_WORDS[lang][q]}")
                ok = False
                continue
            seen.add(entry)
            entries.append(SwotEntry(quadrant=q, lever=lever, entry=entry))  # type: ignore[arg-type]
    return entries if ok else None


class SwotSheet(PlanSheet):
    """SWOT: its part is the account's entries (a tuple of :class:`~kam_xl.swot.SwotEntry`)."""

    key = "swot"
    Names = SwotName
    tables = (SWOT_TABLE,)

    def from_databook(self, db: DataBook, data: AccountPlanData) -> tuple[SwotEntry, ...]:
        return tuple(swot_of(db, data.account.account_id))

    def layout(self, data: AccountPlanData, lang: Lang) -> Sheet:
        return swot_sheet(self.get(data) or (), lang, data.account.plan_year)

    def parse(self, values: Mapping[str, Any], data: AccountPlanData, lang: Lang,
             problem: OnProblem) -> tuple[SwotEntry, ...]:
        found = parse_swot(values, lang, problem)
        check_measure_links(values, MEASURE_SWOT_ENTRY, typed_texts(values, BLOCKS.values(), 1),
                            "an entry's text as on the SWOT sheet, or empty", problem)
        return tuple(self.get(data) or ()) if found is None else tuple(found)

    def export(self, data: AccountPlanData) -> Rows:
        aid = data.account.account_id
        return {"swot": [{"account_id": aid, **e.model_dump()} for e in self.get(data) or ()]}

