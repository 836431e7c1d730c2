"""Reading and writing incident tables: CSV, GeoJSON and GeoPackage in, typed tables out.

Every failure is a ``DataError`` naming the file (and row and column where there is one); nothing
here modifies an input file, and every write goes to a temporary file first (``geo.files``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import DataError, Problem
from geo.files import write_text_atomic
from geo.schema import CLAIM_COLUMNS, COLUMNS, CRS, MAX_COLUMNS, REQUIRED, SOURCE_COLUMNS
from geo.validate import (
    check_cells,
    claims_as_read,
    validate_claims,
    validate_incidents,
    validate_sources,
)
from geo.vector_files import read_vector

MAX_FILE_BYTES = 150 * 1024 * 1024
"""Largest table file read; a year of ACLED or all of GTD as CSV is well below this."""
MAX_ROWS = 500_000
"""Most rows a table may have; beyond this the dashboard would not stay responsive."""
TABLE_SUFFIXES = (".csv", ".geojson", ".json", ".gpkg")


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


def _check_file(path: Path) -> None:
    """``DataError`` when a table file is missing, unreadable, empty or too big."""
    try:
        if path.is_dir():
            raise DataError(f"{path}: is a folder, not a table file", file=str(path))
        size = path.stat().st_size
    except FileNotFoundError:
        raise DataError(f"{path}: file not found", file=str(path)) from None
    except OSError as exc:
        raise DataError(_unreadable(path, exc)) from None
    if size == 0:
        raise DataError(Problem(path.name, None, None, "the file is empty"))
    if size > MAX_FILE_BYTES:
        raise _too_big(path, size)


def _too_big(path: Path, size: int) -> DataError:
    limit = MAX_FILE_BYTES / 2**20
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
            return fh.read(MAX_FILE_BYTES + 1 if limit is None else limit)
    except FileNotFoundError:
        raise DataError(f"{path}: file not found", file=str(path)) from None
    except OSError as exc:
        raise DataError(_unreadable(path, exc)) from None


def read_csv_text(path: Path, *, keep: Collection[str] | None = None) -> pd.DataFrame:
    """Read a CSV file as strings, with a clear error for encodings and delimiters.

    With ``keep``, only those columns are read (when the header has every one of ``REQUIRED``;
    otherwise all are, so that a message can show the header as it is).
    """
    _check_file(path)
    name = path.name
    data = _read_bytes(path)
    if len(data) > MAX_FILE_BYTES:  # grew since it was looked at
        raise _too_big(path, len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            Problem(
                name,
                line,
                None,
                f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not "
                "UTF-8; save the file as UTF-8",
            )
        ) from None
    if not text or text.isspace():
        raise DataError(Problem(name, None, None, "the file is empty"))
    head = text[:_HEAD_CHARS]
    del text  # the parser reads the bytes: a str copy of a large file costs up to 4 times its size
    return parse_csv(data, head=head, name=name, keep=keep)


_HEAD_CHARS = 1_000_000
"""How much of a CSV file's start is looked at for its header."""


def parse_csv(
    data: bytes, *, head: str, name: str, keep: Collection[str] | None = None
) -> pd.DataFrame:
    """Parse UTF-8 CSV bytes (``head``: the decoded start of the file) into a table of strings;
    ``keep`` as for :func:`read_csv_text`."""
    header = _LINE_END.split(head, maxsplit=1)[0]
    if "," not in header:
        for delimiter, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if delimiter in header:
                raise DataError(
                    Problem(
                        name,
                        1,
                        None,
                        f"the header is separated by {label}; the table must "
                        "be comma-separated (CSV)",
                    )
                )
    if not header.strip():
        raise DataError(Problem(name, 1, None, "the first line is empty; put the header there"))
    try:
        columns = next(csv.reader(io.StringIO(head, newline="")), [])
    except csv.Error as exc:
        raise DataError(Problem(name, 1, None, f"the header cannot be read: {exc}")) from None
    _check_header(columns, name)
    names = {c.strip().lstrip("\ufeff") for c in columns}
    wanted = set(keep) if keep is not None and set(REQUIRED) <= names else None
    try:
        # The parser counts rows whatever the line endings (\n, \r\n or a bare \r), and stops
        # one row past the limit, so an oversized table costs no more than the limit to refuse.
        table = pd.read_csv(
            io.BytesIO(data),
            encoding="utf-8-sig",
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=False,
            engine="c",
            nrows=MAX_ROWS + 1,
            # Columns the product does not use are dropped as they are parsed: a 140 MB table
            # with 200 columns then costs a fraction of the memory.
            usecols=None if wanted is None else (lambda c: c.strip().lstrip("\ufeff") in wanted),
        )
    except pd.errors.ParserError as exc:
        raise DataError(Problem(name, None, None, f"not a valid CSV table: {exc}")) from None
    except pd.errors.EmptyDataError:
        raise DataError(Problem(name, None, None, "the file is empty")) from None
    if len(table) > MAX_ROWS:
        raise DataError(
            Problem(name, None, None, f"more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}")
        )
    return table


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


