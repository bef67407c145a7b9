"""Read raw files as agencies and survey tools make them: every cell as text, every row kept.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is 2.
What the reader noticed but could still read is written to ``RawTable.notes`` for the ledger.
A value the reader cannot read with certainty is read by one of the rules below and noted,
listed on the table, or stops the run with a StructuralError naming the file, row and value.

**Delimited text** (``.csv``, ``.tsv``, ``.txt``)

- Encoding: UTF-8 (with or without BOM) or cp874 (see :func:`decode_csv_bytes`); UTF-16 with
  a BOM (Excel "Unicode Text", little- or big-endian); UTF-16 without a BOM only when its zero
  bytes show it beyond doubt (:func:`_bomless_utf16`). Any other zero byte stops the run: text
  never holds one.
- Delimiter (:func:`detect_delimiter`): comma, semicolon (Excel where the decimal mark is a
  comma), tab (Excel "Text (Tab delimited)", "Unicode Text") or ``|``, whichever splits most
  of the first lines (quotes considered) into the same number of fields, two or more; between
  delimiters that are equally consistent, the one that also splits the first line so, then
  the one giving more columns. A file no delimiter splits is one column. The delimiter is on
  ``RawTable.delimiter``, in ``notes`` when it is not a comma, and in every parser error. The
  extension does not choose it (agencies rename files).

**Workbooks** (``.xlsx``, ``.xls``, ``.ods``), read with python-calamine: cell values as saved
(the cached result of a formula), dates as ``YYYY-MM-DD[ hh:mm:ss]``.

- The file's first bytes decide what it is. A workbook of another workbook kind than its name
  says (an ``.xls`` that is an ``.xlsx`` zip) is read by its true kind, with a note: the kind is
  certain from its signature. A web page (HTML, which some government systems export with an
  ``.xls`` name), an Excel 2003 XML spreadsheet, plain text or an ``.xlsb`` stops the run with
  what to do: an HTML table holds numbers and dates as displayed (rounded, with separators, in
  the display format) and cells spanning rows and columns, so reading it would be a guess.
- Hidden and very hidden sheets (drop-down lists, helper tables) are skipped, with a note
  naming each one that holds values; when only hidden sheets hold values, they are read (noted).
- Merged cells: a range of one column over several rows (an agency name merged down over its
  respondents) is filled down from its top cell into its blank cells (noted); ranges wider than
  one column are not filled (noted); blank cells outside a range stay blank. Ranges starting on
  the sheet's first non-empty row are headings (a title, or a header merged down over two
  header rows, which cleaning stacks) and are left as they are, without a note. A header below
  title rows merged down over two rows is filled, so its lower row alone names the columns.
  Merged ranges come from calamine (.xlsx, .xls) or from the .ods content.xml.
- Formulas saved without a cached value (workbooks written by a program and never calculated)
  read as empty: each such cell is listed on ``RawTable.formula_cells`` and noted. The reader
  does not stop: a hidden helper sheet full of formulas is harmless; cleaning decides.

**Mojibake** (any file): UTF-8 text once decoded in the wrong code page and saved again as UTF-8
("เธเธฃเธก" or "à¸à¸£à¸¡" for "กรม") is repaired only when the reverse conversion is exact and
gives clean text (:func:`_unmojibake`). Each repaired cell is listed on ``RawTable.repairs``
and counted in ``notes``; cells that look garbled but cannot be repaired with certainty are
left as they are and noted.

Every non-empty sheet of a workbook is read; the cleaning stage decides which one holds the
answers.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from helpers.core.errors import StructuralError
from helpers.core.thai import clean_text

BOM = b"\xef\xbb\xbf"
UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
WORKBOOK_SUFFIXES = {".xlsx": "xlsx", ".xls": "xls", ".ods": "ods"}
SUPPORTED = (*TEXT_SUFFIXES, *WORKBOOK_SUFFIXES)

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # a password-protected .xlsx is OLE2
_HTML = re.compile(
    rb"(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html|head|body|table|meta|style)\b",
    re.IGNORECASE | re.DOTALL,
)
_XML_2003 = b"urn:schemas-microsoft-com:office:spreadsheet"
# What each kind of file is called in messages, and its extension.
_KINDS = {
    "xlsx": ("an Excel workbook (.xlsx)", ".xlsx"),
    "xls": ("an old Excel workbook (.xls)", ".xls"),
    "ods": ("an OpenDocument spreadsheet (.ods)", ".ods"),
}
_EXPECTED_BOOK = {
    "xlsx": "an .xlsx workbook saved by Excel or similar",
    "xls": "an .xls workbook saved by Excel or similar",
    "ods": "an .ods workbook saved by LibreOffice or similar",
}
_EXPECTED_CSV = (
    "a CSV saved by Excel as 'CSV UTF-8' or 'CSV', tab-separated or 'Unicode Text', or an "
    ".xlsx, .xls or .ods workbook"
)
_RESAVE = "Open the file in Excel and save it again as 'CSV UTF-8'"
_THAI = re.compile("[\u0e01-\u0e5b]")


@dataclass
class RawTable:
    """One raw file (or sheet): its header and its data rows, all values as stripped text
    ('' = empty)."""

    path: Path
    encoding: str  # 'utf-8', 'utf-8-sig', 'cp874', 'utf-16-le', 'utf-16-be', 'xlsx', 'xls', 'ods'
    header: list[str]
    rows: pd.DataFrame  # columns are positions 0..n-1; index is the spreadsheet row number
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    header_row: int = 1  # the (last) spreadsheet row of the header
    truncated_row: int | None = None  # the last row, when the file ends in the middle of it
    other_sheets: list[RawTable] = field(default_factory=list)  # non-empty sheets not read
    delimiter: str | None = None  # of delimited text (',', ';', '\t' or '|'); None for sheets
    # (spreadsheet row, column position, value in the file, value read) of each cell repaired
    # from mojibake; the header is row 1
    repairs: list[tuple[int, int, str, str]] = field(default_factory=list)
    # (spreadsheet row, column position, formula) of each formula saved without a cached
    # value, read as ''; the position may lie right of the table's last column
    formula_cells: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.rows)


@dataclass
class DecodedCsv:
    """A text file's bytes as UTF-8 for the parser, and how they were read."""

    utf8: bytes  # may still start with the BOM, which the parser skips
    encoding: str  # 'utf-8-sig', 'utf-8', 'cp874', 'utf-16-le' or 'utf-16-be'
    notes: list[str] = field(default_factory=list)
    ends_mid_character: bool = False


