"""kam_xl's workbooks are deflated at :data:`~kam_xl.workbook.zip_level.DEFLATE_LEVEL`, any other xlsxwriter
workbook of the process at zlib's default, also while a kam_xl workbook is being written in another thread (the
controller is written in a thread beside the plans)."""

from __future__ import annotations

import io
import threading
import zipfile
import zlib

import xlsxwriter

from kam_xl.workbook import render
from kam_xl.workbook.templates import template_books
from kam_xl.workbook.zip_level import DEFLATE_LEVEL, deflating_at


def _deflated_at(data: bytes, level: int) -> int:
    """The size of ``data`` deflated (raw, as in a zip) at ``level``."""
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return len(c.compress(data) + c.flush())


def _levels(archive: bytes) -> set[int]:
    """The levels (of 1 … 9) at which every deflated part of ``archive`` has the size it has in it."""
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        parts = [(i.compress_size, z.read(i.filename)) for i in z.infolist() if i.compress_type == zipfile.ZIP_DEFLATED]
    assert parts
    return {level for level in range(1, 10) if all(size == _deflated_at(data, level) for size, data in parts)}


def _plain_xlsxwriter_book() -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Daten")
    for row in range(300):
        ws.write_row(row, 0, [f"Kunde {row}", row * 1.5, "Umsatz", row % 7])
    wb.close()
    return buf.getvalue()


def test_a_plan_is_deflated_at_kam_xls_level_and_a_plain_xlsxwriter_book_at_zlibs_default(tmp_path):
    book = template_books()["account_plan_de.xlsx"]
    path = render.write_book(book, tmp_path / "plan.xlsx")
    plan = path.read_bytes()
    assert DEFLATE_LEVEL in _levels(plan) and 6 not in _levels(plan)
    assert 6 in _levels(_plain_xlsxwriter_book()) and DEFLATE_LEVEL not in _levels(_plain_xlsxwriter_book())
    with zipfile.ZipFile(path) as z:  # the same parts as before, only packed differently
        assert z.testzip() is None and "xl/worksheets/sheet1.xml" in z.namelist()


def test_the_level_is_the_writing_threads_own():
    seen: list[set[int]] = []
    started, written = threading.Event(), threading.Event()

    def other() -> None:
        started.wait()
        seen.append(_levels(_plain_xlsxwriter_book()))  # written while the main thread is within deflating_at
        written.set()

    thread = threading.Thread(target=other)
    thread.start()
    with deflating_at(1):
        started.set()
        assert written.wait(30)
        ours = _levels(_plain_xlsxwriter_book())
    thread.join()
    assert seen == [_levels(_plain_xlsxwriter_book())] and 6 in seen[0]
    assert 1 in ours and 6 not in ours


def test_a_workbook_written_through_temporary_files_is_deflated_at_the_level_too(tmp_path):
    # xlsxwriter's other way of adding parts (ZipFile.write of temporary files: the controller of many accounts)
    target = tmp_path / "b.xlsx"
    with deflating_at(DEFLATE_LEVEL):
        wb = xlsxwriter.Workbook(str(target), {"in_memory": False})
        wb.add_worksheet().write_column(0, 0, [f"Zeile {n}" for n in range(500)])
        wb.close()
    assert DEFLATE_LEVEL in _levels(target.read_bytes()) and 6 not in _levels(target.read_bytes())
