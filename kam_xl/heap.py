"""Freed memory given back to the system between the phases of a long run.

CPython hands blocks above 512 bytes (compact table columns, lists of rows, the rows a worker sends back) and
everything a Rust or C extension allocates (calamine reading a workbook) to the C library's ``malloc``. glibc
keeps what is freed for the next ``malloc`` of its own heap — and of its own *arena*: what a thread freed (the
old controller's inputs and the data book are read in threads while the plans are read) is reused only by that
thread. The process's resident set therefore stays at the high-water mark of every phase before; ``collect``'s
controller step, the peak of the command, would come on top of the reading's leftovers. :func:`give_back`
returns the freed pages of every arena at once (glibc's ``malloc_trim(0)``: ``madvise`` of whole free pages,
nothing moved, a few milliseconds for some hundred MiB); with any other C library it does nothing.

Large blocks are another leftover: glibc gives a block above its *mmap threshold* its own mapping, returned to the
system when freed — but each such free raises the threshold to that block's size (up to 32 MiB), and from then
on blocks of that size come from the heap, where a freed one between others in use stays resident. ``collect``
grows table columns (lists, arrays of hundreds of KiB reallocated as they grow) while it reads the plans; with
the threshold moving up, the growing columns' old copies were left as holes in the heap.
:func:`keep_large_blocks_apart` fixes the threshold at glibc's initial 128 KiB.
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


#: glibc's ``mallopt`` parameter of the mmap threshold, and its initial value
_M_MMAP_THRESHOLD, _MMAP_THRESHOLD = -3, 128 * 1024


@functools.cache
def _mallopt() -> Callable[[int, int], int] | None:
    """glibc's ``mallopt``, ``None`` where the process's C library has none."""
    if _malloc_trim() is None:  # not glibc (or not Linux)
        return None
    try:
        opt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None
    opt.argtypes, opt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return opt


def keep_large_blocks_apart() -> bool:
    """Give every block of 128 KiB and more its own mapping for the rest of the process (and processes forked
    from it), however large blocks freed before were: glibc's mmap threshold fixed at its initial value instead
    of following the largest block freed (see the module docstring). ``True`` when set (glibc), ``False``
    when there is nothing to set. Costs a mapping per large block (a system call), not memory."""
    opt = _mallopt()
    return opt is not None and opt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) == 1


def give_back() -> bool:
    """Return the C heap's free pages to the system (all arenas); ``True`` when the C library could be asked
    (glibc), ``False`` when there is nothing to ask. Nothing in use is touched: call it after a phase whose
    objects were let go, before one that allocates much."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
