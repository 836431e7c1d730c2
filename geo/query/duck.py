"""The embedded back end: DuckDB over the validated table's database file.

A cache entry keeps its incidents twice: as Parquet (what other tools read) and as a DuckDB
database file made from it (:func:`build_database`), typed and laid out for the engine's
questions: dates as dates, each incident's finest map cell as two integers, rows in date order
(so a date range skips the blocks outside it). Nothing is loaded: each question reads the
columns it needs from the file, opened read-only by as many processes as like (ten million
incidents: headline figures in under 0.1 s, the world's map cells in about 0.1 s, two cores).
DuckDB's native file answers these in about half the time of the same rows as Parquet.
A table already in memory (a test's, a small one being checked) is copied in the same shape.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from geo.facets import SEARCH_COLUMN, Bind, folded_text
from geo.filters import Filters
from geo.query import statements as q
from geo.query.engine import BATCH_ROWS, SqlEngine, typed
from geo.schema import CLAIM_COLUMNS, COLUMNS, SOURCE_COLUMNS, TEXT_COLUMNS
from geo.webmap.grid_counts import CELL_DEGREES

THREADS = 2
"""DuckDB's worker threads for one query (the machines this runs on have two cores)."""
MEMORY_LIMIT = "1GB"
"""What DuckDB may hold for one dashboard process; a larger sort or group spills to disk."""


def _quoted(path: Path) -> str:
    """A path as an SQL string literal (DDL takes no parameters; the path is the cache's own)."""
    return "'" + str(path).replace("'", "''") + "'"


def spill_dir() -> Path:
    """Where DuckDB writes what does not fit in ``MEMORY_LIMIT``: the cache folder's
    ``spill`` (not the folder the app was started from)."""
    from geo.paths import cache_dir

    return cache_dir() / "spill"


def engine_config() -> dict[str, str | bool | int | float | list[str]]:
    """A DuckDB database's settings for the engine: two threads, ``MEMORY_LIMIT``, a larger
    sort or group spilled into :func:`spill_dir`, no extension loaded from the network."""
    return {
        "threads": THREADS,
        "memory_limit": MEMORY_LIMIT,
        "temp_directory": str(spill_dir()),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }


