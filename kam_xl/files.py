"""Safe file output and the kinds of files in a plan folder.

Every file kam_xl writes is written to a temporary file beside its target and then moved into place, so a
crash leaves either the old file or the new one, never a broken one; a folder of files (a data book's CSV
files) is written into a temporary folder beside it and moved into place the same way (:func:`atomic_folder`).
The temporary files and folders a killed run leaves behind (``.<name>.<8 characters>.tmp``) are removed by the
next run (:func:`remove_leftovers`). A write that fails for a reason of the file system (disk full, permission
denied, read-only file system …) is described in words by :func:`fs_reason`, so a run can list it and go on
with the other files.

The kinds of files a KAM may leave in a plan folder are told apart by :func:`spreadsheet_kind`: the Excel
workbooks kam_xl reads (``.xlsx``, ``.xlsm``, any case) and the other spreadsheets it does not read (``.ods``,
``.xls``, ``.xlsb``, ``.numbers``, ``.csv`` …), which are listed with the advice to save them as Excel Workbook.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from kam_xl.vocabulary import Lang

#: The files :func:`atomic_path` makes: ``.<target name>.<8 random characters>.tmp`` (``tempfile.mkstemp``).
_LEFTOVER = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces ``target`` atomically, on an
    exception it is removed and ``target`` is left untouched. Raises :class:`OSError` when the folder cannot
    be written (the target is then untouched too)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        # mkstemp creates the file private (0600); give it the mode a plain open() would, or the old file's
        os.chmod(tmp_path, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
        os.replace(tmp_path, target)
    except BaseException as e:
        _close_abandoned_archives(e)
        raise
    finally:
        with contextlib.suppress(OSError):  # never hide the error that brought us here
            tmp_path.unlink(missing_ok=True)


def _close_abandoned_archives(exc: BaseException) -> None:
    """Close the zip archives a failed writer left open in the frames of ``exc`` (xlsxwriter does not close its
    ``ZipFile`` when writing fails, e.g. on a full disk). Left open, the archive would try to finish itself when
    it is garbage-collected — failing again and printing "Exception ignored … Traceback" to the user — and it
    would hold the temporary file open (Windows could not remove it)."""
    for e in _chain(exc):
        tb = e.__traceback__
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                if isinstance(value, zipfile.ZipFile) and value.fp is not None:
                    fp, value.fp = value.fp, None  # the archive then counts as closed
                    with contextlib.suppress(Exception):
                        fp.close()
            tb = tb.tb_next


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from or during, each once."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [e.__cause__, e.__context__, *(a for a in e.args if isinstance(a, BaseException))]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(target: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` and move the result to ``target`` atomically; returns ``target``."""
    with atomic_path(target) as tmp:
        write(tmp)
    return Path(target)


def copy_atomic(source: Path, target: Path) -> Path:
    """Copy ``source`` (contents and times) to ``target`` through a temporary file, so ``target`` is either
    absent or complete — never a truncated copy; returns ``target``. Raises :class:`OSError`."""
    return write_atomic(target, lambda tmp: shutil.copy2(source, tmp))


