"""What a ``generate --jobs N`` worker imports (issue 14: generate's memory at 10,000 accounts).

A worker is started with multiprocessing's "spawn": it imports the command's main module again (the script pip
writes from pyproject.toml's entry point) and then what the pickled function and job are defined in — nothing
else. The command line (typer, rich, report, SQL) and the rest of a run (:mod:`kam_xl.batch`: the data book's
fingerprints, the folder scan, the controller workbook, collect) are the run's own process's. Nor does a worker
import pydantic-settings (``kam_xl.package_limits``, imported when a workbook is opened) or load Babel's CLDR
locale data for a plan's currency symbol and date: the run's process looks them up and gives them to the worker
as it starts (``kam_xl.workbook.printing.remember_cldr_words``). Figures: benchmarks/README.md, "Issue 14,
session 7: the plan worker".
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import subprocess
import sys
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kam_xl.batch import _run_job, _workers_cldr_words, plan_job
from kam_xl.databook import demo_databook
from kam_xl.workbook import printing
from kam_xl.workbook.names import read_named
from kam_xl.workbook.printing import cldr_words, remember_cldr_words

ROOT = Path(__file__).resolve().parents[1]
WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

#: Modules a worker writing plans never uses; any of them in a worker means a heavy import came back.
PARENT_ONLY = ("kam_xl.cli", "kam_xl.batch", "kam_xl.workbook.controller", "kam_xl.report", "kam_xl.sql",
               "kam_xl.addin.settings", "kam_xl.storage", "typer", "rich", "click",
               "pydantic_settings")  # the read limits' settings: a worker writing new plans opens no workbook

# The kam-xl command's script as pip writes it from the entry point "module:function", followed by what
# generate --jobs does with a job: one spawned worker, given the run's CLDR words as it starts, is sent
# (_run_job, job), then asked for its sys.modules and the CLDR locales Babel has loaded.
_COMMAND = '''import sys
from {module} import {function}
if __name__ == "__main__":
    import json, multiprocessing, pickle
    from concurrent.futures import ProcessPoolExecutor
    fn, job, initializer, words = pickle.load(sys.stdin.buffer)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=initializer,
                             initargs=(words,)) as pool:
        result = pool.submit(fn, job).result()
        modules = pool.submit(eval, "sorted(__import__('sys').modules)").result()
        locales = pool.submit(eval, "sorted(__import__('babel.localedata').localedata._cache)").result()
    print(json.dumps({{"status": result.status, "problems": result.problems, "modules": modules,
                      "locales": locales}}))
'''


def _entry_point() -> tuple[str, str]:
    """The ``kam-xl`` command's entry point in pyproject.toml, as (module, function)."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, function = scripts["kam-xl"].split(":")
    return module, function


def test_a_spawned_worker_writes_a_plan_without_the_command_line_or_the_batch_module(tmp_path: Path) -> None:
    db = demo_databook()
    account = db.accounts[0].account_id
    target = tmp_path / "plan.xlsx"
    job = plan_job(db, None, account, target, "de", WHEN)
    script = tmp_path / "kam-xl"
    module, function = _entry_point()
    script.write_text(_COMMAND.format(module=module, function=function), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    sent = pickle.dumps((_run_job, job, remember_cldr_words, _workers_cldr_words(db, "de", WHEN)))
    run = subprocess.run([sys.executable, str(script)], input=sent, capture_output=True, timeout=120, cwd=tmp_path,
                         env=env, check=False)
    assert run.returncode == 0, run.stderr.decode()
    out = json.loads(run.stdout)
    assert (out["status"], out["problems"]) == ("new", [])
    assert read_named(target).meta["account_id"] == account  # the worker wrote the account's plan
    modules = set(out["modules"])
    assert {"kam_xl.plan_jobs", "kam_xl.workbook.account_plan", "xlsxwriter"} <= modules  # it did import the plan's
    assert sorted(m for m in PARENT_ONLY if m in modules) == []
    assert out["locales"] == []  # the € and the day came with the run's words: no CLDR locale data (≈ 4 MiB) loaded
    here = tmp_path / "here.xlsx"  # the same job written in this process, which looks the words up itself
    assert dataclasses.replace(job, target=here)().status == "new"
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(here.read_bytes()).digest()



def test_the_words_a_worker_is_given_are_babels_and_taken_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printing, "_CLDR_WORDS", {})
    assert cldr_words(["EUR", " gbp", "CHF", ""], [date(2026, 11, 30)], "de") == {
        ("currency", "EUR", "de"): "€", ("currency", "GBP", "de"): "£", ("currency", "CHF", "de"): "CHF",
        ("day", "2026-11-30", "de"): "30.11.2026"}
    assert cldr_words(["EUR"], [date(2026, 11, 30)], "en") == {("currency", "EUR", "en"): "€",
                                                                ("day", "2026-11-30", "en"): "30 Nov 2026"}
    monkeypatch.setattr(printing, "_CLDR_WORDS", {})  # a fresh worker: what it is given, it does not look up again
    remember_cldr_words({("currency", "EUR", "de"): "Euro (given)", ("day", "2026-11-30", "de"): "given day"})
    assert (printing.currency_symbol("eur "), printing.written_day(date(2026, 11, 30))) == ("Euro (given)", "given day")
    assert printing.currency_symbol("EUR", "en") == "€"  # not given: looked up
