"""The ``Lieferantenposition`` sheet: where we stand at the account and where we want to get (seed 001;
:mod:`kam_xl.position`).

A sheet of its own rather than a block on the cover: the cover is the plan's locked master data with two inputs,
while the position needs its own inputs (target role, five ratings), a table per Kgb card and formulas reading
the Kgb sheet — a separate kind keeps its names, table and reader in one module.

* Role: the current role (the cover's input ``acc_supplier_role``, by formula), the target role (input,
  drop-down of the ladder), the step in rungs (``MATCH`` on the ladder listed beside it).
* Per Kgb card (one row per block of the Kgb sheet): the segment, our weighted score, the best competitor's
  score and 50 + (ours − best) ÷ 2 clipped to 0–100 — all by formula from the Kgb sheet's names, so they follow
  the KAM's ratings.
* The five yardsticks (seed 001 §2.3): the rating typed (0–100, input), the Kgb value for yardsticks 2 and 3
  (the mean over the cards that give one), the value that counts (Kgb where it gives one, else the rating) and
  where it came from. Cached values from :func:`kam_xl.position.supplier_position`.

Data-book table ``position`` (account_id, yardstick 1–5, rating 0–100); the target role is
``accounts.target_supplier_role``. Defined names: :class:`PositionName`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kam_xl.databook.schema import Column, Problem, Table
from kam_xl.kgb import SUPPLIER_ROLES, competitive_position, score_card
from kam_xl.position import (
    FROM_KGB,
    YARDSTICK_LABELS,
    YARDSTICKS,
    position_ratings_of,
    relative_position,
    supplier_position,
)
from kam_xl.vocabulary import Lang, sheet_title
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.layout import Input, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.sheet_kind import OnProblem, PlanSheet, Rows

if TYPE_CHECKING:
    from kam_xl.databook import DataBook
    from kam_xl.databook.parsing import ParsedTable
    from kam_xl.workbook.account_plan import AccountPlanData


class PositionName(StrEnum):
    TARGET_ROLE = "pos_target_role"
    CURRENT_ROLE = "pos_current_role"
    STEP = "pos_step"
    RATINGS = "pos_ratings"
    KGB = "pos_kgb"
    VALUES = "pos_values"
    SOURCES = "pos_sources"
    CARD_SCORES = "pos_card_scores"


@dataclass(frozen=True)
class PositionPart:
    """The position inputs of one account: the target role and the yardstick ratings typed (1–5 → 0–100)."""

    target_role: str | None = None
    ratings: dict[int, float | None] = field(default_factory=dict)


def check_position(tables: dict[str, ParsedTable], problems: list[Problem]) -> None:
    """``position``: a yardstick other than 1–5."""
    t = tables["position"]
    for i in range(len(t)):
        y = t.get(i, "yardstick")
        if y is not None and (not float(y).is_integer() or int(y) not in YARDSTICKS):
            problems.append(t.problem(i, "yardstick", "there is no such yardstick — allowed: yardstick 1, 2, 3, 4 "
                                                      "or 5", y))


POSITION_TABLE = Table("position", (Column("account_id"), Column("yardstick", "number"), Column("rating", "score")),
                       key=("account_id", "yardstick"), check=check_position,
                       description="the five yardsticks of the supplier position (seed 001 §2.3) rated 0–100")
SOURCE_WORDS = {"de": {"kgb": "Kgb", "data": "Bewertung"}, "en": {"kgb": "Kgb", "data": "rating"}}


def _cards(s: Sheet, data: AccountPlanData, top: int, lang: Lang) -> tuple[str, str]:
    """One row per Kgb block: segment, our score, best competitor, relative position; returns the ranges of our
    scores and of the relative positions."""
    s.put(top, 0, _t(lang, "Aus den Kgb-Karten", "From the Kgb cards"), style="subtitle")
    for col, head in enumerate((_t(lang, "Beschaffungssegment", "Procurement segment"),
                                _t(lang, "Unser Score", "Our score"),
                                _t(lang, "Bester Wettbewerber", "Best competitor"),
                                _t(lang, "50 + (unser − bester) ÷ 2", "50 + (ours − best) ÷ 2"))):
        s.put(top + 1, col, head, style="header")
    cards = list(data.kgb_cards) or [None]
    first = top + 2
    for n, card in enumerate(cards, start=1):
        r = first + n - 1
        scores = f"kgb_{n}_scores"
        pos = competitive_position(score_card(card).scores, card.own_supplier) if card else None
        s.put(r, 0, formula=f'=IF(kgb_{n}_segment="","",kgb_{n}_segment)', cached=card.segment if card else "")
        own = s.put(r, 1, formula=f"=INDEX({scores},1,1)", cached=pos.own if pos and pos.own is not None else "",
                    style="score").absolute
        rivals = f"INDEX({scores},1,2):INDEX({scores},1,COLUMNS({scores}))"
        best = s.put(r, 2, formula=f'=IF(COUNT({rivals})=0,"",MAX({rivals}))', style="score",
                     cached=pos.best_competitor_score if pos and pos.best_competitor_score is not None else "").absolute
        rel = relative_position(pos.own, pos.best_competitor_score) if pos and pos.own is not None and \
            pos.best_competitor_score is not None else ""
        s.put(r, 3, formula=f'=IF(AND(ISNUMBER({own}),ISNUMBER({best})),MIN(100,MAX(0,50+({own}-{best})/2)),"")',
              cached=rel, style="score")
    last = first + len(cards) - 1
    s.name_range(PositionName.CARD_SCORES, first, 1, last, 3)
    return s.ref(first, 1, last, 1), s.ref(first, 3, last, 3)


def position_sheet(data: AccountPlanData, part: PositionPart, lang: Lang = "de") -> Sheet:
    """The Lieferantenposition sheet of one account."""
    pos = supplier_position(data.account.supplier_role, part.target_role, part.ratings, data.kgb_cards)
    s = Sheet(_t(lang, "Lieferantenposition", "Supplier position"), widths={0: 56, 1: 22, 2: 20, 3: 22, 4: 14, 5: 24})
    s.put(0, 0, sheet_title(lang, _t(lang, "Lieferantenrolle und Position beim Kunden",
                                     "Supplier role and position at the customer"), data.account.plan_year, "rating"),
          style="title")
    s.put(1, 0, _t(lang, "Gelbe Zellen sind Eingaben. Maßstäbe 0–100; 2 und 3 kommen aus den "
                         "Kgb-Karten, wenn es sie gibt.", "Yellow cells are inputs. Yardsticks 0–100; "
                         "2 and 3 come from the Kgb cards where there are any."), style="note")
    s.put(3, 3, _t(lang, "Rollenleiter", "Role ladder"), style="header")
    for i, role in enumerate(SUPPLIER_ROLES):
        s.put(4 + i, 3, role)
    ladder = s.ref(4, 3, 3 + len(SUPPLIER_ROLES), 3)
    s.put(3, 0, _t(lang, "Aktuelle Rolle (Deckblatt)", "Current role (cover)"), style="label")
    cur = s.put(3, 1, formula='=IF(acc_supplier_role="","",acc_supplier_role)', cached=pos.current_role or "",
                name=PositionName.CURRENT_ROLE).absolute
    s.put(4, 0, _t(lang, "Zielrolle", "Target role"), style="label")
    tgt = s.put(4, 1, part.target_role, name=PositionName.TARGET_ROLE, input=Input(
        kind="list", choices=SUPPLIER_ROLES, title=_t(lang, "Zielrolle", "Target role"),
        message=", ".join(SUPPLIER_ROLES))).absolute
    s.put(5, 0, _t(lang, "Schritt (Sprossen auf der Leiter)", "Step (rungs on the ladder)"), style="label")
    s.put(5, 1, formula=f'=IF(OR(COUNTIF({ladder},{cur})=0,COUNTIF({ladder},{tgt})=0),"",'
                        f"MATCH({tgt},{ladder},0)-MATCH({cur},{ladder},0))",
          cached="" if pos.step is None else pos.step, style="integer", name=PositionName.STEP)
    own_scores, relatives = _cards(s, data, 9, lang)
    top = 12 + max(1, len(data.kgb_cards))
    for col, head in enumerate((_t(lang, "Maßstab", "Yardstick"),
                                _t(lang, "Bewertung 0–100", "Rating 0–100"), _t(lang, "aus Kgb", "from Kgb"),
                                _t(lang, "Wert", "Value"), _t(lang, "Quelle", "Source"))):
        s.put(top, col, head, style="header")
    words = SOURCE_WORDS[lang]
    rating_input = Input(kind="score", minimum=0, maximum=100, title=_t(lang, "Bewertung", "Rating"), message=_t(
        lang, "0–100 (100 = sehr fest); leer = nicht bewertet", "0–100 (100 = very firm); empty = not rated"))
    first = top + 1
    for i, n in enumerate(YARDSTICKS):
        r = first + i
        s.put(r, 0, f"{n}. {_t(lang, *YARDSTICK_LABELS[n])}", style="label")
        rating = s.put(r, 1, part.ratings.get(n), style="score", input=rating_input).absolute
        kgb_value = pos.ratings[n] if pos.sources[n] == "kgb" else ""
        if n in FROM_KGB:
            scores = own_scores if n == 2 else relatives
            kgb = s.put(r, 2, formula=f'=IF(COUNT({scores})=0,"",AVERAGE({scores}))', cached=kgb_value,
                        style="score").absolute
        else:
            kgb = s.put(r, 2, formula='=""', cached="").absolute
        s.put(r, 3, formula=f'=IF(ISNUMBER({kgb}),{kgb},IF(ISNUMBER({rating}),{rating},""))',
              cached="" if pos.ratings[n] is None else pos.ratings[n], style="score")
        s.put(r, 4, formula=f'=IF(ISNUMBER({kgb}),"{words["kgb"]}",IF(ISNUMBER({rating}),"{words["data"]}",""))',
              cached=words[pos.sources[n]] if pos.sources[n] else "")
    last = first + len(YARDSTICKS) - 1
    s.name_range(PositionName.RATINGS, first, 1, last, 1)
    s.name_range(PositionName.KGB, first, 2, last, 2)
    s.name_range(PositionName.VALUES, first, 3, last, 3)
    s.name_range(PositionName.SOURCES, first, 4, last, 4)
    return s


def parse_position(values: Mapping[str, Any], problem: OnProblem) -> PositionPart | None:
    """Target role and ratings read back; ``None`` when one is refused (reported by cell)."""
    ok = True
    raw_role = values.get(PositionName.TARGET_ROLE)
    try:
        role = coerce.choice(raw_role, SUPPLIER_ROLES)
    except Refusal as e:
        problem(PositionName.TARGET_ROLE, None, None, shown(raw_role), e.allowed("one of " + ", ".join(SUPPLIER_ROLES)))
        role, ok = None, False
    block = values.get(PositionName.RATINGS)
    ratings: dict[int, float | None] = {}
    for i, n in enumerate(YARDSTICKS):
        raw = block[i][0] if isinstance(block, list) and i < len(block) and block[i] else None
        try:
            ratings[n] = coerce.number(raw, 0, 100, points=True)
        except Refusal as e:
            problem(PositionName.RATINGS, i, 0, shown(raw), e.allowed("a rating from 0 to 100, or empty"))
            ok = False
    return PositionPart(target_role=role, ratings=ratings) if ok else None


class PositionSheet(PlanSheet):
    """Lieferantenposition: its part is a :class:`PositionPart`; the target role lives in the plan's account."""

    key = "position"
    Names = PositionName
    tables = (POSITION_TABLE,)
    account_fields = ("target_supplier_role",)

    def get(self, data: AccountPlanData) -> PositionPart:
        part = data.parts.get(self.key) or PositionPart()
        return PositionPart(target_role=data.account.target_supplier_role, ratings=part.ratings)

    def put(self, data: AccountPlanData, part: PositionPart) -> AccountPlanData:
        account = data.account.model_copy(update={"target_supplier_role": part.target_role})
        return dataclasses.replace(data, account=account, parts={**data.parts, self.key: part})

    def from_databook(self, db: DataBook, data: AccountPlanData) -> PositionPart:
        return PositionPart(target_role=data.account.target_supplier_role,
                            ratings=position_ratings_of(db, data.account.account_id))

    def layout(self, data: AccountPlanData, lang: Lang) -> Sheet:
        return position_sheet(data, self.get(data), lang)

    def present(self, values: Mapping[str, Any]) -> bool:
        return PositionName.RATINGS in values

    def parse(self, values: Mapping[str, Any], data: AccountPlanData, lang: Lang,
             problem: OnProblem) -> PositionPart:
        return parse_position(values, problem) or self.get(data)

    def export(self, data: AccountPlanData) -> Rows:
        aid = data.account.account_id
        return {"position": [{"account_id": aid, "yardstick": n, "rating": v}
                             for n, v in sorted(self.get(data).ratings.items()) if v is not None]}