_CHUNK = 1 << 24
_TITLE_LINES = 12  # lines looked at for a title above the header
_CUT_NOTE = "the file ends in the middle of a character: it was cut short"


def _line_chunks(data: bytes, start: int) -> Iterator[tuple[int, memoryview]]:
    """(offset, slice) of ``data`` from ``start`` in pieces of about 16 MiB, each ending after a
    line end, so that no character is split."""
    view = memoryview(data)
    while start < len(data):
        end = data.find(b"\n", start + _CHUNK)
        end = len(data) if end < 0 else end + 1
        yield start, view[start:end]
        start = end


def _decode_error(data: bytes, start: int, encoding: str) -> tuple[int, int, str] | None:
    """(start, end, reason) of the first byte ``data[start:]`` cannot be decoded, decoding by
    chunks so that a large file is never held as one string."""
    for offset, chunk in _line_chunks(data, start):
        try:
            str(chunk, encoding)
        except UnicodeDecodeError as exc:
            return offset + exc.start, offset + exc.end, exc.reason
    return None


def decode_csv_bytes(data: bytes) -> DecodedCsv:
    """Read a text file as 'utf-8-sig' (Excel 'CSV UTF-8'), 'utf-8' or 'cp874' (Excel 'CSV' on
    Thai Windows), whatever a UTF-8 byte-order mark claims; or as UTF-16 ('utf-16-le',
    'utf-16-be': Excel 'Unicode Text') when a UTF-16 byte-order mark, or beyond doubt its zero
    bytes, say so.

    A file cut in the middle of a character keeps its encoding (the partial character is
    dropped). A file mixing UTF-8 and cp874 lines cannot be read and raises StructuralError.
    """
    for bom, codec in UTF16_BOMS.items():
        if data.startswith(bom):
            return _decode_utf16(data, len(bom), codec, [])
    if b"\x00" in data[: 1 << 16] and (codec := _bomless_utf16(data)):
        note = f"UTF-16 text without a byte-order mark ({codec[-2:].upper()}, recognised by its "
        note += "zero bytes)"
        return _decode_utf16(data, 0, codec, [note])
    bom = data.startswith(BOM)
    skip = len(BOM) if bom else 0
    label = "utf-8-sig" if bom else "utf-8"
    error = _decode_error(data, skip, "utf-8")
    if error is None:
        return DecodedCsv(data, label)
    if error[1] == len(data) and error[2] == "unexpected end of data":
        return DecodedCsv(data[: error[0]], label, [_CUT_NOTE], ends_mid_character=True)
    _refuse_mixed_lines(data, skip)
    if (error := _decode_error(data, skip, "cp874")) is not None:
        raise StructuralError(
            f"the file is neither UTF-8 nor Thai Windows (cp874) text; byte {error[0] - skip} "
            f"({data[error[0] : error[0] + 1]!r}) cannot be decoded",
            row=data.count(b"\n", 0, error[0]) + 1,
            expected=_EXPECTED_CSV,
        )
    utf8 = io.BytesIO()
    for _, chunk in _line_chunks(data, skip):
        utf8.write(str(chunk, "cp874").encode("utf-8"))
    notes = (
        ["the file starts with a UTF-8 byte-order mark but is Thai Windows (cp874) text; "
         "read as cp874"]
        if bom
        else []
    )  # fmt: skip
    return DecodedCsv(utf8.getvalue(), "cp874", notes)


