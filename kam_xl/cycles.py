"""Python's cyclic garbage collector paused while a reader allocates many short-lived containers.

Reading a data book or a folder of plans allocates thousands of lists and tuples (a chunk's rows, its cells by
column), so the collector would run again and again, each full run walking every object the process has
(imports, schemas, what was read so far): 25 % of :func:`kam_xl.databook.read_databook`'s time at 1,000
accounts. Reading makes no reference cycles — everything is freed by reference counting as usual — and a cycle
made meanwhile is collected once the collector runs again.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The cyclic collector paused for the ``with`` block, and left as it was afterwards (also on an error)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