def read_table(path: str | Path, *, layer: str | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Read any supported table file into strings plus the row number a user sees for each row.

    CSV rows are numbered as a spreadsheet shows them (header = row 1); GeoJSON and GeoPackage
    rows are the features' numbers from 1. Point geometries fill ``lon``/``lat`` when the
    table has no such columns. ``layer`` names the GeoPackage layer to read when it has several.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise DataError(
            Problem(
                path.name,
                None,
                None,
                f"unsupported file type {suffix!r}; use CSV, GeoJSON or GeoPackage",
            )
        )
    if suffix == ".csv":
        table = read_csv_text(path, keep=COLUMNS)
        return table, np.arange(2, len(table) + 2)
    _check_file(path)
    return read_vector(path, _read_bytes(path, 100), layer=layer, max_rows=MAX_ROWS)


def to_geodataframe(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """Attach point geometries (EPSG:4326) built from ``lon``/``lat``."""
    geometry = gpd.points_from_xy(table["lon"], table["lat"], crs=CRS)
    return gpd.GeoDataFrame(table, geometry=geometry, crs=CRS)


def sibling_paths(path: Path) -> tuple[Path, Path]:
    """Where the claims and sources of an incident table live.

    ``incidents.csv`` has ``claims.csv`` and ``sources.csv`` beside it; any other table
    ``NAME.EXT`` has ``NAME.claims.csv`` and ``NAME.sources.csv``.
    """
    if path.stem == "incidents":
        return path.with_name("claims.csv"), path.with_name("sources.csv")
    return path.with_name(f"{path.stem}.claims.csv"), path.with_name(f"{path.stem}.sources.csv")


def check_dataset(path: str | Path, *, layer: str | None = None) -> tuple[Dataset, list[Problem]]:
    """Read an incident table (and its claims and sources if present) and validate all of it."""
    path = Path(path)
    raw, rows = read_table(path, layer=layer)
    claims_path, sources_path = sibling_paths(path)
    problems: list[Problem] = check_cells(raw, file=path.name, row_numbers=rows)
    sources = pd.DataFrame(columns=SOURCE_COLUMNS)
    source_ids: set[str] | None = None
    if sources_path.exists():
        sources = read_csv_text(sources_path)
        problems.extend(check_cells(sources, file=sources_path.name))
        source_ids, found = validate_sources(sources, file=sources_path.name)
        problems.extend(found)
    checked = validate_incidents(raw, file=path.name, row_numbers=rows, source_ids=source_ids)
    problems.extend(checked.problems)
    claims = pd.DataFrame(columns=CLAIM_COLUMNS)
    if claims_path.exists():
        claims = read_csv_text(claims_path)
        problems.extend(check_cells(claims, file=claims_path.name))
        if not checked.table.empty:
            problems.extend(
                validate_claims(claims, checked.table, file=claims_path.name, source_ids=source_ids)
            )
        claims = claims_as_read(claims)
    dataset = Dataset(
        to_geodataframe(checked.table), claims, sources, str(path), list(checked.warnings)
    )
    return dataset, problems


def load_dataset(path: str | Path, *, layer: str | None = None) -> Dataset:
    """Read and validate a data set; raise ``DataError`` listing every problem if it has any."""
    dataset, problems = check_dataset(path, layer=layer)
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
    "Dataset",
    "check_dataset",
    "load_dataset",
    "read_table",
    "write_csv",
]