# Characters of the text UTF-16 files hold here: a misaligned or binary file decoded as UTF-16
# gives CJK and other scripts, unassigned code points or controls instead.
def _plain_char(char: str) -> bool:
    return (
        " " <= char <= "~"
        or char in "\t\r\n\ufeff"
        or ("\u0e01" <= char <= "\u0e5b" and unicodedata.category(char) != "Cn")
        or "\u00a0" <= char <= "\u00ff"
        or "\u2010" <= char <= "\u205e"
        or char in "\u20ac\u2122\ufe0f"
        or "\u2600" <= char <= "\u27bf"  # symbols and dingbats
        or "\U0001f000" <= char <= "\U0001faff"  # emoji
    )


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when ``data`` is UTF-16 text without a byte-order mark beyond
    doubt, else None.

    In UTF-16 LE every ASCII character (tab, line end, digit, Latin letter) has a zero high
    byte at an odd position, and no Thai or ASCII character has a zero low byte at an even one
    (a few emoji do). So: a zero at odd positions in one character in 20 at least, twenty times
    fewer at even positions (mirrored for BE), and the first 64 KiB decode to ASCII, Thai,
    Latin-1, punctuation and emoji only (a binary file, or text decoded one byte off, gives
    CJK, other scripts, controls or unassigned code points). Anything else holding a zero byte
    is refused by the caller."""
    head = data[: 1 << 16]
    head = head[: len(head) - len(head) % 2]
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd * 20 >= pairs and even * 20 <= odd:
        codec = "utf-16-le"
    elif even * 20 >= pairs and odd * 20 <= even:
        codec = "utf-16-be"
    else:
        return None
    try:  # not final: the head may end inside a surrogate pair
        text = codecs.getincrementaldecoder(codec)("strict").decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return codec if all(map(_plain_char, set(text))) else None


def _decode_utf16(data: bytes, start: int, codec: str, notes: list[str]) -> DecodedCsv:
    """UTF-16 bytes from ``start`` transcoded to UTF-8 in chunks (the decoder carries a
    character split between two chunks). A file cut inside a character is read without it."""
    body = memoryview(data)[start:]
    ends_mid = len(body) % 2 == 1
    if ends_mid:
        body = body[:-1]
    decoder = codecs.getincrementaldecoder(codec)("strict")
    step = max(2, _CHUNK - _CHUNK % 2)
    utf8 = io.BytesIO()
    for offset in range(0, len(body), step):
        try:
            utf8.write(decoder.decode(body[offset : offset + step]).encode("utf-8"))
        except UnicodeDecodeError as exc:
            at = offset + exc.start
            text = bytes(body[:at]).decode(codec, errors="replace")
            raise StructuralError(
                f"the file is UTF-16 text but bytes {at + start}-{offset + exc.end + start - 1} "
                f"cannot be decoded ({exc.reason})",
                row=text.count("\n") + 1,
                expected=_EXPECTED_CSV,
                hint=_RESAVE,
            ) from None
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:  # the first half of a surrogate pair, then the end
        ends_mid = True
    return DecodedCsv(
        utf8.getvalue(), codec, [*notes, *([_CUT_NOTE] if ends_mid else [])], ends_mid
    )


def _lines(data: bytes, start: int) -> Iterator[bytes]:
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        yield data[start:end]
        start = end + 1


def _refuse_mixed_lines(data: bytes, start: int) -> None:
    """Raise when some lines are UTF-8 Thai and others are not (rows pasted from two exports).

    Called only when the whole file is not UTF-8."""
    first: tuple[int, bool] | None = None  # (line, is UTF-8) of the first line with Thai
    for number, line in enumerate(_lines(data, start), start=1):
        if line.isascii():
            continue
        try:
            # a line of cp874 bytes is almost never UTF-8 that decodes to Thai letters
            utf8 = _THAI.search(line.decode("utf-8")) is not None
        except UnicodeDecodeError:
            utf8 = False
        if first is None:
            first = (number, utf8)
        elif utf8 != first[1]:
            this, that = ("UTF-8", "Thai Windows (cp874)") if utf8 else ("cp874", "UTF-8")
            raise StructuralError(
                f"this line is {this} text but line {first[0]} is {that}: the file mixes two "
                "encodings",
                row=number,
                value=line.decode("utf-8" if utf8 else "cp874", errors="replace").strip()[:60],
                expected="one encoding for the whole file",
                hint=f"{_RESAVE}, or copy the rows from the original files again",
            )


def detect_encoding(data: bytes) -> str:
    """'utf-8-sig' (Excel 'CSV UTF-8'), 'utf-8', 'cp874' (Excel 'CSV' on Thai Windows),
    'utf-16-le' or 'utf-16-be' (Excel 'Unicode Text')."""
    return decode_csv_bytes(data).encoding


# ----------------------------------------------------------------------------- delimiters

_DELIMITERS = {
    ",": "comma-separated",
    ";": "semicolon-separated",
    "\t": "tab-separated",
    "|": "pipe-separated (|)",
}
_SNIFF_BYTES = 1 << 16
_SNIFF_LINES = 100


def _field_counts(text: str, delimiter: str) -> list[int]:
    """Fields on each non-blank line of ``text`` (quoted fields may span lines), until the text
    ends inside a quoted value or a field is too long for the csv module."""
    counts = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    with contextlib.suppress(csv.Error):  # keeps the counts of the lines before
        counts.extend(len(row) for row in itertools.islice(reader, _SNIFF_LINES) if row)
    return counts


def detect_delimiter(utf8: bytes) -> str:
    """The delimiter of delimited text: ',', ';', '\\t' or '|'.

    Each candidate splits the first lines (up to 100, or 64 KiB; blank lines skipped, quoted
    fields considered). Its width is the field count most of those lines have, its consistency
    the share of lines that have it; a candidate of width 1 splits nothing and is out. The most
    consistent wins: the header of a comma file whose Thai comments hold semicolons has no
    semicolon, nor has the header of a semicolon file with decimal commas a comma. Between
    equally consistent candidates, the one whose first line has its width (the header, unless
    a title is typed above it), then the one giving more columns, then the order above. A
    file that no candidate splits is one column, read with ','."""
    head = utf8[:_SNIFF_BYTES]
    if len(utf8) > len(head):  # drop the line cut at the end of the sample
        head = head[: head.rfind(b"\n") + 1] or head
    text = head.decode("utf-8", errors="ignore").removeprefix("\ufeff")
    best, best_key = ",", None
    for rank, delimiter in enumerate(_DELIMITERS):
        counts = _field_counts(text, delimiter)
        if not counts:
            continue
        width, lines = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        key = (lines / len(counts), counts[0] == width, width, -rank)
        if best_key is None or key > best_key:
            best, best_key = delimiter, key
    return best


def _separated(delimiter: str) -> str:
    return _DELIMITERS[delimiter]


# ----------------------------------------------------------------------------- mojibake

# UTF-8 Thai read as cp874 turns each Thai letter (bytes E0 B8/B9 xx) into เธ or เน and the
# character of its third byte: a Thai letter ก-ฟ, a cp874 punctuation mark, a no-break space,
# or (bytes cp874 leaves undefined, kept by Windows and by ftfy's "sloppy" codec) a C1 control.
_CP874_PAIR = re.compile("เ[ธน]")
_CP874_TRIPLE = re.compile(
    "เ[ธน][\u0080-\u009f\u00a0\u20ac\u2026\u2018-\u201d\u2022\u2013\u2014ก-ฟ]"
)
# UTF-8 read as Latin-1 or cp1252 turns a lead byte into one of Â-ô and a continuation byte
# into a Latin-1 sign, a C1 control or one of cp1252's punctuation marks.
_LATIN_PAIR = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160"
    "\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153"
    "\u017e\u0178]"
)
_LATIN_STEPS = {("encode", "latin-1"), ("encode", "sloppy-windows-1252"), ("decode", "utf-8")}
_REPAIR_KINDS = {
    "cp874": "UTF-8 read as cp874 and saved again",
    "latin": "UTF-8 read as Latin-1/cp1252 and saved again",
}


def _clean_repair(text: str) -> bool:
    """Whether a repaired value is clean text: no controls (but tab and line ends), unassigned or
    private characters, replacement characters, and nothing but ASCII, Thai, Latin-1 and
    punctuation; a wrong repair gives those."""
    return all(
        char.isascii() and (char >= " " or char in "\t\r\n")
        if char < "\u0080"
        else _plain_char(char) and char != "\ufeff"
        for char in set(text)
    )


def _from_cp874(text: str) -> str | None:
    """The UTF-8 text ``text`` was before it was read as cp874, when that is certain.

    ftfy does not handle this case (its encoding fixes use only Latin code pages, and it turns
    the C1 controls of such text into cp1252 punctuation), so it is done here with ftfy's
    'sloppy-cp874' codec, which gives back the bytes cp874 leaves undefined. Correct Thai cannot
    survive the round trip unless it is made only of such triples (every other Thai letter is a
    stray UTF-8 continuation or lead byte); the result must moreover be clean text with a Thai
    consonant, and two Thai characters at least unless the value held a C1 control (no text
    typed by a person does): the real words เธค and เนม would otherwise become ฤ and ๡. Checked
    against the 62,000 words of PyThaiNLP's dictionary and 200,000 random three-word phrases:
    no false repair."""
    import ftfy.bad_codecs  # noqa: F401  (registers the sloppy codecs)

    try:
        fixed = text.encode("sloppy-cp874").decode("utf-8")
    except UnicodeError:
        return None
    thai = len(_THAI.findall(fixed))
    c1 = any("\u0080" <= char <= "\u009f" for char in text)
    consonant = any("\u0e01" <= char <= "\u0e2e" for char in fixed)
    if fixed == text or not consonant or not _clean_repair(fixed) or (thai < 2 and not c1):
        return None
    return fixed


def _from_latin(text: str) -> str | None:
    """The UTF-8 text ``text`` was before it was read as Latin-1 or cp1252 (once or more), by
    ftfy's ``fix_encoding``, accepted only when ftfy's plan is that re-encoding and nothing
    else (its other fixes are guesses: a space taken for a lost no-break space is accepted only
    when the result is Thai), and the result is clean text."""
    import ftfy

    result = ftfy.fix_encoding_and_explain(text)
    fixed, steps = result.text, result.explanation or []
    thai = _THAI.search(fixed) is not None
    plain = all(
        s in _LATIN_STEPS or (s == ("transcode", "restore_byte_a0") and thai) for s in steps
    )
    if fixed == text or not plain or ("decode", "utf-8") not in steps:
        return None
    return fixed if _clean_repair(fixed) else None


def _unmojibake(text: str) -> tuple[str, str] | None:
    """(repaired text, 'cp874' or 'latin') when ``text`` is mojibake that can be repaired with
    certainty, else None. Fast for what most cells are: ASCII, correct Thai, correct Latin."""
    if text.isascii():
        return None
    if _CP874_TRIPLE.search(text) and (fixed := _from_cp874(text)) is not None:
        return fixed, "cp874"
    if _LATIN_PAIR.search(text) and (fixed := _from_latin(text)) is not None:
        return fixed, "latin"
    return None


def _looks_garbled(text: str) -> bool:
    """Mojibake that could not be repaired (bytes lost on the way, or mixed with other text):
    most of its Thai is เธ/เน pairs with some of their third characters, or it holds two
    Latin-1 pairs of a UTF-8 character."""
    pairs = len(_CP874_PAIR.findall(text))
    if pairs >= 3 and 3 * len(_CP874_TRIPLE.findall(text)) >= pairs:
        return 2 * pairs >= 0.6 * len(_THAI.findall(text))
    return len(_LATIN_PAIR.findall(text)) >= 2


@dataclass
class _Mojibake:
    """What the mojibake check found in one table."""

    repairs: list[tuple[int, int, str, str]] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)
    garbled: list[tuple[int, int, str]] = field(default_factory=list)  # first cells
    n_garbled: int = 0

    def notes(self) -> list[str]:
        notes = [
            f"{counted(n, 'cell')} repaired from mojibake ({_REPAIR_KINDS[kind]})"
            for kind, n in sorted(self.kinds.items())
        ]
        if self.n_garbled:
            first = "; ".join(f"row {r}, column {c + 1}: '{v[:40]}'" for r, c, v in self.garbled)
            notes.append(
                f"{counted(self.n_garbled, 'cell')} "
                f"{'looks' if self.n_garbled == 1 else 'look'} garbled (UTF-8 read in a wrong code "
                f"page) but cannot be repaired with certainty and are read as they are ({first})"
            )
        return notes


def counted(n: int, noun: str) -> str:
    """'1 cell', '3 cells': a count with its noun, for messages."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _clean_column(values: pd.Series, position: int, found: _Mojibake) -> np.ndarray:
    """Cleaned text of one column as an object array; each distinct value is checked for
    mojibake and cleaned once, and shared by every row holding it (answer columns repeat a
    handful of values). Repaired cells are added to ``found`` (grid row 0 is spreadsheet
    row 1)."""
    codes, uniques = pd.factorize(values)
    texts = list(uniques)
    before: dict[int, tuple[str, str]] = {}  # code: (value in the file, kind of mojibake)
    garbled: list[int] = []
    ascii_only = np.fromiter(map(str.isascii, texts), dtype=bool, count=len(texts))
    for index in np.flatnonzero(~ascii_only).tolist():
        text = texts[index]
        if (repaired := _unmojibake(text)) is not None:
            before[index] = (text, repaired[1])
            texts[index] = repaired[0]
        elif _looks_garbled(text):
            garbled.append(index)
    cleaned = np.array([*(clean_text(v) for v in texts), ""], dtype=object)
    if before:
        rows = np.flatnonzero(np.isin(codes, list(before)))
        for row, code in zip(rows.tolist(), codes[rows].tolist(), strict=True):
            text, kind = before[code]
            found.repairs.append((row + 1, position, text, cleaned[code]))
            found.kinds[kind] += 1
    if garbled:
        rows = np.flatnonzero(np.isin(codes, garbled))
        found.n_garbled += len(rows)
        room = max(0, 3 - len(found.garbled))
        found.garbled.extend((int(r) + 1, position, texts[codes[r]]) for r in rows[:room])
    return cleaned[codes]  # code -1 (a missing cell) picks the trailing ''


