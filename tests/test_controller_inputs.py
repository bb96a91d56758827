"""Per-account typed inputs of a controller sheet kind (issue 12's framework): a block of ratings and a yes/no
filter per account, declared as one :class:`AccountBlock`, is carried over by account id when the controller is
rewritten — an account the data book inserts before another never shifts that account's values — and
``collect`` exports it as a data-book table that replaces the rows of the accounts the controller showed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, field_validator

from kam_xl.batch import with_controller_tables, write_controller
from kam_xl.databook import AccountRow, DataBook, demo_databook
from kam_xl.text import match_choice
from kam_xl.vocabulary import Lang
from kam_xl.workbook.controller import CONTROLLER_SHEETS, read_controller_export
from kam_xl.workbook.controller.kind import (
    AccountBlock,
    AccountRows,
    BuildContext,
    ControllerSheet,
    TableExport,
    register_controller,
)
from kam_xl.workbook.layout import Input, Sheet
from kam_xl.workbook.names import read_named
from tests.shared import type_into

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


class GrowthRow(BaseModel):
    """One account's inputs: a rating 0–100 and whether it is willing (ja/nein; yes/no read as ja/nein)."""

    model_config = ConfigDict(frozen=True)

    rating: float | None = Field(None, ge=0, le=100)
    willing: str | None = None

    @field_validator("willing", mode="before")
    @classmethod
    def _word(cls, v: Any) -> str | None:
        if v is None or v == "":
            return None
        found = match_choice(v, ("ja", "nein", "yes", "no"))
        if found is None:
            raise ValueError("ja or nein")
        return {"yes": "ja", "no": "nein"}.get(found, found)


BLOCK = AccountBlock(ids="tst_ids", name="tst_rows", Row=GrowthRow, label=("Wachstum", "Growth"))


class GrowthSheet(ControllerSheet):
    """A sheet with one row per account: id, rating, willing — defaults from the data book's ``growth`` table."""

    key = "growth_test"
    blocks = (BLOCK,)

    def account_rows(self, db: DataBook, lang: Lang) -> AccountRows:
        given = {r["account_id"]: GrowthRow(rating=r["rating"]) for r in db.table("growth") or []}
        return {BLOCK.name: {a.account_id: given.get(a.account_id, GrowthRow()) for a in db.accounts}}

    def build(self, ctx: BuildContext) -> Sheet:
        s = Sheet("Wachstum", widths={0: 12, 1: 10, 2: 10})
        ids = sorted(a.account_id for a in ctx.db.accounts)  # the sheet's own order: by id
        for i, a in enumerate(ids):
            row = ctx.row(self.key, BLOCK, a)
            assert isinstance(row, GrowthRow)
            s.put(1 + i, 0, a)
            s.put(1 + i, 1, row.rating, input=Input(kind="score"))
            s.put(1 + i, 2, row.willing, input=Input(kind="list", choices=("ja", "nein")))
        s.name_range(BLOCK.ids, 1, 0, len(ids), 0)
        s.name_range(BLOCK.name, 1, 1, len(ids), 2)
        return s

    def export(self, inputs: BaseModel | None, rows: AccountRows, lang: Lang) -> dict[str, TableExport]:
        block = rows[BLOCK.name]
        return {"growth": TableExport(
            rows=[{"account_id": a, "rating": r.rating} for a, r in block.items()
                  if isinstance(r, GrowthRow) and r.rating is not None],
            column="account_id", covers=frozenset(block))}


@pytest.fixture
def with_growth() -> Iterator[GrowthSheet]:
    kind = register_controller(GrowthSheet(), CONTROLLER_SHEETS, before="cdb_data")
    try:
        yield kind
    finally:
        CONTROLLER_SHEETS.remove(kind)


def _rows(path: Path) -> dict[str, list[Any]]:
    values = read_named(path).values
    return {i[0]: r for i, r in zip(values[BLOCK.ids], values[BLOCK.name], strict=True)}


def _with(db: DataBook, accounts: list[AccountRow], growth: list[dict[str, Any]]) -> DataBook:
    return DataBook(source=db.source, accounts=accounts, tables={**db.tables, "growth": growth})


def test_typed_rows_follow_their_account_id_through_regeneration_and_collect_exports_them(
        tmp_path: Path, with_growth: GrowthSheet) -> None:
    demo = demo_databook()
    first, second, third = sorted(a.account_id for a in demo.accounts)[:3]
    db = _with(demo, demo.accounts, [{"account_id": third, "rating": 30.0}])
    target = tmp_path / "Controller.xlsx"
    write_controller(db, target, "de", NOW)
    assert _rows(target)[second] == [None, None] and _rows(target)[third] == [30, None]

    # the controller types a rating and "yes" for the second account; the third is left as the data gave it
    row = sorted(_rows(target)).index(second)
    type_into(target, BLOCK.name, 72.5, row=row)
    type_into(target, BLOCK.name, "yes", row=row, col=1)

    # the data book inserts an account before all others (every sheet row moves down by one) and changes
    # the third account's rating: the typed values stay with the second account, the untouched one follows
    new = demo.accounts[0].model_copy(update={"account_id": "KA-000", "name": "Neu GmbH"})
    db2 = _with(demo, [new, *demo.accounts], [{"account_id": third, "rating": 55.0}])
    write_controller(db2, target, "de", LATER)
    rows = _rows(target)
    assert rows[second] == [72.5, "ja"]
    assert rows[third] == [55, None]
    assert rows["KA-000"] == [None, None] and rows[first] == [None, None]
    assert read_named(target).values["ctl_status"].endswith("; Wachstum übernommen für 1 Kunden")

    # collect: the controller's rows as a data-book table, replacing the rows of every account it showed
    tables, problems = read_controller_export(target)
    assert problems == []
    export = tables["growth"]
    assert sorted((r["account_id"], r["rating"]) for r in export.rows) == [(second, 72.5), (third, 55.0)]
    assert len(export.covers) == len(db2.accounts)
    base = _with(demo, demo.accounts, [{"account_id": first, "rating": 10.0}, {"account_id": "KA-999", "rating": 1.0}])
    merged = with_controller_tables(base, tables).table("growth")
    assert merged == [{"account_id": "KA-999", "rating": 1.0}, *export.rows]  # first's rating was cleared


