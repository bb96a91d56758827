"""The output folder as an fsspec URL (issue 13, item 4): ``memory://`` in this process, ``file://`` on a
2-worker Dask ``LocalCluster``; every rule of a local folder holds — KAM inputs kept, a backup object, conflicts,
duplicates and other formats listed — and the bytes are those a local run writes."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import fsspec
import pytest
from distributed import LocalCluster
from shared import type_into
from test_generate import _edit_csv
from typer.testing import CliRunner

from kam_xl import storage
from kam_xl.batch import PlanResult, _databook, generate_all, write_conflict_report
from kam_xl.cli import app
from kam_xl.databook import demo_databook, write_databook
from kam_xl.workbook.names import read_named

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
KA1 = "KA-001_Papierfabrik_Weserbogen_AG.xlsx"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def url() -> Iterator[str]:
    """A fresh folder in fsspec's in-process memory filesystem, removed afterwards."""
    name = f"plans-{uuid.uuid4().hex[:8]}"
    yield f"memory://{name}"
    fs = fsspec.filesystem("memory")
    if fs.exists(f"/{name}"):
        fs.rm(f"/{name}", recursive=True)


def _mem(url: str) -> dict[str, bytes]:
    """Every object under ``url`` by its path relative to it."""
    fs, root = fsspec.core.url_to_fs(url)
    return {p[len(root.rstrip("/")) + 1:]: fs.cat_file(p) for p in sorted(fs.find(root))}


def _type_into_object(url: str, rel: str, tmp: Path, *typed: tuple[str, object]) -> bytes:
    """A KAM's edit of the object: read it, type with openpyxl, write it back; returns the new bytes."""
    fs, root = fsspec.core.url_to_fs(url)
    local = tmp / rel
    local.write_bytes(fs.cat_file(f"{root}/{rel}"))
    for name, value in typed:
        type_into(local, name, value)
    fs.pipe_file(f"{root}/{rel}", local.read_bytes())
    return local.read_bytes()


def _regenerate_with_a_typed_value(data: Path, out: str | Path, tmp: Path) -> tuple[list[PlanResult], bytes]:
    """Generate, type a service cost into KA-001's plan, change it in the data too, regenerate at LATER; the
    results and the typed plan's bytes."""
    _databook.cache_clear()  # the data book of an earlier run at the same path is remembered
    assert {r.status for r in generate_all(str(data), out, now=NOW)} == {"new"}
    if isinstance(out, str):
        typed = _type_into_object(out, KA1, tmp, ("cdb_in_service_cost", 123_456.0))
    else:
        type_into(out / KA1, "cdb_in_service_cost", 123_456.0)
        typed = (out / KA1).read_bytes()
    _edit_csv(data / "cdb.csv", "KA-001", "2025", "service_cost", "400000")
    _databook.cache_clear()
    return list(generate_all(str(data), out, now=LATER)), typed


