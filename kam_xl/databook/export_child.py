"""A data book written in a process of its own, its tables sent one by one — ``collect``'s export written while
``collect`` writes the controller (:class:`kam_xl.cli._ExportAside`).

Run as ``python -m kam_xl.databook.export_child``. It reads pickles from stdin: ``(path, replace)``, then one
:data:`~kam_xl.databook.writer.NamedTable` per table in the order written, then ``None``; it writes them as
:func:`~kam_xl.databook.writer.write_databook` writes a data book (the same checks, the same file) and answers
on stdout with one pickle: ``("written", path)``, ``("refused", text)`` for a
:class:`~kam_xl.errors.KamInputError` (the path exists), or ``("raised", exception)`` for anything else (a
file-system fault …). It holds one table at a time, not the data book, and imports only the writer."""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterator
from typing import IO, Any

from kam_xl.databook.writer import NamedTable, refuse_existing, write_tables
from kam_xl.errors import KamInputError


def received_tables(stream: IO[bytes]) -> Iterator[NamedTable]:
    """The tables pickled into ``stream`` one after the other, up to the ``None`` after the last."""
    while (table := pickle.load(stream)) is not None:
        yield table


def answer_of(stream: IO[bytes]) -> tuple[str, Any]:
    """Read the path and the tables from ``stream`` and write them; what happened, as the answer to send."""
    path, replace = pickle.load(stream)
    try:
        refuse_existing(path, replace)
        return "written", write_tables(path, received_tables(stream))
    except KamInputError as e:
        return "refused", str(e)
    except Exception as e:  # sent back and raised there, or listed as a file-system fault
        return "raised", e


def main() -> None:
    """The process: stdin in, one answer on stdout."""
    answer = answer_of(sys.stdin.buffer)
    pickle.dump(answer, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
