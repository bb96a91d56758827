"""generate at scale (issue 14): what the ``--jobs`` workers get (one plan's data, never the data book), how the
run's own process writes beside them, the fingerprint hashed without the whole text in memory, and the progress
of every phase in the output language."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import threading
import tracemalloc
from array import array
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from typer.testing import CliRunner

from benchmarks.synthetic import synthetic_databook
from kam_xl import batch, progress
from kam_xl.batch import PlanResult, _side_by_side, plan_job
from kam_xl.cli import app
from kam_xl.databook import demo_databook
from kam_xl.databook.rows import TableRows
from kam_xl.fingerprint import _plain, fingerprint, table_content
from kam_xl.progress import Phases
from kam_xl.workbook.names import read_named

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_a_plan_job_carries_one_accounts_data_not_the_data_book(tmp_path):
    """What a worker gets per plan is the same for an account of a data book of 14 or of 300 accounts: its data,
    not the book (a forked worker used to hold the whole data book: memory growing with N in every worker)."""
    small, large = demo_databook(), synthetic_databook(300)
    job_small = plan_job(small, None, "KA-002", tmp_path / "a.xlsx", "de", NOW)
    # KA-0002 of the synthetic book is a copy of the demo's second account, KA-002
    job_large = plan_job(large, "big", "KA-0002", tmp_path / "b.xlsx", "de", NOW)
    sizes = [len(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)) for job in (job_small, job_large)]
    assert sizes[1] < 1.2 * sizes[0] < 60_000
    assert b"DataBook" not in pickle.dumps(job_large)
    # written from the pickled job alone, the plan is the one generate_plan writes
    result = pickle.loads(pickle.dumps(job_small))()
    assert (result.status, result.problems) == ("new", [])
    direct = batch.generate_plan(None, "KA-002", tmp_path / "direct", now=NOW)
    assert read_named(result.path).values == read_named(direct.path).values
    assert read_named(result.path).meta[batch.FINGERPRINT] == job_small.fingerprint


@dataclass(frozen=True)
class _Job:
    """A stand-in for a PlanJob: records which thread wrote it."""

    account_id: str
    target: Path
    log: list[tuple[str, str]]

    def __call__(self) -> PlanResult:
        self.log.append((self.account_id, threading.current_thread().name))
        return PlanResult(self.account_id, self.target, "new")


class _Counting(ThreadPoolExecutor):
    """A pool of one thread that counts the items sent and not yet done."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="worker")
        self.open, self.most = 0, 0
        self.lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self.lock:
            self.open += 1
            self.most = max(self.most, self.open)
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._closed)
        return future

    def _closed(self, _future: Future[Any]) -> None:
        with self.lock:
            self.open -= 1


def _items(n: int) -> list[Any]:
    items: list[Any] = [(batch.generate_plan, f"KA-{i:03d}", Path("out"), Path(f"out/KA-{i:03d}.xlsx"))
                        for i in range(n)]
    items[3] = PlanResult("KA-003", Path("out/KA-003.xlsx"), "unchanged")  # decided before: never sent
    return items


def test_this_process_writes_beside_its_workers_and_the_results_keep_their_order():
    log: list[tuple[str, str]] = []
    with _Counting() as pool:
        results = list(_side_by_side(_items(40), lambda item: _Job(item[1], item[3], log), pool, window=3))
    assert [r.account_id for r in results] == [f"KA-{i:03d}" for i in range(40)]
    assert results[3].status == "unchanged" and "KA-003" not in {a for a, _ in log}
    writers = {a: w for a, w in log}
    assert len(writers) == 39  # each item written once
    here = [a for a, w in writers.items() if w == threading.current_thread().name]
    assert here and len(here) < 39  # both the run's own process and the worker wrote some
    assert pool.most <= 3  # never more than the window in hand


@dataclass(frozen=True)
class _Slow(_Job):
    """A job that holds its worker until ``go`` is set."""

    go: threading.Event

    def __call__(self) -> PlanResult:
        self.go.wait(10)
        return super().__call__()


