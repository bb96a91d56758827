"""Adding a sheet kind is one class plus one registry line (issue 10): the example below — a contact list of the
buying center — declares its data-book table, its layout, its reader, its export, its keyed rows and an enum of
its defined names, and nothing else in kam_xl changes. The tests prove it appears in the generated plan, is read
back by collect (refused values reported by cell), is exported and read as a data book, and keeps a KAM's typed
values with their person when regeneration meets reordered rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kam_xl.batch import collect_plans, consolidate, generate_plan, plans_to_databook
from kam_xl.databook import TABLES, Column, DataBook, Table, demo_databook, read_databook, write_databook
from kam_xl.vocabulary import Lang
from kam_xl.workbook import coerce
from kam_xl.workbook.account_plan import PLAN_SHEETS, AccountPlanData, account_plan
from kam_xl.workbook.coerce import Refusal, shown
from kam_xl.workbook.layout import Input, RowKey, Sheet
from kam_xl.workbook.layout import pick as _t
from kam_xl.workbook.sheet_kind import OnProblem, PlanSheet, Rows, register
from tests.shared import type_into

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ROLES = ("Einkauf", "Technik", "Geschäftsführung")
FREE_ROWS = 3


# --- the example sheet kind: this class and the one `register` line are all a new sheet needs -----------------------

class ContactName(StrEnum):
    PERSON = "bc_person"
    ROLE = "bc_role"
    INFLUENCE = "bc_influence"


@dataclasses.dataclass(frozen=True)
class Contact:
    person: str
    role: str
    influence: float | None


class ContactSheet(PlanSheet):
    """Buying center: who decides, in which function, with how much influence (0–100)."""

    key = "contacts"
    Names = ContactName
    tables = (Table("bc_contacts", (Column("account_id"), Column("person"), Column("role", "choice", choices=ROLES),
                                    Column("influence", "score", required=False)),
                    key=("account_id", "person"), description="example contacts (real ones: kam_xl.buying_center)"),)

    def from_databook(self, db: DataBook, data: AccountPlanData) -> tuple[Contact, ...]:
        return tuple(Contact(r["person"], r["role"], r["influence"])
                     for r in db.rows_for("bc_contacts", data.account.account_id))

    def layout(self, data: AccountPlanData, lang: Lang) -> Sheet:
        contacts = self.get(data) or ()
        s = Sheet(_t(lang, "Beispiel-Kontakte", "Example contacts"), widths={0: 30, 1: 20, 2: 12})
        for col, head in enumerate((_t(lang, "Person", "Person"), _t(lang, "Funktion", "Function"),
                                    _t(lang, "Einfluss", "Influence"))):
            s.put(0, col, head, style="header")
        n = len(contacts) + FREE_ROWS
        for i in range(n):
            c = contacts[i] if i < len(contacts) else None
            s.put(1 + i, 0, c.person if c else None, style="text", input=Input(kind="text", title="Person"))
            s.put(1 + i, 1, c.role if c else None, style="text", input=Input(kind="list", choices=ROLES))
            s.put(1 + i, 2, c.influence if c else None, style="number2", input=Input(kind="score"))
        for col, name in enumerate(ContactName):
            s.name_range(name.value, 1, col, n, col)
        s.keys.append(RowKey(ContactName.PERSON.value, tuple(n.value for n in ContactName)))
        return s

    def parse(self, values: Mapping[str, Any], data: AccountPlanData, lang: Lang,
             problem: OnProblem) -> tuple[Contact, ...]:
        columns = [values.get(n.value) or [] for n in ContactName]
        contacts = []
        for i in range(max(len(c) for c in columns)):
            person, role, influence = (c[i][0] if i < len(c) else None for c in columns)
            if all(coerce.is_blank(v) for v in (person, role, influence)):
                continue
            try:
                contacts.append(Contact(coerce.text(person) or "", coerce.choice(role, ROLES) or ROLES[0],
                                        coerce.number(influence, 0, 100)))
            except Refusal as e:
                problem(ContactName.INFLUENCE.value, i, 0, shown(influence), e.allowed("a number from 0 to 100"))
        return tuple(contacts)

    def export(self, data: AccountPlanData) -> Rows:
        return {"bc_contacts": [{"account_id": data.account.account_id, "person": c.person, "role": c.role,
                                 "influence": c.influence} for c in self.get(data) or ()]}


@pytest.fixture
def with_contacts() -> Iterator[ContactSheet]:
    kind = register(ContactSheet(), PLAN_SHEETS)  # the one registry line (here undone after the test)
    try:
        yield kind
    finally:
        PLAN_SHEETS.remove(kind)
        del TABLES["bc_contacts"]


# --- the proof -------------------------------------------------------------------------------------------------------

def _book(folder: Path, contacts: list[tuple[str, str, float | None]]) -> Path:
    """The demo data book with KA-001's buying center, written as .xlsx (the new table is written and read by
    the data book's own code, which knows it only from the registry)."""
    demo = demo_databook()
    rows = [{"account_id": "KA-001", "person": p, "role": r, "influence": x} for p, r, x in contacts]
    rows.append({"account_id": "KA-002", "person": "Jens Vogt", "role": "Einkauf", "influence": 70.0})
    path = folder / f"book_{len(list(folder.glob('book_*')))}.xlsx"
    write_databook(DataBook(source="test", accounts=demo.accounts, tables={**demo.tables, "bc_contacts": rows}), path)
    return path


