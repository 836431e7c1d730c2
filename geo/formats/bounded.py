"""Bounds on an untrusted table's bytes, checked as the bytes stream past and before any parser
builds anything from them.

``LimitedReader`` refuses a stream (a gzip or zip member as it unpacks) once it gives more than a
number of bytes. ``CsvShape`` follows a CSV's structure chunk by chunk, the way pandas' C parser
reads it (a quote opens a quoted cell only at the start of a cell; inside one, ``""`` is a quote;
elsewhere a quote is an ordinary character), and refuses a header of more than ``MAX_COLUMNS``
columns, a row of more than ``MAX_COLUMNS`` cells, and a cell of more than ``MAX_CELL_BYTES``
bytes as soon as it is seen. Its work is linear in the input: each chunk is classified with
numpy, and only the quotes of a chunk that holds a quote in the middle of an unquoted cell are
followed one by one (at most ``MAX_SLOW_QUOTES`` of them in a file).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import IO

import numpy as np

from geo.errors import DataError, Problem
from geo.schema import MAX_CELL_CHARS, MAX_COLUMNS

MAX_CELL_BYTES = 4 * MAX_CELL_CHARS
"""The most bytes a cell may take in the file: ``MAX_CELL_CHARS`` characters of four bytes each
(UTF-8's longest). A longer cell holds more characters than the limit in any encoding, so it is
refused as it is read; a cell between the two is refused by the cell check after parsing."""
MAX_SLOW_QUOTES = 5_000_000
"""The most quotes followed one by one in a file with quotes in the middle of unquoted cells (a
well-formed CSV has none; following 20 million takes a few seconds)."""
SCAN_CHUNK = 2**20
_HEADER_BYTES = 2**20

# Byte classes: 0 any other byte, 1 comma, 2 line feed, 3 carriage return, 4 quote.
_CLASS = np.zeros(256, dtype=np.uint8)
for _byte, _kind in ((b",", 1), (b"\n", 2), (b"\r", 3), (b'"', 4)):
    _CLASS[_byte[0]] = _kind
# Reader states between quotes: outside a quoted cell, inside one, just after its closing quote.
_OUT, _IN, _CLOSED = 0, 1, 2


class LimitedReader(io.RawIOBase):
    """A readable binary stream that refuses (``DataError``) to give more than ``limit`` bytes."""

    def __init__(
        self, raw: IO[bytes] | io.BufferedIOBase, limit: int, refuse: Callable[[], DataError]
    ) -> None:
        super().__init__()
        self._raw = raw
        self._left = limit
        self._refuse = refuse

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self._raw.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise self._refuse()
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


class CsvShape:
    """The shape of a CSV read so far: feed it the file's bytes in order, then call ``finish``.

    The bytes must be in an encoding where ``"``, ``,``, ``\\r`` and ``\\n`` are those single
    bytes and no other character's bytes contain them (UTF-8 and the single-byte encodings).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.header: list[str] | None = None
        self._head = bytearray()
        self._offset = 0
        self._last_class = 2  # the start of the file counts as the start of a line
        self._state = _OUT
        self._cell_start = 0
        self._fields = 1
        self._record = 1
        self._slow_quotes = 0

    def feed(self, chunk: bytes) -> None:
        """Follow one more chunk; ``DataError`` as soon as a bound is passed."""
        if not chunk:
            return
        cls = _CLASS[np.frombuffer(chunk, dtype=np.uint8)]
        if b'"' not in chunk and self._state != _IN and self._quick(chunk, cls):
            self._offset += len(chunk)
            self._last_class = int(cls[-1])
            self._state = _OUT
            return
        if b'"' in chunk:
            idx = np.flatnonzero(cls)
            separator = self._outside_quotes(cls, idx)
            idx = idx[separator]
        elif self._state == _IN:  # inside a quoted cell all through the chunk
            idx = np.zeros(0, dtype=np.int64)
        else:
            self._state = _OUT if self._state == _OUT else _CLOSED
            idx = np.flatnonzero(cls)
        kind = cls[idx]
        if b"\r\n" in chunk or (chunk[:1] == b"\n" and self._last_class == 3):
            before = cls[np.maximum(idx - 1, 0)]
            if len(idx) and idx[0] == 0:
                before[0] = self._last_class
            single = ~((kind == 2) & (before == 3))  # \r\n ends one row
            idx, kind = idx[single], kind[single]
        self._check_cells(idx, kind, chunk)
        self._offset += len(chunk)
        self._last_class = int(cls[-1])

    def _quick(self, chunk: bytes, cls: np.ndarray) -> bool:
        """Check a chunk without quotes (every comma and line end in it a separator) with a few
        passes: ``True`` when no bound is passed in it, ``False`` to follow it exactly."""
        if self._record == 1:
            return False
        window = max(MAX_CELL_BYTES // 2, 1)
        for start in range(0, len(chunk), window):  # a separator in every window: short cells
            end = start + window
            if all(chunk.find(sep, start, end) < 0 for sep in (b",", b"\n", b"\r")):
                return False
        first = min(i for i in (chunk.find(b","), chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0)
        last = max(chunk.rfind(b","), chunk.rfind(b"\n"), chunk.rfind(b"\r"))
        if self._offset + first - self._cell_start > MAX_CELL_BYTES:
            return False
        commas = np.cumsum(cls == 1, dtype=np.int32)
        ends = np.flatnonzero(cls >= 2)
        if len(ends):
            per_row = np.diff(commas[ends], prepend=0) + 1
            per_row[0] += self._fields - 1
            if per_row.max() > MAX_COLUMNS:
                return False
            fields = int(commas[-1] - commas[ends[-1]]) + 1
        else:
            fields = self._fields + int(commas[-1])
        if fields > MAX_COLUMNS:
            return False
        pairs = chunk.count(b"\r\n") + (chunk[:1] == b"\n" and self._last_class == 3)
        self._record += len(ends) - pairs
        self._fields = fields
        self._cell_start = self._offset + last + 1
        return True

    def _outside_quotes(self, cls: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Which of the chunk's commas, line ends and quotes (at ``idx``) are separators outside
        a quoted cell."""
        quote = cls[idx] == 4
        at = idx[quote]
        before = cls[np.maximum(at - 1, 0)]
        if len(at) and at[0] == 0:
            before[0] = self._last_class
        inside_before = self._state == _IN
        if self._regular(before):  # the quotes alternate: inside after an odd number of them
            odd = (np.cumsum(quote, dtype=np.uint8) & 1).view(bool)
            inside = ~odd if inside_before else odd
            if len(at):
                self._state = _IN if inside_before != (len(at) % 2 == 1) else _CLOSED
            return np.asarray(~quote & ~inside)
        inside_after = self._follow_quotes(before)
        quotes_before = np.cumsum(quote) - quote
        inside = np.full(len(idx), inside_before)
        seen = quotes_before > 0
        inside[seen] = inside_after[quotes_before[seen] - 1]
        return np.asarray(~quote & ~inside)

    def _regular(self, before: np.ndarray) -> bool:
        """Whether every quote at an opening position (given the class of the byte before each
        quote) opens a quoted cell, so that the quotes simply alternate."""
        first_open = 1 if self._state == _IN else 0
        if (before[first_open::2] == 0).any():
            return False
        return not (self._state == _OUT and len(before) and before[0] == 4)

    def finish(self) -> list[str] | None:
        """The header's column names once the whole file has been fed (``None`` if unknown)."""
        if self.header is None and self._record == 1:
            self._read_header(bytes(self._head))
        return self.header

    def _follow_quotes(self, before: np.ndarray) -> np.ndarray:
        """The same, one quote at a time, for a chunk with quotes inside unquoted cells."""
        self._slow_quotes += len(before)
        if self._slow_quotes > MAX_SLOW_QUOTES:
            raise self._problem(
                None,
                None,
                f"more than {MAX_SLOW_QUOTES:,} quotes follow quotes in the middle of unquoted "
                'cells; quote such cells (a cell holding 5" is written "5""")',
            )
        state = self._state
        inside = np.zeros(len(before), dtype=bool)
        for number, previous in enumerate(before.tolist()):  # the reader's state machine
            if state == _IN:
                state = _CLOSED
            elif state == _CLOSED:
                state = _OUT if previous == 0 else _IN
            else:
                state = _IN if previous in (1, 2, 3) else _OUT
            inside[number] = state == _IN
        self._state = state
        return inside

    def _check_cells(self, at: np.ndarray, kinds: np.ndarray, chunk: bytes) -> None:
        """Check the cells ended in this chunk (``at``: where their separators are in it) and
        the one still open at its end."""
        ends = at + self._offset
        lengths = np.diff(ends, prepend=self._cell_start - 1) - 1
        too_long = np.flatnonzero(lengths > MAX_CELL_BYTES)
        line_end = np.flatnonzero(kinds != 1)  # the separators that end a row
        fields = np.diff(line_end, prepend=line_end[:1] - self._fields - line_end[:1])
        fields[:1] = self._fields + line_end[:1]
        too_wide = np.flatnonzero(fields > MAX_COLUMNS)
        if self._record == 1:
            self._take_header(chunk, ends, line_end)
        if len(too_wide) and (not len(too_long) or line_end[too_wide[0]] <= too_long[0]):
            raise self._too_wide(self._record + int(too_wide[0]), int(fields[too_wide[0]]), True)
        if len(too_long):
            self._too_long(int(too_long[0]), line_end)
        if len(ends):
            self._cell_start = int(ends[-1]) + 1
            self._fields = (len(ends) - 1 - int(line_end[-1]) if len(line_end) else
                            self._fields + len(ends) - 1) + 1  # fmt: skip
            self._record += len(line_end)
        if self._fields > MAX_COLUMNS:
            raise self._too_wide(self._record, self._fields, False)
        if self._offset + len(chunk) - self._cell_start > MAX_CELL_BYTES:
            raise self._cell_problem(self._record, self._fields)

    def _take_header(self, chunk: bytes, ends: np.ndarray, line_end: np.ndarray) -> None:
        if len(line_end):
            end = int(ends[line_end[0]]) - self._offset
            self._read_header(bytes(self._head) + chunk[: max(end, 0)])
        elif len(self._head) < _HEADER_BYTES:
            self._head += chunk[: _HEADER_BYTES - len(self._head)]

    def _read_header(self, data: bytes) -> None:
        text = data.decode("utf-8", errors="replace")
        try:
            self.header = next(csv.reader(io.StringIO(text, newline="")), [])
        except csv.Error as exc:  # a column name over the csv module's own limit
            raise self._problem(1, None, f"the header cannot be read: {exc}") from None

    def _too_long(self, cell: int, line_end: np.ndarray) -> None:
        ended = int(np.searchsorted(line_end, cell))  # rows ended before this cell
        if ended == 0:
            field = self._fields + cell
        else:
            field = cell - int(line_end[ended - 1])
        raise self._cell_problem(self._record + ended, field)

    def _cell_problem(self, row: int, field: int) -> DataError:
        return self._problem(
            row,
            field,
            f"the cell holds more than {MAX_CELL_BYTES:,} bytes, so more than "
            f"{MAX_CELL_CHARS:,} characters; the limit is {MAX_CELL_CHARS:,}",
        )

    def _too_wide(self, row: int, fields: int, whole: bool) -> DataError:
        count = f"{fields:,}" if whole else f"more than {MAX_COLUMNS:,}"
        if row == 1:
            return self._problem(1, None, f"{count} columns; the limit is {MAX_COLUMNS:,}")
        return self._problem(row, None, f"{count} cells; the limit is {MAX_COLUMNS:,} columns")

    def _problem(self, row: int | None, field: int | None, message: str) -> DataError:
        column = None
        if field is not None:
            names = self.header or []
            if row != 1 and field <= len(names) and names[field - 1].strip():
                column = names[field - 1].strip().lstrip("\ufeff")
            else:
                message = f"(cell {field} of the row) {message}"
        return DataError(Problem(self.name, row, column, message))


def check_shape(stream: IO[bytes], name: str) -> list[str] | None:
    """Read ``stream`` to its end through a ``CsvShape``; the header's names."""
    shape = CsvShape(name)
    while chunk := stream.read(SCAN_CHUNK):
        shape.feed(chunk)
    return shape.finish()


__all__ = [
    "MAX_CELL_BYTES",
    "MAX_SLOW_QUOTES",
    "CsvShape",
    "LimitedReader",
    "check_shape",
]
