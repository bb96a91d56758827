"""The one CSV dialect for everything kam_xl reads and writes as CSV.

**Reading** (:func:`detect`, :func:`read_rows`): the encoding is UTF-8 (with or without byte-order mark),
UTF-16 with a byte-order mark (Excel's "Unicode text"), or else Windows-1252 — German Excel's default "CSV
(Trennzeichen-getrennt)"; :class:`CsvDialect` says which one was used. A first line ``sep=;`` (which Excel
writes and reads) sets the delimiter; otherwise it is the one of ``;``, ``,`` and TAB that the header line
uses most. The file is streamed, never held whole.

**Numbers** are read strictly with Babel (``parse_decimal(…, strict=True)``) in one convention per file:
German (``1.234,5``: ``.`` groups thousands, ``,`` is the decimal mark) or English (``1,234.5``).
:func:`number_evidence` tells which conventions a text can be read in; a file's convention is the one its
unambiguous values show (:func:`decide_style`). A value the file's convention cannot read, or an ambiguous
value (``4.532``) in a file that shows no convention, is refused with both readings (:func:`parse_number`)
— never guessed (``4532728.21`` is never 453,272,821).

**Writing** (:func:`write_csv`): UTF-8 with byte-order mark, ``;`` as delimiter, decimal comma, CRLF — what
German Excel opens by double-click with umlauts and numbers intact (without the BOM it takes the file for
Windows-1252; with ``,`` as delimiter it puts every row into one column; a ``sep=`` line would make it
ignore the BOM). Numbers are written as numbers; a text cell that begins with ``=``, ``+``, ``-``, ``@``,
TAB or CR — or with ``'`` itself, so that the guard reads back exactly — gets a leading ``'`` (OWASP
CSV-injection guidance); the data-book reader removes one leading ``'`` from text cells again
(:func:`unguard`).
"""

from __future__ import annotations

import codecs
import csv
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from babel.numbers import NumberFormatError, parse_decimal

NumberStyle = Literal["de", "en"]
STYLE_NAMES: dict[NumberStyle, str] = {"de": "German", "en": "English"}
_LOCALES: dict[NumberStyle, str] = {"de": "de_DE", "en": "en_US"}
_DELIMITERS = (";", ",", "\t")
_DELIMITER_NAMES = {";": "';'", ",": "','", "\t": "TAB"}
_CHUNK = 1 << 20

#: Text that a spreadsheet would take for a formula (or control) when it begins with one of these, and the
#: guard character itself, so that guarding is undone exactly.
GUARDED_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
GUARD = "'"


