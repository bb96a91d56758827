"""An output folder given as an fsspec URL (``kam-xl generate --out s3://bucket/plans``, ``memory://plans``,
``file:///shared/plans``; the filesystem's package installed, e.g. ``s3fs``).

A local path keeps the code of :mod:`kam_xl.batch` as it is; a URL is served by staging around that same code,
so every rule (regeneration keeping a KAM's inputs, duplicates, other formats, conflicts) is the local one:

- The parent lists the URL folder (and its ``Fragebogen``) and copies its spreadsheets into a local scratch
  folder (a format kam_xl does not read is known by its name: an empty stand-in), so
  :func:`kam_xl.batch.plan_work` decides on them exactly as on a local folder (:func:`plan_work_url`).
- Each work item (:func:`generate_staged`, run in the parent, a process pool or on a Dask worker) copies its
  old object, if any, into a scratch folder, regenerates it there with the local functions and puts the result
  back: first the backup — a copy of the old object under ``_backup/<stem>.<timestamp>.xlsx`` (``-2`` … when
  taken) —, then the plan as one object (an object store replaces an object whole on close; on a ``file://``
  URL it is written to a temporary name and renamed). If the backup cannot be written the old object stays as
  it is; if the plan cannot, the backup is removed again and the old object stays.
- The parent writes the controller and ``conflicts.csv`` the same way (:func:`write_in`).

fsspec is imported only when a URL is used (extra ``cluster``). ``memory://`` lives in one process: use it
with ``--jobs 1`` and no ``--scheduler``.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from kam_xl.files import _LEFTOVER, OTHER_KINDS, NotWrittenError, fs_reason, os_error_of

BACKUP_DIR = "_backup"  # the same as kam_xl.batch.BACKUP_DIR (batch imports this module lazily)


def is_url(out: str | Path) -> bool:
    """Whether ``out`` is an fsspec URL rather than a local path (a Windows drive ``C:\\…`` is a path).

    >>> is_url("s3://bucket/plans"), is_url("memory://p"), is_url("plans"), is_url(r"C:\\plans"), is_url(Path("x"))
    (True, True, False, False, False)
    """
    return isinstance(out, str) and len(urlsplit(out).scheme) > 1 and "://" in out


class StorageError(Exception):
    """The URL cannot be used (fsspec or the filesystem's package missing, unknown protocol); nothing written."""


class UrlFolder:
    """A folder behind an fsspec URL; paths are relative to it, with ``/``. Methods raise :class:`OSError`
    (fsspec's filesystems raise ``FileNotFoundError``, ``PermissionError`` …)."""

    def __init__(self, url: str) -> None:
        try:
            import fsspec
        except ImportError as e:
            raise StorageError(f"{url}: an fsspec URL needs fsspec — pip install 'kam-xl[cluster]' ({e})") from None
        try:
            self.fs, root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as e:
            raise StorageError(f"{url}: this URL cannot be opened ({type(e).__name__}: {e}) — allowed: an fsspec "
                               "URL whose filesystem is installed, e.g. s3://bucket/plans with s3fs") from None
        self.root = root.rstrip("/")
        self.url = self.fs.unstrip_protocol(self.root)  # absolute (file://) and the same for every worker
        protocol = self.fs.protocol
        self.protocols: tuple[str, ...] = protocol if isinstance(protocol, tuple) else (protocol,)
        self.local = "file" in self.protocols

    def _path(self, rel: str | PurePosixPath) -> str:
        rel = str(rel).strip("/")
        return f"{self.root}/{rel}" if rel and rel != "." else self.root

    def where(self, rel: str | PurePosixPath) -> str:
        """The URL of ``rel`` (for messages)."""
        return self.fs.unstrip_protocol(self._path(rel))

    def exists(self, rel: str | PurePosixPath) -> bool:
        return bool(self.fs.isfile(self._path(rel)))

    def names(self, rel: str | PurePosixPath = "") -> list[str]:
        """The names of the objects (not sub-folders) in folder ``rel``, sorted; none when it does not exist."""
        try:
            entries = self.fs.ls(self._path(rel), detail=True)
        except FileNotFoundError:
            return []
        return sorted(PurePosixPath(e["name"]).name for e in entries if e.get("type") != "directory")

    def read_bytes(self, rel: str | PurePosixPath) -> bytes:
        return bytes(self.fs.cat_file(self._path(rel)))

    def write_bytes(self, rel: str | PurePosixPath, data: bytes) -> None:
        """Write ``rel`` whole: as one object, or on a ``file://`` URL to a temporary name then renamed."""
        path = self._path(rel)
        parent = path.rsplit("/", 1)[0]
        self.fs.makedirs(parent, exist_ok=True)
        if not self.local:
            with self.fs.open(path, "wb") as f:  # an object store replaces the object whole on close
                f.write(data)
            return
        tmp = f"{parent}/.{path.rsplit('/', 1)[1]}.{secrets.token_hex(4)}.tmp"
        try:
            with self.fs.open(tmp, "wb") as f:
                f.write(data)
            self.fs.mv(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                if self.fs.exists(tmp):
                    self.fs.rm_file(tmp)

    def remove(self, rel: str | PurePosixPath) -> None:
        self.fs.rm_file(self._path(rel))

    def unique_backup(self, rel: str | PurePosixPath, local_name: str) -> PurePosixPath:
        """Where a backup named ``local_name`` (``<stem>.<timestamp><suffix>``) of ``rel`` goes in its folder's
        ``_backup``: ``-2``, ``-3`` … added when that name is taken, so no backup is ever overwritten."""
        folder = PurePosixPath(rel).parent / BACKUP_DIR
        stem, suffix = PurePosixPath(local_name).stem, PurePosixPath(local_name).suffix
        target, n = folder / local_name, 1
        while self.exists(target):
            n += 1
            target = folder / f"{stem}-{n}{suffix}"
        return target

    def remove_leftovers(self, *folders: str) -> None:
        """Remove the temporary objects an interrupted ``file://`` write left (``.<name>.<8 characters>.tmp``)."""
        for folder in folders:
            for name in self.names(folder):
                if _LEFTOVER.match(name):
                    with contextlib.suppress(OSError):
                        self.remove(PurePosixPath(folder) / name)


# ------------------------------------------------------------------------------------ the parent's scan

#: formats known by their name alone (kam_xl neither reads nor looks into them): not downloaded to be scanned
_BY_NAME_ONLY = frozenset(s for s, kind in OTHER_KINDS.items() if "OpenDocument" not in kind or s == ".fods")


def mirror(store: UrlFolder, folders: list[str], local: Path) -> None:
    """Copy the spreadsheets of ``folders`` (not their sub-folders) into ``local`` at the same relative places,
    for :func:`kam_xl.batch.scan_folder`; a format known by name only becomes an empty stand-in."""
    for folder in folders:
        for name in store.names(folder):
            if name.startswith(("~$", ".")):
                continue
            target = local / folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            by_name = PurePosixPath(name).suffix.lower() in _BY_NAME_ONLY
            target.write_bytes(b"" if by_name else store.read_bytes(PurePosixPath(folder) / name))


def plan_work_url(db: Any, url: str, questionnaires: bool, other_processes: bool = False,
                  skip_unchanged: bool = False) -> list[Any]:
    """:func:`kam_xl.batch.plan_work` for the folder at ``url``: the work items run :func:`generate_staged`
    (their folder and target relative to the URL), the refusals name the files relative to it. Raises
    :class:`StorageError` when the work is to run in ``other_processes`` but the filesystem lives in this one
    (``memory://``): their plans would be lost."""
    from kam_xl.batch import QUESTIONNAIRE_DIR, PlanResult, plan_work

    store = UrlFolder(url)
    if other_processes and "memory" in store.protocols:
        raise StorageError(f"{url}: memory:// lives in this process only — allowed with --jobs 1 and no "
                           "--scheduler; nothing was generated")
    store.remove_leftovers("", BACKUP_DIR, QUESTIONNAIRE_DIR, f"{QUESTIONNAIRE_DIR}/{BACKUP_DIR}")
    with tempfile.TemporaryDirectory(prefix="kam_xl_scan_") as tmp:
        local = Path(tmp)
        mirror(store, ["", QUESTIONNAIRE_DIR], local)
        items = plan_work(db, local, questionnaires, skip_unchanged)

    def rel(path: Path) -> PurePosixPath:
        return PurePosixPath(path.relative_to(local).as_posix())

    return [PlanResult(i.account_id, Path(str(rel(i.path))), i.status, problems=i.problems)
            if isinstance(i, PlanResult) else
            (functools.partial(generate_staged, i[0], store.url), i[1], rel(i[2]), rel(i[3])) for i in items]


# ------------------------------------------------------------------------------------------ one work item

def generate_staged(fn: Callable[..., Any], url: str, data_path: str | None, key: str, folder: PurePosixPath,
                    lang: str, now: datetime, target: PurePosixPath) -> Any:
    """``fn`` (:func:`~kam_xl.batch.generate_plan` / ``generate_questionnaire``) for the object ``target`` of
    the folder at ``url``: regenerated in a scratch folder, then backup and plan put back (see the module doc).
    Returns its :class:`~kam_xl.batch.PlanResult` with paths relative to the URL."""
    from kam_xl.batch import PlanResult

    store = UrlFolder(url)
    with tempfile.TemporaryDirectory(prefix="kam_xl_plan_") as tmp:
        local = Path(tmp) / target
        local.parent.mkdir(parents=True, exist_ok=True)
        old = store.read_bytes(target) if store.exists(target) else None
        if old is not None:
            local.write_bytes(old)
        r = fn(data_path, key, local.parent, lang, now, target=local)
        result = PlanResult(key, Path(str(target)), r.status, r.conflicts, r.problems)
        if r.status in ("error", "unchanged"):
            return result
        backup = None
        if old is not None and r.backup is not None:
            backup = store.unique_backup(target, r.backup.name)
            try:
                store.write_bytes(backup, old)
            except Exception as e:
                return _refused(result, f"not regenerated — its backup could not be written to "
                                        f"{BACKUP_DIR}/: {_reason(e)}; the file was left as it is")
        try:
            store.write_bytes(target, local.read_bytes())
        except Exception as e:
            if backup is not None:
                with contextlib.suppress(Exception):
                    store.remove(backup)
            return _refused(result, f"not written — {_reason(e)}" +
                            ("; the old file was left as it is" if old is not None else ""))
        result.backup = Path(str(backup)) if backup is not None else None
        return result


def _reason(e: BaseException) -> str:
    ose = os_error_of(e)
    return fs_reason(ose) if ose is not None else f"{type(e).__name__}: {e}"


def _refused(result: Any, text: str) -> Any:
    result.status, result.conflicts = "error", []
    result.problems = [*result.problems, f"{result.path.name}: {text}"]
    return result


# ------------------------------------------------------------------------- the parent's own files

@contextlib.contextmanager
def _staged(store: UrlFolder, names: list[str]) -> Iterator[tuple[Path, dict[str, bytes]]]:
    with tempfile.TemporaryDirectory(prefix="kam_xl_out_") as tmp:
        local, old = Path(tmp), {}
        for name in names:
            if store.exists(name):
                old[name] = store.read_bytes(name)
                (local / name).write_bytes(old[name])
        yield local, old


def write_in(url: str, names: list[str], write: Callable[[Path], Path | None]) -> str | None:
    """Run ``write(folder)`` (e.g. :func:`~kam_xl.batch.write_controller` into ``folder/Controller.xlsm``) on a
    scratch copy of the objects ``names`` of the folder at ``url`` and put the outcome back: the backups it made
    first (each a copy of the old object), then the files it wrote; a file it removed is removed. Returns the
    URL of the file ``write`` returned, or ``None``. Raises what ``write`` raises, and
    :class:`~kam_xl.files.NotWrittenError` when an object cannot be written (the old one then stays)."""
    store = UrlFolder(url)
    with _staged(store, names) as (local, old):
        written = write(local)
        done: list[PurePosixPath] = []
        for name in names:
            backups = sorted((local / BACKUP_DIR).glob(f"{Path(name).stem}.*")) if name in old else []
            try:
                for b in backups:
                    at = store.unique_backup(name, b.name)
                    store.write_bytes(at, old[name])
                    done.append(at)
                if (local / name).is_file():
                    if (local / name).read_bytes() != old.get(name):
                        store.write_bytes(name, (local / name).read_bytes())
                elif name in old:
                    store.remove(name)
            except Exception as e:
                for at in done:
                    with contextlib.suppress(Exception):
                        store.remove(at)
                raise NotWrittenError(Path(name), f"{_reason(e)}; the old file was left as it is") from None
    return store.where(written.relative_to(local).as_posix()) if written is not None else None
