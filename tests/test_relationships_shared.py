"""The relationships data read for every account (issue 14: the controller's CPU) takes what is the same for every
account once — the company's RACI rows, its matrix and check, the joined task rows of that matrix — and gives
exactly what the per-account pure functions give: the same figures, so the same workbook."""

from __future__ import annotations

from typing import Any

import pytest

from kam_xl.buying_center import buying_center_of
from kam_xl.company_settings import company_settings
from kam_xl.databook import DataBook, demo_databook
from kam_xl.relationships import account_data, each_relationships_data, has_company_raci
from kam_xl.team import DEFAULT_TEAM_ROLES, LETTERS, TeamRoles, team_roles_of
from kam_xl.workbook.controller import relationships as rel_sheet


def _with_team_rows(db: DataBook, keep: Any) -> DataBook:
    """``db`` whose ``team_roles`` table holds only the rows ``keep(row)`` accepts (as a list of dicts)."""
    rows = [r for r in db.table("team_roles") or [] if keep(r)]
    return db.model_copy(update={"tables": {**db.tables, "team_roles": rows}})


def _books() -> list[tuple[str, DataBook]]:
    db = demo_databook()
    first = db.accounts[0].account_id
    return [("demo", db),
            # the company's rows and one account's own: the other accounts get the company's matrix
            ("company and one account", _with_team_rows(db, lambda r: r["account_id"] in (None, first))),
            # one account's rows, no company rows: the seed's default is not used (no company default)
            ("one account only", _with_team_rows(db, lambda r: r["account_id"] == first))]


@pytest.mark.parametrize(("name", "db"), _books(), ids=[n for n, _ in _books()])
def test_each_account_gets_what_the_per_account_functions_give(name: str, db: DataBook) -> None:
    default, horizon = has_company_raci(db), company_settings(db).kasp_horizon
    alone = [x for x in (account_data(db, a, default, horizon) for a in db.accounts) if x.report.has_data()]
    shared = list(each_relationships_data(db))
    assert shared == alone
    assert len(shared) == 14
    roles = [x.roles for x in shared]
    if name == "company and one account":  # 13 accounts share the company's matrix, one has its own tasks
        assert sum(r is roles[1] for r in roles) == 13 and roles[0] is not roles[1]
        assert roles[1].tasks == ("Globaler Rahmenvertrag", "Globales Beziehungsmanagement",
                                  "Nationale Angebote basierend auf Rahmenvertrag")
        assert roles[1].cell("Globaler Rahmenvertrag", "Management") == ("A",)
    if name == "one account only":
        assert roles[0] is not None and roles[1:] == [None] * 13
    for x in shared:
        if x.roles is not None:
            assert x.roles == team_roles_of(db, x.account.account_id)


def _task_values_by_cell(roles: TeamRoles) -> list[tuple[Any, ...]]:
    """The task rows as first written: per task and letter, the roles whose cell holds the letter."""
    return [(t, *(rel_sheet._joined(role for role in roles.roles if c in roles.cell(t, role)) for c in LETTERS))
            for t in roles.tasks]


def test_the_task_rows_read_from_the_letters_are_those_read_cell_by_cell() -> None:
    db = demo_databook()
    for a in db.accounts:
        roles = team_roles_of(db, a.account_id)
        assert rel_sheet._task_values(roles) == _task_values_by_cell(roles)
    assert rel_sheet._task_values(DEFAULT_TEAM_ROLES) == [
        ("Globaler Rahmenvertrag", "GKAM", "Management", "Innendienst", "NKAM", "NKAM"),
        ("Globales Beziehungsmanagement", "GKAM", "GKAM", "Innendienst", None, None),
        ("Nationale Angebote basierend auf Rahmenvertrag", "NKAM", "NKAM", None, None, None)]


def test_the_controller_rows_with_the_memo_are_those_without() -> None:
    db = _with_team_rows(demo_databook(), lambda r: r["account_id"] in (None, demo_databook().accounts[0].account_id))
    with_memo = rel_sheet._accounts(db, "de")
    without = [rel_sheet._figures(x, "de") for x in each_relationships_data(db)]
    assert with_memo == without
    tasks = with_memo[1].blocks[1]
    assert tasks[0] == (with_memo[1].account.account_id, "Globaler Rahmenvertrag", "GKAM", "Management",
                        "Innendienst", "NKAM", "NKAM")


def test_joined_names_one_per_line_each_once() -> None:
    assert rel_sheet._joined([]) is None
    assert rel_sheet._joined(["  Anna  Berg ", "Anna Berg", "Chris"]) == "Anna Berg\nChris"
    assert rel_sheet._joined([""]) is None


def test_a_member_row_becomes_a_member_with_its_flags() -> None:
    db = demo_databook()
    bc = buying_center_of(db, db.accounts[0].account_id)
    assert bc is not None and bc.members
    row = db.rows_for("buying_center", db.accounts[0].account_id)[0]
    m = bc.members[0]
    assert m.person == row["person"]
    assert (m.senior, m.purchasing, m.budget_authority) == tuple(
        bool(row.get(f)) for f in ("senior", "purchasing", "budget_authority"))
