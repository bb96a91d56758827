"""File-system faults are problems, not tracebacks: a disk that fills up, a plan that cannot be replaced, a
read-only ``_backup``, an unwritable controller. The file concerned is listed as not written with the reason
the system gives, the others are written, no backup is ever truncated, no temporary file is left behind, and
the exit code is 2.

Running as root (as CI does) the faults are real: a small tmpfs, ``chattr +i``, a read-only bind mount. Where
that is not possible (no root, a file system without attributes) the same fault is raised by the system call
kam_xl makes (``fsync``, ``rename``, ``mkstemp``) through monkeypatching, with the same errno.
"""

from __future__ import annotations

import csv
import errno
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from shared import type_into
from typer.testing import CliRunner, Result

from kam_xl import files
from kam_xl.batch import _databook, generate_all
from kam_xl.cli import app
from kam_xl.databook import DataBook, demo_databook, write_databook
from kam_xl.workbook.names import read_named

runner = CliRunner()
IDS = ["KA-001", "KA-002", "KA-003", "KA-004", "KA-005"]


def cli(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def _sh(*cmd: str) -> bool:
    return os.geteuid() == 0 and subprocess.run(cmd, capture_output=True).returncode == 0


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.tmp")]


def plan_of(folder: Path, account_id: str) -> Path:
    [path] = folder.glob(f"{account_id}_*.xlsx")
    return path


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The first five demo accounts as a CSV data book (fewer plans: faster tests, the same faults)."""
    demo = demo_databook()
    tables = {name: [r for r in rows if r.get("account_id") in IDS] if rows and name != "excellence" else None
              for name, rows in demo.tables.items()}
    tables["resources"] = tables["regions"] = None
    small = DataBook(source="five", accounts=[a for a in demo.accounts if a.account_id in IDS], tables=tables)
    return str(write_databook(small, tmp_path_factory.mktemp("book") / "five"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, book: str) -> Path:
    out = tmp_path_factory.mktemp("generated") / "out"
    assert [r.status for r in generate_all(book, out)] == ["new"] * 5
    return out


# ----------------------------------------------------------------------------------------------- disk full


class Disk:
    """A folder on a small disk that can be filled up to ``keep`` free bytes and freed again: a 3 MB tmpfs as
    root, else a byte budget checked where kam_xl makes a file durable (``fsync`` → ENOSPC)."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        root.mkdir()
        self.mounted = _sh("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(root))
        self.budget: int | None = None
        if not self.mounted:
            real_fsync = os.fsync

            def fsync(fd: int) -> None:
                if self.budget is not None:
                    size = os.fstat(fd).st_size
                    if size > self.budget:
                        raise OSError(errno.ENOSPC, "No space left on device")
                    self.budget -= size
                real_fsync(fd)

            monkeypatch.setattr(files.os, "fsync", fsync)

    def fill(self, keep: int) -> None:
        if self.mounted:
            st = os.statvfs(self.root)
            (self.root / "filler").write_bytes(b"\1" * max(0, st.f_bavail * st.f_frsize - keep))
        else:
            self.budget = keep

    def free(self) -> None:
        (self.root / "filler").unlink(missing_ok=True)
        self.budget = None


@pytest.fixture
def disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Disk]:
    d = Disk(tmp_path / "disk", monkeypatch)
    yield d
    if d.mounted:
        _sh("umount", "-l", str(d.root))


def test_a_full_disk_lists_the_plans_not_written_and_writes_the_rest(disk: Disk, book: str) -> None:
    out = disk.root / "out"
    out.mkdir()
    disk.fill(keep=100_000)  # room for two plans (~40 kB each), not for all five nor the controller (~80 kB)
    result = cli("generate", "--data", book, "--out", str(out))
    assert result.exit_code == 2
    listed = {i for i in IDS if f"{i}_" in result.stderr and next(
        line for line in result.stderr.splitlines() if f"{i}_" in line).endswith("not written — disk full")}
    written = {p.name.split("_")[0] for p in out.glob("KA-*.xlsx")}
    assert listed and written and listed | written == set(IDS) and not listed & written
    for path in out.glob("KA-*.xlsx"):  # every file there is whole
        assert read_named(path).meta["account_id"] == path.name.split("_")[0]
    assert "Controller.xlsm: not written — disk full" in result.stderr
    assert not (out / "Controller.xlsm").exists()
    assert f"{len(written)} neu, 0 erneuert, {len(listed)} nicht geschrieben" in result.stdout
    assert leftovers(out) == []

    disk.free()  # the next run, with room, writes the rest
    again = cli("generate", "--data", book, "--out", str(out), "--force")
    assert again.exit_code == 0, again.output
    assert f"{len(listed)} neu, {len(written)} erneuert, 0 nicht geschrieben" in again.stdout


def test_regenerating_on_a_full_disk_never_leaves_a_truncated_backup(disk: Disk, book: str) -> None:
    out = disk.root / "out"
    assert cli("generate", "--data", book, "--out", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.glob("KA-*.xlsx")}
    disk.fill(keep=100_000)
    result = cli("generate", "--data", book, "--out", str(out), "--force")
    assert result.exit_code == 2
    listed = [line for line in result.stderr.splitlines() if line.startswith("  • ")]
    assert listed and all("disk full" in line and "No space left" not in line for line in listed)
    counts = re.search(r"0 neu, (\d+) erneuert, (\d+) nicht geschrieben", result.stdout)
    assert counts and int(counts[1]) + int(counts[2]) == 5 and int(counts[2]) == len(listed) - 1  # + controller
    for path in out.glob("KA-*.xlsx"):  # each plan is the old one or a whole new one
        assert path.read_bytes() == before[path.name] or read_named(path).meta["account_id"] in IDS
    for backup in (out / "_backup").glob("KA-*.xlsx"):  # and each backup a whole copy of an old plan
        assert backup.read_bytes() == before[backup.name.split(".20")[0] + ".xlsx"]
    assert leftovers(out) == []


def test_collect_on_a_full_disk_lists_the_outputs_not_written(disk: Disk, generated: Path, book: str) -> None:
    folder = disk.root / "plans"
    shutil.copytree(generated, folder)
    disk.fill(keep=6_000)  # room for the error report (one page), not for the export or the controller
    result = cli("collect", str(folder), "--data", book)
    assert result.exit_code == 2
    assert "5 Pläne und 0 Fragebögen gelesen" in result.stdout
    assert "collected.xlsx: not written — disk full\n" in result.stderr
    assert "Controller.xlsm: not written — disk full\n" in result.stderr
    assert "No space left on device" not in result.stderr  # the reason once, in kam_xl's words
    assert leftovers(folder) == []


# ---------------------------------------------------------------------------------------- unwritable files


@pytest.fixture
def protect(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], str]]:
    """Make one file impossible to replace — even for root — and return the words kam_xl should report:
    ``chattr +i`` (EPERM) where it works, else a refused rename onto it (EACCES)."""
    protected: list[Path] = []

    def protect(path: Path) -> str:
        if _sh("chattr", "+i", str(path)):
            protected.append(path)
            return "operation not permitted"
        real_replace = os.replace

        def replace(src: str | Path, dst: str | Path) -> None:
            if Path(dst) == path:
                raise PermissionError(errno.EACCES, "Permission denied", str(dst))
            real_replace(src, dst)

        monkeypatch.setattr(files.os, "replace", replace)
        return "permission denied"

    yield protect
    for path in protected:
        _sh("chattr", "-i", str(path))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_unwritable_plan_is_listed_and_the_others_are_regenerated(generated: Path, tmp_path: Path,
                                                                    protect: Callable[[Path], str],
                                                                    jobs: str, book: str) -> None:
    out = tmp_path / "out"
    shutil.copytree(generated, out)
    target = plan_of(out, "KA-004")
    type_into(target, "cdb_in_sales_cost", 999)
    before = target.read_bytes()
    reason = protect(target)
    result = cli("generate", "--data", book, "--out", str(out), "--force", "--jobs", jobs)
    assert result.exit_code == 2
    assert f"{target.name}: not written — {reason}" in result.stderr
    assert "; the old file was left as it is" in result.stderr
    assert "(Operation not permitted)" not in result.stderr and "(Permission denied)" not in result.stderr
    assert target.read_bytes() == before
    assert "0 neu, 4 erneuert, 1 nicht geschrieben" in result.stdout
    assert not list((out / "_backup").glob("KA-004_*"))  # the old file is unchanged: no backup of it kept
    assert len(list((out / "_backup").glob("KA-*.xlsx"))) == 4
    assert leftovers(out) == []


