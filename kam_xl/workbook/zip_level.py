"""The deflate level of the zip parts of kam_xl's workbooks.

xlsxwriter deflates a workbook's parts at zlib's default level 6 and offers no setting: it creates its
``zipfile.ZipFile`` itself (``Workbook._store_workbook``) and adds each part with a ``ZipInfo`` whose level is
unset. At level 3 a plan's ≈ 490 KiB of XML deflate in ≈ 3.2 ms instead of ≈ 5.8 ms, to ≈ 77 KiB instead of
≈ 69 KiB (+ 12 %) — at 10,000 plans ≈ 26 s of CPU for ≈ 80 MB of disk (``benchmarks/README.md``, "Issue 14,
session 8"). Reading is not slower: inflating costs the same at any level.

:func:`deflating_at` sets the level for what the current thread (context) writes; xlsxwriter's module gets
:class:`LevelledZipFile`, which adds parts at that level and at zlib's default outside :func:`deflating_at` —
so any other xlsxwriter workbook of the process is written exactly as before.
"""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import xlsxwriter.workbook

#: zlib level of every part of a workbook kam_xl writes (1 fastest … 9 smallest; zlib's default is 6)
DEFLATE_LEVEL = 3

_level: ContextVar[int | None] = ContextVar("kam_xl_deflate_level", default=None)


@contextlib.contextmanager
def deflating_at(level: int = DEFLATE_LEVEL) -> Iterator[None]:
    """Within the block, the parts of a workbook xlsxwriter writes in this thread are deflated at ``level``."""
    token = _level.set(level)
    try:
        yield
    finally:
        _level.reset(token)


class LevelledZipFile(zipfile.ZipFile):
    """``zipfile.ZipFile`` whose parts, unless given a level of their own, are deflated at the level of
    :func:`deflating_at` (zlib's default outside it)."""

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: int | None = None,
                 compresslevel: int | None = None) -> None:
        super().writestr(zinfo_or_arcname, data, compress_type, _given_or_set(compresslevel))

    def write(self, filename: Any, arcname: Any = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        super().write(filename, arcname, compress_type, _given_or_set(compresslevel))


def _given_or_set(compresslevel: int | None) -> int | None:
    """A part's own level, else the level of :func:`deflating_at` (``None``: zlib's default)."""
    return _level.get() if compresslevel is None else compresslevel


# the name xlsxwriter's _store_workbook creates its archive by (xlsxwriter.workbook imports ZipFile by name)
xlsxwriter.workbook.ZipFile = LevelledZipFile  # type: ignore[misc]
