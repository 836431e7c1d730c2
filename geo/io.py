"""Reading and writing incident tables: CSV, GeoJSON and GeoPackage in, typed tables out.

Every failure is a ``DataError`` naming the file (and row and column where there is one); nothing
here modifies an input file, and every write goes to a temporary file first (``write_atomic``).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import DataError, Problem
from geo.schema import (
    CLAIM_COLUMNS,
    COLUMNS,
    SOURCE_COLUMNS,
    validate_claims,
    validate_incidents,
)

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


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DataError(f"{path}: file not found", file=str(path))
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a table file", file=str(path))
    size = path.stat().st_size
    if size == 0:
        raise DataError(Problem(path.name, None, None, "the file is empty"))
    if size > MAX_FILE_BYTES:
        raise DataError(
            Problem(
                path.name,
                None,
                None,
                f"the file is {size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES / 2**20:.0f} MB",
            )
        )


def read_csv_text(path: Path) -> pd.DataFrame:
    """Read a CSV file as strings, with a clear error for encodings and delimiters."""
    _check_file(path)
    name = path.name
    data = path.read_bytes()
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
    return parse_csv_text(text, name=name)


def parse_csv_text(text: str, *, name: str) -> pd.DataFrame:
    """Parse CSV text (already decoded) into a table of strings."""
    if not text.strip():
        raise DataError(Problem(name, None, None, "the file is empty"))
    header = text.split("\n", 1)[0]
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
    if text.count("\n") > MAX_ROWS + 1:
        raise DataError(
            Problem(name, None, None, f"more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}")
        )
    try:
        table = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise DataError(Problem(name, None, None, f"not a valid CSV table: {exc}")) from None
    except pd.errors.EmptyDataError:
        raise DataError(Problem(name, None, None, "the file is empty")) from None
    return table


def read_table(path: str | Path) -> tuple[pd.DataFrame, np.ndarray]:
    """Read any supported table file into strings plus the row number a user sees for each row.

    CSV rows are numbered as a spreadsheet shows them (header = row 1); GeoJSON and GeoPackage
    rows are the features' numbers from 1. Point geometries fill ``lon``/``lat`` when the
    table has no such columns.
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
        table = read_csv_text(path)
        return table, np.arange(2, len(table) + 2)
    _check_file(path)
    if suffix == ".gpkg" and not path.read_bytes()[:16].startswith(b"SQLite format 3"):
        raise DataError(Problem(path.name, None, None, "not a GeoPackage (no SQLite header)"))
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several unrelated types for unreadable files
        raise DataError(
            Problem(path.name, None, None, f"cannot read as {suffix[1:]}: {exc}")
        ) from None
    if len(gdf) > MAX_ROWS:
        raise DataError(
            Problem(path.name, None, None, f"{len(gdf):,} features; the limit is {MAX_ROWS:,}")
        )
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name, errors="ignore"))
    if gdf.geometry.name in gdf.columns and ("lat" not in table or "lon" not in table):
        geom = gdf.geometry
        if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
            geom = geom.to_crs("EPSG:4326")
        is_point = (geom.geom_type == "Point").to_numpy()
        table["lon"] = np.where(is_point, geom.x.where(is_point), np.nan)
        table["lat"] = np.where(is_point, geom.y.where(is_point), np.nan)
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
    table = table.astype(object).where(table.notna(), "").astype(str)
    return table, np.arange(1, len(table) + 1)


def to_geodataframe(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """Attach point geometries (EPSG:4326) built from ``lon``/``lat``."""
    geometry = gpd.points_from_xy(table["lon"], table["lat"], crs="EPSG:4326")
    return gpd.GeoDataFrame(table, geometry=geometry, crs="EPSG:4326")


def sibling_paths(path: Path) -> tuple[Path, Path]:
    """Where the claims and sources of an incident table live.

    ``incidents.csv`` has ``claims.csv`` and ``sources.csv`` beside it; any other table
    ``NAME.EXT`` has ``NAME.claims.csv`` and ``NAME.sources.csv``.
    """
    if path.stem == "incidents":
        return path.with_name("claims.csv"), path.with_name("sources.csv")
    return path.with_name(f"{path.stem}.claims.csv"), path.with_name(f"{path.stem}.sources.csv")


def check_dataset(path: str | Path) -> tuple[Dataset, list[Problem]]:
    """Read an incident table (and its claims and sources if present) and validate all of it."""
    path = Path(path)
    raw, rows = read_table(path)
    claims_path, sources_path = sibling_paths(path)
    problems: list[Problem] = []
    sources = pd.DataFrame(columns=SOURCE_COLUMNS)
    source_ids: set[str] | None = None
    if sources_path.exists():
        sources = read_csv_text(sources_path)
        for column in [c for c in ("source_id", "title") if c not in sources.columns]:
            problems.append(Problem(sources_path.name, None, column, "required column missing"))
        if "source_id" in sources.columns:
            source_ids = set(sources["source_id"].str.strip())
    checked = validate_incidents(raw, file=path.name, row_numbers=rows, source_ids=source_ids)
    problems.extend(checked.problems)
    claims = pd.DataFrame(columns=CLAIM_COLUMNS)
    if claims_path.exists():
        claims = read_csv_text(claims_path)
        if not checked.table.empty:
            problems.extend(
                validate_claims(claims, checked.table, file=claims_path.name, source_ids=source_ids)
            )
    dataset = Dataset(to_geodataframe(checked.table), claims, sources, str(path))
    return dataset, problems


def load_dataset(path: str | Path) -> Dataset:
    """Read and validate a data set; raise ``DataError`` listing every problem if it has any."""
    dataset, problems = check_dataset(path)
    if problems:
        raise DataError(problems)
    return dataset


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it into place."""
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_csv(table: pd.DataFrame, path: str | Path) -> None:
    """Write a table as UTF-8 CSV atomically, with dates as YYYY-MM-DD."""
    frame = pd.DataFrame(table).copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    frame = frame.drop(columns=[c for c in ("geometry", "row") if c in frame.columns])
    write_atomic(
        path,
        lambda tmp: frame.to_csv(tmp, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n"),
    )


__all__ = [
    "COLUMNS",
    "Dataset",
    "check_dataset",
    "load_dataset",
    "read_table",
    "write_atomic",
    "write_csv",
]