def test_at_the_end_this_process_takes_back_what_no_worker_has_started():
    """No idle tail: with nothing left to send, items waiting for the busy worker are written here."""
    log: list[tuple[str, str]] = []
    go = threading.Event()
    items = _items(6)[:3] + _items(6)[4:]  # KA-000 … KA-002, KA-004, KA-005

    def prepare(item: Any) -> _Job:
        return _Slow(item[1], item[3], log, go) if item[1] == "KA-000" else _Job(item[1], item[3], log)

    timer = threading.Timer(1.0, go.set)  # the worker is busy with KA-000 for a second
    timer.start()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="worker") as pool:
        results = list(_side_by_side(items, prepare, pool, window=3))
    timer.cancel()
    assert [r.account_id for r in results] == ["KA-000", "KA-001", "KA-002", "KA-004", "KA-005"]
    writers = dict(log)
    assert writers.pop("KA-000").startswith("worker")
    assert set(writers.values()) == {threading.current_thread().name}  # the rest taken back, not waited for


class _Broken(ThreadPoolExecutor):
    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        raise BrokenProcessPool("a worker died")


def test_items_not_yet_sent_are_written_here_when_the_workers_are_gone():
    log: list[tuple[str, str]] = []
    with _Broken(max_workers=1) as pool:
        results = list(_side_by_side(_items(6), lambda item: _Job(item[1], item[3], log), pool, window=2))
    assert [(r.account_id, r.status) for r in results] == [
        ("KA-000", "new"), ("KA-001", "new"), ("KA-002", "new"), ("KA-003", "unchanged"), ("KA-004", "new"),
        ("KA-005", "new")]


