"""Freed memory is given back to the system between phases (``kam_xl.heap``): glibc keeps a freed heap resident
until asked."""

from __future__ import annotations

import os
import sys

import pytest

from kam_xl.heap import give_back


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