def test_regeneration_in_memory_keeps_the_kam_value_backs_up_and_reports_as_locally(tmp_path: Path, url: str
                                                                                    ) -> None:
    (tmp_path / "edit").mkdir()
    data = write_databook(demo_databook(), tmp_path / "d")
    results, typed = _regenerate_with_a_typed_value(data, url, tmp_path / "edit")
    local_out = tmp_path / "local"  # the same again in a local folder, from the same data book (its path is in _meta)
    shutil.rmtree(tmp_path / "d")
    local, _ = _regenerate_with_a_typed_value(write_databook(demo_databook(), tmp_path / "d"), local_out, tmp_path)
    assert [r.status for r in results] == [r.status for r in local] == ["regenerated"] * 14
    r1 = results[0]
    [(sheet, cell, c)] = r1.conflicts
    assert (sheet, cell, c.orig, c.kam, c.data) == ("CDB", "B13", 359_292.5, 123_456, 400_000)
    objects = _mem(url)
    backup = f"_backup/KA-001_Papierfabrik_Weserbogen_AG.{LATER:%Y%m%d-%H%M%S}.xlsx"
    assert r1.backup == Path(backup) and objects[backup] == typed  # the old object, byte for byte
    (tmp_path / "kept.xlsx").write_bytes(objects[KA1])
    assert read_named(tmp_path / "kept.xlsx").values["cdb_in_service_cost"] == 123_456  # the KAM's value kept
    # byte for byte what a local folder holds: plans and backups (but the file openpyxl saved at another time)
    on_disk = {p.relative_to(local_out).as_posix(): p.read_bytes() for p in local_out.rglob("*") if p.is_file()}
    assert objects.keys() == on_disk.keys() and len(objects) == 28
    assert [k for k in objects if objects[k] != on_disk[k]] == [backup]
    # conflicts.csv written into the URL folder the way the CLI does, the same bytes as locally
    assert storage.write_in(url, ["conflicts.csv"], lambda d: write_conflict_report(results, d)) \
        == f"memory:///{url.removeprefix('memory://')}/conflicts.csv"
    report = write_conflict_report(local, local_out)
    assert report is not None and _mem(url)["conflicts.csv"] == report.read_bytes()
    rows = list(csv.reader(report.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[1][:3] == [KA1, "CDB", "B13"]


def test_cli_generate_to_a_url_writes_controller_and_backs_it_up(tmp_path: Path, url: str) -> None:
    for run in (1, 2):
        r = CliRunner().invoke(app, ["generate", "--out", url, *(["--force"] if run == 2 else [])])
        assert r.exit_code == 0, r.output
        assert ("14 neu, 0 erneuert" if run == 1 else "0 neu, 14 erneuert") in r.stdout
        assert f"Controller-Arbeitsmappe: memory:///{url.removeprefix('memory://')}/Controller.xlsm" in r.stdout
    objects = _mem(url)
    assert "Controller.xlsm" in objects and sum(k.startswith("_backup/Controller.") for k in objects) == 1
    assert sum(k.startswith("_backup/KA-") for k in objects) == 14 and "conflicts.csv" not in objects
    r = CliRunner().invoke(app, ["generate", "--out", url])  # nothing changed: no plan object rewritten
    assert r.exit_code == 0 and "0 neu, 0 erneuert" in r.stdout and "; 14 unverändert" in r.stdout
    again = _mem(url)
    assert {k: v for k, v in again.items() if k.startswith("KA-")} == {
        k: v for k, v in objects.items() if k.startswith("KA-")}
    assert sum(k.startswith("_backup/KA-") for k in again) == 14


def test_an_invalid_typed_value_leaves_the_object_as_it_is(tmp_path: Path, url: str) -> None:
    list(generate_all(None, url, now=NOW))
    typed = _type_into_object(url, KA1, tmp_path, ("acc_status", "irgendwas"))
    [r1, *_] = list(generate_all(None, url, now=LATER))
    assert r1.status == "error" and "irgendwas" in r1.problems[0] and KA1 in r1.problems[0]
    objects = _mem(url)
    assert objects[KA1] == typed and not any(k.startswith("_backup/KA-001") for k in objects)
    assert sum(k.startswith("_backup/KA-") for k in objects) == 13  # the other plans were regenerated


def test_a_refused_backup_or_write_loses_nothing(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    list(generate_all(None, url, now=NOW))
    before = _mem(url)
    real = storage.UrlFolder.write_bytes

    def refuse(where: str):  # the object store refuses writes under `where` (a bucket policy, a full quota)
        def write_bytes(self: storage.UrlFolder, rel: object, data: bytes) -> None:
            if str(rel).startswith(where):
                raise PermissionError(13, "Access Denied")
            real(self, rel, data)
        return write_bytes

    monkeypatch.setattr(storage.UrlFolder, "write_bytes", refuse("_backup"))
    r1, *_ = list(generate_all(None, url, now=LATER))
    assert r1.status == "error" and r1.problems == [
        f"{KA1}: not regenerated — its backup could not be written to _backup/: permission denied "
        "(write-protected, or open in another program such as Excel); the file was left as it is"]
    assert _mem(url) == before
    monkeypatch.setattr(storage.UrlFolder, "write_bytes", refuse("KA-001"))
    r1, *_ = list(generate_all(None, url, now=LATER))
    assert r1.status == "error" and "not written — permission denied" in r1.problems[0]
    assert r1.problems[0].endswith("the old file was left as it is")
    objects = _mem(url)
    assert objects[KA1] == before[KA1] and not any(k.startswith("_backup/KA-001") for k in objects)
    assert sum(k.startswith("_backup/KA-") for k in objects) == 13  # the other plans were regenerated


def test_duplicates_and_other_formats_in_a_url_folder_are_listed_as_locally(tmp_path: Path, url: str) -> None:
    local = tmp_path / "local"
    fs, root = fsspec.core.url_to_fs(url)
    for out in (url, local):
        list(generate_all(None, out, now=NOW))
    for name, data in (("KA-003_Kartonagen_Elbmarsch_GmbH.ods", b"not ours"),
                       ("Kopie von KA-005.xlsx", (local / "KA-005_Textilwerke_Emsland_GmbH.xlsx").read_bytes()),
                       ("KA-007_Papierwerk_Isartal_AG.xlsx.bak", b"PK\x03\x04 damaged")):
        fs.pipe_file(f"{root}/{name}", data)
        (local / name).write_bytes(data)
    fs.pipe_file(f"{root}/.KA-011_x.xlsx.0a1b2c3d.tmp", b"half")  # what a killed file:// write leaves
    fs.rm_file(f"{root}/KA-009_Färberei_Donauried_GmbH.xlsx")
    fs.pipe_file(f"{root}/KA-009_Färberei_Donauried_GmbH.xls", b"old excel")
    (local / "KA-009_Färberei_Donauried_GmbH.xlsx").unlink()
    (local / "KA-009_Färberei_Donauried_GmbH.xls").write_bytes(b"old excel")
    remote = {r.account_id: r for r in generate_all(None, url, now=LATER)}
    here = {r.account_id: r for r in generate_all(None, local, now=LATER)}
    refused = {k for k, r in remote.items() if r.status == "error"}
    assert refused == {"KA-003", "KA-005", "KA-009"} == {k for k, r in here.items() if r.status == "error"}
    for key in refused:
        assert remote[key].problems == here[key].problems and remote[key].path.name == here[key].path.name
    assert "KA-005: 2 files (KA-005_Textilwerke_Emsland_GmbH.xlsx, Kopie von KA-005.xlsx)" in \
        remote["KA-005"].problems[0]
    assert remote["KA-009"].problems[0].startswith("KA-009_Färberei_Donauried_GmbH.xls: an Excel 97–2003 workbook")
    assert fs.cat_file(f"{root}/KA-003_Kartonagen_Elbmarsch_GmbH.ods") == b"not ours"
    assert not fs.exists(f"{root}/.KA-011_x.xlsx.0a1b2c3d.tmp")


def test_a_url_that_cannot_be_opened_or_shared_stops_before_anything(tmp_path: Path, url: str) -> None:
    r = CliRunner().invoke(app, ["generate", "--out", "nosuch-fs://bucket/plans"])
    assert r.exit_code == 1 and "nosuch-fs://bucket/plans: this URL cannot be opened" in r.stderr
    r = CliRunner().invoke(app, ["generate", "--out", url, "--jobs", "2"])  # the pool's plans would be lost
    assert r.exit_code == 1 and "memory:// lives in this process only" in r.stderr and _mem(url) == {}


def test_a_local_out_imports_nothing_of_fsspec(tmp_path: Path) -> None:
    code = ("import sys; from kam_xl.cli import app; from typer.testing import CliRunner; "
            f"r = CliRunner().invoke(app, ['generate', '--out', {str(tmp_path / 'p')!r}]); "
            "assert r.exit_code == 0, r.output; print(sorted(m for m in sys.modules if m.startswith('fsspec')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A 2-worker LocalCluster (processes, one thread each), its scheduler's address."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      worker_dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_a_file_url_on_dask_writes_the_bytes_of_jobs_1(tmp_path: Path, scheduler: str) -> None:
    data = str(write_databook(demo_databook(), tmp_path / "book"))
    local = [r.status for r in generate_all(data, tmp_path / "one", now=NOW, questionnaires=True)]
    url = f"file://{tmp_path / 'dask'}"
    dask = [r.status for r in generate_all(data, url, now=NOW, questionnaires=True, scheduler=scheduler)]
    assert local == dask and len(local) > 14 and set(local) == {"new"}
    one = {p.relative_to(tmp_path / "one").as_posix(): p.read_bytes() for p in (tmp_path / "one").rglob("*.xlsx")}
    other = {p.relative_to(tmp_path / "dask").as_posix(): p.read_bytes() for p in (tmp_path / "dask").rglob("*")
             if p.is_file()}
    assert len(one) == len(local) and one == other  # every plan and questionnaire, byte for byte, nothing else
    again = list(generate_all(data, url, now=LATER, questionnaires=True, scheduler=scheduler))
    assert {r.status for r in again} == {"regenerated"}
    backups = sorted((tmp_path / "dask" / "_backup").iterdir())
    assert len(backups) == 14 and backups[0].read_bytes() == one[KA1]