def _finish(
    path: Path,
    encoding: str,
    grid: pd.DataFrame,
    sheet: str | None,
    notes: list[str] | None = None,
) -> RawTable:
    if grid.empty:
        raise StructuralError(
            "the file is empty (no header row)",
            file=path,
            sheet=sheet,
            expected="a header row naming the columns, then one row per answer",
        )
    found = _Mojibake()
    columns = [_clean_column(grid[p], i, found) for i, p in enumerate(grid.columns)]
    header = [column[0] for column in columns]
    # object dtype keeps the shared strings (pandas would copy them into its own string type)
    rows = pd.DataFrame(
        {position: column[1:] for position, column in enumerate(columns)},
        index=pd.RangeIndex(2, 1 + len(grid), name="source_row"),
        columns=range(len(columns)),
        dtype=object,
    )
    return RawTable(
        path=path,
        encoding=encoding,
        header=header,
        rows=rows,
        sheet=sheet,
        notes=[*(notes or []), *found.notes()],
        repairs=sorted(found.repairs),
    )


# ----------------------------------------------------------------------------- delimited text


def _refuse_non_text(path: Path, data: bytes) -> None:
    """Raise when a text file's bytes are a workbook or a web page."""
    suffix = path.suffix.lower()
    what = "CSV text" if suffix == ".csv" else "delimited text"
    kind = None
    if data.startswith(_ZIP):
        kind = "ods" if _ODS_MIMETYPE in data[:100] else "xlsx"
    elif data.startswith(_OLE2):
        kind = "xls"
    if kind is not None:
        name, extension = _KINDS[kind]
        raise StructuralError(
            f"the file is not {what} but {name} with a {suffix} name",
            file=path,
            expected=_EXPECTED_CSV,
            hint=f"Rename it to {extension}",
        )
    if _HTML.match(data, 0, 1 << 12) or _HTML.match(data, len(BOM), 1 << 12):
        raise StructuralError(
            f"the file is not {what} but a web page (HTML)",
            file=path,
            expected=_EXPECTED_CSV,
            hint="Open it in Excel and save it as 'CSV UTF-8' or .xlsx",
        )


