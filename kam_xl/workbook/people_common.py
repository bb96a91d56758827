"""What the three people sheets of the account plan share (:mod:`~kam_xl.workbook.buying_center_sheet`,
:mod:`~kam_xl.workbook.contacts_sheet`, :mod:`~kam_xl.workbook.touchpoints_sheet`): one part of the plan data
(the account's :class:`~kam_xl.buying_center.BuyingCenter`, ``data.parts["people"]``), the sheet names, and
one row per member at the same row of every sheet — member ``i`` lies in row ``FIRST_ROW + i`` of all three,
so the contact matrix and the touchpoint plan show a member the KAM adds in a spare row of the Buying Center
sheet by formula, and one :class:`~kam_xl.workbook.layout.RowKey` (the member's name) keeps every input of a
member's rows with that member on regeneration.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kam_xl.buying_center import BuyingCenter, Member, buying_center_of
from kam_xl.vocabulary import YES_NO, Lang
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.layout import Input, sheet_ref
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.sheet_kind import OnProblem, PlanSheet

if TYPE_CHECKING:
    from kam_xl.databook import DataBook
    from kam_xl.workbook.account_plan import AccountPlanData

PART = "people"  # the key of the shared part in AccountPlanData.parts
FIRST_ROW = 6  # member i lies in row FIRST_ROW + i of each people sheet (0-based)
SPARE_MEMBERS = 4  # empty member rows for members the KAM adds
MEMBERS = "bc_members"  # the Buying Center sheet's member block; column 0 holds the members' names


def sheet_names(lang: Lang) -> dict[str, str]:
    """The people sheets' names in ``lang``: ``buying_center``, ``contacts``, ``touchpoints``."""
    return {"buying_center": _t(lang, "Buying Center", "Buying center"),
            "contacts": _t(lang, "Kontaktmatrix", "Contact matrix"), "touchpoints": "Touchpoints"}


def member_ref(lang: Lang, i: int, col: int = 0) -> str:
    """The absolute reference of member ``i``'s cell in column ``col`` of the Buying Center sheet."""
    return sheet_ref(sheet_names(lang)["buying_center"], FIRST_ROW + i, col)


def member_rows(bc: BuyingCenter) -> int:
    """How many member rows each people sheet has: the members plus :data:`SPARE_MEMBERS`."""
    return len(bc.members) + SPARE_MEMBERS


def yes_no(value: bool | None, lang: Lang) -> str | None:
    """``ja``/``nein`` (``yes``/``no``) for a flag, ``None`` for none."""
    return None if value is None else YES_NO[lang][0 if value else 1]


def yes_no_input(lang: Lang, title: str, message: str) -> Input:
    """A ja/nein drop-down."""
    words = YES_NO[lang]
    return Input(kind="list", choices=words, title=title, message=f"{message}: {' / '.join(words)}")


def read_flag(value: Any, lang: Lang) -> bool | None:
    """A ja/nein cell as a flag (``None`` when empty); :class:`Refusal` for another word."""
    if value is None:
        return None
    word = coerce.choice(value, YES_NO[lang])
    return None if word is None else word == YES_NO[lang][0]


def row_names(values: Mapping[str, Any]) -> list[str | None]:
    """The members' names by row of the Buying Center sheet's member block (``None`` for an empty or unreadable
    name) — the rows the contact matrix and the touchpoint plan belong to."""
    names: list[str | None] = []
    for row in values.get(MEMBERS) or []:
        try:
            names.append(coerce.text(row[0] if row else None))
        except Refusal:
            names.append(None)
    return names


def cell_of(block: Any, i: int, j: int) -> Any:
    """Row ``i``, column ``j`` of a block read by name (``None`` outside it)."""
    try:
        return block[i][j]
    except (IndexError, TypeError):
        return None


class Reader:
    """Reads the cells of one named block and reports each refused value at its cell."""

    def __init__(self, values: Mapping[str, Any], name: str, problem: OnProblem):
        self.block, self.name, self.problem = values.get(name) or [], name, problem

    def blank(self, i: int, j: int | None = None) -> bool:
        """Whether cell (i, j) — with ``j`` of ``None``, every cell of row ``i`` — is empty (``None``): nothing
        to read there (each reader reads an empty cell as ``None``)."""
        if j is not None:
            return cell_of(self.block, i, j) is None
        row = self.block[i] if i < len(self.block) else None
        return not row or row.count(None) == len(row)

    def read(self, i: int, j: int, how: Any, allowed: str) -> Any:
        """``how(value)`` of cell (i, j); a refused value is reported with ``allowed`` and read as ``None``."""
        value = cell_of(self.block, i, j)
        try:
            return how(value)
        except Refusal as e:
            self.problem(self.name, i, j, shown(value), e.allowed(allowed))
            return None


class PeopleSheet(PlanSheet):
    """A sheet kind whose part is the account's :class:`BuyingCenter`, shared with the other people sheets."""

    def get(self, data: AccountPlanData) -> BuyingCenter | None:
        return data.parts.get(PART)

    def put(self, data: AccountPlanData, part: BuyingCenter | None) -> AccountPlanData:
        return dataclasses.replace(data, parts={**data.parts, PART: part})

    def from_databook(self, db: DataBook, data: AccountPlanData) -> BuyingCenter | None:
        return self.get(data) or buying_center_of(db, data.account.account_id)  # read once for the three

    def part(self, data: AccountPlanData) -> BuyingCenter:
        """The part, or an empty buying center for an account without one."""
        return self.get(data) or BuyingCenter(account_id=data.account.account_id)


def with_targets(member: Member, low: int | None, high: int | None) -> Member:
    """A member with other min/max contacts."""
    return member.model_copy(update={"min_contacts": low, "max_contacts": high})
