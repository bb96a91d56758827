"""collect --jobs writes its export in a process of its own (kam_xl.databook.export_child) while it writes the
controller: the same file as written in collect's process, the same faults listed, and written in collect's
process after all when that process ends without an answer."""

from __future__ import annotations

import gc
import io
import pickle
import sys
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from kam_xl.cli import _ExportAside, _write_export
from kam_xl.databook import DataBook, demo_databook, read_databook, write_databook
from kam_xl.databook.export_child import answer_of
from kam_xl.databook.writer import NamedTable, databook_tables, write_tables


def _plain(db: DataBook) -> tuple[list, dict]:
    return db.accounts, {name: None if rows is None else [dict(r) for r in rows] for name, rows in db.tables.items()}


def _stream(target: Path, replace: bool, db: DataBook) -> io.BytesIO:
    """What collect's thread sends: the path, the tables one by one, None."""
    out = io.BytesIO()
    pickle.dump((target, replace), out)
    for table in databook_tables(db):
        pickle.dump(table, out)
    pickle.dump(None, out)
    out.seek(0)
    return out


@pytest.fixture(scope="module")
def demo() -> DataBook:
    return demo_databook()


def test_the_child_writes_what_write_databook_writes(demo: DataBook, tmp_path: Path) -> None:
    for name in ("export.xlsx", "csv"):  # the workbook and a folder of CSV files (collect --export DIR)
        alone = write_databook(demo, tmp_path / "alone" / name)
        how, written = answer_of(_stream(tmp_path / "child" / name, False, demo))
        assert (how, written) == ("written", tmp_path / "child" / name)
        assert _plain(read_databook(written)) == _plain(read_databook(alone))
    # a controller table too (registered by the controller's sheet kinds, which the child does not import)
    assert "buying_center" in read_databook(tmp_path / "child" / "export.xlsx").tables


def test_the_export_aside_is_the_export_written_here(demo: DataBook, tmp_path: Path) -> None:
    faults: list[str] = []
    written = _ExportAside(demo, tmp_path / "collected.xlsx", True).result(faults)
    assert written == tmp_path / "collected.xlsx" and faults == []
    assert _plain(read_databook(written)) == _plain(demo)
    again = _ExportAside(demo, written, True).result(faults)  # collect's own export is replaced
    assert again == written and faults == []


@pytest.mark.parametrize("case", ["exists", "not a folder"])
def test_a_fault_is_listed_as_writing_it_here_lists_it(demo: DataBook, tmp_path: Path, case: str) -> None:
    target = tmp_path / "collected.xlsx"
    if case == "exists":  # --export to a file that exists: refused, never overwritten
        target.write_bytes(b"someone's file")
    else:  # a file-system fault: its folder is a file
        (tmp_path / "plans").write_bytes(b"")
        target = tmp_path / "plans" / "collected.xlsx"
    here: list[str] = []
    aside: list[str] = []
    assert _write_export(demo, target, False, here) == "not written"
    assert _ExportAside(demo, target, False).result(aside) == "not written"
    assert aside == here and len(here) == 1
    assert ("already exists" if case == "exists" else "collected.xlsx: not written —") in here[0]
    if case == "exists":
        assert target.read_bytes() == b"someone's file"


@pytest.mark.parametrize("child", [("-c", "import sys; sys.exit(3)"),  # ends at once, reads nothing
                                   ("-c", "import sys; sys.stdin.buffer.read(100); sys.exit(9)"),  # midway
                                   ("-c", "import sys; sys.stdin.buffer.read(); print('no pickle')")])
def test_a_process_that_ends_without_an_answer_means_written_here(demo: DataBook, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 child: tuple[str, ...]) -> None:
    monkeypatch.setattr(_ExportAside, "child", child)
    faults: list[str] = []
    written = _ExportAside(demo, tmp_path / "collected.xlsx", True).result(faults)
    assert written == tmp_path / "collected.xlsx" and faults == []
    assert _plain(read_databook(written)) == _plain(demo)