def test_an_unwritable_controller_is_listed_and_the_plans_are_written(generated: Path, tmp_path: Path,
                                                                     protect: Callable[[Path], str],
                                                                     book: str) -> None:
    out = tmp_path / "out"
    assert cli("generate", "--data", book, "--out", str(out)).exit_code == 0
    controller = out / "Controller.xlsm"
    before = controller.read_bytes()
    reason = protect(controller)
    result = cli("generate", "--data", book, "--out", str(out), "--force")
    assert result.exit_code == 2
    assert f"Controller.xlsm: not written — {reason}" in result.stderr
    assert "0 neu, 5 erneuert, 0 nicht geschrieben" in result.stdout
    assert "Controller-Arbeitsmappe: nicht geschrieben" in result.stdout
    assert controller.read_bytes() == before


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], str]]:
    """Make a folder read-only — even for root — and return the words kam_xl should report: a read-only bind
    mount (EROFS) as root, else no file can be made in it (EROFS from ``mkstemp``)."""
    mounts: list[Path] = []

    def read_only(folder: Path) -> str:
        if _sh("mount", "--bind", str(folder), str(folder)):
            mounts.append(folder)
            if _sh("mount", "-o", "remount,bind,ro", str(folder)):
                return "read-only file system"
        real_mkstemp = tempfile.mkstemp

        def mkstemp(*args: object, dir: str | Path | None = None, **kw: object) -> tuple[int, str]:
            if dir is not None and Path(dir) == folder:
                raise OSError(errno.EROFS, "Read-only file system", str(folder))
            return real_mkstemp(*args, dir=dir, **kw)  # type: ignore[call-overload]

        monkeypatch.setattr(files.tempfile, "mkstemp", mkstemp)
        return "read-only file system"

    yield read_only
    for folder in mounts:
        _sh("umount", "-l", str(folder))


