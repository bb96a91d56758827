"""A corpus of hostile and broken spreadsheet files, built on the fly (nothing binary is committed).

:func:`build_corpus` writes each kind into a folder and returns ``{kind: path}``. The zip bombs are real
archives whose parts inflate as far as declared (gigabytes), written as a few MB: the deflate stream of a
repeated chunk is the same bytes again after a full flush, and its CRC-32 is computed by composing the
CRC's affine map rather than over the gigabytes. Other tests (collect over a folder, the server's collect
macro) use the corpus too.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
GIB = 1 << 30

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')


def workbook_rels(sheet_target: str = "worksheets/sheet1.xml") -> str:
    """The workbook's relationships: the sheet (at ``sheet_target``) and the shared strings."""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="{sheet_target}"/>'
            f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>')


PROBE = '<definedName name="probe">accounts!$A$1</definedName>'


def workbook_xml(names: str = PROBE, ns: str = MAIN, prolog: str = "") -> str:
    """A workbook of one sheet ``accounts`` (so the data-book reader reads it too) with the given
    ``<definedName>`` elements (by default one name on A1, so the reader by name reads the sheet)."""
    defined = f"<definedNames>{names}</definedNames>" if names else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
            f'<workbook xmlns="{ns}" xmlns:r="{REL}">'
            f'<sheets><sheet name="accounts" sheetId="1" r:id="rId1"/></sheets>{defined}</workbook>')


def sheet_xml(cells: str = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', dimension: str = "A1",
              ns: str = MAIN) -> str:
    """A worksheet with the given ``<sheetData>`` content."""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{ns}">'
            f'<dimension ref="{dimension}"/><sheetData>{cells}</sheetData></worksheet>')


SHARED = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>hello</t></si></sst>')


def base_parts(**replace: str) -> dict[str, str]:
    """The parts of a small valid workbook; keyword ``part_name=text`` (``/`` as ``__``) replaces one."""
    parts = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS,
             "xl/workbook.xml": workbook_xml(), "xl/_rels/workbook.xml.rels": workbook_rels(),
             "xl/worksheets/sheet1.xml": sheet_xml(), "xl/sharedStrings.xml": SHARED}
    for key, text in replace.items():
        parts[key.replace("__", "/").replace("_dot_", ".")] = text
    return parts


# ------------------------------------------------------------------------------------------- zip writing

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_EOCD = struct.Struct("<4sHHHHIIH")


class Entry:
    """One archive entry: its deflate stream as chunks (written one by one), CRC-32 and inflated size; the
    sizes written into the archive can be made to lie (``declared``)."""

    def __init__(self, name: str, chunks: Iterable[bytes], crc: int, size: int, compressed: int,
                 declared: int | None = None, method: int = 8):
        self.name, self.chunks, self.crc, self.size, self.compressed = name, chunks, crc, size, compressed
        self.declared = size if declared is None else declared
        self.method = method


def deflated(name: str, data: bytes) -> Entry:
    """An entry of ``data`` deflated as usual."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = c.compress(data) + c.flush()
    return Entry(name, [raw], zlib.crc32(data), len(data), len(raw))


def write_zip(path: Path, entries: Iterable[Entry]) -> Path:
    """Write the entries as a zip archive, streaming each entry's chunks (a bomb is never held whole)."""
    directory = []
    with path.open("wb") as f:
        for e in entries:
            raw = e.name.encode()
            offset = f.tell()
            f.write(_LOCAL.pack(b"PK\x03\x04", 20, 0, e.method, 0, 0x21, e.crc, e.compressed, e.declared,
                                len(raw), 0) + raw)
            for chunk in e.chunks:
                f.write(chunk)
            directory.append(_CENTRAL.pack(b"PK\x01\x02", 20, 20, 0, e.method, 0, 0x21, e.crc, e.compressed,
                                           e.declared, len(raw), 0, 0, 0, 0, 0, offset) + raw)
        start = f.tell()
        central = b"".join(directory)
        f.write(central)
        f.write(_EOCD.pack(b"PK\x05\x06", 0, 0, len(directory), len(directory), len(central), start, 0))
    return path