def test_no_process_to_be_had_means_written_here(demo: DataBook, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    faults: list[str] = []
    assert _ExportAside(demo, tmp_path / "collected.xlsx", True).result(faults) == tmp_path / "collected.xlsx"
    assert faults == []


def test_the_process_imports_the_kam_xl_of_collect_not_one_in_the_current_folder(
        demo: DataBook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m`` puts the current folder first on the path: run from a folder that holds another ``kam_xl``
    (a source checkout, an old copy), the export's process would import that one."""
    other = tmp_path / "cwd" / "kam_xl"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("raise ImportError('the kam_xl of the current folder was imported')\n")
    monkeypatch.chdir(other.parent)
    aside = _ExportAside(demo, tmp_path / "collected.xlsx", True)
    faults: list[str] = []
    assert aside.result(faults) == tmp_path / "collected.xlsx" and faults == []
    assert aside._answer == ("written", tmp_path / "collected.xlsx")  # written by the process, not here after all
    assert _plain(read_databook(tmp_path / "collected.xlsx")) == _plain(demo)


@pytest.mark.parametrize(("child", "why"), [
    (("-c", "import sys; sys.stdin.buffer.read(100); raise KeyboardInterrupt"), "was ended by the signal SIGINT"),
    (("-c", "import sys; sys.stdin.buffer.read(100); raise MemoryError('out of memory')"),
     "ended with exit code 1 without a result (MemoryError: out of memory)"),
    (("-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"), "was ended by the signal SIGTERM")])
def test_a_process_that_dies_says_so_in_one_line_never_with_its_traceback(
        demo: DataBook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str],
        child: tuple[str, ...], why: str) -> None:
    monkeypatch.setattr(_ExportAside, "child", child)
    faults: list[str] = []
    assert _ExportAside(demo, tmp_path / "collected.xlsx", True).result(faults) == tmp_path / "collected.xlsx"
    assert faults == []
    printed = capfd.readouterr()
    assert "Traceback" not in printed.err + printed.out  # the process's stderr is not the user's
    assert f"The process writing the export {why} — the main process writes it itself now" in " ".join(
        printed.err.split())


def test_a_process_that_fails_otherwise_than_by_the_disk_means_written_here(
        demo: DataBook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """An answer ("raised", error) that is no fault of the file system (a bug, MemoryError) was raised again in
    collect's process, ending the run with a traceback, though that process can write the export itself."""
    monkeypatch.setattr(_ExportAside, "child", ("-c", "import pickle, sys; sys.stdin.buffer.read(); pickle.dump(("
                                                      "'raised', ValueError('a table it cannot write')), "
                                                      "sys.stdout.buffer)"))
    faults: list[str] = []
    written = _ExportAside(demo, tmp_path / "collected.xlsx", True).result(faults, "de")
    assert written == tmp_path / "collected.xlsx" and faults == []
    assert _plain(read_databook(written)) == _plain(demo)
    assert ("Der Prozess, der den Export schreibt, schlug fehl (ValueError: a table it cannot write) — der "
            "Hauptprozess schreibt ihn nun selbst") in " ".join(capfd.readouterr().err.split())


#: the real export process, ended (as if killed) when it is about to write its third table of a CSV folder
_DIES_MIDWAY = ("-c", "import os; from kam_xl.databook import export_child as c; tables = c.received_tables; "
                      "c.received_tables = lambda s: (t if i < 2 else os._exit(9) for i, t in enumerate(tables(s))); "
                      "c.main()")


def test_a_csv_folder_the_process_began_is_finished_here_not_refused(demo: DataBook, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """collect --export DIR: the process had made DIR and written two tables into it when it died; collect's own
    attempt then refused DIR as existing. Now the process writes into a temporary folder beside DIR, moved into
    place when every table is written: DIR is whole or absent, and what the process left is removed here."""
    monkeypatch.setattr(_ExportAside, "child", _DIES_MIDWAY)
    target = tmp_path / "export"
    faults: list[str] = []
    assert _ExportAside(demo, target, False).result(faults) == target and faults == []
    assert _plain(read_databook(target)) == _plain(demo)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]  # no temporary folder left beside it


def test_a_csv_folder_whose_writing_fails_is_not_left_half_written(demo: DataBook, tmp_path: Path) -> None:
    def tables() -> Iterator[NamedTable]:
        it = databook_tables(demo)
        yield next(it)
        raise OSError(28, "No space left on device")

    (tmp_path / "empty").mkdir()  # an empty folder named by the user: allowed, and left as it was
    for target in (tmp_path / "export", tmp_path / "empty"):
        with pytest.raises(OSError):
            write_tables(target, tables())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"] and list((tmp_path / "empty").iterdir()) == []
    assert write_tables(tmp_path / "empty", databook_tables(demo)) == tmp_path / "empty"  # and written into
    assert _plain(read_databook(tmp_path / "empty")) == _plain(demo)


def test_the_temporary_folder_of_a_killed_run_is_removed_by_the_next_run(tmp_path: Path) -> None:
    from kam_xl.files import remove_leftovers

    left = tmp_path / ".export.k2x9q_7a.tmp"  # as atomic_folder names it (mkdtemp)
    left.mkdir()
    (left / "accounts.csv").write_text("account_id\n")
    for name in (".export.tmp", "export.abcdefgh.tmp", ".export.abcdefgh.tmp.keep"):  # not ours: kept
        (tmp_path / name).mkdir()
    assert remove_leftovers(tmp_path) == [left]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".export.abcdefgh.tmp.keep", ".export.tmp",
                                                          "export.abcdefgh.tmp"]


#: the real export process, started only once the test lets it go on (a file ``go`` in its current folder), and
#: saying so first (a file ``started``)
_WAITS = ("-c", "import pathlib, time; pathlib.Path('started').touch()\n"
                "while not pathlib.Path('go').exists(): time.sleep(0.02)\n"
                "from kam_xl.databook import export_child; export_child.main()")


def test_the_export_is_let_go_of_before_the_process_writes_it(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The spool holds the export once the process starts: collect's process does not hold it beside the
    controller it writes meanwhile (≈ 45 MiB at 10,000 accounts that the controller step would come on top of)."""
    monkeypatch.setattr(_ExportAside, "child", _WAITS)
    monkeypatch.chdir(tmp_path)
    export = demo_databook()
    expected = _plain(export)
    held = weakref.ref(export)
    aside = _ExportAside(export, tmp_path / "collected.xlsx", True)
    del export
    deadline = time.monotonic() + 60
    while not (tmp_path / "started").exists():
        assert time.monotonic() < deadline, "the export's process was not started"
        time.sleep(0.02)
    gc.collect()
    assert held() is None  # nothing of collect's holds the export any more: the process reads it from the spool
    (tmp_path / "go").touch()
    faults: list[str] = []
    assert aside.result(faults) == tmp_path / "collected.xlsx" and faults == []
    assert aside._answer == ("written", tmp_path / "collected.xlsx")  # written by the process
    assert _plain(read_databook(tmp_path / "collected.xlsx")) == expected
