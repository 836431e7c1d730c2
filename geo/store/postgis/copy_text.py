"""Tables sent to the team store with ``COPY``, as PostgreSQL's text format built by Arrow.

Every cell is data, never SQL. In a text cell, backslash, tab, newline and carriage return
are escaped as the format asks, so no cell can end a row, split a column or be read as the end
of the data (``\\.``); a missing value is ``\\N``. Rows are made a block at a time from whole
columns (no Python loop over rows), and each block is sent while the server reads the one
before: at a million incidents this takes seconds where a row at a time took a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.store.postgis.connection import names

if TYPE_CHECKING:
    import psycopg
    import pyarrow as pa

TEXT, DATE, WHOLE, REAL = "text", "date", "whole", "real"
"""How a column is written: text as it is (missing: empty), a date as ``YYYY-MM-DD``, a whole
number (``""`` or anything not a number: missing) and a real number (shortest round trip)."""
BLOCK_ROWS = 50_000
"""Rows made and sent at a time: the memory of one block, not of the whole table."""
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
_SPECIAL = r"[\\\t\n\r]"


def copy_frame(
    conn: psycopg.Connection[Any], table: str, frame: pd.DataFrame, kinds: dict[str, str]
) -> None:
    """Send ``frame``'s columns named in ``kinds`` (in that order, each written as its kind)
    into ``table``'s columns of the same names with one ``COPY``."""
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), names(list(kinds)))
    with conn.cursor().copy(statement) as copy:
        for block in copy_blocks(frame, kinds):
            copy.write(block)


def copy_blocks(frame: pd.DataFrame, kinds: dict[str, str]) -> Iterator[memoryview]:
    """``frame``'s rows as ``COPY`` text, a block of :data:`BLOCK_ROWS` rows at a time."""
    import pyarrow as pa
    import pyarrow.compute as pc

    tab, end, nothing = (pa.scalar(s, pa.large_string()) for s in ("\t", "\n", ""))
    for start in range(0, len(frame), BLOCK_ROWS):
        part = frame.iloc[start : start + BLOCK_ROWS]
        cells = [_cells(part[column], kind) for column, kind in kinds.items()]
        lines = pc.binary_join_element_wise(*cells, tab)
        yield _payload(pc.binary_join_element_wise(lines, nothing, end))


def _cells(series: pd.Series, kind: str) -> pa.Array:
    """One column's cells as ``COPY`` text (``\\N`` where a value is missing)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if kind == DATE and pd.api.types.is_datetime64_any_dtype(series):
        # The day, as a date's text is YYYY-MM-DD (any time of day is left out).
        out = pc.cast(pc.cast(_arrow(series), pa.date32(), safe=False), pa.large_string())
    elif kind == WHOLE:
        out = pc.cast(_whole(series), pa.large_string())
    elif kind == REAL:
        out = pc.cast(pa.array(series.to_numpy(dtype=float)), pa.large_string())
    else:  # text (and a date column that is not typed: the server reads its text)
        out = _escaped(_arrow(series.astype("string").fillna("")))
    return pc.fill_null(pc.cast(out, pa.large_string()), "\\N")


def _whole(series: pd.Series) -> pa.Array:
    """Whole numbers: an integer column as it is; text as a number where it reads as one
    (``""`` or anything else: missing), a fraction cut to its whole part."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pd.api.types.is_integer_dtype(series):
        return pc.cast(_arrow(series), pa.int64())
    if pd.api.types.is_string_dtype(series):
        text = _arrow(series.astype("string"))
        try:  # the usual case: every cell a plain whole number or empty
            return pc.cast(pc.if_else(pc.equal(text, ""), None, text), pa.int64())
        except pa.ArrowInvalid:
            pass
    numbers = pd.to_numeric(series.replace("", np.nan), errors="coerce")
    return pc.cast(pa.array(np.trunc(numbers.astype("Float64")), from_pandas=True), pa.int64())


def _arrow(series: pd.Series) -> pa.Array:
    """A column as one Arrow array."""
    import pyarrow as pa

    values = pa.array(series, from_pandas=True)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _escaped(values: pa.Array) -> pa.Array:
    """Text cells with backslash, tab, newline and carriage return escaped (a column holding
    none of them is left as it is)."""
    import pyarrow.compute as pc

    if not pc.any(pc.match_substring_regex(values, _SPECIAL)).as_py():
        return values
    for old, new in _ESCAPES:  # the backslash first: the later escapes add backslashes
        values = pc.replace_substring(values, old, new)
    return values


def _payload(lines: pa.Array) -> memoryview:
    """The bytes of a column of lines, one after another, without copying them."""
    import pyarrow as pa

    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    _, offsets, data = lines.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int64, count=len(lines) + 1, offset=8 * lines.offset)
    return memoryview(data)[int(bounds[0]) : int(bounds[-1])]


__all__ = ["BLOCK_ROWS", "DATE", "REAL", "TEXT", "WHOLE", "copy_blocks", "copy_frame"]