def test_a_read_only_backup_folder_leaves_every_old_file_as_it_is(generated: Path, tmp_path: Path,
                                                                  read_only: Callable[[Path], str],
                                                                  book: str) -> None:
    out = tmp_path / "out"
    shutil.copytree(generated, out)
    plan_of(out, "KA-003").unlink()  # a new plan needs no backup: it is written
    before = {p.name: p.read_bytes() for p in out.glob("KA-*.xlsx")}
    (out / "_backup").mkdir()
    reason = read_only(out / "_backup")
    result = cli("generate", "--data", book, "--out", str(out), "--force")
    assert result.exit_code == 2
    assert (f"KA-001_Papierfabrik_Weserbogen_AG.xlsx: not regenerated — its backup could not be written to "
            f"_backup/: {reason}") in result.stderr
    assert "1 neu, 0 erneuert, 4 nicht geschrieben" in result.stdout
    assert {p.name: p.read_bytes() for p in out.glob("KA-*.xlsx") if p.name in before} == before
    assert read_named(plan_of(out, "KA-003")).meta["account_id"] == "KA-003"
    assert list((out / "_backup").iterdir()) == []


# ------------------------------------------------------------------------------------ leftovers, reports


def test_leftovers_of_a_killed_run_are_removed_by_the_next_run(generated: Path, tmp_path: Path, book: str) -> None:
    out = tmp_path / "out"
    shutil.copytree(generated, out)
    (out / "_backup").mkdir()
    plan = plan_of(out, "KA-001")
    made = [Path(tempfile.mkstemp(prefix=f".{plan.name}.", suffix=".tmp", dir=folder)[1])
            for folder in (out, out / "_backup")]  # as an interrupted atomic write leaves them
    for path in made:
        path.write_bytes(plan.read_bytes()[:1000])
    mine = [out / ".notizen.tmp", out / "KA-001.abcdefgh.tmp"]  # not ours: kept
    for path in mine:
        path.write_text("mine")
    assert cli("generate", "--data", book, "--out", str(out)).exit_code == 0
    assert not any(p.exists() for p in made)
    assert all(p.read_text() == "mine" for p in mine)
    # collect cleans up too
    left = Path(tempfile.mkstemp(prefix=".collected.xlsx.", suffix=".tmp", dir=out)[1])
    assert cli("collect", str(out), "--data", book).exit_code == 0
    assert not left.exists()


