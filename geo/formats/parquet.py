"""Parquet and GeoParquet tables, read with pyarrow alone (never GDAL, never SQL over the file).

A file is checked before any row is read (:func:`open_parquet`): its magic bytes, a footer pyarrow
can read, its row and column counts, column names that are not repeated, and, for the columns
that will be read, types that hold plain values (text, numbers, dates, booleans). Rows are then
read in record batches (:func:`text_batches`) and every cell becomes the text a CSV would hold:
``2016-07-18`` for a date, ``43.25249`` for a float, ``""`` for a null. Both validators (pandas
and SQL) read these same batches, so a table is judged the same however it is checked.

A GeoParquet file without ``lon``/``lat`` columns gives them from the point geometry its ``geo``
metadata names (WKB, or GeoArrow's ``point`` encoding); the WKB is decoded here with numpy, point
by point, never handed to a geometry library. Any other geometry is refused with its row.

Rows are numbered from 1, as a reader of the file counts them.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from geo.errors import DataError, Problem
from geo.formats.wkb import decode_points
from geo.schema import MAX_COLUMNS

PARQUET_SUFFIXES = (".parquet",)
MAX_COLUMNAR_ROWS = 20_000_000
"""Most rows a Parquet table may have (CSV and the other text formats: ``MAX_ROWS``). Such a
table is validated and cached in SQL, never held whole (``geo.columnar``)."""
BATCH_ROWS = 131_072
"""Rows per record batch read."""
MAX_FOOTER_BYTES = 64 * 2**20
"""The largest footer (the file's schema and row-group directory) read."""
MAX_GEO_METADATA_BYTES = 2**20
"""The largest ``geo`` metadata read."""
_MAGIC = b"PAR1"
_WGS84 = {("EPSG", "4326"), ("OGC", "CRS84")}


def _fail(path: Path, message: str, column: str | None = None) -> DataError:
    return DataError(Problem(path.name, None, column, message))


@dataclass(frozen=True)
class ParquetTable:
    """A Parquet file checked by :func:`open_parquet`, and the columns to read from it."""

    path: Path
    rows: int
    names: tuple[str, ...]
    """Every column's name as the table knows it (surrounding spaces and a BOM taken off)."""
    raw_names: tuple[str, ...]
    """The same columns' names as the file writes them."""
    types: tuple[pa.DataType, ...]
    geometry: str | None = None
    """The point geometry column (as the file names it) that gives ``lon``/``lat``, when the
    table has no such columns."""
    encoding: str = "WKB"
    read: tuple[str, ...] = ()
    """The columns to read (names as the table knows them), in the file's order."""

    @property
    def columns(self) -> list[str]:
        """The columns the batches hold, in order (``lon``/``lat`` last when the geometry
        gives them)."""
        return list(self.read) + (["lon", "lat"] if self.geometry else [])

    def reading(self, wanted: Collection[str] | None) -> ParquetTable:
        """This table, to read the columns of ``wanted`` it has (all with ``None``), their
        types checked first."""
        read = tuple(
            n
            for n, raw in zip(self.names, self.raw_names, strict=True)
            if (wanted is None or n in wanted) and raw != self.geometry
        )
        for name in read:
            _check_type(self, name, self.types[self.names.index(name)])
        return replace(self, read=read)

    def check_rows(self, limit: int | None = None) -> None:
        """``DataError`` when the table has more than ``limit`` rows (``MAX_COLUMNAR_ROWS``)."""
        limit = MAX_COLUMNAR_ROWS if limit is None else limit
        if self.rows > limit:
            raise _fail(self.path, f"{self.rows:,} rows; the limit is {limit:,}")


def is_parquet(path: Path) -> bool:
    return path.suffix.lower() in PARQUET_SUFFIXES


def open_parquet(path: Path, *, max_bytes: int | None = None) -> ParquetTable:
    """Check a Parquet file's frame and footer; nothing is read yet (``reading`` picks the
    columns, ``text_batches`` reads them).

    Raises
    ------
    DataError
        Naming the file: missing, empty, over ``max_bytes``, not Parquet (or encrypted), a
        footer that cannot be read, more than ``MAX_COLUMNS`` columns, a name used twice, or
        ``geo`` metadata that cannot be read or names a geometry that cannot give points.
    """
    _check_frame(path, max_bytes)
    try:
        meta = pq.read_metadata(path)
        schema = meta.schema.to_arrow_schema()
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _fail(
            path, f"not a readable Parquet file (its footer cannot be read: {type(exc).__name__})"
        ) from None
    if len(schema) > MAX_COLUMNS:
        raise _fail(path, f"{len(schema):,} columns; the limit is {MAX_COLUMNS:,}")
    raw = tuple(str(f.name) for f in schema)
    names = tuple(n.strip().lstrip("\ufeff") for n in raw)
    _check_names(path, names)
    table = ParquetTable(path, int(meta.num_rows), names, raw, tuple(f.type for f in schema))
    if "lon" in names and "lat" in names:
        return table
    geo = _geo_metadata(path, schema.metadata or {})
    if geo is None:
        return table
    column, encoding = geo
    if column not in raw:
        raise _fail(path, f"its GeoParquet metadata names a geometry column {column!r} it lacks")
    kind = schema.field(column).type
    if not (_is_binary(kind) if encoding == "WKB" else pa.types.is_struct(kind)):
        raise _fail(path, f"its geometry column holds {kind}, not {encoding} points", column)
    return replace(table, geometry=column, encoding=encoding)


def _check_frame(path: Path, max_bytes: int | None) -> None:
    """The file exists, is not over ``max_bytes``, and starts and ends as Parquet does."""
    try:
        if path.is_dir():
            raise _fail(path, "is a folder, not a table file")
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(4)
            fh.seek(max(size - 8, 0))
            tail = fh.read(8)
    except FileNotFoundError:
        raise _fail(path, "file not found") from None
    except OSError as exc:
        raise _fail(path, f"cannot be read: {exc.strerror or exc}") from None
    if size == 0:
        raise _fail(path, "the file is empty")
    if max_bytes is not None and size > max_bytes:
        limit = max_bytes / 2**20
        raise _fail(path, f"the file is {size / 2**20:.0f} MB; the limit is {limit:.0f} MB")
    if tail[-4:] == b"PARE":
        raise _fail(path, "an encrypted Parquet file; write it without encryption")
    if size < 12 or head != _MAGIC or tail[-4:] != _MAGIC:
        raise _fail(path, "not a Parquet file (it does not start and end with 'PAR1')")
    footer = int.from_bytes(tail[:4], "little")
    if footer > min(MAX_FOOTER_BYTES, size - 12):
        raise _fail(path, "not a readable Parquet file (its footer's stated length is wrong)")


def _check_names(path: Path, names: tuple[str, ...]) -> None:
    seen: dict[str, int] = {}
    problems = []
    for number, name in enumerate(names, start=1):
        if name in seen:
            problems.append(
                Problem(
                    path.name,
                    None,
                    name,
                    f"column {name!r} appears twice (columns {seen[name]} and {number}); keep one",
                )
            )
        else:
            seen[name] = number
    if problems:
        raise DataError(problems)


def _geo_metadata(path: Path, metadata: dict[bytes, bytes]) -> tuple[str, str] | None:
    """The primary geometry column and its encoding from GeoParquet's ``geo`` metadata."""
    text = metadata.get(b"geo")
    if text is None:
        return None
    if len(text) > MAX_GEO_METADATA_BYTES:
        raise _fail(path, "its GeoParquet metadata ('geo') is too large to read")
    try:
        geo = json.loads(text)
        column = geo["primary_column"]
        spec = geo["columns"][column]
        encoding = str(spec.get("encoding", "")).upper()
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _fail(path, "its GeoParquet metadata ('geo') cannot be read") from None
    if not isinstance(column, str) or encoding not in ("WKB", "POINT"):
        raise _fail(
            path, f"its geometry is encoded as {encoding or 'nothing'!r}; WKB or point is read"
        )
    if "crs" in spec and not _is_wgs84(spec["crs"]):
        name = spec["crs"].get("name") if isinstance(spec["crs"], dict) else None
        raise _fail(
            path,
            f"its coordinates are in {name or 'an unstated reference system'}; write them as "
            "longitude and latitude (EPSG:4326 or OGC:CRS84)",
        )
    return column, "WKB" if encoding == "WKB" else "point"


def _is_wgs84(crs: object) -> bool:
    """Whether a PROJJSON CRS is longitude/latitude on WGS84, by its identifier."""
    if not isinstance(crs, dict):
        return False
    ident = crs.get("id")
    if isinstance(ident, dict):
        return (str(ident.get("authority", "")).upper(), str(ident.get("code", ""))) in _WGS84
    return False


def _is_binary(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_binary_view(kind)
    )


def _is_plain(kind: pa.DataType) -> bool:
    t = pa.types
    return bool(
        t.is_string(kind)
        or t.is_large_string(kind)
        or t.is_string_view(kind)
        or _is_binary(kind)
        or t.is_integer(kind)
        or t.is_floating(kind)
        or t.is_decimal(kind)
        or t.is_boolean(kind)
        or t.is_date(kind)
        or t.is_timestamp(kind)
        or t.is_null(kind)
    )


def _check_type(table: ParquetTable, name: str, kind: pa.DataType) -> None:
    value = kind.value_type if pa.types.is_dictionary(kind) else kind
    if not _is_plain(value):
        raise _fail(
            table.path,
            f"the column holds {value}; only text, numbers, dates and booleans can be read",
            name,
        )


def text_batches(table: ParquetTable, *, batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """The columns ``table`` reads, batch by batch, every cell as text (``""`` for a null), with
    ``row``: each row's number in the file from 1.

    A geometry that is not a point is refused once every batch has been read (``DataError``
    listing the first 200 such rows), as is a file damaged past its footer."""
    raw = [table.raw_names[table.names.index(n)] for n in table.read]
    fields = raw + ([table.geometry] if table.geometry else [])
    schema = pa.schema([("row", pa.int64())] + [(n, pa.large_string()) for n in table.columns])
    wrong: list[Problem] = []
    offset = 0
    try:
        source = pq.ParquetFile(table.path, buffer_size=2**23)
        batches = source.iter_batches(batch_size=batch_rows, columns=fields, use_threads=True)
        for batch in batches:
            n = batch.num_rows
            if offset + n > table.rows:  # the footer's count is what the limits were checked on
                raise _fail(table.path, f"holds more rows than its footer says ({table.rows:,})")
            arrays = [pa.array(np.arange(offset + 1, offset + n + 1, dtype=np.int64))]
            arrays += [
                as_text(table, name, batch.column(i), offset) for i, name in enumerate(table.read)
            ]
            if table.geometry:
                lon, lat = _coordinates(table, batch.column(len(raw)), offset, wrong)
                arrays += [lon, lat]
            offset += n
            yield pa.RecordBatch.from_arrays(arrays, schema=schema)
    except (pa.ArrowException, OSError) as exc:
        raise _fail(
            table.path, f"not a readable Parquet file (past row {offset:,}: {type(exc).__name__})"
        ) from None
    if wrong:
        raise DataError(wrong)


def as_text(table: ParquetTable, name: str, values: pa.Array, offset: int = 0) -> pa.Array:
    """A column's cells as the text a CSV would hold; ``""`` for a null (``offset``: the rows
    before these, for a message)."""
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    kind = values.type
    if pa.types.is_timestamp(kind):
        day = pc.floor_temporal(values, unit="day")
        midnight = pc.fill_null(pc.equal(day, values), True)
        text = pc.if_else(
            midnight, pc.strftime(values, "%Y-%m-%d"), pc.strftime(values, "%Y-%m-%dT%H:%M:%S")
        )
    elif pa.types.is_null(kind):
        text = pa.nulls(len(values), pa.large_string())
    elif _is_binary(kind):
        text = _utf8(table, name, values, offset)
    else:
        text = values.cast(pa.large_string())
    return pc.fill_null(text.cast(pa.large_string()), "")


def _utf8(table: ParquetTable, name: str, values: pa.Array, offset: int) -> pa.Array:
    """Bytes read as UTF-8 text; ``DataError`` naming the first row that is not."""
    try:
        return values.cast(pa.large_string())
    except pa.ArrowInvalid:
        for i, cell in enumerate(values.to_pylist()):
            try:
                (cell or b"").decode("utf-8")
            except UnicodeDecodeError:
                message = "the cell holds bytes that are not UTF-8 text"
                raise DataError(Problem(table.path.name, offset + i + 1, name, message)) from None
        raise


def _coordinates(
    table: ParquetTable, geometry: pa.Array, offset: int, wrong: list[Problem]
) -> tuple[pa.Array, pa.Array]:
    """``lon`` and ``lat`` as text from a batch's point geometries (``""`` where there is none);
    rows whose geometry is not a point are added to ``wrong``."""
    name = table.names[table.raw_names.index(str(table.geometry))]
    if table.encoding == "WKB":
        lon, lat, kinds = decode_points(geometry)
    else:
        lon = _field(geometry, "x")
        lat = _field(geometry, "y")
        kinds = np.full(len(geometry), None, dtype=object)
    for j in np.flatnonzero(kinds != None)[: 200 - len(wrong)]:  # noqa: E711
        wrong.append(
            Problem(
                table.path.name,
                offset + int(j) + 1,
                name,
                f"geometry is {kinds[j]}; only points can be mapped",
            )
        )
    return _number_text(lon), _number_text(lat)


def _field(points: pa.Array, name: str) -> np.ndarray:
    if pa.types.is_struct(points.type) and points.type.get_field_index(name) >= 0:
        values = pc.struct_field(points, name).cast(pa.float64())
        valid = points.is_valid()
        values = pc.if_else(valid, values, pa.scalar(None, pa.float64()))
        return np.asarray(values.to_numpy(zero_copy_only=False), dtype=float)
    return np.full(len(points), np.nan)


def _number_text(values: np.ndarray) -> pa.Array:
    """Coordinates as text, shortest form that reads back the same; ``""`` where NaN."""
    array = pa.array(values, type=pa.float64(), from_pandas=True)
    return pc.fill_null(array.cast(pa.large_string()), "")


__all__ = [
    "MAX_COLUMNAR_ROWS",
    "PARQUET_SUFFIXES",
    "ParquetTable",
    "as_text",
    "is_parquet",
    "open_parquet",
    "text_batches",
]