def read_csv(path: Path) -> RawTable:
    """Delimited text (.csv, .tsv, .txt): see the module docstring."""
    data = path.read_bytes()
    _refuse_non_text(path, data)
    try:
        decoded = decode_csv_bytes(data)
    except StructuralError as exc:
        raise exc.located(file=path) from None
    del data  # a cp874 or UTF-16 file was transcoded: do not hold both copies
    if not decoded.utf8.removeprefix(BOM).strip():
        raise StructuralError(
            "the file is empty",
            file=path,
            expected="a header row naming the columns, then one row per answer",
        )
    if (zero := decoded.utf8.find(b"\x00")) >= 0:
        raise StructuralError(
            "the file holds a zero byte, which text never does: it may be UTF-16 text saved "
            "without a byte-order mark, or damaged",
            file=path,
            row=decoded.utf8.count(b"\n", 0, zero) + 1,
            expected=_EXPECTED_CSV,
            hint=f"{_RESAVE}, or get the file again from the agency",
        )
    delimiter = detect_delimiter(decoded.utf8)
    try:
        grid = pd.read_csv(
            io.BytesIO(decoded.utf8),
            sep=delimiter,
            header=None,
            dtype=object,  # the parser shares repeated strings; far smaller than dtype=str
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8",
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise _parser_error(path, exc, decoded, delimiter) from None
    last_line = _last_line(decoded)
    decoded.utf8 = b""  # the bytes are parsed: free them before the table is built
    notes = list(decoded.notes)
    if delimiter != ",":
        notes.append(f"the file is {_separated(delimiter)} (detected from its first lines)")
    table = _finish(path, decoded.encoding, grid, None, notes)
    del grid
    table.delimiter = delimiter
    table.truncated_row = _cut_row(last_line, decoded.ends_mid_character, table, delimiter)
    if table.truncated_row is not None and not decoded.ends_mid_character:
        table.notes.append(
            f"the file ends in the middle of row {table.truncated_row} (fewer fields than the "
            "header, no line end): it was cut short"
        )
    return table


def _head_widths(utf8: bytes, delimiter: str) -> list[int]:
    """Number of fields on each of the first lines."""
    head = utf8[: 1 << 16].decode("utf-8", errors="ignore").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(head), delimiter=delimiter)
    return [len(r) for r in itertools.islice(reader, _TITLE_LINES)]


def _parser_error(
    path: Path, exc: Exception, decoded: DecodedCsv, delimiter: str
) -> StructuralError:
    message = str(exc)
    read_as = f"The file is read as {_separated(delimiter)} text (detected from its first lines)"
    ragged = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if ragged:
        fields, line, saw = map(int, ragged.groups())
        widths = _head_widths(decoded.utf8, delimiter)
        below = widths[1:]
        if widths and widths[0] == fields and below.count(saw) > below.count(fields):
            return StructuralError(
                f"the first line has {fields} field(s) but the lines below it have {saw}: it "
                "looks like a title above the header",
                file=path,
                row=1,
                expected="the header on the first line, or title lines padded with delimiters "
                "to the width of the header",
                hint="Delete the lines above the header, or save the sheet from Excel again "
                f"(Excel pads them). {read_as}",
            )
        example = " (such as 1,204)" if delimiter == "," else ""
        return StructuralError(
            f"this row has {saw} fields but the rows above have {fields}",
            file=path,
            row=line,
            expected="the same number of fields on every row",
            hint=f"{read_as}: a value holding a {_DELIMITERS[delimiter].split('-')[0]}"
            f"{example} must be quoted",
        )
    unclosed = re.search(r"EOF inside string starting at row (\d+)", message)
    if unclosed:
        return StructuralError(
            "a quoted value starting on this row is never closed"
            + (
                " (the file ends in the middle of a character: it was cut short)"
                if decoded.ends_mid_character
                else ""
            ),
            file=path,
            row=int(unclosed.group(1)) + 1,
            expected='a closing quote (") for every opening one',
            hint=f"If the file was cut short, get the complete file from the agency. {read_as}",
        )
    return StructuralError(
        f"the {_separated(delimiter)} text is broken: {message.strip()}",
        file=path,
        expected="the same number of fields on every row",
        hint=read_as,
    )


