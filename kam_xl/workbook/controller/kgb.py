"""The controller's Kgb sheet: per account and segment our score, best competitor, gap, rank."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kam_xl.databook import AccountRow, DataBook
from kam_xl.kgb import (
    SUPPLIER_ROLES_EN,
    KgbCard,
    KgbResult,
    competitive_position,
    score_card,
    supplier_ranks,
)
from kam_xl.vocabulary import (
    YES_NO,
    Lang,
    sheet_title,
)
from kam_xl.workbook.controller.common import (
    LIGHT_FORMATS,
    _headers,
    _missing_note,
    produce,
)
from kam_xl.workbook.controller.kind import BuildContext, ControllerSheet
from kam_xl.workbook.formulas import rank_terms
from kam_xl.workbook.layout import Conditional, Sheet, sheet_ref
from kam_xl.workbook.layout import pick as _t
from kam_xl.years import year_span

# ------------------------------------------------------------------------------------------ Kgb


def _kgb_sheet(db: DataBook, lang: Lang) -> Sheet:
    s = Sheet("Kgb", widths={0: 10, 1: 30, 2: 24, 3: 22, 4: 16, **{c: 13 for c in range(5, 10)}}, freeze=(4, 3))
    s.put(0, 0, sheet_title(lang, _t(lang, "Kgb – Wettbewerbsposition je Kunde und Segment",
                                     "Kgb – competitive position per account and segment"),
                            year_span(a.plan_year for a in db.accounts), "score"), style="title")
    cards = [(a, card) for a in db.accounts for card in (db.kgb_cards(a.account_id) if db.table("kgb") else [])]
    if not cards:
        _missing_note(s, 1, lang, "kgb")
        return s
    yes, no = YES_NO[lang]
    s.put(1, 0, _t(lang, "Scores (0–100, gewichtet) je Lieferant unten, berechnet je Karte; leer = unvollständig. "
                         "Abstand = unser Score − bester Wettbewerber; Rang 1 = bester Lieferant.",
                   "Scores (0–100, weighted) per supplier below, computed per card; empty = incomplete. Gap = our "
                   "score − best competitor; rank 1 = best supplier."), style="note")
    first = 4
    last = first + len(cards) - 1
    _headers(s, first - 1, 0, ("ID", _t(lang, "Kunde", "Account"), "Segment",
                               _t(lang, "Lieferantenrolle", "Supplier role"), _t(lang, "Wir", "Our company"),
                               _t(lang, "Unser Score", "Our score"), _t(lang, "Bester Wettbewerber", "Best competitor"),
                               _t(lang, "Abstand", "Gap"), _t(lang, "Rang", "Rank"),
                               _t(lang, "Lieferanten mit Score", "Suppliers scored")))
    # each card's figures and the block of card scores (values computed by score_card), as plain values: the
    # cards' and results' models are let go card by card (issue 14: the controller does not grow by them)
    figures: list[_CardFigures] = []
    rows: list[tuple[AccountRow, str, str, bool, float | None]] = []
    starts: list[int] = []  # each card's first row in the block of card scores (0 = the block's first)
    for a, card in cards:
        res = score_card(card)
        figures.append(_figures(a, card, res))
        starts.append(len(rows))
        rows += [(a, card.segment, supplier, supplier == card.own_supplier, score)
                 for supplier, score in res.scores.items()]
    starts.append(len(rows))
    del cards
    b_head = last + 3
    s.put(b_head - 1, 0, _t(lang, "Scores je Lieferant (aus den Kgb-Karten)",
                            "Scores per supplier (from the Kgb cards)"),
          style="subtitle")
    _headers(s, b_head, 0, ("ID", "Nr.", "Segment", _t(lang, "Lieferant", "Supplier"), _t(lang, "eigenes", "own"),
                            "Score"))
    b_first = b_head + 1
    b_last = b_first + len(rows) - 1
    s.name_range("ctl_kgb_scores", b_first, 0, b_last, 5)
    sheet = s.name  # not ``s``: the sheet holds ``fill``, which would make a cycle for the collector

    def fill(out: Sheet) -> Iterator[None]:
        for i, f in enumerate(figures):
            # the card's own rows of the block (a card without scores: the row where they would begin, the next
            # card's, which the conditions on id and segment leave out): each formula reads a few rows, so that
            # recalculating the controller grows with the number of cards, not with their square
            top, bottom = b_first + starts[i], b_first + max(starts[i + 1], starts[i] + 1) - 1
            _card_row(out, first + i, f, tuple(sheet_ref(sheet, top, c, bottom, c) for c in (0, 1, 2, 4, 5)), lang)
            yield
        for i, (a, segment, supplier, own, score) in enumerate(rows):
            r = b_first + i
            out.put(r, 0, a.account_id)
            out.put(r, 1, i + 1, style="integer")
            out.put(r, 2, segment)
            out.put(r, 3, supplier)
            out.put(r, 4, yes if own else no)
            out.put(r, 5, score, style="score")
            if i % 64 == 63:
                yield

    produce(s, fill)
    s.name_range("ctl_kgb", first, 0, last, 9)
    for c, name in ((5, "ctl_kgb_own_score"), (6, "ctl_kgb_best_competitor"), (7, "ctl_kgb_gap"), (8, "ctl_kgb_rank")):
        s.name_range(name, first, c, last, c)
    s.conditionals.append(Conditional(first, 7, last, 7, {"type": "cell", "criteria": "<", "value": 0,
                                                          "format": LIGHT_FORMATS["loss"]}))
    s.conditionals.append(Conditional(first, 7, last, 7, {"type": "cell", "criteria": ">", "value": 0,
                                                          "format": LIGHT_FORMATS["high"]}))
    return s


@dataclass(frozen=True, slots=True)
class _CardFigures:
    """What a card's row shows: its account, segment and own supplier, and the figures of its scores."""

    account: AccountRow
    segment: str
    own_supplier: str
    own: float | None  # our score
    best: float | None  # the best competitor's score
    gap: float | None
    rank: int | None  # our rank among the suppliers
    scored: int  # suppliers with a score