def test_a_refused_cell_is_named_and_only_it_is_reset(tmp_path: Path, with_growth: GrowthSheet) -> None:
    demo = demo_databook()
    a, b = sorted(x.account_id for x in demo.accounts)[:2]
    db = _with(demo, demo.accounts, [{"account_id": a, "rating": 20.0}])
    target = tmp_path / "Controller.xlsx"
    write_controller(db, target, "en", NOW)
    type_into(target, BLOCK.name, 140, row=0)       # a: out of range
    type_into(target, BLOCK.name, "nein", row=0, col=1)
    type_into(target, BLOCK.name, "vielleicht", row=1, col=1)  # b: not a choice
    _, problems = read_controller_export(target, "en")
    # by sheet and cell: the block's rows from row 2, a's first and b's second; rating in column B, willing in C
    assert [(p.file, p.sheet, p.cell, p.label, p.value, p.allowed, p.what) for p in problems] == [
        ("Controller.xlsx", "Wachstum", "B2", f"Growth, account {a}, rating", 140,
         "Input should be less than or equal to 100", "not exported"),
        ("Controller.xlsx", "Wachstum", "C3", f"Growth, account {b}, willing", "vielleicht", "ja or nein",
         "not exported")]
    write_controller(db, target, "en", LATER)
    rows = _rows(target)
    assert rows[a] == [20, "nein"] and rows[b] == [None, None]
    status = read_named(target).values["ctl_status"]
    assert (f"Growth, account {a}, rating = 140 not kept (allowed: Input should be less than or equal to 100)"
            in status)
    assert f"Growth, account {b}, willing = 'vielleicht' not kept" in status


def test_a_controller_from_before_a_kind_exports_nothing_for_it(tmp_path: Path) -> None:
    """An old controller without the names of the kinds with their own inputs (written while they were not
    registered: the programme and organisation sheets) exports no settings and no rows for them — the data book's
    own weights and ratings stay. The kinds are taken from the registry, so a kind added later is covered too."""
    from kam_xl.workbook.controller import CONTROLLER_SHEETS as kinds
    from kam_xl.workbook.controller import SettingsSheet

    saved = list(kinds)
    later = {k.key for k in kinds if k.key != SettingsSheet.key and (k.Inputs is not None or k.blocks)}
    assert {"selection", "abc_xyz", "coordination", "organisation", "st_gallen"} <= later
    kinds[:] = [k for k in kinds if k.key not in later]
    try:
        target = tmp_path / "Controller.xlsx"
        write_controller(demo_databook(), target, "de", NOW)
    finally:
        kinds[:] = saved
    tables, problems = read_controller_export(target)
    assert problems == [] and all(not t.rows and not t.covers for t in tables.values())


def test_one_read_of_the_old_controller_serves_the_export_and_the_carried_inputs(
        tmp_path: Path, with_growth: GrowthSheet, monkeypatch: pytest.MonkeyPatch) -> None:
    """``collect`` reads the old controller's inputs once (:func:`read_controller_inputs`) for its export and
    for the new controller (``write_controller(old_inputs=…)``): the same tables and the same typed values kept
    as when each reads the file itself, and the file is opened by name once, not twice."""
    import kam_xl.workbook.controller as controller

    demo = demo_databook()
    second = sorted(a.account_id for a in demo.accounts)[1]
    db = _with(demo, demo.accounts, [])
    target = tmp_path / "Controller.xlsx"
    write_controller(db, target, "de", NOW)
    type_into(target, BLOCK.name, 64.0, row=sorted(_rows(target)).index(second))
    reads: list[Path] = []
    real = controller.read_named
    monkeypatch.setattr(controller, "read_named", lambda path, **kw: reads.append(path) or real(path, **kw))

    old = controller.read_controller_inputs(target)
    tables, problems = controller.controller_export(old, target.name)
    write_controller(db, target, "de", LATER, old_inputs=old)
    assert reads == [target]
    assert problems == [] and [(r["account_id"], r["rating"]) for r in tables["growth"].rows] == [(second, 64.0)]
    assert _rows(target)[second] == [64, None]
    assert read_named(target).values["ctl_status"].endswith("; Wachstum übernommen für 1 Kunden")
    # an old controller that cannot be read: no tables, its inputs not kept, each said once with the reason
    broken = tmp_path / "Broken.xlsx"
    broken.write_bytes(b"not a workbook")
    failed = controller.read_controller_inputs(broken)
    assert isinstance(failed, controller.WorkbookError)
    said = controller.controller_export(failed, broken.name)[1]
    assert said == [f"Broken.xlsx: controller inputs not exported — {failed}"]
    assert controller.carried_settings(failed, broken.name, controller.default_settings(db, "de"))[1] \
        == f"Einstellungen nicht übernommen: {failed}"
