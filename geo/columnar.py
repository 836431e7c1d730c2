"""Parquet tables checked and written without being held: millions of rows in SQL, in bounded
memory.

A Parquet table in the project's schema (up to ``MAX_COLUMNAR_ROWS`` rows) goes through three
steps, all in one folder that DuckDB may not leave (``geo.validate.sql.connect``):

1. **stage**: the table's text batches (``geo.formats.parquet.text_batches``, the same text the
   pandas checks read) are written as Parquet under positional column names; as each batch
   passes, its points are read (``num``) and looked up in the region layer once per distinct
   point, and its stated regions once per name.
2. **check**: cells, the sources beside it (pandas: a sources table is small), the incidents and
   the claims, in SQL (``geo.validate.sql_incidents``, ``geo.validate.sql_claims``); problems
   come in the order, and with the words, of the pandas checks.
3. **write**: when nothing is wrong, ``incidents.parquet`` (the checked, typed table, as the
   table cache keeps it), ``claims.parquet`` and ``sources.parquet``.

Peak memory is a batch, DuckDB's ``MEMORY_LIMIT`` (it spills beyond it) and the region layer.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo.converted import nearest_export
from geo.errors import Problem
from geo.formats.parquet import (
    BATCH_ROWS,
    ParquetTable,
    is_parquet,
    open_parquet,
    text_batches,
)
from geo.formats.recognise import recognise
from geo.places.admin import admin1_labels
from geo.places.regions import region_countries, region_label, regions_at
from geo.schema import CLAIM_COLUMNS, COLUMNS, REQUIRED, SOURCE_COLUMNS, TOLL_COLUMNS
from geo.schema_dtypes import with_schema_dtypes
from geo.table_files import find_siblings, read_sibling
from geo.tables import Dataset, ReadOptions, read_csv_text, to_geodataframe
from geo.validate import check_cells, validate_sources
from geo.validate.sql import Found, cell_checks, column, connect, run_checks
from geo.validate.sql_claims import check_claims, write_claims
from geo.validate.sql_incidents import check_incidents, write_incidents

PARTS = ("incidents", "claims", "sources")
_TYPES = {
    "date_start": pa.timestamp("us"),
    "date_end": pa.timestamp("us"),
    "lat": pa.float64(),
    "lon": pa.float64(),
    **dict.fromkeys(TOLL_COLUMNS, pa.int64()),
}
INCIDENTS_SCHEMA = pa.schema(
    [(c, _TYPES.get(c, pa.string())) for c in COLUMNS] + [("row", pa.int64())]
)
"""A checked incident table as Parquet (the table cache's ``incidents.parquet``): ``COLUMNS``
then ``row``, the row's number in its file."""
_PLACES = pa.schema(
    [
        ("lon_num", pa.float64()),
        ("lat_num", pa.float64()),
        ("joined", pa.string()),
        ("joined_country", pa.string()),
        ("region_canon", pa.string()),
        ("canon_country", pa.string()),
        ("admin1_canon", pa.string()),
    ]
)


@dataclass
class ColumnarCheck:
    """What checking a table found, and (with no problem) the Parquet files written."""

    path: Path
    problems: list[Problem]
    warnings: list[Problem]
    counts: dict[str, int] = field(default_factory=dict)
    """Rows of ``incidents``, ``claims`` and ``sources``."""
    files: dict[str, Path] = field(default_factory=dict)
    """``incidents``, ``claims``, ``sources`` -> the file written (none with problems)."""


def is_own_table(table: ParquetTable) -> bool:
    """Whether a Parquet table is read as the project's own (not an export to convert): it has
    the required columns, or is no export either (its missing columns are then reported)."""
    names = set(table.names) | ({"lon", "lat"} if table.geometry else set())
    return set(REQUIRED) <= names or recognise(table.names).format is None


def check_parquet(table: ParquetTable, folder: Path, *, write: bool = True) -> ColumnarCheck:
    """Stage, check and (``write``, when nothing is wrong) write a Parquet table in the
    project's schema and its claims and sources, in ``folder``; the staged copies are removed.

    Raises
    ------
    DataError
        When the table or a file beside it cannot be read at all (not Parquet, over
        ``MAX_COLUMNAR_ROWS``, a column of lists, a geometry that is not a point, ...).
    """
    table = table.reading(COLUMNS)
    table.check_rows()
    path = table.path
    claims_path, sources_path = find_siblings(path)
    found = Found([], [])
    checked = ColumnarCheck(path, found.problems, found.warnings)
    staged = folder / "staged.incidents.parquet"
    with closing(connect(folder)) as con:
        rows = _stage(con, text_batches(table), table.columns, staged, places=True)
        _view(con, "staging", staged)
        run_checks(con, "staging", cell_checks(table.columns), file=path.name, found=found)
        sources, source_ids = _sources(con, sources_path, found)
        ok = check_incidents(
            con,
            table.columns,
            rows,
            file=path.name,
            found=found,
            with_sources=source_ids is not None,
            header=table.names,
        )
        if any(p.row is None and p.column in REQUIRED for p in found.problems):
            found.problems.extend(nearest_export(table.names, path.name, None))
        claims = _claims(con, claims_path, folder, found, ok, source_ids is not None)
        checked.counts = {"incidents": rows, "claims": claims[1], "sources": len(sources)}
        if write and not found.problems:
            checked.files = _write(con, folder, claims[0], sources)
    for name in ("staged.incidents.parquet", "staged.claims.parquet"):
        (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder / "spill", ignore_errors=True)
    return checked


def _view(con: duckdb.DuckDBPyConnection, name: str, path: Path) -> None:
    """View ``name`` over a staged file (its path given as an argument, never in SQL)."""
    con.read_parquet(str(path)).create_view(name, replace=True)


def _stage(
    con: duckdb.DuckDBPyConnection,
    batches: Iterator[pa.RecordBatch],
    names: Sequence[str],
    out: Path,
    *,
    places: bool,
) -> int:
    """Write text batches (``row`` then ``names``) to ``out`` under positional names, with
    what each row's point and stated region give (``places``); the number of rows."""
    fields = [("row", pa.int64())] + [(column(i), pa.large_string()) for i in range(len(names))]
    schema = pa.schema(fields + (list(_PLACES) if places else []))
    rows = 0
    with pq.ParquetWriter(out, schema, compression="snappy") as writer:
        for batch in batches:
            arrays = [batch.column(i) for i in range(len(names) + 1)]
            if places:
                arrays += _places(con, batch, names)
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
            rows += batch.num_rows
    return rows


def _places(
    con: duckdb.DuckDBPyConnection, batch: pa.RecordBatch, names: Sequence[str]
) -> list[pa.Array]:
    """A batch's coordinates as ``num`` reads them, the region each point lies in (looked up
    once per distinct point, as ``check_regions`` does) and the label of each stated region."""
    n = batch.num_rows
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    if "lon" in names and "lat" in names:
        cells = pa.table(
            {
                "lon": batch.column(names.index("lon") + 1),
                "lat": batch.column(names.index("lat") + 1),
            }
        )
        con.register("batch", cells)
        nums = con.sql("SELECT num(lon), num(lat) FROM batch").to_arrow_table()
        con.unregister("batch")
        lon = np.asarray(nums.column(0).to_numpy(), dtype=float)
        lat = np.asarray(nums.column(1).to_numpy(), dtype=float)
    with np.errstate(invalid="ignore"):
        inside = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    joined = np.full(n, None, dtype=object)
    codes, points = pd.factorize(lon[inside] + 1j * lat[inside])
    joined[inside] = regions_at(points.real, points.imag)[codes]
    canon = np.full(n, None, dtype=object)
    if "region" in names:
        stated = batch.column(names.index("region") + 1).to_numpy(zero_copy_only=False)
        codes, texts = pd.factorize(pd.Series(stated, dtype=object))
        labels = np.array([region_label(t.strip()) if t.strip() else None for t in texts], object)
        canon[codes >= 0] = labels[codes[codes >= 0]]
    of_region = region_countries()
    countries = [np.array([of_region.get(r) for r in x], dtype=object) for x in (joined, canon)]
    admin = np.full(n, None, dtype=object)
    if "admin1" in names and "country" in names:
        admin = admin1_labels(
            batch.column(names.index("admin1") + 1).to_numpy(zero_copy_only=False),
            batch.column(names.index("country") + 1).to_numpy(zero_copy_only=False),
            joined,
        )
    return [
        pa.array(lon, pa.float64(), from_pandas=True),
        pa.array(lat, pa.float64(), from_pandas=True),
        pa.array(joined, pa.string()),
        pa.array(countries[0], pa.string()),
        pa.array(canon, pa.string()),
        pa.array(countries[1], pa.string()),
        pa.array(admin, pa.string()),
    ]


def _sources(
    con: duckdb.DuckDBPyConnection, path: Path, found: Found
) -> tuple[pd.DataFrame, set[str] | None]:
    """The sources beside the table, checked as the pandas path checks them; their ids are
    table ``source_ids`` for the SQL checks."""
    if not path.exists():
        return pd.DataFrame(columns=SOURCE_COLUMNS), None
    frame, numbers = read_sibling(path)
    found.problems.extend(check_cells(frame, file=path.name, row_numbers=numbers))
    ids, problems = validate_sources(frame, file=path.name, row_numbers=numbers)
    found.problems.extend(problems)
    if ids is not None:
        con.register("source_ids", pa.table({"id": pa.array(sorted(ids), pa.string())}))
    return frame, ids


def _claims(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    folder: Path,
    found: Found,
    incidents_ok: bool,
    with_sources: bool,
) -> tuple[list[str] | None, int]:
    """Stage and check the claims beside the table; their column names and count."""
    if not path.exists():
        return None, 0
    staged = folder / "staged.claims.parquet"
    if is_parquet(path):
        table = open_parquet(path).reading(None)
        table.check_rows()
        names, batches = table.columns, text_batches(table)
    else:
        frame = read_csv_text(path)
        names, batches = [str(c) for c in frame.columns], _frame_batches(frame)
    rows = _stage(con, batches, names, staged, places=False)
    _view(con, "claims_staging", staged)
    run_checks(con, "claims_staging", cell_checks(names), file=path.name, found=found)
    if incidents_ok:
        check_claims(con, names, rows, file=path.name, found=found, with_sources=with_sources)
    return names, rows


def _frame_batches(frame: pd.DataFrame) -> Iterator[pa.RecordBatch]:
    """A CSV's text (rows numbered from 2, the header being row 1) as batches."""
    for start in range(0, max(len(frame), 1), BATCH_ROWS):
        part = frame.iloc[start : start + BATCH_ROWS]
        arrays = [pa.array(np.arange(start + 2, start + len(part) + 2, dtype=np.int64))]
        arrays += [
            pa.array(part[c].astype(object).to_numpy(), pa.large_string()) for c in frame.columns
        ]
        yield pa.RecordBatch.from_arrays(arrays, names=["row", *map(str, frame.columns)])


def _write(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    claim_names: list[str] | None,
    sources: pd.DataFrame,
) -> dict[str, Path]:
    files = {part: folder / f"{part}.parquet" for part in PARTS}
    write_incidents(con, files["incidents"])
    if claim_names is None:
        empty = pa.table({c: pa.array([], pa.string()) for c in CLAIM_COLUMNS})
        pq.write_table(empty, files["claims"])
    else:
        write_claims(con, claim_names, files["claims"])
    pq.write_table(text_table(sources), files["sources"])
    return files


def text_table(frame: pd.DataFrame) -> pa.Table:
    """A table of text (claims, sources) as Arrow strings, ``""`` for a missing value."""
    return pa.table(
        {str(c): pa.array(frame[c].astype(object).fillna("").astype(str), pa.string())
         for c in frame.columns}
    )  # fmt: skip


def read_parts(files: dict[str, Path]) -> dict[str, pd.DataFrame]:
    """The Parquet files of a checked table as pandas tables (dates as ``datetime64[ns]``, as
    the pandas checks give them)."""
    frames = {}
    for part, path in files.items():
        frame = pq.read_table(path).to_pandas(self_destruct=True, split_blocks=True)
        frames[part] = with_schema_dtypes(frame) if part == "incidents" else frame
    return frames


def check_parquet_dataset(path: Path, options: ReadOptions) -> tuple[Dataset, list[Problem]] | None:
    """``geo.tables.check_dataset`` for a Parquet table: checked in SQL, then read into pandas
    (with problems, a ``Dataset`` without rows); ``None`` for an export, which is converted."""
    table = open_parquet(path, max_bytes=options.max_bytes)
    if not is_own_table(table):
        return None
    with tempfile.TemporaryDirectory(prefix="atlas-check-") as tmp:
        checked = check_parquet(table, Path(tmp))
        if checked.problems:
            empty = pd.DataFrame(columns=[*COLUMNS, "row"])
            return Dataset(to_geodataframe(empty), path=str(path), warnings=checked.warnings), (
                checked.problems
            )
        frames = read_parts(checked.files)
    dataset = Dataset(
        to_geodataframe(frames["incidents"]),
        frames["claims"],
        frames["sources"],
        str(path),
        checked.warnings,
    )
    return dataset, []


__all__ = [
    "INCIDENTS_SCHEMA",
    "PARTS",
    "ColumnarCheck",
    "check_parquet",
    "check_parquet_dataset",
    "is_own_table",
    "read_parts",
    "text_table",
]