def _last_line(decoded: DecodedCsv) -> str | None:
    """The file's last line when it has no line end (None when it ends with one)."""
    data = decoded.utf8
    if data.endswith((b"\n", b"\r")):
        return None
    return data[max(data.rfind(b"\n"), data.rfind(b"\r")) + 1 :].decode("utf-8")


def _cut_row(
    last_line: str | None, ends_mid_character: bool, table: RawTable, delimiter: str
) -> int | None:
    """The last row's number when the file visibly ends inside it: in the middle of a
    character, or without a line end and with fewer fields than the header."""
    if not table.n_rows or last_line is None:
        return None
    if ends_mid_character:
        return int(table.rows.index[-1])
    fields = next(csv.reader([last_line], delimiter=delimiter), [])
    return int(table.rows.index[-1]) if 0 < len(fields) < len(table.header) else None


# ----------------------------------------------------------------------------- workbooks


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _looks_like_text(head: bytes) -> bool:
    """Whether the first bytes of a file are text (UTF-8, cp874 or UTF-16 with a BOM)."""
    if head.startswith(tuple(UTF16_BOMS)):
        return True
    if not head or b"\x00" in head:
        return False
    try:
        text = codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
    except UnicodeDecodeError:
        try:
            text = head.decode("cp874")
        except UnicodeDecodeError:
            return False
    printable = sum(char.isprintable() or char in "\t\r\n" for char in text)
    return printable >= 0.95 * len(text)


def sniff_workbook(path: Path) -> tuple[str, str]:
    """(kind, detail): what a file named as a workbook is, from its bytes.

    kind is 'xlsx', 'xls', 'ods', 'xlsb', 'zip' (a zip holding no workbook), 'damaged' (a zip
    that cannot be opened; detail says why), 'empty', 'html', 'xml-2003', 'text' or 'unknown'
    (left to calamine, which says what is wrong)."""
    with path.open("rb") as handle:
        head = handle.read(1 << 12)
    if not head:
        return "empty", ""
    if len(head) < len(_OLE2) and (_OLE2.startswith(head) or _ZIP.startswith(head)):
        return "damaged", f"only the first {counted(len(head), 'byte')} of a workbook"
    if head.startswith(_ZIP):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
        except Exception as exc:  # a cut or damaged zip
            return "damaged", f"{exc.__class__.__name__}: {exc}"
        if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return "ods", ""
        if "xl/workbook.bin" in names:
            return "xlsb", ""
        return ("xlsx", "") if "[Content_Types].xml" in names else ("zip", "")
    if head.startswith(_OLE2):
        return "xls", ""
    if _XML_2003 in head:
        return "xml-2003", ""
    if _HTML.match(head) or _HTML.match(head, len(BOM)):
        return "html", ""
    if head.startswith(b"MIME-Version:"):  # Excel "Single File Web Page" (.mht)
        return "html", ""
    return ("text", "") if _looks_like_text(head) else ("unknown", "")


# A file named as a workbook that is something else: what it is, and what to do.
_NOT_A_WORKBOOK = {
    "html": (
        "a web page (HTML), as some government systems export under a spreadsheet name",
        "Open it in Excel, check that the numbers and dates look right, and save it as .xlsx",
    ),
    "xml-2003": (
        "an Excel 2003 XML spreadsheet",
        "Open it in Excel and save it as .xlsx",
    ),
    "xlsb": ("an Excel binary workbook (.xlsb)", "Open it in Excel and save it as .xlsx"),
    "zip": ("a zip archive that holds no workbook", "Send the workbook itself"),
    "text": (
        "plain text",
        "If it is comma-, semicolon- or tab-separated text, rename it to .txt (or .csv) and "
        "it is read as such; otherwise open it in Excel and save it as .xlsx",
    ),
}


def _book_error(path: Path, kind: str, problem: str, hint: str | None = None) -> StructuralError:
    return StructuralError(
        problem,
        file=path,
        expected=_EXPECTED_BOOK[kind],
        hint=hint
        or f"Open it in {'LibreOffice Calc' if kind == 'ods' else 'Excel'} and save it again, or "
        "get the file again from the agency",
    )


@dataclass
class _Sheet:
    name: str
    hidden: bool
    rows: list[list[str]]
    merges: list[tuple[tuple[int, int], tuple[int, int]]] | None  # 0-based, inclusive

    @property
    def filled(self) -> bool:
        return any(any(row) for row in self.rows)


