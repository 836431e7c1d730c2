"""Reading and writing incident tables: CSV, GeoJSON and GeoPackage in, typed tables out.

Every failure is a ``DataError`` naming the file (and row and column where there is one); nothing
here modifies an input file, and every write goes to a temporary file first (``geo.files``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import DataError, Problem
from geo.files import write_text_atomic
from geo.formats.bounded import SCAN_CHUNK, CsvShape
from geo.formats.containers import (
    BOMS,
    CONTAINER_SUFFIXES,
    UNKNOWN,
    decode_check_stream,
    first_bad,
    open_csv,
    read_xlsx,
    table_suffix,
)
from geo.formats.parquet import MAX_COLUMNAR_ROWS, PARQUET_SUFFIXES, is_parquet, open_parquet
from geo.formats.recognise import USED_COLUMNS, recognise
from geo.hxl import is_hashtag_row
from geo.schema import CLAIM_COLUMNS, COLUMNS, CRS, MAX_COLUMNS, REQUIRED, SOURCE_COLUMNS
from geo.table_files import find_siblings, parquet_frame, read_sibling, sibling_paths
from geo.validate import (
    check_cells,
    claims_as_read,
    validate_claims,
    validate_incidents,
    validate_sources,
)
from geo.vector_files import read_vector

MAX_UPLOAD_BYTES = 150 * 1024 * 1024
"""Largest upload read (the sidebar's limit; ``server.maxUploadSize`` sets it for the app).
Files read from disk (``--data``, ``INCIDENT_ATLAS_DATA``, ``import``) are limited by rows."""
MAX_ROWS = 2_000_000
"""Most rows a text table (CSV, workbook, GeoJSON, GeoPackage) may have: a year of ACLED or all
of GTD is 100,000-200,000 rows. A Parquet table may have ``MAX_COLUMNAR_ROWS``."""
TABLE_SUFFIXES = (".csv", ".geojson", ".json", ".gpkg", *CONTAINER_SUFFIXES, *PARQUET_SUFFIXES)


@dataclass
class RawTable:
    """A table as read from a file: strings, the row number a user sees for each row, and how
    the file was read (a note when it was not UTF-8)."""

    table: pd.DataFrame
    rows: np.ndarray
    notes: list[Problem] = field(default_factory=list)


@dataclass
class Dataset:
    """An incident table with the per-source claims and the sources it cites."""

    incidents: pd.DataFrame
    """The incidents; a GeoDataFrame of points when read by ``load_dataset`` (the dashboard
    caches it without the geometry column: every consumer reads ``lon``/``lat``)."""
    claims: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CLAIM_COLUMNS))
    sources: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SOURCE_COLUMNS))
    path: str = ""
    warnings: list[Problem] = field(default_factory=list)
    """What a user should know about the table that did not stop it loading."""
    origin: str = ""
    """What the file was when it is a dataset's export: its format and how many rows were
    converted and skipped (``geo.formats.Conversion.describe``); empty for the project's own."""


def _check_file(path: Path, max_bytes: int | None = None) -> None:
    """``DataError`` when a table file is missing, unreadable, empty or bigger than
    ``max_bytes`` (uploads)."""
    try:
        if path.is_dir():
            raise DataError(Problem(path.name, None, None, "is a folder, not a table file"))
        size = path.stat().st_size
    except FileNotFoundError:
        raise DataError(Problem(path.name, None, None, "file not found")) from None
    except OSError as exc:
        raise DataError(_unreadable(path, exc)) from None
    if size == 0:
        raise DataError(Problem(path.name, None, None, "the file is empty"))
    if max_bytes is not None and size > max_bytes:
        raise _too_big(path, size, max_bytes)


def _too_big(path: Path, size: int, max_bytes: int) -> DataError:
    limit = max_bytes / 2**20
    return DataError(
        Problem(
            path.name, None, None, f"the file is {size / 2**20:.0f} MB; the limit is {limit:.0f} MB"
        )
    )


def _unreadable(path: Path, exc: OSError) -> Problem:
    return Problem(str(path), None, None, f"cannot be read: {exc.strerror or exc}")


def _read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes (at most ``limit``), with ``OSError`` turned into ``DataError``."""
    try:
        with path.open("rb") as fh:
            return fh.read() if limit is None else fh.read(limit)
    except FileNotFoundError:
        raise DataError(f"{path}: file not found", file=str(path)) from None
    except OSError as exc:
        raise DataError(_unreadable(path, exc)) from None


def read_csv_text(
    path: Path,
    *,
    keep: Collection[str] | None = None,
    encoding: str | None = None,
    max_bytes: int | None = None,
    notes: list[Problem] | None = None,
    known_only: bool = False,
) -> pd.DataFrame:
    """Read a CSV file (or a gzipped or zipped one) as strings, with a clear error for
    encodings and delimiters.

    With ``keep``, only those columns are read (when the header has every one of ``REQUIRED``;
    an export's header keeps the columns its converter reads; otherwise all are read, so that a
    message can show the header as it is, or with ``known_only`` none of the rows: such a table
    is refused for its missing columns). The encoding is ``encoding`` when given, else found
    (``geo.formats.containers.decode_check``); a note saying so is added to ``notes``. Before
    anything is parsed, the file's shape is checked as it streams past
    (``geo.formats.bounded.CsvShape``: columns, cells per row, bytes per cell); a compressed
    table is read as it unpacks and never held whole.
    """
    _check_file(path, max_bytes)
    name = path.name
    open_stream: Callable[[], IO[bytes]]
    if table_suffix(path) in (".csv.gz", ".zip"):
        open_stream, _inner = open_csv(path, max_bytes=max_bytes)
    else:
        data = _read_bytes(path, None if max_bytes is None else max_bytes + 1)
        if max_bytes is not None and len(data) > max_bytes:  # grew since it was looked at
            raise _too_big(path, len(data), max_bytes)
        if not data.strip():
            raise DataError(Problem(name, None, None, "the file is empty"))
        open_stream = lambda: io.BytesIO(data)  # noqa: E731
    with open_stream() as fh:
        start = fh.read(_HEAD_CHARS)
    utf8_bad = _check_shape(open_stream, _structure_codec(start, encoding), name)
    codec, note = decode_check_stream(open_stream, encoding, name=name, utf8_first_bad=utf8_bad)
    if note is not None and notes is not None:
        notes.append(Problem(name, None, None, note))
    head = start.decode(codec, errors="replace")
    if not head or head.isspace():
        raise DataError(Problem(name, None, None, "the file is empty"))
    return parse_csv(
        open_stream, head=head, name=name, keep=keep, encoding=codec, known_only=known_only
    )


_HEAD_CHARS = 1_000_000
"""How much of a CSV file's start is looked at for its header."""


def _check_shape(open_stream: Callable[[], IO[bytes]], codec: str, name: str) -> int | None:
    """Follow the CSV's structure as it streams past (``CsvShape``); a file in an encoding whose
    bytes for ``"``, ``,`` and line ends are not ASCII's (UTF-16, UTF-32) is followed as UTF-8.

    The same pass finds the first byte that is not UTF-8 (``first_bad``: the encoding check then
    reads a valid UTF-8 file no second time); ``UNKNOWN`` for a UTF-16 or UTF-32 file."""
    shape = CsvShape(name)
    utf8_bad: int | None = UNKNOWN
    with open_stream() as fh:
        if _ascii_compatible(codec):

            def chunks() -> Iterator[bytes]:
                while chunk := fh.read(SCAN_CHUNK):
                    shape.feed(chunk)
                    yield chunk

            stream = chunks()
            utf8_bad = first_bad(stream, "utf-8")
            for _rest in stream:  # past a byte that is not UTF-8, the shape is followed on
                pass
        else:
            text = io.TextIOWrapper(fh, encoding=codec, errors="replace", newline="")
            while part := text.read(SCAN_CHUNK // 4):
                shape.feed(part.encode("utf-8"))
    shape.finish()
    return utf8_bad


def _structure_codec(start: bytes, encoding: str | None) -> str:
    """The encoding to follow a CSV's structure in, before its text is checked: the stated one
    (``decode_check`` refuses a name it does not know), a UTF-16 or UTF-32 byte-order mark's,
    else UTF-8 (whose ``"``, ``,`` and line ends are those of every single-byte encoding)."""
    if encoding:
        try:
            return codecs.lookup(encoding).name
        except LookupError:
            return "utf-8"
    for bom, codec in BOMS:
        if start.startswith(bom):
            return codec
    return "utf-8"


def _ascii_compatible(codec: str) -> bool:
    """Whether every byte below 0x80 is that ASCII character alone in ``codec`` (UTF-8 and the
    single-byte encodings)."""
    if codecs.lookup(codec).name in ("utf-8", "utf-8-sig", "ascii"):
        return True
    try:
        single = len(bytes(range(256)).decode(codec, errors="replace")) == 256
        return single and '",\r\n'.encode(codec) == b'",\r\n'
    except (UnicodeError, LookupError):
        return False


def parse_csv(
    data: bytes | Callable[[], IO[bytes]],
    *,
    head: str,
    name: str,
    keep: Collection[str] | None = None,
    encoding: str = "utf-8-sig",
    known_only: bool = False,
) -> pd.DataFrame:
    """Parse CSV bytes (or the bytes of a stream ``data`` opens; ``head``: the decoded start of
    the file) into a table of strings; ``keep`` and ``known_only`` as for
    :func:`read_csv_text`."""
    columns = _header_of(head, name)
    _check_header(columns, name)
    names = {c.strip().lstrip("\ufeff") for c in columns}
    wanted = _wanted_columns(names, keep)
    rows = 0 if known_only and keep is not None and wanted is None else MAX_ROWS + 1
    stream = io.BytesIO(data) if isinstance(data, bytes) else data()
    try:
        # The parser counts rows whatever the line endings (\n, \r\n or a bare \r), and stops
        # one row past the limit, so an oversized table costs no more than the limit to refuse.
        table = pd.read_csv(
            stream,
            encoding=encoding,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=False,
            engine="c",
            nrows=rows,
            # Columns the product does not use are dropped as they are parsed: a 140 MB table
            # with 200 columns then costs a fraction of the memory.
            usecols=None if wanted is None else (lambda c: c.strip().lstrip("\ufeff") in wanted),
        )
    except pd.errors.ParserError as exc:
        raise DataError(Problem(name, None, None, f"not a valid CSV table: {exc}")) from None
    except pd.errors.EmptyDataError:
        raise DataError(Problem(name, None, None, "the file is empty")) from None
    except UnicodeDecodeError as exc:
        raise DataError(Problem(name, None, None, f"cannot be read as {encoding}: {exc}")) from None
    finally:
        stream.close()
    _check_rows(table, name)
    return table


def _header_of(head: str, name: str) -> list[str]:
    """The header's column names; refused with the reason when the first line is empty, not
    separated by commas, or not CSV."""
    header = _LINE_END.split(head, maxsplit=1)[0]
    if "," not in header:
        for delimiter, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if delimiter in header:
                why = f"the header is separated by {label}; the table must be comma-separated (CSV)"
                raise DataError(Problem(name, 1, None, why))
    if not header.strip():
        raise DataError(Problem(name, 1, None, "the first line is empty; put the header there"))
    try:
        return next(csv.reader(io.StringIO(head, newline="")), [])
    except csv.Error as exc:
        raise DataError(Problem(name, 1, None, f"the header cannot be read: {exc}")) from None


def _wanted_columns(names: set[str], keep: Collection[str] | None) -> set[str] | None:
    """The columns to parse: ``keep`` for the project's own table, the converter's for an
    export, ``None`` (all) otherwise."""
    if keep is None:
        return None
    if set(REQUIRED) <= names:
        return set(keep)
    found = recognise(names)
    if found.format is not None:
        return {c for c in names if c.lower() in USED_COLUMNS[found.format]}
    return None


def _check_rows(table: pd.DataFrame, name: str) -> None:
    if len(table) > MAX_ROWS:
        raise DataError(
            Problem(name, None, None, f"more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}")
        )


_LINE_END = re.compile(r"\r\n|\r|\n")


def _check_header(header: list[str], name: str) -> None:
    """Refuse a header that names a column twice (pandas would rename the second silently), or
    that has more columns than ``MAX_COLUMNS``."""
    if len(header) > MAX_COLUMNS:
        raise DataError(
            Problem(name, 1, None, f"{len(header):,} columns; the limit is {MAX_COLUMNS:,}")
        )
    seen: dict[str, int] = {}
    problems = []
    for number, raw in enumerate(header, start=1):
        column = raw.strip().lstrip("\ufeff")
        if column in seen:
            problems.append(
                Problem(
                    name,
                    1,
                    column,
                    f"column {column!r} appears twice in the header (columns {seen[column]} "
                    f"and {number}); keep one",
                )
            )
        else:
            seen[column] = number
    if problems:
        raise DataError(problems)


def read_table(
    path: str | Path,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    max_bytes: int | None = None,
    known_only: bool = False,
) -> RawTable:
    """Read any supported table file into strings plus the row number a user sees for each row.

    CSV rows are numbered as a spreadsheet shows them (header = row 1), as are the rows of a
    workbook's first sheet; GeoJSON and GeoPackage rows are the features' numbers from 1. Point
    geometries fill ``lon``/``lat`` when the table has no such columns. ``layer`` names the
    GeoPackage layer to read when it has several; ``encoding`` the text encoding of a CSV when
    it is not to be detected; ``max_bytes`` the largest file accepted (uploads); ``known_only``
    reads no rows of a CSV whose header is neither the project's nor a known export's (such a
    table is refused for its missing columns, whatever its rows hold).
    """
    path = Path(path)
    suffix = table_suffix(path)
    if suffix not in TABLE_SUFFIXES:
        raise DataError(
            Problem(
                path.name,
                None,
                None,
                f"unsupported file type {suffix!r}; use CSV (also .csv.gz or a .zip holding "
                "one), an Excel .xlsx, GeoJSON, GeoPackage or (Geo)Parquet",
            )
        )
    if suffix in (".csv", ".csv.gz", ".zip"):
        notes: list[Problem] = []
        table = read_csv_text(
            path,
            keep=COLUMNS,
            encoding=encoding,
            max_bytes=max_bytes,
            notes=notes,
            known_only=known_only,
        )
        rows = np.arange(2, len(table) + 2)
        if len(table) and is_hashtag_row(table.iloc[0]):  # HXL's row under the header
            table, rows = table.iloc[1:].reset_index(drop=True), rows[1:]
        return RawTable(table, rows, notes)
    _check_file(path, max_bytes)
    if suffix == ".xlsx":
        table = read_xlsx(path, max_rows=MAX_ROWS, max_bytes=max_bytes)
        _check_header(list(table.columns), path.name)
        _check_rows(table, path.name)
        rows = np.arange(2, len(table) + 2)
        if len(table) and is_hashtag_row(table.iloc[0]):
            table, rows = table.iloc[1:].reset_index(drop=True), rows[1:]
        return RawTable(table, rows)
    if is_parquet(path):
        return _read_parquet(path, max_bytes, known_only)
    table, rows = read_vector(path, _read_bytes(path, 100), layer=layer, max_rows=MAX_ROWS)
    return RawTable(table, rows)


def to_geodataframe(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """Attach point geometries (EPSG:4326) built from ``lon``/``lat``."""
    geometry = gpd.points_from_xy(table["lon"], table["lat"], crs=CRS)
    return gpd.GeoDataFrame(table, geometry=geometry, crs=CRS)


def _read_parquet(path: Path, max_bytes: int | None, known_only: bool) -> RawTable:
    """A Parquet table as text: the project's columns when it has its required ones (up to
    ``MAX_COLUMNAR_ROWS`` rows), an export's when it is one, else all (up to ``MAX_ROWS``, the
    limit of tables held whole); none, with ``known_only``, of a table that is neither."""
    table = open_parquet(path, max_bytes=max_bytes)
    names = set(table.names) | ({"lon", "lat"} if table.geometry else set())
    wanted = _wanted_columns(names, COLUMNS)
    own = set(REQUIRED) <= names
    if wanted is None and known_only:
        wanted = set()
    table = table.reading(wanted)
    table.check_rows(None if own else MAX_ROWS)
    frame = parquet_frame(table)
    return RawTable(frame.drop(columns="row"), frame["row"].to_numpy())


@dataclass(frozen=True)
class ReadOptions:
    """How to read a table file: all optional, the defaults detect or refuse."""

    layer: str | None = None
    """The GeoPackage layer to read when it has several."""
    fmt: str | None = None
    """``acled``, ``gtd`` or ``ucdp`` to read the file as that export; ``None``: recognised
    from the header (the project's own table otherwise)."""
    encoding: str | None = None
    """The text encoding of a CSV; ``None``: detected (UTF-8 first)."""
    unlocated: str = "skip"
    """What becomes of GTD rows without coordinates (``skip`` or ``country``)."""
    max_bytes: int | None = None
    """The largest file accepted (uploads); files on disk are limited by rows only."""


def check_dataset(
    path: str | Path, *, layer: str | None = None, options: ReadOptions | None = None
) -> tuple[Dataset, list[Problem]]:
    """Read an incident table (and its claims and sources if present) and validate all of it.

    An ACLED, GTD or UCDP GED export is converted first (``geo.formats``): its rows that cannot
    be converted or fail validation are left out and listed in ``Dataset.warnings``, and
    ``Dataset.origin`` says what was read. A Parquet table in the project's schema is checked
    in SQL (``geo.columnar``), never held as text; with problems, its ``Dataset`` has no rows.
    """
    path = Path(path)
    options = options or ReadOptions(layer=layer)
    if layer is not None and options.layer is None:
        options = replace(options, layer=layer)
    if is_parquet(path) and options.fmt is None:
        from geo.columnar import check_parquet_dataset

        checked = check_parquet_dataset(path, options)
        if checked is not None:
            return checked
    raw = read_table(
        path,
        layer=options.layer,
        encoding=options.encoding,
        max_bytes=options.max_bytes,
        known_only=options.fmt is None,
    )
    fmt = options.fmt
    if fmt is None and not set(REQUIRED) <= {_column(c) for c in raw.table.columns}:
        fmt = recognise(raw.table.columns).format
    if fmt is not None:
        from geo.converted import check_export

        return check_export(path, raw, fmt, options)
    return check_raw_table(path, raw)


def check_raw_table(path: Path, raw: RawTable) -> tuple[Dataset, list[Problem]]:
    """Validate a table read as text (``read_table``) with pandas, and the claims and sources
    beside it (``find_siblings``)."""
    from geo.converted import nearest_export

    table, rows = raw.table, raw.rows
    claims_path, sources_path = find_siblings(path)
    problems: list[Problem] = check_cells(table, file=path.name, row_numbers=rows)
    sources = pd.DataFrame(columns=SOURCE_COLUMNS)
    source_ids: set[str] | None = None
    if sources_path.exists():
        sources, numbers = read_sibling(sources_path)
        problems.extend(check_cells(sources, file=sources_path.name, row_numbers=numbers))
        source_ids, found = validate_sources(sources, file=sources_path.name, row_numbers=numbers)
        problems.extend(found)
    checked = validate_incidents(table, file=path.name, row_numbers=rows, source_ids=source_ids)
    problems.extend(checked.problems)
    if any(p.row is None and p.column in REQUIRED for p in checked.problems):
        header = None if is_parquet(path) else 1
        problems.extend(nearest_export(raw.table.columns, path.name, header))
    claims = pd.DataFrame(columns=CLAIM_COLUMNS)
    if claims_path.exists():
        claims, numbers = read_sibling(claims_path)
        problems.extend(check_cells(claims, file=claims_path.name, row_numbers=numbers))
        if not checked.table.empty:
            problems.extend(
                validate_claims(
                    claims,
                    checked.table,
                    file=claims_path.name,
                    source_ids=source_ids,
                    row_numbers=numbers,
                )
            )
        claims = claims_as_read(claims)
    dataset = Dataset(
        to_geodataframe(checked.table),
        claims,
        sources,
        str(path),
        raw.notes + list(checked.warnings),
    )
    return dataset, problems


def _column(name: object) -> str:
    return str(name).strip().lstrip("\ufeff")


def load_dataset(
    path: str | Path, *, layer: str | None = None, options: ReadOptions | None = None
) -> Dataset:
    """Read and validate a data set; raise ``DataError`` listing every problem if it has any."""
    dataset, problems = check_dataset(path, layer=layer, options=options)
    if problems:
        raise DataError(problems)
    return dataset


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text with ``\n`` line ends that any CSV reader reads back cell for cell.

    Python's CSV writer quotes a cell holding ``\n`` but not one holding a bare ``\r``, which
    readers take as a line end; a table with such a cell is written with every cell quoted.
    """
    text_cells = frame.select_dtypes(include=["object", "string"])
    has_cr = any(
        text_cells[c].astype("string").str.contains("\r", regex=False).any() for c in text_cells
    )
    quoting = csv.QUOTE_ALL if has_cr else csv.QUOTE_MINIMAL
    return str(frame.to_csv(index=False, quoting=quoting, lineterminator="\n"))


def write_csv(table: pd.DataFrame, path: str | Path) -> None:
    """Write a table as UTF-8 CSV atomically, with dates as YYYY-MM-DD."""
    frame = pd.DataFrame(table).copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    frame = frame.drop(columns=[c for c in ("geometry", "row") if c in frame.columns])
    write_text_atomic(path, csv_text(frame))


__all__ = [
    "COLUMNS",
    "MAX_COLUMNAR_ROWS",
    "MAX_ROWS",
    "Dataset",
    "RawTable",
    "ReadOptions",
    "check_dataset",
    "check_raw_table",
    "find_siblings",
    "load_dataset",
    "read_sibling",
    "read_table",
    "sibling_paths",
    "write_csv",
]
