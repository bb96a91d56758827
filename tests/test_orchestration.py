"""generate and collect keep both cores busy to the end (issue 14): generate's controller is written while the
workers write plans, collect reads the plans' data book while the plans are read — with the same files as one
thing after the other, every failure listed and the plans kept, and the progress of two phases at once."""

from __future__ import annotations

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from benchmarks.synthetic import write_synthetic
from kam_xl import batch, cli, progress
from kam_xl.batch import PlanResult, _side_by_side
from kam_xl.cli import app
from kam_xl.databook import demo_databook
from kam_xl.files import NotWrittenError
from kam_xl.progress import PhaseProgress
from kam_xl.workbook.names import read_named

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class _Job:
    """A stand-in for a PlanJob: records which thread wrote it and whether the side work was running then."""

    account_id: str
    target: Path
    log: list[tuple[str, str, bool]]
    side: threading.Event  # set while the side work runs

    def __call__(self) -> PlanResult:
        time.sleep(0.005)
        self.log.append((self.account_id, threading.current_thread().name, self.side.is_set()))
        return PlanResult(self.account_id, self.target, "new")


def _items(n: int) -> list[Any]:
    return [(batch.generate_plan, f"KA-{i:03d}", Path("out"), Path(f"out/KA-{i:03d}.xlsx")) for i in range(n)]


def test_while_the_side_work_runs_only_the_workers_write_then_this_process_joins_them():
    log: list[tuple[str, str, bool]] = []
    side, calls = threading.Event(), []

    def controller() -> None:  # runs until the worker has written 10 plans
        side.set()
        calls.append(threading.current_thread().name)
        while sum(1 for _a, w, _s in log if w.startswith("worker")) < 10:
            time.sleep(0.002)
        side.clear()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="worker") as pool:
        results = list(_side_by_side(_items(60), lambda item: _Job(item[1], item[3], log, side), pool, window=3,
                                     alongside=controller))
    assert [r.account_id for r in results] == [f"KA-{i:03d}" for i in range(60)]
    assert calls == ["kam_xl-alongside"]  # once, in its own thread
    here = threading.current_thread().name
    assert not [a for a, w, running in log if w == here and running]  # never while the controller ran
    assert [a for a, w, running in log if w == here]  # … and afterwards this process wrote plans too
    assert len({a for a, _w, _s in log}) == 60


def test_a_side_work_that_fails_is_raised_after_every_result():
    def controller() -> None:
        raise RuntimeError("no controller")

    log: list[tuple[str, str, bool]] = []
    seen: list[str] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="worker") as pool, \
            pytest.raises(RuntimeError, match="no controller"):
        for r in _side_by_side(_items(5), lambda item: _Job(item[1], item[3], log, threading.Event()), pool,
                               window=2, alongside=controller):
            seen.append(r.account_id)
    assert seen == [f"KA-{i:03d}" for i in range(5)]


class _Broken(ThreadPoolExecutor):
    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        from concurrent.futures.process import BrokenProcessPool

        raise BrokenProcessPool("a worker died")


def test_with_the_workers_gone_this_process_writes_every_plan_while_the_side_work_runs():
    log: list[tuple[str, str, bool]] = []
    side, calls = threading.Event(), []

    def controller() -> None:
        side.set()
        calls.append(1)
        time.sleep(0.3)
        side.clear()

    with _Broken(max_workers=1) as pool:
        results = list(_side_by_side(_items(8), lambda item: _Job(item[1], item[3], log, side), pool, window=2,
                                     alongside=controller))
    assert [(r.account_id, r.status) for r in results] == [(f"KA-{i:03d}", "new") for i in range(8)]
    assert calls == [1] and {w for _a, w, _s in log} == {threading.current_thread().name}


def _named(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    nv = read_named(path)
    return nv.values, {k: v for k, v in nv.meta.items() if k != "generated_at"}


def test_plans_and_controller_side_by_side_are_the_files_written_one_after_the_other(tmp_path):
    db = demo_databook()
    files = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}"
        out.mkdir()
        order: list[str] = []

        def controller(out: Path = out, order: list[str] = order) -> None:
            order.append("controller")
            batch.write_controller(db, out / "Controller.xlsx", now=NOW)

        results = []
        for r in batch.generate_all(None, out, jobs=jobs, now=NOW, alongside=controller):
            results.append(r)
            order.append(r.account_id)
        assert {r.status for r in results} == {"new"} and len(results) == 14
        # one process: the controller after every plan; two: beside them (it finished before the last result)
        assert order.index("controller") == 14 if jobs == 1 else order.count("controller") == 1
        files[jobs] = {p.name: _named(p) for p in sorted(out.glob("*.xlsx"))}
    assert len(files[2]) == 15 and files[1].keys() == files[2].keys()
    for name in files[1]:
        assert files[1][name] == files[2][name], name


