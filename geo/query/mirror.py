"""The dashboard's reader of the team store: a columnar copy of it, kept in step.

Added up in PostgreSQL, a million incidents took 1.1 s for the whole world's map and 2 s for a
move of the time slider (two cores); DuckDB answers the same SQL from a columnar copy in a
fifth of that. So the dashboard reads the team store through :class:`MirrorEngine`: the store
stays the one place that is written (with its history and its checks), and the copy is read
again, in one consistent snapshot, whenever the store's data version has moved (every write
adds a row to ``atlas_changes`` in the writing transaction: ``geo.store.postgis`` schema 3).
The copy is checked at most every ``CHECK_SECONDS``, so what a colleague saved shows on the
next page drawn after it;
from ``BACKGROUND_ROWS`` incidents on, on a page drawn once the new copy is read (meanwhile
pages are answered from the old one).
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from geo.facets import Bind
from geo.query.duck import DuckEngine, engine_connection, incidents_table
from geo.query.engine import Overview, T
from geo.query.statements import TOLLS
from geo.schema import CLAIM_COLUMNS, COLUMNS, SOURCE_COLUMNS

CHECK_SECONDS = 1.0
"""How often the store's data version is asked for, at most."""
BACKGROUND_ROWS = 200_000
"""From this many incidents on, a new copy is read in the background while pages go on being
answered from the old one (a million incidents take several seconds to copy)."""

_TYPES = {
    "date_start": "DATE",
    "date_end": "DATE",
    "lat": "DOUBLE",
    "lon": "DOUBLE",
    **dict.fromkeys(TOLLS, "BIGINT"),
}
"""Columns that are not text, as the copy types them (everything else is text)."""


def _typed(table: str) -> str:
    """The copied text columns of ``table`` typed (an empty cell is none)."""
    cast = ", ".join(
        f"CAST(NULLIF({column}, '') AS {kind}) AS {column}" for column, kind in _TYPES.items()
    )
    return f"(SELECT * REPLACE ({cast}) FROM {table})"


def _copy_out(conn: object, table: str, columns: list[str], folder: Path) -> Path:
    """``COPY`` a table of the store to a CSV file (the fixed column list, no data in SQL)."""
    path = folder / f"{table}.csv"
    names = ", ".join(columns)
    with (
        path.open("wb") as fh,
        conn.cursor().copy(  # type: ignore[attr-defined]
            f"COPY (SELECT {names} FROM {table}) TO STDOUT (FORMAT csv, HEADER)"
        ) as copy,
    ):
        for block in copy:
            fh.write(block)
    return path


def _version(conn: object) -> str:
    """The store's data version as this transaction sees it: how many changing statements
    were committed, and the last one's number."""
    row = conn.execute(  # type: ignore[attr-defined]
        "SELECT count(*), coalesce(max(change), 0) FROM atlas_changes"
    ).fetchone()
    return f"{row[0]}:{row[1]}"


class MirrorEngine(DuckEngine):
    """The team store at ``url``, answered from a columnar copy that follows its changes."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.version: str | None = None
        self.copied = 0
        self.loads = 0
        """How many copies were read (one, until the store changes)."""
        self._checked = 0.0
        self._reload = threading.Lock()
        self._loading: threading.Thread | None = None
        super().__init__(pd.DataFrame(columns=COLUMNS))
        self._follow(force=True)

    def _store_version(self) -> str:
        from geo.store.postgis import connect, require_schema

        with connect(self.url) as conn:
            require_schema(conn, self.url)
            return _version(conn)

    def _follow(self, *, force: bool = False) -> None:
        """Read the store again if its data version moved since the copy was made."""
        now = time.monotonic()
        if not force and now - self._checked < CHECK_SECONDS:
            return
        with self._reload:
            if not force and time.monotonic() - self._checked < CHECK_SECONDS:
                return
            if force:
                self._load()
            elif self._store_version() != self.version:
                if self.copied < BACKGROUND_ROWS:
                    self._load()
                elif self._loading is None or not self._loading.is_alive():
                    self._loading = threading.Thread(target=self._load, daemon=True)
                    self._loading.start()
            self._checked = time.monotonic()

    def _load(self) -> None:
        """Copy the store's tables, in one snapshot, into a new DuckDB database."""
        from geo.store.postgis import connect

        with tempfile.TemporaryDirectory(prefix="atlas-mirror-") as tmp, connect(self.url) as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            conn.execute("SET LOCAL DateStyle = 'ISO, YMD'")  # dates as the copy reads them
            version = _version(conn)
            parts = {
                "incidents": _copy_out(conn, "incidents", list(COLUMNS), Path(tmp)),
                "claims": _copy_out(conn, "claims", list(CLAIM_COLUMNS), Path(tmp)),
                "sources": _copy_out(conn, "sources", list(SOURCE_COLUMNS), Path(tmp)),
            }
            con = engine_connection()
            for name, path in parts.items():
                con.execute(
                    f"CREATE TABLE {name} AS SELECT * FROM read_csv($path, header = true, "
                    "all_varchar = true, quote = '\"', escape = '\"', allow_quoted_nulls = false)",
                    {"path": str(path)},
                )
            con.execute("ALTER TABLE incidents RENAME TO copied")
            con.execute(incidents_table(_typed("copied")))
            con.execute("DROP TABLE copied")
        # Questions already running finish on the old copy, which goes when they are done.
        rows = con.execute("SELECT count(*) FROM incidents").fetchone()
        self._con = con
        self.version = version
        self.copied = int(rows[0]) if rows else 0
        self.loads += 1
        self.refresh()

    def changed(self) -> None:
        self._checked = 0.0  # ask the store for its data version before the next answer

    def _frame(self, sql: str, bind: Bind) -> pd.DataFrame:
        self._follow()
        return super()._frame(sql, bind)

    def _remembered(self, key: tuple[object, ...], answer: Callable[[], T]) -> T:
        self._follow()  # a kept answer is only given while the store has not changed
        return super()._remembered(key, answer)

    def overview(self) -> Overview:
        self._follow()
        version = self.version
        found = super().overview()
        if self.version != version:  # a new copy came in while this one was asked: not kept
            self.refresh()
        return found


__all__ = ["CHECK_SECONDS", "MirrorEngine"]