def write_xlsx(path: Path, parts: dict[str, str], bombs: Iterable[Entry] = ()) -> Path:
    """A workbook of ``parts`` (text) plus entries already built (bombs replace parts of the same name)."""
    bombs = list(bombs)
    named = {b.name for b in bombs}
    return write_zip(path, [*(deflated(n, t.encode()) for n, t in parts.items() if n not in named), *bombs])


# ----------------------------------------------------------------------------------- bombs in a few MB

def _affine(chunk: bytes) -> tuple[list[int], int]:
    """``crc32(chunk, c)`` as an affine map over GF(2): the images of the 32 unit vectors and of 0."""
    b = zlib.crc32(chunk, 0)
    return [zlib.crc32(chunk, 1 << i) ^ b for i in range(32)], b


def _apply(f: tuple[list[int], int], c: int) -> int:
    cols, r = f
    i = 0
    while c:
        if c & 1:
            r ^= cols[i]
        c >>= 1
        i += 1
    return r


def _compose(f: tuple[list[int], int], g: tuple[list[int], int]) -> tuple[list[int], int]:
    """f after g."""
    return [_apply(f, gc) ^ f[1] for gc in g[0]], _apply(f, g[1])


def crc_of_repeats(crc: int, chunk: bytes, times: int) -> int:
    """``crc32(chunk * times, crc)`` without building or reading ``chunk * times``.

    >>> crc_of_repeats(7, b"ab ", 5) == zlib.crc32(b"ab " * 5, 7)
    True
    """
    result, power = ([1 << i for i in range(32)], 0), _affine(chunk)
    while times:
        if times & 1:
            result = _compose(power, result)
        power = _compose(power, power)
        times >>= 1
    return _apply(result, crc)


