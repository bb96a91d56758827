"""Generation on an existing Dask cluster (``kam-xl generate --scheduler tcp://HOST:8786``; extra ``cluster``).

The work items are those of :func:`kam_xl.batch.plan_work`, decided by the parent before anything runs, the
same as for ``--jobs``; each runs on a worker as :func:`kam_xl.batch._run` — the very function the process pool
runs, with its per-file guarding (a file that cannot be written is that file's ``"error"`` result). A worker
that dies (out of memory, killed) lists its file as not written, as a dead pool process does. Results come
back in data-book order, so progress, summary, exit codes and ``conflicts.csv`` are those of ``--jobs``; the
parent writes the controller.

Workers need kam_xl installed, the data book (a path they see at the same place, or a database URL they can
reach) and the output folder at the same path (a shared file system: paths are made absolute before they
are sent) or at the same fsspec URL (``s3://…``, :mod:`kam_xl.storage`: each worker puts its plan back as
one object). This module is imported only when ``--scheduler`` is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from kam_xl import sql
from kam_xl.batch import Lang, PlanResult, _failed, _run, _Work

#: seconds to wait for the scheduler before giving up (nothing is sent before it answers)
CONNECT_TIMEOUT = 10.0


class ClusterError(Exception):
    """The Dask scheduler cannot be reached or used; nothing was generated."""


def shared_data_path(data_path: str | None) -> str | None:
    """The data book as every worker must name it: an absolute path, or a database URL (a SQLite file's made
    absolute; credentials kept, since the workers connect themselves — never printed)."""
    if data_path is None:
        return None
    if sql.is_database(data_path):
        db = sql.database(data_path)
        return sql.with_schema(db.url.render_as_string(hide_password=False), db.schema)
    return str(Path(data_path).resolve())


def _absolute(item: _Work) -> _Work:
    """Local paths made absolute; an fsspec URL's items (relative ``PurePosixPath``s) as they are."""
    fn, key, folder, target = item
    if not isinstance(folder, Path):
        return item
    return fn, key, folder.resolve(), target.resolve()


def run_on_cluster(scheduler: str, items: Iterable[_Work | PlanResult], data_path: str | None, lang: Lang,
                   now: datetime, timeout: float | None = None) -> Iterator[PlanResult]:
    """Run the work ``items`` on the cluster at ``scheduler``; yield one result per item in order (an item that
    is already a result — refused before any work — is yielded as it is). Raises :class:`ClusterError` when
    the scheduler cannot be reached within ``timeout`` seconds (default :data:`CONNECT_TIMEOUT`), before any
    work is sent."""
    try:
        from distributed import Client
    except ImportError as e:
        raise ClusterError(f"--scheduler needs Dask's distributed — pip install 'kam-xl[cluster]' ({e})") from None
    shared = shared_data_path(data_path)
    try:
        client = Client(scheduler, timeout=timeout or CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise ClusterError(f"{scheduler}: no Dask scheduler reachable ({type(e).__name__}: {e}) — allowed: the "
                           "address of a running scheduler, e.g. tcp://host:8786; nothing was generated") from None
    with client:
        pending: list[PlanResult | tuple[_Work, Any]] = []
        for item in items:
            if isinstance(item, PlanResult):
                pending.append(item)
                continue
            work = _absolute(item)
            pending.append((work, client.submit(_run, work[0], shared, *work[1:], lang, now, pure=False)))
        for p in pending:
            if isinstance(p, PlanResult):
                yield p
                continue
            (_fn, key, _folder, target), future = p
            try:
                yield future.result()
            except Exception as e:  # the worker died (KilledWorker, lost connection): that file is listed
                yield _failed(key, target, e)