def test_a_registered_sheet_is_generated_read_back_exported_and_regenerated(tmp_path, with_contacts):
    book = _book(tmp_path, [("Dr. Anke Brandt", "Technik", 80.0), ("Olaf Jung", "Einkauf", 60.0)])
    assert read_databook(book).rows_for("bc_contacts", "KA-001")[1] == {
        "account_id": "KA-001", "person": "Olaf Jung", "role": "Einkauf", "influence": 60.0}
    plans = tmp_path / "plans"
    result = generate_plan(str(book), "KA-001", plans, now=NOW)
    assert result.status == "new"

    # in the generated plan: the sheet after the others, its names over the rows given plus the free rows
    wb = openpyxl.load_workbook(result.path)
    assert wb.sheetnames[:13] == ["Deckblatt", "Kgb", "CDB", "KAOP", "Excellence", "Buying Center", "Kontaktmatrix",
                                  "Touchpoints", "Team-RACI", "SWOT", "KASP", "Lieferantenposition",
                                  "Beispiel-Kontakte"]
    assert [[c.value for c in row] for row in wb["Beispiel-Kontakte"]["A2:C3"]] == [
        ["Dr. Anke Brandt", "Technik", 80], ["Olaf Jung", "Einkauf", 60]]
    assert wb.defined_names["bc_influence"].attr_text.endswith("!$C$2:$C$6")  # 2 contacts + 3 free rows

    # a KAM types: a new contact in a free row and another influence for Olaf Jung
    type_into(result.path, "bc_person", "Maria Stein", row=2)
    type_into(result.path, "bc_role", "Geschäftsführung", row=2)
    type_into(result.path, "bc_influence", 90, row=2)
    type_into(result.path, "bc_influence", 35, row=1)
    collected = collect_plans(plans)
    assert collected.problems == [] and collected.skipped == []
    [plan] = collected.plans
    assert plan.parts["contacts"] == (Contact("Dr. Anke Brandt", "Technik", 80.0),
                                      Contact("Olaf Jung", "Einkauf", 35.0),
                                      Contact("Maria Stein", "Geschäftsführung", 90.0))

    # exported as tidy rows into its own table, which the data book writes and reads like any other
    export = plans_to_databook(collected.plans, "collected")
    assert [(r["person"], r["influence"]) for r in export.table("bc_contacts")] == [
        ("Dr. Anke Brandt", 80.0), ("Olaf Jung", 35.0), ("Maria Stein", 90.0)]
    write_databook(export, tmp_path / "export.xlsx")
    # consolidated onto the data book: KA-001's rows are the plan's, KA-002's (no plan collected) are kept
    merged = consolidate(read_databook(book), export)
    assert [(r["account_id"], r["person"]) for r in merged.table("bc_contacts")] == [
        ("KA-002", "Jens Vogt"), ("KA-001", "Dr. Anke Brandt"), ("KA-001", "Olaf Jung"), ("KA-001", "Maria Stein")]
    assert read_databook(tmp_path / "export.xlsx").rows_for("bc_contacts", "KA-001")[2]["role"] == "Geschäftsführung"

    # regenerated from a data book that puts a new person first and drops Dr. Brandt: rows follow the person,
    # so Olaf Jung keeps the 35 the KAM typed (the data book still says 60) and Maria Stein stays as typed
    book2 = _book(tmp_path, [("Uwe Kern", "Technik", 50.0), ("Olaf Jung", "Einkauf", 60.0)])
    again = generate_plan(str(book2), "KA-001", plans, now=NOW)
    assert again.status in ("regenerated", "conflicts"), again
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(again.path)["Beispiel-Kontakte"]["A2:C5"]]
    by_person = {r[0]: r[1:] for r in rows if r[0]}
    assert by_person["Olaf Jung"] == ["Einkauf", 35]
    assert by_person["Maria Stein"] == ["Geschäftsführung", 90]
    assert by_person["Uwe Kern"] == ["Technik", 50]


def test_a_refused_value_of_a_registered_sheet_is_reported_by_cell(tmp_path, with_contacts):
    book = _book(tmp_path, [("Olaf Jung", "Einkauf", 60.0)])
    result = generate_plan(str(book), "KA-001", tmp_path / "plans", now=NOW)
    type_into(result.path, "bc_influence", 140)
    collected = collect_plans(tmp_path / "plans")
    assert collected.plans == []
    assert collected.problems == [(result.path.name, "Beispiel-Kontakte", "C2", 140,
                                   "allowed: a number from 0 to 100")]


def test_every_kind_names_the_inputs_its_sheet_defines() -> None:
    """The enum of a kind's defined names cannot drift from its layout: each name (a family's for block 1 / the
    first dimension) is defined by the shipped template, and each kind's marker is one of them."""
    book = account_plan(AccountPlanData.from_databook(demo_databook(), "KA-001"), "de", NOW)
    defined = {n for s in book.sheets for n in (*s.ranges, *(c.name for c in s.cells if c.name))}
    for kind in PLAN_SHEETS:
        names = {n.value.format(n=1, dim="LM") for n in kind.Names}
        assert names <= defined, (kind.key, names - defined)
        assert kind.marker in names
    assert [k.key for k in PLAN_SHEETS] == ["cover", "kgb", "cdb", "kaop", "excellence", "buying_center",
                                            "contact_matrix", "touchpoints", "raci", "swot", "kasp", "position"]


def test_a_kind_cannot_take_a_key_or_table_that_is_registered() -> None:
    with pytest.raises(ValueError, match="'kgb' is registered already"):
        register(type("Twin", (ContactSheet,), {"key": "kgb"})(), list(PLAN_SHEETS), {})
    with pytest.raises(ValueError, match="table 'cdb' of sheet kind 'contacts' exists already"):
        register(type("Clash", (ContactSheet,), {"tables": (Table("cdb", ()),)})(), [], dict(TABLES))
