"""The ``kam-xl`` command (and ``python -m kam_xl``): :mod:`kam_xl.cli`, imported only when the command runs.

This module is the command's entry point, and kept this small, because of the worker processes of
``generate --jobs N`` and ``collect --jobs N``: multiprocessing's "spawn" starts each by importing the command's
main module again (as ``__mp_main__``, without running it) before it takes its first job. With
``kam_xl.cli`` as the entry point every worker imported the whole command line — typer, rich, the report, SQL,
the add-in's settings — that it never uses: ≈ 5 MiB of each worker's memory (``tests/test_worker_imports.py``).
``python -m kam_xl.cli`` still works; its workers import the command line again.
"""

from __future__ import annotations


def main() -> None:
    """Run the command line (:data:`kam_xl.cli.app`) with the process's arguments; exits with its code."""
    from kam_xl.cli import app  # here, not above: see the module's docstring

    app()


if __name__ == "__main__":
    main()
