"""What a ``generate --jobs N`` worker imports (issue 14: generate's memory at 10,000 accounts).

A worker is started with multiprocessing's "spawn": it imports the command's main module again (the script pip
writes from pyproject.toml's entry point) and then what the pickled function and job are defined in — nothing
else. The command line (typer, rich, report, SQL) and the rest of a run (:mod:`kam_xl.batch`: the data book's
fingerprints, the folder scan, the controller workbook, collect) are the run's own process's: ≈ 9 MiB of every
worker's memory when a worker imported them (benchmarks/README.md, "Issue 14, session 7: the plan worker").
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from kam_xl.batch import _run_job, plan_job
from kam_xl.databook import demo_databook
from kam_xl.workbook.names import read_named

ROOT = Path(__file__).resolve().parents[1]
WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

#: Modules a worker writing plans never uses; any of them in a worker means a heavy import came back.
PARENT_ONLY = ("kam_xl.cli", "kam_xl.batch", "kam_xl.workbook.controller", "kam_xl.report", "kam_xl.sql",
               "kam_xl.addin.settings", "kam_xl.storage", "typer", "rich", "click")

# The kam-xl command's script as pip writes it from the entry point "module:function", followed by what
# generate --jobs does with a job: one spawned worker is sent (_run_job, job), then asked for its sys.modules.
_COMMAND = '''import sys
from {module} import {function}
if __name__ == "__main__":
    import json, multiprocessing, pickle
    from concurrent.futures import ProcessPoolExecutor
    fn, job = pickle.load(sys.stdin.buffer)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result = pool.submit(fn, job).result()
        modules = pool.submit(eval, "sorted(__import__('sys').modules)").result()
    print(json.dumps({{"status": result.status, "problems": result.problems, "modules": modules}}))
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
    run = subprocess.run([sys.executable, str(script)], input=pickle.dumps((_run_job, job)), capture_output=True,
                         timeout=120, cwd=tmp_path, env=env, check=False)  # _run_job: what generate --jobs sends
    assert run.returncode == 0, run.stderr.decode()
    out = json.loads(run.stdout)
    assert (out["status"], out["problems"]) == ("new", [])
    assert read_named(target).meta["account_id"] == account  # the worker wrote the account's plan
    modules = set(out["modules"])
    assert {"kam_xl.plan_jobs", "kam_xl.workbook.account_plan", "xlsxwriter"} <= modules  # it did import the plan's
    assert sorted(m for m in PARENT_ONLY if m in modules) == []