def read_workbook(path: Path) -> RawTable:
    """An .xlsx, .xls or .ods workbook: the first sheet read (see the module docstring for
    which are); the other sheets read are in ``other_sheets`` (the cleaning stage decides which
    one holds the answers). Read with calamine (Rust), about 18 times faster than openpyxl's
    read-only mode; cells keep their spreadsheet row numbers."""
    from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

    named = WORKBOOK_SUFFIXES[path.suffix.lower()]
    kind, detail = sniff_workbook(path)
    notes = []
    if kind == "empty":
        raise _book_error(path, named, "the file is empty", "Get the file again from the agency")
    if kind == "damaged":
        raise _book_error(
            path,
            named,
            f"the workbook cannot be opened ({detail}); it may be damaged or cut short",
        )
    if kind in _NOT_A_WORKBOOK:
        what, hint = _NOT_A_WORKBOOK[kind]
        raise _book_error(path, named, f"the file is not a workbook but {what}", hint)
    if kind in _KINDS and kind != named:
        notes.append(
            f"the file is {_KINDS[kind][0]} although its name ends in {path.suffix}: read as {kind}"
        )
    kind = kind if kind in _KINDS else named
    problem = "the workbook cannot be opened"
    try:
        with path.open("rb") as handle:
            workbook = CalamineWorkbook.from_filelike(handle)
        problem = "the workbook is damaged"
        sheets = []
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:  # chart and macro sheets hold no rows
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            cells = sheet.to_python(skip_empty_area=False)
            rows = [[_cell_text(v) for v in row] for row in cells]
            width = max(map(len, rows), default=0)
            for row in rows:
                row.extend([""] * (width - len(row)))
            hidden = meta.visible != SheetVisibleEnum.Visible
            sheets.append(_Sheet(meta.name, hidden, rows, sheet.merged_cell_ranges))
        workbook.close()
        filled = [s for s in sheets if s.filled]
        shown = [s for s in filled if not s.hidden]
        read = shown or filled
        ods_merges, formulas = _ods_extras(path) if kind == "ods" else ({}, {})
        if kind == "xlsx":  # .xls (BIFF) saves every formula with its result
            formulas = _xlsx_formula_cells(path, [s.name for s in (read or sheets)])
    except PasswordError:
        raise _book_error(
            path, kind, "the workbook is password-protected", _PASSWORD_HINT
        ) from None
    except Exception as exc:  # zip, XML and calamine errors for damaged or cut files
        if kind == "xls" and _ENCRYPTED in path.read_bytes():
            raise _book_error(
                path, kind, "the workbook is password-protected", _PASSWORD_HINT
            ) from None
        raise _book_error(
            path,
            kind,
            f"{problem} ({exc.__class__.__name__}: {exc}); it may be damaged or cut short",
        ) from None
    if not read:
        if n := sum(map(len, formulas.values())):
            raise _book_error(
                path,
                kind,
                f"no sheet holds a value, but {counted(n, 'formula')} have no saved result: "
                "the workbook was written by a program and never calculated",
                "Open it in Excel or LibreOffice and save it again, so that the formulas are "
                "calculated",
            )
        raise StructuralError(
            f"the workbook is empty: no sheet holds a value (sheets: "
            f"{', '.join(repr(s.name) for s in sheets) or 'none'})",
            file=path,
            expected="a header row naming the columns, then one row per answer",
        )
    if shown:
        notes += [f"hidden sheet '{s.name}' skipped" for s in filled if s.hidden]
    else:
        names = ", ".join(f"'{s.name}'" for s in read)
        notes.append(f"only hidden sheets hold values: read hidden sheet(s) {names}")
    tables = []
    for sheet in read:
        merges = sheet.merges if sheet.merges is not None else ods_merges.get(sheet.name, [])
        sheet_notes = [*notes, *_fill_merged(sheet.rows, merges)]
        cells = sorted(formulas.get(sheet.name, []))
        if cells:
            row, column, formula = cells[0]
            sheet_notes.append(
                f"{counted(len(cells), 'formula cell')} saved without a value (the workbook "
                f"was written by a program and never calculated) read as empty (first: "
                f"{cell_ref(row - 1, column)} {formula})"
            )
        table = _finish(path, kind, pd.DataFrame(sheet.rows), sheet.name, sheet_notes)
        table.formula_cells = cells
        tables.append(table)
    first, *others = tables
    first.other_sheets = others
    return first


_PASSWORD_HINT = (
    "Remove the password (in Excel: File > Info > Protect Workbook > Encrypt with Password) and "
    "save it again"
)


def cell_ref(row: int, column: int) -> str:
    """The spreadsheet name of a cell: 'C5' for 0-based (row 4, column 2)."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row + 1}"


def _fill_merged(
    rows: list[list[str]], merges: Iterable[tuple[tuple[int, int], tuple[int, int]]]
) -> list[str]:
    """Fill merged ranges of one column over several rows down from their top cell into their
    blank cells (in place); notes saying what was filled and what was not."""
    height = len(rows)
    first = next((i for i, row in enumerate(rows) if any(row)), None)
    filled, wide = [], []
    for (top, left), (bottom, right) in sorted(merges):
        if top >= height or top == first or (top, left) == (bottom, right):
            continue  # outside the values, a heading, or one cell
        value = rows[top][left] if left < len(rows[top]) else ""
        if not value:
            continue
        if right > left:
            wide.append(f"{cell_ref(top, left)}:{cell_ref(bottom, right)}")
            continue
        for row in rows[top + 1 : bottom + 1]:
            if not row[left]:
                row[left] = value
        filled.append(f"{cell_ref(top, left)}:{cell_ref(bottom, right)}")
    notes = []
    if filled:
        notes.append(
            f"{counted(len(filled), 'merged range')} of one column filled down from the top "
            f"cell into its blank cells (e.g. '{filled[0]}')"
        )
    if wide:
        notes.append(
            f"{counted(len(wide), 'merged range')} wider than one column not filled: the value "
            f"stays in the first column (e.g. '{wide[0]}')"
        )
    return notes


# ----------------------------------------------------------------------------- workbook XML

_REF = re.compile(r"([A-Z]+)(\d+)")
# An <f> element, also with a namespace prefix (<x:f>); a stray match only costs a parse.
_FORMULA_TAG = (b"<f>", b"<f ", b":f>", b":f ")
_ODS_MARKERS = (b"number-rows-spanned", b"number-columns-spanned", b"table:formula=")
_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _holds(stream: IO[bytes], markers: tuple[bytes, ...]) -> bool:
    """Whether a (decompressed) zip member holds one of ``markers``, read in 1 MiB pieces: far
    cheaper than parsing the XML of a sheet that has no formula."""
    carry = b""
    while chunk := stream.read(1 << 20):
        text = carry + chunk
        if any(marker in text for marker in markers):
            return True
        carry = chunk[-32:]
    return False


def _iterparse(stream: IO[bytes]) -> Iterator[tuple[str, ElementTree.Element, list]]:
    """ElementTree.iterparse with the open elements' stack, so that finished rows can be
    removed from their parent: memory stays flat on sheets of a million rows."""
    stack: list[ElementTree.Element] = []
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        if event == "start":
            stack.append(element)
        else:
            stack.pop()
        yield event, element, stack


def _xlsx_sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding its XML."""
    book = "xl/workbook.xml"
    relations = "xl/_rels/workbook.xml.rels"
    targets = {}
    for element in ElementTree.fromstring(archive.read(relations)):
        target = element.get("Target", "")
        targets[element.get("Id")] = (
            target.lstrip("/") if target.startswith("/") else ("xl/" + target)
        )
    parts = {}
    for element in ElementTree.fromstring(archive.read(book)).iter():
        if _local(element.tag) == "sheet":
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rid in targets:
                parts[element.get("name")] = targets[rid]
    return parts


