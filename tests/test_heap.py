"""Freed memory is given back to the system between phases (``kam_xl.heap``): glibc keeps a freed heap resident
until asked."""

from __future__ import annotations

import os
import sys

import pytest

from kam_xl.heap import give_back, keep_large_blocks_apart


def _resident_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the resident set as Linux reports it")
def test_freed_blocks_below_one_kept_stay_resident_until_given_back() -> None:
    """60 MiB in blocks of 4 KiB (malloc's heap, not pymalloc's), every 64th kept — so the heap cannot shrink
    from its top: freeing the others leaves the resident set up; :func:`give_back` returns their pages."""
    blocks = [bytes(4096) for _ in range(15_000)]
    kept = blocks[::64]
    before = _resident_mib()
    del blocks
    freed = _resident_mib()
    assert give_back() is True  # this is glibc
    after = _resident_mib()
    assert before - freed < 10, (before, freed)  # freed, but resident
    assert freed - after > 40, (freed, after)  # given back
    assert len(kept) == 235


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the resident set as Linux reports it")
def test_large_blocks_freed_between_others_leave_no_resident_holes() -> None:
    """A 4 MiB block freed would raise glibc's mmap threshold to 4 MiB, and blocks of 256 KiB would then come
    from the heap, where every other one freed stays resident; with the threshold kept at 128 KiB each has its
    own mapping and is returned as it is freed."""
    assert keep_large_blocks_apart() is True
    big = bytes(4 << 20)
    del big
    blocks = [b"\x01" * (256 << 10) for _ in range(200)]  # 50 MiB, every page written
    kept = blocks[::2]
    before = _resident_mib()
    del blocks
    after = _resident_mib()
    # 25 MiB freed; most of it returned (a block may still be cut from a free chunk the heap had; without the
    # fixed threshold nothing is returned: 0.0 MiB in a fresh process)
    assert before - after > 10, (before, after)
    assert len(kept) == 100