def test_a_controller_that_fails_loses_no_plan_and_is_listed(tmp_path, monkeypatch):
    def fails(*_a: Any, **_k: Any) -> Path:
        raise ValueError("layout broke")

    monkeypatch.setattr(batch, "write_controller_result", fails)
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path), "--jobs", "2", "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert len(list(tmp_path.glob("KA-*.xlsx"))) == 14 and not (tmp_path / "Controller.xlsm").exists()
    assert "14 new, 0 regenerated, 0 not written" in result.stdout
    assert "Controller.xlsm: not written — unexpected error (ValueError: layout broke)" in result.output

    def refused(db: Any, target: Path, *_a: Any, **_k: Any) -> Path:
        raise NotWrittenError(target, "disk full")

    monkeypatch.setattr(batch, "write_controller_result", refused)
    again = CliRunner().invoke(app, ["generate", "--out", str(tmp_path), "--jobs", "2", "--lang", "en", "--force"])
    assert again.exit_code == 2 and "14 regenerated" in again.stdout
    assert "Controller.xlsm: not written — disk full" in " ".join(again.output.split())


def test_the_unchanged_note_only_when_some_plan_was_left_as_it_is(tmp_path):
    runner = CliRunner()
    first = runner.invoke(app, ["generate", "--out", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert "0 unverändert\n" in first.stdout and "gleiche Daten und Vorlagenversion" not in first.stdout
    second = runner.invoke(app, ["generate", "--out", str(tmp_path)])
    assert "14 unverändert (gleiche Daten und Vorlagenversion; --force schreibt sie neu)" in second.stdout


def test_two_phases_at_once_each_print_their_own_lines(monkeypatch):
    monkeypatch.setattr(progress, "QUIET_S", 0)
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False, soft_wrap=True)
    with PhaseProgress("Arbeitsmappen schreiben", console, total=1000, unit="Arbeitsmappen", lang="de") as plans, \
            PhaseProgress("Controller-Arbeitsmappe", console, total=20, unit="Schritte", lang="de") as steps:
        for i in range(1, 1001):
            plans.advance()
            if i % 50 == 0:
                steps.update(i // 50, 20)
    lines = [line.rsplit(",", 1)[0] for line in buffer.getvalue().splitlines()]
    assert "Arbeitsmappen schreiben: 500/1.000 Arbeitsmappen (50 %)" in lines
    assert "Controller-Arbeitsmappe: 10/20 Schritte (50 %)" in lines
    assert len(lines) == 20  # ten lines each


def test_two_phases_at_once_on_a_terminal_share_one_display(monkeypatch):
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    with PhaseProgress("plans", console, total=3, unit="workbooks") as plans:
        with PhaseProgress("controller", console, total=2, unit="steps") as steps:  # rich: one live display
            assert steps._bar is plans._bar
            steps.update(2, 2)
        plans.advance(3)
        assert plans._bar is not None and plans._bar.live.is_started
    assert not plans._bar.live.is_started  # the last phase stopped it
    with PhaseProgress("next", console) as later:  # a later phase starts a display of its own
        assert later._bar is not plans._bar


def test_collect_reads_the_plans_data_book_while_the_plans_are_read(tmp_path, monkeypatch):
    _db, data = write_synthetic(3, tmp_path / "db")
    plans = tmp_path / "plans"
    assert CliRunner().invoke(app, ["generate", "--data", str(data), "--out", str(plans)]).exit_code == 0
    reads: list[tuple[str, str]] = []
    real = cli.read_databook

    def counting(ref: Any, *a: Any, **k: Any) -> Any:
        reads.append((str(ref), threading.current_thread().name))
        return real(ref, *a, **k)

    monkeypatch.setattr(cli, "read_databook", counting)
    monkeypatch.setattr(cli, "_usable_cores", lambda: 2)  # one reading process (--jobs 1): a core is free
    result = CliRunner().invoke(app, ["collect", str(plans), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert reads == [(str(data.resolve()), "kam_xl-databook")]  # once, beside the plans, not after them
    assert str(data.resolve()) in "".join(result.stdout.split())  # "the data book the plans were generated from"
    # the data book's fields reach the export as when it was read after the plans
    early = read_named(plans / "Controller.xlsm").values
    reads.clear()
    monkeypatch.setattr(cli._EarlyBase, "__call__", lambda self, ref: None)  # never read early
    assert CliRunner().invoke(app, ["collect", str(plans), "--lang", "en"]).exit_code == 0
    assert reads == [(str(data.resolve()), "MainThread")]
    later = read_named(plans / "Controller.xlsm").values
    assert {k: v for k, v in early.items() if k != "ctl_status"} == \
        {k: v for k, v in later.items() if k != "ctl_status"}  # all but the time it was written


def test_collect_reads_the_data_book_after_the_plans_when_the_readers_take_every_core(tmp_path, monkeypatch):
    # two cores, --jobs 2: read beside the readers, the data book only took CPU from them and was held through the
    # whole reading (the peak of memory at 10,000 accounts: 400 → 375 MiB)
    _db, data = write_synthetic(3, tmp_path / "db")
    plans = tmp_path / "plans"
    assert CliRunner().invoke(app, ["generate", "--data", str(data), "--out", str(plans)]).exit_code == 0
    reads: list[str] = []
    real = cli.read_databook

    def counting(ref: Any, *a: Any, **k: Any) -> Any:
        reads.append(threading.current_thread().name)
        return real(ref, *a, **k)

    monkeypatch.setattr(cli, "read_databook", counting)
    monkeypatch.setattr(cli, "_usable_cores", lambda: 2)
    result = CliRunner().invoke(app, ["collect", str(plans), "--jobs", "2", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert reads == ["MainThread"]  # once, after the plans
    assert str(data.resolve()) in "".join(result.stdout.split())
    reads.clear()
    monkeypatch.setattr(cli, "_usable_cores", lambda: 3)  # a third core: beside them
    assert CliRunner().invoke(app, ["collect", str(plans), "--jobs", "2", "--lang", "en"]).exit_code == 0
    assert reads == ["kam_xl-databook"]


def test_a_data_book_read_early_for_plans_that_name_others_is_not_used(tmp_path):
    _db, one = write_synthetic(2, tmp_path / "one")
    early = cli._EarlyBase()
    early(str(one.resolve()))
    early("/elsewhere/other")  # only the first plan's starts a reading
    _db2, two = write_synthetic(3, tmp_path / "two")
    assert len(early.read(str(two)).accounts) == 3  # another data book: read now
    assert len(early.read(str(one.resolve())).accounts) == 2
    missing = cli._EarlyBase()
    missing(str(tmp_path / "gone"))  # nothing to read: no thread
    assert missing._thread is None


def test_collect_prints_a_data_book_path_with_brackets_as_it_is(tmp_path):
    """Paths, names and ids from the data reach collect's summary lines; printed as rich markup, a folder named
    ``db[/x]`` ended the run in a traceback (a closing tag without an opening one) once all was written."""
    _db, data = write_synthetic(2, tmp_path / "db[/x] [bold]")
    plans = tmp_path / "plans"
    assert CliRunner().invoke(app, ["generate", "--data", str(data), "--out", str(plans)]).exit_code == 0
    result = CliRunner().invoke(app, ["collect", str(plans), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "db[/x] [bold]" in "".join(result.stdout.split("\n"))


def test_names_with_brackets_are_printed_as_they_are_by_generate_and_report(tmp_path):
    """An account named with brackets (as a CRM export may hold): rich read "[/x]" and "[bold]" in the printed
    tables and lines as markup — ``report`` ended in a traceback, ``generate`` printed the name without them."""
    _db, data = write_synthetic(2, tmp_path / "db")
    accounts = data / "accounts.csv"
    text = accounts.read_text(encoding="utf-8-sig")
    accounts.write_text(text.replace("Papierfabrik Weserbogen AG", "Weserbogen [/x] [bold]AG", 1), encoding="utf-8-sig")
    generated = CliRunner().invoke(app, ["generate", "--data", str(data), "--out", str(tmp_path / "plans")])
    assert generated.exit_code == 0, generated.output
    assert "[bold]AG" in generated.stdout  # the plan's file name in the table
    for what in ("accounts", "resources", "programme"):
        reported = CliRunner().invoke(app, ["report", "--data", str(data), "--what", what])
        assert reported.exit_code == 0, (what, reported.output)
    shown = CliRunner().invoke(app, ["report", "--data", str(data), "--what", "accounts"]).stdout
    assert all(word in shown for word in ("Weserbogen", "[/x]", "[bold]AG"))  # the table may wrap the name