class CsvFormatError(Exception):
    """A file that cannot be read as CSV at all (its encoding, its structure); the message says why and what
    is allowed."""


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file was read: ``encoding`` as Python names it (``utf-8-sig``, ``utf-8``, ``utf-16``,
    ``cp1252``), the ``delimiter``, and whether the first line was a ``sep=`` line."""

    encoding: str
    delimiter: str
    sep_line: bool = False

    def describe(self) -> str:
        """In words: ``"Windows-1252, ';'-separated (sep= line)"``."""
        enc = {"utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8", "utf-16": "UTF-16",
               "cp1252": "Windows-1252"}[self.encoding]
        return f"{enc}, {_DELIMITER_NAMES[self.delimiter]}-separated" + (" (sep= line)" if self.sep_line else "")


def _decodes(path: Path, encoding: str) -> UnicodeDecodeError | None:
    """Whether the whole file decodes (read in chunks: the file is never held whole)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
                offset += len(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as e:
        return UnicodeDecodeError(e.encoding, e.object, offset + e.start, offset + e.end, e.reason)
    return None


def _encoding(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    error = _decodes(path, encoding)
    if error is None:
        return encoding
    if encoding == "utf-8" and _decodes(path, "cp1252") is None:
        mixed = _utf8_sequence(path)
        if mixed is None:
            return "cp1252"
        raise CsvFormatError(f"cannot be read as CSV: it mixes encodings — byte "
                             f"{error.object[error.start:error.end]!r} at position {error.start} is Windows-1252, "
                             f"the bytes {mixed[1]!r} at position {mixed[0]} are UTF-8 — allowed: one encoding, "
                             "UTF-8 (\"CSV UTF-8\") or Windows-1252 (Excel's \"CSV\")")
    raise CsvFormatError(f"cannot be read as CSV: byte {error.object[error.start:error.end]!r} at position "
                         f"{error.start} is not {'UTF-8' if encoding.startswith('utf-8') else 'UTF-16'}"
                         + (" nor Windows-1252" if encoding == "utf-8" else "")
                         + " — allowed: CSV saved as UTF-8 (\"CSV UTF-8\") or Windows-1252 (Excel's \"CSV\")")


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _utf8_sequence(path: Path) -> tuple[int, bytes] | None:
    """The first multi-byte UTF-8 character in a file (position, bytes): a file that decodes as Windows-1252
    but holds one mixes encodings (``ü`` as UTF-8 would read as ``Ã¼``). Chunks overlap by 3 bytes."""
    offset, tail = 0, b""
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            data = tail + chunk
            found = _UTF8_SEQUENCE.search(data)
            if found:
                return offset - len(tail) + found.start(), found.group()
            offset += len(chunk)
            tail = data[-3:]
    return None


_SEP_LINE = re.compile(r'^"?sep=(.)"?\1*[ \t]*\r?\n?$', re.IGNORECASE)  # also "sep=;;;" (padded to the width)


def _first_line(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, newline="") as f:
        return f.readline()


def _delimiter_of(line: str) -> str:
    """The delimiter the header line uses most (outside quotes); ``,`` for a single column."""
    bare = re.sub(r'"[^"]*"', "", line)
    counts = {d: bare.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def detect(path: str | Path) -> CsvDialect:
    """The dialect of a CSV file: encoding, delimiter, ``sep=`` line. Raises :class:`CsvFormatError` for a
    file that is neither UTF-8/UTF-16 nor Windows-1252."""
    path = Path(path)
    encoding = _encoding(path)
    first = _first_line(path, encoding)
    sep = _SEP_LINE.match(first)
    if sep and sep.group(1) in _DELIMITERS:
        return CsvDialect(encoding, sep.group(1), sep_line=True)
    if sep:
        raise CsvFormatError(f"first line {first.strip()!r} names the delimiter {sep.group(1)!r} — allowed: "
                             "sep=; or sep=, or a TAB")
    return CsvDialect(encoding, _delimiter_of(first))


def read_rows(path: str | Path, dialect: CsvDialect) -> tuple[list[str], Iterator[list[str]]]:
    """The header and the rows of a CSV file as text cells (the rows read from the open file one by one; the
    file is closed when they are exhausted or the iterator is closed). Raises csv.Error for a broken header;
    the rows may raise it too."""
    f = Path(path).open(encoding=dialect.encoding, newline="")  # noqa: SIM115  # closed by rows() or below
    try:
        if dialect.sep_line:
            f.readline()
        reader = csv.reader(f, delimiter=dialect.delimiter)
        header = next(reader, [])
    except BaseException:
        f.close()
        raise

    def rows() -> Iterator[list[str]]:
        with f:
            yield from reader

    return header, rows()


# -------------------------------------------------------------------------------------------- numbers


class NumberReadError(ValueError):
    """A text that is not a number in the file's convention; ``message`` says why with both readings, or is
    empty when the text is no number in either convention (the caller then says what is allowed)."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


_SIMPLE = re.compile(r"^-?(\d+)(?:([.,])(\d+))?$")  # the usual cell: digits, at most one mark, nothing else
_SPACES = re.compile(r"[ \u00a0\u202f]")
_SPACE_GROUPS = re.compile(r"^[+-]?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_ONE_MARK = re.compile(r"^[+-]?(\d+)([.,])(\d+)$")


def _normalise(text: str) -> str | None:
    """The text without currency sign and surrounding spaces, the minus sign as ``-``, spaces between
    thousands groups removed; ``None`` when spaces stand elsewhere."""
    text = text.strip().replace("\u2212", "-").removesuffix("€").removeprefix("€").strip()
    if _SPACES.search(text):
        if not _SPACE_GROUPS.match(text):
            return None
        text = _SPACES.sub("", text)
    return text


def _babel(text: str, style: NumberStyle) -> Decimal | None:
    try:
        value = parse_decimal(text, _LOCALES[style], strict=True)
    except (NumberFormatError, ValueError, ArithmeticError):
        return None
    return value if value.is_finite() else None


def readings(text: str) -> dict[NumberStyle, Decimal | None]:
    """The value of ``text`` read strictly in each convention (``None`` where it is no number in it).

    >>> readings("4.532"), readings("4532728.21")["de"], readings("1.234,5")["en"]
    ({'de': Decimal('4532'), 'en': Decimal('4.532')}, None, None)
    """
    norm = _normalise(text)
    if norm is None:
        return {"de": None, "en": None}
    if _INTEGER.match(norm):  # the common cases, decided as Babel would without asking it
        value = Decimal(norm)
        return {"de": value, "en": value}
    one = _ONE_MARK.match(norm)
    if one and (len(one.group(3)) != 3 or len(one.group(1)) > 3):  # a decimal mark, never a thousands group
        value = Decimal(norm.replace(",", "."))
        return {"de": value if one.group(2) == "," else None, "en": value if one.group(2) == "." else None}
    return {"de": _babel(norm, "de"), "en": _babel(norm, "en")}


Evidence = Literal["de", "en", "ambiguous", "any"]


def _simple(text: str) -> tuple[float, Evidence] | None:
    """A cell of digits with at most one mark, when that mark cannot be a thousands separator: its value and
    what it shows (``any`` for an integer) — the bulk of every file, decided without Babel exactly as
    :func:`readings` would; ``None`` for every other text."""
    m = _SIMPLE.match(text)
    if m is None:
        return None
    mark, fraction = m.group(2), m.group(3)
    if mark is None:
        return float(text), "any"
    if len(fraction) == 3 and len(m.group(1)) <= 3:
        return None  # 1.234 / 1,234: a thousands group in one convention, a fraction in the other
    return float(text.replace(",", ".")), "en" if mark == "." else "de"


def number_evidence(text: str) -> Evidence | None:
    """What a text says about its file's convention: ``de`` / ``en`` (readable in that one only),
    ``ambiguous`` (two different values), ``any`` (the same value either way), ``None`` (no number)."""
    simple = _simple(text)
    if simple is not None:
        return simple[1]
    r = readings(text)
    if r["de"] is None and r["en"] is None:
        return None
    if r["de"] is None:
        return "en"
    if r["en"] is None:
        return "de"
    return "any" if r["de"] == r["en"] else "ambiguous"


@dataclass
class StyleEvidence:
    """The unambiguous values a file shows per convention: their count and the first one (where, what)."""

    counts: dict[str, int]
    first: dict[str, str]

    @classmethod
    def empty(cls) -> StyleEvidence:
        return cls({"de": 0, "en": 0, "ambiguous": 0}, {})

    def add(self, text: str, where: str | Callable[[], str]) -> None:
        """Count ``text`` (a cell of a number column) found at ``where`` (e.g. ``"row 3, column price"``, or a
        function saying it, called only for the first value of its kind)."""
        self.count(number_evidence(text), text, where)

    def count(self, kind: Evidence | None, text: str, where: str | Callable[[], str], times: int = 1) -> None:
        """Count ``text`` whose :func:`number_evidence` is ``kind`` (known already: a file repeats its values),
        found ``times`` times, the first of them at ``where``."""
        if kind in self.counts:
            self.counts[kind] += times  # type: ignore[index]
            if kind not in self.first:
                self.first[kind] = f"{where if isinstance(where, str) else where()}: {text.strip()!r}"  # type: ignore[index]


@dataclass(frozen=True)
class FileNumbers:
    """A file's number convention (``None``: the file shows none) and why, for messages."""

    style: NumberStyle | None
    why: str


def decide_style(evidence: StyleEvidence, delimiter: str) -> FileNumbers:
    """The convention of a file: the one its unambiguous values show; where they show both, the one most of
    them show (a tie: ``;`` means German, else English), so that the others are refused with both readings."""
    de, en = evidence.counts["de"], evidence.counts["en"]
    if not de and not en:
        return FileNumbers(None, "the file has no value that shows its convention")
    style: NumberStyle = ("de" if de > en else "en") if de != en else ("de" if delimiter == ";" else "en")
    how = "German (decimal comma)" if style == "de" else "English (decimal point)"
    return FileNumbers(style, f"the file writes numbers {how}, e.g. {evidence.first[style]}")


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def parse_number(text: str, numbers: FileNumbers | None) -> float:
    """A number cell in the file's convention (``numbers=None``: a single cell without a file, e.g. a text
    cell of a workbook — read as :func:`decide_style` would for a file without evidence).

    Raises :class:`NumberReadError`: empty message for a text that is no number at all; for a value the
    convention cannot read or an ambiguous one, a message with both readings.

    >>> parse_number("4532728.21", FileNumbers("en", ""))
    4532728.21
    >>> parse_number("4.532", None)
    Traceback (most recent call last):
    ...
    kam_xl.csvio.NumberReadError: 4.532 could be 4532 (German) or 4.532 (English) — the file has no value that \
shows its convention; write it without thousands separators
    """
    simple = _simple(text)
    if simple is not None and (simple[1] == "any" or numbers is None or numbers.style in (None, simple[1])):
        return simple[0]
    r = readings(text)
    if r["de"] is None and r["en"] is None:
        raise NumberReadError
    numbers = numbers or FileNumbers(None, "the file has no value that shows its convention")
    shown = text.strip()
    if numbers.style is None:
        if r["de"] is not None and r["en"] is not None and r["de"] != r["en"]:
            raise NumberReadError(f"{shown} could be {_plain(r['de'])} (German) or {_plain(r['en'])} (English) — "
                                  f"{numbers.why}; write it without thousands separators")
        value = r["de"] if r["de"] is not None else r["en"]
    else:
        value = r[numbers.style]
        if value is None:
            other: NumberStyle = "en" if numbers.style == "de" else "de"
            raise NumberReadError(f"{shown} is no {STYLE_NAMES[numbers.style]} number, but {numbers.why}; read "
                                  f"the {STYLE_NAMES[other]} way it would be {_plain(r[other])} — write all "
                                  "numbers of the file one way")
    return float(value)  # type: ignore[arg-type]


# -------------------------------------------------------------------------------------------- writing


def guard(text: str) -> str:
    """Text as a CSV cell that no spreadsheet takes for a formula: a leading ``'`` before ``=``, ``+``,
    ``-``, ``@``, TAB, CR and ``'``.

    >>> guard("=HYPERLINK(1)"), guard("-2+3"), guard("'quoted"), guard("Blau 86")
    ("'=HYPERLINK(1)", "'-2+3", "''quoted", 'Blau 86')
    """
    return GUARD + text if text.startswith(GUARDED_STARTS) else text


def unguard(text: str) -> str:
    """The text a guarded cell was written from (one leading ``'`` removed).

    >>> unguard("''quoted"), unguard("'=A1"), unguard("plain")
    ("'quoted", '=A1', 'plain')
    """
    return text[1:] if text.startswith(GUARD) else text


def format_number(value: float | int) -> str:
    """A number as German Excel reads it back exactly: decimal comma, no thousands separators, no exponent;
    a fraction of exactly three digits gets a fourth (``12,3450``) so it never reads as a thousands group.

    >>> format_number(-3), format_number(1234.5), format_number(12.345), format_number(1e-05)
    ('-3', '1234,5', '12,3450', '0,00001')
    """
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    text = f"{Decimal(repr(value)):f}".replace(".", ",")
    if len(text.partition(",")[2]) == 3:
        text += "0"
    return text


def cell(value: Any) -> str:
    """One value as CSV text: empty for ``None``, ``true``/``false``, numbers as numbers (never guarded),
    everything else as guarded text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and math.isfinite(value):
        return format_number(value)
    return guard(str(value))


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Iterable[Any]]) -> Path:
    """Write a CSV file atomically in the one dialect (see the module doc): UTF-8 with BOM, ``;``, decimal
    comma, CRLF, guarded text. Returns ``path``."""
    from kam_xl.files import write_atomic

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f, delimiter=";", lineterminator="\r\n")
            w.writerow([cell(h) for h in header])
            w.writerows([cell(v) for v in row] for row in rows)

    return write_atomic(path, write)