@contextlib.contextmanager
def atomic_folder(target: str | Path) -> Iterator[Path]:
    """Yield a new, empty temporary folder beside ``target`` (``.<name>.<8 characters>.tmp``) to write files
    into; on success it becomes ``target`` (which must be absent or an empty folder), on an exception it is
    removed with what was written into it and ``target`` is left untouched — a folder of files is there whole
    or not at all (a data book's CSV folder). A run killed midway leaves only the temporary folder, which
    :func:`remove_leftovers` removes. Raises :class:`OSError` (``target`` a file or a folder with files: the
    caller refuses those first)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes the folder private (0700): the mode mkdir would give
        if target.is_dir():
            target.rmdir()  # the empty folder the user named (rmdir refuses one with files in it)
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def remove_leftovers(*folders: Path) -> list[Path]:
    """Remove the temporary files and folders an interrupted run left in ``folders`` (``.<name>.<8
    characters>.tmp`` as :func:`atomic_path` and :func:`atomic_folder` name them; nothing else is touched) and
    return them. Missing folders are passed over; a file that cannot be removed stays for a later run."""
    removed = []
    for folder in folders:
        try:
            names = [p for p in folder.iterdir() if _LEFTOVER.match(p.name)]
        except OSError:
            continue
        removed += _removed(names)
    return removed


def remove_leftovers_of(target: Path) -> list[Path]:
    """Remove what a write of ``target`` interrupted midway left beside it (``.<target's name>.<8
    characters>.tmp``, a file or a folder) — e.g. after the process writing it was killed — and return it."""
    try:
        own = re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.tmp")
        names = [p for p in target.parent.iterdir() if own.fullmatch(p.name)]
    except OSError:
        return []
    return _removed(names)


def _removed(paths: list[Path]) -> list[Path]:
    """``paths`` removed (a folder with what is in it), those that could be."""
    removed = []
    for path in paths:
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


# ------------------------------------------------------------------------------------ file-system faults

#: A file-system fault in words, English and German, by its ``errno`` (codes a platform lacks are left out). The
#: words say what the system's text says (and what to do): :func:`fs_reason` gives them instead of it, not beside.
_REASONS: dict[int, tuple[str, str]] = {getattr(errno, code): words for code, *words in (
    ("ENOSPC", "disk full", "Datenträger voll"),
    ("EDQUOT", "disk quota exceeded", "Speicherkontingent überschritten"),
    ("EROFS", "read-only file system", "schreibgeschütztes Dateisystem"),
    ("EACCES", "permission denied (write-protected, or open in another program such as Excel)",
     "Zugriff verweigert (schreibgeschützt oder in einem anderen Programm wie Excel geöffnet)"),
    ("EPERM", "operation not permitted (the file or folder is write-protected or immutable)",
     "Vorgang nicht erlaubt (Datei oder Ordner schreibgeschützt oder unveränderlich)"),
    ("EBUSY", "the file is in use", "die Datei wird gerade verwendet"),
    ("ETXTBSY", "the file is in use", "die Datei wird gerade verwendet"),
    ("ENAMETOOLONG", "the file name is too long", "der Dateiname ist zu lang"),
    ("EIO", "input/output error of the disk", "Ein-/Ausgabefehler des Datenträgers"),
    ("ENOENT", "the folder does not exist", "der Ordner existiert nicht"),
    ("ENOTDIR", "a file stands where a folder is needed", "eine Datei steht, wo ein Ordner nötig ist"),
    ("EISDIR", "a folder stands where the file is to be written",
     "ein Ordner steht, wo die Datei geschrieben werden soll"),
) if hasattr(errno, code)}
_WINERROR_SHARING = (32, 33)  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION: open in Excel on Windows
_SHARING = ("open in another program (close it, e.g. in Excel, and run again)",
            "in einem anderen Programm geöffnet (dort schließen, z. B. in Excel, und erneut ausführen)")


def os_error_of(exc: BaseException) -> OSError | None:
    """The :class:`OSError` behind ``exc``: itself, or one it wraps (xlsxwriter raises ``FileCreateError(e)``
    for an ``OSError`` e while writing), or ``None`` when ``exc`` is not a file-system fault."""
    return next((e for e in _chain(exc) if isinstance(e, OSError)), None)


def fs_reason(e: OSError, lang: Lang = "en") -> str:
    """A file-system fault in words, said once: kam_xl's words for a fault it knows (in ``lang``: the problem
    lists are English, a German status line asks for ``"de"``), else the system's own text — never both, and
    never the path (the message names the file):

    >>> fs_reason(OSError(28, "No space left on device", "/plans/KA-001.xlsx"))
    'disk full'
    >>> fs_reason(PermissionError(1, "Operation not permitted"), "de")
    'Vorgang nicht erlaubt (Datei oder Ordner schreibgeschützt oder unveränderlich)'
    >>> fs_reason(OSError(errno.ENOEXEC, "Exec format error", "/x")), fs_reason(OSError("raw"))
    ('Exec format error', 'raw')
    """
    de = lang == "de"
    if getattr(e, "winerror", None) in _WINERROR_SHARING:
        return _SHARING[de]
    words = _REASONS.get(e.errno if e.errno is not None else -1)
    return words[de] if words else (e.strerror or str(e))


class NotWrittenError(Exception):
    """A file kam_xl could not write (or back up); the message names the file and the reason, e.g.
    ``"Controller.xlsm: not written — disk full; the old file was left as it is"``.
    ``path`` is the file, ``reason`` the words after the dash."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path.name}: not written — {reason}")
        self.path, self.reason = path, reason


# --------------------------------------------------------------------------------- kinds of spreadsheets

#: Workbooks kam_xl reads: Excel Workbook and Excel Macro-Enabled Workbook (compared without case).
READ_SUFFIXES = (".xlsx", ".xlsm")
#: Spreadsheet formats kam_xl does not read, by suffix (compared without case).
OTHER_KINDS = {
    ".ods": "an OpenDocument spreadsheet (.ods)", ".ots": "an OpenDocument spreadsheet template (.ots)",
    ".fods": "a flat OpenDocument spreadsheet (.fods)", ".sxc": "an OpenOffice.org 1 spreadsheet (.sxc)",
    ".xls": "an Excel 97–2003 workbook (.xls)", ".xlt": "an Excel 97–2003 template (.xlt)",
    ".xlsb": "an Excel binary workbook (.xlsb)", ".xltx": "an Excel template (.xltx)",
    ".xltm": "an Excel macro-enabled template (.xltm)", ".xlw": "an Excel 4 workbook (.xlw)",
    ".numbers": "an Apple Numbers spreadsheet (.numbers)", ".csv": "a CSV text file (.csv)",
    ".tsv": "a tab-separated text file (.tsv)", ".et": "a WPS spreadsheet (.et)",
    ".gnumeric": "a Gnumeric spreadsheet (.gnumeric)", ".gsheet": "a Google Sheets link (.gsheet)",
    ".wk1": "a Lotus 1-2-3 spreadsheet (.wk1)", ".wks": "a Works/Lotus spreadsheet (.wks)",
    ".slk": "a SYLK spreadsheet (.slk)", ".dif": "a DIF spreadsheet (.dif)",
}
SAVE_AS_XLSX = "save it as Excel Workbook (.xlsx)"


