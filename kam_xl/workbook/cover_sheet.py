"""The cover sheet of the account plan (``Deckblatt`` / ``Cover``): master data, supplier role and plan status
(the inputs), key figures and the portfolio band (formulas over the CDB sheet's names).

Defined names: :class:`CoverName`. The master data is locked (it comes from the data book); the two inputs
go back into the data book's ``accounts`` table (the status in German, as the data book keeps it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kam_xl.cdb import CdbInput, cdb_statement
from kam_xl.databook import ACCOUNT_STATUSES
from kam_xl.kgb import SUPPLIER_ROLES
from kam_xl.portfolio import HIGH_BAND_THRESHOLD, portfolio_band
from kam_xl.vocabulary import BAND_WORDS, Lang, sheet_title
from kam_xl.workbook import coerce
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.layout import Input, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.sheet_kind import OnProblem, PlanSheet

if TYPE_CHECKING:
    from kam_xl.workbook.account_plan import AccountPlanData

STATUSES = {"de": ACCOUNT_STATUSES, "en": ("in progress", "submitted", "approved")}


class CoverName(StrEnum):
    """The defined names of the cover: the two inputs first, then the master data and the figures shown."""

    SUPPLIER_ROLE = "acc_supplier_role"
    STATUS = "acc_status"
    ID = "acc_id"
    NAME = "acc_name"
    REGION = "acc_region"
    BUSINESS_UNIT = "acc_business_unit"
    KAM = "acc_kam"
    CURRENCY = "acc_currency"
    PLAN_YEAR = "acc_plan_year"
    BAND = "acc_band"


def status_word(status: str | None, lang: Lang) -> str | None:
    """A plan status in ``lang`` (given in either language; ``None`` stays ``None``, an unknown word as it is).

    >>> status_word("submitted", "de"), status_word("abgegeben", "en")
    ('abgegeben', 'submitted')
    """
    for words in STATUSES.values():
        if status in words:
            return STATUSES[lang][words.index(status)]
    return status


def _key_figures(s: Sheet, r: int, data: AccountPlanData, lang: Lang) -> None:
    st = cdb_statement(data.cdb or CdbInput(gross_sales=0), list(data.activities))
    s.put(r, 0, _t(lang, "Kennzahlen", "Key figures"), style="subtitle")
    s.put(r + 1, 0, _t(lang, "Nettoumsatz", "Net sales"), style="label")
    s.put(r + 1, 1, formula="=cdb_net_sales", cached=st.net_sales, style="money")
    s.put(r + 2, 0, _t(lang, "Kundendeckungsbeitrag III", "Contribution margin III"), style="label")
    s.put(r + 2, 1, formula="=cdb_cdb_iii", cached=st.cdb_iii, style="money")
    s.put(r + 3, 0, _t(lang, "CDB III in % vom Nettoumsatz", "CDB III in % of net sales"), style="label")
    s.put(r + 3, 1, formula="=cdb_cdb_iii_rel", cached=st.cdb_iii_rel, style="percent")
    words = BAND_WORDS[lang]
    band = portfolio_band(st.cdb_iii_rel)
    s.put(r + 4, 0, _t(lang, "Portfolio-Band", "Portfolio band"), style="label")
    s.put(r + 4, 1, formula=(f'=IF(cdb_cdb_iii_rel="","",IF(cdb_cdb_iii_rel>{HIGH_BAND_THRESHOLD},'
                             f'"{words["high"]}",IF(cdb_cdb_iii_rel>=0,"{words["mid"]}","{words["loss"]}")))'),
          cached=words[band] if band else None, style="bold", name=CoverName.BAND.value)


def cover_sheet(data: AccountPlanData, lang: Lang) -> Sheet:
    """The cover of one account's plan."""
    a = data.account
    s = Sheet(_t(lang, "Deckblatt", "Cover"), widths={0: 30, 1: 40})
    s.put(0, 0, sheet_title(lang, _t(lang, "Account-Plan", "Account plan") + (f" {a.plan_year}" if a.plan_year else "")
                            + f" — {a.name}", None, "money", a.currency), style="title")
    rows = ((_t(lang, "Account-ID", "Account ID"), a.account_id, "acc_id"),
            (_t(lang, "Kunde", "Customer"), a.name, "acc_name"),
            (_t(lang, "Region", "Region"), a.region, "acc_region"),
            (_t(lang, "Geschäftsbereich", "Business unit"), a.business_unit, "acc_business_unit"),
            ("Key-Account-Manager", a.kam, "acc_kam"),
            (_t(lang, "Währung", "Currency"), a.currency, "acc_currency"),
            (_t(lang, "Planjahr", "Plan year"), a.plan_year, "acc_plan_year"))
    for i, (label, value, name) in enumerate(rows, start=2):
        s.put(i, 0, label, style="label")
        s.put(i, 1, value or None, style="text", name=name)  # the empty template has blanks here
    r = 2 + len(rows)
    s.put(r, 0, _t(lang, "Lieferantenrolle", "Supplier role"), style="label")
    s.put(r, 1, a.supplier_role, style="text", name="acc_supplier_role",
          input=Input(kind="list", choices=SUPPLIER_ROLES, title=_t(lang, "Lieferantenrolle", "Supplier role"),
                      message=", ".join(SUPPLIER_ROLES)))
    s.put(r + 1, 0, "Status", style="label")
    s.put(r + 1, 1, status_word(data.status, lang) or STATUSES[lang][0], style="text", name="acc_status",
          input=Input(kind="list", choices=STATUSES[lang], title="Status", message=", ".join(STATUSES[lang])))
    _key_figures(s, r + 3, data, lang)
    return s


def choice(values: Mapping[str, Any], name: str, choices: tuple[str, ...], default: Any, problem: OnProblem) -> Any:
    """A drop-down cell: the offered word (``None`` when empty, ``default`` when the name is missing or the
    value is refused, which goes to ``problem``)."""
    if name not in values:
        return default
    raw = values[name]
    try:
        return coerce.choice(raw, choices)
    except Refusal as e:
        problem(name, None, None, shown(raw), e.allowed("one of " + ", ".join(choices)))
        return default


class CoverSheet(PlanSheet):
    """The cover: its part is (supplier role, status); both live in the plan data's account and status."""

    key = "cover"
    Names = CoverName
    account_fields = ("supplier_role",)

    def get(self, data: AccountPlanData) -> tuple[str | None, str | None]:
        return data.account.supplier_role, data.status

    def put(self, data: AccountPlanData, part: tuple[str | None, str | None]) -> AccountPlanData:
        role, status = part
        return dataclasses.replace(data, account=data.account.model_copy(update={"supplier_role": role}),
                                   status=status)

    def from_databook(self, db: Any, data: AccountPlanData) -> tuple[str | None, str | None]:
        return data.account.supplier_role, data.account.status

    def layout(self, data: AccountPlanData, lang: Lang) -> Sheet:
        return cover_sheet(data, lang)

    def present(self, values: Mapping[str, Any]) -> bool:
        return CoverName.SUPPLIER_ROLE in values or CoverName.STATUS in values

    def parse(self, values: Mapping[str, Any], data: AccountPlanData, lang: Lang,
             problem: OnProblem) -> tuple[str | None, str | None]:
        return (choice(values, CoverName.SUPPLIER_ROLE.value, SUPPLIER_ROLES, data.account.supplier_role, problem),
                choice(values, CoverName.STATUS.value, STATUSES[lang], data.status, problem))