def _figures(a: AccountRow, card: KgbCard, res: KgbResult) -> _CardFigures:
    pos = competitive_position(res.scores, card.own_supplier)
    return _CardFigures(account=a, segment=card.segment, own_supplier=card.own_supplier, own=pos.own,
                        best=pos.best_competitor_score, gap=pos.gap, rank=supplier_ranks(res)[card.own_supplier],
                        scored=len(res.rank))


def _card_row(s: Sheet, r: int, f: _CardFigures, refs: tuple[str, ...], lang: Lang) -> None:
    """One card's row: account, segment, role, our score, best competitor, gap, rank, suppliers scored — formulas
    over the block of card scores (``refs``: its id, number, segment, own and score columns)."""
    k_id, k_nr, k_seg, k_own, k_val = refs
    yes, no = YES_NO[lang]
    a = f.account
    role = a.supplier_role
    role_word = SUPPLIER_ROLES_EN.get(role, role) if role and lang == "en" else role  # type: ignore[call-overload]
    s.put(r, 0, a.account_id, style="bold")
    s.put(r, 1, a.name)
    s.put(r, 2, f.segment)
    s.put(r, 3, role_word)
    s.put(r, 4, f.own_supplier)
    cond = f"({k_id}={s.ref(r, 0)})*({k_seg}={s.ref(r, 2)})"
    own, best = s.ref(r, 5), s.ref(r, 6)
    s.put(r, 5, formula=(f'=IF(SUMPRODUCT({cond}*({k_own}="{yes}")*ISNUMBER({k_val}))=0,"",'
                         f'SUMPRODUCT({cond}*({k_own}="{yes}")*{k_val}))'), cached=f.own, style="score")
    s.put(r, 6, formula=(f'=IF(SUMPRODUCT({cond}*({k_own}="{no}")*ISNUMBER({k_val}))=0,"",'
                         f'SUMPRODUCT(MAX({cond}*({k_own}="{no}")*{k_val})))'),
          cached=f.best, style="score")
    s.put(r, 7, formula=f'=IF(OR({own}="",{best}=""),"",{own}-{best})', cached=f.gap, style="score")
    own_nr = f'SUMPRODUCT({cond}*({k_own}="{yes}")*{k_nr})'
    rank = rank_terms(own, k_val, k_val, where=f"{cond}*", first=f"({k_nr}<{own_nr})*")
    s.put(r, 8, formula=f'=IF({own}="","",{rank})', cached=f.rank, style="integer")
    s.put(r, 9, formula=f"=SUMPRODUCT({cond}*ISNUMBER({k_val}))", cached=f.scored, style="integer")


class KgbSheet(ControllerSheet):
    """``Kgb``: per account and segment our score, best competitor, gap, rank and supplier role."""

    key = "kgb"

    def build(self, ctx: BuildContext) -> Sheet:
        return _kgb_sheet(ctx.db, ctx.lang)
