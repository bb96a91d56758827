"""The one guarded way to open a spreadsheet package (.xlsx/.xlsm) that came from outside.

Every reader of workbooks — :func:`kam_xl.workbook.names.read_named` (plans, questionnaires, the controller's
settings, the server macros) and the data book's .xlsx branch — opens files through :func:`open_package`.
Before python-calamine or openpyxl sees a byte of the file it checks, in this order:

1. the file: a regular file (no FIFO, device, socket or folder; a symbolic link only when its target stays in
   the link's folder), at most ``max_file_mb``;
2. the zip central directory, before anything is inflated: the number of entries, the declared size of each
   part and of all parts, the compression ratio of each part, no encryption, no unknown compression;
3. each part it inflates: never beyond its declared size (the inflation stops there), its CRC-32, UTF-8 XML
   without a document type declaration (``<!DOCTYPE``/``<!ENTITY``: entity expansion, external entities);
   ``workbook.xml``, the relationships and ``styles.xml`` are parsed with :mod:`defusedxml`; a relationship
   whose target leaves the package is refused; a strict Open XML workbook is refused with what to do;
4. each sheet that is read: its ``<dimension>`` and its cell references, so a sheet whose cells reach beyond
   ``max_sheet_cells`` (rows × columns from A1, as the readers allocate them) is refused.

The reader by name then gets :meth:`Package.engine_bytes`: a new archive holding only the parts checked here,
stored uncompressed — calamine and openpyxl inflate nothing themselves, the sheets are inflated once (and
``workbook.xml`` comes without its defined names, which are read here). The
data book (large sheets, read one by one) gets :meth:`Package.original_bytes` once every XML part the
workbook points to has been checked, so no sheet is held twice.

The same scan gives each sheet's cell kinds that calamine cannot tell (:meth:`Package.scan`): error values
(``t="e"``) and formulas saved without a result become :class:`~kam_xl.cells.CellError`, numbers in cells
whose number format is a percentage are marked for :class:`~kam_xl.cells.PercentNumber`.

Limits are settings (:class:`PackageLimits`, environment variables ``KAM_XL_MAX_…``). A refused file raises
:class:`PackageError` (a :class:`WorkbookError`) naming the file, the part, the limit and its value, and what
to do.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple
from xml.etree.ElementTree import Element
from xml.sax.saxutils import unescape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as _defused_fromstring
from pydantic import ValidationError

from kam_xl.cells import CellError

if TYPE_CHECKING:
    from kam_xl.package_limits import PackageLimits

MB = 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TRANSITIONAL = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
               "http://purl.oclc.org/ooxml/officeDocument/relationships")
WORKBOOK_XML = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_ROOT_PARTS = ("[Content_Types].xml", "_rels/.rels")
_EMPTY_SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<worksheet xmlns="' + TRANSITIONAL.encode() + b'"><sheetData/></worksheet>')
_EMPTY_SHEET_CRC = zlib.crc32(_EMPTY_SHEET)
_SAVE_AGAIN = "save it again from Excel as Excel Workbook (.xlsx)"


#: The prefix of the limits' environment variables (:class:`~kam_xl.package_limits.PackageLimits`).
ENV_PREFIX = "KAM_XL_"


def _env_name(setting: str) -> str:
    """The environment variable of a limit: ``KAM_XL_<NAME>``."""
    return f"{ENV_PREFIX}{setting.upper()}"


def __getattr__(name: str) -> Any:
    """:class:`PackageLimits` (:mod:`kam_xl.package_limits`), imported when first asked for: pydantic-settings
    costs ≈ 8 MiB of a process's memory, and a process that never opens a workbook (a ``generate --jobs`` worker
    writing new plans) need not hold it."""
    if name == "PackageLimits":
        from kam_xl.package_limits import PackageLimits

        return PackageLimits
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class WorkbookError(Exception):
    """A workbook that cannot be read as one of ours; the message names the file and the reason."""


class PackageError(WorkbookError):
    """A file refused before it is read: ``file`` (its name), ``reason`` (what is wrong and what to do);
    ``damaged`` tells a broken file (not a zip, CRC wrong) from a refused one (a limit, hostile content)."""

    def __init__(self, file: str, reason: str, damaged: bool = False):
        self.file, self.reason, self.damaged = file, reason, damaged
        super().__init__(f"{file}: {reason}")


@functools.cache
def _cached_limits() -> PackageLimits:
    from kam_xl.package_limits import PackageLimits  # here: see __getattr__

    return PackageLimits()


def current_limits() -> PackageLimits:
    """The limits from the environment, read once per process (``current_limits.cache_clear()`` in tests
    re-reads them); an invalid setting is a :class:`WorkbookError` that names the variable."""
    try:
        return _cached_limits()
    except ValidationError as e:
        wrong = "; ".join(f"{_env_name(str(err['loc'][0]))}: {err['msg']}" for err in e.errors())
        raise WorkbookError(f"invalid setting ({wrong}) — allowed: a positive number") from None


current_limits.cache_clear = _cached_limits.cache_clear  # type: ignore[attr-defined]


def _too_big(file: str, what: str, value: str, limit: str, setting: str, limit_value: float) -> PackageError:
    shown = f"{limit_value:,g}" if isinstance(limit_value, float) else f"{limit_value:,}"
    env = _env_name(setting)
    return PackageError(file, f"{what} {value}, more than {limit} ({env} = {shown}) — {_SAVE_AGAIN}, "
                              f"or raise {env} if this file is genuine")


def _mb(n: int) -> str:
    return f"{n / MB:,.1f} MB" if n >= MB // 10 else f"{n:,} bytes"


# ------------------------------------------------------------------------------------------- the file


def read_file(path: Path, limits: PackageLimits) -> bytes:
    """The bytes of a regular file of at most ``max_file_mb``; :class:`PackageError` for anything else (a
    FIFO, device, socket or folder, a link whose target leaves the link's folder, a file too large)."""
    name = path.name
    try:
        st = os.lstat(path)
        target = path
        if stat.S_ISLNK(st.st_mode):
            target = path.resolve(strict=True)
            if not target.is_relative_to(path.absolute().parent.resolve()):
                raise PackageError(name, f"is a link to {target}, outside its folder — allowed: a regular "
                                         "file (copy the workbook into the folder)")
            st = os.stat(target)
        _check_regular(name, st.st_mode)
        if st.st_size > limits.max_file_mb * MB:
            raise _too_big(name, "the file has", _mb(st.st_size), "the limit", "max_file_mb", limits.max_file_mb)
        fd = os.open(target, _OPEN_FLAGS)
        try:
            now = os.fstat(fd)
            _check_regular(name, now.st_mode)  # replaced between the checks and the open
            data = _read_upto(fd, now.st_size, int(limits.max_file_mb * MB))
        finally:
            os.close(fd)
    except PackageError:
        raise
    except (OSError, RuntimeError) as e:  # RuntimeError: a loop of links
        raise PackageError(name, f"cannot be read ({getattr(e, 'strerror', None) or e})") from None
    if len(data) > limits.max_file_mb * MB:
        raise _too_big(name, "the file has", "grown while read", "the limit", "max_file_mb", limits.max_file_mb)
    return data


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def _read_upto(fd: int, size: int, limit: int) -> bytes:
    """What ``fd`` holds, read up to one byte past ``limit``: in one read when it still has the ``size`` it
    had when opened (a read of ``limit`` bytes at once would allocate all of them)."""
    chunks, got = [], 0
    while got <= limit:
        chunk = os.read(fd, max(min(size, limit) + 1 - got, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _check_regular(name: str, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "not a regular file")
    raise PackageError(name, f"is {kind}, not a workbook file — allowed: a regular .xlsx file")


# ------------------------------------------------------------------------------------ the zip directory

_EOCD = struct.Struct("<4sHHHHIIH")
_EOCD64_LOCATOR = struct.Struct("<4sIQI")
_EOCD64 = struct.Struct("<4sQHHIIQQQQ")
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")


def _end_record(name: str, data: bytes) -> tuple[int, int, int]:
    """(entries, size, offset) of the central directory as the end of the archive declares them (zip64
    included); :class:`PackageError` for a file that is no zip archive."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or at + _EOCD.size > len(data):
        if data[:8] == OLE_MAGIC:
            raise PackageError(name, "password-protected or an old .xls file — save it as an unprotected Excel "
                                     "Workbook (.xlsx)", damaged=True)
        if not data:
            raise PackageError(name, "is empty (0 bytes) — damaged or not an .xlsx file", damaged=True)
        raise PackageError(name, "damaged or not an .xlsx file (not a zip archive)", damaged=True)
    _, disk, _, _, count, size, offset, _ = _EOCD.unpack_from(data, at)
    loc = at - _EOCD64_LOCATOR.size
    if 0xFFFF in (disk, count) or 0xFFFFFFFF in (size, offset):
        if loc < 0 or data[loc:loc + 4] != b"PK\x06\x07":
            raise PackageError(name, "damaged or not an .xlsx file (zip64 record missing)", damaged=True)
        at64 = _EOCD64_LOCATOR.unpack_from(data, loc)[2]
        if at64 + _EOCD64.size > len(data) or data[at64:at64 + 4] != b"PK\x06\x06":
            raise PackageError(name, "damaged or not an .xlsx file (zip64 record missing)", damaged=True)
        count, size, offset = _EOCD64.unpack_from(data, at64)[7:10]
    return count, size, offset


def _zip64_sizes(extra: bytes, csize: int, usize: int, offset: int) -> tuple[int, int, int]:
    """The sizes and offset a zip64 extra field holds for the fields marked 0xFFFFFFFF."""
    i = 0
    while i + 4 <= len(extra):
        tag, n = struct.unpack_from("<HH", extra, i)
        if tag == 1:
            values = iter(struct.unpack_from(f"<{n // 8}Q", extra, i + 4))
            usize = next(values, usize) if usize == 0xFFFFFFFF else usize
            csize = next(values, csize) if csize == 0xFFFFFFFF else csize
            offset = next(values, offset) if offset == 0xFFFFFFFF else offset
            break
        i += 4 + n
    return csize, usize, offset


def _entries(name: str, data: bytes, limits: PackageLimits) -> Iterator[_Part]:
    """The entries of the central directory, read directly (nothing inflated, one small tuple each); the
    number of entries is checked before the first is read."""
    count, size, offset = _end_record(name, data)
    if count > limits.max_entries:
        raise _too_big(name, "the archive has", f"{count:,} entries", "the limit", "max_entries",
                       limits.max_entries)
    at, end = offset, offset + size
    if end > len(data):
        raise PackageError(name, "damaged or not an .xlsx file (the zip directory is cut off: truncated)",
                           damaged=True)
    unpack, fixed = _CENTRAL.unpack_from, _CENTRAL.size
    for _ in range(count):
        if at + fixed > end or not data.startswith(b"PK\x01\x02", at):
            raise PackageError(name, "damaged or not an .xlsx file (bad zip directory)", damaged=True)
        (_, _, _, flags, method, _, _, crc, csize, usize, n_name, n_extra, n_comment, _, _, _,
         local) = unpack(data, at)
        at += fixed
        raw = data[at:at + n_name]
        try:
            part = raw.decode("ascii")  # the usual part name: what UTF-8 and cp437 read alike, decoded fastest
        except UnicodeDecodeError:
            part = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        if 0xFFFFFFFF in (csize, usize, local):
            csize, usize, local = _zip64_sizes(data[at + n_name:at + n_name + n_extra], csize, usize, local)
        yield _Part(part, local, csize, usize, method, crc, flags)
        at += n_name + n_extra + n_comment


class _Part(NamedTuple):
    name: str
    offset: int  # where its local header begins in the file
    csize: int
    usize: int
    method: int
    crc: int
    flags: int = 0


def _directory(name: str, data: bytes, limits: PackageLimits) -> dict[str, _Part]:
    """The parts of the archive from its central directory, every limit checked before anything is inflated."""
    parts: dict[str, _Part] = {}
    total = 0
    for info in _entries(name, data, limits):
        part = info.name
        if part in parts:
            raise PackageError(name, f"part {part} appears twice in the archive — {_SAVE_AGAIN}")
        if info.flags & 0x1:
            raise PackageError(name, f"part {part} is encrypted — allowed: an unprotected .xlsx")
        if info.method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise PackageError(name, f"part {part} uses compression method {info.method} — {_SAVE_AGAIN}")
        if info.usize > limits.max_part_mb * MB:
            raise _too_big(name, f"part {part} inflates to", _mb(info.usize), "the limit per part",
                           "max_part_mb", limits.max_part_mb)
        if info.usize > MB and info.usize > limits.max_ratio * max(info.csize, 1):
            raise _too_big(name, f"part {part} inflates {info.usize / max(info.csize, 1):,.0f} times "
                                 f"({_mb(info.csize)} to", f"{_mb(info.usize)})", "the limit", "max_ratio",
                           limits.max_ratio)
        total += info.usize
        if total > limits.max_total_mb * MB:
            raise _too_big(name, "the parts inflate to", f"{_mb(total)} or more", "the limit", "max_total_mb",
                           limits.max_total_mb)
        parts[part] = info
    return parts


# -------------------------------------------------------------------------------------------- the XML

_PROLOG = re.compile(rb'\s*(?:<\?.*?\?>|<!--.*?-->)', re.S)
_DECLARATION = re.compile(rb'\s*<!')


def _has_dtd(xml: bytes) -> bool:
    """True when the prolog of ``xml`` — before its root element, the only place a parser honours one —
    holds a document type declaration. Reads only the prolog, not the whole part.

    >>> _has_dtd(b'<?xml version="1.0"?><!-- x --><!DOCTYPE l [<!ENTITY a "b">]><l>&a;</l>'), _has_dtd(b"<a/>")
    (True, False)
    """
    at = 3 if xml[:3] == b"\xef\xbb\xbf" else 0
    while m := _PROLOG.match(xml, at):
        if m.end() == at:
            break
        at = m.end()
    return _DECLARATION.match(xml, at) is not None


class _Refused(Exception):
    """Raised by the cached parsers (which know no file name); :class:`Package` adds the file."""

    def __init__(self, reason: str, damaged: bool = False):
        self.reason, self.damaged = reason, damaged
        super().__init__(reason)


def _defused(part: str, xml: bytes) -> Element:
    """``xml`` parsed with defusedxml; :class:`_Refused` for damaged or hostile XML."""
    try:
        return _defused_fromstring(xml)
    except DefusedXmlException as e:
        raise _Refused(f"part {part} holds forbidden XML ({e!r}) — {_SAVE_AGAIN}") from None
    except ParseError as e:
        raise _Refused(f"damaged .xlsx (part {part}: {e})", damaged=True) from None


@dataclass(frozen=True, eq=False)  # hashed by identity: the same workbook.xml bytes give the same object
class WorkbookXml:
    """What ``xl/workbook.xml`` and its relationships say: the sheets in order (name → part in the archive)
    and the defined names as written (name, ``localSheetId`` or ``None``, text)."""

    sheets: dict[str, str]
    defined: tuple[tuple[str, str | None, str], ...]
    targets: tuple[str, ...]  # every part the workbook relationships point to inside the package


@functools.lru_cache(maxsize=256)
def _relationships(part: str, xml: bytes) -> tuple[tuple[str, str, str], ...]:
    """(id, type, target part) of every internal relationship of a ``.rels`` part; a target that leaves the
    package is refused. Parsed once per distinct part (the plans of one template share theirs)."""
    root = _defused(part, xml)
    base = posixpath.dirname(posixpath.dirname(part))  # xl/_rels/workbook.xml.rels → xl
    found = []
    for rel in root.iter(f"{{{_REL_NS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue  # a hyperlink or linked file: never opened by a reader
        target = rel.get("Target", "")
        joined = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        resolved = posixpath.normpath(joined)
        if resolved.startswith("../") or resolved in ("..", ".") or posixpath.isabs(resolved) or "\\" in target:
            raise _Refused(f"part {part}: relationship {rel.get('Id')!r} points outside the package ({target}) "
                           f"— {_SAVE_AGAIN}")
        found.append((rel.get("Id", ""), rel.get("Type", ""), resolved))
    return tuple(found)


@functools.lru_cache(maxsize=256)
def _workbook_xml(xml: bytes, rels: tuple[tuple[str, str, str], ...]) -> WorkbookXml:
    root = _defused(WORKBOOK_XML, xml)
    if root.tag == f"{{{STRICT}}}workbook":
        raise _Refused("strict Open XML workbook — save it as Excel Workbook (.xlsx)")
    if root.tag != f"{{{TRANSITIONAL}}}workbook":
        raise _Refused(f"damaged or not an .xlsx file (workbook.xml holds {root.tag})", damaged=True)
    by_id = {rid: target for rid, _, target in rels}
    sheets = {}
    for sheet in root.iter(f"{{{TRANSITIONAL}}}sheet"):
        rid = next((sheet.get(f"{{{ns}}}id") for ns in _DOC_REL_NS if sheet.get(f"{{{ns}}}id")), None)
        if rid in by_id:
            sheets[sheet.get("name", "")] = by_id[rid]
    defined = tuple((node.get("name", ""), node.get("localSheetId"), (node.text or "").strip())
                    for node in root.iter(f"{{{TRANSITIONAL}}}definedName"))
    return WorkbookXml(sheets, defined, tuple(target for _, _, target in rels))


_PERCENT_IDS = frozenset({9, 10})  # the built-in number formats 0% and 0.00%
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')  # literal text, escaped characters, [colours] and conditions


def is_percent_format(code: str) -> bool:
    """True for a number format code that shows the value times 100 with a % sign.

    >>> is_percent_format("0.0%"), is_percent_format('0" %"'), is_percent_format("#,##0")
    (True, False, False)
    """
    return "%" in _QUOTED.sub("", code)


@functools.lru_cache(maxsize=256)
def _percent_styles(xml: bytes) -> frozenset[int]:
    """The cell style indexes (``s="…"``) whose number format is a percentage, from ``styles.xml``."""
    root = _defused("xl/styles.xml", xml)
    ns = f"{{{TRANSITIONAL}}}"
    percent = set(_PERCENT_IDS)
    for fmt in root.iter(f"{ns}numFmt"):
        if is_percent_format(fmt.get("formatCode", "")):
            percent.add(int(fmt.get("numFmtId", "-1")))
        else:
            percent.discard(int(fmt.get("numFmtId", "-1")))
    xfs = root.find(f"{ns}cellXfs")
    if xfs is None:
        return frozenset()
    return frozenset(i for i, xf in enumerate(xfs.iter(f"{ns}xf")) if int(xf.get("numFmtId", "0")) in percent)


# ---------------------------------------------------------------------------------------- the sheets

PERCENT = "%"  # in SheetScan.kinds: a percent-formatted cell (a number there becomes a PercentNumber)
Kind = CellError | Literal["%"]

# The sheet XML written alike, for searches that spacing or quotes cannot fool ("the shape"): whitespace
# removed, ' → ", and / → f, so that one search finds both ends of a cell that mark a formula saved without
# its result, </f></c> and <f …/></c> (or <v/></c>): <c r = 'B7' s='3'><f>A1</f></c> → <cr="B7"s="3"><f>A1<ff><fc>
_SHAPE = bytes.maketrans(b"'/", b'"f')
_UNCACHED_END = b"f><fc>"  # f></c> or /></c>
# in the shape: a cell reference beyond column Z, a cell or row reference beyond row 999, or written with
# character entities
_FAR = re.compile(rb'r="(?:&|[A-Z]{2}|[A-Z]?[0-9]{4})')
_PREFIXED = re.compile(rb':(?:c|row)\b')  # a prefixed cell or row (<x:c …>), which the readers also read
_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\b[^>]*?\bref="([^"]*)"')
_A1 = re.compile(r"\$?([A-Za-z]{1,4})\$?(\d{1,8})$")
_ELEMENT = re.compile(rb'<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>')
_ATTR_S = re.compile(rb'(?:^|\s)s\s*=\s*["\'](\d+)["\']')
_ATTR_R = re.compile(rb'(?:^|\s)r\s*=\s*["\']([^"\']*)["\']')
_ATTR_T = re.compile(rb'(?:^|\s)t\s*=\s*["\']([^"\']*)["\']')

_CELL_REF = re.compile(rb'([A-Z]{1,4})(\d{1,8})$')
# a formula with no <v> or an empty <v/> (openpyxl's); an explicit <v></v> is an empty result (xlsxwriter's,
# which kam_xl's renderer writes for a formula whose result is "")
_UNCACHED = re.compile(rb'(?:</(?:[\w.-]+:)?f\s*>|<(?:[\w.-]+:)?f\b[^>]*/>)\s*(?:<(?:[\w.-]+:)?v\s*/>)?\s*'
                       rb'</(?:[\w.-]+:)?c\s*>')
_ERROR_TYPE = re.compile(rb'\bt\s*=\s*["\']e["\']')
_VALUE = re.compile(rb'<(?:[\w.-]+:)?v\b[^>/]*>([^<]*)</(?:[\w.-]+:)?v\s*>')
_FORMULA = re.compile(rb'<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:[\w.-]+:)?f\s*>)')
_CELL_END = re.compile(rb'</(?:[\w.-]+:)?c\s*>')  # end tags may hold spaces before their >


def column_number(letters: str | bytes) -> int:
    """1-based column number of column letters: ``column_number("XFD") == 16384``."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.upper().decode():
        n = n * 26 + ord(ch) - 64
    return n


def box_cells(ref: str) -> int:
    """Rows × columns from A1 to the last cell of an A1 reference or range (``"A1:XFD1048576"``); 0 when
    the text is no reference. A whole column or row (``A:A``, ``1:1``) counts as it spans in Excel."""
    last = ref.rsplit(":", 1)[-1].rsplit("!", 1)[-1]
    m = _A1.match(last)
    if m:
        return column_number(m[1]) * int(m[2])
    if re.fullmatch(r"\$?[A-Za-z]{1,3}", last):
        return column_number(last.lstrip("$")) * 1_048_576
    if re.fullmatch(r"\$?\d{1,7}", last):
        return 16_384 * int(last.lstrip("$"))
    return 0


@dataclass(frozen=True)
class SheetScan:
    """What the scan of one sheet's XML found: the last row and column any cell reaches (1-based, at most
    these: an upper bound where it is far below the limit) and the kinds calamine cannot tell, by 0-based
    (row, column): a :class:`~kam_xl.cells.CellError` or :data:`PERCENT`."""

    last_row: int
    last_col: int
    kinds: dict[tuple[int, int], Kind]


def _shape(x: bytes) -> bytes:
    """The sheet XML written alike (see ``_SHAPE``): ``<c r = 'B17'>`` → ``<cr="B17">``."""
    return x.translate(_SHAPE, b" \t\r\n")


def _reach(shape: bytes, limit: int) -> tuple[int, int]:
    """An upper bound of the last row and column a sheet's cells reach, from the shape of its references:
    ``r="B17"`` has 1 letter and 2 digits, so no cell lies beyond column Z and row 99 (rows by their ``r``
    alike). Cells and rows without a reference follow the one before, so each may add one. A few searches in
    C, no loop in Python; a bound over ``limit`` is made tighter (more searches), the caller walks the cells
    when it is still over."""
    if _FAR.search(shape) is None:  # the usual case: no reference beyond column Z or row 999
        letters, digits = 1, 3
    elif b'r="&' in shape:
        return 1 << 40, 1 << 40  # a reference written with character entities: only the exact walk tells
    else:
        letters = 1
        while letters < 4 and re.search(rb'r="[A-Z]{%d}' % (letters + 1), shape):
            letters += 1
        digits = 1
        while digits < 9 and re.search(rb'r="[A-Z]{0,%d}[0-9]{%d}' % (letters, digits + 1), shape):
            digits += 1
    last_row, last_col = 10 ** digits - 1, sum(26 ** k for k in range(1, letters + 1))
    elements = shape.count(b"<")  # at least as many as cells and rows together: one count instead of four
    if (last_row + elements) * (last_col + elements) <= limit:
        return last_row + elements, last_col + elements
    # prefixed ones too (<x:c>), even where no end tag shows the sheet has them: empty ones move the next cell
    cells = shape.count(b"<c") + shape.count(b":c")
    rows = shape.count(b"<row") + shape.count(b":row")
    if (last_row + rows) * (last_col + cells) > limit:  # leave out the cells and rows that have a reference
        cells -= shape.count(b'<cr="')
        rows -= shape.count(b'<rowr="')
    return last_row + max(rows, 0), last_col + max(cells, 0)


def _walk(x: bytes) -> Iterator[tuple[int, int, re.Match[bytes]]]:
    """Every cell start tag with its 0-based (row, column), placed as the readers place them: by its ``r``,
    or after the cell (row) before it when it has none."""
    row, col = -1, -1
    for m in _ELEMENT.finditer(x):
        r = _ATTR_R.search(m[2])
        if m[1] == b"row":
            row = int(r[1]) - 1 if r and r[1].isdigit() else row + 1
            col = -1
            continue
        ref = _CELL_REF.match(r[1]) if r else None
        if ref:
            row, col = int(ref[2]) - 1, column_number(ref[1]) - 1
        else:
            col += 1
        yield max(row, 0), col, m


def _exact_reach(x: bytes) -> tuple[int, int]:
    last_row = last_col = 0
    for row, col, _ in _walk(x):
        last_row, last_col = max(last_row, row + 1), max(last_col, col + 1)
    return last_row, last_col


def _tag_start(x: bytes, at: int) -> int:
    """Where the cell element around position ``at`` (in its start tag or its content) begins; -1 if none."""
    for _ in range(8):  # a cell holds at most <f>, <v>, <is> … before the point searched from
        at = x.rfind(b"<", 0, at)
        m = _ELEMENT.match(x, at) if at >= 0 else None
        if m is not None and m[1] == b"c":
            return at
        if at < 0:
            break
    return -1


def _cell_at(x: bytes, start: int) -> tuple[bytes, bytes]:
    """The attributes and the content of the cell element beginning at ``start``."""
    m = _ELEMENT.match(x, start) if start >= 0 else None
    if m is None or m[1] != b"c":
        return b"", b""
    if m[2].endswith(b"/"):
        return m[2], b""
    end = _CELL_END.search(x, m.end())
    return m[2], x[m.end():end.start() if end else len(x)]


def _text(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace")
    # without an ampersand there is no entity to replace (most formulas and error values): no unescape pass
    return unescape(text, {"&quot;": '"', "&apos;": "'"}) if "&" in text else text


def _kind(attrs: bytes, content: bytes) -> CellError | None:
    """The error value or uncached formula a cell holds, or ``None``."""
    t = _ATTR_T.search(attrs)
    f = _FORMULA.search(content)
    formula = _text(f[1]) if f and f[1] else None
    v = _VALUE.search(content)
    if t and t[1] == b"e":
        return CellError((_text(v[1]) or "").strip() if v else "", formula)
    if f and v is None:  # no <v>, or openpyxl's empty <v/>
        return CellError("", formula)
    return None


# the end of what comes before a style attribute in the shape when it is a cell's start tag as usually
# written (``<c r="B5" s="11"`` by Excel, xlsxwriter and LibreOffice, ``<c r="B5" t="n" s="11"`` by openpyxl, or
# with other spacing or quotes), capturing the reference; the ends are joined by NUL, which XML cannot hold
_USUAL_CELL = re.compile(rb'<cr="([A-Z]{1,3})([0-9]{1,7})"(?:t="\w+")?\x00')
_TAIL = 40  # bytes enough for the longest: <cr="XFD1048576"t="inlineStr"


@functools.lru_cache(maxsize=64)
def _percent_attribute(percent: frozenset[int]) -> re.Pattern[bytes]:
    """A style attribute with one of the ``percent`` styles, in the shape: ``s="11"``."""
    return re.compile(rb's="(?:' + b"|".join(b"%d" % s for s in sorted(percent)) + rb')"')


def _usual_percent_cells(shape: bytes, percent: frozenset[int], kinds: dict[tuple[int, int], Kind]) -> bool:
    """The cells with a percent style, into ``kinds`` (an error found there stays): the shape split at each
    such style attribute and the cell reference read from the end of each piece before one, all in C but one
    slice per cell. ``False`` when a style attribute was not in a cell's start tag as usually written (a
    prefixed cell, attributes in another order, a row's style): then only a look at each cell tells."""
    tails, end = [], 0
    for m in _percent_attribute(percent).finditer(shape):  # not split: the pieces would copy the whole sheet
        start = m.start()
        tails.append(shape[max(end, start - _TAIL):start])
        end = m.end()
    if not tails:
        return True
    ends = b"\x00".join(tails) + b"\x00"
    cells = _USUAL_CELL.findall(ends)
    found = {(int(row) - 1, _column_index(col)): PERCENT for col, row in cells}
    found.update(kinds)
    kinds.update(found)
    return len(cells) == len(tails) and b"\x00" not in shape


def _percent_cells(x: bytes, percent: frozenset[int], kinds: dict[tuple[int, int], Kind],
                   placed: dict[int, tuple[int, int]] | None) -> dict[int, tuple[int, int]] | None:
    """Every cell with a percent style, whatever the order or spacing of its attributes (the slow way)."""
    for m in _ELEMENT.finditer(x):
        if m[1] != b"c" or not (s := _ATTR_S.search(m[2])) or int(s[1]) not in percent:
            continue
        pos, placed = _where(x, m.start(), m[2], placed)
        if pos is not None:
            kinds.setdefault(pos, PERCENT)
    return placed


@functools.lru_cache(maxsize=4096)
def _column_index(letters: bytes) -> int:
    return column_number(letters) - 1


def _positions(x: bytes) -> dict[int, tuple[int, int]]:
    """The (row, column) of every cell by where its start tag begins (for sheets with cells without ``r``)."""
    return {m.start(): (row, col) for row, col, m in _walk(x)}


def _where(x: bytes, start: int, attrs: bytes, placed: dict[int, tuple[int, int]] | None
           ) -> tuple[tuple[int, int] | None, dict[int, tuple[int, int]] | None]:
    r = _ATTR_R.search(attrs)
    ref = _CELL_REF.match(r[1]) if r else None
    if ref:
        return (int(ref[2]) - 1, column_number(ref[1]) - 1), placed
    placed = placed if placed is not None else _positions(x)
    return placed.get(start), placed


# an error cell as xlsxwriter, Excel and LibreOffice write it — reference, style, t="e", the formula, the value —
# capturing column, row, formula and value
_USUAL_ERROR = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="[0-9]{1,9}")? t="e">(?:<f>([^<]*)</f>)?'
                          rb'<v>([^<]*)</v></c>')


def _usual_errors(x: bytes, shape: bytes) -> dict[tuple[int, int], Kind] | None:
    """The error cells of a sheet by one search in C, when every ``t="e"`` of it is in a cell written as usual
    (``_USUAL_ERROR``; a plan's chart helpers are hundreds of ``#N/A`` cells); ``None`` when one is written
    otherwise (other spacing, quotes or order, no value, a ``t="e"`` in a text): then each is looked at alone.
    Gives what :func:`_kind` gives for each of them."""
    found = _USUAL_ERROR.findall(x)
    if len(found) != shape.count(b't="e"'):
        return None
    return {(int(row) - 1, _column_index(col)): _usual_error(v, f) for col, row, f, v in found}


@functools.lru_cache(maxsize=8192)
def _usual_error(value: bytes, formula: bytes) -> CellError:
    """The error of a cell written as usual (its ``<v>`` and ``<f>`` text), made once per process for each
    distinct pair: the plans of one template have the same chart-helper formulas in the same cells (a
    :class:`CellError` is immutable, so it is shared)."""
    return CellError((_text(value) or "").strip(), _text(formula) if formula else None)


def _kinds(x: bytes, shape: bytes, percent: frozenset[int]) -> dict[tuple[int, int], Kind]:
    """Error values, uncached formulas and percent-formatted cells of a sheet, by 0-based (row, column).
    Each is found by a search in C (a sheet without any is not searched twice); only the cells found are
    looked at one by one, unless all are written as usual (:func:`_usual_errors`)."""
    kinds: dict[tuple[int, int], Kind] = {}
    placed: dict[int, tuple[int, int]] | None = None
    starts = set()
    # a formula's end right before the end of its cell, an empty <v/> or a self-closing <f/> ending a cell, or a
    # prefixed cell: only then is the sheet searched for uncached formulas
    uncached = _UNCACHED_END in shape or _PREFIXED.search(shape)
    if b't="e"' in shape:
        usual = None if uncached else _usual_errors(x, shape)
        if usual is None:
            starts.update(_tag_start(x, m.start()) for m in _ERROR_TYPE.finditer(x))
        else:
            kinds = usual
    if uncached:
        starts.update(_tag_start(x, m.start()) for m in _UNCACHED.finditer(x))
    for start in sorted(starts):
        attrs, content = _cell_at(x, start)
        error = _kind(attrs, content)
        if error is not None:
            pos, placed = _where(x, start, attrs, placed)
            if pos is not None:
                kinds[pos] = error
    if percent and not _usual_percent_cells(shape, percent, kinds):
        placed = _percent_cells(x, percent, kinds, placed)  # written another way: look at each cell
    return kinds


# ------------------------------------------------------------------------------------------ the package


class Package:
    """An .xlsx opened by :func:`open_package`: its central directory checked, parts inflated on demand
    under the limits. Build it with :func:`open_package`."""

    __slots__ = ("_checked", "_cut", "_data", "_inflated", "_parts", "_wb", "file", "limits", "path")

    def __init__(self, path: Path, data: bytes, parts: dict[str, _Part], limits: PackageLimits):
        self.path, self.file, self.limits = path, path.name, limits
        self._data, self._parts = data, parts
        self._inflated: dict[str, bytes] = {}
        self._cut: dict[tuple[str, int], bytes | None] = {}  # (part, row) → its rows up to row, None: not cut
        self._checked: set[str] = set()  # parts inflated and checked, whether still held or not
        self._wb: WorkbookXml | None = None

    def has(self, part: str) -> bool:
        """True when the archive holds ``part``."""
        return part in self._parts

    def part(self, name: str) -> bytes:
        """The inflated bytes of a part, checked: never inflated beyond its declared size, CRC-32 right,
        UTF-8 without a document type declaration. :class:`PackageError` otherwise."""
        got = self._inflated.get(name)
        if got is not None:
            return got
        info = self._parts.get(name)
        if info is None:
            raise PackageError(self.file, f"damaged or not an .xlsx file (no part {name})", damaged=True)
        raw = self._stored(info)
        if info.method == zipfile.ZIP_STORED:
            xml = raw
        else:
            inflate = zlib.decompressobj(-15)
            try:
                xml = inflate.decompress(raw, info.usize + 1)
            except zlib.error as e:
                raise PackageError(self.file, f"damaged .xlsx (part {name}: {e})", damaged=True) from None
            if len(xml) > info.usize:
                raise PackageError(self.file, f"part {name} inflates beyond the {_mb(info.usize)} its archive "
                                              f"entry declares — {_SAVE_AGAIN}")
        if len(xml) != info.usize or zlib.crc32(xml) != info.crc:
            raise PackageError(self.file, f"damaged .xlsx (part {name} does not match its checksum)", damaged=True)
        if name.endswith((".xml", ".rels")):
            self._check_xml(name, xml)
        self._inflated[name] = xml
        self._checked.add(name)
        return xml

    def forget(self, name: str) -> None:
        """Let go of the inflated bytes of a part (it stays checked): for reading large sheets one by one."""
        self._inflated.pop(name, None)
        self._cut = {k: v for k, v in self._cut.items() if k[0] != name}

    def _rows_up_to(self, name: str, row: int) -> bytes | None:
        """The part ``name`` cut after ``row`` (:func:`rows_up_to`), or ``None`` where it is not cut — found once
        for the scan and the engine's copy alike (every row tag of a long sheet is looked at)."""
        key = (name, row)
        if key not in self._cut:
            x = self.part(name)
            cut = rows_up_to(x, row)
            self._cut[key] = None if cut is x else cut
        return self._cut[key]

    def original_bytes(self) -> bytes:
        """The file as it is, for an engine to inflate itself, after every XML part the workbook points to
        has been checked like :meth:`part` (inflated once, then let go): for large workbooks read sheet by
        sheet, where a stored copy of all sheets (:meth:`engine_bytes`) would hold them twice."""
        for part in (*_ROOT_PARTS, WORKBOOK_XML, WORKBOOK_RELS, *self.workbook().targets):
            if part not in self._checked and self.has(part) and part.endswith((".xml", ".rels")):
                self.part(part)
                self.forget(part)
        return self._data

    def _stored(self, info: _Part) -> bytes:
        offset, data = info.offset, self._data
        if offset + _LOCAL.size > len(data) or data[offset:offset + 4] != b"PK\x03\x04":
            raise PackageError(self.file, f"damaged .xlsx (part {info.name} is not where the archive says)",
                               damaged=True)
        n_name, n_extra = _LOCAL.unpack_from(data, offset)[9:]
        start = offset + _LOCAL.size + n_name + n_extra
        if start + info.csize > len(data):
            raise PackageError(self.file, f"damaged .xlsx (part {info.name} is cut off: the file is truncated)",
                               damaged=True)
        return data[start:start + info.csize]

    def _check_xml(self, name: str, xml: bytes) -> None:
        if xml[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in xml[:64]:
            raise PackageError(self.file, f"part {name} is not UTF-8 XML — {_SAVE_AGAIN}")
        if _has_dtd(xml):
            raise PackageError(self.file, f"part {name} holds a document type declaration (<!DOCTYPE …>), which "
                                          f"spreadsheets never write (entity expansion, external entities) — "
                                          f"{_SAVE_AGAIN}")

    def workbook(self) -> WorkbookXml:
        """The sheets and defined names of ``xl/workbook.xml`` (its relationships and the package's checked)."""
        if self._wb is None:
            try:
                for root_part in _ROOT_PARTS:
                    if self.has(root_part):
                        xml = self.part(root_part)
                        if root_part.endswith(".rels"):
                            _relationships(root_part, xml)
                rels = _relationships(WORKBOOK_RELS, self.part(WORKBOOK_RELS)) if self.has(WORKBOOK_RELS) else ()
                self._wb = _workbook_xml(self.part(WORKBOOK_XML), rels)
            except _Refused as e:
                raise PackageError(self.file, e.reason, e.damaged) from None
        return self._wb

    def percent_styles(self) -> frozenset[int]:
        """Cell style indexes whose number format is a percentage (empty without ``styles.xml``)."""
        styles = "xl/styles.xml"
        try:
            return _percent_styles(self.part(styles)) if self.has(styles) else frozenset()
        except _Refused as e:
            raise PackageError(self.file, e.reason, e.damaged) from None

    def scan(self, sheet: str, kinds: bool = True, up_to_row: int | None = None) -> SheetScan:
        """Check one sheet (by name) against ``max_sheet_cells`` — its ``<dimension>`` and the references
        of its cells — and, with ``kinds``, find its error values, uncached formulas and percent cells: with
        ``up_to_row`` (1-based) only those in its rows up to that one, where the rows after it can be told
        (:func:`rows_up_to`) — the kinds of a controller's settings, not of the 10,000 accounts' rows below them
        (at 10,000 accounts ≈ 50 MiB of percent cells on Ressourcen for two weights)."""
        part = self.workbook().sheets.get(sheet)
        if part is None:
            raise PackageError(self.file, f"has no sheet {sheet!r}", damaged=True)
        x = self.part(part)
        limit = self.limits.max_sheet_cells
        dim = _DIMENSION.search(x)
        if dim and box_cells(dim[1].decode("ascii", "replace")) > limit:
            raise _too_big(self.file, f"sheet {sheet!r} ({part}) declares the dimension {dim[1].decode()}:",
                           f"{box_cells(dim[1].decode()):,} cells", "the limit", "max_sheet_cells", limit)
        shape = _shape(x)
        rows, cols = _reach(shape, limit)
        if rows * cols > limit:
            rows, cols = _exact_reach(x)
            if rows * cols > limit:
                raise _too_big(self.file, f"sheet {sheet!r} ({part}) has cells as far as row {rows:,} and column "
                                          f"{cols:,}:", f"{rows * cols:,} cells from A1", "the limit",
                               "max_sheet_cells", limit)
        if not kinds:
            return SheetScan(rows, cols, {})
        if up_to_row is not None and (cut := self._rows_up_to(part, up_to_row)) is not None:
            x, shape = cut, _shape(cut)
        return SheetScan(rows, cols, _kinds(x, shape, self.percent_styles()))

    def engine_bytes(self, sheets: Iterable[str], up_to_row: int | None = None) -> bytes:
        """A new archive for calamine or openpyxl with only parts checked here, stored uncompressed: the
        root parts, ``workbook.xml`` (without its defined names: they are read here, the engine reads cell
        values) and what its relationships point to (XML parts only); of the sheets only ``sheets`` (each
        checked by :meth:`scan` first) — every other sheet is an empty one. ``up_to_row`` (1-based): the
        sheets' rows after it left out where that can be told safely (:func:`rows_up_to`)."""
        wanted = set(sheets)
        wb = self.workbook()
        keep = {p for p in (*_ROOT_PARTS, WORKBOOK_RELS) if self.has(p)}
        keep.update(t for t in wb.targets if self.has(t) and t.endswith(".xml"))
        keep.discard(WORKBOOK_XML)
        read = {wb.sheets[s] for s in wanted if s in wb.sheets}
        sheet_parts = set(wb.sheets.values())

        def stored(part: str) -> tuple[str, bytes, int]:
            if part in sheet_parts and part not in read:
                return part, _EMPTY_SHEET, _EMPTY_SHEET_CRC
            x = self.part(part)
            if part in read and up_to_row is not None and (cut := self._rows_up_to(part, up_to_row)) is not None:
                return part, cut, zlib.crc32(cut)
            return part, x, self._parts[part].crc

        files = [stored(part) for part in sorted(keep)]
        workbook = _without_names(self.part(WORKBOOK_XML))
        return stored_zip([*files, (WORKBOOK_XML, workbook, zlib.crc32(workbook))])


#: a row's start tag in a sheet's ``<sheetData>`` (written without a namespace prefix, as Excel, LibreOffice and
#: xlsxwriter write it) and its number, the ``r`` attribute
_ROW_START = re.compile(rb"<row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb"""(?:^|\s)r\s*=\s*["']?(\d+)""")


def rows_up_to(x: bytes, last: int) -> bytes:
    """A sheet's XML ``x`` without its rows after row ``last`` (1-based) and what follows them (merged cells,
    validations, page setup: nothing an engine reads values from) — for a reader of the first ``last`` rows alone,
    which then need not parse a long sheet to its end (a controller's settings above 10,000 accounts' rows); ``x``
    itself where that cannot be told safely: a row without its number (rows then count by position), rows out of
    order before the cut, rows not written as ``<row …>`` inside ``</sheetData>`` (a namespace prefix), or no row
    after ``last``.

    >>> x = b'<worksheet><sheetData><row r="1"><c r="A1"/></row><row r="3"/><row r="9" s="2"/></sheetData></worksheet>'
    >>> rows_up_to(x, 3)
    b'<worksheet><sheetData><row r="1"><c r="A1"/></row><row r="3"/></sheetData></worksheet>'
    >>> y = x.replace(b' r="3"', b"")  # its second row without a number
    >>> rows_up_to(x, 9) is x, rows_up_to(y, 3) is y
    (True, True)
    """
    if b"</sheetData>" not in x:
        return x
    cut, before = None, 0
    for row in _ROW_START.finditer(x):  # every row looked at: one after the cut may be an earlier one
        number = _ROW_NUMBER.search(row[1])
        if number is None or int(number[1]) <= before:  # unnumbered, or out of order
            return x
        before = int(number[1])
        if cut is None and before > last:
            cut = row.start()
    return x if cut is None else x[:cut] + b"</sheetData></worksheet>"


def _without_names(xml: bytes) -> bytes:
    """``workbook.xml`` without its ``<definedNames>`` element (calamine would parse every name again, a
    quarter of its time to open a plan); as it is when that element is not written once and plainly."""
    start = xml.find(b"<definedNames>")
    end = xml.find(b"</definedNames>", start)
    if start < 0 or end < 0 or xml.find(b"<definedNames>", start + 1) >= 0:
        return xml
    return xml[:start] + xml[end + len(b"</definedNames>"):]


def stored_zip(files: Iterable[tuple[str, bytes, int]]) -> bytes:
    """A zip archive of ``(name, bytes, crc32)`` stored uncompressed (the CRC-32 given: the parts were checked
    against theirs when inflated). Written directly: zipfile's writer costs more than reading a plan."""
    chunks, directory = [], []
    at = 0
    for name, data, crc in files:
        raw = name.encode()
        header = _LOCAL.pack(b"PK\x03\x04", 20, 0x800, 0, 0, 0x21, crc, len(data), len(data), len(raw), 0)
        directory.append(_CENTRAL.pack(b"PK\x01\x02", 20, 20, 0x800, 0, 0, 0x21, crc, len(data), len(data),
                                       len(raw), 0, 0, 0, 0, 0, at) + raw)
        chunks += (header, raw, data)
        at += len(header) + len(raw) + len(data)
    central = b"".join(directory)
    end = _EOCD.pack(b"PK\x05\x06", 0, 0, len(directory), len(directory), len(central), at, 0)
    return b"".join((*chunks, central, end))


def open_package(path: str | Path, limits: PackageLimits | None = None) -> Package:
    """Open an .xlsx/.xlsm from outside: the file and its zip directory checked (see the module text).

    Raises :class:`PackageError` naming the file and what is wrong; nothing is inflated yet."""
    path = Path(path)
    limits = limits or current_limits()
    data = read_file(path, limits)
    return Package(path, data, _directory(path.name, data, limits), limits)


_SST_TYPE = "/sharedStrings"


def xlsx_meta(path: str | Path, sheet: str = "_meta", limits: PackageLimits | None = None) -> dict[str, str]:
    """The key/value pairs (text of columns A and B) of the sheet ``sheet`` of an .xlsx, reading nothing else:
    under the guard of :func:`open_package` (file, zip directory, ``workbook.xml``, the sheet's part and its
    reach checked, defusedxml) only that sheet's part is inflated, and the shared strings only when its cells
    refer to them (as xlsxwriter, Excel and openpyxl write text; inline strings are read as well). For
    regeneration's quick look at a plan's fingerprint: about a millisecond for a plan. ``{}`` when there is
    no such sheet; :class:`PackageError` when the file cannot be read."""
    package = open_package(path, limits)
    wb = package.workbook()
    part = wb.sheets.get(sheet)
    if part is None:
        return {}
    package.scan(sheet, kinds=False)
    try:
        root = _defused(part, package.part(part))
        rows = [_meta_row(row) for row in root.iter(f"{{{TRANSITIONAL}}}row")]
        if any(kind == "s" for row in rows for _, kind, _ in row):
            strings = _shared_strings(package, wb)
            rows = [[(col, "str", strings[int(v)] if kind == "s" and v.isdigit() and int(v) < len(strings)
                      else v) for col, kind, v in row] for row in rows]
    except _Refused as e:
        raise PackageError(package.file, e.reason, e.damaged) from None
    pairs = ({col: v for col, _, v in row} for row in rows)
    return {a: pair.get("B", "") for pair in pairs if (a := pair.get("A"))}


def _meta_row(row: Element) -> list[tuple[str, str, str]]:
    """(column letters, cell type, text) of the cells in columns A and B of a sheet row."""
    out = []
    for c in row.iter(f"{{{TRANSITIONAL}}}c"):
        col = re.sub(r"\d", "", c.get("r", ""))
        if col not in ("A", "B"):
            continue
        kind = c.get("t", "n")
        if kind == "inlineStr":
            text = "".join(t.text or "" for t in c.iter(f"{{{TRANSITIONAL}}}t"))
        else:
            v = c.find(f"{{{TRANSITIONAL}}}v")
            text = (v.text or "") if v is not None else ""
        out.append((col, kind, text))
    return out


def _shared_strings(package: Package, wb: WorkbookXml) -> list[str]:
    """The shared strings of the workbook, in order (rich text runs joined)."""
    rels = _relationships(WORKBOOK_RELS, package.part(WORKBOOK_RELS)) if package.has(WORKBOOK_RELS) else ()
    target = next((t for _, kind, t in rels if kind.endswith(_SST_TYPE)), None)
    if target is None or not package.has(target):
        return []
    root = _defused(target, package.part(target))
    t, r = f"{{{TRANSITIONAL}}}t", f"{{{TRANSITIONAL}}}r"
    return ["".join(x.text or "" for x in (*si.findall(t), *si.findall(f"{r}/{t}")))
            for si in root.iter(f"{{{TRANSITIONAL}}}si")]  # without phonetic runs (rPh)


# ------------------------------------------------------------------------------- OpenDocument spreadsheets

_ODF_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODF_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def opendocument_meta(path: str | Path, sheet: str = "_meta", limits: PackageLimits | None = None
                      ) -> dict[str, str]:
    """The key/value pairs (columns A and B) of the sheet ``sheet`` of an OpenDocument spreadsheet (``.ods``), read
    under the same guard as an .xlsx (regular file, zip directory and ``content.xml`` checked, defusedxml): so a
    kam_xl workbook a KAM saved as ``.ods`` — under any name — still tells whose it is. ``{}`` when the file has
    no such sheet; :class:`PackageError` when it cannot be read."""
    package = open_package(path, limits)
    if not package.has("content.xml"):
        raise PackageError(package.file, "damaged or not an OpenDocument spreadsheet (no content.xml)", damaged=True)
    try:
        root = _defused("content.xml", package.part("content.xml"))
    except _Refused as e:
        raise PackageError(package.file, e.reason, e.damaged) from None
    for table in root.iter(f"{_ODF_TABLE}table"):
        if table.get(f"{_ODF_TABLE}name") == sheet:
            return dict(pair for row in table.iter(f"{_ODF_TABLE}table-row") if (pair := _odf_pair(row)))
    return {}


def _odf_pair(row: Element) -> tuple[str, str] | None:
    """Columns A and B of an ODF table row as (key, value), ``None`` when A is empty."""
    cells: list[str] = []
    for cell in row.iter(f"{_ODF_TABLE}table-cell"):
        text = cell.get(f"{_ODF_OFFICE}value") or "".join("".join(p.itertext()) for p in cell.iter(f"{_ODF_TEXT}p"))
        cells += [text] * min(int(cell.get(f"{_ODF_TABLE}number-columns-repeated", "1") or 1), 2)
        if len(cells) >= 2:
            break
    return (cells[0], cells[1]) if len(cells) >= 2 and cells[0] else None
