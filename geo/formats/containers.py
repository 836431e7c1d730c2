"""Files as analysts have them: a CSV that is gzipped, zipped or a spreadsheet, in any encoding.

Each container gives back the bytes of one CSV table (or, for ``.xlsx``, the table itself), with
bounds: a compressed table may unpack to at most ``MAX_UNPACKED_BYTES`` (an upload to four times
its own limit), read in chunks so that a bomb is refused once the bound is passed; a workbook
whose sheet says it is wider or longer than the table limits is refused before a cell is read.
"""

from __future__ import annotations

import codecs
import gzip
import io
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import IO

import pandas as pd

from geo.errors import DataError, Problem, UsageError
from geo.formats.bounded import SCAN_CHUNK, LimitedReader
from geo.schema import MAX_COLUMNS

MAX_UNPACKED_BYTES = 4 * 2**30
"""The most a compressed table on disk may unpack to (ACLED's whole dataset is about 1.5 GB as
CSV)."""
UPLOAD_UNPACK_FACTOR = 4
"""An uploaded compressed table may unpack to this many times the upload limit."""
CONTAINER_SUFFIXES = (".csv.gz", ".zip", ".xlsx")
_CHUNK = 16 * 2**20


def table_suffix(path: Path) -> str:
    """The suffix that says what a file is: ``.csv.gz`` for a gzipped CSV, else the last one."""
    name = path.name.lower()
    if name.endswith(".csv.gz"):
        return ".csv.gz"
    return path.suffix.lower()


def _fail(path: Path, message: str) -> DataError:
    return DataError(Problem(path.name, None, None, message))


def _size(limit: int) -> str:
    return f"{limit / 2**30:.0f} GB" if limit >= 2**30 else f"{limit / 2**20:.0f} MB"


def _unreadable(path: Path, suffix: str, exc: BaseException) -> DataError:
    kind = "gzip" if suffix == ".csv.gz" else "zip"
    return _fail(path, f"not a readable {kind} file ({type(exc).__name__})")


def _too_much(path: Path, limit: int) -> Callable[[], DataError]:
    return lambda: _fail(path, f"unpacks to more than {_size(limit)}; the limit is {_size(limit)}")


class _Unpacked(LimitedReader):
    """A member's bytes as they unpack, bounded; a broken archive is a ``DataError``."""

    def __init__(
        self, raw: IO[bytes] | io.BufferedIOBase, path: Path, limit: int, archive: object = None
    ) -> None:
        super().__init__(raw, limit, _too_much(path, limit))
        self._path, self._archive = path, archive

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        try:
            return super().readinto(buffer)
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
            raise _unreadable(self._path, table_suffix(self._path), exc) from None

    def close(self) -> None:
        super().close()
        if isinstance(self._archive, zipfile.ZipFile):
            self._archive.close()


def open_csv(path: Path, *, max_bytes: int | None = None) -> tuple[Callable[[], IO[bytes]], str]:
    """How to read the CSV inside a ``.csv.gz`` or ``.zip`` file (a function that opens a fresh
    stream of its bytes each time it is called), and the name of the table inside.

    The stream unpacks as it is read and is refused once it gives more than the limit:
    ``MAX_UNPACKED_BYTES``, or for uploads (``max_bytes``) ``UPLOAD_UNPACK_FACTOR`` times
    ``max_bytes``; nothing is held whole. A zip must hold exactly one ``.csv`` file (folders and
    other files, such as a README beside it, are ignored); several are refused with their names.
    """
    limit = MAX_UNPACKED_BYTES if max_bytes is None else UPLOAD_UNPACK_FACTOR * max_bytes
    suffix = table_suffix(path)
    if suffix == ".csv.gz":

        def open_gzip() -> IO[bytes]:
            try:
                raw = gzip.open(path, "rb")
            except OSError as exc:
                raise _unreadable(path, suffix, exc) from None
            return io.BufferedReader(_Unpacked(raw, path, limit), SCAN_CHUNK)

        return open_gzip, path.name[: -len(".gz")]
    member = _zip_member(path, limit)

    def open_zip() -> IO[bytes]:
        try:
            archive = zipfile.ZipFile(path)
            raw = archive.open(member)
        except (OSError, zipfile.BadZipFile) as exc:
            raise _unreadable(path, suffix, exc) from None
        return io.BufferedReader(_Unpacked(raw, path, limit, archive), SCAN_CHUNK)

    return open_zip, Path(member.filename).name