def test_a_worker_that_dies_lists_its_item_and_the_run_goes_on():
    def died(fn: Any, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_exception(BrokenProcessPool("killed"))
        return future

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit = died  # type: ignore[method-assign]
        log: list[tuple[str, str]] = []
        results = list(_side_by_side(_items(5), lambda item: _Job(item[1], item[3], log), pool, window=1))
    assert results[0].status == "error" and "KA-000.xlsx: not written — unexpected error (BrokenProcessPool: " \
        "killed)" in results[0].problems[0]
    assert [r.status for r in results[1:]] == ["new", "new", "unchanged", "new"]  # written here after that


def test_generate_with_two_jobs_writes_every_plan_once_in_data_book_order(tmp_path):
    results = list(batch.generate_all(None, tmp_path, jobs=2, now=NOW))
    assert [r.account_id for r in results] == [a.account_id for a in demo_databook().accounts]
    assert {r.status for r in results} == {"new"} and not list((tmp_path / batch.BACKUP_DIR).glob("*"))
    one = batch.generate_plan(None, "KA-007", tmp_path / "alone", now=NOW)
    assert read_named(results[6].path).values == read_named(one.path).values


def _old_fingerprint(*values: Any) -> str:
    """The fingerprint as one JSON text (how it was made before it was hashed piece by piece)."""
    text = json.dumps(values, default=_plain, sort_keys=True, ensure_ascii=False, allow_nan=True,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _table(n: int) -> TableRows:
    return TableRows(("account_id", "amount"), ("text", "amount"),
                     [[f"KA-{i % 97:04d}" for i in range(n)], array("d", [i / 7 for i in range(n)])])


def test_the_fingerprint_is_the_hash_of_the_same_text_without_holding_it():
    rows = _table(100_000)
    value = ({"b": [1, 2.5, float("nan"), None], "a": {}, "ü": "x\ny"}, [], (), table_content(rows),
             table_content(_table(0)), demo_databook().accounts[:3])
    plain = ({"b": [1, 2.5, float("nan"), None], "a": {}, "ü": "x\ny"}, [], (),
             [rows.names, [list(c) for c in rows.columns]], [("account_id", "amount"), [[], []]],
             demo_databook().accounts[:3])
    assert fingerprint(*value) == _old_fingerprint(*plain)
    peaks = []
    for way in (lambda: _old_fingerprint([rows.names, [list(c) for c in rows.columns]]),
                lambda: fingerprint(table_content(rows))):
        tracemalloc.start()
        try:
            way()
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    # the whole text (≈ 3 MB) and a copy of every column before; a slice at a time (≈ 1 MB) now
    assert peaks[1] < peaks[0] / 4


def _console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=False, soft_wrap=True), buffer


def test_phases_one_after_the_other_in_german(monkeypatch):
    monkeypatch.setattr(progress, "QUIET_S", 0)
    console, buffer = _console()
    labels = {"scan": ("Ordner durchsehen", "Dateien"), "plans": ("Arbeitsmappen schreiben", "Arbeitsmappen")}
    with Phases(console, labels, "de") as phases:
        phases("scan", 1, 2)
        phases("scan", 2, 2)
        for done in range(1, 1201):
            phases("plans", done, 1200)
    lines = [line.rsplit(",", 1)[0] for line in buffer.getvalue().splitlines()]
    assert lines[:2] == ["Ordner durchsehen: 1/2 Dateien (50 %)", "Ordner durchsehen: 2/2 Dateien (100 %)"]
    assert lines[2] == "Arbeitsmappen schreiben: 120/1.200 Arbeitsmappen (10 %)"
    assert lines[-1] == "Arbeitsmappen schreiben: 1.200/1.200 Arbeitsmappen (100 %)" and len(lines) == 12


def test_generate_shows_every_phase_and_its_summary_in_the_output_language(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "QUIET_S", 0)
    runner = CliRunner()
    out = str(tmp_path / "out")
    de = runner.invoke(app, ["generate", "--out", out])
    assert de.exit_code == 0, de.output
    starts = [line.split(":")[0] for line in de.stderr.splitlines()]
    assert starts[0] == "Datenbuch lesen" and starts[-1] == "Controller-Arbeitsmappe"
    assert "Ordner durchsehen" not in starts  # a new folder has nothing to look at
    assert "Arbeitsmappen schreiben: 14/14 Arbeitsmappen (100 %)" in de.stderr
    assert "14 neu, 0 erneuert, 0 nicht geschrieben; 0 Konflikte; 0 unverändert" in de.stdout
    assert f"Controller-Arbeitsmappe: {out}/Controller.xlsm" in de.stdout and "│ neu " in de.stdout
    en = runner.invoke(app, ["generate", "--out", out, "--lang", "en"])
    assert en.exit_code == 0, en.output
    assert "scanning the folder: 15/15 files (100 %)" in en.stderr  # 14 plans and the controller
    assert "comparing plans with the data: 14/14 plans (100 %)" in en.stderr
    assert "writing workbooks: 14/14 workbooks (100 %)" in en.stderr
    assert "0 new, 14 regenerated, 0 not written; 0 conflicts; 0 unchanged" in en.stdout
    assert "Controller workbook: " in en.stdout and "│ regenerated " in en.stdout


def test_generate_table_wraps_long_file_and_backup_names_instead_of_cutting_them(tmp_path, monkeypatch):
    # a backup's name ends in its time stamp, the part that tells backups apart: in a narrow terminal it must wrap
    from typer.testing import CliRunner

    from kam_xl import cli

    monkeypatch.setattr(cli.out, "width", 100)
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(cli.app, ["generate", "--out", str(out)]).exit_code == 0
    result = runner.invoke(cli.app, ["generate", "--out", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    rows = [line.split("│") for line in result.stdout.splitlines() if line.count("│") == 6]
    last_column = "".join(cells[-2].strip() for cells in rows)  # the backup column, its wrapped pieces joined
    backups = sorted(p.name for p in (out / "_backup").iterdir() if p.name.startswith("KA-"))  # the plans'
    assert len(backups) == 14 and all(name in last_column for name in backups), result.stdout
