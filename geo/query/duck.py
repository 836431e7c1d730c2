"""The embedded back end: DuckDB over the validated table's Parquet files.

Nothing is loaded: each question reads the columns it needs from the Parquet files (a million
incidents answer a filtered grid in tens of milliseconds, at a resident size of a few hundred
MB). A table already in memory (a test's, a small one being checked) is copied in.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from geo.facets import Bind
from geo.query import statements as q
from geo.query.engine import SqlEngine
from geo.schema import CLAIM_COLUMNS, SOURCE_COLUMNS

THREADS = 2
"""DuckDB's worker threads for one query (the machines this runs on have two cores)."""
MEMORY_LIMIT = "1GB"
"""What DuckDB may hold for one dashboard process; a larger sort or group spills to disk."""


def _quoted(path: Path) -> str:
    """A path as an SQL string literal (DDL takes no parameters; the path is the cache's own)."""
    return "'" + str(path).replace("'", "''") + "'"


class DuckEngine(SqlEngine):
    """Questions answered by an in-process DuckDB database over ``incidents``, ``claims`` and
    ``sources`` (Parquet files, or DataFrames)."""

    def __init__(
        self,
        incidents: Path | pd.DataFrame,
        claims: Path | pd.DataFrame | None = None,
        sources: Path | pd.DataFrame | None = None,
    ) -> None:
        super().__init__(q.DUCKDB)
        self._con = duckdb.connect(
            ":memory:", config={"threads": THREADS, "memory_limit": MEMORY_LIMIT}
        )
        self._lock = threading.Lock()
        for name, part in (("incidents", incidents), ("claims", claims), ("sources", sources)):
            self._attach(name, part)

    def _attach(self, name: str, part: Path | pd.DataFrame | None) -> None:
        if part is None:
            part = pd.DataFrame(columns=CLAIM_COLUMNS if name == "claims" else SOURCE_COLUMNS)
        if isinstance(part, pd.DataFrame):
            frame = pd.DataFrame(part.drop(columns="geometry", errors="ignore"))
            self._con.from_df(frame).create(name)  # a copy in DuckDB: every cursor sees it
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

    def close(self) -> None:
        self._con.close()


__all__ = ["DuckEngine"]