def bomb(name: str, head: bytes, chunk: bytes, times: int, tail: bytes, declared: int | None = None) -> Entry:
    """An entry inflating to ``head + chunk * times + tail`` — gigabytes from a few MB — whose deflate
    stream repeats one segment: after a full flush the compressor starts afresh, so the same chunk gives
    the same bytes."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    segment = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert again == segment, "the compressor did not restart after a full flush"
    last = c.compress(tail) + c.flush()
    size = len(head) + len(chunk) * times + len(tail)
    crc = zlib.crc32(tail, crc_of_repeats(zlib.crc32(head), chunk, times))
    chunks = _chain([first], _repeat(segment, times), [last])  # the tail does not depend on what came before
    return Entry(name, chunks, crc, size, len(first) + len(segment) * times + len(last), declared)


def _repeat(data: bytes, times: int) -> Iterable[bytes]:
    for _ in range(times):
        yield data


def _chain(*parts: Iterable[bytes]) -> Iterable[bytes]:
    for p in parts:
        yield from p


MIB_SPACES = b" " * (1 << 20)


def _split(xml: str, marker: str) -> tuple[bytes, bytes]:
    head, tail = xml.split(marker)
    return head.encode(), tail.encode()


# ------------------------------------------------------------------------------------------- the corpus

LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)) + "]>")
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def build_corpus(folder: Path) -> dict[str, Path]:
    """Write every hostile kind into ``folder`` (created) and return ``{kind: path}``. A few MB on disk,
    a second or two to build; the files a link points to outside the folder go beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}

    def put(kind: str, parts: dict[str, str] | None = None, bombs: Iterable[Entry] = ()) -> None:
        out[kind] = write_xlsx(folder / f"{kind}.xlsx", parts or base_parts(), bombs)

    # zip bombs: each trips a limit on the declared sizes, before a byte is inflated
    head, tail = _split(sheet_xml(), "<sheetData>")
    put("bomb_whitespace_sheet", bombs=[bomb("xl/worksheets/sheet1.xml", head + b"<sheetData>", MIB_SPACES,
                                             3 * 1024, tail)])
    head, tail = _split(SHARED, "hello")
    put("bomb_shared_string", bombs=[bomb("xl/sharedStrings.xml", head, b"A" * (1 << 20), 3 * 1024, tail)])
    head, tail = _split(workbook_xml(), "</workbook>")
    put("bomb_workbook_xml", bombs=[bomb("xl/workbook.xml", head, MIB_SPACES, 3 * 1024, b"</workbook>" + tail)])
    head, tail = _split(sheet_xml(), "<sheetData>")
    put("bomb_ratio", bombs=[bomb("xl/worksheets/sheet1.xml", head + b"<sheetData>", MIB_SPACES, 200, tail)])
    head, tail = _split(sheet_xml(), "<sheetData>")  # declares 4 KB, inflates to 3 GiB: stopped at 4 KB
    put("bomb_lying_size", bombs=[bomb("xl/worksheets/sheet1.xml", head + b"<sheetData>", MIB_SPACES, 3 * 1024,
                                       tail, declared=4096)])
    out["bomb_many_entries"] = write_zip(folder / "bomb_many_entries.xlsx", [
        *(deflated(n, t.encode()) for n, t in base_parts().items()),
        *(Entry(f"x/{i}", [b""], 0, 0, 0, method=0) for i in range(20_000))])
    # sheets that reach far: the readers would allocate 17 billion cells
    put("far_cell", base_parts(xl__worksheets__sheet1_dot_xml=sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>')))
    put("far_dimension", base_parts(xl__worksheets__sheet1_dot_xml=sheet_xml(dimension="A1:XFD1048576")))
    put("far_cell_spaced", base_parts(xl__worksheets__sheet1_dot_xml=sheet_xml(
        "<row r='1'><c\n r = 'XFD1048576'><v>2</v></c></row>")))
    put("huge_defined_name", base_parts(xl__workbook_dot_xml=workbook_xml(
        '<definedName name="everything">accounts!$A$1:$XFD$1048576</definedName>')))
    # hostile XML
    put("billion_laughs", base_parts(xl__workbook_dot_xml=workbook_xml(
        PROBE + '<definedName name="laughs">&lol9;</definedName>', prolog=LAUGHS)))
    put("billion_laughs_sheet", base_parts(xl__worksheets__sheet1_dot_xml=sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>').replace(
        "<worksheet", LAUGHS + "<worksheet", 1)))
    put("xxe", base_parts(xl__workbook_dot_xml=workbook_xml(prolog=XXE)))
    put("relationship_traversal", base_parts(xl___rels__workbook_dot_xml_dot_rels=workbook_rels(
        "../../../../etc/passwd")))
    put("strict_ooxml", base_parts(xl__workbook_dot_xml=workbook_xml(ns=STRICT),
                                   xl__worksheets__sheet1_dot_xml=sheet_xml(ns=STRICT)))
    # not a workbook at all
    good = write_xlsx(folder / "_good.tmp", base_parts()).read_bytes()
    (folder / "_good.tmp").unlink()
    out["truncated"] = folder / "truncated.xlsx"
    out["truncated"].write_bytes(good[:len(good) // 2])
    out["ole"] = folder / "ole.xlsx"
    out["ole"].write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    out["empty"] = folder / "empty.xlsx"
    out["empty"].write_bytes(b"")
    # not a regular file
    out["fifo"] = folder / "fifo.xlsx"
    os.mkfifo(out["fifo"])
    out["link_to_dev_zero"] = folder / "link_to_dev_zero.xlsx"
    out["link_to_dev_zero"].symlink_to("/dev/zero")
    elsewhere = folder.parent / f"{folder.name}-elsewhere"
    elsewhere.mkdir(exist_ok=True)
    target = write_xlsx(elsewhere / "secret.xlsx", base_parts())
    out["link_outside_folder"] = folder / "link_outside_folder.xlsx"
    out["link_outside_folder"].symlink_to(target)
    return out