def lock_files(path: Path) -> list[Path]:
    """The lock files beside ``path`` that an office program keeps while it has the file open: LibreOffice's
    ``.~lock.<name>#`` and Excel's owner file ``~$<name>`` — for a long name ``~$`` in place of its first two
    characters, so both are looked for."""
    name = path.name
    names = [f".~lock.{name}#", f"~${name}", *([f"~${name[2:]}"] if len(name) > 2 else [])]
    return [lock for n in dict.fromkeys(names) if (lock := path.with_name(n)).is_file()]


def held_open(path: Path) -> str | None:
    """Why ``path`` must not be replaced now, or ``None``: a lock file beside it says LibreOffice or Excel has it
    open (the user it names, where it names one) — whoever has it open would save their copy over the new one, or
    go on typing into an old one. A lock file left by a program that crashed looks the same: the reason says to
    delete it then."""
    lock = next(iter(lock_files(path)), None)
    if lock is None:
        return None
    who = _lock_owner(lock)
    program = "LibreOffice" if lock.name.startswith(".~lock.") else "Excel"
    return (f"open in {program}{f' by {who}' if who else ''} (lock file {lock.name}): close it there and run "
            f"again; if it is open nowhere, delete {lock.name}")


def _lock_owner(lock: Path) -> str:
    """The user a lock file names (LibreOffice: ``name,login,host,date,profile;``; Excel: the name's length in
    the first byte, then the name) — letters, digits and ``.-_@'`` only, any other character a space (a lock file
    is anyone's text: no control sequence reaches the terminal), at most 60; ``""`` when it names none."""
    try:
        with lock.open("rb") as f:
            data = f.read(512)
    except OSError:
        return ""
    if lock.name.startswith(".~lock."):
        fields = data.decode("utf-8", "replace").split(",")
        who = fields[0].strip() or (fields[1].strip() if len(fields) > 1 else "")
    else:
        size = data[0] if data else 0
        who = data[1:1 + size].decode("latin-1") if 0 < size < len(data) else ""
    return " ".join("".join(c if c.isalnum() or c in ".-_@'" else " " for c in who).split())[:60]


def spreadsheet_kind(path: Path) -> str | None:
    """What kind of spreadsheet ``path`` is: ``"xlsx"`` for a workbook kam_xl reads (``.xlsx``/``.xlsm`` in any
    case), the kind in words for another spreadsheet format (``"an OpenDocument spreadsheet (.ods)"``), ``None``
    for anything else (notes, pictures, Excel's ``~$`` and LibreOffice's ``.~lock`` lock files, hidden files).

    A file with another suffix (``KA-002.xlsx.bak``, no suffix at all) is looked into: an Office Open XML or
    OpenDocument spreadsheet inside is reported as a spreadsheet under an unknown name."""
    name = path.name
    if name.startswith(("~$", ".")):
        return None
    suffix = path.suffix.lower()
    if suffix in READ_SUFFIXES:
        return "xlsx"
    if suffix in OTHER_KINDS:
        return OTHER_KINDS[suffix]
    return _sniffed_kind(path)


def _sniffed_kind(path: Path) -> str | None:
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # never open a FIFO or a device to look into it
            return None
        with path.open("rb") as f:
            if f.read(4) != b"PK\x03\x04":
                return None
        with zipfile.ZipFile(path) as z:  # reads the central directory only
            names = set(z.namelist())
            if names & {"xl/workbook.xml", "xl/workbook.bin"}:
                return f"an Excel workbook under another name ({path.name})"
            if "mimetype" in names and _head(z, "mimetype").startswith(
                    b"application/vnd.oasis.opendocument.spreadsheet"):
                return f"an OpenDocument spreadsheet under another name ({path.name})"
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError, zlib.error):
        return None
    return None


def _head(z: zipfile.ZipFile, name: str, size: int = 64) -> bytes:
    """The first ``size`` bytes of a part, inflating no more than that (a bomb named ``mimetype`` stays shut)."""
    with z.open(name) as f:
        return f.read(size)
