"""Writing the project's tables as Parquet: typed columns, and a GeoParquet point geometry.

An incident table is written with dates as dates, coordinates as doubles, tolls as 64-bit
integers and text as text, plus a ``geometry`` column of WKB points and GeoParquet 1.1 ``geo``
metadata, so GIS software reads it as points while this product reads its ``lon``/``lat``.
Claims have their figures as integers; sources are text. Every file is written to a temporary
name beside its place and moved there when complete (``geo.files``): a reader never sees half.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo.files import write_atomic
from geo.formats.wkb import encode_points
from geo.schema import CLAIM_COLUMNS, COLUMNS, SOURCE_COLUMNS, TOLL_COLUMNS

GEO_METADATA = {
    "version": "1.1.0",
    "primary_column": "geometry",
    "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}},
}
"""GeoParquet's ``geo`` metadata of an incident table (no ``crs``: OGC:CRS84, lon/lat)."""
_DATES = ("date_start", "date_end")
_FIGURES = ("killed", "wounded")


def _schema(columns: list[str], types: dict[str, pa.DataType]) -> pa.Schema:
    return pa.schema([(c, types.get(c, pa.string())) for c in columns])


INCIDENTS_OUT = _schema(
    COLUMNS,
    {
        **dict.fromkeys(_DATES, pa.date32()),
        "lat": pa.float64(),
        "lon": pa.float64(),
        **dict.fromkeys(TOLL_COLUMNS, pa.int64()),
    },
).append(pa.field("geometry", pa.binary()))
INCIDENTS_OUT = INCIDENTS_OUT.with_metadata({b"geo": json.dumps(GEO_METADATA).encode()})
CLAIMS_OUT = _schema(CLAIM_COLUMNS, dict.fromkeys(_FIGURES, pa.int64()))
SOURCES_OUT = _schema(SOURCE_COLUMNS, {})


def _text(values: pd.Series) -> pa.Array:
    return pa.array(values.astype(object).where(values.notna(), "").astype(str), pa.string())


def _integers(values: pd.Series) -> pa.Array:
    cells = values.astype(object).where(values.notna(), None).replace("", None)
    numbers = pd.to_numeric(cells, errors="coerce").astype("Float64")
    return pa.array(numbers.round().astype("Int64"), pa.int64(), from_pandas=True)


def incidents_table(frame: pd.DataFrame) -> pa.Table:
    """An incident table (``COLUMNS``; dates as datetimes or ``YYYY-MM-DD``) as typed Arrow
    with its point geometry."""
    frame = frame.reindex(columns=COLUMNS).reset_index(drop=True)
    arrays = []
    for name in COLUMNS:
        values = frame[name]
        if name in _DATES:
            days = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
            arrays.append(pa.array(days.dt.date, pa.date32(), from_pandas=True))
        elif name in ("lat", "lon"):
            arrays.append(pa.array(pd.to_numeric(values, errors="coerce"), pa.float64()))
        elif name in TOLL_COLUMNS:
            arrays.append(_integers(values))
        else:
            arrays.append(_text(values))
    lon = arrays[COLUMNS.index("lon")].to_numpy(zero_copy_only=False)
    lat = arrays[COLUMNS.index("lat")].to_numpy(zero_copy_only=False)
    arrays.append(encode_points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)))
    return pa.Table.from_arrays(arrays, schema=INCIDENTS_OUT)


def claims_table(frame: pd.DataFrame) -> pa.Table:
    """Claims (``CLAIM_COLUMNS``) with their figures as integers (null where none is given)."""
    frame = frame.reindex(columns=CLAIM_COLUMNS).reset_index(drop=True)
    arrays = [_integers(frame[c]) if c in _FIGURES else _text(frame[c]) for c in CLAIM_COLUMNS]
    return pa.Table.from_arrays(arrays, schema=CLAIMS_OUT)


def sources_table(frame: pd.DataFrame) -> pa.Table:
    frame = frame.reindex(columns=SOURCE_COLUMNS).reset_index(drop=True)
    return pa.Table.from_arrays([_text(frame[c]) for c in SOURCE_COLUMNS], schema=SOURCES_OUT)


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` atomically."""
    write_atomic(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


class ParquetAppender:
    """One Parquet file written a part at a time, moved into place by ``close`` (a reader sees
    the old file or the whole new one); an error leaves the old file as it was."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = Path(path)
        fd, name = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        os.close(fd)
        self._tmp = Path(name)
        self._writer = pq.ParquetWriter(self._tmp, schema, compression="zstd")

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table, row_group_size=2**20)

    def close(self) -> None:
        self._writer.close()
        os.chmod(self._tmp, 0o644)
        if self.path.exists() and not self.path.is_file():  # a device or pipe: never replaced
            with self._tmp.open("rb") as made, self.path.open("wb") as out:
                shutil.copyfileobj(made, out)
            self._tmp.unlink()
            return
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._writer.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> ParquetAppender:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


__all__ = [
    "CLAIMS_OUT",
    "GEO_METADATA",
    "INCIDENTS_OUT",
    "SOURCES_OUT",
    "ParquetAppender",
    "claims_table",
    "incidents_table",
    "sources_table",
    "write_parquet",
]