def _zip_member(path: Path, limit: int) -> zipfile.ZipInfo:
    """The one CSV table in a zip file, checked from its directory."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir()
                and m.filename.lower().endswith(".csv")
                and not Path(m.filename).name.startswith(".")
                and "__MACOSX" not in m.filename
            ]
    except (OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise _unreadable(path, ".zip", exc) from None
    if len(members) != 1:
        names = ", ".join(m.filename for m in members[:10]) or "none"
        raise _fail(
            path, f"a zip file must hold one CSV table; this one holds {len(members)} ({names})"
        )
    if members[0].flag_bits & 0x1:
        raise _fail(path, "the zip file is encrypted; unzip it and read the CSV")
    if members[0].compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _fail(path, "the zip file cannot be opened; unzip it and read the CSV")
    if members[0].file_size > limit:  # the reader also stops at the size the directory states
        raise _too_much(path, limit)()
    return members[0]


MAX_XLSX_PART_BYTES = 16 * 2**20
"""The most an ``.xlsx`` part other than a worksheet or the shared strings (styles, workbook,
relationships, theme) may unpack to: Excel writes each in well under 1 MB."""
MAX_XLSX_PART_TAGS = 4 * 2**16
"""The most XML tags such a part may hold: four for each of Excel's 65,490 cell formats (each
tag costs openpyxl an object; 3 million styles in 465 KB took 2.5 GB)."""
MAX_SHARED_STRING_TAGS = 4 * 2_000_000
"""The most XML tags the shared strings of an uploaded workbook may hold: four tags
(``<si><t>…</t></si>``) for each of 2,000,000 texts, ``MAX_ROWS`` of them. openpyxl holds every
shared string (about 100 bytes each besides its text) before a cell is read: 20 million took
2 GB. A workbook on disk may hold four times as many."""


def check_workbook(path: Path, *, max_bytes: int | None = None) -> None:
    """Refuse a workbook whose parts would cost more to read than a table may (``DataError``
    naming the part), from the zip directory and a count of each XML part's tags as it
    unpacks, before openpyxl parses any part.

    A worksheet or the shared strings may unpack to the compressed table limit
    (``MAX_UNPACKED_BYTES``; ``UPLOAD_UNPACK_FACTOR`` times ``max_bytes`` for uploads), any
    other XML part to ``MAX_XLSX_PART_BYTES``; tags are bounded by ``MAX_SHARED_STRING_TAGS``
    and ``MAX_XLSX_PART_TAGS``. A part is read no further than the size its directory entry
    states (``zipfile`` stops there), so a directory that understates a size cannot pass.
    """
    limit = MAX_UNPACKED_BYTES if max_bytes is None else UPLOAD_UNPACK_FACTOR * max_bytes
    strings_tags = MAX_SHARED_STRING_TAGS * (1 if max_bytes is not None else 4)
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                part = info.filename.lower()
                if info.is_dir() or not part.endswith((".xml", ".rels")):
                    continue  # pictures and other binary parts are not read for cell values
                strings = part.endswith("sharedstrings.xml")
                big = strings or part.startswith("xl/worksheets/")
                bound = limit if big else MAX_XLSX_PART_BYTES
                if info.file_size > bound:
                    raise _fail(
                        path,
                        f"its part {info.filename[:100]!r} unpacks to {_size(info.file_size)}; "
                        f"the limit is {_size(bound)}",
                    )
                if not big or strings:
                    tags = strings_tags if strings else MAX_XLSX_PART_TAGS
                    _count_tags(archive, info, tags, path)
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise _fail(path, f"not a readable Excel (.xlsx) workbook ({type(exc).__name__})") from None
    except (RuntimeError, NotImplementedError):  # encryption or a compression zipfile lacks
        raise _fail(
            path, "not a readable Excel (.xlsx) workbook (its parts cannot be opened)"
        ) from None


def _count_tags(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, path: Path) -> None:
    """Refuse a part holding more than ``limit`` XML tags (``<``), counted as it unpacks."""
    count = 0
    with archive.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            count += chunk.count(b"<")
            if count > limit:
                raise _fail(
                    path,
                    f"its part {info.filename[:100]!r} holds more than {limit:,} XML tags; "
                    f"the limit is {limit:,}",
                )


def read_xlsx(path: Path, *, max_rows: int, max_bytes: int | None = None) -> pd.DataFrame:
    """The first sheet of an Excel workbook as a table of strings (GTD ships one).

    Only the values last saved in the cells are read: formulas are never run. The sheet's
    stated size is checked first (a tiny file can claim a million rows by 16,384 columns).
    Dates become ``YYYY-MM-DD`` (with the time only where there is one), whole numbers lose
    their ``.0`` (GTD's event ids are stored as numbers). The workbook's parts are checked
    first (:func:`check_workbook`; ``max_bytes``: an upload's limit).
    """
    from openpyxl import load_workbook

    check_workbook(path, max_bytes=max_bytes)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise _fail(path, f"not a readable Excel (.xlsx) workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        width, height = sheet.max_column or 0, sheet.max_row or 0
        if width > MAX_COLUMNS:
            raise _fail(
                path, f"the first sheet is {width:,} columns wide; the limit is {MAX_COLUMNS}"
            )
        if height > max_rows + 1:
            raise _fail(path, f"the first sheet has {height - 1:,} rows; the limit is {max_rows:,}")
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        header = next(rows, None)
        if header is None:
            raise _fail(path, "the first sheet is empty")
        header = _trimmed(header)
        if len(header) > MAX_COLUMNS:
            raise _fail(path, f"{len(header):,} columns; the limit is {MAX_COLUMNS}")
        cells = []
        for row in rows:
            values = [_cell_text(v) for v in row[: len(header)]]
            if any(values):
                cells.append(values + [""] * (len(header) - len(values)))
            if len(cells) > max_rows:
                break
    finally:
        book.close()
    return pd.DataFrame(cells, columns=[_cell_text(h) for h in header], dtype=object)


def _trimmed(row: tuple[object, ...]) -> tuple[object, ...]:
    end = len(row)
    while end and row[end - 1] in (None, ""):
        end -= 1
    return row[:end]


def _cell_text(value: object) -> str:
    """A cell's value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if value.time() == time(0) else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return str(int(value))
    return str(value)


BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
"""Byte-order marks and the encoding each says (UTF-32's first: it starts as UTF-16's)."""


def decode_check(data: bytes, encoding: str | None, *, name: str) -> tuple[str, str | None]:
    """The encoding to read ``data`` with, and a note for the user when it is not UTF-8.

    With ``encoding`` stated, that one (a name Python does not know is refused). Otherwise a
    UTF-16 or UTF-32 byte-order mark decides; else UTF-8 when the bytes are UTF-8; else the
    encoding ``charset_normalizer`` finds most likely on a sample; else Windows-1252 (GTD's own,
    and Excel's on Western Windows) or Latin-1. The bytes are checked in chunks, never copied
    whole.
    """
    view = memoryview(data)
    return _decode_check(
        lambda: (view[start : start + _CHUNK] for start in range(0, len(data), _CHUNK)),
        encoding,
        name=name,
    )


UNKNOWN = -1
"""``utf8_first_bad`` not worked out yet."""


def decode_check_stream(
    open_stream: Callable[[], IO[bytes]],
    encoding: str | None,
    *,
    name: str,
    utf8_first_bad: int | None = UNKNOWN,
) -> tuple[str, str | None]:
    """As :func:`decode_check`, for bytes read (each time from the start) from streams that
    ``open_stream`` opens: a compressed table is checked as it unpacks, never held whole.
    ``utf8_first_bad``: what :func:`first_bad` gives for UTF-8, where an earlier pass over the
    bytes worked it out (a valid UTF-8 file is then not read again)."""

    def chunks() -> Iterator[bytes]:
        with open_stream() as fh:
            while chunk := fh.read(_CHUNK):
                yield chunk

    return _decode_check(chunks, encoding, name=name, utf8_first_bad=utf8_first_bad)


def _decode_check(
    chunks: Callable[[], Iterable[bytes | memoryview]],
    encoding: str | None,
    *,
    name: str,
    utf8_first_bad: int | None = UNKNOWN,
) -> tuple[str, str | None]:
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise DataError(
                Problem(name, None, None, f"unknown encoding {encoding!r}; try utf-8 or cp1252")
            ) from None
        bad = first_bad(chunks(), codec)
        if bad is not None:
            line, byte = _where(chunks(), bad)
            raise DataError(
                Problem(name, line, None, f"byte 0x{byte:02x} at offset {bad} is not {codec}")
            )
        return codec, None
    start = _window(chunks(), 0, 4)
    for bom, codec in BOMS:
        if start.startswith(bom):
            if first_bad(chunks(), codec) is None:
                return codec, f"read as {codec.upper()} (its byte-order mark says so)"
    bad_at = first_bad(chunks(), "utf-8") if utf8_first_bad == UNKNOWN else utf8_first_bad
    if bad_at is None:
        return "utf-8-sig", None
    sample = _window(chunks(), max(0, bad_at - 50_000), bad_at + 200_000)
    for codec in _guesses(sample):
        if first_bad(chunks(), codec) is not None:
            continue
        line, byte = _where(chunks(), bad_at)
        return codec, (
            f"not UTF-8 (byte 0x{byte:02x} on line {line}); read as {codec}. "
            "If letters look wrong, state the encoding (--encoding)"
        )
    return "latin-1", None  # pragma: no cover - latin-1 decodes every byte


def first_bad(chunks: Iterable[bytes | memoryview], codec: str) -> int | None:
    """The offset of the first byte ``codec`` cannot decode, or ``None``."""
    decoder = codecs.getincrementaldecoder(codec)()
    start = 0
    for chunk in chunks:
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, final=False)
        except UnicodeDecodeError as exc:
            return max(start - pending + exc.start, 0)
        start += len(chunk)
    pending = len(decoder.getstate()[0])
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return max(start - pending + exc.start, 0)
    return None


def _window(chunks: Iterable[bytes | memoryview], start: int, end: int) -> bytes:
    """The bytes from offset ``start`` to ``end``."""
    parts, offset = [], 0
    for chunk in chunks:
        if offset + len(chunk) > start:
            parts.append(bytes(chunk[max(start - offset, 0) : end - offset]))
        offset += len(chunk)
        if offset >= end:
            break
    return b"".join(parts)


def _where(chunks: Iterable[bytes | memoryview], offset: int) -> tuple[int, int]:
    """The line (from 1) of the byte at ``offset``, and that byte."""
    lines, seen = 1, 0
    for chunk in chunks:
        part = bytes(chunk[: offset - seen + 1])
        if seen + len(chunk) > offset:
            return lines + part[:-1].count(b"\n"), part[-1]
        lines += part.count(b"\n")
        seen += len(chunk)
    raise UsageError(offset)  # pragma: no cover - the offset is one the chunks gave


def _guesses(sample: bytes) -> list[str]:
    """Encodings to try, most likely first; Windows-1252 wins a tie (it reads the sample the
    same as the guess), being GTD's and Western Excel's."""
    found: list[str] = []
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(
            sample,
            cp_isolation=["cp1252", "cp1251", "latin_1", "cp1250", "iso8859_15", "koi8_r"],
        ).best()
        if best is not None and best.encoding:
            guess = codecs.lookup(best.encoding).name
            if not _same(sample, guess, "cp1252"):
                found.append(guess)
    except ImportError:  # pragma: no cover - a requirement
        pass
    return [*found, "cp1252", "latin-1"]


def _same(sample: bytes, one: str, other: str) -> bool:
    try:
        return sample.decode(one, errors="ignore") == sample.decode(other, errors="strict")
    except UnicodeDecodeError:
        return False


__all__ = [
    "BOMS",
    "CONTAINER_SUFFIXES",
    "MAX_SHARED_STRING_TAGS",
    "MAX_UNPACKED_BYTES",
    "MAX_XLSX_PART_BYTES",
    "MAX_XLSX_PART_TAGS",
    "UNKNOWN",
    "UPLOAD_UNPACK_FACTOR",
    "check_workbook",
    "decode_check",
    "decode_check_stream",
    "first_bad",
    "open_csv",
    "read_xlsx",
    "table_suffix",
]