def engine_connection(database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with :func:`engine_config`, printing no progress bar."""
    con = duckdb.connect(database, config=engine_config())
    con.execute("SET enable_progress_bar = false")
    return con


def usable_path(path: Path) -> bool:
    """Whether DuckDB opens ``path`` as it is named (it reads ``?`` as the start of options
    and ``\\`` as a folder separator); a table's cache in such a folder is read as Parquet."""
    return not any(c in str(path) for c in "?\\")


def database_opens(path: Path) -> bool:
    """Whether ``path`` is a readable engine database with its incidents table as this release
    makes it."""
    try:
        con = duckdb.connect(str(path), read_only=True, config=engine_config())
        try:
            # Its columns as this release makes them (an older file is made again).
            con.execute(f"SELECT cy, cx, {SEARCH_COLUMN} FROM incidents LIMIT 1").fetchone()
        finally:
            con.close()
    except (duckdb.Error, OSError):
        return False
    return True


def incidents_table(source: str, name: str = "incidents") -> str:
    """The statement that makes the engine's incidents table ``name`` from the relation
    ``source`` (a fixed name): dates as dates, coordinates and tolls as numbers, the finest map
    cell (``CELL_DEGREES``) as ``cy`` and ``cx``, the searched text folded once
    (``SEARCH_COLUMN``: a search then reads one column, not seven folded on every question),
    rows in date order."""
    tolls = ", ".join(f"CAST({t} AS BIGINT) AS {t}" for t in q.TOLLS)
    return (
        f"CREATE TABLE {name} AS SELECT * REPLACE (CAST(date_start AS DATE) AS date_start, "
        "CAST(date_end AS DATE) AS date_end, CAST(lat AS DOUBLE) AS lat, "
        f"CAST(lon AS DOUBLE) AS lon, {tolls}), "
        f"CAST(floor(CAST(lat AS DOUBLE) / {CELL_DEGREES}) AS INTEGER) AS cy, "
        f"CAST(floor(CAST(lon AS DOUBLE) / {CELL_DEGREES}) AS INTEGER) AS cx, "
        f"{folded_text()} AS {SEARCH_COLUMN} "
        f"FROM {source} ORDER BY date_start, incident_id"
    )


def build_database(parquet: Path, target: Path) -> None:
    """Write the engine's database file ``target`` from a cache entry's incidents Parquet
    (atomically: a temporary file in the same folder, renamed when complete)."""
    handle, work = tempfile.mkstemp(prefix=".build-", suffix=".duckdb", dir=target.parent)
    os.close(handle)
    os.unlink(work)  # DuckDB makes the file itself
    try:
        con = engine_connection(work)
        try:
            con.execute(f"CREATE VIEW parquet AS SELECT * FROM read_parquet({_quoted(parquet)})")
            con.execute(incidents_table("parquet"))
            con.execute("DROP VIEW parquet")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.chmod(work, 0o644)
        os.replace(work, target)
    finally:
        for left in (Path(work), Path(work + ".wal")):
            left.unlink(missing_ok=True)


class DuckEngine(SqlEngine):
    """Questions answered by an in-process DuckDB database over ``incidents``, ``claims`` and
    ``sources``: the incidents a database file (:func:`build_database`), a Parquet file or a
    DataFrame (both copied in); claims and sources Parquet files or DataFrames."""

    def __init__(
        self,
        incidents: Path | pd.DataFrame,
        claims: Path | pd.DataFrame | None = None,
        sources: Path | pd.DataFrame | None = None,
    ) -> None:
        super().__init__(q.DUCKDB)
        self._con = engine_connection()
        self._lock = threading.Lock()
        self._searchable: bool | None = None
        for name, part in (("incidents", incidents), ("claims", claims), ("sources", sources)):
            self._attach(name, part)

    def _attach(self, name: str, part: Path | pd.DataFrame | None) -> None:
        if part is None:
            part = pd.DataFrame(columns=CLAIM_COLUMNS if name == "claims" else SOURCE_COLUMNS)
        if isinstance(part, pd.DataFrame):
            frame = pd.DataFrame(part.drop(columns="geometry", errors="ignore"))
            if name != "incidents":
                self._con.from_df(frame).create(name)  # a copy in DuckDB: every cursor sees it
                return
            for column in (c for c in COLUMNS if c not in frame.columns):
                frame[column] = None  # a partial table (a test's, a chart's) reads as empty cells
            for column in (c for c in TEXT_COLUMNS if c in frame.columns):
                # An empty column read from a file is NaN (a float): text, as the schema says.
                frame[column] = frame[column].astype(object).where(frame[column].notna(), "")
                frame[column] = frame[column].astype(str)
            self._con.from_df(frame).create("incidents_in")
            self._con.execute(incidents_table("incidents_in"))
            self._con.execute("DROP TABLE incidents_in")
        elif Path(part).suffix == ".duckdb":
            self._con.execute(f"ATTACH {_quoted(Path(part))} AS store (READ_ONLY)")
            self._con.execute(f"CREATE VIEW {name} AS SELECT * FROM store.incidents")
        elif name == "incidents":
            self._con.execute(incidents_table(f"read_parquet({_quoted(Path(part))})"))
        else:
            self._con.execute(
                f"CREATE VIEW {name} AS SELECT * FROM read_parquet({_quoted(Path(part))})"
            )

    def _frame(self, sql: str, bind: Bind) -> pd.DataFrame:
        with self._lock:  # one cursor per question: a connection is not shared between threads
            cursor = self._con.cursor()
        try:
            table: pa.Table = cursor.sql(sql, params=bind.values).to_arrow_table()
        finally:
            cursor.close()
        return table.to_pandas()

    def _bind(self) -> Bind:
        if self._searchable is None:
            names = self._frame("SELECT * FROM incidents LIMIT 0", Bind("duckdb")).columns
            self._searchable = SEARCH_COLUMN in set(names)
        return Bind("duckdb", folded=SEARCH_COLUMN if self._searchable else None)

    def batches(self, filters: Filters, size: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
        """The kept incidents by date and id, ``size`` rows at a time, from one statement read
        as it runs: the table is kept in that order (:func:`incidents_table`), so nothing is
        sorted and no batch reads the rows of the ones before (ten million incidents: one
        pass, where a page after the last row took a pass per batch)."""
        bind = self._bind()
        present = self.columns()
        sql = q.stream(filters, bind, present)
        with self._lock:
            cursor = self._con.cursor()
        try:
            reader = cursor.sql(sql, params=bind.values).to_arrow_reader(size)
            for part in reader:
                frame = part.to_pandas()
                for column in (c for c in COLUMNS if c not in present):
                    frame[column] = pd.NA if column in q.TOLLS else ""
                if len(frame):
                    yield typed(frame[list(COLUMNS)])
        finally:
            cursor.close()

    def close(self) -> None:
        self._con.close()


__all__ = [
    "DuckEngine",
    "build_database",
    "database_opens",
    "engine_config",
    "engine_connection",
    "incidents_table",
    "usable_path",
]