def _edit_csv(path: Path, account_id: str, column: str, value: str) -> None:
    """Change one cell of a data-book CSV as kam_xl writes them (the one dialect: ``;``, UTF-8 with BOM)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    col = rows[0].index(column)
    for row in rows[1:]:
        if row[0] == account_id and row[1] == "2025":
            row[col] = value
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=";").writerows(rows)


def test_conflicts_csv_always_describes_the_last_run(tmp_path: Path, book: str) -> None:
    data = Path(shutil.copytree(book, tmp_path / "data"))
    out = tmp_path / "out"
    assert cli("generate", "--data", str(data), "--out", str(out)).exit_code == 0
    assert not (out / "conflicts.csv").exists()
    type_into(plan_of(out, "KA-001"), "cdb_in_service_cost", 123_456)  # the KAM types …
    _edit_csv(data / "cdb.csv", "KA-001", "service_cost", "400000")     # … and the data changes under it
    _databook.cache_clear()
    result = cli("generate", "--data", str(data), "--out", str(out))
    assert result.exit_code == 0, result.output
    with (out / "conflicts.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert len(rows) == 2
    name, *values = rows[1][3:7]
    assert (name, [float(v.replace(",", ".")) for v in values]) == ("cdb_in_service_cost",
                                                                    [359_292.5, 123_456, 400_000])
    # the next run has no conflict (the KAM's value stays, the data is as at the last generation): no report
    again = cli("generate", "--data", str(data), "--out", str(out))
    assert again.exit_code == 0 and "0 Konflikte" in again.stdout
    assert not (out / "conflicts.csv").exists()


def test_an_output_folder_that_cannot_be_made_stops_before_work(tmp_path: Path, book: str) -> None:
    (tmp_path / "file").write_text("a file, not a folder")
    result = cli("generate", "--data", book, "--out", str(tmp_path / "file" / "out"))
    assert result.exit_code == 1
    assert "the output folder cannot be made" in result.stderr


# ------------------------------------------------------------------------------------------ the reason, once


@pytest.mark.parametrize("code", sorted(files._REASONS))
def test_a_fault_kam_xl_knows_is_said_once_in_its_words_in_either_language(code: int) -> None:
    """"operation not permitted (…) (Operation not permitted)" said the reason twice: kam_xl's words replace the
    system's text, they are not put before it; a German status line gets German words."""
    system = os.strerror(code)
    e = OSError(code, system, "/plans/KA-001.xlsx")
    en, de = files.fs_reason(e), files.fs_reason(e, "de")
    assert en == files._REASONS[code][0] and de == files._REASONS[code][1] and en != de
    assert f"({system})" not in en and system not in de and "/plans" not in en + de


def test_a_macro_stopped_by_the_disk_says_the_file_and_the_reason_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from kam_xl.addin import macros

    def refused(_ws: object, _now: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted", "/plans/KA-001.xlsx")

    monkeypatch.setitem(macros.MACROS, "generate", refused)
    ws = macros.WorkbookSettings(book="Controller.xlsm", values={}, lang="de")
    report = macros.run_macro("generate", ws, datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    assert report.status.endswith("abgebrochen – /plans/KA-001.xlsx: Vorgang nicht erlaubt (Datei oder Ordner "
                                  "schreibgeschützt oder unveränderlich)")
    assert report.errors == [("Controller.xlsm", "", "", "/plans/KA-001.xlsx: operation not permitted (the file or "
                              "folder is write-protected or immutable)")]
