"""Generation on a Dask cluster (issue 13): a real ``LocalCluster`` with two worker processes, started once for
the module; the plans are byte-identical to ``--jobs 1`` and the per-file rules are the same."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from distributed import LocalCluster
from typer.testing import CliRunner

from kam_xl.batch import generate_all
from kam_xl.cli import app
from kam_xl.cluster import ClusterError
from kam_xl.databook import demo_databook, write_databook

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A 2-worker LocalCluster (processes, one thread each), its scheduler's address."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      worker_dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_dask_writes_the_same_bytes_as_jobs_1(tmp_path: Path, scheduler: str) -> None:
    data = str(write_databook(demo_databook(), tmp_path / "book"))
    local = [r.status for r in generate_all(data, tmp_path / "one", now=NOW, questionnaires=True)]
    dask = [r.status for r in generate_all(data, tmp_path / "dask", now=NOW, questionnaires=True,
                                           scheduler=scheduler)]
    assert local == dask and len(local) > 14 and set(local) == {"new"}
    one, other = _files(tmp_path / "one"), _files(tmp_path / "dask")
    assert len(one) == len(local) and one == other  # every plan and questionnaire, byte for byte


def test_regeneration_and_refusals_on_dask_are_those_of_jobs(tmp_path: Path, scheduler: str) -> None:
    out = tmp_path / "plans"
    list(generate_all(None, out, now=NOW))
    (out / "KA-003_Kartonagen_Elbmarsch_GmbH.ods").write_bytes(b"not ours")  # a second file of KA-003
    results = {r.account_id: r for r in generate_all(None, out, now=NOW, scheduler=scheduler)}
    assert results["KA-003"].status == "error" and "KA-003" in results["KA-003"].problems[0]
    assert results["KA-001"].status == "regenerated" and results["KA-001"].backup is not None
    assert sum(r.status == "regenerated" for r in results.values()) == 13


def test_cli_generate_on_dask_writes_plans_and_the_controller(tmp_path: Path, scheduler: str) -> None:
    r = CliRunner().invoke(app, ["generate", "--out", str(tmp_path / "p"), "--scheduler", scheduler])
    assert r.exit_code == 0 and "14 neu, 0 erneuert, 0 nicht geschrieben" in r.stdout
    assert (tmp_path / "p" / "Controller.xlsm").is_file()


def test_an_unreachable_scheduler_stops_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kam_xl.cluster.CONNECT_TIMEOUT", 2.0)
    with pytest.raises(ClusterError, match="no Dask scheduler reachable"):
        list(generate_all(None, tmp_path / "p", scheduler="tcp://127.0.0.1:1"))
    assert not any((tmp_path / "p").glob("*.xlsx"))
    r = CliRunner().invoke(app, ["generate", "--out", str(tmp_path / "q"), "--scheduler", "tcp://127.0.0.1:1"])
    assert r.exit_code == 1 and "no Dask scheduler reachable" in r.stderr


def test_without_scheduler_nothing_of_dask_is_imported(tmp_path: Path) -> None:
    code = ("import sys; from kam_xl.cli import app; from typer.testing import CliRunner; "
            f"r = CliRunner().invoke(app, ['generate', '--out', {str(tmp_path / 'p')!r}]); "
            "assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'sqlalchemy')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
