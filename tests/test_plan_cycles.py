"""A plan is built and written with the cyclic garbage collector paused (issue 14): the collections its
~100,000 short-lived objects set off walked every object of the process. What a plan leaves in cycles is
collected once the collector runs again."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kam_xl import batch, plan_jobs
from kam_xl.databook import demo_databook
from kam_xl.workbook.names import read_named

WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_a_plan_is_written_with_the_collector_paused_and_it_runs_again_after(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    db = demo_databook()
    account = db.accounts[0].account_id
    seen: list[bool] = []
    write = plan_jobs.write_regenerating

    def watched(*args: Any, **kwargs: Any) -> batch.PlanResult:
        seen.append(gc.isenabled())
        return write(*args, **kwargs)

    monkeypatch.setattr(plan_jobs, "write_regenerating", watched)  # where PlanJob looks it up
    assert gc.isenabled()
    result = batch.plan_job(db, None, account, tmp_path / "plan.xlsx", "de", WHEN)()
    assert result.status != "error", result
    assert seen == [False] and gc.isenabled()
    assert read_named(tmp_path / "plan.xlsx").meta["account_id"] == account


def test_a_plan_leaves_no_garbage_the_collector_does_not_find(tmp_path: Path) -> None:
    db = demo_databook()
    gc.collect()
    before = len(gc.get_objects())
    for i, account in enumerate(db.accounts[:3]):
        batch.plan_job(db, None, account.account_id, tmp_path / f"p{i}.xlsx", "de", WHEN)()
    gc.collect()
    # what stays: the renderer's caches of formulas and XML (a few hundred objects), not the plans' cycles (~6,000 each)
    assert len(gc.get_objects()) - before < 5_000