def _xlsx_formula_cells(path: Path, names: list[str]) -> dict[str, list[tuple[int, int, str]]]:
    """Per sheet of ``names``: (spreadsheet row, column position, formula) of each cell with a
    formula and no cached value (``<f>`` without ``<v>``, or with an empty ``<v/>`` unless
    the cell is typed as a string: Excel saves a formula giving "" as ``t="str"``, ``<v></v>``).
    Only sheets whose XML holds a formula are parsed."""
    found: dict[str, list[tuple[int, int, str]]] = {}
    with zipfile.ZipFile(path) as archive:
        if "xl/workbook.xml" not in archive.namelist():
            return found
        parts = _xlsx_sheet_parts(archive)
        members = set(archive.namelist())
        for name in names:
            part = parts.get(name)
            if part not in members:
                continue
            with archive.open(part) as stream:
                if not _holds(stream, _FORMULA_TAG):
                    continue
            with archive.open(part) as stream:
                if cells := _formulas_without_value(stream):
                    found[name] = cells
    return found


def _formulas_without_value(stream: IO[bytes]) -> list[tuple[int, int, str]]:
    cells = []
    shared: dict[str, tuple[str, str]] = {}  # shared formula id: (text, first cell)
    row_number, column = 0, -1
    for event, element, stack in _iterparse(stream):
        tag = _local(element.tag)
        if event == "start":
            if tag == "row":
                row_number = int(element.get("r") or row_number + 1)
                column = -1
            continue
        if tag == "c":
            ref = element.get("r")
            if ref and (match := _REF.fullmatch(ref)):
                letters, number = match.groups()
                column = 0
                for letter in letters:
                    column = column * 26 + ord(letter) - ord("A") + 1
                column -= 1
                row_number = int(number)
            else:
                column += 1
            children = {_local(child.tag): child for child in element}
            formula, value = children.get("f"), children.get("v")
            if formula is not None:
                text = formula.text or ""
                key = formula.get("si")
                if formula.get("t") == "shared" and key is not None:
                    if text:
                        shared[key] = (text, cell_ref(row_number - 1, column))
                    elif key in shared:
                        text = f"{shared[key][0]} (shared from {shared[key][1]})"
                cached = value is not None and (value.text or element.get("t") == "str")
                if not cached:
                    cells.append((row_number, column, f"={text}"))
        elif tag == "row" and stack:
            stack[-1].remove(element)
    return cells


def _ods_extras(
    path: Path,
) -> tuple[dict[str, list], dict[str, list[tuple[int, int, str]]]]:
    """Merged ranges ((top, left), (bottom, right), 0-based; calamine gives none for .ods) and
    formulas without a value (``table:formula`` without ``office:value-type``) per sheet of an
    .ods, from content.xml; parsed only when it holds either."""
    merges: dict[str, list] = {}
    formulas: dict[str, list[tuple[int, int, str]]] = {}
    with zipfile.ZipFile(path) as archive:
        with archive.open("content.xml") as stream:
            if not _holds(stream, _ODS_MARKERS):
                return merges, formulas
        with archive.open("content.xml") as stream:
            name, row, column, repeat = "", 0, 0, 1
            for event, element, stack in _iterparse(stream):
                tag = element.tag
                if event == "start":
                    if tag == _ODS_TABLE + "table":
                        name, row = element.get(_ODS_TABLE + "name", ""), 0
                    elif tag == _ODS_TABLE + "table-row":
                        column = 0
                        repeat = int(element.get(_ODS_TABLE + "number-rows-repeated", 1))
                    continue
                if tag in (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell"):
                    if tag == _ODS_TABLE + "table-cell":
                        down = int(element.get(_ODS_TABLE + "number-rows-spanned", 1))
                        across = int(element.get(_ODS_TABLE + "number-columns-spanned", 1))
                        if down > 1 or across > 1:
                            merges.setdefault(name, []).append(
                                ((row, column), (row + down - 1, column + across - 1))
                            )
                        formula = element.get(_ODS_TABLE + "formula")
                        if formula and element.get(_ODS_OFFICE + "value-type") is None:
                            text = formula.partition(":")[2] if formula[:3] == "of:" else formula
                            formulas.setdefault(name, []).append((row + 1, column, text))
                    column += int(element.get(_ODS_TABLE + "number-columns-repeated", 1))
                elif tag == _ODS_TABLE + "table-row":
                    row += repeat
                    if stack:
                        stack[-1].remove(element)
    return merges, formulas


def read_raw(path: Path) -> RawTable:
    """Read one raw file, choosing the reader by its extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return read_csv(path)
    if suffix in WORKBOOK_SUFFIXES:
        return read_workbook(path)
    raise StructuralError(
        f"files of type '{suffix}' cannot be read",
        file=path,
        expected=f"one of {', '.join(SUPPORTED)}",
        hint="Save the sheet from Excel as .xlsx or CSV",
    )
