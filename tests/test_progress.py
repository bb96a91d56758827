"""Progress of the long phases (issue 14) and the streamed ``report --format json``."""

from __future__ import annotations

import io
import json
import time

from rich.console import Console
from typer.testing import CliRunner

from kam_xl import progress
from kam_xl import report as rep
from kam_xl.batch import collect_plans, generate_plan
from kam_xl.cli import app
from kam_xl.databook import demo_databook
from kam_xl.progress import PhaseProgress, step_due


def _plain() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=False, soft_wrap=True), buffer


def test_report_json_is_streamed_as_the_same_text_with_progress_lines_on_stderr(monkeypatch):
    monkeypatch.setattr(progress, "QUIET_S", 0)  # lines from the start (a quick report is otherwise quiet)
    result = CliRunner().invoke(app, ["report", "--format", "json"])
    assert result.exit_code == 0, result.output
    reports = rep.to_jsonable(rep.account_reports(demo_databook()))
    # what `rich.Console.print_json` printed before: json.dumps(…, indent=2, ensure_ascii=False) and a newline
    assert result.stdout == json.dumps(reports, indent=2, ensure_ascii=False) + "\n"
    assert json.loads(result.stdout)[8]["account_id"] == "KA-009"
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Bericht: 2/14 Kunden (14 %), ") and lines[-1].startswith(
        "Bericht: 14/14 Kunden (100 %), ")  # the output language (de by default), as the summaries
    assert len(lines) == 10  # one line per further tenth of 14 accounts, not one per account


def test_every_commands_progress_speaks_the_output_language(monkeypatch, tmp_path):
    monkeypatch.setattr(progress, "QUIET_S", 0)
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["generate", "--out", str(out)]).exit_code == 0
    german = ("Dateien einlesen: ", " Dateien (", "Controller-Arbeitsmappe: ", " Schritte (")
    for lang, words, english in (("de", german, ("files", "steps")),
                                 ("en", ("collect: ", " files (", "controller workbook: ", " steps ("), ())):
        result = CliRunner().invoke(app, ["collect", str(out), "--lang", lang])
        assert result.exit_code == 0, result.output
        for word in words:
            assert word in result.stderr, (lang, word, result.stderr)
        for word in english:
            assert f" {word} (" not in result.stderr, (lang, word, result.stderr)
    result = CliRunner().invoke(app, ["report", "--format", "json", "--lang", "en"])
    assert "report: 14/14 accounts (100 %)" in result.stderr


def test_the_json_array_pieces_are_one_json_text():
    items = [{"a": [1, {"b": "x\ny"}]}, [], "ü"]
    assert "".join(rep.iter_json_array(items)) == json.dumps(items, indent=2, ensure_ascii=False)
    assert "".join(rep.iter_json_array(iter([]))) == "[]"


def test_a_quick_phase_prints_no_plain_line():
    console, buffer = _plain()
    with PhaseProgress("report", console, total=3, unit="accounts") as p:
        for _ in range(3):
            p.advance()
    assert buffer.getvalue() == ""


def test_plain_lines_every_tenth_and_a_heartbeat_while_a_long_step_runs(monkeypatch):
    monkeypatch.setattr(progress, "QUIET_S", 0)
    assert [d for d in range(1, 1001) if step_due(d, 1000, d - 1)] == list(range(100, 1001, 100))
    console, buffer = _plain()
    with PhaseProgress("controller", console, every_s=0.05):
        time.sleep(0.3)
    lines = buffer.getvalue().splitlines()
    assert len(lines) >= 3 and all(x.startswith("controller: running, ") for x in lines[:-1])
    assert lines[-1].startswith("controller: done, ")


def test_the_share_done_is_rounded_down_never_to_100_percent_before_the_end(monkeypatch):
    """A fresh user saw "Dateien einlesen: 998/1.000 Dateien (100 %)" — rounded to the nearest percent."""
    monkeypatch.setattr(progress, "QUIET_S", 0)
    console, buffer = _plain()
    with PhaseProgress("collect", console, total=1000, unit="files") as p:
        for done in (5, 998, 1000):  # a line at each further tenth: 998 and 1,000
            p.update(done, 1000)
    assert [x.split(", ")[0] for x in buffer.getvalue().splitlines()][:2] == [
        "collect: 998/1,000 files (99 %)", "collect: 1,000/1,000 files (100 %)"]


def test_no_heartbeat_right_after_a_steps_line(monkeypatch):
    """A step's line just before the heartbeat is due: the heartbeat waits (a fresh user saw
    "Controller-Arbeitsmappe: 30/30 Schritte (100 %), 10 s" twice, the step's line and the heartbeat's)."""
    monkeypatch.setattr(progress, "QUIET_S", 0)
    console, buffer = _plain()
    with PhaseProgress("controller", console, total=10, unit="steps", every_s=1.0) as p:
        time.sleep(0.7)
        p.update(10, 10)  # its line at ≈ 0.7 s; the heartbeat at 1 s is not printed, the one at 2 s is
        time.sleep(2.0)
    lines = buffer.getvalue().splitlines()
    assert [x.split(", ")[0] for x in lines] == ["controller: 10/10 steps (100 %)"] * 2  # three: the same twice


def test_no_plain_lines_on_a_terminal(monkeypatch):
    monkeypatch.setattr(progress, "QUIET_S", 0)
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    with PhaseProgress("report", console, total=3, unit="accounts") as p:
        for _ in range(3):
            p.advance()
    assert "report: 3/3" not in buffer.getvalue()


def test_collect_reports_its_progress_per_file(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "QUIET_S", 0)
    for account in ("KA-001", "KA-002"):
        generate_plan(None, account, tmp_path)
    calls: list[tuple[int, int]] = []
    result = collect_plans(tmp_path, progress=lambda done, total: calls.append((done, total)))
    assert len(result.plans) == 2 and calls == [(1, 2), (2, 2)]
    console, buffer = _plain()
    with PhaseProgress("collect", console, unit="files") as p:
        collect_plans(tmp_path, progress=p.update)
    assert buffer.getvalue().splitlines()[-1].startswith("collect: 2/2 files (100 %), ")
