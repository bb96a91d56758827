"""Freed memory given back to the system between the phases of a long run.

CPython hands blocks above 512 bytes (compact table columns, lists of rows, the rows a worker sends back) and
everything a Rust or C extension allocates (calamine reading a workbook) to the C library's ``malloc``. glibc
keeps what is freed for the next ``malloc`` of its own heap — and of its own *arena*: what a thread freed (the
old controller's inputs and the data book are read in threads while the plans are read) is reused only by that
thread. The process's resident set therefore stays at the high-water mark of every phase before; ``collect``'s
controller step, the peak of the command, would come on top of the reading's leftovers. :func:`give_back`
returns the freed pages of every arena at once (glibc's ``malloc_trim(0)``: ``madvise`` of whole free pages,
nothing moved, a few milliseconds for some hundred MiB); with any other C library it does nothing.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, ``None`` where the process's C library has none (musl, macOS, Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def give_back() -> bool:
    """Return the C heap's free pages to the system (all arenas); ``True`` when the C library could be asked
    (glibc), ``False`` when there is nothing to ask. Nothing in use is touched: call it after a phase whose
    objects were let go, before one that allocates much."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
